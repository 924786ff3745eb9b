/*
 * core: the coordinator's side of a job: policy and time decisions, serial
 * assignment, choice of the signing set (retrying with another set on failure),
 * combination, verification of both signatures, the audit record (durable before
 * the token is returned) and the result.
 */
#include <string.h>

#include <jansson.h>

#include "cctsa/der.h"
#include "core_int.h"

cctsa_err core_sess_start_local(cctsa_core *c, core_sess *s, cctsa_diag *diag);
core_sess *core_sess_new(cctsa_core *c);
void core_job_attempt(cctsa_core *c, core_job *job);
void core_job_done(cctsa_core *c, core_sess *s);
void core_job_attempt_failed(cctsa_core *c, core_sess *s, int blame_set);
void core_jobs_kick(cctsa_core *c);
void core_job_busy(cctsa_core *c, core_sess *s);

static void result(cctsa_core_ts_cb cb, void *ctx, uint8_t status, uint8_t fail_bit, const char *text,
		   const uint8_t *token, size_t len, int retry_later)
{
	cctsa_core_ts_result r = {status, fail_bit, text, token, len, retry_later};

	if (cb != NULL) {
		cb(ctx, &r);
	}
}

static void job_end(cctsa_core *c, core_job *job, uint8_t fail_bit, const char *text, int retry_later)
{
	cctsa_core_ts_cb cb = job->cb;
	void *ctx = job->ctx;
	uint8_t kind = job->kind;

	if (job->sess != NULL) {
		core_sess_end(c, job->sess);
	}
	memset(job, 0, sizeof *job);
	if (kind == JOB_CSR) {
		core_dkg_signed(c, NULL, 0, NULL, 0, CCTSA_E_STATE, text);
		return;
	}
	c->failures++;
	result(cb, ctx, CCTSA_TSP_STATUS_REJECTION, fail_bit, text, NULL, 0, retry_later);
}

static int set_index(unsigned mask)
{
	for (unsigned k = 0; k < SIGSET_COUNT; k++) {
		if (cctsa_tmldsa_subset_mask(k) == mask) {
			return (int)k;
		}
	}
	return -1;
}

/* A usable set: contains this node, all members reachable, not failed for this job. */
static unsigned pick_set(cctsa_core *c, const core_job *job, int *have_presig)
{
	unsigned first = 0;
	int pk = set_index(c->preferred_set);

	/* The pinned set first, while it is usable for this job. */
	if (pk >= 0 && (c->preferred_set & (1u << c->id)) && (c->preferred_set & c->up) == c->preferred_set &&
	    !(job->bad_sets & (1u << pk))) {
		*have_presig = core_presig_ready(c, c->preferred_set) != NULL;
		return c->preferred_set;
	}
	for (unsigned k = 0; k < SIGSET_COUNT; k++) {
		unsigned m = cctsa_tmldsa_subset_mask(k);

		if (!(m & (1u << c->id)) || (m & c->up) != m || (job->bad_sets & (1u << k))) {
			continue;
		}
		if (core_presig_ready(c, m) != NULL) {
			*have_presig = 1;
			return m;
		}
		if (first == 0) {
			first = m;
		}
	}
	*have_presig = 0;
	return first;
}

static cctsa_err fill_tst(cctsa_core *c, const core_job *job, core_sign_req *r)
{
	int64_t now;
	uint32_t bound;
	uint64_t ctr = ++c->counter;

	if (!core_time(c, &now, &bound) || now < 0) {
		return CCTSA_E_STATE;
	}
	r->pq = (uint8_t)(job->pq != 0);
	r->req = job->req;
	r->gen_time_ms = now;
	r->accuracy_ms = bound == 0 ? 1 : bound;
	for (int i = 0; i < 8; i++) {
		r->serial[i] = (uint8_t)(c->epoch >> (56 - 8 * i));
		r->serial[9 + i] = (uint8_t)(ctr >> (56 - 8 * i));
	}
	r->serial[8] = (uint8_t)c->id;
	if (job->req.policy_len != 0) {
		memcpy(r->policy, job->req.policy, job->req.policy_len);
		r->policy_len = job->req.policy_len;
	} else if (job->pq) {
		memcpy(r->policy, c->pol_pq, c->pol_pq_len);
		r->policy_len = c->pol_pq_len;
	} else {
		memcpy(r->policy, c->pol_default, c->pol_default_len);
		r->policy_len = c->pol_default_len;
	}
	return CCTSA_OK;
}

/* Builds the SIGN_REQ for set m with presignature p, sends it and starts locally. */
static cctsa_err launch(cctsa_core *c, core_job *job, unsigned m, core_presig *p, cctsa_diag *diag)
{
	core_sign_req r;
	cctsa_buf me, mm, pl;
	core_sess *s = NULL;
	cctsa_err err = CCTSA_OK;

	memset(&r, 0, sizeof r);
	cctsa_buf_init(&me, 0);
	cctsa_buf_init(&mm, 0);
	cctsa_buf_init(&pl, 0);
	CCTSA_TRY(cctsa_rand_bytes(r.job_id, sizeof r.job_id));
	CCTSA_TRY(cctsa_rand_bytes(r.nonce, sizeof r.nonce));
	r.kind = job->kind;
	r.coord = (uint8_t)c->id;
	r.set_mask = (uint8_t)m;
	memcpy(r.pid, p->pid, 32);
	if (job->kind == JOB_TST) {
		CCTSA_TRY(fill_tst(c, job, &r));
	}
	CCTSA_TRY(core_job_messages(c, &r, &me, &mm, diag));
	r.msg_e = me.data;
	r.msg_e_len = me.len;
	r.msg_m = mm.data;
	r.msg_m_len = mm.len;
	CCTSA_TRY(core_sign_req_encode(&pl, &r));
	s = core_sess_new(c);
	CCTSA_ENSURE(s != NULL, CCTSA_E_RESOURCE);
	s->job = job;
	job->sess = s;
	s->payload = cctsa_mem_dup(pl.data, pl.len);
	CCTSA_ENSURE(s->payload != NULL, CCTSA_E_RESOURCE);
	s->payload_len = pl.len;
	CCTSA_TRY(core_sign_req_decode(&s->r, s->payload, s->payload_len, diag));
	core_presig_drop(p); /* single use, whatever happens next */
	for (unsigned j = 0; j < CORE_N; j++) {
		if (j != c->id && (m & (1u << j))) {
			CCTSA_TRY(core_send(c, j, CCTSA_CORE_MSG_SIGN_REQ, pl.data, pl.len));
		}
	}
	CCTSA_TRY(core_sess_start_local(c, s, diag));
out:
	cctsa_buf_free(&me);
	cctsa_buf_free(&mm);
	cctsa_buf_free(&pl);
	return err;
}

void core_job_attempt(cctsa_core *c, core_job *job)
{
	int have = 0;
	unsigned m;
	core_presig *p;
	cctsa_err err;

	if (job->tries >= JOB_TRIES) {
		job_end(c, job, CCTSA_TSP_FAIL_SYSTEM_FAILURE, "signing failed with every signing set", 1);
		return;
	}
	if (c->key_state == CCTSA_CORE_KEY_RETIRED) {
		job_end(c, job, CCTSA_TSP_FAIL_SYSTEM_FAILURE, "key retired (attempt budget spent)", 1);
		return;
	}
	if (core_live_sessions(c) >= LIVE_MAX) {
		if (!job->queued) {
			job->queued = 1;
			job->queued_at = c->now_ms;
		}
		return; /* started again when a session ends (core_jobs_requeue_kick) */
	}
	job->queued = 0;
	m = pick_set(c, job, &have);
	if (m == 0) {
		job_end(c, job, CCTSA_TSP_FAIL_SYSTEM_FAILURE, "fewer than 3 nodes available", 1);
		return;
	}
	if (!have) {
		job->waiting = m;
		if (core_presig_pending(c, m) == 0 && core_presign_start(c, m) != CCTSA_OK) {
			job->bad_sets |= 1u << set_index(m);
			job->waiting = 0;
			job->tries++;
			core_job_attempt(c, job);
		}
		return;
	}
	job->waiting = 0;
	job->tries++;
	p = core_presig_ready(c, m);
	err = launch(c, job, m, p, NULL);
	if (err == CCTSA_E_STATE && job->kind == JOB_TST && job->sess == NULL) {
		job_end(c, job, CCTSA_TSP_FAIL_TIME_NOT_AVAILABLE, "trusted time not available", 1);
	} else if (err == CCTSA_E_RESOURCE) {
		/* Out of locked memory here: no other set helps; fail now, never hang. */
		job_end(c, job, CCTSA_TSP_FAIL_SYSTEM_FAILURE, "out of locked memory", 1);
	} else if (err != CCTSA_OK) {
		if (job->sess != NULL) {
			core_job_attempt_failed(c, job->sess, 1);
		} else {
			job->bad_sets |= 1u << set_index(m);
			core_job_attempt(c, job);
		}
	}
}

void core_job_attempt_failed(cctsa_core *c, core_sess *s, int blame_set)
{
	core_job *job = s->job;
	int k = set_index(s->r.set_mask);

	job->sess = NULL;
	core_sess_end(c, s);
	if (blame_set && k >= 0) {
		job->bad_sets |= 1u << k;
	}
	c->retries++;
	core_job_attempt(c, job);
}

/* A member was busy: not the set's fault; the job waits for a slot and tries again. */
void core_job_busy(cctsa_core *c, core_sess *s)
{
	core_job *job = s->job;

	job->sess = NULL;
	core_sess_end(c, s);
	if (job->tries > 0) {
		job->tries--;
	}
	job->queued = 1;
	if (job->queued_at == 0) {
		job->queued_at = c->now_ms;
	}
}

/* Queued jobs: started again when there is room, failed after QUEUE_MS. */
void core_jobs_requeue_kick(cctsa_core *c)
{
	for (size_t i = 0; i < SESS_MAX; i++) {
		core_job *j = &c->jobs[i];

		if (!j->used || !j->queued || j->sess != NULL) {
			continue;
		}
		if (c->now_ms - j->queued_at > QUEUE_MS) {
			job_end(c, j, CCTSA_TSP_FAIL_SYSTEM_FAILURE, "cluster busy", 1);
		} else if (core_live_sessions(c) < LIVE_MAX) {
			core_job_attempt(c, j);
		}
	}
}

void core_jobs_kick(cctsa_core *c)
{
	for (size_t i = 0; i < SESS_MAX; i++) {
		core_job *j = &c->jobs[i];

		if (j->used && j->sess == NULL && j->waiting != 0 && core_presig_ready(c, j->waiting) != NULL) {
			core_job_attempt(c, j);
		}
	}
}

/* A presignature some job was waiting for is gone: that set failed for the job. */
void core_jobs_presig_lost(cctsa_core *c, unsigned set_mask);
void core_jobs_presig_lost(cctsa_core *c, unsigned set_mask)
{
	for (size_t i = 0; i < SESS_MAX; i++) {
		core_job *j = &c->jobs[i];

		if (j->used && j->sess == NULL && j->waiting == set_mask &&
		    core_presig_pending(c, set_mask) == 0) {
			j->bad_sets |= 1u << set_index(set_mask);
			j->waiting = 0;
			j->tries++;
			core_job_attempt(c, j);
		}
	}
}

static core_job *job_new(cctsa_core *c)
{
	for (size_t i = 0; i < SESS_MAX; i++) {
		if (!c->jobs[i].used) {
			memset(&c->jobs[i], 0, sizeof c->jobs[i]);
			c->jobs[i].used = 1;
			return &c->jobs[i];
		}
	}
	return NULL;
}

cctsa_err core_job_start_csr(cctsa_core *c)
{
	core_job *job = job_new(c);

	if (job == NULL) {
		return CCTSA_E_RESOURCE;
	}
	job->kind = JOB_CSR;
	core_job_attempt(c, job);
	return CCTSA_OK;
}

static int policy_ok(const cctsa_core *c, const uint8_t *p, size_t len)
{
	if ((len == c->pol_default_len && cctsa_memcmp_var(p, c->pol_default, len) == 0) ||
	    (len == c->pol_pq_len && cctsa_memcmp_var(p, c->pol_pq, len) == 0)) {
		return 1;
	}
	for (size_t i = 0; i < c->n_allowed; i++) {
		if (len == c->allowed_len[i] && cctsa_memcmp_var(p, c->allowed[i], len) == 0) {
			return 1;
		}
	}
	return 0;
}

void cctsa_core_timestamp(cctsa_core *c, const cctsa_tsp_req *req, int pq, cctsa_core_ts_cb cb, void *ctx)
{
	int64_t now;
	uint32_t bound;
	core_job *job;

	if (c->key_state == CCTSA_CORE_KEY_RETIRED) {
		c->failures++;
		result(cb, ctx, CCTSA_TSP_STATUS_REJECTION, CCTSA_TSP_FAIL_SYSTEM_FAILURE, "key retired", NULL, 0, 1);
		return;
	}
	if ((c->state != CCTSA_CORE_ACTIVE && c->state != CCTSA_CORE_DEGRADED) ||
	    c->key_state != CCTSA_CORE_KEY_ACTIVE) {
		c->failures++;
		result(cb, ctx, CCTSA_TSP_STATUS_REJECTION, CCTSA_TSP_FAIL_SYSTEM_FAILURE,
		       "the cluster cannot sign now", NULL, 0, 1);
		return;
	}
	if (req->policy_len != 0 && !policy_ok(c, req->policy, req->policy_len)) {
		result(cb, ctx, CCTSA_TSP_STATUS_REJECTION, CCTSA_TSP_FAIL_UNACCEPTED_POLICY,
		       "requested policy not accepted", NULL, 0, 0);
		return;
	}
	if (!core_time(c, &now, &bound)) {
		c->failures++;
		result(cb, ctx, CCTSA_TSP_STATUS_REJECTION, CCTSA_TSP_FAIL_TIME_NOT_AVAILABLE,
		       "trusted time not available", NULL, 0, 1);
		return;
	}
	job = job_new(c);
	if (job == NULL) {
		c->failures++;
		result(cb, ctx, CCTSA_TSP_STATUS_REJECTION, CCTSA_TSP_FAIL_SYSTEM_FAILURE, "node busy", NULL, 0, 1);
		return;
	}
	job->kind = JOB_TST;
	job->req = *req;
	job->pq = pq || (req->policy_len == c->pol_pq_len && cctsa_memcmp_var(req->policy, c->pol_pq,
									       c->pol_pq_len) == 0);
	job->cb = cb;
	job->ctx = ctx;
	core_job_attempt(c, job);
}

cctsa_err core_audit_token(cctsa_core *c, const core_sign_req *r, const uint8_t *tok, size_t len);
cctsa_err core_audit_token(cctsa_core *c, const core_sign_req *r, const uint8_t *tok, size_t len)
{
	char serial[2 * CCTSA_CORE_SERIAL_LEN + 1], imp[2 * CCTSA_TSP_IMPRINT_MAX + 1], hs[97];
	char pol[CCTSA_DER_OID_TEXT_MAX];
	uint8_t h[48];
	json_t *o, *set;
	int64_t now;
	uint32_t bound;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_hex_encode(serial, sizeof serial, r->serial, sizeof r->serial));
	CCTSA_TRY(cctsa_hex_encode(imp, sizeof imp, r->req.imprint, r->req.imprint_len));
	CCTSA_TRY(core_sha384(h, tok, len, NULL, 0));
	CCTSA_TRY(cctsa_hex_encode(hs, sizeof hs, h, sizeof h));
	CCTSA_TRY(core_policy_text(pol, sizeof pol, r->policy, r->policy_len));
	set = json_array();
	for (unsigned j = 0; j < CORE_N && set != NULL; j++) {
		if (r->set_mask & (1u << j)) {
			json_array_append_new(set, json_integer(j));
		}
	}
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:o, s:s, s:b, s:i}", "serial", serial, "gen_time_ms",
		      (json_int_t)r->gen_time_ms, "hash", cctsa_tsp_hash_name(r->req.hash), "imprint", imp,
		      "policy", pol, "signing_set", set, "token_sha384", hs, "pq", r->pq != 0, "coordinator",
		      (int)c->id);
	CCTSA_ENSURE(o != NULL, CCTSA_E_RESOURCE);
	if (!core_time(c, &now, &bound) || now < r->gen_time_ms) {
		now = r->gen_time_ms;
	}
	if ((uint64_t)now < c->audit_last_ms) { /* records never go back in time */
		now = (int64_t)c->audit_last_ms;
	}
	err = cctsa_audit_append(c->audit, (uint64_t)now, "tsa.token", o, NULL, NULL);
	json_decref(o);
	if (err == CCTSA_OK) {
		c->audit_last_ms = (uint64_t)now;
	}
out:
	return err;
}
