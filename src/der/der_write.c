/* der: the strict DER writer (contract in include/cctsa/der.h). */
#include <string.h>

#include "base/ct.h"
#include "der/der_int.h"

static int tag_ok(uint8_t tag)
{
	return (tag & 0x1f) != 0x1f;
}

static unsigned len_octets(size_t len)
{
	unsigned n = 0;

	if (len < 0x80) {
		return 0;
	}
	while (len != 0) {
		n++;
		len >>= 8;
	}
	return n;
}

static cctsa_err put_header(cctsa_buf *b, uint8_t tag, size_t len)
{
	uint8_t h[6];
	size_t n = 0;
	unsigned lo;

	if (!tag_ok(tag) || len > UINT32_MAX) {
		return CCTSA_E_USAGE;
	}
	lo = len_octets(len);
	h[n++] = tag;
	if (lo == 0) {
		h[n++] = (uint8_t)len;
	} else {
		h[n++] = (uint8_t)(0x80u | lo);
		for (unsigned i = lo; i > 0; i--) {
			h[n++] = (uint8_t)(len >> (8 * (i - 1)));
		}
	}
	return cctsa_buf_put(b, h, n);
}

cctsa_err cctsa_der_put_tlv(cctsa_buf *b, uint8_t tag, const uint8_t *val, size_t len)
{
	size_t start = b->len;
	cctsa_err err = put_header(b, tag, len);

	if (err == CCTSA_OK) {
		err = cctsa_buf_put(b, val, len);
	}
	if (err != CCTSA_OK) {
		b->len = start;
	}
	return err;
}

cctsa_err cctsa_der_put_raw(cctsa_buf *b, const uint8_t *der, size_t len)
{
	return cctsa_buf_put(b, der, len);
}

cctsa_err cctsa_der_begin(cctsa_buf *b, uint8_t tag, size_t *mark)
{
	uint8_t h[2] = {tag, 0};
	cctsa_err err;

	if (!tag_ok(tag)) {
		return CCTSA_E_USAGE;
	}
	err = cctsa_buf_put(b, h, sizeof(h));
	if (err == CCTSA_OK) {
		*mark = b->len - 1;
	}
	return err;
}

cctsa_err cctsa_der_end(cctsa_buf *b, size_t mark)
{
	size_t clen;
	unsigned lo;
	cctsa_err err;

	if (mark == 0 || mark >= b->len || b->data[mark] != 0) {
		return CCTSA_E_USAGE;
	}
	clen = b->len - mark - 1;
	if (clen > UINT32_MAX) {
		return CCTSA_E_USAGE;
	}
	lo = len_octets(clen);
	if (lo == 0) {
		b->data[mark] = (uint8_t)clen;
		return CCTSA_OK;
	}
	err = cctsa_buf_reserve(b, lo);
	if (err != CCTSA_OK) {
		return err;
	}
	memmove(b->data + mark + 1 + lo, b->data + mark + 1, clen);
	b->data[mark] = (uint8_t)(0x80u | lo);
	for (unsigned i = 0; i < lo; i++) {
		b->data[mark + 1 + i] = (uint8_t)(clen >> (8 * (lo - 1 - i)));
	}
	b->len += lo;
	return CCTSA_OK;
}

static void reverse(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		uint8_t t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* X.690 §11.6 order: octet-string comparison, the shorter padded with zeros. */
static int set_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = cctsa_memcmp_var(a, b, n);

	if (c != 0) {
		return c;
	}
	for (size_t i = n; i < alen; i++) {
		if (a[i] != 0) {
			return 1;
		}
	}
	for (size_t i = n; i < blen; i++) {
		if (b[i] != 0) {
			return -1;
		}
	}
	return 0;
}

cctsa_err cctsa_der_end_set(cctsa_buf *b, size_t mark)
{
	size_t start, end;

	if (mark == 0 || mark >= b->len || b->data[mark] != 0) {
		return CCTSA_E_USAGE;
	}
	end = b->len;
	/* Selection sort by rotation: bring the smallest remaining element to the front. */
	for (start = mark + 1; start < end;) {
		cctsa_cursor c;
		cctsa_der_elem e = {0};
		size_t min_off = 0, min_len = 0, off;

		cctsa_cursor_init(&c, b->data + start, end - start);
		while (cctsa_cursor_left(&c) > 0) {
			off = start + c.pos;
			if (cctsa_der_read(&c, &e, NULL) != CCTSA_OK) {
				return CCTSA_E_USAGE;
			}
			if (min_len == 0 || set_cmp(e.der, e.der_len, b->data + min_off, min_len) < 0) {
				min_off = off;
				min_len = e.der_len;
			}
		}
		if (min_off != start) {
			reverse(b->data + start, min_off - start);
			reverse(b->data + min_off, min_len);
			reverse(b->data + start, min_off + min_len - start);
		}
		start += min_len;
	}
	return cctsa_der_end(b, mark);
}

cctsa_err cctsa_der_put_uint_tag(cctsa_buf *b, uint8_t tag, const uint8_t *mag, size_t len)
{
	static const uint8_t zero = 0;
	size_t start = b->len;
	int pad;
	cctsa_err err;

	while (len > 0 && mag[0] == 0) {
		mag++;
		len--;
	}
	if (len == 0) {
		return cctsa_der_put_tlv(b, tag, &zero, 1);
	}
	pad = (mag[0] & 0x80) != 0;
	err = put_header(b, tag, len + (size_t)pad);
	if (err == CCTSA_OK && pad) {
		err = cctsa_buf_put_u8(b, 0);
	}
	if (err == CCTSA_OK) {
		err = cctsa_buf_put(b, mag, len);
	}
	if (err != CCTSA_OK) {
		b->len = start;
	}
	return err;
}

cctsa_err cctsa_der_put_uint(cctsa_buf *b, const uint8_t *mag, size_t len)
{
	return cctsa_der_put_uint_tag(b, CCTSA_DER_INTEGER, mag, len);
}

cctsa_err cctsa_der_put_u64_tag(cctsa_buf *b, uint8_t tag, uint64_t v)
{
	uint8_t m[8];

	for (int i = 0; i < 8; i++) {
		m[i] = (uint8_t)(v >> (56 - 8 * i));
	}
	return cctsa_der_put_uint_tag(b, tag, m, sizeof(m));
}

cctsa_err cctsa_der_put_u64(cctsa_buf *b, uint64_t v)
{
	return cctsa_der_put_u64_tag(b, CCTSA_DER_INTEGER, v);
}

cctsa_err cctsa_der_put_bool(cctsa_buf *b, int v)
{
	uint8_t x = v ? 0xff : 0x00;

	return cctsa_der_put_tlv(b, CCTSA_DER_BOOLEAN, &x, 1);
}

cctsa_err cctsa_der_put_null(cctsa_buf *b)
{
	return cctsa_der_put_tlv(b, CCTSA_DER_NULL, NULL, 0);
}

/* Parses one decimal arc without leading zeros; advances *s. */
static int parse_arc(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9')) {
		return 0;
	}
	while (*p >= '0' && *p <= '9') {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
			return 0;
		}
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	*s = p;
	*out = v;
	return 1;
}

static cctsa_err put_base128(uint8_t *out, size_t cap, size_t *pos, uint64_t v)
{
	uint8_t t[10];
	size_t n = 0;

	do {
		t[n++] = (uint8_t)(v & 0x7f);
		v >>= 7;
	} while (v != 0);
	if (cap - *pos < n) {
		return CCTSA_E_RESOURCE;
	}
	while (n > 0) {
		n--;
		out[(*pos)++] = (uint8_t)(t[n] | (n > 0 ? 0x80 : 0));
	}
	return CCTSA_OK;
}

cctsa_err cctsa_der_oid_encode(uint8_t *out, size_t cap, size_t *out_len, const char *dotted)
{
	const char *p = dotted;
	uint64_t a, v;
	size_t pos = 0;
	cctsa_err err;

	if (!parse_arc(&p, &a) || a > 2 || *p++ != '.' || !parse_arc(&p, &v)) {
		return CCTSA_E_USAGE;
	}
	if ((a < 2 && v > 39) || v > UINT64_MAX - 80) {
		return CCTSA_E_USAGE;
	}
	err = put_base128(out, cap, &pos, a * 40 + v);
	while (err == CCTSA_OK && *p != '\0') {
		if (*p++ != '.' || !parse_arc(&p, &v)) {
			return CCTSA_E_USAGE;
		}
		err = put_base128(out, cap, &pos, v);
	}
	if (err == CCTSA_OK) {
		*out_len = pos;
	}
	return err;
}

cctsa_err cctsa_der_put_oid_text(cctsa_buf *b, const char *dotted)
{
	uint8_t enc[CCTSA_DER_OID_MAX];
	size_t n = 0;
	cctsa_err err = cctsa_der_oid_encode(enc, sizeof(enc), &n, dotted);

	if (err == CCTSA_E_RESOURCE) {
		return CCTSA_E_USAGE;
	}
	return err != CCTSA_OK ? err : cctsa_der_put_tlv(b, CCTSA_DER_OID, enc, n);
}

cctsa_err cctsa_der_put_oid(cctsa_buf *b, const uint8_t *val, size_t len)
{
	if (cctsa_der_check_oid(val, len, NULL) != CCTSA_OK) {
		return CCTSA_E_USAGE;
	}
	return cctsa_der_put_tlv(b, CCTSA_DER_OID, val, len);
}

cctsa_err cctsa_der_put_octets(cctsa_buf *b, const uint8_t *val, size_t len)
{
	return cctsa_der_put_tlv(b, CCTSA_DER_OCTET_STRING, val, len);
}

cctsa_err cctsa_der_put_bits(cctsa_buf *b, const uint8_t *val, size_t len, unsigned unused_bits)
{
	size_t start = b->len, total;
	cctsa_err err;

	if (unused_bits > 7 || (len == 0 && unused_bits != 0) ||
	    (len > 0 && (val[len - 1] & ((1u << unused_bits) - 1)) != 0) || !cctsa_size_add(&total, len, 1)) {
		return CCTSA_E_USAGE;
	}
	err = put_header(b, CCTSA_DER_BIT_STRING, total);
	if (err == CCTSA_OK) {
		err = cctsa_buf_put_u8(b, (uint8_t)unused_bits);
	}
	if (err == CCTSA_OK) {
		err = cctsa_buf_put(b, val, len);
	}
	if (err != CCTSA_OK) {
		b->len = start;
	}
	return err;
}

cctsa_err cctsa_der_put_utf8(cctsa_buf *b, const char *s, size_t len)
{
	if (!cctsa_der_utf8_ok((const uint8_t *)s, len)) {
		return CCTSA_E_USAGE;
	}
	return cctsa_der_put_tlv(b, CCTSA_DER_UTF8_STRING, (const uint8_t *)s, len);
}

cctsa_err cctsa_der_put_printable(cctsa_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!cctsa_der_printable_ok((uint8_t)s[i])) {
			return CCTSA_E_USAGE;
		}
	}
	return cctsa_der_put_tlv(b, CCTSA_DER_PRINTABLE_STRING, (const uint8_t *)s, len);
}

cctsa_err cctsa_der_put_ia5(cctsa_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((uint8_t)s[i] > 0x7f || s[i] == 0) {
			return CCTSA_E_USAGE;
		}
	}
	return cctsa_der_put_tlv(b, CCTSA_DER_IA5_STRING, (const uint8_t *)s, len);
}

static void put_digits(uint8_t *p, unsigned v, unsigned n)
{
	while (n > 0) {
		n--;
		p[n] = (uint8_t)('0' + v % 10);
		v /= 10;
	}
}

/* Writes YYYYMMDDHHMMSS (or YYMMDDHHMMSS when short_year) and returns its length. */
static size_t fmt_time(uint8_t *p, int64_t secs, int short_year, int64_t *year)
{
	int64_t days = secs / 86400, rem = secs % 86400, y;
	unsigned m, d;
	size_t n = 0;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	cctsa_der_civil_from_days(days, &y, &m, &d);
	*year = y;
	if (y < 0 || y > 9999) {
		return 0;
	}
	if (short_year) {
		put_digits(p, (unsigned)(y % 100), 2);
		n = 2;
	} else {
		put_digits(p, (unsigned)y, 4);
		n = 4;
	}
	put_digits(p + n, m, 2);
	put_digits(p + n + 2, d, 2);
	put_digits(p + n + 4, (unsigned)(rem / 3600), 2);
	put_digits(p + n + 6, (unsigned)(rem / 60 % 60), 2);
	put_digits(p + n + 8, (unsigned)(rem % 60), 2);
	return n + 10;
}

cctsa_err cctsa_der_put_gentime(cctsa_buf *b, int64_t secs, uint32_t millis)
{
	uint8_t t[24];
	int64_t y;
	size_t n = 0;

	if (millis > 999 || secs > INT64_MAX / 2 || secs < INT64_MIN / 2) {
		return CCTSA_E_USAGE;
	}
	n = fmt_time(t, secs, 0, &y);
	if (n == 0) {
		return CCTSA_E_USAGE;
	}
	if (millis != 0) {
		unsigned digits = 3;

		while (millis % 10 == 0) {
			millis /= 10;
			digits--;
		}
		t[n++] = '.';
		put_digits(t + n, millis, digits);
		n += digits;
	}
	t[n++] = 'Z';
	return cctsa_der_put_tlv(b, CCTSA_DER_GENERALIZED_TIME, t, n);
}

cctsa_err cctsa_der_put_utctime(cctsa_buf *b, int64_t secs)
{
	uint8_t t[16];
	int64_t y;
	size_t n = 0;

	if (secs > INT64_MAX / 2 || secs < INT64_MIN / 2) {
		return CCTSA_E_USAGE;
	}
	n = fmt_time(t, secs, 1, &y);
	if (n == 0 || y < 1950 || y > 2049) {
		return CCTSA_E_USAGE;
	}
	t[n++] = 'Z';
	return cctsa_der_put_tlv(b, CCTSA_DER_UTC_TIME, t, n);
}

cctsa_err cctsa_der_put_x509_time(cctsa_buf *b, int64_t secs)
{
	/* UTCTime covers 1950-01-01T00:00:00Z .. 2049-12-31T23:59:59Z. */
	if (secs >= INT64_C(-631152000) && secs < INT64_C(2524608000)) {
		return cctsa_der_put_utctime(b, secs);
	}
	return cctsa_der_put_gentime(b, secs, 0);
}
