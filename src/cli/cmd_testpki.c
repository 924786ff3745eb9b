/*
 * cctsa testpki: a throw-away test PKI (ECDSA P-384 root -> ECDSA TSA certificate,
 * ML-DSA-65 root -> ML-DSA-65 TSA certificate, keys in PKCS#8 PEM files), and
 * `cctsa testpki csr` to make a TSA CSR from a key file for `cctsa ca issue`.
 */
#include <errno.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cctsa/der.h"
#include "cctsa/x509.h"
#include "cli.h"

const char cctsa_cli_testpki_summary[] = "make a throw-away test PKI (roots, TSA certificates, keys) or a test CSR";

#define CMD "testpki"

static void usage(FILE *f)
{
	fprintf(f, "usage: cctsa testpki --out DIR [--measurement HEX]\n"
		   "       cctsa testpki csr --key KEY.pem --out REQ.pem [--binding B.json] [--cn NAME]\n"
		   "                         [--org ORG] [--policy OID]...\n\n"
		   "The first form writes DIR/ca-ecdsa.pem, ca-mldsa.pem (roots), tsa-ecdsa.pem,\n"
		   "tsa-mldsa.pem (TSA certificates: critical EKU timeStamping only, keyUsage\n"
		   "digitalSignature, certificatePolicies with the default and post-quantum TSA\n"
		   "policies, measurement-binding extension with platform \"sim\"), the four keys\n"
		   "(*.key, PKCS#8 PEM, mode 0600; test keys only) and binding.json. --measurement\n"
		   "sets the 48-byte launch measurement (96 hex digits; default random).\n"
		   "The csr form signs a PKCS#10 request with KEY (P-384 or ML-DSA-65) asking for the\n"
		   "TSA policies (default: both project policies) and the binding from B.json.\n");
}

static int fail(cctsa_err err, const cctsa_diag *d)
{
	return cctsa_cli_fail(CMD, "%s", cctsa_diag_str(d, err));
}

static cctsa_err write_buf(const char *dir, const char *name, const cctsa_buf *b, unsigned mode, cctsa_diag *d)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		return cctsa_fail(d, CCTSA_E_USAGE, "path too long");
	}
	return cctsa_file_write(path, b->data, b->len, mode, mode == 0600 ? CCTSA_FILE_SECRET : 0, d);
}

static cctsa_err write_key(const char *dir, const char *name, const cctsa_x509_key *key, cctsa_diag *d)
{
	cctsa_buf pem;
	cctsa_err err;

	cctsa_buf_init(&pem, 0);
	err = cctsa_x509_key_to_pem(key, &pem, d);
	if (err == CCTSA_OK) {
		err = write_buf(dir, name, &pem, 0600, d);
	}
	cctsa_buf_free(&pem); /* wipes */
	return err;
}

static cctsa_err write_cert(const char *dir, const char *name, const cctsa_buf *der, cctsa_diag *d)
{
	cctsa_buf pem;
	cctsa_err err;

	cctsa_buf_init(&pem, 0);
	err = cctsa_x509_der_to_pem(&pem, "CERTIFICATE", der->data, der->len);
	if (err == CCTSA_OK) {
		err = write_buf(dir, name, &pem, 0644, d);
	}
	cctsa_buf_free(&pem);
	return err;
}

static cctsa_err make_binding(cctsa_x509_binding *b, const char *meas_hex, cctsa_diag *d)
{
	size_t n;
	cctsa_err err = CCTSA_OK;

	memset(b, 0, sizeof(*b));
	b->version = CCTSA_BINDING_VERSION;
	memcpy(b->platform, "sim", 4);
	if (meas_hex != NULL) {
		CCTSA_ENSURE(strlen(meas_hex) == 2 * CCTSA_BINDING_HASH_LEN &&
				     cctsa_hex_decode(b->measurement, sizeof(b->measurement), &n, meas_hex) == CCTSA_OK,
			     cctsa_fail(d, CCTSA_E_USAGE, "--measurement must be 96 hex digits"));
	} else {
		CCTSA_TRY(cctsa_rand_bytes(b->measurement, sizeof(b->measurement)));
	}
	/* No DKG in a test PKI: the transcript hash is SHA-384 of the empty transcript. */
	CCTSA_ENSURE(EVP_Digest("", 0, b->transcript_hash, NULL, EVP_sha384(), NULL) == 1, CCTSA_E_CRYPTO);
	b->min_tcb = 0;
	b->key_epoch = (uint64_t)time(NULL);
out:
	return err;
}

static cctsa_err serial16(uint8_t s[16])
{
	cctsa_err err = cctsa_rand_bytes(s, 16);

	s[0] = (uint8_t)((s[0] & 0x3f) | 0x40);
	return err;
}

/* Root (self-signed) or TSA certificate (signed by root_key) for key. */
static cctsa_err make_cert(cctsa_buf *out, cctsa_x509_key *key, cctsa_x509_key *root_key, const char *cn,
			   const cctsa_buf *issuer_name, const cctsa_buf *binding, cctsa_buf *subject_out,
			   cctsa_diag *d)
{
	cctsa_x509_cert_params p;
	cctsa_signer self, root;
	uint8_t serial[16];
	int64_t now = (int64_t)time(NULL);
	cctsa_err err = CCTSA_OK;

	memset(&p, 0, sizeof(p));
	cctsa_x509_key_signer(key, &self);
	cctsa_x509_key_signer(root_key, &root);
	CCTSA_TRY(cctsa_x509_name_write(subject_out, "CC-TSA Test PKI", cn));
	CCTSA_TRY(serial16(serial));
	p.profile = binding == NULL ? CCTSA_X509_PROFILE_ROOT : CCTSA_X509_PROFILE_TSA;
	p.serial = serial;
	p.serial_len = sizeof(serial);
	p.subject = subject_out->data;
	p.subject_len = subject_out->len;
	p.issuer = issuer_name != NULL ? issuer_name->data : p.subject;
	p.issuer_len = issuer_name != NULL ? issuer_name->len : p.subject_len;
	p.not_before = now - 3600;
	p.not_after = now + (binding == NULL ? 3650 : 730) * (int64_t)86400;
	p.spki = self.spki;
	p.spki_len = self.spki_len;
	p.policies[0] = CCTSA_OID_POLICY_DEFAULT;
	p.policies[1] = CCTSA_OID_POLICY_PQ;
	if (binding != NULL) {
		p.binding = binding->data;
		p.binding_len = binding->len;
	}
	CCTSA_TRY(cctsa_x509_cert_build(out, &p, binding == NULL ? &self : &root, d));
out:
	return err;
}

/* One chain: root and TSA key of alg, both certificates and both keys written. */
static cctsa_err make_chain(const char *dir, cctsa_sig_alg alg, const cctsa_buf *binding, cctsa_diag *d)
{
	const int ml = alg == CCTSA_SIG_MLDSA65;
	cctsa_x509_key *rk = NULL, *tk = NULL;
	cctsa_buf rname, tname, rder, tder;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&rname, 0);
	cctsa_buf_init(&tname, 0);
	cctsa_buf_init(&rder, 0);
	cctsa_buf_init(&tder, 0);
	CCTSA_TRY(cctsa_x509_key_generate(&rk, alg, d));
	CCTSA_TRY(cctsa_x509_key_generate(&tk, alg, d));
	CCTSA_TRY(make_cert(&rder, rk, rk, ml ? "Test Root ML-DSA-65" : "Test Root ECDSA P-384", NULL, NULL, &rname,
			    d));
	/* One subject for both TSA certificates: the shared TSTInfo names it (tsa field),
	 * so each token of the pair, taken alone, names its own signer. */
	CCTSA_TRY(make_cert(&tder, tk, rk, "CC-TSA Test TSA", &rname, binding,
			    &tname, d));
	CCTSA_TRY(write_cert(dir, ml ? "ca-mldsa.pem" : "ca-ecdsa.pem", &rder, d));
	CCTSA_TRY(write_cert(dir, ml ? "tsa-mldsa.pem" : "tsa-ecdsa.pem", &tder, d));
	CCTSA_TRY(write_key(dir, ml ? "ca-mldsa.key" : "ca-ecdsa.key", rk, d));
	CCTSA_TRY(write_key(dir, ml ? "tsa-mldsa.key" : "tsa-ecdsa.key", tk, d));
out:
	cctsa_x509_key_free(rk);
	cctsa_x509_key_free(tk);
	cctsa_buf_free(&rname);
	cctsa_buf_free(&tname);
	cctsa_buf_free(&rder);
	cctsa_buf_free(&tder);
	return err;
}

static int run_pki(const char *dir, const char *meas)
{
	cctsa_x509_binding b;
	cctsa_buf bder, bjson;
	cctsa_diag d;
	cctsa_err err = CCTSA_OK;

	cctsa_diag_reset(&d);
	cctsa_buf_init(&bder, 0);
	cctsa_buf_init(&bjson, 0);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		return cctsa_cli_fail(CMD, "cannot create %s: %s", dir, strerror(errno));
	}
	CCTSA_TRY(make_binding(&b, meas, &d));
	CCTSA_TRY(cctsa_x509_binding_encode(&bder, &b));
	CCTSA_TRY(cctsa_x509_binding_to_json(&bjson, &b));
	CCTSA_TRY(cctsa_buf_put_u8(&bjson, '\n'));
	CCTSA_TRY(make_chain(dir, CCTSA_SIG_ECDSA_P384_SHA384, &bder, &d));
	CCTSA_TRY(make_chain(dir, CCTSA_SIG_MLDSA65, &bder, &d));
	CCTSA_TRY(write_buf(dir, "binding.json", &bjson, 0644, &d));
out:
	cctsa_buf_free(&bder);
	cctsa_buf_free(&bjson);
	if (err != CCTSA_OK) {
		return err == CCTSA_E_USAGE && meas != NULL ? cctsa_cli_usage(CMD, "%s", cctsa_diag_str(&d, err))
							    : fail(err, &d);
	}
	printf("test PKI written to %s (platform \"sim\"; throw-away keys)\n", dir);
	return CCTSA_EXIT_OK;
}

/* Reads KEY, builds and signs the CSR, writes it as PEM. */
static cctsa_err csr_write(const char *key_path, const char *out, const char *bind_path, const char *cn,
			   const char *org, const char *const *pol, cctsa_diag *d)
{
	cctsa_x509_key *key = NULL;
	cctsa_x509_binding b;
	cctsa_signer s;
	cctsa_buf kp, bj, bder, name, der, pem;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&kp, 0);
	cctsa_buf_init(&bj, 0);
	cctsa_buf_init(&bder, 0);
	cctsa_buf_init(&name, 0);
	cctsa_buf_init(&der, 0);
	cctsa_buf_init(&pem, 0);
	CCTSA_TRY(cctsa_file_read(&kp, key_path, 1 << 20, d));
	CCTSA_TRY(cctsa_x509_key_from_pem(&key, kp.data, kp.len, d));
	if (bind_path != NULL) {
		CCTSA_TRY(cctsa_file_read(&bj, bind_path, 1 << 16, d));
		CCTSA_TRY(cctsa_x509_binding_from_json(&b, (const char *)bj.data, bj.len, d));
		CCTSA_TRY(cctsa_x509_binding_encode(&bder, &b));
	}
	CCTSA_TRY(cctsa_x509_name_write(&name, org, cn));
	cctsa_x509_key_signer(key, &s);
	CCTSA_TRY(cctsa_x509_csr_build(&der, name.data, name.len, pol, bind_path ? bder.data : NULL, bder.len, &s, d));
	CCTSA_TRY(cctsa_x509_der_to_pem(&pem, "CERTIFICATE REQUEST", der.data, der.len));
	CCTSA_TRY(cctsa_file_write(out, pem.data, pem.len, 0644, 0, d));
out:
	cctsa_x509_key_free(key);
	cctsa_buf_free(&kp);
	cctsa_buf_free(&bj);
	cctsa_buf_free(&bder);
	cctsa_buf_free(&name);
	cctsa_buf_free(&der);
	cctsa_buf_free(&pem);
	return err;
}

static int run_csr(int argc, char **argv)
{
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
					     {"out", required_argument, NULL, 'o'},
					     {"binding", required_argument, NULL, 'b'},
					     {"cn", required_argument, NULL, 'c'},
					     {"org", required_argument, NULL, 'g'},
					     {"policy", required_argument, NULL, 'p'},
					     {NULL, 0, NULL, 0}};
	const char *key = NULL, *out = NULL, *bind = NULL, *cn = "CC-TSA Test TSA", *org = "CC-TSA Test PKI";
	const char *pol[CCTSA_X509_MAX_POLICIES + 1] = {0};
	size_t np = 0;
	cctsa_diag d;
	cctsa_err err;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'k' || c == 'o' || c == 'b' || c == 'c' || c == 'g') {
			*(c == 'k' ? &key : c == 'o' ? &out : c == 'b' ? &bind : c == 'c' ? &cn : &org) = optarg;
		} else if (c == 'p' && np < CCTSA_X509_MAX_POLICIES) {
			pol[np++] = optarg;
		} else {
			return cctsa_cli_usage(CMD, "bad option (or more than %d policies)", CCTSA_X509_MAX_POLICIES);
		}
	}
	if (key == NULL || out == NULL || optind != argc) {
		return cctsa_cli_usage(CMD, "csr needs --key and --out");
	}
	if (np == 0) {
		pol[0] = CCTSA_OID_POLICY_DEFAULT;
		pol[1] = CCTSA_OID_POLICY_PQ;
	}
	cctsa_diag_reset(&d);
	err = csr_write(key, out, bind, cn, org, pol, &d);
	if (err != CCTSA_OK) {
		return err == CCTSA_E_USAGE ? cctsa_cli_usage(CMD, "%s", cctsa_diag_str(&d, err)) : fail(err, &d);
	}
	return CCTSA_EXIT_OK;
}

int cctsa_cli_testpki(int argc, char **argv)
{
	static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
					     {"measurement", required_argument, NULL, 'm'},
					     {NULL, 0, NULL, 0}};
	const char *out = NULL, *meas = NULL;
	int c;

	if (cctsa_cli_wants_help(argc, argv)) {
		usage(stdout);
		return CCTSA_EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "csr") == 0) {
		return run_csr(argc - 1, argv + 1);
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o') {
			out = optarg;
		} else if (c == 'm') {
			meas = optarg;
		} else {
			return cctsa_cli_usage(CMD, "unknown option");
		}
	}
	if (out == NULL || optind != argc) {
		return cctsa_cli_usage(CMD, "--out DIR is required");
	}
	return run_pki(out, meas);
}
