/*
 * mldsa: ML-DSA-44/65/87 (FIPS 204): key generation from a 32-byte seed, signing
 * (pure ML-DSA with a context string, hedged or deterministic; and the internal
 * interface with M' or an external mu, for ACVP), verification, the FIPS 204 byte
 * encodings, and (keyfile.c) the DER/PEM key containers: SubjectPublicKeyInfo and
 * PKCS#8 OneAsymmetricKey as RFC 9881 (id-ml-dsa-44/65/87, 2.16.840.1.101.3.4.3.17-19).
 * HashML-DSA (FIPS 204 Alg. 4/5) is offered on a digest the caller computed.
 *
 * A private key lives in a cctsa_mldsa_key, an opaque object in secret memory
 * (cctsa_secret_alloc: locked, not dumpable) that also caches the expanded key
 * (NTT forms of s1, s2, t0 and the matrix A) so signing does not re-derive it.
 * cctsa_mldsa_key_free wipes it. Signing is constant-time in the private key and
 * in the signing randomness; verification works on public data only.
 *
 * The argument order follows STYLE.md: object, outputs, inputs, flags; each length
 * right after its buffer. Output buffers must have exactly the documented length
 * (CCTSA_E_USAGE otherwise) and are zeroed when a call fails.
 */
#ifndef CCTSA_MLDSA_H
#define CCTSA_MLDSA_H

#include <stddef.h>
#include <stdint.h>

#include "cctsa/base.h"

typedef enum {
	CCTSA_MLDSA_44 = 44,
	CCTSA_MLDSA_65 = 65,
	CCTSA_MLDSA_87 = 87,
} cctsa_mldsa_alg;

/* Encoded sizes (FIPS 204 Table 2). */
#define CCTSA_MLDSA44_PK_LEN 1312
#define CCTSA_MLDSA44_SK_LEN 2560
#define CCTSA_MLDSA44_SIG_LEN 2420
#define CCTSA_MLDSA65_PK_LEN 1952
#define CCTSA_MLDSA65_SK_LEN 4032
#define CCTSA_MLDSA65_SIG_LEN 3309
#define CCTSA_MLDSA87_PK_LEN 2592
#define CCTSA_MLDSA87_SK_LEN 4896
#define CCTSA_MLDSA87_SIG_LEN 4627
#define CCTSA_MLDSA_PK_MAX CCTSA_MLDSA87_PK_LEN
#define CCTSA_MLDSA_SK_MAX CCTSA_MLDSA87_SK_LEN
#define CCTSA_MLDSA_SIG_MAX CCTSA_MLDSA87_SIG_LEN
#define CCTSA_MLDSA_SEED_LEN 32 /* xi of ML-DSA.KeyGen_internal */
#define CCTSA_MLDSA_RND_LEN 32  /* rnd of ML-DSA.Sign_internal */
#define CCTSA_MLDSA_MU_LEN 64   /* mu = H(tr || M', 64) */
#define CCTSA_MLDSA_TR_LEN 64
#define CCTSA_MLDSA_CTX_MAX 255

/* Sizes of alg's encodings; 0 if alg is not one of the three parameter sets. */
size_t cctsa_mldsa_pk_len(cctsa_mldsa_alg alg);
size_t cctsa_mldsa_sk_len(cctsa_mldsa_alg alg);
size_t cctsa_mldsa_sig_len(cctsa_mldsa_alg alg);

typedef struct cctsa_mldsa_key cctsa_mldsa_key;

/*
 * ML-DSA.KeyGen_internal(seed) (FIPS 204 Alg. 6) into a new key object.
 * Returns CCTSA_E_USAGE (unknown alg), CCTSA_E_RESOURCE (secret memory refused).
 * Out: *key (caller frees with cctsa_mldsa_key_free), NULL on failure.
 * In: seed (secret, 32 bytes); the key keeps a copy for cctsa_mldsa_key_seed.
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_key_from_seed(cctsa_mldsa_key **key, cctsa_mldsa_alg alg,
						   const uint8_t seed[static CCTSA_MLDSA_SEED_LEN]);

/*
 * Loads an expanded private key (skEncode output, FIPS 204 Alg. 24).
 * Returns CCTSA_E_USAGE (unknown alg), CCTSA_E_MALFORMED (wrong length, or an s1/s2
 * coefficient outside [-eta, eta], or t0 inconsistent with s1, s2 and rho: the key
 * is checked by recomputing t = A*s1 + s2; tr is checked against H(pk)),
 * CCTSA_E_RESOURCE. Out: *key, NULL on failure. In: sk (secret).
 * The check runs in constant time in the key; only the valid/invalid bit is public.
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_key_from_sk(cctsa_mldsa_key **key, cctsa_mldsa_alg alg,
						 const uint8_t *sk, size_t sk_len);

/* Wipes and frees; key may be NULL. */
void cctsa_mldsa_key_free(cctsa_mldsa_key *key);

cctsa_mldsa_alg cctsa_mldsa_key_alg(const cctsa_mldsa_key *key);

/* pk (public) of exactly cctsa_mldsa_pk_len(alg) bytes. Returns CCTSA_E_USAGE on a wrong length. */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_key_public(const cctsa_mldsa_key *key, uint8_t *pk, size_t pk_len);
/* Expanded private key (secret) of exactly cctsa_mldsa_sk_len(alg) bytes. */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_key_private(const cctsa_mldsa_key *key, uint8_t *sk, size_t sk_len);
/*
 * The 32-byte seed (secret) if the key was made from one. Returns CCTSA_E_STATE if
 * it was loaded from an expanded key (the seed cannot be recovered).
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_key_seed(const cctsa_mldsa_key *key,
					      uint8_t seed[static CCTSA_MLDSA_SEED_LEN]);

/* flags for cctsa_mldsa_sign */
#define CCTSA_MLDSA_DETERMINISTIC 1u /* rnd = 0^32 (FIPS 204 §3.4); default is hedged */

/*
 * ML-DSA.Sign (FIPS 204 Alg. 2): pure ML-DSA of msg with context ctx.
 * Returns CCTSA_E_USAGE (sig_len is not the alg's signature length, ctx_len > 255,
 * unknown flag), CCTSA_E_CRYPTO (the random generator failed).
 * Out: sig (zeroed on failure). In: msg (may be NULL if msg_len == 0), ctx (may be
 * NULL if ctx_len == 0; X.509 and RFC 3161 use the empty context).
 * Hedged signing draws rnd from cctsa_rand_bytes.
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_sign(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len,
					  const uint8_t *msg, size_t msg_len, const uint8_t *ctx,
					  size_t ctx_len, unsigned flags);

/* As cctsa_mldsa_sign with the caller's rnd (secret; ACVP and KATs). */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_sign_rnd(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len,
					      const uint8_t *msg, size_t msg_len, const uint8_t *ctx,
					      size_t ctx_len,
					      const uint8_t rnd[static CCTSA_MLDSA_RND_LEN]);

/* ML-DSA.Sign_internal (Alg. 7) of the formatted message M' (no context prefix added). */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_sign_internal(const cctsa_mldsa_key *key, uint8_t *sig,
						   size_t sig_len, const uint8_t *mprime,
						   size_t mprime_len,
						   const uint8_t rnd[static CCTSA_MLDSA_RND_LEN]);

/* Sign_internal with an externally computed mu (FIPS 204 Alg. 7 line 6 skipped). */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_sign_mu(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len,
					     const uint8_t mu[static CCTSA_MLDSA_MU_LEN],
					     const uint8_t rnd[static CCTSA_MLDSA_RND_LEN]);

/*
 * ML-DSA.Verify (Alg. 3): pure ML-DSA with context.
 * Returns CCTSA_OK for a valid signature; CCTSA_E_VERIFY for any invalid one
 * (wrong signature length, bad hint encoding, z out of range, mismatch, ctx_len
 * > 255); CCTSA_E_MALFORMED if pk_len is wrong; CCTSA_E_USAGE for an unknown alg.
 * All inputs are public.
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_verify(cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len,
					    const uint8_t *sig, size_t sig_len, const uint8_t *msg,
					    size_t msg_len, const uint8_t *ctx, size_t ctx_len);

/* ML-DSA.Verify_internal (Alg. 8) on M'. Errors as cctsa_mldsa_verify. */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_verify_internal(cctsa_mldsa_alg alg, const uint8_t *pk,
						     size_t pk_len, const uint8_t *sig, size_t sig_len,
						     const uint8_t *mprime, size_t mprime_len);

/* Verify_internal with an external mu. Errors as cctsa_mldsa_verify. */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_verify_mu(cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len,
					       const uint8_t *sig, size_t sig_len,
					       const uint8_t mu[static CCTSA_MLDSA_MU_LEN]);

/*
 * A prepared public key for verifying many signatures: decoded once, with
 * tr = H(pk) and NTT(t1 * 2^d) precomputed. Fields are private; the struct is
 * public so callers can place it on the stack (about 8.3 KB) or in a struct.
 * Holds no pointers to the caller's pk; copyable by assignment.
 */
#define CCTSA_MLDSA_PUB_SIZE (8 + 32 + 64 + 8 * 256 * 4)
typedef struct {
	_Alignas(32) uint8_t opaque[CCTSA_MLDSA_PUB_SIZE];
} cctsa_mldsa_pub;

/*
 * Prepares pub from an encoded public key. Returns CCTSA_E_USAGE (unknown alg),
 * CCTSA_E_MALFORMED (pk_len wrong). On failure pub is zeroed and every verify
 * with it returns CCTSA_E_USAGE.
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_pub_init(cctsa_mldsa_pub *pub, cctsa_mldsa_alg alg, const uint8_t *pk,
					      size_t pk_len);
/* The parameter set of a prepared key (0 if pub_init failed). */
cctsa_mldsa_alg cctsa_mldsa_pub_alg(const cctsa_mldsa_pub *pub);
/* ML-DSA.Verify with a prepared key; results as cctsa_mldsa_verify. */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_pub_verify(const cctsa_mldsa_pub *pub, const uint8_t *sig, size_t sig_len,
						const uint8_t *msg, size_t msg_len, const uint8_t *ctx,
						size_t ctx_len);

/* ---- HashML-DSA (FIPS 204 §5.4): the caller hashes the message with PH ---- */
typedef enum {
	CCTSA_MLDSA_PH_SHA2_224 = 1,
	CCTSA_MLDSA_PH_SHA2_256,
	CCTSA_MLDSA_PH_SHA2_384,
	CCTSA_MLDSA_PH_SHA2_512,
	CCTSA_MLDSA_PH_SHA2_512_224,
	CCTSA_MLDSA_PH_SHA2_512_256,
	CCTSA_MLDSA_PH_SHA3_224,
	CCTSA_MLDSA_PH_SHA3_256,
	CCTSA_MLDSA_PH_SHA3_384,
	CCTSA_MLDSA_PH_SHA3_512,
	CCTSA_MLDSA_PH_SHAKE128, /* 256-bit output */
	CCTSA_MLDSA_PH_SHAKE256, /* 512-bit output */
} cctsa_mldsa_ph;

/* Digest length PH(M) must have for ph; 0 for an unknown ph. */
size_t cctsa_mldsa_ph_len(cctsa_mldsa_ph ph);

/*
 * HashML-DSA.Sign (Alg. 4) of digest = PH(M): M' = 1 || |ctx| || ctx || OID(PH) || digest.
 * Returns CCTSA_E_USAGE (sig_len, ctx_len > 255, unknown ph or digest_len not
 * cctsa_mldsa_ph_len(ph), unknown flag), CCTSA_E_CRYPTO (no randomness).
 * flags: CCTSA_MLDSA_DETERMINISTIC or 0 (hedged).
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_hash_sign(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len,
					       cctsa_mldsa_ph ph, const uint8_t *digest, size_t digest_len,
					       const uint8_t *ctx, size_t ctx_len, unsigned flags);
/* As cctsa_mldsa_hash_sign with the caller's rnd (secret). */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_hash_sign_rnd(const cctsa_mldsa_key *key, uint8_t *sig, size_t sig_len,
						   cctsa_mldsa_ph ph, const uint8_t *digest, size_t digest_len,
						   const uint8_t *ctx, size_t ctx_len,
						   const uint8_t rnd[static CCTSA_MLDSA_RND_LEN]);
/*
 * HashML-DSA.Verify (Alg. 5). Returns CCTSA_OK, CCTSA_E_VERIFY (invalid signature,
 * ctx_len > 255), CCTSA_E_MALFORMED (pk_len), CCTSA_E_USAGE (unknown alg or ph,
 * digest_len wrong for ph).
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_hash_verify(cctsa_mldsa_alg alg, const uint8_t *pk, size_t pk_len,
						 const uint8_t *sig, size_t sig_len, cctsa_mldsa_ph ph,
						 const uint8_t *digest, size_t digest_len, const uint8_t *ctx,
						 size_t ctx_len);

/* mu = H(H(pk, 64) || M', 64) for M' = 0 || ctx_len || ctx || msg (pure ML-DSA). */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_compute_mu(uint8_t mu[static CCTSA_MLDSA_MU_LEN],
						const uint8_t *pk, size_t pk_len, const uint8_t *msg,
						size_t msg_len, const uint8_t *ctx, size_t ctx_len);

/* ---- key containers (keyfile.c): DER and PEM ---- */
/*
 * SubjectPublicKeyInfo DER: SEQUENCE { SEQUENCE { OID id-ml-dsa-NN }, BIT STRING pk }
 * (no parameters, RFC 9881 §4). Writing: Returns CCTSA_E_USAGE (pk_len wrong for
 * alg), CCTSA_E_RESOURCE (out is full). Appends to out.
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_spki_write(cctsa_buf *out, cctsa_mldsa_alg alg, const uint8_t *pk,
						size_t pk_len);
/*
 * Strict parse of exactly one SPKI: Returns CCTSA_E_MALFORMED (not DER of that
 * shape, trailing bytes, parameters present, unused bits, wrong key length),
 * CCTSA_E_UNSUPPORTED (another algorithm). Out: *alg, *pk pointing into der and
 * *pk_len (no copy). diag may be NULL.
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_spki_parse(cctsa_mldsa_alg *alg, const uint8_t **pk, size_t *pk_len,
						const uint8_t *der, size_t der_len, cctsa_diag *diag);

/*
 * PKCS#8 OneAsymmetricKey (RFC 9881 §6): version 0, AlgorithmIdentifier, and a
 * privateKey OCTET STRING holding the ML-DSA-PrivateKey CHOICE. Writing uses the
 * seed form ([0] IMPLICIT OCTET STRING (SIZE 32)) when the key has its seed and the
 * expandedKey form otherwise. out should be a secret buffer (it holds the key).
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_pkcs8_write(cctsa_buf *out, const cctsa_mldsa_key *key);
/*
 * Parses PKCS#8 with any of the three CHOICE forms (seed, expandedKey, both). For
 * "both", the expanded key must equal the one derived from the seed.
 * Returns CCTSA_E_MALFORMED, CCTSA_E_UNSUPPORTED, CCTSA_E_RESOURCE. Out: *key.
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_pkcs8_parse(cctsa_mldsa_key **key, const uint8_t *der,
						 size_t der_len, cctsa_diag *diag);

/* PEM armour: label "PUBLIC KEY" or "PRIVATE KEY", base64 lines of 64 characters. */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_pem_write(cctsa_buf *out, const char *label, const uint8_t *der,
					       size_t der_len);
/*
 * Finds the first block with the given label in text and decodes it into der
 * (cleared first). Returns CCTSA_E_MALFORMED (no block, bad base64, bad armour).
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_pem_read(cctsa_buf *der, const char *label, const uint8_t *text,
					      size_t text_len, cctsa_diag *diag);

/*
 * Loads a private key from a file's contents in any of the supported forms:
 * PEM "PRIVATE KEY" (PKCS#8), DER PKCS#8, or the raw FIPS 204 expanded key (told
 * apart by its exact length: 2560, 4032 or 4896 bytes). Returns as
 * cctsa_mldsa_pkcs8_parse / cctsa_mldsa_key_from_sk. Out: *key. In: data (secret).
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_key_load(cctsa_mldsa_key **key, const uint8_t *data, size_t len,
					      cctsa_diag *diag);
/*
 * Loads a public key: PEM "PUBLIC KEY" (SPKI), DER SPKI, or the raw FIPS 204
 * encoding (by its exact length: 1312, 1952 or 2592). Out: *alg, pk (a buffer of
 * CCTSA_MLDSA_PK_MAX bytes) and *pk_len. Returns CCTSA_E_MALFORMED, CCTSA_E_UNSUPPORTED.
 */
CCTSA_MUST_USE cctsa_err cctsa_mldsa_pub_load(cctsa_mldsa_alg *alg, uint8_t pk[static CCTSA_MLDSA_PK_MAX],
					      size_t *pk_len, const uint8_t *data, size_t len,
					      cctsa_diag *diag);

#endif
