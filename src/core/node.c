/* core: the node object, its state machine, message dispatch and deferral. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "cctsa/der.h"
#include "core_int.h"

static const char *const state_names[] = {
	"booting", "attesting", "synchronizing", "waiting-for-dkg", "dkg",
	"awaiting-certificates", "active", "degraded", "halted", "failed"};
static const char *const key_names[] = {"uninitialized", "dkg", "pending", "active", "retired"};

const char *cctsa_core_state_name(cctsa_core_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

const char *cctsa_core_key_state_name(cctsa_core_key_state s)
{
	return (unsigned)s < sizeof(key_names) / sizeof(key_names[0]) ? key_names[s] : "?";
}

unsigned core_popcount(unsigned m)
{
	return (unsigned)__builtin_popcount(m);
}

cctsa_err core_sha384(uint8_t out[48], const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned n = 0;
	int ok = m != NULL && EVP_DigestInit_ex(m, EVP_sha384(), NULL) == 1 &&
		 EVP_DigestUpdate(m, a, al) == 1 && (bl == 0 || EVP_DigestUpdate(m, b, bl) == 1) &&
		 EVP_DigestFinal_ex(m, out, &n) == 1 && n == 48;

	EVP_MD_CTX_free(m);
	return ok ? CCTSA_OK : CCTSA_E_CRYPTO;
}

cctsa_err core_send(cctsa_core *c, unsigned to, uint8_t type, const uint8_t *p, size_t len)
{
	cctsa_err err;

	if (to >= CORE_N || to == c->id) {
		return CCTSA_E_USAGE;
	}
	if (!(c->up & (1u << to))) {
		return CCTSA_E_IO;
	}
	err = c->tr.send(c->tr.ctx, to, type, p, len);
	return err;
}

int core_time(cctsa_core *c, int64_t *ms, uint32_t *bound)
{
	return c->clock.now(c->clock.ctx, ms, bound) == CCTSA_OK;
}

void core_set_state(cctsa_core *c, cctsa_core_state s)
{
	c->state = s;
}

/* Derives active / degraded / halted from reachability and the key state. */
void core_update_state(cctsa_core *c)
{
	unsigned n = core_popcount(c->up);

	if (c->state != CCTSA_CORE_ACTIVE && c->state != CCTSA_CORE_DEGRADED &&
	    c->state != CCTSA_CORE_HALTED) {
		return;
	}
	if (c->key_state != CCTSA_CORE_KEY_ACTIVE || n < CCTSA_CORE_THRESHOLD) {
		c->state = CCTSA_CORE_HALTED;
	} else if (n == CORE_N) {
		c->state = CCTSA_CORE_ACTIVE;
	} else {
		c->state = CCTSA_CORE_DEGRADED;
	}
}

static cctsa_err oid_copy(uint8_t *dst, size_t *dst_len, const char *dotted, cctsa_diag *diag)
{
	if (dotted == NULL || cctsa_der_oid_encode(dst, CCTSA_TSP_OID_MAX, dst_len, dotted) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "core: bad policy OID");
	}
	return CCTSA_OK;
}

static cctsa_err config_copy(cctsa_core *c, const cctsa_core_config *cfg, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	size_t plen;

	if (cfg->id >= CORE_N || cfg->transport.send == NULL || cfg->clock.now == NULL ||
	    cfg->audit_path == NULL || cfg->tsa_cn == NULL || cfg->platform == NULL) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "core: incomplete configuration");
	}
	plen = strlen(cfg->platform);
	if (plen == 0 || plen > CCTSA_BINDING_PLATFORM_MAX) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "core: bad platform name");
	}
	c->id = cfg->id;
	c->tr = cfg->transport;
	c->clock = cfg->clock;
	c->tolerance_ms = cfg->tolerance_ms ? cfg->tolerance_ms : 100;
	c->max_latency_ms = cfg->max_latency_ms ? cfg->max_latency_ms : 1000;
	c->budget = cfg->mldsa_budget ? cfg->mldsa_budget : CCTSA_TMLDSA_DEFAULT_BUDGET;
	c->presign_per_set = cfg->presign_per_set;
	c->mldsa_pool = cfg->mldsa_pool < PRE_POOL_MAX ? cfg->mldsa_pool : PRE_POOL_MAX;
	memcpy(c->platform, cfg->platform, plen + 1);
	memcpy(c->measurement, cfg->measurement, sizeof c->measurement);
	c->min_tcb = cfg->min_tcb;
	c->tsa_cn = cctsa_mem_strdup(cfg->tsa_cn);
	c->tsa_org = cfg->tsa_org ? cctsa_mem_strdup(cfg->tsa_org) : NULL;
	CCTSA_ENSURE(c->tsa_cn != NULL && (cfg->tsa_org == NULL || c->tsa_org != NULL), CCTSA_E_RESOURCE);
	CCTSA_TRY(oid_copy(c->pol_default, &c->pol_default_len,
			   cfg->policy_default ? cfg->policy_default : CCTSA_OID_POLICY_DEFAULT, diag));
	CCTSA_TRY(oid_copy(c->pol_pq, &c->pol_pq_len, cfg->policy_pq ? cfg->policy_pq : CCTSA_OID_POLICY_PQ,
			   diag));
	for (size_t i = 0; i < CCTSA_CORE_MAX_POLICIES && cfg->allowed[i] != NULL; i++) {
		CCTSA_TRY(oid_copy(c->allowed[i], &c->allowed_len[i], cfg->allowed[i], diag));
		c->n_allowed = i + 1;
	}
out:
	return err;
}

cctsa_err cctsa_core_new(cctsa_core **out, const cctsa_core_config *cfg, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_core *c = cctsa_mem_alloc(sizeof *c);

	*out = NULL;
	if (c == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "core: out of memory");
	}
	cctsa_buf_init(&c->spki_e, 0);
	cctsa_buf_init(&c->spki_m, 0);
	cctsa_buf_init(&c->cert_e, 0);
	cctsa_buf_init(&c->cert_m, 0);
	cctsa_buf_init(&c->ca_e, 0);
	cctsa_buf_init(&c->ca_m, 0);
	CCTSA_TRY(config_copy(c, cfg, diag));
	c->up = 1u << c->id;
	CCTSA_TRY(cctsa_x509_key_generate(&c->ident, CCTSA_SIG_ECDSA_P384_SHA384, diag));
	CCTSA_TRY(cctsa_audit_open(&c->audit, cfg->audit_path, diag));
	c->state = CCTSA_CORE_BOOTING;
	*out = c;
	return CCTSA_OK;
out:
	cctsa_core_free(c);
	return err;
}

static void drop_keys(cctsa_core *c)
{
	for (size_t i = 0; i < SESS_MAX; i++) {
		core_sess_free(&c->sess[i]);
	}
	for (size_t i = 0; i < PRESIG_MAX; i++) {
		core_presig_drop(&c->presig[i]);
	}
	for (size_t i = 0; i < c->n_pre; i++) {
		cctsa_tmldsa_pre_free(c->pre_pool[i]);
		c->pre_pool[i] = NULL;
	}
	c->n_pre = 0;
	core_dkg_free(c->dkg);
	c->dkg = NULL;
	cctsa_tecdsa_party_free(c->te);
	c->te = NULL;
	cctsa_tmldsa_share_free(c->tm);
	c->tm = NULL;
}

void cctsa_core_free(cctsa_core *c)
{
	if (c == NULL) {
		return;
	}
	drop_keys(c);
	for (size_t i = 0; i < DEFER_MAX; i++) {
		cctsa_mem_free(c->defer[i].data);
	}
	cctsa_x509_key_free(c->ident);
	cctsa_audit_close(c->audit);
	cctsa_buf_free(&c->spki_e);
	cctsa_buf_free(&c->spki_m);
	cctsa_buf_free(&c->cert_e);
	cctsa_buf_free(&c->cert_m);
	cctsa_buf_free(&c->ca_e);
	cctsa_buf_free(&c->ca_m);
	cctsa_mem_free(c->tsa_org);
	cctsa_mem_free(c->tsa_cn);
	cctsa_wipe(c, sizeof *c);
	cctsa_mem_free(c);
}

cctsa_core_state cctsa_core_state_get(const cctsa_core *c)
{
	return c->state;
}

cctsa_core_key_state cctsa_core_key_state_get(const cctsa_core *c)
{
	return c->key_state;
}

cctsa_err cctsa_core_boot_attesting(cctsa_core *c)
{
	if (c->state != CCTSA_CORE_BOOTING) {
		return CCTSA_E_STATE;
	}
	c->state = CCTSA_CORE_ATTESTING;
	return CCTSA_OK;
}

cctsa_err cctsa_core_boot_attested(cctsa_core *c)
{
	if (c->state != CCTSA_CORE_BOOTING && c->state != CCTSA_CORE_ATTESTING) {
		return CCTSA_E_STATE;
	}
	c->state = CCTSA_CORE_SYNCHRONIZING;
	return CCTSA_OK;
}

cctsa_err cctsa_core_boot_synced(cctsa_core *c)
{
	if (c->state != CCTSA_CORE_SYNCHRONIZING) {
		return CCTSA_E_STATE;
	}
	c->state = CCTSA_CORE_WAITING_FOR_DKG;
	return CCTSA_OK;
}

void cctsa_core_fail(cctsa_core *c)
{
	c->state = CCTSA_CORE_FAILED;
	drop_keys(c);
}

void cctsa_core_set_preferred_set(cctsa_core *c, unsigned mask)
{
	c->preferred_set = mask;
}

void cctsa_core_peer_up(cctsa_core *c, unsigned peer)
{
	if (peer < CORE_N) {
		c->up |= 1u << peer;
		core_update_state(c);
	}
}

void cctsa_core_peer_down(cctsa_core *c, unsigned peer)
{
	if (peer >= CORE_N || peer == c->id) {
		return;
	}
	c->up &= ~(1u << peer);
	if (c->dkg != NULL) {
		core_dkg_abort(c, "a node left during the DKG");
	}
	core_pool_fail_peer(c, peer);
	core_sess_fail_peer(c, peer);
	core_update_state(c);
}

static cctsa_err dispatch(cctsa_core *c, unsigned from, uint8_t type, const uint8_t *p, size_t len,
			  cctsa_diag *diag)
{
	if (type >= CCTSA_CORE_MSG_DKG_START && type <= CCTSA_CORE_MSG_DKG_DONE) {
		return core_dkg_on_message(c, from, type, p, len, diag);
	}
	if (type >= CCTSA_CORE_MSG_PRESIGN_START && type <= CCTSA_CORE_MSG_PRESIGN_DONE) {
		return core_pool_on_message(c, from, type, p, len, diag);
	}
	return core_sign_on_message(c, from, type, p, len, diag);
}

static cctsa_err defer_add(cctsa_core *c, unsigned from, uint8_t type, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < DEFER_MAX; i++) {
		core_deferred *d = &c->defer[i];

		if (d->data == NULL) {
			d->data = cctsa_mem_dup(p, len);
			if (d->data == NULL) {
				return CCTSA_E_RESOURCE;
			}
			d->from = (uint8_t)from;
			d->type = type;
			d->len = len;
			d->deadline = c->now_ms + SESSION_TIMEOUT_MS;
			return CCTSA_OK;
		}
	}
	return CCTSA_E_RESOURCE;
}

/* Replays deferred messages until none makes progress. */
static void defer_replay(cctsa_core *c)
{
	int progress = 1;

	while (progress) {
		progress = 0;
		for (size_t i = 0; i < DEFER_MAX; i++) {
			core_deferred *d = &c->defer[i];
			cctsa_err err;

			if (d->data == NULL) {
				continue;
			}
			err = dispatch(c, d->from, d->type, d->data, d->len, NULL);
			if (err == CORE_DEFER) {
				continue;
			}
			cctsa_mem_free(d->data);
			d->data = NULL;
			progress = 1;
		}
	}
}

cctsa_err cctsa_core_on_message(cctsa_core *c, unsigned from, uint8_t type, const uint8_t *payload,
				size_t len, cctsa_diag *diag)
{
	cctsa_err err;

	if (from >= CORE_N || from == c->id) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "core: message from bad peer %u", from);
	}
	err = cctsa_core_msg_check(type, payload, len, diag);
	if (err != CCTSA_OK) {
		return err;
	}
	if (c->state == CCTSA_CORE_FAILED) {
		return cctsa_fail(diag, CCTSA_E_STATE, "core: node failed");
	}
	err = dispatch(c, from, type, payload, len, diag);
	if (err == CORE_DEFER) {
		err = defer_add(c, from, type, payload, len);
		if (err != CCTSA_OK) {
			return cctsa_fail(diag, err, "core: deferral queue full");
		}
		return CCTSA_OK;
	}
	defer_replay(c);
	core_jobs_requeue_kick(c);
	return err;
}

void cctsa_core_tick(cctsa_core *c, int64_t now_ms)
{
	c->now_ms = now_ms;
	for (size_t i = 0; i < DEFER_MAX; i++) {
		if (c->defer[i].data != NULL && c->defer[i].deadline < now_ms) {
			cctsa_mem_free(c->defer[i].data);
			c->defer[i].data = NULL;
		}
	}
	core_sess_expire(c);
	core_pool_expire(c);
	core_dkg_expire(c);
	core_pool_refill(c);
	defer_replay(c);
	core_jobs_requeue_kick(c);
}

/* Locked memory of this process (kB line VmLck of /proc/self/status), in bytes; 0 if unknown. */
static uint64_t locked_bytes(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	unsigned long long kb = 0;

	if (f == NULL) {
		return 0;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmLck:", 6) == 0 && sscanf(line + 6, "%llu", &kb) == 1) {
			break;
		}
	}
	fclose(f);
	return (uint64_t)kb * 1024u;
}

void cctsa_core_status_get(const cctsa_core *c, cctsa_core_status *st)
{
	uint64_t used = 0, budget = 0;

	memset(st, 0, sizeof *st);
	st->state = c->state;
	st->key_state = c->key_state;
	st->reachable = core_popcount(c->up);
	st->key_epoch = c->epoch;
	if (c->tm != NULL) {
		cctsa_tmldsa_share_attempts(c->tm, &used, &budget);
		st->mldsa_attempts_left = budget - used;
	}
	st->presigs = c->te != NULL ? cctsa_tecdsa_presign_count(c->te, NULL) : 0;
	st->mldsa_pre = c->n_pre;
	st->tokens = c->tokens;
	st->failures = c->failures;
	st->refusals = c->refusals;
	st->retries = c->retries;
	st->alloc_failures = c->alloc_failures;
	st->secret_bytes_locked = locked_bytes();
	memcpy(st->transcript_hash, c->th, sizeof st->transcript_hash);
}

/* Cluster state as the reference design names it (healthy 5 / degraded 4 / critical 3). */
static const char *cluster_status(const cctsa_core_status *st)
{
	int signing = st->key_state == CCTSA_CORE_KEY_ACTIVE &&
		      (st->state == CCTSA_CORE_ACTIVE || st->state == CCTSA_CORE_DEGRADED);

	if (!signing || st->reachable < CCTSA_CORE_THRESHOLD) {
		return "unavailable";
	}
	return st->reachable == CORE_N ? "healthy" : st->reachable == CORE_N - 1 ? "degraded" : "critical";
}

cctsa_err cctsa_core_status_json(const cctsa_core *c, cctsa_buf *out)
{
	cctsa_err err = CCTSA_OK;
	cctsa_core_status st;
	char meas[2 * CCTSA_CORE_HASH_LEN + 1];
	const char *sep = "", *cs;
	int64_t now;
	uint32_t bound;
	int synced = c->clock.now(c->clock.ctx, &now, &bound) == CCTSA_OK;

	cctsa_core_status_get(c, &st);
	cs = cluster_status(&st);
	CCTSA_TRY(cctsa_hex_encode(meas, sizeof meas, c->measurement, sizeof c->measurement));
	CCTSA_TRY(cctsa_buf_printf(out, "{\"ok\":true,\"node\":%u,\"node_id\":%u,\"status\":\"%s\",\"state\":\"%s\","
					"\"key_state\":\"%s\",\"attested\":%s,\"quorum_available\":%s,\"nodes_reachable\":%u,"
					"\"peers_attested\":[",
				   c->id, c->id, cs, cctsa_core_state_name(st.state), cctsa_core_key_state_name(st.key_state),
				   st.state >= CCTSA_CORE_SYNCHRONIZING ? "true" : "false",
				   st.reachable >= CCTSA_CORE_THRESHOLD ? "true" : "false", st.reachable));
	for (unsigned i = 0; i < CORE_N; i++) {
		if (i != c->id && (c->up & (1u << i))) {
			CCTSA_TRY(cctsa_buf_printf(out, "%s%u", sep, i));
			sep = ",";
		}
	}
	CCTSA_TRY(cctsa_buf_printf(out, "],\"time_synced\":%s,\"time_bound_ms\":%u,\"key_epoch\":\"%016llx\","
					"\"measurement\":\"%s\","
					"\"pools\":{\"ecdsa_presignatures\":%zu,\"mldsa_round1\":%zu},"
					"\"mldsa_attempts_left\":%llu,\"tokens\":%llu,\"failures\":%llu,"
					"\"refusals\":%llu,\"retries\":%llu,\"alloc_failures\":%llu,"
					"\"secret_bytes_locked\":%llu}",
				   synced ? "true" : "false", synced ? bound : 0, (unsigned long long)st.key_epoch, meas,
				   st.presigs, st.mldsa_pre, (unsigned long long)st.mldsa_attempts_left,
				   (unsigned long long)st.tokens, (unsigned long long)st.failures,
				   (unsigned long long)st.refusals, (unsigned long long)st.retries,
				   (unsigned long long)st.alloc_failures, (unsigned long long)st.secret_bytes_locked));
out:
	return err;
}
