/* Shard text parser: never crashes; parse -> encode -> parse gives the same shard. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/ct.h"
#include "cctsa/sss.h"
#include "sss/sss_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cctsa_sss_shard *a = NULL, *b = NULL;
	char *text = NULL;
	size_t len = 0;
	cctsa_diag d;

	cctsa_diag_reset(&d);
	if (cctsa_sss_shard_parse(&a, data, size, "fuzz", &d) != CCTSA_OK) {
		if (a != NULL || d.msg[0] == '\0') {
			abort();
		}
		return 0;
	}
	if (cctsa_sss_shard_encode(&text, &len, a, NULL) != CCTSA_OK ||
	    cctsa_sss_shard_parse(&b, (const uint8_t *)text, len, "again", NULL) != CCTSA_OK) {
		abort();
	}
	if (a->len != b->len || a->index != b->index || a->threshold != b->threshold ||
	    a->total != b->total || !cctsa_ct_memeq(a->set_id, b->set_id, sizeof(a->set_id)) ||
	    !cctsa_ct_memeq(a->payload, b->payload, a->len)) {
		abort();
	}
	cctsa_secret_free(text);
	cctsa_sss_shard_free(a);
	cctsa_sss_shard_free(b);
	return 0;
}
