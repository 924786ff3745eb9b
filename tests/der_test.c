/* der: writer KATs, reader strictness, truncation / bit-flip / round-trip sweeps. */
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/objects.h>

#include "check.h"
#include "der_util.h"

static void hex_to(uint8_t *out, size_t cap, size_t *n, const char *hex)
{
	CHECK_OK(cctsa_hex_decode(out, cap, n, hex));
}

/* Checks that the buffer holds exactly the given hex. */
static void expect_hex(const cctsa_buf *b, const char *hex)
{
	uint8_t want[512];
	size_t n;

	hex_to(want, sizeof(want), &n, hex);
	if (b->len != n) {
		fprintf(stderr, "length %zu, expected %zu (%s)\n", b->len, n, hex);
	}
	CHECK(b->len == n);
	CHECK_MEMEQ(b->data, want, n);
}

#define W(call, hex)                          \
	do {                                  \
		cctsa_buf b_;                 \
		cctsa_buf_init(&b_, 0);       \
		cctsa_buf *w = &b_;           \
		CHECK_OK(call);               \
		expect_hex(w, hex);           \
		cctsa_buf_free(&b_);          \
	} while (0)

static void test_write_int(void)
{
	static const uint8_t m0[] = {0, 0, 0}, m1[] = {0, 0x80, 1}, m2[] = {0x7f, 0xff};

	W(cctsa_der_put_u64(w, 0), "020100");
	W(cctsa_der_put_u64(w, 1), "020101");
	W(cctsa_der_put_u64(w, 127), "02017f");
	W(cctsa_der_put_u64(w, 128), "02020080");
	W(cctsa_der_put_u64(w, 255), "020200ff");
	W(cctsa_der_put_u64(w, 256), "02020100");
	W(cctsa_der_put_u64(w, 0x7fffffffffffffffULL), "02087fffffffffffffff");
	W(cctsa_der_put_u64(w, UINT64_MAX), "020900ffffffffffffffff");
	W(cctsa_der_put_u64_tag(w, CCTSA_DER_CTX(1), 500), "810201f4");
	W(cctsa_der_put_uint(w, m0, sizeof(m0)), "020100");
	W(cctsa_der_put_uint(w, m0, 0), "020100");
	W(cctsa_der_put_uint(w, m1, sizeof(m1)), "0203008001");
	W(cctsa_der_put_uint(w, m2, sizeof(m2)), "02027fff");
}

static void test_write_misc(void)
{
	static const uint8_t bits[] = {0xa0};
	static const uint8_t oid[] = {0x2a, 0x86, 0x48};
	uint8_t big[300];
	cctsa_buf b;
	size_t m;

	W(cctsa_der_put_bool(w, 1), "0101ff");
	W(cctsa_der_put_bool(w, 0), "010100");
	W(cctsa_der_put_null(w), "0500");
	W(cctsa_der_put_oid_text(w, "1.2.840.10045.4.3.3"), "06082a8648ce3d040303");
	W(cctsa_der_put_oid_text(w, "2.16.840.1.101.3.4.3.18"), "0609608648016503040312");
	W(cctsa_der_put_oid_text(w, "1.3.6.1.4.1.32473.1.1"), "060a2b0601040181fd590101");
	W(cctsa_der_put_oid_text(w, "2.999.3"), "0603883703");
	W(cctsa_der_put_oid_text(w, "0.0"), "060100");
	W(cctsa_der_put_oid(w, oid, sizeof(oid)), "06032a8648");
	W(cctsa_der_put_octets(w, oid, 0), "0400");
	W(cctsa_der_put_bits(w, bits, 1, 5), "030205a0");
	W(cctsa_der_put_bits(w, bits, 0, 0), "030100");
	W(cctsa_der_put_utf8(w, "h\xc3\xa9", 3), "0c0368c3a9");
	W(cctsa_der_put_printable(w, "CC-TSA", 6), "130643432d545341");
	W(cctsa_der_put_ia5(w, "a@b", 3), "1603614062");
	/* 2026-11-22 01:02:03 UTC = 1795309323 */
	W(cctsa_der_put_gentime(w, 1795309323, 0), "180f32303236313132323031303230335a");
	W(cctsa_der_put_gentime(w, 1795309323, 500), "181132303236313132323031303230332e355a");
	W(cctsa_der_put_gentime(w, 1795309323, 120), "181232303236313132323031303230332e31325a");
	W(cctsa_der_put_gentime(w, 1795309323, 7), "181332303236313132323031303230332e3030375a");
	W(cctsa_der_put_utctime(w, 1795309323), "170d3236313132323031303230335a");
	W(cctsa_der_put_utctime(w, 0), "170d3730303130313030303030305a");
	W(cctsa_der_put_x509_time(w, INT64_C(2524608000)), "180f32303530303130313030303030305a");
	W(cctsa_der_put_gentime(w, -62167219200, 0), "180f30303030303130313030303030305a");

	cctsa_buf_init(&b, 0);
	CHECK_ERR(cctsa_der_put_oid_text(&b, "3.1"), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_oid_text(&b, "1.40"), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_oid_text(&b, "1"), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_oid_text(&b, "1.2."), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_oid_text(&b, "1.02"), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_oid_text(&b, "1.2.18446744073709551616"), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_oid(&b, oid, 2), CCTSA_E_USAGE); /* ends inside an arc */
	CHECK_ERR(cctsa_der_put_bits(&b, bits, 1, 6), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_bits(&b, bits, 0, 1), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_printable(&b, "a@b", 3), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_ia5(&b, "\xc3\xa9", 2), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_ia5(&b, "a\0b", 3), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_utf8(&b, "a\0b", 3), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_utf8(&b, "\xc0\x80", 2), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_utf8(&b, "\xed\xa0\x80", 3), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_gentime(&b, 0, 1000), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_gentime(&b, 253402300800, 0), CCTSA_E_USAGE); /* year 10000 */
	CHECK_ERR(cctsa_der_put_utctime(&b, INT64_C(2524608000)), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_put_tlv(&b, 0x1f, NULL, 0), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_begin(&b, 0x3f, &m), CCTSA_E_USAGE);
	CHECK(b.len == 0);
	/* Length forms: 127 short, 128 and 255 one octet, 256 two octets. */
	memset(big, 0x41, sizeof(big));
	CHECK_OK(cctsa_der_put_octets(&b, big, 127));
	CHECK(b.len == 129 && b.data[1] == 127);
	b.len = 0;
	CHECK_OK(cctsa_der_put_octets(&b, big, 128));
	CHECK(b.len == 131 && b.data[1] == 0x81 && b.data[2] == 128);
	b.len = 0;
	CHECK_OK(cctsa_der_put_octets(&b, big, 256));
	CHECK(b.len == 260 && b.data[1] == 0x82 && b.data[2] == 1 && b.data[3] == 0);
	cctsa_buf_free(&b);
}

static void test_write_nested(void)
{
	uint8_t fixed[8], big[200];
	cctsa_buf b;
	size_t m1, m2;

	cctsa_buf_init(&b, 0);
	CHECK_OK(cctsa_der_begin(&b, CCTSA_DER_SEQUENCE, &m1));
	CHECK_OK(cctsa_der_put_u64(&b, 5));
	CHECK_OK(cctsa_der_begin(&b, CCTSA_DER_CTX_CONS(0), &m2));
	CHECK_OK(cctsa_der_end(&b, m2));
	CHECK_OK(cctsa_der_end(&b, m1));
	expect_hex(&b, "3005020105a000");
	CHECK_ERR(cctsa_der_end(&b, 0), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_der_end(&b, 99), CCTSA_E_USAGE);
	b.len = 0;
	/* An outer value whose contents need a long length moves them. */
	memset(big, 7, sizeof(big));
	CHECK_OK(cctsa_der_begin(&b, CCTSA_DER_SEQUENCE, &m1));
	CHECK_OK(cctsa_der_put_octets(&b, big, sizeof(big)));
	CHECK_OK(cctsa_der_end(&b, m1));
	CHECK(b.len == 3 + 3 + 200 && b.data[0] == 0x30 && b.data[1] == 0x81 && b.data[2] == 203);
	CHECK(b.data[3] == 0x04 && b.data[4] == 0x81 && b.data[5] == 200 && b.data[205] == 7);
	b.len = 0;
	/* SET OF is sorted: by encoding, shorter padded with zeros. */
	CHECK_OK(cctsa_der_begin(&b, CCTSA_DER_SET, &m1));
	CHECK_OK(cctsa_der_put_u64(&b, 300));
	CHECK_OK(cctsa_der_put_octets(&b, big, 2));
	CHECK_OK(cctsa_der_put_u64(&b, 2));
	CHECK_OK(cctsa_der_put_bool(&b, 1));
	CHECK_OK(cctsa_der_put_u64(&b, 1));
	CHECK_OK(cctsa_der_end_set(&b, m1));
	expect_hex(&b, "31110101ff0201010201020202012c04020707");
	cctsa_buf_free(&b);
	/* A fixed buffer that is too small fails, never truncates. */
	cctsa_buf_init_fixed(&b, fixed, sizeof(fixed));
	CHECK_ERR(cctsa_der_put_octets(&b, big, 7), CCTSA_E_RESOURCE);
	CHECK(b.len == 0);
	cctsa_buf_free(&b);
}

/* Reads one element with cctsa_der_read and checks the result code. */
static cctsa_err read_hex(const char *hex, cctsa_der_elem *e)
{
	static uint8_t in[512];
	cctsa_cursor c;
	size_t n;

	hex_to(in, sizeof(in), &n, hex);
	cctsa_cursor_init(&c, in, n);
	return cctsa_der_read(&c, e, NULL);
}

static cctsa_err typed_hex(const char *hex)
{
	uint8_t in[128];
	size_t n;
	cctsa_cursor c;
	cctsa_buf out;
	cctsa_err err;

	hex_to(in, sizeof(in), &n, hex);
	cctsa_cursor_init(&c, in, n);
	cctsa_buf_init(&out, 0);
	err = der_util_reencode(&c, &out, 0);
	if (err == CCTSA_OK) {
		CHECK(out.len == n);
		CHECK_MEMEQ(out.data, in, n);
	}
	cctsa_buf_free(&out);
	return err;
}

static void test_read_strict(void)
{
	cctsa_der_elem e;
	cctsa_diag d;

	CHECK_OK(read_hex("0400", &e));
	CHECK(e.tag == 4 && e.val_len == 0 && e.der_len == 2);
	CHECK_ERR(read_hex("04817f00", &e), CCTSA_E_MALFORMED); /* long form for 127 */
	CHECK_ERR(read_hex("", &e), CCTSA_E_MALFORMED);
	CHECK_ERR(read_hex("04", &e), CCTSA_E_MALFORMED);
	CHECK_ERR(read_hex("0401", &e), CCTSA_E_MALFORMED);
	CHECK_ERR(read_hex("0480", &e), CCTSA_E_MALFORMED);          /* indefinite */
	CHECK_ERR(read_hex("1f0100", &e), CCTSA_E_MALFORMED);        /* high tag number */
	CHECK_ERR(read_hex("04820001" "00", &e), CCTSA_E_MALFORMED); /* leading zero length octet */
	CHECK_ERR(read_hex("0485010000000000", &e), CCTSA_E_MALFORMED);
	CHECK_ERR(read_hex("0482", &e), CCTSA_E_MALFORMED);
	cctsa_diag_reset(&d);
	{
		uint8_t in[] = {0x30, 0x80, 0, 0};
		cctsa_cursor c;

		cctsa_cursor_init(&c, in, sizeof(in));
		CHECK_ERR(cctsa_der_read(&c, &e, &d), CCTSA_E_MALFORMED);
		CHECK(strstr(d.msg, "indefinite") != NULL);
		CHECK(c.pos == 0);
	}
	/* Typed getters through the round-trip helper. */
	CHECK_OK(typed_hex("0101ff"));
	CHECK_OK(typed_hex("010100"));
	CHECK_ERR(typed_hex("010101"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("0102ff00"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("0200"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("02020001"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("0202ff80"), CCTSA_E_MALFORMED);
	CHECK_OK(typed_hex("0201ff"));
	CHECK_OK(typed_hex("02020080"));
	CHECK_ERR(typed_hex("050100"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("0600"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("06022a86"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("0603808001"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("060b2a8280808080808080807f"), CCTSA_E_MALFORMED); /* 65-bit arc */
	CHECK_OK(typed_hex("060b2a81ffffffffffffffff7f"));                      /* 2^64-1 */
	CHECK_ERR(typed_hex("0300"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("030101"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("030208ff"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("030201ff"), CCTSA_E_MALFORMED);
	CHECK_OK(typed_hex("030201fe"));
	CHECK_ERR(typed_hex("130140"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("160180"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("0c02c080"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("0c03eda080"), CCTSA_E_MALFORMED);
	CHECK_ERR(typed_hex("0c04f4908080"), CCTSA_E_MALFORMED); /* > U+10FFFF */
	CHECK_OK(typed_hex("0c04f09f9880"));
	/* Times: the DER profile only. */
	CHECK_OK(typed_hex("170d3236313132323031303230335a"));
	CHECK_ERR(typed_hex("170b323631313232303130325a"), CCTSA_E_MALFORMED);           /* no seconds */
	CHECK_ERR(typed_hex("170f3236313132323031303230332b30"), CCTSA_E_MALFORMED);     /* offset */
	CHECK_ERR(typed_hex("181132303236313132323031303230332e305a"),
		  CCTSA_E_MALFORMED); /* .0 */
	CHECK_ERR(typed_hex("181032303236313132323031303230332e5a"), CCTSA_E_MALFORMED); /* empty fraction */
	CHECK_ERR(typed_hex("181232303236313132323031303230332e35305a"),
		  CCTSA_E_MALFORMED); /* trailing zero */
	CHECK_OK(typed_hex("181532303236313132323031303230332e3132333435"
			   "5a"));
	CHECK_ERR(typed_hex("180f32303236303233303031303230335a"), CCTSA_E_MALFORMED); /* Feb 30 */
	CHECK_OK(typed_hex("180f32303234303232393031303230335a"));                      /* Feb 29 2024 */
	CHECK_ERR(typed_hex("180f32303235303232393031303230335a"), CCTSA_E_MALFORMED); /* Feb 29 2025 */
	CHECK_ERR(typed_hex("180f32303236313132323234303030305a"), CCTSA_E_MALFORMED); /* 24h */
	CHECK_ERR(typed_hex("180f32303236313132323031303236305a"), CCTSA_E_MALFORMED); /* :60 */
}

static void test_getters(void)
{
	static const uint8_t in[] = {0x02, 0x09, 0x00, 0xff, 0, 0, 0, 0, 0, 0, 1, 0x02, 0x01, 0x05, 0x30, 0x00};
	cctsa_cursor c, body;
	const uint8_t *m;
	const char *s;
	size_t n;
	uint64_t v;
	cctsa_diag d;
	cctsa_der_elem e;
	uint8_t tag;
	int64_t secs;
	uint32_t ns;
	unsigned u;
	int bv;

	cctsa_cursor_init(&c, in, sizeof(in));
	CHECK_ERR(cctsa_der_get_u64(&c, CCTSA_DER_INTEGER, UINT64_MAX, &v, NULL), CCTSA_OK);
	CHECK(v == 0xff00000000000001ULL);
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_der_get_u64(&c, CCTSA_DER_INTEGER, 4, &v, &d), CCTSA_E_MALFORMED);
	CHECK(strstr(d.msg, "exceeds") != NULL && c.pos == 11);
	CHECK_OK(cctsa_der_get_uint(&c, CCTSA_DER_INTEGER, 1, &m, &n, NULL));
	CHECK(n == 1 && m[0] == 5);
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_der_enter(&c, CCTSA_DER_SET, &body, &d), CCTSA_E_MALFORMED);
	CHECK(strstr(d.msg, "expected SET") != NULL);
	CHECK_OK(cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &body, NULL));
	CHECK_OK(cctsa_der_finish(&body, "x", NULL));
	CHECK_OK(cctsa_der_finish(&c, "x", NULL));
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_der_expect(&c, CCTSA_DER_INTEGER, &e, &d), CCTSA_E_MALFORMED);
	CHECK(strstr(d.msg, "end of data") != NULL);
	cctsa_cursor_init(&c, in, sizeof(in));
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_der_get_string(&c, &tag, &s, &n, &d), CCTSA_E_MALFORMED);
	CHECK(strstr(d.msg, "expected a string") != NULL && c.pos == 0);
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_der_get_time(&c, &secs, &ns, &d), CCTSA_E_MALFORMED);
	CHECK(strstr(d.msg, "UTCTime or GeneralizedTime") != NULL && c.pos == 0);
	CHECK_ERR(cctsa_der_get_bool(&c, &bv, NULL), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_der_get_null(&c, NULL), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_der_get_oid(&c, &e, NULL), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_der_get_bits(&c, &m, &n, &u, NULL), CCTSA_E_MALFORMED);
	CHECK(c.pos == 0);
	CHECK_ERR(cctsa_der_get_uint(&c, CCTSA_DER_INTEGER, 7, &m, &n, NULL), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_der_finish(&c, "x", NULL), CCTSA_E_MALFORMED);
	{
		static const uint8_t neg[] = {0x02, 0x01, 0x80};

		cctsa_cursor_init(&c, neg, sizeof(neg));
		CHECK_ERR(cctsa_der_get_uint(&c, CCTSA_DER_INTEGER, 8, &m, &n, NULL), CCTSA_E_MALFORMED);
	}
	{
		static const uint8_t oid[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
		char t[CCTSA_DER_OID_TEXT_MAX];

		CHECK(cctsa_der_oid_is(oid, sizeof(oid), "1.2.840.10045.4.3.3"));
		CHECK(!cctsa_der_oid_is(oid, sizeof(oid), "1.2.840.10045.4.3.2"));
		CHECK(!cctsa_der_oid_is(oid, sizeof(oid) - 1, "1.2.840.10045.4.3.3"));
		CHECK_OK(cctsa_der_oid_to_text(t, sizeof(t), oid, sizeof(oid)));
		CHECK(strcmp(t, "1.2.840.10045.4.3.3") == 0);
		CHECK_ERR(cctsa_der_oid_to_text(t, 5, oid, sizeof(oid)), CCTSA_E_USAGE);
	}
}

/* Random times round-trip through the writer and the reader. */
static void test_time_roundtrip(void)
{
	uint64_t seed = check_seed();
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	for (int i = 0; i < 20000; i++) {
		int64_t secs, got;
		uint32_t ms, ns;
		cctsa_cursor c;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		secs = (int64_t)((seed >> 11) % UINT64_C(253402300800)) - INT64_C(62167219200);
		ms = (uint32_t)(seed % 1000);
		b.len = 0;
		CHECK_OK(cctsa_der_put_gentime(&b, secs, ms));
		cctsa_cursor_init(&c, b.data, b.len);
		CHECK_OK(cctsa_der_get_time(&c, &got, &ns, NULL));
		CHECK(got == secs && ns == ms * 1000000u);
		if (secs >= INT64_C(-631152000) && secs < INT64_C(2524608000)) {
			b.len = 0;
			CHECK_OK(cctsa_der_put_x509_time(&b, secs));
			CHECK(b.data[0] == CCTSA_DER_UTC_TIME);
			cctsa_cursor_init(&c, b.data, b.len);
			CHECK_OK(cctsa_der_get_time(&c, &got, &ns, NULL));
			CHECK(got == secs && ns == 0);
		}
	}
	cctsa_buf_free(&b);
}

static uint64_t rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 11;
}

/* Our INTEGER, OID and time encodings equal OpenSSL's for random values. */
static void test_vs_openssl(void)
{
	uint64_t seed = check_seed();
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	for (int it = 0; it < 3000; it++) {
		uint8_t mag[40], *der = NULL;
		char text[CCTSA_DER_OID_TEXT_MAX], back[CCTSA_DER_OID_TEXT_MAX];
		size_t n = rng(&seed) % sizeof(mag), used = 0;
		BIGNUM *bn;
		ASN1_INTEGER *ai;
		ASN1_OBJECT *obj;
		ASN1_TIME *t;
		int64_t secs = (int64_t)(rng(&seed) % UINT64_C(253402300800)) - INT64_C(62135596800) + 86400 * 366;
		int len, arcs = 1 + (int)(rng(&seed) % 5); /* <= 5 arcs of <= 10 octets: within CCTSA_DER_OID_MAX */

		for (size_t i = 0; i < n; i++) {
			mag[i] = (uint8_t)(i < n / 3 && rng(&seed) % 2 ? 0 : rng(&seed));
		}
		b.len = 0;
		CHECK_OK(cctsa_der_put_uint(&b, mag, n));
		bn = BN_bin2bn(mag, (int)n, NULL);
		ai = BN_to_ASN1_INTEGER(bn, NULL);
		len = i2d_ASN1_INTEGER(ai, &der);
		CHECK(len > 0 && (size_t)len == b.len && memcmp(der, b.data, b.len) == 0);
		OPENSSL_free(der);
		der = NULL;
		ASN1_INTEGER_free(ai);
		BN_free(bn);

		used = (size_t)snprintf(text, sizeof(text), "%u.%u", (unsigned)(rng(&seed) % 3),
					(unsigned)(rng(&seed) % 40));
		for (int a = 0; a < arcs; a++) {
			uint64_t v = rng(&seed) % 4 == 0 ? rng(&seed) << 11 : rng(&seed) % 100000;

			used += (size_t)snprintf(text + used, sizeof(text) - used, ".%llu", (unsigned long long)v);
		}
		b.len = 0;
		CHECK_OK(cctsa_der_put_oid_text(&b, text));
		obj = OBJ_txt2obj(text, 1);
		CHECK(obj != NULL);
		len = i2d_ASN1_OBJECT(obj, &der);
		CHECK(len > 0 && (size_t)len == b.len && memcmp(der, b.data, b.len) == 0);
		CHECK_OK(cctsa_der_oid_to_text(back, sizeof(back), b.data + 2, b.len - 2));
		CHECK(strcmp(back, text) == 0);
		OPENSSL_free(der);
		der = NULL;
		ASN1_OBJECT_free(obj);

		b.len = 0;
		CHECK_OK(cctsa_der_put_x509_time(&b, secs));
		t = ASN1_TIME_set(NULL, (time_t)secs);
		CHECK(t != NULL);
		len = i2d_ASN1_TIME(t, &der);
		CHECK(len > 0 && (size_t)len == b.len && memcmp(der, b.data, b.len) == 0);
		OPENSSL_free(der);
		ASN1_TIME_free(t);
	}
	fprintf(stderr, "der: 3000 random INTEGERs, OIDs and X.509 times encode exactly as OpenSSL does\n");
	cctsa_buf_free(&b);
}

/* Every length form at its boundaries: written minimally, read back, and the
 * one-octet-longer (non-minimal) form of the same length refused. */
static void test_length_forms(void)
{
	static const size_t lens[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 16777215, 16777216};
	uint8_t *big = cctsa_mem_alloc(16777216);
	cctsa_buf b;

	CHECK(big != NULL);
	cctsa_buf_init(&b, 16777216 + 16);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = lens[i], hdr = n < 128 ? 2 : n < 256 ? 3 : n < 65536 ? 4 : n < 16777216 ? 5 : 6;
		uint8_t bad[8];
		cctsa_cursor c;
		cctsa_der_elem e;
		cctsa_diag d;

		b.len = 0;
		CHECK_OK(cctsa_der_put_octets(&b, big, n));
		CHECK(b.len == n + hdr);
		cctsa_cursor_init(&c, b.data, b.len);
		CHECK_OK(cctsa_der_read(&c, &e, NULL));
		CHECK(e.val_len == n && e.der_len == b.len && cctsa_cursor_left(&c) == 0);
		/* Same length with one more (leading zero) length octet. */
		bad[0] = 0x04;
		bad[1] = (uint8_t)(0x80 | (hdr - 1));
		bad[2] = 0;
		for (size_t k = 0; k + 2 < hdr; k++) {
			bad[3 + k] = b.data[2 + k];
		}
		if (hdr == 2) {
			bad[1] = 0x81;
			bad[2] = (uint8_t)n;
		}
		cctsa_cursor_init(&c, bad, hdr + 1);
		cctsa_diag_reset(&d);
		CHECK_ERR(cctsa_der_read(&c, &e, &d), CCTSA_E_MALFORMED);
		CHECK(strstr(d.msg, "leading zero") != NULL || strstr(d.msg, "long form") != NULL ||
		      strstr(d.msg, "too long") != NULL);
	}
	cctsa_buf_free(&b);
	cctsa_mem_free(big);
}

/* Real BER (Bouncy Castle CMS with indefinite lengths) is refused with a clear message. */
static void test_real_ber(void)
{
	char path[1024];
	cctsa_buf raw;
	cctsa_cursor c;
	cctsa_der_elem e;
	cctsa_diag d;

	CHECK_OK(cctsa_file_read(&raw,
				 check_testdata(path, sizeof(path),
						"rfc3161/mldsa-cms-x509/pqc-hackathon-bc/"
						"ml-dsa-65-2.16.840.1.101.3.4.3.18_signed_attrs.der"),
				 1 << 20, NULL));
	CHECK(raw.len > 2 && raw.data[0] == 0x30 && raw.data[1] == 0x80);
	cctsa_cursor_init(&c, raw.data, raw.len);
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_der_read(&c, &e, &d), CCTSA_E_MALFORMED);
	CHECK(strstr(d.msg, "indefinite") != NULL && c.pos == 0);
	cctsa_buf_free(&raw);
}

/* A composite value exercising every writer. */
static void build_sample(cctsa_buf *b)
{
	static const uint8_t mag[20] = {0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
	uint8_t data[150];
	size_t m1, m2, m3;

	for (size_t i = 0; i < sizeof(data); i++) {
		data[i] = (uint8_t)(i * 7);
	}
	CHECK_OK(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &m1));
	CHECK_OK(cctsa_der_put_u64(b, 1));
	CHECK_OK(cctsa_der_put_oid_text(b, "1.3.6.1.4.1.32473.1.4"));
	CHECK_OK(cctsa_der_begin(b, CCTSA_DER_SEQUENCE, &m2));
	CHECK_OK(cctsa_der_put_oid_text(b, "2.16.840.1.101.3.4.2.2"));
	CHECK_OK(cctsa_der_put_null(b));
	CHECK_OK(cctsa_der_end(b, m2));
	CHECK_OK(cctsa_der_put_octets(b, data, sizeof(data)));
	CHECK_OK(cctsa_der_put_uint(b, mag, sizeof(mag)));
	CHECK_OK(cctsa_der_put_gentime(b, 1795309323, 250));
	CHECK_OK(cctsa_der_put_utctime(b, 1795309323));
	CHECK_OK(cctsa_der_put_bool(b, 1));
	CHECK_OK(cctsa_der_put_bits(b, data, 3, 0));
	CHECK_OK(cctsa_der_begin(b, CCTSA_DER_CTX_CONS(0), &m2));
	CHECK_OK(cctsa_der_begin(b, CCTSA_DER_SET, &m3));
	CHECK_OK(cctsa_der_put_utf8(b, "CC-TSA \xe2\x9c\x93", 10));
	CHECK_OK(cctsa_der_put_printable(b, "Example TSA", 11));
	CHECK_OK(cctsa_der_put_ia5(b, "ops@example.org", 15));
	CHECK_OK(cctsa_der_end_set(b, m3));
	CHECK_OK(cctsa_der_end(b, m2));
	CHECK_OK(cctsa_der_put_u64_tag(b, CCTSA_DER_CTX(1), 999));
	CHECK_OK(cctsa_der_end(b, m1));
}

/* Strict parse + re-encode: OK only for canonical DER, and then byte-identical. */
static cctsa_err strict(const uint8_t *in, size_t n)
{
	cctsa_cursor c;
	cctsa_buf out;
	cctsa_der_elem top;
	cctsa_err err;

	cctsa_cursor_init(&c, in, n);
	err = cctsa_der_expect(&c, CCTSA_DER_SEQUENCE, &top, NULL);
	if (err == CCTSA_OK) {
		err = cctsa_der_finish(&c, "sample", NULL);
	}
	if (err != CCTSA_OK) {
		return err;
	}
	cctsa_cursor_init(&c, in, n);
	cctsa_buf_init(&out, 0);
	err = der_util_reencode(&c, &out, 0);
	if (err == CCTSA_OK) {
		CHECK(out.len == n);
		CHECK_MEMEQ(out.data, in, n);
	}
	cctsa_buf_free(&out);
	return err;
}

static void test_sweeps(void)
{
	cctsa_buf b;
	uint8_t *copy;
	size_t flips_ok = 0, flips_bad = 0;

	cctsa_buf_init(&b, 0);
	build_sample(&b);
	CHECK(b.len > 256); /* two-octet outer length */
	CHECK_OK(strict(b.data, b.len));
	/* Truncation at every length. */
	for (size_t n = 0; n < b.len; n++) {
		CHECK_ERR(strict(b.data, n), CCTSA_E_MALFORMED);
	}
	/* Every single-bit flip: rejected, or (e.g. inside string contents) canonical again. */
	copy = cctsa_mem_dup(b.data, b.len);
	CHECK(copy != NULL);
	for (size_t i = 0; i < b.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			cctsa_err err;

			copy[i] ^= (uint8_t)(1u << bit);
			err = strict(copy, b.len);
			CHECK(err == CCTSA_OK || err == CCTSA_E_MALFORMED);
			err == CCTSA_OK ? flips_ok++ : flips_bad++;
			copy[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* Every header byte flip must be caught; most flips land in contents. */
	CHECK(flips_bad > 60);
	for (int bit = 0; bit < 8; bit++) {
		copy[0] ^= (uint8_t)(1u << bit);
		CHECK_ERR(strict(copy, b.len), CCTSA_E_MALFORMED);
		copy[0] ^= (uint8_t)(1u << bit);
		copy[1] ^= (uint8_t)(1u << bit);
		CHECK_ERR(strict(copy, b.len), CCTSA_E_MALFORMED);
		copy[1] ^= (uint8_t)(1u << bit);
	}
	fprintf(stderr, "der: %zu bytes, %zu flips rejected, %zu still canonical\n", b.len, flips_bad, flips_ok);
	cctsa_mem_free(copy);
	cctsa_buf_free(&b);
}

int main(void)
{
	test_write_int();
	test_write_misc();
	test_write_nested();
	test_read_strict();
	test_getters();
	test_time_roundtrip();
	test_vs_openssl();
	test_real_ber();
	test_length_forms();
	test_sweeps();
	fprintf(stderr, "der_test: ok\n");
	return 0;
}
