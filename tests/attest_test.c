/*
 * attest: the SNP report codec against the eight real reports, the verifier
 * (every real report verifies with the README's values; tampering of any kind
 * fails), the simulator and the providers.
 */
#include <sys/ioctl.h>
#include <linux/sev-guest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <time.h>

#include "attest_util.h"

static unsigned long n_flips, n_cert_flips, n_verifies;

static cctsa_err verify_case(cctsa_snp_result *res, const loaded_case *l, const uint8_t *rep, size_t len)
{
	n_verifies++;
	return cctsa_snp_verify(res, rep, len, &l->chain, &l->pol, NULL);
}

/* Codec: fields as the README states them, byte-exact round trip, truncation. */
static void test_codec_real(void)
{
	for (size_t i = 0; i < 8; i++) {
		const real_case *c = &real_cases[i];
		cctsa_buf b;
		cctsa_snp_report r, r2;
		uint8_t enc[CCTSA_SNP_REPORT_LEN], v[64];

		t_read(&b, c->report);
		CHECK_OK(cctsa_snp_report_decode(&r, b.data, b.len, NULL));
		CHECK(r.version == c->version && r.vmpl == c->vmpl && r.key_info == c->key_info);
		CHECK(r.policy == c->policy && r.reported_tcb == c->reported_tcb && r.current_tcb == c->current_tcb);
		CHECK(r.sig_algo == 1);
		t_unhex(v, 48, c->measurement);
		CHECK_MEMEQ(r.measurement, v, 48);
		t_unhex(v, 64, c->report_data);
		CHECK_MEMEQ(r.report_data, v, 64);
		t_unhex(v, 64, c->chip_id);
		CHECK_MEMEQ(r.chip_id, v, 64);
		t_unhex(v, 32, c->report_id);
		CHECK_MEMEQ(r.report_id, v, 32);
		CHECK_OK(cctsa_snp_report_encode(enc, &r, NULL));
		CHECK_MEMEQ(enc, b.data, CCTSA_SNP_REPORT_LEN);
		CHECK_OK(cctsa_snp_report_decode(&r2, enc, sizeof(enc), NULL));
		CHECK(memcmp(&r, &r2, sizeof(r)) == 0);
		for (size_t n = 0; n < CCTSA_SNP_REPORT_LEN; n++) {
			CHECK_ERR(cctsa_snp_report_decode(&r2, b.data, n, NULL), CCTSA_E_MALFORMED);
		}
		cctsa_buf_free(&b);
	}
	/* README specifics: attestation.bin firmware 1.49 build 3; Genoa CPUID 0x19/0x11/1; VLEK key_info. */
	{
		cctsa_buf b;
		cctsa_snp_report r;
		t_read(&b, "derived/azure_genoa_snp_report.bin");
		CHECK_OK(cctsa_snp_report_decode(&r, b.data, b.len, NULL));
		CHECK(r.cpuid_fam_id == 0x19 && r.cpuid_mod_id == 0x11 && r.cpuid_step == 1 && r.guest_svn == 65547);
		CHECK(r.current_major == 1 && r.current_minor == 55 && r.current_build == 40);
		cctsa_buf_free(&b);
		t_read(&b, "go-sev-guest/attestation.bin");
		CHECK_OK(cctsa_snp_report_decode(&r, b.data, b.len, NULL));
		CHECK(r.current_major == 1 && r.current_minor == 49 && r.current_build == 3);
		CHECK(r.platform_info == 1 && r.launch_tcb == 0x4405000000000002ull && r.committed_tcb == r.launch_tcb);
		for (size_t k = 0; k < 32; k++) {
			CHECK(r.report_id_ma[k] == 0xff);
		}
		cctsa_buf_free(&b);
	}
}

/* The rule: every reserved byte set alone is refused; versions and fields as documented. */
static void test_codec_rules(void)
{
	cctsa_buf b;
	cctsa_snp_report r;
	uint8_t m[CCTSA_SNP_REPORT_LEN], enc[CCTSA_SNP_REPORT_LEN];
	unsigned reserved = 0;

	t_read(&b, "trustee/test-vlek-report.bin"); /* v3 */
	for (size_t i = 0; i < CCTSA_SNP_REPORT_LEN; i++) {
		int rsv = (i >= 0x4C && i < 0x50) || (i >= 0x18B && i < 0x1A0) || i == 0x1EB || i == 0x1EF ||
			  (i >= 0x1F8 && i < 0x2A0) || (i >= 0x2A0 + 48 && i < 0x2A0 + 72) ||
			  (i >= 0x2E8 + 48 && i < 0x2E8 + 72) || i >= 0x330;
		memcpy(m, b.data, sizeof(m));
		m[i] ^= 0x01;
		if (rsv) {
			CHECK_ERR(cctsa_snp_report_decode(&r, m, sizeof(m), NULL), CCTSA_E_MALFORMED);
			reserved++;
		}
	}
	CHECK(reserved == 4 + 21 + 2 + 168 + 24 + 24 + 368);
	/* versions */
	for (uint32_t v = 0; v < 8; v++) {
		memcpy(m, b.data, sizeof(m));
		m[0] = (uint8_t)v;
		if (v == 3) {
			CHECK_OK(cctsa_snp_report_decode(&r, m, sizeof(m), NULL));
		} else if (v == 5) { /* v5: 0x1F8..0x207 become the mitigation vectors */
			m[0x1F8] = 0x11;
			m[0x207] = 0x22;
			CHECK_OK(cctsa_snp_report_decode(&r, m, sizeof(m), NULL));
			CHECK(r.launch_mit_vector == 0x11 && r.current_mit_vector == 0x2200000000000000ull);
			CHECK_OK(cctsa_snp_report_encode(enc, &r, NULL));
			CHECK_MEMEQ(enc, m, sizeof(m));
		} else if (v == 2) { /* v2: the CPUID bytes are reserved */
			CHECK_ERR(cctsa_snp_report_decode(&r, m, sizeof(m), NULL), CCTSA_E_MALFORMED);
			memset(m + 0x188, 0, 3);
			CHECK_OK(cctsa_snp_report_decode(&r, m, sizeof(m), NULL));
		} else {
			CHECK_ERR(cctsa_snp_report_decode(&r, m, sizeof(m), NULL), CCTSA_E_UNSUPPORTED);
		}
	}
	memcpy(m, b.data, sizeof(m));
	m[0x34] = 2; /* sig_algo */
	CHECK_ERR(cctsa_snp_report_decode(&r, m, sizeof(m), NULL), CCTSA_E_UNSUPPORTED);
	memcpy(m, b.data, sizeof(m));
	m[0x48] = 0x08; /* signing_key 2: reserved */
	CHECK_ERR(cctsa_snp_report_decode(&r, m, sizeof(m), NULL), CCTSA_E_MALFORMED);
	m[0x48] = 0x1C; /* signing_key 7 = none */
	CHECK_OK(cctsa_snp_report_decode(&r, m, sizeof(m), NULL));
	m[0x48] = 0x20; /* bit 5 */
	CHECK_ERR(cctsa_snp_report_decode(&r, m, sizeof(m), NULL), CCTSA_E_MALFORMED);
	memcpy(m, b.data, sizeof(m));
	m[0x0A] &= (uint8_t)~0x02; /* policy bit 17 */
	CHECK_ERR(cctsa_snp_report_decode(&r, m, sizeof(m), NULL), CCTSA_E_MALFORMED);
	memcpy(m, b.data, sizeof(m));
	m[0x0B] = 0x04; /* policy bit 26 */
	CHECK_ERR(cctsa_snp_report_decode(&r, m, sizeof(m), NULL), CCTSA_E_MALFORMED);
	/* encoder refusals */
	CHECK_OK(cctsa_snp_report_decode(&r, b.data, b.len, NULL));
	r.launch_mit_vector = 1;
	CHECK_ERR(cctsa_snp_report_encode(enc, &r, NULL), CCTSA_E_USAGE);
	r.launch_mit_vector = 0;
	r.version = 2;
	CHECK_ERR(cctsa_snp_report_encode(enc, &r, NULL), CCTSA_E_USAGE); /* cpuid in v2 */
	r.version = 4;
	CHECK_ERR(cctsa_snp_report_encode(enc, &r, NULL), CCTSA_E_USAGE);
	r.version = 3;
	r.sig_r[50] = 1;
	CHECK_ERR(cctsa_snp_report_encode(enc, &r, NULL), CCTSA_E_USAGE);
	cctsa_buf_free(&b);
}

static void test_tcb(void)
{
	cctsa_snp_tcb t, m;
	int ok;

	t = cctsa_snp_tcb_split(CCTSA_SNP_PRODUCT_MILAN, 0x4405000000000002ull, &ok);
	CHECK(ok && t.bootloader == 2 && t.tee == 0 && t.snp == 5 && t.microcode == 68);
	CHECK(cctsa_snp_tcb_join(CCTSA_SNP_PRODUCT_MILAN, &t) == 0x4405000000000002ull);
	(void)cctsa_snp_tcb_split(CCTSA_SNP_PRODUCT_GENOA, 0x4405000000010002ull, &ok);
	CHECK(!ok);
	t = (cctsa_snp_tcb){1, 2, 3, 4, 5};
	CHECK(cctsa_snp_tcb_join(CCTSA_SNP_PRODUCT_TURIN, &t) == 0x0500000004030201ull);
	m = cctsa_snp_tcb_split(CCTSA_SNP_PRODUCT_TURIN, 0x0500000004030201ull, &ok);
	CHECK(ok && memcmp(&m, &t, sizeof(t)) == 0);
	(void)cctsa_snp_tcb_split(CCTSA_SNP_PRODUCT_TURIN, 0x0500010004030201ull, &ok);
	CHECK(!ok);
	m.fmc = 2;
	CHECK(!cctsa_snp_tcb_at_least(CCTSA_SNP_PRODUCT_TURIN, &t, &m));
	CHECK(cctsa_snp_tcb_at_least(CCTSA_SNP_PRODUCT_MILAN, &t, &m));
}

/* All eight real reports verify with every check passing and none skipped. */
static void test_verify_real(void)
{
	for (size_t i = 0; i < 8; i++) {
		loaded_case l;
		cctsa_snp_result *res = cctsa_mem_alloc(sizeof(*res));

		t_load(&l, &real_cases[i]);
		if (verify_case(res, &l, l.report.data, l.report.len) != CCTSA_OK || res->failed || res->skipped) {
			fprintf(stderr, "real case %s:\n", real_cases[i].report);
			t_print_result(res);
			abort();
		}
		CHECK(res->product == real_cases[i].product && res->vlek == real_cases[i].vlek && !res->simulated);
		cctsa_mem_free(res);
		t_unload(&l);
	}
}

static cctsa_snp_result *verify_expect_fail(const loaded_case *l, const uint8_t *rep, cctsa_snp_check want)
{
	static cctsa_snp_result res;

	CHECK_ERR(verify_case(&res, l, rep, CCTSA_SNP_REPORT_LEN), CCTSA_E_VERIFY);
	if (res.status[want] != CCTSA_SNP_FAIL) {
		t_print_result(&res);
		fprintf(stderr, "expected %s to fail\n", cctsa_snp_check_name(want));
		abort();
	}
	return &res;
}

/* Policy checks against real data, and the upstream negative tests. */
static void test_verify_policy(void)
{
	loaded_case l;
	uint8_t m[CCTSA_SNP_REPORT_LEN];
	cctsa_snp_result *res;

	t_load(&l, &real_cases[0]); /* debug policy */
	l.pol.allow_debug = 0;
	res = verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_POLICY);
	CHECK(res->failed == 1);
	t_unload(&l);

	t_load(&l, &real_cases[3]); /* VLEK at VMPL 1 */
	l.pol.vmpl = 0;
	res = verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_VMPL);
	CHECK(res->failed == 1);
	l.pol.vmpl = 1;
	l.pol.at = (int64_t)time(NULL); /* test-vlek.der expired 2025-12-10 */
	res = verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_VEK);
	CHECK(strstr(res->reason[CCTSA_SNP_CHK_VEK], "not valid at") != NULL);
	l.pol.at = 1733875200; /* 2024-12-11: inside */
	CHECK_OK(verify_case(res, &l, l.report.data, l.report.len));
	l.pol.at = 1733702400; /* 2024-12-09: before notBefore */
	(void)verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_VEK);
	t_unload(&l);

	t_load(&l, &real_cases[1]); /* the CA certificates expire too: ARK-Milan on 2045-10-22 */
	l.pol.at = 2398291200LL; /* 2046-01-01 */
	res = verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_ARK);
	CHECK(strstr(res->reason[CCTSA_SNP_CHK_ARK], "not valid at") != NULL);
	l.pol.at = 1577836800LL; /* 2020-01-01: before the ARK was issued */
	(void)verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_ARK);
	t_unload(&l);

	t_load(&l, &real_cases[2]); /* trustee test-report, reported ucode 115, current 206 */
	l.pol.min_tcb = (cctsa_snp_tcb){0, 3, 0, 8, 115};
	CHECK_OK(verify_case(res, &l, l.report.data, l.report.len));
	l.pol.min_tcb.microcode = 116;
	res = verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_MIN_TCB);
	CHECK(res->failed == 1);
	l.pol.min_tcb.microcode = 0;
	l.pol.min_tcb.snp = 9;
	(void)verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_MIN_TCB);
	l.pol.min_tcb.snp = 0;
	l.report.data[0x90] ^= 1; /* measurement: signature and measurement checks */
	l.measurement[0] ^= 0;
	res = verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_MEASUREMENT);
	CHECK(res->status[CCTSA_SNP_CHK_SIGNATURE] == CCTSA_SNP_FAIL);
	l.report.data[0x90] ^= 1;
	l.report_data[63] ^= 0x80; /* expected binding differs */
	res = verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_REPORT_DATA);
	CHECK(res->failed == 1);
	l.report_data[63] ^= 0x80;
	/* trustee: adding 1 to byte 384 (reported_tcb) breaks the TCB match and the signature */
	memcpy(m, l.report.data, sizeof(m));
	m[384] += 1;
	res = verify_expect_fail(&l, m, CCTSA_SNP_CHK_TCB_MATCH);
	CHECK(res->status[CCTSA_SNP_CHK_SIGNATURE] == CCTSA_SNP_FAIL);
	/* trustee: corrupting byte 42 breaks the signature */
	memcpy(m, l.report.data, sizeof(m));
	m[42] ^= 0xff;
	(void)verify_expect_fail(&l, m, CCTSA_SNP_CHK_SIGNATURE);
	/* a report of the wrong size: the format check fails, nothing else is judged as passing */
	CHECK_ERR(verify_case(res, &l, l.report.data, CCTSA_SNP_REPORT_LEN - 1), CCTSA_E_VERIFY);
	CHECK(res->status[CCTSA_SNP_CHK_FORMAT] == CCTSA_SNP_FAIL && res->status[CCTSA_SNP_CHK_SIGNATURE] == CCTSA_SNP_FAIL);
	CHECK(res->status[CCTSA_SNP_CHK_MEASUREMENT] == CCTSA_SNP_FAIL && !res->report_decoded);
	/* skipped checks are reported as such, not as passes */
	l.pol.measurement = NULL;
	l.pol.report_data = NULL;
	CHECK_OK(verify_case(res, &l, l.report.data, l.report.len));
	CHECK(res->skipped == 2 && res->status[CCTSA_SNP_CHK_MEASUREMENT] == CCTSA_SNP_SKIP);
	t_unload(&l);
}

/* virtee's negative tests, the invalid VCEKs and mismatched chains. */
static void test_verify_chains(void)
{
	loaded_case l;
	cctsa_buf bad;
	uint8_t m[CCTSA_SNP_REPORT_LEN];
	cctsa_snp_product prod;
	static const char *const invalid[2] = {"trustee/test-vcek-invalid-legacy.der",
					       "trustee/test-vcek-invalid-new.der"};

	t_load(&l, &real_cases[1]);
	memcpy(m, l.report.data, sizeof(m));
	m[21] ^= 0x80; /* milan_report_invalid */
	(void)verify_expect_fail(&l, m, CCTSA_SNP_CHK_SIGNATURE);
	l.vek.data[40] ^= 0xff; /* milan_chain_invalid */
	(void)verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_VEK);
	l.vek.data[40] ^= 0xff;
	t_unload(&l);

	t_load(&l, &real_cases[2]);
	for (int i = 0; i < 2; i++) {
		t_read(&bad, invalid[i]);
		l.chain.vek = bad.data;
		l.chain.vek_len = bad.len;
		(void)verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_VEK);
		CHECK_ERR(cctsa_snp_chain_verify(&prod, &l.chain, T_AT, 0, NULL), CCTSA_E_VERIFY);
		cctsa_buf_free(&bad);
	}
	t_unload(&l);

	t_load(&l, &real_cases[3]); /* VLEK against the VCEK ASK (SEV-Milan) */
	t_read(&bad, "go-sev-guest/ask_ark_milan.pem");
	l.chain.ask = bad.data;
	l.chain.ask_len = bad.len;
	(void)verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_ASK);
	cctsa_buf_free(&bad);
	t_unload(&l);

	t_load(&l, &real_cases[6]); /* Genoa VCEK against Milan roots */
	t_read(&bad, "go-sev-guest/ask_ark_milan.pem");
	l.chain.ask = l.chain.ark = bad.data;
	l.chain.ask_len = l.chain.ark_len = bad.len;
	(void)verify_expect_fail(&l, l.report.data, CCTSA_SNP_CHK_ARK);
	cctsa_buf_free(&bad);
	t_unload(&l);
}

/* The VEK extensions as the README states them; the odd hwID encodings. */
static void test_vek_parse(void)
{
	static const struct {
		const char *file;
		const char *product;
		cctsa_snp_tcb tcb;
		size_t hwid_len;
		cctsa_err want;
	} v[] = {
		{"go-sev-guest/vcek.testcer", "Milan-B0", {0, 2, 0, 5, 68}, 64, CCTSA_OK},
		{"virtee-sev/vcek_milan.der", "Milan-B0", {0, 3, 0, 8, 115}, 64, CCTSA_OK},
		{"trustee/test-vlek.der", "Milan", {0, 4, 0, 24, 217}, 0, CCTSA_OK},
		{"trustee/az-snp-vtpm/vcek-genoa.pem", "Genoa", {0, 10, 0, 23, 84}, 64, CCTSA_OK},
		{"derived/trustee_e2e_vcek.der", "Genoa", {0, 10, 0, 23, 25}, 64, CCTSA_OK},
		{"derived/azure_milan_v0_vcek.pem", "Milan-B0", {0, 4, 0, 24, 219}, 64, CCTSA_OK},
		{"virtee-sev/vcek_turin.der", "Turin", {0, 0, 0, 0, 9}, 8, CCTSA_OK},
		{"trustee/test-vcek-invalid-legacy.der", "Milan-B0", {0, 3, 0, 10, 169}, 64, CCTSA_OK},
		{"trustee/test-vcek-invalid-new.der", "", {0, 0, 0, 0, 0}, 0, CCTSA_E_MALFORMED},
		{"virtee-sev/builtin_milan_ark.pem", "", {0, 0, 0, 0, 0}, 0, CCTSA_E_MALFORMED},
	};
	cctsa_snp_vek_info info;
	cctsa_buf b;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cctsa_diag d;
		cctsa_diag_reset(&d);
		t_read(&b, v[i].file);
		CHECK_ERR(cctsa_snp_vek_parse(&info, b.data, b.len, &d), v[i].want);
		if (v[i].want == CCTSA_OK) {
			CHECK(strcmp(info.product, v[i].product) == 0 && info.hwid_len == v[i].hwid_len);
			CHECK(info.tcb.bootloader == v[i].tcb.bootloader && info.tcb.tee == v[i].tcb.tee &&
			      info.tcb.snp == v[i].tcb.snp && info.tcb.microcode == v[i].tcb.microcode);
		} else {
			CHECK(d.msg[0] != '\0');
		}
		cctsa_buf_free(&b);
	}
	t_read(&b, "virtee-sev/vcek_turin.der");
	CHECK_OK(cctsa_snp_vek_parse(&info, b.data, b.len, NULL));
	CHECK(info.has_fmc && memcmp(info.hwid, "\x1e\x55\x0a\x8e\xe5\xcf\x9f\x4d", 8) == 0);
	cctsa_buf_free(&b);
	t_read(&b, "trustee/test-vcek-invalid-legacy.der");
	CHECK_OK(cctsa_snp_vek_parse(&info, b.data, b.len, NULL));
	for (size_t i = 0; i < 64; i++) {
		CHECK(info.hwid[i] == i);
	}
	/* garbage, empty, truncated, trailing bytes */
	CHECK_ERR(cctsa_snp_vek_parse(&info, (const uint8_t *)"garbage", 7, NULL), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_snp_vek_parse(&info, b.data, 0, NULL), CCTSA_E_MALFORMED);
	for (size_t n = 1; n < b.len; n += 7) {
		CHECK_ERR(cctsa_snp_vek_parse(&info, b.data, n, NULL), CCTSA_E_MALFORMED);
	}
	CHECK_OK(cctsa_buf_put_u8(&b, 0));
	CHECK_ERR(cctsa_snp_vek_parse(&info, b.data, b.len, NULL), CCTSA_E_MALFORMED);
	cctsa_buf_free(&b);
}

/* Turin: no report in the test data, so the chain and its extensions alone. */
static void test_turin(void)
{
	cctsa_buf vek, chain;
	cctsa_snp_chain ch;
	cctsa_snp_product prod;

	t_read(&vek, "virtee-sev/vcek_turin.der");
	t_read(&chain, "go-sev-guest/ask_ark_turin_vcek.pem");
	ch = (cctsa_snp_chain){vek.data, vek.len, chain.data, chain.len, chain.data, chain.len};
	CHECK_OK(cctsa_snp_chain_verify(&prod, &ch, T_AT, 0, NULL));
	CHECK(prod == CCTSA_SNP_PRODUCT_TURIN);
	CHECK_ERR(cctsa_snp_chain_verify(&prod, &ch, 1700000000, 0, NULL), CCTSA_E_VERIFY); /* 2023 */
	vek.data[vek.len - 5] ^= 1;
	CHECK_ERR(cctsa_snp_chain_verify(&prod, &ch, T_AT, 0, NULL), CCTSA_E_VERIFY);
	cctsa_buf_free(&vek);
	cctsa_buf_free(&chain);
}

/* Every single-bit flip of report bytes [from, to) fails verification. */
static void test_flip_report(size_t which, size_t from, size_t to)
{
	loaded_case l;
	uint8_t m[CCTSA_SNP_REPORT_LEN];
	cctsa_snp_result *res = cctsa_mem_alloc(sizeof(*res));
	cctsa_snp_verifier *vf;

	t_load(&l, &real_cases[which]);
	CHECK_OK(cctsa_snp_verifier_new(&vf, &l.chain, &l.pol, NULL));
	CHECK_OK(cctsa_snp_verifier_check(vf, res, l.report.data, l.report.len, NULL));
	for (size_t bit = from * 8; bit < to * 8; bit++) {
		memcpy(m, l.report.data, sizeof(m));
		m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		n_verifies++;
		if (cctsa_snp_verifier_check(vf, res, m, sizeof(m), NULL) != CCTSA_E_VERIFY) {
			fprintf(stderr, "flip of bit %zu of %s verified\n", bit, real_cases[which].report);
			abort();
		}
		n_flips++;
	}
	cctsa_snp_verifier_free(vf);
	cctsa_mem_free(res);
	t_unload(&l);
}

/* Bit flips across each certificate (DER) of a chain, sampled with a stride. */
static void flip_cert(loaded_case *l, cctsa_buf *der, const uint8_t **slot, size_t *slot_len, size_t stride,
		      uint64_t *rs)
{
	cctsa_snp_result *res = cctsa_mem_alloc(sizeof(*res));

	*slot = der->data;
	*slot_len = der->len;
	CHECK_OK(verify_case(res, l, l->report.data, l->report.len));
	for (size_t bit = check_rand(rs) % stride; bit < der->len * 8; bit += stride) {
		der->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (verify_case(res, l, l->report.data, l->report.len) != CCTSA_E_VERIFY) {
			fprintf(stderr, "flip of certificate bit %zu verified\n", bit);
			abort();
		}
		der->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		n_cert_flips++;
	}
	cctsa_mem_free(res);
}

static void der_of_pem(cctsa_buf *out, const char *rel, int index)
{
	char path[1024];
	FILE *f;
	X509 *x = NULL;
	unsigned char *der = NULL;
	int n;

	f = fopen(t_path(path, sizeof(path), rel), "r");
	CHECK(f != NULL);
	for (int i = 0; i <= index; i++) {
		X509_free(x);
		x = PEM_read_X509(f, NULL, NULL, NULL);
		CHECK(x != NULL);
	}
	fclose(f);
	n = i2d_X509(x, &der);
	CHECK(n > 0);
	cctsa_buf_init(out, 0);
	CHECK_OK(cctsa_buf_put(out, der, (size_t)n));
	OPENSSL_free(der);
	X509_free(x);
}

/* Milan VCEK chain densely, the Genoa VCEK and Milan VLEK chains more sparsely. */
static void test_flip_certs(uint64_t *rs)
{
	static const struct {
		size_t which;
		const char *ask, *ark;
		int ask_i, ark_i;
		size_t stride;
	} sets[3] = {
		{2, "trustee/milan_ask_ark_asvk.pem", "trustee/milan_ask_ark_asvk.pem", 0, 1, 13},
		{7, "virtee-sev/builtin_genoa_ask.pem", "virtee-sev/builtin_genoa_ark.pem", 0, 0, 61},
		{3, "go-sev-guest/ask_ark_milan_vlek.pem", "go-sev-guest/ask_ark_milan_vlek.pem", 0, 1, 61},
	};

	for (size_t i = 0; i < 3; i++) {
		loaded_case l;
		cctsa_buf ask, ark;

		t_load(&l, &real_cases[sets[i].which]);
		der_of_pem(&ask, sets[i].ask, sets[i].ask_i);
		der_of_pem(&ark, sets[i].ark, sets[i].ark_i);
		l.chain.ask = ask.data;
		l.chain.ask_len = ask.len;
		l.chain.ark = ark.data;
		l.chain.ark_len = ark.len;
		flip_cert(&l, &l.vek, &l.chain.vek, &l.chain.vek_len, sets[i].stride, rs);
		flip_cert(&l, &ask, &l.chain.ask, &l.chain.ask_len, 2 * sets[i].stride + 5, rs);
		flip_cert(&l, &ark, &l.chain.ark, &l.chain.ark_len, 2 * sets[i].stride + 5, rs);
		cctsa_buf_free(&ask);
		cctsa_buf_free(&ark);
		t_unload(&l);
	}
}

#include "attest/sim_test.h"

int main(void)
{
	uint64_t rs = check_seed();
	cctsa_snp_sim *sim = NULL;

	test_codec_real();
	test_codec_rules();
	test_tcb();
	test_verify_real();
	test_verify_policy();
	test_verify_chains();
	test_vek_parse();
	test_turin();
	test_flip_report(2, 0, CCTSA_SNP_REPORT_LEN);  /* v2 VCEK report: all 9472 bits */
	test_flip_report(3, 0x2A0, 0x330);            /* v3 VLEK report: r and s */
	test_flip_report(6, 0x2A0, 0x330);            /* v3 Genoa report: r and s */
	test_flip_certs(&rs);
	test_sim(&sim);
	test_sim_flips(sim);
	test_providers();
	test_binding();
	test_cert_table();
	cctsa_snp_sim_free(sim);
	fprintf(stderr, "attest: 8/8 real reports verified; %lu report bit flips, %lu certificate bit flips "
			"all rejected; %lu verifications\n",
		n_flips, n_cert_flips, n_verifies);
	return 0;
}
