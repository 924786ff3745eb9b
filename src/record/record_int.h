/* record internals shared by the transcript and audit-log code. */
#ifndef CCTSA_RECORD_INT_H
#define CCTSA_RECORD_INT_H

#include <jansson.h>

#include "cctsa/record.h"

/* jansson's iteration macros and json_copy take non-const pointers but do not write. */
static inline json_t *cctsa_record_unconst(const json_t *v)
{
	union {
		const json_t *c;
		json_t *m;
	} u = {.c = v};
	return u.m;
}

/* 1 iff s is a well-formed TIME ("YYYY-MM-DDTHH:MM:SS.mmmZ", fields in range). */
int cctsa_record_time_valid(const char *s);
/* 1 iff s is 64 lowercase hex digits. */
int cctsa_record_hex64_valid(const char *s);
/* SHA-256 over the concatenation of (a, alen) and (b, blen). */
cctsa_err cctsa_record_sha256_2(uint8_t out[CCTSA_RECORD_SHA256_LEN], const void *a, size_t alen,
				const void *b, size_t blen);
/* 1 iff obj has exactly the n members named in keys (no more, none missing). */
int cctsa_record_has_exactly(const json_t *obj, const char *const *keys, size_t n);

#endif
