/*
 * sev-guest extended reports: SNP_GET_EXT_REPORT returns a report plus the
 * certificates the host attached (VCEK or VLEK, ASK/ASVK, ARK) in a GUID table.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "attest_int.h"
#include "base/ct.h"

#define ENTRY_LEN 24
#define MAX_ENTRIES 64
#define PAGE 4096u
#define CERTS_MAX (64u * PAGE)
#define VMM_ERR_INVALID_LEN 1u

/* GUIDs in the byte order their strings read (as go-sev-guest and virtee/sev store them). */
static const uint8_t guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
				      0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t guid_vlek[16] = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
				      0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1};
static const uint8_t guid_ask[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
				     0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
static const uint8_t guid_ark[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
				     0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

/* struct snp_ext_report_req */
struct snp_uapi_ext_report_req {
	struct snp_uapi_report_req data;
	uint64_t certs_address;
	uint32_t certs_len;
};
_Static_assert(sizeof(struct snp_uapi_ext_report_req) == 112, "snp_ext_report_req layout");

#define SNP_IOC_GET_EXT_REPORT _IOWR('S', 0x2, struct snp_uapi_guest_request)

unsigned long cctsa_snp_ioctl_get_ext_report(void)
{
	return (unsigned long)SNP_IOC_GET_EXT_REPORT;
}

typedef struct {
	const uint8_t *p;
	size_t n;
} view;

static cctsa_err take_entry(view slot[4], const uint8_t guid[16], const uint8_t *table, size_t len,
			    uint32_t off, uint32_t n, size_t header_end, cctsa_diag *diag)
{
	static const uint8_t *const known[4] = {guid_vcek, guid_vlek, guid_ask, guid_ark};

	for (int k = 0; k < 4; k++) {
		if (cctsa_memcmp_var(guid, known[k], 16) != 0) {
			continue;
		}
		if (slot[k].p != NULL) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "certificate table: GUID repeated");
		}
		if (n == 0 || off < header_end || off > len || n > len - off) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "certificate table: entry at %u+%u outside %zu-byte table", off, n, len);
		}
		slot[k].p = table + off;
		slot[k].n = n;
	}
	return CCTSA_OK; /* unknown GUIDs are skipped */
}

cctsa_err cctsa_snp_parse_cert_table(cctsa_snp_chain *out, const uint8_t *table, size_t len, cctsa_diag *diag)
{
	static const uint8_t zero[16];
	view slot[4] = {{NULL, 0}, {NULL, 0}, {NULL, 0}, {NULL, 0}};
	cctsa_cursor c;
	size_t count = 0, header_end;
	cctsa_err err = CCTSA_OK;

	memset(out, 0, sizeof(*out));
	cctsa_cursor_init(&c, table, len);
	for (;;) { /* find the terminator first: every offset must lie after it */
		const uint8_t *g;
		uint32_t off, n;
		if (count == MAX_ENTRIES || cctsa_cursor_get_view(&c, &g, 16) != CCTSA_OK ||
		    cctsa_cursor_get_u32le(&c, &off) != CCTSA_OK || cctsa_cursor_get_u32le(&c, &n) != CCTSA_OK) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "certificate table: no terminating entry");
		}
		if (cctsa_memcmp_var(g, zero, 16) == 0) {
			if (off != 0 || n != 0) {
				return cctsa_fail(diag, CCTSA_E_MALFORMED, "certificate table: terminator not all zero");
			}
			break;
		}
		count++;
	}
	header_end = c.pos;
	cctsa_cursor_init(&c, table, header_end);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *g;
		uint32_t off = 0, n = 0;
		if (cctsa_cursor_get_view(&c, &g, 16) != CCTSA_OK || cctsa_cursor_get_u32le(&c, &off) != CCTSA_OK ||
		    cctsa_cursor_get_u32le(&c, &n) != CCTSA_OK) {
			return cctsa_fail(diag, CCTSA_E_INTERNAL, "certificate table re-read");
		}
		CCTSA_TRY(take_entry(slot, g, table, len, off, n, header_end, diag));
	}
	if (slot[0].p == NULL && slot[1].p == NULL) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "certificate table: no VCEK or VLEK");
	}
	out->vek = slot[0].p != NULL ? slot[0].p : slot[1].p;
	out->vek_len = slot[0].p != NULL ? slot[0].n : slot[1].n;
	out->ask = slot[2].p;
	out->ask_len = slot[2].n;
	out->ark = slot[3].p;
	out->ark_len = slot[3].n;
out:
	return err;
}

/* One SNP_GET_EXT_REPORT with a certificate buffer of *certs_len bytes. */
static int ext_report_ioctl(cctsa_attest_provider *p, uint8_t *resp, uint8_t *certs, uint32_t *certs_len,
			    struct snp_uapi_guest_request *io)
{
	struct snp_uapi_ext_report_req req;

	memset(&req, 0, sizeof(req));
	memset(io, 0, sizeof(*io));
	req.data.vmpl = p->vmpl;
	req.certs_address = (uint64_t)(uintptr_t)certs;
	req.certs_len = *certs_len;
	io->msg_version = 1;
	io->req_data = (uint64_t)(uintptr_t)&req;
	io->resp_data = (uint64_t)(uintptr_t)resp;
	if (ioctl(p->fd, SNP_IOC_GET_EXT_REPORT, io) != 0) {
		*certs_len = req.certs_len; /* the size needed, when too small */
		return errno;
	}
	*certs_len = req.certs_len;
	return 0;
}

cctsa_err snp_sevguest_fetch_chain(cctsa_attest_provider *p, cctsa_diag *diag)
{
	uint8_t *resp = cctsa_mem_alloc(4000);
	uint32_t len = 4 * PAGE;
	struct snp_uapi_guest_request io;
	cctsa_err err = CCTSA_OK;
	int e = 0;

	for (int attempt = 0; attempt < 2 && resp != NULL; attempt++) {
		p->certs.len = 0;
		CCTSA_TRY(cctsa_buf_reserve(&p->certs, len));
		memset(p->certs.data, 0, len);
		e = ext_report_ioctl(p, resp, p->certs.data, &len, &io);
		if (e == 0 || io.u.e.vmm_error != VMM_ERR_INVALID_LEN || len == 0 || len > CERTS_MAX) {
			break;
		}
		len = (len + PAGE - 1) / PAGE * PAGE; /* the host said how much it needs */
	}
	CCTSA_ENSURE(resp != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory"));
	if (e != 0) {
		err = cctsa_fail(diag, CCTSA_E_IO, "sev-guest: SNP_GET_EXT_REPORT on %s: %s (fw_error 0x%x, vmm_error 0x%x)",
				 p->device, strerror(e), io.u.e.fw_error, io.u.e.vmm_error);
		goto out;
	}
	if (len == 0 || len > p->certs.cap || p->certs.data[0] == 0) {
		/* A table that starts with the terminator (the first GUID byte of every
		 * known entry is non-zero) or a zero length: nothing attached. */
		err = cctsa_fail(diag, CCTSA_E_UNSUPPORTED,
				 "sev-guest: the host attached no certificates; fetch the VCEK from AMD KDS");
		goto out;
	}
	p->certs.len = len;
	CCTSA_TRY(cctsa_snp_parse_cert_table(&p->chain, p->certs.data, p->certs.len, diag));
	p->have_chain = 1;
out:
	cctsa_mem_free(resp);
	return err;
}
