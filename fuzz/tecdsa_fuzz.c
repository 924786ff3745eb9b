/*
 * Fuzzes the strict decoders of every tecdsa message type (DKG D1/D2/D3 with
 * complaint evidence, presigning M1/M2, online shares): any input must be either
 * accepted or rejected with a specific error, never crash.
 */
#include <stddef.h>
#include <stdint.h>

#include "cctsa/tecdsa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cctsa_diag diag;
	cctsa_err err;

	cctsa_diag_reset(&diag);
	err = cctsa_tecdsa_decode_check(data, size, &diag);
	if (err != CCTSA_OK && err != CCTSA_E_MALFORMED && err != CCTSA_E_UNSUPPORTED) {
		/* Decoders only ever report malformed or unsupported input (or resource limits). */
		if (err != CCTSA_E_RESOURCE) {
			__builtin_trap();
		}
	}
	return 0;
}
