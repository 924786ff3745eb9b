/*
 * Certificate paths at genTime. Classical (ECDSA, RSA): OpenSSL's verifier with
 * the timestamping purpose (critical EKU id-kp-timeStamping only). ML-DSA-65:
 * the TSA certificate signed by a given ML-DSA CA (pure ML-DSA over the TBS),
 * both valid at genTime, the CA with basicConstraints cA, the TSA certificate
 * with critical EKU id-kp-timeStamping only (the path the post-quantum verdict
 * relies on: no classical link), through cctsa_x509_chain_verify.
 */
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <string.h>

#include "cctsa/x509.h"
#include "tsp_check.h"

#define CERT_FILE_MAX (1u << 20)

static cctsa_err fail(tsp_check *r, const char *fmt, ...) CCTSA_PRINTF(2, 3);
static cctsa_err fail(tsp_check *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return CCTSA_E_VERIFY;
}

static cctsa_err index_certs(const cctsa_buf *buf, cctsa_der_elem *elems, size_t cap, size_t *n,
			     cctsa_diag *diag)
{
	cctsa_cursor c;
	cctsa_err err = CCTSA_OK;

	*n = 0;
	cctsa_cursor_init(&c, buf->data, buf->len);
	while (cctsa_cursor_left(&c) != 0) {
		if (*n == cap) {
			return cctsa_fail(diag, CCTSA_E_RESOURCE, "more than %zu certificates", cap);
		}
		CCTSA_TRY(cctsa_der_expect(&c, CCTSA_DER_SEQUENCE, &elems[*n], diag));
		(*n)++;
	}
out:
	return err;
}

cctsa_err cctsa_tsp_load_certs(cctsa_buf *buf, cctsa_der_elem *elems, size_t cap, size_t *n,
			       const char *path, cctsa_diag *diag)
{
	cctsa_buf raw;
	BIO *bio;
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len = 0;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(buf, 0);
	CCTSA_TRY(cctsa_file_read(&raw, path, CERT_FILE_MAX, diag));
	bio = BIO_new_mem_buf(raw.data, (int)raw.len);
	while (bio != NULL && err == CCTSA_OK && PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
		if (strcmp(name, "CERTIFICATE") == 0) {
			err = cctsa_buf_put(buf, data, (size_t)len);
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
	}
	BIO_free(bio);
	if (err == CCTSA_OK && buf->len == 0 && raw.len != 0 && raw.data[0] == CCTSA_DER_SEQUENCE) {
		err = cctsa_buf_put(buf, raw.data, raw.len); /* a single DER certificate */
	}
	cctsa_buf_free(&raw);
	CCTSA_TRY(err);
	CCTSA_TRY(index_certs(buf, elems, cap, n, diag));
	if (*n == 0) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "%s holds no certificate", path);
	}
out:
	return err;
}

int tsp_cert_ski_is(const cctsa_der_elem *cert, const uint8_t *ski, size_t len)
{
	const unsigned char *p = cert->der;
	X509 *x = d2i_X509(NULL, &p, (long)cert->der_len);
	const ASN1_OCTET_STRING *id = x != NULL ? X509_get0_subject_key_id(x) : NULL;
	int ok = id != NULL && (size_t)ASN1_STRING_length(id) == len &&
		 cctsa_memcmp_var(ASN1_STRING_get0_data(id), ski, len) == 0;

	X509_free(x);
	return ok;
}

static X509 *to_x509(const cctsa_der_elem *e)
{
	const unsigned char *p = e->der;
	return d2i_X509(NULL, &p, (long)e->der_len);
}

cctsa_err cctsa_tsp_chain_classical(tsp_check *r, const tsp_token_view *tv, const tsp_env *env)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509 *signer = to_x509(&r->signer), *x;
	cctsa_err err = CCTSA_OK;
	int rc;

	if (env->store == NULL) {
		err = fail(r, "no classical trust anchor given");
	} else if (untrusted == NULL || ctx == NULL || signer == NULL) {
		err = fail(r, "signer certificate not usable");
	}
	if (err != CCTSA_OK) {
		goto out;
	}
	for (size_t i = 0; i < tv->ncerts + env->nextra; i++) {
		x = to_x509(i < tv->ncerts ? &tv->certs[i] : &env->extra[i - tv->ncerts]);
		if (x != NULL && !sk_X509_push(untrusted, x)) {
			X509_free(x);
		}
	}
	if (X509_STORE_CTX_init(ctx, env->store, signer, untrusted) != 1) {
		err = fail(r, "verifier setup failed");
		goto out;
	}
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_TIMESTAMP_SIGN);
	X509_STORE_CTX_set_time(ctx, 0, (time_t)r->ti.gen_time);
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
	rc = X509_verify_cert(ctx);
	if (rc != 1) {
		err = fail(r, "certificate path at genTime: %s",
			   X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	}
out:
	X509_STORE_CTX_free(ctx);
	X509_free(signer);
	sk_X509_pop_free(untrusted, X509_free);
	return err;
}

/* The ML-DSA TSA certificate chains to one of the given ML-DSA roots at genTime (x509 module). */
cctsa_err cctsa_tsp_chain_pq(tsp_check *r, const tsp_token_view *tv, const tsp_env *env,
			     const tsp_cert *sc)
{
	cctsa_x509_cert leaf, root;
	cctsa_diag d;

	(void)tv;
	if (env->npq_ca == 0) {
		return fail(r, "no ML-DSA trust anchor given (--ca-mldsa)");
	}
	cctsa_diag_reset(&d);
	if (cctsa_x509_cert_parse(&leaf, r->signer.der, r->signer.der_len, &d) != CCTSA_OK) {
		return fail(r, "ML-DSA TSA certificate: %.150s", d.msg);
	}
	for (size_t i = 0; i < env->npq_ca; i++) {
		if (cctsa_x509_cert_parse(&root, env->pq_ca[i].der, env->pq_ca[i].der_len, NULL) != CCTSA_OK ||
		    root.subject_len != sc->issuer.der_len ||
		    cctsa_memcmp_var(root.subject, sc->issuer.der, root.subject_len) != 0) {
			continue;
		}
		if (root.key_alg != CCTSA_SIG_MLDSA65 || leaf.sig_alg != CCTSA_SIG_MLDSA65) {
			return fail(r, "ML-DSA path must be ML-DSA-65 throughout (no classical link)");
		}
		cctsa_diag_reset(&d);
		if (cctsa_x509_chain_verify(&leaf, NULL, 0, &root, r->ti.gen_time, CCTSA_X509_PURPOSE_TSA,
					    &d) != CCTSA_OK) {
			return fail(r, "ML-DSA certificate path at genTime: %.140s", d.msg);
		}
		return CCTSA_OK;
	}
	return fail(r, "ML-DSA TSA certificate not issued by the given ML-DSA CA");
}
