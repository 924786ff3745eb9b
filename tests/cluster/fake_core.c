/*
 * TEST DOUBLE, never shipped: a stand-in for cctsa-core with the same command line
 * (--config DIR/cluster.json --node I), control socket (CLUSTER.md JSON lines) and
 * gateway socket (net's corep server), so that `cctsa cluster`, the gateway's core
 * backend, HAProxy and the fault choreography can be tested before the real core
 * works end to end. It has NO threshold signing, NO attestation and NO trusted time:
 * "DKG" makes ordinary key files with `cctsa testpki` (in DIR/fake-keys) and every
 * node signs with them through the tsp file-key issuer. "Quorum" = how many nodes'
 * control sockets accept a connection. Its /health says "fake-core" everywhere.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cctsa/net.h"
#include "cctsa/tsp.h"
#include "tsp/tsp_view.h"

typedef struct {
	struct event_base *base;
	char dir[900], bindir[900];
	int node, nodes, threshold;
	const char *state; /* waiting-for-dkg | active | halted */
	cctsa_tsp_local *keys;
	cctsa_net_corep_server *corep;
	time_t started;
	unsigned long granted;
} fake;

/* Nodes whose control socket is there and listening (non-blocking connect: a full
 * backlog still means a live listener); this node counts itself. Cached for 50 ms. */
static unsigned live_mask;

static int live_peers(const fake *f)
{
	static struct timespec last;
	static int cached = -1;
	unsigned mask = 0;
	struct timespec now;
	int n = 1;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (cached >= 0 && (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 < 50) {
		return cached;
	}
	for (int i = 0; i < f->nodes; i++) {
		struct sockaddr_un sa;
		int fd, r;

		if (i == f->node) {
			continue;
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/node-%d/control.sock", f->dir, i);
		r = fd >= 0 ? connect(fd, (struct sockaddr *)&sa, sizeof(sa)) : -1;
		if (r == 0 || (r < 0 && errno == EAGAIN)) {
			n++;
			mask |= 1u << i;
		}
		if (fd >= 0) {
			close(fd);
		}
	}
	last = now;
	cached = n;
	live_mask = mask;
	return n;
}

/* Active nodes whose peers dropped below the threshold halt for good (keys gone). */
static const char *state_now(fake *f)
{
	if (strcmp(f->state, "active") == 0 && live_peers(f) < f->threshold) {
		f->state = "halted";
		cctsa_tsp_local_free(f->keys);
		f->keys = NULL;
	}
	if (strcmp(f->state, "active") == 0 && live_peers(f) < f->nodes) {
		return "degraded";
	}
	return f->state;
}

static int run(const fake *f, char **args)
{
	char bin[1000];
	char *argv[16];
	int n = 0, st = 0;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s/cctsa", f->bindir);
	argv[n++] = bin;
	while (*args != NULL && n < 15) {
		argv[n++] = *args++;
	}
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		execv(bin, argv);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static char *slurp(const char *path)
{
	cctsa_buf b;
	char *s = NULL;

	cctsa_buf_init(&b, 0);
	if (cctsa_file_read(&b, path, 1 << 20, NULL) == CCTSA_OK && cctsa_buf_put_u8(&b, 0) == CCTSA_OK) {
		s = cctsa_mem_strdup((const char *)b.data);
	}
	cctsa_buf_free(&b);
	return s;
}

static json_t *dkg(fake *f)
{
	char keys[1000], csr_e[1000], csr_m[1000], key_e[1000], key_m[1000], bind[1000];
	char *ce, *cm;
	json_t *ans;

	snprintf(keys, sizeof(keys), "%s/fake-keys", f->dir);
	snprintf(key_e, sizeof(key_e), "%s/tsa-ecdsa.key", keys);
	snprintf(key_m, sizeof(key_m), "%s/tsa-mldsa.key", keys);
	snprintf(csr_e, sizeof(csr_e), "%s/csr-ecdsa.pem", keys);
	snprintf(csr_m, sizeof(csr_m), "%s/csr-mldsa.pem", keys);
	snprintf(bind, sizeof(bind), "%s/binding.json", keys);
	run(f, (char *[]){"testpki", "--out", keys, NULL}); /* refuses an existing dir: then reuse */
	if (access(key_e, R_OK) != 0 ||
	    !run(f, (char *[]){"testpki", "csr", "--key", key_e, "--out", csr_e, "--binding", bind, "--cn", "Fake Core TSA ECDSA", NULL}) ||
	    !run(f, (char *[]){"testpki", "csr", "--key", key_m, "--out", csr_m, "--binding", bind, "--cn", "Fake Core TSA ML-DSA", NULL})) {
		return json_pack("{s:b, s:s}", "ok", 0, "error", "fake dkg: cctsa testpki failed");
	}
	ce = slurp(csr_e);
	cm = slurp(csr_m);
	ans = json_pack("{s:b, s:s, s:s, s:s, s:s, s:{s:s, s:b}}", "ok", 1, "ecdsa_pub", "(fake)", "mldsa_pub", "(fake)",
			"csr_ecdsa", ce != NULL ? ce : "", "csr_mldsa", cm != NULL ? cm : "", "transcript", "kind",
			"fake-core test double: no DKG happened", "threshold", 0);
	cctsa_mem_free(ce);
	cctsa_mem_free(cm);
	return ans;
}

static int put(const char *dir, const char *name, const char *text)
{
	char p[1000];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return text != NULL && cctsa_file_write(p, (const uint8_t *)text, strlen(text), 0644, 0, NULL) == CCTSA_OK;
}

static json_t *install(fake *f, json_t *cmd)
{
	char mine[1000], from[1000], to[1000];
	static const char *const ks[] = {"tsa-ecdsa.key", "tsa-mldsa.key"};
	cctsa_diag d;

	snprintf(mine, sizeof(mine), "%s/node-%d/fake", f->dir, f->node);
	mkdir(mine, 0700);
	for (int k = 0; k < 2; k++) {
		char *t;
		snprintf(from, sizeof(from), "%s/fake-keys/%s", f->dir, ks[k]);
		t = slurp(from);
		snprintf(to, sizeof(to), "%s/%s", mine, ks[k]);
		if (t == NULL || cctsa_file_write(to, (const uint8_t *)t, strlen(t), 0600, 0, NULL) != CCTSA_OK) {
			cctsa_mem_free(t);
			return json_pack("{s:b, s:s}", "ok", 0, "error", "fake: no keys");
		}
		cctsa_mem_free(t);
	}
	if (!put(mine, "tsa-ecdsa.pem", json_string_value(json_object_get(cmd, "tsa_ecdsa"))) ||
	    !put(mine, "tsa-mldsa.pem", json_string_value(json_object_get(cmd, "tsa_mldsa"))) ||
	    !put(mine, "ca-ecdsa.pem", json_string_value(json_object_get(cmd, "ca_ecdsa"))) ||
	    !put(mine, "ca-mldsa.pem", json_string_value(json_object_get(cmd, "ca_mldsa")))) {
		return json_pack("{s:b, s:s}", "ok", 0, "error", "fake: certificates missing");
	}
	cctsa_diag_reset(&d);
	cctsa_tsp_local_free(f->keys);
	f->keys = NULL;
	if (cctsa_tsp_local_load(&f->keys, mine, &d) != CCTSA_OK) {
		return json_pack("{s:b, s:s}", "ok", 0, "error", cctsa_diag_str(&d, CCTSA_E_IO));
	}
	f->state = "active";
	return json_pack("{s:b}", "ok", 1);
}

static json_t *control(fake *f, const char *line, int *quit)
{
	json_t *cmd = json_loads(line, 0, NULL), *ans;
	const char *c = json_string_value(json_object_get(cmd, "cmd"));

	if (c == NULL) {
		ans = json_pack("{s:b, s:s}", "ok", 0, "error", "bad command");
	} else if (strcmp(c, "status") == 0) {
		json_t *peers = json_array();
		const char *st = state_now(f);
		(void)live_peers(f);
		for (int i = 0; i < f->nodes; i++) {
			if (live_mask & (1u << i)) {
				json_array_append_new(peers, json_integer(i));
			}
		}
		ans = json_pack("{s:b, s:i, s:s, s:o, s:b, s:s, s:s, s:{}, s:i, s:b}", "ok", 1, "node", f->node, "state",
				st, "peers_attested", peers, "time_synced", 1, "key_epoch", "0000000000000000",
				"measurement", "fake-core-no-measurement", "pools", "mldsa_attempts_left", 0, "fake", 1);
	} else if (strcmp(c, "dkg-start") == 0) {
		ans = dkg(f);
	} else if (strcmp(c, "install-certs") == 0) {
		ans = install(f, cmd);
	} else if (strcmp(c, "shutdown") == 0) {
		*quit = 1;
		ans = json_pack("{s:b}", "ok", 1);
	} else {
		ans = json_pack("{s:b, s:s}", "ok", 0, "error", "unknown command");
	}
	json_decref(cmd);
	return ans;
}

static void ctl_read(struct bufferevent *bev, void *arg)
{
	fake *f = arg;
	char *line;
	size_t n;

	while ((line = evbuffer_readln(bufferevent_get_input(bev), &n, EVBUFFER_EOL_LF)) != NULL) {
		int quit = 0;
		json_t *ans = control(f, line, &quit);
		char *text = json_dumps(ans, JSON_COMPACT);

		free(line);
		bufferevent_write(bev, text, strlen(text));
		bufferevent_write(bev, "\n", 1);
		free(text);
		json_decref(ans);
		if (quit) {
			bufferevent_flush(bev, EV_WRITE, BEV_FLUSH);
			event_base_loopexit(f->base, &(struct timeval){0, 100000});
		}
	}
}

static void ctl_event(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	(void)arg;
	bufferevent_free(bev);
}

static void ctl_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct bufferevent *bev = bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);

	(void)sa;
	(void)len;
	bufferevent_setcb(bev, ctl_read, NULL, ctl_event, arg);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static unsigned first_bit(const tsp_resp_view *rv)
{
	for (size_t i = 0; i < rv->fail_bits_len; i++) {
		for (unsigned b = 0; b < 8; b++) {
			if (rv->fail_bits[i] & (0x80u >> b)) {
				return (unsigned)(i * 8 + b);
			}
		}
	}
	return CCTSA_NET_FAIL_NONE;
}

static void on_ts(void *ctx, uint64_t conn, const cctsa_net_corep_ts_req *req)
{
	fake *f = ctx;
	cctsa_net_corep_ts_resp m;
	cctsa_buf resp;
	tsp_resp_view rv;
	cctsa_diag d;
	static const char no[] = "fake core: fewer than the threshold of nodes (no quorum)";

	memset(&m, 0, sizeof(m));
	m.id = req->id;
	cctsa_buf_init(&resp, 1 << 20);
	cctsa_diag_reset(&d);
	if (strcmp(state_now(f), "halted") == 0 || f->keys == NULL || live_peers(f) < f->threshold) {
		m.status = 2;
		m.fail_bit = CCTSA_TSP_FAIL_SYSTEM_FAILURE;
		m.text = no;
		m.text_len = strlen(no);
	} else if (cctsa_tsp_local_respond(f->keys, &resp, &req->req, req->flavor == CCTSA_NET_FLAVOR_PQ, 0, &d) !=
			   CCTSA_OK ||
		   cctsa_tsp_view_resp(&rv, resp.data, resp.len, &d) != CCTSA_OK) {
		m.status = 2;
		m.fail_bit = CCTSA_TSP_FAIL_SYSTEM_FAILURE;
	} else {
		m.status = (uint8_t)rv.status;
		m.fail_bit = (uint8_t)first_bit(&rv);
		m.token = rv.token.der;
		m.token_len = rv.token.der != NULL ? rv.token.der_len : 0;
		f->granted += m.token_len != 0;
	}
	if (cctsa_net_corep_server_reply_ts(f->corep, conn, &m, &d) != CCTSA_OK) {
		fprintf(stderr, "fake core: reply: %s\n", cctsa_diag_str(&d, CCTSA_E_IO));
	}
	cctsa_buf_free(&resp);
}

static void on_info(void *ctx, uint64_t conn, const cctsa_net_corep_info_req *req)
{
	fake *f = ctx;
	cctsa_net_corep_info_resp m;
	char body[2048];
	int live = live_peers(f);
	const char *st = state_now(f), *cluster;
	cctsa_diag d;

	cluster = live >= f->nodes ? "healthy" : live > f->threshold ? "degraded" : live == f->threshold ? "critical" : "unavailable";
	if (strcmp(st, "active") != 0 && strcmp(st, "degraded") != 0) {
		cluster = "unavailable";
	}
	memset(&m, 0, sizeof(m));
	m.id = req->id;
	if (req->what == CCTSA_NET_INFO_HEALTH) {
		snprintf(body, sizeof(body),
			 "{\"status\":\"%s\",\"node_id\":%d,\"attested\":false,\"time_synced\":false,"
			 "\"nts_sources_reachable\":0,\"trihard_status\":\"fake\",\"quorum_available\":%s,"
			 "\"uptime_seconds\":%ld,\"key_state\":\"%s\",\"pools\":{},\"fake_core\":true}",
			 cluster, f->node, live >= f->threshold ? "true" : "false", (long)(time(NULL) - f->started),
			 f->keys != NULL ? "active" : "uninitialized");
	} else if (req->what == CCTSA_NET_INFO_METRICS) {
		snprintf(body, sizeof(body), "cctsa_core_nodes_reachable %d\ncctsa_core_fake 1\ncctsa_core_tokens_total %lu\n", live,
			 f->granted);
	} else {
		m.status = 1;
		body[0] = '\0';
	}
	m.body = (const uint8_t *)body;
	m.body_len = strlen(body);
	if (cctsa_net_corep_server_reply_info(f->corep, conn, &m, &d) != CCTSA_OK) {
		fprintf(stderr, "fake core: info reply failed\n");
	}
}

static void on_sig(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopexit(arg, NULL);
}

static int load(fake *f, const char *config)
{
	json_t *doc = json_load_file(config, 0, NULL);
	const char *dir = json_string_value(json_object_get(doc, "dir"));
	char exe[900];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (doc == NULL || dir == NULL || n <= 0 ||
	    json_unpack(doc, "{s:i, s:i}", "nodes", &f->nodes, "threshold", &f->threshold) != 0) {
		json_decref(doc);
		return 0;
	}
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(f->bindir, sizeof(f->bindir), "%s", exe);
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
	json_decref(doc);
	return 1;
}

int main(int argc, char **argv)
{
	fake f;
	struct sockaddr_un sa;
	struct evconnlistener *l;
	struct event *s1, *s2;
	cctsa_net_corep_handlers h = {0};
	char path[1000];

	memset(&f, 0, sizeof(f));
	if (argc != 5 || strcmp(argv[1], "--config") != 0 || strcmp(argv[3], "--node") != 0 || !load(&f, argv[2])) {
		fprintf(stderr, "usage: fake_core --config DIR/cluster.json --node I\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	f.node = atoi(argv[4]);
	f.state = "waiting-for-dkg";
	f.started = time(NULL);
	f.base = event_base_new();
	fprintf(stderr, "fake core %d: TEST DOUBLE (no threshold signing, no attestation, no trusted time)\n", f.node);
	h.ctx = &f;
	h.on_ts = on_ts;
	h.on_info = on_info;
	snprintf(path, sizeof(path), "%s/node-%d/core.sock", f.dir, f.node);
	if (cctsa_net_corep_server_new(&f.corep, f.base, path, &h, NULL) != CCTSA_OK) {
		fprintf(stderr, "fake core: cannot listen on %s\n", path);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/node-%d/control.sock", f.dir, f.node);
	unlink(sa.sun_path);
	l = evconnlistener_new_bind(f.base, ctl_accept, &f, LEV_OPT_CLOSE_ON_FREE, 16, (struct sockaddr *)&sa, sizeof(sa));
	if (l == NULL) {
		fprintf(stderr, "fake core: cannot listen on %s\n", sa.sun_path);
		return 1;
	}
	s1 = evsignal_new(f.base, SIGTERM, on_sig, f.base);
	s2 = evsignal_new(f.base, SIGINT, on_sig, f.base);
	evsignal_add(s1, NULL);
	evsignal_add(s2, NULL);
	event_base_dispatch(f.base);
	evconnlistener_free(l);
	unlink(sa.sun_path);
	cctsa_net_corep_server_free(f.corep);
	cctsa_tsp_local_free(f.keys);
	event_free(s1);
	event_free(s2);
	event_base_free(f.base);
	fprintf(stderr, "fake core %d: stopped\n", f.node);
	return 0;
}
