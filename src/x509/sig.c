/* x509: algorithm identifiers, SubjectPublicKeyInfo, signature verification. */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "cctsa/mldsa.h"
#include "x509/x509_int.h"

const char *cctsa_x509_alg_oid(cctsa_sig_alg alg)
{
	switch (alg) {
	case CCTSA_SIG_ECDSA_P384_SHA384:
		return CCTSA_OID_ECDSA_SHA384;
	case CCTSA_SIG_MLDSA44:
		return CCTSA_OID_MLDSA44;
	case CCTSA_SIG_MLDSA65:
		return CCTSA_OID_MLDSA65;
	case CCTSA_SIG_MLDSA87:
		return CCTSA_OID_MLDSA87;
	default:
		return NULL;
	}
}

cctsa_sig_alg cctsa_x509_alg_from_oid(const uint8_t *oid, size_t len)
{
	static const cctsa_sig_alg algs[] = {CCTSA_SIG_ECDSA_P384_SHA384, CCTSA_SIG_MLDSA44, CCTSA_SIG_MLDSA65,
					     CCTSA_SIG_MLDSA87};

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (cctsa_der_oid_is(oid, len, cctsa_x509_alg_oid(algs[i]))) {
			return algs[i];
		}
	}
	return CCTSA_SIG_NONE;
}

cctsa_err cctsa_x509_put_sig_alg(cctsa_buf *out, cctsa_sig_alg alg)
{
	const char *oid = cctsa_x509_alg_oid(alg);
	cctsa_err err = CCTSA_OK;
	size_t m;

	if (oid == NULL) {
		return CCTSA_E_USAGE;
	}
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m));
	CCTSA_TRY(cctsa_der_put_oid_text(out, oid));
	CCTSA_TRY(cctsa_der_end(out, m));
out:
	return err;
}

cctsa_err cctsa_x509_read_alg(cctsa_cursor *c, cctsa_sig_alg *alg, cctsa_diag *diag)
{
	cctsa_cursor body;
	cctsa_der_elem oid = {0};
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(cctsa_der_enter(c, CCTSA_DER_SEQUENCE, &body, diag));
	CCTSA_TRY(cctsa_der_get_oid(&body, &oid, diag));
	*alg = cctsa_x509_alg_from_oid(oid.val, oid.val_len);
	if (*alg != CCTSA_SIG_NONE && cctsa_cursor_left(&body) != 0) {
		err = cctsa_fail(diag, CCTSA_E_MALFORMED,
				 "x509: AlgorithmIdentifier %s must have absent parameters", cctsa_x509_alg_oid(*alg));
	}
out:
	return err;
}

static cctsa_sig_alg mldsa_key_alg(const uint8_t *oid, size_t len)
{
	cctsa_sig_alg a = cctsa_x509_alg_from_oid(oid, len);

	return a == CCTSA_SIG_ECDSA_P384_SHA384 ? CCTSA_SIG_NONE : a;
}

cctsa_err cctsa_x509_spki_parse(const uint8_t *spki, size_t len, cctsa_sig_alg *key_alg, const uint8_t **pub,
				size_t *pub_len, cctsa_diag *diag)
{
	cctsa_cursor c, seq, ai;
	cctsa_der_elem oid = {0}, param = {0};
	unsigned unused = 0;
	cctsa_sig_alg a = CCTSA_SIG_NONE;
	cctsa_err err = CCTSA_OK;

	cctsa_cursor_init(&c, spki, len);
	CCTSA_TRY(cctsa_der_enter(&c, CCTSA_DER_SEQUENCE, &seq, diag));
	CCTSA_TRY(cctsa_der_finish(&c, "SubjectPublicKeyInfo", diag));
	CCTSA_TRY(cctsa_der_enter(&seq, CCTSA_DER_SEQUENCE, &ai, diag));
	CCTSA_TRY(cctsa_der_get_oid(&ai, &oid, diag));
	if (cctsa_der_oid_is(oid.val, oid.val_len, CCTSA_OID_EC_PUBLIC_KEY)) {
		CCTSA_TRY(cctsa_der_read(&ai, &param, diag));
		if (param.tag == CCTSA_DER_OID && cctsa_der_oid_is(param.val, param.val_len, CCTSA_OID_SECP384R1)) {
			a = CCTSA_SIG_ECDSA_P384_SHA384;
		}
	} else if ((a = mldsa_key_alg(oid.val, oid.val_len)) == CCTSA_SIG_NONE) {
		while (cctsa_cursor_left(&ai) > 0) {
			CCTSA_TRY(cctsa_der_read(&ai, &param, diag));
		}
	}
	CCTSA_TRY(cctsa_der_finish(&ai, "public key AlgorithmIdentifier (parameters)", diag));
	CCTSA_TRY(cctsa_der_get_bits(&seq, pub, pub_len, &unused, diag));
	CCTSA_TRY(cctsa_der_finish(&seq, "SubjectPublicKeyInfo", diag));
	CCTSA_ENSURE(unused == 0, cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: public key BIT STRING has unused bits"));
	if (a == CCTSA_SIG_ECDSA_P384_SHA384) {
		CCTSA_ENSURE(*pub_len == 97 && (*pub)[0] == 0x04,
			     cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: P-384 key is not an uncompressed point"));
	} else if (a != CCTSA_SIG_NONE) {
		CCTSA_ENSURE(*pub_len == cctsa_mldsa_pk_len((cctsa_mldsa_alg)a),
			     cctsa_fail(diag, CCTSA_E_MALFORMED, "x509: ML-DSA-%d public key of %zu bytes", (int)a,
					*pub_len));
	}
	*key_alg = a;
out:
	return err;
}

static cctsa_err ecdsa_verify(const uint8_t *spki, size_t spki_len, const uint8_t *msg, size_t msg_len,
			      const uint8_t *sig, size_t sig_len, cctsa_diag *diag)
{
	const unsigned char *p = spki;
	EVP_PKEY *pk = d2i_PUBKEY(NULL, &p, (long)spki_len);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	cctsa_err err = CCTSA_OK;
	int r;

	CCTSA_ENSURE(pk != NULL && md != NULL, cctsa_fail(diag, CCTSA_E_CRYPTO, "x509: OpenSSL cannot load the EC key"));
	CCTSA_ENSURE(EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, pk) == 1,
		     cctsa_fail(diag, CCTSA_E_CRYPTO, "x509: EVP_DigestVerifyInit failed"));
	r = EVP_DigestVerify(md, sig, sig_len, msg, msg_len);
	CCTSA_ENSURE(r == 1, cctsa_fail(diag, CCTSA_E_VERIFY, "x509: ECDSA P-384 signature does not verify"));
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	return err;
}

cctsa_err cctsa_x509_sig_verify(cctsa_sig_alg alg, const uint8_t *spki, size_t spki_len, const uint8_t *msg,
				size_t msg_len, const uint8_t *sig, size_t sig_len, cctsa_diag *diag)
{
	cctsa_sig_alg key_alg = CCTSA_SIG_NONE;
	const uint8_t *pub = NULL;
	size_t pub_len = 0;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(cctsa_x509_alg_oid(alg) != NULL,
		     cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "x509: signature algorithm not supported"));
	CCTSA_TRY(cctsa_x509_spki_parse(spki, spki_len, &key_alg, &pub, &pub_len, diag));
	CCTSA_ENSURE(key_alg == alg,
		     cctsa_fail(diag, CCTSA_E_VERIFY, "x509: the key does not match the signature algorithm %s",
				cctsa_x509_alg_oid(alg)));
	if (alg == CCTSA_SIG_ECDSA_P384_SHA384) {
		err = ecdsa_verify(spki, spki_len, msg, msg_len, sig, sig_len, diag);
		goto out;
	}
	err = cctsa_mldsa_verify((cctsa_mldsa_alg)alg, pub, pub_len, sig, sig_len, msg, msg_len, NULL, 0);
	if (err == CCTSA_E_VERIFY) {
		err = cctsa_fail(diag, CCTSA_E_VERIFY, "x509: ML-DSA-%d signature does not verify", (int)alg);
	} else if (err != CCTSA_OK) {
		err = cctsa_fail(diag, err, "x509: ML-DSA-%d verification failed (%s)", (int)alg, cctsa_err_name(err));
	}
out:
	return err;
}

cctsa_err cctsa_x509_key_id(uint8_t out[20], const uint8_t *spki, size_t spki_len)
{
	cctsa_sig_alg a = CCTSA_SIG_NONE;
	const uint8_t *pub = NULL;
	size_t n = 0;
	unsigned int olen = 0;

	if (cctsa_x509_spki_parse(spki, spki_len, &a, &pub, &n, NULL) != CCTSA_OK) {
		return CCTSA_E_USAGE;
	}
	if (EVP_Digest(pub, n, out, &olen, EVP_sha1(), NULL) != 1 || olen != 20) {
		return CCTSA_E_CRYPTO;
	}
	return CCTSA_OK;
}

cctsa_err cctsa_x509_sign_wrap(cctsa_buf *out, const uint8_t *tbs, size_t tbs_len, const cctsa_signer *s,
			       cctsa_diag *diag)
{
	cctsa_buf sig;
	size_t m;
	cctsa_err err = CCTSA_OK;

	cctsa_buf_init(&sig, 0);
	err = s->sign(s->ctx, &sig, tbs, tbs_len, diag);
	if (err != CCTSA_OK) {
		goto out;
	}
	CCTSA_TRY(cctsa_der_begin(out, CCTSA_DER_SEQUENCE, &m));
	CCTSA_TRY(cctsa_der_put_raw(out, tbs, tbs_len));
	CCTSA_TRY(cctsa_x509_put_sig_alg(out, s->alg));
	CCTSA_TRY(cctsa_der_put_bits(out, sig.data, sig.len, 0));
	CCTSA_TRY(cctsa_der_end(out, m));
out:
	cctsa_buf_free(&sig);
	return err;
}
