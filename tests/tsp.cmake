target_link_libraries(tsp_test PRIVATE OpenSSL::Crypto)
cctsa_script_test(tsp_realtokens LABEL interop COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tsp/realtokens.sh)
cctsa_script_test(tsp_interop LABEL interop COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/tsp/interop.sh)
