/* Per-client rate limit: a token bucket per client address (gw_int.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gateway/gw_int.h"

cctsa_err gw_limit_init(gw_limiter *l, double rate, unsigned burst)
{
	memset(l, 0, sizeof(*l));
	if (rate <= 0) {
		return CCTSA_OK;
	}
	l->slots = cctsa_mem_alloc(GW_LIMIT_SLOTS * sizeof(gw_bucket));
	if (l->slots == NULL) {
		return CCTSA_E_RESOURCE;
	}
	l->rate = rate;
	l->burst = burst;
	return CCTSA_OK;
}

void gw_limit_free(gw_limiter *l)
{
	cctsa_mem_free(l->slots);
	l->slots = NULL;
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h = (h ^ (uint8_t)*s) * 16777619u;
	}
	return h;
}

/* The bucket of ip: its own slot, else an empty one, else the most refilled of 8 probed. */
static gw_bucket *bucket_of(gw_limiter *l, const char *ip, double now)
{
	uint32_t h = fnv1a(ip);
	gw_bucket *victim = NULL;
	double best = -1;

	for (unsigned i = 0; i < 8; i++) {
		gw_bucket *b = &l->slots[(h + i) % GW_LIMIT_SLOTS];
		double level;

		if (strcmp(b->ip, ip) == 0) {
			return b;
		}
		if (b->ip[0] == '\0') {
			victim = b;
			break;
		}
		level = b->tokens + (now - b->last) * l->rate;
		if (level > best) {
			best = level;
			victim = b;
		}
	}
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->ip, sizeof(victim->ip), "%s", ip);
	victim->tokens = l->burst;
	victim->last = now;
	return victim;
}

int gw_limit_take(gw_limiter *l, const char *ip, double now, unsigned *retry_s)
{
	gw_bucket *b;

	*retry_s = 0;
	if (l->slots == NULL) {
		return 1;
	}
	b = bucket_of(l, ip, now);
	b->tokens += (now - b->last) * l->rate;
	if (b->tokens > l->burst) {
		b->tokens = l->burst;
	}
	b->last = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return 1;
	}
	*retry_s = (unsigned)ceil((1.0 - b->tokens) / l->rate);
	if (*retry_s == 0) {
		*retry_s = 1;
	}
	return 0;
}
