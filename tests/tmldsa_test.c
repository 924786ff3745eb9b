/*
 * tmldsa unit tests: parameters (spec §7(g)), RSS partition (§7(c)) and dealer
 * keygen (§7(a)) against the known-answer file, the hyperball sampler against its
 * debug vectors, wire decoders, signing with all 10 signing sets (§7(b)), the DKG,
 * 2-party impossibility, negative tests (§7(e)) and statistics (§7(d)).
 * Env: CCTSA_SHARED (spec + KAT), CCTSA_TEST_SEED, TMLDSA_STATS_ATTEMPTS.
 */
#include <jansson.h>
#include <math.h>

#include "tmldsa/tmldsa_int.h"
#include "tmldsa_util.h"

static json_t *kat;

static void load_kat(void)
{
	const char *root = getenv("CCTSA_SHARED");
	char path[4096];
	json_error_t je;

	CHECK(root != NULL);
	snprintf(path, sizeof(path), "%s/specs/threshold-ml-dsa-kat.json", root);
	kat = json_load_file(path, JSON_DECODE_INT_AS_REAL, &je);
	if (kat == NULL) {
		fprintf(stderr, "cannot load %s: %s\n", path, je.text);
	}
	CHECK(kat != NULL);
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	CHECK(s != NULL);
	return s;
}

static size_t jhex(uint8_t *out, size_t cap, json_t *o, const char *k)
{
	size_t n = 0;

	CHECK_OK(cctsa_hex_decode(out, cap, &n, jstr(o, k)));
	return n;
}

/* §7(g): r and r' from the formulas of spec §1.2. */
static void test_params(void)
{
	cctsa_tmldsa_derived d;

	cctsa_tmldsa_params_derive(&d);
	printf("params: sigma_s %.6f B %.4f M %.4f r %.4f r' %.4f\n", d.sigma_s, d.b, d.m, d.r, d.rp);
	CHECK(fabs(d.b - 1862.9047) < 1e-3);
	CHECK(fabs(d.m - 3.3250) < 1e-3);
	CHECK(fabs(d.r - 552909.9076) < 1e-3);
	CHECK(fabs(d.rp - 553145.8587) < 1e-3);
	CHECK(floor(d.r) == CCTSA_TMLDSA_R && floor(d.rp) == CCTSA_TMLDSA_RP);
	/* r'^2 = r^2 + B^2 + 2rB/phi */
	CHECK(fabs(d.rp * d.rp - (d.r * d.r + d.b * d.b + 2 * d.r * d.b / 8.0)) < 1e-3 * d.rp);
}

static unsigned mask_of_name(const char *s)
{
	unsigned m = 0;

	for (; *s; s++) {
		m |= 1u << (*s - '0');
	}
	return m;
}

/* §7(c) and spec §2.2: the partition table, checked against the KAT and as a partition. */
static void test_partition(void)
{
	json_t *arr = json_object_get(kat, "rss_partition");
	uint8_t part[CCTSA_TMLDSA_N][4];
	unsigned count[CCTSA_TMLDSA_N];
	size_t i;
	json_t *e;

	CHECK(json_array_size(arr) == 10);
	json_array_foreach(arr, i, e) {
		unsigned act = (unsigned)(long)json_number_value(json_object_get(e, "act_mask"));
		json_t *asg = json_object_get(e, "assignment");
		unsigned seen = 0;
		const char *who;
		json_t *list;

		CHECK_OK(cctsa_tmldsa_partition(part, count, act));
		json_object_foreach(asg, who, list) {
			unsigned u = (unsigned)(who[0] - '0');

			CHECK(count[u] == json_array_size(list));
			for (unsigned k = 0; k < count[u]; k++) {
				unsigned m = mask_of_name(json_string_value(json_array_get(list, k)));

				CHECK(part[u][k] == m);
				CHECK(m & (1u << u));   /* to one of its members */
				CHECK(!(seen & (1u << tm_subset_index(m)))); /* once */
				seen |= 1u << tm_subset_index(m);
			}
		}
		CHECK(seen == 0x3ff);
		for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
			CHECK((count[u] != 0) == ((act >> u) & 1));
		}
	}
	CHECK_ERR(cctsa_tmldsa_partition(part, count, 3), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_tmldsa_partition(part, count, 15), CCTSA_E_USAGE);
	CHECK_ERR(cctsa_tmldsa_partition(part, count, 32 | 7), CCTSA_E_USAGE);
	printf("partition: 10 signing sets match the KAT\n");
}

static void check_share_kat(cctsa_tmldsa_share *sh0, json_t *k)
{
	uint8_t enc[CCTSA_TMLDSA_SHARE_LEN], want[64];
	json_t *bs = json_object_get(k, "party0_base_secrets_sha256"), *e;
	char hex[65];
	size_t i;

	cctsa_tmldsa_share_encode(enc, sh0);
	tmt_sha256_hex(hex, enc, sizeof(enc));
	CHECK(strcmp(hex, jstr(k, "party0_share_serialization_sha256")) == 0);
	CHECK(jhex(want, 32, k, "key_0_hex") == 32);
	CHECK_MEMEQ(enc + 33, want, 32);
	json_array_foreach(bs, i, e) {
		CHECK(enc[129 + i * 1409] == (long)json_number_value(json_object_get(e, "mask")));
		tmt_sha256_hex(hex, enc + 130 + i * 1409, 1408);
		CHECK(strcmp(hex, jstr(e, "sha256_of_1408_byte_packing")) == 0);
	}
	cctsa_wipe(enc, sizeof(enc));
}

/* §7(a): trusted-dealer keygen KAT (rho, pk, tr, key_0, party 0's share). */
static void test_dealer_kat(void)
{
	json_t *arr = json_object_get(kat, "keygen"), *k;
	size_t i;

	json_array_foreach(arr, i, k) {
		uint8_t seed[32], want[CCTSA_TMLDSA_PK_LEN], pk[CCTSA_TMLDSA_PK_LEN], tr[64];
		cctsa_tmldsa_share *sh[CCTSA_TMLDSA_N], *back = NULL;
		uint8_t enc[CCTSA_TMLDSA_SHARE_LEN], enc2[CCTSA_TMLDSA_SHARE_LEN];
		char hex[65];

		CHECK(jhex(seed, 32, k, "seed_hex") == 32);
		CHECK_OK(cctsa_tmldsa_dealer_keygen(pk, sh, seed));
		CHECK(jhex(want, 32, k, "rho_hex") == 32);
		CHECK_MEMEQ(pk, want, 32);
		tmt_sha256_hex(hex, pk, sizeof(pk));
		CHECK(strcmp(hex, jstr(k, "pk_sha256")) == 0);
		if (json_object_get(k, "pk_hex") != NULL) {
			CHECK(jhex(want, sizeof(want), k, "pk_hex") == CCTSA_TMLDSA_PK_LEN);
			CHECK_MEMEQ(pk, want, CCTSA_TMLDSA_PK_LEN);
		}
		CHECK(jhex(want, 64, k, "tr_hex") == 64);
		tm_tr(tr, pk);
		CHECK_MEMEQ(tr, want, 64);
		check_share_kat(sh[0], k);
		/* decode(encode(share)) round trip, and rejection for another pk */
		for (unsigned u = 0; u < CCTSA_TMLDSA_N; u++) {
			cctsa_tmldsa_share_encode(enc, sh[u]);
			CHECK_OK(cctsa_tmldsa_share_decode(&back, enc, sizeof(enc), pk, NULL));
			cctsa_tmldsa_share_encode(enc2, back);
			CHECK_MEMEQ(enc, enc2, sizeof(enc));
			cctsa_tmldsa_share_free(back);
			CHECK_ERR(cctsa_tmldsa_share_decode(&back, enc, sizeof(enc) - 1, pk, NULL),
				  CCTSA_E_MALFORMED);
			enc[200] = 0x99; /* nibble 9 > 2 eta */
			CHECK_ERR(cctsa_tmldsa_share_decode(&back, enc, sizeof(enc), pk, NULL),
				  CCTSA_E_MALFORMED);
			pk[40] ^= 1;
			CHECK_ERR(cctsa_tmldsa_share_decode(&back, enc, sizeof(enc), pk, NULL),
				  CCTSA_E_VERIFY);
			pk[40] ^= 1;
			CHECK(back == NULL);
			cctsa_tmldsa_share_free(sh[u]);
		}
	}
	printf("dealer keygen: %zu KAT keys match (pk, tr, key_0, share of party 0)\n",
	       json_array_size(arr));
}

/* The KAT signatures verify under this project's verifier and fail when changed. */
static void test_kat_signatures(void)
{
	json_t *arr = json_object_get(kat, "signature_examples"), *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		uint8_t pk[CCTSA_TMLDSA_PK_LEN], sig[CCTSA_TMLDSA_SIG_LEN], msg[2048], ctx[256];
		size_t ml = jhex(msg, sizeof(msg), e, "msg"), cl = jhex(ctx, sizeof(ctx), e, "ctx");

		CHECK(jhex(pk, sizeof(pk), e, "pk") == sizeof(pk));
		CHECK(jhex(sig, sizeof(sig), e, "sig") == sizeof(sig));
		CHECK_OK(tm_verify(pk, msg, ml, ctx, cl, sig));
		CHECK_ERR(tm_verify(pk, msg, ml, (const uint8_t *)"x", 1, sig), CCTSA_E_VERIFY);
		msg[0] ^= 1;
		CHECK_ERR(tm_verify(pk, msg, ml ? ml : 1, ctx, cl, sig), CCTSA_E_VERIFY);
	}
	printf("KAT signatures: %zu verify\n", json_array_size(arr));
}

/* Sampler vectors (informative floats; exact integers and u_t). */
static void test_hyperball(void)
{
	json_t *arr = json_object_get(json_object_get(kat, "hyperball_debug"), "vectors"), *v;
	static double x[TM_DIM];
	size_t i;

	json_array_foreach(arr, i, v) {
		uint8_t rho2[64], le[4 * TM_DIM];
		double s = 0, ns;
		char hex[65];

		CHECK(jhex(rho2, 64, v, "rho_pp_hex") == 64);
		tm_hyperball(x, rho2, (unsigned)(long)json_number_value(json_object_get(v, "j")));
		for (unsigned t = 0; t < TM_DIM; t++) {
			int32_t r = (int32_t)round(x[t]);

			for (unsigned b = 0; b < 4; b++) {
				le[4 * t + b] = (uint8_t)((uint32_t)r >> (8 * b));
			}
			s += t < TM_D1 ? x[t] * x[t] / 36.0 : x[t] * x[t];
		}
		tmt_sha256_hex(hex, le, sizeof(le));
		CHECK(strcmp(hex, jstr(v, "rounded_y_e_le32_sha256")) == 0);
		CHECK(fabs(x[0] - atof(json_string_value(json_array_get(json_object_get(v, "x_first4"), 0)))) < 1e-6);
		ns = atof(jstr(v, "norm_check"));
		CHECK(fabs(sqrt(s) - ns) < 1e-6);
		CHECK(sqrt(s) <= CCTSA_TMLDSA_RP);
	}
	printf("hyperball: %zu debug vectors match\n", json_array_size(arr));
}

/* Reference-code hint: 1 iff a0 is outside the low-bits range of a1 (Dilithium ref). */
static int hint_ref(int32_t a0, int32_t a1)
{
	return a0 > TM_GAMMA2 || a0 < -TM_GAMMA2 || (a0 == -TM_GAMMA2 && a1 != 0);
}

/*
 * §7(f): with |f| < gamma2, the three hint forms agree: [HighBits(w^) != HighBits(w)]
 * (what Combine computes), FIPS MakeHint(-f, w^) and the reference MakeHint on
 * (LowBits(w) + f, HighBits(w)); and UseHint(h, w^) = HighBits(w).
 */
static void test_hints(uint64_t seed)
{
	unsigned long n = check_iters(200000), bad = 0;
	uint64_t st = seed | 1;

	for (unsigned long i = 0; i < n; i += TM_NC) {
		tm_poly w, wh, w1, w0, wh1, wh0, mf, h, uh;

		for (unsigned t = 0; t < TM_NC; t++) {
			int32_t f = (int32_t)(check_rand(&st) % (2 * TM_GAMMA2 - 1)) - (TM_GAMMA2 - 1);

			w.c[t] = (int32_t)(check_rand(&st) % TM_Q);
			if (t < 16) { /* boundaries: around multiples of 2 gamma2 and q - 1 */
				w.c[t] = (int32_t)((2 * TM_GAMMA2 * (check_rand(&st) % 16) + t - 8 + TM_Q) % TM_Q);
			}
			wh.c[t] = tm_modq((int64_t)w.c[t] + f);
			mf.c[t] = -f;
		}
		mldsa_poly_decompose(&w1, &w0, &w, TM_GAMMA2);
		mldsa_poly_decompose(&wh1, &wh0, &wh, TM_GAMMA2);
		(void)mldsa_poly_make_hint(&h, &mf, &wh, TM_GAMMA2);
		mldsa_poly_use_hint_var(&uh, &wh, &h, TM_GAMMA2);
		for (unsigned t = 0; t < TM_NC; t++) {
			int32_t f = -mf.c[t];
			int mine = wh1.c[t] != w1.c[t];
			int ref = hint_ref(w0.c[t] + f, w1.c[t]);

			bad += (unsigned long)(mine != h.c[t] || mine != ref || uh.c[t] != w1.c[t]);
		}
	}
	printf("hints: %lu random and boundary (w, f), %lu disagreements\n", n, bad);
	CHECK(bad == 0);
}

#include "tmldsa/wire_test.inc"
#include "tmldsa/proto_test.inc"

int main(void)
{
	uint64_t seed = check_seed();

	setvbuf(stdout, NULL, _IONBF, 0);
	load_kat();
	test_params();
	test_partition();
	test_dealer_kat();
	test_kat_signatures();
	test_hyperball();
	test_hints(seed);
	test_wire();
	test_protocol();
	json_decref(kat);
	printf("tmldsa: all tests passed\n");
	return 0;
}
