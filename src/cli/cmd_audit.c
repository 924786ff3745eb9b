/*
 * cctsa audit: the hash-chained audit log (include/cctsa/record.h).
 *   cctsa audit verify LOG [--count N] [--head HEX]
 *   cctsa audit append LOG --type TYPE [--field KEY=VALUE]...
 * verify exits 0 only when every record is intact, chained, in order, and the optional
 * anchors (record count, head hash kept elsewhere) match; otherwise it names the first
 * bad line and exits 1.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cctsa/record.h"
#include "cli.h"

const char cctsa_cli_audit_summary[] = "verify or append to a hash-chained audit log";

static const char usage_text[] =
	"usage: cctsa audit verify LOG [--count N] [--head HEX]\n"
	"       cctsa audit append LOG --type TYPE [--field KEY=VALUE]...\n"
	"\n"
	"verify  checks every record's canonical form and hash, the chain (seq and prev) and\n"
	"        that time never goes back; names the first bad line. --count and --head\n"
	"        compare against anchors kept outside the log (they catch records cut from\n"
	"        the end). Exit 0 only when the log is intact.\n"
	"append  adds one record (now, string fields) and fsyncs; for operator records such\n"
	"        as ceremony and rotation steps.\n";

static int parse_expect(int argc, char **argv, cctsa_audit_expect *ex)
{
	static const struct option opts[] = {{"count", required_argument, NULL, 'c'},
					     {"head", required_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;

	memset(ex, 0, sizeof(*ex));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end = NULL;
		size_t n = 0;

		if (c == 'c') {
			errno = 0;
			ex->count = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-') {
				return cctsa_cli_usage("audit", "--count takes a number");
			}
			ex->have_count = 1;
		} else if (c == 'h') {
			if (cctsa_hex_decode(ex->head, sizeof(ex->head), &n, optarg) != CCTSA_OK ||
			    n != sizeof(ex->head)) {
				return cctsa_cli_usage("audit", "--head takes 64 hex digits");
			}
			ex->have_head = 1;
		} else {
			return cctsa_cli_usage("audit", "unknown or incomplete option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1) {
		return cctsa_cli_usage("audit", "verify takes exactly one log file");
	}
	return CCTSA_EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	cctsa_audit_expect ex;
	cctsa_audit_result res;
	char head[2 * CCTSA_RECORD_SHA256_LEN + 1];
	cctsa_diag d;
	cctsa_err err;
	const char *path;
	int rc = parse_expect(argc, argv, &ex);

	if (rc != CCTSA_EXIT_OK) {
		return rc;
	}
	path = argv[optind];
	cctsa_diag_reset(&d);
	err = cctsa_audit_verify_file(&res, path, &ex, &d);
	if (err != CCTSA_OK) {
		return cctsa_cli_fail("audit", "%s: %s", path, cctsa_diag_str(&d, err));
	}
	if (cctsa_hex_encode(head, sizeof(head), res.head, sizeof(res.head)) != CCTSA_OK) {
		return cctsa_cli_fail("audit", "internal error");
	}
	printf("%s: intact, %llu record%s, head %s\n", path, (unsigned long long)res.records,
	       res.records == 1 ? "" : "s", head);
	return CCTSA_EXIT_OK;
}

static int add_field(json_t *fields, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[128];

	if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
		return 0;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	return json_object_set_new(fields, key, json_string(eq + 1)) == 0;
}

static int append_run(const char *path, const char *type, json_t *fields)
{
	cctsa_audit_log *log = NULL;
	uint8_t h[CCTSA_RECORD_SHA256_LEN];
	char hx[2 * CCTSA_RECORD_SHA256_LEN + 1];
	cctsa_diag d;
	cctsa_err err;

	cctsa_diag_reset(&d);
	err = cctsa_audit_open(&log, path, &d);
	if (err == CCTSA_OK) {
		err = cctsa_audit_append(log, cctsa_record_now_ms(), type, fields, h, &d);
	}
	if (err == CCTSA_OK) {
		err = cctsa_hex_encode(hx, sizeof(hx), h, sizeof(h));
	}
	if (err == CCTSA_OK) {
		printf("%s: record %llu, head %s\n", path, (unsigned long long)cctsa_audit_count(log), hx);
	}
	cctsa_audit_close(log);
	if (err == CCTSA_E_USAGE) {
		return cctsa_cli_usage("audit", "%s", cctsa_diag_str(&d, err));
	}
	return err == CCTSA_OK ? CCTSA_EXIT_OK
			       : cctsa_cli_fail("audit", "%s", cctsa_diag_str(&d, err));
}

static int cmd_append(int argc, char **argv)
{
	static const struct option opts[] = {{"type", required_argument, NULL, 't'},
					     {"field", required_argument, NULL, 'f'},
					     {NULL, 0, NULL, 0}};
	json_t *fields = json_object();
	const char *type = NULL;
	int c, rc = CCTSA_EXIT_OK;

	optind = 1;
	opterr = 0;
	while (rc == CCTSA_EXIT_OK && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't') {
			type = optarg;
		} else if (c == 'f' && !add_field(fields, optarg)) {
			rc = cctsa_cli_usage("audit", "--field takes KEY=VALUE (UTF-8), got %s", optarg);
		} else if (c != 'f') {
			rc = cctsa_cli_usage("audit", "unknown or incomplete option %s", argv[optind - 1]);
		}
	}
	if (rc == CCTSA_EXIT_OK && (type == NULL || argc - optind != 1)) {
		rc = cctsa_cli_usage("audit", "append needs one log file and --type");
	}
	if (rc == CCTSA_EXIT_OK) {
		rc = append_run(argv[optind], type, fields);
	}
	json_decref(fields);
	return rc;
}

int cctsa_cli_audit(int argc, char **argv)
{
	if (argc < 2 || cctsa_cli_wants_help(argc, argv)) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? CCTSA_EXIT_USAGE : CCTSA_EXIT_OK;
	}
	if (strcmp(argv[1], "verify") == 0) {
		return cmd_verify(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "append") == 0) {
		return cmd_append(argc - 1, argv + 1);
	}
	return cctsa_cli_usage("audit", "unknown subcommand %s", argv[1]);
}
