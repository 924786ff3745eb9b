/*
 * record: ceremony transcripts (building, role rules, JSON, strict validation, Markdown,
 * writing) and the audit log (append, resume, lock, and every kind of tampering:
 * edited, edited with a recomputed hash, removed, inserted, reordered, torn tail,
 * records cut from the end against anchors, every bit flip).
 */
#include <jansson.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cctsa/record.h"

static char tmpdir[256];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/record_test.XXXXXX");
	CHECK(mkdtemp(tmpdir) != NULL);
}

static const char *tmp_path(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
	return out;
}

static void expect_msg(const cctsa_diag *d, const char *needle)
{
	if (strstr(d->msg, needle) == NULL) {
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", d->msg, needle);
		CHECK(0);
	}
}

/* ---- transcripts ---- */

static cctsa_transcript *sample_transcript(void)
{
	cctsa_transcript *t = NULL;
	cctsa_diag d;

	cctsa_diag_reset(&d);
	CHECK_OK(cctsa_transcript_new(&t, "ca-init", "Root CA | first", "0.1.0", "sha256:00ff", NULL));
	CHECK_OK(cctsa_transcript_set(t, "custodians", "5", NULL));
	CHECK_OK(cctsa_transcript_set(t, "threshold", "3", NULL));
	CHECK_OK(cctsa_transcript_add_participant(t, "Alice", CCTSA_ROLE_CEREMONY_MASTER, "badge 17", NULL));
	CHECK_ERR(cctsa_transcript_check_roles(t, &d), CCTSA_E_STATE);
	expect_msg(&d, "a Witness");
	CHECK_OK(cctsa_transcript_add_participant(t, "Bob", CCTSA_ROLE_WITNESS, NULL, NULL));
	CHECK_OK(cctsa_transcript_add_participant(t, "Bob", CCTSA_ROLE_SHARD_CUSTODIAN, NULL, NULL));
	CHECK_OK(cctsa_transcript_check_roles(t, NULL));
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_transcript_add_participant(t, "Alice", CCTSA_ROLE_WITNESS, NULL, &d), CCTSA_E_USAGE);
	expect_msg(&d, "segregation of duties");
	CHECK_ERR(cctsa_transcript_add_participant(t, "Bob", CCTSA_ROLE_CEREMONY_MASTER, NULL, NULL),
		  CCTSA_E_USAGE);
	CHECK_ERR(cctsa_transcript_add_participant(t, "Bob", CCTSA_ROLE_WITNESS, NULL, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_transcript_add_participant(t, "", CCTSA_ROLE_WITNESS, NULL, NULL), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_transcript_artefact(t, "x", (const uint8_t *)"x", 1, NULL), CCTSA_E_STATE);
	CHECK_ERR(cctsa_transcript_step_end(t, CCTSA_STEP_OK, NULL, NULL), CCTSA_E_STATE);
	CHECK_OK(cctsa_transcript_step_begin(t, "generate roots", NULL));
	CHECK_ERR(cctsa_transcript_step_begin(t, "again", NULL), CCTSA_E_STATE);
	CHECK_OK(cctsa_transcript_artefact(t, "abc.txt", (const uint8_t *)"abc", 3, NULL));
	CHECK_OK(cctsa_transcript_step_end(t, CCTSA_STEP_OK, "two roots", NULL));
	CHECK_OK(cctsa_transcript_step_begin(t, "print QR codes", NULL));
	CHECK_OK(cctsa_transcript_step_end(t, CCTSA_STEP_SKIPPED, NULL, NULL));
	return t;
}

static void test_transcript_build(void)
{
	cctsa_transcript *t = NULL;
	cctsa_buf js;
	json_t *r, *steps, *a;
	json_error_t je;
	cctsa_diag d;

	CHECK_ERR(cctsa_transcript_new(&t, "", "x", "1", NULL, NULL), CCTSA_E_USAGE);
	CHECK(t == NULL);
	t = sample_transcript();
	CHECK_OK(cctsa_transcript_finish(t, 1, NULL));
	CHECK_ERR(cctsa_transcript_finish(t, 1, NULL), CCTSA_E_STATE);
	CHECK_ERR(cctsa_transcript_step_begin(t, "late", NULL), CCTSA_E_STATE);
	CHECK_OK(cctsa_transcript_json(&js, t, NULL));
	r = json_loadb((const char *)js.data, js.len, 0, &je);
	CHECK(r != NULL);
	CHECK(strcmp(json_string_value(json_object_get(r, "outcome")), "completed") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(r, "software"), "measurement")),
		     "sha256:00ff") == 0);
	CHECK(json_array_size(json_object_get(r, "participants")) == 3);
	steps = json_object_get(r, "steps");
	CHECK(json_array_size(steps) == 2);
	a = json_array_get(json_object_get(json_array_get(steps, 0), "artefacts"), 0);
	/* SHA-256("abc"), FIPS 180-2 appendix B.1 */
	CHECK(strcmp(json_string_value(json_object_get(a, "sha256")),
		     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
	CHECK(json_integer_value(json_object_get(a, "size")) == 3);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(steps, 1), "outcome")), "skipped") == 0);
	json_decref(r);
	cctsa_buf_free(&js);
	cctsa_transcript_free(t);

	/* a failed step forbids "completed"; aborting closes an open step as failed */
	t = sample_transcript();
	CHECK_OK(cctsa_transcript_step_begin(t, "issue", NULL));
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_transcript_finish(t, 1, &d), CCTSA_E_STATE);
	expect_msg(&d, "still open");
	CHECK_OK(cctsa_transcript_finish(t, 0, NULL));
	CHECK_OK(cctsa_transcript_json(&js, t, NULL));
	CHECK(strstr((const char *)js.data, "\"interrupted\"") != NULL);
	CHECK(strstr((const char *)js.data, "\"aborted\"") != NULL);
	cctsa_buf_free(&js);
	cctsa_transcript_free(t);
	t = sample_transcript();
	CHECK_OK(cctsa_transcript_step_begin(t, "issue", NULL));
	CHECK_OK(cctsa_transcript_step_end(t, CCTSA_STEP_FAILED, "CSR signature bad", NULL));
	CHECK_ERR(cctsa_transcript_finish(t, 1, NULL), CCTSA_E_STATE);
	cctsa_transcript_free(t);
}

static void expect_render_fail(json_t *r, const char *needle)
{
	char *s = json_dumps(r, 0);
	cctsa_buf md;
	cctsa_diag d;

	CHECK(s != NULL);
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_transcript_render_markdown(&md, (const uint8_t *)s, strlen(s), &d),
		  CCTSA_E_MALFORMED);
	expect_msg(&d, needle);
	free(s);
}

static void test_transcript_render(void)
{
	cctsa_transcript *t = sample_transcript();
	cctsa_buf js, md;
	json_t *r, *x;
	json_error_t je;

	CHECK_OK(cctsa_transcript_finish(t, 1, NULL));
	CHECK_OK(cctsa_transcript_json(&js, t, NULL));
	CHECK_OK(cctsa_transcript_render_markdown(&md, js.data, js.len, NULL));
	CHECK_OK(cctsa_buf_put_u8(&md, 0));
	CHECK(strstr((const char *)md.data, "# Ceremony transcript: Root CA \\| first") != NULL);
	CHECK(strstr((const char *)md.data, "| Alice | Ceremony Master | badge 17 |") != NULL);
	CHECK(strstr((const char *)md.data, "| Bob | Shard Custodian | - |") != NULL);
	CHECK(strstr((const char *)md.data, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != NULL);
	CHECK(strstr((const char *)md.data, "### 2. print QR codes (skipped)") != NULL);
	CHECK(strstr((const char *)md.data, "## Sign-off") != NULL);
	cctsa_buf_free(&md);

	r = json_loadb((const char *)js.data, js.len, 0, &je);
	CHECK(r != NULL);
	x = json_deep_copy(r);
	json_object_set_new(x, "format", json_string("cctsa-ceremony-transcript/2"));
	expect_render_fail(x, "unknown format");
	json_decref(x);
	x = json_deep_copy(r);
	json_object_set_new(x, "extra", json_true());
	expect_render_fail(x, "unknown format or members");
	json_decref(x);
	x = json_deep_copy(r);
	json_object_set_new(json_array_get(json_object_get(json_array_get(json_object_get(x, "steps"), 0),
							   "artefacts"), 0),
			    "sha256", json_string("BA7816BF"));
	expect_render_fail(x, "step 1, artefact 1");
	json_decref(x);
	x = json_deep_copy(r);
	json_object_set_new(json_array_get(json_object_get(x, "steps"), 1), "seq", json_integer(5));
	expect_render_fail(x, "step 2");
	json_decref(x);
	x = json_deep_copy(r);
	json_object_set_new(x, "started", json_string("2026-13-01T00:00:00.000Z"));
	expect_render_fail(x, "times");
	json_decref(x);
	x = json_deep_copy(r);
	json_object_set_new(json_array_get(json_object_get(x, "participants"), 0), "role",
			    json_string("boss"));
	expect_render_fail(x, "participant 1");
	json_decref(x);
	json_decref(r);
	{
		cctsa_diag d;
		cctsa_diag_reset(&d);
		CHECK_ERR(cctsa_transcript_render_markdown(&md, (const uint8_t *)"{", 1, &d), CCTSA_E_MALFORMED);
		expect_msg(&d, "not JSON");
	}
	cctsa_buf_free(&js);
	cctsa_transcript_free(t);
}

static void test_transcript_write(void)
{
	cctsa_transcript *t = sample_transcript();
	char pj[512], pm[512];
	struct stat st;
	cctsa_buf b;

	tmp_path(pj, sizeof(pj), "t.json");
	tmp_path(pm, sizeof(pm), "t.md");
	CHECK_ERR(cctsa_transcript_write(t, pj, pm, NULL), CCTSA_E_STATE);
	CHECK_OK(cctsa_transcript_finish(t, 1, NULL));
	CHECK_OK(cctsa_transcript_write(t, pj, pm, NULL));
	CHECK(stat(pj, &st) == 0 && (st.st_mode & 0777) == 0644);
	CHECK(stat(pm, &st) == 0);
	CHECK_ERR(cctsa_transcript_write(t, pj, NULL, NULL), CCTSA_E_IO);
	CHECK_OK(cctsa_file_read(&b, pj, 1 << 20, NULL));
	{
		cctsa_buf md;
		CHECK_OK(cctsa_transcript_render_markdown(&md, b.data, b.len, NULL));
		cctsa_buf_free(&md);
	}
	cctsa_buf_free(&b);
	/* artefact from a file: same hash as from memory */
	{
		cctsa_transcript *u = NULL;
		cctsa_buf js;
		char px[512];
		FILE *f = fopen(tmp_path(px, sizeof(px), "abc"), "w");
		CHECK(f != NULL && fputs("abc", f) >= 0 && fclose(f) == 0);
		CHECK_OK(cctsa_transcript_new(&u, "k", "t", "v", NULL, NULL));
		CHECK_OK(cctsa_transcript_step_begin(u, "s", NULL));
		CHECK_OK(cctsa_transcript_artefact_file(u, "abc", px, NULL));
		CHECK_ERR(cctsa_transcript_artefact_file(u, "none", "/nonexistent/x", NULL), CCTSA_E_IO);
		CHECK_OK(cctsa_transcript_step_end(u, CCTSA_STEP_OK, NULL, NULL));
		CHECK_OK(cctsa_transcript_finish(u, 1, NULL));
		CHECK_OK(cctsa_transcript_json(&js, u, NULL));
		CHECK_OK(cctsa_buf_put_u8(&js, 0));
		CHECK(strstr((const char *)js.data, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
		CHECK(strstr((const char *)js.data, "\"measurement\": null"));
		cctsa_buf_free(&js);
		cctsa_transcript_free(u);
	}
	cctsa_transcript_free(t);
	fprintf(stderr, "transcripts: ok\n");
}

/* ---- audit log ---- */

#define T0 1763770000000ULL /* 2025-11-22 */

/* A log of n records built through the API; returns its text (heap) and length. */
static char *build_log(const char *name, unsigned n, size_t *len)
{
	char path[512];
	cctsa_audit_log *log = NULL;
	cctsa_buf b;
	char *text;

	tmp_path(path, sizeof(path), name);
	unlink(path);
	CHECK_OK(cctsa_audit_open(&log, path, NULL));
	for (unsigned i = 0; i < n; i++) {
		json_t *f = json_pack("{s:s, s:i, s:b, s:[s,n]}", "serial", "0a1b", "n", (int)i, "ok", 1,
				      "list", "x\"y\u00e9");
		CHECK_OK(cctsa_audit_append(log, T0 + i * 1000, i % 2 ? "token.issued" : "node.state", f,
					    NULL, NULL));
		json_decref(f);
	}
	CHECK(cctsa_audit_count(log) == n);
	cctsa_audit_close(log);
	CHECK_OK(cctsa_file_read(&b, path, 1 << 20, NULL));
	text = cctsa_mem_alloc(b.len + 1);
	memcpy(text, b.data, b.len);
	*len = b.len;
	cctsa_buf_free(&b);
	return text;
}

/* Start offset of line k (1-based) and its length including the LF. */
static size_t line_at(const char *t, size_t len, unsigned k, size_t *llen)
{
	size_t off = 0;

	for (unsigned i = 1; i < k; i++) {
		const char *nl = memchr(t + off, '\n', len - off);
		CHECK(nl != NULL);
		off = (size_t)(nl - t) + 1;
	}
	*llen = (size_t)((const char *)memchr(t + off, '\n', len - off) - (t + off)) + 1;
	return off;
}

static void expect_bad(const char *t, size_t len, uint64_t line, const char *needle,
		       const cctsa_audit_expect *ex)
{
	cctsa_audit_result res;
	cctsa_diag d;

	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_audit_verify(&res, (const uint8_t *)t, len, ex, &d), CCTSA_E_VERIFY);
	if (res.bad_line != line || strstr(d.msg, needle) == NULL) {
		fprintf(stderr, "bad_line %llu (want %llu), message \"%s\" (want \"%s\")\n",
			(unsigned long long)res.bad_line, (unsigned long long)line, d.msg, needle);
		CHECK(0);
	}
}

/* Replaces the text of one record line by a re-hashed variant (an attacker's edit). */
static char *rehash_line(const char *line, size_t llen, size_t *new_len)
{
	json_error_t je;
	json_t *r = json_loadb(line, llen - 1, 0, &je);
	uint8_t md[32];
	char hx[65], *body, *out, *pre;
	const size_t fl = JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII;

	CHECK(r != NULL);
	json_object_set_new(json_object_get(r, "fields"), "serial", json_string("ffff"));
	json_object_del(r, "hash");
	body = json_dumps(r, fl);
	pre = cctsa_mem_alloc(strlen(body) + 16);
	memcpy(pre, "cctsa-audit-v1\n", 15);
	memcpy(pre + 15, body, strlen(body));
	SHA256((const unsigned char *)pre, 15 + strlen(body), md);
	cctsa_mem_free(pre);
	CHECK_OK(cctsa_hex_encode(hx, sizeof(hx), md, 32));
	json_object_set_new(r, "hash", json_string(hx));
	free(body);
	out = json_dumps(r, fl);
	*new_len = strlen(out);
	json_decref(r);
	return out;
}

static void test_audit_tamper(void)
{
	size_t len, l2, l3, o2, o3, n;
	char *t = build_log("tamper.log", 5, &len), *w = cctsa_mem_alloc(2 * len + 1), *line;
	cctsa_audit_result res;
	cctsa_audit_expect ex;

	CHECK_OK(cctsa_audit_verify(&res, (const uint8_t *)t, len, NULL, NULL));
	CHECK(res.records == 5 && res.bad_line == 0);
	o2 = line_at(t, len, 2, &l2);
	o3 = line_at(t, len, 3, &l3);
	/* edited in place */
	memcpy(w, t, len);
	memcpy(strstr(w + o3, "0a1b"), "0a1c", 4);
	expect_bad(w, len, 3, "hash does not match", NULL);
	/* edited with its own hash recomputed: the next record's prev catches it */
	line = rehash_line(t + o3, l3, &n);
	memcpy(w, t, o3);
	memcpy(w + o3, line, n);
	w[o3 + n] = '\n';
	memcpy(w + o3 + n + 1, t + o3 + l3, len - o3 - l3);
	free(line);
	expect_bad(w, len - l3 + n + 1, 4, "prev is not the hash", NULL);
	/* removed */
	memcpy(w, t, o3);
	memcpy(w + o3, t + o3 + l3, len - o3 - l3);
	expect_bad(w, len - l3, 3, "removed", NULL);
	/* inserted (a copy of record 2 after it) */
	memcpy(w, t, o3);
	memcpy(w + o3, t + o2, l2);
	memcpy(w + o3 + l2, t + o3, len - o3);
	expect_bad(w, len + l2, 3, "inserted or the records reordered", NULL);
	/* reordered (2 and 3 swapped) */
	memcpy(w, t, o2);
	memcpy(w + o2, t + o3, l3);
	memcpy(w + o2 + l3, t + o2, l2);
	memcpy(w + o2 + l3 + l2, t + o3 + l3, len - o3 - l3);
	expect_bad(w, len, 2, "removed", NULL);
	/* torn tail: the last line cut anywhere, even just its LF */
	expect_bad(t, len - 1, 5, "incomplete last record", NULL);
	expect_bad(t, len - 40, 5, "incomplete last record", NULL);
	/* whitespace added: not canonical */
	memcpy(w, t, o2);
	w[o2] = ' ';
	memcpy(w + o2 + 1, t + o2, len - o2);
	expect_bad(w, len + 1, 2, "canonical", NULL);
	/* the last record removed whole: only anchors notice */
	o3 = line_at(t, len, 5, &l3);
	CHECK_OK(cctsa_audit_verify(&res, (const uint8_t *)t, o3, NULL, NULL));
	CHECK(res.records == 4);
	memset(&ex, 0, sizeof(ex));
	ex.have_count = 1;
	ex.count = 5;
	expect_bad(t, o3, 5, "4 records but 5 were expected", &ex);
	CHECK_OK(cctsa_audit_verify(&res, (const uint8_t *)t, len, NULL, NULL));
	memset(&ex, 0, sizeof(ex));
	ex.have_head = 1;
	memcpy(ex.head, res.head, 32);
	CHECK_OK(cctsa_audit_verify(&res, (const uint8_t *)t, len, &ex, NULL));
	expect_bad(t, o3, 5, "expected head", &ex);
	/* the first record removed */
	o2 = line_at(t, len, 2, &l2);
	expect_bad(t + o2, len - o2, 1, "seq 2 where 1 was expected", NULL);
	cctsa_mem_free(w);
	cctsa_mem_free(t);
}

/* Every bit flip anywhere is caught; every cut is either a whole-line prefix or caught. */
static void test_audit_exhaustive(void)
{
	size_t len;
	char *t = build_log("flip.log", 3, &len);
	uint8_t *w = cctsa_mem_dup(t, len);
	cctsa_audit_result res;
	unsigned flips = 0, cuts_ok = 0;

	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			w[i] ^= (uint8_t)(1u << bit);
			CHECK_ERR(cctsa_audit_verify(&res, w, len, NULL, NULL), CCTSA_E_VERIFY);
			CHECK(res.bad_line >= 1);
			w[i] ^= (uint8_t)(1u << bit);
			flips++;
		}
	}
	for (size_t cut = 0; cut <= len; cut++) {
		cctsa_err e = cctsa_audit_verify(&res, w, cut, NULL, NULL);
		if (cut == 0 || w[cut - 1] == '\n') {
			CHECK_OK(e);
			cuts_ok++;
		} else {
			CHECK(e == CCTSA_E_VERIFY);
		}
	}
	CHECK(cuts_ok == 4);
	cctsa_mem_free(w);
	cctsa_mem_free(t);
	fprintf(stderr, "audit: %u bit flips caught, %zu cuts checked\n", flips, len + 1);
}

static void test_audit_writer(void)
{
	char path[512];
	cctsa_audit_log *log = NULL, *other = NULL;
	cctsa_audit_result res;
	uint8_t head[32], h2[32];
	json_t *f;
	cctsa_diag d;
	size_t len;
	char *t = build_log("w.log", 3, &len);

	cctsa_mem_free(t);
	tmp_path(path, sizeof(path), "w.log");
	CHECK_OK(cctsa_audit_open(&log, path, NULL));
	CHECK(cctsa_audit_count(log) == 3);
	CHECK_ERR(cctsa_audit_open(&other, path, NULL), CCTSA_E_STATE);
	CHECK_ERR(cctsa_audit_append(log, T0 + 1, "x", NULL, NULL, NULL), CCTSA_E_USAGE); /* earlier */
	CHECK_ERR(cctsa_audit_append(log, T0 + 9000, "Bad Type", NULL, NULL, NULL), CCTSA_E_USAGE);
	f = json_pack("{s:f}", "pi", 3.14);
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_audit_append(log, T0 + 9000, "x", f, NULL, &d), CCTSA_E_USAGE);
	expect_msg(&d, "floating-point");
	json_decref(f);
	f = json_array();
	CHECK_ERR(cctsa_audit_append(log, T0 + 9000, "x", f, NULL, NULL), CCTSA_E_USAGE);
	json_decref(f);
	CHECK_OK(cctsa_audit_append_deferred(log, T0 + 8000, "batch", NULL, NULL, NULL));
	CHECK_OK(cctsa_audit_append_deferred(log, T0 + 8000, "batch", NULL, NULL, NULL));
	CHECK_OK(cctsa_audit_sync(log, NULL));
	CHECK_OK(cctsa_audit_append(log, T0 + 9000, "ceremony.step", NULL, head, NULL));
	cctsa_audit_head(log, h2);
	CHECK_MEMEQ(head, h2, 32);
	cctsa_audit_close(log);
	CHECK_OK(cctsa_audit_verify_file(&res, path, NULL, NULL));
	CHECK(res.records == 6);
	CHECK_MEMEQ(res.head, head, 32);
	/* a damaged log is not appended to */
	{
		FILE *fp = fopen(path, "a");
		CHECK(fp != NULL && fputs("{\"seq\":", fp) >= 0 && fclose(fp) == 0);
	}
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_audit_open(&log, path, &d), CCTSA_E_VERIFY);
	expect_msg(&d, "refusing to append");
	CHECK_ERR(cctsa_audit_verify_file(&res, "/nonexistent/log", NULL, NULL), CCTSA_E_IO);
	fprintf(stderr, "audit writer: ok\n");
}

static void remove_tmpdir(void)
{
	static const char *names[] = {"t.json", "t.md", "abc", "tamper.log", "flip.log", "w.log"};
	char p[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unlink(tmp_path(p, sizeof(p), names[i]));
	}
	CHECK(rmdir(tmpdir) == 0);
}

int main(void)
{
	make_tmpdir();
	test_transcript_build();
	test_transcript_render();
	test_transcript_write();
	test_audit_tamper();
	test_audit_exhaustive();
	test_audit_writer();
	remove_tmpdir();
	fprintf(stderr, "record_test: ok\n");
	return 0;
}
