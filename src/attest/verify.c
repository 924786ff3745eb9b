/*
 * The verifier: every check of cctsa_snp_check runs and records pass/fail/skip and
 * a reason, so a relying party sees all that is wrong at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/x509v3.h>

#include "attest_int.h"

typedef struct {
	cctsa_snp_result *res;
	const cctsa_snp_policy *pol;
	snp_cert_list vekl, askl, arkl;
	const snp_cert *vek, *ask, *ark;
	int have_lists;
	snp_vek_ext ext;
	int ext_ok;
	int asvk; /* the intermediate is an ASVK (SEV-VLEK-*) */
} vctx;

static const char *const check_names[CCTSA_SNP_CHK_COUNT] = {
	"report_format", "ark",     "ask",    "vek",     "signing_key", "signature",   "tcb_match",
	"chip_id",       "product", "policy", "min_tcb", "vmpl",        "measurement", "report_data"};

const char *cctsa_snp_check_name(cctsa_snp_check c)
{
	return (unsigned)c < CCTSA_SNP_CHK_COUNT ? check_names[c] : "unknown";
}

static void mark(vctx *v, cctsa_snp_check c, cctsa_snp_status s, const char *fmt, ...)
	CCTSA_PRINTF(4, 5);
static void mark(vctx *v, cctsa_snp_check c, cctsa_snp_status s, const char *fmt, ...)
{
	va_list ap;

	v->res->status[c] = s;
	va_start(ap, fmt);
	vsnprintf(v->res->reason[c], CCTSA_SNP_REASON_MAX, fmt, ap);
	va_end(ap);
}

/* Records a failed step's diag message as the check's reason. */
static void mark_diag(vctx *v, cctsa_snp_check c, const cctsa_diag *d)
{
	mark(v, c, CCTSA_SNP_FAIL, "%s", d->msg[0] != '\0' ? d->msg : cctsa_err_name(d->err));
}

void cctsa_snp_policy_init(cctsa_snp_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->at = (int64_t)time(NULL);
}

/* Loads the three files and picks VEK, ASK/ASVK and ARK by name chaining. */
static cctsa_err pick_chain(vctx *v, const cctsa_snp_chain *ch, cctsa_diag *d)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(snp_certs_load(&v->vekl, ch->vek, ch->vek_len, "VEK", d));
	CCTSA_TRY(snp_certs_load(&v->askl, ch->ask, ch->ask_len, "ASK", d));
	CCTSA_TRY(snp_certs_load(&v->arkl, ch->ark, ch->ark_len, "ARK", d));
	v->have_lists = 1;
	v->vek = &v->vekl.c[0];
	for (size_t i = 0; i < v->askl.n && v->ask == NULL; i++) {
		if (!snp_cert_self_issued(&v->askl.c[i]) && snp_cert_issued_by(v->vek, &v->askl.c[i])) {
			v->ask = &v->askl.c[i];
		}
	}
	if (v->ask == NULL) {
		err = cctsa_fail(d, CCTSA_E_VERIFY, "no certificate in the ASK file is the VEK's issuer");
		goto out;
	}
	for (size_t i = 0; i < v->arkl.n && v->ark == NULL; i++) {
		if (snp_cert_self_issued(&v->arkl.c[i]) && snp_cert_issued_by(v->ask, &v->arkl.c[i])) {
			v->ark = &v->arkl.c[i];
		}
	}
	if (v->ark == NULL) {
		err = cctsa_fail(d, CCTSA_E_VERIFY, "no self-issued certificate in the ARK file issued the ASK");
	}
out:
	return err;
}

static cctsa_err check_ark(vctx *v, cctsa_diag *d)
{
	cctsa_err err = CCTSA_OK;
	char cn[64], org[96];
	int min_bits = 4096;

	v->res->product = snp_pinned_product(v->ark);
	if (v->res->product == CCTSA_SNP_PRODUCT_UNKNOWN) {
		snp_cert_cn(v->ark, 0, cn, sizeof(cn));
		org[0] = '\0';
		X509_NAME_get_text_by_NID(X509_get_subject_name(v->ark->x), NID_organizationName, org,
					  sizeof(org));
		if (!v->pol->allow_simulated || strcmp(cn, SNP_SIM_ARK_CN) != 0 || strcmp(org, SNP_SIM_ORG) != 0) {
			err = cctsa_fail(d, CCTSA_E_VERIFY, "ARK '%s' is not a pinned AMD root%s", cn,
					 v->pol->allow_simulated ? " nor the simulator's" : " (simulated roots not allowed)");
			goto out;
		}
		v->res->product = CCTSA_SNP_PRODUCT_SIM;
		v->res->simulated = 1;
		min_bits = 2048;
	}
	CCTSA_TRY(snp_cert_rsa_key(v->ark, min_bits, "ARK", d));
	CCTSA_TRY(snp_cert_verify_pss(v->ark, v->ark, d));
	CCTSA_TRY(snp_cert_check_time(v->ark, v->pol->at, "ARK", d));
	CCTSA_TRY(snp_cert_is_ca(v->ark, "ARK", d));
out:
	return err;
}

static cctsa_err check_ask(vctx *v, cctsa_diag *d)
{
	cctsa_err err = CCTSA_OK;
	const char *prod = cctsa_snp_product_name(v->res->product);
	char cn[64], want[64], want_vlek[64];

	snp_cert_cn(v->ask, 0, cn, sizeof(cn));
	snprintf(want, sizeof(want), "SEV-%s", prod);
	snprintf(want_vlek, sizeof(want_vlek), "SEV-VLEK-%s", prod);
	if (strcmp(cn, want) != 0 && (v->res->simulated || strcmp(cn, want_vlek) != 0)) {
		err = cctsa_fail(d, CCTSA_E_VERIFY, "intermediate CN '%s' is not %s%s%s", cn, want,
				 v->res->simulated ? "" : " or ", v->res->simulated ? "" : want_vlek);
		goto out;
	}
	v->asvk = strcmp(cn, want_vlek) == 0;
	CCTSA_TRY(snp_cert_rsa_key(v->ask, v->res->simulated ? 2048 : 4096, "ASK", d));
	CCTSA_TRY(snp_cert_verify_pss(v->ask, v->ark, d));
	CCTSA_TRY(snp_cert_check_time(v->ask, v->pol->at, cn, d));
	CCTSA_TRY(snp_cert_is_ca(v->ask, cn, d));
out:
	return err;
}

static cctsa_err check_vek(vctx *v, cctsa_diag *d)
{
	cctsa_err err = CCTSA_OK;
	char cn[64];
	const char *want = v->asvk ? "SEV-VLEK" : "SEV-VCEK";

	snp_cert_cn(v->vek, 0, cn, sizeof(cn));
	if (strcmp(cn, want) != 0) {
		err = cctsa_fail(d, CCTSA_E_VERIFY, "VEK CN '%s' is not %s", cn, want);
		goto out;
	}
	v->res->vlek = v->asvk;
	CCTSA_TRY(snp_cert_verify_pss(v->vek, v->ask, d));
	CCTSA_TRY(snp_cert_check_time(v->vek, v->pol->at, want, d));
	if (X509_check_ca(v->vek->x) != 0) {
		err = cctsa_fail(d, CCTSA_E_VERIFY, "VEK is a CA certificate");
		goto out;
	}
	CCTSA_TRY(snp_vek_extensions(&v->ext, v->vek, d));
	v->ext_ok = 1;
out:
	return err;
}

/* ARK, ASK, VEK in order; a later link is not judged once an earlier one failed. */
static void run_chain(vctx *v, const cctsa_snp_chain *ch)
{
	cctsa_diag d;
	static const cctsa_snp_check order[3] = {CCTSA_SNP_CHK_ARK, CCTSA_SNP_CHK_ASK, CCTSA_SNP_CHK_VEK};
	cctsa_err (*const fn[3])(vctx *, cctsa_diag *) = {check_ark, check_ask, check_vek};

	cctsa_diag_reset(&d);
	if (pick_chain(v, ch, &d) != CCTSA_OK) {
		for (int i = 0; i < 3; i++) {
			mark_diag(v, order[i], &d);
		}
		return;
	}
	for (int i = 0; i < 3; i++) {
		cctsa_diag_reset(&d);
		if (fn[i](v, &d) != CCTSA_OK) {
			mark_diag(v, order[i], &d);
			for (int k = i + 1; k < 3; k++) {
				mark(v, order[k], CCTSA_SNP_FAIL, "not judged: %s failed", check_names[order[i]]);
			}
			return;
		}
	}
	mark(v, CCTSA_SNP_CHK_ARK, CCTSA_SNP_PASS, "%s, self-signed, valid at the verification time",
	     v->res->simulated ? "SIMULATED root (" SNP_SIM_ARK_CN "), accepted by policy"
			       : (v->res->product == CCTSA_SNP_PRODUCT_MILAN   ? "pinned AMD ARK-Milan"
				  : v->res->product == CCTSA_SNP_PRODUCT_GENOA ? "pinned AMD ARK-Genoa"
									       : "pinned AMD ARK-Turin"));
	mark(v, CCTSA_SNP_CHK_ASK, CCTSA_SNP_PASS, "%s signed by the ARK (RSA-PSS SHA-384), valid, CA",
	     v->asvk ? "ASVK" : "ASK");
	mark(v, CCTSA_SNP_CHK_VEK, CCTSA_SNP_PASS, "%s signed by the %s, valid, productName %s",
	     v->asvk ? "VLEK" : "VCEK", v->asvk ? "ASVK" : "ASK", v->ext.product);
}

static void finish(cctsa_snp_result *res)
{
	res->failed = res->skipped = 0;
	for (int i = 0; i < CCTSA_SNP_CHK_COUNT; i++) {
		res->failed += res->status[i] == CCTSA_SNP_FAIL;
		res->skipped += res->status[i] == CCTSA_SNP_SKIP;
	}
}

static cctsa_err verdict(const cctsa_snp_result *res, cctsa_diag *diag)
{
	for (int i = 0; i < CCTSA_SNP_CHK_COUNT; i++) {
		if (res->status[i] == CCTSA_SNP_FAIL) {
			return cctsa_fail(diag, CCTSA_E_VERIFY, "%s: %s", check_names[i], res->reason[i]);
		}
	}
	return CCTSA_OK;
}

/* A chain parsed and judged once; reports are then checked against it. */
struct cctsa_snp_verifier {
	vctx v;
	cctsa_snp_result chain_res;
	cctsa_snp_policy pol;
	uint8_t measurement[CCTSA_SNP_MEASUREMENT_LEN];
	uint8_t report_data[CCTSA_SNP_REPORT_DATA_LEN];
};

cctsa_err cctsa_snp_verifier_new(cctsa_snp_verifier **out, const cctsa_snp_chain *chain,
				 const cctsa_snp_policy *pol, cctsa_diag *diag)
{
	cctsa_snp_verifier *vf = cctsa_mem_alloc(sizeof(*vf));

	*out = NULL;
	if (vf == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory");
	}
	vf->pol = *pol;
	if (pol->measurement != NULL) {
		memcpy(vf->measurement, pol->measurement, sizeof(vf->measurement));
		vf->pol.measurement = vf->measurement;
	}
	if (pol->report_data != NULL) {
		memcpy(vf->report_data, pol->report_data, sizeof(vf->report_data));
		vf->pol.report_data = vf->report_data;
	}
	vf->v.res = &vf->chain_res;
	vf->v.pol = &vf->pol;
	run_chain(&vf->v, chain);
	*out = vf;
	return CCTSA_OK;
}

void cctsa_snp_verifier_free(cctsa_snp_verifier *vf)
{
	if (vf == NULL) {
		return;
	}
	snp_certs_free(&vf->v.vekl);
	snp_certs_free(&vf->v.askl);
	snp_certs_free(&vf->v.arkl);
	cctsa_mem_free(vf);
}

cctsa_err cctsa_snp_verifier_check(cctsa_snp_verifier *vf, cctsa_snp_result *res, const uint8_t *report,
				   size_t report_len, cctsa_diag *diag)
{
	vctx v = vf->v;
	cctsa_diag d;

	memset(res, 0, sizeof(*res));
	for (int c = CCTSA_SNP_CHK_ARK; c <= CCTSA_SNP_CHK_VEK; c++) {
		res->status[c] = vf->chain_res.status[c];
		memcpy(res->reason[c], vf->chain_res.reason[c], CCTSA_SNP_REASON_MAX);
	}
	res->product = vf->chain_res.product;
	res->simulated = vf->chain_res.simulated;
	res->vlek = vf->chain_res.vlek;
	v.res = res;
	cctsa_diag_reset(&d);
	if (cctsa_snp_report_decode(&res->report, report, report_len, &d) == CCTSA_OK) {
		res->report_decoded = 1;
		mark(&v, CCTSA_SNP_CHK_FORMAT, CCTSA_SNP_PASS, "version %u, %d bytes, reserved fields zero",
		     res->report.version, CCTSA_SNP_REPORT_LEN);
	} else {
		mark_diag(&v, CCTSA_SNP_CHK_FORMAT, &d);
	}
	snp_run_report_checks(res, &vf->pol, report, v.have_lists ? v.vek : NULL, &v.ext, v.ext_ok);
	finish(res);
	return verdict(res, diag);
}

cctsa_err cctsa_snp_verify(cctsa_snp_result *res, const uint8_t *report, size_t report_len,
			   const cctsa_snp_chain *chain, const cctsa_snp_policy *pol, cctsa_diag *diag)
{
	cctsa_snp_verifier *vf;
	cctsa_err err;

	memset(res, 0, sizeof(*res));
	err = cctsa_snp_verifier_new(&vf, chain, pol, diag);
	if (err == CCTSA_OK) {
		err = cctsa_snp_verifier_check(vf, res, report, report_len, diag);
	}
	cctsa_snp_verifier_free(vf);
	return err;
}

cctsa_err cctsa_snp_chain_verify(cctsa_snp_product *product, const cctsa_snp_chain *chain, int64_t at,
				 int allow_simulated, cctsa_diag *diag)
{
	cctsa_snp_verifier *vf;
	cctsa_snp_policy pol;
	cctsa_err err;

	*product = CCTSA_SNP_PRODUCT_UNKNOWN;
	cctsa_snp_policy_init(&pol);
	pol.at = at;
	pol.allow_simulated = allow_simulated;
	err = cctsa_snp_verifier_new(&vf, chain, &pol, diag);
	for (int i = CCTSA_SNP_CHK_ARK; i <= CCTSA_SNP_CHK_VEK && err == CCTSA_OK; i++) {
		if (vf->chain_res.status[i] != CCTSA_SNP_PASS) {
			err = cctsa_fail(diag, CCTSA_E_VERIFY, "%s: %s", check_names[i], vf->chain_res.reason[i]);
		}
	}
	if (err == CCTSA_OK) {
		*product = vf->chain_res.product;
	}
	cctsa_snp_verifier_free(vf);
	return err;
}
