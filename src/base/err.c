/* Error names and the optional diagnostic record. */
#include <stdio.h>
#include <stdlib.h>

#include "cctsa/base.h"

const char *cctsa_err_name(cctsa_err err)
{
	switch (err) {
	case CCTSA_OK: return "ok";
	case CCTSA_E_USAGE: return "usage";
	case CCTSA_E_MALFORMED: return "malformed";
	case CCTSA_E_UNSUPPORTED: return "unsupported";
	case CCTSA_E_VERIFY: return "verification failed";
	case CCTSA_E_CRYPTO: return "crypto failure";
	case CCTSA_E_STATE: return "refused in this state";
	case CCTSA_E_IO: return "i/o error";
	case CCTSA_E_RESOURCE: return "out of resources";
	case CCTSA_E_INTERNAL: return "internal error";
	}
	return "unknown error";
}

cctsa_err cctsa_fail(cctsa_diag *diag, cctsa_err err, const char *fmt, ...)
{
	va_list ap;

	if (diag == NULL || diag->err != CCTSA_OK) {
		return err; /* the first, most specific failure is kept */
	}
	diag->err = err;
	va_start(ap, fmt);
	if (vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap) < 0) {
		diag->msg[0] = '\0';
	}
	va_end(ap);
	return err;
}

void cctsa_diag_reset(cctsa_diag *diag)
{
	if (diag != NULL) {
		diag->err = CCTSA_OK;
		diag->msg[0] = '\0';
	}
}

const char *cctsa_diag_str(const cctsa_diag *diag, cctsa_err err)
{
	if (diag != NULL && diag->err != CCTSA_OK && diag->msg[0] != '\0') {
		return diag->msg;
	}
	return cctsa_err_name(err);
}

#ifdef CCTSA_VERIFY_ON
void cctsa_verify_fail(const char *file, int line, const char *expr)
{
	/* Test builds only: a broken invariant is a bug, stop loudly. */
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, expr); /* style: allow */
	abort(); /* style: allow */
}
#endif
