/*
 * tmldsa internals: sizes, object layouts and the thin layer over the plain
 * ML-DSA primitives (src/mldsa) that the threshold protocol uses.
 *
 * Frame payload layouts (all little-endian bit streams as in FIPS 204):
 *  SIGN_CMT      cmt_i (32)
 *  SIGN_W        62 x 6 x Pack23(w_{i,j}[p]) = 273792; every 23-bit field < q
 *  SIGN_Z        accept bitmap u64le (bit j = repetition j accepted, bits >= 62
 *                zero) | 62 x 5 x BitPack(z, gamma1-1, gamma1) = 198400; a
 *                rejected repetition is 3200 zero bytes, an accepted one has every
 *                |z| < gamma1 - beta
 *  DKG_COMMIT    c_i (32)
 *  DKG_KEYS      for each S led by sender with recipient in S, ascending mask:
 *                mask(1) | K_S(32)        (exact list for the (sender, recipient))
 *  DKG_REVEAL    r_i (32)
 *  DKG_PKCOMMIT  for each S led by sender, ascending: mask(1) | c_S^pk(32)
 *  DKG_PK        for each S led by sender, ascending: mask(1) | t_S (6 x 256 le32 < q)
 *                then sig_len (u16 big-endian, 1..4096) | sig
 */
#ifndef CCTSA_TMLDSA_TMLDSA_INT_H
#define CCTSA_TMLDSA_TMLDSA_INT_H

#include <stdint.h>

#include "cctsa/base.h"
#include "cctsa/hash.h"
#include "cctsa/tmldsa.h"
#include "mldsa/mldsa_int.h"

#define TM_Q 8380417
#define TM_NC 256
#define TM_KR 6 /* k: rows of A */
#define TM_LC 5 /* l: columns of A */
#define TM_REPS CCTSA_TMLDSA_K
#define TM_DIM 2816 /* n (k + l) */
#define TM_D1 1280  /* n l */
#define TM_GAMMA1 (1 << 19)
#define TM_GAMMA2 261888
#define TM_BETA 196
#define TM_OMEGA 55
#define TM_SUBSETS CCTSA_TMLDSA_SUBSETS
#define TM_W_REP 4416
#define TM_W_LEN (TM_REPS * TM_W_REP) /* 273792 */
#define TM_Z_REP 3200
#define TM_Z_LEN (TM_REPS * TM_Z_REP) /* 198400 */
#define TM_ZMAP_LEN 8
#define TM_TS_LEN (TM_KR * TM_NC * 4) /* 6144: t_S as le32 */
#define TM_SECRET_PACK 1408          /* eta-BitPack of (s1_S, s2_S) */

/* Polynomials and Â (NTT domain) exactly as the mldsa module holds them. */
typedef mldsa_poly tm_poly;
typedef mldsa_matrix tm_matrix;

/* One base secret s_S = (s1_S, s2_S), coefficients centred in [-eta, eta]. */
typedef struct {
	int32_t s1[TM_LC][TM_NC];
	int32_t s2[TM_KR][TM_NC];
} tm_secret;

struct cctsa_tmldsa_share {
	uint8_t id;
	uint8_t rho[32];
	uint8_t key[32];
	uint8_t tr[CCTSA_TMLDSA_TR_LEN];
	uint8_t pk[CCTSA_TMLDSA_PK_LEN];
	uint8_t masks[CCTSA_TMLDSA_HELD]; /* ascending */
	tm_secret sec[CCTSA_TMLDSA_HELD];
	tm_matrix ahat;
	uint64_t used, budget;
};

struct cctsa_tmldsa_pre {
	uint8_t id;
	uint8_t tr[CCTSA_TMLDSA_TR_LEN];
	uint8_t bound;    /* taken by a signer: never again */
	uint8_t consumed; /* x wiped (round 3 ran or the signer was dropped) */
	uint8_t cmt[32];
	double x[TM_REPS][TM_DIM];
	uint8_t w[TM_W_LEN];
};

/* Public state of one signing attempt shared by signers and the combiner. */
typedef struct {
	unsigned act;
	uint8_t tr[CCTSA_TMLDSA_TR_LEN];
	uint8_t mu[64];
	uint8_t ssid[CCTSA_TMLDSA_SSID_LEN];
	unsigned have_cmt, have_w, have_z; /* party masks */
	unsigned aborted; /* a bad frame arrived: the attempt is dead (spec §3.3 step 1) */
	uint8_t cmt[CCTSA_TMLDSA_N][32];
	uint8_t *w[CCTSA_TMLDSA_N];        /* TM_W_LEN each (heap), NULL if absent */
	uint8_t *z[CCTSA_TMLDSA_N];        /* TM_Z_LEN each (heap) */
	uint64_t zmap[CCTSA_TMLDSA_N];
} tm_sess;

enum { SG_STARTED = 1, SG_REVEALED, SG_DONE };

struct cctsa_tmldsa_signer {
	cctsa_tmldsa_share *sh;
	cctsa_tmldsa_pre *pre; /* caller-owned; NULL once consumed */
	unsigned state;
	unsigned accepted;
	tm_sess sess;
};

/* ---- params.c ---- */
int tm_subset_index(unsigned mask);
unsigned tm_popcount5(unsigned m);
unsigned tm_leader(unsigned mask);
int tm_act_valid(unsigned act);

/* ---- wire.c ---- */
/* Writes header + payload into out. */
CCTSA_MUST_USE cctsa_err tm_frame_put(cctsa_buf *out, unsigned type, unsigned sender,
				      unsigned recipient, const uint8_t ssid[32],
				      const uint8_t *payload, size_t len);
/* Starts a frame whose payload (len bytes) the caller appends itself. */
CCTSA_MUST_USE cctsa_err tm_frame_begin(cctsa_buf *out, unsigned type, unsigned sender,
					unsigned recipient, const uint8_t ssid[32], size_t len);
/* Number and list of masks a DKG frame must carry. */
unsigned tm_dkg_key_masks(uint8_t out[TM_SUBSETS], unsigned sender, unsigned recipient);
unsigned tm_dkg_led_masks(uint8_t out[TM_SUBSETS], unsigned leader);
void tm_pack23(uint8_t *out, const tm_poly *p);
void tm_unpack23(tm_poly *p, const uint8_t *in);
void tm_pack_z(uint8_t *out, const tm_poly *p);
void tm_unpack_z(tm_poly *p, const uint8_t *in);

/* ---- session.c ---- */
CCTSA_MUST_USE cctsa_err tm_sess_init(tm_sess *s, const uint8_t pk[CCTSA_TMLDSA_PK_LEN],
				      const cctsa_tmldsa_session *p, cctsa_diag *diag);
void tm_sess_clear(tm_sess *s);
/* Accepts cmt and W frames, and Z frames if allow_z. self is ignored-id (or 0xff). */
CCTSA_MUST_USE cctsa_err tm_sess_recv(tm_sess *s, const uint8_t *frame, size_t len, int allow_z,
				      unsigned self, cctsa_diag *diag);
void tm_cmt(uint8_t out[32], const uint8_t tr[64], unsigned id, const uint8_t *w);
void tm_mu(uint8_t mu[64], const uint8_t tr[64], const cctsa_tmldsa_session *p);
/* Sum of the three W_u of act, unpacked, in [0, q). */
void tm_sess_aggregate(tm_poly w[TM_KR], const tm_sess *s, unsigned rep);

/* ---- share.c ---- */
/* Secret allocation of an empty share for party id (masks filled, budget default). */
cctsa_tmldsa_share *tm_share_alloc(unsigned id);
void tm_public_t(tm_poly t[TM_KR], const tm_matrix *a, const tm_secret *s);
void tm_share_fill(cctsa_tmldsa_share *sh, const uint8_t pk[CCTSA_TMLDSA_PK_LEN],
		   const uint8_t key[32], const tm_secret all[TM_SUBSETS], const tm_matrix *a);

/* ---- hyperball.c ---- */
/* x = hyperball sample j for rho'' (spec §3.1). */
void tm_hyperball(double x[TM_DIM], const uint8_t rho2[64], unsigned j);
/* x[s] = hyperball sample j[s] for s < n (n <= 4), four streams at once (same output). */
void tm_hyperball_x4(double *const x[4], const uint8_t rho2[64], const unsigned j[4], unsigned n);

/* ---- prim.c: plain ML-DSA-65 pieces (src/mldsa) ---- */
void tm_expand_a(tm_matrix *a, const uint8_t rho[32]);
/* out = NTT^-1(Â o NTT(in)) mod q, in [0, q); in has centred or [0,q) coefficients. */
void tm_matvec(tm_poly out[TM_KR], const tm_matrix *a, const tm_poly in[TM_LC]);
/* ExpandS with seed (64 bytes) for nonces 0..10 (spec §2.3 step 2). */
void tm_expand_s(tm_secret *s, const uint8_t seed[64]);
void tm_pack_eta(uint8_t out[TM_SECRET_PACK], const tm_secret *s);
/* CCTSA_E_MALFORMED if a nibble is out of range. */
CCTSA_MUST_USE cctsa_err tm_unpack_eta(tm_secret *s, const uint8_t in[TM_SECRET_PACK]);
/* t1 from t (in [0,q)), then pk = pkEncode(rho, t1). */
void tm_pk_from_t(uint8_t pk[CCTSA_TMLDSA_PK_LEN], const uint8_t rho[32], const tm_poly t[TM_KR]);
void tm_tr(uint8_t tr[64], const uint8_t pk[CCTSA_TMLDSA_PK_LEN]);
/* Decodes t1 of a pk (the caller knows the pk is well formed). */
void tm_pk_t1(tm_poly t1[TM_KR], const uint8_t pk[CCTSA_TMLDSA_PK_LEN]);
void tm_highbits(tm_poly w1[TM_KR], const tm_poly w[TM_KR]);
void tm_challenge(uint8_t ctilde[48], tm_poly *c, const uint8_t mu[64], const tm_poly w1[TM_KR]);
/* out = a * b in R_q, coefficients of a and b centred or in [0,q); out in [0,q). */
void tm_polymul(tm_poly *out, const tm_poly *a, const tm_poly *b);
/* out = c * s for the challenge c and a partial secret s (|s| <= 16): exact, centred. */
void tm_mul_challenge(int16_t out[TM_NC], const tm_poly *c, const int16_t s[TM_NC]);
/* NTT(t1 * 2^d) of a pk. */
void tm_t1_ntt(tm_poly t1hat[TM_KR], const uint8_t pk[CCTSA_TMLDSA_PK_LEN]);
/* The verifier's w' = NTT^-1(Â o NTT(z) - NTT(c) o NTT(t1 2^d)), in [0, q). */
void tm_verifier_w(tm_poly out[TM_KR], const tm_matrix *a, const tm_poly t1hat[TM_KR],
		   const tm_poly z[TM_LC], const tm_poly *c);
void tm_sig_encode(uint8_t sig[CCTSA_TMLDSA_SIG_LEN], const uint8_t ctilde[48],
		   const tm_poly z[TM_LC], const tm_poly h[TM_KR]);
CCTSA_MUST_USE cctsa_err tm_verify(const uint8_t pk[CCTSA_TMLDSA_PK_LEN], const uint8_t *msg,
				   size_t msg_len, const uint8_t *ctx, size_t ctx_len,
				   const uint8_t sig[CCTSA_TMLDSA_SIG_LEN]);

/*
 * (int32_t)round(v) (C round: halves away from zero, spec §8 item 4) without the
 * libm call, for |v| < 2^31 (|x| <= nu r' here). t = trunc(v) is exact, and so is
 * f = v - t (t is v with its fraction bits cleared), so |f| >= 0.5 decides the
 * rounding exactly as round() does.
 */
static inline int32_t tm_round_away(double v)
{
	int32_t t = (int32_t)v;
	double f = v - (double)t;

	return t + (int32_t)(f >= 0.5) - (int32_t)(f <= -0.5);
}

/* Reduce to [0, q) from any int64. */
static inline int32_t tm_modq(int64_t v)
{
	int64_t r = v % TM_Q;
	return (int32_t)(r < 0 ? r + TM_Q : r);
}
/* Centred representative in (-q/2, q/2] of a in [0, q). */
static inline int32_t tm_center(int32_t a)
{
	return a > (TM_Q - 1) / 2 ? a - TM_Q : a;
}

#endif
