/*
 * bench-tmldsa: threshold ML-DSA-65 (3,5). Prints CPU time per party per attempt
 * for round 1 (pre-computation + cmt), round 2 (W), round 3 (checks + responses)
 * and Combine, attempts per signature (mean and distribution), acceptance rates,
 * bytes per party per attempt, and DKG time.
 *   bench-tmldsa [--sigs N] [--dkg N] [--coord N]
 *   (defaults: 1000 signatures, 20 DKGs, 200 attempts with the coordinator's combiner)
 * Every 1000 signatures the running totals are printed. Figures are CPU time of
 * this process (CLOCK_PROCESS_CPUTIME_ID), all parties in one thread.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/ct.h"
#include "cctsa/hash.h"
#include "cctsa/tmldsa.h"

#define NP CCTSA_TMLDSA_N
#define MAXA 64

typedef struct {
	double r1, r2, r3, comb; /* CPU seconds, summed over party-attempts (comb: attempts) */
	unsigned long party_attempts, attempts, ok, acc, all, hist[MAXA + 1];
	size_t bytes;
} bstats;

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define TIMED(acc, call)                                   \
	do {                                               \
		double t0_ = cpu_now();                    \
		if ((call) != CCTSA_OK) {                  \
			fprintf(stderr, "failed: %s\n", #call); \
			exit(1);                           \
		}                                          \
		(acc) += cpu_now() - t0_;                  \
	} while (0)

static uint64_t zmap(const cctsa_buf *z)
{
	uint64_t m = 0;

	for (unsigned b = 0; b < 8; b++) {
		m |= (uint64_t)z->data[CCTSA_TMLDSA_HDR_LEN + b] << (8 * b);
	}
	return m;
}

static void deliver(cctsa_tmldsa_signer *sg[NP], cctsa_tmldsa_combiner *cb, unsigned act,
		    const cctsa_buf fr[NP], unsigned round, bstats *st, int to_signers)
{
	for (unsigned u = 0; u < NP; u++) {
		if (!(act & (1u << u))) {
			continue;
		}
		for (unsigned v = 0; v < NP && to_signers; v++) {
			if (v != u && (act & (1u << v))) {
				if (round == 1) {
					TIMED(st->r2, cctsa_tmldsa_signer_recv(sg[v], fr[u].data, fr[u].len, NULL));
				} else {
					TIMED(st->r3, cctsa_tmldsa_signer_recv(sg[v], fr[u].data, fr[u].len, NULL));
				}
			}
		}
		if (cb != NULL) {
			TIMED(st->comb, cctsa_tmldsa_combiner_recv(cb, fr[u].data, fr[u].len, NULL));
		}
	}
}

/* One attempt; returns 1 on a signature. */
static int attempt(cctsa_tmldsa_share *sh[NP], const uint8_t pk[CCTSA_TMLDSA_PK_LEN], unsigned act,
		   bstats *st, int coord)
{
	static const uint8_t msg[] = "bench-tmldsa message";
	cctsa_tmldsa_pre *pre[NP] = {0};
	cctsa_tmldsa_signer *sg[NP] = {0};
	cctsa_tmldsa_combiner *cb = NULL;
	cctsa_tmldsa_session s = {.act = act, .msg = msg, .msg_len = sizeof(msg) - 1};
	cctsa_buf fr[3][NP];
	uint8_t sig[CCTSA_TMLDSA_SIG_LEN];
	uint64_t all = ~(uint64_t)0;
	cctsa_err e;
	double t0;

	if (cctsa_rand_bytes(s.nonce, sizeof(s.nonce)) != CCTSA_OK) {
		exit(1);
	}
	if (!coord) {
		TIMED(st->comb, cctsa_tmldsa_combiner_new(&cb, pk, &s, NULL));
	}
	for (unsigned u = 0; u < NP; u++) {
		for (unsigned r = 0; r < 3; r++) {
			cctsa_buf_init(&fr[r][u], 0);
		}
		if (act & (1u << u)) {
			TIMED(st->r1, cctsa_tmldsa_pre_new(&pre[u], sh[u]));
			TIMED(st->r1, cctsa_tmldsa_signer_new(&sg[u], &fr[0][u], sh[u], pre[u], &s, NULL));
		}
	}
	deliver(sg, cb, act, fr[0], 1, st, 1);
	for (unsigned u = 0; u < NP; u++) {
		if (act & (1u << u)) {
			TIMED(st->r2, cctsa_tmldsa_signer_round2(sg[u], &fr[1][u], NULL));
		}
	}
	deliver(sg, cb, act, fr[1], 2, st, 1);
	if (coord) {
		/* the coordinator (lowest id of act) combines from its own signer */
		TIMED(st->comb, cctsa_tmldsa_combiner_from_signer(&cb, sg[__builtin_ctz(act)], &s, NULL));
	}
	for (unsigned u = 0; u < NP; u++) {
		if (act & (1u << u)) {
			TIMED(st->r3, cctsa_tmldsa_signer_round3(sg[u], &fr[2][u], NULL));
			st->acc += cctsa_tmldsa_signer_accepted(sg[u]);
			all &= zmap(&fr[2][u]);
			st->bytes += fr[0][u].len + fr[1][u].len + fr[2][u].len;
			st->party_attempts++;
		}
	}
	st->all += (unsigned long)__builtin_popcountll(all);
	deliver(sg, cb, act, fr[2], 3, st, 0);
	t0 = cpu_now();
	e = cctsa_tmldsa_combine(cb, sig, NULL, NULL);
	st->comb += cpu_now() - t0;
	if (e != CCTSA_OK && e != CCTSA_E_VERIFY) {
		exit(1);
	}
	for (unsigned u = 0; u < NP; u++) {
		cctsa_tmldsa_signer_free(sg[u]);
		cctsa_tmldsa_pre_free(pre[u]);
		for (unsigned r = 0; r < 3; r++) {
			cctsa_buf_free(&fr[r][u]);
		}
	}
	cctsa_tmldsa_combiner_free(cb);
	st->attempts++;
	return e == CCTSA_OK;
}

/* DKG transcript "signatures" for the bench: a keyed SHAKE tag (the cluster uses node keys). */
static cctsa_err tag_sign(void *ctx, uint8_t *sig, size_t *sig_len, const uint8_t tr[32])
{
	uint8_t in[33];

	in[0] = (uint8_t)*(const unsigned *)ctx;
	memcpy(in + 1, tr, 32);
	cctsa_shake256(sig, 32, in, sizeof(in));
	*sig_len = 32;
	return CCTSA_OK;
}

static cctsa_err tag_verify(void *ctx, unsigned party, const uint8_t *sig, size_t sig_len,
			    const uint8_t tr[32])
{
	uint8_t want[32];
	size_t n;
	unsigned id = party;

	(void)ctx;
	if (tag_sign(&id, want, &n, tr) != CCTSA_OK || sig_len != 32) {
		return CCTSA_E_VERIFY;
	}
	return cctsa_ct_memeq(want, sig, 32) ? CCTSA_OK : CCTSA_E_VERIFY;
}

static void dkg_deliver(cctsa_tmldsa_dkg *d[NP], unsigned from, const cctsa_buf *f)
{
	for (unsigned v = 0; v < NP; v++) {
		if (v != from && f->len > 0 && cctsa_tmldsa_dkg_recv(d[v], f->data, f->len, NULL) != CCTSA_OK &&
		    (f->data[3] == 0xff || f->data[3] == v)) {
			fprintf(stderr, "DKG frame refused\n");
			exit(1);
		}
	}
}

static void bench_dkg(unsigned n)
{
	static unsigned ids[NP] = {0, 1, 2, 3, 4};
	cctsa_tmldsa_dkg_auth auth[NP];
	double cpu = 0;
	size_t bytes = 0;

	for (unsigned i = 0; i < n; i++) {
		cctsa_tmldsa_dkg *d[NP];
		cctsa_tmldsa_share *sh[NP];
		cctsa_buf bc[NP], pv[NP][NP];
		uint8_t nonce[32] = {(uint8_t)i}, pk[CCTSA_TMLDSA_PK_LEN], tr[32];
		double t0 = cpu_now();

		for (unsigned u = 0; u < NP; u++) {
			auth[u] = (cctsa_tmldsa_dkg_auth){&ids[u], tag_sign, tag_verify};
			cctsa_buf_init(&bc[u], 0);
			for (unsigned v = 0; v < NP; v++) {
				cctsa_buf_init(&pv[u][v], 0);
			}
			if (cctsa_tmldsa_dkg_new(&d[u], &bc[u], pv[u], u, nonce, &auth[u], NULL) != CCTSA_OK) {
				exit(1);
			}
		}
		for (unsigned u = 0; u < NP; u++) {
			dkg_deliver(d, u, &bc[u]);
			bytes += bc[u].len;
			for (unsigned v = 0; v < NP; v++) {
				if (v != u && cctsa_tmldsa_dkg_recv(d[v], pv[u][v].data, pv[u][v].len, NULL) != CCTSA_OK) {
					exit(1);
				}
				bytes += pv[u][v].len;
			}
		}
		for (unsigned r = 2; r <= 4; r++) {
			cctsa_buf out[NP];
			unsigned rr;

			for (unsigned u = 0; u < NP; u++) {
				cctsa_buf_init(&out[u], 0);
				if (cctsa_tmldsa_dkg_next(d[u], &out[u], &rr, NULL) != CCTSA_OK) {
					exit(1);
				}
				bytes += out[u].len;
			}
			for (unsigned u = 0; u < NP; u++) {
				dkg_deliver(d, u, &out[u]);
				cctsa_buf_free(&out[u]);
			}
		}
		for (unsigned u = 0; u < NP; u++) {
			if (cctsa_tmldsa_dkg_finish(d[u], pk, tr, &sh[u], NULL) != CCTSA_OK) {
				exit(1);
			}
		}
		cpu += cpu_now() - t0;
		for (unsigned u = 0; u < NP; u++) {
			cctsa_tmldsa_share_free(sh[u]);
			cctsa_tmldsa_dkg_free(d[u]);
			cctsa_buf_free(&bc[u]);
			for (unsigned v = 0; v < NP; v++) {
				cctsa_buf_free(&pv[u][v]);
			}
		}
	}
	if (n > 0) {
		printf("DKG (5 parties in one process, %u runs): %.2f ms CPU per party, %.0f bytes sent "
		       "per party (transcript signatures: 32-byte stand-in tags)\n",
		       n, 1e3 * cpu / (n * NP), (double)bytes / (n * NP));
	}
}

static void report(const bstats *st, unsigned sigs)
{
	double pa = (double)st->party_attempts, mean = (double)st->attempts / sigs;

	printf("threshold ML-DSA-65 (3,5), K = %d, %lu attempts for %u signatures\n",
	       CCTSA_TMLDSA_K, st->attempts, sigs);
	printf("CPU per party per attempt: round1 %.2f ms, round2 %.3f ms, round3 %.2f ms, "
	       "total %.2f ms; combine %.2f ms per attempt\n", 1e3 * st->r1 / pa, 1e3 * st->r2 / pa,
	       1e3 * st->r3 / pa, 1e3 * (st->r1 + st->r2 + st->r3) / pa,
	       1e3 * st->comb / (double)st->attempts);
	printf("bytes sent per party per attempt: %.0f (cmt + W + Z frames incl. 40-byte headers)\n",
	       (double)st->bytes / pa);
	printf("per-party accept %.4f, all-three accept %.4f per repetition, success %.3f per attempt\n",
	       (double)st->acc / (pa * CCTSA_TMLDSA_K),
	       (double)st->all / ((double)st->attempts * CCTSA_TMLDSA_K),
	       (double)sigs / (double)st->attempts);
	printf("attempts per signature: mean %.3f; distribution:", mean);
	for (unsigned a = 1; a <= MAXA; a++) {
		if (st->hist[a] != 0) {
			printf(" %u:%lu", a, st->hist[a]);
		}
	}
	printf("\n");
}

/* Combine cost when the coordinator is one of the signers (combiner_from_signer). */
static void bench_coord(cctsa_tmldsa_share *sh[NP], const uint8_t pk[CCTSA_TMLDSA_PK_LEN], unsigned n)
{
	static bstats cs;

	for (unsigned i = 0; i < n; i++) {
		(void)attempt(sh, pk, (unsigned[]){7, 11, 13, 14, 19, 21, 22, 25, 26, 28}[i % 10], &cs, 1);
	}
	if (n > 0) {
		printf("combine at a coordinating signer (W taken over, only Z fed): %.2f ms per attempt "
		       "(%u attempts)\n", 1e3 * cs.comb / (double)cs.attempts, n);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"sigs", required_argument, NULL, 's'},
					     {"dkg", required_argument, NULL, 'd'},
					     {"coord", required_argument, NULL, 'c'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	cctsa_tmldsa_share *sh[NP];
	uint8_t pk[CCTSA_TMLDSA_PK_LEN], seed[32] = {1};
	unsigned sigs = 1000, dkgs = 20, coord = 200;
	static bstats st;
	int c;

	while ((c = getopt_long(argc, argv, "s:d:c:h", opts, NULL)) != -1) {
		if (c == 'c') {
			coord = (unsigned)strtoul(optarg, NULL, 10);
		} else if (c == 's') {
			sigs = (unsigned)strtoul(optarg, NULL, 10);
		} else if (c == 'd') {
			dkgs = (unsigned)strtoul(optarg, NULL, 10);
		} else {
			printf("usage: bench-tmldsa [--sigs N] [--dkg N] [--coord N]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	bench_dkg(dkgs);
	if (cctsa_tmldsa_dealer_keygen(pk, sh, seed) != CCTSA_OK) {
		return 1;
	}
	for (unsigned i = 0; i < sigs; i++) {
		unsigned act = (unsigned[]){7, 11, 13, 14, 19, 21, 22, 25, 26, 28}[i % 10], a = 0;

		while (!attempt(sh, pk, act, &st, 0)) {
			a++;
		}
		a++;
		st.hist[a < MAXA ? a : MAXA]++;
		if ((i + 1) % 1000 == 0 && i + 1 < sigs) {
			printf("-- after %u signatures --\n", i + 1);
			report(&st, i + 1);
			fflush(stdout);
		}
	}
	if (sigs > 0) {
		printf("-- final --\n");
		report(&st, sigs);
	}
	bench_coord(sh, pk, coord);
	for (unsigned u = 0; u < NP; u++) {
		cctsa_tmldsa_share_free(sh[u]);
	}
	return 0;
}
