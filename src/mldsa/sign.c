/*
 * ML-DSA signing: Sign_internal (FIPS 204 Alg. 7) with external mu, and the
 * wrappers for M' and for pure ML-DSA with a context (Alg. 2). Constant-time in
 * the private key and rnd; the only values declassified are the ones FIPS 204
 * makes public or that are hash outputs carrying nothing usable (each marked).
 */
#include <string.h>

#include "base/ct.h"
#include "mldsa/mldsa_key.h"

/* Every secret intermediate of one signature, wiped before return. */
typedef struct {
	uint8_t rhopp[MLDSA_CRHBYTES];
	uint8_t ctilde[MLDSA_CTILDE_MAX];
	uint8_t w1buf[MLDSA_W1_MAX];
	mldsa_polyvecl y, z;
	mldsa_polyveck w, w1, w0, h;
	mldsa_poly c, t;
	cctsa_keccak hash;
} sign_work;

/* Kappa stays below 2^16 (IntegerToBytes(kappa + r, 2)); reaching this is ~impossible. */
#define MLDSA_KAPPA_LIMIT (65536u - MLDSA_L_MAX)

/* w = A*y, w1 = HighBits(w), w0 = LowBits(w), c~ = H(mu || w1Encode(w1)). */
static void sign_commit(sign_work *s, const cctsa_mldsa_key *key, const uint8_t mu[CCTSA_MLDSA_MU_LEN],
			uint16_t kappa)
{
	const mldsa_params *p = key->p;

	mldsa_expand_mask(&s->y, p, s->rhopp, kappa);
	s->z = s->y;
	mldsa_polyvecl_ntt(&s->z, p);
	mldsa_matrix_mul(&s->w, &key->a, &s->z, p);
	mldsa_polyveck_invntt_tomont(&s->w, p);
	cctsa_shake256_init(&s->hash);
	cctsa_keccak_absorb(&s->hash, mu, CCTSA_MLDSA_MU_LEN);
	for (unsigned i = 0; i < p->k; i++) {
		mldsa_poly_caddq(&s->w.v[i]);
		mldsa_poly_decompose(&s->w1.v[i], &s->w0.v[i], &s->w.v[i], p->gamma2);
		mldsa_pack_w1(s->w1buf, &s->w1.v[i], p);
		cctsa_keccak_absorb(&s->hash, s->w1buf, p->polyw1_bytes);
	}
	cctsa_shake_squeeze(&s->hash, s->ctilde, p->ctilde_len);
	/*
	 * c~ is a hash of mu and w1: released in the signature when this attempt is
	 * accepted, and a one-way image of w1 when it is not, so SampleInBall may
	 * branch on it (the same reasoning as FIPS 204 §3.6.3 for rejected attempts).
	 */
	CCTSA_PUBLIC(s->ctilde, p->ctilde_len);
	mldsa_poly_challenge(&s->c, s->ctilde, p);
	mldsa_poly_ntt(&s->c);
}

/* out = NTT^-1(c^ .* v^), centred (the true value is small: |c*s| <= beta, |c*t0| < 2^12 tau). */
static void mul_c(mldsa_poly *out, const mldsa_poly *chat, const mldsa_poly *vhat)
{
	mldsa_poly_pointwise_montgomery(out, chat, vhat);
	mldsa_poly_invntt_tomont(out);
	mldsa_poly_reduce32(out);
}

/*
 * Lines 17-28 of Alg. 7 for the current c: z = y + c s1 and its norm check, then
 * r0 = LowBits(w - c s2) and its check, then h = MakeHint(-c t0, w - c s2 + c t0)
 * and the last checks. Returns 1 to reject, 0 to accept. Each of the three
 * rejection decisions is public (FIPS 204 §3.6.3: a rejected attempt reveals
 * nothing about the key, and whether an attempt was rejected shows in the
 * signing time anyway), so later steps are skipped once one check fails.
 */
static unsigned sign_respond(sign_work *s, const cctsa_mldsa_key *key)
{
	const mldsa_params *p = key->p;
	uint32_t reject = 0, hints = 0;

	for (unsigned i = 0; i < p->l; i++) {
		mul_c(&s->t, &s->c, &key->s1hat.v[i]);
		mldsa_poly_add(&s->z.v[i], &s->y.v[i], &s->t);
		reject |= mldsa_poly_chknorm(&s->z.v[i], p->gamma1 - (int32_t)p->beta);
	}
	CCTSA_PUBLIC(&reject, sizeof(reject)); /* rejection decision, see above */
	if (reject != 0) {
		return 1;
	}
	for (unsigned i = 0; i < p->k; i++) {
		mul_c(&s->t, &s->c, &key->s2hat.v[i]);
		mldsa_poly_sub(&s->w.v[i], &s->w.v[i], &s->t); /* w - c s2 */
		mldsa_poly_freeze(&s->w.v[i]);
		mldsa_poly_decompose(&s->w1.v[i], &s->w0.v[i], &s->w.v[i], p->gamma2);
		reject |= mldsa_poly_chknorm(&s->w0.v[i], p->gamma2 - (int32_t)p->beta);
	}
	CCTSA_PUBLIC(&reject, sizeof(reject)); /* rejection decision, see above */
	if (reject != 0) {
		return 1;
	}
	for (unsigned i = 0; i < p->k; i++) {
		mul_c(&s->t, &s->c, &key->t0hat.v[i]);
		reject |= mldsa_poly_chknorm(&s->t, p->gamma2);
		mldsa_poly_add(&s->w.v[i], &s->w.v[i], &s->t); /* w - c s2 + c t0 */
		mldsa_poly_freeze(&s->w.v[i]);
		for (unsigned n = 0; n < MLDSA_N; n++) {
			s->t.c[n] = -s->t.c[n];
		}
		hints += mldsa_poly_make_hint(&s->h.v[i], &s->t, &s->w.v[i], p->gamma2);
	}
	reject |= cctsa_ct_lt_u32(p->omega, hints) & 1; /* more than omega hints */
	CCTSA_PUBLIC(&reject, sizeof(reject)); /* rejection decision, see above */
	return reject;
}

cctsa_err cctsa_mldsa_sign_mu(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len,
			      const uint8_t mu[static CCTSA_MLDSA_MU_LEN],
			      const uint8_t rnd[static CCTSA_MLDSA_RND_LEN])
{
	const mldsa_params *p = key->p;
	cctsa_err err = CCTSA_OK;
	sign_work s;
	unsigned kappa = 0;

	if (sig_len != p->sig_len) {
		memset(sig, 0, sig_len);
		return CCTSA_E_USAGE;
	}
	/* rho'' = H(K || rnd || mu, 64) */
	cctsa_shake256_init(&s.hash);
	cctsa_keccak_absorb(&s.hash, key->k, MLDSA_SEEDBYTES);
	cctsa_keccak_absorb(&s.hash, rnd, CCTSA_MLDSA_RND_LEN);
	cctsa_keccak_absorb(&s.hash, mu, CCTSA_MLDSA_MU_LEN);
	cctsa_shake_squeeze(&s.hash, s.rhopp, MLDSA_CRHBYTES);
	for (;;) {
		if (kappa > MLDSA_KAPPA_LIMIT) {
			err = CCTSA_E_INTERNAL;
			memset(sig, 0, sig_len);
			break;
		}
		sign_commit(&s, key, mu, (uint16_t)kappa);
		kappa += p->l;
		if (sign_respond(&s, key) == 0) {
			/* accepted: z and h are the signature */
			CCTSA_PUBLIC(&s.z, sizeof(s.z));
			CCTSA_PUBLIC(&s.h, sizeof(s.h));
			mldsa_sig_encode(sig, p, s.ctilde, &s.z, &s.h);
			break;
		}
	}
	cctsa_wipe(&s, sizeof(s));
	return err;
}

/* mu = H(tr || M'), M' = prefix || msg; prefix NULL for the internal interface. */
static void compute_mu(uint8_t mu[CCTSA_MLDSA_MU_LEN], const uint8_t tr[CCTSA_MLDSA_TR_LEN],
		       const uint8_t *prefix, size_t prefix_len, const uint8_t *msg, size_t msg_len)
{
	cctsa_keccak h;

	cctsa_shake256_init(&h);
	cctsa_keccak_absorb(&h, tr, CCTSA_MLDSA_TR_LEN);
	cctsa_keccak_absorb(&h, prefix, prefix_len);
	cctsa_keccak_absorb(&h, msg, msg_len);
	cctsa_shake_squeeze(&h, mu, CCTSA_MLDSA_MU_LEN);
	cctsa_keccak_wipe(&h);
}

cctsa_err cctsa_mldsa_sign_internal(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len,
				    const uint8_t *mprime, size_t mprime_len,
				    const uint8_t rnd[static CCTSA_MLDSA_RND_LEN])
{
	uint8_t mu[CCTSA_MLDSA_MU_LEN];
	cctsa_err err;

	compute_mu(mu, key->tr, NULL, 0, mprime, mprime_len);
	err = cctsa_mldsa_sign_mu(key, sig, sig_len, mu, rnd);
	cctsa_wipe(mu, sizeof(mu));
	return err;
}

/* Sign with M' = prefix(ph, ctx) || msg; ph = 0 for pure ML-DSA. */
static cctsa_err sign_prefixed(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len, int ph,
			       const uint8_t *msg, size_t msg_len, const uint8_t *ctx, size_t ctx_len,
			       const uint8_t rnd[CCTSA_MLDSA_RND_LEN])
{
	uint8_t prefix[MLDSA_PREFIX_MAX], mu[CCTSA_MLDSA_MU_LEN];
	size_t n = mldsa_prefix(prefix, ph, ctx, ctx_len);
	cctsa_err err;

	if (n == 0 || (ph != 0 && msg_len != cctsa_mldsa_ph_len((cctsa_mldsa_ph)ph))) {
		memset(sig, 0, sig_len);
		return CCTSA_E_USAGE;
	}
	compute_mu(mu, key->tr, prefix, n, msg, msg_len);
	err = cctsa_mldsa_sign_mu(key, sig, sig_len, mu, rnd);
	cctsa_wipe(mu, sizeof(mu));
	return err;
}

/* rnd for flags: zero (deterministic) or fresh; CCTSA_E_USAGE / CCTSA_E_CRYPTO. */
static cctsa_err make_rnd(uint8_t rnd[CCTSA_MLDSA_RND_LEN], unsigned flags)
{
	memset(rnd, 0, CCTSA_MLDSA_RND_LEN);
	if ((flags & ~CCTSA_MLDSA_DETERMINISTIC) != 0) {
		return CCTSA_E_USAGE;
	}
	if ((flags & CCTSA_MLDSA_DETERMINISTIC) == 0 && cctsa_rand_bytes(rnd, CCTSA_MLDSA_RND_LEN) != CCTSA_OK) {
		return CCTSA_E_CRYPTO;
	}
	return CCTSA_OK;
}

cctsa_err cctsa_mldsa_sign_rnd(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len,
			       const uint8_t *msg, size_t msg_len, const uint8_t *ctx, size_t ctx_len,
			       const uint8_t rnd[static CCTSA_MLDSA_RND_LEN])
{
	return sign_prefixed(key, sig, sig_len, 0, msg, msg_len, ctx, ctx_len, rnd);
}

cctsa_err cctsa_mldsa_sign(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len, const uint8_t *msg,
			   size_t msg_len, const uint8_t *ctx, size_t ctx_len, unsigned flags)
{
	uint8_t rnd[CCTSA_MLDSA_RND_LEN];
	cctsa_err err = make_rnd(rnd, flags);

	if (err == CCTSA_OK) {
		err = sign_prefixed(key, sig, sig_len, 0, msg, msg_len, ctx, ctx_len, rnd);
	} else {
		memset(sig, 0, sig_len);
	}
	cctsa_wipe(rnd, sizeof(rnd));
	return err;
}

cctsa_err cctsa_mldsa_hash_sign_rnd(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len, cctsa_mldsa_ph ph,
				    const uint8_t *digest, size_t digest_len, const uint8_t *ctx, size_t ctx_len,
				    const uint8_t rnd[static CCTSA_MLDSA_RND_LEN])
{
	if (cctsa_mldsa_ph_len(ph) == 0) {
		memset(sig, 0, sig_len);
		return CCTSA_E_USAGE;
	}
	return sign_prefixed(key, sig, sig_len, (int)ph, digest, digest_len, ctx, ctx_len, rnd);
}

cctsa_err cctsa_mldsa_hash_sign(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len, cctsa_mldsa_ph ph,
				const uint8_t *digest, size_t digest_len, const uint8_t *ctx, size_t ctx_len,
				unsigned flags)
{
	uint8_t rnd[CCTSA_MLDSA_RND_LEN];
	cctsa_err err = make_rnd(rnd, flags);

	if (err == CCTSA_OK) {
		err = cctsa_mldsa_hash_sign_rnd(key, sig, sig_len, ph, digest, digest_len, ctx, ctx_len, rnd);
	} else {
		memset(sig, 0, sig_len);
	}
	cctsa_wipe(rnd, sizeof(rnd));
	return err;
}

cctsa_err cctsa_mldsa_compute_mu(uint8_t mu[static CCTSA_MLDSA_MU_LEN], const uint8_t *pk, size_t pk_len,
				 const uint8_t *msg, size_t msg_len, const uint8_t *ctx, size_t ctx_len)
{
	uint8_t prefix[MLDSA_PREFIX_MAX], tr[CCTSA_MLDSA_TR_LEN];
	size_t n = mldsa_prefix(prefix, 0, ctx, ctx_len);

	if (n == 0) {
		return CCTSA_E_USAGE;
	}
	mldsa_hash_tr(tr, pk, pk_len);
	compute_mu(mu, tr, prefix, n, msg, msg_len);
	return CCTSA_OK;
}
