/*
 * Stateless strict decoding of every message type (for fuzzing and for callers
 * that want to reject garbage before routing): version, type, exact length,
 * points on the curve and not at infinity, scalars < q.
 */
#include <string.h>

#include "tecdsa/dkg_int.h"

static cctsa_err pts_ok(tec_ctx *c, const uint8_t *p, size_t n)
{
	EC_POINT *t = tec_pt_new(c);
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(t != NULL, CCTSA_E_RESOURCE);
	for (size_t i = 0; i < n; i++) {
		CCTSA_TRY(tec_pt_decode(c, t, p + i * TEC_PT));
	}
out:
	tec_pt_free(t);
	return err;
}

static cctsa_err scs_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		tec_sc s;

		if (tec_sc_from_bytes(&s, p + i * TEC_SC) == 0) {
			return CCTSA_E_MALFORMED;
		}
	}
	return CCTSA_OK;
}

static cctsa_err check_body(tec_ctx *c, uint8_t type, const uint8_t *m, size_t len)
{
	const uint8_t *b = m + TEC_HDR;
	cctsa_cursor cur;
	cctsa_err err = CCTSA_OK;

	switch (type) {
	case TEC_MSG_D1:
		CCTSA_ENSURE(len == CCTSA_TECDSA_D1_LEN, CCTSA_E_MALFORMED);
		CCTSA_TRY(pts_ok(c, b + TEC_H, 2 * TEC_LC + 1));
		break;
	case TEC_MSG_D2:
		CCTSA_ENSURE(len == CCTSA_TECDSA_D2_LEN, CCTSA_E_MALFORMED);
		CCTSA_TRY(pts_ok(c, b, 4));
		CCTSA_TRY(scs_ok(b + 4 * TEC_PT, 1));
		CCTSA_TRY(scs_ok(b + TEC_OPEN_LEN, 1));
		break;
	case TEC_MSG_D3:
		CCTSA_ENSURE(len >= TEC_HDR + TEC_H + 1, CCTSA_E_MALFORMED);
		cctsa_cursor_init(&cur, b + TEC_H + 1, len - TEC_HDR - TEC_H - 1);
		if (b[TEC_H] == 1) {
			CCTSA_TRY(tec_dkg_parse_complaint(&cur, m[34]));
		} else {
			CCTSA_ENSURE(b[TEC_H] <= 2, CCTSA_E_MALFORMED);
			CCTSA_TRY(cctsa_cursor_finish(&cur));
		}
		break;
	case TEC_MSG_M1:
		CCTSA_ENSURE(len == CCTSA_TECDSA_M1_LEN, CCTSA_E_MALFORMED);
		break;
	case TEC_MSG_M2:
		CCTSA_ENSURE(len == CCTSA_TECDSA_M2_LEN, CCTSA_E_MALFORMED);
		CCTSA_TRY(pts_ok(c, b + TEC_H, 1));
		CCTSA_TRY(pts_ok(c, b + TEC_H + TEC_PT + 32, 3));
		CCTSA_TRY(scs_ok(b + TEC_H + 4 * TEC_PT + 32, 1));
		CCTSA_TRY(scs_ok(b + TEC_H + 4 * TEC_PT + 32 + TEC_SC + 32, TEC_XI * 3 + 1));
		break;
	default:
		err = CCTSA_E_MALFORMED;
	}
out:
	return err;
}

cctsa_err cctsa_tecdsa_decode_check(const uint8_t *msg, size_t len, cctsa_diag *diag)
{
	tec_ctx c;
	cctsa_err err;

	if (len < 2) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tecdsa: short message");
	}
	if (msg[0] != TEC_VERSION) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "tecdsa: version %u", msg[0]);
	}
	if (msg[1] == TEC_MSG_SIG) {
		return tec_share_decode(msg, len, diag);
	}
	if (len < TEC_HDR) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tecdsa: short message");
	}
	err = tec_ctx_init(&c);
	if (err != CCTSA_OK) {
		return err;
	}
	err = check_body(&c, msg[1], msg, len);
	tec_ctx_free(&c);
	if (err == CCTSA_E_MALFORMED) {
		(void)cctsa_fail(diag, err, "tecdsa: malformed message of type %u", msg[1]);
	}
	return err;
}
