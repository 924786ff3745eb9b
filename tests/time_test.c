/*
 * Unit tests of the time module: AES-SIV-CMAC against Wycheproof, the NTS-KE record
 * parser, the NTP extension-field parser, the NTS request builder and reply checker
 * (against a test-side server), the disciplined clock with simulated sources and
 * time, and TriHaRd with five simulated nodes.
 */
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "time_util.h"

static uint64_t g_rng;

/* ------------------------------------------------------------ AES-SIV */

static size_t hexdec(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;
	CHECK_OK(cctsa_hex_decode(out, cap, &n, hex));
	return n;
}

static void test_siv_wycheproof(void)
{
	char path[512];
	json_error_t jerr;
	json_t *root = json_load_file(check_testdata(path, sizeof(path),
						     "nts/wycheproof/aead_aes_siv_cmac_test.json"), 0, &jerr);
	size_t gi, ti, pass[3] = { 0 }, total[3] = { 0 }, valid = 0, invalid = 0;
	json_t *g, *t;

	CHECK(root != NULL);
	json_array_foreach(json_object_get(root, "testGroups"), gi, g) {
		size_t ks = (size_t)json_integer_value(json_object_get(g, "keySize")) / 8;
		size_t slot = ks == 32 ? 0 : ks == 48 ? 1 : 2;
		json_array_foreach(json_object_get(g, "tests"), ti, t) {
			static uint8_t key[64], iv[64], aad[4096], msg[4096], ct[4096], tag[64], out[4200], back[4200];
			size_t kl = hexdec(key, sizeof(key), json_string_value(json_object_get(t, "key")));
			size_t il = hexdec(iv, sizeof(iv), json_string_value(json_object_get(t, "iv")));
			size_t al = hexdec(aad, sizeof(aad), json_string_value(json_object_get(t, "aad")));
			size_t ml = hexdec(msg, sizeof(msg), json_string_value(json_object_get(t, "msg")));
			size_t cl = hexdec(ct, sizeof(ct), json_string_value(json_object_get(t, "ct")));
			size_t tl = hexdec(tag, sizeof(tag), json_string_value(json_object_get(t, "tag")));
			int is_valid = strcmp(json_string_value(json_object_get(t, "result")), "valid") == 0;
			uint8_t wire[4200];

			CHECK(kl == ks && (tl == 16 || !is_valid));
			total[slot]++;
			memcpy(wire, tag, tl);
			memcpy(wire + tl, ct, cl);
			if (is_valid) {
				CHECK(cl == ml && tl == 16);
				CHECK_OK(cctsa_nts_siv_seal(out, key, kl, iv, il, aad, al, msg, ml));
				CHECK_MEMEQ(out, wire, 16 + ml);
				CHECK_OK(cctsa_nts_siv_open(back, key, kl, iv, il, aad, al, wire, 16 + cl));
				CHECK_MEMEQ(back, msg, ml);
				valid++;
			} else {
				cctsa_err e = tl + cl < 16 ? CCTSA_E_USAGE : CCTSA_E_VERIFY;
				CHECK_ERR(cctsa_nts_siv_open(back, key, kl, iv, il, aad, al, wire, tl + cl), e);
				invalid++;
			}
			pass[slot]++;
		}
	}
	fprintf(stderr, "wycheproof AES-SIV-CMAC: 256-bit %zu/%zu, 384-bit %zu/%zu, 512-bit %zu/%zu "
		"(%zu valid, %zu invalid)\n", pass[0], total[0], pass[1], total[1], pass[2], total[2],
		valid, invalid);
	CHECK(total[0] == 300 && total[1] == 300 && total[2] == 300);
	json_decref(root);
}

static void test_siv_misc(void)
{
	uint8_t key[32] = { 1 }, nonce[16] = { 2 }, ad[48] = { 3 }, out[16], pt[1];

	/* empty plaintext (every NTS request): tag only, verifies, any change breaks it */
	CHECK_OK(cctsa_nts_siv_seal(out, key, 32, nonce, 16, ad, 48, NULL, 0));
	CHECK_OK(cctsa_nts_siv_open(pt, key, 32, nonce, 16, ad, 48, out, 16));
	ad[47] ^= 1;
	CHECK_ERR(cctsa_nts_siv_open(pt, key, 32, nonce, 16, ad, 48, out, 16), CCTSA_E_VERIFY);
	ad[47] ^= 1;
	nonce[0] ^= 1;
	CHECK_ERR(cctsa_nts_siv_open(pt, key, 32, nonce, 16, ad, 48, out, 16), CCTSA_E_VERIFY);
	CHECK_ERR(cctsa_nts_siv_seal(out, key, 31, nonce, 16, ad, 48, NULL, 0), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_nts_siv_seal(out, key, 32, nonce, 0, ad, 48, NULL, 0), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_nts_siv_open(pt, key, 32, nonce, 16, ad, 48, out, 15), CCTSA_E_USAGE);
}

/* ------------------------------------------------------------ NTS-KE records */

static void ke_good(cctsa_buf *b, int n_cookies)
{
	uint8_t v[2], ck[64];

	tu_u16(v, 0);
	tu_rec(b, 1, CCTSA_NTS_KE_NEXT_PROTO, v, 2);
	tu_u16(v, 15);
	tu_rec(b, 1, CCTSA_NTS_KE_AEAD, v, 2);
	tu_rec(b, 0, CCTSA_NTS_KE_SERVER, "ntp.example", 11);
	tu_u16(v, 11123);
	tu_rec(b, 1, CCTSA_NTS_KE_PORT_REC, v, 2);
	for (int i = 0; i < n_cookies; i++) {
		memset(ck, 0x10 + i, sizeof(ck));
		tu_rec(b, 0, CCTSA_NTS_KE_COOKIE, ck, sizeof(ck));
	}
	tu_rec(b, 0, 0x1234, "x", 1); /* unknown, not critical: ignored */
	tu_rec(b, 1, CCTSA_NTS_KE_END, NULL, 0);
}

static cctsa_err ke_try(void (*build)(cctsa_buf *), cctsa_nts_ke_response *r)
{
	cctsa_buf b;
	cctsa_diag d = { 0 };
	cctsa_err e;

	cctsa_buf_init(&b, 0);
	build(&b);
	e = cctsa_nts_ke_parse(r, b.data, b.len, &d);
	cctsa_buf_free(&b);
	return e;
}

#define KE_CASE(name, body)                                   \
	static void name(cctsa_buf *b)                        \
	{                                                     \
		uint8_t v[4];                                 \
		(void)v;                                      \
		body                                          \
	}
KE_CASE(ke_no_end, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 5, "c", 1);)
KE_CASE(ke_trailing, ke_good(b, 1); CHECK_OK(cctsa_buf_put_u8(b, 0));)
KE_CASE(ke_proto_noncrit, tu_u16(v, 0); tu_rec(b, 0, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_proto_other, tu_u16(v, 1); tu_rec(b, 1, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_proto_two, tu_u16(v, 0); tu_u16(v + 2, 0); tu_rec(b, 1, 1, v, 4); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_proto_empty, tu_rec(b, 1, 1, NULL, 0); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_proto_dup, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_rec(b, 1, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_aead_other, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_u16(v, 30); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_no_aead, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_no_proto, tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_no_cookie, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_cookie_crit, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 1, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_error, tu_u16(v, 1); tu_rec(b, 1, 2, v, 2); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_warning, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_u16(v, 7); tu_rec(b, 1, 3, v, 2); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_unknown_crit, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_rec(b, 1, 0x4000, "x", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_end_body, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, "x", 1);)
KE_CASE(ke_end_noncrit, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 0, 0, NULL, 0);)
KE_CASE(ke_port_zero, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_u16(v, 0); tu_rec(b, 0, 7, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_server_bad, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_rec(b, 0, 6, "a b", 3); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
KE_CASE(ke_port_dup, tu_u16(v, 0); tu_rec(b, 1, 1, v, 2); tu_u16(v, 15); tu_rec(b, 1, 4, v, 2); tu_u16(v, 5); tu_rec(b, 0, 7, v, 2); tu_rec(b, 0, 7, v, 2); tu_rec(b, 0, 5, "c", 1); tu_rec(b, 1, 0, NULL, 0);)
static void ke_good1(cctsa_buf *b) { ke_good(b, 1); }
static void ke_good10(cctsa_buf *b) { ke_good(b, 10); }

static void test_ke_parse(void)
{
	cctsa_nts_ke_response *r = cctsa_mem_alloc(sizeof(*r));
	static const uint8_t want_req[] = { 0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 2, 0, 15, 0x80, 0, 0, 0 };
	cctsa_buf b;

	CHECK(r != NULL);
	cctsa_buf_init(&b, 0);
	CHECK_OK(cctsa_nts_ke_request_write(&b));
	CHECK(b.len == sizeof(want_req));
	CHECK_MEMEQ(b.data, want_req, sizeof(want_req));
	cctsa_buf_free(&b);

	CHECK_OK(ke_try(ke_good1, r));
	CHECK(r->n_cookies == 1 && r->cookie_len[0] == 64 && r->port == 11123 &&
	      strcmp(r->server, "ntp.example") == 0 && r->aead == 15 && r->next_proto == 0);
	CHECK_OK(ke_try(ke_good10, r));
	CHECK(r->n_cookies == 8 && r->cookies_seen == 10 && r->cookie[7][0] == 0x17);
	CHECK_ERR(ke_try(ke_no_end, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_trailing, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_proto_noncrit, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_proto_other, r), CCTSA_E_UNSUPPORTED);
	CHECK_ERR(ke_try(ke_proto_two, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_proto_empty, r), CCTSA_E_UNSUPPORTED);
	CHECK_ERR(ke_try(ke_proto_dup, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_aead_other, r), CCTSA_E_UNSUPPORTED);
	CHECK_ERR(ke_try(ke_no_aead, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_no_proto, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_no_cookie, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_cookie_crit, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_error, r), CCTSA_E_STATE);
	CHECK(r->has_error && r->error_code == 1);
	CHECK_ERR(ke_try(ke_warning, r), CCTSA_E_UNSUPPORTED);
	CHECK_ERR(ke_try(ke_unknown_crit, r), CCTSA_E_UNSUPPORTED);
	CHECK_ERR(ke_try(ke_end_body, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_end_noncrit, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_port_zero, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_server_bad, r), CCTSA_E_MALFORMED);
	CHECK_ERR(ke_try(ke_port_dup, r), CCTSA_E_MALFORMED);

	/* every truncation fails; every bit flip is handled without a crash */
	cctsa_buf_init(&b, 0);
	ke_good(&b, 2);
	for (size_t n = 0; n < b.len; n++) {
		CHECK(cctsa_nts_ke_parse(r, b.data, n, NULL) == CCTSA_E_MALFORMED);
	}
	for (size_t i = 0; i < b.len * 8; i++) {
		b.data[i / 8] ^= (uint8_t)(1u << (i % 8));
		cctsa_err fe = cctsa_nts_ke_parse(r, b.data, b.len, NULL);
		CHECK(fe == CCTSA_OK || fe == CCTSA_E_MALFORMED || fe == CCTSA_E_UNSUPPORTED || fe == CCTSA_E_STATE);
		b.data[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CHECK_OK(cctsa_nts_ke_parse(r, b.data, b.len, NULL));
	cctsa_buf_free(&b);
	cctsa_mem_free(r);
}

static void test_ef_parse(void)
{
	cctsa_ntp_ef efs[4];
	size_t n = 9;
	uint8_t buf[64] = { 0x01, 0x04, 0x00, 0x24 };

	CHECK_OK(cctsa_ntp_ef_parse(efs, 4, &n, buf, 0, NULL));
	CHECK(n == 0);
	CHECK_OK(cctsa_ntp_ef_parse(efs, 4, &n, buf, 36, NULL));
	CHECK(n == 1 && efs[0].type == 0x0104 && efs[0].len == 36 && efs[0].offset == 0);
	CHECK_ERR(cctsa_ntp_ef_parse(efs, 4, &n, buf, 40, NULL), CCTSA_E_MALFORMED); /* trailing */
	CHECK_ERR(cctsa_ntp_ef_parse(efs, 4, &n, buf, 35, NULL), CCTSA_E_MALFORMED); /* cut */
	buf[3] = 0x0c; /* below 16 */
	CHECK_ERR(cctsa_ntp_ef_parse(efs, 4, &n, buf, 12, NULL), CCTSA_E_MALFORMED);
	buf[3] = 0x12; /* not a multiple of 4 */
	CHECK_ERR(cctsa_ntp_ef_parse(efs, 4, &n, buf, 18, NULL), CCTSA_E_MALFORMED);
	for (int i = 0; i < 4; i++) {
		buf[i * 16 + 0] = 0;
		buf[i * 16 + 1] = 1;
		buf[i * 16 + 2] = 0;
		buf[i * 16 + 3] = 16;
	}
	CHECK_OK(cctsa_ntp_ef_parse(efs, 4, &n, buf, 64, NULL));
	CHECK(n == 4 && efs[3].offset == 48);
	CHECK_ERR(cctsa_ntp_ef_parse(efs, 3, &n, buf, 64, NULL), CCTSA_E_MALFORMED); /* too many */
}

#include "time_test_nts.h"
#include "time_test_clock.h"

int main(void)
{
	g_rng = check_seed();
	test_siv_wycheproof();
	test_siv_misc();
	test_ke_parse();
	test_ef_parse();
	test_nts_exchange();
	test_nts_reject();
	test_nts_cookie_refill();
	test_clock_falseticker();
	test_clock_holdover();
	test_clock_monotonic();
	test_clock_slew_bound();
	test_trihard();
	test_trihard_rtt();
	fprintf(stderr, "time_test: ok\n");
	return 0;
}
