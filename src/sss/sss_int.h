/*
 * sss internals: constant-time GF(2^8) arithmetic (AES polynomial 0x11b), polynomial
 * evaluation and Lagrange coefficients, the shard layout, and the shard checksum.
 * Exposed to tests (tests/sss_test.c, tests/ctime/sss_ctime.c) through this header.
 */
#ifndef CCTSA_SSS_INT_H
#define CCTSA_SSS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/sss.h"

#define CCTSA_SSS_CHECK_LEN 8

/* Fields are private to src/sss; the payload follows the header in the same block. */
struct cctsa_sss_shard {
	uint8_t set_id[CCTSA_SSS_SET_ID_LEN];
	uint8_t threshold;
	uint8_t total;
	uint8_t index;
	size_t len;
	char name[CCTSA_SSS_NAME_MAX];
	uint8_t payload[];
};

/* a*b in GF(2^8); constant-time in both operands. */
uint8_t cctsa_sss_gf_mul(uint8_t a, uint8_t b);
/* a^-1 (= a^254; 0 maps to 0); constant-time. */
uint8_t cctsa_sss_gf_inv(uint8_t a);
/* sum coef[k] x^k for k < m (Horner); constant-time in coef and x. */
uint8_t cctsa_sss_poly_eval(const uint8_t *coef, unsigned m, uint8_t x);
/*
 * lambda[i] = prod_{j != i} (x - xs[j]) / (xs[i] - xs[j]) for i < k, so that
 * f(x) = sum lambda[i] f(xs[i]) for any f of degree < k. xs must be distinct (public).
 */
void cctsa_sss_lagrange(uint8_t *lambda, const uint8_t *xs, unsigned k, uint8_t x);

/* A zeroed shard in secret memory with room for len payload bytes; NULL on failure. */
cctsa_sss_shard *cctsa_sss_shard_alloc(size_t len);
/* The checksum over every field of s (see include/cctsa/sss.h). */
cctsa_err cctsa_sss_shard_check(uint8_t out[CCTSA_SSS_CHECK_LEN], const cctsa_sss_shard *s);

#endif
