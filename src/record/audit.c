/* The hash-chained audit log: canonical records, append with fsync, verification. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/ct.h"
#include "record/record_int.h"

#define AUDIT_DOMAIN "cctsa-audit-v1\n"
#define AUDIT_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
#define AUDIT_FILE_MAX ((size_t)1 << 30)

struct cctsa_audit_log {
	int fd;
	int broken;
	uint64_t count;
	uint8_t head[CCTSA_RECORD_SHA256_LEN];
	char last_time[CCTSA_RECORD_TIME_LEN + 1];
};

static const char *const record_keys[] = {"fields", "hash", "prev", "seq", "time", "type"};

static int type_valid(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > CCTSA_AUDIT_TYPE_MAX) {
		return 0;
	}
	for (; *t; t++) {
		if (!((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '.' || *t == '_' ||
		      *t == '-')) {
			return 0;
		}
	}
	return 1;
}

/* Values allowed in fields: no reals anywhere (their text form is not canonical). */
static int value_valid(const json_t *v, unsigned depth)
{
	size_t i;
	const char *k;
	json_t *x;

	if (depth > 16 || json_is_real(v)) {
		return 0;
	}
	if (json_is_array(v)) {
		json_array_foreach(cctsa_record_unconst(v), i, x) {
			if (!value_valid(x, depth + 1)) {
				return 0;
			}
		}
	} else if (json_is_object(v)) {
		json_object_foreach(cctsa_record_unconst(v), k, x) {
			if (!value_valid(x, depth + 1)) {
				return 0;
			}
		}
	}
	return 1;
}

/* Canonical text of v into a fresh heap string (NUL-terminated) and its length. */
static char *canonical(const json_t *v, size_t *len)
{
	size_t need = json_dumpb(v, NULL, 0, AUDIT_FLAGS);
	char *s = need > 0 ? cctsa_mem_alloc(need + 1) : NULL;

	if (s != NULL && json_dumpb(v, s, need, AUDIT_FLAGS) != need) {
		cctsa_mem_free(s);
		s = NULL;
	}
	*len = need;
	return s;
}

/* hash = SHA-256(domain || canonical(record without "hash")). rec is not modified. */
static cctsa_err record_hash(uint8_t out[CCTSA_RECORD_SHA256_LEN], const json_t *rec)
{
	json_t *copy = json_copy(cctsa_record_unconst(rec));
	char *text = NULL;
	size_t len = 0;
	cctsa_err err = CCTSA_E_RESOURCE;

	if (copy != NULL) {
		json_object_del(copy, "hash");
		text = canonical(copy, &len);
	}
	if (text != NULL) {
		err = cctsa_record_sha256_2(out, AUDIT_DOMAIN, strlen(AUDIT_DOMAIN), text, len);
	}
	cctsa_mem_free(text);
	json_decref(copy);
	return err;
}

static void hex32(char out[2 * CCTSA_RECORD_SHA256_LEN + 1], const uint8_t in[CCTSA_RECORD_SHA256_LEN])
{
	if (cctsa_hex_encode(out, 2 * CCTSA_RECORD_SHA256_LEN + 1, in, CCTSA_RECORD_SHA256_LEN) !=
	    CCTSA_OK) {
		out[0] = '\0';
	}
}

/* ---- verification ---- */

typedef struct {
	uint64_t line;
	uint64_t count;
	uint8_t head[CCTSA_RECORD_SHA256_LEN];
	char last_time[CCTSA_RECORD_TIME_LEN + 1];
	cctsa_diag *diag;
} chain_state;

static cctsa_err line_fail(chain_state *st, const char *what)
{
	return cctsa_fail(st->diag, CCTSA_E_VERIFY, "line %llu: %s", (unsigned long long)st->line, what);
}

/* Shape of one parsed record; the message says which member is wrong. */
static cctsa_err check_shape(chain_state *st, const json_t *rec)
{
	const json_t *seq = json_object_get(rec, "seq"), *tm = json_object_get(rec, "time");
	const json_t *ty = json_object_get(rec, "type"), *pr = json_object_get(rec, "prev");
	const json_t *h = json_object_get(rec, "hash"), *f = json_object_get(rec, "fields");

	if (!cctsa_record_has_exactly(rec, record_keys, 6)) {
		return line_fail(st, "not an audit record (members must be exactly fields, hash, prev, "
				     "seq, time, type)");
	}
	if (!json_is_integer(seq) || json_integer_value(seq) < 1) {
		return line_fail(st, "seq is not a positive integer");
	}
	if (!json_is_string(tm) || !cctsa_record_time_valid(json_string_value(tm))) {
		return line_fail(st, "time is not a valid UTC time");
	}
	if (!json_is_string(ty) || !type_valid(json_string_value(ty))) {
		return line_fail(st, "type is not valid");
	}
	if (!json_is_string(pr) || !cctsa_record_hex64_valid(json_string_value(pr)) ||
	    !json_is_string(h) || !cctsa_record_hex64_valid(json_string_value(h))) {
		return line_fail(st, "prev or hash is not 64 lowercase hex digits");
	}
	if (!json_is_object(f) || !value_valid(f, 0)) {
		return line_fail(st, "fields is not an object of strings, integers, booleans and null");
	}
	return CCTSA_OK;
}

/* Content and chain checks of one record whose shape is right. */
static cctsa_err check_chain(chain_state *st, const json_t *rec, const uint8_t *line, size_t len)
{
	uint8_t h[CCTSA_RECORD_SHA256_LEN];
	char hx[2 * CCTSA_RECORD_SHA256_LEN + 1];
	char *canon;
	size_t clen;
	int same;
	json_int_t seq = json_integer_value(json_object_get(rec, "seq"));
	const char *tm = json_string_value(json_object_get(rec, "time"));

	canon = canonical(rec, &clen);
	if (canon == NULL) {
		return cctsa_fail(st->diag, CCTSA_E_RESOURCE, "out of memory");
	}
	same = clen == len && cctsa_memcmp_var(canon, line, len) == 0;
	cctsa_mem_free(canon);
	if (!same) {
		return line_fail(st, "not in canonical form (the record was edited by hand)");
	}
	if (record_hash(h, rec) != CCTSA_OK) {
		return cctsa_fail(st->diag, CCTSA_E_CRYPTO, "SHA-256 failed");
	}
	hex32(hx, h);
	if (strcmp(hx, json_string_value(json_object_get(rec, "hash"))) != 0) {
		return line_fail(st, "hash does not match the record's content (the record was edited)");
	}
	if ((uint64_t)seq != st->count + 1) {
		(void)cctsa_fail(st->diag, CCTSA_E_VERIFY,
				 "line %llu: seq %lld where %llu was expected (a record was %s)",
				 (unsigned long long)st->line, (long long)seq,
				 (unsigned long long)st->count + 1,
				 (uint64_t)seq > st->count + 1 ? "removed before it"
							       : "inserted or the records reordered");
		return CCTSA_E_VERIFY;
	}
	hex32(hx, st->head);
	if (strcmp(hx, json_string_value(json_object_get(rec, "prev"))) != 0) {
		return line_fail(st, "prev is not the hash of the record before it (a record before it "
				     "was edited, replaced or removed)");
	}
	if (st->count > 0 && strcmp(tm, st->last_time) < 0) {
		return line_fail(st, "time goes backwards");
	}
	memcpy(st->head, h, sizeof(h));
	memcpy(st->last_time, tm, CCTSA_RECORD_TIME_LEN + 1);
	st->count++;
	return CCTSA_OK;
}

static cctsa_err check_line(chain_state *st, const uint8_t *line, size_t len)
{
	json_error_t jerr;
	json_t *rec;
	cctsa_err err;

	rec = json_loadb((const char *)line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (rec == NULL) {
		return line_fail(st, "not a JSON record");
	}
	err = check_shape(st, rec);
	if (err == CCTSA_OK) {
		err = check_chain(st, rec, line, len);
	}
	json_decref(rec);
	return err;
}

static cctsa_err check_expect(chain_state *st, const cctsa_audit_expect *ex)
{
	if (ex != NULL && ex->have_count && ex->count != st->count) {
		st->line = st->count + 1;
		return cctsa_fail(st->diag, CCTSA_E_VERIFY,
				  "the log holds %llu records but %llu were expected (records removed "
				  "from the end, or added)",
				  (unsigned long long)st->count, (unsigned long long)ex->count);
	}
	if (ex != NULL && ex->have_head && !cctsa_ct_memeq(ex->head, st->head, sizeof(st->head))) {
		st->line = st->count + 1;
		return cctsa_fail(st->diag, CCTSA_E_VERIFY,
				  "the last record's hash is not the expected head (records removed "
				  "from the end, or the log replaced)");
	}
	return CCTSA_OK;
}

static cctsa_err verify_lines(chain_state *st, const uint8_t *buf, size_t len)
{
	cctsa_cursor c;
	cctsa_err err = CCTSA_OK;

	cctsa_cursor_init(&c, buf, len);
	while (err == CCTSA_OK && cctsa_cursor_left(&c) > 0) {
		cctsa_cursor probe = c;
		const uint8_t *line;
		size_t n = 0;
		uint8_t ch = 0;

		st->line++;
		while (cctsa_cursor_get_u8(&probe, &ch) == CCTSA_OK && ch != '\n') {
			n++;
		}
		if (ch != '\n') {
			return line_fail(st, "incomplete last record (the log was truncated or a write "
					     "was torn)");
		}
		if (cctsa_cursor_get_view(&c, &line, n) != CCTSA_OK || cctsa_cursor_skip(&c, 1) != CCTSA_OK) {
			return CCTSA_E_INTERNAL;
		}
		err = check_line(st, line, n);
	}
	return err;
}

cctsa_err cctsa_audit_verify(cctsa_audit_result *res, const uint8_t *buf, size_t len,
			     const cctsa_audit_expect *expect, cctsa_diag *diag)
{
	chain_state st;
	cctsa_err err;

	memset(&st, 0, sizeof(st));
	st.diag = diag;
	err = verify_lines(&st, buf, len);
	if (err == CCTSA_OK) {
		err = check_expect(&st, expect);
	}
	res->records = st.count;
	memcpy(res->head, st.head, sizeof(st.head));
	res->bad_line = err == CCTSA_OK ? 0 : st.line;
	return err;
}

cctsa_err cctsa_audit_verify_file(cctsa_audit_result *res, const char *path,
				  const cctsa_audit_expect *expect, cctsa_diag *diag)
{
	cctsa_buf b;
	cctsa_err err;

	memset(res, 0, sizeof(*res));
	err = cctsa_file_read(&b, path, AUDIT_FILE_MAX, diag);
	if (err != CCTSA_OK) {
		return err;
	}
	err = cctsa_audit_verify(res, b.data, b.len, expect, diag);
	cctsa_buf_free(&b);
	return err;
}

/* ---- writing ---- */

/* Reads and verifies the existing log on fd's path, taking over its head. */
static cctsa_err resume(cctsa_audit_log *log, const char *path, cctsa_diag *diag)
{
	chain_state st;
	cctsa_buf b;
	cctsa_err err;
	cctsa_diag why;

	cctsa_diag_reset(&why);
	memset(&st, 0, sizeof(st));
	st.diag = &why;
	err = cctsa_file_read(&b, path, AUDIT_FILE_MAX, diag);
	if (err != CCTSA_OK) {
		return err;
	}
	err = verify_lines(&st, b.data, b.len);
	cctsa_buf_free(&b);
	if (err != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "%s does not verify (%s); refusing to append",
				  path, cctsa_diag_str(&why, err));
	}
	log->count = st.count;
	memcpy(log->head, st.head, sizeof(st.head));
	memcpy(log->last_time, st.last_time, sizeof(st.last_time));
	return CCTSA_OK;
}

cctsa_err cctsa_audit_open(cctsa_audit_log **out, const char *path, cctsa_diag *diag)
{
	cctsa_audit_log *log;
	cctsa_err err;

	*out = NULL;
	log = cctsa_mem_alloc(sizeof(*log));
	if (log == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory");
	}
	log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (log->fd < 0) {
		err = cctsa_fail(diag, CCTSA_E_IO, "cannot open %s: %s", path, strerror(errno));
		cctsa_mem_free(log);
		return err;
	}
	if (flock(log->fd, LOCK_EX | LOCK_NB) != 0) {
		err = errno == EWOULDBLOCK
			      ? cctsa_fail(diag, CCTSA_E_STATE, "%s is held by another writer", path)
			      : cctsa_fail(diag, CCTSA_E_IO, "cannot lock %s: %s", path, strerror(errno));
		cctsa_audit_close(log);
		return err;
	}
	err = resume(log, path, diag);
	if (err != CCTSA_OK) {
		cctsa_audit_close(log);
		return err;
	}
	*out = log;
	return CCTSA_OK;
}

static cctsa_err append_check(const cctsa_audit_log *log, const char *type, const json_t *fields,
			      const char *tm, cctsa_diag *diag)
{
	if (log->broken) {
		return cctsa_fail(diag, CCTSA_E_STATE, "the audit log failed earlier; reopen it");
	}
	if (!type_valid(type)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "audit record type \"%s\" is not [a-z0-9._-]{1,64}",
				  type);
	}
	if (fields != NULL && (!json_is_object(fields) || !value_valid(fields, 0))) {
		return cctsa_fail(diag, CCTSA_E_USAGE,
				  "audit fields must be an object without floating-point values");
	}
	if (log->count > 0 && strcmp(tm, log->last_time) < 0) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "audit time %s is before the last record's %s", tm,
				  log->last_time);
	}
	return CCTSA_OK;
}

static cctsa_err write_line(cctsa_audit_log *log, const char *text, size_t len, int sync,
			    cctsa_diag *diag)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = write(log->fd, text + done, len - done);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			break;
		}
		done += (size_t)w;
	}
	if (done != len || (sync && fsync(log->fd) != 0)) {
		log->broken = 1;
		return cctsa_fail(diag, CCTSA_E_IO, "cannot append to the audit log: %s", strerror(errno));
	}
	return CCTSA_OK;
}

static cctsa_err append(cctsa_audit_log *log, uint64_t time_ms, const char *type,
			const json_t *fields, uint8_t hash_out[CCTSA_RECORD_SHA256_LEN], int sync,
			cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	char tm[CCTSA_RECORD_TIME_LEN + 1], prev[2 * CCTSA_RECORD_SHA256_LEN + 1];
	char hx[2 * CCTSA_RECORD_SHA256_LEN + 1];
	uint8_t h[CCTSA_RECORD_SHA256_LEN];
	json_t *rec = NULL;
	char *text = NULL;
	size_t len = 0;

	CCTSA_ENSURE(cctsa_record_time(tm, time_ms) == CCTSA_OK,
		     cctsa_fail(diag, CCTSA_E_USAGE, "audit time out of range"));
	CCTSA_TRY(append_check(log, type, fields, tm, diag));
	hex32(prev, log->head);
	rec = json_pack("{s:I, s:s, s:s, s:o, s:s}", "seq", (json_int_t)(log->count + 1), "time", tm,
			"type", type, "fields",
			fields != NULL ? json_deep_copy(fields) : json_object(), "prev", prev);
	CCTSA_ENSURE(rec != NULL, cctsa_fail(diag, CCTSA_E_USAGE, "audit fields are not valid JSON"));
	CCTSA_TRY(record_hash(h, rec));
	hex32(hx, h);
	CCTSA_ENSURE(json_object_set_new(rec, "hash", json_string(hx)) == 0,
		     cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory"));
	text = canonical(rec, &len);
	CCTSA_ENSURE(text != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory"));
	text[len] = '\n';
	CCTSA_TRY(write_line(log, text, len + 1, sync, diag));
	log->count++;
	memcpy(log->head, h, sizeof(h));
	memcpy(log->last_time, tm, sizeof(tm));
	if (hash_out != NULL) {
		memcpy(hash_out, h, sizeof(h));
	}
out:
	cctsa_mem_free(text);
	json_decref(rec);
	return err;
}

cctsa_err cctsa_audit_append(cctsa_audit_log *log, uint64_t time_ms, const char *type,
			     const json_t *fields, uint8_t hash_out[CCTSA_RECORD_SHA256_LEN],
			     cctsa_diag *diag)
{
	return append(log, time_ms, type, fields, hash_out, 1, diag);
}

cctsa_err cctsa_audit_append_deferred(cctsa_audit_log *log, uint64_t time_ms, const char *type,
				      const json_t *fields,
				      uint8_t hash_out[CCTSA_RECORD_SHA256_LEN], cctsa_diag *diag)
{
	return append(log, time_ms, type, fields, hash_out, 0, diag);
}

cctsa_err cctsa_audit_sync(cctsa_audit_log *log, cctsa_diag *diag)
{
	if (log->broken) {
		return cctsa_fail(diag, CCTSA_E_STATE, "the audit log failed earlier; reopen it");
	}
	if (fsync(log->fd) != 0) {
		log->broken = 1;
		return cctsa_fail(diag, CCTSA_E_IO, "cannot sync the audit log: %s", strerror(errno));
	}
	return CCTSA_OK;
}

uint64_t cctsa_audit_count(const cctsa_audit_log *log)
{
	return log->count;
}

void cctsa_audit_head(const cctsa_audit_log *log, uint8_t out[static CCTSA_RECORD_SHA256_LEN])
{
	memcpy(out, log->head, CCTSA_RECORD_SHA256_LEN);
}

void cctsa_audit_close(cctsa_audit_log *log)
{
	if (log == NULL) {
		return;
	}
	if (log->fd >= 0) {
		close(log->fd); /* releases the lock */
	}
	cctsa_mem_free(log);
}
