# core: the 5-node in-process simulation (DKG, signing, faults, audit, budget) runs
# as the unit test core_test; tests/core/openssl.sh re-runs its first part keeping
# the files and checks the token with `openssl ts -verify`.
set_tests_properties(core_test PROPERTIES TIMEOUT 1200)
target_link_libraries(core_test PRIVATE PkgConfig::JANSSON OpenSSL::Crypto)

cctsa_script_test(core_openssl LABEL interop TIMEOUT 900
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/core/openssl.sh)
