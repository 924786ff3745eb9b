/*
 * Threshold ECDSA P-384 benchmark: DKG (incl. base OT for all 20 ordered pairs),
 * CPU per party per presignature with its parts (EC scalar multiplications, OT
 * extension + RVOLE, hashing), bytes per presignature per party, online share and
 * combine. All parties run in this process on one thread; CPU is thread CPU time.
 * usage: bench-tecdsa [presignatures per set (default 3)]
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "cctsa/tecdsa.h"
#include "tecdsa/tecdsa_int.h"

static void die(const char *what, cctsa_err err)
{
	fprintf(stderr, "bench-tecdsa: %s failed: %s\n", what, cctsa_err_name(err));
	exit(1);
}

/* Cost of one short hash-to-scalar as used for the OT outputs. */
static double hash_us(tec_ctx *c)
{
	uint8_t sid[32] = {0}, col[32] = {0};
	tec_sc s;
	int n = 20000;
	uint64_t t0 = tec_cpu_ns();

	for (int i = 0; i < n; i++) {
		col[0] = (uint8_t)i;
		if (tec_h_begin(c, "OTE-out") || tec_h_field(c, sid, 32) || tec_h_field(c, sid, 32) ||
		    tec_h_u16(c, (uint16_t)i) || tec_h_u8(c, 0) || tec_h_field(c, col, 32) || tec_h_end_sc(c, &s)) {
			die("hash", CCTSA_E_CRYPTO);
		}
	}
	return (double)(tec_cpu_ns() - t0) / n / 1e3;
}

int main(int argc, char **argv)
{
	cctsa_tecdsa_party *p[5];
	uint8_t sid[32], set[3] = {1, 3, 5};
	int m = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 3;
	uint64_t t0, ec = 0, ote = 0, nh = 0, tot;
	size_t bytes = 0, b;
	double hus;
	cctsa_err err;

	if (m < 1) {
		m = 1;
	}
	for (int i = 0; i < 5; i++) {
		if ((err = cctsa_tecdsa_party_new(&p[i], (uint8_t)(i + 1))) != CCTSA_OK) {
			die("party", err);
		}
	}
	hus = hash_us(&p[0]->c);
	if ((err = cctsa_rand_bytes(sid, 32)) != CCTSA_OK) {
		die("rand", err);
	}
	t0 = tec_cpu_ns();
	if ((err = cctsa_tecdsa_sim_dkg(p, sid, NULL)) != CCTSA_OK) {
		die("dkg", err);
	}
	tot = tec_cpu_ns() - t0;
	printf("DKG (5 parties in one thread, incl. 20 x 256 base OTs): %.2f s CPU total, %.2f s per party\n",
	       (double)tot / 1e9, (double)tot / 5e9);
	for (int i = 0; i < 5; i++) {
		p[i]->c.acct = 1;
		p[i]->c.ns_ec = p[i]->c.ns_ote = p[i]->c.nhash = 0;
	}
	t0 = tec_cpu_ns();
	for (int k = 0; k < m; k++) {
		uint8_t pid[32];

		if ((err = cctsa_rand_bytes(pid, 32)) != CCTSA_OK ||
		    (err = cctsa_tecdsa_sim_presign(p, set, pid, &b, NULL)) != CCTSA_OK) {
			die("presign", err);
		}
		bytes += b;
	}
	tot = tec_cpu_ns() - t0;
	for (int i = 0; i < 5; i++) {
		ec += p[i]->c.ns_ec;
		ote += p[i]->c.ns_ote;
		nh += p[i]->c.nhash;
	}
	{
		double n = 3.0 * m;

		printf("presign: %.2f ms CPU per party per presignature (%d presignatures, set {1,3,5})\n",
		       (double)tot / n / 1e6, m);
		printf("  EC scalar mults (14 per party): %.2f ms\n", (double)ec / n / 1e6);
		printf("  OT extension + RVOLE (incl. their hashing, AES, GF, transposes): %.2f ms\n",
		       (double)ote / n / 1e6);
		printf("  hashing: %.0f SHA-512 calls per party, est. %.2f ms at %.2f us each (inside the above)\n",
		       (double)nh / n, (double)nh / n * hus / 1e3, hus);
		printf("  other (Z_q, encoding, checks): %.2f ms\n", (double)(tot - ec - ote) / n / 1e6);
		printf("  bytes sent per party per presignature: %.0f (same received)\n", (double)bytes / n);
	}
	{
		uint8_t pid[32], e[48] = {7}, sh[3][CCTSA_TECDSA_SHARE_LEN], der[CCTSA_TECDSA_SIG_MAX];
		const uint8_t *shp[3] = {sh[0], sh[1], sh[2]};
		uint64_t ts = 0, tc = 0;
		size_t dl = 0;
		int reps = 20;

		for (int k = 0; k < reps; k++) {
			if ((err = cctsa_rand_bytes(pid, 32)) != CCTSA_OK ||
			    (err = cctsa_tecdsa_sim_presign(p, set, pid, &b, NULL)) != CCTSA_OK) {
				die("presign", err);
			}
			t0 = tec_cpu_ns();
			for (int a = 0; a < 3; a++) {
				if ((err = cctsa_tecdsa_sign_share(p[set[a] - 1], pid, e, 1, sh[a], NULL)) != CCTSA_OK) {
					die("share", err);
				}
			}
			ts += tec_cpu_ns() - t0;
			t0 = tec_cpu_ns();
			if ((err = cctsa_tecdsa_combine(p[0], pid, e, 1, shp, der, &dl, NULL, NULL)) != CCTSA_OK) {
				die("combine", err);
			}
			tc += tec_cpu_ns() - t0;
		}
		printf("online: share %.3f ms per party (re-randomisation on), combine+verify %.3f ms, "
		       "share+combine %.3f ms; %d bytes per share message\n",
		       (double)ts / 3 / reps / 1e6, (double)tc / reps / 1e6, ((double)ts / 3 + (double)tc) / reps / 1e6,
		       CCTSA_TECDSA_SHARE_LEN);
	}
	for (int i = 0; i < 5; i++) {
		cctsa_tecdsa_party_free(p[i]);
	}
	return 0;
}
