/*
 * NTPv4 with NTS (RFC 5905, RFC 7822, RFC 8915 §5): extension-field parsing,
 * the session (keys in locked memory, cookie store), the request builder and
 * the reply checker.
 */
#include <string.h>

#include "base/ct.h"
#include "time_int.h"

#define EF_MIN 16

int64_t cctsa_time_ntp_to_unix_ns(uint64_t ntp)
{
	uint64_t sec = ntp >> 32, frac = ntp & 0xffffffffu;
	int64_t s = (int64_t)sec - NTP_UNIX_DELTA;

	if (sec < 0x80000000u) { /* era 1: 2036-02-07 onwards */
		s += (int64_t)1 << 32;
	}
	return s * 1000000000LL + (int64_t)((frac * 1000000000ULL) >> 32);
}

uint64_t cctsa_time_unix_ns_to_ntp(int64_t ns)
{
	int64_t s = ns / 1000000000LL, r = ns % 1000000000LL;
	uint64_t sec, frac;

	if (r < 0) {
		r += 1000000000LL;
		s--;
	}
	sec = (uint64_t)(s + NTP_UNIX_DELTA) & 0xffffffffu;
	frac = ((uint64_t)r << 32) / 1000000000ULL;
	return (sec << 32) | frac;
}

int64_t cctsa_time_short_to_ns(uint32_t v)
{
	return (int64_t)(((uint64_t)v * 1000000000ULL) >> 16);
}

cctsa_err cctsa_ntp_ef_parse(cctsa_ntp_ef *efs, size_t max_efs, size_t *n_efs, const uint8_t *buf,
			     size_t len, cctsa_diag *diag)
{
	cctsa_cursor c;
	size_t n = 0;

	if (efs == NULL || n_efs == NULL || (buf == NULL && len != 0)) {
		return CCTSA_E_USAGE;
	}
	*n_efs = 0;
	cctsa_cursor_init(&c, buf, len);
	while (cctsa_cursor_left(&c) > 0) {
		size_t at = c.pos;
		uint16_t type = 0, flen = 0;
		const uint8_t *body = NULL;

		if (cctsa_cursor_get_u16be(&c, &type) != CCTSA_OK ||
		    cctsa_cursor_get_u16be(&c, &flen) != CCTSA_OK) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "NTP extension field header cut at %zu", at);
		}
		if (flen < EF_MIN || flen % 4 != 0 ||
		    cctsa_cursor_get_view(&c, &body, (size_t)flen - 4) != CCTSA_OK) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "NTP extension field 0x%04x at %zu: bad length %u", type, at, flen);
		}
		if (n == max_efs) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "more than %zu NTP extension fields",
					  max_efs);
		}
		efs[n].type = type;
		efs[n].len = flen;
		efs[n].body = body;
		efs[n].offset = at;
		n++;
	}
	*n_efs = n;
	return CCTSA_OK;
}

void cctsa_nts_store_cookie(cctsa_nts_session *s, const uint8_t *c, size_t len)
{
	if (len == 0 || len > CCTSA_NTS_COOKIE_MAX || s->n_cookies >= CCTSA_NTS_MAX_COOKIES) {
		return;
	}
	memcpy(s->cookie[s->n_cookies], c, len);
	s->cookie_len[s->n_cookies] = (uint16_t)len;
	s->n_cookies++;
}

cctsa_err cctsa_nts_session_new(cctsa_nts_session **out, const uint8_t c2s[static CCTSA_NTS_KEY_LEN],
				const uint8_t s2c[static CCTSA_NTS_KEY_LEN],
				const cctsa_nts_ke_response *ke)
{
	cctsa_nts_session *s;

	if (out == NULL || ke == NULL) {
		return CCTSA_E_USAGE;
	}
	*out = NULL;
	if (ke->n_cookies == 0) {
		return CCTSA_E_USAGE;
	}
	s = cctsa_mem_alloc(sizeof(*s));
	if (s == NULL) {
		return CCTSA_E_RESOURCE;
	}
	s->keys = cctsa_secret_alloc(sizeof(*s->keys));
	if (s->keys == NULL) {
		cctsa_mem_free(s);
		return CCTSA_E_RESOURCE;
	}
	memcpy(s->keys->c2s, c2s, CCTSA_NTS_KEY_LEN);
	memcpy(s->keys->s2c, s2c, CCTSA_NTS_KEY_LEN);
	for (size_t i = 0; i < ke->n_cookies; i++) {
		cctsa_nts_store_cookie(s, ke->cookie[i], ke->cookie_len[i]);
	}
	memcpy(s->host, ke->server, sizeof(s->host));
	s->port = ke->port != 0 ? ke->port : 123;
	*out = s;
	return CCTSA_OK;
}

void cctsa_nts_session_free(cctsa_nts_session *s)
{
	if (s == NULL) {
		return;
	}
	cctsa_secret_free(s->keys);
	cctsa_mem_free(s); /* wipes cookies and the pending request */
}

size_t cctsa_nts_session_cookies(const cctsa_nts_session *s)
{
	return s->n_cookies;
}

void cctsa_nts_session_counters(const cctsa_nts_session *s, cctsa_nts_counters *out)
{
	*out = s->ctr;
}

void cctsa_nts_session_endpoint(const cctsa_nts_session *s, const char **host, uint16_t *port)
{
	*host = s->host;
	*port = s->port;
}

static cctsa_err ef_put(cctsa_buf *b, uint16_t type, const uint8_t *body, size_t blen)
{
	cctsa_err err = CCTSA_OK;
	size_t total = 4 + ((blen + 3) & ~(size_t)3);

	if (total < EF_MIN) {
		total = EF_MIN;
	}
	CCTSA_ENSURE(total <= 0xffff, CCTSA_E_USAGE);
	CCTSA_TRY(cctsa_buf_put_u16be(b, type));
	CCTSA_TRY(cctsa_buf_put_u16be(b, (uint16_t)total));
	if (body != NULL) {
		CCTSA_TRY(cctsa_buf_put(b, body, blen));
	} else {
		for (size_t i = 0; i < blen; i++) {
			CCTSA_TRY(cctsa_buf_put_u8(b, 0));
		}
	}
	for (size_t i = 4 + blen; i < total; i++) {
		CCTSA_TRY(cctsa_buf_put_u8(b, 0));
	}
out:
	return err;
}

/* Header of a client request: LI 0, VN 4, mode 3; only the transmit timestamp set. */
static cctsa_err ntp_put_client_header(cctsa_buf *b, uint64_t xmt)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_buf_put_u8(b, (0 << 6) | (4 << 3) | 3));
	for (size_t i = 1; i < 40; i++) {
		CCTSA_TRY(cctsa_buf_put_u8(b, 0));
	}
	CCTSA_TRY(cctsa_buf_put_u64be(b, xmt));
out:
	return err;
}

/* The authenticator EF over b's current content with an empty plaintext. */
static cctsa_err nts_put_auth(cctsa_nts_session *s, cctsa_buf *b)
{
	uint8_t nonce[CCTSA_NTS_NONCE_LEN], tag[CCTSA_NTS_SIV_TAG_LEN];
	uint8_t body[4 + CCTSA_NTS_NONCE_LEN + CCTSA_NTS_SIV_TAG_LEN];
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_rand_bytes(nonce, sizeof(nonce)));
	CCTSA_TRY(cctsa_nts_siv_seal(tag, s->keys->c2s, CCTSA_NTS_KEY_LEN, nonce, sizeof(nonce), b->data,
				     b->len, NULL, 0));
	body[0] = 0;
	body[1] = CCTSA_NTS_NONCE_LEN;
	body[2] = 0;
	body[3] = CCTSA_NTS_SIV_TAG_LEN;
	memcpy(body + 4, nonce, sizeof(nonce));
	memcpy(body + 4 + sizeof(nonce), tag, sizeof(tag));
	CCTSA_TRY(ef_put(b, CCTSA_NTP_EF_AUTH, body, sizeof(body)));
out:
	return err;
}

cctsa_err cctsa_nts_request(cctsa_nts_session *s, uint8_t *out, size_t cap, size_t *out_len,
			    cctsa_diag *diag)
{
	cctsa_buf b;
	cctsa_err err = CCTSA_OK;
	uint8_t rnd[8];
	size_t clen, placeholders;

	if (s == NULL || out == NULL || out_len == NULL) {
		return CCTSA_E_USAGE;
	}
	*out_len = 0;
	if (s->n_cookies == 0) {
		return cctsa_fail(diag, CCTSA_E_STATE, "NTS: no cookie left, NTS-KE needed");
	}
	cctsa_buf_init_fixed(&b, out, cap);
	s->pending = 0;
	CCTSA_TRY(cctsa_rand_bytes(rnd, sizeof(rnd)));
	CCTSA_TRY(cctsa_rand_bytes(s->uid, sizeof(s->uid)));
	s->xmt = 0;
	for (size_t i = 0; i < sizeof(rnd); i++) {
		s->xmt = (s->xmt << 8) | rnd[i];
	}
	clen = s->cookie_len[0];
	CCTSA_TRY(ntp_put_client_header(&b, s->xmt));
	CCTSA_TRY(ef_put(&b, CCTSA_NTP_EF_UID, s->uid, sizeof(s->uid)));
	CCTSA_TRY(ef_put(&b, CCTSA_NTP_EF_COOKIE, s->cookie[0], clen));
	/* Each cookie is used once: drop it, then ask for enough to refill the store. */
	memmove(s->cookie[0], s->cookie[1], (CCTSA_NTS_MAX_COOKIES - 1) * sizeof(s->cookie[0]));
	memmove(s->cookie_len, s->cookie_len + 1, (CCTSA_NTS_MAX_COOKIES - 1) * sizeof(uint16_t));
	s->n_cookies--;
	placeholders = CCTSA_NTS_MAX_COOKIES - 1 - s->n_cookies;
	{ /* keep the request within CCTSA_NTP_PACKET_MAX (and cap) */
		size_t ef_len = 4 + ((clen + 3) & ~(size_t)3), limit = cap < CCTSA_NTP_PACKET_MAX ? cap : CCTSA_NTP_PACKET_MAX;
		size_t auth_len = 4 + 4 + CCTSA_NTS_NONCE_LEN + CCTSA_NTS_SIV_TAG_LEN;
		size_t room = limit > b.len + auth_len ? (limit - b.len - auth_len) / ef_len : 0;

		placeholders = placeholders < room ? placeholders : room;
	}
	for (size_t i = 0; i < placeholders; i++) {
		CCTSA_TRY(ef_put(&b, CCTSA_NTP_EF_PLACEHOLDER, NULL, clen));
	}
	CCTSA_TRY(nts_put_auth(s, &b));
	*out_len = b.len;
	s->pending = 1;
	s->ctr.requests++;
out:
	if (err != CCTSA_OK) {
		cctsa_wipe(out, cap);
		err = cctsa_fail(diag, err, "NTS: cannot build request (%s)", cctsa_err_name(err));
	}
	return err;
}
