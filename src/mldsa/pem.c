/*
 * PEM armour (RFC 7468) for the ML-DSA key containers. Base64 is computed with
 * arithmetic masks, without table lookups or branches on the data, because the
 * PRIVATE KEY block is secret; only the layout (line breaks, padding, which
 * depend on the length alone) is handled with branches.
 */
#include <stdio.h>
#include <string.h>

#include "base/ct.h"
#include "mldsa/mldsa_int.h"

/* All-ones iff lo <= c <= hi, for c, lo, hi in [0, 255]. */
static uint32_t in_range(uint32_t c, uint32_t lo, uint32_t hi)
{
	uint32_t below = (c - lo) >> 31;          /* 1 if c < lo */
	uint32_t above = (hi - c) >> 31;          /* 1 if c > hi */
	return cctsa_ct_mask_u32(1 & ~(below | above));
}

/* 6-bit value to its base64 character. */
static uint8_t b64_char(uint32_t v)
{
	uint32_t c = v + 'A';

	c += in_range(v, 26, 63) & 6;                /* 'a' - 26 */
	c += in_range(v, 52, 63) & (uint32_t)-75;    /* '0' - 52 */
	c += in_range(v, 62, 63) & (uint32_t)-15;    /* '+' */
	c += in_range(v, 63, 63) & 3;                /* '/' */
	return (uint8_t)c;
}

/* Base64 character to its value; *bad gets all-ones if c is not in the alphabet. */
static uint32_t b64_value(uint32_t c, uint32_t *bad)
{
	uint32_t up = in_range(c, 'A', 'Z'), lo = in_range(c, 'a', 'z'), dig = in_range(c, '0', '9');
	uint32_t plus = in_range(c, '+', '+'), slash = in_range(c, '/', '/');

	*bad |= ~(up | lo | dig | plus | slash);
	return ((c - 'A') & up) | ((c - 'a' + 26) & lo) | ((c - '0' + 52) & dig) | (62 & plus) | (63 & slash);
}

cctsa_err cctsa_mldsa_pem_write(cctsa_buf *out, const char *label, const uint8_t *der, size_t der_len)
{
	cctsa_err err = CCTSA_OK;
	size_t col = 0;

	CCTSA_TRY(cctsa_buf_printf(out, "-----BEGIN %s-----\n", label));
	for (size_t i = 0; i < der_len; i += 3) {
		uint32_t v = (uint32_t)der[i] << 16;
		size_t n = der_len - i < 3 ? der_len - i : 3;
		uint8_t q[4];
		v |= n > 1 ? (uint32_t)der[i + 1] << 8 : 0;
		v |= n > 2 ? der[i + 2] : 0;
		q[0] = b64_char(v >> 18);
		q[1] = b64_char((v >> 12) & 63);
		q[2] = n > 1 ? b64_char((v >> 6) & 63) : '=';
		q[3] = n > 2 ? b64_char(v & 63) : '=';
		CCTSA_TRY(cctsa_buf_put(out, q, 4));
		col += 4;
		if (col == 64) {
			CCTSA_TRY(cctsa_buf_put_u8(out, '\n'));
			col = 0;
		}
	}
	if (col != 0) {
		CCTSA_TRY(cctsa_buf_put_u8(out, '\n'));
	}
	CCTSA_TRY(cctsa_buf_printf(out, "-----END %s-----\n", label));
out:
	return err;
}

/*
 * Position just after the first occurrence of pat in [from, len), or len + 1 if
 * absent. Used only on public text (headers, or whole public-key files).
 */
static size_t find(const uint8_t *text, size_t len, size_t from, const char *pat)
{
	size_t n = strlen(pat);

	for (size_t i = from; i + n <= len; i++) {
		if (cctsa_memcmp_var(text + i, pat, n) == 0) {
			return i + n;
		}
	}
	return len + 1;
}

/*
 * Start of the last occurrence of pat in [from, len), or len + 1 if absent. The
 * scan runs backwards from the end, so for a well-formed block it stops at the
 * END line without comparing any (possibly secret) base64 character.
 */
static size_t rfind(const uint8_t *text, size_t len, size_t from, const char *pat)
{
	size_t n = strlen(pat);

	for (size_t i = len >= n ? len - n + 1 : 0; i-- > from;) {
		if (cctsa_memcmp_var(text + i, pat, n) == 0) {
			return i;
		}
	}
	return len + 1;
}

/* Decodes the base64 body text[from, to) into der; whitespace is skipped. */
static cctsa_err b64_decode(cctsa_buf *der, const uint8_t *text, size_t from, size_t to, cctsa_diag *diag)
{
	uint32_t acc = 0, bad = 0;
	unsigned nq = 0, pad = 0;
	cctsa_err err = CCTSA_OK;

	for (size_t i = from; i < to; i++) {
		uint32_t c = text[i];
		uint32_t cls = (in_range(c, '\t', '\n') | in_range(c, '\r', '\r') | in_range(c, ' ', ' ')) & 1;
		cls |= in_range(c, '=', '=') & 2;
		/*
		 * Which characters are line breaks or padding is the PEM layout, set by
		 * the length alone (no base64 digit is either), so it is public.
		 */
		CCTSA_PUBLIC(&cls, sizeof(cls));
		if (cls == 1) {
			continue;
		}
		if (cls == 2) {
			pad++;
			acc <<= 6;
		} else {
			CCTSA_ENSURE(pad == 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: data after padding"));
			acc = (acc << 6) | b64_value(c, &bad);
		}
		if (++nq == 4) {
			uint8_t b[3] = {(uint8_t)(acc >> 16), (uint8_t)(acc >> 8), (uint8_t)acc};
			CCTSA_ENSURE(pad <= 2, cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: bad padding"));
			CCTSA_TRY(cctsa_buf_put(der, b, 3 - pad));
			nq = 0;
			acc = 0;
		}
	}
	CCTSA_ENSURE(nq == 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: base64 length is not a multiple of 4"));
	/* only whether the whole body was valid leaves here */
	CCTSA_PUBLIC(&bad, sizeof(bad));
	CCTSA_ENSURE(bad == 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: invalid base64 character"));
out:
	cctsa_wipe(&acc, sizeof(acc));
	return err;
}

cctsa_err cctsa_mldsa_pem_read(cctsa_buf *der, const char *label, const uint8_t *text, size_t text_len,
			       cctsa_diag *diag)
{
	char begin[96], end[96];
	size_t b, e;
	cctsa_err err = CCTSA_OK;

	der->len = 0;
	CCTSA_ENSURE(strlen(label) < 64, CCTSA_E_USAGE);
	(void)snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	(void)snprintf(end, sizeof(end), "-----END %s-----", label);
	b = find(text, text_len, 0, begin);
	CCTSA_ENSURE(b <= text_len, cctsa_fail(diag, CCTSA_E_MALFORMED, "no %s", begin));
	e = rfind(text, text_len, b, end);
	CCTSA_ENSURE(e <= text_len, cctsa_fail(diag, CCTSA_E_MALFORMED, "no %s", end));
	CCTSA_TRY(b64_decode(der, text, b, e, diag));
	CCTSA_ENSURE(der->len > 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: empty %s block", label));
out:
	if (err != CCTSA_OK) {
		cctsa_wipe(der->data, der->len);
		der->len = 0;
	}
	return err;
}

/*
 * PEM or DER? A DER container starts with its SEQUENCE tag 0x30, which no PEM
 * text does (it may start with explanatory text, never with '0'). Looking at the
 * first byte only keeps the secret bytes of a raw or DER key out of any branch.
 */
static int is_pem(const uint8_t *data, size_t len)
{
	return len > 0 && data[0] != 0x30;
}

static int raw_alg(size_t len, size_t (*len_of)(cctsa_mldsa_alg), cctsa_mldsa_alg *alg)
{
	static const cctsa_mldsa_alg algs[3] = {CCTSA_MLDSA_44, CCTSA_MLDSA_65, CCTSA_MLDSA_87};

	for (unsigned i = 0; i < 3; i++) {
		if (len == len_of(algs[i])) {
			*alg = algs[i];
			return 1;
		}
	}
	return 0;
}

cctsa_err cctsa_mldsa_key_load(cctsa_mldsa_key **key, const uint8_t *data, size_t len, cctsa_diag *diag)
{
	cctsa_mldsa_alg alg;
	cctsa_buf der;
	cctsa_err err;

	*key = NULL;
	if (raw_alg(len, cctsa_mldsa_sk_len, &alg)) {
		err = cctsa_mldsa_key_from_sk(key, alg, data, len);
		return err == CCTSA_OK ? err : cctsa_fail(diag, err, "invalid ML-DSA-%d expanded private key", (int)alg);
	}
	if (is_pem(data, len)) {
		cctsa_buf_init(&der, 1u << 16);
		err = cctsa_mldsa_pem_read(&der, "PRIVATE KEY", data, len, diag);
		if (err == CCTSA_OK) {
			err = cctsa_mldsa_pkcs8_parse(key, der.data, der.len, diag);
		}
		cctsa_buf_free(&der);
		return err;
	}
	return cctsa_mldsa_pkcs8_parse(key, data, len, diag);
}

cctsa_err cctsa_mldsa_pub_load(cctsa_mldsa_alg *alg, uint8_t pk[static CCTSA_MLDSA_PK_MAX], size_t *pk_len,
			       const uint8_t *data, size_t len, cctsa_diag *diag)
{
	const uint8_t *p;
	cctsa_buf der;
	cctsa_err err = CCTSA_OK;

	*pk_len = 0;
	cctsa_buf_init(&der, 1u << 16);
	if (raw_alg(len, cctsa_mldsa_pk_len, alg)) {
		p = data;
		*pk_len = len;
	} else if (is_pem(data, len)) {
		CCTSA_TRY(cctsa_mldsa_pem_read(&der, "PUBLIC KEY", data, len, diag));
		CCTSA_TRY(cctsa_mldsa_spki_parse(alg, &p, pk_len, der.data, der.len, diag));
	} else {
		CCTSA_TRY(cctsa_mldsa_spki_parse(alg, &p, pk_len, data, len, diag));
	}
	memcpy(pk, p, *pk_len);
out:
	cctsa_buf_free(&der);
	return err;
}
