/* x509: offline CA internals shared by ca.c (init) and ca_issue.c (issue). */
#ifndef CCTSA_X509_CA_INT_H
#define CCTSA_X509_CA_INT_H

#include "x509/x509_int.h"

#define CCTSA_CA_FORMAT "cctsa-ca/1"
#define CCTSA_CA_CONFIG "ca.json"
#define CCTSA_CA_ROOT_ECDSA "root-ecdsa.pem"
#define CCTSA_CA_ROOT_MLDSA "root-mldsa.pem"
#define CCTSA_CA_LOG "issuance.log"
/* The shared secret: P-384 scalar (48) || ML-DSA-65 seed (32). */
#define CCTSA_CA_SECRET_LEN 80
#define CCTSA_CA_SERIAL_LEN 16

/* dir "/" name into out. CCTSA_E_USAGE if it does not fit. */
CCTSA_MUST_USE cctsa_err cctsa_x509_ca_path(char *out, size_t cap, const char *dir, const char *name);
/* A random positive 16-octet serial. */
CCTSA_MUST_USE cctsa_err cctsa_x509_random_serial(uint8_t serial[CCTSA_CA_SERIAL_LEN]);
/* PEM armour of der written to path (mode 0644, atomic). */
CCTSA_MUST_USE cctsa_err cctsa_x509_write_pem_file(const char *path, const char *label, const uint8_t *der,
						   size_t len, cctsa_diag *diag);
/* A self-signed root for key (O=org, CN=cn), valid from an hour ago for days. */
CCTSA_MUST_USE cctsa_err cctsa_x509_make_root(cctsa_buf *der, cctsa_x509_key *key, const char *org,
					      const char *cn, unsigned days, cctsa_diag *diag);

#endif
