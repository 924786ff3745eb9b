/* Constant-time byte helpers; see ct.h. */
#include <string.h>

#include "ct.h"

void cctsa_ct_copy(uint32_t mask, uint8_t *dst, const uint8_t *src, size_t n)
{
	uint8_t m = (uint8_t)mask;

	for (size_t i = 0; i < n; i++) {
		dst[i] = (uint8_t)((src[i] & m) | (dst[i] & (uint8_t)~m));
	}
}

uint32_t cctsa_ct_memeq(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *pa = a, *pb = b;
	uint32_t acc = 0;

	for (size_t i = 0; i < n; i++) {
		acc |= (uint32_t)(pa[i] ^ pb[i]);
	}
	return cctsa_ct_is_zero_u32(acc);
}

int cctsa_memcmp_var(const void *a, const void *b, size_t n)
{
	return n == 0 ? 0 : memcmp(a, b, n);
}
