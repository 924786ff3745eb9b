/* Test helpers for tests/mldsa_test.c: JSON vector files and hex fields. */
#ifndef CCTSA_TESTS_MLDSA_UTIL_H
#define CCTSA_TESTS_MLDSA_UTIL_H

#include <jansson.h>

#include "check.h"
#include "cctsa/mldsa.h"

/* A decoded hex field; free with tv_free. */
typedef struct {
	uint8_t *p;
	size_t n;
} tv_bytes;

static inline json_t *tv_load(const char *rel)
{
	char path[1024];
	json_error_t e;
	json_t *j = json_load_file(check_testdata(path, sizeof(path), rel), 0, &e);

	if (j == NULL) {
		fprintf(stderr, "%s: %s (line %d)\n", path, e.text, e.line);
		abort();
	}
	return j;
}

static inline const char *tv_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v)) {
		fprintf(stderr, "missing string field %s\n", key);
		abort();
	}
	return json_string_value(v);
}

static inline int tv_has(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return v != NULL && !json_is_null(v);
}

static inline tv_bytes tv_hex_str(const char *hex)
{
	tv_bytes b;
	size_t cap = strlen(hex) / 2 + 1;

	b.p = cctsa_mem_alloc(cap);
	CHECK(b.p != NULL);
	CHECK_OK(cctsa_hex_decode(b.p, cap, &b.n, hex));
	return b;
}

static inline tv_bytes tv_hex(const json_t *o, const char *key)
{
	return tv_hex_str(tv_str(o, key));
}

/* Hex field or empty if absent. */
static inline tv_bytes tv_hex_opt(const json_t *o, const char *key)
{
	return tv_has(o, key) ? tv_hex(o, key) : tv_hex_str("");
}

static inline void tv_free(tv_bytes *b)
{
	cctsa_mem_free(b->p);
	b->p = NULL;
	b->n = 0;
}

static inline cctsa_mldsa_alg tv_alg(const char *name)
{
	if (strcmp(name, "ML-DSA-44") == 0) {
		return CCTSA_MLDSA_44;
	}
	if (strcmp(name, "ML-DSA-65") == 0) {
		return CCTSA_MLDSA_65;
	}
	CHECK(strcmp(name, "ML-DSA-87") == 0);
	return CCTSA_MLDSA_87;
}

/* The test case with tcId id in an ACVP expectedResults document. */
static inline const json_t *tv_find_tc(const json_t *doc, json_int_t tg, json_int_t tc)
{
	const json_t *groups = json_object_get(doc, "testGroups"), *g, *t;
	size_t i, j;

	json_array_foreach(groups, i, g) {
		if (json_integer_value(json_object_get(g, "tgId")) != tg) {
			continue;
		}
		json_array_foreach(json_object_get(g, "tests"), j, t) {
			if (json_integer_value(json_object_get(t, "tcId")) == tc) {
				return t;
			}
		}
	}
	fprintf(stderr, "tgId %lld tcId %lld not in expected results\n", (long long)tg, (long long)tc);
	abort();
}

#endif
