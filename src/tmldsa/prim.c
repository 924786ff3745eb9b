/*
 * The plain ML-DSA-65 pieces the threshold protocol needs, expressed over the
 * mldsa module's internals (src/mldsa/mldsa_int.h). No ML-DSA arithmetic is
 * reimplemented here except the exact sparse product c * s of round 3.
 */
#include <string.h>

#include "base/ct.h"
#include "tmldsa/tmldsa_int.h"

static const mldsa_params *p65(void)
{
	return mldsa_params_get(CCTSA_MLDSA_65);
}

void tm_expand_a(tm_matrix *a, const uint8_t rho[32])
{
	mldsa_expand_a(a, p65(), rho);
}

void tm_matvec(tm_poly out[TM_KR], const tm_matrix *a, const tm_poly in[TM_LC])
{
	mldsa_polyvecl v;
	mldsa_polyveck t;

	for (unsigned i = 0; i < TM_LC; i++) {
		v.v[i] = in[i];
		mldsa_poly_reduce32(&v.v[i]);
	}
	mldsa_polyvecl_ntt(&v, p65());
	mldsa_matrix_mul(&t, a, &v, p65());
	for (unsigned i = 0; i < TM_KR; i++) {
		mldsa_poly_reduce32(&t.v[i]);
	}
	mldsa_polyveck_invntt_tomont(&t, p65());
	for (unsigned i = 0; i < TM_KR; i++) {
		out[i] = t.v[i];
		mldsa_poly_caddq(&out[i]);
	}
	cctsa_wipe(&v, sizeof(v));
	cctsa_wipe(&t, sizeof(t));
}

void tm_polymul(tm_poly *out, const tm_poly *a, const tm_poly *b)
{
	tm_poly x = *a, y = *b;

	mldsa_poly_reduce32(&x);
	mldsa_poly_reduce32(&y);
	mldsa_poly_ntt(&x);
	mldsa_poly_ntt(&y);
	mldsa_poly_pointwise_montgomery(out, &x, &y);
	mldsa_poly_invntt_tomont(out);
	mldsa_poly_caddq(out);
}

void tm_expand_s(tm_secret *s, const uint8_t seed[64])
{
	mldsa_poly p;

	for (unsigned j = 0; j < TM_LC; j++) {
		mldsa_poly_uniform_eta(&p, seed, (uint16_t)j, 4);
		memcpy(s->s1[j], p.c, sizeof(p.c));
	}
	for (unsigned j = 0; j < TM_KR; j++) {
		mldsa_poly_uniform_eta(&p, seed, (uint16_t)(TM_LC + j), 4);
		memcpy(s->s2[j], p.c, sizeof(p.c));
	}
	cctsa_wipe(&p, sizeof(p));
}

void tm_pack_eta(uint8_t out[TM_SECRET_PACK], const tm_secret *s)
{
	mldsa_poly p;

	for (unsigned j = 0; j < TM_LC + TM_KR; j++) {
		memcpy(p.c, j < TM_LC ? s->s1[j] : s->s2[j - TM_LC], sizeof(p.c));
		mldsa_pack_eta(out + (size_t)j * 128, &p, p65());
	}
	cctsa_wipe(&p, sizeof(p));
}

cctsa_err tm_unpack_eta(tm_secret *s, const uint8_t in[TM_SECRET_PACK])
{
	uint32_t bad = 0;
	mldsa_poly p;

	for (unsigned j = 0; j < TM_LC + TM_KR; j++) {
		bad |= mldsa_unpack_eta(&p, in + (size_t)j * 128, p65());
		memcpy(j < TM_LC ? s->s1[j] : s->s2[j - TM_LC], p.c, sizeof(p.c));
	}
	cctsa_wipe(&p, sizeof(p));
	/* The validity bit of an encoding is public (the share is rejected). */
	CCTSA_PUBLIC(&bad, sizeof(bad));
	return bad != 0 ? CCTSA_E_MALFORMED : CCTSA_OK;
}

void tm_pk_from_t(uint8_t pk[CCTSA_TMLDSA_PK_LEN], const uint8_t rho[32], const tm_poly t[TM_KR])
{
	mldsa_polyveck t1;
	mldsa_poly t0;

	for (unsigned i = 0; i < TM_KR; i++) {
		mldsa_poly_power2round(&t1.v[i], &t0, &t[i]);
	}
	mldsa_pk_encode(pk, p65(), rho, &t1);
	cctsa_wipe(&t0, sizeof(t0));
}

void tm_tr(uint8_t tr[64], const uint8_t pk[CCTSA_TMLDSA_PK_LEN])
{
	mldsa_hash_tr(tr, pk, CCTSA_TMLDSA_PK_LEN);
}

void tm_pk_t1(tm_poly t1[TM_KR], const uint8_t pk[CCTSA_TMLDSA_PK_LEN])
{
	mldsa_polyveck t;
	uint8_t rho[32];

	mldsa_pk_decode(rho, &t, p65(), pk);
	for (unsigned i = 0; i < TM_KR; i++) {
		t1[i] = t.v[i];
	}
}

void tm_highbits(tm_poly w1[TM_KR], const tm_poly w[TM_KR])
{
	tm_poly w0;

	for (unsigned i = 0; i < TM_KR; i++) {
		mldsa_poly_decompose(&w1[i], &w0, &w[i], TM_GAMMA2);
	}
}

void tm_challenge(uint8_t ctilde[48], tm_poly *c, const uint8_t mu[64], const tm_poly w1[TM_KR])
{
	uint8_t enc[TM_KR * 128];
	cctsa_keccak k;

	for (unsigned i = 0; i < TM_KR; i++) {
		mldsa_pack_w1(enc + (size_t)i * 128, &w1[i], p65());
	}
	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, mu, 64);
	cctsa_keccak_absorb(&k, enc, sizeof(enc));
	cctsa_shake_squeeze(&k, ctilde, 48);
	mldsa_poly_challenge(c, ctilde, p65());
}

/*
 * out = c * s exactly: c has tau = 49 coefficients +-1 (public: derived from public
 * w and mu), s is a partial secret with |coef| <= 4 eta = 16, so |out| <= 784 and
 * int16 is exact. The loops branch only on c; the arithmetic on s is branch-free
 * (8 lanes per SSE2 add/sub).
 */
void tm_mul_challenge(int16_t out[TM_NC], const tm_poly *c, const int16_t s[TM_NC])
{
	/* acc = c * s in Z[X] (degree < 511), then reduce by X^256 = -1 */
	int16_t acc[2 * TM_NC];

	memset(acc, 0, sizeof(acc));
	for (unsigned k = 0; k < TM_NC; k++) {
		int16_t *a = acc + k;

		if (c->c[k] == 1) {
			for (unsigned i = 0; i < TM_NC; i++) {
				a[i] = (int16_t)(a[i] + s[i]);
			}
		} else if (c->c[k] != 0) {
			for (unsigned i = 0; i < TM_NC; i++) {
				a[i] = (int16_t)(a[i] - s[i]);
			}
		}
	}
	for (unsigned i = 0; i < TM_NC; i++) {
		out[i] = (int16_t)(acc[i] - acc[i + TM_NC]);
	}
	cctsa_wipe(acc, sizeof(acc));
}

void tm_sig_encode(uint8_t sig[CCTSA_TMLDSA_SIG_LEN], const uint8_t ctilde[48],
		   const tm_poly z[TM_LC], const tm_poly h[TM_KR])
{
	mldsa_polyvecl zv;
	mldsa_polyveck hv;

	for (unsigned i = 0; i < TM_LC; i++) {
		zv.v[i] = z[i];
	}
	for (unsigned i = 0; i < TM_KR; i++) {
		hv.v[i] = h[i];
	}
	mldsa_sig_encode(sig, p65(), ctilde, &zv, &hv);
}

cctsa_err tm_verify(const uint8_t pk[CCTSA_TMLDSA_PK_LEN], const uint8_t *msg, size_t msg_len,
		    const uint8_t *ctx, size_t ctx_len, const uint8_t sig[CCTSA_TMLDSA_SIG_LEN])
{
	return cctsa_mldsa_verify(CCTSA_MLDSA_65, pk, CCTSA_TMLDSA_PK_LEN, sig, CCTSA_TMLDSA_SIG_LEN,
				  msg, msg_len, ctx, ctx_len);
}

void tm_t1_ntt(tm_poly t1hat[TM_KR], const uint8_t pk[CCTSA_TMLDSA_PK_LEN])
{
	tm_pk_t1(t1hat, pk);
	for (unsigned i = 0; i < TM_KR; i++) {
		mldsa_poly_shiftl(&t1hat[i]);
		mldsa_poly_ntt(&t1hat[i]);
	}
}

void tm_verifier_w(tm_poly out[TM_KR], const tm_matrix *a, const tm_poly t1hat[TM_KR],
		   const tm_poly z[TM_LC], const tm_poly *c)
{
	mldsa_polyvecl v;
	mldsa_polyveck t;
	tm_poly ch, ct;

	for (unsigned i = 0; i < TM_LC; i++) {
		v.v[i] = z[i];
	}
	mldsa_polyvecl_ntt(&v, p65());
	mldsa_matrix_mul(&t, a, &v, p65());
	ch = *c;
	mldsa_poly_ntt(&ch);
	for (unsigned i = 0; i < TM_KR; i++) {
		mldsa_poly_pointwise_montgomery(&ct, &ch, &t1hat[i]);
		mldsa_poly_sub(&t.v[i], &t.v[i], &ct);
		mldsa_poly_reduce32(&t.v[i]);
	}
	mldsa_polyveck_invntt_tomont(&t, p65());
	for (unsigned i = 0; i < TM_KR; i++) {
		out[i] = t.v[i];
		mldsa_poly_caddq(&out[i]);
	}
}
