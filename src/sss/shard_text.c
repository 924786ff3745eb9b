/* Shard text form (version 1): encoder and strict parser; see include/cctsa/sss.h. */
#include <string.h>

#include "base/ct.h"
#include "sss/sss_int.h"

#define BEGIN_LINE "-----BEGIN CCTSA SHARD-----"
#define END_LINE "-----END CCTSA SHARD-----"
#define PAYLOAD_LINE_BYTES 32

static cctsa_err put_payload(cctsa_buf *b, const cctsa_sss_shard *s)
{
	char hex[2 * PAYLOAD_LINE_BYTES + 1];
	cctsa_err err = CCTSA_OK;

	for (size_t off = 0; off < s->len && err == CCTSA_OK; off += PAYLOAD_LINE_BYTES) {
		size_t c = s->len - off < PAYLOAD_LINE_BYTES ? s->len - off : PAYLOAD_LINE_BYTES;
		err = cctsa_hex_encode(hex, sizeof(hex), s->payload + off, c);
		if (err == CCTSA_OK) {
			err = cctsa_buf_put(b, hex, 2 * c);
		}
		if (err == CCTSA_OK) {
			err = cctsa_buf_put_u8(b, '\n');
		}
	}
	cctsa_wipe(hex, sizeof(hex));
	return err;
}

cctsa_err cctsa_sss_shard_encode(char **text_out, size_t *len_out, const cctsa_sss_shard *s,
				 cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	uint8_t check[CCTSA_SSS_CHECK_LEN];
	char set_hex[2 * CCTSA_SSS_SET_ID_LEN + 1], check_hex[2 * CCTSA_SSS_CHECK_LEN + 1];
	size_t cap = 2 * s->len + s->len / PAYLOAD_LINE_BYTES + 512;
	char *mem = NULL;
	cctsa_buf b;

	*text_out = NULL;
	*len_out = 0;
	mem = cctsa_secret_alloc(cap);
	if (mem == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "no locked memory");
	}
	cctsa_buf_init_fixed(&b, (uint8_t *)mem, cap - 1);
	CCTSA_TRY(cctsa_sss_shard_check(check, s));
	/* Public: the checksum is written on the shard beside the public fields. */
	CCTSA_PUBLIC(check, sizeof(check));
	CCTSA_TRY(cctsa_hex_encode(set_hex, sizeof(set_hex), s->set_id, sizeof(s->set_id)));
	CCTSA_TRY(cctsa_hex_encode(check_hex, sizeof(check_hex), check, sizeof(check)));
	CCTSA_TRY(cctsa_buf_printf(&b,
				   BEGIN_LINE "\nversion: 1\nset: %s\nthreshold: %u\nshares: %u\n"
					      "index: %u\nlength: %zu\npayload:\n",
				   set_hex, s->threshold, s->total, s->index, s->len));
	CCTSA_TRY(put_payload(&b, s));
	CCTSA_TRY(cctsa_buf_printf(&b, "check: %s\n" END_LINE "\n", check_hex));
	mem[b.len] = '\0';
	*len_out = b.len;
	*text_out = mem;
	mem = NULL;
out:
	cctsa_secret_free(mem);
	if (err != CCTSA_OK) {
		(void)cctsa_fail(diag, err, "cannot encode %s: %s", s->name, cctsa_err_name(err));
	}
	return err;
}

/* ---- parser ---- */

/*
 * Decodes 2n lowercase hex digits into out[0..n); returns all-ones iff every digit was
 * valid. Constant-time (payload digits are secret): no tables, no strlen, no early exit.
 */
static uint32_t hex_decode_lower(uint8_t *out, const uint8_t *p, size_t n)
{
	uint32_t ok = 0xffffffffu;

	for (size_t i = 0; i < 2 * n; i++) {
		uint32_t c = p[i];
		/* Unsigned wrap-around makes c - '0' huge when c < '0'. */
		uint32_t digit = cctsa_ct_lt_u32(c - '0', 10), lower = cctsa_ct_lt_u32(c - 'a', 6);
		uint32_t v = cctsa_ct_select_u32(digit, c - '0', (c - 'a' + 10) & 0xf);

		ok &= digit | lower;
		if (i % 2 == 0) {
			out[i / 2] = (uint8_t)(v << 4);
		} else {
			out[i / 2] = (uint8_t)(out[i / 2] | v);
		}
	}
	/* Public: only whether the line is well-formed is revealed, which a parse must tell. */
	CCTSA_PUBLIC(&ok, sizeof(ok));
	return ok;
}

typedef struct {
	cctsa_cursor c;
	const char *name;
	unsigned line;
	cctsa_diag *diag;
} shard_reader;

/* Next line without its LF (and without a CR before it); the last line may lack the LF. */
static cctsa_err next_line(shard_reader *r, const uint8_t **line, size_t *len)
{
	cctsa_cursor probe = r->c;
	size_t n = 0;
	uint8_t ch = 0;
	int lf = 0;

	r->line++;
	if (cctsa_cursor_left(&r->c) == 0) {
		return cctsa_fail(r->diag, CCTSA_E_MALFORMED, "%s: ends early (line %u is missing)",
				  r->name, r->line);
	}
	while (cctsa_cursor_get_u8(&probe, &ch) == CCTSA_OK) {
		uint32_t is_lf = cctsa_ct_eq_u32(ch, '\n');
		/* Public: where lines break is format; a valid payload holds hex digits only. */
		CCTSA_PUBLIC(&is_lf, sizeof(is_lf));
		if (is_lf) {
			lf = 1;
			break;
		}
		n++;
	}
	if (cctsa_cursor_get_view(&r->c, line, n) != CCTSA_OK ||
	    (lf && cctsa_cursor_skip(&r->c, 1) != CCTSA_OK)) {
		return CCTSA_E_INTERNAL;
	}
	if (n > 0) {
		uint32_t is_cr = cctsa_ct_eq_u32((*line)[n - 1], '\r');
		/* Public: as above, a line ending is format. */
		CCTSA_PUBLIC(&is_cr, sizeof(is_cr));
		n -= is_cr & 1u;
	}
	*len = n;
	return CCTSA_OK;
}

static int line_is(const uint8_t *line, size_t len, const char *want)
{
	size_t wl = strlen(want);
	return len == wl && cctsa_memcmp_var(line, want, wl) == 0;
}

static cctsa_err expect_line(shard_reader *r, const char *want)
{
	const uint8_t *line;
	size_t len;
	cctsa_err err = next_line(r, &line, &len);

	if (err == CCTSA_OK && !line_is(line, len, want)) {
		err = cctsa_fail(r->diag, CCTSA_E_MALFORMED, "%s: line %u should be \"%s\"", r->name,
				 r->line, want);
	}
	return err;
}

/* "key: value" with value a decimal number in lo..hi without leading zeros. */
static cctsa_err field_number(shard_reader *r, const char *key, unsigned long lo, unsigned long hi,
			      unsigned long *out)
{
	const uint8_t *line;
	size_t len, kl = strlen(key);
	unsigned long v = 0;
	cctsa_err err = next_line(r, &line, &len);

	if (err != CCTSA_OK) {
		return err;
	}
	if (len < kl + 3 || cctsa_memcmp_var(line, key, kl) != 0 || line[kl] != ':' ||
	    line[kl + 1] != ' ') {
		return cctsa_fail(r->diag, CCTSA_E_MALFORMED, "%s: line %u should start with \"%s: \"",
				  r->name, r->line, key);
	}
	if (len - kl - 2 > 6 || (line[kl + 2] == '0' && len - kl - 2 > 1)) {
		return cctsa_fail(r->diag, CCTSA_E_MALFORMED, "%s: line %u: %s is not a valid number",
				  r->name, r->line, key);
	}
	for (size_t i = kl + 2; i < len; i++) {
		if (line[i] < '0' || line[i] > '9') {
			return cctsa_fail(r->diag, CCTSA_E_MALFORMED,
					  "%s: line %u: %s is not a decimal number", r->name, r->line, key);
		}
		v = v * 10 + (unsigned long)(line[i] - '0');
	}
	if (v < lo || v > hi) {
		return cctsa_fail(r->diag, CCTSA_E_MALFORMED, "%s: line %u: %s %lu is outside %lu..%lu",
				  r->name, r->line, key, v, lo, hi);
	}
	*out = v;
	return CCTSA_OK;
}

/* "key: <2n lowercase hex digits>" into out[0..n). */
static cctsa_err field_hex(shard_reader *r, const char *key, uint8_t *out, size_t n)
{
	const uint8_t *line;
	size_t len, kl = strlen(key);
	cctsa_err err = next_line(r, &line, &len);

	if (err != CCTSA_OK) {
		return err;
	}
	if (len != kl + 2 + 2 * n || cctsa_memcmp_var(line, key, kl) != 0 || line[kl] != ':' ||
	    line[kl + 1] != ' ') {
		return cctsa_fail(r->diag, CCTSA_E_MALFORMED,
				  "%s: line %u should be \"%s: \" and %zu hex digits", r->name, r->line,
				  key, 2 * n);
	}
	if (!hex_decode_lower(out, line + kl + 2, n)) {
		return cctsa_fail(r->diag, CCTSA_E_MALFORMED, "%s: line %u: %s has a character that is not a lowercase hex digit",
				  r->name, r->line, key);
	}
	return CCTSA_OK;
}

/* The payload lines: 64 hex digits each, the last one 2*(len mod 32) if that is not 0. */
static cctsa_err read_payload(shard_reader *r, cctsa_sss_shard *s)
{
	cctsa_err err = CCTSA_OK;

	for (size_t off = 0; off < s->len && err == CCTSA_OK; off += PAYLOAD_LINE_BYTES) {
		size_t c = s->len - off < PAYLOAD_LINE_BYTES ? s->len - off : PAYLOAD_LINE_BYTES;
		const uint8_t *line;
		size_t len;

		err = next_line(r, &line, &len);
		if (err == CCTSA_OK && len != 2 * c) {
			err = cctsa_fail(r->diag, CCTSA_E_MALFORMED,
					 "%s: payload line %u has %zu characters, expected %zu", r->name,
					 r->line, len, 2 * c);
		}
		if (err == CCTSA_OK && !hex_decode_lower(s->payload + off, line, c)) {
			err = cctsa_fail(r->diag, CCTSA_E_MALFORMED,
					 "%s: payload line %u has a character that is not a lowercase "
					 "hex digit",
					 r->name, r->line);
		}
	}
	return err;
}

/* Header fields into a (payload-less) shard; the caller allocates the real one. */
static cctsa_err read_header(shard_reader *r, cctsa_sss_shard *h)
{
	cctsa_err err = CCTSA_OK;
	unsigned long version, m, n, idx, len;

	CCTSA_TRY(expect_line(r, BEGIN_LINE));
	CCTSA_TRY(field_number(r, "version", 0, 999999, &version));
	if (version != 1) {
		return cctsa_fail(r->diag, CCTSA_E_UNSUPPORTED,
				  "%s: shard format version %lu is not supported (this cctsa reads 1)",
				  r->name, version);
	}
	CCTSA_TRY(field_hex(r, "set", h->set_id, sizeof(h->set_id)));
	CCTSA_TRY(field_number(r, "threshold", 2, CCTSA_SSS_MAX_SHARES, &m));
	CCTSA_TRY(field_number(r, "shares", m, CCTSA_SSS_MAX_SHARES, &n));
	CCTSA_TRY(field_number(r, "index", 1, n, &idx));
	CCTSA_TRY(field_number(r, "length", 1, CCTSA_SSS_MAX_SECRET, &len));
	CCTSA_TRY(expect_line(r, "payload:"));
	h->threshold = (uint8_t)m;
	h->total = (uint8_t)n;
	h->index = (uint8_t)idx;
	h->len = len;
out:
	return err;
}

static cctsa_err read_trailer(shard_reader *r, const cctsa_sss_shard *s)
{
	cctsa_err err = CCTSA_OK;
	uint8_t want[CCTSA_SSS_CHECK_LEN], got[CCTSA_SSS_CHECK_LEN];
	uint32_t same;

	CCTSA_TRY(field_hex(r, "check", got, sizeof(got)));
	CCTSA_TRY(expect_line(r, END_LINE));
	if (cctsa_cursor_left(&r->c) != 0) {
		return cctsa_fail(r->diag, CCTSA_E_MALFORMED, "%s: text after the END line", r->name);
	}
	CCTSA_TRY(cctsa_sss_shard_check(want, s));
	same = cctsa_ct_memeq(want, got, sizeof(want));
	/* Public: the checksum is printed on the shard; only its match is revealed. */
	CCTSA_PUBLIC(&same, sizeof(same));
	if (!same) {
		err = cctsa_fail(r->diag, CCTSA_E_MALFORMED,
				 "%s: checksum mismatch: the shard was mistyped or damaged", r->name);
	}
out:
	cctsa_wipe(want, sizeof(want));
	return err;
}

cctsa_err cctsa_sss_shard_parse(cctsa_sss_shard **out, const uint8_t *text, size_t len,
				const char *name, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_sss_shard hdr;
	cctsa_sss_shard *s = NULL;
	shard_reader r = {.name = NULL, .line = 0, .diag = diag};

	*out = NULL;
	memset(&hdr, 0, sizeof(hdr));
	cctsa_sss_shard_set_name(&hdr, name);
	r.name = hdr.name;
	cctsa_cursor_init(&r.c, text, len);
	CCTSA_TRY(read_header(&r, &hdr));
	s = cctsa_sss_shard_alloc(hdr.len);
	CCTSA_ENSURE(s != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "no locked memory"));
	memcpy(s, &hdr, sizeof(hdr));
	r.name = s->name;
	CCTSA_TRY(read_payload(&r, s));
	CCTSA_TRY(read_trailer(&r, s));
	*out = s;
	s = NULL;
out:
	if (err == CCTSA_E_INTERNAL) {
		(void)cctsa_fail(diag, err, "%s: internal error while reading", hdr.name);
	}
	cctsa_sss_shard_free(s);
	return err;
}
