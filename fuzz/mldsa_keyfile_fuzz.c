/*
 * Fuzzes the ML-DSA key containers (src/mldsa/keyfile.c, pem.c): SPKI and PKCS#8
 * DER, PEM armour and the format-sniffing loaders. Whatever parses must re-encode
 * and parse back to the same key (SPKI: byte-identical DER).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/ct.h"
#include "cctsa/mldsa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void check(int ok)
{
	if (!ok) {
		abort(); /* style: allow (fuzz harness reports a broken invariant) */
	}
}

static void fuzz_spki(const uint8_t *data, size_t len)
{
	cctsa_mldsa_alg alg, alg2;
	const uint8_t *pk, *pk2;
	size_t pkl, pkl2;
	cctsa_buf out;

	if (cctsa_mldsa_spki_parse(&alg, &pk, &pkl, data, len, NULL) != CCTSA_OK) {
		return;
	}
	cctsa_buf_init(&out, 0);
	check(cctsa_mldsa_spki_write(&out, alg, pk, pkl) == CCTSA_OK);
	check(out.len == len && cctsa_memcmp_var(out.data, data, len) == 0);
	check(cctsa_mldsa_spki_parse(&alg2, &pk2, &pkl2, out.data, out.len, NULL) == CCTSA_OK && alg2 == alg);
	cctsa_buf_free(&out);
}

static void fuzz_pkcs8(const uint8_t *data, size_t len)
{
	uint8_t pk[CCTSA_MLDSA_PK_MAX], pk2[CCTSA_MLDSA_PK_MAX];
	cctsa_mldsa_key *key = NULL, *key2 = NULL;
	cctsa_buf out;
	size_t n;

	if (cctsa_mldsa_key_load(&key, data, len, NULL) != CCTSA_OK) {
		check(key == NULL);
		return;
	}
	n = cctsa_mldsa_pk_len(cctsa_mldsa_key_alg(key));
	cctsa_buf_init(&out, 0);
	check(cctsa_mldsa_pkcs8_write(&out, key) == CCTSA_OK);
	check(cctsa_mldsa_pkcs8_parse(&key2, out.data, out.len, NULL) == CCTSA_OK);
	check(cctsa_mldsa_key_public(key, pk, n) == CCTSA_OK && cctsa_mldsa_key_public(key2, pk2, n) == CCTSA_OK);
	check(cctsa_memcmp_var(pk, pk2, n) == 0);
	cctsa_mldsa_key_free(key);
	cctsa_mldsa_key_free(key2);
	cctsa_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	uint8_t pk[CCTSA_MLDSA_PK_MAX];
	cctsa_mldsa_alg alg;
	size_t pkl;
	cctsa_buf der;

	fuzz_spki(data, len);
	fuzz_pkcs8(data, len);
	if (cctsa_mldsa_pub_load(&alg, pk, &pkl, data, len, NULL) == CCTSA_OK) {
		check(pkl == cctsa_mldsa_pk_len(alg));
	}
	cctsa_buf_init(&der, 1u << 16);
	if (cctsa_mldsa_pem_read(&der, "PUBLIC KEY", data, len, NULL) == CCTSA_OK) {
		fuzz_spki(der.data, der.len);
	}
	cctsa_buf_free(&der);
	return 0;
}
