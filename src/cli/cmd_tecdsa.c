/*
 * cctsa tecdsa selftest --count N --out DIR: DKG among five in-process parties,
 * N signatures from each of the ten signing sets, written as pk.pem, msg-*.bin
 * and sig-*.der. Exit 0 only if every signature verifies.
 */
#include <getopt.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cctsa/tecdsa.h"
#include "cli.h"

const char cctsa_cli_tecdsa_summary[] = "threshold ECDSA P-384 (3-of-5) self-test";

static void help(void)
{
	printf("usage: cctsa tecdsa selftest [--count N] --out DIR\n"
	       "  Runs the DKG among 5 in-process parties, then N presign+sign rounds for each of\n"
	       "  the 10 signing sets (re-randomisation on), writing DIR/pk.pem, DIR/msg-<i>.bin\n"
	       "  and DIR/sig-<i>.der (DER ECDSA-Sig-Value over SHA-384). Exit 0 iff all verify.\n");
}

static int write_file(const char *dir, const char *name, long idx, const uint8_t *d, size_t n)
{
	char path[PATH_MAX];
	cctsa_diag diag;

	cctsa_diag_reset(&diag);
	if (idx >= 0) {
		snprintf(path, sizeof(path), "%s/%s-%ld.%s", dir, name, idx, strcmp(name, "msg") == 0 ? "bin" : "der");
	} else {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	}
	if (cctsa_file_write(path, d, n, 0644, 0, &diag) != CCTSA_OK) {
		return cctsa_cli_fail("tecdsa", "%s: %s", path, cctsa_diag_str(&diag, diag.err));
	}
	return CCTSA_EXIT_OK;
}

/* One presignature and one signature for set; writes msg/sig number idx. */
static int sign_one(cctsa_tecdsa_party *const p[5], const uint8_t set[3], long idx, const char *dir,
		    EVP_PKEY *pk)
{
	uint8_t pid[32], msg[64], e[48], sh[3][CCTSA_TECDSA_SHARE_LEN], der[CCTSA_TECDSA_SIG_MAX];
	const uint8_t *shp[3] = {sh[0], sh[1], sh[2]};
	size_t bytes = 0, dl = 0;
	cctsa_diag diag;
	EVP_PKEY_CTX *vc = NULL;
	cctsa_err err;
	int ok;

	cctsa_diag_reset(&diag);
	if (cctsa_rand_bytes(pid, 32) != CCTSA_OK || cctsa_rand_bytes(msg, sizeof(msg)) != CCTSA_OK ||
	    EVP_Digest(msg, sizeof(msg), e, NULL, EVP_sha384(), NULL) != 1) {
		return cctsa_cli_fail("tecdsa", "randomness or hashing failed");
	}
	if ((err = cctsa_tecdsa_sim_presign(p, set, pid, &bytes, &diag)) != CCTSA_OK) {
		return cctsa_cli_fail("tecdsa", "presign failed: %s", cctsa_diag_str(&diag, err));
	}
	for (int a = 0; a < 3; a++) {
		if ((err = cctsa_tecdsa_sign_share(p[set[a] - 1], pid, e, 1, sh[a], &diag)) != CCTSA_OK) {
			return cctsa_cli_fail("tecdsa", "sign share failed: %s", cctsa_diag_str(&diag, err));
		}
	}
	if ((err = cctsa_tecdsa_combine(p[set[0] - 1], pid, e, 1, shp, der, &dl, NULL, &diag)) != CCTSA_OK) {
		return cctsa_cli_fail("tecdsa", "combine failed: %s", cctsa_diag_str(&diag, err));
	}
	/* Independent second check through EVP before anything is written. */
	vc = EVP_PKEY_CTX_new(pk, NULL);
	ok = vc != NULL && EVP_PKEY_verify_init(vc) == 1 && EVP_PKEY_verify(vc, der, dl, e, 48) == 1;
	EVP_PKEY_CTX_free(vc);
	if (!ok) {
		return cctsa_cli_fail("tecdsa", "signature %ld does not verify", idx);
	}
	if (write_file(dir, "msg", idx, msg, sizeof(msg)) != 0 || write_file(dir, "sig", idx, der, dl) != 0) {
		return CCTSA_EXIT_FAIL;
	}
	return CCTSA_EXIT_OK;
}

static EVP_PKEY *load_pem(const cctsa_buf *pem)
{
	BIO *bio = BIO_new_mem_buf(pem->data, (int)pem->len);
	EVP_PKEY *pk = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return pk;
}

static int selftest(long count, const char *dir)
{
	cctsa_tecdsa_party *p[5] = {NULL, NULL, NULL, NULL, NULL};
	uint8_t sid[32];
	cctsa_buf pem;
	cctsa_diag diag;
	EVP_PKEY *pk = NULL;
	long idx = 0;
	int rc = CCTSA_EXIT_FAIL;
	cctsa_err err = CCTSA_E_INTERNAL;

	cctsa_diag_reset(&diag);
	cctsa_buf_init(&pem, 0);
	for (uint8_t i = 0; i < 5; i++) {
		if (cctsa_tecdsa_party_new(&p[i], (uint8_t)(i + 1)) != CCTSA_OK) {
			goto out;
		}
	}
	if (cctsa_rand_bytes(sid, 32) != CCTSA_OK || (err = cctsa_tecdsa_sim_dkg(p, sid, &diag)) != CCTSA_OK) {
		rc = cctsa_cli_fail("tecdsa", "DKG failed: %s", cctsa_diag_str(&diag, err));
		goto out;
	}
	if (cctsa_tecdsa_pubkey_pem(p[0], &pem) != CCTSA_OK || (pk = load_pem(&pem)) == NULL ||
	    write_file(dir, "pk.pem", -1, pem.data, pem.len) != 0) {
		goto out;
	}
	for (uint8_t s1 = 1; s1 <= 5; s1++) {
		for (uint8_t s2 = s1 + 1; s2 <= 5; s2++) {
			for (uint8_t s3 = s2 + 1; s3 <= 5; s3++) {
				uint8_t set[3] = {s1, s2, s3};

				for (long k = 0; k < count; k++) {
					if (sign_one(p, set, idx++, dir, pk) != CCTSA_EXIT_OK) {
						goto out;
					}
				}
			}
		}
	}
	printf("tecdsa selftest: DKG ok, %ld signatures from 10 signing sets verified, written to %s\n", idx, dir);
	rc = CCTSA_EXIT_OK;
out:
	EVP_PKEY_free(pk);
	cctsa_buf_free(&pem);
	for (int i = 0; i < 5; i++) {
		cctsa_tecdsa_party_free(p[i]);
	}
	return rc;
}

int cctsa_cli_tecdsa(int argc, char **argv)
{
	static const struct option opts[] = {
		{"count", required_argument, NULL, 'n'}, {"out", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
	const char *dir = NULL;
	long count = 1;
	char *end = NULL;
	int c;

	if (cctsa_cli_wants_help(argc, argv)) {
		help();
		return CCTSA_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "selftest") != 0) {
		return cctsa_cli_usage("tecdsa", "expected subcommand: selftest");
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n') {
			count = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || count < 1 || count > 1000) {
				return cctsa_cli_usage("tecdsa", "--count must be 1..1000");
			}
		} else if (c == 'o') {
			dir = optarg;
		} else {
			return cctsa_cli_usage("tecdsa", "unknown option");
		}
	}
	if (dir == NULL || optind != argc) {
		return cctsa_cli_usage("tecdsa", "--out DIR is required");
	}
	return selftest(count, dir);
}
