/* Shard QR codes: libqrencode for the symbol, libpng for a printable 1-bit PNG. */
#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sss/sss_int.h"

typedef struct {
	const QRcode *qr;
	uint8_t *row; /* secret memory, one packed 1-bit row */
	size_t row_len;
	unsigned px; /* image width = height in pixels */
} qr_image;

/* Packs pixel row y: bit 0 = black (dark module), 1 = white. */
static void render_row(qr_image *im, unsigned y)
{
	unsigned w = (unsigned)im->qr->width, m = CCTSA_SSS_QR_MARGIN, s = CCTSA_SSS_QR_SCALE;
	unsigned my = y / s;

	memset(im->row, 0xff, im->row_len);
	if (my < m || my >= m + w) {
		return;
	}
	for (unsigned x = 0; x < im->px; x++) {
		unsigned mx = x / s;
		if (mx >= m && mx < m + w && (im->qr->data[(my - m) * w + (mx - m)] & 1)) {
			im->row[x / 8] &= (uint8_t)~(0x80u >> (x % 8));
		}
	}
}

/* libpng reports errors by longjmp; everything touched after setjmp is volatile or static. */
static int write_png(FILE *f, qr_image *im)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
	volatile int ok = 0;

	if (png == NULL || info == NULL) {
		png_destroy_write_struct(&png, &info);
		return 0;
	}
	if (setjmp(png_jmpbuf(png)) == 0) {
		png_init_io(png, f);
		png_set_IHDR(png, info, im->px, im->px, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
			     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
		png_write_info(png, info);
		for (unsigned y = 0; y < im->px; y++) {
			render_row(im, y);
			png_write_row(png, im->row);
		}
		png_write_end(png, NULL);
		ok = 1;
	}
	png_destroy_write_struct(&png, &info);
	return ok;
}

static cctsa_err open_new(FILE **f, const char *path, cctsa_diag *diag)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		return cctsa_fail(diag, CCTSA_E_IO, "cannot create %s: %s", path, strerror(errno));
	}
	*f = fdopen(fd, "wb");
	if (*f == NULL) {
		close(fd);
		unlink(path);
		return cctsa_fail(diag, CCTSA_E_IO, "cannot open %s: %s", path, strerror(errno));
	}
	return CCTSA_OK;
}

cctsa_err cctsa_sss_qr_png(const char *path, const uint8_t *data, size_t len, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	QRcode *qr = NULL;
	qr_image im = {.row = NULL};
	FILE *f = NULL;
	int ok;

	if (len == 0 || len > CCTSA_SSS_QR_MAX) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "QR data of %zu bytes is outside 1..%u", len,
				  (unsigned)CCTSA_SSS_QR_MAX);
	}
	qr = QRcode_encodeData((int)len, data, 0, QR_ECLEVEL_M);
	CCTSA_ENSURE(qr != NULL, cctsa_fail(diag, CCTSA_E_INTERNAL, "QR encoding failed: %s",
					    strerror(errno)));
	im.qr = qr;
	im.px = ((unsigned)qr->width + 2 * CCTSA_SSS_QR_MARGIN) * CCTSA_SSS_QR_SCALE;
	im.row_len = (im.px + 7) / 8;
	im.row = cctsa_secret_alloc(im.row_len);
	CCTSA_ENSURE(im.row != NULL, cctsa_fail(diag, CCTSA_E_RESOURCE, "no locked memory"));
	CCTSA_TRY(open_new(&f, path, diag));
	ok = write_png(f, &im);
	ok &= fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok &= fclose(f) == 0;
	f = NULL;
	if (!ok) {
		unlink(path);
		err = cctsa_fail(diag, CCTSA_E_IO, "cannot write %s", path);
	}
out:
	if (qr != NULL) {
		cctsa_wipe(qr->data, (size_t)qr->width * (size_t)qr->width);
		QRcode_free(qr);
	}
	cctsa_secret_free(im.row);
	return err;
}
