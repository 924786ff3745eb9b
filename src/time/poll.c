/* One polling round of the disciplined clock over a set of NTS associations. */
#include "time_int.h"

#define POLL_MAX 64

cctsa_err cctsa_clock_poll_nts(cctsa_clock *clk, cctsa_clock_update_result *res,
			       cctsa_err *statuses, cctsa_nts_session *const *sessions, size_t n,
			       int timeout_ms)
{
	cctsa_clock_sample smp[POLL_MAX];
	cctsa_time_source ts;

	if (clk == NULL || res == NULL || (sessions == NULL && n != 0) || n > POLL_MAX) {
		return CCTSA_E_USAGE;
	}
	cctsa_clock_time_source(clk, &ts);
	for (size_t i = 0; i < n; i++) {
		cctsa_nts_sample s;
		cctsa_err e = sessions[i] != NULL ? cctsa_nts_query(sessions[i], &s, &ts, timeout_ms, NULL)
						  : CCTSA_E_STATE;

		smp[i].valid = e == CCTSA_OK;
		smp[i].offset_ns = e == CCTSA_OK ? s.offset_ns : 0;
		smp[i].error_ns = e == CCTSA_OK ? s.error_ns : 0;
		if (statuses != NULL) {
			statuses[i] = e;
		}
	}
	return cctsa_clock_update(clk, res, smp, n);
}
