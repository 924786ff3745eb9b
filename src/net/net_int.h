/* net: internal declarations shared by the module's files. */
#ifndef CCTSA_NET_INT_H
#define CCTSA_NET_INT_H

#include <stddef.h>
#include <stdint.h>

/* 1 if s[0..n) is strict UTF-8 without NUL. */
int net_utf8_ok(const uint8_t *s, size_t n);

#endif
