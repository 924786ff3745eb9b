/*
 * The M' prefixes of FIPS 204: pure ML-DSA (Alg. 2/3: 0 || |ctx| || ctx) and
 * HashML-DSA (Alg. 4/5: 1 || |ctx| || ctx || OID(PH)), with the digest lengths and
 * the NIST hash OIDs 2.16.840.1.101.3.4.2.x (DER, 11 bytes with tag and length).
 */
#include <string.h>

#include "mldsa/mldsa_int.h"

static const struct {
	uint8_t arc;
	uint8_t len;
} ph_table[] = {
	[CCTSA_MLDSA_PH_SHA2_224] = {0x04, 28},     [CCTSA_MLDSA_PH_SHA2_256] = {0x01, 32},
	[CCTSA_MLDSA_PH_SHA2_384] = {0x02, 48},     [CCTSA_MLDSA_PH_SHA2_512] = {0x03, 64},
	[CCTSA_MLDSA_PH_SHA2_512_224] = {0x05, 28}, [CCTSA_MLDSA_PH_SHA2_512_256] = {0x06, 32},
	[CCTSA_MLDSA_PH_SHA3_224] = {0x07, 28},     [CCTSA_MLDSA_PH_SHA3_256] = {0x08, 32},
	[CCTSA_MLDSA_PH_SHA3_384] = {0x09, 48},     [CCTSA_MLDSA_PH_SHA3_512] = {0x0a, 64},
	[CCTSA_MLDSA_PH_SHAKE128] = {0x0b, 32},     [CCTSA_MLDSA_PH_SHAKE256] = {0x0c, 64},
};

size_t cctsa_mldsa_ph_len(cctsa_mldsa_ph ph)
{
	if ((int)ph <= 0 || (size_t)ph >= sizeof(ph_table) / sizeof(ph_table[0])) {
		return 0;
	}
	return ph_table[ph].len;
}

size_t mldsa_prefix(uint8_t out[MLDSA_PREFIX_MAX], int ph, const uint8_t *ctx, size_t ctx_len)
{
	static const uint8_t oid[10] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02};
	size_t n;

	if (ctx_len > CCTSA_MLDSA_CTX_MAX || (ph != 0 && cctsa_mldsa_ph_len((cctsa_mldsa_ph)ph) == 0)) {
		return 0;
	}
	out[0] = ph != 0;
	out[1] = (uint8_t)ctx_len;
	if (ctx_len > 0) {
		memcpy(out + 2, ctx, ctx_len);
	}
	n = 2 + ctx_len;
	if (ph != 0) {
		memcpy(out + n, oid, sizeof(oid));
		out[n + sizeof(oid)] = ph_table[ph].arc;
		n += sizeof(oid) + 1;
	}
	return n;
}
