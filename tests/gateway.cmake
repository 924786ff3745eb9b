cctsa_script_test(gateway_http LABEL interop TIMEOUT 120 COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/gateway/http.sh)
