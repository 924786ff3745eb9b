/*
 * In-process drivers (selftest, benchmarks): carry every message between party
 * objects living in one process, exactly as a coordinator would between nodes.
 */
#include <string.h>

#include "tecdsa/tecdsa_int.h"

/* All messages of a round are produced first, then delivered (D1 consumption needs
 * the receiver's own D1 to that sender). */
static cctsa_err sim_dkg_round(cctsa_tecdsa_party *const p[TEC_N + 1], int round, cctsa_diag *diag)
{
	cctsa_buf b[TEC_N + 1][TEC_N + 1];
	cctsa_err err = CCTSA_OK;

	for (uint8_t i = 0; i <= TEC_N; i++) {
		for (uint8_t j = 0; j <= TEC_N; j++) {
			cctsa_buf_init(&b[i][j], 0);
		}
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (uint8_t j = 1; j <= TEC_N; j++) {
			if (i != j) {
				CCTSA_TRY(round == 1 ? cctsa_tecdsa_dkg_msg1(p[i], j, &b[i][j])
						     : cctsa_tecdsa_dkg_msg2(p[i], j, &b[i][j]));
			}
		}
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		for (uint8_t j = 1; j <= TEC_N; j++) {
			if (i == j) {
				continue;
			}
			if (round == 1) {
				CCTSA_TRY(cctsa_tecdsa_dkg_recv1(p[j], b[i][j].data, b[i][j].len, NULL, 0, NULL, diag));
			} else {
				CCTSA_TRY(cctsa_tecdsa_dkg_recv2(p[j], b[i][j].data, b[i][j].len, NULL, 0, NULL, diag));
			}
		}
	}
out:
	for (uint8_t i = 0; i <= TEC_N; i++) {
		for (uint8_t j = 0; j <= TEC_N; j++) {
			cctsa_buf_free(&b[i][j]);
		}
	}
	return err;
}

cctsa_err cctsa_tecdsa_sim_dkg(cctsa_tecdsa_party *const p[5], const uint8_t dkg_sid[32], cctsa_diag *diag)
{
	cctsa_tecdsa_party *q[TEC_N + 1] = {NULL, p[0], p[1], p[2], p[3], p[4]};
	cctsa_buf b;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&b, 0);
	for (uint8_t i = 1; i <= TEC_N; i++) {
		CCTSA_ENSURE(q[i]->me == i, CCTSA_E_USAGE);
		CCTSA_TRY(cctsa_tecdsa_dkg_start(q[i], dkg_sid, diag));
	}
	/* D1 is sent to a peer before that peer's D1 is consumed (base-OT state). */
	CCTSA_TRY(sim_dkg_round(q, 1, diag));
	CCTSA_TRY(sim_dkg_round(q, 2, diag));
	for (uint8_t i = 1; i <= TEC_N; i++) {
		b.len = 0;
		CCTSA_TRY(cctsa_tecdsa_dkg_msg3(q[i], &b, diag));
		for (uint8_t j = 1; j <= TEC_N; j++) {
			if (i != j) {
				CCTSA_TRY(cctsa_tecdsa_dkg_recv3(q[j], b.data, b.len, NULL, diag));
			}
		}
	}
	for (uint8_t i = 1; i <= TEC_N; i++) {
		CCTSA_TRY(cctsa_tecdsa_dkg_finish(q[i], NULL, diag));
	}
out:
	cctsa_buf_free(&b);
	return err;
}

cctsa_err cctsa_tecdsa_sim_presign(cctsa_tecdsa_party *const p[5], const uint8_t set[3], const uint8_t pid[32],
				   size_t *bytes_sent, cctsa_diag *diag)
{
	cctsa_tecdsa_presign *s[3] = {NULL, NULL, NULL};
	cctsa_tecdsa_party *pp[3];
	cctsa_buf b;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&b, 0);
	*bytes_sent = 0;
	for (int a = 0; a < 3; a++) {
		CCTSA_ENSURE(set[a] >= 1 && set[a] <= TEC_N, CCTSA_E_USAGE);
		pp[a] = p[set[a] - 1];
		CCTSA_TRY(cctsa_tecdsa_presign_new(&s[a], pp[a], pid, set, diag));
	}
	for (int round = 1; round <= 2; round++) {
		for (int a = 0; a < 3; a++) {
			for (int c = 0; c < 3; c++) {
				if (a == c) {
					continue;
				}
				b.len = 0;
				if (round == 1) {
					CCTSA_TRY(cctsa_tecdsa_presign_msg1(s[a], set[c], &b));
					CCTSA_TRY(cctsa_tecdsa_presign_recv1(s[c], b.data, b.len, NULL, diag));
				} else {
					CCTSA_TRY(cctsa_tecdsa_presign_msg2(s[a], set[c], &b, NULL, diag));
					CCTSA_TRY(cctsa_tecdsa_presign_recv2(s[c], b.data, b.len, NULL, diag));
				}
				*bytes_sent += b.len;
			}
		}
	}
	for (int a = 0; a < 3; a++) {
		CCTSA_TRY(cctsa_tecdsa_presign_finish(s[a], NULL, diag));
	}
out:
	for (int a = 0; a < 3; a++) {
		cctsa_tecdsa_presign_free(s[a]);
	}
	cctsa_buf_free(&b);
	return err;
}
