/*
 * Online signing (spec §5): the presignature store (RAM only), the one-round
 * share with re-randomisation, and the combiner, which verifies with OpenSSL
 * before releasing a DER ECDSA-Sig-Value. No low-s normalisation (spec §5 step 6).
 */
#include <string.h>

#include "tecdsa/tecdsa_int.h"

#define SHARE_BODY (32 + 1 + CCTSA_TECDSA_DIGEST_LEN + 2 * TEC_SC)

cctsa_err tec_store_put(cctsa_tecdsa_party *p, const tec_store_entry *e)
{
	size_t slot = TEC_STORE_MAX;

	if (p->store == NULL) {
		p->store = cctsa_secret_alloc(TEC_STORE_MAX * sizeof(tec_store_entry));
		if (p->store == NULL) {
			return CCTSA_E_RESOURCE;
		}
	}
	for (size_t i = 0; i < TEC_STORE_MAX && slot == TEC_STORE_MAX; i++) {
		if (p->store[i].state == 0) {
			slot = i;
		}
	}
	for (size_t i = 0; i < TEC_STORE_MAX && slot == TEC_STORE_MAX; i++) {
		if (p->store[i].state == 2) {
			slot = i; /* reuse a consumed (already wiped) slot */
		}
	}
	if (slot == TEC_STORE_MAX) {
		return CCTSA_E_RESOURCE;
	}
	p->store[slot] = *e;
	if (slot + 1 > p->nstore) {
		p->nstore = slot + 1;
	}
	return CCTSA_OK;
}

static tec_store_entry *store_find(cctsa_tecdsa_party *p, const uint8_t pid[32])
{
	for (size_t i = 0; i < p->nstore; i++) {
		if (p->store[i].state != 0 && cctsa_memcmp_var(p->store[i].pid, pid, 32) == 0) {
			return &p->store[i];
		}
	}
	return NULL;
}

size_t cctsa_tecdsa_presign_count(const cctsa_tecdsa_party *p, const uint8_t *set)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nstore; i++) {
		const tec_store_entry *e = &p->store[i];
		int match = 1;

		if (e->state != 1) {
			continue;
		}
		if (set != NULL) {
			for (int a = 0; a < 3; a++) {
				match &= e->set[0] == set[a] || e->set[1] == set[a] || e->set[2] == set[a];
			}
		}
		n += (size_t)match;
	}
	return n;
}

/* R* = R + delta*G with delta = H2S("rerand"; sid, R, Q, e), or R; r* = x(R*) mod q. */
static cctsa_err rerand(cctsa_tecdsa_party *p, const tec_store_entry *e, const uint8_t dg[48], int on,
			tec_sc *delta, tec_sc *rs)
{
	tec_ctx *c = &p->c;
	EC_POINT *r = tec_pt_new(c), *t = tec_pt_new(c);
	cctsa_err err = CCTSA_OK;

	memset(delta, 0, sizeof(*delta));
	CCTSA_ENSURE(r != NULL && t != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_pt_decode(c, r, e->r_pt));
	if (on) {
		CCTSA_TRY(tec_h_begin(c, "rerand"));
		CCTSA_TRY(tec_h_field(c, e->sid, 32));
		CCTSA_TRY(tec_h_field(c, e->r_pt, TEC_PT));
		CCTSA_TRY(tec_h_field(c, p->q_pt, TEC_PT));
		CCTSA_TRY(tec_h_field(c, dg, 48));
		CCTSA_TRY(tec_h_end_sc(c, delta));
		CCTSA_TRY(tec_mul_g(c, t, delta));
		CCTSA_TRY(tec_pt_add(c, r, r, t));
	}
	CCTSA_ENSURE(!tec_pt_is_inf(c, r), CCTSA_E_VERIFY);
	CCTSA_TRY(tec_pt_x_mod_q(c, rs, r));
	CCTSA_ENSURE(!tec_sc_is_zero(rs), CCTSA_E_VERIFY);
out:
	tec_pt_free(r);
	tec_pt_free(t);
	return err;
}

static void digest_scalar(tec_sc *z, const uint8_t e[48])
{
	uint8_t b[64];

	memset(b, 0, 16);
	memcpy(b + 16, e, 48);
	tec_sc_reduce64(z, b); /* OS2IP(e) mod q */
}

cctsa_err cctsa_tecdsa_sign_share(cctsa_tecdsa_party *p, const uint8_t pid[32],
				  const uint8_t e[CCTSA_TECDSA_DIGEST_LEN], int rerand_on,
				  uint8_t out[CCTSA_TECDSA_SHARE_LEN], cctsa_diag *diag)
{
	tec_store_entry *ent = p->store != NULL ? store_find(p, pid) : NULL;
	tec_sc u, v, phi, z, delta, rs, t, w;
	uint8_t *o = out;
	cctsa_err err = CCTSA_OK;

	if (ent == NULL || ent->state != 1) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: no unused presignature with this ID");
	}
	/* Consume first: state flips and the secrets are wiped before any share exists. */
	ent->state = 2;
	u = ent->u;
	v = ent->v;
	phi = ent->phi;
	cctsa_wipe(&ent->u, sizeof(ent->u));
	cctsa_wipe(&ent->v, sizeof(ent->v));
	cctsa_wipe(&ent->phi, sizeof(ent->phi));
	CCTSA_TRY(rerand(p, ent, e, rerand_on, &delta, &rs));
	digest_scalar(&z, e);
	tec_sc_mul(&t, &delta, &phi);
	tec_sc_add(&u, &u, &t);
	tec_sc_mul(&w, &z, &phi);
	tec_sc_mul(&t, &rs, &v);
	tec_sc_add(&w, &w, &t);
	*o++ = TEC_VERSION;
	*o++ = TEC_MSG_SIG;
	memcpy(o, ent->sid, 32);
	o += 32;
	*o++ = p->me;
	memcpy(o, e, 48);
	o += 48;
	tec_sc_to_bytes(o, &u);
	tec_sc_to_bytes(o + TEC_SC, &w);
out:
	cctsa_wipe(&u, sizeof(u));
	cctsa_wipe(&v, sizeof(v));
	cctsa_wipe(&phi, sizeof(phi));
	cctsa_wipe(&t, sizeof(t));
	cctsa_wipe(&w, sizeof(w));
	if (err != CCTSA_OK) {
		cctsa_wipe(out, CCTSA_TECDSA_SHARE_LEN);
	}
	return err;
}

cctsa_err tec_combine_r(cctsa_tecdsa_party *p, const tec_store_entry *e, const uint8_t dg[48], int on, tec_sc *rs)
{
	tec_sc delta;

	return rerand(p, e, dg, on, &delta, rs);
}
