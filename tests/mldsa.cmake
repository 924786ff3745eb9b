# mldsa: the unit test reads JSON vectors with jansson.
target_link_libraries(mldsa_test PRIVATE PkgConfig::JANSSON)
