/*
 * core: the DKG ceremony (DESIGN.md §4). The coordinator sends DKG_START; every
 * node announces a fresh identity key (DKG_IDENT, over the attested channel) used
 * for the threshold ML-DSA transcript signatures; then the threshold ECDSA DKG (3
 * rounds, pairwise, with the base OT setup for every pair) and the threshold ML-DSA
 * DKG (4 rounds) run side by side. Each node then broadcasts DKG_DONE with its view
 * of the public outcome; all five must be byte-identical.
 *
 * The DKG transcript (the bytes whose SHA-384 goes into the binding extension):
 *   "CCTSA-DKG-TRANSCRIPT-V1" | 0x00 | tecdsa sid(32) | tmldsa nonce(32) | DKG_DONE payload
 * where DKG_DONE = ceremony id | Q | tecdsa key id | X_1..X_5 | ML-DSA pk | tmldsa
 * transcript hash. key epoch = the first 8 octets of that SHA-384 (big-endian).
 */
#include <string.h>

#include "core_int.h"

#define DKG_TIMEOUT_MS 120000
#define DONE_LEN (16 + CCTSA_TECDSA_PT_LEN + 32 + CORE_N * CCTSA_TECDSA_PT_LEN + CCTSA_TMLDSA_PK_LEN + 32)

struct core_dkg {
	uint8_t ceremony[16], te_sid[32], tm_nonce[32];
	unsigned coord;
	int started;
	int64_t deadline; /* set at the first tick (0: none yet) */
	unsigned ident, te1, te2, te3, done;
	int te_done, tm_done, done_sent;
	cctsa_tmldsa_dkg *tm;
	cctsa_tmldsa_dkg_auth auth;
	unsigned tm_round, tm_cnt[5];
	uint8_t outcome[DONE_LEN];
	/* coordinator */
	cctsa_core_dkg_cb cb;
	void *ctx;
	cctsa_transcript *tx;
};

static unsigned others(const cctsa_core *c)
{
	return ((1u << CORE_N) - 1) & ~(1u << c->id);
}

void core_dkg_free(core_dkg *d)
{
	if (d == NULL) {
		return;
	}
	cctsa_tmldsa_dkg_free(d->tm);
	cctsa_transcript_free(d->tx);
	cctsa_wipe(d, sizeof *d);
	cctsa_mem_free(d);
}

static void finish_cb(cctsa_core *c, cctsa_core_dkg_result *res)
{
	core_dkg *d = c->dkg;

	if (d != NULL && d->cb != NULL) {
		cctsa_core_dkg_cb cb = d->cb;

		d->cb = NULL;
		cb(d->ctx, res);
	}
}

/* A ceremony that does not finish within DKG_TIMEOUT_MS of the first tick is aborted. */
void core_dkg_expire(cctsa_core *c)
{
	if (c->dkg == NULL || c->now_ms == 0) {
		return;
	}
	if (c->dkg->deadline == 0) {
		c->dkg->deadline = c->now_ms + DKG_TIMEOUT_MS;
	} else if (c->now_ms > c->dkg->deadline) {
		core_dkg_abort(c, "DKG timed out");
	}
}

void core_dkg_abort(cctsa_core *c, const char *why)
{
	cctsa_core_dkg_result res;

	if (c->dkg == NULL) {
		return;
	}
	memset(&res, 0, sizeof res);
	res.err = CCTSA_E_STATE;
	res.error = why;
	finish_cb(c, &res);
	core_dkg_free(c->dkg);
	c->dkg = NULL;
	cctsa_tecdsa_party_free(c->te);
	c->te = NULL;
	cctsa_tmldsa_share_free(c->tm);
	c->tm = NULL;
	c->key_state = CCTSA_CORE_KEY_UNINITIALIZED;
	if (c->state == CCTSA_CORE_DKG || c->state == CCTSA_CORE_AWAITING_CERTIFICATES) {
		c->state = CCTSA_CORE_WAITING_FOR_DKG;
	}
}

static cctsa_err broadcast(cctsa_core *c, uint8_t type, const uint8_t *p, size_t len)
{
	for (unsigned j = 0; j < CORE_N; j++) {
		if (j != c->id) {
			cctsa_err err = core_send(c, j, type, p, len);

			if (err != CCTSA_OK) {
				return err;
			}
		}
	}
	return CCTSA_OK;
}

static cctsa_err auth_sign(void *ctx, uint8_t *sig, size_t *sig_len, const uint8_t tr[32])
{
	cctsa_core *c = ctx;
	cctsa_signer s;
	cctsa_buf b;
	cctsa_err err;

	cctsa_x509_key_signer(c->ident, &s);
	cctsa_buf_init(&b, CCTSA_TMLDSA_DKG_SIG_MAX);
	err = s.sign(s.ctx, &b, tr, 32, NULL);
	if (err == CCTSA_OK) {
		memcpy(sig, b.data, b.len);
		*sig_len = b.len;
	}
	cctsa_buf_free(&b);
	return err;
}

static cctsa_err auth_verify(void *ctx, unsigned party, const uint8_t *sig, size_t sig_len, const uint8_t tr[32])
{
	cctsa_core *c = ctx;

	if (party >= CORE_N || c->peer_ident_len[party] == 0) {
		return CCTSA_E_VERIFY;
	}
	return cctsa_x509_sig_verify(CCTSA_SIG_ECDSA_P384_SHA384, c->peer_ident[party], c->peer_ident_len[party],
				     tr, 32, sig, sig_len, NULL);
}

static cctsa_err send_ident(cctsa_core *c)
{
	cctsa_signer s;
	uint8_t p[17 + 160];

	cctsa_x509_key_signer(c->ident, &s);
	if (s.spki_len > 160) {
		return CCTSA_E_INTERNAL;
	}
	memcpy(p, c->dkg->ceremony, 16);
	p[16] = (uint8_t)s.spki_len;
	memcpy(p + 17, s.spki, s.spki_len);
	memcpy(c->peer_ident[c->id], s.spki, s.spki_len);
	c->peer_ident_len[c->id] = s.spki_len;
	return broadcast(c, CCTSA_CORE_MSG_DKG_IDENT, p, 17 + s.spki_len);
}

static cctsa_err begin(cctsa_core *c)
{
	c->state = CCTSA_CORE_DKG;
	c->key_state = CCTSA_CORE_KEY_DKG;
	return send_ident(c);
}

cctsa_err cctsa_core_dkg_start(cctsa_core *c, const uint8_t ceremony_id[16], const char *const *operators,
			       size_t n_operators, cctsa_core_dkg_cb cb, void *ctx, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	uint8_t start[81];
	core_dkg *d;

	if (c->state != CCTSA_CORE_WAITING_FOR_DKG || c->dkg != NULL) {
		return cctsa_fail(diag, CCTSA_E_STATE, "core: DKG needs state waiting-for-dkg (is %s)",
				  cctsa_core_state_name(c->state));
	}
	if (core_popcount(c->up) != CORE_N) {
		return cctsa_fail(diag, CCTSA_E_STATE, "core: DKG needs all %u nodes reachable", CORE_N);
	}
	d = c->dkg = cctsa_mem_alloc(sizeof *d);
	CCTSA_ENSURE(d != NULL, CCTSA_E_RESOURCE);
	memcpy(d->ceremony, ceremony_id, 16);
	CCTSA_TRY(cctsa_rand_bytes(d->te_sid, 32));
	CCTSA_TRY(cctsa_rand_bytes(d->tm_nonce, 32));
	d->coord = c->id;
	d->cb = cb;
	d->ctx = ctx;
	CCTSA_TRY(cctsa_transcript_new(&d->tx, "dkg", "CC-TSA distributed key generation", "0.1.0", NULL, diag));
	for (size_t i = 0; i < n_operators; i++) {
		CCTSA_TRY(cctsa_transcript_add_participant(
			d->tx, operators[i], i == 0 ? CCTSA_ROLE_CEREMONY_MASTER : CCTSA_ROLE_WITNESS, NULL, diag));
	}
	CCTSA_TRY(cctsa_transcript_step_begin(d->tx, "distributed key generation", diag));
	memcpy(start, d->ceremony, 16);
	memcpy(start + 16, d->te_sid, 32);
	memcpy(start + 48, d->tm_nonce, 32);
	start[80] = (uint8_t)c->id;
	CCTSA_TRY(broadcast(c, CCTSA_CORE_MSG_DKG_START, start, sizeof start));
	CCTSA_TRY(begin(c));
out:
	if (err != CCTSA_OK) {
		d = c->dkg;
		if (d != NULL) {
			d->cb = NULL;
		}
		core_dkg_abort(c, "start failed");
		cctsa_fail(diag, err, "core: DKG start failed");
	}
	return err;
}

static cctsa_err on_start(cctsa_core *c, unsigned from, const uint8_t *p)
{
	core_dkg *d;

	if (c->state != CCTSA_CORE_WAITING_FOR_DKG || c->dkg != NULL || p[80] != from) {
		return CCTSA_E_STATE;
	}
	if (core_popcount(c->up) != CORE_N) {
		return CORE_DEFER; /* joins once this node sees every peer attested and up */
	}
	d = c->dkg = cctsa_mem_alloc(sizeof *d);
	if (d == NULL) {
		return CCTSA_E_RESOURCE;
	}
	memcpy(d->ceremony, p, 16);
	memcpy(d->te_sid, p + 16, 32);
	memcpy(d->tm_nonce, p + 48, 32);
	d->coord = from;
	return begin(c);
}

static cctsa_err start_rounds(cctsa_core *c, cctsa_diag *diag)
{
	core_dkg *d = c->dkg;
	cctsa_buf b, priv[CORE_N];
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&b, 0);
	for (unsigned j = 0; j < CORE_N; j++) {
		cctsa_buf_init(&priv[j], 0);
	}
	d->started = 1;
	CCTSA_TRY(cctsa_tecdsa_party_new(&c->te, (uint8_t)(c->id + 1)));
	CCTSA_TRY(cctsa_tecdsa_dkg_start(c->te, d->te_sid, diag));
	for (unsigned j = 0; j < CORE_N; j++) {
		if (j == c->id) {
			continue;
		}
		b.len = 0;
		CCTSA_TRY(cctsa_buf_put_u8(&b, 1));
		CCTSA_TRY(cctsa_tecdsa_dkg_msg1(c->te, (uint8_t)(j + 1), &b));
		CCTSA_TRY(core_send(c, j, CCTSA_CORE_MSG_TE_DKG, b.data, b.len));
	}
	d->auth.ctx = c;
	d->auth.sign = auth_sign;
	d->auth.verify = auth_verify;
	b.len = 0;
	CCTSA_TRY(cctsa_tmldsa_dkg_new(&d->tm, &b, priv, c->id, d->tm_nonce, &d->auth, diag));
	d->tm_round = 1;
	CCTSA_TRY(broadcast(c, CCTSA_CORE_MSG_TM_DKG, b.data, b.len));
	for (unsigned j = 0; j < CORE_N; j++) {
		if (j != c->id) {
			CCTSA_TRY(core_send(c, j, CCTSA_CORE_MSG_TM_DKG, priv[j].data, priv[j].len));
		}
	}
out:
	cctsa_buf_free(&b);
	for (unsigned j = 0; j < CORE_N; j++) {
		cctsa_buf_free(&priv[j]);
	}
	return err;
}

static cctsa_err on_ident(cctsa_core *c, unsigned from, const uint8_t *p, size_t len, cctsa_diag *diag)
{
	core_dkg *d = c->dkg;

	if (cctsa_memcmp_var(p, d->ceremony, 16) != 0 || (d->ident & (1u << from))) {
		return CCTSA_E_STATE;
	}
	memcpy(c->peer_ident[from], p + 17, len - 17);
	c->peer_ident_len[from] = len - 17;
	d->ident |= 1u << from;
	if (d->ident == others(c)) {
		return start_rounds(c, diag);
	}
	return CCTSA_OK;
}

cctsa_err core_binding(const cctsa_core *c, cctsa_x509_binding *b)
{
	memset(b, 0, sizeof *b);
	b->version = CCTSA_BINDING_VERSION;
	memcpy(b->platform, c->platform, sizeof b->platform);
	memcpy(b->measurement, c->measurement, sizeof b->measurement);
	b->min_tcb = c->min_tcb;
	memcpy(b->transcript_hash, c->th, sizeof b->transcript_hash);
	b->key_epoch = c->epoch;
	return CCTSA_OK;
}

static cctsa_err outcome(cctsa_core *c)
{
	core_dkg *d = c->dkg;
	uint8_t *o = d->outcome;
	cctsa_err err = CCTSA_OK;

	memcpy(o, d->ceremony, 16);
	CCTSA_TRY(cctsa_tecdsa_pubkey(c->te, o + 16));
	CCTSA_TRY(cctsa_tecdsa_key_id(c->te, o + 16 + CCTSA_TECDSA_PT_LEN));
	o += 16 + CCTSA_TECDSA_PT_LEN + 32;
	for (unsigned k = 0; k < CORE_N; k++) {
		CCTSA_TRY(cctsa_tecdsa_pubshare(c->te, (uint8_t)(k + 1), o + k * CCTSA_TECDSA_PT_LEN));
	}
	o += CORE_N * CCTSA_TECDSA_PT_LEN;
	memcpy(o, c->mpk, CCTSA_TMLDSA_PK_LEN);
out:
	return err;
}

static cctsa_err send_done(cctsa_core *c, cctsa_diag *diag)
{
	core_dkg *d = c->dkg;
	uint8_t tr[32];
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_tmldsa_dkg_finish(d->tm, c->mpk, tr, &c->tm, diag));
	cctsa_tmldsa_share_set_budget(c->tm, (c->budget * CCTSA_CORE_THRESHOLD + CORE_N - 1) / CORE_N);
	cctsa_tmldsa_dkg_free(d->tm);
	d->tm = NULL;
	CCTSA_TRY(outcome(c));
	memcpy(d->outcome + DONE_LEN - 32, tr, 32);
	d->done_sent = 1;
	d->done |= 1u << c->id;
	CCTSA_TRY(broadcast(c, CCTSA_CORE_MSG_DKG_DONE, d->outcome, DONE_LEN));
out:
	return err;
}

static cctsa_err te_round(cctsa_core *c, unsigned from, const uint8_t *p, size_t len, cctsa_diag *diag)
{
	core_dkg *d = c->dkg;
	unsigned bit = 1u << from, all = others(c);
	cctsa_tecdsa_fault f;
	cctsa_err err = CCTSA_OK;
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	if (p[0] == 1 && !(d->te1 & bit)) {
		CCTSA_TRY(cctsa_tecdsa_dkg_recv1(c->te, p + 1, len - 1, NULL, 0, &f, diag));
		if ((d->te1 |= bit) == all) {
			for (unsigned j = 0; j < CORE_N; j++) {
				if (j != c->id) {
					b.len = 0;
					CCTSA_TRY(cctsa_buf_put_u8(&b, 2));
					CCTSA_TRY(cctsa_tecdsa_dkg_msg2(c->te, (uint8_t)(j + 1), &b));
					CCTSA_TRY(core_send(c, j, CCTSA_CORE_MSG_TE_DKG, b.data, b.len));
				}
			}
		}
	} else if (p[0] == 2 && d->te1 == all && !(d->te2 & bit)) {
		CCTSA_TRY(cctsa_tecdsa_dkg_recv2(c->te, p + 1, len - 1, NULL, 0, &f, diag));
		if ((d->te2 |= bit) == all) {
			CCTSA_TRY(cctsa_buf_put_u8(&b, 3));
			CCTSA_TRY(cctsa_tecdsa_dkg_msg3(c->te, &b, diag));
			CCTSA_TRY(broadcast(c, CCTSA_CORE_MSG_TE_DKG, b.data, b.len));
		}
	} else if (p[0] == 3 && d->te2 == all && !(d->te3 & bit)) {
		CCTSA_TRY(cctsa_tecdsa_dkg_recv3(c->te, p + 1, len - 1, &f, diag));
		if ((d->te3 |= bit) == all) {
			CCTSA_TRY(cctsa_tecdsa_dkg_finish(c->te, &f, diag));
			d->te_done = 1;
		}
	} else {
		err = (p[0] == 2 && d->te1 != all) || (p[0] == 3 && d->te2 != all) ? CORE_DEFER : CCTSA_E_STATE;
	}
out:
	cctsa_buf_free(&b);
	return err;
}

static unsigned tm_frame_round(uint8_t type)
{
	switch (type) {
	case CCTSA_TMLDSA_MSG_DKG_COMMIT:
	case CCTSA_TMLDSA_MSG_DKG_KEYS:
		return 1;
	case CCTSA_TMLDSA_MSG_DKG_REVEAL:
		return 2;
	case CCTSA_TMLDSA_MSG_DKG_PKCOMMIT:
		return 3;
	default:
		return 4;
	}
}

static cctsa_err tm_round(cctsa_core *c, unsigned from, const uint8_t *p, size_t len, cctsa_diag *diag)
{
	core_dkg *d = c->dkg;
	cctsa_tmldsa_frame f;
	cctsa_err err = CCTSA_OK;
	unsigned r, rr;
	cctsa_buf b;

	CCTSA_TRY(cctsa_tmldsa_frame_decode(&f, p, len, NULL, diag));
	if (f.sender != from || d->tm == NULL) {
		return CCTSA_E_STATE;
	}
	r = tm_frame_round(f.type);
	if (r > d->tm_round) {
		return CORE_DEFER;
	}
	CCTSA_TRY(cctsa_tmldsa_dkg_recv(d->tm, p, len, diag));
	d->tm_cnt[r]++;
	cctsa_buf_init(&b, 0);
	while (d->tm_round < 4 && d->tm_cnt[d->tm_round] == (d->tm_round == 1 ? 8u : 4u)) {
		b.len = 0;
		err = cctsa_tmldsa_dkg_next(d->tm, &b, &rr, diag);
		if (err == CCTSA_OK) {
			d->tm_round = rr;
			err = broadcast(c, CCTSA_CORE_MSG_TM_DKG, b.data, b.len);
		}
		if (err != CCTSA_OK) {
			break;
		}
	}
	cctsa_buf_free(&b);
	if (err == CCTSA_OK && d->tm_round == 4 && d->tm_cnt[4] == 4) {
		d->tm_done = 1;
	}
out:
	return err;
}

static void finalize(cctsa_core *c)
{
	core_dkg *d = c->dkg;
	static const char label[] = "CCTSA-DKG-TRANSCRIPT-V1";
	uint8_t pre[sizeof label + 64];
	cctsa_buf pem;

	memcpy(pre, label, sizeof label); /* includes the NUL separator */
	memcpy(pre + sizeof label, d->te_sid, 32);
	memcpy(pre + sizeof label + 32, d->tm_nonce, 32);
	cctsa_buf_init(&pem, 0);
	if (core_sha384(c->th, pre, sizeof pre, d->outcome, DONE_LEN) != CCTSA_OK ||
	    cctsa_tecdsa_pubkey_pem(c->te, &pem) != CCTSA_OK ||
	    cctsa_x509_pem_to_der(&c->spki_e, "PUBLIC KEY", pem.data, pem.len, NULL) != CCTSA_OK ||
	    core_mldsa_spki(&c->spki_m, c->mpk) != CCTSA_OK) {
		cctsa_buf_free(&pem);
		core_dkg_abort(c, "DKG finalisation failed");
		return;
	}
	cctsa_buf_free(&pem);
	c->epoch = 0;
	for (int i = 0; i < 8; i++) {
		c->epoch = (c->epoch << 8) | c->th[i];
	}
	c->counter = 0;
	memset(c->replay, 0, sizeof c->replay);
	c->key_state = CCTSA_CORE_KEY_PENDING;
	c->state = CCTSA_CORE_AWAITING_CERTIFICATES;
	if (d->coord == c->id) {
		if (core_job_start_csr(c) != CCTSA_OK) {
			core_dkg_abort(c, "could not start the CSR signing");
		}
	} else {
		core_dkg_free(d);
		c->dkg = NULL;
	}
}

static cctsa_err on_done(cctsa_core *c, unsigned from, const uint8_t *p, cctsa_diag *diag)
{
	core_dkg *d = c->dkg;

	if (!d->done_sent) {
		return CORE_DEFER;
	}
	if (d->done & (1u << from)) {
		return CCTSA_E_STATE;
	}
	if (cctsa_memcmp_var(p, d->outcome, DONE_LEN) != 0) {
		cctsa_fail(diag, CCTSA_E_VERIFY, "core: node %u derived different public keys", from);
		core_dkg_abort(c, "public keys differ between nodes");
		return CCTSA_E_VERIFY;
	}
	d->done |= 1u << from;
	if (d->done == (1u << CORE_N) - 1) {
		finalize(c);
	}
	return CCTSA_OK;
}

cctsa_err core_dkg_on_message(cctsa_core *c, unsigned from, uint8_t type, const uint8_t *p, size_t len,
			      cctsa_diag *diag)
{
	core_dkg *d = c->dkg;
	cctsa_err err;

	if (type == CCTSA_CORE_MSG_DKG_START) {
		return on_start(c, from, p);
	}
	if (d == NULL || c->state != CCTSA_CORE_DKG) {
		return c->state == CCTSA_CORE_WAITING_FOR_DKG ? CORE_DEFER : CCTSA_E_STATE;
	}
	switch (type) {
	case CCTSA_CORE_MSG_DKG_IDENT:
		err = on_ident(c, from, p, len, diag);
		break;
	case CCTSA_CORE_MSG_TE_DKG:
		err = d->started ? te_round(c, from, p, len, diag) : CORE_DEFER;
		break;
	case CCTSA_CORE_MSG_TM_DKG:
		err = d->started ? tm_round(c, from, p, len, diag) : CORE_DEFER;
		break;
	default:
		return on_done(c, from, p, diag);
	}
	if (err == CCTSA_OK && d->te_done && d->tm_done && !d->done_sent) {
		err = send_done(c, diag);
	}
	if (err != CCTSA_OK && err != CORE_DEFER && err != CCTSA_E_STATE) {
		core_dkg_abort(c, "DKG protocol failure");
	}
	return err;
}

static cctsa_err pem_of(cctsa_buf *out, const char *label, const uint8_t *der, size_t len)
{
	cctsa_buf_init(out, 0);
	if (cctsa_x509_der_to_pem(out, label, der, len) != CCTSA_OK || cctsa_buf_put_u8(out, 0) != CCTSA_OK) {
		return CCTSA_E_RESOURCE;
	}
	return CCTSA_OK;
}

static cctsa_err record_steps(core_dkg *d, cctsa_core *c, const cctsa_buf *pems, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	char hex[2 * CCTSA_CORE_HASH_LEN + 1], ep[17];

	CCTSA_TRY(cctsa_transcript_artefact(d->tx, "ecdsa-public-key.pem", pems[0].data, pems[0].len - 1, diag));
	CCTSA_TRY(cctsa_transcript_artefact(d->tx, "mldsa-public-key.pem", pems[1].data, pems[1].len - 1, diag));
	CCTSA_TRY(cctsa_transcript_artefact(d->tx, "dkg-outcome", d->outcome, DONE_LEN, diag));
	CCTSA_TRY(cctsa_transcript_step_end(d->tx, CCTSA_STEP_OK, "five nodes derived identical keys", diag));
	CCTSA_TRY(cctsa_transcript_step_begin(d->tx, "threshold-signed CSRs", diag));
	CCTSA_TRY(cctsa_transcript_artefact(d->tx, "csr-ecdsa.pem", pems[2].data, pems[2].len - 1, diag));
	CCTSA_TRY(cctsa_transcript_artefact(d->tx, "csr-mldsa.pem", pems[3].data, pems[3].len - 1, diag));
	CCTSA_TRY(cctsa_transcript_step_end(d->tx, CCTSA_STEP_OK, NULL, diag));
	CCTSA_TRY(cctsa_hex_encode(hex, sizeof hex, c->th, sizeof c->th));
	CCTSA_TRY(cctsa_transcript_set(d->tx, "dkg_transcript_sha384", hex, diag));
	CCTSA_TRY(cctsa_hex_encode(hex, sizeof hex, c->measurement, sizeof c->measurement));
	CCTSA_TRY(cctsa_transcript_set(d->tx, "measurement", hex, diag));
	CCTSA_TRY(cctsa_transcript_set(d->tx, "platform", c->platform, diag));
	CCTSA_TRY(cctsa_hex_encode(hex, sizeof hex, d->ceremony, 16));
	CCTSA_TRY(cctsa_transcript_set(d->tx, "ceremony_id", hex, diag));
	for (int i = 0; i < 8; i++) {
		CCTSA_TRY(cctsa_hex_encode(ep + 2 * i, 3, &c->th[i], 1));
	}
	CCTSA_TRY(cctsa_transcript_set(d->tx, "key_epoch", ep, diag));
	CCTSA_TRY(cctsa_transcript_finish(d->tx, 1, diag));
out:
	return err;
}

void core_dkg_signed(cctsa_core *c, const uint8_t *csr_e, size_t le, const uint8_t *csr_m, size_t lm,
		     cctsa_err serr, const char *why)
{
	core_dkg *d = c->dkg;
	cctsa_core_dkg_result res;
	cctsa_buf pems[4], tj;
	cctsa_err err = serr;
	cctsa_diag diag;

	if (d == NULL) {
		return;
	}
	if (err != CCTSA_OK) {
		core_dkg_abort(c, why);
		return;
	}
	cctsa_diag_reset(&diag);
	memset(&res, 0, sizeof res);
	cctsa_buf_init(&tj, 0);
	for (int i = 0; i < 4; i++) {
		cctsa_buf_init(&pems[i], 0);
	}
	CCTSA_TRY(cctsa_tecdsa_pubkey_pem(c->te, &pems[0]));
	CCTSA_TRY(cctsa_buf_put_u8(&pems[0], 0));
	CCTSA_TRY(pem_of(&pems[1], "PUBLIC KEY", c->spki_m.data, c->spki_m.len));
	CCTSA_TRY(pem_of(&pems[2], "CERTIFICATE REQUEST", csr_e, le));
	CCTSA_TRY(pem_of(&pems[3], "CERTIFICATE REQUEST", csr_m, lm));
	CCTSA_TRY(record_steps(d, c, pems, &diag));
	CCTSA_TRY(cctsa_transcript_json(&tj, d->tx, &diag));
	CCTSA_TRY(cctsa_buf_put_u8(&tj, 0));
	res.ecdsa_pub_pem = (const char *)pems[0].data;
	res.mldsa_pub_pem = (const char *)pems[1].data;
	res.csr_ecdsa_pem = (const char *)pems[2].data;
	res.csr_mldsa_pem = (const char *)pems[3].data;
	res.transcript_json = (const char *)tj.data;
	res.key_epoch = c->epoch;
	memcpy(res.transcript_hash, c->th, sizeof res.transcript_hash);
	finish_cb(c, &res);
	core_dkg_free(d);
	c->dkg = NULL;
out:
	for (int i = 0; i < 4; i++) {
		cctsa_buf_free(&pems[i]);
	}
	cctsa_buf_free(&tj);
	if (err != CCTSA_OK) {
		core_dkg_abort(c, "could not assemble the ceremony result");
	}
}
