/*
 * The 4-way hyperball sampler (tm_hyperball_x4) against the one-way sampler
 * (tm_hyperball) on many seeds, stream indices and lane counts: the outputs must be
 * bit-identical doubles. Built twice (tests/tmldsa.cmake): with the run-time
 * dispatch (AVX2 on this machine) and with CCTSA_NO_AVX2 (the portable 4-way path).
 *   CCTSA_TEST_ITERS: number of seeds (default 40).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hash/hash_int.h"
#include "tmldsa/tmldsa_int.h"

static double one[TM_DIM], four[4][TM_DIM];

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
	return 0;
}
