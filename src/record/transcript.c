/* Ceremony transcripts: building, finishing and writing (format in include/cctsa/record.h). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "record/record_int.h"

#define TRANSCRIPT_FORMAT "cctsa-ceremony-transcript/1"

struct cctsa_transcript {
	json_t *root;
	json_t *context;
	json_t *participants;
	json_t *steps;
	json_t *open_step; /* borrowed from steps, or NULL */
	int finished;
	int any_failed;
};

static const char *const role_names[] = {"ceremony-master", "witness", "shard-custodian"};
static const char *const outcome_names[] = {"ok", "failed", "skipped"};

static int nonempty(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Sets obj[key] to the current time; 0 on failure. */
static int set_now(json_t *obj, const char *key)
{
	char t[CCTSA_RECORD_TIME_LEN + 1];

	if (cctsa_record_time(t, cctsa_record_now_ms()) != CCTSA_OK) {
		return 0;
	}
	return json_object_set_new(obj, key, json_string(t)) == 0;
}

static json_t *opt_string(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static cctsa_err build_root(cctsa_transcript *t, const char *kind, const char *title,
			    const char *version, const char *measurement)
{
	json_t *sw = json_object();
	json_t *r = t->root;
	int bad = sw == NULL;

	bad |= json_object_set_new(r, "format", json_string(TRANSCRIPT_FORMAT));
	bad |= json_object_set_new(r, "kind", json_string(kind));
	bad |= json_object_set_new(r, "title", json_string(title));
	bad |= !set_now(r, "started");
	bad |= json_object_set_new(r, "finished", json_null());
	bad |= json_object_set_new(r, "outcome", json_null());
	if (sw != NULL) {
		bad |= json_object_set_new(sw, "name", json_string("cctsa"));
		bad |= json_object_set_new(sw, "version", json_string(version));
		bad |= json_object_set_new(sw, "measurement", opt_string(measurement));
	}
	bad |= json_object_set_new(r, "software", sw);
	bad |= json_object_set(r, "context", t->context);
	bad |= json_object_set(r, "participants", t->participants);
	bad |= json_object_set(r, "steps", t->steps);
	return bad ? CCTSA_E_RESOURCE : CCTSA_OK;
}

cctsa_err cctsa_transcript_new(cctsa_transcript **out, const char *kind, const char *title,
			       const char *version, const char *measurement, cctsa_diag *diag)
{
	cctsa_transcript *t;

	*out = NULL;
	if (!nonempty(kind) || !nonempty(title) || !nonempty(version)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "a transcript needs a kind, a title and a version");
	}
	t = cctsa_mem_alloc(sizeof(*t));
	if (t == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory");
	}
	t->root = json_object();
	t->context = json_object();
	t->participants = json_array();
	t->steps = json_array();
	if (t->root == NULL || t->context == NULL || t->participants == NULL || t->steps == NULL ||
	    build_root(t, kind, title, version, measurement) != CCTSA_OK) {
		cctsa_transcript_free(t);
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory");
	}
	*out = t;
	return CCTSA_OK;
}

void cctsa_transcript_free(cctsa_transcript *t)
{
	if (t == NULL) {
		return;
	}
	json_decref(t->root);
	json_decref(t->context);
	json_decref(t->participants);
	json_decref(t->steps);
	cctsa_mem_free(t);
}

cctsa_err cctsa_transcript_set(cctsa_transcript *t, const char *key, const char *value,
			       cctsa_diag *diag)
{
	if (!nonempty(key) || value == NULL) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "context entries need a key and a value");
	}
	if (t->finished) {
		return cctsa_fail(diag, CCTSA_E_STATE, "the transcript is finished");
	}
	if (json_object_set_new(t->context, key, json_string(value)) != 0) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "context entry %s is not valid UTF-8", key);
	}
	return CCTSA_OK;
}

static int holds_role(const json_t *parts, const char *name, const char *role)
{
	size_t i;
	json_t *p;

	json_array_foreach(parts, i, p) {
		if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0 &&
		    strcmp(json_string_value(json_object_get(p, "role")), role) == 0) {
			return 1;
		}
	}
	return 0;
}

cctsa_err cctsa_transcript_add_participant(cctsa_transcript *t, const char *name, cctsa_role role,
					   const char *identity, cctsa_diag *diag)
{
	json_t *p;

	if (!nonempty(name) || (unsigned)role > CCTSA_ROLE_SHARD_CUSTODIAN) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "a participant needs a name and a known role");
	}
	if (t->finished) {
		return cctsa_fail(diag, CCTSA_E_STATE, "the transcript is finished");
	}
	if (holds_role(t->participants, name, role_names[role])) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "%s is already listed as %s", name,
				  role_names[role]);
	}
	if ((role == CCTSA_ROLE_WITNESS && holds_role(t->participants, name, "ceremony-master")) ||
	    (role == CCTSA_ROLE_CEREMONY_MASTER && holds_role(t->participants, name, "witness"))) {
		return cctsa_fail(diag, CCTSA_E_USAGE,
				  "%s cannot be both Ceremony Master and Witness (segregation of duties)",
				  name);
	}
	p = json_pack("{s:s, s:s, s:o}", "name", name, "role", role_names[role], "identity",
		      opt_string(identity));
	if (p == NULL || json_array_append_new(t->participants, p) != 0) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "participant %s is not valid UTF-8", name);
	}
	return CCTSA_OK;
}

cctsa_err cctsa_transcript_check_roles(const cctsa_transcript *t, cctsa_diag *diag)
{
	size_t i;
	json_t *p;
	int master = 0, witness = 0;

	json_array_foreach(t->participants, i, p) {
		const char *role = json_string_value(json_object_get(p, "role"));
		master |= strcmp(role, "ceremony-master") == 0;
		witness |= strcmp(role, "witness") == 0;
	}
	if (!master || !witness) {
		return cctsa_fail(diag, CCTSA_E_STATE, "the ceremony needs %s",
				  !master && !witness ? "a Ceremony Master and a Witness"
				  : !master	      ? "a Ceremony Master"
							      : "a Witness");
	}
	return CCTSA_OK;
}

cctsa_err cctsa_transcript_step_begin(cctsa_transcript *t, const char *name, cctsa_diag *diag)
{
	json_t *s;

	if (!nonempty(name)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "a step needs a name");
	}
	if (t->finished || t->open_step != NULL) {
		return cctsa_fail(diag, CCTSA_E_STATE, "cannot begin step \"%s\": %s", name,
				  t->finished ? "the transcript is finished" : "another step is open");
	}
	s = json_pack("{s:I, s:s, s:n, s:n, s:n, s:n, s:[]}", "seq",
		      (json_int_t)json_array_size(t->steps) + 1, "name", name, "started", "finished",
		      "outcome", "detail", "artefacts");
	if (s == NULL || !set_now(s, "started") || json_array_append_new(t->steps, s) != 0) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "step %s is not valid UTF-8", name);
	}
	t->open_step = s;
	return CCTSA_OK;
}

static cctsa_err add_artefact(cctsa_transcript *t, const char *name, uint64_t size,
			      const uint8_t md[CCTSA_RECORD_SHA256_LEN], cctsa_diag *diag)
{
	char hex[2 * CCTSA_RECORD_SHA256_LEN + 1];
	json_t *a;

	if (cctsa_hex_encode(hex, sizeof(hex), md, CCTSA_RECORD_SHA256_LEN) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_INTERNAL, "hex encoding failed");
	}
	a = json_pack("{s:s, s:I, s:s}", "name", name, "size", (json_int_t)size, "sha256", hex);
	if (a == NULL ||
	    json_array_append_new(json_object_get(t->open_step, "artefacts"), a) != 0) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "artefact %s is not valid UTF-8", name);
	}
	return CCTSA_OK;
}

static cctsa_err artefact_check(const cctsa_transcript *t, const char *name, cctsa_diag *diag)
{
	if (!nonempty(name)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "an artefact needs a name");
	}
	if (t->open_step == NULL) {
		return cctsa_fail(diag, CCTSA_E_STATE, "artefact %s: no step is open", name);
	}
	return CCTSA_OK;
}

cctsa_err cctsa_transcript_artefact(cctsa_transcript *t, const char *name, const uint8_t *data,
				    size_t len, cctsa_diag *diag)
{
	uint8_t md[CCTSA_RECORD_SHA256_LEN];
	cctsa_err err = artefact_check(t, name, diag);

	if (err == CCTSA_OK && cctsa_record_sha256_2(md, data, len, "", 0) != CCTSA_OK) {
		err = cctsa_fail(diag, CCTSA_E_CRYPTO, "SHA-256 failed");
	}
	return err != CCTSA_OK ? err : add_artefact(t, name, len, md, diag);
}

cctsa_err cctsa_transcript_artefact_file(cctsa_transcript *t, const char *name, const char *path,
					 cctsa_diag *diag)
{
	uint8_t md[CCTSA_RECORD_SHA256_LEN];
	struct stat st;
	cctsa_err err = artefact_check(t, name, diag);

	if (err == CCTSA_OK && stat(path, &st) != 0) {
		err = cctsa_fail(diag, CCTSA_E_IO, "cannot stat %s: %s", path, strerror(errno));
	}
	if (err == CCTSA_OK) {
		err = cctsa_record_sha256_file(md, path, diag);
	}
	return err != CCTSA_OK ? err : add_artefact(t, name, (uint64_t)st.st_size, md, diag);
}

cctsa_err cctsa_transcript_step_end(cctsa_transcript *t, cctsa_step_outcome outcome,
				    const char *detail, cctsa_diag *diag)
{
	json_t *s = t->open_step;

	if ((unsigned)outcome > CCTSA_STEP_SKIPPED) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "unknown step outcome");
	}
	if (s == NULL) {
		return cctsa_fail(diag, CCTSA_E_STATE, "no step is open");
	}
	if (!set_now(s, "finished") ||
	    json_object_set_new(s, "outcome", json_string(outcome_names[outcome])) != 0 ||
	    json_object_set_new(s, "detail", opt_string(detail)) != 0) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "step detail is not valid UTF-8");
	}
	t->any_failed |= outcome == CCTSA_STEP_FAILED;
	t->open_step = NULL;
	return CCTSA_OK;
}

cctsa_err cctsa_transcript_finish(cctsa_transcript *t, int completed, cctsa_diag *diag)
{
	cctsa_err err;

	if (t->finished) {
		return cctsa_fail(diag, CCTSA_E_STATE, "the transcript is already finished");
	}
	if (completed && (t->open_step != NULL || t->any_failed)) {
		return cctsa_fail(diag, CCTSA_E_STATE, "cannot record the ceremony as completed: %s",
				  t->any_failed ? "a step failed" : "a step is still open");
	}
	if (t->open_step != NULL) {
		err = cctsa_transcript_step_end(t, CCTSA_STEP_FAILED, "interrupted", diag);
		if (err != CCTSA_OK) {
			return err;
		}
	}
	if (!set_now(t->root, "finished") ||
	    json_object_set_new(t->root, "outcome", json_string(completed ? "completed" : "aborted"))) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory");
	}
	t->finished = 1;
	return CCTSA_OK;
}

cctsa_err cctsa_transcript_json(cctsa_buf *out, const cctsa_transcript *t, cctsa_diag *diag)
{
	const size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII;
	size_t need = json_dumpb(t->root, NULL, 0, flags);
	char *tmp = need > 0 ? cctsa_mem_alloc(need) : NULL;
	cctsa_err err = tmp == NULL ? CCTSA_E_RESOURCE : CCTSA_OK;

	cctsa_buf_init(out, 0);
	if (err == CCTSA_OK && json_dumpb(t->root, tmp, need, flags) != need) {
		err = CCTSA_E_INTERNAL;
	}
	if (err == CCTSA_OK) {
		err = cctsa_buf_put(out, tmp, need);
	}
	if (err == CCTSA_OK) {
		err = cctsa_buf_put_u8(out, '\n');
	}
	cctsa_mem_free(tmp);
	if (err != CCTSA_OK) {
		cctsa_buf_free(out);
		return cctsa_fail(diag, err, "cannot encode the transcript");
	}
	return CCTSA_OK;
}

static cctsa_err write_new(const char *path, const cctsa_buf *b, cctsa_diag *diag)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		return cctsa_fail(diag, CCTSA_E_IO, "%s already exists; a transcript is never replaced",
				  path);
	}
	return cctsa_file_write(path, b->data, b->len, 0644, 0, diag);
}

cctsa_err cctsa_transcript_write(const cctsa_transcript *t, const char *json_path,
				 const char *md_path, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_buf js, md;

	cctsa_buf_init(&js, 0);
	cctsa_buf_init(&md, 0);
	CCTSA_ENSURE(t->finished, cctsa_fail(diag, CCTSA_E_STATE, "the transcript is not finished"));
	CCTSA_TRY(cctsa_transcript_json(&js, t, diag));
	if (md_path != NULL) {
		CCTSA_TRY(cctsa_transcript_render_markdown(&md, js.data, js.len, diag));
	}
	CCTSA_TRY(write_new(json_path, &js, diag));
	if (md_path != NULL) {
		CCTSA_TRY(write_new(md_path, &md, diag));
	}
out:
	cctsa_buf_free(&js);
	cctsa_buf_free(&md);
	return err;
}
