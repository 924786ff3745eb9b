/*
 * cctsa verify: relying-party verification of an RFC 3161 response or token:
 * imprint/nonce, both signatures (outer and companion), both chains at genTime,
 * EKU, ESSCertIDv2, same TSTInfo in both tokens. Prints one verdict; exit 0 only
 * for FULLY VERIFIED, CLASSICALLY VERIFIED and POST-QUANTUM VERIFIED, 1 for
 * WARNING and REJECT, 2 for misuse.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cctsa/tsp.h"
#include "cli.h"

const char cctsa_cli_verify_summary[] = "verify a time-stamp response (both signatures, both chains)";

static void help(void)
{
	printf("usage: cctsa verify --in R.tsr (--query Q.tsq | --data FILE) --ca-ecdsa CA.pem\n"
	       "                    [--ca-mldsa CA2.pem] [--untrusted CERTS.pem] [--binding B.json]\n"
	       "  --in R.tsr          DER TimeStampResp (or a bare TimeStampToken)\n"
	       "  --query Q.tsq       the request: imprint, nonce and policy must match\n"
	       "  --data FILE         or the time-stamped data itself\n"
	       "  --ca-ecdsa CA.pem   classical trust anchor(s) (PEM or DER; ECDSA or RSA)\n"
	       "  --ca-mldsa CA2.pem  ML-DSA-65 trust anchor for the post-quantum token\n"
	       "  --untrusted F.pem   certificates to find signers when the token has none\n"
	       "  --binding B.json    measurement binding (binding.json) every verified TSA\n"
	       "                      certificate must carry (else that token fails)\n"
	       "Certificate paths are validated at the token's genTime.\n"
	       "Verdicts: FULLY VERIFIED, CLASSICALLY VERIFIED, POST-QUANTUM VERIFIED (exit 0),\n"
	       "WARNING (one signature valid, the other invalid), REJECT (exit 1).\n");
}

typedef struct {
	const char *in, *query, *data, *ca, *ca_pq, *untrusted, *binding;
} args;

static int parse_args(args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{"in", required_argument, NULL, 'i'},        {"query", required_argument, NULL, 'q'},
		{"data", required_argument, NULL, 'd'},      {"ca-ecdsa", required_argument, NULL, 'c'},
		{"ca-mldsa", required_argument, NULL, 'm'},  {"untrusted", required_argument, NULL, 'u'},
		{"binding", required_argument, NULL, 'b'},   {NULL, 0, NULL, 0}};
	const char **slot[128] = {0};
	int c;

	memset(a, 0, sizeof(*a));
	slot['i'] = &a->in;
	slot['q'] = &a->query;
	slot['d'] = &a->data;
	slot['c'] = &a->ca;
	slot['m'] = &a->ca_pq;
	slot['u'] = &a->untrusted;
	slot['b'] = &a->binding;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c <= 0 || c >= 128 || slot[c] == NULL) {
			return cctsa_cli_usage("verify", "unknown option");
		}
		*slot[c] = optarg;
	}
	if (optind != argc || a->in == NULL || a->ca == NULL || (a->query == NULL) == (a->data == NULL)) {
		return cctsa_cli_usage("verify", "--in, --ca-ecdsa and exactly one of --query/--data are required");
	}
	return 0;
}

static int run(const args *a, cctsa_tsp_verify_opts *o, cctsa_buf *report, cctsa_tsp_verdict *v)
{
	cctsa_buf in, q, data;
	cctsa_tsp_req req;
	cctsa_diag diag;
	unsigned bit;
	int rc = CCTSA_EXIT_FAIL;

	cctsa_diag_reset(&diag);
	cctsa_buf_init(&q, 0);
	cctsa_buf_init(&data, 0);
	if (cctsa_file_read(&in, a->in, 1u << 24, &diag) != CCTSA_OK ||
	    (a->query != NULL && cctsa_file_read(&q, a->query, CCTSA_TSP_REQ_MAX, &diag) != CCTSA_OK) ||
	    (a->data != NULL && cctsa_file_read(&data, a->data, (size_t)1 << 31, &diag) != CCTSA_OK)) {
		rc = cctsa_cli_fail("verify", "%s", cctsa_diag_str(&diag, CCTSA_E_IO));
		goto out;
	}
	if (a->query != NULL) {
		if (cctsa_tsp_req_parse(&req, &bit, q.data, q.len, &diag) != CCTSA_OK) {
			rc = cctsa_cli_fail("verify", "query: %s", cctsa_diag_str(&diag, CCTSA_E_MALFORMED));
			goto out;
		}
		o->query = &req;
	} else {
		o->data = data.data;
		o->data_len = data.len;
		o->have_data = 1;
	}
	if (cctsa_tsp_verify(v, report, in.data, in.len, o, &diag) != CCTSA_OK) {
		rc = cctsa_cli_fail("verify", "%s", cctsa_diag_str(&diag, CCTSA_E_IO));
		goto out;
	}
	rc = CCTSA_EXIT_OK;
out:
	cctsa_buf_free(&in);
	cctsa_buf_free(&q);
	cctsa_buf_free(&data);
	return rc;
}

int cctsa_cli_verify(int argc, char **argv)
{
	args a;
	cctsa_tsp_verify_opts o;
	cctsa_tsp_verdict v = CCTSA_TSP_REJECT;
	cctsa_buf report;
	int rc;

	if (cctsa_cli_wants_help(argc, argv)) {
		help();
		return CCTSA_EXIT_OK;
	}
	rc = parse_args(&a, argc, argv);
	if (rc != 0) {
		return rc;
	}
	memset(&o, 0, sizeof(o));
	o.ca_classical_pem = a.ca;
	o.ca_mldsa_pem = a.ca_pq;
	o.untrusted_pem = a.untrusted;
	o.binding_json = a.binding;
	cctsa_buf_init(&report, 0);
	rc = run(&a, &o, &report, &v);
	if (rc == CCTSA_EXIT_OK) {
		fwrite(report.data, 1, report.len, stdout);
		printf("%s\n", cctsa_tsp_verdict_name(v));
		rc = (v == CCTSA_TSP_FULLY_VERIFIED || v == CCTSA_TSP_CLASSICALLY_VERIFIED ||
		      v == CCTSA_TSP_PQ_VERIFIED) ? CCTSA_EXIT_OK : CCTSA_EXIT_FAIL;
	}
	cctsa_buf_free(&report);
	return rc;
}
