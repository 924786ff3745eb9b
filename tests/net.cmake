# net: the attested mesh over real loopback sockets with the sim provider.
add_executable(net_mesh_test ${CMAKE_CURRENT_SOURCE_DIR}/net/mesh_test.c)
target_link_libraries(net_mesh_test PRIVATE cctsa_net)
target_include_directories(net_mesh_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
add_test(NAME net_mesh COMMAND net_mesh_test WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(net_mesh PROPERTIES LABELS unit TIMEOUT 300)
cctsa_test_env(net_mesh)

# OpenSSL's s_client against a node's peer port (label interop).
add_executable(net_tls_interop ${CMAKE_CURRENT_SOURCE_DIR}/net/tls_interop.c)
target_link_libraries(net_tls_interop PRIVATE cctsa_net)
target_include_directories(net_tls_interop PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
add_test(NAME net_tls_interop COMMAND net_tls_interop WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(net_tls_interop PROPERTIES LABELS interop TIMEOUT 120)
cctsa_test_env(net_tls_interop)
