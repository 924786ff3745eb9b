/*
 * libFuzzer target for the SEV-SNP report codec: any input either fails to decode
 * cleanly or decodes to a report that encodes back to the same bytes and decodes
 * to the same struct. The firmware response wrapper and the VCEK/VLEK
 * certificate loader (PEM or DER, strict outer DER, AMD extensions) and the
 * extended report's certificate table are exercised on the same input.
 */
#include <stdint.h>
#include <string.h>

#include "base/ct.h"
#include "cctsa/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(void)
{
	__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cctsa_snp_report r, r2;
	uint8_t enc[CCTSA_SNP_REPORT_LEN];
	cctsa_diag d;

	cctsa_diag_reset(&d);
	if (cctsa_snp_report_decode(&r, data, size, &d) == CCTSA_OK) {
		if (cctsa_snp_report_encode(enc, &r, NULL) != CCTSA_OK || size != sizeof(enc) ||
		    cctsa_memcmp_var(enc, data, sizeof(enc)) != 0 ||
		    cctsa_snp_report_decode(&r2, enc, sizeof(enc), NULL) != CCTSA_OK ||
		    cctsa_memcmp_var(&r, &r2, sizeof(r)) != 0) {
			die();
		}
		for (int p = CCTSA_SNP_PRODUCT_MILAN; p <= CCTSA_SNP_PRODUCT_SIM; p++) {
			int ok = 0;
			cctsa_snp_tcb t = cctsa_snp_tcb_split((cctsa_snp_product)p, r.reported_tcb, &ok);
			if (ok && cctsa_snp_tcb_join((cctsa_snp_product)p, &t) != r.reported_tcb) {
				die();
			}
		}
	} else if (d.msg[0] == '\0') {
		die(); /* every refusal says why */
	}
	if (cctsa_snp_parse_report_rsp(enc, data, size, NULL) == CCTSA_OK &&
	    cctsa_snp_report_decode(&r2, enc, sizeof(enc), NULL) != CCTSA_OK) {
		die();
	}
	{
		cctsa_snp_chain ch;
		if (cctsa_snp_parse_cert_table(&ch, data, size, NULL) == CCTSA_OK &&
		    (ch.vek < data || ch.vek + ch.vek_len > data + size || ch.vek_len == 0)) {
			die();
		}
	}
	{
		cctsa_snp_vek_info v;
		cctsa_diag_reset(&d);
		if (cctsa_snp_vek_parse(&v, data, size, &d) == CCTSA_OK) {
			if (v.hwid_len != 0 && v.hwid_len != 8 && v.hwid_len != 64) {
				die();
			}
		} else if (d.msg[0] == '\0') {
			die();
		}
	}
	return 0;
}
