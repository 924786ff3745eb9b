/*
 * sss: GF(2^8) arithmetic against a slow reference (all 65,536 products), every
 * M-subset rebuilds and every smaller one is refused, perfect secrecy of M-1 shares
 * shown exhaustively for small thresholds, the shard text form (round trip, every
 * truncation, every bit flip), and refusal of corrupted, foreign, duplicated and mixed
 * shards with a message naming them.
 */
#include <png.h>
#include <qrencode.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cctsa/sss.h"
#include "sss/sss_int.h"

/* Schoolbook carry-less product, then long division by 0x11b. */
static uint8_t slow_mul(uint8_t a, uint8_t b)
{
	uint32_t p = 0;

	for (int i = 0; i < 8; i++) {
		if ((b >> i) & 1) {
			p ^= (uint32_t)a << i;
		}
	}
	for (int bit = 14; bit >= 8; bit--) {
		if (p & (1u << bit)) {
			p ^= 0x11bu << (bit - 8);
		}
	}
	return (uint8_t)p;
}

static void test_gf(void)
{
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			CHECK(cctsa_sss_gf_mul((uint8_t)a, (uint8_t)b) == slow_mul((uint8_t)a, (uint8_t)b));
		}
	}
	CHECK(cctsa_sss_gf_mul(0x53, 0xca) == 0x01); /* FIPS 197 §4.4 example */
	CHECK(cctsa_sss_gf_mul(0x57, 0x83) == 0xc1); /* FIPS 197 §4.2 example */
	CHECK(cctsa_sss_gf_inv(0) == 0);
	for (unsigned a = 1; a < 256; a++) {
		CHECK(cctsa_sss_gf_mul((uint8_t)a, cctsa_sss_gf_inv((uint8_t)a)) == 1);
	}
	fprintf(stderr, "gf: 65536 products and 255 inverses ok\n");
}

static void free_all(cctsa_sss_shard **s, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		cctsa_sss_shard_free(s[i]);
		s[i] = NULL;
	}
}

static unsigned popcount(unsigned v)
{
	unsigned c = 0;
	for (; v; v &= v - 1) {
		c++;
	}
	return c;
}

/* Every subset of the n shards: >= m rebuild the secret (in two orders), < m are refused. */
static unsigned check_subsets(cctsa_sss_shard **sh, unsigned m, unsigned n, const uint8_t *secret,
			      size_t len)
{
	unsigned good = 0;

	for (unsigned mask = 1; mask < (1u << n); mask++) {
		cctsa_sss_shard *pick[CCTSA_SSS_MAX_SHARES], *rev[CCTSA_SSS_MAX_SHARES];
		unsigned k = 0;
		uint8_t *out = (uint8_t *)1;
		size_t out_len = 99;
		cctsa_diag d;

		for (unsigned i = 0; i < n; i++) {
			if (mask & (1u << i)) {
				pick[k++] = sh[i];
			}
		}
		for (unsigned i = 0; i < k; i++) {
			rev[i] = pick[k - 1 - i];
		}
		cctsa_diag_reset(&d);
		if (popcount(mask) < m) {
			CHECK_ERR(cctsa_sss_combine(&out, &out_len, pick, k, &d), CCTSA_E_STATE);
			CHECK(out == NULL && out_len == 0);
			CHECK(strstr(d.msg, "needed") != NULL);
			continue;
		}
		CHECK_OK(cctsa_sss_combine(&out, &out_len, pick, k, &d));
		CHECK(out_len == len);
		CHECK_MEMEQ(out, secret, len);
		cctsa_secret_free(out);
		CHECK_OK(cctsa_sss_combine(&out, &out_len, rev, k, &d));
		CHECK_MEMEQ(out, secret, len);
		cctsa_secret_free(out);
		good++;
	}
	return good;
}

static void test_subsets(uint64_t *rng)
{
	static const unsigned params[][2] = {{2, 2}, {2, 3}, {3, 5}, {4, 6}, {5, 5}, {3, 7}, {7, 9}};
	static const size_t lens[] = {1, 31, 32, 33, 48, 4032};

	for (size_t p = 0; p < sizeof(params) / sizeof(params[0]); p++) {
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			unsigned m = params[p][0], n = params[p][1];
			cctsa_sss_shard *sh[CCTSA_SSS_MAX_SHARES];
			uint8_t *secret = cctsa_secret_alloc(lens[l]);
			unsigned good;

			CHECK(secret != NULL);
			for (size_t i = 0; i < lens[l]; i++) {
				secret[i] = (uint8_t)check_rand(rng);
			}
			CHECK_OK(cctsa_sss_split(sh, secret, lens[l], m, n, NULL));
			for (unsigned i = 0; i < n; i++) {
				CHECK(cctsa_sss_shard_index(sh[i]) == i + 1);
				CHECK(cctsa_sss_shard_threshold(sh[i]) == m);
				CHECK(cctsa_sss_shard_total(sh[i]) == n);
				CHECK(cctsa_sss_shard_secret_len(sh[i]) == lens[l]);
			}
			good = check_subsets(sh, m, n, secret, lens[l]);
			if (l == 0) {
				fprintf(stderr, "subsets %u-of-%u: %u rebuild, %u refused\n", m, n, good,
					(1u << n) - 1 - good);
			}
			free_all(sh, n);
			cctsa_secret_free(secret);
		}
	}
}

/*
 * Perfect secrecy, exhaustively: for a fixed secret byte s, as the m-1 random coefficients
 * range over all values, the m-1 shares at distinct indices take every value tuple exactly
 * once, whatever s is. So m-1 shares are equally consistent with every candidate secret.
 */
static void test_secrecy_m2(void)
{
	for (unsigned x = 1; x < 256; x++) {
		for (unsigned s = 0; s < 256; s += (x < 4 ? 1 : 51)) {
			uint8_t seen[256] = {0};
			for (unsigned a = 0; a < 256; a++) {
				uint8_t c[2] = {(uint8_t)s, (uint8_t)a};
				seen[cctsa_sss_poly_eval(c, 2, (uint8_t)x)]++;
			}
			for (unsigned y = 0; y < 256; y++) {
				CHECK(seen[y] == 1);
			}
		}
	}
}

static void test_secrecy_m3(void)
{
	static const uint8_t pairs[][2] = {{1, 2}, {2, 5}, {7, 255}};
	static const uint8_t secrets[] = {0x00, 0x5c, 0xff};
	static uint8_t seen[65536];

	for (size_t p = 0; p < 3; p++) {
		for (size_t si = 0; si < 3; si++) {
			memset(seen, 0, sizeof(seen));
			for (unsigned a = 0; a < 65536; a++) {
				uint8_t c[3] = {secrets[si], (uint8_t)a, (uint8_t)(a >> 8)};
				unsigned y1 = cctsa_sss_poly_eval(c, 3, pairs[p][0]);
				unsigned y2 = cctsa_sss_poly_eval(c, 3, pairs[p][1]);
				seen[y1 << 8 | y2]++;
			}
			for (unsigned v = 0; v < 65536; v++) {
				CHECK(seen[v] == 1);
			}
		}
	}
}

/* Two real shards of a 3-of-5 split: each candidate secret has exactly one polynomial. */
static void test_secrecy_real(void)
{
	cctsa_sss_shard *sh[5];
	uint8_t secret = 0xa7;
	unsigned hits = 0;

	CHECK_OK(cctsa_sss_split(sh, &secret, 1, 3, 5, NULL));
	for (unsigned s = 0; s < 256; s++) {
		unsigned count = 0;
		for (unsigned a = 0; a < 65536; a++) {
			uint8_t c[3] = {(uint8_t)s, (uint8_t)a, (uint8_t)(a >> 8)};
			if (cctsa_sss_poly_eval(c, 3, 2) == sh[1]->payload[0] &&
			    cctsa_sss_poly_eval(c, 3, 4) == sh[3]->payload[0]) {
				count++;
			}
		}
		CHECK(count == 1);
		hits++;
	}
	CHECK(hits == 256);
	free_all(sh, 5);
	fprintf(stderr, "secrecy: m=2 all indices, m=3 exhaustive pairs, real shards: ok\n");
}

static void test_lagrange(void)
{
	/* f(x) = 7 + 3x + 9x^2: any three points rebuild f(0) and predict a fourth. */
	uint8_t c[3] = {7, 3, 9}, xs[3] = {4, 9, 200}, lam[3], v = 0;

	cctsa_sss_lagrange(lam, xs, 3, 0);
	for (int i = 0; i < 3; i++) {
		v ^= cctsa_sss_gf_mul(lam[i], cctsa_sss_poly_eval(c, 3, xs[i]));
	}
	CHECK(v == 7);
	cctsa_sss_lagrange(lam, xs, 3, 33);
	v = 0;
	for (int i = 0; i < 3; i++) {
		v ^= cctsa_sss_gf_mul(lam[i], cctsa_sss_poly_eval(c, 3, xs[i]));
	}
	CHECK(v == cctsa_sss_poly_eval(c, 3, 33));
}

static void test_split_args(void)
{
	cctsa_sss_shard *sh[CCTSA_SSS_MAX_SHARES];
	uint8_t s[4] = {1, 2, 3, 4};
	cctsa_diag d;

	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_sss_split(sh, s, 4, 1, 5, &d), CCTSA_E_USAGE);
	CHECK(strstr(d.msg, "threshold") != NULL);
	CHECK_ERR(cctsa_sss_split(sh, s, 4, 6, 5, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_sss_split(sh, s, 4, 2, 1, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_sss_split(sh, s, 4, 2, 256, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_sss_split(sh, s, 0, 2, 3, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_sss_split(sh, s, CCTSA_SSS_MAX_SECRET + 1, 2, 3, NULL), CCTSA_E_USAGE);
	CHECK_OK(cctsa_sss_split(sh, s, 4, 255, 255, NULL));
	CHECK(cctsa_sss_shard_index(sh[254]) == 255);
	free_all(sh, 255);
}


static char *encode(const cctsa_sss_shard *s, size_t *len)
{
	char *t = NULL;
	CHECK_OK(cctsa_sss_shard_encode(&t, len, s, NULL));
	CHECK(strlen(t) == *len);
	return t;
}

static void test_text_roundtrip(cctsa_sss_shard *s)
{
	size_t len, len2;
	char *t = encode(s, &len), *t2;
	cctsa_sss_shard *p = NULL;

	CHECK_OK(cctsa_sss_shard_parse(&p, (const uint8_t *)t, len, "custodian-a.txt", NULL));
	CHECK(cctsa_sss_shard_index(p) == cctsa_sss_shard_index(s));
	CHECK(cctsa_sss_shard_threshold(p) == cctsa_sss_shard_threshold(s));
	CHECK(cctsa_sss_shard_total(p) == cctsa_sss_shard_total(s));
	CHECK(cctsa_sss_shard_secret_len(p) == cctsa_sss_shard_secret_len(s));
	CHECK_MEMEQ(cctsa_sss_shard_set_id(p), cctsa_sss_shard_set_id(s), CCTSA_SSS_SET_ID_LEN);
	CHECK_MEMEQ(p->payload, s->payload, s->len);
	CHECK(strcmp(cctsa_sss_shard_name(p), "custodian-a.txt") == 0);
	t2 = encode(p, &len2);
	CHECK(len2 == len);
	CHECK_MEMEQ(t2, t, len);
	cctsa_secret_free(t2);
	cctsa_sss_shard_free(p);
	cctsa_secret_free(t);
}

/* Every proper prefix fails (except dropping the final LF); every single-bit flip fails. */
static void test_text_damage(cctsa_sss_shard *s)
{
	size_t len;
	char *t = encode(s, &len);
	uint8_t *w = cctsa_mem_dup(t, len);
	cctsa_sss_shard *p = NULL;
	unsigned flips = 0;

	CHECK(w != NULL);
	for (size_t cut = 0; cut < len; cut++) {
		cctsa_err e = cctsa_sss_shard_parse(&p, w, cut, "cut", NULL);
		if (cut == len - 1) {
			CHECK_OK(e);
			cctsa_sss_shard_free(p);
		} else {
			CHECK(e == CCTSA_E_MALFORMED && p == NULL);
		}
	}
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			cctsa_err e;
			w[i] ^= (uint8_t)(1u << bit);
			e = cctsa_sss_shard_parse(&p, w, len, "flip", NULL);
			if (e == CCTSA_OK) {
				fprintf(stderr, "flip of bit %d at offset %zu accepted\n", bit, i);
			}
			CHECK(e != CCTSA_OK && p == NULL);
			w[i] ^= (uint8_t)(1u << bit);
			flips++;
		}
	}
	cctsa_mem_free(w);
	cctsa_secret_free(t);
	fprintf(stderr, "text: %zu truncations, %u bit flips refused\n", len, flips);
}

static void expect_parse_fail(const char *text, cctsa_err code, const char *needle)
{
	cctsa_sss_shard *p = NULL;
	cctsa_diag d;

	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_sss_shard_parse(&p, (const uint8_t *)text, strlen(text), "bob.shard", &d),
		  code);
	CHECK(p == NULL);
	if (strstr(d.msg, needle) == NULL || strstr(d.msg, "bob.shard") == NULL) {
		fprintf(stderr, "message \"%s\" lacks \"%s\" or the name\n", d.msg, needle);
		CHECK(0);
	}
}

static void test_text_errors(cctsa_sss_shard *s)
{
	size_t len;
	char *t = encode(s, &len);
	char *w = cctsa_mem_dup(t, len + 1), *at;

	CHECK(w != NULL);
	/* a mistyped payload digit: checksum */
	at = strstr(w, "payload:\n") + 9;
	*at = *at == '0' ? '1' : '0';
	expect_parse_fail(w, CCTSA_E_MALFORMED, "checksum mismatch");
	memcpy(w, t, len);
	at = strstr(w, "payload:\n") + 9;
	*at = 'A';
	expect_parse_fail(w, CCTSA_E_MALFORMED, "lowercase hex");
	memcpy(w, t, len);
	at = strstr(w, "version: 1");
	at[9] = '2';
	expect_parse_fail(w, CCTSA_E_UNSUPPORTED, "version 2");
	memcpy(w, t, len);
	at = strstr(w, "index: ");
	at[7] = '9';
	expect_parse_fail(w, CCTSA_E_MALFORMED, "index 9 is outside");
	memcpy(w, t, len);
	at = strstr(w, "index: ");
	at[7] = '0';
	expect_parse_fail(w, CCTSA_E_MALFORMED, "index");
	cctsa_mem_free(w);
	cctsa_secret_free(t);
	expect_parse_fail("", CCTSA_E_MALFORMED, "ends early");
	expect_parse_fail("hello\n", CCTSA_E_MALFORMED, "BEGIN");
	expect_parse_fail("-----BEGIN CCTSA SHARD-----\nversion: 01\n", CCTSA_E_MALFORMED, "version");
	expect_parse_fail("-----BEGIN CCTSA SHARD-----\nversion: 1\nset: 00\n", CCTSA_E_MALFORMED,
			  "set");
	expect_parse_fail("-----BEGIN CCTSA SHARD-----\nversion: 1\n"
			  "set: 000102030405060708090a0b0c0d0e0f\nthreshold: 1\n",
			  CCTSA_E_MALFORMED, "threshold 1 is outside");
	expect_parse_fail("-----BEGIN CCTSA SHARD-----\nversion: 1\n"
			  "set: 000102030405060708090a0b0c0d0e0f\nthreshold: 3\nshares: 2\n",
			  CCTSA_E_MALFORMED, "shares 2 is outside");
}

static void test_text_crlf(cctsa_sss_shard *s)
{
	size_t len, k = 0;
	char *t = encode(s, &len);
	char *w = cctsa_mem_alloc(2 * len + 1);
	cctsa_sss_shard *p = NULL;

	CHECK(w != NULL);
	for (size_t i = 0; i < len; i++) {
		if (t[i] == '\n') {
			w[k++] = '\r';
		}
		w[k++] = t[i];
	}
	CHECK_OK(cctsa_sss_shard_parse(&p, (const uint8_t *)w, k, "crlf", NULL));
	CHECK_MEMEQ(p->payload, s->payload, s->len);
	cctsa_sss_shard_free(p);
	cctsa_mem_free(w);
	cctsa_secret_free(t);
}

/* The largest secret: its shard text (also with CRLF line ends) fits CCTSA_SSS_TEXT_MAX. */
static void test_text_max(void)
{
	uint8_t *secret = cctsa_secret_alloc(CCTSA_SSS_MAX_SECRET), *out = NULL;
	cctsa_sss_shard *sh[2], *p[2];
	size_t len, lines = 0, out_len = 0;
	char *t;

	CHECK(secret != NULL);
	memset(secret, 0xa5, CCTSA_SSS_MAX_SECRET);
	CHECK_OK(cctsa_sss_split(sh, secret, CCTSA_SSS_MAX_SECRET, 2, 2, NULL));
	for (int i = 0; i < 2; i++) {
		t = encode(sh[i], &len);
		for (size_t k = 0; k < len; k++) {
			lines += t[k] == '\n';
		}
		CHECK(len + lines <= CCTSA_SSS_TEXT_MAX);
		CHECK_OK(cctsa_sss_shard_parse(&p[i], (const uint8_t *)t, len, "max", NULL));
		cctsa_secret_free(t);
		lines = 0;
	}
	CHECK_OK(cctsa_sss_combine(&out, &out_len, p, 2, NULL));
	CHECK(out_len == CCTSA_SSS_MAX_SECRET);
	CHECK_MEMEQ(out, secret, out_len);
	cctsa_secret_free(out);
	free_all(sh, 2);
	free_all(p, 2);
	cctsa_secret_free(secret);
}

static void test_text(uint64_t *rng)
{
	static const size_t lens[] = {1, 32, 33, 100};

	for (size_t l = 0; l < 4; l++) {
		cctsa_sss_shard *sh[5];
		uint8_t secret[100];

		for (size_t i = 0; i < lens[l]; i++) {
			secret[i] = (uint8_t)check_rand(rng);
		}
		CHECK_OK(cctsa_sss_split(sh, secret, lens[l], 3, 5, NULL));
		for (unsigned i = 0; i < 5; i++) {
			test_text_roundtrip(sh[i]);
		}
		if (l == 2) {
			test_text_damage(sh[2]);
			test_text_errors(sh[0]);
			test_text_crlf(sh[4]);
		}
		free_all(sh, 5);
	}
	test_text_max();
}

static void expect_combine_fail(cctsa_sss_shard **pick, size_t k, cctsa_err code, const char *n1,
				const char *n2)
{
	uint8_t *out = NULL;
	size_t len = 7;
	cctsa_diag d;

	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_sss_combine(&out, &len, pick, k, &d), code);
	CHECK(out == NULL && len == 0);
	if (strstr(d.msg, n1) == NULL || (n2 != NULL && strstr(d.msg, n2) == NULL)) {
		fprintf(stderr, "message \"%s\" lacks \"%s\" / \"%s\"\n", d.msg, n1, n2 ? n2 : "");
		CHECK(0);
	}
}

static void test_combine_refusals(void)
{
	cctsa_sss_shard *a[5], *b[5], *c[4], *pick[5];
	uint8_t secret[40], *out = NULL;
	size_t len;

	memset(secret, 0x3c, sizeof(secret));
	CHECK_OK(cctsa_sss_split(a, secret, sizeof(secret), 3, 5, NULL));
	CHECK_OK(cctsa_sss_split(b, secret, sizeof(secret), 3, 5, NULL));
	CHECK_OK(cctsa_sss_split(c, secret, sizeof(secret), 3, 4, NULL));
	cctsa_sss_shard_set_name(a[0], "alice.shard");
	cctsa_sss_shard_set_name(a[1], "bob.shard");
	cctsa_sss_shard_set_name(a[2], "carol.shard");
	cctsa_sss_shard_set_name(a[3], "dave.shard");
	cctsa_sss_shard_set_name(b[3], "mallory.shard");

	/* foreign: a shard of another split with the same parameters */
	pick[0] = a[0], pick[1] = a[1], pick[2] = b[3];
	expect_combine_fail(pick, 3, CCTSA_E_MALFORMED, "mallory.shard", "foreign");
	/* duplicated: the same shard twice, or a copy */
	pick[2] = a[1];
	expect_combine_fail(pick, 3, CCTSA_E_MALFORMED, "bob.shard", "duplicates index 2");
	/* mixed parameters under one set id (a forged header) */
	memcpy(c[0]->set_id, a[0]->set_id, CCTSA_SSS_SET_ID_LEN);
	cctsa_sss_shard_set_name(c[0], "odd.shard");
	pick[2] = c[0];
	expect_combine_fail(pick, 3, CCTSA_E_MALFORMED, "odd.shard", "disagrees");
	/* too few */
	expect_combine_fail(pick, 2, CCTSA_E_STATE, "3 are needed", NULL);
	expect_combine_fail(pick, 0, CCTSA_E_USAGE, "no shards", NULL);
	/* corrupted payload (checksum bypassed in memory): caught by a fourth shard */
	a[3]->payload[5] ^= 0x40;
	pick[0] = a[0], pick[1] = a[1], pick[2] = a[2], pick[3] = a[3];
	expect_combine_fail(pick, 4, CCTSA_E_VERIFY, "dave.shard", NULL);
	a[3]->payload[5] ^= 0x40;
	CHECK_OK(cctsa_sss_combine(&out, &len, pick, 4, NULL));
	CHECK_MEMEQ(out, secret, sizeof(secret));
	cctsa_secret_free(out);
	free_all(a, 5);
	free_all(b, 5);
	free_all(c, 4);
	fprintf(stderr, "combine refusals: foreign, duplicate, mixed, too few, corrupted: ok\n");
}

/* The seed corpus was written by an independent Python encoder (hashlib): must parse. */
static void test_corpus_seeds(void)
{
	static const char *names[] = {"valid-3of5-48", "valid-2of2-1", "valid-255", "valid-crlf"};
	const char *src = getenv("CCTSA_SRC");

	CHECK(src != NULL);
	for (size_t i = 0; i < 4; i++) {
		char path[1024];
		cctsa_buf b;
		cctsa_sss_shard *p = NULL;
		cctsa_diag d;

		cctsa_diag_reset(&d);
		snprintf(path, sizeof(path), "%s/fuzz/corpus/shard/%s", src, names[i]);
		CHECK_OK(cctsa_file_read(&b, path, 1 << 20, NULL));
		if (cctsa_sss_shard_parse(&p, b.data, b.len, names[i], &d) != CCTSA_OK) {
			fprintf(stderr, "%s\n", d.msg);
			CHECK(0);
		}
		if (i == 0) {
			CHECK(p->len == 48 && p->index == 2 && p->payload[47] == (uint8_t)(7 * 47 + 1));
		}
		cctsa_sss_shard_free(p);
		cctsa_buf_free(&b);
	}
}

/* The PNG reads back (libpng) at the expected size, every pixel matching the QR matrix. */
static void test_qr_png(void)
{
	static const char text[] = "-----BEGIN CCTSA SHARD-----\nversion: 1\n";
	char path[] = "/tmp/sss_test_qr.XXXXXX";
	int fd = mkstemp(path);
	QRcode *qr = QRcode_encodeData((int)strlen(text), (const unsigned char *)text, 0, QR_ECLEVEL_M);
	png_image img;
	uint8_t *px;
	unsigned w, want, s = CCTSA_SSS_QR_SCALE, m = CCTSA_SSS_QR_MARGIN;
	struct stat st;

	CHECK(fd >= 0 && qr != NULL);
	close(fd);
	CHECK_ERR(cctsa_sss_qr_png(path, (const uint8_t *)text, strlen(text), NULL), CCTSA_E_IO);
	unlink(path);
	CHECK_ERR(cctsa_sss_qr_png(path, (const uint8_t *)text, 0, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_sss_qr_png(path, (const uint8_t *)text, CCTSA_SSS_QR_MAX + 1, NULL), CCTSA_E_USAGE);
	CHECK_OK(cctsa_sss_qr_png(path, (const uint8_t *)text, strlen(text), NULL));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	CHECK(png_image_begin_read_from_file(&img, path) != 0);
	w = (unsigned)qr->width;
	want = (w + 2 * m) * s;
	CHECK(img.width == want && img.height == want);
	img.format = PNG_FORMAT_GRAY;
	px = cctsa_mem_alloc(PNG_IMAGE_SIZE(img));
	CHECK(px != NULL && png_image_finish_read(&img, NULL, px, 0, NULL) != 0);
	for (unsigned y = 0; y < want; y++) {
		for (unsigned x = 0; x < want; x++) {
			unsigned mx = x / s, my = y / s;
			int dark = mx >= m && mx < m + w && my >= m && my < m + w &&
				   (qr->data[(my - m) * w + (mx - m)] & 1);
			CHECK(px[y * want + x] == (dark ? 0 : 255));
		}
	}
	cctsa_mem_free(px);
	QRcode_free(qr);
	unlink(path);
	fprintf(stderr, "qr: %ux%u PNG matches the %ux%u symbol\n", want, want, w, w);
}

int main(void)
{
	uint64_t rng = check_seed() | 1;

	test_gf();
	test_lagrange();
	test_split_args();
	test_subsets(&rng);
	test_secrecy_m2();
	test_secrecy_m3();
	test_secrecy_real();
	test_text(&rng);
	test_combine_refusals();
	test_corpus_seeds();
	test_qr_png();
	fprintf(stderr, "sss_test: ok\n");
	return 0;
}
