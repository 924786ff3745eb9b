/*
 * tsp: RFC 3161 time-stamp protocol. TimeStampReq parsing and validation (the
 * gateway's job), TSTInfo / signed attributes / TimeStampToken building with a
 * pluggable signer (the core's job), TimeStampResp wrapping, a local file-key
 * signer for tests and offline issuance, and relying-party verification.
 *
 * Token format (DESIGN.md §3): every token has exactly one SignerInfo. The
 * default token is signed with ECDSA P-384 and carries, as the unsigned
 * attribute CCTSA_TSP_OID_COMPANION, a complete ML-DSA-65 token over the
 * identical TSTInfo bytes; the post-quantum policy gives the mirror image.
 *
 * OIDs in this header are given as DER content octets (no tag, no length).
 */
#ifndef CCTSA_TSP_H
#define CCTSA_TSP_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"

/* ---- PKIFailureInfo bit numbers (RFC 3161 §2.4.2) ---- */
#define CCTSA_TSP_FAIL_BAD_ALG 0
#define CCTSA_TSP_FAIL_BAD_REQUEST 2
#define CCTSA_TSP_FAIL_BAD_DATA_FORMAT 5
#define CCTSA_TSP_FAIL_TIME_NOT_AVAILABLE 14
#define CCTSA_TSP_FAIL_UNACCEPTED_POLICY 15
#define CCTSA_TSP_FAIL_UNACCEPTED_EXTENSION 16
#define CCTSA_TSP_FAIL_ADD_INFO_NOT_AVAILABLE 17
#define CCTSA_TSP_FAIL_SYSTEM_FAILURE 25

/* PKIStatus values. */
#define CCTSA_TSP_STATUS_GRANTED 0
#define CCTSA_TSP_STATUS_GRANTED_WITH_MODS 1
#define CCTSA_TSP_STATUS_REJECTION 2
#define CCTSA_TSP_STATUS_WAITING 3

/* ---- limits ---- */
#define CCTSA_TSP_REQ_MAX 65536    /* largest TimeStampReq accepted (HTTP body cap too) */
#define CCTSA_TSP_OID_MAX 32       /* content octets of a policy OID */
#define CCTSA_TSP_NONCE_MAX 32     /* content octets of a nonce INTEGER */
#define CCTSA_TSP_IMPRINT_MAX 64   /* SHA-512 / SHA3-512 */
#define CCTSA_TSP_SERIAL_MAX 20    /* RFC 5280 / RFC 3161: serial <= 20 octets */

/* Message-imprint hash algorithms accepted in requests. */
typedef enum {
	CCTSA_TSP_HASH_SHA256 = 1,
	CCTSA_TSP_HASH_SHA384,
	CCTSA_TSP_HASH_SHA512,
	CCTSA_TSP_HASH_SHA3_256,
	CCTSA_TSP_HASH_SHA3_384,
	CCTSA_TSP_HASH_SHA3_512
} cctsa_tsp_hash;

/* Output length of h, 0 if unknown. */
size_t cctsa_tsp_hash_len(cctsa_tsp_hash h);
/* Short name ("sha256", ...), "?" if unknown. */
const char *cctsa_tsp_hash_name(cctsa_tsp_hash h);

/*
 * A validated TimeStampReq. Fields are public (callers stack-allocate it and the
 * gateway forwards exactly these fields to the core). nonce holds the INTEGER
 * content octets as sent (DER minimal, may be negative); policy the OID content.
 */
typedef struct {
	cctsa_tsp_hash hash;
	int hash_null_params; /* the request wrote NULL parameters (echoed in TSTInfo) */
	uint8_t imprint[CCTSA_TSP_IMPRINT_MAX];
	size_t imprint_len;
	uint8_t policy[CCTSA_TSP_OID_MAX];
	size_t policy_len; /* 0: no reqPolicy */
	uint8_t nonce[CCTSA_TSP_NONCE_MAX];
	size_t nonce_len; /* 0: no nonce */
	int cert_req;
} cctsa_tsp_req;

/*
 * Parses and validates a DER TimeStampReq (RFC 3161 §2.4.1, DESIGN.md §2).
 * Returns CCTSA_OK with *out filled, or a failure with *fail_bit set to the
 * PKIFailureInfo bit to report:
 *   CCTSA_E_MALFORMED   badDataFormat (not strict DER, trailing bytes, wrong shape)
 *   CCTSA_E_UNSUPPORTED badAlg (hash not offered: SHA-1, MD5, unknown, bad params),
 *                       badRequest (version != 1, imprint length mismatch, nonce too long),
 *                       unacceptedExtension (a critical extension: none is understood),
 *                       unacceptedPolicy (a reqPolicy OID over CCTSA_TSP_OID_MAX octets)
 *   CCTSA_E_USAGE       der NULL with len != 0 (*fail_bit = systemFailure)
 * Whether a well-formed reqPolicy is offered is checked separately
 * (cctsa_tsp_policy_ok). On failure *out is zeroed. diag may be NULL.
 */
CCTSA_MUST_USE cctsa_err cctsa_tsp_req_parse(cctsa_tsp_req *out, unsigned *fail_bit,
					     const uint8_t *der, size_t len, cctsa_diag *diag);

/* Encodes req as a DER TimeStampReq (version 1, no extensions); tests and clients. */
CCTSA_MUST_USE cctsa_err cctsa_tsp_req_write(cctsa_buf *out, const cctsa_tsp_req *req);

/* ---- project OIDs (content octets) ---- */
extern const uint8_t CCTSA_TSP_OID_POLICY_DEFAULT[];   /* 1.3.6.1.4.1.32473.1.4 */
extern const uint8_t CCTSA_TSP_OID_POLICY_PQ[];        /* 1.3.6.1.4.1.32473.1.3 */
extern const uint8_t CCTSA_TSP_OID_COMPANION[];        /* 1.3.6.1.4.1.32473.1.2 */
#define CCTSA_TSP_OID_PROJECT_LEN 10

/* ---- signing interface ---- */
typedef enum { CCTSA_TSP_SIG_ECDSA_P384 = 1, CCTSA_TSP_SIG_MLDSA65 } cctsa_tsp_sigalg;

/*
 * Produces the raw signature over msg (the DER SET OF signed attributes):
 *   ECDSA P-384: r || s, 48 + 48 octets big-endian, over SHA-384(msg);
 *   ML-DSA-65:   the 3309-octet pure ML-DSA signature over msg, empty context.
 * tst is the TSTInfo DER that msg covers: a threshold coordinator ships both to
 * its peers, and each runs cctsa_tsp_sign_check before contributing (DESIGN.md
 * §2). Appends to sig. A threshold signer combines and verifies the signature
 * before returning it; the local file-key signer does not.
 */
typedef cctsa_err (*cctsa_tsp_sign_fn)(void *ctx, cctsa_buf *sig, const uint8_t *msg,
				       size_t msg_len, const uint8_t *tst, size_t tst_len,
				       cctsa_diag *diag);

/*
 * One signer: its algorithm, its certificate (DER), the rest of its chain
 * (concatenated DER certificates, may be empty: included with the signer's
 * certificate when certReq is true) and its signing callback. Fields public.
 */
typedef struct {
	cctsa_tsp_sigalg alg;
	const uint8_t *cert;
	size_t cert_len;
	const uint8_t *chain;
	size_t chain_len;
	cctsa_tsp_sign_fn sign;
	void *sign_ctx;
} cctsa_tsp_signer;

/* What the TSA decides for one token (besides the request fields). */
typedef struct {
	const uint8_t *policy; /* OID content octets */
	size_t policy_len;
	uint8_t serial[CCTSA_TSP_SERIAL_MAX]; /* big-endian unsigned, need not be minimal */
	size_t serial_len;                    /* 1..20; must be non-zero as a number */
	int64_t gen_time_ms;                  /* Unix time in milliseconds, >= 0 */
	uint32_t accuracy_ms;                 /* 0: accuracy omitted */
} cctsa_tsp_issue;

/*
 * Builds the TimeStampToken (ContentInfo) for req: one TSTInfo, signed by
 * outer; when inner is not NULL, outer's SignerInfo carries inner's token over
 * the identical TSTInfo bytes as the CCTSA_TSP_OID_COMPANION unsigned attribute.
 * Certificates are included only when req->cert_req. Appends to token.
 * Errors: CCTSA_E_USAGE (bad issue fields), CCTSA_E_MALFORMED (a certificate
 * that does not parse), whatever a sign callback returns.
 */
CCTSA_MUST_USE cctsa_err cctsa_tsp_token_build(cctsa_buf *token, const cctsa_tsp_req *req,
					       const cctsa_tsp_issue *issue,
					       const cctsa_tsp_signer *outer,
					       const cctsa_tsp_signer *inner, cctsa_diag *diag);

/* The TSTInfo fields a signing participant re-checks; pointers go into the TSTInfo. */
typedef struct {
	const uint8_t *policy; /* OID content octets */
	size_t policy_len;
	const uint8_t *serial; /* INTEGER content octets (positive, <= 20) */
	size_t serial_len;
	int64_t gen_time_ms; /* Unix milliseconds */
	const uint8_t *nonce; /* INTEGER content octets, NULL if absent */
	size_t nonce_len;
} cctsa_tsp_tstinfo_fields;

/*
 * The check a threshold participant runs before contributing a signature share
 * (DESIGN.md §2, step 3): msg must be exactly the signed attributes this module
 * builds for (alg, cert) over tst (contentType id-ct-TSTInfo, messageDigest =
 * SHA-384 or SHA-512 of tst, ESSCertIDv2 of cert), and tst a well-formed TSTInfo
 * v1 with a positive serial of at most 20 octets and a whole-millisecond genTime.
 * The fields come back in *out for the participant's own policy (genTime
 * tolerance, serial range and reuse, policy allowed).
 * Errors: CCTSA_E_VERIFY (msg is not those attributes), CCTSA_E_MALFORMED (tst
 * or cert), CCTSA_E_USAGE. *out is zeroed on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_tsp_sign_check(cctsa_tsp_tstinfo_fields *out, cctsa_tsp_sigalg alg,
					      const uint8_t *cert, size_t cert_len, const uint8_t *msg,
					      size_t msg_len, const uint8_t *tst, size_t tst_len,
					      cctsa_diag *diag);

/* TimeStampResp{status granted, token}. Appends to out. */
CCTSA_MUST_USE cctsa_err cctsa_tsp_resp_granted(cctsa_buf *out, const uint8_t *token,
						size_t token_len);
/*
 * TimeStampResp{status rejection, statusString text (may be NULL), failInfo
 * with fail_bit set}. Appends to out.
 */
CCTSA_MUST_USE cctsa_err cctsa_tsp_resp_rejection(cctsa_buf *out, unsigned fail_bit,
						  const char *text);

/* ---- local file-key issuer (tests, `cctsa ts-reply`, gateway test mode) ---- */
typedef struct cctsa_tsp_local cctsa_tsp_local;

/*
 * Loads DIR/tsa-ecdsa.{pem,key}, DIR/tsa-mldsa.{pem,key} and, as the chains
 * included on certReq, DIR/ca-ecdsa.pem and DIR/ca-mldsa.pem (the layout of
 * `cctsa testpki`). Private keys live in locked secret memory (ML-DSA) or
 * OpenSSL's key objects (ECDSA). *out is NULL on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_tsp_local_load(cctsa_tsp_local **out, const char *dir,
					      cctsa_diag *diag);
void cctsa_tsp_local_free(cctsa_tsp_local *l);
/* The two signers of l (valid until l is freed). */
const cctsa_tsp_signer *cctsa_tsp_local_signer(const cctsa_tsp_local *l, cctsa_tsp_sigalg alg);

/* flags for cctsa_tsp_local_respond */
#define CCTSA_TSP_LOCAL_NO_COMPANION 1u /* one token only, no companion attribute (tests) */

/*
 * Issues a response for a validated request: the requested policy must be one
 * of the two project policies (else a rejection, unacceptedPolicy); pq (/tsa/pq)
 * or the PQ policy selects the mirror image (pq with the default policy
 * requested: unacceptedPolicy). Serial: 16 random octets; genTime: the system
 * clock (test/offline use: no trusted time); accuracy 1 s. Appends the DER
 * TimeStampResp (granted, or rejection with a failInfo) to out.
 */
CCTSA_MUST_USE cctsa_err cctsa_tsp_local_respond(cctsa_tsp_local *l, cctsa_buf *out,
						 const cctsa_tsp_req *req, int pq, unsigned flags,
						 cctsa_diag *diag);

/* True if policy (content octets, len 0 = none requested) is acceptable. */
int cctsa_tsp_policy_ok(const uint8_t *policy, size_t len);

/* ---- verification (relying party) ---- */
typedef enum {
	CCTSA_TSP_REJECT = 0,
	CCTSA_TSP_FULLY_VERIFIED,
	CCTSA_TSP_CLASSICALLY_VERIFIED,
	CCTSA_TSP_PQ_VERIFIED,
	CCTSA_TSP_WARNING
} cctsa_tsp_verdict;

const char *cctsa_tsp_verdict_name(cctsa_tsp_verdict v);

/* What the relying party trusts and expects. Fields public; pointers may be NULL. */
typedef struct {
	const char *ca_classical_pem; /* path: ECDSA (or RSA) root(s) */
	const char *ca_mldsa_pem;     /* path: ML-DSA root, NULL = no PQ trust anchor */
	const char *binding_json;     /* path, NULL = binding not checked */
	const cctsa_tsp_req *query;   /* expected imprint/nonce, or NULL */
	const uint8_t *data;          /* or the data itself (imprint recomputed) */
	size_t data_len;
	int have_data;
	/* Extra untrusted certificates (PEM path) to find a signer not in the token. */
	const char *untrusted_pem;
} cctsa_tsp_verify_opts;

/*
 * Verifies a DER TimeStampResp (or a bare TimeStampToken): status granted; for
 * the outer token and its companion each: the signer certificate chosen by sid
 * (never by name), contentType, messageDigest, ESSCertID(v2), the signature
 * (ECDSA/RSA through OpenSSL, ML-DSA-65 through the mldsa module), the path at
 * genTime (classical: OpenSSL with the timestamping purpose; ML-DSA:
 * cctsa_x509_chain_verify, no classical link), the binding when given; both
 * tokens carry byte-identical TSTInfo, whose tsa name (if a directoryName) is a
 * signer's subject; imprint, nonce and policy match the query (or the imprint
 * the data). Verdicts: FULLY (both valid), CLASSICALLY (classical valid, no
 * companion or no ML-DSA anchor given), POST-QUANTUM (ML-DSA valid, no classical
 * token), WARNING (one valid, the other present and invalid), REJECT.
 * report (may be NULL) receives one line per token and the reason of a reject.
 * Returns CCTSA_OK whenever a verdict was reached (REJECT included); errors:
 * CCTSA_E_USAGE (neither query nor data), CCTSA_E_IO / CCTSA_E_MALFORMED on the
 * trust files or binding.json.
 */
CCTSA_MUST_USE cctsa_err cctsa_tsp_verify(cctsa_tsp_verdict *verdict, cctsa_buf *report,
					  const uint8_t *der, size_t len,
					  const cctsa_tsp_verify_opts *opts, cctsa_diag *diag);

#endif
