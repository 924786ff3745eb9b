/* Disciplined clock and TriHaRd tests (included by time_test.c). */

typedef struct {
	int64_t now;
} sim_counter;

static int64_t sim_now(void *ctx)
{
	return ((sim_counter *)ctx)->now;
}

#define SEC 1000000000LL
#define MS 1000000LL
#define U0 ((int64_t)1763000000 * SEC) /* true UTC - counter */

static cctsa_clock *sim_clock(sim_counter *sc, const cctsa_clock_config *cfg)
{
	cctsa_counter ctr = { sim_now, sc };
	cctsa_clock *c = NULL;

	CHECK_OK(cctsa_clock_new(&c, &ctr, cfg));
	return c;
}

static void fill4(cctsa_clock_sample s[4], int64_t base, const int64_t d[4], int64_t err)
{
	for (int i = 0; i < 4; i++) {
		s[i].offset_ns = base + d[i];
		s[i].error_ns = err;
		s[i].valid = 1;
	}
}

static void test_clock_falseticker(void)
{
	sim_counter sc = { 1000 * SEC };
	cctsa_clock_sample s[4];
	cctsa_clock_update_result r;
	cctsa_clock_reading rd;
	cctsa_clock *c;
	char why[160];

	fprintf(stderr, "counter: %s\n", (cctsa_counter_probe(why, sizeof(why)), why));
	for (int pos = 0; pos < 4; pos++) {
		for (int sign = -1; sign <= 1; sign += 2) {
			int64_t d[4] = { 1 * MS, -2 * MS, MS / 2, 3 * MS };
			d[pos] = sign * 300 * MS; /* one false-ticker of four */
			c = sim_clock(&sc, NULL);
			CHECK_ERR(cctsa_clock_now(c, &rd), CCTSA_E_STATE); /* never synced */
			fill4(s, U0, d, 5 * MS);
			CHECK_OK(cctsa_clock_update(c, &r, s, 4));
			CHECK(r.applied && r.used == 4 && r.truechimers == 3 && r.falsetickers == 1);
			CHECK(r.offset_ns > U0 - 5 * MS && r.offset_ns < U0 + 5 * MS);
			CHECK_OK(cctsa_clock_now(c, &rd));
			CHECK(rd.accuracy_ns >= r.error_ns && rd.accuracy_us * 1000 >= (uint64_t)rd.accuracy_ns);
			/* the truth lies within the reported accuracy */
			CHECK(llabs(rd.utc_ns - (sc.now + U0)) <= rd.accuracy_ns);
			cctsa_clock_free(c);
		}
	}
	/* two disagreeing false-tickers of four: no agreement, no update */
	{
		int64_t d[4] = { -400 * MS, 0, MS, 400 * MS };
		c = sim_clock(&sc, NULL);
		fill4(s, U0, d, 5 * MS);
		CHECK_ERR(cctsa_clock_update(c, &r, s, 4), CCTSA_E_STATE);
		CHECK(!r.applied);
		s[0].valid = 0; /* three sources are fewer than the minimum of four */
		s[3].offset_ns = U0;
		CHECK_ERR(cctsa_clock_update(c, &r, s, 4), CCTSA_E_STATE);
		CHECK(r.used == 3);
		s[0].valid = 1;
		s[0].error_ns = -1;
		CHECK_ERR(cctsa_clock_update(c, &r, s, 4), CCTSA_E_USAGE);
		cctsa_clock_free(c);
	}
}

static void test_clock_holdover(void)
{
	sim_counter sc = { 50 * SEC };
	cctsa_clock_sample s[4], lost[4] = { { 0, 0, 0 } };
	cctsa_clock_update_result r;
	cctsa_clock_reading rd;
	int64_t d[4] = { 0, MS, -MS, 0 }, acc0;
	cctsa_clock *c = sim_clock(&sc, NULL);

	fill4(s, U0, d, 2 * MS);
	CHECK_OK(cctsa_clock_update(c, &r, s, 4));
	CHECK_OK(cctsa_clock_now(c, &rd));
	acc0 = rd.accuracy_ns;
	for (int step = 1; step <= 600; step++) { /* ten minutes, all sources lost */
		sc.now += SEC;
		CHECK_ERR(cctsa_clock_update(c, &r, lost, 4), CCTSA_E_STATE);
		CHECK(!r.applied && r.used == 0);
		CHECK_OK(cctsa_clock_now(c, &rd));
		/* the bound grows with the assumed drift (50 ppm): never better than measured */
		CHECK(rd.accuracy_ns >= acc0 + (int64_t)step * SEC / 1000000 * 50);
		CHECK(rd.since_sync_ns == step * SEC);
	}
	sc.now += 1;
	CHECK_ERR(cctsa_clock_now(c, &rd), CCTSA_E_STATE); /* holdover exceeded */
	CHECK(rd.utc_ns == 0 && rd.accuracy_ns == 0);
	sc.now += 3600 * SEC;
	CHECK_ERR(cctsa_clock_now(c, &rd), CCTSA_E_STATE);
	CHECK_OK(cctsa_clock_update(c, &r, s, 4)); /* sources back */
	CHECK_OK(cctsa_clock_now(c, &rd));
	cctsa_clock_free(c);
	/* a shorter configured holdover */
	{
		cctsa_clock_config cfg;
		cctsa_clock_config_default(&cfg);
		cfg.holdover_ns = 5 * SEC;
		c = sim_clock(&sc, &cfg);
		CHECK_OK(cctsa_clock_update(c, &r, s, 4));
		sc.now += 5 * SEC;
		CHECK_OK(cctsa_clock_now(c, &rd));
		sc.now += 1;
		CHECK_ERR(cctsa_clock_now(c, &rd), CCTSA_E_STATE);
		cctsa_clock_free(c);
		cfg.max_slew_ppm = 0;
		CHECK_ERR(cctsa_clock_new(&c, NULL, &cfg), CCTSA_E_USAGE);
	}
}

static void test_clock_monotonic(void)
{
	sim_counter sc = { 7 * SEC };
	cctsa_clock *c = sim_clock(&sc, NULL);
	cctsa_clock_sample s[6];
	cctsa_clock_update_result r;
	cctsa_clock_reading rd;
	int64_t last = INT64_MIN, truth = U0;
	unsigned long iters = check_iters(20000), ok = 0, updates = 0;

	for (unsigned long i = 0; i < iters; i++) {
		uint64_t x = check_rand(&g_rng);
		int64_t dt = (int64_t)(x % (2 * SEC)) * ((x >> 40) % 4 == 0 ? 0 : 1);

		sc.now += dt;
		if ((x >> 20) % 3 == 0) { /* a round of six sources, the truth jumping around */
			if ((x >> 24) % 8 == 0) {
				truth = U0 + (int64_t)(check_rand(&g_rng) % (600 * MS)) - 300 * MS;
			}
			for (int k = 0; k < 6; k++) {
				s[k].offset_ns = truth + (int64_t)(check_rand(&g_rng) % (4 * MS)) - 2 * MS;
				s[k].error_ns = 3 * MS + (int64_t)(check_rand(&g_rng) % (5 * MS));
				s[k].valid = (check_rand(&g_rng) % 10) != 0;
			}
			updates += cctsa_clock_update(c, &r, s, 6) == CCTSA_OK;
		}
		if (cctsa_clock_now(c, &rd) == CCTSA_OK) {
			CHECK(rd.utc_ns >= last);
			CHECK(dt == 0 || last == INT64_MIN || rd.utc_ns > last);
			last = rd.utc_ns;
			ok++;
		}
	}
	fprintf(stderr, "clock monotonic: %lu steps, %lu updates, %lu readings, never backwards\n",
		iters, updates, ok);
	CHECK(ok > iters / 4 && updates > iters / 10);
	cctsa_clock_free(c);
}

/* A later estimate 100 ms ahead is reached by slewing at <= 500 ppm, never by a step. */
static void test_clock_slew_bound(void)
{
	sim_counter sc = { 0 };
	cctsa_clock *c = sim_clock(&sc, NULL);
	cctsa_clock_sample s[4];
	cctsa_clock_update_result r;
	cctsa_clock_reading rd, prev;
	int64_t d[4] = { 0, 0, 0, 0 }, truth = U0;

	fill4(s, truth, d, MS);
	CHECK_OK(cctsa_clock_update(c, &r, s, 4));
	CHECK_OK(cctsa_clock_now(c, &prev));
	for (int round = 0; round < 600; round++) {
		if (round == 10 || round == 300) {
			truth += round == 10 ? 100 * MS : -100 * MS;
		}
		sc.now += SEC;
		fill4(s, truth, d, MS);
		CHECK_OK(cctsa_clock_update(c, &r, s, 4));
		CHECK_OK(cctsa_clock_now(c, &rd));
		{
			int64_t step = rd.utc_ns - prev.utc_ns;
			CHECK(step >= SEC - SEC / 1000000 * 500 - 1 && step <= SEC + SEC / 1000000 * 500 + 1);
		}
		CHECK(llabs(rd.utc_ns - (sc.now + truth)) <= rd.accuracy_ns);
		prev = rd;
	}
	CHECK(llabs(prev.utc_ns - (sc.now + truth)) < 10000 && prev.accuracy_ns < 2 * MS);
	cctsa_clock_free(c);
}

/* ------------------------------------------------------------ TriHaRd */

#define NODES 5

typedef struct {
	uint8_t msg[CCTSA_TRIHARD_MSG_MAX];
	size_t len;
} th_slot;

static cctsa_err th_bcast(void *ctx, const uint8_t *msg, size_t len)
{
	th_slot *s = ctx;

	CHECK(len <= sizeof(s->msg));
	memcpy(s->msg, msg, len);
	s->len = len;
	return CCTSA_OK;
}

typedef struct {
	EVP_PKEY *key[NODES];
	cctsa_trihard *th[NODES];
	th_slot slot[NODES];
} th_cluster;

static void th_setup(th_cluster *cl)
{
	for (int i = 0; i < NODES; i++) {
		cl->key[i] = EVP_EC_gen("P-384");
		CHECK(cl->key[i] != NULL);
	}
	for (int i = 0; i < NODES; i++) {
		cctsa_trihard_transport tx = { th_bcast, &cl->slot[i] };
		CHECK_OK(cctsa_trihard_new(&cl->th[i], (uint32_t)(100 + i), cl->key[i], &tx, NULL));
		for (int j = 0; j < NODES; j++) {
			if (j != i) {
				CHECK_OK(cctsa_trihard_add_peer(cl->th[i], (uint32_t)(100 + j), cl->key[j]));
			}
		}
	}
}

static void th_teardown(th_cluster *cl)
{
	for (int i = 0; i < NODES; i++) {
		cctsa_trihard_free(cl->th[i]);
		EVP_PKEY_free(cl->key[i]);
	}
}

/* One round at true time T with per-node clock offsets and a symmetric RTT. */
static void th_round(th_cluster *cl, uint64_t round, const int64_t off[NODES], int64_t rtt,
		     cctsa_trihard_result res[NODES])
{
	int64_t t = (int64_t)round * 30 * SEC;

	for (int i = 0; i < NODES; i++) {
		CHECK_OK(cctsa_trihard_round_begin(cl->th[i], round, t + off[i], 2 * MS));
	}
	for (int i = 0; i < NODES; i++) {
		for (int j = 0; j < NODES; j++) {
			if (i != j) {
				CHECK_OK(cctsa_trihard_receive(cl->th[i], cl->slot[j].msg, cl->slot[j].len,
							       t + rtt / 2 + off[i], rtt, NULL));
			}
		}
	}
	for (int i = 0; i < NODES; i++) {
		CHECK_OK(cctsa_trihard_round_end(cl->th[i], &res[i]));
		CHECK(res[i].readings >= 3);
	}
}

static int th_excludes(const cctsa_trihard_result *r, uint32_t id)
{
	for (size_t i = 0; i < r->n_excluded; i++) {
		if (r->excluded[i] == id) {
			return 1;
		}
	}
	return 0;
}

static void th_attacks(th_cluster *cl, uint64_t round)
{
	uint8_t m[CCTSA_TRIHARD_MSG_MAX];
	size_t len;
	cctsa_trihard_result res[NODES];
	int64_t off[NODES] = { 0 };

	th_round(cl, round, off, 2 * MS, res);
	len = cl->slot[1].len;
	memcpy(m, cl->slot[1].msg, len);
	CHECK_OK(cctsa_trihard_round_begin(cl->th[0], round + 1, 0, MS));
	CHECK_ERR(cctsa_trihard_receive(cl->th[0], m, len, 0, MS, NULL), CCTSA_E_STATE); /* old round */
	CHECK_OK(cctsa_trihard_round_begin(cl->th[1], round + 1, 0, MS));
	len = cl->slot[1].len; /* DER signatures vary in length */
	memcpy(m, cl->slot[1].msg, len);
	m[20] ^= 1; /* local time changed */
	CHECK_ERR(cctsa_trihard_receive(cl->th[0], m, len, 0, MS, NULL), CCTSA_E_VERIFY);
	m[20] ^= 1;
	m[7] ^= 1; /* claims our own id: 101 ^ 1 = 100 */
	CHECK_ERR(cctsa_trihard_receive(cl->th[0], m, len, 0, MS, NULL), CCTSA_E_STATE);
	m[7] ^= 3; /* 103: a valid peer, but 101's signature */
	CHECK_ERR(cctsa_trihard_receive(cl->th[0], m, len, 0, MS, NULL), CCTSA_E_VERIFY);
	m[7] ^= 2;
	m[7] ^= 0x80; /* unknown node */
	CHECK_ERR(cctsa_trihard_receive(cl->th[0], m, len, 0, MS, NULL), CCTSA_E_VERIFY);
	m[7] ^= 0x80;
	m[len - 1] ^= 0x40; /* signature bytes */
	CHECK_ERR(cctsa_trihard_receive(cl->th[0], m, len, 0, MS, NULL), CCTSA_E_VERIFY);
	m[len - 1] ^= 0x40;
	for (size_t k = 0; k < len; k++) {
		CHECK_ERR(cctsa_trihard_receive(cl->th[0], m, k, 0, MS, NULL), CCTSA_E_MALFORMED);
	}
	CHECK_OK(cctsa_trihard_receive(cl->th[0], m, len, 0, MS, NULL));
	CHECK_ERR(cctsa_trihard_receive(cl->th[0], m, len, 0, MS, NULL), CCTSA_E_STATE); /* duplicate */
	CHECK_ERR(cctsa_trihard_round_end(cl->th[0], &res[0]), CCTSA_E_STATE); /* 2 of 5: no quorum */
}

static void test_trihard(void)
{
	th_cluster cl;
	cctsa_trihard_result res[NODES];
	uint64_t round;

	th_setup(&cl);
	for (round = 1; round <= 12; round++) {
		int64_t off[NODES] = { 3 * MS, -4 * MS, 1 * MS, -2 * MS, 0 };
		off[4] = round <= 5 ? (int64_t)round * 40 * MS : 10 * MS; /* drifts, then resyncs */
		th_round(&cl, round, off, 2 * MS, res);
		for (int i = 0; i < 4; i++) {
			CHECK(!res[i].withdrawn);
			/* peers exclude node 104 from its first bad round until it has rejoined */
			CHECK(th_excludes(&res[i], 104) == (round >= 3 && round <= 8));
			CHECK(res[i].n_excluded == (size_t)(round >= 3 && round <= 8));
		}
		CHECK(res[4].withdrawn == (round >= 3 && round <= 7));
		CHECK(res[4].changed == (round == 3 || round == 8));
		if (round >= 6 && round <= 7) {
			CHECK(res[4].good_rounds == round - 5);
		}
		fprintf(stderr, "trihard round %2llu: node 104 offset %+4lld ms, median %+4lld ms, %s\n",
			(unsigned long long)round, (long long)(off[4] / MS),
			(long long)(res[4].median_ns / MS), res[4].withdrawn ? "withdrawn" : "in");
	}
	th_attacks(&cl, round);
	th_teardown(&cl);
}

/* Half the round trip is credited to the message's flight: 400 ms RTT, no withdrawal. */
static void test_trihard_rtt(void)
{
	th_cluster cl;
	cctsa_trihard_result res[NODES];
	int64_t off[NODES] = { 0, 20 * MS, -20 * MS, 5 * MS, 0 };

	th_setup(&cl);
	for (uint64_t round = 1; round <= 4; round++) {
		th_round(&cl, round, off, 400 * MS, res);
		for (int i = 0; i < NODES; i++) {
			CHECK(!res[i].withdrawn && res[i].n_excluded == 0);
			CHECK(llabs(res[i].median_ns + off[i]) <= 20 * MS + 1);
		}
	}
	th_teardown(&cl);
}
