/*
 * core: peer payload codecs. Layouts (all integers big-endian):
 *   DKG_START     ceremony(16) | tecdsa sid(32) | tmldsa nonce(32) | coordinator u8
 *   DKG_IDENT     ceremony(16) | spki_len u8 | SPKI (P-384, 1..160)
 *   TE_DKG        round u8 (1..3) | tecdsa DKG message
 *   TM_DKG        tmldsa DKG frame
 *   DKG_DONE      ceremony(16) | Q(49) | key id(32) | X_1..X_5 (5 x 49) | ML-DSA pk(1952) | tr(32)
 *   PRESIGN_START pid(32) | set mask u8
 *   PRESIGN_MSG   pid(32) | round u8 (1..2) | tecdsa presign message
 *   PRESIGN_DONE  pid(32) | ok u8 (0/1)
 *   SIGN_REQ      job(16) | kind u8 | coord u8 | set u8 | pid(32) | nonce(32)
 *                 [kind TST: pq u8 | hash u8 | null u8 | imprint_len u8 | imprint |
 *                  nonce_len u8 | nonce | cert_req u8 | policy_len u8 | policy |
 *                  serial(17) | genTime ms u64 | accuracy ms u32]
 *                 | msg_e_len u16 | msg_e | msg_m_len u16 | msg_m
 *   TM_SIGN       job(16) | tmldsa signing frame
 *   SIGN_SHARE    job(16) | tecdsa share(179)
 *   SIGN_REFUSE   job(16) | reason u8 (1..9)
 *   TM_RETRY      job(16) | nonce(32)
 *   SIGN_END      job(16)
 */
#include <string.h>

#include "core_int.h"

#define DKG_DONE_LEN (16 + CCTSA_TECDSA_PT_LEN + 32 + CORE_N * CCTSA_TECDSA_PT_LEN + CCTSA_TMLDSA_PK_LEN + 32)
#define SIGN_MSG_MAX 4096

static cctsa_err bad(cctsa_diag *diag, const char *what)
{
	return cctsa_fail(diag, CCTSA_E_MALFORMED, "core: bad %s payload", what);
}

static int set_ok(unsigned m)
{
	return m < 32 && core_popcount(m) == CCTSA_CORE_THRESHOLD;
}

static cctsa_err put_req_tst(cctsa_buf *b, const core_sign_req *r)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_buf_put_u8(b, r->pq));
	CCTSA_TRY(cctsa_buf_put_u8(b, (uint8_t)r->req.hash));
	CCTSA_TRY(cctsa_buf_put_u8(b, r->req.hash_null_params ? 1 : 0));
	CCTSA_TRY(cctsa_buf_put_u8(b, (uint8_t)r->req.imprint_len));
	CCTSA_TRY(cctsa_buf_put(b, r->req.imprint, r->req.imprint_len));
	CCTSA_TRY(cctsa_buf_put_u8(b, (uint8_t)r->req.nonce_len));
	CCTSA_TRY(cctsa_buf_put(b, r->req.nonce, r->req.nonce_len));
	CCTSA_TRY(cctsa_buf_put_u8(b, r->req.cert_req ? 1 : 0));
	CCTSA_TRY(cctsa_buf_put_u8(b, (uint8_t)r->policy_len));
	CCTSA_TRY(cctsa_buf_put(b, r->policy, r->policy_len));
	CCTSA_TRY(cctsa_buf_put(b, r->serial, sizeof r->serial));
	CCTSA_TRY(cctsa_buf_put_u64be(b, (uint64_t)r->gen_time_ms));
	CCTSA_TRY(cctsa_buf_put_u32be(b, r->accuracy_ms));
out:
	return err;
}

cctsa_err core_sign_req_encode(cctsa_buf *b, const core_sign_req *r)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(r->msg_e_len <= SIGN_MSG_MAX && r->msg_m_len <= SIGN_MSG_MAX, CCTSA_E_USAGE);
	CCTSA_TRY(cctsa_buf_put(b, r->job_id, sizeof r->job_id));
	CCTSA_TRY(cctsa_buf_put_u8(b, r->kind));
	CCTSA_TRY(cctsa_buf_put_u8(b, r->coord));
	CCTSA_TRY(cctsa_buf_put_u8(b, r->set_mask));
	CCTSA_TRY(cctsa_buf_put(b, r->pid, sizeof r->pid));
	CCTSA_TRY(cctsa_buf_put(b, r->nonce, sizeof r->nonce));
	if (r->kind == JOB_TST) {
		CCTSA_TRY(put_req_tst(b, r));
	}
	CCTSA_TRY(cctsa_buf_put_u16be(b, (uint16_t)r->msg_e_len));
	CCTSA_TRY(cctsa_buf_put(b, r->msg_e, r->msg_e_len));
	CCTSA_TRY(cctsa_buf_put_u16be(b, (uint16_t)r->msg_m_len));
	CCTSA_TRY(cctsa_buf_put(b, r->msg_m, r->msg_m_len));
out:
	return err;
}

static cctsa_err get_len_bytes(cctsa_cursor *c, uint8_t *dst, size_t *len, size_t max)
{
	uint8_t n;

	if (cctsa_cursor_get_u8(c, &n) != CCTSA_OK || n > max ||
	    cctsa_cursor_get_bytes(c, dst, n) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	*len = n;
	return CCTSA_OK;
}

static cctsa_err get_req_tst(cctsa_cursor *c, core_sign_req *r)
{
	uint8_t pq, hash, hnull, cert_req;
	uint64_t gt;

	if (cctsa_cursor_get_u8(c, &pq) != CCTSA_OK || pq > 1 || cctsa_cursor_get_u8(c, &hash) != CCTSA_OK ||
	    cctsa_tsp_hash_len((cctsa_tsp_hash)hash) == 0 || cctsa_cursor_get_u8(c, &hnull) != CCTSA_OK ||
	    hnull > 1 || get_len_bytes(c, r->req.imprint, &r->req.imprint_len, CCTSA_TSP_IMPRINT_MAX) ||
	    r->req.imprint_len != cctsa_tsp_hash_len((cctsa_tsp_hash)hash) ||
	    get_len_bytes(c, r->req.nonce, &r->req.nonce_len, CCTSA_TSP_NONCE_MAX) ||
	    cctsa_cursor_get_u8(c, &cert_req) != CCTSA_OK || cert_req > 1 ||
	    get_len_bytes(c, r->policy, &r->policy_len, CCTSA_TSP_OID_MAX) || r->policy_len == 0 ||
	    cctsa_cursor_get_bytes(c, r->serial, sizeof r->serial) != CCTSA_OK ||
	    cctsa_cursor_get_u64be(c, &gt) != CCTSA_OK || gt > (uint64_t)INT64_MAX ||
	    cctsa_cursor_get_u32be(c, &r->accuracy_ms) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	r->pq = pq;
	r->req.hash = (cctsa_tsp_hash)hash;
	r->req.hash_null_params = hnull;
	r->req.cert_req = cert_req;
	r->gen_time_ms = (int64_t)gt;
	return CCTSA_OK;
}

cctsa_err core_sign_req_decode(core_sign_req *r, const uint8_t *p, size_t len, cctsa_diag *diag)
{
	cctsa_cursor c;
	uint16_t le, lm;

	memset(r, 0, sizeof *r);
	cctsa_cursor_init(&c, p, len);
	if (cctsa_cursor_get_bytes(&c, r->job_id, sizeof r->job_id) != CCTSA_OK ||
	    cctsa_cursor_get_u8(&c, &r->kind) != CCTSA_OK || (r->kind != JOB_TST && r->kind != JOB_CSR) ||
	    cctsa_cursor_get_u8(&c, &r->coord) != CCTSA_OK || r->coord >= CORE_N ||
	    cctsa_cursor_get_u8(&c, &r->set_mask) != CCTSA_OK || !set_ok(r->set_mask) ||
	    !(r->set_mask & (1u << r->coord)) || cctsa_cursor_get_bytes(&c, r->pid, 32) != CCTSA_OK ||
	    cctsa_cursor_get_bytes(&c, r->nonce, 32) != CCTSA_OK ||
	    (r->kind == JOB_TST && get_req_tst(&c, r) != CCTSA_OK) ||
	    cctsa_cursor_get_u16be(&c, &le) != CCTSA_OK || le == 0 || le > SIGN_MSG_MAX ||
	    cctsa_cursor_get_view(&c, &r->msg_e, le) != CCTSA_OK ||
	    cctsa_cursor_get_u16be(&c, &lm) != CCTSA_OK || lm == 0 || lm > SIGN_MSG_MAX ||
	    cctsa_cursor_get_view(&c, &r->msg_m, lm) != CCTSA_OK || cctsa_cursor_finish(&c) != CCTSA_OK) {
		memset(r, 0, sizeof *r);
		return bad(diag, "SIGN_REQ");
	}
	r->msg_e_len = le;
	r->msg_m_len = lm;
	return CCTSA_OK;
}

static cctsa_err check_tm_frame(const uint8_t *p, size_t len, int dkg, cctsa_diag *diag)
{
	cctsa_tmldsa_frame f;
	cctsa_err err = cctsa_tmldsa_frame_decode(&f, p, len, NULL, diag);

	if (err != CCTSA_OK) {
		return err;
	}
	if ((f.type >= CCTSA_TMLDSA_MSG_DKG_COMMIT) != (dkg != 0) || f.sender >= CORE_N) {
		return bad(diag, "tmldsa frame type");
	}
	return CCTSA_OK;
}

static cctsa_err check_dkg(uint8_t type, const uint8_t *p, size_t len, cctsa_diag *diag)
{
	switch (type) {
	case CCTSA_CORE_MSG_DKG_START:
		return len == 81 && p[80] < CORE_N ? CCTSA_OK : bad(diag, "DKG_START");
	case CCTSA_CORE_MSG_DKG_IDENT:
		return len > 17 && len <= 17 + 160 && p[16] == len - 17 ? CCTSA_OK : bad(diag, "DKG_IDENT");
	case CCTSA_CORE_MSG_TE_DKG:
		if (len < 2 || p[0] < 1 || p[0] > 3) {
			return bad(diag, "TE_DKG");
		}
		return cctsa_tecdsa_decode_check(p + 1, len - 1, diag);
	case CCTSA_CORE_MSG_TM_DKG:
		return check_tm_frame(p, len, 1, diag);
	default:
		return len == DKG_DONE_LEN ? CCTSA_OK : bad(diag, "DKG_DONE");
	}
}

static cctsa_err check_sign(uint8_t type, const uint8_t *p, size_t len, cctsa_diag *diag)
{
	core_sign_req r;

	switch (type) {
	case CCTSA_CORE_MSG_SIGN_REQ:
		return core_sign_req_decode(&r, p, len, diag);
	case CCTSA_CORE_MSG_TM_SIGN:
		if (len < JOB_ID_LEN) {
			return bad(diag, "TM_SIGN");
		}
		return check_tm_frame(p + JOB_ID_LEN, len - JOB_ID_LEN, 0, diag);
	case CCTSA_CORE_MSG_SIGN_SHARE:
		return len == JOB_ID_LEN + CCTSA_TECDSA_SHARE_LEN ? CCTSA_OK : bad(diag, "SIGN_SHARE");
	case CCTSA_CORE_MSG_TM_RETRY:
		return len == JOB_ID_LEN + 32 ? CCTSA_OK : bad(diag, "TM_RETRY");
	case CCTSA_CORE_MSG_SIGN_END:
		return len == JOB_ID_LEN ? CCTSA_OK : bad(diag, "SIGN_END");
	default:
		return len == JOB_ID_LEN + 1 && p[JOB_ID_LEN] >= REFUSE_STATE && p[JOB_ID_LEN] <= REFUSE_BUSY
			       ? CCTSA_OK
			       : bad(diag, "SIGN_REFUSE");
	}
}

cctsa_err cctsa_core_msg_check(uint8_t type, const uint8_t *p, size_t len, cctsa_diag *diag)
{
	if (p == NULL && len != 0) {
		return CCTSA_E_USAGE;
	}
	if (len > CCTSA_CORE_MSG_MAX) {
		return bad(diag, "oversized");
	}
	switch (type) {
	case CCTSA_CORE_MSG_DKG_START:
	case CCTSA_CORE_MSG_DKG_IDENT:
	case CCTSA_CORE_MSG_TE_DKG:
	case CCTSA_CORE_MSG_TM_DKG:
	case CCTSA_CORE_MSG_DKG_DONE:
		return check_dkg(type, p, len, diag);
	case CCTSA_CORE_MSG_PRESIGN_START:
		return len == 33 && set_ok(p[32]) ? CCTSA_OK : bad(diag, "PRESIGN_START");
	case CCTSA_CORE_MSG_PRESIGN_MSG:
		if (len < 34 || p[32] < 1 || p[32] > 2) {
			return bad(diag, "PRESIGN_MSG");
		}
		return cctsa_tecdsa_decode_check(p + 33, len - 33, diag);
	case CCTSA_CORE_MSG_PRESIGN_DONE:
		return len == 33 && p[32] <= 1 ? CCTSA_OK : bad(diag, "PRESIGN_DONE");
	case CCTSA_CORE_MSG_SIGN_REQ:
	case CCTSA_CORE_MSG_TM_SIGN:
	case CCTSA_CORE_MSG_SIGN_SHARE:
	case CCTSA_CORE_MSG_SIGN_REFUSE:
	case CCTSA_CORE_MSG_TM_RETRY:
	case CCTSA_CORE_MSG_SIGN_END:
		return check_sign(type, p, len, diag);
	default:
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "core: unknown message type 0x%02x", type);
	}
}
