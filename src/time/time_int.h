/* Internal to the time module. */
#ifndef CCTSA_TIME_TIME_INT_H
#define CCTSA_TIME_TIME_INT_H

#include "cctsa/time.h"

#define NTP_UNIX_DELTA 2208988800LL /* seconds from 1900 to 1970 */
#define NTP_MAX_EFS 32

/* Secret part of a session: lives in cctsa_secret_alloc memory. */
typedef struct {
	uint8_t c2s[CCTSA_NTS_KEY_LEN];
	uint8_t s2c[CCTSA_NTS_KEY_LEN];
} nts_keys;

struct cctsa_nts_session {
	nts_keys *keys;
	size_t n_cookies;
	uint16_t cookie_len[CCTSA_NTS_MAX_COOKIES];
	uint8_t cookie[CCTSA_NTS_MAX_COOKIES][CCTSA_NTS_COOKIE_MAX];
	char host[256];
	uint16_t port;
	/* the pending request */
	uint8_t pending;
	uint8_t uid[CCTSA_NTS_UID_LEN];
	uint64_t xmt; /* transmit timestamp we sent (random) */
	cctsa_nts_counters ctr;
};

/* NTP 64-bit timestamp -> Unix ns (era chosen around 1968..2104). */
int64_t cctsa_time_ntp_to_unix_ns(uint64_t ntp);
/* Unix ns -> NTP 64-bit timestamp. */
uint64_t cctsa_time_unix_ns_to_ntp(int64_t ns);
/* NTP short format (16.16 s) -> ns. */
int64_t cctsa_time_short_to_ns(uint32_t v);
/* Appends a cookie to the session store (dropped if full or too long). */
void cctsa_nts_store_cookie(cctsa_nts_session *s, const uint8_t *c, size_t len);

#endif
