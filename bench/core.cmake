target_link_libraries(bench-core PRIVATE cctsa_core)
