/*
 * net interop: OpenSSL's own client (`openssl s_client`) against a mesh node's
 * peer port. Checks, from an independent TLS stack, what net.h promises of the
 * channel: TLS 1.2 is refused; TLS 1.3 without a client certificate is refused
 * ("peer did not return a certificate"); with a certificate the handshake is
 * TLS 1.3, the node proves an ECDSA P-384 key and presents its self-signed
 * "cctsa-core peer (attested)" certificate; and nothing is accepted until the
 * attestation step (the client sends none, so no peer ever comes up).
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cctsa/net.h"
#include "check.h"

typedef struct {
	struct event_base *base;
	pid_t child;
	int status;
	int done;
	unsigned tls_refusals, ups;
	char last[CCTSA_DIAG_MAX];
} ctx_t;

static ctx_t g;

static void on_message(void *ctx, unsigned peer, uint8_t type, const uint8_t *p, size_t len)
{
	(void)ctx, (void)peer, (void)type, (void)p, (void)len;
	CHECK(0);
}

static void on_up(void *ctx, unsigned peer, const cctsa_net_peer_info *info)
{
	(void)ctx, (void)peer, (void)info;
	g.ups++;
}

static void on_refused(void *ctx, int peer, const cctsa_net_refusal *why)
{
	(void)ctx;
	(void)peer;
	if (why->reason == CCTSA_NET_REFUSE_TLS) {
		g.tls_refusals++;
		snprintf(g.last, sizeof(g.last), "%s", why->diag.msg);
	}
}

static cctsa_err report_fn(void *ctx, uint8_t out[static CCTSA_SNP_REPORT_LEN],
			   const uint8_t rd[static CCTSA_SNP_REPORT_DATA_LEN], cctsa_diag *diag)
{
	return cctsa_snp_sim_report(ctx, out, rd, 0, diag);
}

/* Polls the child from the event loop (the loop must keep serving the node). */
static void poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = {0, 20000};
	pid_t r;

	(void)fd;
	(void)what;
	(void)arg;
	r = waitpid(g.child, &g.status, WNOHANG);
	CHECK(r >= 0);
	if (r == g.child) {
		g.done = 1;
		event_base_loopexit(g.base, NULL);
		return;
	}
	(void)event_base_once(g.base, -1, EV_TIMEOUT, poll_cb, NULL, &tv);
}

/* Runs `sh -c cmd` (stdin /dev/null, output to out) while the node serves. */
static int run(const char *cmd, const char *out)
{
	struct timeval now = {0, 0};

	g.done = 0;
	(void)fflush(stdout);
	(void)fflush(stderr);
	g.child = fork();
	CHECK(g.child >= 0);
	if (g.child == 0) {
		FILE *f = freopen(out, "w", stdout);

		if (f == NULL || dup2(fileno(stdout), 2) < 0 || freopen("/dev/null", "r", stdin) == NULL) {
			_exit(127);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	CHECK(event_base_once(g.base, -1, EV_TIMEOUT, poll_cb, NULL, &now) == 0);
	while (!g.done) {
		CHECK(event_base_dispatch(g.base) == 0);
	}
	return WIFEXITED(g.status) ? WEXITSTATUS(g.status) : -1;
}

static int file_has(const char *path, const char *needle)
{
	cctsa_buf b;
	int found;

	CHECK_OK(cctsa_file_read(&b, path, 1 << 20, NULL));
	CHECK_OK(cctsa_buf_put_u8(&b, 0));
	found = strstr((const char *)b.data, needle) != NULL;
	if (!found) {
		fprintf(stderr, "--- %s lacks \"%s\":\n%s\n", path, needle, (const char *)b.data);
	}
	cctsa_buf_free(&b);
	return found;
}

int main(void)
{
	cctsa_snp_sim_opts o;
	cctsa_snp_sim *sim = NULL;
	cctsa_net_mesh_config cfg;
	cctsa_net_mesh *m = NULL;
	char dir[] = "/tmp/cctsa-net-interop-XXXXXX";
	char cmd[2048], out[64], key[64], crt[64];
	unsigned port;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(crt, sizeof(crt), "%s/crt.pem", dir);
	g.base = event_base_new();
	CHECK(g.base != NULL);
	cctsa_snp_sim_opts_init(&o);
	o.rsa_bits = 2048;
	CHECK_OK(cctsa_snp_sim_new(&sim, &o, NULL));
	memset(&cfg, 0, sizeof(cfg));
	cfg.id = 1;
	cfg.n = 2;
	cfg.nodes[0].host = cfg.nodes[1].host = "127.0.0.1";
	memcpy(cfg.verifier.measurement, o.measurement, 48);
	cfg.verifier.allow_simulated = 1;
	cfg.report = report_fn;
	cfg.report_ctx = sim;
	cctsa_snp_sim_chain(sim, &cfg.chain);
	cfg.cb = (cctsa_net_mesh_callbacks){NULL, on_message, on_up, NULL, on_refused};
	CHECK_OK(cctsa_net_mesh_new(&m, g.base, &cfg, NULL));
	port = cctsa_net_mesh_port(m);

	/* TLS 1.2: refused by the node */
	snprintf(cmd, sizeof(cmd), "openssl s_client -connect 127.0.0.1:%u -tls1_2 -brief", port);
	CHECK(run(cmd, out) != 0);
	CHECK(g.tls_refusals == 1 && strstr(g.last, "unsupported protocol") != NULL);
	printf("net interop: TLS 1.2 refused: %s\n", g.last);

	/* TLS 1.3 without a client certificate: refused by the node */
	snprintf(cmd, sizeof(cmd), "openssl s_client -connect 127.0.0.1:%u -tls1_3 -brief", port);
	(void)run(cmd, out);
	CHECK(g.tls_refusals == 2 && strstr(g.last, "certificate") != NULL);
	printf("net interop: no client certificate refused: %s\n", g.last);

	/* TLS 1.3 with a (P-384) client certificate: the node's side of the handshake */
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -subj /CN=interop "
		 "-days 1 -keyout %s -out %s && openssl s_client -connect 127.0.0.1:%u -tls1_3 -cert %s "
		 "-key %s -showcerts",
		 key, crt, port, crt, key);
	CHECK(run(cmd, out) == 0);
	CHECK(file_has(out, "TLSv1.3"));
	CHECK(file_has(out, "Peer signature type: ECDSA"));
	CHECK(file_has(out, "Server public key is 384 bit"));
	CHECK(file_has(out, "CN = cctsa-core peer (attested)"));
	CHECK(g.tls_refusals == 2 && g.ups == 0);
	printf("net interop: openssl s_client: TLS 1.3, ECDSA P-384 node key, self-signed peer certificate\n");

	cctsa_net_mesh_free(m);
	cctsa_snp_sim_free(sim);
	event_base_free(g.base);
	(void)unlink(out);
	(void)unlink(key);
	(void)unlink(crt);
	(void)rmdir(dir);
	return 0;
}
