/* Helpers for tests/tecdsa_test.c: an in-process cluster of five parties. */
#ifndef CCTSA_TESTS_TECDSA_UTIL_H
#define CCTSA_TESTS_TECDSA_UTIL_H

#include <openssl/evp.h>

#include "check.h"
#include "tecdsa/dkg_int.h"
#include "tecdsa/tecdsa_int.h"

typedef struct {
	cctsa_tecdsa_party *p[TEC_N + 1];
} tcluster;

/* A stand-in for the identity-key signature on DKG messages: SHA-256(key_i || msg). */
static void tauth_sig(uint8_t signer, const uint8_t *m, size_t n, uint8_t out[32])
{
	uint8_t key[8] = {'i', 'd', 'k', 'e', 'y', '-', '0', 0};
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned ol = 0;

	key[7] = signer;
	CHECK(c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1);
	CHECK(EVP_DigestUpdate(c, key, sizeof(key)) == 1 && EVP_DigestUpdate(c, m, n) == 1);
	CHECK(EVP_DigestFinal_ex(c, out, &ol) == 1 && ol == 32);
	EVP_MD_CTX_free(c);
}

static int tauth_verify(void *ctx, uint8_t signer, const uint8_t *m, size_t n, const uint8_t *sig, size_t sl)
{
	uint8_t want[32];

	(void)ctx;
	if (sl != 32) {
		return 0;
	}
	tauth_sig(signer, m, n, want);
	return cctsa_memcmp_var(want, sig, 32) == 0;
}

/* Messages of one presigning run: m1[from][to], m2[from][to]. */
typedef struct {
	cctsa_buf m1[TEC_N + 1][TEC_N + 1], m2[TEC_N + 1][TEC_N + 1];
	cctsa_tecdsa_presign *s[TEC_N + 1];
	uint8_t set[3];
	tec_sc k[TEC_N + 1], phi[TEC_N + 1], sk[TEC_N + 1]; /* copied before finish wipes them */
} tps;

static void tps_free(tps *r)
{
	for (int i = 0; i <= TEC_N; i++) {
		cctsa_tecdsa_presign_free(r->s[i]);
		r->s[i] = NULL;
		for (int j = 0; j <= TEC_N; j++) {
			cctsa_buf_free(&r->m1[i][j]);
			cctsa_buf_free(&r->m2[i][j]);
		}
	}
}

static void tps_begin(tps *r, tcluster *cl, const uint8_t set[3], const uint8_t pid[32])
{
	memset(r, 0, sizeof(*r));
	memcpy(r->set, set, 3);
	for (int a = 0; a < 3; a++) {
		CHECK_OK(cctsa_tecdsa_presign_new(&r->s[set[a]], cl->p[set[a]], pid, set, NULL));
	}
}

static void tps_round1(tps *r)
{
	for (int a = 0; a < 3; a++) {
		for (int b = 0; b < 3; b++) {
			uint8_t i = r->set[a], j = r->set[b];

			if (i != j) {
				cctsa_buf_init(&r->m1[i][j], 0);
				CHECK_OK(cctsa_tecdsa_presign_msg1(r->s[i], j, &r->m1[i][j]));
				CHECK(r->m1[i][j].len == CCTSA_TECDSA_M1_LEN);
			}
		}
	}
}

static void tps_deliver1(tps *r)
{
	for (int a = 0; a < 3; a++) {
		for (int b = 0; b < 3; b++) {
			uint8_t i = r->set[a], j = r->set[b];

			if (i != j) {
				CHECK_OK(cctsa_tecdsa_presign_recv1(r->s[j], r->m1[i][j].data, r->m1[i][j].len, NULL, NULL));
			}
		}
	}
}

static void tps_round2(tps *r)
{
	for (int a = 0; a < 3; a++) {
		for (int b = 0; b < 3; b++) {
			uint8_t i = r->set[a], j = r->set[b];

			if (i != j) {
				cctsa_buf_init(&r->m2[i][j], 0);
				CHECK_OK(cctsa_tecdsa_presign_msg2(r->s[i], j, &r->m2[i][j], NULL, NULL));
				CHECK(r->m2[i][j].len == CCTSA_TECDSA_M2_LEN);
			}
		}
	}
}

static void tps_deliver2_finish(tps *r)
{
	for (int a = 0; a < 3; a++) {
		for (int b = 0; b < 3; b++) {
			uint8_t i = r->set[a], j = r->set[b];

			if (i != j) {
				CHECK_OK(cctsa_tecdsa_presign_recv2(r->s[j], r->m2[i][j].data, r->m2[i][j].len, NULL, NULL));
			}
		}
	}
	for (int a = 0; a < 3; a++) {
		uint8_t i = r->set[a];

		r->k[i] = r->s[i]->k;
		r->phi[i] = r->s[i]->phi;
		r->sk[i] = r->s[i]->sk;
		CHECK_OK(cctsa_tecdsa_presign_finish(r->s[i], NULL, NULL));
		CHECK(tec_sc_is_zero(&r->s[i]->k) && tec_sc_is_zero(&r->s[i]->sk)); /* erased */
	}
}

#endif
