/* x509: the offline CA, part 2: `ca issue` (rebuild a root key from shards, issue, log). */
#include <jansson.h>
#include <openssl/evp.h>
#include <string.h>
#include <time.h>

#include "base/ct.h"
#include "cctsa/record.h"
#include "cctsa/sss.h"
#include "x509/ca_int.h"

#define FILE_MAX ((size_t)1 << 20)

static cctsa_err load_config(const char *dir, uint8_t set[CCTSA_SSS_SET_ID_LEN], cctsa_diag *diag)
{
	char path[4096];
	cctsa_buf b;
	json_t *j = NULL;
	json_error_t je;
	const char *fmt, *hex;
	size_t n = 0;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&b, 0);
	CCTSA_TRY(cctsa_x509_ca_path(path, sizeof(path), dir, CCTSA_CA_CONFIG));
	CCTSA_TRY(cctsa_file_read(&b, path, FILE_MAX, diag));
	j = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, &je);
	CCTSA_ENSURE(j != NULL, cctsa_fail(diag, CCTSA_E_MALFORMED, "ca: %s: %s", path, je.text));
	fmt = json_string_value(json_object_get(j, "format"));
	hex = json_string_value(json_object_get(j, "shard_set"));
	CCTSA_ENSURE(fmt != NULL && strcmp(fmt, CCTSA_CA_FORMAT) == 0,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "ca: %s is not a %s file", path, CCTSA_CA_FORMAT));
	CCTSA_ENSURE(hex != NULL && cctsa_hex_decode(set, CCTSA_SSS_SET_ID_LEN, &n, hex) == CCTSA_OK &&
			     n == CCTSA_SSS_SET_ID_LEN,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "ca: %s has no valid shard_set", path));
out:
	json_decref(j);
	cctsa_buf_free(&b);
	return err;
}

static cctsa_err load_root(cctsa_buf *der, cctsa_x509_cert *root, const char *dir, cctsa_sig_alg alg,
			   cctsa_diag *diag)
{
	char path[4096];
	cctsa_buf pem;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&pem, 0);
	CCTSA_TRY(cctsa_x509_ca_path(path, sizeof(path), dir,
				     alg == CCTSA_SIG_MLDSA65 ? CCTSA_CA_ROOT_MLDSA : CCTSA_CA_ROOT_ECDSA));
	CCTSA_TRY(cctsa_file_read(&pem, path, FILE_MAX, diag));
	CCTSA_TRY(cctsa_x509_pem_to_der(der, "CERTIFICATE", pem.data, pem.len, diag));
	CCTSA_TRY(cctsa_x509_cert_parse(root, der->data, der->len, diag));
	CCTSA_ENSURE(root->key_alg == alg && root->is_ca,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "ca: %s is not this CA's root of that algorithm", path));
out:
	cctsa_buf_free(&pem);
	return err;
}

static cctsa_err read_shards(cctsa_sss_shard **shards, const char *const *paths, size_t n,
			     const uint8_t set[CCTSA_SSS_SET_ID_LEN], cctsa_diag *diag)
{
	cctsa_buf b;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&b, 0);
	for (size_t i = 0; i < n; i++) {
		cctsa_buf_free(&b);
		CCTSA_TRY(cctsa_file_read(&b, paths[i], CCTSA_SSS_TEXT_MAX, diag));
		CCTSA_TRY(cctsa_sss_shard_parse(&shards[i], b.data, b.len, paths[i], diag));
		CCTSA_ENSURE(cctsa_memcmp_var(cctsa_sss_shard_set_id(shards[i]), set, CCTSA_SSS_SET_ID_LEN) == 0,
			     cctsa_fail(diag, CCTSA_E_VERIFY, "ca: shard %s belongs to another CA (shard set differs)",
					paths[i]));
		CCTSA_ENSURE(cctsa_sss_shard_secret_len(shards[i]) == CCTSA_CA_SECRET_LEN,
			     cctsa_fail(diag, CCTSA_E_MALFORMED, "ca: shard %s has the wrong secret length", paths[i]));
	}
out:
	cctsa_buf_free(&b); /* wipes */
	return err;
}

/* Rebuilds the root key of alg from the shards, in locked memory, and checks it is root's key. */
static cctsa_err rebuild_key(cctsa_x509_key **key, unsigned *indices, const cctsa_x509_cert *root,
			     const char *const *paths, size_t n, const uint8_t set[CCTSA_SSS_SET_ID_LEN],
			     cctsa_diag *diag)
{
	cctsa_sss_shard *shards[CCTSA_SSS_MAX_SHARES] = {0};
	uint8_t *secret = NULL;
	size_t len = 0;
	cctsa_signer s;
	cctsa_err err = CCTSA_OK;

	*key = NULL;
	CCTSA_ENSURE(n > 0 && n <= CCTSA_SSS_MAX_SHARES,
		     cctsa_fail(diag, CCTSA_E_USAGE, "ca: give between 1 and 255 shard files"));
	CCTSA_TRY(read_shards(shards, paths, n, set, diag));
	CCTSA_TRY(cctsa_sss_combine(&secret, &len, shards, n, diag));
	for (size_t i = 0; i < n; i++) {
		indices[i] = cctsa_sss_shard_index(shards[i]);
	}
	CCTSA_ENSURE(len == CCTSA_CA_SECRET_LEN, CCTSA_E_INTERNAL);
	if (root->key_alg == CCTSA_SIG_MLDSA65) {
		CCTSA_TRY(cctsa_x509_key_from_secret(key, CCTSA_SIG_MLDSA65, secret + 48, 32, diag));
	} else {
		CCTSA_TRY(cctsa_x509_key_from_secret(key, CCTSA_SIG_ECDSA_P384_SHA384, secret, 48, diag));
	}
	cctsa_x509_key_signer(*key, &s);
	CCTSA_ENSURE(s.spki_len == root->spki_len && cctsa_memcmp_var(s.spki, root->spki, s.spki_len) == 0,
		     cctsa_fail(diag, CCTSA_E_VERIFY, "ca: the shards do not rebuild this CA's root key"));
out:
	cctsa_secret_free(secret); /* wipes */
	for (size_t i = 0; i < CCTSA_SSS_MAX_SHARES; i++) {
		cctsa_sss_shard_free(shards[i]);
	}
	if (err != CCTSA_OK) {
		cctsa_x509_key_free(*key);
		*key = NULL;
	}
	return err;
}

static cctsa_err issue(cctsa_buf *cert, const cctsa_x509_csr *r, const cctsa_x509_cert *root, cctsa_x509_key *key,
		       unsigned days, cctsa_diag *diag)
{
	cctsa_x509_cert_params p;
	cctsa_x509_cert leaf;
	cctsa_signer s;
	uint8_t serial[CCTSA_CA_SERIAL_LEN];
	int64_t now = (int64_t)time(NULL);
	cctsa_err err = CCTSA_OK;

	memset(&p, 0, sizeof(p));
	cctsa_x509_key_signer(key, &s);
	CCTSA_TRY(cctsa_x509_random_serial(serial));
	p.profile = CCTSA_X509_PROFILE_TSA;
	p.serial = serial;
	p.serial_len = sizeof(serial);
	p.issuer = root->subject;
	p.issuer_len = root->subject_len;
	p.subject = r->subject;
	p.subject_len = r->subject_len;
	p.not_before = now - 300;
	p.not_after = now + (int64_t)days * 86400;
	if (p.not_after > root->not_after) {
		p.not_after = root->not_after;
	}
	p.spki = r->spki;
	p.spki_len = r->spki_len;
	p.policies_der = r->policies;
	p.policies_der_len = r->policies_len;
	p.binding = r->binding;
	p.binding_len = r->binding_len;
	CCTSA_TRY(cctsa_x509_cert_build(cert, &p, &s, diag));
	/* Check what we issued before anyone sees it. */
	CCTSA_TRY(cctsa_x509_cert_parse(&leaf, cert->data, cert->len, diag));
	CCTSA_TRY(cctsa_x509_chain_verify(&leaf, NULL, 0, root, now, CCTSA_X509_PURPOSE_TSA, diag));
out:
	return err;
}

static cctsa_err hex_sha256(char out[65], const uint8_t *data, size_t len)
{
	uint8_t h[32];
	unsigned int n = 0;

	if (EVP_Digest(data, len, h, &n, EVP_sha256(), NULL) != 1 || n != 32) {
		return CCTSA_E_CRYPTO;
	}
	return cctsa_hex_encode(out, 65, h, sizeof(h));
}

static cctsa_err log_issue(const char *dir, const cctsa_buf *cert, const cctsa_x509_csr *r, unsigned days,
			   const unsigned *indices, size_t n, cctsa_diag *diag)
{
	char path[4096], hc[65], hr[65], serial[2 * CCTSA_CA_SERIAL_LEN + 1];
	cctsa_x509_cert c;
	cctsa_audit_log *log = NULL;
	json_t *f = json_object(), *sh = json_array();
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(f != NULL && sh != NULL, CCTSA_E_RESOURCE);
	CCTSA_TRY(cctsa_x509_cert_parse(&c, cert->data, cert->len, diag));
	CCTSA_TRY(hex_sha256(hc, cert->data, cert->len));
	CCTSA_TRY(hex_sha256(hr, r->der, r->der_len));
	CCTSA_TRY(cctsa_hex_encode(serial, sizeof(serial), c.serial, c.serial_len));
	for (size_t i = 0; i < n; i++) {
		CCTSA_ENSURE(json_array_append_new(sh, json_integer(indices[i])) == 0, CCTSA_E_RESOURCE);
	}
	CCTSA_ENSURE(json_object_set_new(f, "serial", json_string(serial)) == 0 &&
			     json_object_set_new(f, "certificate_sha256", json_string(hc)) == 0 &&
			     json_object_set_new(f, "csr_sha256", json_string(hr)) == 0 &&
			     json_object_set_new(f, "root", json_string(c.sig_alg == CCTSA_SIG_MLDSA65 ? "ml-dsa-65"
													: "ecdsa-p384")) == 0 &&
			     json_object_set_new(f, "days", json_integer(days)) == 0 &&
			     json_object_set_new(f, "shard_indices", sh) == 0,
		     CCTSA_E_RESOURCE);
	sh = NULL;
	CCTSA_TRY(cctsa_x509_ca_path(path, sizeof(path), dir, CCTSA_CA_LOG));
	CCTSA_TRY(cctsa_audit_open(&log, path, diag));
	CCTSA_TRY(cctsa_audit_append(log, cctsa_record_now_ms(), "ca.issue", f, NULL, diag));
out:
	cctsa_audit_close(log);
	json_decref(sh);
	json_decref(f);
	return err;
}

/* Records one finished phase of the issuance as a transcript step (best effort on failure paths). */
static cctsa_err step(cctsa_transcript *t, const char *name, cctsa_err outcome, const char *detail, const char *art,
		      const uint8_t *data, size_t len)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_transcript_step_begin(t, name, NULL));
	if (art != NULL && outcome == CCTSA_OK) {
		CCTSA_TRY(cctsa_transcript_artefact(t, art, data, len, NULL));
	}
	CCTSA_TRY(cctsa_transcript_step_end(t, outcome == CCTSA_OK ? CCTSA_STEP_OK : CCTSA_STEP_FAILED, detail, NULL));
out:
	return err;
}

/* Ends the transcript (completed iff ok) and writes ceremony/ca-issue-<tag>.json and .md. */
static cctsa_err write_transcript(cctsa_transcript *t, const char *dir, int ok, const char *tag, cctsa_diag *diag)
{
	char name[128], json[4096], md[4096];
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_transcript_finish(t, ok, diag));
	snprintf(name, sizeof(name), "ceremony/ca-issue-%s.json", tag);
	CCTSA_TRY(cctsa_x509_ca_path(json, sizeof(json), dir, name));
	snprintf(name, sizeof(name), "ceremony/ca-issue-%s.md", tag);
	CCTSA_TRY(cctsa_x509_ca_path(md, sizeof(md), dir, name));
	CCTSA_TRY(cctsa_transcript_write(t, json, md, diag));
out:
	return err;
}

/* Checks the CSR: parse, self-signature, key algorithm, requested policies and binding. */
static cctsa_err check_csr(cctsa_x509_csr *r, cctsa_buf *der, const uint8_t *csr, size_t csr_len, cctsa_diag *diag)
{
	cctsa_x509_binding b;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_x509_pem_to_der(der, "CERTIFICATE REQUEST", csr, csr_len, diag));
	CCTSA_TRY(cctsa_x509_csr_parse(r, der->data, der->len, diag));
	CCTSA_TRY(cctsa_x509_csr_verify(r, diag));
	CCTSA_ENSURE(r->key_alg == CCTSA_SIG_ECDSA_P384_SHA384 || r->key_alg == CCTSA_SIG_MLDSA65,
		     cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "ca: the CSR key is neither P-384 nor ML-DSA-65"));
	CCTSA_ENSURE(r->policies != NULL,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "ca: the CSR requests no certificatePolicies"));
	CCTSA_ENSURE(r->binding != NULL,
		     cctsa_fail(diag, CCTSA_E_MALFORMED, "ca: the CSR carries no measurement-binding extension"));
	CCTSA_TRY(cctsa_x509_binding_decode(&b, r->binding, r->binding_len, diag));
out:
	return err;
}

static void shard_list(char *out, size_t cap, const unsigned *indices, size_t n)
{
	size_t used = (size_t)snprintf(out, cap, "rebuilt from shards");

	for (size_t i = 0; i < n && used < cap; i++) {
		used += (size_t)snprintf(out + used, cap - used, "%s %u", i ? "," : "", indices[i]);
	}
}

cctsa_err cctsa_x509_ca_issue(cctsa_buf *cert, const char *dir, const uint8_t *csr, size_t csr_len,
			      const char *const *shard_paths, size_t n_shards, unsigned days, const char *version,
			      cctsa_diag *diag)
{
	uint8_t set[CCTSA_SSS_SET_ID_LEN];
	cctsa_buf csr_der, root_der;
	cctsa_x509_csr r;
	cctsa_x509_cert root, leaf;
	cctsa_x509_key *key = NULL;
	cctsa_transcript *t = NULL;
	unsigned indices[CCTSA_SSS_MAX_SHARES];
	char detail[1200], tag[64];
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&csr_der, 0);
	cctsa_buf_init(&root_der, 0);
	days = days == 0 ? 365 : days;
	CCTSA_ENSURE(days <= 3650, cctsa_fail(diag, CCTSA_E_USAGE, "ca: at most 3650 days"));
	CCTSA_TRY(load_config(dir, set, diag));
	CCTSA_TRY(cctsa_transcript_new(&t, "ca-issue", "TSA certificate issuance",
				       version != NULL ? version : "unknown", NULL, diag));
	CCTSA_TRY(check_csr(&r, &csr_der, csr, csr_len, diag));
	CCTSA_TRY(step(t, "check the CSR (self-signature, policies, binding)", err, NULL, "csr.der", r.der, r.der_len));
	CCTSA_TRY(load_root(&root_der, &root, dir, r.key_alg, diag));
	CCTSA_TRY(rebuild_key(&key, indices, &root, shard_paths, n_shards, set, diag));
	shard_list(detail, sizeof(detail), indices, n_shards);
	for (size_t i = 0; i < n_shards; i++) {
		snprintf(tag, sizeof(tag), "custodian %u", indices[i]);
		CCTSA_TRY(cctsa_transcript_add_participant(t, tag, CCTSA_ROLE_SHARD_CUSTODIAN, NULL, diag));
	}
	CCTSA_TRY(step(t, "rebuild the root key in locked memory", err, detail, NULL, NULL, 0));
	CCTSA_TRY(issue(cert, &r, &root, key, days, diag));
	cctsa_x509_key_free(key); /* wipe the root key before anything else happens */
	key = NULL;
	CCTSA_TRY(step(t, "issue and verify the TSA certificate; wipe the root key", err, NULL, "certificate.der",
		       cert->data, cert->len));
	CCTSA_TRY(log_issue(dir, cert, &r, days, indices, n_shards, diag));
	CCTSA_TRY(cctsa_x509_cert_parse(&leaf, cert->data, cert->len, diag));
	CCTSA_TRY(cctsa_hex_encode(tag, sizeof(tag), leaf.serial, leaf.serial_len < 31 ? leaf.serial_len : 31));
	CCTSA_TRY(write_transcript(t, dir, 1, tag, diag));
out:
	if (err != CCTSA_OK && t != NULL) {
		/* A refused issuance is evidence too: record it, keeping the original error. */
		snprintf(tag, sizeof(tag), "refused-%llu", (unsigned long long)cctsa_record_now_ms());
		if (step(t, "issuance refused", err, cctsa_diag_str(diag, err), NULL, NULL, 0) == CCTSA_OK) {
			(void)write_transcript(t, dir, 0, tag, NULL);
		}
	}
	cctsa_transcript_free(t);
	cctsa_x509_key_free(key);
	cctsa_buf_free(&root_der);
	cctsa_buf_free(&csr_der);
	return err;
}
