/* x509: building names, extensions, certificates and PKCS#10 requests. */
#include <string.h>

#include "x509/x509_int.h"

static cctsa_err put_rdn(cctsa_buf *out, const char *oid, const char *text)
{
	size_t n = strlen(text), m1, m2;
	int printable = 1;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(n > 0 && n <= 64, CCTSA_E_USAGE);
	for (size_t i = 0; i < n; i++) {
		printable &= (text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z') ||
			     (text[i] >= '0' && text[i] <= '9') || strchr(" '()+,-./:=?", text[i]) != NULL;
	}
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SET, &m1));
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m2));
	CCTSA_TRY(cctsa_der_put_oid_text(out, oid));
	CCTSA_TRY(printable ? cctsa_der_put_printable(out, text, n) : cctsa_der_put_utf8(out, text, n));
	CCTSA_TRY(cctsa_der_end(out, m2));
	CCTSA_TRY(cctsa_der_end(out, m1));
out:
	return err;
}

cctsa_err cctsa_x509_name_write(cctsa_buf *out, const char *org, const char *cn)
{
	size_t m;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m));
	if (org != NULL) {
		CCTSA_TRY(put_rdn(out, "2.5.4.10", org));
	}
	CCTSA_TRY(put_rdn(out, "2.5.4.3", cn));
	CCTSA_TRY(cctsa_der_end(out, m));
out:
	return err;
}

cctsa_err cctsa_x509_put_policies(cctsa_buf *out, const char *const *policies, size_t max)
{
	size_t m, m2;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m));
	for (size_t i = 0; i < max && policies[i] != NULL; i++) {
		CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m2));
		CCTSA_TRY(cctsa_der_put_oid_text(out, policies[i]));
		CCTSA_TRY(cctsa_der_end(out, m2));
	}
	CCTSA_TRY(cctsa_der_end(out, m));
out:
	return err;
}

/* Extension header: SEQUENCE { OID, [critical TRUE], OCTET STRING { ... }; close with ext_end. */
static cctsa_err ext_begin(cctsa_buf *out, const char *oid, int critical, size_t marks[2])
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &marks[0]));
	CCTSA_TRY(cctsa_der_put_oid_text(out, oid));
	if (critical) {
		CCTSA_TRY(cctsa_der_put_bool(out, 1));
	}
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_OCTET_STRING, &marks[1]));
out:
	return err;
}

static cctsa_err ext_end(cctsa_buf *out, const size_t marks[2])
{
	cctsa_err err = cctsa_der_end(out, marks[1]);

	return err != CCTSA_OK ? err : cctsa_der_end(out, marks[0]);
}

static cctsa_err put_ext_raw(cctsa_buf *out, const char *oid, int critical, const uint8_t *val, size_t len)
{
	size_t mk[2];
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(ext_begin(out, oid, critical, mk));
	CCTSA_TRY(cctsa_der_put_raw(out, val, len));
	CCTSA_TRY(ext_end(out, mk));
out:
	return err;
}

static cctsa_err put_key_ids(cctsa_buf *out, const cctsa_x509_cert_params *p, const cctsa_signer *issuer)
{
	uint8_t id[20];
	size_t mk[2], m;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_x509_key_id(id, p->spki, p->spki_len));
	CCTSA_TRY(ext_begin(out, CCTSA_OID_EXT_SKI, 0, mk));
	CCTSA_TRY(cctsa_der_put_octets(out, id, sizeof(id)));
	CCTSA_TRY(ext_end(out, mk));
	if (p->profile == CCTSA_X509_PROFILE_TSA) {
		CCTSA_TRY(cctsa_x509_key_id(id, issuer->spki, issuer->spki_len));
		CCTSA_TRY(ext_begin(out, CCTSA_OID_EXT_AKI, 0, mk));
		CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m));
		CCTSA_TRY(cctsa_der_put_tlv(out, CCTSA_DER_CTX(0), id, sizeof(id)));
		CCTSA_TRY(cctsa_der_end(out, m));
		CCTSA_TRY(ext_end(out, mk));
	}
out:
	return err;
}

static cctsa_err put_extensions(cctsa_buf *out, const cctsa_x509_cert_params *p, const cctsa_signer *issuer)
{
	static const uint8_t ku_ca[] = {0x06}, ku_tsa[] = {0x80};
	size_t m0, m1, mk[2], m;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_CTX_CONS(3), &m0));
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m1));
	if (p->profile == CCTSA_X509_PROFILE_ROOT) {
		CCTSA_TRY(ext_begin(out, CCTSA_OID_EXT_BASIC_CONSTRAINTS, 1, mk));
		CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m));
		CCTSA_TRY(cctsa_der_put_bool(out, 1));
		CCTSA_TRY(cctsa_der_end(out, m));
		CCTSA_TRY(ext_end(out, mk));
		CCTSA_TRY(ext_begin(out, CCTSA_OID_EXT_KEY_USAGE, 1, mk));
		CCTSA_TRY(cctsa_der_put_bits(out, ku_ca, 1, 1));
		CCTSA_TRY(ext_end(out, mk));
	} else {
		CCTSA_TRY(ext_begin(out, CCTSA_OID_EXT_KEY_USAGE, 1, mk));
		CCTSA_TRY(cctsa_der_put_bits(out, ku_tsa, 1, 7));
		CCTSA_TRY(ext_end(out, mk));
		CCTSA_TRY(ext_begin(out, CCTSA_OID_EXT_EKU, 1, mk));
		CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m));
		CCTSA_TRY(cctsa_der_put_oid_text(out, CCTSA_OID_KP_TIMESTAMPING));
		CCTSA_TRY(cctsa_der_end(out, m));
		CCTSA_TRY(ext_end(out, mk));
		CCTSA_TRY(ext_begin(out, CCTSA_OID_EXT_CERT_POLICIES, 0, mk));
		if (p->policies_der != NULL) {
			CCTSA_TRY(cctsa_der_put_raw(out, p->policies_der, p->policies_der_len));
		} else {
			CCTSA_TRY(cctsa_x509_put_policies(out, p->policies, CCTSA_X509_MAX_POLICIES));
		}
		CCTSA_TRY(ext_end(out, mk));
	}
	CCTSA_TRY(put_key_ids(out, p, issuer));
	if (p->profile == CCTSA_X509_PROFILE_TSA && p->binding != NULL) {
		CCTSA_TRY(put_ext_raw(out, CCTSA_OID_BINDING_EXT, 0, p->binding, p->binding_len));
	}
	CCTSA_TRY(cctsa_der_end(out, m1));
	CCTSA_TRY(cctsa_der_end(out, m0));
out:
	return err;
}

/* A certificatePolicies value given as DER must parse as one. */
static int policies_der_ok(const cctsa_x509_cert_params *p)
{
	cctsa_x509_cert tmp;
	cctsa_cursor c;

	if (p->policies_der == NULL) {
		return 0;
	}
	memset(&tmp, 0, sizeof(tmp));
	cctsa_cursor_init(&c, p->policies_der, p->policies_der_len);
	return cctsa_x509_parse_policies_value(&tmp, &c, NULL) == CCTSA_OK && cctsa_cursor_left(&c) == 0;
}

static cctsa_err check_params(const cctsa_x509_cert_params *p, const cctsa_signer *issuer, cctsa_diag *diag)
{
	const uint8_t *s = p->serial;
	size_t n = p->serial_len;
	cctsa_x509_binding b;

	while (n > 0 && s[0] == 0) {
		s++;
		n--;
	}
	if (n == 0 || n > CCTSA_X509_SERIAL_MAX || (n == CCTSA_X509_SERIAL_MAX && (s[0] & 0x80) != 0)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "x509: serial must be positive and at most 20 octets");
	}
	if (p->not_before >= p->not_after) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "x509: notBefore must precede notAfter");
	}
	if (p->profile != CCTSA_X509_PROFILE_ROOT && p->profile != CCTSA_X509_PROFILE_TSA) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "x509: unknown certificate profile");
	}
	if (p->profile == CCTSA_X509_PROFILE_TSA && p->policies[0] == NULL && !policies_der_ok(p)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "x509: a TSA certificate needs at least one policy");
	}
	if (p->binding != NULL && cctsa_x509_binding_decode(&b, p->binding, p->binding_len, diag) != CCTSA_OK) {
		return CCTSA_E_USAGE;
	}
	if (cctsa_x509_alg_oid(issuer->alg) == NULL) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "x509: issuer signer has no supported algorithm");
	}
	return CCTSA_OK;
}

cctsa_err cctsa_x509_cert_build(cctsa_buf *out, const cctsa_x509_cert_params *p, const cctsa_signer *issuer,
				cctsa_diag *diag)
{
	cctsa_buf tbs;
	size_t m, mv, mver;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&tbs, 0);
	CCTSA_TRY(check_params(p, issuer, diag));
	CCTSA_TRY(cctsa_der_begin(&tbs, CCTSA_DER_SEQUENCE, &m));
	CCTSA_TRY(cctsa_der_begin(&tbs, CCTSA_DER_CTX_CONS(0), &mver));
	CCTSA_TRY(cctsa_der_put_u64(&tbs, 2));
	CCTSA_TRY(cctsa_der_end(&tbs, mver));
	CCTSA_TRY(cctsa_der_put_uint(&tbs, p->serial, p->serial_len));
	CCTSA_TRY(cctsa_x509_put_sig_alg(&tbs, issuer->alg));
	CCTSA_TRY(cctsa_der_put_raw(&tbs, p->issuer, p->issuer_len));
	CCTSA_TRY(cctsa_der_begin(&tbs, CCTSA_DER_SEQUENCE, &mv));
	CCTSA_TRY(cctsa_der_put_x509_time(&tbs, p->not_before));
	CCTSA_TRY(cctsa_der_put_x509_time(&tbs, p->not_after));
	CCTSA_TRY(cctsa_der_end(&tbs, mv));
	CCTSA_TRY(cctsa_der_put_raw(&tbs, p->subject, p->subject_len));
	CCTSA_TRY(cctsa_der_put_raw(&tbs, p->spki, p->spki_len));
	CCTSA_TRY(put_extensions(&tbs, p, issuer));
	CCTSA_TRY(cctsa_der_end(&tbs, m));
	CCTSA_TRY(cctsa_x509_sign_wrap(out, tbs.data, tbs.len, issuer, diag));
out:
	if (err == CCTSA_E_RESOURCE || err == CCTSA_E_USAGE) {
		err = cctsa_fail(diag, err, "x509: cannot encode the certificate (%s)", cctsa_err_name(err));
	}
	cctsa_buf_free(&tbs);
	return err;
}

cctsa_err cctsa_x509_csr_build(cctsa_buf *out, const uint8_t *subject, size_t subject_len,
			       const char *const *policies, const uint8_t *binding, size_t binding_len,
			       const cctsa_signer *signer, cctsa_diag *diag)
{
	cctsa_buf info;
	size_t m, ma, mat, mset, mexts, mk[2];
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&info, 0);
	CCTSA_TRY(cctsa_der_begin(&info, CCTSA_DER_SEQUENCE, &m));
	CCTSA_TRY(cctsa_der_put_u64(&info, 0));
	CCTSA_TRY(cctsa_der_put_raw(&info, subject, subject_len));
	CCTSA_TRY(cctsa_der_put_raw(&info, signer->spki, signer->spki_len));
	CCTSA_TRY(cctsa_der_begin(&info, CCTSA_DER_CTX_CONS(0), &ma));
	if ((policies != NULL && policies[0] != NULL) || binding != NULL) {
		CCTSA_TRY(cctsa_der_begin(&info, CCTSA_DER_SEQUENCE, &mat));
		CCTSA_TRY(cctsa_der_put_oid_text(&info, CCTSA_OID_EXTENSION_REQUEST));
		CCTSA_TRY(cctsa_der_begin(&info, CCTSA_DER_SET, &mset));
		CCTSA_TRY(cctsa_der_begin(&info, CCTSA_DER_SEQUENCE, &mexts));
		if (policies != NULL && policies[0] != NULL) {
			CCTSA_TRY(ext_begin(&info, CCTSA_OID_EXT_CERT_POLICIES, 0, mk));
			CCTSA_TRY(cctsa_x509_put_policies(&info, policies, CCTSA_X509_MAX_POLICIES));
			CCTSA_TRY(ext_end(&info, mk));
		}
		if (binding != NULL) {
			CCTSA_TRY(put_ext_raw(&info, CCTSA_OID_BINDING_EXT, 0, binding, binding_len));
		}
		CCTSA_TRY(cctsa_der_end(&info, mexts));
		CCTSA_TRY(cctsa_der_end(&info, mset));
		CCTSA_TRY(cctsa_der_end(&info, mat));
	}
	CCTSA_TRY(cctsa_der_end(&info, ma));
	CCTSA_TRY(cctsa_der_end(&info, m));
	CCTSA_TRY(cctsa_x509_sign_wrap(out, info.data, info.len, signer, diag));
out:
	cctsa_buf_free(&info);
	return err;
}
