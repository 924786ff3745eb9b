# sss: constant-time check under valgrind (build-ctime only, where CCTSA_SECRET is live).
if(CCTSA_CTIME)
  add_executable(sss_ctime ${CMAKE_CURRENT_SOURCE_DIR}/ctime/sss_ctime.c)
  target_link_libraries(sss_ctime PRIVATE cctsa_sss)
  target_include_directories(sss_ctime PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  add_test(NAME sss_ctime COMMAND valgrind --error-exitcode=1 --track-origins=yes -q
    $<TARGET_FILE:sss_ctime> WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  set_tests_properties(sss_ctime PROPERTIES LABELS ctime)
  cctsa_test_env(sss_ctime)
endif()
