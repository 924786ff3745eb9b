/*
 * net: the attested peer mesh (net.h "Peer channel"): listener, dialer with
 * backoff, per-channel HELLO / ATTEST / READY state machine, application
 * frames between verified peers.
 */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cctsa/net.h"
#include "mesh_int.h"

#define BACKOFF_MIN_MS 100u
#define BACKOFF_MAX_MS 5000u
#define UP_TIMEOUT_MS_DEFAULT 10000u
#define MESH_UNVERIFIED_MAX 32u /* inbound channels not yet attested */
#define MESH_OUT_MAX ((size_t)64 << 20) /* unsent bytes per channel */

static const char *const refuse_names[] = {
	"none", "tls", "protocol", "attestation", "root", "timeout", "closed", "local",
};

const char *cctsa_net_refuse_name(cctsa_net_refuse_reason r)
{
	return (unsigned)r < sizeof(refuse_names) / sizeof(refuse_names[0]) ? refuse_names[r] : "?";
}

cctsa_err cctsa_net_peer_rules_init(cctsa_net_peer_rules *out, const cctsa_net_frame_type *app, size_t n_app,
				    cctsa_diag *diag)
{
	size_t n = 0;
	uint8_t seen[256] = {0};

	memset(out, 0, sizeof(*out));
	out->types[n++] = (cctsa_net_frame_type){CCTSA_NET_PEER_HELLO, 1 + CCTSA_NET_NONCE_LEN, 1 + CCTSA_NET_NONCE_LEN};
	out->types[n++] = (cctsa_net_frame_type){CCTSA_NET_PEER_ATTEST, CCTSA_SNP_REPORT_LEN + 9, CCTSA_NET_ATTEST_MAX};
	out->types[n++] = (cctsa_net_frame_type){CCTSA_NET_PEER_READY, 0, 0};
	if (n_app == 0) {
		for (unsigned t = CCTSA_NET_APP_TYPE_MIN; t <= CCTSA_NET_APP_TYPE_MAX; t++) {
			out->types[n++] = (cctsa_net_frame_type){(uint8_t)t, 0, CCTSA_NET_PEER_MAX};
		}
	}
	for (size_t i = 0; i < n_app; i++) {
		if (app[i].type < CCTSA_NET_APP_TYPE_MIN || app[i].type > CCTSA_NET_APP_TYPE_MAX || seen[app[i].type] || app[i].min_len > app[i].max_len ||
		    app[i].max_len > CCTSA_NET_PEER_MAX) {
			memset(out, 0, sizeof(*out));
			return cctsa_fail(diag, CCTSA_E_USAGE, "peer rules: bad application type 0x%02x",
					  app[i].type);
		}
		seen[app[i].type] = 1;
		out->types[n++] = app[i];
	}
	out->rules.name = "peer";
	out->rules.version = CCTSA_NET_FRAME_VERSION;
	out->rules.types = out->types;
	out->rules.n_types = n;
	return CCTSA_OK;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* ---------------------------------------------------------------- channels */

static void chan_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	cctsa_net_mesh *m = arg;

	(void)fd;
	(void)what;
	while (m->graveyard != NULL) {
		chan *c = m->graveyard;

		m->graveyard = c->next;
		cctsa_buf_free(&c->pl);
		cctsa_mem_free(c);
	}
}

static void schedule_dial(cctsa_net_mesh *m, unsigned j);

/*
 * Ends a channel: reports (unless quiet), frees the socket, moves the struct to
 * the graveyard (freed from the event loop, so callers up the stack may still
 * look at c->dead), and schedules a redial for an outbound channel.
 */
void chan_close(chan *c, const cctsa_net_refusal *why, int quiet)
{
	cctsa_net_mesh *m = c->m;
	int was_up = c->up;
	int peer = c->peer;

	if (c->dead) {
		return;
	}
	c->dead = 1;
	for (chan **pp = &m->chans; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	c->next = m->graveyard;
	m->graveyard = c;
	event_active(m->reaper, EV_TIMEOUT, 0);
	if (c->timer != NULL) {
		event_free(c->timer);
		c->timer = NULL;
	}
	bufferevent_free(c->bev);
	c->bev = NULL;
	if (was_up && m->peers[peer].up == c) {
		m->peers[peer].up = NULL;
	}
	if (c->outbound && m->peers[peer].out == c) {
		m->peers[peer].out = NULL;
		if (!quiet) {
			schedule_dial(m, (unsigned)peer);
		}
	}
	if (quiet) {
		return;
	}
	if (why != NULL && m->cfg.cb.on_refused != NULL) {
		m->cfg.cb.on_refused(m->cfg.cb.ctx, peer, why);
	}
	if (was_up && m->cfg.cb.on_peer_down != NULL) {
		m->cfg.cb.on_peer_down(m->cfg.cb.ctx, (unsigned)peer);
	}
}

void chan_fail(chan *c, cctsa_net_refuse_reason r, const cctsa_diag *d)
{
	cctsa_net_refusal why;

	memset(&why, 0, sizeof(why));
	why.reason = r;
	why.check = CCTSA_SNP_CHK_COUNT;
	if (d != NULL) {
		why.diag = *d;
	}
	chan_close(c, &why, 0);
}

static void chan_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	chan *c = arg;
	cctsa_diag d;

	(void)fd;
	(void)what;
	cctsa_diag_reset(&d);
	(void)cctsa_fail(&d, CCTSA_E_STATE, "peer channel not attested within %u ms", c->m->up_timeout_ms);
	chan_fail(c, CCTSA_NET_REFUSE_TIMEOUT, &d);
}

/*
 * Queues one frame: header checked and written by the frame writer (which
 * refuses a type or length the receiver would refuse), payload added straight
 * to the bufferevent (no extra copy of large round messages).
 */
cctsa_err chan_send(chan *c, uint8_t type, const uint8_t *p, size_t len, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	uint8_t hdr[CCTSA_NET_FRAME_HDR];
	uint8_t t = 0;
	uint32_t l = 0;
	cctsa_buf b;
	struct evbuffer *out = bufferevent_get_output(c->bev);

	cctsa_buf_init_fixed(&b, hdr, sizeof(hdr));
	if (len > CCTSA_NET_PEER_MAX) { /* no type allows more; keeps len within u32 */
		return cctsa_fail(diag, CCTSA_E_USAGE, "peer: %zu-byte frame over the limit", len);
	}
	CCTSA_TRY(cctsa_buf_put_u8(&b, c->m->rules.rules.version));
	CCTSA_TRY(cctsa_buf_put_u8(&b, type));
	CCTSA_TRY(cctsa_buf_put_u32be(&b, (uint32_t)len));
	/* the receiver's own header check: never send what a peer must refuse */
	if (cctsa_net_frame_check(&c->m->rules.rules, &t, &l, hdr, diag) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "peer: type 0x%02x with %zu bytes is not sendable", type, len);
	}
	if (evbuffer_get_length(out) > MESH_OUT_MAX) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "peer %d: %u MiB unsent, not queueing more", c->peer,
				  (unsigned)(MESH_OUT_MAX >> 20));
	}
	/* reserve first, so a frame is queued whole or not at all */
	if (evbuffer_expand(out, sizeof(hdr) + len) != 0 || evbuffer_add(out, hdr, sizeof(hdr)) != 0 ||
	    (len > 0 && evbuffer_add(out, p, len) != 0)) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "peer: cannot queue %zu bytes", len);
	}
	if (type <= CCTSA_NET_APP_TYPE_MAX) {
		c->m->bytes_sent += sizeof(hdr) + len;
	}
out:
	return err;
}

/* Creates a channel around a TLS bufferevent. */
static chan *chan_new(cctsa_net_mesh *m, struct bufferevent *bev, int outbound, int peer)
{
	chan *c = cctsa_mem_alloc(sizeof(*c));
	struct timeval tv = {(time_t)(m->up_timeout_ms / 1000u), (suseconds_t)(m->up_timeout_ms % 1000u) * 1000};

	if (c == NULL) {
		bufferevent_free(bev);
		return NULL;
	}
	c->m = m;
	c->bev = bev;
	c->outbound = outbound;
	c->peer = peer;
	cctsa_buf_init(&c->pl, CCTSA_NET_PEER_MAX);
	c->timer = evtimer_new(m->base, chan_timeout_cb, c);
	if (c->timer == NULL || cctsa_rand_bytes(c->nonce, sizeof(c->nonce)) != CCTSA_OK ||
	    evtimer_add(c->timer, &tv) != 0) {
		if (c->timer != NULL) {
			event_free(c->timer);
		}
		bufferevent_free(bev);
		cctsa_buf_free(&c->pl);
		cctsa_mem_free(c);
		return NULL;
	}
	c->next = m->chans;
	m->chans = c;
	bufferevent_setcb(bev, mesh_read_cb, NULL, mesh_event_cb, c);
	bufferevent_setwatermark(bev, EV_READ, 0, 2 * (CCTSA_NET_PEER_MAX + CCTSA_NET_FRAME_HDR));
	return c;
}

/* ---------------------------------------------------------------- dialing */

static void dial_cb(evutil_socket_t fd, short what, void *arg)
{
	peer_slot *ps = arg;
	cctsa_net_mesh *m = ps->m;
	unsigned j = ps->id;
	struct bufferevent *bev;
	SSL *ssl;
	chan *c;

	(void)fd;
	(void)what;
	if (m->peers[j].out != NULL) {
		return;
	}
	ssl = SSL_new(m->ssl);
	if (ssl == NULL) {
		schedule_dial(m, j);
		return;
	}
	bev = bufferevent_openssl_socket_new(m->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
					     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL) { /* libevent frees ssl itself on this failure (CLOSE_ON_FREE) */
		schedule_dial(m, j);
		return;
	}
	c = chan_new(m, bev, 1, (int)j);
	if (c == NULL) {
		schedule_dial(m, j);
		return;
	}
	m->peers[j].out = c;
	if (bufferevent_socket_connect(bev, (struct sockaddr *)&m->peers[j].addr, m->peers[j].addr_len) != 0 ||
	    bufferevent_enable(bev, EV_READ | EV_WRITE) != 0) {
		cctsa_diag d;

		cctsa_diag_reset(&d);
		(void)cctsa_fail(&d, CCTSA_E_IO, "peer %u: cannot connect", j);
		chan_fail(c, CCTSA_NET_REFUSE_CLOSED, &d);
	}
}

static void schedule_dial(cctsa_net_mesh *m, unsigned j)
{
	peer_slot *ps = &m->peers[j];
	struct timeval tv;

	if (m->closing || j <= m->cfg.id) {
		return;
	}
	tv.tv_sec = ps->backoff_ms / 1000u;
	tv.tv_usec = (suseconds_t)(ps->backoff_ms % 1000u) * 1000;
	ps->backoff_ms = ps->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ps->backoff_ms * 2;
	(void)evtimer_add(ps->retry, &tv);
}

/* Inbound channels still in TLS / attestation. */
static unsigned mesh_unverified(const cctsa_net_mesh *m)
{
	unsigned k = 0;

	for (const chan *c = m->chans; c != NULL; c = c->next) {
		k += !c->outbound && !c->up;
	}
	return k;
}

static void accept_cb(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa, int salen,
		      void *arg)
{
	cctsa_net_mesh *m = arg;
	struct bufferevent *bev;
	SSL *ssl = SSL_new(m->ssl);

	(void)lis;
	(void)sa;
	(void)salen;
	if (ssl == NULL || mesh_unverified(m) >= MESH_UNVERIFIED_MAX) {
		SSL_free(ssl); /* NULL-safe */
		evutil_closesocket(fd);
		return;
	}
	bev = bufferevent_openssl_socket_new(m->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL) { /* libevent frees ssl, and with it the socket, on this failure */
		return;
	}
	if (chan_new(m, bev, 0, -1) != NULL) {
		(void)bufferevent_enable(bev, EV_READ | EV_WRITE);
	}
}

/* ---------------------------------------------------------------- setup */

static cctsa_err parse_addr(peer_slot *ps, const char *host, uint16_t port, cctsa_diag *diag)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ps->addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ps->addr;

	memset(&ps->addr, 0, sizeof(ps->addr));
	if (host != NULL && inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		ps->addr_len = (int)sizeof(*a4);
		return CCTSA_OK;
	}
	if (host != NULL && inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		ps->addr_len = (int)sizeof(*a6);
		return CCTSA_OK;
	}
	return cctsa_fail(diag, CCTSA_E_USAGE, "mesh: node %u host is not a numeric address", ps->id);
}

static cctsa_err copy_blob(const uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len)
{
	uint8_t *p;

	*dst = NULL;
	*dst_len = 0;
	if (src == NULL || len == 0) {
		return CCTSA_OK;
	}
	p = cctsa_mem_dup(src, len);
	if (p == NULL) {
		return CCTSA_E_RESOURCE;
	}
	*dst = p;
	*dst_len = len;
	return CCTSA_OK;
}

static cctsa_err copy_config(cctsa_net_mesh *m, const cctsa_net_mesh_config *cfg, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_snp_chain *ch = &m->cfg.chain;

	m->cfg = *cfg;
	memset(ch, 0, sizeof(*ch));
	m->cfg.verifier.sim_ark = NULL;
	m->cfg.app_types = NULL;
	for (unsigned i = 0; i < CCTSA_NET_MAX_NODES; i++) {
		m->cfg.nodes[i].host = NULL;
	}
	CCTSA_TRY(copy_blob(&ch->vek, &ch->vek_len, cfg->chain.vek, cfg->chain.vek_len));
	CCTSA_TRY(copy_blob(&ch->ask, &ch->ask_len, cfg->chain.ask, cfg->chain.ask_len));
	CCTSA_TRY(copy_blob(&ch->ark, &ch->ark_len, cfg->chain.ark, cfg->chain.ark_len));
	CCTSA_TRY(copy_blob(&m->cfg.verifier.sim_ark, &m->cfg.verifier.sim_ark_len, cfg->verifier.sim_ark,
			    cfg->verifier.sim_ark_len));
	CCTSA_TRY(cctsa_net_peer_rules_init(&m->rules, cfg->app_types, cfg->n_app_types, diag));
	for (unsigned i = 0; i < cfg->n; i++) {
		m->peers[i].id = i;
		m->peers[i].m = m;
		m->peers[i].backoff_ms = BACKOFF_MIN_MS;
		CCTSA_TRY(parse_addr(&m->peers[i], cfg->nodes[i].host, cfg->nodes[i].port, diag));
	}
out:
	if (err == CCTSA_E_RESOURCE) {
		(void)cctsa_fail(diag, err, "mesh: out of memory");
	}
	return err;
}

static cctsa_err check_config(const cctsa_net_mesh_config *cfg, cctsa_diag *diag)
{
	if (cfg->n < 2 || cfg->n > CCTSA_NET_MAX_NODES || cfg->id >= cfg->n) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "mesh: node %u of %u", cfg->id, cfg->n);
	}
	if (cfg->report == NULL || cfg->chain.vek == NULL || cfg->chain.ask == NULL || cfg->chain.ark == NULL) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "mesh: report function and chain are required");
	}
	if (cfg->cb.on_message == NULL) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "mesh: on_message is required");
	}
	return CCTSA_OK;
}

static cctsa_err start_listening(cctsa_net_mesh *m, cctsa_diag *diag)
{
	peer_slot *me = &m->peers[m->cfg.id];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	m->lis = evconnlistener_new_bind(m->base, accept_cb, m,
					 LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 16,
					 (struct sockaddr *)&me->addr, me->addr_len);
	if (m->lis == NULL) {
		return cctsa_fail(diag, CCTSA_E_IO, "mesh: cannot listen on port %u",
				  (unsigned)m->cfg.nodes[m->cfg.id].port);
	}
	if (getsockname(evconnlistener_get_fd(m->lis), (struct sockaddr *)&ss, &sl) != 0) {
		return cctsa_fail(diag, CCTSA_E_IO, "mesh: getsockname");
	}
	m->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
					   : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return CCTSA_OK;
}

cctsa_err cctsa_net_mesh_new(cctsa_net_mesh **out, struct event_base *base, const cctsa_net_mesh_config *cfg,
			     cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_net_mesh *m = NULL;

	*out = NULL;
	CCTSA_TRY(check_config(cfg, diag));
	m = cctsa_mem_alloc(sizeof(*m));
	if (m == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "mesh: out of memory");
	}
	m->base = base;
	m->up_timeout_ms = cfg->up_timeout_ms != 0 ? cfg->up_timeout_ms : UP_TIMEOUT_MS_DEFAULT;
	CCTSA_TRY(copy_config(m, cfg, diag));
	m->reaper = event_new(base, -1, 0, chan_reap_cb, m);
	CCTSA_ENSURE(m->reaper != NULL, CCTSA_E_RESOURCE);
	for (unsigned j = 0; j < cfg->n; j++) {
		m->peers[j].retry = evtimer_new(base, dial_cb, &m->peers[j]);
		CCTSA_ENSURE(m->peers[j].retry != NULL, CCTSA_E_RESOURCE);
	}
	CCTSA_TRY(net_tls_identity(&m->ssl, m->key_hash, diag));
	CCTSA_TRY(start_listening(m, diag));
	for (unsigned j = cfg->id + 1; j < cfg->n; j++) {
		struct timeval now = {0, 0};

		(void)evtimer_add(m->peers[j].retry, &now);
	}
	*out = m;
	m = NULL;
out:
	if (err == CCTSA_E_RESOURCE) {
		(void)cctsa_fail(diag, err, "mesh: out of memory");
	}
	cctsa_net_mesh_free(m);
	return err;
}

void cctsa_net_mesh_free(cctsa_net_mesh *m)
{
	if (m == NULL) {
		return;
	}
	m->closing = 1;
	while (m->chans != NULL) {
		chan_close(m->chans, NULL, 1);
	}
	if (m->reaper != NULL) {
		chan_reap_cb(-1, 0, m);
		event_free(m->reaper);
	}
	for (unsigned j = 0; j < CCTSA_NET_MAX_NODES; j++) {
		if (m->peers[j].retry != NULL) {
			event_free(m->peers[j].retry);
		}
	}
	if (m->lis != NULL) {
		evconnlistener_free(m->lis);
	}
	SSL_CTX_free(m->ssl);
	cctsa_mem_free((void *)(uintptr_t)m->cfg.chain.vek);
	cctsa_mem_free((void *)(uintptr_t)m->cfg.chain.ask);
	cctsa_mem_free((void *)(uintptr_t)m->cfg.chain.ark);
	cctsa_mem_free((void *)(uintptr_t)m->cfg.verifier.sim_ark);
	cctsa_mem_free(m);
}

/* ---------------------------------------------------------------- API */

cctsa_err cctsa_net_mesh_send(cctsa_net_mesh *m, unsigned peer, uint8_t type, const uint8_t *payload, size_t len,
			      cctsa_diag *diag)
{
	if (peer >= m->cfg.n || peer == m->cfg.id || type < CCTSA_NET_APP_TYPE_MIN ||
	    type > CCTSA_NET_APP_TYPE_MAX) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "mesh: send type 0x%02x to peer %u", type, peer);
	}
	if (m->peers[peer].up == NULL) {
		return cctsa_fail(diag, CCTSA_E_STATE, "mesh: peer %u is not up", peer);
	}
	return chan_send(m->peers[peer].up, type, payload, len, diag);
}

int cctsa_net_mesh_peer_up(const cctsa_net_mesh *m, unsigned peer)
{
	return peer < m->cfg.n && m->peers[peer].up != NULL;
}

const cctsa_net_peer_info *cctsa_net_mesh_peer_info(const cctsa_net_mesh *m, unsigned peer)
{
	return cctsa_net_mesh_peer_up(m, peer) ? &m->peers[peer].up->info : NULL;
}

uint16_t cctsa_net_mesh_port(const cctsa_net_mesh *m)
{
	return m->port;
}

const uint8_t *cctsa_net_mesh_key_hash(const cctsa_net_mesh *m)
{
	return m->key_hash;
}

void cctsa_net_mesh_drop(cctsa_net_mesh *m, unsigned peer)
{
	cctsa_diag d;

	if (peer >= m->cfg.n || m->peers[peer].up == NULL) {
		return;
	}
	cctsa_diag_reset(&d);
	(void)cctsa_fail(&d, CCTSA_E_STATE, "peer %u: dropped by the application", peer);
	chan_fail(m->peers[peer].up, CCTSA_NET_REFUSE_CLOSED, &d);
}

void cctsa_net_mesh_bytes(const cctsa_net_mesh *m, uint64_t *sent, uint64_t *received)
{
	*sent = m->bytes_sent;
	*received = m->bytes_received;
}

int64_t mesh_now(void)
{
	return now_s();
}
