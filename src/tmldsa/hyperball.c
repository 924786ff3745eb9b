/*
 * Hyperball sampler of spec §3.1 (bit-level procedure of §3.1 and §8 item 3).
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
#include "tmldsa/tmldsa_int.h"

#ifdef __clang__
#pragma clang fp contract(off)
#endif

#define HB_VALUES (TM_DIM + 2)
#define HB_BYTES (8 * HB_VALUES) /* 22544 */

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--) {
		v = (v << 8) | p[i];
	}
	return v;
}

void tm_hyperball(double x[TM_DIM], const uint8_t rho2[64], unsigned j)
{
	static const double two_pi = 2.0 * M_PI;
	uint8_t in[67], buf[16 * 68]; /* 8 SHAKE256 blocks */
	double g[HB_VALUES], s2 = 0.0, scale;
	cctsa_keccak k;
	size_t have = 0, pos = 0, left = HB_BYTES;

	in[0] = 0x48;
	memcpy(in + 1, rho2, 64);
	in[65] = (uint8_t)j;
	in[66] = (uint8_t)(j >> 8);
	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, in, sizeof(in));
	for (unsigned m = 0; m < HB_VALUES / 2; m++) {
		double a, b, t;

		if (pos == have) {
			have = left < sizeof(buf) ? left : sizeof(buf);
			cctsa_shake_squeeze(&k, buf, have);
			left -= have;
			pos = 0;
		}
		a = (double)le64(buf + pos) * 0x1p-64;
		b = (double)le64(buf + pos + 8) * 0x1p-64;
		pos += 16;
		/* Spec §3.1: clamp a = 0 to DBL_MIN (probability 2^-64), never redraw. */
		a = a == 0.0 ? DBL_MIN : a;
		t = sqrt(-2.0 * log(a));
		g[2 * m] = t * cos(two_pi * b);
		g[2 * m + 1] = t * sin(two_pi * b);
	}
	for (unsigned i = 0; i < HB_VALUES; i++) {
		s2 += g[i] * g[i];
	}
	scale = CCTSA_TMLDSA_RP / sqrt(s2);
	for (unsigned i = 0; i < TM_DIM; i++) {
		x[i] = i < TM_D1 ? (g[i] * CCTSA_TMLDSA_NU) * scale : g[i] * scale;
	}
	cctsa_wipe(g, sizeof(g));
	cctsa_wipe(buf, sizeof(buf));
	cctsa_wipe(in, sizeof(in));
	cctsa_keccak_wipe(&k);
}
