/*
 * libFuzzer target: peer-channel framing. The first input byte is a chunk size;
 * the rest is a byte stream that is cut into frames twice: in one piece with
 * cctsa_net_frame_peek, and fed in chunks into a libevent buffer drained by
 * cctsa_net_frame_pull (the daemons' path). Both must agree frame by frame and
 * on where the stream breaks. Every frame is within its type's bounds; net's own
 * payloads are decoded (HELLO layout, ATTEST layout); a re-written frame is
 * byte-identical.
 */
#include <event2/buffer.h>
#include <stdint.h>
#include <string.h>

#include "cctsa/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
	if (!cond) {
		__builtin_trap();
	}
}

static cctsa_net_peer_rules rules;
static int rules_ok;

/* Cuts s[0..n) with peek; returns frames seen, *broken = 1 if the stream broke. */
static unsigned by_peek(const uint8_t *s, size_t n, int *broken, uint32_t *sum)
{
	size_t off = 0;
	unsigned frames = 0;
	cctsa_buf re;

	cctsa_buf_init(&re, 0);
	*broken = 0;
	while (off < n) {
		size_t total = 0, len = 0;
		uint8_t type = 0;
		const uint8_t *p = NULL;
		cctsa_err err = cctsa_net_frame_peek(&rules.rules, &total, &type, &p, &len, s + off, n - off, NULL);

		if (err != CCTSA_OK) {
			must(err == CCTSA_E_MALFORMED || err == CCTSA_E_UNSUPPORTED);
			*broken = 1;
			break;
		}
		if (total == 0) {
			break;
		}
		must(len <= CCTSA_NET_PEER_MAX);
		if (type == CCTSA_NET_PEER_HELLO) {
			must(len == 1 + CCTSA_NET_NONCE_LEN);
		} else if (type == CCTSA_NET_PEER_READY) {
			must(len == 0);
		} else if (type == CCTSA_NET_PEER_ATTEST) {
			cctsa_err e = cctsa_net_attest_check_layout(p, len);

			must(e == CCTSA_OK || e == CCTSA_E_MALFORMED);
		} else {
			must(type >= CCTSA_NET_APP_TYPE_MIN && type <= CCTSA_NET_APP_TYPE_MAX);
		}
		re.len = 0;
		must(cctsa_net_frame_write(&re, &rules.rules, type, p, len, NULL) == CCTSA_OK);
		must(re.len == total && memcmp(re.data, s + off, total) == 0);
		*sum = *sum * 31u + type + (uint32_t)len;
		frames++;
		off += total;
	}
	cctsa_buf_free(&re);
	return frames;
}

static unsigned by_pull(const uint8_t *s, size_t n, size_t chunk, int *broken, uint32_t *sum)
{
	struct evbuffer *in = evbuffer_new();
	cctsa_buf pl;
	unsigned frames = 0;
	size_t off = 0;

	must(in != NULL);
	cctsa_buf_init(&pl, CCTSA_NET_PEER_MAX);
	*broken = 0;
	while (off < n && !*broken) {
		size_t k = n - off < chunk ? n - off : chunk;

		must(evbuffer_add(in, s + off, k) == 0);
		off += k;
		for (;;) {
			int have = 0;
			uint8_t type = 0;
			cctsa_err err = cctsa_net_frame_pull(&rules.rules, &have, &type, &pl, in, NULL);

			if (err != CCTSA_OK) {
				*broken = 1;
				break;
			}
			if (!have) {
				break;
			}
			*sum = *sum * 31u + type + (uint32_t)pl.len;
			frames++;
		}
	}
	evbuffer_free(in);
	cctsa_buf_free(&pl);
	return frames;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int b1 = 0, b2 = 0;
	uint32_t s1 = 0, s2 = 0;
	unsigned f1, f2;

	if (!rules_ok) {
		must(cctsa_net_peer_rules_init(&rules, NULL, 0, NULL) == CCTSA_OK);
		rules_ok = 1;
	}
	if (size == 0) {
		return 0;
	}
	f1 = by_peek(data + 1, size - 1, &b1, &s1);
	f2 = by_pull(data + 1, size - 1, (size_t)data[0] + 1, &b2, &s2);
	must(f1 == f2 && b1 == b2 && s1 == s2);
	return 0;
}
