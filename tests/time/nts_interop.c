/*
 * NTS interop against a real chronyd NTS server on loopback (started by
 * nts_chrony.sh). Usage: time_nts_interop HOST KE_PORT NTP_PORT CA.pem WRONG_CA.pem
 * Checks: wrong CA rejected; KE result; authenticated queries with cookie refresh;
 * and, with a UDP relay on loopback and recorded replies, that tampered, replayed
 * and wrong-UID replies are rejected and counted while genuine ones still pass.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cctsa/time.h"
#include "time/time_int.h"

static const char *g_host;
static uint16_t g_ke_port, g_ntp_port;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int udp_to(uint16_t port)
{
	struct sockaddr_in a = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	CHECK(inet_pton(AF_INET, "127.0.0.1", &a.sin_addr) == 1);
	CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	return fd;
}

static size_t recv_wait(int fd, uint8_t *buf, size_t cap)
{
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t n;

	CHECK(poll(&p, 1, 3000) == 1);
	n = recv(fd, buf, cap, 0);
	CHECK(n > 0);
	return (size_t)n;
}

/* One request to chronyd and its genuine reply, recorded. */
static size_t exchange_raw(cctsa_nts_session *s, int fd, uint8_t *rep, int64_t *t1, int64_t *t4)
{
	uint8_t req[CCTSA_NTP_PACKET_MAX];
	size_t len = 0, n;

	CHECK_OK(cctsa_nts_request(s, req, sizeof(req), &len, NULL));
	*t1 = now_ns();
	CHECK(send(fd, req, len, 0) == (ssize_t)len);
	n = recv_wait(fd, rep, CCTSA_NTP_PACKET_MAX);
	*t4 = now_ns();
	return n;
}

static void test_recorded(cctsa_nts_session *s)
{
	int fd = udp_to(g_ntp_port);
	uint8_t rep[CCTSA_NTP_PACKET_MAX], old[CCTSA_NTP_PACKET_MAX], bad[CCTSA_NTP_PACKET_MAX];
	cctsa_nts_sample smp;
	cctsa_nts_counters c0, c1;
	int64_t t1, t4;
	size_t n, oldn;

	cctsa_nts_session_counters(s, &c0);
	n = exchange_raw(s, fd, rep, &t1, &t4);
	CHECK(n > 48 + 36);
	memcpy(bad, rep, n);
	bad[n - 20] ^= 0x01; /* tampered ciphertext */
	CHECK_ERR(cctsa_nts_reply(s, &smp, bad, n, t1, t4, NULL), CCTSA_E_VERIFY);
	memcpy(bad, rep, n);
	bad[45] ^= 0x80; /* tampered transmit timestamp (authenticated data) */
	CHECK_ERR(cctsa_nts_reply(s, &smp, bad, n, t1, t4, NULL), CCTSA_E_VERIFY);
	memcpy(bad, rep, n);
	CHECK(bad[48] == 0x01 && bad[49] == 0x04); /* chronyd echoes the UID first */
	bad[60] ^= 0x10; /* wrong unique identifier */
	CHECK_ERR(cctsa_nts_reply(s, &smp, bad, n, t1, t4, NULL), CCTSA_E_VERIFY);
	CHECK_OK(cctsa_nts_reply(s, &smp, rep, n, t1, t4, NULL)); /* genuine still passes */
	CHECK_ERR(cctsa_nts_reply(s, &smp, rep, n, t1, t4, NULL), CCTSA_E_STATE); /* replay */
	memcpy(old, rep, n);
	oldn = n;
	n = exchange_raw(s, fd, rep, &t1, &t4);
	CHECK_ERR(cctsa_nts_reply(s, &smp, old, oldn, t1, t4, NULL), CCTSA_E_VERIFY); /* old reply */
	CHECK_OK(cctsa_nts_reply(s, &smp, rep, n, t1, t4, NULL));
	cctsa_nts_session_counters(s, &c1);
	CHECK(c1.auth_failed == c0.auth_failed + 2 && c1.unexpected == c0.unexpected + 3 &&
	      c1.accepted == c0.accepted + 2);
	CHECK(cctsa_nts_session_cookies(s) == 8);
	fprintf(stderr, "recorded replies: 2 tampered, 1 wrong UID, 2 replays rejected; genuine accepted\n");
	close(fd);
}

/* ---- a UDP relay on loopback that tampers with or replays chronyd's replies ---- */

enum { RELAY_TAMPER_THEN_GOOD, RELAY_TAMPER_ONLY, RELAY_REPLAY_THEN_GOOD };

typedef struct {
	int fd;
	uint16_t port;
	int mode;
	uint8_t last[CCTSA_NTP_PACKET_MAX];
	size_t last_len;
} relay;

static void *relay_once(void *arg)
{
	relay *r = arg;
	uint8_t buf[CCTSA_NTP_PACKET_MAX], rep[CCTSA_NTP_PACKET_MAX];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	struct pollfd p = { r->fd, POLLIN, 0 };
	int up = udp_to(g_ntp_port);
	ssize_t n;
	size_t m;

	CHECK(poll(&p, 1, 5000) == 1);
	n = recvfrom(r->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	CHECK(n > 0 && send(up, buf, (size_t)n, 0) == n);
	m = recv_wait(up, rep, sizeof(rep));
	if (r->mode == RELAY_REPLAY_THEN_GOOD) {
		CHECK(sendto(r->fd, r->last, r->last_len, 0, (struct sockaddr *)&from, fl) > 0);
	} else {
		rep[m - 8] ^= 0x04;
		CHECK(sendto(r->fd, rep, m, 0, (struct sockaddr *)&from, fl) > 0);
		rep[m - 8] ^= 0x04;
	}
	if (r->mode != RELAY_TAMPER_ONLY) {
		CHECK(sendto(r->fd, rep, m, 0, (struct sockaddr *)&from, fl) > 0);
	}
	memcpy(r->last, rep, m);
	r->last_len = m;
	close(up);
	return NULL;
}

static void relay_run(relay *r, cctsa_nts_session *s, int mode, cctsa_err want)
{
	pthread_t t;
	cctsa_nts_sample smp;
	cctsa_diag d = { 0 };

	r->mode = mode;
	CHECK(pthread_create(&t, NULL, relay_once, r) == 0);
	CHECK_ERR(cctsa_nts_query(s, &smp, NULL, want == CCTSA_OK ? 3000 : 800, &d), want);
	CHECK(pthread_join(t, NULL) == 0);
	if (want == CCTSA_OK) {
		CHECK(llabs(smp.offset_ns) <= smp.error_ns);
	} else {
		fprintf(stderr, "relay tamper-only: %s\n", d.msg);
	}
}

static void test_relay(cctsa_nts_session *s)
{
	relay r = { 0 };
	struct sockaddr_in a = { 0 };
	socklen_t al = sizeof(a);
	cctsa_nts_counters c0, c1;

	a.sin_family = AF_INET;
	CHECK(inet_pton(AF_INET, "127.0.0.1", &a.sin_addr) == 1);
	r.fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(r.fd >= 0 && bind(r.fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(getsockname(r.fd, (struct sockaddr *)&a, &al) == 0);
	s->port = ntohs(a.sin_port); /* send through the relay */
	cctsa_nts_session_counters(s, &c0);
	relay_run(&r, s, RELAY_TAMPER_THEN_GOOD, CCTSA_OK);
	relay_run(&r, s, RELAY_REPLAY_THEN_GOOD, CCTSA_OK);
	relay_run(&r, s, RELAY_TAMPER_ONLY, CCTSA_E_IO);
	cctsa_nts_session_counters(s, &c1);
	CHECK(c1.accepted == c0.accepted + 2 && c1.auth_failed == c0.auth_failed + 2 &&
	      c1.unexpected == c0.unexpected + 1);
	fprintf(stderr, "relay: tampered x2 and replayed x1 discarded and counted, 2 genuine accepted\n");
	s->port = g_ntp_port;
	close(r.fd);
}

int main(int argc, char **argv)
{
	cctsa_nts_session *s = NULL;
	cctsa_nts_ke_response *ke = cctsa_mem_alloc(sizeof(*ke));
	cctsa_nts_ke_info info;
	cctsa_diag d = { 0 };

	CHECK(argc == 6 && ke != NULL);
	g_host = argv[1];
	g_ke_port = (uint16_t)strtoul(argv[2], NULL, 10);
	g_ntp_port = (uint16_t)strtoul(argv[3], NULL, 10);

	CHECK_ERR(cctsa_nts_ke_run(&s, ke, &info, g_host, g_ke_port, argv[5], 3000, &d), CCTSA_E_VERIFY);
	CHECK(s == NULL);
	fprintf(stderr, "wrong CA: %s\n", d.msg);
	cctsa_diag_reset(&d);
	CHECK_OK(cctsa_nts_ke_run(&s, ke, &info, g_host, g_ke_port, argv[4], 3000, &d));
	CHECK(ke->next_proto == 0 && ke->aead == 15 && ke->n_cookies == 8 && ke->port == g_ntp_port);
	CHECK(strcmp(info.tls_version, "TLSv1.3") == 0 && info.ntp_port == g_ntp_port);
	for (int i = 0; i < 5; i++) {
		cctsa_nts_sample smp;
		CHECK_OK(cctsa_nts_query(s, &smp, NULL, 3000, &d));
		/* chronyd serves this host's clock: the true offset (0) is within the bound */
		CHECK(llabs(smp.offset_ns) <= smp.error_ns && smp.stratum >= 1 && smp.stratum <= 15);
		CHECK(cctsa_nts_session_cookies(s) == 8);
		fprintf(stderr, "query %d: offset %lld ns, delay %lld ns, bound %lld ns\n", i,
			(long long)smp.offset_ns, (long long)smp.delay_ns, (long long)smp.error_ns);
	}
	test_recorded(s);
	test_relay(s);
	cctsa_nts_session_free(s);
	cctsa_mem_free(ke);
	fprintf(stderr, "nts interop: ok\n");
	return 0;
}
