/*
 * TriHaRd cross-node time check. Each round every node broadcasts a signed
 * message {magic, node id, round, local time, error bound, flags}; a receiver
 * turns a peer's reading into "peer time - my time" corrected by half the
 * averaged round trip, takes the median over all readings including its own (0),
 * withdraws itself when the median is beyond the tolerance, and rejoins after
 * rejoin_rounds consecutive good rounds. Signatures: ECDSA P-384 / SHA-384.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "time_int.h"

#define TH_MAGIC 0x43544831u /* "CTH1" */
#define TH_BODY_LEN 33
#define TH_RTT_MAX 32
#define TH_FLAG_WITHDRAWN 1u

typedef struct {
	uint32_t id;
	EVP_PKEY *pub;
	int64_t rtt[TH_RTT_MAX];
	size_t rtt_n, rtt_pos;
	uint8_t have;      /* reading for the current round */
	uint8_t withdrawn; /* as announced in it */
	int64_t dev;       /* peer time + RTT/2 - local receive time */
} th_peer;

struct cctsa_trihard {
	uint32_t id;
	EVP_PKEY *key;
	cctsa_trihard_transport tx;
	cctsa_trihard_config cfg;
	th_peer peers[CCTSA_TRIHARD_MAX_NODES - 1];
	size_t n_peers;
	uint64_t round;
	uint8_t started;
	uint8_t withdrawn;
	uint32_t good_rounds;
};

void cctsa_trihard_config_default(cctsa_trihard_config *cfg)
{
	cfg->tolerance_ns = 100000000LL;
	cfg->rejoin_rounds = 3;
	cfg->rtt_window = 8;
}

static int is_p384(EVP_PKEY *k)
{
	char name[64];
	size_t nl = 0;

	return k != NULL && EVP_PKEY_is_a(k, "EC") &&
	       EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &nl) == 1 &&
	       strcmp(name, "secp384r1") == 0;
}

cctsa_err cctsa_trihard_new(cctsa_trihard **out, uint32_t node_id, void *key,
			    const cctsa_trihard_transport *tx, const cctsa_trihard_config *cfg)
{
	cctsa_trihard *th;

	if (out == NULL || tx == NULL || tx->broadcast == NULL || !is_p384(key)) {
		return CCTSA_E_USAGE;
	}
	*out = NULL;
	th = cctsa_mem_alloc(sizeof(*th));
	if (th == NULL) {
		return CCTSA_E_RESOURCE;
	}
	cctsa_trihard_config_default(&th->cfg);
	if (cfg != NULL) {
		th->cfg = *cfg;
	}
	if (th->cfg.tolerance_ns <= 0 || th->cfg.rtt_window == 0 || th->cfg.rtt_window > TH_RTT_MAX ||
	    EVP_PKEY_up_ref(key) != 1) {
		cctsa_mem_free(th);
		return CCTSA_E_USAGE;
	}
	th->id = node_id;
	th->key = key;
	th->tx = *tx;
	*out = th;
	return CCTSA_OK;
}

void cctsa_trihard_free(cctsa_trihard *th)
{
	if (th == NULL) {
		return;
	}
	for (size_t i = 0; i < th->n_peers; i++) {
		EVP_PKEY_free(th->peers[i].pub);
	}
	EVP_PKEY_free(th->key);
	cctsa_mem_free(th);
}

static th_peer *find_peer(cctsa_trihard *th, uint32_t id)
{
	for (size_t i = 0; i < th->n_peers; i++) {
		if (th->peers[i].id == id) {
			return &th->peers[i];
		}
	}
	return NULL;
}

cctsa_err cctsa_trihard_add_peer(cctsa_trihard *th, uint32_t node_id, void *pub)
{
	th_peer *p;

	if (th == NULL || !is_p384(pub) || node_id == th->id || find_peer(th, node_id) != NULL) {
		return CCTSA_E_USAGE;
	}
	if (th->n_peers == CCTSA_TRIHARD_MAX_NODES - 1) {
		return CCTSA_E_RESOURCE;
	}
	if (EVP_PKEY_up_ref(pub) != 1) {
		return CCTSA_E_CRYPTO;
	}
	p = &th->peers[th->n_peers++];
	memset(p, 0, sizeof(*p));
	p->id = node_id;
	p->pub = pub;
	return CCTSA_OK;
}

int cctsa_trihard_withdrawn(const cctsa_trihard *th)
{
	return th->withdrawn;
}

static cctsa_err th_sign(EVP_PKEY *key, const uint8_t *body, size_t blen, uint8_t *sig, size_t *slen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	cctsa_err err = CCTSA_OK;

	if (md == NULL || EVP_DigestSignInit_ex(md, NULL, "SHA384", NULL, NULL, key, NULL) != 1 ||
	    EVP_DigestSign(md, sig, slen, body, blen) != 1) {
		err = CCTSA_E_CRYPTO;
	}
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return err;
}

static int th_verify(EVP_PKEY *pub, const uint8_t *body, size_t blen, const uint8_t *sig, size_t slen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md != NULL && EVP_DigestVerifyInit_ex(md, NULL, "SHA384", NULL, NULL, pub, NULL) == 1 &&
		 EVP_DigestVerify(md, sig, slen, body, blen) == 1;

	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

cctsa_err cctsa_trihard_round_begin(cctsa_trihard *th, uint64_t round, int64_t local_ns,
				    int64_t error_ns)
{
	uint8_t msg[CCTSA_TRIHARD_MSG_MAX];
	size_t slen = CCTSA_TRIHARD_MSG_MAX - TH_BODY_LEN - 2;
	cctsa_buf b;
	cctsa_err err = CCTSA_OK;

	if (th == NULL || (th->started && round <= th->round) || error_ns < 0) {
		return CCTSA_E_USAGE;
	}
	th->round = round;
	th->started = 1;
	for (size_t i = 0; i < th->n_peers; i++) {
		th->peers[i].have = 0;
	}
	cctsa_buf_init_fixed(&b, msg, sizeof(msg));
	CCTSA_TRY(cctsa_buf_put_u32be(&b, TH_MAGIC));
	CCTSA_TRY(cctsa_buf_put_u32be(&b, th->id));
	CCTSA_TRY(cctsa_buf_put_u64be(&b, round));
	CCTSA_TRY(cctsa_buf_put_u64be(&b, (uint64_t)local_ns));
	CCTSA_TRY(cctsa_buf_put_u64be(&b, (uint64_t)error_ns));
	CCTSA_TRY(cctsa_buf_put_u8(&b, th->withdrawn ? TH_FLAG_WITHDRAWN : 0));
	CCTSA_TRY(th_sign(th->key, msg, TH_BODY_LEN, msg + TH_BODY_LEN + 2, &slen));
	CCTSA_TRY(cctsa_buf_put_u16be(&b, (uint16_t)slen));
	b.len += slen; /* the signature was written in place after the length */
	CCTSA_TRY(th->tx.broadcast(th->tx.ctx, msg, b.len));
out:
	return err;
}

static void rtt_add(th_peer *p, int64_t rtt, uint32_t window)
{
	p->rtt[p->rtt_pos] = rtt;
	p->rtt_pos = (p->rtt_pos + 1) % window;
	if (p->rtt_n < window) {
		p->rtt_n++;
	}
}

static int64_t rtt_avg(const th_peer *p)
{
	int64_t sum = 0;

	for (size_t i = 0; i < p->rtt_n; i++) {
		sum += p->rtt[i];
	}
	return p->rtt_n != 0 ? sum / (int64_t)p->rtt_n : 0;
}

cctsa_err cctsa_trihard_receive(cctsa_trihard *th, const uint8_t *msg, size_t len,
				int64_t local_rx_ns, int64_t rtt_ns, cctsa_diag *diag)
{
	cctsa_cursor c;
	uint32_t magic = 0, id = 0;
	uint64_t round = 0, t = 0, e = 0;
	uint16_t slen = 0;
	uint8_t flags = 0;
	const uint8_t *sig = NULL;
	th_peer *p;

	if (th == NULL || (msg == NULL && len != 0) || rtt_ns < 0 || rtt_ns > INT64_MAX / 4) {
		return CCTSA_E_USAGE;
	}
	cctsa_cursor_init(&c, msg, len);
	if (cctsa_cursor_get_u32be(&c, &magic) != CCTSA_OK || cctsa_cursor_get_u32be(&c, &id) != CCTSA_OK ||
	    cctsa_cursor_get_u64be(&c, &round) != CCTSA_OK || cctsa_cursor_get_u64be(&c, &t) != CCTSA_OK ||
	    cctsa_cursor_get_u64be(&c, &e) != CCTSA_OK || cctsa_cursor_get_u8(&c, &flags) != CCTSA_OK ||
	    cctsa_cursor_get_u16be(&c, &slen) != CCTSA_OK ||
	    cctsa_cursor_get_view(&c, &sig, slen) != CCTSA_OK || cctsa_cursor_finish(&c) != CCTSA_OK ||
	    magic != TH_MAGIC || (flags & ~TH_FLAG_WITHDRAWN) != 0 || (int64_t)t > INT64_MAX / 4 ||
	    (int64_t)t < -(INT64_MAX / 4)) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "TriHaRd: malformed message (%zu bytes)", len);
	}
	if (id == th->id) {
		return cctsa_fail(diag, CCTSA_E_STATE, "TriHaRd: message carries our own node id");
	}
	p = find_peer(th, id);
	if (p == NULL || !th_verify(p->pub, msg, TH_BODY_LEN, sig, slen)) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "TriHaRd: %s node %u", p == NULL ? "unknown" : "bad signature from", id);
	}
	if (!th->started || round != th->round || p->have) {
		return cctsa_fail(diag, CCTSA_E_STATE, "TriHaRd: node %u round %llu is %s", id,
				  (unsigned long long)round, p->have ? "a duplicate" : "not the current round");
	}
	rtt_add(p, rtt_ns, th->cfg.rtt_window);
	p->have = 1;
	p->withdrawn = (flags & TH_FLAG_WITHDRAWN) != 0;
	p->dev = (int64_t)t + rtt_avg(p) / 2 - local_rx_ns;
	return CCTSA_OK;
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

cctsa_err cctsa_trihard_round_end(cctsa_trihard *th, cctsa_trihard_result *res)
{
	int64_t v[CCTSA_TRIHARD_MAX_NODES];
	size_t n = 0;
	uint8_t was;

	if (th == NULL || res == NULL || !th->started) {
		return CCTSA_E_USAGE;
	}
	memset(res, 0, sizeof(*res));
	v[n++] = 0; /* our own reading */
	for (size_t i = 0; i < th->n_peers; i++) {
		if (th->peers[i].have && !th->peers[i].withdrawn) {
			v[n++] = th->peers[i].dev;
		}
	}
	res->readings = n;
	if (2 * n <= th->n_peers + 1) {
		return CCTSA_E_STATE; /* no quorum: nothing decided this round */
	}
	for (size_t i = 1; i < n; i++) {
		int64_t x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1] > x; j--) {
			v[j] = v[j - 1];
		}
		v[j] = x;
	}
	res->median_ns = n % 2 ? v[n / 2] : v[n / 2 - 1] / 2 + v[n / 2] / 2;
	was = th->withdrawn;
	if (abs64(res->median_ns) > th->cfg.tolerance_ns) {
		th->withdrawn = 1;
		th->good_rounds = 0;
	} else if (th->withdrawn && ++th->good_rounds >= th->cfg.rejoin_rounds) {
		th->withdrawn = 0;
		th->good_rounds = 0;
	}
	for (size_t i = 0; i < th->n_peers; i++) {
		const th_peer *p = &th->peers[i];
		if (!p->have || p->withdrawn || abs64(p->dev - res->median_ns) > th->cfg.tolerance_ns) {
			res->excluded[res->n_excluded++] = p->id;
		}
	}
	res->withdrawn = th->withdrawn;
	res->changed = was != th->withdrawn;
	res->good_rounds = th->good_rounds;
	return CCTSA_OK;
}
