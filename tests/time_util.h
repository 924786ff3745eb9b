/* Test helpers for the time module: NTS-KE record builder and a test-side NTS server. */
#ifndef CCTSA_TESTS_TIME_UTIL_H
#define CCTSA_TESTS_TIME_UTIL_H

#include <string.h>

#include "cctsa/time.h"
#include "check.h"

static inline void tu_rec(cctsa_buf *b, int crit, uint16_t type, const void *body, uint16_t len)
{
	CHECK_OK(cctsa_buf_put_u16be(b, (uint16_t)((crit ? 0x8000u : 0) | type)));
	CHECK_OK(cctsa_buf_put_u16be(b, len));
	if (len) {
		CHECK_OK(cctsa_buf_put(b, body, len));
	}
}

static inline void tu_u16(uint8_t out[2], uint16_t v)
{
	out[0] = (uint8_t)(v >> 8);
	out[1] = (uint8_t)v;
}

static inline uint16_t tu_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint64_t tu_get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) {
		v = (v << 8) | p[i];
	}
	return v;
}

static inline void tu_put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static inline void tu_ef(cctsa_buf *b, uint16_t type, const uint8_t *body, size_t blen)
{
	size_t total = 4 + ((blen + 3) & ~(size_t)3);
	total = total < 16 ? 16 : total;
	CHECK_OK(cctsa_buf_put_u16be(b, type));
	CHECK_OK(cctsa_buf_put_u16be(b, (uint16_t)total));
	CHECK_OK(cctsa_buf_put(b, body, blen));
	for (size_t i = 4 + blen; i < total; i++) {
		CHECK_OK(cctsa_buf_put_u8(b, 0));
	}
}

/* What the test server read from a request. */
typedef struct {
	uint64_t xmt;
	uint8_t uid[64];
	size_t uid_len;
	size_t cookie_len;
	size_t placeholders;
	uint8_t cookie[CCTSA_NTS_COOKIE_MAX];
} tu_request;

/* Parses and authenticates a client request as a server would. */
static inline void tu_server_check(tu_request *r, const uint8_t *pkt, size_t len, const uint8_t c2s[32])
{
	cctsa_ntp_ef efs[40];
	size_t n = 0;
	uint8_t pt[1];

	memset(r, 0, sizeof(*r));
	CHECK(len >= 48 && pkt[0] == ((4 << 3) | 3));
	r->xmt = tu_get64(pkt + 40);
	CHECK_OK(cctsa_ntp_ef_parse(efs, 40, &n, pkt + 48, len - 48, NULL));
	CHECK(n >= 3 && efs[n - 1].type == CCTSA_NTP_EF_AUTH);
	for (size_t i = 0; i + 1 < n; i++) {
		if (efs[i].type == CCTSA_NTP_EF_UID) {
			r->uid_len = efs[i].len - 4u;
			memcpy(r->uid, efs[i].body, r->uid_len);
		} else if (efs[i].type == CCTSA_NTP_EF_COOKIE) {
			r->cookie_len = efs[i].len - 4u;
			memcpy(r->cookie, efs[i].body, r->cookie_len);
		} else if (efs[i].type == CCTSA_NTP_EF_PLACEHOLDER) {
			r->placeholders++;
		}
	}
	{
		const uint8_t *a = efs[n - 1].body;
		uint16_t nl = tu_get16(a), cl = tu_get16(a + 2);
		CHECK(nl == 16 && cl == 16);
		CHECK_OK(cctsa_nts_siv_open(pt, c2s, 32, a + 4, nl, pkt, 48 + efs[n - 1].offset, a + 4 + nl, cl));
	}
}

typedef struct {
	uint8_t stratum, li;
	uint32_t refid;
	uint64_t org;          /* origin timestamp to put */
	int64_t t2_ns, t3_ns;  /* server receive/transmit */
	const uint8_t *uid;    /* NULL: no UID field */
	size_t uid_len;
	size_t n_cookies;      /* new cookies to return (encrypted) */
	int no_auth;           /* leave out the authenticator */
	int cookie_outside;    /* put an unencrypted cookie before the authenticator */
} tu_reply_spec;

uint64_t cctsa_time_unix_ns_to_ntp(int64_t ns); /* internal, for tests */

/* Builds an authenticated server reply into out (cap >= 1232); returns its length. */
static inline size_t tu_server_reply(uint8_t *out, size_t cap, const tu_reply_spec *sp, const uint8_t s2c[32])
{
	cctsa_buf b, ptb;
	uint8_t ptmem[1024], nonce[16], ct[1024 + 16], hdr[48] = { 0 }, body[4 + 16 + 1040];
	size_t ptlen, blen;

	hdr[0] = (uint8_t)((sp->li << 6) | (4 << 3) | 4);
	hdr[1] = sp->stratum;
	hdr[3] = (uint8_t)(int8_t)-20;
	hdr[8] = 0; hdr[9] = 0; hdr[10] = 0x01; hdr[11] = 0x00; /* root dispersion ~ 3.9 ms */
	hdr[12] = (uint8_t)(sp->refid >> 24); hdr[13] = (uint8_t)(sp->refid >> 16);
	hdr[14] = (uint8_t)(sp->refid >> 8); hdr[15] = (uint8_t)sp->refid;
	tu_put64(hdr + 24, sp->org);
	tu_put64(hdr + 32, cctsa_time_unix_ns_to_ntp(sp->t2_ns));
	tu_put64(hdr + 40, cctsa_time_unix_ns_to_ntp(sp->t3_ns));
	cctsa_buf_init_fixed(&b, out, cap);
	CHECK_OK(cctsa_buf_put(&b, hdr, sizeof(hdr)));
	if (sp->uid != NULL) {
		tu_ef(&b, CCTSA_NTP_EF_UID, sp->uid, sp->uid_len);
	}
	cctsa_buf_init_fixed(&ptb, ptmem, sizeof(ptmem));
	for (size_t i = 0; i < sp->n_cookies; i++) {
		uint8_t ck[100];
		memset(ck, (int)(0xA0 + i), sizeof(ck));
		tu_ef(&ptb, CCTSA_NTP_EF_COOKIE, ck, sizeof(ck));
	}
	if (sp->cookie_outside) {
		uint8_t ck[100] = { 0 };
		tu_ef(&b, CCTSA_NTP_EF_COOKIE, ck, sizeof(ck));
	}
	if (!sp->no_auth) {
		ptlen = ptb.len;
		memset(nonce, 0x5a, sizeof(nonce));
		CHECK_OK(cctsa_nts_siv_seal(ct, s2c, 32, nonce, 16, b.data, b.len, ptmem, ptlen));
		tu_u16(body, 16);
		tu_u16(body + 2, (uint16_t)(ptlen + 16));
		memcpy(body + 4, nonce, 16);
		memcpy(body + 20, ct, ptlen + 16);
		blen = 20 + ptlen + 16;
		tu_ef(&b, CCTSA_NTP_EF_AUTH, body, blen);
	}
	CHECK(!b.failed);
	return b.len;
}

#endif
