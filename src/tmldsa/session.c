/*
 * Public per-attempt state shared by the signers and the combiner: session id,
 * mu, and the commitment / W / Z frames of the members of act, each checked on
 * arrival (spec §3.2, §3.3 step 1).
 */
#include <string.h>

#include "base/ct.h"
#include "tmldsa/tmldsa_int.h"

static const char ssid_domain[] = "CCTSA-TMLDSA-SIGN-SSID-V1";

void tm_mu(uint8_t mu[64], const uint8_t tr[64], const cctsa_tmldsa_session *p)
{
	uint8_t pre[2] = {0, (uint8_t)p->ctx_len};
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, tr, 64);
	cctsa_keccak_absorb(&k, pre, 2);
	cctsa_keccak_absorb(&k, p->ctx, p->ctx_len);
	cctsa_keccak_absorb(&k, p->msg, p->msg_len);
	cctsa_shake_squeeze(&k, mu, 64);
}

void tm_cmt(uint8_t out[32], const uint8_t tr[64], unsigned id, const uint8_t *w)
{
	uint8_t b = (uint8_t)id;
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, tr, 64);
	cctsa_keccak_absorb(&k, &b, 1);
	cctsa_keccak_absorb(&k, w, TM_W_LEN);
	cctsa_shake_squeeze(&k, out, 32);
}

static cctsa_err session_check(const cctsa_tmldsa_session *p)
{
	if (!tm_act_valid(p->act) || p->ctx_len > CCTSA_TMLDSA_MAX_CTX ||
	    (p->ctx == NULL && p->ctx_len != 0) || (p->msg == NULL && p->msg_len != 0)) {
		return CCTSA_E_USAGE;
	}
	return CCTSA_OK;
}

static void ssid_from(uint8_t ssid[32], const uint8_t tr[64], const uint8_t mu[64],
		      const cctsa_tmldsa_session *p)
{
	uint8_t act = (uint8_t)p->act;
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, (const uint8_t *)ssid_domain, sizeof(ssid_domain) - 1);
	cctsa_keccak_absorb(&k, tr, 64);
	cctsa_keccak_absorb(&k, mu, 64);
	cctsa_keccak_absorb(&k, &act, 1);
	cctsa_keccak_absorb(&k, p->nonce, CCTSA_TMLDSA_NONCE_LEN);
	cctsa_shake_squeeze(&k, ssid, 32);
}

cctsa_err cctsa_tmldsa_session_id(uint8_t ssid[static CCTSA_TMLDSA_SSID_LEN],
				  const uint8_t pk[static CCTSA_TMLDSA_PK_LEN],
				  const cctsa_tmldsa_session *s)
{
	uint8_t tr[64], mu[64];

	if (session_check(s) != CCTSA_OK) {
		return CCTSA_E_USAGE;
	}
	cctsa_shake256(tr, 64, pk, CCTSA_TMLDSA_PK_LEN);
	tm_mu(mu, tr, s);
	ssid_from(ssid, tr, mu, s);
	return CCTSA_OK;
}

cctsa_err tm_sess_init(tm_sess *s, const uint8_t pk[CCTSA_TMLDSA_PK_LEN],
		       const cctsa_tmldsa_session *p, cctsa_diag *diag)
{
	memset(s, 0, sizeof(*s));
	if (session_check(p) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_USAGE,
				  "tmldsa: session needs 3 of 5 signers and a context of <= 255 bytes");
	}
	s->act = p->act;
	cctsa_shake256(s->tr, 64, pk, CCTSA_TMLDSA_PK_LEN);
	tm_mu(s->mu, s->tr, p);
	ssid_from(s->ssid, s->tr, s->mu, p);
	return CCTSA_OK;
}

void tm_sess_clear(tm_sess *s)
{
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		cctsa_mem_free(s->w[u]);
		cctsa_mem_free(s->z[u]);
	}
	memset(s, 0, sizeof(*s));
}

static cctsa_err recv_w(tm_sess *s, const cctsa_tmldsa_frame *f, cctsa_diag *diag)
{
	uint8_t c[32];
	unsigned u = f->sender;

	if (!(s->have_cmt & (1u << u))) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: W from party %u before its commitment", u);
	}
	tm_cmt(c, s->tr, u, f->payload);
	if (cctsa_memcmp_var(c, s->cmt[u], 32) != 0) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "tmldsa: wrong commitment from party %u", u);
	}
	s->w[u] = cctsa_mem_dup(f->payload, TM_W_LEN);
	if (s->w[u] == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: out of memory");
	}
	s->have_w |= 1u << u;
	return CCTSA_OK;
}

static cctsa_err recv_z(tm_sess *s, const cctsa_tmldsa_frame *f, cctsa_diag *diag)
{
	unsigned u = f->sender;
	cctsa_cursor c;

	if (!(s->have_w & (1u << u))) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: Z from party %u before its W", u);
	}
	cctsa_cursor_init(&c, f->payload, TM_ZMAP_LEN);
	if (cctsa_cursor_get_u64le(&c, &s->zmap[u]) != CCTSA_OK) {
		return CCTSA_E_INTERNAL;
	}
	s->z[u] = cctsa_mem_dup(f->payload + TM_ZMAP_LEN, TM_Z_LEN);
	if (s->z[u] == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: out of memory");
	}
	s->have_z |= 1u << u;
	return CCTSA_OK;
}

static cctsa_err sess_recv(tm_sess *s, const uint8_t *frame, size_t len, int allow_z, unsigned self,
			   cctsa_diag *diag)
{
	cctsa_tmldsa_frame f;
	cctsa_err err;
	unsigned bit;

	if ((err = cctsa_tmldsa_frame_decode(&f, frame, len, s->ssid, diag)) != CCTSA_OK) {
		return err;
	}
	bit = 1u << f.sender;
	if (!(s->act & bit) || f.sender == self) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: frame from party %u not expected here",
				  f.sender);
	}
	switch (f.type) {
	case CCTSA_TMLDSA_MSG_SIGN_CMT:
		if (s->have_cmt & bit) {
			return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: duplicate commitment from %u",
					  f.sender);
		}
		memcpy(s->cmt[f.sender], f.payload, 32);
		s->have_cmt |= bit;
		return CCTSA_OK;
	case CCTSA_TMLDSA_MSG_SIGN_W:
		if (s->have_w & bit) {
			return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: duplicate W from %u", f.sender);
		}
		return recv_w(s, &f, diag);
	case CCTSA_TMLDSA_MSG_SIGN_Z:
		if (!allow_z || (s->have_z & bit)) {
			return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: unexpected Z from %u", f.sender);
		}
		return recv_z(s, &f, diag);
	default:
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: frame type %u in a signing session",
				  f.type);
	}
}

cctsa_err tm_sess_recv(tm_sess *s, const uint8_t *frame, size_t len, int allow_z, unsigned self,
		       cctsa_diag *diag)
{
	cctsa_err err;

	if (s->aborted) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: attempt aborted after a bad frame");
	}
	err = sess_recv(s, frame, len, allow_z, self, diag);
	/* Any bad frame of this session kills the attempt; other sessions' frames,
	 * duplicates and out-of-order frames (CCTSA_E_STATE) do not. */
	if (err == CCTSA_E_MALFORMED || err == CCTSA_E_UNSUPPORTED || err == CCTSA_E_VERIFY) {
		s->aborted = 1;
	}
	return err;
}

void tm_sess_aggregate(tm_poly w[TM_KR], const tm_sess *s, unsigned rep)
{
	tm_poly t;

	memset(w, 0, sizeof(tm_poly) * TM_KR);
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		if (!(s->act & (1u << u))) {
			continue;
		}
		for (unsigned p = 0; p < TM_KR; p++) {
			tm_unpack23(&t, s->w[u] + (size_t)rep * TM_W_REP + (size_t)p * 736);
			for (unsigned i = 0; i < TM_NC; i++) {
				int32_t v = w[p].c[i] + t.c[i];
				w[p].c[i] = v >= TM_Q ? v - TM_Q : v;
			}
		}
	}
}
