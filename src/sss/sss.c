/* Shamir split and combine over GF(2^8); shard objects and their checksum. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "base/ct.h"
#include "sss/sss_int.h"

/* Secret bytes processed per batch of random coefficients. */
#define SPLIT_CHUNK 64

cctsa_sss_shard *cctsa_sss_shard_alloc(size_t len)
{
	size_t total;

	if (!cctsa_size_add(&total, sizeof(cctsa_sss_shard), len)) {
		return NULL;
	}
	return cctsa_secret_alloc(total);
}

void cctsa_sss_shard_free(cctsa_sss_shard *s)
{
	cctsa_secret_free(s);
}

unsigned cctsa_sss_shard_index(const cctsa_sss_shard *s)
{
	return s->index;
}

unsigned cctsa_sss_shard_threshold(const cctsa_sss_shard *s)
{
	return s->threshold;
}

unsigned cctsa_sss_shard_total(const cctsa_sss_shard *s)
{
	return s->total;
}

size_t cctsa_sss_shard_secret_len(const cctsa_sss_shard *s)
{
	return s->len;
}

const uint8_t *cctsa_sss_shard_set_id(const cctsa_sss_shard *s)
{
	return s->set_id;
}

const char *cctsa_sss_shard_name(const cctsa_sss_shard *s)
{
	return s->name;
}

void cctsa_sss_shard_set_name(cctsa_sss_shard *s, const char *name)
{
	snprintf(s->name, sizeof(s->name), "%s", name != NULL ? name : "shard");
}

cctsa_err cctsa_sss_shard_check(uint8_t out[CCTSA_SSS_CHECK_LEN], const cctsa_sss_shard *s)
{
	static const char domain[] = "cctsa-shard-v1"; /* hashed with its NUL */
	uint8_t hdr[3 + 4], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	hdr[0] = s->threshold;
	hdr[1] = s->total;
	hdr[2] = s->index;
	hdr[3] = (uint8_t)(s->len >> 24);
	hdr[4] = (uint8_t)(s->len >> 16);
	hdr[5] = (uint8_t)(s->len >> 8);
	hdr[6] = (uint8_t)s->len;
	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, domain, sizeof(domain)) == 1 &&
	     EVP_DigestUpdate(ctx, s->set_id, sizeof(s->set_id)) == 1 &&
	     EVP_DigestUpdate(ctx, hdr, sizeof(hdr)) == 1 &&
	     EVP_DigestUpdate(ctx, s->payload, s->len) == 1 && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 &&
	     mdlen >= CCTSA_SSS_CHECK_LEN;
	EVP_MD_CTX_free(ctx);
	if (ok) {
		memcpy(out, md, CCTSA_SSS_CHECK_LEN);
	}
	cctsa_wipe(md, sizeof(md));
	return ok ? CCTSA_OK : CCTSA_E_CRYPTO;
}

static cctsa_err split_check_args(size_t len, unsigned m, unsigned n, cctsa_diag *diag)
{
	if (len == 0 || len > CCTSA_SSS_MAX_SECRET) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "secret length %zu is outside 1..%u bytes", len,
				  (unsigned)CCTSA_SSS_MAX_SECRET);
	}
	if (n < 2 || n > CCTSA_SSS_MAX_SHARES) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "number of shares %u is outside 2..%u", n,
				  (unsigned)CCTSA_SSS_MAX_SHARES);
	}
	if (m < 2 || m > n) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "threshold %u is outside 2..%u (the number of shares)",
				  m, n);
	}
	return CCTSA_OK;
}

/* Evaluates the polynomials of secret[off..off+c) (random higher coefficients) at 1..n. */
static cctsa_err split_chunk(cctsa_sss_shard **out, const uint8_t *secret, size_t off, size_t c,
			     unsigned m, unsigned n, uint8_t *coefs)
{
	uint8_t row[CCTSA_SSS_MAX_SHARES];
	cctsa_err err;

	err = cctsa_rand_bytes(coefs, c * (m - 1));
	if (err != CCTSA_OK) {
		return err;
	}
	for (size_t b = 0; b < c; b++) {
		row[0] = secret[off + b];
		memcpy(row + 1, coefs + b * (m - 1), m - 1);
		for (unsigned i = 0; i < n; i++) {
			out[i]->payload[off + b] = cctsa_sss_poly_eval(row, m, (uint8_t)(i + 1));
		}
	}
	cctsa_wipe(row, sizeof(row));
	return CCTSA_OK;
}

cctsa_err cctsa_sss_split(cctsa_sss_shard **out, const uint8_t *secret, size_t len, unsigned m,
			  unsigned n, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	uint8_t set_id[CCTSA_SSS_SET_ID_LEN];
	uint8_t *coefs = NULL;

	CCTSA_TRY(split_check_args(len, m, n, diag));
	for (unsigned i = 0; i < n; i++) {
		out[i] = NULL;
	}
	coefs = cctsa_secret_alloc(SPLIT_CHUNK * (CCTSA_SSS_MAX_SHARES - 1));
	CCTSA_ENSURE(coefs != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "no locked memory"));
	CCTSA_TRY(cctsa_rand_bytes(set_id, sizeof(set_id)));
	for (unsigned i = 0; i < n; i++) {
		out[i] = cctsa_sss_shard_alloc(len);
		CCTSA_ENSURE(out[i] != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "no locked memory"));
		memcpy(out[i]->set_id, set_id, sizeof(set_id));
		out[i]->threshold = (uint8_t)m;
		out[i]->total = (uint8_t)n;
		out[i]->index = (uint8_t)(i + 1);
		out[i]->len = len;
		snprintf(out[i]->name, sizeof(out[i]->name), "shard %u", i + 1);
	}
	for (size_t off = 0; off < len; off += SPLIT_CHUNK) {
		size_t c = len - off < SPLIT_CHUNK ? len - off : SPLIT_CHUNK;
		CCTSA_TRY(split_chunk(out, secret, off, c, m, n, coefs));
	}
out:
	cctsa_secret_free(coefs);
	if (err != CCTSA_OK && err != CCTSA_E_USAGE) {
		(void)cctsa_fail(diag, err, "cannot split the secret: %s", cctsa_err_name(err));
		for (unsigned i = 0; i < n; i++) {
			cctsa_sss_shard_free(out[i]);
			out[i] = NULL;
		}
	}
	return err;
}

static void set_hex(char out[2 * CCTSA_SSS_SET_ID_LEN + 1], const cctsa_sss_shard *s)
{
	if (cctsa_hex_encode(out, 2 * CCTSA_SSS_SET_ID_LEN + 1, s->set_id, sizeof(s->set_id)) !=
	    CCTSA_OK) {
		out[0] = '\0';
	}
}

/* Every shard against the first: same set and parameters, no index twice. */
static cctsa_err combine_check_set(cctsa_sss_shard *const *sh, size_t count, cctsa_diag *diag)
{
	const cctsa_sss_shard *a = sh[0];
	char ha[2 * CCTSA_SSS_SET_ID_LEN + 1], hb[2 * CCTSA_SSS_SET_ID_LEN + 1];

	for (size_t k = 1; k < count; k++) {
		const cctsa_sss_shard *b = sh[k];

		if (cctsa_memcmp_var(a->set_id, b->set_id, sizeof(a->set_id)) != 0) {
			set_hex(ha, a);
			set_hex(hb, b);
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "%s belongs to another set (%s) than %s (%s): a foreign shard",
					  b->name, hb, a->name, ha);
		}
		if (a->threshold != b->threshold || a->total != b->total || a->len != b->len) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "%s (%u-of-%u, %zu bytes) disagrees with %s (%u-of-%u, %zu bytes) "
					  "although both name the same set",
					  b->name, b->threshold, b->total, b->len, a->name, a->threshold,
					  a->total, a->len);
		}
		for (size_t j = 0; j < k; j++) {
			if (sh[j]->index == b->index) {
				return cctsa_fail(diag, CCTSA_E_MALFORMED,
						  "%s duplicates index %u of %s: each custodian's shard "
						  "counts once",
						  b->name, b->index, sh[j]->name);
			}
		}
	}
	return CCTSA_OK;
}

/* out[b] = sum lambda[i] * sh[i]->payload[b] over the first m shards, for every byte. */
static void interpolate(uint8_t *out, cctsa_sss_shard *const *sh, unsigned m, uint8_t x)
{
	uint8_t xs[CCTSA_SSS_MAX_SHARES], lambda[CCTSA_SSS_MAX_SHARES];

	for (unsigned i = 0; i < m; i++) {
		xs[i] = sh[i]->index;
	}
	cctsa_sss_lagrange(lambda, xs, m, x);
	for (size_t b = 0; b < sh[0]->len; b++) {
		uint8_t v = 0;
		for (unsigned i = 0; i < m; i++) {
			v ^= cctsa_sss_gf_mul(lambda[i], sh[i]->payload[b]);
		}
		out[b] = v;
	}
}

/* Each shard beyond the first m must equal the interpolation at its index. */
static cctsa_err combine_check_extra(cctsa_sss_shard *const *sh, size_t count, cctsa_diag *diag)
{
	unsigned m = sh[0]->threshold;
	uint8_t *tmp = cctsa_secret_alloc(sh[0]->len);
	cctsa_err err = CCTSA_OK;

	if (tmp == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "no locked memory");
	}
	for (size_t e = m; e < count && err == CCTSA_OK; e++) {
		uint32_t same;

		interpolate(tmp, sh, m, sh[e]->index);
		same = cctsa_ct_memeq(tmp, sh[e]->payload, sh[0]->len);
		/* Public: whether the shards are consistent is the outcome the operator sees. */
		CCTSA_PUBLIC(&same, sizeof(same));
		if (!same) {
			err = cctsa_fail(diag, CCTSA_E_VERIFY,
					 "%s does not agree with the other shards (%s, ...): one of "
					 "them is damaged or forged although its checksum is right",
					 sh[e]->name, sh[0]->name);
		}
	}
	cctsa_secret_free(tmp);
	return err;
}

cctsa_err cctsa_sss_combine(uint8_t **secret_out, size_t *len_out, cctsa_sss_shard *const *shards,
			    size_t count, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	uint8_t *sec = NULL;
	char hx[2 * CCTSA_SSS_SET_ID_LEN + 1];

	*secret_out = NULL;
	*len_out = 0;
	if (count == 0) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "no shards given");
	}
	CCTSA_TRY(combine_check_set(shards, count, diag));
	if (count < shards[0]->threshold) {
		set_hex(hx, shards[0]);
		return cctsa_fail(diag, CCTSA_E_STATE,
				  "only %zu distinct shard(s) of set %s given; %u are needed", count,
				  hx, shards[0]->threshold);
	}
	if (count > shards[0]->threshold) {
		CCTSA_TRY(combine_check_extra(shards, count, diag));
	}
	sec = cctsa_secret_alloc(shards[0]->len);
	CCTSA_ENSURE(sec != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "no locked memory"));
	interpolate(sec, shards, shards[0]->threshold, 0);
	*secret_out = sec;
	*len_out = shards[0]->len;
	sec = NULL;
out:
	cctsa_secret_free(sec);
	return err;
}
