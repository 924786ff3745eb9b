/*
 * Replays every file of a corpus directory through LLVMFuzzerTestOneInput, so the
 * sanitizer build checks the checked-in corpus without clang's libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cctsa/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (argc != 2 || (d = opendir(argv[1])) == NULL) {
		fprintf(stderr, "usage: %s CORPUS_DIR (must exist)\n", argv[0]);
		return 2;
	}
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		cctsa_buf b;

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
		if (cctsa_file_read(&b, path, (size_t)1 << 22, NULL) != CCTSA_OK) {
			continue;
		}
		LLVMFuzzerTestOneInput(b.data != NULL ? b.data : (const uint8_t *)"", b.len);
		cctsa_buf_free(&b);
		n++;
	}
	closedir(d);
	printf("replayed %d inputs from %s\n", n, argv[1]);
	return n > 0 ? 0 : 1;
}
