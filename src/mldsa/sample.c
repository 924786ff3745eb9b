/*
 * ML-DSA sampling (FIPS 204 §7.3): RejNTTPoly/ExpandA, RejBoundedPoly/ExpandS,
 * ExpandMask, SampleInBall; plus the matrix-vector product and vector NTTs.
 * Contracts in mldsa_int.h.
 */
#include <string.h>

#include "base/ct.h"
#include "mldsa/mldsa_int.h"

#define UNIFORM_BLOCKS 5 /* 5 * 168 bytes = 280 candidates; 256 needed on average 257.5 */

void mldsa_poly_uniform(mldsa_poly *a, const uint8_t rho[MLDSA_SEEDBYTES], uint8_t j, uint8_t i)
{
	uint8_t buf[UNIFORM_BLOCKS * CCTSA_SHAKE128_RATE];
	uint8_t idx[2] = {j, i};
	size_t len = sizeof(buf), pos = 0;
	unsigned ctr = 0;
	cctsa_keccak k;

	cctsa_shake128_init(&k);
	cctsa_keccak_absorb(&k, rho, MLDSA_SEEDBYTES);
	cctsa_keccak_absorb(&k, idx, 2);
	cctsa_shake_squeeze(&k, buf, len);
	while (ctr < MLDSA_N) {
		if (pos + 3 > len) {
			/* rates are multiples of 3, so no candidate straddles blocks */
			cctsa_shake_squeeze(&k, buf, CCTSA_SHAKE128_RATE);
			len = CCTSA_SHAKE128_RATE;
			pos = 0;
		}
		uint32_t t = buf[pos] | ((uint32_t)buf[pos + 1] << 8) | ((uint32_t)(buf[pos + 2] & 0x7f) << 16);
		pos += 3;
		if (t < MLDSA_Q) {
			a->c[ctr++] = (int32_t)t;
		}
	}
}

void mldsa_expand_a(mldsa_matrix *a, const mldsa_params *p, const uint8_t rho[MLDSA_SEEDBYTES])
{
	for (unsigned i = 0; i < p->k; i++) {
		for (unsigned j = 0; j < p->l; j++) {
			mldsa_poly_uniform(&a->m[i].v[j], rho, (uint8_t)j, (uint8_t)i);
		}
	}
}

/*
 * CoeffFromHalfByte (Alg. 15): eta = 2 accepts z < 15 and maps to 2 - (z mod 5);
 * eta = 4 accepts z < 9 and maps to 4 - z. z mod 5 for z < 15 is z - 5 * ((z * 205) >> 10).
 * Whether a half-byte is accepted is declassified: the rejected values are
 * discarded and are independent of the accepted coefficients (the same argument
 * FIPS 204 makes for rejection sampling), so the branch reveals nothing of s1, s2.
 */
static unsigned eta_coeffs(mldsa_poly *a, unsigned ctr, const uint8_t *buf, size_t len, unsigned eta)
{
	for (size_t i = 0; i < len && ctr < MLDSA_N; i++) {
		uint32_t z[2] = {buf[i] & 0x0fu, (uint32_t)buf[i] >> 4};
		for (unsigned h = 0; h < 2 && ctr < MLDSA_N; h++) {
			uint32_t v = z[h], ok;
			int32_t coeff;
			if (eta == 2) {
				ok = v < 15;
				coeff = 2 - (int32_t)(v - 5 * ((v * 205) >> 10));
			} else {
				ok = v < 9;
				coeff = 4 - (int32_t)v;
			}
			CCTSA_PUBLIC(&ok, sizeof(ok)); /* rejection decision, see above */
			if (ok) {
				a->c[ctr++] = coeff;
			}
		}
	}
	return ctr;
}

void mldsa_poly_uniform_eta(mldsa_poly *a, const uint8_t rhop[MLDSA_CRHBYTES], uint16_t nonce, unsigned eta)
{
	uint8_t buf[2 * CCTSA_SHAKE256_RATE];
	uint8_t n[2] = {(uint8_t)nonce, (uint8_t)(nonce >> 8)};
	unsigned ctr;
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, rhop, MLDSA_CRHBYTES);
	cctsa_keccak_absorb(&k, n, 2);
	cctsa_shake_squeeze(&k, buf, sizeof(buf));
	ctr = eta_coeffs(a, 0, buf, sizeof(buf), eta);
	while (ctr < MLDSA_N) {
		cctsa_shake_squeeze(&k, buf, CCTSA_SHAKE256_RATE);
		ctr = eta_coeffs(a, ctr, buf, CCTSA_SHAKE256_RATE, eta);
	}
	cctsa_wipe(buf, sizeof(buf));
	cctsa_keccak_wipe(&k);
}

void mldsa_expand_s(mldsa_polyvecl *s1, mldsa_polyveck *s2, const mldsa_params *p,
		    const uint8_t rhop[MLDSA_CRHBYTES])
{
	for (unsigned r = 0; r < p->l; r++) {
		mldsa_poly_uniform_eta(&s1->v[r], rhop, (uint16_t)r, p->eta);
	}
	for (unsigned r = 0; r < p->k; r++) {
		mldsa_poly_uniform_eta(&s2->v[r], rhop, (uint16_t)(p->l + r), p->eta);
	}
}

void mldsa_poly_uniform_gamma1(mldsa_poly *a, const uint8_t rhopp[MLDSA_CRHBYTES], uint16_t nonce,
			       const mldsa_params *p)
{
	uint8_t buf[MLDSA_POLYZ_MAX];
	uint8_t n[2] = {(uint8_t)nonce, (uint8_t)(nonce >> 8)};
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, rhopp, MLDSA_CRHBYTES);
	cctsa_keccak_absorb(&k, n, 2);
	cctsa_shake_squeeze(&k, buf, p->polyz_bytes);
	mldsa_unpack_z(a, buf, p);
	cctsa_wipe(buf, sizeof(buf));
	cctsa_keccak_wipe(&k);
}

void mldsa_expand_mask(mldsa_polyvecl *y, const mldsa_params *p, const uint8_t rhopp[MLDSA_CRHBYTES],
		       uint16_t kappa)
{
	for (unsigned r = 0; r < p->l; r++) {
		mldsa_poly_uniform_gamma1(&y->v[r], rhopp, (uint16_t)(kappa + r), p);
	}
}

void mldsa_poly_challenge(mldsa_poly *c, const uint8_t *ctilde, const mldsa_params *p)
{
	uint8_t buf[CCTSA_SHAKE256_RATE];
	uint64_t signs = 0;
	size_t pos = 8;
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, ctilde, p->ctilde_len);
	cctsa_shake_squeeze(&k, buf, sizeof(buf));
	for (unsigned i = 0; i < 8; i++) {
		signs |= (uint64_t)buf[i] << (8 * i);
	}
	memset(c, 0, sizeof(*c));
	for (unsigned i = MLDSA_N - p->tau; i < MLDSA_N; i++) {
		unsigned b;
		do {
			if (pos == sizeof(buf)) {
				cctsa_shake_squeeze(&k, buf, sizeof(buf));
				pos = 0;
			}
			b = buf[pos++];
		} while (b > i);
		c->c[i] = c->c[b];
		c->c[b] = 1 - 2 * (int32_t)(signs & 1);
		signs >>= 1;
	}
	cctsa_keccak_wipe(&k);
}

void mldsa_polyvecl_ntt(mldsa_polyvecl *v, const mldsa_params *p)
{
	for (unsigned i = 0; i < p->l; i++) {
		mldsa_poly_ntt(&v->v[i]);
	}
}

void mldsa_polyveck_ntt(mldsa_polyveck *v, const mldsa_params *p)
{
	for (unsigned i = 0; i < p->k; i++) {
		mldsa_poly_ntt(&v->v[i]);
	}
}

void mldsa_polyveck_invntt_tomont(mldsa_polyveck *v, const mldsa_params *p)
{
	for (unsigned i = 0; i < p->k; i++) {
		mldsa_poly_invntt_tomont(&v->v[i]);
	}
}

void mldsa_matrix_mul(mldsa_polyveck *t, const mldsa_matrix *a, const mldsa_polyvecl *v,
		      const mldsa_params *p)
{
	for (unsigned i = 0; i < p->k; i++) {
		int64_t acc[MLDSA_N] = {0};
		for (unsigned j = 0; j < p->l; j++) {
			const int32_t *x = a->m[i].v[j].c, *y = v->v[j].c;
			for (unsigned n = 0; n < MLDSA_N; n++) {
				acc[n] += (int64_t)x[n] * y[n];
			}
		}
		for (unsigned n = 0; n < MLDSA_N; n++) {
			t->v[i].c[n] = mldsa_reduce32(mldsa_montgomery_reduce(acc[n]));
		}
		cctsa_wipe(acc, sizeof(acc));
	}
}
