/*
 * Must FAIL under valgrind (registered WILL_FAIL): it branches on a byte marked
 * secret. If this ever passes, the ctime harness is not checking anything.
 */
#include "base/ct.h"
#include "check.h"

int main(void)
{
	volatile uint8_t sink = 0;
	uint8_t s[1];

	CHECK_OK(cctsa_rand_bytes(s, 1));
	CCTSA_SECRET(s, 1);
	if (s[0] & 1) { /* the deliberate secret-dependent branch */
		sink = 1;
	}
	return sink & 0;
}
