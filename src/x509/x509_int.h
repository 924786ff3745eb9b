/* x509 internals shared by the builder, the parser and the verifier. */
#ifndef CCTSA_X509_X509_INT_H
#define CCTSA_X509_X509_INT_H

#include "cctsa/der.h"
#include "cctsa/x509.h"

/* Dotted OID of a signature algorithm (NULL for NONE/unknown). */
const char *cctsa_x509_alg_oid(cctsa_sig_alg alg);
/* Signature algorithm named by OID content octets (NONE if not ours). */
cctsa_sig_alg cctsa_x509_alg_from_oid(const uint8_t *oid, size_t len);
/*
 * Reads an AlgorithmIdentifier. For our algorithms parameters must be absent
 * (MALFORMED otherwise); for others *alg = NONE and the parameters are skipped.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_read_alg(cctsa_cursor *c, cctsa_sig_alg *alg, cctsa_diag *diag);
/*
 * Parses a SubjectPublicKeyInfo: *key_alg is the algorithm whose signatures the
 * key makes (ECDSA P-384 or ML-DSA-44/65/87; NONE for other keys), *pub the raw
 * key (EC point / ML-DSA pk) inside the BIT STRING.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_spki_parse(const uint8_t *spki, size_t len, cctsa_sig_alg *key_alg,
					       const uint8_t **pub, size_t *pub_len, cctsa_diag *diag);
/*
 * Parses an Extensions SEQUENCE (the contents of [3] or of an extensionRequest)
 * into the extension fields of c. csr: only policies and binding are accepted.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_parse_exts(cctsa_x509_cert *c, cctsa_cursor *exts, cctsa_diag *diag);
/* Parses a certificatePolicies value (SEQUENCE OF PolicyInformation) at v; sets c->policies. */
CCTSA_MUST_USE cctsa_err cctsa_x509_parse_policies_value(cctsa_x509_cert *c, cctsa_cursor *v, cctsa_diag *diag);
/* SHA-1 key identifier (RFC 5280 §4.2.1.2 method 1) of a raw public key. */
CCTSA_MUST_USE cctsa_err cctsa_x509_key_id(uint8_t out[20], const uint8_t *spki, size_t spki_len);
/* Signs tbs with s and appends SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING sig } to out. */
CCTSA_MUST_USE cctsa_err cctsa_x509_sign_wrap(cctsa_buf *out, const uint8_t *tbs, size_t tbs_len,
					      const cctsa_signer *s, cctsa_diag *diag);
/* Writes certificatePolicies (SEQUENCE OF PolicyInformation) for the NULL-terminated list. */
CCTSA_MUST_USE cctsa_err cctsa_x509_put_policies(cctsa_buf *out, const char *const *policies, size_t max);

#endif
