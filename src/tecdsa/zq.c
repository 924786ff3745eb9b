/*
 * Arithmetic modulo the P-384 group order q on six 64-bit limbs. Every routine
 * is constant-time in its operands: no branch or index depends on a value,
 * carries and borrows become masks. Montgomery form uses R = 2^384.
 */
#include <string.h>

#include "tecdsa/tecdsa_int.h"

__extension__ typedef unsigned __int128 u128;

static const uint64_t Q[6] = {0xecec196accc52973ULL, 0x581a0db248b0a77aULL, 0xc7634d81f4372ddfULL,
			      0xffffffffffffffffULL, 0xffffffffffffffffULL, 0xffffffffffffffffULL};
static const uint64_t R2[6] = {0x2d319b2419b409a9ULL, 0xff3d81e5df1aa419ULL, 0xbc3e483afcb82947ULL,
			       0xd40d49174aab1cc5ULL, 0x3fb05b7a28266895ULL, 0x0c84ee012b39bf21ULL};
static const uint64_t QINV = 0x6ed46089e88fdc45ULL; /* -q^-1 mod 2^64 */

/* r = a - q if that does not borrow (with `hi` the extra top word of a), else a. */
static void cond_sub_q(uint64_t r[6], const uint64_t a[6], uint64_t hi)
{
	uint64_t d[6];
	uint64_t borrow = 0;
	uint64_t keep;

	for (int i = 0; i < 6; i++) {
		u128 t = (u128)a[i] - Q[i] - borrow;
		d[i] = (uint64_t)t;
		borrow = (uint64_t)(t >> 64) & 1;
	}
	/* a (with hi) >= q iff hi is set or no borrow. */
	keep = cctsa_ct_mask_u64(borrow & (hi ^ 1)); /* all-ones: keep a */
	for (int i = 0; i < 6; i++) {
		r[i] = cctsa_ct_select_u64(keep, a[i], d[i]);
	}
}

uint64_t tec_sc_from_bytes(tec_sc *out, const uint8_t in[TEC_SC])
{
	uint64_t borrow = 0;

	for (int i = 0; i < 6; i++) {
		uint64_t w = 0;
		for (int j = 0; j < 8; j++) {
			w = (w << 8) | in[TEC_SC - 1 - (8 * i + 7 - j)];
		}
		out->v[i] = w;
	}
	for (int i = 0; i < 6; i++) {
		u128 t = (u128)out->v[i] - Q[i] - borrow;
		borrow = (uint64_t)(t >> 64) & 1;
	}
	return cctsa_ct_mask_u64(borrow); /* borrow: in < q */
}

void tec_sc_to_bytes(uint8_t out[TEC_SC], const tec_sc *a)
{
	for (int i = 0; i < 6; i++) {
		for (int j = 0; j < 8; j++) {
			out[TEC_SC - 1 - 8 * i - j] = (uint8_t)(a->v[i] >> (8 * j));
		}
	}
}

void tec_sc_add(tec_sc *r, const tec_sc *a, const tec_sc *b)
{
	uint64_t s[6];
	u128 c = 0;

	for (int i = 0; i < 6; i++) {
		c += (u128)a->v[i] + b->v[i];
		s[i] = (uint64_t)c;
		c >>= 64;
	}
	cond_sub_q(r->v, s, (uint64_t)c);
}

void tec_sc_sub(tec_sc *r, const tec_sc *a, const tec_sc *b)
{
	uint64_t d[6];
	uint64_t borrow = 0, m;
	u128 c = 0;

	for (int i = 0; i < 6; i++) {
		u128 t = (u128)a->v[i] - b->v[i] - borrow;
		d[i] = (uint64_t)t;
		borrow = (uint64_t)(t >> 64) & 1;
	}
	m = cctsa_ct_mask_u64(borrow);
	for (int i = 0; i < 6; i++) {
		c += (u128)d[i] + (Q[i] & m);
		r->v[i] = (uint64_t)c;
		c >>= 64;
	}
}

void tec_sc_neg(tec_sc *r, const tec_sc *a)
{
	tec_sc z;

	memset(&z, 0, sizeof(z));
	tec_sc_sub(r, &z, a);
}

static void mont_mul(uint64_t r[6], const uint64_t a[6], const uint64_t b[6])
{
	uint64_t t[8] = {0};

	for (int i = 0; i < 6; i++) {
		u128 c = 0;
		uint64_t m;

		for (int j = 0; j < 6; j++) {
			c += (u128)a[j] * b[i] + t[j];
			t[j] = (uint64_t)c;
			c >>= 64;
		}
		c += t[6];
		t[6] = (uint64_t)c;
		t[7] = (uint64_t)(c >> 64);
		m = t[0] * QINV;
		c = ((u128)m * Q[0] + t[0]) >> 64;
		for (int j = 1; j < 6; j++) {
			c += (u128)m * Q[j] + t[j];
			t[j - 1] = (uint64_t)c;
			c >>= 64;
		}
		c += t[6];
		t[5] = (uint64_t)c;
		t[6] = t[7] + (uint64_t)(c >> 64);
	}
	cond_sub_q(r, t, t[6]);
}

void tec_sc_mont(tec_sc *r, const tec_sc *a, const tec_sc *b)
{
	mont_mul(r->v, a->v, b->v);
}

void tec_sc_to_mont(tec_sc *r, const tec_sc *a)
{
	mont_mul(r->v, a->v, R2);
}

void tec_sc_mul(tec_sc *r, const tec_sc *a, const tec_sc *b)
{
	uint64_t t[6];

	mont_mul(t, a->v, b->v);
	mont_mul(r->v, t, R2);
}

void tec_sc_reduce64(tec_sc *out, const uint8_t in[64])
{
	tec_sc hi, lo;
	uint8_t buf[TEC_SC];

	memset(buf, 0, sizeof(buf));
	memcpy(buf + TEC_SC - 16, in, 16);
	(void)tec_sc_from_bytes(&hi, buf); /* < 2^128 < q */
	(void)tec_sc_from_bytes(&lo, in + 16);
	cond_sub_q(lo.v, lo.v, 0); /* lo < 2^384 < 2q */
	mont_mul(hi.v, hi.v, R2); /* hi * R^2 / R = hi * 2^384 mod q */
	tec_sc_add(out, &hi, &lo);
	cctsa_wipe(buf, sizeof(buf));
}

void tec_sc_set_u64(tec_sc *r, uint64_t v)
{
	memset(r, 0, sizeof(*r));
	r->v[0] = v;
}

void tec_sc_select(tec_sc *r, uint64_t mask, const tec_sc *a, const tec_sc *b)
{
	for (int i = 0; i < 6; i++) {
		r->v[i] = cctsa_ct_select_u64(mask, a->v[i], b->v[i]);
	}
}

uint64_t tec_sc_is_zero(const tec_sc *a)
{
	uint64_t acc = 0;

	for (int i = 0; i < 6; i++) {
		acc |= a->v[i];
	}
	return cctsa_ct_mask_u64(((acc | (0 - acc)) >> 63) ^ 1);
}

uint64_t tec_sc_eq(const tec_sc *a, const tec_sc *b)
{
	tec_sc d;

	tec_sc_sub(&d, a, b);
	return tec_sc_is_zero(&d);
}

/* a^(q-2) with a fixed public exponent: square-and-multiply on the exponent bits only. */
void tec_sc_inv(tec_sc *r, const tec_sc *a)
{
	uint64_t am[6], acc[6], e[6];
	u128 t;

	memcpy(e, Q, sizeof(e));
	t = (u128)e[0] - 2;
	e[0] = (uint64_t)t; /* q is odd and > 2: no borrow */
	mont_mul(am, a->v, R2);
	memset(acc, 0, sizeof(acc));
	acc[0] = 1;
	mont_mul(acc, acc, R2); /* R mod q, i.e. 1 in Montgomery form */
	for (int i = 383; i >= 0; i--) {
		mont_mul(acc, acc, acc);
		if ((e[i / 64] >> (i % 64)) & 1) { /* public exponent bit */
			mont_mul(acc, acc, am);
		}
	}
	{
		uint64_t one[6] = {1, 0, 0, 0, 0, 0};
		mont_mul(r->v, acc, one);
	}
	cctsa_wipe(am, sizeof(am));
	cctsa_wipe(acc, sizeof(acc));
}

cctsa_err tec_sc_rand(tec_sc *out)
{
	uint8_t buf[TEC_SC];
	cctsa_err err = CCTSA_OK;

	for (int tries = 0; tries < 64; tries++) {
		uint64_t ok;

		CCTSA_TRY(cctsa_rand_bytes(buf, sizeof(buf)));
		ok = tec_sc_from_bytes(out, buf) & ~tec_sc_is_zero(out);
		/* Rejection sampling: whether a draw is rejected is independent of the accepted value. */
		CCTSA_PUBLIC(&ok, sizeof(ok));
		if (ok != 0) {
			CCTSA_SECRET(out, sizeof(*out)); /* ctime builds: the accepted value is secret */
			goto out;
		}
	}
	err = CCTSA_E_INTERNAL;
out:
	cctsa_wipe(buf, sizeof(buf));
	return err;
}
