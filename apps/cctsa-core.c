/* cctsa-core: the trusted node daemon (logic in src/core, see cctsa/core.h). */
#include "cctsa/core.h"

int main(int argc, char **argv)
{
	return cctsa_core_daemon_main(argc, argv);
}
