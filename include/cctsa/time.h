/*
 * time: trusted time for the TSA (DESIGN.md §6).
 *
 *  1. An NTS client (RFC 8915): NTS-KE over TLS 1.3 (ALPN "ntske/1"), key export,
 *     cookies, NTPv4 requests carrying the NTS extension fields, AES-SIV-CMAC-256
 *     (AEAD id 15) protection, and strict checks of every reply.
 *  2. A disciplined clock: a monotonic platform counter steered by >= 4 sources
 *     combined fault-tolerantly, slewed only (never steps back), with a bounded
 *     holdover after which time is unavailable; it yields genTime + accuracy.
 *  3. TriHaRd: signed time messages between cluster nodes; a node that leaves the
 *     median by more than the tolerance withdraws itself and rejoins after three
 *     good rounds.
 *
 * Times are int64 nanoseconds: "UTC" values count from the Unix epoch, "counter"
 * values are the monotonic platform counter. Nothing here prints, logs or exits;
 * results and counters are returned. Include as "cctsa/time.h".
 */
#ifndef CCTSA_TIME_H
#define CCTSA_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"

/* ================================ NTS ================================ */

#define CCTSA_NTS_KE_PORT 4460
#define CCTSA_NTS_PROTO_NTPV4 0
#define CCTSA_NTS_AEAD_AES_SIV_CMAC_256 15
#define CCTSA_NTS_KEY_LEN 32       /* AES-128-SIV: two 128-bit keys */
#define CCTSA_NTS_SIV_TAG_LEN 16
#define CCTSA_NTS_UID_LEN 32       /* Unique Identifier we send */
#define CCTSA_NTS_NONCE_LEN 16     /* nonce we send */
#define CCTSA_NTS_COOKIE_MAX 512   /* longest cookie we keep */
#define CCTSA_NTS_MAX_COOKIES 8
#define CCTSA_NTS_KE_MAX_RESPONSE 16384
#define CCTSA_NTP_HEADER_LEN 48
#define CCTSA_NTP_PACKET_MAX 1232 /* largest request we build / reply we accept */

/* NTS-KE record types (RFC 8915 §4.1) and NTP extension field types (§5.3-5.6). */
enum {
	CCTSA_NTS_KE_END = 0,
	CCTSA_NTS_KE_NEXT_PROTO = 1,
	CCTSA_NTS_KE_ERROR = 2,
	CCTSA_NTS_KE_WARNING = 3,
	CCTSA_NTS_KE_AEAD = 4,
	CCTSA_NTS_KE_COOKIE = 5,
	CCTSA_NTS_KE_SERVER = 6,
	CCTSA_NTS_KE_PORT_REC = 7
};
enum {
	CCTSA_NTP_EF_UID = 0x0104,
	CCTSA_NTP_EF_COOKIE = 0x0204,
	CCTSA_NTP_EF_PLACEHOLDER = 0x0304,
	CCTSA_NTP_EF_AUTH = 0x0404
};

/* A parsed NTS-KE response (public data; fields are read by callers). */
typedef struct {
	uint16_t next_proto;   /* always CCTSA_NTS_PROTO_NTPV4 after a successful parse */
	uint16_t aead;         /* always CCTSA_NTS_AEAD_AES_SIV_CMAC_256 */
	char server[256];      /* NTPv4 server negotiated, "" if the record was absent */
	uint16_t port;         /* NTPv4 port negotiated, 0 if the record was absent */
	size_t n_cookies;      /* 1..CCTSA_NTS_MAX_COOKIES kept (extra cookies are dropped) */
	size_t cookies_seen;   /* cookies in the response, kept or not */
	uint16_t cookie_len[CCTSA_NTS_MAX_COOKIES];
	uint8_t cookie[CCTSA_NTS_MAX_COOKIES][CCTSA_NTS_COOKIE_MAX];
	uint16_t error_code;   /* valid if has_error (the parse then fails) */
	uint8_t has_error;
} cctsa_nts_ke_response;

/*
 * Writes the NTS-KE request: Next Protocol {NTPv4} (critical), AEAD {15}
 * (critical), End of Message (critical). Returns CCTSA_E_RESOURCE if out is full.
 */
CCTSA_MUST_USE cctsa_err cctsa_nts_ke_request_write(cctsa_buf *out);

/*
 * Parses a complete NTS-KE response (records up to and including End of Message,
 * nothing after it). Strict: critical bits as RFC 8915 requires them, exactly one
 * Next Protocol record naming only NTPv4, exactly one AEAD record naming only 15,
 * at least one cookie, at most one server and one port record, no unknown critical
 * record, no Error or Warning record.
 * Returns CCTSA_OK; CCTSA_E_MALFORMED (framing, lengths, missing or repeated
 * records, bad critical bit, trailing bytes); CCTSA_E_UNSUPPORTED (protocol or AEAD
 * we did not offer, unknown critical record, warning); CCTSA_E_STATE (the server sent
 * an Error record: out->has_error and out->error_code say which).
 * Out: *out (zeroed first; partially filled on failure). diag may be NULL.
 */
CCTSA_MUST_USE cctsa_err cctsa_nts_ke_parse(cctsa_nts_ke_response *out, const uint8_t *buf,
					    size_t len, cctsa_diag *diag);

/*
 * AEAD_AES_SIV_CMAC_{256,384,512} (RFC 5297 §6, the associated data then the nonce
 * as S2V components). key_len is 32, 48 or 64; the key is secret. seal writes
 * tag || ciphertext (pt_len + 16 bytes) to out; open reads that form, writes
 * ct_len - 16 bytes to pt, and returns CCTSA_E_VERIFY (pt wiped) if the tag is wrong.
 * nonce_len >= 1; ad may be NULL when ad_len is 0; pt may be NULL when pt_len is 0.
 * Returns CCTSA_E_USAGE on bad lengths, CCTSA_E_CRYPTO if OpenSSL fails.
 */
CCTSA_MUST_USE cctsa_err cctsa_nts_siv_seal(uint8_t *out, const uint8_t *key, size_t key_len,
					    const uint8_t *nonce, size_t nonce_len, const uint8_t *ad,
					    size_t ad_len, const uint8_t *pt, size_t pt_len);
CCTSA_MUST_USE cctsa_err cctsa_nts_siv_open(uint8_t *pt, const uint8_t *key, size_t key_len,
					    const uint8_t *nonce, size_t nonce_len, const uint8_t *ad,
					    size_t ad_len, const uint8_t *ct, size_t ct_len);

/* One NTP extension field as the parser sees it (body points into the packet). */
typedef struct {
	uint16_t type;
	uint16_t len;        /* whole field, header included */
	const uint8_t *body; /* len - 4 bytes */
	size_t offset;       /* where the field starts in the buffer parsed */
} cctsa_ntp_ef;

/*
 * Splits buf into extension fields (RFC 7822): each has a 4-byte header, a length
 * that is a multiple of 4, at least 16 and inside the buffer; the fields must cover
 * buf exactly. At most max_efs fields are returned in efs.
 * Returns CCTSA_OK; CCTSA_E_MALFORMED (bad length, trailing bytes, too many fields).
 */
CCTSA_MUST_USE cctsa_err cctsa_ntp_ef_parse(cctsa_ntp_ef *efs, size_t max_efs, size_t *n_efs,
					    const uint8_t *buf, size_t len, cctsa_diag *diag);

/* Counters of one NTS association; all public, monotonically increasing. */
typedef struct {
	uint64_t requests;      /* requests built */
	uint64_t accepted;      /* replies that passed every check */
	uint64_t malformed;     /* replies that did not parse */
	uint64_t unexpected;    /* no request pending, origin timestamp or UID mismatch */
	uint64_t auth_failed;   /* authenticator missing or did not verify */
	uint64_t insane;        /* stratum, leap, timestamps or distance out of range */
	uint64_t kod;           /* kiss-o'-death (including NTS NAK) */
	uint64_t cookies_in;    /* cookies received in authenticated replies */
} cctsa_nts_counters;

/* One authenticated measurement (NTP on-wire calculation, RFC 5905 §8). */
typedef struct {
	int64_t offset_ns;      /* server time minus local time */
	int64_t delay_ns;       /* round trip minus server processing, >= 0 */
	int64_t error_ns;       /* delay/2 + root delay/2 + root dispersion + precisions */
	int64_t t1_ns, t2_ns, t3_ns, t4_ns; /* local send, server receive/transmit, local receive */
	uint8_t stratum;
	uint8_t leap;
	int8_t precision;
	uint32_t refid;
	int64_t root_delay_ns, root_disp_ns;
} cctsa_nts_sample;

typedef struct cctsa_nts_session cctsa_nts_session;

/* Source of the local times T1/T4 (ns). NULL function: CLOCK_REALTIME. */
typedef struct {
	int64_t (*now_ns)(void *ctx);
	void *ctx;
} cctsa_time_source;

/*
 * Creates a session from exported keys and a parsed KE response (used by
 * cctsa_nts_ke_run; public so tests and other transports can build sessions).
 * c2s/s2c are secret: copied into locked memory, the caller wipes its copies.
 * Returns CCTSA_E_USAGE (no cookie in ke), CCTSA_E_RESOURCE. *out NULL on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_nts_session_new(cctsa_nts_session **out,
					       const uint8_t c2s[static CCTSA_NTS_KEY_LEN],
					       const uint8_t s2c[static CCTSA_NTS_KEY_LEN],
					       const cctsa_nts_ke_response *ke);
/* Wipes keys and cookies and frees; s may be NULL. */
void cctsa_nts_session_free(cctsa_nts_session *s);

/* Result of NTS-KE beyond the parsed response (for display). */
typedef struct {
	char tls_version[16];
	char ntp_host[256];     /* where NTPv4 goes: negotiated server or the KE host */
	uint16_t ntp_port;      /* negotiated port or 123 */
} cctsa_nts_ke_info;

/*
 * Runs NTS-KE with host:port: TCP, TLS 1.3 only, certificate chain checked against
 * ca_file (PEM; NULL = the system store) and the name or IP address in host, ALPN
 * "ntske/1" required, request, response parsed with cctsa_nts_ke_parse, keys
 * exported with label "EXPORTER-network-time-security" and context
 * (protocol 0, AEAD 15, 0x00 C2S / 0x01 S2C). timeout_ms bounds each I/O wait.
 * Returns CCTSA_OK; CCTSA_E_IO (resolve, connect, timeout); CCTSA_E_VERIFY
 * (certificate, name, ALPN); CCTSA_E_CRYPTO (TLS failure); the parse errors.
 * Out: *out session (NULL on failure), *ke and *info (may be NULL).
 */
CCTSA_MUST_USE cctsa_err cctsa_nts_ke_run(cctsa_nts_session **out, cctsa_nts_ke_response *ke,
					  cctsa_nts_ke_info *info, const char *host, uint16_t port,
					  const char *ca_file, int timeout_ms, cctsa_diag *diag);

/* Cookies currently held (0..8). */
size_t cctsa_nts_session_cookies(const cctsa_nts_session *s);
/* Counters so far. */
void cctsa_nts_session_counters(const cctsa_nts_session *s, cctsa_nts_counters *out);

/*
 * Builds an NTS-protected client request into out (cap >= CCTSA_NTP_PACKET_MAX):
 * random transmit timestamp, Unique Identifier, one cookie (removed from the
 * store), placeholders to refill the store to 8, authenticator (empty plaintext).
 * Replaces any pending request. The caller records T1 just before sending.
 * Returns CCTSA_E_STATE (no cookie left: run NTS-KE again), CCTSA_E_CRYPTO.
 */
CCTSA_MUST_USE cctsa_err cctsa_nts_request(cctsa_nts_session *s, uint8_t *out, size_t cap,
					   size_t *out_len, cctsa_diag *diag);

/*
 * Checks a reply against the pending request: size, version/mode, origin timestamp,
 * extension fields, Unique Identifier echo, authenticator (S2C key), then stratum,
 * leap, timestamps and root distance; takes the encrypted cookies. On success the
 * request is no longer pending (a replay is "unexpected") and *out is filled from
 * t1_ns/t4_ns (local send/receive). A failed reply leaves the request pending and
 * bumps one counter.
 * Returns CCTSA_OK; CCTSA_E_MALFORMED; CCTSA_E_STATE (nothing pending, or KoD:
 * diag names the code); CCTSA_E_VERIFY (origin, UID, authenticator); CCTSA_E_UNSUPPORTED
 * (unsynchronised or insane server).
 */
CCTSA_MUST_USE cctsa_err cctsa_nts_reply(cctsa_nts_session *s, cctsa_nts_sample *out,
					 const uint8_t *pkt, size_t len, int64_t t1_ns,
					 int64_t t4_ns, cctsa_diag *diag);

/*
 * One UDP exchange with the session's NTP server: request, then read datagrams
 * until one passes cctsa_nts_reply or timeout_ms passes (bad datagrams are counted
 * and skipped). clock may be NULL (CLOCK_REALTIME).
 * Returns CCTSA_OK; CCTSA_E_IO (socket, timeout: the last reply error is in diag);
 * cctsa_nts_request's errors.
 */
CCTSA_MUST_USE cctsa_err cctsa_nts_query(cctsa_nts_session *s, cctsa_nts_sample *out,
					 const cctsa_time_source *clock, int timeout_ms,
					 cctsa_diag *diag);
/* Where cctsa_nts_query sends (negotiated server/port, or the KE host and 123). */
void cctsa_nts_session_endpoint(const cctsa_nts_session *s, const char **host, uint16_t *port);

/* ============================ disciplined clock ============================ */

/* The platform counter: ns, monotonic, never steps. NULL now_ns: CLOCK_MONOTONIC_RAW. */
typedef struct {
	int64_t (*now_ns)(void *ctx);
	void *ctx;
} cctsa_counter;

typedef enum {
	CCTSA_COUNTER_MONOTONIC_RAW = 0, /* no SecureTSC: CLOCK_MONOTONIC_RAW */
	CCTSA_COUNTER_SECURE_TSC = 1     /* SEV-SNP SecureTSC drives the kernel's tsc clocksource */
} cctsa_counter_kind;

/*
 * Probes the platform: SecureTSC is reported only when this is an SEV-SNP guest
 * whose kernel says SecureTSC is active and whose clocksource is "tsc" (then
 * CLOCK_MONOTONIC_RAW is SecureTSC-derived). why (may be NULL) receives a
 * one-line reason. Never fails.
 */
cctsa_counter_kind cctsa_counter_probe(char *why, size_t why_cap);

typedef struct {
	int64_t holdover_ns;   /* time without a good update before unavailable (10 min) */
	uint32_t max_slew_ppm; /* rate correction while a gap is being closed (500 ppm) */
	uint32_t drift_ppm;    /* counter frequency error assumed for the bound (50 ppm) */
	uint32_t min_sources;  /* fewest valid sources for an update (4; f = (n-1)/3) */
	int64_t max_error_ns;  /* above this bound time is unavailable (1 s) */
} cctsa_clock_config;

/* Fills the defaults shown above. */
void cctsa_clock_config_default(cctsa_clock_config *cfg);

typedef struct cctsa_clock cctsa_clock;

/*
 * Creates a clock on counter (copied; NULL = CLOCK_MONOTONIC_RAW) with cfg
 * (NULL = defaults). Returns CCTSA_E_USAGE (bad config), CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_clock_new(cctsa_clock **out, const cctsa_counter *counter,
					 const cctsa_clock_config *cfg);
void cctsa_clock_free(cctsa_clock *clk);
/* The counter now (the local timescale NTS samples must be taken in). */
int64_t cctsa_clock_counter_now(const cctsa_clock *clk);

/* One source's reading for an update: UTC - counter, with its error bound. */
typedef struct {
	int64_t offset_ns;
	int64_t error_ns;  /* >= 0 */
	uint8_t valid;     /* 0: source lost this round */
} cctsa_clock_sample;

/* Outcome of one update. */
typedef struct {
	size_t used;          /* valid sources */
	size_t truechimers;   /* sources whose interval meets the agreed intersection */
	size_t falsetickers;  /* valid sources outside it (out-voted) */
	int64_t offset_ns;    /* combined UTC - counter */
	int64_t error_ns;     /* half-width bound of the combination */
	uint8_t applied;      /* 1: the clock took this update */
} cctsa_clock_update_result;

/*
 * Combines one round of samples measured around counter time "now":
 * intervals [offset - error, offset + error] are intersected (Marzullo style)
 * allowing f = (n-1)/3 false-tickers; the true offset lies where >= n-f intervals
 * overlap; the f highest and f lowest truechimer offsets are dropped and the rest
 * averaged. The first update sets the time (nothing served yet); later ones only
 * change the slew rate. Fewer than min_sources valid samples, or no agreement,
 * leaves the clock in holdover (result->applied = 0, CCTSA_E_STATE).
 * Returns CCTSA_OK, CCTSA_E_STATE, CCTSA_E_USAGE (n > 64, negative error).
 */
CCTSA_MUST_USE cctsa_err cctsa_clock_update(cctsa_clock *clk, cctsa_clock_update_result *res,
					    const cctsa_clock_sample *samples, size_t n);

/* The time to put in TSTInfo. */
typedef struct {
	int64_t utc_ns;        /* genTime */
	int64_t accuracy_ns;   /* bound on |genTime - UTC|, never below what was measured */
	uint64_t accuracy_us;  /* accuracy_ns rounded up to microseconds (TSTInfo accuracy) */
	int64_t since_sync_ns; /* counter time since the last applied update */
} cctsa_clock_reading;

/*
 * Reads the served time: monotonic (never below a previous reading), slewed
 * toward the combined estimate. The bound is |served - estimate| + estimate error
 * + drift_ppm * time since sync.
 * Returns CCTSA_OK; CCTSA_E_STATE ("time unavailable": never synced, holdover
 * exceeded, or bound above max_error_ns), *out zeroed then.
 */
CCTSA_MUST_USE cctsa_err cctsa_clock_now(cctsa_clock *clk, cctsa_clock_reading *out);

/* ================================ TriHaRd ================================ */

#define CCTSA_TRIHARD_MAX_NODES 16
#define CCTSA_TRIHARD_MSG_MAX 160

typedef struct {
	/* Delivers msg to every other node. Called from cctsa_trihard_round_begin. */
	cctsa_err (*broadcast)(void *ctx, const uint8_t *msg, size_t len);
	void *ctx;
} cctsa_trihard_transport;

typedef struct {
	int64_t tolerance_ns;  /* 100 ms */
	uint32_t rejoin_rounds; /* 3 */
	uint32_t rtt_window;   /* RTT samples averaged per peer (8) */
} cctsa_trihard_config;
void cctsa_trihard_config_default(cctsa_trihard_config *cfg);

typedef struct cctsa_trihard cctsa_trihard;

/*
 * Creates this node's TriHaRd state. key is its ECDSA P-384 private key (EVP_PKEY*,
 * not taken over: an up-ref is kept). Peers are added with cctsa_trihard_add_peer.
 * Returns CCTSA_E_USAGE (not a P-384 key), CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_trihard_new(cctsa_trihard **out, uint32_t node_id, void *key,
					   const cctsa_trihard_transport *tx,
					   const cctsa_trihard_config *cfg);
void cctsa_trihard_free(cctsa_trihard *th);
/* Registers peer node_id with its public key (EVP_PKEY*, up-ref kept). E_USAGE, E_RESOURCE. */
CCTSA_MUST_USE cctsa_err cctsa_trihard_add_peer(cctsa_trihard *th, uint32_t node_id, void *pub);

/*
 * Starts round `round` (strictly increasing): signs {node id, round, local time,
 * error bound, withdrawn flag} and broadcasts it. Readings of earlier rounds are dropped.
 */
CCTSA_MUST_USE cctsa_err cctsa_trihard_round_begin(cctsa_trihard *th, uint64_t round,
						   int64_t local_ns, int64_t error_ns);
/*
 * Takes a peer's message received at local time local_rx_ns with measured round trip
 * rtt_ns to that peer. Returns CCTSA_E_MALFORMED, CCTSA_E_VERIFY (bad signature,
 * unknown node), CCTSA_E_STATE (other round, duplicate, own id).
 */
CCTSA_MUST_USE cctsa_err cctsa_trihard_receive(cctsa_trihard *th, const uint8_t *msg, size_t len,
					       int64_t local_rx_ns, int64_t rtt_ns, cctsa_diag *diag);

typedef struct {
	size_t readings;        /* own + peers' readings of this round */
	int64_t median_ns;      /* median of (peer time + RTT/2 - local receive time), own = 0 */
	uint8_t withdrawn;      /* this node is out of the signing set after this round */
	uint8_t changed;        /* withdrawn changed in this round */
	uint32_t good_rounds;   /* consecutive rounds within tolerance while withdrawn */
	uint32_t excluded[CCTSA_TRIHARD_MAX_NODES]; /* peers excluded this round */
	size_t n_excluded;
} cctsa_trihard_result;

/*
 * Ends the round: needs readings from more than half the cluster (else
 * CCTSA_E_STATE, state unchanged). |median| > tolerance withdraws this node;
 * a withdrawn node rejoins after rejoin_rounds consecutive rounds within it.
 * Peers that announced withdrawal or sit beyond the tolerance from the median are
 * listed as excluded.
 */
CCTSA_MUST_USE cctsa_err cctsa_trihard_round_end(cctsa_trihard *th, cctsa_trihard_result *res);
int cctsa_trihard_withdrawn(const cctsa_trihard *th);

#endif
