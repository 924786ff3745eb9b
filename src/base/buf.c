/* Output buffers: every put either writes all of its bytes or fails. */
#include <stdio.h>
#include <string.h>

#include "cctsa/base.h"

void cctsa_buf_init(cctsa_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max == 0 ? CCTSA_BUF_DEFAULT_MAX : max;
}

void cctsa_buf_init_fixed(cctsa_buf *b, uint8_t *mem, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->data = mem;
	b->cap = cap;
	b->max = cap;
	b->fixed = 1;
}

void cctsa_buf_free(cctsa_buf *b)
{
	if (b->fixed) {
		cctsa_wipe(b->data, b->cap);
	} else {
		cctsa_mem_free(b->data); /* wipes */
		b->data = NULL;
		b->cap = 0;
	}
	b->len = 0;
}

cctsa_err cctsa_buf_reserve(cctsa_buf *b, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (!cctsa_size_add(&need, b->len, n) || need > b->max) {
		b->failed = 1;
		return CCTSA_E_RESOURCE;
	}
	if (need <= b->cap) {
		return CCTSA_OK;
	}
	if (b->fixed) {
		b->failed = 1;
		return CCTSA_E_RESOURCE;
	}
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < need) {
		cap = cap > b->max / 2 ? b->max : cap * 2;
	}
	p = cctsa_mem_realloc(b->data, cap);
	if (p == NULL) {
		b->failed = 1;
		return CCTSA_E_RESOURCE;
	}
	b->data = p;
	b->cap = cap;
	return CCTSA_OK;
}

cctsa_err cctsa_buf_put(cctsa_buf *b, const void *p, size_t n)
{
	cctsa_err err = cctsa_buf_reserve(b, n);

	if (err == CCTSA_OK && n != 0) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	}
	return err;
}

cctsa_err cctsa_buf_put_u8(cctsa_buf *b, uint8_t v)
{
	return cctsa_buf_put(b, &v, 1);
}

cctsa_err cctsa_buf_put_u16be(cctsa_buf *b, uint16_t v)
{
	uint8_t t[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	return cctsa_buf_put(b, t, sizeof(t));
}

cctsa_err cctsa_buf_put_u32be(cctsa_buf *b, uint32_t v)
{
	uint8_t t[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	return cctsa_buf_put(b, t, sizeof(t));
}

cctsa_err cctsa_buf_put_u64be(cctsa_buf *b, uint64_t v)
{
	cctsa_err err = cctsa_buf_put_u32be(b, (uint32_t)(v >> 32));

	return err != CCTSA_OK ? err : cctsa_buf_put_u32be(b, (uint32_t)v);
}

cctsa_err cctsa_buf_put_str(cctsa_buf *b, const char *s)
{
	return cctsa_buf_put(b, s, strlen(s));
}

cctsa_err cctsa_buf_printf(cctsa_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	cctsa_err err;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return CCTSA_E_INTERNAL;
	}
	err = cctsa_buf_reserve(b, (size_t)n + 1); /* room for vsnprintf's NUL */
	if (err != CCTSA_OK) {
		return err;
	}
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CCTSA_OK;
}
