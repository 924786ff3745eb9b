/*
 * Relying-party verification: response status, the outer token, the companion
 * token (same TSTInfo bytes), imprint and nonce against the query or the data,
 * and the verdict of DESIGN.md §3 / issue 2:
 *   FULLY VERIFIED          ECDSA and ML-DSA tokens both valid
 *   CLASSICALLY VERIFIED    classical token valid, no ML-DSA companion (or none checkable)
 *   POST-QUANTUM VERIFIED   ML-DSA token valid, no classical token beside it
 *   WARNING                 one valid, the other present and invalid
 *   REJECT                  anything else
 */
#include <openssl/pem.h>
#include <stdarg.h>
#include <string.h>

#include "tsp_check.h"

const char *cctsa_tsp_verdict_name(cctsa_tsp_verdict v)
{
	switch (v) {
	case CCTSA_TSP_FULLY_VERIFIED: return "FULLY VERIFIED";
	case CCTSA_TSP_CLASSICALLY_VERIFIED: return "CLASSICALLY VERIFIED";
	case CCTSA_TSP_PQ_VERIFIED: return "POST-QUANTUM VERIFIED";
	case CCTSA_TSP_WARNING: return "WARNING";
	default: return "REJECT";
	}
}

static void say(cctsa_buf *report, const char *fmt, ...) CCTSA_PRINTF(2, 3);
static void say(cctsa_buf *report, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (report == NULL) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (cctsa_buf_put_str(report, line) != CCTSA_OK) {
		return; /* the report is best effort; the verdict does not depend on it */
	}
}

static cctsa_err env_load(tsp_env *env, const cctsa_tsp_verify_opts *o, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;

	memset(env, 0, sizeof(*env));
	cctsa_buf_init(&env->extra_buf, 0);
	cctsa_buf_init(&env->pq_buf, 0);
	if (o->ca_classical_pem != NULL) {
		cctsa_der_elem ca[TSP_ENV_CERTS_MAX];
		size_t n;
		cctsa_buf buf;
		env->store = X509_STORE_new();
		CCTSA_ENSURE(env->store != NULL, CCTSA_E_RESOURCE);
		err = cctsa_tsp_load_certs(&buf, ca, TSP_ENV_CERTS_MAX, &n, o->ca_classical_pem, diag);
		for (size_t i = 0; err == CCTSA_OK && i < n; i++) {
			const unsigned char *p = ca[i].der;
			X509 *x = d2i_X509(NULL, &p, (long)ca[i].der_len);
			if (x == NULL || X509_STORE_add_cert(env->store, x) != 1) {
				err = cctsa_fail(diag, CCTSA_E_MALFORMED, "bad CA certificate in %s",
						 o->ca_classical_pem);
			}
			X509_free(x);
		}
		cctsa_buf_free(&buf);
		CCTSA_TRY(err);
	}
	if (o->ca_mldsa_pem != NULL) {
		CCTSA_TRY(cctsa_tsp_load_certs(&env->pq_buf, env->pq_ca, TSP_ENV_CERTS_MAX, &env->npq_ca,
					       o->ca_mldsa_pem, diag));
	}
	if (o->binding_json != NULL) {
		cctsa_buf j;
		CCTSA_TRY(cctsa_file_read(&j, o->binding_json, 1u << 16, diag));
		err = cctsa_x509_binding_from_json(&env->binding, (const char *)j.data, j.len, diag);
		cctsa_buf_free(&j);
		CCTSA_TRY(err);
		env->have_binding = 1;
	}
	if (o->untrusted_pem != NULL) {
		CCTSA_TRY(cctsa_tsp_load_certs(&env->extra_buf, env->extra, TSP_ENV_CERTS_MAX,
					       &env->nextra, o->untrusted_pem, diag));
	}
out:
	return err;
}

static void env_free(tsp_env *env)
{
	X509_STORE_free(env->store);
	cctsa_buf_free(&env->extra_buf);
	cctsa_buf_free(&env->pq_buf);
}

/* Imprint (and nonce, policy) against the query or the data. */
static int imprint_ok(const tsp_tstinfo_view *ti, const cctsa_tsp_verify_opts *o, const char **why)
{
	const cctsa_tsp_req *q = o->query;
	uint8_t md[64];
	size_t mdl;

	if (q != NULL) {
		if (!cctsa_der_oid_is(ti->hash_alg.val, ti->hash_alg.val_len, cctsa_tsp_hash_oid(q->hash)) ||
		    ti->imprint_len != q->imprint_len ||
		    cctsa_memcmp_var(ti->imprint, q->imprint, q->imprint_len) != 0) {
			*why = "message imprint differs from the query";
			return 0;
		}
		if (q->nonce_len != 0 && (ti->nonce.der == NULL || ti->nonce.val_len != q->nonce_len ||
					  cctsa_memcmp_var(ti->nonce.val, q->nonce, q->nonce_len) != 0)) {
			*why = "nonce differs from the query";
			return 0;
		}
		if (q->policy_len != 0 && (ti->policy.val_len != q->policy_len ||
					   cctsa_memcmp_var(ti->policy.val, q->policy, q->policy_len) != 0)) {
			*why = "policy differs from the one requested";
			return 0;
		}
		return 1;
	}
	if (o->have_data) {
		for (int h = CCTSA_TSP_HASH_SHA256; h <= CCTSA_TSP_HASH_SHA3_512; h++) {
			if (cctsa_der_oid_is(ti->hash_alg.val, ti->hash_alg.val_len, cctsa_tsp_hash_oid(h)) &&
			    cctsa_tsp_digest(cctsa_tsp_hash_name(h), md, &mdl, o->data, o->data_len) == CCTSA_OK &&
			    mdl == ti->imprint_len && cctsa_memcmp_var(md, ti->imprint, mdl) == 0) {
				return 1;
			}
		}
		*why = "message imprint does not match the data (or its hash is not accepted)";
		return 0;
	}
	*why = "neither query nor data given";
	return 0;
}

/* Name DER a equals Name DER b (RFC 5280 comparison through OpenSSL). */
static int name_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	const unsigned char *pa = a, *pb = b;
	X509_NAME *na = d2i_X509_NAME(NULL, &pa, (long)an), *nb = d2i_X509_NAME(NULL, &pb, (long)bn);
	int eq = na != NULL && nb != NULL && X509_NAME_cmp(na, nb) == 0;

	X509_NAME_free(na);
	X509_NAME_free(nb);
	return eq;
}

static int names_signer(const cctsa_der_elem *dn, const tsp_check *c)
{
	tsp_cert tc;

	return c->signer.der != NULL &&
	       cctsa_tsp_cert_parse(&tc, c->signer.der, c->signer.der_len, NULL) == CCTSA_OK &&
	       name_eq(dn->der, dn->der_len, tc.subject.der, tc.subject.der_len);
}

/*
 * The TSTInfo tsa field, when it is a directoryName, must name the signer of
 * one of the two tokens (both carry the same TSTInfo, so it names the TSA once).
 */
static int tsa_name_ok(const tsp_tstinfo_view *ti, const tsp_check *a, const tsp_check *b)
{
	cctsa_cursor c, gn;
	cctsa_der_elem dn;

	if (ti->tsa.der == NULL) {
		return 1;
	}
	cctsa_cursor_init(&c, ti->tsa.val, ti->tsa.val_len);
	if (!cctsa_der_peek(&c, CCTSA_DER_CTX_CONS(4))) {
		return 1; /* another GeneralName form: not compared */
	}
	if (cctsa_der_enter(&c, CCTSA_DER_CTX_CONS(4), &gn, NULL) != CCTSA_OK ||
	    cctsa_der_expect(&gn, CCTSA_DER_SEQUENCE, &dn, NULL) != CCTSA_OK) {
		return 0;
	}
	return names_signer(&dn, a) || names_signer(&dn, b);
}

/* The signer's certificate carries the expected measurement binding (DESIGN.md §3). */
static void check_binding(tsp_check *c, const tsp_env *env)
{
	cctsa_x509_cert xc;
	cctsa_x509_binding got;
	cctsa_diag d;

	if (!env->have_binding || !c->ok) {
		return;
	}
	cctsa_diag_reset(&d);
	c->ok = 0;
	if (cctsa_x509_cert_parse(&xc, c->signer.der, c->signer.der_len, &d) != CCTSA_OK ||
	    xc.binding == NULL) {
		snprintf(c->why, sizeof(c->why), "signer certificate carries no measurement binding");
	} else if (cctsa_x509_binding_decode(&got, xc.binding, xc.binding_len, &d) != CCTSA_OK ||
		   cctsa_x509_binding_compare(&env->binding, &got, &d) != CCTSA_OK) {
		snprintf(c->why, sizeof(c->why), "measurement binding: %.160s", d.msg);
	} else {
		c->ok = 1;
	}
}

static cctsa_tsp_verdict decide(const tsp_check *cls, const tsp_check *pq)
{
	if (cls->ok && pq->ok) {
		return CCTSA_TSP_FULLY_VERIFIED;
	}
	if (cls->ok) {
		return pq->present ? CCTSA_TSP_WARNING : CCTSA_TSP_CLASSICALLY_VERIFIED;
	}
	if (pq->ok) {
		return cls->present ? CCTSA_TSP_WARNING : CCTSA_TSP_PQ_VERIFIED;
	}
	return CCTSA_TSP_REJECT;
}

static void report_check(cctsa_buf *report, const tsp_check *c)
{
	if (c->present) {
		say(report, "%s token: %s\n", c->pq ? "ML-DSA-65" : "classical",
		    c->ok ? "signature, attributes and certificate path OK" : c->why);
	}
}

/* Checks the outer token and its companion; fills cls/pq by algorithm. */
static void check_tokens(tsp_check *cls, tsp_check *pq, const tsp_token_view *outer,
			 const tsp_env *env, cctsa_buf *report)
{
	tsp_token_view inner;
	tsp_check a, b;
	cctsa_diag d;

	memset(&b, 0, sizeof(b));
	(void)cctsa_tsp_check_token(&a, outer, env);
	if (outer->signer.companion.der != NULL) {
		cctsa_diag_reset(&d);
		if (cctsa_tsp_view_token(&inner, outer->signer.companion.der,
					 outer->signer.companion.der_len, &d) != CCTSA_OK) {
			b.present = 1;
			b.pq = !a.pq;
			snprintf(b.why, sizeof(b.why), "companion token does not parse: %.160s", d.msg);
		} else if (inner.tstinfo.val_len != outer->tstinfo.val_len ||
			   cctsa_memcmp_var(inner.tstinfo.val, outer->tstinfo.val, inner.tstinfo.val_len) != 0) {
			(void)cctsa_tsp_check_token(&b, &inner, env);
			b.ok = 0;
			snprintf(b.why, sizeof(b.why), "companion token carries a different TSTInfo");
		} else {
			(void)cctsa_tsp_check_token(&b, &inner, env);
		}
		if (b.present && b.pq == a.pq) {
			b.ok = 0;
			snprintf(b.why, sizeof(b.why), "companion uses the same algorithm family as the outer token");
		}
	}
	if (b.present && b.pq && env->npq_ca == 0) {
		say(report, "ML-DSA-65 companion token present but not checked (no ML-DSA CA given)\n");
		b.present = 0;
	}
	if (!tsa_name_ok(&a.ti, &a, &b)) {
		tsp_check *both[2] = {&a, &b};
		for (int i = 0; i < 2; i++) {
			if (both[i]->ok) {
				both[i]->ok = 0;
				snprintf(both[i]->why, sizeof(both[i]->why), "TSTInfo tsa name is not a signer's subject");
			}
		}
	}
	check_binding(&a, env);
	check_binding(&b, env);
	*cls = a.pq ? b : a;
	*pq = a.pq ? a : b;
	report_check(report, &a);
	report_check(report, &b);
}

static cctsa_err verify_resp(cctsa_tsp_verdict *verdict, cctsa_buf *report, const uint8_t *der,
			     size_t len, const cctsa_tsp_verify_opts *o, const tsp_env *env)
{
	tsp_resp_view rv;
	tsp_token_view tv;
	tsp_check cls, pq;
	const tsp_tstinfo_view *ti;
	const char *why = NULL;
	cctsa_diag d;

	cctsa_diag_reset(&d);
	if (cctsa_tsp_view_resp(&rv, der, len, &d) != CCTSA_OK) {
		say(report, "response does not parse: %s\n", d.msg);
		return CCTSA_OK;
	}
	if (rv.status > CCTSA_TSP_STATUS_GRANTED_WITH_MODS || rv.token.der == NULL) {
		say(report, "response status is not granted (%s)\n",
		    rv.status == CCTSA_TSP_STATUS_REJECTION ? "rejection" : "no token");
		return CCTSA_OK;
	}
	if (cctsa_tsp_view_token(&tv, rv.token.der, rv.token.der_len, &d) != CCTSA_OK) {
		say(report, "token does not parse: %s\n", d.msg);
		return CCTSA_OK;
	}
	check_tokens(&cls, &pq, &tv, env, report);
	ti = cls.ok ? &cls.ti : &pq.ti;
	if ((cls.ok || pq.ok) && !imprint_ok(ti, o, &why)) {
		say(report, "%s\n", why);
		return CCTSA_OK;
	}
	*verdict = decide(&cls, &pq);
	return CCTSA_OK;
}

cctsa_err cctsa_tsp_verify(cctsa_tsp_verdict *verdict, cctsa_buf *report, const uint8_t *der,
			   size_t len, const cctsa_tsp_verify_opts *opts, cctsa_diag *diag)
{
	tsp_env env;
	cctsa_err err;

	*verdict = CCTSA_TSP_REJECT;
	if (opts == NULL || (opts->query == NULL && !opts->have_data)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "verify: a query or the data is required");
	}

	err = env_load(&env, opts, diag);
	if (err == CCTSA_OK) {
		err = verify_resp(verdict, report, der, len, opts, &env);
	}
	env_free(&env);
	return err;
}
