/*
 * ML-DSA verification: Verify_internal (FIPS 204 Alg. 8) with external mu, and
 * the wrappers for M' and for pure ML-DSA with a context (Alg. 3), one-shot from
 * the encoded public key or with a prepared cctsa_mldsa_pub (tr, and t1 * 2^d in
 * the NTT domain, computed once). Public data only, so this file may branch
 * freely. The matrix A is sampled four entries at a time and consumed at once
 * (mldsa_matrix_mul_rho), never stored whole.
 */
#include <string.h>

#include "base/ct.h"
#include "mldsa/mldsa_int.h"

/*
 * The prepared public key behind cctsa_mldsa_pub's opaque bytes; may_alias makes
 * reading and writing that storage through this type well-defined.
 */
typedef struct __attribute__((may_alias)) {
	const mldsa_params *p;
	uint8_t rho[MLDSA_SEEDBYTES];
	uint8_t tr[CCTSA_MLDSA_TR_LEN];
	mldsa_polyveck t1hat; /* NTT(t1 * 2^d), |.| < 9q */
} pub_int;

_Static_assert(sizeof(pub_int) <= sizeof(((cctsa_mldsa_pub *)0)->opaque), "cctsa_mldsa_pub too small");
_Static_assert(_Alignof(pub_int) <= _Alignof(cctsa_mldsa_pub), "cctsa_mldsa_pub under-aligned");

typedef struct {
	mldsa_polyvecl z;
	mldsa_polyveck h, w;
	mldsa_poly c, w1;
	uint8_t w1buf[MLDSA_W1_MAX];
	uint8_t ctilde2[MLDSA_CTILDE_MAX];
	cctsa_keccak hash;
} verify_work;

static void pub_prepare(pub_int *pp, const mldsa_params *p, const uint8_t *pk)
{
	pp->p = p;
	mldsa_pk_decode(pp->rho, &pp->t1hat, p, pk);
	for (unsigned i = 0; i < p->k; i++) {
		mldsa_poly_shiftl(&pp->t1hat.v[i]);
		mldsa_poly_ntt(&pp->t1hat.v[i]);
	}
	mldsa_hash_tr(pp->tr, pk, p->pk_len);
}

static cctsa_err verify_core(const pub_int *pp, const uint8_t *sig, const uint8_t mu[CCTSA_MLDSA_MU_LEN])
{
	const mldsa_params *p = pp->p;
	const uint8_t *ctilde;
	verify_work v;
	verify_work *w = &v;

	if (mldsa_sig_decode_var(&ctilde, &w->z, &w->h, p, sig) != 0) {
		return CCTSA_E_VERIFY;
	}
	for (unsigned j = 0; j < p->l; j++) {
		if (mldsa_poly_chknorm(&w->z.v[j], p->gamma1 - (int32_t)p->beta) != 0) {
			return CCTSA_E_VERIFY;
		}
		mldsa_poly_ntt(&w->z.v[j]);
	}
	mldsa_poly_challenge(&w->c, ctilde, p);
	mldsa_poly_ntt(&w->c);
	/* w'_approx = NTT^-1(A^ * NTT(z) - NTT(c) * NTT(t1 * 2^d)) */
	mldsa_matrix_mul_rho(&w->w, pp->rho, &w->z, p);
	cctsa_shake256_init(&w->hash);
	cctsa_keccak_absorb(&w->hash, mu, CCTSA_MLDSA_MU_LEN);
	for (unsigned i = 0; i < p->k; i++) {
		mldsa_poly_pointwise_montgomery(&w->w1, &w->c, &pp->t1hat.v[i]);
		mldsa_poly_sub(&w->w.v[i], &w->w.v[i], &w->w1);
		mldsa_poly_reduce32(&w->w.v[i]);
		mldsa_poly_invntt_tomont(&w->w.v[i]);
		mldsa_poly_caddq(&w->w.v[i]);
		mldsa_poly_use_hint_var(&w->w1, &w->w.v[i], &w->h.v[i], p->gamma2);
		mldsa_pack_w1(w->w1buf, &w->w1, p);
		cctsa_keccak_absorb(&w->hash, w->w1buf, p->polyw1_bytes);
	}
	cctsa_shake_squeeze(&w->hash, w->ctilde2, p->ctilde_len);
	if (cctsa_memcmp_var(w->ctilde2, ctilde, p->ctilde_len) != 0) {
		return CCTSA_E_VERIFY;
	}
	return CCTSA_OK;
}

/* mu = H(tr || prefix || msg). */
static void make_mu(uint8_t mu[CCTSA_MLDSA_MU_LEN], const uint8_t tr[CCTSA_MLDSA_TR_LEN], const uint8_t *prefix,
		    size_t prefix_len, const uint8_t *msg, size_t msg_len)
{
	cctsa_keccak h;

	cctsa_shake256_init(&h);
	cctsa_keccak_absorb(&h, tr, CCTSA_MLDSA_TR_LEN);
	cctsa_keccak_absorb(&h, prefix, prefix_len);
	cctsa_keccak_absorb(&h, msg, msg_len);
	cctsa_shake_squeeze(&h, mu, CCTSA_MLDSA_MU_LEN);
}

cctsa_err cctsa_mldsa_pub_init(cctsa_mldsa_pub *pub, cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len)
{
	const mldsa_params *p = mldsa_params_get(alg);
	pub_int *pp = (pub_int *)(void *)pub->opaque;

	memset(pub, 0, sizeof(*pub));
	if (p == NULL) {
		return CCTSA_E_USAGE;
	}
	if (pk_len != p->pk_len) {
		return CCTSA_E_MALFORMED;
	}
	pub_prepare(pp, p, pk);
	return CCTSA_OK;
}

cctsa_mldsa_alg cctsa_mldsa_pub_alg(const cctsa_mldsa_pub *pub)
{
	const pub_int *pp = (const pub_int *)(const void *)pub->opaque;

	return pp->p != NULL ? pp->p->alg : (cctsa_mldsa_alg)0;
}

/* Length checks and mu for the prepared-key entry points; prefix NULL for M'. */
static cctsa_err pub_verify(const cctsa_mldsa_pub *pub, const uint8_t *sig, size_t sig_len, const uint8_t *prefix,
			    size_t prefix_len, const uint8_t *msg, size_t msg_len, const uint8_t *mu_in)
{
	const pub_int *pp = (const pub_int *)(const void *)pub->opaque;
	uint8_t mu[CCTSA_MLDSA_MU_LEN];

	if (pp->p == NULL) {
		return CCTSA_E_USAGE;
	}
	if (sig_len != pp->p->sig_len) {
		return CCTSA_E_VERIFY;
	}
	if (mu_in != NULL) {
		memcpy(mu, mu_in, sizeof(mu));
	} else {
		make_mu(mu, pp->tr, prefix, prefix_len, msg, msg_len);
	}
	return verify_core(pp, sig, mu);
}

cctsa_err cctsa_mldsa_pub_verify(const cctsa_mldsa_pub *pub, const uint8_t *sig, size_t sig_len,
				 const uint8_t *msg, size_t msg_len, const uint8_t *ctx, size_t ctx_len)
{
	uint8_t prefix[MLDSA_PREFIX_MAX];
	size_t n = mldsa_prefix(prefix, 0, ctx, ctx_len);

	if (n == 0) {
		return CCTSA_E_VERIFY; /* a context over 255 bytes verifies nothing */
	}
	return pub_verify(pub, sig, sig_len, prefix, n, msg, msg_len, NULL);
}

cctsa_err cctsa_mldsa_verify(cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len, const uint8_t *sig,
			     size_t sig_len, const uint8_t *msg, size_t msg_len, const uint8_t *ctx,
			     size_t ctx_len)
{
	cctsa_mldsa_pub pub;
	cctsa_err err = cctsa_mldsa_pub_init(&pub, alg, pk, pk_len);

	if (err != CCTSA_OK) {
		return err;
	}
	return cctsa_mldsa_pub_verify(&pub, sig, sig_len, msg, msg_len, ctx, ctx_len);
}

cctsa_err cctsa_mldsa_verify_internal(cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len,
				      const uint8_t *sig, size_t sig_len, const uint8_t *mprime,
				      size_t mprime_len)
{
	cctsa_mldsa_pub pub;
	cctsa_err err = cctsa_mldsa_pub_init(&pub, alg, pk, pk_len);

	if (err != CCTSA_OK) {
		return err;
	}
	return pub_verify(&pub, sig, sig_len, NULL, 0, mprime, mprime_len, NULL);
}

cctsa_err cctsa_mldsa_verify_mu(cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len, const uint8_t *sig,
				size_t sig_len, const uint8_t mu[static CCTSA_MLDSA_MU_LEN])
{
	cctsa_mldsa_pub pub;
	cctsa_err err = cctsa_mldsa_pub_init(&pub, alg, pk, pk_len);

	if (err != CCTSA_OK) {
		return err;
	}
	return pub_verify(&pub, sig, sig_len, NULL, 0, NULL, 0, mu);
}

cctsa_err cctsa_mldsa_hash_verify(cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len, const uint8_t *sig,
				  size_t sig_len, cctsa_mldsa_ph ph, const uint8_t *digest, size_t digest_len,
				  const uint8_t *ctx, size_t ctx_len)
{
	uint8_t prefix[MLDSA_PREFIX_MAX];
	cctsa_mldsa_pub pub;
	size_t n;
	cctsa_err err;

	if (cctsa_mldsa_ph_len(ph) == 0 || digest_len != cctsa_mldsa_ph_len(ph)) {
		return CCTSA_E_USAGE;
	}
	if ((err = cctsa_mldsa_pub_init(&pub, alg, pk, pk_len)) != CCTSA_OK) {
		return err;
	}
	n = mldsa_prefix(prefix, (int)ph, ctx, ctx_len);
	if (n == 0) {
		return CCTSA_E_VERIFY;
	}
	return pub_verify(&pub, sig, sig_len, prefix, n, digest, digest_len, NULL);
}
