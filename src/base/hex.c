/* Hex without lookup tables or data-dependent branches, so it is safe on secrets. */
#include <string.h>

#include "cctsa/base.h"
#include "ct.h"

static char nibble_to_hex(uint32_t v)
{
	/* v in 0..15: '0'+v, plus ('a'-'0'-10) when v > 9. */
	uint32_t gt9 = cctsa_ct_lt_u32(9, v);
	return (char)('0' + v + (gt9 & (uint32_t)('a' - '0' - 10)));
}

cctsa_err cctsa_hex_encode(char *out, size_t out_cap, const uint8_t *in, size_t n)
{
	size_t need;

	if (!cctsa_size_mul(&need, n, 2) || !cctsa_size_add(&need, need, 1) || out_cap < need) {
		return CCTSA_E_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = nibble_to_hex(in[i] >> 4);
		out[2 * i + 1] = nibble_to_hex(in[i] & 15u);
	}
	out[2 * n] = '\0';
	return CCTSA_OK;
}

/* Returns the digit value, or a value > 15 (flagged via *bad) for a non-digit. */
static uint32_t hex_to_nibble(uint32_t c, uint32_t *bad)
{
	uint32_t is_dig = ~cctsa_ct_lt_u32(c, '0') & cctsa_ct_lt_u32(c, '9' + 1);
	uint32_t lc = c | 0x20u;
	uint32_t is_let = ~cctsa_ct_lt_u32(lc, 'a') & cctsa_ct_lt_u32(lc, 'f' + 1);
	uint32_t v = (is_dig & (c - '0')) | (is_let & (lc - 'a' + 10));

	*bad |= ~(is_dig | is_let);
	return v;
}

cctsa_err cctsa_hex_decode_n(uint8_t *out, size_t out_cap, size_t *out_len, const char *hex,
			     size_t hex_len)
{
	uint32_t bad = 0;

	if (hex_len % 2 != 0 || hex_len / 2 > out_cap) {
		return CCTSA_E_MALFORMED;
	}
	for (size_t i = 0; i < hex_len / 2; i++) {
		uint32_t hi = hex_to_nibble((uint8_t)hex[2 * i], &bad);
		uint32_t lo = hex_to_nibble((uint8_t)hex[2 * i + 1], &bad);
		out[i] = (uint8_t)((hi << 4) | lo);
	}
	/* Public: whether the text is well-formed hex is what the return code says. */
	CCTSA_PUBLIC(&bad, sizeof(bad));
	if (bad != 0) {
		cctsa_wipe(out, hex_len / 2);
		return CCTSA_E_MALFORMED;
	}
	*out_len = hex_len / 2;
	return CCTSA_OK;
}

cctsa_err cctsa_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *hex)
{
	return cctsa_hex_decode_n(out, out_cap, out_len, hex, strlen(hex));
}
