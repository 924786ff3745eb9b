/* Part of tests/net/mesh_test.c: meshes over real loopback TLS sockets. */

typedef struct world world;

static unsigned test_up_timeout_ms; /* 0: the default (10 s), timeouts not recorded */

typedef struct {
	world *w;
	unsigned id;
	cctsa_net_mesh *m;
	unsigned ups, downs, msgs, big;
	int refused_peer;
	cctsa_net_refuse_reason refused;
	cctsa_snp_check refused_check;
	char refused_msg[CCTSA_DIAG_MAX];
} node;

struct world {
	struct event_base *base;
	struct event *watchdog;
	node nodes[N5];
	unsigned n;
	int (*done)(world *w);
};

static void maybe_done(world *w)
{
	if (w->done != NULL && w->done(w)) {
		event_base_loopexit(w->base, NULL);
	}
}

static void on_message(void *ctx, unsigned peer, uint8_t type, const uint8_t *p, size_t len)
{
	node *nd = ctx;

	if (type == 0x03) { /* low application types (core's DKG messages) are carried */
		CHECK(len == 102 && p[0] == peer && p[1] == nd->id && p[2] == 'x' && p[101] == 'x');
		nd->msgs++;
	} else {
		CHECK(type == 0x21 && len == CCTSA_NET_PEER_MAX && p[0] == 0x5a && p[len - 1] == 0xa5);
		nd->big++;
	}
	maybe_done(nd->w);
}

static void on_up(void *ctx, unsigned peer, const cctsa_net_peer_info *info)
{
	node *nd = ctx;

	CHECK(info->node == peer && peer != nd->id && peer < nd->w->n);
	CHECK(memcmp(info->measurement, sim_a.meas, 48) == 0 && info->simulated);
	CHECK(cctsa_net_mesh_peer_up(nd->m, peer) && cctsa_net_mesh_peer_info(nd->m, peer) == info);
	nd->ups++;
	maybe_done(nd->w);
}

static void on_down(void *ctx, unsigned peer)
{
	node *nd = ctx;

	CHECK(!cctsa_net_mesh_peer_up(nd->m, peer));
	if (getenv("NET_TEST_VERBOSE") != NULL) {
		fprintf(stderr, "node %u: peer %u down\n", nd->id, peer);
	}
	nd->downs++;
	maybe_done(nd->w);
}

static void on_refused(void *ctx, int peer, const cctsa_net_refusal *why)
{
	node *nd = ctx;

	if (getenv("NET_TEST_VERBOSE") != NULL) {
		fprintf(stderr, "node %u: peer %d refused (%s): %s\n", nd->id, peer,
			cctsa_net_refuse_name(why->reason), why->diag.msg);
	}
	if (why->reason == CCTSA_NET_REFUSE_CLOSED || (why->reason == CCTSA_NET_REFUSE_TIMEOUT && !test_up_timeout_ms)) {
		return; /* dials before the peer listens, drops we caused; a slow machine */
	}
	if (nd->refused == CCTSA_NET_REFUSE_NONE) {
		nd->refused = why->reason;
		nd->refused_check = why->check;
		nd->refused_peer = peer;
		memcpy(nd->refused_msg, why->diag.msg, sizeof(nd->refused_msg));
	}
	maybe_done(nd->w);
}

static void watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fprintf(stderr, "mesh test: no progress for 120 s (hang guard, not a timing check)\n");
	CHECK(0);
}

static void world_init(world *w, unsigned n)
{
	struct timeval tv = {120, 0};

	memset(w, 0, sizeof(*w));
	w->n = n;
	w->base = event_base_new();
	CHECK(w->base != NULL);
	w->watchdog = evtimer_new(w->base, watchdog_cb, w);
	CHECK(w->watchdog != NULL && evtimer_add(w->watchdog, &tv) == 0);
	for (unsigned i = 0; i < n; i++) {
		w->nodes[i].w = w;
		w->nodes[i].id = i;
	}
}

static void world_run(world *w, int (*done)(world *))
{
	w->done = done;
	while (!done(w)) { /* a loopexit left over from an earlier phase returns early */
		CHECK(event_base_dispatch(w->base) == 0);
	}
}

static void world_free(world *w)
{
	for (unsigned i = 0; i < w->n; i++) {
		cctsa_net_mesh_free(w->nodes[i].m);
	}
	event_free(w->watchdog);
	event_base_free(w->base);
}

/* Node i of w: report/chain of its own, verifier given; ports of higher nodes known. */
static void node_start(world *w, unsigned i, reporter *r, const cctsa_snp_chain *chain,
		       const cctsa_net_verifier *v)
{
	cctsa_net_mesh_config cfg;
	node *nd = &w->nodes[i];

	memset(&cfg, 0, sizeof(cfg));
	cfg.id = i;
	cfg.n = w->n;
	for (unsigned k = 0; k < w->n; k++) {
		cfg.nodes[k].host = "127.0.0.1";
		cfg.nodes[k].port = k > i ? cctsa_net_mesh_port(w->nodes[k].m) : 0;
	}
	cfg.verifier = *v;
	cfg.report = report_fn;
	cfg.report_ctx = r;
	cfg.chain = *chain;
	cfg.up_timeout_ms = test_up_timeout_ms;
	cfg.cb = (cctsa_net_mesh_callbacks){nd, on_message, on_up, on_down, on_refused};
	CHECK_OK(cctsa_net_mesh_new(&nd->m, w->base, &cfg, NULL));
	CHECK(cctsa_net_mesh_port(nd->m) != 0);
}

static int all_up(world *w)
{
	for (unsigned i = 0; i < w->n; i++) {
		for (unsigned j = 0; j < w->n; j++) {
			if (i != j && !cctsa_net_mesh_peer_up(w->nodes[i].m, j)) {
				return 0;
			}
		}
	}
	return 1;
}

static int all_msgs(world *w)
{
	unsigned total = 0;

	for (unsigned i = 0; i < w->n; i++) {
		total += w->nodes[i].msgs;
	}
	return total == w->n * (w->n - 1) && w->nodes[w->n - 1].big == 1;
}

static int redialed(world *w)
{
	return w->nodes[2].downs == 1 && w->nodes[3].downs == 1 && all_up(w);
}

static void send_all(world *w)
{
	uint8_t p[102];
	uint8_t *big = cctsa_mem_alloc(CCTSA_NET_PEER_MAX + 1);

	CHECK(big != NULL);
	memset(p, 'x', sizeof(p));
	for (unsigned i = 0; i < w->n; i++) {
		for (unsigned j = 0; j < w->n; j++) {
			if (i != j) {
				p[0] = (uint8_t)i;
				p[1] = (uint8_t)j;
				CHECK_OK(cctsa_net_mesh_send(w->nodes[i].m, j, 0x03, p, sizeof(p), NULL));
			}
		}
	}
	big[0] = 0x5a;
	big[CCTSA_NET_PEER_MAX - 1] = 0xa5;
	CHECK_OK(cctsa_net_mesh_send(w->nodes[0].m, w->n - 1, 0x21, big, CCTSA_NET_PEER_MAX, NULL));
	CHECK_ERR(cctsa_net_mesh_send(w->nodes[0].m, 1, 0x21, big, CCTSA_NET_PEER_MAX + 1, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_mesh_send(w->nodes[0].m, 0, 0x20, p, 1, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_mesh_send(w->nodes[0].m, 1, CCTSA_NET_PEER_READY, NULL, 0, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_mesh_send(w->nodes[0].m, 1, 0x00, NULL, 0, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_mesh_send(w->nodes[0].m, 1, 0xf0, NULL, 0, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_mesh_send(w->nodes[0].m, w->n, 0x20, p, 1, NULL), CCTSA_E_USAGE);
	cctsa_mem_free(big);
}

static void test_five(void)
{
	world w;
	reporter r[N5];
	cctsa_net_verifier v;
	uint64_t sent = 0, recv = 0;

	world_init(&w, N5);
	verifier_for(&v, &sim_a, sim_a.meas);
	for (unsigned i = N5; i-- > 0;) {
		r[i] = (reporter){&sim_a, NULL, R_HONEST, 0, {0}, 0};
		node_start(&w, i, &r[i], &sim_a.chain, &v);
	}
	CHECK_ERR(cctsa_net_mesh_send(w.nodes[0].m, 1, 0x20, (const uint8_t *)"x", 1, NULL), CCTSA_E_STATE);
	world_run(&w, all_up);
	for (unsigned i = 0; i < N5; i++) {
		CHECK(w.nodes[i].ups == N5 - 1 && w.nodes[i].refused == CCTSA_NET_REFUSE_NONE);
		CHECK(r[i].calls == N5 - 1); /* one fresh report per channel */
	}
	send_all(&w);
	world_run(&w, all_msgs);
	cctsa_net_mesh_bytes(w.nodes[0].m, &sent, &recv);
	CHECK(sent > CCTSA_NET_PEER_MAX && recv >= 4 * 108);
	/* node 3 drops node 2; node 2 redials and both come back up with new evidence */
	cctsa_net_mesh_drop(w.nodes[3].m, 2);
	CHECK(!cctsa_net_mesh_peer_up(w.nodes[3].m, 2));
	world_run(&w, redialed);
	CHECK(w.nodes[2].ups == N5 && w.nodes[3].ups == N5 && r[2].calls == N5 && r[3].calls == N5);
	world_free(&w);
	printf("net mesh: 5 nodes attested (20 channels), 20 messages + 1 MiB frame, redial ok\n");
}

static int h_refused(world *w)
{
	cctsa_net_refuse_reason r = w->nodes[1].refused;

	return r != CCTSA_NET_REFUSE_NONE;
}

static int h_up(world *w)
{
	return cctsa_net_mesh_peer_up(w->nodes[1].m, 0) && cctsa_net_mesh_peer_up(w->nodes[0].m, 1);
}

/*
 * Honest node 1 (sim A) expecting root `root` and measurement of A; rogue node 0
 * with reporter r and chain. Expects node 1 to refuse with reason/check.
 */
static void rogue_case(const char *name, reporter *r, const cctsa_snp_chain *chain, const sim_t *root,
		       int replay, cctsa_net_refuse_reason reason, cctsa_snp_check check)
{
	world w;
	reporter hr = {&sim_a, NULL, R_HONEST, 0, {0}, 0};
	cctsa_net_verifier hv, rv;

	world_init(&w, 2);
	verifier_for(&hv, root, sim_a.meas);
	verifier_for(&rv, &sim_a, sim_a.meas);
	node_start(&w, 1, &hr, &sim_a.chain, &hv);
	node_start(&w, 0, r, chain, &rv);
	if (replay) { /* an honest first session, then the evidence of that session again */
		world_run(&w, h_up);
		r->mode = R_REPLAY;
		cctsa_net_mesh_drop(w.nodes[1].m, 0);
	}
	world_run(&w, h_refused);
	if (w.nodes[1].refused != reason || (reason == CCTSA_NET_REFUSE_ATTEST && w.nodes[1].refused_check != check)) {
		fprintf(stderr, "%s: refused %s/%s: %s\n", name, cctsa_net_refuse_name(w.nodes[1].refused),
			cctsa_snp_check_name(w.nodes[1].refused_check), w.nodes[1].refused_msg);
		CHECK(0);
	}
	CHECK(w.nodes[1].refused_peer == 0 && !cctsa_net_mesh_peer_up(w.nodes[1].m, 0));
	printf("net mesh: %s refused: %s\n", name, w.nodes[1].refused_msg);
	world_free(&w);
}

static void test_live(void)
{
	reporter r;
	sim_t dbg;

	test_five();
	r = (reporter){&sim_b, NULL, R_HONEST, 0, {0}, 0};
	rogue_case("other measurement", &r, &sim_b.chain, &sim_b, 0, CCTSA_NET_REFUSE_ATTEST,
		   CCTSA_SNP_CHK_MEASUREMENT);
	make_sim(&dbg, 0xA1, CCTSA_SNP_POLICY_DEBUG);
	r = (reporter){&dbg, NULL, R_HONEST, 0, {0}, 0};
	rogue_case("debug policy", &r, &dbg.chain, &dbg, 0, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_POLICY);
	cctsa_snp_sim_free(dbg.sim);
	r = (reporter){&sim_a, NULL, R_HONEST, 0, {0}, 0};
	rogue_case("replayed report", &r, &sim_a.chain, &sim_a, 1, CCTSA_NET_REFUSE_ATTEST,
		   CCTSA_SNP_CHK_REPORT_DATA);
	r = (reporter){&sim_a, NULL, R_FLIP, 0, {0}, 0};
	rogue_case("flipped bit", &r, &sim_a.chain, &sim_a, 0, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_SIGNATURE);
	r = (reporter){&sim_a, &sim_c, R_OTHER_CHIP, 0, {0}, 0};
	rogue_case("other chip key", &r, &sim_a.chain, &sim_a, 0, CCTSA_NET_REFUSE_ATTEST,
		   CCTSA_SNP_CHK_SIGNATURE);
	r = (reporter){&sim_b, NULL, R_HONEST, 0, {0}, 0};
	rogue_case("foreign root", &r, &sim_b.chain, &sim_a, 0, CCTSA_NET_REFUSE_ROOT, CCTSA_SNP_CHK_COUNT);
}
