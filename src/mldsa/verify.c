/*
 * ML-DSA verification: Verify_internal (FIPS 204 Alg. 8) with external mu, and
 * the wrappers for M' and for pure ML-DSA with a context (Alg. 3). Public data
 * only, so this file may branch freely. The matrix A is sampled one entry at a
 * time and consumed at once, so verification needs a few KB of stack, not 56 KB.
 */
#include <string.h>

#include "base/ct.h"
#include "mldsa/mldsa_int.h"

typedef struct {
	mldsa_polyvecl z;
	mldsa_polyveck t1, h;
	mldsa_poly c, a, w, w1;
	uint8_t rho[MLDSA_SEEDBYTES];
	uint8_t w1buf[MLDSA_W1_MAX];
	uint8_t ctilde2[MLDSA_CTILDE_MAX];
	cctsa_keccak hash;
} verify_work;

/* Row i of w'_approx = NTT^-1(A^ * NTT(z) - NTT(c) * NTT(t1 * 2^d)), into v->w in [0, q). */
static void verify_row(verify_work *v, const mldsa_params *p, unsigned i)
{
	int64_t acc[MLDSA_N] = {0};

	for (unsigned j = 0; j < p->l; j++) {
		mldsa_poly_uniform(&v->a, v->rho, (uint8_t)j, (uint8_t)i);
		for (unsigned n = 0; n < MLDSA_N; n++) {
			acc[n] += (int64_t)v->a.c[n] * v->z.v[j].c[n];
		}
	}
	mldsa_poly_pointwise_montgomery(&v->w1, &v->c, &v->t1.v[i]);
	for (unsigned n = 0; n < MLDSA_N; n++) {
		v->w.c[n] = mldsa_reduce32(mldsa_montgomery_reduce(acc[n]) - v->w1.c[n]);
	}
	mldsa_poly_invntt_tomont(&v->w);
	mldsa_poly_caddq(&v->w);
}

static cctsa_err verify_core(verify_work *v, const mldsa_params *p, const uint8_t *pk,
			     const uint8_t *sig, const uint8_t mu[CCTSA_MLDSA_MU_LEN])
{
	const uint8_t *ctilde;

	mldsa_pk_decode(v->rho, &v->t1, p, pk);
	if (mldsa_sig_decode_var(&ctilde, &v->z, &v->h, p, sig) != 0) {
		return CCTSA_E_VERIFY;
	}
	for (unsigned j = 0; j < p->l; j++) {
		if (mldsa_poly_chknorm(&v->z.v[j], p->gamma1 - (int32_t)p->beta) != 0) {
			return CCTSA_E_VERIFY;
		}
		mldsa_poly_ntt(&v->z.v[j]);
	}
	mldsa_poly_challenge(&v->c, ctilde, p);
	mldsa_poly_ntt(&v->c);
	cctsa_shake256_init(&v->hash);
	cctsa_keccak_absorb(&v->hash, mu, CCTSA_MLDSA_MU_LEN);
	for (unsigned i = 0; i < p->k; i++) {
		mldsa_poly_shiftl(&v->t1.v[i]);
		mldsa_poly_ntt(&v->t1.v[i]);
		verify_row(v, p, i);
		mldsa_poly_use_hint_var(&v->w1, &v->w, &v->h.v[i], p->gamma2);
		mldsa_pack_w1(v->w1buf, &v->w1, p);
		cctsa_keccak_absorb(&v->hash, v->w1buf, p->polyw1_bytes);
	}
	cctsa_shake_squeeze(&v->hash, v->ctilde2, p->ctilde_len);
	if (cctsa_memcmp_var(v->ctilde2, ctilde, p->ctilde_len) != 0) {
		return CCTSA_E_VERIFY;
	}
	return CCTSA_OK;
}

/* Length and parameter checks shared by the three entry points. */
static cctsa_err verify_check(const mldsa_params **p, cctsa_mldsa_alg alg, size_t pk_len, size_t sig_len)
{
	*p = mldsa_params_get(alg);
	if (*p == NULL) {
		return CCTSA_E_USAGE;
	}
	if (pk_len != (*p)->pk_len) {
		return CCTSA_E_MALFORMED;
	}
	if (sig_len != (*p)->sig_len) {
		return CCTSA_E_VERIFY;
	}
	return CCTSA_OK;
}

cctsa_err cctsa_mldsa_verify_mu(cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len, const uint8_t *sig,
				size_t sig_len, const uint8_t mu[static CCTSA_MLDSA_MU_LEN])
{
	const mldsa_params *p;
	verify_work v;
	cctsa_err err = verify_check(&p, alg, pk_len, sig_len);

	if (err != CCTSA_OK) {
		return err;
	}
	return verify_core(&v, p, pk, sig, mu);
}

/* mu = H(H(pk) || prefix || msg). */
static void verify_mu(uint8_t mu[CCTSA_MLDSA_MU_LEN], const uint8_t *pk, size_t pk_len,
		      const uint8_t *prefix, size_t prefix_len, const uint8_t *msg, size_t msg_len)
{
	uint8_t tr[CCTSA_MLDSA_TR_LEN];
	cctsa_keccak h;

	mldsa_hash_tr(tr, pk, pk_len);
	cctsa_shake256_init(&h);
	cctsa_keccak_absorb(&h, tr, sizeof(tr));
	cctsa_keccak_absorb(&h, prefix, prefix_len);
	cctsa_keccak_absorb(&h, msg, msg_len);
	cctsa_shake_squeeze(&h, mu, CCTSA_MLDSA_MU_LEN);
}

cctsa_err cctsa_mldsa_verify_internal(cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len,
				      const uint8_t *sig, size_t sig_len, const uint8_t *mprime,
				      size_t mprime_len)
{
	const mldsa_params *p;
	uint8_t mu[CCTSA_MLDSA_MU_LEN];
	verify_work v;
	cctsa_err err = verify_check(&p, alg, pk_len, sig_len);

	if (err != CCTSA_OK) {
		return err;
	}
	verify_mu(mu, pk, pk_len, NULL, 0, mprime, mprime_len);
	return verify_core(&v, p, pk, sig, mu);
}

cctsa_err cctsa_mldsa_verify(cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len, const uint8_t *sig,
			     size_t sig_len, const uint8_t *msg, size_t msg_len, const uint8_t *ctx,
			     size_t ctx_len)
{
	const mldsa_params *p;
	uint8_t mu[CCTSA_MLDSA_MU_LEN], prefix[2 + CCTSA_MLDSA_CTX_MAX];
	verify_work v;
	cctsa_err err = verify_check(&p, alg, pk_len, sig_len);

	if (err != CCTSA_OK) {
		return err;
	}
	if (ctx_len > CCTSA_MLDSA_CTX_MAX) {
		return CCTSA_E_VERIFY;
	}
	prefix[0] = 0;
	prefix[1] = (uint8_t)ctx_len;
	if (ctx_len > 0) {
		memcpy(prefix + 2, ctx, ctx_len);
	}
	verify_mu(mu, pk, pk_len, prefix, 2 + ctx_len, msg, msg_len);
	return verify_core(&v, p, pk, sig, mu);
}
