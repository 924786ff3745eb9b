/*
 * ML-DSA key objects: KeyGen_internal (FIPS 204 Alg. 6), loading and checking an
 * expanded private key (skDecode, Alg. 25), and the key accessors. The object is
 * in secret memory and caches the NTT forms of s1, s2, t0 and the matrix A.
 */
#include <string.h>

#include "base/ct.h"
#include "mldsa/mldsa_key.h"

/* Work space for deriving a key; wiped before return. */
typedef struct {
	mldsa_polyvecl s1;
	mldsa_polyveck s2, t, t1, t0;
	uint8_t rhop[MLDSA_CRHBYTES];
} key_work;

static cctsa_mldsa_key *key_alloc(const mldsa_params *p)
{
	cctsa_mldsa_key *key = cctsa_secret_alloc(sizeof(*key));

	if (key != NULL) {
		key->p = p;
	}
	return key;
}

void cctsa_mldsa_key_free(cctsa_mldsa_key *key)
{
	cctsa_secret_free(key);
}

/*
 * From rho (in key->rho) and s1, s2: A, t = A*s1 + s2 in [0, q), then t1, t0,
 * pk and tr (FIPS 204 Alg. 6 lines 3-9). Fills key->a, key->pk, and w->t1/t0.
 */
static void key_compute_t(cctsa_mldsa_key *key, key_work *w, uint8_t tr[CCTSA_MLDSA_TR_LEN])
{
	const mldsa_params *p = key->p;
	mldsa_polyvecl s1hat = w->s1;

	mldsa_expand_a(&key->a, p, key->rho);
	mldsa_polyvecl_ntt(&s1hat, p);
	mldsa_matrix_mul(&w->t, &key->a, &s1hat, p);
	mldsa_polyveck_invntt_tomont(&w->t, p);
	for (unsigned i = 0; i < p->k; i++) {
		mldsa_poly_add(&w->t.v[i], &w->t.v[i], &w->s2.v[i]);
		mldsa_poly_freeze(&w->t.v[i]);
		mldsa_poly_power2round(&w->t1.v[i], &w->t0.v[i], &w->t.v[i]);
	}
	/* t1 is the public key */
	CCTSA_PUBLIC(&w->t1, sizeof(w->t1));
	mldsa_pk_encode(key->pk, p, key->rho, &w->t1);
	mldsa_hash_tr(tr, key->pk, p->pk_len);
	cctsa_wipe(&s1hat, sizeof(s1hat));
}

/* The cached NTT forms and the sk encoding, from s1, s2, t0 in w and rho, K, tr in key. */
static void key_finish(cctsa_mldsa_key *key, key_work *w)
{
	const mldsa_params *p = key->p;

	mldsa_sk_encode(key->sk, p, key->rho, key->k, key->tr, &w->s1, &w->s2, &w->t0);
	key->s1hat = w->s1;
	key->s2hat = w->s2;
	key->t0hat = w->t0;
	mldsa_polyvecl_ntt(&key->s1hat, p);
	mldsa_polyveck_ntt(&key->s2hat, p);
	mldsa_polyveck_ntt(&key->t0hat, p);
}

cctsa_err cctsa_mldsa_key_from_seed(cctsa_mldsa_key **out, cctsa_mldsa_alg alg,
				    const uint8_t seed[static CCTSA_MLDSA_SEED_LEN])
{
	const mldsa_params *p = mldsa_params_get(alg);
	uint8_t kl[2], buf[2 * MLDSA_SEEDBYTES + MLDSA_CRHBYTES];
	cctsa_mldsa_key *key;
	key_work w;
	cctsa_keccak h;

	*out = NULL;
	if (p == NULL) {
		return CCTSA_E_USAGE;
	}
	key = key_alloc(p);
	if (key == NULL) {
		return CCTSA_E_RESOURCE;
	}
	/* (rho, rho', K) = H(xi || k || l, 128) */
	kl[0] = (uint8_t)p->k;
	kl[1] = (uint8_t)p->l;
	cctsa_shake256_init(&h);
	cctsa_keccak_absorb(&h, seed, CCTSA_MLDSA_SEED_LEN);
	cctsa_keccak_absorb(&h, kl, 2);
	cctsa_shake_squeeze(&h, buf, sizeof(buf));
	memcpy(key->rho, buf, MLDSA_SEEDBYTES);
	memcpy(w.rhop, buf + MLDSA_SEEDBYTES, MLDSA_CRHBYTES);
	memcpy(key->k, buf + MLDSA_SEEDBYTES + MLDSA_CRHBYTES, MLDSA_SEEDBYTES);
	/* rho is part of the public key */
	CCTSA_PUBLIC(key->rho, MLDSA_SEEDBYTES);
	memcpy(key->seed, seed, CCTSA_MLDSA_SEED_LEN);
	key->has_seed = 1;
	mldsa_expand_s(&w.s1, &w.s2, p, w.rhop);
	key_compute_t(key, &w, key->tr);
	key_finish(key, &w);
	cctsa_wipe(&w, sizeof(w));
	cctsa_wipe(buf, sizeof(buf));
	cctsa_keccak_wipe(&h);
	*out = key;
	return CCTSA_OK;
}

cctsa_err cctsa_mldsa_key_from_sk(cctsa_mldsa_key **out, cctsa_mldsa_alg alg, const uint8_t *sk,
				  size_t sk_len)
{
	const mldsa_params *p = mldsa_params_get(alg);
	uint8_t tr[CCTSA_MLDSA_TR_LEN];
	cctsa_mldsa_key *key;
	mldsa_polyveck t0_given;
	key_work w;
	uint32_t bad;

	*out = NULL;
	if (p == NULL) {
		return CCTSA_E_USAGE;
	}
	if (sk_len != p->sk_len) {
		return CCTSA_E_MALFORMED;
	}
	key = key_alloc(p);
	if (key == NULL) {
		return CCTSA_E_RESOURCE;
	}
	bad = mldsa_sk_decode(key->rho, key->k, key->tr, &w.s1, &w.s2, &t0_given, p, sk);
	CCTSA_PUBLIC(key->rho, MLDSA_SEEDBYTES); /* rho is part of the public key */
	/* Consistency: t0 and tr must be those of t = A*s1 + s2 (t1 itself is not stored). */
	key_compute_t(key, &w, tr);
	bad |= ~cctsa_ct_memeq(&w.t0, &t0_given, p->k * sizeof(mldsa_poly));
	bad |= ~cctsa_ct_memeq(tr, key->tr, sizeof(tr));
	bad &= 1;
	/* only the accept/reject bit of the key check leaves here */
	CCTSA_PUBLIC(&bad, sizeof(bad));
	if (bad == 0) {
		key_finish(key, &w);
	}
	cctsa_wipe(&w, sizeof(w));
	cctsa_wipe(&t0_given, sizeof(t0_given));
	if (bad != 0) {
		cctsa_mldsa_key_free(key);
		return CCTSA_E_MALFORMED;
	}
	*out = key;
	return CCTSA_OK;
}

cctsa_mldsa_alg cctsa_mldsa_key_alg(const cctsa_mldsa_key *key)
{
	return key->p->alg;
}

cctsa_err cctsa_mldsa_key_public(const cctsa_mldsa_key *key, uint8_t *pk, size_t pk_len)
{
	if (pk_len != key->p->pk_len) {
		return CCTSA_E_USAGE;
	}
	memcpy(pk, key->pk, pk_len);
	return CCTSA_OK;
}

cctsa_err cctsa_mldsa_key_private(const cctsa_mldsa_key *key, uint8_t *sk, size_t sk_len)
{
	if (sk_len != key->p->sk_len) {
		return CCTSA_E_USAGE;
	}
	memcpy(sk, key->sk, sk_len);
	return CCTSA_OK;
}

cctsa_err cctsa_mldsa_key_seed(const cctsa_mldsa_key *key, uint8_t seed[static CCTSA_MLDSA_SEED_LEN])
{
	if (!key->has_seed) {
		memset(seed, 0, CCTSA_MLDSA_SEED_LEN);
		return CCTSA_E_STATE;
	}
	memcpy(seed, key->seed, CCTSA_MLDSA_SEED_LEN);
	return CCTSA_OK;
}
