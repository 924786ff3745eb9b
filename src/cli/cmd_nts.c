/* cctsa nts query HOST[:PORT] [--ca CA.pem] [--count N] [--timeout MS]: NTS-KE, then N queries. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cctsa/time.h"
#include "cli.h"

const char cctsa_cli_nts_summary[] = "query an NTS (RFC 8915) server: KE result, offset, delay, error bound";

static void nts_help(void)
{
	printf("usage: cctsa nts query HOST[:PORT] [--ca CA.pem] [--count N] [--timeout MS]\n"
	       "  Runs NTS-KE (TLS 1.3, default port %d) then N authenticated NTPv4 queries\n"
	       "  (default 1). --ca: trust anchors (PEM), default the system store.\n"
	       "  Exits 1 on any failure, including any reply rejected as unauthentic.\n",
	       CCTSA_NTS_KE_PORT);
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9') {
		return 0;
	}
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > max) {
		return 0;
	}
	*out = v;
	return 1;
}

/* HOST, HOST:PORT, [V6]:PORT, or a bare IPv6 address. */
static int split_hostport(const char *arg, char *host, size_t cap, uint16_t *port)
{
	const char *colon = strrchr(arg, ':'), *hend;
	unsigned long p = CCTSA_NTS_KE_PORT;

	if (arg[0] == '[') {
		hend = strchr(arg, ']');
		if (hend == NULL || (hend[1] != '\0' && (hend[1] != ':' || !parse_ulong(hend + 2, 65535, &p)))) {
			return 0;
		}
		arg++;
	} else if (colon != NULL && strchr(arg, ':') == colon) {
		hend = colon;
		if (!parse_ulong(colon + 1, 65535, &p)) {
			return 0;
		}
	} else {
		hend = arg + strlen(arg);
	}
	if (hend == arg || (size_t)(hend - arg) >= cap || p == 0) {
		return 0;
	}
	memcpy(host, arg, (size_t)(hend - arg));
	host[hend - arg] = '\0';
	*port = (uint16_t)p;
	return 1;
}

static void print_ke(const char *host, uint16_t port, const cctsa_nts_ke_response *ke,
		     const cctsa_nts_ke_info *info)
{
	printf("nts-ke %s port %u: %s, ALPN ntske/1, next protocol NTPv4 (%u), AEAD AEAD_AES_SIV_CMAC_256 "
	       "(%u), %zu cookies (%zu sent), ntp server %s port %u%s\n",
	       host, port, info->tls_version, ke->next_proto, ke->aead, ke->n_cookies, ke->cookies_seen,
	       info->ntp_host, info->ntp_port, ke->server[0] != '\0' || ke->port != 0 ? " (negotiated)" : "");
}

static int nts_query(const char *target, const char *ca, unsigned long count, int timeout_ms)
{
	char host[256];
	uint16_t port = 0;
	cctsa_nts_session *s = NULL;
	cctsa_nts_ke_response *ke = cctsa_mem_alloc(sizeof(*ke));
	cctsa_nts_ke_info info;
	cctsa_nts_counters c;
	cctsa_diag d = { 0 };
	int rc = CCTSA_EXIT_OK;

	if (!split_hostport(target, host, sizeof(host), &port)) {
		cctsa_mem_free(ke);
		return cctsa_cli_usage("nts", "bad HOST[:PORT]: %s", target);
	}
	if (ke == NULL || cctsa_nts_ke_run(&s, ke, &info, host, port, ca, timeout_ms, &d) != CCTSA_OK) {
		cctsa_mem_free(ke);
		return cctsa_cli_fail("nts", "NTS-KE with %s port %u failed: %s", host, port,
				      cctsa_diag_str(&d, d.err));
	}
	print_ke(host, port, ke, &info);
	for (unsigned long i = 1; i <= count; i++) {
		cctsa_nts_sample smp;

		cctsa_diag_reset(&d);
		if (cctsa_nts_query(s, &smp, NULL, timeout_ms, &d) != CCTSA_OK) {
			rc = cctsa_cli_fail("nts", "query %lu: %s", i, cctsa_diag_str(&d, d.err));
			break;
		}
		printf("query %lu: offset %+.9f s, delay %.9f s, error bound %.9f s, stratum %u, cookies %zu\n",
		       i, (double)smp.offset_ns / 1e9, (double)smp.delay_ns / 1e9,
		       (double)smp.error_ns / 1e9, smp.stratum, cctsa_nts_session_cookies(s));
	}
	cctsa_nts_session_counters(s, &c);
	printf("replies: accepted %llu, malformed %llu, unexpected %llu, auth failed %llu, insane %llu, "
	       "kod %llu\n", (unsigned long long)c.accepted, (unsigned long long)c.malformed,
	       (unsigned long long)c.unexpected, (unsigned long long)c.auth_failed,
	       (unsigned long long)c.insane, (unsigned long long)c.kod);
	if (rc == CCTSA_EXIT_OK && (c.auth_failed != 0 || c.unexpected != 0 || c.malformed != 0)) {
		rc = cctsa_cli_fail("nts", "rejected replies seen (authentication or matching failure)");
	}
	cctsa_nts_session_free(s);
	cctsa_mem_free(ke);
	return rc;
}

int cctsa_cli_nts(int argc, char **argv)
{
	static const struct option opts[] = { { "ca", required_argument, NULL, 'c' },
					      { "count", required_argument, NULL, 'n' },
					      { "timeout", required_argument, NULL, 't' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *ca = NULL;
	unsigned long count = 1, timeout = 3000;
	int ch;

	if (cctsa_cli_wants_help(argc, argv)) {
		nts_help();
		return CCTSA_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "query") != 0) {
		return cctsa_cli_usage("nts", "expected: nts query HOST[:PORT] (see --help)");
	}
	argc--;
	argv++;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:n:t:h", opts, NULL)) != -1) {
		if (ch == 'c') {
			ca = optarg;
		} else if (ch == 'n' && parse_ulong(optarg, 1000, &count) && count > 0) {
			continue;
		} else if (ch == 't' && parse_ulong(optarg, 600000, &timeout) && timeout > 0) {
			continue;
		} else {
			return cctsa_cli_usage("nts", "bad option (see --help)");
		}
	}
	if (optind != argc - 1) {
		return cctsa_cli_usage("nts", "expected exactly one HOST[:PORT]");
	}
	return nts_query(argv[optind], ca, count, (int)timeout);
}
