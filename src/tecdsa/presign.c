/*
 * Presigning (spec §4): two message-independent rounds among a signing set S of
 * three, producing R and this party's (u, v, phi). Ordering of checks follows
 * §4 and the §7.2 taxonomy: sid/header/decoding, echo and commitment mismatches
 * abort; FAIL_KOS, FAIL_RVOLE and failed Gamma checks ban the sender, whose own
 * authenticated message is the evidence.
 */
#include <string.h>

#include "tecdsa/tecdsa_int.h"

#define M1_HDR 36

cctsa_err tec_rvole_sid(tec_ctx *c, uint8_t out[32], const uint8_t sid[32], uint8_t a, uint8_t b)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tec_h_begin(c, "rvole-sid"));
	CCTSA_TRY(tec_h_field(c, sid, 32));
	CCTSA_TRY(tec_h_u8(c, a));
	CCTSA_TRY(tec_h_u8(c, b));
	CCTSA_TRY(tec_h_end32(c, out));
out:
	return err;
}

static int in_set(const uint8_t set[3], uint8_t j)
{
	return j != 0 && (set[0] == j || set[1] == j || set[2] == j);
}

static cctsa_err sort_set(uint8_t out[3], const uint8_t set[3])
{
	memcpy(out, set, 3);
	for (int a = 0; a < 3; a++) {
		for (int b = a + 1; b < 3; b++) {
			if (out[b] < out[a]) {
				uint8_t t = out[a];
				out[a] = out[b];
				out[b] = t;
			}
		}
	}
	if (out[0] < 1 || out[2] > TEC_N || out[0] == out[1] || out[1] == out[2]) {
		return CCTSA_E_USAGE;
	}
	return CCTSA_OK;
}

/* sk_i = lambda_i^S * x_i + zeta_i. */
static cctsa_err additive_share(cctsa_tecdsa_party *p, cctsa_tecdsa_presign *s)
{
	tec_sc lam, num, t, z;
	cctsa_err err = CCTSA_OK;

	tec_sc_set_u64(&lam, 1);
	memset(&z, 0, sizeof(z));
	for (int a = 0; a < 3; a++) {
		uint8_t j = s->set[a];

		if (j == p->me) {
			continue;
		}
		tec_sc_set_u64(&num, j);
		tec_sc_set_u64(&t, (uint64_t)(j > p->me ? j - p->me : p->me - j));
		if (j < p->me) {
			tec_sc_neg(&t, &t);
		}
		tec_sc_inv(&t, &t);
		tec_sc_mul(&t, &t, &num);
		tec_sc_mul(&lam, &lam, &t);
		CCTSA_TRY(tec_h_begin(&p->c, "zero-share"));
		CCTSA_TRY(tec_h_field(&p->c, p->seed[j], 32));
		CCTSA_TRY(tec_h_field(&p->c, s->sid, 32));
		CCTSA_TRY(tec_h_end_sc(&p->c, &t));
		if (p->me < j) {
			tec_sc_add(&z, &z, &t);
		} else {
			tec_sc_sub(&z, &z, &t);
		}
	}
	tec_sc_mul(&s->sk, &lam, &p->x);
	tec_sc_add(&s->sk, &s->sk, &z);
out:
	cctsa_wipe(&z, sizeof(z));
	cctsa_wipe(&t, sizeof(t));
	return err;
}

static cctsa_err replay_add(cctsa_tecdsa_party *p, const uint8_t pid[32])
{
	for (size_t i = 0; i < p->nreplay; i++) {
		if (cctsa_memcmp_var(p->replay[i].p, pid, 32) == 0) {
			return CCTSA_E_STATE;
		}
	}
	if (p->nreplay == p->capreplay) {
		size_t cap = p->capreplay ? 2 * p->capreplay : 64;
		tec_pid *n = cctsa_mem_realloc(p->replay, cap * sizeof(tec_pid));

		if (n == NULL) {
			return CCTSA_E_RESOURCE;
		}
		p->replay = n;
		p->capreplay = cap;
	}
	memcpy(p->replay[p->nreplay++].p, pid, 32);
	return CCTSA_OK;
}

static cctsa_err presign_setup(cctsa_tecdsa_party *p, cctsa_tecdsa_presign *s)
{
	EC_POINT *pt = tec_pt_new(&p->c);
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(pt != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_h_begin(&p->c, "presign-sid"));
	CCTSA_TRY(tec_h_field(&p->c, p->key_id, 32));
	CCTSA_TRY(tec_h_field(&p->c, s->pid, 32));
	for (int a = 0; a < 3; a++) {
		CCTSA_TRY(tec_h_u8(&p->c, s->set[a]));
	}
	CCTSA_TRY(tec_h_end32(&p->c, s->sid));
	CCTSA_TRY(additive_share(p, s));
	CCTSA_TRY(tec_mul_g(&p->c, pt, &s->sk));
	CCTSA_TRY(tec_pt_encode(&p->c, s->pk, pt));
	CCTSA_TRY(tec_sc_rand(&s->k));
	CCTSA_TRY(tec_sc_rand(&s->phi));
	CCTSA_TRY(cctsa_rand_bytes(s->salt, 32));
	CCTSA_TRY(tec_mul_g(&p->c, pt, &s->k));
	CCTSA_TRY(tec_pt_encode(&p->c, s->r, pt));
	CCTSA_TRY(tec_h_begin(&p->c, "com"));
	CCTSA_TRY(tec_h_field(&p->c, s->sid, 32));
	CCTSA_TRY(tec_h_u8(&p->c, p->me));
	CCTSA_TRY(tec_h_field(&p->c, s->r, TEC_PT));
	CCTSA_TRY(tec_h_field(&p->c, s->salt, 32));
	CCTSA_TRY(tec_h_end(&p->c, s->com));
out:
	tec_pt_free(pt);
	return err;
}

cctsa_err cctsa_tecdsa_presign_new(cctsa_tecdsa_presign **out, cctsa_tecdsa_party *p, const uint8_t pid[32],
				   const uint8_t set[3], cctsa_diag *diag)
{
	cctsa_tecdsa_presign *s = NULL;
	uint8_t ss[3];
	cctsa_err err = CCTSA_OK;

	*out = NULL;
	if (!p->have_key) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: no key");
	}
	if (sort_set(ss, set) != CCTSA_OK || !in_set(ss, p->me)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "tecdsa: signing set must be 3 distinct parties including %u",
				  p->me);
	}
	for (int a = 0; a < 3; a++) {
		if (cctsa_tecdsa_is_banned(p, ss[a])) {
			return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: party %u is banned", ss[a]);
		}
	}
	if (replay_add(p, pid) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: presignature ID seen before");
	}
	s = cctsa_secret_alloc(sizeof(*s));
	CCTSA_ENSURE(s != NULL, CCTSA_E_RESOURCE);
	s->p = p;
	s->epoch = p->ban_epoch;
	memcpy(s->pid, pid, 32);
	memcpy(s->set, ss, 3);
	CCTSA_TRY(presign_setup(p, s));
	*out = s;
	s = NULL;
out:
	cctsa_secret_free(s);
	return err;
}

void cctsa_tecdsa_presign_free(cctsa_tecdsa_presign *s)
{
	cctsa_secret_free(s);
}

/* A session stays usable only while no member of S has been banned since it began. */
static cctsa_err live(cctsa_tecdsa_presign *s, cctsa_tecdsa_fault *fault)
{
	if (s->failed || s->done) {
		return CCTSA_E_STATE;
	}
	for (int a = 0; a < 3; a++) {
		if (cctsa_tecdsa_is_banned(s->p, s->set[a])) {
			s->failed = 1;
			tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_BANNED, s->set[a]);
			return CCTSA_E_STATE;
		}
	}
	return CCTSA_OK;
}

static cctsa_err put_hdr(cctsa_buf *b, uint8_t type, const uint8_t sid[32], uint8_t from, uint8_t to)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_buf_put_u8(b, TEC_VERSION));
	CCTSA_TRY(cctsa_buf_put_u8(b, type));
	CCTSA_TRY(cctsa_buf_put(b, sid, 32));
	CCTSA_TRY(cctsa_buf_put_u8(b, from));
	CCTSA_TRY(cctsa_buf_put_u8(b, to));
out:
	return err;
}

cctsa_err cctsa_tecdsa_presign_msg1(cctsa_tecdsa_presign *s, uint8_t to, cctsa_buf *out)
{
	cctsa_tecdsa_party *p = s->p;
	uint8_t sid_ab[32];
	uint8_t *bm = NULL;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(live(s, NULL));
	CCTSA_ENSURE(to != p->me && in_set(s->set, to) && ((s->sent1 >> to) & 1u) == 0, CCTSA_E_STATE);
	bm = cctsa_mem_alloc(TEC_BOBMSG_LEN);
	CCTSA_ENSURE(bm != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(tec_rvole_sid(&p->c, sid_ab, s->sid, to, p->me));
	CCTSA_TRY(tec_kos_bob(&p->c, &s->peer[to].bob, bm, p->ot_b[to], sid_ab, p->gad_b[to], s->kos_tamper));
	CCTSA_TRY(put_hdr(out, TEC_MSG_M1, s->sid, p->me, to));
	CCTSA_TRY(cctsa_buf_put(out, s->com, TEC_H));
	CCTSA_TRY(cctsa_buf_put(out, bm, TEC_BOBMSG_LEN));
	s->sent1 |= 1u << to;
out:
	cctsa_mem_free(bm);
	return err;
}

/* Header: version, type, length, then sid before anything cryptographic (TOB-SILA-8/9). */
cctsa_err tec_ps_hdr(cctsa_tecdsa_presign *s, cctsa_cursor *cur, uint8_t type, size_t len, uint8_t *from,
			cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	const uint8_t *sid;
	uint8_t to = 0;
	cctsa_err err;

	err = tec_hdr_check(cur, type, len, diag);
	if (err != CCTSA_OK) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_DECODE, 0);
		return err;
	}
	if (cctsa_cursor_get_view(cur, &sid, 32) != CCTSA_OK || cctsa_cursor_get_u8(cur, from) != CCTSA_OK ||
	    cctsa_cursor_get_u8(cur, &to) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	if (cctsa_memcmp_var(sid, s->sid, 32) != 0 || to != s->p->me || *from == s->p->me ||
	    !in_set(s->set, *from)) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_SESSION, 0);
		return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: message for another session or party");
	}
	return CCTSA_OK;
}

cctsa_err cctsa_tecdsa_presign_recv1(cctsa_tecdsa_presign *s, const uint8_t *msg, size_t len,
				     cctsa_tecdsa_fault *fault, cctsa_diag *diag)
{
	cctsa_cursor cur;
	uint8_t from = 0;
	cctsa_err err = CCTSA_OK;

	tec_fault(fault, CCTSA_TECDSA_NONE, CCTSA_TECDSA_EV_NONE, 0);
	CCTSA_TRY(live(s, fault));
	cctsa_cursor_init(&cur, msg, len);
	CCTSA_TRY(tec_ps_hdr(s, &cur, TEC_MSG_M1, CCTSA_TECDSA_M1_LEN, &from, fault, diag));
	if ((s->got1 >> from) & 1u) {
		tec_fault(fault, CCTSA_TECDSA_ABORT, CCTSA_TECDSA_EV_SESSION, from);
		return cctsa_fail(diag, CCTSA_E_STATE, "tecdsa: duplicate M1 from %u", from);
	}
	CCTSA_TRY(cctsa_cursor_get_bytes(&cur, s->peer[from].com, TEC_H));
	CCTSA_TRY(cctsa_cursor_get_bytes(&cur, s->peer[from].bobmsg, TEC_BOBMSG_LEN));
	CCTSA_TRY(cctsa_cursor_finish(&cur));
	s->got1 |= 1u << from;
out:
	return err;
}
