/*
 * Threshold ECDSA tests (spec §8): KATs, Z_q against BIGNUM, KOS and RVOLE
 * invariants and selective-failure tests, a full DKG among five parties with
 * its negative tests and complaints, signing from all ten signing sets, the
 * presigning negative tests with the exact §7.2 action, reuse and restart.
 */
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>

#include "tecdsa_util.h"

static tec_ctx C;

static void hexeq(const uint8_t *got, size_t n, const char *hex)
{
	uint8_t want[128];
	size_t wl = 0;

	CHECK_OK(cctsa_hex_decode(want, sizeof(want), &wl, hex));
	CHECK(wl == n);
	CHECK_MEMEQ(got, want, n);
}

static void test_kats(void)
{
	uint8_t a[16] = {0}, b[16] = {0}, r[16], z32[32] = {0}, out[96], h[64];
	EC_POINT *pt = tec_pt_new(&C);
	uint8_t g[TEC_PT], enc[TEC_PT];
	tec_sc s;

	a[15] = 0x80; /* X^127 */
	b[0] = 0x02;  /* X */
	tec_gf_mul(r, a, b);
	hexeq(r, 16, "87000000000000000000000000000000");
	memset(a, 0, 16);
	a[0] = 3;
	tec_gf_mul(r, a, a);
	hexeq(r, 16, "05000000000000000000000000000000");
	for (int i = 0; i < 16; i++) {
		a[i] = (uint8_t)i;
		b[i] = (uint8_t)(0x10 + i);
	}
	tec_gf_mul(r, a, b);
	hexeq(r, 16, "c041ee395862761aa00a8e7238291651");
	/* H2S("gadget"; 0^32, I8(1), I8(2), I16(0)) */
	CHECK_OK(tec_h_begin(&C, "gadget"));
	CHECK_OK(tec_h_field(&C, z32, 32));
	CHECK_OK(tec_h_u8(&C, 1));
	CHECK_OK(tec_h_u8(&C, 2));
	CHECK_OK(tec_h_u16(&C, 0));
	CHECK_OK(tec_h_end_sc(&C, &s));
	tec_sc_to_bytes(h, &s);
	hexeq(h, 48, "de9e05f68c7b4c49ca038116d6d7f00fe88bddb4d9556a1da5859efd3f3265f1dd15649a659aae0e5b45b717971d7c67");
	/* H2C("baseot-h"; 0^32, I16(0), I8(0), PT(G)) */
	CHECK(EC_POINT_point2oct(C.group, EC_GROUP_get0_generator(C.group), POINT_CONVERSION_COMPRESSED, g, TEC_PT,
				 C.bn) == TEC_PT);
	{
		uint8_t k0[2] = {0, 0}, c0 = 0;
		const uint8_t *f[4] = {z32, k0, &c0, g};
		const size_t fl[4] = {32, 2, 1, TEC_PT};

		CHECK_OK(tec_h2c(&C, pt, "baseot-h", f, fl, 4));
		CHECK_OK(tec_pt_encode(&C, enc, pt));
		hexeq(enc, TEC_PT, "03ab75c89e0e9c9cfc7bbc1c04af506d97c6c78f8153e708ff01237974df5504c3736d4cdeb14b4f03979ff2169fc24713");
	}
	CHECK_OK(tec_prg(&C, out, z32, z32, z32, 0));
	hexeq(out, 32, "adb5c9b942145914a84b6687d6f7f212e0ce21c7595f59f8fc7ad3edf935ad24");
	CHECK_OK(tec_h_begin(&C, "key-id"));
	CHECK_OK(tec_h_field(&C, "abc", 3));
	CHECK_OK(tec_h_end32(&C, h));
	hexeq(h, 32, "97b18c54c94fd0a33090e093499de5953f9fc866589207379865aee20d8d38eb");
	/* Transposition: one bit at (row k, column l) gives column l with only bit k. */
	{
		static uint8_t rows[TEC_LC * TEC_ROW], cols[768 * TEC_COL];
		size_t k = 77, l = 601;

		memset(rows, 0, sizeof(rows));
		rows[k * TEC_ROW + l / 8] = (uint8_t)(1u << (l % 8));
		tec_transpose(cols, rows, 768);
		for (size_t c = 0; c < 768; c++) {
			for (size_t i = 0; i < TEC_COL; i++) {
				uint8_t want = (c == l && i == k / 8) ? (uint8_t)(1u << (k % 8)) : 0;
				CHECK(cols[c * TEC_COL + i] == want);
			}
		}
	}
	tec_pt_free(pt);
	fprintf(stderr, "tecdsa: KATs ok (3 GF, gadget, H2C, PRG, key-id, transpose)\n");
}

static void bn_of(BIGNUM *bn, const tec_sc *s)
{
	uint8_t b[48];

	tec_sc_to_bytes(b, s);
	CHECK(BN_bin2bn(b, 48, bn) != NULL);
}

static void test_zq(void)
{
	BN_CTX *bc = BN_CTX_new();
	BIGNUM *q = BN_new(), *x = BN_new(), *y = BN_new(), *r = BN_new(), *t = BN_new();
	int iters = 2000;

	CHECK(EC_GROUP_get_order(C.group, q, bc) == 1);
	for (int i = 0; i < iters; i++) {
		tec_sc a, b, c;
		uint8_t h[64], qb[48];

		CHECK_OK(tec_sc_rand(&a));
		CHECK_OK(tec_sc_rand(&b));
		if (i == 0) {
			memset(&a, 0, sizeof(a));
			tec_sc_sub(&a, &a, &b); /* q - b */
		}
		bn_of(x, &a);
		bn_of(y, &b);
		tec_sc_mul(&c, &a, &b);
		bn_of(r, &c);
		CHECK(BN_mod_mul(t, x, y, q, bc) == 1 && BN_cmp(t, r) == 0);
		tec_sc_add(&c, &a, &b);
		bn_of(r, &c);
		CHECK(BN_mod_add(t, x, y, q, bc) == 1 && BN_cmp(t, r) == 0);
		tec_sc_sub(&c, &a, &b);
		bn_of(r, &c);
		CHECK(BN_mod_sub(t, x, y, q, bc) == 1 && BN_cmp(t, r) == 0);
		tec_sc_inv(&c, &a);
		bn_of(r, &c);
		CHECK(BN_mod_inverse(t, x, q, bc) != NULL && BN_cmp(t, r) == 0);
		CHECK_OK(cctsa_rand_bytes(h, 64));
		if (i == 1) {
			memset(h, 0xff, 64);
		}
		tec_sc_reduce64(&c, h);
		bn_of(r, &c);
		CHECK(BN_bin2bn(h, 64, t) != NULL && BN_nnmod(t, t, q, bc) == 1 && BN_cmp(t, r) == 0);
		CHECK(BN_bn2binpad(q, qb, 48) == 48);
		CHECK(tec_sc_from_bytes(&c, qb) == 0);
		qb[47]--;
		CHECK(tec_sc_from_bytes(&c, qb) != 0);
	}
	BN_free(q);
	BN_free(x);
	BN_free(y);
	BN_free(r);
	BN_free(t);
	BN_CTX_free(bc);
	fprintf(stderr, "tecdsa: Z_q matches BIGNUM on %d random cases\n", iters);
}

static uint32_t bitat(const uint8_t *y, size_t i)
{
	return (uint32_t)(y[i >> 3] >> (i & 7)) & 1u;
}

/* A correlated base-OT state without EC (the KOS/RVOLE tests need only the correlation). */
static void fake_ot(tec_ot_alice *a, tec_ot_bob *b)
{
	CHECK_OK(cctsa_rand_bytes(a->delta, TEC_COL));
	CHECK_OK(cctsa_rand_bytes((uint8_t *)b->rho, sizeof(b->rho)));
	for (size_t k = 0; k < TEC_LC; k++) {
		memcpy(a->s[k], b->rho[k][bitat(a->delta, k)], 32);
	}
}

static size_t find_bit(const uint8_t *y, size_t n, uint32_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (bitat(y, i) == v) {
			return i;
		}
	}
	CHECK(0);
	return 0;
}

static void test_kos_rvole(void)
{
	tec_ot_alice *a = cctsa_secret_alloc(sizeof(*a));
	tec_ot_bob *b = cctsa_secret_alloc(sizeof(*b));
	tec_bob_state *st = cctsa_secret_alloc(sizeof(*st));
	static uint8_t bm[TEC_BOBMSG_LEN], am[TEC_ALICEMSG_LEN], q[TEC_XI][TEC_COL];
	static tec_sc g[TEC_XI];
	uint8_t sid[32], kid[32];
	tec_sc ain[2], c[2], d[2], t;
	int ok = 0;

	CHECK(a != NULL && b != NULL && st != NULL);
	fake_ot(a, b);
	CHECK_OK(cctsa_rand_bytes(sid, 32));
	CHECK_OK(cctsa_rand_bytes(kid, 32));
	CHECK_OK(tec_gadget(&C, g, kid, 1, 2));
	/* Per column, q_l = t_l xor x_l * Delta. */
	CHECK_OK(tec_kos_bob(&C, st, bm, b, sid, g, NULL));
	CHECK_OK(tec_kos_alice(&C, q, &ok, a, sid, bm));
	CHECK(ok);
	for (size_t l = 0; l < TEC_XI; l++) {
		for (size_t i = 0; i < TEC_COL; i++) {
			uint8_t m = bitat(st->beta, l) ? a->delta[i] : 0;
			CHECK(q[l][i] == (st->t[l][i] ^ m));
		}
	}
	/* FAIL_KOS fires exactly when Delta_k = 1 for a corrupted row k. */
	for (uint32_t v = 0; v < 2; v++) {
		tec_kos_tamper tm = {(int)find_bit(a->delta, TEC_LC, v), 333};

		CHECK_OK(tec_kos_bob(&C, st, bm, b, sid, g, &tm));
		CHECK_OK(tec_kos_alice(&C, q, &ok, a, sid, bm));
		CHECK(ok == (v == 0));
	}
	/* RVOLE: c_m + d_m = a_m * b. */
	CHECK_OK(tec_sc_rand(&ain[0]));
	CHECK_OK(tec_sc_rand(&ain[1]));
	CHECK_OK(tec_kos_bob(&C, st, bm, b, sid, g, NULL));
	CHECK_OK(tec_rvole_alice(&C, c, am, &ok, a, g, sid, bm, ain, NULL));
	CHECK(ok);
	CHECK_OK(tec_rvole_bob(&C, d, &ok, st, g, sid, am));
	CHECK(ok);
	for (int m = 0; m < 2; m++) {
		tec_sc_add(&t, &c[m], &d[m]);
		tec_sc_mul(&c[m], &ain[m], &st->b);
		CHECK(tec_sc_eq(&t, &c[m]) != 0);
	}
	/* A perturbed a~_{l,0} is caught exactly when beta_l = 1; otherwise the product holds. */
	for (uint32_t v = 0; v < 2; v++) {
		tec_rvole_tamper tm;

		CHECK_OK(tec_kos_bob(&C, st, bm, b, sid, g, NULL));
		tm.l = (int)find_bit(st->beta, TEC_XI, v);
		tm.m = 0;
		CHECK_OK(tec_rvole_alice(&C, c, am, &ok, a, g, sid, bm, ain, &tm));
		CHECK_OK(tec_rvole_bob(&C, d, &ok, st, g, sid, am));
		CHECK(ok == (v == 0));
		if (v == 0) {
			tec_sc_add(&t, &c[0], &d[0]);
			tec_sc_mul(&c[0], &ain[0], &st->b);
			CHECK(tec_sc_eq(&t, &c[0]) != 0);
		}
	}
	/* A scalar >= q in AliceMsg is a decoding error. */
	memset(am + 32, 0xff, TEC_SC);
	CHECK_ERR(tec_rvole_bob(&C, d, &ok, st, g, sid, am), CCTSA_E_MALFORMED);
	cctsa_secret_free(a);
	cctsa_secret_free(b);
	cctsa_secret_free(st);
	fprintf(stderr, "tecdsa: KOS columns, FAIL_KOS iff Delta_k=1, RVOLE products, FAIL_RVOLE iff beta_l=1 ok\n");
}

/* ---------------- DKG ---------------- */

typedef struct {
	cctsa_buf d1[TEC_N + 1][TEC_N + 1], d2[TEC_N + 1][TEC_N + 1], d3[TEC_N + 1];
	uint8_t s1[TEC_N + 1][TEC_N + 1][32], s2[TEC_N + 1][TEC_N + 1][32];
} tdkg;

static tec_dkg *snap(cctsa_tecdsa_party *p)
{
	tec_dkg *s = cctsa_secret_alloc(sizeof(tec_dkg));

	CHECK(s != NULL);
	memcpy(s, p->dkg, sizeof(tec_dkg));
	return s;
}

static void restore(cctsa_tecdsa_party *p, tec_dkg *s)
{
	memcpy(p->dkg, s, sizeof(tec_dkg));
	cctsa_secret_free(s);
}

static void d3_complaint(cctsa_buf *o, const tdkg *m, uint8_t accuser, uint8_t accused, uint8_t reason,
			 const uint8_t *d2, const uint8_t sig2[32], const uint8_t sig1[32])
{
	uint8_t z[64] = {0};

	cctsa_buf_init(o, 0);
	CHECK_OK(cctsa_buf_put_u8(o, TEC_VERSION));
	CHECK_OK(cctsa_buf_put_u8(o, TEC_MSG_D3));
	CHECK_OK(cctsa_buf_put(o, m->d1[accused][accuser].data + 2, 32));
	CHECK_OK(cctsa_buf_put_u8(o, accuser));
	CHECK_OK(cctsa_buf_put_u8(o, 0));
	CHECK_OK(cctsa_buf_put(o, z, 64));
	CHECK_OK(cctsa_buf_put_u8(o, 1));
	CHECK_OK(cctsa_buf_put_u8(o, accused));
	CHECK_OK(cctsa_buf_put_u8(o, reason));
	CHECK_OK(cctsa_buf_put(o, m->d1[accused][accuser].data, CCTSA_TECDSA_D1_LEN));
	CHECK_OK(cctsa_buf_put_u16be(o, 32));
	CHECK_OK(cctsa_buf_put(o, sig1, 32));
	CHECK_OK(cctsa_buf_put(o, d2, CCTSA_TECDSA_D2_LEN));
	CHECK_OK(cctsa_buf_put_u16be(o, 32));
	CHECK_OK(cctsa_buf_put(o, sig2, 32));
}

/* Judges a complaint at party 3 (state restored afterwards); returns the blamed index. */
static uint8_t judge_at(tcluster *cl, const tdkg *m, uint8_t accuser, uint8_t accused, uint8_t reason,
			const uint8_t *d2, const uint8_t sig2[32])
{
	cctsa_tecdsa_party *v = cl->p[3 == accuser ? 4 : 3];
	tec_dkg *sv = snap(v);
	cctsa_tecdsa_fault f;
	cctsa_buf o;

	d3_complaint(&o, m, accuser, accused, reason, d2, sig2, m->s1[accused][accuser]);
	CHECK_OK(cctsa_tecdsa_dkg_recv3(v, o.data, o.len, &f, NULL));
	CHECK(f.action == CCTSA_TECDSA_ABORT && f.event == CCTSA_TECDSA_EV_COMPLAINT);
	CHECK(cctsa_tecdsa_decode_check(o.data, o.len, NULL) == CCTSA_OK);
	cctsa_buf_free(&o);
	restore(v, sv);
	return f.blamed;
}

static void expect(cctsa_err got, cctsa_err want, const cctsa_tecdsa_fault *f, cctsa_tecdsa_action a,
		   cctsa_tecdsa_event ev)
{
	CHECK(got == want);
	CHECK(f->action == a);
	CHECK(f->event == ev);
}

/* D2 from 2 to 1, tampered: each check of spec §2 hits its action; party 1's state is restored after. */
static void dkg_negative(tcluster *cl, tdkg *m)
{
	cctsa_tecdsa_party *p1 = cl->p[1];
	const cctsa_buf *g = &m->d2[2][1];
	uint8_t *bad = cctsa_secret_alloc(CCTSA_TECDSA_D2_LEN + 1), sig[32];
	cctsa_tecdsa_fault f;
	tec_dkg *sv;

	CHECK(bad != NULL);
	memcpy(bad, g->data, g->len);
	sv = snap(p1);
	expect(cctsa_tecdsa_dkg_recv2(p1, bad, g->len - 1, NULL, 0, &f, NULL), CCTSA_E_MALFORMED, &f,
	       CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE);
	expect(cctsa_tecdsa_dkg_recv2(p1, bad, g->len + 1, NULL, 0, &f, NULL), CCTSA_E_MALFORMED, &f,
	       CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE);
	bad[0] = 2;
	CHECK_ERR(cctsa_tecdsa_dkg_recv2(p1, bad, g->len, NULL, 0, &f, NULL), CCTSA_E_UNSUPPORTED);
	bad[0] = 1;
	bad[5] ^= 1; /* sid */
	expect(cctsa_tecdsa_dkg_recv2(p1, bad, g->len, NULL, 0, &f, NULL), CCTSA_E_STATE, &f, CCTSA_TECDSA_ABORT,
	       CCTSA_TECDSA_EV_SESSION);
	bad[5] ^= 1;
	/* A message without a valid signature is refused (it could not serve as evidence): abort. */
	expect(cctsa_tecdsa_dkg_recv2(p1, bad, g->len, NULL, 0, &f, NULL), CCTSA_E_VERIFY, &f, CCTSA_TECDSA_ABORT,
	       CCTSA_TECDSA_EV_SESSION);
	CHECK(p1->dkg->accused == 0);
	restore(p1, sv);
	sv = snap(p1);
	/* Opening that does not reproduce comD (salt changed), signed by its sender. */
	bad[TEC_HDR + TEC_OPEN_LEN - 1] ^= 1;
	tauth_sig(2, bad, g->len, sig);
	expect(cctsa_tecdsa_dkg_recv2(p1, bad, g->len, sig, 32, &f, NULL), CCTSA_E_VERIFY, &f, CCTSA_TECDSA_ABORT,
	       CCTSA_TECDSA_EV_COMMIT);
	CHECK(judge_at(cl, m, 1, 2, CCTSA_TECDSA_EV_COMMIT, bad, sig) == 2);
	CHECK(!cctsa_tecdsa_is_banned(p1, 2));
	restore(p1, sv);
	bad[TEC_HDR + TEC_OPEN_LEN - 1] ^= 1;
	/* A share from a degree-3 polynomial: y + a3 * 1^3 fails Feldman; the signed evidence blames 2. */
	{
		tec_sc y, a3;

		sv = snap(p1);
		(void)tec_sc_from_bytes(&y, bad + TEC_HDR + TEC_OPEN_LEN);
		CHECK_OK(tec_sc_rand(&a3));
		tec_sc_add(&y, &y, &a3);
		tec_sc_to_bytes(bad + TEC_HDR + TEC_OPEN_LEN, &y);
		tauth_sig(2, bad, g->len, sig);
		expect(cctsa_tecdsa_dkg_recv2(p1, bad, g->len, sig, 32, &f, NULL), CCTSA_E_VERIFY, &f,
		       CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_FELDMAN);
		CHECK(judge_at(cl, m, 1, 2, CCTSA_TECDSA_EV_FELDMAN, bad, sig) == 2);
		{
			cctsa_buf o;

			cctsa_buf_init(&o, 0);
			CHECK_OK(cctsa_tecdsa_dkg_msg3(p1, &o, NULL));
			CHECK(o.data[TEC_HDR + TEC_H] == 1 && o.data[TEC_HDR + TEC_H + 1] == 2);
			cctsa_buf_free(&o);
		}
		CHECK(p1->dkg->aborted && p1->dkg->fault.blamed == 2);
		restore(p1, sv);
		memcpy(bad, g->data, g->len);
	}
	cctsa_secret_free(bad);
}

/* Bad PoK committed consistently in D1, a false complaint, forged evidence, an unjudgeable KOS claim. */
static void dkg_pok_and_complaints(tcluster *cl, tdkg *m)
{
	cctsa_tecdsa_party *p1 = cl->p[1];
	const cctsa_buf *g = &m->d2[2][1];
	uint8_t *bad = cctsa_secret_alloc(CCTSA_TECDSA_D2_LEN), sig[32], comd[TEC_H], fake[32];
	tec_dkg *sv[TEC_N + 1];
	cctsa_tecdsa_fault f;
	tec_sc z, one;

	CHECK(bad != NULL);
	memcpy(bad, g->data, g->len);
	for (int i = 1; i <= TEC_N; i++) {
		sv[i] = snap(cl->p[i]);
	}
	(void)tec_sc_from_bytes(&z, bad + TEC_HDR + 4 * TEC_PT);
	tec_sc_set_u64(&one, 1);
	tec_sc_add(&z, &z, &one);
	tec_sc_to_bytes(bad + TEC_HDR + 4 * TEC_PT, &z);
	tauth_sig(2, bad, g->len, sig);
	/* Party 2 "committed" to the bad z in D1: every party holds the matching comD_2. */
	CHECK_OK(tec_dkg_comd(&C, comd, p1->dkg->sid, 2, bad + TEC_HDR));
	for (int i = 1; i <= TEC_N; i++) {
		memcpy(cl->p[i]->dkg->comd[2], comd, TEC_H);
	}
	memcpy(m->d1[2][1].data + TEC_HDR, comd, TEC_H);
	tauth_sig(2, m->d1[2][1].data, m->d1[2][1].len, m->s1[2][1]);
	expect(cctsa_tecdsa_dkg_recv2(p1, bad, g->len, sig, 32, &f, NULL), CCTSA_E_VERIFY, &f, CCTSA_TECDSA_ABORT,
	       CCTSA_TECDSA_EV_POK);
	CHECK(judge_at(cl, m, 1, 2, CCTSA_TECDSA_EV_POK, bad, sig) == 2);
	for (int i = 1; i <= TEC_N; i++) {
		restore(cl->p[i], sv[i]);
	}
	memcpy(m->d1[2][1].data + TEC_HDR, cl->p[1]->dkg->comd[2], TEC_H);
	tauth_sig(2, m->d1[2][1].data, m->d1[2][1].len, m->s1[2][1]);
	/* False accusation with genuine evidence: the accuser is blamed. */
	CHECK(judge_at(cl, m, 1, 2, CCTSA_TECDSA_EV_FELDMAN, g->data, m->s2[2][1]) == 1);
	/* Forged evidence (not signed by the accused): the accuser is blamed. */
	memset(fake, 0x5a, 32);
	CHECK(judge_at(cl, m, 1, 2, CCTSA_TECDSA_EV_FELDMAN, g->data, fake) == 1);
	/* A KOS failure depends on the accuser's Delta: nobody else can judge it. */
	CHECK(judge_at(cl, m, 1, 2, CCTSA_TECDSA_EV_KOS, g->data, m->s2[2][1]) == 0);
	cctsa_secret_free(bad);
}

static void run_dkg(tcluster *cl)
{
	static tdkg m;
	uint8_t sid[32], q0[TEC_PT], kid0[32];

	CHECK_OK(cctsa_rand_bytes(sid, 32));
	for (uint8_t i = 1; i <= TEC_N; i++) {
		CHECK_OK(cctsa_tecdsa_party_new(&cl->p[i], i));
		cctsa_tecdsa_party_set_auth(cl->p[i], tauth_verify, NULL);
		CHECK_OK(cctsa_tecdsa_dkg_start(cl->p[i], sid, NULL));
	}
	CHECK_ERR(cctsa_tecdsa_dkg_start(cl->p[1], sid, NULL), CCTSA_E_STATE);
	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (uint8_t j = 1; j <= TEC_N; j++) {
			if (i != j) {
				cctsa_buf_init(&m.d1[i][j], 0);
				CHECK_OK(cctsa_tecdsa_dkg_msg1(cl->p[i], j, &m.d1[i][j]));
				CHECK(m.d1[i][j].len == CCTSA_TECDSA_D1_LEN);
				tauth_sig(i, m.d1[i][j].data, m.d1[i][j].len, m.s1[i][j]);
			}
		}
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (uint8_t j = 1; j <= TEC_N; j++) {
			if (i != j) {
				CHECK_OK(cctsa_tecdsa_dkg_recv1(cl->p[j], m.d1[i][j].data, m.d1[i][j].len, m.s1[i][j], 32,
								NULL, NULL));
			}
		}
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (uint8_t j = 1; j <= TEC_N; j++) {
			if (i != j) {
				cctsa_buf_init(&m.d2[i][j], 0);
				CHECK_OK(cctsa_tecdsa_dkg_msg2(cl->p[i], j, &m.d2[i][j]));
				CHECK(m.d2[i][j].len == CCTSA_TECDSA_D2_LEN);
				CHECK_OK(cctsa_tecdsa_decode_check(m.d2[i][j].data, m.d2[i][j].len, NULL));
				tauth_sig(i, m.d2[i][j].data, m.d2[i][j].len, m.s2[i][j]);
			}
		}
	}
	CHECK_OK(cctsa_tecdsa_decode_check(m.d1[1][2].data, m.d1[1][2].len, NULL));
	dkg_negative(cl, &m);
	dkg_pok_and_complaints(cl, &m);
	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (uint8_t j = 1; j <= TEC_N; j++) {
			if (i != j) {
				CHECK_OK(cctsa_tecdsa_dkg_recv2(cl->p[j], m.d2[i][j].data, m.d2[i][j].len, m.s2[i][j], 32,
								NULL, NULL));
			}
		}
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		cctsa_buf_init(&m.d3[i], 0);
		CHECK_OK(cctsa_tecdsa_dkg_msg3(cl->p[i], &m.d3[i], NULL));
		CHECK_OK(cctsa_tecdsa_decode_check(m.d3[i].data, m.d3[i].len, NULL));
	}
	/* A D3 whose T differs aborts the DKG (checked on a snapshot of party 1). */
	{
		tec_dkg *sv = snap(cl->p[1]);
		cctsa_buf o;

		cctsa_buf_init(&o, 0);
		CHECK_OK(cctsa_buf_put(&o, m.d3[2].data, m.d3[2].len));
		o.data[TEC_HDR + 10] ^= 1;
		for (uint8_t i = 2; i <= TEC_N; i++) {
			const cctsa_buf *x = i == 2 ? &o : &m.d3[i];

			CHECK_OK(cctsa_tecdsa_dkg_recv3(cl->p[1], x->data, x->len, NULL, NULL));
		}
		CHECK_ERR(cctsa_tecdsa_dkg_recv3(cl->p[1], m.d3[3].data, m.d3[3].len, NULL, NULL), CCTSA_E_STATE);
		o.len--;
		CHECK(cctsa_tecdsa_decode_check(o.data, o.len, NULL) == CCTSA_E_MALFORMED);
		tec_dkg_check_d3(cl->p[1]);
		CHECK(cl->p[1]->dkg->aborted && cl->p[1]->dkg->fault.event == CCTSA_TECDSA_EV_TRANSCRIPT &&
		      cl->p[1]->dkg->fault.peer == 2);
		restore(cl->p[1], sv);
		cctsa_buf_free(&o);
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (uint8_t j = 1; j <= TEC_N; j++) {
			if (i != j) {
				CHECK_OK(cctsa_tecdsa_dkg_recv3(cl->p[j], m.d3[i].data, m.d3[i].len, NULL, NULL));
			}
		}
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		CHECK_OK(cctsa_tecdsa_dkg_finish(cl->p[i], NULL, NULL));
	}
	CHECK_OK(cctsa_tecdsa_pubkey(cl->p[1], q0));
	CHECK_OK(cctsa_tecdsa_key_id(cl->p[1], kid0));
	for (uint8_t i = 2; i <= TEC_N; i++) {
		uint8_t q[TEC_PT], kid[32];

		CHECK_OK(cctsa_tecdsa_pubkey(cl->p[i], q));
		CHECK_OK(cctsa_tecdsa_key_id(cl->p[i], kid));
		CHECK_MEMEQ(q, q0, TEC_PT);
		CHECK_MEMEQ(kid, kid0, 32);
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (int j = 1; j <= TEC_N; j++) {
			cctsa_buf_free(&m.d1[i][j]);
			cctsa_buf_free(&m.d2[i][j]);
		}
		cctsa_buf_free(&m.d3[i]);
	}
	fprintf(stderr, "tecdsa: DKG among 5 ok (with D2 negative tests and complaint verdicts)\n");
}

static tec_sc lagrange(const uint8_t set[3], uint8_t i)
{
	tec_sc lam, num;

	tec_sc_set_u64(&lam, 1);
	for (int b = 0; b < 3; b++) {
		tec_sc d, iv;

		if (set[b] == i) {
			continue;
		}
		tec_sc_set_u64(&num, set[b]);
		tec_sc_set_u64(&iv, i);
		tec_sc_sub(&d, &num, &iv);
		tec_sc_inv(&d, &d);
		tec_sc_mul(&d, &d, &num);
		tec_sc_mul(&lam, &lam, &d);
	}
	return lam;
}

/* Invariants after the DKG: base-OT keys agree, sum lambda_k X_k = Q for every set. */
static void dkg_invariants(tcluster *cl)
{
	EC_POINT *acc = tec_pt_new(&C), *t = tec_pt_new(&C), *q = tec_pt_new(&C);
	int nsets = 0;

	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (uint8_t j = 1; j <= TEC_N; j++) {
			const tec_ot_alice *a;
			const tec_ot_bob *b;

			if (i == j) {
				continue;
			}
			a = cl->p[i]->ot_a[j];
			b = cl->p[j]->ot_b[i];
			for (size_t k = 0; k < TEC_LC; k++) {
				CHECK_MEMEQ(a->s[k], b->rho[k][bitat(a->delta, k)], 32);
				CHECK(cctsa_memcmp_var(a->s[k], b->rho[k][1 - bitat(a->delta, k)], 32) != 0);
			}
		}
	}
	CHECK_OK(tec_pt_decode(&C, q, cl->p[1]->q_pt));
	for (uint8_t s1 = 1; s1 <= TEC_N; s1++) {
		for (uint8_t s2 = s1 + 1; s2 <= TEC_N; s2++) {
			for (uint8_t s3 = s2 + 1; s3 <= TEC_N; s3++) {
				uint8_t set[3] = {s1, s2, s3};

				CHECK(EC_POINT_set_to_infinity(C.group, acc) == 1);
				for (int a = 0; a < 3; a++) {
					tec_sc lam = lagrange(set, set[a]);

					CHECK_OK(tec_pt_decode(&C, t, cl->p[1]->x_pub[set[a]]));
					CHECK_OK(tec_mul(&C, t, t, &lam));
					CHECK_OK(tec_pt_add(&C, acc, acc, t));
				}
				CHECK(tec_pt_eq(&C, acc, q));
				nsets++;
			}
		}
	}
	tec_pt_free(acc);
	tec_pt_free(t);
	tec_pt_free(q);
	fprintf(stderr, "tecdsa: base-OT keys agree on all 20 pairs; sum lambda X = Q for %d sets\n", nsets);
}

/* ---------------- presigning and signing ---------------- */

static tec_store_entry *entry(cctsa_tecdsa_party *p, const uint8_t pid[32])
{
	for (size_t i = 0; i < p->nstore; i++) {
		if (p->store[i].state != 0 && cctsa_memcmp_var(p->store[i].pid, pid, 32) == 0) {
			return &p->store[i];
		}
	}
	return NULL;
}

static EVP_PKEY *pkey_of(cctsa_tecdsa_party *p)
{
	cctsa_buf pem;
	BIO *bio;
	EVP_PKEY *pk;

	CHECK_OK(cctsa_tecdsa_pubkey_pem(p, &pem));
	bio = BIO_new_mem_buf(pem.data, (int)pem.len);
	pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	CHECK(pk != NULL);
	BIO_free(bio);
	cctsa_buf_free(&pem);
	return pk;
}

/* Sigma zeta = 0, Sigma u = k phi, Sigma v = x phi (test hooks on internal state). */
static void presign_invariants(tcluster *cl, tps *r, const uint8_t pid[32])
{
	tec_sc zs, us, vs, ks, ps, xs, t;

	memset(&zs, 0, sizeof(zs));
	us = vs = ks = ps = xs = zs;
	for (int a = 0; a < 3; a++) {
		uint8_t i = r->set[a];
		tec_sc lam = lagrange(r->set, i);
		tec_store_entry *e = entry(cl->p[i], pid);

		CHECK(e != NULL && e->state == 1);
		tec_sc_mul(&t, &lam, &cl->p[i]->x);
		tec_sc_add(&xs, &xs, &t);
		tec_sc_sub(&t, &r->sk[i], &t);
		tec_sc_add(&zs, &zs, &t);
		tec_sc_add(&us, &us, &e->u);
		tec_sc_add(&vs, &vs, &e->v);
		tec_sc_add(&ks, &ks, &r->k[i]);
		tec_sc_add(&ps, &ps, &r->phi[i]);
	}
	CHECK(tec_sc_is_zero(&zs) != 0);
	tec_sc_mul(&t, &ks, &ps);
	CHECK(tec_sc_eq(&t, &us) != 0);
	tec_sc_mul(&t, &xs, &ps);
	CHECK(tec_sc_eq(&t, &vs) != 0);
}

static int a_first_time = 1;

static void sign_and_check(tcluster *cl, const uint8_t set[3], const uint8_t pid[32], int rerand, EVP_PKEY *pk)
{
	uint8_t msg[64], e[48], sh[3][CCTSA_TECDSA_SHARE_LEN], der[CCTSA_TECDSA_SIG_MAX], der2[CCTSA_TECDSA_SIG_MAX];
	uint8_t scratch[CCTSA_TECDSA_SHARE_LEN];
	const uint8_t *shp[3] = {sh[0], sh[1], sh[2]};
	const unsigned char *dp = der;
	unsigned char *dq = der2;
	size_t dl = 0;
	ECDSA_SIG *sig;
	EVP_PKEY_CTX *vc;
	cctsa_tecdsa_fault f;

	CHECK_OK(cctsa_rand_bytes(msg, sizeof(msg)));
	CHECK(EVP_Digest(msg, sizeof(msg), e, NULL, EVP_sha384(), NULL) == 1);
	for (int a = 0; a < 3; a++) {
		CHECK_OK(cctsa_tecdsa_sign_share(cl->p[set[a]], pid, e, rerand, sh[a], NULL));
		CHECK(entry(cl->p[set[a]], pid)->state == 2 && tec_sc_is_zero(&entry(cl->p[set[a]], pid)->phi));
		CHECK_OK(cctsa_tecdsa_decode_check(sh[a], CCTSA_TECDSA_SHARE_LEN, NULL));
		/* Consumed before release: a second share is refused. */
		CHECK_ERR(cctsa_tecdsa_sign_share(cl->p[set[a]], pid, e, rerand, scratch, NULL), CCTSA_E_STATE);
	}
	/* Share decoder: every truncation and every single-bit flip of the header/scalars. */
	if (a_first_time) {
		a_first_time = 0;
		for (size_t n = 0; n < CCTSA_TECDSA_SHARE_LEN; n++) {
			CHECK(cctsa_tecdsa_decode_check(sh[0], n, NULL) != CCTSA_OK);
		}
		for (size_t bit = 0; bit < 8 * CCTSA_TECDSA_SHARE_LEN; bit++) {
			cctsa_err de;

			memcpy(scratch, sh[0], sizeof(scratch));
			scratch[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			de = cctsa_tecdsa_decode_check(scratch, sizeof(scratch), NULL);
			/* Header bytes must be rejected; flipped scalar bits may still be < q. */
			if (bit < 16) {
				CHECK(de != CCTSA_OK);
			}
			if (bit >= 8 * 35) {
				const uint8_t *sp[3] = {scratch, sh[1], sh[2]};

				if (bit < 8 * (35 + 48)) {
					/* Another digest: refused as another session. */
					CHECK_ERR(cctsa_tecdsa_combine(cl->p[set[0]], pid, e, rerand, sp, der, &dl, &f, NULL),
						  CCTSA_E_STATE);
				}
			}
		}
	}
	/* A share for another digest is refused by the combiner. */
	{
		uint8_t e2[48];

		memcpy(e2, e, 48);
		e2[0] ^= 1;
		CHECK_ERR(cctsa_tecdsa_combine(cl->p[set[0]], pid, e2, rerand, shp, der, &dl, &f, NULL), CCTSA_E_STATE);
		CHECK(f.action == CCTSA_TECDSA_ABORT && f.event == CCTSA_TECDSA_EV_SESSION);
		/* Mismatched re-randomisation setting: verification fails, nothing released. */
		CHECK_ERR(cctsa_tecdsa_combine(cl->p[set[0]], pid, e, !rerand, shp, der, &dl, &f, NULL), CCTSA_E_VERIFY);
		CHECK(f.event == CCTSA_TECDSA_EV_SIGNATURE && dl == 0);
	}
	CHECK_OK(cctsa_tecdsa_combine(cl->p[set[1]], pid, e, rerand, shp, der, &dl, &f, NULL));
	CHECK(dl > 8 && dl <= CCTSA_TECDSA_SIG_MAX);
	/* Independent checks: EVP_PKEY_verify and DER round trip. */
	vc = EVP_PKEY_CTX_new(pk, NULL);
	CHECK(vc != NULL && EVP_PKEY_verify_init(vc) == 1);
	CHECK(EVP_PKEY_verify(vc, der, dl, e, 48) == 1);
	e[47] ^= 1;
	CHECK(EVP_PKEY_verify(vc, der, dl, e, 48) != 1);
	EVP_PKEY_CTX_free(vc);
	sig = d2i_ECDSA_SIG(NULL, &dp, (long)dl);
	CHECK(sig != NULL && dp == der + dl);
	CHECK(i2d_ECDSA_SIG(sig, &dq) == (int)dl);
	CHECK_MEMEQ(der, der2, dl);
	ECDSA_SIG_free(sig);
}

static void test_all_sets(tcluster *cl, int per_set)
{
	EVP_PKEY *pk = pkey_of(cl->p[1]);
	int n = 0;

	for (uint8_t s1 = 1; s1 <= TEC_N; s1++) {
		for (uint8_t s2 = s1 + 1; s2 <= TEC_N; s2++) {
			for (uint8_t s3 = s2 + 1; s3 <= TEC_N; s3++) {
				uint8_t set[3] = {s3, s1, s2}; /* any order */

				for (int k = 0; k < per_set; k++) {
					uint8_t pid[32];
					tps r;

					CHECK_OK(cctsa_rand_bytes(pid, 32));
					tps_begin(&r, cl, set, pid);
					tps_round1(&r);
					tps_deliver1(&r);
					tps_round2(&r);
					tps_deliver2_finish(&r);
					presign_invariants(cl, &r, pid);
					CHECK(cctsa_tecdsa_presign_count(cl->p[s1], set) == 1);
					tps_free(&r);
					sign_and_check(cl, set, pid, (n & 1), pk);
					n++;
				}
			}
		}
	}
	EVP_PKEY_free(pk);
	fprintf(stderr, "tecdsa: %d signatures from all 10 signing sets verify (invariants checked)\n", n);
}

static void copies(tcluster *cp, tcluster *cl)
{
	memset(cp, 0, sizeof(*cp));
	for (uint8_t i = 1; i <= TEC_N; i++) {
		CHECK_OK(cctsa_tecdsa_party_restart(&cp->p[i], cl->p[i]));
	}
}

static void copies_free(tcluster *cp)
{
	for (uint8_t i = 1; i <= TEC_N; i++) {
		cctsa_tecdsa_party_free(cp->p[i]);
	}
}

static void m2_try(tps *r, uint8_t from, uint8_t to, const uint8_t *msg, size_t len, cctsa_err want,
		   cctsa_tecdsa_action act, cctsa_tecdsa_event ev)
{
	cctsa_tecdsa_fault f;

	expect(cctsa_tecdsa_presign_recv2(r->s[to], msg, len, &f, NULL), want, &f, act, ev);
	if (act != CCTSA_TECDSA_BAN) {
		CHECK(!cctsa_tecdsa_is_banned(r->s[to]->p, from));
	}
	r->s[to]->failed = 0; /* test hook: nothing was stored, try the next variant */
}

#define M2_R (TEC_HDR + TEC_H)
#define M2_PK (M2_R + TEC_PT + 32)
#define M2_GU (M2_PK + TEC_PT)
#define M2_PSI (M2_GU + 2 * TEC_PT)
#define M2_AT (M2_PSI + TEC_SC + 32)

/* Every abort (never ban) case of §7.2 on M1/M2, then the same session completes. */
static void presign_aborts(tcluster *cl)
{
	uint8_t set[3] = {1, 2, 3}, pid[32], *b = cctsa_mem_alloc(CCTSA_TECDSA_M2_LEN + 1);
	cctsa_tecdsa_fault f;
	EVP_PKEY *pk = pkey_of(cl->p[1]);
	tps r;
	const cctsa_buf *g;

	CHECK(b != NULL);
	CHECK_OK(cctsa_rand_bytes(pid, 32));
	tps_begin(&r, cl, set, pid);
	tps_round1(&r);
	g = &r.m1[2][1];
	memcpy(b, g->data, g->len);
	b[7] ^= 1; /* sid: a plain abort before any cryptographic check */
	expect(cctsa_tecdsa_presign_recv1(r.s[1], b, g->len, &f, NULL), CCTSA_E_STATE, &f, CCTSA_TECDSA_ABORT,
	       CCTSA_TECDSA_EV_SESSION);
	b[7] ^= 1;
	expect(cctsa_tecdsa_presign_recv1(r.s[1], b, g->len - 1, &f, NULL), CCTSA_E_MALFORMED, &f,
	       CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE);
	b[0] = 9;
	CHECK_ERR(cctsa_tecdsa_presign_recv1(r.s[1], b, g->len, &f, NULL), CCTSA_E_UNSUPPORTED);
	b[0] = 1;
	b[1] = TEC_MSG_M2;
	expect(cctsa_tecdsa_presign_recv1(r.s[1], b, g->len, &f, NULL), CCTSA_E_MALFORMED, &f, CCTSA_TECDSA_ABORT,
	       CCTSA_TECDSA_EV_DECODE);
	CHECK(!cctsa_tecdsa_is_banned(cl->p[1], 2));
	tps_deliver1(&r);
	tps_round2(&r);
	g = &r.m2[2][1];
	memcpy(b, g->data, g->len);
	b[7] ^= 1;
	m2_try(&r, 2, 1, b, g->len, CCTSA_E_STATE, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_SESSION);
	b[7] ^= 1;
	m2_try(&r, 2, 1, b, g->len + 1, CCTSA_E_MALFORMED, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE);
	b[TEC_HDR + 3] ^= 1; /* echo */
	m2_try(&r, 2, 1, b, g->len, CCTSA_E_VERIFY, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_ECHO);
	memcpy(b, g->data, g->len);
	memcpy(b + M2_R, g->data + M2_PK, TEC_PT); /* a valid R_j that does not open com_j */
	m2_try(&r, 2, 1, b, g->len, CCTSA_E_VERIFY, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_COMMIT);
	memset(b + M2_R + 1, 0xff, TEC_PT - 1); /* x >= p: not a point */
	m2_try(&r, 2, 1, b, g->len, CCTSA_E_MALFORMED, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE);
	memset(b + M2_R, 0, TEC_PT); /* no 49-byte encoding of infinity exists */
	m2_try(&r, 2, 1, b, g->len, CCTSA_E_MALFORMED, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE);
	memcpy(b, g->data, g->len);
	memset(b + M2_PSI, 0xff, TEC_SC); /* psi >= q */
	m2_try(&r, 2, 1, b, g->len, CCTSA_E_MALFORMED, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE);
	memcpy(b, g->data, g->len);
	memset(b + M2_AT, 0xff, TEC_SC); /* a~_{0,0} >= q */
	m2_try(&r, 2, 1, b, g->len, CCTSA_E_MALFORMED, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE);
	CHECK(!cctsa_tecdsa_is_banned(cl->p[1], 2));
	CHECK_OK(cctsa_tecdsa_decode_check(g->data, g->len, NULL));
	CHECK_ERR(cctsa_tecdsa_decode_check(b, g->len, NULL), CCTSA_E_MALFORMED);
	tps_deliver2_finish(&r);
	tps_free(&r);
	sign_and_check(cl, set, pid, 1, pk);
	/* A reused presignature ID is refused. */
	CHECK_ERR(cctsa_tecdsa_presign_new(&r.s[1], cl->p[1], pid, set, NULL), CCTSA_E_STATE);
	EVP_PKEY_free(pk);
	cctsa_mem_free(b);
	fprintf(stderr, "tecdsa: presign aborts (sid, length, version, type, echo, commitment, points, scalars) ok\n");
}

static void check_banned(cctsa_tecdsa_party *p, uint8_t j)
{
	CHECK(cctsa_tecdsa_is_banned(p, j));
	CHECK(p->ot_a[j] == NULL && p->ot_b[j] == NULL); /* both OT directions erased */
}

/* Gamma_u / Gamma_v mismatch: ban; in-flight sessions with the banned peer abort. */
static void presign_gamma_ban(tcluster *cl, int which)
{
	uint8_t set[3] = {1, 2, 3}, set2[3] = {1, 2, 4}, pid[32], pid2[32];
	cctsa_tecdsa_fault f;
	cctsa_tecdsa_presign *other = NULL;
	cctsa_buf o;
	tcluster cp;
	tps r;
	cctsa_buf *g;

	copies(&cp, cl);
	CHECK_OK(cctsa_rand_bytes(pid, 32));
	CHECK_OK(cctsa_rand_bytes(pid2, 32));
	tps_begin(&r, &cp, set, pid);
	CHECK_OK(cctsa_tecdsa_presign_new(&other, cp.p[1], pid2, set2, NULL));
	tps_round1(&r);
	tps_deliver1(&r);
	tps_round2(&r);
	g = &r.m2[2][1];
	memcpy(g->data + M2_GU + which * TEC_PT, g->data + M2_PK, TEC_PT); /* a valid but wrong Gamma */
	m2_try(&r, 2, 1, g->data, g->len, CCTSA_E_VERIFY, CCTSA_TECDSA_BAN, CCTSA_TECDSA_EV_GAMMA);
	check_banned(cp.p[1], 2);
	cctsa_buf_init(&o, 0);
	expect(cctsa_tecdsa_presign_msg2(other, 2, &o, &f, NULL), CCTSA_E_STATE, &f, CCTSA_TECDSA_ABORT,
	       CCTSA_TECDSA_EV_BANNED);
	CHECK_ERR(cctsa_tecdsa_presign_msg1(other, 4, &o), CCTSA_E_STATE);
	cctsa_buf_free(&o);
	cctsa_tecdsa_presign_free(other);
	CHECK_ERR(cctsa_tecdsa_presign_new(&other, cp.p[1], pid2, set, NULL), CCTSA_E_STATE);
	/* The ban survives a restart (the long-term state carries it). */
	{
		cctsa_tecdsa_party *rp = NULL;

		CHECK_OK(cctsa_tecdsa_party_restart(&rp, cp.p[1]));
		CHECK(cctsa_tecdsa_is_banned(rp, 2));
		cctsa_tecdsa_party_free(rp);
	}
	tps_free(&r);
	copies_free(&cp);
}

/* FAIL_KOS: Bob 2 corrupts one row k of u towards Alice 1; banned exactly when Delta_k = 1. */
static void presign_kos(tcluster *cl, uint32_t dk)
{
	uint8_t set[3] = {1, 2, 3}, pid[32];
	cctsa_tecdsa_fault f;
	tec_kos_tamper tm;
	EVP_PKEY *pk = pkey_of(cl->p[1]);
	cctsa_buf o;
	tcluster cp;
	tps r;

	copies(&cp, cl);
	CHECK_OK(cctsa_rand_bytes(pid, 32));
	tps_begin(&r, &cp, set, pid);
	tps_round1(&r);
	tm.row = (int)find_bit(cp.p[1]->ot_a[2]->delta, TEC_LC, dk);
	tm.bit = 5;
	r.s[2]->kos_tamper = &tm;
	r.s[2]->sent1 &= ~(1u << 1);
	cctsa_buf_free(&r.m1[2][1]);
	cctsa_buf_init(&r.m1[2][1], 0);
	CHECK_OK(cctsa_tecdsa_presign_msg1(r.s[2], 1, &r.m1[2][1]));
	r.s[2]->kos_tamper = NULL;
	tps_deliver1(&r);
	if (dk == 1) {
		cctsa_buf_init(&o, 0);
		expect(cctsa_tecdsa_presign_msg2(r.s[1], 2, &o, &f, NULL), CCTSA_E_VERIFY, &f, CCTSA_TECDSA_BAN,
		       CCTSA_TECDSA_EV_KOS);
		check_banned(cp.p[1], 2);
		cctsa_buf_free(&o);
	} else {
		tps_round2(&r);
		tps_deliver2_finish(&r);
		sign_and_check(&cp, set, pid, 0, pk);
	}
	tps_free(&r);
	copies_free(&cp);
	EVP_PKEY_free(pk);
}

/* FAIL_RVOLE: Alice 1 perturbs a~_{l,0} towards Bob 2; banned exactly when beta_l = 1. */
static void presign_rvole(tcluster *cl, uint32_t bl)
{
	uint8_t set[3] = {1, 2, 3}, pid[32];
	tec_rvole_tamper tm = {-1, 0};
	EVP_PKEY *pk = pkey_of(cl->p[1]);
	tcluster cp;
	tps r;

	copies(&cp, cl);
	CHECK_OK(cctsa_rand_bytes(pid, 32));
	tps_begin(&r, &cp, set, pid);
	tps_round1(&r);
	tps_deliver1(&r);
	for (int l = 0; l < TEC_XI && tm.l < 0; l++) {
		/* Same bit at Bob 2 and (for the honest case) at Bob 3, so only the intended check fires. */
		if (bitat(r.s[2]->peer[1].bob.beta, (size_t)l) == bl && (bl == 1 || bitat(r.s[3]->peer[1].bob.beta, (size_t)l) == 0)) {
			tm.l = l;
		}
	}
	CHECK(tm.l >= 0);
	r.s[1]->rvole_tamper = &tm;
	tps_round2(&r);
	r.s[1]->rvole_tamper = NULL;
	if (bl == 1) {
		m2_try(&r, 1, 2, r.m2[1][2].data, r.m2[1][2].len, CCTSA_E_VERIFY, CCTSA_TECDSA_BAN, CCTSA_TECDSA_EV_RVOLE);
		check_banned(cp.p[2], 1);
	} else {
		tps_deliver2_finish(&r);
		sign_and_check(&cp, set, pid, 1, pk);
	}
	tps_free(&r);
	copies_free(&cp);
	EVP_PKEY_free(pk);
}

/* A party that consistently uses a wrong sk: Gamma checks pass, sum pk != Q aborts (no ban). */
static void presign_pksum(tcluster *cl)
{
	uint8_t set[3] = {1, 2, 3}, pid[32];
	cctsa_tecdsa_fault f;
	EC_POINT *pt = tec_pt_new(&C);
	tec_sc one;
	tps r;

	CHECK_OK(cctsa_rand_bytes(pid, 32));
	tps_begin(&r, cl, set, pid);
	tec_sc_set_u64(&one, 1);
	tec_sc_add(&r.s[2]->sk, &r.s[2]->sk, &one);
	CHECK_OK(tec_mul_g(&C, pt, &r.s[2]->sk));
	CHECK_OK(tec_pt_encode(&C, r.s[2]->pk, pt));
	tps_round1(&r);
	tps_deliver1(&r);
	tps_round2(&r);
	for (int a = 0; a < 3; a++) {
		for (int b = 0; b < 3; b++) {
			if (a != b) {
				CHECK_OK(cctsa_tecdsa_presign_recv2(r.s[set[b]], r.m2[set[a]][set[b]].data,
								    r.m2[set[a]][set[b]].len, NULL, NULL));
			}
		}
	}
	expect(cctsa_tecdsa_presign_finish(r.s[1], &f, NULL), CCTSA_E_VERIFY, &f, CCTSA_TECDSA_ABORT,
	       CCTSA_TECDSA_EV_PKSUM);
	CHECK(!cctsa_tecdsa_is_banned(cl->p[1], 2) && cctsa_tecdsa_presign_count(cl->p[1], set) == 0);
	tps_free(&r);
	tec_pt_free(pt);
}

/* A restarted party holds no presignatures; the original still signs once. */
static void presign_restart(tcluster *cl)
{
	uint8_t set[3] = {1, 2, 3}, pid[32], e[48] = {1}, sh[CCTSA_TECDSA_SHARE_LEN];
	cctsa_tecdsa_party *rp = NULL;
	EVP_PKEY *pk = pkey_of(cl->p[1]);
	tps r;

	CHECK_OK(cctsa_rand_bytes(pid, 32));
	tps_begin(&r, cl, set, pid);
	tps_round1(&r);
	tps_deliver1(&r);
	tps_round2(&r);
	tps_deliver2_finish(&r);
	tps_free(&r);
	CHECK(cctsa_tecdsa_presign_count(cl->p[1], set) == 1);
	CHECK_OK(cctsa_tecdsa_party_restart(&rp, cl->p[1]));
	CHECK(cctsa_tecdsa_presign_count(rp, NULL) == 0);
	CHECK_ERR(cctsa_tecdsa_sign_share(rp, pid, e, 1, sh, NULL), CCTSA_E_STATE);
	/* Its replay cache survives: the same ID cannot be presigned again. */
	CHECK_ERR(cctsa_tecdsa_presign_new(&r.s[1], rp, pid, set, NULL), CCTSA_E_STATE);
	cctsa_tecdsa_party_free(rp);
	sign_and_check(cl, set, pid, 0, pk);
	EVP_PKEY_free(pk);
	fprintf(stderr, "tecdsa: restart drops presignatures; reuse refused\n");
}

static void test_misc_state(void)
{
	cctsa_tecdsa_party *p = NULL;
	cctsa_tecdsa_fault f;
	uint8_t sid[32] = {7}, set[3] = {1, 2, 3}, q[TEC_PT];
	cctsa_tecdsa_presign *s = NULL;

	CHECK_ERR(cctsa_tecdsa_party_new(&p, 0), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_tecdsa_party_new(&p, 6), CCTSA_E_USAGE);
	CHECK_OK(cctsa_tecdsa_party_new(&p, 1));
	CHECK_ERR(cctsa_tecdsa_pubkey(p, q), CCTSA_E_STATE);
	CHECK_ERR(cctsa_tecdsa_presign_new(&s, p, sid, set, NULL), CCTSA_E_STATE);
	CHECK_OK(cctsa_tecdsa_dkg_start(p, sid, NULL));
	/* Finishing without the rounds aborts and erases the DKG; the sid is never reusable. */
	CHECK_ERR(cctsa_tecdsa_dkg_finish(p, &f, NULL), CCTSA_E_VERIFY);
	CHECK(f.action == CCTSA_TECDSA_ABORT);
	CHECK_ERR(cctsa_tecdsa_dkg_start(p, sid, NULL), CCTSA_E_STATE);
	cctsa_tecdsa_party_free(p);
}

int main(void)
{
	tcluster cl;

	(void)check_seed();
	CHECK_OK(tec_ctx_init(&C));
	test_kats();
	test_zq();
	test_kos_rvole();
	test_misc_state();
	run_dkg(&cl);
	dkg_invariants(&cl);
	test_all_sets(&cl, 1);
	presign_aborts(&cl);
	presign_pksum(&cl);
	presign_restart(&cl);
	presign_gamma_ban(&cl, 0);
	presign_gamma_ban(&cl, 1);
	presign_kos(&cl, 1);
	presign_kos(&cl, 0);
	presign_rvole(&cl, 1);
	presign_rvole(&cl, 0);
	fprintf(stderr, "tecdsa: ban cases (Gamma_u, Gamma_v, KOS, RVOLE) hit BAN; honest twins sign\n");
	for (uint8_t i = 1; i <= TEC_N; i++) {
		cctsa_tecdsa_party_free(cl.p[i]);
	}
	tec_ctx_free(&C);
	return 0;
}
