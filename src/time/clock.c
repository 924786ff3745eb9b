/*
 * The disciplined clock: a monotonic platform counter plus an offset estimate
 * combined from >= 4 sources (Marzullo-style intersection tolerating
 * f = (n-1)/3 false-tickers, then the f extremes on each side dropped and the
 * rest averaged). The served time follows the counter at rate 1 + r, where the
 * slew r (|r| <= max_slew_ppm) closes the gap to the estimate and then returns to
 * zero (the gap is closed at the full slew rate); it is therefore strictly increasing and never steps. The bound reported
 * with each reading is |served - estimate| + estimate error + drift * age.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "time_int.h"

#define CLOCK_MAX_SAMPLES 64
#define PPM 1000000LL

__extension__ typedef __int128 i128;

struct cctsa_clock {
	cctsa_counter ctr;
	cctsa_clock_config cfg;
	uint8_t synced;
	int64_t sync_c;   /* counter at the last applied update */
	int64_t est_off;  /* UTC - counter estimated then */
	int64_t est_err;  /* its bound */
	int64_t ref_c, ref_s; /* served(ref_c) = ref_s */
	int64_t slew_ppb; /* rate correction while slewing */
	int64_t slew_dur; /* counter ns the slew lasts from ref_c */
	int64_t last_served;
};

static int64_t raw_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void cctsa_clock_config_default(cctsa_clock_config *cfg)
{
	cfg->holdover_ns = 600LL * 1000000000LL;
	cfg->max_slew_ppm = 500;
	cfg->drift_ppm = 50;
	cfg->min_sources = 4;
	cfg->max_error_ns = 1000000000LL;
}

cctsa_err cctsa_clock_new(cctsa_clock **out, const cctsa_counter *counter,
			  const cctsa_clock_config *cfg)
{
	cctsa_clock *c;
	cctsa_clock_config d;

	if (out == NULL) {
		return CCTSA_E_USAGE;
	}
	*out = NULL;
	cctsa_clock_config_default(&d);
	if (cfg != NULL) {
		d = *cfg;
	}
	if (d.holdover_ns <= 0 || d.max_slew_ppm == 0 || d.max_slew_ppm >= 100000 ||
	    d.min_sources < 1 || d.min_sources > CLOCK_MAX_SAMPLES ||
	    d.max_error_ns <= 0 || d.drift_ppm > 100000) {
		return CCTSA_E_USAGE;
	}
	c = cctsa_mem_alloc(sizeof(*c));
	if (c == NULL) {
		return CCTSA_E_RESOURCE;
	}
	c->cfg = d;
	c->ctr.now_ns = raw_now;
	if (counter != NULL && counter->now_ns != NULL) {
		c->ctr = *counter;
	}
	*out = c;
	return CCTSA_OK;
}

void cctsa_clock_free(cctsa_clock *clk)
{
	cctsa_mem_free(clk);
}

int64_t cctsa_clock_counter_now(const cctsa_clock *clk)
{
	return clk->ctr.now_ns(clk->ctr.ctx);
}

/* The served time at counter c (before the monotonic guard). */
static int64_t served_at(const cctsa_clock *k, int64_t c)
{
	int64_t dt = c - k->ref_c, ds = dt < k->slew_dur ? dt : k->slew_dur;

	if (ds < 0) {
		ds = 0;
	}
	return k->ref_s + dt + (int64_t)((i128)ds * k->slew_ppb / 1000000000);
}

typedef struct {
	int64_t v;
	int kind; /* +1 interval start, -1 end */
} clock_edge;

static void edges_sort(clock_edge *e, size_t n, int descending)
{
	for (size_t i = 1; i < n; i++) { /* insertion sort: n <= 128 */
		clock_edge x = e[i];
		size_t j = i;

		while (j > 0) {
			const clock_edge *p = &e[j - 1];
			/* ascending: starts before ends at equal values (closed intervals) */
			int before = descending ? (x.v > p->v || (x.v == p->v && x.kind < p->kind))
						: (x.v < p->v || (x.v == p->v && x.kind > p->kind));
			if (!before) {
				break;
			}
			e[j] = e[j - 1];
			j--;
		}
		e[j] = x;
	}
}

/* First edge value (scanning in the given direction) where need intervals overlap. */
static int sweep(const cctsa_clock_sample *s, size_t n, size_t need, int descending, int64_t *at)
{
	clock_edge e[2 * CLOCK_MAX_SAMPLES];
	size_t m = 0;
	long count = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i].valid) {
			int64_t lo = s[i].offset_ns - s[i].error_ns, hi = s[i].offset_ns + s[i].error_ns;
			e[m].v = descending ? hi : lo;
			e[m++].kind = 1;
			e[m].v = descending ? lo : hi;
			e[m++].kind = -1;
		}
	}
	edges_sort(e, m, descending);
	for (size_t i = 0; i < m; i++) {
		count += e[i].kind;
		if (count >= (long)need) {
			*at = e[i].v;
			return 1;
		}
	}
	return 0;
}

static void sort_i64(int64_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int64_t x = a[i];
		size_t j = i;

		while (j > 0 && a[j - 1] > x) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

/* Intersection, truechimers, trimmed mean. 0 if there is no agreement. */
static int combine(cctsa_clock_update_result *r, const cctsa_clock_sample *s, size_t n, size_t m)
{
	size_t f = (m - 1) / 3, t = 0;
	int64_t lo = 0, hi = 0, offs[CLOCK_MAX_SAMPLES];
	i128 sum = 0;

	if (!sweep(s, n, m - f, 0, &lo) || !sweep(s, n, m - f, 1, &hi) || lo > hi) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i].valid && s[i].offset_ns - s[i].error_ns <= hi && s[i].offset_ns + s[i].error_ns >= lo) {
			offs[t++] = s[i].offset_ns;
		}
	}
	sort_i64(offs, t);
	for (size_t i = f; i < t - f; i++) { /* t >= m - f >= 2f + 1 */
		sum += offs[i];
	}
	r->offset_ns = (int64_t)(sum / (i128)(t - 2 * f));
	r->offset_ns = r->offset_ns < lo ? lo : r->offset_ns > hi ? hi : r->offset_ns;
	r->error_ns = (r->offset_ns - lo > hi - r->offset_ns ? r->offset_ns - lo : hi - r->offset_ns) + 1;
	r->truechimers = t;
	r->falsetickers = m - t;
	return 1;
}

/* Takes a new estimate at counter c: rebase, then slew toward it. */
static void clock_apply(cctsa_clock *k, int64_t c, int64_t off, int64_t err)
{
	int64_t max_ppb = (int64_t)k->cfg.max_slew_ppm * 1000, gap, rate;

	if (!k->synced) {
		k->ref_c = c;
		k->ref_s = c + off;
		k->slew_ppb = 0;
		k->slew_dur = 0;
		k->synced = 1;
	} else {
		k->ref_s = served_at(k, c);
		k->ref_c = c;
		gap = c + off - k->ref_s;
		/* close the gap at the full slew rate, then run at rate 1 again */
		rate = gap > 0 ? max_ppb : gap < 0 ? -max_ppb : 0;
		k->slew_ppb = rate;
		k->slew_dur = rate == 0 ? 0 : (int64_t)((i128)gap * 1000000000 / rate);
	}
	k->sync_c = c;
	k->est_off = off;
	k->est_err = err;
}

cctsa_err cctsa_clock_update(cctsa_clock *clk, cctsa_clock_update_result *res,
			     const cctsa_clock_sample *samples, size_t n)
{
	size_t m = 0;
	int64_t c;

	if (clk == NULL || res == NULL || (samples == NULL && n != 0) || n > CLOCK_MAX_SAMPLES) {
		return CCTSA_E_USAGE;
	}
	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < n; i++) {
		if (samples[i].valid && (samples[i].error_ns < 0 || samples[i].error_ns > INT64_MAX / 4 ||
					 samples[i].offset_ns > INT64_MAX / 4 ||
					 samples[i].offset_ns < -(INT64_MAX / 4))) {
			return CCTSA_E_USAGE;
		}
		m += samples[i].valid ? 1 : 0;
	}
	res->used = m;
	if (m < clk->cfg.min_sources || m == 0 || !combine(res, samples, n, m)) {
		return CCTSA_E_STATE; /* holdover: the clock keeps its last estimate */
	}
	c = clk->ctr.now_ns(clk->ctr.ctx);
	clock_apply(clk, c, res->offset_ns, res->error_ns);
	res->applied = 1;
	return CCTSA_OK;
}

cctsa_err cctsa_clock_now(cctsa_clock *clk, cctsa_clock_reading *out)
{
	int64_t c, s, age, dev, acc;

	if (clk == NULL || out == NULL) {
		return CCTSA_E_USAGE;
	}
	memset(out, 0, sizeof(*out));
	if (!clk->synced) {
		return CCTSA_E_STATE;
	}
	c = clk->ctr.now_ns(clk->ctr.ctx);
	age = c - clk->sync_c;
	if (age > clk->cfg.holdover_ns) {
		return CCTSA_E_STATE;
	}
	s = served_at(clk, c);
	if (s < clk->last_served) { /* only if the counter itself went backwards */
		s = clk->last_served;
	}
	dev = s - (c + clk->est_off);
	dev = dev < 0 ? -dev : dev;
	acc = dev + clk->est_err +
	      (int64_t)((i128)(age > 0 ? age : 0) * clk->cfg.drift_ppm / PPM) + 1;
	if (acc > clk->cfg.max_error_ns) {
		return CCTSA_E_STATE;
	}
	clk->last_served = s;
	out->utc_ns = s;
	out->accuracy_ns = acc;
	out->accuracy_us = (uint64_t)((acc + 999) / 1000);
	out->since_sync_ns = age;
	return CCTSA_OK;
}

/* True if the whitespace-separated flag list in line contains word. */
static int has_word(const char *line, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = strstr(line, word); p != NULL; p = strstr(p + 1, word)) {
		if ((p == line || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[wl] == ' ' || p[wl] == '\n' || p[wl] == '\0')) {
			return 1;
		}
	}
	return 0;
}

static int read_line(const char *path, const char *prefix, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	int found = 0;

	if (f == NULL) {
		return 0;
	}
	while (!found && fgets(buf, (int)cap, f) != NULL) {
		found = strncmp(buf, prefix, strlen(prefix)) == 0;
	}
	fclose(f);
	return found;
}

cctsa_counter_kind cctsa_counter_probe(char *why, size_t why_cap)
{
	char line[4096];
	char cs[64] = "";
	struct stat st;
	int snp, stsc, tsc;
	const char *msg;

	snp = read_line("/proc/cpuinfo", "flags", line, sizeof(line)) && has_word(line, "sev_snp");
	stsc = snp && (has_word(line, "snp_secure_tsc") || has_word(line, "secure_tsc"));
	tsc = read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", "", cs,
			sizeof(cs)) && strncmp(cs, "tsc", 3) == 0 && (cs[3] == '\n' || cs[3] == '\0');
	if (snp && stsc && tsc && stat("/dev/sev-guest", &st) == 0) {
		msg = "SEV-SNP guest with SecureTSC; kernel clocksource tsc (CLOCK_MONOTONIC_RAW)";
	} else {
		msg = !snp   ? "no SecureTSC: not an SEV-SNP guest; using CLOCK_MONOTONIC_RAW"
		      : !stsc ? "no SecureTSC: SEV-SNP guest without SecureTSC; using CLOCK_MONOTONIC_RAW"
			      : "no SecureTSC: clocksource is not tsc; using CLOCK_MONOTONIC_RAW";
		snp = 0;
	}
	if (why != NULL && why_cap > 0) {
		snprintf(why, why_cap, "%s", msg);
	}
	return snp ? CCTSA_COUNTER_SECURE_TSC : CCTSA_COUNTER_MONOTONIC_RAW;
}
