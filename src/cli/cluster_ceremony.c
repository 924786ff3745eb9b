/* The key ceremony of `cctsa cluster up`: DKG through one core's control socket,
 * certificates from the offline CA (`cctsa ca`), installation on every core, the
 * measurement-binding record (timestamped by the new key) and the transcript. */
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cctsa/tsp.h"
#include "cli/cluster_int.h"

static int put_file(const char *path, const char *text)
{
	return text != NULL &&
	       cctsa_file_write(path, (const uint8_t *)text, strlen(text), 0644, 0, NULL) == CCTSA_OK;
}

static int sha384_file(const char *path, char hex[97])
{
	cctsa_buf b;
	uint8_t md[48];
	unsigned n = 0;
	int ok;

	cctsa_buf_init(&b, 0);
	ok = cctsa_file_read(&b, path, 64u << 20, NULL) == CCTSA_OK &&
	     EVP_Digest(b.data, b.len, md, &n, EVP_sha384(), NULL) == 1 && n == 48;
	if (ok) {
		ok = cctsa_hex_encode(hex, 97, md, 48) == CCTSA_OK;
	}
	cctsa_buf_free(&b);
	return ok;
}

static int copy_file(const char *from, const char *to)
{
	cctsa_buf b;
	int ok;

	cctsa_buf_init(&b, 0);
	ok = cctsa_file_read(&b, from, 16u << 20, NULL) == CCTSA_OK &&
	     cctsa_file_write(to, b.data, b.len, 0644, 0, NULL) == CCTSA_OK;
	cctsa_buf_free(&b);
	return ok;
}

static int self_cli(const cl_ctx *c, char **args, const char *log)
{
	char bin[CL_PATH];
	char *argv[24];
	int n = 0;

	if (!cl_path(bin, "%s/cctsa", c->bindir)) {
		return 0;
	}
	argv[n++] = bin;
	while (*args != NULL && n < 23) {
		argv[n++] = *args++;
	}
	argv[n] = NULL;
	return cl_run(argv, log) == 0;
}

/* `cctsa ca init` once per cluster directory (5 custodians, threshold 3). */
static int ca_init(const cl_ctx *c, const char *log)
{
	char dir[CL_PATH], root[CL_PATH];

	if (!cl_path(dir, "%s/ca", c->dir) || !cl_path(root, "%s/root-ecdsa.pem", dir)) {
		return 0;
	}
	if (access(root, R_OK) == 0) {
		return 1;
	}
	char *args[] = {"ca", "init", "--dir", dir, "--custodians", "5", "--threshold", "3", "--org",
			"CC-TSA local cluster", NULL};
	if (!self_cli(c, args, log)) {
		fprintf(stderr, "cctsa cluster: cctsa ca init failed (see %s)\n", log);
		return 0;
	}
	return 1;
}

static int shard_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* `cctsa ca issue` with the first three custodian shards (local demo only). */
static int ca_issue(const cl_ctx *c, const char *csr, const char *out, const char *log)
{
	char dir[CL_PATH], sh[3][CL_PATH], *names[64];
	DIR *d;
	struct dirent *e;
	int n = 0, ok;

	if (!cl_path(dir, "%s/ca/shards", c->dir) || (d = opendir(dir)) == NULL) {
		fprintf(stderr, "cctsa cluster: no custodian shards in %s/ca/shards\n", c->dir);
		return 0;
	}
	while ((e = readdir(d)) != NULL && n < 64) {
		size_t l = strlen(e->d_name);
		if (l > 6 && strcmp(e->d_name + l - 6, ".shard") == 0) {
			names[n++] = cctsa_mem_strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), shard_cmp);
	ok = n >= 3;
	for (int i = 0; ok && i < 3; i++) {
		ok = names[i] != NULL && cl_path(sh[i], "%s/%s", dir, names[i]);
	}
	for (int i = 0; i < n; i++) {
		cctsa_mem_free(names[i]);
	}
	if (!ok) {
		fprintf(stderr, "cctsa cluster: fewer than 3 custodian shards in %s\n", dir);
		return 0;
	}
	char cadir[CL_PATH];
	if (!cl_path(cadir, "%s/ca", c->dir)) {
		return 0;
	}
	char *args[] = {"ca", "issue", "--dir", cadir, "--csr", (char *)(uintptr_t)csr, "--shard", sh[0], "--shard",
			sh[1], "--shard", sh[2], "--out", (char *)(uintptr_t)out, NULL};
	if (!self_cli(c, args, log)) {
		fprintf(stderr, "cctsa cluster: cctsa ca issue %s failed (see %s)\n", csr, log);
		return 0;
	}
	return 1;
}

static json_t *ask(const cl_ctx *c, int node, json_t *cmd, double timeout_s)
{
	char sock[CL_PATH], err[256];
	json_t *ans = NULL;

	if (cl_path(sock, "%s/node-%d/control.sock", c->dir, node)) {
		ans = cl_control(sock, cmd, timeout_s, err, sizeof(err));
	}
	json_decref(cmd);
	if (ans == NULL) {
		fprintf(stderr, "cctsa cluster: node %d: %s\n", node, err);
	} else if (!json_is_true(json_object_get(ans, "ok"))) {
		const char *e = json_string_value(json_object_get(ans, "error"));
		fprintf(stderr, "cctsa cluster: node %d refused: %s\n", node, e != NULL ? e : "(no reason given)");
		json_decref(ans);
		ans = NULL;
	}
	return ans;
}

/* Moves an earlier ceremony/ aside (ceremony.<n>), creates a fresh one. */
static int fresh_ceremony_dir(const cl_ctx *c, char *dir)
{
	char old[CL_PATH];

	if (!cl_path(dir, "%s/ceremony", c->dir)) {
		return 0;
	}
	if (access(dir, F_OK) == 0) {
		for (int n = 1; n < 1000; n++) {
			if (cl_path(old, "%s/ceremony.%d", c->dir, n) && access(old, F_OK) != 0) {
				if (rename(dir, old) != 0) {
					return 0;
				}
				break;
			}
		}
	}
	return mkdir(dir, 0755) == 0;
}

/* dkg-start on coord; writes the CSRs and the transcript. */
static json_t *run_dkg(const cl_ctx *c, int coord, const char *cdir, char ceremony_id[33])
{
	uint8_t id[16];
	char p[CL_PATH];
	json_t *ans;

	if (cctsa_rand_bytes(id, sizeof(id)) != CCTSA_OK || cctsa_hex_encode(ceremony_id, 33, id, sizeof(id)) != CCTSA_OK) {
		return NULL;
	}
	ans = ask(c, coord,
		  json_pack("{s:s, s:s, s:[s]}", "cmd", "dkg-start", "ceremony_id", ceremony_id, "operators",
			    "cctsa cluster (local demo operator)"),
		  600);
	if (ans == NULL) {
		return NULL;
	}
	if (!cl_path(p, "%s/csr-ecdsa.pem", cdir) || !put_file(p, json_string_value(json_object_get(ans, "csr_ecdsa"))) ||
	    !cl_path(p, "%s/csr-mldsa.pem", cdir) || !put_file(p, json_string_value(json_object_get(ans, "csr_mldsa"))) ||
	    !cl_path(p, "%s/transcript.json", cdir) || !json_is_object(json_object_get(ans, "transcript")) ||
	    json_dump_file(json_object_get(ans, "transcript"), p, JSON_INDENT(2) | JSON_SORT_KEYS) != 0) {
		fprintf(stderr, "cctsa cluster: dkg-start answer lacks csr_ecdsa, csr_mldsa or transcript\n");
		json_decref(ans);
		return NULL;
	}
	return ans;
}

static int issue_and_copy(const cl_ctx *c, const char *cdir, const char *log)
{
	char csr[CL_PATH], out[CL_PATH], from[CL_PATH];
	static const char *const algs[] = {"ecdsa", "mldsa"};

	for (int k = 0; k < 2; k++) {
		if (!cl_path(csr, "%s/csr-%s.pem", cdir, algs[k]) || !cl_path(out, "%s/tsa-%s.pem", c->dir, algs[k]) ||
		    !ca_issue(c, csr, out, log) || !cl_path(from, "%s/ca/root-%s.pem", c->dir, algs[k]) ||
		    !cl_path(out, "%s/ca-%s.pem", c->dir, algs[k]) || !copy_file(from, out)) {
			return 0;
		}
	}
	return 1;
}

static char *read_text(const char *dir, const char *name)
{
	char p[CL_PATH];
	cctsa_buf b;
	char *s = NULL;

	cctsa_buf_init(&b, 0);
	if (cl_path(p, "%s/%s", dir, name) && cctsa_file_read(&b, p, 1u << 20, NULL) == CCTSA_OK &&
	    cctsa_buf_put_u8(&b, 0) == CCTSA_OK) {
		s = cctsa_mem_strdup((const char *)b.data);
	}
	cctsa_buf_free(&b);
	return s;
}

static int install_all(const cl_ctx *c)
{
	char *te = read_text(c->dir, "tsa-ecdsa.pem"), *tm = read_text(c->dir, "tsa-mldsa.pem");
	char *ce = read_text(c->dir, "ca-ecdsa.pem"), *cm = read_text(c->dir, "ca-mldsa.pem");
	int ok = te != NULL && tm != NULL && ce != NULL && cm != NULL;

	for (int i = 0; ok && i < c->nodes; i++) {
		json_t *ans = ask(c, i,
				  json_pack("{s:s, s:s, s:s, s:s, s:s}", "cmd", "install-certs", "tsa_ecdsa", te,
					    "tsa_mldsa", tm, "ca_ecdsa", ce, "ca_mldsa", cm),
				  60);
		ok = ans != NULL;
		json_decref(ans);
	}
	cctsa_mem_free(te);
	cctsa_mem_free(tm);
	cctsa_mem_free(ce);
	cctsa_mem_free(cm);
	return ok;
}

/* binding.json: what ties the certified keys to the measured code and this ceremony. */
static json_t *binding_doc(const cl_ctx *c, const char *ceremony_id, json_t *status)
{
	char cfg[CL_PATH], tr[CL_PATH], te[CL_PATH], tm[CL_PATH];
	char h_cfg[97], h_tr[97], h_te[97], h_tm[97], when[32];
	time_t now = time(NULL);
	struct tm t;

	if (!cl_path(cfg, "%s/cluster.json", c->dir) || !cl_path(tr, "%s/ceremony/transcript.json", c->dir) ||
	    !cl_path(te, "%s/tsa-ecdsa.pem", c->dir) || !cl_path(tm, "%s/tsa-mldsa.pem", c->dir) ||
	    !sha384_file(cfg, h_cfg) || !sha384_file(tr, h_tr) || !sha384_file(te, h_te) || !sha384_file(tm, h_tm)) {
		return NULL;
	}
	gmtime_r(&now, &t);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &t);
	return json_pack("{s:i, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:f}", "version", 1,
			 "ceremony_id", ceremony_id, "platform", "sim (software AMD SEV-SNP simulator)",
			 "measurement", json_string_value(json_object_get(status, "measurement")), "key_epoch",
			 json_string_value(json_object_get(status, "key_epoch")), "config_sha384", h_cfg,
			 "transcript_sha384", h_tr, "tsa_ecdsa_pem_sha384", h_te, "tsa_mldsa_pem_sha384", h_tm,
			 "created", when, "nodes", c->nodes, "threshold", c->threshold, "ceremony_seconds",
			 c->dkg_seconds);
}

static int write_transcript_md(const cl_ctx *c, json_t *binding)
{
	char p[CL_PATH];
	FILE *f;

	if (!cl_path(p, "%s/ceremony/transcript.md", c->dir) || (f = fopen(p, "w")) == NULL) {
		return 0;
	}
	fprintf(f, "# CC-TSA local cluster: key ceremony\n\n"
		   "- ceremony id: `%s`\n- nodes: %d, threshold: %d\n- platform: %s\n- measurement: `%s`\n"
		   "- key epoch: `%s`\n- cluster.json SHA-384: `%s`\n- transcript.json SHA-384: `%s`\n"
		   "- TSA certificates (PEM SHA-384): ECDSA `%s`, ML-DSA `%s`\n- completed: %s, %.1f s\n\n"
		   "The offline CA's custodian shards are in ca/shards/: acceptable for this local demo\n"
		   "cluster only (a real ceremony hands each shard to its custodian).\n"
		   "The binding record (binding.json) is timestamped by the new key: binding-record.tsr.\n",
		json_string_value(json_object_get(binding, "ceremony_id")), c->nodes, c->threshold,
		json_string_value(json_object_get(binding, "platform")),
		json_string_value(json_object_get(binding, "measurement")),
		json_string_value(json_object_get(binding, "key_epoch")),
		json_string_value(json_object_get(binding, "config_sha384")),
		json_string_value(json_object_get(binding, "transcript_sha384")),
		json_string_value(json_object_get(binding, "tsa_ecdsa_pem_sha384")),
		json_string_value(json_object_get(binding, "tsa_mldsa_pem_sha384")),
		json_string_value(json_object_get(binding, "created")), c->dkg_seconds);
	return fclose(f) == 0;
}

static int write_binding(const cl_ctx *c, const char *ceremony_id)
{
	char sock[CL_PATH], p[CL_PATH], err[256];
	json_t *cmd = json_pack("{s:s}", "cmd", "status"), *st, *b;
	int ok;

	st = cl_path(sock, "%s/node-0/control.sock", c->dir) ? cl_control(sock, cmd, 5, err, sizeof(err)) : NULL;
	json_decref(cmd);
	b = st != NULL ? binding_doc(c, ceremony_id, st) : NULL;
	ok = b != NULL && cl_path(p, "%s/binding.json", c->dir) &&
	     json_dump_file(b, p, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 && write_transcript_md(c, b);
	json_decref(b);
	json_decref(st);
	return ok;
}

int cl_ceremony(cl_ctx *c, int coord)
{
	static const char *const active[] = {"active", NULL};
	char cdir[CL_PATH], log[CL_PATH], ceremony_id[33];
	int all[CL_MAX_NODES];
	double t0 = cl_now();
	json_t *ans;

	if (!fresh_ceremony_dir(c, cdir) || !cl_path(log, "%s/ceremony/ca.log", c->dir) || !ca_init(c, log)) {
		return 0;
	}
	if (!cl_wait_mesh(c, 120)) {
		return 0;
	}
	printf("cluster: DKG ceremony coordinated by node %d ...\n", coord);
	fflush(stdout);
	ans = run_dkg(c, coord, cdir, ceremony_id);
	if (ans == NULL) {
		return 0;
	}
	json_decref(ans);
	if (!issue_and_copy(c, cdir, log) || !install_all(c)) {
		return 0;
	}
	for (int i = 0; i < c->nodes; i++) {
		all[i] = i;
	}
	if (!cl_wait_state(c, all, c->nodes, active, 60)) {
		return 0;
	}
	c->dkg_seconds = cl_now() - t0;
	printf("cluster: keys certified and installed on %d cores (%.1f s)\n", c->nodes, c->dkg_seconds);
	return write_binding(c, ceremony_id);
}

/* A TimeStampReq over SHA-384(binding.json) with a nonce and certReq, sent to gateway 0. */
int cl_timestamp_binding(const cl_ctx *c)
{
	char p[CL_PATH], out[CL_PATH];
	cctsa_buf data, q, r;
	cctsa_tsp_req req;
	unsigned n = 0;
	int code = -1, ok = 0;

	memset(&req, 0, sizeof(req));
	cctsa_buf_init(&data, 0);
	cctsa_buf_init(&q, 0);
	cctsa_buf_init(&r, 1u << 20);
	req.hash = CCTSA_TSP_HASH_SHA384;
	req.imprint_len = 48;
	req.nonce_len = 16;
	req.cert_req = 1;
	if (cl_path(p, "%s/binding.json", c->dir) && cl_path(out, "%s/ceremony/binding-record.tsr", c->dir) &&
	    cctsa_file_read(&data, p, 1u << 20, NULL) == CCTSA_OK &&
	    EVP_Digest(data.data, data.len, req.imprint, &n, EVP_sha384(), NULL) == 1 &&
	    cctsa_rand_bytes(req.nonce, 16) == CCTSA_OK) {
		req.nonce[0] = (uint8_t)((req.nonce[0] & 0x7f) | 0x01); /* positive, minimal */
		ok = cctsa_tsp_req_write(&q, &req) == CCTSA_OK;
	}
	if (ok) {
		code = cl_http(cl_http_port(c, 0), "POST", "/tsa", "application/timestamp-query", q.data, q.len, &r, 30);
		ok = code == 200 && cctsa_file_write(out, r.data, r.len, 0644, 0, NULL) == CCTSA_OK;
	}
	if (!ok) {
		fprintf(stderr, "cctsa cluster: cannot timestamp the binding record (HTTP %d)\n", code);
	}
	cctsa_buf_free(&data);
	cctsa_buf_free(&q);
	cctsa_buf_free(&r);
	return ok;
}

int cl_write_endpoints(const cl_ctx *c)
{
	json_t *http = json_array(), *https = json_array(), *pq = json_array(), *doc;
	char u[128], p[CL_PATH], ce[CL_PATH], cm[CL_PATH], gca[CL_PATH];
	int ok;

	for (int i = 0; i < c->nodes; i++) {
		snprintf(u, sizeof(u), "http://127.0.0.1:%u/", cl_http_port(c, i));
		json_array_append_new(http, json_string(u));
		snprintf(u, sizeof(u), "https://127.0.0.1:%u/", cl_https_port(c, i));
		json_array_append_new(https, json_string(u));
		snprintf(u, sizeof(u), "http://127.0.0.1:%u/tsa/pq", cl_http_port(c, i));
		json_array_append_new(pq, json_string(u));
	}
	if (!cl_path(p, "%s/endpoints.json", c->dir) || !cl_path(ce, "%s/ca-ecdsa.pem", c->dir) ||
	    !cl_path(cm, "%s/ca-mldsa.pem", c->dir) || !cl_path(gca, "%s/gateway-ca.pem", c->dir)) {
		return 0;
	}
	doc = json_pack("{s:o, s:o, s:o, s:s, s:s, s:s, s:f}", "http", http, "https", https, "pq", pq, "ca_ecdsa", ce,
			"ca_mldsa", cm, "gateway_tls_ca", gca, "ceremony_seconds", c->dkg_seconds);
	ok = doc != NULL && json_dump_file(doc, p, JSON_INDENT(2)) == 0;
	json_decref(doc);
	return ok;
}
