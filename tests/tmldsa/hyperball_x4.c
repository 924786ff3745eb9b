/*
 * The 4-way hyperball sampler (tm_hyperball_x4) against the one-way sampler
 * (tm_hyperball) on many seeds, stream indices and lane counts: the outputs must be
 * bit-identical doubles. Also tm_round_away against (int32_t)round() on every
 * sampled value and on the halfway points and their neighbours, and the unrolled
 * tm_unpack23 against a plain bit reader on random bytes. Built twice (tests/tmldsa.cmake): with the run-time
 * dispatch (AVX2 on this machine) and with CCTSA_NO_AVX2 (the portable 4-way path).
 *   CCTSA_TEST_ITERS: number of seeds (default 40).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hash/hash_int.h"
#include "tmldsa/tmldsa_int.h"

static double one[TM_DIM], four[4][TM_DIM];

static unsigned long rounded;

static void check_round(double v)
{
	CHECK(tm_round_away(v) == (int32_t)round(v));
	CHECK(tm_round_away(-v) == (int32_t)round(-v));
	rounded += 2;
}

/* Halfway points k + 0.5, their neighbouring doubles, and integers, up to 2^24. */
static void test_round_edges(void)
{
	check_round(0.0);
	check_round(DBL_MIN);
	check_round(0.49999999999999994);
	for (double k = 0; k < 16777216.0; k = k < 64 ? k + 1 : k * 1.37 + 1) {
		double h = floor(k) + 0.5;

		check_round(h);
		check_round(nextafter(h, 0.0));
		check_round(nextafter(h, INFINITY));
		check_round(floor(k));
		check_round(nextafter(floor(k), 0.0));
		check_round(nextafter(floor(k), INFINITY));
	}
}

/* Reference: coefficient i is bits 23 i .. 23 i + 22 of in, least significant first. */
static void test_unpack23(uint64_t seed)
{
	static uint8_t in[736];
	tm_poly p;

	for (unsigned it = 0; it < 200; it++) {
		for (unsigned b = 0; b < sizeof(in); b++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			in[b] = (uint8_t)(seed >> 56);
		}
		tm_unpack23(&p, in);
		for (unsigned i = 0; i < TM_NC; i++) {
			uint32_t v = 0;

			for (unsigned k = 0; k < 23; k++) {
				unsigned bit = 23 * i + k;

				v |= (uint32_t)((in[bit / 8] >> (bit % 8)) & 1) << k;
			}
			CHECK(p.c[i] == (int32_t)v);
		}
	}
	printf("tm_unpack23: 200 random polynomials match the bit reader\n");
}

static void check_seed_once(const uint8_t rho2[64], const unsigned j[4], unsigned n)
{
	double *xs[4] = { four[0], four[1], four[2], four[3] };

	for (unsigned s = 0; s < 4; s++) {
		for (unsigned t = 0; t < TM_DIM; t++) {
			four[s][t] = -1.0; /* lanes >= n must stay untouched */
		}
	}
	tm_hyperball_x4(xs, rho2, j, n);
	for (unsigned s = 0; s < 4; s++) {
		if (s < n) {
			tm_hyperball(one, rho2, j[s]);
			CHECK_MEMEQ(four[s], one, sizeof(one));
			for (unsigned t = 0; t < TM_DIM; t++) {
				check_round(one[t]);
			}
		} else {
			CHECK(four[s][0] == -1.0 && four[s][TM_DIM - 1] == -1.0);
		}
	}
}

int main(void)
{
	uint64_t seed = check_seed();
	unsigned long iters = check_iters(40);
	unsigned streams = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
#ifdef CCTSA_NO_AVX2
	CHECK(cctsa_keccak_x4_have_avx2() == 0);
#endif
	test_round_edges();
	test_unpack23(seed);
	for (unsigned long it = 0; it < iters; it++) {
		uint8_t rho2[64];
		unsigned j[4], n = (unsigned)(it % 4) + 1;

		for (unsigned b = 0; b < 64; b++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			rho2[b] = (uint8_t)(seed >> 56);
		}
		for (unsigned s = 0; s < 4; s++) {
			/* mostly protocol indices 0..61, sometimes > 255 (high byte of le16(j)) */
			j[s] = it % 5 == 4 ? (unsigned)(it * 4 + s) * 97 % 65536 : (unsigned)(it * 4 + s) % 62;
		}
		check_seed_once(rho2, j, n);
		streams += n;
	}
	printf("hyperball x4 (%s): %u streams bit-identical to the one-way sampler over %lu seeds\n",
	       cctsa_keccak_x4_have_avx2() ? "AVX2" : "portable", streams, iters);
	printf("tm_round_away: %lu values equal to (int32_t)round()\n", rounded);
	return 0;
}
