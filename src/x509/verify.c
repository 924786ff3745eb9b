/* x509: signature checks, chain verification and the TSA leaf profile. */
#include <string.h>

#include "base/ct.h"
#include "x509/x509_int.h"

static int same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && cctsa_memcmp_var(a, b, alen) == 0;
}

cctsa_err cctsa_x509_cert_check_signed_by(const cctsa_x509_cert *cert, const cctsa_x509_cert *issuer,
					  cctsa_diag *diag)
{
	if (!same(cert->issuer, cert->issuer_len, issuer->subject, issuer->subject_len)) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "x509: certificate issuer does not match the CA subject");
	}
	if (cert->sig_alg == CCTSA_SIG_NONE) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "x509: certificate signature algorithm not supported");
	}
	return cctsa_x509_sig_verify(cert->sig_alg, issuer->spki, issuer->spki_len, cert->tbs, cert->tbs_len,
				     cert->sig, cert->sig_len, diag);
}

static cctsa_err check_time(const cctsa_x509_cert *c, int64_t at, const char *what, cctsa_diag *diag)
{
	if (at < c->not_before) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "x509: %s certificate is not yet valid", what);
	}
	if (at > c->not_after) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "x509: %s certificate has expired", what);
	}
	return CCTSA_OK;
}

/* An issuing CA: cA set, keyCertSign when keyUsage is present, path length respected. */
static cctsa_err check_ca(const cctsa_x509_cert *ca, size_t below, const char *what, cctsa_diag *diag)
{
	if (!ca->is_ca) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "x509: %s certificate is not a CA (basicConstraints)", what);
	}
	if (ca->has_ku && (ca->ku & CCTSA_X509_KU_KEY_CERT_SIGN) == 0) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "x509: %s certificate may not sign certificates (keyUsage)", what);
	}
	if (ca->path_len >= 0 && below > (size_t)ca->path_len) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "x509: %s certificate's path length constraint exceeded", what);
	}
	return CCTSA_OK;
}

static cctsa_err check_tsa_leaf(const cctsa_x509_cert *leaf, cctsa_diag *diag)
{
	if (!leaf->has_eku || !leaf->eku_critical || !leaf->eku_ts || leaf->eku_n != 1) {
		return cctsa_fail(diag, CCTSA_E_VERIFY,
				  "x509: TSA certificate must have a critical extendedKeyUsage of id-kp-timeStamping only");
	}
	if (!leaf->has_ku || (leaf->ku & CCTSA_X509_KU_DIGITAL_SIGNATURE) == 0) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "x509: TSA certificate keyUsage lacks digitalSignature");
	}
	if (leaf->is_ca) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "x509: TSA certificate must not be a CA");
	}
	return CCTSA_OK;
}

cctsa_err cctsa_x509_chain_verify(const cctsa_x509_cert *leaf, const cctsa_x509_cert *inter, size_t n,
				  const cctsa_x509_cert *root, int64_t at, unsigned purpose, cctsa_diag *diag)
{
	const cctsa_x509_cert *cur = leaf;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(purpose == CCTSA_X509_PURPOSE_ANY || purpose == CCTSA_X509_PURPOSE_TSA, CCTSA_E_USAGE);
	if (purpose == CCTSA_X509_PURPOSE_TSA) {
		CCTSA_TRY(check_tsa_leaf(leaf, diag));
	}
	CCTSA_TRY(check_time(leaf, at, "leaf", diag));
	for (size_t i = 0; i <= n; i++) {
		const cctsa_x509_cert *iss = i < n ? &inter[i] : root;
		const char *what = i < n ? "intermediate" : "root";

		CCTSA_TRY(check_time(iss, at, what, diag));
		CCTSA_TRY(check_ca(iss, i, what, diag));
		CCTSA_TRY(cctsa_x509_cert_check_signed_by(cur, iss, diag));
		cur = iss;
	}
	/* The anchor is trusted as configured; its self-signature is still checked to catch a wrong file. */
	CCTSA_TRY(cctsa_x509_cert_check_signed_by(root, root, diag));
out:
	return err;
}

cctsa_err cctsa_x509_csr_verify(const cctsa_x509_csr *r, cctsa_diag *diag)
{
	if (r->sig_alg == CCTSA_SIG_NONE) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "x509: CSR signature algorithm not supported");
	}
	return cctsa_x509_sig_verify(r->sig_alg, r->spki, r->spki_len, r->info, r->info_len, r->sig, r->sig_len,
				     diag);
}
