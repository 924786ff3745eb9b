/*
 * core: threshold signing sessions. One session = one attempt by a signing set of
 * three nodes (the coordinator and two peers) to sign the two messages of a job
 * (ECDSA: one online round with a pooled presignature; ML-DSA: three rounds,
 * cmt -> W -> Z, frames exchanged directly between the members, round-1 states from
 * the pool). Members release their ECDSA share together with their round-3 frame.
 * The coordinator combines both, verifies both, and finishes the job.
 */
#include <string.h>

#include "core_int.h"

static core_sess *sess_find(cctsa_core *c, const uint8_t job_id[JOB_ID_LEN])
{
	for (size_t i = 0; i < SESS_MAX; i++) {
		if (c->sess[i].used && cctsa_memcmp_var(c->sess[i].r.job_id, job_id, JOB_ID_LEN) == 0) {
			return &c->sess[i];
		}
	}
	return NULL;
}

static core_sess *sess_slot(cctsa_core *c)
{
	for (size_t i = 0; i < SESS_MAX; i++) {
		if (!c->sess[i].used) {
			return &c->sess[i];
		}
	}
	return NULL;
}

void core_sess_free(core_sess *s)
{
	cctsa_tmldsa_signer_free(s->sg);
	cctsa_tmldsa_pre_free(s->pre);
	cctsa_tmldsa_combiner_free(s->cb);
	cctsa_mem_free(s->payload);
	cctsa_wipe(s, sizeof *s);
}

static unsigned others_in(const cctsa_core *c, const core_sess *s)
{
	return s->r.set_mask & ~(1u << c->id);
}

void core_sess_end(cctsa_core *c, core_sess *s)
{
	if (s->job != NULL) {
		for (unsigned j = 0; j < CORE_N; j++) {
			if ((others_in(c, s) & (1u << j)) &&
			    core_send(c, j, CCTSA_CORE_MSG_SIGN_END, s->r.job_id, JOB_ID_LEN) != CCTSA_OK) {
				/* gone: its session expires or died with it */
			}
		}
	}
	core_sess_free(s);
}

static cctsa_err send_others(cctsa_core *c, core_sess *s, uint8_t type, const uint8_t *frame, size_t len)
{
	cctsa_err err = CCTSA_OK;
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	CCTSA_TRY(cctsa_buf_put(&b, s->r.job_id, JOB_ID_LEN));
	CCTSA_TRY(cctsa_buf_put(&b, frame, len));
	for (unsigned j = 0; j < CORE_N; j++) {
		if (others_in(c, s) & (1u << j)) {
			CCTSA_TRY(core_send(c, j, type, b.data, b.len));
		}
	}
out:
	cctsa_buf_free(&b);
	return err;
}

static cctsa_err send_job(cctsa_core *c, unsigned to, core_sess *s, uint8_t type, const uint8_t *p, size_t len)
{
	cctsa_err err = CCTSA_OK;
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	CCTSA_TRY(cctsa_buf_put(&b, s->r.job_id, JOB_ID_LEN));
	CCTSA_TRY(cctsa_buf_put(&b, p, len));
	CCTSA_TRY(core_send(c, to, type, b.data, b.len));
out:
	cctsa_buf_free(&b);
	return err;
}

void core_job_attempt(cctsa_core *c, core_job *job);
void core_job_done(cctsa_core *c, core_sess *s);
void core_job_attempt_failed(cctsa_core *c, core_sess *s, int blame_set);
void core_job_busy(cctsa_core *c, core_sess *s);

/* The ML-DSA part of an attempt: fresh round-1 state, session under the current nonce. */
static cctsa_err part_mldsa(cctsa_core *c, core_sess *s, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_buf f;

	cctsa_buf_init(&f, 0);
	cctsa_tmldsa_signer_free(s->sg);
	cctsa_tmldsa_pre_free(s->pre);
	cctsa_tmldsa_combiner_free(s->cb);
	s->sg = NULL;
	s->pre = NULL;
	s->cb = NULL;
	s->got_cmt = s->got_w = 0;
	s->got_z &= ~((1u << CORE_N) - 1);
	s->sent_w = s->sent_z = 0;
	s->ts.act = s->r.set_mask;
	s->ts.msg = s->r.msg_m;
	s->ts.msg_len = s->r.msg_m_len;
	memcpy(s->ts.nonce, s->r.nonce, sizeof s->ts.nonce);
	CCTSA_TRY(cctsa_tmldsa_session_id(s->ssid, c->mpk, &s->ts));
	CCTSA_TRY(core_pre_take(c, &s->pre));
	CCTSA_TRY(cctsa_tmldsa_signer_new(&s->sg, &f, c->tm, s->pre, &s->ts, diag));
	s->deadline = c->now_ms + SESSION_TIMEOUT_MS;
	if (s->job != NULL) {
		CCTSA_TRY(cctsa_tmldsa_combiner_new(&s->cb, c->mpk, &s->ts, diag));
		CCTSA_TRY(cctsa_tmldsa_combiner_recv(s->cb, f.data, f.len, diag));
	}
	CCTSA_TRY(send_others(c, s, CCTSA_CORE_MSG_TM_SIGN, f.data, f.len));
out:
	cctsa_buf_free(&f);
	return err;
}

/* Member's first step: the ECDSA digest, then the ML-DSA round-1 frame out. */
static cctsa_err part_begin(cctsa_core *c, core_sess *s, cctsa_diag *diag)
{
	cctsa_err err = core_sha384(s->digest, s->r.msg_e, s->r.msg_e_len, NULL, 0);

	return err != CCTSA_OK ? err : part_mldsa(c, s, diag);
}

static void retire(cctsa_core *c)
{
	c->key_state = CCTSA_CORE_KEY_RETIRED;
	core_update_state(c);
}

static int budget_left(const cctsa_core *c)
{
	uint64_t used, budget;

	cctsa_tmldsa_share_attempts(c->tm, &used, &budget);
	return used < budget;
}

/* Round 3 and the ECDSA share: the point of no return for this member. */
static cctsa_err part_round3(cctsa_core *c, core_sess *s, cctsa_diag *diag)
{
	uint8_t share[CCTSA_TECDSA_SHARE_LEN];
	cctsa_err err = CCTSA_OK;
	cctsa_buf f;

	cctsa_buf_init(&f, 0);
	if (!budget_left(c)) {
		retire(c);
		return cctsa_fail(diag, CCTSA_E_STATE, "core: ML-DSA attempt budget spent");
	}
	CCTSA_TRY(cctsa_tmldsa_signer_round3(s->sg, &f, diag));
	s->sent_z = 1;
	if (!s->share_done) { /* the ECDSA share goes once per job, with the first Z */
		s->share_done = 1;
		CCTSA_TRY(cctsa_tecdsa_sign_share(c->te, s->r.pid, s->digest, 1, share, diag));
		if (s->job != NULL) {
			memcpy(s->shares[c->id], share, sizeof share);
			s->got_share |= 1u << c->id;
		} else {
			CCTSA_TRY(send_job(c, s->r.coord, s, CCTSA_CORE_MSG_SIGN_SHARE, share, sizeof share));
		}
	}
	if (s->job != NULL) {
		s->got_z |= 1u << c->id;
		CCTSA_TRY(cctsa_tmldsa_combiner_recv(s->cb, f.data, f.len, diag));
	} else {
		CCTSA_TRY(send_job(c, s->r.coord, s, CCTSA_CORE_MSG_TM_SIGN, f.data, f.len));
	}
out:
	cctsa_wipe(share, sizeof share);
	cctsa_buf_free(&f);
	if (!budget_left(c)) {
		retire(c);
	}
	return err;
}

static cctsa_err part_progress(cctsa_core *c, core_sess *s, cctsa_diag *diag)
{
	unsigned oth = others_in(c, s);
	cctsa_err err = CCTSA_OK;
	cctsa_buf f;

	cctsa_buf_init(&f, 0);
	if (!s->sent_w && s->got_cmt == oth) {
		CCTSA_TRY(cctsa_tmldsa_signer_round2(s->sg, &f, diag));
		s->sent_w = 1;
		if (s->cb != NULL) {
			CCTSA_TRY(cctsa_tmldsa_combiner_recv(s->cb, f.data, f.len, diag));
		}
		CCTSA_TRY(send_others(c, s, CCTSA_CORE_MSG_TM_SIGN, f.data, f.len));
	}
	if (s->sent_w && !s->sent_z && s->got_w == oth) {
		CCTSA_TRY(part_round3(c, s, diag));
	}
out:
	cctsa_buf_free(&f);
	return err;
}

static void refuse(cctsa_core *c, unsigned to, const uint8_t job_id[JOB_ID_LEN], unsigned reason)
{
	uint8_t p[JOB_ID_LEN + 1];

	memcpy(p, job_id, JOB_ID_LEN);
	p[JOB_ID_LEN] = (uint8_t)reason;
	c->refusals++;
	if (core_send(c, to, CCTSA_CORE_MSG_SIGN_REFUSE, p, sizeof p) != CCTSA_OK) {
		/* the coordinator is gone: nothing to tell */
	}
}

static int replay_seen(const core_replay *w, uint64_t n)
{
	if (n + REPLAY_WINDOW <= w->top && w->top >= REPLAY_WINDOW) {
		return 1; /* too old to tell: refused */
	}
	if (n > w->top) {
		return 0;
	}
	return (int)((w->bits[(n % REPLAY_WINDOW) / 64] >> (n % 64)) & 1);
}

static void replay_mark(core_replay *w, uint64_t n)
{
	while (w->top < n) {
		w->top++;
		w->bits[(w->top % REPLAY_WINDOW) / 64] &= ~((uint64_t)1 << (w->top % 64));
		if (n - w->top > REPLAY_WINDOW) {
			memset(w->bits, 0, sizeof w->bits);
			w->top = n - REPLAY_WINDOW;
		}
	}
	w->bits[(n % REPLAY_WINDOW) / 64] |= (uint64_t)1 << (n % 64);
}

static int policy_allowed(const cctsa_core *c, const uint8_t *p, size_t len)
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

static unsigned check_tst(cctsa_core *c, const core_sign_req *r, uint64_t *counter, cctsa_diag *diag)
{
	int64_t now, d;
	uint32_t bound;
	uint64_t ep = 0;

	if ((c->state != CCTSA_CORE_ACTIVE && c->state != CCTSA_CORE_DEGRADED) ||
	    c->key_state != CCTSA_CORE_KEY_ACTIVE) {
		cctsa_fail(diag, CCTSA_E_STATE, "core: not signing in state %s", cctsa_core_state_name(c->state));
		return REFUSE_STATE;
	}
	if (!core_time(c, &now, &bound)) {
		cctsa_fail(diag, CCTSA_E_STATE, "core: no trusted time to check genTime");
		return REFUSE_TIME;
	}
	/* Ahead of this clock: at most the tolerance. Behind: the tolerance plus the
	 * session latency (the request was built before it travelled and queued). */
	d = r->gen_time_ms - now;
	if (d > (int64_t)c->tolerance_ms || -d > (int64_t)c->tolerance_ms + (int64_t)c->max_latency_ms) {
		cctsa_fail(diag, CCTSA_E_VERIFY, "core: genTime off by %lld ms (tolerance %u + %u)", (long long)d,
			   c->tolerance_ms, c->max_latency_ms);
		return REFUSE_TIME;
	}
	*counter = 0;
	for (int i = 0; i < 8; i++) {
		ep = (ep << 8) | r->serial[i];
		*counter = (*counter << 8) | r->serial[9 + i];
	}
	if (ep != c->epoch || r->serial[8] != r->coord || *counter == 0 || replay_seen(&c->replay[r->coord], *counter)) {
		cctsa_fail(diag, CCTSA_E_VERIFY, "core: serial outside node %u's range or already seen", r->coord);
		return REFUSE_SERIAL;
	}
	if (!policy_allowed(c, r->policy, r->policy_len)) {
		cctsa_fail(diag, CCTSA_E_VERIFY, "core: policy not allowed");
		return REFUSE_POLICY;
	}
	return 0;
}

unsigned core_refuse_check(cctsa_core *c, unsigned from, const core_sign_req *r, cctsa_diag *diag)
{
	uint64_t counter = 0;
	core_presig *p;
	unsigned why = 0;
	cctsa_buf me, mm;

	if (r->coord != from || !(r->set_mask & (1u << c->id))) {
		cctsa_fail(diag, CCTSA_E_STATE, "core: signing request not for this node");
		return REFUSE_STATE;
	}
	if (r->kind == JOB_TST) {
		why = check_tst(c, r, &counter, diag);
	} else if (c->state != CCTSA_CORE_AWAITING_CERTIFICATES || c->key_state != CCTSA_CORE_KEY_PENDING) {
		cctsa_fail(diag, CCTSA_E_STATE, "core: CSR signing only while awaiting certificates");
		why = REFUSE_STATE;
	}
	if (why != 0) {
		return why;
	}
	p = core_presig_find(c, r->pid);
	if (p == NULL || !p->ready || p->set_mask != r->set_mask || p->initiator != r->coord) {
		cctsa_fail(diag, CCTSA_E_STATE, "core: unknown presignature");
		return REFUSE_PRESIG;
	}
	if (c->tm == NULL || !budget_left(c)) {
		cctsa_fail(diag, CCTSA_E_STATE, "core: ML-DSA attempt budget spent");
		return REFUSE_BUDGET;
	}
	cctsa_buf_init(&me, 0);
	cctsa_buf_init(&mm, 0);
	if (core_job_messages(c, r, &me, &mm, diag) != CCTSA_OK || me.len != r->msg_e_len ||
	    mm.len != r->msg_m_len || cctsa_memcmp_var(me.data, r->msg_e, me.len) != 0 ||
	    cctsa_memcmp_var(mm.data, r->msg_m, mm.len) != 0) {
		cctsa_fail(diag, CCTSA_E_VERIFY, "core: bytes to sign are not the signed attributes of the fields");
		why = REFUSE_MISMATCH;
	}
	cctsa_buf_free(&me);
	cctsa_buf_free(&mm);
	if (why == 0 && r->kind == JOB_TST) {
		replay_mark(&c->replay[r->coord], counter);
	}
	return why;
}

static cctsa_err on_sign_req(cctsa_core *c, unsigned from, const uint8_t *p, size_t len, cctsa_diag *diag)
{
	core_sign_req r;
	core_sess *s;
	unsigned why;

	if (core_sign_req_decode(&r, p, len, diag) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	if (sess_find(c, r.job_id) != NULL) {
		return CCTSA_E_STATE;
	}
	if (core_live_sessions(c) >= LIVE_MAX || (s = sess_slot(c)) == NULL) {
		refuse(c, from, r.job_id, REFUSE_BUSY); /* before the checks: nothing consumed */
		return CCTSA_OK;
	}
	why = core_refuse_check(c, from, &r, diag);
	core_presig_release(c, from, r.pid); /* single use here too, whatever the outcome */
	if (why != 0) {
		refuse(c, from, r.job_id, why);
		return CCTSA_OK;
	}
	s->used = 1;
	s->payload = cctsa_mem_dup(p, len);
	s->payload_len = len;
	if (s->payload == NULL || core_sign_req_decode(&s->r, s->payload, len, diag) != CCTSA_OK ||
	    part_begin(c, s, diag) != CCTSA_OK) {
		refuse(c, from, r.job_id, REFUSE_PROTOCOL);
		core_sess_free(s);
	}
	return CCTSA_OK;
}

static cctsa_err on_frame(cctsa_core *c, unsigned from, core_sess *s, const uint8_t *f, size_t len,
			  cctsa_diag *diag)
{
	cctsa_tmldsa_frame fr;
	unsigned bit = 1u << from;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_tmldsa_frame_decode(&fr, f, len, NULL, diag));
	CCTSA_ENSURE(fr.sender == from && (others_in(c, s) & bit), CCTSA_E_STATE);
	if (cctsa_memcmp_var(fr.ssid, s->ssid, sizeof s->ssid) != 0) {
		/* A member's frame of the next ML-DSA attempt before the coordinator's retry. */
		return s->job == NULL && s->sent_z ? CORE_DEFER : CCTSA_E_STATE;
	}
	if (fr.type == CCTSA_TMLDSA_MSG_SIGN_Z) {
		CCTSA_ENSURE(s->cb != NULL && !(s->got_z & bit), CCTSA_E_STATE);
		CCTSA_TRY(cctsa_tmldsa_combiner_recv(s->cb, f, len, diag));
		s->got_z |= bit;
		return CCTSA_OK;
	}
	if (fr.type == CCTSA_TMLDSA_MSG_SIGN_W && !(s->got_cmt & bit)) {
		return CORE_DEFER;
	}
	CCTSA_TRY(cctsa_tmldsa_signer_recv(s->sg, f, len, diag));
	if (s->cb != NULL) {
		CCTSA_TRY(cctsa_tmldsa_combiner_recv(s->cb, f, len, diag));
	}
	if (fr.type == CCTSA_TMLDSA_MSG_SIGN_CMT) {
		s->got_cmt |= bit;
	} else {
		s->got_w |= bit;
	}
	CCTSA_TRY(part_progress(c, s, diag));
out:
	return err;
}

static void sess_step_failed(cctsa_core *c, core_sess *s, unsigned from)
{
	if (s->job != NULL) {
		core_job_attempt_failed(c, s, 1);
	} else {
		refuse(c, s->r.coord, s->r.job_id, REFUSE_PROTOCOL);
		core_sess_free(s);
	}
	(void)from;
}

/* A member: the coordinator asks for another ML-DSA attempt of the same job. */
static cctsa_err part_retry(cctsa_core *c, core_sess *s, const uint8_t nonce[32], cctsa_diag *diag)
{
	if (!s->sent_z || s->attempts >= MLDSA_TRIES || cctsa_memcmp_var(nonce, s->r.nonce, 32) == 0) {
		refuse(c, s->r.coord, s->r.job_id, REFUSE_PROTOCOL);
		core_sess_free(s);
		return CCTSA_E_STATE;
	}
	s->attempts++;
	memcpy(s->r.nonce, nonce, 32);
	if (part_mldsa(c, s, diag) != CCTSA_OK) {
		refuse(c, s->r.coord, s->r.job_id, REFUSE_PROTOCOL);
		core_sess_free(s);
	}
	return CCTSA_OK;
}

/* The coordinator: ECDSA is done, the ML-DSA combination found no repetition. */
cctsa_err core_sess_mldsa_retry(cctsa_core *c, core_sess *s, cctsa_diag *diag);
cctsa_err core_sess_mldsa_retry(cctsa_core *c, core_sess *s, cctsa_diag *diag)
{
	uint8_t nonce[32];
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(s->attempts < MLDSA_TRIES, CCTSA_E_STATE);
	s->attempts++;
	CCTSA_TRY(cctsa_rand_bytes(nonce, sizeof nonce));
	memcpy(s->r.nonce, nonce, sizeof nonce);
	CCTSA_TRY(send_others(c, s, CCTSA_CORE_MSG_TM_RETRY, nonce, sizeof nonce));
	CCTSA_TRY(part_mldsa(c, s, diag));
out:
	return err;
}

static void after_progress(cctsa_core *c, core_sess *s)
{
	if (s->job != NULL) {
		if (s->got_z == s->r.set_mask && s->got_share == s->r.set_mask) {
			core_job_done(c, s);
		}
	}
}

cctsa_err core_sign_on_message(cctsa_core *c, unsigned from, uint8_t type, const uint8_t *p, size_t len,
			       cctsa_diag *diag)
{
	core_sess *s;
	cctsa_err err;

	if (c->state == CCTSA_CORE_DKG) {
		return CORE_DEFER; /* the coordinator finished the DKG before this node did */
	}
	if (type == CCTSA_CORE_MSG_SIGN_REQ) {
		return on_sign_req(c, from, p, len, diag);
	}
	s = sess_find(c, p);
	if (s == NULL) {
		if (type == CCTSA_CORE_MSG_SIGN_END) {
			return CCTSA_OK; /* a job this node refused or already dropped */
		}
		return type == CCTSA_CORE_MSG_TM_SIGN ? CORE_DEFER : CCTSA_E_STATE;
	}
	if (type == CCTSA_CORE_MSG_SIGN_END || type == CCTSA_CORE_MSG_TM_RETRY) {
		if (s->job != NULL || from != s->r.coord) {
			return CCTSA_E_STATE;
		}
		if (type == CCTSA_CORE_MSG_SIGN_END) {
			core_sess_free(s);
			return CCTSA_OK;
		}
		return part_retry(c, s, p + JOB_ID_LEN, diag);
	}
	if (type == CCTSA_CORE_MSG_SIGN_REFUSE) {
		if (s->job == NULL || from >= CORE_N || !(others_in(c, s) & (1u << from))) {
			return CCTSA_E_STATE;
		}
		if (p[JOB_ID_LEN] == REFUSE_BUSY) {
			core_job_busy(c, s);
			return CCTSA_OK;
		}
		c->refusals++;
		if (p[JOB_ID_LEN] == REFUSE_BUDGET) {
			retire(c);
		}
		core_job_attempt_failed(c, s, 1);
		return CCTSA_OK;
	}
	if (type == CCTSA_CORE_MSG_SIGN_SHARE) {
		if (s->job == NULL || !(others_in(c, s) & (1u << from)) || (s->got_share & (1u << from))) {
			return CCTSA_E_STATE;
		}
		memcpy(s->shares[from], p + JOB_ID_LEN, CCTSA_TECDSA_SHARE_LEN);
		s->got_share |= 1u << from;
		after_progress(c, s);
		return CCTSA_OK;
	}
	err = on_frame(c, from, s, p + JOB_ID_LEN, len - JOB_ID_LEN, diag);
	if (err == CORE_DEFER) {
		return err;
	}
	if (err != CCTSA_OK) {
		sess_step_failed(c, s, from);
		return err;
	}
	after_progress(c, s);
	return CCTSA_OK;
}

void core_sess_fail_peer(cctsa_core *c, unsigned peer)
{
	for (size_t i = 0; i < SESS_MAX; i++) {
		core_sess *s = &c->sess[i];

		if (s->used && (s->r.set_mask & (1u << peer))) {
			if (s->job != NULL) {
				core_job_attempt_failed(c, s, 1);
			} else {
				core_sess_free(s);
			}
		}
	}
	for (size_t i = 0; i < SESS_MAX; i++) {
		core_job *j = &c->jobs[i];

		if (j->used && j->sess == NULL && j->waiting != 0 && (j->waiting & (1u << peer))) {
			j->waiting = 0;
			core_job_attempt(c, j);
		}
	}
}

unsigned core_live_sessions(const cctsa_core *c)
{
	unsigned n = 0;

	for (size_t i = 0; i < SESS_MAX; i++) {
		n += c->sess[i].used != 0;
	}
	return n;
}

void core_sess_expire(cctsa_core *c)
{
	for (size_t i = 0; i < SESS_MAX; i++) {
		core_sess *s = &c->sess[i];

		if (s->used && s->deadline != 0 && s->deadline < c->now_ms) {
			if (s->job != NULL) {
				core_job_attempt_failed(c, s, 1);
			} else {
				core_sess_free(s);
			}
		}
	}
}

/* Starts the member part of a coordinator's own session (after SIGN_REQ went out). */
cctsa_err core_sess_start_local(cctsa_core *c, core_sess *s, cctsa_diag *diag);
cctsa_err core_sess_start_local(cctsa_core *c, core_sess *s, cctsa_diag *diag)
{
	return part_begin(c, s, diag);
}

core_sess *core_sess_new(cctsa_core *c);
core_sess *core_sess_new(cctsa_core *c)
{
	core_sess *s = sess_slot(c);

	if (s != NULL) {
		memset(s, 0, sizeof *s);
		s->used = 1;
	}
	return s;
}
