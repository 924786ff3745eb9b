/*
 * record parsers: the audit-log verifier and the transcript validator/renderer never
 * crash; a verified log's result is consistent (bad_line 0, a record count no larger
 * than the number of lines). The first byte picks the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cctsa/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cctsa_diag d;

	if (size == 0) {
		return 0;
	}
	cctsa_diag_reset(&d);
	if (data[0] & 1) {
		cctsa_audit_result res;
		size_t lines = 0;
		cctsa_err e = cctsa_audit_verify(&res, data + 1, size - 1, NULL, &d);

		for (size_t i = 1; i < size; i++) {
			lines += data[i] == '\n';
		}
		if ((e == CCTSA_OK) != (res.bad_line == 0) || res.records > lines ||
		    (e != CCTSA_OK && (e != CCTSA_E_VERIFY || d.msg[0] == '\0'))) {
			abort();
		}
	} else {
		cctsa_buf md;
		cctsa_err e = cctsa_transcript_render_markdown(&md, data + 1, size - 1, &d);

		if (e == CCTSA_OK) {
			cctsa_buf_free(&md);
		} else if (e != CCTSA_E_MALFORMED || d.msg[0] == '\0') {
			abort();
		}
	}
	return 0;
}
