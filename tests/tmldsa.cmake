# tmldsa extra tests.
# - tmldsa_test reads the known-answer JSON (jansson).
# - tmldsa_stats: the statistics of spec §7(d) over 2,000 full signing attempts.
#   Under ASan (-O0) an attempt costs ~0.7 s, so this executable is compiled from the
#   module sources again, optimised and without sanitizers, in every build tree.
# - tmldsa_interop: `cctsa tmldsa selftest` signatures verified by OpenSSL 3.5 (Node 26).
target_link_libraries(tmldsa_test PRIVATE PkgConfig::JANSSON)
set_tests_properties(tmldsa_test PROPERTIES TIMEOUT 1800)

file(GLOB TMLDSA_STATS_SRCS ${CMAKE_SOURCE_DIR}/src/base/*.c ${CMAKE_SOURCE_DIR}/src/hash/*.c
  ${CMAKE_SOURCE_DIR}/src/mldsa/*.c ${CMAKE_SOURCE_DIR}/src/tmldsa/*.c)
add_executable(tmldsa_stats ${CMAKE_CURRENT_SOURCE_DIR}/tmldsa/stats.c ${TMLDSA_STATS_SRCS})
target_include_directories(tmldsa_stats PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src
  ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_options(tmldsa_stats PRIVATE -O2 -fno-sanitize=all -U_FORTIFY_SOURCE)
target_link_options(tmldsa_stats PRIVATE -fno-sanitize=all)
target_link_libraries(tmldsa_stats PRIVATE OpenSSL::Crypto m)
add_test(NAME tmldsa_stats COMMAND tmldsa_stats WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(tmldsa_stats PROPERTIES LABELS unit TIMEOUT 1800)
cctsa_test_env(tmldsa_stats)

cctsa_script_test(tmldsa_interop LABEL interop TIMEOUT 900
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tmldsa/interop.sh)

# Constant-time signing under valgrind (build-ctime only); exception: the float sampler.
if(CCTSA_CTIME)
  cctsa_ctime_test(tmldsa_ctime ${CMAKE_CURRENT_SOURCE_DIR}/ctime/tmldsa_ctime.c tmldsa)
endif()

# The 4-way hyperball sampler against the one-way one, with the run-time dispatch
# (AVX2 where the CPU has it) and with the portable 4-way Keccak forced (CCTSA_NO_AVX2).
add_executable(tmldsa_x4_test ${CMAKE_CURRENT_SOURCE_DIR}/tmldsa/hyperball_x4.c)
target_include_directories(tmldsa_x4_test PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src
  ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(tmldsa_x4_test PRIVATE cctsa_tmldsa)
add_test(NAME tmldsa_x4_test COMMAND tmldsa_x4_test WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(tmldsa_x4_test PROPERTIES LABELS unit)
cctsa_test_env(tmldsa_x4_test)

file(GLOB TMLDSA_PORTABLE_SRCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/hash/*.c
  ${CMAKE_SOURCE_DIR}/src/mldsa/*.c ${CMAKE_SOURCE_DIR}/src/tmldsa/*.c)
add_executable(tmldsa_x4_portable_test ${CMAKE_CURRENT_SOURCE_DIR}/tmldsa/hyperball_x4.c ${TMLDSA_PORTABLE_SRCS})
target_compile_definitions(tmldsa_x4_portable_test PRIVATE CCTSA_NO_AVX2)
target_include_directories(tmldsa_x4_portable_test PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src
  ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(tmldsa_x4_portable_test PRIVATE cctsa_base m)
add_test(NAME tmldsa_x4_portable_test COMMAND tmldsa_x4_portable_test WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(tmldsa_x4_portable_test PROPERTIES LABELS unit)
cctsa_test_env(tmldsa_x4_portable_test)
