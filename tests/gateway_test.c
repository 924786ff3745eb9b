/*
 * gateway unit tests: the HTTP front on a free loopback port, driven by a raw
 * HTTP/1.1 client, with a recording test backend. Checks routing, 405 + Allow,
 * 415, 413 (body over 64 KiB), 404, /health, that every RFC 3161 answer is 200
 * application/timestamp-reply, that each validation failure carries its failInfo
 * bit, and that a backend failure becomes systemFailure.
 */
#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "cctsa/der.h"
#include "cctsa/gateway.h"
#include "cctsa/x509.h"
#include "tsp/tsp_view.h"

typedef struct {
	int calls;
	int last_pq;
	cctsa_tsp_req last;
	int mode; /* 0: granted blob, 1: fail, 2: timeNotAvailable rejection */
} backend;

static const uint8_t BLOB[] = {0x30, 0x03, 0x02, 0x01, 0x00}; /* stands for a token */

static cctsa_err test_issue(void *ctx, cctsa_buf *resp, const cctsa_tsp_req *req, int pq, cctsa_diag *diag)
{
	backend *b = ctx;

	b->calls++;
	b->last_pq = pq;
	b->last = *req;
	if (b->mode == 1) {
		return cctsa_fail(diag, CCTSA_E_STATE, "test backend: no quorum");
	}
	if (b->mode == 2) {
		return cctsa_tsp_resp_rejection(resp, CCTSA_TSP_FAIL_TIME_NOT_AVAILABLE, "holdover over");
	}
	return cctsa_tsp_resp_granted(resp, BLOB, sizeof(BLOB));
}

typedef struct {
	int status;
	char headers[4096];
	cctsa_buf body;
} http_reply;

static void http(http_reply *r, uint16_t port, const char *method, const char *path, const char *ctype,
		 const uint8_t *body, size_t len)
{
	struct sockaddr_in sa;
	char head[512], buf[8192];
	cctsa_buf all;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;
	char *sep;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s%s%s"
				     "Content-Length: %zu\r\n\r\n",
		 method, path, ctype != NULL ? "Content-Type: " : "", ctype != NULL ? ctype : "",
		 ctype != NULL ? "\r\n" : "", len);
	CHECK(write(fd, head, strlen(head)) == (ssize_t)strlen(head));
	if (len != 0) {
		size_t off = 0;
		while (off < len) {
			n = write(fd, body + off, len - off);
			if (n <= 0) {
				break; /* the server may close early (413) */
			}
			off += (size_t)n;
		}
	}
	cctsa_buf_init(&all, 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		CHECK_OK(cctsa_buf_put(&all, buf, (size_t)n));
	}
	close(fd);
	CHECK_OK(cctsa_buf_put_u8(&all, 0));
	CHECK(sscanf((const char *)all.data, "HTTP/1.1 %d", &r->status) == 1);
	sep = strstr((char *)all.data, "\r\n\r\n");
	CHECK(sep != NULL);
	snprintf(r->headers, sizeof(r->headers), "%.*s", (int)(sep - (char *)all.data), (char *)all.data);
	cctsa_buf_init(&r->body, 0);
	CHECK_OK(cctsa_buf_put(&r->body, sep + 4, all.len - 1 - (size_t)(sep + 4 - (char *)all.data)));
	cctsa_buf_free(&all);
}

static int has_header(const http_reply *r, const char *line)
{
	return strcasestr(r->headers, line) != NULL;
}

/* 200 application/timestamp-reply with a rejection carrying exactly bit. */
static void expect_fail_bit(uint16_t port, const char *path, const uint8_t *req, size_t len, unsigned bit)
{
	http_reply r;
	tsp_resp_view rv;

	http(&r, port, "POST", path, "application/timestamp-query", req, len);
	CHECK(r.status == 200 && has_header(&r, "Content-Type: application/timestamp-reply"));
	CHECK_OK(cctsa_tsp_view_resp(&rv, r.body.data, r.body.len, NULL));
	CHECK(rv.status == CCTSA_TSP_STATUS_REJECTION && rv.token.der == NULL);
	CHECK(rv.fail_bits_len == bit / 8 + 1 && rv.fail_unused == 7 - bit % 8);
	CHECK(rv.fail_bits[bit / 8] == (0x80u >> (bit % 8)));
	cctsa_buf_free(&r.body);
}

static void make_req(cctsa_buf *w, cctsa_tsp_hash h, const char *policy)
{
	cctsa_tsp_req q;

	memset(&q, 0, sizeof(q));
	q.hash = h;
	q.imprint_len = cctsa_tsp_hash_len(h);
	memset(q.imprint, 0x5a, q.imprint_len);
	q.nonce_len = 2;
	q.nonce[0] = 0x12;
	q.nonce[1] = 0x34;
	if (policy != NULL) {
		CHECK_OK(cctsa_der_oid_encode(q.policy, sizeof(q.policy), &q.policy_len, policy));
	}
	cctsa_buf_init(w, 0);
	CHECK_OK(cctsa_tsp_req_write(w, &q));
}

static void test_granted(uint16_t port, backend *b)
{
	static const char *paths[] = {"/", "/tsa", "/tsa/pq"};
	cctsa_buf q;
	http_reply r;

	make_req(&q, CCTSA_TSP_HASH_SHA384, NULL);
	for (int i = 0; i < 3; i++) {
		int calls = b->calls;
		http(&r, port, "POST", paths[i], i == 1 ? "Application/Timestamp-Query; x=y" : "application/timestamp-query",
		     q.data, q.len);
		CHECK(r.status == 200 && has_header(&r, "Content-Type: application/timestamp-reply"));
		CHECK(b->calls == calls + 1 && b->last_pq == (i == 2));
		CHECK(b->last.hash == CCTSA_TSP_HASH_SHA384 && b->last.nonce_len == 2 && b->last.nonce[1] == 0x34);
		/* TimeStampResp { status granted, BLOB } */
		CHECK(r.body.len == 12 && r.body.data[4] == 0x02 && r.body.data[6] == 0x00);
		CHECK_MEMEQ(r.body.data + 7, BLOB, sizeof(BLOB));
		cctsa_buf_free(&r.body);
	}
	cctsa_buf_free(&q);
}

static void test_http_errors(uint16_t port, backend *b)
{
	cctsa_buf q, big;
	http_reply r;
	int calls = b->calls;

	make_req(&q, CCTSA_TSP_HASH_SHA256, NULL);
	http(&r, port, "GET", "/tsa", NULL, NULL, 0);
	CHECK(r.status == 405 && has_header(&r, "Allow: POST"));
	cctsa_buf_free(&r.body);
	http(&r, port, "PUT", "/", "application/timestamp-query", q.data, q.len);
	CHECK(r.status == 405 && has_header(&r, "Allow: POST"));
	cctsa_buf_free(&r.body);
	http(&r, port, "POST", "/tsa", "text/plain", q.data, q.len);
	CHECK(r.status == 415);
	cctsa_buf_free(&r.body);
	http(&r, port, "POST", "/tsa", NULL, q.data, q.len);
	CHECK(r.status == 415);
	cctsa_buf_free(&r.body);
	http(&r, port, "POST", "/tsa", "application/timestamp-queryx", q.data, q.len);
	CHECK(r.status == 415);
	cctsa_buf_free(&r.body);
	http(&r, port, "POST", "/nope", "application/timestamp-query", q.data, q.len);
	CHECK(r.status == 404);
	cctsa_buf_free(&r.body);
	http(&r, port, "POST", "/health", "application/json", NULL, 0);
	CHECK(r.status == 405 && has_header(&r, "Allow: GET, HEAD"));
	cctsa_buf_free(&r.body);
	cctsa_buf_init(&big, 0);
	CHECK_OK(cctsa_buf_reserve(&big, CCTSA_TSP_REQ_MAX + 1));
	memset(big.data, 0x30, CCTSA_TSP_REQ_MAX + 1);
	big.len = CCTSA_TSP_REQ_MAX + 1;
	http(&r, port, "POST", "/tsa", "application/timestamp-query", big.data, big.len);
	CHECK(r.status == 413);
	cctsa_buf_free(&r.body);
	CHECK(b->calls == calls); /* none of these reached the backend */
	/* exactly 64 KiB is accepted at the HTTP level and rejected as badDataFormat */
	expect_fail_bit(port, "/tsa", big.data, CCTSA_TSP_REQ_MAX, CCTSA_TSP_FAIL_BAD_DATA_FORMAT);
	cctsa_buf_free(&big);
	cctsa_buf_free(&q);
}

static void read_corpus(cctsa_buf *b, const char *name)
{
	char path[1024];
	const char *src = getenv("CCTSA_SRC");

	CHECK(src != NULL);
	snprintf(path, sizeof(path), "%s/fuzz/corpus/tsreq/%s", src, name);
	CHECK_OK(cctsa_file_read(b, path, 1 << 16, NULL));
}

static void test_fail_info(uint16_t port, backend *b)
{
	cctsa_buf q;
	http_reply r;
	int calls;

	read_corpus(&q, "sha1-badalg.tsq"); /* made by openssl ts -query -sha1 */
	expect_fail_bit(port, "/", q.data, q.len, CCTSA_TSP_FAIL_BAD_ALG);
	cctsa_buf_free(&q);
	read_corpus(&q, "critical-ext.tsq");
	expect_fail_bit(port, "/tsa", q.data, q.len, CCTSA_TSP_FAIL_UNACCEPTED_EXTENSION);
	cctsa_buf_free(&q);
	make_req(&q, CCTSA_TSP_HASH_SHA256, NULL);
	q.data[4] = 2; /* version 2 */
	expect_fail_bit(port, "/", q.data, q.len, CCTSA_TSP_FAIL_BAD_REQUEST);
	q.data[4] = 1;
	q.data[11 + 8] = 0x07; /* ...4.2.1 -> ...4.2.7 (SHA3-224): not accepted */
	expect_fail_bit(port, "/", q.data, q.len, CCTSA_TSP_FAIL_BAD_ALG);
	cctsa_buf_free(&q);
	expect_fail_bit(port, "/tsa", (const uint8_t *)"garbage", 7, CCTSA_TSP_FAIL_BAD_DATA_FORMAT);
	make_req(&q, CCTSA_TSP_HASH_SHA256, "1.2.3.4");
	expect_fail_bit(port, "/tsa", q.data, q.len, CCTSA_TSP_FAIL_UNACCEPTED_POLICY);
	cctsa_buf_free(&q);
	make_req(&q, CCTSA_TSP_HASH_SHA256, CCTSA_OID_POLICY_DEFAULT); /* default policy on /tsa/pq */
	expect_fail_bit(port, "/tsa/pq", q.data, q.len, CCTSA_TSP_FAIL_UNACCEPTED_POLICY);
	cctsa_buf_free(&q);
	make_req(&q, CCTSA_TSP_HASH_SHA256, CCTSA_OID_POLICY_PQ); /* PQ policy on /tsa/pq: served */
	calls = b->calls;
	http(&r, port, "POST", "/tsa/pq", "application/timestamp-query", q.data, q.len);
	CHECK(r.status == 200 && b->calls == calls + 1 && b->last_pq == 1);
	cctsa_buf_free(&r.body);
	cctsa_buf_free(&q);
	make_req(&q, CCTSA_TSP_HASH_SHA3_512, NULL);
	calls = b->calls;
	b->mode = 1;
	expect_fail_bit(port, "/tsa", q.data, q.len, CCTSA_TSP_FAIL_SYSTEM_FAILURE);
	b->mode = 2;
	expect_fail_bit(port, "/tsa", q.data, q.len, CCTSA_TSP_FAIL_TIME_NOT_AVAILABLE);
	b->mode = 0;
	CHECK(b->calls == calls + 2);
	cctsa_buf_free(&q);
}

static void test_health(uint16_t port)
{
	http_reply r;

	http(&r, port, "GET", "/health", NULL, NULL, 0);
	CHECK(r.status == 200 && has_header(&r, "Content-Type: application/json"));
	CHECK_OK(cctsa_buf_put_u8(&r.body, 0));
	CHECK(strstr((const char *)r.body.data, "\"backend\":\"unit-test backend\"") != NULL);
	CHECK(strstr((const char *)r.body.data, "\"threshold\":false") != NULL);
	cctsa_buf_free(&r.body);
}


/* ---- the asynchronous backend (the core's shape): 503, 429, /health, /metrics, relays ---- */
typedef struct {
	int mode; /* 0 token, 1 unavailable, 2 systemFailure, 3 timeNotAvailable, 4 token later */
	int info_ok;
	int raw_status; /* health: the core's status object without the reference fields */
	int calls;
	int outstanding, max_outstanding; /* deferred (mode 4) requests at the backend */
	struct event_base *base;
} abackend;

typedef struct {
	cctsa_gateway_done_fn done;
	void *cookie;
	abackend *b;
} later_job;

static void token_result(cctsa_gateway_result *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = CCTSA_GATEWAY_RES_TOKEN;
	r->der = BLOB;
	r->der_len = sizeof(BLOB);
}

static void later(evutil_socket_t fd, short what, void *arg)
{
	later_job *j = arg;
	cctsa_gateway_result r;

	(void)fd;
	(void)what;
	token_result(&r);
	j->b->outstanding--;
	j->done(j->cookie, &r);
	cctsa_mem_free(j);
}

static void a_submit(void *ctx, const cctsa_tsp_req *req, int pq, cctsa_gateway_done_fn done, void *cookie)
{
	abackend *b = ctx;
	cctsa_gateway_result r;
	later_job *j;

	(void)req;
	(void)pq;
	b->calls++;
	memset(&r, 0, sizeof(r));
	switch (b->mode) {
	case 0: token_result(&r); break;
	case 1: r.kind = CCTSA_GATEWAY_RES_UNAVAILABLE; r.text = "no quorum"; break;
	case 2: r.kind = CCTSA_GATEWAY_RES_REJECT; r.status = 2; r.fail_bit = CCTSA_TSP_FAIL_SYSTEM_FAILURE; break;
	case 3: r.kind = CCTSA_GATEWAY_RES_REJECT; r.status = 2; r.fail_bit = CCTSA_TSP_FAIL_TIME_NOT_AVAILABLE; break;
	default:
		j = cctsa_mem_alloc(sizeof(*j));
		CHECK(j != NULL);
		j->done = done;
		j->cookie = cookie;
		j->b = b;
		if (++b->outstanding > b->max_outstanding) {
			b->max_outstanding = b->outstanding;
		}
		CHECK(event_base_once(b->base, -1, EV_TIMEOUT, later, j, &(struct timeval){0, 20000}) == 0);
		return;
	}
	done(cookie, &r);
}

static void a_info(void *ctx, int what, cctsa_gateway_info_done_fn idone, void *cookie)
{
	abackend *b = ctx;
	static const char health[] = "{\"status\":\"degraded\",\"node_id\":2,\"attested\":true,\"time_synced\":true,"
				     "\"nts_sources_reachable\":4,\"trihard_status\":\"ok\",\"quorum_available\":true,"
				     "\"uptime_seconds\":12,\"key_state\":\"active\",\"pools\":{\"presig\":5}}";
	static const char metrics[] = "cctsa_core_nodes_online 4\n";
	static const char pem[] = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n";
	static const char raw[] = "{\"ok\":true,\"node\":2,\"state\":\"degraded\",\"peers_attested\":[0,1],"
				  "\"time_synced\":true,\"key_state\":\"active\",\"pools\":{\"x\":1}}";
	const char *body = what == CCTSA_GATEWAY_INFO_HEALTH	? (b->raw_status ? raw : health)
			   : what == CCTSA_GATEWAY_INFO_METRICS ? metrics
			   : what == CCTSA_GATEWAY_INFO_CERTS	? pem
								: "{\"x\":1}";

	if (!b->info_ok) {
		idone(cookie, 0, NULL, 0);
		return;
	}
	idone(cookie, 1, (const uint8_t *)body, strlen(body));
}

static void body_has(http_reply *r, const char *s)
{
	CHECK_OK(cctsa_buf_put_u8(&r->body, 0));
	if (strstr((const char *)r->body.data, s) == NULL) {
		fprintf(stderr, "body lacks %s:\n%s\n", s, (const char *)r->body.data);
		CHECK(0);
	}
}

static void test_async(uint16_t port, abackend *b)
{
	cctsa_buf q;
	http_reply r;
	tsp_resp_view rv;

	make_req(&q, CCTSA_TSP_HASH_SHA384, NULL);
	for (int mode = 0; mode <= 4; mode++) {
		b->mode = mode;
		http(&r, port, "POST", "/tsa", "application/timestamp-query", q.data, q.len);
		CHECK(has_header(&r, "Content-Type: application/timestamp-reply"));
		CHECK_OK(cctsa_tsp_view_resp(&rv, r.body.data, r.body.len, NULL));
		if (mode == 1 || mode == 2) { /* the core cannot sign: 503 + Retry-After + systemFailure */
			CHECK(r.status == 503 && has_header(&r, "Retry-After: 7"));
			CHECK(rv.status == CCTSA_TSP_STATUS_REJECTION && rv.token.der == NULL);
			CHECK(rv.fail_bits[CCTSA_TSP_FAIL_SYSTEM_FAILURE / 8] == (0x80u >> (CCTSA_TSP_FAIL_SYSTEM_FAILURE % 8)));
		} else if (mode == 3) {
			CHECK(r.status == 200 && rv.status == CCTSA_TSP_STATUS_REJECTION);
			CHECK(rv.fail_bits[1] == (0x80u >> 6));
		} else {
			CHECK(r.status == 200 && r.body.len == 12);
			CHECK_MEMEQ(r.body.data + 7, BLOB, sizeof(BLOB));
		}
		cctsa_buf_free(&r.body);
	}
	CHECK(b->calls == 5);
	cctsa_buf_free(&q);
}

static void test_async_info(uint16_t port, abackend *b)
{
	http_reply r;

	b->info_ok = 1;
	http(&r, port, "GET", "/health", NULL, NULL, 0);
	CHECK(r.status == 200 && has_header(&r, "Content-Type: application/json"));
	body_has(&r, "\"status\":\"degraded\"");
	body_has(&r, "\"trihard_status\":\"ok\"");
	body_has(&r, "\"core_reachable\":true");
	body_has(&r, "\"threshold\":true");
	body_has(&r, "\"granted\":2");
	cctsa_buf_free(&r.body);
	http(&r, port, "GET", "/metrics", NULL, NULL, 0);
	CHECK(r.status == 200 && has_header(&r, "Content-Type: text/plain; version=0.0.4"));
	body_has(&r, "cctsa_gateway_granted_total 2\n");
	body_has(&r, "cctsa_gateway_unavailable_total 2\n");
	body_has(&r, "cctsa_gateway_rejections_total{failinfo=\"timeNotAvailable\"} 1\n");
	body_has(&r, "cctsa_gateway_rejections_total{failinfo=\"systemFailure\"} 2\n");
	body_has(&r, "cctsa_gateway_sign_latency_seconds_bucket{le=\"+Inf\"} 2\n");
	body_has(&r, "cctsa_gateway_sign_latency_seconds_count 2\n");
	body_has(&r, "cctsa_gateway_core_up 1\ncctsa_core_nodes_online 4\n");
	cctsa_buf_free(&r.body);
	http(&r, port, "GET", "/certs", NULL, NULL, 0);
	CHECK(r.status == 200 && has_header(&r, "Content-Type: application/pem-certificate-chain"));
	body_has(&r, "BEGIN CERTIFICATE");
	cctsa_buf_free(&r.body);
	http(&r, port, "GET", "/binding", NULL, NULL, 0);
	CHECK(r.status == 200 && has_header(&r, "Content-Type: application/json"));
	cctsa_buf_free(&r.body);
	http(&r, port, "POST", "/attestation", "application/json", NULL, 0);
	CHECK(r.status == 405);
	cctsa_buf_free(&r.body);
	b->raw_status = 1; /* reference fields derived from the core's status: 3 up = critical */
	http(&r, port, "GET", "/health", NULL, NULL, 0);
	CHECK(r.status == 200);
	body_has(&r, "\"status\":\"critical\"");
	body_has(&r, "\"node_id\":2");
	body_has(&r, "\"attested\":true");
	body_has(&r, "\"quorum_available\":true");
	body_has(&r, "\"time_synced\":true");
	body_has(&r, "\"trihard_status\":null");
	cctsa_buf_free(&r.body);
	b->raw_status = 0;
	b->info_ok = 0; /* the core does not answer */
	http(&r, port, "GET", "/health", NULL, NULL, 0);
	CHECK(r.status == 503 && has_header(&r, "Retry-After: 7"));
	body_has(&r, "\"status\":\"unavailable\"");
	body_has(&r, "\"core_reachable\":false");
	cctsa_buf_free(&r.body);
	http(&r, port, "GET", "/attestation", NULL, NULL, 0);
	CHECK(r.status == 503);
	cctsa_buf_free(&r.body);
	http(&r, port, "GET", "/metrics", NULL, NULL, 0);
	CHECK(r.status == 200);
	body_has(&r, "cctsa_gateway_core_up 0\n");
	cctsa_buf_free(&r.body);
}

/* Burst 3 at 0.01/s: the 4th request in a row is 429 with Retry-After, and never reaches the backend. */
static void test_rate_limit(uint16_t port, abackend *b)
{
	cctsa_buf q;
	http_reply r;
	int calls;

	b->mode = 0;
	calls = b->calls;
	make_req(&q, CCTSA_TSP_HASH_SHA256, NULL);
	for (int i = 0; i < 3; i++) {
		http(&r, port, "POST", "/", "application/timestamp-query", q.data, q.len);
		CHECK(r.status == 200);
		cctsa_buf_free(&r.body);
	}
	http(&r, port, "POST", "/", "application/timestamp-query", q.data, q.len);
	CHECK(r.status == 429 && has_header(&r, "Retry-After: 100"));
	cctsa_buf_free(&r.body);
	CHECK(b->calls == calls + 3);
	http(&r, port, "GET", "/health", NULL, NULL, 0); /* only time-stamp requests are limited */
	CHECK(r.status == 503);
	body_has(&r, "\"rate_limited\":1");
	cctsa_buf_free(&r.body);
	cctsa_buf_free(&q);
}

static void free_gw(evutil_socket_t fd, short what, void *arg);
typedef struct {
	uint16_t port;
	int status;
} qclient;

static void *queue_client(void *arg)
{
	qclient *qc = arg;
	cctsa_buf q;
	http_reply r;

	make_req(&q, CCTSA_TSP_HASH_SHA384, NULL);
	http(&r, qc->port, "POST", "/tsa", "application/timestamp-query", q.data, q.len);
	qc->status = r.status;
	cctsa_buf_free(&r.body);
	cctsa_buf_free(&q);
	return NULL;
}

/* max_inflight 1: four concurrent clients all get tokens, the backend never sees two at once. */
static void test_queue(uint16_t port, abackend *b)
{
	pthread_t th[4];
	qclient qc[4];

	b->mode = 4;
	b->max_outstanding = 0;
	for (int i = 0; i < 4; i++) {
		qc[i].port = port;
		qc[i].status = 0;
		CHECK(pthread_create(&th[i], NULL, queue_client, &qc[i]) == 0);
	}
	for (int i = 0; i < 4; i++) {
		CHECK(pthread_join(th[i], NULL) == 0);
		CHECK(qc[i].status == 200);
	}
	CHECK(b->max_outstanding == 1);
	b->mode = 0;
}

static void run_async(struct event_base *base)
{
	cctsa_gateway *gw, *lim, *qgw;
	cctsa_gateway_config cfg = {0};
	abackend b;

	memset(&b, 0, sizeof(b));
	b.base = base;
	cfg.address = "127.0.0.1";
	cfg.async.submit = a_submit;
	cfg.async.info = a_info;
	cfg.async.ctx = &b;
	cfg.backend = "core";
	cfg.node_id = 2;
	cfg.retry_after_s = 7;
	cfg.issue = test_issue; /* both backends: refused */
	CHECK_ERR(cctsa_gateway_new(&gw, base, &cfg, NULL), CCTSA_E_USAGE);
	cfg.issue = NULL;
	cfg.rate_per_s = 1;
	CHECK_ERR(cctsa_gateway_new(&gw, base, &cfg, NULL), CCTSA_E_USAGE); /* a rate needs a burst */
	cfg.rate_per_s = 0;
	CHECK_OK(cctsa_gateway_new(&gw, base, &cfg, NULL));
	cfg.rate_per_s = 0.01;
	cfg.burst = 3;
	CHECK_OK(cctsa_gateway_new(&lim, base, &cfg, NULL));
	cfg.rate_per_s = 0;
	cfg.max_inflight = 1;
	CHECK_OK(cctsa_gateway_new(&qgw, base, &cfg, NULL));
	test_async(cctsa_gateway_port(gw), &b);
	test_async_info(cctsa_gateway_port(gw), &b);
	test_rate_limit(cctsa_gateway_port(lim), &b);
	test_queue(cctsa_gateway_port(qgw), &b);
	/* freed while the event loop thread runs: hand both to it */
	CHECK(event_base_once(base, -1, EV_TIMEOUT, free_gw, gw, NULL) == 0);
	CHECK(event_base_once(base, -1, EV_TIMEOUT, free_gw, lim, NULL) == 0);
	CHECK(event_base_once(base, -1, EV_TIMEOUT, free_gw, qgw, NULL) == 0);
}

static void free_gw(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	cctsa_gateway_free(arg);
}

static void *loop(void *arg)
{
	event_base_dispatch(arg);
	return NULL;
}

int main(void)
{
	struct event_base *base;
	cctsa_gateway *gw;
	cctsa_gateway_config cfg = {0};
	cctsa_gateway_stats st;
	backend b;
	pthread_t th;
	uint16_t port;

	signal(SIGPIPE, SIG_IGN);
	CHECK(evthread_use_pthreads() == 0);
	base = event_base_new();
	CHECK(base != NULL);
	memset(&b, 0, sizeof(b));
	cfg.address = "127.0.0.1";
	cfg.port = 0;
	cfg.issue = test_issue;
	cfg.issue_ctx = &b;
	cfg.backend = "unit-test backend";
	CHECK_ERR(cctsa_gateway_new(&gw, base, &(cctsa_gateway_config){0}, NULL), CCTSA_E_USAGE);
	CHECK_OK(cctsa_gateway_new(&gw, base, &cfg, NULL));
	port = cctsa_gateway_port(gw);
	CHECK(port != 0);
	{
		cctsa_gateway *dup = NULL;
		cfg.port = port; /* the port is taken: bind fails */
		CHECK_ERR(cctsa_gateway_new(&dup, base, &cfg, NULL), CCTSA_E_IO);
		CHECK(dup == NULL);
	}
	CHECK(pthread_create(&th, NULL, loop, base) == 0);
	test_granted(port, &b);
	test_http_errors(port, &b);
	test_fail_info(port, &b);
	test_health(port);
	run_async(base);
	usleep(100000);
	cctsa_gateway_get_stats(gw, &st);
	CHECK(st.answers == 3 + 1 + 10 && st.http_errors >= 7 && st.system_failures == 1 && st.invalid == 8);
	event_base_loopbreak(base);
	CHECK(pthread_join(th, NULL) == 0);
	cctsa_gateway_free(gw);
	event_base_free(base);
	libevent_global_shutdown();
	printf("gateway_test: ok\n");
	return 0;
}
