/*
 * tecdsa: threshold ECDSA over P-384, 3-of-5, DKLs23 with presignatures
 * (specs/threshold-ecdsa.md). Library only: parties are objects that produce and
 * consume versioned, fixed-length messages; a coordinator (the cluster layer)
 * carries them between nodes, one call per message.
 *
 * Flow for party i (1..5):
 *   DKG (3 rounds):  dkg_start; for each peer j: dkg_msg1(j) -> dkg_recv1;
 *                    dkg_msg2(j) -> dkg_recv2; then dkg_msg3 (broadcast) ->
 *                    dkg_recv3 from the four peers; dkg_finish.
 *   Presign (2 rounds, per signing set S, ID P): presign_new; presign_msg1(j) ->
 *                    presign_recv1; presign_msg2(j) -> presign_recv2; presign_finish
 *                    stores the presignature (RAM only) under P.
 *   Online (1 round): sign_share(P, e) releases this party's share (the
 *                    presignature is consumed first); combine(P, e, 3 shares)
 *                    verifies with OpenSSL and DER-encodes (r, s).
 * Every message starts with version (1), type (1); its length is fixed per type
 * (D3 complaints: fixed given their length fields). Sizes are the spec's plus these
 * two bytes: M1 28,820, M2 92,680, online share 179, D1 25,269, D2 29,080.
 * Session state refers to its party; replay caches (dkg_sid, presignature IDs) live
 * in the party object, and persisting them across restarts is the caller's job. Faults are reported through
 * an optional cctsa_tecdsa_fault with the spec §7.2 action: ABORT (session over,
 * no blame) or BAN (peer's own authenticated message proved cheating: OT state
 * with it erased, it is refused for this key, in-flight sessions with it fail).
 * A party object is not thread-safe. All secrets live in cctsa_secret_alloc memory
 * and are wiped on free. Low-s normalisation is not applied (spec §5).
 */
#ifndef CCTSA_TECDSA_H
#define CCTSA_TECDSA_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"

#define CCTSA_TECDSA_PARTIES 5
#define CCTSA_TECDSA_THRESHOLD 3
#define CCTSA_TECDSA_SID_LEN 32
#define CCTSA_TECDSA_PT_LEN 49
#define CCTSA_TECDSA_DIGEST_LEN 48
#define CCTSA_TECDSA_SIG_MAX 104
#define CCTSA_TECDSA_M1_LEN 28820
#define CCTSA_TECDSA_M2_LEN 92680
#define CCTSA_TECDSA_SHARE_LEN 179
#define CCTSA_TECDSA_D1_LEN 25269
#define CCTSA_TECDSA_D2_LEN 29080

typedef struct cctsa_tecdsa_party cctsa_tecdsa_party;
typedef struct cctsa_tecdsa_presign cctsa_tecdsa_presign;

typedef enum {
	CCTSA_TECDSA_NONE = 0,
	CCTSA_TECDSA_ABORT, /* abort the session and alert; nobody banned */
	CCTSA_TECDSA_BAN    /* peer banned for this key (spec §7.2) */
} cctsa_tecdsa_action;

typedef enum {
	CCTSA_TECDSA_EV_NONE = 0,
	CCTSA_TECDSA_EV_DECODE,     /* version/type/length/point/scalar */
	CCTSA_TECDSA_EV_SESSION,    /* sid, indices, set, round order */
	CCTSA_TECDSA_EV_ECHO,       /* echo mismatch (round-1 equivocation) */
	CCTSA_TECDSA_EV_COMMIT,     /* commitment does not open */
	CCTSA_TECDSA_EV_KOS,        /* FAIL_KOS: ban */
	CCTSA_TECDSA_EV_RVOLE,      /* FAIL_RVOLE: ban */
	CCTSA_TECDSA_EV_GAMMA,      /* Gamma_u / Gamma_v check: ban */
	CCTSA_TECDSA_EV_PKSUM,      /* sum pk != Q */
	CCTSA_TECDSA_EV_RINVALID,   /* R = inf or r = 0 */
	CCTSA_TECDSA_EV_POK,        /* DKG proof of knowledge */
	CCTSA_TECDSA_EV_FELDMAN,    /* DKG share vs commitments */
	CCTSA_TECDSA_EV_COMPLAINT,  /* DKG complaint (see blamed) */
	CCTSA_TECDSA_EV_TRANSCRIPT, /* DKG transcripts differ */
	CCTSA_TECDSA_EV_SIGNATURE,  /* U = 0, s = 0 or final verification failed */
	CCTSA_TECDSA_EV_BANNED      /* peer already banned */
} cctsa_tecdsa_event;

/* Fields are public (stack-allocated by callers). peer/blamed are 1..5 or 0. */
typedef struct {
	cctsa_tecdsa_action action;
	cctsa_tecdsa_event event;
	uint8_t peer;   /* whose message triggered it */
	uint8_t blamed; /* DKG complaints: the party the evidence blames */
} cctsa_tecdsa_fault;

/*
 * Verifies the sender's signature `sig` over a DKG message, used to check complaint
 * evidence (spec §2, RECOMMENDED). Returns 1 if valid. May be absent (NULL): then
 * complaints cannot be attributed and only abort.
 */
typedef int (*cctsa_tecdsa_auth_fn)(void *ctx, uint8_t signer, const uint8_t *msg, size_t len,
				    const uint8_t *sig, size_t sig_len);
#define CCTSA_TECDSA_AUTH_MAX 512

/*
 * Creates party `index` (1..5) without a key. Returns CCTSA_E_USAGE (bad index),
 * CCTSA_E_RESOURCE, CCTSA_E_CRYPTO. *out is NULL on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_party_new(cctsa_tecdsa_party **out, uint8_t index);
/* Wipes every secret (shares, OT seeds, presignatures) and frees; p may be NULL. */
void cctsa_tecdsa_party_free(cctsa_tecdsa_party *p);
/*
 * Optional evidence verifier for DKG complaints (see cctsa_tecdsa_auth_fn). When set,
 * dkg_recv1/dkg_recv2 also refuse (abort, E_VERIFY) a message whose signature does not
 * verify, so every complaint this party raises carries valid evidence.
 */
void cctsa_tecdsa_party_set_auth(cctsa_tecdsa_party *p, cctsa_tecdsa_auth_fn fn, void *ctx);
/*
 * A restarted node that regained its long-term state (key share, OT setup, bans,
 * replay caches): a new object that shares nothing with src and holds **no
 * presignatures** and no sessions. Errors: CCTSA_E_STATE (src has no key), RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_party_restart(cctsa_tecdsa_party **out, const cctsa_tecdsa_party *src);

/* ---- public key material ---- */
/* CCTSA_E_STATE if no key. Q as SEC1 compressed; key_id; public share X_k. */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_pubkey(const cctsa_tecdsa_party *p, uint8_t q[CCTSA_TECDSA_PT_LEN]);
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_key_id(const cctsa_tecdsa_party *p, uint8_t id[32]);
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_pubshare(const cctsa_tecdsa_party *p, uint8_t k,
					       uint8_t x[CCTSA_TECDSA_PT_LEN]);
/* PEM SubjectPublicKeyInfo of Q into a growable buffer (initialised here). */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_pubkey_pem(const cctsa_tecdsa_party *p, cctsa_buf *out);
int cctsa_tecdsa_is_banned(const cctsa_tecdsa_party *p, uint8_t j);

/* ---- DKG ---- */
/*
 * Starts a DKG under dkg_sid (fresh, unique). CCTSA_E_STATE if this party has seen
 * dkg_sid before, holds a key already, or a DKG is running.
 */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_dkg_start(cctsa_tecdsa_party *p, const uint8_t dkg_sid[32], cctsa_diag *diag);
/* Round D1/D2 message to peer `to` appended to out. E_STATE if out of order. */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_dkg_msg1(cctsa_tecdsa_party *p, uint8_t to, cctsa_buf *out);
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_dkg_msg2(cctsa_tecdsa_party *p, uint8_t to, cctsa_buf *out);
/*
 * Consume a peer's D1/D2 message. sig (may be NULL/0) is the transport's signature
 * kept as complaint evidence. Errors: E_MALFORMED (decode), E_STATE (session/order),
 * E_VERIFY (a check failed: the DKG is aborted and this party will complain in D3).
 */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_dkg_recv1(cctsa_tecdsa_party *p, const uint8_t *msg, size_t len,
						const uint8_t *sig, size_t sig_len, cctsa_tecdsa_fault *fault,
						cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_dkg_recv2(cctsa_tecdsa_party *p, const uint8_t *msg, size_t len,
						const uint8_t *sig, size_t sig_len, cctsa_tecdsa_fault *fault,
						cctsa_diag *diag);
/* D3 (same bytes for every peer): (T, OK) or a complaint with evidence. */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_dkg_msg3(cctsa_tecdsa_party *p, cctsa_buf *out, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_dkg_recv3(cctsa_tecdsa_party *p, const uint8_t *msg, size_t len,
						cctsa_tecdsa_fault *fault, cctsa_diag *diag);
/*
 * Succeeds only if this party and all four D3 messages say OK with equal T; then
 * the key is active. Otherwise CCTSA_E_VERIFY with fault (event, blamed), and all
 * DKG state is erased. Either way the DKG is over.
 */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_dkg_finish(cctsa_tecdsa_party *p, cctsa_tecdsa_fault *fault, cctsa_diag *diag);

/* ---- presigning ---- */
/*
 * New presigning session for presignature ID pid and signing set set[3] (distinct,
 * any order). Errors: E_STATE (no key, pid seen before, a member banned),
 * E_USAGE (bad set, this party not in it), E_RESOURCE. The session refers to p,
 * which must outlive it.
 */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_presign_new(cctsa_tecdsa_presign **out, cctsa_tecdsa_party *p,
						  const uint8_t pid[32], const uint8_t set[3], cctsa_diag *diag);
/* Wipes and frees an (unfinished or finished) session; s may be NULL. */
void cctsa_tecdsa_presign_free(cctsa_tecdsa_presign *s);
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_presign_msg1(cctsa_tecdsa_presign *s, uint8_t to, cctsa_buf *out);
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_presign_recv1(cctsa_tecdsa_presign *s, const uint8_t *msg, size_t len,
						    cctsa_tecdsa_fault *fault, cctsa_diag *diag);
/* Needs recv1 from `to` first (this party is Alice towards `to`). FAIL_KOS bans `to`. */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_presign_msg2(cctsa_tecdsa_presign *s, uint8_t to, cctsa_buf *out,
						   cctsa_tecdsa_fault *fault, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_presign_recv2(cctsa_tecdsa_presign *s, const uint8_t *msg, size_t len,
						    cctsa_tecdsa_fault *fault, cctsa_diag *diag);
/* Set-wide checks, then stores the presignature (READY) in the party under pid. */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_presign_finish(cctsa_tecdsa_presign *s, cctsa_tecdsa_fault *fault,
						     cctsa_diag *diag);
/* Number of READY presignatures for set (NULL: all sets). */
size_t cctsa_tecdsa_presign_count(const cctsa_tecdsa_party *p, const uint8_t *set);

/* ---- online signing ---- */
/*
 * Releases this party's share (CCTSA_TECDSA_SHARE_LEN bytes) for digest e (SHA-384)
 * under presignature pid. The presignature is marked CONSUMED and wiped before the
 * share is computed. rerand: Groth–Shoup re-randomisation (must match combine).
 * Errors: E_STATE (unknown, consumed or restarted: never a second share), CRYPTO.
 */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_sign_share(cctsa_tecdsa_party *p, const uint8_t pid[32],
						 const uint8_t e[CCTSA_TECDSA_DIGEST_LEN], int rerand,
						 uint8_t out[CCTSA_TECDSA_SHARE_LEN], cctsa_diag *diag);
/*
 * Combines three shares for (pid, e) into a DER ECDSA-Sig-Value (r, s) written to
 * der (*der_len bytes, at most CCTSA_TECDSA_SIG_MAX), after ECDSA_do_verify against Q.
 * p must be a signer of pid (it knows R). Errors: E_MALFORMED (decode), E_STATE
 * (wrong sid/e/signers), E_VERIFY (U = 0, s = 0 or verification failed: fault set).
 */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_combine(cctsa_tecdsa_party *p, const uint8_t pid[32],
					      const uint8_t e[CCTSA_TECDSA_DIGEST_LEN], int rerand,
					      const uint8_t *const shares[3], uint8_t der[CCTSA_TECDSA_SIG_MAX],
					      size_t *der_len, cctsa_tecdsa_fault *fault, cctsa_diag *diag);

/* ---- in-process drivers (selftest, benchmarks; no network) ---- */
/*
 * Runs the whole DKG among p[0..4] (party indices 1..5, in order), carrying every
 * message in memory. Errors as the underlying calls.
 */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_sim_dkg(cctsa_tecdsa_party *const p[5], const uint8_t dkg_sid[32],
					      cctsa_diag *diag);
/*
 * Runs presigning for set/pid among the parties of p[0..4] that are in set; each
 * stores its presignature. *bytes_sent: total bytes of all round messages.
 */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_sim_presign(cctsa_tecdsa_party *const p[5], const uint8_t set[3],
						  const uint8_t pid[32], size_t *bytes_sent, cctsa_diag *diag);

/* Decoder entry point for fuzzing: classifies and strictly decodes any message. */
CCTSA_MUST_USE cctsa_err cctsa_tecdsa_decode_check(const uint8_t *msg, size_t len, cctsa_diag *diag);

#endif
