# der: everything is in tests/der_test.c (unit) and fuzz/der_fuzz.c (corpus replay).
