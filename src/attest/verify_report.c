/* The verifier's checks on the report contents (see cctsa_snp_check). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "attest_int.h"
#include "base/ct.h"

typedef struct {
	cctsa_snp_result *res;
	const cctsa_snp_policy *pol;
	const cctsa_snp_report *r;
	const snp_vek_ext *ext;
	int ext_ok;
} rctx;

static void mark(cctsa_snp_result *res, cctsa_snp_check c, cctsa_snp_status s, const char *fmt, ...)
	CCTSA_PRINTF(4, 5);
static void mark(cctsa_snp_result *res, cctsa_snp_check c, cctsa_snp_status s, const char *fmt, ...)
{
	va_list ap;

	res->status[c] = s;
	va_start(ap, fmt);
	vsnprintf(res->reason[c], CCTSA_SNP_REASON_MAX, fmt, ap);
	va_end(ap);
}

static void check_signing_key(rctx *x)
{
	uint32_t sk = cctsa_snp_report_signing_key(x->r);
	uint32_t want = x->res->vlek ? CCTSA_SNP_SIGNING_KEY_VLEK : CCTSA_SNP_SIGNING_KEY_VCEK;

	if (sk != want) {
		mark(x->res, CCTSA_SNP_CHK_SIGNING_KEY, CCTSA_SNP_FAIL,
		     "report says signing_key %u (%s), the certificate is a %s", sk,
		     sk == 0 ? "VCEK" : sk == 1 ? "VLEK" : "none", x->res->vlek ? "VLEK" : "VCEK");
		return;
	}
	mark(x->res, CCTSA_SNP_CHK_SIGNING_KEY, CCTSA_SNP_PASS, "signing_key %u = %s", sk,
	     x->res->vlek ? "VLEK" : "VCEK");
}

static void hex_short(char *out, size_t cap, const uint8_t *p, size_t n)
{
	size_t k = n > 8 ? 8 : n;

	if (cctsa_hex_encode(out, cap, p, k) != CCTSA_OK) {
		out[0] = '\0';
	}
}

static void check_tcb_match(rctx *x)
{
	cctsa_snp_product p = x->res->product;
	uint64_t want;

	if (!x->ext_ok || p == CCTSA_SNP_PRODUCT_UNKNOWN) {
		mark(x->res, CCTSA_SNP_CHK_TCB_MATCH, CCTSA_SNP_FAIL, "not judged: VEK extensions or product unknown");
		return;
	}
	if (p == CCTSA_SNP_PRODUCT_TURIN && !x->ext->have_fmc) {
		mark(x->res, CCTSA_SNP_CHK_TCB_MATCH, CCTSA_SNP_FAIL, "Turin VEK lacks fmcSPL");
		return;
	}
	want = cctsa_snp_tcb_join(p, &x->ext->tcb);
	if (x->r->reported_tcb != want) {
		mark(x->res, CCTSA_SNP_CHK_TCB_MATCH, CCTSA_SNP_FAIL,
		     "reported_tcb 0x%016llx != VEK TCB 0x%016llx (bl %u tee %u snp %u ucode %u)",
		     (unsigned long long)x->r->reported_tcb, (unsigned long long)want, x->ext->tcb.bootloader,
		     x->ext->tcb.tee, x->ext->tcb.snp, x->ext->tcb.microcode);
		return;
	}
	mark(x->res, CCTSA_SNP_CHK_TCB_MATCH, CCTSA_SNP_PASS,
	     "reported_tcb 0x%016llx = VEK bl %u tee %u snp %u ucode %u%s", (unsigned long long)want,
	     x->ext->tcb.bootloader, x->ext->tcb.tee, x->ext->tcb.snp, x->ext->tcb.microcode,
	     p == CCTSA_SNP_PRODUCT_TURIN ? " (+fmc)" : "");
}

static int sim_chip_id(const uint8_t id[CCTSA_SNP_CHIP_ID_LEN])
{
	for (size_t i = 0; i < CCTSA_SNP_CHIP_ID_LEN; i += 16) {
		if (cctsa_memcmp_var(id + i, CCTSA_SNP_SIM_CHIP_PATTERN, 16) != 0) {
			return 0;
		}
	}
	return 1;
}

static void check_chip_id(rctx *x)
{
	size_t n;
	char h[24];

	if (x->res->vlek) {
		mark(x->res, CCTSA_SNP_CHK_CHIP_ID, CCTSA_SNP_PASS, "VLEK-signed: not bound to a chip id");
		return;
	}
	if (!x->ext_ok || x->ext->hwid_len == 0) {
		mark(x->res, CCTSA_SNP_CHK_CHIP_ID, CCTSA_SNP_FAIL, "VCEK hwID unavailable");
		return;
	}
	if ((x->r->key_info & 2u) != 0) {
		mark(x->res, CCTSA_SNP_CHK_CHIP_ID, CCTSA_SNP_FAIL, "chip id masked (MASK_CHIP_KEY): no VCEK binding");
		return;
	}
	/* Turin VCEKs carry an 8-byte hwID: the first 8 bytes of the report's chip id. */
	n = x->ext->hwid_len;
	if ((x->res->product == CCTSA_SNP_PRODUCT_TURIN) != (n == 8) ||
	    cctsa_memcmp_var(x->ext->hwid, x->r->chip_id, n) != 0) {
		hex_short(h, sizeof(h), x->r->chip_id, CCTSA_SNP_CHIP_ID_LEN);
		mark(x->res, CCTSA_SNP_CHK_CHIP_ID, CCTSA_SNP_FAIL, "chip_id %s... is not the VCEK hwID", h);
		return;
	}
	if (x->res->simulated != sim_chip_id(x->r->chip_id)) {
		mark(x->res, CCTSA_SNP_CHK_CHIP_ID, CCTSA_SNP_FAIL, "%s",
		     x->res->simulated ? "simulated chain but chip_id lacks the simulator pattern"
				       : "AMD chain but chip_id carries the simulator pattern");
		return;
	}
	hex_short(h, sizeof(h), x->r->chip_id, CCTSA_SNP_CHIP_ID_LEN);
	mark(x->res, CCTSA_SNP_CHK_CHIP_ID, CCTSA_SNP_PASS, "%schip_id %s... = VCEK hwID",
	     x->res->simulated ? "SIMULATED " : "", h);
}

/* CPUID family/model of the report (v3+) against the root's product. */
static int cpuid_fits(cctsa_snp_product p, uint8_t fam, uint8_t mod)
{
	switch (p) {
	case CCTSA_SNP_PRODUCT_MILAN:
	case CCTSA_SNP_PRODUCT_SIM:
		return fam == 0x19 && mod <= 0x0F;
	case CCTSA_SNP_PRODUCT_GENOA:
		return fam == 0x19 && ((mod >= 0x10 && mod <= 0x1F) || (mod >= 0xA0 && mod <= 0xAF));
	case CCTSA_SNP_PRODUCT_TURIN:
		return fam == 0x1A && mod <= 0x1F;
	case CCTSA_SNP_PRODUCT_UNKNOWN:
		break;
	}
	return 0;
}

static void check_product(rctx *x)
{
	const char *want = cctsa_snp_product_name(x->res->product);
	size_t wl = strlen(want);
	const char *have = x->ext_ok ? x->ext->product : "";

	if (!x->ext_ok || x->res->product == CCTSA_SNP_PRODUCT_UNKNOWN) {
		mark(x->res, CCTSA_SNP_CHK_PRODUCT, CCTSA_SNP_FAIL, "not judged: VEK or root not accepted");
		return;
	}
	if (strncmp(have, want, wl) != 0 || (have[wl] != '\0' && have[wl] != '-')) {
		mark(x->res, CCTSA_SNP_CHK_PRODUCT, CCTSA_SNP_FAIL, "VEK productName '%s' is not %s", have, want);
		return;
	}
	if (x->r->version >= 3 && !cpuid_fits(x->res->product, x->r->cpuid_fam_id, x->r->cpuid_mod_id)) {
		mark(x->res, CCTSA_SNP_CHK_PRODUCT, CCTSA_SNP_FAIL, "report CPUID family 0x%02x model 0x%02x is not %s",
		     x->r->cpuid_fam_id, x->r->cpuid_mod_id, want);
		return;
	}
	mark(x->res, CCTSA_SNP_CHK_PRODUCT, CCTSA_SNP_PASS, "productName %s%s", have,
	     x->r->version >= 3 ? ", report CPUID agrees" : " (v2 report: no CPUID)");
}

static void check_policy(rctx *x)
{
	uint64_t pol = x->r->policy;
	int dbg = (pol & CCTSA_SNP_POLICY_DEBUG) != 0, ma = (pol & CCTSA_SNP_POLICY_MIGRATE_MA) != 0;

	if ((dbg && !x->pol->allow_debug) || (ma && !x->pol->allow_migrate_ma)) {
		mark(x->res, CCTSA_SNP_CHK_POLICY, CCTSA_SNP_FAIL, "policy 0x%llx allows %s%s%s",
		     (unsigned long long)pol, dbg ? "DEBUG" : "", dbg && ma ? " and " : "",
		     ma ? "a migration agent" : "");
		return;
	}
	mark(x->res, CCTSA_SNP_CHK_POLICY, CCTSA_SNP_PASS, "policy 0x%llx: debug %s, migration agent %s",
	     (unsigned long long)pol, dbg ? "ALLOWED (permitted by verifier policy)" : "forbidden",
	     ma ? "ALLOWED (permitted by verifier policy)" : "forbidden");
}

static void check_min_tcb(rctx *x)
{
	static const char *const names[4] = {"reported", "current", "committed", "launch"};
	const uint64_t raw[4] = {x->r->reported_tcb, x->r->current_tcb, x->r->committed_tcb, x->r->launch_tcb};
	const cctsa_snp_tcb *m = &x->pol->min_tcb;

	if (x->res->product == CCTSA_SNP_PRODUCT_UNKNOWN) {
		mark(x->res, CCTSA_SNP_CHK_MIN_TCB, CCTSA_SNP_FAIL, "not judged: product unknown");
		return;
	}
	for (int i = 0; i < 4; i++) {
		int rsv_ok = 0;
		cctsa_snp_tcb t = cctsa_snp_tcb_split(x->res->product, raw[i], &rsv_ok);
		if (!rsv_ok || !cctsa_snp_tcb_at_least(x->res->product, &t, m)) {
			mark(x->res, CCTSA_SNP_CHK_MIN_TCB, CCTSA_SNP_FAIL,
			     "%s_tcb 0x%016llx %s minimum (fmc %u bl %u tee %u snp %u ucode %u)", names[i],
			     (unsigned long long)raw[i], rsv_ok ? "below" : "has reserved bytes set; ", m->fmc,
			     m->bootloader, m->tee, m->snp, m->microcode);
			return;
		}
	}
	mark(x->res, CCTSA_SNP_CHK_MIN_TCB, CCTSA_SNP_PASS,
	     "reported/current/committed/launch TCB >= minimum (fmc %u bl %u tee %u snp %u ucode %u)", m->fmc,
	     m->bootloader, m->tee, m->snp, m->microcode);
}

static void check_values(rctx *x)
{
	const cctsa_snp_report *r = x->r;
	char h[24];

	if (r->vmpl != x->pol->vmpl) {
		mark(x->res, CCTSA_SNP_CHK_VMPL, CCTSA_SNP_FAIL, "vmpl %u, expected %u", r->vmpl, x->pol->vmpl);
	} else {
		mark(x->res, CCTSA_SNP_CHK_VMPL, CCTSA_SNP_PASS, "vmpl %u", r->vmpl);
	}
	hex_short(h, sizeof(h), r->measurement, sizeof(r->measurement));
	if (x->pol->measurement == NULL) {
		mark(x->res, CCTSA_SNP_CHK_MEASUREMENT, CCTSA_SNP_SKIP, "no expected measurement given");
	} else if (cctsa_memcmp_var(r->measurement, x->pol->measurement, CCTSA_SNP_MEASUREMENT_LEN) != 0) {
		mark(x->res, CCTSA_SNP_CHK_MEASUREMENT, CCTSA_SNP_FAIL, "measurement %s... differs from expected", h);
	} else {
		mark(x->res, CCTSA_SNP_CHK_MEASUREMENT, CCTSA_SNP_PASS, "measurement %s... = expected", h);
	}
	hex_short(h, sizeof(h), r->report_data, sizeof(r->report_data));
	if (x->pol->report_data == NULL) {
		mark(x->res, CCTSA_SNP_CHK_REPORT_DATA, CCTSA_SNP_SKIP, "no expected report_data given");
	} else if (cctsa_memcmp_var(r->report_data, x->pol->report_data, CCTSA_SNP_REPORT_DATA_LEN) != 0) {
		mark(x->res, CCTSA_SNP_CHK_REPORT_DATA, CCTSA_SNP_FAIL, "report_data %s... differs from expected", h);
	} else {
		mark(x->res, CCTSA_SNP_CHK_REPORT_DATA, CCTSA_SNP_PASS, "report_data %s... = expected", h);
	}
}

void snp_run_report_checks(cctsa_snp_result *res, const cctsa_snp_policy *pol, const uint8_t *report,
			   const snp_cert *vek, const snp_vek_ext *ext, int ext_ok)
{
	rctx x = {res, pol, &res->report, ext, ext_ok};
	cctsa_diag d;

	if (!res->report_decoded) {
		for (int c = CCTSA_SNP_CHK_SIGNING_KEY; c < CCTSA_SNP_CHK_COUNT; c++) {
			mark(res, (cctsa_snp_check)c, CCTSA_SNP_FAIL, "not judged: the report does not decode");
		}
		return;
	}
	check_signing_key(&x);
	cctsa_diag_reset(&d);
	if (vek == NULL) {
		mark(res, CCTSA_SNP_CHK_SIGNATURE, CCTSA_SNP_FAIL, "not judged: no VEK certificate loaded");
	} else if (snp_report_sig_verify(report, &res->report, vek, &d) != CCTSA_OK) {
		mark(res, CCTSA_SNP_CHK_SIGNATURE, CCTSA_SNP_FAIL, "%s", d.msg);
	} else {
		mark(res, CCTSA_SNP_CHK_SIGNATURE, CCTSA_SNP_PASS, "ECDSA P-384/SHA-384 over bytes 0x000-0x29F verifies");
	}
	check_tcb_match(&x);
	check_chip_id(&x);
	check_product(&x);
	check_policy(&x);
	check_min_tcb(&x);
	check_values(&x);
}
