/*
 * Test and fuzz helper: parses a DER tree strictly with the typed getters and
 * writes it again with the typed writers. For DER the result must be the input,
 * byte for byte (parse -> write -> compare), so any accepted non-canonical input
 * shows up as a mismatch.
 */
#ifndef CCTSA_TESTS_DER_UTIL_H
#define CCTSA_TESTS_DER_UTIL_H

#include "cctsa/der.h"

#define DER_UTIL_MAX_DEPTH 24

static cctsa_err der_util_prim(cctsa_cursor *c, uint8_t tag, cctsa_buf *out)
{
	cctsa_der_elem e;
	const uint8_t *v;
	const char *s;
	char text[CCTSA_DER_OID_TEXT_MAX];
	size_t n;
	unsigned u;
	int bv;
	int64_t secs;
	uint32_t nanos;
	uint8_t st;
	cctsa_err err;

	switch (tag) {
	case CCTSA_DER_BOOLEAN:
		err = cctsa_der_get_bool(c, &bv, NULL);
		return err != CCTSA_OK ? err : cctsa_der_put_bool(out, bv);
	case CCTSA_DER_INTEGER: {
		cctsa_cursor save = *c;

		err = cctsa_der_expect(&save, tag, &e, NULL);
		if (err != CCTSA_OK) {
			return err;
		}
		if (e.val_len > 0 && (e.val[0] & 0x80) == 0) {
			err = cctsa_der_get_uint(c, tag, 1u << 20, &v, &n, NULL);
			return err != CCTSA_OK ? err : cctsa_der_put_uint(out, v, n);
		}
		err = cctsa_der_check_int(e.val, e.val_len, NULL);
		*c = save;
		return err != CCTSA_OK ? err : cctsa_der_put_tlv(out, tag, e.val, e.val_len);
	}
	case CCTSA_DER_BIT_STRING:
		err = cctsa_der_get_bits(c, &v, &n, &u, NULL);
		return err != CCTSA_OK ? err : cctsa_der_put_bits(out, v, n, u);
	case CCTSA_DER_NULL:
		err = cctsa_der_get_null(c, NULL);
		return err != CCTSA_OK ? err : cctsa_der_put_null(out);
	case CCTSA_DER_OID:
		err = cctsa_der_get_oid(c, &e, NULL);
		if (err == CCTSA_OK) {
			err = cctsa_der_oid_to_text(text, sizeof(text), e.val, e.val_len);
		}
		return err != CCTSA_OK ? err : cctsa_der_put_oid_text(out, text);
	case CCTSA_DER_UTF8_STRING:
	case CCTSA_DER_PRINTABLE_STRING:
	case CCTSA_DER_IA5_STRING:
		err = cctsa_der_get_string(c, &st, &s, &n, NULL);
		if (err != CCTSA_OK) {
			return err;
		}
		return st == CCTSA_DER_UTF8_STRING ? cctsa_der_put_utf8(out, s, n)
		       : st == CCTSA_DER_PRINTABLE_STRING ? cctsa_der_put_printable(out, s, n)
							  : cctsa_der_put_ia5(out, s, n);
	case CCTSA_DER_UTC_TIME:
	case CCTSA_DER_GENERALIZED_TIME: {
		cctsa_cursor save = *c;

		err = cctsa_der_get_time(c, &secs, &nanos, NULL);
		if (err != CCTSA_OK) {
			return err;
		}
		if (tag == CCTSA_DER_UTC_TIME) {
			return cctsa_der_put_utctime(out, secs);
		}
		if (nanos % 1000000 == 0) {
			return cctsa_der_put_gentime(out, secs, nanos / 1000000);
		}
		err = cctsa_der_read(&save, &e, NULL);
		return err != CCTSA_OK ? err : cctsa_der_put_tlv(out, tag, e.val, e.val_len);
	}
	default:
		err = cctsa_der_read(c, &e, NULL);
		return err != CCTSA_OK ? err : cctsa_der_put_tlv(out, e.tag, e.val, e.val_len);
	}
}

/* Re-encodes every element of c into out; fails on any non-DER input. */
static cctsa_err der_util_reencode(cctsa_cursor *c, cctsa_buf *out, int depth)
{
	cctsa_err err = CCTSA_OK;

	if (depth > DER_UTIL_MAX_DEPTH) {
		return CCTSA_E_MALFORMED;
	}
	while (err == CCTSA_OK && cctsa_cursor_left(c) > 0) {
		uint8_t tag = c->ptr[c->pos];

		if ((tag & CCTSA_DER_CONSTRUCTED) != 0) {
			cctsa_cursor body;
			size_t mark;

			err = cctsa_der_enter(c, tag, &body, NULL);
			if (err == CCTSA_OK) {
				err = cctsa_der_begin(out, tag, &mark);
			}
			if (err == CCTSA_OK) {
				err = der_util_reencode(&body, out, depth + 1);
			}
			if (err == CCTSA_OK) {
				err = cctsa_der_end(out, mark);
			}
		} else {
			err = der_util_prim(c, tag, out);
		}
	}
	return err;
}

#endif
