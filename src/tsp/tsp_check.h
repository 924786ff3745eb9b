/* Per-token verification (tsp_check.c) and chain validation (tsp_chain.c). */
#ifndef CCTSA_TSP_TSP_CHECK_H
#define CCTSA_TSP_TSP_CHECK_H

#include <openssl/x509.h>
#include <stdio.h>

#include "cctsa/x509.h"
#include "tsp_view.h"

#define TSP_ENV_CERTS_MAX 32

/* What the relying party supplies: trust anchors and extra untrusted certificates. */
typedef struct {
	X509_STORE *store;                      /* classical anchors, NULL if none */
	cctsa_buf extra_buf;                    /* DER of the untrusted certificates */
	cctsa_der_elem extra[TSP_ENV_CERTS_MAX];
	size_t nextra;
	cctsa_buf pq_buf;                       /* DER of the ML-DSA anchors */
	cctsa_der_elem pq_ca[TSP_ENV_CERTS_MAX];
	size_t npq_ca;
	cctsa_x509_binding binding;             /* expected measurement binding */
	int have_binding;
} tsp_env;

/* The outcome for one token. */
typedef struct {
	int present, pq, ok;
	char why[200];
	tsp_tstinfo_view ti;
	cctsa_der_elem signer; /* the signer's certificate, once found */
} tsp_check;

/* Verifies tv: CCTSA_OK and r->ok = 1, or CCTSA_E_VERIFY with r->why. */
/* The return value repeats r->ok (CCTSA_OK) or not (CCTSA_E_VERIFY); callers may use either. */
cctsa_err cctsa_tsp_check_token(tsp_check *r, const tsp_token_view *tv,
					       const tsp_env *env);
CCTSA_MUST_USE cctsa_err cctsa_tsp_chain_classical(tsp_check *r, const tsp_token_view *tv,
						   const tsp_env *env);
CCTSA_MUST_USE cctsa_err cctsa_tsp_chain_pq(tsp_check *r, const tsp_token_view *tv, const tsp_env *env,
					    const tsp_cert *sc);
/* 1 if the certificate's subjectKeyIdentifier equals ski. */
int tsp_cert_ski_is(const cctsa_der_elem *cert, const uint8_t *ski, size_t len);

/* Loads every certificate of a PEM (or single DER) file into buf/elems. */
CCTSA_MUST_USE cctsa_err cctsa_tsp_load_certs(cctsa_buf *buf, cctsa_der_elem *elems, size_t cap,
					      size_t *n, const char *path, cctsa_diag *diag);

#endif
