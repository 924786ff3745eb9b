/*
 * The software AMD secure processor: a throw-away ARK -> ASK -> VCEK chain made at
 * start (RSA ARK/ASK signing with RSASSA-PSS SHA-384 salt 48 like AMD's; a P-384
 * VCEK with the AMD TCB and hwID extensions) and reports in the real format. Its
 * names say SIMULATED, its chip id is "CCTSA-SIMULATED-" x 4, and the verifier
 * accepts its root only when the policy allows simulated roots.
 * The VCEK private scalar is kept only in cctsa_secret_alloc memory; OpenSSL holds
 * a copy only for the duration of one signature.
 */
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "attest_int.h"

#define SIM_PUB_LEN 97 /* uncompressed P-384 point */

struct cctsa_snp_sim {
	cctsa_snp_sim_opts o;
	uint8_t *priv; /* 48 bytes, secret memory */
	uint8_t pub[SIM_PUB_LEN];
	uint8_t report_id[32];
	cctsa_buf der[3]; /* VCEK, ASK, ARK */
};

void cctsa_snp_sim_opts_init(cctsa_snp_sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->policy = CCTSA_SNP_POLICY_RESERVED_ONE | CCTSA_SNP_POLICY_SMT;
	o->tcb.bootloader = 4;
	o->tcb.snp = 22;
	o->tcb.microcode = 213;
	o->rsa_bits = 4096;
	o->not_before = (int64_t)time(NULL) - 3600;
}

static int add_name(X509_NAME *n, const char *cn)
{
	return X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_UTF8, (const unsigned char *)"Engineering", -1, -1, 0) &&
	       X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)SNP_SIM_ORG, -1, -1, 0) &&
	       X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
}

static int add_ext_nid(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ok = e != NULL && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok;
}

/* An AMD extension whose extnValue is the given DER bytes. */
static int add_ext_raw(X509 *x, const char *oid, const uint8_t *der, size_t len)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;
	int ok = o != NULL && s != NULL && ASN1_OCTET_STRING_set(s, der, (int)len) &&
		 (e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, s)) != NULL && X509_add_ext(x, e, -1);

	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(s);
	ASN1_OBJECT_free(o);
	return ok;
}

static int add_ext_u8(X509 *x, const char *oid, uint8_t v)
{
	uint8_t der[4] = {0x02, 0x01, v, 0};

	if (v >= 0x80) {
		der[1] = 2;
		der[2] = 0;
		der[3] = v;
	}
	return add_ext_raw(x, oid, der, v >= 0x80 ? 4 : 3);
}

static int vcek_exts(X509 *x, const cctsa_snp_tcb *t, const uint8_t chip[CCTSA_SNP_CHIP_ID_LEN])
{
	uint8_t prod[2 + sizeof(SNP_SIM_PRODUCT) - 1] = {0x16, sizeof(SNP_SIM_PRODUCT) - 1};

	memcpy(prod + 2, SNP_SIM_PRODUCT, sizeof(SNP_SIM_PRODUCT) - 1);
	return add_ext_u8(x, "1.3.6.1.4.1.3704.1.1", 0) &&
	       add_ext_raw(x, "1.3.6.1.4.1.3704.1.2", prod, sizeof(prod)) &&
	       add_ext_u8(x, "1.3.6.1.4.1.3704.1.3.1", t->bootloader) &&
	       add_ext_u8(x, "1.3.6.1.4.1.3704.1.3.2", t->tee) &&
	       add_ext_u8(x, "1.3.6.1.4.1.3704.1.3.3", t->snp) &&
	       add_ext_u8(x, "1.3.6.1.4.1.3704.1.3.8", t->microcode) &&
	       add_ext_raw(x, "1.3.6.1.4.1.3704.1.4", chip, CCTSA_SNP_CHIP_ID_LEN);
}

static int sign_pss(X509 *x, EVP_PKEY *key)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	int ok = m != NULL && EVP_DigestSignInit(m, &pc, EVP_sha384(), NULL, key) == 1 &&
		 EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1 &&
		 EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, 48) == 1 &&
		 EVP_PKEY_CTX_set_rsa_mgf1_md(pc, EVP_sha384()) == 1 && X509_sign_ctx(x, m) > 0;

	EVP_MD_CTX_free(m);
	return ok;
}

typedef struct {
	const char *subject_cn, *issuer_cn;
	EVP_PKEY *pub, *signer;
	long serial;
	int64_t not_before, days;
	int ca;
} cert_spec;

static int make_cert(cctsa_buf *out, const cert_spec *s, const cctsa_snp_sim *sim)
{
	X509 *x = X509_new();
	unsigned char *der = NULL;
	int n = -1;
	int ok = x != NULL && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial) &&
		 add_name(X509_get_subject_name(x), s->subject_cn) &&
		 add_name(X509_get_issuer_name(x), s->issuer_cn) &&
		 ASN1_TIME_set(X509_getm_notBefore(x), (time_t)s->not_before) != NULL &&
		 ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(s->not_before + s->days * 86400)) != NULL &&
		 X509_set_pubkey(x, s->pub);

	if (ok && s->ca) {
		ok = add_ext_nid(x, NID_key_usage, "critical,keyCertSign,cRLSign") &&
		     add_ext_nid(x, NID_subject_key_identifier, "hash") &&
		     add_ext_nid(x, NID_basic_constraints, "critical,CA:TRUE");
	} else if (ok) {
		uint8_t chip[CCTSA_SNP_CHIP_ID_LEN];
		for (size_t i = 0; i < sizeof(chip); i += 16) {
			memcpy(chip + i, CCTSA_SNP_SIM_CHIP_PATTERN, 16);
		}
		ok = vcek_exts(x, &sim->o.tcb, chip);
	}
	ok = ok && sign_pss(x, s->signer) && (n = i2d_X509(x, &der)) > 0 &&
	     cctsa_buf_put(out, der, (size_t)n) == CCTSA_OK;
	OPENSSL_free(der);
	X509_free(x);
	return ok;
}

/* Moves the VCEK's private scalar and public point out of OpenSSL. */
static int export_vcek(cctsa_snp_sim *s, EVP_PKEY *k)
{
	BIGNUM *d = NULL;
	size_t pl = 0;
	int ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
		 BN_bn2binpad(d, s->priv, 48) == 48 &&
		 EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, s->pub, sizeof(s->pub), &pl) == 1 &&
		 pl == SIM_PUB_LEN;

	BN_clear_free(d);
	return ok;
}

static cctsa_err build_chain(cctsa_snp_sim *s, cctsa_diag *diag)
{
	EVP_PKEY *ark = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)s->o.rsa_bits);
	EVP_PKEY *ask = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)s->o.rsa_bits);
	EVP_PKEY *vek = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	cert_spec ark_s = {SNP_SIM_ARK_CN, SNP_SIM_ARK_CN, ark, ark, 0x10000, s->o.not_before, 25 * 365, 1};
	cert_spec ask_s = {SNP_SIM_ASK_CN, SNP_SIM_ARK_CN, ask, ark, 0x10001, s->o.not_before, 25 * 365, 1};
	cert_spec vek_s = {"SEV-VCEK", SNP_SIM_ASK_CN, vek, ask, 0, s->o.not_before, 7 * 365, 0};
	int ok = ark != NULL && ask != NULL && vek != NULL && make_cert(&s->der[2], &ark_s, s) &&
		 make_cert(&s->der[1], &ask_s, s) && make_cert(&s->der[0], &vek_s, s) && export_vcek(s, vek);

	/* The ARK and ASK private keys end here: the simulator only ever signs reports. */
	EVP_PKEY_free(ark);
	EVP_PKEY_free(ask);
	EVP_PKEY_free(vek);
	ERR_clear_error();
	return ok ? CCTSA_OK : cctsa_fail(diag, CCTSA_E_CRYPTO, "simulator: cannot make its certificate chain");
}

cctsa_err cctsa_snp_sim_new(cctsa_snp_sim **out, const cctsa_snp_sim_opts *o, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_snp_sim *s = cctsa_mem_alloc(sizeof(*s));

	*out = NULL;
	if (s == NULL) {
		return cctsa_fail(diag, CCTSA_E_RESOURCE, "out of memory");
	}
	s->o = *o;
	for (int i = 0; i < 3; i++) {
		cctsa_buf_init(&s->der[i], 1 << 16);
	}
	if (o->rsa_bits < 2048 || o->rsa_bits > 8192 || (o->policy & CCTSA_SNP_POLICY_RESERVED_ONE) == 0) {
		err = cctsa_fail(diag, CCTSA_E_USAGE, "simulator: rsa_bits must be 2048..8192, policy bit 17 set");
		goto out;
	}
	s->priv = cctsa_secret_alloc(48);
	if (s->priv == NULL) {
		err = cctsa_fail(diag, CCTSA_E_RESOURCE, "simulator: no locked memory for the VCEK key");
		goto out;
	}
	CCTSA_TRY(cctsa_rand_bytes(s->report_id, sizeof(s->report_id)));
	CCTSA_TRY(build_chain(s, diag));
	*out = s;
	s = NULL;
out:
	cctsa_snp_sim_free(s);
	return err;
}

void cctsa_snp_sim_free(cctsa_snp_sim *s)
{
	if (s == NULL) {
		return;
	}
	cctsa_secret_free(s->priv);
	for (int i = 0; i < 3; i++) {
		cctsa_buf_free(&s->der[i]);
	}
	cctsa_mem_free(s);
}

void cctsa_snp_sim_chain(const cctsa_snp_sim *s, cctsa_snp_chain *out)
{
	out->vek = s->der[0].data;
	out->vek_len = s->der[0].len;
	out->ask = s->der[1].data;
	out->ask_len = s->der[1].len;
	out->ark = s->der[2].data;
	out->ark_len = s->der[2].len;
}

/* A P-384 key rebuilt from the locked scalar for one signature. */
static EVP_PKEY *vcek_key(const cctsa_snp_sim *s)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	BIGNUM *d = BN_secure_new();
	OSSL_PARAM *p = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;

	if (b != NULL && d != NULL && c != NULL && BN_bin2bn(s->priv, 48, d) != NULL &&
	    OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "P-384", 0) &&
	    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d) &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, s->pub, SIM_PUB_LEN) &&
	    (p = OSSL_PARAM_BLD_to_param(b)) != NULL && EVP_PKEY_fromdata_init(c) == 1 &&
	    EVP_PKEY_fromdata(c, &k, EVP_PKEY_KEYPAIR, p) != 1) {
		k = NULL;
	}
	OSSL_PARAM_free(p); /* the secure (BN_secure) part is cleared on free */
	OSSL_PARAM_BLD_free(b);
	BN_clear_free(d);
	EVP_PKEY_CTX_free(c);
	return k;
}

/* ECDSA over bytes 0..0x29F; r and s stored little-endian, zero-extended. */
static cctsa_err sign_report(const cctsa_snp_sim *s, cctsa_snp_report *r, const uint8_t *signed_part)
{
	EVP_PKEY *k = vcek_key(s);
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	uint8_t der[128], be[48];
	size_t dl = sizeof(der);
	const unsigned char *p = der;
	ECDSA_SIG *sig = NULL;
	int ok = k != NULL && m != NULL && EVP_DigestSignInit(m, NULL, EVP_sha384(), NULL, k) == 1 &&
		 EVP_DigestSign(m, der, &dl, signed_part, CCTSA_SNP_SIGNED_LEN) == 1 &&
		 (sig = d2i_ECDSA_SIG(NULL, &p, (long)dl)) != NULL &&
		 BN_bn2binpad(ECDSA_SIG_get0_r(sig), be, 48) == 48;

	for (size_t i = 0; ok && i < 48; i++) {
		r->sig_r[i] = be[47 - i];
	}
	ok = ok && BN_bn2binpad(ECDSA_SIG_get0_s(sig), be, 48) == 48;
	for (size_t i = 0; ok && i < 48; i++) {
		r->sig_s[i] = be[47 - i];
	}
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return ok ? CCTSA_OK : CCTSA_E_CRYPTO;
}

cctsa_err cctsa_snp_sim_report(cctsa_snp_sim *s, uint8_t out[static CCTSA_SNP_REPORT_LEN],
			       const uint8_t report_data[static CCTSA_SNP_REPORT_DATA_LEN], uint32_t vmpl,
			       cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	cctsa_snp_report r;
	uint64_t tcb = cctsa_snp_tcb_join(CCTSA_SNP_PRODUCT_SIM, &s->o.tcb);

	if (vmpl > 3) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "vmpl %u is not 0..3", vmpl);
	}
	memset(&r, 0, sizeof(r));
	r.version = 3;
	r.policy = s->o.policy;
	r.vmpl = vmpl;
	r.sig_algo = CCTSA_SNP_SIG_ALGO_ECDSA_P384_SHA384;
	r.current_tcb = r.reported_tcb = r.committed_tcb = r.launch_tcb = tcb;
	r.platform_info = 1; /* SMT enabled */
	memcpy(r.report_data, report_data, CCTSA_SNP_REPORT_DATA_LEN);
	memcpy(r.measurement, s->o.measurement, CCTSA_SNP_MEASUREMENT_LEN);
	memcpy(r.host_data, s->o.host_data, sizeof(r.host_data));
	memcpy(r.report_id, s->report_id, sizeof(r.report_id));
	memset(r.report_id_ma, 0xff, sizeof(r.report_id_ma));
	r.cpuid_fam_id = 0x19;
	r.cpuid_mod_id = 0x01;
	r.cpuid_step = 1;
	for (size_t i = 0; i < CCTSA_SNP_CHIP_ID_LEN; i += 16) {
		memcpy(r.chip_id + i, CCTSA_SNP_SIM_CHIP_PATTERN, 16);
	}
	r.current_major = r.committed_major = 1;
	r.current_minor = r.committed_minor = 55;
	CCTSA_TRY(cctsa_snp_report_encode(out, &r, diag)); /* signed part first */
	if (sign_report(s, &r, out) != CCTSA_OK) {
		err = cctsa_fail(diag, CCTSA_E_CRYPTO, "simulator: signing failed");
		goto out;
	}
	CCTSA_TRY(cctsa_snp_report_encode(out, &r, diag));
out:
	return err;
}
