/*
 * Test helpers for tmldsa: an in-process "cluster" that carries frames between
 * party objects exactly as the network would, DKG identity keys, and small
 * utilities. Tests only.
 */
#ifndef CCTSA_TESTS_TMLDSA_UTIL_H
#define CCTSA_TESTS_TMLDSA_UTIL_H

#include <openssl/sha.h>

#include "cctsa/mldsa.h"
#include "cctsa/tmldsa.h"
#include "check.h"

/* Statistics of one attempt. */
typedef struct {
	unsigned accepted[CCTSA_TMLDSA_N]; /* repetitions each signer accepted */
	unsigned all_accept;               /* repetitions all three accepted */
	unsigned rep;                      /* repetition used on success */
} tmt_stats;

/* Hook on each fresh round-1 state (tests with access to the internals). */
static void (*tmt_pre_hook)(unsigned u, cctsa_tmldsa_pre *pre);

/* Coordinator mode: the combiner is made from the first signer after round 2. */
static int tmt_from_signer;

/* Hook to tamper with a frame in flight: round (1..3), sender, frame. */
typedef void (*tmt_tamper_fn)(void *ctx, unsigned round, unsigned sender, cctsa_buf *frame);

static inline void tmt_session(cctsa_tmldsa_session *s, unsigned act, const uint8_t *msg,
			       size_t msg_len, const uint8_t *ctx, size_t ctx_len)
{
	memset(s, 0, sizeof(*s));
	s->act = act;
	s->msg = msg;
	s->msg_len = msg_len;
	s->ctx = ctx;
	s->ctx_len = ctx_len;
	CHECK_OK(cctsa_rand_bytes(s->nonce, sizeof(s->nonce)));
}

/*
 * One attempt among the members of s->act: every frame goes to every other member
 * and to the combiner. Returns the combiner's result (CCTSA_E_VERIFY = failed
 * attempt); any protocol error before that is returned as is.
 */
static inline cctsa_err tmt_attempt(cctsa_tmldsa_share *sh[CCTSA_TMLDSA_N],
				    const cctsa_tmldsa_session *s, uint8_t sig[CCTSA_TMLDSA_SIG_LEN],
				    tmt_stats *st, tmt_tamper_fn tamper, void *tctx)
{
	cctsa_tmldsa_pre *pre[CCTSA_TMLDSA_N] = {0};
	cctsa_tmldsa_signer *sg[CCTSA_TMLDSA_N] = {0};
	cctsa_tmldsa_combiner *cb = NULL;
	cctsa_buf fr[3][CCTSA_TMLDSA_N];
	uint8_t pk[CCTSA_TMLDSA_PK_LEN];
	cctsa_err err = CCTSA_OK;
	unsigned first = 0;

	memset(st, 0, sizeof(*st));
	for (unsigned r = 0; r < 3; r++) {
		for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
			cctsa_buf_init(&fr[r][u], 0);
		}
	}
	while (!(s->act & (1u << first))) {
		first++;
	}
	cctsa_tmldsa_share_pk(pk, sh[first]);
	if (!tmt_from_signer) {
		CCTSA_TRY(cctsa_tmldsa_combiner_new(&cb, pk, s, NULL));
	}
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		if (s->act & (1u << u)) {
			CCTSA_TRY(cctsa_tmldsa_pre_new(&pre[u], sh[u]));
			if (tmt_pre_hook != NULL) {
				tmt_pre_hook(u, pre[u]);
			}
			CCTSA_TRY(cctsa_tmldsa_signer_new(&sg[u], &fr[0][u], sh[u], pre[u], s, NULL));
		}
	}
	for (unsigned r = 0; r < 3; r++) {
		for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
			if (!(s->act & (1u << u))) {
				continue;
			}
			if (r == 1) {
				CCTSA_TRY(cctsa_tmldsa_signer_round2(sg[u], &fr[1][u], NULL));
			} else if (r == 2) {
				CCTSA_TRY(cctsa_tmldsa_signer_round3(sg[u], &fr[2][u], NULL));
				st->accepted[u] = cctsa_tmldsa_signer_accepted(sg[u]);
			}
			if (tamper != NULL) {
				tamper(tctx, r + 1, u, &fr[r][u]);
			}
		}
		for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
			if (!(s->act & (1u << u))) {
				continue;
			}
			for (unsigned v = 0; v < CCTSA_TMLDSA_N; v++) {
				if (v != u && (s->act & (1u << v)) && r < 2) {
					CCTSA_TRY(cctsa_tmldsa_signer_recv(sg[v], fr[r][u].data,
									   fr[r][u].len, NULL));
				}
			}
			if (r == 2 && cb == NULL) {
				CCTSA_TRY(cctsa_tmldsa_combiner_from_signer(&cb, sg[first], s, NULL));
			}
			if (!tmt_from_signer || r == 2) {
				CCTSA_TRY(cctsa_tmldsa_combiner_recv(cb, fr[r][u].data, fr[r][u].len, NULL));
			}
		}
	}
	/* all-accept count from the Z bitmaps (public) */
	{
		uint64_t all = ~(uint64_t)0;
		for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
			if (s->act & (1u << u)) {
				uint64_t m = 0;
				for (unsigned b = 0; b < 8; b++) {
					m |= (uint64_t)fr[2][u].data[CCTSA_TMLDSA_HDR_LEN + b] << (8 * b);
				}
				all &= m;
			}
		}
		st->all_accept = (unsigned)__builtin_popcountll(all);
	}
	err = cctsa_tmldsa_combine(cb, sig, &st->rep, NULL);
out:
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		cctsa_tmldsa_signer_free(sg[u]);
		cctsa_tmldsa_pre_free(pre[u]);
		for (unsigned r = 0; r < 3; r++) {
			cctsa_buf_free(&fr[r][u]);
		}
	}
	cctsa_tmldsa_combiner_free(cb);
	return err;
}

/* Signs until success (at most max_attempts); returns the number of attempts. */
static inline unsigned tmt_sign(cctsa_tmldsa_share *sh[CCTSA_TMLDSA_N], unsigned act,
				const uint8_t *msg, size_t msg_len, const uint8_t *ctx,
				size_t ctx_len, uint8_t sig[CCTSA_TMLDSA_SIG_LEN],
				unsigned max_attempts)
{
	for (unsigned a = 1; a <= max_attempts; a++) {
		cctsa_tmldsa_session s;
		tmt_stats st;
		cctsa_err err;

		tmt_session(&s, act, msg, msg_len, ctx, ctx_len);
		err = tmt_attempt(sh, &s, sig, &st, NULL, NULL);
		if (err == CCTSA_OK) {
			return a;
		}
		CHECK(err == CCTSA_E_VERIFY);
	}
	return 0;
}

static inline void tmt_sha256_hex(char out[65], const uint8_t *p, size_t n)
{
	uint8_t h[32];

	SHA256(p, n, h);
	CHECK_OK(cctsa_hex_encode(out, 65, h, 32));
}

#endif
