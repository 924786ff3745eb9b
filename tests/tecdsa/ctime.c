/*
 * Constant-time check of the tecdsa module's own secret handling under valgrind
 * (label ctime): Z_q arithmetic, GF(2^128), the KOS check, bit-matrix transposes,
 * OT extension and RVOLE with secret choice bits (Delta, beta), base-OT seeds and
 * inputs marked undefined. EC scalar multiplication inside OpenSSL is out of scope
 * (tests/ctime/EXCEPTIONS-tecdsa).
 */
#include "check.h"
#include "base/ct.h"
#include "tecdsa/tecdsa_int.h"

static void zq(void)
{
	tec_sc a, b, r;
	uint8_t h[64], o[48], x[16], y[16], z[16];
	uint64_t m;

	CHECK_OK(tec_sc_rand(&a));
	CHECK_OK(tec_sc_rand(&b));
	CCTSA_SECRET(&a, sizeof(a));
	CCTSA_SECRET(&b, sizeof(b));
	tec_sc_add(&r, &a, &b);
	tec_sc_sub(&r, &r, &b);
	tec_sc_mul(&r, &r, &a);
	tec_sc_inv(&r, &r);
	tec_sc_neg(&r, &r);
	m = tec_sc_eq(&r, &a) | tec_sc_is_zero(&b);
	tec_sc_select(&r, m, &a, &b);
	tec_sc_to_bytes(o, &r);
	CHECK_OK(cctsa_rand_bytes(h, sizeof(h)));
	CCTSA_SECRET(h, sizeof(h));
	tec_sc_reduce64(&r, h);
	(void)tec_sc_from_bytes(&r, h);
	CHECK_OK(cctsa_rand_bytes(x, 16));
	CHECK_OK(cctsa_rand_bytes(y, 16));
	CCTSA_SECRET(x, 16);
	CCTSA_SECRET(y, 16);
	tec_gf_mul(z, x, y);
	CCTSA_PUBLIC(z, 16);
	CCTSA_PUBLIC(o, 48);
	CCTSA_PUBLIC(&m, sizeof(m));
}

int main(void)
{
	tec_ctx c;
	tec_ot_alice *a = cctsa_secret_alloc(sizeof(*a));
	tec_ot_bob *b = cctsa_secret_alloc(sizeof(*b));
	tec_bob_state *st = cctsa_secret_alloc(sizeof(*st));
	static uint8_t bm[TEC_BOBMSG_LEN], am[TEC_ALICEMSG_LEN];
	static tec_sc g[TEC_XI];
	uint8_t sid[32] = {1}, kid[32] = {2};
	tec_sc ain[2], cc[2], d[2];
	int ok = 0;

	CHECK(a != NULL && b != NULL && st != NULL);
	CHECK_OK(tec_ctx_init(&c));
	zq();
	{
		/* Base-OT receiver: placement of W and a_k*G - H by the secret choice bit. */
		uint8_t w[TEC_PT], p0[TEC_PT], p1[TEC_PT], out[2 * TEC_PT];
		uint32_t choice;

		CHECK_OK(cctsa_rand_bytes(w, sizeof(w)));
		CHECK_OK(cctsa_rand_bytes(p0, sizeof(p0)));
		CHECK_OK(cctsa_rand_bytes(p1, sizeof(p1)));
		CHECK_OK(cctsa_rand_bytes((uint8_t *)&choice, sizeof(choice)));
		choice &= 1;
		CCTSA_SECRET(&choice, sizeof(choice));
		CCTSA_SECRET(p0, sizeof(p0));
		CCTSA_SECRET(p1, sizeof(p1));
		tec_baseot_place(out, w, p0, p1, choice);
		CCTSA_PUBLIC(out, sizeof(out)); /* the message is sent */
	}
	CHECK_OK(tec_gadget(&c, g, kid, 1, 2));
	CHECK_OK(cctsa_rand_bytes(a->delta, TEC_COL));
	CHECK_OK(cctsa_rand_bytes((uint8_t *)b->rho, sizeof(b->rho)));
	for (size_t k = 0; k < TEC_LC; k++) {
		/* Test set-up only: picks the chosen seed with a public (not yet marked) Delta. */
		memcpy(a->s[k], b->rho[k][(a->delta[k >> 3] >> (k & 7)) & 1], 32);
	}
	CCTSA_SECRET(a, sizeof(*a));
	CCTSA_SECRET(b, sizeof(*b));
	CHECK_OK(tec_sc_rand(&ain[0]));
	CHECK_OK(tec_sc_rand(&ain[1]));
	CCTSA_SECRET(ain, sizeof(ain));
	CHECK_OK(tec_kos_bob(&c, st, bm, b, sid, g, NULL));
	CHECK_OK(tec_rvole_alice(&c, cc, am, &ok, a, g, sid, bm, ain, NULL));
	CHECK(ok);
	CHECK_OK(tec_rvole_bob(&c, d, &ok, st, g, sid, am));
	CHECK(ok);
	/* Outputs are secret shares: check the relation, then only the verdict is revealed. */
	{
		tec_sc t, u;
		uint64_t eq;

		tec_sc_add(&t, &cc[0], &d[0]);
		tec_sc_mul(&u, &ain[0], &st->b);
		eq = tec_sc_eq(&t, &u);
		CCTSA_PUBLIC(&eq, sizeof(eq));
		CHECK(eq != 0);
	}
	tec_ctx_free(&c);
	cctsa_secret_free(a);
	cctsa_secret_free(b);
	cctsa_secret_free(st);
	fprintf(stderr, "tecdsa ctime: Z_q, GF(2^128), KOS, transposes, RVOLE clean\n");
	return 0;
}
