/*
 * record: evidence an auditor reads (DESIGN.md §4, §9).
 *
 * (a) Ceremony transcripts: a machine-readable JSON document, written once at the end
 *     of a ceremony (CA init, CA issuance, DKG), and a Markdown rendering for humans:
 *
 *   {"format": "cctsa-ceremony-transcript/1",
 *    "kind": "ca-init", "title": "...",
 *    "started": TIME, "finished": TIME, "outcome": "completed" | "aborted",
 *    "software": {"name": "cctsa", "version": "0.1.0", "measurement": "..." | null},
 *    "context": {"key": "value", ...},
 *    "participants": [{"name": "...", "role": "ceremony-master" | "witness" |
 *                      "shard-custodian", "identity": "..." | null}, ...],
 *    "steps": [{"seq": 1, "name": "...", "started": TIME, "finished": TIME,
 *               "outcome": "ok" | "failed" | "skipped", "detail": "..." | null,
 *               "artefacts": [{"name": "...", "size": N, "sha256": HEX64}, ...]}, ...]}
 *
 *   TIME is UTC "YYYY-MM-DDTHH:MM:SS.mmmZ". Steps are begun, given artefacts (each
 *   hashed with SHA-256 as it is added) and ended in order; one step is open at a time.
 *   Secrets are never artefacts: callers hash public outputs only (certificates, CSRs,
 *   public keys, shard *commitments*), never shard text or keys.
 *
 * (b) The audit log: hash-chained JSON lines, one record per line, appended with fsync:
 *
 *   {"fields":{...},"hash":HEX64,"prev":HEX64,"seq":N,"time":TIME,"type":"..."}
 *
 *   The line is jansson's compact encoding with sorted keys and ASCII escapes, and must
 *   be exactly that (canonical). seq starts at 1 and grows by 1; prev is the hash of the
 *   record before (64 zeros for the first); hash = SHA-256("cctsa-audit-v1\n" || the
 *   canonical encoding of the record without its "hash" member). type matches
 *   [a-z0-9._-]{1,64}; fields is an object whose values are strings, integers, booleans,
 *   null, or arrays/objects of those (no floating point: its encoding is not canonical).
 *   time never decreases. Verification names the first bad line and what is wrong with
 *   it: an edited, inserted, removed or reordered record, or a torn last line. Removing
 *   whole records from the end is detectable only against a head hash or record count
 *   kept elsewhere (cctsa_audit_expect), e.g. a head published in a timestamp.
 *
 * Neither object is thread-safe; callers serialise access.
 */
#ifndef CCTSA_RECORD_H
#define CCTSA_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"

struct json_t; /* jansson */

#define CCTSA_RECORD_TIME_LEN 24 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
#define CCTSA_RECORD_SHA256_LEN 32

/*
 * Formats ms since the Unix epoch as TIME. out must hold CCTSA_RECORD_TIME_LEN + 1.
 * Returns CCTSA_E_USAGE for a time beyond year 9999.
 */
CCTSA_MUST_USE cctsa_err cctsa_record_time(char out[static CCTSA_RECORD_TIME_LEN + 1], uint64_t ms);
/* The current UTC time in ms since the epoch (CLOCK_REALTIME). */
uint64_t cctsa_record_now_ms(void);
/* SHA-256 of a whole file (streamed). Returns CCTSA_E_IO, CCTSA_E_CRYPTO. */
CCTSA_MUST_USE cctsa_err cctsa_record_sha256_file(uint8_t out[static CCTSA_RECORD_SHA256_LEN],
						  const char *path, cctsa_diag *diag);

/* ---- (a) ceremony transcripts ---- */

typedef enum {
	CCTSA_ROLE_CEREMONY_MASTER,
	CCTSA_ROLE_WITNESS,
	CCTSA_ROLE_SHARD_CUSTODIAN
} cctsa_role;

typedef enum { CCTSA_STEP_OK, CCTSA_STEP_FAILED, CCTSA_STEP_SKIPPED } cctsa_step_outcome;

typedef struct cctsa_transcript cctsa_transcript;

/*
 * Starts a transcript now. kind: short machine name ("ca-init", "ca-issue", "dkg");
 * title: a line for humans; version: the software version; measurement: the
 * measurement of the software running the ceremony (e.g. "sha256:<hex of the binary>",
 * or an SNP launch measurement), NULL if unknown.
 * Returns CCTSA_E_USAGE (empty kind/title/version), CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_transcript_new(cctsa_transcript **out, const char *kind,
					      const char *title, const char *version,
					      const char *measurement, cctsa_diag *diag);
void cctsa_transcript_free(cctsa_transcript *t);

/* Sets context[key] = value (replacing). Returns CCTSA_E_USAGE, CCTSA_E_RESOURCE. */
CCTSA_MUST_USE cctsa_err cctsa_transcript_set(cctsa_transcript *t, const char *key,
					      const char *value, cctsa_diag *diag);

/*
 * Adds a participant; identity (NULL allowed) is how they were identified (badge,
 * key fingerprint). A person may hold several roles except Ceremony Master together
 * with Witness (segregation of duties: CCTSA_E_USAGE).
 */
CCTSA_MUST_USE cctsa_err cctsa_transcript_add_participant(cctsa_transcript *t, const char *name,
							  cctsa_role role, const char *identity,
							  cctsa_diag *diag);
/*
 * CCTSA_OK iff there is at least one Ceremony Master and at least one Witness who is
 * not a Ceremony Master; CCTSA_E_STATE otherwise (message says what is missing).
 */
CCTSA_MUST_USE cctsa_err cctsa_transcript_check_roles(const cctsa_transcript *t, cctsa_diag *diag);

/* Opens the next step (now). CCTSA_E_STATE if a step is open or the transcript finished. */
CCTSA_MUST_USE cctsa_err cctsa_transcript_step_begin(cctsa_transcript *t, const char *name,
						     cctsa_diag *diag);
/* Hashes data (public!) as an artefact of the open step. CCTSA_E_STATE if none is open. */
CCTSA_MUST_USE cctsa_err cctsa_transcript_artefact(cctsa_transcript *t, const char *name,
						   const uint8_t *data, size_t len, cctsa_diag *diag);
/* The same for a file's contents. Adds CCTSA_E_IO. */
CCTSA_MUST_USE cctsa_err cctsa_transcript_artefact_file(cctsa_transcript *t, const char *name,
							const char *path, cctsa_diag *diag);
/* Closes the open step (now) with its outcome and an optional detail (NULL). */
CCTSA_MUST_USE cctsa_err cctsa_transcript_step_end(cctsa_transcript *t, cctsa_step_outcome outcome,
						   const char *detail, cctsa_diag *diag);
/*
 * Ends the ceremony (now): completed != 0 -> "completed" (refused with CCTSA_E_STATE if
 * any step failed), 0 -> "aborted". A step still open is closed as failed with detail
 * "interrupted" when aborting, and refused (CCTSA_E_STATE) when completing.
 */
CCTSA_MUST_USE cctsa_err cctsa_transcript_finish(cctsa_transcript *t, int completed,
						 cctsa_diag *diag);

/* The JSON document (pretty-printed, keys in a fixed order, ending in LF) into out. */
CCTSA_MUST_USE cctsa_err cctsa_transcript_json(cctsa_buf *out, const cctsa_transcript *t,
					       cctsa_diag *diag);
/*
 * Writes the finished transcript as JSON to json_path and, if md_path is not NULL, its
 * Markdown rendering; both atomically, mode 0644, refusing to replace an existing file.
 * Returns CCTSA_E_STATE (not finished), CCTSA_E_IO.
 */
CCTSA_MUST_USE cctsa_err cctsa_transcript_write(const cctsa_transcript *t, const char *json_path,
						const char *md_path, cctsa_diag *diag);
/*
 * Validates a transcript JSON document against the format above (strictly: unknown or
 * missing members, wrong types, bad times or hashes are CCTSA_E_MALFORMED) and renders
 * it as Markdown into out (initialised here), with a sign-off table per participant.
 */
CCTSA_MUST_USE cctsa_err cctsa_transcript_render_markdown(cctsa_buf *out, const uint8_t *json,
							  size_t len, cctsa_diag *diag);

/* ---- (b) the audit log ---- */

#define CCTSA_AUDIT_TYPE_MAX 64

typedef struct cctsa_audit_log cctsa_audit_log;

/*
 * Opens path for appending, creating it (mode 0640) if absent. An existing log is
 * verified first and appending continues after its last record; a log that does not
 * verify (including a torn last line) is refused with CCTSA_E_VERIFY. The file is
 * locked (flock) against a second writer: CCTSA_E_STATE if it is held.
 * Returns CCTSA_E_IO, CCTSA_E_VERIFY, CCTSA_E_STATE, CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_audit_open(cctsa_audit_log **out, const char *path,
					  cctsa_diag *diag);
/*
 * Appends one record and fsyncs before returning. time_ms: the record time (the core
 * passes its trusted time); must not be earlier than the previous record's. fields:
 * a JSON object (NULL = {}), not consumed. hash_out (NULL allowed) receives the new head.
 * Returns CCTSA_E_USAGE (bad type, fields, or time), CCTSA_E_IO (then the log object is
 * unusable: CCTSA_E_STATE on every later append), CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_audit_append(cctsa_audit_log *log, uint64_t time_ms,
					    const char *type, const struct json_t *fields,
					    uint8_t hash_out[CCTSA_RECORD_SHA256_LEN], cctsa_diag *diag);
/*
 * Group commit: the same as cctsa_audit_append but without the fsync, so that a batch of
 * records (e.g. the tokens of one signing round) costs one cctsa_audit_sync. A record
 * is durable only after cctsa_audit_sync returns CCTSA_OK; release nothing that depends
 * on it before. Errors as cctsa_audit_append.
 */
CCTSA_MUST_USE cctsa_err cctsa_audit_append_deferred(cctsa_audit_log *log, uint64_t time_ms,
						     const char *type, const struct json_t *fields,
						     uint8_t hash_out[CCTSA_RECORD_SHA256_LEN],
						     cctsa_diag *diag);
/* fsyncs every record appended so far. Returns CCTSA_E_IO (log unusable afterwards), CCTSA_E_STATE. */
CCTSA_MUST_USE cctsa_err cctsa_audit_sync(cctsa_audit_log *log, cctsa_diag *diag);

/* Number of records and hash of the last (zeros when empty). */
uint64_t cctsa_audit_count(const cctsa_audit_log *log);
void cctsa_audit_head(const cctsa_audit_log *log, uint8_t out[static CCTSA_RECORD_SHA256_LEN]);
/* Closes the file and frees; log may be NULL. */
void cctsa_audit_close(cctsa_audit_log *log);

/* Optional anchors kept outside the log. Fields are public. */
typedef struct {
	int have_count;
	uint64_t count;
	int have_head;
	uint8_t head[CCTSA_RECORD_SHA256_LEN];
} cctsa_audit_expect;

/* Fields are public. bad_line is 0 when the log verified, else the first bad line (1-based). */
typedef struct {
	uint64_t records;
	uint8_t head[CCTSA_RECORD_SHA256_LEN];
	uint64_t bad_line;
} cctsa_audit_result;

/*
 * Verifies a whole log held in memory. expect may be NULL.
 * Returns CCTSA_OK only if every line is intact and chained and the anchors match;
 * CCTSA_E_VERIFY otherwise, with res->bad_line and a message "line N: ...".
 * res->records and res->head describe the intact prefix.
 */
CCTSA_MUST_USE cctsa_err cctsa_audit_verify(cctsa_audit_result *res, const uint8_t *buf,
					    size_t len, const cctsa_audit_expect *expect,
					    cctsa_diag *diag);
/* The same for a file (read whole, at most 1 GiB). Adds CCTSA_E_IO. */
CCTSA_MUST_USE cctsa_err cctsa_audit_verify_file(cctsa_audit_result *res, const char *path,
						 const cctsa_audit_expect *expect, cctsa_diag *diag);

#endif
