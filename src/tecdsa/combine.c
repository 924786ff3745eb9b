/*
 * The combiner (spec §5): three shares -> s = W / U, verified against Q with
 * OpenSSL's ECDSA_do_verify before the DER signature is released.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* ECDSA_do_verify on an EC_KEY, as spec §5 names it */
#include <string.h>

#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include "tecdsa/tecdsa_int.h"

/* Strict decoder of an online share; out-params are views into msg. */
static cctsa_err share_parse(const uint8_t *msg, size_t len, const uint8_t **sid, uint8_t *from,
			     const uint8_t **e, tec_sc *u, tec_sc *w, cctsa_diag *diag)
{
	cctsa_cursor cur;
	const uint8_t *ub, *wb;
	uint64_t ok;
	cctsa_err err = CCTSA_OK;

	cctsa_cursor_init(&cur, msg, len);
	CCTSA_TRY(tec_hdr_check(&cur, TEC_MSG_SIG, CCTSA_TECDSA_SHARE_LEN, diag));
	CCTSA_TRY(cctsa_cursor_get_view(&cur, sid, 32));
	CCTSA_TRY(cctsa_cursor_get_u8(&cur, from));
	CCTSA_TRY(cctsa_cursor_get_view(&cur, e, CCTSA_TECDSA_DIGEST_LEN));
	CCTSA_TRY(cctsa_cursor_get_view(&cur, &ub, TEC_SC));
	CCTSA_TRY(cctsa_cursor_get_view(&cur, &wb, TEC_SC));
	CCTSA_TRY(cctsa_cursor_finish(&cur));
	ok = tec_sc_from_bytes(u, ub) & tec_sc_from_bytes(w, wb);
	CCTSA_ENSURE(ok != 0, CCTSA_E_MALFORMED);
out:
	return err;
}

cctsa_err tec_share_decode(const uint8_t *msg, size_t len, cctsa_diag *diag)
{
	const uint8_t *sid, *e;
	uint8_t from = 0;
	tec_sc u, w;

	return share_parse(msg, len, &sid, &from, &e, &u, &w, diag);
}

static cctsa_err verify_der(tec_ctx *c, const uint8_t q_pt[TEC_PT], const uint8_t e[48], const tec_sc *r,
			    const tec_sc *s, uint8_t der[CCTSA_TECDSA_SIG_MAX], size_t *der_len)
{
	EC_KEY *key = EC_KEY_new_by_curve_name(NID_secp384r1);
	EC_POINT *q = tec_pt_new(c);
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *br = NULL, *bs = NULL;
	uint8_t rb[TEC_SC], sb[TEC_SC];
	unsigned char *dp = der;
	int n;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(key != NULL && q != NULL && sig != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_pt_decode(c, q, q_pt));
	CCTSA_ENSURE(EC_KEY_set_public_key(key, q) == 1, CCTSA_E_CRYPTO);
	tec_sc_to_bytes(rb, r);
	tec_sc_to_bytes(sb, s);
	br = BN_bin2bn(rb, TEC_SC, NULL);
	bs = BN_bin2bn(sb, TEC_SC, NULL);
	CCTSA_ENSURE(br != NULL && bs != NULL && ECDSA_SIG_set0(sig, br, bs) == 1, CCTSA_E_CRYPTO);
	br = bs = NULL;
	CCTSA_ENSURE(ECDSA_do_verify(e, 48, sig, key) == 1, CCTSA_E_VERIFY);
	n = i2d_ECDSA_SIG(sig, NULL);
	CCTSA_ENSURE(n > 0 && n <= CCTSA_TECDSA_SIG_MAX, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(i2d_ECDSA_SIG(sig, &dp) == n, CCTSA_E_CRYPTO);
	*der_len = (size_t)n;
out:
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	EC_KEY_free(key);
	tec_pt_free(q);
	return err;
}

cctsa_err cctsa_tecdsa_combine(cctsa_tecdsa_party *p, const uint8_t pid[32],
			       const uint8_t e[CCTSA_TECDSA_DIGEST_LEN], int rerand_on,
			       const uint8_t *const shares[3], uint8_t der[CCTSA_TECDSA_SIG_MAX], size_t *der_len,
			       cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	const tec_store_entry *ent = NULL;
	tec_sc U, W, u, w, rs, s;
	unsigned seen = 0;
	cctsa_err err = CCTSA_OK;

	*der_len = 0;
	tec_fault(fault, CCTSA_TECDSA_NONE, CCTSA_TECDSA_EV_NONE, 0);
	for (size_t i = 0; p->store != NULL && i < p->nstore; i++) {
		if (p->store[i].state != 0 && cctsa_memcmp_var(p->store[i].pid, pid, 32) == 0) {
			ent = &p->store[i];
		}
	}
	if (ent == NULL) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: unknown presignature");
	}
	memset(&U, 0, sizeof(U));
	memset(&W, 0, sizeof(W));
	for (int i = 0; i < 3; i++) {
		const uint8_t *sid, *ee;
		uint8_t from = 0;

		err = share_parse(shares[i], CCTSA_TECDSA_SHARE_LEN, &sid, &from, &ee, &u, &w, diag);
		if (err != CCTSA_OK) {
			tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE, 0);
			goto out;
		}
		if (cctsa_memcmp_var(sid, ent->sid, 32) != 0 || cctsa_memcmp_var(ee, e, 48) != 0 ||
		    !(from == ent->set[0] || from == ent->set[1] || from == ent->set[2]) || ((seen >> from) & 1u)) {
			tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_SESSION, from);
			err = cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: share for another session, digest or signer");
			goto out;
		}
		seen |= 1u << from;
		tec_sc_add(&U, &U, &u);
		tec_sc_add(&W, &W, &w);
	}
	CCTSA_TRY(tec_combine_r(p, ent, e, rerand_on, &rs));
	tec_sc_inv(&s, &U);
	tec_sc_mul(&s, &s, &W);
	if (tec_sc_is_zero(&U) || tec_sc_is_zero(&s)) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_SIGNATURE, 0);
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "tecdsa: U = 0 or s = 0");
		goto out;
	}
	err = verify_der(&p->c, p->q_pt, e, &rs, &s, der, der_len);
	if (err == CCTSA_E_VERIFY) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_SIGNATURE, 0);
		(void)cctsa_fail(diag, err, "tecdsa: combined signature does not verify");
	}
out:
	if (err != CCTSA_OK) {
		*der_len = 0;
		cctsa_wipe(der, CCTSA_TECDSA_SIG_MAX);
	}
	return err;
}
