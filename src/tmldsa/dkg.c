/*
 * Distributed key generation without a dealer (spec §2.4, [P] App. D), one party.
 *
 *   new:    K_S for the subsets it leads (private frames), c_i = H_commit(r_i)
 *   next 2: r_i                 (after every c_j and every peer's K_S frame)
 *   next 3: c_S^pk for led S    (after every r_j, each checked against c_j)
 *   next 4: t_S for led S, signature over the transcript (after every c_S^pk)
 *   finish: (after every peer's t_S, each checked against c_S^pk, against the own
 *           recomputation when a member, and its transcript signature)
 *
 * Frames of round r are accepted once this party has sent its own round-r frame
 * (the cluster delivers round by round). Hash strings are those of spec §2.4.
 */
#include <string.h>

#include "base/ct.h"
#include "tmldsa/tmldsa_int.h"

#define ALL_PEERS(id) (31u & ~(1u << (id)))

struct cctsa_tmldsa_dkg {
	uint8_t id;
	unsigned round; /* last round whose own frame was sent (1..4), 5 = finished */
	unsigned aborted; /* a check failed: the DKG is dead */
	uint8_t ssid[32];
	const cctsa_tmldsa_dkg_auth *auth;
	uint8_t r[CCTSA_TMLDSA_N][32], c[CCTSA_TMLDSA_N][32];
	unsigned have_c, have_keys, have_r, have_pkc, have_pk;
	uint8_t ks[TM_SUBSETS][32]; /* K_S for subsets containing id */
	uint8_t cpk[TM_SUBSETS][32];
	uint8_t transcript[32];
	uint8_t rho[32];
	tm_secret sec[TM_SUBSETS]; /* s_S for subsets containing id */
	tm_poly ts[TM_SUBSETS][TM_KR];
	tm_matrix a;
};

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
	}
}

static void absorb_str(cctsa_keccak *k, const char *s)
{
	cctsa_keccak_absorb(k, (const uint8_t *)s, strlen(s));
}

static void absorb_le32(cctsa_keccak *k, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	cctsa_keccak_absorb(k, b, 4);
}

static void absorb_le16(cctsa_keccak *k, unsigned v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	cctsa_keccak_absorb(k, b, 2);
}

static void dkg_ssid(uint8_t out[32], const uint8_t nonce[32])
{
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	absorb_str(&k, "THRESHOLD_DKG_SSID_V1");
	absorb_le32(&k, CCTSA_TMLDSA_T);
	absorb_le32(&k, CCTSA_TMLDSA_N);
	absorb_le32(&k, CCTSA_TMLDSA_N);
	for (unsigned i = 0; i < CCTSA_TMLDSA_N; i++) {
		absorb_le32(&k, i);
	}
	cctsa_keccak_absorb(&k, nonce, 32);
	cctsa_shake_squeeze(&k, out, 32);
}

static void h_commit(uint8_t out[32], const uint8_t ssid[32], unsigned id, const uint8_t r[32])
{
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	absorb_str(&k, "THRESHOLD_DKG_COMMIT_V1");
	cctsa_keccak_absorb(&k, ssid, 32);
	absorb_le32(&k, id);
	cctsa_keccak_absorb(&k, r, 32);
	cctsa_shake_squeeze(&k, out, 32);
}

static void ts_bytes(uint8_t out[TM_TS_LEN], const tm_poly t[TM_KR])
{
	for (unsigned p = 0; p < TM_KR; p++) {
		for (unsigned i = 0; i < TM_NC; i++) {
			put_le32(out + 4 * (p * TM_NC + i), (uint32_t)t[p].c[i]);
		}
	}
}

static void h_pkcommit(uint8_t out[32], const uint8_t ssid[32], unsigned mask, const tm_poly t[TM_KR])
{
	uint8_t buf[TM_TS_LEN];
	cctsa_keccak k;

	ts_bytes(buf, t);
	cctsa_shake256_init(&k);
	absorb_str(&k, "THRESHOLD_DKG_PK_COMMIT_V1");
	cctsa_keccak_absorb(&k, ssid, 32);
	absorb_le32(&k, tm_leader(mask));
	absorb_le16(&k, mask);
	cctsa_keccak_absorb(&k, buf, sizeof(buf));
	cctsa_shake_squeeze(&k, out, 32);
}

static void dkg_transcript(cctsa_tmldsa_dkg *d)
{
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	absorb_str(&k, "THRESHOLD_DKG_TRANSCRIPT_V1");
	cctsa_keccak_absorb(&k, d->ssid, 32);
	for (unsigned i = 0; i < CCTSA_TMLDSA_N; i++) {
		absorb_le32(&k, i);
		cctsa_keccak_absorb(&k, d->c[i], 32);
	}
	for (unsigned i = 0; i < CCTSA_TMLDSA_N; i++) {
		absorb_le32(&k, i);
		cctsa_keccak_absorb(&k, d->r[i], 32);
	}
	for (unsigned s = 0; s < TM_SUBSETS; s++) {
		absorb_le16(&k, cctsa_tmldsa_subset_mask(s));
		cctsa_keccak_absorb(&k, d->cpk[s], 32);
	}
	cctsa_shake_squeeze(&k, d->transcript, 32);
}

static int holds(const cctsa_tmldsa_dkg *d, unsigned s)
{
	return (cctsa_tmldsa_subset_mask(s) >> d->id) & 1u;
}

static int leads(const cctsa_tmldsa_dkg *d, unsigned s)
{
	return tm_leader(cctsa_tmldsa_subset_mask(s)) == d->id;
}

static cctsa_err write_keys(cctsa_tmldsa_dkg *d, cctsa_buf *out, unsigned j)
{
	uint8_t m[TM_SUBSETS];
	unsigned n = tm_dkg_key_masks(m, d->id, j);
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tm_frame_begin(out, CCTSA_TMLDSA_MSG_DKG_KEYS, d->id, j, d->ssid, (size_t)n * 33));
	for (unsigned i = 0; i < n; i++) {
		CCTSA_TRY(cctsa_buf_put_u8(out, m[i]));
		CCTSA_TRY(cctsa_buf_put(out, d->ks[tm_subset_index(m[i])], 32));
	}
out:
	return err;
}

cctsa_err cctsa_tmldsa_dkg_new(cctsa_tmldsa_dkg **out, cctsa_buf *bcast,
			       cctsa_buf priv[CCTSA_TMLDSA_N], unsigned id,
			       const uint8_t nonce[static 32], const cctsa_tmldsa_dkg_auth *auth,
			       cctsa_diag *diag)
{
	cctsa_tmldsa_dkg *d = NULL;
	cctsa_err err = CCTSA_OK;

	*out = NULL;
	CCTSA_ENSURE(id < CCTSA_TMLDSA_N, cctsa_fail(diag, CCTSA_E_USAGE, "tmldsa: party id %u", id));
	d = cctsa_secret_alloc(sizeof(*d));
	CCTSA_ENSURE(d != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: no secret memory"));
	d->id = (uint8_t)id;
	d->auth = auth;
	dkg_ssid(d->ssid, nonce);
	for (unsigned s = 0; s < TM_SUBSETS; s++) {
		if (leads(d, s)) {
			CCTSA_TRY(cctsa_rand_bytes(d->ks[s], 32));
		}
	}
	CCTSA_TRY(cctsa_rand_bytes(d->r[id], 32));
	h_commit(d->c[id], d->ssid, id, d->r[id]);
	d->have_c = 1u << id;
	CCTSA_TRY(tm_frame_put(bcast, CCTSA_TMLDSA_MSG_DKG_COMMIT, id, CCTSA_TMLDSA_BROADCAST, d->ssid,
			       d->c[id], 32));
	for (unsigned j = 0; j < CCTSA_TMLDSA_N; j++) {
		if (j != id) {
			CCTSA_TRY(write_keys(d, &priv[j], j));
		}
	}
	d->round = 1;
	*out = d;
	d = NULL;
out:
	cctsa_secret_free(d);
	return err;
}

void cctsa_tmldsa_dkg_free(cctsa_tmldsa_dkg *dkg)
{
	cctsa_secret_free(dkg);
}

/* A peer's t_S list (payload validated by the decoder) and transcript signature. */
static cctsa_err recv_pk(cctsa_tmldsa_dkg *d, const cctsa_tmldsa_frame *f, cctsa_diag *diag)
{
	uint8_t want[TM_SUBSETS], h[32], m;
	unsigned n = tm_dkg_led_masks(want, f->sender);
	const uint8_t *sig;
	cctsa_cursor c;
	tm_poly t[TM_KR];
	uint16_t sl;
	uint32_t v;

	cctsa_cursor_init(&c, f->payload, f->payload_len);
	for (unsigned i = 0; i < n; i++) {
		int s = tm_subset_index(want[i]);

		if (cctsa_cursor_get_u8(&c, &m) != CCTSA_OK || s < 0) {
			return CCTSA_E_INTERNAL;
		}
		for (unsigned q = 0; q < TM_KR * TM_NC; q++) {
			if (cctsa_cursor_get_u32le(&c, &v) != CCTSA_OK) {
				return CCTSA_E_INTERNAL;
			}
			t[q / TM_NC].c[q % TM_NC] = (int32_t)v;
		}
		h_pkcommit(h, d->ssid, want[i], t);
		if (cctsa_memcmp_var(h, d->cpk[s], 32) != 0) {
			return cctsa_fail(diag, CCTSA_E_VERIFY, "tmldsa: t_S of subset %u does not match "
					  "its commitment (party %u)", want[i], f->sender);
		}
		if (holds(d, (unsigned)s) && cctsa_memcmp_var(t, d->ts[s], sizeof(t)) != 0) {
			return cctsa_fail(diag, CCTSA_E_VERIFY, "tmldsa: t_S of subset %u differs from "
					  "the own recomputation (party %u)", want[i], f->sender);
		}
		memcpy(d->ts[s], t, sizeof(t));
	}
	if (cctsa_cursor_get_u16be(&c, &sl) != CCTSA_OK || cctsa_cursor_get_view(&c, &sig, sl) != CCTSA_OK ||
	    d->auth->verify(d->auth->ctx, f->sender, sig, sl, d->transcript) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "tmldsa: bad transcript signature of party %u",
				  f->sender);
	}
	return CCTSA_OK;
}

/* mask(1) | 32 bytes entries (validated by the decoder) into table[subset]. */
static void store_list(uint8_t table[TM_SUBSETS][32], const cctsa_tmldsa_frame *f)
{
	cctsa_cursor c;
	uint8_t m;

	cctsa_cursor_init(&c, f->payload, f->payload_len);
	while (cctsa_cursor_get_u8(&c, &m) == CCTSA_OK && tm_subset_index(m) >= 0 &&
	       cctsa_cursor_get_bytes(&c, table[tm_subset_index(m)], 32) == CCTSA_OK) {
	}
}

static cctsa_err recv_dispatch(cctsa_tmldsa_dkg *d, const cctsa_tmldsa_frame *f, cctsa_diag *diag)
{
	uint8_t h[32];
	unsigned u = f->sender, bit = 1u << u;
	const uint8_t *p = f->payload;

	switch (f->type) {
	case CCTSA_TMLDSA_MSG_DKG_COMMIT:
		memcpy(d->c[u], p, 32);
		d->have_c |= bit;
		return CCTSA_OK;
	case CCTSA_TMLDSA_MSG_DKG_KEYS:
		store_list(d->ks, f);
		d->have_keys |= bit;
		return CCTSA_OK;
	case CCTSA_TMLDSA_MSG_DKG_REVEAL:
		h_commit(h, d->ssid, u, p);
		if (cctsa_memcmp_var(h, d->c[u], 32) != 0) {
			return cctsa_fail(diag, CCTSA_E_VERIFY,
					  "tmldsa: reveal of party %u does not match its commitment", u);
		}
		memcpy(d->r[u], p, 32);
		d->have_r |= bit;
		return CCTSA_OK;
	case CCTSA_TMLDSA_MSG_DKG_PKCOMMIT:
		store_list(d->cpk, f);
		d->have_pkc |= bit;
		return CCTSA_OK;
	default: {
		cctsa_err err = recv_pk(d, f, diag);

		if (err == CCTSA_OK) {
			d->have_pk |= bit;
		}
		return err;
	}
	}
}

cctsa_err cctsa_tmldsa_dkg_recv(cctsa_tmldsa_dkg *d, const uint8_t *frame, size_t len,
				cctsa_diag *diag)
{
	static const unsigned round_of[] = {1, 1, 2, 3, 4};
	cctsa_tmldsa_frame f;
	unsigned *have[] = {&d->have_c, &d->have_keys, &d->have_r, &d->have_pkc, &d->have_pk};
	unsigned t;
	cctsa_err err;

	if (d->aborted) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: DKG aborted after a failed check");
	}
	if ((err = cctsa_tmldsa_frame_decode(&f, frame, len, d->ssid, diag)) != CCTSA_OK) {
		d->aborted = err != CCTSA_E_STATE;
		return err;
	}
	if (f.type < CCTSA_TMLDSA_MSG_DKG_COMMIT) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: signing frame in a DKG");
	}
	t = f.type - CCTSA_TMLDSA_MSG_DKG_COMMIT;
	if (f.sender == d->id || (f.type == CCTSA_TMLDSA_MSG_DKG_KEYS && f.recipient != d->id)) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: DKG frame not for this party");
	}
	if (round_of[t] != d->round) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: DKG frame of round %u in round %u",
				  round_of[t], d->round);
	}
	if (*have[t] & (1u << f.sender)) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: duplicate DKG frame from %u", f.sender);
	}
	err = recv_dispatch(d, &f, diag);
	d->aborted = err != CCTSA_OK;
	return err;
}

/* Round 3 work: rho from R, every held s_S and t_S, commitments for led S. */
static void derive_secrets(cctsa_tmldsa_dkg *d)
{
	uint8_t seed[64];
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	absorb_str(&k, "THRESHOLD_DKG_SEED_V1");
	for (unsigned i = 0; i < CCTSA_TMLDSA_N; i++) {
		cctsa_keccak_absorb(&k, d->r[i], 32);
	}
	cctsa_shake_squeeze(&k, d->rho, 32);
	tm_expand_a(&d->a, d->rho);
	for (unsigned s = 0; s < TM_SUBSETS; s++) {
		if (!holds(d, s)) {
			continue;
		}
		cctsa_shake256_init(&k);
		absorb_str(&k, "THRESHOLD_DKG_KEYGEN_V1");
		absorb_le16(&k, cctsa_tmldsa_subset_mask(s));
		cctsa_keccak_absorb(&k, d->ks[s], 32);
		for (unsigned i = 0; i < CCTSA_TMLDSA_N; i++) {
			cctsa_keccak_absorb(&k, d->r[i], 32);
		}
		cctsa_shake_squeeze(&k, seed, 64);
		tm_expand_s(&d->sec[s], seed);
		tm_public_t(d->ts[s], &d->a, &d->sec[s]);
		if (leads(d, s)) {
			h_pkcommit(d->cpk[s], d->ssid, cctsa_tmldsa_subset_mask(s), d->ts[s]);
		}
	}
	cctsa_keccak_wipe(&k);
	cctsa_wipe(seed, sizeof(seed));
}

static cctsa_err write_list(cctsa_tmldsa_dkg *d, cctsa_buf *out, int with_t)
{
	uint8_t m[TM_SUBSETS], sig[CCTSA_TMLDSA_DKG_SIG_MAX], tb[TM_TS_LEN];
	unsigned n = tm_dkg_led_masks(m, d->id);
	size_t item = with_t ? 1 + TM_TS_LEN : 33, sl = sizeof(sig);
	cctsa_err err = CCTSA_OK;

	if (with_t) {
		CCTSA_TRY(d->auth->sign(d->auth->ctx, sig, &sl, d->transcript));
		CCTSA_ENSURE(sl > 0 && sl <= CCTSA_TMLDSA_DKG_SIG_MAX, CCTSA_E_INTERNAL);
	}
	CCTSA_TRY(tm_frame_begin(out, with_t ? CCTSA_TMLDSA_MSG_DKG_PK : CCTSA_TMLDSA_MSG_DKG_PKCOMMIT,
				 d->id, CCTSA_TMLDSA_BROADCAST, d->ssid,
				 n * item + (with_t ? 2 + sl : 0)));
	for (unsigned i = 0; i < n; i++) {
		int s = tm_subset_index(m[i]);

		CCTSA_TRY(cctsa_buf_put_u8(out, m[i]));
		if (with_t) {
			ts_bytes(tb, d->ts[s]);
			CCTSA_TRY(cctsa_buf_put(out, tb, TM_TS_LEN));
		} else {
			CCTSA_TRY(cctsa_buf_put(out, d->cpk[s], 32));
		}
	}
	if (with_t) {
		CCTSA_TRY(cctsa_buf_put_u16be(out, (uint16_t)sl));
		CCTSA_TRY(cctsa_buf_put(out, sig, sl));
	}
out:
	return err;
}

cctsa_err cctsa_tmldsa_dkg_next(cctsa_tmldsa_dkg *d, cctsa_buf *out, unsigned *round,
				cctsa_diag *diag)
{
	const unsigned peers = ALL_PEERS(d->id);
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(!d->aborted, CCTSA_E_STATE);
	switch (d->round) {
	case 1:
		CCTSA_ENSURE((d->have_c & peers) == peers && d->have_keys == peers, CCTSA_E_STATE);
		CCTSA_TRY(tm_frame_put(out, CCTSA_TMLDSA_MSG_DKG_REVEAL, d->id, CCTSA_TMLDSA_BROADCAST,
				       d->ssid, d->r[d->id], 32));
		break;
	case 2:
		CCTSA_ENSURE(d->have_r == peers, CCTSA_E_STATE);
		derive_secrets(d);
		CCTSA_TRY(write_list(d, out, 0));
		break;
	case 3:
		CCTSA_ENSURE(d->have_pkc == peers, CCTSA_E_STATE);
		dkg_transcript(d);
		CCTSA_TRY(write_list(d, out, 1));
		break;
	default:
		CCTSA_ENSURE(0, CCTSA_E_STATE);
	}
	d->round++;
	*round = d->round;
out:
	if (err == CCTSA_E_STATE) {
		cctsa_fail(diag, err, "tmldsa: DKG round %u is not complete", d->round);
	}
	return err;
}

cctsa_err cctsa_tmldsa_dkg_finish(cctsa_tmldsa_dkg *d, uint8_t pk[static CCTSA_TMLDSA_PK_LEN],
				  uint8_t transcript[static 32], cctsa_tmldsa_share **share,
				  cctsa_diag *diag)
{
	static const uint8_t zero_key[32] = {0}; /* key_i is unused by signing (spec §8 item 11) */
	const unsigned peers = ALL_PEERS(d->id);
	cctsa_tmldsa_share *sh = NULL;
	tm_poly t[TM_KR];

	*share = NULL;
	if (d->aborted || d->round != 4 || d->have_pk != peers) {
		return cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: DKG round 4 is not complete");
	}
	memset(t, 0, sizeof(t));
	for (unsigned s = 0; s < TM_SUBSETS; s++) {
		for (unsigned p = 0; p < TM_KR; p++) {
			for (unsigned i = 0; i < TM_NC; i++) {
				t[p].c[i] = mldsa_freeze(t[p].c[i] + d->ts[s][p].c[i]);
			}
		}
	}
	sh = tm_share_alloc(d->id);
	if (sh == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: no secret memory");
	}
	tm_pk_from_t(pk, d->rho, t);
	tm_share_fill(sh, pk, zero_key, d->sec, &d->a);
	memcpy(transcript, d->transcript, 32);
	d->round = 5;
	*share = sh;
	return CCTSA_OK;
}
