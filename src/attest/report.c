/* The SEV-SNP ATTESTATION_REPORT codec (layout and reserved-field rule: cctsa/attest.h). */
#include <string.h>

#include "attest_int.h"

#define KEY_INFO_KNOWN 0x1Fu
#define POLICY_KNOWN (((uint64_t)1 << 26) - 1)
#define SIG_VALUE_LEN 48 /* P-384 scalar */
#define SIG_RESERVED_LEN (512 - 2 * CCTSA_SNP_SIG_COMPONENT_LEN)

static int version_known(uint32_t v)
{
	return v == 2 || v == 3 || v == 5;
}

/* Takes n reserved bytes, which must all be zero. */
static cctsa_err get_zero(cctsa_cursor *c, size_t n, cctsa_diag *diag)
{
	const uint8_t *p;
	size_t at = c->pos;

	if (cctsa_cursor_get_view(c, &p, n) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "report truncated at 0x%zx", at);
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] != 0) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED,
					  "reserved byte at 0x%zx is 0x%02x, must be zero", at + i, p[i]);
		}
	}
	return CCTSA_OK;
}

/* The size is checked before any field is read, so these getters cannot fail. */
static uint32_t u32(cctsa_cursor *c)
{
	uint32_t v = 0;
	return cctsa_cursor_get_u32le(c, &v) == CCTSA_OK ? v : 0;
}
static uint64_t u64(cctsa_cursor *c)
{
	uint64_t v = 0;
	return cctsa_cursor_get_u64le(c, &v) == CCTSA_OK ? v : 0;
}
static uint8_t u8(cctsa_cursor *c)
{
	uint8_t v = 0;
	return cctsa_cursor_get_u8(c, &v) == CCTSA_OK ? v : 0;
}
static void bytes(cctsa_cursor *c, uint8_t *out, size_t n)
{
	if (cctsa_cursor_get_bytes(c, out, n) != CCTSA_OK) {
		memset(out, 0, n);
	}
}

/* Checks on field values shared by the decoder and the encoder. */
static cctsa_err check_fields(const cctsa_snp_report *r, cctsa_err code, cctsa_diag *diag)
{
	uint32_t sk = cctsa_snp_report_signing_key(r);

	if (!version_known(r->version)) {
		return cctsa_fail(diag, code == CCTSA_E_MALFORMED ? CCTSA_E_UNSUPPORTED : code,
				  "report version %u is not supported (2, 3 and 5 are)", r->version);
	}
	if (r->sig_algo != CCTSA_SNP_SIG_ALGO_ECDSA_P384_SHA384) {
		return cctsa_fail(diag, code == CCTSA_E_MALFORMED ? CCTSA_E_UNSUPPORTED : code,
				  "signature algorithm %u is not ECDSA P-384 with SHA-384 (1)", r->sig_algo);
	}
	if ((r->key_info & ~KEY_INFO_KNOWN) != 0) {
		return cctsa_fail(diag, code, "key_info 0x%08x has reserved bits 31:5 set", r->key_info);
	}
	if (sk != CCTSA_SNP_SIGNING_KEY_VCEK && sk != CCTSA_SNP_SIGNING_KEY_VLEK &&
	    sk != CCTSA_SNP_SIGNING_KEY_NONE) {
		return cctsa_fail(diag, code, "signing_key %u is reserved", sk);
	}
	if ((r->policy & CCTSA_SNP_POLICY_RESERVED_ONE) == 0) {
		return cctsa_fail(diag, code, "policy 0x%llx: bit 17 must be one",
				  (unsigned long long)r->policy);
	}
	if ((r->policy & ~POLICY_KNOWN) != 0) {
		return cctsa_fail(diag, code, "policy 0x%llx: reserved bits 63:26 set",
				  (unsigned long long)r->policy);
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

static cctsa_err decode_head(cctsa_snp_report *r, cctsa_cursor *c, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;

	r->version = u32(c);
	r->guest_svn = u32(c);
	r->policy = u64(c);
	bytes(c, r->family_id, sizeof(r->family_id));
	bytes(c, r->image_id, sizeof(r->image_id));
	r->vmpl = u32(c);
	r->sig_algo = u32(c);
	r->current_tcb = u64(c);
	r->platform_info = u64(c);
	r->key_info = u32(c);
	CCTSA_TRY(check_fields(r, CCTSA_E_MALFORMED, diag));
	CCTSA_TRY(get_zero(c, 4, diag)); /* 0x4C */
	bytes(c, r->report_data, sizeof(r->report_data));
	bytes(c, r->measurement, sizeof(r->measurement));
	bytes(c, r->host_data, sizeof(r->host_data));
	bytes(c, r->id_key_digest, sizeof(r->id_key_digest));
	bytes(c, r->author_key_digest, sizeof(r->author_key_digest));
	bytes(c, r->report_id, sizeof(r->report_id));
	bytes(c, r->report_id_ma, sizeof(r->report_id_ma));
	r->reported_tcb = u64(c);
out:
	return err;
}

static cctsa_err decode_tail(cctsa_snp_report *r, cctsa_cursor *c, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;

	if (r->version >= 3) { /* 0x188 */
		r->cpuid_fam_id = u8(c);
		r->cpuid_mod_id = u8(c);
		r->cpuid_step = u8(c);
		CCTSA_TRY(get_zero(c, 0x1A0 - 0x18B, diag));
	} else {
		CCTSA_TRY(get_zero(c, 0x1A0 - 0x188, diag));
	}
	bytes(c, r->chip_id, sizeof(r->chip_id));
	r->committed_tcb = u64(c);
	r->current_build = u8(c);
	r->current_minor = u8(c);
	r->current_major = u8(c);
	CCTSA_TRY(get_zero(c, 1, diag)); /* 0x1EB */
	r->committed_build = u8(c);
	r->committed_minor = u8(c);
	r->committed_major = u8(c);
	CCTSA_TRY(get_zero(c, 1, diag)); /* 0x1EF */
	r->launch_tcb = u64(c);
	if (r->version >= 5) { /* 0x1F8 */
		r->launch_mit_vector = u64(c);
		r->current_mit_vector = u64(c);
		CCTSA_TRY(get_zero(c, CCTSA_SNP_SIGNED_LEN - 0x208, diag));
	} else {
		CCTSA_TRY(get_zero(c, CCTSA_SNP_SIGNED_LEN - 0x1F8, diag));
	}
	/* 0x2A0: r and s, zero-extended from 48 to 72 bytes, then reserved. */
	bytes(c, r->sig_r, SIG_VALUE_LEN);
	CCTSA_TRY(get_zero(c, CCTSA_SNP_SIG_COMPONENT_LEN - SIG_VALUE_LEN, diag));
	bytes(c, r->sig_s, SIG_VALUE_LEN);
	CCTSA_TRY(get_zero(c, CCTSA_SNP_SIG_COMPONENT_LEN - SIG_VALUE_LEN, diag));
	CCTSA_TRY(get_zero(c, SIG_RESERVED_LEN, diag));
	if (cctsa_cursor_finish(c) != CCTSA_OK) {
		err = cctsa_fail(diag, CCTSA_E_INTERNAL, "report cursor not consumed");
	}
out:
	return err;
}

cctsa_err cctsa_snp_report_decode(cctsa_snp_report *out, const uint8_t *buf, size_t len,
				  cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_cursor c;

	memset(out, 0, sizeof(*out));
	if (len != CCTSA_SNP_REPORT_LEN) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "report is %zu bytes, the ABI fixes %d", len,
				  CCTSA_SNP_REPORT_LEN);
	}
	cctsa_cursor_init(&c, buf, len);
	CCTSA_TRY(decode_head(out, &c, diag));
	CCTSA_TRY(decode_tail(out, &c, diag));
out:
	if (err != CCTSA_OK) {
		memset(out, 0, sizeof(*out));
	}
	return err;
}

/* ---- encoder ---- */
static cctsa_err put_le(cctsa_buf *b, uint64_t v, size_t n)
{
	uint8_t t[8];

	for (size_t i = 0; i < n; i++) {
		t[i] = (uint8_t)(v >> (8 * i));
	}
	return cctsa_buf_put(b, t, n);
}

static cctsa_err put_zero(cctsa_buf *b, size_t n)
{
	static const uint8_t z[512];

	return cctsa_buf_put(b, z, n);
}

static cctsa_err encode_head(cctsa_buf *b, const cctsa_snp_report *r)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(put_le(b, r->version, 4));
	CCTSA_TRY(put_le(b, r->guest_svn, 4));
	CCTSA_TRY(put_le(b, r->policy, 8));
	CCTSA_TRY(cctsa_buf_put(b, r->family_id, sizeof(r->family_id)));
	CCTSA_TRY(cctsa_buf_put(b, r->image_id, sizeof(r->image_id)));
	CCTSA_TRY(put_le(b, r->vmpl, 4));
	CCTSA_TRY(put_le(b, r->sig_algo, 4));
	CCTSA_TRY(put_le(b, r->current_tcb, 8));
	CCTSA_TRY(put_le(b, r->platform_info, 8));
	CCTSA_TRY(put_le(b, r->key_info, 4));
	CCTSA_TRY(put_zero(b, 4));
	CCTSA_TRY(cctsa_buf_put(b, r->report_data, sizeof(r->report_data)));
	CCTSA_TRY(cctsa_buf_put(b, r->measurement, sizeof(r->measurement)));
	CCTSA_TRY(cctsa_buf_put(b, r->host_data, sizeof(r->host_data)));
	CCTSA_TRY(cctsa_buf_put(b, r->id_key_digest, sizeof(r->id_key_digest)));
	CCTSA_TRY(cctsa_buf_put(b, r->author_key_digest, sizeof(r->author_key_digest)));
	CCTSA_TRY(cctsa_buf_put(b, r->report_id, sizeof(r->report_id)));
	CCTSA_TRY(cctsa_buf_put(b, r->report_id_ma, sizeof(r->report_id_ma)));
	CCTSA_TRY(put_le(b, r->reported_tcb, 8));
out:
	return err;
}

static cctsa_err encode_tail(cctsa_buf *b, const cctsa_snp_report *r)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(put_le(b, r->cpuid_fam_id, 1));
	CCTSA_TRY(put_le(b, r->cpuid_mod_id, 1));
	CCTSA_TRY(put_le(b, r->cpuid_step, 1));
	CCTSA_TRY(put_zero(b, 0x1A0 - 0x18B));
	CCTSA_TRY(cctsa_buf_put(b, r->chip_id, sizeof(r->chip_id)));
	CCTSA_TRY(put_le(b, r->committed_tcb, 8));
	CCTSA_TRY(put_le(b, r->current_build, 1));
	CCTSA_TRY(put_le(b, r->current_minor, 1));
	CCTSA_TRY(put_le(b, r->current_major, 1));
	CCTSA_TRY(put_zero(b, 1));
	CCTSA_TRY(put_le(b, r->committed_build, 1));
	CCTSA_TRY(put_le(b, r->committed_minor, 1));
	CCTSA_TRY(put_le(b, r->committed_major, 1));
	CCTSA_TRY(put_zero(b, 1));
	CCTSA_TRY(put_le(b, r->launch_tcb, 8));
	CCTSA_TRY(put_le(b, r->launch_mit_vector, 8));
	CCTSA_TRY(put_le(b, r->current_mit_vector, 8));
	CCTSA_TRY(put_zero(b, CCTSA_SNP_SIGNED_LEN - 0x208));
	CCTSA_TRY(cctsa_buf_put(b, r->sig_r, CCTSA_SNP_SIG_COMPONENT_LEN));
	CCTSA_TRY(cctsa_buf_put(b, r->sig_s, CCTSA_SNP_SIG_COMPONENT_LEN));
	CCTSA_TRY(put_zero(b, SIG_RESERVED_LEN));
out:
	return err;
}

cctsa_err cctsa_snp_report_encode(uint8_t out[static CCTSA_SNP_REPORT_LEN],
				  const cctsa_snp_report *r, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_buf b;

	cctsa_buf_init_fixed(&b, out, CCTSA_SNP_REPORT_LEN);
	CCTSA_TRY(check_fields(r, CCTSA_E_USAGE, diag));
	if (r->version < 3 && (r->cpuid_fam_id | r->cpuid_mod_id | r->cpuid_step) != 0) {
		err = cctsa_fail(diag, CCTSA_E_USAGE, "cpuid fields need report version 3 or later");
		goto out;
	}
	if (r->version < 5 && (r->launch_mit_vector | r->current_mit_vector) != 0) {
		err = cctsa_fail(diag, CCTSA_E_USAGE, "mitigation vectors need report version 5");
		goto out;
	}
	if (!all_zero(r->sig_r + SIG_VALUE_LEN, CCTSA_SNP_SIG_COMPONENT_LEN - SIG_VALUE_LEN) ||
	    !all_zero(r->sig_s + SIG_VALUE_LEN, CCTSA_SNP_SIG_COMPONENT_LEN - SIG_VALUE_LEN)) {
		err = cctsa_fail(diag, CCTSA_E_USAGE, "signature r/s exceed 48 bytes");
		goto out;
	}
	CCTSA_TRY(encode_head(&b, r));
	CCTSA_TRY(encode_tail(&b, r));
	if (b.len != CCTSA_SNP_REPORT_LEN) {
		err = cctsa_fail(diag, CCTSA_E_INTERNAL, "encoded %zu bytes", b.len);
	}
out:
	if (err != CCTSA_OK) {
		memset(out, 0, CCTSA_SNP_REPORT_LEN);
	}
	return err;
}

/* ---- TCB_VERSION ---- */
cctsa_snp_tcb cctsa_snp_tcb_split(cctsa_snp_product p, uint64_t raw, int *reserved_ok)
{
	cctsa_snp_tcb t;
	uint64_t rsv;

	memset(&t, 0, sizeof(t));
	if (p == CCTSA_SNP_PRODUCT_TURIN) {
		t.fmc = (uint8_t)raw;
		t.bootloader = (uint8_t)(raw >> 8);
		t.tee = (uint8_t)(raw >> 16);
		t.snp = (uint8_t)(raw >> 24);
		rsv = raw & 0x00FFFFFF00000000ull;
	} else {
		t.bootloader = (uint8_t)raw;
		t.tee = (uint8_t)(raw >> 8);
		t.snp = (uint8_t)(raw >> 48);
		rsv = raw & 0x0000FFFFFFFF0000ull;
	}
	t.microcode = (uint8_t)(raw >> 56);
	if (reserved_ok != NULL) {
		*reserved_ok = rsv == 0;
	}
	return t;
}

uint64_t cctsa_snp_tcb_join(cctsa_snp_product p, const cctsa_snp_tcb *t)
{
	uint64_t v = (uint64_t)t->microcode << 56;

	if (p == CCTSA_SNP_PRODUCT_TURIN) {
		return v | t->fmc | (uint64_t)t->bootloader << 8 | (uint64_t)t->tee << 16 |
		       (uint64_t)t->snp << 24;
	}
	return v | t->bootloader | (uint64_t)t->tee << 8 | (uint64_t)t->snp << 48;
}

int cctsa_snp_tcb_at_least(cctsa_snp_product p, const cctsa_snp_tcb *t, const cctsa_snp_tcb *min)
{
	int ok = t->bootloader >= min->bootloader && t->tee >= min->tee && t->snp >= min->snp &&
		 t->microcode >= min->microcode;

	if (p == CCTSA_SNP_PRODUCT_TURIN) {
		ok = ok && t->fmc >= min->fmc;
	}
	return ok;
}

const char *cctsa_snp_product_name(cctsa_snp_product p)
{
	switch (p) {
	case CCTSA_SNP_PRODUCT_MILAN:
		return "Milan";
	case CCTSA_SNP_PRODUCT_GENOA:
		return "Genoa";
	case CCTSA_SNP_PRODUCT_TURIN:
		return "Turin";
	case CCTSA_SNP_PRODUCT_SIM:
		return "CCTSA-SIM";
	case CCTSA_SNP_PRODUCT_UNKNOWN:
		break;
	}
	return "unknown";
}
