/* The steps of `cctsa cluster up` (CLUSTER.md): configuration, NTS servers, cores,
 * the DKG ceremony with the offline CA, gateways, the timestamped binding record.
 * Nothing is simulated here: a step that cannot be done fails with its reason. */
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cctsa/tsp.h"
#include "cli/cluster_int.h"

#define POLICY_DEFAULT "1.3.6.1.4.1.32473.1.4"
#define POLICY_PQ "1.3.6.1.4.1.32473.1.3"

static json_t *cl_peers(const cl_ctx *c)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && i < c->nodes; i++) {
		json_array_append_new(a, json_pack("{s:i, s:s, s:i}", "id", i, "host", "127.0.0.1", "port",
						   (int)cl_peer_port(c, i)));
	}
	return a;
}

static json_t *cl_gateways(const cl_ctx *c)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && i < c->nodes; i++) {
		json_array_append_new(a, json_pack("{s:i, s:s, s:i, s:i}", "id", i, "host", "127.0.0.1", "http_port",
						   (int)cl_http_port(c, i), "https_port", (int)cl_https_port(c, i)));
	}
	return a;
}

static json_t *cl_nts(const cl_ctx *c)
{
	json_t *a = json_array();
	char ca[CL_PATH];

	if (!cl_path(ca, "%s/nts/ca.pem", c->dir)) {
		json_decref(a);
		return NULL;
	}
	for (int k = 0; a != NULL && k < CL_NTS; k++) {
		json_array_append_new(a, json_pack("{s:s, s:i, s:s}", "host", "127.0.0.1", "port",
						   (int)cl_ntske_port(c, k), "ca", ca));
	}
	return a;
}

int cl_write_config(const cl_ctx *c)
{
	char path[CL_PATH], sim[CL_PATH];
	json_t *doc;
	int ok;

	if (!cl_path(path, "%s/cluster.json", c->dir) || !cl_path(sim, "%s/sim", c->dir)) {
		return 0;
	}
	doc = json_pack("{s:i, s:i, s:i, s:s, s:i, s:o, s:o, s:o, s:{s:s, s:s, s:s}, s:{s:i, s:i},"
			" s:{s:s, s:s, s:[s, s]}, s:i, s:s, s:{s:i, s:i, s:i}}",
			"version", 1, "nodes", c->nodes, "threshold", c->threshold, "dir", c->dir, "base_port",
			(int)c->port, "peers", cl_peers(c), "nts", cl_nts(c), "gateways", cl_gateways(c),
			"attestation", "provider", "sim", "min_tcb", "0", "sim_chain_dir", sim, "time",
			"tolerance_ms", 100, "holdover_s", 600, "policy", "default", POLICY_DEFAULT, "pq",
			POLICY_PQ, "allowed", POLICY_DEFAULT, POLICY_PQ, "mldsa_attempt_budget", 100000,
			"tsa_name", "CN=CC-TSA local cluster,O=CC-TSA", "gateway", "rate_per_s", 200, "burst", 400,
			"max_inflight", 8);
	ok = doc != NULL && json_dump_file(doc, path, JSON_INDENT(2) | JSON_SORT_KEYS) == 0;
	json_decref(doc);
	if (ok) {
		ok = mkdir(sim, 0755) == 0 || errno == EEXIST;
	}
	return ok;
}

static int chronyd_conf(const cl_ctx *c, int k, const char *dir, const char *user)
{
	char path[CL_PATH];
	FILE *f;

	if (!cl_path(path, "%s/chrony.conf", dir) || (f = fopen(path, "w")) == NULL) {
		return 0;
	}
	fprintf(f, "port %u\nntsport %u\nbindaddress 127.0.0.1\nntsserverkey %s/nts/server.key\n"
		   "ntsservercert %s/nts/server.pem\nntsdumpdir %s\npidfile %s/chronyd.pid\n"
		   "driftfile %s/drift\ncmdport 0\nntsprocesses 0\nlocal stratum 1\nallow 127.0.0.1\n"
		   "# user %s\n",
		cl_ntp_port(c, k), cl_ntske_port(c, k), c->dir, c->dir, dir, dir, dir, user);
	return fclose(f) == 0;
}

static const char *chronyd_path(void)
{
	static const char *const paths[] = {"/usr/sbin/chronyd", "/usr/bin/chronyd", "/sbin/chronyd"};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (access(paths[i], X_OK) == 0) {
			return paths[i];
		}
	}
	return NULL;
}

/* Four chronyd NTS servers on loopback (no clock control: -x), their own CA. */
int cl_start_nts(const cl_ctx *c)
{
	char dir[CL_PATH], conf[CL_PATH], log[CL_PATH], pid[CL_PATH], a[CL_PATH], b[CL_PATH], d[CL_PATH];
	const char *chronyd = chronyd_path();
	struct passwd *pw = getpwuid(geteuid());
	cctsa_diag diag;

	cctsa_diag_reset(&diag);
	if (chronyd == NULL || pw == NULL) {
		fprintf(stderr, "cctsa cluster: chronyd is not installed (needed for the NTS servers)\n");
		return 0;
	}
	if (!cl_path(dir, "%s/nts", c->dir) || (mkdir(dir, 0755) != 0 && errno != EEXIST) ||
	    !cl_path(a, "%s/ca.key", dir) || !cl_path(b, "%s/ca.pem", dir) || !cl_path(conf, "%s/server.key", dir) ||
	    !cl_path(d, "%s/server.pem", dir) || cl_pki_ca(a, b, "CC-TSA local NTS CA", &diag) != CCTSA_OK ||
	    cl_pki_leaf(a, b, conf, d, "localhost", &diag) != CCTSA_OK) {
		fprintf(stderr, "cctsa cluster: NTS certificates: %s\n", cctsa_diag_str(&diag, CCTSA_E_IO));
		return 0;
	}
	for (int k = 0; k < CL_NTS; k++) {
		if (!cl_path(dir, "%s/nts/%d", c->dir, k) || (mkdir(dir, 0700) != 0 && errno != EEXIST) ||
		    !chronyd_conf(c, k, dir, pw->pw_name) || !cl_path(conf, "%s/chrony.conf", dir) ||
		    !cl_path(log, "%s/chronyd.log", dir) || !cl_path(pid, "%s/spawn.pid", dir)) {
			return 0;
		}
		char *argv[] = {(char *)(uintptr_t)chronyd, "-x", "-d", "-f", conf, "-u", pw->pw_name, NULL};
		if (cl_spawn(argv, log, pid) < 0) {
			return 0;
		}
	}
	return 1;
}

int cl_start_core(const cl_ctx *c, int i)
{
	char bin[CL_PATH], cfg[CL_PATH], dir[CL_PATH], log[CL_PATH], pid[CL_PATH], node[16];

	snprintf(node, sizeof(node), "%d", i);
	if (!cl_path(bin, "%s/cctsa-core", c->bindir) || !cl_path(cfg, "%s/cluster.json", c->dir) ||
	    !cl_path(dir, "%s/node-%d", c->dir, i) || !cl_path(log, "%s/core.log", dir) ||
	    !cl_path(pid, "%s/core.pid", dir)) {
		return 0;
	}
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "cctsa cluster: %s is not built: the trusted core (issue 9) is missing\n", bin);
		return 0;
	}
	if (mkdir(dir, geteuid() == 0 ? 0711 : 0700) != 0 && errno != EEXIST) {
		return 0;
	}
	char *argv[] = {bin, "--config", cfg, "--node", node, NULL};
	return cl_spawn(argv, log, pid) > 0;
}

/* As root the gateway drops to `nobody`: let that group reach the core socket. */
static void open_core_socket(const cl_ctx *c, int i)
{
	char sock[CL_PATH];
	struct passwd *pw;

	if (c->user == NULL || (pw = getpwnam(c->user)) == NULL || !cl_path(sock, "%s/node-%d/core.sock", c->dir, i)) {
		return;
	}
	for (int t = 0; t < 100 && access(sock, F_OK) != 0; t++) {
		cl_sleep(0.1);
	}
	if (chown(sock, (uid_t)-1, pw->pw_gid) != 0 || chmod(sock, 0660) != 0) {
		fprintf(stderr, "cctsa cluster: cannot open %s to group of %s: %s\n", sock, c->user, strerror(errno));
	}
}

int cl_start_gateway(const cl_ctx *c, int i)
{
	char bin[CL_PATH], cfg[CL_PATH], dir[CL_PATH], log[CL_PATH], pid[CL_PATH], key[CL_PATH], pem[CL_PATH];
	char cak[CL_PATH], cap[CL_PATH], node[16];
	cctsa_diag diag;

	cctsa_diag_reset(&diag);
	snprintf(node, sizeof(node), "%d", i);
	if (!cl_path(bin, "%s/cctsa-gateway", c->bindir) || !cl_path(cfg, "%s/cluster.json", c->dir) ||
	    !cl_path(dir, "%s/node-%d", c->dir, i) || !cl_path(log, "%s/gateway.log", dir) ||
	    !cl_path(pid, "%s/gateway.pid", dir) || !cl_path(key, "%s/gateway.key", dir) ||
	    !cl_path(pem, "%s/gateway.pem", dir) || !cl_path(cak, "%s/gateway-ca/ca.key", c->dir) ||
	    !cl_path(cap, "%s/gateway-ca.pem", c->dir)) {
		return 0;
	}
	if (access(key, R_OK) != 0 && cl_pki_leaf(cak, cap, key, pem, "localhost", &diag) != CCTSA_OK) {
		fprintf(stderr, "cctsa cluster: gateway certificate: %s\n", cctsa_diag_str(&diag, CCTSA_E_IO));
		return 0;
	}
	open_core_socket(c, i);
	if (c->user != NULL) {
		char *argv[] = {bin, "--config", cfg, "--node", node, "--user", (char *)(uintptr_t)c->user, NULL};
		return cl_spawn(argv, log, pid) > 0;
	}
	char *argv[] = {bin, "--config", cfg, "--node", node, NULL};
	return cl_spawn(argv, log, pid) > 0;
}

static int state_in(const char *st, const char *const *states)
{
	for (; *states != NULL; states++) {
		if (st != NULL && strcmp(st, *states) == 0) {
			return 1;
		}
	}
	return 0;
}

/* One node: 1 if in one of states, 0 not yet, -1 the core died or failed. */
static int node_state(const cl_ctx *c, int i, const char *const *states, char *seen, size_t seenlen)
{
	char sock[CL_PATH], pid[CL_PATH], err[256];
	json_t *cmd, *ans;
	const char *st;
	int r = 0;

	if (!cl_path(sock, "%s/node-%d/control.sock", c->dir, i) || !cl_path(pid, "%s/node-%d/core.pid", c->dir, i)) {
		return -1;
	}
	if (cl_pid_alive(pid, "cctsa-core") == 0) {
		snprintf(seen, seenlen, "not running");
		return -1;
	}
	cmd = json_pack("{s:s}", "cmd", "status");
	ans = cl_control(sock, cmd, 5, err, sizeof(err));
	json_decref(cmd);
	if (ans == NULL) {
		snprintf(seen, seenlen, "%s", err);
		return 0;
	}
	st = json_string_value(json_object_get(ans, "state"));
	snprintf(seen, seenlen, "%s", st != NULL ? st : "(no state)");
	if (state_in(st, states)) {
		r = 1;
	} else if (st != NULL && strcmp(st, "failed") == 0) {
		r = -1;
	}
	json_decref(ans);
	return r;
}

int cl_wait_state(const cl_ctx *c, const int *nodes, int n, const char *const *states, double timeout_s)
{
	double end = cl_now() + timeout_s;
	char seen[256], log[CL_PATH];

	for (int k = 0; k < n; k++) {
		int r;

		while ((r = node_state(c, nodes[k], states, seen, sizeof(seen))) == 0 && cl_now() < end) {
			cl_sleep(0.2);
		}
		if (r != 1) {
			fprintf(stderr, "cctsa cluster: node %d did not reach %s%s (%s)\n", nodes[k], states[0],
				states[1] != NULL ? "/..." : "", r < 0 ? seen : seen[0] != '\0' ? seen : "timeout");
			if (cl_path(log, "%s/node-%d/core.log", c->dir, nodes[k])) {
				cl_tail(log, 15);
			}
			return 0;
		}
	}
	return 1;
}

/* Until every node reports all others in peers_attested (the attested mesh is complete). */
int cl_wait_mesh(const cl_ctx *c, double timeout_s)
{
	double end = cl_now() + timeout_s;
	char sock[CL_PATH], err[256];

	for (int i = 0; i < c->nodes; i++) {
		size_t seen = 0;

		while (cl_path(sock, "%s/node-%d/control.sock", c->dir, i)) {
			json_t *cmd = json_pack("{s:s}", "cmd", "status");
			json_t *ans = cl_control(sock, cmd, 5, err, sizeof(err));

			json_decref(cmd);
			seen = json_array_size(json_object_get(ans, "peers_attested"));
			json_decref(ans);
			if (seen + 1 >= (size_t)c->nodes || cl_now() >= end) {
				break;
			}
			cl_sleep(0.3);
		}
		if (seen + 1 < (size_t)c->nodes) {
			fprintf(stderr, "cctsa cluster: node %d sees %zu of %d peers attested\n", i, seen, c->nodes - 1);
			return 0;
		}
	}
	return 1;
}

int cl_wait_gateways(const cl_ctx *c, double timeout_s)
{
	double end = cl_now() + timeout_s;
	char pid[CL_PATH], log[CL_PATH];

	for (int i = 0; i < c->nodes; i++) {
		int code = -1;

		while (cl_now() < end) {
			code = cl_http(cl_http_port(c, i), "GET", "/health", NULL, NULL, 0, NULL, 5);
			if (code == 200 || !cl_path(pid, "%s/node-%d/gateway.pid", c->dir, i) ||
			    cl_pid_alive(pid, "cctsa-gateway") == 0) {
				break;
			}
			cl_sleep(0.2);
		}
		if (code != 200) {
			fprintf(stderr, "cctsa cluster: gateway %d is not healthy (HTTP %d)\n", i, code);
			if (cl_path(log, "%s/node-%d/gateway.log", c->dir, i)) {
				cl_tail(log, 15);
			}
			return 0;
		}
	}
	return 1;
}

void cl_stop_node(const cl_ctx *c, int i)
{
	char sock[CL_PATH], pid[CL_PATH], gpid[CL_PATH], err[256];
	json_t *cmd, *ans;

	if (!cl_path(sock, "%s/node-%d/control.sock", c->dir, i) || !cl_path(pid, "%s/node-%d/core.pid", c->dir, i) ||
	    !cl_path(gpid, "%s/node-%d/gateway.pid", c->dir, i)) {
		return;
	}
	cl_stop_pid(gpid, "cctsa-gateway", 5);
	if (cl_pid_alive(pid, "cctsa-core") != 0) {
		cmd = json_pack("{s:s}", "cmd", "shutdown"); /* wipes the shares, then exits */
		ans = cl_control(sock, cmd, 5, err, sizeof(err));
		json_decref(cmd);
		json_decref(ans);
	}
	cl_stop_pid(pid, "cctsa-core", 10);
}

void cl_stop_all(const cl_ctx *c)
{
	char pid[CL_PATH];

	for (int i = 0; i < c->nodes; i++) {
		cl_stop_node(c, i);
	}
	for (int k = 0; k < CL_NTS; k++) {
		if (cl_path(pid, "%s/nts/%d/spawn.pid", c->dir, k)) {
			cl_stop_pid(pid, "chronyd", 5);
		}
	}
}

int cl_load_ctx(cl_ctx *c, const char *dir)
{
	char path[CL_PATH], exe[CL_PATH];
	json_t *doc;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	memset(c, 0, sizeof(*c));
	if (n <= 0 || realpath(dir, c->dir) == NULL || !cl_path(path, "%s/cluster.json", c->dir)) {
		return 0;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	*slash = '\0';
	snprintf(c->bindir, sizeof(c->bindir), "%s", exe);
	doc = json_load_file(path, 0, NULL);
	if (doc == NULL || json_unpack(doc, "{s:i, s:i, s:i}", "nodes", &c->nodes, "threshold", &c->threshold,
				       "base_port", (int *)&c->port) != 0 ||
	    c->nodes < 1 || c->nodes > CL_MAX_NODES) {
		json_decref(doc);
		return 0;
	}
	json_decref(doc);
	c->user = geteuid() == 0 ? "nobody" : NULL;
	return 1;
}
