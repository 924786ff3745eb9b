/*
 * Signing rounds 1-3 of one party (spec §3): the single-use round-1 state and the
 * signer state machine.
 *
 *   signer_new (cmt_i out) --recv cmt x2--> round2 (W_i out) --recv W x2--> round3
 *   (Z_i out, round-1 state wiped) --> done.
 *
 * Nothing derived from a rejected candidate leaves round 3; the only values
 * declassified are the accept/reject bit and the accepted z (spec §6 item 4).
 */
#include <math.h>
#include <string.h>

#include "base/ct.h"
#include "tmldsa/tmldsa_int.h"


/* Secret scratch of round 3. */
typedef struct {
	int16_t s1[TM_LC][TM_NC], s2[TM_KR][TM_NC]; /* s^part, |coef| <= 16 */
	int16_t v1[TM_LC][TM_NC], v2[TM_KR][TM_NC]; /* c s^part, |coef| <= 784 */
	tm_poly z[TM_LC];
} r3_scratch;

static void round_vector(tm_poly *out, const double *x, unsigned npoly)
{
	for (unsigned p = 0; p < npoly; p++) {
		for (unsigned i = 0; i < TM_NC; i++) {
			out[p].c[i] = tm_round_away(x[p * TM_NC + i]);
		}
	}
}

/* w_{i,j} = A y_j + e_j mod q, packed 23 bits per coefficient into W_i. */
static void commit_rep(cctsa_tmldsa_pre *pre, const tm_matrix *a, unsigned j)
{
	tm_poly y[TM_LC], e[TM_KR], w[TM_KR];

	round_vector(y, pre->x[j], TM_LC);
	round_vector(e, pre->x[j] + TM_D1, TM_KR);
	tm_matvec(w, a, y);
	for (unsigned p = 0; p < TM_KR; p++) {
		for (unsigned i = 0; i < TM_NC; i++) {
			w[p].c[i] = mldsa_freeze(w[p].c[i] + e[p].c[i]);
		}
		tm_pack23(pre->w + (size_t)j * TM_W_REP + (size_t)p * 736, &w[p]);
	}
	cctsa_wipe(y, sizeof(y));
	cctsa_wipe(e, sizeof(e));
	cctsa_wipe(w, sizeof(w));
}

/* No caller-chosen rho'' in the API: a repeated rho'' would leak the partial secret. */
static cctsa_err pre_new_seeded(cctsa_tmldsa_pre **out, const cctsa_tmldsa_share *sh,
				const uint8_t rho2[64])
{
	cctsa_tmldsa_pre *pre = cctsa_secret_alloc(sizeof(*pre));

	*out = NULL;
	if (pre == NULL) {
		return CCTSA_E_RESOURCE;
	}
	pre->id = sh->id;
	memcpy(pre->tr, sh->tr, 64);
	/* The 62 sampler streams four at a time (15 groups of 4, then 2). */
	for (unsigned j0 = 0; j0 < TM_REPS; j0 += 4) {
		unsigned n = TM_REPS - j0 < 4 ? TM_REPS - j0 : 4;
		unsigned js[4] = { j0, j0 + 1, j0 + 2, j0 + 3 };
		double *xs[4] = { pre->x[j0], NULL, NULL, NULL };

		for (unsigned s = 1; s < n; s++) {
			xs[s] = pre->x[j0 + s];
		}
		tm_hyperball_x4(xs, rho2, js, n);
		for (unsigned s = 0; s < n; s++) {
			commit_rep(pre, &sh->ahat, j0 + s);
		}
	}
	tm_cmt(pre->cmt, pre->tr, pre->id, pre->w);
	*out = pre;
	return CCTSA_OK;
}

cctsa_err cctsa_tmldsa_pre_new(cctsa_tmldsa_pre **out, const cctsa_tmldsa_share *sh)
{
	uint8_t rho2[64];
	cctsa_err err;

	*out = NULL;
	err = cctsa_rand_bytes(rho2, sizeof(rho2));
	if (err == CCTSA_OK) {
		err = pre_new_seeded(out, sh, rho2);
	}
	cctsa_wipe(rho2, sizeof(rho2));
	return err;
}

void cctsa_tmldsa_pre_free(cctsa_tmldsa_pre *pre)
{
	cctsa_secret_free(pre);
}

static cctsa_err signer_check(const cctsa_tmldsa_share *sh, const cctsa_tmldsa_pre *pre,
			      const cctsa_tmldsa_session *s, cctsa_diag *diag)
{
	if (pre->bound || pre->consumed) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: round-1 state already used");
	}
	if (pre->id != sh->id || cctsa_memcmp_var(pre->tr, sh->tr, 64) != 0) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "tmldsa: round-1 state of another share");
	}
	if (!(s->act & (1u << sh->id))) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "tmldsa: party %u is not in the signing set",
				  sh->id);
	}
	return CCTSA_OK;
}

cctsa_err cctsa_tmldsa_signer_new(cctsa_tmldsa_signer **out, cctsa_buf *r1_frame,
				  cctsa_tmldsa_share *sh, cctsa_tmldsa_pre *pre,
				  const cctsa_tmldsa_session *s, cctsa_diag *diag)
{
	cctsa_tmldsa_signer *sg = NULL;
	cctsa_err err = CCTSA_OK;

	*out = NULL;
	CCTSA_TRY(signer_check(sh, pre, s, diag));
	sg = cctsa_mem_alloc(sizeof(*sg));
	CCTSA_ENSURE(sg != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: out of memory"));
	CCTSA_TRY(tm_sess_init(&sg->sess, sh->pk, s, diag));
	sg->sh = sh;
	/* Bound to this attempt for good: no other signer may ever take it. */
	pre->bound = 1;
	sg->pre = pre;
	memcpy(sg->sess.cmt[sh->id], pre->cmt, 32);
	sg->sess.have_cmt = 1u << sh->id;
	sg->state = SG_STARTED;
	CCTSA_TRY(tm_frame_put(r1_frame, CCTSA_TMLDSA_MSG_SIGN_CMT, sh->id, CCTSA_TMLDSA_BROADCAST,
			       sg->sess.ssid, pre->cmt, 32));
	*out = sg;
	sg = NULL;
out:
	cctsa_tmldsa_signer_free(sg);
	return err;
}

/* Wipes the secret part of a round-1 state; the object stays (consumed) until freed. */
static void pre_consume(cctsa_tmldsa_pre *pre)
{
	pre->consumed = 1;
	cctsa_wipe(pre->x, sizeof(pre->x));
}

void cctsa_tmldsa_signer_free(cctsa_tmldsa_signer *sg)
{
	if (sg == NULL) {
		return;
	}
	if (sg->pre != NULL) {
		pre_consume(sg->pre);
	}
	tm_sess_clear(&sg->sess);
	cctsa_mem_free(sg);
}

cctsa_err cctsa_tmldsa_signer_recv(cctsa_tmldsa_signer *sg, const uint8_t *frame, size_t len,
				   cctsa_diag *diag)
{
	if (sg->state == SG_DONE) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: attempt already finished");
	}
	return tm_sess_recv(&sg->sess, frame, len, 0, sg->sh->id, diag);
}

cctsa_err cctsa_tmldsa_signer_round2(cctsa_tmldsa_signer *sg, cctsa_buf *out, cctsa_diag *diag)
{
	unsigned id = sg->sh->id;

	/* Anti-rushing (spec §3.2): W_i only once all T commitments are held. */
	if (sg->state != SG_STARTED || sg->sess.aborted || sg->sess.have_cmt != sg->sess.act) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: round 2 needs all three commitments");
	}
	sg->sess.w[id] = cctsa_mem_dup(sg->pre->w, TM_W_LEN);
	if (sg->sess.w[id] == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: out of memory");
	}
	sg->sess.have_w |= 1u << id;
	sg->state = SG_REVEALED;
	return tm_frame_put(out, CCTSA_TMLDSA_MSG_SIGN_W, id, CCTSA_TMLDSA_BROADCAST, sg->sess.ssid,
			    sg->pre->w, TM_W_LEN);
}

unsigned cctsa_tmldsa_signer_accepted(const cctsa_tmldsa_signer *sg)
{
	return sg->accepted;
}

/* s^part: the sum of the base secrets the partition gives this party (spec §2.2). */
static void partial_secret(r3_scratch *w, const cctsa_tmldsa_share *sh, unsigned act)
{
	uint8_t parts[CCTSA_TMLDSA_N][4];
	unsigned count[CCTSA_TMLDSA_N];

	memset(w->s1, 0, sizeof(w->s1));
	memset(w->s2, 0, sizeof(w->s2));
	if (cctsa_tmldsa_partition(parts, count, act) != CCTSA_OK) {
		return; /* act was checked when the session was made */
	}
	for (unsigned k = 0; k < count[sh->id]; k++) {
		for (unsigned h = 0; h < CCTSA_TMLDSA_HELD; h++) {
			const tm_secret *b = &sh->sec[h];

			if (sh->masks[h] != parts[sh->id][k]) {
				continue;
			}
			for (unsigned i = 0; i < TM_LC * TM_NC; i++) {
				w->s1[i / TM_NC][i % TM_NC] += (int16_t)b->s1[i / TM_NC][i % TM_NC];
			}
			for (unsigned i = 0; i < TM_KR * TM_NC; i++) {
				w->s2[i / TM_NC][i % TM_NC] += (int16_t)b->s2[i / TM_NC][i % TM_NC];
			}
		}
	}
}

/* HRej (spec §3.3 step 4.4-4.5): Qn <= r^2, in the operation order of spec §8 item 3. */
static int hrej_accept(const r3_scratch *w, const double *x)
{
	const double nu2 = (double)CCTSA_TMLDSA_NU * CCTSA_TMLDSA_NU;
	const double r2 = CCTSA_TMLDSA_R * CCTSA_TMLDSA_R;
	double qn = 0.0;
	int ok;

	for (unsigned t = 0; t < TM_D1; t++) {
		double u = (double)w->v1[t / TM_NC][t % TM_NC] + x[t];
		qn += (u * u) / nu2;
	}
	for (unsigned t = 0; t < TM_DIM - TM_D1; t++) {
		double u = (double)w->v2[t / TM_NC][t % TM_NC] + x[TM_D1 + t];
		qn += u * u;
	}
	ok = qn <= r2;
	/* The accept/reject bit is public (spec §6 item 4). */
	CCTSA_PUBLIC(&ok, sizeof(ok));
	return ok;
}

/* One repetition: 1 and z in w->z if accepted, else 0. */
static int respond_rep(r3_scratch *w, const cctsa_tmldsa_signer *sg, unsigned j)
{
	tm_poly agg[TM_KR], w1[TM_KR], c;
	const double *x = sg->pre->x[j];
	uint8_t ctilde[48];
	uint32_t big = 0;

	tm_sess_aggregate(agg, &sg->sess, j);
	tm_highbits(w1, agg);
	tm_challenge(ctilde, &c, sg->sess.mu, w1);
	for (unsigned p = 0; p < TM_LC; p++) {
		tm_mul_challenge(w->v1[p], &c, w->s1[p]);
	}
	for (unsigned p = 0; p < TM_KR; p++) {
		tm_mul_challenge(w->v2[p], &c, w->s2[p]);
	}
	if (!hrej_accept(w, x)) {
		return 0;
	}
	round_vector(w->z, x, TM_LC);
	for (unsigned p = 0; p < TM_LC; p++) {
		for (unsigned i = 0; i < TM_NC; i++) {
			w->z[p].c[i] += w->v1[p][i];
		}
	}
	/*
	 * An accepted z is released (spec §6 item 4). The robustness rule (|z| >=
	 * gamma1 - beta => bottom, spec §3.3 step 5) depends on z alone, so it leaks
	 * nothing either.
	 */
	CCTSA_PUBLIC(w->z, sizeof(w->z));
	for (unsigned p = 0; p < TM_LC; p++) {
		for (unsigned i = 0; i < TM_NC; i++) {
			int32_t v = w->z[p].c[i];

			big |= (uint32_t)(v >= TM_GAMMA1 - TM_BETA || v <= -(TM_GAMMA1 - TM_BETA));
		}
	}
	return big == 0;
}

static cctsa_err respond_all(cctsa_tmldsa_signer *sg, cctsa_buf *out, r3_scratch *w)
{
	cctsa_err err = CCTSA_OK;
	uint8_t *zbuf = cctsa_mem_alloc(TM_Z_LEN);
	uint64_t map = 0;
	unsigned id = sg->sh->id;

	CCTSA_ENSURE(zbuf != NULL, CCTSA_E_RESOURCE);
	partial_secret(w, sg->sh, sg->sess.act);
	for (unsigned j = 0; j < TM_REPS; j++) {
		if (respond_rep(w, sg, j)) {
			map |= (uint64_t)1 << j;
			sg->accepted++;
			for (unsigned p = 0; p < TM_LC; p++) {
				tm_pack_z(zbuf + (size_t)j * TM_Z_REP + (size_t)p * 640, &w->z[p]);
			}
		}
	}
	CCTSA_TRY(tm_frame_begin(out, CCTSA_TMLDSA_MSG_SIGN_Z, id, CCTSA_TMLDSA_BROADCAST,
				 sg->sess.ssid, TM_ZMAP_LEN + TM_Z_LEN));
	for (unsigned b = 0; b < 8; b++) {
		CCTSA_TRY(cctsa_buf_put_u8(out, (uint8_t)(map >> (8 * b))));
	}
	CCTSA_TRY(cctsa_buf_put(out, zbuf, TM_Z_LEN));
out:
	cctsa_mem_free(zbuf);
	return err;
}

cctsa_err cctsa_tmldsa_signer_round3(cctsa_tmldsa_signer *sg, cctsa_buf *out, cctsa_diag *diag)
{
	cctsa_tmldsa_share *sh = sg->sh;
	r3_scratch *w = NULL;
	cctsa_err err = CCTSA_OK;

	if (sg->state != SG_REVEALED || sg->pre == NULL || sg->sess.aborted ||
	    sg->sess.have_w != sg->sess.act) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: round 3 needs all three checked W");
	}
	/* From here on the round-1 state is spent whatever happens (spec §6 item 3). */
	sg->state = SG_DONE;
	CCTSA_ENSURE(sh->used < sh->budget,
		     cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: signing-attempt budget of the key spent"));
	sh->used++;
	w = cctsa_secret_alloc(sizeof(*w));
	CCTSA_ENSURE(w != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: no secret memory"));
	err = respond_all(sg, out, w);
	if (err != CCTSA_OK) {
		cctsa_fail(diag, err, "tmldsa: round 3 failed");
	}
out:
	cctsa_secret_free(w);
	pre_consume(sg->pre);
	sg->pre = NULL;
	return err;
}
