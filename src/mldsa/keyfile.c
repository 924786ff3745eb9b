/*
 * ML-DSA key containers: SubjectPublicKeyInfo and PKCS#8 OneAsymmetricKey with the
 * NIST OIDs (RFC 9881), as DER and PEM. A deliberately small, strict DER codec for
 * exactly these fixed structures (no general ASN.1): definite minimal lengths,
 * no trailing bytes, exact tags. Base64 on private keys is branch-free in the data.
 * Contracts in include/cctsa/mldsa.h.
 */
#include <string.h>

#include "base/ct.h"
#include "mldsa/mldsa_key.h"

/* id-ml-dsa-44/65/87 = 2.16.840.1.101.3.4.3.{17,18,19}: the 9 content bytes, last one varies. */
static const uint8_t oid_prefix[8] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03};
#define OID_LEN 9
#define ALGID_LEN (2 + 2 + OID_LEN) /* SEQUENCE { OID } */

static uint8_t oid_last(cctsa_mldsa_alg alg)
{
	return alg == CCTSA_MLDSA_44 ? 0x11 : alg == CCTSA_MLDSA_65 ? 0x12 : 0x13;
}

/* ---- DER writing ---- */

static size_t tl_len(size_t len)
{
	return len < 0x80 ? 2 : len < 0x100 ? 3 : 4;
}

static cctsa_err put_tl(cctsa_buf *b, uint8_t tag, size_t len)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(len <= 0xffff, CCTSA_E_INTERNAL);
	CCTSA_TRY(cctsa_buf_put_u8(b, tag));
	if (len >= 0x100) {
		CCTSA_TRY(cctsa_buf_put_u8(b, 0x82));
		CCTSA_TRY(cctsa_buf_put_u16be(b, (uint16_t)len));
	} else if (len >= 0x80) {
		CCTSA_TRY(cctsa_buf_put_u8(b, 0x81));
		CCTSA_TRY(cctsa_buf_put_u8(b, (uint8_t)len));
	} else {
		CCTSA_TRY(cctsa_buf_put_u8(b, (uint8_t)len));
	}
out:
	return err;
}

static cctsa_err put_algid(cctsa_buf *b, cctsa_mldsa_alg alg)
{
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(put_tl(b, 0x30, 2 + OID_LEN));
	CCTSA_TRY(put_tl(b, 0x06, OID_LEN));
	CCTSA_TRY(cctsa_buf_put(b, oid_prefix, sizeof(oid_prefix)));
	CCTSA_TRY(cctsa_buf_put_u8(b, oid_last(alg)));
out:
	return err;
}

cctsa_err cctsa_mldsa_spki_write(cctsa_buf *out, cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len)
{
	size_t bits_len = pk_len + 1;
	cctsa_err err = CCTSA_OK;

	CCTSA_ENSURE(mldsa_params_get(alg) != NULL && pk_len == cctsa_mldsa_pk_len(alg), CCTSA_E_USAGE);
	CCTSA_TRY(put_tl(out, 0x30, ALGID_LEN + tl_len(bits_len) + bits_len));
	CCTSA_TRY(put_algid(out, alg));
	CCTSA_TRY(put_tl(out, 0x03, bits_len));
	CCTSA_TRY(cctsa_buf_put_u8(out, 0)); /* no unused bits */
	CCTSA_TRY(cctsa_buf_put(out, pk, pk_len));
out:
	return err;
}

cctsa_err cctsa_mldsa_pkcs8_write(cctsa_buf *out, const cctsa_mldsa_key *key)
{
	const mldsa_params *p = key->p;
	size_t inner, octet, total;
	cctsa_err err = CCTSA_OK;

	/* seed: [0] IMPLICIT OCTET STRING; expandedKey: OCTET STRING */
	inner = key->has_seed ? 2 + CCTSA_MLDSA_SEED_LEN : tl_len(p->sk_len) + p->sk_len;
	octet = tl_len(inner) + inner;
	total = 3 + ALGID_LEN + octet;
	CCTSA_TRY(put_tl(out, 0x30, total));
	CCTSA_TRY(put_tl(out, 0x02, 1));
	CCTSA_TRY(cctsa_buf_put_u8(out, 0)); /* version v1 (0) */
	CCTSA_TRY(put_algid(out, p->alg));
	CCTSA_TRY(put_tl(out, 0x04, inner));
	if (key->has_seed) {
		CCTSA_TRY(put_tl(out, 0x80, CCTSA_MLDSA_SEED_LEN));
		CCTSA_TRY(cctsa_buf_put(out, key->seed, CCTSA_MLDSA_SEED_LEN));
	} else {
		CCTSA_TRY(put_tl(out, 0x04, p->sk_len));
		CCTSA_TRY(cctsa_buf_put(out, key->sk, p->sk_len));
	}
out:
	return err;
}

/* ---- DER reading ---- */

/*
 * Reads one TLV with the expected tag; val is the contents. Minimal lengths only.
 * Tags and lengths are the container's structure, never key material, so they
 * are declassified as read (a PKCS#8 decoded from secret PEM text arrives marked
 * secret as a whole in the constant-time tests).
 */
static cctsa_err get_tlv(cctsa_cursor *c, uint8_t tag, cctsa_cursor *val, cctsa_diag *diag, const char *what)
{
	uint8_t t = 0, l0 = 0, l1 = 0;
	uint16_t l2 = 0;
	size_t len;
	cctsa_err e1, e2;

	e1 = cctsa_cursor_get_u8(c, &t);
	CCTSA_PUBLIC(&t, sizeof(t));
	if (e1 != CCTSA_OK || t != tag) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: expected tag 0x%02x", what, tag);
	}
	e1 = cctsa_cursor_get_u8(c, &l0);
	CCTSA_PUBLIC(&l0, sizeof(l0));
	if (e1 != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: truncated length", what);
	}
	e1 = l0 == 0x81 ? cctsa_cursor_get_u8(c, &l1) : CCTSA_OK;
	e2 = l0 == 0x82 ? cctsa_cursor_get_u16be(c, &l2) : CCTSA_OK;
	CCTSA_PUBLIC(&l1, sizeof(l1));
	CCTSA_PUBLIC(&l2, sizeof(l2));
	if (l0 < 0x80) {
		len = l0;
	} else if (l0 == 0x81 && e1 == CCTSA_OK && l1 >= 0x80) {
		len = l1;
	} else if (l0 == 0x82 && e2 == CCTSA_OK && l2 >= 0x100) {
		len = l2;
	} else {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: bad or non-minimal length", what);
	}
	if (cctsa_cursor_get_sub(c, val, len) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: length %zu exceeds the input", what, len);
	}
	return CCTSA_OK;
}

static cctsa_err finish(const cctsa_cursor *c, cctsa_diag *diag, const char *what)
{
	if (cctsa_cursor_finish(c) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "%s: trailing bytes", what);
	}
	return CCTSA_OK;
}

/* AlgorithmIdentifier with one of the three OIDs and absent parameters. */
static cctsa_err get_algid(cctsa_cursor *c, cctsa_mldsa_alg *alg, cctsa_diag *diag)
{
	cctsa_cursor seq, oid;
	const uint8_t *o;
	cctsa_err err = CCTSA_OK;

	CCTSA_TRY(get_tlv(c, 0x30, &seq, diag, "AlgorithmIdentifier"));
	CCTSA_TRY(get_tlv(&seq, 0x06, &oid, diag, "algorithm OID"));
	if (cctsa_cursor_left(&oid) != OID_LEN || cctsa_cursor_get_view(&oid, &o, OID_LEN) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "algorithm is not id-ml-dsa-44/65/87");
	}
	CCTSA_PUBLIC(o, OID_LEN); /* the algorithm identifier is public */
	if (cctsa_memcmp_var(o, oid_prefix, sizeof(oid_prefix)) != 0 || o[8] < 0x11 || o[8] > 0x13) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "algorithm is not id-ml-dsa-44/65/87");
	}
	*alg = o[8] == 0x11 ? CCTSA_MLDSA_44 : o[8] == 0x12 ? CCTSA_MLDSA_65 : CCTSA_MLDSA_87;
	if (cctsa_cursor_left(&seq) != 0) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "ML-DSA AlgorithmIdentifier must have no parameters");
	}
out:
	return err;
}

cctsa_err cctsa_mldsa_spki_parse(cctsa_mldsa_alg *alg, const uint8_t **pk, size_t *pk_len, const uint8_t *der,
				 size_t der_len, cctsa_diag *diag)
{
	cctsa_cursor c, spki, bits;
	uint8_t unused;
	cctsa_err err = CCTSA_OK;

	*pk = NULL;
	*pk_len = 0;
	cctsa_cursor_init(&c, der, der_len);
	CCTSA_TRY(get_tlv(&c, 0x30, &spki, diag, "SubjectPublicKeyInfo"));
	CCTSA_TRY(finish(&c, diag, "SubjectPublicKeyInfo"));
	CCTSA_TRY(get_algid(&spki, alg, diag));
	CCTSA_TRY(get_tlv(&spki, 0x03, &bits, diag, "subjectPublicKey"));
	CCTSA_TRY(finish(&spki, diag, "SubjectPublicKeyInfo"));
	if (cctsa_cursor_get_u8(&bits, &unused) != CCTSA_OK || unused != 0) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "subjectPublicKey: unused bits must be 0");
	}
	if (cctsa_cursor_left(&bits) != cctsa_mldsa_pk_len(*alg)) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "ML-DSA-%d public key must be %zu bytes, not %zu",
				  (int)*alg, cctsa_mldsa_pk_len(*alg), cctsa_cursor_left(&bits));
	}
	*pk_len = cctsa_cursor_left(&bits);
	CCTSA_TRY(cctsa_cursor_get_view(&bits, pk, *pk_len));
out:
	return err;
}

/* "both" form: the expanded key must be the one the seed gives. */
static cctsa_err check_both(const cctsa_mldsa_key *key, const uint8_t *sk, size_t sk_len, cctsa_diag *diag)
{
	if (sk_len != key->p->sk_len || cctsa_ct_memeq(sk, key->sk, sk_len) == 0) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "PKCS#8: expandedKey does not match the seed");
	}
	return CCTSA_OK;
}

/* ML-DSA-PrivateKey CHOICE (RFC 9881 §6) inside the privateKey OCTET STRING. */
static cctsa_err parse_private_choice(cctsa_mldsa_key **key, cctsa_mldsa_alg alg, cctsa_cursor *c,
				      cctsa_diag *diag)
{
	cctsa_cursor v, seed, exp, peek = *c;
	const uint8_t *sp, *ep;
	uint8_t tag = 0;
	size_t n;
	cctsa_err err = CCTSA_OK;

	err = cctsa_cursor_get_u8(&peek, &tag);
	CCTSA_PUBLIC(&tag, sizeof(tag)); /* which CHOICE form: structure, not key material */
	CCTSA_ENSURE(err == CCTSA_OK, cctsa_fail(diag, CCTSA_E_MALFORMED, "PKCS#8: empty privateKey"));
	if (tag == 0x80) {
		CCTSA_TRY(get_tlv(c, 0x80, &v, diag, "ML-DSA seed"));
		CCTSA_ENSURE(cctsa_cursor_left(&v) == CCTSA_MLDSA_SEED_LEN &&
			     cctsa_cursor_get_view(&v, &sp, CCTSA_MLDSA_SEED_LEN) == CCTSA_OK,
			     cctsa_fail(diag, CCTSA_E_MALFORMED, "PKCS#8: seed must be 32 bytes"));
		CCTSA_TRY(cctsa_mldsa_key_from_seed(key, alg, sp));
	} else if (tag == 0x04) {
		CCTSA_TRY(get_tlv(c, 0x04, &v, diag, "ML-DSA expandedKey"));
		n = cctsa_cursor_left(&v);
		CCTSA_TRY(cctsa_cursor_get_view(&v, &ep, n));
		err = cctsa_mldsa_key_from_sk(key, alg, ep, n);
		CCTSA_ENSURE(err == CCTSA_OK, cctsa_fail(diag, err, "PKCS#8: invalid ML-DSA expanded key"));
	} else {
		CCTSA_TRY(get_tlv(c, 0x30, &v, diag, "ML-DSA-PrivateKey"));
		CCTSA_TRY(get_tlv(&v, 0x04, &seed, diag, "ML-DSA seed"));
		CCTSA_TRY(get_tlv(&v, 0x04, &exp, diag, "ML-DSA expandedKey"));
		CCTSA_TRY(finish(&v, diag, "ML-DSA-PrivateKey"));
		CCTSA_ENSURE(cctsa_cursor_left(&seed) == CCTSA_MLDSA_SEED_LEN &&
			     cctsa_cursor_get_view(&seed, &sp, CCTSA_MLDSA_SEED_LEN) == CCTSA_OK,
			     cctsa_fail(diag, CCTSA_E_MALFORMED, "PKCS#8: seed must be 32 bytes"));
		CCTSA_TRY(cctsa_mldsa_key_from_seed(key, alg, sp));
		n = cctsa_cursor_left(&exp);
		CCTSA_TRY(cctsa_cursor_get_view(&exp, &ep, n));
		CCTSA_TRY(check_both(*key, ep, n, diag));
	}
	CCTSA_TRY(finish(c, diag, "ML-DSA-PrivateKey"));
out:
	if (err != CCTSA_OK) {
		cctsa_mldsa_key_free(*key);
		*key = NULL;
	}
	return err;
}

cctsa_err cctsa_mldsa_pkcs8_parse(cctsa_mldsa_key **key, const uint8_t *der, size_t der_len, cctsa_diag *diag)
{
	cctsa_cursor c, seq, ver, priv;
	cctsa_mldsa_alg alg = CCTSA_MLDSA_65;
	uint8_t v = 0;
	cctsa_err err = CCTSA_OK;

	*key = NULL;
	cctsa_cursor_init(&c, der, der_len);
	CCTSA_TRY(get_tlv(&c, 0x30, &seq, diag, "OneAsymmetricKey"));
	CCTSA_TRY(finish(&c, diag, "OneAsymmetricKey"));
	CCTSA_TRY(get_tlv(&seq, 0x02, &ver, diag, "version"));
	err = cctsa_cursor_get_u8(&ver, &v);
	CCTSA_PUBLIC(&v, sizeof(v)); /* the version is public */
	if (err != CCTSA_OK || cctsa_cursor_left(&ver) != 0 || v != 0) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "PKCS#8: only version 0 (v1) is accepted");
	}
	CCTSA_TRY(get_algid(&seq, &alg, diag));
	CCTSA_TRY(get_tlv(&seq, 0x04, &priv, diag, "privateKey"));
	if (cctsa_cursor_left(&seq) != 0) {
		return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "PKCS#8: attributes or publicKey are not accepted");
	}
	CCTSA_TRY(parse_private_choice(key, alg, &priv, diag));
out:
	return err;
}
