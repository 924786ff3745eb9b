/*
 * NTS-KE client against a scripted TLS server on loopback (a thread in this test):
 * wrong certificate name, no ALPN, TLS 1.2 only, and bad responses through the
 * whole TLS path. The certificates come from nts_chrony.sh (same test CA).
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "check.h"
#include "cctsa/time.h"

void fake_ke_tests(const char *ca, const char *cert, const char *key, const char *other_cert,
		   const char *other_key);

typedef struct {
	const char *cert, *key;
	int alpn, tls12;
	const uint8_t *resp;
	size_t resp_len;
	int lfd;
	uint16_t port;
} fake;

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
		   unsigned int inlen, void *arg)
{
	static const unsigned char proto[] = "ntske/1";
	fake *f = arg;

	(void)ssl;
	if (!f->alpn || inlen < 8 || in[0] != 7 || memcmp(in + 1, proto, 7) != 0) {
		return SSL_TLSEXT_ERR_NOACK;
	}
	*out = in + 1;
	*outlen = 7;
	return SSL_TLSEXT_ERR_OK;
}

static void *fake_serve(void *arg)
{
	fake *f = arg;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	SSL *ssl;
	uint8_t req[16];
	size_t got = 0;
	int fd;

	CHECK(ctx != NULL && SSL_CTX_use_certificate_file(ctx, f->cert, SSL_FILETYPE_PEM) == 1 &&
	      SSL_CTX_use_PrivateKey_file(ctx, f->key, SSL_FILETYPE_PEM) == 1);
	if (f->tls12) {
		CHECK(SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) == 1);
	}
	SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, f);
	fd = accept(f->lfd, NULL, NULL);
	CHECK(fd >= 0);
	ssl = SSL_new(ctx);
	CHECK(ssl != NULL && SSL_set_fd(ssl, fd) == 1);
	if (SSL_accept(ssl) == 1 && SSL_read_ex(ssl, req, sizeof(req), &got) == 1) {
		size_t w = 0;
		if (f->resp_len > 0) {
			CHECK(SSL_write_ex(ssl, f->resp, f->resp_len, &w) == 1);
		}
		(void)SSL_shutdown(ssl);
	}
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return NULL;
}

static cctsa_err fake_run(fake *f, const char *ca, cctsa_diag *d)
{
	struct sockaddr_in a = { 0 };
	socklen_t al = sizeof(a);
	cctsa_nts_session *s = NULL;
	pthread_t t;
	cctsa_err e;

	a.sin_family = AF_INET;
	CHECK(inet_pton(AF_INET, "127.0.0.1", &a.sin_addr) == 1);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(f->lfd >= 0 && bind(f->lfd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(f->lfd, 1) == 0);
	CHECK(getsockname(f->lfd, (struct sockaddr *)&a, &al) == 0);
	CHECK(pthread_create(&t, NULL, fake_serve, f) == 0);
	cctsa_diag_reset(d);
	e = cctsa_nts_ke_run(&s, NULL, NULL, "127.0.0.1", ntohs(a.sin_port), ca, 3000, d);
	CHECK(pthread_join(t, NULL) == 0);
	close(f->lfd);
	CHECK((e == CCTSA_OK) == (s != NULL));
	cctsa_nts_session_free(s);
	return e;
}

void fake_ke_tests(const char *ca, const char *cert, const char *key, const char *other_cert,
		   const char *other_key)
{
	static const uint8_t good[] = { 0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 2, 0, 15, 0, 5, 0, 4,
					'c', 'o', 'o', 'k', 0x80, 0, 0, 0 };
	static const uint8_t error[] = { 0x80, 2, 0, 2, 0, 1, 0x80, 0, 0, 0 };
	static const uint8_t no_aead[] = { 0x80, 1, 0, 2, 0, 0, 0, 5, 0, 4, 'c', 'o', 'o', 'k', 0x80, 0, 0, 0 };
	static const uint8_t cut[] = { 0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 2, 0 };
	fake f = { cert, key, 1, 0, good, sizeof(good), -1, 0 };
	cctsa_diag d = { 0 };

	CHECK_OK(fake_run(&f, ca, &d)); /* the scripted server itself works */
	f.resp = error;
	f.resp_len = sizeof(error);
	CHECK_ERR(fake_run(&f, ca, &d), CCTSA_E_STATE);
	fprintf(stderr, "fake KE error record: %s\n", d.msg);
	f.resp = no_aead;
	f.resp_len = sizeof(no_aead);
	CHECK_ERR(fake_run(&f, ca, &d), CCTSA_E_MALFORMED);
	f.resp = cut;
	f.resp_len = sizeof(cut);
	CHECK_ERR(fake_run(&f, ca, &d), CCTSA_E_IO);
	f.resp = good;
	f.resp_len = sizeof(good);
	f.alpn = 0;
	CHECK_ERR(fake_run(&f, ca, &d), CCTSA_E_VERIFY);
	fprintf(stderr, "fake KE without ALPN: %s\n", d.msg);
	f.alpn = 1;
	f.tls12 = 1;
	CHECK_ERR(fake_run(&f, ca, &d), CCTSA_E_CRYPTO);
	fprintf(stderr, "fake KE TLS 1.2 only: %s\n", d.msg);
	f.tls12 = 0;
	f.cert = other_cert;
	f.key = other_key;
	CHECK_ERR(fake_run(&f, ca, &d), CCTSA_E_VERIFY);
	fprintf(stderr, "fake KE certificate for another name: %s\n", d.msg);
}
