/*
 * NTS-KE over TLS 1.3 (RFC 8915 §4, §5.1): connect, verify, ALPN "ntske/1",
 * request/response, key export. Keys go straight into locked memory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "base/ct.h"
#include "time_int.h"

static const char exporter_label[] = "EXPORTER-network-time-security";
static const uint8_t alpn[] = { 7, 'n', 't', 's', 'k', 'e', '/', '1' };

/* TCP connect with a timeout; the socket is left blocking with I/O timeouts. */
static cctsa_err tcp_connect(int *fd_out, const char *host, uint16_t port, int timeout_ms,
			     cctsa_diag *diag)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	char ps[8];
	int fd = -1, rc;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof(ps), "%u", port);
	rc = getaddrinfo(host, ps, &hints, &res);
	if (rc != 0) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot resolve %s: %s", host, gai_strerror(rc));
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		struct pollfd pfd;
		int so = 0;
		socklen_t sl = sizeof(so);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			continue;
		}
		rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if ((rc != 0 && errno != EINPROGRESS) ||
		    (rc != 0 && (poll(&pfd, 1, timeout_ms) != 1 ||
				 getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) != 0 || so != 0))) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot connect to %s port %u", host, port);
	}
	if (fcntl(fd, F_SETFL, 0) != 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
		close(fd);
		return cctsa_fail(diag, CCTSA_E_IO, "cannot set socket options");
	}
	*fd_out = fd;
	return CCTSA_OK;
}

static int is_ip_literal(const char *host)
{
	uint8_t tmp[16];

	return inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1;
}

static cctsa_err tls_ctx(SSL_CTX **out, const char *ca_file, cctsa_diag *diag)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	*out = ctx;
	if (ctx == NULL || SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof(alpn)) != 0) {
		return cctsa_fail(diag, CCTSA_E_CRYPTO, "cannot set up TLS 1.3");
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if ((ca_file != NULL && SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) ||
	    (ca_file == NULL && SSL_CTX_set_default_verify_paths(ctx) != 1)) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot load trust anchors %s",
				  ca_file != NULL ? ca_file : "(system)");
	}
	return CCTSA_OK;
}

/* Name checks: an IP literal against the certificate's IP addresses, otherwise DNS + SNI. */
static cctsa_err tls_ssl(SSL **out, SSL_CTX *ctx, int fd, const char *host, cctsa_diag *diag)
{
	SSL *ssl = SSL_new(ctx);
	X509_VERIFY_PARAM *vp;

	*out = ssl;
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		return cctsa_fail(diag, CCTSA_E_CRYPTO, "cannot create TLS session");
	}
	vp = SSL_get0_param(ssl);
	if (is_ip_literal(host)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(vp, host) != 1) {
			return cctsa_fail(diag, CCTSA_E_CRYPTO, "cannot set IP check");
		}
	} else {
		char sni[256]; /* SSL_set_tlsext_host_name casts away const; hand it a copy */

		snprintf(sni, sizeof(sni), "%s", host);
		if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, sni) != 1 ||
		    SSL_set1_host(ssl, host) != 1) {
			return cctsa_fail(diag, CCTSA_E_CRYPTO, "cannot set host name check");
		}
	}
	return CCTSA_OK;
}

static cctsa_err tls_handshake(SSL *ssl, const char *host, cctsa_diag *diag)
{
	const unsigned char *sel = NULL;
	unsigned sel_len = 0;

	if (SSL_connect(ssl) != 1) {
		long vr = SSL_get_verify_result(ssl);
		unsigned long e = ERR_peek_last_error();

		ERR_clear_error();
		if (vr != X509_V_OK) {
			return cctsa_fail(diag, CCTSA_E_VERIFY, "NTS-KE: certificate of %s rejected: %s", host,
					  X509_verify_cert_error_string(vr));
		}
		return cctsa_fail(diag, CCTSA_E_CRYPTO, "NTS-KE: TLS handshake with %s failed: %s", host,
				  e != 0 ? ERR_reason_error_string(e) : "connection closed");
	}
	if (SSL_version(ssl) != TLS1_3_VERSION) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "NTS-KE: not TLS 1.3");
	}
	SSL_get0_alpn_selected(ssl, &sel, &sel_len);
	if (sel_len != sizeof(alpn) - 1 || cctsa_memcmp_var(sel, alpn + 1, sel_len) != 0) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "NTS-KE: server did not select ALPN ntske/1");
	}
	return CCTSA_OK;
}

static cctsa_err tls_read_exact(SSL *ssl, uint8_t *p, size_t n, cctsa_diag *diag)
{
	size_t got = 0;

	while (got < n) {
		size_t r = 0;

		if (SSL_read_ex(ssl, p + got, n - got, &r) != 1 || r == 0) {
			ERR_clear_error();
			return cctsa_fail(diag, CCTSA_E_IO, "NTS-KE: connection ended inside the response");
		}
		got += r;
	}
	return CCTSA_OK;
}

/* Reads records until End of Message; the parser then checks everything strictly. */
static cctsa_err tls_read_response(SSL *ssl, cctsa_buf *resp, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;

	for (;;) {
		uint8_t hdr[4];
		size_t blen, at;

		CCTSA_TRY(tls_read_exact(ssl, hdr, sizeof(hdr), diag));
		blen = ((size_t)hdr[2] << 8) | hdr[3];
		CCTSA_ENSURE(resp->len + 4 + blen <= CCTSA_NTS_KE_MAX_RESPONSE,
			     cctsa_fail(diag, CCTSA_E_MALFORMED, "NTS-KE response over %d bytes",
					CCTSA_NTS_KE_MAX_RESPONSE));
		CCTSA_TRY(cctsa_buf_put(resp, hdr, sizeof(hdr)));
		at = resp->len;
		CCTSA_TRY(cctsa_buf_reserve(resp, blen));
		CCTSA_TRY(tls_read_exact(ssl, resp->data + at, blen, diag));
		resp->len += blen;
		if (((hdr[0] & 0x7f) | hdr[1]) == 0) {
			break;
		}
	}
out:
	return err;
}

/* Exports C2S (0x00) and S2C (0x01) keys: context = protocol id || AEAD id || direction. */
static cctsa_err tls_export(SSL *ssl, nts_keys *k, cctsa_diag *diag)
{
	uint8_t ctx[5] = { 0, CCTSA_NTS_PROTO_NTPV4, 0, CCTSA_NTS_AEAD_AES_SIV_CMAC_256, 0x00 };

	if (SSL_export_keying_material(ssl, k->c2s, sizeof(k->c2s), exporter_label,
				       sizeof(exporter_label) - 1, ctx, sizeof(ctx), 1) != 1) {
		return cctsa_fail(diag, CCTSA_E_CRYPTO, "NTS-KE: key export failed");
	}
	ctx[4] = 0x01;
	if (SSL_export_keying_material(ssl, k->s2c, sizeof(k->s2c), exporter_label,
				       sizeof(exporter_label) - 1, ctx, sizeof(ctx), 1) != 1) {
		return cctsa_fail(diag, CCTSA_E_CRYPTO, "NTS-KE: key export failed");
	}
	return CCTSA_OK;
}

static void ke_fill_info(cctsa_nts_ke_info *info, SSL *ssl, const cctsa_nts_session *s)
{
	if (info == NULL) {
		return;
	}
	memset(info, 0, sizeof(*info));
	snprintf(info->tls_version, sizeof(info->tls_version), "%s", SSL_get_version(ssl));
	snprintf(info->ntp_host, sizeof(info->ntp_host), "%s", s->host);
	info->ntp_port = s->port;
}

/* The exchange on an established TLS connection. */
static cctsa_err ke_exchange(cctsa_nts_session **out, cctsa_nts_ke_response *ke, SSL *ssl,
			     const char *host, cctsa_diag *diag)
{
	cctsa_buf req, resp;
	nts_keys *k = cctsa_secret_alloc(sizeof(*k));
	cctsa_err err = CCTSA_OK;
	size_t w = 0;

	cctsa_buf_init(&req, 256);
	cctsa_buf_init(&resp, CCTSA_NTS_KE_MAX_RESPONSE);
	CCTSA_ENSURE(k != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(cctsa_nts_ke_request_write(&req));
	CCTSA_ENSURE(SSL_write_ex(ssl, req.data, req.len, &w) == 1 && w == req.len,
		     cctsa_fail(diag, CCTSA_E_IO, "NTS-KE: cannot send the request"));
	CCTSA_TRY(tls_read_response(ssl, &resp, diag));
	CCTSA_TRY(cctsa_nts_ke_parse(ke, resp.data, resp.len, diag));
	CCTSA_TRY(tls_export(ssl, k, diag));
	CCTSA_TRY(cctsa_nts_session_new(out, k->c2s, k->s2c, ke));
	if ((*out)->host[0] == '\0') {
		snprintf((*out)->host, sizeof((*out)->host), "%s", host);
	}
out:
	ERR_clear_error();
	cctsa_secret_free(k);
	cctsa_buf_free(&req);
	cctsa_buf_free(&resp);
	return err;
}

cctsa_err cctsa_nts_ke_run(cctsa_nts_session **out, cctsa_nts_ke_response *ke,
			   cctsa_nts_ke_info *info, const char *host, uint16_t port,
			   const char *ca_file, int timeout_ms, cctsa_diag *diag)
{
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd = -1;
	cctsa_nts_ke_response *resp = ke;
	cctsa_err err = CCTSA_OK;

	if (out == NULL || host == NULL || port == 0 || timeout_ms <= 0) {
		return CCTSA_E_USAGE;
	}
	*out = NULL;
	if (resp == NULL) {
		resp = cctsa_mem_alloc(sizeof(*resp));
		CCTSA_ENSURE(resp != NULL, CCTSA_E_RESOURCE);
	}
	CCTSA_TRY(tls_ctx(&ctx, ca_file, diag));
	CCTSA_TRY(tcp_connect(&fd, host, port, timeout_ms, diag));
	CCTSA_TRY(tls_ssl(&ssl, ctx, fd, host, diag));
	CCTSA_TRY(tls_handshake(ssl, host, diag));
	CCTSA_TRY(ke_exchange(out, resp, ssl, host, diag));
	ke_fill_info(info, ssl, *out);
	(void)SSL_shutdown(ssl);
out:
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (fd >= 0) {
		close(fd);
	}
	if (resp != ke) {
		cctsa_mem_free(resp);
	}
	return err;
}
