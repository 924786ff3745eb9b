/*
 * NTS-KE records (RFC 8915 §4): the request writer and the strict response parser.
 * A record is: critical bit (1) | type (15) | body length (16) | body.
 */
#include <string.h>

#include "time_int.h"

#define CRIT 0x8000u

static cctsa_err ke_put(cctsa_buf *out, uint16_t type, const uint8_t *body, uint16_t len)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_buf_put_u16be(out, type));
	CCTSA_TRY(cctsa_buf_put_u16be(out, len));
	if (len > 0) {
		CCTSA_TRY(cctsa_buf_put(out, body, len));
	}
out:
	return err;
}

cctsa_err cctsa_nts_ke_request_write(cctsa_buf *out)
{
	static const uint8_t proto[2] = { 0, CCTSA_NTS_PROTO_NTPV4 };
	static const uint8_t aead[2] = { 0, CCTSA_NTS_AEAD_AES_SIV_CMAC_256 };
	cctsa_err err = CCTSA_OK;

	if (out == NULL) {
		return CCTSA_E_USAGE;
	}
	CCTSA_TRY(ke_put(out, CRIT | CCTSA_NTS_KE_NEXT_PROTO, proto, 2));
	CCTSA_TRY(ke_put(out, CRIT | CCTSA_NTS_KE_AEAD, aead, 2));
	CCTSA_TRY(ke_put(out, CRIT | CCTSA_NTS_KE_END, NULL, 0));
out:
	return err;
}

typedef struct {
	unsigned seen_proto : 1;
	unsigned seen_aead : 1;
	unsigned seen_server : 1;
	unsigned seen_port : 1;
	unsigned seen_end : 1;
} ke_seen;

/* Reads a body that must be exactly one u16. */
static cctsa_err ke_u16_body(cctsa_cursor *body, uint16_t *v, const char *what, cctsa_diag *diag)
{
	if (cctsa_cursor_left(body) != 2 || cctsa_cursor_get_u16be(body, v) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE %s record: body must be 2 bytes",
				  what);
	}
	return CCTSA_OK;
}

/* Next Protocol / AEAD: exactly one id in a response, and it must be the one we sent. */
static cctsa_err ke_one_id(cctsa_cursor *body, uint16_t want, uint16_t *got, const char *what,
			   cctsa_diag *diag)
{
	if (cctsa_cursor_left(body) == 0) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "NTS-KE: server accepts no %s we offered",
				  what);
	}
	if (cctsa_cursor_left(body) != 2) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE %s record: a response names exactly one",
				  what);
	}
	if (cctsa_cursor_get_u16be(body, got) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	if (*got != want) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "NTS-KE: server chose %s %u, we offered %u",
				  what, *got, want);
	}
	return CCTSA_OK;
}

static cctsa_err ke_server(cctsa_nts_ke_response *out, cctsa_cursor *body, cctsa_diag *diag)
{
	size_t n = cctsa_cursor_left(body);
	const uint8_t *p = NULL;

	if (n == 0 || n >= sizeof(out->server) || cctsa_cursor_get_view(body, &p, n) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE server record: length %zu", n);
	}
	for (size_t i = 0; i < n; i++) { /* a host name or an IPv4/IPv6 address literal */
		uint8_t ch = p[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			 ch == '.' || ch == '-' || ch == ':';
		if (!ok) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "NTS-KE server record: byte 0x%02x is not allowed", ch);
		}
	}
	memcpy(out->server, p, n);
	out->server[n] = '\0';
	return CCTSA_OK;
}

static cctsa_err ke_cookie(cctsa_nts_ke_response *out, cctsa_cursor *body, cctsa_diag *diag)
{
	size_t n = cctsa_cursor_left(body);
	const uint8_t *p = NULL;

	if (n == 0 || cctsa_cursor_get_view(body, &p, n) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE cookie record: empty");
	}
	out->cookies_seen++;
	if (n <= CCTSA_NTS_COOKIE_MAX && out->n_cookies < CCTSA_NTS_MAX_COOKIES) {
		memcpy(out->cookie[out->n_cookies], p, n);
		out->cookie_len[out->n_cookies] = (uint16_t)n;
		out->n_cookies++;
	}
	return CCTSA_OK;
}

/* Checks the critical bit: must be set (1), must be clear (0), or either (-1). */
static cctsa_err ke_crit(int crit, int rule, uint16_t type, cctsa_diag *diag)
{
	if (rule >= 0 && crit != rule) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE record %u: critical bit must be %s",
				  type, rule ? "set" : "clear");
	}
	return CCTSA_OK;
}

static cctsa_err ke_once(unsigned *flag, uint16_t type, cctsa_diag *diag)
{
	if (*flag) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE record %u appears twice", type);
	}
	*flag = 1;
	return CCTSA_OK;
}

static cctsa_err ke_record(cctsa_nts_ke_response *out, ke_seen *seen, uint16_t type, int crit,
			   cctsa_cursor *body, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	unsigned flag;
	uint16_t v = 0;

	switch (type) {
	case CCTSA_NTS_KE_END:
		CCTSA_TRY(ke_crit(crit, 1, type, diag));
		CCTSA_ENSURE(cctsa_cursor_left(body) == 0, cctsa_fail(diag, CCTSA_E_MALFORMED,
								  "NTS-KE end of message has a body"));
		seen->seen_end = 1;
		break;
	case CCTSA_NTS_KE_NEXT_PROTO:
		CCTSA_TRY(ke_crit(crit, 1, type, diag));
		flag = seen->seen_proto;
		CCTSA_TRY(ke_once(&flag, type, diag));
		seen->seen_proto = 1;
		CCTSA_TRY(ke_one_id(body, CCTSA_NTS_PROTO_NTPV4, &out->next_proto, "next protocol", diag));
		break;
	case CCTSA_NTS_KE_ERROR:
		CCTSA_TRY(ke_crit(crit, 1, type, diag));
		CCTSA_TRY(ke_u16_body(body, &v, "error", diag));
		out->has_error = 1;
		out->error_code = v;
		err = cctsa_fail(diag, CCTSA_E_STATE, "NTS-KE server error %u%s", v,
				 v == 0 ? " (unrecognized critical record)" :
				 v == 1 ? " (bad request)" : v == 2 ? " (internal server error)" : "");
		goto out;
	case CCTSA_NTS_KE_WARNING:
		CCTSA_TRY(ke_crit(crit, 1, type, diag));
		CCTSA_TRY(ke_u16_body(body, &v, "warning", diag));
		/* RFC 8915 defines no warning codes: one we cannot recognise fails the exchange. */
		err = cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "NTS-KE unrecognised warning %u", v);
		goto out;
	case CCTSA_NTS_KE_AEAD:
		flag = seen->seen_aead;
		CCTSA_TRY(ke_once(&flag, type, diag));
		seen->seen_aead = 1;
		CCTSA_TRY(ke_one_id(body, CCTSA_NTS_AEAD_AES_SIV_CMAC_256, &out->aead, "AEAD", diag));
		break;
	case CCTSA_NTS_KE_COOKIE:
		CCTSA_TRY(ke_crit(crit, 0, type, diag));
		CCTSA_TRY(ke_cookie(out, body, diag));
		break;
	case CCTSA_NTS_KE_SERVER:
		flag = seen->seen_server;
		CCTSA_TRY(ke_once(&flag, type, diag));
		seen->seen_server = 1;
		CCTSA_TRY(ke_server(out, body, diag));
		break;
	case CCTSA_NTS_KE_PORT_REC:
		flag = seen->seen_port;
		CCTSA_TRY(ke_once(&flag, type, diag));
		seen->seen_port = 1;
		CCTSA_TRY(ke_u16_body(body, &out->port, "port", diag));
		CCTSA_ENSURE(out->port != 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE port 0"));
		break;
	default:
		CCTSA_ENSURE(!crit, cctsa_fail(diag, CCTSA_E_UNSUPPORTED,
					       "NTS-KE unknown critical record %u", type));
		break; /* unknown, not critical: ignored (RFC 8915 §4) */
	}
out:
	return err;
}

cctsa_err cctsa_nts_ke_parse(cctsa_nts_ke_response *out, const uint8_t *buf, size_t len,
			     cctsa_diag *diag)
{
	cctsa_cursor c, body;
	ke_seen seen = { 0 };
	cctsa_err err = CCTSA_OK;

	if (out == NULL || (buf == NULL && len != 0)) {
		return CCTSA_E_USAGE;
	}
	memset(out, 0, sizeof(*out));
	cctsa_cursor_init(&c, buf, len);
	while (!seen.seen_end) {
		uint16_t hdr = 0, blen = 0;

		CCTSA_ENSURE(cctsa_cursor_get_u16be(&c, &hdr) == CCTSA_OK &&
				     cctsa_cursor_get_u16be(&c, &blen) == CCTSA_OK,
			     cctsa_fail(diag, CCTSA_E_MALFORMED,
					"NTS-KE response ends without end of message"));
		CCTSA_ENSURE(cctsa_cursor_get_sub(&c, &body, blen) == CCTSA_OK,
			     cctsa_fail(diag, CCTSA_E_MALFORMED,
					"NTS-KE record %u: body of %u bytes runs past the end",
					hdr & 0x7fffu, blen));
		CCTSA_TRY(ke_record(out, &seen, (uint16_t)(hdr & 0x7fffu), (hdr & CRIT) != 0, &body,
				    diag));
	}
	CCTSA_ENSURE(cctsa_cursor_finish(&c) == CCTSA_OK,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE: bytes after end of message"));
	CCTSA_ENSURE(seen.seen_proto, cctsa_fail(diag, CCTSA_E_MALFORMED,
						 "NTS-KE response has no next protocol record"));
	CCTSA_ENSURE(seen.seen_aead,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE response has no AEAD record"));
	CCTSA_ENSURE(out->n_cookies > 0,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE response has no usable cookie"));
out:
	return err;
}
