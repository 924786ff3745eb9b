/* The core backend: time-stamp and INFO requests to the local core over its Unix
 * socket, through net's corep client (gateway.h). The gateway never sees key
 * material: it sends the validated fields and wraps what comes back. A request
 * that fails because the connection dropped is retried once on a fresh
 * connection (the core may just have restarted its listener); any other failure
 * to reach the core makes the gateway answer 503. */
#include <stdio.h>
#include <string.h>

#include "cctsa/gateway.h"
#include "cctsa/net.h"

struct cctsa_gateway_core {
	cctsa_net_corep_client *cl;
};

typedef struct {
	cctsa_gateway_core *c;
	cctsa_tsp_req req;
	uint8_t flavor;
	int retried;
	cctsa_gateway_done_fn done;
	void *cookie;
} ts_job;

static void unavailable(cctsa_gateway_done_fn done, void *cookie, const char *why)
{
	cctsa_gateway_result r;

	memset(&r, 0, sizeof(r));
	r.kind = CCTSA_GATEWAY_RES_UNAVAILABLE;
	r.text = why;
	done(cookie, &r);
}

static void ts_send(ts_job *j);

static void ts_answer(ts_job *j, const cctsa_net_corep_ts_resp *m)
{
	cctsa_gateway_result r;
	char text[512];

	memset(&r, 0, sizeof(r));
	snprintf(text, sizeof(text), "%.*s", (int)(m->text_len < 511 ? m->text_len : 511),
		 m->text != NULL ? m->text : "");
	r.status = m->status;
	r.text = text[0] != '\0' ? text : NULL;
	if ((m->status == 0 || m->status == 1) && m->token_len != 0) {
		r.kind = CCTSA_GATEWAY_RES_TOKEN;
		r.der = m->token;
		r.der_len = m->token_len;
	} else {
		r.kind = CCTSA_GATEWAY_RES_REJECT;
		r.fail_bit = m->fail_bit;
		if (m->status == 0 || m->status == 1) { /* granted without a token: a broken core */
			r.fail_bit = CCTSA_TSP_FAIL_SYSTEM_FAILURE;
			r.text = "the core granted without a token";
		}
	}
	j->done(j->cookie, &r);
}

static void on_ts(void *arg, cctsa_err err, const cctsa_net_corep_ts_resp *m, const cctsa_diag *diag)
{
	ts_job *j = arg;

	if (err == CCTSA_OK) {
		ts_answer(j, m);
	} else if (err == CCTSA_E_IO && !j->retried) {
		j->retried = 1;
		cctsa_log_warn("core connection failed (%s), retrying once",
			       diag != NULL ? cctsa_diag_str(diag, err) : "I/O");
		ts_send(j);
		return;
	} else {
		cctsa_log_warn("core request failed: %s", diag != NULL ? cctsa_diag_str(diag, err) : "error");
		unavailable(j->done, j->cookie, "the core is unreachable");
	}
	cctsa_mem_free(j);
}

static void ts_send(ts_job *j)
{
	cctsa_diag diag;
	cctsa_err err;

	cctsa_diag_reset(&diag);
	err = cctsa_net_corep_client_ts(j->c->cl, &j->req, j->flavor, on_ts, j, &diag);
	if (err != CCTSA_OK) {
		cctsa_log_warn("cannot send to the core: %s", cctsa_diag_str(&diag, err));
		unavailable(j->done, j->cookie, "the core is unreachable");
		cctsa_mem_free(j);
	}
}

static void submit(void *ctx, const cctsa_tsp_req *req, int pq, cctsa_gateway_done_fn done, void *cookie)
{
	ts_job *j = cctsa_mem_alloc(sizeof(*j));

	if (j == NULL) {
		unavailable(done, cookie, "out of memory");
		return;
	}
	j->c = ctx;
	j->req = *req;
	j->flavor = pq ? CCTSA_NET_FLAVOR_PQ : CCTSA_NET_FLAVOR_HYBRID;
	j->done = done;
	j->cookie = cookie;
	ts_send(j);
}

typedef struct {
	cctsa_gateway_info_done_fn done;
	void *cookie;
} info_job;

static void on_info(void *arg, cctsa_err err, const cctsa_net_corep_info_resp *m, const cctsa_diag *diag)
{
	info_job *j = arg;

	(void)diag;
	if (err == CCTSA_OK && m->status == 0) {
		j->done(j->cookie, 1, m->body, m->body_len);
	} else {
		j->done(j->cookie, 0, NULL, 0);
	}
	cctsa_mem_free(j);
}

static void info(void *ctx, int what, cctsa_gateway_info_done_fn done, void *cookie)
{
	cctsa_gateway_core *c = ctx;
	info_job *j = cctsa_mem_alloc(sizeof(*j));
	cctsa_diag diag;

	if (j == NULL) {
		done(cookie, 0, NULL, 0);
		return;
	}
	j->done = done;
	j->cookie = cookie;
	cctsa_diag_reset(&diag);
	if (cctsa_net_corep_client_info(c->cl, (uint8_t)what, on_info, j, &diag) != CCTSA_OK) {
		cctsa_mem_free(j);
		done(cookie, 0, NULL, 0);
	}
}

cctsa_err cctsa_gateway_core_new(cctsa_gateway_core **out, struct event_base *base, const char *sock_path,
				 cctsa_diag *diag)
{
	cctsa_gateway_core *c = cctsa_mem_alloc(sizeof(*c));
	cctsa_err err;

	*out = NULL;
	if (c == NULL) {
		return CCTSA_E_RESOURCE;
	}
	err = cctsa_net_corep_client_new(&c->cl, base, sock_path, diag);
	if (err != CCTSA_OK) {
		cctsa_mem_free(c);
		return err;
	}
	*out = c;
	return CCTSA_OK;
}

void cctsa_gateway_core_backend(cctsa_gateway_core *c, cctsa_gateway_backend *out)
{
	memset(out, 0, sizeof(*out));
	out->submit = submit;
	out->info = info;
	out->ctx = c;
}

void cctsa_gateway_core_free(cctsa_gateway_core *c)
{
	if (c == NULL) {
		return;
	}
	cctsa_net_corep_client_free(c->cl);
	cctsa_mem_free(c);
}
