/*
 * cctsa-gateway: the untrusted HTTP front (DESIGN.md §1).
 *   cctsa-gateway --config DIR/cluster.json --node I [--user NAME]
 *     the gateway of node I: HTTP and HTTPS (TLS 1.3) on the ports of cluster.json,
 *     backed by the local core over DIR/node-I/core.sock;
 *   cctsa-gateway --keys DIR [...]
 *     the test-only file-key mode (the `cctsa testpki` layout): it signs in-process
 *     with local keys and says so on /health. It never pretends to be a cluster.
 */
#include <event2/event.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cctsa/gateway.h"

static cctsa_err file_key_issue(void *ctx, cctsa_buf *resp, const cctsa_tsp_req *req, int pq,
				cctsa_diag *diag)
{
	return cctsa_tsp_local_respond(ctx, resp, req, pq, 0, diag);
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopexit(arg, NULL);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: cctsa-gateway --config DIR/cluster.json --node I [--port-file FILE] [--user NAME]\n"
		   "       cctsa-gateway --keys DIR [--listen ADDR] [--port N] [--port-file FILE] [--user NAME]\n"
		   "  --config FILE     cluster mode: the gateway of node I (HTTP, HTTPS, core socket from FILE)\n"
		   "  --node I          node index in the cluster configuration\n"
		   "  --keys DIR        test-only file-key mode: sign with DIR/tsa-*.key (cctsa testpki)\n"
		   "  --listen ADDR     address to bind (default 127.0.0.1)\n"
		   "  --port N          TCP port (default 8318; 0 = any free port)\n"
		   "  --port-file FILE  write the bound port to FILE once listening\n"
		   "  --user NAME       drop to this user after binding, before serving any request\n"
		   "Serves POST / /tsa /tsa/pq (application/timestamp-query), GET /health /metrics\n"
		   "/attestation /binding /certs.\n");
}

static int write_port(const char *path, uint16_t port)
{
	char text[16];
	int n = snprintf(text, sizeof(text), "%u\n", (unsigned)port);

	return cctsa_file_write(path, (const uint8_t *)text, (size_t)n, 0644, 0, NULL) == CCTSA_OK;
}

/* Drops to user's uid/gid (no supplementary groups) for good; refuses to continue otherwise. */
static int drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL || setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		cctsa_log_err("cannot drop privileges to user '%s'", user);
		return 0;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		cctsa_log_err("privileges could be regained after dropping them");
		return 0;
	}
	return 1;
}

typedef struct {
	const char *keys, *addr, *port_file, *user, *config;
	unsigned long port;
	long node;
} gw_opts;

/* Signals, port file, privilege drop, then the event loop until SIGINT/SIGTERM. */
static int run_loop(struct event_base *base, cctsa_gateway *gw, const gw_opts *o, const char *banner)
{
	struct event *sigint = evsignal_new(base, SIGINT, on_signal, base);
	struct event *sigterm = evsignal_new(base, SIGTERM, on_signal, base);
	int rc = 1;

	if (sigint == NULL || sigterm == NULL || evsignal_add(sigint, NULL) != 0 ||
	    evsignal_add(sigterm, NULL) != 0) {
		goto out;
	}
	if (o->port_file != NULL && !write_port(o->port_file, cctsa_gateway_port(gw))) {
		cctsa_log_err("cannot write %s", o->port_file);
		goto out;
	}
	if (o->user != NULL ? !drop_privileges(o->user) : geteuid() == 0) {
		if (o->user == NULL) {
			cctsa_log_err("refusing to serve as root: pass --user NAME");
		}
		goto out;
	}
	cctsa_log_warn("%s", banner);
	event_base_dispatch(base);
	rc = 0;
out:
	if (sigint != NULL) {
		event_free(sigint);
	}
	if (sigterm != NULL) {
		event_free(sigterm);
	}
	return rc;
}

static int serve_keys(struct event_base *base, const gw_opts *o)
{
	cctsa_tsp_local *local = NULL;
	cctsa_gateway *gw = NULL;
	cctsa_gateway_config cfg = {0};
	cctsa_diag diag;
	char banner[1200];
	int rc = 1;

	cctsa_diag_reset(&diag);
	if (cctsa_tsp_local_load(&local, o->keys, &diag) != CCTSA_OK) {
		cctsa_log_err("cannot load file keys from %s: %s", o->keys, cctsa_diag_str(&diag, CCTSA_E_IO));
		goto out;
	}
	cfg.address = o->addr;
	cfg.port = (uint16_t)o->port;
	cfg.issue = file_key_issue;
	cfg.issue_ctx = local;
	cfg.backend = "file-keys (TEST MODE: local keys in the gateway process, no threshold, no trusted time)";
	if (cctsa_gateway_new(&gw, base, &cfg, &diag) != CCTSA_OK) {
		cctsa_log_err("%s", cctsa_diag_str(&diag, CCTSA_E_IO));
		goto out;
	}
	snprintf(banner, sizeof(banner), "TEST MODE: serving file keys from %s on %s:%u", o->keys, o->addr,
		 (unsigned)cctsa_gateway_port(gw));
	rc = run_loop(base, gw, o, banner);
out:
	cctsa_gateway_free(gw);
	cctsa_tsp_local_free(local);
	return rc;
}

/* Cluster mode: the local core of node N behind HTTP and HTTPS (cluster.json). */
static int serve_cluster(struct event_base *base, const gw_opts *o)
{
	cctsa_gateway_cluster cl;
	cctsa_gateway_core *core = NULL;
	cctsa_gateway *gw = NULL;
	cctsa_gateway_config cfg = {0};
	cctsa_diag diag;
	char banner[1400];
	int rc = 1;

	cctsa_diag_reset(&diag);
	if (cctsa_gateway_cluster_load(&cl, o->config, (int)o->node, &diag) != CCTSA_OK ||
	    cctsa_gateway_core_new(&core, base, cl.core_sock, &diag) != CCTSA_OK) {
		cctsa_log_err("%s", cctsa_diag_str(&diag, CCTSA_E_IO));
		goto out;
	}
	cfg.address = cl.address;
	cfg.port = cl.http_port;
	cfg.tls_port = cl.https_port;
	cfg.tls_cert = cl.tls_cert;
	cfg.tls_key = cl.tls_key;
	cfg.rate_per_s = cl.rate_per_s;
	cfg.burst = cl.burst;
	cfg.max_inflight = cl.max_inflight;
	cfg.node_id = cl.node;
	cfg.backend = "core";
	cctsa_gateway_core_backend(core, &cfg.async);
	if (cctsa_gateway_new(&gw, base, &cfg, &diag) != CCTSA_OK) {
		cctsa_log_err("%s", cctsa_diag_str(&diag, CCTSA_E_IO));
		goto out;
	}
	snprintf(banner, sizeof(banner), "node %d: HTTP %s:%u, HTTPS (TLS 1.3) %s:%u, core %s", cl.node,
		 cl.address, (unsigned)cctsa_gateway_port(gw), cl.address, (unsigned)cctsa_gateway_tls_port(gw),
		 cl.core_sock);
	rc = run_loop(base, gw, o, banner);
out:
	cctsa_gateway_free(gw);
	cctsa_gateway_core_free(core);
	return rc;
}

static int serve(const gw_opts *o)
{
	struct event_base *base = event_base_new();
	int rc;

	if (base == NULL) {
		return 1;
	}
	rc = o->config != NULL ? serve_cluster(base, o) : serve_keys(base, o);
	event_base_free(base);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"keys", required_argument, NULL, 'k'},
					     {"listen", required_argument, NULL, 'l'},
					     {"port", required_argument, NULL, 'p'},
					     {"port-file", required_argument, NULL, 'f'},
					     {"user", required_argument, NULL, 'u'},
					     {"config", required_argument, NULL, 'c'},
					     {"node", required_argument, NULL, 'n'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	gw_opts o = {NULL, "127.0.0.1", NULL, NULL, NULL, 8318, -1};
	char *end;
	int c;

	cctsa_log_setup(CCTSA_LOG_INFO, "cctsa-gateway");
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': o.keys = optarg; break;
		case 'l': o.addr = optarg; break;
		case 'f': o.port_file = optarg; break;
		case 'u': o.user = optarg; break;
		case 'c': o.config = optarg; break;
		case 'n':
			o.node = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o.node < 0 || o.node > 63) {
				fprintf(stderr, "cctsa-gateway: bad --node '%s'\n", optarg);
				return 2;
			}
			break;
		case 'p':
			o.port = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o.port > 65535) {
				fprintf(stderr, "cctsa-gateway: bad --port '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if ((o.keys == NULL) == (o.config == NULL) || (o.config != NULL) != (o.node >= 0)) {
		fprintf(stderr, "cctsa-gateway: give either --config FILE --node I or --keys DIR\n");
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (cctsa_process_harden() != CCTSA_OK) { /* file keys (test mode), TLS key */
		fprintf(stderr, "cctsa-gateway: cannot make the process non-dumpable\n");
		return 1;
	}
	return serve(&o);
}
