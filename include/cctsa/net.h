/*
 * net: framing, the gateway -> core protocol ("corep") and the attested TLS 1.3
 * mesh between cores (DESIGN.md §1, STYLE.md §2 rule 17).
 *
 * Everything here runs on the caller's libevent event_base, on one thread; no
 * object is thread-safe. Library code never logs: refusals and failures reach the
 * caller as a cctsa_diag (and, for the mesh, a cctsa_net_refusal) to log.
 *
 * ---- Frames ----
 * A frame is `ver u8 | type u8 | len u32be | payload[len]`. A receiver checks, from
 * the 6 header bytes alone and before buffering or decoding any payload, that the
 * version is the expected one, that the type is in its known set and that len is
 * within that type's [min, max] (min == max: exact). Anything else is refused and
 * the connection is closed by the caller. Reassembly from a byte stream never
 * buffers more than one header plus the announced (already checked) payload.
 *
 * ---- Gateway -> core protocol (CLUSTER.md), version 1 ----
 *   0x01 TS_REQ    id u64 | flavor u8 (0 hybrid, 1 post-quantum) | hash u8 (1..6)
 *                  | hash_null_params u8 (0/1) | imprint_len u8 | imprint
 *                  | policy_len u8 | policy OID content | nonce_len u8 | nonce INTEGER
 *                  content | cert_req u8 (0/1)                       max 256 bytes
 *   0x02 TS_RESP   id u64 | status u8 | fail_bit u8 (0xff none) | text_len u16 | text
 *                  | token_len u32 | token                           max 64 KiB
 *   0x03 INFO_REQ  id u64 | what u8 (1..5)                           exactly 9 bytes
 *   0x04 INFO_RESP id u64 | status u8 (0 ok, 1 n/a) | body_len u32 | body  max 1 MiB
 * Decoding is strict: every field in range, every length consistent, exact
 * consumption. Further rules enforced by the decoders (and by the encoders, which
 * refuse with CCTSA_E_USAGE what the decoder would refuse):
 *   TS_REQ: imprint_len == the hash's length; policy_len <= 32 and, when non-zero,
 *     well-formed OID content (base-128 arcs, minimal, last octet ends an arc);
 *     nonce_len <= 32 and, when non-zero, a minimal two's-complement INTEGER.
 *   TS_RESP: status 0..5; status 0/1 (granted) needs fail_bit 0xff and a token
 *     (token_len >= 1); any other status needs token_len 0 and fail_bit 0..25 or
 *     0xff; text is valid UTF-8 (no overlongs, surrogates or > U+10FFFF).
 *   INFO_RESP: status 0 or 1; body is opaque.
 *
 * ---- Peer channel (core <-> core) ----
 * TLS 1.3 only, both sides present a self-signed certificate over a fresh ECDSA
 * P-384 key made at mesh creation (one per boot). The certificate verification
 * callback accepts any certificate: TLS only proves that the peer holds the key of
 * the certificate it presented (CertificateVerify); the attestation decides whether
 * that key belongs to a genuine core:
 *
 *   tls_key_hash = SHA-384(DER SubjectPublicKeyInfo of the TLS key)
 *   REPORT_DATA  = cctsa_snp_binding(tls_key_hash, config_hash, nonce)
 *                = SHA-512("CCTSA-SNP-BIND-v1" || 0x00 || tls_key_hash || config_hash || nonce)
 *
 * where config_hash = SHA-384(cluster.json bytes) and nonce is the 32 random bytes
 * the *verifier* sent in this TLS session. Peer frames use version 1 and these
 * types; the application (core) owns 0x01..0xef, net owns 0xf0..0xff, 0x00 is
 * never used:
 *   0xf1 HELLO   node_id u8 | nonce[32]                              exactly 33 bytes
 *   0xf2 ATTEST  report[1184] | vek_len u16 | vek | ask_len u16 | ask | ark_len u16
 *                | ark (DER certificates)                            max 16384 bytes
 *   0xf3 READY   (empty): "I have verified your attestation"         exactly 0 bytes
 * Both sides send HELLO right after the handshake; each answers the other's HELLO
 * with ATTEST over the nonce it received; each verifies the ATTEST it receives
 * against its own nonce and the peer certificate of this session and, if it passes,
 * sends READY. A peer is "up" once we verified it and received its READY; only then
 * may application frames flow (an application frame earlier is a protocol error).
 * A peer is accepted only if (cctsa_net_attest_verify):
 *   - the report verifies (signature, VEK -> ASK -> ARK chain; for the simulator the
 *     ARK must also be byte-identical to the configured cluster ARK, if one is set),
 *   - its measurement EQUALS ours, policy forbids debug and migration agent, every
 *     TCB is >= the configured minimum, VMPL 0,
 *   - REPORT_DATA equals the binding of the peer certificate's key from this TLS
 *     session, our config hash and the nonce we sent in this session (so a report
 *     replayed from another session or bound to another TLS key is refused),
 *   - the node id in its HELLO is the one expected on that connection.
 * Application frames: max 1 MiB (CCTSA_NET_PEER_MAX); the application may give
 * the exact set of its types with their limits (cctsa_net_mesh_config.app_types).
 *
 * Wiring it in a core (what the fields of cctsa_net_mesh_config come from):
 *   verifier.config_hash  SHA-384 of the cluster.json bytes;
 *   verifier.measurement  our own measurement, read from a report of our own
 *                         provider (sev-guest) or the computed sim measurement;
 *   verifier.min_tcb      the configured minimum, cctsa_snp_tcb_split(product, raw);
 *   verifier.allow_simulated / sim_ark  1 and the cluster's simulated ARK (DER) for
 *                         provider sim; 0 for sev-guest (pinned AMD roots);
 *   report, report_ctx    cctsa_net_provider_report and the cctsa_attest_provider;
 *   chain                 sim: cctsa_attest_get_chain; sev-guest: VCEK/ASK/ARK (DER)
 *                         from the host's certificate table or AMD KDS.
 * The transport of cctsa_core (send(peer, type, payload)) maps to
 * cctsa_net_mesh_send; on_message feeds cctsa_core_on_message.
 *
 * Mesh topology: node i dials every peer j > i and accepts connections from j < i.
 * A dial that fails or a channel that drops is retried with exponential backoff
 * (100 ms doubling to 5 s). A newer verified channel from a peer replaces an older.
 * A channel not up within 10 s (up_timeout_ms) of connecting is dropped (refusal
 * "timeout"); at
 * most 32 inbound channels may be unverified at once (further connections are
 * closed on accept). At most 64 MiB may wait unsent on one channel.
 */
#ifndef CCTSA_NET_H
#define CCTSA_NET_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/attest.h"
#include "cctsa/base.h"
#include "cctsa/tsp.h"

struct event_base;
struct evbuffer;

/* ====================================================================== */
/* Frames                                                                  */
/* ====================================================================== */

#define CCTSA_NET_FRAME_HDR 6
#define CCTSA_NET_FRAME_VERSION 1

/* One known frame type and its payload length bounds (min == max: exact). */
typedef struct {
	uint8_t type;
	uint32_t min_len;
	uint32_t max_len;
} cctsa_net_frame_type;

/* The rules of one protocol. Fields are public (static tables). */
typedef struct {
	const char *name; /* "corep", "peer": used in messages */
	uint8_t version;
	const cctsa_net_frame_type *types;
	size_t n_types;
} cctsa_net_frame_rules;

/*
 * Checks a frame header against rules.
 * Out: *type, *len (zero on failure).
 * Returns CCTSA_E_UNSUPPORTED (wrong version), CCTSA_E_MALFORMED (unknown type,
 * length outside that type's bounds).
 */
CCTSA_MUST_USE cctsa_err cctsa_net_frame_check(const cctsa_net_frame_rules *rules, uint8_t *type,
					       uint32_t *len,
					       const uint8_t hdr[static CCTSA_NET_FRAME_HDR],
					       cctsa_diag *diag);

/*
 * Looks at the start of a byte stream buf[0..n). If a whole, valid frame is there:
 * *total = header + payload length, *type, *payload (points into buf), *len.
 * If more bytes are needed (after a header that passed the checks, if present):
 * CCTSA_OK with *total = 0. Errors as cctsa_net_frame_check: the stream is broken.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_frame_peek(const cctsa_net_frame_rules *rules, size_t *total,
					      uint8_t *type, const uint8_t **payload, size_t *len,
					      const uint8_t *buf, size_t n, cctsa_diag *diag);

/*
 * Decodes exactly one frame from buf[0..n) (no trailing bytes).
 * CCTSA_E_MALFORMED on truncation or trailing bytes, else as cctsa_net_frame_check.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_frame_parse(const cctsa_net_frame_rules *rules, uint8_t *type,
					       const uint8_t **payload, size_t *len,
					       const uint8_t *buf, size_t n, cctsa_diag *diag);

/*
 * Appends a frame. CCTSA_E_USAGE if type is not in rules or len is outside its
 * bounds (we never send what we would refuse); CCTSA_E_RESOURCE from the buffer.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_frame_write(cctsa_buf *out, const cctsa_net_frame_rules *rules,
					       uint8_t type, const uint8_t *payload, size_t len,
					       cctsa_diag *diag);

/*
 * Incremental reassembly from a libevent input buffer: if a whole frame is
 * buffered, copies its payload into *payload (a growable cctsa_buf the caller
 * initialised; reset to length 0 first), removes the frame from in and sets
 * *have = 1. Otherwise *have = 0 and in is untouched. The header is checked as
 * soon as its 6 bytes are there, so an oversized announcement fails at once.
 * Errors as cctsa_net_frame_check, CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_frame_pull(const cctsa_net_frame_rules *rules, int *have,
					      uint8_t *type, cctsa_buf *payload,
					      struct evbuffer *in, cctsa_diag *diag);

/* ====================================================================== */
/* Gateway -> core protocol                                                */
/* ====================================================================== */

#define CCTSA_NET_COREP_TS_REQ 0x01
#define CCTSA_NET_COREP_TS_RESP 0x02
#define CCTSA_NET_COREP_INFO_REQ 0x03
#define CCTSA_NET_COREP_INFO_RESP 0x04

#define CCTSA_NET_COREP_TS_REQ_MAX 256
#define CCTSA_NET_COREP_TS_RESP_MAX 65536
#define CCTSA_NET_COREP_INFO_REQ_LEN 9
#define CCTSA_NET_COREP_INFO_RESP_MAX ((uint32_t)1 << 20)

#define CCTSA_NET_FLAVOR_HYBRID 0
#define CCTSA_NET_FLAVOR_PQ 1

#define CCTSA_NET_INFO_HEALTH 1
#define CCTSA_NET_INFO_METRICS 2
#define CCTSA_NET_INFO_ATTESTATION 3
#define CCTSA_NET_INFO_BINDING 4
#define CCTSA_NET_INFO_CERTS 5

#define CCTSA_NET_FAIL_NONE 0xff

/* The corep frame rules (version 1, the four types and their limits). */
extern const cctsa_net_frame_rules cctsa_net_corep_rules;

/* Decoded messages. Fields are public. Pointers of decoded messages point into
 * the payload that was decoded (valid while it is). */
typedef struct {
	uint64_t id;
	uint8_t flavor;
	cctsa_tsp_req req;
} cctsa_net_corep_ts_req;

typedef struct {
	uint64_t id;
	uint8_t status;   /* PKIStatus */
	uint8_t fail_bit; /* CCTSA_NET_FAIL_NONE or a PKIFailureInfo bit */
	const char *text; /* UTF-8, not NUL-terminated; may be NULL when text_len == 0 */
	size_t text_len;
	const uint8_t *token; /* DER ContentInfo; NULL when token_len == 0 */
	size_t token_len;
} cctsa_net_corep_ts_resp;

typedef struct {
	uint64_t id;
	uint8_t what;
} cctsa_net_corep_info_req;

typedef struct {
	uint64_t id;
	uint8_t status; /* 0 ok, 1 not available */
	const uint8_t *body;
	size_t body_len;
} cctsa_net_corep_info_resp;

/*
 * Encoders append a whole frame (header + payload) to out. CCTSA_E_USAGE if the
 * message breaks a rule the decoder enforces; CCTSA_E_RESOURCE from the buffer.
 * Decoders take a payload (after cctsa_net_frame_* checked the header), decode it
 * strictly and return CCTSA_E_MALFORMED (truncated, trailing bytes, inconsistent
 * length, bad field) or CCTSA_E_UNSUPPORTED (unknown hash, flavor, what); *out is
 * zeroed on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_corep_ts_req_encode(cctsa_buf *out, const cctsa_net_corep_ts_req *m,
						       cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_net_corep_ts_req_decode(cctsa_net_corep_ts_req *out, const uint8_t *p,
						       size_t len, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_net_corep_ts_resp_encode(cctsa_buf *out,
							const cctsa_net_corep_ts_resp *m,
							cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_net_corep_ts_resp_decode(cctsa_net_corep_ts_resp *out,
							const uint8_t *p, size_t len,
							cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_net_corep_info_req_encode(cctsa_buf *out,
							 const cctsa_net_corep_info_req *m,
							 cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_net_corep_info_req_decode(cctsa_net_corep_info_req *out,
							 const uint8_t *p, size_t len,
							 cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_net_corep_info_resp_encode(cctsa_buf *out,
							  const cctsa_net_corep_info_resp *m,
							  cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_net_corep_info_resp_decode(cctsa_net_corep_info_resp *out,
							  const uint8_t *p, size_t len,
							  cctsa_diag *diag);

/* ---- gateway side: client of one core's Unix socket ---- */
typedef struct cctsa_net_corep_client cctsa_net_corep_client;

/*
 * Completion of one request. err is CCTSA_OK with the decoded response (valid
 * only during the call), or CCTSA_E_IO (connection failed or closed before the
 * answer; resp NULL), CCTSA_E_MALFORMED (the core sent a bad frame: the
 * connection was closed; resp NULL), CCTSA_E_STATE (no answer before the
 * deadline, or client freed; resp NULL).
 * diag explains a failure (NULL on success). A callback may send new requests
 * but must not free the client.
 */
typedef void (*cctsa_net_corep_ts_cb)(void *arg, cctsa_err err, const cctsa_net_corep_ts_resp *resp,
				      const cctsa_diag *diag);
typedef void (*cctsa_net_corep_info_cb)(void *arg, cctsa_err err,
					const cctsa_net_corep_info_resp *resp,
					const cctsa_diag *diag);

/*
 * Creates a client for the core socket at path (copied). Connects lazily on the
 * first request and again after a drop (requests pending at a drop fail with
 * CCTSA_E_IO; the caller retries). Returns CCTSA_E_USAGE (path too long),
 * CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_corep_client_new(cctsa_net_corep_client **out,
						    struct event_base *base, const char *path,
						    cctsa_diag *diag);
/* Fails every pending request with CCTSA_E_STATE (callbacks run here), closes, frees. */
void cctsa_net_corep_client_free(cctsa_net_corep_client *c);
/*
 * Sends a TS_REQ (the id is assigned by the client) / an INFO_REQ. cb runs exactly
 * once, later (never from inside this call), unless this call fails:
 * CCTSA_E_USAGE (bad request fields), CCTSA_E_IO (cannot connect),
 * CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_corep_client_ts(cctsa_net_corep_client *c,
						   const cctsa_tsp_req *req, uint8_t flavor,
						   cctsa_net_corep_ts_cb cb, void *arg,
						   cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_net_corep_client_info(cctsa_net_corep_client *c, uint8_t what,
						     cctsa_net_corep_info_cb cb, void *arg,
						     cctsa_diag *diag);
/* Number of requests waiting for an answer (not counting timed-out ones). */
size_t cctsa_net_corep_client_pending(const cctsa_net_corep_client *c);
/*
 * Deadline of each request sent from now on, in ms (0 = none; default
 * CCTSA_NET_COREP_TIMEOUT_MS). A request not answered in time completes with
 * CCTSA_E_STATE ("no answer within ..."); its late answer, if any, is dropped
 * silently. Over 256 late answers owed: the connection is cut (pending requests
 * fail with CCTSA_E_IO) and re-made on the next request. Checked every 100 ms.
 */
#define CCTSA_NET_COREP_TIMEOUT_MS 30000u
void cctsa_net_corep_client_set_timeout(cctsa_net_corep_client *c, unsigned ms);

/* ---- core side: server on a Unix socket ---- */
typedef struct cctsa_net_corep_server cctsa_net_corep_server;

/*
 * Handlers, called on the event loop. conn identifies the connection (never
 * reused within a server); answer each request exactly once with
 * cctsa_net_corep_server_reply_*, now or later, in any order (an answer is what
 * frees its in-flight slot). on_error (may be NULL) reports a connection closed because
 * the gateway sent a bad frame (the caller logs it).
 */
typedef struct {
	void *ctx;
	void (*on_ts)(void *ctx, uint64_t conn, const cctsa_net_corep_ts_req *req);
	void (*on_info)(void *ctx, uint64_t conn, const cctsa_net_corep_info_req *req);
	void (*on_error)(void *ctx, uint64_t conn, const cctsa_diag *diag);
} cctsa_net_corep_handlers;

/*
 * Binds and listens on path (an existing socket file is removed first; mode 0660).
 * Returns CCTSA_E_IO (bind/listen), CCTSA_E_USAGE (path too long), CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_corep_server_new(cctsa_net_corep_server **out,
						    struct event_base *base, const char *path,
						    const cctsa_net_corep_handlers *h,
						    cctsa_diag *diag);
/* Closes every connection and the listener, unlinks the socket path, frees. */
void cctsa_net_corep_server_free(cctsa_net_corep_server *s);
/*
 * Backpressure against a gateway that floods: a connection stops being read
 * while n requests (default 4096) are handed to the handlers and not yet
 * answered, or while 16 MiB of answers wait unsent; reading resumes as answers
 * drain. At most 64 connections at once (more are closed on accept). n >= 1.
 */
void cctsa_net_corep_server_set_max_inflight(cctsa_net_corep_server *s, unsigned n);
/*
 * Queues a response on connection conn. CCTSA_E_STATE if that connection is gone
 * (the answer is dropped: the gateway's request already failed), CCTSA_E_USAGE
 * for a response the decoder would refuse, CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_corep_server_reply_ts(cctsa_net_corep_server *s, uint64_t conn,
							 const cctsa_net_corep_ts_resp *m,
							 cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_net_corep_server_reply_info(cctsa_net_corep_server *s,
							   uint64_t conn,
							   const cctsa_net_corep_info_resp *m,
							   cctsa_diag *diag);

/* ====================================================================== */
/* Attested peer channels                                                  */
/* ====================================================================== */

#define CCTSA_NET_MAX_NODES 16
#define CCTSA_NET_HASH_LEN 48
#define CCTSA_NET_NONCE_LEN 32
#define CCTSA_NET_PEER_MAX ((uint32_t)1 << 20) /* application payload limit */
#define CCTSA_NET_ATTEST_MAX 16384
#define CCTSA_NET_APP_TYPE_MIN 0x01
#define CCTSA_NET_APP_TYPE_MAX 0xef

#define CCTSA_NET_PEER_HELLO 0xf1
#define CCTSA_NET_PEER_ATTEST 0xf2
#define CCTSA_NET_PEER_READY 0xf3

/* Why a peer channel was refused or dropped. */
typedef enum {
	CCTSA_NET_REFUSE_NONE = 0,
	CCTSA_NET_REFUSE_TLS,      /* TLS handshake failed, no/odd peer certificate */
	CCTSA_NET_REFUSE_PROTOCOL, /* bad frame, wrong order, wrong node id */
	CCTSA_NET_REFUSE_ATTEST,   /* a cctsa_snp_verify check failed: see check */
	CCTSA_NET_REFUSE_ROOT,     /* simulated ARK is not the cluster's */
	CCTSA_NET_REFUSE_TIMEOUT,  /* not up in time */
	CCTSA_NET_REFUSE_CLOSED,   /* the peer closed / socket error */
	CCTSA_NET_REFUSE_LOCAL     /* we could not produce our own report / resource */
} cctsa_net_refuse_reason;

const char *cctsa_net_refuse_name(cctsa_net_refuse_reason r);

/* Fields are public. */
typedef struct {
	cctsa_net_refuse_reason reason;
	cctsa_snp_check check; /* first failed check when reason == ATTEST */
	cctsa_diag diag;
} cctsa_net_refusal;

/* What we learned about a verified peer. Fields are public. */
typedef struct {
	unsigned node;
	uint8_t measurement[CCTSA_SNP_MEASUREMENT_LEN];
	uint8_t tls_key_hash[CCTSA_NET_HASH_LEN];
	uint8_t chip_id[CCTSA_SNP_CHIP_ID_LEN];
	uint64_t policy;
	uint64_t reported_tcb;
	int simulated;
	cctsa_snp_product product;
	uint8_t report[CCTSA_SNP_REPORT_LEN]; /* the report that was accepted */
} cctsa_net_peer_info;

/* Produces a fresh report over report_data (e.g. cctsa_net_provider_report). */
typedef cctsa_err (*cctsa_net_report_fn)(void *ctx, uint8_t out[static CCTSA_SNP_REPORT_LEN],
					 const uint8_t report_data[static CCTSA_SNP_REPORT_DATA_LEN],
					 cctsa_diag *diag);
/* Adapter: ctx is a cctsa_attest_provider *. */
CCTSA_MUST_USE cctsa_err cctsa_net_provider_report(void *ctx,
						   uint8_t out[static CCTSA_SNP_REPORT_LEN],
						   const uint8_t rd[static CCTSA_SNP_REPORT_DATA_LEN],
						   cctsa_diag *diag);

/* The verifier's expectations. Fields are public. */
typedef struct {
	uint8_t config_hash[CCTSA_NET_HASH_LEN];
	uint8_t measurement[CCTSA_SNP_MEASUREMENT_LEN]; /* our own */
	cctsa_snp_tcb min_tcb;
	int allow_simulated;  /* provider sim: accept the simulator's roots (never for sev-guest) */
	/*
	 * DER of the cluster's shared simulated ARK: a peer's ARK must be these exact
	 * bytes. NULL: any simulator root is accepted (every other check still
	 * applies) -- for clusters whose cores each made their own simulator; it
	 * adds nothing against someone who can run the simulator, so prefer the pin.
	 */
	const uint8_t *sim_ark;
	size_t sim_ark_len;
} cctsa_net_verifier;

/*
 * Builds an ATTEST payload (see above) into out (appended): a fresh report over
 * cctsa_snp_binding(tls_key_hash, config_hash, nonce) and our chain (DER or PEM
 * blobs, each <= 65535 bytes). Returns CCTSA_E_USAGE (chain too large), errors of
 * report(), CCTSA_E_CRYPTO, CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_attest_build(cctsa_buf *out, cctsa_net_report_fn report,
						void *report_ctx, const cctsa_snp_chain *chain,
						const uint8_t tls_key_hash[static CCTSA_NET_HASH_LEN],
						const uint8_t config_hash[static CCTSA_NET_HASH_LEN],
						const uint8_t nonce[static CCTSA_NET_NONCE_LEN],
						cctsa_diag *diag);
/*
 * Verifies an ATTEST payload received on a session where the peer's certificate
 * key hashes to peer_key_hash and we sent nonce. at: Unix time for certificate
 * validity. On success fills *info (node left 0) and returns CCTSA_OK; otherwise
 * CCTSA_E_MALFORMED (payload layout; reason PROTOCOL), CCTSA_E_VERIFY (reason
 * ATTEST with the first failed check, or ROOT), CCTSA_E_RESOURCE; *why says which.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_attest_verify(cctsa_net_peer_info *info, cctsa_net_refusal *why,
						 const cctsa_net_verifier *v, int64_t at,
						 const uint8_t *payload, size_t len,
						 const uint8_t peer_key_hash[static CCTSA_NET_HASH_LEN],
						 const uint8_t nonce[static CCTSA_NET_NONCE_LEN]);

/* SHA-384 of the DER SubjectPublicKeyInfo of an OpenSSL key (EVP_PKEY *). */
CCTSA_MUST_USE cctsa_err cctsa_net_key_hash(uint8_t out[static CCTSA_NET_HASH_LEN], const void *pkey,
					    cctsa_diag *diag);

/*
 * The peer frame rules: net's three types plus the application's (app_types, or
 * when n_app == 0 every type 0x01..0xef with 0..CCTSA_NET_PEER_MAX bytes). The
 * rules point into the struct itself: initialise it where it will stay.
 * Returns CCTSA_E_USAGE (app type outside 0x01..0xef, duplicate, bound over the limit).
 */
typedef struct {
	cctsa_net_frame_type types[256];
	cctsa_net_frame_rules rules;
} cctsa_net_peer_rules;
CCTSA_MUST_USE cctsa_err cctsa_net_peer_rules_init(cctsa_net_peer_rules *out,
						   const cctsa_net_frame_type *app, size_t n_app,
						   cctsa_diag *diag);
/*
 * Checks the layout of an ATTEST payload (report of 1184 bytes, three non-empty
 * u16-length-prefixed blobs, nothing after) without verifying anything.
 * CCTSA_E_MALFORMED otherwise. For fuzzing and diagnostics.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_attest_check_layout(const uint8_t *payload, size_t len);

/* ---- the mesh ---- */
typedef struct cctsa_net_mesh cctsa_net_mesh;

/*
 * Callbacks run on the event loop. They may call cctsa_net_mesh_send and
 * cctsa_net_mesh_drop, but must not free the mesh.
 */
typedef struct {
	void *ctx;
	/* An application frame from a verified peer (payload valid during the call). */
	void (*on_message)(void *ctx, unsigned peer, uint8_t type, const uint8_t *payload,
			   size_t len);
	void (*on_peer_up)(void *ctx, unsigned peer, const cctsa_net_peer_info *info);
	void (*on_peer_down)(void *ctx, unsigned peer);
	/* A channel refused or dropped before/after verification; peer = -1 if unknown. */
	void (*on_refused)(void *ctx, int peer, const cctsa_net_refusal *why);
} cctsa_net_mesh_callbacks;

/* Fields are public; strings and tables are copied by cctsa_net_mesh_new. */
typedef struct {
	unsigned id; /* our node id */
	unsigned n;  /* nodes, 2..CCTSA_NET_MAX_NODES */
	struct {
		const char *host; /* numeric IPv4/IPv6 address */
		uint16_t port;
	} nodes[CCTSA_NET_MAX_NODES]; /* nodes[id] is our own listening address */
	cctsa_net_verifier verifier;
	cctsa_net_report_fn report;
	void *report_ctx;
	cctsa_snp_chain chain; /* ours, sent in ATTEST */
	/* Optional exact set of application types (all in 0x01..0xef) with bounds (max <=
	 * CCTSA_NET_PEER_MAX); n_app_types == 0: every type 0x01..0xef, 0..1 MiB. */
	const cctsa_net_frame_type *app_types;
	size_t n_app_types;
	unsigned up_timeout_ms; /* a channel must be up this soon after connecting; 0: 10000 */
	cctsa_net_mesh_callbacks cb;
} cctsa_net_mesh_config;

/*
 * Makes the boot TLS key and certificate, listens on nodes[id] (port 0: an
 * ephemeral port, see cctsa_net_mesh_port) and starts dialing peers j > id. Returns CCTSA_E_USAGE (bad config), CCTSA_E_IO (bind/listen),
 * CCTSA_E_CRYPTO, CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_mesh_new(cctsa_net_mesh **out, struct event_base *base,
					    const cctsa_net_mesh_config *cfg, cctsa_diag *diag);
/* Closes every channel (no callbacks), frees the TLS key. m may be NULL. */
void cctsa_net_mesh_free(cctsa_net_mesh *m);
/*
 * Queues an application frame to peer. CCTSA_E_STATE (peer not up),
 * CCTSA_E_USAGE (type outside 0x01..0xef or not in app_types, len out of bounds, peer out of
 * range or ourselves), CCTSA_E_RESOURCE (out of memory, or 64 MiB already waiting
 * unsent to that peer). Never calls back. Frames to one peer arrive in order.
 */
CCTSA_MUST_USE cctsa_err cctsa_net_mesh_send(cctsa_net_mesh *m, unsigned peer, uint8_t type,
					     const uint8_t *payload, size_t len, cctsa_diag *diag);
/* 1 if peer is up. */
int cctsa_net_mesh_peer_up(const cctsa_net_mesh *m, unsigned peer);
/* The verified attestation of an up peer, NULL otherwise (valid until it drops). */
const cctsa_net_peer_info *cctsa_net_mesh_peer_info(const cctsa_net_mesh *m, unsigned peer);
/* The port we listen on (useful when nodes[id].port was 0: ephemeral). */
uint16_t cctsa_net_mesh_port(const cctsa_net_mesh *m);
/* Our TLS key hash (bound into our reports). */
const uint8_t *cctsa_net_mesh_key_hash(const cctsa_net_mesh *m);
/* Drops the channel to peer (it will be redialed / accepted again). */
void cctsa_net_mesh_drop(cctsa_net_mesh *m, unsigned peer);
/* Bytes of application frames sent/received (headers included), for bench. */
void cctsa_net_mesh_bytes(const cctsa_net_mesh *m, uint64_t *sent, uint64_t *received);

#endif
