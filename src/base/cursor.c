/* Bounds-checked input: the only place (with src/der/) that indexes raw input. */
#include <string.h>

#include "cctsa/base.h"

void cctsa_cursor_init(cctsa_cursor *c, const uint8_t *p, size_t len)
{
	c->ptr = p;
	c->len = len;
	c->pos = 0;
}

size_t cctsa_cursor_left(const cctsa_cursor *c)
{
	return c->len - c->pos;
}

cctsa_err cctsa_cursor_get_view(cctsa_cursor *c, const uint8_t **out, size_t n)
{
	if (n > cctsa_cursor_left(c)) {
		return CCTSA_E_MALFORMED;
	}
	*out = c->ptr + c->pos;
	c->pos += n;
	return CCTSA_OK;
}

cctsa_err cctsa_cursor_get_bytes(cctsa_cursor *c, uint8_t *out, size_t n)
{
	const uint8_t *p;
	cctsa_err err = cctsa_cursor_get_view(c, &p, n);

	if (err == CCTSA_OK && n != 0) {
		memcpy(out, p, n);
	}
	return err;
}

cctsa_err cctsa_cursor_get_sub(cctsa_cursor *c, cctsa_cursor *sub, size_t n)
{
	const uint8_t *p;
	cctsa_err err = cctsa_cursor_get_view(c, &p, n);

	if (err == CCTSA_OK) {
		cctsa_cursor_init(sub, p, n);
	}
	return err;
}

cctsa_err cctsa_cursor_skip(cctsa_cursor *c, size_t n)
{
	const uint8_t *p;

	return cctsa_cursor_get_view(c, &p, n);
}

static cctsa_err get_uint(cctsa_cursor *c, uint64_t *out, size_t n, int big_endian)
{
	const uint8_t *p;
	uint64_t v = 0;
	cctsa_err err = cctsa_cursor_get_view(c, &p, n);

	if (err != CCTSA_OK) {
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = big_endian ? i : n - 1 - i;
		v = (v << 8) | p[k];
	}
	*out = v;
	return CCTSA_OK;
}

cctsa_err cctsa_cursor_get_u8(cctsa_cursor *c, uint8_t *out)
{
	uint64_t v;
	cctsa_err err = get_uint(c, &v, 1, 1);

	if (err == CCTSA_OK) {
		*out = (uint8_t)v;
	}
	return err;
}

#define GETTER(name, type, n, be)                            \
	cctsa_err name(cctsa_cursor *c, type *out)           \
	{                                                    \
		uint64_t v;                                  \
		cctsa_err err = get_uint(c, &v, (n), (be));  \
		if (err == CCTSA_OK) {                       \
			*out = (type)v;                      \
		}                                            \
		return err;                                  \
	}
GETTER(cctsa_cursor_get_u16be, uint16_t, 2, 1)
GETTER(cctsa_cursor_get_u32be, uint32_t, 4, 1)
GETTER(cctsa_cursor_get_u64be, uint64_t, 8, 1)
GETTER(cctsa_cursor_get_u16le, uint16_t, 2, 0)
GETTER(cctsa_cursor_get_u32le, uint32_t, 4, 0)
GETTER(cctsa_cursor_get_u64le, uint64_t, 8, 0)

cctsa_err cctsa_cursor_finish(const cctsa_cursor *c)
{
	return c->pos == c->len ? CCTSA_OK : CCTSA_E_MALFORMED;
}
