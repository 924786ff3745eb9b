/*
 * Constant-time check of ML-DSA under valgrind: key generation with the seed
 * marked secret, loading an expanded private key marked secret, PKCS#8/PEM
 * writing and reading of the secret key, and signing
 * (hedged and deterministic, all three parameter sets) with every secret field
 * of the key object and rnd marked secret. The library itself declassifies only
 * what FIPS 204 makes public (rho, t1, the per-attempt accept/reject bit, the
 * released signature, c~, the eta rejection positions), each with a comment at
 * the CCTSA_PUBLIC. Results are declassified here only to check them.
 */
#include "base/ct.h"
#include "check.h"
#include "cctsa/mldsa.h"
#include "mldsa/mldsa_key.h"

/* Marks every secret field of a key object as undefined for valgrind. */
static void mark_key_secret(cctsa_mldsa_key *key)
{
	CCTSA_SECRET(key->seed, sizeof(key->seed));
	CCTSA_SECRET(key->k, sizeof(key->k));
	CCTSA_SECRET(key->sk + 2 * MLDSA_SEEDBYTES, sizeof(key->sk) - 2 * MLDSA_SEEDBYTES); /* tr, s1, s2, t0 */
	CCTSA_SECRET(&key->s1hat, sizeof(key->s1hat));
	CCTSA_SECRET(&key->s2hat, sizeof(key->s2hat));
	CCTSA_SECRET(&key->t0hat, sizeof(key->t0hat));
}

/*
 * PKCS#8 and PEM of a secret key: write (base64 of the seed), read back (base64
 * decoding, DER parsing with the structure declassified) and load, then sign.
 */
static void pem_round_trip(const cctsa_mldsa_key *key, const uint8_t *pk, size_t pkl)
{
	uint8_t pk2[CCTSA_MLDSA_PK_MAX];
	cctsa_mldsa_key *k2;
	cctsa_buf der, pem, back;

	cctsa_buf_init(&der, 0);
	cctsa_buf_init(&pem, 0);
	cctsa_buf_init(&back, 0);
	CHECK_OK(cctsa_mldsa_pkcs8_write(&der, key));
	CHECK_OK(cctsa_mldsa_pem_write(&pem, "PRIVATE KEY", der.data, der.len));
	CHECK_OK(cctsa_mldsa_pem_read(&back, "PRIVATE KEY", pem.data, pem.len, NULL));
	CHECK_OK(cctsa_mldsa_key_load(&k2, pem.data, pem.len, NULL));
	CHECK_OK(cctsa_mldsa_key_public(k2, pk2, pkl));
	CCTSA_PUBLIC(pk2, pkl); /* the public key is public */
	CHECK(cctsa_memcmp_var(pk2, pk, pkl) == 0);
	CCTSA_PUBLIC(back.data, back.len); /* only to compare the round trip */
	CCTSA_PUBLIC(der.data, der.len);
	CHECK(back.len == der.len && cctsa_memcmp_var(back.data, der.data, der.len) == 0);
	cctsa_mldsa_key_free(k2);
	cctsa_buf_free(&der);
	cctsa_buf_free(&pem);
	cctsa_buf_free(&back);
}

static void one_set(cctsa_mldsa_alg alg)
{
	uint8_t seed[32], rnd[32], pk[CCTSA_MLDSA_PK_MAX], sk[CCTSA_MLDSA_SK_MAX], sig[CCTSA_MLDSA_SIG_MAX];
	uint8_t msg[100] = "constant-time", mu[64];
	size_t pkl = cctsa_mldsa_pk_len(alg), skl = cctsa_mldsa_sk_len(alg), sigl = cctsa_mldsa_sig_len(alg);
	cctsa_mldsa_key *key, *key2;

	CHECK_OK(cctsa_rand_bytes(seed, sizeof(seed)));
	CCTSA_SECRET(seed, sizeof(seed));
	CHECK_OK(cctsa_mldsa_key_from_seed(&key, alg, seed));
	CHECK_OK(cctsa_mldsa_key_public(key, pk, pkl));
	CCTSA_PUBLIC(pk, pkl); /* the public key is public */

	CHECK_OK(cctsa_mldsa_key_private(key, sk, skl));
	CCTSA_SECRET(sk, skl);
	CHECK_OK(cctsa_mldsa_key_from_sk(&key2, alg, sk, skl));

	mark_key_secret(key);
	mark_key_secret(key2);
	for (int i = 0; i < 4; i++) {
		CHECK_OK(cctsa_rand_bytes(rnd, sizeof(rnd)));
		CCTSA_SECRET(rnd, sizeof(rnd));
		msg[0] = (uint8_t)i;
		CHECK_OK(cctsa_mldsa_sign_rnd(i % 2 ? key : key2, sig, sigl, msg, sizeof(msg), NULL, 0, rnd));
		CCTSA_PUBLIC(sig, sigl);
		CHECK_OK(cctsa_mldsa_verify(alg, pk, pkl, sig, sigl, msg, sizeof(msg), NULL, 0));
	}
	CHECK_OK(cctsa_mldsa_sign(key, sig, sigl, msg, sizeof(msg), NULL, 0, CCTSA_MLDSA_DETERMINISTIC));
	CCTSA_PUBLIC(sig, sigl);
	CHECK_OK(cctsa_mldsa_verify(alg, pk, pkl, sig, sigl, msg, sizeof(msg), NULL, 0));
	CHECK_OK(cctsa_mldsa_compute_mu(mu, pk, pkl, msg, sizeof(msg), NULL, 0));
	CHECK_OK(cctsa_mldsa_sign_mu(key2, sig, sigl, mu, rnd));
	CCTSA_PUBLIC(sig, sigl);
	CHECK_OK(cctsa_mldsa_verify_mu(alg, pk, pkl, sig, sigl, mu));
	pem_round_trip(key, pk, pkl);
	cctsa_mldsa_key_free(key);
	cctsa_mldsa_key_free(key2);
	cctsa_wipe(sk, sizeof(sk));
}

int main(void)
{
	one_set(CCTSA_MLDSA_44);
	one_set(CCTSA_MLDSA_65);
	one_set(CCTSA_MLDSA_87);
	fprintf(stderr, "mldsa_ctime: keygen, key load and signing ran on secrets without secret-dependent branches or indices\n");
	return 0;
}
