/* DKG state shared by dkg.c and dkg_check.c (internal). */
#ifndef CCTSA_TECDSA_DKG_INT_H
#define CCTSA_TECDSA_DKG_INT_H

#include "tecdsa/tecdsa_int.h"

#define TEC_D1_OT (TEC_LC * 2 * TEC_PT)
#define TEC_HDR 36 /* version, type, dkg_sid, from, to */
#define TEC_OPEN_LEN (3 * TEC_PT + TEC_PT + TEC_SC + 32)

struct tec_dkg {
	uint8_t sid[32];
	tec_sc coef[3], kappa, z;
	uint8_t salt[32];
	uint8_t comd[TEC_N + 1][TEC_H];
	uint8_t open[TEC_N + 1][TEC_OPEN_LEN]; /* C0 C1 C2 K z salt */
	uint8_t vs_out[TEC_N + 1][32], vs_in[TEC_N + 1][32];
	tec_sc y_in[TEC_N + 1];
	tec_baseot_a bo_a[TEC_N + 1];
	tec_sc bo_b[TEC_N + 1];
	unsigned sent1, got1, sent2, got2, got3;
	int aborted;
	uint8_t accused, reason;      /* this party's complaint */
	cctsa_tecdsa_fault fault;     /* first fault seen */
	uint8_t t[TEC_H], t_in[TEC_N + 1][TEC_H];
	uint8_t status_in[TEC_N + 1];
	int agg_done;
	tec_sc x;
	uint8_t q[TEC_PT], xs[TEC_N + 1][TEC_PT];
	uint8_t blamed;               /* first verdict from a complaint */
	uint8_t ev1[TEC_N + 1][CCTSA_TECDSA_D1_LEN], ev2[TEC_N + 1][CCTSA_TECDSA_D2_LEN];
	uint8_t sig1[TEC_N + 1][CCTSA_TECDSA_AUTH_MAX], sig2[TEC_N + 1][CCTSA_TECDSA_AUTH_MAX];
	size_t sig1_len[TEC_N + 1], sig2_len[TEC_N + 1];
};

/* Checks an opening (C, K, z, salt) from `from` against comd and, for share y to
 * `to`, the PoK and Feldman equations. Returns the failing event or EV_NONE. */
CCTSA_MUST_USE cctsa_err tec_dkg_check_opening(tec_ctx *c, cctsa_tecdsa_event *ev, const uint8_t dkg_sid[32],
					       uint8_t from, uint8_t to, const uint8_t comd[TEC_H],
					       const uint8_t open[TEC_OPEN_LEN], const uint8_t y[TEC_SC]);
CCTSA_MUST_USE cctsa_err tec_dkg_comd(tec_ctx *c, uint8_t out[TEC_H], const uint8_t dkg_sid[32], uint8_t i,
				      const uint8_t open[TEC_OPEN_LEN]);
/* Judges a complaint by `accuser` (spec §2): sets *blamed (0: unattributable). */
CCTSA_MUST_USE cctsa_err tec_dkg_judge(cctsa_tecdsa_party *p, uint8_t *blamed, uint8_t accuser,
				       uint8_t accused, uint8_t reason, const uint8_t *d1, const uint8_t *s1,
				       size_t s1len, const uint8_t *d2, const uint8_t *s2, size_t s2len);
CCTSA_MUST_USE cctsa_err tec_dkg_setup_test_sid(tec_ctx *c, uint8_t out[32], const uint8_t dkg_sid[32],
						uint8_t a, uint8_t b);

int tec_peer_ok(const cctsa_tecdsa_party *p, uint8_t j);
/* Version, type, exact length (0: checked by the caller), session, sender, receiver. */
CCTSA_MUST_USE cctsa_err tec_dkg_hdr(cctsa_tecdsa_party *p, cctsa_cursor *cur, uint8_t type, size_t len,
				     uint8_t *from, cctsa_tecdsa_fault *fault, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err tec_dkg_parse_complaint(cctsa_cursor *cur, uint8_t from);

#endif
