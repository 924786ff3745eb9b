/* HTTP front (libevent evhttp): routing, HTTP-level checks, RFC 3161 wrapping,
 * rate limiting and the asynchronous backend hand-off. See gateway.h. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/ct.h"
#include "gateway/gw_int.h"

double gw_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void gw_reply_error(cctsa_gateway *g, struct evhttp_request *req, int code, const char *reason,
		    const char *allow)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *body = evbuffer_new();

	if (g != NULL) {
		g->stats.http_errors++;
	}
	if (allow != NULL) {
		evhttp_add_header(h, "Allow", allow);
	}
	evhttp_add_header(h, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (body != NULL) {
		evbuffer_add_printf(body, "%d %s\n", code, reason);
	}
	evhttp_send_reply(req, code, reason, body);
	if (body != NULL) {
		evbuffer_free(body);
	}
}

static const char *reason_of(int code)
{
	switch (code) {
	case 200: return "OK";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

void gw_reply_bytes(struct evhttp_request *req, int code, const char *ctype, const uint8_t *p, size_t n,
		    const char *retry_after)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *body = evbuffer_new();

	if (body == NULL || evbuffer_add(body, p, n) != 0) {
		if (body != NULL) {
			evbuffer_free(body);
		}
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evhttp_add_header(h, "Content-Type", ctype);
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (retry_after != NULL) {
		evhttp_add_header(h, "Retry-After", retry_after);
	}
	evhttp_send_reply(req, code, reason_of(code), body);
	evbuffer_free(body);
}

const char *gw_peer(struct evhttp_request *req)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (c != NULL) {
		evhttp_connection_get_peer(c, &addr, &port);
	}
	return addr != NULL ? addr : "?";
}

gw_pending *gw_pending_new(cctsa_gateway *g, struct evhttp_request *req, int what)
{
	gw_pending *p = cctsa_mem_alloc(sizeof(*p));

	if (p == NULL) {
		return NULL;
	}
	p->g = g;
	p->req = req;
	p->what = what;
	p->t0 = gw_now();
	p->head_only = evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
	p->next = g->pending;
	if (g->pending != NULL) {
		g->pending->prev = p;
	}
	g->pending = p;
	g->m.inflight++;
	return p;
}

cctsa_gateway *gw_pending_done(gw_pending *p)
{
	cctsa_gateway *g = p->g;

	if (g != NULL) {
		if (p->prev != NULL) {
			p->prev->next = p->next;
		} else {
			g->pending = p->next;
		}
		if (p->next != NULL) {
			p->next->prev = p->prev;
		}
		g->m.inflight--;
	}
	cctsa_mem_free(p);
	return g;
}

/* Content-Type must be application/timestamp-query (case-insensitive, parameters ignored). */
static int content_type_ok(struct evhttp_request *req)
{
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	size_t n = strlen(GW_CT_QUERY);

	if (ct == NULL) {
		return 0;
	}
	while (*ct == ' ' || *ct == '\t') {
		ct++;
	}
	if (strncasecmp(ct, GW_CT_QUERY, n) != 0) {
		return 0;
	}
	ct += n;
	while (*ct == ' ' || *ct == '\t') {
		ct++;
	}
	return *ct == '\0' || *ct == ';';
}

static void count_rejection(cctsa_gateway *g, unsigned fail_bit)
{
	if (fail_bit < 32) {
		g->m.by_fail_bit[fail_bit]++;
	} else {
		g->m.rejected_other++;
	}
}

/* Sends a TimeStampResp (HTTP 200) or, for 503, the systemFailure answer with Retry-After. */
static void send_resp(cctsa_gateway *g, struct evhttp_request *req, const cctsa_buf *resp, int unavailable)
{
	char ra[16];

	if (unavailable) {
		snprintf(ra, sizeof(ra), "%u", g->retry_after_s);
	}
	g->stats.answers++;
	gw_reply_bytes(req, unavailable ? 503 : 200, GW_CT_REPLY, resp->data, resp->len,
		       unavailable ? ra : NULL);
}

static void reply_rejection(cctsa_gateway *g, struct evhttp_request *req, unsigned bit, const char *text,
			    int unavailable)
{
	cctsa_buf resp;

	cctsa_buf_init(&resp, 1u << 16);
	count_rejection(g, bit);
	if (cctsa_tsp_resp_rejection(&resp, bit, text) != CCTSA_OK) {
		gw_reply_error(g, req, 500, "Internal Server Error", NULL);
	} else {
		send_resp(g, req, &resp, unavailable);
	}
	cctsa_buf_free(&resp);
}

static void issued_reply(cctsa_gateway *g, struct evhttp_request *req, double t0, const cctsa_gateway_result *r);
static void pump(cctsa_gateway *g);

/* The backend's answer for one pending request. */
static void on_issued(void *cookie, const cctsa_gateway_result *r)
{
	gw_pending *p = cookie;
	struct evhttp_request *req = p->req;
	double t0 = p->t0;
	cctsa_gateway *g = gw_pending_done(p);

	if (g == NULL) {
		return; /* the gateway was freed (and with it the connection) */
	}
	g->ts_inflight--;
	issued_reply(g, req, t0, r);
	pump(g);
}

static void issued_reply(cctsa_gateway *g, struct evhttp_request *req, double t0, const cctsa_gateway_result *r)
{
	cctsa_buf resp;
	cctsa_err err = CCTSA_OK;

	if (r->kind == CCTSA_GATEWAY_RES_UNAVAILABLE ||
	    (r->kind == CCTSA_GATEWAY_RES_REJECT && r->fail_bit == CCTSA_TSP_FAIL_SYSTEM_FAILURE)) {
		g->stats.unavailable++;
		g->stats.system_failures++;
		cctsa_log_warn("backend cannot sign: %s", r->text != NULL ? r->text : "unavailable");
		reply_rejection(g, req, CCTSA_TSP_FAIL_SYSTEM_FAILURE,
				"the time-stamping service is unavailable", 1);
		return;
	}
	if (r->kind == CCTSA_GATEWAY_RES_REJECT) {
		reply_rejection(g, req, r->fail_bit, r->text, 0);
		return;
	}
	cctsa_buf_init(&resp, 1u << 20);
	if (r->kind == CCTSA_GATEWAY_RES_TOKEN) {
		err = cctsa_tsp_resp_granted(&resp, r->der, r->der_len);
	} else {
		err = cctsa_buf_put(&resp, r->der, r->der_len);
	}
	if (err != CCTSA_OK) {
		cctsa_buf_free(&resp);
		gw_reply_error(g, req, 500, "Internal Server Error", NULL);
		return;
	}
	g->stats.granted++;
	gw_metrics_latency(&g->m, gw_now() - t0);
	send_resp(g, req, &resp, 0);
	cctsa_buf_free(&resp);
}

/* Test mode: the synchronous file-key backend. */
static void issue_sync(cctsa_gateway *g, struct evhttp_request *req, const cctsa_tsp_req *tr, int pq)
{
	cctsa_buf resp;
	cctsa_diag diag;
	double t0 = gw_now();

	cctsa_diag_reset(&diag);
	cctsa_buf_init(&resp, 1u << 20);
	g->m.backend_calls++;
	if (g->issue(g->issue_ctx, &resp, tr, pq, &diag) != CCTSA_OK) {
		g->stats.system_failures++;
		cctsa_log_err("backend failed: %s", cctsa_diag_str(&diag, CCTSA_E_INTERNAL));
		cctsa_buf_free(&resp);
		reply_rejection(g, req, CCTSA_TSP_FAIL_SYSTEM_FAILURE,
				"the time-stamping service is unavailable", 0);
		return;
	}
	g->stats.granted++;
	gw_metrics_latency(&g->m, gw_now() - t0);
	send_resp(g, req, &resp, 0);
	cctsa_buf_free(&resp);
}

static void submit(cctsa_gateway *g, gw_pending *p);

/* Validation, then the backend. */
static void answer_tsq(cctsa_gateway *g, struct evhttp_request *req, const uint8_t *der, size_t len, int pq)
{
	cctsa_tsp_req tr;
	cctsa_diag diag;
	unsigned fail_bit = CCTSA_TSP_FAIL_SYSTEM_FAILURE;
	cctsa_err err;
	gw_pending *p;

	cctsa_diag_reset(&diag);
	err = cctsa_tsp_req_parse(&tr, &fail_bit, der, len, &diag);
	if (err != CCTSA_OK) {
		g->stats.invalid++;
		cctsa_log_info("rejected request from %s (failInfo bit %u): %s", gw_peer(req), fail_bit,
			       cctsa_diag_str(&diag, err));
		reply_rejection(g, req, fail_bit, cctsa_diag_str(&diag, err), 0);
		return;
	}
	/* /tsa/pq serves the post-quantum policy only: another reqPolicy there is refused */
	if (!cctsa_tsp_policy_ok(tr.policy, tr.policy_len) ||
	    (pq && tr.policy_len != 0 &&
	     (tr.policy_len != CCTSA_TSP_OID_PROJECT_LEN ||
	      cctsa_memcmp_var(tr.policy, CCTSA_TSP_OID_POLICY_PQ, tr.policy_len) != 0))) {
		g->stats.invalid++;
		reply_rejection(g, req, CCTSA_TSP_FAIL_UNACCEPTED_POLICY, "requested policy is not offered here", 0);
		return;
	}
	if (g->async.submit == NULL) {
		issue_sync(g, req, &tr, pq);
		return;
	}
	p = gw_pending_new(g, req, 0);
	if (p == NULL) {
		gw_reply_error(g, req, 500, "Internal Server Error", NULL);
		return;
	}
	p->tr = tr;
	p->pq = pq;
	if (g->max_inflight != 0 && (g->ts_inflight >= g->max_inflight || g->qhead != NULL)) {
		if (g->queue_len >= g->queue_max) {
			gw_pending_done(p);
			g->stats.unavailable++;
			reply_rejection(g, req, CCTSA_TSP_FAIL_SYSTEM_FAILURE, "the time-stamping service is busy", 1);
			return;
		}
		p->queued = 1;
		if (g->qtail != NULL) {
			g->qtail->qnext = p;
		} else {
			g->qhead = p;
		}
		g->qtail = p;
		g->queue_len++;
		return;
	}
	submit(g, p);
}

static void submit(cctsa_gateway *g, gw_pending *p)
{
	g->m.backend_calls++;
	g->ts_inflight++;
	g->async.submit(g->async.ctx, &p->tr, p->pq, on_issued, p);
}

/* Hands queued requests to the backend while slots are open (no recursion: a
 * backend answering synchronously re-enters here and returns at once). */
static void pump(cctsa_gateway *g)
{
	if (g->pumping) {
		return;
	}
	g->pumping = 1;
	while (g->qhead != NULL && (g->max_inflight == 0 || g->ts_inflight < g->max_inflight)) {
		gw_pending *p = g->qhead;

		g->qhead = p->qnext;
		if (g->qhead == NULL) {
			g->qtail = NULL;
		}
		g->queue_len--;
		p->queued = 0;
		p->qnext = NULL;
		submit(g, p);
	}
	g->pumping = 0;
}

static void handle_tsa(cctsa_gateway *g, struct evhttp_request *req, int pq)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const uint8_t *der;
	unsigned retry = 0;
	char ra[16];

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		gw_reply_error(g, req, 405, "Method Not Allowed", "POST");
		return;
	}
	if (!content_type_ok(req)) {
		gw_reply_error(g, req, 415, "Unsupported Media Type", NULL);
		return;
	}
	if (len > CCTSA_TSP_REQ_MAX) { /* evhttp enforces this too (max body size) */
		gw_reply_error(g, req, 413, "Payload Too Large", NULL);
		return;
	}
	if (!gw_limit_take(&g->lim, gw_peer(req), gw_now(), &retry)) {
		g->stats.rate_limited++;
		snprintf(ra, sizeof(ra), "%u", retry);
		gw_reply_bytes(req, 429, "text/plain; charset=utf-8", (const uint8_t *)"429 Too Many Requests\n",
			       22, ra);
		return;
	}
	der = evbuffer_pullup(in, -1);
	if (der == NULL && len != 0) {
		gw_reply_error(g, req, 500, "Internal Server Error", NULL);
		return;
	}
	answer_tsq(g, req, der, len, pq);
}

static void route(struct evhttp_request *req, void *arg)
{
	static const struct {
		const char *path;
		int what;
	} infos[] = {{"/health", CCTSA_GATEWAY_INFO_HEALTH},
		     {"/metrics", CCTSA_GATEWAY_INFO_METRICS},
		     {"/attestation", CCTSA_GATEWAY_INFO_ATTESTATION},
		     {"/binding", CCTSA_GATEWAY_INFO_BINDING},
		     {"/certs", CCTSA_GATEWAY_INFO_CERTS}};
	cctsa_gateway *g = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;

	if (path == NULL) {
		gw_reply_error(g, req, 400, "Bad Request", NULL);
		return;
	}
	if (strcmp(path, "/") == 0 || strcmp(path, "/tsa") == 0) {
		handle_tsa(g, req, 0);
		return;
	}
	if (strcmp(path, "/tsa/pq") == 0) {
		handle_tsa(g, req, 1);
		return;
	}
	for (size_t i = 0; i < sizeof(infos) / sizeof(infos[0]); i++) {
		if (strcmp(path, infos[i].path) == 0) {
			gw_handle_info(g, req, infos[i].what);
			return;
		}
	}
	gw_reply_error(g, req, 404, "Not Found", NULL);
}

static uint16_t bound_port(struct evhttp_bound_socket *s)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	evutil_socket_t fd = evhttp_bound_socket_get_fd(s);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		return 0;
	}
	if (ss.ss_family == AF_INET) {
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	if (ss.ss_family == AF_INET6) {
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return 0;
}

void gw_http_setup(struct evhttp *h, cctsa_gateway *g, int timeout_s,
		   void (*cb)(struct evhttp_request *, void *))
{
	/* Every method reaches route(), which answers 405 itself (libevent would say 501). */
	evhttp_set_allowed_methods(h, 0xffff);
	evhttp_set_max_body_size(h, CCTSA_TSP_REQ_MAX);
	evhttp_set_max_headers_size(h, 16384);
	evhttp_set_timeout(h, timeout_s > 0 ? timeout_s : 10);
	evhttp_set_gencb(h, cb, g);
}

static cctsa_err check_config(const cctsa_gateway_config *cfg, cctsa_diag *diag)
{
	if (cfg == NULL || cfg->address == NULL || (cfg->issue == NULL) == (cfg->async.submit == NULL)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "gateway: address and exactly one backend required");
	}
	if (cfg->rate_per_s < 0 || (cfg->rate_per_s > 0 && cfg->burst == 0)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "gateway: rate limit needs a rate >= 0 and a burst >= 1");
	}
	return CCTSA_OK;
}

cctsa_err cctsa_gateway_new(cctsa_gateway **out, struct event_base *base,
			    const cctsa_gateway_config *cfg, cctsa_diag *diag)
{
	cctsa_gateway *g = NULL;
	cctsa_err err = CCTSA_OK;

	*out = NULL;
	CCTSA_TRY(check_config(cfg, diag));
	CCTSA_ENSURE(base != NULL, CCTSA_E_USAGE);
	g = cctsa_mem_alloc(sizeof(*g));
	CCTSA_ENSURE(g != NULL, CCTSA_E_RESOURCE);
	g->base = base;
	g->issue = cfg->issue;
	g->issue_ctx = cfg->issue_ctx;
	g->async = cfg->async;
	g->node_id = cfg->node_id;
	g->retry_after_s = cfg->retry_after_s != 0 ? cfg->retry_after_s : 5;
	g->max_inflight = cfg->max_inflight;
	g->queue_max = cfg->queue_max != 0 ? cfg->queue_max : 1024;
	g->started = gw_now();
	g->backend = cctsa_mem_strdup(cfg->backend != NULL ? cfg->backend : "unspecified");
	g->http = evhttp_new(base);
	CCTSA_ENSURE(g->backend != NULL && g->http != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(gw_limit_init(&g->lim, cfg->rate_per_s, cfg->burst));
	gw_http_setup(g->http, g, cfg->timeout_s, route);
	g->sock = evhttp_bind_socket_with_handle(g->http, cfg->address, cfg->port);
	if (g->sock == NULL) {
		err = cctsa_fail(diag, CCTSA_E_IO, "gateway: cannot bind %s:%u", cfg->address,
				 (unsigned)cfg->port);
		goto out;
	}
	g->port = bound_port(g->sock);
	if (cfg->tls_cert != NULL) {
		CCTSA_TRY(gw_tls_setup(g, cfg, route, diag));
		g->tls_port = bound_port(g->tls_sock);
	}
	*out = g;
	g = NULL;
out:
	cctsa_gateway_free(g);
	return err;
}

uint16_t cctsa_gateway_port(const cctsa_gateway *g)
{
	return g->port;
}

uint16_t cctsa_gateway_tls_port(const cctsa_gateway *g)
{
	return g->tls_port;
}

void cctsa_gateway_get_stats(const cctsa_gateway *g, cctsa_gateway_stats *out)
{
	*out = g->stats;
}

void cctsa_gateway_free(cctsa_gateway *g)
{
	if (g == NULL) {
		return;
	}
	/* Queued requests never reached the backend: drop them. Requests at the backend:
	 * it will call back later (orphans); their connections go with evhttp_free. */
	while (g->qhead != NULL) {
		gw_pending *p = g->qhead;

		g->qhead = p->qnext;
		gw_pending_done(p);
	}
	for (gw_pending *p = g->pending; p != NULL; p = p->next) {
		p->g = NULL;
	}
	if (g->http != NULL) {
		evhttp_free(g->http);
	}
	gw_tls_free(g);
	gw_limit_free(&g->lim);
	cctsa_mem_free(g->backend);
	cctsa_mem_free(g);
}
