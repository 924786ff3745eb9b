/* core_test.c, second half: faults, halting, serials, audit, budget; main. */

/* A participant whose clock is 8 s behind refuses; the coordinator retries elsewhere. */
static void skewed_participant(tcl *cl)
{
	uint64_t before = cl->n[0]->retries;
	ts_out o;

	for (unsigned i = 0; i < CCTSA_CORE_NODES; i++) {
		CHECK(core_live_sessions(cl->n[i]) == 0); /* every member session was ended */
	}
	cl->skew[1] = -8000; /* genTime then looks 8 s ahead to node 1 */
	cctsa_core_set_preferred_set(cl->n[1], 0);
	cctsa_core_set_preferred_set(cl->n[0], 0x07);
	/* Node 0 tries {0,1,2} first (pinned): node 1 refuses, another set signs. */
	CHECK(stamp(cl, 0, 40, 0, 0, &o));
	cctsa_core_set_preferred_set(cl->n[0], 0);
	CHECK(cl->n[0]->retries > before);
	CHECK(cl->n[1]->refusals > 0);
	cl->skew[1] = 0;
	/* A coordinator without trusted time answers timeNotAvailable. */
	cl->no_time[2] = 1;
	CHECK(!stamp(cl, 2, 41, 0, 0, &o));
	CHECK(o.fail_bit == CCTSA_TSP_FAIL_TIME_NOT_AVAILABLE);
	cl->no_time[2] = 0;
	fprintf(stderr, "core: skewed participant refused, retried with another set; no time -> timeNotAvailable\n");
}

/* Stops node `victim` after `after` deliveries of a request coordinated by `coord`. */
static void stop_midway(tcl *cl, unsigned coord, unsigned victim, size_t after, unsigned k)
{
	cctsa_tsp_req req;
	ts_out o;

	make_req(&req, k, 1);
	memset(&o, 0, sizeof o);
	cctsa_core_timestamp(cl->n[coord], &req, 0, ts_cb, &o);
	t_pump(cl, after);
	t_stop(cl, victim);
	t_pump(cl, 0);
	CHECK(o.done == 1);
	CHECK(o.status == CCTSA_TSP_STATUS_GRANTED);
	verify_token(&o.token, &req, CCTSA_TSP_FULLY_VERIFIED);
	issued.tok[issued.n] = o.token;
	issued.coord[issued.n] = coord;
	issued.n++;
}

static void faults(tcl *cl)
{
	ts_out o;

	cctsa_core_set_preferred_set(cl->n[0], 0x13); /* {0, 1, 4} */
	stop_midway(cl, 0, 4, 4, 50);                   /* node 4 stops inside the session */
	cctsa_core_set_preferred_set(cl->n[0], 0);
	CHECK(cctsa_core_state_get(cl->n[0]) == CCTSA_CORE_DEGRADED);
	for (unsigned i = 0; i < 4; i++) {
		CHECK(stamp(cl, i, 51 + i, i == 2, 0, &o));
	}
	stop_midway(cl, 1, 3, 2, 56); /* four left, then three */
	CHECK(cctsa_core_state_get(cl->n[1]) == CCTSA_CORE_DEGRADED);
	for (unsigned i = 0; i < 3; i++) {
		CHECK(stamp(cl, i, 57 + i, 0, 0, &o));
	}
	fprintf(stderr, "core: nodes 4 and 3 stopped mid-session: signing went on with 4, then 3 nodes\n");
	t_stop(cl, 2);
	for (unsigned i = 0; i < 2; i++) {
		CHECK(cctsa_core_state_get(cl->n[i]) == CCTSA_CORE_HALTED);
		CHECK(!stamp(cl, i, 60 + i, 0, 0, &o));
		CHECK(o.fail_bit == CCTSA_TSP_FAIL_SYSTEM_FAILURE && o.retry_later);
	}
	fprintf(stderr, "core: two nodes left: halted, systemFailure, no token\n");
}

static void serial_of(const cctsa_buf *tok, uint8_t out[CCTSA_CORE_SERIAL_LEN])
{
	/* The serial is the 17-octet INTEGER right after the imprint in TSTInfo: find
	 * the TSTInfo's "02 11" or "02 12 00" prefix followed by the key epoch. */
	const uint8_t *d = tok->data;

	memset(out, 0, CCTSA_CORE_SERIAL_LEN);
	for (size_t i = 0; i + 2 + CCTSA_CORE_SERIAL_LEN <= tok->len; i++) {
		if (d[i] == 0x02 && d[i + 1] == CCTSA_CORE_SERIAL_LEN && d[i + 2 + 8] < CCTSA_CORE_NODES) {
			memcpy(out, d + i + 2, CCTSA_CORE_SERIAL_LEN);
			return;
		}
		if (d[i] == 0x02 && d[i + 1] == CCTSA_CORE_SERIAL_LEN + 1 && d[i + 2] == 0 &&
		    d[i + 3 + 8] < CCTSA_CORE_NODES) {
			memcpy(out, d + i + 3, CCTSA_CORE_SERIAL_LEN);
			return;
		}
	}
	CHECK(0);
}

/* Every serial is distinct; every token is in its coordinator's audit log; logs verify. */
static void audit_and_serials(tcl *cl, uint64_t epoch)
{
	static uint8_t ser[MAX_TOKENS][CCTSA_CORE_SERIAL_LEN];

	(void)cl;
	for (size_t i = 0; i < issued.n; i++) {
		uint64_t ep = 0;

		serial_of(&issued.tok[i], ser[i]);
		for (int b = 0; b < 8; b++) {
			ep = (ep << 8) | ser[i][b];
		}
		CHECK(ep == epoch);
		CHECK(ser[i][8] == issued.coord[i]);
		for (size_t j = 0; j < i; j++) {
			CHECK(cctsa_memcmp_var(ser[i], ser[j], CCTSA_CORE_SERIAL_LEN) != 0);
		}
	}
	for (unsigned n = 0; n < CCTSA_CORE_NODES; n++) {
		char p[400], name[32];
		cctsa_audit_result res;
		cctsa_buf log;
		size_t mine = 0;

		snprintf(name, sizeof name, "audit-%u.log", n);
		path(p, sizeof p, name);
		CHECK_OK(cctsa_audit_verify_file(&res, p, NULL, NULL));
		CHECK_OK(cctsa_file_read(&log, p, 1 << 24, NULL));
		CHECK_OK(cctsa_buf_put_u8(&log, 0));
		for (size_t i = 0; i < issued.n; i++) {
			uint8_t h[48];
			char hex[97];

			if (issued.coord[i] != n) {
				continue;
			}
			mine++;
			CHECK_OK(core_sha384(h, issued.tok[i].data, issued.tok[i].len, NULL, 0));
			CHECK_OK(cctsa_hex_encode(hex, sizeof hex, h, sizeof h));
			CHECK(strstr((const char *)log.data, hex) != NULL);
		}
		CHECK(res.records == mine);
		cctsa_buf_free(&log);
	}
	fprintf(stderr, "core: %zu tokens, all serials distinct, every token in its coordinator's audit log, "
			"5 logs verify\n",
		issued.n);
}

/* A second cluster whose key may make only a few ML-DSA attempts. */
static void budget(void)
{
	tcl *cl = cctsa_mem_alloc(sizeof *cl);
	char dir[300];
	dkg_out o;
	ts_out t;
	unsigned granted = 0;

	snprintf(dir, sizeof dir, "%s/budget", g_dir);
	CHECK(mkdir(dir, 0700) == 0);
	t_cluster_new(cl, dir, 10); /* 10 attempts for the key: 6 per share */
	run_dkg(cl, &o);
	issue_and_install(cl, &o, "budget/ca");
	for (unsigned k = 0; k < 12 && cctsa_core_key_state_get(cl->n[0]) != CCTSA_CORE_KEY_RETIRED; k++) {
		cctsa_tsp_req req;

		make_req(&req, 70 + k, 0);
		memset(&t, 0, sizeof t);
		cctsa_core_timestamp(cl->n[0], &req, 0, ts_cb, &t);
		t_pump(cl, 0);
		CHECK(t.done == 1);
		granted += t.status == CCTSA_TSP_STATUS_GRANTED;
		cctsa_buf_free(&t.token);
	}
	CHECK(granted >= 1 && granted <= 6);
	CHECK(cctsa_core_key_state_get(cl->n[0]) == CCTSA_CORE_KEY_RETIRED);
	CHECK(cctsa_core_state_get(cl->n[0]) == CCTSA_CORE_HALTED);
	memset(&t, 0, sizeof t);
	{
		cctsa_tsp_req req;

		make_req(&req, 99, 0);
		cctsa_core_timestamp(cl->n[0], &req, 0, ts_cb, &t);
	}
	CHECK(t.done == 1 && t.fail_bit == CCTSA_TSP_FAIL_SYSTEM_FAILURE && t.retry_later);
	fprintf(stderr, "core: attempt budget spent after %u tokens: key retired, node halted, systemFailure\n",
		granted);
	t_cluster_free(cl);
	for (int i = 0; i < 4; i++) {
		cctsa_mem_free(o.pem[i]);
	}
	cctsa_mem_free(o.transcript);
	cctsa_mem_free(cl);
}

static void status_and_control(tcl *cl)
{
	cctsa_core_cmd cmd;
	cctsa_buf b;
	static const char l1[] = "{\"cmd\":\"dkg-start\",\"ceremony_id\":\"000102030405060708090a0b0c0d0e0f\","
				 "\"operators\":[\"alice\"]}";
	static const char l2[] = "{\"cmd\":\"status\",\"x\":1}";
	static const char l3[] = "{\"cmd\":\"install-certs\",\"tsa_ecdsa\":\"a\",\"tsa_mldsa\":\"b\",\"ca_ecdsa\":"
				 "\"c\",\"ca_mldsa\":\"d\"}";

	cctsa_buf_init(&b, 0);
	CHECK_OK(cctsa_core_status_json(cl->n[0], &b));
	CHECK_OK(cctsa_buf_put_u8(&b, 0));
	CHECK(strstr((const char *)b.data, "\"state\":\"active\"") != NULL);
	cctsa_buf_free(&b);
	CHECK_OK(cctsa_core_cmd_parse(&cmd, l1, sizeof l1 - 1, NULL));
	CHECK(cmd.kind == CCTSA_CORE_CMD_DKG_START && cmd.n_operators == 1 && cmd.ceremony_id[15] == 15);
	cctsa_core_cmd_free(&cmd);
	CHECK_ERR(cctsa_core_cmd_parse(&cmd, l2, sizeof l2 - 1, NULL), CCTSA_E_MALFORMED);
	CHECK_OK(cctsa_core_cmd_parse(&cmd, l3, sizeof l3 - 1, NULL));
	CHECK(cmd.kind == CCTSA_CORE_CMD_INSTALL_CERTS && strcmp(cmd.ca_mldsa, "d") == 0);
	cctsa_core_cmd_free(&cmd);
	CHECK_ERR(cctsa_core_cmd_parse(&cmd, "[1]", 3, NULL), CCTSA_E_MALFORMED);
	CHECK_ERR(cctsa_core_cmd_parse(&cmd, "{\"cmd\":\"reboot\"}", 16, NULL), CCTSA_E_UNSUPPORTED);
	/* Peer payload decoders refuse truncation and unknown types. */
	CHECK_ERR(cctsa_core_msg_check(0xf7, (const uint8_t *)"", 0, NULL), CCTSA_E_UNSUPPORTED);
	CHECK_ERR(cctsa_core_msg_check(CCTSA_CORE_MSG_SIGN_SHARE, (const uint8_t *)"abc", 3, NULL),
		  CCTSA_E_MALFORMED);
}

/* Used presignature slots of node n that some other node initiated (member copies). */
static size_t member_slots(tcl *cl, unsigned n)
{
	size_t k = 0;

	for (size_t i = 0; i < PRESIG_MAX; i++) {
		k += cl->n[n]->presig[i].used && cl->n[n]->presig[i].initiator != n;
	}
	return k;
}

static uint64_t locked_now(tcl *cl)
{
	cctsa_core_status st;

	cctsa_core_status_get(cl->n[0], &st);
	CHECK(st.alloc_failures == 0);
	return st.secret_bytes_locked;
}

/*
 * Regression (cluster stalled after ~37 tokens): a member's copy of a presignature
 * must be released when it is used, and no locked memory may stay behind per token.
 * Many sequential tokens through one coordinator and one set leave every node's
 * member slots and the process's locked memory where they were.
 */
static void no_leak_per_token(tcl *cl, unsigned count)
{
	size_t before[CCTSA_CORE_NODES];
	uint64_t locked;
	ts_out o;

	cctsa_core_set_preferred_set(cl->n[0], 0x07);
	CHECK(stamp(cl, 0, 100, 0, 0, &o)); /* first use of this set: lazy allocations */
	for (unsigned n = 0; n < CCTSA_CORE_NODES; n++) {
		before[n] = member_slots(cl, n);
	}
	locked = locked_now(cl);
	for (unsigned k = 0; k < count; k++) {
		CHECK(stamp(cl, 0, 101 + k, k % 5 == 0, k % 2, &o));
	}
	cctsa_core_set_preferred_set(cl->n[0], 0);
	for (unsigned n = 0; n < CCTSA_CORE_NODES; n++) {
		CHECK(member_slots(cl, n) == before[n]);
	}
	CHECK(locked_now(cl) == locked);
	fprintf(stderr, "core: %u sequential tokens, no presignature slot or locked byte (%llu) left behind\n",
		count + 1, (unsigned long long)locked);
}

static void drop_queue(tcl *cl)
{
	while (cl->head != NULL) {
		tmsg *m = cl->head;

		cl->head = m->next;
		cctsa_mem_free(m->data);
		cctsa_mem_free(m);
	}
	cl->tail = NULL;
}

/*
 * A presigning session that never completes (its messages lost) is dropped at its
 * deadline, and the job that waited for it goes on with another set: a token, no hang.
 */
static void stuck_presign(tcl *cl)
{
	cctsa_tsp_req req;
	ts_out o;
	int64_t now = cl->n[0]->now_ms;

	make_req(&req, 200, 0);
	memset(&o, 0, sizeof o);
	cctsa_core_set_preferred_set(cl->n[0], 0x07);
	CHECK(core_presig_ready(cl->n[0], 0x07) == NULL && core_presig_pending(cl->n[0], 0x07) == 0);
	cctsa_core_timestamp(cl->n[0], &req, 0, ts_cb, &o);
	CHECK(o.done == 0 && core_presig_pending(cl->n[0], 0x07) == 1);
	drop_queue(cl); /* PRESIGN_START and round 1 are lost */
	cctsa_core_tick(cl->n[0], now + SESSION_TIMEOUT_MS / 2);
	t_pump(cl, 0);
	CHECK(o.done == 0); /* still within the deadline: waits */
	cctsa_core_tick(cl->n[0], now + SESSION_TIMEOUT_MS + 1);
	t_pump(cl, 0);
	CHECK(o.done == 1 && o.status == CCTSA_TSP_STATUS_GRANTED);
	CHECK(core_presig_pending(cl->n[0], 0x07) == 0);
	verify_token(&o.token, &req, CCTSA_TSP_FULLY_VERIFIED);
	CHECK(issued.n < MAX_TOKENS);
	issued.tok[issued.n] = o.token;
	issued.coord[issued.n] = 0;
	issued.n++;
	cctsa_core_set_preferred_set(cl->n[0], 0);
	fprintf(stderr, "core: a lost presigning session expires and its job is signed by another set\n");
}

int main(void)
{
	tcl *cl = cctsa_mem_alloc(sizeof *cl);
	const char *keep = getenv("CORE_TEST_OUT");
	dkg_out o;

	CHECK(cl != NULL);
	if (keep != NULL) {
		snprintf(g_dir, sizeof g_dir, "%s", keep);
		CHECK(mkdir(g_dir, 0700) == 0);
	} else {
		snprintf(g_dir, sizeof g_dir, "/tmp/cctsa-core-test-XXXXXX");
		CHECK(mkdtemp(g_dir) != NULL);
	}
	t_cluster_new(cl, g_dir, 1000000);
	run_dkg(cl, &o);
	issue_and_install(cl, &o, "ca");
	status_and_control(cl);
	all_sets(cl);
	if (getenv("CORE_TEST_QUICK") != NULL) { /* tests/core/openssl.sh: the files are enough */
		t_cluster_free(cl);
		cctsa_mem_free(cl);
		for (size_t i = 0; i < issued.n; i++) {
			cctsa_buf_free(&issued.tok[i]);
		}
		for (int i = 0; i < 4; i++) {
			cctsa_mem_free(o.pem[i]);
		}
		cctsa_mem_free(o.transcript);
		fprintf(stderr, "core: quick run done (%s)\n", g_dir);
		return 0;
	}
	no_leak_per_token(cl, 24);
	stuck_presign(cl);
	refusals(cl);
	skewed_participant(cl);
	faults(cl);
	audit_and_serials(cl, o.epoch);
	t_cluster_free(cl);
	budget();
	for (size_t i = 0; i < issued.n; i++) {
		cctsa_buf_free(&issued.tok[i]);
	}
	for (int i = 0; i < 4; i++) {
		cctsa_mem_free(o.pem[i]);
	}
	cctsa_mem_free(o.transcript);
	cctsa_mem_free(cl);
	fprintf(stderr, "core: all checks passed (%s)\n", g_dir);
	return 0;
}
