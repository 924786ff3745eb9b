/*
 * core: background pools. ECDSA presignatures per signing set (a presigning session
 * among the set's three members, started by the node that will coordinate with it;
 * every member keeps the presignature in its tecdsa party under the same id) and
 * ML-DSA round-1 states (local to the node: they need neither message nor set).
 * Both are single-use and RAM-only.
 */
#include <string.h>

#include "core_int.h"

void core_set_members(unsigned mask, uint8_t set[3])
{
	unsigned k = 0;

	for (unsigned i = 0; i < CORE_N && k < 3; i++) {
		if (mask & (1u << i)) {
			set[k++] = (uint8_t)(i + 1);
		}
	}
}

void core_presig_drop(core_presig *p)
{
	cctsa_tecdsa_presign_free(p->s);
	memset(p, 0, sizeof *p);
}

core_presig *core_presig_find(cctsa_core *c, const uint8_t pid[32])
{
	for (size_t i = 0; i < PRESIG_MAX; i++) {
		if (c->presig[i].used && cctsa_memcmp_var(c->presig[i].pid, pid, 32) == 0) {
			return &c->presig[i];
		}
	}
	return NULL;
}

core_presig *core_presig_ready(cctsa_core *c, unsigned set_mask)
{
	for (size_t i = 0; i < PRESIG_MAX; i++) {
		core_presig *p = &c->presig[i];

		if (p->used && p->initiator == c->id && p->set_mask == set_mask && p->ready &&
		    p->done_mask == set_mask) {
			return p;
		}
	}
	return NULL;
}

int core_presig_pending(const cctsa_core *c, unsigned set_mask)
{
	int n = 0;

	for (size_t i = 0; i < PRESIG_MAX; i++) {
		const core_presig *p = &c->presig[i];

		n += p->used && p->initiator == c->id && p->set_mask == set_mask;
	}
	return n;
}

static core_presig *slot(cctsa_core *c)
{
	for (size_t i = 0; i < PRESIG_MAX; i++) {
		if (!c->presig[i].used) {
			return &c->presig[i];
		}
	}
	return NULL;
}

static cctsa_err pmsg_header(const uint8_t pid[32], uint8_t round, cctsa_buf *b)
{
	uint8_t hdr[33];

	memcpy(hdr, pid, 32);
	hdr[32] = round;
	b->len = 0;
	if (cctsa_buf_put(b, hdr, sizeof hdr) != CCTSA_OK) {
		return CCTSA_E_RESOURCE;
	}
	return CCTSA_OK;
}

/* Local half of a presigning session: new session, round-1 messages to the other two. */
static cctsa_err local_start(cctsa_core *c, core_presig *p, cctsa_diag *diag)
{
	uint8_t set[3];
	cctsa_err err = CCTSA_OK;
	cctsa_buf b;

	cctsa_buf_init(&b, 0);
	core_set_members(p->set_mask, set);
	err = cctsa_tecdsa_presign_new(&p->s, c->te, p->pid, set, diag);
	if (err == CCTSA_E_RESOURCE) {
		c->alloc_failures++; /* locked memory exhausted: the session fails now, never hangs */
	}
	CCTSA_TRY(err);
	p->deadline = c->now_ms + SESSION_TIMEOUT_MS;
	for (unsigned j = 0; j < CORE_N; j++) {
		if (j != c->id && (p->set_mask & (1u << j))) {
			CCTSA_TRY(pmsg_header(p->pid, 1, &b));
			CCTSA_TRY(cctsa_tecdsa_presign_msg1(p->s, (uint8_t)(j + 1), &b));
			CCTSA_TRY(core_send(c, j, CCTSA_CORE_MSG_PRESIGN_MSG, b.data, b.len));
		}
	}
out:
	cctsa_buf_free(&b);
	return err;
}

cctsa_err core_presign_start(cctsa_core *c, unsigned set_mask)
{
	core_presig *p = slot(c);
	uint8_t start[33];
	cctsa_err err = CCTSA_OK;

	if (p == NULL || c->te == NULL || !(set_mask & (1u << c->id)) || (set_mask & ~c->up)) {
		return CCTSA_E_STATE;
	}
	p->used = 1;
	p->set_mask = (uint8_t)set_mask;
	p->initiator = (uint8_t)c->id;
	p->done_mask = 1u << c->id;
	CCTSA_TRY(cctsa_rand_bytes(p->pid, 32));
	memcpy(start, p->pid, 32);
	start[32] = (uint8_t)set_mask;
	for (unsigned j = 0; j < CORE_N; j++) {
		if (j != c->id && (set_mask & (1u << j))) {
			CCTSA_TRY(core_send(c, j, CCTSA_CORE_MSG_PRESIGN_START, start, sizeof start));
		}
	}
	CCTSA_TRY(local_start(c, p, NULL));
out:
	if (err != CCTSA_OK) {
		core_presig_drop(p);
	}
	return err;
}

static void report(cctsa_core *c, core_presig *p, int ok)
{
	uint8_t done[33];

	if (p->initiator == c->id) {
		if (!ok) {
			core_presig_drop(p);
		}
		return;
	}
	memcpy(done, p->pid, 32);
	done[32] = (uint8_t)(ok != 0);
	if (core_send(c, p->initiator, CCTSA_CORE_MSG_PRESIGN_DONE, done, sizeof done) != CCTSA_OK) {
		/* the initiator is gone: its pool entry goes with it */
	}
	if (!ok) {
		core_presig_drop(p);
	}
}

void core_jobs_kick(cctsa_core *c);
void core_jobs_presig_lost(cctsa_core *c, unsigned set_mask);

static void refuse_start(cctsa_core *c, unsigned initiator, const uint8_t start[33])
{
	uint8_t done[33];

	memcpy(done, start, 32);
	done[32] = 0;
	if (core_send(c, initiator, CCTSA_CORE_MSG_PRESIGN_DONE, done, sizeof done) != CCTSA_OK) {
		/* the initiator is gone: its pool entry goes with it */
	}
}

static cctsa_err on_msg(cctsa_core *c, unsigned from, core_presig *p, const uint8_t *m, size_t len,
			uint8_t round, cctsa_diag *diag)
{
	unsigned bit = 1u << from, others = p->set_mask & ~(1u << c->id);
	cctsa_tecdsa_fault f;
	cctsa_err err = CCTSA_OK;
	cctsa_buf b;

	if (!(p->set_mask & bit) || p->s == NULL) {
		return CCTSA_E_STATE;
	}
	if (round == 2 && p->got1 != others) {
		return CORE_DEFER; /* round 2 needs every round-1 message first */
	}
	cctsa_buf_init(&b, 0);
	if (round == 1 && !(p->got1 & bit)) {
		CCTSA_TRY(cctsa_tecdsa_presign_recv1(p->s, m, len, &f, diag));
		if ((p->got1 |= bit) == others) {
			for (unsigned j = 0; j < CORE_N; j++) {
				if (others & (1u << j)) {
					CCTSA_TRY(pmsg_header(p->pid, 2, &b));
					CCTSA_TRY(cctsa_tecdsa_presign_msg2(p->s, (uint8_t)(j + 1), &b, &f, diag));
					CCTSA_TRY(core_send(c, j, CCTSA_CORE_MSG_PRESIGN_MSG, b.data, b.len));
				}
			}
		}
	} else if (round == 2 && !(p->got2 & bit)) {
		CCTSA_TRY(cctsa_tecdsa_presign_recv2(p->s, m, len, &f, diag));
		p->got2 |= bit;
		if (p->got2 == others) {
			CCTSA_TRY(cctsa_tecdsa_presign_finish(p->s, &f, diag));
			cctsa_tecdsa_presign_free(p->s);
			p->s = NULL;
			p->ready = 1;
			report(c, p, 1);
			if (p->initiator == c->id && p->done_mask == p->set_mask) {
				core_jobs_kick(c);
			}
		}
	} else {
		err = CCTSA_E_STATE;
	}
out:
	cctsa_buf_free(&b);
	if (err != CCTSA_OK && err != CCTSA_E_STATE) {
		report(c, p, 0);
	}
	return err;
}

cctsa_err core_pool_on_message(cctsa_core *c, unsigned from, uint8_t type, const uint8_t *p, size_t len,
			       cctsa_diag *diag)
{
	core_presig *e;

	if (c->key_state == CCTSA_CORE_KEY_DKG) {
		return CORE_DEFER; /* this node has not seen every DKG_DONE yet */
	}
	if (c->te == NULL || (c->key_state != CCTSA_CORE_KEY_ACTIVE && c->key_state != CCTSA_CORE_KEY_PENDING)) {
		return CCTSA_E_STATE;
	}
	e = core_presig_find(c, p);
	if (type == CCTSA_CORE_MSG_PRESIGN_START) {
		if (e != NULL || !(p[32] & (1u << from)) || !(p[32] & (1u << c->id))) {
			return CCTSA_E_STATE;
		}
		if ((e = slot(c)) == NULL) {
			refuse_start(c, from, p); /* the initiator drops it now instead of waiting */
			return CCTSA_E_RESOURCE;
		}
		e->used = 1;
		memcpy(e->pid, p, 32);
		e->set_mask = p[32];
		e->initiator = (uint8_t)from;
		if (local_start(c, e, diag) != CCTSA_OK) {
			report(c, e, 0);
			return CCTSA_E_STATE;
		}
		return CCTSA_OK;
	}
	if (type == CCTSA_CORE_MSG_PRESIGN_MSG) {
		return e == NULL ? CORE_DEFER : on_msg(c, from, e, p + 33, len - 33, p[32], diag);
	}
	if (e == NULL || e->initiator != c->id || !(e->set_mask & (1u << from))) {
		return CCTSA_E_STATE;
	}
	if (!p[32]) {
		unsigned m = e->set_mask;

		core_presig_drop(e);
		core_jobs_presig_lost(c, m);
		return CCTSA_OK;
	}
	e->done_mask |= 1u << from;
	if (e->ready && e->done_mask == e->set_mask) {
		core_jobs_kick(c);
	}
	return CCTSA_OK;
}

void core_pool_fail_peer(cctsa_core *c, unsigned peer)
{
	for (size_t i = 0; i < PRESIG_MAX; i++) {
		if (c->presig[i].used && (c->presig[i].set_mask & (1u << peer))) {
			core_presig_drop(&c->presig[i]);
		}
	}
}

/*
 * A member's copy of a presignature is released when the coordinator's SIGN_REQ
 * names it (single use, whatever the outcome), so member slots do not fill up.
 */
void core_presig_release(cctsa_core *c, unsigned initiator, const uint8_t pid[32])
{
	core_presig *p = core_presig_find(c, pid);

	if (p != NULL && p->initiator == initiator && p->initiator != c->id) {
		core_presig_drop(p);
	}
}

/*
 * Presigning sessions that have not finished by their deadline (a lost message, a
 * member that refused or dropped it) are dropped, and jobs waiting for one of them
 * try again at once, so that nothing waits for a presignature that cannot come.
 */
void core_pool_expire(cctsa_core *c)
{
	for (size_t i = 0; i < PRESIG_MAX; i++) {
		core_presig *p = &c->presig[i];

		if (p->used && p->deadline != 0 && p->deadline < c->now_ms &&
		    (p->s != NULL || (p->initiator == c->id && p->done_mask != p->set_mask))) {
			unsigned m = p->set_mask, mine = p->initiator == c->id;

			core_presig_drop(p);
			if (mine) {
				core_jobs_presig_lost(c, m);
			}
		}
	}
}

static int sessions_busy(const cctsa_core *c)
{
	for (size_t i = 0; i < SESS_MAX; i++) {
		if (c->sess[i].used) {
			return 1;
		}
	}
	return 0;
}

void core_pool_refill(cctsa_core *c)
{
	if (c->key_state != CCTSA_CORE_KEY_ACTIVE ||
	    (c->state != CCTSA_CORE_ACTIVE && c->state != CCTSA_CORE_DEGRADED) || sessions_busy(c)) {
		return;
	}
	for (size_t i = 0; i < PRESIG_MAX; i++) {
		if (c->presig[i].used && c->presig[i].s != NULL) {
			return; /* one presigning session at a time */
		}
	}
	for (unsigned k = 0; k < SIGSET_COUNT; k++) {
		unsigned m = cctsa_tmldsa_subset_mask(k);

		if ((m & (1u << c->id)) && (m & c->up) == m &&
		    (unsigned)core_presig_pending(c, m) < c->presign_per_set) {
			if (core_presign_start(c, m) != CCTSA_OK) {
				/* retried on a later tick */
			}
			return;
		}
	}
	if (c->n_pre < c->mldsa_pool && c->tm != NULL) {
		cctsa_err err = cctsa_tmldsa_pre_new(&c->pre_pool[c->n_pre], c->tm);

		if (err == CCTSA_OK) {
			c->n_pre++;
		} else if (err == CCTSA_E_RESOURCE) {
			c->alloc_failures++;
		}
	}
}

cctsa_err core_pre_take(cctsa_core *c, cctsa_tmldsa_pre **out)
{
	cctsa_err err;

	if (c->n_pre > 0) {
		*out = c->pre_pool[--c->n_pre];
		c->pre_pool[c->n_pre] = NULL;
		return CCTSA_OK;
	}
	err = cctsa_tmldsa_pre_new(out, c->tm);
	if (err == CCTSA_E_RESOURCE) {
		c->alloc_failures++;
	}
	return err;
}
