/*
 * Constant-time check of the sss module under valgrind (label ctime): secret operands,
 * secret bytes and shard payloads are marked undefined with CCTSA_SECRET, so any branch
 * or memory index that depends on them is reported and fails the test
 * (valgrind --error-exitcode=1).
 */
#include "check.h"
#include "base/ct.h"
#include "cctsa/sss.h"
#include "sss/sss_int.h"

int main(void)
{
	uint8_t a = 0x57, b = 0x83, r, inv, c[3] = {0x11, 0x22, 0x33}, y, secret[70];
	cctsa_sss_shard *sh[5];
	uint8_t *out = NULL;
	size_t len = 0;
	char *text = NULL;
	size_t tlen = 0;
	cctsa_sss_shard *parsed = NULL;

	CCTSA_SECRET(&a, 1);
	CCTSA_SECRET(&b, 1);
	r = cctsa_sss_gf_mul(a, b);
	inv = cctsa_sss_gf_inv(a);
	CCTSA_SECRET(c, sizeof(c));
	y = cctsa_sss_poly_eval(c, 3, b);
	CCTSA_PUBLIC(&r, 1);
	CCTSA_PUBLIC(&inv, 1);
	CCTSA_PUBLIC(&y, 1);
	CHECK(r == 0xc1);

	for (size_t i = 0; i < sizeof(secret); i++) {
		secret[i] = (uint8_t)(i * 37 + 5);
	}
	CCTSA_SECRET(secret, sizeof(secret));
	CHECK_OK(cctsa_sss_split(sh, secret, sizeof(secret), 3, 5, NULL));
	for (int i = 0; i < 5; i++) {
		CCTSA_SECRET(sh[i]->payload, sh[i]->len);
	}
	/* encode and parse of a shard whose payload is secret */
	CHECK_OK(cctsa_sss_shard_encode(&text, &tlen, sh[1], NULL));
	CHECK_OK(cctsa_sss_shard_parse(&parsed, (const uint8_t *)text, tlen, "ct", NULL));
	cctsa_secret_free(text);
	cctsa_sss_shard_free(sh[1]);
	sh[1] = parsed;
	CCTSA_SECRET(sh[1]->payload, sh[1]->len);
	/* combine with one extra shard: the consistency check runs too */
	CHECK_OK(cctsa_sss_combine(&out, &len, sh, 4, NULL));
	CCTSA_PUBLIC(out, len);
	CCTSA_PUBLIC(secret, sizeof(secret));
	CHECK(len == sizeof(secret));
	CHECK_MEMEQ(out, secret, len);
	cctsa_secret_free(out);
	for (int i = 0; i < 5; i++) {
		cctsa_sss_shard_free(sh[i]);
	}
	fprintf(stderr, "sss_ctime: ok\n");
	return 0;
}
