/* Internals of `cctsa cluster` (cmd_cluster.c, cluster_up.c, cluster_proc.c, cluster_pki.c). */
#ifndef CCTSA_CLI_CLUSTER_INT_H
#define CCTSA_CLI_CLUSTER_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cctsa/base.h"

#define CL_MAX_NODES 16
#define CL_NTS 4
#define CL_PATH 1024

typedef struct {
	char dir[CL_PATH];      /* absolute */
	char bindir[CL_PATH];   /* where cctsa, cctsa-core, cctsa-gateway live */
	int nodes, threshold;
	unsigned port;          /* base port P */
	const char *user;       /* gateways drop to this user when run as root (else NULL) */
	double dkg_seconds;     /* wall time of the last ceremony (DKG + certificates) */
} cl_ctx;

/* Ports (CLUSTER.md). */
static inline unsigned cl_http_port(const cl_ctx *c, int i) { return c->port + (unsigned)i; }
static inline unsigned cl_https_port(const cl_ctx *c, int i) { return c->port + 10 + (unsigned)i; }
static inline unsigned cl_peer_port(const cl_ctx *c, int i) { return c->port + 20 + (unsigned)i; }
static inline unsigned cl_ntske_port(const cl_ctx *c, int k) { return c->port + 30 + (unsigned)k; }
static inline unsigned cl_ntp_port(const cl_ctx *c, int k) { return c->port + 40 + (unsigned)k; }

/* ---- cluster_proc.c ---- */
/* printf into a path buffer of CL_PATH; 0 if it does not fit. */
int cl_path(char *out, const char *fmt, ...) CCTSA_PRINTF(2, 3);
/* Starts argv[0] (absolute) in its own session, stdin /dev/null, stdout+stderr
 * appended to log; writes the pid to pidfile (if not NULL). Returns the pid or -1. */
pid_t cl_spawn(char *const argv[], const char *log, const char *pidfile);
/* Runs argv to completion, output appended to log; returns its exit status (or -1). */
int cl_run(char *const argv[], const char *log);
/* The pid recorded in pidfile if that process is alive and runs a program whose
 * name contains want (from /proc/<pid>/cmdline); else 0. */
pid_t cl_pid_alive(const char *pidfile, const char *want);
/* SIGTERM, up to wait_s seconds, then SIGKILL; removes pidfile. 1 if it was running. */
int cl_stop_pid(const char *pidfile, const char *want, double wait_s);
/* Sends one JSON command on a control socket and reads the one-line answer
 * (timeout_s). NULL on failure, with the reason in err. Caller json_decref's. */
json_t *cl_control(const char *sock, json_t *cmd, double timeout_s, char *err, size_t errlen);
/* Minimal HTTP/1.1 client on 127.0.0.1:port: returns the status code (or -1),
 * the body in body (may be NULL). */
int cl_http(unsigned port, const char *method, const char *path, const char *ctype, const uint8_t *data,
	    size_t len, cctsa_buf *body, double timeout_s);
/* Monotonic seconds. */
double cl_now(void);
void cl_sleep(double s);
/* Prints the last lines of a log file to stderr. */
void cl_tail(const char *path, int lines);

/* ---- cluster_pki.c ---- */
/* A self-signed ECDSA P-256 CA (key PEM 0600, cert PEM). */
cctsa_err cl_pki_ca(const char *key_path, const char *cert_path, const char *cn, cctsa_diag *diag);
/* A TLS server certificate for 127.0.0.1/localhost signed by that CA; chain_path
 * gets leaf + CA. */
cctsa_err cl_pki_leaf(const char *ca_key, const char *ca_cert, const char *key_path, const char *chain_path,
		      const char *cn, cctsa_diag *diag);

/* ---- cluster_up.c ---- */
int cl_write_config(const cl_ctx *c);
int cl_start_nts(const cl_ctx *c);
int cl_start_core(const cl_ctx *c, int i);
int cl_start_gateway(const cl_ctx *c, int i);
/* Waits until every listed node's control status has one of the states (NULL-terminated). */
int cl_wait_state(const cl_ctx *c, const int *nodes, int n, const char *const *states, double timeout_s);
/* DKG via node coord, CA issue, install-certs, binding record, transcript. */
int cl_ceremony(cl_ctx *c, int coord);
int cl_wait_mesh(const cl_ctx *c, double timeout_s);
int cl_wait_gateways(const cl_ctx *c, double timeout_s);
int cl_write_endpoints(const cl_ctx *c);
/* Timestamps DIR/binding.json through gateway 0 into DIR/ceremony/binding-record.tsr. */
int cl_timestamp_binding(const cl_ctx *c);
int cl_load_ctx(cl_ctx *c, const char *dir);
void cl_stop_all(const cl_ctx *c);
void cl_stop_node(const cl_ctx *c, int i);

#endif
