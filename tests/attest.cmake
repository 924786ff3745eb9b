# attest: the `cctsa attest` command against the real reports and the simulator.
cctsa_script_test(attest_cli LABEL unit TIMEOUT 600 COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/attest/cli.sh)
# The real reports (and every other file of the SEV-SNP test data) replayed through
# the codec's fuzz harness: decode/encode round trip, or a clean refusal.
if(NOT CCTSA_FUZZ)
  foreach(d derived go-sev-guest trustee trustee/az-snp-vtpm virtee-sev)
    string(REPLACE "/" "_" tn ${d})
    add_test(NAME attest_replay_real_${tn}
      COMMAND $<TARGET_FILE:fuzz-snp_report> ${CCTSA_SHARED_DIR}/testdata/sevsnp/${d})
    set_tests_properties(attest_replay_real_${tn} PROPERTIES LABELS fuzz-replay)
    cctsa_test_env(attest_replay_real_${tn})
  endforeach()
endif()
# An independent verifier (Node 26 / OpenSSL 3.5) and `openssl verify` on our simulator's output.
cctsa_script_test(attest_interop LABEL interop TIMEOUT 600 COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/attest/interop.sh)
