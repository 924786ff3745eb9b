/*
 * The party object: long-term key state (share, OT correlations, gadgets, zero
 * seeds), bans, replay caches, the presignature store; restart and public keys.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "tecdsa/tecdsa_int.h"

cctsa_err cctsa_tecdsa_party_new(cctsa_tecdsa_party **out, uint8_t index)
{
	cctsa_tecdsa_party *p;
	cctsa_err err;

	*out = NULL;
	if (index < 1 || index > TEC_N) {
		return CCTSA_E_USAGE;
	}
	p = cctsa_secret_alloc(sizeof(*p));
	if (p == NULL) {
		return CCTSA_E_RESOURCE;
	}
	err = tec_ctx_init(&p->c);
	if (err != CCTSA_OK) {
		cctsa_secret_free(p);
		return err;
	}
	p->me = index;
	*out = p;
	return CCTSA_OK;
}

static void free_pair_state(cctsa_tecdsa_party *p, uint8_t j)
{
	cctsa_secret_free(p->ot_a[j]);
	cctsa_secret_free(p->ot_b[j]);
	cctsa_mem_free(p->gad_a[j]);
	cctsa_mem_free(p->gad_b[j]);
	p->ot_a[j] = NULL;
	p->ot_b[j] = NULL;
	p->gad_a[j] = NULL;
	p->gad_b[j] = NULL;
}

void cctsa_tecdsa_party_free(cctsa_tecdsa_party *p)
{
	if (p == NULL) {
		return;
	}
	for (uint8_t j = 1; j <= TEC_N; j++) {
		free_pair_state(p, j);
	}
	tec_dkg_free(p->dkg);
	cctsa_secret_free(p->store);
	cctsa_mem_free(p->replay);
	cctsa_mem_free(p->dkg_seen);
	tec_ctx_free(&p->c);
	cctsa_secret_free(p);
}

void cctsa_tecdsa_party_set_auth(cctsa_tecdsa_party *p, cctsa_tecdsa_auth_fn fn, void *ctx)
{
	p->auth = fn;
	p->auth_ctx = ctx;
}

static void *dup_or_null(const void *src, size_t n, int secret, int *fail)
{
	void *d;

	if (src == NULL) {
		return NULL;
	}
	d = secret ? cctsa_secret_alloc(n) : cctsa_mem_alloc(n);
	if (d == NULL) {
		*fail = 1;
		return NULL;
	}
	memcpy(d, src, n);
	return d;
}

cctsa_err cctsa_tecdsa_party_restart(cctsa_tecdsa_party **out, const cctsa_tecdsa_party *src)
{
	cctsa_tecdsa_party *p;
	cctsa_err err;
	int fail = 0;

	*out = NULL;
	if (!src->have_key) {
		return CCTSA_E_STATE;
	}
	err = cctsa_tecdsa_party_new(&p, src->me);
	if (err != CCTSA_OK) {
		return err;
	}
	p->have_key = 1;
	memcpy(p->key_id, src->key_id, 32);
	memcpy(p->dkg_sid, src->dkg_sid, 32);
	memcpy(p->q_pt, src->q_pt, sizeof(p->q_pt));
	memcpy(p->x_pub, src->x_pub, sizeof(p->x_pub));
	p->x = src->x;
	memcpy(p->seed, src->seed, sizeof(p->seed));
	p->banned = src->banned;
	p->auth = src->auth;
	p->auth_ctx = src->auth_ctx;
	for (uint8_t j = 1; j <= TEC_N; j++) {
		p->ot_a[j] = dup_or_null(src->ot_a[j], sizeof(tec_ot_alice), 1, &fail);
		p->ot_b[j] = dup_or_null(src->ot_b[j], sizeof(tec_ot_bob), 1, &fail);
		p->gad_a[j] = dup_or_null(src->gad_a[j], TEC_XI * sizeof(tec_sc), 0, &fail);
		p->gad_b[j] = dup_or_null(src->gad_b[j], TEC_XI * sizeof(tec_sc), 0, &fail);
	}
	/* The replay caches survive (they would be persisted); presignatures never do. */
	if (src->nreplay > 0) {
		p->replay = dup_or_null(src->replay, src->capreplay * sizeof(tec_pid), 0, &fail);
		p->nreplay = src->nreplay;
		p->capreplay = src->capreplay;
	}
	if (src->ndkg_seen > 0) {
		p->dkg_seen = dup_or_null(src->dkg_seen, src->ndkg_seen * 32, 0, &fail);
		p->ndkg_seen = src->ndkg_seen;
	}
	if (fail) {
		cctsa_tecdsa_party_free(p);
		return CCTSA_E_RESOURCE;
	}
	*out = p;
	return CCTSA_OK;
}

cctsa_err cctsa_tecdsa_pubkey(const cctsa_tecdsa_party *p, uint8_t q[CCTSA_TECDSA_PT_LEN])
{
	if (!p->have_key) {
		return CCTSA_E_STATE;
	}
	memcpy(q, p->q_pt, TEC_PT);
	return CCTSA_OK;
}

cctsa_err cctsa_tecdsa_key_id(const cctsa_tecdsa_party *p, uint8_t id[32])
{
	if (!p->have_key) {
		return CCTSA_E_STATE;
	}
	memcpy(id, p->key_id, 32);
	return CCTSA_OK;
}

cctsa_err cctsa_tecdsa_pubshare(const cctsa_tecdsa_party *p, uint8_t k, uint8_t x[CCTSA_TECDSA_PT_LEN])
{
	if (!p->have_key) {
		return CCTSA_E_STATE;
	}
	if (k < 1 || k > TEC_N) {
		return CCTSA_E_USAGE;
	}
	memcpy(x, p->x_pub[k], TEC_PT);
	return CCTSA_OK;
}

cctsa_err cctsa_tecdsa_pubkey_pem(const cctsa_tecdsa_party *p, cctsa_buf *out)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL;
	EVP_PKEY *pk = NULL;
	BIO *bio = NULL;
	char *data = NULL;
	long n;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(out, 0);
	CCTSA_ENSURE(p->have_key, CCTSA_E_STATE);
	bld = OSSL_PARAM_BLD_new();
	CCTSA_ENSURE(bld != NULL, CCTSA_E_RESOURCE);
	CCTSA_ENSURE(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) == 1 &&
			     OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, p->q_pt, TEC_PT) == 1,
		     CCTSA_E_CRYPTO);
	params = OSSL_PARAM_BLD_to_param(bld);
	pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	CCTSA_ENSURE(params != NULL && pc != NULL, CCTSA_E_RESOURCE);
	CCTSA_ENSURE(EVP_PKEY_fromdata_init(pc) == 1 && EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_PUBLIC_KEY, params) == 1,
		     CCTSA_E_CRYPTO);
	bio = BIO_new(BIO_s_mem());
	CCTSA_ENSURE(bio != NULL, CCTSA_E_RESOURCE);
	CCTSA_ENSURE(PEM_write_bio_PUBKEY(bio, pk) == 1, CCTSA_E_CRYPTO);
	n = BIO_get_mem_data(bio, &data);
	CCTSA_ENSURE(n > 0, CCTSA_E_CRYPTO);
	CCTSA_TRY(cctsa_buf_put(out, data, (size_t)n));
out:
	BIO_free(bio);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	if (err != CCTSA_OK) {
		cctsa_buf_free(out);
	}
	return err;
}

int cctsa_tecdsa_is_banned(const cctsa_tecdsa_party *p, uint8_t j)
{
	return j >= 1 && j <= TEC_N && ((p->banned >> j) & 1u);
}

void tec_ban(cctsa_tecdsa_party *p, uint8_t j)
{
	if (j < 1 || j > TEC_N || j == p->me) {
		return;
	}
	p->banned |= 1u << j;
	p->ban_epoch++;
	free_pair_state(p, j); /* both OT directions: they share Delta and the seeds */
}

void tec_fault(cctsa_tecdsa_fault *f, cctsa_tecdsa_action a, cctsa_tecdsa_event ev, uint8_t peer)
{
	if (f == NULL) {
		return;
	}
	f->action = a;
	f->event = ev;
	f->peer = peer;
	f->blamed = a == CCTSA_TECDSA_BAN ? peer : 0;
}

cctsa_err tec_hdr_check(cctsa_cursor *cur, uint8_t type, size_t want_len, cctsa_diag *diag)
{
	uint8_t v = 0, t = 0;

	if (cctsa_cursor_get_u8(cur, &v) != CCTSA_OK || cctsa_cursor_get_u8(cur, &t) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tecdsa: short header");
	}
	if (v != TEC_VERSION) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "tecdsa: message version %u, expected %u", v,
				  TEC_VERSION);
	}
	if (t != type) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tecdsa: message type %u, expected %u", t, type);
	}
	if (want_len != 0 && cur->len != want_len) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tecdsa: message type %u has length %zu, expected %zu",
				  type, cur->len, want_len);
	}
	return CCTSA_OK;
}
