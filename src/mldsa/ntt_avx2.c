/*
 * AVX2 NTT, inverse NTT and pointwise multiplication for ML-DSA, bit-identical
 * to the portable code in poly.c (same butterflies, same Montgomery reduction,
 * eight coefficients per vector), so tests compare the two exactly. Layers with
 * len >= 8 pair whole vectors; for len = 4, 2, 1 each group of 64 coefficients is
 * transposed (8 x 8) so that those butterflies also pair whole vectors, with a
 * per-lane zeta vector from the tables below (derived from mldsa_zetas). Compiled
 * with a target attribute and called only when the CPU has AVX2 (poly.c).
 */
#include "mldsa/mldsa_int.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))
#define MLDSA_QINV 58728449
#define MLDSA_F_MONT 41978

/*
 * Per group g of 64 coefficients (chunks c = 8g + r, lane r):
 * fwd[g] = zetas[32 + c], zetas[64 + 2c + k] (k = 0, 1), zetas[128 + 4c + k] (k = 0..3);
 * inv[g] = -zetas[255 - (4c + k)] (k = 0..3), -zetas[127 - (2c + k)] (k = 0, 1), -zetas[63 - c].
 */
static const int32_t ntt_avx2_fwd[4][56] __attribute__((aligned(32))) = {
	{
		2706023, 95776, 3077325, 3530437, -1661693, -3592148, -2537516, 3915439,
		-3930395, -3677745, -1452451, 2176455, -1257611, -4083598, -3190144, -3632928,
		-1528703, -3041255, 3475950, -1585221, 1939314, -1000202, -3157330, 126922,
		2091667, -3342478, 266997, -3520352, 900702, 495491, -655327, -3556995,
		3407706, 2244091, 2434439, -3759364, 1859098, -1613174, -3122442, -525098,
		2316500, -2446433, -1235728, -1197226, 909542, -43260, 2031748, -768622,
		3817976, -3562462, 3513181, -3193378, 819034, -522500, 3207046, -3595838,
	},
	{
		-3861115, -3043716, 3574422, -2867647, 3539968, -300467, 2348700, -539299,
		3412210, 2147896, -2967645, -411027, -671102, -22981, -381987, 1852771,
		-983419, 2715295, -3693493, -2477047, -1228525, -1308169, 1349076, -1430430,
		342297, 3437287, 2842341, 4055324, -3767016, -2994039, -1333058, -451100,
		286988, -3342277, 2691481, 1247620, 1250494, 1869119, 1237275, 1312455,
		-2437823, 1735879, -2590150, 2486353, 2635921, 1903435, -3318210, 3306115,
		4108315, 203044, 1265009, 1595974, -3548272, -1050970, -1430225, -1962642,
	},
	{
		-1699267, -1643818, 3505694, -3821735, 3507263, -2140649, -1600420, 3699596,
		-3343383, 508951, 44288, 904516, -3724342, 1653064, 2389356, 759969,
		264944, 3097992, -1100098, 3958618, -8578, -3249728, -210977, -1316856,
		-1279661, 1500165, -542412, -2584293, -2013608, 1957272, -3183426, 810149,
		1917081, 777191, -2831860, -3724270, 2432395, 3369112, 162844, 1652634,
		-2546312, 2235880, -1671176, 594136, 2454455, 185531, 1616392, -3694233,
		-1374803, 3406031, -1846953, -3776993, -164721, -1207385, 3014001, -1799107,
	},
	{
		811944, 531354, 954230, 3881043, 3900724, -2556880, 2071892, -2797779,
		189548, 3159746, -2409325, 1315589, 1285669, -812732, -3019102, -3628969,
		-3553272, -1851402, -177440, 1341330, -1584928, -1439742, -3881060, 3839961,
		-3038916, 2213111, -426683, -1667432, -2939036, 183443, -554416, 3937738,
		3523897, -975884, 1723600, -1104333, -2235985, -976891, 3919660, 1400424,
		3866901, 1717735, -1803090, -260646, -420899, 1612842, -48306, -846154,
		269760, 472078, 1910376, -3833893, -2286327, -3545687, -1362209, 1976782,
	},
};
static const int32_t ntt_avx2_inv[4][56] __attribute__((aligned(32))) = {
	{
		-1976782, 1362209, 3545687, 2286327, 3833893, -1910376, -472078, -269760,
		846154, 48306, -1612842, 420899, 260646, 1803090, -1717735, -3866901,
		-1400424, -3919660, 976891, 2235985, 1104333, -1723600, 975884, -3523897,
		-3937738, 554416, -183443, 2939036, 1667432, 426683, -2213111, 3038916,
		-3839961, 3881060, 1439742, 1584928, -1341330, 177440, 1851402, 3553272,
		3628969, 3019102, 812732, -1285669, -1315589, 2409325, -3159746, -189548,
		2797779, -2071892, 2556880, -3900724, -3881043, -954230, -531354, -811944,
	},
	{
		1799107, -3014001, 1207385, 164721, 3776993, 1846953, -3406031, 1374803,
		3694233, -1616392, -185531, -2454455, -594136, 1671176, -2235880, 2546312,
		-1652634, -162844, -3369112, -2432395, 3724270, 2831860, -777191, -1917081,
		-810149, 3183426, -1957272, 2013608, 2584293, 542412, -1500165, 1279661,
		1316856, 210977, 3249728, 8578, -3958618, 1100098, -3097992, -264944,
		-759969, -2389356, -1653064, 3724342, -904516, -44288, -508951, 3343383,
		-3699596, 1600420, 2140649, -3507263, 3821735, -3505694, 1643818, 1699267,
	},
	{
		1962642, 1430225, 1050970, 3548272, -1595974, -1265009, -203044, -4108315,
		-3306115, 3318210, -1903435, -2635921, -2486353, 2590150, -1735879, 2437823,
		-1312455, -1237275, -1869119, -1250494, -1247620, -2691481, 3342277, -286988,
		451100, 1333058, 2994039, 3767016, -4055324, -2842341, -3437287, -342297,
		1430430, -1349076, 1308169, 1228525, 2477047, 3693493, -2715295, 983419,
		-1852771, 381987, 22981, 671102, 411027, 2967645, -2147896, -3412210,
		539299, -2348700, 300467, -3539968, 2867647, -3574422, 3043716, 3861115,
	},
	{
		3595838, -3207046, 522500, -819034, 3193378, -3513181, 3562462, -3817976,
		768622, -2031748, 43260, -909542, 1197226, 1235728, 2446433, -2316500,
		525098, 3122442, 1613174, -1859098, 3759364, -2434439, -2244091, -3407706,
		3556995, 655327, -495491, -900702, 3520352, -266997, 3342478, -2091667,
		-126922, 3157330, 1000202, -1939314, 1585221, -3475950, 3041255, 1528703,
		3632928, 3190144, 4083598, 1257611, -2176455, 1452451, 3677745, 3930395,
		-3915439, 2537516, 3592148, 1661693, -3530437, -3077325, -95776, -2706023,
	},
};

/* a * b * 2^-32 mod q per lane, exactly mldsa_montgomery_reduce((int64_t)a * b). */
static inline AVX2 __m256i montmul(__m256i a, __m256i b)
{
	const __m256i qinv = _mm256_set1_epi32(MLDSA_QINV), q = _mm256_set1_epi32(MLDSA_Q);
	__m256i pe = _mm256_mul_epi32(a, b);
	__m256i po = _mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32));
	__m256i te = _mm256_mul_epi32(_mm256_mul_epi32(pe, qinv), q);
	__m256i to = _mm256_mul_epi32(_mm256_mul_epi32(po, qinv), q);

	pe = _mm256_srli_epi64(_mm256_sub_epi64(pe, te), 32);
	po = _mm256_sub_epi64(po, to);
	return _mm256_blend_epi32(pe, po, 0xaa);
}

/* Cooley-Tukey: (x, y) -> (x + z y, x - z y). */
#define CT(x, y, z)                                    \
	do {                                           \
		__m256i t_ = montmul((y), (z));        \
		(y) = _mm256_sub_epi32((x), t_);       \
		(x) = _mm256_add_epi32((x), t_);       \
	} while (0)
/* Gentleman-Sande: (x, y) -> (x + y, z (x - y)). */
#define GS(x, y, z)                                               \
	do {                                                      \
		__m256i t_ = (x);                                 \
		(x) = _mm256_add_epi32(t_, (y));                  \
		(y) = montmul(_mm256_sub_epi32(t_, (y)), (z));    \
	} while (0)

static inline AVX2 void transpose8(__m256i v[8])
{
	__m256i t[8], u[8];

	for (unsigned i = 0; i < 4; i++) {
		t[2 * i] = _mm256_unpacklo_epi32(v[2 * i], v[2 * i + 1]);
		t[2 * i + 1] = _mm256_unpackhi_epi32(v[2 * i], v[2 * i + 1]);
	}
	for (unsigned h = 0; h < 2; h++) {
		u[4 * h + 0] = _mm256_unpacklo_epi64(t[4 * h + 0], t[4 * h + 2]);
		u[4 * h + 1] = _mm256_unpackhi_epi64(t[4 * h + 0], t[4 * h + 2]);
		u[4 * h + 2] = _mm256_unpacklo_epi64(t[4 * h + 1], t[4 * h + 3]);
		u[4 * h + 3] = _mm256_unpackhi_epi64(t[4 * h + 1], t[4 * h + 3]);
	}
	for (unsigned i = 0; i < 4; i++) {
		v[i] = _mm256_permute2x128_si256(u[i], u[4 + i], 0x20);
		v[4 + i] = _mm256_permute2x128_si256(u[i], u[4 + i], 0x31);
	}
}

static inline AVX2 __m256i load8(const int32_t *p)
{
	return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

static inline AVX2 void store8(int32_t *p, __m256i v)
{
	_mm256_storeu_si256((__m256i *)(void *)p, v);
}

AVX2 void mldsa_poly_ntt_avx2(mldsa_poly *p)
{
	int32_t *a = p->c;
	unsigned m = 0;

	for (unsigned len = 128; len >= 8; len >>= 1) {
		for (unsigned start = 0; start < MLDSA_N; start += 2 * len) {
			__m256i z = _mm256_set1_epi32(mldsa_zetas[++m]);
			for (unsigned j = start; j < start + len; j += 8) {
				__m256i x = load8(a + j), y = load8(a + j + len);
				CT(x, y, z);
				store8(a + j, x);
				store8(a + j + len, y);
			}
		}
	}
	for (unsigned g = 0; g < 4; g++) {
		const int32_t *zt = ntt_avx2_fwd[g];
		__m256i v[8];
		for (unsigned r = 0; r < 8; r++) {
			v[r] = load8(a + 64 * g + 8 * r);
		}
		transpose8(v);
		for (unsigned c = 0; c < 4; c++) {
			CT(v[c], v[c + 4], load8(zt));
		}
		CT(v[0], v[2], load8(zt + 8));
		CT(v[1], v[3], load8(zt + 8));
		CT(v[4], v[6], load8(zt + 16));
		CT(v[5], v[7], load8(zt + 16));
		for (unsigned k = 0; k < 4; k++) {
			CT(v[2 * k], v[2 * k + 1], load8(zt + 24 + 8 * k));
		}
		transpose8(v);
		for (unsigned r = 0; r < 8; r++) {
			store8(a + 64 * g + 8 * r, v[r]);
		}
	}
}

AVX2 void mldsa_poly_invntt_tomont_avx2(mldsa_poly *p)
{
	int32_t *a = p->c;
	unsigned m = 32;

	for (unsigned g = 0; g < 4; g++) {
		const int32_t *zt = ntt_avx2_inv[g];
		__m256i v[8];
		for (unsigned r = 0; r < 8; r++) {
			v[r] = load8(a + 64 * g + 8 * r);
		}
		transpose8(v);
		for (unsigned k = 0; k < 4; k++) {
			GS(v[2 * k], v[2 * k + 1], load8(zt + 8 * k));
		}
		GS(v[0], v[2], load8(zt + 32));
		GS(v[1], v[3], load8(zt + 32));
		GS(v[4], v[6], load8(zt + 40));
		GS(v[5], v[7], load8(zt + 40));
		for (unsigned c = 0; c < 4; c++) {
			GS(v[c], v[c + 4], load8(zt + 48));
		}
		transpose8(v);
		for (unsigned r = 0; r < 8; r++) {
			store8(a + 64 * g + 8 * r, v[r]);
		}
	}
	for (unsigned len = 8; len < MLDSA_N; len <<= 1) {
		for (unsigned start = 0; start < MLDSA_N; start += 2 * len) {
			__m256i z = _mm256_set1_epi32(-mldsa_zetas[--m]);
			for (unsigned j = start; j < start + len; j += 8) {
				__m256i x = load8(a + j), y = load8(a + j + len);
				GS(x, y, z);
				store8(a + j, x);
				store8(a + j + len, y);
			}
		}
	}
	for (unsigned j = 0; j < MLDSA_N; j += 8) {
		store8(a + j, montmul(load8(a + j), _mm256_set1_epi32(MLDSA_F_MONT)));
	}
}

AVX2 void mldsa_poly_pointwise_montgomery_avx2(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b)
{
	for (unsigned j = 0; j < MLDSA_N; j += 8) {
		store8(c->c + j, montmul(load8(a->c + j), load8(b->c + j)));
	}
}

#else
/* Not x86-64: never called (poly.c dispatches on the CPU), kept for the linker. */
void mldsa_poly_ntt_avx2(mldsa_poly *p)
{
	mldsa_poly_ntt_portable(p);
}

void mldsa_poly_invntt_tomont_avx2(mldsa_poly *p)
{
	mldsa_poly_invntt_tomont_portable(p);
}

void mldsa_poly_pointwise_montgomery_avx2(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b)
{
	mldsa_poly_pointwise_montgomery_portable(c, a, b);
}
#endif
