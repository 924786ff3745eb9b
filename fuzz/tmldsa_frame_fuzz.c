/*
 * Fuzzes the threshold ML-DSA frame decoder: any input either fails with a
 * specific error or decodes to a frame whose re-encoding is the input itself
 * (parse -> write -> parse). The input is also fed, as a sequence of frames
 * (u32 big-endian length prefixes), to a combiner of a fixed session, which must
 * never crash whatever arrives.
 */
#include <stdlib.h>
#include <string.h>

#include "base/ct.h"
#include "cctsa/tmldsa.h"
#include "tmldsa/tmldsa_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const uint8_t *data, size_t size)
{
	cctsa_tmldsa_frame f;
	cctsa_buf b;

	if (cctsa_tmldsa_frame_decode(&f, data, size, NULL, NULL) != CCTSA_OK) {
		return;
	}
	cctsa_buf_init(&b, 0);
	if (tm_frame_put(&b, f.type, f.sender, f.recipient, f.ssid, f.payload, f.payload_len) != CCTSA_OK ||
	    b.len != size || cctsa_memcmp_var(b.data, data, size) != 0) {
		abort(); /* the writer must reproduce every accepted frame */
	}
	cctsa_buf_free(&b);
}

/* A fixed session: pk of zeros, act {0,1,2}, empty message, zero nonce. */
static void feed_combiner(const uint8_t *data, size_t size)
{
	static const uint8_t pk[CCTSA_TMLDSA_PK_LEN];
	cctsa_tmldsa_session s = {.act = 7};
	cctsa_tmldsa_combiner *cb;
	uint8_t sig[CCTSA_TMLDSA_SIG_LEN];
	cctsa_cursor c;

	if (cctsa_tmldsa_combiner_new(&cb, pk, &s, NULL) != CCTSA_OK) {
		abort();
	}
	cctsa_cursor_init(&c, data, size);
	for (;;) {
		const uint8_t *p;
		uint32_t n;

		if (cctsa_cursor_get_u32be(&c, &n) != CCTSA_OK || cctsa_cursor_get_view(&c, &p, n) != CCTSA_OK) {
			break;
		}
		if (cctsa_tmldsa_combiner_recv(cb, p, n, NULL) == CCTSA_E_INTERNAL) {
			abort();
		}
	}
	if (cctsa_tmldsa_combine(cb, sig, NULL, NULL) == CCTSA_OK) {
		abort(); /* nothing forged from fuzz input can verify under a zero key */
	}
	cctsa_tmldsa_combiner_free(cb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	roundtrip(data, size);
	feed_combiner(data, size);
	return 0;
}
