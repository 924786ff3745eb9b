/* GET /health, /metrics, /attestation, /binding, /certs (gw_int.h, gateway.h). */
#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "gateway/gw_int.h"

/* A failed put marks the buffer failed (checked once before sending). */
#define PUT(...) ((void)(cctsa_buf_printf(__VA_ARGS__) == CCTSA_OK))
#define PUTB(b, p, n) ((void)(cctsa_buf_put((b), (p), (n)) == CCTSA_OK))

const double gw_lat_bounds[GW_LAT_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
					      0.5,   1,    2.5,   5,    10,  30};

/* failInfo bit names (RFC 3161 §2.4.2, PKIFailureInfo). */
static const char *fail_name(unsigned bit)
{
	switch (bit) {
	case 0: return "badAlg";
	case 2: return "badRequest";
	case 5: return "badDataFormat";
	case 14: return "timeNotAvailable";
	case 15: return "unacceptedPolicy";
	case 16: return "unacceptedExtension";
	case 17: return "addInfoNotAvailable";
	case 25: return "systemFailure";
	default: return NULL;
	}
}

void gw_metrics_latency(gw_metrics *m, double s)
{
	unsigned i = 0;

	while (i < GW_LAT_BUCKETS && s > gw_lat_bounds[i]) {
		i++;
	}
	m->lat_count[i]++;
	m->lat_sum += s;
	m->lat_n++;
}

static void put_counter(cctsa_buf *b, const char *name, const char *help, uint64_t v)
{
	PUT(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
			       (unsigned long long)v);
}

/* The gateway's own series (Prometheus text exposition format 0.0.4). */
static void gateway_metrics(const cctsa_gateway *g, cctsa_buf *b)
{
	const gw_metrics *m = &g->m;
	uint64_t cum = 0;

	put_counter(b, "cctsa_gateway_answers_total", "RFC 3161 answers sent", g->stats.answers);
	put_counter(b, "cctsa_gateway_granted_total", "time-stamp tokens sent", g->stats.granted);
	put_counter(b, "cctsa_gateway_invalid_requests_total", "requests rejected by validation",
		    g->stats.invalid);
	put_counter(b, "cctsa_gateway_unavailable_total", "HTTP 503 answers (the core could not sign)",
		    g->stats.unavailable);
	put_counter(b, "cctsa_gateway_rate_limited_total", "HTTP 429 answers", g->stats.rate_limited);
	put_counter(b, "cctsa_gateway_http_errors_total", "other HTTP 4xx/5xx answers", g->stats.http_errors);
	PUT(b, "# HELP cctsa_gateway_rejections_total rejections by failInfo\n"
				  "# TYPE cctsa_gateway_rejections_total counter\n");
	for (unsigned i = 0; i < 32; i++) {
		if (fail_name(i) != NULL) {
			PUT(b, "cctsa_gateway_rejections_total{failinfo=\"%s\"} %llu\n",
					       fail_name(i), (unsigned long long)m->by_fail_bit[i]);
		}
	}
	PUT(b, "# HELP cctsa_gateway_sign_latency_seconds request to token, at the gateway\n"
				  "# TYPE cctsa_gateway_sign_latency_seconds histogram\n");
	for (unsigned i = 0; i <= GW_LAT_BUCKETS; i++) {
		cum += m->lat_count[i];
		if (i < GW_LAT_BUCKETS) {
			PUT(b, "cctsa_gateway_sign_latency_seconds_bucket{le=\"%g\"} %llu\n",
					       gw_lat_bounds[i], (unsigned long long)cum);
		} else {
			PUT(b, "cctsa_gateway_sign_latency_seconds_bucket{le=\"+Inf\"} %llu\n",
					       (unsigned long long)cum);
		}
	}
	PUT(b, "cctsa_gateway_sign_latency_seconds_sum %.6f\n"
				  "cctsa_gateway_sign_latency_seconds_count %llu\n"
				  "# TYPE cctsa_gateway_inflight gauge\ncctsa_gateway_inflight %llu\n"
				  "# TYPE cctsa_gateway_queue_depth gauge\ncctsa_gateway_queue_depth %u\n"
				  "# TYPE cctsa_gateway_uptime_seconds gauge\ncctsa_gateway_uptime_seconds %.0f\n",
			       m->lat_sum, (unsigned long long)m->lat_n, (unsigned long long)m->inflight, g->queue_len,
			       gw_now() - g->started);
}

/* The gateway's part of /health. */
static json_t *gateway_health(const cctsa_gateway *g)
{
	return json_pack("{s:s, s:s, s:b, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "service", "cctsa-gateway",
			 "backend", g->backend, "threshold", g->async.submit != NULL, "gateway_node_id",
			 g->node_id, "gateway_uptime_seconds", (json_int_t)(gw_now() - g->started), "answers",
			 (json_int_t)g->stats.answers, "granted", (json_int_t)g->stats.granted,
			 "invalid_requests", (json_int_t)g->stats.invalid, "system_failures",
			 (json_int_t)g->stats.system_failures, "unavailable", (json_int_t)g->stats.unavailable,
			 "rate_limited", (json_int_t)g->stats.rate_limited);
}

static void reply_json(cctsa_gateway *g, struct evhttp_request *req, json_t *doc, int code)
{
	size_t n = doc != NULL ? json_dumpb(doc, NULL, 0, JSON_COMPACT) : 0;
	char *text = n != 0 ? cctsa_mem_alloc(n) : NULL;
	char ra[16];

	if (text == NULL || json_dumpb(doc, text, n, JSON_COMPACT) != n) {
		gw_reply_error(g, req, 500, "Internal Server Error", NULL);
	} else {
		snprintf(ra, sizeof(ra), "%u", g->retry_after_s);
		gw_reply_bytes(req, code, "application/json", (const uint8_t *)text, n, code == 503 ? ra : NULL);
	}
	cctsa_mem_free(text);
	json_decref(doc);
}

static void set_missing(json_t *doc, const char *key, json_t *v)
{
	if (json_object_get(doc, key) == NULL) {
		json_object_set_new(doc, key, v);
	} else {
		json_decref(v);
	}
}

/*
 * The reference design's health fields, derived from the core's status where the
 * core does not give them itself: status from state (active: healthy; degraded:
 * degraded, or critical when only the threshold of nodes is up; anything else:
 * unavailable), node_id, attested (past the attesting state), quorum_available.
 * Fields the core does not report stay null (never guessed).
 */
static void health_normalize(json_t *doc)
{
	static const char *const attested_states[] = {"synchronizing", "waiting-for-dkg", "dkg",
						      "awaiting-certificates", "active", "degraded"};
	const char *state = json_string_value(json_object_get(doc, "state"));
	json_t *node = json_object_get(doc, "node");
	size_t up = json_array_size(json_object_get(doc, "peers_attested")) + 1;
	const char *st = "unavailable";
	int att = 0;

	if (state != NULL && strcmp(state, "active") == 0) {
		st = "healthy";
	} else if (state != NULL && strcmp(state, "degraded") == 0) {
		st = up <= 3 ? "critical" : "degraded"; /* 3 = the cluster's threshold (DESIGN.md) */
	}
	for (size_t i = 0; state != NULL && i < sizeof(attested_states) / sizeof(attested_states[0]); i++) {
		att |= strcmp(state, attested_states[i]) == 0;
	}
	set_missing(doc, "status", json_string(st));
	set_missing(doc, "node_id", node != NULL ? json_incref(node) : json_null());
	set_missing(doc, "attested", json_boolean(att));
	set_missing(doc, "quorum_available", json_boolean(strcmp(st, "unavailable") != 0));
	set_missing(doc, "time_synced", json_null());
	set_missing(doc, "nts_sources_reachable", json_null());
	set_missing(doc, "trihard_status", json_null());
	set_missing(doc, "uptime_seconds", json_null());
}

/* /health: the core's health document (authoritative fields) plus the gateway's counters. */
static void health_done(cctsa_gateway *g, struct evhttp_request *req, int ok, const uint8_t *body, size_t n)
{
	json_t *doc = NULL, *gw = gateway_health(g);
	const char *st;
	int code = 200;

	if (g->async.submit == NULL) { /* test mode */
		doc = json_pack("{s:s, s:i, s:b}", "status", "test-mode", "node_id", g->node_id, "core_reachable", 0);
	} else if (ok) {
		doc = json_loadb((const char *)body, n, 0, NULL);
		if (doc != NULL && !json_is_object(doc)) {
			json_decref(doc);
			doc = NULL;
		}
	}
	if (doc == NULL) {
		doc = json_pack("{s:s, s:i, s:b, s:b, s:b, s:b}", "status", "unavailable", "node_id", g->node_id,
				"core_reachable", 0, "attested", 0, "time_synced", 0, "quorum_available", 0);
	} else if (g->async.submit != NULL) {
		health_normalize(doc);
		json_object_set_new(doc, "core_reachable", json_true());
	}
	if (doc == NULL || gw == NULL || json_object_update_missing(doc, gw) != 0) {
		json_decref(gw);
		json_decref(doc);
		gw_reply_error(g, req, 500, "Internal Server Error", NULL);
		return;
	}
	json_decref(gw);
	st = json_string_value(json_object_get(doc, "status"));
	if (st == NULL || strcmp(st, "unavailable") == 0) {
		code = 503;
	}
	reply_json(g, req, doc, code);
}

static void metrics_done(cctsa_gateway *g, struct evhttp_request *req, int ok, const uint8_t *body, size_t n)
{
	cctsa_buf b;

	cctsa_buf_init(&b, 4u << 20);
	gateway_metrics(g, &b);
	if (g->async.submit != NULL) {
		PUT(&b,
				       "# HELP cctsa_gateway_core_up the local core answered\n"
				       "# TYPE cctsa_gateway_core_up gauge\ncctsa_gateway_core_up %d\n", ok);
		if (ok) {
			PUTB(&b, body, n);
		}
	}
	if (b.failed) {
		gw_reply_error(g, req, 500, "Internal Server Error", NULL);
	} else {
		gw_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len, NULL);
	}
	cctsa_buf_free(&b);
}

static void relay_done(cctsa_gateway *g, struct evhttp_request *req, int what, int ok, const uint8_t *body,
		       size_t n)
{
	char ra[16];

	if (!ok) {
		snprintf(ra, sizeof(ra), "%u", g->retry_after_s);
		gw_reply_bytes(req, 503, "text/plain; charset=utf-8",
			       (const uint8_t *)"503 not available from the core\n", 32, ra);
		return;
	}
	gw_reply_bytes(req, 200, what == CCTSA_GATEWAY_INFO_CERTS ? "application/pem-certificate-chain"
								  : "application/json",
		       body, n, NULL);
}

static void dispatch(cctsa_gateway *g, struct evhttp_request *req, int what, int ok, const uint8_t *body,
		     size_t n)
{
	if (what == CCTSA_GATEWAY_INFO_HEALTH) {
		health_done(g, req, ok, body, n);
	} else if (what == CCTSA_GATEWAY_INFO_METRICS) {
		metrics_done(g, req, ok, body, n);
	} else {
		relay_done(g, req, what, ok, body, n);
	}
}

static void on_info(void *cookie, int ok, const uint8_t *body, size_t n)
{
	gw_pending *p = cookie;
	struct evhttp_request *req = p->req;
	int what = p->what;
	cctsa_gateway *g = gw_pending_done(p);

	if (g != NULL) {
		dispatch(g, req, what, ok, body, n);
	}
}

void gw_handle_info(cctsa_gateway *g, struct evhttp_request *req, int what)
{
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	gw_pending *p;

	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		gw_reply_error(g, req, 405, "Method Not Allowed", "GET, HEAD");
		return;
	}
	if (g->async.info == NULL) {
		if (what == CCTSA_GATEWAY_INFO_HEALTH || what == CCTSA_GATEWAY_INFO_METRICS) {
			dispatch(g, req, what, 0, NULL, 0);
		} else {
			gw_reply_error(g, req, 404, "Not Found (no core behind this gateway)", NULL);
		}
		return;
	}
	p = gw_pending_new(g, req, what);
	if (p == NULL) {
		gw_reply_error(g, req, 500, "Internal Server Error", NULL);
		return;
	}
	g->async.info(g->async.ctx, what, on_info, p);
}
