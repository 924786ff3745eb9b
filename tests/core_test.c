/*
 * core: five nodes in one process. DKG + threshold-signed CSRs + issuance by the
 * offline CA + installation; tokens from every signing set verified by
 * cctsa_tsp_verify (and written for `openssl ts -verify` by tests/core/openssl.sh);
 * participant refusals (genTime, repeated serial, policy, signed-attributes
 * mismatch); nodes stopped mid-way; halting below the threshold; serial uniqueness;
 * audit log completeness; ML-DSA budget exhaustion retiring the key.
 */
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cctsa/tsp.h"
#include "cctsa/der.h"
#include "cctsa/x509.h"
#include "core/core_int.h"
#include "core_util.h"

#define MAX_TOKENS 96

typedef struct {
	int done;
	cctsa_err err;
	char *pem[4]; /* ecdsa pub, mldsa pub, csr ecdsa, csr mldsa */
	char *transcript;
	uint64_t epoch;
} dkg_out;

static void dkg_cb(void *ctx, const cctsa_core_dkg_result *r)
{
	dkg_out *o = ctx;

	o->done++;
	o->err = r->err;
	if (r->err != CCTSA_OK) {
		fprintf(stderr, "  DKG failed: %s\n", r->error);
		return;
	}
	o->pem[0] = cctsa_mem_strdup(r->ecdsa_pub_pem);
	o->pem[1] = cctsa_mem_strdup(r->mldsa_pub_pem);
	o->pem[2] = cctsa_mem_strdup(r->csr_ecdsa_pem);
	o->pem[3] = cctsa_mem_strdup(r->csr_mldsa_pem);
	o->transcript = cctsa_mem_strdup(r->transcript_json);
	o->epoch = r->key_epoch;
}

typedef struct {
	int done;
	uint8_t status, fail_bit;
	int retry_later;
	cctsa_buf token;
} ts_out;

static void ts_cb(void *ctx, const cctsa_core_ts_result *r)
{
	ts_out *o = ctx;

	o->done++;
	o->status = r->status;
	o->fail_bit = r->fail_bit;
	o->retry_later = r->retry_later;
	if (r->text != NULL && getenv("CORE_TEST_VERBOSE") != NULL) {
		fprintf(stderr, "  result: status %u fail %u: %s\n", r->status, r->fail_bit, r->text);
	}
	cctsa_buf_init(&o->token, 0);
	if (r->token_len > 0) {
		CHECK_OK(cctsa_buf_put(&o->token, r->token, r->token_len));
	}
}

static struct {
	cctsa_buf tok[MAX_TOKENS];
	unsigned coord[MAX_TOKENS];
	size_t n;
} issued;

static char g_dir[256];

static void path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", g_dir, name);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char p[400];

	path(p, sizeof p, name);
	CHECK_OK(cctsa_file_write(p, data, len, 0644, 0, NULL));
}

static void run_dkg(tcl *cl, dkg_out *o)
{
	static const char *const ops[] = {"alice", "bob"};
	uint8_t cid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	struct timespec t0, t1;

	memset(o, 0, sizeof *o);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_OK(cctsa_core_dkg_start(cl->n[0], cid, ops, 2, dkg_cb, o, NULL));
	CHECK_ERR(cctsa_core_dkg_start(cl->n[0], cid, ops, 2, dkg_cb, o, NULL), CCTSA_E_STATE);
	t_pump(cl, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK_ERR(cctsa_core_dkg_start(cl->n[1], cid, ops, 2, dkg_cb, o, NULL), CCTSA_E_STATE);
	CHECK(o->done == 1);
	CHECK_OK(o->err);
	fprintf(stderr, "core: DKG + CSRs in %.2f s (ASan build), %zu messages, %zu bytes\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, cl->msgs, cl->bytes);
	for (unsigned i = 0; i < CCTSA_CORE_NODES; i++) {
		cctsa_core_status st;

		cctsa_core_status_get(cl->n[i], &st);
		CHECK(st.state == CCTSA_CORE_AWAITING_CERTIFICATES);
		CHECK(st.key_state == CCTSA_CORE_KEY_PENDING);
		CHECK(st.key_epoch == o->epoch);
	}
	CHECK(strstr(o->transcript, "\"dkg_transcript_sha384\"") != NULL);
	CHECK(strstr(o->pem[2], "BEGIN CERTIFICATE REQUEST") != NULL);
}

/* The offline CA issues both certificates; every core installs them. */
static void issue_and_install(tcl *cl, dkg_out *o, const char *sub)
{
	char cadir[400], sh1[450], sh2[450], p[450];
	const char *shards[2] = {sh1, sh2};
	cctsa_x509_ca_init_opts io;
	cctsa_buf ce, cm, rce, rcm;
	cctsa_diag d;

	snprintf(cadir, sizeof cadir, "%s/%s", g_dir, sub);
	memset(&io, 0, sizeof io);
	io.dir = cadir;
	io.custodians = 3;
	io.threshold = 2;
	io.version = "test";
	CHECK_OK(cctsa_x509_ca_init(&io, &d));
	snprintf(sh1, sizeof sh1, "%s/shards/custodian-1.shard", cadir);
	snprintf(sh2, sizeof sh2, "%s/shards/custodian-3.shard", cadir);
	cctsa_buf_init(&ce, 0);
	cctsa_buf_init(&cm, 0);
	CHECK_OK(cctsa_x509_ca_issue(&ce, cadir, (const uint8_t *)o->pem[2], strlen(o->pem[2]), shards, 2, 30, "test", &d));
	CHECK_OK(cctsa_x509_ca_issue(&cm, cadir, (const uint8_t *)o->pem[3], strlen(o->pem[3]), shards, 2, 30, "test", &d));
	snprintf(p, sizeof p, "%s/root-ecdsa.pem", cadir);
	CHECK_OK(cctsa_file_read(&rce, p, 1 << 20, NULL));
	snprintf(p, sizeof p, "%s/root-mldsa.pem", cadir);
	CHECK_OK(cctsa_file_read(&rcm, p, 1 << 20, NULL));
	/* Swapped certificates are refused and change nothing. */
	CHECK_ERR(cctsa_core_install_certs(cl->n[1], cm.data, cm.len, ce.data, ce.len, rce.data, rce.len, rcm.data,
					   rcm.len, &d),
		  CCTSA_E_VERIFY);
	CHECK_ERR(cctsa_core_install_certs(cl->n[1], ce.data, ce.len, cm.data, cm.len, rcm.data, rcm.len, rce.data,
					   rce.len, &d),
		  CCTSA_E_VERIFY);
	CHECK(cctsa_core_state_get(cl->n[1]) == CCTSA_CORE_AWAITING_CERTIFICATES);
	for (unsigned i = 0; i < CCTSA_CORE_NODES; i++) {
		CHECK_OK(cctsa_core_install_certs(cl->n[i], ce.data, ce.len, cm.data, cm.len, rce.data, rce.len,
						  rcm.data, rcm.len, &d));
		CHECK(cctsa_core_state_get(cl->n[i]) == CCTSA_CORE_ACTIVE);
		CHECK(cctsa_core_key_state_get(cl->n[i]) == CCTSA_CORE_KEY_ACTIVE);
	}
	CHECK_ERR(cctsa_core_install_certs(cl->n[0], ce.data, ce.len, cm.data, cm.len, rce.data, rce.len, rcm.data,
					   rcm.len, &d),
		  CCTSA_E_STATE);
	if (strcmp(sub, "ca") == 0) {
		cctsa_buf pem;

		cctsa_buf_init(&pem, 0);
		CHECK_OK(cctsa_core_certs_pem(cl->n[0], &pem));
		write_file("certs.pem", pem.data, pem.len);
		cctsa_buf_free(&pem);
	}
	cctsa_buf_free(&ce);
	cctsa_buf_free(&cm);
	cctsa_buf_free(&rce);
	cctsa_buf_free(&rcm);
}

static void make_req(cctsa_tsp_req *r, unsigned k, int cert_req)
{
	memset(r, 0, sizeof *r);
	r->hash = CCTSA_TSP_HASH_SHA256;
	r->imprint_len = 32;
	for (size_t i = 0; i < 32; i++) {
		r->imprint[i] = (uint8_t)(k * 31 + i);
	}
	r->nonce_len = 8;
	for (size_t i = 0; i < 8; i++) {
		r->nonce[i] = (uint8_t)(0x11 * (i + 1) + k);
	}
	r->nonce[0] &= 0x7f;
	r->cert_req = cert_req;
}

static void verify_token(const cctsa_buf *tok, const cctsa_tsp_req *req, cctsa_tsp_verdict want)
{
	char ce[400], cm[400], un[400];
	cctsa_tsp_verify_opts o;
	cctsa_tsp_verdict v;
	cctsa_buf rep;

	snprintf(ce, sizeof ce, "%s/ca/root-ecdsa.pem", g_dir);
	snprintf(cm, sizeof cm, "%s/ca/root-mldsa.pem", g_dir);
	memset(&o, 0, sizeof o);
	o.ca_classical_pem = ce;
	o.ca_mldsa_pem = cm;
	o.query = req;
	path(un, sizeof un, "certs.pem");
	o.untrusted_pem = un;
	cctsa_buf_init(&rep, 0);
	CHECK_OK(cctsa_tsp_verify(&v, &rep, tok->data, tok->len, &o, NULL));
	if (v != want) {
		fprintf(stderr, "verdict %s:\n%.*s\n", cctsa_tsp_verdict_name(v), (int)rep.len, (const char *)rep.data);
	}
	CHECK(v == want);
	cctsa_buf_free(&rep);
}

/* One request through node `coord`; returns 1 if a token came back (kept in `issued`). */
static int stamp(tcl *cl, unsigned coord, unsigned k, int pq, int cert_req, ts_out *o)
{
	cctsa_tsp_req req;

	make_req(&req, k, cert_req);
	memset(o, 0, sizeof *o);
	cctsa_core_timestamp(cl->n[coord], &req, pq, ts_cb, o);
	t_pump(cl, 0);
	CHECK(o->done == 1);
	if (o->status != CCTSA_TSP_STATUS_GRANTED) {
		CHECK(o->token.len == 0);
		cctsa_buf_free(&o->token);
		return 0;
	}
	verify_token(&o->token, &req, CCTSA_TSP_FULLY_VERIFIED);
	CHECK(issued.n < MAX_TOKENS);
	issued.tok[issued.n] = o->token;
	issued.coord[issued.n] = coord;
	issued.n++;
	return 1;
}

static void all_sets(tcl *cl)
{
	ts_out o;
	unsigned n = 0;

	for (unsigned k = 0; k < 10; k++) {
		unsigned m = cctsa_tmldsa_subset_mask(k);
		unsigned coord = (unsigned)__builtin_ctz(m) + (k % 2); /* vary the coordinator */

		if (!(m & (1u << coord))) {
			coord = (unsigned)__builtin_ctz(m);
		}
		uint64_t retries = cl->n[coord]->retries;

		cctsa_core_set_preferred_set(cl->n[coord], m);
		CHECK(stamp(cl, coord, k, k == 3, k % 2 == 0, &o));
		CHECK(cl->n[coord]->retries == retries); /* signed by the pinned set, first time */
		cctsa_core_set_preferred_set(cl->n[coord], 0);
		n++;
	}
	write_file("token.tst", issued.tok[0].data, issued.tok[0].len);
	write_file("token-pq.tst", issued.tok[3].data, issued.tok[3].len);
	fprintf(stderr, "core: tokens from all %u signing sets verified (FULLY VERIFIED), token %zu bytes "
			"with certificates, %zu without\n",
		n, issued.tok[0].len, issued.tok[1].len);
}

static core_presig *fresh_presig(tcl *cl, unsigned m)
{
	CHECK_OK(core_presign_start(cl->n[0], m));
	t_pump(cl, 0);
	return core_presig_ready(cl->n[0], m);
}

/* A coordinator's SIGN_REQ for set m, as node 0 would send it. */
static void forge(tcl *cl, core_sign_req *r, cctsa_buf *me, cctsa_buf *mm, unsigned m)
{
	uint64_t ctr = ++cl->n[0]->counter; /* a serial node 0 would assign next */
	cctsa_core *c = cl->n[0];
	core_presig *p = fresh_presig(cl, m);
	int64_t now;
	uint32_t b;

	CHECK(p != NULL);
	memset(r, 0, sizeof *r);
	CHECK_OK(cctsa_rand_bytes(r->job_id, sizeof r->job_id));
	r->kind = JOB_TST;
	r->coord = 0;
	r->set_mask = (uint8_t)m;
	memcpy(r->pid, p->pid, 32);
	make_req(&r->req, 99, 0);
	memcpy(r->policy, c->pol_default, c->pol_default_len);
	r->policy_len = c->pol_default_len;
	CHECK(core_time(c, &now, &b));
	r->gen_time_ms = now;
	r->accuracy_ms = b;
	for (int i = 0; i < 8; i++) {
		r->serial[i] = (uint8_t)(c->epoch >> (56 - 8 * i));
		r->serial[9 + i] = (uint8_t)(ctr >> (56 - 8 * i));
	}
	r->serial[8] = 0;
	cctsa_buf_init(me, 0);
	cctsa_buf_init(mm, 0);
	CHECK_OK(core_job_messages(c, r, me, mm, NULL));
	r->msg_e = me->data;
	r->msg_e_len = me->len;
	r->msg_m = mm->data;
	r->msg_m_len = mm->len;
}

static void refusals(tcl *cl)
{
	const unsigned m = 0x07; /* {0, 1, 2} */
	uint8_t pol[16];
	size_t pl;
	core_sign_req r;
	cctsa_buf me, mm, payload;
	core_sign_req back;
	cctsa_diag d;

	forge(cl, &r, &me, &mm, m);
	/* The forged request round-trips through the codec unchanged. */
	cctsa_buf_init(&payload, 0);
	CHECK_OK(core_sign_req_encode(&payload, &r));
	CHECK_OK(cctsa_core_msg_check(CCTSA_CORE_MSG_SIGN_REQ, payload.data, payload.len, NULL));
	CHECK_OK(core_sign_req_decode(&back, payload.data, payload.len, NULL));
	CHECK(back.gen_time_ms == r.gen_time_ms && back.msg_e_len == r.msg_e_len);
	/* genTime ahead by more than the tolerance, or behind by more than tolerance +
	 * latency (100 + 10000 ms here): refused. */
	r.gen_time_ms += 250;
	CHECK(core_refuse_check(cl->n[1], 0, &r, &d) == REFUSE_TIME);
	r.gen_time_ms -= 250 + 10300;
	CHECK(core_refuse_check(cl->n[1], 0, &r, &d) == REFUSE_TIME);
	r.gen_time_ms += 10300;
	/* A request from a node that is not its coordinator: refused. */
	CHECK(core_refuse_check(cl->n[1], 2, &r, &d) == REFUSE_STATE);
	/* Bytes to sign that are not the fields' signed attributes: refused. */
	((uint8_t *)me.data)[me.len - 1] ^= 1;
	CHECK(core_refuse_check(cl->n[1], 0, &r, &d) == REFUSE_MISMATCH);
	((uint8_t *)me.data)[me.len - 1] ^= 1;
	((uint8_t *)mm.data)[10] ^= 0x40;
	CHECK(core_refuse_check(cl->n[2], 0, &r, &d) == REFUSE_MISMATCH);
	((uint8_t *)mm.data)[10] ^= 0x40;
	/* Another coordinator's serial range: refused. */
	r.serial[8] = 1;
	CHECK(core_refuse_check(cl->n[1], 0, &r, &d) == REFUSE_SERIAL);
	r.serial[8] = 0;
	/* The honest request is accepted once; its serial repeated is refused. */
	CHECK(core_refuse_check(cl->n[1], 0, &r, &d) == 0);
	CHECK(core_refuse_check(cl->n[1], 0, &r, &d) == REFUSE_SERIAL);
	cctsa_buf_free(&me);
	cctsa_buf_free(&mm);
	/* A disallowed policy (with matching signed attributes) is refused. */
	forge(cl, &r, &me, &mm, m);
	CHECK_OK(cctsa_der_oid_encode(pol, sizeof pol, &pl, "1.2.3.4.5"));
	memcpy(r.policy, pol, pl);
	r.policy_len = pl;
	cctsa_buf_free(&me);
	cctsa_buf_free(&mm);
	cctsa_buf_init(&me, 0);
	cctsa_buf_init(&mm, 0);
	CHECK_OK(core_job_messages(cl->n[0], &r, &me, &mm, NULL));
	r.msg_e = me.data;
	r.msg_e_len = me.len;
	r.msg_m = mm.data;
	r.msg_m_len = mm.len;
	CHECK(core_refuse_check(cl->n[2], 0, &r, &d) == REFUSE_POLICY);
	cctsa_buf_free(&me);
	cctsa_buf_free(&mm);
	cctsa_buf_free(&payload);
	fprintf(stderr, "core: participants refuse genTime +250 / -10300 ms, foreign coordinator, attribute mismatch, "
			"foreign serial range, repeated serial, disallowed policy\n");
}

#include "core_test2.h"
