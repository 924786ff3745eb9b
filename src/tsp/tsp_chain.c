/*
 * Certificate paths at genTime. Classical (ECDSA, RSA): OpenSSL's verifier with
 * the timestamping purpose (critical EKU id-kp-timeStamping only). ML-DSA-65:
 * the TSA certificate signed by a given ML-DSA CA (pure ML-DSA over the TBS),
 * both valid at genTime, the CA with basicConstraints cA, the TSA certificate
 * with critical EKU id-kp-timeStamping only (the path the post-quantum verdict
 * relies on: no classical link).
 */
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdarg.h>
#include <string.h>

#include "cctsa/mldsa.h"
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

/* tsa [0] GeneralName, when present and a directoryName, must be the signer's subject. */
static int tsa_name_ok(const tsp_tstinfo_view *ti, X509 *signer)
{
	cctsa_cursor c, gn;
	const unsigned char *p;
	X509_NAME *name;
	int ok;

	if (ti->tsa.der == NULL) {
		return 1;
	}
	cctsa_cursor_init(&c, ti->tsa.val, ti->tsa.val_len);
	if (!cctsa_der_peek(&c, CCTSA_DER_CTX_CONS(4))) {
		return 1; /* another GeneralName form: not compared */
	}
	if (cctsa_der_enter(&c, CCTSA_DER_CTX_CONS(4), &gn, NULL) != CCTSA_OK) {
		return 0;
	}
	p = gn.ptr + gn.pos;
	name = d2i_X509_NAME(NULL, &p, (long)cctsa_cursor_left(&gn));
	ok = name != NULL && X509_NAME_cmp(name, X509_get_subject_name(signer)) == 0;
	X509_NAME_free(name);
	return ok;
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
	} else if (!tsa_name_ok(&r->ti, signer)) {
		err = fail(r, "TSTInfo tsa name is not the signer's subject");
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

/* Finds extension dotted in a certificate: *val = extnValue contents, *critical. */
static int find_ext(const tsp_cert *c, const char *dotted, int *critical, cctsa_der_elem *val)
{
	cctsa_cursor tbs, exts, e3, ext;
	cctsa_der_elem el, oid;

	cctsa_cursor_init(&tbs, c->tbs.val, c->tbs.val_len);
	while (cctsa_cursor_left(&tbs) != 0 && !cctsa_der_peek(&tbs, CCTSA_DER_CTX_CONS(3))) {
		if (cctsa_der_read(&tbs, &el, NULL) != CCTSA_OK) {
			return 0;
		}
	}
	if (cctsa_der_enter(&tbs, CCTSA_DER_CTX_CONS(3), &e3, NULL) != CCTSA_OK ||
	    cctsa_der_enter(&e3, CCTSA_DER_SEQUENCE, &exts, NULL) != CCTSA_OK) {
		return 0;
	}
	while (cctsa_cursor_left(&exts) != 0) {
		*critical = 0;
		if (cctsa_der_enter(&exts, CCTSA_DER_SEQUENCE, &ext, NULL) != CCTSA_OK ||
		    cctsa_der_get_oid(&ext, &oid, NULL) != CCTSA_OK ||
		    (cctsa_der_peek(&ext, CCTSA_DER_BOOLEAN) &&
		     cctsa_der_get_bool(&ext, critical, NULL) != CCTSA_OK) ||
		    cctsa_der_expect(&ext, CCTSA_DER_OCTET_STRING, val, NULL) != CCTSA_OK) {
			return 0;
		}
		if (cctsa_der_oid_is(oid.val, oid.val_len, dotted)) {
			return 1;
		}
	}
	return 0;
}

/* Critical EKU whose only purpose is id-kp-timeStamping. */
static int eku_timestamping_only(const tsp_cert *c)
{
	cctsa_der_elem val, oid;
	cctsa_cursor v, seq;
	int critical = 0;

	if (!find_ext(c, "2.5.29.37", &critical, &val) || !critical) {
		return 0;
	}
	cctsa_cursor_init(&v, val.val, val.val_len);
	return cctsa_der_enter(&v, CCTSA_DER_SEQUENCE, &seq, NULL) == CCTSA_OK &&
	       cctsa_der_get_oid(&seq, &oid, NULL) == CCTSA_OK &&
	       cctsa_der_oid_is(oid.val, oid.val_len, "1.3.6.1.5.5.7.3.8") &&
	       cctsa_cursor_left(&seq) == 0;
}

static int is_ca(const tsp_cert *c)
{
	cctsa_der_elem val;
	cctsa_cursor v, seq;
	int critical = 0, ca = 0;

	if (!find_ext(c, "2.5.29.19", &critical, &val)) {
		return 0;
	}
	cctsa_cursor_init(&v, val.val, val.val_len);
	return cctsa_der_enter(&v, CCTSA_DER_SEQUENCE, &seq, NULL) == CCTSA_OK &&
	       cctsa_der_peek(&seq, CCTSA_DER_BOOLEAN) &&
	       cctsa_der_get_bool(&seq, &ca, NULL) == CCTSA_OK && ca;
}

/* c is signed by ML-DSA-65 key of ca (algorithm identifier without parameters). */
static int mldsa_signed_by(const tsp_cert *c, const tsp_cert *ca)
{
	cctsa_cursor alg;
	cctsa_der_elem oid;
	cctsa_mldsa_alg a;
	const uint8_t *pk;
	size_t pk_len;

	cctsa_cursor_init(&alg, c->sig_alg.val, c->sig_alg.val_len);
	if (cctsa_der_get_oid(&alg, &oid, NULL) != CCTSA_OK || cctsa_cursor_left(&alg) != 0 ||
	    !cctsa_der_oid_is(oid.val, oid.val_len, TSP_OID_MLDSA65) ||
	    cctsa_mldsa_spki_parse(&a, &pk, &pk_len, ca->spki.der, ca->spki.der_len, NULL) != CCTSA_OK ||
	    a != CCTSA_MLDSA_65) {
		return 0;
	}
	return cctsa_mldsa_verify(a, pk, pk_len, c->sig, c->sig_len, c->tbs.der, c->tbs.der_len, NULL,
				  0) == CCTSA_OK;
}

static int valid_at(const tsp_cert *c, int64_t t)
{
	return c->not_before <= t && t <= c->not_after;
}

cctsa_err cctsa_tsp_chain_pq(tsp_check *r, const tsp_token_view *tv, const tsp_env *env,
			     const tsp_cert *sc)
{
	tsp_cert ca;

	(void)tv;
	if (env->npq_ca == 0) {
		return fail(r, "no ML-DSA trust anchor given (--ca-mldsa)");
	}
	if (!valid_at(sc, r->ti.gen_time)) {
		return fail(r, "ML-DSA TSA certificate not valid at genTime");
	}
	if (!eku_timestamping_only(sc)) {
		return fail(r, "ML-DSA TSA certificate lacks critical EKU timeStamping only");
	}
	for (size_t i = 0; i < env->npq_ca; i++) {
		if (cctsa_tsp_cert_parse(&ca, env->pq_ca[i].der, env->pq_ca[i].der_len, NULL) != CCTSA_OK ||
		    ca.subject.der_len != sc->issuer.der_len ||
		    cctsa_memcmp_var(ca.subject.der, sc->issuer.der, ca.subject.der_len) != 0) {
			continue;
		}
		if (!is_ca(&ca) || !valid_at(&ca, r->ti.gen_time)) {
			return fail(r, "ML-DSA CA not a CA or not valid at genTime");
		}
		if (!mldsa_signed_by(sc, &ca)) {
			return fail(r, "ML-DSA TSA certificate signature does not verify under the CA");
		}
		return CCTSA_OK;
	}
	return fail(r, "ML-DSA TSA certificate not issued by the given ML-DSA CA");
}
