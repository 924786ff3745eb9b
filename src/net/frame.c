/*
 * net: frame header checks, one-frame parse/write and stream reassembly
 * (STYLE.md §2 rule 17). Reader and writer share this file.
 */
#include <event2/buffer.h>
#include <string.h>

#include "cctsa/net.h"

static const cctsa_net_frame_type *frame_type_find(const cctsa_net_frame_rules *rules, uint8_t type)
{
	for (size_t i = 0; i < rules->n_types; i++) {
		if (rules->types[i].type == type) {
			return &rules->types[i];
		}
	}
	return NULL;
}

cctsa_err cctsa_net_frame_check(const cctsa_net_frame_rules *rules, uint8_t *type, uint32_t *len,
				const uint8_t hdr[static CCTSA_NET_FRAME_HDR], cctsa_diag *diag)
{
	cctsa_cursor c;
	uint8_t ver = 0, t = 0;
	uint32_t l = 0;
	const cctsa_net_frame_type *ft;

	*type = 0;
	*len = 0;
	cctsa_cursor_init(&c, hdr, CCTSA_NET_FRAME_HDR);
	if (cctsa_cursor_get_u8(&c, &ver) != CCTSA_OK || cctsa_cursor_get_u8(&c, &t) != CCTSA_OK ||
	    cctsa_cursor_get_u32be(&c, &l) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_INTERNAL, "%s frame: header read", rules->name);
	}
	if (ver != rules->version) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "%s frame: version %u, expected %u",
				  rules->name, ver, rules->version);
	}
	ft = frame_type_find(rules, t);
	if (ft == NULL) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s frame: unknown type 0x%02x", rules->name, t);
	}
	if (l < ft->min_len || l > ft->max_len) {
		if (ft->min_len == ft->max_len) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "%s frame type 0x%02x: length %u, must be exactly %u",
					  rules->name, t, l, ft->max_len);
		}
		return cctsa_fail(diag, CCTSA_E_MALFORMED,
				  "%s frame type 0x%02x: length %u outside %u..%u", rules->name, t, l,
				  ft->min_len, ft->max_len);
	}
	*type = t;
	*len = l;
	return CCTSA_OK;
}

cctsa_err cctsa_net_frame_peek(const cctsa_net_frame_rules *rules, size_t *total, uint8_t *type,
			       const uint8_t **payload, size_t *len, const uint8_t *buf, size_t n,
			       cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_cursor c;
	const uint8_t *hdr = NULL;
	uint32_t l = 0;
	uint8_t t = 0;

	*total = 0;
	*type = 0;
	*payload = NULL;
	*len = 0;
	cctsa_cursor_init(&c, buf, n);
	if (cctsa_cursor_get_view(&c, &hdr, CCTSA_NET_FRAME_HDR) != CCTSA_OK) {
		return CCTSA_OK; /* need the header */
	}
	CCTSA_TRY(cctsa_net_frame_check(rules, &t, &l, hdr, diag));
	if (cctsa_cursor_get_view(&c, payload, l) != CCTSA_OK) {
		*payload = NULL;
		return CCTSA_OK; /* need the payload */
	}
	*type = t;
	*len = l;
	*total = CCTSA_NET_FRAME_HDR + (size_t)l;
out:
	return err;
}

cctsa_err cctsa_net_frame_parse(const cctsa_net_frame_rules *rules, uint8_t *type,
				const uint8_t **payload, size_t *len, const uint8_t *buf, size_t n,
				cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	size_t total = 0;

	CCTSA_TRY(cctsa_net_frame_peek(rules, &total, type, payload, len, buf, n, diag));
	if (total == 0) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "%s frame: truncated (%zu bytes)", rules->name, n);
	} else if (total != n) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED, "%s frame: %zu trailing bytes", rules->name,
				 n - total);
	}
out:
	if (err != CCTSA_OK) {
		*type = 0;
		*payload = NULL;
		*len = 0;
	}
	return err;
}

cctsa_err cctsa_net_frame_write(cctsa_buf *out, const cctsa_net_frame_rules *rules, uint8_t type,
				const uint8_t *payload, size_t len, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	const cctsa_net_frame_type *ft = frame_type_find(rules, type);

	if (ft == NULL) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "%s frame: type 0x%02x not in the protocol",
				  rules->name, type);
	}
	if (len < ft->min_len || len > ft->max_len) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "%s frame type 0x%02x: length %zu outside %u..%u",
				  rules->name, type, len, ft->min_len, ft->max_len);
	}
	CCTSA_TRY(cctsa_buf_put_u8(out, rules->version));
	CCTSA_TRY(cctsa_buf_put_u8(out, type));
	CCTSA_TRY(cctsa_buf_put_u32be(out, (uint32_t)len));
	if (len > 0) {
		CCTSA_TRY(cctsa_buf_put(out, payload, len));
	}
out:
	if (err != CCTSA_OK) {
		(void)cctsa_fail(diag, err, "%s frame: cannot write %zu bytes", rules->name, len);
	}
	return err;
}

cctsa_err cctsa_net_frame_pull(const cctsa_net_frame_rules *rules, int *have, uint8_t *type,
			       cctsa_buf *payload, struct evbuffer *in, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	uint8_t hdr[CCTSA_NET_FRAME_HDR];
	uint32_t l = 0;
	uint8_t t = 0;
	size_t avail = evbuffer_get_length(in);

	*have = 0;
	*type = 0;
	payload->len = 0;
	if (avail < CCTSA_NET_FRAME_HDR) {
		return CCTSA_OK;
	}
	if (evbuffer_copyout(in, hdr, sizeof(hdr)) != (ev_ssize_t)sizeof(hdr)) {
		return cctsa_fail(diag, CCTSA_E_INTERNAL, "%s frame: evbuffer copyout", rules->name);
	}
	CCTSA_TRY(cctsa_net_frame_check(rules, &t, &l, hdr, diag));
	if (avail - CCTSA_NET_FRAME_HDR < l) {
		return CCTSA_OK;
	}
	if (l > 0) {
		const uint8_t *p = evbuffer_pullup(in, (ev_ssize_t)(CCTSA_NET_FRAME_HDR + (size_t)l));

		if (p == NULL) {
			return cctsa_fail(diag, CCTSA_E_RESOURCE, "%s frame: evbuffer pullup", rules->name);
		}
		CCTSA_TRY(cctsa_buf_put(payload, p + CCTSA_NET_FRAME_HDR, l));
	}
	if (evbuffer_drain(in, CCTSA_NET_FRAME_HDR + (size_t)l) != 0) {
		return cctsa_fail(diag, CCTSA_E_INTERNAL, "%s frame: evbuffer drain", rules->name);
	}
	*type = t;
	*have = 1;
out:
	if (err == CCTSA_E_RESOURCE) {
		(void)cctsa_fail(diag, err, "%s frame: no memory for %u bytes", rules->name, l);
	}
	return err;
}
