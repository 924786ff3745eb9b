/*
 * tmldsa: threshold ML-DSA-65 for (T, N) = (3, 5), producing standard FIPS 204
 * signatures (Celi, del Pino, Espitau, Niot, Prest, "Efficient Threshold ML-DSA";
 * specs/threshold-ml-dsa.md, cited below as "spec §x").
 *
 * Library only: nothing here touches the network. Parties are objects, every
 * protocol step consumes and produces versioned, length-checked frames (below),
 * and the caller (the cluster) carries the frames between nodes over attested,
 * authenticated channels. A coordinator drives a session message by message.
 *
 * Objects and their memory:
 *  - cctsa_tmldsa_share   one party's key share (6 base secrets, spec §2.1), in
 *                         secret memory; carries the per-key signing-attempt counter
 *                         and budget (spec §6.2).
 *  - cctsa_tmldsa_pre     a round-1 state (spec §3.1): x_j for j < 62 and W_i, in
 *                         secret memory; single-use, never serialised. May be made
 *                         ahead of time (it needs neither message nor signing set).
 *  - cctsa_tmldsa_signer  one party's signing attempt (rounds 1-3); takes ownership
 *                         of a pre state and wipes it in round 3 or when freed.
 *  - cctsa_tmldsa_combiner public data only (pk, W_u, Z_u): combine, verify, release.
 *  - cctsa_tmldsa_dkg     one party's distributed key generation (spec §2.4).
 *
 * One signing attempt, as a coordinator drives it (every arrow is one frame):
 *   coordinator picks act, msg, ctx and a fresh nonce and sends them to the signers;
 *   each signer u: pre_new (may be done ahead of time), signer_new -> cmt_u;
 *   cmt_u -> every other signer (signer_recv) and the combiner (combiner_recv);
 *   each signer: signer_round2 -> W_u, only with all three cmt -> others, combiner;
 *   each signer: signer_round3 -> Z_u, only with all three W checked -> combiner;
 *   combiner: combine -> a signature already verified with plain ML-DSA-65.
 * A failed attempt (Combine finds no repetition, about half of the attempts) is
 * retried with fresh pre states and a fresh nonce for every signer; round-1 states
 * are never reused. Per party and attempt the frames are 472352 bytes.
 * Not thread-safe per object; distinct objects may be used from distinct threads.
 */
#ifndef CCTSA_TMLDSA_H
#define CCTSA_TMLDSA_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"

/* ---- parameters (spec §1) ---- */
#define CCTSA_TMLDSA_T 3
#define CCTSA_TMLDSA_N 5
#define CCTSA_TMLDSA_K 62          /* parallel repetitions per attempt */
#define CCTSA_TMLDSA_NU 6          /* stretch of the l-part */
#define CCTSA_TMLDSA_R 552909.0    /* rejection radius r (truncated, spec table) */
#define CCTSA_TMLDSA_RP 553145.0   /* sampling radius r' (truncated, spec table) */
#define CCTSA_TMLDSA_SUBSETS 10    /* C(5,3) base secrets */
#define CCTSA_TMLDSA_HELD 6        /* base secrets held per party */
#define CCTSA_TMLDSA_PK_LEN 1952
#define CCTSA_TMLDSA_SIG_LEN 3309
#define CCTSA_TMLDSA_TR_LEN 64
#define CCTSA_TMLDSA_SHARE_LEN 8583 /* spec §2.3 step 5 serialisation */
#define CCTSA_TMLDSA_SSID_LEN 32
#define CCTSA_TMLDSA_NONCE_LEN 32
#define CCTSA_TMLDSA_MAX_CTX 255
/* Default signing-attempt budget per key (spec §6.2: about 2^30 is the safe figure). */
#define CCTSA_TMLDSA_DEFAULT_BUDGET ((uint64_t)1 << 30)

/*
 * Recomputes B, M, r and r' from the formulas of spec §1.2 for (T,N) = (3,5),
 * ML-DSA-65, nu = 6, phi = 8, expo = 5.2 (unrounded doubles). Used by the tests to
 * check the constants above; the protocol uses the constants.
 */
typedef struct {
	double sigma_s, b, m, r, rp;
} cctsa_tmldsa_derived;
void cctsa_tmldsa_params_derive(cctsa_tmldsa_derived *out);

/* ---- replicated secret sharing (spec §2.1, §2.2) ---- */
/* Mask (bit u = party u) of the i-th subset of size 3 in ascending mask order. */
uint8_t cctsa_tmldsa_subset_mask(unsigned i);
/*
 * The RSSRecover partition of spec §2.2 for signing set act (a 5-bit mask with
 * exactly three bits): out[p][0..count[p]-1] are the subset masks party p takes
 * (count[p] = 0 for parties outside act). CCTSA_E_USAGE if act is not 3 of 5.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_partition(uint8_t out[CCTSA_TMLDSA_N][4],
						unsigned count[CCTSA_TMLDSA_N], unsigned act);

/* ---- wire frames ----
 * Every frame: version(1) = 1 | type(1) | sender(1) | recipient(1, 0xff = all) |
 * ssid(32) | payload length (u32 big-endian) | payload, with an exact payload
 * length per type (spec §3 and §2.4 sizes; see tmldsa_int.h for the layouts).
 */
#define CCTSA_TMLDSA_WIRE_VERSION 1
#define CCTSA_TMLDSA_HDR_LEN 40
#define CCTSA_TMLDSA_BROADCAST 0xffu
typedef enum {
	CCTSA_TMLDSA_MSG_SIGN_CMT = 1,   /* round 1: cmt_i (32 bytes) */
	CCTSA_TMLDSA_MSG_SIGN_W = 2,     /* round 2: W_i (273792 bytes) */
	CCTSA_TMLDSA_MSG_SIGN_Z = 3,     /* round 3: accept bitmap (8) | Z_i (198400) */
	CCTSA_TMLDSA_MSG_DKG_COMMIT = 16,   /* R1 broadcast: c_i */
	CCTSA_TMLDSA_MSG_DKG_KEYS = 17,     /* R1 private: K_S for subsets sender leads */
	CCTSA_TMLDSA_MSG_DKG_REVEAL = 18,   /* R2 broadcast: r_i */
	CCTSA_TMLDSA_MSG_DKG_PKCOMMIT = 19, /* R3 broadcast: c_S^pk for subsets led */
	CCTSA_TMLDSA_MSG_DKG_PK = 20        /* R4 broadcast: t_S for subsets led | sig */
} cctsa_tmldsa_msg_type;

/* A decoded frame: a view into the caller's buffer (fields public, read-only). */
typedef struct {
	uint8_t type, sender, recipient;
	uint8_t ssid[CCTSA_TMLDSA_SSID_LEN];
	const uint8_t *payload;
	size_t payload_len;
} cctsa_tmldsa_frame;

/*
 * Strictly decodes one frame and validates its payload for its type (exact size,
 * every coefficient in range, rejection encoding, subset lists). If ssid is not
 * NULL the frame must carry it. Returns CCTSA_E_MALFORMED (truncated, trailing
 * bytes, wrong length for the type, coefficient >= q or out of bound, bad subset
 * list, bad party id), CCTSA_E_UNSUPPORTED (unknown version or type) or
 * CCTSA_E_STATE (wrong session id). out is zeroed on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_frame_decode(cctsa_tmldsa_frame *out, const uint8_t *buf,
						   size_t len, const uint8_t *ssid, cctsa_diag *diag);

/* ---- key shares ---- */
typedef struct cctsa_tmldsa_share cctsa_tmldsa_share;

/*
 * TEST HELPER ONLY: trusted-dealer keygen of spec §2.3 from a 32-byte seed (secret).
 * Writes the public key and allocates the 5 shares (free each with
 * cctsa_tmldsa_share_free). Production keys come from the DKG.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_dealer_keygen(uint8_t pk[static CCTSA_TMLDSA_PK_LEN],
						    cctsa_tmldsa_share *shares[CCTSA_TMLDSA_N],
						    const uint8_t seed[static 32]);
/*
 * Serialises a share in the format of spec §2.3 step 5 (records by ascending mask)
 * into out (secret: the caller must keep it in secret memory and wipe it).
 */
void cctsa_tmldsa_share_encode(uint8_t out[static CCTSA_TMLDSA_SHARE_LEN],
			       const cctsa_tmldsa_share *sh);
/*
 * Parses a serialised share for public key pk. CCTSA_E_MALFORMED on a bad id, mask
 * list or coefficient; CCTSA_E_VERIFY if tr != H(pk) or rho differs from pk's;
 * CCTSA_E_RESOURCE if secret memory is refused.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_share_decode(cctsa_tmldsa_share **out, const uint8_t *buf,
						   size_t len,
						   const uint8_t pk[static CCTSA_TMLDSA_PK_LEN],
						   cctsa_diag *diag);
void cctsa_tmldsa_share_free(cctsa_tmldsa_share *sh);
unsigned cctsa_tmldsa_share_id(const cctsa_tmldsa_share *sh);
void cctsa_tmldsa_share_pk(uint8_t pk[static CCTSA_TMLDSA_PK_LEN], const cctsa_tmldsa_share *sh);
/*
 * Signing-attempt budget (spec §6.2): every round-3 response counts one attempt;
 * round 3 is refused (CCTSA_E_STATE) once used == budget. The cluster reads
 * used/budget and retires the key before it is spent.
 */
void cctsa_tmldsa_share_set_budget(cctsa_tmldsa_share *sh, uint64_t budget);
void cctsa_tmldsa_share_attempts(const cctsa_tmldsa_share *sh, uint64_t *used, uint64_t *budget);

/* ---- signing ---- */
/* Public session parameters; all signers and the combiner must use the same. */
typedef struct {
	unsigned act;              /* signing set: 5-bit mask, exactly 3 bits */
	const uint8_t *msg;        /* may be NULL iff msg_len == 0 */
	size_t msg_len;
	const uint8_t *ctx;        /* may be NULL iff ctx_len == 0; ctx_len <= 255 */
	size_t ctx_len;
	uint8_t nonce[CCTSA_TMLDSA_NONCE_LEN]; /* fresh per attempt, chosen by the coordinator */
} cctsa_tmldsa_session;

/*
 * The session id bound into every signing frame:
 * SHAKE256("CCTSA-TMLDSA-SIGN-SSID-V1" | tr | mu | act | nonce, 32), with
 * mu = H(tr | 0 | |ctx| | ctx | msg, 64). CCTSA_E_USAGE on a bad act or ctx length.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_session_id(uint8_t ssid[static CCTSA_TMLDSA_SSID_LEN],
						 const uint8_t pk[static CCTSA_TMLDSA_PK_LEN],
						 const cctsa_tmldsa_session *s);

typedef struct cctsa_tmldsa_pre cctsa_tmldsa_pre;
/*
 * Round 1 computation (spec §3.1): fresh rho'' from the CSPRNG, 62 hyperball
 * samples, W_i and cmt_i. Allocated in secret memory (about 1.4 MB).
 * CCTSA_E_RESOURCE if memory is refused, CCTSA_E_IO if randomness fails.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_pre_new(cctsa_tmldsa_pre **out, const cctsa_tmldsa_share *sh);
void cctsa_tmldsa_pre_free(cctsa_tmldsa_pre *pre);

typedef struct cctsa_tmldsa_signer cctsa_tmldsa_signer;
/*
 * Starts party sh's part of one attempt with round-1 state pre and writes the
 * round-1 frame (cmt_i) to r1_frame. pre stays owned by the caller but is bound to
 * this signer for good: it must outlive the signer, its secret part is wiped in
 * round 3 (or when the signer is freed first), and it can never start another
 * signer. sh must outlive the signer. Errors: CCTSA_E_STATE (pre already bound or
 * used: round-1 reuse), CCTSA_E_USAGE (bad session, party not in act, pre made for
 * another share), CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_signer_new(cctsa_tmldsa_signer **out, cctsa_buf *r1_frame,
						 cctsa_tmldsa_share *sh, cctsa_tmldsa_pre *pre,
						 const cctsa_tmldsa_session *s, cctsa_diag *diag);
void cctsa_tmldsa_signer_free(cctsa_tmldsa_signer *sg);
/*
 * Feeds a cmt or W frame from another member of act. A W_u is accepted only after
 * cmt_u and is checked against it on arrival. Errors: CCTSA_E_MALFORMED /
 * CCTSA_E_UNSUPPORTED (bad frame), CCTSA_E_STATE (wrong session, sender outside act
 * or the party itself, duplicate, W before its cmt, Z frame, attempt finished or
 * aborted), CCTSA_E_VERIFY (W does not match its commitment). MALFORMED, UNSUPPORTED
 * and VERIFY abort the attempt (spec §3.3 step 1): later calls return CCTSA_E_STATE
 * and the coordinator retries with fresh round-1 states.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_signer_recv(cctsa_tmldsa_signer *sg, const uint8_t *frame,
						  size_t len, cctsa_diag *diag);
/* Round 2 (spec §3.2): W_i, only once all 3 commitments are held (else E_STATE). */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_signer_round2(cctsa_tmldsa_signer *sg, cctsa_buf *out,
						    cctsa_diag *diag);
/*
 * Round 3 (spec §3.3): only once all 3 W_u are held and checked. Counts one attempt
 * against the share's budget (E_STATE when spent), computes the responses and
 * wipes the round-1 state whatever happens; a second call is refused (E_STATE).
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_signer_round3(cctsa_tmldsa_signer *sg, cctsa_buf *out,
						    cctsa_diag *diag);
/* Number of repetitions this party accepted in round 3 (statistics; public). */
unsigned cctsa_tmldsa_signer_accepted(const cctsa_tmldsa_signer *sg);

/* ---- combine (public data only, spec §4) ---- */
typedef struct cctsa_tmldsa_combiner cctsa_tmldsa_combiner;
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_combiner_new(cctsa_tmldsa_combiner **out,
						   const uint8_t pk[static CCTSA_TMLDSA_PK_LEN],
						   const cctsa_tmldsa_session *s, cctsa_diag *diag);
/*
 * A combiner for the coordinator that is itself signer sg: takes over the three
 * W_u sg already checked against their commitments (no re-hashing), so only the Z
 * frames remain to be fed. sg must hold all three W (after its round 2 and the two
 * peers' W); s must be sg's session (else CCTSA_E_USAGE). CCTSA_E_STATE otherwise.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_combiner_from_signer(cctsa_tmldsa_combiner **out,
							   const cctsa_tmldsa_signer *sg,
							   const cctsa_tmldsa_session *s,
							   cctsa_diag *diag);
void cctsa_tmldsa_combiner_free(cctsa_tmldsa_combiner *cb);
/* Feeds any signing frame (cmt, W or Z) of a member of act; same checks as signer_recv. */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_combiner_recv(cctsa_tmldsa_combiner *cb, const uint8_t *frame,
						    size_t len, cctsa_diag *diag);
/*
 * Combines once every member's cmt, W and Z are held: the first repetition passing
 * every check of spec §4 gives sig, which is then verified with the plain FIPS 204
 * verifier before it is released. CCTSA_E_VERIFY if no repetition passes (the
 * attempt failed: retry with fresh pre states and a new nonce) or, which means a
 * bug or a malicious signer, if the verifier rejects. CCTSA_E_STATE if frames are
 * missing. *rep receives the repetition used (may be NULL).
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_combine(cctsa_tmldsa_combiner *cb,
					      uint8_t sig[static CCTSA_TMLDSA_SIG_LEN], unsigned *rep,
					      cctsa_diag *diag);

/* ---- distributed key generation (spec §2.4) ---- */
/*
 * Long-term transcript signatures: the library calls sign() for the own party and
 * verify() for each peer over the 32-byte DKG transcript hash. The cluster plugs in
 * the attested node identity keys. Signatures are at most CCTSA_TMLDSA_DKG_SIG_MAX.
 */
#define CCTSA_TMLDSA_DKG_SIG_MAX 4096
typedef struct {
	void *ctx;
	cctsa_err (*sign)(void *ctx, uint8_t *sig, size_t *sig_len, const uint8_t transcript[32]);
	cctsa_err (*verify)(void *ctx, unsigned party, const uint8_t *sig, size_t sig_len,
			    const uint8_t transcript[32]);
} cctsa_tmldsa_dkg_auth;

typedef struct cctsa_tmldsa_dkg cctsa_tmldsa_dkg;
/*
 * Starts party id's DKG. nonce is the session nonce agreed by all five (public);
 * auth must outlive the object. Writes the round-1 broadcast (c_i) to bcast and,
 * for each peer j, a private frame of the K_S keys to priv[j] (priv[id] stays empty;
 * frames to peers that share no led subset have an empty key list). Private frames
 * are secret: send them only over the encrypted channel.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_dkg_new(cctsa_tmldsa_dkg **out, cctsa_buf *bcast,
					      cctsa_buf priv[CCTSA_TMLDSA_N], unsigned id,
					      const uint8_t nonce[static 32],
					      const cctsa_tmldsa_dkg_auth *auth, cctsa_diag *diag);
void cctsa_tmldsa_dkg_free(cctsa_tmldsa_dkg *dkg);
/*
 * Feeds a frame from a peer. Errors: MALFORMED/UNSUPPORTED (bad frame), STATE (wrong
 * session, duplicate, wrong round, not addressed to this party, DKG aborted), VERIFY
 * (a reveal does not match its commitment, a t_S differs from the own recomputation
 * or from c_S^pk, a transcript signature fails). MALFORMED, UNSUPPORTED and VERIFY
 * abort the DKG: every later call returns CCTSA_E_STATE.
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_dkg_recv(cctsa_tmldsa_dkg *dkg, const uint8_t *frame,
					       size_t len, cctsa_diag *diag);
/*
 * Produces the next broadcast once everything of the current round is in
 * (E_STATE otherwise): round 2 r_i, round 3 c_S^pk, round 4 t_S and the transcript
 * signature. *round receives the round number of the frame written (2, 3 or 4).
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_dkg_next(cctsa_tmldsa_dkg *dkg, cctsa_buf *out,
					       unsigned *round, cctsa_diag *diag);
/*
 * Once all round-4 frames are in and checked: the public key, the 32-byte transcript
 * hash and the party's share (allocated; the DKG object keeps no copy of it).
 */
CCTSA_MUST_USE cctsa_err cctsa_tmldsa_dkg_finish(cctsa_tmldsa_dkg *dkg,
						 uint8_t pk[static CCTSA_TMLDSA_PK_LEN],
						 uint8_t transcript[static 32],
						 cctsa_tmldsa_share **share, cctsa_diag *diag);

#endif
