/*
 * Base OT (Masny–Rindal endemic OT, batched with one sender key, spec §2.1) and
 * KOS OT extension with the revised Fig. 10 check (spec §3.1, §3.2). Choice bits
 * (Delta, beta) never drive a branch or an index: they only build masks.
 */
#include <string.h>

#include "tecdsa/tecdsa_int.h"

static uint32_t bit_of(const uint8_t *y, size_t i)
{
	return (uint32_t)(y[i >> 3] >> (i & 7)) & 1u;
}

cctsa_err tec_baseot_sid(tec_ctx *c, uint8_t out[32], const uint8_t dkg_sid[32], uint8_t a, uint8_t b)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(c, "baseot-sid"));
	CCTSA_TRY(tec_h_field(c, dkg_sid, 32));
	CCTSA_TRY(tec_h_u8(c, a));
	CCTSA_TRY(tec_h_u8(c, b));
	CCTSA_TRY(tec_h_end32(c, out));
out:
	return err;
}

static cctsa_err h2c_ot(tec_ctx *c, EC_POINT *out, const uint8_t sid_ot[32], uint16_t k, uint8_t j,
			const uint8_t pt[TEC_PT])
{
	uint8_t kb[2] = {(uint8_t)(k >> 8), (uint8_t)k};
	const uint8_t *f[4] = {sid_ot, kb, &j, pt};
	const size_t fl[4] = {32, 2, 1, TEC_PT};

	return tec_h2c(c, out, "baseot-h", f, fl, 4);
}

static cctsa_err ot_key(tec_ctx *c, uint8_t out[32], const uint8_t sid_ot[32], uint16_t k, uint8_t j,
			const EC_POINT *p)
{
	uint8_t enc[TEC_PT];
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_pt_encode(c, enc, p));
	CCTSA_TRY(tec_h_begin(c, "baseot-key"));
	CCTSA_TRY(tec_h_field(c, sid_ot, 32));
	CCTSA_TRY(tec_h_u16(c, k));
	CCTSA_TRY(tec_h_u8(c, j));
	CCTSA_TRY(tec_h_field(c, enc, TEC_PT));
	CCTSA_TRY(tec_h_end32(c, out));
out:
	cctsa_wipe(enc, sizeof(enc));
	return err;
}

void tec_baseot_place(uint8_t out[2 * TEC_PT], const uint8_t w[TEC_PT], const uint8_t p0[TEC_PT],
		      const uint8_t p1[TEC_PT], uint32_t choice)
{
	uint32_t m = cctsa_ct_mask_u32(choice);

	/* r_{k,0} = choice ? W : P0; r_{k,1} = choice ? P1 : W (masked, no branch). */
	memcpy(out, p0, TEC_PT);
	cctsa_ct_copy(m, out, w, TEC_PT);
	memcpy(out + TEC_PT, w, TEC_PT);
	cctsa_ct_copy(m, out + TEC_PT, p1, TEC_PT);
}

/* One instance k of the receiver's message: both H2C values are always computed. */
static cctsa_err baseot_a_one(tec_ctx *c, tec_sc *a, uint8_t out[2 * TEC_PT], const uint8_t sid_ot[32],
			      uint16_t k, uint32_t choice, EC_POINT **t)
{
	uint8_t rnd[TEC_SC], w[TEC_PT], p0[TEC_PT], p1[TEC_PT];
	const uint8_t *f[1] = {rnd};
	const size_t fl[1] = {TEC_SC};
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_rand_bytes(rnd, sizeof(rnd)));
	CCTSA_TRY(tec_h2c(c, t[0], "baseot-rand", f, fl, 1));
	CCTSA_TRY(tec_pt_encode(c, w, t[0]));
	CCTSA_TRY(tec_sc_rand(a));
	CCTSA_TRY(tec_mul_g(c, t[1], a));
	CCTSA_TRY(h2c_ot(c, t[2], sid_ot, k, 0, w));
	CCTSA_TRY(tec_pt_sub(c, t[2], t[1], t[2]));
	CCTSA_TRY(tec_pt_encode(c, p0, t[2]));
	CCTSA_TRY(h2c_ot(c, t[2], sid_ot, k, 1, w));
	CCTSA_TRY(tec_pt_sub(c, t[2], t[1], t[2]));
	CCTSA_TRY(tec_pt_encode(c, p1, t[2]));
	tec_baseot_place(out, w, p0, p1, choice);
out:
	cctsa_wipe(p0, sizeof(p0));
	cctsa_wipe(p1, sizeof(p1));
	return err;
}

cctsa_err tec_baseot_a_msg(tec_ctx *c, tec_baseot_a *st, uint8_t out[TEC_LC * 2 * TEC_PT],
			   const uint8_t sid_ot[32], const uint8_t delta[TEC_COL])
{
	EC_POINT *t[3] = {tec_pt_new(c), tec_pt_new(c), tec_pt_new(c)};
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(t[0] != NULL && t[1] != NULL && t[2] != NULL, CCTSA_E_RESOURCE);
	for (uint16_t k = 0; k < TEC_LC; k++) {
		CCTSA_TRY(baseot_a_one(c, &st->a[k], out + (size_t)k * 2 * TEC_PT, sid_ot, k, bit_of(delta, k), t));
	}
out:
	for (int i = 0; i < 3; i++) {
		tec_pt_free(t[i]);
	}
	return err;
}

cctsa_err tec_baseot_a_keys(tec_ctx *c, tec_ot_alice *ot, const tec_baseot_a *st, const uint8_t sid_ot[32],
			    const EC_POINT *bpt)
{
	EC_POINT *t = tec_pt_new(c);
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(t != NULL, CCTSA_E_RESOURCE);
	for (uint16_t k = 0; k < TEC_LC; k++) {
		CCTSA_TRY(tec_mul(c, t, bpt, &st->a[k]));
		CCTSA_TRY(ot_key(c, ot->s[k], sid_ot, k, (uint8_t)bit_of(ot->delta, k), t));
	}
out:
	tec_pt_free(t);
	return err;
}

cctsa_err tec_baseot_b_keys(tec_ctx *c, tec_ot_bob *ot, const tec_sc *b, const uint8_t sid_ot[32],
			    const uint8_t msg[TEC_LC * 2 * TEC_PT])
{
	EC_POINT *r = tec_pt_new(c), *h = tec_pt_new(c);
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(r != NULL && h != NULL, CCTSA_E_RESOURCE);
	for (size_t i = 0; i < 2 * TEC_LC; i++) {
		CCTSA_TRY(tec_pt_decode(c, r, msg + i * TEC_PT));
	}
	for (uint16_t k = 0; k < TEC_LC; k++) {
		for (uint8_t j = 0; j < 2; j++) {
			const uint8_t *rj = msg + ((size_t)k * 2 + j) * TEC_PT;
			const uint8_t *ro = msg + ((size_t)k * 2 + (1 - j)) * TEC_PT;

			CCTSA_TRY(tec_pt_decode(c, r, rj));
			CCTSA_TRY(h2c_ot(c, h, sid_ot, k, j, ro));
			CCTSA_TRY(tec_pt_add(c, r, r, h));
			CCTSA_ENSURE(!tec_pt_is_inf(c, r), CCTSA_E_VERIFY);
			CCTSA_TRY(tec_mul(c, r, r, b));
			CCTSA_TRY(ot_key(c, ot->rho[k][j], sid_ot, k, j, r));
		}
	}
out:
	tec_pt_free(r);
	tec_pt_free(h);
	return err;
}

void tec_transpose(uint8_t *col, const uint8_t *rows, size_t ncols)
{
	memset(col, 0, ncols * TEC_COL);
	for (size_t k = 0; k < TEC_LC; k++) {
		uint8_t sh = (uint8_t)(k & 7);
		size_t kb = k >> 3;

		for (size_t by = 0; by < ncols / 8; by++) {
			uint32_t v = rows[k * TEC_ROW + by];

			for (size_t bit = 0; bit < 8; bit++) {
				col[(8 * by + bit) * TEC_COL + kb] |= (uint8_t)(((v >> bit) & 1u) << sh);
			}
		}
	}
}

static cctsa_err kos_chi(tec_ctx *c, uint8_t chi[5][16], const uint8_t sid_ab[32], const uint8_t nonce[32],
			 const uint8_t *u)
{
	uint8_t hu[TEC_H], h[TEC_H];
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(c, "KOS-u"));
	CCTSA_TRY(tec_h_field(c, sid_ab, 32));
	CCTSA_TRY(tec_h_field(c, nonce, 32));
	CCTSA_TRY(tec_h_field(c, u, (size_t)TEC_LC * TEC_ROW));
	CCTSA_TRY(tec_h_end(c, hu));
	for (uint8_t j = 0; j < 5; j++) {
		CCTSA_TRY(tec_h_begin(c, "KOS-chi"));
		CCTSA_TRY(tec_h_field(c, sid_ab, 32));
		CCTSA_TRY(tec_h_u8(c, j));
		CCTSA_TRY(tec_h_field(c, hu, TEC_H));
		CCTSA_TRY(tec_h_end(c, h));
		memcpy(chi[j], h, 16);
	}
out:
	return err;
}

/* Scratch for the 256 x 768-bit matrices, in secret memory. */
typedef struct {
	uint8_t t0[TEC_LC][TEC_ROW];
	uint8_t t1[TEC_ROW];
} kos_scratch;

static cctsa_err kos_bob_rows(tec_ctx *c, kos_scratch *s, uint8_t *u, const tec_ot_bob *ot,
			      const uint8_t sid_ab[32], const uint8_t nb[32], const uint8_t x[TEC_ROW])
{
	cctsa_err err = CCTSA_OK;

	for (uint16_t k = 0; k < TEC_LC; k++) {
		CCTSA_TRY(tec_prg(c, s->t0[k], ot->rho[k][0], sid_ab, nb, k));
		CCTSA_TRY(tec_prg(c, s->t1, ot->rho[k][1], sid_ab, nb, k));
		for (int i = 0; i < TEC_ROW; i++) {
			u[(size_t)k * TEC_ROW + i] = s->t0[k][i] ^ s->t1[i] ^ x[i];
		}
	}
out:
	return err;
}

cctsa_err tec_kos_bob(tec_ctx *c, tec_bob_state *st, uint8_t out[TEC_BOBMSG_LEN], const tec_ot_bob *ot,
		      const uint8_t sid_ab[32], const tec_sc *gadget, const tec_kos_tamper *tamper)
{
	uint64_t t0 = c->acct ? tec_cpu_ns() : 0;
	kos_scratch *s = cctsa_secret_alloc(sizeof(*s));
	uint8_t chi[5][16];
	uint8_t *nb = out, *u = out + 32, *xt = u + TEC_LC * TEC_ROW, *tt = xt + 16;
	tec_sc acc, one;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(s != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(cctsa_rand_bytes(st->beta, TEC_ROW)); /* beta (640 bits) || tau (128 bits) */
	CCTSA_SECRET(st->beta, TEC_ROW);
	CCTSA_TRY(cctsa_rand_bytes(nb, 32));
	memset(&acc, 0, sizeof(acc));
	if (gadget != NULL) {
		for (size_t l = 0; l < TEC_XI; l++) {
			tec_sc t;

			tec_sc_add(&t, &acc, &gadget[l]);
			tec_sc_select(&acc, cctsa_ct_mask_u64(bit_of(st->beta, l)), &t, &acc);
		}
	}
	tec_sc_set_u64(&one, 1);
	tec_sc_mont(&st->b, &acc, &one);
	CCTSA_TRY(kos_bob_rows(c, s, u, ot, sid_ab, nb, st->beta));
	if (tamper != NULL) {
		u[(size_t)tamper->row * TEC_ROW + (size_t)(tamper->bit >> 3)] ^= (uint8_t)(1u << (tamper->bit & 7));
	}
	CCTSA_TRY(kos_chi(c, chi, sid_ab, nb, u));
	tec_kh(xt, &chi[0][0], st->beta);
	for (size_t k = 0; k < TEC_LC; k++) {
		tec_kh(tt + 16 * k, &chi[0][0], s->t0[k]);
	}
	tec_transpose(&st->t[0][0], &s->t0[0][0], TEC_XI);
out:
	cctsa_secret_free(s);
	cctsa_wipe(&acc, sizeof(acc));
	if (c->acct) {
		c->ns_ote += tec_cpu_ns() - t0;
	}
	return err;
}

cctsa_err tec_kos_alice(tec_ctx *c, uint8_t (*qcol)[TEC_COL], int *ok, const tec_ot_alice *ot,
			const uint8_t sid_ab[32], const uint8_t msg[TEC_BOBMSG_LEN])
{
	kos_scratch *s = cctsa_secret_alloc(sizeof(*s));
	const uint8_t *nb = msg, *u = msg + 32, *xt = u + TEC_LC * TEC_ROW, *tt = xt + 16;
	uint8_t chi[5][16], kh[16];
	uint32_t bad = 0;
	cctsa_err err = CCTSA_OK;

	*ok = 0;
	CCTSA_ENSURE(s != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(kos_chi(c, chi, sid_ab, nb, u));
	for (uint16_t k = 0; k < TEC_LC; k++) {
		uint8_t m = (uint8_t)cctsa_ct_mask_u32(bit_of(ot->delta, k));

		CCTSA_TRY(tec_prg(c, s->t0[k], ot->s[k], sid_ab, nb, k));
		for (int i = 0; i < TEC_ROW; i++) {
			s->t0[k][i] ^= u[(size_t)k * TEC_ROW + i] & m;
		}
		tec_kh(kh, &chi[0][0], s->t0[k]);
		for (int i = 0; i < 16; i++) {
			bad |= (uint32_t)(kh[i] ^ tt[16 * k + i] ^ (xt[i] & m));
		}
	}
	/* The verdict is public: it decides abort-and-ban (spec §3.2 step 3). */
	CCTSA_PUBLIC(&bad, sizeof(bad));
	*ok = bad == 0;
	tec_transpose(&qcol[0][0], &s->t0[0][0], TEC_XI);
out:
	cctsa_secret_free(s);
	cctsa_wipe(kh, sizeof(kh));
	return err;
}
