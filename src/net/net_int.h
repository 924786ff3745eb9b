/* net: internal declarations shared by the module's files. */
#ifndef CCTSA_NET_INT_H
#define CCTSA_NET_INT_H

#include <stddef.h>
#include <stdint.h>

/* 1 if s[0..n) is strict UTF-8 without NUL. */
int net_utf8_ok(const uint8_t *s, size_t n);

struct sockaddr_un;
#include "cctsa/base.h"
/* Fills a Unix socket address; CCTSA_E_USAGE if path is empty or too long. */
CCTSA_MUST_USE cctsa_err net_unix_addr(struct sockaddr_un *sa, const char *path, cctsa_diag *diag);

#include "cctsa/attest.h"
/* Splits an ATTEST payload into the report (1184 bytes) and the chain views. */
CCTSA_MUST_USE cctsa_err net_attest_parse(const uint8_t **report, cctsa_snp_chain *chain, const uint8_t *p,
					  size_t len);

#include <openssl/ssl.h>
/* A fresh P-384 key, its self-signed certificate and the TLS 1.3 context using
 * them; key_hash is SHA-384 of its SubjectPublicKeyInfo. */
CCTSA_MUST_USE cctsa_err net_tls_identity(SSL_CTX **ctx, uint8_t key_hash[static 48], cctsa_diag *diag);
/* SHA-384 of the SPKI of the certificate the peer proved in this session. */
CCTSA_MUST_USE cctsa_err net_tls_peer_key_hash(uint8_t out[static 48], SSL *ssl, cctsa_diag *diag);

#endif
