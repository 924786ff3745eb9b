/* Part of tests/net/mesh_test.c: a TLS client that breaks the peer protocol. */

typedef struct {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	cctsa_net_refuse_reason reason;
	const char *needle; /* in the refusal message */
} bad_case;

static void rogue_event_cb(struct bufferevent *bev, short what, void *arg)
{
	const bad_case *bc = arg;

	if (what & BEV_EVENT_CONNECTED) {
		CHECK(bufferevent_write(bev, bc->bytes, bc->len) == 0);
	}
}

static int refused_any(world *w)
{
	return w->nodes[1].refused != CCTSA_NET_REFUSE_NONE;
}

/* A TCP client that speaks no TLS at all. */
static void plain_client(world *w, uint16_t port)
{
	struct bufferevent *bev = bufferevent_socket_new(w->base, -1, BEV_OPT_CLOSE_ON_FREE);
	struct sockaddr_in sa;
	static const bad_case http = {"plain", (const uint8_t *)"GET / HTTP/1.0\r\n\r\n", 18,
				      CCTSA_NET_REFUSE_TLS, "TLS"};

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bev != NULL);
	bufferevent_setcb(bev, NULL, NULL, rogue_event_cb, (void *)(uintptr_t)&http);
	CHECK(bufferevent_socket_connect(bev, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(bufferevent_enable(bev, EV_READ | EV_WRITE) == 0);
	world_run(w, refused_any);
	CHECK(w->nodes[1].refused == CCTSA_NET_REFUSE_TLS && w->nodes[1].refused_peer == -1);
	printf("net mesh: non-TLS client refused: %s\n", w->nodes[1].refused_msg);
	bufferevent_free(bev);
}

static void tls_client(world *w, SSL_CTX *ctx, uint16_t port, const bad_case *bc)
{
	SSL *ssl = SSL_new(ctx);
	struct bufferevent *bev;
	struct sockaddr_in sa;

	CHECK(ssl != NULL);
	bev = bufferevent_openssl_socket_new(w->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	CHECK(bev != NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bufferevent_setcb(bev, NULL, NULL, rogue_event_cb, (void *)(uintptr_t)bc);
	CHECK(bufferevent_socket_connect(bev, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(bufferevent_enable(bev, EV_READ | EV_WRITE) == 0);
	w->nodes[1].refused = CCTSA_NET_REFUSE_NONE;
	world_run(w, refused_any);
	if (w->nodes[1].refused != bc->reason || strstr(w->nodes[1].refused_msg, bc->needle) == NULL) {
		fprintf(stderr, "%s: refused %s: %s\n", bc->name, cctsa_net_refuse_name(w->nodes[1].refused),
			w->nodes[1].refused_msg);
		CHECK(0);
	}
	printf("net mesh: %s refused: %s\n", bc->name, w->nodes[1].refused_msg);
	bufferevent_free(bev);
}

#define HELLO_OK "\x01\xf1\x00\x00\x00\x21" "\x00" "0123456789abcdef0123456789abcdef"

static void test_bad_frames(void)
{
	static const bad_case cases[] = {
		{"wrong version", (const uint8_t *)"\x02\xf1\x00\x00\x00\x21", 6, CCTSA_NET_REFUSE_PROTOCOL, "version"},
		{"unknown type", (const uint8_t *)"\x01\xf7\x00\x00\x00\x00", 6, CCTSA_NET_REFUSE_PROTOCOL,
		 "unknown type"},
		{"oversized frame", (const uint8_t *)"\x01\x20\x00\x10\x00\x01", 6, CCTSA_NET_REFUSE_PROTOCOL,
		 "outside"},
		{"HELLO of the wrong length", (const uint8_t *)"\x01\xf1\x00\x00\x00\x20", 6,
		 CCTSA_NET_REFUSE_PROTOCOL, "exactly"},
		{"application frame before attestation", (const uint8_t *)HELLO_OK "\x01\x20\x00\x00\x00\x01" "z",
		 6 + 33 + 7, CCTSA_NET_REFUSE_PROTOCOL, "before attestation"},
		{"READY before ATTEST", (const uint8_t *)HELLO_OK "\x01\xf3\x00\x00\x00\x00", 6 + 33 + 6,
		 CCTSA_NET_REFUSE_PROTOCOL, "out of order"},
		{"HELLO claiming a higher node id", (const uint8_t *)"\x01\xf1\x00\x00\x00\x21" "\x01"
		 "0123456789abcdef0123456789abcdef", 6 + 33, CCTSA_NET_REFUSE_PROTOCOL, "HELLO from node 1"},
		{"short ATTEST", (const uint8_t *)HELLO_OK "\x01\xf2\x00\x00\x00\x01" "x", 6 + 33 + 7,
		 CCTSA_NET_REFUSE_PROTOCOL, "outside 1193..16384"},
	};
	static const bad_case silent = {"silence after HELLO", (const uint8_t *)HELLO_OK, 6 + 33,
					CCTSA_NET_REFUSE_TIMEOUT, "not attested within 300 ms"};
	static const bad_case nocert = {"TLS without a certificate", (const uint8_t *)HELLO_OK, 6 + 33,
					CCTSA_NET_REFUSE_TLS, "certificate"};
	world w;
	reporter hr = {&sim_a, NULL, R_HONEST, 0, {0}, 0};
	cctsa_net_verifier v;
	SSL_CTX *ctx = NULL;
	uint8_t kh[48];
	uint16_t port;

	world_init(&w, 2);
	verifier_for(&v, &sim_a, sim_a.meas);
	node_start(&w, 1, &hr, &sim_a.chain, &v); /* accepts from node 0 only */
	port = cctsa_net_mesh_port(w.nodes[1].m);
	plain_client(&w, port);
	CHECK_OK(net_tls_identity(&ctx, kh, NULL));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tls_client(&w, ctx, port, &cases[i]);
	}
	SSL_CTX_free(ctx);
	/* TLS without a client certificate */
	ctx = SSL_CTX_new(TLS_client_method());
	CHECK(ctx != NULL);
	tls_client(&w, ctx, port, &nocert);
	SSL_CTX_free(ctx);
	world_free(&w);
	/* a peer that says HELLO and then nothing: dropped at the (here 300 ms) deadline */
	world_init(&w, 2);
	test_up_timeout_ms = 300;
	node_start(&w, 1, &hr, &sim_a.chain, &v);
	CHECK_OK(net_tls_identity(&ctx, kh, NULL));
	tls_client(&w, ctx, cctsa_net_mesh_port(w.nodes[1].m), &silent);
	test_up_timeout_ms = 0;
	SSL_CTX_free(ctx);
	world_free(&w);
}
