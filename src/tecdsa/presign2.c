/*
 * Presigning round 2 and local finalisation (spec §4): Alice side of the RVOLE
 * towards each peer, the Gamma values and psi, then the checks on each M2 and
 * over the whole set, and the presignature (u, v, phi) stored in RAM.
 */
#include <string.h>

#include "tecdsa/tecdsa_int.h"

#define M2_FIXED (TEC_H + TEC_PT + 32 + TEC_PT + TEC_PT + TEC_PT + TEC_SC)

static int in_set(const uint8_t set[3], uint8_t j)
{
	return j != 0 && (set[0] == j || set[1] == j || set[2] == j);
}

static unsigned peers_mask(const cctsa_tecdsa_presign *s)
{
	unsigned m = 0;

	for (int a = 0; a < 3; a++) {
		if (s->set[a] != s->p->me) {
			m |= 1u << s->set[a];
		}
	}
	return m;
}

static cctsa_err echo(cctsa_tecdsa_presign *s, uint8_t out[TEC_H])
{
	tec_ctx *c = &s->p->c;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(c, "echo"));
	CCTSA_TRY(tec_h_field(c, s->sid, 32));
	for (int a = 0; a < 3; a++) {
		uint8_t j = s->set[a];

		CCTSA_TRY(tec_h_field(c, j == s->p->me ? s->com : s->peer[j].com, TEC_H));
	}
	CCTSA_TRY(tec_h_end(c, out));
out:
	return err;
}

static cctsa_err live2(cctsa_tecdsa_presign *s, cctsa_tecdsa_fault *f)
{
	if (s->failed || s->done) {
		return CCTSA_E_STATE;
	}
	for (int a = 0; a < 3; a++) {
		if (cctsa_tecdsa_is_banned(s->p, s->set[a])) {
			s->failed = 1;
			tec_fault(f, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_BANNED, s->set[a]);
			return CCTSA_E_STATE;
		}
	}
	return CCTSA_OK;
}

/* Gamma_u = c_u*G, Gamma_v = c_v*G, psi = phi - chi_{me<-j}, encoded. */
static cctsa_err m2_values(cctsa_tecdsa_presign *s, uint8_t to, uint8_t *out)
{
	tec_ctx *c = &s->p->c;
	tec_ps_peer *pe = &s->peer[to];
	EC_POINT *pt = tec_pt_new(c);
	tec_sc psi;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(pt != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(echo(s, out));
	memcpy(out + TEC_H, s->r, TEC_PT);
	memcpy(out + TEC_H + TEC_PT, s->salt, 32);
	memcpy(out + TEC_H + TEC_PT + 32, s->pk, TEC_PT);
	CCTSA_TRY(tec_mul_g(c, pt, &pe->cu));
	CCTSA_TRY(tec_pt_encode(c, out + TEC_H + 2 * TEC_PT + 32, pt));
	CCTSA_TRY(tec_mul_g(c, pt, &pe->cv));
	CCTSA_TRY(tec_pt_encode(c, out + TEC_H + 3 * TEC_PT + 32, pt));
	tec_sc_sub(&psi, &s->phi, &pe->bob.b);
	tec_sc_to_bytes(out + TEC_H + 4 * TEC_PT + 32, &psi);
out:
	tec_pt_free(pt);
	cctsa_wipe(&psi, sizeof(psi));
	return err;
}

cctsa_err cctsa_tecdsa_presign_msg2(cctsa_tecdsa_presign *s, uint8_t to, cctsa_buf *out,
				    cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	cctsa_tecdsa_party *p = s->p;
	uint8_t sid_ab[32], fixed[M2_FIXED];
	uint8_t *am = NULL;
	tec_sc a_in[2], cc[2];
	int ok = 0;
	cctsa_err err = CCTSA_OK;

	tec_fault(fault, CCTSA_TECDSA_NONE, CCTSA_TECDSA_EV_NONE, 0);
	CCTSA_TRY(live2(s, fault));
	CCTSA_ENSURE(to != p->me && in_set(s->set, to) && ((s->sent2 >> to) & 1u) == 0 &&
			     s->got1 == peers_mask(s),
		     CCTSA_E_STATE);
	am = cctsa_mem_alloc(TEC_ALICEMSG_LEN);
	CCTSA_ENSURE(am != NULL, CCTSA_E_RESOURCE);
	a_in[0] = s->k;
	a_in[1] = s->sk;
	CCTSA_TRY(tec_rvole_sid(&p->c, sid_ab, s->sid, p->me, to));
	CCTSA_TRY(tec_rvole_alice(&p->c, cc, am, &ok, p->ot_a[to], p->gad_a[to], sid_ab, s->peer[to].bobmsg, a_in,
				  s->rvole_tamper));
	if (!ok) {
		s->failed = 1;
		tec_fault(fault, CCTSA_TECDSA_BAN, CCTSA_TECDSA_EV_KOS, to);
		tec_ban(p, to);
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: FAIL_KOS from party %u: banned", to);
		goto out;
	}
	s->peer[to].cu = cc[0];
	s->peer[to].cv = cc[1];
	CCTSA_TRY(m2_values(s, to, fixed));
	CCTSA_TRY(cctsa_buf_put_u8(out, TEC_VERSION));
	CCTSA_TRY(cctsa_buf_put_u8(out, TEC_MSG_M2));
	CCTSA_TRY(cctsa_buf_put(out, s->sid, 32));
	CCTSA_TRY(cctsa_buf_put_u8(out, p->me));
	CCTSA_TRY(cctsa_buf_put_u8(out, to));
	CCTSA_TRY(cctsa_buf_put(out, fixed, M2_FIXED));
	CCTSA_TRY(cctsa_buf_put(out, am, TEC_ALICEMSG_LEN));
	s->sent2 |= 1u << to;
out:
	cctsa_mem_free(am);
	cctsa_wipe(a_in, sizeof(a_in));
	cctsa_wipe(cc, sizeof(cc));
	cctsa_wipe(fixed, sizeof(fixed));
	return err;
}

/* chi*P == d*G + Gamma, with chi and d secret (single-scalar constant-time paths). */
static cctsa_err gamma_check(tec_ctx *c, int *ok, const tec_sc *chi, const EC_POINT *pp, const tec_sc *d,
			     const EC_POINT *gam)
{
	EC_POINT *l = tec_pt_new(c), *r = tec_pt_new(c);
	cctsa_err err = CCTSA_OK;

	*ok = 0;
	CCTSA_ENSURE(l != NULL && r != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_mul(c, l, pp, chi));
	CCTSA_TRY(tec_mul_g(c, r, d));
	CCTSA_TRY(tec_pt_add(c, r, r, gam));
	*ok = tec_pt_eq(c, l, r);
out:
	tec_pt_free(l);
	tec_pt_free(r);
	return err;
}

typedef struct {
	const uint8_t *echo, *r, *salt, *pk, *gu, *gv, *psi, *am;
} m2_view;

static cctsa_err m2_parse(cctsa_cursor *cur, m2_view *v)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_cursor_get_view(cur, &v->echo, TEC_H));
	CCTSA_TRY(cctsa_cursor_get_view(cur, &v->r, TEC_PT));
	CCTSA_TRY(cctsa_cursor_get_view(cur, &v->salt, 32));
	CCTSA_TRY(cctsa_cursor_get_view(cur, &v->pk, TEC_PT));
	CCTSA_TRY(cctsa_cursor_get_view(cur, &v->gu, TEC_PT));
	CCTSA_TRY(cctsa_cursor_get_view(cur, &v->gv, TEC_PT));
	CCTSA_TRY(cctsa_cursor_get_view(cur, &v->psi, TEC_SC));
	CCTSA_TRY(cctsa_cursor_get_view(cur, &v->am, TEC_ALICEMSG_LEN));
	CCTSA_TRY(cctsa_cursor_finish(cur));
out:
	return err;
}

/* Decodes the points and psi; E_MALFORMED on any invalid one. */
static cctsa_err m2_decode(tec_ctx *c, const m2_view *v, EC_POINT *pts[4], tec_sc *psi)
{
	uint64_t ok;

	if (tec_pt_decode(c, pts[0], v->r) != CCTSA_OK || tec_pt_decode(c, pts[1], v->pk) != CCTSA_OK ||
	    tec_pt_decode(c, pts[2], v->gu) != CCTSA_OK || tec_pt_decode(c, pts[3], v->gv) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	ok = tec_sc_from_bytes(psi, v->psi);
	CCTSA_PUBLIC(&ok, sizeof(ok)); /* range check of a received scalar: decoding */
	return ok != 0 ? CCTSA_OK : CCTSA_E_MALFORMED;
}

/* Checks 1-4 of the local finalisation for one peer; sets the fault on failure. */
static cctsa_err m2_checks(cctsa_tecdsa_presign *s, uint8_t j, const m2_view *v, EC_POINT *pts[4],
			   cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	tec_ctx *c = &s->p->c;
	tec_ps_peer *pe = &s->peer[j];
	uint8_t h[TEC_H], sid_ab[32];
	tec_sc d[2];
	int ok = 0, ok2 = 0;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(echo(s, h));
	if (cctsa_memcmp_var(h, v->echo, TEC_H) != 0) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_ECHO, j);
		return cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: echo mismatch from %u", j);
	}
	CCTSA_TRY(tec_h_begin(c, "com"));
	CCTSA_TRY(tec_h_field(c, s->sid, 32));
	CCTSA_TRY(tec_h_u8(c, j));
	CCTSA_TRY(tec_h_field(c, v->r, TEC_PT));
	CCTSA_TRY(tec_h_field(c, v->salt, 32));
	CCTSA_TRY(tec_h_end(c, h));
	if (cctsa_memcmp_var(h, pe->com, TEC_H) != 0) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_COMMIT, j);
		return cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: R from %u does not open its commitment", j);
	}
	CCTSA_TRY(tec_rvole_sid(c, sid_ab, s->sid, j, s->p->me));
	err = tec_rvole_bob(c, d, &ok, &pe->bob, s->p->gad_b[j], sid_ab, v->am);
	if (err == CCTSA_E_MALFORMED) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE, j);
		return cctsa_fail(diag, err, "tecdsa: M2 from %u: scalar out of range", j);
	}
	CCTSA_TRY(err);
	if (!ok) {
		tec_fault(fault, CCTSA_TECDSA_BAN, CCTSA_TECDSA_EV_RVOLE, j);
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: FAIL_RVOLE from %u: banned", j);
		goto out;
	}
	CCTSA_TRY(gamma_check(c, &ok, &pe->bob.b, pts[0], &d[0], pts[2]));
	CCTSA_TRY(gamma_check(c, &ok2, &pe->bob.b, pts[1], &d[1], pts[3]));
	if (!ok || !ok2) {
		tec_fault(fault, CCTSA_TECDSA_BAN, CCTSA_TECDSA_EV_GAMMA, j);
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: Gamma check failed for %u: banned", j);
		goto out;
	}
	pe->du = d[0];
	pe->dv = d[1];
out:
	cctsa_wipe(d, sizeof(d));
	return err;
}

cctsa_err cctsa_tecdsa_presign_recv2(cctsa_tecdsa_presign *s, const uint8_t *msg, size_t len,
				     cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	tec_ctx *c = &s->p->c;
	cctsa_cursor cur;
	uint8_t from = 0;
	m2_view v;
	EC_POINT *pts[4] = {tec_pt_new(c), tec_pt_new(c), tec_pt_new(c), tec_pt_new(c)};
	tec_sc psi;
	cctsa_err err = CCTSA_OK;

	tec_fault(fault, CCTSA_TECDSA_NONE, CCTSA_TECDSA_EV_NONE, 0);
	CCTSA_ENSURE(pts[0] && pts[1] && pts[2] && pts[3], CCTSA_E_RESOURCE);
	CCTSA_TRY(live2(s, fault));
	cctsa_cursor_init(&cur, msg, len);
	CCTSA_TRY(tec_ps_hdr(s, &cur, TEC_MSG_M2, CCTSA_TECDSA_M2_LEN, &from, fault, diag));
	CCTSA_ENSURE(((s->got2 >> from) & 1u) == 0 && s->got1 == peers_mask(s), CCTSA_E_STATE);
	CCTSA_TRY(m2_parse(&cur, &v));
	if (m2_decode(c, &v, pts, &psi) != CCTSA_OK) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE, from);
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "tecdsa: M2 from %u: invalid point or scalar", from);
		goto out;
	}
	err = m2_checks(s, from, &v, pts, fault, diag);
	if (err != CCTSA_OK) {
		s->failed = 1;
		if (fault != NULL && fault->action == CCTSA_TECDSA_BAN) {
			tec_ban(s->p, from);
		}
		goto out;
	}
	memcpy(s->peer[from].r, v.r, TEC_PT);
	memcpy(s->peer[from].pk, v.pk, TEC_PT);
	s->peer[from].psi_in = psi;
	s->got2 |= 1u << from;
out:
	for (int i = 0; i < 4; i++) {
		tec_pt_free(pts[i]);
	}
	cctsa_wipe(&psi, sizeof(psi));
	return err;
}

/* Sum of the three encoded points (own first). */
static cctsa_err sum3(tec_ctx *c, EC_POINT *out, const uint8_t *own, const uint8_t *a, const uint8_t *b)
{
	EC_POINT *t = tec_pt_new(c);
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(t != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_pt_decode(c, out, own));
	CCTSA_TRY(tec_pt_decode(c, t, a));
	CCTSA_TRY(tec_pt_add(c, out, out, t));
	CCTSA_TRY(tec_pt_decode(c, t, b));
	CCTSA_TRY(tec_pt_add(c, out, out, t));
out:
	tec_pt_free(t);
	return err;
}

static void shares(cctsa_tecdsa_presign *s, tec_store_entry *e, uint8_t j1, uint8_t j2)
{
	tec_sc phi_all, t;

	tec_sc_add(&phi_all, &s->phi, &s->peer[j1].psi_in);
	tec_sc_add(&phi_all, &phi_all, &s->peer[j2].psi_in);
	tec_sc_mul(&e->u, &s->k, &phi_all);
	tec_sc_mul(&e->v, &s->sk, &phi_all);
	for (int a = 0; a < 2; a++) {
		tec_ps_peer *pe = &s->peer[a == 0 ? j1 : j2];

		tec_sc_add(&t, &pe->cu, &pe->du);
		tec_sc_add(&e->u, &e->u, &t);
		tec_sc_add(&t, &pe->cv, &pe->dv);
		tec_sc_add(&e->v, &e->v, &t);
	}
	e->phi = s->phi;
	cctsa_wipe(&phi_all, sizeof(phi_all));
	cctsa_wipe(&t, sizeof(t));
}

cctsa_err cctsa_tecdsa_presign_finish(cctsa_tecdsa_presign *s, cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	tec_ctx *c = &s->p->c;
	EC_POINT *pt = tec_pt_new(c), *q = tec_pt_new(c);
	tec_store_entry *e = cctsa_secret_alloc(sizeof(*e));
	uint8_t j1 = 0, j2 = 0;
	tec_sc r;
	cctsa_err err = CCTSA_OK;

	tec_fault(fault, CCTSA_TECDSA_NONE, CCTSA_TECDSA_EV_NONE, 0);
	CCTSA_ENSURE(pt != NULL && q != NULL && e != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(live2(s, fault));
	CCTSA_ENSURE(s->got2 == peers_mask(s) && s->sent2 == peers_mask(s), CCTSA_E_STATE);
	for (int a = 0; a < 3; a++) {
		if (s->set[a] != s->p->me) {
			*(j1 == 0 ? &j1 : &j2) = s->set[a];
		}
	}
	CCTSA_TRY(sum3(c, pt, s->pk, s->peer[j1].pk, s->peer[j2].pk));
	CCTSA_TRY(tec_pt_decode(c, q, s->p->q_pt));
	if (!tec_pt_eq(c, pt, q)) {
		s->failed = 1;
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_PKSUM, 0);
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: sum of pk_i is not Q");
		goto out;
	}
	CCTSA_TRY(sum3(c, pt, s->r, s->peer[j1].r, s->peer[j2].r));
	if (tec_pt_is_inf(c, pt) || tec_pt_x_mod_q(c, &r, pt) != CCTSA_OK || tec_sc_is_zero(&r)) {
		s->failed = 1;
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_RINVALID, 0);
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: R is infinity or r = 0");
		goto out;
	}
	memcpy(e->pid, s->pid, 32);
	memcpy(e->sid, s->sid, 32);
	memcpy(e->set, s->set, 3);
	CCTSA_TRY(tec_pt_encode(c, e->r_pt, pt));
	shares(s, e, j1, j2);
	e->state = 1;
	CCTSA_TRY(tec_store_put(s->p, e));
	s->done = 1;
	/* Spec §4 step 11: k, sk, phi, every c, d, beta and T columns go now. */
	cctsa_wipe(&s->k, sizeof(s->k));
	cctsa_wipe(&s->sk, sizeof(s->sk));
	cctsa_wipe(&s->phi, sizeof(s->phi));
	cctsa_wipe(s->peer, sizeof(s->peer));
out:
	cctsa_secret_free(e);
	tec_pt_free(pt);
	tec_pt_free(q);
	return err;
}
