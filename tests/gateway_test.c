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
