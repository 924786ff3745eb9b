/*
 * net tests: frame codec and reassembly, the gateway -> core codec (round trips,
 * truncation at every length, every single-bit flip), the corep client/server
 * over a real Unix socket, the attestation binding (every refusal reason) and the
 * attested TLS mesh over loopback with the sim provider.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cctsa/net.h"
#include "check.h"
#include "net_test.h"

/* ---------------------------------------------------------------- frames */

static const cctsa_net_frame_type t_types[] = {{0x10, 0, 4}, {0x11, 3, 3}, {0x12, 0, 0}};
static const cctsa_net_frame_rules t_rules = {"test", 7, t_types, 3};

static void test_frame_basic(void)
{
	cctsa_buf b;
	uint8_t type = 0;
	const uint8_t *pl = NULL;
	size_t len = 0, total = 0;
	uint8_t hdr[6];
	uint32_t l32 = 0;
	cctsa_diag d;

	cctsa_buf_init(&b, 0);
	CHECK_OK(cctsa_net_frame_write(&b, &t_rules, 0x11, (const uint8_t *)"abc", 3, NULL));
	CHECK(b.len == 9);
	CHECK_MEMEQ(b.data, "\x07\x11\x00\x00\x00\x03" "abc", 9);
	CHECK_OK(cctsa_net_frame_parse(&t_rules, &type, &pl, &len, b.data, b.len, NULL));
	CHECK(type == 0x11 && len == 3 && memcmp(pl, "abc", 3) == 0);
	/* every truncation: peek says "need more", parse says truncated */
	for (size_t n = 0; n < b.len; n++) {
		CHECK_OK(cctsa_net_frame_peek(&t_rules, &total, &type, &pl, &len, b.data, n, NULL));
		CHECK(total == 0);
		CHECK_ERR(cctsa_net_frame_parse(&t_rules, &type, &pl, &len, b.data, n, NULL),
			  CCTSA_E_MALFORMED);
	}
	/* trailing byte */
	CHECK_OK(cctsa_buf_put_u8(&b, 0));
	CHECK_ERR(cctsa_net_frame_parse(&t_rules, &type, &pl, &len, b.data, b.len, NULL), CCTSA_E_MALFORMED);
	/* writer refuses what the reader refuses */
	CHECK_ERR(cctsa_net_frame_write(&b, &t_rules, 0x13, NULL, 0, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_frame_write(&b, &t_rules, 0x11, (const uint8_t *)"ab", 2, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_frame_write(&b, &t_rules, 0x10, (const uint8_t *)"abcde", 5, NULL), CCTSA_E_USAGE);
	/* header checks, each with its error */
	memcpy(hdr, "\x06\x10\x00\x00\x00\x00", 6);
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_net_frame_check(&t_rules, &type, &l32, hdr, &d), CCTSA_E_UNSUPPORTED);
	CHECK(strstr(d.msg, "version") != NULL);
	memcpy(hdr, "\x07\x13\x00\x00\x00\x00", 6);
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_net_frame_check(&t_rules, &type, &l32, hdr, &d), CCTSA_E_MALFORMED);
	CHECK(strstr(d.msg, "unknown type") != NULL);
	memcpy(hdr, "\x07\x10\x00\x00\x00\x05", 6);
	CHECK_ERR(cctsa_net_frame_check(&t_rules, &type, &l32, hdr, NULL), CCTSA_E_MALFORMED);
	memcpy(hdr, "\x07\x11\x00\x00\x00\x02", 6);
	CHECK_ERR(cctsa_net_frame_check(&t_rules, &type, &l32, hdr, NULL), CCTSA_E_MALFORMED);
	memcpy(hdr, "\x07\x12\xff\xff\xff\xff", 6);
	CHECK_ERR(cctsa_net_frame_check(&t_rules, &type, &l32, hdr, NULL), CCTSA_E_MALFORMED);
	/* an oversized announcement is refused from the header alone (no payload) */
	CHECK_ERR(cctsa_net_frame_peek(&t_rules, &total, &type, &pl, &len, hdr, 6, NULL), CCTSA_E_MALFORMED);
	memcpy(hdr, "\x07\x12\x00\x00\x00\x00", 6);
	CHECK_OK(cctsa_net_frame_parse(&t_rules, &type, &pl, &len, hdr, 6, NULL));
	CHECK(type == 0x12 && len == 0);
	cctsa_buf_free(&b);
}

/* Reassembly from an evbuffer fed one byte at a time, several frames back to back. */
static void test_frame_pull(void)
{
	struct evbuffer *in = evbuffer_new();
	cctsa_buf stream, pl;
	uint8_t type = 0;
	int have = 0;
	unsigned got = 0;
	static const uint8_t big[4] = {1, 2, 3, 4};

	CHECK(in != NULL);
	cctsa_buf_init(&stream, 0);
	cctsa_buf_init(&pl, 0);
	CHECK_OK(cctsa_net_frame_write(&stream, &t_rules, 0x10, big, 4, NULL));
	CHECK_OK(cctsa_net_frame_write(&stream, &t_rules, 0x12, NULL, 0, NULL));
	CHECK_OK(cctsa_net_frame_write(&stream, &t_rules, 0x11, big, 3, NULL));
	for (size_t i = 0; i < stream.len; i++) {
		CHECK(evbuffer_add(in, stream.data + i, 1) == 0);
		for (;;) {
			CHECK_OK(cctsa_net_frame_pull(&t_rules, &have, &type, &pl, in, NULL));
			if (!have) {
				break;
			}
			if (got == 0) {
				CHECK(type == 0x10 && pl.len == 4 && memcmp(pl.data, big, 4) == 0);
			} else if (got == 1) {
				CHECK(type == 0x12 && pl.len == 0);
			} else {
				CHECK(type == 0x11 && pl.len == 3 && memcmp(pl.data, big, 3) == 0);
			}
			got++;
		}
	}
	CHECK(got == 3 && evbuffer_get_length(in) == 0);
	/* a bad header fails as soon as its 6 bytes are in, payload never awaited */
	CHECK(evbuffer_add(in, "\x07\x10\x00\x10\x00\x00", 6) == 0);
	CHECK_ERR(cctsa_net_frame_pull(&t_rules, &have, &type, &pl, in, NULL), CCTSA_E_MALFORMED);
	CHECK(have == 0);
	evbuffer_free(in);
	cctsa_buf_free(&stream);
	cctsa_buf_free(&pl);
}

/* ---------------------------------------------------------------- corep */

static void sample_req(cctsa_net_corep_ts_req *m)
{
	memset(m, 0, sizeof(*m));
	m->id = 0x0102030405060708u;
	m->flavor = CCTSA_NET_FLAVOR_PQ;
	m->req.hash = CCTSA_TSP_HASH_SHA384;
	m->req.hash_null_params = 1;
	m->req.imprint_len = 48;
	for (unsigned i = 0; i < 48; i++) {
		m->req.imprint[i] = (uint8_t)(i * 7 + 1);
	}
	memcpy(m->req.policy, CCTSA_TSP_OID_POLICY_DEFAULT, CCTSA_TSP_OID_PROJECT_LEN);
	m->req.policy_len = CCTSA_TSP_OID_PROJECT_LEN;
	memcpy(m->req.nonce, "\x00\x9a\x3b\x11", 4);
	m->req.nonce_len = 4;
	m->req.cert_req = 1;
}

static int req_eq(const cctsa_net_corep_ts_req *a, const cctsa_net_corep_ts_req *b)
{
	const cctsa_tsp_req *x = &a->req, *y = &b->req;

	return a->id == b->id && a->flavor == b->flavor && x->hash == y->hash &&
	       x->hash_null_params == y->hash_null_params && x->imprint_len == y->imprint_len &&
	       memcmp(x->imprint, y->imprint, x->imprint_len) == 0 && x->policy_len == y->policy_len &&
	       memcmp(x->policy, y->policy, x->policy_len) == 0 && x->nonce_len == y->nonce_len &&
	       memcmp(x->nonce, y->nonce, x->nonce_len) == 0 && x->cert_req == y->cert_req;
}

/* Decodes one corep frame of any type and re-encodes it: the canonical bytes. */
static cctsa_err corep_reencode(cctsa_buf *out, const uint8_t *buf, size_t n)
{
	uint8_t type = 0;
	const uint8_t *p = NULL;
	size_t len = 0;
	cctsa_err err;

	err = cctsa_net_frame_parse(&cctsa_net_corep_rules, &type, &p, &len, buf, n, NULL);
	if (err != CCTSA_OK) {
		return err;
	}
	return net_test_corep_reencode(out, type, p, len);
}

/* Truncation at every length fails; every single-bit flip fails or re-encodes
 * to exactly the flipped bytes (the codec has one encoding per message). */
static void corep_mutations(const cctsa_buf *frame)
{
	cctsa_buf re;
	uint8_t *mut = cctsa_mem_dup(frame->data, frame->len);
	unsigned accepted = 0;

	CHECK(mut != NULL);
	cctsa_buf_init(&re, 0);
	CHECK_OK(corep_reencode(&re, frame->data, frame->len));
	CHECK(re.len == frame->len);
	CHECK_MEMEQ(re.data, frame->data, re.len);
	for (size_t n = 0; n < frame->len; n++) {
		CHECK(corep_reencode(&re, frame->data, n) != CCTSA_OK);
	}
	for (size_t bit = 0; bit < frame->len * 8; bit++) {
		mut[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		re.len = 0;
		if (corep_reencode(&re, mut, frame->len) == CCTSA_OK) {
			CHECK(re.len == frame->len);
			CHECK_MEMEQ(re.data, mut, re.len);
			accepted++;
		}
		mut[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* header bits are never accepted: only payload content bits may be */
	CHECK(accepted < (frame->len - CCTSA_NET_FRAME_HDR) * 8);
	cctsa_buf_free(&re);
	cctsa_mem_free(mut);
}

static void test_corep_ts_req(void)
{
	cctsa_net_corep_ts_req m, d;
	cctsa_buf b;
	uint8_t type = 0;
	const uint8_t *p = NULL;
	size_t len = 0;

	cctsa_buf_init(&b, 0);
	sample_req(&m);
	CHECK_OK(cctsa_net_corep_ts_req_encode(&b, &m, NULL));
	CHECK(b.len == 6 + 8 + 3 + 1 + 48 + 1 + 10 + 1 + 4 + 1);
	CHECK_OK(cctsa_net_frame_parse(&cctsa_net_corep_rules, &type, &p, &len, b.data, b.len, NULL));
	CHECK(type == CCTSA_NET_COREP_TS_REQ);
	CHECK_OK(cctsa_net_corep_ts_req_decode(&d, p, len, NULL));
	CHECK(req_eq(&m, &d));
	corep_mutations(&b);
	/* minimal request: no policy, no nonce */
	m.req.policy_len = 0;
	m.req.nonce_len = 0;
	m.req.hash = CCTSA_TSP_HASH_SHA256;
	m.req.imprint_len = 32;
	b.len = 0;
	CHECK_OK(cctsa_net_corep_ts_req_encode(&b, &m, NULL));
	corep_mutations(&b);
	/* encoder refuses what the decoder refuses */
	sample_req(&m);
	m.req.imprint_len = 32;
	CHECK_ERR(cctsa_net_corep_ts_req_encode(&b, &m, NULL), CCTSA_E_USAGE);
	sample_req(&m);
	m.flavor = 2;
	CHECK_ERR(cctsa_net_corep_ts_req_encode(&b, &m, NULL), CCTSA_E_USAGE);
	sample_req(&m);
	m.req.hash = (cctsa_tsp_hash)7;
	CHECK_ERR(cctsa_net_corep_ts_req_encode(&b, &m, NULL), CCTSA_E_USAGE);
	sample_req(&m);
	memcpy(m.req.nonce, "\x00\x10", 2); /* not minimal */
	m.req.nonce_len = 2;
	CHECK_ERR(cctsa_net_corep_ts_req_encode(&b, &m, NULL), CCTSA_E_USAGE);
	sample_req(&m);
	m.req.policy[m.req.policy_len - 1] |= 0x80; /* incomplete arc */
	CHECK_ERR(cctsa_net_corep_ts_req_encode(&b, &m, NULL), CCTSA_E_USAGE);
	sample_req(&m);
	m.req.cert_req = 2;
	CHECK_ERR(cctsa_net_corep_ts_req_encode(&b, &m, NULL), CCTSA_E_USAGE);
	cctsa_buf_free(&b);
}

static void test_corep_ts_resp(void)
{
	cctsa_net_corep_ts_resp m, d;
	cctsa_buf b;
	uint8_t type = 0;
	const uint8_t *p = NULL;
	size_t len = 0;
	static const uint8_t tok[] = {0x30, 0x03, 0x02, 0x01, 0x05};
	static const char text[] = "ok \xc3\xa9t\xc3\xa9";

	cctsa_buf_init(&b, 0);
	memset(&m, 0, sizeof(m));
	m.id = 99;
	m.status = CCTSA_TSP_STATUS_GRANTED;
	m.fail_bit = CCTSA_NET_FAIL_NONE;
	m.text = text;
	m.text_len = strlen(text);
	m.token = tok;
	m.token_len = sizeof(tok);
	CHECK_OK(cctsa_net_corep_ts_resp_encode(&b, &m, NULL));
	CHECK_OK(cctsa_net_frame_parse(&cctsa_net_corep_rules, &type, &p, &len, b.data, b.len, NULL));
	CHECK(type == CCTSA_NET_COREP_TS_RESP);
	CHECK_OK(cctsa_net_corep_ts_resp_decode(&d, p, len, NULL));
	CHECK(d.id == 99 && d.status == 0 && d.fail_bit == 0xff && d.text_len == m.text_len &&
	      d.token_len == sizeof(tok));
	CHECK_MEMEQ(d.token, tok, sizeof(tok));
	CHECK_MEMEQ(d.text, text, d.text_len);
	corep_mutations(&b);
	/* rejection */
	m.status = CCTSA_TSP_STATUS_REJECTION;
	m.fail_bit = CCTSA_TSP_FAIL_SYSTEM_FAILURE;
	m.token = NULL;
	m.token_len = 0;
	b.len = 0;
	CHECK_OK(cctsa_net_corep_ts_resp_encode(&b, &m, NULL));
	corep_mutations(&b);
	/* rules */
	m.token = tok;
	m.token_len = sizeof(tok);
	CHECK_ERR(cctsa_net_corep_ts_resp_encode(&b, &m, NULL), CCTSA_E_USAGE);
	m.status = 0;
	CHECK_ERR(cctsa_net_corep_ts_resp_encode(&b, &m, NULL), CCTSA_E_USAGE); /* fail bit set */
	m.fail_bit = CCTSA_NET_FAIL_NONE;
	m.text = "\xc0\x80";
	m.text_len = 2; /* overlong NUL */
	CHECK_ERR(cctsa_net_corep_ts_resp_encode(&b, &m, NULL), CCTSA_E_USAGE);
	m.text = "\xed\xa0\x80";
	m.text_len = 3; /* surrogate */
	CHECK_ERR(cctsa_net_corep_ts_resp_encode(&b, &m, NULL), CCTSA_E_USAGE);
	m.text = "\xf4\x90\x80\x80";
	m.text_len = 4; /* > U+10FFFF */
	CHECK_ERR(cctsa_net_corep_ts_resp_encode(&b, &m, NULL), CCTSA_E_USAGE);
	m.text = NULL;
	m.text_len = 0;
	m.token_len = CCTSA_NET_COREP_TS_RESP_MAX;
	CHECK_ERR(cctsa_net_corep_ts_resp_encode(&b, &m, NULL), CCTSA_E_USAGE);
	m.status = 6;
	m.token_len = sizeof(tok);
	CHECK_ERR(cctsa_net_corep_ts_resp_encode(&b, &m, NULL), CCTSA_E_USAGE);
	cctsa_buf_free(&b);
}

static void test_corep_info(void)
{
	cctsa_net_corep_info_req q = {77, CCTSA_NET_INFO_METRICS}, qd;
	cctsa_net_corep_info_resp r, rd;
	cctsa_buf b;
	uint8_t type = 0;
	const uint8_t *p = NULL;
	size_t len = 0;

	cctsa_buf_init(&b, 0);
	CHECK_OK(cctsa_net_corep_info_req_encode(&b, &q, NULL));
	CHECK(b.len == 15);
	CHECK_OK(cctsa_net_frame_parse(&cctsa_net_corep_rules, &type, &p, &len, b.data, b.len, NULL));
	CHECK_OK(cctsa_net_corep_info_req_decode(&qd, p, len, NULL));
	CHECK(qd.id == 77 && qd.what == CCTSA_NET_INFO_METRICS);
	corep_mutations(&b);
	q.what = 6;
	CHECK_ERR(cctsa_net_corep_info_req_encode(&b, &q, NULL), CCTSA_E_USAGE);
	q.what = 0;
	CHECK_ERR(cctsa_net_corep_info_req_encode(&b, &q, NULL), CCTSA_E_USAGE);

	memset(&r, 0, sizeof(r));
	r.id = 78;
	r.body = (const uint8_t *)"{\"ok\":true}";
	r.body_len = 11;
	b.len = 0;
	CHECK_OK(cctsa_net_corep_info_resp_encode(&b, &r, NULL));
	CHECK_OK(cctsa_net_frame_parse(&cctsa_net_corep_rules, &type, &p, &len, b.data, b.len, NULL));
	CHECK(type == CCTSA_NET_COREP_INFO_RESP);
	CHECK_OK(cctsa_net_corep_info_resp_decode(&rd, p, len, NULL));
	CHECK(rd.id == 78 && rd.status == 0 && rd.body_len == 11);
	CHECK_MEMEQ(rd.body, r.body, 11);
	corep_mutations(&b);
	r.status = 2;
	CHECK_ERR(cctsa_net_corep_info_resp_encode(&b, &r, NULL), CCTSA_E_USAGE);
	r.status = 1;
	r.body_len = CCTSA_NET_COREP_INFO_RESP_MAX;
	CHECK_ERR(cctsa_net_corep_info_resp_encode(&b, &r, NULL), CCTSA_E_USAGE);
	cctsa_buf_free(&b);
}

/* Frame-level refusals of the corep rules: wrong version, unknown type, over max. */
static void test_corep_frames(void)
{
	uint8_t hdr[6] = {1, 0x03, 0, 0, 0, 10};
	uint8_t type = 0;
	uint32_t l = 0;

	CHECK_ERR(cctsa_net_frame_check(&cctsa_net_corep_rules, &type, &l, hdr, NULL), CCTSA_E_MALFORMED);
	hdr[5] = 9;
	CHECK_OK(cctsa_net_frame_check(&cctsa_net_corep_rules, &type, &l, hdr, NULL));
	hdr[0] = 2;
	CHECK_ERR(cctsa_net_frame_check(&cctsa_net_corep_rules, &type, &l, hdr, NULL), CCTSA_E_UNSUPPORTED);
	hdr[0] = 1;
	for (unsigned t = 0; t < 256; t++) {
		hdr[1] = (uint8_t)t;
		hdr[5] = 20;
		cctsa_err e = cctsa_net_frame_check(&cctsa_net_corep_rules, &type, &l, hdr, NULL);
		CHECK((t == 1 || t == 2 || t == 4) ? e == CCTSA_OK : e != CCTSA_OK);
	}
	memcpy(hdr, "\x01\x01\x00\x00\x01\x01", 6); /* TS_REQ 257 > 256 */
	CHECK_ERR(cctsa_net_frame_check(&cctsa_net_corep_rules, &type, &l, hdr, NULL), CCTSA_E_MALFORMED);
	memcpy(hdr, "\x01\x02\x00\x01\x00\x01", 6); /* TS_RESP 64 KiB + 1 */
	CHECK_ERR(cctsa_net_frame_check(&cctsa_net_corep_rules, &type, &l, hdr, NULL), CCTSA_E_MALFORMED);
	memcpy(hdr, "\x01\x04\x00\x10\x00\x01", 6); /* INFO_RESP 1 MiB + 1 */
	CHECK_ERR(cctsa_net_frame_check(&cctsa_net_corep_rules, &type, &l, hdr, NULL), CCTSA_E_MALFORMED);
}

/* ---------------------------------------------------------------- corep I/O */

typedef struct {
	struct event_base *base;
	cctsa_net_corep_server *srv;
	uint64_t held_conn, held_id;
	int have_held;
	unsigned ts_done, info_done, io_fail, errors, order[4];
	unsigned n_order;
} io_state;

static void io_on_ts(void *ctx, uint64_t conn, const cctsa_net_corep_ts_req *req)
{
	io_state *st = ctx;
	cctsa_net_corep_ts_resp r;
	uint8_t tok[3] = {0x05, 0x00, 0x00};

	CHECK(req->req.hash == CCTSA_TSP_HASH_SHA384 && req->req.imprint_len == 48);
	if (!st->have_held) { /* hold the first request; answer it after the second */
		st->have_held = 1;
		st->held_conn = conn;
		st->held_id = req->id;
		return;
	}
	memset(&r, 0, sizeof(r));
	r.status = CCTSA_TSP_STATUS_GRANTED;
	r.fail_bit = CCTSA_NET_FAIL_NONE;
	r.token = tok;
	r.token_len = sizeof(tok);
	tok[1] = (uint8_t)req->id;
	r.id = req->id;
	CHECK_OK(cctsa_net_corep_server_reply_ts(st->srv, conn, &r, NULL));
	tok[1] = (uint8_t)st->held_id;
	r.id = st->held_id;
	CHECK_OK(cctsa_net_corep_server_reply_ts(st->srv, st->held_conn, &r, NULL));
}

static void io_on_info(void *ctx, uint64_t conn, const cctsa_net_corep_info_req *req)
{
	io_state *st = ctx;
	cctsa_net_corep_info_resp r = {req->id, 1, (const uint8_t *)"n/a", 3};

	CHECK_OK(cctsa_net_corep_server_reply_info(st->srv, conn, &r, NULL));
}

static void io_on_error(void *ctx, uint64_t conn, const cctsa_diag *d)
{
	io_state *st = ctx;

	(void)conn;
	CHECK(strstr(d->msg, "version") != NULL);
	st->errors++;
	/* the connection is gone: a late answer is refused */
	cctsa_net_corep_info_resp r = {1, 0, NULL, 0};
	CHECK_ERR(cctsa_net_corep_server_reply_info(st->srv, conn, &r, NULL), CCTSA_E_STATE);
	event_base_loopexit(st->base, NULL);
}

static void io_ts_cb(void *arg, cctsa_err err, const cctsa_net_corep_ts_resp *resp, const cctsa_diag *d)
{
	io_state *st = arg;

	(void)d;
	CHECK_OK(err);
	CHECK(resp->status == 0 && resp->token_len == 3 && resp->token[1] == (uint8_t)resp->id);
	st->order[st->n_order++] = (unsigned)resp->id;
	if (++st->ts_done == 2 && st->info_done == 1) {
		event_base_loopexit(st->base, NULL);
	}
}

static void io_info_cb(void *arg, cctsa_err err, const cctsa_net_corep_info_resp *resp,
		       const cctsa_diag *d)
{
	io_state *st = arg;

	(void)d;
	CHECK_OK(err);
	CHECK(resp->status == 1 && resp->body_len == 3);
	st->order[st->n_order++] = (unsigned)resp->id;
	if (++st->info_done == 1 && st->ts_done == 2) {
		event_base_loopexit(st->base, NULL);
	}
}

static void io_fail_cb(void *arg, cctsa_err err, const cctsa_net_corep_info_resp *resp,
		       const cctsa_diag *d)
{
	io_state *st = arg;

	CHECK(err == CCTSA_E_IO && resp == NULL && d != NULL);
	st->io_fail++;
	event_base_loopexit(st->base, NULL);
}

static void test_corep_io(void)
{
	io_state st;
	cctsa_net_corep_handlers h = {&st, io_on_ts, io_on_info, io_on_error};
	cctsa_net_corep_client *cl = NULL, *bad = NULL;
	cctsa_net_corep_ts_req m;
	char path[64];
	cctsa_err e;
	int fd;
	struct sockaddr_un sa;

	memset(&st, 0, sizeof(st));
	snprintf(path, sizeof(path), "/tmp/cctsa-net-test-%d.sock", (int)getpid());
	st.base = event_base_new();
	CHECK(st.base != NULL);
	CHECK_OK(cctsa_net_corep_server_new(&st.srv, st.base, path, &h, NULL));
	CHECK_OK(cctsa_net_corep_client_new(&cl, st.base, path, NULL));
	sample_req(&m);
	/* pipelined: ts (held), ts, info; answers come back out of order */
	CHECK_OK(cctsa_net_corep_client_ts(cl, &m.req, CCTSA_NET_FLAVOR_HYBRID, io_ts_cb, &st, NULL));
	CHECK_OK(cctsa_net_corep_client_ts(cl, &m.req, CCTSA_NET_FLAVOR_PQ, io_ts_cb, &st, NULL));
	CHECK_OK(cctsa_net_corep_client_info(cl, CCTSA_NET_INFO_HEALTH, io_info_cb, &st, NULL));
	CHECK(cctsa_net_corep_client_pending(cl) == 3);
	CHECK(event_base_dispatch(st.base) == 0);
	CHECK(st.ts_done == 2 && st.info_done == 1 && cctsa_net_corep_client_pending(cl) == 0);
	CHECK(st.order[0] == 2 && st.order[1] == 1 && st.order[2] == 3);
	/* the client refuses a request the core would refuse */
	m.req.imprint_len = 3;
	CHECK_ERR(cctsa_net_corep_client_ts(cl, &m.req, 0, io_ts_cb, &st, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_corep_client_info(cl, 9, io_info_cb, &st, NULL), CCTSA_E_USAGE);
	/* a gateway sending a wrong-version frame is cut off and reported */
	CHECK_OK(net_unix_addr_test(&sa, path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(write(fd, "\x02\x03\x00\x00\x00\x09", 6) == 6);
	CHECK(event_base_dispatch(st.base) == 0);
	CHECK(st.errors == 1);
	close(fd);
	/* a server that goes away fails the pending request with CCTSA_E_IO */
	cctsa_net_corep_server_free(st.srv);
	st.srv = NULL;
	CHECK_OK(cctsa_net_corep_client_new(&bad, st.base, path, NULL));
	e = cctsa_net_corep_client_info(bad, CCTSA_NET_INFO_HEALTH, io_fail_cb, &st, NULL);
	if (e == CCTSA_OK) {
		CHECK(event_base_dispatch(st.base) == 0);
		CHECK(st.io_fail == 1);
	} else {
		CHECK(e == CCTSA_E_IO);
	}
	cctsa_net_corep_client_free(bad);
	CHECK_ERR(cctsa_net_corep_client_new(&bad, st.base, "", NULL), CCTSA_E_USAGE);
	CHECK(bad == NULL);
	cctsa_net_corep_client_free(cl);
	event_base_free(st.base);
}

/* The gateway's client drops a core that answers badly and fails what was pending. */
typedef struct {
	struct event_base *base;
	cctsa_net_corep_server *srv;
	unsigned malformed;
	char msg[CCTSA_DIAG_MAX];
} bad_core;

static void bad_on_ts(void *ctx, uint64_t conn, const cctsa_net_corep_ts_req *req)
{
	bad_core *bc = ctx;
	cctsa_net_corep_ts_resp r;

	memset(&r, 0, sizeof(r));
	r.id = req->id + 1000; /* an id the gateway never sent */
	r.status = CCTSA_TSP_STATUS_REJECTION;
	r.fail_bit = CCTSA_TSP_FAIL_SYSTEM_FAILURE;
	CHECK_OK(cctsa_net_corep_server_reply_ts(bc->srv, conn, &r, NULL));
}

static void bad_on_info(void *ctx, uint64_t conn, const cctsa_net_corep_info_req *req)
{
	(void)ctx;
	(void)conn;
	(void)req;
}

static void bad_ts_cb(void *arg, cctsa_err err, const cctsa_net_corep_ts_resp *resp, const cctsa_diag *d)
{
	bad_core *bc = arg;

	CHECK(err == CCTSA_E_MALFORMED && resp == NULL && d != NULL);
	snprintf(bc->msg, sizeof(bc->msg), "%s", d->msg);
	bc->malformed++;
	event_base_loopexit(bc->base, NULL);
}

static void bad_info_cb(void *arg, cctsa_err err, const cctsa_net_corep_info_resp *resp,
			const cctsa_diag *d)
{
	bad_core *bc = arg;

	CHECK(err == CCTSA_E_MALFORMED && resp == NULL && d != NULL);
	snprintf(bc->msg, sizeof(bc->msg), "%s", d->msg);
	bc->malformed++;
	event_base_loopexit(bc->base, NULL);
}

static void late_info_cb(void *arg, cctsa_err err, const cctsa_net_corep_info_resp *resp,
			 const cctsa_diag *d)
{
	bad_core *bc = arg;

	CHECK(err == CCTSA_E_STATE && resp == NULL && strstr(d->msg, "no answer") != NULL);
	bc->malformed += 100;
	event_base_loopexit(bc->base, NULL);
}

static void test_corep_client_bad_core(void)
{
	bad_core bc;
	cctsa_net_corep_handlers h = {&bc, bad_on_ts, bad_on_info, NULL};
	cctsa_net_corep_client *cl = NULL;
	cctsa_net_corep_ts_req m;
	struct sockaddr_un sa;
	char path[64];
	int lfd, fd;

	memset(&bc, 0, sizeof(bc));
	snprintf(path, sizeof(path), "/tmp/cctsa-net-test-bad-%d.sock", (int)getpid());
	bc.base = event_base_new();
	CHECK(bc.base != NULL);
	/* 1: a well-formed response to an unknown id */
	CHECK_OK(cctsa_net_corep_server_new(&bc.srv, bc.base, path, &h, NULL));
	CHECK_OK(cctsa_net_corep_client_new(&cl, bc.base, path, NULL));
	sample_req(&m);
	CHECK_OK(cctsa_net_corep_client_ts(cl, &m.req, 0, bad_ts_cb, &bc, NULL));
	CHECK(event_base_dispatch(bc.base) == 0);
	CHECK(bc.malformed == 1 && strstr(bc.msg, "unknown request") != NULL);
	cctsa_net_corep_client_free(cl);
	/* a core that never answers: the request fails at its deadline */
	CHECK_OK(cctsa_net_corep_client_new(&cl, bc.base, path, NULL));
	cctsa_net_corep_client_set_timeout(cl, 50);
	CHECK_OK(cctsa_net_corep_client_info(cl, CCTSA_NET_INFO_HEALTH, late_info_cb, &bc, NULL));
	CHECK(event_base_dispatch(bc.base) == 0);
	CHECK(bc.malformed == 101 && cctsa_net_corep_client_pending(cl) == 0);
	bc.malformed = 1;
	cctsa_net_corep_client_free(cl);
	cctsa_net_corep_server_free(bc.srv);
	/* 2: a core that sends a request-type frame, then a bad version */
	for (unsigned round = 0; round < 2; round++) {
		static const char *const frames[2] = {"\x01\x01\x00\x00\x00\x0f", "\x07\x02\x00\x00\x00\x10"};
		static const char *const needles[2] = {"unknown type", "version"};

		CHECK_OK(net_unix_addr_test(&sa, path));
		(void)unlink(path);
		lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		CHECK(lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lfd, 1) == 0);
		CHECK_OK(cctsa_net_corep_client_new(&cl, bc.base, path, NULL));
		CHECK_OK(cctsa_net_corep_client_info(cl, CCTSA_NET_INFO_CERTS, bad_info_cb, &bc, NULL));
		fd = accept(lfd, NULL, NULL);
		CHECK(fd >= 0 && write(fd, frames[round], 6) == 6);
		CHECK(event_base_dispatch(bc.base) == 0);
		CHECK(bc.malformed == 2 + round && strstr(bc.msg, needles[round]) != NULL);
		CHECK(cctsa_net_corep_client_pending(cl) == 0);
		cctsa_net_corep_client_free(cl);
		close(fd);
		close(lfd);
		(void)unlink(path);
	}
	event_base_free(bc.base);
}

/* Peer rules: net's types plus the application's exact set (or its whole range). */
static void test_peer_rules(void)
{
	static const cctsa_net_frame_type app[] = {{0x01, 4, 4}, {0x21, 0, 300000}};
	static const cctsa_net_frame_type dup[] = {{0x01, 4, 4}, {0x01, 0, 8}};
	static const cctsa_net_frame_type reserved[] = {{0xf1, 0, 8}};
	static const cctsa_net_frame_type zero[] = {{0x00, 0, 8}};
	static const cctsa_net_frame_type big[] = {{0x05, 0, CCTSA_NET_PEER_MAX + 1}};
	static const cctsa_net_frame_type inverted[] = {{0x05, 9, 8}};
	cctsa_net_peer_rules r;
	uint8_t hdr[6] = {1, 0x01, 0, 0, 0, 4};
	uint8_t type = 0;
	uint32_t l = 0;

	CHECK_OK(cctsa_net_peer_rules_init(&r, app, 2, NULL));
	CHECK_OK(cctsa_net_frame_check(&r.rules, &type, &l, hdr, NULL));
	hdr[5] = 5;
	CHECK_ERR(cctsa_net_frame_check(&r.rules, &type, &l, hdr, NULL), CCTSA_E_MALFORMED);
	hdr[1] = 0x02; /* not in the application's set */
	hdr[5] = 0;
	CHECK_ERR(cctsa_net_frame_check(&r.rules, &type, &l, hdr, NULL), CCTSA_E_MALFORMED);
	hdr[1] = 0x21;
	hdr[2] = 0x04; /* 0x040000 > 300000 */
	CHECK_ERR(cctsa_net_frame_check(&r.rules, &type, &l, hdr, NULL), CCTSA_E_MALFORMED);
	hdr[2] = 0;
	hdr[1] = CCTSA_NET_PEER_READY;
	CHECK_OK(cctsa_net_frame_check(&r.rules, &type, &l, hdr, NULL));
	CHECK_ERR(cctsa_net_peer_rules_init(&r, dup, 2, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_peer_rules_init(&r, reserved, 1, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_peer_rules_init(&r, zero, 1, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_peer_rules_init(&r, big, 1, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_net_peer_rules_init(&r, inverted, 1, NULL), CCTSA_E_USAGE);
	/* default: every application type up to 1 MiB, nothing reserved beyond net's three */
	CHECK_OK(cctsa_net_peer_rules_init(&r, NULL, 0, NULL));
	for (unsigned t = 0; t < 256; t++) {
		cctsa_err e;

		hdr[1] = (uint8_t)t;
		memcpy(hdr + 2, "\x00\x10\x00\x00", 4);
		e = cctsa_net_frame_check(&r.rules, &type, &l, hdr, NULL);
		CHECK((t >= CCTSA_NET_APP_TYPE_MIN && t <= CCTSA_NET_APP_TYPE_MAX) ? e == CCTSA_OK : e != CCTSA_OK);
		memcpy(hdr + 2, "\x00\x10\x00\x01", 4);
		CHECK(cctsa_net_frame_check(&r.rules, &type, &l, hdr, NULL) != CCTSA_OK);
	}
}

/* Backpressure: with one request in flight allowed, the next is read only once
 * the first is answered, though the gateway pipelined all three. */
typedef struct {
	struct event_base *base;
	cctsa_net_corep_server *srv;
	unsigned outstanding, handled, done;
	uint64_t conn, id;
} bp_state;

static void bp_reply(evutil_socket_t fd, short what, void *arg)
{
	bp_state *st = arg;
	cctsa_net_corep_info_resp r = {st->id, 0, (const uint8_t *)"ok", 2};

	(void)fd;
	(void)what;
	st->outstanding--;
	CHECK_OK(cctsa_net_corep_server_reply_info(st->srv, st->conn, &r, NULL));
}

static void bp_on_ts(void *ctx, uint64_t conn, const cctsa_net_corep_ts_req *req)
{
	(void)ctx;
	(void)conn;
	(void)req;
	CHECK(0);
}

static void bp_on_info(void *ctx, uint64_t conn, const cctsa_net_corep_info_req *req)
{
	bp_state *st = ctx;
	struct timeval now = {0, 0};

	CHECK(st->outstanding == 0);
	st->outstanding++;
	st->handled++;
	st->conn = conn;
	st->id = req->id;
	CHECK(event_base_once(st->base, -1, EV_TIMEOUT, bp_reply, st, &now) == 0);
}

static void bp_cb(void *arg, cctsa_err err, const cctsa_net_corep_info_resp *resp, const cctsa_diag *d)
{
	bp_state *st = arg;

	(void)d;
	CHECK(err == CCTSA_OK && resp->body_len == 2);
	if (++st->done == 3) {
		event_base_loopexit(st->base, NULL);
	}
}

static void test_corep_backpressure(void)
{
	bp_state st;
	cctsa_net_corep_handlers h = {&st, bp_on_ts, bp_on_info, NULL};
	cctsa_net_corep_client *cl = NULL;
	char path[64];

	memset(&st, 0, sizeof(st));
	snprintf(path, sizeof(path), "/tmp/cctsa-net-test-bp-%d.sock", (int)getpid());
	st.base = event_base_new();
	CHECK(st.base != NULL);
	CHECK_OK(cctsa_net_corep_server_new(&st.srv, st.base, path, &h, NULL));
	cctsa_net_corep_server_set_max_inflight(st.srv, 1);
	CHECK_OK(cctsa_net_corep_client_new(&cl, st.base, path, NULL));
	for (unsigned i = 0; i < 3; i++) {
		CHECK_OK(cctsa_net_corep_client_info(cl, CCTSA_NET_INFO_METRICS, bp_cb, &st, NULL));
	}
	CHECK(event_base_dispatch(st.base) == 0);
	CHECK(st.done == 3 && st.handled == 3 && st.outstanding == 0);
	cctsa_net_corep_client_free(cl);
	cctsa_net_corep_server_free(st.srv);
	event_base_free(st.base);
}

int main(void)
{
	test_frame_basic();
	test_frame_pull();
	test_corep_frames();
	test_peer_rules();
	test_corep_ts_req();
	test_corep_ts_resp();
	test_corep_info();
	test_corep_io();
	test_corep_client_bad_core();
	test_corep_backpressure();
	return 0;
}
