/* The private key object of src/mldsa (opaque to callers of include/cctsa/mldsa.h). */
#ifndef CCTSA_MLDSA_KEY_H
#define CCTSA_MLDSA_KEY_H

#include "mldsa/mldsa_int.h"

/* Lives in cctsa_secret_alloc memory; wiped by cctsa_mldsa_key_free. */
struct cctsa_mldsa_key {
	const mldsa_params *p;
	uint8_t has_seed;
	uint8_t seed[CCTSA_MLDSA_SEED_LEN];
	uint8_t rho[MLDSA_SEEDBYTES];
	uint8_t k[MLDSA_SEEDBYTES];
	uint8_t tr[CCTSA_MLDSA_TR_LEN];
	uint8_t pk[CCTSA_MLDSA_PK_MAX];
	uint8_t sk[CCTSA_MLDSA_SK_MAX];
	mldsa_polyvecl s1hat;  /* NTT(s1), |.| < 9q */
	mldsa_polyveck s2hat;  /* NTT(s2), |.| < 9q */
	mldsa_polyveck t0hat;  /* NTT(t0), |.| < 9q */
	mldsa_matrix a;        /* ExpandA(rho), [0, q) */
};

#endif
