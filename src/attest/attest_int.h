/* attest internals: certificates (cert.c), the simulator's identity, provider vtable. */
#ifndef CCTSA_ATTEST_INT_H
#define CCTSA_ATTEST_INT_H

#include <openssl/x509.h>

#include "cctsa/attest.h"

#define SNP_MAX_CERTS 8
#define SNP_HWID_MAX 64

/* The simulator's names: nothing about them can be mistaken for AMD's. */
#define SNP_SIM_ORG "CC-TSA SIMULATED SECURE PROCESSOR - NOT AMD"
#define SNP_SIM_ARK_CN "ARK-CCTSA-SIM"
#define SNP_SIM_ASK_CN "SEV-CCTSA-SIM"
#define SNP_SIM_PRODUCT "CCTSA-SIM"

/* One certificate: the parsed X509 plus views of its exact DER parts. */
typedef struct {
	X509 *x;
	uint8_t *der;
	size_t der_len;
	const uint8_t *tbs;
	size_t tbs_len;
	const uint8_t *sig;
	size_t sig_len;
} snp_cert;

typedef struct {
	snp_cert c[SNP_MAX_CERTS];
	size_t n;
} snp_cert_list;

/* AMD extensions of a VCEK/VLEK (OIDs 1.3.6.1.4.1.3704.1.x). */
typedef struct {
	int have_product, have_fmc, have_bl, have_tee, have_snp, have_ucode;
	char product[32];
	cctsa_snp_tcb tcb;
	uint8_t hwid[SNP_HWID_MAX];
	size_t hwid_len; /* 0 = absent */
} snp_vek_ext;

/* Loads PEM (one or more) or DER (exactly one) certificates, strictly. */
CCTSA_MUST_USE cctsa_err snp_certs_load(snp_cert_list *l, const uint8_t *blob, size_t len,
					const char *what, cctsa_diag *diag);
void snp_certs_free(snp_cert_list *l);
/* Verifies c's RSASSA-PSS (SHA-384, MGF1-SHA-384, salt 48) signature with issuer's key. */
CCTSA_MUST_USE cctsa_err snp_cert_verify_pss(const snp_cert *c, const snp_cert *issuer,
					     cctsa_diag *diag);
/* notBefore <= at <= notAfter. */
CCTSA_MUST_USE cctsa_err snp_cert_check_time(const snp_cert *c, int64_t at, const char *what,
					     cctsa_diag *diag);
/* The subject (or issuer) commonName into out; "" if absent. */
void snp_cert_cn(const snp_cert *c, int issuer, char *out, size_t cap);
int snp_cert_self_issued(const snp_cert *c);
/* 1 iff a's subject equals b's issuer. */
int snp_cert_issued_by(const snp_cert *child, const snp_cert *parent);
/* Pinned-root lookup: the product whose ARK public key c carries, or UNKNOWN. */
cctsa_snp_product snp_pinned_product(const snp_cert *c);
CCTSA_MUST_USE cctsa_err snp_vek_extensions(snp_vek_ext *e, const snp_cert *c, cctsa_diag *diag);
/* RSA public key with at least min_bits bits. */
CCTSA_MUST_USE cctsa_err snp_cert_rsa_key(const snp_cert *c, int min_bits, const char *what,
					  cctsa_diag *diag);
/* CA basic constraints and keyCertSign. */
CCTSA_MUST_USE cctsa_err snp_cert_is_ca(const snp_cert *c, const char *what, cctsa_diag *diag);

/* ECDSA P-384/SHA-384 check of a report's signature with the VEK's key. */
CCTSA_MUST_USE cctsa_err snp_report_sig_verify(const uint8_t *report, const cctsa_snp_report *r,
					       const snp_cert *vek, cctsa_diag *diag);

/*
 * The checks on the report itself (signing_key .. report_data); vek may be NULL
 * (not loaded), ext is meaningful only if ext_ok. res->product/vlek/simulated and
 * the format check must already be set. Defined in verify_report.c.
 */
void snp_run_report_checks(cctsa_snp_result *res, const cctsa_snp_policy *pol, const uint8_t *report,
			   const snp_cert *vek, const snp_vek_ext *ext, int ext_ok);

/* Provider vtable. */
struct cctsa_attest_provider {
	const char *name;
	int simulated;
	uint32_t vmpl;
	int fd;
	char device[256];
	cctsa_snp_sim *sim;
	cctsa_buf certs; /* sev-guest: the extended report's certificate table */
	cctsa_snp_chain chain;
	int have_chain;
};

/* The uapi ioctl argument (include/uapi/linux/sev-guest.h), written out here. */
struct snp_uapi_guest_request {
	uint8_t msg_version; /* must be non-zero: 1 */
	uint64_t req_data;
	uint64_t resp_data;
	union {
		uint64_t exitinfo2;
		struct {
			uint32_t fw_error;
			uint32_t vmm_error;
		} e;
	} u;
};
struct snp_uapi_report_req {
	uint8_t user_data[64];
	uint32_t vmpl;
	uint8_t rsvd[28];
};

/* sev-guest: fetches the host's certificates with SNP_GET_EXT_REPORT into p->chain. */
CCTSA_MUST_USE cctsa_err snp_sevguest_fetch_chain(cctsa_attest_provider *p, cctsa_diag *diag);

#endif
