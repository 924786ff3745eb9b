/*
 * Logging for daemons and the CLI: one line per event on stderr, with UTC time,
 * program name and level. The level is set once at start-up (the only mutable
 * global in base, written before any thread exists). Library modules never log.
 */
#include <stdio.h>
#include <time.h>

#include "cctsa/base.h"

static cctsa_log_level log_min = CCTSA_LOG_INFO;
static const char *log_prog = "cctsa";

void cctsa_log_setup(cctsa_log_level min, const char *program)
{
	log_min = min;
	log_prog = program;
}

CCTSA_PRINTF(2, 0) static void vlog(cctsa_log_level lvl, const char *fmt, va_list ap)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	char line[1024], ts[32];
	struct timespec now;
	struct tm tm;

	if (lvl < log_min) {
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "%s.%03ldZ %s[%s] %s\n", ts, now.tv_nsec / 1000000, log_prog, names[lvl], line); /* style: allow: the log sink */
}

#define LOGFN(name, lvl)                        \
	void name(const char *fmt, ...)         \
	{                                       \
		va_list ap;                     \
		va_start(ap, fmt);              \
		vlog(lvl, fmt, ap);             \
		va_end(ap);                     \
	}
LOGFN(cctsa_log_debug, CCTSA_LOG_DEBUG)
LOGFN(cctsa_log_info, CCTSA_LOG_INFO)
LOGFN(cctsa_log_warn, CCTSA_LOG_WARN)
LOGFN(cctsa_log_err, CCTSA_LOG_ERR)
