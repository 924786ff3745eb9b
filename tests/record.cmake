# record: `cctsa audit` and `cctsa ceremony` command-line tests (bats).
cctsa_script_test(record_cli LABEL unit COMMAND bats ${CMAKE_CURRENT_SOURCE_DIR}/ops/audit.bats)
