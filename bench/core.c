/*
 * bench-core: five cctsa_core nodes in one process (tests/core_util.h transport).
 * Prints the DKG ceremony time (with the threshold-signed CSRs), and per token the
 * CPU time of the whole cluster (all five nodes share this process) for the online
 * part with warm pools and for the precomputation it consumed (one ECDSA presignature
 * and ML-DSA round-1 states), plus bytes between nodes per token.
 * Usage: bench-core [tokens]   (default 10)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tests/core_util.h"
#include "cctsa/x509.h"

static double now_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *pems[2];

static void dkg_cb(void *ctx, const cctsa_core_dkg_result *r)
{
	int *ok = ctx;

	*ok = r->err == CCTSA_OK;
	if (*ok) {
		pems[0] = cctsa_mem_strdup(r->csr_ecdsa_pem);
		pems[1] = cctsa_mem_strdup(r->csr_mldsa_pem);
	}
}

static void certify(tcl *cl, const char *dir)
{
	char cadir[300], s1[400], s2[400], p[400];
	const char *shards[2] = {s1, s2};
	cctsa_x509_ca_init_opts io;
	cctsa_buf ce, cm, re, rm;

	snprintf(cadir, sizeof cadir, "%s/ca", dir);
	memset(&io, 0, sizeof io);
	io.dir = cadir;
	io.custodians = 2;
	io.threshold = 2;
	io.version = "bench";
	CHECK_OK(cctsa_x509_ca_init(&io, NULL));
	snprintf(s1, sizeof s1, "%s/shards/custodian-1.shard", cadir);
	snprintf(s2, sizeof s2, "%s/shards/custodian-2.shard", cadir);
	cctsa_buf_init(&ce, 0);
	cctsa_buf_init(&cm, 0);
	CHECK_OK(cctsa_x509_ca_issue(&ce, cadir, (const uint8_t *)pems[0], strlen(pems[0]), shards, 2, 30, "bench",
				     NULL));
	CHECK_OK(cctsa_x509_ca_issue(&cm, cadir, (const uint8_t *)pems[1], strlen(pems[1]), shards, 2, 30, "bench",
				     NULL));
	snprintf(p, sizeof p, "%s/root-ecdsa.pem", cadir);
	CHECK_OK(cctsa_file_read(&re, p, 1 << 20, NULL));
	snprintf(p, sizeof p, "%s/root-mldsa.pem", cadir);
	CHECK_OK(cctsa_file_read(&rm, p, 1 << 20, NULL));
	for (unsigned i = 0; i < CCTSA_CORE_NODES; i++) {
		CHECK_OK(cctsa_core_install_certs(cl->n[i], ce.data, ce.len, cm.data, cm.len, re.data, re.len, rm.data,
						  rm.len, NULL));
	}
	cctsa_buf_free(&ce);
	cctsa_buf_free(&cm);
	cctsa_buf_free(&re);
	cctsa_buf_free(&rm);
}

static void ts_cb(void *ctx, const cctsa_core_ts_result *r)
{
	size_t *len = ctx;

	*len = r->token_len;
}

/* Ticks every node until node 0 has a presignature for every set it belongs to. */
static void warm(tcl *cl)
{
	for (int round = 0; round < 64; round++) {
		cctsa_core_status st;

		for (unsigned i = 0; i < CCTSA_CORE_NODES; i++) {
			cctsa_core_tick(cl->n[i], (int64_t)(now_s(CLOCK_MONOTONIC) * 1000));
		}
		t_pump(cl, 0);
		cctsa_core_status_get(cl->n[0], &st);
		if (st.presigs >= 18) { /* node 0 holds its 6 and its peers' for shared sets */
			break;
		}
	}
}

int main(int argc, char **argv)
{
	tcl *cl = cctsa_mem_alloc(sizeof *cl);
	char dir[] = "/tmp/cctsa-bench-core-XXXXXX";
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10;
	uint8_t cid[16] = {7};
	double w0, c0, cpu_online = 0, cpu_pre = 0;
	size_t bytes0, tok_len = 0, bytes_online = 0;
	int ok = 0;

	CHECK(cl != NULL && mkdtemp(dir) != NULL && n > 0);
	t_cluster_new(cl, dir, 1000000);
	w0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	CHECK_OK(cctsa_core_dkg_start(cl->n[0], cid, NULL, 0, dkg_cb, &ok, NULL));
	t_pump(cl, 0);
	CHECK(ok);
	printf("core: DKG (threshold ECDSA + threshold ML-DSA, 5 nodes) + threshold-signed CSRs: %.2f s wall, "
	       "%.2f s CPU for all five nodes, %zu bytes between nodes\n",
	       now_s(CLOCK_MONOTONIC) - w0, now_s(CLOCK_PROCESS_CPUTIME_ID) - c0, cl->bytes);
	certify(cl, dir);
	{
		double c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
		size_t held = 0;

		warm(cl);
		for (unsigned i = 0; i < CCTSA_CORE_NODES; i++) {
			cctsa_core_status st;

			cctsa_core_status_get(cl->n[i], &st);
			held += st.presigs;
		}
		printf("core: first pool fill: %zu presigning sessions, %.1f ms CPU each (all 3 members)\n", held / 3,
		       held >= 3 ? 1000 * (now_s(CLOCK_PROCESS_CPUTIME_ID) - c1) / (double)(held / 3) : 0.0);
	}
	for (unsigned k = 0; k < n; k++) {
		cctsa_tsp_req req;
		double c1;

		c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
		warm(cl);
		cpu_pre += now_s(CLOCK_PROCESS_CPUTIME_ID) - c1;
		memset(&req, 0, sizeof req);
		req.hash = CCTSA_TSP_HASH_SHA256;
		req.imprint_len = 32;
		req.imprint[0] = (uint8_t)k;
		bytes0 = cl->bytes;
		c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
		tok_len = 0;
		cctsa_core_timestamp(cl->n[0], &req, 0, ts_cb, &tok_len);
		t_pump(cl, 0);
		cpu_online += now_s(CLOCK_PROCESS_CPUTIME_ID) - c1;
		bytes_online += cl->bytes - bytes0;
		CHECK(tok_len > 0);
	}
	printf("core: %u tokens: online %.1f ms CPU per token (5 nodes, warm ECDSA pool, ML-DSA round-1 "
	       "states made on demand), %.0f KB between nodes per token, token %zu bytes (no certificates)\n",
	       n, 1000 * cpu_online / n, (double)bytes_online / n / 1024, tok_len);
	printf("core: presignature refill after each token: %.1f ms CPU per token (background, all members)\n",
	       1000 * cpu_pre / n);
	t_cluster_free(cl);
	cctsa_mem_free(cl);
	cctsa_mem_free(pems[0]);
	cctsa_mem_free(pems[1]);
	return 0;
}
