/*
 * DER reader fuzzer: every input the strict reader accepts as a sequence of TLVs is
 * written again with the typed writers and must come out byte-identical
 * (parse -> write -> compare), then parse again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/der_util.h"
#include "base/ct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cctsa_cursor c;
	cctsa_buf out, again;

	cctsa_cursor_init(&c, data, size);
	cctsa_buf_init(&out, 0);
	if (der_util_reencode(&c, &out, 0) == CCTSA_OK) {
		if (out.len != size || (size > 0 && cctsa_memcmp_var(out.data, data, size) != 0)) {
			__builtin_trap();
		}
		cctsa_cursor_init(&c, out.data, out.len);
		cctsa_buf_init(&again, 0);
		if (der_util_reencode(&c, &again, 0) != CCTSA_OK || again.len != out.len) {
			__builtin_trap();
		}
		cctsa_buf_free(&again);
	}
	cctsa_buf_free(&out);
	return 0;
}
