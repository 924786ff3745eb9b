/*
 * Four-way Keccak: the portable path, the run-time dispatch and the sponge
 * helpers (contract in hash_int.h). The AVX2 permutation is in keccak_x4_avx2.c.
 */
#include <string.h>

#include "cctsa/base.h"
#include "hash/hash_int.h"

void cctsa_keccak_x4_f1600_portable(cctsa_keccak_x4 *st)
{
	uint64_t one[25];

	for (unsigned n = 0; n < 4; n++) {
		for (unsigned i = 0; i < 25; i++) {
			one[i] = st->s[i][n];
		}
		cctsa_keccak_f1600(one);
		for (unsigned i = 0; i < 25; i++) {
			st->s[i][n] = one[i];
		}
	}
	cctsa_wipe(one, sizeof(one));
}

int cctsa_keccak_x4_have_avx2(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(CCTSA_NO_AVX2)
	return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
	return 0;
#endif
}

void cctsa_keccak_x4_f1600(cctsa_keccak_x4 *st)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(CCTSA_NO_AVX2)
	if (__builtin_cpu_supports("avx2")) {
		cctsa_keccak_x4_f1600_avx2(st);
		return;
	}
#endif
	cctsa_keccak_x4_f1600_portable(st);
}

static void xor_byte_x4(cctsa_keccak_x4 *st, unsigned n, size_t pos, uint8_t v)
{
	st->s[pos / 8][n] ^= (uint64_t)v << (8 * (pos % 8));
}

void cctsa_keccak_x4_absorb_once(cctsa_keccak_x4 *st, unsigned rate, uint8_t ds, const uint8_t *const in[4],
				 size_t len)
{
	size_t off = 0;

	memset(st, 0, sizeof(*st));
	while (len - off >= rate) {
		for (unsigned n = 0; n < 4; n++) {
			for (size_t b = 0; b < rate; b++) {
				xor_byte_x4(st, n, b, in[n][off + b]);
			}
		}
		cctsa_keccak_x4_f1600(st);
		off += rate;
	}
	for (unsigned n = 0; n < 4; n++) {
		for (size_t b = 0; b < len - off; b++) {
			xor_byte_x4(st, n, b, in[n][off + b]);
		}
		xor_byte_x4(st, n, len - off, ds);
		xor_byte_x4(st, n, rate - 1, 0x80);
	}
}

void cctsa_keccak_x4_squeezeblocks(uint8_t *const out[4], size_t nblocks, cctsa_keccak_x4 *st, unsigned rate)
{
	for (size_t blk = 0; blk < nblocks; blk++) {
		cctsa_keccak_x4_f1600(st);
		for (unsigned n = 0; n < 4; n++) {
			uint8_t *o = out[n] + blk * rate;
			for (unsigned i = 0; i < rate / 8; i++) {
				uint64_t v = st->s[i][n];
				for (unsigned j = 0; j < 8; j++) {
					o[8 * i + j] = (uint8_t)(v >> (8 * j));
				}
			}
		}
	}
}
