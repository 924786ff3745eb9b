/*
 * Key shares: allocation, the trusted-dealer keygen of spec §2.3 (test helper
 * only), the share serialisation of spec §2.3 step 5, and the attempt budget.
 */
#include <string.h>

#include "base/ct.h"
#include "tmldsa/tmldsa_int.h"

cctsa_tmldsa_share *tm_share_alloc(unsigned id)
{
	cctsa_tmldsa_share *sh = cctsa_secret_alloc(sizeof(*sh));
	unsigned n = 0;

	if (sh != NULL) {
		sh->id = (uint8_t)id;
		sh->budget = CCTSA_TMLDSA_DEFAULT_BUDGET;
		for (unsigned i = 0; i < TM_SUBSETS; i++) {
			unsigned m = cctsa_tmldsa_subset_mask(i);
			if (m & (1u << id)) {
				sh->masks[n++] = (uint8_t)m;
			}
		}
	}
	return sh;
}

void cctsa_tmldsa_share_free(cctsa_tmldsa_share *sh)
{
	cctsa_secret_free(sh);
}

unsigned cctsa_tmldsa_share_id(const cctsa_tmldsa_share *sh)
{
	return sh->id;
}

void cctsa_tmldsa_share_pk(uint8_t pk[static CCTSA_TMLDSA_PK_LEN], const cctsa_tmldsa_share *sh)
{
	memcpy(pk, sh->pk, CCTSA_TMLDSA_PK_LEN);
}

void cctsa_tmldsa_share_set_budget(cctsa_tmldsa_share *sh, uint64_t budget)
{
	sh->budget = budget;
}

void cctsa_tmldsa_share_attempts(const cctsa_tmldsa_share *sh, uint64_t *used, uint64_t *budget)
{
	*used = sh->used;
	*budget = sh->budget;
}

/* t = A s1 + s2 mod q, in [0, q), for centred s1 (|.| < q) and s2. */
void tm_public_t(tm_poly t[TM_KR], const tm_matrix *a, const tm_secret *s)
{
	tm_poly s1[TM_LC];

	for (unsigned j = 0; j < TM_LC; j++) {
		memcpy(s1[j].c, s->s1[j], sizeof(s1[j].c));
	}
	tm_matvec(t, a, s1);
	for (unsigned i = 0; i < TM_KR; i++) {
		for (unsigned c = 0; c < TM_NC; c++) {
			t[i].c[c] = mldsa_freeze(t[i].c[c] + s->s2[i][c]);
		}
	}
	cctsa_wipe(s1, sizeof(s1));
}

static void secret_add(tm_secret *acc, const tm_secret *s)
{
	for (unsigned j = 0; j < TM_LC; j++) {
		for (unsigned c = 0; c < TM_NC; c++) {
			acc->s1[j][c] += s->s1[j][c];
		}
	}
	for (unsigned j = 0; j < TM_KR; j++) {
		for (unsigned c = 0; c < TM_NC; c++) {
			acc->s2[j][c] += s->s2[j][c];
		}
	}
}

/* Secret scratch of the dealer: every base secret and the sum. */
typedef struct {
	uint8_t rho[32], key[CCTSA_TMLDSA_N][32], sigma[64];
	tm_secret s[TM_SUBSETS], sum;
	tm_matrix a;
	tm_poly t[TM_KR];
} dealer_scratch;

static void dealer_expand(dealer_scratch *d, const uint8_t seed[32])
{
	uint8_t dom[2] = {6, 5};
	cctsa_keccak k;

	cctsa_shake256_init(&k);
	cctsa_keccak_absorb(&k, seed, 32);
	cctsa_keccak_absorb(&k, dom, 2);
	cctsa_shake_squeeze(&k, d->rho, 32);
	for (unsigned i = 0; i < CCTSA_TMLDSA_N; i++) {
		cctsa_shake_squeeze(&k, d->key[i], 32);
	}
	for (unsigned i = 0; i < TM_SUBSETS; i++) {
		cctsa_shake_squeeze(&k, d->sigma, 64);
		tm_expand_s(&d->s[i], d->sigma);
		secret_add(&d->sum, &d->s[i]);
	}
	cctsa_keccak_wipe(&k);
}

/* Fills a share's key material once pk is known: the base secrets it holds. */
void tm_share_fill(cctsa_tmldsa_share *sh, const uint8_t pk[CCTSA_TMLDSA_PK_LEN],
		   const uint8_t key[32], const tm_secret all[TM_SUBSETS], const tm_matrix *a)
{
	memcpy(sh->pk, pk, CCTSA_TMLDSA_PK_LEN);
	memcpy(sh->rho, pk, 32);
	memcpy(sh->key, key, 32);
	tm_tr(sh->tr, pk);
	for (unsigned h = 0; h < CCTSA_TMLDSA_HELD; h++) {
		sh->sec[h] = all[tm_subset_index(sh->masks[h])];
	}
	sh->ahat = *a;
}

cctsa_err cctsa_tmldsa_dealer_keygen(uint8_t pk[static CCTSA_TMLDSA_PK_LEN],
				     cctsa_tmldsa_share *shares[CCTSA_TMLDSA_N],
				     const uint8_t seed[static 32])
{
	dealer_scratch *d = cctsa_secret_alloc(sizeof(*d));
	cctsa_err err = CCTSA_OK;

	for (unsigned i = 0; i < CCTSA_TMLDSA_N; i++) {
		shares[i] = NULL;
	}
	CCTSA_ENSURE(d != NULL, CCTSA_E_RESOURCE);
	dealer_expand(d, seed);
	tm_expand_a(&d->a, d->rho);
	tm_public_t(d->t, &d->a, &d->sum);
	tm_pk_from_t(pk, d->rho, d->t);
	for (unsigned i = 0; i < CCTSA_TMLDSA_N; i++) {
		shares[i] = tm_share_alloc(i);
		CCTSA_ENSURE(shares[i] != NULL, CCTSA_E_RESOURCE);
		tm_share_fill(shares[i], pk, d->key[i], d->s, &d->a);
	}
out:
	cctsa_secret_free(d);
	if (err != CCTSA_OK) {
		for (unsigned i = 0; i < CCTSA_TMLDSA_N; i++) {
			cctsa_secret_free(shares[i]);
			shares[i] = NULL;
		}
	}
	return err;
}

void cctsa_tmldsa_share_encode(uint8_t out[static CCTSA_TMLDSA_SHARE_LEN],
			       const cctsa_tmldsa_share *sh)
{
	uint8_t *p = out;

	*p++ = sh->id;
	memcpy(p, sh->rho, 32);
	memcpy(p + 32, sh->key, 32);
	memcpy(p + 64, sh->tr, 64);
	p += 128;
	for (unsigned h = 0; h < CCTSA_TMLDSA_HELD; h++) {
		*p++ = sh->masks[h];
		tm_pack_eta(p, &sh->sec[h]);
		p += TM_SECRET_PACK;
	}
}

static cctsa_err decode_fields(cctsa_tmldsa_share *sh, cctsa_cursor *c, cctsa_diag *diag)
{
	uint8_t tr[64];

	if (cctsa_cursor_get_bytes(c, sh->rho, 32) != CCTSA_OK ||
	    cctsa_cursor_get_bytes(c, sh->key, 32) != CCTSA_OK ||
	    cctsa_cursor_get_bytes(c, tr, 64) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: truncated share");
	}
	if (cctsa_memcmp_var(tr, sh->tr, 64) != 0 || cctsa_memcmp_var(sh->rho, sh->pk, 32) != 0) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "tmldsa: share is not for this public key");
	}
	for (unsigned h = 0; h < CCTSA_TMLDSA_HELD; h++) {
		const uint8_t *packed;
		uint8_t m;

		if (cctsa_cursor_get_u8(c, &m) != CCTSA_OK ||
		    cctsa_cursor_get_view(c, &packed, TM_SECRET_PACK) != CCTSA_OK) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: truncated share");
		}
		if (m != sh->masks[h]) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: share record %u has mask %u",
					  h, m);
		}
		if (tm_unpack_eta(&sh->sec[h], packed) != CCTSA_OK) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: share coefficient out of range");
		}
	}
	return cctsa_cursor_finish(c) == CCTSA_OK
		       ? CCTSA_OK
		       : cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: trailing bytes after share");
}

cctsa_err cctsa_tmldsa_share_decode(cctsa_tmldsa_share **out, const uint8_t *buf, size_t len,
				    const uint8_t pk[static CCTSA_TMLDSA_PK_LEN], cctsa_diag *diag)
{
	cctsa_tmldsa_share *sh = NULL;
	cctsa_err err = CCTSA_OK;
	cctsa_cursor c;
	uint8_t id;

	*out = NULL;
	cctsa_cursor_init(&c, buf, len);
	if (cctsa_cursor_get_u8(&c, &id) != CCTSA_OK || id >= CCTSA_TMLDSA_N) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: bad share party id");
	}
	sh = tm_share_alloc(id);
	CCTSA_ENSURE(sh != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "tmldsa: no secret memory"));
	memcpy(sh->pk, pk, CCTSA_TMLDSA_PK_LEN);
	tm_tr(sh->tr, pk);
	CCTSA_TRY(decode_fields(sh, &c, diag));
	tm_expand_a(&sh->ahat, sh->rho);
	*out = sh;
	sh = NULL;
out:
	cctsa_secret_free(sh);
	return err;
}
