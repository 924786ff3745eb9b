# bench-mldsa finds Node 26 under the source tree's .deps when CCTSA_NODE is unset.
target_compile_definitions(bench-mldsa PRIVATE CCTSA_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
