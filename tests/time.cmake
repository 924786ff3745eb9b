# time module: Wycheproof vectors need jansson in the unit test; the chronyd
# NTS interop test (label interop) starts a private chronyd on loopback.
target_link_libraries(time_test PRIVATE PkgConfig::JANSSON)

add_executable(time_nts_interop ${CMAKE_CURRENT_SOURCE_DIR}/time/nts_interop.c
  ${CMAKE_CURRENT_SOURCE_DIR}/time/nts_fake_ke.c)
target_link_libraries(time_nts_interop PRIVATE cctsa_time OpenSSL::SSL Threads::Threads)
target_include_directories(time_nts_interop PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
cctsa_script_test(time_nts_chrony LABEL interop TIMEOUT 120
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/time/nts_chrony.sh)
add_dependencies(time_nts_interop cctsa)

# AES-SIV-CMAC with secret keys under valgrind (build-ctime only).
if(CCTSA_CTIME)
  cctsa_ctime_test(time_ctime ${CMAKE_CURRENT_SOURCE_DIR}/time/time_ctime.c time)
endif()
