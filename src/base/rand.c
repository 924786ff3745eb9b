/* Randomness straight from the kernel CSPRNG. */
#include <errno.h>
#include <sys/random.h>

#include "cctsa/base.h"

cctsa_err cctsa_rand_bytes(uint8_t *out, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t chunk = n - done > 256 ? 256 : n - done;
		ssize_t r = getrandom(out + done, chunk, 0);

		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			cctsa_wipe(out, n);
			return CCTSA_E_IO;
		}
		done += (size_t)r;
	}
	return CCTSA_OK;
}
