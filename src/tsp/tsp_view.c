/*
 * Read side of tokens for verification: TimeStampResp / ContentInfo / SignedData
 * / SignerInfo / TSTInfo split into views that point into the input. Strict
 * DER (the shared reader); nothing is verified here.
 */
#include <string.h>

#include "tsp_view.h"

static cctsa_err bad(cctsa_diag *diag, const char *what)
{
	return cctsa_fail(diag, CCTSA_E_MALFORMED, "token: %s", what);
}

/* Unsigned attributes: remembers the companion token, ignores others. */
static cctsa_err parse_unsigned(tsp_signer_view *sv, const cctsa_der_elem *ua, cctsa_diag *diag)
{
	cctsa_cursor c, attr, vals;
	cctsa_der_elem oid;
	cctsa_err err = CCTSA_OK;

	cctsa_cursor_init(&c, ua->val, ua->val_len);
	while (cctsa_cursor_left(&c) != 0) {
		CCTSA_TRY(cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &attr, diag));
		CCTSA_TRY(cctsa_der_get_oid(&attr, &oid, diag));
		CCTSA_TRY(cctsa_der_enter(&attr, CCTSA_DER_SET, &vals, diag));
		CCTSA_TRY(cctsa_der_finish(&attr, "Attribute", diag));
		if (oid.val_len == CCTSA_TSP_OID_PROJECT_LEN &&
		    cctsa_memcmp_var(oid.val, CCTSA_TSP_OID_COMPANION, oid.val_len) == 0) {
			if (sv->companion.der != NULL) {
				return bad(diag, "two companion-token attributes");
			}
			CCTSA_TRY(cctsa_der_expect(&vals, CCTSA_DER_SEQUENCE, &sv->companion, diag));
			CCTSA_TRY(cctsa_der_finish(&vals, "companion attribute (one value)", diag));
		}
	}
out:
	return err;
}

static cctsa_err parse_sid(tsp_signer_view *sv, cctsa_cursor *si, cctsa_diag *diag)
{
	cctsa_cursor ias;
	cctsa_err err = CCTSA_OK;

	if (sv->version == 1) {
		CCTSA_TRY(cctsa_der_enter(si, CCTSA_DER_SEQUENCE, &ias, diag));
		CCTSA_TRY(cctsa_der_expect(&ias, CCTSA_DER_SEQUENCE, &sv->sid_issuer, diag));
		CCTSA_TRY(cctsa_der_expect(&ias, CCTSA_DER_INTEGER, &sv->sid_serial, diag));
		CCTSA_TRY(cctsa_der_finish(&ias, "IssuerAndSerialNumber", diag));
	} else if (sv->version == 3) {
		CCTSA_TRY(cctsa_der_expect(si, CCTSA_DER_CTX(0), &sv->sid_ski, diag));
	} else {
		return bad(diag, "SignerInfo version not 1 or 3");
	}
out:
	return err;
}

static cctsa_err parse_signer_info(tsp_signer_view *sv, cctsa_cursor *sis, cctsa_diag *diag)
{
	cctsa_cursor si, alg;
	cctsa_der_elem ua;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_enter(sis, CCTSA_DER_SEQUENCE, &si, diag));
	CCTSA_TRY(cctsa_der_get_u64(&si, CCTSA_DER_INTEGER, 10, &sv->version, diag));
	CCTSA_TRY(parse_sid(sv, &si, diag));
	CCTSA_TRY(cctsa_der_enter(&si, CCTSA_DER_SEQUENCE, &alg, diag));
	CCTSA_TRY(cctsa_der_get_oid(&alg, &sv->digest_alg, diag));
	CCTSA_ENSURE(cctsa_der_peek(&si, CCTSA_DER_CTX_CONS(0)), CCTSA_E_MALFORMED);
	CCTSA_TRY(cctsa_der_expect(&si, CCTSA_DER_CTX_CONS(0), &sv->signed_attrs, diag));
	CCTSA_TRY(cctsa_der_enter(&si, CCTSA_DER_SEQUENCE, &alg, diag));
	CCTSA_TRY(cctsa_der_get_oid(&alg, &sv->sig_alg, diag));
	sv->sig_alg_has_params = cctsa_cursor_left(&alg) != 0;
	CCTSA_TRY(cctsa_der_get_octets(&si, CCTSA_DER_OCTET_STRING, &sv->sig, &sv->sig_len, diag));
	if (cctsa_der_peek(&si, CCTSA_DER_CTX_CONS(1))) {
		CCTSA_TRY(cctsa_der_expect(&si, CCTSA_DER_CTX_CONS(1), &ua, diag));
		CCTSA_TRY(parse_unsigned(sv, &ua, diag));
	}
	CCTSA_TRY(cctsa_der_finish(&si, "SignerInfo", diag));
	CCTSA_TRY(cctsa_der_finish(sis, "signerInfos (exactly one SignerInfo)", diag));
out:
	if (err != CCTSA_OK) {
		return bad(diag, "SignerInfo does not parse (signed attributes are required)");
	}
	return err;
}

static cctsa_err parse_certs(tsp_token_view *tv, const cctsa_der_elem *set, cctsa_diag *diag)
{
	cctsa_cursor c;
	cctsa_der_elem e;
	cctsa_err err = CCTSA_OK;

	cctsa_cursor_init(&c, set->val, set->val_len);
	while (cctsa_cursor_left(&c) != 0) {
		CCTSA_TRY(cctsa_der_read(&c, &e, diag));
		if (e.tag == CCTSA_DER_SEQUENCE && tv->ncerts < TSP_VIEW_CERTS_MAX) {
			tv->certs[tv->ncerts++] = e;
		}
	}
out:
	return err;
}

static cctsa_err parse_signed_data(tsp_token_view *tv, cctsa_cursor *sd, cctsa_diag *diag)
{
	cctsa_cursor eci, e0, sis;
	cctsa_der_elem skip, ct;
	uint64_t version;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_get_u64(sd, CCTSA_DER_INTEGER, 10, &version, diag));
	CCTSA_TRY(cctsa_der_expect(sd, CCTSA_DER_SET, &skip, diag)); /* digestAlgorithms */
	CCTSA_TRY(cctsa_der_enter(sd, CCTSA_DER_SEQUENCE, &eci, diag));
	CCTSA_TRY(cctsa_der_get_oid(&eci, &ct, diag));
	if (!cctsa_der_oid_is(ct.val, ct.val_len, TSP_OID_CT_TSTINFO)) {
		return bad(diag, "eContentType is not id-ct-TSTInfo");
	}
	CCTSA_TRY(cctsa_der_enter(&eci, CCTSA_DER_CTX_CONS(0), &e0, diag));
	CCTSA_TRY(cctsa_der_expect(&e0, CCTSA_DER_OCTET_STRING, &tv->tstinfo, diag));
	CCTSA_TRY(cctsa_der_finish(&e0, "eContent", diag));
	CCTSA_TRY(cctsa_der_finish(&eci, "EncapsulatedContentInfo", diag));
	if (cctsa_der_peek(sd, CCTSA_DER_CTX_CONS(0))) {
		CCTSA_TRY(cctsa_der_expect(sd, CCTSA_DER_CTX_CONS(0), &skip, diag));
		CCTSA_TRY(parse_certs(tv, &skip, diag));
	}
	if (cctsa_der_peek(sd, CCTSA_DER_CTX_CONS(1))) { /* crls: ignored */
		CCTSA_TRY(cctsa_der_expect(sd, CCTSA_DER_CTX_CONS(1), &skip, diag));
	}
	CCTSA_TRY(cctsa_der_enter(sd, CCTSA_DER_SET, &sis, diag));
	CCTSA_TRY(cctsa_der_finish(sd, "SignedData", diag));
	if (cctsa_cursor_left(&sis) == 0) {
		return bad(diag, "no SignerInfo");
	}
	CCTSA_TRY(parse_signer_info(&tv->signer, &sis, diag));
out:
	return err;
}

cctsa_err cctsa_tsp_view_token(tsp_token_view *tv, const uint8_t *der, size_t len, cctsa_diag *diag)
{
	cctsa_cursor c, ci, e0, sd;
	cctsa_der_elem oid;
	cctsa_err err = CCTSA_OK;

	memset(tv, 0, sizeof(*tv));
	tv->der = der;
	tv->der_len = len;
	cctsa_cursor_init(&c, der, len);
	CCTSA_TRY(cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &ci, diag));
	CCTSA_TRY(cctsa_der_finish(&c, "ContentInfo", diag));
	CCTSA_TRY(cctsa_der_get_oid(&ci, &oid, diag));
	if (!cctsa_der_oid_is(oid.val, oid.val_len, TSP_OID_SIGNED_DATA)) {
		return bad(diag, "ContentInfo is not SignedData");
	}
	CCTSA_TRY(cctsa_der_enter(&ci, CCTSA_DER_CTX_CONS(0), &e0, diag));
	CCTSA_TRY(cctsa_der_finish(&ci, "ContentInfo", diag));
	CCTSA_TRY(cctsa_der_enter(&e0, CCTSA_DER_SEQUENCE, &sd, diag));
	CCTSA_TRY(cctsa_der_finish(&e0, "ContentInfo content", diag));
	CCTSA_TRY(parse_signed_data(tv, &sd, diag));
out:
	return err;
}

/* TimeStampResp { PKIStatusInfo, token OPTIONAL }, or a bare token (ContentInfo). */
cctsa_err cctsa_tsp_view_resp(tsp_resp_view *rv, const uint8_t *der, size_t len, cctsa_diag *diag)
{
	cctsa_cursor c, top, st;
	cctsa_der_elem e;
	cctsa_err err = CCTSA_OK;

	memset(rv, 0, sizeof(*rv));
	cctsa_cursor_init(&c, der, len);
	CCTSA_TRY(cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &top, diag));
	CCTSA_TRY(cctsa_der_finish(&c, "TimeStampResp", diag));
	if (cctsa_der_peek(&top, CCTSA_DER_OID)) { /* a bare ContentInfo */
		rv->token.der = der;
		rv->token.der_len = len;
		rv->bare = 1;
		return CCTSA_OK;
	}
	CCTSA_TRY(cctsa_der_enter(&top, CCTSA_DER_SEQUENCE, &st, diag));
	CCTSA_TRY(cctsa_der_get_u64(&st, CCTSA_DER_INTEGER, 5, &rv->status, diag));
	if (cctsa_der_peek(&st, CCTSA_DER_SEQUENCE)) {
		CCTSA_TRY(cctsa_der_enter(&st, CCTSA_DER_SEQUENCE, &rv->status_text, diag));
	}
	if (cctsa_der_peek(&st, CCTSA_DER_BIT_STRING)) {
		CCTSA_TRY(cctsa_der_get_bits(&st, &rv->fail_bits, &rv->fail_bits_len, &rv->fail_unused, diag));
	}
	CCTSA_TRY(cctsa_der_finish(&st, "PKIStatusInfo", diag));
	if (cctsa_cursor_left(&top) != 0) {
		CCTSA_TRY(cctsa_der_expect(&top, CCTSA_DER_SEQUENCE, &e, diag));
		rv->token = e;
	}
	CCTSA_TRY(cctsa_der_finish(&top, "TimeStampResp", diag));
out:
	return err;
}

static cctsa_err parse_accuracy_nonce(tsp_tstinfo_view *ti, cctsa_cursor *c, cctsa_diag *diag)
{
	cctsa_der_elem e;
	cctsa_err err = CCTSA_OK;

	if (cctsa_der_peek(c, CCTSA_DER_SEQUENCE)) {
		CCTSA_TRY(cctsa_der_expect(c, CCTSA_DER_SEQUENCE, &ti->accuracy, diag));
	}
	if (cctsa_der_peek(c, CCTSA_DER_BOOLEAN)) {
		CCTSA_TRY(cctsa_der_get_bool(c, &ti->ordering, diag));
	}
	if (cctsa_der_peek(c, CCTSA_DER_INTEGER)) {
		CCTSA_TRY(cctsa_der_expect(c, CCTSA_DER_INTEGER, &e, diag));
		ti->nonce = e;
	}
	if (cctsa_der_peek(c, CCTSA_DER_CTX_CONS(0))) {
		CCTSA_TRY(cctsa_der_expect(c, CCTSA_DER_CTX_CONS(0), &ti->tsa, diag));
	}
	if (cctsa_der_peek(c, CCTSA_DER_CTX_CONS(1))) {
		CCTSA_TRY(cctsa_der_expect(c, CCTSA_DER_CTX_CONS(1), &e, diag));
	}
out:
	return err;
}

cctsa_err cctsa_tsp_view_tstinfo(tsp_tstinfo_view *ti, const uint8_t *der, size_t len, cctsa_diag *diag)
{
	cctsa_cursor c, t, mi, alg;
	cctsa_err err = CCTSA_OK;

	memset(ti, 0, sizeof(*ti));
	cctsa_cursor_init(&c, der, len);
	CCTSA_TRY(cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &t, diag));
	CCTSA_TRY(cctsa_der_finish(&c, "TSTInfo", diag));
	CCTSA_TRY(cctsa_der_get_u64(&t, CCTSA_DER_INTEGER, 10, &ti->version, diag));
	CCTSA_TRY(cctsa_der_get_oid(&t, &ti->policy, diag));
	CCTSA_TRY(cctsa_der_enter(&t, CCTSA_DER_SEQUENCE, &mi, diag));
	CCTSA_TRY(cctsa_der_enter(&mi, CCTSA_DER_SEQUENCE, &alg, diag));
	CCTSA_TRY(cctsa_der_get_oid(&alg, &ti->hash_alg, diag));
	if (cctsa_cursor_left(&alg) != 0) {
		CCTSA_TRY(cctsa_der_get_null(&alg, diag));
	}
	CCTSA_TRY(cctsa_der_finish(&alg, "imprint AlgorithmIdentifier", diag));
	CCTSA_TRY(cctsa_der_get_octets(&mi, CCTSA_DER_OCTET_STRING, &ti->imprint, &ti->imprint_len, diag));
	CCTSA_TRY(cctsa_der_finish(&mi, "MessageImprint", diag));
	CCTSA_TRY(cctsa_der_expect(&t, CCTSA_DER_INTEGER, &ti->serial, diag));
	CCTSA_TRY(cctsa_der_get_time(&t, &ti->gen_time, &ti->gen_nanos, diag));
	CCTSA_TRY(parse_accuracy_nonce(ti, &t, diag));
	CCTSA_TRY(cctsa_der_finish(&t, "TSTInfo", diag));
	CCTSA_ENSURE(ti->version == 1, CCTSA_E_MALFORMED);
out:
	if (err != CCTSA_OK) {
		return bad(diag, "TSTInfo does not parse");
	}
	return err;
}

cctsa_err cctsa_tsp_tstinfo_fields_read(cctsa_tsp_tstinfo_fields *out, const uint8_t *tst, size_t len,
					cctsa_diag *diag)
{
	tsp_tstinfo_view ti;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_tsp_view_tstinfo(&ti, tst, len, diag));
	CCTSA_TRY(cctsa_der_check_int(ti.serial.val, ti.serial.val_len, diag));
	if ((ti.serial.val[0] & 0x80) != 0 || ti.serial.val_len > CCTSA_TSP_SERIAL_MAX ||
	    (ti.serial.val_len == 1 && ti.serial.val[0] == 0)) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "TSTInfo serial not positive or over 20 octets");
	}
	if (ti.gen_nanos % 1000000 != 0 || ti.gen_time < 0) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "genTime finer than a millisecond or before 1970");
	}
	out->policy = ti.policy.val;
	out->policy_len = ti.policy.val_len;
	out->serial = ti.serial.val;
	out->serial_len = ti.serial.val_len;
	out->gen_time_ms = ti.gen_time * 1000 + ti.gen_nanos / 1000000;
	out->nonce = ti.nonce.der != NULL ? ti.nonce.val : NULL;
	out->nonce_len = ti.nonce.der != NULL ? ti.nonce.val_len : 0;
out:
	return err;
}
