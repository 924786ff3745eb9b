/* core daemon internals: configuration (cluster.json) and the running process. */
#ifndef CCTSA_CORE_DAEMON_INT_H
#define CCTSA_CORE_DAEMON_INT_H

#include "cctsa/attest.h"
#include "cctsa/core.h"
#include "cctsa/net.h"
#include "cctsa/time.h"

#define D_MAX_NTS 8
#define D_STR 512

typedef struct {
	unsigned id, nodes, threshold;
	char dir[D_STR];
	struct {
		char host[64];
		uint16_t port;
	} peers[CCTSA_CORE_NODES];
	struct {
		char host[256];
		uint16_t port;
		char ca[D_STR];
	} nts[D_MAX_NTS];
	size_t n_nts;
	char provider[16];
	uint64_t min_tcb;
	uint32_t tolerance_ms, holdover_s;
	char pol_default[128], pol_pq[128];
	char allowed[CCTSA_CORE_MAX_POLICIES][128];
	size_t n_allowed;
	uint64_t budget;
	char tsa_org[128], tsa_cn[128];
	uint8_t config_hash[48];
} dcfg;

/* Reads and checks cluster.json (strict types; unknown members ignored). */
CCTSA_MUST_USE cctsa_err dcfg_load(dcfg *c, const char *path, unsigned node, cctsa_diag *diag);
/* SHA-384 of a whole file. */
CCTSA_MUST_USE cctsa_err d_sha384_file(uint8_t out[48], const char *path, cctsa_diag *diag);

struct event_base;
struct event;
struct evconnlistener;
struct bufferevent;

typedef struct d_ctl d_ctl;

typedef struct {
	dcfg cfg;
	struct event_base *base;
	struct event *tick_ev, *nts_ev, *sig_ev[2];
	cctsa_core *core;
	cctsa_net_mesh *mesh;
	cctsa_net_corep_server *corep;
	cctsa_attest_provider *att;
	cctsa_snp_chain chain;
	cctsa_clock *clk;
	cctsa_nts_session *nts[D_MAX_NTS];
	uint8_t measurement[48];
	struct evconnlistener *ctl;
	d_ctl *dkg_conn; /* control connection waiting for dkg-start */
	int dkg_pending;  /* dkg-start accepted, waiting for every peer to be up */
	int64_t dkg_deadline;
	uint8_t dkg_id[16];
	char *dkg_ops[CCTSA_CORE_CMD_MAX_OPERATORS];
	size_t dkg_n_ops;
	cctsa_core_state last_state;
	int synced;
	uint64_t ts_ok, ts_fail;
} daemon_t;

/* daemon_io.c: corep handlers and the control socket. */
CCTSA_MUST_USE cctsa_err d_corep_start(daemon_t *d, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err d_control_start(daemon_t *d, cctsa_diag *diag);
void d_control_stop(daemon_t *d);
/* Starts a pending dkg-start once every peer is up (called from the tick). */
void d_dkg_try(daemon_t *d, int64_t now_ms);

#endif
