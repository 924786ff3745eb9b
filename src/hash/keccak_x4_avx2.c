/*
 * Keccak-f[1600] on four states at once with AVX2: lane i of the four states is
 * one 256-bit vector. The round is the scalar one of keccak.c (theta, rho+pi,
 * chi, iota) written on vectors. Compiled with a target attribute, not a global
 * -mavx2, and called only when the CPU reports AVX2 (keccak_x4.c).
 */
#include "hash/hash_int.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

#define XOR(a, b) _mm256_xor_si256((a), (b))
#define ROL(x, r) _mm256_or_si256(_mm256_slli_epi64((x), (r)), _mm256_srli_epi64((x), 64 - (r)))
/* B[dst] = rotl(A[src] ^ D[x], r) */
#define RP(dst, src, x, r) b[dst] = ROL(XOR(a[src], d[x]), r)
#define CHI_ROW(y)                                                                   \
	do {                                                                         \
		a[5 * (y) + 0] = XOR(b[5 * (y) + 0], _mm256_andnot_si256(b[5 * (y) + 1], b[5 * (y) + 2])); \
		a[5 * (y) + 1] = XOR(b[5 * (y) + 1], _mm256_andnot_si256(b[5 * (y) + 2], b[5 * (y) + 3])); \
		a[5 * (y) + 2] = XOR(b[5 * (y) + 2], _mm256_andnot_si256(b[5 * (y) + 3], b[5 * (y) + 4])); \
		a[5 * (y) + 3] = XOR(b[5 * (y) + 3], _mm256_andnot_si256(b[5 * (y) + 4], b[5 * (y) + 0])); \
		a[5 * (y) + 4] = XOR(b[5 * (y) + 4], _mm256_andnot_si256(b[5 * (y) + 0], b[5 * (y) + 1])); \
	} while (0)

AVX2 void cctsa_keccak_x4_f1600_avx2(cctsa_keccak_x4 *st)
{
	__m256i a[25], b[25], c[5], d[5];

	for (unsigned i = 0; i < 25; i++) {
		a[i] = _mm256_loadu_si256((const __m256i *)(const void *)st->s[i]);
	}
	for (unsigned round = 0; round < 24; round++) {
		for (unsigned x = 0; x < 5; x++) {
			c[x] = XOR(XOR(XOR(a[x], a[x + 5]), XOR(a[x + 10], a[x + 15])), a[x + 20]);
		}
		for (unsigned x = 0; x < 5; x++) {
			d[x] = XOR(c[(x + 4) % 5], ROL(c[(x + 1) % 5], 1));
		}
		b[0] = XOR(a[0], d[0]);
		RP(16, 5, 0, 36);
		RP(7, 10, 0, 3);
		RP(23, 15, 0, 41);
		RP(14, 20, 0, 18);
		RP(10, 1, 1, 1);
		RP(1, 6, 1, 44);
		RP(17, 11, 1, 10);
		RP(8, 16, 1, 45);
		RP(24, 21, 1, 2);
		RP(20, 2, 2, 62);
		RP(11, 7, 2, 6);
		RP(2, 12, 2, 43);
		RP(18, 17, 2, 15);
		RP(9, 22, 2, 61);
		RP(5, 3, 3, 28);
		RP(21, 8, 3, 55);
		RP(12, 13, 3, 25);
		RP(3, 18, 3, 21);
		RP(19, 23, 3, 56);
		RP(15, 4, 4, 27);
		RP(6, 9, 4, 20);
		RP(22, 14, 4, 39);
		RP(13, 19, 4, 8);
		RP(4, 24, 4, 14);
		CHI_ROW(0);
		CHI_ROW(1);
		CHI_ROW(2);
		CHI_ROW(3);
		CHI_ROW(4);
		a[0] = XOR(a[0], _mm256_set1_epi64x((long long)cctsa_keccak_rc[round]));
	}
	for (unsigned i = 0; i < 25; i++) {
		_mm256_storeu_si256((__m256i *)(void *)st->s[i], a[i]);
	}
}

#else
/* Not x86-64: the dispatcher never calls the AVX2 path. */
void cctsa_keccak_x4_f1600_avx2(cctsa_keccak_x4 *st)
{
	cctsa_keccak_x4_f1600_portable(st);
}
#endif
