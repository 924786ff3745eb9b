/*
 * x509: binding codec (DER, JSON), certificates and CSRs for both algorithms,
 * chain verification with every failure it must catch, truncation and bit-flip
 * sweeps, keys, the real ML-DSA certificates in testdata, and the offline CA.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cctsa/der.h"
#include "cctsa/record.h"
#include "cctsa/sss.h"
#include "cctsa/x509.h"
#include "check.h"

static void sample_binding(cctsa_x509_binding *b)
{
	memset(b, 0, sizeof(*b));
	b->version = 1;
	memcpy(b->platform, "sev-snp", 7);
	for (int i = 0; i < 48; i++) {
		b->measurement[i] = (uint8_t)(i + 1);
		b->transcript_hash[i] = (uint8_t)(0xa0 ^ i);
	}
	b->min_tcb = 0xdb18000000000004ULL;
	b->key_epoch = 0x0102030405060708ULL;
}

static void test_binding(void)
{
	cctsa_x509_binding b, got;
	cctsa_buf der, js;
	cctsa_diag d;
	size_t rejected = 0;

	sample_binding(&b);
	cctsa_buf_init(&der, 0);
	cctsa_buf_init(&js, 0);
	CHECK_OK(cctsa_x509_binding_encode(&der, &b));
	CHECK_OK(cctsa_x509_binding_decode(&got, der.data, der.len, NULL));
	CHECK_OK(cctsa_x509_binding_compare(&b, &got, NULL));
	/* Truncation at every length fails; every bit flip fails or decodes to a different value. */
	for (size_t n = 0; n < der.len; n++) {
		CHECK_ERR(cctsa_x509_binding_decode(&got, der.data, n, NULL), CCTSA_E_MALFORMED);
	}
	for (size_t i = 0; i < der.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			der.data[i] ^= (uint8_t)(1u << bit);
			if (cctsa_x509_binding_decode(&got, der.data, der.len, NULL) != CCTSA_OK) {
				rejected++;
			} else {
				CHECK_ERR(cctsa_x509_binding_compare(&b, &got, NULL), CCTSA_E_VERIFY);
			}
			der.data[i] ^= (uint8_t)(1u << bit);
		}
	}
	CHECK(rejected > 40);
	/* JSON round trip and strictness. */
	CHECK_OK(cctsa_x509_binding_to_json(&js, &b));
	CHECK_OK(cctsa_x509_binding_from_json(&got, (const char *)js.data, js.len, NULL));
	CHECK_OK(cctsa_x509_binding_compare(&b, &got, NULL));
	CHECK(strstr((const char *)js.data, "\"minimum_tcb\":\"db18000000000004\"") != NULL);
	{
		static const char *const bad[] = {
			"{}", "[]", "not json",
			("{\"version\":2,\"platform\":\"sim\",\"launch_measurement\":\"00\",\"minimum_tcb\":\"00\","
			 "\"dkg_transcript_sha384\":\"00\",\"key_epoch\":\"00\"}"),
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK(cctsa_x509_binding_from_json(&got, bad[i], strlen(bad[i]), NULL) != CCTSA_OK);
		}
	}
	{
		char txt[1024];

		/* Unknown key, wrong platform text, short measurement. */
		snprintf(txt, sizeof(txt), "%.*s,\"extra\":1}", (int)js.len - 1, (const char *)js.data);
		cctsa_diag_reset(&d);
		CHECK_ERR(cctsa_x509_binding_from_json(&got, txt, strlen(txt), &d), CCTSA_E_MALFORMED);
		CHECK(strstr(d.msg, "extra") != NULL);
		snprintf(txt, sizeof(txt), "%.*s", (int)js.len, (const char *)js.data);
		memcpy(strstr(txt, "sev-snp"), "SEV-SNP", 7);
		CHECK_ERR(cctsa_x509_binding_from_json(&got, txt, strlen(txt), NULL), CCTSA_E_MALFORMED);
		snprintf(txt, sizeof(txt), "%.*s", (int)js.len, (const char *)js.data);
		memcpy(strstr(txt, "0102030405"), "\"\"", 2);
		CHECK(cctsa_x509_binding_from_json(&got, txt, strlen(txt), NULL) != CCTSA_OK);
	}
	/* compare names the differing field. */
	got = b;
	got.measurement[47] ^= 1;
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_x509_binding_compare(&b, &got, &d), CCTSA_E_VERIFY);
	CHECK(strstr(d.msg, "launch measurement") != NULL);
	got = b;
	memcpy(got.platform, "sim\0\0\0\0", 8);
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_x509_binding_compare(&b, &got, &d), CCTSA_E_VERIFY);
	CHECK(strstr(d.msg, "platform") != NULL);
	got = b;
	memcpy(got.platform, "SIM", 4);
	der.len = 0;
	CHECK_ERR(cctsa_x509_binding_encode(&der, &got), CCTSA_E_USAGE);
	cctsa_buf_free(&der);
	cctsa_buf_free(&js);
}

/* A root (self-signed) and a TSA certificate for one algorithm, kept in memory. */
typedef struct {
	cctsa_x509_key *rk, *tk;
	cctsa_buf root, tsa, rname, tname, binding;
	cctsa_x509_cert rc, tc;
} pki;

static void make_cert(cctsa_buf *out, cctsa_x509_profile prof, cctsa_x509_key *subj, cctsa_x509_key *iss,
		      const cctsa_buf *sname, const cctsa_buf *iname, const cctsa_buf *binding, int64_t nb,
		      int64_t na)
{
	static const uint8_t serial[] = {0x00, 0x42, 0x99};
	cctsa_x509_cert_params p;
	cctsa_signer s, i;
	cctsa_diag d;

	memset(&p, 0, sizeof(p));
	cctsa_x509_key_signer(subj, &s);
	cctsa_x509_key_signer(iss, &i);
	p.profile = prof;
	p.serial = serial;
	p.serial_len = sizeof(serial);
	p.subject = sname->data;
	p.subject_len = sname->len;
	p.issuer = iname->data;
	p.issuer_len = iname->len;
	p.not_before = nb;
	p.not_after = na;
	p.spki = s.spki;
	p.spki_len = s.spki_len;
	p.policies[0] = CCTSA_OID_POLICY_DEFAULT;
	p.binding = binding ? binding->data : NULL;
	p.binding_len = binding ? binding->len : 0;
	cctsa_diag_reset(&d);
	if (cctsa_x509_cert_build(out, &p, &i, &d) != CCTSA_OK) {
		fprintf(stderr, "cert_build: %s\n", d.msg);
		CHECK(0);
	}
}

static void pki_make(pki *k, cctsa_sig_alg alg)
{
	cctsa_x509_binding b;
	int64_t now = (int64_t)time(NULL);

	memset(k, 0, sizeof(*k));
	cctsa_buf_init(&k->root, 0);
	cctsa_buf_init(&k->tsa, 0);
	cctsa_buf_init(&k->rname, 0);
	cctsa_buf_init(&k->tname, 0);
	cctsa_buf_init(&k->binding, 0);
	CHECK_OK(cctsa_x509_key_generate(&k->rk, alg, NULL));
	CHECK_OK(cctsa_x509_key_generate(&k->tk, alg, NULL));
	CHECK_OK(cctsa_x509_name_write(&k->rname, "Test", "Root"));
	CHECK_OK(cctsa_x509_name_write(&k->tname, NULL, "TSA \xc3\xa9"));
	sample_binding(&b);
	CHECK_OK(cctsa_x509_binding_encode(&k->binding, &b));
	make_cert(&k->root, CCTSA_X509_PROFILE_ROOT, k->rk, k->rk, &k->rname, &k->rname, NULL, now - 100,
		  now + 86400 * 30);
	make_cert(&k->tsa, CCTSA_X509_PROFILE_TSA, k->tk, k->rk, &k->tname, &k->rname, &k->binding, now - 50,
		  now + 86400);
	CHECK_OK(cctsa_x509_cert_parse(&k->rc, k->root.data, k->root.len, NULL));
	CHECK_OK(cctsa_x509_cert_parse(&k->tc, k->tsa.data, k->tsa.len, NULL));
}

static void pki_free(pki *k)
{
	cctsa_x509_key_free(k->rk);
	cctsa_x509_key_free(k->tk);
	cctsa_buf_free(&k->root);
	cctsa_buf_free(&k->tsa);
	cctsa_buf_free(&k->rname);
	cctsa_buf_free(&k->tname);
	cctsa_buf_free(&k->binding);
}

static void check_chain_fails(const cctsa_x509_cert *leaf, const cctsa_x509_cert *root, int64_t at,
			      unsigned purpose, const char *needle)
{
	cctsa_diag d;
	cctsa_err err;

	cctsa_diag_reset(&d);
	err = cctsa_x509_chain_verify(leaf, NULL, 0, root, at, purpose, &d);
	if (err == CCTSA_OK || strstr(d.msg, needle) == NULL) {
		fprintf(stderr, "expected failure with \"%s\", got %s: %s\n", needle, cctsa_err_name(err), d.msg);
		CHECK(0);
	}
}

static void test_pki(cctsa_sig_alg alg)
{
	pki k, other;
	int64_t now = (int64_t)time(NULL);
	cctsa_x509_binding b, want;

	pki_make(&k, alg);
	CHECK(k.tc.sig_alg == alg && k.tc.key_alg == alg && k.rc.is_ca && !k.tc.is_ca);
	CHECK(k.tc.has_eku && k.tc.eku_critical && k.tc.eku_ts && k.tc.eku_n == 1);
	CHECK(k.tc.has_ku && k.tc.ku == CCTSA_X509_KU_DIGITAL_SIGNATURE);
	CHECK(k.rc.ku == (CCTSA_X509_KU_KEY_CERT_SIGN | CCTSA_X509_KU_CRL_SIGN));
	CHECK(cctsa_x509_cert_has_policy(&k.tc, CCTSA_OID_POLICY_DEFAULT));
	CHECK(!cctsa_x509_cert_has_policy(&k.tc, CCTSA_OID_POLICY_PQ));
	CHECK(k.tc.serial_len == 2 && k.tc.serial[0] == 0x42);
	CHECK(k.tc.aki_len == 20 && k.rc.ski_len == 20 && memcmp(k.tc.aki, k.rc.ski, 20) == 0);
	CHECK_OK(cctsa_x509_binding_decode(&b, k.tc.binding, k.tc.binding_len, NULL));
	sample_binding(&want);
	CHECK_OK(cctsa_x509_binding_compare(&want, &b, NULL));
	CHECK_OK(cctsa_x509_chain_verify(&k.tc, NULL, 0, &k.rc, now, CCTSA_X509_PURPOSE_TSA, NULL));
	/* Time, purpose, CA flag, wrong root, tampered signature. */
	check_chain_fails(&k.tc, &k.rc, now + 2 * 86400, CCTSA_X509_PURPOSE_TSA, "expired");
	check_chain_fails(&k.tc, &k.rc, now - 75, CCTSA_X509_PURPOSE_TSA, "not yet valid");
	check_chain_fails(&k.rc, &k.rc, now, CCTSA_X509_PURPOSE_TSA, "extendedKeyUsage");
	check_chain_fails(&k.rc, &k.tc, now, CCTSA_X509_PURPOSE_ANY, "not a CA");
	pki_make(&other, alg);
	check_chain_fails(&k.tc, &other.rc, now, CCTSA_X509_PURPOSE_TSA, "does not");
	pki_free(&other);
	{
		cctsa_x509_cert t = k.tc;
		uint8_t *sig = cctsa_mem_dup(t.sig, t.sig_len);

		sig[t.sig_len / 2] ^= 0x10;
		t.sig = sig;
		check_chain_fails(&t, &k.rc, now, CCTSA_X509_PURPOSE_TSA, "does not verify");
		cctsa_mem_free(sig);
	}
	pki_free(&k);
}

/* ECDSA TSA under an ML-DSA root and the reverse: refused. */
static void test_cross(void)
{
	pki e, m;
	int64_t now = (int64_t)time(NULL);

	pki_make(&e, CCTSA_SIG_ECDSA_P384_SHA384);
	pki_make(&m, CCTSA_SIG_MLDSA65);
	check_chain_fails(&e.tc, &m.rc, now, CCTSA_X509_PURPOSE_TSA, "does not match");
	check_chain_fails(&m.tc, &e.rc, now, CCTSA_X509_PURPOSE_TSA, "does not match");
	pki_free(&e);
	pki_free(&m);
}

/* root -> intermediate CA -> TSA leaf: verifies only with the intermediate in place. */
static void test_intermediate(void)
{
	pki k;
	cctsa_x509_key *ik;
	cctsa_buf iname, ider, lder;
	cctsa_x509_cert ic, lc;
	int64_t now = (int64_t)time(NULL);

	pki_make(&k, CCTSA_SIG_ECDSA_P384_SHA384);
	cctsa_buf_init(&iname, 0);
	cctsa_buf_init(&ider, 0);
	cctsa_buf_init(&lder, 0);
	CHECK_OK(cctsa_x509_key_generate(&ik, CCTSA_SIG_ECDSA_P384_SHA384, NULL));
	CHECK_OK(cctsa_x509_name_write(&iname, "Test", "Intermediate"));
	make_cert(&ider, CCTSA_X509_PROFILE_ROOT, ik, k.rk, &iname, &k.rname, NULL, now - 100, now + 86400);
	make_cert(&lder, CCTSA_X509_PROFILE_TSA, k.tk, ik, &k.tname, &iname, &k.binding, now - 100, now + 86400);
	CHECK_OK(cctsa_x509_cert_parse(&ic, ider.data, ider.len, NULL));
	CHECK_OK(cctsa_x509_cert_parse(&lc, lder.data, lder.len, NULL));
	CHECK_OK(cctsa_x509_chain_verify(&lc, &ic, 1, &k.rc, now, CCTSA_X509_PURPOSE_TSA, NULL));
	check_chain_fails(&lc, &k.rc, now, CCTSA_X509_PURPOSE_TSA, "issuer does not match");
	CHECK_ERR(cctsa_x509_chain_verify(&lc, &ic, 1, &ic, now, CCTSA_X509_PURPOSE_TSA, NULL), CCTSA_E_VERIFY);
	CHECK_ERR(cctsa_x509_chain_verify(&lc, &k.tc, 1, &k.rc, now, CCTSA_X509_PURPOSE_TSA, NULL), CCTSA_E_VERIFY);
	cctsa_x509_key_free(ik);
	cctsa_buf_free(&iname);
	cctsa_buf_free(&ider);
	cctsa_buf_free(&lder);
	pki_free(&k);
}

/* Every truncation of a certificate fails to parse; every bit flip fails parse or verification. */
static void test_cert_sweeps(void)
{
	pki k;
	int64_t now = (int64_t)time(NULL);
	size_t parse_fail = 0, verify_fail = 0;
	uint8_t *c;

	pki_make(&k, CCTSA_SIG_ECDSA_P384_SHA384);
	c = cctsa_mem_dup(k.tsa.data, k.tsa.len);
	for (size_t n = 0; n < k.tsa.len; n++) {
		cctsa_x509_cert t;

		CHECK_ERR(cctsa_x509_cert_parse(&t, c, n, NULL), CCTSA_E_MALFORMED);
	}
	for (size_t i = 0; i < k.tsa.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			cctsa_x509_cert t;

			c[i] ^= (uint8_t)(1u << bit);
			if (cctsa_x509_cert_parse(&t, c, k.tsa.len, NULL) != CCTSA_OK) {
				parse_fail++;
			} else {
				CHECK(cctsa_x509_chain_verify(&t, NULL, 0, &k.rc, now, CCTSA_X509_PURPOSE_TSA, NULL) !=
				      CCTSA_OK);
				verify_fail++;
			}
			c[i] ^= (uint8_t)(1u << bit);
		}
	}
	fprintf(stderr, "x509: %zu-byte ECDSA TSA certificate: %zu flips rejected by the parser, %zu by verification\n",
		k.tsa.len, parse_fail, verify_fail);
	CHECK(parse_fail > 0 && verify_fail > 0);
	cctsa_mem_free(c);
	pki_free(&k);
	/* ML-DSA-65: one bit flipped in every 11th byte (sampled: each check costs a verification). */
	pki_make(&k, CCTSA_SIG_MLDSA65);
	c = cctsa_mem_dup(k.tsa.data, k.tsa.len);
	parse_fail = verify_fail = 0;
	for (size_t i = 0; i < k.tsa.len; i += 11) {
		cctsa_x509_cert t;

		c[i] ^= (uint8_t)(1u << (i % 8));
		if (cctsa_x509_cert_parse(&t, c, k.tsa.len, NULL) != CCTSA_OK) {
			parse_fail++;
		} else {
			CHECK(cctsa_x509_chain_verify(&t, NULL, 0, &k.rc, now, CCTSA_X509_PURPOSE_TSA, NULL) != CCTSA_OK);
			verify_fail++;
		}
		c[i] ^= (uint8_t)(1u << (i % 8));
	}
	fprintf(stderr, "x509: %zu-byte ML-DSA TSA certificate: %zu sampled flips rejected by the parser, %zu by verification\n",
		k.tsa.len, parse_fail, verify_fail);
	CHECK(verify_fail > 400);
	cctsa_mem_free(c);
	pki_free(&k);
}

static void test_csr(cctsa_sig_alg alg)
{
	static const char *const pol[] = {CCTSA_OID_POLICY_PQ, CCTSA_OID_POLICY_DEFAULT, NULL};
	cctsa_x509_key *key;
	cctsa_signer s;
	cctsa_buf name, bind, der;
	cctsa_x509_binding b;
	cctsa_x509_csr r;
	cctsa_x509_cert tmp;

	cctsa_buf_init(&name, 0);
	cctsa_buf_init(&bind, 0);
	cctsa_buf_init(&der, 0);
	CHECK_OK(cctsa_x509_key_generate(&key, alg, NULL));
	cctsa_x509_key_signer(key, &s);
	CHECK_OK(cctsa_x509_name_write(&name, "Org", "CSR"));
	sample_binding(&b);
	CHECK_OK(cctsa_x509_binding_encode(&bind, &b));
	CHECK_OK(cctsa_x509_csr_build(&der, name.data, name.len, pol, bind.data, bind.len, &s, NULL));
	CHECK_OK(cctsa_x509_csr_parse(&r, der.data, der.len, NULL));
	CHECK_OK(cctsa_x509_csr_verify(&r, NULL));
	CHECK(r.key_alg == alg && r.sig_alg == alg && r.binding_len == bind.len);
	CHECK(memcmp(r.binding, bind.data, bind.len) == 0 && r.policies != NULL);
	memset(&tmp, 0, sizeof(tmp));
	tmp.policies = r.policies;
	tmp.policies_len = r.policies_len;
	CHECK(cctsa_x509_cert_has_policy(&tmp, CCTSA_OID_POLICY_PQ));
	for (size_t n = 0; n < der.len; n += (alg == CCTSA_SIG_MLDSA65 ? 7 : 1)) {
		CHECK_ERR(cctsa_x509_csr_parse(&r, der.data, n, NULL), CCTSA_E_MALFORMED);
	}
	/* A changed byte in the signed info or signature: parse fails or the self-signature does. */
	for (size_t i = 0; i < der.len; i += (alg == CCTSA_SIG_MLDSA65 ? 97 : 3)) {
		der.data[i] ^= 0x04;
		if (cctsa_x509_csr_parse(&r, der.data, der.len, NULL) == CCTSA_OK) {
			CHECK(cctsa_x509_csr_verify(&r, NULL) != CCTSA_OK);
		}
		der.data[i] ^= 0x04;
	}
	cctsa_x509_key_free(key);
	cctsa_buf_free(&name);
	cctsa_buf_free(&bind);
	cctsa_buf_free(&der);
}

static void test_keys(cctsa_sig_alg alg)
{
	cctsa_x509_key *k, *k2, *k3;
	cctsa_signer s, s2, s3;
	cctsa_buf pem;
	uint8_t sec[CCTSA_X509_KEY_SECRET_MAX];
	size_t n;

	cctsa_buf_init(&pem, 0);
	CHECK_OK(cctsa_x509_key_generate(&k, alg, NULL));
	CHECK_OK(cctsa_x509_key_to_pem(k, &pem, NULL));
	CHECK(strstr((const char *)pem.data, "-----BEGIN PRIVATE KEY-----") != NULL);
	CHECK_OK(cctsa_x509_key_from_pem(&k2, pem.data, pem.len, NULL));
	CHECK_OK(cctsa_x509_key_secret(k, sec, sizeof(sec), &n));
	CHECK(n == (alg == CCTSA_SIG_MLDSA65 ? 32u : 48u));
	CHECK_OK(cctsa_x509_key_from_secret(&k3, alg, sec, n, NULL));
	cctsa_x509_key_signer(k, &s);
	cctsa_x509_key_signer(k2, &s2);
	cctsa_x509_key_signer(k3, &s3);
	CHECK(s.spki_len == s2.spki_len && s.spki_len == s3.spki_len);
	CHECK_MEMEQ(s.spki, s2.spki, s.spki_len);
	CHECK_MEMEQ(s.spki, s3.spki, s.spki_len);
	/* A signature by the reloaded key verifies under the original public key. */
	{
		cctsa_buf sig;
		static const uint8_t msg[] = "message";

		cctsa_buf_init(&sig, 0);
		CHECK_OK(s3.sign(s3.ctx, &sig, msg, sizeof(msg), NULL));
		CHECK_OK(cctsa_x509_sig_verify(alg, s.spki, s.spki_len, msg, sizeof(msg), sig.data, sig.len, NULL));
		CHECK_ERR(cctsa_x509_sig_verify(alg, s.spki, s.spki_len, msg, sizeof(msg) - 1, sig.data, sig.len, NULL),
			  CCTSA_E_VERIFY);
		cctsa_buf_free(&sig);
	}
	cctsa_x509_key_free(k3);
	if (alg == CCTSA_SIG_ECDSA_P384_SHA384) {
		memset(sec, 0xff, 48); /* >= n */
		CHECK_ERR(cctsa_x509_key_from_secret(&k3, alg, sec, 48, NULL), CCTSA_E_MALFORMED);
		memset(sec, 0, 48);
		CHECK_ERR(cctsa_x509_key_from_secret(&k3, alg, sec, 48, NULL), CCTSA_E_MALFORMED);
	}
	CHECK_ERR(cctsa_x509_key_from_secret(&k3, alg, sec, 31, NULL), CCTSA_E_MALFORMED);
	pem.data[pem.len / 2] = '!';
	CHECK_ERR(cctsa_x509_key_from_pem(&k3, pem.data, pem.len, NULL), CCTSA_E_MALFORMED);
	cctsa_wipe(sec, sizeof(sec));
	cctsa_x509_key_free(k);
	cctsa_x509_key_free(k2);
	cctsa_buf_free(&pem);
}

/* The real ML-DSA certificates of testdata/rfc3161/mldsa-cms-x509 (README: self-signatures OK). */
static void test_real_mldsa(void)
{
	static const struct {
		const char *path;
		cctsa_sig_alg alg;
	} files[] = {
		{"rfc3161/mldsa-cms-x509/lamps-dilithium-certificates/ML-DSA-44.crt", CCTSA_SIG_MLDSA44},
		{"rfc3161/mldsa-cms-x509/lamps-dilithium-certificates/ML-DSA-65.crt", CCTSA_SIG_MLDSA65},
		{"rfc3161/mldsa-cms-x509/lamps-dilithium-certificates/ML-DSA-87.crt", CCTSA_SIG_MLDSA87},
		{"rfc3161/mldsa-cms-x509/pqc-hackathon-ossl35/ml-dsa-65-2.16.840.1.101.3.4.3.18_ta.der",
		 CCTSA_SIG_MLDSA65},
		{"rfc3161/mldsa-cms-x509/pqc-hackathon-bc/ml-dsa-65-2.16.840.1.101.3.4.3.18_ta.der", CCTSA_SIG_MLDSA65},
		{"rfc3161/mldsa-cms-x509/pqc-hackathon-ossl35/cms_ta.der", CCTSA_SIG_MLDSA44},
		{"rfc3161/mldsa-cms-x509/pqc-hackathon-bc/cms_ta.der", CCTSA_SIG_MLDSA44},
		{"rfc3161/mldsa-cms-x509/pqc-hackathon-cryptonext-composite/cms_ta.der", CCTSA_SIG_MLDSA44},
	};
	size_t ok = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[1024];
		cctsa_buf raw, der;
		cctsa_x509_cert c;
		cctsa_diag d;
		uint8_t *bad;

		cctsa_buf_init(&der, 0);
		cctsa_diag_reset(&d);
		CHECK_OK(cctsa_file_read(&raw, check_testdata(path, sizeof(path), files[i].path), 1 << 20, NULL));
		CHECK_OK(cctsa_x509_pem_to_der(&der, "CERTIFICATE", raw.data, raw.len, NULL));
		if (cctsa_x509_cert_parse(&c, der.data, der.len, &d) != CCTSA_OK) {
			fprintf(stderr, "%s: %s\n", files[i].path, d.msg);
			CHECK(0);
		}
		CHECK(c.sig_alg == files[i].alg && c.key_alg == files[i].alg);
		CHECK_OK(cctsa_x509_cert_check_signed_by(&c, &c, NULL));
		bad = cctsa_mem_dup(c.sig, c.sig_len);
		bad[10] ^= 1;
		c.sig = bad;
		CHECK_ERR(cctsa_x509_cert_check_signed_by(&c, &c, NULL), CCTSA_E_VERIFY);
		cctsa_mem_free(bad);
		cctsa_buf_free(&raw);
		cctsa_buf_free(&der);
		ok++;
	}
	fprintf(stderr, "x509: %zu real ML-DSA certificates parsed and self-verified\n", ok);
	{
		/* Composite ML-DSA-65 + ECDSA (not ours): parses, algorithm reported as unsupported. */
		char path[1024];
		cctsa_buf raw;
		cctsa_x509_cert c;

		CHECK_OK(cctsa_file_read(&raw,
					 check_testdata(path, sizeof(path),
							"rfc3161/mldsa-cms-x509/pqc-hackathon-cryptonext-composite/"
							"id-MLDSA65-ECDSA-P384-SHA512-1.3.6.1.5.5.7.6.46_ta.der"),
					 1 << 20, NULL));
		CHECK_OK(cctsa_x509_cert_parse(&c, raw.data, raw.len, NULL));
		CHECK(c.sig_alg == CCTSA_SIG_NONE && c.key_alg == CCTSA_SIG_NONE);
		CHECK_ERR(cctsa_x509_cert_check_signed_by(&c, &c, NULL), CCTSA_E_UNSUPPORTED);
		cctsa_buf_free(&raw);
	}
}

/* The n-th (0-based) certificate of a PEM file (or the DER file itself) into der. */
static void load_cert(cctsa_buf *der, const char *rel, int n)
{
	char path[1024];
	cctsa_buf raw;
	const char *p;

	CHECK_OK(cctsa_file_read(&raw, check_testdata(path, sizeof(path), rel), 1 << 20, NULL));
	CHECK_OK(cctsa_buf_put_u8(&raw, 0));
	p = (const char *)raw.data;
	if (raw.data[0] != 0x30) {
		for (int i = 0; i <= n; i++) {
			p = strstr(i == 0 ? p : p + 1, "-----BEGIN CERTIFICATE-----");
			CHECK(p != NULL);
		}
	}
	cctsa_buf_init(der, 0);
	CHECK_OK(cctsa_x509_pem_to_der(der, "CERTIFICATE", (const uint8_t *)p,
				       raw.len - 1 - (size_t)(p - (const char *)raw.data), NULL));
	cctsa_buf_free(&raw);
}

/*
 * Real classical certificates: the Sigstore staging TSA chain (ECDSA P-384 root ->
 * P-384 TSA leaf, critical EKU timeStamping) verifies with our verifier at the
 * token's genTime, and not after its expiry or under another root; RSA and P-256
 * certificates parse (algorithms reported as not ours).
 */
static void test_real_classic(void)
{
	static const struct {
		const char *path;
		int n;
	} others[] = {
		{"rfc3161/real-tsa/ietf-cms-fixtures/DigiCert_Assured_ID_Root_CA.pem", 0},
		{"rfc3161/real-tsa/globalsign-digitorus/GlobalSign_Root_CA_-_R3.pem", 0},
		{"rfc3161/real-tsa/identrust/IdenTrust_Commercial_Root_CA_1.der", 0},
		{"rfc3161/local-test-tsa/ts_chain.pem", 0},
		{"rfc3161/local-test-tsa/ts_chain.pem", 1},
		{"rfc3161/local-test-tsa/ts_chain.pem", 2},
		{"rfc3161/negative/sigstore-mock-ts_chain.pem", 0},
		{"rfc3161/negative/sigstore-mock-ts_chain.pem", 1},
	};
	cctsa_buf ld, rd, od;
	cctsa_x509_cert leaf, root, other;
	const int64_t gentime = 1746791935; /* 2025-05-09 11:58:55Z */
	cctsa_diag d;

	load_cert(&ld, "rfc3161/real-tsa/sigstage/ts_chain.pem", 0);
	load_cert(&rd, "rfc3161/real-tsa/sigstage/ts_chain.pem", 1);
	CHECK_OK(cctsa_x509_cert_parse(&leaf, ld.data, ld.len, NULL));
	CHECK_OK(cctsa_x509_cert_parse(&root, rd.data, rd.len, NULL));
	CHECK(leaf.sig_alg == CCTSA_SIG_ECDSA_P384_SHA384 && leaf.key_alg == CCTSA_SIG_ECDSA_P384_SHA384);
	CHECK(root.is_ca && root.path_len == 0 && leaf.eku_critical && leaf.eku_ts);
	cctsa_diag_reset(&d);
	if (cctsa_x509_chain_verify(&leaf, NULL, 0, &root, gentime, CCTSA_X509_PURPOSE_TSA, &d) != CCTSA_OK) {
		fprintf(stderr, "sigstage chain: %s\n", d.msg);
		CHECK(0);
	}
	check_chain_fails(&leaf, &root, INT64_C(2082758400), CCTSA_X509_PURPOSE_TSA, "expired"); /* 2036 */
	check_chain_fails(&root, &leaf, gentime, CCTSA_X509_PURPOSE_ANY, "not a CA");
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		cctsa_diag_reset(&d);
		load_cert(&od, others[i].path, others[i].n);
		if (cctsa_x509_cert_parse(&other, od.data, od.len, &d) != CCTSA_OK) {
			fprintf(stderr, "%s #%d: %s\n", others[i].path, others[i].n, d.msg);
			CHECK(0);
		}
		CHECK(other.key_alg == CCTSA_SIG_NONE);
		CHECK_ERR(cctsa_x509_chain_verify(&leaf, NULL, 0, &other, gentime, CCTSA_X509_PURPOSE_TSA, NULL),
			  CCTSA_E_VERIFY);
		cctsa_buf_free(&od);
	}
	fprintf(stderr, "x509: sigstage P-384 TSA chain verified; %zu RSA/P-256 certificates parsed\n",
		sizeof(others) / sizeof(others[0]));
	cctsa_buf_free(&ld);
	cctsa_buf_free(&rd);
}

static void test_misc(void)
{
	cctsa_buf b;
	cctsa_x509_cert c;
	cctsa_diag d;
	static const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};

	cctsa_buf_init(&b, 0);
	CHECK_ERR(cctsa_x509_name_write(&b, NULL, ""), CCTSA_E_USAGE);
	b.len = 0;
	CHECK_OK(cctsa_x509_name_write(&b, "O", "A B"));
	CHECK(b.data[0] == 0x30 && b.data[b.len - 5] == CCTSA_DER_PRINTABLE_STRING);
	cctsa_diag_reset(&d);
	CHECK_ERR(cctsa_x509_cert_parse(&c, junk, sizeof(junk), &d), CCTSA_E_MALFORMED);
	CHECK(d.msg[0] != '\0');
	b.len = 0;
	CHECK_ERR(cctsa_x509_pem_to_der(&b, "CERTIFICATE", (const uint8_t *)"hello", 5, NULL), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_x509_sig_verify(CCTSA_SIG_NONE, junk, sizeof(junk), junk, 1, junk, 1, NULL),
		  CCTSA_E_UNSUPPORTED);
	cctsa_buf_free(&b);
}

/* Fails unless no file under dir (recursively) is or contains a private key. */
static void check_no_private_key(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	CHECK(d != NULL);
	while ((e = readdir(d)) != NULL) {
		char path[2048];
		struct stat st;
		cctsa_buf b;
		cctsa_x509_key *k = NULL;

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		CHECK(stat(path, &st) == 0);
		if (S_ISDIR(st.st_mode)) {
			check_no_private_key(path);
			continue;
		}
		CHECK_OK(cctsa_file_read(&b, path, 1 << 24, NULL));
		CHECK_OK(cctsa_buf_put_u8(&b, 0));
		CHECK(strstr((const char *)b.data, "PRIVATE KEY") == NULL);
		CHECK(cctsa_x509_key_from_pem(&k, b.data, b.len - 1, NULL) != CCTSA_OK && k == NULL);
		cctsa_buf_free(&b);
	}
	closedir(d);
}

static void make_csr(cctsa_buf *out, cctsa_sig_alg alg, int with_binding)
{
	static const char *const pol[] = {CCTSA_OID_POLICY_DEFAULT, NULL};
	cctsa_x509_key *key;
	cctsa_signer s;
	cctsa_buf name, bind;
	cctsa_x509_binding b;

	cctsa_buf_init(&name, 0);
	cctsa_buf_init(&bind, 0);
	CHECK_OK(cctsa_x509_key_generate(&key, alg, NULL));
	cctsa_x509_key_signer(key, &s);
	CHECK_OK(cctsa_x509_name_write(&name, "Org", "TSA"));
	sample_binding(&b);
	CHECK_OK(cctsa_x509_binding_encode(&bind, &b));
	CHECK_OK(cctsa_x509_csr_build(out, name.data, name.len, pol, with_binding ? bind.data : NULL, bind.len, &s,
				      NULL));
	cctsa_x509_key_free(key);
	cctsa_buf_free(&name);
	cctsa_buf_free(&bind);
}

static void check_issue(const char *dir, const cctsa_buf *csr, const char *const *sh, size_t n, cctsa_err want,
			const char *needle)
{
	cctsa_buf cert;
	cctsa_diag d;
	cctsa_err err;

	cctsa_buf_init(&cert, 0);
	cctsa_diag_reset(&d);
	err = cctsa_x509_ca_issue(&cert, dir, csr->data, csr->len, sh, n, 30, "test", &d);
	if (err != want || (needle != NULL && strstr(d.msg, needle) == NULL)) {
		fprintf(stderr, "ca_issue: %s (%s), expected %s with \"%s\"\n", cctsa_err_name(err), d.msg,
			cctsa_err_name(want), needle ? needle : "");
		CHECK(0);
	}
	if (err == CCTSA_OK) {
		char rp[2048];
		cctsa_buf rpem, rder;
		cctsa_x509_cert leaf, root;
		cctsa_x509_binding got, exp;

		CHECK_OK(cctsa_x509_cert_parse(&leaf, cert.data, cert.len, NULL));
		snprintf(rp, sizeof(rp), "%s/%s", dir,
			 leaf.sig_alg == CCTSA_SIG_MLDSA65 ? "root-mldsa.pem" : "root-ecdsa.pem");
		cctsa_buf_init(&rder, 0);
		CHECK_OK(cctsa_file_read(&rpem, rp, 1 << 20, NULL));
		CHECK_OK(cctsa_x509_pem_to_der(&rder, "CERTIFICATE", rpem.data, rpem.len, NULL));
		CHECK_OK(cctsa_x509_cert_parse(&root, rder.data, rder.len, NULL));
		CHECK_OK(cctsa_x509_chain_verify(&leaf, NULL, 0, &root, (int64_t)time(NULL), CCTSA_X509_PURPOSE_TSA, NULL));
		CHECK_OK(cctsa_x509_binding_decode(&got, leaf.binding, leaf.binding_len, NULL));
		sample_binding(&exp);
		CHECK_OK(cctsa_x509_binding_compare(&exp, &got, NULL));
		CHECK(cctsa_x509_cert_has_policy(&leaf, CCTSA_OID_POLICY_DEFAULT));
		CHECK(leaf.not_after - leaf.not_before <= 30 * 86400 + 300);
		cctsa_buf_free(&rpem);
		cctsa_buf_free(&rder);
	}
	cctsa_buf_free(&cert);
}

static void test_ca(void)
{
	char tmpl[] = "/tmp/cctsa-x509-ca-XXXXXX", dir[256], dir2[256], sp[5][300], other[300];
	const char *sh[6];
	cctsa_x509_ca_init_opts o;
	cctsa_buf ecsr, mcsr, nobind;
	size_t subsets = 0;

	CHECK(mkdtemp(tmpl) != NULL);
	snprintf(dir, sizeof(dir), "%s/ca", tmpl);
	snprintf(dir2, sizeof(dir2), "%s/ca2", tmpl);
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.custodians = 5;
	o.threshold = 3;
	o.version = "test";
	CHECK_OK(cctsa_x509_ca_init(&o, NULL));
	CHECK_ERR(cctsa_x509_ca_init(&o, NULL), CCTSA_E_STATE); /* not empty */
	o.dir = dir2;
	o.threshold = 6;
	CHECK_ERR(cctsa_x509_ca_init(&o, NULL), CCTSA_E_USAGE);
	o.threshold = 3;
	CHECK_OK(cctsa_x509_ca_init(&o, NULL));
	check_no_private_key(dir);
	for (int i = 0; i < 5; i++) {
		snprintf(sp[i], sizeof(sp[i]), "%s/shards/custodian-%d.shard", dir, i + 1);
	}
	snprintf(other, sizeof(other), "%s/shards/custodian-4.shard", dir2);
	cctsa_buf_init(&ecsr, 0);
	cctsa_buf_init(&mcsr, 0);
	cctsa_buf_init(&nobind, 0);
	make_csr(&ecsr, CCTSA_SIG_ECDSA_P384_SHA384, 1);
	make_csr(&mcsr, CCTSA_SIG_MLDSA65, 1);
	make_csr(&nobind, CCTSA_SIG_ECDSA_P384_SHA384, 0);
	/* Every 3-subset of the 5 shards issues (ECDSA); ML-DSA with two subsets. */
	for (int a = 0; a < 5; a++) {
		for (int b = a + 1; b < 5; b++) {
			for (int c = b + 1; c < 5; c++) {
				sh[0] = sp[a], sh[1] = sp[b], sh[2] = sp[c];
				check_issue(dir, &ecsr, sh, 3, CCTSA_OK, NULL);
				subsets++;
			}
		}
	}
	CHECK(subsets == 10);
	sh[0] = sp[4], sh[1] = sp[0], sh[2] = sp[2], sh[3] = sp[1];
	check_issue(dir, &mcsr, sh, 4, CCTSA_OK, NULL);
	/* Too few, foreign, duplicated shards; a CSR without binding; a forged CSR. */
	check_issue(dir, &mcsr, sh, 2, CCTSA_E_STATE, "3 are needed");
	sh[2] = other;
	check_issue(dir, &ecsr, sh, 3, CCTSA_E_VERIFY, "another CA");
	sh[2] = sp[0];
	check_issue(dir, &ecsr, sh, 3, CCTSA_E_MALFORMED, NULL);
	sh[0] = sp[0], sh[1] = sp[1], sh[2] = sp[2];
	check_issue(dir, &nobind, sh, 3, CCTSA_E_MALFORMED, "binding");
	ecsr.data[ecsr.len - 5] ^= 1;
	check_issue(dir, &ecsr, sh, 3, CCTSA_E_VERIFY, "does not verify");
	check_no_private_key(dir);
	{
		cctsa_audit_result res;

		snprintf(other, sizeof(other), "%s/issuance.log", dir);
		CHECK_OK(cctsa_audit_verify_file(&res, other, NULL, NULL));
		CHECK(res.records == 11);
	}
	cctsa_buf_free(&ecsr);
	cctsa_buf_free(&mcsr);
	cctsa_buf_free(&nobind);
}

int main(void)
{
	test_binding();
	test_misc();
	test_keys(CCTSA_SIG_ECDSA_P384_SHA384);
	test_keys(CCTSA_SIG_MLDSA65);
	test_pki(CCTSA_SIG_ECDSA_P384_SHA384);
	test_pki(CCTSA_SIG_MLDSA65);
	test_cross();
	test_intermediate();
	test_csr(CCTSA_SIG_ECDSA_P384_SHA384);
	test_csr(CCTSA_SIG_MLDSA65);
	test_cert_sweeps();
	test_real_mldsa();
	test_real_classic();
	test_ca();
	fprintf(stderr, "x509_test: ok\n");
	return 0;
}
