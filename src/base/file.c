/* Whole-file reads and atomic writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cctsa/base.h"

cctsa_err cctsa_file_read(cctsa_buf *out, const char *path, size_t max, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	uint8_t chunk[8192];
	int fd;

	cctsa_buf_init(out, max);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot open %s: %s", path, strerror(errno));
	}
	for (;;) {
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
		if (cctsa_buf_put(out, chunk, (size_t)r) != CCTSA_OK) {
			err = cctsa_fail(diag, CCTSA_E_RESOURCE, "%s is larger than %zu bytes", path, max);
			break;
		}
	}
	close(fd);
	cctsa_wipe(chunk, sizeof(chunk));
	if (err != CCTSA_OK) {
		cctsa_buf_free(out);
	}
	return err;
}

cctsa_err cctsa_file_write(const char *path, const uint8_t *data, size_t len, unsigned mode,
			   unsigned flags, cctsa_diag *diag)
{
	char tmp[4096];
	size_t done = 0;
	int fd, n;

	if ((flags & CCTSA_FILE_SECRET) && (mode & 077) != 0) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "refusing to write secret %s readable by others", path);
	}
	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "path too long: %s", path);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
	if (fd < 0) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot create %s: %s", tmp, strerror(errno));
	}
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			break;
		}
		done += (size_t)w;
	}
	if (done != len || fsync(fd) != 0 || close(fd) != 0) {
		int e = errno;
		if (done != len) {
			close(fd);
		}
		unlink(tmp);
		return cctsa_fail(diag, CCTSA_E_IO, "cannot write %s: %s", path, strerror(e));
	}
	if (rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return cctsa_fail(diag, CCTSA_E_IO, "cannot rename to %s: %s", path, strerror(e));
	}
	return CCTSA_OK;
}
