/*
 * core: the trusted node (DESIGN.md §1-§4). One cctsa_core object is one node of
 * the 5-node, 3-threshold cluster: its state machine, its key shares (threshold
 * ECDSA P-384 and threshold ML-DSA-65, RAM only), the DKG ceremony, the
 * threshold-signed CSRs, certificate installation, the signing service (any node
 * coordinates; every participant re-checks what it signs), the presignature and
 * round-1 pools and the audit log.
 *
 * Transport: the node never opens sockets. It sends peer messages through
 * cfg.transport.send(peer, type, payload) and is fed what arrives with
 * cctsa_core_on_message(). Messages between two nodes must arrive in order and be
 * authenticated as coming from that (attested) peer; net's mesh does that, tests use
 * an in-process queue. send() must only queue: it may not call back into the node.
 * Everything runs on one thread (the daemon's event loop); an object is not
 * thread-safe. Completion callbacks may run inside any cctsa_core_* call,
 * including synchronously from the request that started the work.
 *
 * Node ids are 0..4 (tecdsa party index = id + 1, tmldsa party = id).
 *
 * Peer payloads (inside net's peer frame, whose type is the message type below)
 * are length-checked binary records decoded strictly (cctsa_core_msg_check).
 */
#ifndef CCTSA_CORE_H
#define CCTSA_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"
#include "cctsa/tsp.h"

#define CCTSA_CORE_NODES 5
#define CCTSA_CORE_THRESHOLD 3
#define CCTSA_CORE_HASH_LEN 48
#define CCTSA_CORE_SERIAL_LEN 17 /* key epoch (8) | node id (1) | counter (8) */

/* Node states (exported through status/health; transitions are logged by the daemon). */
typedef enum {
	CCTSA_CORE_BOOTING = 0,
	CCTSA_CORE_ATTESTING,
	CCTSA_CORE_SYNCHRONIZING,
	CCTSA_CORE_WAITING_FOR_DKG,
	CCTSA_CORE_DKG,
	CCTSA_CORE_AWAITING_CERTIFICATES,
	CCTSA_CORE_ACTIVE,   /* keys certified, all 5 nodes reachable */
	CCTSA_CORE_DEGRADED, /* keys certified, 3 or 4 nodes reachable: still signs */
	CCTSA_CORE_HALTED,   /* fewer than 3 reachable, or the key is retired: no signing */
	CCTSA_CORE_FAILED    /* unrecoverable (DKG aborted, certificates refused, audit I/O) */
} cctsa_core_state;

/* Key lifecycle (DESIGN.md §4). */
typedef enum {
	CCTSA_CORE_KEY_UNINITIALIZED = 0,
	CCTSA_CORE_KEY_DKG,
	CCTSA_CORE_KEY_PENDING, /* DKG done, certificates not installed */
	CCTSA_CORE_KEY_ACTIVE,
	CCTSA_CORE_KEY_RETIRED /* ML-DSA attempt budget spent (or retired by the operator) */
} cctsa_core_key_state;

const char *cctsa_core_state_name(cctsa_core_state s);
const char *cctsa_core_key_state_name(cctsa_core_key_state s);

/* Peer message types (one byte, >= 0x10: net carries them as application frame types). */
enum {
	CCTSA_CORE_MSG_DKG_START = 0x10,  /* ceremony id, tecdsa sid, tmldsa nonce, coordinator */
	CCTSA_CORE_MSG_DKG_IDENT = 0x11,  /* the sender's DKG identity key (SPKI) */
	CCTSA_CORE_MSG_TE_DKG = 0x12,     /* round u8 | tecdsa DKG message */
	CCTSA_CORE_MSG_TM_DKG = 0x13,     /* tmldsa DKG frame */
	CCTSA_CORE_MSG_DKG_DONE = 0x14,   /* the sender's view of both public keys + transcript hash */
	CCTSA_CORE_MSG_PRESIGN_START = 0x20,
	CCTSA_CORE_MSG_PRESIGN_MSG = 0x21,
	CCTSA_CORE_MSG_PRESIGN_DONE = 0x22,
	CCTSA_CORE_MSG_SIGN_REQ = 0x30,
	CCTSA_CORE_MSG_TM_SIGN = 0x31,    /* job id | tmldsa signing frame */
	CCTSA_CORE_MSG_SIGN_SHARE = 0x32, /* job id | ECDSA share */
	CCTSA_CORE_MSG_SIGN_REFUSE = 0x33, /* job id | reason u8 */
	CCTSA_CORE_MSG_TM_RETRY = 0x34,   /* job id | fresh nonce: another ML-DSA attempt */
	CCTSA_CORE_MSG_SIGN_END = 0x35    /* job id: the coordinator is done with this job */
};
/* Largest payload of any type (a tmldsa W frame plus the job id). */
#define CCTSA_CORE_MSG_MAX ((size_t)300000)

/*
 * Strictly decodes a peer payload of the given type (exact lengths, ranges,
 * embedded tecdsa/tmldsa messages checked by their own decoders). CCTSA_OK,
 * CCTSA_E_MALFORMED or CCTSA_E_UNSUPPORTED (unknown type). Fuzzing entry point.
 */
CCTSA_MUST_USE cctsa_err cctsa_core_msg_check(uint8_t type, const uint8_t *payload, size_t len,
					      cctsa_diag *diag);

/* Sends one message to peer (0..4, never self). Must queue, not re-enter the node. */
typedef struct {
	void *ctx;
	cctsa_err (*send)(void *ctx, unsigned peer, uint8_t type, const uint8_t *payload, size_t len);
} cctsa_core_transport;

/*
 * Trusted time: UTC in ms and the error bound in ms; CCTSA_E_STATE when time is not
 * available (never synced, or holdover exceeded).
 */
typedef struct {
	void *ctx;
	cctsa_err (*now)(void *ctx, int64_t *utc_ms, uint32_t *bound_ms);
} cctsa_core_clock;

#define CCTSA_CORE_MAX_POLICIES 8

/* Node configuration; copied by cctsa_core_new (strings and arrays too). */
typedef struct {
	unsigned id;                         /* 0..4 */
	cctsa_core_transport transport;
	cctsa_core_clock clock;
	const char *audit_path;              /* the node's audit log (created) */
	uint32_t tolerance_ms;               /* genTime check of participants (100) */
	uint32_t max_latency_ms;             /* + allowed age of genTime on arrival (1000) */
	uint64_t mldsa_budget;               /* signing attempts per key (cluster-wide) */
	const char *tsa_org, *tsa_cn;        /* TSA subject (O may be NULL) */
	const char *policy_default, *policy_pq; /* dotted OIDs */
	const char *allowed[CCTSA_CORE_MAX_POLICIES]; /* further accepted reqPolicy OIDs, NULL-ended */
	const char *platform;                /* "sim" or "sev-snp" */
	uint8_t measurement[CCTSA_CORE_HASH_LEN];
	uint64_t min_tcb;
	unsigned presign_per_set;            /* ECDSA presignatures kept per signing set (2) */
	unsigned mldsa_pool;                 /* ML-DSA round-1 states kept (0 = make on demand) */
} cctsa_core_config;

typedef struct cctsa_core cctsa_core;

/* Creates a node in state booting. Opens the audit log. *out NULL on failure. */
CCTSA_MUST_USE cctsa_err cctsa_core_new(cctsa_core **out, const cctsa_core_config *cfg,
					cctsa_diag *diag);
/* Wipes every share, presignature and round-1 state and frees; c may be NULL. */
void cctsa_core_free(cctsa_core *c);

cctsa_core_state cctsa_core_state_get(const cctsa_core *c);
cctsa_core_key_state cctsa_core_key_state_get(const cctsa_core *c);

/*
 * Boot progress, reported by the daemon: attestation done (booting/attesting ->
 * synchronizing), first time sync done (synchronizing -> waiting-for-dkg).
 * CCTSA_E_STATE when called out of order.
 */
CCTSA_MUST_USE cctsa_err cctsa_core_boot_attesting(cctsa_core *c);
CCTSA_MUST_USE cctsa_err cctsa_core_boot_attested(cctsa_core *c);
CCTSA_MUST_USE cctsa_err cctsa_core_boot_synced(cctsa_core *c);
/* Marks the node failed (e.g. audit I/O); it signs nothing any more. */
void cctsa_core_fail(cctsa_core *c);

/*
 * Peer reachability (mesh up / down, attested). A down peer fails every session
 * it is part of (they retry elsewhere) and drops its presignatures.
 */
void cctsa_core_peer_up(cctsa_core *c, unsigned peer);
void cctsa_core_peer_down(cctsa_core *c, unsigned peer);

/* Pins the signing set (bit mask of 3 nodes including this one; 0 = automatic). */
void cctsa_core_set_preferred_set(cctsa_core *c, unsigned mask);

/* Feeds one message from peer. Bad messages are dropped (diag says why). */
CCTSA_MUST_USE cctsa_err cctsa_core_on_message(cctsa_core *c, unsigned from, uint8_t type,
					       const uint8_t *payload, size_t len, cctsa_diag *diag);

/*
 * Background work when idle: refills the pools one item at a time; expires
 * sessions older than their deadline (now_ms: a monotonic time in ms).
 */
void cctsa_core_tick(cctsa_core *c, int64_t now_ms);

/* ---- DKG ceremony (this node coordinates) ---- */
typedef struct {
	cctsa_err err;
	const char *error;            /* when err != OK */
	const char *ecdsa_pub_pem, *mldsa_pub_pem, *csr_ecdsa_pem, *csr_mldsa_pem;
	const char *transcript_json;  /* record.h ceremony transcript */
	uint64_t key_epoch;
	uint8_t transcript_hash[CCTSA_CORE_HASH_LEN];
} cctsa_core_dkg_result;
typedef void (*cctsa_core_dkg_cb)(void *ctx, const cctsa_core_dkg_result *res);

/*
 * Starts the DKG with all five nodes (all must be waiting-for-dkg and reachable).
 * operators: names recorded in the transcript (may be NULL/0). cb runs once when the
 * CSRs are signed or the ceremony failed. CCTSA_E_STATE if not possible now.
 */
CCTSA_MUST_USE cctsa_err cctsa_core_dkg_start(cctsa_core *c, const uint8_t ceremony_id[16],
					      const char *const *operators, size_t n_operators,
					      cctsa_core_dkg_cb cb, void *ctx, cctsa_diag *diag);

/*
 * Installs the TSA certificates (PEM or DER) and their CAs: both TSA certificates must
 * chain to their CA now, carry the timeStamping-only profile, the group public key
 * of this node's shares and a binding extension equal to this node's (platform,
 * measurement, min TCB, DKG transcript hash, key epoch). Then the node is active.
 * CCTSA_E_VERIFY with the reason otherwise.
 */
CCTSA_MUST_USE cctsa_err cctsa_core_install_certs(cctsa_core *c, const uint8_t *tsa_ecdsa, size_t le,
						  const uint8_t *tsa_mldsa, size_t lm,
						  const uint8_t *ca_ecdsa, size_t lce,
						  const uint8_t *ca_mldsa, size_t lcm, cctsa_diag *diag);

/* ---- signing service ---- */
typedef struct {
	uint8_t status;   /* PKIStatus */
	uint8_t fail_bit; /* 0xff = none */
	const char *text; /* statusString or NULL */
	const uint8_t *token;
	size_t token_len; /* 0 unless granted */
	int retry_later;  /* the cluster cannot sign now (HTTP 503) */
} cctsa_core_ts_result;
typedef void (*cctsa_core_ts_cb)(void *ctx, const cctsa_core_ts_result *res);

/*
 * Issues a token for a validated request (pq: the ML-DSA token outside). cb runs once,
 * possibly before this returns, with the token (after both signatures verified and
 * the audit record is durable) or a rejection.
 */
void cctsa_core_timestamp(cctsa_core *c, const cctsa_tsp_req *req, int pq, cctsa_core_ts_cb cb,
			  void *ctx);

/* ---- observation ---- */
typedef struct {
	cctsa_core_state state;
	cctsa_core_key_state key_state;
	unsigned reachable;            /* nodes reachable including self */
	uint64_t key_epoch;
	uint64_t mldsa_attempts_left;
	size_t presigs, mldsa_pre;     /* pool levels */
	uint64_t tokens, failures, refusals, retries;
	uint64_t alloc_failures;       /* locked (secret) allocations refused */
	uint64_t secret_bytes_locked;  /* process-wide locked memory (VmLck), 0 if unknown */
	uint8_t transcript_hash[CCTSA_CORE_HASH_LEN];
} cctsa_core_status;
void cctsa_core_status_get(const cctsa_core *c, cctsa_core_status *st);
/* The control-socket "status" object (no trailing newline) appended to out. */
CCTSA_MUST_USE cctsa_err cctsa_core_status_json(const cctsa_core *c, cctsa_buf *out);
/* The TSA certificates and CAs as PEM (INFO 5); CCTSA_E_STATE before install. */
CCTSA_MUST_USE cctsa_err cctsa_core_certs_pem(const cctsa_core *c, cctsa_buf *out);
/* The binding JSON (x509 form); CCTSA_E_STATE before the DKG. */
CCTSA_MUST_USE cctsa_err cctsa_core_binding_json(const cctsa_core *c, cctsa_buf *out);

/* ---- control socket (CLUSTER.md): one JSON object per line ---- */
typedef enum {
	CCTSA_CORE_CMD_STATUS = 1,
	CCTSA_CORE_CMD_DKG_START,
	CCTSA_CORE_CMD_INSTALL_CERTS,
	CCTSA_CORE_CMD_SHUTDOWN
} cctsa_core_cmd_kind;
#define CCTSA_CORE_CMD_MAX_OPERATORS 8
#define CCTSA_CORE_CMD_LINE_MAX ((size_t)1 << 20)
typedef struct {
	cctsa_core_cmd_kind kind;
	uint8_t ceremony_id[16];
	char *operators[CCTSA_CORE_CMD_MAX_OPERATORS];
	size_t n_operators;
	char *tsa_ecdsa, *tsa_mldsa, *ca_ecdsa, *ca_mldsa; /* PEM text */
} cctsa_core_cmd;
/*
 * Parses one control line (without its newline): a JSON object with "cmd" and that
 * command's members, nothing else. CCTSA_E_MALFORMED / CCTSA_E_UNSUPPORTED (cmd).
 * Free with cctsa_core_cmd_free.
 */
CCTSA_MUST_USE cctsa_err cctsa_core_cmd_parse(cctsa_core_cmd *out, const char *line, size_t len,
					      cctsa_diag *diag);
void cctsa_core_cmd_free(cctsa_core_cmd *cmd);

/* ---- the daemon (apps/cctsa-core.c) ---- */
/*
 * `cctsa-core --config DIR/cluster.json --node I`: hardening, attestation, NTS,
 * the attested mesh, DIR/node-I/core.sock (gateway) and control.sock (operator),
 * one libevent loop. Returns the process exit status (0, 1 failure, 2 usage).
 */
int cctsa_core_daemon_main(int argc, char **argv);

#endif
