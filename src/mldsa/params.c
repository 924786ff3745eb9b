/* ML-DSA parameter sets (FIPS 204 Table 1 and Table 2). */
#include "mldsa/mldsa_int.h"

static const mldsa_params mldsa_44 = {
	.alg = CCTSA_MLDSA_44, .k = 4, .l = 4, .eta = 2, .tau = 39, .beta = 78, .omega = 80,
	.gamma1 = 1 << 17, .gamma2 = (MLDSA_Q - 1) / 88, .ctilde_len = 32,
	.eta_bits = 3, .z_bits = 18, .w1_bits = 6,
	.pk_len = CCTSA_MLDSA44_PK_LEN, .sk_len = CCTSA_MLDSA44_SK_LEN, .sig_len = CCTSA_MLDSA44_SIG_LEN,
	.polyeta_bytes = 96, .polyz_bytes = 576, .polyw1_bytes = 192,
};

static const mldsa_params mldsa_65 = {
	.alg = CCTSA_MLDSA_65, .k = 6, .l = 5, .eta = 4, .tau = 49, .beta = 196, .omega = 55,
	.gamma1 = 1 << 19, .gamma2 = (MLDSA_Q - 1) / 32, .ctilde_len = 48,
	.eta_bits = 4, .z_bits = 20, .w1_bits = 4,
	.pk_len = CCTSA_MLDSA65_PK_LEN, .sk_len = CCTSA_MLDSA65_SK_LEN, .sig_len = CCTSA_MLDSA65_SIG_LEN,
	.polyeta_bytes = 128, .polyz_bytes = 640, .polyw1_bytes = 128,
};

static const mldsa_params mldsa_87 = {
	.alg = CCTSA_MLDSA_87, .k = 8, .l = 7, .eta = 2, .tau = 60, .beta = 120, .omega = 75,
	.gamma1 = 1 << 19, .gamma2 = (MLDSA_Q - 1) / 32, .ctilde_len = 64,
	.eta_bits = 3, .z_bits = 20, .w1_bits = 4,
	.pk_len = CCTSA_MLDSA87_PK_LEN, .sk_len = CCTSA_MLDSA87_SK_LEN, .sig_len = CCTSA_MLDSA87_SIG_LEN,
	.polyeta_bytes = 96, .polyz_bytes = 640, .polyw1_bytes = 128,
};

const mldsa_params *mldsa_params_get(cctsa_mldsa_alg alg)
{
	switch (alg) {
	case CCTSA_MLDSA_44:
		return &mldsa_44;
	case CCTSA_MLDSA_65:
		return &mldsa_65;
	case CCTSA_MLDSA_87:
		return &mldsa_87;
	default:
		return NULL;
	}
}

size_t cctsa_mldsa_pk_len(cctsa_mldsa_alg alg)
{
	const mldsa_params *p = mldsa_params_get(alg);
	return p != NULL ? p->pk_len : 0;
}

size_t cctsa_mldsa_sk_len(cctsa_mldsa_alg alg)
{
	const mldsa_params *p = mldsa_params_get(alg);
	return p != NULL ? p->sk_len : 0;
}

size_t cctsa_mldsa_sig_len(cctsa_mldsa_alg alg)
{
	const mldsa_params *p = mldsa_params_get(alg);
	return p != NULL ? p->sig_len : 0;
}
