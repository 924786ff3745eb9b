/* x509: the offline CA, part 1: shared helpers and `ca init` (layout in include/cctsa/x509.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cctsa/record.h"
#include "cctsa/sss.h"
#include "x509/ca_int.h"

cctsa_err cctsa_x509_ca_path(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= cap ? CCTSA_E_USAGE : CCTSA_OK;
}

cctsa_err cctsa_x509_random_serial(uint8_t serial[CCTSA_CA_SERIAL_LEN])
{
	cctsa_err err = cctsa_rand_bytes(serial, CCTSA_CA_SERIAL_LEN);

	serial[0] = (uint8_t)((serial[0] & 0x3f) | 0x40); /* positive, full length */
	return err;
}

cctsa_err cctsa_x509_write_pem_file(const char *path, const char *label, const uint8_t *der, size_t len,
				    cctsa_diag *diag)
{
	cctsa_buf pem;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&pem, 0);
	CCTSA_TRY(cctsa_x509_der_to_pem(&pem, label, der, len));
	CCTSA_TRY(cctsa_file_write(path, pem.data, pem.len, 0644, 0, diag));
out:
	cctsa_buf_free(&pem);
	return err;
}

/* Creates dir (0700), or accepts an existing empty one. */
static cctsa_err make_empty_dir(const char *dir, cctsa_diag *diag)
{
	DIR *d;
	struct dirent *e;
	int empty = 1;

	if (mkdir(dir, 0700) == 0) {
		return CCTSA_OK;
	}
	if (errno != EEXIST || (d = opendir(dir)) == NULL) {
		return cctsa_fail(diag, CCTSA_E_IO, "ca: cannot create %s: %s", dir, strerror(errno));
	}
	while ((e = readdir(d)) != NULL) {
		empty &= strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	}
	closedir(d);
	return empty ? CCTSA_OK : cctsa_fail(diag, CCTSA_E_STATE, "ca: %s exists and is not empty", dir);
}

cctsa_err cctsa_x509_make_root(cctsa_buf *der, cctsa_x509_key *key, const char *org, const char *cn, unsigned days,
			       cctsa_diag *diag)
{
	cctsa_x509_cert_params p;
	cctsa_signer s;
	cctsa_buf name;
	uint8_t serial[CCTSA_CA_SERIAL_LEN];
	int64_t now = (int64_t)time(NULL);
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&name, 0);
	memset(&p, 0, sizeof(p));
	cctsa_x509_key_signer(key, &s);
	CCTSA_TRY(cctsa_x509_name_write(&name, org, cn));
	CCTSA_TRY(cctsa_x509_random_serial(serial));
	p.profile = CCTSA_X509_PROFILE_ROOT;
	p.serial = serial;
	p.serial_len = sizeof(serial);
	p.issuer = p.subject = name.data;
	p.issuer_len = p.subject_len = name.len;
	p.not_before = now - 3600;
	p.not_after = now + (int64_t)days * 86400;
	p.spki = s.spki;
	p.spki_len = s.spki_len;
	CCTSA_TRY(cctsa_x509_cert_build(der, &p, &s, diag));
out:
	cctsa_buf_free(&name);
	return err;
}

/* Generates both root keys and writes both self-signed roots; keys stay in memory. */
static cctsa_err init_roots(cctsa_x509_key *keys[2], const cctsa_x509_ca_init_opts *o, cctsa_transcript *t,
			    cctsa_diag *diag)
{
	static const char *const files[2] = {CCTSA_CA_ROOT_ECDSA, CCTSA_CA_ROOT_MLDSA};
	static const char *const cns[2] = {"CC-TSA Root CA ECDSA P-384", "CC-TSA Root CA ML-DSA-65"};
	const char *org = o->org != NULL ? o->org : "CC-TSA Offline CA";
	char path[4096];
	cctsa_buf der;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&der, 0);
	CCTSA_TRY(cctsa_transcript_step_begin(t, "generate the root keys in locked memory", diag));
	CCTSA_TRY(cctsa_x509_key_generate(&keys[0], CCTSA_SIG_ECDSA_P384_SHA384, diag));
	CCTSA_TRY(cctsa_x509_key_generate(&keys[1], CCTSA_SIG_MLDSA65, diag));
	CCTSA_TRY(cctsa_transcript_step_end(t, CCTSA_STEP_OK, "ECDSA P-384 and ML-DSA-65", diag));
	CCTSA_TRY(cctsa_transcript_step_begin(t, "self-sign the root certificates", diag));
	for (int i = 0; i < 2; i++) {
		der.len = 0;
		CCTSA_TRY(cctsa_x509_make_root(&der, keys[i], org, cns[i], o->root_days ? o->root_days : 3650, diag));
		CCTSA_TRY(cctsa_x509_ca_path(path, sizeof(path), o->dir, files[i]));
		CCTSA_TRY(cctsa_x509_write_pem_file(path, "CERTIFICATE", der.data, der.len, diag));
		CCTSA_TRY(cctsa_transcript_artefact(t, files[i], der.data, der.len, diag));
	}
	CCTSA_TRY(cctsa_transcript_step_end(t, CCTSA_STEP_OK, NULL, diag));
out:
	cctsa_buf_free(&der);
	return err;
}

/* Splits scalar || seed into the custodians' shards and writes one file each. */
static cctsa_err init_shards(cctsa_x509_key *keys[2], const cctsa_x509_ca_init_opts *o, cctsa_transcript *t,
			     char set_hex[2 * CCTSA_SSS_SET_ID_LEN + 1], cctsa_diag *diag)
{
	uint8_t *secret = cctsa_secret_alloc(CCTSA_CA_SECRET_LEN + 16); /* room for two 48-byte reads */
	cctsa_sss_shard *shards[CCTSA_SSS_MAX_SHARES] = {0};
	char path[4096], name[64], *text = NULL;
	size_t n1 = 0, n2 = 0, tlen;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(secret != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "ca: no locked memory for the root keys"));
	CCTSA_TRY(cctsa_transcript_step_begin(t, "split the root keys into custodian shards", diag));
	CCTSA_TRY(cctsa_x509_key_secret(keys[0], secret, CCTSA_X509_KEY_SECRET_MAX, &n1));
	CCTSA_TRY(cctsa_x509_key_secret(keys[1], secret + 48, CCTSA_X509_KEY_SECRET_MAX, &n2));
	CCTSA_ENSURE(n1 == 48 && n2 == 32, CCTSA_E_INTERNAL);
	CCTSA_TRY(cctsa_sss_split(shards, secret, CCTSA_CA_SECRET_LEN, o->threshold, o->custodians, diag));
	CCTSA_TRY(cctsa_hex_encode(set_hex, 2 * CCTSA_SSS_SET_ID_LEN + 1, cctsa_sss_shard_set_id(shards[0]),
				   CCTSA_SSS_SET_ID_LEN));
	for (unsigned i = 0; i < o->custodians; i++) {
		snprintf(name, sizeof(name), "shards/custodian-%u.shard", i + 1);
		CCTSA_TRY(cctsa_x509_ca_path(path, sizeof(path), o->dir, name));
		CCTSA_TRY(cctsa_sss_shard_encode(&text, &tlen, shards[i], diag));
		CCTSA_TRY(cctsa_file_write(path, (const uint8_t *)text, tlen, 0600, CCTSA_FILE_SECRET, diag));
		cctsa_secret_free(text);
		text = NULL;
	}
	CCTSA_TRY(cctsa_transcript_set(t, "shard_set", set_hex, diag));
	CCTSA_TRY(cctsa_transcript_step_end(t, CCTSA_STEP_OK, "one shard file per custodian under shards/", diag));
out:
	cctsa_secret_free(text);
	for (unsigned i = 0; i < CCTSA_SSS_MAX_SHARES; i++) {
		cctsa_sss_shard_free(shards[i]);
	}
	cctsa_secret_free(secret); /* wipes */
	return err;
}

static cctsa_err write_config(const cctsa_x509_ca_init_opts *o, const char *set_hex, cctsa_diag *diag)
{
	char path[4096];
	cctsa_buf j;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&j, 0);
	CCTSA_TRY(cctsa_buf_printf(&j,
				   "{\n  \"format\": \"%s\",\n  \"custodians\": %u,\n  \"threshold\": %u,\n"
				   "  \"shard_set\": \"%s\",\n  \"root_ecdsa\": \"%s\",\n  \"root_mldsa\": \"%s\",\n"
				   "  \"issuance_log\": \"%s\"\n}\n",
				   CCTSA_CA_FORMAT, o->custodians, o->threshold, set_hex, CCTSA_CA_ROOT_ECDSA,
				   CCTSA_CA_ROOT_MLDSA, CCTSA_CA_LOG));
	CCTSA_TRY(cctsa_x509_ca_path(path, sizeof(path), o->dir, CCTSA_CA_CONFIG));
	CCTSA_TRY(cctsa_file_write(path, j.data, j.len, 0644, 0, diag));
out:
	cctsa_buf_free(&j);
	return err;
}

static cctsa_err init_people(cctsa_transcript *t, const cctsa_x509_ca_init_opts *o, cctsa_diag *diag)
{
	char name[64];
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_transcript_add_participant(t, o->master ? o->master : "ceremony master (unnamed)",
						   CCTSA_ROLE_CEREMONY_MASTER, NULL, diag));
	CCTSA_TRY(cctsa_transcript_add_participant(t, o->witness ? o->witness : "witness (unnamed)",
						   CCTSA_ROLE_WITNESS, NULL, diag));
	for (unsigned i = 1; i <= o->custodians; i++) {
		snprintf(name, sizeof(name), "custodian %u", i);
		CCTSA_TRY(cctsa_transcript_add_participant(t, name, CCTSA_ROLE_SHARD_CUSTODIAN, NULL, diag));
	}
out:
	return err;
}

cctsa_err cctsa_x509_ca_init(const cctsa_x509_ca_init_opts *o, cctsa_diag *diag)
{
	cctsa_x509_key *keys[2] = {NULL, NULL};
	cctsa_transcript *t = NULL;
	char path[4096], md[4096], set_hex[2 * CCTSA_SSS_SET_ID_LEN + 1];
	char ctx[32];
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(o->threshold >= 2 && o->threshold <= o->custodians && o->custodians <= CCTSA_SSS_MAX_SHARES,
		     cctsa_fail(diag, CCTSA_E_USAGE, "ca: need 2 <= threshold <= custodians <= 255"));
	CCTSA_TRY(make_empty_dir(o->dir, diag));
	CCTSA_TRY(cctsa_x509_ca_path(path, sizeof(path), o->dir, "shards"));
	CCTSA_ENSURE(mkdir(path, 0700) == 0, cctsa_fail(diag, CCTSA_E_IO, "ca: cannot create %s", path));
	CCTSA_TRY(cctsa_x509_ca_path(path, sizeof(path), o->dir, "ceremony"));
	CCTSA_ENSURE(mkdir(path, 0755) == 0, cctsa_fail(diag, CCTSA_E_IO, "ca: cannot create %s", path));
	CCTSA_TRY(cctsa_transcript_new(&t, "ca-init", "Offline CA initialisation",
				       o->version ? o->version : "unknown", NULL, diag));
	snprintf(ctx, sizeof(ctx), "%u-of-%u", o->threshold, o->custodians);
	CCTSA_TRY(cctsa_transcript_set(t, "threshold", ctx, diag));
	CCTSA_TRY(init_people(t, o, diag));
	CCTSA_TRY(init_roots(keys, o, t, diag));
	CCTSA_TRY(init_shards(keys, o, t, set_hex, diag));
	CCTSA_TRY(write_config(o, set_hex, diag));
	CCTSA_TRY(cctsa_transcript_finish(t, 1, diag));
	CCTSA_TRY(cctsa_x509_ca_path(path, sizeof(path), o->dir, "ceremony/ca-init.json"));
	CCTSA_TRY(cctsa_x509_ca_path(md, sizeof(md), o->dir, "ceremony/ca-init.md"));
	CCTSA_TRY(cctsa_transcript_write(t, path, md, diag));
out:
	cctsa_x509_key_free(keys[0]);
	cctsa_x509_key_free(keys[1]);
	cctsa_transcript_free(t);
	return err;
}
