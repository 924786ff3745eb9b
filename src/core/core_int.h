/* core internals: the node object and the pieces the core_*.c files share. */
#ifndef CCTSA_CORE_INT_H
#define CCTSA_CORE_INT_H

#include <stdint.h>

#include "cctsa/core.h"
#include "cctsa/record.h"
#include "base/ct.h"
#include "cctsa/tecdsa.h"
#include "cctsa/tmldsa.h"
#include "cctsa/x509.h"

#define CORE_N CCTSA_CORE_NODES
#define JOB_ID_LEN 16
#define SIGSET_COUNT 10
#define PRE_POOL_MAX 8
#define PRESIG_MAX 64
#define DEFER_MAX 96
#define SESS_MAX 16
#define JOB_TRIES 6
#define MLDSA_TRIES 16
/* Live signing sessions per node (each holds a 1.4 MB locked ML-DSA round-1 state). */
#define LIVE_MAX 3
#define QUEUE_MS 15000
#define SESSION_TIMEOUT_MS 20000
#define REPLAY_WINDOW 1024

/* Why a participant refuses to contribute (SIGN_REFUSE reason). */
enum {
	REFUSE_STATE = 1,   /* not active / wrong state for this kind of job */
	REFUSE_TIME,        /* genTime outside tolerance, or no trusted time */
	REFUSE_SERIAL,      /* serial outside the coordinator's range or already seen */
	REFUSE_POLICY,      /* policy not allowed */
	REFUSE_MISMATCH,    /* bytes to sign differ from the rebuilt signed attributes */
	REFUSE_PRESIG,      /* no such presignature */
	REFUSE_BUDGET,      /* ML-DSA attempt budget spent */
	REFUSE_PROTOCOL,    /* a protocol step failed */
	REFUSE_BUSY         /* too many live sessions here (locked memory): try later */
};

enum { JOB_TST = 1, JOB_CSR = 2 };

/* A SIGN_REQ: what is to be signed, by whom, under which presignature/nonce. */
typedef struct {
	uint8_t job_id[JOB_ID_LEN];
	uint8_t kind, coord, set_mask;
	uint8_t pid[32];
	uint8_t nonce[32];
	/* JOB_TST only */
	uint8_t pq;
	cctsa_tsp_req req; /* hash, params, imprint, nonce, cert_req (policy unused) */
	uint8_t policy[CCTSA_TSP_OID_MAX];
	size_t policy_len;
	uint8_t serial[CCTSA_CORE_SERIAL_LEN];
	int64_t gen_time_ms;
	uint32_t accuracy_ms;
	/* bytes to sign (views into the payload when decoded) */
	const uint8_t *msg_e, *msg_m;
	size_t msg_e_len, msg_m_len;
} core_sign_req;

CCTSA_MUST_USE cctsa_err core_sign_req_encode(cctsa_buf *out, const core_sign_req *r);
CCTSA_MUST_USE cctsa_err core_sign_req_decode(core_sign_req *r, const uint8_t *p, size_t len,
					      cctsa_diag *diag);

/* Anti-replay window of one coordinator's serial counters. */
typedef struct {
	uint64_t top;
	uint64_t bits[REPLAY_WINDOW / 64];
} core_replay;

typedef struct core_job core_job;

/* One threshold signing attempt at one member (the coordinator holds the combiner). */
typedef struct {
	int used;
	core_sign_req r;
	uint8_t *payload; /* owned copy of the SIGN_REQ the views point into */
	size_t payload_len;
	uint8_t digest[CCTSA_TECDSA_DIGEST_LEN];
	cctsa_tmldsa_session ts;
	uint8_t ssid[32];
	cctsa_tmldsa_pre *pre;
	cctsa_tmldsa_signer *sg;
	unsigned got_cmt, got_w, got_z, got_share; /* masks of nodes */
	int sent_w, sent_z, share_done;
	unsigned attempts; /* ML-DSA re-attempts of this job */
	int64_t deadline;
	/* coordinator only */
	core_job *job;
	cctsa_tmldsa_combiner *cb;
	uint8_t shares[CORE_N][CCTSA_TECDSA_SHARE_LEN];
	uint8_t der_e[CCTSA_TECDSA_SIG_MAX]; /* combined and verified ECDSA signature */
	size_t der_e_len;
} core_sess;

/* A request being served by this node as coordinator (spans retries). */
struct core_job {
	int used;
	uint8_t kind;
	cctsa_tsp_req req;
	int pq;
	cctsa_core_ts_cb cb;
	void *ctx;
	unsigned tries;
	unsigned bad_sets;  /* bit per signing-set index that failed */
	unsigned waiting;   /* waiting for a presignature of this set mask (0: none) */
	int queued;         /* waiting for a free session slot */
	int64_t queued_at;
	core_sess *sess;
};

/* ECDSA presignature known to this node (as a member of its set). */
typedef struct {
	int used;
	uint8_t pid[32];
	uint8_t set_mask, initiator;
	int ready;           /* finished locally */
	unsigned done_mask;  /* initiator: members that reported done */
	cctsa_tecdsa_presign *s; /* running session (NULL once finished) */
	unsigned got1, got2;
	int64_t deadline;
} core_presig;

typedef struct {
	uint8_t from, type;
	uint8_t *data;
	size_t len;
	int64_t deadline;
} core_deferred;

typedef struct core_dkg core_dkg;

struct cctsa_core {
	unsigned id;
	cctsa_core_transport tr;
	cctsa_core_clock clock;
	uint32_t tolerance_ms, max_latency_ms;
	uint64_t budget;
	char *tsa_org, *tsa_cn;
	uint8_t pol_default[CCTSA_TSP_OID_MAX], pol_pq[CCTSA_TSP_OID_MAX];
	size_t pol_default_len, pol_pq_len;
	uint8_t allowed[CCTSA_CORE_MAX_POLICIES][CCTSA_TSP_OID_MAX];
	size_t allowed_len[CCTSA_CORE_MAX_POLICIES];
	size_t n_allowed;
	char platform[CCTSA_BINDING_PLATFORM_MAX + 1];
	uint8_t measurement[CCTSA_CORE_HASH_LEN];
	uint64_t min_tcb;
	unsigned presign_per_set, mldsa_pool;
	unsigned preferred_set;

	cctsa_core_state state;
	cctsa_core_key_state key_state;
	unsigned up; /* mask of reachable nodes (self included) */
	int64_t now_ms;

	/* identity key for DKG transcript signatures (fresh per boot) */
	cctsa_x509_key *ident;
	uint8_t peer_ident[CORE_N][160];
	size_t peer_ident_len[CORE_N];

	/* keys */
	cctsa_tecdsa_party *te;
	cctsa_tmldsa_share *tm;
	uint8_t q[CCTSA_TECDSA_PT_LEN];
	uint8_t mpk[CCTSA_TMLDSA_PK_LEN];
	uint8_t th[CCTSA_CORE_HASH_LEN]; /* SHA-384 of the DKG transcript */
	uint64_t epoch;
	cctsa_buf spki_e, spki_m;
	core_dkg *dkg;

	/* certificates (DER) */
	cctsa_buf cert_e, cert_m, ca_e, ca_m;

	/* signing */
	uint64_t counter;
	core_replay replay[CORE_N];
	core_job jobs[SESS_MAX];
	core_sess sess[SESS_MAX];
	core_presig presig[PRESIG_MAX];
	cctsa_tmldsa_pre *pre_pool[PRE_POOL_MAX];
	size_t n_pre;
	core_deferred defer[DEFER_MAX];
	cctsa_audit_log *audit;
	uint64_t audit_last_ms;
	uint64_t tokens, failures, refusals, retries, reattempts;
	uint64_t alloc_failures; /* secret (locked) allocations refused */
};

/* node.c */
CCTSA_MUST_USE cctsa_err core_send(cctsa_core *c, unsigned to, uint8_t type, const uint8_t *p,
				   size_t len);
void core_set_state(cctsa_core *c, cctsa_core_state s);
void core_update_state(cctsa_core *c);
unsigned core_popcount(unsigned m);
int core_time(cctsa_core *c, int64_t *ms, uint32_t *bound);
CCTSA_MUST_USE cctsa_err core_sha384(uint8_t out[48], const uint8_t *a, size_t al,
				     const uint8_t *b, size_t bl);

/* dkg.c */
CCTSA_MUST_USE cctsa_err core_dkg_on_message(cctsa_core *c, unsigned from, uint8_t type,
					     const uint8_t *p, size_t len, cctsa_diag *diag);
void core_dkg_free(core_dkg *d);
void core_dkg_signed(cctsa_core *c, const uint8_t *sig_e, size_t le, const uint8_t *sig_m,
		     size_t lm, cctsa_err err, const char *why);
void core_dkg_abort(cctsa_core *c, const char *why);
void core_dkg_expire(cctsa_core *c);
CCTSA_MUST_USE cctsa_err core_binding(const cctsa_core *c, cctsa_x509_binding *b);

/* job.c: deterministic bytes to sign and final assembly */
CCTSA_MUST_USE cctsa_err core_job_messages(cctsa_core *c, const core_sign_req *r, cctsa_buf *msg_e,
					   cctsa_buf *msg_m, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err core_job_assemble(cctsa_core *c, const core_sign_req *r,
					   const uint8_t *der_e, size_t der_e_len,
					   const uint8_t *sig_m, cctsa_buf *out_e, cctsa_buf *out_m,
					   cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err core_mldsa_spki(cctsa_buf *out, const uint8_t pk[CCTSA_TMLDSA_PK_LEN]);
CCTSA_MUST_USE cctsa_err core_policy_text(char *out, size_t cap, const uint8_t *oid, size_t len);

/* sign.c */
CCTSA_MUST_USE cctsa_err core_sign_on_message(cctsa_core *c, unsigned from, uint8_t type,
					      const uint8_t *p, size_t len, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err core_job_start_csr(cctsa_core *c);
void core_sess_fail_peer(cctsa_core *c, unsigned peer);
void core_sess_expire(cctsa_core *c);
unsigned core_live_sessions(const cctsa_core *c);
void core_jobs_requeue_kick(cctsa_core *c);
void core_sess_free(core_sess *s);
/* Coordinator: tells the members the job is over (SIGN_END) and frees the session. */
void core_sess_end(cctsa_core *c, core_sess *s);
unsigned core_refuse_check(cctsa_core *c, unsigned from, const core_sign_req *r, cctsa_diag *diag);

/* pool.c */
CCTSA_MUST_USE cctsa_err core_pool_on_message(cctsa_core *c, unsigned from, uint8_t type,
					      const uint8_t *p, size_t len, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err core_presign_start(cctsa_core *c, unsigned set_mask);
core_presig *core_presig_ready(cctsa_core *c, unsigned set_mask);
core_presig *core_presig_find(cctsa_core *c, const uint8_t pid[32]);
int core_presig_pending(const cctsa_core *c, unsigned set_mask);
void core_presig_drop(core_presig *p);
void core_pool_fail_peer(cctsa_core *c, unsigned peer);
void core_pool_refill(cctsa_core *c);
void core_pool_expire(cctsa_core *c);
void core_presig_release(cctsa_core *c, unsigned initiator, const uint8_t pid[32]);
CCTSA_MUST_USE cctsa_err core_pre_take(cctsa_core *c, cctsa_tmldsa_pre **out);
void core_set_members(unsigned mask, uint8_t set[3]);

/* Status "deferred": the message cannot be handled yet (kept and replayed). */
#define CORE_DEFER ((cctsa_err)100)

#endif
