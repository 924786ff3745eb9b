/* Process, socket and HTTP plumbing of `cctsa cluster` (cluster_int.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cluster_int.h"

int cl_path(char *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, CL_PATH, fmt, ap);
	va_end(ap);
	return n > 0 && n < CL_PATH;
}

double cl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cl_sleep(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* In the child: stdin from /dev/null, stdout/stderr to log, own session. */
static void child_setup(const char *log)
{
	int in = open("/dev/null", O_RDONLY);
	int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0640);

	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) {
		_exit(127);
	}
	close(in);
	close(out);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

/* Returns once the child has exec'd (a close-on-exec pipe reaches EOF) or failed to. */
pid_t cl_spawn(char *const argv[], const char *log, const char *pidfile)
{
	int p[2], e = 0;
	pid_t pid;
	char text[32];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) != 0) {
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child_setup(log);
		setsid();
		execv(argv[0], argv);
		e = errno;
		dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(e));
		(void)!write(p[1], &e, sizeof(e));
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], &e, sizeof(e))) < 0 && errno == EINTR) {
	}
	close(p[0]);
	if (n != 0) {
		(void)waitpid(pid, NULL, 0);
		return -1;
	}
	if (pidfile != NULL) {
		int len = snprintf(text, sizeof(text), "%ld\n", (long)pid);
		if (cctsa_file_write(pidfile, (const uint8_t *)text, (size_t)len, 0644, 0, NULL) != CCTSA_OK) {
			kill(pid, SIGTERM);
			return -1;
		}
	}
	return pid;
}

int cl_run(char *const argv[], const char *log)
{
	pid_t pid = fork();
	int st = 0;

	if (pid < 0) {
		return -1;
	}
	if (pid == 0) {
		child_setup(log);
		execv(argv[0], argv);
		dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			return -1;
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Reaps pid if it is our child (a no-op otherwise). */
static void reap(pid_t pid)
{
	(void)waitpid(pid, NULL, WNOHANG);
}

pid_t cl_pid_alive(const char *pidfile, const char *want)
{
	cctsa_buf b;
	char path[64], *end;
	long pid;
	pid_t out = 0;

	cctsa_buf_init(&b, 4096);
	if (cctsa_file_read(&b, pidfile, 64, NULL) != CCTSA_OK || cctsa_buf_put_u8(&b, 0) != CCTSA_OK) {
		goto done;
	}
	pid = strtol((const char *)b.data, &end, 10);
	if (pid <= 1 || (*end != '\n' && *end != '\0')) {
		goto done;
	}
	reap((pid_t)pid);
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	cctsa_buf_free(&b);
	if (cctsa_file_read(&b, path, 4000, NULL) != CCTSA_OK || b.len == 0) {
		goto done;
	}
	for (size_t i = 0; i < b.len; i++) {
		if (b.data[i] == 0) {
			b.data[i] = ' ';
		}
	}
	b.data[b.len - 1] = 0;
	if (strstr((const char *)b.data, want) != NULL) {
		out = (pid_t)pid;
	}
done:
	cctsa_buf_free(&b);
	return out;
}

int cl_stop_pid(const char *pidfile, const char *want, double wait_s)
{
	pid_t pid = cl_pid_alive(pidfile, want);
	double end = cl_now() + wait_s;

	if (pid == 0) {
		unlink(pidfile);
		return 0;
	}
	kill(pid, SIGTERM);
	while (cl_now() < end && cl_pid_alive(pidfile, want) == pid) {
		cl_sleep(0.05);
	}
	if (cl_pid_alive(pidfile, want) == pid) {
		kill(pid, SIGKILL);
		for (int i = 0; i < 40 && cl_pid_alive(pidfile, want) == pid; i++) {
			cl_sleep(0.05);
		}
	}
	unlink(pidfile);
	return 1;
}

/* Waits for fd to be ready for events until deadline; 1 if ready. */
static int wait_fd(int fd, short events, double deadline)
{
	struct pollfd p = {fd, events, 0};
	double left = deadline - cl_now();
	int r;

	if (left <= 0) {
		return 0;
	}
	r = poll(&p, 1, (int)(left * 1000) + 1);
	return r > 0;
}

static int write_all(int fd, const uint8_t *p, size_t n, double deadline)
{
	while (n > 0) {
		ssize_t w;

		if (!wait_fd(fd, POLLOUT, deadline)) {
			return 0;
		}
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return 0;
		}
		p += w;
		n -= (size_t)w;
	}
	return 1;
}

/* Reads until stop(buf) says done, EOF or the deadline; 1 on EOF or done. */
static int read_until(int fd, cctsa_buf *b, int (*stop)(const cctsa_buf *), double deadline)
{
	uint8_t tmp[16384];

	for (;;) {
		ssize_t n;

		if (stop != NULL && stop(b)) {
			return 1;
		}
		if (!wait_fd(fd, POLLIN, deadline)) {
			return 0;
		}
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			return 0;
		}
		if (n == 0) {
			return 1;
		}
		if (cctsa_buf_put(b, tmp, (size_t)n) != CCTSA_OK) {
			return 0;
		}
	}
}

static int has_newline(const cctsa_buf *b)
{
	return b->len != 0 && memchr(b->data, '\n', b->len) != NULL;
}

static json_t *control_io(int fd, json_t *cmd, double deadline, char *err, size_t errlen)
{
	size_t n = json_dumpb(cmd, NULL, 0, JSON_COMPACT);
	char *line = n != 0 ? cctsa_mem_alloc(n + 1) : NULL;
	cctsa_buf b;
	json_t *ans = NULL;
	json_error_t je;
	uint8_t *nl;

	cctsa_buf_init(&b, 16u << 20);
	if (line != NULL) {
		line[json_dumpb(cmd, line, n, JSON_COMPACT)] = '\n';
	}
	if (line == NULL || !write_all(fd, (const uint8_t *)line, n + 1, deadline)) {
		snprintf(err, errlen, "cannot send the command");
	} else if (!read_until(fd, &b, has_newline, deadline) || !has_newline(&b)) {
		snprintf(err, errlen, "no answer (timeout or connection closed)");
	} else {
		nl = memchr(b.data, '\n', b.len);
		ans = json_loadb((const char *)b.data, (size_t)(nl - b.data), 0, &je);
		if (ans == NULL || !json_is_object(ans)) {
			snprintf(err, errlen, "bad answer: %s", ans == NULL ? je.text : "not an object");
			json_decref(ans);
			ans = NULL;
		}
	}
	cctsa_mem_free(line);
	cctsa_buf_free(&b);
	return ans;
}

/* A non-blocking connect: a listener whose backlog is full (EAGAIN) is retried until deadline. */
static int connect_unix(int fd, const struct sockaddr_un *sa, double deadline)
{
	for (;;) {
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0) {
			return 1;
		}
		if (errno != EAGAIN || cl_now() >= deadline) {
			return 0;
		}
		cl_sleep(0.02);
	}
}

json_t *cl_control(const char *sock, json_t *cmd, double timeout_s, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	json_t *ans = NULL;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (fd < 0 || strlen(sock) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "bad socket path %s", sock);
	} else {
		memcpy(sa.sun_path, sock, strlen(sock));
		if (!connect_unix(fd, &sa, cl_now() + (timeout_s < 5 ? timeout_s : 5))) {
			snprintf(err, errlen, "cannot connect to %s: %s", sock, strerror(errno));
		} else {
			ans = control_io(fd, cmd, cl_now() + timeout_s, err, errlen);
		}
	}
	if (fd >= 0) {
		close(fd);
	}
	return ans;
}

static int split_reply(cctsa_buf *all, cctsa_buf *body)
{
	int code = -1;
	const char *p = (const char *)all->data, *sep;

	if (cctsa_buf_put_u8(all, 0) != CCTSA_OK || sscanf(p, "HTTP/1.%*d %d", &code) != 1) {
		return -1;
	}
	sep = strstr(p, "\r\n\r\n");
	if (sep == NULL) {
		return -1;
	}
	if (body != NULL && cctsa_buf_put(body, sep + 4, all->len - 1 - (size_t)(sep + 4 - p)) != CCTSA_OK) {
		return -1;
	}
	return code;
}

int cl_http(unsigned port, const char *method, const char *path, const char *ctype, const uint8_t *data,
	    size_t len, cctsa_buf *body, double timeout_s)
{
	struct sockaddr_in sa;
	char head[512];
	cctsa_buf all;
	double deadline = cl_now() + timeout_s;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), code = -1, n;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cctsa_buf_init(&all, 8u << 20);
	n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
					 "%s%s%sContent-Length: %zu\r\n\r\n",
		     method, path, ctype != NULL ? "Content-Type: " : "", ctype != NULL ? ctype : "",
		     ctype != NULL ? "\r\n" : "", len);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write_all(fd, (const uint8_t *)head, (size_t)n, deadline) &&
	    (len == 0 || write_all(fd, data, len, deadline)) && read_until(fd, &all, NULL, deadline)) {
		code = split_reply(&all, body);
	}
	if (fd >= 0) {
		close(fd);
	}
	cctsa_buf_free(&all);
	return code;
}

void cl_tail(const char *path, int lines)
{
	cctsa_buf b;
	size_t start;
	int seen = 0;

	cctsa_buf_init(&b, 0);
	if (cctsa_file_read(&b, path, 16u << 20, NULL) == CCTSA_OK && b.len != 0) {
		start = b.len - 1;
		while (start > 0 && seen <= lines) {
			if (b.data[--start] == '\n') {
				seen++;
			}
		}
		fprintf(stderr, "--- last lines of %s ---\n%.*s", path, (int)(b.len - start), b.data + start);
	}
	cctsa_buf_free(&b);
}
