/*
 * libFuzzer target: the gateway -> core protocol. The input is a byte stream cut
 * into frames by cctsa_net_frame_peek (as the reassembler does); every whole
 * frame is decoded by its type; a decoded message is re-encoded and must give
 * back exactly the frame's bytes (one encoding per message), and decoding the
 * re-encoding must succeed. A broken stream ends the input, as it closes the
 * connection in the daemons.
 */
#include <stdint.h>
#include <string.h>

#include "../tests/net_test.h"
#include "cctsa/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
	if (!cond) {
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cctsa_buf re;
	size_t off = 0;

	cctsa_buf_init(&re, 0);
	while (off < size) {
		size_t total = 0, len = 0;
		uint8_t type = 0;
		const uint8_t *p = NULL;
		cctsa_err err = cctsa_net_frame_peek(&cctsa_net_corep_rules, &total, &type, &p, &len,
						     data + off, size - off, NULL);

		if (err != CCTSA_OK) {
			must(err == CCTSA_E_MALFORMED || err == CCTSA_E_UNSUPPORTED);
			break;
		}
		if (total == 0) {
			break;
		}
		must(total == CCTSA_NET_FRAME_HDR + len && total <= size - off);
		re.len = 0;
		err = net_test_corep_reencode(&re, type, p, len);
		if (err == CCTSA_OK) {
			must(re.len == total && memcmp(re.data, data + off, total) == 0);
		} else {
			must(err == CCTSA_E_MALFORMED || err == CCTSA_E_UNSUPPORTED);
		}
		off += total;
	}
	cctsa_buf_free(&re);
	return 0;
}
