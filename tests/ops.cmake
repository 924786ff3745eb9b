# scripts/cctsa-rotate.sh: bats tests (dry run, production confirmation, missing inputs,
# failing hooks, evidence contents, hidden and shown commands, never the old key).
cctsa_script_test(ops_rotate LABEL unit TIMEOUT 300 COMMAND bats ${CMAKE_CURRENT_SOURCE_DIR}/ops/rotate.bats)
