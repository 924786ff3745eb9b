/* HTTP front (libevent evhttp): routing, HTTP-level checks, RFC 3161 wrapping. See gateway.h. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/ct.h"
#include "cctsa/gateway.h"

struct cctsa_gateway {
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	uint16_t port;
	cctsa_gateway_issue_fn issue;
	void *issue_ctx;
	char *backend;
	cctsa_gateway_stats stats;
};

#define CT_QUERY "application/timestamp-query"
#define CT_REPLY "application/timestamp-reply"

static void reply_error(cctsa_gateway *g, struct evhttp_request *req, int code, const char *reason,
			const char *allow)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *body = evbuffer_new();

	g->stats.http_errors++;
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

static void reply_bytes(struct evhttp_request *req, int code, const char *ctype, const uint8_t *p,
			size_t n)
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
	evhttp_send_reply(req, code, "OK", body);
	evbuffer_free(body);
}

/* Content-Type must be application/timestamp-query (case-insensitive, parameters ignored). */
static int content_type_ok(struct evhttp_request *req)
{
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	size_t n = strlen(CT_QUERY);

	if (ct == NULL) {
		return 0;
	}
	while (*ct == ' ' || *ct == '\t') {
		ct++;
	}
	if (strncasecmp(ct, CT_QUERY, n) != 0) {
		return 0;
	}
	ct += n;
	while (*ct == ' ' || *ct == '\t') {
		ct++;
	}
	return *ct == '\0' || *ct == ';';
}

/* Validation + backend: always produces a TimeStampResp (or fails only on memory). */
static cctsa_err answer_tsq(cctsa_gateway *g, cctsa_buf *resp, const uint8_t *der, size_t len,
			    int pq)
{
	cctsa_tsp_req tr;
	cctsa_diag diag;
	unsigned fail_bit = CCTSA_TSP_FAIL_SYSTEM_FAILURE;
	cctsa_err err;

	cctsa_diag_reset(&diag);
	err = cctsa_tsp_req_parse(&tr, &fail_bit, der, len, &diag);
	if (err != CCTSA_OK) {
		g->stats.invalid++;
		cctsa_log_info("rejected request (failInfo bit %u): %s", fail_bit,
			       cctsa_diag_str(&diag, err));
		return cctsa_tsp_resp_rejection(resp, fail_bit, cctsa_diag_str(&diag, err));
	}
	/* /tsa/pq serves the post-quantum policy only: another reqPolicy there is refused */
	if (!cctsa_tsp_policy_ok(tr.policy, tr.policy_len) ||
	    (pq && tr.policy_len != 0 &&
	     (tr.policy_len != CCTSA_TSP_OID_PROJECT_LEN ||
	      cctsa_memcmp_var(tr.policy, CCTSA_TSP_OID_POLICY_PQ, tr.policy_len) != 0))) {
		g->stats.invalid++;
		return cctsa_tsp_resp_rejection(resp, CCTSA_TSP_FAIL_UNACCEPTED_POLICY,
						"requested policy is not offered here");
	}
	cctsa_diag_reset(&diag);
	err = g->issue(g->issue_ctx, resp, &tr, pq, &diag);
	if (err != CCTSA_OK) {
		g->stats.system_failures++;
		cctsa_log_err("backend failed: %s", cctsa_diag_str(&diag, err));
		cctsa_buf_free(resp); /* drop whatever the backend left */
		cctsa_buf_init(resp, 1u << 20);
		return cctsa_tsp_resp_rejection(resp, CCTSA_TSP_FAIL_SYSTEM_FAILURE,
						"the time-stamping service is unavailable");
	}
	return CCTSA_OK;
}

static void handle_tsa(cctsa_gateway *g, struct evhttp_request *req, int pq)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const uint8_t *der;
	cctsa_buf resp;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		reply_error(g, req, 405, "Method Not Allowed", "POST");
		return;
	}
	if (!content_type_ok(req)) {
		reply_error(g, req, 415, "Unsupported Media Type", NULL);
		return;
	}
	if (len > CCTSA_TSP_REQ_MAX) { /* evhttp enforces this too (max body size) */
		reply_error(g, req, 413, "Payload Too Large", NULL);
		return;
	}
	der = evbuffer_pullup(in, -1);
	if (der == NULL && len != 0) {
		reply_error(g, req, 500, "Internal Server Error", NULL);
		return;
	}
	cctsa_buf_init(&resp, 1u << 20);
	if (answer_tsq(g, &resp, der, len, pq) != CCTSA_OK) {
		cctsa_buf_free(&resp);
		reply_error(g, req, 500, "Internal Server Error", NULL);
		return;
	}
	g->stats.answers++;
	reply_bytes(req, 200, CT_REPLY, resp.data, resp.len);
	cctsa_buf_free(&resp);
}

/* /health: says honestly what this gateway is backed by. */
static void handle_health(cctsa_gateway *g, struct evhttp_request *req)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	json_t *doc;
	char text[512];
	size_t n = 0;

	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		reply_error(g, req, 405, "Method Not Allowed", "GET, HEAD");
		return;
	}
	doc = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I}", "service", "cctsa-gateway", "backend",
			g->backend, "threshold", 0, "answers", (json_int_t)g->stats.answers,
			"invalid_requests", (json_int_t)g->stats.invalid, "system_failures",
			(json_int_t)g->stats.system_failures);
	if (doc != NULL) {
		n = json_dumpb(doc, text, sizeof(text), JSON_COMPACT);
		json_decref(doc);
	}
	if (n == 0 || n > sizeof(text)) {
		reply_error(g, req, 500, "Internal Server Error", NULL);
		return;
	}
	reply_bytes(req, 200, "application/json", (const uint8_t *)text, n);
}

static void route(struct evhttp_request *req, void *arg)
{
	cctsa_gateway *g = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;

	if (path == NULL) {
		reply_error(g, req, 400, "Bad Request", NULL);
	} else if (strcmp(path, "/") == 0 || strcmp(path, "/tsa") == 0) {
		handle_tsa(g, req, 0);
	} else if (strcmp(path, "/tsa/pq") == 0) {
		handle_tsa(g, req, 1);
	} else if (strcmp(path, "/health") == 0) {
		handle_health(g, req);
	} else {
		reply_error(g, req, 404, "Not Found", NULL);
	}
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

cctsa_err cctsa_gateway_new(cctsa_gateway **out, struct event_base *base,
			    const cctsa_gateway_config *cfg, cctsa_diag *diag)
{
	cctsa_gateway *g = NULL;
	cctsa_err err = CCTSA_OK;

	*out = NULL;
	if (base == NULL || cfg == NULL || cfg->issue == NULL || cfg->address == NULL) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "gateway: base, address and backend required");
	}
	g = cctsa_mem_alloc(sizeof(*g));
	CCTSA_ENSURE(g != NULL, CCTSA_E_RESOURCE);
	g->issue = cfg->issue;
	g->issue_ctx = cfg->issue_ctx;
	g->backend = cctsa_mem_strdup(cfg->backend != NULL ? cfg->backend : "unspecified");
	g->http = evhttp_new(base);
	CCTSA_ENSURE(g->backend != NULL && g->http != NULL, CCTSA_E_RESOURCE);
	/* Every method reaches route(), which answers 405 itself (libevent would say 501). */
	evhttp_set_allowed_methods(g->http, 0xffff);
	evhttp_set_max_body_size(g->http, CCTSA_TSP_REQ_MAX);
	evhttp_set_max_headers_size(g->http, 16384);
	evhttp_set_timeout(g->http, cfg->timeout_s > 0 ? cfg->timeout_s : 10);
	evhttp_set_gencb(g->http, route, g);
	g->sock = evhttp_bind_socket_with_handle(g->http, cfg->address, cfg->port);
	if (g->sock == NULL) {
		err = cctsa_fail(diag, CCTSA_E_IO, "gateway: cannot bind %s:%u", cfg->address,
				 (unsigned)cfg->port);
		goto out;
	}
	g->port = bound_port(g->sock);
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

void cctsa_gateway_get_stats(const cctsa_gateway *g, cctsa_gateway_stats *out)
{
	*out = g->stats;
}

void cctsa_gateway_free(cctsa_gateway *g)
{
	if (g == NULL) {
		return;
	}
	if (g->http != NULL) {
		evhttp_free(g->http);
	}
	cctsa_mem_free(g->backend);
	cctsa_mem_free(g);
}
