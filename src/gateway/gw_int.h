/* gateway internals shared by gateway.c (HTTP + RFC 3161 flow), gw_status.c
 * (/health, /metrics, info relays), gw_limit.c (rate limit) and gw_tls.c. */
#ifndef CCTSA_GW_INT_H
#define CCTSA_GW_INT_H

#include <event2/http.h>
#include <stdint.h>
#include <time.h>

#include "cctsa/gateway.h"

#define GW_CT_QUERY "application/timestamp-query"
#define GW_CT_REPLY "application/timestamp-reply"

/* Latency histogram bucket bounds in seconds (Prometheus "le"), +Inf implied. */
#define GW_LAT_BUCKETS 12
extern const double gw_lat_bounds[GW_LAT_BUCKETS];

typedef struct {
	uint64_t by_fail_bit[32]; /* rejections (validation or backend) by failInfo bit */
	uint64_t rejected_other;  /* rejections without a failInfo bit */
	uint64_t lat_count[GW_LAT_BUCKETS + 1];
	double lat_sum;
	uint64_t lat_n;
	uint64_t inflight;
	uint64_t backend_calls;
} gw_metrics;

/* Per-client token buckets in a fixed open-addressing table (lossy: an idle
 * client's bucket can be taken over, which only ever grants that client more). */
#define GW_LIMIT_SLOTS 4096
typedef struct {
	char ip[48];
	double tokens;
	double last; /* monotonic seconds */
} gw_bucket;

typedef struct {
	double rate, burst;
	gw_bucket *slots; /* GW_LIMIT_SLOTS, NULL when unlimited */
} gw_limiter;

typedef struct gw_pending gw_pending;
struct gw_pending {
	struct cctsa_gateway *g; /* NULL once the gateway is gone (the backend still owes done) */
	struct evhttp_request *req;
	gw_pending *prev, *next;
	double t0;
	int what; /* 0: a time-stamp request, else the INFO kind */
	int head_only;
	/* time-stamp requests: the validated fields, kept while queued for a backend slot */
	cctsa_tsp_req tr;
	int pq;
	int queued;
	gw_pending *qnext;
};

struct cctsa_gateway {
	struct event_base *base;
	struct evhttp *http, *https;
	struct evhttp_bound_socket *sock, *tls_sock;
	uint16_t port, tls_port;
	void *ssl_ctx; /* SSL_CTX */
	cctsa_gateway_issue_fn issue;
	void *issue_ctx;
	cctsa_gateway_backend async;
	char *backend;
	int node_id;
	unsigned retry_after_s;
	double started;
	gw_limiter lim;
	gw_metrics m;
	cctsa_gateway_stats stats;
	gw_pending *pending;
	/* at most max_inflight time-stamp requests at the backend, the rest queued (FIFO) */
	unsigned max_inflight, queue_max, ts_inflight, queue_len;
	gw_pending *qhead, *qtail;
	int pumping;
};

double gw_now(void);
void gw_reply_error(cctsa_gateway *g, struct evhttp_request *req, int code, const char *reason,
		    const char *allow);
void gw_reply_bytes(struct evhttp_request *req, int code, const char *ctype, const uint8_t *p, size_t n,
		    const char *retry_after);
/* The client address of req (never NULL). */
const char *gw_peer(struct evhttp_request *req);

gw_pending *gw_pending_new(cctsa_gateway *g, struct evhttp_request *req, int what);
/* Unlinks and frees p; returns the gateway it belonged to (NULL if orphaned). */
cctsa_gateway *gw_pending_done(gw_pending *p);

/* Common evhttp settings for the HTTP and the HTTPS listener. */
void gw_http_setup(struct evhttp *h, cctsa_gateway *g, int timeout_s,
		   void (*cb)(struct evhttp_request *, void *));

/* gw_limit.c: 1 = allowed; else 0 and *retry_s = seconds until a token is back. */
cctsa_err gw_limit_init(gw_limiter *l, double rate, unsigned burst);
void gw_limit_free(gw_limiter *l);
int gw_limit_take(gw_limiter *l, const char *ip, double now, unsigned *retry_s);

/* gw_status.c: GET /health, /metrics, /attestation, /binding, /certs. */
void gw_handle_info(cctsa_gateway *g, struct evhttp_request *req, int what);
void gw_metrics_latency(gw_metrics *m, double seconds);

/* gw_tls.c: an HTTPS evhttp on the same routes (TLS 1.3 only). */
cctsa_err gw_tls_setup(cctsa_gateway *g, const cctsa_gateway_config *cfg,
		       void (*route)(struct evhttp_request *, void *), cctsa_diag *diag);
void gw_tls_free(cctsa_gateway *g);

#endif
