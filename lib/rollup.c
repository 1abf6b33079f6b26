#include "rollup.h"

#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "jsonscan.h"
#include "jsonw.h"
#include "money.h"
#include "timeutil.h"
#include "banned.h"

const char *const rollup_counter_names[RC__COUNT] = {
	[RC_REQUESTS] = "requests",
	[RC_INPUT] = "input",
	[RC_OUTPUT] = "output",
	[RC_CACHE_READ] = "cacheRead",
	[RC_CACHE_WRITE] = "cacheWrite",
	[RC_REASONING] = "reasoning",
	[RC_TOOL] = "tool",
	[RC_BILLED] = "billedNanoUsd",
	[RC_ESTIMATED] = "estimatedNanoUsd",
	[RC_EST_UNBILLED] = "estimatedUnbilledNanoUsd",
	[RC_N_BILLED] = "billedEntries",
	[RC_N_ESTIMATED] = "estimatedEntries",
	[RC_N_UNPRICED] = "unpricedEntries",
	[RC_N_USAGE] = "usageEntries",
	[RC_N_PENDING] = "pendingSync",
	[RC_N_SYNC_FAILED] = "failedSync",
	[RC_N_FAILED] = "failed",
	[RC_N_IN_PROGRESS] = "inProgress",
	[RC_LATENCY_SUM] = "latencyMsSum",
	[RC_LATENCY_N] = "latencyCount",
	[RC_TTFT_SUM] = "ttftMsSum",
	[RC_TTFT_N] = "ttftCount",
	[RC_THROTTLE_MS] = "throttleWaitMs",
	[RC_CHUNKS] = "chunksReceived",
	[RC_PROV_REQUESTS] = "providerRequests",
	[RC_PROV_INPUT] = "providerInput",
	[RC_PROV_OUTPUT] = "providerOutput",
	[RC_PROV_COST] = "providerCostNanoUsd",
	[RC_WEB_SEARCHES] = "webSearches",
	[RC_TOOL_FEES] = "toolFeesNanoUsd",
	[RC_TOOL_FEES_UNBILLED] = "toolFeesUnbilledNanoUsd",
};

void rollup_table_init(struct rollup_table *t)
{
	memset(t, 0, sizeof(*t));
	intern_init(&t->strings);
}

void rollup_table_release(struct rollup_table *t)
{
	free(t->items);
	hash_index_release(&t->ix);
	intern_release(&t->strings);
	free(t->dropped);
	free(t->totals);
	intern_release(&t->total_names);
	memset(t, 0, sizeof(*t));
}

static uint64_t key_hash(const struct rollup_key *k)
{
	uint64_t h = (uint64_t)(uint32_t)k->day * 0x9e3779b97f4a7c15ULL;

	h ^= (uint64_t)k->provider * 0xc2b2ae3d27d4eb4fULL;
	h ^= (uint64_t)k->model * 0x165667b19e3779f9ULL;
	h ^= (uint64_t)k->session * 0x27d4eb2f165667c5ULL;
	h ^= (uint64_t)k->project * 0x94d049bb133111ebULL;
	h ^= (uint64_t)k->source * 0xbf58476d1ce4e5b9ULL;
	h ^= (uint64_t)k->device * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 31);
}

static int key_eq(const struct rollup_key *a, const struct rollup_key *b)
{
	return a->day == b->day && a->provider == b->provider &&
	       a->model == b->model && a->session == b->session &&
	       a->project == b->project && a->source == b->source &&
	       a->device == b->device;
}

static uint64_t hash_of(size_t pos, const void *data)
{
	return key_hash(&((const struct rollup *)data)[pos].key);
}

struct rollup *rollup_get(struct rollup_table *t, const struct rollup_key *key)
{
	struct hash_probe p;
	size_t pos;

	hash_index_make_room(&t->ix, hash_of, t->items);
	for (pos = hash_index_first(&t->ix, key_hash(key), &p);
	     pos != HASH_INDEX_NONE; pos = hash_index_next(&t->ix, &p))
		if (key_eq(&t->items[pos].key, key))
			return &t->items[pos];
	ALLOC_GROW(t->items, t->nr + 1, t->alloc);
	memset(&t->items[t->nr], 0, sizeof(t->items[t->nr]));
	t->items[t->nr].key = *key;
	hash_index_add(&t->ix, &p, t->nr);
	return &t->items[t->nr++];
}

static int str_is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

int64_t counters_cost(const struct counters *c, enum cost_mode mode,
		int64_t *unpriced)
{
	switch (mode) {
	case COST_MODE_PROVIDER:
		*unpriced = c->v[RC_N_USAGE] - c->v[RC_N_BILLED];
		return c->v[RC_BILLED];
	case COST_MODE_ESTIMATE:
		*unpriced = c->v[RC_N_USAGE] - c->v[RC_N_ESTIMATED];
		return c->v[RC_ESTIMATED];
	default:
		*unpriced = c->v[RC_N_UNPRICED];
		return c->v[RC_BILLED] + c->v[RC_EST_UNBILLED];
	}
}

int counters_cost_is_estimate(const struct counters *c, enum cost_mode mode)
{
	return mode == COST_MODE_ESTIMATE ||
		(mode == COST_MODE_AUTO && c->v[RC_EST_UNBILLED]);
}

void counters_cost_text(struct strbuf *out, const struct counters *c,
		enum cost_mode mode, const struct cost_words *w)
{
	int64_t unpriced, cost = counters_cost(c, mode, &unpriced);
	int estimated = counters_cost_is_estimate(c, mode);

	if (!cost && unpriced) {
		strbuf_addstr(out, w->unpriced);
		return;
	}
	if (!cost && !c->v[RC_N_USAGE]) {
		strbuf_addstr(out, w->none);
		return;
	}
	if (estimated)
		strbuf_addch(out, '~');
	money_format_human(out, cost);
	if (unpriced)
		strbuf_addf(out, w->more_unpriced, (long long)unpriced);
}

void counters_report_json(struct jsonw *w, const struct counters *c,
		enum cost_mode mode)
{
	int64_t unpriced, cost = counters_cost(c, mode, &unpriced);

	jw_kv_int(w, "requests", c->v[RC_REQUESTS]);
	jw_kv_int(w, "inputTokens", c->v[RC_INPUT]);
	jw_kv_int(w, "outputTokens", c->v[RC_OUTPUT]);
	jw_kv_int(w, "totalTokens", c->v[RC_INPUT] + c->v[RC_OUTPUT]);
	jw_kv_int(w, "cacheReadTokens", c->v[RC_CACHE_READ]);
	jw_kv_int(w, "cacheWriteTokens", c->v[RC_CACHE_WRITE]);
	jw_kv_int(w, "reasoningTokens", c->v[RC_REASONING]);
	jw_kv_int(w, "toolTokens", c->v[RC_TOOL]);
	jw_kv_int(w, "webSearchRequests", c->v[RC_WEB_SEARCHES]);
	jw_kv_money(w, "billedCostUsd", c->v[RC_BILLED]);
	jw_kv_money(w, "estimatedCostUsd", mode == COST_MODE_AUTO ?
			c->v[RC_EST_UNBILLED] : c->v[RC_ESTIMATED]);
	/* The web searches' part of estimatedCostUsd. */
	jw_kv_money(w, "toolFeesUsd", mode == COST_MODE_AUTO ?
			c->v[RC_TOOL_FEES_UNBILLED] : c->v[RC_TOOL_FEES]);
	/* Usage with no price at all has no cost to show: null, not 0. */
	if (unpriced && unpriced >= c->v[RC_N_USAGE])
		jw_kv_null(w, "costUsd");
	else
		jw_kv_money(w, "costUsd", cost);
	jw_kv_int(w, "unpricedCount", unpriced);
	jw_kv_int(w, "failedCount", c->v[RC_N_FAILED]);
	jw_kv_int(w, "inProgressCount", c->v[RC_N_IN_PROGRESS]);
	if (c->v[RC_PROV_INPUT] || c->v[RC_PROV_OUTPUT] || c->v[RC_PROV_COST]) {
		int64_t prov = c->v[RC_PROV_INPUT] + c->v[RC_PROV_OUTPUT];

		jw_kv_int(w, "providerReportedTokens", prov);
		jw_kv_money(w, "providerReportedCostUsd", c->v[RC_PROV_COST]);
		jw_kv_int(w, "unattributedTokens",
				prov - c->v[RC_INPUT] - c->v[RC_OUTPUT]);
	}
}

int counters_from_json(struct counters *c, const char *json)
{
	struct jscan s;
	struct js_span key;
	int r;

	memset(c, 0, sizeof(*c));
	js_init(&s, json, strlen(json));
	if (js_object_begin(&s))
		return -1;
	while ((r = js_member(&s, &key)) > 0) {
		int i;

		for (i = 0; i < RC__COUNT; i++)
			if (js_key_is(&key, rollup_counter_names[i]))
				break;
		if (i == RC__COUNT ? js_skip(&s) : js_int64(&s, &c->v[i]))
			return -1;
	}
	return r;
}

void counters_json_members(struct jsonw *w, const struct counters *c)
{
	for (int i = 0; i < RC__COUNT; i++)
		if (c->v[i])
			jw_kv_int(w, rollup_counter_names[i], c->v[i]);
}

void counters_to_json(struct strbuf *out, const struct counters *c)
{
	struct jsonw w;

	jw_init(&w, out, JW_COMPACT);
	jw_object_begin(&w);
	counters_json_members(&w, c);
	jw_object_end(&w);
}

/* A provider row counts apart: it is what the provider says, not usage. */
static void provider_counters(const struct entry *e, struct counters *c)
{
	if (!strcmp(e->kind, KIND_ROLLUP)) {
		if (entry_has(e, EF_ROLLUP))
			counters_from_json(c, e->rollup);
		return;
	}
	if (!strcmp(e->kind, KIND_PROVIDER_BUCKET)) {
		c->v[RC_PROV_REQUESTS] = entry_get_int(e, EF_REQUESTS);
		c->v[RC_PROV_INPUT] = entry_get_int(e, EF_BILLED_INPUT_TOKENS);
		c->v[RC_PROV_OUTPUT] = entry_get_int(e, EF_BILLED_OUTPUT_TOKENS);
	} else if (!strcmp(e->kind, KIND_PROVIDER_COST)) {
		c->v[RC_PROV_COST] = entry_get_int(e, EF_BILLED_COST_USD);
	}
}

void counters_of_entry(const struct entry *e, struct counters *c)
{
	int billed = entry_has(e, EF_BILLED_COST_USD);
	int estimated = entry_has_estimate(e);
	int usage = entry_has(e, EF_BILLED_INPUT_TOKENS) ||
		    entry_has(e, EF_BILLED_OUTPUT_TOKENS);

	memset(c, 0, sizeof(*c));
	if (!entry_is_usage(e)) {
		provider_counters(e, c);
		return;
	}
	c->v[RC_REQUESTS] = 1;
	c->v[RC_INPUT] = entry_get_int(e, EF_BILLED_INPUT_TOKENS);
	c->v[RC_OUTPUT] = entry_get_int(e, EF_BILLED_OUTPUT_TOKENS);
	c->v[RC_CACHE_READ] = entry_get_int(e, EF_CACHE_READ_TOKENS);
	c->v[RC_CACHE_WRITE] = entry_get_int(e, EF_CACHE_WRITE_TOKENS);
	c->v[RC_REASONING] = entry_get_int(e, EF_REASONING_TOKENS);
	c->v[RC_TOOL] = entry_get_int(e, EF_TOOL_TOKENS);
	c->v[RC_BILLED] = billed ? e->billed_cost_usd : 0;
	c->v[RC_ESTIMATED] = estimated ? e->estimated_cost_usd : 0;
	c->v[RC_EST_UNBILLED] = estimated && !billed ? e->estimated_cost_usd : 0;
	c->v[RC_WEB_SEARCHES] = entry_get_int(e, EF_WEB_SEARCHES);
	if (estimated && entry_has(e, EF_TOOL_FEES_USD)) {
		c->v[RC_TOOL_FEES] = e->tool_fees_usd;
		c->v[RC_TOOL_FEES_UNBILLED] = billed ? 0 : e->tool_fees_usd;
	}
	c->v[RC_N_BILLED] = billed;
	c->v[RC_N_ESTIMATED] = estimated;
	c->v[RC_N_UNPRICED] = entry_is_unpriced(e);
	c->v[RC_N_USAGE] = usage;
	c->v[RC_N_PENDING] = str_is(e->sync_status, "pending_sync");
	c->v[RC_N_SYNC_FAILED] = str_is(e->sync_status, "sync_failed");
	c->v[RC_N_FAILED] = str_is(e->status, "failed");
	c->v[RC_N_IN_PROGRESS] = str_is(e->status, "in_progress");
	if (entry_has(e, EF_LATENCY_MS)) {
		c->v[RC_LATENCY_SUM] = e->latency_ms;
		c->v[RC_LATENCY_N] = 1;
	}
	if (entry_has(e, EF_TTFT_MS)) {
		c->v[RC_TTFT_SUM] = e->ttft_ms;
		c->v[RC_TTFT_N] = 1;
	}
	c->v[RC_THROTTLE_MS] = entry_get_int(e, EF_THROTTLE_WAIT_MS);
	c->v[RC_CHUNKS] = entry_get_int(e, EF_CHUNKS);
}

static int out_of_range(int64_t v)
{
	return v > COUNTER_MAX || v < -COUNTER_MAX;
}

/* The slow path of counters_add(): which sums went out of range. */
static void mark_overflows(struct counters *to, const struct counters *was,
		const struct counters *c)
{
	for (int i = 0; i < RC__COUNT; i++)
		if (out_of_range(was->v[i]) || out_of_range(c->v[i]) ||
		    out_of_range(to->v[i]))
			to->v[i] = COUNTER_OVERFLOW;
}

/* Whether an unsigned image of a counter lies outside +-COUNTER_MAX. */
#define OUTSIDE(u) ((u) + (uint64_t)COUNTER_MAX > 2 * (uint64_t)COUNTER_MAX)

void counters_add(struct counters *to, const struct counters *c, int sign)
{
	struct counters was = *to;
	uint64_t bad = 0;

	/*
	 * In range, both terms are within 2^61, so the sum cannot wrap; it is
	 * done unsigned so that an out-of-range term is no undefined
	 * behaviour either. One test after the loop keeps it as fast as an
	 * unchecked one.
	 */
	for (int i = 0; i < RC__COUNT; i++) {
		uint64_t a = (uint64_t)to->v[i], b = (uint64_t)c->v[i];
		uint64_t r = sign > 0 ? a + b : a - b;

		bad |= OUTSIDE(a) | OUTSIDE(b) | OUTSIDE(r);
		to->v[i] = (int64_t)r;
	}
	if (bad)
		mark_overflows(to, &was, c);
}

int counters_overflowed(const struct counters *c)
{
	for (int i = 0; i < RC__COUNT; i++)
		if (out_of_range(c->v[i]))
			return 1;
	return 0;
}

int counters_empty(const struct counters *c)
{
	for (int i = 0; i < RC__COUNT; i++)
		if (c->v[i])
			return 0;
	return 1;
}

/*
 * The id of s; consecutive rows mostly repeat the previous row's strings,
 * so the last string of each kind is checked before hashing.
 */
static uint32_t id_of(struct rollup_table *t, const char *s, int kind)
{
	uint32_t id;

	if (!s)
		return 0;
	id = t->last_id[kind];
	if (id < t->strings.nr && !strcmp(intern_str(&t->strings, id), s))
		return id;
	id = intern_id(&t->strings, s, strlen(s));
	t->last_id[kind] = id;
	return id;
}

void rollup_key_of(struct rollup_table *t, const struct entry *e,
		struct rollup_key *key)
{
	key->day = local_day(entry_time(e));
	key->provider = id_of(t, entry_get_str(e, EF_PROVIDER_ID), 0);
	key->model = id_of(t, entry_get_str(e, EF_MODEL_ID), 1);
	key->session = id_of(t, entry_get_str(e, EF_SESSION_RESOURCE), 2);
	key->project = 0;
	key->source = id_of(t, entry_get_str(e, EF_SOURCE), 3);
	key->device = device_is_self_peek(e->device_id) ? 0 :
		id_of(t, e->device_id, 4);
}

const char *rollup_device(const struct intern *strings,
		const struct rollup_key *key)
{
	return key->device ? intern_str(strings, key->device) : NULL;
}

const char *rollup_source(const struct intern *strings,
		const struct rollup_key *key)
{
	const char *s = key->source ? intern_str(strings, key->source) : NULL;

	return s && *s && strcmp(s, KIND_ROLLUP) ? s : NULL;
}

void rollup_apply(struct rollup_table *t, const struct entry *e, int sign)
{
	struct rollup_key key;
	struct counters c;
	struct rollup *r;

	rollup_key_of(t, e, &key);
	counters_of_entry(e, &c);
	r = rollup_get(t, &key);
	counters_add(&r->c, &c, sign);
	if (sign > 0 && entry_time(e) > r->last)
		r->last = entry_time(e);
}

/* ---- dropping session detail ---- */

/* The three bits of a name, from one 64-bit FNV-1a hash. */
static void dropped_bits(const char *name, uint32_t bit[3])
{
	uint64_t h = 14695981039346656037ULL;
	uint32_t a, b;

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	a = (uint32_t)h;
	b = (uint32_t)(h >> 32) | 1;
	for (uint32_t i = 0; i < 3; i++)
		bit[i] = (a + i * b) % (ROLLUP_DROPPED_BYTES * 8);
}

void rollup_note_dropped(struct rollup_table *t, const char *session)
{
	uint32_t bit[3];

	if (!t->dropped)
		t->dropped = xcalloc(1, ROLLUP_DROPPED_BYTES);
	dropped_bits(session, bit);
	for (int i = 0; i < 3; i++)
		t->dropped[bit[i] / 8] |= (unsigned char)(1u << (bit[i] % 8));
}

int rollup_maybe_dropped(const struct rollup_table *t, const char *session)
{
	uint32_t bit[3];

	if (!t->dropped)
		return 0;
	dropped_bits(session, bit);
	for (int i = 0; i < 3; i++)
		if (!(t->dropped[bit[i] / 8] & (1u << (bit[i] % 8))))
			return 0;
	return 1;
}

static void rollup_merge_totals(struct rollup_table *dst,
		const struct rollup_table *src)
{
	for (size_t i = 0; i < src->ntotals; i++)
		rollup_put_session_total(dst, intern_str(&src->total_names,
				(uint32_t)i + 1), src->totals[i].last,
				&src->totals[i].c);
	rollup_trim_totals(dst);
}

void rollup_merge_dropped(struct rollup_table *dst,
		const struct rollup_table *src)
{
	rollup_merge_totals(dst, src);
	if (!src->dropped)
		return;
	if (!dst->dropped)
		dst->dropped = xcalloc(1, ROLLUP_DROPPED_BYTES);
	for (size_t i = 0; i < ROLLUP_DROPPED_BYTES; i++)
		dst->dropped[i] |= src->dropped[i];
}


struct session_age {
	uint32_t session;
	int64_t last;
};

static int newest_session_first(const void *a, const void *b)
{
	const struct session_age *x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? 1 : -1;
	return x->session < y->session ? -1 : x->session > y->session;
}

/* Sessions with their latest activity, newest first. */
static struct session_age *session_ages(const struct rollup_table *t,
		size_t *n)
{
	size_t nstr = t->strings.nr;
	struct session_age *ages = xcalloc(nstr, sizeof(*ages));

	for (size_t i = 0; i < nstr; i++)
		ages[i].session = (uint32_t)i;
	for (size_t i = 0; i < t->nr; i++) {
		struct session_age *a = &ages[t->items[i].key.session];

		if (t->items[i].key.session && t->items[i].last > a->last)
			a->last = t->items[i].last;
		if (t->items[i].key.session && !a->last)
			a->last = 1;
	}
	qsort(ages, nstr, sizeof(*ages), newest_session_first);
	*n = nstr;
	return ages;
}

/* Marks the sessions to keep: the `keep` most recently active. */
static unsigned char *sessions_to_keep(const struct rollup_table *t,
		size_t keep)
{
	size_t nages, kept = 0;
	struct session_age *ages = session_ages(t, &nages);
	unsigned char *keep_session = xcalloc(t->strings.nr, 1);

	for (size_t i = 0; i < nages && kept < keep; i++) {
		if (!ages[i].last)
			break;
		keep_session[ages[i].session] = 1;
		kept++;
	}
	free(ages);
	return keep_session;
}

static uint32_t remap(struct intern *to, const struct intern *from,
		uint32_t id)
{
	const char *s = intern_str(from, id);

	return intern_id(to, s, strlen(s));
}

void rollup_compact(struct rollup_table *t, size_t keep)
{
	struct rollup *old = t->items;
	size_t nold = t->nr;
	unsigned char *keep_session = sessions_to_keep(t, keep);
	struct intern old_strings = t->strings;
	/* The sums of each session merged away, by its old id. */
	struct session_total *gone = xcalloc(old_strings.nr + 1,
			sizeof(*gone));

	/* Rebuild rollups and strings: merged sessions leave no strings. */
	t->items = NULL;
	t->nr = t->alloc = 0;
	intern_init(&t->strings);
	memset(t->last_id, 0, sizeof(t->last_id));
	hash_index_release(&t->ix);
	for (size_t i = 0; i < nold; i++) {
		struct rollup_key key = old[i].key;
		struct rollup *r;

		if (counters_empty(&old[i].c))
			continue;
		if (key.session && !keep_session[key.session]) {
			struct session_total *g = &gone[key.session];

			counters_add(&g->c, &old[i].c, 1);
			if (old[i].last > g->last)
				g->last = old[i].last;
			if (!g->last)
				g->last = 1; /* a session: see below */
			key.session = 0;
		}
		key.provider = remap(&t->strings, &old_strings, key.provider);
		key.model = remap(&t->strings, &old_strings, key.model);
		key.session = remap(&t->strings, &old_strings, key.session);
		key.source = remap(&t->strings, &old_strings, key.source);
		key.device = remap(&t->strings, &old_strings, key.device);
		r = rollup_get(t, &key);
		counters_add(&r->c, &old[i].c, 1);
		if (old[i].last > r->last)
			r->last = old[i].last;
	}
	for (size_t id = 1; id < old_strings.nr; id++)
		if (gone[id].last)
			rollup_add_session_total(t, intern_str(&old_strings,
					(uint32_t)id), gone[id].last,
					&gone[id].c);
	rollup_trim_totals(t);
	free(gone);
	free(old);
	free(keep_session);
	intern_release(&old_strings);
}

int64_t counters_priced_cost(const struct counters *c, enum cost_mode mode)
{
	int64_t unpriced, cost = counters_cost(c, mode, &unpriced);

	return unpriced && unpriced >= c->v[RC_N_USAGE] ? -1 : cost;
}

int64_t counters_tokens(const struct counters *c)
{
	return c->v[RC_INPUT] + c->v[RC_OUTPUT];
}
