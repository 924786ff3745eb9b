/*
 * ML-DSA internals (FIPS 204), shared with the threshold ML-DSA module (src/tmldsa).
 *
 * Arithmetic is on polynomials of Z_q[X]/(X^256 + 1), q = 8380417, coefficients
 * held as int32_t. Two domains matter:
 *  - the standard domain: the coefficient a stands for a mod q;
 *  - the NTT domain: the 256 evaluations, in the bit-reversed order of FIPS 204
 *    Alg. 41; the matrix A from ExpandA is already in this domain.
 * Montgomery factor R = 2^32 mod q. No value carried between functions is in
 * "Montgomery form" except where a function's contract says so: poly_ntt takes and
 * returns plain values, poly_pointwise_montgomery multiplies by R^-1 and
 * poly_invntt_tomont multiplies by R, so invntt_tomont(pointwise(ntt(a), ntt(b)))
 * is exactly a*b (mod q), with no leftover factor.
 *
 * Typical chain (as in KeyGen/Sign): y (standard, |y| < q) -> mldsa_poly_ntt -> |.| < 9q
 * -> mldsa_matrix_mul or mldsa_poly_pointwise_montgomery -> |.| < q (or <= 6283009)
 * -> mldsa_poly_invntt_tomont -> standard domain, |.| < q, exact product mod q ->
 * mldsa_poly_caddq -> [0, q) for Decompose/HighBits/MakeHint/Power2Round, or
 * mldsa_poly_reduce32 -> the centred representative when the true value is
 * known to be small (|v| < q/2 - q/4, e.g. c*s1, c*s2, c*t0), before norm checks.
 *
 * Coefficient ranges are stated as "in" (what the function needs) and "out"
 * (what it guarantees). "|a| < B" means every coefficient, as a signed int32.
 * Sums of shares mod q (threshold code): add with poly_add, then bring back with
 * poly_reduce32 (out |a| <= 6283009) or poly_freeze (out [0, q)) before any
 * function below whose "in" range would otherwise be exceeded.
 *
 * Functions marked "constant-time" are safe on secret inputs; "_var" or "public"
 * ones branch on their input. Nothing here allocates; nothing prints.
 */
#ifndef CCTSA_MLDSA_INT_H
#define CCTSA_MLDSA_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/hash.h"
#include "cctsa/mldsa.h"

#define MLDSA_N 256
#define MLDSA_Q 8380417
#define MLDSA_D 13
#define MLDSA_K_MAX 8
#define MLDSA_L_MAX 7
#define MLDSA_SEEDBYTES 32
#define MLDSA_CRHBYTES 64
#define MLDSA_CTILDE_MAX 64
#define MLDSA_T1_BYTES 320  /* one polynomial of t1, 10 bits per coefficient */
#define MLDSA_T0_BYTES 416  /* one polynomial of t0, 13 bits */
#define MLDSA_POLYZ_MAX 640 /* one polynomial of z, 20 bits (gamma1 = 2^19) */
#define MLDSA_W1_MAX 192    /* one polynomial of w1, 6 bits (ML-DSA-44) */
#define MLDSA_ETA_MAX 128   /* one polynomial of s1/s2, 4 bits (eta = 4) */

/* Parameter set (FIPS 204 Table 1) plus derived sizes. Immutable; from mldsa_params(). */
typedef struct {
	cctsa_mldsa_alg alg;
	unsigned k, l;       /* A is k x l */
	unsigned eta;        /* 2 or 4 */
	unsigned tau;        /* ones in c */
	unsigned beta;       /* tau * eta */
	unsigned omega;      /* max ones in h */
	int32_t gamma1;      /* 2^17 or 2^19 */
	int32_t gamma2;      /* (q-1)/88 or (q-1)/32 */
	unsigned ctilde_len; /* lambda/4 bytes */
	unsigned eta_bits;   /* 3 or 4 */
	unsigned z_bits;     /* 18 or 20 */
	unsigned w1_bits;    /* 6 or 4 */
	size_t pk_len, sk_len, sig_len;
	size_t polyeta_bytes, polyz_bytes, polyw1_bytes;
} mldsa_params;

/* NULL for an unknown alg. */
const mldsa_params *mldsa_params_get(cctsa_mldsa_alg alg);

typedef struct {
	int32_t c[MLDSA_N];
} mldsa_poly;
/* Vectors sized for the largest set; only the first k (or l) entries are used. */
typedef struct {
	mldsa_poly v[MLDSA_K_MAX];
} mldsa_polyveck;
typedef struct {
	mldsa_poly v[MLDSA_L_MAX];
} mldsa_polyvecl;
/* A in the NTT domain: row i = m[i], i < k, entries j < l. */
typedef struct {
	mldsa_polyvecl m[MLDSA_K_MAX];
} mldsa_matrix;

/* ---- scalar reductions (constant-time) ---- */
/* in |a| < 2^31 * q. out: a * R^-1 mod q, |out| < q. */
int32_t mldsa_montgomery_reduce(int64_t a);
/* in a <= 2^31 - 2^22 - 1. out: a mod q, -6283009 <= out <= 6283008. */
int32_t mldsa_reduce32(int32_t a);
/* in -q < a < q (any int32 with a >= -q works). out: a + q if a < 0, else a. */
int32_t mldsa_caddq(int32_t a);
/* in a <= 2^31 - 2^22 - 1. out: a mod q in [0, q). */
int32_t mldsa_freeze(int32_t a);

/* ---- polynomials (constant-time unless noted) ---- */
/* c = a + b, coefficient-wise, no reduction: caller keeps |a + b| in int32. */
void mldsa_poly_add(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b);
/* c = a - b, no reduction. */
void mldsa_poly_sub(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b);
/* Each coefficient through mldsa_reduce32 / mldsa_caddq / mldsa_freeze (same ranges). */
void mldsa_poly_reduce32(mldsa_poly *a);
void mldsa_poly_caddq(mldsa_poly *a);
void mldsa_poly_freeze(mldsa_poly *a);
/* a *= 2^d (t1 -> t1 * 2^13). in [0, 2^10). out [0, 2^23). */
void mldsa_poly_shiftl(mldsa_poly *a);
/*
 * Forward NTT in place (FIPS 204 Alg. 41, merged layers, Montgomery multiplication
 * by zetas held as zeta * R). in |a| < q (standard domain).
 * out: NTT domain, |a| < 9q (not reduced; no Montgomery factor).
 */
void mldsa_poly_ntt(mldsa_poly *a);
/*
 * Inverse NTT (Alg. 42) and multiplication by R. in: NTT domain, |a| < q.
 * out: standard domain, a_std * R mod q, |a| < q. Applied to the output of
 * mldsa_poly_pointwise_montgomery, the two factors cancel.
 */
void mldsa_poly_invntt_tomont(mldsa_poly *a);
/* c = a .* b * R^-1 (NTT domain). in |a_i * b_i| < 2^31 q (e.g. both < 9q). out |c| < q. */
void mldsa_poly_pointwise_montgomery(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b);
/*
 * The three functions above dispatch at run time: AVX2 (ntt_avx2.c) when the CPU
 * has it, else the portable code. Both give bit-identical results; these names
 * call one path directly (tests; the _avx2 ones only if mldsa_have_avx2()).
 * Building with -DCCTSA_NO_AVX2 makes mldsa_have_avx2() 0 (portable everywhere).
 */
int mldsa_have_avx2(void);
void mldsa_poly_ntt_portable(mldsa_poly *a);
void mldsa_poly_invntt_tomont_portable(mldsa_poly *a);
void mldsa_poly_pointwise_montgomery_portable(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b);
void mldsa_poly_ntt_avx2(mldsa_poly *a);
void mldsa_poly_invntt_tomont_avx2(mldsa_poly *a);
void mldsa_poly_pointwise_montgomery_avx2(mldsa_poly *c, const mldsa_poly *a, const mldsa_poly *b);
/* zetas[i] = 1753^BitRev8(i) * 2^32 mod q, centred ([0] unused). */
extern const int32_t mldsa_zetas[MLDSA_N];

/*
 * Power2Round (Alg. 35) per coefficient. in a in [0, q). out a1 in [0, 2^10),
 * a0 in (-2^12, 2^12] with a = a1 * 2^13 + a0.
 */
void mldsa_poly_power2round(mldsa_poly *a1, mldsa_poly *a0, const mldsa_poly *a);
/*
 * Decompose (Alg. 36) per coefficient, gamma2 = (q-1)/88 or (q-1)/32.
 * in a in [0, q). out a1 = HighBits in [0, (q-1)/(2 gamma2)), a0 = LowBits in
 * [-gamma2, gamma2] (a0 = -gamma2 only in the wrap-around case r - r0 = q - 1,
 * where FIPS 204 sets r1 = 0, r0 = r0 - 1).
 */
void mldsa_poly_decompose(mldsa_poly *a1, mldsa_poly *a0, const mldsa_poly *a, int32_t gamma2);
/* Scalar Decompose, same contract (for tests and the threshold code). */
void mldsa_decompose(int32_t *a1, int32_t *a0, int32_t a, int32_t gamma2);
/*
 * MakeHint (Alg. 39) per coefficient: h = 1 iff HighBits(r) != HighBits(r + z).
 * in z, r with r in [0, q), |z| < q. out h in {0,1}; returns the number of ones
 * (secret until the signature is released: the caller declassifies only the
 * comparison with omega).
 */
unsigned mldsa_poly_make_hint(mldsa_poly *h, const mldsa_poly *z, const mldsa_poly *r, int32_t gamma2);
/* UseHint (Alg. 40), public data. in r in [0, q), h in {0,1}. out [0, (q-1)/(2 gamma2)). */
void mldsa_poly_use_hint_var(mldsa_poly *out, const mldsa_poly *r, const mldsa_poly *h, int32_t gamma2);
/*
 * Infinity norm check, constant-time: returns 1 iff some |a_i| >= bound, else 0.
 * in |a| < 2^31 - 1 (any representative; the check uses the signed value as is,
 * so pass centred values, e.g. after mldsa_poly_reduce32). bound <= (q-1)/8.
 */
unsigned mldsa_poly_chknorm(const mldsa_poly *a, int32_t bound);

/* ---- sampling (FIPS 204 §7.3) ---- */
/*
 * RejNTTPoly for A[i][j] (Alg. 30 with Alg. 32's seed rho || j || i). Public.
 * out: NTT domain, [0, q).
 */
void mldsa_poly_uniform(mldsa_poly *a, const uint8_t rho[MLDSA_SEEDBYTES], uint8_t j, uint8_t i);
/* ExpandA (Alg. 32): the whole k x l matrix. out [0, q), NTT domain. */
void mldsa_expand_a(mldsa_matrix *a, const mldsa_params *p, const uint8_t rho[MLDSA_SEEDBYTES]);
/*
 * RejBoundedPoly (Alg. 31) on rho' || IntegerToBytes(nonce, 2). Secret output,
 * standard domain, [-eta, eta]. Branches only on whether a half-byte is rejected
 * (independent of the accepted values; see FIPS 204 §3.6.3 and the ctime notes).
 */
void mldsa_poly_uniform_eta(mldsa_poly *a, const uint8_t rhop[MLDSA_CRHBYTES], uint16_t nonce, unsigned eta);
/* ExpandS (Alg. 33): s1 uses nonces 0..l-1, s2 uses l..l+k-1. out [-eta, eta]. */
void mldsa_expand_s(mldsa_polyvecl *s1, mldsa_polyveck *s2, const mldsa_params *p,
		    const uint8_t rhop[MLDSA_CRHBYTES]);
/*
 * ExpandMask (Alg. 34) entry: y = BitUnpack(H(rho'' || IntegerToBytes(nonce, 2)),
 * gamma1 - 1, gamma1). Secret, constant-time. out (-gamma1, gamma1], standard domain.
 */
void mldsa_poly_uniform_gamma1(mldsa_poly *a, const uint8_t rhopp[MLDSA_CRHBYTES], uint16_t nonce,
			       const mldsa_params *p);
/* ExpandMask (Alg. 34): y[r] with nonce kappa + r, r < l. */
void mldsa_expand_mask(mldsa_polyvecl *y, const mldsa_params *p, const uint8_t rhopp[MLDSA_CRHBYTES],
		       uint16_t kappa);
/*
 * SampleInBall (Alg. 29) from the whole c~ (ctilde_len bytes). c~ is public once the
 * signature is released; inside signing it is a hash output and the branching on
 * it reveals nothing about the key. out: tau coefficients +-1, the rest 0.
 */
void mldsa_poly_challenge(mldsa_poly *c, const uint8_t *ctilde, const mldsa_params *p);

/* ---- vector helpers on the first p->k or p->l entries ---- */
void mldsa_polyvecl_ntt(mldsa_polyvecl *v, const mldsa_params *p);
void mldsa_polyveck_ntt(mldsa_polyveck *v, const mldsa_params *p);
void mldsa_polyveck_invntt_tomont(mldsa_polyveck *v, const mldsa_params *p);
/*
 * t = A * v in the NTT domain: t_i = sum_j A_ij .* v_j * R^-1, the products summed
 * exactly in 64 bits and reduced once (Montgomery, then reduce32).
 * in: A in [0, q) (ExpandA), v NTT domain with |v| < 9q (e.g. straight from
 * mldsa_poly_ntt). out: NTT domain, -6283009 <= t <= 6283008, carrying R^-1, so
 * mldsa_polyveck_invntt_tomont(t) gives A*v in the standard domain, |.| < q.
 */
void mldsa_matrix_mul(mldsa_polyveck *t, const mldsa_matrix *a, const mldsa_polyvecl *v,
		      const mldsa_params *p);

/*
 * t = A * v with A sampled from rho on the fly (four entries at a time), for
 * verification: same contract as mldsa_matrix_mul, public inputs only.
 */
void mldsa_matrix_mul_rho(mldsa_polyveck *t, const uint8_t rho[MLDSA_SEEDBYTES], const mldsa_polyvecl *v,
			  const mldsa_params *p);

/* ---- bit packing (FIPS 204 §7.1, §7.2) ---- */
/* SimpleBitPack(t1, 2^10 - 1). in [0, 2^10). */
void mldsa_pack_t1(uint8_t out[MLDSA_T1_BYTES], const mldsa_poly *t1);
void mldsa_unpack_t1(mldsa_poly *t1, const uint8_t in[MLDSA_T1_BYTES]);
/* BitPack(t0, 2^12 - 1, 2^12). in (-2^12, 2^12]. */
void mldsa_pack_t0(uint8_t out[MLDSA_T0_BYTES], const mldsa_poly *t0);
void mldsa_unpack_t0(mldsa_poly *t0, const uint8_t in[MLDSA_T0_BYTES]);
/* BitPack(s, eta, eta), p->polyeta_bytes. in [-eta, eta]. */
void mldsa_pack_eta(uint8_t *out, const mldsa_poly *s, const mldsa_params *p);
/*
 * BitUnpack(.., eta, eta). out eta - v for each field v; returns an all-ones mask if
 * some v > 2 eta (malformed key), 0 otherwise. Constant-time.
 */
uint32_t mldsa_unpack_eta(mldsa_poly *s, const uint8_t *in, const mldsa_params *p);
/* BitPack(z, gamma1 - 1, gamma1), p->polyz_bytes. in (-gamma1, gamma1]. */
void mldsa_pack_z(uint8_t *out, const mldsa_poly *z, const mldsa_params *p);
/* BitUnpack: out gamma1 - v, in [gamma1 - 2^z_bits + 1, gamma1] (every input is valid). */
void mldsa_unpack_z(mldsa_poly *z, const uint8_t *in, const mldsa_params *p);
/* w1Encode of one polynomial (SimpleBitPack, w1_bits), p->polyw1_bytes. in [0, 2^w1_bits). */
void mldsa_pack_w1(uint8_t *out, const mldsa_poly *w1, const mldsa_params *p);

/* ---- byte encodings (FIPS 204 §7.2) ---- */
/* pkEncode (Alg. 22). t1 entries in [0, 2^10). out p->pk_len bytes. */
void mldsa_pk_encode(uint8_t *pk, const mldsa_params *p, const uint8_t rho[MLDSA_SEEDBYTES],
		     const mldsa_polyveck *t1);
/* pkDecode (Alg. 23); pk is p->pk_len bytes (every such string decodes). */
void mldsa_pk_decode(uint8_t rho[MLDSA_SEEDBYTES], mldsa_polyveck *t1, const mldsa_params *p,
		     const uint8_t *pk);
/* skEncode (Alg. 24). out p->sk_len bytes. s1, s2 in [-eta, eta]; t0 in (-2^12, 2^12]. */
void mldsa_sk_encode(uint8_t *sk, const mldsa_params *p, const uint8_t rho[MLDSA_SEEDBYTES],
		     const uint8_t key[MLDSA_SEEDBYTES], const uint8_t tr[CCTSA_MLDSA_TR_LEN],
		     const mldsa_polyvecl *s1, const mldsa_polyveck *s2, const mldsa_polyveck *t0);
/*
 * skDecode (Alg. 25), constant-time. Returns an all-ones mask if an s1/s2 field is
 * out of range (FIPS 204 leaves this unchecked; we reject), 0 otherwise.
 */
uint32_t mldsa_sk_decode(uint8_t rho[MLDSA_SEEDBYTES], uint8_t key[MLDSA_SEEDBYTES],
			 uint8_t tr[CCTSA_MLDSA_TR_LEN], mldsa_polyvecl *s1, mldsa_polyveck *s2,
			 mldsa_polyveck *t0, const mldsa_params *p, const uint8_t *sk);
/*
 * sigEncode (Alg. 26). z in (-gamma1, gamma1] (centred), h in {0,1} with at most
 * omega ones in total. out p->sig_len bytes.
 */
void mldsa_sig_encode(uint8_t *sig, const mldsa_params *p, const uint8_t *ctilde,
		      const mldsa_polyvecl *z, const mldsa_polyveck *h);
/*
 * sigDecode (Alg. 27) with HintBitUnpack (Alg. 21), public data. Returns 0 on
 * success, -1 if the hint encoding is malformed (the "bottom" of FIPS 204).
 * sig is p->sig_len bytes. ctilde points into sig.
 */
int mldsa_sig_decode_var(const uint8_t **ctilde, mldsa_polyvecl *z, mldsa_polyveck *h,
			 const mldsa_params *p, const uint8_t *sig);

/*
 * The M' prefix of pure ML-DSA (0 || |ctx| || ctx) when ph == 0, or of HashML-DSA
 * (1 || |ctx| || ctx || DER OID of ph). Returns its length, or 0 if ctx_len > 255
 * or ph is unknown. out holds MLDSA_PREFIX_MAX bytes.
 */
#define MLDSA_PREFIX_MAX (2 + CCTSA_MLDSA_CTX_MAX + 11)
size_t mldsa_prefix(uint8_t out[MLDSA_PREFIX_MAX], int ph, const uint8_t *ctx, size_t ctx_len);

/* H(in, 64) helpers used for tr and mu. */
void mldsa_hash_tr(uint8_t tr[CCTSA_MLDSA_TR_LEN], const uint8_t *pk, size_t pk_len);

#endif
