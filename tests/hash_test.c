/*
 * hash: SHA3-256/384/512 and SHAKE128/256 against OpenSSL's EVP implementation
 * on every input length 0..700 and some long ones, with the input absorbed in
 * random pieces and SHAKE output squeezed in random pieces, plus FIPS 202 known
 * answers that do not depend on OpenSSL.
 */
#include <openssl/evp.h>

#include "check.h"
#include "cctsa/hash.h"
#include "hash/hash_int.h"

enum { ALG_SHA3_256, ALG_SHA3_384, ALG_SHA3_512, ALG_SHAKE128, ALG_SHAKE256, ALG_N };

static const char *const alg_names[ALG_N] = {"SHA3-256", "SHA3-384", "SHA3-512", "SHAKE128",
					     "SHAKE256"};
static const size_t alg_len[ALG_N] = {32, 48, 64, 0, 0};

static void ours_init(cctsa_keccak *k, int alg)
{
	switch (alg) {
	case ALG_SHA3_256:
		cctsa_sha3_256_init(k);
		break;
	case ALG_SHA3_384:
		cctsa_sha3_384_init(k);
		break;
	case ALG_SHA3_512:
		cctsa_sha3_512_init(k);
		break;
	case ALG_SHAKE128:
		cctsa_shake128_init(k);
		break;
	default:
		cctsa_shake256_init(k);
		break;
	}
}

static void openssl_hash(int alg, const uint8_t *in, size_t len, uint8_t *out, size_t outlen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const EVP_MD *md = EVP_get_digestbyname(alg_names[alg]);

	CHECK(c != NULL && md != NULL);
	CHECK(EVP_DigestInit_ex(c, md, NULL) == 1);
	CHECK(EVP_DigestUpdate(c, in, len) == 1);
	if (alg_len[alg] != 0) {
		unsigned n = 0;
		CHECK(EVP_DigestFinal_ex(c, out, &n) == 1);
		CHECK(n == outlen);
	} else {
		CHECK(EVP_DigestFinalXOF(c, out, outlen) == 1);
	}
	EVP_MD_CTX_free(c);
}

/* Ours, absorbing in random pieces and squeezing in random pieces. */
static void ours_split(int alg, const uint8_t *in, size_t len, uint8_t *out, size_t outlen,
		       uint64_t *rng)
{
	cctsa_keccak k;
	size_t off = 0;

	ours_init(&k, alg);
	while (off < len) {
		size_t n = (size_t)(check_rand(rng) % 400);
		if (n > len - off) {
			n = len - off;
		}
		cctsa_keccak_absorb(&k, in + off, n);
		off += n;
	}
	cctsa_keccak_absorb(&k, NULL, 0);
	if (alg_len[alg] != 0) {
		cctsa_sha3_final(&k, out);
		return;
	}
	off = 0;
	while (off < outlen) {
		size_t n = (size_t)(check_rand(rng) % 300);
		if (n > outlen - off) {
			n = outlen - off;
		}
		cctsa_shake_squeeze(&k, out + off, n);
		off += n;
	}
	cctsa_keccak_wipe(&k);
}

static void ours_oneshot(int alg, const uint8_t *in, size_t len, uint8_t *out, size_t outlen)
{
	switch (alg) {
	case ALG_SHA3_256:
		cctsa_sha3_256(out, in, len);
		break;
	case ALG_SHA3_384:
		cctsa_sha3_384(out, in, len);
		break;
	case ALG_SHA3_512:
		cctsa_sha3_512(out, in, len);
		break;
	case ALG_SHAKE128:
		cctsa_shake128(out, outlen, in, len);
		break;
	default:
		cctsa_shake256(out, outlen, in, len);
		break;
	}
}

static unsigned long compare_all(uint64_t *rng)
{
	static uint8_t in[20000], want[1200], got[1200];
	size_t lens[720];
	size_t nlens = 0;
	unsigned long n = 0;

	for (size_t i = 0; i < sizeof(in); i++) {
		in[i] = (uint8_t)check_rand(rng);
	}
	for (size_t l = 0; l <= 700; l++) {
		lens[nlens++] = l;
	}
	lens[nlens++] = 1343;
	lens[nlens++] = 2016;
	lens[nlens++] = 4999;
	lens[nlens++] = 20000;
	for (int alg = 0; alg < ALG_N; alg++) {
		for (size_t i = 0; i < nlens; i++) {
			size_t outlen = alg_len[alg] != 0 ? alg_len[alg]
							  : 1 + (size_t)(check_rand(rng) % 1200);
			openssl_hash(alg, in, lens[i], want, outlen);
			ours_oneshot(alg, in, lens[i], got, outlen);
			CHECK_MEMEQ(got, want, outlen);
			memset(got, 0, sizeof(got));
			ours_split(alg, in, lens[i], got, outlen, rng);
			CHECK_MEMEQ(got, want, outlen);
			n += 2;
		}
	}
	return n;
}

/* Known answers from FIPS 202 examples (independent of OpenSSL). */
static void known_answers(void)
{
	static const char abc_sha3_256[] =
		"3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532";
	static const char empty_shake128[] =
		"7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26";
	uint8_t want[32], got[32];
	size_t n = 0;

	CHECK_OK(cctsa_hex_decode(want, sizeof(want), &n, abc_sha3_256));
	cctsa_sha3_256(got, (const uint8_t *)"abc", 3);
	CHECK_MEMEQ(got, want, 32);
	CHECK_OK(cctsa_hex_decode(want, sizeof(want), &n, empty_shake128));
	cctsa_shake128(got, 32, NULL, 0);
	CHECK_MEMEQ(got, want, 32);
}

/* Cloning a context by struct copy continues the same stream. */
static void clone_and_long_squeeze(void)
{
	cctsa_keccak a, b;
	uint8_t x[500], y[500], z[1000];

	cctsa_shake256_init(&a);
	cctsa_keccak_absorb(&a, (const uint8_t *)"clone", 5);
	b = a;
	cctsa_shake_squeeze(&a, x, 500);
	cctsa_shake_squeeze(&a, y, 500);
	cctsa_shake_squeeze(&b, z, 1000);
	CHECK_MEMEQ(x, z, 500);
	CHECK_MEMEQ(y, z + 500, 500);
	cctsa_keccak_wipe(&a);
	cctsa_keccak_wipe(&b);
}

/*
 * Four-way Keccak: portable and AVX2 permutations equal four scalar ones; the
 * x4 absorb/squeeze equals four SHAKE128/SHAKE256 contexts for many lengths.
 */
static unsigned long test_x4(uint64_t *rng)
{
	static uint8_t in[4][700], want[4][5 * 168], got[4][5 * 168];
	const uint8_t *const ins[4] = {in[0], in[1], in[2], in[3]};
	uint8_t *const outs[4] = {got[0], got[1], got[2], got[3]};
	cctsa_keccak_x4 x, y;
	unsigned long n = 0;

	for (unsigned i = 0; i < 25; i++) {
		for (unsigned j = 0; j < 4; j++) {
			x.s[i][j] = check_rand(rng);
		}
	}
	y = x;
	cctsa_keccak_x4_f1600_portable(&y);
	for (unsigned j = 0; j < 4; j++) {
		uint64_t one[25];
		for (unsigned i = 0; i < 25; i++) {
			one[i] = x.s[i][j];
		}
		cctsa_keccak_f1600(one);
		for (unsigned i = 0; i < 25; i++) {
			CHECK(one[i] == y.s[i][j]);
		}
	}
	if (cctsa_keccak_x4_have_avx2()) {
		cctsa_keccak_x4_f1600_avx2(&x);
		CHECK_MEMEQ(&x, &y, sizeof(x));
		n++;
	} else {
		fprintf(stderr, "hash_test: AVX2 not selected (no AVX2, or built with CCTSA_NO_AVX2); the AVX2 Keccak path is not exercised\n");
	}
	for (size_t len = 0; len < sizeof(in[0]); len += 1 + len / 8) {
		for (unsigned j = 0; j < 4; j++) {
			for (size_t i = 0; i < len; i++) {
				in[j][i] = (uint8_t)check_rand(rng);
			}
		}
		for (int which = 0; which < 2; which++) {
			unsigned rate = which ? CCTSA_SHAKE256_RATE : CCTSA_SHAKE128_RATE;
			cctsa_keccak_x4_absorb_once(&x, rate, 0x1f, ins, len);
			for (unsigned j = 0; j < 4; j++) {
				if (which) {
					cctsa_shake256(want[j], 5 * rate, in[j], len);
				} else {
					cctsa_shake128(want[j], 5 * rate, in[j], len);
				}
			}
			cctsa_keccak_x4_squeezeblocks(outs, 3, &x, rate);
			for (unsigned j = 0; j < 4; j++) {
				CHECK_MEMEQ(got[j], want[j], 3 * rate);
			}
			cctsa_keccak_x4_squeezeblocks(outs, 2, &x, rate); /* continues the stream */
			for (unsigned j = 0; j < 4; j++) {
				CHECK_MEMEQ(got[j], want[j] + 3 * rate, 2 * rate);
				n++;
			}
		}
	}
	return n;
}

int main(void)
{
	uint64_t rng = check_seed() | 1;
	unsigned long n;

	known_answers();
	clone_and_long_squeeze();
	n = compare_all(&rng);
	fprintf(stderr, "hash_test: %lu comparisons with OpenSSL EVP passed\n", n);
	fprintf(stderr, "hash_test: %lu four-way Keccak checks passed\n", test_x4(&rng));
	return 0;
}
