/* Ceremony transcripts: strict validation of the JSON form and the Markdown rendering. */
#include <string.h>

#include "record/record_int.h"

static const char *const root_keys[] = {"format",   "kind",	"title",	"started", "finished",
					"outcome",  "software", "context", "participants", "steps"};
static const char *const sw_keys[] = {"name", "version", "measurement"};
static const char *const part_keys[] = {"name", "role", "identity"};
static const char *const step_keys[] = {"seq",	   "name",   "started",	 "finished",
					"outcome", "detail", "artefacts"};
static const char *const art_keys[] = {"name", "size", "sha256"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int is_str(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0;
}

static int is_opt_str(const json_t *v)
{
	return json_is_null(v) || json_is_string(v);
}

static int is_time(const json_t *v)
{
	return json_is_string(v) && cctsa_record_time_valid(json_string_value(v));
}

static int one_of(const json_t *v, const char *a, const char *b, const char *c)
{
	const char *s = json_string_value(v);
	return s != NULL && (strcmp(s, a) == 0 || strcmp(s, b) == 0 || (c && strcmp(s, c) == 0));
}

static cctsa_err bad(cctsa_diag *diag, const char *what)
{
	return cctsa_fail(diag, CCTSA_E_MALFORMED, "not a valid transcript: %s", what);
}

static cctsa_err check_artefacts(const json_t *arts, size_t step, cctsa_diag *diag)
{
	size_t i;
	json_t *a;

	if (!json_is_array(arts)) {
		return bad(diag, "artefacts must be an array");
	}
	json_array_foreach(arts, i, a) {
		if (!cctsa_record_has_exactly(a, art_keys, N(art_keys)) ||
		    !is_str(json_object_get(a, "name")) ||
		    !json_is_integer(json_object_get(a, "size")) ||
		    json_integer_value(json_object_get(a, "size")) < 0 ||
		    !json_is_string(json_object_get(a, "sha256")) ||
		    !cctsa_record_hex64_valid(json_string_value(json_object_get(a, "sha256")))) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "not a valid transcript: step %zu, artefact %zu", step, i + 1);
		}
	}
	return CCTSA_OK;
}

static cctsa_err check_steps(const json_t *steps, cctsa_diag *diag)
{
	size_t i;
	json_t *s;

	if (!json_is_array(steps)) {
		return bad(diag, "steps must be an array");
	}
	json_array_foreach(steps, i, s) {
		json_t *seq = json_object_get(s, "seq");
		if (!cctsa_record_has_exactly(s, step_keys, N(step_keys)) || !json_is_integer(seq) ||
		    json_integer_value(seq) != (json_int_t)i + 1 || !is_str(json_object_get(s, "name")) ||
		    !is_time(json_object_get(s, "started")) || !is_time(json_object_get(s, "finished")) ||
		    !one_of(json_object_get(s, "outcome"), "ok", "failed", "skipped") ||
		    !is_opt_str(json_object_get(s, "detail"))) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "not a valid transcript: step %zu",
					  i + 1);
		}
		if (check_artefacts(json_object_get(s, "artefacts"), i + 1, diag) != CCTSA_OK) {
			return CCTSA_E_MALFORMED;
		}
	}
	return CCTSA_OK;
}

static cctsa_err check_root(const json_t *r, cctsa_diag *diag)
{
	const json_t *sw = json_object_get(r, "software"), *ctx = json_object_get(r, "context");
	const char *k;
	json_t *v;
	size_t i;

	if (!cctsa_record_has_exactly(r, root_keys, N(root_keys)) ||
	    !json_is_string(json_object_get(r, "format")) ||
	    strcmp(json_string_value(json_object_get(r, "format")), "cctsa-ceremony-transcript/1")) {
		return bad(diag, "unknown format or members");
	}
	if (!is_str(json_object_get(r, "kind")) || !is_str(json_object_get(r, "title")) ||
	    !is_time(json_object_get(r, "started")) || !is_time(json_object_get(r, "finished")) ||
	    !one_of(json_object_get(r, "outcome"), "completed", "aborted", NULL)) {
		return bad(diag, "kind, title, times or outcome");
	}
	if (!cctsa_record_has_exactly(sw, sw_keys, N(sw_keys)) || !is_str(json_object_get(sw, "name")) ||
	    !is_str(json_object_get(sw, "version")) || !is_opt_str(json_object_get(sw, "measurement"))) {
		return bad(diag, "software");
	}
	if (!json_is_object(ctx)) {
		return bad(diag, "context must be an object");
	}
	json_object_foreach(cctsa_record_unconst(ctx), k, v) {
		if (!json_is_string(v)) {
			return bad(diag, "context values must be strings");
		}
	}
	if (!json_is_array(json_object_get(r, "participants"))) {
		return bad(diag, "participants must be an array");
	}
	json_array_foreach(json_object_get(r, "participants"), i, v) {
		if (!cctsa_record_has_exactly(v, part_keys, N(part_keys)) ||
		    !is_str(json_object_get(v, "name")) ||
		    !one_of(json_object_get(v, "role"), "ceremony-master", "witness", "shard-custodian") ||
		    !is_opt_str(json_object_get(v, "identity"))) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "not a valid transcript: participant %zu", i + 1);
		}
	}
	return check_steps(json_object_get(r, "steps"), diag);
}

/* ---- rendering ---- */

/* A table cell or inline text: '|' escaped, line breaks flattened, backticks replaced. */
static cctsa_err put_cell(cctsa_buf *b, const char *s)
{
	cctsa_err err = CCTSA_OK;

	for (; *s != '\0' && err == CCTSA_OK; s++) {
		if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '<') {
			err = cctsa_buf_put_u8(b, '\\');
		}
		if (err == CCTSA_OK) {
			err = cctsa_buf_put_u8(b, (*s == '\n' || *s == '\r') ? ' '
						  : *s == '`'		 ? '\''
									 : (uint8_t)*s);
		}
	}
	return err;
}

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL ? s : "-";
}

static const char *role_title(const char *role)
{
	return strcmp(role, "ceremony-master") == 0 ? "Ceremony Master"
	       : strcmp(role, "witness") == 0	    ? "Witness"
						    : "Shard Custodian";
}

static cctsa_err row(cctsa_buf *b, const char *k, const char *v)
{
	cctsa_err err = cctsa_buf_printf(b, "| %s | ", k);
	if (err == CCTSA_OK) {
		err = put_cell(b, v);
	}
	return err == CCTSA_OK ? cctsa_buf_put_str(b, " |\n") : err;
}

static cctsa_err render_header(cctsa_buf *b, const json_t *r)
{
	cctsa_err err = CCTSA_OK;
	const json_t *sw = json_object_get(r, "software");
	const char *k;
	json_t *v;
	size_t i;

	CCTSA_TRY(cctsa_buf_put_str(b, "# Ceremony transcript: "));
	CCTSA_TRY(put_cell(b, str_of(r, "title")));
	CCTSA_TRY(cctsa_buf_put_str(b, "\n\n| Item | Value |\n|---|---|\n"));
	CCTSA_TRY(row(b, "Kind", str_of(r, "kind")));
	CCTSA_TRY(row(b, "Outcome", str_of(r, "outcome")));
	CCTSA_TRY(row(b, "Started (UTC)", str_of(r, "started")));
	CCTSA_TRY(row(b, "Finished (UTC)", str_of(r, "finished")));
	CCTSA_TRY(row(b, "Software", str_of(sw, "name")));
	CCTSA_TRY(row(b, "Version", str_of(sw, "version")));
	CCTSA_TRY(row(b, "Measurement", str_of(sw, "measurement")));
	json_object_foreach(json_object_get(r, "context"), k, v) {
		CCTSA_TRY(row(b, k, json_string_value(v)));
	}
	CCTSA_TRY(cctsa_buf_put_str(b, "\n## Participants\n\n| Name | Role | Identity |\n|---|---|---|\n"));
	json_array_foreach(json_object_get(r, "participants"), i, v) {
		CCTSA_TRY(cctsa_buf_put_str(b, "| "));
		CCTSA_TRY(put_cell(b, str_of(v, "name")));
		CCTSA_TRY(cctsa_buf_printf(b, " | %s | ", role_title(str_of(v, "role"))));
		CCTSA_TRY(put_cell(b, str_of(v, "identity")));
		CCTSA_TRY(cctsa_buf_put_str(b, " |\n"));
	}
out:
	return err;
}

static cctsa_err render_step(cctsa_buf *b, const json_t *s)
{
	cctsa_err err = CCTSA_OK;
	size_t i;
	json_t *a;

	CCTSA_TRY(cctsa_buf_printf(b, "\n### %lld. ", (long long)json_integer_value(json_object_get(s, "seq"))));
	CCTSA_TRY(put_cell(b, str_of(s, "name")));
	CCTSA_TRY(cctsa_buf_printf(b, " (%s)\n\n%s to %s UTC\n", str_of(s, "outcome"),
				   str_of(s, "started"), str_of(s, "finished")));
	if (json_is_string(json_object_get(s, "detail"))) {
		CCTSA_TRY(cctsa_buf_put_str(b, "\n"));
		CCTSA_TRY(put_cell(b, str_of(s, "detail")));
		CCTSA_TRY(cctsa_buf_put_str(b, "\n"));
	}
	if (json_array_size(json_object_get(s, "artefacts")) == 0) {
		goto out;
	}
	CCTSA_TRY(cctsa_buf_put_str(b, "\n| Artefact | Bytes | SHA-256 |\n|---|---|---|\n"));
	json_array_foreach(json_object_get(s, "artefacts"), i, a) {
		CCTSA_TRY(cctsa_buf_put_str(b, "| "));
		CCTSA_TRY(put_cell(b, str_of(a, "name")));
		CCTSA_TRY(cctsa_buf_printf(b, " | %lld | `%s` |\n",
					   (long long)json_integer_value(json_object_get(a, "size")),
					   str_of(a, "sha256")));
	}
out:
	return err;
}

static cctsa_err render_signoff(cctsa_buf *b, const json_t *r)
{
	cctsa_err err = CCTSA_OK;
	size_t i;
	json_t *v;

	CCTSA_TRY(cctsa_buf_put_str(b, "\n## Sign-off\n\nEach participant confirms that the steps "
				       "above happened as recorded.\n\n"
				       "| Name | Role | Signature | Date |\n|---|---|---|---|\n"));
	json_array_foreach(json_object_get(r, "participants"), i, v) {
		CCTSA_TRY(cctsa_buf_put_str(b, "| "));
		CCTSA_TRY(put_cell(b, str_of(v, "name")));
		CCTSA_TRY(cctsa_buf_printf(b, " | %s | | |\n", role_title(str_of(v, "role"))));
	}
out:
	return err;
}

cctsa_err cctsa_transcript_render_markdown(cctsa_buf *out, const uint8_t *json, size_t len,
					   cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	json_error_t jerr;
	json_t *r = json_loadb((const char *)json, len, JSON_REJECT_DUPLICATES, &jerr);
	size_t i;
	json_t *s;

	cctsa_buf_init(out, 0);
	if (r == NULL) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "not JSON: line %d: %s", jerr.line, jerr.text);
	}
	CCTSA_TRY(check_root(r, diag));
	CCTSA_TRY(render_header(out, r));
	CCTSA_TRY(cctsa_buf_put_str(out, "\n## Steps\n"));
	json_array_foreach(json_object_get(r, "steps"), i, s) {
		CCTSA_TRY(render_step(out, s));
	}
	CCTSA_TRY(render_signoff(out, r));
out:
	json_decref(r);
	if (err != CCTSA_OK) {
		cctsa_buf_free(out);
		if (err != CCTSA_E_MALFORMED) {
			err = cctsa_fail(diag, err, "cannot render the transcript");
		}
	}
	return err;
}
