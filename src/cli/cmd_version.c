/* cctsa version: the software version and the libraries it runs on. */
#include <openssl/crypto.h>
#include <stdio.h>

#include "cli.h"

const char cctsa_cli_version_summary[] = "print the software version";

int cctsa_cli_version(int argc, char **argv)
{
	if (cctsa_cli_wants_help(argc, argv)) {
		printf("usage: cctsa version\n");
		return CCTSA_EXIT_OK;
	}
	if (argc != 1) {
		return cctsa_cli_usage("version", "takes no arguments");
	}
	printf("cctsa %s (%s)\n", CCTSA_VERSION, OpenSSL_version(OPENSSL_VERSION));
	return CCTSA_EXIT_OK;
}
