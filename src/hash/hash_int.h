/*
 * hash internals shared with src/mldsa: four Keccak-f[1600] states permuted at once
 * (AVX2 when the CPU has it, chosen at run time, else four scalar permutations),
 * with the one-shot absorb and block squeeze that ML-DSA's samplers need.
 * Results are bit-identical to four independent cctsa_keccak contexts.
 * Building with -DCCTSA_NO_AVX2 forces the portable path (to test it on AVX2 machines).
 */
#ifndef CCTSA_HASH_INT_H
#define CCTSA_HASH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/hash.h"

/* Lane-interleaved: s[lane][instance], so one lane of all four is 32 contiguous bytes. */
typedef struct {
	uint64_t s[25][4];
} cctsa_keccak_x4;

/* The 24 iota round constants (FIPS 202 §3.2.5), one table for every permutation. */
extern const uint64_t cctsa_keccak_rc[24];

/* Permutes all four states (dispatches to AVX2 or the portable path). */
void cctsa_keccak_x4_f1600(cctsa_keccak_x4 *st);
/* The two implementations, for tests (the AVX2 one only if the CPU has AVX2). */
void cctsa_keccak_x4_f1600_portable(cctsa_keccak_x4 *st);
void cctsa_keccak_x4_f1600_avx2(cctsa_keccak_x4 *st);
/* 1 if the AVX2 path is used on this CPU. */
int cctsa_keccak_x4_have_avx2(void);

/*
 * Initialises the four states and absorbs in[i] (each len bytes) with padding
 * (ds = 0x1f for SHAKE) at the given rate (168 SHAKE128, 136 SHAKE256). The
 * permutation after the last block is left to the first squeeze.
 */
void cctsa_keccak_x4_absorb_once(cctsa_keccak_x4 *st, unsigned rate, uint8_t ds, const uint8_t *const in[4],
				 size_t len);
/* Squeezes nblocks blocks of rate bytes from each state into out[i]. */
void cctsa_keccak_x4_squeezeblocks(uint8_t *const out[4], size_t nblocks, cctsa_keccak_x4 *st, unsigned rate);

#endif
