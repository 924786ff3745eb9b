/*
 * cctsa ca: the offline CA whose root keys exist only as custodian shards
 * (DESIGN.md §4; CADIR layout in include/cctsa/x509.h).
 *   cctsa ca init  --dir CADIR --custodians N --threshold M [--master NAME] [--witness NAME] [--org ORG]
 *   cctsa ca issue --dir CADIR --csr REQ --shard S [--shard S | S]... --out CERT [--days D]
 */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cctsa/sss.h"
#include "cctsa/x509.h"
#include "cli.h"

const char cctsa_cli_ca_summary[] = "offline CA with custodian shards: init, issue TSA certificates";

#define CMD "ca"

static void usage(FILE *f)
{
	fprintf(f, "usage: cctsa ca init --dir CADIR --custodians N --threshold M\n"
		   "                     [--master NAME] [--witness NAME] [--org ORG] [--root-days D]\n"
		   "       cctsa ca issue --dir CADIR --csr REQ --shard S [--shard S | S]... --out CERT [--days D]\n\n"
		   "init creates an ECDSA P-384 and an ML-DSA-65 root in locked memory, writes\n"
		   "CADIR/root-ecdsa.pem and root-mldsa.pem, splits both private keys M-of-N into one\n"
		   "shard file per custodian under CADIR/shards/ (hand them out, then delete them\n"
		   "there), writes the ceremony transcript under CADIR/ceremony/ and wipes the keys.\n"
		   "issue checks the CSR's self-signature, rebuilds the root of the CSR key's\n"
		   "algorithm from at least M shards, issues a TSA certificate (critical EKU\n"
		   "timeStamping only, certificatePolicies and the measurement binding copied from\n"
		   "the CSR; D days, default 365), wipes the key and appends to CADIR/issuance.log.\n");
}

/* Parses a decimal in [lo, hi]; 0 on error. */
static int num(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9') {
		return 0;
	}
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi) {
		return 0;
	}
	*out = (unsigned)v;
	return 1;
}

static int run_init(int argc, char **argv)
{
	static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
					     {"custodians", required_argument, NULL, 'n'},
					     {"threshold", required_argument, NULL, 'm'},
					     {"master", required_argument, NULL, 'M'},
					     {"witness", required_argument, NULL, 'W'},
					     {"org", required_argument, NULL, 'o'},
					     {"root-days", required_argument, NULL, 'r'},
					     {NULL, 0, NULL, 0}};
	cctsa_x509_ca_init_opts o;
	cctsa_diag d;
	cctsa_err err;
	int c;

	memset(&o, 0, sizeof(o));
	o.version = CCTSA_VERSION;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd') {
			o.dir = optarg;
		} else if (c == 'n' && num(optarg, 2, CCTSA_SSS_MAX_SHARES, &o.custodians)) {
		} else if (c == 'm' && num(optarg, 2, CCTSA_SSS_MAX_SHARES, &o.threshold)) {
		} else if (c == 'r' && num(optarg, 1, 36500, &o.root_days)) {
		} else if (c == 'M' || c == 'W' || c == 'o') {
			*(c == 'M' ? &o.master : c == 'W' ? &o.witness : &o.org) = optarg;
		} else {
			return cctsa_cli_usage(CMD, "bad option or value (custodians and threshold are 2..255)");
		}
	}
	if (o.dir == NULL || o.custodians == 0 || o.threshold == 0 || optind != argc) {
		return cctsa_cli_usage(CMD, "init needs --dir, --custodians and --threshold");
	}
	if (o.threshold > o.custodians) {
		return cctsa_cli_usage(CMD, "--threshold must not exceed --custodians");
	}
	cctsa_diag_reset(&d);
	err = cctsa_x509_ca_init(&o, &d);
	if (err != CCTSA_OK) {
		return cctsa_cli_fail(CMD, "init: %s", cctsa_diag_str(&d, err));
	}
	printf("CA created in %s: roots root-ecdsa.pem and root-mldsa.pem; %u shard files (threshold %u) in "
	       "%s/shards/ -- give one to each custodian and remove them from this machine\n",
	       o.dir, o.custodians, o.threshold, o.dir);
	return CCTSA_EXIT_OK;
}

static int do_issue(const char *dir, const char *csr, const char *out, const char *const *shards, size_t n,
		    unsigned days)
{
	cctsa_buf req, cert, pem;
	cctsa_diag d;
	cctsa_err err = CCTSA_OK;

	cctsa_diag_reset(&d);
	cctsa_buf_init(&req, 0);
	cctsa_buf_init(&cert, 0);
	cctsa_buf_init(&pem, 0);
	CCTSA_TRY(cctsa_file_read(&req, csr, 1 << 20, &d));
	CCTSA_TRY(cctsa_x509_ca_issue(&cert, dir, req.data, req.len, shards, n, days, CCTSA_VERSION, &d));
	CCTSA_TRY(cctsa_x509_der_to_pem(&pem, "CERTIFICATE", cert.data, cert.len));
	CCTSA_TRY(cctsa_file_write(out, pem.data, pem.len, 0644, 0, &d));
out:
	cctsa_buf_free(&req);
	cctsa_buf_free(&cert);
	cctsa_buf_free(&pem);
	if (err != CCTSA_OK) {
		return cctsa_cli_fail(CMD, "issue: %s", cctsa_diag_str(&d, err));
	}
	printf("issued %s\n", out);
	return CCTSA_EXIT_OK;
}

static int run_issue(int argc, char **argv)
{
	static const struct option opts[] = {{"dir", required_argument, NULL, 'd'},
					     {"csr", required_argument, NULL, 'c'},
					     {"shard", required_argument, NULL, 's'},
					     {"out", required_argument, NULL, 'o'},
					     {"days", required_argument, NULL, 'D'},
					     {NULL, 0, NULL, 0}};
	const char *dir = NULL, *csr = NULL, *out = NULL;
	const char *shards[CCTSA_SSS_MAX_SHARES];
	size_t n = 0;
	unsigned days = 365;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's' && n < CCTSA_SSS_MAX_SHARES) {
			shards[n++] = optarg;
		} else if (c == 'd' || c == 'c' || c == 'o') {
			*(c == 'd' ? &dir : c == 'c' ? &csr : &out) = optarg;
		} else if (c == 'D' && num(optarg, 1, 3650, &days)) {
		} else {
			return cctsa_cli_usage(CMD, "bad option or value (--days is 1..3650)");
		}
	}
	for (; optind < argc && n > 0 && n < CCTSA_SSS_MAX_SHARES; optind++) {
		shards[n++] = argv[optind]; /* --shard S1 S2 S3 */
	}
	if (dir == NULL || csr == NULL || out == NULL || n == 0 || optind != argc) {
		return cctsa_cli_usage(CMD, "issue needs --dir, --csr, --out and at least one --shard");
	}
	return do_issue(dir, csr, out, shards, n, days);
}

int cctsa_cli_ca(int argc, char **argv)
{
	if (cctsa_cli_wants_help(argc, argv)) {
		usage(stdout);
		return CCTSA_EXIT_OK;
	}
	/*
	 * Root keys will live in this process: no core dumps, not dumpable; and OpenSSL's
	 * secure heap (mlocked, guard pages) so the P-384 scalar, which OpenSSL keeps in
	 * BN_secure_new memory, is locked like our own secret arena.
	 */
	if (cctsa_process_harden() != CCTSA_OK) {
		return cctsa_cli_fail(CMD, "cannot make the process non-dumpable; refusing to handle root keys");
	}
	if (CRYPTO_secure_malloc_initialized() == 0 && CRYPTO_secure_malloc_init(1 << 16, 32) != 1) {
		return cctsa_cli_fail(CMD, "cannot set up OpenSSL's locked heap; refusing to handle root keys");
	}
	if (argc >= 2 && strcmp(argv[1], "init") == 0) {
		return run_init(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "issue") == 0) {
		return run_issue(argc - 1, argv + 1);
	}
	return cctsa_cli_usage(CMD, "expected `init` or `issue`");
}
