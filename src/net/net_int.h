/* net: internal declarations shared by the module's files. */
#ifndef CCTSA_NET_INT_H
#define CCTSA_NET_INT_H

#include <stddef.h>
#include <stdint.h>

/* 1 if s[0..n) is strict UTF-8 without NUL. */
int net_utf8_ok(const uint8_t *s, size_t n);

struct sockaddr_un;
#include "cctsa/base.h"
/* Fills a Unix socket address; CCTSA_E_USAGE if path is empty or too long. */
CCTSA_MUST_USE cctsa_err net_unix_addr(struct sockaddr_un *sa, const char *path, cctsa_diag *diag);

#endif
