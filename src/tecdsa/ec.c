/*
 * P-384 helpers over OpenSSL's EC_POINT. Secret scalars go only through the
 * single-scalar EC_POINT_mul (OpenSSL's Montgomery ladder) with BN_FLG_CONSTTIME;
 * the two-scalar form (variable-time wNAF) is used only on public scalars.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>

#include "tecdsa/tecdsa_int.h"

EC_POINT *tec_pt_new(tec_ctx *c)
{
	return EC_POINT_new(c->group);
}

void tec_pt_free(EC_POINT *p)
{
	EC_POINT_clear_free(p);
}

cctsa_err tec_pt_decode(tec_ctx *c, EC_POINT *out, const uint8_t in[TEC_PT])
{
	int ok;

	if (in[0] != 0x02 && in[0] != 0x03) {
		return CCTSA_E_MALFORMED;
	}
	ERR_set_mark();
	ok = EC_POINT_oct2point(c->group, out, in, TEC_PT, c->bn);
	ERR_pop_to_mark();
	if (ok != 1 || EC_POINT_is_at_infinity(c->group, out) || EC_POINT_is_on_curve(c->group, out, c->bn) != 1) {
		return CCTSA_E_MALFORMED;
	}
	return CCTSA_OK;
}

cctsa_err tec_pt_encode(tec_ctx *c, uint8_t out[TEC_PT], const EC_POINT *p)
{
	if (EC_POINT_is_at_infinity(c->group, p)) {
		return CCTSA_E_VERIFY;
	}
	return EC_POINT_point2oct(c->group, p, POINT_CONVERSION_COMPRESSED, out, TEC_PT, c->bn) == TEC_PT
		       ? CCTSA_OK
		       : CCTSA_E_CRYPTO;
}

static BIGNUM *sc_to_bn(const tec_sc *k)
{
	uint8_t b[TEC_SC];
	BIGNUM *bn = BN_secure_new();

	if (bn == NULL) {
		return NULL;
	}
	BN_set_flags(bn, BN_FLG_CONSTTIME);
	tec_sc_to_bytes(b, k);
	if (BN_bin2bn(b, TEC_SC, bn) == NULL) {
		BN_clear_free(bn);
		bn = NULL;
	}
	cctsa_wipe(b, sizeof(b));
	return bn;
}

static cctsa_err mul1(tec_ctx *c, EC_POINT *out, const EC_POINT *p, const tec_sc *k)
{
	uint64_t t0 = c->acct ? tec_cpu_ns() : 0;
	BIGNUM *bn = sc_to_bn(k);
	int ok;

	if (bn == NULL) {
		return CCTSA_E_RESOURCE;
	}
	if (p == NULL) {
		ok = EC_POINT_mul(c->group, out, bn, NULL, NULL, c->bn);
	} else {
		ok = EC_POINT_mul(c->group, out, NULL, p, bn, c->bn);
	}
	BN_clear_free(bn);
	if (c->acct) {
		c->ns_ec += tec_cpu_ns() - t0;
	}
	return ok == 1 ? CCTSA_OK : CCTSA_E_CRYPTO;
}

cctsa_err tec_mul_g(tec_ctx *c, EC_POINT *out, const tec_sc *k)
{
	return mul1(c, out, NULL, k);
}

cctsa_err tec_mul(tec_ctx *c, EC_POINT *out, const EC_POINT *p, const tec_sc *k)
{
	return mul1(c, out, p, k);
}

cctsa_err tec_mul2_var(tec_ctx *c, EC_POINT *out, const tec_sc *a, const EC_POINT *p, const tec_sc *b)
{
	uint64_t t0 = c->acct ? tec_cpu_ns() : 0;
	uint8_t ab[TEC_SC], bb[TEC_SC];
	BIGNUM *x = BN_new(), *y = BN_new();
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(x != NULL && y != NULL, CCTSA_E_RESOURCE);
	tec_sc_to_bytes(ab, a);
	tec_sc_to_bytes(bb, b);
	CCTSA_ENSURE(BN_bin2bn(ab, TEC_SC, x) != NULL && BN_bin2bn(bb, TEC_SC, y) != NULL, CCTSA_E_CRYPTO);
	/* Public scalars only (PoK verification): the two-scalar form is allowed here. */
	CCTSA_ENSURE(EC_POINT_mul(c->group, out, x, p, y, c->bn) == 1, CCTSA_E_CRYPTO);
out:
	BN_free(x);
	BN_free(y);
	if (c->acct) {
		c->ns_ec += tec_cpu_ns() - t0;
	}
	return err;
}

cctsa_err tec_pt_add(tec_ctx *c, EC_POINT *out, const EC_POINT *a, const EC_POINT *b)
{
	return EC_POINT_add(c->group, out, a, b, c->bn) == 1 ? CCTSA_OK : CCTSA_E_CRYPTO;
}

cctsa_err tec_pt_sub(tec_ctx *c, EC_POINT *out, const EC_POINT *a, const EC_POINT *b)
{
	EC_POINT *nb = EC_POINT_dup(b, c->group);
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(nb != NULL, CCTSA_E_RESOURCE);
	CCTSA_ENSURE(EC_POINT_invert(c->group, nb, c->bn) == 1, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(EC_POINT_add(c->group, out, a, nb, c->bn) == 1, CCTSA_E_CRYPTO);
out:
	EC_POINT_clear_free(nb);
	return err;
}

int tec_pt_eq(tec_ctx *c, const EC_POINT *a, const EC_POINT *b)
{
	return EC_POINT_cmp(c->group, a, b, c->bn) == 0;
}

int tec_pt_is_inf(tec_ctx *c, const EC_POINT *a)
{
	return EC_POINT_is_at_infinity(c->group, a) == 1;
}

cctsa_err tec_pt_x_mod_q(tec_ctx *c, tec_sc *out, const EC_POINT *p)
{
	BIGNUM *x = BN_new(), *q = BN_new();
	uint8_t b[TEC_SC];
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(x != NULL && q != NULL, CCTSA_E_RESOURCE);
	CCTSA_ENSURE(EC_POINT_get_affine_coordinates(c->group, p, x, NULL, c->bn) == 1, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(EC_GROUP_get_order(c->group, q, c->bn) == 1, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(BN_nnmod(x, x, q, c->bn) == 1, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(BN_bn2binpad(x, b, TEC_SC) == TEC_SC, CCTSA_E_CRYPTO);
	(void)tec_sc_from_bytes(out, b);
out:
	BN_free(x);
	BN_free(q);
	return err;
}

cctsa_err tec_feldman_eval(tec_ctx *c, EC_POINT *out, EC_POINT *const cp[3], uint8_t x)
{
	tec_sc xs;
	cctsa_err err = CCTSA_OK;

	tec_sc_set_u64(&xs, x);
	/* Horner with the public evaluation point x. */
	CCTSA_TRY(tec_mul(c, out, cp[2], &xs));
	CCTSA_TRY(tec_pt_add(c, out, out, cp[1]));
	CCTSA_TRY(tec_mul(c, out, out, &xs));
	CCTSA_TRY(tec_pt_add(c, out, out, cp[0]));
out:
	return err;
}
