/*
 * net: the ATTEST message of the peer channel (net.h): building our evidence
 * over the verifier's nonce, and checking a peer's evidence against our
 * measurement, the cluster roots, its TLS key of this session and our nonce.
 */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "base/ct.h"
#include "cctsa/net.h"
#include "net_int.h"

cctsa_err cctsa_net_provider_report(void *ctx, uint8_t out[static CCTSA_SNP_REPORT_LEN],
				    const uint8_t rd[static CCTSA_SNP_REPORT_DATA_LEN], cctsa_diag *diag)
{
	return cctsa_attest_get_report(ctx, out, rd, diag);
}

cctsa_err cctsa_net_key_hash(uint8_t out[static CCTSA_NET_HASH_LEN], const void *pkey, cctsa_diag *diag)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY((EVP_PKEY *)(uintptr_t)pkey, &der);
	unsigned int olen = 0;
	int ok;

	if (n <= 0) {
		memset(out, 0, CCTSA_NET_HASH_LEN);
		return cctsa_fail(diag, CCTSA_E_CRYPTO, "TLS key: cannot encode SubjectPublicKeyInfo");
	}
	ok = EVP_Digest(der, (size_t)n, out, &olen, EVP_sha384(), NULL);
	OPENSSL_free(der);
	if (ok != 1 || olen != CCTSA_NET_HASH_LEN) {
		memset(out, 0, CCTSA_NET_HASH_LEN);
		return cctsa_fail(diag, CCTSA_E_CRYPTO, "TLS key: SHA-384 failed");
	}
	return CCTSA_OK;
}

static cctsa_err put_blob16(cctsa_buf *b, const uint8_t *p, size_t n, const char *what, cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;

	if (n == 0 || n > UINT16_MAX) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "attestation chain: %s of %zu bytes", what, n);
	}
	CCTSA_TRY(cctsa_buf_put_u16be(b, (uint16_t)n));
	CCTSA_TRY(cctsa_buf_put(b, p, n));
out:
	return err;
}

cctsa_err cctsa_net_attest_build(cctsa_buf *out, cctsa_net_report_fn report, void *report_ctx,
				 const cctsa_snp_chain *chain, const uint8_t tls_key_hash[static CCTSA_NET_HASH_LEN],
				 const uint8_t config_hash[static CCTSA_NET_HASH_LEN],
				 const uint8_t nonce[static CCTSA_NET_NONCE_LEN], cctsa_diag *diag)
{
	cctsa_err err = CCTSA_OK;
	uint8_t rd[CCTSA_SNP_REPORT_DATA_LEN];
	uint8_t rep[CCTSA_SNP_REPORT_LEN];
	size_t start = out->len;

	if (chain->vek_len + chain->ask_len + chain->ark_len + CCTSA_SNP_REPORT_LEN + 6 > CCTSA_NET_ATTEST_MAX) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "attestation chain too large for ATTEST");
	}
	if (cctsa_snp_binding(rd, tls_key_hash, config_hash, nonce) != CCTSA_OK) {
		return cctsa_fail(diag, CCTSA_E_CRYPTO, "attestation: REPORT_DATA binding failed");
	}
	CCTSA_TRY(report(report_ctx, rep, rd, diag));
	CCTSA_TRY(cctsa_buf_put(out, rep, sizeof(rep)));
	CCTSA_TRY(put_blob16(out, chain->vek, chain->vek_len, "VEK", diag));
	CCTSA_TRY(put_blob16(out, chain->ask, chain->ask_len, "ASK", diag));
	CCTSA_TRY(put_blob16(out, chain->ark, chain->ark_len, "ARK", diag));
out:
	if (err != CCTSA_OK && out->len > start) {
		out->len = start;
	}
	if (err == CCTSA_E_RESOURCE) {
		(void)cctsa_fail(diag, err, "attestation: out of memory");
	}
	return err;
}

cctsa_err net_attest_parse(const uint8_t **report, cctsa_snp_chain *chain, const uint8_t *p, size_t len)
{
	cctsa_cursor c;
	uint16_t l1 = 0, l2 = 0, l3 = 0;

	memset(chain, 0, sizeof(*chain));
	*report = NULL;
	cctsa_cursor_init(&c, p, len);
	if (cctsa_cursor_get_view(&c, report, CCTSA_SNP_REPORT_LEN) != CCTSA_OK ||
	    cctsa_cursor_get_u16be(&c, &l1) != CCTSA_OK || l1 == 0 ||
	    cctsa_cursor_get_view(&c, &chain->vek, l1) != CCTSA_OK ||
	    cctsa_cursor_get_u16be(&c, &l2) != CCTSA_OK || l2 == 0 ||
	    cctsa_cursor_get_view(&c, &chain->ask, l2) != CCTSA_OK ||
	    cctsa_cursor_get_u16be(&c, &l3) != CCTSA_OK || l3 == 0 ||
	    cctsa_cursor_get_view(&c, &chain->ark, l3) != CCTSA_OK || cctsa_cursor_finish(&c) != CCTSA_OK) {
		memset(chain, 0, sizeof(*chain));
		*report = NULL;
		return CCTSA_E_MALFORMED;
	}
	chain->vek_len = l1;
	chain->ask_len = l2;
	chain->ark_len = l3;
	return CCTSA_OK;
}

static cctsa_err refuse(cctsa_net_refusal *why, cctsa_net_refuse_reason r, cctsa_err err, const char *msg)
{
	why->reason = r;
	return cctsa_fail(&why->diag, err, "%s", msg);
}

static void fill_info(cctsa_net_peer_info *info, const cctsa_snp_result *res, const uint8_t *report,
		      const uint8_t key_hash[static CCTSA_NET_HASH_LEN])
{
	memset(info, 0, sizeof(*info));
	memcpy(info->measurement, res->report.measurement, sizeof(info->measurement));
	memcpy(info->tls_key_hash, key_hash, CCTSA_NET_HASH_LEN);
	memcpy(info->chip_id, res->report.chip_id, sizeof(info->chip_id));
	info->policy = res->report.policy;
	info->reported_tcb = res->report.reported_tcb;
	info->simulated = res->simulated;
	info->product = res->product;
	memcpy(info->report, report, CCTSA_SNP_REPORT_LEN);
}

cctsa_err cctsa_net_attest_verify(cctsa_net_peer_info *info, cctsa_net_refusal *why, const cctsa_net_verifier *v,
				  int64_t at, const uint8_t *payload, size_t len,
				  const uint8_t peer_key_hash[static CCTSA_NET_HASH_LEN],
				  const uint8_t nonce[static CCTSA_NET_NONCE_LEN])
{
	cctsa_err err = CCTSA_OK;
	const uint8_t *report = NULL;
	cctsa_snp_chain chain;
	cctsa_snp_policy pol;
	cctsa_snp_result *res = NULL;
	uint8_t rd[CCTSA_SNP_REPORT_DATA_LEN];

	memset(info, 0, sizeof(*info));
	memset(why, 0, sizeof(*why));
	if (net_attest_parse(&report, &chain, payload, len) != CCTSA_OK) {
		return refuse(why, CCTSA_NET_REFUSE_PROTOCOL, CCTSA_E_MALFORMED,
			      "ATTEST: bad layout");
	}
	if (v->allow_simulated && v->sim_ark != NULL &&
	    (chain.ark_len != v->sim_ark_len || cctsa_memcmp_var(chain.ark, v->sim_ark, chain.ark_len) != 0)) {
		return refuse(why, CCTSA_NET_REFUSE_ROOT, CCTSA_E_VERIFY,
			      "ATTEST: simulated ARK is not this cluster's");
	}
	if (cctsa_snp_binding(rd, peer_key_hash, v->config_hash, nonce) != CCTSA_OK) {
		return refuse(why, CCTSA_NET_REFUSE_LOCAL, CCTSA_E_CRYPTO, "ATTEST: binding failed");
	}
	res = cctsa_mem_alloc(sizeof(*res));
	if (res == NULL) {
		return refuse(why, CCTSA_NET_REFUSE_LOCAL, CCTSA_E_RESOURCE, "ATTEST: out of memory");
	}
	cctsa_snp_policy_init(&pol);
	pol.at = at;
	pol.measurement = v->measurement;
	pol.report_data = rd;
	pol.min_tcb = v->min_tcb;
	pol.allow_simulated = v->allow_simulated;
	err = cctsa_snp_verify(res, report, CCTSA_SNP_REPORT_LEN, &chain, &pol, &why->diag);
	if (err == CCTSA_OK && res->skipped != 0) {
		err = cctsa_fail(&why->diag, CCTSA_E_INTERNAL, "ATTEST: %u checks skipped", res->skipped);
	}
	if (err != CCTSA_OK) {
		why->reason = err == CCTSA_E_RESOURCE ? CCTSA_NET_REFUSE_LOCAL : CCTSA_NET_REFUSE_ATTEST;
		why->check = CCTSA_SNP_CHK_COUNT;
		for (unsigned i = 0; i < CCTSA_SNP_CHK_COUNT; i++) {
			if (res->status[i] == CCTSA_SNP_FAIL) {
				why->check = (cctsa_snp_check)i;
				break;
			}
		}
		goto out;
	}
	fill_info(info, res, report, peer_key_hash);
out:
	cctsa_mem_free(res);
	return err;
}

cctsa_err cctsa_net_attest_check_layout(const uint8_t *payload, size_t len)
{
	const uint8_t *report = NULL;
	cctsa_snp_chain chain;

	return net_attest_parse(&report, &chain, payload, len);
}
