/* x509: strict parsing of certificates, extensions and PKCS#10 requests. */
#include <string.h>

#include "base/ct.h"
#include "x509/x509_int.h"

#define MAX_EXTS 32

static cctsa_err parse_bc(cctsa_x509_cert *c, cctsa_cursor *v, cctsa_diag *diag)
{
	cctsa_cursor seq;
	uint64_t pl = 0;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_enter(v, CCTSA_DER_SEQUENCE, &seq, diag));
	if (cctsa_der_peek(&seq, CCTSA_DER_BOOLEAN)) {
		CCTSA_TRY(cctsa_der_get_bool(&seq, &c->is_ca, diag));
		CCTSA_ENSURE(c->is_ca, cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: basicConstraints cA FALSE must be absent (DER)"));
	}
	if (cctsa_cursor_left(&seq) > 0) {
		CCTSA_TRY(cctsa_der_get_u64(&seq, CCTSA_DER_INTEGER, 255, &pl, diag));
		c->path_len = (int)pl;
	}
	CCTSA_TRY(cctsa_der_finish(&seq, "basicConstraints", diag));
out:
	return err;
}

static cctsa_err parse_ku(cctsa_x509_cert *c, cctsa_cursor *v, cctsa_diag *diag)
{
	const uint8_t *b = NULL;
	size_t n = 0;
	unsigned unused = 0;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_get_bits(v, &b, &n, &unused, diag));
	CCTSA_ENSURE(n >= 1 && n <= 2 && (b[n - 1] & (1u << unused)) != 0,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: keyUsage is empty or has trailing zero bits"));
	c->has_ku = 1;
	c->ku = b[0] | (n > 1 ? (unsigned)b[1] << 8 : 0u);
out:
	return err;
}

static cctsa_err parse_eku(cctsa_x509_cert *c, cctsa_cursor *v, cctsa_diag *diag)
{
	cctsa_cursor seq;
	cctsa_der_elem oid = {0};
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_enter(v, CCTSA_DER_SEQUENCE, &seq, diag));
	while (cctsa_cursor_left(&seq) > 0) {
		CCTSA_TRY(cctsa_der_get_oid(&seq, &oid, diag));
		c->eku_n++;
		c->eku_ts |= cctsa_der_oid_is(oid.val, oid.val_len, CCTSA_OID_KP_TIMESTAMPING);
	}
	CCTSA_ENSURE(c->eku_n > 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: empty extendedKeyUsage"));
	c->has_eku = 1;
out:
	return err;
}

static cctsa_err parse_aki(cctsa_x509_cert *c, cctsa_cursor *v, cctsa_diag *diag)
{
	cctsa_cursor seq;
	cctsa_der_elem e = {0};
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_enter(v, CCTSA_DER_SEQUENCE, &seq, diag));
	if (cctsa_der_peek(&seq, CCTSA_DER_CTX(0))) {
		CCTSA_TRY(cctsa_der_expect(&seq, CCTSA_DER_CTX(0), &e, diag));
		c->aki = e.val;
		c->aki_len = e.val_len;
	}
	if (cctsa_der_peek(&seq, CCTSA_DER_CTX_CONS(1))) {
		CCTSA_TRY(cctsa_der_expect(&seq, CCTSA_DER_CTX_CONS(1), &e, diag));
	}
	if (cctsa_der_peek(&seq, CCTSA_DER_CTX(2))) {
		CCTSA_TRY(cctsa_der_expect(&seq, CCTSA_DER_CTX(2), &e, diag));
	}
	CCTSA_TRY(cctsa_der_finish(&seq, "authorityKeyIdentifier", diag));
out:
	return err;
}

cctsa_err cctsa_x509_parse_policies_value(cctsa_x509_cert *c, cctsa_cursor *v, cctsa_diag *diag)
{
	cctsa_cursor seq, pi;
	cctsa_der_elem oid = {0}, q = {0};
	cctsa_err err = CCTSA_OK;

	c->policies = v->ptr + v->pos;
	c->policies_len = cctsa_cursor_left(v);
	CCTSA_TRY(cctsa_der_enter(v, CCTSA_DER_SEQUENCE, &seq, diag));
	CCTSA_ENSURE(cctsa_cursor_left(&seq) > 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: empty certificatePolicies"));
	while (cctsa_cursor_left(&seq) > 0) {
		CCTSA_TRY(cctsa_der_enter(&seq, CCTSA_DER_SEQUENCE, &pi, diag));
		CCTSA_TRY(cctsa_der_get_oid(&pi, &oid, diag));
		if (cctsa_cursor_left(&pi) > 0) {
			CCTSA_TRY(cctsa_der_expect(&pi, CCTSA_DER_SEQUENCE, &q, diag));
		}
		CCTSA_TRY(cctsa_der_finish(&pi, "PolicyInformation", diag));
	}
out:
	return err;
}

/* Dispatches one extension value; *known says whether we understood it. */
static cctsa_err parse_ext(cctsa_x509_cert *c, const cctsa_der_elem *oid, cctsa_cursor *v, int *known,
			   cctsa_diag *diag)
{
	const uint8_t *o = oid->val;
	size_t n = oid->val_len;
	cctsa_der_elem e = {0};
	cctsa_err err = CCTSA_OK;

	*known = 1;
	if (cctsa_der_oid_is(o, n, CCTSA_OID_EXT_BASIC_CONSTRAINTS)) {
		CCTSA_TRY(parse_bc(c, v, diag));
	} else if (cctsa_der_oid_is(o, n, CCTSA_OID_EXT_KEY_USAGE)) {
		CCTSA_TRY(parse_ku(c, v, diag));
	} else if (cctsa_der_oid_is(o, n, CCTSA_OID_EXT_EKU)) {
		CCTSA_TRY(parse_eku(c, v, diag));
	} else if (cctsa_der_oid_is(o, n, CCTSA_OID_EXT_SKI)) {
		CCTSA_TRY(cctsa_der_get_octets(v, CCTSA_DER_OCTET_STRING, &c->ski, &c->ski_len, diag));
	} else if (cctsa_der_oid_is(o, n, CCTSA_OID_EXT_AKI)) {
		CCTSA_TRY(parse_aki(c, v, diag));
	} else if (cctsa_der_oid_is(o, n, CCTSA_OID_EXT_CERT_POLICIES)) {
		CCTSA_TRY(cctsa_x509_parse_policies_value(c, v, diag));
	} else if (cctsa_der_oid_is(o, n, CCTSA_OID_BINDING_EXT)) {
		c->binding = v->ptr + v->pos;
		c->binding_len = cctsa_cursor_left(v);
		CCTSA_TRY(cctsa_der_expect(v, CCTSA_DER_SEQUENCE, &e, diag));
	} else {
		*known = 0;
		CCTSA_TRY(cctsa_der_read(v, &e, diag));
	}
	CCTSA_TRY(cctsa_der_finish(v, "extension value", diag));
out:
	return err;
}

cctsa_err cctsa_x509_parse_exts(cctsa_x509_cert *c, cctsa_cursor *exts, cctsa_diag *diag)
{
	cctsa_der_elem seen[MAX_EXTS];
	size_t nseen = 0;
	cctsa_err err = CCTSA_OK;

	while (cctsa_cursor_left(exts) > 0) {
		cctsa_cursor ext, val;
		cctsa_der_elem oid = {0};
		int critical = 0, known;
		char text[CCTSA_DER_OID_TEXT_MAX];

		CCTSA_TRY(cctsa_der_enter(exts, CCTSA_DER_SEQUENCE, &ext, diag));
		CCTSA_TRY(cctsa_der_get_oid(&ext, &oid, diag));
		for (size_t i = 0; i < nseen; i++) {
			CCTSA_ENSURE(seen[i].val_len != oid.val_len ||
					     cctsa_memcmp_var(seen[i].val, oid.val, oid.val_len) != 0,
				     cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: duplicate extension"));
		}
		CCTSA_ENSURE(nseen < MAX_EXTS, cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: more than %d extensions", MAX_EXTS));
		seen[nseen++] = oid;
		if (cctsa_der_peek(&ext, CCTSA_DER_BOOLEAN)) {
			CCTSA_TRY(cctsa_der_get_bool(&ext, &critical, diag));
			CCTSA_ENSURE(critical, cctsa_fail(diag, CCTSA_E_MALFORMED,
							  "x509: critical FALSE must be absent (DER)"));
		}
		CCTSA_TRY(cctsa_der_enter(&ext, CCTSA_DER_OCTET_STRING, &val, diag));
		CCTSA_TRY(cctsa_der_finish(&ext, "Extension", diag));
		CCTSA_TRY(parse_ext(c, &oid, &val, &known, diag));
		if (cctsa_der_oid_is(oid.val, oid.val_len, CCTSA_OID_EXT_EKU)) {
			c->eku_critical = critical;
		}
		if (critical && !known) {
			if (cctsa_der_oid_to_text(text, sizeof(text), oid.val, oid.val_len) != CCTSA_OK) {
				text[0] = '\0';
			}
			err = cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "x509: unknown critical extension %s", text);
			goto out;
		}
	}
out:
	return err;
}

/* Name ::= SEQUENCE OF RDN; RDN ::= SET SIZE (1..MAX) OF SEQUENCE { type OID, value ANY }. */
static cctsa_err read_name(cctsa_cursor *c, const uint8_t **der, size_t *len, const char *what, cctsa_diag *diag)
{
	cctsa_der_elem name = {0}, oid = {0}, val = {0};
	cctsa_cursor rdns, rdn, atv;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_expect(c, CCTSA_DER_SEQUENCE, &name, diag));
	cctsa_cursor_init(&rdns, name.val, name.val_len);
	while (cctsa_cursor_left(&rdns) > 0) {
		CCTSA_TRY(cctsa_der_enter(&rdns, CCTSA_DER_SET, &rdn, diag));
		CCTSA_ENSURE(cctsa_cursor_left(&rdn) > 0,
			     cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: %s has an empty RDN", what));
		while (cctsa_cursor_left(&rdn) > 0) {
			CCTSA_TRY(cctsa_der_enter(&rdn, CCTSA_DER_SEQUENCE, &atv, diag));
			CCTSA_TRY(cctsa_der_get_oid(&atv, &oid, diag));
			CCTSA_TRY(cctsa_der_read(&atv, &val, diag));
			CCTSA_TRY(cctsa_der_finish(&atv, "AttributeTypeAndValue", diag));
		}
	}
	*der = name.der;
	*len = name.der_len;
out:
	return err;
}

/* Certificate / CertificationRequest outer shell: SEQUENCE { body, AlgorithmIdentifier, BIT STRING }. */
static cctsa_err parse_signed(const uint8_t *der, size_t len, cctsa_der_elem *body, const uint8_t **alg_der,
			      size_t *alg_len, cctsa_sig_alg *alg, const uint8_t **sig, size_t *sig_len,
			      cctsa_diag *diag)
{
	cctsa_cursor c, seq;
	unsigned unused = 0;
	size_t pos;
	cctsa_err err = CCTSA_OK;

	cctsa_cursor_init(&c, der, len);
	CCTSA_TRY(cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &seq, diag));
	CCTSA_TRY(cctsa_der_finish(&c, "the signed object", diag));
	CCTSA_TRY(cctsa_der_expect(&seq, CCTSA_DER_SEQUENCE, body, diag));
	pos = seq.pos;
	CCTSA_TRY(cctsa_x509_read_alg(&seq, alg, diag));
	*alg_der = seq.ptr + pos;
	*alg_len = seq.pos - pos;
	CCTSA_TRY(cctsa_der_get_bits(&seq, sig, sig_len, &unused, diag));
	CCTSA_ENSURE(unused == 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: signature BIT STRING has unused bits"));
	CCTSA_TRY(cctsa_der_finish(&seq, "the signed object", diag));
out:
	return err;
}

static cctsa_err parse_validity(cctsa_x509_cert *c, cctsa_cursor *tbs, cctsa_diag *diag)
{
	cctsa_cursor v;
	uint32_t ns = 0;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_enter(tbs, CCTSA_DER_SEQUENCE, &v, diag));
	CCTSA_TRY(cctsa_der_get_time(&v, &c->not_before, &ns, diag));
	CCTSA_TRY(cctsa_der_get_time(&v, &c->not_after, &ns, diag));
	CCTSA_TRY(cctsa_der_finish(&v, "Validity", diag));
out:
	return err;
}

static cctsa_err parse_tbs(cctsa_x509_cert *c, const uint8_t *alg_der, size_t alg_len, cctsa_diag *diag)
{
	cctsa_cursor tbs, ver, exts;
	cctsa_der_elem e = {0};
	uint64_t version = 0;
	size_t pos;
	cctsa_sig_alg inner = CCTSA_SIG_NONE;
	cctsa_err err = CCTSA_OK;

	cctsa_cursor_init(&tbs, c->tbs, c->tbs_len);
	CCTSA_TRY(cctsa_der_enter(&tbs, CCTSA_DER_SEQUENCE, &tbs, diag));
	if (cctsa_der_peek(&tbs, CCTSA_DER_CTX_CONS(0))) {
		CCTSA_TRY(cctsa_der_enter(&tbs, CCTSA_DER_CTX_CONS(0), &ver, diag));
		CCTSA_TRY(cctsa_der_get_u64(&ver, CCTSA_DER_INTEGER, 2, &version, diag));
		CCTSA_TRY(cctsa_der_finish(&ver, "version", diag));
		CCTSA_ENSURE(version == 2, cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: only v3 (or absent v1) is accepted"));
	}
	CCTSA_TRY(cctsa_der_expect(&tbs, CCTSA_DER_INTEGER, &e, diag));
	CCTSA_TRY(cctsa_der_check_int(e.val, e.val_len, diag));
	c->serial = e.val;
	c->serial_len = e.val_len;
	pos = tbs.pos;
	CCTSA_TRY(cctsa_x509_read_alg(&tbs, &inner, diag));
	CCTSA_ENSURE(tbs.pos - pos == alg_len && cctsa_memcmp_var(tbs.ptr + pos, alg_der, alg_len) == 0,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: signatureAlgorithm differs from tbsCertificate.signature"));
	CCTSA_TRY(read_name(&tbs, &c->issuer, &c->issuer_len, "issuer", diag));
	CCTSA_TRY(parse_validity(c, &tbs, diag));
	CCTSA_TRY(read_name(&tbs, &c->subject, &c->subject_len, "subject", diag));
	CCTSA_TRY(cctsa_der_expect(&tbs, CCTSA_DER_SEQUENCE, &e, diag));
	c->spki = e.der;
	c->spki_len = e.der_len;
	CCTSA_TRY(cctsa_x509_spki_parse(c->spki, c->spki_len, &c->key_alg, &c->pub, &c->pub_len, diag));
	if (version == 2 && cctsa_der_peek(&tbs, CCTSA_DER_CTX(1))) {
		CCTSA_TRY(cctsa_der_read(&tbs, &e, diag));
	}
	if (version == 2 && cctsa_der_peek(&tbs, CCTSA_DER_CTX(2))) {
		CCTSA_TRY(cctsa_der_read(&tbs, &e, diag));
	}
	if (version == 2 && cctsa_der_peek(&tbs, CCTSA_DER_CTX_CONS(3))) {
		CCTSA_TRY(cctsa_der_enter(&tbs, CCTSA_DER_CTX_CONS(3), &exts, diag));
		CCTSA_TRY(cctsa_der_finish(&tbs, "tbsCertificate", diag));
		CCTSA_TRY(cctsa_der_enter(&exts, CCTSA_DER_SEQUENCE, &ver, diag));
		CCTSA_TRY(cctsa_der_finish(&exts, "extensions", diag));
		CCTSA_ENSURE(cctsa_cursor_left(&ver) > 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: empty extensions"));
		CCTSA_TRY(cctsa_x509_parse_exts(c, &ver, diag));
	}
	CCTSA_TRY(cctsa_der_finish(&tbs, "tbsCertificate", diag));
out:
	return err;
}

cctsa_err cctsa_x509_cert_parse(cctsa_x509_cert *c, const uint8_t *der, size_t len, cctsa_diag *diag)
{
	cctsa_der_elem body = {0};
	const uint8_t *alg_der;
	size_t alg_len;
	cctsa_err err = CCTSA_OK;

	memset(c, 0, sizeof(*c));
	c->path_len = -1;
	CCTSA_TRY(parse_signed(der, len, &body, &alg_der, &alg_len, &c->sig_alg, &c->sig, &c->sig_len, diag));
	c->der = der;
	c->der_len = len;
	c->tbs = body.der;
	c->tbs_len = body.der_len;
	CCTSA_TRY(parse_tbs(c, alg_der, alg_len, diag));
out:
	if (err != CCTSA_OK) {
		memset(c, 0, sizeof(*c));
	}
	return err;
}

int cctsa_x509_cert_has_policy(const cctsa_x509_cert *c, const char *policy_oid)
{
	cctsa_cursor cur, seq, pi;
	cctsa_der_elem oid = {0};

	if (c->policies == NULL) {
		return 0;
	}
	cctsa_cursor_init(&cur, c->policies, c->policies_len);
	if (cctsa_der_enter(&cur, CCTSA_DER_SEQUENCE, &seq, NULL) != CCTSA_OK) {
		return 0;
	}
	while (cctsa_der_enter(&seq, CCTSA_DER_SEQUENCE, &pi, NULL) == CCTSA_OK) {
		if (cctsa_der_get_oid(&pi, &oid, NULL) == CCTSA_OK &&
		    cctsa_der_oid_is(oid.val, oid.val_len, policy_oid)) {
			return 1;
		}
	}
	return 0;
}

/* CSR attributes: only extensionRequest is read (policies and binding); others skipped. */
static cctsa_err parse_attrs(cctsa_x509_csr *r, cctsa_cursor *attrs, cctsa_diag *diag)
{
	int seen = 0;
	cctsa_err err = CCTSA_OK;

	while (cctsa_cursor_left(attrs) > 0) {
		cctsa_cursor at, vals, exts;
		cctsa_der_elem oid = {0};
		cctsa_x509_cert tmp;

		CCTSA_TRY(cctsa_der_enter(attrs, CCTSA_DER_SEQUENCE, &at, diag));
		CCTSA_TRY(cctsa_der_get_oid(&at, &oid, diag));
		CCTSA_TRY(cctsa_der_enter(&at, CCTSA_DER_SET, &vals, diag));
		CCTSA_TRY(cctsa_der_finish(&at, "Attribute", diag));
		if (!cctsa_der_oid_is(oid.val, oid.val_len, CCTSA_OID_EXTENSION_REQUEST)) {
			continue;
		}
		CCTSA_ENSURE(!seen, cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: duplicate extensionRequest"));
		seen = 1;
		CCTSA_TRY(cctsa_der_enter(&vals, CCTSA_DER_SEQUENCE, &exts, diag));
		CCTSA_TRY(cctsa_der_finish(&vals, "extensionRequest", diag));
		memset(&tmp, 0, sizeof(tmp));
		CCTSA_TRY(cctsa_x509_parse_exts(&tmp, &exts, diag));
		r->policies = tmp.policies;
		r->policies_len = tmp.policies_len;
		r->binding = tmp.binding;
		r->binding_len = tmp.binding_len;
	}
out:
	return err;
}

cctsa_err cctsa_x509_csr_parse(cctsa_x509_csr *r, const uint8_t *der, size_t len, cctsa_diag *diag)
{
	cctsa_der_elem body = {0}, e = {0};
	cctsa_cursor info, attrs;
	const uint8_t *alg_der, *pub;
	size_t alg_len, pub_len;
	uint64_t version = 0;
	cctsa_err err = CCTSA_OK;

	memset(r, 0, sizeof(*r));
	CCTSA_TRY(parse_signed(der, len, &body, &alg_der, &alg_len, &r->sig_alg, &r->sig, &r->sig_len, diag));
	r->der = der;
	r->der_len = len;
	r->info = body.der;
	r->info_len = body.der_len;
	cctsa_cursor_init(&info, body.val, body.val_len);
	CCTSA_TRY(cctsa_der_get_u64(&info, CCTSA_DER_INTEGER, 0, &version, diag));
	CCTSA_TRY(read_name(&info, &r->subject, &r->subject_len, "subject", diag));
	CCTSA_TRY(cctsa_der_expect(&info, CCTSA_DER_SEQUENCE, &e, diag));
	r->spki = e.der;
	r->spki_len = e.der_len;
	CCTSA_TRY(cctsa_x509_spki_parse(r->spki, r->spki_len, &r->key_alg, &pub, &pub_len, diag));
	CCTSA_TRY(cctsa_der_enter(&info, CCTSA_DER_CTX_CONS(0), &attrs, diag));
	CCTSA_TRY(cctsa_der_finish(&info, "CertificationRequestInfo", diag));
	CCTSA_TRY(parse_attrs(r, &attrs, diag));
out:
	if (err != CCTSA_OK) {
		memset(r, 0, sizeof(*r));
	}
	return err;
}
