/*
 * core: the bytes a signing job signs, rebuilt deterministically from its fields by
 * the coordinator and by every participant (capturing signers: the builders run with
 * a signer that records the message and returns a placeholder), and the final
 * assembly with the threshold signatures (a signer that checks it is asked to sign
 * exactly the captured bytes and returns the real signature).
 *   JOB_TST: msg_e / msg_m = the DER signed attributes of the ECDSA / ML-DSA
 *            SignerInfo of the token for (request fields, policy, serial, genTime,
 *            accuracy, pq) built with cctsa_tsp_token_build and this node's certificates.
 *   JOB_CSR: msg_e / msg_m = the CertificationRequestInfo of the ECDSA / ML-DSA CSR
 *            (TSA subject, both TSA policies, the binding extension of this node).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>

#include "cctsa/der.h"
#include "core_int.h"

typedef struct {
	cctsa_buf *cap;        /* capture: record msg here */
	const uint8_t *expect; /* assemble: msg must equal this */
	size_t expect_len;
	const uint8_t *sig;    /* what to return (NULL: placeholder) */
	size_t sig_len;
	size_t dummy_len;
} cap_ctx;

static cctsa_err cap_sign(void *ctx, cctsa_buf *sig, const uint8_t *msg, size_t msg_len, cctsa_diag *diag)
{
	static const uint8_t der_dummy[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
	cap_ctx *cc = ctx;
	cctsa_err err = CCTSA_OK;

	if (cc->cap != NULL) {
		cc->cap->len = 0;
		CCTSA_TRY(cctsa_buf_put(cc->cap, msg, msg_len));
	}
	if (cc->expect != NULL && (msg_len != cc->expect_len || cctsa_memcmp_var(msg, cc->expect, msg_len) != 0)) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "core: signed bytes changed between capture and assembly");
	}
	if (cc->sig != NULL) {
		CCTSA_TRY(cctsa_buf_put(sig, cc->sig, cc->sig_len));
	} else if (cc->dummy_len == 0) {
		CCTSA_TRY(cctsa_buf_put(sig, der_dummy, sizeof der_dummy));
	} else {
		CCTSA_TRY(cctsa_buf_reserve(sig, cc->dummy_len));
		memset(sig->data + sig->len, 0x5a, cc->dummy_len);
		sig->len += cc->dummy_len;
	}
out:
	return err;
}

/* The tsp signer shape: the TSTInfo is implied by the fields this job rebuilds from. */
static cctsa_err cap_sign_tsp(void *ctx, cctsa_buf *sig, const uint8_t *msg, size_t msg_len, const uint8_t *tst,
			      size_t tst_len, cctsa_diag *diag)
{
	(void)tst;
	(void)tst_len;
	return cap_sign(ctx, sig, msg, msg_len, diag);
}

cctsa_err core_mldsa_spki(cctsa_buf *out, const uint8_t pk[CCTSA_TMLDSA_PK_LEN])
{
	cctsa_err err = CCTSA_OK;
	size_t m1, m2;

	out->len = 0;
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m1));
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m2));
	CCTSA_TRY(cctsa_der_put_oid_text(out, CCTSA_OID_MLDSA65));
	CCTSA_TRY(cctsa_der_end(out, m2));
	CCTSA_TRY(cctsa_der_put_bits(out, pk, CCTSA_TMLDSA_PK_LEN, 0));
	CCTSA_TRY(cctsa_der_end(out, m1));
out:
	return err;
}

cctsa_err core_policy_text(char *out, size_t cap, const uint8_t *oid, size_t len)
{
	return cctsa_der_oid_to_text(out, cap, oid, len);
}

static void tsp_signer(cctsa_tsp_signer *s, cctsa_tsp_sigalg alg, const cctsa_buf *cert, const cctsa_buf *chain,
		       cap_ctx *cc)
{
	s->alg = alg;
	s->cert = cert->data;
	s->cert_len = cert->len;
	s->chain = chain->data;
	s->chain_len = chain->len;
	s->sign = cap_sign_tsp;
	s->sign_ctx = cc;
}

static cctsa_err build_tst(cctsa_core *c, const core_sign_req *r, cap_ctx *ce, cap_ctx *cm, cctsa_buf *token,
			   cctsa_diag *diag)
{
	cctsa_tsp_signer se, sm;
	cctsa_tsp_issue is;

	if (c->cert_e.len == 0 || c->cert_m.len == 0) {
		return cctsa_fail(diag, CCTSA_E_STATE, "core: no certificates installed");
	}
	memset(&is, 0, sizeof is);
	is.policy = r->policy;
	is.policy_len = r->policy_len;
	memcpy(is.serial, r->serial, sizeof r->serial);
	is.serial_len = sizeof r->serial;
	is.gen_time_ms = r->gen_time_ms;
	is.accuracy_ms = r->accuracy_ms;
	tsp_signer(&se, CCTSA_TSP_SIG_ECDSA_P384, &c->cert_e, &c->ca_e, ce);
	tsp_signer(&sm, CCTSA_TSP_SIG_MLDSA65, &c->cert_m, &c->ca_m, cm);
	return cctsa_tsp_token_build(token, &r->req, &is, r->pq ? &sm : &se, r->pq ? &se : &sm, diag);
}

static cctsa_err build_csrs(cctsa_core *c, cap_ctx *ce, cap_ctx *cm, cctsa_buf *out_e, cctsa_buf *out_m,
			    cctsa_diag *diag)
{
	char p1[CCTSA_DER_OID_TEXT_MAX], p2[CCTSA_DER_OID_TEXT_MAX];
	const char *pols[3] = {p1, p2, NULL};
	cctsa_x509_binding b;
	cctsa_signer se, sm;
	cctsa_buf name, bind;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&name, 0);
	cctsa_buf_init(&bind, 0);
	CCTSA_TRY(core_policy_text(p1, sizeof p1, c->pol_default, c->pol_default_len));
	CCTSA_TRY(core_policy_text(p2, sizeof p2, c->pol_pq, c->pol_pq_len));
	CCTSA_TRY(cctsa_x509_name_write(&name, c->tsa_org, c->tsa_cn));
	CCTSA_TRY(core_binding(c, &b));
	CCTSA_TRY(cctsa_x509_binding_encode(&bind, &b));
	se = (cctsa_signer){CCTSA_SIG_ECDSA_P384_SHA384, c->spki_e.data, c->spki_e.len, cap_sign, ce};
	sm = (cctsa_signer){CCTSA_SIG_MLDSA65, c->spki_m.data, c->spki_m.len, cap_sign, cm};
	CCTSA_TRY(cctsa_x509_csr_build(out_e, name.data, name.len, pols, bind.data, bind.len, &se, diag));
	CCTSA_TRY(cctsa_x509_csr_build(out_m, name.data, name.len, pols, bind.data, bind.len, &sm, diag));
out:
	cctsa_buf_free(&name);
	cctsa_buf_free(&bind);
	return err;
}

cctsa_err core_job_messages(cctsa_core *c, const core_sign_req *r, cctsa_buf *msg_e, cctsa_buf *msg_m,
			    cctsa_diag *diag)
{
	cap_ctx ce = {msg_e, NULL, 0, NULL, 0, 96}, cm = {msg_m, NULL, 0, NULL, 0, CCTSA_TMLDSA_SIG_LEN};
	cctsa_buf t1, t2;
	cctsa_err err;

	cctsa_buf_init(&t1, 0);
	cctsa_buf_init(&t2, 0);
	if (r->kind == JOB_TST) {
		err = build_tst(c, r, &ce, &cm, &t1, diag);
	} else {
		ce.dummy_len = 0;
		err = build_csrs(c, &ce, &cm, &t1, &t2, diag);
	}
	cctsa_buf_free(&t1);
	cctsa_buf_free(&t2);
	return err;
}

/* DER Ecdsa-Sig-Value -> r || s (48 + 48). */
static cctsa_err der_to_raw(uint8_t raw[96], const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *br, *bs;
	int ok;

	if (sig == NULL) {
		return CCTSA_E_MALFORMED;
	}
	ECDSA_SIG_get0(sig, &br, &bs);
	ok = p == der + len && BN_bn2binpad(br, raw, 48) == 48 && BN_bn2binpad(bs, raw + 48, 48) == 48;
	ECDSA_SIG_free(sig);
	return ok ? CCTSA_OK : CCTSA_E_MALFORMED;
}

cctsa_err core_job_assemble(cctsa_core *c, const core_sign_req *r, const uint8_t *der_e, size_t der_e_len,
			    const uint8_t *sig_m, cctsa_buf *out_e, cctsa_buf *out_m, cctsa_diag *diag)
{
	cap_ctx ce = {NULL, r->msg_e, r->msg_e_len, der_e, der_e_len, 0};
	cap_ctx cm = {NULL, r->msg_m, r->msg_m_len, sig_m, CCTSA_TMLDSA_SIG_LEN, 0};
	uint8_t raw[96];
	cctsa_err err;

	if (r->kind == JOB_CSR) {
		return build_csrs(c, &ce, &cm, out_e, out_m, diag);
	}
	err = der_to_raw(raw, der_e, der_e_len);
	if (err != CCTSA_OK) {
		return cctsa_fail(diag, err, "core: combined ECDSA signature does not decode");
	}
	ce.sig = raw;
	ce.sig_len = sizeof raw;
	return build_tst(c, r, &ce, &cm, out_e, diag);
}
