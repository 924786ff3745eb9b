# Threshold ECDSA: CLI self-test checked with `openssl dgst`, and the constant-time
# test (valgrind, ctime build only).
cctsa_script_test(tecdsa_selftest LABEL interop TIMEOUT 1500 COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tecdsa/selftest.sh)
if(CCTSA_CTIME)
  cctsa_ctime_test(tecdsa_ctime ${CMAKE_CURRENT_SOURCE_DIR}/tecdsa/ctime.c tecdsa)
endif()
