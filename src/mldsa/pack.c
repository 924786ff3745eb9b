/*
 * ML-DSA encodings (FIPS 204 §7.1, §7.2): bit packing of t1, t0, s1/s2, z and w1,
 * pk/sk/sig encode and decode, HintBitPack/HintBitUnpack. Bits are little-endian
 * (BitsToBytes, Alg. 12). Contracts in mldsa_int.h. Constant-time except
 * mldsa_sig_decode_var (public data).
 */
#include <string.h>

#include "base/ct.h"
#include "mldsa/mldsa_int.h"

/*
 * Packs the 256 values off - a_i (neg = 1) or a_i (neg = 0), each in [0, 2^bits),
 * into 32 * bits bytes.
 */
static void pack_bits(uint8_t *out, const mldsa_poly *a, int32_t off, int neg, unsigned bits)
{
	uint64_t acc = 0;
	unsigned have = 0;
	size_t o = 0;
	uint32_t mask = ((uint32_t)1 << bits) - 1;

	for (unsigned i = 0; i < MLDSA_N; i++) {
		uint32_t v = (uint32_t)(neg ? off - a->c[i] : a->c[i]) & mask;
		acc |= (uint64_t)v << have;
		have += bits;
		while (have >= 8) {
			out[o++] = (uint8_t)acc;
			acc >>= 8;
			have -= 8;
		}
	}
}

/*
 * Inverse of pack_bits with neg = 0: raw fields in [0, 2^bits). Widths whose
 * smallest whole-byte group fits in 64 bits (3, 4, 6, 10, 20) take a group at a
 * time from one little-endian word; the others (13, 18) go bit by bit.
 */
static void unpack_bits(mldsa_poly *a, const uint8_t *in, unsigned bits)
{
	uint32_t mask = ((uint32_t)1 << bits) - 1;
	unsigned per = 1;

	while ((per * bits) % 8 != 0) {
		per++;
	}
	if (per * bits <= 64) {
		unsigned bytes = per * bits / 8;
		for (unsigned i = 0; i < MLDSA_N; i += per, in += bytes) {
			uint64_t v = 0;
			for (unsigned b = 0; b < bytes; b++) {
				v |= (uint64_t)in[b] << (8 * b);
			}
			for (unsigned j = 0; j < per; j++) {
				a->c[i + j] = (int32_t)((uint32_t)(v >> (j * bits)) & mask);
			}
		}
		return;
	}
	uint64_t acc = 0;
	unsigned have = 0;
	size_t o = 0;
	for (unsigned i = 0; i < MLDSA_N; i++) {
		while (have < bits) {
			acc |= (uint64_t)in[o++] << have;
			have += 8;
		}
		a->c[i] = (int32_t)(acc & mask);
		acc >>= bits;
		have -= bits;
	}
}

void mldsa_pack_t1(uint8_t out[MLDSA_T1_BYTES], const mldsa_poly *t1)
{
	pack_bits(out, t1, 0, 0, 10);
}

void mldsa_unpack_t1(mldsa_poly *t1, const uint8_t in[MLDSA_T1_BYTES])
{
	unpack_bits(t1, in, 10);
}

void mldsa_pack_t0(uint8_t out[MLDSA_T0_BYTES], const mldsa_poly *t0)
{
	pack_bits(out, t0, 1 << (MLDSA_D - 1), 1, MLDSA_D);
}

void mldsa_unpack_t0(mldsa_poly *t0, const uint8_t in[MLDSA_T0_BYTES])
{
	unpack_bits(t0, in, MLDSA_D);
	for (unsigned i = 0; i < MLDSA_N; i++) {
		t0->c[i] = (1 << (MLDSA_D - 1)) - t0->c[i];
	}
}

void mldsa_pack_eta(uint8_t *out, const mldsa_poly *s, const mldsa_params *p)
{
	pack_bits(out, s, (int32_t)p->eta, 1, p->eta_bits);
}

uint32_t mldsa_unpack_eta(mldsa_poly *s, const uint8_t *in, const mldsa_params *p)
{
	uint32_t bad = 0;

	unpack_bits(s, in, p->eta_bits);
	for (unsigned i = 0; i < MLDSA_N; i++) {
		bad |= cctsa_ct_lt_u32(2 * p->eta, (uint32_t)s->c[i]);
		s->c[i] = (int32_t)p->eta - s->c[i];
	}
	return bad;
}

void mldsa_pack_z(uint8_t *out, const mldsa_poly *z, const mldsa_params *p)
{
	pack_bits(out, z, p->gamma1, 1, p->z_bits);
}

void mldsa_unpack_z(mldsa_poly *z, const uint8_t *in, const mldsa_params *p)
{
	unpack_bits(z, in, p->z_bits);
	for (unsigned i = 0; i < MLDSA_N; i++) {
		z->c[i] = p->gamma1 - z->c[i];
	}
}

void mldsa_pack_w1(uint8_t *out, const mldsa_poly *w1, const mldsa_params *p)
{
	pack_bits(out, w1, 0, 0, p->w1_bits);
}

void mldsa_pk_encode(uint8_t *pk, const mldsa_params *p, const uint8_t rho[MLDSA_SEEDBYTES],
		     const mldsa_polyveck *t1)
{
	memcpy(pk, rho, MLDSA_SEEDBYTES);
	for (unsigned i = 0; i < p->k; i++) {
		mldsa_pack_t1(pk + MLDSA_SEEDBYTES + i * MLDSA_T1_BYTES, &t1->v[i]);
	}
}

void mldsa_pk_decode(uint8_t rho[MLDSA_SEEDBYTES], mldsa_polyveck *t1, const mldsa_params *p,
		     const uint8_t *pk)
{
	memcpy(rho, pk, MLDSA_SEEDBYTES);
	for (unsigned i = 0; i < p->k; i++) {
		mldsa_unpack_t1(&t1->v[i], pk + MLDSA_SEEDBYTES + i * MLDSA_T1_BYTES);
	}
}

void mldsa_sk_encode(uint8_t *sk, const mldsa_params *p, const uint8_t rho[MLDSA_SEEDBYTES],
		     const uint8_t key[MLDSA_SEEDBYTES], const uint8_t tr[CCTSA_MLDSA_TR_LEN],
		     const mldsa_polyvecl *s1, const mldsa_polyveck *s2, const mldsa_polyveck *t0)
{
	uint8_t *o = sk;

	memcpy(o, rho, MLDSA_SEEDBYTES);
	o += MLDSA_SEEDBYTES;
	memcpy(o, key, MLDSA_SEEDBYTES);
	o += MLDSA_SEEDBYTES;
	memcpy(o, tr, CCTSA_MLDSA_TR_LEN);
	o += CCTSA_MLDSA_TR_LEN;
	for (unsigned i = 0; i < p->l; i++, o += p->polyeta_bytes) {
		mldsa_pack_eta(o, &s1->v[i], p);
	}
	for (unsigned i = 0; i < p->k; i++, o += p->polyeta_bytes) {
		mldsa_pack_eta(o, &s2->v[i], p);
	}
	for (unsigned i = 0; i < p->k; i++, o += MLDSA_T0_BYTES) {
		mldsa_pack_t0(o, &t0->v[i]);
	}
}

uint32_t mldsa_sk_decode(uint8_t rho[MLDSA_SEEDBYTES], uint8_t key[MLDSA_SEEDBYTES],
			 uint8_t tr[CCTSA_MLDSA_TR_LEN], mldsa_polyvecl *s1, mldsa_polyveck *s2,
			 mldsa_polyveck *t0, const mldsa_params *p, const uint8_t *sk)
{
	const uint8_t *o = sk;
	uint32_t bad = 0;

	memcpy(rho, o, MLDSA_SEEDBYTES);
	o += MLDSA_SEEDBYTES;
	memcpy(key, o, MLDSA_SEEDBYTES);
	o += MLDSA_SEEDBYTES;
	memcpy(tr, o, CCTSA_MLDSA_TR_LEN);
	o += CCTSA_MLDSA_TR_LEN;
	for (unsigned i = 0; i < p->l; i++, o += p->polyeta_bytes) {
		bad |= mldsa_unpack_eta(&s1->v[i], o, p);
	}
	for (unsigned i = 0; i < p->k; i++, o += p->polyeta_bytes) {
		bad |= mldsa_unpack_eta(&s2->v[i], o, p);
	}
	for (unsigned i = 0; i < p->k; i++, o += MLDSA_T0_BYTES) {
		mldsa_unpack_t0(&t0->v[i], o);
	}
	return bad;
}

/* HintBitPack (Alg. 20) after c~ and z. */
void mldsa_sig_encode(uint8_t *sig, const mldsa_params *p, const uint8_t *ctilde,
		      const mldsa_polyvecl *z, const mldsa_polyveck *h)
{
	uint8_t *o = sig, *y;
	unsigned idx = 0;

	memcpy(o, ctilde, p->ctilde_len);
	o += p->ctilde_len;
	for (unsigned i = 0; i < p->l; i++, o += p->polyz_bytes) {
		mldsa_pack_z(o, &z->v[i], p);
	}
	y = o;
	memset(y, 0, p->omega + p->k);
	for (unsigned i = 0; i < p->k; i++) {
		for (unsigned j = 0; j < MLDSA_N; j++) {
			if (h->v[i].c[j] != 0 && idx < p->omega) {
				y[idx++] = (uint8_t)j;
			}
		}
		y[p->omega + i] = (uint8_t)idx;
	}
}

/* HintBitUnpack (Alg. 21), with its three rejections. */
static int hint_unpack_var(mldsa_polyveck *h, const mldsa_params *p, const uint8_t *y)
{
	unsigned idx = 0;

	for (unsigned i = 0; i < p->k; i++) {
		unsigned end = y[p->omega + i];
		memset(&h->v[i], 0, sizeof(h->v[i]));
		if (end < idx || end > p->omega) {
			return -1;
		}
		for (unsigned f = idx; f < end; f++) {
			if (f > idx && y[f] <= y[f - 1]) {
				return -1; /* positions must strictly increase */
			}
			h->v[i].c[y[f]] = 1;
		}
		idx = end;
	}
	for (unsigned f = idx; f < p->omega; f++) {
		if (y[f] != 0) {
			return -1; /* padding must be zero */
		}
	}
	return 0;
}

int mldsa_sig_decode_var(const uint8_t **ctilde, mldsa_polyvecl *z, mldsa_polyveck *h,
			 const mldsa_params *p, const uint8_t *sig)
{
	const uint8_t *o = sig;

	*ctilde = o;
	o += p->ctilde_len;
	for (unsigned i = 0; i < p->l; i++, o += p->polyz_bytes) {
		mldsa_unpack_z(&z->v[i], o, p);
	}
	return hint_unpack_var(h, p, o);
}

void mldsa_hash_tr(uint8_t tr[CCTSA_MLDSA_TR_LEN], const uint8_t *pk, size_t pk_len)
{
	cctsa_shake256(tr, CCTSA_MLDSA_TR_LEN, pk, pk_len);
}
