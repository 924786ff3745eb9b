/*
 * Combine (spec §4): public data only. Sums the partial responses, recomputes
 * what the FIPS 204 verifier will compute, builds the hint and releases a
 * signature only after the plain ML-DSA-65 verifier accepts it.
 */
#include <string.h>

#include "base/ct.h"
#include "tmldsa/tmldsa_int.h"

struct cctsa_tmldsa_combiner {
	uint8_t pk[CCTSA_TMLDSA_PK_LEN];
	uint8_t *msg, *ctx;
	size_t msg_len, ctx_len;
	tm_matrix a;
	tm_poly t1hat[TM_KR];
	tm_sess sess;
};

cctsa_err cctsa_tmldsa_combiner_new(cctsa_tmldsa_combiner **out,
				    const uint8_t pk[static CCTSA_TMLDSA_PK_LEN],
				    const cctsa_tmldsa_session *s, cctsa_diag *diag)
{
	cctsa_tmldsa_combiner *cb = cctsa_mem_alloc(sizeof(*cb));
	cctsa_err err = CCTSA_OK;

	*out = NULL;
	CCTSA_ENSURE(cb != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: out of memory"));
	CCTSA_TRY(tm_sess_init(&cb->sess, pk, s, diag));
	cb->msg = cctsa_mem_dup(s->msg, s->msg_len);
	cb->ctx = cctsa_mem_dup(s->ctx, s->ctx_len);
	CCTSA_ENSURE(cb->msg != NULL && cb->ctx != NULL,
		     cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: out of memory"));
	cb->msg_len = s->msg_len;
	cb->ctx_len = s->ctx_len;
	memcpy(cb->pk, pk, CCTSA_TMLDSA_PK_LEN);
	tm_expand_a(&cb->a, pk);
	tm_t1_ntt(cb->t1hat, pk);
	*out = cb;
	cb = NULL;
out:
	cctsa_tmldsa_combiner_free(cb);
	return err;
}

cctsa_err cctsa_tmldsa_combiner_from_signer(cctsa_tmldsa_combiner **out,
					    const cctsa_tmldsa_signer *sg,
					    const cctsa_tmldsa_session *s, cctsa_diag *diag)
{
	cctsa_tmldsa_combiner *cb = NULL;
	cctsa_err err = CCTSA_OK;

	*out = NULL;
	if (sg->state < SG_REVEALED || sg->sess.aborted || sg->sess.have_w != sg->sess.act) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: the signer does not hold all checked W");
	}
	CCTSA_TRY(cctsa_tmldsa_combiner_new(&cb, sg->sh->pk, s, diag));
	CCTSA_ENSURE(cctsa_memcmp_var(cb->sess.ssid, sg->sess.ssid, 32) == 0,
		     cctsa_fail(diag, CCTSA_E_USAGE, "tmldsa: session differs from the signer's"));
	/* The signer checked every W_u against cmt_u on arrival: copy, do not re-hash. */
	memcpy(cb->sess.cmt, sg->sess.cmt, sizeof(cb->sess.cmt));
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		if (sg->sess.act & (1u << u)) {
			cb->sess.w[u] = cctsa_mem_dup(sg->sess.w[u], TM_W_LEN);
			CCTSA_ENSURE(cb->sess.w[u] != NULL,
				     cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: out of memory"));
		}
	}
	cb->sess.have_cmt = cb->sess.have_w = sg->sess.act;
	*out = cb;
	cb = NULL;
out:
	cctsa_tmldsa_combiner_free(cb);
	return err;
}

void cctsa_tmldsa_combiner_free(cctsa_tmldsa_combiner *cb)
{
	if (cb == NULL) {
		return;
	}
	tm_sess_clear(&cb->sess);
	cctsa_mem_free(cb->msg);
	cctsa_mem_free(cb->ctx);
	cctsa_mem_free(cb);
}

cctsa_err cctsa_tmldsa_combiner_recv(cctsa_tmldsa_combiner *cb, const uint8_t *frame, size_t len,
				     cctsa_diag *diag)
{
	return tm_sess_recv(&cb->sess, frame, len, 1, CCTSA_TMLDSA_BROADCAST, diag);
}

/* z_j = sum of the members' z_{u,j}; 0 if some member sent bottom or |z| too big. */
static int sum_z(tm_poly z[TM_LC], const tm_sess *s, unsigned j)
{
	tm_poly t;

	memset(z, 0, sizeof(tm_poly) * TM_LC);
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		if (!(s->act & (1u << u))) {
			continue;
		}
		if (!((s->zmap[u] >> j) & 1)) {
			return 0;
		}
		for (unsigned p = 0; p < TM_LC; p++) {
			tm_unpack_z(&t, s->z[u] + (size_t)j * TM_Z_REP + (size_t)p * 640);
			mldsa_poly_add(&z[p], &z[p], &t);
		}
	}
	/* Each |z_u| < gamma1 - beta, so the plain sum is already the centred value. */
	for (unsigned p = 0; p < TM_LC; p++) {
		if (mldsa_poly_chknorm(&z[p], TM_GAMMA1 - TM_BETA)) {
			return 0;
		}
	}
	return 1;
}

/* Spec §4 step 2 for repetition j: 1 and the signature if every check passes. */
static int try_rep(cctsa_tmldsa_combiner *cb, unsigned j, uint8_t sig[CCTSA_TMLDSA_SIG_LEN])
{
	tm_poly z[TM_LC], w[TM_KR], w1[TM_KR], wh[TM_KR], wh1[TM_KR], h[TM_KR], c;
	uint8_t ctilde[48];
	unsigned ones = 0;

	if (!sum_z(z, &cb->sess, j)) {
		return 0;
	}
	tm_sess_aggregate(w, &cb->sess, j);
	tm_highbits(w1, w);
	tm_challenge(ctilde, &c, cb->sess.mu, w1);
	tm_verifier_w(wh, &cb->a, cb->t1hat, z, &c);
	for (unsigned p = 0; p < TM_KR; p++) {
		for (unsigned i = 0; i < TM_NC; i++) {
			int32_t f = tm_center(tm_modq((int64_t)wh[p].c[i] - w[p].c[i]));

			if (f >= TM_GAMMA2 || f <= -TM_GAMMA2) {
				return 0;
			}
		}
	}
	tm_highbits(wh1, wh);
	for (unsigned p = 0; p < TM_KR; p++) {
		for (unsigned i = 0; i < TM_NC; i++) {
			h[p].c[i] = wh1[p].c[i] != w1[p].c[i];
			ones += (unsigned)h[p].c[i];
		}
	}
	if (ones > TM_OMEGA) {
		return 0;
	}
	tm_sig_encode(sig, ctilde, z, h);
	return 1;
}

cctsa_err cctsa_tmldsa_combine(cctsa_tmldsa_combiner *cb, uint8_t sig[static CCTSA_TMLDSA_SIG_LEN],
			       unsigned *rep, cctsa_diag *diag)
{
	if (cb->sess.aborted || cb->sess.have_z != cb->sess.act) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: combine needs Z from all three signers");
	}
	for (unsigned j = 0; j < TM_REPS; j++) {
		if (!try_rep(cb, j, sig)) {
			continue;
		}
		if (tm_verify(cb->pk, cb->msg, cb->msg_len, cb->ctx, cb->ctx_len, sig) != CCTSA_OK) {
			memset(sig, 0, CCTSA_TMLDSA_SIG_LEN);
			return cctsa_fail(diag, CCTSA_E_VERIFY,
					  "tmldsa: combined signature fails ML-DSA verification "
					  "(repetition %u)", j);
		}
		if (rep != NULL) {
			*rep = j;
		}
		return CCTSA_OK;
	}
	memset(sig, 0, CCTSA_TMLDSA_SIG_LEN);
	return cctsa_fail(diag, CCTSA_E_VERIFY, "tmldsa: no repetition passed; retry the attempt");
}
