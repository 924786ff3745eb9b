/* Views into DER tokens and responses for verification (tsp_view.c). Pointers go into the input. */
#ifndef CCTSA_TSP_TSP_VIEW_H
#define CCTSA_TSP_TSP_VIEW_H

#include "base/ct.h"
#include "tsp_int.h"

#define TSP_VIEW_CERTS_MAX 16

typedef struct {
	uint64_t version;
	cctsa_der_elem sid_issuer, sid_serial; /* version 1 */
	cctsa_der_elem sid_ski;                /* version 3 */
	cctsa_der_elem digest_alg;             /* OID */
	cctsa_der_elem signed_attrs;           /* [0] IMPLICIT SET OF (tag A0) */
	cctsa_der_elem sig_alg;                /* OID */
	int sig_alg_has_params;
	const uint8_t *sig;
	size_t sig_len;
	cctsa_der_elem companion; /* ContentInfo of the companion token, der == NULL if none */
} tsp_signer_view;

typedef struct {
	const uint8_t *der;
	size_t der_len;
	cctsa_der_elem tstinfo; /* OCTET STRING; val = the TSTInfo DER */
	cctsa_der_elem certs[TSP_VIEW_CERTS_MAX];
	size_t ncerts;
	tsp_signer_view signer;
} tsp_token_view;

typedef struct {
	uint64_t status;
	cctsa_cursor status_text;
	const uint8_t *fail_bits;
	size_t fail_bits_len;
	unsigned fail_unused;
	cctsa_der_elem token; /* der == NULL if absent */
	int bare;             /* input was a bare token */
} tsp_resp_view;

typedef struct {
	uint64_t version;
	cctsa_der_elem policy, hash_alg; /* OIDs */
	const uint8_t *imprint;
	size_t imprint_len;
	cctsa_der_elem serial;
	int64_t gen_time;
	uint32_t gen_nanos;
	cctsa_der_elem accuracy, nonce, tsa; /* der == NULL if absent; tsa is the [0] element */
	int ordering;
} tsp_tstinfo_view;

CCTSA_MUST_USE cctsa_err cctsa_tsp_view_resp(tsp_resp_view *rv, const uint8_t *der, size_t len,
					     cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_tsp_view_token(tsp_token_view *tv, const uint8_t *der, size_t len,
					      cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_tsp_view_tstinfo(tsp_tstinfo_view *ti, const uint8_t *der, size_t len,
						cctsa_diag *diag);

#endif
