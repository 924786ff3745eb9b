/*
 * cctsa tmldsa selftest --count N --out DIR
 *
 * Runs the threshold ML-DSA-65 DKG among 5 in-process parties (transcript
 * signatures with fresh ML-DSA-65 identity keys), then signs N random messages
 * with each of the 10 signing sets, carrying every frame between the party
 * objects as the cluster would. Writes DIR/pk.bin and DIR/msg-<set>-<i>.bin,
 * DIR/sig-<set>-<i>.bin (empty context) so any FIPS 204 verifier can check them;
 * exits 0 only if every signature verifies here.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>

#include "base/ct.h"
#include "cctsa/mldsa.h"
#include "cctsa/tmldsa.h"
#include "cli.h"

const char cctsa_cli_tmldsa_summary[] = "threshold ML-DSA-65 (3 of 5): selftest";

#define NP CCTSA_TMLDSA_N
#define MAX_ATTEMPTS 64

typedef struct {
	cctsa_mldsa_key *key[NP];
	uint8_t pk[NP][CCTSA_MLDSA65_PK_LEN];
	unsigned id[NP];
	cctsa_tmldsa_dkg_auth auth[NP];
} node_ids;

static node_ids *g_ids; /* the identity keys of this one selftest run */

static cctsa_err id_sign(void *ctx, uint8_t *sig, size_t *sig_len, const uint8_t tr[32])
{
	unsigned u = *(const unsigned *)ctx;

	*sig_len = CCTSA_MLDSA65_SIG_LEN;
	return cctsa_mldsa_sign(g_ids->key[u], sig, *sig_len, tr, 32, NULL, 0, 0);
}

static cctsa_err id_verify(void *ctx, unsigned party, const uint8_t *sig, size_t sig_len,
			   const uint8_t tr[32])
{
	(void)ctx;
	return cctsa_mldsa_verify(CCTSA_MLDSA_65, g_ids->pk[party], CCTSA_MLDSA65_PK_LEN, sig,
				  sig_len, tr, 32, NULL, 0);
}

static cctsa_err ids_make(node_ids *ids)
{
	cctsa_err err = CCTSA_OK;
	uint8_t seed[32];

	for (unsigned u = 0; u < NP; u++) {
		CCTSA_TRY(cctsa_rand_bytes(seed, sizeof(seed)));
		CCTSA_TRY(cctsa_mldsa_key_from_seed(&ids->key[u], CCTSA_MLDSA_65, seed));
		CCTSA_TRY(cctsa_mldsa_key_public(ids->key[u], ids->pk[u], CCTSA_MLDSA65_PK_LEN));
		ids->id[u] = u;
		ids->auth[u] = (cctsa_tmldsa_dkg_auth){&ids->id[u], id_sign, id_verify};
	}
out:
	cctsa_wipe(seed, sizeof(seed));
	return err;
}

/* Delivers f (from party `from`) to every other DKG party it is addressed to. */
static cctsa_err dkg_deliver(cctsa_tmldsa_dkg *d[NP], unsigned from, const cctsa_buf *f,
			     cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;

	for (unsigned v = 0; v < NP; v++) {
		if (v != from && (f->data[3] == CCTSA_TMLDSA_BROADCAST || f->data[3] == v)) {
			CCTSA_TRY(cctsa_tmldsa_dkg_recv(d[v], f->data, f->len, diag));
		}
	}
out:
	return err;
}

static cctsa_err dkg_round1(cctsa_tmldsa_dkg *d[NP], const node_ids *ids, const uint8_t nonce[32],
			    cctsa_diag *diag)
{
	cctsa_buf bc[NP], pv[NP][NP];
	cctsa_err err = CCTSA_OK;

	for (unsigned u = 0; u < NP; u++) {
		cctsa_buf_init(&bc[u], 0);
		for (unsigned v = 0; v < NP; v++) {
			cctsa_buf_init(&pv[u][v], 0);
		}
	}
	for (unsigned u = 0; u < NP; u++) {
		CCTSA_TRY(cctsa_tmldsa_dkg_new(&d[u], &bc[u], pv[u], u, nonce, &ids->auth[u], diag));
	}
	for (unsigned u = 0; u < NP; u++) {
		CCTSA_TRY(dkg_deliver(d, u, &bc[u], diag));
		for (unsigned v = 0; v < NP; v++) {
			if (v != u) {
				CCTSA_TRY(dkg_deliver(d, u, &pv[u][v], diag));
			}
		}
	}
out:
	for (unsigned u = 0; u < NP; u++) {
		cctsa_buf_free(&bc[u]);
		for (unsigned v = 0; v < NP; v++) {
			cctsa_buf_free(&pv[u][v]); /* secret K_S frames: wiped on free */
		}
	}
	return err;
}

static cctsa_err dkg_run(uint8_t pk[CCTSA_TMLDSA_PK_LEN], cctsa_tmldsa_share *sh[NP],
			 const node_ids *ids, cctsa_diag *diag)
{
	cctsa_tmldsa_dkg *d[NP] = {0};
	cctsa_err err = CCTSA_OK;
	uint8_t nonce[32], tr[NP][32], pku[CCTSA_TMLDSA_PK_LEN];

	CCTSA_TRY(cctsa_rand_bytes(nonce, sizeof(nonce)));
	CCTSA_TRY(dkg_round1(d, ids, nonce, diag));
	for (unsigned r = 2; r <= 4; r++) {
		cctsa_buf out[NP];
		unsigned rr;

		for (unsigned u = 0; u < NP; u++) {
			cctsa_buf_init(&out[u], 0);
		}
		for (unsigned u = 0; u < NP && err == CCTSA_OK; u++) {
			err = cctsa_tmldsa_dkg_next(d[u], &out[u], &rr, diag);
		}
		for (unsigned u = 0; u < NP && err == CCTSA_OK; u++) {
			err = dkg_deliver(d, u, &out[u], diag);
		}
		for (unsigned u = 0; u < NP; u++) {
			cctsa_buf_free(&out[u]);
		}
		CCTSA_TRY(err);
	}
	for (unsigned u = 0; u < NP; u++) {
		CCTSA_TRY(cctsa_tmldsa_dkg_finish(d[u], u == 0 ? pk : pku, tr[u], &sh[u], diag));
		CCTSA_ENSURE(u == 0 || (cctsa_ct_memeq(pk, pku, sizeof(pku)) &&
					cctsa_ct_memeq(tr[0], tr[u], 32)),
			     cctsa_fail(diag, CCTSA_E_INTERNAL, "parties disagree on the DKG result"));
	}
out:
	for (unsigned u = 0; u < NP; u++) {
		cctsa_tmldsa_dkg_free(d[u]);
	}
	return err;
}

/* Frames of one attempt: [round][party]. */
typedef struct {
	cctsa_buf f[3][NP];
} attempt_frames;

static cctsa_err sign_rounds(cctsa_tmldsa_signer *sg[NP], cctsa_tmldsa_combiner *cb, unsigned act,
			     attempt_frames *fr, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;

	for (unsigned r = 0; r < 3; r++) {
		for (unsigned u = 0; u < NP; u++) {
			if (!(act & (1u << u))) {
				continue;
			}
			if (r == 1) {
				CCTSA_TRY(cctsa_tmldsa_signer_round2(sg[u], &fr->f[1][u], diag));
			} else if (r == 2) {
				CCTSA_TRY(cctsa_tmldsa_signer_round3(sg[u], &fr->f[2][u], diag));
			}
		}
		for (unsigned u = 0; u < NP; u++) {
			if (!(act & (1u << u))) {
				continue;
			}
			for (unsigned v = 0; v < NP && r < 2; v++) {
				if (v != u && (act & (1u << v))) {
					CCTSA_TRY(cctsa_tmldsa_signer_recv(sg[v], fr->f[r][u].data,
									   fr->f[r][u].len, diag));
				}
			}
			CCTSA_TRY(cctsa_tmldsa_combiner_recv(cb, fr->f[r][u].data, fr->f[r][u].len, diag));
		}
	}
out:
	return err;
}

/* One attempt with fresh round-1 states and nonce; CCTSA_E_VERIFY = failed attempt. */
static cctsa_err sign_attempt(cctsa_tmldsa_share *sh[NP], const uint8_t pk[CCTSA_TMLDSA_PK_LEN],
			      unsigned act, const uint8_t *msg, size_t len,
			      uint8_t sig[CCTSA_TMLDSA_SIG_LEN], cctsa_diag *diag)
{
	cctsa_tmldsa_session s = {.act = act, .msg = msg, .msg_len = len};
	cctsa_tmldsa_pre *pre[NP] = {0};
	cctsa_tmldsa_signer *sg[NP] = {0};
	cctsa_tmldsa_combiner *cb = NULL;
	attempt_frames *fr = cctsa_mem_alloc(sizeof(*fr));
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(fr != NULL, CCTSA_E_RESOURCE);
	for (unsigned r = 0; r < 3; r++) {
		for (unsigned u = 0; u < NP; u++) {
			cctsa_buf_init(&fr->f[r][u], 0);
		}
	}
	CCTSA_TRY(cctsa_rand_bytes(s.nonce, sizeof(s.nonce)));
	CCTSA_TRY(cctsa_tmldsa_combiner_new(&cb, pk, &s, diag));
	for (unsigned u = 0; u < NP; u++) {
		if (act & (1u << u)) {
			CCTSA_TRY(cctsa_tmldsa_pre_new(&pre[u], sh[u]));
			CCTSA_TRY(cctsa_tmldsa_signer_new(&sg[u], &fr->f[0][u], sh[u], pre[u], &s, diag));
		}
	}
	CCTSA_TRY(sign_rounds(sg, cb, act, fr, diag));
	err = cctsa_tmldsa_combine(cb, sig, NULL, diag);
out:
	for (unsigned u = 0; u < NP; u++) {
		cctsa_tmldsa_signer_free(sg[u]);
		cctsa_tmldsa_pre_free(pre[u]);
		for (unsigned r = 0; fr != NULL && r < 3; r++) {
			cctsa_buf_free(&fr->f[r][u]);
		}
	}
	cctsa_mem_free(fr);
	cctsa_tmldsa_combiner_free(cb);
	return err;
}

static cctsa_err write_file(const char *dir, const char *name, const uint8_t *p, size_t n,
			    cctsa_diag *diag)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "path too long");
	}
	return cctsa_file_write(path, p, n, 0644, 0, diag);
}

typedef struct {
	unsigned count, sigs, attempts, verified;
	const char *out;
} selftest_run;

/* Signs one random message with act until an attempt succeeds; writes and verifies. */
static cctsa_err sign_one(selftest_run *run, cctsa_tmldsa_share *sh[NP],
			  const uint8_t pk[CCTSA_TMLDSA_PK_LEN], unsigned act, unsigned i,
			  cctsa_diag *diag)
{
	uint8_t msg[256], sig[CCTSA_TMLDSA_SIG_LEN], lb;
	char name[64], set[4];
	cctsa_err err = CCTSA_OK;
	unsigned n = 0;

	for (unsigned u = 0; u < NP; u++) {
		if (act & (1u << u)) {
			set[n++] = (char)('0' + u);
		}
	}
	set[3] = '\0';
	CCTSA_TRY(cctsa_rand_bytes(&lb, 1));
	CCTSA_TRY(cctsa_rand_bytes(msg, sizeof(msg)));
	err = CCTSA_E_VERIFY;
	for (unsigned a = 0; a < MAX_ATTEMPTS && err == CCTSA_E_VERIFY; a++) {
		cctsa_diag_reset(diag);
		run->attempts++;
		err = sign_attempt(sh, pk, act, msg, lb, sig, diag);
	}
	CCTSA_TRY(err);
	run->sigs++;
	CCTSA_TRY(cctsa_mldsa_verify(CCTSA_MLDSA_65, pk, CCTSA_TMLDSA_PK_LEN, sig, sizeof(sig), msg,
				     lb, NULL, 0));
	run->verified++;
	snprintf(name, sizeof(name), "msg-%s-%u.bin", set, i);
	CCTSA_TRY(write_file(run->out, name, msg, lb, diag));
	snprintf(name, sizeof(name), "sig-%s-%u.bin", set, i);
	CCTSA_TRY(write_file(run->out, name, sig, sizeof(sig), diag));
out:
	return err;
}

static cctsa_err selftest(selftest_run *run, cctsa_diag *diag)
{
	static const unsigned acts[10] = {7, 11, 13, 14, 19, 21, 22, 25, 26, 28};
	cctsa_tmldsa_share *sh[NP] = {0};
	uint8_t pk[CCTSA_TMLDSA_PK_LEN];
	node_ids *ids = cctsa_secret_alloc(sizeof(*ids));
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(ids != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "no secret memory"));
	g_ids = ids;
	CCTSA_TRY(ids_make(ids));
	CCTSA_TRY(dkg_run(pk, sh, ids, diag));
	CCTSA_TRY(write_file(run->out, "pk.bin", pk, sizeof(pk), diag));
	for (unsigned k = 0; k < 10; k++) {
		for (unsigned i = 0; i < run->count; i++) {
			CCTSA_TRY(sign_one(run, sh, pk, acts[k], i, diag));
		}
	}
out:
	for (unsigned u = 0; u < NP; u++) {
		cctsa_tmldsa_share_free(sh[u]);
		if (ids != NULL) {
			cctsa_mldsa_key_free(ids->key[u]);
		}
	}
	cctsa_secret_free(ids);
	g_ids = NULL;
	return err;
}

static int usage_text(void)
{
	printf("usage: cctsa tmldsa selftest --count N --out DIR\n"
	       "  DKG among 5 in-process parties, then N random messages signed by each of the\n"
	       "  10 signing sets; writes DIR/pk.bin, DIR/msg-<set>-<i>.bin, DIR/sig-<set>-<i>.bin\n"
	       "  (ML-DSA-65, empty context). Exit 0 only if every signature verifies.\n");
	return CCTSA_EXIT_OK;
}

int cctsa_cli_tmldsa(int argc, char **argv)
{
	static const struct option opts[] = {{"count", required_argument, NULL, 'c'},
					     {"out", required_argument, NULL, 'o'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	selftest_run run = {.count = 1};
	cctsa_diag diag;
	cctsa_err err;
	char *end;
	int c;

	if (cctsa_cli_wants_help(argc, argv)) {
		return usage_text();
	}
	if (argc < 2 || strcmp(argv[1], "selftest") != 0) {
		return cctsa_cli_usage("tmldsa", "expected the subcommand 'selftest' (see --help)");
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "c:o:", opts, NULL)) != -1) {
		if (c == 'c') {
			unsigned long v = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v == 0 || v > 1000) {
				return cctsa_cli_usage("tmldsa", "--count must be 1..1000");
			}
			run.count = (unsigned)v;
		} else if (c == 'o') {
			run.out = optarg;
		} else {
			return cctsa_cli_usage("tmldsa", "unknown option (see --help)");
		}
	}
	if (run.out == NULL || optind != argc) {
		return cctsa_cli_usage("tmldsa", "selftest needs --out DIR and no other arguments");
	}
	if (mkdir(run.out, 0755) != 0 && errno != EEXIST) {
		return cctsa_cli_fail("tmldsa", "cannot create %s", run.out);
	}
	cctsa_diag_reset(&diag);
	err = selftest(&run, &diag);
	printf("tmldsa selftest: DKG among 5 parties; %u signatures over 10 signing sets in %u "
	       "attempts; %u verify\n", run.sigs, run.attempts, run.verified);
	if (err != CCTSA_OK) {
		return cctsa_cli_fail("tmldsa", "%s", cctsa_diag_str(&diag, err));
	}
	return CCTSA_EXIT_OK;
}
