/*
 * libFuzzer target: the core's peer payload decoders. The first byte picks the
 * message type, the rest is the payload; cctsa_core_msg_check must never crash.
 * A SIGN_REQ that decodes is re-encoded and must give back exactly the payload
 * (one encoding per request).
 */
#include <stdint.h>
#include <string.h>

#include "core/core_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	core_sign_req r;
	cctsa_buf re;

	if (size < 1) {
		return 0;
	}
	if (cctsa_core_msg_check(data[0], data + 1, size - 1, NULL) != CCTSA_OK ||
	    data[0] != CCTSA_CORE_MSG_SIGN_REQ) {
		return 0;
	}
	if (core_sign_req_decode(&r, data + 1, size - 1, NULL) != CCTSA_OK) {
		__builtin_trap(); /* msg_check accepted what the decoder refuses */
	}
	cctsa_buf_init(&re, 0);
	if (core_sign_req_encode(&re, &r) != CCTSA_OK || re.len != size - 1 ||
	    cctsa_memcmp_var(re.data, data + 1, re.len) != 0) {
		__builtin_trap();
	}
	cctsa_buf_free(&re);
	return 0;
}
