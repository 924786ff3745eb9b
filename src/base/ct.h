/*
 * Constant-time helpers for code that touches secrets. Masks are all-ones (true)
 * or all-zeros (false); nothing here branches or indexes on its inputs.
 * CCTSA_SECRET/CCTSA_PUBLIC mark memory for valgrind's constant-time check
 * (tests/ctime); they cost nothing in other builds.
 */
#ifndef CCTSA_BASE_CT_H
#define CCTSA_BASE_CT_H

#include <stddef.h>
#include <stdint.h>

#ifdef CCTSA_CTIME_VALGRIND
#include <valgrind/memcheck.h>
#define CCTSA_SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define CCTSA_PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define CCTSA_SECRET(p, n) ((void)(p), (void)(n))
#define CCTSA_PUBLIC(p, n) ((void)(p), (void)(n))
#endif

/* Hides a value from the optimiser so masks are not turned back into branches. */
static inline uint32_t cctsa_ct_barrier_u32(uint32_t v)
{
	__asm__("" : "+r"(v));
	return v;
}
static inline uint64_t cctsa_ct_barrier_u64(uint64_t v)
{
	__asm__("" : "+r"(v));
	return v;
}

/* bit must be 0 or 1. */
static inline uint32_t cctsa_ct_mask_u32(uint32_t bit)
{
	return (uint32_t)0 - cctsa_ct_barrier_u32(bit);
}
static inline uint64_t cctsa_ct_mask_u64(uint64_t bit)
{
	return (uint64_t)0 - cctsa_ct_barrier_u64(bit);
}
/* All-ones iff v == 0. */
static inline uint32_t cctsa_ct_is_zero_u32(uint32_t v)
{
	return cctsa_ct_mask_u32((uint32_t)(((uint64_t)v - 1) >> 63));
}
static inline uint32_t cctsa_ct_eq_u32(uint32_t a, uint32_t b)
{
	return cctsa_ct_is_zero_u32(a ^ b);
}
/* All-ones iff a < b (unsigned). */
static inline uint32_t cctsa_ct_lt_u32(uint32_t a, uint32_t b)
{
	return cctsa_ct_mask_u32((uint32_t)(((uint64_t)a - (uint64_t)b) >> 63));
}
static inline uint32_t cctsa_ct_select_u32(uint32_t mask, uint32_t a, uint32_t b)
{
	return (a & mask) | (b & ~mask); /* mask ? a : b */
}
static inline uint64_t cctsa_ct_select_u64(uint64_t mask, uint64_t a, uint64_t b)
{
	return (a & mask) | (b & ~mask);
}
static inline uint8_t cctsa_ct_select_u8(uint32_t mask, uint8_t a, uint8_t b)
{
	return (uint8_t)cctsa_ct_select_u32(mask, a, b);
}

/* dst = mask ? src : dst, over n bytes. */
void cctsa_ct_copy(uint32_t mask, uint8_t *dst, const uint8_t *src, size_t n);
/* All-ones iff the n bytes are equal; time depends on n only. */
uint32_t cctsa_ct_memeq(const void *a, const void *b, size_t n);
/* Lexicographic public comparison (memcmp) for non-secret data: <0, 0, >0. */
int cctsa_memcmp_var(const void *a, const void *b, size_t n);

#endif
