/* TimeStampReq: strict parsing and validation (RFC 3161 §2.4.1, DESIGN.md §2), and its writer. */
#include <string.h>

#include "base/ct.h"
#include "tsp_int.h"

typedef struct {
	cctsa_tsp_hash h;
	const char *oid;
	const char *name;
	size_t len;
} hash_row;

static const hash_row hashes[] = {
	{CCTSA_TSP_HASH_SHA256, "2.16.840.1.101.3.4.2.1", "sha256", 32},
	{CCTSA_TSP_HASH_SHA384, "2.16.840.1.101.3.4.2.2", "sha384", 48},
	{CCTSA_TSP_HASH_SHA512, "2.16.840.1.101.3.4.2.3", "sha512", 64},
	{CCTSA_TSP_HASH_SHA3_256, "2.16.840.1.101.3.4.2.8", "sha3-256", 32},
	{CCTSA_TSP_HASH_SHA3_384, "2.16.840.1.101.3.4.2.9", "sha3-384", 48},
	{CCTSA_TSP_HASH_SHA3_512, "2.16.840.1.101.3.4.2.10", "sha3-512", 64},
};

static const hash_row *hash_find(cctsa_tsp_hash h)
{
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		if (hashes[i].h == h) {
			return &hashes[i];
		}
	}
	return NULL;
}

size_t cctsa_tsp_hash_len(cctsa_tsp_hash h)
{
	const hash_row *r = hash_find(h);
	return r != NULL ? r->len : 0;
}

const char *cctsa_tsp_hash_name(cctsa_tsp_hash h)
{
	const hash_row *r = hash_find(h);
	return r != NULL ? r->name : "?";
}

const char *cctsa_tsp_hash_oid(cctsa_tsp_hash h)
{
	const hash_row *r = hash_find(h);
	return r != NULL ? r->oid : NULL;
}

/* Parse state: the error to return and the failInfo bit that goes with it. */
typedef struct {
	unsigned *fail_bit;
	cctsa_diag *diag;
} req_ctx;

static cctsa_err reject(req_ctx *rc, unsigned bit, cctsa_err err)
{
	*rc->fail_bit = bit;
	return err;
}

/* Any DER error below is badDataFormat. */
#define DER_TRY(call)                                                               \
	do {                                                                        \
		err = (call);                                                       \
		if (err != CCTSA_OK) {                                              \
			return reject(rc, CCTSA_TSP_FAIL_BAD_DATA_FORMAT, err);     \
		}                                                                   \
	} while (0)

/* AlgorithmIdentifier of the imprint: a known SHA-2/SHA-3 OID, parameters absent or NULL. */
static cctsa_err parse_hash_alg(req_ctx *rc, cctsa_tsp_req *out, cctsa_cursor *c)
{
	cctsa_cursor alg;
	cctsa_der_elem oid;
	cctsa_err err;
	const hash_row *row = NULL;

	DER_TRY(cctsa_der_enter(c, CCTSA_DER_SEQUENCE, &alg, rc->diag));
	DER_TRY(cctsa_der_get_oid(&alg, &oid, rc->diag));
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		if (cctsa_der_oid_is(oid.val, oid.val_len, hashes[i].oid)) {
			row = &hashes[i];
		}
	}
	if (row == NULL) {
		char text[CCTSA_DER_OID_TEXT_MAX];
		if (cctsa_der_oid_to_text(text, sizeof(text), oid.val, oid.val_len) != CCTSA_OK) {
			text[0] = '\0';
		}
		return reject(rc, CCTSA_TSP_FAIL_BAD_ALG,
			      cctsa_fail(rc->diag, CCTSA_E_UNSUPPORTED,
					 "hash algorithm %s is not accepted (SHA-2/SHA-3 only)", text));
	}
	out->hash = row->h;
	if (cctsa_cursor_left(&alg) != 0) {
		if (!cctsa_der_peek(&alg, CCTSA_DER_NULL)) {
			return reject(rc, CCTSA_TSP_FAIL_BAD_ALG,
				      cctsa_fail(rc->diag, CCTSA_E_UNSUPPORTED,
						 "hash algorithm parameters must be absent or NULL"));
		}
		DER_TRY(cctsa_der_get_null(&alg, rc->diag));
		out->hash_null_params = 1;
	}
	DER_TRY(cctsa_der_finish(&alg, "hash AlgorithmIdentifier", rc->diag));
	return CCTSA_OK;
}

static cctsa_err parse_imprint(req_ctx *rc, cctsa_tsp_req *out, cctsa_cursor *c)
{
	cctsa_cursor mi;
	const uint8_t *v;
	size_t n;
	cctsa_err err;

	DER_TRY(cctsa_der_enter(c, CCTSA_DER_SEQUENCE, &mi, rc->diag));
	err = parse_hash_alg(rc, out, &mi);
	if (err != CCTSA_OK) {
		return err;
	}
	DER_TRY(cctsa_der_get_octets(&mi, CCTSA_DER_OCTET_STRING, &v, &n, rc->diag));
	DER_TRY(cctsa_der_finish(&mi, "MessageImprint", rc->diag));
	if (n != cctsa_tsp_hash_len(out->hash)) {
		return reject(rc, CCTSA_TSP_FAIL_BAD_REQUEST,
			      cctsa_fail(rc->diag, CCTSA_E_UNSUPPORTED,
					 "imprint is %zu octets, %s needs %zu", n,
					 cctsa_tsp_hash_name(out->hash), cctsa_tsp_hash_len(out->hash)));
	}
	memcpy(out->imprint, v, n);
	out->imprint_len = n;
	return CCTSA_OK;
}

/* Extensions: we understand none, so any critical one is refused; others are ignored. */
static cctsa_err parse_extensions(req_ctx *rc, cctsa_cursor *c)
{
	cctsa_cursor exts, ext;
	cctsa_der_elem oid;
	const uint8_t *v;
	size_t n;
	int critical;
	cctsa_err err;

	DER_TRY(cctsa_der_enter(c, CCTSA_DER_CTX_CONS(0), &exts, rc->diag));
	if (cctsa_cursor_left(&exts) == 0) {
		return reject(rc, CCTSA_TSP_FAIL_BAD_DATA_FORMAT,
			      cctsa_fail(rc->diag, CCTSA_E_MALFORMED, "empty request extensions"));
	}
	while (cctsa_cursor_left(&exts) != 0) {
		critical = 0;
		DER_TRY(cctsa_der_enter(&exts, CCTSA_DER_SEQUENCE, &ext, rc->diag));
		DER_TRY(cctsa_der_get_oid(&ext, &oid, rc->diag));
		if (cctsa_der_peek(&ext, CCTSA_DER_BOOLEAN)) {
			DER_TRY(cctsa_der_get_bool(&ext, &critical, rc->diag));
			if (!critical) { /* DEFAULT FALSE must be omitted in DER */
				return reject(rc, CCTSA_TSP_FAIL_BAD_DATA_FORMAT,
					      cctsa_fail(rc->diag, CCTSA_E_MALFORMED,
							 "extension critical=FALSE encoded (not DER)"));
			}
		}
		DER_TRY(cctsa_der_get_octets(&ext, CCTSA_DER_OCTET_STRING, &v, &n, rc->diag));
		DER_TRY(cctsa_der_finish(&ext, "Extension", rc->diag));
		if (critical) {
			char text[CCTSA_DER_OID_TEXT_MAX];
			if (cctsa_der_oid_to_text(text, sizeof(text), oid.val, oid.val_len) != CCTSA_OK) {
				text[0] = '\0';
			}
			return reject(rc, CCTSA_TSP_FAIL_UNACCEPTED_EXTENSION,
				      cctsa_fail(rc->diag, CCTSA_E_UNSUPPORTED,
						 "critical request extension %s is not supported", text));
		}
	}
	return CCTSA_OK;
}

/* reqPolicy, nonce, certReq, extensions: each optional, in this order. */
static cctsa_err parse_optionals(req_ctx *rc, cctsa_tsp_req *out, cctsa_cursor *c)
{
	cctsa_der_elem e;
	cctsa_err err;

	if (cctsa_der_peek(c, CCTSA_DER_OID)) {
		DER_TRY(cctsa_der_get_oid(c, &e, rc->diag));
		if (e.val_len > CCTSA_TSP_OID_MAX) {
			return reject(rc, CCTSA_TSP_FAIL_UNACCEPTED_POLICY,
				      cctsa_fail(rc->diag, CCTSA_E_UNSUPPORTED, "reqPolicy too long"));
		}
		memcpy(out->policy, e.val, e.val_len);
		out->policy_len = e.val_len;
	}
	if (cctsa_der_peek(c, CCTSA_DER_INTEGER)) {
		DER_TRY(cctsa_der_expect(c, CCTSA_DER_INTEGER, &e, rc->diag));
		DER_TRY(cctsa_der_check_int(e.val, e.val_len, rc->diag));
		if (e.val_len > CCTSA_TSP_NONCE_MAX) {
			return reject(rc, CCTSA_TSP_FAIL_BAD_REQUEST,
				      cctsa_fail(rc->diag, CCTSA_E_UNSUPPORTED,
						 "nonce of %zu octets (at most %d)", e.val_len,
						 CCTSA_TSP_NONCE_MAX));
		}
		memcpy(out->nonce, e.val, e.val_len);
		out->nonce_len = e.val_len;
	}
	if (cctsa_der_peek(c, CCTSA_DER_BOOLEAN)) {
		DER_TRY(cctsa_der_get_bool(c, &out->cert_req, rc->diag));
		if (!out->cert_req) {
			return reject(rc, CCTSA_TSP_FAIL_BAD_DATA_FORMAT,
				      cctsa_fail(rc->diag, CCTSA_E_MALFORMED,
						 "certReq FALSE encoded (DEFAULT must be omitted in DER)"));
		}
	}
	if (cctsa_der_peek(c, CCTSA_DER_CTX_CONS(0))) {
		err = parse_extensions(rc, c);
		if (err != CCTSA_OK) {
			return err;
		}
	}
	DER_TRY(cctsa_der_finish(c, "TimeStampReq", rc->diag));
	return CCTSA_OK;
}

static cctsa_err parse_req(req_ctx *rc, cctsa_tsp_req *out, const uint8_t *der, size_t len)
{
	cctsa_cursor top, body;
	uint64_t version;
	cctsa_err err;

	cctsa_cursor_init(&top, der, len);
	DER_TRY(cctsa_der_enter(&top, CCTSA_DER_SEQUENCE, &body, rc->diag));
	DER_TRY(cctsa_der_finish(&top, "TimeStampReq", rc->diag));
	DER_TRY(cctsa_der_get_u64(&body, CCTSA_DER_INTEGER, UINT64_MAX, &version, rc->diag));
	if (version != 1) {
		return reject(rc, CCTSA_TSP_FAIL_BAD_REQUEST,
			      cctsa_fail(rc->diag, CCTSA_E_UNSUPPORTED,
					 "TimeStampReq version %llu (only v1)",
					 (unsigned long long)version));
	}
	err = parse_imprint(rc, out, &body);
	if (err != CCTSA_OK) {
		return err;
	}
	return parse_optionals(rc, out, &body);
}

cctsa_err cctsa_tsp_req_parse(cctsa_tsp_req *out, unsigned *fail_bit, const uint8_t *der,
			      size_t len, cctsa_diag *diag)
{
	req_ctx rc = {fail_bit, diag};
	cctsa_err err;

	memset(out, 0, sizeof(*out));
	*fail_bit = CCTSA_TSP_FAIL_SYSTEM_FAILURE;
	if (der == NULL && len != 0) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "NULL request");
	}
	if (len > CCTSA_TSP_REQ_MAX) {
		*fail_bit = CCTSA_TSP_FAIL_BAD_DATA_FORMAT;
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "request over %d octets", CCTSA_TSP_REQ_MAX);
	}
	err = parse_req(&rc, out, der, len);
	if (err != CCTSA_OK) {
		cctsa_wipe(out, sizeof(*out));
		return err;
	}
	return CCTSA_OK;
}

cctsa_err cctsa_tsp_req_write(cctsa_buf *out, const cctsa_tsp_req *req)
{
	const char *oid = cctsa_tsp_hash_oid(req->hash);
	size_t top, mi, alg;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(oid != NULL && req->imprint_len == cctsa_tsp_hash_len(req->hash), CCTSA_E_USAGE);
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &top));
	CCTSA_TRY(cctsa_der_put_u64(out, 1));
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &mi));
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &alg));
	CCTSA_TRY(cctsa_der_put_oid_text(out, oid));
	if (req->hash_null_params) {
		CCTSA_TRY(cctsa_der_put_null(out));
	}
	CCTSA_TRY(cctsa_der_end(out, alg));
	CCTSA_TRY(cctsa_der_put_octets(out, req->imprint, req->imprint_len));
	CCTSA_TRY(cctsa_der_end(out, mi));
	if (req->policy_len != 0) {
		CCTSA_TRY(cctsa_der_put_oid(out, req->policy, req->policy_len));
	}
	if (req->nonce_len != 0) {
		CCTSA_TRY(cctsa_der_put_tlv(out, CCTSA_DER_INTEGER, req->nonce, req->nonce_len));
	}
	if (req->cert_req) {
		CCTSA_TRY(cctsa_der_put_bool(out, 1));
	}
	CCTSA_TRY(cctsa_der_end(out, top));
out:
	return err;
}

static int oid_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	return an == bn && cctsa_memcmp_var(a, b, an) == 0;
}

int cctsa_tsp_policy_ok(const uint8_t *policy, size_t len)
{
	return len == 0 ||
	       oid_eq(policy, len, CCTSA_TSP_OID_POLICY_DEFAULT, CCTSA_TSP_OID_PROJECT_LEN) ||
	       oid_eq(policy, len, CCTSA_TSP_OID_POLICY_PQ, CCTSA_TSP_OID_PROJECT_LEN);
}
