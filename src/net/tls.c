/*
 * net: the boot TLS identity of a core (fresh ECDSA P-384 key, self-signed
 * certificate) and the TLS 1.3 context of the peer channels. Peer certificates
 * are accepted as presented: the attestation decides (net.h).
 */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "cctsa/net.h"
#include "net_int.h"

/* TLS proves possession of the presented key; trust comes from ATTEST. */
static int accept_any_cert(int preverify_ok, X509_STORE_CTX *ctx)
{
	(void)preverify_ok;
	(void)ctx;
	return 1;
}

static cctsa_err make_cert(X509 **out, EVP_PKEY *key, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	X509 *x = X509_new();
	X509_NAME *name = NULL;
	uint8_t serial[16];
	BIGNUM *bn = NULL;

	*out = NULL;
	CCTSA_ENSURE(x != NULL, CCTSA_E_CRYPTO);
	CCTSA_TRY(cctsa_rand_bytes(serial, sizeof(serial)));
	serial[0] &= 0x7f;
	serial[0] |= 0x40;
	bn = BN_bin2bn(serial, (int)sizeof(serial), NULL);
	CCTSA_ENSURE(bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(X509_set_version(x, 2) == 1, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(X509_gmtime_adj(X509_getm_notAfter(x), 366L * 86400) != NULL, CCTSA_E_CRYPTO);
	name = X509_get_subject_name(x);
	CCTSA_ENSURE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
						(const unsigned char *)"cctsa-core peer (attested)", -1, -1,
						0) == 1,
		     CCTSA_E_CRYPTO);
	CCTSA_ENSURE(X509_set_issuer_name(x, name) == 1, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(X509_set_pubkey(x, key) == 1, CCTSA_E_CRYPTO);
	CCTSA_ENSURE(X509_sign(x, key, EVP_sha384()) > 0, CCTSA_E_CRYPTO);
	*out = x;
	x = NULL;
out:
	if (err != CCTSA_OK) {
		(void)cctsa_fail(diag, err, "TLS: cannot make the boot certificate");
	}
	BN_free(bn);
	X509_free(x);
	return err;
}

static cctsa_err make_ctx(SSL_CTX **out, X509 *cert, EVP_PKEY *key, cctsa_diag *diag)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());

	*out = NULL;
	if (ctx == NULL || SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1 || SSL_CTX_set1_groups_list(ctx, "P-384:X25519") != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256") != 1 ||
	    SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA384") != 1 || SSL_CTX_set_num_tickets(ctx, 0) != 1) {
		SSL_CTX_free(ctx);
		return cctsa_fail(diag, CCTSA_E_CRYPTO, "TLS: cannot set up the TLS 1.3 context");
	}
	/* No resumption: every channel presents and proves its certificate. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_cert);
	*out = ctx;
	return CCTSA_OK;
}

cctsa_err net_tls_identity(SSL_CTX **ctx, uint8_t key_hash[static CCTSA_NET_HASH_LEN], cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	X509 *cert = NULL;

	*ctx = NULL;
	if (key == NULL) {
		return cctsa_fail(diag, CCTSA_E_CRYPTO, "TLS: cannot generate the P-384 boot key");
	}
	CCTSA_TRY(make_cert(&cert, key, diag));
	CCTSA_TRY(cctsa_net_key_hash(key_hash, key, diag));
	CCTSA_TRY(make_ctx(ctx, cert, key, diag));
out:
	X509_free(cert);
	EVP_PKEY_free(key); /* the context holds its own reference */
	return err;
}

cctsa_err net_tls_peer_key_hash(uint8_t out[static CCTSA_NET_HASH_LEN], SSL *ssl, cctsa_diag *diag)
{
	X509 *peer = SSL_get0_peer_certificate(ssl);
	EVP_PKEY *pk = peer != NULL ? X509_get0_pubkey(peer) : NULL;

	if (pk == NULL) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "TLS: peer presented no certificate key");
	}
	if (SSL_version(ssl) != TLS1_3_VERSION || EVP_PKEY_get_id(pk) != EVP_PKEY_EC || EVP_PKEY_get_bits(pk) != 384) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "TLS: peer key is not ECDSA P-384 over TLS 1.3");
	}
	return cctsa_net_key_hash(out, pk, diag);
}
