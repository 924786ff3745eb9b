/*
 * Threshold parameters (spec §1.2) and replicated secret sharing for (3,5)
 * (spec §2.1, §2.2). Everything here is public.
 */
#include <math.h>

#include "tmldsa/tmldsa_int.h"

void cctsa_tmldsa_params_derive(cctsa_tmldsa_derived *out)
{
	const double n = 256.0, k = 6.0, l = 5.0, eta = 4.0, tau = 49.0;
	const double nu = CCTSA_TMLDSA_NU, phi = 8.0, expo = 5.2;
	const double d = n * (k + l), t = CCTSA_TMLDSA_T;
	const double most = 4.0; /* ceil(C(5,2) / 3), spec §1.2 */
	double m2d;

	out->sigma_s = sqrt(((2.0 * eta + 1.0) * (2.0 * eta + 1.0) - 1.0) / 12.0);
	out->b = 1.3 * sqrt((k + l / (nu * nu)) * n * most) * out->sigma_s * sqrt(tau);
	out->m = pow(2.0, expo / t);
	/* M^(2/d) - 1 is about 8.5e-4: expm1 keeps its digits. */
	m2d = expm1(2.0 / d * log(out->m));
	out->r = out->b * (1.0 / phi + sqrt(1.0 / (phi * phi) + m2d)) / m2d;
	out->rp = exp(log(out->m) / d) * out->r;
}

/* Subsets of size 3 in ascending mask order (spec §2.1). */
static const uint8_t subset_masks[TM_SUBSETS] = {7, 11, 13, 14, 19, 21, 22, 25, 26, 28};

uint8_t cctsa_tmldsa_subset_mask(unsigned i)
{
	return i < TM_SUBSETS ? subset_masks[i] : 0;
}

int tm_subset_index(unsigned mask)
{
	for (int i = 0; i < TM_SUBSETS; i++) {
		if (subset_masks[i] == mask) {
			return i;
		}
	}
	return -1;
}

unsigned tm_popcount5(unsigned m)
{
	return (unsigned)__builtin_popcount(m & 31u);
}

unsigned tm_leader(unsigned mask)
{
	return (unsigned)__builtin_ctz(mask);
}

int tm_act_valid(unsigned act)
{
	return act < 32 && tm_popcount5(act) == CCTSA_TMLDSA_T;
}

/* Canonical slot table of spec §2.2 (masks over positions of pi). */
static const uint8_t slot_table[3][4] = {{25, 11, 19, 13}, {7, 14, 22, 26}, {28, 21, 0, 0}};
static const unsigned slot_count[3] = {4, 4, 2};

cctsa_err cctsa_tmldsa_partition(uint8_t out[CCTSA_TMLDSA_N][4], unsigned count[CCTSA_TMLDSA_N],
				 unsigned act)
{
	unsigned pi[CCTSA_TMLDSA_N], np = 0;

	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		count[u] = 0;
		for (unsigned s = 0; s < 4; s++) {
			out[u][s] = 0;
		}
	}
	if (!tm_act_valid(act)) {
		return CCTSA_E_USAGE;
	}
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		if (act & (1u << u)) {
			pi[np++] = u;
		}
	}
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		if (!(act & (1u << u))) {
			pi[np++] = u;
		}
	}
	for (unsigned p = 0; p < CCTSA_TMLDSA_T; p++) {
		unsigned party = pi[p];

		for (unsigned s = 0; s < slot_count[p]; s++) {
			unsigned x = slot_table[p][s], m = 0;

			for (unsigned b = 0; b < CCTSA_TMLDSA_N; b++) {
				if (x & (1u << b)) {
					m |= 1u << pi[b];
				}
			}
			out[party][s] = (uint8_t)m;
		}
		count[party] = slot_count[p];
	}
	return CCTSA_OK;
}
