/*
 * cctsa ts-reply: offline issuance from the key files of `cctsa testpki` (the
 * counterpart of `openssl ts -reply`), for tests and offline use. The answer is
 * always a TimeStampResp: a granted token, or a rejection with its failInfo.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/ct.h"
#include "cctsa/der.h"
#include "cctsa/tsp.h"
#include "cli.h"

const char cctsa_cli_ts_reply_summary[] = "issue an RFC 3161 response from local key files";

static void help(void)
{
	printf("usage: cctsa ts-reply --query Q.tsq --keys DIR --out R.tsr [--policy OID] [--no-companion]\n"
	       "  --query Q.tsq  DER TimeStampReq (e.g. from `openssl ts -query`)\n"
	       "  --keys DIR     tsa-ecdsa.{pem,key}, tsa-mldsa.{pem,key}, ca-*.pem (cctsa testpki)\n"
	       "  --out R.tsr    where to write the DER TimeStampResp\n"
	       "  --policy OID   TSA policy: 1.3.6.1.4.1.32473.1.4 (default: ECDSA token with\n"
	       "                 ML-DSA companion) or 1.3.6.1.4.1.32473.1.3 (post-quantum: the\n"
	       "                 mirror image)\n"
	       "  --no-companion one token only (ECDSA, or ML-DSA under the PQ policy), for tests\n"
	       "A request the TSA cannot grant still yields a response (status rejection,\n"
	       "failInfo); the command then prints the reason and exits 1.\n");
}

typedef struct {
	const char *query, *keys, *out, *policy;
	int single;
} args;

static int parse_args(args *a, int argc, char **argv)
{
	static const struct option opts[] = {{"query", required_argument, NULL, 'q'},
					     {"keys", required_argument, NULL, 'k'},
					     {"out", required_argument, NULL, 'o'},
					     {"policy", required_argument, NULL, 'p'},
					     {"no-companion", no_argument, NULL, 's'},
					     {NULL, 0, NULL, 0}};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'q') {
			a->query = optarg;
		} else if (c == 'k') {
			a->keys = optarg;
		} else if (c == 'o') {
			a->out = optarg;
		} else if (c == 'p') {
			a->policy = optarg;
		} else if (c == 's') {
			a->single = 1;
		} else {
			return cctsa_cli_usage("ts-reply", "unknown option");
		}
	}
	if (optind != argc || a->query == NULL || a->keys == NULL || a->out == NULL) {
		return cctsa_cli_usage("ts-reply", "--query, --keys and --out are required");
	}
	return 0;
}

/* Applies --policy: fills reqPolicy if absent; a different reqPolicy is refused. */
static int apply_policy(const char *dotted, cctsa_tsp_req *req, const char **why)
{
	uint8_t oid[CCTSA_TSP_OID_MAX];
	size_t n;

	if (cctsa_der_oid_encode(oid, sizeof(oid), &n, dotted) != CCTSA_OK || !cctsa_tsp_policy_ok(oid, n)) {
		*why = "--policy must be 1.3.6.1.4.1.32473.1.4 or 1.3.6.1.4.1.32473.1.3";
		return -1;
	}
	if (req->policy_len != 0 && (req->policy_len != n || cctsa_memcmp_var(req->policy, oid, n) != 0)) {
		return 1;
	}
	memcpy(req->policy, oid, n);
	req->policy_len = n;
	return 0;
}

static int respond(const args *a, cctsa_buf *resp, const cctsa_buf *q, int *granted)
{
	cctsa_tsp_local *local = NULL;
	cctsa_tsp_req req;
	cctsa_diag diag;
	unsigned bit = 0;
	const char *why = NULL;
	int rc = CCTSA_EXIT_FAIL, pol;

	cctsa_diag_reset(&diag);
	*granted = 0;
	if (cctsa_tsp_req_parse(&req, &bit, q->data, q->len, &diag) != CCTSA_OK) {
		fprintf(stderr, "cctsa ts-reply: request rejected (failInfo bit %u): %s\n", bit, diag.msg);
		return cctsa_tsp_resp_rejection(resp, bit, diag.msg) == CCTSA_OK ? 0 : rc;
	}
	pol = a->policy != NULL ? apply_policy(a->policy, &req, &why) : 0;
	if (pol < 0) {
		return cctsa_cli_usage("ts-reply", "%s", why);
	}
	if (pol > 0 || !cctsa_tsp_policy_ok(req.policy, req.policy_len)) {
		fprintf(stderr, "cctsa ts-reply: request rejected: unaccepted policy\n");
		return cctsa_tsp_resp_rejection(resp, CCTSA_TSP_FAIL_UNACCEPTED_POLICY,
						"requested policy is not offered") == CCTSA_OK ? 0 : rc;
	}
	if (cctsa_tsp_local_load(&local, a->keys, &diag) != CCTSA_OK) {
		return cctsa_cli_fail("ts-reply", "keys: %s", cctsa_diag_str(&diag, CCTSA_E_IO));
	}
	if (cctsa_tsp_local_respond(local, resp, &req, 0,
				    a->single ? CCTSA_TSP_LOCAL_NO_COMPANION : 0, &diag) == CCTSA_OK) {
		*granted = 1;
		rc = 0;
	} else {
		rc = cctsa_cli_fail("ts-reply", "%s", cctsa_diag_str(&diag, CCTSA_E_INTERNAL));
	}
	cctsa_tsp_local_free(local);
	return rc;
}

int cctsa_cli_ts_reply(int argc, char **argv)
{
	args a;
	cctsa_buf q, resp;
	cctsa_diag diag;
	int rc, granted = 0;

	if (cctsa_cli_wants_help(argc, argv)) {
		help();
		return CCTSA_EXIT_OK;
	}
	rc = parse_args(&a, argc, argv);
	if (rc != 0) {
		return rc;
	}
	cctsa_diag_reset(&diag);
	cctsa_buf_init(&resp, 0);
	if (cctsa_file_read(&q, a.query, CCTSA_TSP_REQ_MAX + 1, &diag) != CCTSA_OK) {
		return cctsa_cli_fail("ts-reply", "%s", cctsa_diag_str(&diag, CCTSA_E_IO));
	}
	rc = respond(&a, &resp, &q, &granted);
	if (rc == 0 && cctsa_file_write(a.out, resp.data, resp.len, 0644, 0, &diag) != CCTSA_OK) {
		rc = cctsa_cli_fail("ts-reply", "%s", cctsa_diag_str(&diag, CCTSA_E_IO));
	} else if (rc == 0 && !granted) {
		rc = CCTSA_EXIT_FAIL;
	}
	cctsa_buf_free(&q);
	cctsa_buf_free(&resp);
	return rc;
}
