/*
 * AEAD_AES_SIV_CMAC_256/384/512 (RFC 5297 §2.4-2.6 and §6). S2V is built here on
 * OpenSSL's CMAC and the CTR step on its AES-CTR, because OpenSSL 3.0's "AES-n-SIV"
 * EVP ciphers skip zero-length updates: an empty associated-data component is then
 * lost and an empty plaintext never gets a tag, and NTS requests carry exactly that
 * (empty plaintext). S2V components: associated data, nonce, plaintext. Wire form:
 * V || C. The tag is compared in constant time.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "base/ct.h"
#include "time_int.h"

#define BLK 16

static const char *siv_cbc_name(size_t half)
{
	switch (half) {
	case 16:
		return "AES-128-CBC";
	case 24:
		return "AES-192-CBC";
	case 32:
		return "AES-256-CBC";
	default:
		return NULL;
	}
}

static const char *siv_ctr_name(size_t half)
{
	switch (half) {
	case 16:
		return "AES-128-CTR";
	case 24:
		return "AES-192-CTR";
	default:
		return "AES-256-CTR";
	}
}

/* Doubling in GF(2^128) with the SIV polynomial; constant time. */
static void siv_dbl(uint8_t d[BLK])
{
	uint8_t carry = (uint8_t)(d[0] >> 7);

	for (size_t i = 0; i < BLK - 1; i++) {
		d[i] = (uint8_t)((d[i] << 1) | (d[i + 1] >> 7));
	}
	d[BLK - 1] = (uint8_t)((d[BLK - 1] << 1) ^ (0x87 & (0 - carry)));
}

typedef struct {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2];
} siv_cmac;

static cctsa_err cmac_init(siv_cmac *m, const char *cbc)
{
	m->mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	m->ctx = m->mac != NULL ? EVP_MAC_CTX_new(m->mac) : NULL;
	m->params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)(uintptr_t)cbc, 0);
	m->params[1] = OSSL_PARAM_construct_end();
	return m->ctx != NULL ? CCTSA_OK : CCTSA_E_CRYPTO;
}

static void cmac_done(siv_cmac *m)
{
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
}

/* out = CMAC(k, a || b); b may be NULL. */
static cctsa_err cmac2(siv_cmac *m, uint8_t out[BLK], const uint8_t *k, size_t klen, const uint8_t *a,
		       size_t alen, const uint8_t *b, size_t blen)
{
	size_t outl = 0;

	if (EVP_MAC_init(m->ctx, k, klen, m->params) != 1 || EVP_MAC_update(m->ctx, a, alen) != 1 ||
	    (b != NULL && EVP_MAC_update(m->ctx, b, blen) != 1) ||
	    EVP_MAC_final(m->ctx, out, &outl, BLK) != 1 || outl != BLK) {
		return CCTSA_E_CRYPTO;
	}
	return CCTSA_OK;
}

/* V = S2V(k1, ad, nonce, pt). */
static cctsa_err siv_s2v(uint8_t v[BLK], const uint8_t *k1, size_t half, const uint8_t *ad,
			 size_t ad_len, const uint8_t *nonce, size_t nonce_len, const uint8_t *pt,
			 size_t pt_len)
{
	static const uint8_t zero[BLK] = { 0 };
	const uint8_t *comp[2] = { ad != NULL ? ad : zero, nonce };
	size_t clen[2] = { ad_len, nonce_len };
	uint8_t d[BLK], t[BLK];
	siv_cmac m = { 0 };
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cmac_init(&m, siv_cbc_name(half)));
	CCTSA_TRY(cmac2(&m, d, k1, half, zero, BLK, NULL, 0));
	for (size_t i = 0; i < 2; i++) {
		CCTSA_TRY(cmac2(&m, t, k1, half, comp[i], clen[i], NULL, 0));
		siv_dbl(d);
		for (size_t j = 0; j < BLK; j++) {
			d[j] ^= t[j];
		}
	}
	if (pt_len >= BLK) { /* T = pt xorend D */
		for (size_t j = 0; j < BLK; j++) {
			t[j] = (uint8_t)(pt[pt_len - BLK + j] ^ d[j]);
		}
		CCTSA_TRY(cmac2(&m, v, k1, half, pt != NULL ? pt : zero, pt_len - BLK, t, BLK));
	} else { /* T = dbl(D) xor pad(pt) */
		siv_dbl(d);
		memset(t, 0, BLK);
		if (pt_len > 0) {
			memcpy(t, pt, pt_len);
		}
		t[pt_len] = 0x80;
		for (size_t j = 0; j < BLK; j++) {
			t[j] ^= d[j];
		}
		CCTSA_TRY(cmac2(&m, v, k1, half, t, BLK, NULL, 0));
	}
out:
	cmac_done(&m);
	cctsa_wipe(d, sizeof(d));
	cctsa_wipe(t, sizeof(t));
	return err;
}

/* out = AES-CTR(k2, Q = V with bits 31 and 63 cleared, in). */
static cctsa_err siv_ctr(uint8_t *out, const uint8_t *k2, size_t half, const uint8_t v[BLK],
			 const uint8_t *in, size_t len)
{
	EVP_CIPHER *c = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t q[BLK];
	cctsa_err err = CCTSA_OK;
	int outl = 0;

	if (len == 0) {
		return CCTSA_OK;
	}
	memcpy(q, v, BLK);
	q[8] &= 0x7f;
	q[12] &= 0x7f;
	c = EVP_CIPHER_fetch(NULL, siv_ctr_name(half), NULL);
	ctx = EVP_CIPHER_CTX_new();
	CCTSA_ENSURE(c != NULL && ctx != NULL && len <= (size_t)INT32_MAX, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(EVP_EncryptInit_ex2(ctx, c, k2, q, NULL) == 1 &&
			     EVP_EncryptUpdate(ctx, out, &outl, in, (int)len) == 1 && (size_t)outl == len,
		     CCTSA_E_CRYPTO);
out:
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	cctsa_wipe(q, sizeof(q));
	return err;
}

static int siv_args_ok(size_t key_len, const uint8_t *nonce, size_t nonce_len, const uint8_t *ad,
		       size_t ad_len)
{
	return siv_cbc_name(key_len / 2) != NULL && key_len % 2 == 0 && nonce != NULL &&
	       nonce_len > 0 && (ad != NULL || ad_len == 0);
}

cctsa_err cctsa_nts_siv_seal(uint8_t *out, const uint8_t *key, size_t key_len, const uint8_t *nonce,
			     size_t nonce_len, const uint8_t *ad, size_t ad_len, const uint8_t *pt,
			     size_t pt_len)
{
	size_t half = key_len / 2;
	uint8_t v[BLK];
	cctsa_err err = CCTSA_OK;

	if (out == NULL || key == NULL || !siv_args_ok(key_len, nonce, nonce_len, ad, ad_len) ||
	    (pt == NULL && pt_len != 0)) {
		return CCTSA_E_USAGE;
	}
	CCTSA_TRY(siv_s2v(v, key, half, ad, ad_len, nonce, nonce_len, pt, pt_len));
	CCTSA_TRY(siv_ctr(out + BLK, key + half, half, v, pt, pt_len));
	memcpy(out, v, BLK);
out:
	cctsa_wipe(v, sizeof(v));
	if (err != CCTSA_OK) {
		cctsa_wipe(out, pt_len + BLK);
	}
	return err;
}

cctsa_err cctsa_nts_siv_open(uint8_t *pt, const uint8_t *key, size_t key_len, const uint8_t *nonce,
			     size_t nonce_len, const uint8_t *ad, size_t ad_len, const uint8_t *ct,
			     size_t ct_len)
{
	size_t half = key_len / 2, pt_len;
	uint8_t v[BLK];
	cctsa_err err = CCTSA_OK;

	if (key == NULL || ct == NULL || ct_len < BLK ||
	    !siv_args_ok(key_len, nonce, nonce_len, ad, ad_len) || (pt == NULL && ct_len != BLK)) {
		return CCTSA_E_USAGE;
	}
	pt_len = ct_len - BLK;
	CCTSA_TRY(siv_ctr(pt, key + half, half, ct, ct + BLK, pt_len));
	CCTSA_TRY(siv_s2v(v, key, half, ad, ad_len, nonce, nonce_len, pt, pt_len));
	CCTSA_ENSURE(cctsa_ct_memeq(v, ct, BLK) != 0, CCTSA_E_VERIFY);
out:
	cctsa_wipe(v, sizeof(v));
	if (err != CCTSA_OK && pt != NULL) {
		cctsa_wipe(pt, pt_len);
	}
	return err;
}
