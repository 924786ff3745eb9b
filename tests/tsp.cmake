target_link_libraries(tsp_test PRIVATE OpenSSL::Crypto)
