/* tsp internals shared by the request, token, local-signer and verification code. */
#ifndef CCTSA_TSP_TSP_INT_H
#define CCTSA_TSP_TSP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/der.h"
#include "cctsa/tsp.h"

/* OIDs used by the token (content octets). */
#define TSP_OID_SIGNED_DATA "1.2.840.113549.1.7.2"
#define TSP_OID_CT_TSTINFO "1.2.840.113549.1.9.16.1.4"
#define TSP_OID_ATTR_CONTENT_TYPE "1.2.840.113549.1.9.3"
#define TSP_OID_ATTR_MESSAGE_DIGEST "1.2.840.113549.1.9.4"
#define TSP_OID_ATTR_SIGNING_CERT_V2 "1.2.840.113549.1.9.16.2.47"
#define TSP_OID_ATTR_SIGNING_CERT "1.2.840.113549.1.9.16.2.12"
#define TSP_OID_ECDSA_SHA384 "1.2.840.10045.4.3.3"
#define TSP_OID_MLDSA65 "2.16.840.1.101.3.4.3.18"
#define TSP_OID_SHA256 "2.16.840.1.101.3.4.2.1"
#define TSP_OID_SHA384 "2.16.840.1.101.3.4.2.2"
#define TSP_OID_SHA512 "2.16.840.1.101.3.4.2.3"

#define TSP_ECDSA_RAW_LEN 96
#define TSP_MLDSA_SIG_LEN 3309
#define TSP_MLDSA_PK_LEN 1952

/* Dotted OID of a request hash algorithm, NULL if unknown. */
const char *cctsa_tsp_hash_oid(cctsa_tsp_hash h);

/* The fields of a certificate the token needs (all pointing into the certificate). */
typedef struct {
	cctsa_der_elem tbs;     /* TBSCertificate TLV */
	cctsa_der_elem serial;  /* INTEGER TLV */
	cctsa_der_elem issuer;  /* Name TLV */
	cctsa_der_elem subject; /* Name TLV */
	cctsa_der_elem spki;    /* SubjectPublicKeyInfo TLV */
	cctsa_der_elem sig_alg; /* outer signatureAlgorithm TLV */
	const uint8_t *sig;     /* signatureValue bits */
	size_t sig_len;
	int64_t not_before, not_after;
} tsp_cert;

/* Splits a DER certificate into the fields above (structure only, no signature check). */
CCTSA_MUST_USE cctsa_err cctsa_tsp_cert_parse(tsp_cert *out, const uint8_t *der, size_t len,
					      cctsa_diag *diag);

/* One-shot digest with OpenSSL by dotted OID name of hash ("sha256"...). out >= 64. */
CCTSA_MUST_USE cctsa_err cctsa_tsp_digest(const char *name, uint8_t *out, size_t *out_len,
					  const uint8_t *p, size_t n);

/* TSTInfo v1 fields for cctsa_tsp_sign_check (tsp_view.c). */
CCTSA_MUST_USE cctsa_err cctsa_tsp_tstinfo_fields_read(cctsa_tsp_tstinfo_fields *out, const uint8_t *tst,
						       size_t len, cctsa_diag *diag);

/* Appends a PKIFailureInfo-style BIT STRING with one named bit set. */
CCTSA_MUST_USE cctsa_err cctsa_tsp_put_fail_bits(cctsa_buf *b, unsigned bit);

#endif
