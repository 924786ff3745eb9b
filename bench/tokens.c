/*
 * bench-tokens: tokens/s of the RFC 3161 token builder alone, with local keys
 * (a throw-away `cctsa testpki` in a temporary directory), no threshold, no
 * network: the hybrid default token (ECDSA P-384 outside + ML-DSA-65 companion),
 * each signer alone, the encoding alone (a signer that returns a fixed value),
 * the raw signing calls, and request parsing + response wrapping. Later costs
 * (threshold rounds, gateway, HTTP) can be set against these figures.
 *   usage: bench-tokens [SECONDS_PER_CASE]   (default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cctsa/tsp.h"

int cctsa_cli_testpki(int argc, char **argv);

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
	const cctsa_tsp_signer *outer, *inner;
	cctsa_tsp_req req;
	cctsa_tsp_issue issue;
	size_t last_len;
} build_case;

static int run_build(void *arg)
{
	build_case *c = arg;
	cctsa_buf tok;
	cctsa_err err;

	cctsa_buf_init(&tok, 0);
	c->issue.serial[CCTSA_TSP_SERIAL_MAX - 1]++;
	err = cctsa_tsp_token_build(&tok, &c->req, &c->issue, c->outer, c->inner, NULL);
	c->last_len = tok.len;
	cctsa_buf_free(&tok);
	return err == CCTSA_OK;
}

typedef struct {
	const cctsa_tsp_signer *s;
	uint8_t msg[200];
} sign_case;

static int run_sign(void *arg)
{
	sign_case *c = arg;
	cctsa_buf sig;
	cctsa_err err;

	cctsa_buf_init(&sig, 0);
	err = c->s->sign(c->s->sign_ctx, &sig, c->msg, sizeof(c->msg), c->msg, sizeof(c->msg), NULL);
	cctsa_buf_free(&sig);
	return err == CCTSA_OK;
}

static int run_parse_wrap(void *arg)
{
	const cctsa_buf *q = arg;
	cctsa_tsp_req r;
	unsigned bit;
	cctsa_buf out;
	int ok;

	cctsa_buf_init(&out, 0);
	ok = cctsa_tsp_req_parse(&r, &bit, q->data, q->len, NULL) == CCTSA_OK &&
	     cctsa_tsp_resp_granted(&out, q->data, q->len) == CCTSA_OK;
	cctsa_buf_free(&out);
	return ok;
}

/* A signer that returns a fixed value of the right length: encoding cost only. */
static cctsa_err fixed_sign(void *ctx, cctsa_buf *sig, const uint8_t *msg, size_t n, const uint8_t *tst,
			    size_t tst_len, cctsa_diag *diag)
{
	static const uint8_t zero[3309];
	const cctsa_tsp_signer *s = ctx;

	(void)msg;
	(void)n;
	(void)tst;
	(void)tst_len;
	(void)diag;
	return cctsa_buf_put(sig, zero, s->alg == CCTSA_TSP_SIG_MLDSA65 ? 3309 : 96);
}

static void measure(const char *name, int (*fn)(void *), void *arg, double secs)
{
	double t0 = now_s(), t;
	unsigned long n = 0;

	do {
		if (!fn(arg)) {
			fprintf(stderr, "bench-tokens: %s failed\n", name);
			exit(1);
		}
		n++;
		t = now_s();
	} while (t - t0 < secs);
	printf("  %-52s %9.1f /s  %9.3f ms\n", name, (double)n / (t - t0), (t - t0) * 1e3 / (double)n);
}

static void cleanup(const char *dir)
{
	static const char *files[] = {"ca-ecdsa.pem", "ca-mldsa.pem", "tsa-ecdsa.pem", "tsa-mldsa.pem",
				      "ca-ecdsa.key", "ca-mldsa.key", "tsa-ecdsa.key", "tsa-mldsa.key",
				      "binding.json"};
	char p[512];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void build_cases(const cctsa_tsp_local *l, double secs)
{
	const cctsa_tsp_signer *ec = cctsa_tsp_local_signer(l, CCTSA_TSP_SIG_ECDSA_P384);
	const cctsa_tsp_signer *ml = cctsa_tsp_local_signer(l, CCTSA_TSP_SIG_MLDSA65);
	cctsa_tsp_signer fec = *ec, fml = *ml;
	build_case c;

	fec.sign = fixed_sign;
	fec.sign_ctx = &fec;
	fml.sign = fixed_sign;
	fml.sign_ctx = &fml;
	memset(&c, 0, sizeof(c));
	c.req.hash = CCTSA_TSP_HASH_SHA256;
	c.req.imprint_len = 32;
	c.req.nonce_len = 8;
	memset(c.req.nonce, 0x11, 8);
	c.issue.policy = CCTSA_TSP_OID_POLICY_DEFAULT;
	c.issue.policy_len = CCTSA_TSP_OID_PROJECT_LEN;
	c.issue.serial_len = CCTSA_TSP_SERIAL_MAX;
	c.issue.serial[0] = 0x40;
	c.issue.gen_time_ms = 1767225600123;
	c.issue.accuracy_ms = 1000;
	printf("token builder (certReq false, SHA-256 imprint, 8-octet nonce):\n");
	c.outer = ec;
	c.inner = ml;
	measure("hybrid default: ECDSA P-384 + ML-DSA-65 companion", run_build, &c, secs);
	printf("  (%zu octets)\n", c.last_len);
	c.outer = ml;
	c.inner = ec;
	measure("mirror (PQ policy): ML-DSA-65 + ECDSA companion", run_build, &c, secs);
	c.outer = ec;
	c.inner = NULL;
	measure("ECDSA P-384 alone", run_build, &c, secs);
	c.outer = ml;
	c.inner = NULL;
	measure("ML-DSA-65 alone", run_build, &c, secs);
	c.outer = &fec;
	c.inner = &fml;
	measure("encoding only (hybrid, fixed signatures)", run_build, &c, secs);
	c.req.cert_req = 1;
	c.outer = ec;
	c.inner = ml;
	measure("hybrid default with certReq (both chains)", run_build, &c, secs);
	printf("  (%zu octets)\n", c.last_len);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/cctsa-bench-tokens-XXXXXX";
	char *pki_argv[] = {"testpki", "--out", dir, NULL};
	double secs = argc > 1 ? strtod(argv[1], NULL) : 1.0;
	cctsa_tsp_local *l = NULL;
	cctsa_diag d;
	sign_case sc;
	cctsa_tsp_req r;
	cctsa_buf q;

	if (secs <= 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: bench-tokens [SECONDS_PER_CASE > 0]\n");
		return 2;
	}
	cctsa_diag_reset(&d);
	if (cctsa_cli_testpki(3, pki_argv) != 0 || cctsa_tsp_local_load(&l, dir, &d) != CCTSA_OK) {
		fprintf(stderr, "bench-tokens: no keys: %s\n", d.msg);
		cleanup(dir);
		return 1;
	}
	cleanup(dir); /* keys are in memory now */
	printf("bench-tokens: local keys, one thread, %.1f s per case (shared machine: noisy)\n", secs);
	build_cases(l, secs);
	printf("raw signing over 200 octets (the sign callbacks):\n");
	memset(sc.msg, 0x5a, sizeof(sc.msg));
	sc.s = cctsa_tsp_local_signer(l, CCTSA_TSP_SIG_ECDSA_P384);
	measure("ECDSA P-384 (OpenSSL 3.0, SHA-384)", run_sign, &sc, secs);
	sc.s = cctsa_tsp_local_signer(l, CCTSA_TSP_SIG_MLDSA65);
	measure("ML-DSA-65 (mldsa module, hedged)", run_sign, &sc, secs);
	memset(&r, 0, sizeof(r));
	r.hash = CCTSA_TSP_HASH_SHA512;
	r.imprint_len = 64;
	r.nonce_len = 8;
	r.nonce[0] = 0x11;
	r.cert_req = 1;
	cctsa_buf_init(&q, 0);
	if (cctsa_tsp_req_write(&q, &r) != CCTSA_OK) {
		return 1;
	}
	printf("request side:\n");
	measure("TimeStampReq parse + TimeStampResp wrap", run_parse_wrap, &q, secs);
	cctsa_buf_free(&q);
	cctsa_tsp_local_free(l);
	return 0;
}
