# net: the attested mesh over real loopback sockets with the sim provider.
add_executable(net_mesh_test ${CMAKE_CURRENT_SOURCE_DIR}/net/mesh_test.c)
target_link_libraries(net_mesh_test PRIVATE cctsa_net)
target_include_directories(net_mesh_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
add_test(NAME net_mesh COMMAND net_mesh_test WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
set_tests_properties(net_mesh PROPERTIES LABELS unit TIMEOUT 300)
cctsa_test_env(net_mesh)
