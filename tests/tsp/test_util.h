/*
 * Helpers for tests/tsp_test.c: hand-built requests and the token-builder
 * tests with throw-away signers (an OpenSSL ECDSA P-384 certificate and a
 * minimal self-signed ML-DSA-65 certificate written with the DER writer).
 */
#ifndef CCTSA_TESTS_TSP_TEST_UTIL_H
#define CCTSA_TESTS_TSP_TEST_UTIL_H

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ts.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "check.h"
#include "cctsa/der.h"
#include "cctsa/mldsa.h"
#include "cctsa/tsp.h"

/* TimeStampReq v1 with the given hash OID (bad_params: INTEGER 0 as parameters). */
static cctsa_err tsp_test_req_raw(cctsa_buf *w, const char *hash_oid, int bad_params, size_t imprint_len,
				  size_t nonce_len, const char *policy)
{
	uint8_t imp[64] = {1}, nonce[64];
	size_t top, mi, alg;
	cctsa_err err = CCTSA_OK;

	memset(nonce, 0x22, sizeof(nonce));
	CCTSA_TRY(cctsa_der_begin(w, CCTSA_DER_SEQUENCE, &top));
	CCTSA_TRY(cctsa_der_put_u64(w, 1));
	CCTSA_TRY(cctsa_der_begin(w, CCTSA_DER_SEQUENCE, &mi));
	CCTSA_TRY(cctsa_der_begin(w, CCTSA_DER_SEQUENCE, &alg));
	CCTSA_TRY(cctsa_der_put_oid_text(w, hash_oid));
	if (bad_params) {
		CCTSA_TRY(cctsa_der_put_u64(w, 0));
	}
	CCTSA_TRY(cctsa_der_end(w, alg));
	CCTSA_TRY(cctsa_der_put_octets(w, imp, imprint_len));
	CCTSA_TRY(cctsa_der_end(w, mi));
	if (policy != NULL) {
		CCTSA_TRY(cctsa_der_put_oid_text(w, policy));
	}
	CCTSA_TRY(cctsa_der_put_tlv(w, CCTSA_DER_INTEGER, nonce, nonce_len));
	CCTSA_TRY(cctsa_der_end(w, top));
out:
	return err;
}

#define TSP_TEST_SUBJECT "CC-TSA unit-test TSA"

typedef struct {
	EVP_PKEY *ec;
	cctsa_mldsa_key *ml;
	uint8_t ml_pk[CCTSA_MLDSA65_PK_LEN];
	uint8_t *ec_cert, *ml_cert;
	size_t ec_cert_len, ml_cert_len;
	int fail_next;
	size_t checks; /* sign requests re-checked as a threshold participant would */
} tsp_test_keys;

/* What a participant does before contributing: cctsa_tsp_sign_check, and one tampering of each input. */
static void participant_check(tsp_test_keys *k, cctsa_tsp_sigalg alg, const uint8_t *msg, size_t n,
			      const uint8_t *tst, size_t tst_len)
{
	const uint8_t *cert = alg == CCTSA_TSP_SIG_MLDSA65 ? k->ml_cert : k->ec_cert;
	size_t cert_len = alg == CCTSA_TSP_SIG_MLDSA65 ? k->ml_cert_len : k->ec_cert_len;
	const uint8_t *other = alg == CCTSA_TSP_SIG_MLDSA65 ? k->ec_cert : k->ml_cert;
	size_t other_len = alg == CCTSA_TSP_SIG_MLDSA65 ? k->ec_cert_len : k->ml_cert_len;
	cctsa_tsp_tstinfo_fields f;
	uint8_t *copy = cctsa_mem_dup(tst, tst_len), *mcopy = cctsa_mem_dup(msg, n);

	CHECK(copy != NULL && mcopy != NULL);
	CHECK_OK(cctsa_tsp_sign_check(&f, alg, cert, cert_len, msg, n, tst, tst_len, NULL));
	CHECK(f.gen_time_ms == 1700000000120 || f.gen_time_ms == 1700000000000);
	CHECK(f.serial_len >= 1 && f.serial_len <= 20 && f.policy_len == CCTSA_TSP_OID_PROJECT_LEN);
	CHECK(f.nonce_len == 8 && f.nonce[7] == 0x08);
	/* the other TSA certificate, the other algorithm, a changed TSTInfo, changed attributes */
	CHECK_ERR(cctsa_tsp_sign_check(&f, alg, other, other_len, msg, n, tst, tst_len, NULL), CCTSA_E_VERIFY);
	CHECK_ERR(cctsa_tsp_sign_check(&f, alg == CCTSA_TSP_SIG_MLDSA65 ? CCTSA_TSP_SIG_ECDSA_P384 : CCTSA_TSP_SIG_MLDSA65,
				       cert, cert_len, msg, n, tst, tst_len, NULL), CCTSA_E_VERIFY);
	copy[tst_len - 1] ^= 1;
	CHECK(cctsa_tsp_sign_check(&f, alg, cert, cert_len, msg, n, copy, tst_len, NULL) != CCTSA_OK);
	CHECK(f.serial == NULL && f.gen_time_ms == 0);
	mcopy[n - 1] ^= 1;
	CHECK_ERR(cctsa_tsp_sign_check(&f, alg, cert, cert_len, mcopy, n, tst, tst_len, NULL), CCTSA_E_VERIFY);
	CHECK_ERR(cctsa_tsp_sign_check(&f, alg, cert, cert_len, msg, n, tst, tst_len - 1, NULL), CCTSA_E_MALFORMED);
	cctsa_mem_free(copy);
	cctsa_mem_free(mcopy);
	k->checks++;
}

static cctsa_err test_ec_sign(void *ctx, cctsa_buf *sig, const uint8_t *msg, size_t n, const uint8_t *tst,
			      size_t tst_len, cctsa_diag *diag)
{
	tsp_test_keys *k = ctx;
	EVP_MD_CTX *m;
	uint8_t der[160], raw[96];
	size_t dl = sizeof(der);
	const unsigned char *p = der;
	ECDSA_SIG *es;

	(void)diag;
	if (k->fail_next) {
		return CCTSA_E_STATE;
	}
	participant_check(k, CCTSA_TSP_SIG_ECDSA_P384, msg, n, tst, tst_len);
	m = EVP_MD_CTX_new();
	CHECK(EVP_DigestSignInit(m, NULL, EVP_sha384(), NULL, k->ec) == 1);
	CHECK(EVP_DigestSign(m, der, &dl, msg, n) == 1);
	es = d2i_ECDSA_SIG(NULL, &p, (long)dl);
	CHECK(es != NULL);
	CHECK(BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 48) == 48);
	CHECK(BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 48, 48) == 48);
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(m);
	return cctsa_buf_put(sig, raw, sizeof(raw));
}

static cctsa_err test_ml_sign(void *ctx, cctsa_buf *sig, const uint8_t *msg, size_t n, const uint8_t *tst,
			      size_t tst_len, cctsa_diag *diag)
{
	tsp_test_keys *k = ctx;
	uint8_t s[CCTSA_MLDSA65_SIG_LEN];

	(void)diag;
	participant_check(k, CCTSA_TSP_SIG_MLDSA65, msg, n, tst, tst_len);
	CHECK_OK(cctsa_mldsa_sign(k->ml, s, sizeof(s), msg, n, NULL, 0, 0));
	return cctsa_buf_put(sig, s, sizeof(s));
}

static void make_ec_cert(tsp_test_keys *k)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	X509_EXTENSION *ext;
	unsigned char *p = NULL;
	int n;

	k->ec = EVP_EC_gen("P-384");
	CHECK(k->ec != NULL && x != NULL && nm != NULL);
	CHECK(X509_set_version(x, 2) == 1);
	CHECK(ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234) == 1);
	CHECK(X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)TSP_TEST_SUBJECT, -1,
					 -1, 0) == 1);
	CHECK(X509_set_subject_name(x, nm) == 1 && X509_set_issuer_name(x, nm) == 1);
	CHECK(X509_gmtime_adj(X509_getm_notBefore(x), -86400) != NULL);
	CHECK(X509_gmtime_adj(X509_getm_notAfter(x), 86400 * 365) != NULL);
	CHECK(X509_set_pubkey(x, k->ec) == 1);
	ext = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage, "critical,timeStamping");
	CHECK(ext != NULL && X509_add_ext(x, ext, -1) == 1);
	X509_EXTENSION_free(ext);
	CHECK(X509_sign(x, k->ec, EVP_sha384()) > 0);
	n = i2d_X509(x, &p);
	CHECK(n > 0);
	k->ec_cert = cctsa_mem_dup(p, (size_t)n);
	k->ec_cert_len = (size_t)n;
	OPENSSL_free(p);
	X509_NAME_free(nm);
	X509_free(x);
}

static void put_name(cctsa_buf *b)
{
	size_t n, rdn, atv;

	CHECK_OK(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &n));
	CHECK_OK(cctsa_der_begin(b, CCTSA_DER_SET, &rdn));
	CHECK_OK(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &atv));
	CHECK_OK(cctsa_der_put_oid_text(b, "2.5.4.3"));
	CHECK_OK(cctsa_der_put_utf8(b, TSP_TEST_SUBJECT, strlen(TSP_TEST_SUBJECT)));
	CHECK_OK(cctsa_der_end(b, atv));
	CHECK_OK(cctsa_der_end(b, rdn));
	CHECK_OK(cctsa_der_end(b, n));
}

/* A minimal self-signed ML-DSA-65 certificate (the real ones come from the x509 module). */
static void make_ml_cert(tsp_test_keys *k)
{
	uint8_t seed[32], sig[CCTSA_MLDSA65_SIG_LEN];
	cctsa_buf tbs, c;
	size_t m, v, alg, e3, exts, ext;

	memset(seed, 7, sizeof(seed));
	CHECK_OK(cctsa_mldsa_key_from_seed(&k->ml, CCTSA_MLDSA_65, seed));
	CHECK_OK(cctsa_mldsa_key_public(k->ml, k->ml_pk, sizeof(k->ml_pk)));
	cctsa_buf_init(&tbs, 0);
	CHECK_OK(cctsa_der_begin(&tbs, CCTSA_DER_SEQUENCE, &m));
	CHECK_OK(cctsa_der_begin(&tbs, CCTSA_DER_CTX_CONS(0), &v));
	CHECK_OK(cctsa_der_put_u64(&tbs, 2));
	CHECK_OK(cctsa_der_end(&tbs, v));
	CHECK_OK(cctsa_der_put_u64(&tbs, 0x5678));
	CHECK_OK(cctsa_der_begin(&tbs, CCTSA_DER_SEQUENCE, &alg));
	CHECK_OK(cctsa_der_put_oid_text(&tbs, "2.16.840.1.101.3.4.3.18"));
	CHECK_OK(cctsa_der_end(&tbs, alg));
	put_name(&tbs);
	CHECK_OK(cctsa_der_begin(&tbs, CCTSA_DER_SEQUENCE, &v));
	CHECK_OK(cctsa_der_put_x509_time(&tbs, 1600000000));
	CHECK_OK(cctsa_der_put_x509_time(&tbs, 2500000000));
	CHECK_OK(cctsa_der_end(&tbs, v));
	put_name(&tbs);
	CHECK_OK(cctsa_mldsa_spki_write(&tbs, CCTSA_MLDSA_65, k->ml_pk, sizeof(k->ml_pk)));
	CHECK_OK(cctsa_der_begin(&tbs, CCTSA_DER_CTX_CONS(3), &e3));
	CHECK_OK(cctsa_der_begin(&tbs, CCTSA_DER_SEQUENCE, &exts));
	CHECK_OK(cctsa_der_begin(&tbs, CCTSA_DER_SEQUENCE, &ext));
	CHECK_OK(cctsa_der_put_oid_text(&tbs, "2.5.29.37"));
	CHECK_OK(cctsa_der_put_bool(&tbs, 1));
	CHECK_OK(cctsa_der_put_octets(&tbs, (const uint8_t *)"\x30\x0a\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x08", 12));
	CHECK_OK(cctsa_der_end(&tbs, ext));
	CHECK_OK(cctsa_der_end(&tbs, exts));
	CHECK_OK(cctsa_der_end(&tbs, e3));
	CHECK_OK(cctsa_der_end(&tbs, m));
	CHECK_OK(cctsa_mldsa_sign(k->ml, sig, sizeof(sig), tbs.data, tbs.len, NULL, 0, 0));
	cctsa_buf_init(&c, 0);
	CHECK_OK(cctsa_der_begin(&c, CCTSA_DER_SEQUENCE, &m));
	CHECK_OK(cctsa_der_put_raw(&c, tbs.data, tbs.len));
	CHECK_OK(cctsa_der_begin(&c, CCTSA_DER_SEQUENCE, &alg));
	CHECK_OK(cctsa_der_put_oid_text(&c, "2.16.840.1.101.3.4.3.18"));
	CHECK_OK(cctsa_der_end(&c, alg));
	CHECK_OK(cctsa_der_put_bits(&c, sig, sizeof(sig), 0));
	CHECK_OK(cctsa_der_end(&c, m));
	k->ml_cert = cctsa_mem_dup(c.data, c.len);
	k->ml_cert_len = c.len;
	cctsa_buf_free(&c);
	cctsa_buf_free(&tbs);
}

void tsp_test_tokens(void);

#endif
