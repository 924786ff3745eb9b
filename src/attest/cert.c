/*
 * AMD certificates: strict loading (PEM or DER), RSASSA-PSS chain signatures,
 * validity times, the pinned ARK keys and the VCEK/VLEK extensions.
 */
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "attest_int.h"
#include "base/ct.h"

/*
 * SHA-384 of the SubjectPublicKeyInfo (DER) of AMD's ARKs, taken from the ARK
 * certificates in testdata/sevsnp (virtee-sev/builtin_*_ark.pem, identical to the
 * go-sev-guest and trustee bundles). Public values: pinning them is the trust anchor.
 */
static const struct {
	cctsa_snp_product product;
	const char *cn;
	uint8_t spki_sha384[48];
} pinned[] = {
	{CCTSA_SNP_PRODUCT_MILAN, "ARK-Milan",
	 {0x12, 0x49, 0xf6, 0x7f, 0x15, 0xcf, 0x22, 0x9a, 0x40, 0x69, 0x19, 0x5e, 0x1a, 0x9c, 0xe5, 0x37,
	  0xd1, 0x76, 0x5e, 0xf7, 0x06, 0xa1, 0xf4, 0xa1, 0x23, 0xc3, 0x6b, 0xe9, 0x51, 0x87, 0x86, 0x51,
	  0x5d, 0x25, 0xec, 0xc0, 0x07, 0xf3, 0x66, 0xb5, 0x64, 0xd2, 0xb3, 0xf3, 0x1c, 0x48, 0x08, 0x2e}},
	{CCTSA_SNP_PRODUCT_GENOA, "ARK-Genoa",
	 {0x32, 0xab, 0x53, 0xa6, 0xce, 0x5e, 0xc1, 0x49, 0x26, 0x20, 0x73, 0x96, 0xe5, 0xc4, 0x75, 0xae,
	  0x76, 0x8a, 0x6a, 0x98, 0x31, 0xb7, 0xe8, 0x60, 0xb5, 0xac, 0xf2, 0xe1, 0xc1, 0xdf, 0xf2, 0x22,
	  0xbc, 0x5a, 0x8b, 0xfc, 0x43, 0xeb, 0x5e, 0x06, 0x39, 0x31, 0x89, 0xc1, 0xf2, 0x46, 0xd8, 0x80}},
	{CCTSA_SNP_PRODUCT_TURIN, "ARK-Turin",
	 {0x34, 0x75, 0xf0, 0x8a, 0x97, 0x27, 0xf8, 0xac, 0x9a, 0x1d, 0xea, 0xea, 0x5f, 0x2a, 0x20, 0x97,
	  0xaa, 0x59, 0xd6, 0x4d, 0x05, 0xc2, 0xa6, 0x78, 0xc2, 0x29, 0xc8, 0x73, 0xe6, 0x35, 0x9d, 0x3a,
	  0x69, 0x26, 0x28, 0x7a, 0x2a, 0x22, 0xcd, 0x5f, 0x88, 0xa3, 0x85, 0xe3, 0x33, 0xa2, 0xfc, 0xc5}},
};

/*
 * The RSASSA-PSS AlgorithmIdentifiers accepted (SHA-384, MGF1-SHA-384, salt 48,
 * trailer 1), byte for byte: AMD's Milan/Genoa form (trailerField spelled out),
 * AMD's Turin form (trailerField omitted), and OpenSSL's (NULL parameters omitted;
 * the simulator's).
 */
static const uint8_t pss_amd[] = {
	0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x39, 0xa0,
	0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
	0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0xa2, 0x03,
	0x02, 0x01, 0x30, 0xa3, 0x03, 0x02, 0x01, 0x01};
static const uint8_t pss_amd_turin[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x34, 0xa0,
	0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
	0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
	0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0xa2, 0x03,
	0x02, 0x01, 0x30};
static const uint8_t pss_openssl[] = {
	0x30, 0x3d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x30, 0xa0,
	0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0xa1, 0x1a,
	0x30, 0x18, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0b, 0x06,
	0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0xa2, 0x03, 0x02, 0x01, 0x30};

static int pss_alg_ok(const uint8_t *p, size_t n)
{
	return (n == sizeof(pss_amd) && cctsa_memcmp_var(p, pss_amd, n) == 0) ||
	       (n == sizeof(pss_amd_turin) && cctsa_memcmp_var(p, pss_amd_turin, n) == 0) ||
	       (n == sizeof(pss_openssl) && cctsa_memcmp_var(p, pss_openssl, n) == 0);
}

/* One DER TLV with a single-byte tag and a minimal definite length. */
static cctsa_err der_tlv(cctsa_cursor *c, uint8_t tag, cctsa_cursor *content, const uint8_t **start,
			 size_t *full)
{
	size_t begin = c->pos, len = 0;
	uint8_t t, l;

	if (cctsa_cursor_get_u8(c, &t) != CCTSA_OK || t != tag || cctsa_cursor_get_u8(c, &l) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	if (l < 0x80) {
		len = l;
	} else {
		size_t k = l & 0x7Fu;
		if (k == 0 || k > 4) {
			return CCTSA_E_MALFORMED;
		}
		for (size_t i = 0; i < k; i++) {
			uint8_t b;
			if (cctsa_cursor_get_u8(c, &b) != CCTSA_OK || (i == 0 && b == 0)) {
				return CCTSA_E_MALFORMED;
			}
			len = (len << 8) | b;
		}
		if (len < 0x80) {
			return CCTSA_E_MALFORMED;
		}
	}
	if (cctsa_cursor_get_sub(c, content, len) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	if (start != NULL) {
		*start = c->ptr + begin;
		*full = c->pos - begin;
	}
	return CCTSA_OK;
}

/* Certificate ::= SEQUENCE { tbs, signatureAlgorithm, BIT STRING } and nothing else. */
static cctsa_err split_cert(snp_cert *c, const char *what, cctsa_diag *diag)
{
	cctsa_cursor top, cert, tbs, alg, bits;
	const uint8_t *alg_raw;
	size_t alg_len;
	uint8_t unused;

	cctsa_cursor_init(&top, c->der, c->der_len);
	if (der_tlv(&top, 0x30, &cert, NULL, NULL) != CCTSA_OK || cctsa_cursor_finish(&top) != CCTSA_OK ||
	    der_tlv(&cert, 0x30, &tbs, &c->tbs, &c->tbs_len) != CCTSA_OK ||
	    der_tlv(&cert, 0x30, &alg, &alg_raw, &alg_len) != CCTSA_OK ||
	    der_tlv(&cert, 0x03, &bits, NULL, NULL) != CCTSA_OK || cctsa_cursor_finish(&cert) != CCTSA_OK ||
	    cctsa_cursor_get_u8(&bits, &unused) != CCTSA_OK || unused != 0 ||
	    (c->sig_len = cctsa_cursor_left(&bits)) == 0 ||
	    cctsa_cursor_get_view(&bits, &c->sig, c->sig_len) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: not a DER certificate", what);
	}
	if (!pss_alg_ok(alg_raw, alg_len)) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED,
				  "%s: signature algorithm is not RSASSA-PSS SHA-384/MGF1-SHA-384/salt 48", what);
	}
	/* The algorithm inside the signed part must be the same bytes. */
	{
		const X509_ALGOR *inner = X509_get0_tbs_sigalg(c->x);
		unsigned char *enc = NULL;
		int n = i2d_X509_ALGOR(inner, &enc);
		int same = n > 0 && (size_t)n == alg_len && cctsa_memcmp_var(enc, alg_raw, alg_len) == 0;
		OPENSSL_free(enc);
		if (!same) {
			return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: inner and outer signature algorithms differ",
					  what);
		}
	}
	return CCTSA_OK;
}

static cctsa_err add_der(snp_cert_list *l, const uint8_t *der, size_t len, const char *what,
			 cctsa_diag *diag)
{
	snp_cert *c;
	const unsigned char *p;

	if (l->n == SNP_MAX_CERTS) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: more than %d certificates", what, SNP_MAX_CERTS);
	}
	c = &l->c[l->n];
	memset(c, 0, sizeof(*c));
	c->der = cctsa_mem_dup(der, len);
	if (c->der == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory");
	}
	c->der_len = len;
	l->n++;
	p = c->der;
	c->x = d2i_X509(NULL, &p, (long)len);
	if (c->x == NULL || p != c->der + len) {
		ERR_clear_error();
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: certificate does not parse", what);
	}
	return split_cert(c, what, diag);
}

static int is_pem(const uint8_t *p, size_t n)
{
	static const char tag[] = "-----BEGIN";
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
		i++;
	}
	return n - i >= sizeof(tag) - 1 && cctsa_memcmp_var(p + i, tag, sizeof(tag) - 1) == 0;
}

static cctsa_err load_pem(snp_cert_list *l, const uint8_t *blob, size_t len, const char *what,
			  cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	BIO *bio = len <= (size_t)1 << 20 ? BIO_new_mem_buf(blob, (int)len) : NULL;
	X509 *x = NULL;

	if (bio == NULL) {
		err = cctsa_fail(diag, CCTSA_E_RESOURCE, "%s: cannot read PEM", what);
		goto out;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		unsigned char *der = NULL;
		int n = i2d_X509(x, &der);
		X509_free(x);
		if (n <= 0) {
			err = cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: certificate does not encode", what);
			goto out;
		}
		err = add_der(l, der, (size_t)n, what, diag);
		OPENSSL_free(der);
		CCTSA_TRY(err);
	}
	{
		unsigned long e = ERR_peek_last_error();
		if (l->n == 0 || ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
			err = cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: bad PEM certificate", what);
		}
	}
out:
	ERR_clear_error();
	BIO_free(bio);
	return err;
}

cctsa_err snp_certs_load(snp_cert_list *l, const uint8_t *blob, size_t len, const char *what,
			 cctsa_diag *diag)
{
	cctsa_err err;

	memset(l, 0, sizeof(*l));
	if (blob == NULL || len == 0) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: no certificate given", what);
	}
	err = is_pem(blob, len) ? load_pem(l, blob, len, what, diag) : add_der(l, blob, len, what, diag);
	if (err != CCTSA_OK) {
		snp_certs_free(l);
	}
	return err;
}

void snp_certs_free(snp_cert_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		X509_free(l->c[i].x);
		cctsa_mem_free(l->c[i].der);
	}
	memset(l, 0, sizeof(*l));
}

cctsa_err snp_cert_verify_pss(const snp_cert *c, const snp_cert *issuer, cctsa_diag *diag)
{
	EVP_PKEY *pk = X509_get0_pubkey(issuer->x);
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	int ok = 0;

	if (m != NULL && pk != NULL && EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA &&
	    EVP_DigestVerifyInit(m, &pc, EVP_sha384(), NULL, pk) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 48) == 1 &&
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha384()) == 1) {
		ok = EVP_DigestVerify(m, c->sig, c->sig_len, c->tbs, c->tbs_len) == 1;
	}
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return ok ? CCTSA_OK : cctsa_fail(diag, CCTSA_E_VERIFY, "RSA-PSS signature does not verify");
}

static int asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		return 0;
	}
	*out = (int64_t)timegm(&tm);
	return 1;
}

cctsa_err snp_cert_check_time(const snp_cert *c, int64_t at, const char *what, cctsa_diag *diag)
{
	int64_t nb, na;

	if (!asn1_time_unix(X509_get0_notBefore(c->x), &nb) ||
	    !asn1_time_unix(X509_get0_notAfter(c->x), &na)) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: bad validity time", what);
	}
	if (at < nb || at > na) {
		return cctsa_fail(diag, CCTSA_E_VERIFY, "%s not valid at %lld (valid %lld..%lld)", what,
				  (long long)at, (long long)nb, (long long)na);
	}
	return CCTSA_OK;
}

void snp_cert_cn(const snp_cert *c, int issuer, char *out, size_t cap)
{
	const X509_NAME *n = issuer ? X509_get_issuer_name(c->x) : X509_get_subject_name(c->x);
	int i = X509_NAME_get_index_by_NID(n, NID_commonName, -1);
	const ASN1_STRING *s;
	size_t len;

	out[0] = '\0';
	if (i < 0 || X509_NAME_get_index_by_NID(n, NID_commonName, i) >= 0) {
		return; /* absent, or more than one CN */
	}
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	len = (size_t)ASN1_STRING_length(s);
	if (len >= cap || memchr(ASN1_STRING_get0_data(s), 0, len) != NULL) {
		return;
	}
	memcpy(out, ASN1_STRING_get0_data(s), len);
	out[len] = '\0';
}

int snp_cert_self_issued(const snp_cert *c)
{
	return X509_NAME_cmp(X509_get_subject_name(c->x), X509_get_issuer_name(c->x)) == 0;
}

int snp_cert_issued_by(const snp_cert *child, const snp_cert *parent)
{
	return X509_NAME_cmp(X509_get_issuer_name(child->x), X509_get_subject_name(parent->x)) == 0;
}

cctsa_snp_product snp_pinned_product(const snp_cert *c)
{
	unsigned char *spki = NULL;
	uint8_t h[48];
	unsigned hl = 0;
	char cn[64];
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(c->x), &spki);
	cctsa_snp_product p = CCTSA_SNP_PRODUCT_UNKNOWN;

	if (n > 0 && EVP_Digest(spki, (size_t)n, h, &hl, EVP_sha384(), NULL) == 1 && hl == 48) {
		snp_cert_cn(c, 0, cn, sizeof(cn));
		for (size_t i = 0; i < sizeof(pinned) / sizeof(pinned[0]); i++) {
			if (cctsa_memcmp_var(h, pinned[i].spki_sha384, 48) == 0 && strcmp(cn, pinned[i].cn) == 0) {
				p = pinned[i].product;
			}
		}
	}
	OPENSSL_free(spki);
	return p;
}

cctsa_err snp_cert_rsa_key(const snp_cert *c, int min_bits, const char *what, cctsa_diag *diag)
{
	EVP_PKEY *pk = X509_get0_pubkey(c->x);

	if (pk == NULL || EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA || EVP_PKEY_get_bits(pk) < min_bits) {
		ERR_clear_error();
		return cctsa_fail(diag, CCTSA_E_VERIFY, "%s: key is not RSA of at least %d bits", what, min_bits);
	}
	return CCTSA_OK;
}

cctsa_err snp_cert_is_ca(const snp_cert *c, const char *what, cctsa_diag *diag)
{
	uint32_t ku = X509_get_key_usage(c->x);

	if (X509_check_ca(c->x) != 1 || (ku & KU_KEY_CERT_SIGN) == 0) {
		ERR_clear_error();
		return cctsa_fail(diag, CCTSA_E_VERIFY, "%s: not a CA certificate with keyCertSign", what);
	}
	return CCTSA_OK;
}
