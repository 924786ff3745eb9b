/*
 * Hashing, hash-to-curve, the AES-256-CTR PRG and GF(2^128) for the threshold
 * ECDSA module (spec §1), plus the per-party OpenSSL context.
 */
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "tecdsa/tecdsa_int.h"

static const char SUITE[] = "DKLS23-P384-SHA512-v1";

uint64_t tec_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
		return 0;
	}
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

cctsa_err tec_ctx_init(tec_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->group = EC_GROUP_new_by_curve_name(NID_secp384r1);
	c->bn = BN_CTX_new();
	c->sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
	c->md = EVP_MD_CTX_new();
	c->aes = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL);
	c->cipher = EVP_CIPHER_CTX_new();
	c->p = BN_new();
	if (c->group == NULL || c->bn == NULL || c->sha512 == NULL || c->md == NULL || c->aes == NULL ||
	    c->cipher == NULL || c->p == NULL || !EC_GROUP_get_curve(c->group, c->p, NULL, NULL, c->bn)) {
		tec_ctx_free(c);
		return CCTSA_E_CRYPTO;
	}
	return CCTSA_OK;
}

void tec_ctx_free(tec_ctx *c)
{
	EC_GROUP_free(c->group);
	BN_CTX_free(c->bn);
	EVP_MD_free(c->sha512);
	EVP_MD_CTX_free(c->md);
	EVP_CIPHER_free(c->aes);
	EVP_CIPHER_CTX_free(c->cipher);
	BN_free(c->p);
	memset(c, 0, sizeof(*c));
}

static cctsa_err upd(tec_ctx *c, const void *p, size_t n)
{
	return EVP_DigestUpdate(c->md, p, n) == 1 ? CCTSA_OK : CCTSA_E_CRYPTO;
}

cctsa_err tec_h_open(tec_ctx *c, size_t total)
{
	uint8_t lp[4];

	if (total > UINT32_MAX) {
		return CCTSA_E_INTERNAL;
	}
	lp[0] = (uint8_t)(total >> 24);
	lp[1] = (uint8_t)(total >> 16);
	lp[2] = (uint8_t)(total >> 8);
	lp[3] = (uint8_t)total;
	return upd(c, lp, 4);
}

cctsa_err tec_h_more(tec_ctx *c, const void *p, size_t n)
{
	return upd(c, p, n);
}

cctsa_err tec_h_field(tec_ctx *c, const void *p, size_t n)
{
	cctsa_err err = tec_h_open(c, n);

	return err != CCTSA_OK ? err : upd(c, p, n);
}

cctsa_err tec_h_begin(tec_ctx *c, const char *label)
{
	c->nhash++;
	if (EVP_DigestInit_ex(c->md, c->sha512, NULL) != 1) {
		return CCTSA_E_CRYPTO;
	}
	if (upd(c, SUITE, sizeof(SUITE) - 1) != CCTSA_OK) {
		return CCTSA_E_CRYPTO;
	}
	return tec_h_field(c, label, strlen(label));
}

cctsa_err tec_h_u8(tec_ctx *c, uint8_t v)
{
	return tec_h_field(c, &v, 1);
}

cctsa_err tec_h_u16(tec_ctx *c, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	return tec_h_field(c, b, 2);
}

cctsa_err tec_h_end(tec_ctx *c, uint8_t out[TEC_H])
{
	unsigned n = 0;

	return EVP_DigestFinal_ex(c->md, out, &n) == 1 && n == TEC_H ? CCTSA_OK : CCTSA_E_CRYPTO;
}

cctsa_err tec_h_end32(tec_ctx *c, uint8_t out[32])
{
	uint8_t h[TEC_H];
	cctsa_err err = tec_h_end(c, h);

	memcpy(out, h, 32);
	cctsa_wipe(h, sizeof(h));
	return err;
}

cctsa_err tec_h_end_sc(tec_ctx *c, tec_sc *out)
{
	uint8_t h[TEC_H];
	cctsa_err err = tec_h_end(c, h);

	tec_sc_reduce64(out, h);
	cctsa_wipe(h, sizeof(h));
	return err;
}

/* Public inputs only: variable time is fine here (spec §1). */
cctsa_err tec_h2c(tec_ctx *c, EC_POINT *out, const char *label, const uint8_t *const *f, const size_t *fl,
		  size_t nf)
{
	cctsa_err err = CCTSA_OK;
	BIGNUM *x = BN_new();
	uint8_t h[TEC_H];

	CCTSA_ENSURE(x != NULL, CCTSA_E_RESOURCE);
	for (uint32_t ctr = 0; ctr < 1000; ctr++) {
		uint8_t cb[4] = {(uint8_t)(ctr >> 24), (uint8_t)(ctr >> 16), (uint8_t)(ctr >> 8), (uint8_t)ctr};

		CCTSA_TRY(tec_h_begin(c, "H2C"));
		CCTSA_TRY(tec_h_field(c, label, strlen(label)));
		for (size_t i = 0; i < nf; i++) {
			CCTSA_TRY(tec_h_field(c, f[i], fl[i]));
		}
		CCTSA_TRY(tec_h_field(c, cb, 4));
		CCTSA_TRY(tec_h_end(c, h));
		CCTSA_ENSURE(BN_bin2bn(h, TEC_SC, x) != NULL, CCTSA_E_CRYPTO);
		if (BN_cmp(x, c->p) >= 0) {
			continue;
		}
		ERR_set_mark();
		if (EC_POINT_set_compressed_coordinates(c->group, out, x, h[48] & 1, c->bn) == 1) {
			ERR_pop_to_mark();
			goto out;
		}
		ERR_pop_to_mark();
	}
	err = CCTSA_E_INTERNAL;
out:
	BN_free(x);
	return err;
}

cctsa_err tec_prg(tec_ctx *c, uint8_t out[TEC_ROW], const uint8_t seed[32], const uint8_t sid[32],
		  const uint8_t nonce[32], uint16_t k)
{
	static const uint8_t zero[TEC_ROW] = {0};
	uint8_t key[32], iv[16] = {0};
	int n = 0;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(c, "PRG"));
	CCTSA_TRY(tec_h_field(c, sid, 32));
	CCTSA_TRY(tec_h_field(c, nonce, 32));
	CCTSA_TRY(tec_h_u16(c, k));
	CCTSA_TRY(tec_h_field(c, seed, 32));
	CCTSA_TRY(tec_h_end32(c, key));
	CCTSA_ENSURE(EVP_EncryptInit_ex(c->cipher, c->aes, NULL, key, iv) == 1, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(EVP_EncryptUpdate(c->cipher, out, &n, zero, TEC_ROW) == 1 && n == TEC_ROW, CCTSA_E_CRYPTO);
out:
	cctsa_wipe(key, sizeof(key));
	return err;
}

static uint64_t ld64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--) {
		v = (v << 8) | p[i];
	}
	return v;
}

static void st64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

/* GF(2^128), little-endian bit order, modulus X^128 + X^7 + X^2 + X + 1; constant time. */
void tec_gf_mul(uint8_t r[16], const uint8_t a[16], const uint8_t b[16])
{
	uint64_t al = ld64(a), ah = ld64(a + 8), bl = ld64(b), bh = ld64(b + 8);
	uint64_t rl = 0, rh = 0;

	for (int i = 0; i < 128; i++) {
		uint64_t bit = (i < 64 ? bl >> i : bh >> (i - 64)) & 1;
		uint64_t m = cctsa_ct_mask_u64(bit);
		uint64_t top;

		rl ^= al & m;
		rh ^= ah & m;
		top = cctsa_ct_mask_u64(ah >> 63);
		ah = (ah << 1) | (al >> 63);
		al = (al << 1) ^ (0x87 & top);
	}
	st64(r, rl);
	st64(r + 8, rh);
}

void tec_kh(uint8_t out[16], const uint8_t *chi80, const uint8_t y[TEC_ROW])
{
	uint8_t t[16];

	memcpy(out, y + 80, 16);
	for (int j = 0; j < 5; j++) {
		tec_gf_mul(t, chi80 + 16 * j, y + 16 * j);
		for (int i = 0; i < 16; i++) {
			out[i] ^= t[i];
		}
	}
	cctsa_wipe(t, sizeof(t));
}
