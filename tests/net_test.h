/* net tests: helpers shared by tests/net_test.c and fuzz/corep_fuzz.c. */
#ifndef CCTSA_NET_TEST_H
#define CCTSA_NET_TEST_H

#include "cctsa/net.h"

/*
 * Decodes a corep payload of the given type and appends its re-encoded frame to
 * out: the one canonical encoding, so decode(encode(decode(x))) == decode(x).
 */
static inline cctsa_err net_test_corep_reencode(cctsa_buf *out, uint8_t type, const uint8_t *p,
						size_t len)
{
	cctsa_err err = CCTSA_E_MALFORMED;

	if (type == CCTSA_NET_COREP_TS_REQ) {
		cctsa_net_corep_ts_req m;

		err = cctsa_net_corep_ts_req_decode(&m, p, len, NULL);
		if (err == CCTSA_OK) {
			err = cctsa_net_corep_ts_req_encode(out, &m, NULL);
		}
	} else if (type == CCTSA_NET_COREP_TS_RESP) {
		cctsa_net_corep_ts_resp m;

		err = cctsa_net_corep_ts_resp_decode(&m, p, len, NULL);
		if (err == CCTSA_OK) {
			err = cctsa_net_corep_ts_resp_encode(out, &m, NULL);
		}
	} else if (type == CCTSA_NET_COREP_INFO_REQ) {
		cctsa_net_corep_info_req m;

		err = cctsa_net_corep_info_req_decode(&m, p, len, NULL);
		if (err == CCTSA_OK) {
			err = cctsa_net_corep_info_req_encode(out, &m, NULL);
		}
	} else if (type == CCTSA_NET_COREP_INFO_RESP) {
		cctsa_net_corep_info_resp m;

		err = cctsa_net_corep_info_resp_decode(&m, p, len, NULL);
		if (err == CCTSA_OK) {
			err = cctsa_net_corep_info_resp_encode(out, &m, NULL);
		}
	}
	return err;
}

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

static inline cctsa_err net_test_unix_addr_(struct sockaddr_un *sa, const char *path)
{
	size_t n = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n >= sizeof(sa->sun_path)) {
		return CCTSA_E_USAGE;
	}
	memcpy(sa->sun_path, path, n);
	return CCTSA_OK;
}
#define net_unix_addr_test net_test_unix_addr_

#endif
