/* der: the strict, bounds-checked DER reader (contract in include/cctsa/der.h). */
#include <string.h>

#include "base/ct.h"
#include "der/der_int.h"

static const char *tag_name(uint8_t tag)
{
	switch (tag) {
	case CCTSA_DER_BOOLEAN:
		return "BOOLEAN";
	case CCTSA_DER_INTEGER:
		return "INTEGER";
	case CCTSA_DER_BIT_STRING:
		return "BIT STRING";
	case CCTSA_DER_OCTET_STRING:
		return "OCTET STRING";
	case CCTSA_DER_NULL:
		return "NULL";
	case CCTSA_DER_OID:
		return "OBJECT IDENTIFIER";
	case CCTSA_DER_UTF8_STRING:
		return "UTF8String";
	case CCTSA_DER_PRINTABLE_STRING:
		return "PrintableString";
	case CCTSA_DER_IA5_STRING:
		return "IA5String";
	case CCTSA_DER_UTC_TIME:
		return "UTCTime";
	case CCTSA_DER_GENERALIZED_TIME:
		return "GeneralizedTime";
	case CCTSA_DER_SEQUENCE:
		return "SEQUENCE";
	case CCTSA_DER_SET:
		return "SET";
	default:
		return "tag";
	}
}

cctsa_err cctsa_der_read(cctsa_cursor *c, cctsa_der_elem *e, cctsa_diag *diag)
{
	size_t left = cctsa_cursor_left(c), len, hdr = 2;
	const uint8_t *p = c->ptr + c->pos;

	if (left < 2) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: truncated (%zu byte(s) where a tag and length are needed)",
				  left);
	}
	if ((p[0] & 0x1f) == 0x1f) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: high tag number form (0x%02x) not accepted", p[0]);
	}
	if (p[1] < 0x80) {
		len = p[1];
	} else {
		unsigned n = p[1] & 0x7fu;

		if (n == 0) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: indefinite length (BER) not allowed");
		}
		if (n > 4) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: length of %u octets is too long", n);
		}
		if (left - 2 < n) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: truncated length");
		}
		if (p[2] == 0) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: length with a leading zero octet");
		}
		len = 0;
		for (unsigned i = 0; i < n; i++) {
			len = (len << 8) | p[2 + i];
		}
		if (len < 0x80) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: long form for length %zu", len);
		}
		hdr += n;
	}
	if (len > left - hdr) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: %s of length %zu runs past the end (%zu left)",
				  tag_name(p[0]), len, left - hdr);
	}
	e->tag = p[0];
	e->der = p;
	e->der_len = hdr + len;
	e->val = p + hdr;
	e->val_len = len;
	c->pos += hdr + len;
	return CCTSA_OK;
}

int cctsa_der_peek(const cctsa_cursor *c, uint8_t tag)
{
	return cctsa_cursor_left(c) > 0 && c->ptr[c->pos] == tag;
}

cctsa_err cctsa_der_expect(cctsa_cursor *c, uint8_t tag, cctsa_der_elem *e, cctsa_diag *diag)
{
	size_t pos = c->pos;
	cctsa_err err;

	if (cctsa_cursor_left(c) == 0) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: expected %s (0x%02x), found end of data", tag_name(tag),
				  tag);
	}
	if (c->ptr[c->pos] != tag) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: expected %s (0x%02x), found tag 0x%02x", tag_name(tag),
				  tag, c->ptr[c->pos]);
	}
	err = cctsa_der_read(c, e, diag);
	if (err != CCTSA_OK) {
		c->pos = pos;
	}
	return err;
}

cctsa_err cctsa_der_enter(cctsa_cursor *c, uint8_t tag, cctsa_cursor *body, cctsa_diag *diag)
{
	cctsa_der_elem e = {0};
	cctsa_err err = cctsa_der_expect(c, tag, &e, diag);

	if (err == CCTSA_OK) {
		cctsa_cursor_init(body, e.val, e.val_len);
	}
	return err;
}

cctsa_err cctsa_der_finish(const cctsa_cursor *c, const char *what, cctsa_diag *diag)
{
	if (cctsa_cursor_left(c) != 0) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: %zu byte(s) of trailing data after %s",
				  cctsa_cursor_left(c), what);
	}
	return CCTSA_OK;
}

cctsa_err cctsa_der_check_int(const uint8_t *val, size_t len, cctsa_diag *diag)
{
	if (len == 0) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: empty INTEGER");
	}
	if (len > 1 && ((val[0] == 0x00 && (val[1] & 0x80) == 0) || (val[0] == 0xff && (val[1] & 0x80) != 0))) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: INTEGER not in minimal form");
	}
	return CCTSA_OK;
}

cctsa_err cctsa_der_get_uint(cctsa_cursor *c, uint8_t tag, size_t max_len, const uint8_t **mag, size_t *mag_len,
			     cctsa_diag *diag)
{
	size_t pos = c->pos;
	cctsa_der_elem e = {0};
	cctsa_err err = cctsa_der_expect(c, tag, &e, diag);
	const uint8_t *v = NULL;
	size_t n = 0;

	if (err == CCTSA_OK) {
		err = cctsa_der_check_int(e.val, e.val_len, diag);
	}
	if (err == CCTSA_OK && (e.val[0] & 0x80) != 0) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: negative INTEGER where a non-negative one is required");
	}
	if (err != CCTSA_OK) {
		c->pos = pos;
		return err;
	}
	v = e.val;
	n = e.val_len;
	if (n > 1 && v[0] == 0) {
		v++;
		n--;
	}
	if (n > max_len) {
		c->pos = pos;
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: INTEGER of %zu octets exceeds the limit of %zu", n,
				  max_len);
	}
	*mag = v;
	*mag_len = n;
	return CCTSA_OK;
}

cctsa_err cctsa_der_get_u64(cctsa_cursor *c, uint8_t tag, uint64_t max, uint64_t *out, cctsa_diag *diag)
{
	size_t pos = c->pos, n = 0;
	const uint8_t *m = NULL;
	uint64_t v = 0;
	cctsa_err err = cctsa_der_get_uint(c, tag, 8, &m, &n, diag);

	if (err != CCTSA_OK) {
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		v = (v << 8) | m[i];
	}
	if (v > max) {
		c->pos = pos;
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: INTEGER %llu exceeds the limit %llu",
				  (unsigned long long)v, (unsigned long long)max);
	}
	*out = v;
	return CCTSA_OK;
}

cctsa_err cctsa_der_get_bool(cctsa_cursor *c, int *out, cctsa_diag *diag)
{
	size_t pos = c->pos;
	cctsa_der_elem e = {0};
	cctsa_err err = cctsa_der_expect(c, CCTSA_DER_BOOLEAN, &e, diag);

	if (err != CCTSA_OK) {
		return err;
	}
	if (e.val_len != 1 || (e.val[0] != 0x00 && e.val[0] != 0xff)) {
		c->pos = pos;
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: BOOLEAN must be one octet 00 or FF");
	}
	*out = e.val[0] == 0xff;
	return CCTSA_OK;
}

cctsa_err cctsa_der_get_null(cctsa_cursor *c, cctsa_diag *diag)
{
	size_t pos = c->pos;
	cctsa_der_elem e = {0};
	cctsa_err err = cctsa_der_expect(c, CCTSA_DER_NULL, &e, diag);

	if (err == CCTSA_OK && e.val_len != 0) {
		c->pos = pos;
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: NULL with contents");
	}
	return err;
}

cctsa_err cctsa_der_check_oid(const uint8_t *val, size_t len, cctsa_diag *diag)
{
	size_t i = 0;

	if (len == 0 || len > CCTSA_DER_OID_MAX) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: OBJECT IDENTIFIER of %zu octets", len);
	}
	while (i < len) {
		size_t start = i;

		if (val[i] == 0x80) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: OBJECT IDENTIFIER arc with padding");
		}
		while (i < len && (val[i] & 0x80) != 0) {
			i++;
		}
		if (i == len) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: OBJECT IDENTIFIER ends inside an arc");
		}
		i++;
		if (i - start > 9 && !(i - start == 10 && val[start] == 0x81)) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: OBJECT IDENTIFIER arc over 64 bits");
		}
	}
	return CCTSA_OK;
}

cctsa_err cctsa_der_get_oid(cctsa_cursor *c, cctsa_der_elem *e, cctsa_diag *diag)
{
	size_t pos = c->pos;
	cctsa_err err = cctsa_der_expect(c, CCTSA_DER_OID, e, diag);

	if (err == CCTSA_OK) {
		err = cctsa_der_check_oid(e->val, e->val_len, diag);
	}
	if (err != CCTSA_OK) {
		c->pos = pos;
	}
	return err;
}

int cctsa_der_oid_is(const uint8_t *val, size_t len, const char *dotted)
{
	uint8_t enc[CCTSA_DER_OID_MAX];
	size_t n = 0;

	if (cctsa_der_oid_encode(enc, sizeof(enc), &n, dotted) != CCTSA_OK) {
		return 0;
	}
	return n == len && cctsa_memcmp_var(enc, val, n) == 0;
}

cctsa_err cctsa_der_oid_to_text(char *out, size_t cap, const uint8_t *val, size_t len)
{
	cctsa_buf b;
	uint64_t v = 0;
	int first = 1;
	cctsa_err err = CCTSA_OK;

	if (cap == 0 || cctsa_der_check_oid(val, len, NULL) != CCTSA_OK) {
		return CCTSA_E_USAGE;
	}
	cctsa_buf_init_fixed(&b, (uint8_t *)out, cap);
	for (size_t i = 0; i < len && err == CCTSA_OK; i++) {
		v = (v << 7) | (val[i] & 0x7f);
		if ((val[i] & 0x80) != 0) {
			continue;
		}
		if (first) {
			unsigned a = v < 40 ? 0 : v < 80 ? 1 : 2;

			err = cctsa_buf_printf(&b, "%u.%llu", a, (unsigned long long)(v - 40u * a));
			first = 0;
		} else {
			err = cctsa_buf_printf(&b, ".%llu", (unsigned long long)v);
		}
		v = 0;
	}
	if (err == CCTSA_OK) {
		err = cctsa_buf_put_u8(&b, 0);
	}
	if (err != CCTSA_OK) {
		out[0] = '\0';
		return CCTSA_E_USAGE;
	}
	return CCTSA_OK;
}

cctsa_err cctsa_der_get_octets(cctsa_cursor *c, uint8_t tag, const uint8_t **val, size_t *len, cctsa_diag *diag)
{
	cctsa_der_elem e = {0};
	cctsa_err err = cctsa_der_expect(c, tag, &e, diag);

	if (err == CCTSA_OK) {
		*val = e.val;
		*len = e.val_len;
	}
	return err;
}

cctsa_err cctsa_der_get_bits(cctsa_cursor *c, const uint8_t **val, size_t *len, unsigned *unused_bits,
			     cctsa_diag *diag)
{
	size_t pos = c->pos;
	cctsa_der_elem e = {0};
	cctsa_err err = cctsa_der_expect(c, CCTSA_DER_BIT_STRING, &e, diag);
	unsigned u;

	if (err != CCTSA_OK) {
		return err;
	}
	if (e.val_len == 0) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: BIT STRING without its unused-bits octet");
	} else if ((u = e.val[0]) > 7 || (e.val_len == 1 && u != 0)) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: BIT STRING with %u unused bits", e.val[0]);
	} else if (e.val_len > 1 && (e.val[e.val_len - 1] & ((1u << u) - 1)) != 0) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: BIT STRING unused bits not zero");
	}
	if (err != CCTSA_OK) {
		c->pos = pos;
		return err;
	}
	*val = e.val + 1;
	*len = e.val_len - 1;
	*unused_bits = e.val[0];
	return CCTSA_OK;
}

static int string_ok(uint8_t tag, const uint8_t *s, size_t len)
{
	if (tag == CCTSA_DER_UTF8_STRING) {
		return cctsa_der_utf8_ok(s, len);
	}
	for (size_t i = 0; i < len; i++) {
		if (tag == CCTSA_DER_PRINTABLE_STRING ? !cctsa_der_printable_ok(s[i]) : (s[i] == 0 || s[i] > 0x7f)) {
			return 0;
		}
	}
	return 1;
}

cctsa_err cctsa_der_get_string(cctsa_cursor *c, uint8_t *tag, const char **s, size_t *len, cctsa_diag *diag)
{
	size_t pos = c->pos;
	cctsa_der_elem e = {0};
	cctsa_err err = cctsa_der_read(c, &e, diag);

	if (err != CCTSA_OK) {
		return err;
	}
	if (e.tag != CCTSA_DER_UTF8_STRING && e.tag != CCTSA_DER_PRINTABLE_STRING && e.tag != CCTSA_DER_IA5_STRING) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: expected a string, found tag 0x%02x", e.tag);
	} else if (!string_ok(e.tag, e.val, e.val_len)) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: %s with a character outside its alphabet",
				 tag_name(e.tag));
	}
	if (err != CCTSA_OK) {
		c->pos = pos;
		return err;
	}
	*tag = e.tag;
	*s = (const char *)e.val;
	*len = e.val_len;
	return CCTSA_OK;
}

static int digits(const uint8_t *p, size_t n, unsigned *out)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') {
			return 0;
		}
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	*out = v;
	return 1;
}

/* Parses the DER time profile; returns NULL or a reason. */
static const char *parse_time(const cctsa_der_elem *e, int64_t *secs, uint32_t *nanos)
{
	const uint8_t *p = e->val;
	size_t n = e->val_len, yl = e->tag == CCTSA_DER_UTC_TIME ? 2 : 4, fl = 0;
	unsigned y, mo, d, h, mi, s, frac = 0;

	if (n < yl + 11 || p[n - 1] != 'Z') {
		return "must be YYMMDDHHMMSSZ / YYYYMMDDHHMMSS[.f]Z";
	}
	if (!digits(p, yl, &y) || !digits(p + yl, 2, &mo) || !digits(p + yl + 2, 2, &d) ||
	    !digits(p + yl + 4, 2, &h) || !digits(p + yl + 6, 2, &mi) || !digits(p + yl + 8, 2, &s)) {
		return "non-digit in a date or time field";
	}
	if (n != yl + 11) {
		fl = n - yl - 12;
		if (e->tag == CCTSA_DER_UTC_TIME || p[yl + 10] != '.' || fl == 0 || fl > 9) {
			return "bad fraction of a second (or UTCTime with one)";
		}
		if (!digits(p + yl + 11, fl, &frac)) {
			return "non-digit in the fraction";
		}
		if (p[n - 2] == '0') {
			return "fraction with a trailing zero";
		}
	}
	if (e->tag == CCTSA_DER_UTC_TIME) {
		y += y < 50 ? 2000 : 1900;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > cctsa_der_month_days(y, mo) || h > 23 || mi > 59 || s > 59) {
		return "date or time field out of range";
	}
	for (size_t i = fl; i < 9; i++) {
		frac *= 10;
	}
	*secs = cctsa_der_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + s;
	*nanos = frac;
	return NULL;
}

cctsa_err cctsa_der_get_time(cctsa_cursor *c, int64_t *secs, uint32_t *nanos, cctsa_diag *diag)
{
	size_t pos = c->pos;
	cctsa_der_elem e = {0};
	const char *why;
	cctsa_err err = cctsa_der_read(c, &e, diag);

	if (err != CCTSA_OK) {
		return err;
	}
	if (e.tag != CCTSA_DER_UTC_TIME && e.tag != CCTSA_DER_GENERALIZED_TIME) {
		c->pos = pos;
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: expected UTCTime or GeneralizedTime, found tag 0x%02x",
				  e.tag);
	}
	why = parse_time(&e, secs, nanos);
	if (why != NULL) {
		c->pos = pos;
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "DER: %s %s", tag_name(e.tag), why);
	}
	return CCTSA_OK;
}
