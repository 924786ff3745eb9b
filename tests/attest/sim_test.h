/* Part of tests/attest_test.c: the simulator, the providers and the binding. */

/* The simulator: its reports verify only when simulated roots are allowed, and say so. */
static void test_sim(cctsa_snp_sim **out)
{
	cctsa_snp_sim_opts o;
	cctsa_snp_sim *s;
	cctsa_snp_chain ch;
	cctsa_snp_policy pol;
	cctsa_snp_result *res = cctsa_mem_alloc(sizeof(*res));
	uint8_t rd[64], rep[CCTSA_SNP_REPORT_LEN];
	cctsa_snp_report r;
	loaded_case l;

	cctsa_snp_sim_opts_init(&o);
	for (int i = 0; i < 48; i++) {
		o.measurement[i] = (uint8_t)(0xA0 + i);
	}
	CHECK_OK(cctsa_snp_sim_new(&s, &o, NULL));
	*out = s;
	for (int i = 0; i < 64; i++) {
		rd[i] = (uint8_t)i;
	}
	CHECK_OK(cctsa_snp_sim_report(s, rep, rd, 0, NULL));
	CHECK_OK(cctsa_snp_report_decode(&r, rep, sizeof(rep), NULL));
	CHECK(r.version == 3 && memcmp(r.chip_id, "CCTSA-SIMULATED-CCTSA-SIMULATED-", 32) == 0);
	CHECK(memcmp(r.measurement, o.measurement, 48) == 0 && memcmp(r.report_data, rd, 64) == 0);
	cctsa_snp_sim_chain(s, &ch);
	cctsa_snp_policy_init(&pol);
	pol.measurement = o.measurement;
	pol.report_data = rd;
	pol.allow_simulated = 1;
	if (cctsa_snp_verify(res, rep, sizeof(rep), &ch, &pol, NULL) != CCTSA_OK || res->skipped) {
		t_print_result(res);
		abort();
	}
	CHECK(res->simulated == 1 && res->product == CCTSA_SNP_PRODUCT_SIM);
	CHECK(strstr(res->reason[CCTSA_SNP_CHK_ARK], "SIMULATED") != NULL);
	/* presented as real: the default policy pins AMD's roots */
	pol.allow_simulated = 0;
	CHECK_ERR(cctsa_snp_verify(res, rep, sizeof(rep), &ch, &pol, NULL), CCTSA_E_VERIFY);
	CHECK(res->status[CCTSA_SNP_CHK_ARK] == CCTSA_SNP_FAIL && !res->simulated);
	/* a sim report with AMD's Milan chain */
	t_load(&l, &real_cases[2]);
	pol.allow_simulated = 1;
	CHECK_ERR(cctsa_snp_verify(res, rep, sizeof(rep), &l.chain, &pol, NULL), CCTSA_E_VERIFY);
	CHECK(res->status[CCTSA_SNP_CHK_SIGNATURE] == CCTSA_SNP_FAIL && !res->simulated);
	/* a real report with the simulator's chain */
	l.pol.allow_simulated = 1;
	CHECK_ERR(cctsa_snp_verify(res, l.report.data, l.report.len, &ch, &l.pol, NULL), CCTSA_E_VERIFY);
	CHECK(res->status[CCTSA_SNP_CHK_SIGNATURE] == CCTSA_SNP_FAIL);
	CHECK(res->status[CCTSA_SNP_CHK_CHIP_ID] == CCTSA_SNP_FAIL);
	t_unload(&l);
	/* wrong binding, VMPL, and expiry of the sim chain (valid from now - 1 h) */
	rd[5] ^= 1;
	CHECK_ERR(cctsa_snp_verify(res, rep, sizeof(rep), &ch, &pol, NULL), CCTSA_E_VERIFY);
	CHECK(res->failed == 1 && res->status[CCTSA_SNP_CHK_REPORT_DATA] == CCTSA_SNP_FAIL);
	rd[5] ^= 1;
	pol.at -= 2 * 3600;
	CHECK_ERR(cctsa_snp_verify(res, rep, sizeof(rep), &ch, &pol, NULL), CCTSA_E_VERIFY);
	pol.at += 2 * 3600;
	CHECK_OK(cctsa_snp_sim_report(s, rep, rd, 2, NULL));
	CHECK_ERR(cctsa_snp_verify(res, rep, sizeof(rep), &ch, &pol, NULL), CCTSA_E_VERIFY);
	CHECK(res->failed == 1 && res->status[CCTSA_SNP_CHK_VMPL] == CCTSA_SNP_FAIL);
	CHECK_ERR(cctsa_snp_sim_report(s, rep, rd, 4, NULL), CCTSA_E_USAGE);
	/* two reports differ only in their ECDSA nonces */
	{
		uint8_t rep2[CCTSA_SNP_REPORT_LEN];
		CHECK_OK(cctsa_snp_sim_report(s, rep, rd, 0, NULL));
		CHECK_OK(cctsa_snp_sim_report(s, rep2, rd, 0, NULL));
		CHECK(memcmp(rep, rep2, CCTSA_SNP_SIGNED_LEN) == 0 && memcmp(rep, rep2, sizeof(rep)) != 0);
	}
	cctsa_mem_free(res);
}

/* Every single-bit flip of a simulated report fails too. */
static void test_sim_flips(cctsa_snp_sim *s)
{
	cctsa_snp_chain ch;
	cctsa_snp_policy pol;
	cctsa_snp_result *res = cctsa_mem_alloc(sizeof(*res));
	uint8_t rd[64] = {1}, rep[CCTSA_SNP_REPORT_LEN], m[CCTSA_SNP_REPORT_LEN];
	cctsa_snp_verifier *vf;

	CHECK_OK(cctsa_snp_sim_report(s, rep, rd, 0, NULL));
	cctsa_snp_sim_chain(s, &ch);
	cctsa_snp_policy_init(&pol);
	pol.allow_simulated = 1;
	pol.report_data = rd;
	CHECK_OK(cctsa_snp_verifier_new(&vf, &ch, &pol, NULL));
	CHECK_OK(cctsa_snp_verifier_check(vf, res, rep, sizeof(rep), NULL));
	CHECK(res->simulated);
	for (size_t bit = 0; bit < CCTSA_SNP_REPORT_LEN * 8; bit++) {
		memcpy(m, rep, sizeof(m));
		m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		CHECK_ERR(cctsa_snp_verifier_check(vf, res, m, sizeof(m), NULL), CCTSA_E_VERIFY);
		n_flips++;
	}
	cctsa_snp_verifier_free(vf);
	cctsa_mem_free(res);
}

static void test_providers(void)
{
	cctsa_attest_config cfg;
	cctsa_attest_provider *p;
	cctsa_diag d;
	uint8_t rd[64] = {9}, rep[CCTSA_SNP_REPORT_LEN], rsp[4000];
	cctsa_snp_chain ch;
	cctsa_snp_result *res = cctsa_mem_alloc(sizeof(*res));
	cctsa_snp_policy pol;
	cctsa_buf real;

	CHECK(cctsa_snp_ioctl_get_report() == (unsigned long)SNP_GET_REPORT);
	CHECK(cctsa_snp_ioctl_get_ext_report() == (unsigned long)SNP_GET_EXT_REPORT);
	CHECK(sizeof(struct snp_ext_report_req) == 112 && sizeof(struct snp_report_req) == 96);
	cctsa_attest_config_init(&cfg, "sev-guest");
	cfg.device = "/nonexistent/sev-guest";
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_attest_open(&p, &cfg, &d), CCTSA_E_IO);
	CHECK(p == NULL && strstr(d.msg, "/nonexistent/sev-guest") != NULL);
	cfg.device = "/dev/null"; /* opens, but the ioctl is refused */
	CHECK_OK(cctsa_attest_open(&p, &cfg, NULL));
	CHECK(!cctsa_attest_is_simulated(p) && strcmp(cctsa_attest_provider_name(p), "sev-guest") == 0);
	CHECK_ERR(cctsa_attest_get_report(p, rep, rd, NULL), CCTSA_E_IO);
	CHECK_ERR(cctsa_attest_get_chain(p, &ch, NULL), CCTSA_E_IO); /* SNP_GET_EXT_REPORT refused */
	cctsa_attest_close(p);
	cctsa_attest_config_init(&cfg, "tpm");
	CHECK_ERR(cctsa_attest_open(&p, &cfg, NULL), CCTSA_E_USAGE);

	/* MSG_REPORT_RSP parsing with a real report inside */
	t_read(&real, "trustee/test-report.bin");
	memset(rsp, 0, sizeof(rsp));
	rsp[4] = 0xA0;
	rsp[5] = 0x04; /* 1184 */
	memcpy(rsp + 32, real.data, real.len);
	CHECK_OK(cctsa_snp_parse_report_rsp(rep, rsp, sizeof(rsp), NULL));
	CHECK(memcmp(rep, real.data, real.len) == 0);
	CHECK_ERR(cctsa_snp_parse_report_rsp(rep, rsp, 20, NULL), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_snp_parse_report_rsp(rep, rsp, 32 + 1000, NULL), CCTSA_E_MALFORMED);
	rsp[0] = 0x16;
	CHECK_ERR(cctsa_snp_parse_report_rsp(rep, rsp, sizeof(rsp), NULL), CCTSA_E_IO);
	rsp[0] = 0;
	rsp[4] = 0x9F;
	CHECK_ERR(cctsa_snp_parse_report_rsp(rep, rsp, sizeof(rsp), NULL), CCTSA_E_MALFORMED);
	cctsa_buf_free(&real);

	/* sim provider end to end (2048-bit ARK/ASK to keep the test short) */
	cctsa_attest_config_init(&cfg, "sim");
	cfg.sim.rsa_bits = 2048;
	CHECK_OK(cctsa_attest_open(&p, &cfg, NULL));
	CHECK(cctsa_attest_is_simulated(p) && strcmp(cctsa_attest_provider_name(p), "sim") == 0);
	CHECK_OK(cctsa_attest_get_report(p, rep, rd, NULL));
	CHECK_OK(cctsa_attest_get_chain(p, &ch, NULL));
	cctsa_snp_policy_init(&pol);
	pol.allow_simulated = 1;
	pol.report_data = rd;
	pol.measurement = cfg.sim.measurement;
	CHECK_OK(cctsa_snp_verify(res, rep, sizeof(rep), &ch, &pol, NULL));
	CHECK(res->simulated && res->skipped == 0);
	cctsa_attest_close(p);
	/* a guest whose policy allows a migration agent: refused unless the verifier allows it */
	cfg.sim.policy |= CCTSA_SNP_POLICY_MIGRATE_MA;
	cfg.vmpl = 1;
	CHECK_OK(cctsa_attest_open(&p, &cfg, NULL));
	CHECK_OK(cctsa_attest_get_report(p, rep, rd, NULL));
	CHECK_OK(cctsa_attest_get_chain(p, &ch, NULL));
	pol.vmpl = 1;
	CHECK_ERR(cctsa_snp_verify(res, rep, sizeof(rep), &ch, &pol, NULL), CCTSA_E_VERIFY);
	CHECK(res->failed == 1 && res->status[CCTSA_SNP_CHK_POLICY] == CCTSA_SNP_FAIL);
	CHECK(strstr(res->reason[CCTSA_SNP_CHK_POLICY], "migration agent") != NULL);
	pol.allow_migrate_ma = 1;
	CHECK_OK(cctsa_snp_verify(res, rep, sizeof(rep), &ch, &pol, NULL));
	cctsa_attest_close(p);
	cfg.vmpl = 4;
	CHECK_ERR(cctsa_attest_open(&p, &cfg, NULL), CCTSA_E_USAGE);
	cfg.vmpl = 0;
	cfg.sim.rsa_bits = 1024;
	CHECK_ERR(cctsa_attest_open(&p, &cfg, NULL), CCTSA_E_USAGE);
	cctsa_mem_free(res);
}

static void test_binding(void)
{
	uint8_t k[48], c[48], n[32], out[64], out2[64], cat[18 + 48 + 48 + 32], want[64];
	unsigned wl = 0;

	for (int i = 0; i < 48; i++) {
		k[i] = (uint8_t)i;
		c[i] = (uint8_t)(0x80 + i);
	}
	memset(n, 0x5A, sizeof(n));
	CHECK_OK(cctsa_snp_binding(out, k, c, n));
	memcpy(cat, "CCTSA-SNP-BIND-v1", 18);
	memcpy(cat + 18, k, 48);
	memcpy(cat + 66, c, 48);
	memcpy(cat + 114, n, 32);
	CHECK(EVP_Digest(cat, sizeof(cat), want, &wl, EVP_sha512(), NULL) == 1 && wl == 64);
	CHECK_MEMEQ(out, want, 64);
	n[31] ^= 1;
	CHECK_OK(cctsa_snp_binding(out2, k, c, n));
	CHECK(memcmp(out, out2, 64) != 0);
}

/* Appends one certificate-table entry header. */
static void ct_entry(uint8_t *t, size_t i, const char *guid_hex, uint32_t off, uint32_t len)
{
	if (guid_hex != NULL) {
		t_unhex(t + 24 * i, 16, guid_hex);
	} else {
		memset(t + 24 * i, 0, 16);
	}
	memcpy(t + 24 * i + 16, &off, 4); /* little-endian host: the uapi uses native order */
	memcpy(t + 24 * i + 20, &len, 4);
}

#define G_VCEK "63da758de6644564adc5f4b93be8accd"
#define G_VLEK "a8074bc2a25a483eaae639c045a0b8a1"
#define G_ASK "4ab7b379bbac4fe4a02f05aef327c782"
#define G_ARK "c0b406a4a803495297433fb6014cd0ae"

/* The extended report's certificate table: real certificates arranged as a host would. */
static void test_cert_table(void)
{
	loaded_case l;
	cctsa_buf ask, ark;
	uint8_t *t = cctsa_mem_alloc(16384);
	size_t hdr = 24 * 5, off;
	cctsa_snp_chain ch;
	cctsa_snp_result *res = cctsa_mem_alloc(sizeof(*res));
	t_load(&l, &real_cases[1]);
	der_of_pem(&ask, "virtee-sev/builtin_milan_ask.pem", 0);
	der_of_pem(&ark, "virtee-sev/builtin_milan_ark.pem", 0);
	off = hdr;
	ct_entry(t, 0, "00112233445566778899aabbccddeeff", (uint32_t)off, 1); /* unknown: skipped */
	ct_entry(t, 1, G_VCEK, (uint32_t)off, (uint32_t)l.vek.len);
	memcpy(t + off, l.vek.data, l.vek.len);
	off += l.vek.len;
	ct_entry(t, 2, G_ASK, (uint32_t)off, (uint32_t)ask.len);
	memcpy(t + off, ask.data, ask.len);
	off += ask.len;
	ct_entry(t, 3, G_ARK, (uint32_t)off, (uint32_t)ark.len);
	memcpy(t + off, ark.data, ark.len);
	off += ark.len;
	ct_entry(t, 4, NULL, 0, 0);
	CHECK_OK(cctsa_snp_parse_cert_table(&ch, t, off, NULL));
	CHECK(ch.vek == t + hdr && ch.vek_len == l.vek.len && ch.ask_len == ask.len && ch.ark_len == ark.len);
	CHECK_OK(cctsa_snp_verify(res, l.report.data, l.report.len, &ch, &l.pol, NULL));
	/* every truncation of the table fails or drops a certificate the chain needs */
	for (size_t n = 0; n < off; n += 97) {
		cctsa_err e = cctsa_snp_parse_cert_table(&ch, t, n, NULL);
		CHECK(e == CCTSA_E_MALFORMED);
	}
	ct_entry(t, 2, G_VCEK, (uint32_t)hdr, 10); /* repeated GUID */
	CHECK_ERR(cctsa_snp_parse_cert_table(&ch, t, off, NULL), CCTSA_E_MALFORMED);
	ct_entry(t, 2, G_ASK, 24, 10); /* inside the entries */
	CHECK_ERR(cctsa_snp_parse_cert_table(&ch, t, off, NULL), CCTSA_E_MALFORMED);
	ct_entry(t, 2, G_ASK, (uint32_t)off - 5, 10); /* past the end */
	CHECK_ERR(cctsa_snp_parse_cert_table(&ch, t, off, NULL), CCTSA_E_MALFORMED);
	ct_entry(t, 2, G_ASK, (uint32_t)hdr, 0); /* empty */
	CHECK_ERR(cctsa_snp_parse_cert_table(&ch, t, off, NULL), CCTSA_E_MALFORMED);
	ct_entry(t, 2, G_ASK, 0xFFFFFFF0u, 0x20); /* offset + length wraps */
	CHECK_ERR(cctsa_snp_parse_cert_table(&ch, t, off, NULL), CCTSA_E_MALFORMED);
	ct_entry(t, 2, G_ASK, (uint32_t)(hdr + l.vek.len), (uint32_t)ask.len);
	ct_entry(t, 4, NULL, 1, 0); /* terminator not all zero */
	CHECK_ERR(cctsa_snp_parse_cert_table(&ch, t, off, NULL), CCTSA_E_MALFORMED);
	ct_entry(t, 4, NULL, 0, 0);
	ct_entry(t, 1, G_VLEK, (uint32_t)hdr, (uint32_t)l.vek.len); /* a VLEK-only table */
	CHECK_OK(cctsa_snp_parse_cert_table(&ch, t, off, NULL));
	CHECK(ch.vek == t + hdr);
	ct_entry(t, 1, "00112233445566778899aabbccddeef0", (uint32_t)hdr, 1); /* no VEK at all */
	CHECK_ERR(cctsa_snp_parse_cert_table(&ch, t, off, NULL), CCTSA_E_MALFORMED);
	memset(t, 0xAB, 16384); /* no terminator in 64 entries */
	CHECK_ERR(cctsa_snp_parse_cert_table(&ch, t, 16384, NULL), CCTSA_E_MALFORMED);
	cctsa_buf_free(&ask);
	cctsa_buf_free(&ark);
	t_unload(&l);
	cctsa_mem_free(res);
	cctsa_mem_free(t);
}
