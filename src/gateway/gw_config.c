/* cluster.json for one gateway (gateway.h, CLUSTER.md). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cctsa/gateway.h"

static cctsa_err port_of(json_t *o, const char *key, uint16_t *out, cctsa_diag *diag)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 65535) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "cluster config: gateways[].%s must be a port", key);
	}
	*out = (uint16_t)json_integer_value(v);
	return CCTSA_OK;
}

static cctsa_err fill_paths(cctsa_gateway_cluster *c, cctsa_diag *diag)
{
	int n1 = snprintf(c->core_sock, sizeof(c->core_sock), "%s/node-%d/core.sock", c->dir, c->node);
	int n2 = snprintf(c->tls_cert, sizeof(c->tls_cert), "%s/node-%d/gateway.pem", c->dir, c->node);
	int n3 = snprintf(c->tls_key, sizeof(c->tls_key), "%s/node-%d/gateway.key", c->dir, c->node);

	if (n1 < 0 || n2 < 0 || n3 < 0 || (size_t)n1 >= sizeof(c->core_sock) ||
	    (size_t)n2 >= sizeof(c->tls_cert) || (size_t)n3 >= sizeof(c->tls_key) || n1 >= 108) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "cluster config: dir too long for a Unix socket path");
	}
	return CCTSA_OK;
}

static cctsa_err limits(cctsa_gateway_cluster *c, json_t *root, cctsa_diag *diag)
{
	json_t *gw = json_object_get(root, "gateway"), *r, *b, *m;

	c->rate_per_s = 200;
	c->burst = 400;
	c->max_inflight = 8;
	if (gw == NULL) {
		return CCTSA_OK;
	}
	r = json_object_get(gw, "rate_per_s");
	b = json_object_get(gw, "burst");
	m = json_object_get(gw, "max_inflight");
	if (m != NULL && (!json_is_integer(m) || json_integer_value(m) < 0 || json_integer_value(m) > 4096)) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "cluster config: bad \"gateway\".max_inflight");
	}
	if (m != NULL) {
		c->max_inflight = (unsigned)json_integer_value(m);
	}
	if (!json_is_object(gw) || (r != NULL && (!json_is_number(r) || json_number_value(r) < 0)) ||
	    (b != NULL && (!json_is_integer(b) || json_integer_value(b) < 1 || json_integer_value(b) > 1000000))) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "cluster config: bad \"gateway\" rate limit");
	}
	if (r != NULL) {
		c->rate_per_s = json_number_value(r);
	}
	if (b != NULL) {
		c->burst = (unsigned)json_integer_value(b);
	}
	return CCTSA_OK;
}

static cctsa_err parse(cctsa_gateway_cluster *c, json_t *root, int node, cctsa_diag *diag)
{
	json_t *gws = json_object_get(root, "gateways"), *me, *id;
	const char *dir = json_string_value(json_object_get(root, "dir"));
	const char *host;

	if (dir == NULL || dir[0] != '/' || strlen(dir) >= sizeof(c->dir)) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "cluster config: \"dir\" must be an absolute path");
	}
	if (!json_is_array(gws) || node < 0 || (size_t)node >= json_array_size(gws)) {
		return cctsa_fail(diag, CCTSA_E_USAGE, "cluster config: no gateways[%d]", node);
	}
	me = json_array_get(gws, (size_t)node);
	id = json_object_get(me, "id");
	host = json_string_value(json_object_get(me, "host"));
	if (!json_is_integer(id) || json_integer_value(id) != node || host == NULL ||
	    strlen(host) >= sizeof(c->address)) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "cluster config: gateways[%d] needs id %d and a host",
				  node, node);
	}
	c->node = node;
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	snprintf(c->address, sizeof(c->address), "%s", host);
	if (port_of(me, "http_port", &c->http_port, diag) != CCTSA_OK ||
	    port_of(me, "https_port", &c->https_port, diag) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	if (limits(c, root, diag) != CCTSA_OK) {
		return CCTSA_E_MALFORMED;
	}
	return fill_paths(c, diag);
}

cctsa_err cctsa_gateway_cluster_load(cctsa_gateway_cluster *out, const char *path, int node,
				     cctsa_diag *diag)
{
	json_error_t je;
	json_t *root;
	cctsa_err err;

	memset(out, 0, sizeof(*out));
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		return cctsa_fail(diag, CCTSA_E_IO, "cluster config %s: %s (line %d)", path, je.text, je.line);
	}
	err = json_is_object(root) ? parse(out, root, node, diag)
				   : cctsa_fail(diag, CCTSA_E_MALFORMED, "cluster config: not an object");
	json_decref(root);
	if (err != CCTSA_OK) {
		memset(out, 0, sizeof(*out));
	}
	return err;
}
