/*
 * Constant-time check (valgrind) of AES-SIV-CMAC as NTS uses it: the C2S/S2C keys
 * and the plaintext are secret; only the accept/reject bit and the outputs (which
 * go on the wire) are made public.
 */
#include "base/ct.h"
#include "cctsa/time.h"
#include "check.h"

int main(void)
{
	uint8_t key[32], nonce[16] = { 7 }, ad[80] = { 1 }, pt[40], ct[56], back[40];
	cctsa_err e1, e2, e3;

	CHECK_OK(cctsa_rand_bytes(key, sizeof(key)));
	CHECK_OK(cctsa_rand_bytes(pt, sizeof(pt)));
	CCTSA_SECRET(key, sizeof(key));
	CCTSA_SECRET(pt, sizeof(pt));
	e1 = cctsa_nts_siv_seal(ct, key, sizeof(key), nonce, sizeof(nonce), ad, sizeof(ad), pt, sizeof(pt));
	CCTSA_PUBLIC(ct, sizeof(ct)); /* sent on the wire */
	e2 = cctsa_nts_siv_open(back, key, sizeof(key), nonce, sizeof(nonce), ad, sizeof(ad), ct, sizeof(ct));
	ct[20] ^= 1;
	e3 = cctsa_nts_siv_open(back, key, sizeof(key), nonce, sizeof(nonce), ad, sizeof(ad), ct, sizeof(ct));
	CCTSA_PUBLIC(back, sizeof(back));
	CCTSA_PUBLIC(pt, sizeof(pt));
	CCTSA_PUBLIC(key, sizeof(key));
	CHECK(e1 == CCTSA_OK && e2 == CCTSA_OK && e3 == CCTSA_E_VERIFY);
	cctsa_wipe(key, sizeof(key));
	return 0;
}
