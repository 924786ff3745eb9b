# The cluster: gateway final form through `cctsa cluster` (tests/cluster/).
# cluster_fake_core is a TEST DOUBLE speaking the core's control and gateway
# protocols with file keys (no threshold, no attestation): it lets the cluster
# tooling, the gateway's core backend, HAProxy and the fault choreography be
# tested on their own. The end-to-end test against the real cctsa-core is
# registered once the core module exists.
add_executable(cluster_fake_core ${CMAKE_CURRENT_SOURCE_DIR}/cluster/fake_core.c)
target_link_libraries(cluster_fake_core PRIVATE cctsa_net cctsa_tsp PkgConfig::LIBEVENT PkgConfig::JANSSON)
# gcc warns on paths it cannot bound; clang has no such option.
target_compile_options(cluster_fake_core PRIVATE $<$<C_COMPILER_ID:GNU>:-Wno-format-truncation>)
cctsa_script_test(cluster_fake LABEL interop TIMEOUT 600
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cluster/cluster.sh fake)
if(TARGET cctsa-core)
  cctsa_script_test(cluster_e2e LABEL interop TIMEOUT 1200
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cluster/cluster.sh real)
endif()
