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

/* Fields public; strings are copied by cctsa_gateway_new. */
typedef struct {
	const char *address;  /* e.g. "127.0.0.1" */
	uint16_t port;        /* 0: any free port (read back with cctsa_gateway_port) */
	cctsa_gateway_issue_fn issue;
	void *issue_ctx;
	const char *backend;  /* what the backend is, reported by /health (e.g. "file-keys") */
	int timeout_s;        /* per-connection read/write timeout, 0 = 10 s */
} cctsa_gateway_config;

typedef struct cctsa_gateway cctsa_gateway;

/*
 * Creates the HTTP server on base and binds it. Errors: CCTSA_E_USAGE (missing
 * backend), CCTSA_E_IO (bind failed), CCTSA_E_RESOURCE. *out NULL on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_gateway_new(cctsa_gateway **out, struct event_base *base,
					   const cctsa_gateway_config *cfg, cctsa_diag *diag);
/* The bound TCP port. */
uint16_t cctsa_gateway_port(const cctsa_gateway *g);
/* Counters: RFC 3161 answers (HTTP 200), of which validation rejections and
 * backend failures (systemFailure), and HTTP-level errors (4xx). */
typedef struct {
	uint64_t answers, invalid, system_failures, http_errors;
} cctsa_gateway_stats;
void cctsa_gateway_get_stats(const cctsa_gateway *g, cctsa_gateway_stats *out);
/* Closes the listener and frees g; g may be NULL. */
void cctsa_gateway_free(cctsa_gateway *g);

#endif
