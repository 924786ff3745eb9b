/*
 * Verification of one token (one SignerInfo): signer certificate by sid,
 * signed attributes (contentType, messageDigest, ESSCertID v2 or v1), the
 * signature (classical through OpenSSL, ML-DSA-65 through the mldsa module) and
 * the chain at genTime (tsp_chain.c).
 */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <string.h>

#include "cctsa/mldsa.h"
#include "tsp_check.h"

static cctsa_err why(tsp_check *r, const char *fmt, ...) CCTSA_PRINTF(2, 3);
static cctsa_err why(tsp_check *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return CCTSA_E_VERIFY;
}

static const char *digest_name(const cctsa_der_elem *oid)
{
	static const struct {
		const char *oid, *name;
	} t[] = {{"1.3.14.3.2.26", "sha1"},         {"2.16.840.1.101.3.4.2.4", "sha224"},
		 {TSP_OID_SHA256, "sha256"},        {TSP_OID_SHA384, "sha384"},
		 {TSP_OID_SHA512, "sha512"},        {"2.16.840.1.101.3.4.2.8", "sha3-256"},
		 {"2.16.840.1.101.3.4.2.9", "sha3-384"}, {"2.16.840.1.101.3.4.2.10", "sha3-512"}};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (cctsa_der_oid_is(oid->val, oid->val_len, t[i].oid)) {
			return t[i].name;
		}
	}
	return NULL;
}

static int elem_eq(const cctsa_der_elem *a, const uint8_t *p, size_t n)
{
	return a->der != NULL && a->der_len == n && cctsa_memcmp_var(a->der, p, n) == 0;
}

/* Finds the certificate named by the sid among the token's and the extra certificates. */
static int find_signer(const tsp_token_view *tv, const tsp_env *env, tsp_cert *out,
		       cctsa_der_elem *der)
{
	const tsp_signer_view *sv = &tv->signer;

	for (size_t i = 0; i < tv->ncerts + env->nextra; i++) {
		const cctsa_der_elem *c = i < tv->ncerts ? &tv->certs[i] : &env->extra[i - tv->ncerts];
		if (cctsa_tsp_cert_parse(out, c->der, c->der_len, NULL) != CCTSA_OK) {
			continue;
		}
		if (sv->version == 1 && elem_eq(&out->issuer, sv->sid_issuer.der, sv->sid_issuer.der_len) &&
		    elem_eq(&out->serial, sv->sid_serial.der, sv->sid_serial.der_len)) {
			*der = *c;
			return 1;
		}
		if (sv->version == 3 && tsp_cert_ski_is(c, sv->sid_ski.val, sv->sid_ski.val_len)) {
			*der = *c;
			return 1;
		}
	}
	return 0;
}

/* certHash of the first ESSCertID(v2) equals the hash of the signer's certificate. */
static int ess_cert_ok(const uint8_t *val, size_t len, int v2, const cctsa_der_elem *cert)
{
	cctsa_cursor c, sc, certs, id, alg;
	cctsa_der_elem oid;
	const char *hname = v2 ? "sha256" : "sha1";
	const uint8_t *h;
	uint8_t mine[EVP_MAX_MD_SIZE];
	size_t hl, ml;

	cctsa_cursor_init(&c, val, len);
	if (cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &sc, NULL) != CCTSA_OK ||
	    cctsa_der_enter(&sc, CCTSA_DER_SEQUENCE, &certs, NULL) != CCTSA_OK ||
	    cctsa_der_enter(&certs, CCTSA_DER_SEQUENCE, &id, NULL) != CCTSA_OK) {
		return 0;
	}
	if (v2 && cctsa_der_peek(&id, CCTSA_DER_SEQUENCE)) {
		if (cctsa_der_enter(&id, CCTSA_DER_SEQUENCE, &alg, NULL) != CCTSA_OK ||
		    cctsa_der_get_oid(&alg, &oid, NULL) != CCTSA_OK || (hname = digest_name(&oid)) == NULL) {
			return 0;
		}
	}
	if (cctsa_der_get_octets(&id, CCTSA_DER_OCTET_STRING, &h, &hl, NULL) != CCTSA_OK ||
	    cctsa_tsp_digest(hname, mine, &ml, cert->der, cert->der_len) != CCTSA_OK) {
		return 0;
	}
	return hl == ml && cctsa_memcmp_var(h, mine, ml) == 0;
}

typedef struct {
	int content_type, digest, ess_v1, ess_v2;
} attr_seen;

static cctsa_err check_attr(tsp_check *r, attr_seen *s, const cctsa_der_elem *oid,
			    const cctsa_der_elem *val, const uint8_t *md, size_t mdl,
			    const cctsa_der_elem *cert)
{
	cctsa_cursor c;
	cctsa_der_elem e;

	if (cctsa_der_oid_is(oid->val, oid->val_len, TSP_OID_ATTR_CONTENT_TYPE)) {
		cctsa_cursor_init(&c, val->der, val->der_len);
		if (s->content_type++ || cctsa_der_get_oid(&c, &e, NULL) != CCTSA_OK ||
		    !cctsa_der_oid_is(e.val, e.val_len, TSP_OID_CT_TSTINFO)) {
			return why(r, "signed attribute contentType is not id-ct-TSTInfo");
		}
	} else if (cctsa_der_oid_is(oid->val, oid->val_len, TSP_OID_ATTR_MESSAGE_DIGEST)) {
		if (s->digest++ || val->tag != CCTSA_DER_OCTET_STRING || val->val_len != mdl ||
		    cctsa_memcmp_var(val->val, md, mdl) != 0) {
			return why(r, "messageDigest does not match the TSTInfo");
		}
	} else if (cctsa_der_oid_is(oid->val, oid->val_len, TSP_OID_ATTR_SIGNING_CERT_V2) ||
		   cctsa_der_oid_is(oid->val, oid->val_len, TSP_OID_ATTR_SIGNING_CERT)) {
		int v2 = cctsa_der_oid_is(oid->val, oid->val_len, TSP_OID_ATTR_SIGNING_CERT_V2);
		if ((v2 ? s->ess_v2++ : s->ess_v1++) != 0) {
			return why(r, "signingCertificate%s attribute repeated", v2 ? "V2" : "");
		}
		if (!ess_cert_ok(val->der, val->der_len, v2, cert)) {
			return why(r, "ESSCertID%s does not name the signer's certificate", v2 ? "v2" : "");
		}
	}
	return CCTSA_OK;
}

static cctsa_err check_signed_attrs(tsp_check *r, const tsp_token_view *tv, const char *dname,
				    const cctsa_der_elem *cert)
{
	cctsa_cursor c, attr, vals;
	cctsa_der_elem oid, val;
	attr_seen seen = {0, 0, 0, 0};
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdl;

	if (cctsa_tsp_digest(dname, md, &mdl, tv->tstinfo.val, tv->tstinfo.val_len) != CCTSA_OK) {
		return why(r, "digest %s unavailable", dname);
	}
	cctsa_cursor_init(&c, tv->signer.signed_attrs.val, tv->signer.signed_attrs.val_len);
	while (cctsa_cursor_left(&c) != 0) {
		if (cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &attr, NULL) != CCTSA_OK ||
		    cctsa_der_get_oid(&attr, &oid, NULL) != CCTSA_OK ||
		    cctsa_der_enter(&attr, CCTSA_DER_SET, &vals, NULL) != CCTSA_OK ||
		    cctsa_der_read(&vals, &val, NULL) != CCTSA_OK) {
			return why(r, "signed attributes do not parse");
		}
		if (check_attr(r, &seen, &oid, &val, md, mdl, cert) != CCTSA_OK) {
			return CCTSA_E_VERIFY;
		}
		if (cctsa_cursor_left(&vals) != 0 &&
		    (cctsa_der_oid_is(oid.val, oid.val_len, TSP_OID_ATTR_CONTENT_TYPE) ||
		     cctsa_der_oid_is(oid.val, oid.val_len, TSP_OID_ATTR_MESSAGE_DIGEST) ||
		     cctsa_der_oid_is(oid.val, oid.val_len, TSP_OID_ATTR_SIGNING_CERT_V2) ||
		     cctsa_der_oid_is(oid.val, oid.val_len, TSP_OID_ATTR_SIGNING_CERT))) {
			return why(r, "signed attribute with more than one value");
		}
	}
	if (!seen.content_type || !seen.digest || !(seen.ess_v1 || seen.ess_v2)) {
		return why(r, "contentType, messageDigest or ESSCertID attribute missing");
	}
	return CCTSA_OK;
}

/* The signed attributes as signed: the [0] IMPLICIT element re-tagged as SET OF. */
static cctsa_err signed_bytes(cctsa_buf *b, const tsp_token_view *tv)
{
	return cctsa_der_put_tlv(b, CCTSA_DER_SET, tv->signer.signed_attrs.val,
				 tv->signer.signed_attrs.val_len);
}

static cctsa_err check_sig_mldsa(tsp_check *r, const tsp_token_view *tv, const tsp_cert *sc,
				 const cctsa_buf *msg)
{
	cctsa_mldsa_alg alg;
	const uint8_t *pk;
	size_t pk_len;

	if (tv->signer.sig_alg_has_params ||
	    !cctsa_der_oid_is(tv->signer.digest_alg.val, tv->signer.digest_alg.val_len, TSP_OID_SHA512)) {
		return why(r, "ML-DSA-65 SignerInfo must use SHA-512 and no parameters");
	}
	if (cctsa_mldsa_spki_parse(&alg, &pk, &pk_len, sc->spki.der, sc->spki.der_len, NULL) != CCTSA_OK ||
	    alg != CCTSA_MLDSA_65) {
		return why(r, "signer certificate does not hold an ML-DSA-65 key");
	}
	if (cctsa_mldsa_verify(alg, pk, pk_len, tv->signer.sig, tv->signer.sig_len, msg->data, msg->len,
			       NULL, 0) != CCTSA_OK) {
		return why(r, "ML-DSA-65 signature does not verify");
	}
	return CCTSA_OK;
}

/* The SignerInfo signature algorithm fits the key: ECDSA (1.2.840.10045.*) or RSA PKCS#1 v1.5. */
static int sig_alg_fits(const tsp_signer_view *sv, const EVP_PKEY *pk)
{
	static const uint8_t ec_arc[] = {0x2a, 0x86, 0x48, 0xce, 0x3d};
	static const uint8_t rsa_arc[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01};
	const uint8_t *o = sv->sig_alg.val;
	size_t n = sv->sig_alg.val_len;

	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
		return n > sizeof(ec_arc) && cctsa_memcmp_var(o, ec_arc, sizeof(ec_arc)) == 0;
	}
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA && n == sizeof(rsa_arc) + 1 &&
	    cctsa_memcmp_var(o, rsa_arc, sizeof(rsa_arc)) == 0) {
		uint8_t last = o[n - 1];
		return last == 1 || last == 5 || (last >= 11 && last <= 14); /* not PSS (10) */
	}
	return 0;
}

static cctsa_err check_sig_classical(tsp_check *r, const char *dname, const cctsa_der_elem *cert,
				     const tsp_token_view *tv, const cctsa_buf *msg)
{
	const unsigned char *p = cert->der;
	X509 *x = d2i_X509(NULL, &p, (long)cert->der_len);
	EVP_PKEY *pk = x != NULL ? X509_get0_pubkey(x) : NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = 0;

	if (pk != NULL && !sig_alg_fits(&tv->signer, pk)) {
		EVP_MD_CTX_free(ctx);
		X509_free(x);
		return why(r, "signature algorithm does not fit the signer's key (ECDSA or RSA PKCS#1 v1.5 only)");
	}
	if (pk != NULL && ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, EVP_get_digestbyname(dname), NULL, pk) == 1) {
		ok = EVP_DigestVerify(ctx, tv->signer.sig, tv->signer.sig_len, msg->data, msg->len) == 1;
	}
	EVP_MD_CTX_free(ctx);
	X509_free(x);
	return ok ? CCTSA_OK : why(r, "%s signature does not verify", dname);
}

cctsa_err cctsa_tsp_check_token(tsp_check *r, const tsp_token_view *tv, const tsp_env *env)
{
	const char *dname = digest_name(&tv->signer.digest_alg);
	cctsa_der_elem cert;
	tsp_cert sc;
	cctsa_buf msg;
	cctsa_err err;

	memset(r, 0, sizeof(*r));
	r->present = 1;
	r->pq = cctsa_der_oid_is(tv->signer.sig_alg.val, tv->signer.sig_alg.val_len, TSP_OID_MLDSA65);
	if (cctsa_tsp_view_tstinfo(&r->ti, tv->tstinfo.val, tv->tstinfo.val_len, NULL) != CCTSA_OK) {
		return why(r, "TSTInfo does not parse");
	}
	if (dname == NULL) {
		return why(r, "unknown SignerInfo digest algorithm");
	}
	if (!find_signer(tv, env, &sc, &cert)) {
		return why(r, "signer certificate not found (token certificates or --untrusted)");
	}
	r->signer = cert;
	if (check_signed_attrs(r, tv, dname, &cert) != CCTSA_OK) {
		return CCTSA_E_VERIFY;
	}
	cctsa_buf_init(&msg, 0);
	err = signed_bytes(&msg, tv);
	if (err == CCTSA_OK) {
		err = r->pq ? check_sig_mldsa(r, tv, &sc, &msg)
			    : check_sig_classical(r, dname, &cert, tv, &msg);
	}
	cctsa_buf_free(&msg);
	if (err != CCTSA_OK) {
		return err;
	}
	err = r->pq ? cctsa_tsp_chain_pq(r, tv, env, &sc) : cctsa_tsp_chain_classical(r, tv, env);
	if (err == CCTSA_OK) {
		r->ok = 1;
	}
	return err;
}
