/*
 * attest: AMD SEV-SNP attestation: the 1184-byte ATTESTATION_REPORT codec, the
 * verifier (report signature, VCEK/VLEK -> ASK/ASVK -> ARK chain with pinned AMD
 * roots, TCB and policy checks) and report providers (`sev-guest`, `sim`).
 *
 * Report layout (AMD SEV-SNP Firmware ABI, ATTESTATION_REPORT; all integers
 * little-endian). Versions accepted: 2, 3 and 5.
 *   0x000 version u32         0x004 guest_svn u32      0x008 policy u64
 *   0x010 family_id[16]       0x020 image_id[16]       0x030 vmpl u32
 *   0x034 sig_algo u32        0x038 current_tcb u64    0x040 platform_info u64
 *   0x048 key_info u32 (bit0 author_key_en, bit1 mask_chip_key, bits4:2 signing_key)
 *   0x04C reserved u32        0x050 report_data[64]    0x090 measurement[48]
 *   0x0C0 host_data[32]       0x0E0 id_key_digest[48]  0x110 author_key_digest[48]
 *   0x140 report_id[32]       0x160 report_id_ma[32]   0x180 reported_tcb u64
 *   0x188 cpuid fam/mod/step (v3+; reserved in v2)     0x18B..0x19F reserved
 *   0x1A0 chip_id[64]         0x1E0 committed_tcb u64
 *   0x1E8 current build/minor/major, 0x1EB reserved
 *   0x1EC committed build/minor/major, 0x1EF reserved
 *   0x1F0 launch_tcb u64
 *   0x1F8 launch_mit_vector u64, 0x200 current_mit_vector u64 (v5; reserved before)
 *   0x208..0x29F reserved
 *   0x2A0 signature: r[72] s[72] little-endian (P-384: bytes 48..71 zero), then
 *         368 reserved bytes. The signature covers bytes 0x000..0x29F.
 *
 * Reserved-field rule (the codec is strict both ways): every byte range the ABI
 * marks reserved for the report's version must be zero, key_info bits 31:5 must be
 * zero, signing_key must be 0 (VCEK), 1 (VLEK) or 7 (none), policy bit 17 must be
 * one (the ABI's "reserved, must be one") and policy bits 63:26 zero. Checked
 * against the eight real reports in the test data (v2 and v3), all of which
 * satisfy it. Version 4 and versions above 5 are refused as unsupported: their
 * layouts were not available from a source we could check.
 * Flag words with meaning (policy bits 25:0, platform_info) are carried as is.
 */
#ifndef CCTSA_ATTEST_H
#define CCTSA_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"

#define CCTSA_SNP_REPORT_LEN 1184
#define CCTSA_SNP_SIGNED_LEN 0x2A0
#define CCTSA_SNP_REPORT_DATA_LEN 64
#define CCTSA_SNP_MEASUREMENT_LEN 48
#define CCTSA_SNP_CHIP_ID_LEN 64
#define CCTSA_SNP_SIG_COMPONENT_LEN 72

#define CCTSA_SNP_POLICY_SMT ((uint64_t)1 << 16)
#define CCTSA_SNP_POLICY_RESERVED_ONE ((uint64_t)1 << 17)
#define CCTSA_SNP_POLICY_MIGRATE_MA ((uint64_t)1 << 18)
#define CCTSA_SNP_POLICY_DEBUG ((uint64_t)1 << 19)
#define CCTSA_SNP_POLICY_SINGLE_SOCKET ((uint64_t)1 << 20)

#define CCTSA_SNP_SIG_ALGO_ECDSA_P384_SHA384 1u
#define CCTSA_SNP_SIGNING_KEY_VCEK 0u
#define CCTSA_SNP_SIGNING_KEY_VLEK 1u
#define CCTSA_SNP_SIGNING_KEY_NONE 7u

/* The simulator's chip id: this 16-byte pattern repeated four times. */
#define CCTSA_SNP_SIM_CHIP_PATTERN "CCTSA-SIMULATED-"

/*
 * A decoded report. Fields are public (callers stack-allocate and read it); the
 * reserved fields are not represented: the decoder demands them zero and the
 * encoder writes zeros. Fields absent from a version (cpuid_* before v3,
 * *_mit_vector before v5) are zero.
 */
typedef struct {
	uint32_t version;
	uint32_t guest_svn;
	uint64_t policy;
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t vmpl;
	uint32_t sig_algo;
	uint64_t current_tcb;
	uint64_t platform_info;
	uint32_t key_info;
	uint8_t report_data[CCTSA_SNP_REPORT_DATA_LEN];
	uint8_t measurement[CCTSA_SNP_MEASUREMENT_LEN];
	uint8_t host_data[32];
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint64_t reported_tcb;
	uint8_t cpuid_fam_id, cpuid_mod_id, cpuid_step;
	uint8_t chip_id[CCTSA_SNP_CHIP_ID_LEN];
	uint64_t committed_tcb;
	uint8_t current_build, current_minor, current_major;
	uint8_t committed_build, committed_minor, committed_major;
	uint64_t launch_tcb;
	uint64_t launch_mit_vector, current_mit_vector;
	uint8_t sig_r[CCTSA_SNP_SIG_COMPONENT_LEN]; /* little-endian, as in the report */
	uint8_t sig_s[CCTSA_SNP_SIG_COMPONENT_LEN];
} cctsa_snp_report;

/*
 * Decodes exactly CCTSA_SNP_REPORT_LEN bytes.
 * Returns CCTSA_E_MALFORMED (wrong size, non-zero reserved field, bad key_info or
 * policy bit 17), CCTSA_E_UNSUPPORTED (version not 2/3/5, signature algorithm
 * not ECDSA P-384/SHA-384). out is zeroed on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_snp_report_decode(cctsa_snp_report *out, const uint8_t *buf,
						 size_t len, cctsa_diag *diag);
/*
 * Encodes r into out. CCTSA_E_USAGE if r holds a value the decoder would refuse
 * (unsupported version, fields absent from its version set, bad key_info, ...),
 * so encode(decode(b)) == b and decode(encode(r)) == r.
 */
CCTSA_MUST_USE cctsa_err cctsa_snp_report_encode(uint8_t out[static CCTSA_SNP_REPORT_LEN],
						 const cctsa_snp_report *r, cctsa_diag *diag);
/* signing_key field (bits 4:2 of key_info). */
static inline uint32_t cctsa_snp_report_signing_key(const cctsa_snp_report *r)
{
	return (r->key_info >> 2) & 7u;
}

/* ---- products and TCB_VERSION ---- */
typedef enum {
	CCTSA_SNP_PRODUCT_UNKNOWN = 0,
	CCTSA_SNP_PRODUCT_MILAN,
	CCTSA_SNP_PRODUCT_GENOA,
	CCTSA_SNP_PRODUCT_TURIN,
	CCTSA_SNP_PRODUCT_SIM /* the software simulator (Milan/Genoa TCB layout) */
} cctsa_snp_product;

const char *cctsa_snp_product_name(cctsa_snp_product p);

/*
 * TCB_VERSION components. Milan/Genoa (and sim): byte0 bootloader, byte1 tee,
 * bytes2-5 reserved, byte6 snp, byte7 microcode. Turin: byte0 fmc, byte1
 * bootloader, byte2 tee, byte3 snp, bytes4-6 reserved, byte7 microcode.
 */
typedef struct {
	uint8_t fmc; /* Turin only; 0 elsewhere */
	uint8_t bootloader, tee, snp, microcode;
} cctsa_snp_tcb;

/* Splits raw per the product's layout; *reserved_ok = 0 if reserved bytes are set. */
cctsa_snp_tcb cctsa_snp_tcb_split(cctsa_snp_product p, uint64_t raw, int *reserved_ok);
uint64_t cctsa_snp_tcb_join(cctsa_snp_product p, const cctsa_snp_tcb *t);
/* 1 iff every component of t is >= the same component of min. */
int cctsa_snp_tcb_at_least(cctsa_snp_product p, const cctsa_snp_tcb *t, const cctsa_snp_tcb *min);

/* ---- verification ---- */
typedef enum {
	CCTSA_SNP_CHK_FORMAT,      /* report decodes under the strict codec */
	CCTSA_SNP_CHK_ARK,         /* root: pinned AMD ARK (or allowed sim root), self-signed, valid */
	CCTSA_SNP_CHK_ASK,         /* ASK/ASVK signed by the ARK (RSA-PSS SHA-384), valid, CA */
	CCTSA_SNP_CHK_VEK,         /* VCEK/VLEK signed by the ASK/ASVK, valid, P-384 key */
	CCTSA_SNP_CHK_SIGNING_KEY, /* report's signing_key matches the VEK kind */
	CCTSA_SNP_CHK_SIGNATURE,   /* ECDSA P-384 over bytes 0..0x29F */
	CCTSA_SNP_CHK_TCB_MATCH,   /* reported_tcb == the VEK's SPL extensions */
	CCTSA_SNP_CHK_CHIP_ID,     /* chip_id == VCEK hwID (VLEK: not chip-bound) */
	CCTSA_SNP_CHK_PRODUCT,     /* VEK productName and report CPUID agree with the root */
	CCTSA_SNP_CHK_POLICY,      /* debug and migration agent forbidden */
	CCTSA_SNP_CHK_MIN_TCB,     /* reported, current, committed, launch TCB >= minimum */
	CCTSA_SNP_CHK_VMPL,        /* vmpl == expected */
	CCTSA_SNP_CHK_MEASUREMENT, /* measurement == expected */
	CCTSA_SNP_CHK_REPORT_DATA, /* report_data == expected binding */
	CCTSA_SNP_CHK_COUNT
} cctsa_snp_check;

typedef enum { CCTSA_SNP_SKIP = 0, CCTSA_SNP_PASS, CCTSA_SNP_FAIL } cctsa_snp_status;

const char *cctsa_snp_check_name(cctsa_snp_check c);

#define CCTSA_SNP_REASON_MAX 192
typedef struct {
	cctsa_snp_status status[CCTSA_SNP_CHK_COUNT];
	char reason[CCTSA_SNP_CHK_COUNT][CCTSA_SNP_REASON_MAX];
	int report_decoded;       /* report below is valid */
	cctsa_snp_report report;
	cctsa_snp_product product; /* from the root */
	int simulated;            /* the chain is the software simulator's, not AMD's */
	int vlek;                 /* VEK is a VLEK */
	unsigned failed;          /* number of FAIL checks */
	unsigned skipped;         /* number of SKIP checks (no expected value given) */
} cctsa_snp_result;

/*
 * What to check. Fields are public. measurement/report_data NULL = that check is
 * skipped (reported as SKIP, never as PASS). at is the verification time (Unix
 * seconds) for certificate validity.
 */
typedef struct {
	int64_t at;
	const uint8_t *measurement; /* 48 bytes or NULL */
	const uint8_t *report_data; /* 64 bytes or NULL */
	uint32_t vmpl;              /* expected VMPL (default 0) */
	cctsa_snp_tcb min_tcb;      /* default all zero */
	int allow_debug;            /* default 0: debug policy fails */
	int allow_migrate_ma;       /* default 0: migration agent fails */
	/*
	 * default 0: only the pinned AMD roots. 1 also accepts a root that names itself
	 * the simulator (with the simulator's chip id pattern): anyone can make such a
	 * root, so this proves nothing about the platform. The result is marked
	 * simulated; for tests and demonstration clusters only.
	 */
	int allow_simulated;
} cctsa_snp_policy;

/* Defaults as documented above, at = now. */
void cctsa_snp_policy_init(cctsa_snp_policy *p);

/*
 * Certificates as given: each blob is PEM (one or more certificates) or DER.
 * vek: the first certificate is the VCEK/VLEK. ask: the certificate whose subject
 * is the VEK's issuer. ark: the self-issued certificate that issued the ASK.
 */
typedef struct {
	const uint8_t *vek;
	size_t vek_len;
	const uint8_t *ask;
	size_t ask_len;
	const uint8_t *ark;
	size_t ark_len;
} cctsa_snp_chain;

/*
 * Runs every check and records each outcome and reason in res (always fully
 * written). Returns CCTSA_OK iff no check failed (skipped checks do not fail),
 * CCTSA_E_VERIFY otherwise (diag names the first failed check), CCTSA_E_RESOURCE
 * on allocation failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_snp_verify(cctsa_snp_result *res, const uint8_t *report,
					  size_t report_len, const cctsa_snp_chain *chain,
					  const cctsa_snp_policy *pol, cctsa_diag *diag);

/*
 * The same in two steps, for checking many reports against one chain: _new parses
 * and judges the chain under pol (copied, with its expected values) and records the
 * outcome (it fails only with CCTSA_E_RESOURCE: a bad chain shows up as failed
 * checks in every result); _check runs everything else on one report and returns as
 * cctsa_snp_verify. _free accepts NULL.
 */
typedef struct cctsa_snp_verifier cctsa_snp_verifier;
CCTSA_MUST_USE cctsa_err cctsa_snp_verifier_new(cctsa_snp_verifier **out, const cctsa_snp_chain *chain,
						const cctsa_snp_policy *pol, cctsa_diag *diag);
CCTSA_MUST_USE cctsa_err cctsa_snp_verifier_check(cctsa_snp_verifier *vf, cctsa_snp_result *res,
						  const uint8_t *report, size_t report_len,
						  cctsa_diag *diag);
void cctsa_snp_verifier_free(cctsa_snp_verifier *vf);

/*
 * Checks a VEK -> ASK -> ARK chain alone (no report), at time `at`; used for
 * Turin, where the test data has a VCEK but no report. *product receives the
 * pinned root's product. CCTSA_E_VERIFY with the reason in diag on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_snp_chain_verify(cctsa_snp_product *product,
						const cctsa_snp_chain *chain, int64_t at,
						int allow_simulated, cctsa_diag *diag);

/* What a VCEK/VLEK certificate says about its chip (its AMD extensions). */
typedef struct {
	char product[32];     /* productName, e.g. "Milan-B0", "Turin" */
	cctsa_snp_tcb tcb;    /* blSPL, teeSPL, snpSPL, ucodeSPL and (Turin) fmcSPL */
	int has_fmc;
	uint8_t hwid[CCTSA_SNP_CHIP_ID_LEN];
	size_t hwid_len;      /* 64 (Milan, Genoa), 8 (Turin) or 0 (VLEK: no hwID) */
} cctsa_snp_vek_info;

/*
 * Parses one VCEK/VLEK certificate (PEM or DER; the first of a PEM bundle) and its
 * AMD extensions (OIDs 1.3.6.1.4.1.3704.1.x). No signature or time is checked.
 * CCTSA_E_MALFORMED: not a certificate, an extension repeated or malformed (SPLs
 * are DER INTEGERs 0..255, hwID 8 or 64 raw bytes), or a required one missing.
 */
CCTSA_MUST_USE cctsa_err cctsa_snp_vek_parse(cctsa_snp_vek_info *out, const uint8_t *cert,
					     size_t cert_len, cctsa_diag *diag);

/*
 * REPORT_DATA binding used between cores (DESIGN.md §1):
 * SHA-512("CCTSA-SNP-BIND-v1" || 0x00 || tls_key_hash || config_hash || nonce),
 * where tls_key_hash and config_hash are SHA-384 values and nonce is 32 bytes.
 * CCTSA_E_CRYPTO (out zeroed) if the digest cannot be computed.
 */
CCTSA_MUST_USE cctsa_err cctsa_snp_binding(uint8_t out[static CCTSA_SNP_REPORT_DATA_LEN],
					   const uint8_t tls_key_hash[static 48],
					   const uint8_t config_hash[static 48],
					   const uint8_t nonce[static 32]);

/* ---- the software AMD secure processor ---- */
typedef struct cctsa_snp_sim cctsa_snp_sim;

/* Fields are public; cctsa_snp_sim_opts_init sets the defaults. */
typedef struct {
	uint8_t measurement[CCTSA_SNP_MEASUREMENT_LEN]; /* SHA-384 the caller supplies */
	uint8_t host_data[32];
	uint64_t policy;      /* default 0x30000: SMT allowed, reserved bit 17 */
	cctsa_snp_tcb tcb;    /* default bl 4 tee 0 snp 22 ucode 213 */
	unsigned rsa_bits;    /* ARK/ASK modulus, default 4096 like AMD's */
	int64_t not_before;   /* certificate validity start, default now - 1 h */
} cctsa_snp_sim_opts;

void cctsa_snp_sim_opts_init(cctsa_snp_sim_opts *o);

/*
 * Generates a throw-away ARK and ASK (RSA, signatures RSASSA-PSS SHA-384 salt 48,
 * as AMD's) and a VCEK (ECDSA P-384) whose hwID is the simulator chip id. The
 * ARK/ASK private keys are dropped once the chain is made; the VCEK private key
 * lives only in cctsa_secret_alloc memory. CCTSA_E_CRYPTO, CCTSA_E_RESOURCE.
 */
CCTSA_MUST_USE cctsa_err cctsa_snp_sim_new(cctsa_snp_sim **out, const cctsa_snp_sim_opts *o,
					   cctsa_diag *diag);
/* Wipes and frees; s may be NULL. */
void cctsa_snp_sim_free(cctsa_snp_sim *s);
/* A signed version-3 report carrying report_data at the given VMPL (0..3). */
CCTSA_MUST_USE cctsa_err cctsa_snp_sim_report(cctsa_snp_sim *s,
					      uint8_t out[static CCTSA_SNP_REPORT_LEN],
					      const uint8_t report_data[static CCTSA_SNP_REPORT_DATA_LEN],
					      uint32_t vmpl, cctsa_diag *diag);
/* DER certificates of the simulator; pointers stay valid until cctsa_snp_sim_free. */
void cctsa_snp_sim_chain(const cctsa_snp_sim *s, cctsa_snp_chain *out);

/* ---- providers ---- */
typedef struct cctsa_attest_provider cctsa_attest_provider;

/* Fields are public. */
typedef struct {
	const char *provider; /* "sev-guest" or "sim" */
	const char *device;   /* sev-guest: default "/dev/sev-guest" */
	uint32_t vmpl;        /* VMPL requested in each report (default 0) */
	cctsa_snp_sim_opts sim;
} cctsa_attest_config;

void cctsa_attest_config_init(cctsa_attest_config *c, const char *provider);

/*
 * Opens a provider. sev-guest: CCTSA_E_IO with the device path and errno text if
 * the device is absent or refuses; sim: as cctsa_snp_sim_new. CCTSA_E_USAGE for
 * an unknown provider name.
 */
CCTSA_MUST_USE cctsa_err cctsa_attest_open(cctsa_attest_provider **out,
					   const cctsa_attest_config *cfg, cctsa_diag *diag);
void cctsa_attest_close(cctsa_attest_provider *p);
/* A fresh report over report_data, decoded and size-checked before it is returned. */
CCTSA_MUST_USE cctsa_err cctsa_attest_get_report(cctsa_attest_provider *p,
						 uint8_t out[static CCTSA_SNP_REPORT_LEN],
						 const uint8_t report_data[static CCTSA_SNP_REPORT_DATA_LEN],
						 cctsa_diag *diag);
/*
 * The provider's certificate chain; the pointers stay valid until the provider is
 * closed. sim: its own chain. sev-guest: the certificates the host attaches to an
 * extended report (SNP_GET_EXT_REPORT), fetched once; CCTSA_E_UNSUPPORTED if the
 * host supplies none (then the VCEK must come from AMD KDS), CCTSA_E_IO if the
 * request fails, CCTSA_E_MALFORMED if the certificate table is bad.
 */
CCTSA_MUST_USE cctsa_err cctsa_attest_get_chain(cctsa_attest_provider *p, cctsa_snp_chain *out,
						cctsa_diag *diag);
int cctsa_attest_is_simulated(const cctsa_attest_provider *p);
const char *cctsa_attest_provider_name(const cctsa_attest_provider *p);

/* ---- Linux sev-guest uapi (written from the documented layout) ---- */
/* Exposed for tests: the ioctl request numbers and response parsing. */
unsigned long cctsa_snp_ioctl_get_report(void);
unsigned long cctsa_snp_ioctl_get_ext_report(void);
/*
 * Parses the certificate table of an extended report (GHCB spec): 24-byte entries
 * {GUID[16] (bytes in the order the GUID string reads), offset u32, length u32},
 * offsets from the table start, ended by an all-zero entry. out receives views
 * into table: vek = the VCEK (63da758d-e664-4564-adc5-f4b93be8accd) or else the
 * VLEK (a8074bc2-a25a-483e-aae6-39c045a0b8a1), ask = ASK/ASVK
 * (4ab7b379-bbac-4fe4-a02f-05aef327c782), ark = ARK (c0b406a4-a803-4952-9743-
 * 3fb6014cd0ae); other GUIDs are skipped. CCTSA_E_MALFORMED: no terminator, an
 * entry outside the table or overlapping the entries, a repeated GUID, or no VEK.
 */
CCTSA_MUST_USE cctsa_err cctsa_snp_parse_cert_table(cctsa_snp_chain *out, const uint8_t *table,
						    size_t len, cctsa_diag *diag);
/*
 * Parses the firmware MSG_REPORT_RSP (status u32, report_size u32, 24 reserved
 * bytes, report) into out. CCTSA_E_IO for a firmware error status,
 * CCTSA_E_MALFORMED for a bad size.
 */
CCTSA_MUST_USE cctsa_err cctsa_snp_parse_report_rsp(uint8_t out[static CCTSA_SNP_REPORT_LEN],
						    const uint8_t *rsp, size_t rsp_len,
						    cctsa_diag *diag);

#endif
