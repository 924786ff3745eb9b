/*
 * cctsa cluster: a local CC-TSA cluster on loopback (CLUSTER.md).
 *   cctsa cluster up --dir DIR [--nodes 5] [--threshold 3] [--port 8318] [--foreground]
 *   cctsa cluster status --dir DIR            (JSON on stdout)
 *   cctsa cluster stop-node --dir DIR --node I
 *   cctsa cluster start-node --dir DIR --node I
 *   cctsa cluster down --dir DIR
 * Every step is real (chronyd NTS servers, cctsa-core processes, the DKG over their
 * attested mesh, the offline CA, cctsa-gateway processes); a missing piece fails.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli/cluster_int.h"

const char cctsa_cli_cluster_summary[] = "local 5-node cluster: up, status, stop-node, start-node, down";

#define CMD "cluster"

static void usage(FILE *f)
{
	fprintf(f, "usage: cctsa cluster up --dir DIR [--nodes N] [--threshold T] [--port P] [--foreground]\n"
		   "       cctsa cluster status --dir DIR\n"
		   "       cctsa cluster stop-node --dir DIR --node I\n"
		   "       cctsa cluster start-node --dir DIR --node I\n"
		   "       cctsa cluster down --dir DIR\n\n"
		   "up writes DIR/cluster.json, starts 4 chronyd NTS servers (DIR/nts), N cctsa-core\n"
		   "processes, runs the DKG ceremony (threshold-signed CSRs, certificates from the offline\n"
		   "CA in DIR/ca, installed on every core), starts N cctsa-gateway processes, timestamps\n"
		   "the binding record and writes DIR/endpoints.json. Ports from P (default 8318):\n"
		   "gateway HTTP P+i, HTTPS P+10+i, core mesh P+20+i, NTS-KE P+30+k, NTP P+40+k.\n"
		   "--foreground supervises until Ctrl-C, then stops everything. stop-node stops a node's\n"
		   "core (its shares are wiped) and gateway; start-node restarts them and, once all N are\n"
		   "back after a quorum loss, runs a new DKG with new certificates.\n");
}

typedef struct {
	const char *dir;
	int nodes, threshold, node, foreground;
	unsigned port;
} cl_opts;

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		return 0;
	}
	*out = (int)v;
	return 1;
}

static int parse(int argc, char **argv, cl_opts *o)
{
	static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
					     {"nodes", required_argument, NULL, 'n'},
					     {"threshold", required_argument, NULL, 't'},
					     {"port", required_argument, NULL, 'p'},
					     {"node", required_argument, NULL, 'i'},
					     {"foreground", no_argument, NULL, 'f'},
					     {NULL, 0, NULL, 0}};
	int c, port = 8318;

	memset(o, 0, sizeof(*o));
	o->nodes = 5;
	o->threshold = 3;
	o->node = -1;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		int ok = 1;
		switch (c) {
		case 'd': o->dir = optarg; break;
		case 'n': ok = parse_int(optarg, 1, CL_MAX_NODES, &o->nodes); break;
		case 't': ok = parse_int(optarg, 1, CL_MAX_NODES, &o->threshold); break;
		case 'p': ok = parse_int(optarg, 1024, 65535 - 50, &port); break;
		case 'i': ok = parse_int(optarg, 0, CL_MAX_NODES - 1, &o->node); break;
		case 'f': o->foreground = 1; break;
		default: return 0;
		}
		if (!ok) {
			fprintf(stderr, "cctsa cluster: bad value '%s'\n", optarg);
			return 0;
		}
	}
	o->port = (unsigned)port;
	return optind == argc && o->dir != NULL;
}

static int make_ctx(cl_ctx *c, const cl_opts *o)
{
	char exe[CL_PATH], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	memset(c, 0, sizeof(*c));
	if (n <= 0 || (mkdir(o->dir, 0755) != 0 && errno != EEXIST) || realpath(o->dir, c->dir) == NULL) {
		fprintf(stderr, "cctsa cluster: cannot create %s: %s\n", o->dir, strerror(errno));
		return 0;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	*slash = '\0';
	snprintf(c->bindir, sizeof(c->bindir), "%s", exe);
	c->nodes = o->nodes;
	c->threshold = o->threshold;
	c->port = o->port;
	c->user = geteuid() == 0 ? "nobody" : NULL;
	if (c->user != NULL) {
		chmod(c->dir, 0711); /* the gateways (as nobody) reach DIR/node-<i>/core.sock */
	}
	return 1;
}

static int any_running(const cl_ctx *c)
{
	char pid[CL_PATH];

	for (int i = 0; i < CL_MAX_NODES; i++) {
		if ((cl_path(pid, "%s/node-%d/core.pid", c->dir, i) && cl_pid_alive(pid, "cctsa-core") != 0) ||
		    (cl_path(pid, "%s/node-%d/gateway.pid", c->dir, i) && cl_pid_alive(pid, "cctsa-gateway") != 0)) {
			return 1;
		}
	}
	for (int k = 0; k < CL_NTS; k++) {
		if (cl_path(pid, "%s/nts/%d/spawn.pid", c->dir, k) && cl_pid_alive(pid, "chronyd") != 0) {
			return 1;
		}
	}
	return 0;
}

static int check_binaries(const cl_ctx *c)
{
	static const char *const bins[] = {"cctsa-core", "cctsa-gateway"};
	char p[CL_PATH];

	for (size_t i = 0; i < 2; i++) {
		if (!cl_path(p, "%s/%s", c->bindir, bins[i]) || access(p, X_OK) != 0) {
			fprintf(stderr, "cctsa cluster: %s is not built (%s)%s\n", bins[i], p,
				i == 0 ? ": the trusted core of issue 9 is missing" : "");
			return 0;
		}
	}
	return 1;
}

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void print_example(const cl_ctx *c)
{
	printf("\nCC-TSA cluster is up: %d nodes, threshold %d. Gateways: http://127.0.0.1:%u/ .. :%u/, "
	       "HTTPS (TLS 1.3) :%u .. :%u (CA %s/gateway-ca.pem)\n"
	       "Try it:\n"
	       "  echo hello > F\n"
	       "  openssl ts -query -data F -sha384 -cert -out q.tsq\n"
	       "  curl -s -H 'Content-Type: application/timestamp-query' --data-binary @q.tsq "
	       "http://127.0.0.1:%u/ -o r.tsr\n"
	       "  openssl ts -verify -in r.tsr -queryfile q.tsq -CAfile %s/ca-ecdsa.pem\n"
	       "  %s/cctsa verify --in r.tsr --query q.tsq --ca-ecdsa %s/ca-ecdsa.pem --ca-mldsa %s/ca-mldsa.pem"
	       "   # checks the ML-DSA half too\n"
	       "Health: curl -s http://127.0.0.1:%u/health   Metrics: /metrics   Status: cctsa cluster status --dir %s\n",
	       c->nodes, c->threshold, cl_http_port(c, 0), cl_http_port(c, c->nodes - 1), cl_https_port(c, 0),
	       cl_https_port(c, c->nodes - 1), c->dir, cl_http_port(c, 0), c->dir, c->bindir, c->dir, c->dir,
	       cl_http_port(c, 0),
	       c->dir);
	fflush(stdout);
}

static int gateway_ca(const cl_ctx *c)
{
	char d[CL_PATH], k[CL_PATH], p[CL_PATH];
	cctsa_diag diag;

	cctsa_diag_reset(&diag);
	if (!cl_path(d, "%s/gateway-ca", c->dir) || !cl_path(k, "%s/ca.key", d) || !cl_path(p, "%s/gateway-ca.pem", c->dir)) {
		return 0;
	}
	if (access(k, R_OK) == 0) {
		return 1;
	}
	if ((mkdir(d, 0700) != 0 && errno != EEXIST) || cl_pki_ca(k, p, "CC-TSA local gateway TLS CA", &diag) != CCTSA_OK) {
		fprintf(stderr, "cctsa cluster: gateway CA: %s\n", cctsa_diag_str(&diag, CCTSA_E_IO));
		return 0;
	}
	return 1;
}

static int start_cores(const cl_ctx *c)
{
	static const char *const waiting[] = {"waiting-for-dkg", NULL};
	int all[CL_MAX_NODES];

	for (int i = 0; i < c->nodes; i++) {
		all[i] = i;
		if (!cl_start_core(c, i)) {
			return 0;
		}
	}
	printf("cluster: %d cores started; waiting for attestation and time sync ...\n", c->nodes);
	fflush(stdout);
	return cl_wait_state(c, all, c->nodes, waiting, 180);
}

static int start_gateways(const cl_ctx *c, int only)
{
	for (int i = 0; i < c->nodes; i++) {
		if ((only < 0 || only == i) && !cl_start_gateway(c, i)) {
			return 0;
		}
	}
	return cl_wait_gateways(c, 30);
}

static int bring_up(cl_ctx *c)
{
	if (!check_binaries(c) || !cl_write_config(c) || !gateway_ca(c)) {
		return 0;
	}
	if (!cl_start_nts(c)) {
		return 0;
	}
	printf("cluster: 4 NTS servers (chronyd) on 127.0.0.1:%u..%u\n", cl_ntske_port(c, 0),
	       cl_ntske_port(c, CL_NTS - 1));
	return start_cores(c) && cl_ceremony(c, 0) && start_gateways(c, -1) && cl_timestamp_binding(c) &&
	       cl_write_endpoints(c);
}

/* Foreground: reports processes that die, stops everything on SIGINT/SIGTERM. */
static void supervise(const cl_ctx *c)
{
	int reported[CL_MAX_NODES] = {0};
	char pid[CL_PATH];

	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	while (!stop_requested) {
		cl_sleep(0.5);
		for (int i = 0; i < c->nodes; i++) {
			int alive = cl_path(pid, "%s/node-%d/core.pid", c->dir, i) && cl_pid_alive(pid, "cctsa-core") != 0;
			if (!alive && !reported[i]) {
				printf("cluster: node %d's core is not running (cctsa cluster start-node --dir %s --node %d)\n",
				       i, c->dir, i);
				fflush(stdout);
			}
			reported[i] = !alive;
		}
	}
	printf("\ncluster: stopping ...\n");
	cl_stop_all(c);
	printf("cluster: stopped\n");
}

static int cmd_up(const cl_opts *o)
{
	cl_ctx c;

	if (o->threshold > o->nodes || o->nodes > 10) {
		return cctsa_cli_usage(CMD, "need threshold <= nodes <= 10");
	}
	if (!make_ctx(&c, o)) {
		return CCTSA_EXIT_FAIL;
	}
	if (any_running(&c)) {
		return cctsa_cli_fail(CMD, "a cluster is already running in %s (cctsa cluster down --dir %s)", c.dir, c.dir);
	}
	if (o->foreground) {
		signal(SIGINT, on_stop);
		signal(SIGTERM, on_stop);
	}
	if (!bring_up(&c) || stop_requested) {
		fprintf(stderr, "cctsa cluster: up failed; stopping what was started (logs stay in %s)\n", c.dir);
		cl_stop_all(&c);
		return CCTSA_EXIT_FAIL;
	}
	print_example(&c);
	if (o->foreground) {
		supervise(&c);
	}
	return CCTSA_EXIT_OK;
}

static const char *cluster_state(int signing, int n, int t)
{
	if (signing >= n) {
		return "healthy";
	}
	if (signing > t) {
		return "degraded";
	}
	return signing == t ? "critical" : "unavailable";
}

static json_t *node_status(const cl_ctx *c, int i, int *signing)
{
	char sock[CL_PATH], pid[CL_PATH], gpid[CL_PATH], err[256];
	json_t *cmd = json_pack("{s:s}", "cmd", "status"), *ans = NULL, *o;
	const char *st;
	pid_t cp = 0, gp = 0;

	if (cl_path(sock, "%s/node-%d/control.sock", c->dir, i) && cl_path(pid, "%s/node-%d/core.pid", c->dir, i) &&
	    cl_path(gpid, "%s/node-%d/gateway.pid", c->dir, i)) {
		cp = cl_pid_alive(pid, "cctsa-core");
		gp = cl_pid_alive(gpid, "cctsa-gateway");
		if (cp != 0) {
			ans = cl_control(sock, cmd, 5, err, sizeof(err));
		}
	}
	json_decref(cmd);
	st = json_string_value(json_object_get(ans, "state"));
	if (st != NULL && (strcmp(st, "active") == 0 || strcmp(st, "degraded") == 0)) {
		(*signing)++;
	}
	o = json_pack("{s:i, s:b, s:i, s:b, s:i, s:s, s:i, s:i}", "node", i, "core_running", cp != 0, "core_pid", (int)cp,
		      "gateway_running", gp != 0, "gateway_pid", (int)gp, "state",
		      cp == 0 ? "stopped" : st != NULL ? st : "unreachable", "http_port", (int)cl_http_port(c, i),
		      "https_port", (int)cl_https_port(c, i));
	if (o != NULL && ans != NULL) {
		json_object_set(o, "core", ans);
	}
	json_decref(ans);
	return o;
}

static int cmd_status(const cl_opts *o)
{
	cl_ctx c;
	json_t *nodes = json_array(), *doc;
	int signing = 0, ok;

	if (!cl_load_ctx(&c, o->dir)) {
		return cctsa_cli_fail(CMD, "no cluster in %s (no readable cluster.json)", o->dir);
	}
	for (int i = 0; i < c.nodes; i++) {
		json_array_append_new(nodes, node_status(&c, i, &signing));
	}
	doc = json_pack("{s:s, s:i, s:i, s:s, s:i, s:o}", "dir", c.dir, "nodes_total", c.nodes, "threshold", c.threshold,
			"cluster_state", cluster_state(signing, c.nodes, c.threshold), "signing_nodes", signing, "nodes",
			nodes);
	ok = doc != NULL && json_dumpf(doc, stdout, JSON_INDENT(2)) == 0;
	json_decref(doc);
	printf("\n");
	return ok ? CCTSA_EXIT_OK : CCTSA_EXIT_FAIL;
}

static int cmd_stop_node(const cl_opts *o)
{
	cl_ctx c;

	if (!cl_load_ctx(&c, o->dir)) {
		return cctsa_cli_fail(CMD, "no cluster in %s (no readable cluster.json)", o->dir);
	}
	if (o->node < 0 || o->node >= c.nodes) {
		return cctsa_cli_usage(CMD, "stop-node needs --node 0..%d", c.nodes - 1);
	}
	cl_stop_node(&c, o->node);
	printf("cluster: node %d stopped (core shares wiped, gateway down)\n", o->node);
	return CCTSA_EXIT_OK;
}

static int count_states(const cl_ctx *c, const char *const *states, int *running)
{
	char sock[CL_PATH], pid[CL_PATH], err[256];
	int n = 0;

	*running = 0;
	for (int i = 0; i < c->nodes; i++) {
		json_t *cmd = json_pack("{s:s}", "cmd", "status"), *ans = NULL;
		if (cl_path(pid, "%s/node-%d/core.pid", c->dir, i) && cl_pid_alive(pid, "cctsa-core") != 0) {
			(*running)++;
			if (cl_path(sock, "%s/node-%d/control.sock", c->dir, i)) {
				ans = cl_control(sock, cmd, 5, err, sizeof(err));
			}
		}
		json_decref(cmd);
		for (const char *const *s = states; ans != NULL && *s != NULL; s++) {
			const char *st = json_string_value(json_object_get(ans, "state"));
			n += st != NULL && strcmp(st, *s) == 0;
		}
		json_decref(ans);
	}
	return n;
}

/* All N cores run and fewer than T sign: restart every core still holding old
 * (unusable) shares, then a new DKG, new certificates, a new binding record. */
static int rekey(cl_ctx *c)
{
	static const char *const waiting[] = {"waiting-for-dkg", NULL};
	int all[CL_MAX_NODES];

	for (int i = 0; i < c->nodes; i++) {
		static const char *const fresh[] = {"waiting-for-dkg", "booting", "attesting", "synchronizing", NULL};
		char sock[CL_PATH], err[256];
		json_t *cmd = json_pack("{s:s}", "cmd", "status"), *ans = NULL;
		const char *st;
		int restart = 1;

		all[i] = i;
		if (cl_path(sock, "%s/node-%d/control.sock", c->dir, i)) {
			ans = cl_control(sock, cmd, 5, err, sizeof(err));
		}
		json_decref(cmd);
		st = json_string_value(json_object_get(ans, "state"));
		for (const char *const *s = fresh; st != NULL && *s != NULL; s++) {
			restart &= strcmp(st, *s) != 0;
		}
		if (restart) {
			printf("cluster: node %d holds shares of the lost key (%s): restarting it\n", i, st != NULL ? st : "?");
		}
		json_decref(ans);
		if (restart) {
			cl_stop_node(c, i);
			if (!cl_start_core(c, i)) {
				return 0;
			}
		}
	}
	return cl_wait_state(c, all, c->nodes, waiting, 180) && cl_ceremony(c, 0);
}

static int cmd_start_node(const cl_opts *o)
{
	static const char *const signing[] = {"active", "degraded", NULL};
	static const char *const up[] = {"waiting-for-dkg", "active", "degraded", "halted", NULL};
	cl_ctx c;
	int running, n_sign, me[1];
	char pid[CL_PATH];

	if (!cl_load_ctx(&c, o->dir)) {
		return cctsa_cli_fail(CMD, "no cluster in %s (no readable cluster.json)", o->dir);
	}
	if (o->node < 0 || o->node >= c.nodes) {
		return cctsa_cli_usage(CMD, "start-node needs --node 0..%d", c.nodes - 1);
	}
	me[0] = o->node;
	if (cl_path(pid, "%s/node-%d/core.pid", c.dir, o->node) && cl_pid_alive(pid, "cctsa-core") != 0) {
		return cctsa_cli_fail(CMD, "node %d is already running", o->node);
	}
	if (!cl_start_core(&c, o->node) || !cl_wait_state(&c, me, 1, up, 180)) {
		return CCTSA_EXIT_FAIL;
	}
	n_sign = count_states(&c, signing, &running);
	if (n_sign >= c.threshold) {
		printf("cluster: node %d is back without shares; %d nodes still hold the key. Share\n"
		       "redistribution (same key) is not offered by the core: the node stays out of\n"
		       "signing until the next DKG (cctsa cluster down, then up).\n", o->node, n_sign);
		return start_gateways(&c, o->node) ? CCTSA_EXIT_OK : CCTSA_EXIT_FAIL;
	}
	if (running < c.nodes) {
		printf("cluster: node %d is up; %d of %d cores running, quorum lost: the new DKG runs once all "
		       "%d are back\n", o->node, running, c.nodes, c.nodes);
		return CCTSA_EXIT_OK;
	}
	printf("cluster: all %d cores are back after a quorum loss: new DKG ceremony\n", c.nodes);
	if (!rekey(&c)) {
		return CCTSA_EXIT_FAIL;
	}
	for (int i = 0; i < c.nodes; i++) { /* gateways of restarted nodes */
		if (cl_path(pid, "%s/node-%d/gateway.pid", c.dir, i) && cl_pid_alive(pid, "cctsa-gateway") == 0 &&
		    !cl_start_gateway(&c, i)) {
			return CCTSA_EXIT_FAIL;
		}
	}
	return cl_wait_gateways(&c, 30) && cl_timestamp_binding(&c) && cl_write_endpoints(&c) ? CCTSA_EXIT_OK
												: CCTSA_EXIT_FAIL;
}

static int cmd_down(const cl_opts *o)
{
	cl_ctx c;

	if (!cl_load_ctx(&c, o->dir)) {
		return cctsa_cli_fail(CMD, "no cluster in %s (no readable cluster.json)", o->dir);
	}
	cl_stop_all(&c);
	printf("cluster: stopped (%s keeps the logs, audit logs and certificates)\n", c.dir);
	return CCTSA_EXIT_OK;
}

int cctsa_cli_cluster(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const cl_opts *);
	} subs[] = {{"up", cmd_up},
		    {"status", cmd_status},
		    {"stop-node", cmd_stop_node},
		    {"start-node", cmd_start_node},
		    {"down", cmd_down}};
	cl_opts o;

	if (argc < 2 || cctsa_cli_wants_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CCTSA_EXIT_USAGE : CCTSA_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			if (!parse(argc, argv, &o)) {
				usage(stderr);
				return CCTSA_EXIT_USAGE;
			}
			signal(SIGPIPE, SIG_IGN);
			return subs[i].fn(&o);
		}
	}
	usage(stderr);
	return CCTSA_EXIT_USAGE;
}
