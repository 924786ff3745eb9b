/* Helpers for tests/attest_test.c: the real reports of testdata/sevsnp and their chains. */
#ifndef CCTSA_TESTS_ATTEST_UTIL_H
#define CCTSA_TESTS_ATTEST_UTIL_H

#include "cctsa/attest.h"
#include "check.h"

/* 2025-06-01T00:00:00Z: inside the validity of every VEK in the test data. */
#define T_AT 1748736000LL

typedef struct {
	const char *report, *vek, *ask, *ark;
	uint32_t version, vmpl, key_info;
	uint64_t policy, reported_tcb, current_tcb;
	const char *measurement, *report_data, *chip_id, *report_id;
	cctsa_snp_product product;
	int vlek, debug;
} real_case;

/* Values as testdata/sevsnp/README.md states them. */
static const real_case real_cases[8] = {
	{"go-sev-guest/attestation.bin", "go-sev-guest/vcek.testcer", "go-sev-guest/ask_ark_milan.pem",
	 "go-sev-guest/ask_ark_milan.pem", 2, 0, 0, 0xb0000, 0x4405000000000002ull, 0x4405000000000002ull,
	 "b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01",
	 "0102030405000000000000000000000000000000000000000000000000000000"
	 "0000000000000000000000000000000000000000000000000000000000000000",
	 "3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d",
	 "8edc638e1857c555d21f6b11bda3c8b1b5a09dba4852b4c8ee7aa2f16f22cc0a", CCTSA_SNP_PRODUCT_MILAN, 0, 1},
	{"derived/virtee_report_milan.bin", "virtee-sev/vcek_milan.der", "virtee-sev/builtin_milan_ask.pem",
	 "virtee-sev/builtin_milan_ark.pem", 2, 0, 0, 0x30000, 0x7308000000000003ull, 0x7308000000000003ull,
	 "7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f",
	 "d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd",
	 "d49554ec717f4e5b0fe6b143bcf0405bd7ae304727edf46603f2a76aef6a3abc15d7af38db757039029f0efacfd08e244324884738c72b082e2f87a44d541eb6",
	 "92b3b47d59f0a2a10a74c5678868a80238cf593c01a82f3cffb878e904c28d5b", CCTSA_SNP_PRODUCT_MILAN, 0, 0},
	{"trustee/test-report.bin", "trustee/test-vcek.der", "trustee/milan_ask_ark_asvk.pem",
	 "trustee/milan_ask_ark_asvk.pem", 2, 0, 0, 0x3001f, 0x7308000000000003ull, 0xce08000000000003ull,
	 "a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c",
	 "ec6c52d7533cc2c4f45be7849cf112ab82b2009fe7bd43e71ed08c14400ad7e2"
	 "0000000000000000000000000000000000000000000000000000000000000000",
	 "c38427a30d4c7af9d96f7a15b97269825a64cb76a2352ffd5d18115d89ad473f8e8c0bcd9a5d9286612bad4aadfb4426205a3b9e4fea82301135a170e477524e",
	 "385eba81216de4776548fcb86f8ead03c1ebc92b6207f3210d9ccebb89c99005", CCTSA_SNP_PRODUCT_MILAN, 0, 0},
	{"trustee/test-vlek-report.bin", "trustee/test-vlek.der", "go-sev-guest/ask_ark_milan_vlek.pem",
	 "go-sev-guest/ask_ark_milan_vlek.pem", 3, 1, 4, 0x30000, 0xd918000000000004ull, 0xdc18000000000004ull,
	 "8922ebbdd00ec2c541f36a6e7a82a8773a7accb451ed67bc94e740dbe92c93c4e8c9af857f5ceeb5a493df2a570d7bf0",
	 "819770b7e6ea6df8dd8fd4dd146b073c0bf4f3ce5b0977ecac486e3a05ed1bd54e2a7ac1f5d1ca02e7d7d5ef9f73b8574fd9359e3a480d741a4478e8a7bc27ca",
	 "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
	 "62e04fba700afd93b3a0cc0649b633ee36587fa8a8c2eb5d9b7cd7bc5f4bb057", CCTSA_SNP_PRODUCT_MILAN, 1, 0},
	{"derived/azure_milan_snp_report.bin", "trustee/az-snp-vtpm/vcek.pem", "trustee/az-snp-vtpm/vcek.pem",
	 "trustee/az-snp-vtpm/vcek.pem", 2, 0, 0, 0x3001f, 0x7308000000000003ull, 0xd208000000000003ull,
	 "9ac48fcac8a2d88aeeff8d427ad4f2be0e3917c748a18bdf52cc317e7fe20308b459d5ef1a12e0c22944eb386d17c315",
	 "b3fbad6514c83caeb0380882145e49f794229ef37c421b91fc47ff93556bafac"
	 "0000000000000000000000000000000000000000000000000000000000000000",
	 "19752a447db501a32ade46428a46e92639bd3515dbb45e2e67bbcb0934ffcf1f3e3c004ccb4a99c9fa7e4ffb09da6b324ac58acedaf679f24ba7db5f838c6cca",
	 "0d4188526468615ddf11dac0e0ef1b2a712631b2b9ec02d0e863a8f6d69ed0b0", CCTSA_SNP_PRODUCT_MILAN, 0, 0},
	{"derived/azure_milan_v0_snp_report.bin", "derived/azure_milan_v0_vcek.pem", "go-sev-guest/ask_ark_milan.pem",
	 "go-sev-guest/ask_ark_milan.pem", 3, 0, 0, 0x3001f, 0xdb18000000000004ull, 0xdb18000000000004ull,
	 "6a063be9dd79f6371c842e480f8dc3b5c725961344e57130e88c5adf49e8f7f6c79b75a5eb77fc769959f4aeb2f9401e",
	 "af2910341dd8108360e485f1b72494255190b9cdd5ccb44b73b883037cf99f21"
	 "0000000000000000000000000000000000000000000000000000000000000000",
	 "66a5a7b4403a3006ca734aa36a76dd3061d56f398e1e73b0be683ecd2eede9e70811c677abf8d9c9251b52baafbdc97b8121ec0c75661ffba636073b09fa563a",
	 "5ab50660c013e1c2ea33b759d64e1ac2e9b68fc9b788640eca9df081cbb866c9", CCTSA_SNP_PRODUCT_MILAN, 0, 0},
	{"derived/azure_genoa_snp_report.bin", "trustee/az-snp-vtpm/vcek-genoa.pem", "go-sev-guest/ask_ark_genoa.pem",
	 "go-sev-guest/ask_ark_genoa.pem", 3, 0, 0, 0x3001f, 0x541700000000000aull, 0x541700000000000aull,
	 "f57dc09a507c6ecd82369bffb600f0003792f4d99bc26e985ec0c266fc34faf3706faf814c9e61065768a6ff917c89ae",
	 "b581f12e29a2d7d64e5e0b738d563879a78b51c644d0fa0cce02b48699f6bf5f"
	 "0000000000000000000000000000000000000000000000000000000000000000",
	 "0506ffba875e939c2729d20c74eb72b4c5ba6bf7ea1faaa640141f12c6d64782fb487f68ce69dcd021e914cc0d9244327bc121f0242d6470903ad1d4aaea4ad1",
	 "8c678f0cba548b25bc8ed1f723231570447886c74b1fa1f7eb23699755cb4801", CCTSA_SNP_PRODUCT_GENOA, 0, 0},
	{"derived/trustee_e2e_genoa_snp_report.bin", "derived/trustee_e2e_vcek.der", "virtee-sev/builtin_genoa_ask.pem",
	 "virtee-sev/builtin_genoa_ark.pem", 3, 0, 0, 0x30000, 0x191700000000000aull, 0x191700000000000aull,
	 "6a6519d757e68c2e939c9dbbbc1828498e8de35d2766dd05f1a2cca5059d0cf4ae62a36d75c837974dd50b315506e73e",
	 "7e7320889600c7ac133aea7b896c51f41026002982292a7369559796999c1bf929eef3ff23c46e858f0b1982f9a92b17c51b578d958cde6b0c92978f150cf9b0",
	 "371c55d6d15cb50f16dc31d39a24e300caaabff4431e841111429b73ec45ad67ea6e687ffae7bf84b54a5d0e6d79b3ef6ff0bd8b4cff94c2163af5c5de8718e8",
	 "b34cb907a31ad237beb02efd236ab9899a7ddd66ff5beed2636765183a84e44f", CCTSA_SNP_PRODUCT_GENOA, 0, 0},
};

/* Path of a file under testdata/sevsnp/. */
static inline const char *t_path(char *out, size_t cap, const char *rel)
{
	char sub[512];

	snprintf(sub, sizeof(sub), "sevsnp/%s", rel);
	return check_testdata(out, cap, sub);
}

static inline void t_read(cctsa_buf *b, const char *rel)
{
	char path[1024];
	cctsa_diag d;

	cctsa_diag_reset(&d);
	if (cctsa_file_read(b, t_path(path, sizeof(path), rel), 1 << 20, &d) != CCTSA_OK) {
		fprintf(stderr, "cannot read %s: %s\n", path, d.msg);
		abort();
	}
}

static inline void t_unhex(uint8_t *out, size_t n, const char *hex)
{
	size_t got = 0;

	CHECK(strlen(hex) == 2 * n);
	CHECK_OK(cctsa_hex_decode(out, n, &got, hex));
	CHECK(got == n);
}

/* A real case loaded: report bytes, certificate files, expected values. */
typedef struct {
	cctsa_buf report, vek, ask, ark;
	cctsa_snp_chain chain;
	uint8_t measurement[48], report_data[64];
	cctsa_snp_policy pol;
} loaded_case;

static inline void t_load(loaded_case *l, const real_case *c)
{
	t_read(&l->report, c->report);
	t_read(&l->vek, c->vek);
	t_read(&l->ask, c->ask);
	t_read(&l->ark, c->ark);
	l->chain = (cctsa_snp_chain){l->vek.data, l->vek.len, l->ask.data, l->ask.len, l->ark.data, l->ark.len};
	t_unhex(l->measurement, 48, c->measurement);
	t_unhex(l->report_data, 64, c->report_data);
	cctsa_snp_policy_init(&l->pol);
	l->pol.at = T_AT;
	l->pol.measurement = l->measurement;
	l->pol.report_data = l->report_data;
	l->pol.vmpl = c->vmpl;
	l->pol.allow_debug = c->debug;
}

static inline void t_unload(loaded_case *l)
{
	cctsa_buf_free(&l->report);
	cctsa_buf_free(&l->vek);
	cctsa_buf_free(&l->ask);
	cctsa_buf_free(&l->ark);
}

static inline void t_print_result(const cctsa_snp_result *r)
{
	for (int i = 0; i < CCTSA_SNP_CHK_COUNT; i++) {
		fprintf(stderr, "  %-13s %s  %s\n", cctsa_snp_check_name((cctsa_snp_check)i),
			r->status[i] == CCTSA_SNP_PASS ? "pass" : r->status[i] == CCTSA_SNP_FAIL ? "FAIL" : "skip",
			r->reason[i]);
	}
}

#endif
