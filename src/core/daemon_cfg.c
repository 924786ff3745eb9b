/* core daemon: cluster.json (CLUSTER.md), read with jansson and checked. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "daemon_int.h"

cctsa_err d_sha384_file(uint8_t out[48], const char *path, cctsa_diag *diag)
{
	cctsa_buf b;
	cctsa_err err = cctsa_file_read(&b, path, (size_t)256 << 20, diag);
	unsigned n = 0;

	if (err != CCTSA_OK) {
		return err;
	}
	if (EVP_Digest(b.data, b.len, out, &n, EVP_sha384(), NULL) != 1 || n != 48) {
		err = cctsa_fail(diag, CCTSA_E_CRYPTO, "SHA-384 failed");
	}
	cctsa_buf_free(&b);
	return err;
}

static int str_to(char *dst, size_t cap, json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL && strlen(s) < cap && snprintf(dst, cap, "%s", s) >= 0;
}

static cctsa_err bad(cctsa_diag *diag, const char *what)
{
	return cctsa_fail(diag, CCTSA_E_MALFORMED, "cluster.json: bad or missing %s", what);
}

static cctsa_err load_peers(dcfg *c, json_t *peers, cctsa_diag *diag)
{
	size_t i;
	json_t *p;

	if (!json_is_array(peers) || json_array_size(peers) != CCTSA_CORE_NODES) {
		return bad(diag, "peers (5 entries)");
	}
	json_array_foreach(peers, i, p) {
		json_int_t id = json_integer_value(json_object_get(p, "id"));
		json_int_t port = json_integer_value(json_object_get(p, "port"));

		if (id < 0 || id >= CCTSA_CORE_NODES || port <= 0 || port > 65535 ||
		    !str_to(c->peers[id].host, sizeof c->peers[id].host, json_object_get(p, "host"))) {
			return bad(diag, "peer entry");
		}
		c->peers[id].port = (uint16_t)port;
	}
	return CCTSA_OK;
}

static cctsa_err load_nts(dcfg *c, json_t *nts, cctsa_diag *diag)
{
	size_t i;
	json_t *p;

	if (!json_is_array(nts) || json_array_size(nts) == 0 || json_array_size(nts) > D_MAX_NTS) {
		return bad(diag, "nts (1..8 sources)");
	}
	json_array_foreach(nts, i, p) {
		json_int_t port = json_integer_value(json_object_get(p, "port"));

		if (port <= 0 || port > 65535 || !str_to(c->nts[i].host, sizeof c->nts[i].host, json_object_get(p, "host")) ||
		    !str_to(c->nts[i].ca, sizeof c->nts[i].ca, json_object_get(p, "ca"))) {
			return bad(diag, "nts entry");
		}
		c->nts[i].port = (uint16_t)port;
	}
	c->n_nts = json_array_size(nts);
	return CCTSA_OK;
}

/* "CN=...,O=..." (either order; no escaped commas). */
static cctsa_err load_name(dcfg *c, const char *name, cctsa_diag *diag)
{
	char tmp[256], *save = NULL;

	if (name == NULL || strlen(name) >= sizeof tmp) {
		return bad(diag, "tsa_name");
	}
	snprintf(tmp, sizeof tmp, "%s", name);
	for (char *t = strtok_r(tmp, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ') {
			t++;
		}
		if (strncmp(t, "CN=", 3) == 0) {
			snprintf(c->tsa_cn, sizeof c->tsa_cn, "%s", t + 3);
		} else if (strncmp(t, "O=", 2) == 0) {
			snprintf(c->tsa_org, sizeof c->tsa_org, "%s", t + 2);
		} else {
			return bad(diag, "tsa_name (only CN= and O=)");
		}
	}
	return c->tsa_cn[0] != '\0' ? CCTSA_OK : bad(diag, "tsa_name CN");
}

static cctsa_err load_policy(dcfg *c, json_t *pol, cctsa_diag *diag)
{
	json_t *al = json_object_get(pol, "allowed"), *v;
	size_t i;

	if (!str_to(c->pol_default, sizeof c->pol_default, json_object_get(pol, "default")) ||
	    !str_to(c->pol_pq, sizeof c->pol_pq, json_object_get(pol, "pq"))) {
		return bad(diag, "policy");
	}
	if (al != NULL && (!json_is_array(al) || json_array_size(al) > CCTSA_CORE_MAX_POLICIES)) {
		return bad(diag, "policy.allowed");
	}
	json_array_foreach(al, i, v) {
		if (!str_to(c->allowed[i], sizeof c->allowed[i], v)) {
			return bad(diag, "policy.allowed entry");
		}
		c->n_allowed = i + 1;
	}
	return CCTSA_OK;
}

static cctsa_err load_obj(dcfg *c, json_t *o, cctsa_diag *diag)
{
	json_t *att = json_object_get(o, "attestation"), *tm = json_object_get(o, "time");
	const char *tcb = json_string_value(json_object_get(att, "min_tcb"));
	json_int_t budget = json_integer_value(json_object_get(o, "mldsa_attempt_budget"));
	cctsa_err err = CCTSA_OK;

	if (json_integer_value(json_object_get(o, "version")) != 1 ||
	    json_integer_value(json_object_get(o, "nodes")) != CCTSA_CORE_NODES ||
	    json_integer_value(json_object_get(o, "threshold")) != CCTSA_CORE_THRESHOLD) {
		return bad(diag, "version/nodes/threshold (1/5/3)");
	}
	if (!str_to(c->dir, sizeof c->dir, json_object_get(o, "dir")) ||
	    !str_to(c->provider, sizeof c->provider, json_object_get(att, "provider")) || tcb == NULL) {
		return bad(diag, "dir or attestation");
	}
	c->min_tcb = strtoull(tcb, NULL, 16);
	c->tolerance_ms = (uint32_t)json_integer_value(json_object_get(tm, "tolerance_ms"));
	c->holdover_s = (uint32_t)json_integer_value(json_object_get(tm, "holdover_s"));
	c->budget = budget > 0 ? (uint64_t)budget : 0;
	CCTSA_TRY(load_peers(c, json_object_get(o, "peers"), diag));
	CCTSA_TRY(load_nts(c, json_object_get(o, "nts"), diag));
	CCTSA_TRY(load_policy(c, json_object_get(o, "policy"), diag));
	CCTSA_TRY(load_name(c, json_string_value(json_object_get(o, "tsa_name")), diag));
out:
	return err;
}

cctsa_err dcfg_load(dcfg *c, const char *path, unsigned node, cctsa_diag *diag)
{
	json_error_t je;
	json_t *o;
	cctsa_err err;

	memset(c, 0, sizeof *c);
	if (node >= CCTSA_CORE_NODES) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "--node must be 0..4");
	}
	c->id = node;
	err = d_sha384_file(c->config_hash, path, diag);
	if (err != CCTSA_OK) {
		return err;
	}
	o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(o)) {
		json_decref(o);
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "cluster.json: %s (line %d)", je.text, je.line);
	}
	err = load_obj(c, o, diag);
	json_decref(o);
	return err;
}
