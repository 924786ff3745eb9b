/*
 * Internal interface of the threshold ECDSA module (specs/threshold-ecdsa.md).
 * Z_q arithmetic on fixed limbs (zq.c), hashing/PRG/GF(2^128) (hash.c), P-384
 * helpers (ec.c), base OT and KOS OT extension (ot.c), RVOLE (rvole.c), DKG
 * (dkg.c, dkg_check.c), presigning (presign.c), online signing (sign.c) and
 * the party object (party.c). Tests reach the test hooks declared here.
 */
#ifndef CCTSA_TECDSA_INT_H
#define CCTSA_TECDSA_INT_H

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "base/ct.h"
#include "cctsa/base.h"
#include "cctsa/tecdsa.h"

#define TEC_N 5
#define TEC_T 3
#define TEC_LC 256          /* base OTs per ordered pair (lambda_c) */
#define TEC_XI 640          /* extended OTs per multiplication */
#define TEC_ROW 96          /* l' = 768 bits */
#define TEC_COL 32          /* 256 bits */
#define TEC_SC 48
#define TEC_PT 49
#define TEC_H 64
#define TEC_VERSION 1
#define TEC_BOBMSG_LEN (32 + TEC_LC * TEC_ROW + 16 + TEC_LC * 16)
#define TEC_ALICEMSG_LEN (32 + TEC_XI * 3 * TEC_SC + TEC_SC + TEC_H)

enum { TEC_MSG_D1 = 1, TEC_MSG_D2, TEC_MSG_D3, TEC_MSG_M1, TEC_MSG_M2, TEC_MSG_SIG };

/* ---- Z_q: little-endian 64-bit limbs, always fully reduced ---- */
typedef struct {
	uint64_t v[6];
} tec_sc;

/* Returns all-ones iff in < q (out holds in either way). */
uint64_t tec_sc_from_bytes(tec_sc *out, const uint8_t in[TEC_SC]);
void tec_sc_to_bytes(uint8_t out[TEC_SC], const tec_sc *a);
void tec_sc_reduce64(tec_sc *out, const uint8_t in[64]);
void tec_sc_add(tec_sc *r, const tec_sc *a, const tec_sc *b);
void tec_sc_sub(tec_sc *r, const tec_sc *a, const tec_sc *b);
void tec_sc_neg(tec_sc *r, const tec_sc *a);
void tec_sc_mul(tec_sc *r, const tec_sc *a, const tec_sc *b);
/* Montgomery product a*b/2^384: with am = a*2^384 (tec_sc_to_mont) gives a*b. */
void tec_sc_mont(tec_sc *r, const tec_sc *a, const tec_sc *b);
void tec_sc_to_mont(tec_sc *r, const tec_sc *a);
void tec_sc_inv(tec_sc *r, const tec_sc *a);
void tec_sc_set_u64(tec_sc *r, uint64_t v);
/* r = mask ? a : b */
void tec_sc_select(tec_sc *r, uint64_t mask, const tec_sc *a, const tec_sc *b);
uint64_t tec_sc_is_zero(const tec_sc *a);
uint64_t tec_sc_eq(const tec_sc *a, const tec_sc *b);
/* Uniform in [1, q-1] by rejection sampling. */
CCTSA_MUST_USE cctsa_err tec_sc_rand(tec_sc *out);

/* ---- per-party crypto context ---- */
typedef struct {
	EC_GROUP *group;
	BN_CTX *bn;
	EVP_MD *sha512;
	EVP_MD_CTX *md;
	EVP_CIPHER *aes;
	EVP_CIPHER_CTX *cipher;
	BIGNUM *p;
	/* CPU accounting for the bench (nanoseconds, thread CPU time). */
	uint64_t ns_ec, ns_ote, nhash;
	unsigned acct;
} tec_ctx;

CCTSA_MUST_USE cctsa_err tec_ctx_init(tec_ctx *c);
void tec_ctx_free(tec_ctx *c);
uint64_t tec_cpu_ns(void);

/* ---- hashing (hash.c) ---- */
/* H(label; f1..fn) = SHA-512(SUITE || LP(label) || LP(f1) || ...). */
CCTSA_MUST_USE cctsa_err tec_h_begin(tec_ctx *c, const char *label);
CCTSA_MUST_USE cctsa_err tec_h_field(tec_ctx *c, const void *p, size_t n);
/* A field given in pieces: announce its total length, then tec_h_more. */
CCTSA_MUST_USE cctsa_err tec_h_open(tec_ctx *c, size_t total);
CCTSA_MUST_USE cctsa_err tec_h_more(tec_ctx *c, const void *p, size_t n);
CCTSA_MUST_USE cctsa_err tec_h_u8(tec_ctx *c, uint8_t v);
CCTSA_MUST_USE cctsa_err tec_h_u16(tec_ctx *c, uint16_t v);
CCTSA_MUST_USE cctsa_err tec_h_end(tec_ctx *c, uint8_t out[TEC_H]);
CCTSA_MUST_USE cctsa_err tec_h_end32(tec_ctx *c, uint8_t out[32]);
CCTSA_MUST_USE cctsa_err tec_h_end_sc(tec_ctx *c, tec_sc *out);
/* H2C (public inputs only): fields already absorbed after tec_h_begin("H2C") + label field. */
CCTSA_MUST_USE cctsa_err tec_h2c(tec_ctx *c, EC_POINT *out, const char *label, const uint8_t *const *f,
				 const size_t *fl, size_t nf);
/* PRG(seed; sid, n, k): 96 bytes. */
CCTSA_MUST_USE cctsa_err tec_prg(tec_ctx *c, uint8_t out[TEC_ROW], const uint8_t seed[32],
				 const uint8_t sid[32], const uint8_t nonce[32], uint16_t k);
void tec_gf_mul(uint8_t r[16], const uint8_t a[16], const uint8_t b[16]);
/* KH(y) = sum_j chi_j * y[j] xor y[5]. */
void tec_kh(uint8_t out[16], const uint8_t *chi80, const uint8_t y[TEC_ROW]);

/* ---- P-384 (ec.c) ---- */
CCTSA_MUST_USE cctsa_err tec_pt_decode(tec_ctx *c, EC_POINT *out, const uint8_t in[TEC_PT]);
CCTSA_MUST_USE cctsa_err tec_pt_encode(tec_ctx *c, uint8_t out[TEC_PT], const EC_POINT *p);
/* Constant-time single-scalar paths (secret k): out = k*G, out = k*P. */
CCTSA_MUST_USE cctsa_err tec_mul_g(tec_ctx *c, EC_POINT *out, const tec_sc *k);
CCTSA_MUST_USE cctsa_err tec_mul(tec_ctx *c, EC_POINT *out, const EC_POINT *p, const tec_sc *k);
/* Variable time, public scalars only: out = a*G + b*P. */
CCTSA_MUST_USE cctsa_err tec_mul2_var(tec_ctx *c, EC_POINT *out, const tec_sc *a, const EC_POINT *p,
				      const tec_sc *b);
CCTSA_MUST_USE cctsa_err tec_pt_add(tec_ctx *c, EC_POINT *out, const EC_POINT *a, const EC_POINT *b);
CCTSA_MUST_USE cctsa_err tec_pt_sub(tec_ctx *c, EC_POINT *out, const EC_POINT *a, const EC_POINT *b);
int tec_pt_eq(tec_ctx *c, const EC_POINT *a, const EC_POINT *b);
int tec_pt_is_inf(tec_ctx *c, const EC_POINT *a);
/* x(P) mod q (public point). */
CCTSA_MUST_USE cctsa_err tec_pt_x_mod_q(tec_ctx *c, tec_sc *out, const EC_POINT *p);
/* C0 + x*C1 + x^2*C2 (public points, public x). */
CCTSA_MUST_USE cctsa_err tec_feldman_eval(tec_ctx *c, EC_POINT *out, EC_POINT *const cp[3], uint8_t x);
EC_POINT *tec_pt_new(tec_ctx *c);
void tec_pt_free(EC_POINT *p);

/* ---- base OT and KOS (ot.c) ---- */
typedef struct {
	uint8_t delta[TEC_COL];        /* A: choice bits Delta */
	uint8_t s[TEC_LC][32];         /* A: rho_{k, Delta_k} */
} tec_ot_alice;
typedef struct {
	uint8_t rho[TEC_LC][2][32];    /* B: both keys */
} tec_ot_bob;

/* Base-OT receiver A (round D1): state kept between the two halves. */
typedef struct {
	tec_sc a[TEC_LC];
} tec_baseot_a;

CCTSA_MUST_USE cctsa_err tec_baseot_a_msg(tec_ctx *c, tec_baseot_a *st, uint8_t out[TEC_LC * 2 * TEC_PT],
					  const uint8_t sid_ot[32], const uint8_t delta[TEC_COL]);
/* Places (r_{k,0}, r_{k,1}) from W, P0, P1 by the secret choice bit, without branching. */
void tec_baseot_place(uint8_t out[2 * TEC_PT], const uint8_t w[TEC_PT], const uint8_t p0[TEC_PT],
		      const uint8_t p1[TEC_PT], uint32_t choice);
CCTSA_MUST_USE cctsa_err tec_baseot_a_keys(tec_ctx *c, tec_ot_alice *ot, const tec_baseot_a *st,
					   const uint8_t sid_ot[32], const EC_POINT *bpt);
/* Decodes and checks A's message first (all points), then derives both keys. */
CCTSA_MUST_USE cctsa_err tec_baseot_b_keys(tec_ctx *c, tec_ot_bob *ot, const tec_sc *b,
					   const uint8_t sid_ot[32], const uint8_t msg[TEC_LC * 2 * TEC_PT]);
CCTSA_MUST_USE cctsa_err tec_baseot_sid(tec_ctx *c, uint8_t out[32], const uint8_t dkg_sid[32], uint8_t a,
					uint8_t b);

/* Test hook: flip bit `bit` of row `row` of u after computing it (before chi). */
typedef struct {
	int row;
	int bit;
} tec_kos_tamper;

/* Bob's state kept for the RVOLE. */
typedef struct {
	uint8_t beta[TEC_ROW];         /* x = beta || tau */
	uint8_t t[TEC_XI][TEC_COL];    /* columns of T0 */
	tec_sc b;
} tec_bob_state;

CCTSA_MUST_USE cctsa_err tec_kos_bob(tec_ctx *c, tec_bob_state *st, uint8_t out[TEC_BOBMSG_LEN],
				     const tec_ot_bob *ot, const uint8_t sid_ab[32], const tec_sc *gadget,
				     const tec_kos_tamper *tamper);
/* Alice: KOS check; on success fills the columns q_l (l < 640). *ok is the public verdict. */
CCTSA_MUST_USE cctsa_err tec_kos_alice(tec_ctx *c, uint8_t (*qcol)[TEC_COL], int *ok, const tec_ot_alice *ot,
				       const uint8_t sid_ab[32], const uint8_t msg[TEC_BOBMSG_LEN]);
/* col[l] (32 bytes, at col + 32*l) bit k = bit l of row k (at rows + 96*k). */
void tec_transpose(uint8_t *col, const uint8_t *rows, size_t ncols);

/* ---- RVOLE (rvole.c) ---- */
typedef struct {
	int l;
	int m;
} tec_rvole_tamper;

CCTSA_MUST_USE cctsa_err tec_gadget(tec_ctx *c, tec_sc *g_mont, const uint8_t key_id[32], uint8_t a, uint8_t b);
/* Alice: runs the KOS check and writes AliceMsg; c_out[2] her outputs; *kos_ok the verdict. */
CCTSA_MUST_USE cctsa_err tec_rvole_alice(tec_ctx *c, tec_sc c_out[2], uint8_t out[TEC_ALICEMSG_LEN], int *kos_ok,
					 const tec_ot_alice *ot, const tec_sc *gadget, const uint8_t sid_ab[32],
					 const uint8_t bobmsg[TEC_BOBMSG_LEN], const tec_sc a_in[2],
					 const tec_rvole_tamper *tamper);
/* Bob: decodes AliceMsg (E_MALFORMED on a scalar >= q), checks mu (*ok), outputs d[2]. */
CCTSA_MUST_USE cctsa_err tec_rvole_bob(tec_ctx *c, tec_sc d_out[2], int *ok, const tec_bob_state *st,
				       const tec_sc *gadget, const uint8_t sid_ab[32],
				       const uint8_t alicemsg[TEC_ALICEMSG_LEN]);

/* ---- the party ---- */
typedef struct tec_dkg tec_dkg;
typedef struct tec_store_entry tec_store_entry;

typedef struct {
	uint8_t p[32];
} tec_pid;

struct cctsa_tecdsa_party {
	tec_ctx c;
	uint8_t me;
	int have_key;
	uint8_t key_id[32];
	uint8_t dkg_sid[32];
	uint8_t q_pt[TEC_PT];
	uint8_t x_pub[TEC_N + 1][TEC_PT];
	tec_sc x;                       /* secret share x_me */
	uint8_t seed[TEC_N + 1][32];    /* zero seeds with each peer */
	tec_ot_alice *ot_a[TEC_N + 1];  /* pair (A=me, B=j), secret memory */
	tec_ot_bob *ot_b[TEC_N + 1];    /* pair (A=j, B=me), secret memory */
	tec_sc *gad_a[TEC_N + 1];       /* gadget of pair (me, j), Montgomery form */
	tec_sc *gad_b[TEC_N + 1];       /* gadget of pair (j, me) */
	unsigned banned;                /* bit j set: peer j banned for this key */
	unsigned ban_epoch;             /* bumped on every ban: in-flight sessions abort */
	tec_pid *replay;                /* presignature IDs seen */
	size_t nreplay, capreplay;
	uint8_t (*dkg_seen)[32];
	size_t ndkg_seen;
	tec_dkg *dkg;
	tec_store_entry *store;         /* presignatures, secret memory */
	size_t nstore;
	cctsa_tecdsa_auth_fn auth;
	void *auth_ctx;
};

/* Bans peer j: erases both OT directions with it and records the ban. */
void tec_ban(cctsa_tecdsa_party *p, uint8_t j);
void tec_fault(cctsa_tecdsa_fault *f, cctsa_tecdsa_action a, cctsa_tecdsa_event ev, uint8_t peer);
/* Message header helpers. */
CCTSA_MUST_USE cctsa_err tec_hdr_check(cctsa_cursor *cur, uint8_t type, size_t want_len, cctsa_diag *diag);

/* Presignature store (sign.c). */
struct tec_store_entry {
	uint8_t pid[32];
	uint8_t sid[32];
	uint8_t set[3];
	uint8_t r_pt[TEC_PT];
	int state;                      /* 0 free, 1 READY, 2 CONSUMED */
	tec_sc u, v, phi;
};
#define TEC_STORE_MAX 1024
CCTSA_MUST_USE cctsa_err tec_store_put(cctsa_tecdsa_party *p, const tec_store_entry *e);

/* R* and r* for the combiner (public values only). */
CCTSA_MUST_USE cctsa_err tec_combine_r(cctsa_tecdsa_party *p, const tec_store_entry *e, const uint8_t dg[48],
				       int on, tec_sc *rs);
CCTSA_MUST_USE cctsa_err tec_share_decode(const uint8_t *msg, size_t len, cctsa_diag *diag);

/* DKG: all D3 said OK with this party's T (finish's check, reachable by tests). */
void tec_dkg_check_d3(cctsa_tecdsa_party *p);

/* DKG internals used by tests. */
void tec_dkg_free(tec_dkg *d);


/* ---- presigning session (presign.c); fields reachable by tests ---- */
#define TEC_M1_BODY (TEC_H + TEC_BOBMSG_LEN)
typedef struct {
	uint8_t com[TEC_H];
	uint8_t bobmsg[TEC_BOBMSG_LEN]; /* from M1: this party is Alice */
	tec_bob_state bob;              /* this party is Bob in RVOLE(A=j, B=me) */
	tec_sc cu, cv;                  /* Alice outputs */
	tec_sc du, dv, psi_in;          /* Bob outputs, psi_{j->me} */
	uint8_t r[TEC_PT], pk[TEC_PT];
} tec_ps_peer;

struct cctsa_tecdsa_presign {
	cctsa_tecdsa_party *p;
	unsigned epoch;
	uint8_t pid[32], sid[32], set[3];
	tec_sc k, phi, sk;
	uint8_t salt[32], r[TEC_PT], pk[TEC_PT], com[TEC_H];
	unsigned sent1, got1, sent2, got2;
	int failed, done;
	tec_ps_peer peer[TEC_N + 1];
	/* Test hooks (NULL in production). */
	const tec_kos_tamper *kos_tamper;
	const tec_rvole_tamper *rvole_tamper;
};

CCTSA_MUST_USE cctsa_err tec_ps_hdr(cctsa_tecdsa_presign *s, cctsa_cursor *cur, uint8_t type, size_t len,
				    uint8_t *from, cctsa_tecdsa_fault *fault, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err tec_rvole_sid(tec_ctx *c, uint8_t out[32], const uint8_t sid[32], uint8_t a, uint8_t b);

#endif
