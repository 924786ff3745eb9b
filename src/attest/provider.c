/*
 * Report providers behind one interface: `sev-guest` (the Linux SNP guest driver,
 * SNP_GET_REPORT on /dev/sev-guest) and `sim` (the software secure processor).
 * Also the REPORT_DATA binding used between cores.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "attest_int.h"

/*
 * The Linux uapi (include/uapi/linux/sev-guest.h), written out here so the build
 * does not depend on kernel headers: the response (request and ioctl argument are
 * in attest_int.h).
 */
struct snp_uapi_report_resp {
	uint8_t data[4000];
};
_Static_assert(sizeof(struct snp_uapi_report_req) == 96, "snp_report_req layout");
_Static_assert(sizeof(struct snp_uapi_guest_request) == 32, "snp_guest_request_ioctl layout");

/* _IOWR('S', 0x0, struct snp_guest_request_ioctl) */
#define SNP_IOC_GET_REPORT _IOWR('S', 0x0, struct snp_uapi_guest_request)
/* MSG_REPORT_RSP: status, report_size, 24 reserved bytes, then the report. */
#define SNP_RSP_HEADER 32

unsigned long cctsa_snp_ioctl_get_report(void)
{
	return (unsigned long)SNP_IOC_GET_REPORT;
}

cctsa_err cctsa_snp_parse_report_rsp(uint8_t out[static CCTSA_SNP_REPORT_LEN], const uint8_t *rsp,
				     size_t rsp_len, cctsa_diag *diag)
{
	cctsa_cursor c;
	uint32_t status = 0, size = 0;
	cctsa_snp_report r;

	cctsa_cursor_init(&c, rsp, rsp_len);
	if (cctsa_cursor_get_u32le(&c, &status) != CCTSA_OK || cctsa_cursor_get_u32le(&c, &size) != CCTSA_OK ||
	    cctsa_cursor_skip(&c, SNP_RSP_HEADER - 8) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "SNP report response shorter than its header");
	}
	if (status != 0) {
		return cctsa_fail(diag, CCTSA_E_IO, "SNP firmware refused the report request (status 0x%x)", status);
	}
	if (size != CCTSA_SNP_REPORT_LEN || cctsa_cursor_get_bytes(&c, out, CCTSA_SNP_REPORT_LEN) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "SNP report response carries %u bytes, not %d", size,
				  CCTSA_SNP_REPORT_LEN);
	}
	return cctsa_snp_report_decode(&r, out, CCTSA_SNP_REPORT_LEN, diag);
}

static cctsa_err sevguest_open(cctsa_attest_provider *p, const cctsa_attest_config *cfg, cctsa_diag *diag)
{
	const char *dev = cfg->device != NULL ? cfg->device : "/dev/sev-guest";

	if (strlen(dev) >= sizeof(p->device)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "device path too long");
	}
	memcpy(p->device, dev, strlen(dev) + 1);
	p->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		int e = errno;
		return cctsa_fail(diag, CCTSA_E_IO, "sev-guest: cannot open %s: %s%s", dev, strerror(e),
				  e == ENOENT ? " (not an SEV-SNP guest, or the sev-guest driver is not loaded)" : "");
	}
	return CCTSA_OK;
}

static cctsa_err sevguest_report(cctsa_attest_provider *p, uint8_t out[static CCTSA_SNP_REPORT_LEN],
				 const uint8_t report_data[static CCTSA_SNP_REPORT_DATA_LEN], cctsa_diag *diag)
{
	struct snp_uapi_report_req req;
	struct snp_uapi_report_resp *resp = cctsa_mem_alloc(sizeof(*resp));
	struct snp_uapi_guest_request io;
	cctsa_err err = CCTSA_OK;

	if (resp == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory");
	}
	memset(&req, 0, sizeof(req));
	memset(&io, 0, sizeof(io));
	memcpy(req.user_data, report_data, sizeof(req.user_data));
	req.vmpl = p->vmpl;
	io.msg_version = 1;
	io.req_data = (uint64_t)(uintptr_t)&req;
	io.resp_data = (uint64_t)(uintptr_t)resp;
	if (ioctl(p->fd, SNP_IOC_GET_REPORT, &io) != 0) {
		int e = errno;
		err = cctsa_fail(diag, CCTSA_E_IO, "sev-guest: SNP_GET_REPORT on %s: %s (fw_error 0x%x, vmm_error 0x%x)",
				 p->device, strerror(e), io.u.e.fw_error, io.u.e.vmm_error);
		goto out;
	}
	err = cctsa_snp_parse_report_rsp(out, resp->data, sizeof(resp->data), diag);
out:
	cctsa_mem_free(resp);
	return err;
}

void cctsa_attest_config_init(cctsa_attest_config *c, const char *provider)
{
	memset(c, 0, sizeof(*c));
	c->provider = provider;
	c->device = "/dev/sev-guest";
	cctsa_snp_sim_opts_init(&c->sim);
}

cctsa_err cctsa_attest_open(cctsa_attest_provider **out, const cctsa_attest_config *cfg, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_attest_provider *p;

	*out = NULL;
	if (cfg->provider == NULL ||
	    (strcmp(cfg->provider, "sev-guest") != 0 && strcmp(cfg->provider, "sim") != 0)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "unknown attestation provider '%s' (sev-guest, sim)",
				  cfg->provider != NULL ? cfg->provider : "(none)");
	}
	if (cfg->vmpl > 3) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "vmpl %u is not 0..3", cfg->vmpl);
	}
	p = cctsa_mem_alloc(sizeof(*p));
	if (p == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory");
	}
	p->fd = -1;
	p->vmpl = cfg->vmpl;
	cctsa_buf_init(&p->certs, (size_t)1 << 20);
	if (strcmp(cfg->provider, "sim") == 0) {
		p->name = "sim";
		p->simulated = 1;
		CCTSA_TRY(cctsa_snp_sim_new(&p->sim, &cfg->sim, diag));
	} else {
		p->name = "sev-guest";
		CCTSA_TRY(sevguest_open(p, cfg, diag));
	}
	*out = p;
	p = NULL;
out:
	cctsa_attest_close(p);
	return err;
}

void cctsa_attest_close(cctsa_attest_provider *p)
{
	if (p == NULL) {
		return;
	}
	if (p->fd >= 0) {
		close(p->fd);
	}
	cctsa_snp_sim_free(p->sim);
	cctsa_buf_free(&p->certs);
	cctsa_mem_free(p);
}

cctsa_err cctsa_attest_get_report(cctsa_attest_provider *p, uint8_t out[static CCTSA_SNP_REPORT_LEN],
				  const uint8_t report_data[static CCTSA_SNP_REPORT_DATA_LEN], cctsa_diag *diag)
{
	if (p->sim != NULL) {
		return cctsa_snp_sim_report(p->sim, out, report_data, p->vmpl, diag);
	}
	return sevguest_report(p, out, report_data, diag);
}

cctsa_err cctsa_attest_get_chain(cctsa_attest_provider *p, cctsa_snp_chain *out, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;

	memset(out, 0, sizeof(*out));
	if (p->sim != NULL) {
		cctsa_snp_sim_chain(p->sim, out);
		return CCTSA_OK;
	}
	if (!p->have_chain) {
		err = snp_sevguest_fetch_chain(p, diag);
	}
	if (err == CCTSA_OK) {
		*out = p->chain;
	}
	return err;
}

int cctsa_attest_is_simulated(const cctsa_attest_provider *p)
{
	return p->simulated;
}

const char *cctsa_attest_provider_name(const cctsa_attest_provider *p)
{
	return p->name;
}

cctsa_err cctsa_snp_binding(uint8_t out[static CCTSA_SNP_REPORT_DATA_LEN], const uint8_t tls_key_hash[static 48],
			    const uint8_t config_hash[static 48], const uint8_t nonce[static 32])
{
	static const char label[] = "CCTSA-SNP-BIND-v1"; /* the NUL is part of the input */
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned n = 0;
	int ok = 1;

	if (m == NULL || EVP_DigestInit_ex(m, EVP_sha512(), NULL) != 1 ||
	    EVP_DigestUpdate(m, label, sizeof(label)) != 1 || EVP_DigestUpdate(m, tls_key_hash, 48) != 1 ||
	    EVP_DigestUpdate(m, config_hash, 48) != 1 || EVP_DigestUpdate(m, nonce, 32) != 1 ||
	    EVP_DigestFinal_ex(m, out, &n) != 1 || n != CCTSA_SNP_REPORT_DATA_LEN) {
		memset(out, 0, CCTSA_SNP_REPORT_DATA_LEN);
		ok = 0;
	}
	EVP_MD_CTX_free(m);
	return ok ? CCTSA_OK : CCTSA_E_CRYPTO;
}
