/*
 * The VCEK/VLEK: its AMD extensions (OIDs 1.3.6.1.4.1.3704.1.x, VCEK/KDS spec) and
 * the ECDSA P-384 signature it makes over a report.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "attest_int.h"

enum { EXT_STRUCT, EXT_PRODUCT, EXT_BL, EXT_TEE, EXT_SNP, EXT_SPL4, EXT_SPL5, EXT_SPL6, EXT_SPL7,
       EXT_UCODE, EXT_FMC, EXT_HWID, EXT_CSPID, EXT_N };

static const char *const ext_oid[EXT_N] = {
	"1.3.6.1.4.1.3704.1.1",   "1.3.6.1.4.1.3704.1.2",   "1.3.6.1.4.1.3704.1.3.1",
	"1.3.6.1.4.1.3704.1.3.2", "1.3.6.1.4.1.3704.1.3.3", "1.3.6.1.4.1.3704.1.3.4",
	"1.3.6.1.4.1.3704.1.3.5", "1.3.6.1.4.1.3704.1.3.6", "1.3.6.1.4.1.3704.1.3.7",
	"1.3.6.1.4.1.3704.1.3.8", "1.3.6.1.4.1.3704.1.3.9", "1.3.6.1.4.1.3704.1.4",
	"1.3.6.1.4.1.3704.1.5"};

/* A DER INTEGER 0..255 in minimal form: 02 01 vv (vv < 0x80) or 02 02 00 vv (vv >= 0x80). */
static int ext_u8(const uint8_t *p, size_t n, uint8_t *out)
{
	cctsa_cursor c;
	uint8_t tag, len, a, b;

	cctsa_cursor_init(&c, p, n);
	if (cctsa_cursor_get_u8(&c, &tag) != CCTSA_OK || tag != 0x02 ||
	    cctsa_cursor_get_u8(&c, &len) != CCTSA_OK || cctsa_cursor_get_u8(&c, &a) != CCTSA_OK) {
		return 0;
	}
	if (len == 1 && a < 0x80 && cctsa_cursor_finish(&c) == CCTSA_OK) {
		*out = a;
		return 1;
	}
	if (len == 2 && a == 0 && cctsa_cursor_get_u8(&c, &b) == CCTSA_OK && b >= 0x80 &&
	    cctsa_cursor_finish(&c) == CCTSA_OK) {
		*out = b;
		return 1;
	}
	return 0;
}

/* IA5String of printable ASCII, shorter than cap. */
static int ext_ia5(const uint8_t *p, size_t n, char *out, size_t cap)
{
	cctsa_cursor c;
	uint8_t tag, len;
	const uint8_t *s;

	cctsa_cursor_init(&c, p, n);
	if (cctsa_cursor_get_u8(&c, &tag) != CCTSA_OK || tag != 0x16 ||
	    cctsa_cursor_get_u8(&c, &len) != CCTSA_OK || len >= cap || len >= 0x80 ||
	    cctsa_cursor_get_view(&c, &s, len) != CCTSA_OK || cctsa_cursor_finish(&c) != CCTSA_OK) {
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] > 0x7E) {
			return 0;
		}
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return 1;
}

static int ext_store(snp_vek_ext *e, int which, const uint8_t *p, size_t n)
{
	uint8_t v;
	char scratch[128];

	switch (which) {
	case EXT_PRODUCT:
		return e->have_product = ext_ia5(p, n, e->product, sizeof(e->product));
	case EXT_CSPID:
		return ext_ia5(p, n, scratch, sizeof(scratch));
	case EXT_HWID:
		if (n != 8 && n != 64) {
			return 0;
		}
		memcpy(e->hwid, p, n);
		e->hwid_len = n;
		return 1;
	default:
		break;
	}
	if (!ext_u8(p, n, &v)) {
		return 0;
	}
	switch (which) {
	case EXT_BL:
		e->tcb.bootloader = v;
		return e->have_bl = 1;
	case EXT_TEE:
		e->tcb.tee = v;
		return e->have_tee = 1;
	case EXT_SNP:
		e->tcb.snp = v;
		return e->have_snp = 1;
	case EXT_UCODE:
		e->tcb.microcode = v;
		return e->have_ucode = 1;
	case EXT_FMC:
		e->tcb.fmc = v;
		return e->have_fmc = 1;
	default:
		return 1; /* structVersion and the reserved SPLs: well-formed is enough */
	}
}

cctsa_err snp_vek_extensions(snp_vek_ext *e, const snp_cert *c, cctsa_diag *diag)
{
	unsigned seen = 0;
	int n = X509_get_ext_count(c->x);

	memset(e, 0, sizeof(*e));
	for (int i = 0; i < n; i++) {
		X509_EXTENSION *x = X509_get_ext(c->x, i);
		const ASN1_OCTET_STRING *d = X509_EXTENSION_get_data(x);
		char oid[80];
		int which = -1;

		if (OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(x), 1) <= 0) {
			continue;
		}
		for (int k = 0; k < EXT_N; k++) {
			which = strcmp(oid, ext_oid[k]) == 0 ? k : which;
		}
		if (which < 0) {
			continue;
		}
		if ((seen & (1u << which)) != 0) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "VEK extension %s appears twice", oid);
		}
		seen |= 1u << which;
		if (!ext_store(e, which, ASN1_STRING_get0_data(d), (size_t)ASN1_STRING_length(d))) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "VEK extension %s is malformed", oid);
		}
	}
	if (!e->have_product || !e->have_bl || !e->have_tee || !e->have_snp || !e->have_ucode) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED,
				  "VEK lacks productName or a blSPL/teeSPL/snpSPL/ucodeSPL extension");
	}
	return CCTSA_OK;
}

cctsa_err cctsa_snp_vek_parse(cctsa_snp_vek_info *out, const uint8_t *cert, size_t cert_len,
			      cctsa_diag *diag)
{
	snp_cert_list l;
	snp_vek_ext e;
	cctsa_err err;

	memset(out, 0, sizeof(*out));
	err = snp_certs_load(&l, cert, cert_len, "VEK", diag);
	if (err != CCTSA_OK) {
		return err;
	}
	err = snp_vek_extensions(&e, &l.c[0], diag);
	if (err == CCTSA_OK) {
		memcpy(out->product, e.product, sizeof(out->product));
		out->tcb = e.tcb;
		out->has_fmc = e.have_fmc;
		memcpy(out->hwid, e.hwid, e.hwid_len);
		out->hwid_len = e.hwid_len;
	}
	snp_certs_free(&l);
	return err;
}

static int vek_is_p384(EVP_PKEY *pk)
{
	char group[32];
	size_t gl = 0;

	return pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC &&
	       EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &gl) == 1 &&
	       strcmp(group, "secp384r1") == 0;
}

/* r or s: 48 little-endian bytes -> BIGNUM. */
static BIGNUM *le_to_bn(const uint8_t le[48])
{
	uint8_t be[48];

	for (size_t i = 0; i < 48; i++) {
		be[i] = le[47 - i];
	}
	return BN_bin2bn(be, 48, NULL);
}

cctsa_err snp_report_sig_verify(const uint8_t *report, const cctsa_snp_report *r,
				const snp_cert *vek, cctsa_diag *diag)
{
	EVP_PKEY *pk = X509_get0_pubkey(vek->x);
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *br = le_to_bn(r->sig_r), *bs = le_to_bn(r->sig_s);
	unsigned char *der = NULL;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int dl = -1, ok = 0;

	if (!vek_is_p384(pk)) {
		ERR_clear_error();
		BN_free(br);
		BN_free(bs);
		ECDSA_SIG_free(sig);
		EVP_MD_CTX_free(m);
		return cctsa_fail(diag, CCTSA_E_VERIFY, "VEK key is not ECDSA P-384");
	}
	if (sig != NULL && br != NULL && bs != NULL && ECDSA_SIG_set0(sig, br, bs) == 1) {
		br = bs = NULL; /* owned by sig now */
		dl = i2d_ECDSA_SIG(sig, &der);
	}
	if (dl > 0 && m != NULL && EVP_DigestVerifyInit(m, NULL, EVP_sha384(), NULL, pk) == 1) {
		ok = EVP_DigestVerify(m, der, (size_t)dl, report, CCTSA_SNP_SIGNED_LEN) == 1;
	}
	OPENSSL_free(der);
	BN_free(br);
	BN_free(bs);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return ok ? CCTSA_OK : cctsa_fail(diag, CCTSA_E_VERIFY, "report signature does not verify with the VEK");
}
