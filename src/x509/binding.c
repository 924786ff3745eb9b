/* x509: the measurement-binding extension (DER and JSON; layout in include/cctsa/x509.h). */
#include <jansson.h>
#include <string.h>

#include "base/ct.h"
#include "x509/x509_int.h"

static int platform_ok(const char *s, size_t n)
{
	if (n == 0 || n > CCTSA_BINDING_PLATFORM_MAX) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')) {
			return 0;
		}
	}
	return 1;
}

cctsa_err cctsa_x509_binding_encode(cctsa_buf *out, const cctsa_x509_binding *b)
{
	size_t n = strnlen(b->platform, sizeof(b->platform)), m;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(b->version == CCTSA_BINDING_VERSION && platform_ok(b->platform, n), CCTSA_E_USAGE);
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m));
	CCTSA_TRY(cctsa_der_put_u64(out, b->version));
	CCTSA_TRY(cctsa_der_put_utf8(out, b->platform, n));
	CCTSA_TRY(cctsa_der_put_octets(out, b->measurement, sizeof(b->measurement)));
	CCTSA_TRY(cctsa_der_put_u64(out, b->min_tcb));
	CCTSA_TRY(cctsa_der_put_octets(out, b->transcript_hash, sizeof(b->transcript_hash)));
	CCTSA_TRY(cctsa_der_put_u64(out, b->key_epoch));
	CCTSA_TRY(cctsa_der_end(out, m));
out:
	return err;
}

static cctsa_err get_hash(cctsa_cursor *c, uint8_t out[CCTSA_BINDING_HASH_LEN], const char *what,
			  cctsa_diag *diag)
{
	const uint8_t *v = NULL;
	size_t n = 0;
	cctsa_err err = cctsa_der_get_octets(c, CCTSA_DER_OCTET_STRING, &v, &n, diag);

	if (err == CCTSA_OK && n != CCTSA_BINDING_HASH_LEN) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "binding: %s is %zu bytes, not 48", what, n);
	}
	if (err == CCTSA_OK) {
		memcpy(out, v, n);
	}
	return err;
}

cctsa_err cctsa_x509_binding_decode(cctsa_x509_binding *b, const uint8_t *der, size_t len, cctsa_diag *diag)
{
	cctsa_cursor c, seq;
	uint64_t v = 0;
	uint8_t tag = 0;
	const char *s = NULL;
	size_t n = 0;
	cctsa_err err = CCTSA_OK;

	memset(b, 0, sizeof(*b));
	cctsa_cursor_init(&c, der, len);
	CCTSA_TRY(cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &seq, diag));
	CCTSA_TRY(cctsa_der_finish(&c, "MeasurementBinding", diag));
	CCTSA_TRY(cctsa_der_get_u64(&seq, CCTSA_DER_INTEGER, UINT32_MAX, &v, diag));
	CCTSA_ENSURE(v == CCTSA_BINDING_VERSION,
		     cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "binding: version %llu (only 1 is known)",
				(unsigned long long)v));
	b->version = (uint32_t)v;
	CCTSA_TRY(cctsa_der_get_string(&seq, &tag, &s, &n, diag));
	CCTSA_ENSURE(tag == CCTSA_DER_UTF8_STRING && platform_ok(s, n),
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "binding: platform must be a UTF8String of 1..32 [a-z0-9._-]"));
	memcpy(b->platform, s, n);
	CCTSA_TRY(get_hash(&seq, b->measurement, "launch measurement", diag));
	CCTSA_TRY(cctsa_der_get_u64(&seq, CCTSA_DER_INTEGER, UINT64_MAX, &b->min_tcb, diag));
	CCTSA_TRY(get_hash(&seq, b->transcript_hash, "DKG transcript hash", diag));
	CCTSA_TRY(cctsa_der_get_u64(&seq, CCTSA_DER_INTEGER, UINT64_MAX, &b->key_epoch, diag));
	CCTSA_TRY(cctsa_der_finish(&seq, "MeasurementBinding fields", diag));
out:
	if (err != CCTSA_OK) {
		memset(b, 0, sizeof(*b));
	}
	return err;
}

cctsa_err cctsa_x509_binding_to_json(cctsa_buf *out, const cctsa_x509_binding *b)
{
	char m[2 * CCTSA_BINDING_HASH_LEN + 1], t[2 * CCTSA_BINDING_HASH_LEN + 1];
	size_t n = strnlen(b->platform, sizeof(b->platform));
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(platform_ok(b->platform, n), CCTSA_E_USAGE);
	CCTSA_TRY(cctsa_hex_encode(m, sizeof(m), b->measurement, sizeof(b->measurement)));
	CCTSA_TRY(cctsa_hex_encode(t, sizeof(t), b->transcript_hash, sizeof(b->transcript_hash)));
	CCTSA_TRY(cctsa_buf_printf(out,
				   "{\"version\":%u,\"platform\":\"%s\",\"launch_measurement\":\"%s\","
				   "\"minimum_tcb\":\"%016llx\",\"dkg_transcript_sha384\":\"%s\","
				   "\"key_epoch\":\"%016llx\"}",
				   (unsigned)b->version, b->platform, m, (unsigned long long)b->min_tcb, t,
				   (unsigned long long)b->key_epoch));
out:
	return err;
}

static cctsa_err json_hex(json_t *o, const char *key, uint8_t *out, size_t n, cctsa_diag *diag)
{
	const char *s = json_string_value(json_object_get(o, key));
	size_t got;

	if (s == NULL || strlen(s) != 2 * n || cctsa_hex_decode(out, n, &got, s) != CCTSA_OK || got != n) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "binding.json: \"%s\" must be %zu hex digits", key, 2 * n);
	}
	return CCTSA_OK;
}

static cctsa_err json_u64(json_t *o, const char *key, uint64_t *out, cctsa_diag *diag)
{
	uint8_t be[8];
	cctsa_err err = json_hex(o, key, be, sizeof(be), diag);

	*out = 0;
	for (size_t i = 0; err == CCTSA_OK && i < sizeof(be); i++) {
		*out = (*out << 8) | be[i];
	}
	return err;
}

cctsa_err cctsa_x509_binding_from_json(cctsa_x509_binding *b, const char *json, size_t len, cctsa_diag *diag)
{
	static const char *const keys[] = {"version", "platform", "launch_measurement", "minimum_tcb",
					   "dkg_transcript_sha384", "key_epoch"};
	json_error_t jerr;
	json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	const char *k, *plat;
	json_t *v;
	cctsa_err err = CCTSA_OK;

	memset(b, 0, sizeof(*b));
	CCTSA_ENSURE(o != NULL, cctsa_fail(diag, CCTSA_E_MALFORMED, "binding.json: %s (line %d)", jerr.text, jerr.line));
	CCTSA_ENSURE(json_is_object(o), cctsa_fail(diag, CCTSA_E_MALFORMED, "binding.json: not a JSON object"));
	json_object_foreach(o, k, v) {
		size_t i = 0;

		while (i < sizeof(keys) / sizeof(keys[0]) && strcmp(k, keys[i]) != 0) {
			i++;
		}
		CCTSA_ENSURE(i < sizeof(keys) / sizeof(keys[0]),
			     cctsa_fail(diag, CCTSA_E_MALFORMED, "binding.json: unknown key \"%s\"", k));
	}
	v = json_object_get(o, "version");
	CCTSA_ENSURE(json_is_integer(v) && json_integer_value(v) == CCTSA_BINDING_VERSION,
		     cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "binding.json: \"version\" must be 1"));
	b->version = CCTSA_BINDING_VERSION;
	plat = json_string_value(json_object_get(o, "platform"));
	CCTSA_ENSURE(plat != NULL && platform_ok(plat, strlen(plat)),
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "binding.json: \"platform\" must be 1..32 of [a-z0-9._-]"));
	memcpy(b->platform, plat, strlen(plat));
	CCTSA_TRY(json_hex(o, "launch_measurement", b->measurement, sizeof(b->measurement), diag));
	CCTSA_TRY(json_u64(o, "minimum_tcb", &b->min_tcb, diag));
	CCTSA_TRY(json_hex(o, "dkg_transcript_sha384", b->transcript_hash, sizeof(b->transcript_hash), diag));
	CCTSA_TRY(json_u64(o, "key_epoch", &b->key_epoch, diag));
out:
	json_decref(o);
	if (err != CCTSA_OK) {
		memset(b, 0, sizeof(*b));
	}
	return err;
}

cctsa_err cctsa_x509_binding_compare(const cctsa_x509_binding *want, const cctsa_x509_binding *got,
				     cctsa_diag *diag)
{
	const char *what = NULL;

	if (want->version != got->version) {
		what = "version";
	} else if (strncmp(want->platform, got->platform, sizeof(want->platform)) != 0) {
		what = "platform";
	} else if (cctsa_memcmp_var(want->measurement, got->measurement, sizeof(want->measurement)) != 0) {
		what = "launch measurement";
	} else if (want->min_tcb != got->min_tcb) {
		what = "minimum TCB";
	} else if (cctsa_memcmp_var(want->transcript_hash, got->transcript_hash, sizeof(want->transcript_hash)) != 0) {
		what = "DKG transcript hash";
	} else if (want->key_epoch != got->key_epoch) {
		what = "key epoch";
	}
	if (what != NULL) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "binding: the %s differs from the expected one", what);
	}
	return CCTSA_OK;
}
