/*
 * Constant-time check of threshold ML-DSA signing under valgrind: the base
 * secrets of every share are marked secret (after the dealer keygen, whose
 * ExpandS rejection sampling is the mldsa module's documented exception), then
 * shares are serialised and parsed back, and full signing attempts run rounds
 * 1-3 and Combine. Valgrind fails on any branch or memory index that depends on
 * a base secret, on s^part, on c * s^part or on a rejected candidate.
 *
 * Exception (tests/ctime/EXCEPTIONS): the hyperball sampler and the HRej test use
 * IEEE-754 doubles and libm (spec §6 item 7), so rho'' is not marked secret here
 * and x_j is not tracked; the arithmetic of HRej on the secret c * s^part runs
 * under the check, and only its accept bit and the accepted z are declassified
 * (CCTSA_PUBLIC in src/tmldsa/sign.c).
 */
#include "base/ct.h"
#include "check.h"
#include "tmldsa/tmldsa_int.h"
#include "tmldsa_util.h"

static void mark_secret(cctsa_tmldsa_share *sh)
{
	CCTSA_SECRET(sh->sec, sizeof(sh->sec));
}

int main(void)
{
	cctsa_tmldsa_share *sh[CCTSA_TMLDSA_N], *back = NULL;
	uint8_t pk[CCTSA_TMLDSA_PK_LEN], seed[32], enc[CCTSA_TMLDSA_SHARE_LEN];
	uint8_t sig[CCTSA_TMLDSA_SIG_LEN];
	static const uint8_t msg[] = "ctime";
	unsigned done = 0;

	CHECK_OK(cctsa_rand_bytes(seed, sizeof(seed)));
	CHECK_OK(cctsa_tmldsa_dealer_keygen(pk, sh, seed));
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		mark_secret(sh[u]);
	}
	/* share serialisation both ways on secret data */
	cctsa_tmldsa_share_encode(enc, sh[1]);
	for (unsigned h = 0; h < CCTSA_TMLDSA_HELD; h++) {
		CCTSA_SECRET(enc + 130 + h * 1409, 1408);
	}
	CHECK_OK(cctsa_tmldsa_share_decode(&back, enc, sizeof(enc), pk, NULL));
	cctsa_tmldsa_share_free(sh[1]);
	sh[1] = back;
	/* two signing sets, a few attempts each (each attempt wipes its round-1 states) */
	for (unsigned a = 0; a < 4; a++) {
		cctsa_tmldsa_session s;
		tmt_stats st;
		cctsa_err e;

		tmt_session(&s, a & 1 ? 0x0b : 0x16, msg, sizeof(msg) - 1, NULL, 0);
		e = tmt_attempt(sh, &s, sig, &st, NULL, NULL);
		CHECK(e == CCTSA_OK || e == CCTSA_E_VERIFY);
		done += e == CCTSA_OK;
	}
	printf("tmldsa ctime: 4 attempts, %u signatures\n", done);
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		cctsa_tmldsa_share_free(sh[u]);
	}
	return 0;
}
