/* record: times, hashes and JSON shape checks shared by transcripts and the audit log. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "record/record_int.h"

cctsa_err cctsa_record_time(char out[static CCTSA_RECORD_TIME_LEN + 1], uint64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	int n;

	if (ms / 1000 > 253402300799ULL || gmtime_r(&secs, &tm) == NULL) { /* 9999-12-31T23:59:59 */
		return CCTSA_E_USAGE;
	}
	n = snprintf(out, CCTSA_RECORD_TIME_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     (unsigned)(ms % 1000));
	return n == CCTSA_RECORD_TIME_LEN ? CCTSA_OK : CCTSA_E_INTERNAL;
}

uint64_t cctsa_record_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0) {
		return 0;
	}
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int digits(const char *s, size_t from, size_t n, unsigned lo, unsigned hi)
{
	unsigned v = 0;

	for (size_t i = from; i < from + n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return 0;
		}
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v >= lo && v <= hi;
}

int cctsa_record_time_valid(const char *s)
{
	return strlen(s) == CCTSA_RECORD_TIME_LEN && digits(s, 0, 4, 1970, 9999) && s[4] == '-' &&
	       digits(s, 5, 2, 1, 12) && s[7] == '-' && digits(s, 8, 2, 1, 31) && s[10] == 'T' &&
	       digits(s, 11, 2, 0, 23) && s[13] == ':' && digits(s, 14, 2, 0, 59) && s[16] == ':' &&
	       digits(s, 17, 2, 0, 60) && s[19] == '.' && digits(s, 20, 3, 0, 999) && s[23] == 'Z';
}

int cctsa_record_hex64_valid(const char *s)
{
	if (strlen(s) != 2 * CCTSA_RECORD_SHA256_LEN) {
		return 0;
	}
	for (const char *p = s; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
			return 0;
		}
	}
	return 1;
}

cctsa_err cctsa_record_sha256_2(uint8_t out[CCTSA_RECORD_SHA256_LEN], const void *a, size_t alen,
				const void *b, size_t blen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned n = 0;
	int ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(ctx, a, alen) == 1 && EVP_DigestUpdate(ctx, b, blen) == 1 &&
		 EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == CCTSA_RECORD_SHA256_LEN;

	EVP_MD_CTX_free(ctx);
	return ok ? CCTSA_OK : CCTSA_E_CRYPTO;
}

cctsa_err cctsa_record_sha256_file(uint8_t out[static CCTSA_RECORD_SHA256_LEN], const char *path,
				   cctsa_diag *diag)
{
	uint8_t chunk[16384];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok;
	cctsa_err err = CCTSA_OK;

	if (fd < 0) {
		EVP_MD_CTX_free(ctx);
		return cctsa_fail(diag, CCTSA_E_IO, "cannot open %s: %s", path, strerror(errno));
	}
	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	while (ok) {
		ssize_t r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			err = cctsa_fail(diag, CCTSA_E_IO, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (r == 0) {
			break;
		}
		ok = EVP_DigestUpdate(ctx, chunk, (size_t)r) == 1;
	}
	close(fd);
	if (err == CCTSA_OK && (!ok || EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != 32)) {
		err = cctsa_fail(diag, CCTSA_E_CRYPTO, "SHA-256 of %s failed", path);
	}
	EVP_MD_CTX_free(ctx);
	return err;
}

int cctsa_record_has_exactly(const json_t *obj, const char *const *keys, size_t n)
{
	if (!json_is_object(obj) || json_object_size(obj) != n) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (json_object_get(obj, keys[i]) == NULL) {
			return 0;
		}
	}
	return 1;
}
