# time module: Wycheproof vectors need jansson in the unit test; the chronyd
# NTS interop test (label interop) starts a private chronyd on loopback.
target_link_libraries(time_test PRIVATE PkgConfig::JANSSON)

add_executable(time_nts_interop ${CMAKE_CURRENT_SOURCE_DIR}/time/nts_interop.c)
target_link_libraries(time_nts_interop PRIVATE cctsa_time Threads::Threads)
target_include_directories(time_nts_interop PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
cctsa_script_test(time_nts_chrony LABEL interop TIMEOUT 120
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/time/nts_chrony.sh)
add_dependencies(time_nts_interop cctsa)
