/*
 * TimeStampToken building (DESIGN.md §3): TSTInfo, signed attributes
 * (contentType, messageDigest, signingCertificateV2) in DER SET OF order, one
 * SignerInfo per token, the companion token as an unsigned attribute, and the
 * TimeStampResp wrapping.
 */
#include <openssl/evp.h>
#include <string.h>

#include "base/ct.h"
#include "tsp_int.h"

/* 1.3.6.1.4.1.32473.1.{4,3,2} */
const uint8_t CCTSA_TSP_OID_POLICY_DEFAULT[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x01, 0x04};
const uint8_t CCTSA_TSP_OID_POLICY_PQ[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x01, 0x03};
const uint8_t CCTSA_TSP_OID_COMPANION[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x81, 0xfd, 0x59, 0x01, 0x02};

cctsa_err cctsa_tsp_digest(const char *name, uint8_t *out, size_t *out_len, const uint8_t *p,
			   size_t n)
{
	const EVP_MD *md = EVP_get_digestbyname(name);
	unsigned int ol = 0;

	*out_len = 0;
	if (md == NULL) {
		return CCTSA_E_UNSUPPORTED;
	}
	if (EVP_Digest(p, n, out, &ol, md, NULL) != 1) {
		return CCTSA_E_CRYPTO;
	}
	*out_len = ol;
	return CCTSA_OK;
}

cctsa_err cctsa_tsp_put_fail_bits(cctsa_buf *b, unsigned bit)
{
	uint8_t v[4] = {0};
	size_t n = bit / 8 + 1;

	if (bit >= 32) {
		return CCTSA_E_USAGE;
	}
	v[bit / 8] = (uint8_t)(0x80u >> (bit % 8));
	return cctsa_der_put_bits(b, v, n, 7 - bit % 8);
}

cctsa_err cctsa_tsp_cert_parse(tsp_cert *out, const uint8_t *der, size_t len, cctsa_diag *diag)
{
	cctsa_cursor c, cert, tbs, val;
	cctsa_der_elem skip;
	uint32_t nanos;
	unsigned unused;
	cctsa_err err = CCTSA_OK;

	memset(out, 0, sizeof(*out));
	cctsa_cursor_init(&c, der, len);
	CCTSA_TRY(cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &cert, diag));
	CCTSA_TRY(cctsa_der_finish(&c, "Certificate", diag));
	CCTSA_TRY(cctsa_der_expect(&cert, CCTSA_DER_SEQUENCE, &out->tbs, diag));
	CCTSA_TRY(cctsa_der_expect(&cert, CCTSA_DER_SEQUENCE, &out->sig_alg, diag));
	CCTSA_TRY(cctsa_der_get_bits(&cert, &out->sig, &out->sig_len, &unused, diag));
	CCTSA_TRY(cctsa_der_finish(&cert, "Certificate", diag));
	CCTSA_ENSURE(unused == 0, CCTSA_E_MALFORMED);
	cctsa_cursor_init(&tbs, out->tbs.val, out->tbs.val_len);
	if (cctsa_der_peek(&tbs, CCTSA_DER_CTX_CONS(0))) {
		CCTSA_TRY(cctsa_der_read(&tbs, &skip, diag));
	}
	CCTSA_TRY(cctsa_der_expect(&tbs, CCTSA_DER_INTEGER, &out->serial, diag));
	CCTSA_TRY(cctsa_der_expect(&tbs, CCTSA_DER_SEQUENCE, &skip, diag));
	CCTSA_TRY(cctsa_der_expect(&tbs, CCTSA_DER_SEQUENCE, &out->issuer, diag));
	CCTSA_TRY(cctsa_der_enter(&tbs, CCTSA_DER_SEQUENCE, &val, diag));
	CCTSA_TRY(cctsa_der_get_time(&val, &out->not_before, &nanos, diag));
	CCTSA_TRY(cctsa_der_get_time(&val, &out->not_after, &nanos, diag));
	CCTSA_TRY(cctsa_der_finish(&val, "Validity", diag));
	CCTSA_TRY(cctsa_der_expect(&tbs, CCTSA_DER_SEQUENCE, &out->subject, diag));
	CCTSA_TRY(cctsa_der_expect(&tbs, CCTSA_DER_SEQUENCE, &out->spki, diag));
out:
	if (err != CCTSA_OK) {
		return cctsa_fail(diag, err, "certificate does not parse");
	}
	return CCTSA_OK;
}

static cctsa_err put_alg(cctsa_buf *b, const char *oid)
{
	size_t m;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &m));
	CCTSA_TRY(cctsa_der_put_oid_text(b, oid));
	CCTSA_TRY(cctsa_der_end(b, m));
out:
	return err;
}

static cctsa_err put_accuracy(cctsa_buf *b, uint32_t ms)
{
	size_t m;
	cctsa_err err = CCTSA_OK;

	if (ms == 0) {
		return CCTSA_OK;
	}
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &m));
	if (ms / 1000 != 0) {
		CCTSA_TRY(cctsa_der_put_u64(b, ms / 1000));
	}
	if (ms % 1000 != 0) {
		CCTSA_TRY(cctsa_der_put_u64_tag(b, CCTSA_DER_CTX(0), ms % 1000));
	}
	CCTSA_TRY(cctsa_der_end(b, m));
out:
	return err;
}

/* TSTInfo (RFC 3161 §2.4.2); tsa_name is the Name TLV of the signer's subject. */
static cctsa_err put_tstinfo(cctsa_buf *b, const cctsa_tsp_req *req, const cctsa_tsp_issue *is,
			     const cctsa_der_elem *tsa_name)
{
	size_t top, mi, alg, t0, t4;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &top));
	CCTSA_TRY(cctsa_der_put_u64(b, 1));
	CCTSA_TRY(cctsa_der_put_oid(b, is->policy, is->policy_len));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &mi));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &alg));
	CCTSA_TRY(cctsa_der_put_oid_text(b, cctsa_tsp_hash_oid(req->hash)));
	if (req->hash_null_params) {
		CCTSA_TRY(cctsa_der_put_null(b));
	}
	CCTSA_TRY(cctsa_der_end(b, alg));
	CCTSA_TRY(cctsa_der_put_octets(b, req->imprint, req->imprint_len));
	CCTSA_TRY(cctsa_der_end(b, mi));
	CCTSA_TRY(cctsa_der_put_uint(b, is->serial, is->serial_len));
	CCTSA_TRY(cctsa_der_put_gentime(b, is->gen_time_ms / 1000, (uint32_t)(is->gen_time_ms % 1000)));
	CCTSA_TRY(put_accuracy(b, is->accuracy_ms));
	if (req->nonce_len != 0) {
		CCTSA_TRY(cctsa_der_put_tlv(b, CCTSA_DER_INTEGER, req->nonce, req->nonce_len));
	}
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_CTX_CONS(0), &t0));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_CTX_CONS(4), &t4));
	CCTSA_TRY(cctsa_der_put_raw(b, tsa_name->der, tsa_name->der_len));
	CCTSA_TRY(cctsa_der_end(b, t4));
	CCTSA_TRY(cctsa_der_end(b, t0));
	CCTSA_TRY(cctsa_der_end(b, top));
out:
	return err;
}

/* Attribute ::= SEQUENCE { attrType OID, attrValues SET { value } } with value pre-encoded. */
static cctsa_err put_attr(cctsa_buf *b, const char *oid, const uint8_t *val, size_t n)
{
	size_t seq, set;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &seq));
	CCTSA_TRY(cctsa_der_put_oid_text(b, oid));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SET, &set));
	CCTSA_TRY(cctsa_der_put_raw(b, val, n));
	CCTSA_TRY(cctsa_der_end(b, set));
	CCTSA_TRY(cctsa_der_end(b, seq));
out:
	return err;
}

/*
 * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }, one
 * ESSCertIDv2 { certHash SHA-256 (hashAlgorithm DEFAULT, omitted), issuerSerial }.
 */
static cctsa_err put_signing_cert_v2(cctsa_buf *b, const cctsa_tsp_signer *s, const tsp_cert *c)
{
	uint8_t h[EVP_MAX_MD_SIZE];
	size_t hl, scv2, certs, id, is, gns, dn;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_tsp_digest("sha256", h, &hl, s->cert, s->cert_len));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &scv2));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &certs));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &id));
	CCTSA_TRY(cctsa_der_put_octets(b, h, hl));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &is));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &gns));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_CTX_CONS(4), &dn));
	CCTSA_TRY(cctsa_der_put_raw(b, c->issuer.der, c->issuer.der_len));
	CCTSA_TRY(cctsa_der_end(b, dn));
	CCTSA_TRY(cctsa_der_end(b, gns));
	CCTSA_TRY(cctsa_der_put_raw(b, c->serial.der, c->serial.der_len));
	CCTSA_TRY(cctsa_der_end(b, is));
	CCTSA_TRY(cctsa_der_end(b, id));
	CCTSA_TRY(cctsa_der_end(b, certs));
	CCTSA_TRY(cctsa_der_end(b, scv2));
out:
	return err;
}

/* The DER SET OF signed attributes (tag 0x31: what is digested and signed). */
static cctsa_err put_signed_attrs(cctsa_buf *b, const cctsa_tsp_signer *s, const tsp_cert *c,
				  const uint8_t *tst, size_t tst_len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdl, set;
	cctsa_buf ct, dg, sc;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&ct, 0);
	cctsa_buf_init(&dg, 0);
	cctsa_buf_init(&sc, 0);
	CCTSA_TRY(cctsa_tsp_digest(s->alg == CCTSA_TSP_SIG_MLDSA65 ? "sha512" : "sha384", md, &mdl,
				   tst, tst_len));
	CCTSA_TRY(cctsa_der_put_oid_text(&ct, TSP_OID_CT_TSTINFO));
	CCTSA_TRY(cctsa_der_put_octets(&dg, md, mdl));
	CCTSA_TRY(put_signing_cert_v2(&sc, s, c));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SET, &set));
	CCTSA_TRY(put_attr(b, TSP_OID_ATTR_CONTENT_TYPE, ct.data, ct.len));
	CCTSA_TRY(put_attr(b, TSP_OID_ATTR_MESSAGE_DIGEST, dg.data, dg.len));
	CCTSA_TRY(put_attr(b, TSP_OID_ATTR_SIGNING_CERT_V2, sc.data, sc.len));
	CCTSA_TRY(cctsa_der_end_set(b, set));
out:
	cctsa_buf_free(&ct);
	cctsa_buf_free(&dg);
	cctsa_buf_free(&sc);
	return err;
}

/* Calls the signer and encodes its raw output as the SignerInfo signature OCTET STRING. */
static cctsa_err put_signature(cctsa_buf *b, const cctsa_tsp_signer *s, const uint8_t *sa,
			       size_t sa_len, const uint8_t *tst, size_t tst_len, cctsa_diag *diag)
{
	cctsa_buf raw, enc;
	size_t m;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&raw, 0);
	cctsa_buf_init(&enc, 0);
	CCTSA_TRY(s->sign(s->sign_ctx, &raw, sa, sa_len, tst, tst_len, diag));
	if (s->alg == CCTSA_TSP_SIG_MLDSA65) {
		CCTSA_ENSURE(raw.len == TSP_MLDSA_SIG_LEN, CCTSA_E_INTERNAL);
		CCTSA_TRY(cctsa_der_put_octets(b, raw.data, raw.len));
	} else {
		CCTSA_ENSURE(raw.len == TSP_ECDSA_RAW_LEN, CCTSA_E_INTERNAL);
		CCTSA_TRY(cctsa_der_begin(&enc, CCTSA_DER_SEQUENCE, &m));
		CCTSA_TRY(cctsa_der_put_uint(&enc, raw.data, TSP_ECDSA_RAW_LEN / 2));
		CCTSA_TRY(cctsa_der_put_uint(&enc, raw.data + TSP_ECDSA_RAW_LEN / 2, TSP_ECDSA_RAW_LEN / 2));
		CCTSA_TRY(cctsa_der_end(&enc, m));
		CCTSA_TRY(cctsa_der_put_octets(b, enc.data, enc.len));
	}
out:
	cctsa_buf_free(&raw);
	cctsa_buf_free(&enc);
	return err;
}

/* SignerInfo: v1, issuerAndSerialNumber, digest, [0] signed attrs, alg, sig, [1] unsigned. */
static cctsa_err put_signer_info(cctsa_buf *b, const cctsa_tsp_signer *s, const tsp_cert *c,
				 const uint8_t *tst, size_t tst_len, const uint8_t *companion,
				 size_t companion_len, cctsa_diag *diag)
{
	int pq = s->alg == CCTSA_TSP_SIG_MLDSA65;
	size_t si, sid, ua;
	cctsa_buf sa;
	cctsa_cursor cur;
	cctsa_der_elem sa_set;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&sa, 0);
	CCTSA_TRY(put_signed_attrs(&sa, s, c, tst, tst_len));
	cctsa_cursor_init(&cur, sa.data, sa.len);
	CCTSA_TRY(cctsa_der_read(&cur, &sa_set, diag));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &si));
	CCTSA_TRY(cctsa_der_put_u64(b, 1));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &sid));
	CCTSA_TRY(cctsa_der_put_raw(b, c->issuer.der, c->issuer.der_len));
	CCTSA_TRY(cctsa_der_put_raw(b, c->serial.der, c->serial.der_len));
	CCTSA_TRY(cctsa_der_end(b, sid));
	CCTSA_TRY(put_alg(b, pq ? TSP_OID_SHA512 : TSP_OID_SHA384));
	/* signedAttrs [0] IMPLICIT SET OF: the signed SET's contents under tag [0] */
	CCTSA_TRY(cctsa_der_put_tlv(b, CCTSA_DER_CTX_CONS(0), sa_set.val, sa_set.val_len));
	CCTSA_TRY(put_alg(b, pq ? TSP_OID_MLDSA65 : TSP_OID_ECDSA_SHA384));
	CCTSA_TRY(put_signature(b, s, sa.data, sa.len, tst, tst_len, diag));
	if (companion != NULL) {
		size_t attr, set;
		CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_CTX_CONS(1), &ua));
		CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &attr));
		CCTSA_TRY(cctsa_der_put_oid(b, CCTSA_TSP_OID_COMPANION, CCTSA_TSP_OID_PROJECT_LEN));
		CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SET, &set));
		CCTSA_TRY(cctsa_der_put_raw(b, companion, companion_len));
		CCTSA_TRY(cctsa_der_end(b, set));
		CCTSA_TRY(cctsa_der_end(b, attr));
		CCTSA_TRY(cctsa_der_end(b, ua));
	}
	CCTSA_TRY(cctsa_der_end(b, si));
out:
	cctsa_buf_free(&sa);
	return err;
}

/* certificates [0] IMPLICIT SET OF: the signer's certificate and its chain. */
static cctsa_err put_certs(cctsa_buf *b, const cctsa_tsp_signer *s)
{
	size_t set;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_CTX_CONS(0), &set));
	CCTSA_TRY(cctsa_der_put_raw(b, s->cert, s->cert_len));
	if (s->chain_len != 0) {
		CCTSA_TRY(cctsa_der_put_raw(b, s->chain, s->chain_len));
	}
	CCTSA_TRY(cctsa_der_end_set(b, set));
out:
	return err;
}

/* ContentInfo { id-signedData, [0] SignedData } for one signer over tst. */
static cctsa_err put_token(cctsa_buf *b, const cctsa_tsp_signer *s, const tsp_cert *c,
			   const uint8_t *tst, size_t tst_len, int with_certs,
			   const uint8_t *companion, size_t companion_len, cctsa_diag *diag)
{
	size_t ci, e0, sd, dalgs, eci, ec0, sis;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &ci));
	CCTSA_TRY(cctsa_der_put_oid_text(b, TSP_OID_SIGNED_DATA));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_CTX_CONS(0), &e0));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &sd));
	CCTSA_TRY(cctsa_der_put_u64(b, 3));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SET, &dalgs));
	CCTSA_TRY(put_alg(b, s->alg == CCTSA_TSP_SIG_MLDSA65 ? TSP_OID_SHA512 : TSP_OID_SHA384));
	CCTSA_TRY(cctsa_der_end(b, dalgs));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &eci));
	CCTSA_TRY(cctsa_der_put_oid_text(b, TSP_OID_CT_TSTINFO));
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_CTX_CONS(0), &ec0));
	CCTSA_TRY(cctsa_der_put_octets(b, tst, tst_len));
	CCTSA_TRY(cctsa_der_end(b, ec0));
	CCTSA_TRY(cctsa_der_end(b, eci));
	if (with_certs) {
		CCTSA_TRY(put_certs(b, s));
	}
	CCTSA_TRY(cctsa_der_begin(b, CCTSA_DER_SET, &sis));
	CCTSA_TRY(put_signer_info(b, s, c, tst, tst_len, companion, companion_len, diag));
	CCTSA_TRY(cctsa_der_end(b, sis));
	CCTSA_TRY(cctsa_der_end(b, sd));
	CCTSA_TRY(cctsa_der_end(b, e0));
	CCTSA_TRY(cctsa_der_end(b, ci));
out:
	return err;
}

static cctsa_err check_inputs(const cctsa_tsp_req *req, const cctsa_tsp_issue *is,
			      const cctsa_tsp_signer *outer, const cctsa_tsp_signer *inner,
			      cctsa_diag *diag)
{
	size_t skip = 0;

	while (skip < is->serial_len && is->serial[skip] == 0) {
		skip++;
	}
	if (is->serial_len > CCTSA_TSP_SERIAL_MAX || skip == is->serial_len ||
	    (is->serial_len - skip == CCTSA_TSP_SERIAL_MAX && (is->serial[skip] & 0x80) != 0)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "serial must be positive and fit 20 octets");
	}
	if (is->gen_time_ms < 0 || is->policy == NULL || is->policy_len == 0 ||
	    cctsa_tsp_hash_oid(req->hash) == NULL ||
	    req->imprint_len != cctsa_tsp_hash_len(req->hash) || outer == NULL ||
	    outer->sign == NULL || (inner != NULL && (inner->sign == NULL || inner->alg == outer->alg))) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "token: bad request, issue or signer fields");
	}
	return CCTSA_OK;
}

cctsa_err cctsa_tsp_token_build(cctsa_buf *token, const cctsa_tsp_req *req,
				const cctsa_tsp_issue *issue, const cctsa_tsp_signer *outer,
				const cctsa_tsp_signer *inner, cctsa_diag *diag)
{
	tsp_cert oc, ic;
	cctsa_buf tst, comp;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&tst, 0);
	cctsa_buf_init(&comp, 0);
	CCTSA_TRY(check_inputs(req, issue, outer, inner, diag));
	CCTSA_TRY(cctsa_tsp_cert_parse(&oc, outer->cert, outer->cert_len, diag));
	CCTSA_TRY(put_tstinfo(&tst, req, issue, &oc.subject));
	if (inner != NULL) {
		CCTSA_TRY(cctsa_tsp_cert_parse(&ic, inner->cert, inner->cert_len, diag));
		CCTSA_TRY(put_token(&comp, inner, &ic, tst.data, tst.len, req->cert_req, NULL, 0, diag));
	}
	CCTSA_TRY(put_token(token, outer, &oc, tst.data, tst.len, req->cert_req,
			    inner != NULL ? comp.data : NULL, comp.len, diag));
out:
	cctsa_buf_free(&tst);
	cctsa_buf_free(&comp);
	return err;
}

cctsa_err cctsa_tsp_sign_check(cctsa_tsp_tstinfo_fields *out, cctsa_tsp_sigalg alg,
			       const uint8_t *cert, size_t cert_len, const uint8_t *msg, size_t msg_len,
			       const uint8_t *tst, size_t tst_len, cctsa_diag *diag)
{
	cctsa_tsp_signer s = {alg, cert, cert_len, NULL, 0, NULL, NULL};
	tsp_cert c;
	cctsa_buf want;
	cctsa_err err = CCTSA_OK;

	memset(out, 0, sizeof(*out));
	cctsa_buf_init(&want, 0);
	CCTSA_ENSURE(alg == CCTSA_TSP_SIG_ECDSA_P384 || alg == CCTSA_TSP_SIG_MLDSA65, CCTSA_E_USAGE);
	CCTSA_TRY(cctsa_tsp_cert_parse(&c, cert, cert_len, diag));
	CCTSA_TRY(cctsa_tsp_tstinfo_fields_read(out, tst, tst_len, diag));
	CCTSA_TRY(put_signed_attrs(&want, &s, &c, tst, tst_len));
	if (want.len != msg_len || cctsa_memcmp_var(want.data, msg, msg_len) != 0) {
		err = cctsa_fail(diag, CCTSA_E_VERIFY,
				 "signed attributes are not those of this TSTInfo and certificate");
	}
out:
	if (err != CCTSA_OK) {
		memset(out, 0, sizeof(*out));
	}
	cctsa_buf_free(&want);
	return err;
}

cctsa_err cctsa_tsp_resp_granted(cctsa_buf *out, const uint8_t *token, size_t token_len)
{
	size_t top, st;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &top));
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &st));
	CCTSA_TRY(cctsa_der_put_u64(out, CCTSA_TSP_STATUS_GRANTED));
	CCTSA_TRY(cctsa_der_end(out, st));
	CCTSA_TRY(cctsa_der_put_raw(out, token, token_len));
	CCTSA_TRY(cctsa_der_end(out, top));
out:
	return err;
}

cctsa_err cctsa_tsp_resp_rejection(cctsa_buf *out, unsigned fail_bit, const char *text)
{
	size_t top, st, ft;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &top));
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &st));
	CCTSA_TRY(cctsa_der_put_u64(out, CCTSA_TSP_STATUS_REJECTION));
	if (text != NULL && text[0] != '\0') {
		CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &ft));
		CCTSA_TRY(cctsa_der_put_utf8(out, text, strnlen(text, CCTSA_DIAG_MAX)));
		CCTSA_TRY(cctsa_der_end(out, ft));
	}
	CCTSA_TRY(cctsa_tsp_put_fail_bits(out, fail_bit));
	CCTSA_TRY(cctsa_der_end(out, st));
	CCTSA_TRY(cctsa_der_end(out, top));
out:
	return err;
}
