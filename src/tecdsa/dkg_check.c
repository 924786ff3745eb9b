/*
 * DKG checks (spec §2, checks on D2) and the judging of complaints: a verdict
 * blames the accused only on evidence signed by the accused that fails a check
 * every party can recompute, and the accuser when signed evidence passes.
 */
#include <string.h>

#include "tecdsa/dkg_int.h"

cctsa_err tec_dkg_comd(tec_ctx *c, uint8_t out[TEC_H], const uint8_t dkg_sid[32], uint8_t i,
		       const uint8_t open[TEC_OPEN_LEN])
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(c, "dkg-com"));
	CCTSA_TRY(tec_h_field(c, dkg_sid, 32));
	CCTSA_TRY(tec_h_u8(c, i));
	for (int k = 0; k < 4; k++) {
		CCTSA_TRY(tec_h_field(c, open + k * TEC_PT, TEC_PT));
	}
	CCTSA_TRY(tec_h_field(c, open + 4 * TEC_PT, TEC_SC));
	CCTSA_TRY(tec_h_field(c, open + 4 * TEC_PT + TEC_SC, 32));
	CCTSA_TRY(tec_h_end(c, out));
out:
	return err;
}

cctsa_err tec_dkg_setup_test_sid(tec_ctx *c, uint8_t out[32], const uint8_t dkg_sid[32], uint8_t a, uint8_t b)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(c, "setup-test"));
	CCTSA_TRY(tec_h_field(c, dkg_sid, 32));
	CCTSA_TRY(tec_h_u8(c, a));
	CCTSA_TRY(tec_h_u8(c, b));
	CCTSA_TRY(tec_h_end32(c, out));
out:
	return err;
}

/* Feldman: y*G == C0 + x*C1 + x^2*C2. */
static cctsa_err feldman(tec_ctx *c, int *ok, EC_POINT *const cp[3], uint8_t x, const tec_sc *y)
{
	EC_POINT *l = tec_pt_new(c), *r = tec_pt_new(c);
	cctsa_err err = CCTSA_OK;

	*ok = 0;
	CCTSA_ENSURE(l != NULL && r != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_feldman_eval(c, r, cp, x));
	CCTSA_TRY(tec_mul_g(c, l, y));
	*ok = tec_pt_eq(c, l, r);
out:
	tec_pt_free(l);
	tec_pt_free(r);
	return err;
}

static cctsa_err pok(tec_ctx *c, int *ok, const uint8_t dkg_sid[32], uint8_t i, const uint8_t *open,
		     EC_POINT *c0, EC_POINT *k, const tec_sc *z)
{
	tec_sc e;
	EC_POINT *t = tec_pt_new(c);
	cctsa_err err = CCTSA_OK;

	*ok = 0;
	CCTSA_ENSURE(t != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_h_begin(c, "dkg-pok"));
	CCTSA_TRY(tec_h_field(c, dkg_sid, 32));
	CCTSA_TRY(tec_h_u8(c, i));
	CCTSA_TRY(tec_h_field(c, open, TEC_PT));
	CCTSA_TRY(tec_h_field(c, open + 3 * TEC_PT, TEC_PT));
	CCTSA_TRY(tec_h_end_sc(c, &e));
	tec_sc_neg(&e, &e);
	CCTSA_TRY(tec_mul2_var(c, t, z, c0, &e)); /* z*G - e*C0, public scalars */
	*ok = tec_pt_eq(c, t, k);
out:
	tec_pt_free(t);
	return err;
}

cctsa_err tec_dkg_check_opening(tec_ctx *c, cctsa_tecdsa_event *ev, const uint8_t dkg_sid[32], uint8_t from,
				uint8_t to, const uint8_t comd[TEC_H], const uint8_t open[TEC_OPEN_LEN],
				const uint8_t y[TEC_SC])
{
	EC_POINT *pt[4] = {tec_pt_new(c), tec_pt_new(c), tec_pt_new(c), tec_pt_new(c)};
	uint8_t h[TEC_H];
	tec_sc z, ys;
	uint64_t valid;
	int ok = 0;
	cctsa_err err = CCTSA_OK;

	*ev = CCTSA_TECDSA_EV_NONE;
	CCTSA_ENSURE(pt[0] && pt[1] && pt[2] && pt[3], CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_dkg_comd(c, h, dkg_sid, from, open));
	if (cctsa_memcmp_var(h, comd, TEC_H) != 0) {
		*ev = CCTSA_TECDSA_EV_COMMIT;
		goto out;
	}
	for (int k = 0; k < 4; k++) {
		if (tec_pt_decode(c, pt[k], open + k * TEC_PT) != CCTSA_OK) {
			*ev = CCTSA_TECDSA_EV_DECODE;
			goto out;
		}
	}
	valid = tec_sc_from_bytes(&z, open + 4 * TEC_PT) & tec_sc_from_bytes(&ys, y);
	CCTSA_PUBLIC(&valid, sizeof(valid)); /* range of received scalars: a decoding property */
	if (valid == 0) {
		*ev = CCTSA_TECDSA_EV_DECODE;
		goto out;
	}
	CCTSA_TRY(pok(c, &ok, dkg_sid, from, open, pt[0], pt[3], &z));
	if (!ok) {
		*ev = CCTSA_TECDSA_EV_POK;
		goto out;
	}
	CCTSA_TRY(feldman(c, &ok, pt, to, &ys));
	if (!ok) {
		*ev = CCTSA_TECDSA_EV_FELDMAN;
	}
out:
	for (int k = 0; k < 4; k++) {
		tec_pt_free(pt[k]);
	}
	cctsa_wipe(&ys, sizeof(ys));
	return err;
}

static int hdr_is(const uint8_t *m, uint8_t type, const uint8_t sid[32], uint8_t from, uint8_t to)
{
	return m[0] == TEC_VERSION && m[1] == type && cctsa_memcmp_var(m + 2, sid, 32) == 0 && m[34] == from &&
	       m[35] == to;
}

cctsa_err tec_dkg_judge(cctsa_tecdsa_party *p, uint8_t *blamed, uint8_t accuser, uint8_t accused, uint8_t reason,
			const uint8_t *d1, const uint8_t *s1, size_t s1len, const uint8_t *d2, const uint8_t *s2,
			size_t s2len)
{
	tec_dkg *d = p->dkg;
	cctsa_tecdsa_event ev = CCTSA_TECDSA_EV_NONE;
	cctsa_err err = CCTSA_OK;

	*blamed = 0;
	if (p->auth == NULL) {
		goto out; /* unsigned evidence proves nothing to a third party */
	}
	if (!p->auth(p->auth_ctx, accused, d1, CCTSA_TECDSA_D1_LEN, s1, s1len) ||
	    !p->auth(p->auth_ctx, accused, d2, CCTSA_TECDSA_D2_LEN, s2, s2len) ||
	    !hdr_is(d1, TEC_MSG_D1, d->sid, accused, accuser) || !hdr_is(d2, TEC_MSG_D2, d->sid, accused, accuser)) {
		*blamed = accuser; /* forged or foreign evidence */
		goto out;
	}
	if (cctsa_memcmp_var(d1 + TEC_HDR, d->comd[accused], TEC_H) != 0) {
		*blamed = accused; /* signed two different broadcast commitments */
		goto out;
	}
	CCTSA_TRY(tec_dkg_check_opening(&p->c, &ev, d->sid, accused, accuser, d->comd[accused], d2 + TEC_HDR,
					d2 + TEC_HDR + TEC_OPEN_LEN));
	if (ev != CCTSA_TECDSA_EV_NONE) {
		*blamed = accused;
	} else if (reason != CCTSA_TECDSA_EV_KOS) {
		*blamed = accuser; /* false accusation */
	}
	/* A KOS failure depends on the accuser's secret Delta: nobody else can judge it. */
out:
	return err;
}

int tec_peer_ok(const cctsa_tecdsa_party *p, uint8_t j)
{
	return j >= 1 && j <= TEC_N && j != p->me;
}

/* Parses the common header; E_STATE for a wrong session or sender. */
cctsa_err tec_dkg_hdr(cctsa_tecdsa_party *p, cctsa_cursor *cur, uint8_t type, size_t len, uint8_t *from,
			 cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	const uint8_t *sid;
	uint8_t to = 0;
	cctsa_err err;

	err = tec_hdr_check(cur, type, len, diag);
	if (err != CCTSA_OK) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE, 0);
		return err;
	}
	if (cctsa_cursor_get_view(cur, &sid, 32) != CCTSA_OK || cctsa_cursor_get_u8(cur, from) != CCTSA_OK ||
	    cctsa_cursor_get_u8(cur, &to) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	if (p->dkg == NULL || cctsa_memcmp_var(sid, p->dkg->sid, 32) != 0 || !tec_peer_ok(p, *from) ||
	    (type != TEC_MSG_D3 && to != p->me)) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_SESSION, 0);
		return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: DKG message for another session or party");
	}
	return CCTSA_OK;
}

