/*
 * sss: Shamir secret sharing over GF(2^8) for custodian shards (DESIGN.md §4).
 *
 * A secret of 1..CCTSA_SSS_MAX_SECRET bytes is split into N shards (2 <= M <= N <= 255)
 * so that any M of them rebuild it and any M-1 reveal nothing: every byte gets its own
 * random polynomial of degree M-1 over GF(2^8) (reduction polynomial x^8+x^4+x^3+x+1),
 * whose constant term is the secret byte; shard i holds the values at x = i (1..N).
 * All arithmetic on secret bytes is constant-time (no tables, no secret branches).
 *
 * Shards live in secret memory (locked, non-dumpable, wiped on free). Each carries a
 * random 16-byte set id shared by the shards of one split, the threshold, the total
 * number of shards, its index, the secret length, and a name used in messages (the
 * file name it was read from, or "shard <i>").
 *
 * Text form (version 1), every line ending in LF, lowercase hex only, fields in this order:
 *
 *   -----BEGIN CCTSA SHARD-----
 *   version: 1
 *   set: <32 hex digits>
 *   threshold: <M>
 *   shares: <N>
 *   index: <i>
 *   length: <secret length in bytes>
 *   payload:
 *   <hex, 64 digits (32 bytes) per line, the last line shorter if needed>
 *   check: <16 hex digits>
 *   -----END CCTSA SHARD-----
 *
 * check = first 8 bytes of SHA-256("cctsa-shard-v1" || 0x00 || set || M || N || i ||
 * length as u32be || payload), so a mistyped digit, a changed field or a shard glued
 * together from two others is caught before any arithmetic. Numbers are decimal without
 * leading zeros. Lines may end in CRLF when typed on another system (accepted; the CR is
 * dropped); nothing else is tolerated.
 */
#ifndef CCTSA_SSS_H
#define CCTSA_SSS_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"

#define CCTSA_SSS_MAX_SHARES 255
#define CCTSA_SSS_MAX_SECRET 65536
#define CCTSA_SSS_SET_ID_LEN 16
#define CCTSA_SSS_NAME_MAX 128
/* Upper bound of one shard's text form (CRLF line ends included), for readers that cap sizes. */
#define CCTSA_SSS_TEXT_MAX (2 * CCTSA_SSS_MAX_SECRET + CCTSA_SSS_MAX_SECRET / 16 + 1024)

/* Opaque; lives in secret memory. */
typedef struct cctsa_sss_shard cctsa_sss_shard;

/*
 * Splits secret[0..len) into n shards with threshold m.
 * Returns CCTSA_E_USAGE (bad m, n or len; message says which), CCTSA_E_RESOURCE (no
 * locked memory), CCTSA_E_IO (no randomness).
 * Out: out[0..n) receive the shards (index i+1 in out[i]), each freed by the caller with
 *      cctsa_sss_shard_free; on failure every out[k] is NULL (with CCTSA_E_USAGE out is
 *      not touched).
 * In:  secret (secret), len in 1..CCTSA_SSS_MAX_SECRET, 2 <= m <= n <= 255.
 */
CCTSA_MUST_USE cctsa_err cctsa_sss_split(cctsa_sss_shard **out, const uint8_t *secret, size_t len,
					 unsigned m, unsigned n, cctsa_diag *diag);

/*
 * Rebuilds the secret from count shards of one set.
 * Every shard must carry the same set id, threshold, total and length, and no index may
 * appear twice; the message of each refusal names the offending shard(s). Fewer than M
 * distinct shards are refused (CCTSA_E_STATE) without any arithmetic. When more than M
 * are given, the first M rebuild the secret and every further shard is checked to lie on
 * the same polynomials (CCTSA_E_VERIFY names the first that does not).
 * Returns CCTSA_E_USAGE (count 0), CCTSA_E_MALFORMED (mixed sets or parameters,
 * duplicates), CCTSA_E_STATE (too few), CCTSA_E_VERIFY, CCTSA_E_RESOURCE.
 * Out: *secret_out is a cctsa_secret_alloc block of *len_out bytes (free with
 *      cctsa_secret_free); NULL and 0 on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_sss_combine(uint8_t **secret_out, size_t *len_out,
					   cctsa_sss_shard *const *shards, size_t count,
					   cctsa_diag *diag);

/*
 * Encodes a shard in its text form.
 * Out: *text_out is a NUL-terminated cctsa_secret_alloc block of *len_out characters
 *      (free with cctsa_secret_free); NULL and 0 on failure.
 * Returns CCTSA_E_RESOURCE, CCTSA_E_CRYPTO (hash failure).
 */
CCTSA_MUST_USE cctsa_err cctsa_sss_shard_encode(char **text_out, size_t *len_out,
						const cctsa_sss_shard *shard, cctsa_diag *diag);

/*
 * Parses the text form strictly (see above). name (NULL: "shard") is kept for messages
 * and truncated to CCTSA_SSS_NAME_MAX-1 characters.
 * Returns CCTSA_E_MALFORMED (message names the shard, the line and the problem; a bad
 * checksum says the shard was mistyped or damaged), CCTSA_E_UNSUPPORTED (another
 * version), CCTSA_E_RESOURCE.
 * Out: *out, freed with cctsa_sss_shard_free; NULL on failure.
 */
CCTSA_MUST_USE cctsa_err cctsa_sss_shard_parse(cctsa_sss_shard **out, const uint8_t *text,
					       size_t len, const char *name, cctsa_diag *diag);

/* Wipes and frees; s may be NULL. */
void cctsa_sss_shard_free(cctsa_sss_shard *s);

/* Public attributes of a shard. */
unsigned cctsa_sss_shard_index(const cctsa_sss_shard *s);
unsigned cctsa_sss_shard_threshold(const cctsa_sss_shard *s);
unsigned cctsa_sss_shard_total(const cctsa_sss_shard *s);
size_t cctsa_sss_shard_secret_len(const cctsa_sss_shard *s);
const uint8_t *cctsa_sss_shard_set_id(const cctsa_sss_shard *s);
const char *cctsa_sss_shard_name(const cctsa_sss_shard *s);
/* Replaces the name used in messages (truncated to CCTSA_SSS_NAME_MAX-1). */
void cctsa_sss_shard_set_name(cctsa_sss_shard *s, const char *name);

/* ---- printable QR codes ---- */

/* Largest input of one QR code (version 40, level M, 8-bit mode). */
#define CCTSA_SSS_QR_MAX 2331
/* Pixels per module and quiet-zone width in modules of the PNG. */
#define CCTSA_SSS_QR_SCALE 6
#define CCTSA_SSS_QR_MARGIN 4

/*
 * Writes data[0..len) (1..CCTSA_SSS_QR_MAX bytes, e.g. a shard's text or one part of
 * it) as a QR code (8-bit mode, error correction M) to a new 1-bit grayscale PNG at
 * path, mode 0600, refusing an existing file, fsynced. The module matrix and row buffers
 * are wiped; libqrencode's and zlib's internal buffers are not under our control.
 * Returns CCTSA_E_USAGE (len), CCTSA_E_IO, CCTSA_E_RESOURCE, CCTSA_E_INTERNAL (encoder).
 */
CCTSA_MUST_USE cctsa_err cctsa_sss_qr_png(const char *path, const uint8_t *data, size_t len,
					  cctsa_diag *diag);

#endif
