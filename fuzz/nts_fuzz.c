/*
 * Fuzz target for the time module's parsers. The first byte picks one:
 *   0: NTS-KE response records (cctsa_nts_ke_parse)
 *   1: NTP extension fields (cctsa_ntp_ef_parse)
 *   2: a whole NTS reply through the checker, with the origin timestamp patched to
 *      match a real pending request so the extension-field and authenticator
 *      paths are reached
 *   3: a TriHaRd message (framing; no peer key, so it stops at verification)
 * Any input must be rejected with an error or accepted, never crash or leak.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "cctsa/time.h"
#include "time/time_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_reply(const uint8_t *d, size_t n)
{
	static const uint8_t k[32] = { 1, 2, 3 };
	static cctsa_nts_ke_response ke;
	cctsa_nts_session *s = NULL;
	cctsa_nts_sample smp;
	uint8_t req[CCTSA_NTP_PACKET_MAX], pkt[CCTSA_NTP_PACKET_MAX];
	size_t len = 0;

	ke.n_cookies = 1;
	ke.cookie_len[0] = 64;
	if (n > sizeof(pkt) || cctsa_nts_session_new(&s, k, k, &ke) != CCTSA_OK) {
		return;
	}
	if (cctsa_nts_request(s, req, sizeof(req), &len, NULL) == CCTSA_OK) {
		memcpy(pkt, d, n);
		if (n >= 32) {
			memcpy(pkt + 24, req + 40, 8); /* origin = our transmit timestamp */
		}
		if (cctsa_nts_reply(s, &smp, pkt, n, 0, 1000, NULL) == CCTSA_OK && smp.delay_ns < 0) {
			__builtin_trap();
		}
	}
	cctsa_nts_session_free(s);
}

static cctsa_err sink(void *ctx, const uint8_t *m, size_t l)
{
	(void)ctx, (void)m, (void)l;
	return CCTSA_OK;
}

static void fuzz_trihard(const uint8_t *d, size_t n)
{
	static EVP_PKEY *key;
	cctsa_trihard_transport tx = { sink, NULL };
	cctsa_trihard *th = NULL;

	if (key == NULL) {
		key = EVP_EC_gen("P-384");
	}
	if (key == NULL || cctsa_trihard_new(&th, 1, key, &tx, NULL) != CCTSA_OK) {
		return;
	}
	if (cctsa_trihard_receive(th, d, n, 0, 0, NULL) == CCTSA_OK) {
		__builtin_trap(); /* no peers are known: nothing may be accepted */
	}
	cctsa_trihard_free(th);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0) {
		return 0;
	}
	switch (data[0] & 3) {
	case 0: {
		static cctsa_nts_ke_response r;
		cctsa_err e = cctsa_nts_ke_parse(&r, data + 1, size - 1, NULL);
		if (e == CCTSA_OK && (r.n_cookies == 0 || r.n_cookies > CCTSA_NTS_MAX_COOKIES ||
				      r.aead != CCTSA_NTS_AEAD_AES_SIV_CMAC_256)) {
			__builtin_trap();
		}
		break;
	}
	case 1: {
		cctsa_ntp_ef efs[8];
		size_t n = 0, total = 0;
		if (cctsa_ntp_ef_parse(efs, 8, &n, data + 1, size - 1, NULL) == CCTSA_OK) {
			for (size_t i = 0; i < n; i++) {
				total += efs[i].len;
			}
			if (total != size - 1) { /* the fields must tile the input exactly */
				__builtin_trap();
			}
		}
		break;
	}
	case 2:
		fuzz_reply(data + 1, size - 1);
		break;
	default:
		fuzz_trihard(data + 1, size - 1);
		break;
	}
	return 0;
}
