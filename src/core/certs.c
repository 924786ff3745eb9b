/* core: certificate installation and the public views (certificates, binding). */
#include <string.h>

#include "core_int.h"

typedef struct {
	cctsa_buf der;
	cctsa_x509_cert c;
} parsed;

static cctsa_err load(parsed *p, const uint8_t *in, size_t len, const char *what, cctsa_diag *diag)
{
	cctsa_err err;

	cctsa_buf_init(&p->der, 0);
	err = cctsa_x509_pem_to_der(&p->der, "CERTIFICATE", in, len, diag);
	if (err == CCTSA_OK) {
		err = cctsa_x509_cert_parse(&p->c, p->der.data, p->der.len, diag);
	}
	if (err != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "core: %s certificate does not parse", what);
	}
	return CCTSA_OK;
}

static cctsa_err check_leaf(const cctsa_core *c, const parsed *leaf, const parsed *root, const cctsa_buf *spki,
			    int64_t now_s, const char *what, cctsa_diag *diag)
{
	cctsa_x509_binding want, got;
	cctsa_err err;

	err = cctsa_x509_chain_verify(&leaf->c, NULL, 0, &root->c, now_s, CCTSA_X509_PURPOSE_TSA, diag);
	if (err != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "core: %s certificate chain: %s", what,
				  diag != NULL ? diag->msg : "failed");
	}
	if (leaf->c.spki_len != spki->len || cctsa_memcmp_var(leaf->c.spki, spki->data, spki->len) != 0) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "core: %s certificate is not for this cluster's key", what);
	}
	if (!leaf->c.eku_critical || leaf->c.eku_n != 1 || !leaf->c.eku_ts || leaf->c.binding == NULL) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "core: %s certificate lacks the TSA profile or binding", what);
	}
	if (cctsa_x509_binding_decode(&got, leaf->c.binding, leaf->c.binding_len, diag) != CCTSA_OK ||
	    core_binding(c, &want) != CCTSA_OK || cctsa_x509_binding_compare(&want, &got, diag) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "core: %s certificate binding differs from this node's", what);
	}
	return CCTSA_OK;
}

cctsa_err cctsa_core_install_certs(cctsa_core *c, const uint8_t *tsa_e, size_t le, const uint8_t *tsa_m, size_t lm,
				   const uint8_t *ca_e, size_t lce, const uint8_t *ca_m, size_t lcm, cctsa_diag *diag)
{
	parsed p[4];
	int64_t now;
	uint32_t bound;
	cctsa_err err = CCTSA_OK;

	memset(p, 0, sizeof p);
	if (c->state != CCTSA_CORE_AWAITING_CERTIFICATES || c->key_state != CCTSA_CORE_KEY_PENDING) {
		return cctsa_fail(diag, CCTSA_E_STATE, "core: not awaiting certificates (state %s)",
				  cctsa_core_state_name(c->state));
	}
	if (!core_time(c, &now, &bound)) {
		return cctsa_fail(diag, CCTSA_E_STATE, "core: no trusted time to check certificate validity");
	}
	CCTSA_TRY(load(&p[0], tsa_e, le, "ECDSA TSA", diag));
	CCTSA_TRY(load(&p[1], tsa_m, lm, "ML-DSA TSA", diag));
	CCTSA_TRY(load(&p[2], ca_e, lce, "ECDSA CA", diag));
	CCTSA_TRY(load(&p[3], ca_m, lcm, "ML-DSA CA", diag));
	CCTSA_TRY(check_leaf(c, &p[0], &p[2], &c->spki_e, now / 1000, "ECDSA", diag));
	CCTSA_TRY(check_leaf(c, &p[1], &p[3], &c->spki_m, now / 1000, "ML-DSA", diag));
	if (p[0].c.key_alg != CCTSA_SIG_ECDSA_P384_SHA384 || p[1].c.key_alg != CCTSA_SIG_MLDSA65 ||
	    p[3].c.key_alg != CCTSA_SIG_MLDSA65) {
		CCTSA_TRY(cctsa_fail(diag, CCTSA_E_VERIFY, "core: certificate key algorithms do not match"));
	}
	c->cert_e.len = c->cert_m.len = c->ca_e.len = c->ca_m.len = 0;
	CCTSA_TRY(cctsa_buf_put(&c->cert_e, p[0].der.data, p[0].der.len));
	CCTSA_TRY(cctsa_buf_put(&c->cert_m, p[1].der.data, p[1].der.len));
	CCTSA_TRY(cctsa_buf_put(&c->ca_e, p[2].der.data, p[2].der.len));
	CCTSA_TRY(cctsa_buf_put(&c->ca_m, p[3].der.data, p[3].der.len));
	c->key_state = CCTSA_CORE_KEY_ACTIVE;
	c->state = CCTSA_CORE_HALTED;
	core_update_state(c);
out:
	for (int i = 0; i < 4; i++) {
		cctsa_buf_free(&p[i].der);
	}
	return err;
}

cctsa_err cctsa_core_certs_pem(const cctsa_core *c, cctsa_buf *out)
{
	const cctsa_buf *all[4] = {&c->cert_e, &c->ca_e, &c->cert_m, &c->ca_m};

	if (c->cert_e.len == 0) {
		return CCTSA_E_STATE;
	}
	for (int i = 0; i < 4; i++) {
		cctsa_err err = cctsa_x509_der_to_pem(out, "CERTIFICATE", all[i]->data, all[i]->len);

		if (err != CCTSA_OK) {
			return err;
		}
	}
	return CCTSA_OK;
}

cctsa_err cctsa_core_binding_json(const cctsa_core *c, cctsa_buf *out)
{
	cctsa_x509_binding b;

	if (c->key_state == CCTSA_CORE_KEY_UNINITIALIZED || c->key_state == CCTSA_CORE_KEY_DKG) {
		return CCTSA_E_STATE;
	}
	if (core_binding(c, &b) != CCTSA_OK) {
		return CCTSA_E_INTERNAL;
	}
	return cctsa_x509_binding_to_json(out, &b);
}
