/*
 * net: the core's server of the gateway -> core protocol on a Unix socket
 * (libevent): requests in, responses out by connection id, in any order.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cctsa/net.h"
#include "net_int.h"

/* The server accepts only requests. */
static const cctsa_net_frame_type req_types[] = {
	{CCTSA_NET_COREP_TS_REQ, 8 + 7, CCTSA_NET_COREP_TS_REQ_MAX},
	{CCTSA_NET_COREP_INFO_REQ, CCTSA_NET_COREP_INFO_REQ_LEN, CCTSA_NET_COREP_INFO_REQ_LEN},
};
static const cctsa_net_frame_rules req_rules = {"corep request", CCTSA_NET_FRAME_VERSION, req_types, 2};

cctsa_err net_unix_addr(struct sockaddr_un *sa, const char *path, cctsa_diag *diag)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "socket path of %zu bytes (1..%zu)", n,
				  sizeof(sa->sun_path) - 1);
	}
	memcpy(sa->sun_path, path, n);
	return CCTSA_OK;
}

/* ------------------------------------------------------------------ server */

#define SRV_CONNS_MAX 64
#define SRV_INFLIGHT_DEFAULT 4096
#define SRV_OUT_MAX ((size_t)16 << 20)

typedef struct srv_conn {
	uint64_t id;
	unsigned inflight; /* requests handed to the core, not yet answered */
	int paused;        /* reading stopped until answers drain */
	struct bufferevent *bev;
	struct cctsa_net_corep_server *srv;
	struct srv_conn *next;
} srv_conn;

struct cctsa_net_corep_server {
	struct event_base *base;
	struct evconnlistener *lis;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	cctsa_net_corep_handlers h;
	srv_conn *conns;
	unsigned n_conns;
	unsigned max_inflight;
	uint64_t next_id;
	cctsa_buf pl;
};

static void srv_conn_close(srv_conn *c)
{
	srv_conn **pp = &c->srv->conns;

	while (*pp != NULL && *pp != c) {
		pp = &(*pp)->next;
	}
	if (*pp == c) {
		*pp = c->next;
		c->srv->n_conns--;
	}
	bufferevent_free(c->bev);
	cctsa_mem_free(c);
}

static srv_conn *srv_conn_find(cctsa_net_corep_server *s, uint64_t id)
{
	for (srv_conn *c = s->conns; c != NULL; c = c->next) {
		if (c->id == id) {
			return c;
		}
	}
	return NULL;
}

/* Decodes and dispatches one request; CCTSA_OK or the decoder's error. */
static cctsa_err srv_dispatch(cctsa_net_corep_server *s, uint64_t id, uint8_t type, cctsa_diag *d)
{
	cctsa_err err = CCTSA_OK;

	if (type == CCTSA_NET_COREP_TS_REQ) {
		cctsa_net_corep_ts_req m;

		CCTSA_TRY(cctsa_net_corep_ts_req_decode(&m, s->pl.data, s->pl.len, d));
		srv_conn_find(s, id)->inflight++;
		s->h.on_ts(s->h.ctx, id, &m);
	} else {
		cctsa_net_corep_info_req m;

		CCTSA_TRY(cctsa_net_corep_info_req_decode(&m, s->pl.data, s->pl.len, d));
		srv_conn_find(s, id)->inflight++;
		s->h.on_info(s->h.ctx, id, &m);
	}
out:
	return err;
}

static void srv_read_cb(struct bufferevent *bev, void *arg)
{
	srv_conn *c = arg;
	cctsa_net_corep_server *s = c->srv;
	uint64_t id = c->id;

	for (;;) {
		cctsa_diag d;
		int have = 0;
		uint8_t type = 0;
		cctsa_err err;

		if (c->inflight >= s->max_inflight ||
		    evbuffer_get_length(bufferevent_get_output(bev)) > SRV_OUT_MAX) {
			/* backpressure: the gateway waits until answers drain (srv_write_cb) */
			c->paused = 1;
			(void)bufferevent_disable(bev, EV_READ);
			return;
		}
		cctsa_diag_reset(&d);
		err = cctsa_net_frame_pull(&req_rules, &have, &type, &s->pl, bufferevent_get_input(bev), &d);
		if (err == CCTSA_OK && !have) {
			return;
		}
		if (err == CCTSA_OK) {
			err = srv_dispatch(s, id, type, &d);
		}
		if (err != CCTSA_OK) {
			c = srv_conn_find(s, id);
			if (c != NULL) {
				srv_conn_close(c);
			}
			if (s->h.on_error != NULL) {
				s->h.on_error(s->h.ctx, id, &d);
			}
			return;
		}
		c = srv_conn_find(s, id);
		if (c == NULL) {
			return; /* closed by a handler */
		}
	}
}

/* Output drained: resume a paused connection, handling what it already sent. */
static void srv_write_cb(struct bufferevent *bev, void *arg)
{
	srv_conn *c = arg;

	if (c->paused && c->inflight < c->srv->max_inflight) {
		c->paused = 0;
		(void)bufferevent_enable(bev, EV_READ);
		srv_read_cb(bev, c);
	}
}

static void srv_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		srv_conn_close(arg);
	}
}

static void srv_accept_cb(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
			  int salen, void *arg)
{
	cctsa_net_corep_server *s = arg;
	srv_conn *c = cctsa_mem_alloc(sizeof(*c));

	(void)lis;
	(void)sa;
	(void)salen;
	if (c == NULL || s->n_conns >= SRV_CONNS_MAX) {
		cctsa_mem_free(c);
		evutil_closesocket(fd);
		return;
	}
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		evutil_closesocket(fd);
		cctsa_mem_free(c);
		return;
	}
	c->id = ++s->next_id;
	c->srv = s;
	c->next = s->conns;
	s->conns = c;
	s->n_conns++;
	bufferevent_setcb(c->bev, srv_read_cb, srv_write_cb, srv_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, 4 * CCTSA_NET_COREP_TS_REQ_MAX);
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0) {
		srv_conn_close(c);
	}
}

cctsa_err cctsa_net_corep_server_new(cctsa_net_corep_server **out, struct event_base *base,
				     const char *path, const cctsa_net_corep_handlers *h, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_net_corep_server *s = NULL;
	struct sockaddr_un sa;
	struct stat st;

	*out = NULL;
	if (h->on_ts == NULL || h->on_info == NULL) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "corep server: on_ts and on_info are required");
	}
	CCTSA_TRY(net_unix_addr(&sa, path, diag));
	s = cctsa_mem_alloc(sizeof(*s));
	CCTSA_ENSURE(s != NULL, CCTSA_E_RESOURCE);
	s->base = base;
	s->h = *h;
	s->max_inflight = SRV_INFLIGHT_DEFAULT;
	memcpy(s->path, sa.sun_path, sizeof(s->path));
	cctsa_buf_init(&s->pl, CCTSA_NET_COREP_TS_REQ_MAX);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		(void)unlink(path);
	}
	s->lis = evconnlistener_new_bind(base, srv_accept_cb, s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
					 64, (struct sockaddr *)&sa, (int)sizeof(sa));
	if (s->lis == NULL) {
		err = cctsa_fail(diag, CCTSA_E_IO, "corep server: cannot listen on %s: %s", path, strerror(errno));
		goto out;
	}
	if (chmod(path, 0660) != 0) {
		err = cctsa_fail(diag, CCTSA_E_IO, "corep server: chmod %s: %s", path, strerror(errno));
		goto out;
	}
	*out = s;
	s = NULL;
out:
	if (err == CCTSA_E_RESOURCE) {
		(void)cctsa_fail(diag, err, "corep server: out of memory");
	}
	cctsa_net_corep_server_free(s);
	return err;
}

void cctsa_net_corep_server_free(cctsa_net_corep_server *s)
{
	if (s == NULL) {
		return;
	}
	while (s->conns != NULL) {
		srv_conn_close(s->conns);
	}
	if (s->lis != NULL) {
		evconnlistener_free(s->lis);
		(void)unlink(s->path);
	}
	cctsa_buf_free(&s->pl);
	cctsa_mem_free(s);
}

static cctsa_err srv_send(cctsa_net_corep_server *s, uint64_t conn, const cctsa_buf *b, cctsa_diag *diag)
{
	srv_conn *c = srv_conn_find(s, conn);

	if (c == NULL) {
		return cctsa_fail(diag, CCTSA_E_STATE, "corep: connection %llu is gone",
				  (unsigned long long)conn);
	}
	if (bufferevent_write(c->bev, b->data, b->len) != 0) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "corep: cannot queue %zu bytes", b->len);
	}
	if (c->inflight > 0) {
		c->inflight--;
	}
	return CCTSA_OK;
}

void cctsa_net_corep_server_set_max_inflight(cctsa_net_corep_server *s, unsigned n)
{
	s->max_inflight = n > 0 ? n : 1;
}

cctsa_err cctsa_net_corep_server_reply_ts(cctsa_net_corep_server *s, uint64_t conn,
					  const cctsa_net_corep_ts_resp *m, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	CCTSA_TRY(cctsa_net_corep_ts_resp_encode(&b, m, diag));
	CCTSA_TRY(srv_send(s, conn, &b, diag));
out:
	cctsa_buf_free(&b);
	return err;
}

cctsa_err cctsa_net_corep_server_reply_info(cctsa_net_corep_server *s, uint64_t conn,
					    const cctsa_net_corep_info_resp *m, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	CCTSA_TRY(cctsa_net_corep_info_resp_encode(&b, m, diag));
	CCTSA_TRY(srv_send(s, conn, &b, diag));
out:
	cctsa_buf_free(&b);
	return err;
}
