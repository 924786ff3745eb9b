/* core: the control-socket command parser (CLUSTER.md). Strict: known members only. */
#include <string.h>

#include <jansson.h>

#include "core_int.h"

static cctsa_err bad(cctsa_diag *diag, const char *what)
{
	return cctsa_fail(diag, CCTSA_E_MALFORMED, "control: %s", what);
}

static int only_keys(json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		int found = 0;

		for (size_t i = 0; keys[i] != NULL; i++) {
			found |= strcmp(k, keys[i]) == 0;
		}
		if (!found) {
			return 0;
		}
	}
	(void)v;
	return 1;
}

static cctsa_err get_str(char **out, json_t *o, const char *key, cctsa_diag *diag)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v)) {
		return cctsa_fail(diag, CCTSA_E_MALFORMED, "control: \"%s\" must be a non-empty string", key);
	}
	*out = cctsa_mem_strdup(json_string_value(v));
	return *out != NULL ? CCTSA_OK : CCTSA_E_RESOURCE;
}

static cctsa_err parse_dkg(cctsa_core_cmd *cmd, json_t *o, cctsa_diag *diag)
{
	static const char *const keys[] = {"cmd", "ceremony_id", "operators", NULL};
	json_t *id = json_object_get(o, "ceremony_id"), *ops = json_object_get(o, "operators");
	size_t n = 0, i;
	json_t *v;

	if (!only_keys(o, keys) || !json_is_string(id) || json_string_length(id) != 32 ||
	    cctsa_hex_decode(cmd->ceremony_id, sizeof cmd->ceremony_id, &n, json_string_value(id)) != CCTSA_OK ||
	    n != 16) {
		return bad(diag, "dkg-start needs \"ceremony_id\" (32 hex digits) and nothing unknown");
	}
	if (ops == NULL) {
		return CCTSA_OK;
	}
	if (!json_is_array(ops) || json_array_size(ops) > CCTSA_CORE_CMD_MAX_OPERATORS) {
		return bad(diag, "\"operators\" must be an array of at most 8 names");
	}
	json_array_foreach(ops, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 128 ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			return bad(diag, "an operator name must be a string of 1..128 characters");
		}
		cmd->operators[i] = cctsa_mem_strdup(json_string_value(v));
		if (cmd->operators[i] == NULL) {
			return CCTSA_E_RESOURCE;
		}
		cmd->n_operators = i + 1;
	}
	return CCTSA_OK;
}

static cctsa_err parse_certs(cctsa_core_cmd *cmd, json_t *o, cctsa_diag *diag)
{
	static const char *const keys[] = {"cmd", "tsa_ecdsa", "tsa_mldsa", "ca_ecdsa", "ca_mldsa", NULL};
	cctsa_err err = CCTSA_OK;

	if (!only_keys(o, keys)) {
		return bad(diag, "install-certs has an unknown member");
	}
	CCTSA_TRY(get_str(&cmd->tsa_ecdsa, o, "tsa_ecdsa", diag));
	CCTSA_TRY(get_str(&cmd->tsa_mldsa, o, "tsa_mldsa", diag));
	CCTSA_TRY(get_str(&cmd->ca_ecdsa, o, "ca_ecdsa", diag));
	CCTSA_TRY(get_str(&cmd->ca_mldsa, o, "ca_mldsa", diag));
out:
	return err;
}

static cctsa_err parse_obj(cctsa_core_cmd *out, json_t *o, cctsa_diag *diag)
{
	static const char *const only_cmd[] = {"cmd", NULL};
	json_t *cmd = json_object_get(o, "cmd");
	const char *name;

	if (!json_is_string(cmd)) {
		return bad(diag, "\"cmd\" missing");
	}
	name = json_string_value(cmd);
	if (strcmp(name, "status") == 0 || strcmp(name, "shutdown") == 0) {
		out->kind = name[1] == 't' ? CCTSA_CORE_CMD_STATUS : CCTSA_CORE_CMD_SHUTDOWN;
		return only_keys(o, only_cmd) ? CCTSA_OK : bad(diag, "unknown member");
	}
	if (strcmp(name, "dkg-start") == 0) {
		out->kind = CCTSA_CORE_CMD_DKG_START;
		return parse_dkg(out, o, diag);
	}
	if (strcmp(name, "install-certs") == 0) {
		out->kind = CCTSA_CORE_CMD_INSTALL_CERTS;
		return parse_certs(out, o, diag);
	}
	return cctsa_fail(diag, CCTSA_E_UNSUPPORTED, "control: unknown command");
}

cctsa_err cctsa_core_cmd_parse(cctsa_core_cmd *out, const char *line, size_t len, cctsa_diag *diag)
{
	json_error_t je;
	json_t *o;
	cctsa_err err;

	memset(out, 0, sizeof *out);
	if (len > CCTSA_CORE_CMD_LINE_MAX) {
		return bad(diag, "line too long");
	}
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(o)) {
		json_decref(o);
		return bad(diag, "not a JSON object");
	}
	err = parse_obj(out, o, diag);
	json_decref(o);
	if (err != CCTSA_OK) {
		cctsa_core_cmd_free(out);
	}
	return err;
}

void cctsa_core_cmd_free(cctsa_core_cmd *cmd)
{
	for (size_t i = 0; i < CCTSA_CORE_CMD_MAX_OPERATORS; i++) {
		cctsa_mem_free(cmd->operators[i]);
	}
	cctsa_mem_free(cmd->tsa_ecdsa);
	cctsa_mem_free(cmd->tsa_mldsa);
	cctsa_mem_free(cmd->ca_ecdsa);
	cctsa_mem_free(cmd->ca_mldsa);
	memset(cmd, 0, sizeof *cmd);
}
