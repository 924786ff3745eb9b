/*
 * Constant-time arithmetic in GF(2^8) = GF(2)[x]/(x^8+x^4+x^3+x+1). No log/exp
 * tables: every product is eight masked shift-and-add steps, so neither timing nor
 * memory access depends on the operands.
 */
#include "base/ct.h"
#include "sss/sss_int.h"

uint8_t cctsa_sss_gf_mul(uint8_t a, uint8_t b)
{
	uint32_t r = 0, x = a, y = b;

	for (unsigned i = 0; i < 8; i++) {
		r ^= x & cctsa_ct_mask_u32(y & 1u);
		y >>= 1;
		x = (x << 1) ^ (0x11bu & cctsa_ct_mask_u32(x >> 7));
	}
	return (uint8_t)r;
}

uint8_t cctsa_sss_gf_inv(uint8_t a)
{
	/* a^254 = a^(2+4+8+16+32+64+128): square seven times, multiplying each square in. */
	uint8_t sq = a, r = 1;

	for (unsigned i = 0; i < 7; i++) {
		sq = cctsa_sss_gf_mul(sq, sq);
		r = cctsa_sss_gf_mul(r, sq);
	}
	return r;
}

uint8_t cctsa_sss_poly_eval(const uint8_t *coef, unsigned m, uint8_t x)
{
	uint8_t y = 0;

	for (unsigned k = m; k-- > 0;) {
		y = (uint8_t)(cctsa_sss_gf_mul(y, x) ^ coef[k]);
	}
	return y;
}

void cctsa_sss_lagrange(uint8_t *lambda, const uint8_t *xs, unsigned k, uint8_t x)
{
	for (unsigned i = 0; i < k; i++) {
		uint8_t num = 1, den = 1;

		for (unsigned j = 0; j < k; j++) {
			if (j == i) {
				continue;
			}
			num = cctsa_sss_gf_mul(num, (uint8_t)(x ^ xs[j]));
			den = cctsa_sss_gf_mul(den, (uint8_t)(xs[i] ^ xs[j]));
		}
		lambda[i] = cctsa_sss_gf_mul(num, cctsa_sss_gf_inv(den));
	}
}
