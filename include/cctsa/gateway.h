/*
 * gateway: the untrusted HTTP front of a CC-TSA node (DESIGN.md §1). It accepts
 * RFC 3161 requests (POST /, /tsa, /tsa/pq with application/timestamp-query),
 * parses and validates them with the tsp module, hands the validated fields to
 * a backend and returns its TimeStampResp with HTTP 200 and
 * application/timestamp-reply. It never holds key material itself: the backend
 * is the core (later) or, in test mode, the tsp local file-key issuer.
 *
 * HTTP errors: wrong method 405 (with Allow), wrong content type 415, body over
 * CCTSA_TSP_REQ_MAX (64 KiB) 413, unknown path 404. Every RFC 3161 answer,
 * including rejections (badAlg, badDataFormat, ...), is HTTP 200.
 * GET /health returns a JSON document describing what this gateway serves.
 *
 * Final form (async backend = the local core): HTTP 503 with Retry-After (and a
 * systemFailure TimeStampResp body) while the core cannot sign; HTTP 429 with
 * Retry-After when a client exceeds its token bucket; HTTPS with TLS 1.3 only;
 * /health merges the core's health JSON with the gateway's own counters (HTTP 503
 * when the core is unreachable or its status is "unavailable"); /metrics is
 * Prometheus text (the gateway's counters and latency histogram, then the core's);
 * /attestation, /binding and /certs relay the core's documents (503 if absent).
 */
#ifndef CCTSA_GATEWAY_H
#define CCTSA_GATEWAY_H

#include <stdint.h>

#include "cctsa/base.h"
#include "cctsa/tsp.h"

struct event_base;

/*
 * Backend: issues a TimeStampResp (DER, granted or rejection) for a validated
 * request and appends it to resp. pq is true for /tsa/pq. A returned error
 * makes the gateway answer systemFailure (HTTP 200) and log diag.
 */
typedef cctsa_err (*cctsa_gateway_issue_fn)(void *ctx, cctsa_buf *resp, const cctsa_tsp_req *req,
					    int pq, cctsa_diag *diag);

/*
 * Asynchronous backend (the core over its Unix socket). submit() starts issuing
 * and must call done exactly once, possibly before it returns; info() fetches one
 * of the core's INFO documents (CCTSA_GATEWAY_INFO_*) and must call idone exactly
 * once. The pointers handed to done/idone are valid only during the call.
 */
typedef enum {
	CCTSA_GATEWAY_RES_TOKEN = 1,   /* granted: der = the token (ContentInfo); status 0 or 1 */
	CCTSA_GATEWAY_RES_RESP,        /* der = a whole TimeStampResp, sent as is */
	CCTSA_GATEWAY_RES_REJECT,      /* status = PKIStatus, fail_bit, text */
	CCTSA_GATEWAY_RES_UNAVAILABLE  /* the backend cannot sign now: HTTP 503 + Retry-After */
} cctsa_gateway_res_kind;

typedef struct {
	cctsa_gateway_res_kind kind;
	unsigned status;      /* PKIStatus for TOKEN/REJECT */
	unsigned fail_bit;    /* REJECT: PKIFailureInfo bit, 0xff none */
	const char *text;     /* REJECT/UNAVAILABLE: statusString / reason (may be NULL) */
	const uint8_t *der;   /* TOKEN/RESP */
	size_t der_len;
} cctsa_gateway_result;

typedef void (*cctsa_gateway_done_fn)(void *cookie, const cctsa_gateway_result *res);
typedef void (*cctsa_gateway_info_done_fn)(void *cookie, int ok, const uint8_t *body, size_t len);

enum {
	CCTSA_GATEWAY_INFO_HEALTH = 1,  /* JSON */
	CCTSA_GATEWAY_INFO_METRICS = 2, /* Prometheus text */
	CCTSA_GATEWAY_INFO_ATTESTATION = 3,
	CCTSA_GATEWAY_INFO_BINDING = 4,
	CCTSA_GATEWAY_INFO_CERTS = 5    /* PEM */
};

typedef struct {
	void (*submit)(void *ctx, const cctsa_tsp_req *req, int pq, cctsa_gateway_done_fn done,
		       void *cookie);
	void (*info)(void *ctx, int what, cctsa_gateway_info_done_fn idone, void *cookie); /* or NULL */
	void *ctx;
} cctsa_gateway_backend;

/* Fields public; strings are copied by cctsa_gateway_new. Exactly one of issue
 * (synchronous, test mode) and async.submit must be set. */
typedef struct {
	const char *address;  /* e.g. "127.0.0.1" */
	uint16_t port;        /* 0: any free port (read back with cctsa_gateway_port) */
	cctsa_gateway_issue_fn issue;
	void *issue_ctx;
	cctsa_gateway_backend async;
	const char *backend;  /* what the backend is, reported by /health (e.g. "file-keys") */
	int timeout_s;        /* per-connection read/write timeout, 0 = 10 s */
	int node_id;          /* reported by /health, -1 (or 0 in test mode) if none */
	/* HTTPS (TLS 1.3 only) on tls_port when tls_cert is set (PEM chain + PEM key). */
	const char *tls_cert, *tls_key;
	uint16_t tls_port;    /* 0: any free port (cctsa_gateway_tls_port) */
	/* Per-client token bucket: rate_per_s requests/s, burst; rate_per_s 0 = no limit. */
	double rate_per_s;
	unsigned burst;
	unsigned retry_after_s; /* Retry-After of 503 answers, 0 = 5 */
	/* Async backend: at most max_inflight time-stamp requests outstanding (0 = no limit);
	 * further ones wait in a FIFO of queue_max (0 = 1024), beyond which: 503. */
	unsigned max_inflight, queue_max;
} cctsa_gateway_config;

typedef struct cctsa_gateway cctsa_gateway;

/*
 * Creates the HTTP server on base and binds it. Errors: CCTSA_E_USAGE (missing
 * backend), CCTSA_E_IO (bind failed), CCTSA_E_RESOURCE. *out NULL on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_gateway_new(cctsa_gateway **out, struct event_base *base,
					   const cctsa_gateway_config *cfg, cctsa_diag *diag);
/* The bound TCP port; the HTTPS port (0 if no TLS). */
uint16_t cctsa_gateway_port(const cctsa_gateway *g);
uint16_t cctsa_gateway_tls_port(const cctsa_gateway *g);
/* Counters: RFC 3161 answers (HTTP 200), of which validation rejections and
 * backend failures (systemFailure), and HTTP-level errors (4xx). */
typedef struct {
	uint64_t answers, invalid, system_failures, http_errors;
	uint64_t granted, unavailable, rate_limited;
} cctsa_gateway_stats;
void cctsa_gateway_get_stats(const cctsa_gateway *g, cctsa_gateway_stats *out);
/* Closes the listener and frees g; g may be NULL. */
void cctsa_gateway_free(cctsa_gateway *g);


/* ---- the gateway of one node of a local cluster (cluster.json, CLUSTER.md) ---- */
typedef struct {
	int node;
	char dir[1024];
	char address[64];
	uint16_t http_port, https_port;
	char core_sock[1100];          /* DIR/node-<i>/core.sock */
	char tls_cert[1100], tls_key[1100]; /* DIR/node-<i>/gateway.pem, gateway.key */
	double rate_per_s;
	unsigned burst;
	unsigned max_inflight; /* "gateway": {"max_inflight"}, default 8 */
} cctsa_gateway_cluster;

/*
 * Reads the cluster configuration at path for node (0-based): "dir",
 * "gateways"[node] {"id", "host", "http_port", "https_port"}, optional "gateway"
 * {"rate_per_s", "burst", "max_inflight"} (default 200/s, burst 400, 8). CCTSA_E_IO (unreadable),
 * CCTSA_E_MALFORMED (a field missing or out of range), CCTSA_E_USAGE (node).
 */
CCTSA_MUST_USE cctsa_err cctsa_gateway_cluster_load(cctsa_gateway_cluster *out, const char *path,
						    int node, cctsa_diag *diag);

/* ---- the core backend: the local core over its Unix socket (net's corep client) ---- */
typedef struct cctsa_gateway_core cctsa_gateway_core;

/* Creates the client (connects lazily). CCTSA_E_USAGE, CCTSA_E_RESOURCE. */
CCTSA_MUST_USE cctsa_err cctsa_gateway_core_new(cctsa_gateway_core **out, struct event_base *base,
						const char *sock_path, cctsa_diag *diag);
/* The backend to put in cctsa_gateway_config.async. */
void cctsa_gateway_core_backend(cctsa_gateway_core *c, cctsa_gateway_backend *out);
/* Fails what is pending (the gateway answers 503 or drops orphans), frees; c may be NULL.
 * Free the gateway first, then this. */
void cctsa_gateway_core_free(cctsa_gateway_core *c);

#endif
