/*
 * cctsa attest: verify an SEV-SNP report against its VCEK/VLEK chain, decode one,
 * make simulated reports, or fetch a real one from /dev/sev-guest.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cctsa/attest.h"
#include "cli.h"

const char cctsa_cli_attest_summary[] = "verify, decode, simulate or fetch SEV-SNP attestation reports";

static const char usage_text[] =
	"usage:\n"
	"  cctsa attest verify --report R.bin --vcek V --ask A --ark K [--at TIME]\n"
	"                      [--measurement HEX] [--report-data HEX] [--vmpl N]\n"
	"                      [--min-tcb BL:TEE:SNP:UCODE[:FMC]] [--allow-debug]\n"
	"                      [--allow-migrate-ma] [--allow-sim]\n"
	"  cctsa attest decode [--report R.bin] [--vcek V]\n"
	"  cctsa attest sim-report --report-data HEX --out R.bin --chain-out DIR\n"
	"                      [--measurement HEX] [--vmpl N] [--rsa-bits N]\n"
	"  cctsa attest get-report --report-data HEX --out R.bin [--chain-out DIR]\n"
	"                      [--device PATH] [--vmpl N]\n"
	"\n"
	"Certificates are PEM (a file may hold several; the right one is picked by name)\n"
	"or DER. TIME is YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @UNIX (default: now).\n"
	"--report-data takes up to 64 bytes, zero-padded on the right; --measurement 48.\n"
	"verify prints the decoded report and every check; it exits 0 only if no check\n"
	"failed. A check whose expected value was not given is shown as 'skip' and is\n"
	"not a pass. --allow-sim accepts the simulator's root and marks the result\n"
	"SIMULATED; without it only the pinned AMD roots (Milan, Genoa, Turin) count.\n"
	"sim-report writes the report and DIR/{vcek,ask,ark}.pem of a fresh simulator;\n"
	"get-report asks /dev/sev-guest, and with --chain-out also writes the\n"
	"certificates the host attaches to an extended report.\n";

typedef struct {
	const char *report, *vcek, *ask, *ark, *at, *meas, *rdata, *min_tcb, *out, *chain_out, *device;
	long vmpl, rsa_bits;
	int allow_debug, allow_ma, allow_sim;
} attest_args;

static int parse_args(attest_args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{"report", required_argument, NULL, 'r'},      {"vcek", required_argument, NULL, 'v'},
		{"ask", required_argument, NULL, 'a'},         {"ark", required_argument, NULL, 'k'},
		{"at", required_argument, NULL, 't'},          {"measurement", required_argument, NULL, 'm'},
		{"report-data", required_argument, NULL, 'd'}, {"vmpl", required_argument, NULL, 'p'},
		{"min-tcb", required_argument, NULL, 'T'},     {"allow-debug", no_argument, NULL, 'D'},
		{"allow-migrate-ma", no_argument, NULL, 'M'},  {"allow-sim", no_argument, NULL, 'S'},
		{"out", required_argument, NULL, 'o'},         {"chain-out", required_argument, NULL, 'c'},
		{"device", required_argument, NULL, 'e'},      {"rsa-bits", required_argument, NULL, 'b'},
		{NULL, 0, NULL, 0}};
	int ch;
	char *end;

	memset(a, 0, sizeof(*a));
	a->rsa_bits = 4096;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': a->report = optarg; break;
		case 'v': a->vcek = optarg; break;
		case 'a': a->ask = optarg; break;
		case 'k': a->ark = optarg; break;
		case 't': a->at = optarg; break;
		case 'm': a->meas = optarg; break;
		case 'd': a->rdata = optarg; break;
		case 'T': a->min_tcb = optarg; break;
		case 'D': a->allow_debug = 1; break;
		case 'M': a->allow_ma = 1; break;
		case 'S': a->allow_sim = 1; break;
		case 'o': a->out = optarg; break;
		case 'c': a->chain_out = optarg; break;
		case 'e': a->device = optarg; break;
		case 'p':
		case 'b': {
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 0 || v > 65536) {
				return cctsa_cli_usage("attest", "bad number '%s'", optarg);
			}
			*(ch == 'p' ? &a->vmpl : &a->rsa_bits) = v;
			break;
		}
		default:
			return cctsa_cli_usage("attest", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc) {
		return cctsa_cli_usage("attest", "unexpected argument '%s'", argv[optind]);
	}
	return CCTSA_EXIT_OK;
}

/* HEX of at most cap bytes, zero-padded to cap (exact: must be cap bytes). */
static int parse_hex(uint8_t *out, size_t cap, const char *hex, int exact, const char *what)
{
	size_t n = 0;

	memset(out, 0, cap);
	if (cctsa_hex_decode(out, cap, &n, hex) != CCTSA_OK || (exact && n != cap)) {
		return cctsa_cli_usage("attest", "--%s must be %s%zu bytes of hex", what, exact ? "" : "at most ", cap);
	}
	return CCTSA_EXIT_OK;
}

static int parse_time(int64_t *out, const char *s)
{
	struct tm tm;
	const char *end;
	char *e2;

	if (s[0] == '@') {
		long long v = strtoll(s + 1, &e2, 10);
		if (s[1] == '\0' || *e2 != '\0') {
			return cctsa_cli_usage("attest", "bad --at '%s'", s);
		}
		*out = (int64_t)v;
		return CCTSA_EXIT_OK;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0') {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
	}
	if (end == NULL || *end != '\0') {
		return cctsa_cli_usage("attest", "bad --at '%s' (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @UNIX)", s);
	}
	*out = (int64_t)timegm(&tm);
	return CCTSA_EXIT_OK;
}

static int parse_min_tcb(cctsa_snp_tcb *t, const char *s)
{
	unsigned v[5] = {0, 0, 0, 0, 0};
	char tail;
	int n = sscanf(s, "%u:%u:%u:%u:%u%c", &v[0], &v[1], &v[2], &v[3], &v[4], &tail);

	if ((n != 4 && n != 5) || v[0] > 255 || v[1] > 255 || v[2] > 255 || v[3] > 255 || v[4] > 255) {
		return cctsa_cli_usage("attest", "bad --min-tcb '%s' (BL:TEE:SNP:UCODE[:FMC], each 0..255)", s);
	}
	*t = (cctsa_snp_tcb){(uint8_t)v[4], (uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2], (uint8_t)v[3]};
	return CCTSA_EXIT_OK;
}

static int read_file(cctsa_buf *b, const char *path, size_t max)
{
	cctsa_diag d;

	cctsa_diag_reset(&d);
	if (cctsa_file_read(b, path, max, &d) != CCTSA_OK) {
		return cctsa_cli_fail("attest", "%s", cctsa_diag_str(&d, d.err));
	}
	return CCTSA_EXIT_OK;
}

static void print_hex(const char *name, const uint8_t *p, size_t n)
{
	char h[2 * 72 + 1];

	if (cctsa_hex_encode(h, sizeof(h), p, n) != CCTSA_OK) {
		h[0] = '\0';
	}
	printf("  %-18s %s\n", name, h);
}

static void print_tcb(const char *name, uint64_t raw, cctsa_snp_product p)
{
	cctsa_snp_tcb t = cctsa_snp_tcb_split(p, raw, NULL);

	if (p == CCTSA_SNP_PRODUCT_TURIN) {
		printf("  %-18s 0x%016llx (fmc %u bl %u tee %u snp %u ucode %u)\n", name, (unsigned long long)raw,
		       t.fmc, t.bootloader, t.tee, t.snp, t.microcode);
	} else {
		printf("  %-18s 0x%016llx (bl %u tee %u snp %u ucode %u)\n", name, (unsigned long long)raw,
		       t.bootloader, t.tee, t.snp, t.microcode);
	}
}

static void print_report(const cctsa_snp_report *r, cctsa_snp_product p)
{
	uint32_t sk = cctsa_snp_report_signing_key(r);

	printf("report (product layout: %s):\n", cctsa_snp_product_name(p));
	printf("  %-18s %u\n  %-18s %u\n", "version", r->version, "guest_svn", r->guest_svn);
	printf("  %-18s 0x%llx (abi %u.%u%s%s%s%s)\n", "policy", (unsigned long long)r->policy,
	       (unsigned)((r->policy >> 8) & 0xff), (unsigned)(r->policy & 0xff),
	       (r->policy & CCTSA_SNP_POLICY_SMT) ? ", smt" : "",
	       (r->policy & CCTSA_SNP_POLICY_MIGRATE_MA) ? ", MIGRATE_MA" : "",
	       (r->policy & CCTSA_SNP_POLICY_DEBUG) ? ", DEBUG" : "",
	       (r->policy & CCTSA_SNP_POLICY_SINGLE_SOCKET) ? ", single-socket" : "");
	print_hex("family_id", r->family_id, sizeof(r->family_id));
	print_hex("image_id", r->image_id, sizeof(r->image_id));
	printf("  %-18s %u\n  %-18s %u\n", "vmpl", r->vmpl, "sig_algo", r->sig_algo);
	print_tcb("current_tcb", r->current_tcb, p);
	printf("  %-18s 0x%llx\n", "platform_info", (unsigned long long)r->platform_info);
	printf("  %-18s 0x%x (author_key_en %u, mask_chip_key %u, signing_key %u = %s)\n", "key_info", r->key_info,
	       r->key_info & 1u, (r->key_info >> 1) & 1u, sk, sk == 0 ? "VCEK" : sk == 1 ? "VLEK" : "none");
	print_hex("report_data", r->report_data, sizeof(r->report_data));
	print_hex("measurement", r->measurement, sizeof(r->measurement));
	print_hex("host_data", r->host_data, sizeof(r->host_data));
	print_hex("id_key_digest", r->id_key_digest, sizeof(r->id_key_digest));
	print_hex("author_key_digest", r->author_key_digest, sizeof(r->author_key_digest));
	print_hex("report_id", r->report_id, sizeof(r->report_id));
	print_hex("report_id_ma", r->report_id_ma, sizeof(r->report_id_ma));
	print_tcb("reported_tcb", r->reported_tcb, p);
	if (r->version >= 3) {
		printf("  %-18s family 0x%02x model 0x%02x stepping %u\n", "cpuid", r->cpuid_fam_id, r->cpuid_mod_id,
		       r->cpuid_step);
	}
	print_hex("chip_id", r->chip_id, sizeof(r->chip_id));
	print_tcb("committed_tcb", r->committed_tcb, p);
	printf("  %-18s %u.%u build %u\n", "current_fw", r->current_major, r->current_minor, r->current_build);
	printf("  %-18s %u.%u build %u\n", "committed_fw", r->committed_major, r->committed_minor, r->committed_build);
	print_tcb("launch_tcb", r->launch_tcb, p);
	if (r->version >= 5) {
		printf("  %-18s 0x%016llx\n  %-18s 0x%016llx\n", "launch_mit_vector",
		       (unsigned long long)r->launch_mit_vector, "current_mit_vector",
		       (unsigned long long)r->current_mit_vector);
	}
	print_hex("signature_r (le)", r->sig_r, 48);
	print_hex("signature_s (le)", r->sig_s, 48);
}

static int build_policy(cctsa_snp_policy *pol, const attest_args *a, uint8_t meas[48], uint8_t rdata[64])
{
	int rc;

	cctsa_snp_policy_init(pol);
	if (a->at != NULL && (rc = parse_time(&pol->at, a->at)) != CCTSA_EXIT_OK) {
		return rc;
	}
	if (a->meas != NULL) {
		if ((rc = parse_hex(meas, 48, a->meas, 1, "measurement")) != CCTSA_EXIT_OK) {
			return rc;
		}
		pol->measurement = meas;
	}
	if (a->rdata != NULL) {
		if ((rc = parse_hex(rdata, 64, a->rdata, 0, "report-data")) != CCTSA_EXIT_OK) {
			return rc;
		}
		pol->report_data = rdata;
	}
	if (a->min_tcb != NULL && (rc = parse_min_tcb(&pol->min_tcb, a->min_tcb)) != CCTSA_EXIT_OK) {
		return rc;
	}
	if (a->vmpl > 3) {
		return cctsa_cli_usage("attest", "--vmpl must be 0..3");
	}
	pol->vmpl = (uint32_t)a->vmpl;
	pol->allow_debug = a->allow_debug;
	pol->allow_migrate_ma = a->allow_ma;
	pol->allow_simulated = a->allow_sim;
	return CCTSA_EXIT_OK;
}

static void print_time(int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;
	char buf[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		buf[0] = '\0';
	}
	printf("verification time: %s (@%lld)\n", buf, (long long)at);
}

static void print_checks(const cctsa_snp_result *res)
{
	static const char *const st[3] = {"skip", "pass", "FAIL"};

	printf("checks:\n");
	for (int i = 0; i < CCTSA_SNP_CHK_COUNT; i++) {
		printf("  %-13s %s  %s\n", cctsa_snp_check_name((cctsa_snp_check)i), st[res->status[i]],
		       res->reason[i]);
	}
	if (res->failed != 0) {
		printf("result: NOT VERIFIED (%u check%s failed)\n", res->failed, res->failed == 1 ? "" : "s");
	} else if (res->skipped != 0) {
		printf("result: VERIFIED%s, but %u check%s not requested (see 'skip')\n",
		       res->simulated ? " (SIMULATED platform, not AMD hardware)" : "", res->skipped,
		       res->skipped == 1 ? "" : "s");
	} else {
		printf("result: VERIFIED%s\n", res->simulated ? " (SIMULATED platform, not AMD hardware)" : "");
	}
}

static int cmd_verify(const attest_args *a)
{
	cctsa_buf rep, v, s, k;
	cctsa_snp_policy pol;
	cctsa_snp_result *res = NULL;
	uint8_t meas[48], rdata[64];
	int rc;

	if (a->report == NULL || a->vcek == NULL || a->ask == NULL || a->ark == NULL) {
		return cctsa_cli_usage("attest", "verify needs --report, --vcek, --ask and --ark");
	}
	if ((rc = build_policy(&pol, a, meas, rdata)) != CCTSA_EXIT_OK) {
		return rc;
	}
	cctsa_buf_init(&rep, 0);
	cctsa_buf_init(&v, 0);
	cctsa_buf_init(&s, 0);
	cctsa_buf_init(&k, 0);
	if ((rc = read_file(&rep, a->report, 1 << 16)) == CCTSA_EXIT_OK &&
	    (rc = read_file(&v, a->vcek, 1 << 20)) == CCTSA_EXIT_OK &&
	    (rc = read_file(&s, a->ask, 1 << 20)) == CCTSA_EXIT_OK &&
	    (rc = read_file(&k, a->ark, 1 << 20)) == CCTSA_EXIT_OK) {
		cctsa_snp_chain ch = {v.data, v.len, s.data, s.len, k.data, k.len};
		res = cctsa_mem_alloc(sizeof(*res));
		if (res == NULL) {
			rc = cctsa_cli_fail("attest", "out of memory");
		} else {
			cctsa_err err = cctsa_snp_verify(res, rep.data, rep.len, &ch, &pol, NULL);
			if (res->report_decoded) {
				print_report(&res->report, res->product);
			}
			print_time(pol.at);
			print_checks(res);
			rc = err == CCTSA_OK ? CCTSA_EXIT_OK : CCTSA_EXIT_FAIL;
		}
	}
	cctsa_mem_free(res);
	cctsa_buf_free(&rep);
	cctsa_buf_free(&v);
	cctsa_buf_free(&s);
	cctsa_buf_free(&k);
	return rc;
}

static int decode_vek(const char *path)
{
	cctsa_buf b;
	cctsa_snp_vek_info v;
	cctsa_diag d;
	int rc;

	if ((rc = read_file(&b, path, 1 << 20)) != CCTSA_EXIT_OK) {
		return rc;
	}
	cctsa_diag_reset(&d);
	if (cctsa_snp_vek_parse(&v, b.data, b.len, &d) != CCTSA_OK) {
		rc = cctsa_cli_fail("attest", "%s: %s", path, cctsa_diag_str(&d, d.err));
	} else {
		printf("VEK certificate (signature and validity not checked here):\n");
		printf("  %-18s %s\n", "productName", v.product);
		printf("  %-18s bl %u tee %u snp %u ucode %u", "TCB", v.tcb.bootloader, v.tcb.tee, v.tcb.snp,
		       v.tcb.microcode);
		printf(v.has_fmc ? " fmc %u\n" : "\n", v.tcb.fmc);
		if (v.hwid_len != 0) {
			print_hex("hwID", v.hwid, v.hwid_len);
		} else {
			printf("  %-18s (none: a VLEK)\n", "hwID");
		}
	}
	cctsa_buf_free(&b);
	return rc;
}

static int cmd_decode(const attest_args *a)
{
	cctsa_buf rep;
	cctsa_snp_report r;
	cctsa_diag d;
	int rc = CCTSA_EXIT_OK;

	if (a->report == NULL && a->vcek == NULL) {
		return cctsa_cli_usage("attest", "decode needs --report and/or --vcek");
	}
	if (a->report != NULL) {
		if ((rc = read_file(&rep, a->report, 1 << 16)) != CCTSA_EXIT_OK) {
			return rc;
		}
		cctsa_diag_reset(&d);
		if (cctsa_snp_report_decode(&r, rep.data, rep.len, &d) != CCTSA_OK) {
			rc = cctsa_cli_fail("attest", "%s: %s", a->report, cctsa_diag_str(&d, d.err));
		} else {
			print_report(&r, r.version >= 3 && r.cpuid_fam_id == 0x1A ? CCTSA_SNP_PRODUCT_TURIN
										  : CCTSA_SNP_PRODUCT_MILAN);
		}
		cctsa_buf_free(&rep);
	}
	if (rc == CCTSA_EXIT_OK && a->vcek != NULL) {
		rc = decode_vek(a->vcek);
	}
	return rc;
}

/* Writes one DER certificate as PEM. */
static int write_pem(const char *dir, const char *name, const uint8_t *der, size_t len)
{
	char path[4096];
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	BIO *bio = BIO_new(BIO_s_mem());
	char *mem = NULL;
	long n = 0;
	cctsa_diag d;
	int rc = CCTSA_EXIT_OK;

	cctsa_diag_reset(&d);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (x == NULL || bio == NULL || PEM_write_bio_X509(bio, x) != 1 || (n = BIO_get_mem_data(bio, &mem)) <= 0) {
		rc = cctsa_cli_fail("attest", "cannot encode %s", path);
	} else if (cctsa_file_write(path, (const uint8_t *)mem, (size_t)n, 0644, 0, &d) != CCTSA_OK) {
		rc = cctsa_cli_fail("attest", "%s", cctsa_diag_str(&d, d.err));
	}
	BIO_free(bio);
	X509_free(x);
	return rc;
}

static int write_report(const char *path, const uint8_t rep[CCTSA_SNP_REPORT_LEN])
{
	cctsa_diag d;

	cctsa_diag_reset(&d);
	if (cctsa_file_write(path, rep, CCTSA_SNP_REPORT_LEN, 0644, 0, &d) != CCTSA_OK) {
		return cctsa_cli_fail("attest", "%s", cctsa_diag_str(&d, d.err));
	}
	return CCTSA_EXIT_OK;
}

/* The provider's chain as DIR/{vcek,ask,ark}.pem (entries the host omitted are skipped). */
static int write_chain(cctsa_attest_provider *p, const char *dir)
{
	cctsa_snp_chain ch;
	cctsa_diag d;
	int rc;

	cctsa_diag_reset(&d);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		return cctsa_cli_fail("attest", "cannot create %s: %s", dir, strerror(errno));
	}
	if (cctsa_attest_get_chain(p, &ch, &d) != CCTSA_OK) {
		return cctsa_cli_fail("attest", "%s", cctsa_diag_str(&d, d.err));
	}
	if ((rc = write_pem(dir, "vcek.pem", ch.vek, ch.vek_len)) == CCTSA_EXIT_OK && ch.ask != NULL) {
		rc = write_pem(dir, "ask.pem", ch.ask, ch.ask_len);
	}
	if (rc == CCTSA_EXIT_OK && ch.ark != NULL) {
		rc = write_pem(dir, "ark.pem", ch.ark, ch.ark_len);
	}
	return rc;
}

static int cmd_sim_report(const attest_args *a)
{
	cctsa_attest_config cfg;
	cctsa_attest_provider *p = NULL;
	cctsa_diag d;
	uint8_t rdata[64], rep[CCTSA_SNP_REPORT_LEN];
	int rc;

	if (a->rdata == NULL || a->out == NULL || a->chain_out == NULL) {
		return cctsa_cli_usage("attest", "sim-report needs --report-data, --out and --chain-out");
	}
	cctsa_attest_config_init(&cfg, "sim");
	if ((rc = parse_hex(rdata, 64, a->rdata, 0, "report-data")) != CCTSA_EXIT_OK ||
	    (a->meas != NULL && (rc = parse_hex(cfg.sim.measurement, 48, a->meas, 1, "measurement")) != CCTSA_EXIT_OK)) {
		return rc;
	}
	if (a->vmpl > 3) {
		return cctsa_cli_usage("attest", "--vmpl must be 0..3");
	}
	cfg.vmpl = (uint32_t)a->vmpl;
	cfg.sim.rsa_bits = (unsigned)a->rsa_bits;
	cctsa_diag_reset(&d);
	if (cctsa_attest_open(&p, &cfg, &d) != CCTSA_OK || cctsa_attest_get_report(p, rep, rdata, &d) != CCTSA_OK) {
		rc = d.err == CCTSA_E_USAGE ? cctsa_cli_usage("attest", "%s", d.msg)
					    : cctsa_cli_fail("attest", "%s", cctsa_diag_str(&d, d.err));
	} else if ((rc = write_report(a->out, rep)) == CCTSA_EXIT_OK &&
		   (rc = write_chain(p, a->chain_out)) == CCTSA_EXIT_OK) {
		printf("wrote SIMULATED report %s and chain %s/{vcek,ask,ark}.pem\n", a->out, a->chain_out);
	}
	cctsa_attest_close(p);
	return rc;
}

static int cmd_get_report(const attest_args *a)
{
	cctsa_attest_config cfg;
	cctsa_attest_provider *p = NULL;
	cctsa_diag d;
	uint8_t rdata[64], rep[CCTSA_SNP_REPORT_LEN];
	int rc;

	if (a->rdata == NULL || a->out == NULL) {
		return cctsa_cli_usage("attest", "get-report needs --report-data and --out");
	}
	if ((rc = parse_hex(rdata, 64, a->rdata, 0, "report-data")) != CCTSA_EXIT_OK) {
		return rc;
	}
	if (a->vmpl > 3) {
		return cctsa_cli_usage("attest", "--vmpl must be 0..3");
	}
	cctsa_attest_config_init(&cfg, "sev-guest");
	if (a->device != NULL) {
		cfg.device = a->device;
	}
	cfg.vmpl = (uint32_t)a->vmpl;
	cctsa_diag_reset(&d);
	if (cctsa_attest_open(&p, &cfg, &d) != CCTSA_OK || cctsa_attest_get_report(p, rep, rdata, &d) != CCTSA_OK) {
		rc = cctsa_cli_fail("attest", "%s", cctsa_diag_str(&d, d.err));
	} else if ((rc = write_report(a->out, rep)) == CCTSA_EXIT_OK && a->chain_out != NULL) {
		rc = write_chain(p, a->chain_out);
	}
	cctsa_attest_close(p);
	return rc;
}

int cctsa_cli_attest(int argc, char **argv)
{
	attest_args a;
	int rc;

	if (cctsa_cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		return CCTSA_EXIT_OK;
	}
	if (argc < 2) {
		return cctsa_cli_usage("attest", "missing subcommand (verify, decode, sim-report, get-report)");
	}
	if ((rc = parse_args(&a, argc - 1, argv + 1)) != CCTSA_EXIT_OK) {
		return rc;
	}
	if (strcmp(argv[1], "verify") == 0) {
		return cmd_verify(&a);
	}
	if (strcmp(argv[1], "decode") == 0) {
		return cmd_decode(&a);
	}
	if (strcmp(argv[1], "sim-report") == 0) {
		return cmd_sim_report(&a);
	}
	if (strcmp(argv[1], "get-report") == 0) {
		return cmd_get_report(&a);
	}
	return cctsa_cli_usage("attest", "unknown subcommand '%s'", argv[1]);
}
