# time module: Wycheproof vectors need jansson in the unit test; the chronyd
# NTS interop test (label interop) starts a private chronyd on loopback.
target_link_libraries(time_test PRIVATE PkgConfig::JANSSON)
