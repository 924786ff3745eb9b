/* Subcommand dispatch for `cctsa` and the helpers in cli.h. */
#include <stdio.h>
#include <string.h>

#include "cli.h"


typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} cli_row;

static const cli_row rows[] = {CCTSA_CLI_ROWS};

CCTSA_PRINTF(2, 0) static void vmsg(const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "cctsa %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cctsa_cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "(see `cctsa %s --help`)\n", cmd);
	return CCTSA_EXIT_USAGE;
}

int cctsa_cli_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(cmd, fmt, ap);
	va_end(ap);
	return CCTSA_EXIT_FAIL;
}

int cctsa_cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			return 1;
		}
	}
	return 0;
}

static void list_commands(FILE *f)
{
	fprintf(f, "usage: cctsa <command> [options]   (cctsa <command> --help for details)\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		fprintf(f, "  %-12s %s\n", rows[i].name, rows[i].summary);
	}
}

int cctsa_cli_main(int argc, char **argv);
int cctsa_cli_main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		list_commands(stdout);
		return argc < 2 ? CCTSA_EXIT_USAGE : CCTSA_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (strcmp(argv[1], rows[i].name) == 0) {
			/* The command sees argv[0] = its own name. */
			return rows[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "cctsa: unknown command '%s'\n", argv[1]);
	list_commands(stderr);
	return CCTSA_EXIT_USAGE;
}
