/* libFuzzer target: the control-socket command parser (one JSON line). */
#include <stdint.h>
#include <string.h>

#include "cctsa/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cctsa_core_cmd cmd;

	if (cctsa_core_cmd_parse(&cmd, (const char *)data, size, NULL) == CCTSA_OK) {
		if (cmd.kind < CCTSA_CORE_CMD_STATUS || cmd.kind > CCTSA_CORE_CMD_SHUTDOWN ||
		    cmd.n_operators > CCTSA_CORE_CMD_MAX_OPERATORS) {
			__builtin_trap();
		}
		cctsa_core_cmd_free(&cmd);
	}
	return 0;
}
