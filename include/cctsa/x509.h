/*
 * x509: the project's X.509 profile. Builds X.509 v3 certificates and PKCS#10
 * CSRs signed with ECDSA P-384 (ecdsa-with-SHA384, no parameters) or ML-DSA-65
 * (id-ml-dsa-65, absent parameters, pure ML-DSA with the empty context, RFC 9881)
 * through a signer interface, so a threshold signer plugs in where a local key
 * does; parses certificates and CSRs strictly (DER) and verifies signatures,
 * validity, chaining and the extension profile (basicConstraints, keyUsage, EKU);
 * encodes and decodes the measurement-binding extension (DESIGN.md §3), also as
 * JSON (binding.json).
 *
 * Parsed structures point into the caller's DER, which must outlive them.
 * Library code: no printing; every failure has a cctsa_diag message.
 */
#ifndef CCTSA_X509_H
#define CCTSA_X509_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"

/* ---- object identifiers (dotted text; cctsa_der_put_oid_text / cctsa_der_oid_is) ---- */
/* Project arc under the documentation PEN 32473 (RFC 5612). */
#define CCTSA_OID_ARC "1.3.6.1.4.1.32473"
/* Non-critical measurement-binding certificate extension (cctsa_x509_binding). */
#define CCTSA_OID_BINDING_EXT "1.3.6.1.4.1.32473.1.1"
/* Unsigned attribute of a SignerInfo carrying the companion TimeStampToken. */
#define CCTSA_OID_COMPANION_ATTR "1.3.6.1.4.1.32473.1.2"
/* TSA policy: post-quantum (ML-DSA-65 token outside). */
#define CCTSA_OID_POLICY_PQ "1.3.6.1.4.1.32473.1.3"
/* TSA policy: default (hybrid: ECDSA P-384 token outside, ML-DSA-65 companion). */
#define CCTSA_OID_POLICY_DEFAULT "1.3.6.1.4.1.32473.1.4"

#define CCTSA_OID_ECDSA_SHA384 "1.2.840.10045.4.3.3"
#define CCTSA_OID_EC_PUBLIC_KEY "1.2.840.10045.2.1"
#define CCTSA_OID_SECP384R1 "1.3.132.0.34"
#define CCTSA_OID_MLDSA44 "2.16.840.1.101.3.4.3.17"
#define CCTSA_OID_MLDSA65 "2.16.840.1.101.3.4.3.18"
#define CCTSA_OID_MLDSA87 "2.16.840.1.101.3.4.3.19"
#define CCTSA_OID_KP_TIMESTAMPING "1.3.6.1.5.5.7.3.8"
#define CCTSA_OID_EXT_SKI "2.5.29.14"
#define CCTSA_OID_EXT_KEY_USAGE "2.5.29.15"
#define CCTSA_OID_EXT_BASIC_CONSTRAINTS "2.5.29.19"
#define CCTSA_OID_EXT_CERT_POLICIES "2.5.29.32"
#define CCTSA_OID_EXT_AKI "2.5.29.35"
#define CCTSA_OID_EXT_EKU "2.5.29.37"
#define CCTSA_OID_EXTENSION_REQUEST "1.2.840.113549.1.9.14"

/* ---- signature algorithms ---- */
typedef enum {
	CCTSA_SIG_NONE = 0,
	CCTSA_SIG_ECDSA_P384_SHA384 = 1, /* key: EC P-384; sig: ecdsa-with-SHA384 */
	CCTSA_SIG_MLDSA44 = 44,          /* verification only */
	CCTSA_SIG_MLDSA65 = 65,
	CCTSA_SIG_MLDSA87 = 87 /* verification only */
} cctsa_sig_alg;

/* Longest signature value we produce or accept (ML-DSA-87). */
#define CCTSA_X509_SIG_MAX 4627

/*
 * A signer. Fields are public so threshold signers can fill one in. sign() signs
 * the whole message msg (ECDSA: SHA-384 then ECDSA; ML-DSA: pure ML-DSA, empty
 * context) and appends the signature value to sig: for ECDSA the DER
 * Ecdsa-Sig-Value, for ML-DSA the raw signature. It returns CCTSA_OK or an error
 * with a diag message. spki is the signer's SubjectPublicKeyInfo DER.
 */
typedef struct cctsa_signer {
	cctsa_sig_alg alg;
	const uint8_t *spki;
	size_t spki_len;
	cctsa_err (*sign)(void *ctx, cctsa_buf *sig, const uint8_t *msg, size_t msg_len, cctsa_diag *diag);
	void *ctx;
} cctsa_signer;

/*
 * Verifies sig over msg with the public key in spki for alg (pure ML-DSA with
 * empty context; ECDSA with SHA-384 and a DER Ecdsa-Sig-Value). Returns CCTSA_OK,
 * CCTSA_E_VERIFY (bad signature, or key not of alg), CCTSA_E_MALFORMED (bad spki),
 * CCTSA_E_UNSUPPORTED (alg). All inputs public. Also used for CMS SignerInfos.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_sig_verify(cctsa_sig_alg alg, const uint8_t *spki, size_t spki_len,
					       const uint8_t *msg, size_t msg_len, const uint8_t *sig,
					       size_t sig_len, cctsa_diag *diag);

/* Writes the AlgorithmIdentifier of alg (no parameters) into out. */
CCTSA_MUST_USE cctsa_err cctsa_x509_put_sig_alg(cctsa_buf *out, cctsa_sig_alg alg);

/* ---- local private keys (tests, testpki, the offline CA) ---- */
/*
 * A local key in secret memory where we hold it (ML-DSA: cctsa_secret_alloc; ECDSA:
 * OpenSSL's EVP_PKEY, whose scalar OpenSSL keeps in its own heap). Opaque.
 */
typedef struct cctsa_x509_key cctsa_x509_key;

/* Fresh key for alg (CCTSA_SIG_ECDSA_P384_SHA384 or CCTSA_SIG_MLDSA65). */
CCTSA_MUST_USE cctsa_err cctsa_x509_key_generate(cctsa_x509_key **key, cctsa_sig_alg alg, cctsa_diag *diag);
/*
 * Key from its compact secret (secret input): ECDSA the 48-byte scalar (1..n-1),
 * ML-DSA-65 the 32-byte seed. CCTSA_E_MALFORMED on a bad length or scalar.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_key_from_secret(cctsa_x509_key **key, cctsa_sig_alg alg,
						    const uint8_t *secret, size_t len, cctsa_diag *diag);
/* The compact secret (as above) into out (caller's secret memory, cap >= 48). */
#define CCTSA_X509_KEY_SECRET_MAX 48
CCTSA_MUST_USE cctsa_err cctsa_x509_key_secret(const cctsa_x509_key *key, uint8_t *out, size_t cap,
					       size_t *out_len);
/* PKCS#8 PEM ("PRIVATE KEY") into out, which should be a secret-marked buffer. */
CCTSA_MUST_USE cctsa_err cctsa_x509_key_to_pem(const cctsa_x509_key *key, cctsa_buf *out, cctsa_diag *diag);
/* Loads PKCS#8 PEM (either algorithm). CCTSA_E_MALFORMED / CCTSA_E_UNSUPPORTED. */
CCTSA_MUST_USE cctsa_err cctsa_x509_key_from_pem(cctsa_x509_key **key, const uint8_t *pem, size_t len,
						 cctsa_diag *diag);
cctsa_sig_alg cctsa_x509_key_alg(const cctsa_x509_key *key);
/* Fills s to sign with key (valid while key lives). */
void cctsa_x509_key_signer(cctsa_x509_key *key, cctsa_signer *s);
/* Wipes and frees; key may be NULL. */
void cctsa_x509_key_free(cctsa_x509_key *key);

/* ---- names ---- */
/*
 * Writes a DER Name: RDNs O=org (if non-NULL) then CN=cn, each a UTF8String
 * (PrintableString where the text allows it). CCTSA_E_USAGE on empty/bad text.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_name_write(cctsa_buf *out, const char *org, const char *cn);

/* ---- measurement binding (DESIGN.md §3) ---- */
#define CCTSA_BINDING_VERSION 1
#define CCTSA_BINDING_PLATFORM_MAX 32
#define CCTSA_BINDING_HASH_LEN 48
/*
 * MeasurementBinding ::= SEQUENCE {
 *   version            INTEGER (1),
 *   platform           UTF8String (SIZE (1..32)),   -- "sev-snp", "sim": [a-z0-9._-]
 *   launchMeasurement  OCTET STRING (SIZE (48)),
 *   minimumTcb         INTEGER (0..18446744073709551615),
 *   dkgTranscriptHash  OCTET STRING (SIZE (48)),     -- SHA-384 of the DKG transcript
 *   keyEpoch           INTEGER (0..18446744073709551615) }
 * Fields public (stack-allocated by callers).
 */
typedef struct {
	uint32_t version;
	char platform[CCTSA_BINDING_PLATFORM_MAX + 1];
	uint8_t measurement[CCTSA_BINDING_HASH_LEN];
	uint64_t min_tcb;
	uint8_t transcript_hash[CCTSA_BINDING_HASH_LEN];
	uint64_t key_epoch;
} cctsa_x509_binding;

/* DER of b into out. CCTSA_E_USAGE if the platform text is empty, too long or has other characters. */
CCTSA_MUST_USE cctsa_err cctsa_x509_binding_encode(cctsa_buf *out, const cctsa_x509_binding *b);
/* Strict decode of exactly one MeasurementBinding (CCTSA_E_MALFORMED / CCTSA_E_UNSUPPORTED version). */
CCTSA_MUST_USE cctsa_err cctsa_x509_binding_decode(cctsa_x509_binding *b, const uint8_t *der, size_t len,
						   cctsa_diag *diag);
/*
 * JSON form: {"version":1,"platform":"sim","launch_measurement":"<96 hex>",
 * "minimum_tcb":"<16 hex>","dkg_transcript_sha384":"<96 hex>","key_epoch":"<16 hex>"}
 * to_json appends it (no trailing newline); from_json refuses unknown or missing keys.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_binding_to_json(cctsa_buf *out, const cctsa_x509_binding *b);
CCTSA_MUST_USE cctsa_err cctsa_x509_binding_from_json(cctsa_x509_binding *b, const char *json, size_t len,
						      cctsa_diag *diag);
/* CCTSA_OK if equal, CCTSA_E_VERIFY with the first differing field named in diag. */
CCTSA_MUST_USE cctsa_err cctsa_x509_binding_compare(const cctsa_x509_binding *want,
						    const cctsa_x509_binding *got, cctsa_diag *diag);

/* ---- certificates ---- */
#define CCTSA_X509_SERIAL_MAX 20
#define CCTSA_X509_MAX_POLICIES 4
#define CCTSA_X509_KU_DIGITAL_SIGNATURE 0x0080u /* bit 0 */
#define CCTSA_X509_KU_KEY_CERT_SIGN 0x0004u    /* bit 5 */
#define CCTSA_X509_KU_CRL_SIGN 0x0002u         /* bit 6 */

typedef enum {
	CCTSA_X509_PROFILE_ROOT = 1, /* CA:TRUE (critical), KU keyCertSign|cRLSign (critical), SKI */
	CCTSA_X509_PROFILE_TSA = 2   /* KU digitalSignature (critical), EKU timeStamping only
				      * (critical), certificatePolicies, binding (non-critical),
				      * SKI, AKI */
} cctsa_x509_profile;

/* What to put in a certificate. Pointers are borrowed. */
typedef struct {
	cctsa_x509_profile profile;
	const uint8_t *serial; /* positive, 1..20 octets, big-endian magnitude */
	size_t serial_len;
	const uint8_t *issuer; /* DER Name */
	size_t issuer_len;
	const uint8_t *subject; /* DER Name */
	size_t subject_len;
	int64_t not_before; /* Unix seconds */
	int64_t not_after;
	const uint8_t *spki; /* subject's SubjectPublicKeyInfo DER */
	size_t spki_len;
	const char *policies[CCTSA_X509_MAX_POLICIES]; /* TSA: dotted OIDs, NULL-terminated */
	const uint8_t *policies_der; /* TSA: or a certificatePolicies value copied verbatim (e.g. from a CSR) */
	size_t policies_der_len;
	const uint8_t *binding; /* TSA: MeasurementBinding DER, or NULL */
	size_t binding_len;
} cctsa_x509_cert_params;

/*
 * Builds and signs a certificate: TBSCertificate per p, signed by issuer (its
 * spki gives the AKI). Appends the DER to out. CCTSA_E_USAGE for bad params
 * (serial, times, profile), signer errors as returned by issuer->sign.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_cert_build(cctsa_buf *out, const cctsa_x509_cert_params *p,
					       const cctsa_signer *issuer, cctsa_diag *diag);

/* A parsed certificate; pointers into the DER. Fields public, read-only. */
typedef struct {
	const uint8_t *der, *tbs, *sig, *serial, *issuer, *subject, *spki, *pub;
	size_t der_len, tbs_len, sig_len, serial_len, issuer_len, subject_len, spki_len, pub_len;
	cctsa_sig_alg sig_alg; /* NONE if the signature algorithm is not ours */
	cctsa_sig_alg key_alg; /* NONE if the key algorithm is not ours */
	int64_t not_before, not_after;
	int is_ca;       /* basicConstraints cA */
	int path_len;    /* -1 if absent */
	int has_ku;      /* keyUsage present */
	unsigned ku;     /* CCTSA_X509_KU_* bits */
	int has_eku, eku_critical;
	int eku_ts;      /* EKU contains id-kp-timeStamping */
	unsigned eku_n;  /* number of EKU purposes */
	const uint8_t *ski, *aki; /* key identifiers or NULL */
	size_t ski_len, aki_len;
	const uint8_t *policies; /* certificatePolicies extension value (DER) or NULL */
	size_t policies_len;
	const uint8_t *binding; /* binding extension value (DER) or NULL */
	size_t binding_len;
} cctsa_x509_cert;

/*
 * Strict parse of exactly one DER certificate (v3 only, or v1 without extensions):
 * CCTSA_E_MALFORMED for any DER or structure error, a duplicate extension,
 * or signatureAlgorithm != tbs.signature; CCTSA_E_UNSUPPORTED for an unknown
 * critical extension.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_cert_parse(cctsa_x509_cert *c, const uint8_t *der, size_t len,
					       cctsa_diag *diag);
/* First "CERTIFICATE" PEM block (or DER as given, if it starts with 0x30) into der. */
CCTSA_MUST_USE cctsa_err cctsa_x509_pem_to_der(cctsa_buf *der, const char *label, const uint8_t *in, size_t len,
					       cctsa_diag *diag);
/* PEM armour of der with label (64-column base64) appended to out. */
CCTSA_MUST_USE cctsa_err cctsa_x509_der_to_pem(cctsa_buf *out, const char *label, const uint8_t *der,
					       size_t len);
/* Whether the certificate lists policy_oid in certificatePolicies. */
int cctsa_x509_cert_has_policy(const cctsa_x509_cert *c, const char *policy_oid);

/*
 * Checks cert's signature with issuer's key and that issuer's subject is cert's
 * issuer, compared as exact DER (no RFC 5280 §7.1 case folding: every CA we chain
 * to writes both names from the same bytes). CCTSA_E_VERIFY if either fails,
 * CCTSA_E_UNSUPPORTED if cert is signed with an algorithm that is not ours.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_cert_check_signed_by(const cctsa_x509_cert *cert,
							 const cctsa_x509_cert *issuer, cctsa_diag *diag);

#define CCTSA_X509_PURPOSE_ANY 0u
#define CCTSA_X509_PURPOSE_TSA 1u /* leaf: critical EKU = {timeStamping}, KU digitalSignature, not a CA */
/*
 * Verifies leaf -> inter[0] -> ... -> inter[n-1] -> root at time at (Unix
 * seconds): every signature (the root's self-signature too), names chained,
 * validity of each at `at`, CA flags, keyUsage keyCertSign on issuers, path
 * lengths, and the leaf purpose. inter may be NULL when n == 0. Returns CCTSA_OK,
 * CCTSA_E_VERIFY (a check failed; diag names it), CCTSA_E_UNSUPPORTED (algorithm).
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_chain_verify(const cctsa_x509_cert *leaf, const cctsa_x509_cert *inter,
						 size_t n, const cctsa_x509_cert *root, int64_t at,
						 unsigned purpose, cctsa_diag *diag);

/* ---- PKCS#10 certification requests ---- */
/*
 * Builds a CSR for subject with signer's key, requesting (extensionRequest)
 * certificatePolicies = policies (NULL-terminated, may be empty) and, when
 * binding != NULL, the binding extension. Appends DER to out.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_csr_build(cctsa_buf *out, const uint8_t *subject, size_t subject_len,
					      const char *const *policies, const uint8_t *binding,
					      size_t binding_len, const cctsa_signer *signer, cctsa_diag *diag);

typedef struct {
	const uint8_t *der, *info, *subject, *spki, *sig, *policies, *binding;
	size_t der_len, info_len, subject_len, spki_len, sig_len, policies_len, binding_len;
	cctsa_sig_alg sig_alg, key_alg;
} cctsa_x509_csr;

/* Strict parse of one DER CSR (version 0; only the extensionRequest attribute is understood). */
CCTSA_MUST_USE cctsa_err cctsa_x509_csr_parse(cctsa_x509_csr *r, const uint8_t *der, size_t len,
					      cctsa_diag *diag);
/* Checks the CSR's self-signature (proof of possession). CCTSA_E_VERIFY if bad. */
CCTSA_MUST_USE cctsa_err cctsa_x509_csr_verify(const cctsa_x509_csr *r, cctsa_diag *diag);

/* ---- offline CA (cctsa ca; DESIGN.md §4) ---- */
/*
 * CADIR layout: root-ecdsa.pem, root-mldsa.pem (self-signed roots), ca.json
 * (threshold, custodians, shard set id), shards/custodian-<i>.shard (one per
 * custodian, mode 0600; each holds one Shamir share of the 80-byte secret
 * P-384 scalar || ML-DSA-65 seed), ceremony/ca-init.json + .md (transcript),
 * issuance.log (hash-chained audit log, one "ca.issue" record per certificate).
 * No file holds a whole private key; keys live only in memory and are wiped.
 */
typedef struct {
	const char *dir;
	unsigned custodians, threshold; /* 2 <= threshold <= custodians <= 255 */
	unsigned root_days;             /* 0: 3650 */
	const char *org;                /* NULL: "CC-TSA Offline CA" */
	const char *master, *witness;   /* transcript participants (NULL: unnamed) */
	const char *version;            /* software version for the transcript */
} cctsa_x509_ca_init_opts;

/*
 * Creates a new CA in o->dir (created; refused if it exists and is not empty).
 * Returns CCTSA_E_USAGE (parameters), CCTSA_E_IO, CCTSA_E_STATE (dir not empty).
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_ca_init(const cctsa_x509_ca_init_opts *o, cctsa_diag *diag);

/*
 * Issues a TSA certificate for csr (DER or PEM): checks its self-signature, picks
 * the root of the CSR key's algorithm, rebuilds that root key from the shard files
 * (at least the threshold, all of the CA's set) in locked memory, checks it matches
 * the root certificate, issues (critical EKU timeStamping only, keyUsage
 * digitalSignature, certificatePolicies and binding copied from the CSR, validity
 * days, default 365), verifies the result, wipes the key, appends to the
 * issuance log and writes a transcript ceremony/ca-issue-<serial>.json/.md (a
 * refusal after the CSR check writes ceremony/ca-issue-refused-<ms>.*). version
 * names the software in the transcript (NULL: "unknown"). cert receives the DER.
 * Returns CCTSA_E_MALFORMED (CSR, shards), CCTSA_E_VERIFY (CSR signature, shards
 * of another CA or not rebuilding the root key), CCTSA_E_STATE (too few shards),
 * CCTSA_E_UNSUPPORTED (key algorithm), CCTSA_E_IO.
 */
CCTSA_MUST_USE cctsa_err cctsa_x509_ca_issue(cctsa_buf *cert, const char *dir, const uint8_t *csr, size_t csr_len,
					     const char *const *shard_paths, size_t n_shards, unsigned days,
					     const char *version, cctsa_diag *diag);

#endif
