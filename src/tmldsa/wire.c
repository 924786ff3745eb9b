/*
 * Wire frames of the threshold ML-DSA protocol: writer and strict reader in one
 * file (layouts in tmldsa_int.h). Frames are public except DKG_KEYS, whose payload
 * the caller sends only over the encrypted channel.
 */
#include <string.h>

#include "base/ct.h"
#include "tmldsa/tmldsa_int.h"

/* ---- little-endian bit packing ---- */

static void pack_bits(uint8_t *out, const uint32_t *v, size_t n, unsigned bits)
{
	uint64_t acc = 0;
	unsigned have = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		acc |= (uint64_t)v[i] << have;
		have += bits;
		while (have >= 8) {
			out[o++] = (uint8_t)acc;
			acc >>= 8;
			have -= 8;
		}
	}
	if (have > 0) {
		out[o] = (uint8_t)acc;
	}
}

static void unpack_bits(uint32_t *v, const uint8_t *in, size_t n, unsigned bits)
{
	uint64_t acc = 0;
	unsigned have = 0;
	size_t p = 0;

	for (size_t i = 0; i < n; i++) {
		while (have < bits) {
			acc |= (uint64_t)in[p++] << have;
			have += 8;
		}
		v[i] = (uint32_t)(acc & (((uint64_t)1 << bits) - 1));
		acc >>= bits;
		have -= bits;
	}
}

void tm_pack23(uint8_t *out, const tm_poly *p)
{
	pack_bits(out, (const uint32_t *)p->c, TM_NC, 23);
}

static uint64_t load_le(const uint8_t *in, unsigned nbytes)
{
	uint64_t v = 0;

	for (unsigned i = nbytes; i > 0; i--) {
		v = (v << 8) | in[i - 1];
	}
	return v;
}

/*
 * Same result as unpack_bits(.., 23), eight coefficients (23 bytes) at a time:
 * bits 0..63, 64..127 and 128..183 of each group are loaded as three words.
 */
void tm_unpack23(tm_poly *p, const uint8_t *in)
{
	const uint64_t m = ((uint64_t)1 << 23) - 1;

	for (unsigned g = 0; g < TM_NC / 8; g++) {
		const uint8_t *b = in + 23 * g;
		uint64_t lo = load_le(b, 8), mid = load_le(b + 8, 8), hi = load_le(b + 16, 7);
		int32_t *c = p->c + 8 * g;

		c[0] = (int32_t)(lo & m);
		c[1] = (int32_t)((lo >> 23) & m);
		c[2] = (int32_t)(((lo >> 46) | (mid << 18)) & m);
		c[3] = (int32_t)((mid >> 5) & m);
		c[4] = (int32_t)((mid >> 28) & m);
		c[5] = (int32_t)(((mid >> 51) | (hi << 13)) & m);
		c[6] = (int32_t)((hi >> 10) & m);
		c[7] = (int32_t)((hi >> 33) & m);
	}
}

/* BitPack(z, gamma1 - 1, gamma1): 20 bits holding gamma1 - z; z centred. */
void tm_pack_z(uint8_t *out, const tm_poly *p)
{
	uint32_t v[TM_NC];

	for (unsigned i = 0; i < TM_NC; i++) {
		v[i] = (uint32_t)(TM_GAMMA1 - p->c[i]);
	}
	pack_bits(out, v, TM_NC, 20);
}

void tm_unpack_z(tm_poly *p, const uint8_t *in)
{
	uint32_t v[TM_NC];

	unpack_bits(v, in, TM_NC, 20);
	for (unsigned i = 0; i < TM_NC; i++) {
		p->c[i] = TM_GAMMA1 - (int32_t)v[i];
	}
}

/* ---- subset lists of the DKG frames ---- */

unsigned tm_dkg_key_masks(uint8_t out[TM_SUBSETS], unsigned sender, unsigned recipient)
{
	unsigned n = 0;

	for (unsigned i = 0; i < TM_SUBSETS; i++) {
		unsigned m = cctsa_tmldsa_subset_mask(i);

		if (tm_leader(m) == sender && recipient != sender && (m & (1u << recipient))) {
			out[n++] = (uint8_t)m;
		}
	}
	return n;
}

unsigned tm_dkg_led_masks(uint8_t out[TM_SUBSETS], unsigned leader)
{
	unsigned n = 0;

	for (unsigned i = 0; i < TM_SUBSETS; i++) {
		unsigned m = cctsa_tmldsa_subset_mask(i);

		if (tm_leader(m) == leader) {
			out[n++] = (uint8_t)m;
		}
	}
	return n;
}

/* ---- writer ---- */

cctsa_err tm_frame_begin(cctsa_buf *out, unsigned type, unsigned sender, unsigned recipient,
			 const uint8_t ssid[32], size_t len)
{
	cctsa_err err = CCTSA_OK;
	size_t total;

	CCTSA_ENSURE(len <= UINT32_MAX && cctsa_size_add(&total, len, CCTSA_TMLDSA_HDR_LEN),
		     CCTSA_E_INTERNAL);
	CCTSA_TRY(cctsa_buf_reserve(out, total));
	CCTSA_TRY(cctsa_buf_put_u8(out, CCTSA_TMLDSA_WIRE_VERSION));
	CCTSA_TRY(cctsa_buf_put_u8(out, (uint8_t)type));
	CCTSA_TRY(cctsa_buf_put_u8(out, (uint8_t)sender));
	CCTSA_TRY(cctsa_buf_put_u8(out, (uint8_t)recipient));
	CCTSA_TRY(cctsa_buf_put(out, ssid, 32));
	CCTSA_TRY(cctsa_buf_put_u32be(out, (uint32_t)len));
out:
	return err;
}

cctsa_err tm_frame_put(cctsa_buf *out, unsigned type, unsigned sender, unsigned recipient,
		       const uint8_t ssid[32], const uint8_t *payload, size_t len)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(tm_frame_begin(out, type, sender, recipient, ssid, len));
	CCTSA_TRY(cctsa_buf_put(out, payload, len));
out:
	return err;
}

/* ---- reader ---- */

/* W: every 23-bit field < q. The payload length was checked; views come from a cursor. */
static cctsa_err check_w(const uint8_t *payload, cctsa_diag *diag)
{
	cctsa_cursor c;
	uint32_t v[8];

	cctsa_cursor_init(&c, payload, TM_W_LEN);
	for (size_t g = 0; g < TM_W_LEN / 23; g++) {
		const uint8_t *p;

		if (cctsa_cursor_get_view(&c, &p, 23) != CCTSA_OK) {
			return CCTSA_E_INTERNAL;
		}
		unpack_bits(v, p, 8, 23);
		for (unsigned i = 0; i < 8; i++) {
			if (v[i] >= TM_Q) {
				return cctsa_fail(diag, CCTSA_E_MALFORMED,
						  "tmldsa: W coefficient %zu is >= q", g * 8 + i);
			}
		}
	}
	return CCTSA_OK;
}

static int all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++) {
		acc |= p[i];
	}
	return acc == 0;
}

/* One accepted repetition: every |z| < gamma1 - beta. */
static int z_in_bound(const uint8_t *rep)
{
	cctsa_cursor c;
	tm_poly z;

	cctsa_cursor_init(&c, rep, TM_Z_REP);
	for (unsigned q = 0; q < TM_LC; q++) {
		const uint8_t *p;

		if (cctsa_cursor_get_view(&c, &p, 640) != CCTSA_OK) {
			return 0;
		}
		tm_unpack_z(&z, p);
		for (unsigned i = 0; i < TM_NC; i++) {
			if (z.c[i] >= TM_GAMMA1 - TM_BETA || z.c[i] <= -(TM_GAMMA1 - TM_BETA)) {
				return 0;
			}
		}
	}
	return 1;
}

static cctsa_err check_z(const uint8_t *payload, cctsa_diag *diag)
{
	cctsa_cursor c;
	uint64_t map;

	cctsa_cursor_init(&c, payload, TM_ZMAP_LEN + TM_Z_LEN);
	if (cctsa_cursor_get_u64le(&c, &map) != CCTSA_OK || (map >> TM_REPS) != 0) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: Z bitmap has bits >= 62 set");
	}
	for (unsigned j = 0; j < TM_REPS; j++) {
		const uint8_t *r;

		if (cctsa_cursor_get_view(&c, &r, TM_Z_REP) != CCTSA_OK) {
			return CCTSA_E_INTERNAL;
		}
		if (!((map >> j) & 1) && !all_zero(r, TM_Z_REP)) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "tmldsa: rejected repetition %u is not all zero", j);
		}
		if (((map >> j) & 1) && !z_in_bound(r)) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "tmldsa: z coefficient out of bound (repetition %u)", j);
		}
	}
	return CCTSA_OK;
}

/* Entries mask(1) | item(item_len) with exactly the masks in want[0..n-1]. */
static cctsa_err check_mask_list(cctsa_cursor *c, const uint8_t *want, unsigned n, size_t item_len,
				 cctsa_diag *diag)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t m;

		if (cctsa_cursor_get_u8(c, &m) != CCTSA_OK || cctsa_cursor_skip(c, item_len) != CCTSA_OK) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: truncated subset list");
		}
		if (m != want[i]) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "tmldsa: subset %u where %u was expected", m, want[i]);
		}
	}
	return CCTSA_OK;
}

static cctsa_err check_ts(const uint8_t *p, cctsa_diag *diag)
{
	cctsa_cursor c;
	uint32_t v;

	cctsa_cursor_init(&c, p, TM_TS_LEN);
	for (unsigned i = 0; i < TM_KR * TM_NC; i++) {
		if (cctsa_cursor_get_u32le(&c, &v) != CCTSA_OK || v >= TM_Q) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: t_S coefficient >= q");
		}
	}
	return CCTSA_OK;
}

static cctsa_err check_dkg_pk(const cctsa_tmldsa_frame *f, cctsa_diag *diag)
{
	uint8_t want[TM_SUBSETS];
	unsigned n = tm_dkg_led_masks(want, f->sender);
	cctsa_cursor c;
	uint16_t sl;
	cctsa_err err;

	cctsa_cursor_init(&c, f->payload, f->payload_len);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *ts;
		uint8_t m;

		if (cctsa_cursor_get_u8(&c, &m) != CCTSA_OK ||
		    cctsa_cursor_get_view(&c, &ts, TM_TS_LEN) != CCTSA_OK) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: truncated t_S list");
		}
		if (m != want[i]) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: t_S for subset %u, expected %u",
					  m, want[i]);
		}
		if ((err = check_ts(ts, diag)) != CCTSA_OK) {
			return err;
		}
	}
	if (cctsa_cursor_get_u16be(&c, &sl) != CCTSA_OK || sl == 0 || sl > CCTSA_TMLDSA_DKG_SIG_MAX ||
	    cctsa_cursor_skip(&c, sl) != CCTSA_OK || cctsa_cursor_finish(&c) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: bad transcript signature field");
	}
	return CCTSA_OK;
}

/* Exact payload size of a type, or 0 when it varies (DKG_PK). */
static size_t payload_size(const cctsa_tmldsa_frame *f)
{
	uint8_t m[TM_SUBSETS];

	switch (f->type) {
	case CCTSA_TMLDSA_MSG_SIGN_CMT:
	case CCTSA_TMLDSA_MSG_DKG_COMMIT:
	case CCTSA_TMLDSA_MSG_DKG_REVEAL:
		return 32;
	case CCTSA_TMLDSA_MSG_SIGN_W:
		return TM_W_LEN;
	case CCTSA_TMLDSA_MSG_SIGN_Z:
		return TM_ZMAP_LEN + TM_Z_LEN;
	case CCTSA_TMLDSA_MSG_DKG_KEYS:
		return (size_t)tm_dkg_key_masks(m, f->sender, f->recipient) * 33;
	case CCTSA_TMLDSA_MSG_DKG_PKCOMMIT:
		return (size_t)tm_dkg_led_masks(m, f->sender) * 33;
	default:
		return 0;
	}
}

static cctsa_err check_payload(const cctsa_tmldsa_frame *f, cctsa_diag *diag)
{
	uint8_t want[TM_SUBSETS];
	cctsa_cursor c;
	unsigned n;

	if (f->type != CCTSA_TMLDSA_MSG_DKG_PK && f->payload_len != payload_size(f)) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED,
				  "tmldsa: frame type %u has payload %zu bytes, expected %zu", f->type,
				  f->payload_len, payload_size(f));
	}
	cctsa_cursor_init(&c, f->payload, f->payload_len);
	switch (f->type) {
	case CCTSA_TMLDSA_MSG_SIGN_W:
		return check_w(f->payload, diag);
	case CCTSA_TMLDSA_MSG_SIGN_Z:
		return check_z(f->payload, diag);
	case CCTSA_TMLDSA_MSG_DKG_KEYS:
		n = tm_dkg_key_masks(want, f->sender, f->recipient);
		return check_mask_list(&c, want, n, 32, diag);
	case CCTSA_TMLDSA_MSG_DKG_PKCOMMIT:
		n = tm_dkg_led_masks(want, f->sender);
		return check_mask_list(&c, want, n, 32, diag);
	case CCTSA_TMLDSA_MSG_DKG_PK:
		return check_dkg_pk(f, diag);
	default:
		return CCTSA_OK;
	}
}

static int type_known(unsigned t)
{
	return (t >= CCTSA_TMLDSA_MSG_SIGN_CMT && t <= CCTSA_TMLDSA_MSG_SIGN_Z) ||
	       (t >= CCTSA_TMLDSA_MSG_DKG_COMMIT && t <= CCTSA_TMLDSA_MSG_DKG_PK);
}

static cctsa_err decode_header(cctsa_tmldsa_frame *f, cctsa_cursor *c, cctsa_diag *diag)
{
	uint8_t ver;
	uint32_t plen;

	if (cctsa_cursor_get_u8(c, &ver) != CCTSA_OK || cctsa_cursor_get_u8(c, &f->type) != CCTSA_OK ||
	    cctsa_cursor_get_u8(c, &f->sender) != CCTSA_OK ||
	    cctsa_cursor_get_u8(c, &f->recipient) != CCTSA_OK ||
	    cctsa_cursor_get_bytes(c, f->ssid, 32) != CCTSA_OK ||
	    cctsa_cursor_get_u32be(c, &plen) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: truncated frame header");
	}
	if (ver != CCTSA_TMLDSA_WIRE_VERSION) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "tmldsa: frame version %u", ver);
	}
	if (!type_known(f->type)) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "tmldsa: unknown frame type %u", f->type);
	}
	if (f->sender >= CCTSA_TMLDSA_N) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: sender %u", f->sender);
	}
	if (f->type == CCTSA_TMLDSA_MSG_DKG_KEYS
		    ? (f->recipient >= CCTSA_TMLDSA_N || f->recipient == f->sender)
		    : f->recipient != CCTSA_TMLDSA_BROADCAST) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "tmldsa: recipient %u", f->recipient);
	}
	if (cctsa_cursor_get_view(c, &f->payload, plen) != CCTSA_OK || cctsa_cursor_finish(c) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED,
				  "tmldsa: payload length %u does not match the frame", plen);
	}
	f->payload_len = plen;
	return CCTSA_OK;
}

cctsa_err cctsa_tmldsa_frame_decode(cctsa_tmldsa_frame *out, const uint8_t *buf, size_t len,
				    const uint8_t *ssid, cctsa_diag *diag)
{
	cctsa_cursor c;
	cctsa_err err;

	memset(out, 0, sizeof(*out));
	cctsa_cursor_init(&c, buf, len);
	err = decode_header(out, &c, diag);
	if (err == CCTSA_OK && ssid != NULL && cctsa_memcmp_var(out->ssid, ssid, 32) != 0) {
		err = cctsa_fail(diag, CCTSA_E_STATE, "tmldsa: frame of another session");
	}
	if (err == CCTSA_OK) {
		err = check_payload(out, diag);
	}
	if (err != CCTSA_OK) {
		memset(out, 0, sizeof(*out));
	}
	return err;
}
