/*
 * base: errors, diagnostics, growable/fixed output buffers, bounds-checked input
 * cursors, heap and secret (locked, non-dumpable) memory, wiping, randomness, hex,
 * whole-file I/O and logging. Every other module builds on these.
 *
 * Conventions used by every public prototype in this project:
 *  - fallible functions return cctsa_err (CCTSA_OK == 0) and are CCTSA_MUST_USE;
 *  - values come back through out-pointers, which hold nothing useful (and are
 *    wiped, if secret) when the call fails;
 *  - pointers may not be NULL unless the contract says so;
 *  - an optional cctsa_diag* receives a human-readable reason for the failure.
 */
#ifndef CCTSA_BASE_H
#define CCTSA_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CCTSA_MUST_USE __attribute__((warn_unused_result))
#define CCTSA_PRINTF(f, a) __attribute__((format(printf, f, a)))

typedef enum {
	CCTSA_OK = 0,
	CCTSA_E_USAGE,       /* caller misuse: bad argument, wrong order of calls */
	CCTSA_E_MALFORMED,   /* input that does not parse or violates its format */
	CCTSA_E_UNSUPPORTED, /* well-formed but not offered (algorithm, version) */
	CCTSA_E_VERIFY,      /* a signature, MAC, commitment or check did not verify */
	CCTSA_E_CRYPTO,      /* a cryptographic library call failed */
	CCTSA_E_STATE,       /* refused in this state: reuse, wrong session, budget */
	CCTSA_E_IO,          /* file, socket or device error */
	CCTSA_E_RESOURCE,    /* out of memory, locked memory, capacity */
	CCTSA_E_INTERNAL     /* broken invariant: a bug */
} cctsa_err;

/* Returns a static, stable name for err ("malformed", ...). */
const char *cctsa_err_name(cctsa_err err);

/* Optional failure detail. Fields are public: callers stack-allocate it. */
#define CCTSA_DIAG_MAX 256
typedef struct {
	cctsa_err err;
	char msg[CCTSA_DIAG_MAX];
} cctsa_diag;

/*
 * Records err and a formatted message in diag (which may be NULL) and returns err,
 * so a failure site reads: return cctsa_fail(diag, CCTSA_E_MALFORMED, "...", ...);
 * The first failure recorded wins unless the diag is reset; the message never
 * carries secret data (callers' responsibility).
 */
cctsa_err cctsa_fail(cctsa_diag *diag, cctsa_err err, const char *fmt, ...) CCTSA_PRINTF(3, 4);
void cctsa_diag_reset(cctsa_diag *diag);
/* diag->msg if set, otherwise the error name. diag may be NULL. */
const char *cctsa_diag_str(const cctsa_diag *diag, cctsa_err err);

/* Error propagation: the caller declares `cctsa_err err = CCTSA_OK;` and an `out:` label. */
#define CCTSA_TRY(call)                  \
	do {                             \
		err = (call);            \
		if (err != CCTSA_OK) {   \
			goto out;        \
		}                        \
	} while (0)
#define CCTSA_ENSURE(cond, code)         \
	do {                             \
		if (!(cond)) {           \
			err = (code);    \
			goto out;        \
		}                        \
	} while (0)

/* Internal invariants: checked in debug/test builds, compiled out in release. */
#ifdef CCTSA_VERIFY_ON
void cctsa_verify_fail(const char *file, int line, const char *expr);
#define CCTSA_VERIFY(cond) ((cond) ? (void)0 : cctsa_verify_fail(__FILE__, __LINE__, #cond))
#else
#define CCTSA_VERIFY(cond) ((void)0)
#endif

/* ---- overflow-checked size arithmetic ---- */
CCTSA_MUST_USE static inline int cctsa_size_add(size_t *out, size_t a, size_t b)
{
	return __builtin_add_overflow(a, b, out) ? 0 : 1;
}
CCTSA_MUST_USE static inline int cctsa_size_mul(size_t *out, size_t a, size_t b)
{
	return __builtin_mul_overflow(a, b, out) ? 0 : 1;
}

/* ---- wiping ---- */
/* Zeroes n bytes in a way the optimiser cannot drop. p may be NULL when n == 0. */
void cctsa_wipe(void *p, size_t n);

/* ---- heap (non-secret) ---- */
/* Zeroed allocation; NULL on failure or n == 0. Free with cctsa_mem_free (wipes). */
void *cctsa_mem_alloc(size_t n);
/* Resizes a block from cctsa_mem_alloc, wiping the old one; NULL on failure (p untouched). */
void *cctsa_mem_realloc(void *p, size_t n);
/* Wipes and frees; p may be NULL. */
void cctsa_mem_free(void *p);
/* Copy of n bytes (n may be 0: returns a 1-byte zero block); NULL on failure. */
void *cctsa_mem_dup(const void *p, size_t n);
/* NUL-terminated copy of s; NULL on failure. */
char *cctsa_mem_strdup(const char *s);

/* ---- secret memory ---- */
/*
 * Page-aligned, mlock()ed, MADV_DONTDUMP, zeroed; for key shares, nonces,
 * presignatures, round states, shards, private keys. NULL on failure (including
 * mlock refusal: secrets are never left in swappable memory).
 */
void *cctsa_secret_alloc(size_t n);
/* Wipes, unlocks and unmaps; p may be NULL. */
void cctsa_secret_free(void *p);
/*
 * Process-wide hardening for programs that hold secrets: not dumpable, no core
 * files, not ptrace-attachable by non-root. Returns CCTSA_E_IO if refused.
 */
CCTSA_MUST_USE cctsa_err cctsa_process_harden(void);

/* ---- output buffer ---- */
/*
 * Fields are private; the struct is public so callers can stack-allocate it.
 * A fixed buffer never grows (put fails with CCTSA_E_RESOURCE); a growable one
 * grows through cctsa_mem_realloc up to max (0 = CCTSA_BUF_DEFAULT_MAX).
 * A buffer marked secret wipes on every reallocation and on free.
 */
#define CCTSA_BUF_DEFAULT_MAX ((size_t)64 << 20)
typedef struct {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
	unsigned fixed : 1;
	unsigned failed : 1;
} cctsa_buf;

void cctsa_buf_init(cctsa_buf *b, size_t max);
void cctsa_buf_init_fixed(cctsa_buf *b, uint8_t *mem, size_t cap);
/* Wipes and frees a growable buffer, wipes a fixed one; leaves b empty. */
void cctsa_buf_free(cctsa_buf *b);
/* Ensures room for n more bytes. */
CCTSA_MUST_USE cctsa_err cctsa_buf_reserve(cctsa_buf *b, size_t n);
CCTSA_MUST_USE cctsa_err cctsa_buf_put(cctsa_buf *b, const void *p, size_t n);
CCTSA_MUST_USE cctsa_err cctsa_buf_put_u8(cctsa_buf *b, uint8_t v);
CCTSA_MUST_USE cctsa_err cctsa_buf_put_u16be(cctsa_buf *b, uint16_t v);
CCTSA_MUST_USE cctsa_err cctsa_buf_put_u32be(cctsa_buf *b, uint32_t v);
CCTSA_MUST_USE cctsa_err cctsa_buf_put_u64be(cctsa_buf *b, uint64_t v);
CCTSA_MUST_USE cctsa_err cctsa_buf_put_str(cctsa_buf *b, const char *s);
CCTSA_MUST_USE cctsa_err cctsa_buf_printf(cctsa_buf *b, const char *fmt, ...) CCTSA_PRINTF(2, 3);

/* ---- input cursor ---- */
/* Fields are private; public for stack allocation. */
typedef struct {
	const uint8_t *ptr;
	size_t len;
	size_t pos;
} cctsa_cursor;

void cctsa_cursor_init(cctsa_cursor *c, const uint8_t *p, size_t len);
size_t cctsa_cursor_left(const cctsa_cursor *c);
/* Each getter fails with CCTSA_E_MALFORMED (cursor unchanged) rather than read past the end. */
CCTSA_MUST_USE cctsa_err cctsa_cursor_get_u8(cctsa_cursor *c, uint8_t *out);
CCTSA_MUST_USE cctsa_err cctsa_cursor_get_u16be(cctsa_cursor *c, uint16_t *out);
CCTSA_MUST_USE cctsa_err cctsa_cursor_get_u32be(cctsa_cursor *c, uint32_t *out);
CCTSA_MUST_USE cctsa_err cctsa_cursor_get_u64be(cctsa_cursor *c, uint64_t *out);
CCTSA_MUST_USE cctsa_err cctsa_cursor_get_u16le(cctsa_cursor *c, uint16_t *out);
CCTSA_MUST_USE cctsa_err cctsa_cursor_get_u32le(cctsa_cursor *c, uint32_t *out);
CCTSA_MUST_USE cctsa_err cctsa_cursor_get_u64le(cctsa_cursor *c, uint64_t *out);
/* Copies n bytes into out. */
CCTSA_MUST_USE cctsa_err cctsa_cursor_get_bytes(cctsa_cursor *c, uint8_t *out, size_t n);
/* Points *out at the next n bytes of the input (no copy) and advances. */
CCTSA_MUST_USE cctsa_err cctsa_cursor_get_view(cctsa_cursor *c, const uint8_t **out, size_t n);
/* Splits off the next n bytes as a sub-cursor and advances. */
CCTSA_MUST_USE cctsa_err cctsa_cursor_get_sub(cctsa_cursor *c, cctsa_cursor *sub, size_t n);
CCTSA_MUST_USE cctsa_err cctsa_cursor_skip(cctsa_cursor *c, size_t n);
/* CCTSA_OK only if every byte was consumed; a parse succeeds only then. */
CCTSA_MUST_USE cctsa_err cctsa_cursor_finish(const cctsa_cursor *c);

/* ---- randomness (getrandom, blocking until the kernel pool is seeded) ---- */
CCTSA_MUST_USE cctsa_err cctsa_rand_bytes(uint8_t *out, size_t n);

/* ---- hex (constant-time in the data: safe on secrets) ---- */
/* Writes 2n lowercase digits and a NUL; out_cap must be >= 2n+1. */
CCTSA_MUST_USE cctsa_err cctsa_hex_encode(char *out, size_t out_cap, const uint8_t *in, size_t n);
/*
 * Decodes a hex string (either case, no separators) of even length <= 2*out_cap;
 * *out_len receives the byte count. CCTSA_E_MALFORMED on a bad digit or odd length.
 */
CCTSA_MUST_USE cctsa_err cctsa_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len, const char *hex);
/* As cctsa_hex_decode for hex_len characters (no NUL needed): use this on secret text,
 * since strlen would scan the secret. */
CCTSA_MUST_USE cctsa_err cctsa_hex_decode_n(uint8_t *out, size_t out_cap, size_t *out_len,
					    const char *hex, size_t hex_len);

/* ---- files ---- */
/* Reads a whole file of at most max bytes into a growable buffer (initialised here). */
CCTSA_MUST_USE cctsa_err cctsa_file_read(cctsa_buf *out, const char *path, size_t max, cctsa_diag *diag);
/*
 * Writes atomically (temporary file, fsync, rename) with the given mode.
 * CCTSA_FILE_SECRET demands mode 0600 or stricter and refuses otherwise.
 */
#define CCTSA_FILE_SECRET 1u
CCTSA_MUST_USE cctsa_err cctsa_file_write(const char *path, const uint8_t *data, size_t len,
					  unsigned mode, unsigned flags, cctsa_diag *diag);

/* ---- logging (daemons and the CLI only; library modules never log) ---- */
typedef enum { CCTSA_LOG_DEBUG, CCTSA_LOG_INFO, CCTSA_LOG_WARN, CCTSA_LOG_ERR } cctsa_log_level;
/* Set once at program start, before threads. */
void cctsa_log_setup(cctsa_log_level min, const char *program);
void cctsa_log_debug(const char *fmt, ...) CCTSA_PRINTF(1, 2);
void cctsa_log_info(const char *fmt, ...) CCTSA_PRINTF(1, 2);
void cctsa_log_warn(const char *fmt, ...) CCTSA_PRINTF(1, 2);
void cctsa_log_err(const char *fmt, ...) CCTSA_PRINTF(1, 2);

#endif
