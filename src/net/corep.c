/*
 * net: the gateway -> core protocol codec (CLUSTER.md). Each message's encoder
 * and decoder share this file; both enforce the same field rules (net.h).
 */
#include <string.h>

#include "cctsa/der.h"
#include "cctsa/net.h"
#include "net_int.h"

static const cctsa_net_frame_type corep_types[] = {
	{CCTSA_NET_COREP_TS_REQ, 8 + 7, CCTSA_NET_COREP_TS_REQ_MAX},
	{CCTSA_NET_COREP_TS_RESP, 8 + 8, CCTSA_NET_COREP_TS_RESP_MAX},
	{CCTSA_NET_COREP_INFO_REQ, CCTSA_NET_COREP_INFO_REQ_LEN, CCTSA_NET_COREP_INFO_REQ_LEN},
	{CCTSA_NET_COREP_INFO_RESP, 8 + 5, CCTSA_NET_COREP_INFO_RESP_MAX},
};

const cctsa_net_frame_rules cctsa_net_corep_rules = {
	"corep", CCTSA_NET_FRAME_VERSION, corep_types, sizeof(corep_types) / sizeof(corep_types[0]),
};

/* Strict UTF-8 (RFC 3629): no overlongs, no surrogates, <= U+10FFFF, no NUL. */
int net_utf8_ok(const uint8_t *s, size_t n)
{
	cctsa_cursor c;
	uint8_t b = 0, x = 0;

	cctsa_cursor_init(&c, s, n);
	while (cctsa_cursor_get_u8(&c, &b) == CCTSA_OK) {
		unsigned need = 0;
		uint32_t cp = 0, min = 0;

		if (b == 0) {
			return 0;
		} else if (b < 0x80) {
			continue;
		} else if (b >= 0xc2 && b <= 0xdf) {
			need = 1, cp = b & 0x1fu, min = 0x80;
		} else if (b >= 0xe0 && b <= 0xef) {
			need = 2, cp = b & 0x0fu, min = 0x800;
		} else if (b >= 0xf0 && b <= 0xf4) {
			need = 3, cp = b & 0x07u, min = 0x10000;
		} else {
			return 0;
		}
		for (unsigned i = 0; i < need; i++) {
			if (cctsa_cursor_get_u8(&c, &x) != CCTSA_OK || (x & 0xc0u) != 0x80) {
				return 0;
			}
			cp = (cp << 6) | (x & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			return 0;
		}
	}
	return 1;
}

/* Field rules shared by the TS_REQ encoder and decoder. */
static cctsa_err ts_req_fields_ok(const cctsa_net_corep_ts_req *m, cctsa_err code, cctsa_diag *diag)
{
	const cctsa_tsp_req *r = &m->req;
	size_t hl = cctsa_tsp_hash_len(r->hash);

	if (m->flavor != CCTSA_NET_FLAVOR_HYBRID && m->flavor != CCTSA_NET_FLAVOR_PQ) {
		return cctsa_fail(diag, code == CCTSA_E_USAGE ? code : CCTSA_E_UNSUPPORTED,
				  "corep TS_REQ: flavor %u unknown", m->flavor);
	}
	if (hl == 0) {
		return cctsa_fail(diag, code == CCTSA_E_USAGE ? code : CCTSA_E_UNSUPPORTED,
				  "corep TS_REQ: hash %u unknown", (unsigned)r->hash);
	}
	if (r->hash_null_params != 0 && r->hash_null_params != 1) {
		return cctsa_fail(diag, code, "corep TS_REQ: hash_null_params not 0/1");
	}
	if (r->imprint_len != hl) {
		return cctsa_fail(diag, code, "corep TS_REQ: imprint %zu bytes, %s needs %zu",
				  r->imprint_len, cctsa_tsp_hash_name(r->hash), hl);
	}
	if (r->policy_len > CCTSA_TSP_OID_MAX ||
	    (r->policy_len > 0 && cctsa_der_check_oid(r->policy, r->policy_len, NULL) != CCTSA_OK)) {
		return cctsa_fail(diag, code, "corep TS_REQ: bad policy OID (%zu bytes)", r->policy_len);
	}
	if (r->nonce_len > CCTSA_TSP_NONCE_MAX ||
	    (r->nonce_len > 0 && cctsa_der_check_int(r->nonce, r->nonce_len, NULL) != CCTSA_OK)) {
		return cctsa_fail(diag, code, "corep TS_REQ: bad nonce (%zu bytes)", r->nonce_len);
	}
	if (r->cert_req != 0 && r->cert_req != 1) {
		return cctsa_fail(diag, code, "corep TS_REQ: cert_req not 0/1");
	}
	return CCTSA_OK;
}

cctsa_err cctsa_net_corep_ts_req_encode(cctsa_buf *out, const cctsa_net_corep_ts_req *m, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	const cctsa_tsp_req *r = &m->req;
	uint8_t mem[CCTSA_NET_COREP_TS_REQ_MAX];
	cctsa_buf p;

	cctsa_buf_init_fixed(&p, mem, sizeof(mem));
	CCTSA_TRY(ts_req_fields_ok(m, CCTSA_E_USAGE, diag));
	CCTSA_TRY(cctsa_buf_put_u64be(&p, m->id));
	CCTSA_TRY(cctsa_buf_put_u8(&p, m->flavor));
	CCTSA_TRY(cctsa_buf_put_u8(&p, (uint8_t)r->hash));
	CCTSA_TRY(cctsa_buf_put_u8(&p, (uint8_t)r->hash_null_params));
	CCTSA_TRY(cctsa_buf_put_u8(&p, (uint8_t)r->imprint_len));
	CCTSA_TRY(cctsa_buf_put(&p, r->imprint, r->imprint_len));
	CCTSA_TRY(cctsa_buf_put_u8(&p, (uint8_t)r->policy_len));
	CCTSA_TRY(cctsa_buf_put(&p, r->policy, r->policy_len));
	CCTSA_TRY(cctsa_buf_put_u8(&p, (uint8_t)r->nonce_len));
	CCTSA_TRY(cctsa_buf_put(&p, r->nonce, r->nonce_len));
	CCTSA_TRY(cctsa_buf_put_u8(&p, (uint8_t)r->cert_req));
	CCTSA_TRY(cctsa_net_frame_write(out, &cctsa_net_corep_rules, CCTSA_NET_COREP_TS_REQ, p.data,
					p.len, diag));
out:
	cctsa_buf_free(&p);
	return err;
}

static cctsa_err get_len8_bytes(cctsa_cursor *c, uint8_t *dst, size_t cap, size_t *len)
{
	uint8_t l = 0;

	if (cctsa_cursor_get_u8(c, &l) != CCTSA_OK || l > cap) {
		return CCTSA_E_MALFORMED;
	}
	*len = l;
	return cctsa_cursor_get_bytes(c, dst, l);
}

cctsa_err cctsa_net_corep_ts_req_decode(cctsa_net_corep_ts_req *out, const uint8_t *p, size_t len,
					cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_tsp_req *r = &out->req;
	cctsa_cursor c;
	uint8_t h = 0, np = 0, cr = 0;

	memset(out, 0, sizeof(*out));
	cctsa_cursor_init(&c, p, len);
	if (cctsa_cursor_get_u64be(&c, &out->id) != CCTSA_OK || cctsa_cursor_get_u8(&c, &out->flavor) != CCTSA_OK ||
	    cctsa_cursor_get_u8(&c, &h) != CCTSA_OK || cctsa_cursor_get_u8(&c, &np) != CCTSA_OK ||
	    get_len8_bytes(&c, r->imprint, CCTSA_TSP_IMPRINT_MAX, &r->imprint_len) != CCTSA_OK ||
	    get_len8_bytes(&c, r->policy, CCTSA_TSP_OID_MAX, &r->policy_len) != CCTSA_OK ||
	    get_len8_bytes(&c, r->nonce, CCTSA_TSP_NONCE_MAX, &r->nonce_len) != CCTSA_OK ||
	    cctsa_cursor_get_u8(&c, &cr) != CCTSA_OK) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "corep TS_REQ: truncated or field too long");
		goto out;
	}
	if (cctsa_cursor_finish(&c) != CCTSA_OK) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "corep TS_REQ: %zu trailing bytes",
				 cctsa_cursor_left(&c));
		goto out;
	}
	r->hash = (cctsa_tsp_hash)h;
	r->hash_null_params = np;
	r->cert_req = cr;
	CCTSA_TRY(ts_req_fields_ok(out, CCTSA_E_MALFORMED, diag));
out:
	if (err != CCTSA_OK) {
		memset(out, 0, sizeof(*out));
	}
	return err;
}

/* Field rules shared by the TS_RESP encoder and decoder. */
static cctsa_err ts_resp_fields_ok(const cctsa_net_corep_ts_resp *m, cctsa_err code, cctsa_diag *diag)
{
	int granted = m->status == CCTSA_TSP_STATUS_GRANTED ||
		      m->status == CCTSA_TSP_STATUS_GRANTED_WITH_MODS;

	if (m->status > 5) {
		return cctsa_fail(diag, code, "corep TS_RESP: status %u unknown", m->status);
	}
	if (granted && (m->fail_bit != CCTSA_NET_FAIL_NONE || m->token_len == 0)) {
		return cctsa_fail(diag, code, "corep TS_RESP: granted needs a token and no failInfo");
	}
	if (!granted && (m->token_len != 0 ||
			 (m->fail_bit != CCTSA_NET_FAIL_NONE && m->fail_bit > CCTSA_TSP_FAIL_SYSTEM_FAILURE))) {
		return cctsa_fail(diag, code, "corep TS_RESP: status %u with a token or failInfo bit %u",
				  m->status, m->fail_bit);
	}
	if (m->text_len > UINT16_MAX || !net_utf8_ok((const uint8_t *)m->text, m->text_len)) {
		return cctsa_fail(diag, code, "corep TS_RESP: status text not UTF-8 or too long");
	}
	if (m->token_len > CCTSA_NET_COREP_TS_RESP_MAX || 16 + m->text_len + m->token_len > CCTSA_NET_COREP_TS_RESP_MAX) {
		return cctsa_fail(diag, code, "corep TS_RESP: %zu-byte token too large", m->token_len);
	}
	return CCTSA_OK;
}

cctsa_err cctsa_net_corep_ts_resp_encode(cctsa_buf *out, const cctsa_net_corep_ts_resp *m,
					 cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_buf p;

	cctsa_buf_init(&p, CCTSA_NET_COREP_TS_RESP_MAX);
	if (m->text_len > UINT16_MAX) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "corep TS_RESP: status text too long");
	}
	CCTSA_TRY(ts_resp_fields_ok(m, CCTSA_E_USAGE, diag));
	CCTSA_TRY(cctsa_buf_put_u64be(&p, m->id));
	CCTSA_TRY(cctsa_buf_put_u8(&p, m->status));
	CCTSA_TRY(cctsa_buf_put_u8(&p, m->fail_bit));
	CCTSA_TRY(cctsa_buf_put_u16be(&p, (uint16_t)m->text_len));
	if (m->text_len > 0) {
		CCTSA_TRY(cctsa_buf_put(&p, m->text, m->text_len));
	}
	CCTSA_TRY(cctsa_buf_put_u32be(&p, (uint32_t)m->token_len));
	if (m->token_len > 0) {
		CCTSA_TRY(cctsa_buf_put(&p, m->token, m->token_len));
	}
	CCTSA_TRY(cctsa_net_frame_write(out, &cctsa_net_corep_rules, CCTSA_NET_COREP_TS_RESP, p.data,
					p.len, diag));
out:
	cctsa_buf_free(&p);
	return err;
}

cctsa_err cctsa_net_corep_ts_resp_decode(cctsa_net_corep_ts_resp *out, const uint8_t *p, size_t len,
					 cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_cursor c;
	uint16_t tl = 0;
	uint32_t kl = 0;
	const uint8_t *text = NULL;

	memset(out, 0, sizeof(*out));
	cctsa_cursor_init(&c, p, len);
	if (cctsa_cursor_get_u64be(&c, &out->id) != CCTSA_OK || cctsa_cursor_get_u8(&c, &out->status) != CCTSA_OK ||
	    cctsa_cursor_get_u8(&c, &out->fail_bit) != CCTSA_OK || cctsa_cursor_get_u16be(&c, &tl) != CCTSA_OK ||
	    cctsa_cursor_get_view(&c, &text, tl) != CCTSA_OK || cctsa_cursor_get_u32be(&c, &kl) != CCTSA_OK ||
	    cctsa_cursor_get_view(&c, &out->token, kl) != CCTSA_OK) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "corep TS_RESP: truncated");
		goto out;
	}
	if (cctsa_cursor_finish(&c) != CCTSA_OK) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "corep TS_RESP: %zu trailing bytes",
				 cctsa_cursor_left(&c));
		goto out;
	}
	out->text = tl > 0 ? (const char *)text : NULL;
	out->text_len = tl;
	out->token = kl > 0 ? out->token : NULL;
	out->token_len = kl;
	CCTSA_TRY(ts_resp_fields_ok(out, CCTSA_E_MALFORMED, diag));
out:
	if (err != CCTSA_OK) {
		memset(out, 0, sizeof(*out));
	}
	return err;
}

cctsa_err cctsa_net_corep_info_req_encode(cctsa_buf *out, const cctsa_net_corep_info_req *m,
					  cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	uint8_t mem[CCTSA_NET_COREP_INFO_REQ_LEN];
	cctsa_buf p;

	cctsa_buf_init_fixed(&p, mem, sizeof(mem));
	if (m->what < CCTSA_NET_INFO_HEALTH || m->what > CCTSA_NET_INFO_CERTS) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "corep INFO_REQ: what %u unknown", m->what);
	}
	CCTSA_TRY(cctsa_buf_put_u64be(&p, m->id));
	CCTSA_TRY(cctsa_buf_put_u8(&p, m->what));
	CCTSA_TRY(cctsa_net_frame_write(out, &cctsa_net_corep_rules, CCTSA_NET_COREP_INFO_REQ, p.data,
					p.len, diag));
out:
	cctsa_buf_free(&p);
	return err;
}

cctsa_err cctsa_net_corep_info_req_decode(cctsa_net_corep_info_req *out, const uint8_t *p, size_t len,
					  cctsa_diag *diag)
{
	cctsa_cursor c;

	memset(out, 0, sizeof(*out));
	cctsa_cursor_init(&c, p, len);
	if (cctsa_cursor_get_u64be(&c, &out->id) != CCTSA_OK || cctsa_cursor_get_u8(&c, &out->what) != CCTSA_OK ||
	    cctsa_cursor_finish(&c) != CCTSA_OK) {
		memset(out, 0, sizeof(*out));
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "corep INFO_REQ: %zu bytes, must be 9", len);
	}
	if (out->what < CCTSA_NET_INFO_HEALTH || out->what > CCTSA_NET_INFO_CERTS) {
		uint8_t w = out->what;

		memset(out, 0, sizeof(*out));
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "corep INFO_REQ: what %u unknown", w);
	}
	return CCTSA_OK;
}

cctsa_err cctsa_net_corep_info_resp_encode(cctsa_buf *out, const cctsa_net_corep_info_resp *m,
					   cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	uint8_t hdr[13];
	cctsa_buf p;

	cctsa_buf_init_fixed(&p, hdr, sizeof(hdr));
	if (m->status > 1 || m->body_len > CCTSA_NET_COREP_INFO_RESP_MAX - sizeof(hdr)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "corep INFO_RESP: status %u / %zu-byte body",
				  m->status, m->body_len);
	}
	CCTSA_TRY(cctsa_buf_put_u64be(&p, m->id));
	CCTSA_TRY(cctsa_buf_put_u8(&p, m->status));
	CCTSA_TRY(cctsa_buf_put_u32be(&p, (uint32_t)m->body_len));
	/* Header by hand so the body is copied once. */
	CCTSA_TRY(cctsa_buf_put_u8(out, CCTSA_NET_FRAME_VERSION));
	CCTSA_TRY(cctsa_buf_put_u8(out, CCTSA_NET_COREP_INFO_RESP));
	CCTSA_TRY(cctsa_buf_put_u32be(out, (uint32_t)(sizeof(hdr) + m->body_len)));
	CCTSA_TRY(cctsa_buf_put(out, p.data, p.len));
	if (m->body_len > 0) {
		CCTSA_TRY(cctsa_buf_put(out, m->body, m->body_len));
	}
out:
	cctsa_buf_free(&p);
	if (err != CCTSA_OK) {
		(void)cctsa_fail(diag, err, "corep INFO_RESP: cannot write");
	}
	return err;
}

cctsa_err cctsa_net_corep_info_resp_decode(cctsa_net_corep_info_resp *out, const uint8_t *p, size_t len,
					   cctsa_diag *diag)
{
	cctsa_cursor c;
	uint32_t bl = 0;

	memset(out, 0, sizeof(*out));
	cctsa_cursor_init(&c, p, len);
	if (cctsa_cursor_get_u64be(&c, &out->id) != CCTSA_OK || cctsa_cursor_get_u8(&c, &out->status) != CCTSA_OK ||
	    cctsa_cursor_get_u32be(&c, &bl) != CCTSA_OK || cctsa_cursor_get_view(&c, &out->body, bl) != CCTSA_OK ||
	    cctsa_cursor_finish(&c) != CCTSA_OK) {
		memset(out, 0, sizeof(*out));
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "corep INFO_RESP: truncated or trailing bytes");
	}
	if (out->status > 1) {
		uint8_t s = out->status;

		memset(out, 0, sizeof(*out));
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "corep INFO_RESP: status %u unknown", s);
	}
	out->body_len = bl;
	out->body = bl > 0 ? out->body : NULL;
	return CCTSA_OK;
}
