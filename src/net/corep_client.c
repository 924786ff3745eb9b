/*
 * net: the gateway's client of a core's Unix socket (gateway -> core protocol):
 * requests out with ids, responses matched by id in any order, a deadline per
 * request, failures of everything pending when the connection drops.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "cctsa/net.h"
#include "net_int.h"

/* The client accepts only responses. */
static const cctsa_net_frame_type resp_types[] = {
	{CCTSA_NET_COREP_TS_RESP, 8 + 8, CCTSA_NET_COREP_TS_RESP_MAX},
	{CCTSA_NET_COREP_INFO_RESP, 8 + 5, CCTSA_NET_COREP_INFO_RESP_MAX},
};
static const cctsa_net_frame_rules resp_rules = {"corep response", CCTSA_NET_FRAME_VERSION, resp_types, 2};

#define TICK_MS 100
#define ABANDONED_MAX 256 /* late answers still owed before the connection is cut */

typedef struct pending {
	uint64_t id;
	uint64_t deadline_ms; /* 0: none */
	int abandoned;        /* timed out: its callback ran, a late answer is dropped */
	uint8_t type; /* expected response type */
	cctsa_net_corep_ts_cb ts_cb;
	cctsa_net_corep_info_cb info_cb;
	void *arg;
	struct pending *next;
} pending;

struct cctsa_net_corep_client {
	struct event_base *base;
	struct sockaddr_un sa;
	struct bufferevent *bev;
	uint64_t next_id;
	pending *head;
	size_t n_pending;   /* not abandoned */
	size_t n_abandoned;
	unsigned timeout_ms;
	struct event *tick;
	cctsa_buf pl;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void pending_fail(pending *p, cctsa_err err, const cctsa_diag *d)
{
	if (p->ts_cb != NULL) {
		p->ts_cb(p->arg, err, NULL, d);
	} else {
		p->info_cb(p->arg, err, NULL, d);
	}
}

/* Closes the connection and fails every pending request (callbacks may re-enter). */
static void cli_drop(cctsa_net_corep_client *c, cctsa_err err, const cctsa_diag *d)
{
	pending *list = c->head;

	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	c->head = NULL;
	c->n_pending = 0;
	c->n_abandoned = 0;
	if (c->tick != NULL) {
		(void)evtimer_del(c->tick);
	}
	while (list != NULL) {
		pending *p = list;

		list = p->next;
		if (!p->abandoned) {
			pending_fail(p, err, d);
		}
		cctsa_mem_free(p);
	}
}

static pending *cli_take(cctsa_net_corep_client *c, uint64_t id, uint8_t type)
{
	for (pending **pp = &c->head; *pp != NULL; pp = &(*pp)->next) {
		pending *p = *pp;

		if (p->id == id && p->type == type) {
			*pp = p->next;
			if (p->abandoned) {
				c->n_abandoned--;
			} else {
				c->n_pending--;
			}
			return p;
		}
	}
	return NULL;
}

/* Decodes one response and completes its request. */
static cctsa_err cli_complete(cctsa_net_corep_client *c, uint8_t type, cctsa_diag *d)
{
	cctsa_err err = CCTSA_OK;
	cctsa_net_corep_ts_resp tr;
	cctsa_net_corep_info_resp ir;
	uint64_t id;
	pending *p;

	if (type == CCTSA_NET_COREP_TS_RESP) {
		CCTSA_TRY(cctsa_net_corep_ts_resp_decode(&tr, c->pl.data, c->pl.len, d));
		id = tr.id;
	} else {
		CCTSA_TRY(cctsa_net_corep_info_resp_decode(&ir, c->pl.data, c->pl.len, d));
		id = ir.id;
	}
	p = cli_take(c, id, type);
	if (p == NULL) {
		return cctsa_fail(d, CCTSA_E_MALFORMED, "corep: response to unknown request %llu",
				  (unsigned long long)id);
	}
	if (p->abandoned) {
		/* answered after its deadline: the caller already had its failure */
	} else if (type == CCTSA_NET_COREP_TS_RESP) {
		p->ts_cb(p->arg, CCTSA_OK, &tr, NULL);
	} else {
		p->info_cb(p->arg, CCTSA_OK, &ir, NULL);
	}
	cctsa_mem_free(p);
out:
	return err;
}

static void cli_read_cb(struct bufferevent *bev, void *arg)
{
	cctsa_net_corep_client *c = arg;

	while (c->bev == bev) {
		cctsa_diag d;
		int have = 0;
		uint8_t type = 0;
		cctsa_err err;

		cctsa_diag_reset(&d);
		err = cctsa_net_frame_pull(&resp_rules, &have, &type, &c->pl, bufferevent_get_input(bev), &d);
		if (err == CCTSA_OK && !have) {
			return;
		}
		if (err == CCTSA_OK) {
			err = cli_complete(c, type, &d);
		}
		if (err != CCTSA_OK) {
			cli_drop(c, CCTSA_E_MALFORMED, &d);
			return;
		}
	}
}

static void cli_event_cb(struct bufferevent *bev, short what, void *arg)
{
	cctsa_net_corep_client *c = arg;
	cctsa_diag d;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		cctsa_diag_reset(&d);
		(void)cctsa_fail(&d, CCTSA_E_IO, "corep: connection to %s %s", c->sa.sun_path,
				 (what & BEV_EVENT_EOF) ? "closed" : "failed");
		cli_drop(c, CCTSA_E_IO, &d);
	}
}

/* Fails requests past their deadline (one at a time: callbacks may re-enter). */
static void cli_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	cctsa_net_corep_client *c = arg;
	uint64_t now = mono_ms();
	pending *p;

	(void)fd;
	(void)what;
	for (;;) {
		cctsa_diag d;

		for (p = c->head; p != NULL; p = p->next) {
			if (!p->abandoned && p->deadline_ms != 0 && p->deadline_ms <= now) {
				break;
			}
		}
		if (p == NULL) {
			break;
		}
		p->abandoned = 1;
		c->n_pending--;
		c->n_abandoned++;
		cctsa_diag_reset(&d);
		(void)cctsa_fail(&d, CCTSA_E_STATE, "corep: no answer from %s within %u ms", c->sa.sun_path,
				 c->timeout_ms);
		pending_fail(p, CCTSA_E_STATE, &d);
	}
	if (c->n_abandoned > ABANDONED_MAX) {
		cctsa_diag d;

		cctsa_diag_reset(&d);
		(void)cctsa_fail(&d, CCTSA_E_IO, "corep: %s owes %zu late answers, reconnecting", c->sa.sun_path,
				 c->n_abandoned);
		cli_drop(c, CCTSA_E_IO, &d);
		return;
	}
	if (c->n_pending > 0) {
		struct timeval tv = {0, TICK_MS * 1000};

		(void)evtimer_add(c->tick, &tv);
	}
}

void cctsa_net_corep_client_set_timeout(cctsa_net_corep_client *c, unsigned ms)
{
	c->timeout_ms = ms;
}

cctsa_err cctsa_net_corep_client_new(cctsa_net_corep_client **out, struct event_base *base,
				     const char *path, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_net_corep_client *c = cctsa_mem_alloc(sizeof(*c));

	*out = NULL;
	if (c == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "corep client: out of memory");
	}
	c->base = base;
	c->timeout_ms = CCTSA_NET_COREP_TIMEOUT_MS;
	cctsa_buf_init(&c->pl, CCTSA_NET_COREP_INFO_RESP_MAX);
	CCTSA_TRY(net_unix_addr(&c->sa, path, diag));
	c->tick = evtimer_new(base, cli_tick_cb, c);
	if (c->tick == NULL) {
		err = cctsa_fail(diag, CCTSA_E_RESOURCE, "corep client: out of memory");
		goto out;
	}
	*out = c;
	c = NULL;
out:
	cctsa_net_corep_client_free(c);
	return err;
}

void cctsa_net_corep_client_free(cctsa_net_corep_client *c)
{
	cctsa_diag d;

	if (c == NULL) {
		return;
	}
	cctsa_diag_reset(&d);
	(void)cctsa_fail(&d, CCTSA_E_STATE, "corep client closed");
	cli_drop(c, CCTSA_E_STATE, &d);
	if (c->tick != NULL) {
		event_free(c->tick);
	}
	cctsa_buf_free(&c->pl);
	cctsa_mem_free(c);
}

static cctsa_err cli_connect(cctsa_net_corep_client *c, cctsa_diag *diag)
{
	if (c->bev != NULL) {
		return CCTSA_OK;
	}
	c->bev = bufferevent_socket_new(c->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "corep client: out of memory");
	}
	bufferevent_setcb(c->bev, cli_read_cb, NULL, cli_event_cb, c);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&c->sa, (int)sizeof(c->sa)) != 0) {
		int e = errno;

		bufferevent_free(c->bev);
		c->bev = NULL;
		return cctsa_fail(diag, CCTSA_E_IO, "corep client: cannot connect to %s: %s",
				  c->sa.sun_path, strerror(e));
	}
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0) {
		bufferevent_free(c->bev);
		c->bev = NULL;
		return cctsa_fail(diag, CCTSA_E_IO, "corep client: cannot enable %s", c->sa.sun_path);
	}
	return CCTSA_OK;
}

/* Queues an encoded frame and records its pending entry. */
static cctsa_err cli_submit(cctsa_net_corep_client *c, const cctsa_buf *b, pending *p, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cli_connect(c, diag));
	if (bufferevent_write(c->bev, b->data, b->len) != 0) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "corep client: cannot queue %zu bytes", b->len);
	}
	p->deadline_ms = c->timeout_ms > 0 ? mono_ms() + c->timeout_ms : 0;
	p->next = c->head;
	c->head = p;
	c->n_pending++;
	if (c->timeout_ms > 0 && !evtimer_pending(c->tick, NULL)) {
		struct timeval tv = {0, TICK_MS * 1000};

		(void)evtimer_add(c->tick, &tv);
	}
out:
	return err;
}

/* Tracks an encoded request under its id and sends it; on failure nothing stays queued. */
static cctsa_err cli_track(cctsa_net_corep_client *c, const cctsa_buf *b, const pending *tmpl, cctsa_diag *diag)
{
	pending *p = cctsa_mem_alloc(sizeof(*p));
	cctsa_err err;

	if (p == NULL) {
		return CCTSA_E_RESOURCE;
	}
	*p = *tmpl;
	err = cli_submit(c, b, p, diag);
	if (err != CCTSA_OK) {
		cctsa_mem_free(p);
	}
	return err;
}

cctsa_err cctsa_net_corep_client_ts(cctsa_net_corep_client *c, const cctsa_tsp_req *req, uint8_t flavor,
				    cctsa_net_corep_ts_cb cb, void *arg, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_net_corep_ts_req m;
	pending t;
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	memset(&m, 0, sizeof(m));
	memset(&t, 0, sizeof(t));
	m.id = ++c->next_id;
	m.flavor = flavor;
	m.req = *req;
	CCTSA_TRY(cctsa_net_corep_ts_req_encode(&b, &m, diag));
	t.id = m.id;
	t.type = CCTSA_NET_COREP_TS_RESP;
	t.ts_cb = cb;
	t.arg = arg;
	CCTSA_TRY(cli_track(c, &b, &t, diag));
out:
	cctsa_buf_free(&b);
	return err;
}

cctsa_err cctsa_net_corep_client_info(cctsa_net_corep_client *c, uint8_t what, cctsa_net_corep_info_cb cb,
				      void *arg, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_net_corep_info_req m;
	pending t;
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	memset(&t, 0, sizeof(t));
	m.id = ++c->next_id;
	m.what = what;
	CCTSA_TRY(cctsa_net_corep_info_req_encode(&b, &m, diag));
	t.id = m.id;
	t.type = CCTSA_NET_COREP_INFO_RESP;
	t.info_cb = cb;
	t.arg = arg;
	CCTSA_TRY(cli_track(c, &b, &t, diag));
out:
	cctsa_buf_free(&b);
	return err;
}

size_t cctsa_net_corep_client_pending(const cctsa_net_corep_client *c)
{
	return c->n_pending;
}
