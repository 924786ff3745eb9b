/*
 * core: the end of a successful attempt at the coordinator. Combines the ML-DSA
 * signature (a failed combination — no repetition passed — is retried with fresh
 * round-1 states and the same set) and the ECDSA signature, verifies both against
 * the group keys, assembles the token (or the CSRs), appends the audit record with
 * fsync and only then returns the token.
 */
#include <string.h>

#include "core_int.h"

void core_job_done(cctsa_core *c, core_sess *s);
void core_job_attempt_failed(cctsa_core *c, core_sess *s, int blame_set);
cctsa_err core_audit_token(cctsa_core *c, const core_sign_req *r, const uint8_t *tok, size_t len);

cctsa_err core_sess_mldsa_retry(cctsa_core *c, core_sess *s, cctsa_diag *diag);

/* ECDSA once per job (the shares are released once); then ML-DSA for this attempt. */
static cctsa_err combine(cctsa_core *c, core_sess *s, uint8_t *sig_m, cctsa_diag *diag)
{
	const uint8_t *shp[3];
	cctsa_tecdsa_fault f;
	unsigned k = 0, rep;
	cctsa_err err = CCTSA_OK;

	if (s->der_e_len == 0) {
		for (unsigned j = 0; j < CORE_N; j++) {
			if (s->r.set_mask & (1u << j)) {
				shp[k++] = s->shares[j];
			}
		}
		CCTSA_TRY(cctsa_tecdsa_combine(c->te, s->r.pid, s->digest, 1, shp, s->der_e, &s->der_e_len, &f,
					       diag));
		err = cctsa_x509_sig_verify(CCTSA_SIG_ECDSA_P384_SHA384, c->spki_e.data, c->spki_e.len, s->r.msg_e,
					    s->r.msg_e_len, s->der_e, s->der_e_len, diag);
		if (err != CCTSA_OK) {
			s->der_e_len = 0;
			return CCTSA_E_CRYPTO;
		}
	}
	CCTSA_TRY(cctsa_tmldsa_combine(s->cb, sig_m, &rep, diag));
	err = cctsa_x509_sig_verify(CCTSA_SIG_MLDSA65, c->spki_m.data, c->spki_m.len, s->r.msg_m, s->r.msg_m_len,
				    sig_m, CCTSA_TMLDSA_SIG_LEN, diag);
	if (err != CCTSA_OK) {
		return CCTSA_E_CRYPTO;
	}
out:
	return err;
}

void core_job_done(cctsa_core *c, core_sess *s)
{
	core_job *job = s->job;
	uint8_t sig_m[CCTSA_TMLDSA_SIG_LEN];
	cctsa_core_ts_result res;
	cctsa_buf oe, om;
	cctsa_diag diag;
	cctsa_err err;

	cctsa_diag_reset(&diag);
	err = combine(c, s, sig_m, &diag);
	if (err == CCTSA_E_VERIFY && s->der_e_len != 0) {
		/* ML-DSA found no repetition (normal): another attempt, same set and message. */
		c->reattempts++;
		if (core_sess_mldsa_retry(c, s, &diag) != CCTSA_OK) {
			core_job_attempt_failed(c, s, 1);
		}
		return;
	}
	if (err != CCTSA_OK) {
		core_job_attempt_failed(c, s, 1);
		return;
	}
	cctsa_buf_init(&oe, 0);
	cctsa_buf_init(&om, 0);
	err = core_job_assemble(c, &s->r, s->der_e, s->der_e_len, sig_m, &oe, &om, &diag);
	if (err == CCTSA_OK && job->kind == JOB_TST) {
		err = core_audit_token(c, &s->r, oe.data, oe.len);
		if (err != CCTSA_OK) {
			cctsa_core_fail(c); /* no durable record: this node must not sign again */
		}
	}
	if (job->kind == JOB_CSR) {
		memset(job, 0, sizeof *job);
		core_sess_end(c, s);
		core_dkg_signed(c, oe.data, oe.len, om.data, om.len, err, "CSR assembly failed");
	} else {
		cctsa_core_ts_cb cb = job->cb;
		void *ctx = job->ctx;

		memset(job, 0, sizeof *job);
		if (c->state != CCTSA_CORE_FAILED) {
			core_sess_end(c, s);
		}
		memset(&res, 0, sizeof res);
		res.status = err == CCTSA_OK ? CCTSA_TSP_STATUS_GRANTED : CCTSA_TSP_STATUS_REJECTION;
		res.fail_bit = err == CCTSA_OK ? 0xff : CCTSA_TSP_FAIL_SYSTEM_FAILURE;
		res.text = err == CCTSA_OK ? NULL : "token could not be recorded";
		res.token = err == CCTSA_OK ? oe.data : NULL;
		res.token_len = err == CCTSA_OK ? oe.len : 0;
		if (err == CCTSA_OK) {
			c->tokens++;
		} else {
			c->failures++;
		}
		if (cb != NULL) {
			cb(ctx, &res);
		}
	}
	cctsa_buf_free(&oe);
	cctsa_buf_free(&om);
}
