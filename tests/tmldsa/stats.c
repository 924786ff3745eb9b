/*
 * tmldsa statistics (spec §7(d)) over >= 2,000 attempts: per-party acceptance,
 * all-three acceptance, per-attempt success and the sampler radius law. Built
 * optimised and without sanitizers (tests/tmldsa.cmake) so that 2,000 full
 * attempts stay affordable; the protocol itself is covered under ASan by
 * tmldsa_test. Env: TMLDSA_STATS_ATTEMPTS (default 2000).
 */
#include <math.h>

#include "tmldsa/tmldsa_int.h"
#include "tmldsa_util.h"

static const uint8_t test_msg[] = "threshold ML-DSA statistics";
static const unsigned act_list[10] = {7, 11, 13, 14, 19, 21, 22, 25, 26, 28};

/* §7(d): acceptance, all-accept and success rates; sampler radius. */
static void test_stats(cctsa_tmldsa_share *sh[CCTSA_TMLDSA_N])
{
	const char *env = getenv("TMLDSA_STATS_ATTEMPTS");
	unsigned n = env != NULL ? (unsigned)strtoul(env, NULL, 10) : 2000;
	unsigned long acc = 0, all = 0, succ = 0, in1 = 0, in2 = 0, samples = 0;
	static double x[TM_DIM];

	for (unsigned a = 0; a < n; a++) {
		uint8_t sig[CCTSA_TMLDSA_SIG_LEN];
		cctsa_tmldsa_session s;
		tmt_stats st;
		cctsa_err e;

		tmt_session(&s, act_list[a % 10], test_msg, 8, NULL, 0);
		e = tmt_attempt(sh, &s, sig, &st, NULL, NULL);
		CHECK(e == CCTSA_OK || e == CCTSA_E_VERIFY);
		succ += e == CCTSA_OK;
		all += st.all_accept;
		for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
			acc += st.accepted[u];
		}
	}
	for (unsigned i = 0; i < n; i++) {
		uint8_t rho2[64];
		double q = 0;

		CHECK_OK(cctsa_rand_bytes(rho2, 64));
		tm_hyperball(x, rho2, i & 63);
		for (unsigned t = 0; t < TM_DIM; t++) {
			q += t < TM_D1 ? x[t] * x[t] / 36.0 : x[t] * x[t];
		}
		CHECK(sqrt(q) <= CCTSA_TMLDSA_RP * (1 + 1e-12));
		in1 += sqrt(q) <= (1.0 - 1.0 / TM_DIM) * CCTSA_TMLDSA_RP;
		in2 += sqrt(q) <= (1.0 - 0.25 / TM_DIM) * CCTSA_TMLDSA_RP;
		samples++;
	}
	{
		double pa = (double)acc / (3.0 * TM_REPS * n), pall = (double)all / ((double)TM_REPS * n);
		double ps = (double)succ / n, p1 = (double)in1 / samples, p2 = (double)in2 / samples;

		printf("stats over %u attempts: per-party accept %.4f (0.3008), all accept %.4f (0.0272), "
		       "success %.3f (~0.48-0.50); sampler P(|x|<=(1-1/d)r') %.3f (%.3f), "
		       "P(|x|<=(1-0.25/d)r') %.3f (%.3f)\n", n, pa, pall, ps, p1,
		       pow(1.0 - 1.0 / TM_DIM, TM_DIM), p2, pow(1.0 - 0.25 / TM_DIM, TM_DIM));
		if (n >= 1000) {
			CHECK(fabs(pa - 0.300) < 0.01);
			CHECK(fabs(pall - 0.0272) < 0.003);
			CHECK(ps > 0.42 && ps < 0.56);
			CHECK(fabs(p1 - pow(1.0 - 1.0 / TM_DIM, TM_DIM)) < 0.05);
			CHECK(fabs(p2 - pow(1.0 - 0.25 / TM_DIM, TM_DIM)) < 0.05);
		}
	}
}

int main(void)
{
	cctsa_tmldsa_share *sh[CCTSA_TMLDSA_N];
	uint8_t pk[CCTSA_TMLDSA_PK_LEN], seed[32];

	setvbuf(stdout, NULL, _IONBF, 0);
	tmt_from_signer = 1; /* the coordinator's combiner: no re-hashing of W */
	CHECK_OK(cctsa_rand_bytes(seed, sizeof(seed)));
	CHECK_OK(cctsa_tmldsa_dealer_keygen(pk, sh, seed));
	test_stats(sh);
	for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
		cctsa_tmldsa_share_free(sh[u]);
	}
	return 0;
}
