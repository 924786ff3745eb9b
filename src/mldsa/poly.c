/*
 * ML-DSA polynomial arithmetic: reductions, NTT and inverse NTT (FIPS 204 §7.5),
 * Power2Round, Decompose, hints (§7.4) and norm checks. Contracts and coefficient
 * ranges in mldsa_int.h. Everything here is constant-time except the _var functions.
 */
#include "mldsa/mldsa_int.h"

#include "base/ct.h"

#define MLDSA_QINV 58728449 /* q^-1 mod 2^32 */
#define MLDSA_F_MONT 41978  /* R^2 / 256 mod q: scales by 256^-1 and adds one factor R */

/*
 * zetas[i] = 1753^BitRev8(i) * R mod q, centred (FIPS 204 Appendix B lists the
 * plain powers; here each carries the Montgomery factor R = 2^32). [0] is unused.
 */
const int32_t mldsa_zetas[MLDSA_N] = {
	-4186625, 25847, -2608894, -518909, 237124, -777960, -876248, 466468,
	1826347, 2353451, -359251, -2091905, 3119733, -2884855, 3111497, 2680103,
	2725464, 1024112, -1079900, 3585928, -549488, -1119584, 2619752, -2108549,
	-2118186, -3859737, -1399561, -3277672, 1757237, -19422, 4010497, 280005,
	2706023, 95776, 3077325, 3530437, -1661693, -3592148, -2537516, 3915439,
	-3861115, -3043716, 3574422, -2867647, 3539968, -300467, 2348700, -539299,
	-1699267, -1643818, 3505694, -3821735, 3507263, -2140649, -1600420, 3699596,
	811944, 531354, 954230, 3881043, 3900724, -2556880, 2071892, -2797779,
	-3930395, -1528703, -3677745, -3041255, -1452451, 3475950, 2176455, -1585221,
	-1257611, 1939314, -4083598, -1000202, -3190144, -3157330, -3632928, 126922,
	3412210, -983419, 2147896, 2715295, -2967645, -3693493, -411027, -2477047,
	-671102, -1228525, -22981, -1308169, -381987, 1349076, 1852771, -1430430,
	-3343383, 264944, 508951, 3097992, 44288, -1100098, 904516, 3958618,
	-3724342, -8578, 1653064, -3249728, 2389356, -210977, 759969, -1316856,
	189548, -3553272, 3159746, -1851402, -2409325, -177440, 1315589, 1341330,
	1285669, -1584928, -812732, -1439742, -3019102, -3881060, -3628969, 3839961,
	2091667, 3407706, 2316500, 3817976, -3342478, 2244091, -2446433, -3562462,
	266997, 2434439, -1235728, 3513181, -3520352, -3759364, -1197226, -3193378,
	900702, 1859098, 909542, 819034, 495491, -1613174, -43260, -522500,
	-655327, -3122442, 2031748, 3207046, -3556995, -525098, -768622, -3595838,
	342297, 286988, -2437823, 4108315, 3437287, -3342277, 1735879, 203044,
	2842341, 2691481, -2590150, 1265009, 4055324, 1247620, 2486353, 1595974,
	-3767016, 1250494, 2635921, -3548272, -2994039, 1869119, 1903435, -1050970,
	-1333058, 1237275, -3318210, -1430225, -451100, 1312455, 3306115, -1962642,
	-1279661, 1917081, -2546312, -1374803, 1500165, 777191, 2235880, 3406031,
	-542412, -2831860, -1671176, -1846953, -2584293, -3724270, 594136, -3776993,
	-2013608, 2432395, 2454455, -164721, 1957272, 3369112, 185531, -1207385,
	-3183426, 162844, 1616392, 3014001, 810149, 1652634, -3694233, -1799107,
	-3038916, 3523897, 3866901, 269760, 2213111, -975884, 1717735, 472078,
	-426683, 1723600, -1803090, 1910376, -1667432, -1104333, -260646, -3833893,
	-2939036, -2235985, -420899, -2286327, 183443, -976891, 1612842, -3545687,
	-554416, 3919660, -48306, -1362209, 3937738, 1400424, -846154, 1976782,
};

int32_t mldsa_montgomery_reduce(int64_t a)
{
	int32_t t = (int32_t)(uint32_t)((uint64_t)a * (uint64_t)MLDSA_QINV);

	return (int32_t)((a - (int64_t)t * MLDSA_Q) >> 32);
}

int32_t mldsa_reduce32(int32_t a)
{
	int32_t t = (a + (1 << 22)) >> 23;

	return a - t * MLDSA_Q;
}

int32_t mldsa_caddq(int32_t a)
{
	return a + ((a >> 31) & MLDSA_Q);
}

int32_t mldsa_freeze(int32_t a)
{
	return mldsa_caddq(mldsa_reduce32(a));
}

void mldsa_poly_add(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b)
{
	for (unsigned i = 0; i < MLDSA_N; i++) {
		c->c[i] = a->c[i] + b->c[i];
	}
}

void mldsa_poly_sub(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b)
{
	for (unsigned i = 0; i < MLDSA_N; i++) {
		c->c[i] = a->c[i] - b->c[i];
	}
}

void mldsa_poly_reduce32(mldsa_poly *a)
{
	for (unsigned i = 0; i < MLDSA_N; i++) {
		a->c[i] = mldsa_reduce32(a->c[i]);
	}
}

void mldsa_poly_caddq(mldsa_poly *a)
{
	for (unsigned i = 0; i < MLDSA_N; i++) {
		a->c[i] = mldsa_caddq(a->c[i]);
	}
}

void mldsa_poly_freeze(mldsa_poly *a)
{
	for (unsigned i = 0; i < MLDSA_N; i++) {
		a->c[i] = mldsa_freeze(a->c[i]);
	}
}

void mldsa_poly_shiftl(mldsa_poly *a)
{
	for (unsigned i = 0; i < MLDSA_N; i++) {
		a->c[i] = (int32_t)((uint32_t)a->c[i] << MLDSA_D);
	}
}

/* Cooley-Tukey butterflies, layers len = 128 .. 1 (FIPS 204 Alg. 41). */
void mldsa_poly_ntt_portable(mldsa_poly *p)
{
	int32_t *a = p->c;
	unsigned m = 0;

	for (unsigned len = 128; len > 0; len >>= 1) {
		for (unsigned start = 0; start < MLDSA_N; start += 2 * len) {
			int64_t zeta = mldsa_zetas[++m];
			for (unsigned j = start; j < start + len; j++) {
				int32_t t = mldsa_montgomery_reduce(zeta * a[j + len]);
				a[j + len] = a[j] - t;
				a[j] = a[j] + t;
			}
		}
	}
}

/* Gentleman-Sande butterflies, layers len = 1 .. 128 (Alg. 42), then * 256^-1 * R. */
void mldsa_poly_invntt_tomont_portable(mldsa_poly *p)
{
	int32_t *a = p->c;
	unsigned m = MLDSA_N;

	for (unsigned len = 1; len < MLDSA_N; len <<= 1) {
		for (unsigned start = 0; start < MLDSA_N; start += 2 * len) {
			int64_t zeta = -(int64_t)mldsa_zetas[--m];
			for (unsigned j = start; j < start + len; j++) {
				int32_t t = a[j];
				a[j] = t + a[j + len];
				a[j + len] = mldsa_montgomery_reduce(zeta * (t - a[j + len]));
			}
		}
	}
	for (unsigned j = 0; j < MLDSA_N; j++) {
		a[j] = mldsa_montgomery_reduce((int64_t)MLDSA_F_MONT * a[j]);
	}
}

void mldsa_poly_pointwise_montgomery_portable(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b)
{
	for (unsigned i = 0; i < MLDSA_N; i++) {
		c->c[i] = mldsa_montgomery_reduce((int64_t)a->c[i] * b->c[i]);
	}
}

int mldsa_have_avx2(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(CCTSA_NO_AVX2)
	return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
	return 0;
#endif
}

void mldsa_poly_ntt(mldsa_poly *a)
{
	if (mldsa_have_avx2()) {
		mldsa_poly_ntt_avx2(a);
	} else {
		mldsa_poly_ntt_portable(a);
	}
}

void mldsa_poly_invntt_tomont(mldsa_poly *a)
{
	if (mldsa_have_avx2()) {
		mldsa_poly_invntt_tomont_avx2(a);
	} else {
		mldsa_poly_invntt_tomont_portable(a);
	}
}

void mldsa_poly_pointwise_montgomery(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b)
{
	if (mldsa_have_avx2()) {
		mldsa_poly_pointwise_montgomery_avx2(c, a, b);
	} else {
		mldsa_poly_pointwise_montgomery_portable(c, a, b);
	}
}

void mldsa_poly_power2round(mldsa_poly *a1, mldsa_poly *a0, const mldsa_poly *a)
{
	for (unsigned i = 0; i < MLDSA_N; i++) {
		int32_t r = a->c[i];
		int32_t r1 = (r + (1 << (MLDSA_D - 1)) - 1) >> MLDSA_D;
		a1->c[i] = r1;
		a0->c[i] = r - (r1 << MLDSA_D);
	}
}

/*
 * r1 = floor((r + alpha/2 - 1) / alpha) computed as a multiply-shift with
 * M = ceil(2^48 / alpha) (exact for every r in [0, q); checked exhaustively in
 * tests/mldsa_test.c), r0 = r - r1 * alpha, then the wrap-around of Alg. 36.
 */
void mldsa_decompose(int32_t *a1, int32_t *a0, int32_t a, int32_t gamma2)
{
	const int32_t alpha = 2 * gamma2;
	const uint64_t m = ((uint64_t)1 << 48) / (uint64_t)alpha + 1;
	const uint32_t top = (uint32_t)((MLDSA_Q - 1) / alpha);
	uint64_t x = (uint64_t)(uint32_t)(a + gamma2 - 1);
	uint32_t r1 = (uint32_t)((x * m) >> 48);
	int32_t r0 = a - (int32_t)r1 * alpha;
	uint32_t wrap = cctsa_ct_eq_u32(r1, top);

	*a1 = (int32_t)(r1 & ~wrap);
	*a0 = r0 - (int32_t)(wrap & 1);
}

void mldsa_poly_decompose(mldsa_poly *a1, mldsa_poly *a0, const mldsa_poly *a, int32_t gamma2)
{
	for (unsigned i = 0; i < MLDSA_N; i++) {
		mldsa_decompose(&a1->c[i], &a0->c[i], a->c[i], gamma2);
	}
}

/* (a + b) mod q for a in [0, q), |b| < q, constant-time. */
static int32_t add_mod_q(int32_t a, int32_t b)
{
	int32_t s = a + b;

	s += (s >> 31) & MLDSA_Q;
	s -= MLDSA_Q;
	s += (s >> 31) & MLDSA_Q;
	return s;
}

unsigned mldsa_poly_make_hint(mldsa_poly *h, const mldsa_poly *z, const mldsa_poly *r, int32_t gamma2)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MLDSA_N; i++) {
		int32_t r1, v1, t0;
		mldsa_decompose(&r1, &t0, r->c[i], gamma2);
		mldsa_decompose(&v1, &t0, add_mod_q(r->c[i], z->c[i]), gamma2);
		h->c[i] = (int32_t)(1 & ~cctsa_ct_eq_u32((uint32_t)r1, (uint32_t)v1));
		n += (unsigned)h->c[i];
	}
	return n;
}

void mldsa_poly_use_hint_var(mldsa_poly *out, const mldsa_poly *r, const mldsa_poly *h, int32_t gamma2)
{
	const int32_t m = (MLDSA_Q - 1) / (2 * gamma2);

	for (unsigned i = 0; i < MLDSA_N; i++) {
		int32_t r1, r0;
		mldsa_decompose(&r1, &r0, r->c[i], gamma2);
		if (h->c[i] != 0) {
			if (r0 > 0) {
				r1 = (r1 + 1 == m) ? 0 : r1 + 1;
			} else {
				r1 = (r1 == 0) ? m - 1 : r1 - 1;
			}
		}
		out->c[i] = r1;
	}
}

unsigned mldsa_poly_chknorm(const mldsa_poly *a, int32_t bound)
{
	uint32_t bad = 0;

	for (unsigned i = 0; i < MLDSA_N; i++) {
		int32_t v = a->c[i];
		int32_t s = v >> 31;
		int32_t abs = (v ^ s) - s;
		bad |= (uint32_t)(bound - 1 - abs) >> 31;
	}
	return bad;
}
