/* x509: local private keys (ECDSA P-384 through OpenSSL, ML-DSA-65 through mldsa). */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "cctsa/mldsa.h"
#include "x509/x509_int.h"

#define SPKI_MAX 2048

struct cctsa_x509_key {
	cctsa_sig_alg alg;
	EVP_PKEY *pkey;       /* ECDSA */
	cctsa_mldsa_key *mk;  /* ML-DSA-65 */
	uint8_t spki[SPKI_MAX];
	size_t spki_len;
};

static cctsa_err key_new(cctsa_x509_key **key, cctsa_sig_alg alg)
{
	*key = cctsa_mem_alloc(sizeof(**key));
	if (*key == NULL) {
		return CCTSA_E_RESOURCE;
	}
	(*key)->alg = alg;
	return CCTSA_OK;
}

void cctsa_x509_key_free(cctsa_x509_key *key)
{
	if (key == NULL) {
		return;
	}
	EVP_PKEY_free(key->pkey);
	cctsa_mldsa_key_free(key->mk);
	cctsa_mem_free(key);
}

cctsa_sig_alg cctsa_x509_key_alg(const cctsa_x509_key *key)
{
	return key->alg;
}

/* Fills key->spki from the key. */
static cctsa_err key_finish(cctsa_x509_key *key, cctsa_diag *diag)
{
	cctsa_buf b;
	uint8_t pk[CCTSA_MLDSA65_PK_LEN];
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init_fixed(&b, key->spki, sizeof(key->spki));
	if (key->alg == CCTSA_SIG_ECDSA_P384_SHA384) {
		unsigned char *p = key->spki;
		int n = i2d_PUBKEY(key->pkey, NULL);

		CCTSA_ENSURE(n > 0 && (size_t)n <= sizeof(key->spki),
			     cctsa_fail(diag, CCTSA_E_CRYPTO, "x509: cannot encode the EC public key"));
		CCTSA_ENSURE(i2d_PUBKEY(key->pkey, &p) == n, CCTSA_E_CRYPTO);
		key->spki_len = (size_t)n;
	} else {
		CCTSA_TRY(cctsa_mldsa_key_public(key->mk, pk, sizeof(pk)));
		CCTSA_TRY(cctsa_mldsa_spki_write(&b, CCTSA_MLDSA_65, pk, sizeof(pk)));
		key->spki_len = b.len;
	}
out:
	return err;
}

cctsa_err cctsa_x509_key_generate(cctsa_x509_key **key, cctsa_sig_alg alg, cctsa_diag *diag)
{
	uint8_t *seed = NULL;
	cctsa_err err = CCTSA_OK;

	*key = NULL;
	CCTSA_ENSURE(alg == CCTSA_SIG_ECDSA_P384_SHA384 || alg == CCTSA_SIG_MLDSA65,
		     cctsa_fail(diag, CCTSA_E_USAGE, "x509: keys are ECDSA P-384 or ML-DSA-65"));
	CCTSA_TRY(key_new(key, alg));
	if (alg == CCTSA_SIG_ECDSA_P384_SHA384) {
		(*key)->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		CCTSA_ENSURE((*key)->pkey != NULL, cctsa_fail(diag, CCTSA_E_CRYPTO, "x509: P-384 key generation failed"));
	} else {
		seed = cctsa_secret_alloc(CCTSA_MLDSA_SEED_LEN);
		CCTSA_ENSURE(seed != NULL, CCTSA_E_RESOURCE);
		CCTSA_TRY(cctsa_rand_bytes(seed, CCTSA_MLDSA_SEED_LEN));
		CCTSA_TRY(cctsa_mldsa_key_from_seed(&(*key)->mk, CCTSA_MLDSA_65, seed));
	}
	CCTSA_TRY(key_finish(*key, diag));
out:
	cctsa_secret_free(seed);
	if (err != CCTSA_OK) {
		cctsa_x509_key_free(*key);
		*key = NULL;
	}
	return err;
}

/* EVP_PKEY for P-384 from a 48-byte scalar in 1..n-1 (public point computed). */
static cctsa_err ec_from_scalar(EVP_PKEY **out, const uint8_t *secret, cctsa_diag *diag)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_secp384r1);
	BIGNUM *d = BN_secure_new();
	EC_POINT *q = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	uint8_t pub[97];
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(g != NULL && d != NULL && bld != NULL && ctx != NULL, CCTSA_E_RESOURCE);
	CCTSA_ENSURE(BN_bin2bn(secret, 48, d) != NULL, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(!BN_is_zero(d) && BN_cmp(d, EC_GROUP_get0_order(g)) < 0,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: P-384 private scalar out of range"));
	q = EC_POINT_new(g);
	CCTSA_ENSURE(q != NULL && EC_POINT_mul(g, q, d, NULL, NULL, NULL) == 1, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), NULL) == sizeof(pub),
		     CCTSA_E_CRYPTO);
	CCTSA_ENSURE(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-384", 0) == 1 &&
			     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1 &&
			     OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)) == 1,
		     CCTSA_E_CRYPTO);
	params = OSSL_PARAM_BLD_to_param(bld);
	CCTSA_ENSURE(params != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
			     EVP_PKEY_fromdata(ctx, out, EVP_PKEY_KEYPAIR, params) == 1,
		     cctsa_fail(diag, CCTSA_E_CRYPTO, "x509: OpenSSL refused the P-384 key"));
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	EC_POINT_free(q);
	BN_clear_free(d);
	EC_GROUP_free(g);
	return err;
}

cctsa_err cctsa_x509_key_from_secret(cctsa_x509_key **key, cctsa_sig_alg alg, const uint8_t *secret, size_t len,
				     cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;

	*key = NULL;
	CCTSA_ENSURE(alg == CCTSA_SIG_ECDSA_P384_SHA384 || alg == CCTSA_SIG_MLDSA65,
		     cctsa_fail(diag, CCTSA_E_USAGE, "x509: keys are ECDSA P-384 or ML-DSA-65"));
	CCTSA_ENSURE(len == (alg == CCTSA_SIG_MLDSA65 ? CCTSA_MLDSA_SEED_LEN : 48),
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: private key secret of %zu bytes", len));
	CCTSA_TRY(key_new(key, alg));
	if (alg == CCTSA_SIG_ECDSA_P384_SHA384) {
		CCTSA_TRY(ec_from_scalar(&(*key)->pkey, secret, diag));
	} else {
		CCTSA_TRY(cctsa_mldsa_key_from_seed(&(*key)->mk, CCTSA_MLDSA_65, secret));
	}
	CCTSA_TRY(key_finish(*key, diag));
out:
	if (err != CCTSA_OK) {
		cctsa_x509_key_free(*key);
		*key = NULL;
	}
	return err;
}

cctsa_err cctsa_x509_key_secret(const cctsa_x509_key *key, uint8_t *out, size_t cap, size_t *out_len)
{
	BIGNUM *d = NULL;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(cap >= CCTSA_X509_KEY_SECRET_MAX, CCTSA_E_USAGE);
	if (key->alg == CCTSA_SIG_MLDSA65) {
		CCTSA_TRY(cctsa_mldsa_key_seed(key->mk, out));
		*out_len = CCTSA_MLDSA_SEED_LEN;
		goto out;
	}
	CCTSA_ENSURE(EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(BN_bn2binpad(d, out, 48) == 48, CCTSA_E_CRYPTO);
	*out_len = 48;
out:
	BN_clear_free(d);
	if (err != CCTSA_OK) {
		cctsa_wipe(out, cap);
	}
	return err;
}

cctsa_err cctsa_x509_key_to_pem(const cctsa_x509_key *key, cctsa_buf *out, cctsa_diag *diag)
{
	cctsa_buf der;
	BIO *bio = NULL;
	char *p = NULL;
	long n;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&der, 0);
	if (key->alg == CCTSA_SIG_MLDSA65) {
		CCTSA_TRY(cctsa_mldsa_pkcs8_write(&der, key->mk));
		CCTSA_TRY(cctsa_x509_der_to_pem(out, "PRIVATE KEY", der.data, der.len));
		goto out;
	}
	bio = BIO_new(BIO_s_secmem());
	CCTSA_ENSURE(bio != NULL && PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) == 1,
		     cctsa_fail(diag, CCTSA_E_CRYPTO, "x509: cannot write the P-384 key as PKCS#8"));
	n = BIO_get_mem_data(bio, &p);
	CCTSA_ENSURE(n > 0, CCTSA_E_CRYPTO);
	CCTSA_TRY(cctsa_buf_put(out, p, (size_t)n));
out:
	BIO_free(bio);
	cctsa_buf_free(&der);
	return err;
}

/* privateKeyAlgorithm of a PKCS#8 key: P-384 or ML-DSA-65 (NONE otherwise). */
static cctsa_err pkcs8_alg(cctsa_cursor *c, cctsa_sig_alg *alg, cctsa_diag *diag)
{
	cctsa_cursor ai;
	cctsa_der_elem oid = {0}, param = {0};
	cctsa_err err = CCTSA_OK;

	*alg = CCTSA_SIG_NONE;
	CCTSA_TRY(cctsa_der_enter(c, CCTSA_DER_SEQUENCE, &ai, diag));
	CCTSA_TRY(cctsa_der_get_oid(&ai, &oid, diag));
	if (cctsa_der_oid_is(oid.val, oid.val_len, CCTSA_OID_MLDSA65)) {
		*alg = CCTSA_SIG_MLDSA65;
	} else if (cctsa_der_oid_is(oid.val, oid.val_len, CCTSA_OID_EC_PUBLIC_KEY) &&
		   cctsa_der_get_oid(&ai, &param, NULL) == CCTSA_OK &&
		   cctsa_der_oid_is(param.val, param.val_len, CCTSA_OID_SECP384R1)) {
		*alg = CCTSA_SIG_ECDSA_P384_SHA384;
	}
out:
	return err;
}

cctsa_err cctsa_x509_key_from_pem(cctsa_x509_key **key, const uint8_t *pem, size_t len, cctsa_diag *diag)
{
	cctsa_buf der;
	cctsa_cursor c, seq;
	uint64_t version = 0;
	cctsa_sig_alg alg = CCTSA_SIG_NONE;
	cctsa_err err = CCTSA_OK;

	*key = NULL;
	cctsa_buf_init(&der, 0);
	CCTSA_TRY(cctsa_x509_pem_to_der(&der, "PRIVATE KEY", pem, len, diag));
	cctsa_cursor_init(&c, der.data, der.len);
	CCTSA_TRY(cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &seq, diag));
	CCTSA_TRY(cctsa_der_get_u64(&seq, CCTSA_DER_INTEGER, 1, &version, diag));
	CCTSA_TRY(pkcs8_alg(&seq, &alg, diag));
	if (alg == CCTSA_SIG_MLDSA65) {
		CCTSA_TRY(key_new(key, alg));
		CCTSA_TRY(cctsa_mldsa_pkcs8_parse(&(*key)->mk, der.data, der.len, diag));
	} else if (alg == CCTSA_SIG_ECDSA_P384_SHA384) {
		const unsigned char *p = der.data;

		CCTSA_TRY(key_new(key, alg));
		(*key)->pkey = d2i_AutoPrivateKey(NULL, &p, (long)der.len);
		CCTSA_ENSURE((*key)->pkey != NULL && p == der.data + der.len,
			     cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: OpenSSL cannot read the P-384 PKCS#8 key"));
	} else {
		err = cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "x509: private key is neither P-384 nor ML-DSA-65");
		goto out;
	}
	CCTSA_TRY(key_finish(*key, diag));
out:
	cctsa_buf_free(&der);
	if (err != CCTSA_OK) {
		cctsa_x509_key_free(*key);
		*key = NULL;
	}
	return err;
}

static cctsa_err sign_cb(void *ctx, cctsa_buf *sig, const uint8_t *msg, size_t msg_len, cctsa_diag *diag)
{
	cctsa_x509_key *key = ctx;
	EVP_MD_CTX *md = NULL;
	size_t n = 0;
	cctsa_err err = CCTSA_OK;

	if (key->alg == CCTSA_SIG_MLDSA65) {
		CCTSA_TRY(cctsa_buf_reserve(sig, CCTSA_MLDSA65_SIG_LEN));
		CCTSA_TRY(cctsa_mldsa_sign(key->mk, sig->data + sig->len, CCTSA_MLDSA65_SIG_LEN, msg, msg_len, NULL, 0,
					   0));
		sig->len += CCTSA_MLDSA65_SIG_LEN;
		goto out;
	}
	md = EVP_MD_CTX_new();
	CCTSA_ENSURE(md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, key->pkey) == 1 &&
			     EVP_DigestSign(md, NULL, &n, msg, msg_len) == 1,
		     cctsa_fail(diag, CCTSA_E_CRYPTO, "x509: ECDSA signing failed"));
	CCTSA_TRY(cctsa_buf_reserve(sig, n));
	CCTSA_ENSURE(EVP_DigestSign(md, sig->data + sig->len, &n, msg, msg_len) == 1,
		     cctsa_fail(diag, CCTSA_E_CRYPTO, "x509: ECDSA signing failed"));
	sig->len += n;
out:
	EVP_MD_CTX_free(md);
	return err;
}

void cctsa_x509_key_signer(cctsa_x509_key *key, cctsa_signer *s)
{
	s->alg = key->alg;
	s->spki = key->spki;
	s->spki_len = key->spki_len;
	s->sign = sign_cb;
	s->ctx = key;
}
