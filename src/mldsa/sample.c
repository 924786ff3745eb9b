/*
 * ML-DSA sampling (FIPS 204 §7.3): RejNTTPoly/ExpandA, RejBoundedPoly/ExpandS,
 * ExpandMask, SampleInBall; plus the matrix-vector product and vector NTTs.
 * Contracts in mldsa_int.h.
 */
#include <string.h>

#include "base/ct.h"
#include "hash/hash_int.h"
#include "mldsa/mldsa_int.h"

#define UNIFORM_BLOCKS 5 /* 5 * 168 bytes = 280 candidates; 256 needed on average 257.5 */
#define ETA_BLOCKS 2     /* 2 * 136 bytes = 544 half-bytes */
#define MASK_BLOCKS 5    /* 5 * 136 = 680 >= 640 bytes of y */

/* RejNTTPoly's inner loop (Alg. 30): 3 bytes -> one candidate < q. Returns the new count. */
static unsigned rej_uniform(mldsa_poly *a, unsigned ctr, const uint8_t *buf, size_t len)
{
	/* rates are multiples of 3, so no candidate straddles blocks */
	for (size_t pos = 0; pos + 3 <= len && ctr < MLDSA_N; pos += 3) {
		uint32_t t = buf[pos] | ((uint32_t)buf[pos + 1] << 8) | ((uint32_t)(buf[pos + 2] & 0x7f) << 16);
		if (t < MLDSA_Q) {
			a->c[ctr++] = (int32_t)t;
		}
	}
	return ctr;
}

void mldsa_poly_uniform(mldsa_poly *a, const uint8_t rho[MLDSA_SEEDBYTES], uint8_t j, uint8_t i)
{
	uint8_t buf[UNIFORM_BLOCKS * CCTSA_SHAKE128_RATE];
	uint8_t idx[2] = {j, i};
	unsigned ctr;
	cctsa_keccak k;

	cctsa_shake128_init(&k);
	cctsa_keccak_absorb(&k, rho, MLDSA_SEEDBYTES);
	cctsa_keccak_absorb(&k, idx, 2);
	cctsa_shake_squeeze(&k, buf, sizeof(buf));
	ctr = rej_uniform(a, 0, buf, sizeof(buf));
	while (ctr < MLDSA_N) {
		cctsa_shake_squeeze(&k, buf, CCTSA_SHAKE128_RATE);
		ctr = rej_uniform(a, ctr, buf, CCTSA_SHAKE128_RATE);
	}
}

/* Four entries of A at once; out[n] = A[idx[n][1]][idx[n][0]] (j, i byte order of Alg. 32). */
static void poly_uniform_x4(mldsa_poly *const out[4], const uint8_t rho[MLDSA_SEEDBYTES], uint8_t idx[4][2])
{
	uint8_t seed[4][MLDSA_SEEDBYTES + 2], buf[4][UNIFORM_BLOCKS * CCTSA_SHAKE128_RATE];
	const uint8_t *const in[4] = {seed[0], seed[1], seed[2], seed[3]};
	uint8_t *const bufs[4] = {buf[0], buf[1], buf[2], buf[3]};
	unsigned ctr[4];
	cctsa_keccak_x4 st;

	for (unsigned n = 0; n < 4; n++) {
		memcpy(seed[n], rho, MLDSA_SEEDBYTES);
		seed[n][MLDSA_SEEDBYTES] = idx[n][0];
		seed[n][MLDSA_SEEDBYTES + 1] = idx[n][1];
	}
	cctsa_keccak_x4_absorb_once(&st, CCTSA_SHAKE128_RATE, 0x1f, in, sizeof(seed[0]));
	cctsa_keccak_x4_squeezeblocks(bufs, UNIFORM_BLOCKS, &st, CCTSA_SHAKE128_RATE);
	for (unsigned n = 0; n < 4; n++) {
		ctr[n] = rej_uniform(out[n], 0, buf[n], sizeof(buf[n]));
	}
	while (ctr[0] < MLDSA_N || ctr[1] < MLDSA_N || ctr[2] < MLDSA_N || ctr[3] < MLDSA_N) {
		cctsa_keccak_x4_squeezeblocks(bufs, 1, &st, CCTSA_SHAKE128_RATE);
		for (unsigned n = 0; n < 4; n++) {
			ctr[n] = rej_uniform(out[n], ctr[n], buf[n], CCTSA_SHAKE128_RATE);
		}
	}
}

/*
 * Entries e .. e+3 of A in row-major order (entry e = A[e / l][e % l]) into out[];
 * lanes past k*l repeat the last entry (their output is scratch).
 */
static void uniform_entries(mldsa_poly *const out[4], const mldsa_params *p, const uint8_t rho[MLDSA_SEEDBYTES],
			    unsigned e)
{
	uint8_t idx[4][2];

	for (unsigned n = 0; n < 4; n++) {
		unsigned en = e + n < p->k * p->l ? e + n : p->k * p->l - 1;
		idx[n][0] = (uint8_t)(en % p->l);
		idx[n][1] = (uint8_t)(en / p->l);
	}
	poly_uniform_x4(out, rho, idx);
}

void mldsa_expand_a(mldsa_matrix *a, const mldsa_params *p, const uint8_t rho[MLDSA_SEEDBYTES])
{
	mldsa_poly scratch;

	for (unsigned e = 0; e < p->k * p->l; e += 4) {
		mldsa_poly *out[4];
		for (unsigned n = 0; n < 4; n++) {
			out[n] = e + n < p->k * p->l ? &a->m[(e + n) / p->l].v[(e + n) % p->l] : &scratch;
		}
		uniform_entries(out, p, rho, e);
	}
}

void mldsa_matrix_mul_rho(mldsa_polyveck *t, const uint8_t rho[MLDSA_SEEDBYTES], const mldsa_polyvecl *v,
			  const mldsa_params *p)
{
	static const int64_t zero[MLDSA_N];
	int64_t acc[MLDSA_K_MAX][MLDSA_N];
	mldsa_poly tmp[4];
	mldsa_poly *const out[4] = {&tmp[0], &tmp[1], &tmp[2], &tmp[3]};

	for (unsigned i = 0; i < p->k; i++) {
		memcpy(acc[i], zero, sizeof(zero));
	}
	for (unsigned e = 0; e < p->k * p->l; e += 4) {
		uniform_entries(out, p, rho, e);
		for (unsigned n = 0; n < 4 && e + n < p->k * p->l; n++) {
			const int32_t *x = tmp[n].c, *y = v->v[(e + n) % p->l].c;
			int64_t *r = acc[(e + n) / p->l];
			for (unsigned c = 0; c < MLDSA_N; c++) {
				r[c] += (int64_t)x[c] * y[c];
			}
		}
	}
	for (unsigned i = 0; i < p->k; i++) {
		for (unsigned c = 0; c < MLDSA_N; c++) {
			t->v[i].c[c] = mldsa_reduce32(mldsa_montgomery_reduce(acc[i][c]));
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

/* Four SHAKE256(seed || IntegerToBytes(nonce[n], 2)) states, for ExpandS and ExpandMask. */
static void shake256_x4_nonce(cctsa_keccak_x4 *st, const uint8_t seed[MLDSA_CRHBYTES], const uint16_t nonce[4])
{
	uint8_t in[4][MLDSA_CRHBYTES + 2];
	const uint8_t *const ins[4] = {in[0], in[1], in[2], in[3]};

	for (unsigned n = 0; n < 4; n++) {
		memcpy(in[n], seed, MLDSA_CRHBYTES);
		in[n][MLDSA_CRHBYTES] = (uint8_t)nonce[n];
		in[n][MLDSA_CRHBYTES + 1] = (uint8_t)(nonce[n] >> 8);
	}
	cctsa_keccak_x4_absorb_once(st, CCTSA_SHAKE256_RATE, 0x1f, ins, sizeof(in[0]));
	cctsa_wipe(in, sizeof(in));
}

void mldsa_expand_s(mldsa_polyvecl *s1, mldsa_polyveck *s2, const mldsa_params *p,
		    const uint8_t rhop[MLDSA_CRHBYTES])
{
	uint8_t buf[4][ETA_BLOCKS * CCTSA_SHAKE256_RATE];
	uint8_t *const bufs[4] = {buf[0], buf[1], buf[2], buf[3]};
	const unsigned total = p->l + p->k;
	mldsa_poly scratch, *out[4];
	unsigned ctr[4];
	uint16_t nonce[4];
	cctsa_keccak_x4 st;

	for (unsigned e = 0; e < total; e += 4) {
		for (unsigned n = 0; n < 4; n++) {
			unsigned idx = e + n;
			nonce[n] = (uint16_t)(idx < total ? idx : e);
			out[n] = idx >= total ? &scratch : idx < p->l ? &s1->v[idx] : &s2->v[idx - p->l];
		}
		shake256_x4_nonce(&st, rhop, nonce);
		cctsa_keccak_x4_squeezeblocks(bufs, ETA_BLOCKS, &st, CCTSA_SHAKE256_RATE);
		for (unsigned n = 0; n < 4; n++) {
			ctr[n] = eta_coeffs(out[n], 0, buf[n], sizeof(buf[n]), p->eta);
		}
		while (ctr[0] < MLDSA_N || ctr[1] < MLDSA_N || ctr[2] < MLDSA_N || ctr[3] < MLDSA_N) {
			cctsa_keccak_x4_squeezeblocks(bufs, 1, &st, CCTSA_SHAKE256_RATE);
			for (unsigned n = 0; n < 4; n++) {
				ctr[n] = eta_coeffs(out[n], ctr[n], buf[n], CCTSA_SHAKE256_RATE, p->eta);
			}
		}
	}
	cctsa_wipe(buf, sizeof(buf));
	cctsa_wipe(&st, sizeof(st));
	cctsa_wipe(&scratch, sizeof(scratch));
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
	uint8_t buf[4][MASK_BLOCKS * CCTSA_SHAKE256_RATE];
	uint8_t *const bufs[4] = {buf[0], buf[1], buf[2], buf[3]};
	uint16_t nonce[4];
	cctsa_keccak_x4 st;

	for (unsigned r = 0; r < p->l; r += 4) {
		for (unsigned n = 0; n < 4; n++) {
			nonce[n] = (uint16_t)(kappa + (r + n < p->l ? r + n : r));
		}
		shake256_x4_nonce(&st, rhopp, nonce);
		cctsa_keccak_x4_squeezeblocks(bufs, MASK_BLOCKS, &st, CCTSA_SHAKE256_RATE);
		for (unsigned n = 0; n < 4 && r + n < p->l; n++) {
			mldsa_unpack_z(&y->v[r + n], buf[n], p);
		}
	}
	cctsa_wipe(buf, sizeof(buf));
	cctsa_wipe(&st, sizeof(st));
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
