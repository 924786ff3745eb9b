/*
 * DKG round D3 (confirmation, echo of the transcript, complaints) and the
 * finish step that activates the key or aborts with a verdict.
 */
#include <string.h>

#include "tecdsa/dkg_int.h"

#define ALL_PEERS(me) ((0x3eu) & ~(1u << (me)))

/* Sums the commitments; fills Q and X_1..X_5; checks x_me*G = X_me; computes T. */
static cctsa_err dkg_aggregate(cctsa_tecdsa_party *p, tec_dkg *d, tec_sc *x, uint8_t q[TEC_PT],
			       uint8_t xs[TEC_N + 1][TEC_PT], int *ok)
{
	tec_ctx *c = &p->c;
	EC_POINT *cs[3] = {tec_pt_new(c), tec_pt_new(c), tec_pt_new(c)}, *t = tec_pt_new(c), *u = tec_pt_new(c);
	cctsa_err err = CCTSA_OK;

	*ok = 0;
	CCTSA_ENSURE(cs[0] && cs[1] && cs[2] && t && u, CCTSA_E_RESOURCE);
	memset(x, 0, sizeof(*x));
	tec_sc_set_u64(&d->y_in[p->me], 0);
	for (int m = 0; m < 3; m++) {
		CCTSA_ENSURE(EC_POINT_set_to_infinity(c->group, cs[m]) == 1, CCTSA_E_CRYPTO);
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (int m = 0; m < 3; m++) {
			CCTSA_TRY(tec_pt_decode(c, t, d->open[i] + m * TEC_PT));
			CCTSA_TRY(tec_pt_add(c, cs[m], cs[m], t));
		}
		if (i != p->me) {
			tec_sc_add(x, x, &d->y_in[i]);
		}
	}
	{
		tec_sc own, xv, tt;

		tec_sc_set_u64(&xv, p->me);
		own = d->coef[2];
		tec_sc_mul(&tt, &own, &xv);
		tec_sc_add(&own, &tt, &d->coef[1]);
		tec_sc_mul(&tt, &own, &xv);
		tec_sc_add(&own, &tt, &d->coef[0]);
		tec_sc_add(x, x, &own);
		cctsa_wipe(&own, sizeof(own));
	}
	CCTSA_ENSURE(!tec_pt_is_inf(c, cs[0]), CCTSA_E_VERIFY);
	CCTSA_TRY(tec_pt_encode(c, q, cs[0]));
	for (uint8_t k = 1; k <= TEC_N; k++) {
		CCTSA_TRY(tec_feldman_eval(c, t, cs, k));
		CCTSA_TRY(tec_pt_encode(c, xs[k], t));
		if (k == p->me) {
			CCTSA_TRY(tec_mul_g(c, u, x));
			*ok = tec_pt_eq(c, u, t);
		}
	}
	CCTSA_TRY(tec_h_begin(c, "dkg-transcript"));
	CCTSA_TRY(tec_h_field(c, d->sid, 32));
	for (uint8_t i = 1; i <= TEC_N; i++) {
		CCTSA_TRY(tec_h_field(c, d->comd[i], TEC_H));
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (int k = 0; k < 4; k++) {
			CCTSA_TRY(tec_h_field(c, d->open[i] + k * TEC_PT, TEC_PT));
		}
		CCTSA_TRY(tec_h_field(c, d->open[i] + 4 * TEC_PT, TEC_SC));
	}
	CCTSA_TRY(tec_h_field(c, q, TEC_PT));
	CCTSA_TRY(tec_h_end(c, d->t));
out:
	for (int m = 0; m < 3; m++) {
		tec_pt_free(cs[m]);
	}
	tec_pt_free(t);
	tec_pt_free(u);
	return err;
}

/* Once every D2 has passed: key share, public key, public shares, transcript T. */
static cctsa_err dkg_prepare3(cctsa_tecdsa_party *p, tec_dkg *d)
{
	int ok = 0;
	cctsa_err err;

	if (d->agg_done) {
		return CCTSA_OK;
	}
	err = dkg_aggregate(p, d, &d->x, d->q, d->xs, &ok);
	if (err == CCTSA_E_VERIFY || (err == CCTSA_OK && !ok)) {
		d->aborted = 1;
		tec_fault(&d->fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_FELDMAN, 0);
		return CCTSA_E_VERIFY;
	}
	d->agg_done = err == CCTSA_OK;
	return err;
}

cctsa_err cctsa_tecdsa_dkg_msg3(cctsa_tecdsa_party *p, cctsa_buf *out, cctsa_diag *diag)
{
	tec_dkg *d = p->dkg;
	uint8_t i, status;
	cctsa_err err = CCTSA_OK;

	if (d == NULL) {
		return CCTSA_E_STATE;
	}
	i = d->accused;
	if (i == 0 && !d->aborted) {
		if (d->got2 != ALL_PEERS(p->me)) {
			return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: D3 before all D2 messages");
		}
		(void)dkg_prepare3(p, d);
	}
	/* 0: OK; 1: complaint with evidence; 2: aborted without evidence (decode, own check). */
	status = i != 0 ? 1 : d->aborted ? 2 : 0;
	CCTSA_TRY(cctsa_buf_put_u8(out, TEC_VERSION));
	CCTSA_TRY(cctsa_buf_put_u8(out, TEC_MSG_D3));
	CCTSA_TRY(cctsa_buf_put(out, d->sid, 32));
	CCTSA_TRY(cctsa_buf_put_u8(out, p->me));
	CCTSA_TRY(cctsa_buf_put_u8(out, 0));
	CCTSA_TRY(cctsa_buf_put(out, d->t, TEC_H));
	CCTSA_TRY(cctsa_buf_put_u8(out, status));
	if (status != 1) {
		goto out;
	}
	CCTSA_TRY(cctsa_buf_put_u8(out, i));
	CCTSA_TRY(cctsa_buf_put_u8(out, d->reason));
	CCTSA_TRY(cctsa_buf_put(out, d->ev1[i], CCTSA_TECDSA_D1_LEN));
	CCTSA_TRY(cctsa_buf_put_u16be(out, (uint16_t)d->sig1_len[i]));
	CCTSA_TRY(cctsa_buf_put(out, d->sig1[i], d->sig1_len[i]));
	CCTSA_TRY(cctsa_buf_put(out, d->ev2[i], CCTSA_TECDSA_D2_LEN));
	CCTSA_TRY(cctsa_buf_put_u16be(out, (uint16_t)d->sig2_len[i]));
	CCTSA_TRY(cctsa_buf_put(out, d->sig2[i], d->sig2_len[i]));
out:
	return err;
}

/* Parses a complaint body; all lengths are fixed or given by checked fields. */
static cctsa_err parse_complaint(cctsa_tecdsa_party *p, cctsa_cursor *cur, uint8_t from, uint8_t *blamed)
{
	uint8_t accused = 0, reason = 0;
	uint16_t l1 = 0, l2 = 0;
	const uint8_t *d1, *s1, *d2, *s2;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_cursor_get_u8(cur, &accused));
	CCTSA_TRY(cctsa_cursor_get_u8(cur, &reason));
	CCTSA_ENSURE(accused >= 1 && accused <= TEC_N && accused != from, CCTSA_E_MALFORMED);
	CCTSA_TRY(cctsa_cursor_get_view(cur, &d1, CCTSA_TECDSA_D1_LEN));
	CCTSA_TRY(cctsa_cursor_get_u16be(cur, &l1));
	CCTSA_ENSURE(l1 <= CCTSA_TECDSA_AUTH_MAX, CCTSA_E_MALFORMED);
	CCTSA_TRY(cctsa_cursor_get_view(cur, &s1, l1));
	CCTSA_TRY(cctsa_cursor_get_view(cur, &d2, CCTSA_TECDSA_D2_LEN));
	CCTSA_TRY(cctsa_cursor_get_u16be(cur, &l2));
	CCTSA_ENSURE(l2 <= CCTSA_TECDSA_AUTH_MAX, CCTSA_E_MALFORMED);
	CCTSA_TRY(cctsa_cursor_get_view(cur, &s2, l2));
	CCTSA_TRY(cctsa_cursor_finish(cur));
	if (p != NULL) {
		CCTSA_TRY(tec_dkg_judge(p, blamed, from, accused, reason, d1, s1, l1, d2, s2, l2));
	}
out:
	return err;
}

cctsa_err tec_dkg_parse_complaint(cctsa_cursor *cur, uint8_t from)
{
	uint8_t blamed = 0;

	return parse_complaint(NULL, cur, from, &blamed);
}

cctsa_err cctsa_tecdsa_dkg_recv3(cctsa_tecdsa_party *p, const uint8_t *msg, size_t len, cctsa_tecdsa_fault *fault,
				 cctsa_diag *diag)
{
	tec_dkg *d = p->dkg;
	cctsa_cursor cur;
	uint8_t from = 0, status = 0, blamed = 0;
	const uint8_t *t;
	cctsa_err err = CCTSA_OK;

	tec_fault(fault, CCTSA_TECDSA_NONE, CCTSA_TECDSA_EV_NONE, 0);
	cctsa_cursor_init(&cur, msg, len);
	CCTSA_TRY(tec_dkg_hdr(p, &cur, TEC_MSG_D3, 0, &from, fault, diag));
	CCTSA_ENSURE(((d->got3 >> from) & 1u) == 0, CCTSA_E_STATE);
	CCTSA_TRY(cctsa_cursor_get_view(&cur, &t, TEC_H));
	CCTSA_TRY(cctsa_cursor_get_u8(&cur, &status));
	if (status == 0 || status == 2) {
		CCTSA_TRY(cctsa_cursor_finish(&cur));
		if (status == 2 && !d->aborted) {
			d->aborted = 1;
			tec_fault(&d->fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_COMPLAINT, from);
		}
	} else {
		CCTSA_ENSURE(status == 1, CCTSA_E_MALFORMED);
		CCTSA_TRY(parse_complaint(p, &cur, from, &blamed));
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_COMPLAINT, from);
		if (fault != NULL) {
			fault->blamed = blamed;
		}
		if (!d->aborted || d->fault.event != CCTSA_TECDSA_EV_COMPLAINT) {
			if (d->accused == 0) {
				d->aborted = 1;
				tec_fault(&d->fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_COMPLAINT, from);
				d->fault.blamed = blamed;
			}
		}
	}
	memcpy(d->t_in[from], t, TEC_H);
	d->status_in[from] = status;
	d->got3 |= 1u << from;
out:
	if (err == CCTSA_E_MALFORMED && fault != NULL && fault->action == CCTSA_TECDSA_NONE) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE, from);
	}
	return err;
}

static cctsa_err dkg_install(cctsa_tecdsa_party *p, tec_dkg *d)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(&p->c, "key-id"));
	CCTSA_TRY(tec_h_field(&p->c, d->t, TEC_H));
	CCTSA_TRY(tec_h_end32(&p->c, p->key_id));
	for (uint8_t j = 1; j <= TEC_N; j++) {
		uint8_t lo = j < p->me ? j : p->me, hi = j < p->me ? p->me : j;

		if (j == p->me) {
			continue;
		}
		p->gad_a[j] = cctsa_mem_alloc(TEC_XI * sizeof(tec_sc));
		p->gad_b[j] = cctsa_mem_alloc(TEC_XI * sizeof(tec_sc));
		CCTSA_ENSURE(p->gad_a[j] != NULL && p->gad_b[j] != NULL, CCTSA_E_RESOURCE);
		CCTSA_TRY(tec_gadget(&p->c, p->gad_a[j], p->key_id, p->me, j));
		CCTSA_TRY(tec_gadget(&p->c, p->gad_b[j], p->key_id, j, p->me));
		CCTSA_TRY(tec_h_begin(&p->c, "zero-seed"));
		CCTSA_TRY(tec_h_field(&p->c, d->sid, 32));
		CCTSA_TRY(tec_h_u8(&p->c, lo));
		CCTSA_TRY(tec_h_u8(&p->c, hi));
		CCTSA_TRY(tec_h_field(&p->c, lo == p->me ? d->vs_out[j] : d->vs_in[j], 32));
		CCTSA_TRY(tec_h_field(&p->c, lo == p->me ? d->vs_in[j] : d->vs_out[j], 32));
		CCTSA_TRY(tec_h_end32(&p->c, p->seed[j]));
	}
	memcpy(p->dkg_sid, d->sid, 32);
	memcpy(p->q_pt, d->q, TEC_PT);
	memcpy(p->x_pub, d->xs, sizeof(p->x_pub));
	p->x = d->x;
	p->have_key = 1;
out:
	return err;
}

void tec_dkg_check_d3(cctsa_tecdsa_party *p)
{
	tec_dkg *d = p->dkg;

	if (!d->aborted && (d->got3 != ALL_PEERS(p->me) || !d->agg_done)) {
		tec_fault(&d->fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_SESSION, 0);
		d->aborted = 1;
	}
	for (uint8_t j = 1; j <= TEC_N && !d->aborted; j++) {
		if (j != p->me && (d->status_in[j] != 0 || cctsa_memcmp_var(d->t_in[j], d->t, TEC_H) != 0)) {
			tec_fault(&d->fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_TRANSCRIPT, j);
			d->aborted = 1;
		}
	}
}

cctsa_err cctsa_tecdsa_dkg_finish(cctsa_tecdsa_party *p, cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	tec_dkg *d = p->dkg;
	cctsa_err err = CCTSA_OK;

	tec_fault(fault, CCTSA_TECDSA_NONE, CCTSA_TECDSA_EV_NONE, 0);
	if (d == NULL) {
		return CCTSA_E_STATE;
	}
	tec_dkg_check_d3(p);
	if (d->aborted) {
		if (fault != NULL) {
			*fault = d->fault;
		}
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: DKG aborted (event %d, blamed %u)",
				 (int)d->fault.event, d->fault.blamed);
		goto out;
	}
	err = dkg_install(p, d);
out:
	if (err != CCTSA_OK) {
		p->have_key = 0;
		for (uint8_t j = 1; j <= TEC_N; j++) {
			unsigned keep = p->banned;

			tec_ban(p, j); /* erases every OT state of the failed DKG */
			p->banned = keep;
		}
		cctsa_wipe(&p->x, sizeof(p->x));
	}
	tec_dkg_free(d);
	p->dkg = NULL;
	return err;
}
