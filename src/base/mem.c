/*
 * All heap use goes through here. Ordinary blocks carry a size header so that
 * every free can wipe; secret blocks are whole pages, locked and excluded from
 * core dumps, with their size kept in a header at the start of the mapping.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cctsa/base.h"

#define HDR 16u /* keeps the user pointer 16-byte aligned */

void cctsa_wipe(void *p, size_t n)
{
	if (n == 0) {
		return;
	}
	memset(p, 0, n);
	/* The barrier tells the compiler the zeroed memory is observed. */
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

void *cctsa_mem_alloc(size_t n)
{
	size_t total;
	uint8_t *p;

	if (n == 0 || !cctsa_size_add(&total, n, HDR)) {
		return NULL;
	}
	p = calloc(1, total);
	if (p == NULL) {
		return NULL;
	}
	memcpy(p, &n, sizeof(n));
	return p + HDR;
}

static size_t block_size(const void *p)
{
	size_t n;

	memcpy(&n, (const uint8_t *)p - HDR, sizeof(n));
	return n;
}

void *cctsa_mem_realloc(void *p, size_t n)
{
	uint8_t *q;
	size_t old;

	if (p == NULL) {
		return cctsa_mem_alloc(n);
	}
	q = cctsa_mem_alloc(n);
	if (q == NULL) {
		return NULL;
	}
	old = block_size(p);
	memcpy(q, p, old < n ? old : n);
	cctsa_mem_free(p);
	return q;
}

void cctsa_mem_free(void *p)
{
	uint8_t *base;

	if (p == NULL) {
		return;
	}
	base = (uint8_t *)p - HDR;
	cctsa_wipe(base, block_size(p) + HDR);
	free(base);
}

void *cctsa_mem_dup(const void *p, size_t n)
{
	uint8_t *q = cctsa_mem_alloc(n == 0 ? 1 : n);

	if (q != NULL && n != 0) {
		memcpy(q, p, n);
	}
	return q;
}

char *cctsa_mem_strdup(const char *s)
{
	return cctsa_mem_dup(s, strlen(s) + 1);
}

/* ---- secret memory ---- */

#define SECRET_HDR 64u

void *cctsa_secret_alloc(size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t want, total;
	uint8_t *p;

	if (n == 0 || page <= 0 || !cctsa_size_add(&want, n, SECRET_HDR)) {
		return NULL;
	}
	total = (want + (size_t)page - 1) / (size_t)page * (size_t)page;
	p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		return NULL;
	}
	/* Refuse rather than hold a secret in swappable or dumpable memory. */
	if (mlock(p, total) != 0 || madvise(p, total, MADV_DONTDUMP) != 0) {
		munmap(p, total);
		return NULL;
	}
	memcpy(p, &total, sizeof(total));
	return p + SECRET_HDR;
}

void cctsa_secret_free(void *p)
{
	uint8_t *base;
	size_t total;

	if (p == NULL) {
		return;
	}
	base = (uint8_t *)p - SECRET_HDR;
	memcpy(&total, base, sizeof(total));
	cctsa_wipe(base, total);
	munlock(base, total);
	munmap(base, total);
}

cctsa_err cctsa_process_harden(void)
{
	struct rlimit none = {0, 0};

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setrlimit(RLIMIT_CORE, &none) != 0) {
		return CCTSA_E_IO;
	}
	return CCTSA_OK;
}
