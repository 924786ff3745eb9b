/*
 * core daemon: `cctsa-core --config DIR/cluster.json --node I`. Hardens the
 * process, attests (sim: measurement = SHA-384(SHA-384(binary) || SHA-384(config))),
 * disciplines its clock from the NTS sources of cluster.json, joins the attested
 * peer mesh, serves the gateway socket and the control socket, all on one libevent
 * loop. Key shares exist only inside the cctsa_core object: a stopped core loses
 * them. Logs carry states, peers, refusals and counts, never secrets.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "daemon_int.h"

#define NTS_PERIOD_S 16
#define NTS_RETRY_S 2

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static cctsa_err clock_now(void *ctx, int64_t *ms, uint32_t *bound)
{
	daemon_t *d = ctx;
	cctsa_clock_reading r;

	if (d->clk == NULL || cctsa_clock_now(d->clk, &r) != CCTSA_OK) {
		return CCTSA_E_STATE;
	}
	*ms = r.utc_ns / 1000000;
	*bound = (uint32_t)((r.accuracy_ns + 999999) / 1000000);
	return CCTSA_OK;
}

static cctsa_err mesh_send(void *ctx, unsigned peer, uint8_t type, const uint8_t *p, size_t len)
{
	daemon_t *d = ctx;
	cctsa_diag diag;

	cctsa_diag_reset(&diag);
	if (d->mesh == NULL || cctsa_net_mesh_send(d->mesh, peer, type, p, len, &diag) != CCTSA_OK) {
		return CCTSA_E_IO;
	}
	return CCTSA_OK;
}

static void on_message(void *ctx, unsigned peer, uint8_t type, const uint8_t *p, size_t len)
{
	daemon_t *d = ctx;
	cctsa_diag diag;
	cctsa_err err;

	cctsa_diag_reset(&diag);
	err = cctsa_core_on_message(d->core, peer, type, p, len, &diag);
	if (err != CCTSA_OK) {
		cctsa_log_warn("peer %u message 0x%02x dropped: %s", peer, type, cctsa_diag_str(&diag, err));
	}
}

static void on_peer_up(void *ctx, unsigned peer, const cctsa_net_peer_info *info)
{
	daemon_t *d = ctx;

	cctsa_log_info("peer %u attested and up (%s)", peer, info->simulated ? "simulated SNP" : "SEV-SNP");
	cctsa_core_peer_up(d->core, peer);
}

static void on_peer_down(void *ctx, unsigned peer)
{
	daemon_t *d = ctx;

	cctsa_log_warn("peer %u down", peer);
	cctsa_core_peer_down(d->core, peer);
}

static void on_refused(void *ctx, int peer, const cctsa_net_refusal *why)
{
	(void)ctx;
	cctsa_log_warn("peer channel %d refused: %s: %s", peer, cctsa_net_refuse_name(why->reason),
		       why->diag.msg);
}

/* Attestation: open the provider, take our own report, read the measurement from it. */
static cctsa_err attest(daemon_t *d, const char *config_path, cctsa_diag *diag)
{
	cctsa_attest_config ac;
	uint8_t report[CCTSA_SNP_REPORT_LEN], rd[CCTSA_SNP_REPORT_DATA_LEN] = {0}, h[96];
	cctsa_snp_report dec;
	cctsa_err err = CCTSA_OK;
	unsigned n = 0;

	cctsa_attest_config_init(&ac, d->cfg.provider);
	if (strcmp(d->cfg.provider, "sim") == 0) {
		CCTSA_TRY(d_sha384_file(h, "/proc/self/exe", diag));
		CCTSA_TRY(d_sha384_file(h + 48, config_path, diag));
		CCTSA_ENSURE(EVP_Digest(h, sizeof h, ac.sim.measurement, &n, EVP_sha384(), NULL) == 1, CCTSA_E_CRYPTO);
	}
	CCTSA_TRY(cctsa_attest_open(&d->att, &ac, diag));
	CCTSA_TRY(cctsa_attest_get_report(d->att, report, rd, diag));
	CCTSA_TRY(cctsa_snp_report_decode(&dec, report, sizeof report, diag));
	memcpy(d->measurement, dec.measurement, sizeof d->measurement);
	if (cctsa_attest_get_chain(d->att, &d->chain, NULL) != CCTSA_OK) {
		memset(&d->chain, 0, sizeof d->chain);
	}
out:
	return err;
}

static cctsa_err mesh_start(daemon_t *d, cctsa_diag *diag)
{
	cctsa_net_mesh_config mc;

	memset(&mc, 0, sizeof mc);
	mc.id = d->cfg.id;
	mc.n = CCTSA_CORE_NODES;
	for (unsigned i = 0; i < CCTSA_CORE_NODES; i++) {
		mc.nodes[i].host = d->cfg.peers[i].host;
		mc.nodes[i].port = d->cfg.peers[i].port;
	}
	memcpy(mc.verifier.config_hash, d->cfg.config_hash, sizeof mc.verifier.config_hash);
	memcpy(mc.verifier.measurement, d->measurement, sizeof mc.verifier.measurement);
	mc.verifier.min_tcb.bootloader = (uint8_t)(d->cfg.min_tcb & 0xff);
	mc.verifier.min_tcb.tee = (uint8_t)(d->cfg.min_tcb >> 8);
	mc.verifier.min_tcb.snp = (uint8_t)(d->cfg.min_tcb >> 48);
	mc.verifier.min_tcb.microcode = (uint8_t)(d->cfg.min_tcb >> 56);
	mc.verifier.allow_simulated = cctsa_attest_is_simulated(d->att);
	mc.report = cctsa_net_provider_report;
	mc.report_ctx = d->att;
	mc.chain = d->chain;
	mc.cb.ctx = d;
	mc.cb.on_message = on_message;
	mc.cb.on_peer_up = on_peer_up;
	mc.cb.on_peer_down = on_peer_down;
	mc.cb.on_refused = on_refused;
	return cctsa_net_mesh_new(&d->mesh, d->base, &mc, diag);
}

/* One NTS round; (re)runs NTS-KE for sources without a session or out of cookies. */
static void nts_round(daemon_t *d)
{
	cctsa_err st[D_MAX_NTS];
	cctsa_clock_update_result res;
	cctsa_err err;

	for (size_t i = 0; i < d->cfg.n_nts; i++) {
		if (d->nts[i] == NULL || cctsa_nts_session_cookies(d->nts[i]) == 0) {
			cctsa_diag diag;

			cctsa_nts_session_free(d->nts[i]);
			d->nts[i] = NULL;
			cctsa_diag_reset(&diag);
			if (cctsa_nts_ke_run(&d->nts[i], NULL, NULL, d->cfg.nts[i].host, d->cfg.nts[i].port,
					     d->cfg.nts[i].ca, 2000, &diag) != CCTSA_OK) {
				cctsa_log_warn("NTS-KE %s:%u: %s", d->cfg.nts[i].host, d->cfg.nts[i].port, diag.msg);
			}
		}
	}
	err = cctsa_clock_poll_nts(d->clk, &res, st, d->nts, d->cfg.n_nts, 1000);
	if (err == CCTSA_OK && res.applied && !d->synced) {
		d->synced = 1;
		cctsa_log_info("time synchronised from %zu NTS sources (bound %lld us)", res.used,
			       (long long)(res.error_ns / 1000));
		if (cctsa_core_boot_synced(d->core) != CCTSA_OK) {
			cctsa_log_warn("time sync reported in state %s",
				       cctsa_core_state_name(cctsa_core_state_get(d->core)));
		}
	} else if (err != CCTSA_OK) {
		cctsa_log_warn("NTS round not applied (%zu sources valid)", res.used);
	}
}

static void nts_cb(evutil_socket_t fd, short what, void *arg)
{
	daemon_t *d = arg;
	struct timeval tv = {NTS_PERIOD_S, 0};

	(void)fd;
	(void)what;
	nts_round(d);
	if (!d->synced) {
		tv.tv_sec = NTS_RETRY_S;
	}
	event_add(d->nts_ev, &tv);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	daemon_t *d = arg;
	cctsa_core_state s;

	(void)fd;
	(void)what;
	cctsa_core_tick(d->core, mono_ms());
	d_dkg_try(d, mono_ms());
	s = cctsa_core_state_get(d->core);
	if (s != d->last_state) {
		cctsa_log_info("state %s -> %s (key %s)", cctsa_core_state_name(d->last_state), cctsa_core_state_name(s),
			       cctsa_core_key_state_name(cctsa_core_key_state_get(d->core)));
		d->last_state = s;
	}
}

static void sig_cb(evutil_socket_t fd, short what, void *arg)
{
	daemon_t *d = arg;

	(void)what;
	cctsa_log_info("signal %d: shares wiped, exiting", (int)fd);
	event_base_loopexit(d->base, NULL);
}

static cctsa_err core_start(daemon_t *d, cctsa_diag *diag)
{
	cctsa_core_config cc;
	char audit[D_STR + 32];

	memset(&cc, 0, sizeof cc);
	snprintf(audit, sizeof audit, "%s/node-%u/audit.log", d->cfg.dir, d->cfg.id);
	cc.id = d->cfg.id;
	cc.transport.ctx = d;
	cc.transport.send = mesh_send;
	cc.clock.ctx = d;
	cc.clock.now = clock_now;
	cc.audit_path = audit;
	cc.tolerance_ms = d->cfg.tolerance_ms;
	cc.mldsa_budget = d->cfg.budget;
	cc.tsa_org = d->cfg.tsa_org[0] ? d->cfg.tsa_org : NULL;
	cc.tsa_cn = d->cfg.tsa_cn;
	cc.policy_default = d->cfg.pol_default;
	cc.policy_pq = d->cfg.pol_pq;
	for (size_t i = 0; i < d->cfg.n_allowed; i++) {
		cc.allowed[i] = d->cfg.allowed[i];
	}
	cc.platform = strcmp(d->cfg.provider, "sim") == 0 ? "sim" : "sev-snp";
	memcpy(cc.measurement, d->measurement, sizeof cc.measurement);
	cc.min_tcb = d->cfg.min_tcb;
	cc.presign_per_set = 2;
	cc.mldsa_pool = 1; /* 1.4 MB locked each: RLIMIT_MEMLOCK is 8 MB here */
	return cctsa_core_new(&d->core, &cc, diag);
}

static cctsa_err timers(daemon_t *d)
{
	struct timeval tick = {0, 100000}, now = {0, 0};

	d->tick_ev = event_new(d->base, -1, EV_PERSIST, tick_cb, d);
	d->nts_ev = evtimer_new(d->base, nts_cb, d);
	d->sig_ev[0] = evsignal_new(d->base, SIGTERM, sig_cb, d);
	d->sig_ev[1] = evsignal_new(d->base, SIGINT, sig_cb, d);
	if (d->tick_ev == NULL || d->nts_ev == NULL || d->sig_ev[0] == NULL || d->sig_ev[1] == NULL ||
	    event_add(d->tick_ev, &tick) != 0 || event_add(d->nts_ev, &now) != 0 ||
	    event_add(d->sig_ev[0], NULL) != 0 || event_add(d->sig_ev[1], NULL) != 0) {
		return CCTSA_E_RESOURCE;
	}
	return CCTSA_OK;
}

static cctsa_err run(daemon_t *d, const char *config, cctsa_diag *diag)
{
	cctsa_clock_config ccfg;
	cctsa_err err = CCTSA_OK;

	/* The measurement (from our own first report) goes into the core's configuration:
	 * it is bound into the CSRs and checked against the certificates. */
	CCTSA_TRY(attest(d, config, diag));
	CCTSA_TRY(core_start(d, diag));
	CCTSA_TRY(cctsa_core_boot_attesting(d->core));
	CCTSA_TRY(cctsa_core_boot_attested(d->core));
	cctsa_log_info("attested (%s provider), node %u", cctsa_attest_provider_name(d->att), d->cfg.id);
	cctsa_clock_config_default(&ccfg);
	if (d->cfg.holdover_s != 0) {
		ccfg.holdover_ns = (int64_t)d->cfg.holdover_s * 1000000000;
	}
	CCTSA_TRY(cctsa_clock_new(&d->clk, NULL, &ccfg));
	d->base = event_base_new();
	CCTSA_ENSURE(d->base != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(mesh_start(d, diag));
	CCTSA_TRY(d_corep_start(d, diag));
	CCTSA_TRY(d_control_start(d, diag));
	CCTSA_TRY(timers(d));
	d->last_state = cctsa_core_state_get(d->core);
	event_base_dispatch(d->base);
out:
	return err;
}

static void teardown(daemon_t *d)
{
	d_control_stop(d);
	cctsa_net_corep_server_free(d->corep);
	cctsa_net_mesh_free(d->mesh);
	cctsa_core_free(d->core); /* wipes every share */
	for (size_t i = 0; i < D_MAX_NTS; i++) {
		cctsa_nts_session_free(d->nts[i]);
	}
	cctsa_clock_free(d->clk);
	cctsa_attest_close(d->att);
	if (d->tick_ev != NULL) {
		event_free(d->tick_ev);
	}
	if (d->nts_ev != NULL) {
		event_free(d->nts_ev);
	}
	for (int i = 0; i < 2; i++) {
		if (d->sig_ev[i] != NULL) {
			event_free(d->sig_ev[i]);
		}
	}
	if (d->base != NULL) {
		event_base_free(d->base);
	}
}

static int usage(FILE *f, int rc)
{
	fputs("usage: cctsa-core --config DIR/cluster.json --node I\n", f);
	return rc;
}

int cctsa_core_daemon_main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"node", required_argument, NULL, 'n'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *config = NULL;
	long node = -1;
	daemon_t *d;
	cctsa_diag diag;
	cctsa_err err;
	int o;

	while ((o = getopt_long(argc, argv, "c:n:h", opts, NULL)) != -1) {
		if (o == 'c') {
			config = optarg;
		} else if (o == 'n') {
			node = strtol(optarg, NULL, 10);
		} else {
			return usage(o == 'h' ? stdout : stderr, o == 'h' ? 0 : 2);
		}
	}
	if (config == NULL || node < 0 || node >= CCTSA_CORE_NODES || optind != argc) {
		return usage(stderr, 2);
	}
	signal(SIGPIPE, SIG_IGN);
	cctsa_log_setup(CCTSA_LOG_INFO, "cctsa-core");
	if (cctsa_process_harden() != CCTSA_OK) {
		cctsa_log_err("process hardening refused");
		return 1;
	}
	d = cctsa_mem_alloc(sizeof *d);
	if (d == NULL) {
		return 1;
	}
	cctsa_diag_reset(&diag);
	err = dcfg_load(&d->cfg, config, (unsigned)node, &diag);
	if (err == CCTSA_OK) {
		err = run(d, config, &diag);
	}
	if (err != CCTSA_OK) {
		cctsa_log_err("%s", cctsa_diag_str(&diag, err));
	}
	teardown(d);
	cctsa_mem_free(d);
	return err == CCTSA_OK ? 0 : 1;
}
