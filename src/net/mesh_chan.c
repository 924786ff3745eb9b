/*
 * net: one peer channel's state machine (net.h): TLS done -> HELLO out;
 * HELLO in -> ATTEST out; ATTEST in -> verify -> READY out; READY in -> up.
 * Application frames only while up. Any deviation closes the channel with a
 * reason the caller logs.
 */
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <string.h>

#include "mesh_int.h"

static void chan_up(chan *c)
{
	cctsa_net_mesh *m = c->m;
	peer_slot *ps = &m->peers[c->peer];
	chan *old = ps->up;

	if (c->timer != NULL) {
		event_free(c->timer);
		c->timer = NULL;
	}
	if (old != NULL) { /* a newer channel from a restarted peer replaces the old */
		cctsa_diag d;

		cctsa_diag_reset(&d);
		(void)cctsa_fail(&d, CCTSA_E_STATE, "peer %d: replaced by a newer channel", c->peer);
		chan_fail(old, CCTSA_NET_REFUSE_CLOSED, &d);
		if (c->dead) {
			return;
		}
	}
	c->up = 1;
	c->info.node = (unsigned)c->peer;
	ps->up = c;
	ps->backoff_ms = 100;
	if (m->cfg.cb.on_peer_up != NULL) {
		m->cfg.cb.on_peer_up(m->cfg.cb.ctx, (unsigned)c->peer, &c->info);
	}
}

static cctsa_err on_hello(chan *c, const cctsa_buf *pl, cctsa_diag *d)
{
	cctsa_net_mesh *m = c->m;
	cctsa_err err = CCTSA_OK;
	cctsa_cursor cur;
	uint8_t id = 0;
	const uint8_t *nonce = NULL;
	cctsa_buf att;

	cctsa_buf_init(&att, CCTSA_NET_ATTEST_MAX);
	cctsa_cursor_init(&cur, pl->data, pl->len);
	if (c->got_hello || cctsa_cursor_get_u8(&cur, &id) != CCTSA_OK ||
	    cctsa_cursor_get_view(&cur, &nonce, CCTSA_NET_NONCE_LEN) != CCTSA_OK) {
		return cctsa_fail(d, CCTSA_E_MALFORMED, "peer: HELLO repeated or malformed");
	}
	if (c->outbound ? id != (unsigned)c->peer : (id >= m->cfg.id)) {
		return cctsa_fail(d, CCTSA_E_MALFORMED, "peer: HELLO from node %u on a channel for %s", id,
				  c->outbound ? "another node" : "a lower node id");
	}
	c->peer = id;
	c->got_hello = 1;
	CCTSA_TRY(cctsa_net_attest_build(&att, m->cfg.report, m->cfg.report_ctx, &m->cfg.chain, m->key_hash,
					 m->cfg.verifier.config_hash, nonce, d));
	CCTSA_TRY(chan_send(c, CCTSA_NET_PEER_ATTEST, att.data, att.len, d));
out:
	cctsa_buf_free(&att);
	return err;
}

/* Handles one frame. CCTSA_OK, or an error with *reason set (channel to close). */
static cctsa_err chan_frame(chan *c, uint8_t type, cctsa_net_refuse_reason *reason, cctsa_diag *d)
{
	cctsa_net_mesh *m = c->m;
	cctsa_err err = CCTSA_OK;

	*reason = CCTSA_NET_REFUSE_PROTOCOL;
	if (type >= CCTSA_NET_APP_TYPE_MIN && type <= CCTSA_NET_APP_TYPE_MAX) {
		if (!c->up) {
			return cctsa_fail(d, CCTSA_E_MALFORMED, "peer: application frame before attestation");
		}
		m->bytes_received += CCTSA_NET_FRAME_HDR + c->pl.len;
		m->cfg.cb.on_message(m->cfg.cb.ctx, (unsigned)c->peer, type, c->pl.data, c->pl.len);
		return CCTSA_OK;
	}
	if (type == CCTSA_NET_PEER_HELLO) {
		err = on_hello(c, &c->pl, d);
		if (err != CCTSA_OK && err != CCTSA_E_MALFORMED) {
			*reason = CCTSA_NET_REFUSE_LOCAL;
		}
		return err;
	}
	if (type == CCTSA_NET_PEER_ATTEST) {
		cctsa_net_refusal why;

		if (!c->got_hello || c->verified) {
			return cctsa_fail(d, CCTSA_E_MALFORMED, "peer: ATTEST out of order");
		}
		err = cctsa_net_attest_verify(&c->info, &why, &m->cfg.verifier, mesh_now(), c->pl.data, c->pl.len,
					      c->peer_key_hash, c->nonce);
		if (err != CCTSA_OK) {
			*reason = why.reason;
			*d = why.diag;
			c->refuse_check = why.check;
			return err;
		}
		c->verified = 1;
		*reason = CCTSA_NET_REFUSE_LOCAL;
		return chan_send(c, CCTSA_NET_PEER_READY, NULL, 0, d);
	}
	/* READY */
	if (!c->verified || c->got_ready) {
		return cctsa_fail(d, CCTSA_E_MALFORMED, "peer: READY out of order");
	}
	c->got_ready = 1;
	chan_up(c);
	return CCTSA_OK;
}

static void chan_refuse(chan *c, cctsa_net_refuse_reason r, const cctsa_diag *d)
{
	cctsa_net_refusal why;

	memset(&why, 0, sizeof(why));
	why.reason = r;
	why.check = r == CCTSA_NET_REFUSE_ATTEST ? c->refuse_check : CCTSA_SNP_CHK_COUNT;
	why.diag = *d;
	chan_close(c, &why, 0);
}

void mesh_read_cb(struct bufferevent *bev, void *arg)
{
	chan *c = arg;

	while (!c->dead && c->tls_done) {
		cctsa_diag d;
		int have = 0;
		uint8_t type = 0;
		cctsa_net_refuse_reason r = CCTSA_NET_REFUSE_PROTOCOL;
		cctsa_err err;

		cctsa_diag_reset(&d);
		err = cctsa_net_frame_pull(&c->m->rules.rules, &have, &type, &c->pl, bufferevent_get_input(bev), &d);
		if (err == CCTSA_OK && !have) {
			return;
		}
		if (err == CCTSA_E_RESOURCE) {
			r = CCTSA_NET_REFUSE_LOCAL;
		}
		if (err == CCTSA_OK) {
			err = chan_frame(c, type, &r, &d);
		}
		if (err != CCTSA_OK) {
			if (!c->dead) {
				chan_refuse(c, r, &d);
			}
			return;
		}
	}
}

static void on_connected(chan *c)
{
	cctsa_diag d;
	uint8_t hello[1 + CCTSA_NET_NONCE_LEN];
	SSL *ssl = bufferevent_openssl_get_ssl(c->bev);

	cctsa_diag_reset(&d);
	if (ssl == NULL || net_tls_peer_key_hash(c->peer_key_hash, ssl, &d) != CCTSA_OK) {
		chan_fail(c, CCTSA_NET_REFUSE_TLS, &d);
		return;
	}
	c->tls_done = 1;
	hello[0] = (uint8_t)c->m->cfg.id;
	memcpy(hello + 1, c->nonce, CCTSA_NET_NONCE_LEN);
	if (chan_send(c, CCTSA_NET_PEER_HELLO, hello, sizeof(hello), &d) != CCTSA_OK) {
		chan_fail(c, CCTSA_NET_REFUSE_LOCAL, &d);
		return;
	}
	/* frames that arrived with the handshake */
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0) {
		mesh_read_cb(c->bev, c);
	}
}

void mesh_event_cb(struct bufferevent *bev, short what, void *arg)
{
	chan *c = arg;
	cctsa_diag d;
	unsigned long e;

	(void)bev;
	if (c->dead) {
		return;
	}
	if (what & BEV_EVENT_CONNECTED) {
		on_connected(c);
		return;
	}
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))) {
		return;
	}
	cctsa_diag_reset(&d);
	e = bufferevent_get_openssl_error(c->bev);
	if (!c->tls_done && e != 0) {
		char buf[120];

		ERR_error_string_n(e, buf, sizeof(buf));
		(void)cctsa_fail(&d, CCTSA_E_IO, "TLS handshake failed: %s", buf);
		chan_fail(c, CCTSA_NET_REFUSE_TLS, &d);
		return;
	}
	(void)cctsa_fail(&d, CCTSA_E_IO, "peer %d: connection %s", c->peer,
			 (what & BEV_EVENT_EOF) ? "closed" : "failed");
	chan_fail(c, CCTSA_NET_REFUSE_CLOSED, &d);
}
