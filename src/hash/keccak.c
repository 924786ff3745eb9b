/*
 * Keccak-f[1600] and the FIPS 202 sponge (SHA3-256/384/512, SHAKE128/256).
 * Contract in include/cctsa/hash.h. The permutation follows FIPS 202 §3.2
 * (theta, rho, pi, chi, iota); lanes are stored little-endian as FIPS 202
 * Appendix B.1 maps bit strings to lanes.
 */
#include <string.h>

#include "cctsa/base.h"
#include "cctsa/hash.h"
#include "hash_int.h"

/* Round constants RC[i] of iota (FIPS 202 §3.2.5); shared with the 4-way permutations. */
const uint64_t cctsa_keccak_rc[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static inline uint64_t rotl64(uint64_t x, unsigned r)
{
	return (x << r) | (x >> ((64 - r) & 63));
}

/*
 * One round, on lanes A[x + 5y]. rho+pi is written out lane by lane:
 * B[y, 2x+3y] = rotl(A[x,y] ^ D[x], r[x,y]); chi then works row by row on B.
 */
#define KECCAK_CHI_ROW(y)                                                        \
	do {                                                                     \
		a[5 * (y) + 0] = b[5 * (y) + 0] ^ (~b[5 * (y) + 1] & b[5 * (y) + 2]); \
		a[5 * (y) + 1] = b[5 * (y) + 1] ^ (~b[5 * (y) + 2] & b[5 * (y) + 3]); \
		a[5 * (y) + 2] = b[5 * (y) + 2] ^ (~b[5 * (y) + 3] & b[5 * (y) + 4]); \
		a[5 * (y) + 3] = b[5 * (y) + 3] ^ (~b[5 * (y) + 4] & b[5 * (y) + 0]); \
		a[5 * (y) + 4] = b[5 * (y) + 4] ^ (~b[5 * (y) + 0] & b[5 * (y) + 1]); \
	} while (0)

void cctsa_keccak_f1600(uint64_t a[static 25])
{
	uint64_t b[25], c[5], d[5];

	for (unsigned round = 0; round < 24; round++) {
		for (unsigned x = 0; x < 5; x++) {
			c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
		}
		for (unsigned x = 0; x < 5; x++) {
			d[x] = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);
		}
		/* destination index y' + 5 * ((2x + 3y) mod 5) with y' = y */
		b[0] = a[0] ^ d[0];
		b[16] = rotl64(a[5] ^ d[0], 36);
		b[7] = rotl64(a[10] ^ d[0], 3);
		b[23] = rotl64(a[15] ^ d[0], 41);
		b[14] = rotl64(a[20] ^ d[0], 18);
		b[10] = rotl64(a[1] ^ d[1], 1);
		b[1] = rotl64(a[6] ^ d[1], 44);
		b[17] = rotl64(a[11] ^ d[1], 10);
		b[8] = rotl64(a[16] ^ d[1], 45);
		b[24] = rotl64(a[21] ^ d[1], 2);
		b[20] = rotl64(a[2] ^ d[2], 62);
		b[11] = rotl64(a[7] ^ d[2], 6);
		b[2] = rotl64(a[12] ^ d[2], 43);
		b[18] = rotl64(a[17] ^ d[2], 15);
		b[9] = rotl64(a[22] ^ d[2], 61);
		b[5] = rotl64(a[3] ^ d[3], 28);
		b[21] = rotl64(a[8] ^ d[3], 55);
		b[12] = rotl64(a[13] ^ d[3], 25);
		b[3] = rotl64(a[18] ^ d[3], 21);
		b[19] = rotl64(a[23] ^ d[3], 56);
		b[15] = rotl64(a[4] ^ d[4], 27);
		b[6] = rotl64(a[9] ^ d[4], 20);
		b[22] = rotl64(a[14] ^ d[4], 39);
		b[13] = rotl64(a[19] ^ d[4], 8);
		b[4] = rotl64(a[24] ^ d[4], 14);
		KECCAK_CHI_ROW(0);
		KECCAK_CHI_ROW(1);
		KECCAK_CHI_ROW(2);
		KECCAK_CHI_ROW(3);
		KECCAK_CHI_ROW(4);
		a[0] ^= cctsa_keccak_rc[round];
	}
	cctsa_wipe(b, sizeof(b));
	cctsa_wipe(c, sizeof(c));
	cctsa_wipe(d, sizeof(d));
}

static void keccak_init(cctsa_keccak *k, uint32_t rate, uint8_t dsbyte, uint8_t outlen)
{
	memset(k, 0, sizeof(*k));
	k->rate = rate;
	k->dsbyte = dsbyte;
	k->outlen = outlen;
}

void cctsa_sha3_256_init(cctsa_keccak *k)
{
	keccak_init(k, 136, 0x06, CCTSA_SHA3_256_LEN);
}

void cctsa_sha3_384_init(cctsa_keccak *k)
{
	keccak_init(k, 104, 0x06, CCTSA_SHA3_384_LEN);
}

void cctsa_sha3_512_init(cctsa_keccak *k)
{
	keccak_init(k, 72, 0x06, CCTSA_SHA3_512_LEN);
}

void cctsa_shake128_init(cctsa_keccak *k)
{
	keccak_init(k, CCTSA_SHAKE128_RATE, 0x1f, 0);
}

void cctsa_shake256_init(cctsa_keccak *k)
{
	keccak_init(k, CCTSA_SHAKE256_RATE, 0x1f, 0);
}

static inline uint64_t load64le(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++) {
		v |= (uint64_t)p[i] << (8 * i);
	}
	return v;
}

static inline void xor_byte(uint64_t *s, uint32_t pos, uint8_t v)
{
	s[pos / 8] ^= (uint64_t)v << (8 * (pos % 8));
}

void cctsa_keccak_absorb(cctsa_keccak *k, const uint8_t *in, size_t len)
{
	CCTSA_VERIFY(!k->squeezing);
	if (k->squeezing) {
		return;
	}
	while (len > 0) {
		if (k->pos == 0 && len >= k->rate) {
			/* whole block, lane by lane (every rate is a multiple of 8) */
			for (uint32_t i = 0; i < k->rate / 8; i++) {
				k->s[i] ^= load64le(in + 8 * i);
			}
			in += k->rate;
			len -= k->rate;
			k->pos = k->rate;
		} else if (k->pos % 8 == 0 && len >= 8) {
			k->s[k->pos / 8] ^= load64le(in);
			k->pos += 8;
			in += 8;
			len -= 8;
		} else {
			xor_byte(k->s, k->pos++, *in++);
			len--;
		}
		if (k->pos == k->rate) {
			cctsa_keccak_f1600(k->s);
			k->pos = 0;
		}
	}
}

/* pad10*1 with the domain bits (FIPS 202 §6.1, §6.2), then switch to squeezing. */
static void keccak_pad(cctsa_keccak *k)
{
	xor_byte(k->s, k->pos, k->dsbyte);
	xor_byte(k->s, k->rate - 1, 0x80);
	cctsa_keccak_f1600(k->s);
	k->pos = 0;
	k->squeezing = 1;
}

void cctsa_shake_squeeze(cctsa_keccak *k, uint8_t *out, size_t len)
{
	CCTSA_VERIFY(k->outlen == 0);
	if (!k->squeezing) {
		keccak_pad(k);
	}
	while (len > 0) {
		if (k->pos == k->rate) {
			cctsa_keccak_f1600(k->s);
			k->pos = 0;
		}
		if (k->pos == 0 && len >= k->rate) {
			for (uint32_t i = 0; i < k->rate / 8; i++) {
				for (unsigned j = 0; j < 8; j++) {
					out[8 * i + j] = (uint8_t)(k->s[i] >> (8 * j));
				}
			}
			out += k->rate;
			len -= k->rate;
			k->pos = k->rate;
			continue;
		}
		*out++ = (uint8_t)(k->s[k->pos / 8] >> (8 * (k->pos % 8)));
		k->pos++;
		len--;
	}
}

void cctsa_sha3_final(cctsa_keccak *k, uint8_t *out)
{
	CCTSA_VERIFY(k->outlen != 0 && !k->squeezing);
	keccak_pad(k);
	for (uint32_t i = 0; i < k->outlen; i++) {
		out[i] = (uint8_t)(k->s[i / 8] >> (8 * (i % 8)));
	}
	k->pos = k->outlen;
}

void cctsa_keccak_wipe(cctsa_keccak *k)
{
	cctsa_wipe(k, sizeof(*k));
}

void cctsa_sha3_256(uint8_t out[static CCTSA_SHA3_256_LEN], const uint8_t *in, size_t len)
{
	cctsa_keccak k;

	cctsa_sha3_256_init(&k);
	cctsa_keccak_absorb(&k, in, len);
	cctsa_sha3_final(&k, out);
	cctsa_keccak_wipe(&k);
}

void cctsa_sha3_384(uint8_t out[static CCTSA_SHA3_384_LEN], const uint8_t *in, size_t len)
{
	cctsa_keccak k;

	cctsa_sha3_384_init(&k);
	cctsa_keccak_absorb(&k, in, len);
	cctsa_sha3_final(&k, out);
	cctsa_keccak_wipe(&k);
}

void cctsa_sha3_512(uint8_t out[static CCTSA_SHA3_512_LEN], const uint8_t *in, size_t len)
{
	cctsa_keccak k;

	cctsa_sha3_512_init(&k);
	cctsa_keccak_absorb(&k, in, len);
	cctsa_sha3_final(&k, out);
	cctsa_keccak_wipe(&k);
}

void cctsa_shake128(uint8_t *out, size_t outlen, const uint8_t *in, size_t len)
{
	cctsa_keccak k;

	cctsa_shake128_init(&k);
	cctsa_keccak_absorb(&k, in, len);
	cctsa_shake_squeeze(&k, out, outlen);
	cctsa_keccak_wipe(&k);
}

void cctsa_shake256(uint8_t *out, size_t outlen, const uint8_t *in, size_t len)
{
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, in, len);
	cctsa_shake_squeeze(&k, out, outlen);
	cctsa_keccak_wipe(&k);
}
