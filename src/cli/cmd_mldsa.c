/*
 * cctsa mldsa keygen|sign|verify|pubkey: ML-DSA (FIPS 204) keys and signatures on
 * files. Keys are written as the raw FIPS 204 encodings by default, or as DER/PEM
 * SubjectPublicKeyInfo and PKCS#8 (seed form) with --format; every command reads
 * all of those forms (raw keys are recognised by their exact length).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cctsa/mldsa.h"

const char cctsa_cli_mldsa_summary[] = "ML-DSA (FIPS 204) keygen, sign, verify";

#define MSG_MAX ((size_t)1 << 30)
#define KEYFILE_MAX ((size_t)1 << 16)

enum { FMT_RAW, FMT_DER, FMT_PEM };

typedef struct {
	const char *seed, *pk, *sk, *in, *out, *sig, *ctx;
	int alg, format, deterministic;
} mldsa_opts;

static void usage_text(FILE *f)
{
	fprintf(f, "usage: cctsa mldsa keygen [--alg 44|65|87] [--seed HEX] --pk PK --sk SK [--format raw|der|pem]\n"
		   "       cctsa mldsa sign --sk SK --in MSG [--ctx HEX] [--deterministic] --out SIG\n"
		   "       cctsa mldsa verify --pk PK --in MSG --sig SIG [--ctx HEX]\n"
		   "       cctsa mldsa pubkey --sk SK --pk PK [--format raw|der|pem]\n\n"
		   "Default parameter set ML-DSA-65; default format raw (FIPS 204 pkEncode/skEncode).\n"
		   "der/pem write SubjectPublicKeyInfo and PKCS#8 (RFC 9881, seed form when known).\n"
		   "Keys are read in any of these forms. --seed is the 32-byte xi of KeyGen (64 hex\n"
		   "digits; random if absent). --ctx is the context string (at most 255 bytes).\n"
		   "verify exits 0 only for a valid signature, 1 otherwise.\n");
}

static int parse_opts(int argc, char **argv, mldsa_opts *o)
{
	static const struct option longopts[] = {
		{"alg", required_argument, NULL, 'a'}, {"seed", required_argument, NULL, 'S'},
		{"pk", required_argument, NULL, 'p'},  {"sk", required_argument, NULL, 'k'},
		{"in", required_argument, NULL, 'i'},  {"out", required_argument, NULL, 'o'},
		{"sig", required_argument, NULL, 's'}, {"ctx", required_argument, NULL, 'c'},
		{"format", required_argument, NULL, 'f'}, {"deterministic", no_argument, NULL, 'd'},
		{NULL, 0, NULL, 0}};
	int ch;

	memset(o, 0, sizeof(*o));
	o->alg = 65;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			o->alg = strcmp(optarg, "44") == 0 ? 44 : strcmp(optarg, "65") == 0 ? 65
				 : strcmp(optarg, "87") == 0 ? 87 : 0;
			if (o->alg == 0) {
				return cctsa_cli_usage("mldsa", "--alg must be 44, 65 or 87");
			}
			break;
		case 'f':
			o->format = strcmp(optarg, "raw") == 0 ? FMT_RAW : strcmp(optarg, "der") == 0 ? FMT_DER
				    : strcmp(optarg, "pem") == 0 ? FMT_PEM : -1;
			if (o->format < 0) {
				return cctsa_cli_usage("mldsa", "--format must be raw, der or pem");
			}
			break;
		case 'S': o->seed = optarg; break;
		case 'p': o->pk = optarg; break;
		case 'k': o->sk = optarg; break;
		case 'i': o->in = optarg; break;
		case 'o': o->out = optarg; break;
		case 's': o->sig = optarg; break;
		case 'c': o->ctx = optarg; break;
		case 'd': o->deterministic = 1; break;
		default:
			return CCTSA_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		return cctsa_cli_usage("mldsa", "unexpected argument '%s'", argv[optind]);
	}
	return CCTSA_EXIT_OK;
}

static int write_file(const char *path, const uint8_t *data, size_t len, int secret)
{
	cctsa_diag diag;

	cctsa_diag_reset(&diag);
	if (cctsa_file_write(path, data, len, secret ? 0600 : 0644, secret ? CCTSA_FILE_SECRET : 0, &diag) !=
	    CCTSA_OK) {
		return cctsa_cli_fail("mldsa", "%s: %s", path, cctsa_diag_str(&diag, CCTSA_E_IO));
	}
	return CCTSA_EXIT_OK;
}

/* Writes pk and/or sk of key in the chosen format. */
static int write_keys(const cctsa_mldsa_key *key, const char *pk_path, const char *sk_path, int format)
{
	cctsa_mldsa_alg alg = cctsa_mldsa_key_alg(key);
	uint8_t pk[CCTSA_MLDSA_PK_MAX];
	size_t pkl = cctsa_mldsa_pk_len(alg), skl = cctsa_mldsa_sk_len(alg);
	cctsa_buf der, pem;
	int rc = CCTSA_EXIT_FAIL;

	cctsa_buf_init(&der, 0);
	cctsa_buf_init(&pem, 0);
	if (cctsa_mldsa_key_public(key, pk, pkl) != CCTSA_OK) {
		goto out;
	}
	if (pk_path != NULL) {
		if (format == FMT_RAW ? cctsa_buf_put(&der, pk, pkl) != CCTSA_OK
				      : cctsa_mldsa_spki_write(&der, alg, pk, pkl) != CCTSA_OK) {
			goto out;
		}
		if (format == FMT_PEM && cctsa_mldsa_pem_write(&pem, "PUBLIC KEY", der.data, der.len) != CCTSA_OK) {
			goto out;
		}
		rc = format == FMT_PEM ? write_file(pk_path, pem.data, pem.len, 0) : write_file(pk_path, der.data, der.len, 0);
		if (rc != CCTSA_EXIT_OK) {
			goto out;
		}
		rc = CCTSA_EXIT_FAIL;
		der.len = pem.len = 0;
	}
	if (sk_path != NULL) {
		if (format == FMT_RAW ? cctsa_buf_reserve(&der, skl) != CCTSA_OK ||
					cctsa_mldsa_key_private(key, der.data, skl) != CCTSA_OK
				      : cctsa_mldsa_pkcs8_write(&der, key) != CCTSA_OK) {
			goto out;
		}
		der.len = format == FMT_RAW ? skl : der.len;
		if (format == FMT_PEM && cctsa_mldsa_pem_write(&pem, "PRIVATE KEY", der.data, der.len) != CCTSA_OK) {
			goto out;
		}
		rc = format == FMT_PEM ? write_file(sk_path, pem.data, pem.len, 1) : write_file(sk_path, der.data, der.len, 1);
		goto out;
	}
	rc = CCTSA_EXIT_OK;
out:
	cctsa_buf_free(&der);
	cctsa_buf_free(&pem);
	return rc;
}

static int cmd_keygen(const mldsa_opts *o)
{
	uint8_t seed[CCTSA_MLDSA_SEED_LEN];
	size_t n = 0;
	cctsa_mldsa_key *key = NULL;
	int rc;

	if (o->pk == NULL || o->sk == NULL) {
		return cctsa_cli_usage("mldsa", "keygen needs --pk and --sk");
	}
	if (o->seed != NULL) {
		if (cctsa_hex_decode(seed, sizeof(seed), &n, o->seed) != CCTSA_OK || n != sizeof(seed)) {
			cctsa_wipe(seed, sizeof(seed));
			return cctsa_cli_usage("mldsa", "--seed must be 64 hex digits");
		}
	} else if (cctsa_rand_bytes(seed, sizeof(seed)) != CCTSA_OK) {
		return cctsa_cli_fail("mldsa", "no randomness");
	}
	if (cctsa_mldsa_key_from_seed(&key, (cctsa_mldsa_alg)o->alg, seed) != CCTSA_OK) {
		cctsa_wipe(seed, sizeof(seed));
		return cctsa_cli_fail("mldsa", "key generation failed");
	}
	cctsa_wipe(seed, sizeof(seed));
	rc = write_keys(key, o->pk, o->sk, o->format);
	cctsa_mldsa_key_free(key);
	return rc;
}

static int load_key(cctsa_mldsa_key **key, const char *path)
{
	cctsa_buf f;
	cctsa_diag diag;
	cctsa_err err;

	cctsa_diag_reset(&diag);
	if (cctsa_file_read(&f, path, KEYFILE_MAX, &diag) != CCTSA_OK) {
		return cctsa_cli_fail("mldsa", "%s: %s", path, cctsa_diag_str(&diag, CCTSA_E_IO));
	}
	err = cctsa_mldsa_key_load(key, f.data, f.len, &diag);
	cctsa_buf_free(&f);
	if (err != CCTSA_OK) {
		return cctsa_cli_fail("mldsa", "%s: %s", path, cctsa_diag_str(&diag, err));
	}
	return CCTSA_EXIT_OK;
}

static int read_ctx(uint8_t ctx[CCTSA_MLDSA_CTX_MAX], size_t *ctx_len, const char *hex)
{
	*ctx_len = 0;
	if (hex != NULL && cctsa_hex_decode(ctx, CCTSA_MLDSA_CTX_MAX, ctx_len, hex) != CCTSA_OK) {
		return cctsa_cli_usage("mldsa", "--ctx must be hex of at most 255 bytes");
	}
	return CCTSA_EXIT_OK;
}

static int cmd_sign(const mldsa_opts *o)
{
	uint8_t ctx[CCTSA_MLDSA_CTX_MAX], sig[CCTSA_MLDSA_SIG_MAX];
	size_t ctx_len, sig_len;
	cctsa_mldsa_key *key = NULL;
	cctsa_buf msg;
	cctsa_diag diag;
	int rc;

	if (o->sk == NULL || o->in == NULL || o->out == NULL) {
		return cctsa_cli_usage("mldsa", "sign needs --sk, --in and --out");
	}
	if ((rc = read_ctx(ctx, &ctx_len, o->ctx)) != CCTSA_EXIT_OK || (rc = load_key(&key, o->sk)) != CCTSA_EXIT_OK) {
		return rc;
	}
	cctsa_diag_reset(&diag);
	if (cctsa_file_read(&msg, o->in, MSG_MAX, &diag) != CCTSA_OK) {
		cctsa_mldsa_key_free(key);
		return cctsa_cli_fail("mldsa", "%s: %s", o->in, cctsa_diag_str(&diag, CCTSA_E_IO));
	}
	sig_len = cctsa_mldsa_sig_len(cctsa_mldsa_key_alg(key));
	if (cctsa_mldsa_sign(key, sig, sig_len, msg.data, msg.len, ctx, ctx_len,
			     o->deterministic ? CCTSA_MLDSA_DETERMINISTIC : 0) != CCTSA_OK) {
		rc = cctsa_cli_fail("mldsa", "signing failed");
	} else {
		rc = write_file(o->out, sig, sig_len, 0);
	}
	cctsa_buf_free(&msg);
	cctsa_mldsa_key_free(key);
	return rc;
}

static int cmd_verify(const mldsa_opts *o)
{
	uint8_t ctx[CCTSA_MLDSA_CTX_MAX], pk[CCTSA_MLDSA_PK_MAX];
	size_t ctx_len, pk_len;
	cctsa_mldsa_alg alg;
	cctsa_buf pkf, msg, sig;
	cctsa_diag diag;
	cctsa_err err;
	int rc;

	if (o->pk == NULL || o->in == NULL || o->sig == NULL) {
		return cctsa_cli_usage("mldsa", "verify needs --pk, --in and --sig");
	}
	if ((rc = read_ctx(ctx, &ctx_len, o->ctx)) != CCTSA_EXIT_OK) {
		return rc;
	}
	cctsa_diag_reset(&diag);
	cctsa_buf_init(&pkf, 0);
	cctsa_buf_init(&msg, 0);
	cctsa_buf_init(&sig, 0);
	const char *what = o->pk;
	if ((err = cctsa_file_read(&pkf, o->pk, KEYFILE_MAX, &diag)) != CCTSA_OK ||
	    (err = cctsa_mldsa_pub_load(&alg, pk, &pk_len, pkf.data, pkf.len, &diag)) != CCTSA_OK ||
	    (what = o->in, err = cctsa_file_read(&msg, o->in, MSG_MAX, &diag)) != CCTSA_OK ||
	    (what = o->sig, err = cctsa_file_read(&sig, o->sig, KEYFILE_MAX, &diag)) != CCTSA_OK) {
		rc = cctsa_cli_fail("mldsa", "%s: %s", what, cctsa_diag_str(&diag, err));
	} else if (cctsa_mldsa_verify(alg, pk, pk_len, sig.data, sig.len, msg.data, msg.len, ctx, ctx_len) !=
		   CCTSA_OK) {
		rc = cctsa_cli_fail("mldsa", "signature is NOT valid");
	} else {
		printf("signature is valid (ML-DSA-%d)\n", (int)alg);
		rc = CCTSA_EXIT_OK;
	}
	cctsa_buf_free(&pkf);
	cctsa_buf_free(&msg);
	cctsa_buf_free(&sig);
	return rc;
}

static int cmd_pubkey(const mldsa_opts *o)
{
	cctsa_mldsa_key *key = NULL;
	int rc;

	if (o->sk == NULL || o->pk == NULL) {
		return cctsa_cli_usage("mldsa", "pubkey needs --sk and --pk");
	}
	if ((rc = load_key(&key, o->sk)) != CCTSA_EXIT_OK) {
		return rc;
	}
	rc = write_keys(key, o->pk, NULL, o->format);
	cctsa_mldsa_key_free(key);
	return rc;
}

int cctsa_cli_mldsa(int argc, char **argv)
{
	mldsa_opts o;
	int rc;

	if (cctsa_cli_wants_help(argc, argv)) {
		usage_text(stdout);
		return CCTSA_EXIT_OK;
	}
	if (argc < 2) {
		return cctsa_cli_usage("mldsa", "missing subcommand (keygen, sign, verify, pubkey)");
	}
	if ((rc = parse_opts(argc - 1, argv + 1, &o)) != CCTSA_EXIT_OK) {
		return rc;
	}
	if (strcmp(argv[1], "keygen") == 0) {
		return cmd_keygen(&o);
	}
	if (strcmp(argv[1], "sign") == 0) {
		return cmd_sign(&o);
	}
	if (strcmp(argv[1], "verify") == 0) {
		return cmd_verify(&o);
	}
	if (strcmp(argv[1], "pubkey") == 0) {
		return cmd_pubkey(&o);
	}
	return cctsa_cli_usage("mldsa", "unknown subcommand '%s'", argv[1]);
}
