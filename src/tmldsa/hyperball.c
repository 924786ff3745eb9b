/*
 * Hyperball sampler of spec §3.1 (bit-level procedure of §3.1 and §8 item 3).
 *
 * Stream j is SHAKE256(0x48 || rho'' || le16(j)), read as 1409 pairs of u64le
 * (a, b) for Box-Muller. tm_hyperball runs one stream on the scalar sponge;
 * tm_hyperball_x4 runs up to four streams through the 4-way Keccak of
 * src/hash (AVX2 when the CPU has it). Both feed the same per-pair arithmetic
 * (hb_pairs, hb_finish), so their outputs are bit-identical.
 *
 * KNOWN CONSTANT-TIME EXCEPTION (spec §6 item 7; tests/ctime/EXCEPTIONS): this
 * uses IEEE-754 doubles and libm log/sqrt/cos/sin on secret values, as the scheme
 * requires. The operation order is fixed (no FMA contraction: gcc in ISO C mode
 * defaults to -ffp-contract=off, clang is told below) so results are reproducible.
 */
#include <math.h>
#include <float.h>
#include <string.h>

#include "base/ct.h"
#include "hash/hash_int.h"
#include "tmldsa/tmldsa_int.h"

#ifdef __clang__
#pragma clang fp contract(off)
#endif

#define HB_VALUES (TM_DIM + 2)
#define HB_PAIRS (HB_VALUES / 2)  /* 1409 */
#define HB_BYTES (8 * HB_VALUES)  /* 22544 */
#define HB_RATE 136               /* SHAKE256 */
#define HB_CHUNK_BLOCKS 8         /* squeezed at a time: 1088 bytes = 68 pairs */
#define HB_CHUNK (HB_CHUNK_BLOCKS * HB_RATE)
#define HB_BLOCKS ((HB_BYTES + HB_RATE - 1) / HB_RATE) /* 166 */

/* Box-Muller output of one stream: g[0..2815] in x, the last two aside. */
typedef struct {
	double *x;
	double tail[2];
} hb_out;

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--) {
		v = (v << 8) | p[i];
	}
	return v;
}

static void hb_input(uint8_t in[67], const uint8_t rho2[64], unsigned j)
{
	in[0] = 0x48;
	memcpy(in + 1, rho2, 64);
	in[65] = (uint8_t)j;
	in[66] = (uint8_t)(j >> 8);
}

/* Pairs m0 .. m0+n-1 of a stream from their 16 n bytes. */
static void hb_pairs(hb_out *o, const uint8_t *buf, unsigned m0, unsigned n)
{
	static const double two_pi = 2.0 * M_PI;

	for (unsigned k = 0; k < n; k++) {
		unsigned m = m0 + k;
		double a, b, t, *g;

		a = (double)le64(buf + 16 * k) * 0x1p-64;
		b = (double)le64(buf + 16 * k + 8) * 0x1p-64;
		/* Spec §3.1: clamp a = 0 to DBL_MIN (probability 2^-64), never redraw. */
		a = a == 0.0 ? DBL_MIN : a;
		t = sqrt(-2.0 * log(a));
		g = 2 * m < TM_DIM ? o->x + 2 * m : o->tail;
		g[0] = t * cos(two_pi * b);
		g[1] = t * sin(two_pi * b);
	}
}

/* Scales g onto the hyperball of radius r' (y part stretched by nu), in place. */
static void hb_finish(hb_out *o)
{
	double s2 = 0.0, scale;
	double *x = o->x;

	for (unsigned i = 0; i < TM_DIM; i++) {
		s2 += x[i] * x[i];
	}
	s2 += o->tail[0] * o->tail[0];
	s2 += o->tail[1] * o->tail[1];
	scale = CCTSA_TMLDSA_RP / sqrt(s2);
	for (unsigned i = 0; i < TM_DIM; i++) {
		x[i] = i < TM_D1 ? (x[i] * CCTSA_TMLDSA_NU) * scale : x[i] * scale;
	}
	cctsa_wipe(o->tail, sizeof(o->tail));
}

void tm_hyperball(double x[TM_DIM], const uint8_t rho2[64], unsigned j)
{
	uint8_t in[67], buf[HB_CHUNK];
	hb_out o = { .x = x };
	cctsa_keccak k;

	hb_input(in, rho2, j);
	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, in, sizeof(in));
	for (unsigned m = 0; m < HB_PAIRS; m += HB_CHUNK / 16) {
		unsigned n = HB_PAIRS - m < HB_CHUNK / 16 ? HB_PAIRS - m : HB_CHUNK / 16;

		cctsa_shake_squeeze(&k, buf, 16 * (size_t)n);
		hb_pairs(&o, buf, m, n);
	}
	hb_finish(&o);
	cctsa_wipe(buf, sizeof(buf));
	cctsa_wipe(in, sizeof(in));
	cctsa_keccak_wipe(&k);
}

void tm_hyperball_x4(double *const x[4], const uint8_t rho2[64], const unsigned j[4], unsigned n)
{
	uint8_t in[4][67], buf[4][HB_CHUNK];
	const uint8_t *inp[4] = { in[0], in[1], in[2], in[3] };
	uint8_t *out[4] = { buf[0], buf[1], buf[2], buf[3] };
	hb_out o[4];
	cctsa_keccak_x4 st;
	unsigned blocks = 0;

	for (unsigned s = 0; s < 4; s++) {
		/* Unused lanes repeat lane 0's input; their output is dropped. */
		hb_input(in[s], rho2, j[s < n ? s : 0]);
		o[s].x = s < n ? x[s] : NULL;
	}
	cctsa_keccak_x4_absorb_once(&st, HB_RATE, 0x1f, inp, sizeof(in[0]));
	for (unsigned m = 0; m < HB_PAIRS; m += HB_CHUNK / 16) {
		unsigned np = HB_PAIRS - m < HB_CHUNK / 16 ? HB_PAIRS - m : HB_CHUNK / 16;
		unsigned nb = HB_BLOCKS - blocks < HB_CHUNK_BLOCKS ? HB_BLOCKS - blocks : HB_CHUNK_BLOCKS;

		cctsa_keccak_x4_squeezeblocks(out, nb, &st, HB_RATE);
		blocks += nb;
		for (unsigned s = 0; s < n; s++) {
			hb_pairs(&o[s], buf[s], m, np);
		}
	}
	for (unsigned s = 0; s < n; s++) {
		hb_finish(&o[s]);
	}
	cctsa_wipe(buf, sizeof(buf));
	cctsa_wipe(in, sizeof(in));
	cctsa_wipe(&st, sizeof(st));
}
