/*
 * Minimal test helpers (tests only). CHECK aborts with file:line and the
 * expression; CHECK_ERR asserts an exact error code; CHECK_MEMEQ prints a hex diff.
 * Random tests take their seed from CCTSA_TEST_SEED (printed) and their size
 * from CCTSA_TEST_ITERS. KATs are read from $CCTSA_TESTDATA (../shared/testdata).
 */
#ifndef CCTSA_TESTS_CHECK_H
#define CCTSA_TESTS_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cctsa/base.h"

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                      \
		}                                                                     \
	} while (0)

#define CHECK_ERR(call, code)                                                         \
	do {                                                                          \
		cctsa_err check_err_ = (call);                                        \
		if (check_err_ != (code)) {                                           \
			fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, \
				__LINE__, #call, cctsa_err_name(check_err_), cctsa_err_name(code)); \
			abort();                                                      \
		}                                                                     \
	} while (0)

#define CHECK_OK(call) CHECK_ERR(call, CCTSA_OK)

static inline void check_memeq_(const void *a, const void *b, size_t n, const char *ea,
				const char *eb, const char *file, int line)
{
	const uint8_t *pa = a, *pb = b;

	for (size_t i = 0; i < n; i++) {
		if (pa[i] != pb[i]) {
			fprintf(stderr, "%s:%d: %s != %s (%zu bytes), first difference at %zu:\n", file,
				line, ea, eb, n, i);
			for (size_t j = i; j < n && j < i + 16; j++) {
				fprintf(stderr, "  [%zu] %02x != %02x\n", j, pa[j], pb[j]);
			}
			abort();
		}
	}
}
#define CHECK_MEMEQ(a, b, n) check_memeq_((a), (b), (n), #a, #b, __FILE__, __LINE__)

/* Path under $CCTSA_TESTDATA; aborts (a test must not silently skip) if unset. */
static inline const char *check_testdata(char *out, size_t cap, const char *rel)
{
	const char *root = getenv("CCTSA_TESTDATA");

	if (root == NULL) {
		fprintf(stderr, "CCTSA_TESTDATA is not set (run through ctest)\n");
		abort();
	}
	snprintf(out, cap, "%s/%s", root, rel);
	return out;
}

/* Seed for random tests: CCTSA_TEST_SEED or the time; always printed. */
static inline uint64_t check_seed(void)
{
	const char *s = getenv("CCTSA_TEST_SEED");
	uint64_t seed;

	if (s != NULL) {
		seed = strtoull(s, NULL, 0);
	} else if (cctsa_rand_bytes((uint8_t *)&seed, sizeof(seed)) != CCTSA_OK) {
		abort();
	}
	fprintf(stderr, "CCTSA_TEST_SEED=%llu\n", (unsigned long long)seed);
	return seed;
}

static inline unsigned long check_iters(unsigned long dflt)
{
	const char *s = getenv("CCTSA_TEST_ITERS");
	return s != NULL ? strtoul(s, NULL, 0) : dflt;
}

/* xorshift64*: reproducible test randomness (never for keys). */
static inline uint64_t check_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif
