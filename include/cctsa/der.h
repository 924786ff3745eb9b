/*
 * der: a strict DER (X.690) writer and a bounds-checked, strict DER reader.
 *
 * Writer: every value is appended to a cctsa_buf. Constructed values are written
 * with cctsa_der_begin()/cctsa_der_end(): begin writes the tag and a one-byte length
 * placeholder and returns a mark; end fixes the length in its minimal form (moving
 * the contents when the long form is needed). cctsa_der_end_set() additionally sorts
 * the elements of a SET OF into DER order (X.690 §11.6). Nothing here allocates; a
 * growable cctsa_buf grows through base. A put that fails leaves b->len where it
 * was before the call only for primitives; after a failed begin/end the buffer
 * contents are unspecified and the caller discards them.
 *
 * Reader: cctsa_der_read() takes one TLV from a cursor and accepts only DER:
 * single-byte tags (tag number <= 30), definite lengths in minimal form, lengths of
 * at most 4 octets and within the input. The typed getters add each type's own DER
 * rules (BOOLEAN 00/FF, minimal INTEGER, OID without padding, BIT STRING unused
 * bits zero, times in the DER profile: seconds present, 'Z', fraction without
 * trailing zeros). Every error is CCTSA_E_MALFORMED unless stated, with a message
 * in the optional diag naming what was wrong; the cursor is left unchanged on error.
 *
 * Tags are single octets: class | constructed | number, e.g. CCTSA_DER_SEQUENCE or
 * CCTSA_DER_CTX_CONS(0) for [0] EXPLICIT / IMPLICIT constructed.
 */
#ifndef CCTSA_DER_H
#define CCTSA_DER_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"

#define CCTSA_DER_BOOLEAN 0x01
#define CCTSA_DER_INTEGER 0x02
#define CCTSA_DER_BIT_STRING 0x03
#define CCTSA_DER_OCTET_STRING 0x04
#define CCTSA_DER_NULL 0x05
#define CCTSA_DER_OID 0x06
#define CCTSA_DER_ENUMERATED 0x0a
#define CCTSA_DER_UTF8_STRING 0x0c
#define CCTSA_DER_PRINTABLE_STRING 0x13
#define CCTSA_DER_IA5_STRING 0x16
#define CCTSA_DER_UTC_TIME 0x17
#define CCTSA_DER_GENERALIZED_TIME 0x18
#define CCTSA_DER_SEQUENCE 0x30
#define CCTSA_DER_SET 0x31
#define CCTSA_DER_CONSTRUCTED 0x20
/* Context-specific tags: primitive [n] and constructed [n] (n <= 30). */
#define CCTSA_DER_CTX(n) ((uint8_t)(0x80u | (unsigned)(n)))
#define CCTSA_DER_CTX_CONS(n) ((uint8_t)(0xa0u | (unsigned)(n)))

/* Longest OID content we encode or decode (bytes) and longest dotted text. */
#define CCTSA_DER_OID_MAX 64
#define CCTSA_DER_OID_TEXT_MAX 192

/* ------------------------------------------------------------------ writer */

/*
 * Starts a constructed value with the given tag. *mark receives the position to
 * pass to cctsa_der_end/cctsa_der_end_set. Errors: CCTSA_E_RESOURCE (buffer full),
 * CCTSA_E_USAGE (tag is not a low-number tag).
 */
CCTSA_MUST_USE cctsa_err cctsa_der_begin(cctsa_buf *b, uint8_t tag, size_t *mark);
/*
 * Closes the value opened at mark: writes its minimal length (short form below 128,
 * else 0x81..0x84 + big-endian length). Errors: CCTSA_E_RESOURCE, CCTSA_E_USAGE
 * (mark not from cctsa_der_begin on this buffer, or contents over 4 GiB).
 */
CCTSA_MUST_USE cctsa_err cctsa_der_end(cctsa_buf *b, size_t mark);
/*
 * As cctsa_der_end, after sorting the elements written since begin into DER SET OF
 * order (encodings compared as octet strings, the shorter padded with zero octets).
 * The elements must be complete DER TLVs (else CCTSA_E_USAGE). In-place, O(n^2).
 */
CCTSA_MUST_USE cctsa_err cctsa_der_end_set(cctsa_buf *b, size_t mark);

/* Tag + minimal length + contents (any tag; contents are copied as given). */
CCTSA_MUST_USE cctsa_err cctsa_der_put_tlv(cctsa_buf *b, uint8_t tag, const uint8_t *val, size_t len);
/* Already-encoded DER, copied verbatim (the caller vouches for it). */
CCTSA_MUST_USE cctsa_err cctsa_der_put_raw(cctsa_buf *b, const uint8_t *der, size_t len);

/* INTEGER (or implicit tag) of a non-negative 64-bit value, minimal. */
CCTSA_MUST_USE cctsa_err cctsa_der_put_u64(cctsa_buf *b, uint64_t v);
CCTSA_MUST_USE cctsa_err cctsa_der_put_u64_tag(cctsa_buf *b, uint8_t tag, uint64_t v);
/*
 * INTEGER (or implicit tag) from an unsigned big-endian magnitude of len bytes
 * (leading zero octets are dropped, a 0x00 is prepended if the top bit is set, an
 * empty or all-zero magnitude encodes 0). The value is thus never negative.
 */
CCTSA_MUST_USE cctsa_err cctsa_der_put_uint(cctsa_buf *b, const uint8_t *mag, size_t len);
CCTSA_MUST_USE cctsa_err cctsa_der_put_uint_tag(cctsa_buf *b, uint8_t tag, const uint8_t *mag, size_t len);

/* BOOLEAN: TRUE is 0xFF, FALSE 0x00. */
CCTSA_MUST_USE cctsa_err cctsa_der_put_bool(cctsa_buf *b, int v);
CCTSA_MUST_USE cctsa_err cctsa_der_put_null(cctsa_buf *b);
/*
 * OBJECT IDENTIFIER from dotted text ("1.2.840.10045.4.3.3"). CCTSA_E_USAGE if the
 * text is not a valid OID (at least two arcs, first 0..2, second <= 39 under 0
 * and 1, arcs fit in 64 bits, no leading zeros, no empty arcs).
 */
CCTSA_MUST_USE cctsa_err cctsa_der_put_oid_text(cctsa_buf *b, const char *dotted);
/* OBJECT IDENTIFIER from its content octets (e.g. a constant; checked like the reader). */
CCTSA_MUST_USE cctsa_err cctsa_der_put_oid(cctsa_buf *b, const uint8_t *val, size_t len);
CCTSA_MUST_USE cctsa_err cctsa_der_put_octets(cctsa_buf *b, const uint8_t *val, size_t len);
/* BIT STRING of len bytes whose last byte has unused_bits (0..7) unused, zero, bits. */
CCTSA_MUST_USE cctsa_err cctsa_der_put_bits(cctsa_buf *b, const uint8_t *val, size_t len, unsigned unused_bits);
/*
 * Strings: UTF8String (checked to be well-formed UTF-8), PrintableString (checked
 * against the X.680 PrintableString alphabet), IA5String (7-bit). Bad text:
 * CCTSA_E_USAGE; none of them may contain NUL. s is len bytes (no terminator needed).
 */
CCTSA_MUST_USE cctsa_err cctsa_der_put_utf8(cctsa_buf *b, const char *s, size_t len);
CCTSA_MUST_USE cctsa_err cctsa_der_put_printable(cctsa_buf *b, const char *s, size_t len);
CCTSA_MUST_USE cctsa_err cctsa_der_put_ia5(cctsa_buf *b, const char *s, size_t len);
/*
 * GeneralizedTime YYYYMMDDHHMMSS[.f{1,3}]Z for secs since the Unix epoch (UTC) and
 * millis (0..999; trailing zero digits of the fraction and a zero fraction are
 * dropped, RFC 3161 §2.4.2). Years 0000..9999, else CCTSA_E_USAGE.
 */
CCTSA_MUST_USE cctsa_err cctsa_der_put_gentime(cctsa_buf *b, int64_t secs, uint32_t millis);
/* UTCTime YYMMDDHHMMSSZ; years 1950..2049 only (CCTSA_E_USAGE otherwise). */
CCTSA_MUST_USE cctsa_err cctsa_der_put_utctime(cctsa_buf *b, int64_t secs);
/* X.509 Time: UTCTime for 1950..2049, GeneralizedTime (no fraction) otherwise (RFC 5280 §4.1.2.5). */
CCTSA_MUST_USE cctsa_err cctsa_der_put_x509_time(cctsa_buf *b, int64_t secs);

/* Encodes dotted text to OID content octets. Errors as cctsa_der_put_oid_text, or
 * CCTSA_E_RESOURCE if over cap. */
CCTSA_MUST_USE cctsa_err cctsa_der_oid_encode(uint8_t *out, size_t cap, size_t *out_len, const char *dotted);

/* ------------------------------------------------------------------ reader */

/* One element as read: the whole TLV and its contents, pointing into the input. */
typedef struct {
	uint8_t tag;
	const uint8_t *der; /* tag, length and contents */
	size_t der_len;
	const uint8_t *val; /* contents */
	size_t val_len;
} cctsa_der_elem;

/* Reads the next TLV (any tag) strictly. Empty input, truncation, bad lengths: MALFORMED. */
CCTSA_MUST_USE cctsa_err cctsa_der_read(cctsa_cursor *c, cctsa_der_elem *e, cctsa_diag *diag);
/* 1 if the cursor is not empty and its next octet is tag (no other check). */
int cctsa_der_peek(const cctsa_cursor *c, uint8_t tag);
/* Reads the next TLV and requires the tag ("expected X, found Y" otherwise). */
CCTSA_MUST_USE cctsa_err cctsa_der_expect(cctsa_cursor *c, uint8_t tag, cctsa_der_elem *e, cctsa_diag *diag);
/* As cctsa_der_expect, and opens the contents as *body (for SEQUENCE, SET, [n]). */
CCTSA_MUST_USE cctsa_err cctsa_der_enter(cctsa_cursor *c, uint8_t tag, cctsa_cursor *body, cctsa_diag *diag);
/* Requires an empty cursor: "trailing data after <what>" otherwise. */
CCTSA_MUST_USE cctsa_err cctsa_der_finish(const cctsa_cursor *c, const char *what, cctsa_diag *diag);

/*
 * INTEGER (tag given, so implicit tags work) holding a non-negative value <= max
 * into *out. Negative or larger: MALFORMED (message says which).
 */
CCTSA_MUST_USE cctsa_err cctsa_der_get_u64(cctsa_cursor *c, uint8_t tag, uint64_t max, uint64_t *out,
					   cctsa_diag *diag);
/*
 * INTEGER (tag given) that is non-negative, as its magnitude without the sign
 * octet: mag and mag_len point into the input (zero is the single octet 00). The
 * magnitude must be at most max_len octets. Negative: MALFORMED.
 */
CCTSA_MUST_USE cctsa_err cctsa_der_get_uint(cctsa_cursor *c, uint8_t tag, size_t max_len, const uint8_t **mag,
					    size_t *mag_len, cctsa_diag *diag);
/* Checks the INTEGER DER rules on contents (non-empty, minimal). */
CCTSA_MUST_USE cctsa_err cctsa_der_check_int(const uint8_t *val, size_t len, cctsa_diag *diag);
/* BOOLEAN: only 00 and FF. */
CCTSA_MUST_USE cctsa_err cctsa_der_get_bool(cctsa_cursor *c, int *out, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_der_get_null(cctsa_cursor *c, cctsa_diag *diag);
/* OBJECT IDENTIFIER; e->val/val_len are the content octets, checked well-formed. */
CCTSA_MUST_USE cctsa_err cctsa_der_get_oid(cctsa_cursor *c, cctsa_der_elem *e, cctsa_diag *diag);
/* Checks OID content octets (non-empty, minimal subidentifiers, complete, arcs fit 64 bits). */
CCTSA_MUST_USE cctsa_err cctsa_der_check_oid(const uint8_t *val, size_t len, cctsa_diag *diag);
/* 1 if OID content octets val/len equal the dotted OID (0 also on bad dotted text). */
int cctsa_der_oid_is(const uint8_t *val, size_t len, const char *dotted);
/* Dotted text of OID content octets into out (NUL-terminated). USAGE if cap too small. */
CCTSA_MUST_USE cctsa_err cctsa_der_oid_to_text(char *out, size_t cap, const uint8_t *val, size_t len);
/* OCTET STRING (tag given, for implicit tags). */
CCTSA_MUST_USE cctsa_err cctsa_der_get_octets(cctsa_cursor *c, uint8_t tag, const uint8_t **val, size_t *len,
					      cctsa_diag *diag);
/* BIT STRING: the data bytes after the unused-bits octet, and that count (unused bits zero). */
CCTSA_MUST_USE cctsa_err cctsa_der_get_bits(cctsa_cursor *c, const uint8_t **val, size_t *len,
					    unsigned *unused_bits, cctsa_diag *diag);
/*
 * Any of UTF8String, PrintableString, IA5String, checked against its alphabet
 * (UTF-8 well-formed, no NUL); *tag says which.
 */
CCTSA_MUST_USE cctsa_err cctsa_der_get_string(cctsa_cursor *c, uint8_t *tag, const char **s, size_t *len,
					      cctsa_diag *diag);
/*
 * UTCTime or GeneralizedTime in the DER profile: UTCTime YYMMDDHHMMSSZ (YY < 50 is
 * 20YY); GeneralizedTime YYYYMMDDHHMMSS[.fraction]Z with 1..9 fraction digits, no
 * trailing zero. Calendar fields are range-checked (no leap seconds). *secs is
 * seconds since the Unix epoch, *nanos the fraction.
 */
CCTSA_MUST_USE cctsa_err cctsa_der_get_time(cctsa_cursor *c, int64_t *secs, uint32_t *nanos, cctsa_diag *diag);

#endif
