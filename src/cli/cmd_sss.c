/*
 * cctsa sss: Shamir secret sharing of a file among custodians (DESIGN.md §4).
 *   cctsa sss split --threshold M --shares N --in SECRET --out-dir DIR [--qr]
 *   cctsa sss combine --out SECRET SHARD...
 *   cctsa sss inspect SHARD...
 *   cctsa sss qr --out-dir DIR SHARD...
 * Secrets and shards are read into locked memory and written only to new files of
 * mode 0600; nothing secret is printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cctsa/sss.h"
#include "cli.h"

const char cctsa_cli_sss_summary[] = "split a secret into custodian shards, or rebuild it";

/* Bytes of shard text per QR code when a shard needs several. */
#define QR_PART 2000

static const char usage_text[] =
	"usage: cctsa sss split --threshold M --shares N --in SECRET --out-dir DIR [--qr]\n"
	"       cctsa sss combine --out SECRET SHARD...\n"
	"       cctsa sss inspect SHARD...\n"
	"       cctsa sss qr --out-dir DIR SHARD...\n"
	"\n"
	"split    writes DIR/shard-<i>-of-<N>.txt (mode 0600) for i = 1..N; any M of them\n"
	"         rebuild SECRET, fewer reveal nothing. --qr also writes a printable\n"
	"         DIR/shard-<i>-of-<N>.png (or .part-<k>-of-<K>.png parts to be scanned in\n"
	"         order and joined, when the shard is too long for one QR code).\n"
	"combine  checks every shard (checksum, same set, no duplicates, at least M) and\n"
	"         writes the secret to a new file of mode 0600.\n"
	"inspect  checks each shard's checksum and prints its set, index and threshold.\n"
	"qr       checks each shard and writes DIR/<shard file name>.png (or parts) to print,\n"
	"         e.g. for the shards `cctsa ca init` wrote.\n";

/* Reads a whole file into locked memory (at most max bytes). */
static int read_locked(const char *cmd, const char *path, size_t max, uint8_t **out, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
		}
		return cctsa_cli_fail(cmd, "cannot read %s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > max) {
		close(fd);
		return cctsa_cli_fail(cmd, "%s must be a regular file of 1..%zu bytes", path, max);
	}
	buf = cctsa_secret_alloc((size_t)st.st_size);
	while (buf != NULL && done < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + done, (size_t)st.st_size - done);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		done += (size_t)r;
	}
	close(fd);
	if (buf == NULL || done != (size_t)st.st_size) {
		cctsa_secret_free(buf);
		return cctsa_cli_fail(cmd, "cannot read %s into locked memory", path);
	}
	*out = buf;
	*len = done;
	return CCTSA_EXIT_OK;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* stem.png, or stem.part-<k>-of-<K>.png when the text needs several QR codes. */
static int write_qr(const char *stem, const char *text, size_t len)
{
	char path[4096];
	size_t parts = (len + QR_PART - 1) / QR_PART;
	cctsa_diag d;

	for (size_t k = 0; k < parts; k++) {
		size_t off = k * QR_PART, c = len - off < QR_PART ? len - off : QR_PART;
		if (parts == 1) {
			snprintf(path, sizeof(path), "%s.png", stem);
		} else {
			snprintf(path, sizeof(path), "%s.part-%zu-of-%zu.png", stem, k + 1, parts);
		}
		cctsa_diag_reset(&d);
		if (cctsa_sss_qr_png(path, (const uint8_t *)text + off, c, &d) != CCTSA_OK) {
			return cctsa_cli_fail("sss", "%s", d.msg);
		}
	}
	return CCTSA_EXIT_OK;
}

static int write_shards(cctsa_sss_shard **sh, unsigned n, const char *dir, int qr)
{
	char path[4096];
	int rc = CCTSA_EXIT_OK;

	for (unsigned i = 0; i < n && rc == CCTSA_EXIT_OK; i++) {
		char *text = NULL;
		size_t len = 0;
		cctsa_diag d;

		cctsa_diag_reset(&d);
		snprintf(path, sizeof(path), "%s/shard-%u-of-%u.txt", dir, i + 1, n);
		if (exists(path)) {
			return cctsa_cli_fail("sss", "%s already exists; use an empty directory", path);
		}
		if (cctsa_sss_shard_encode(&text, &len, sh[i], &d) != CCTSA_OK ||
		    cctsa_file_write(path, (const uint8_t *)text, len, 0600, CCTSA_FILE_SECRET, &d) !=
			    CCTSA_OK) {
			rc = cctsa_cli_fail("sss", "%s", cctsa_diag_str(&d, CCTSA_E_IO));
		} else if (qr) {
			snprintf(path, sizeof(path), "%s/shard-%u-of-%u", dir, i + 1, n);
			rc = write_qr(path, text, len);
		}
		cctsa_secret_free(text);
	}
	return rc;
}

static int parse_count(const char *s, unsigned *out)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > 1000) {
		return 0;
	}
	*out = (unsigned)v;
	return 1;
}

static int split_run(unsigned m, unsigned n, const char *in, const char *dir, int qr)
{
	cctsa_sss_shard *sh[CCTSA_SSS_MAX_SHARES] = {NULL};
	uint8_t *secret = NULL;
	size_t len = 0;
	cctsa_diag d;
	int rc;

	cctsa_diag_reset(&d);
	if (m < 2 || n < m || n > CCTSA_SSS_MAX_SHARES) {
		return cctsa_cli_usage("sss", "need 2 <= threshold <= shares <= %u",
				       (unsigned)CCTSA_SSS_MAX_SHARES);
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		return cctsa_cli_fail("sss", "cannot create %s: %s", dir, strerror(errno));
	}
	rc = read_locked("sss", in, CCTSA_SSS_MAX_SECRET, &secret, &len);
	if (rc != CCTSA_EXIT_OK) {
		return rc;
	}
	if (cctsa_sss_split(sh, secret, len, m, n, &d) != CCTSA_OK) {
		rc = cctsa_cli_fail("sss", "%s", d.msg);
	} else {
		rc = write_shards(sh, n, dir, qr);
		for (unsigned i = 0; i < n; i++) {
			cctsa_sss_shard_free(sh[i]);
		}
	}
	cctsa_secret_free(secret);
	if (rc == CCTSA_EXIT_OK) {
		printf("wrote %u shards (any %u rebuild the secret) to %s\n", n, m, dir);
	}
	return rc;
}

static int cmd_split(int argc, char **argv)
{
	static const struct option opts[] = {{"threshold", required_argument, NULL, 't'},
					     {"shares", required_argument, NULL, 'n'},
					     {"in", required_argument, NULL, 'i'},
					     {"out-dir", required_argument, NULL, 'o'},
					     {"qr", no_argument, NULL, 'q'},
					     {NULL, 0, NULL, 0}};
	unsigned m = 0, n = 0;
	const char *in = NULL, *dir = NULL;
	int qr = 0, c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((c == 't' && !parse_count(optarg, &m)) || (c == 'n' && !parse_count(optarg, &n))) {
			return cctsa_cli_usage("sss", "--threshold and --shares take a number");
		}
		if (c == 'i') {
			in = optarg;
		} else if (c == 'o') {
			dir = optarg;
		} else if (c == 'q') {
			qr = 1;
		} else if (c == '?') {
			return cctsa_cli_usage("sss", "unknown or incomplete option %s", argv[optind - 1]);
		}
	}
	if (optind != argc || m == 0 || n == 0 || in == NULL || dir == NULL) {
		return cctsa_cli_usage("sss", "split needs --threshold, --shares, --in and --out-dir");
	}
	return split_run(m, n, in, dir, qr);
}

/* Parses shard files; on failure frees what it parsed. */
static int load_shards(char **paths, size_t count, cctsa_sss_shard **sh)
{
	for (size_t i = 0; i < count; i++) {
		uint8_t *text = NULL;
		size_t len = 0;
		cctsa_diag d;
		cctsa_err e;
		int rc = read_locked("sss", paths[i], CCTSA_SSS_TEXT_MAX, &text, &len);

		cctsa_diag_reset(&d);
		e = rc == CCTSA_EXIT_OK ? cctsa_sss_shard_parse(&sh[i], text, len, paths[i], &d)
					: CCTSA_E_IO;
		cctsa_secret_free(text);
		if (e != CCTSA_OK) {
			for (size_t j = 0; j < i; j++) {
				cctsa_sss_shard_free(sh[j]);
			}
			return e == CCTSA_E_IO && rc != CCTSA_EXIT_OK ? rc
								     : cctsa_cli_fail("sss", "%s", d.msg);
		}
	}
	return CCTSA_EXIT_OK;
}

static int cmd_combine(int argc, char **argv)
{
	static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
					     {NULL, 0, NULL, 0}};
	cctsa_sss_shard *sh[CCTSA_SSS_MAX_SHARES];
	const char *out = NULL;
	uint8_t *secret = NULL;
	size_t len = 0, count;
	cctsa_diag d;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o') {
			out = optarg;
		} else {
			return cctsa_cli_usage("sss", "unknown or incomplete option %s", argv[optind - 1]);
		}
	}
	count = (size_t)(argc - optind);
	if (out == NULL || count == 0 || count > CCTSA_SSS_MAX_SHARES) {
		return cctsa_cli_usage("sss", "combine needs --out and 1..%u shard files",
				       (unsigned)CCTSA_SSS_MAX_SHARES);
	}
	if (exists(out)) {
		return cctsa_cli_fail("sss", "%s already exists; refusing to overwrite", out);
	}
	rc = load_shards(argv + optind, count, sh);
	if (rc != CCTSA_EXIT_OK) {
		return rc;
	}
	cctsa_diag_reset(&d);
	if (cctsa_sss_combine(&secret, &len, sh, count, &d) != CCTSA_OK ||
	    cctsa_file_write(out, secret, len, 0600, CCTSA_FILE_SECRET, &d) != CCTSA_OK) {
		rc = cctsa_cli_fail("sss", "%s", cctsa_diag_str(&d, CCTSA_E_IO));
	} else {
		printf("rebuilt %zu bytes from %zu shards into %s\n", len, count, out);
	}
	cctsa_secret_free(secret);
	for (size_t i = 0; i < count; i++) {
		cctsa_sss_shard_free(sh[i]);
	}
	return rc;
}

static int cmd_inspect(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		cctsa_sss_shard *s = NULL;
		char set[2 * CCTSA_SSS_SET_ID_LEN + 1];
		int rc = load_shards(argv + i, 1, &s);

		if (rc != CCTSA_EXIT_OK) {
			return rc;
		}
		if (cctsa_hex_encode(set, sizeof(set), cctsa_sss_shard_set_id(s), CCTSA_SSS_SET_ID_LEN) !=
		    CCTSA_OK) {
			set[0] = '\0';
		}
		printf("%s: checksum ok, set %s, shard %u of %u, threshold %u, secret %zu bytes\n",
		       argv[i], set, cctsa_sss_shard_index(s), cctsa_sss_shard_total(s),
		       cctsa_sss_shard_threshold(s), cctsa_sss_shard_secret_len(s));
		cctsa_sss_shard_free(s);
	}
	return argc > 1 ? CCTSA_EXIT_OK : cctsa_cli_usage("sss", "inspect needs shard files");
}

/* Re-encodes each checked shard as QR code(s) in DIR, named after the shard file. */
static int cmd_qr(int argc, char **argv)
{
	const char *dir = NULL;
	int first = 1;

	if (argc >= 3 && strcmp(argv[1], "--out-dir") == 0) {
		dir = argv[2];
		first = 3;
	}
	if (dir == NULL || first >= argc) {
		return cctsa_cli_usage("sss", "qr needs --out-dir DIR and shard files");
	}
	for (int i = first; i < argc; i++) {
		cctsa_sss_shard *s = NULL;
		char stem[4096], *text = NULL;
		const char *base = strrchr(argv[i], '/');
		size_t len = 0;
		cctsa_diag d;
		int rc = load_shards(argv + i, 1, &s);

		if (rc != CCTSA_EXIT_OK) {
			return rc;
		}
		cctsa_diag_reset(&d);
		snprintf(stem, sizeof(stem), "%s/%s", dir, base != NULL ? base + 1 : argv[i]);
		if (cctsa_sss_shard_encode(&text, &len, s, &d) != CCTSA_OK) {
			rc = cctsa_cli_fail("sss", "%s", d.msg);
		} else {
			rc = write_qr(stem, text, len);
		}
		cctsa_secret_free(text);
		cctsa_sss_shard_free(s);
		if (rc != CCTSA_EXIT_OK) {
			return rc;
		}
	}
	return CCTSA_EXIT_OK;
}

int cctsa_cli_sss(int argc, char **argv)
{
	if (argc < 2 || cctsa_cli_wants_help(argc, argv)) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? CCTSA_EXIT_USAGE : CCTSA_EXIT_OK;
	}
	if (strcmp(argv[1], "split") == 0) {
		return cmd_split(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "combine") == 0) {
		return cmd_combine(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "inspect") == 0) {
		return cmd_inspect(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "qr") == 0) {
		return cmd_qr(argc - 1, argv + 1);
	}
	return cctsa_cli_usage("sss", "unknown subcommand %s", argv[1]);
}
