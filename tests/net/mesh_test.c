/*
 * net mesh tests over loopback TLS with the sim provider: two and five nodes
 * mesh up and exchange messages (up to the 1 MiB limit), a dropped channel comes
 * back; the binding checks refuse a report bound to another TLS key, another
 * config hash, a stale nonce, a flipped bit, another chip, another measurement,
 * a debug or migration policy, a low TCB and a foreign root, each with its
 * reason; and a rogue node is refused over a real channel for each of: another
 * measurement, debug policy, replayed report, flipped bit, another chip's key,
 * another root.
 */
#include <arpa/inet.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cctsa/net.h"
#include "check.h"
#include "net/net_int.h"

#define N5 5

typedef struct {
	cctsa_snp_sim *sim;
	cctsa_snp_chain chain;
	uint8_t meas[48];
} sim_t;

static sim_t sim_a, sim_b, sim_c;
static uint8_t config_hash[48];

static void make_sim(sim_t *s, uint8_t meas_byte, uint64_t extra_policy)
{
	cctsa_snp_sim_opts o;

	cctsa_snp_sim_opts_init(&o);
	o.rsa_bits = 2048;
	memset(o.measurement, meas_byte, sizeof(o.measurement));
	o.policy |= extra_policy;
	memcpy(s->meas, o.measurement, 48);
	CHECK_OK(cctsa_snp_sim_new(&s->sim, &o, NULL));
	cctsa_snp_sim_chain(s->sim, &s->chain);
}

/* ---------------------------------------------------------------- report functions */

typedef enum { R_HONEST, R_REPLAY, R_FLIP, R_OTHER_CHIP } rmode;

typedef struct {
	sim_t *sim;    /* signs */
	sim_t *other;  /* R_OTHER_CHIP: signs instead */
	rmode mode;
	int saved_ok;
	uint8_t saved[CCTSA_SNP_REPORT_LEN];
	unsigned calls;
} reporter;

static cctsa_err report_fn(void *ctx, uint8_t out[static CCTSA_SNP_REPORT_LEN],
			   const uint8_t rd[static CCTSA_SNP_REPORT_DATA_LEN], cctsa_diag *diag)
{
	reporter *r = ctx;
	cctsa_err err;

	r->calls++;
	if (r->mode == R_REPLAY && r->saved_ok) {
		memcpy(out, r->saved, CCTSA_SNP_REPORT_LEN);
		return CCTSA_OK;
	}
	err = cctsa_snp_sim_report(r->mode == R_OTHER_CHIP ? r->other->sim : r->sim->sim, out, rd, 0, diag);
	if (err != CCTSA_OK) {
		return err;
	}
	if (r->mode == R_FLIP) {
		out[0x20] ^= 0x04; /* image_id: signed, no format rule */
	}
	memcpy(r->saved, out, CCTSA_SNP_REPORT_LEN);
	r->saved_ok = 1;
	return CCTSA_OK;
}

/* ---------------------------------------------------------------- pure binding checks */

static void verifier_for(cctsa_net_verifier *v, const sim_t *root, const uint8_t meas[48])
{
	memset(v, 0, sizeof(*v));
	memcpy(v->config_hash, config_hash, 48);
	memcpy(v->measurement, meas, 48);
	v->allow_simulated = 1;
	v->sim_ark = root->chain.ark;
	v->sim_ark_len = root->chain.ark_len;
}

static void expect_refused(const cctsa_buf *att, const cctsa_net_verifier *v, const uint8_t kh[48],
			   const uint8_t nonce[32], cctsa_net_refuse_reason reason, cctsa_snp_check check)
{
	cctsa_net_peer_info info;
	cctsa_net_refusal why;
	cctsa_err e = cctsa_net_attest_verify(&info, &why, v, (int64_t)time(NULL), att->data, att->len, kh, nonce);

	if (e == CCTSA_OK || why.reason != reason || (reason == CCTSA_NET_REFUSE_ATTEST && why.check != check)) {
		fprintf(stderr, "expected refusal %s/%s, got err %d reason %s check %s: %s\n",
			cctsa_net_refuse_name(reason), cctsa_snp_check_name(check), (int)e,
			cctsa_net_refuse_name(why.reason), cctsa_snp_check_name(why.check), why.diag.msg);
		CHECK(0);
	}
	CHECK(why.diag.msg[0] != '\0');
}

static void build(cctsa_buf *att, reporter *r, const cctsa_snp_chain *chain, const uint8_t kh[48],
		  const uint8_t ch[48], const uint8_t nonce[32])
{
	att->len = 0;
	CHECK_OK(cctsa_net_attest_build(att, report_fn, r, chain, kh, ch, nonce, NULL));
}

static void test_binding(void)
{
	cctsa_buf att;
	cctsa_net_verifier v;
	cctsa_net_peer_info info;
	cctsa_net_refusal why;
	uint8_t kh[48], kh2[48], ch2[48], n1[32], n2[32];
	reporter r = {&sim_a, &sim_c, R_HONEST, 0, {0}, 0};
	sim_t dbg, mig;

	memset(kh, 0x11, 48);
	memset(kh2, 0x12, 48);
	memset(ch2, 0x99, 48);
	memset(n1, 0x21, 32);
	memset(n2, 0x22, 32);
	cctsa_buf_init(&att, 0);
	verifier_for(&v, &sim_a, sim_a.meas);
	build(&att, &r, &sim_a.chain, kh, config_hash, n1);
	CHECK_OK(cctsa_net_attest_verify(&info, &why, &v, (int64_t)time(NULL), att.data, att.len, kh, n1));
	CHECK(memcmp(info.measurement, sim_a.meas, 48) == 0 && info.simulated == 1 &&
	      memcmp(info.tls_key_hash, kh, 48) == 0);
	CHECK_OK(cctsa_net_attest_check_layout(att.data, att.len));
	/* the same evidence presented on a session with another TLS key, or answering another nonce */
	expect_refused(&att, &v, kh2, n1, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_REPORT_DATA);
	expect_refused(&att, &v, kh, n2, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_REPORT_DATA);
	/* bound to another cluster configuration */
	build(&att, &r, &sim_a.chain, kh, ch2, n1);
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_REPORT_DATA);
	/* a flipped bit in the signed report, the report of another chip */
	r.mode = R_FLIP;
	build(&att, &r, &sim_a.chain, kh, config_hash, n1);
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_SIGNATURE);
	r.mode = R_OTHER_CHIP;
	build(&att, &r, &sim_a.chain, kh, config_hash, n1);
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_SIGNATURE);
	/* another measurement under the same root */
	r.mode = R_HONEST;
	r.sim = &sim_b;
	build(&att, &r, &sim_b.chain, kh, config_hash, n1);
	verifier_for(&v, &sim_b, sim_a.meas);
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_MEASUREMENT);
	/* a root that is not the cluster's */
	verifier_for(&v, &sim_a, sim_b.meas);
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_ROOT, CCTSA_SNP_CHK_COUNT);
	/* without a pinned cluster ARK any simulator root is accepted, the rest still checked */
	verifier_for(&v, &sim_a, sim_b.meas);
	v.sim_ark = NULL;
	v.sim_ark_len = 0;
	CHECK_OK(cctsa_net_attest_verify(&info, &why, &v, (int64_t)time(NULL), att.data, att.len, kh, n1));
	expect_refused(&att, &v, kh, n2, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_REPORT_DATA);
	memcpy(v.measurement, sim_a.meas, 48);
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_MEASUREMENT);
	/* a sev-guest cluster (pinned AMD roots) refuses the simulator */
	memcpy(v.measurement, sim_b.meas, 48);
	v.allow_simulated = 0;
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_ARK);
	/* TCB below the minimum (sim TCB: bl 4, tee 0, snp 22, ucode 213) */
	verifier_for(&v, &sim_b, sim_b.meas);
	CHECK_OK(cctsa_net_attest_verify(&info, &why, &v, (int64_t)time(NULL), att.data, att.len, kh, n1));
	v.min_tcb.snp = 23;
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_MIN_TCB);
	/* debug and migration-agent policies */
	make_sim(&dbg, 0xA1, CCTSA_SNP_POLICY_DEBUG);
	make_sim(&mig, 0xA1, CCTSA_SNP_POLICY_MIGRATE_MA);
	r.sim = &dbg;
	build(&att, &r, &dbg.chain, kh, config_hash, n1);
	verifier_for(&v, &dbg, dbg.meas);
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_POLICY);
	r.sim = &mig;
	build(&att, &r, &mig.chain, kh, config_hash, n1);
	verifier_for(&v, &mig, mig.meas);
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_ATTEST, CCTSA_SNP_CHK_POLICY);
	/* layout: truncated at every length, one trailing byte */
	for (size_t n = 0; n < att.len; n++) {
		CHECK_ERR(cctsa_net_attest_check_layout(att.data, n), CCTSA_E_MALFORMED);
	}
	CHECK_OK(cctsa_buf_put_u8(&att, 0));
	CHECK_ERR(cctsa_net_attest_check_layout(att.data, att.len), CCTSA_E_MALFORMED);
	expect_refused(&att, &v, kh, n1, CCTSA_NET_REFUSE_PROTOCOL, CCTSA_SNP_CHK_COUNT);
	cctsa_snp_sim_free(dbg.sim);
	cctsa_snp_sim_free(mig.sim);
	cctsa_buf_free(&att);
}

#include "net/mesh_test_live.h"
#include "net/mesh_test_frames.h"

int main(void)
{
	memset(config_hash, 0xC0, sizeof(config_hash));
	make_sim(&sim_a, 0xA1, 0);
	make_sim(&sim_b, 0xB2, 0);
	make_sim(&sim_c, 0xA1, 0);
	test_binding();
	test_live();
	test_bad_frames();
	cctsa_snp_sim_free(sim_a.sim);
	cctsa_snp_sim_free(sim_b.sim);
	cctsa_snp_sim_free(sim_c.sim);
	return 0;
}
