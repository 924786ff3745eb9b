/*
 * Distributed key generation (spec §2): Feldman VSS with commit-then-open,
 * proofs of knowledge, base-OT setup for both directions of every pair, a test
 * OT extension, confirmation with transcript hashes, complaints and abort.
 */
#include <string.h>

#include "tecdsa/dkg_int.h"

void tec_dkg_free(tec_dkg *d)
{
	cctsa_secret_free(d);
}

static cctsa_err put_hdr(cctsa_buf *b, uint8_t type, const uint8_t sid[32], uint8_t from, uint8_t to)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_buf_put_u8(b, TEC_VERSION));
	CCTSA_TRY(cctsa_buf_put_u8(b, type));
	CCTSA_TRY(cctsa_buf_put(b, sid, 32));
	CCTSA_TRY(cctsa_buf_put_u8(b, from));
	CCTSA_TRY(cctsa_buf_put_u8(b, to));
out:
	return err;
}

static cctsa_err dkg_commit(cctsa_tecdsa_party *p, tec_dkg *d)
{
	EC_POINT *pt = tec_pt_new(&p->c);
	uint8_t *open = d->open[p->me];
	tec_sc e;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(pt != NULL, CCTSA_E_RESOURCE);
	for (int m = 0; m < 3; m++) {
		CCTSA_TRY(tec_sc_rand(&d->coef[m]));
		CCTSA_TRY(tec_mul_g(&p->c, pt, &d->coef[m]));
		CCTSA_TRY(tec_pt_encode(&p->c, open + m * TEC_PT, pt));
	}
	CCTSA_TRY(tec_sc_rand(&d->kappa));
	CCTSA_TRY(tec_mul_g(&p->c, pt, &d->kappa));
	CCTSA_TRY(tec_pt_encode(&p->c, open + 3 * TEC_PT, pt));
	CCTSA_TRY(tec_h_begin(&p->c, "dkg-pok"));
	CCTSA_TRY(tec_h_field(&p->c, d->sid, 32));
	CCTSA_TRY(tec_h_u8(&p->c, p->me));
	CCTSA_TRY(tec_h_field(&p->c, open, TEC_PT));
	CCTSA_TRY(tec_h_field(&p->c, open + 3 * TEC_PT, TEC_PT));
	CCTSA_TRY(tec_h_end_sc(&p->c, &e));
	tec_sc_mul(&d->z, &e, &d->coef[0]);
	tec_sc_add(&d->z, &d->z, &d->kappa);
	tec_sc_to_bytes(open + 4 * TEC_PT, &d->z);
	CCTSA_TRY(cctsa_rand_bytes(open + 4 * TEC_PT + TEC_SC, 32));
	CCTSA_TRY(tec_dkg_comd(&p->c, d->comd[p->me], d->sid, p->me, open));
out:
	tec_pt_free(pt);
	return err;
}

cctsa_err cctsa_tecdsa_dkg_start(cctsa_tecdsa_party *p, const uint8_t dkg_sid[32], cctsa_diag *diag)
{
	tec_dkg *d;
	void *seen;
	cctsa_err err = CCTSA_OK;

	if (p->have_key || p->dkg != NULL) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: party already has a key or a running DKG");
	}
	for (size_t i = 0; i < p->ndkg_seen; i++) {
		if (cctsa_memcmp_var(p->dkg_seen[i], dkg_sid, 32) == 0) {
			return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: dkg_sid seen before");
		}
	}
	seen = cctsa_mem_realloc(p->dkg_seen, (p->ndkg_seen + 1) * 32);
	if (seen == NULL) {
		return CCTSA_E_RESOURCE;
	}
	p->dkg_seen = seen;
	memcpy(p->dkg_seen[p->ndkg_seen++], dkg_sid, 32);
	d = cctsa_secret_alloc(sizeof(*d));
	CCTSA_ENSURE(d != NULL, CCTSA_E_RESOURCE);
	p->dkg = d;
	memcpy(d->sid, dkg_sid, 32);
	for (uint8_t j = 1; j <= TEC_N; j++) {
		if (j == p->me) {
			continue;
		}
		p->ot_a[j] = cctsa_secret_alloc(sizeof(tec_ot_alice));
		p->ot_b[j] = cctsa_secret_alloc(sizeof(tec_ot_bob));
		CCTSA_ENSURE(p->ot_a[j] != NULL && p->ot_b[j] != NULL, CCTSA_E_RESOURCE);
		CCTSA_TRY(cctsa_rand_bytes(p->ot_a[j]->delta, TEC_COL));
		CCTSA_TRY(tec_sc_rand(&d->bo_b[j]));
		CCTSA_TRY(cctsa_rand_bytes(d->vs_out[j], 32));
	}
	CCTSA_TRY(dkg_commit(p, d));
out:
	if (err != CCTSA_OK) {
		(void)cctsa_fail(diag, err, "tecdsa: DKG start failed");
	}
	return err;
}

cctsa_err cctsa_tecdsa_dkg_msg1(cctsa_tecdsa_party *p, uint8_t to, cctsa_buf *out)
{
	tec_dkg *d = p->dkg;
	uint8_t sid_ot[32], enc[TEC_PT];
	uint8_t *ot = NULL;
	EC_POINT *bp = NULL;
	cctsa_err err = CCTSA_OK;

	if (d == NULL || !tec_peer_ok(p, to) || ((d->sent1 >> to) & 1u) || d->aborted) {
		return CCTSA_E_STATE;
	}
	ot = cctsa_mem_alloc(TEC_D1_OT);
	bp = tec_pt_new(&p->c);
	CCTSA_ENSURE(ot != NULL && bp != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_baseot_sid(&p->c, sid_ot, d->sid, p->me, to));
	CCTSA_TRY(tec_baseot_a_msg(&p->c, &d->bo_a[to], ot, sid_ot, p->ot_a[to]->delta));
	CCTSA_TRY(tec_mul_g(&p->c, bp, &d->bo_b[to]));
	CCTSA_TRY(tec_pt_encode(&p->c, enc, bp));
	CCTSA_TRY(put_hdr(out, TEC_MSG_D1, d->sid, p->me, to));
	CCTSA_TRY(cctsa_buf_put(out, d->comd[p->me], TEC_H));
	CCTSA_TRY(cctsa_buf_put(out, ot, TEC_D1_OT));
	CCTSA_TRY(cctsa_buf_put(out, enc, TEC_PT));
	CCTSA_TRY(cctsa_buf_put(out, d->vs_out[to], 32));
	d->sent1 |= 1u << to;
out:
	cctsa_mem_free(ot);
	tec_pt_free(bp);
	return err;
}

static void dkg_abort(tec_dkg *d, cctsa_tecdsa_fault *fault, cctsa_tecdsa_action a, cctsa_tecdsa_event ev,
		      uint8_t peer)
{
	tec_fault(fault, a, ev, peer);
	if (!d->aborted) {
		d->aborted = 1;
		tec_fault(&d->fault, a, ev, peer);
	}
}

cctsa_err cctsa_tecdsa_dkg_recv1(cctsa_tecdsa_party *p, const uint8_t *msg, size_t len, const uint8_t *sig,
				 size_t sig_len, cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	tec_dkg *d = p->dkg;
	cctsa_cursor cur;
	uint8_t from = 0, sid_ot[32];
	const uint8_t *comd, *ot, *bpt, *vs;
	EC_POINT *bp = tec_pt_new(&p->c);
	cctsa_err err = CCTSA_OK;

	tec_fault(fault, CCTSA_TECDSA_NONE, CCTSA_TECDSA_EV_NONE, 0);
	CCTSA_ENSURE(bp != NULL, CCTSA_E_RESOURCE);
	CCTSA_ENSURE(sig_len <= CCTSA_TECDSA_AUTH_MAX, CCTSA_E_USAGE);
	cctsa_cursor_init(&cur, msg, len);
	CCTSA_TRY(tec_dkg_hdr(p, &cur, TEC_MSG_D1, CCTSA_TECDSA_D1_LEN, &from, fault, diag));
	CCTSA_ENSURE(((d->got1 >> from) & 1u) == 0 && ((d->sent1 >> from) & 1u) && !d->aborted, CCTSA_E_STATE);
	CCTSA_TRY(cctsa_cursor_get_view(&cur, &comd, TEC_H));
	CCTSA_TRY(cctsa_cursor_get_view(&cur, &ot, TEC_D1_OT));
	CCTSA_TRY(cctsa_cursor_get_view(&cur, &bpt, TEC_PT));
	CCTSA_TRY(cctsa_cursor_get_view(&cur, &vs, 32));
	CCTSA_TRY(cctsa_cursor_finish(&cur));
	if (p->auth != NULL && !p->auth(p->auth_ctx, from, msg, len, sig, sig_len)) {
		/* Without a valid signature the message could not serve as evidence: refuse it. */
		dkg_abort(d, fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_SESSION, from);
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: DKG message from %u: bad signature", from);
		goto out;
	}
	if (tec_pt_decode(&p->c, bp, bpt) != CCTSA_OK) {
		dkg_abort(d, fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE, from);
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "tecdsa: D1 from %u: invalid base-OT point", from);
		goto out;
	}
	CCTSA_TRY(tec_baseot_sid(&p->c, sid_ot, d->sid, from, p->me));
	err = tec_baseot_b_keys(&p->c, p->ot_b[from], &d->bo_b[from], sid_ot, ot);
	if (err == CCTSA_E_MALFORMED || err == CCTSA_E_VERIFY) {
		dkg_abort(d, fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE, from);
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "tecdsa: D1 from %u: invalid base-OT message", from);
		goto out;
	}
	CCTSA_TRY(err);
	CCTSA_TRY(tec_baseot_sid(&p->c, sid_ot, d->sid, p->me, from));
	CCTSA_TRY(tec_baseot_a_keys(&p->c, p->ot_a[from], &d->bo_a[from], sid_ot, bp));
	memcpy(d->comd[from], comd, TEC_H);
	memcpy(d->vs_in[from], vs, 32);
	memcpy(d->ev1[from], msg, len);
	if (sig_len > 0) {
		memcpy(d->sig1[from], sig, sig_len);
	}
	d->sig1_len[from] = sig_len;
	d->got1 |= 1u << from;
out:
	tec_pt_free(bp);
	return err;
}

cctsa_err cctsa_tecdsa_dkg_msg2(cctsa_tecdsa_party *p, uint8_t to, cctsa_buf *out)
{
	tec_dkg *d = p->dkg;
	tec_bob_state *bs = NULL;
	uint8_t *bm = NULL, sid_ab[32], yb[TEC_SC];
	tec_sc y, x, t;
	cctsa_err err = CCTSA_OK;

	if (d == NULL || !tec_peer_ok(p, to) || ((d->got1 >> to) & 1u) == 0 || ((d->sent2 >> to) & 1u) || d->aborted) {
		return CCTSA_E_STATE;
	}
	bs = cctsa_secret_alloc(sizeof(*bs));
	bm = cctsa_mem_alloc(TEC_BOBMSG_LEN);
	CCTSA_ENSURE(bs != NULL && bm != NULL, CCTSA_E_RESOURCE);
	/* y = f(to) by Horner. */
	tec_sc_set_u64(&x, to);
	y = d->coef[2];
	tec_sc_mul(&t, &y, &x);
	tec_sc_add(&y, &t, &d->coef[1]);
	tec_sc_mul(&t, &y, &x);
	tec_sc_add(&y, &t, &d->coef[0]);
	tec_sc_to_bytes(yb, &y);
	CCTSA_TRY(tec_dkg_setup_test_sid(&p->c, sid_ab, d->sid, to, p->me));
	CCTSA_TRY(tec_kos_bob(&p->c, bs, bm, p->ot_b[to], sid_ab, NULL, NULL));
	CCTSA_TRY(put_hdr(out, TEC_MSG_D2, d->sid, p->me, to));
	CCTSA_TRY(cctsa_buf_put(out, d->open[p->me], TEC_OPEN_LEN));
	CCTSA_TRY(cctsa_buf_put(out, yb, TEC_SC));
	CCTSA_TRY(cctsa_buf_put(out, bm, TEC_BOBMSG_LEN));
	d->sent2 |= 1u << to;
out:
	cctsa_secret_free(bs);
	cctsa_mem_free(bm);
	cctsa_wipe(yb, sizeof(yb));
	cctsa_wipe(&y, sizeof(y));
	cctsa_wipe(&t, sizeof(t));
	return err;
}

cctsa_err cctsa_tecdsa_dkg_recv2(cctsa_tecdsa_party *p, const uint8_t *msg, size_t len, const uint8_t *sig,
				 size_t sig_len, cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	tec_dkg *d = p->dkg;
	cctsa_cursor cur;
	uint8_t from = 0, sid_ab[32];
	const uint8_t *open, *y, *bm;
	cctsa_tecdsa_event ev = CCTSA_TECDSA_EV_NONE;
	uint8_t (*qcol)[TEC_COL] = NULL;
	int ok = 0;
	cctsa_err err = CCTSA_OK;

	tec_fault(fault, CCTSA_TECDSA_NONE, CCTSA_TECDSA_EV_NONE, 0);
	CCTSA_ENSURE(sig_len <= CCTSA_TECDSA_AUTH_MAX, CCTSA_E_USAGE);
	cctsa_cursor_init(&cur, msg, len);
	CCTSA_TRY(tec_dkg_hdr(p, &cur, TEC_MSG_D2, CCTSA_TECDSA_D2_LEN, &from, fault, diag));
	CCTSA_ENSURE(((d->got1 >> from) & 1u) && ((d->got2 >> from) & 1u) == 0 && !d->aborted, CCTSA_E_STATE);
	CCTSA_TRY(cctsa_cursor_get_view(&cur, &open, TEC_OPEN_LEN));
	CCTSA_TRY(cctsa_cursor_get_view(&cur, &y, TEC_SC));
	CCTSA_TRY(cctsa_cursor_get_view(&cur, &bm, TEC_BOBMSG_LEN));
	CCTSA_TRY(cctsa_cursor_finish(&cur));
	if (p->auth != NULL && !p->auth(p->auth_ctx, from, msg, len, sig, sig_len)) {
		/* Without a valid signature the message could not serve as evidence: refuse it. */
		dkg_abort(d, fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_SESSION, from);
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: DKG message from %u: bad signature", from);
		goto out;
	}
	memcpy(d->ev2[from], msg, len);
	if (sig_len > 0) {
		memcpy(d->sig2[from], sig, sig_len);
	}
	d->sig2_len[from] = sig_len;
	CCTSA_TRY(tec_dkg_check_opening(&p->c, &ev, d->sid, from, p->me, d->comd[from], open, y));
	if (ev == CCTSA_TECDSA_EV_NONE) {
		qcol = cctsa_secret_alloc((size_t)TEC_XI * TEC_COL);
		CCTSA_ENSURE(qcol != NULL, CCTSA_E_RESOURCE);
		CCTSA_TRY(tec_dkg_setup_test_sid(&p->c, sid_ab, d->sid, p->me, from));
		CCTSA_TRY(tec_kos_alice(&p->c, qcol, &ok, p->ot_a[from], sid_ab, bm));
		ev = ok ? CCTSA_TECDSA_EV_NONE : CCTSA_TECDSA_EV_KOS;
	}
	if (ev != CCTSA_TECDSA_EV_NONE) {
		d->accused = from;
		d->reason = (uint8_t)ev;
		dkg_abort(d, fault, ev == CCTSA_TECDSA_EV_KOS ? CCTSA_TECDSA_BAN : CCTSA_TECDSA_ABORT, ev, from);
		d->fault.blamed = from; /* this party's own verdict on its peer */
		if (ev == CCTSA_TECDSA_EV_KOS) {
			tec_ban(p, from);
		}
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: D2 from %u failed check %d", from, (int)ev);
		goto out;
	}
	memcpy(d->open[from], open, TEC_OPEN_LEN);
	(void)tec_sc_from_bytes(&d->y_in[from], y);
	d->got2 |= 1u << from;
out:
	cctsa_secret_free(qcol);
	return err;
}
