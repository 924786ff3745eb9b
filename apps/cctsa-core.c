/* cctsa-core: the trusted node daemon (being written: the library is in src/core). */
#include <stdio.h>

int main(void)
{
	fputs("cctsa-core: the daemon is not built yet in this revision (library and tests only)\n", stderr);
	return 1;
}
