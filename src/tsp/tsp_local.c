/*
 * Local file-key issuer: the `cctsa testpki` key layout loaded into one process,
 * for tests, benchmarks and offline issuance (`cctsa ts-reply`). Production
 * tokens come from the threshold signers through the same cctsa_tsp_signer
 * interface; this file is never linked into anything that serves the public
 * except the gateway's explicit test mode.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/ct.h"
#include "cctsa/mldsa.h"
#include "tsp_int.h"

struct cctsa_tsp_local {
	EVP_PKEY *ec_key;
	cctsa_mldsa_key *ml_key;
	cctsa_buf ec_cert, ec_chain, ml_cert, ml_chain;
	cctsa_tsp_signer ec, ml;
};

#define PEM_FILE_MAX (1u << 20)

/* All CERTIFICATE blocks of a PEM file, DER-concatenated into out (initialised here). */
static cctsa_err read_pem_certs(cctsa_buf *out, const char *path, size_t *count, cctsa_diag *diag)
{
	BIO *bio = BIO_new_file(path, "r");
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len = 0;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(out, 0);
	*count = 0;
	if (bio == NULL) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot open %s", path);
	}
	while (PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
		if (strcmp(name, "CERTIFICATE") == 0 && len > 0) {
			err = cctsa_buf_put(out, data, (size_t)len);
			(*count)++;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
		if (err != CCTSA_OK) {
			break;
		}
	}
	BIO_free(bio);
	if (err == CCTSA_OK && *count == 0) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "%s holds no certificate", path);
	}
	return err;
}

static cctsa_err ec_sign(void *ctx, cctsa_buf *sig, const uint8_t *msg, size_t msg_len,
			 const uint8_t *tst, size_t tst_len, cctsa_diag *diag)
{
	cctsa_tsp_local *l = ctx;
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	uint8_t der[160], raw[TSP_ECDSA_RAW_LEN];
	size_t der_len = sizeof(der);
	const unsigned char *p = der;
	ECDSA_SIG *es = NULL;
	cctsa_err err = CCTSA_OK;

	(void)tst; /* a local key needs no re-check by peers */
	(void)tst_len;
	if (mctx == NULL || EVP_DigestSignInit(mctx, NULL, EVP_sha384(), NULL, l->ec_key) != 1 ||
	    EVP_DigestSign(mctx, der, &der_len, msg, msg_len) != 1 ||
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 48) != 48 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 48, 48) != 48) {
		err = cctsa_fail(diag, CCTSA_E_CRYPTO, "ECDSA P-384 signing failed");
		goto out;
	}
	CCTSA_TRY(cctsa_buf_put(sig, raw, sizeof(raw)));
out:
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(mctx);
	return err;
}

static cctsa_err ml_sign(void *ctx, cctsa_buf *sig, const uint8_t *msg, size_t msg_len,
			 const uint8_t *tst, size_t tst_len, cctsa_diag *diag)
{
	cctsa_tsp_local *l = ctx;
	cctsa_err err = CCTSA_OK;

	(void)tst;
	(void)tst_len;
	CCTSA_TRY(cctsa_buf_reserve(sig, CCTSA_MLDSA65_SIG_LEN));
	err = cctsa_mldsa_sign(l->ml_key, sig->data + sig->len, CCTSA_MLDSA65_SIG_LEN, msg, msg_len,
			       NULL, 0, 0);
	if (err != CCTSA_OK) {
		return cctsa_fail(diag, err, "ML-DSA-65 signing failed");
	}
	sig->len += CCTSA_MLDSA65_SIG_LEN;
out:
	return err;
}

static cctsa_err load_ec_key(cctsa_tsp_local *l, const char *path, cctsa_diag *diag)
{
	BIO *bio = BIO_new_file(path, "r");

	if (bio == NULL) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot open %s", path);
	}
	l->ec_key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (l->ec_key == NULL || !EVP_PKEY_is_a(l->ec_key, "EC") || EVP_PKEY_get_bits(l->ec_key) != 384) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s is not an ECDSA P-384 private key", path);
	}
	return CCTSA_OK;
}

static cctsa_err load_ml_key(cctsa_tsp_local *l, const char *path, cctsa_diag *diag)
{
	cctsa_buf text, der;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&der, 0);
	cctsa_buf_init(&text, 0);
	CCTSA_TRY(cctsa_file_read(&text, path, PEM_FILE_MAX, diag));
	CCTSA_TRY(cctsa_mldsa_pem_read(&der, "PRIVATE KEY", text.data, text.len, diag));
	CCTSA_TRY(cctsa_mldsa_pkcs8_parse(&l->ml_key, der.data, der.len, diag));
	if (cctsa_mldsa_key_alg(l->ml_key) != CCTSA_MLDSA_65) {
		err = cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "%s is not an ML-DSA-65 key", path);
	}
out:
	cctsa_buf_free(&text);
	cctsa_buf_free(&der);
	return err;
}

static cctsa_err load_certs(cctsa_buf *cert, cctsa_buf *chain, const char *dir, const char *leaf,
			    const char *ca, cctsa_diag *diag)
{
	char path[4096];
	size_t n;
	cctsa_err err;

	snprintf(path, sizeof(path), "%s/%s", dir, leaf);
	err = read_pem_certs(cert, path, &n, diag);
	if (err == CCTSA_OK && n != 1) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "%s must hold exactly one certificate", path);
	}
	if (err != CCTSA_OK) {
		return err;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, ca);
	return read_pem_certs(chain, path, &n, diag);
}

cctsa_err cctsa_tsp_local_load(cctsa_tsp_local **out, const char *dir, cctsa_diag *diag)
{
	cctsa_tsp_local *l = cctsa_mem_alloc(sizeof(*l));
	char path[4096];
	cctsa_err err = CCTSA_OK;

	*out = NULL;
	CCTSA_ENSURE(l != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(load_certs(&l->ec_cert, &l->ec_chain, dir, "tsa-ecdsa.pem", "ca-ecdsa.pem", diag));
	CCTSA_TRY(load_certs(&l->ml_cert, &l->ml_chain, dir, "tsa-mldsa.pem", "ca-mldsa.pem", diag));
	snprintf(path, sizeof(path), "%s/tsa-ecdsa.key", dir);
	CCTSA_TRY(load_ec_key(l, path, diag));
	snprintf(path, sizeof(path), "%s/tsa-mldsa.key", dir);
	CCTSA_TRY(load_ml_key(l, path, diag));
	l->ec = (cctsa_tsp_signer){CCTSA_TSP_SIG_ECDSA_P384, l->ec_cert.data, l->ec_cert.len,
				   l->ec_chain.data, l->ec_chain.len, ec_sign, l};
	l->ml = (cctsa_tsp_signer){CCTSA_TSP_SIG_MLDSA65, l->ml_cert.data, l->ml_cert.len,
				   l->ml_chain.data, l->ml_chain.len, ml_sign, l};
	*out = l;
	l = NULL;
out:
	cctsa_tsp_local_free(l);
	return err;
}

void cctsa_tsp_local_free(cctsa_tsp_local *l)
{
	if (l == NULL) {
		return;
	}
	EVP_PKEY_free(l->ec_key);
	cctsa_mldsa_key_free(l->ml_key);
	cctsa_buf_free(&l->ec_cert);
	cctsa_buf_free(&l->ec_chain);
	cctsa_buf_free(&l->ml_cert);
	cctsa_buf_free(&l->ml_chain);
	cctsa_mem_free(l);
}

const cctsa_tsp_signer *cctsa_tsp_local_signer(const cctsa_tsp_local *l, cctsa_tsp_sigalg alg)
{
	return alg == CCTSA_TSP_SIG_MLDSA65 ? &l->ml : &l->ec;
}

static int oid_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	return an == bn && cctsa_memcmp_var(a, b, an) == 0;
}

cctsa_err cctsa_tsp_local_respond(cctsa_tsp_local *l, cctsa_buf *out, const cctsa_tsp_req *req,
				  int pq, unsigned flags, cctsa_diag *diag)
{
	cctsa_tsp_issue is;
	struct timespec ts;
	cctsa_buf tok;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&tok, 0);
	if (!cctsa_tsp_policy_ok(req->policy, req->policy_len) ||
	    (pq && req->policy_len != 0 &&
	     !oid_eq(req->policy, req->policy_len, CCTSA_TSP_OID_POLICY_PQ, CCTSA_TSP_OID_PROJECT_LEN))) {
		return cctsa_tsp_resp_rejection(out, CCTSA_TSP_FAIL_UNACCEPTED_POLICY,
						"requested policy is not offered here");
	}
	if (oid_eq(req->policy, req->policy_len, CCTSA_TSP_OID_POLICY_PQ, CCTSA_TSP_OID_PROJECT_LEN)) {
		pq = 1;
	}
	memset(&is, 0, sizeof(is));
	is.policy = pq ? CCTSA_TSP_OID_POLICY_PQ : CCTSA_TSP_OID_POLICY_DEFAULT;
	is.policy_len = CCTSA_TSP_OID_PROJECT_LEN;
	is.serial_len = 16;
	CCTSA_TRY(cctsa_rand_bytes(is.serial, is.serial_len));
	is.serial[0] = (uint8_t)((is.serial[0] & 0x7f) | 0x40);
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		return cctsa_tsp_resp_rejection(out, CCTSA_TSP_FAIL_TIME_NOT_AVAILABLE,
						"clock unavailable");
	}
	is.gen_time_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	is.accuracy_ms = 1000;
	CCTSA_ENSURE((flags & ~CCTSA_TSP_LOCAL_NO_COMPANION) == 0, CCTSA_E_USAGE);
	CCTSA_TRY(cctsa_tsp_token_build(&tok, req, &is, pq ? &l->ml : &l->ec,
					(flags & CCTSA_TSP_LOCAL_NO_COMPANION) ? NULL
					: pq ? &l->ec : &l->ml,
					diag));
	CCTSA_TRY(cctsa_tsp_resp_granted(out, tok.data, tok.len));
out:
	cctsa_buf_free(&tok);
	return err;
}
