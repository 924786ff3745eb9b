/*
 * hash: Keccak-f[1600] and the FIPS 202 functions built on it: SHA3-256/384/512
 * and the extendable-output functions SHAKE128/256 with incremental absorb and
 * incremental squeeze (OpenSSL 3.0 cannot squeeze more than once).
 *
 * Nothing here allocates. The caller owns a cctsa_keccak context (stack, heap or
 * secret arena); its fields are private and it holds no interior pointers, so a
 * struct copy clones a running hash. A context that absorbed secret data should
 * be wiped with cctsa_keccak_wipe() when done. All functions are constant-time in
 * the data (only lengths affect timing) and none can fail, so none returns an error.
 *
 * Life cycle of a context: *_init, any number of cctsa_keccak_absorb, then either
 * cctsa_sha3_final (SHA3: exactly once) or any number of cctsa_shake_squeeze
 * (SHAKE: the first squeeze pads and finalises). Absorbing after the first squeeze
 * or final is a usage error (checked by CCTSA_VERIFY in test builds; in release
 * builds it is ignored, leaving the context unchanged).
 */
#ifndef CCTSA_HASH_H
#define CCTSA_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CCTSA_SHA3_256_LEN 32
#define CCTSA_SHA3_384_LEN 48
#define CCTSA_SHA3_512_LEN 64
#define CCTSA_SHAKE128_RATE 168
#define CCTSA_SHAKE256_RATE 136

/* Fields are private; public only so callers can allocate the context. */
typedef struct {
	uint64_t s[25];    /* the Keccak state, lanes in little-endian order */
	uint32_t pos;      /* byte position inside the current block */
	uint32_t rate;     /* block size in bytes */
	uint8_t dsbyte;    /* domain separation + first pad bit (0x06 SHA3, 0x1f SHAKE) */
	uint8_t outlen;    /* digest length for SHA3, 0 for SHAKE */
	uint8_t squeezing; /* 1 once padded */
} cctsa_keccak;

/* The bare permutation, 24 rounds, on 25 little-endian lanes. */
void cctsa_keccak_f1600(uint64_t state[static 25]);

void cctsa_sha3_256_init(cctsa_keccak *k);
void cctsa_sha3_384_init(cctsa_keccak *k);
void cctsa_sha3_512_init(cctsa_keccak *k);
void cctsa_shake128_init(cctsa_keccak *k);
void cctsa_shake256_init(cctsa_keccak *k);

/* Absorbs len bytes; in may be NULL when len == 0. */
void cctsa_keccak_absorb(cctsa_keccak *k, const uint8_t *in, size_t len);

/*
 * SHA3 only: pads and writes the digest (32, 48 or 64 bytes according to the
 * init function) to out. The context is then finished; re-init to reuse.
 */
void cctsa_sha3_final(cctsa_keccak *k, uint8_t *out);

/*
 * SHAKE only: writes the next len bytes of output. Successive calls continue the
 * same output stream, so squeeze(a) then squeeze(b) equals squeeze(a+b).
 */
void cctsa_shake_squeeze(cctsa_keccak *k, uint8_t *out, size_t len);

/* Wipes the context (it must be re-initialised before further use). */
void cctsa_keccak_wipe(cctsa_keccak *k);

/* One-shot forms. in may be NULL when len == 0. */
void cctsa_sha3_256(uint8_t out[static CCTSA_SHA3_256_LEN], const uint8_t *in, size_t len);
void cctsa_sha3_384(uint8_t out[static CCTSA_SHA3_384_LEN], const uint8_t *in, size_t len);
void cctsa_sha3_512(uint8_t out[static CCTSA_SHA3_512_LEN], const uint8_t *in, size_t len);
void cctsa_shake128(uint8_t *out, size_t outlen, const uint8_t *in, size_t len);
void cctsa_shake256(uint8_t *out, size_t outlen, const uint8_t *in, size_t len);

#endif
