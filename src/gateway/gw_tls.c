/* HTTPS for the gateway: a second evhttp on the same routes whose connections are
 * bufferevent_openssl sockets; TLS 1.3 only, certificate chain + key from PEM files. */
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "gateway/gw_int.h"


static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
	cctsa_gateway *g = arg;
	SSL *ssl = SSL_new(g->ssl_ctx);

	if (ssl == NULL) {
		return NULL;
	}
	return bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					      BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
}

static cctsa_err ssl_fail(cctsa_diag *diag, const char *what, const char *path)
{
	unsigned long e = ERR_get_error();
	char text[256];

	ERR_error_string_n(e, text, sizeof(text));
	ERR_clear_error();
	return cctsa_fail(diag, CCTSA_E_CRYPTO, "gateway TLS: %s %s: %s", what, path, text);
}

static cctsa_err make_ctx(SSL_CTX **out, const char *cert, const char *key, cctsa_diag *diag)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	*out = NULL;
	if (ctx == NULL) {
		return ssl_fail(diag, "cannot create context", "");
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
		SSL_CTX_free(ctx);
		return ssl_fail(diag, "cannot restrict to", "TLS 1.3");
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		SSL_CTX_free(ctx);
		return ssl_fail(diag, "cannot load certificate chain", cert);
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		return ssl_fail(diag, "cannot load the key (or it does not match the certificate)", key);
	}
	*out = ctx;
	return CCTSA_OK;
}

cctsa_err gw_tls_setup(cctsa_gateway *g, const cctsa_gateway_config *cfg,
		       void (*route)(struct evhttp_request *, void *), cctsa_diag *diag)
{
	SSL_CTX *ctx = NULL;
	cctsa_err err;

	if (cfg->tls_key == NULL) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "gateway TLS: a certificate needs its key");
	}
	err = make_ctx(&ctx, cfg->tls_cert, cfg->tls_key, diag);
	if (err != CCTSA_OK) {
		return err;
	}
	g->ssl_ctx = ctx;
	g->https = evhttp_new(g->base);
	if (g->https == NULL) {
		return CCTSA_E_RESOURCE;
	}
	gw_http_setup(g->https, g, cfg->timeout_s, route);
	evhttp_set_bevcb(g->https, make_bev, g);
	g->tls_sock = evhttp_bind_socket_with_handle(g->https, cfg->address, cfg->tls_port);
	if (g->tls_sock == NULL) {
		return cctsa_fail(diag, CCTSA_E_IO, "gateway: cannot bind %s:%u (HTTPS)", cfg->address,
				  (unsigned)cfg->tls_port);
	}
	return CCTSA_OK;
}

void gw_tls_free(cctsa_gateway *g)
{
	if (g->https != NULL) {
		evhttp_free(g->https);
		g->https = NULL;
	}
	if (g->ssl_ctx != NULL) {
		SSL_CTX_free(g->ssl_ctx);
		g->ssl_ctx = NULL;
	}
}
