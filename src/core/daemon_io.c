/*
 * core daemon: the gateway socket (corep, codec and server from net) and the
 * operator control socket (CLUSTER.md: one JSON object per line each way).
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>

#include "daemon_int.h"

/* ---- gateway socket ---- */

typedef struct {
	daemon_t *d;
	uint64_t conn, id;
} pending_ts;

static void ts_done(void *ctx, const cctsa_core_ts_result *r)
{
	pending_ts *p = ctx;
	cctsa_net_corep_ts_resp m;
	cctsa_diag diag;

	memset(&m, 0, sizeof m);
	m.id = p->id;
	m.status = r->status;
	m.fail_bit = r->token_len > 0 ? CCTSA_NET_FAIL_NONE : r->fail_bit;
	m.text = r->text;
	m.text_len = r->text != NULL ? strlen(r->text) : 0;
	m.token = r->token;
	m.token_len = r->token_len;
	if (r->token_len > 0) {
		p->d->ts_ok++;
	} else {
		p->d->ts_fail++;
	}
	cctsa_diag_reset(&diag);
	if (cctsa_net_corep_server_reply_ts(p->d->corep, p->conn, &m, &diag) != CCTSA_OK) {
		cctsa_log_warn("gateway connection %llu: answer dropped: %s", (unsigned long long)p->conn, diag.msg);
	}
	cctsa_mem_free(p);
}

static void on_ts(void *ctx, uint64_t conn, const cctsa_net_corep_ts_req *req)
{
	daemon_t *d = ctx;
	pending_ts *p = cctsa_mem_alloc(sizeof *p);
	cctsa_core_ts_result r = {CCTSA_TSP_STATUS_REJECTION, CCTSA_TSP_FAIL_SYSTEM_FAILURE, "out of memory", NULL, 0, 1};
	pending_ts tmp = {d, conn, req->id};

	if (p == NULL) {
		ts_done(cctsa_mem_dup(&tmp, sizeof tmp), &r);
		return;
	}
	*p = tmp;
	cctsa_core_timestamp(d->core, &req->req, req->flavor == CCTSA_NET_FLAVOR_PQ, ts_done, p);
}

static cctsa_err metrics(daemon_t *d, cctsa_buf *b)
{
	cctsa_core_status st;

	cctsa_core_status_get(d->core, &st);
	return cctsa_buf_printf(b,
				"# TYPE cctsa_core_nodes_reachable gauge\ncctsa_core_nodes_reachable %u\n"
				"# TYPE cctsa_core_state gauge\ncctsa_core_state{state=\"%s\"} 1\n"
				"# TYPE cctsa_core_key_state gauge\ncctsa_core_key_state{state=\"%s\"} 1\n"
				"# TYPE cctsa_core_tokens_total counter\ncctsa_core_tokens_total %llu\n"
				"# TYPE cctsa_core_failures_total counter\ncctsa_core_failures_total %llu\n"
				"# TYPE cctsa_core_refusals_total counter\ncctsa_core_refusals_total %llu\n"
				"# TYPE cctsa_core_retries_total counter\ncctsa_core_retries_total %llu\n"
				"# TYPE cctsa_core_pool gauge\ncctsa_core_pool{kind=\"ecdsa_presignature\"} %zu\n"
				"cctsa_core_pool{kind=\"mldsa_round1\"} %zu\n"
				"# TYPE cctsa_core_mldsa_attempts_left gauge\ncctsa_core_mldsa_attempts_left %llu\n"
				"# TYPE cctsa_core_alloc_failures_total counter\ncctsa_core_alloc_failures_total %llu\n"
				"# TYPE cctsa_core_secret_bytes_locked gauge\ncctsa_core_secret_bytes_locked %llu\n",
				st.reachable, cctsa_core_state_name(st.state), cctsa_core_key_state_name(st.key_state),
				(unsigned long long)st.tokens, (unsigned long long)st.failures,
				(unsigned long long)st.refusals, (unsigned long long)st.retries, st.presigs, st.mldsa_pre,
				(unsigned long long)st.mldsa_attempts_left, (unsigned long long)st.alloc_failures,
				(unsigned long long)st.secret_bytes_locked);
}

static cctsa_err attestation(daemon_t *d, cctsa_buf *b)
{
	char meas[97], rep[2 * CCTSA_SNP_REPORT_LEN + 1];
	uint8_t report[CCTSA_SNP_REPORT_LEN], rd[CCTSA_SNP_REPORT_DATA_LEN];
	cctsa_err err = CCTSA_OK;

	/* REPORT_DATA of a public report: the config hash (48) and zeros. */
	memset(rd, 0, sizeof rd);
	memcpy(rd, d->cfg.config_hash, sizeof d->cfg.config_hash);
	CCTSA_TRY(cctsa_attest_get_report(d->att, report, rd, NULL));
	CCTSA_TRY(cctsa_hex_encode(meas, sizeof meas, d->measurement, sizeof d->measurement));
	CCTSA_TRY(cctsa_hex_encode(rep, sizeof rep, report, sizeof report));
	CCTSA_TRY(cctsa_buf_printf(b, "{\"node\":%u,\"provider\":\"%s\",\"measurement\":\"%s\",\"report\":\"%s\"}",
				   d->cfg.id, cctsa_attest_provider_name(d->att), meas, rep));
out:
	return err;
}

static void on_info(void *ctx, uint64_t conn, const cctsa_net_corep_info_req *req)
{
	daemon_t *d = ctx;
	cctsa_net_corep_info_resp m;
	cctsa_err err = CCTSA_E_UNSUPPORTED;
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	switch (req->what) {
	case CCTSA_NET_INFO_HEALTH:
		err = cctsa_core_status_json(d->core, &b);
		break;
	case CCTSA_NET_INFO_METRICS:
		err = metrics(d, &b);
		break;
	case CCTSA_NET_INFO_ATTESTATION:
		err = attestation(d, &b);
		break;
	case CCTSA_NET_INFO_BINDING:
		err = cctsa_core_binding_json(d->core, &b);
		break;
	default:
		err = cctsa_core_certs_pem(d->core, &b);
		break;
	}
	memset(&m, 0, sizeof m);
	m.id = req->id;
	m.status = err == CCTSA_OK ? 0 : 1;
	m.body = err == CCTSA_OK ? b.data : NULL;
	m.body_len = err == CCTSA_OK ? b.len : 0;
	if (cctsa_net_corep_server_reply_info(d->corep, conn, &m, NULL) != CCTSA_OK) {
		cctsa_log_warn("gateway connection %llu: info answer dropped", (unsigned long long)conn);
	}
	cctsa_buf_free(&b);
}

static void on_error(void *ctx, uint64_t conn, const cctsa_diag *diag)
{
	(void)ctx;
	cctsa_log_warn("gateway connection %llu closed: %s", (unsigned long long)conn, diag->msg);
}

cctsa_err d_corep_start(daemon_t *d, cctsa_diag *diag)
{
	cctsa_net_corep_handlers h = {d, on_ts, on_info, on_error};
	char path[D_STR + 32];

	snprintf(path, sizeof path, "%s/node-%u/core.sock", d->cfg.dir, d->cfg.id);
	return cctsa_net_corep_server_new(&d->corep, d->base, path, &h, diag);
}

/* ---- control socket ---- */

struct d_ctl {
	daemon_t *d;
	struct bufferevent *bev;
};

static void ctl_write(d_ctl *c, const char *s, size_t n)
{
	if (c->bev != NULL) {
		bufferevent_write(c->bev, s, n);
		bufferevent_write(c->bev, "\n", 1);
	}
}

/* Writes o (compact JSON) and a newline; consumes o. */
static void ctl_json(d_ctl *c, json_t *o)
{
	size_t n = o != NULL ? json_dumpb(o, NULL, 0, JSON_COMPACT) : 0;
	char *s = n > 0 ? cctsa_mem_alloc(n) : NULL;

	if (s != NULL && json_dumpb(o, s, n, JSON_COMPACT) == n) {
		ctl_write(c, s, n);
	} else {
		ctl_write(c, "{\"ok\":false,\"error\":\"encoding failed\"}", 39);
	}
	cctsa_mem_free(s);
	json_decref(o);
}

static void ctl_error(d_ctl *c, const char *msg)
{
	ctl_json(c, json_pack("{s:b, s:s}", "ok", 0, "error", msg));
}

static void ctl_free(d_ctl *c)
{
	if (c->d->dkg_conn == c) {
		c->d->dkg_conn = NULL;
	}
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
	}
	cctsa_mem_free(c);
}

static void dkg_done(void *ctx, const cctsa_core_dkg_result *r)
{
	daemon_t *d = ctx;
	d_ctl *c = d->dkg_conn;
	json_t *o, *t;

	d->dkg_conn = NULL;
	if (r->err != CCTSA_OK) {
		cctsa_log_err("DKG ceremony failed: %s", r->error);
		if (c != NULL) {
			ctl_error(c, r->error);
		}
		return;
	}
	cctsa_log_info("DKG ceremony done: key epoch %016llx", (unsigned long long)r->key_epoch);
	if (c == NULL) {
		return;
	}
	t = json_loads(r->transcript_json, 0, NULL);
	o = json_pack("{s:b, s:s, s:s, s:s, s:s, s:o}", "ok", 1, "ecdsa_pub", r->ecdsa_pub_pem, "mldsa_pub",
		      r->mldsa_pub_pem, "csr_ecdsa", r->csr_ecdsa_pem, "csr_mldsa", r->csr_mldsa_pem, "transcript",
		      t != NULL ? t : json_object());
	ctl_json(c, o);
}

static void dkg_ops_free(daemon_t *d)
{
	for (size_t i = 0; i < CCTSA_CORE_CMD_MAX_OPERATORS; i++) {
		cctsa_mem_free(d->dkg_ops[i]);
		d->dkg_ops[i] = NULL;
	}
	d->dkg_n_ops = 0;
	d->dkg_pending = 0;
}

/* The DKG needs every peer attested and up: wait for that (at most 60 s). */
void d_dkg_try(daemon_t *d, int64_t now_ms)
{
	cctsa_core_status st;
	cctsa_diag diag;

	if (!d->dkg_pending) {
		return;
	}
	if (d->dkg_deadline == 0) {
		d->dkg_deadline = now_ms + 60000;
	}
	cctsa_core_status_get(d->core, &st);
	if (st.reachable < CCTSA_CORE_NODES && now_ms < d->dkg_deadline) {
		return;
	}
	cctsa_diag_reset(&diag);
	if (cctsa_core_dkg_start(d->core, d->dkg_id, (const char *const *)d->dkg_ops, d->dkg_n_ops, dkg_done, d,
				 &diag) != CCTSA_OK) {
		cctsa_log_warn("dkg-start refused: %s", diag.msg);
		if (d->dkg_conn != NULL) {
			ctl_error(d->dkg_conn, diag.msg);
		}
		d->dkg_conn = NULL;
	} else {
		cctsa_log_info("DKG ceremony started (this node coordinates)");
	}
	dkg_ops_free(d);
}

static void ctl_install(d_ctl *c, const cctsa_core_cmd *cmd)
{
	cctsa_diag diag;
	cctsa_err err;

	cctsa_diag_reset(&diag);
	err = cctsa_core_install_certs(c->d->core, (const uint8_t *)cmd->tsa_ecdsa, strlen(cmd->tsa_ecdsa),
				       (const uint8_t *)cmd->tsa_mldsa, strlen(cmd->tsa_mldsa),
				       (const uint8_t *)cmd->ca_ecdsa, strlen(cmd->ca_ecdsa),
				       (const uint8_t *)cmd->ca_mldsa, strlen(cmd->ca_mldsa), &diag);
	if (err != CCTSA_OK) {
		cctsa_log_warn("install-certs refused: %s", cctsa_diag_str(&diag, err));
		ctl_error(c, cctsa_diag_str(&diag, err));
		return;
	}
	cctsa_log_info("certificates installed: key active");
	ctl_write(c, "{\"ok\":true}", 11);
}

static void ctl_exec(d_ctl *c, const cctsa_core_cmd *cmd)
{
	daemon_t *d = c->d;
	cctsa_diag diag;
	cctsa_buf b;

	cctsa_diag_reset(&diag);
	cctsa_buf_init(&b, 0);
	switch (cmd->kind) {
	case CCTSA_CORE_CMD_STATUS:
		if (cctsa_core_status_json(d->core, &b) == CCTSA_OK) {
			ctl_write(c, (const char *)b.data, b.len);
		}
		break;
	case CCTSA_CORE_CMD_DKG_START:
		if (d->dkg_conn != NULL || d->dkg_pending) {
			ctl_error(c, "a DKG is already running");
			break;
		}
		d->dkg_conn = c;
		d->dkg_pending = 1;
		d->dkg_deadline = 0;
		memcpy(d->dkg_id, cmd->ceremony_id, sizeof d->dkg_id);
		for (size_t i = 0; i < cmd->n_operators; i++) {
			d->dkg_ops[i] = cctsa_mem_strdup(cmd->operators[i]);
		}
		d->dkg_n_ops = cmd->n_operators;
		break;
	case CCTSA_CORE_CMD_INSTALL_CERTS:
		ctl_install(c, cmd);
		break;
	default:
		ctl_write(c, "{\"ok\":true}", 11);
		cctsa_log_info("shutdown requested: shares wiped, exiting");
		event_base_loopexit(d->base, NULL);
		break;
	}
	cctsa_buf_free(&b);
}

static void ctl_line(d_ctl *c, const char *line, size_t n)
{
	cctsa_core_cmd cmd;
	cctsa_diag diag;

	cctsa_diag_reset(&diag);
	if (cctsa_core_cmd_parse(&cmd, line, n, &diag) != CCTSA_OK) {
		ctl_error(c, diag.msg);
		return;
	}
	ctl_exec(c, &cmd);
	cctsa_core_cmd_free(&cmd);
}

static void ctl_read(struct bufferevent *bev, void *arg)
{
	d_ctl *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr eol;
	size_t eol_len = 0;

	for (;;) {
		char *line;

		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos < 0) {
			break;
		}
		if ((size_t)eol.pos > CCTSA_CORE_CMD_LINE_MAX) {
			ctl_error(c, "line too long");
			ctl_free(c);
			return;
		}
		line = cctsa_mem_alloc((size_t)eol.pos + 1);
		if (line == NULL) {
			ctl_free(c);
			return;
		}
		evbuffer_remove(in, line, (size_t)eol.pos);
		evbuffer_drain(in, eol_len);
		ctl_line(c, line, (size_t)eol.pos);
		cctsa_mem_free(line);
		if (c->d->core == NULL) {
			return;
		}
	}
	if (evbuffer_get_length(in) > CCTSA_CORE_CMD_LINE_MAX) {
		ctl_error(c, "line too long");
		ctl_free(c);
	}
}

static void ctl_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		ctl_free(arg);
	}
}

static void ctl_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	daemon_t *d = arg;
	d_ctl *c = cctsa_mem_alloc(sizeof *c);

	(void)l;
	(void)sa;
	(void)len;
	if (c == NULL) {
		evutil_closesocket(fd);
		return;
	}
	c->d = d;
	c->bev = bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		cctsa_mem_free(c);
		return;
	}
	bufferevent_setcb(c->bev, ctl_read, NULL, ctl_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

cctsa_err d_control_start(daemon_t *d, cctsa_diag *diag)
{
	struct sockaddr_un sa;
	int n;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	n = snprintf(sa.sun_path, sizeof sa.sun_path, "%s/node-%u/control.sock", d->cfg.dir, d->cfg.id);
	if (n < 0 || (size_t)n >= sizeof sa.sun_path) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "control socket path too long");
	}
	unlink(sa.sun_path);
	d->ctl = evconnlistener_new_bind(d->base, ctl_accept, d, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
					 (struct sockaddr *)&sa, (int)sizeof sa);
	if (d->ctl == NULL) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot listen on %s", sa.sun_path);
	}
	chmod(sa.sun_path, 0600);
	return CCTSA_OK;
}

void d_control_stop(daemon_t *d)
{
	dkg_ops_free(d);
	if (d->ctl != NULL) {
		evconnlistener_free(d->ctl);
		d->ctl = NULL;
	}
}
