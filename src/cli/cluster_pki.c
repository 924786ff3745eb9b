/* Throw-away TLS PKI of a local cluster: one ECDSA P-256 CA for the NTS servers and
 * one for the gateways' HTTPS, leaf certificates for 127.0.0.1 / localhost. These
 * keys protect transport only (the tokens are signed by the threshold keys). */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cluster_int.h"

static cctsa_err write_pem(const char *path, int mode, int (*wr)(FILE *, const void *), const void *obj,
			   cctsa_diag *diag)
{
	FILE *f;
	int fd;
	int ok;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		if (fd >= 0) {
			close(fd);
		}
		return cctsa_fail(diag, CCTSA_E_IO, "cannot write %s", path);
	}
	ok = wr(f, obj);
	if (fclose(f) != 0 || !ok) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot write %s", path);
	}
	return CCTSA_OK;
}

static int wr_key(FILE *f, const void *k)
{
	return PEM_write_PrivateKey(f, (EVP_PKEY *)(uintptr_t)k, NULL, NULL, 0, NULL, NULL) == 1;
}

static int wr_cert(FILE *f, const void *c)
{
	return PEM_write_X509(f, (X509 *)(uintptr_t)c) == 1;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL) {
		return 0;
	}
	ok = X509_add_ext(cert, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate for key named cn, signed by (issuer, ikey), or self-signed when issuer is NULL. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();
	uint8_t serial[16];
	BIGNUM *bn = NULL;
	int ok;

	if (c == NULL || name == NULL || cctsa_rand_bytes(serial, sizeof(serial)) != CCTSA_OK) {
		goto fail;
	}
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) != NULL &&
	     X509_set_version(c, 2) == 1 &&
	     X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) == 1 &&
	     X509_set_subject_name(c, name) == 1 &&
	     X509_set_issuer_name(c, issuer != NULL ? X509_get_subject_name(issuer) : name) == 1 &&
	     X509_gmtime_adj(X509_getm_notBefore(c), -3600) != NULL &&
	     X509_gmtime_adj(X509_getm_notAfter(c), 30L * 86400) != NULL && X509_set_pubkey(c, key) == 1;
	if (!ok) {
		goto fail;
	}
	if (issuer == NULL) {
		ok = add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
		     add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign") &&
		     add_ext(c, c, NID_subject_key_identifier, "hash");
	} else {
		ok = add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE") &&
		     add_ext(c, issuer, NID_key_usage, "critical,digitalSignature") &&
		     add_ext(c, issuer, NID_ext_key_usage, "serverAuth") &&
		     add_ext(c, issuer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") &&
		     add_ext(c, issuer, NID_authority_key_identifier, "keyid:always");
	}
	if (!ok || X509_sign(c, ikey != NULL ? ikey : key, EVP_sha256()) <= 0) {
		goto fail;
	}
	BN_free(bn);
	X509_NAME_free(name);
	return c;
fail:
	BN_free(bn);
	X509_NAME_free(name);
	X509_free(c);
	return NULL;
}

cctsa_err cl_pki_ca(const char *key_path, const char *cert_path, const char *cn, cctsa_diag *diag)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = key != NULL ? make_cert(key, cn, NULL, NULL) : NULL;
	cctsa_err err = CCTSA_OK;

	if (cert == NULL) {
		err = cctsa_fail(diag, CCTSA_E_CRYPTO, "cannot make the %s certificate", cn);
	} else {
		err = write_pem(key_path, 0600, wr_key, key, diag);
		if (err == CCTSA_OK) {
			err = write_pem(cert_path, 0644, wr_cert, cert, diag);
		}
	}
	X509_free(cert);
	EVP_PKEY_free(key);
	return err;
}

static cctsa_err load_ca(const char *ca_key, const char *ca_cert, EVP_PKEY **k, X509 **c, cctsa_diag *diag)
{
	FILE *f = fopen(ca_key, "r");

	*k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f != NULL) {
		fclose(f);
	}
	f = fopen(ca_cert, "r");
	*c = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f != NULL) {
		fclose(f);
	}
	if (*k == NULL || *c == NULL) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot read the CA %s / %s", ca_key, ca_cert);
	}
	return CCTSA_OK;
}

static int wr_chain(FILE *f, const void *pair)
{
	X509 *const *c = pair;

	return PEM_write_X509(f, c[0]) == 1 && PEM_write_X509(f, c[1]) == 1;
}

cctsa_err cl_pki_leaf(const char *ca_key, const char *ca_cert, const char *key_path, const char *chain_path,
		      const char *cn, cctsa_diag *diag)
{
	EVP_PKEY *ik = NULL, *key = EVP_EC_gen("P-256");
	X509 *ic = NULL, *cert = NULL;
	X509 *pair[2];
	cctsa_err err;

	err = load_ca(ca_key, ca_cert, &ik, &ic, diag);
	if (err == CCTSA_OK) {
		cert = key != NULL ? make_cert(key, cn, ic, ik) : NULL;
		if (cert == NULL) {
			err = cctsa_fail(diag, CCTSA_E_CRYPTO, "cannot make the %s certificate", cn);
		}
	}
	if (err == CCTSA_OK) {
		err = write_pem(key_path, 0600, wr_key, key, diag);
	}
	if (err == CCTSA_OK) {
		pair[0] = cert;
		pair[1] = ic;
		err = write_pem(chain_path, 0644, wr_chain, pair, diag);
	}
	X509_free(cert);
	X509_free(ic);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ik);
	return err;
}
