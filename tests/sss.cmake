# sss: constant-time check under valgrind (label ctime; live only in build-ctime) and the
# `cctsa sss` command-line tests (bats; QR codes decoded back with zbarimg).
if(CCTSA_CTIME)
  cctsa_ctime_test(sss_ctime ${CMAKE_CURRENT_SOURCE_DIR}/ctime/sss_ctime.c sss)
endif()
cctsa_script_test(sss_cli LABEL unit COMMAND bats ${CMAKE_CURRENT_SOURCE_DIR}/ops/sss.bats)
