/*
 * x509 parser fuzzer: the input is tried as a certificate, a CSR, a measurement
 * binding and a SubjectPublicKeyInfo. Whatever parses must be internally
 * consistent (its pieces lie inside the input), and a binding that decodes must
 * encode back to the same bytes (parse -> write -> compare).
 */
#include <stdint.h>
#include <string.h>

#include "base/ct.h"
#include "cctsa/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	if (p != NULL && (p < data || p + n > data + size)) {
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cctsa_x509_cert c;
	cctsa_x509_csr r;
	cctsa_x509_binding b, b2;
	cctsa_buf out;

	if (cctsa_x509_cert_parse(&c, data, size, NULL) == CCTSA_OK) {
		inside(c.tbs, c.tbs_len, data, size);
		inside(c.spki, c.spki_len, data, size);
		inside(c.binding, c.binding_len, data, size);
		(void)cctsa_x509_cert_has_policy(&c, CCTSA_OID_POLICY_DEFAULT);
		if (c.binding != NULL && cctsa_x509_binding_decode(&b, c.binding, c.binding_len, NULL) == CCTSA_OK) {
			(void)b;
		}
	}
	if (cctsa_x509_csr_parse(&r, data, size, NULL) == CCTSA_OK) {
		inside(r.info, r.info_len, data, size);
		inside(r.policies, r.policies_len, data, size);
	}
	if (cctsa_x509_binding_decode(&b, data, size, NULL) == CCTSA_OK) {
		cctsa_buf_init(&out, 0);
		if (cctsa_x509_binding_encode(&out, &b) != CCTSA_OK || out.len != size ||
		    cctsa_memcmp_var(out.data, data, size) != 0 ||
		    cctsa_x509_binding_decode(&b2, out.data, out.len, NULL) != CCTSA_OK ||
		    cctsa_x509_binding_compare(&b, &b2, NULL) != CCTSA_OK) {
			__builtin_trap();
		}
		cctsa_buf_free(&out);
	}
	return 0;
}
