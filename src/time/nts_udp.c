/* One NTS-protected NTP exchange over UDP (the transport around cctsa_nts_reply). */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "time_int.h"

static int64_t realtime_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A connected UDP socket to host:port. */
static cctsa_err udp_open(int *fd_out, const char *host, uint16_t port, cctsa_diag *diag)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	char ps[8];
	int fd = -1, rc;

	hints.ai_socktype = SOCK_DGRAM;
	snprintf(ps, sizeof(ps), "%u", port);
	rc = getaddrinfo(host, ps, &hints, &res);
	if (rc != 0) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot resolve %s: %s", host, gai_strerror(rc));
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot open UDP to %s port %u", host, port);
	}
	*fd_out = fd;
	return CCTSA_OK;
}

/* Waits for datagrams until one is accepted or the deadline passes. */
static cctsa_err udp_wait(cctsa_nts_session *s, cctsa_nts_sample *out, int fd, int64_t t1,
			  const cctsa_time_source *clk, int timeout_ms, cctsa_diag *diag)
{
	int64_t deadline = monotonic_ms() + timeout_ms;
	uint8_t pkt[CCTSA_NTP_PACKET_MAX + 4];
	cctsa_diag last = { 0 };

	for (;;) {
		int64_t left = deadline - monotonic_ms();
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;
		int64_t t4;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			return cctsa_fail(diag, CCTSA_E_IO, "NTS: no valid reply within %d ms%s%s", timeout_ms,
					  last.msg[0] != '\0' ? "; last rejected: " : "", last.msg);
		}
		n = recv(fd, pkt, sizeof(pkt), 0);
		t4 = clk->now_ns(clk->ctx);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				continue;
			}
			return cctsa_fail(diag, CCTSA_E_IO, "NTS: receive failed: %s", strerror(errno));
		}
		cctsa_diag_reset(&last);
		if (cctsa_nts_reply(s, out, pkt, (size_t)n, t1, t4, &last) == CCTSA_OK) {
			return CCTSA_OK;
		}
	}
}

cctsa_err cctsa_nts_query(cctsa_nts_session *s, cctsa_nts_sample *out,
			  const cctsa_time_source *clock, int timeout_ms, cctsa_diag *diag)
{
	cctsa_time_source rt = { realtime_ns, NULL };
	const cctsa_time_source *clk = (clock != NULL && clock->now_ns != NULL) ? clock : &rt;
	uint8_t req[CCTSA_NTP_PACKET_MAX];
	size_t len = 0;
	int fd = -1;
	int64_t t1;
	cctsa_err err = CCTSA_OK;

	if (s == NULL || out == NULL || timeout_ms <= 0) {
		return CCTSA_E_USAGE;
	}
	memset(out, 0, sizeof(*out));
	CCTSA_TRY(udp_open(&fd, s->host, s->port, diag));
	CCTSA_TRY(cctsa_nts_request(s, req, sizeof(req), &len, diag));
	t1 = clk->now_ns(clk->ctx);
	CCTSA_ENSURE(send(fd, req, len, 0) == (ssize_t)len,
		     cctsa_fail(diag, CCTSA_E_IO, "NTS: send to %s failed", s->host));
	CCTSA_TRY(udp_wait(s, out, fd, t1, clk, timeout_ms, diag));
out:
	if (fd >= 0) {
		close(fd);
	}
	return err;
}
