/* Constant-time check of base helpers used on secrets: ct.h, ct_memeq, ct_copy, hex. */
#include "base/ct.h"
#include "check.h"

int main(void)
{
	uint8_t a[32], b[32], out[32];
	char hex[65];
	size_t n;
	uint32_t m;

	CHECK_OK(cctsa_rand_bytes(a, sizeof(a)));
	memcpy(b, a, sizeof(b));
	CCTSA_SECRET(a, sizeof(a));
	CCTSA_SECRET(b, sizeof(b));

	m = cctsa_ct_memeq(a, b, sizeof(a));
	cctsa_ct_copy(m, out, a, sizeof(out));
	m = cctsa_ct_select_u32(cctsa_ct_lt_u32(a[0], b[1]), a[2], b[3]) ^ cctsa_ct_eq_u32(a[4], 7);
	CHECK_OK(cctsa_hex_encode(hex, sizeof(hex), a, sizeof(a)));
	CHECK_OK(cctsa_hex_decode_n(out, sizeof(out), &n, hex, 64));

	/* Declassify only to check results; the computations above ran on secrets. */
	CCTSA_PUBLIC(out, sizeof(out));
	CCTSA_PUBLIC(a, sizeof(a));
	CCTSA_PUBLIC(&m, sizeof(m));
	CHECK(n == 32 && memcmp(out, a, 32) == 0);
	cctsa_wipe(a, sizeof(a));
	cctsa_wipe(b, sizeof(b));
	return 0;
}
