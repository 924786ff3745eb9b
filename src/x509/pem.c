/* x509: PEM armour (RFC 7468 strict form: 64-column base64 between BEGIN/END lines). */
#include <openssl/evp.h>
#include <string.h>

#include "base/ct.h"
#include "x509/x509_int.h"

cctsa_err cctsa_x509_der_to_pem(cctsa_buf *out, const char *label, const uint8_t *der, size_t len)
{
	unsigned char line[65 + 1];
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_buf_printf(out, "-----BEGIN %s-----\n", label));
	for (size_t off = 0; off < len; off += 48) {
		size_t n = len - off < 48 ? len - off : 48;
		int w = EVP_EncodeBlock(line, der + off, (int)n);

		CCTSA_TRY(cctsa_buf_put(out, line, (size_t)w));
		CCTSA_TRY(cctsa_buf_put_u8(out, '\n'));
	}
	CCTSA_TRY(cctsa_buf_printf(out, "-----END %s-----\n", label));
out:
	cctsa_wipe(line, sizeof(line));
	return err;
}

/* Finds needle in hay[0..len); returns its offset or len. */
static size_t find(const uint8_t *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n <= len && i <= len - n; i++) {
		if (hay[i] == (uint8_t)needle[0] && cctsa_memcmp_var(hay + i, needle, n) == 0) {
			return i;
		}
	}
	return len;
}

/* Decodes base64 text (lines of whitespace-separated groups) into der. */
static cctsa_err b64_decode(cctsa_buf *der, const uint8_t *t, size_t len, cctsa_diag *diag)
{
	uint8_t quad[4], dec[3];
	size_t q = 0;
	int ended = 0;
	cctsa_err err = CCTSA_OK;

	for (size_t i = 0; i < len; i++) {
		uint8_t ch = t[i];
		int r;

		if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t') {
			continue;
		}
		CCTSA_ENSURE(!ended, cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: data after base64 padding"));
		CCTSA_ENSURE((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
				     ch == '+' || ch == '/' || ch == '=',
			     cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: bad base64 character 0x%02x", ch));
		quad[q++] = ch;
		if (q < 4) {
			continue;
		}
		q = 0;
		r = EVP_DecodeBlock(dec, quad, 4);
		CCTSA_ENSURE(r == 3, cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: bad base64 group"));
		r -= quad[3] == '=' ? 1 : 0;
		r -= quad[2] == '=' ? 1 : 0;
		CCTSA_ENSURE(quad[2] != '=' || quad[3] == '=', cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: bad padding"));
		ended = r < 3;
		CCTSA_TRY(cctsa_buf_put(der, dec, (size_t)r));
	}
	CCTSA_ENSURE(q == 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: base64 length not a multiple of 4"));
out:
	cctsa_wipe(dec, sizeof(dec));
	cctsa_wipe(quad, sizeof(quad));
	return err;
}

cctsa_err cctsa_x509_pem_to_der(cctsa_buf *der, const char *label, const uint8_t *in, size_t len, cctsa_diag *diag)
{
	char begin[80], end[80];
	size_t b, e;
	int n1, n2;

	der->len = 0;
	if (len > 0 && in[0] == 0x30) {
		return cctsa_buf_put(der, in, len);
	}
	n1 = snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	n2 = snprintf(end, sizeof(end), "-----END %s-----", label);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(begin) || (size_t)n2 >= sizeof(end)) {
		return CCTSA_E_USAGE;
	}
	b = find(in, len, begin);
	if (b == len) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: no \"%s\" block", label);
	}
	b += (size_t)n1;
	e = find(in + b, len - b, end);
	if (e == len - b) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "PEM: \"%s\" block without END line", label);
	}
	return b64_decode(der, in + b, e, diag);
}
