/*
 * tsp unit tests: TimeStampReq validation (every failInfo, truncation at every
 * length, every single-bit flip), TimeStampResp encodings, and the token
 * builder (structure, DER order, companion token, size budget, OpenSSL TS
 * verification of the ECDSA token and ML-DSA verification of the companion).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cctsa/der.h"
#include "cctsa/tsp.h"
#include "cctsa/x509.h"
#include "tsp/test_util.h"
#include "tsp/tsp_view.h"

static void read_corpus(cctsa_buf *b, const char *name)
{
	char path[1024];
	const char *src = getenv("CCTSA_SRC");

	CHECK(src != NULL);
	snprintf(path, sizeof(path), "%s/fuzz/corpus/tsreq/%s", src, name);
	CHECK_OK(cctsa_file_read(b, path, 1 << 16, NULL));
}

typedef struct {
	const char *file;
	cctsa_err err;
	unsigned bit;
} req_case;

/* Checked-in requests (made with `openssl ts -query` or by hand) and their verdicts. */
static const req_case req_cases[] = {
	{"sha256-cert-nonce.tsq", CCTSA_OK, 0},
	{"sha384-nononce.tsq", CCTSA_OK, 0},
	{"sha512-pq-policy.tsq", CCTSA_OK, 0},
	{"sha3-256.tsq", CCTSA_OK, 0},
	{"sha256-other-policy.tsq", CCTSA_OK, 0}, /* policy is judged by the issuer */
	{"noncritical-ext.tsq", CCTSA_OK, 0},
	{"sha1-badalg.tsq", CCTSA_E_UNSUPPORTED, CCTSA_TSP_FAIL_BAD_ALG},
	{"md5-badalg.tsq", CCTSA_E_UNSUPPORTED, CCTSA_TSP_FAIL_BAD_ALG},
	{"version2.tsq", CCTSA_E_UNSUPPORTED, CCTSA_TSP_FAIL_BAD_REQUEST},
	{"imprint-short.tsq", CCTSA_E_UNSUPPORTED, CCTSA_TSP_FAIL_BAD_REQUEST},
	{"critical-ext.tsq", CCTSA_E_UNSUPPORTED, CCTSA_TSP_FAIL_UNACCEPTED_EXTENSION},
	{"trailing-byte.tsq", CCTSA_E_MALFORMED, CCTSA_TSP_FAIL_BAD_DATA_FORMAT},
	{"truncated.tsq", CCTSA_E_MALFORMED, CCTSA_TSP_FAIL_BAD_DATA_FORMAT},
	{"nonminimal-length.tsq", CCTSA_E_MALFORMED, CCTSA_TSP_FAIL_BAD_DATA_FORMAT},
	{"certreq-false.tsq", CCTSA_E_MALFORMED, CCTSA_TSP_FAIL_BAD_DATA_FORMAT},
};

static void test_req_corpus(void)
{
	for (size_t i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		cctsa_buf b;
		cctsa_tsp_req r;
		cctsa_diag d;
		unsigned bit = 99;
		cctsa_err err;

		cctsa_diag_reset(&d);
		read_corpus(&b, req_cases[i].file);
		err = cctsa_tsp_req_parse(&r, &bit, b.data, b.len, &d);
		if (err != req_cases[i].err || (err != CCTSA_OK && bit != req_cases[i].bit)) {
			fprintf(stderr, "%s: got %s bit %u (%s), want %s bit %u\n", req_cases[i].file,
				cctsa_err_name(err), bit, d.msg, cctsa_err_name(req_cases[i].err),
				req_cases[i].bit);
			abort();
		}
		cctsa_buf_free(&b);
	}
}

static void test_req_fields(void)
{
	cctsa_buf b, w;
	cctsa_tsp_req r;
	unsigned bit;

	read_corpus(&b, "sha512-pq-policy.tsq");
	CHECK_OK(cctsa_tsp_req_parse(&r, &bit, b.data, b.len, NULL));
	CHECK(r.hash == CCTSA_TSP_HASH_SHA512 && r.imprint_len == 64 && r.cert_req == 1);
	CHECK(r.nonce_len >= 1 && r.nonce_len <= 9);
	CHECK(r.policy_len == CCTSA_TSP_OID_PROJECT_LEN);
	CHECK_MEMEQ(r.policy, CCTSA_TSP_OID_POLICY_PQ, CCTSA_TSP_OID_PROJECT_LEN);
	CHECK(cctsa_tsp_policy_ok(r.policy, r.policy_len));
	/* openssl writes NULL hash parameters: the writer must reproduce the request exactly */
	CHECK(r.hash_null_params == 1);
	cctsa_buf_init(&w, 0);
	CHECK_OK(cctsa_tsp_req_write(&w, &r));
	CHECK(w.len == b.len);
	CHECK_MEMEQ(w.data, b.data, b.len);
	cctsa_buf_free(&w);
	cctsa_buf_free(&b);
	read_corpus(&b, "sha256-other-policy.tsq");
	CHECK_OK(cctsa_tsp_req_parse(&r, &bit, b.data, b.len, NULL));
	CHECK(!cctsa_tsp_policy_ok(r.policy, r.policy_len));
	cctsa_buf_free(&b);
	CHECK(cctsa_tsp_policy_ok(NULL, 0));
}

/* Truncation at every length and every single-bit flip: never a crash, always a known bit. */
static void test_req_mutations(void)
{
	cctsa_buf b;
	cctsa_tsp_req r;
	unsigned bit;
	size_t ok_flips = 0;

	read_corpus(&b, "sha256-cert-nonce.tsq");
	for (size_t n = 0; n < b.len; n++) {
		bit = 99;
		CHECK_ERR(cctsa_tsp_req_parse(&r, &bit, b.data, n, NULL), CCTSA_E_MALFORMED);
		CHECK(bit == CCTSA_TSP_FAIL_BAD_DATA_FORMAT);
	}
	for (size_t i = 0; i < b.len * 8; i++) {
		cctsa_err err;
		b.data[i / 8] ^= (uint8_t)(1u << (i % 8));
		bit = 99;
		err = cctsa_tsp_req_parse(&r, &bit, b.data, b.len, NULL);
		if (err == CCTSA_OK) {
			ok_flips++; /* imprint or nonce bits: still a valid request */
		} else {
			CHECK(bit == CCTSA_TSP_FAIL_BAD_DATA_FORMAT || bit == CCTSA_TSP_FAIL_BAD_ALG ||
			      bit == CCTSA_TSP_FAIL_BAD_REQUEST || bit == CCTSA_TSP_FAIL_UNACCEPTED_POLICY);
		}
		b.data[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	/* 32 imprint octets and 8 nonce octets flip freely (except the nonce sign/minimality bits). */
	CHECK(ok_flips >= 32 * 8 + 7 * 8);
	cctsa_buf_free(&b);
}

/* Requests built here: nonce limits, hash parameters, each SHA-2/SHA-3 length. */
static void test_req_built(void)
{
	cctsa_tsp_req r, p;
	cctsa_buf w;
	unsigned bit;

	for (int h = CCTSA_TSP_HASH_SHA256; h <= CCTSA_TSP_HASH_SHA3_512; h++) {
		memset(&r, 0, sizeof(r));
		r.hash = (cctsa_tsp_hash)h;
		r.imprint_len = cctsa_tsp_hash_len(r.hash);
		memset(r.imprint, 0xa5, r.imprint_len);
		r.nonce_len = CCTSA_TSP_NONCE_MAX;
		memset(r.nonce, 0x11, r.nonce_len);
		cctsa_buf_init(&w, 0);
		CHECK_OK(cctsa_tsp_req_write(&w, &r));
		CHECK_OK(cctsa_tsp_req_parse(&p, &bit, w.data, w.len, NULL));
		CHECK(p.hash == r.hash && p.imprint_len == r.imprint_len && p.nonce_len == r.nonce_len);
		cctsa_buf_free(&w);
	}
	/* a 33-octet nonce: badRequest */
	cctsa_buf_init(&w, 0);
	CHECK_OK(tsp_test_req_raw(&w, "2.16.840.1.101.3.4.2.1", 0, 32, 33, NULL));
	CHECK_ERR(cctsa_tsp_req_parse(&p, &bit, w.data, w.len, NULL), CCTSA_E_UNSUPPORTED);
	CHECK(bit == CCTSA_TSP_FAIL_BAD_REQUEST);
	cctsa_buf_free(&w);
	/* hash parameters that are neither absent nor NULL: badAlg */
	cctsa_buf_init(&w, 0);
	CHECK_OK(tsp_test_req_raw(&w, "2.16.840.1.101.3.4.2.1", 1, 32, 8, NULL));
	CHECK_ERR(cctsa_tsp_req_parse(&p, &bit, w.data, w.len, NULL), CCTSA_E_UNSUPPORTED);
	CHECK(bit == CCTSA_TSP_FAIL_BAD_ALG);
	cctsa_buf_free(&w);
	/* an unknown hash OID: badAlg; a SHA-384 OID with a 32-octet imprint: badRequest */
	cctsa_buf_init(&w, 0);
	CHECK_OK(tsp_test_req_raw(&w, "1.2.3.4", 0, 32, 8, NULL));
	CHECK_ERR(cctsa_tsp_req_parse(&p, &bit, w.data, w.len, NULL), CCTSA_E_UNSUPPORTED);
	CHECK(bit == CCTSA_TSP_FAIL_BAD_ALG);
	cctsa_buf_free(&w);
	cctsa_buf_init(&w, 0);
	CHECK_OK(tsp_test_req_raw(&w, "2.16.840.1.101.3.4.2.2", 0, 32, 8, NULL));
	CHECK_ERR(cctsa_tsp_req_parse(&p, &bit, w.data, w.len, NULL), CCTSA_E_UNSUPPORTED);
	CHECK(bit == CCTSA_TSP_FAIL_BAD_REQUEST);
	cctsa_buf_free(&w);
	/* a policy OID longer than 32 octets: unacceptedPolicy */
	cctsa_buf_init(&w, 0);
	CHECK_OK(tsp_test_req_raw(&w, "2.16.840.1.101.3.4.2.1", 0, 32, 8,
				  "1.3.6.1.4.1.32473.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1"));
	CHECK_ERR(cctsa_tsp_req_parse(&p, &bit, w.data, w.len, NULL), CCTSA_E_UNSUPPORTED);
	CHECK(bit == CCTSA_TSP_FAIL_UNACCEPTED_POLICY);
	cctsa_buf_free(&w);
	/* over 64 KiB: badDataFormat before any parsing */
	CHECK_ERR(cctsa_tsp_req_parse(&p, &bit, (const uint8_t *)"", CCTSA_TSP_REQ_MAX + 1, NULL),
		  CCTSA_E_MALFORMED);
	CHECK(bit == CCTSA_TSP_FAIL_BAD_DATA_FORMAT);
}

/* Rejection responses: status 2, the statusString, and failInfo as a minimal named-bit BIT STRING. */
static void test_resp_rejection(void)
{
	static const unsigned bits[] = {0, 2, 5, 14, 15, 16, 25};
	static const uint8_t want[][7] = {
		{0x03, 0x02, 0x07, 0x80},
		{0x03, 0x02, 0x05, 0x20},
		{0x03, 0x02, 0x02, 0x04},
		{0x03, 0x03, 0x01, 0x00, 0x02},
		{0x03, 0x03, 0x00, 0x00, 0x01},
		{0x03, 0x04, 0x07, 0x00, 0x00, 0x80},
		{0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40}};
	cctsa_buf b;

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		size_t n = (size_t)want[i][1] + 2;
		cctsa_buf_init(&b, 0);
		CHECK_OK(cctsa_tsp_resp_rejection(&b, bits[i], "no"));
		/* 30 L 30 L 02 01 02 30 04 0c 02 'n' 'o' <failInfo> */
		CHECK(b.len == 13 + n && b.data[1] == b.len - 2 && b.data[3] == b.len - 4);
		CHECK(b.data[4] == 0x02 && b.data[5] == 0x01 && b.data[6] == 0x02);
		CHECK(b.data[9] == 0x0c && b.data[11] == 'n');
		CHECK_MEMEQ(b.data + 13, want[i], n);
		cctsa_buf_free(&b);
	}
	cctsa_buf_init(&b, 0);
	CHECK_ERR(cctsa_tsp_resp_rejection(&b, 40, NULL), CCTSA_E_USAGE);
	cctsa_buf_free(&b);
	/* granted wraps the token after status 0 */
	cctsa_buf_init(&b, 0);
	CHECK_OK(cctsa_tsp_resp_granted(&b, (const uint8_t *)"\x30\x00", 2));
	CHECK(b.len == 9 && b.data[4] == 0x02 && b.data[6] == 0x00 && b.data[7] == 0x30);
	cctsa_buf_free(&b);
}

/* The content-octet OIDs of tsp.h are the project OIDs of x509.h. */
static void test_oids(void)
{
	static const struct {
		const uint8_t *bytes;
		const char *dotted;
	} t[] = {{CCTSA_TSP_OID_POLICY_DEFAULT, CCTSA_OID_POLICY_DEFAULT},
		 {CCTSA_TSP_OID_POLICY_PQ, CCTSA_OID_POLICY_PQ},
		 {CCTSA_TSP_OID_COMPANION, CCTSA_OID_COMPANION_ATTR}};
	uint8_t enc[CCTSA_DER_OID_MAX];
	size_t n;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_OK(cctsa_der_oid_encode(enc, sizeof(enc), &n, t[i].dotted));
		CHECK(n == CCTSA_TSP_OID_PROJECT_LEN);
		CHECK_MEMEQ(enc, t[i].bytes, n);
	}
}

int main(void)
{
	test_oids();
	test_req_corpus();
	test_req_fields();
	test_req_mutations();
	test_req_built();
	test_resp_rejection();
	tsp_test_tokens();
	printf("tsp_test: ok\n");
	return 0;
}

/* ------------------------------------------------------------ token builder */

static void test_req(cctsa_tsp_req *r, int cert_req)
{
	memset(r, 0, sizeof(*r));
	r->hash = CCTSA_TSP_HASH_SHA256;
	r->imprint_len = 32;
	CHECK(SHA256((const unsigned char *)"hello", 5, r->imprint) != NULL);
	r->nonce_len = 8;
	memcpy(r->nonce, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	r->cert_req = cert_req;
}

static void test_issue(cctsa_tsp_issue *is, int64_t ms)
{
	memset(is, 0, sizeof(*is));
	is->policy = CCTSA_TSP_OID_POLICY_DEFAULT;
	is->policy_len = CCTSA_TSP_OID_PROJECT_LEN;
	memset(is->serial, 0x7f, CCTSA_TSP_SERIAL_MAX);
	is->serial_len = CCTSA_TSP_SERIAL_MAX;
	is->gen_time_ms = ms;
	is->accuracy_ms = 1500;
}

/* OpenSSL's TS verifier (imprint, nonce, signature, ESSCertID, tsa name, chain) on der. */
static int openssl_ts_verify(const uint8_t *der, size_t len, int bare_token, const tsp_test_keys *k,
			     const cctsa_tsp_req *r)
{
	const unsigned char *p = der, *cp = k->ec_cert, *qp;
	X509 *cert = d2i_X509(NULL, &cp, (long)k->ec_cert_len);
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	cctsa_buf q;
	TS_REQ *treq;
	TS_VERIFY_CTX *ctx;
	int ok;

	cctsa_buf_init(&q, 0);
	CHECK_OK(cctsa_tsp_req_write(&q, r));
	qp = q.data;
	treq = d2i_TS_REQ(NULL, &qp, (long)q.len);
	CHECK(treq != NULL && cert != NULL && store != NULL && untrusted != NULL);
	ctx = TS_REQ_to_TS_VERIFY_CTX(treq, NULL);
	CHECK(ctx != NULL);
	TS_VERIFY_CTX_add_flags(ctx, TS_VFY_SIGNATURE);
	CHECK(X509_STORE_add_cert(store, cert) == 1);
	CHECK(sk_X509_push(untrusted, cert) > 0);
	TS_VERIFY_CTX_set_store(ctx, store);
	TS_VERIFY_CTS_set_certs(ctx, untrusted);
	if (bare_token) {
		PKCS7 *tok = d2i_PKCS7(NULL, &p, (long)len);
		CHECK(tok != NULL);
		ok = TS_RESP_verify_token(ctx, tok);
		PKCS7_free(tok);
	} else {
		TS_RESP *rs = d2i_TS_RESP(NULL, &p, (long)len);
		CHECK(rs != NULL);
		ok = TS_RESP_verify_response(ctx, rs);
		TS_RESP_free(rs);
	}
	TS_VERIFY_CTX_free(ctx);
	TS_REQ_free(treq);
	cctsa_buf_free(&q);
	return ok == 1;
}

/* The ML-DSA token's signature over its DER signed attributes (re-tagged SET OF). */
static int mldsa_token_ok(const tsp_token_view *tv, const tsp_test_keys *k)
{
	cctsa_buf sa;
	int ok;

	cctsa_buf_init(&sa, 0);
	CHECK_OK(cctsa_buf_put(&sa, tv->signer.signed_attrs.der, tv->signer.signed_attrs.der_len));
	CHECK(sa.data[0] == 0xa0);
	sa.data[0] = 0x31;
	ok = cctsa_mldsa_verify(CCTSA_MLDSA_65, k->ml_pk, sizeof(k->ml_pk), tv->signer.sig,
				tv->signer.sig_len, sa.data, sa.len, NULL, 0) == CCTSA_OK;
	cctsa_buf_free(&sa);
	return ok;
}

/* Signed attributes: exactly contentType, messageDigest, signingCertificateV2, in DER order. */
static void check_signed_attrs(const tsp_token_view *tv)
{
	static const char *oids[] = {"1.2.840.113549.1.9.3", "1.2.840.113549.1.9.4",
				     "1.2.840.113549.1.9.16.2.47"};
	cctsa_cursor c, a;
	cctsa_der_elem prev = {0}, e, oid;
	size_t i = 0;

	cctsa_cursor_init(&c, tv->signer.signed_attrs.val, tv->signer.signed_attrs.val_len);
	while (cctsa_cursor_left(&c) != 0) {
		CHECK_OK(cctsa_der_read(&c, &e, NULL));
		cctsa_cursor_init(&a, e.val, e.val_len);
		CHECK_OK(cctsa_der_get_oid(&a, &oid, NULL));
		CHECK(i < 3 && cctsa_der_oid_is(oid.val, oid.val_len, oids[i]));
		if (prev.der != NULL) {
			size_t n = prev.der_len < e.der_len ? prev.der_len : e.der_len;
			int cmp = memcmp(prev.der, e.der, n);
			CHECK(cmp < 0 || (cmp == 0 && prev.der_len < e.der_len));
		}
		prev = e;
		i++;
	}
	CHECK(i == 3);
}

static void check_tstinfo(const tsp_token_view *tv, const cctsa_tsp_req *r)
{
	tsp_tstinfo_view ti;

	CHECK_OK(cctsa_tsp_view_tstinfo(&ti, tv->tstinfo.val, tv->tstinfo.val_len, NULL));
	CHECK(ti.version == 1 && ti.policy.val_len == CCTSA_TSP_OID_PROJECT_LEN);
	CHECK_MEMEQ(ti.policy.val, CCTSA_TSP_OID_POLICY_DEFAULT, CCTSA_TSP_OID_PROJECT_LEN);
	CHECK(ti.imprint_len == 32);
	CHECK_MEMEQ(ti.imprint, r->imprint, 32);
	CHECK(ti.serial.val_len == 20 && ti.serial.val[0] == 0x7f);
	CHECK(ti.gen_time == 1700000000 && ti.gen_nanos == 120000000);
	CHECK(ti.nonce.val_len == 8);
	CHECK_MEMEQ(ti.nonce.val, r->nonce, 8);
	CHECK(ti.tsa.der != NULL && ti.tsa.val[0] == 0xa4 && ti.ordering == 0);
	/* accuracy { seconds 1, millis [0] 500 } */
	CHECK(ti.accuracy.der_len == 9);
	CHECK_MEMEQ(ti.accuracy.der, "\x30\x07\x02\x01\x01\x80\x02\x01\xf4", 9);
	/* genTime text: milliseconds with trailing zeros dropped */
	CHECK(memmem(tv->tstinfo.val, tv->tstinfo.val_len, "20231114221320.12Z", 18) != NULL);
}

static void build(cctsa_buf *tok, const cctsa_tsp_req *r, const cctsa_tsp_issue *is,
		  const cctsa_tsp_signer *outer, const cctsa_tsp_signer *inner)
{
	cctsa_diag d;

	cctsa_diag_reset(&d);
	cctsa_buf_init(tok, 0);
	if (cctsa_tsp_token_build(tok, r, is, outer, inner, &d) != CCTSA_OK) {
		fprintf(stderr, "token build: %s\n", d.msg);
		abort();
	}
}

static void test_default_token(tsp_test_keys *k, const cctsa_tsp_signer *ec, const cctsa_tsp_signer *ml)
{
	cctsa_tsp_req r;
	cctsa_tsp_issue is;
	cctsa_buf tok, resp;
	tsp_token_view tv, inner;

	for (int cert_req = 0; cert_req <= 1; cert_req++) {
		test_req(&r, cert_req);
		test_issue(&is, 1700000000120);
		build(&tok, &r, &is, ec, ml);
		if (!cert_req) {
			printf("default token without certificates: %zu octets (budget 4800)\n", tok.len);
			CHECK(tok.len <= 4800);
		}
		CHECK_OK(cctsa_tsp_view_token(&tv, tok.data, tok.len, NULL));
		CHECK(tv.ncerts == (size_t)cert_req);
		CHECK(cctsa_der_oid_is(tv.signer.sig_alg.val, tv.signer.sig_alg.val_len, "1.2.840.10045.4.3.3"));
		CHECK(!tv.signer.sig_alg_has_params && tv.signer.version == 1);
		CHECK(cctsa_der_oid_is(tv.signer.digest_alg.val, tv.signer.digest_alg.val_len,
				       "2.16.840.1.101.3.4.2.2"));
		check_signed_attrs(&tv);
		check_tstinfo(&tv, &r);
		CHECK(tv.signer.companion.der != NULL);
		CHECK_OK(cctsa_tsp_view_token(&inner, tv.signer.companion.der, tv.signer.companion.der_len, NULL));
		CHECK(inner.ncerts == (size_t)cert_req && inner.signer.companion.der == NULL);
		CHECK(cctsa_der_oid_is(inner.signer.sig_alg.val, inner.signer.sig_alg.val_len,
				       "2.16.840.1.101.3.4.3.18"));
		CHECK(cctsa_der_oid_is(inner.signer.digest_alg.val, inner.signer.digest_alg.val_len,
				       "2.16.840.1.101.3.4.2.3"));
		check_signed_attrs(&inner);
		CHECK(inner.tstinfo.val_len == tv.tstinfo.val_len);
		CHECK_MEMEQ(inner.tstinfo.val, tv.tstinfo.val, tv.tstinfo.val_len);
		CHECK(mldsa_token_ok(&inner, k));
		cctsa_buf_init(&resp, 0);
		CHECK_OK(cctsa_tsp_resp_granted(&resp, tok.data, tok.len));
		CHECK(openssl_ts_verify(resp.data, resp.len, 0, k, &r));
		/* one flipped bit in the ECDSA signature: OpenSSL refuses */
		tok.data[(size_t)(tv.signer.sig - tok.data) + 10] ^= 1;
		resp.len = 0;
		CHECK_OK(cctsa_tsp_resp_granted(&resp, tok.data, tok.len));
		CHECK(!openssl_ts_verify(resp.data, resp.len, 0, k, &r));
		cctsa_buf_free(&resp);
		cctsa_buf_free(&tok);
	}
}

static void test_mirror_token(tsp_test_keys *k, const cctsa_tsp_signer *ec, const cctsa_tsp_signer *ml)
{
	cctsa_tsp_req r;
	cctsa_tsp_issue is;
	cctsa_buf tok;
	tsp_token_view tv, inner;

	test_req(&r, 0);
	test_issue(&is, 1700000000120);
	is.policy = CCTSA_TSP_OID_POLICY_PQ;
	build(&tok, &r, &is, ml, ec);
	CHECK_OK(cctsa_tsp_view_token(&tv, tok.data, tok.len, NULL));
	CHECK(cctsa_der_oid_is(tv.signer.sig_alg.val, tv.signer.sig_alg.val_len, "2.16.840.1.101.3.4.3.18"));
	CHECK(mldsa_token_ok(&tv, k));
	CHECK_OK(cctsa_tsp_view_token(&inner, tv.signer.companion.der, tv.signer.companion.der_len, NULL));
	CHECK_MEMEQ(inner.tstinfo.val, tv.tstinfo.val, tv.tstinfo.val_len);
	/* the inner ECDSA token is an ordinary RFC 3161 token for OpenSSL */
	CHECK(openssl_ts_verify(tv.signer.companion.der, tv.signer.companion.der_len, 1, k, &r));
	/* the outer ML-DSA token's signature breaks with one bit */
	tok.data[(size_t)(tv.signer.sig - tok.data) + 100] ^= 1;
	CHECK(!mldsa_token_ok(&tv, k));
	cctsa_buf_free(&tok);
}

static void test_build_errors(tsp_test_keys *k, cctsa_tsp_signer *ec, const cctsa_tsp_signer *ml)
{
	cctsa_tsp_req r;
	cctsa_tsp_issue is;
	cctsa_buf tok;
	cctsa_tsp_signer bad;

	test_req(&r, 0);
	cctsa_buf_init(&tok, 0);
	test_issue(&is, 1700000000000);
	is.serial[0] = 0x80; /* 20 octets with the top bit: 21 encoded */
	CHECK_ERR(cctsa_tsp_token_build(&tok, &r, &is, ec, ml, NULL), CCTSA_E_USAGE);
	memset(is.serial, 0, sizeof(is.serial)); /* zero is not positive */
	CHECK_ERR(cctsa_tsp_token_build(&tok, &r, &is, ec, ml, NULL), CCTSA_E_USAGE);
	test_issue(&is, -1);
	CHECK_ERR(cctsa_tsp_token_build(&tok, &r, &is, ec, ml, NULL), CCTSA_E_USAGE);
	test_issue(&is, 1700000000000);
	CHECK_ERR(cctsa_tsp_token_build(&tok, &r, &is, ec, ec, NULL), CCTSA_E_USAGE);
	bad = *ec;
	bad.cert_len = 10;
	CHECK_ERR(cctsa_tsp_token_build(&tok, &r, &is, &bad, ml, NULL), CCTSA_E_MALFORMED);
	k->fail_next = 1; /* a signer failure propagates */
	CHECK_ERR(cctsa_tsp_token_build(&tok, &r, &is, ec, ml, NULL), CCTSA_E_STATE);
	k->fail_next = 0;
	cctsa_buf_free(&tok);
	/* whole seconds: no fraction at all; an ECDSA-only token has no unsigned attributes */
	cctsa_buf_init(&tok, 0);
	CHECK_OK(cctsa_tsp_token_build(&tok, &r, &is, ec, NULL, NULL));
	CHECK(memmem(tok.data, tok.len, "20231114221320Z", 15) != NULL);
	CHECK(openssl_ts_verify(tok.data, tok.len, 1, k, &r));
	{
		tsp_token_view tv;
		CHECK_OK(cctsa_tsp_view_token(&tv, tok.data, tok.len, NULL));
		CHECK(tv.signer.companion.der == NULL);
	}
	cctsa_buf_free(&tok);
}

/* The verifier's token parser on every single-bit flip and every truncation of a real token. */
static void test_view_mutations(const cctsa_tsp_signer *ec, const cctsa_tsp_signer *ml)
{
	cctsa_tsp_req r;
	cctsa_tsp_issue is;
	cctsa_buf tok, resp;
	tsp_resp_view rv;
	tsp_token_view tv, in;
	tsp_tstinfo_view ti;
	size_t parsed = 0, refused = 0;

	test_req(&r, 1);
	test_issue(&is, 1700000000120);
	build(&tok, &r, &is, ec, ml);
	cctsa_buf_init(&resp, 0);
	CHECK_OK(cctsa_tsp_resp_granted(&resp, tok.data, tok.len));
	for (size_t n = 0; n < resp.len; n++) {
		CHECK(cctsa_tsp_view_resp(&rv, resp.data, n, NULL) != CCTSA_OK);
	}
	for (size_t i = 0; i < resp.len * 8; i += 3) {
		resp.data[i / 8] ^= (uint8_t)(1u << (i % 8));
		if (cctsa_tsp_view_resp(&rv, resp.data, resp.len, NULL) == CCTSA_OK && rv.token.der != NULL &&
		    cctsa_tsp_view_token(&tv, rv.token.der, rv.token.der_len, NULL) == CCTSA_OK &&
		    cctsa_tsp_view_tstinfo(&ti, tv.tstinfo.val, tv.tstinfo.val_len, NULL) == CCTSA_OK &&
		    tv.signer.companion.der != NULL &&
		    cctsa_tsp_view_token(&in, tv.signer.companion.der, tv.signer.companion.der_len, NULL) == CCTSA_OK) {
			parsed++;
		} else {
			refused++;
		}
		resp.data[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	/* most flips land in signatures, keys and hashes (still parse); structure flips are refused */
	CHECK(parsed > 0 && refused > 100);
	cctsa_buf_free(&resp);
	cctsa_buf_free(&tok);
}

void tsp_test_tokens(void)
{
	tsp_test_keys k;
	cctsa_tsp_signer ec, ml;

	memset(&k, 0, sizeof(k));
	make_ec_cert(&k);
	make_ml_cert(&k);
	ec = (cctsa_tsp_signer){CCTSA_TSP_SIG_ECDSA_P384, k.ec_cert, k.ec_cert_len, NULL, 0, test_ec_sign, &k};
	ml = (cctsa_tsp_signer){CCTSA_TSP_SIG_MLDSA65, k.ml_cert, k.ml_cert_len, NULL, 0, test_ml_sign, &k};
	test_default_token(&k, &ec, &ml);
	test_mirror_token(&k, &ec, &ml);
	test_build_errors(&k, &ec, &ml);
	test_view_mutations(&ec, &ml);
	CHECK(k.checks == 10); /* every signing call above (2+2, 2, 1+1, 2) was re-checked */
	EVP_PKEY_free(k.ec);
	cctsa_mldsa_key_free(k.ml);
	cctsa_mem_free(k.ec_cert);
	cctsa_mem_free(k.ml_cert);
}
