/* base: buffers, cursors, hex, constant-time helpers, memory, files. */
#include <sys/stat.h>
#include <unistd.h>

#include "base/ct.h"
#include "check.h"

static void test_buf(void)
{
	uint8_t mem[4];
	cctsa_buf b;

	cctsa_buf_init_fixed(&b, mem, sizeof(mem));
	CHECK_OK(cctsa_buf_put_u16be(&b, 0x0102));
	CHECK_ERR(cctsa_buf_put_u32be(&b, 1), CCTSA_E_RESOURCE); /* no truncation */
	CHECK(b.len == 2 && mem[0] == 1 && mem[1] == 2);
	cctsa_buf_free(&b);

	cctsa_buf_init(&b, 100);
	for (int i = 0; i < 100; i++) {
		CHECK_OK(cctsa_buf_put_u8(&b, (uint8_t)i));
	}
	CHECK_ERR(cctsa_buf_put_u8(&b, 0), CCTSA_E_RESOURCE);
	CHECK(b.len == 100 && b.data[99] == 99);
	cctsa_buf_free(&b);

	cctsa_buf_init(&b, 0);
	CHECK_OK(cctsa_buf_printf(&b, "%s-%d", "x", 42));
	CHECK(b.len == 4 && memcmp(b.data, "x-42", 4) == 0);
	CHECK_OK(cctsa_buf_put_u64be(&b, 0x0102030405060708ULL));
	CHECK(b.len == 12 && b.data[4] == 1 && b.data[11] == 8);
	cctsa_buf_free(&b);
}

static void test_cursor(void)
{
	static const uint8_t in[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	cctsa_cursor c, sub;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;
	uint8_t v8, two[2];

	cctsa_cursor_init(&c, in, sizeof(in));
	CHECK_OK(cctsa_cursor_get_u16be(&c, &v16));
	CHECK(v16 == 0x0102);
	CHECK_OK(cctsa_cursor_get_u16le(&c, &v16));
	CHECK(v16 == 0x0403);
	CHECK_ERR(cctsa_cursor_get_u64be(&c, &v64), CCTSA_E_MALFORMED);
	CHECK(cctsa_cursor_left(&c) == 5); /* unchanged after a failure */
	CHECK_OK(cctsa_cursor_get_u32le(&c, &v32));
	CHECK(v32 == 0x08070605);
	CHECK_ERR(cctsa_cursor_finish(&c), CCTSA_E_MALFORMED);
	CHECK_OK(cctsa_cursor_get_u8(&c, &v8));
	CHECK(v8 == 9);
	CHECK_OK(cctsa_cursor_finish(&c));
	CHECK_ERR(cctsa_cursor_get_u8(&c, &v8), CCTSA_E_MALFORMED);

	cctsa_cursor_init(&c, in, sizeof(in));
	CHECK_OK(cctsa_cursor_get_sub(&c, &sub, 3));
	CHECK_OK(cctsa_cursor_get_bytes(&sub, two, 2));
	CHECK(two[1] == 2);
	CHECK_ERR(cctsa_cursor_get_u16be(&sub, &v16), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_cursor_skip(&c, 7), CCTSA_E_MALFORMED);
	CHECK_OK(cctsa_cursor_skip(&c, 6));
	CHECK_ERR(cctsa_cursor_get_u64be(&c, &v64), CCTSA_E_MALFORMED);
}

static void test_hex(void)
{
	uint8_t all[256], back[256];
	char hex[513];
	size_t n;

	for (int i = 0; i < 256; i++) {
		all[i] = (uint8_t)i;
	}
	CHECK_OK(cctsa_hex_encode(hex, sizeof(hex), all, 256));
	CHECK(strncmp(hex, "000102", 6) == 0 && strcmp(hex + 500, "fafbfcfdfeff") == 0);
	CHECK_ERR(cctsa_hex_encode(hex, 512, all, 256), CCTSA_E_USAGE);
	CHECK_OK(cctsa_hex_decode(back, sizeof(back), &n, hex));
	CHECK(n == 256);
	CHECK_MEMEQ(back, all, 256);
	CHECK_OK(cctsa_hex_decode(back, sizeof(back), &n, "ABcd"));
	CHECK(n == 2 && back[0] == 0xab && back[1] == 0xcd);
	CHECK_ERR(cctsa_hex_decode(back, sizeof(back), &n, "abc"), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_hex_decode(back, sizeof(back), &n, "0g"), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_hex_decode(back, sizeof(back), &n, "/0"), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_hex_decode(back, 1, &n, "0000"), CCTSA_E_MALFORMED);
	/* Every single character: exactly the 22 hex digits decode. */
	{
		int ok = 0;
		for (int c = 1; c < 256; c++) {
			char s[3] = {(char)c, '0', 0};
			ok += cctsa_hex_decode(back, 1, &n, s) == CCTSA_OK;
		}
		CHECK(ok == 22);
	}
}

static void test_ct(void)
{
	uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8];

	for (uint32_t x = 0; x < 300; x++) {
		for (uint32_t y = 0; y < 300; y += 7) {
			CHECK(cctsa_ct_eq_u32(x, y) == (x == y ? 0xffffffffu : 0));
			CHECK(cctsa_ct_lt_u32(x, y) == (x < y ? 0xffffffffu : 0));
		}
	}
	CHECK(cctsa_ct_lt_u32(0xffffffffu, 0) == 0 && cctsa_ct_lt_u32(0, 0xffffffffu) == 0xffffffffu);
	CHECK(cctsa_ct_is_zero_u32(0) == 0xffffffffu && cctsa_ct_is_zero_u32(1u << 31) == 0);
	memcpy(b, a, 8);
	CHECK(cctsa_ct_memeq(a, b, 8) == 0xffffffffu);
	b[7] ^= 0x80;
	CHECK(cctsa_ct_memeq(a, b, 8) == 0);
	cctsa_ct_copy(0, b, a, 8);
	CHECK(b[7] == (8 ^ 0x80));
	cctsa_ct_copy(0xffffffffu, b, a, 8);
	CHECK_MEMEQ(a, b, 8);
	CHECK(cctsa_ct_select_u32(0xffffffffu, 5, 6) == 5 && cctsa_ct_select_u32(0, 5, 6) == 6);
}

static void test_mem(void)
{
	uint8_t *p = cctsa_mem_alloc(10), *s;

	CHECK(p != NULL && p[9] == 0);
	p[9] = 7;
	p = cctsa_mem_realloc(p, 100000);
	CHECK(p != NULL && p[9] == 7 && p[99999] == 0);
	cctsa_mem_free(p);
	CHECK(cctsa_mem_alloc(0) == NULL);

	s = cctsa_secret_alloc(5000);
	CHECK(s != NULL && s[4999] == 0);
	s[0] = 1;
	cctsa_secret_free(s);
	cctsa_secret_free(NULL);
}

static void test_file(void)
{
	char dir[] = "/tmp/cctsa-base-XXXXXX", path[64];
	cctsa_buf b;
	cctsa_diag diag = {0};
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/f", dir);
	CHECK_ERR(cctsa_file_write(path, (const uint8_t *)"k", 1, 0644, CCTSA_FILE_SECRET, &diag),
		  CCTSA_E_USAGE);
	CHECK(strstr(diag.msg, "refusing") != NULL);
	CHECK_OK(cctsa_file_write(path, (const uint8_t *)"hello", 5, 0600, CCTSA_FILE_SECRET, NULL));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_OK(cctsa_file_read(&b, path, 5, NULL));
	CHECK(b.len == 5 && memcmp(b.data, "hello", 5) == 0);
	cctsa_buf_free(&b);
	CHECK_ERR(cctsa_file_read(&b, path, 4, NULL), CCTSA_E_RESOURCE);
	cctsa_diag_reset(&diag);
	CHECK_ERR(cctsa_file_read(&b, "/nonexistent/x", 4, &diag), CCTSA_E_IO);
	CHECK(strstr(diag.msg, "/nonexistent/x") != NULL);
	unlink(path);
	rmdir(dir);
}

static void test_diag(void)
{
	cctsa_diag d = {0};

	CHECK(cctsa_fail(&d, CCTSA_E_MALFORMED, "first %d", 1) == CCTSA_E_MALFORMED);
	CHECK(cctsa_fail(&d, CCTSA_E_IO, "second") == CCTSA_E_IO);
	CHECK(strcmp(cctsa_diag_str(&d, CCTSA_E_IO), "first 1") == 0 && d.err == CCTSA_E_MALFORMED);
	CHECK(strcmp(cctsa_diag_str(NULL, CCTSA_E_IO), "i/o error") == 0);
	CHECK(cctsa_fail(NULL, CCTSA_E_IO, "x") == CCTSA_E_IO);
}

int main(void)
{
	test_buf();
	test_cursor();
	test_hex();
	test_ct();
	test_mem();
	test_file();
	test_diag();
	printf("base_test: ok\n");
	return 0;
}
