/*
 * libFuzzer target: TimeStampReq parsing and validation (cctsa_tsp_req_parse).
 * Every input either parses or fails with a failInfo bit from the RFC 3161 set
 * and a specific error; a parsed request is re-encoded, re-parsed and must give
 * the same fields, and its rejection response must encode. The same input also
 * goes through the verifier's TimeStampResp / token / TSTInfo views (hostile
 * tokens reach `cctsa verify`), which must refuse or parse, never crash.
 */
#include <stdint.h>
#include <string.h>

#include "cctsa/tsp.h"
#include "tsp/tsp_view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
	if (!cond) {
		__builtin_trap();
	}
}

static int bit_known(unsigned bit)
{
	return bit == CCTSA_TSP_FAIL_BAD_ALG || bit == CCTSA_TSP_FAIL_BAD_REQUEST ||
	       bit == CCTSA_TSP_FAIL_BAD_DATA_FORMAT || bit == CCTSA_TSP_FAIL_UNACCEPTED_POLICY ||
	       bit == CCTSA_TSP_FAIL_UNACCEPTED_EXTENSION;
}

static void views(const uint8_t *data, size_t size)
{
	tsp_resp_view rv;
	tsp_token_view tv, in;
	tsp_tstinfo_view ti;

	if (cctsa_tsp_view_resp(&rv, data, size, NULL) != CCTSA_OK || rv.token.der == NULL ||
	    cctsa_tsp_view_token(&tv, rv.token.der, rv.token.der_len, NULL) != CCTSA_OK) {
		return;
	}
	must(tv.tstinfo.val + tv.tstinfo.val_len <= data + size);
	if (cctsa_tsp_view_tstinfo(&ti, tv.tstinfo.val, tv.tstinfo.val_len, NULL) == CCTSA_OK) {
		must(ti.imprint + ti.imprint_len <= data + size);
	}
	if (tv.signer.companion.der != NULL &&
	    cctsa_tsp_view_token(&in, tv.signer.companion.der, tv.signer.companion.der_len, NULL) == CCTSA_OK &&
	    cctsa_tsp_view_tstinfo(&ti, in.tstinfo.val, in.tstinfo.val_len, NULL) == CCTSA_OK) {
		must(ti.version == 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cctsa_tsp_req a, b;
	unsigned bit = 99;
	cctsa_buf out;
	cctsa_err err;

	views(data, size);
	err = cctsa_tsp_req_parse(&a, &bit, data, size, NULL);
	cctsa_buf_init(&out, 0);
	if (err != CCTSA_OK) {
		must(err == CCTSA_E_MALFORMED || err == CCTSA_E_UNSUPPORTED);
		must(bit_known(bit));
		must(cctsa_tsp_resp_rejection(&out, bit, "fuzz") == CCTSA_OK);
		cctsa_buf_free(&out);
		return 0;
	}
	must(cctsa_tsp_req_write(&out, &a) == CCTSA_OK);
	must(cctsa_tsp_req_parse(&b, &bit, out.data, out.len, NULL) == CCTSA_OK);
	must(a.hash == b.hash && a.hash_null_params == b.hash_null_params &&
	     a.imprint_len == b.imprint_len && a.policy_len == b.policy_len &&
	     a.nonce_len == b.nonce_len && a.cert_req == b.cert_req);
	must(memcmp(a.imprint, b.imprint, a.imprint_len) == 0 &&
	     memcmp(a.policy, b.policy, a.policy_len) == 0 && memcmp(a.nonce, b.nonce, a.nonce_len) == 0);
	cctsa_buf_free(&out);
	return 0;
}
