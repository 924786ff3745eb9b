/* NTS request/reply tests against a test-side server (included by time_test.c). */

static const uint8_t k_c2s[32] = { 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
				   0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26,
				   0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30 };
static const uint8_t k_s2c[32] = { 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b,
				   0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
				   0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0 };

#define T1 ((int64_t)1763000000 * 1000000000LL)

static cctsa_nts_session *nts_session(size_t n_cookies)
{
	cctsa_nts_ke_response *ke = cctsa_mem_alloc(sizeof(*ke));
	cctsa_nts_session *s = NULL;

	CHECK(ke != NULL);
	for (size_t i = 0; i < n_cookies; i++) {
		memset(ke->cookie[i], (int)(0x40 + i), 100);
		ke->cookie_len[i] = 100;
	}
	ke->n_cookies = n_cookies;
	CHECK_OK(cctsa_nts_session_new(&s, k_c2s, k_s2c, ke));
	cctsa_mem_free(ke);
	return s;
}

/* Builds a request, checks it as the server, and fills a matching reply spec. */
static void nts_round(cctsa_nts_session *s, tu_request *rq, tu_reply_spec *sp)
{
	uint8_t pkt[CCTSA_NTP_PACKET_MAX];
	size_t len = 0;

	CHECK_OK(cctsa_nts_request(s, pkt, sizeof(pkt), &len, NULL));
	tu_server_check(rq, pkt, len, k_c2s);
	CHECK(rq->uid_len == CCTSA_NTS_UID_LEN && rq->cookie_len == 100);
	memset(sp, 0, sizeof(*sp));
	sp->stratum = 1;
	sp->refid = 0x47505300; /* "GPS" */
	sp->org = rq->xmt;
	sp->t2_ns = T1 + 5010000000LL;
	sp->t3_ns = sp->t2_ns;
	sp->uid = rq->uid;
	sp->uid_len = rq->uid_len;
	sp->n_cookies = 1 + rq->placeholders;
}

static void test_nts_exchange(void)
{
	cctsa_nts_session *s = nts_session(8);
	tu_request rq;
	tu_reply_spec sp;
	uint8_t rep[CCTSA_NTP_PACKET_MAX];
	cctsa_nts_sample smp;
	cctsa_nts_counters ctr;
	size_t n;

	nts_round(s, &rq, &sp);
	CHECK(rq.placeholders == 0 && rq.cookie[0] == 0x40 && cctsa_nts_session_cookies(s) == 7);
	n = tu_server_reply(rep, sizeof(rep), &sp, k_s2c);
	CHECK_OK(cctsa_nts_reply(s, &smp, rep, n, T1, T1 + 20000000, NULL));
	CHECK(smp.offset_ns >= 5000000000LL - 2 && smp.offset_ns <= 5000000000LL + 2);
	CHECK(smp.delay_ns >= 20000000 - 2 && smp.delay_ns <= 20000000 + 2);
	CHECK(smp.error_ns >= smp.delay_ns / 2 + smp.root_disp_ns && smp.stratum == 1);
	CHECK(cctsa_nts_session_cookies(s) == 8);
	/* the same reply again is a replay */
	CHECK_ERR(cctsa_nts_reply(s, &smp, rep, n, T1, T1 + 20000000, NULL), CCTSA_E_STATE);
	cctsa_nts_session_counters(s, &ctr);
	CHECK(ctr.requests == 1 && ctr.accepted == 1 && ctr.unexpected == 1 && ctr.cookies_in == 1);
	/* the next request uses the next cookie and still asks for none */
	nts_round(s, &rq, &sp);
	CHECK(rq.cookie[0] == 0x41 && rq.placeholders == 0);
	cctsa_nts_session_free(s);
}

/* Expects err for reply spec sp, then checks the genuine reply is still accepted. */
static void nts_expect(cctsa_nts_session *s, const tu_reply_spec *bad, cctsa_err want,
		       const tu_reply_spec *good)
{
	uint8_t rep[CCTSA_NTP_PACKET_MAX];
	cctsa_nts_sample smp;
	size_t n = tu_server_reply(rep, sizeof(rep), bad, k_s2c);

	CHECK_ERR(cctsa_nts_reply(s, &smp, rep, n, T1, T1 + 1000, NULL), want);
	if (good != NULL) {
		n = tu_server_reply(rep, sizeof(rep), good, k_s2c);
		CHECK_OK(cctsa_nts_reply(s, &smp, rep, n, T1, T1 + 1000, NULL));
	}
}

static void test_nts_reject_fields(cctsa_nts_session *s)
{
	tu_request rq;
	tu_reply_spec sp, bad;
	uint8_t uid[CCTSA_NTS_UID_LEN];
	cctsa_nts_counters c0, c1;

	cctsa_nts_session_counters(s, &c0);
	nts_round(s, &rq, &sp);
	bad = sp;
	memcpy(uid, rq.uid, sizeof(uid));
	uid[5] ^= 0x20;
	bad.uid = uid; /* wrong unique identifier */
	nts_expect(s, &bad, CCTSA_E_VERIFY, NULL);
	bad = sp;
	bad.uid = NULL; /* no unique identifier */
	nts_expect(s, &bad, CCTSA_E_VERIFY, NULL);
	bad = sp;
	bad.org ^= 1; /* origin timestamp not ours */
	nts_expect(s, &bad, CCTSA_E_VERIFY, NULL);
	bad = sp;
	bad.no_auth = 1; /* unauthenticated */
	nts_expect(s, &bad, CCTSA_E_VERIFY, NULL);
	bad = sp;
	bad.cookie_outside = 1;
	nts_expect(s, &bad, CCTSA_E_MALFORMED, NULL);
	bad = sp;
	bad.stratum = 0;
	bad.refid = 0x4e54534e; /* NTS NAK */
	nts_expect(s, &bad, CCTSA_E_STATE, &sp);
	cctsa_nts_session_counters(s, &c1);
	CHECK(c1.unexpected == c0.unexpected + 3 && c1.auth_failed == c0.auth_failed + 1 &&
	      c1.malformed == c0.malformed + 1 && c1.kod == c0.kod + 1 && c1.accepted == c0.accepted + 1);

	nts_round(s, &rq, &sp);
	bad = sp;
	bad.stratum = 16; /* authentic but unsynchronised: consumed, not used */
	nts_expect(s, &bad, CCTSA_E_UNSUPPORTED, NULL);
	CHECK_ERR(cctsa_nts_reply(s, &(cctsa_nts_sample){ 0 }, (const uint8_t *)"", 0, 0, 0, NULL),
		  CCTSA_E_STATE);
	nts_round(s, &rq, &sp);
	bad = sp;
	bad.li = 3;
	nts_expect(s, &bad, CCTSA_E_UNSUPPORTED, NULL);
	nts_round(s, &rq, &sp);
	bad = sp;
	bad.t3_ns = -2208988800LL * 1000000000LL; /* NTP timestamp 0 */
	nts_expect(s, &bad, CCTSA_E_UNSUPPORTED, NULL);
}

static void test_nts_reject(void)
{
	cctsa_nts_session *s = nts_session(8);
	tu_request rq;
	tu_reply_spec sp;
	uint8_t rep[CCTSA_NTP_PACKET_MAX];
	cctsa_nts_sample smp;
	size_t n, flips = 0;
	cctsa_nts_counters c0, c1;

	test_nts_reject_fields(s);
	/* every single-bit flip and every truncation of a genuine reply is rejected */
	nts_round(s, &rq, &sp);
	n = tu_server_reply(rep, sizeof(rep), &sp, k_s2c);
	cctsa_nts_session_counters(s, &c0);
	for (size_t i = 0; i < n * 8; i++) {
		rep[i / 8] ^= (uint8_t)(1u << (i % 8));
		CHECK(cctsa_nts_reply(s, &smp, rep, n, T1, T1 + 1000, NULL) != CCTSA_OK);
		rep[i / 8] ^= (uint8_t)(1u << (i % 8));
		flips++;
	}
	for (size_t k = 0; k < n; k++) {
		CHECK(cctsa_nts_reply(s, &smp, rep, k, T1, T1 + 1000, NULL) != CCTSA_OK);
	}
	cctsa_nts_session_counters(s, &c1);
	CHECK(c1.accepted == c0.accepted);
	CHECK(c1.auth_failed - c0.auth_failed > (n - 48) * 8 / 2); /* most flips hit the AEAD */
	fprintf(stderr, "nts reply: %zu bit flips and %zu truncations rejected (%llu by the authenticator)\n",
		flips, n, (unsigned long long)(c1.auth_failed - c0.auth_failed));
	CHECK_OK(cctsa_nts_reply(s, &smp, rep, n, T1, T1 + 1000, NULL));
	cctsa_nts_session_free(s);
}

static void test_nts_cookie_refill(void)
{
	cctsa_nts_session *s = nts_session(2);
	tu_request rq;
	tu_reply_spec sp;
	uint8_t rep[CCTSA_NTP_PACKET_MAX];
	cctsa_nts_sample smp;
	size_t n, len;

	nts_round(s, &rq, &sp);
	CHECK(rq.placeholders == 6 && cctsa_nts_session_cookies(s) == 1);
	n = tu_server_reply(rep, sizeof(rep), &sp, k_s2c);
	CHECK_OK(cctsa_nts_reply(s, &smp, rep, n, T1, T1 + 1000, NULL));
	CHECK(cctsa_nts_session_cookies(s) == 8);
	for (int i = 0; i < 20; i++) {
		nts_round(s, &rq, &sp);
		CHECK(rq.placeholders == 0);
		n = tu_server_reply(rep, sizeof(rep), &sp, k_s2c);
		CHECK_OK(cctsa_nts_reply(s, &smp, rep, n, T1, T1 + 1000, NULL));
		CHECK(cctsa_nts_session_cookies(s) == 8);
	}
	cctsa_nts_session_free(s);
	/* a server that returns no cookies: the store runs dry, then NTS-KE is needed */
	s = nts_session(1);
	nts_round(s, &rq, &sp);
	sp.n_cookies = 0;
	n = tu_server_reply(rep, sizeof(rep), &sp, k_s2c);
	CHECK_OK(cctsa_nts_reply(s, &smp, rep, n, T1, T1 + 1000, NULL));
	CHECK_ERR(cctsa_nts_request(s, rep, sizeof(rep), &len, NULL), CCTSA_E_STATE);
	cctsa_nts_session_free(s);
}
