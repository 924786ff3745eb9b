/*
 * mldsa: internals (exhaustive Decompose, NTT against schoolbook multiplication,
 * packing round trips), every vector in ../shared/testdata/mldsa (ACVP keyGen,
 * sigGen, sigVer; Wycheproof ML-DSA-65 verify/sign; the KAT .rsp files), and
 * random sign/verify/tamper round trips. Each vector file prints how many vectors
 * passed and the test fails if any failed or fewer than expected ran.
 *
 * HashML-DSA is not offered, so the ACVP preHash groups and kat_MLDSA_65_det_hashed
 * are counted as skipped, and the expected totals below exclude them.
 */
#include "mldsa_util.h"
#include "mldsa/mldsa_int.h"

/* ---- internals ---- */

static void test_decompose_exhaustive(void)
{
	const int32_t g2s[2] = {(MLDSA_Q - 1) / 88, (MLDSA_Q - 1) / 32};

	for (int g = 0; g < 2; g++) {
		int32_t alpha = 2 * g2s[g];
		for (int32_t r = 0; r < MLDSA_Q; r++) {
			int32_t r0 = r % alpha, r1, a1, a0;
			if (r0 > alpha / 2) {
				r0 -= alpha;
			}
			if (r - r0 == MLDSA_Q - 1) {
				r1 = 0;
				r0 -= 1;
			} else {
				r1 = (r - r0) / alpha;
			}
			mldsa_decompose(&a1, &a0, r, g2s[g]);
			if (a1 != r1 || a0 != r0) {
				fprintf(stderr, "decompose(%d, %d) = %d,%d want %d,%d\n", r, g2s[g], a1, a0, r1, r0);
				abort();
			}
		}
	}
}

static int32_t modq(int64_t v)
{
	v %= MLDSA_Q;
	return (int32_t)(v < 0 ? v + MLDSA_Q : v);
}

/* invntt(pointwise(ntt a, ntt b)) == a*b mod (q, X^256+1) for random a, b with |.| < q. */
static void test_ntt(uint64_t *rng)
{
	static mldsa_poly a, b, c, fa, fb;
	int64_t want[MLDSA_N];

	for (int it = 0; it < 20; it++) {
		for (int i = 0; i < MLDSA_N; i++) {
			a.c[i] = (int32_t)(check_rand(rng) % (2 * MLDSA_Q - 1)) - (MLDSA_Q - 1);
			b.c[i] = (int32_t)(check_rand(rng) % (2 * MLDSA_Q - 1)) - (MLDSA_Q - 1);
		}
		memset(want, 0, sizeof(want));
		for (int i = 0; i < MLDSA_N; i++) {
			for (int j = 0; j < MLDSA_N; j++) {
				int64_t prod = modq((int64_t)a.c[i] * b.c[j]);
				if (i + j < MLDSA_N) {
					want[i + j] += prod;
				} else {
					want[i + j - MLDSA_N] -= prod;
				}
			}
		}
		fa = a;
		fb = b;
		mldsa_poly_ntt(&fa);
		mldsa_poly_ntt(&fb);
		for (int i = 0; i < MLDSA_N; i++) {
			CHECK(fa.c[i] > -9 * MLDSA_Q && fa.c[i] < 9 * MLDSA_Q);
		}
		mldsa_poly_pointwise_montgomery(&c, &fa, &fb);
		mldsa_poly_invntt_tomont(&c);
		for (int i = 0; i < MLDSA_N; i++) {
			CHECK(c.c[i] > -MLDSA_Q && c.c[i] < MLDSA_Q);
			CHECK(modq(c.c[i]) == modq(want[i]));
		}
	}
}

static void test_packing(uint64_t *rng)
{
	static const cctsa_mldsa_alg algs[3] = {CCTSA_MLDSA_44, CCTSA_MLDSA_65, CCTSA_MLDSA_87};
	uint8_t buf[1024];
	mldsa_poly a, b;

	for (int s = 0; s < 3; s++) {
		const mldsa_params *p = mldsa_params_get(algs[s]);
		for (int i = 0; i < MLDSA_N; i++) {
			a.c[i] = (int32_t)(check_rand(rng) % (2 * p->eta + 1)) - (int32_t)p->eta;
		}
		mldsa_pack_eta(buf, &a, p);
		CHECK(mldsa_unpack_eta(&b, buf, p) == 0);
		CHECK_MEMEQ(&a, &b, sizeof(a));
		memset(buf, 0xff, p->polyeta_bytes); /* fields of all ones exceed 2 eta */
		CHECK(mldsa_unpack_eta(&b, buf, p) != 0);
		for (int i = 0; i < MLDSA_N; i++) {
			a.c[i] = p->gamma1 - (int32_t)(check_rand(rng) % (2 * (uint32_t)p->gamma1));
		}
		mldsa_pack_z(buf, &a, p);
		mldsa_unpack_z(&b, buf, p);
		CHECK_MEMEQ(&a, &b, sizeof(a));
	}
	for (int i = 0; i < MLDSA_N; i++) {
		a.c[i] = (1 << 12) - (int32_t)(check_rand(rng) % (1 << 13));
	}
	mldsa_pack_t0(buf, &a);
	mldsa_unpack_t0(&b, buf);
	CHECK_MEMEQ(&a, &b, sizeof(a));
	for (int i = 0; i < MLDSA_N; i++) {
		a.c[i] = (int32_t)(check_rand(rng) % 1024);
	}
	mldsa_pack_t1(buf, &a);
	mldsa_unpack_t1(&b, buf);
	CHECK_MEMEQ(&a, &b, sizeof(a));
}

/* ---- vector files ---- */

static void report(const char *file, unsigned long passed, unsigned long skipped, unsigned long expect)
{
	fprintf(stderr, "%-52s %4lu passed, %3lu skipped (HashML-DSA)\n", file, passed, skipped);
	if (passed != expect) {
		fprintf(stderr, "  expected %lu vectors to run and pass\n", expect);
		abort();
	}
}

static void test_acvp_keygen(void)
{
	json_t *doc = tv_load("mldsa/acvp/ML-DSA-keyGen-FIPS204/internalProjection.json");
	const json_t *g, *t;
	size_t i, j;
	unsigned long n = 0;

	json_array_foreach(json_object_get(doc, "testGroups"), i, g) {
		cctsa_mldsa_alg alg = tv_alg(tv_str(g, "parameterSet"));
		json_array_foreach(json_object_get(g, "tests"), j, t) {
			tv_bytes seed = tv_hex(t, "seed"), pk = tv_hex(t, "pk"), sk = tv_hex(t, "sk");
			uint8_t pk2[CCTSA_MLDSA_PK_MAX], sk2[CCTSA_MLDSA_SK_MAX];
			cctsa_mldsa_key *key, *key2;
			CHECK(seed.n == 32 && pk.n == cctsa_mldsa_pk_len(alg) && sk.n == cctsa_mldsa_sk_len(alg));
			CHECK_OK(cctsa_mldsa_key_from_seed(&key, alg, seed.p));
			CHECK_OK(cctsa_mldsa_key_public(key, pk2, pk.n));
			CHECK_OK(cctsa_mldsa_key_private(key, sk2, sk.n));
			CHECK_MEMEQ(pk2, pk.p, pk.n);
			CHECK_MEMEQ(sk2, sk.p, sk.n);
			/* the expanded key loads, passes the consistency check and gives the same pk */
			CHECK_OK(cctsa_mldsa_key_from_sk(&key2, alg, sk.p, sk.n));
			CHECK_OK(cctsa_mldsa_key_public(key2, pk2, pk.n));
			CHECK_MEMEQ(pk2, pk.p, pk.n);
			cctsa_mldsa_key_free(key);
			cctsa_mldsa_key_free(key2);
			tv_free(&seed);
			tv_free(&pk);
			tv_free(&sk);
			n++;
		}
	}
	report("ACVP ML-DSA-keyGen-FIPS204", n, 0, 75);
	json_decref(doc);
}

/* One sigGen case; returns 0 if skipped (preHash). */
static int acvp_siggen_one(const json_t *g, const json_t *t, const json_t *exp)
{
	cctsa_mldsa_alg alg = tv_alg(tv_str(g, "parameterSet"));
	int det = json_is_true(json_object_get(g, "deterministic"));
	int internal = strcmp(tv_str(g, "signatureInterface"), "internal") == 0;
	uint8_t rnd[32] = {0}, sig[CCTSA_MLDSA_SIG_MAX];
	tv_bytes sk, want, r;
	cctsa_mldsa_key *key;
	size_t siglen = cctsa_mldsa_sig_len(alg);

	if (!internal && strcmp(tv_str(g, "preHash"), "pure") != 0) {
		return 0;
	}
	sk = tv_hex(t, "sk");
	want = tv_hex(exp, "signature");
	CHECK(want.n == siglen);
	if (!det) {
		r = tv_hex(t, "rnd");
		CHECK(r.n == 32);
		memcpy(rnd, r.p, 32);
		tv_free(&r);
	}
	CHECK_OK(cctsa_mldsa_key_from_sk(&key, alg, sk.p, sk.n));
	if (internal && json_is_true(json_object_get(g, "externalMu"))) {
		tv_bytes mu = tv_hex(t, "mu");
		CHECK(mu.n == 64);
		CHECK_OK(cctsa_mldsa_sign_mu(key, sig, siglen, mu.p, rnd));
		tv_free(&mu);
	} else if (internal) {
		tv_bytes m = tv_hex(t, "message");
		CHECK_OK(cctsa_mldsa_sign_internal(key, sig, siglen, m.p, m.n, rnd));
		tv_free(&m);
	} else {
		tv_bytes m = tv_hex(t, "message"), ctx = tv_hex(t, "context");
		CHECK_OK(cctsa_mldsa_sign_rnd(key, sig, siglen, m.p, m.n, ctx.p, ctx.n, rnd));
		tv_free(&m);
		tv_free(&ctx);
	}
	CHECK_MEMEQ(sig, want.p, siglen);
	cctsa_mldsa_key_free(key);
	tv_free(&sk);
	tv_free(&want);
	return 1;
}

static void test_acvp_siggen(void)
{
	json_t *doc = tv_load("mldsa/acvp/ML-DSA-sigGen-FIPS204/prompt.json");
	json_t *exp = tv_load("mldsa/acvp/ML-DSA-sigGen-FIPS204/expectedResults.json");
	const json_t *g, *t;
	size_t i, j;
	unsigned long n = 0, skipped = 0;

	json_array_foreach(json_object_get(doc, "testGroups"), i, g) {
		json_int_t tg = json_integer_value(json_object_get(g, "tgId"));
		json_array_foreach(json_object_get(g, "tests"), j, t) {
			json_int_t tc = json_integer_value(json_object_get(t, "tcId"));
			if (acvp_siggen_one(g, t, tv_find_tc(exp, tg, tc))) {
				n++;
			} else {
				skipped++;
			}
		}
	}
	/* 24 groups x 15: 6 preHash groups skipped */
	report("ACVP ML-DSA-sigGen-FIPS204", n, skipped, 270);
	json_decref(doc);
	json_decref(exp);
}

static int acvp_sigver_one(const json_t *g, const json_t *t)
{
	cctsa_mldsa_alg alg = tv_alg(tv_str(g, "parameterSet"));
	int internal = strcmp(tv_str(g, "signatureInterface"), "internal") == 0;
	int want = json_is_true(json_object_get(t, "testPassed"));
	tv_bytes pk, sig;
	cctsa_err err;

	if (!internal && strcmp(tv_str(g, "preHash"), "pure") != 0) {
		return 0;
	}
	pk = tv_hex(t, "pk");
	sig = tv_hex(t, "signature");
	if (internal && json_is_true(json_object_get(g, "externalMu"))) {
		tv_bytes mu = tv_hex(t, "mu");
		CHECK(mu.n == 64);
		err = cctsa_mldsa_verify_mu(alg, pk.p, pk.n, sig.p, sig.n, mu.p);
		tv_free(&mu);
	} else if (internal) {
		tv_bytes m = tv_hex(t, "message");
		err = cctsa_mldsa_verify_internal(alg, pk.p, pk.n, sig.p, sig.n, m.p, m.n);
		tv_free(&m);
	} else {
		tv_bytes m = tv_hex(t, "message"), ctx = tv_hex(t, "context");
		err = cctsa_mldsa_verify(alg, pk.p, pk.n, sig.p, sig.n, m.p, m.n, ctx.p, ctx.n);
		tv_free(&m);
		tv_free(&ctx);
	}
	CHECK(err == CCTSA_OK || err == CCTSA_E_VERIFY);
	if ((err == CCTSA_OK) != want) {
		fprintf(stderr, "sigVer tcId %lld: got %s, want %s (%s)\n",
			(long long)json_integer_value(json_object_get(t, "tcId")), cctsa_err_name(err),
			want ? "valid" : "invalid", tv_str(t, "reason"));
		abort();
	}
	tv_free(&pk);
	tv_free(&sig);
	return 1;
}

static void test_acvp_sigver(void)
{
	json_t *doc = tv_load("mldsa/acvp/ML-DSA-sigVer-FIPS204/internalProjection.json");
	const json_t *g, *t;
	size_t i, j;
	unsigned long n = 0, skipped = 0;

	json_array_foreach(json_object_get(doc, "testGroups"), i, g) {
		json_array_foreach(json_object_get(g, "tests"), j, t) {
			if (acvp_sigver_one(g, t)) {
				n++;
			} else {
				skipped++;
			}
		}
	}
	/* 12 groups x 15: 3 preHash groups skipped */
	report("ACVP ML-DSA-sigVer-FIPS204", n, skipped, 135);
	json_decref(doc);
}

static void test_wycheproof_verify(void)
{
	json_t *doc = tv_load("mldsa/wycheproof/mldsa_65_verify_test.json");
	const json_t *g, *t;
	size_t i, j;
	unsigned long n = 0;

	json_array_foreach(json_object_get(doc, "testGroups"), i, g) {
		tv_bytes pk = tv_hex(g, "publicKey");
		json_array_foreach(json_object_get(g, "tests"), j, t) {
			tv_bytes m = tv_hex(t, "msg"), sig = tv_hex(t, "sig"), ctx = tv_hex_opt(t, "ctx");
			int want = strcmp(tv_str(t, "result"), "valid") == 0;
			cctsa_err err = cctsa_mldsa_verify(CCTSA_MLDSA_65, pk.p, pk.n, sig.p, sig.n, m.p, m.n,
							   ctx.p, ctx.n);
			CHECK(strcmp(tv_str(t, "result"), "acceptable") != 0);
			CHECK(err == CCTSA_OK || err == CCTSA_E_VERIFY || err == CCTSA_E_MALFORMED);
			if ((err == CCTSA_OK) != want) {
				fprintf(stderr, "wycheproof verify tcId %lld (%s): got %s\n",
					(long long)json_integer_value(json_object_get(t, "tcId")),
					tv_str(t, "comment"), cctsa_err_name(err));
				abort();
			}
			tv_free(&m);
			tv_free(&sig);
			tv_free(&ctx);
			n++;
		}
		tv_free(&pk);
	}
	report("wycheproof/mldsa_65_verify_test.json", n, 0, 210);
	json_decref(doc);
}

static int tv_has_flag(const json_t *t, const char *flag)
{
	const json_t *f;
	size_t i;

	json_array_foreach(json_object_get(t, "flags"), i, f) {
		if (strcmp(json_string_value(f), flag) == 0) {
			return 1;
		}
	}
	return 0;
}

/* Signs one Wycheproof case with key (NULL if the key was rejected). Returns 1 if it behaved as expected. */
static int wycheproof_sign_one(const cctsa_mldsa_key *key, const tv_bytes *pk, const json_t *t)
{
	int valid = strcmp(tv_str(t, "result"), "valid") == 0;
	int randomized = tv_has_flag(t, "Randomized");
	uint8_t sig[CCTSA_MLDSA65_SIG_LEN];
	tv_bytes want = tv_hex_opt(t, "sig"), ctx = tv_hex_opt(t, "ctx"), m;
	cctsa_err err;

	if (key == NULL) {
		tv_free(&want);
		tv_free(&ctx);
		return !valid;
	}
	int mu_only = !tv_has(t, "msg");
	if (mu_only) {
		m = tv_hex(t, "mu");
		CHECK(m.n == 64 && ctx.n == 0);
		err = cctsa_mldsa_sign_mu(key, sig, sizeof(sig), m.p, (const uint8_t[32]){0});
	} else {
		m = tv_hex(t, "msg");
		err = cctsa_mldsa_sign(key, sig, sizeof(sig), m.p, m.n, ctx.p, ctx.n,
				       randomized ? 0 : CCTSA_MLDSA_DETERMINISTIC);
	}
	if (err == CCTSA_OK && valid && !mu_only && tv_has(t, "mu")) {
		/* the listed mu is ours for this message and context */
		tv_bytes mu = tv_hex(t, "mu");
		uint8_t mu2[64];
		CHECK_OK(cctsa_mldsa_compute_mu(mu2, pk->p, pk->n, m.p, m.n, ctx.p, ctx.n));
		CHECK(mu.n == 64);
		CHECK_MEMEQ(mu2, mu.p, 64);
		tv_free(&mu);
	}
	if (err == CCTSA_OK && valid) {
		if (randomized) {
			/* hedged: ours must verify, and so must theirs */
			if (mu_only) {
				CHECK_OK(cctsa_mldsa_verify_mu(CCTSA_MLDSA_65, pk->p, pk->n, sig, sizeof(sig), m.p));
				CHECK_OK(cctsa_mldsa_verify_mu(CCTSA_MLDSA_65, pk->p, pk->n, want.p, want.n, m.p));
			} else {
				CHECK_OK(cctsa_mldsa_verify(CCTSA_MLDSA_65, pk->p, pk->n, sig, sizeof(sig), m.p, m.n,
							    ctx.p, ctx.n));
				CHECK_OK(cctsa_mldsa_verify(CCTSA_MLDSA_65, pk->p, pk->n, want.p, want.n, m.p, m.n,
							    ctx.p, ctx.n));
			}
		} else {
			CHECK(want.n == sizeof(sig));
			CHECK_MEMEQ(sig, want.p, sizeof(sig));
		}
	}
	tv_free(&want);
	tv_free(&ctx);
	tv_free(&m);
	return (err == CCTSA_OK) == valid;
}

static void test_wycheproof_sign(const char *file, int seeded, unsigned long expect)
{
	json_t *doc = tv_load(file);
	const json_t *g, *t;
	size_t i, j;
	unsigned long n = 0;

	json_array_foreach(json_object_get(doc, "testGroups"), i, g) {
		tv_bytes pk = tv_hex_opt(g, "publicKey"), priv = tv_hex(g, seeded ? "privateSeed" : "privateKey");
		cctsa_mldsa_key *key = NULL;
		uint8_t pk2[CCTSA_MLDSA65_PK_LEN];
		if (seeded && priv.n == 32) {
			CHECK_OK(cctsa_mldsa_key_from_seed(&key, CCTSA_MLDSA_65, priv.p));
		} else if (!seeded) {
			cctsa_err err = cctsa_mldsa_key_from_sk(&key, CCTSA_MLDSA_65, priv.p, priv.n);
			CHECK(err == CCTSA_OK || err == CCTSA_E_MALFORMED);
		}
		if (key != NULL) {
			CHECK_OK(cctsa_mldsa_key_public(key, pk2, sizeof(pk2)));
			CHECK(pk.n == sizeof(pk2)); /* a group whose key loads lists its public key */
			CHECK_MEMEQ(pk2, pk.p, pk.n);
		}
		if (seeded && tv_has(g, "privateKeyPkcs8")) {
			/* the PKCS#8 form of the same key parses to the same key */
			tv_bytes p8 = tv_hex(g, "privateKeyPkcs8");
			cctsa_mldsa_key *k8 = NULL;
			cctsa_err err = cctsa_mldsa_pkcs8_parse(&k8, p8.p, p8.n, NULL);
			CHECK((err == CCTSA_OK) == (key != NULL));
			if (k8 != NULL) {
				CHECK_OK(cctsa_mldsa_key_public(k8, pk2, sizeof(pk2)));
				CHECK_MEMEQ(pk2, pk.p, pk.n);
			}
			cctsa_mldsa_key_free(k8);
			tv_free(&p8);
		}
		json_array_foreach(json_object_get(g, "tests"), j, t) {
			if (!wycheproof_sign_one(key, &pk, t)) {
				fprintf(stderr, "%s tcId %lld (%s) failed\n", file,
					(long long)json_integer_value(json_object_get(t, "tcId")), tv_str(t, "comment"));
				abort();
			}
			n++;
		}
		cctsa_mldsa_key_free(key);
		tv_free(&pk);
		tv_free(&priv);
	}
	report(file, n, 0, expect);
	json_decref(doc);
}

/* ---- KAT .rsp: "name = value" records separated by blank lines ---- */

typedef struct {
	char *xi, *pk, *sk, *msg, *sm, *ctx, *rng;
} kat_rec;

static char *kat_field(char *line, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(line, name, n) == 0 && strncmp(line + n, " = ", 3) == 0) {
		return line + n + 3;
	}
	return NULL;
}

static void kat_check(const kat_rec *r, int mode /* 0 pure det, 1 hedged, 2 raw */)
{
	tv_bytes xi = tv_hex_str(r->xi), pk = tv_hex_str(r->pk), sk = tv_hex_str(r->sk);
	tv_bytes msg = tv_hex_str(r->msg), sm = tv_hex_str(r->sm);
	tv_bytes ctx = tv_hex_str(r->ctx != NULL ? r->ctx : ""), rng = tv_hex_str(r->rng != NULL ? r->rng : "");
	uint8_t pk2[CCTSA_MLDSA65_PK_LEN], sk2[CCTSA_MLDSA65_SK_LEN], sig[CCTSA_MLDSA65_SIG_LEN];
	uint8_t rnd[32] = {0};
	cctsa_mldsa_key *key;

	CHECK(sm.n == sizeof(sig) + msg.n);
	CHECK_MEMEQ(sm.p + sizeof(sig), msg.p, msg.n);
	CHECK_OK(cctsa_mldsa_key_from_seed(&key, CCTSA_MLDSA_65, xi.p));
	CHECK_OK(cctsa_mldsa_key_public(key, pk2, sizeof(pk2)));
	CHECK_OK(cctsa_mldsa_key_private(key, sk2, sizeof(sk2)));
	CHECK(pk.n == sizeof(pk2) && sk.n == sizeof(sk2));
	CHECK_MEMEQ(pk2, pk.p, pk.n);
	CHECK_MEMEQ(sk2, sk.p, sk.n);
	if (mode == 1) {
		CHECK(rng.n == 32);
		memcpy(rnd, rng.p, 32);
	}
	if (mode == 2) {
		CHECK_OK(cctsa_mldsa_sign_internal(key, sig, sizeof(sig), msg.p, msg.n, rnd));
		CHECK_OK(cctsa_mldsa_verify_internal(CCTSA_MLDSA_65, pk.p, pk.n, sm.p, sizeof(sig), msg.p, msg.n));
	} else {
		CHECK_OK(cctsa_mldsa_sign_rnd(key, sig, sizeof(sig), msg.p, msg.n, ctx.p, ctx.n, rnd));
		CHECK_OK(cctsa_mldsa_verify(CCTSA_MLDSA_65, pk.p, pk.n, sm.p, sizeof(sig), msg.p, msg.n, ctx.p,
					    ctx.n));
	}
	CHECK_MEMEQ(sig, sm.p, sizeof(sig));
	cctsa_mldsa_key_free(key);
	tv_free(&xi);
	tv_free(&pk);
	tv_free(&sk);
	tv_free(&msg);
	tv_free(&sm);
	tv_free(&ctx);
	tv_free(&rng);
}

static void test_kat(const char *rel, int mode)
{
	char path[1024];
	cctsa_buf file;
	kat_rec r = {0};
	unsigned long n = 0;
	char *line, *save = NULL;

	CHECK_OK(cctsa_file_read(&file, check_testdata(path, sizeof(path), rel), 16u << 20, NULL));
	CHECK_OK(cctsa_buf_put_u8(&file, 0));
	for (line = strtok_r((char *)file.data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *v;
		line[strcspn(line, "\r")] = 0;
		if ((v = kat_field(line, "xi")) != NULL) {
			r.xi = v;
		} else if ((v = kat_field(line, "pk")) != NULL) {
			r.pk = v;
		} else if ((v = kat_field(line, "sk")) != NULL) {
			r.sk = v;
		} else if ((v = kat_field(line, "msg")) != NULL) {
			r.msg = v;
		} else if ((v = kat_field(line, "ctx")) != NULL) {
			r.ctx = v;
		} else if ((v = kat_field(line, "rng")) != NULL) {
			r.rng = v;
		} else if ((v = kat_field(line, "sm")) != NULL) {
			r.sm = v;
		}
		if (r.xi && r.pk && r.sk && r.msg && r.sm && (mode == 2 || r.ctx) && (mode != 1 || r.rng)) {
			kat_check(&r, mode);
			memset(&r, 0, sizeof(r));
			n++;
		}
	}
	cctsa_buf_free(&file);
	report(rel, n, 0, 100);
}

/* ---- random round trips, tampering and every error return ---- */

static void test_roundtrip(uint64_t *rng, unsigned long iters)
{
	static const cctsa_mldsa_alg algs[3] = {CCTSA_MLDSA_44, CCTSA_MLDSA_65, CCTSA_MLDSA_87};
	uint8_t seed[32], msg[300], ctx[256], pk[CCTSA_MLDSA_PK_MAX], sig[CCTSA_MLDSA_SIG_MAX];
	uint8_t sig2[CCTSA_MLDSA_SIG_MAX], mu[64], sk[CCTSA_MLDSA_SK_MAX];

	for (int a = 0; a < 3; a++) {
		cctsa_mldsa_alg alg = algs[a];
		size_t pkl = cctsa_mldsa_pk_len(alg), sigl = cctsa_mldsa_sig_len(alg);
		for (unsigned long it = 0; it < iters; it++) {
			cctsa_mldsa_key *key;
			size_t ml = (size_t)(check_rand(rng) % sizeof(msg)), cl = (size_t)(check_rand(rng) % 256);
			for (size_t i = 0; i < sizeof(seed); i++) {
				seed[i] = (uint8_t)check_rand(rng);
			}
			for (size_t i = 0; i < sizeof(msg); i++) {
				msg[i] = (uint8_t)check_rand(rng);
			}
			for (size_t i = 0; i < sizeof(ctx); i++) {
				ctx[i] = (uint8_t)check_rand(rng);
			}
			CHECK_OK(cctsa_mldsa_key_from_seed(&key, alg, seed));
			CHECK(cctsa_mldsa_key_alg(key) == alg);
			CHECK_OK(cctsa_mldsa_key_public(key, pk, pkl));
			CHECK_OK(cctsa_mldsa_sign(key, sig, sigl, msg, ml, ctx, cl, 0));
			CHECK_OK(cctsa_mldsa_verify(alg, pk, pkl, sig, sigl, msg, ml, ctx, cl));
			/* deterministic signing is repeatable; hedged signing differs from it */
			CHECK_OK(cctsa_mldsa_sign(key, sig2, sigl, msg, ml, ctx, cl, CCTSA_MLDSA_DETERMINISTIC));
			CHECK_OK(cctsa_mldsa_sign(key, sig, sigl, msg, ml, ctx, cl, CCTSA_MLDSA_DETERMINISTIC));
			CHECK_MEMEQ(sig, sig2, sigl);
			/* the mu interface agrees with the pure one */
			CHECK_OK(cctsa_mldsa_compute_mu(mu, pk, pkl, msg, ml, ctx, cl));
			CHECK_OK(cctsa_mldsa_verify_mu(alg, pk, pkl, sig, sigl, mu));
			/* a flipped bit anywhere, another message or another context: rejected */
			size_t bit = (size_t)(check_rand(rng) % (8 * sigl));
			sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			CHECK_ERR(cctsa_mldsa_verify(alg, pk, pkl, sig, sigl, msg, ml, ctx, cl), CCTSA_E_VERIFY);
			sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			msg[0] ^= 1;
			CHECK_ERR(cctsa_mldsa_verify(alg, pk, pkl, sig, sigl, msg, ml + 1, ctx, cl), CCTSA_E_VERIFY);
			msg[0] ^= 1;
			CHECK_ERR(cctsa_mldsa_verify(alg, pk, pkl, sig, sigl, msg, ml, ctx, (cl + 1) % 256), CCTSA_E_VERIFY);
			pk[40] ^= 4;
			CHECK_ERR(cctsa_mldsa_verify(alg, pk, pkl, sig, sigl, msg, ml, ctx, cl), CCTSA_E_VERIFY);
			pk[40] ^= 4;
			/* an expanded key with a flipped t0 bit fails the consistency check */
			CHECK_OK(cctsa_mldsa_key_private(key, sk, cctsa_mldsa_sk_len(alg)));
			sk[cctsa_mldsa_sk_len(alg) - 5] ^= 0x10;
			cctsa_mldsa_key *bad = (cctsa_mldsa_key *)1;
			CHECK_ERR(cctsa_mldsa_key_from_sk(&bad, alg, sk, cctsa_mldsa_sk_len(alg)), CCTSA_E_MALFORMED);
			CHECK(bad == NULL);
			sk[100] ^= 1; /* inside tr */
			sk[cctsa_mldsa_sk_len(alg) - 5] ^= 0x10;
			CHECK_ERR(cctsa_mldsa_key_from_sk(&bad, alg, sk, cctsa_mldsa_sk_len(alg)), CCTSA_E_MALFORMED);
			cctsa_mldsa_key_free(key);
		}
	}
}

static void test_errors(void)
{
	uint8_t seed[32] = {1}, pk[CCTSA_MLDSA65_PK_LEN], sk[CCTSA_MLDSA65_SK_LEN];
	uint8_t sigbuf[CCTSA_MLDSA65_SIG_LEN + 1], *sig = sigbuf; 
	uint8_t ctx[256] = {0}, mu[64] = {0};
	cctsa_mldsa_key *key, *key2;

	CHECK(cctsa_mldsa_pk_len((cctsa_mldsa_alg)3) == 0 && cctsa_mldsa_sig_len((cctsa_mldsa_alg)3) == 0 &&
	      cctsa_mldsa_sk_len((cctsa_mldsa_alg)3) == 0);
	CHECK_ERR(cctsa_mldsa_key_from_seed(&key, (cctsa_mldsa_alg)3, seed), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_mldsa_key_from_sk(&key, (cctsa_mldsa_alg)3, sk, sizeof(sk)), CCTSA_E_USAGE);
	CHECK_OK(cctsa_mldsa_key_from_seed(&key, CCTSA_MLDSA_65, seed));
	CHECK_ERR(cctsa_mldsa_key_from_sk(&key2, CCTSA_MLDSA_65, sk, sizeof(sk) - 1), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_mldsa_key_public(key, pk, sizeof(pk) - 1), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_mldsa_key_private(key, sk, sizeof(sk) + 1), CCTSA_E_USAGE);
	CHECK_OK(cctsa_mldsa_key_public(key, pk, sizeof(pk)));
	CHECK_OK(cctsa_mldsa_key_private(key, sk, sizeof(sk)));
	CHECK_ERR(cctsa_mldsa_sign(key, sig, (size_t)CCTSA_MLDSA65_SIG_LEN - 1, NULL, 0, NULL, 0, 0), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_mldsa_sign(key, sig, (size_t)CCTSA_MLDSA65_SIG_LEN, NULL, 0, ctx, 256, 0), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_mldsa_sign(key, sig, (size_t)CCTSA_MLDSA65_SIG_LEN, NULL, 0, NULL, 0, 2), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_mldsa_sign_mu(key, sig, (size_t)CCTSA_MLDSA65_SIG_LEN + 1, mu, mu), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_mldsa_compute_mu(mu, pk, sizeof(pk), NULL, 0, ctx, 256), CCTSA_E_USAGE);
	CHECK_OK(cctsa_mldsa_sign(key, sig, (size_t)CCTSA_MLDSA65_SIG_LEN, NULL, 0, NULL, 0, 0));
	CHECK_OK(cctsa_mldsa_verify(CCTSA_MLDSA_65, pk, sizeof(pk), sig, (size_t)CCTSA_MLDSA65_SIG_LEN, NULL, 0, NULL, 0));
	CHECK_ERR(cctsa_mldsa_verify(CCTSA_MLDSA_65, pk, sizeof(pk), sig, (size_t)CCTSA_MLDSA65_SIG_LEN, NULL, 0, ctx, 256),
		  CCTSA_E_VERIFY);
	CHECK_ERR(cctsa_mldsa_verify(CCTSA_MLDSA_65, pk, sizeof(pk) - 1, sig, (size_t)CCTSA_MLDSA65_SIG_LEN, NULL, 0, NULL, 0),
		  CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_mldsa_verify(CCTSA_MLDSA_65, pk, sizeof(pk), sig, (size_t)CCTSA_MLDSA65_SIG_LEN - 1, NULL, 0, NULL, 0),
		  CCTSA_E_VERIFY);
	CHECK_ERR(cctsa_mldsa_verify((cctsa_mldsa_alg)3, pk, sizeof(pk), sig, (size_t)CCTSA_MLDSA65_SIG_LEN, NULL, 0, NULL, 0),
		  CCTSA_E_USAGE);
	CHECK_ERR(cctsa_mldsa_verify(CCTSA_MLDSA_44, pk, sizeof(pk), sig, (size_t)CCTSA_MLDSA65_SIG_LEN, NULL, 0, NULL, 0),
		  CCTSA_E_MALFORMED);
	CHECK_OK(cctsa_mldsa_key_from_sk(&key2, CCTSA_MLDSA_65, sk, sizeof(sk)));
	CHECK_ERR(cctsa_mldsa_key_seed(key2, seed), CCTSA_E_STATE);
	CHECK_OK(cctsa_mldsa_key_seed(key, seed));
	CHECK(seed[0] == 1);
	cctsa_mldsa_key_free(key);
	cctsa_mldsa_key_free(key2);
	cctsa_mldsa_key_free(NULL);
}

int main(void)
{
	uint64_t rng = check_seed() | 1;

	test_decompose_exhaustive();
	test_ntt(&rng);
	test_packing(&rng);
	test_errors();
	test_roundtrip(&rng, check_iters(10));
	test_acvp_keygen();
	test_acvp_siggen();
	test_acvp_sigver();
	test_wycheproof_verify();
	test_wycheproof_sign("mldsa/wycheproof/mldsa_65_sign_seed_test.json", 1, 105);
	test_wycheproof_sign("mldsa/wycheproof/mldsa_65_sign_noseed_test.json", 0, 78);
	test_kat("mldsa/kat-pqc-katrepo/kat_MLDSA_65_det_pure.rsp", 0);
	test_kat("mldsa/kat-pqc-katrepo/kat_MLDSA_65_hedged_pure.rsp", 1);
	test_kat("mldsa/kat-pqc-katrepo/kat_MLDSA_65_det_raw.rsp", 2);
	fprintf(stderr, "%-52s   skipped: HashML-DSA is not offered\n",
		"mldsa/kat-pqc-katrepo/kat_MLDSA_65_det_hashed.rsp");
	fprintf(stderr, "mldsa_test: ok\n");
	return 0;
}
