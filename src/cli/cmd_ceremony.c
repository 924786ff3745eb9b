/*
 * cctsa ceremony: ceremony transcripts (include/cctsa/record.h).
 *   cctsa ceremony render TRANSCRIPT.json [--out FILE.md]
 * Validates the transcript strictly and prints (or writes) its Markdown rendering, the
 * page participants read and sign.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cctsa/record.h"
#include "cli.h"

const char cctsa_cli_ceremony_summary[] = "render a ceremony transcript as Markdown";

static const char usage_text[] =
	"usage: cctsa ceremony render TRANSCRIPT.json [--out FILE.md]\n"
	"\n"
	"Checks the transcript against its format (cctsa-ceremony-transcript/1) and renders\n"
	"it for humans: header, participants and roles, each step with its outcome and the\n"
	"SHA-256 of every artefact, and a sign-off table. Writes to stdout unless --out.\n";

static int render(const char *in, const char *out)
{
	cctsa_buf js, md;
	cctsa_diag d;
	cctsa_err err;
	struct stat st;

	cctsa_diag_reset(&d);
	if (out != NULL && lstat(out, &st) == 0) {
		return cctsa_cli_fail("ceremony", "%s already exists; refusing to overwrite", out);
	}
	err = cctsa_file_read(&js, in, (size_t)16 << 20, &d);
	if (err != CCTSA_OK) {
		return cctsa_cli_fail("ceremony", "%s", cctsa_diag_str(&d, err));
	}
	err = cctsa_transcript_render_markdown(&md, js.data, js.len, &d);
	cctsa_buf_free(&js);
	if (err != CCTSA_OK) {
		return cctsa_cli_fail("ceremony", "%s: %s", in, cctsa_diag_str(&d, err));
	}
	if (out != NULL) {
		err = cctsa_file_write(out, md.data, md.len, 0644, 0, &d);
	} else if (fwrite(md.data, 1, md.len, stdout) != md.len || fflush(stdout) != 0) {
		err = cctsa_fail(&d, CCTSA_E_IO, "cannot write to stdout");
	}
	cctsa_buf_free(&md);
	return err == CCTSA_OK ? CCTSA_EXIT_OK : cctsa_cli_fail("ceremony", "%s", cctsa_diag_str(&d, err));
}

int cctsa_cli_ceremony(int argc, char **argv)
{
	static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
					     {NULL, 0, NULL, 0}};
	const char *out = NULL;
	int c;

	if (argc < 2 || cctsa_cli_wants_help(argc, argv)) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? CCTSA_EXIT_USAGE : CCTSA_EXIT_OK;
	}
	if (strcmp(argv[1], "render") != 0) {
		return cctsa_cli_usage("ceremony", "unknown subcommand %s", argv[1]);
	}
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		if (c != 'o') {
			return cctsa_cli_usage("ceremony", "unknown or incomplete option");
		}
		out = optarg;
	}
	if (argc - 1 - optind != 1) {
		return cctsa_cli_usage("ceremony", "render takes one transcript file");
	}
	return render(argv[1 + optind], out);
}
