/* core tests: five nodes in one process, joined by an in-order in-process transport. */
#ifndef CCTSA_CORE_UTIL_H
#define CCTSA_CORE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cctsa/core.h"
#include "cctsa/record.h"
#include "check.h"

typedef struct tmsg {
	unsigned from, to;
	uint8_t type;
	uint8_t *data;
	size_t len;
	struct tmsg *next;
} tmsg;

typedef struct tcl tcl;
typedef struct {
	tcl *cl;
	unsigned id;
} tnode;

struct tcl {
	cctsa_core *n[CCTSA_CORE_NODES];
	tnode ctx[CCTSA_CORE_NODES];
	int alive[CCTSA_CORE_NODES];
	int64_t skew[CCTSA_CORE_NODES];
	int no_time[CCTSA_CORE_NODES];
	tmsg *head, *tail;
	size_t bytes, msgs, errors;
	char dir[256];
};

static cctsa_err t_send(void *ctx, unsigned peer, uint8_t type, const uint8_t *p, size_t len)
{
	tnode *tn = ctx;
	tcl *cl = tn->cl;
	tmsg *m;

	if (peer >= CCTSA_CORE_NODES || !cl->alive[peer] || !cl->alive[tn->id]) {
		return CCTSA_E_IO;
	}
	m = cctsa_mem_alloc(sizeof *m);
	if (m == NULL) {
		return CCTSA_E_RESOURCE;
	}
	m->from = tn->id;
	m->to = peer;
	m->type = type;
	m->len = len;
	m->data = cctsa_mem_dup(p, len);
	if (cl->tail != NULL) {
		cl->tail->next = m;
	} else {
		cl->head = m;
	}
	cl->tail = m;
	cl->bytes += len;
	cl->msgs++;
	return CCTSA_OK;
}

static cctsa_err t_now(void *ctx, int64_t *ms, uint32_t *bound)
{
	tnode *tn = ctx;

	if (tn->cl->no_time[tn->id]) {
		return CCTSA_E_STATE;
	}
	*ms = (int64_t)cctsa_record_now_ms() + tn->cl->skew[tn->id];
	*bound = 7;
	return CCTSA_OK;
}

/* Delivers up to n queued messages (0: until the queue is empty). Returns how many. */
static inline size_t t_pump(tcl *cl, size_t n)
{
	size_t done = 0;

	while (cl->head != NULL && (n == 0 || done < n)) {
		tmsg *m = cl->head;

		cl->head = m->next;
		if (cl->head == NULL) {
			cl->tail = NULL;
		}
		if (cl->alive[m->to] && cl->n[m->to] != NULL) {
			cctsa_diag d;

			cctsa_diag_reset(&d);
			cctsa_err e = cctsa_core_on_message(cl->n[m->to], m->from, m->type, m->data, m->len, &d);

			if (e != CCTSA_OK) {
				cl->errors++;
				if (getenv("CORE_TEST_VERBOSE") != NULL) {
					fprintf(stderr, "  node %u <- %u type 0x%02x: %s\n", m->to, m->from, m->type,
						cctsa_diag_str(&d, e));
				}
			}
		}
		cctsa_mem_free(m->data);
		cctsa_mem_free(m);
		done++;
	}
	return done;
}

static void t_config(tcl *cl, unsigned i, cctsa_core_config *cfg, char *audit, size_t cap, uint64_t budget)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(audit, cap, "%s/audit-%u.log", cl->dir, i);
	cl->ctx[i].cl = cl;
	cl->ctx[i].id = i;
	cfg->id = i;
	cfg->transport.ctx = &cl->ctx[i];
	cfg->transport.send = t_send;
	cfg->clock.ctx = &cl->ctx[i];
	cfg->clock.now = t_now;
	cfg->audit_path = audit;
	cfg->tolerance_ms = 100;
	/* One thread runs all five nodes (ASan, shared CPU): a request can wait seconds
	 * in the queue behind other nodes' round-1 work before a member checks it. */
	cfg->max_latency_ms = 10000;
	cfg->mldsa_budget = budget;
	cfg->tsa_org = "CC-TSA";
	cfg->tsa_cn = "CC-TSA test cluster";
	cfg->platform = "sim";
	for (size_t k = 0; k < sizeof cfg->measurement; k++) {
		cfg->measurement[k] = (uint8_t)(0xa0 + k);
	}
	cfg->min_tcb = 0x0d00000000000015ull;
	cfg->presign_per_set = 1;
	cfg->mldsa_pool = 0;
}

/* Creates and boots the five nodes (all reachable, waiting for the DKG). */
static inline void t_cluster_new(tcl *cl, const char *dir, uint64_t budget)
{
	memset(cl, 0, sizeof *cl);
	snprintf(cl->dir, sizeof cl->dir, "%s", dir);
	for (unsigned i = 0; i < CCTSA_CORE_NODES; i++) {
		cctsa_core_config cfg;
		char audit[300];
		cctsa_diag d;

		cl->alive[i] = 1;
		t_config(cl, i, &cfg, audit, sizeof audit, budget);
		CHECK_OK(cctsa_core_new(&cl->n[i], &cfg, &d));
		CHECK(cctsa_core_state_get(cl->n[i]) == CCTSA_CORE_BOOTING);
		CHECK_OK(cctsa_core_boot_attesting(cl->n[i]));
		CHECK_OK(cctsa_core_boot_attested(cl->n[i]));
		CHECK_ERR(cctsa_core_boot_attested(cl->n[i]), CCTSA_E_STATE);
		CHECK_OK(cctsa_core_boot_synced(cl->n[i]));
		CHECK(cctsa_core_state_get(cl->n[i]) == CCTSA_CORE_WAITING_FOR_DKG);
	}
	for (unsigned i = 0; i < CCTSA_CORE_NODES; i++) {
		for (unsigned j = 0; j < CCTSA_CORE_NODES; j++) {
			cctsa_core_peer_up(cl->n[i], j);
		}
	}
}

/* A stopped node: its object (and every share in it) is freed; peers see it go. */
static inline void t_stop(tcl *cl, unsigned i)
{
	cl->alive[i] = 0;
	cctsa_core_free(cl->n[i]);
	cl->n[i] = NULL;
	for (unsigned j = 0; j < CCTSA_CORE_NODES; j++) {
		if (cl->n[j] != NULL) {
			cctsa_core_peer_down(cl->n[j], i);
		}
	}
}

static inline void t_cluster_free(tcl *cl)
{
	for (unsigned i = 0; i < CCTSA_CORE_NODES; i++) {
		cctsa_core_free(cl->n[i]);
		cl->n[i] = NULL;
		cl->alive[i] = 0;
	}
	t_pump(cl, 0);
}

#endif
