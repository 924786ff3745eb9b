/*
 * Two-party random vector OLE over KOS OT extension (DKLs23 Protocol 5.2,
 * spec §3.2 and §3.3). Alice holds (a_0, a_1) and gets c_m; Bob gets a random
 * b = <beta, g> and d_m, with c_m + d_m = a_m * b. beta only builds masks.
 */
#include <string.h>

#include "tecdsa/tecdsa_int.h"

cctsa_err tec_gadget(tec_ctx *c, tec_sc *g_mont, const uint8_t key_id[32], uint8_t a, uint8_t b)
{
	cctsa_err err = CCTSA_OK;

	for (uint16_t l = 0; l < TEC_XI; l++) {
		tec_sc g;

		CCTSA_TRY(tec_h_begin(c, "gadget"));
		CCTSA_TRY(tec_h_field(c, key_id, 32));
		CCTSA_TRY(tec_h_u8(c, a));
		CCTSA_TRY(tec_h_u8(c, b));
		CCTSA_TRY(tec_h_u16(c, l));
		CCTSA_TRY(tec_h_end_sc(c, &g));
		tec_sc_to_mont(&g_mont[l], &g);
	}
out:
	return err;
}

static cctsa_err ote_out(tec_ctx *c, tec_sc *out, const uint8_t sid[32], const uint8_t na[32], uint16_t l,
			 uint8_t m, const uint8_t col[TEC_COL])
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(c, "OTE-out"));
	CCTSA_TRY(tec_h_field(c, sid, 32));
	CCTSA_TRY(tec_h_field(c, na, 32));
	CCTSA_TRY(tec_h_u16(c, l));
	CCTSA_TRY(tec_h_u8(c, m));
	CCTSA_TRY(tec_h_field(c, col, TEC_COL));
	CCTSA_TRY(tec_h_end_sc(c, out));
out:
	return err;
}

/* theta_m (Montgomery form) from the a-tilde bytes. */
static cctsa_err rvole_theta(tec_ctx *c, tec_sc th[2], const uint8_t sid[32], const uint8_t *atil)
{
	uint8_t h[TEC_H];
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(c, "RVOLE-atilde"));
	CCTSA_TRY(tec_h_field(c, sid, 32));
	CCTSA_TRY(tec_h_field(c, atil, (size_t)TEC_XI * 3 * TEC_SC));
	CCTSA_TRY(tec_h_end(c, h));
	for (uint8_t m = 0; m < 2; m++) {
		tec_sc t;

		CCTSA_TRY(tec_h_begin(c, "RVOLE-theta"));
		CCTSA_TRY(tec_h_field(c, sid, 32));
		CCTSA_TRY(tec_h_u8(c, m));
		CCTSA_TRY(tec_h_field(c, h, TEC_H));
		CCTSA_TRY(tec_h_end_sc(c, &t));
		tec_sc_to_mont(&th[m], &t);
	}
out:
	return err;
}

/* mu = H("RVOLE-mu"; sid, SC(mu_0) || ...), mu_l = x_{l,2} + th0*x_{l,0} + th1*x_{l,1} - corr_l. */
static cctsa_err rvole_mu(tec_ctx *c, uint8_t mu[TEC_H], const uint8_t sid[32], const tec_sc *x,
			  const tec_sc th[2], const tec_sc *corr, const uint8_t *beta)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(c, "RVOLE-mu"));
	CCTSA_TRY(tec_h_field(c, sid, 32));
	CCTSA_TRY(tec_h_open(c, (size_t)TEC_XI * TEC_SC));
	for (size_t l = 0; l < TEC_XI; l++) {
		tec_sc acc, t;
		uint8_t b[TEC_SC];

		tec_sc_mont(&t, &th[0], &x[3 * l]);
		tec_sc_add(&acc, &x[3 * l + 2], &t);
		tec_sc_mont(&t, &th[1], &x[3 * l + 1]);
		tec_sc_add(&acc, &acc, &t);
		if (corr != NULL) {
			uint64_t bm = cctsa_ct_mask_u64((uint64_t)(beta[l >> 3] >> (l & 7)) & 1);

			tec_sc_sub(&t, &acc, corr);
			tec_sc_select(&acc, bm, &t, &acc);
		}
		tec_sc_to_bytes(b, &acc);
		CCTSA_TRY(tec_h_more(c, b, TEC_SC));
	}
	CCTSA_TRY(tec_h_end(c, mu));
out:
	return err;
}

/* out_m = sum_l g_l * x_{l,m} for m = 0, 1. */
static void gadget_dot(tec_sc out[2], const tec_sc *g, const tec_sc *x)
{
	memset(out, 0, 2 * sizeof(tec_sc));
	for (size_t l = 0; l < TEC_XI; l++) {
		for (int m = 0; m < 2; m++) {
			tec_sc t;

			tec_sc_mont(&t, &g[l], &x[3 * l + m]);
			tec_sc_add(&out[m], &out[m], &t);
		}
	}
}

typedef struct {
	uint8_t q[TEC_XI][TEC_COL];
	tec_sc a0[TEC_XI * 3];
	tec_sc a1[TEC_XI * 3];
	uint8_t qd[TEC_COL];
	tec_sc eta_hat, th[2];
} alice_scratch;

static cctsa_err alice_ot(tec_ctx *c, alice_scratch *s, const tec_ot_alice *ot, const uint8_t sid[32],
			  const uint8_t na[32])
{
	cctsa_err err = CCTSA_OK;

	for (uint16_t l = 0; l < TEC_XI; l++) {
		for (int i = 0; i < TEC_COL; i++) {
			s->qd[i] = s->q[l][i] ^ ot->delta[i];
		}
		for (uint8_t m = 0; m < 3; m++) {
			CCTSA_TRY(ote_out(c, &s->a0[3 * l + m], sid, na, l, m, s->q[l]));
			CCTSA_TRY(ote_out(c, &s->a1[3 * l + m], sid, na, l, m, s->qd));
		}
	}
out:
	return err;
}

cctsa_err tec_rvole_alice(tec_ctx *c, tec_sc c_out[2], uint8_t out[TEC_ALICEMSG_LEN], int *kos_ok,
			  const tec_ot_alice *ot, const tec_sc *gadget, const uint8_t sid_ab[32],
			  const uint8_t bobmsg[TEC_BOBMSG_LEN], const tec_sc a_in[2], const tec_rvole_tamper *tamper)
{
	uint64_t t0 = c->acct ? tec_cpu_ns() : 0;
	alice_scratch *s = cctsa_secret_alloc(sizeof(*s));
	uint8_t *na = out, *at = out + 32, *eta = at + TEC_XI * 3 * TEC_SC, *mu = eta + TEC_SC;
	tec_sc t, eta_v;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(s != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_kos_alice(c, s->q, kos_ok, ot, sid_ab, bobmsg));
	CCTSA_ENSURE(*kos_ok, CCTSA_OK); /* caller reports FAIL_KOS */
	CCTSA_TRY(cctsa_rand_bytes(na, 32));
	CCTSA_TRY(alice_ot(c, s, ot, sid_ab, na));
	CCTSA_TRY(tec_sc_rand(&s->eta_hat));
	for (size_t l = 0; l < TEC_XI; l++) {
		for (int m = 0; m < 3; m++) {
			tec_sc_sub(&t, &s->a0[3 * l + m], &s->a1[3 * l + m]);
			tec_sc_add(&t, &t, m < 2 ? &a_in[m] : &s->eta_hat);
			if (tamper != NULL && (size_t)tamper->l == l && tamper->m == m) {
				tec_sc one;

				tec_sc_set_u64(&one, 1);
				tec_sc_add(&t, &t, &one);
			}
			tec_sc_to_bytes(at + (3 * l + (size_t)m) * TEC_SC, &t);
		}
	}
	CCTSA_TRY(rvole_theta(c, s->th, sid_ab, at));
	tec_sc_mont(&t, &s->th[0], &a_in[0]);
	tec_sc_add(&eta_v, &s->eta_hat, &t);
	tec_sc_mont(&t, &s->th[1], &a_in[1]);
	tec_sc_add(&eta_v, &eta_v, &t);
	tec_sc_to_bytes(eta, &eta_v);
	CCTSA_TRY(rvole_mu(c, mu, sid_ab, s->a0, s->th, NULL, NULL));
	gadget_dot(c_out, gadget, s->a0);
	tec_sc_neg(&c_out[0], &c_out[0]);
	tec_sc_neg(&c_out[1], &c_out[1]);
out:
	cctsa_secret_free(s);
	cctsa_wipe(&t, sizeof(t));
	cctsa_wipe(&eta_v, sizeof(eta_v));
	if (c->acct) {
		c->ns_ote += tec_cpu_ns() - t0;
	}
	return err;
}

typedef struct {
	tec_sc d[TEC_XI * 3];
	tec_sc th[2], eta;
} bob_scratch;

cctsa_err tec_rvole_bob(tec_ctx *c, tec_sc d_out[2], int *ok, const tec_bob_state *st, const tec_sc *gadget,
			const uint8_t sid_ab[32], const uint8_t alicemsg[TEC_ALICEMSG_LEN])
{
	uint64_t t0 = c->acct ? tec_cpu_ns() : 0;
	bob_scratch *s = cctsa_secret_alloc(sizeof(*s));
	const uint8_t *na = alicemsg, *at = alicemsg + 32, *eta = at + TEC_XI * 3 * TEC_SC, *mu = eta + TEC_SC;
	uint8_t mu2[TEC_H];
	uint64_t valid = ~(uint64_t)0;
	cctsa_err err = CCTSA_OK;

	*ok = 0;
	CCTSA_ENSURE(s != NULL, CCTSA_E_RESOURCE);
	for (size_t i = 0; i < TEC_XI * 3; i++) {
		valid &= tec_sc_from_bytes(&s->d[i], at + i * TEC_SC);
	}
	valid &= tec_sc_from_bytes(&s->eta, eta);
	/* Public: a scalar >= q is a decoding error of a public message. */
	CCTSA_PUBLIC(&valid, sizeof(valid));
	CCTSA_ENSURE(valid != 0, CCTSA_E_MALFORMED);
	CCTSA_TRY(rvole_theta(c, s->th, sid_ab, at));
	for (uint16_t l = 0; l < TEC_XI; l++) {
		uint64_t bm = cctsa_ct_mask_u64((uint64_t)(st->beta[l >> 3] >> (l & 7)) & 1);

		for (uint8_t m = 0; m < 3; m++) {
			tec_sc v, t;

			CCTSA_TRY(ote_out(c, &v, sid_ab, na, l, m, st->t[l]));
			tec_sc_add(&t, &v, &s->d[3 * l + m]);
			tec_sc_select(&s->d[3 * l + m], bm, &t, &v);
		}
	}
	CCTSA_TRY(rvole_mu(c, mu2, sid_ab, s->d, s->th, &s->eta, st->beta));
	{
		uint32_t eq = cctsa_ct_memeq(mu, mu2, TEC_H);

		/* The verdict is public: it decides FAIL_RVOLE (spec §3.3 step 5). */
		CCTSA_PUBLIC(&eq, sizeof(eq));
		*ok = eq != 0;
	}
	gadget_dot(d_out, gadget, s->d);
out:
	cctsa_secret_free(s);
	if (c->acct) {
		c->ns_ote += tec_cpu_ns() - t0;
	}
	return err;
}
