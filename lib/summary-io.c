/*
 * The summary cache file: writing it (with the seed's fields for other
 * tools) and reading it back. Anything unexpected on reading makes the
 * file invalid, and an invalid cache is simply rebuilt.
 */
#include "summary.h"
#include "summary-io.h"

#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "jsonscan.h"
#include "jsonw.h"
#include "money.h"
#include "timeutil.h"
#include "banned.h"

/* ---- writing ---- */

static void totals_of(const struct summary *s, int32_t day, struct counters *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < s->rollups.nr; i++)
		if (day == INT32_MIN || s->rollups.items[i].key.day == day)
			counters_add(c, &s->rollups.items[i].c, 1);
}

static void write_totals(struct jsonw *w, const char *key,
		const struct counters *c)
{
	jw_key(w, key);
	jw_object_begin(w);
	counters_report_json(w, c, COST_MODE_AUTO);
	/* The name the first releases wrote, for the readers of this file. */
	jw_kv_int(w, "unpricedRequests", c->v[RC_N_UNPRICED]);
	jw_object_end(w);
}

static void write_budget_part(struct jsonw *w, const char *key, int64_t limit,
		int64_t used, int64_t warn, int money)
{
	jw_key(w, key);
	jw_object_begin(w);
	if (money)
		jw_kv_money(w, "configured", limit);
	else
		jw_kv_int(w, "configured", limit);
	if (!limit) {
		jw_kv_null(w, "remaining");
		jw_kv_string(w, "state", "off");
	} else {
		if (money)
			jw_kv_money(w, "remaining", limit > used ? limit - used : 0);
		else
			jw_kv_int(w, "remaining", limit > used ? limit - used : 0);
		jw_kv_string(w, "state",
				budget_state_name(budget_judge(used, limit, warn)));
	}
	jw_object_end(w);
}

/* The seed's budgetState: the monthly shorthand budget. */
static void write_budget_state(struct jsonw *w, const struct summary *s,
		const struct summary_budget *b)
{
	int64_t month_tokens = 0, month_cost = 0;
	int32_t from, to;

	calendar_bounds(CAL_MONTH, local_day(s->updated_at), &from, &to);
	for (size_t i = 0; i < s->rollups.nr; i++) {
		const struct rollup *r = &s->rollups.items[i];

		if (r->key.day < from || r->key.day >= to)
			continue;
		month_tokens += r->c.v[RC_INPUT] + r->c.v[RC_OUTPUT];
		month_cost += r->c.v[RC_BILLED] + r->c.v[RC_EST_UNBILLED];
	}
	jw_key(w, "budgetState");
	jw_object_begin(w);
	write_budget_part(w, "tokens", b->tokens, month_tokens,
			b->warn_percent, 0);
	write_budget_part(w, "usd", b->usd, month_cost, b->warn_percent, 1);
	jw_object_end(w);
}

static void write_seed_fields(struct jsonw *w, const struct summary *s,
		const struct summary_budget *b)
{
	struct counters all, today, sum;

	totals_of(s, INT32_MIN, &all);
	totals_of(s, local_day(s->updated_at), &today);
	sum = all;
	jw_kv_int(w, "updatedAt", s->updated_at);
	jw_key(w, "totals");
	jw_object_begin(w);
	write_totals(w, "workspace", &all);
	write_totals(w, "today", &today);
	jw_object_end(w);
	write_budget_state(w, s, b);
	jw_key(w, "syncState");
	jw_object_begin(w);
	jw_kv_int(w, "pending", sum.v[RC_N_PENDING]);
	jw_kv_int(w, "failed", sum.v[RC_N_SYNC_FAILED]);
	if (s->last_synced_at)
		jw_kv_int(w, "lastSyncedAt", s->last_synced_at);
	else
		jw_kv_null(w, "lastSyncedAt");
	jw_object_end(w);
}

static void write_rollups(struct jsonw *w, const struct summary *s)
{
	jw_key(w, "strings");
	jw_array_begin(w);
	for (size_t i = 0; i < s->rollups.strings.nr; i++)
		jw_string(w, s->rollups.strings.strings[i]);
	jw_array_end(w);
	jw_key(w, "rollupFields");
	jw_array_begin(w);
	jw_string(w, "day");
	jw_string(w, "provider");
	jw_string(w, "model");
	jw_string(w, "session");
	jw_string(w, "source");
	jw_string(w, "device");
	jw_string(w, "last");
	for (int i = 0; i < RC__COUNT; i++)
		jw_string(w, rollup_counter_names[i]);
	jw_array_end(w);
	if (s->rollups.dropped) {
		struct strbuf hex = STRBUF_INIT;

		for (size_t i = 0; i < ROLLUP_DROPPED_BYTES; i++)
			strbuf_addf(&hex, "%02x", s->rollups.dropped[i]);
		jw_kv_string(w, "droppedSessions", hex.buf);
		strbuf_release(&hex);
	}
	jw_key(w, "sessionTotals");
	jw_array_begin(w);
	for (size_t i = 0; i < s->rollups.ntotals; i++) {
		const struct session_total *st = &s->rollups.totals[i];

		jw_array_begin(w);
		jw_string(w, intern_str(&s->rollups.total_names,
				(uint32_t)i + 1));
		jw_int(w, st->last);
		for (int c = 0; c < RC__COUNT; c++)
			jw_int(w, st->c.v[c]);
		jw_array_end(w);
	}
	jw_array_end(w);
	jw_key(w, "rollups");
	jw_array_begin(w);
	for (size_t i = 0; i < s->rollups.nr; i++) {
		const struct rollup *r = &s->rollups.items[i];

		if (counters_empty(&r->c))
			continue;
		jw_array_begin(w);
		jw_int(w, r->key.day);
		jw_int(w, r->key.provider);
		jw_int(w, r->key.model);
		jw_int(w, r->key.session);
		jw_int(w, r->key.source);
		jw_int(w, r->key.device);
		jw_int(w, r->last);
		for (int c = 0; c < RC__COUNT; c++)
			jw_int(w, r->c.v[c]);
		jw_array_end(w);
	}
	jw_array_end(w);
}

/* The usage by tag: rows of day, tag, provider, model, device, sums. */
static void write_tags(struct jsonw *w, const struct summary *s)
{
	jw_kv_int(w, "tagsFrom", s->tags_from);
	jw_kv_int(w, "tagsOverflow", s->tags_overflow);
	jw_key(w, "tagStrings");
	jw_array_begin(w);
	for (size_t i = 0; i < s->tags.strings.nr; i++)
		jw_string(w, s->tags.strings.strings[i]);
	jw_array_end(w);
	jw_key(w, "tagRollups");
	jw_array_begin(w);
	for (size_t i = 0; i < s->tags.nr; i++) {
		const struct rollup *r = &s->tags.items[i];

		if (counters_empty(&r->c))
			continue;
		jw_array_begin(w);
		jw_int(w, r->key.day);
		jw_int(w, r->key.project);
		jw_int(w, r->key.provider);
		jw_int(w, r->key.model);
		jw_int(w, r->key.device);
		for (int c = 0; c < RC__COUNT; c++)
			jw_int(w, r->c.v[c]);
		jw_array_end(w);
	}
	jw_array_end(w);
}

void quota_state_json_members(struct jsonw *w, const struct quota_state *q)
{
	jw_kv_string(w, quota_field_name(QF_PROVIDER_ID), q->provider);
	if (q->window)
		jw_kv_string(w, quota_field_name(QF_WINDOW), q->window);
	for (int f = 0; f < QF__COUNT; f++) {
		const char *name = quota_field_name((enum quota_field)f);

		if (quota_field_is_text((enum quota_field)f) ||
		    !(q->has & (1u << f)))
			continue;
		if (quota_field_is_money((enum quota_field)f))
			jw_kv_money(w, name, q->v[f]);
		else
			jw_kv_int(w, name, q->v[f]);
	}
}

static void counters_array(struct jsonw *w, const struct counters *c)
{
	for (int i = 0; i < RC__COUNT; i++)
		jw_int(w, c->v[i]);
}

/* [hour, first, last, counters...]; hourStarts: [hour, counters...]. */
static void write_hours(struct jsonw *w, const struct summary *s)
{
	const struct hour_table *t = &s->hours;

	jw_kv_int(w, "hoursDroppedLast", t->dropped_last);
	jw_key(w, "hoursAnchor");
	jw_array_begin(w);
	jw_int(w, t->anchor);
	jw_int(w, t->anchor_edge);
	jw_array_end(w);
	jw_key(w, "hours");
	jw_array_begin(w);
	for (size_t i = 0; i < t->nr; i++) {
		const struct hour_bucket *b = &t->items[i];

		if (b->first > b->last)
			continue;
		jw_array_begin(w);
		jw_int(w, b->hour);
		jw_int(w, b->first);
		jw_int(w, b->last);
		counters_array(w, &b->c);
		jw_array_end(w);
	}
	jw_array_end(w);
	jw_key(w, "hourStarts");
	jw_array_begin(w);
	for (size_t i = 0; i < t->nr; i++) {
		const struct hour_bucket *b = &t->items[i];

		if (b->first > b->last || counters_empty(&b->at_start))
			continue;
		jw_array_begin(w);
		jw_int(w, b->hour);
		counters_array(w, &b->at_start);
		jw_array_end(w);
	}
	jw_array_end(w);
	jw_key(w, "hoursLargestByTokens");
	jw_array_begin(w);
	counters_array(w, &t->largest_tokens);
	jw_array_end(w);
	jw_key(w, "hoursLargestByCost");
	jw_array_begin(w);
	counters_array(w, &t->largest_cost);
	jw_array_end(w);
}

static void write_quotas(struct jsonw *w, const struct summary *s)
{
	jw_key(w, "quota");
	jw_array_begin(w);
	for (size_t i = 0; i < s->nquotas; i++) {
		const struct quota_state *q = &s->quotas[i];

		jw_object_begin(w);
		quota_state_json_members(w, q);
		jw_object_end(w);
	}
	jw_array_end(w);
}

void summary_write_json(const struct summary *s, const struct summary_budget *b,
		struct strbuf *out)
{
	struct jsonw w;

	jw_init(&w, out, JW_COMPACT);
	jw_object_begin(&w);
	jw_kv_int(&w, "version", SUMMARY_VERSION);
	write_seed_fields(&w, s, b);
	jw_key(&w, "ledger");
	jw_object_begin(&w);
	jw_kv_int(&w, "dev", (int64_t)s->dev);
	jw_kv_int(&w, "ino", (int64_t)s->ino);
	jw_kv_int(&w, "offset", (int64_t)s->offset);
	jw_kv_int(&w, "lines", (int64_t)s->lines);
	jw_kv_int(&w, "invalid", (int64_t)s->invalid);
	jw_kv_int(&w, "size", (int64_t)s->seen_size);
	jw_kv_int(&w, "mtimeNs", (int64_t)s->seen_mtime_ns);
	jw_kv_int(&w, "ctimeNs", (int64_t)s->seen_ctime_ns);
	jw_kv_int(&w, "tail", (int64_t)s->tail_hash);
	jw_object_end(&w);
	jw_kv_int(&w, "generation", (int64_t)s->generation);
	jw_key(&w, "budgetConfig");
	jw_array_begin(&w);
	jw_int(&w, b->tokens);
	jw_int(&w, b->usd);
	jw_int(&w, b->warn_percent);
	jw_array_end(&w);
	jw_kv_string(&w, "timezone", s->timezone ? s->timezone : "local");
	jw_kv_int(&w, "lastSyncedAt", s->last_synced_at);
	write_rollups(&w, s);
	write_tags(&w, s);
	write_hours(&w, s);
	jw_key(&w, "recent");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->nrecent; i++) {
		jw_array_begin(&w);
		jw_int(&w, s->recent[i].time);
		jw_int(&w, (int64_t)s->recent[i].hash);
		jw_int(&w, s->recent[i].tokens);
		jw_array_end(&w);
	}
	jw_array_end(&w);
	write_quotas(&w, s);
	jw_key(&w, "alerts");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->nalerts; i++)
		jw_string(&w, s->alerts[i]);
	jw_array_end(&w);
	jw_object_end(&w);
	strbuf_addch(out, '\n');
}

/* ---- reading ---- */

struct reader {
	struct jscan js;
	struct mempool pool;
	struct summary *s;
};

static int read_int(struct reader *r, int64_t *out)
{
	return js_peek(&r->js) == JS_NUMBER ? js_int64(&r->js, out) : -1;
}

static int read_u64(struct reader *r, uint64_t *out)
{
	int64_t v;

	if (read_int(r, &v) || v < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static char *read_string(struct reader *r)
{
	struct js_span sp;

	if (js_peek(&r->js) != JS_STRING || js_string(&r->js, &sp))
		return NULL;
	return js_unescape(&sp, &r->pool);
}

static int read_ledger(struct reader *r)
{
	struct js_span key;
	int ret;

	if (js_object_begin(&r->js))
		return -1;
	while ((ret = js_member(&r->js, &key)) > 0) {
		uint64_t *field = js_key_is(&key, "dev") ? &r->s->dev :
				  js_key_is(&key, "ino") ? &r->s->ino :
				  js_key_is(&key, "offset") ? &r->s->offset :
				  js_key_is(&key, "lines") ? &r->s->lines :
				  js_key_is(&key, "invalid") ? &r->s->invalid :
				  js_key_is(&key, "size") ? &r->s->seen_size :
				  js_key_is(&key, "mtimeNs") ? &r->s->seen_mtime_ns :
				  js_key_is(&key, "ctimeNs") ? &r->s->seen_ctime_ns :
				  js_key_is(&key, "tail") ? &r->s->tail_hash :
				  NULL;

		if (field ? read_u64(r, field) : js_skip(&r->js))
			return -1;
	}
	return ret;
}

static int read_strings_into(struct reader *r, struct intern *t)
{
	size_t n = 0;
	int ret;

	if (js_array_begin(&r->js))
		return -1;
	while ((ret = js_element(&r->js)) > 0) {
		char *str = read_string(r);

		/* Ids are positions: the table must come back identical. */
		if (!str || intern_id(t, str, strlen(str)) != n++)
			return -1;
	}
	return ret;
}

static int read_strings(struct reader *r)
{
	return read_strings_into(r, &r->s->rollups.strings);
}

static int read_tag_strings(struct reader *r)
{
	return read_strings_into(r, &r->s->tags.strings);
}

/* Reads [head..., counters...] with nhead leading numbers. */
static int read_counted(struct reader *r, int64_t *head, int nhead,
		struct counters *c)
{
	int ret, i = 0;

	if (js_array_begin(&r->js))
		return -1;
	while ((ret = js_element(&r->js)) > 0) {
		int64_t v;

		if (read_int(r, &v) || i >= nhead + RC__COUNT)
			return -1;
		if (i < nhead)
			head[i] = v;
		else
			c->v[i - nhead] = v;
		i++;
	}
	return ret || i != nhead + RC__COUNT ? -1 : 0;
}

static int read_rollup(struct reader *r)
{
	struct rollup_table *t = &r->s->rollups;
	int64_t head[7];
	struct counters c;
	struct rollup_key key;
	struct rollup *ru;

	if (read_counted(r, head, 7, &c))
		return -1;
	for (int k = 1; k <= 5; k++)
		if (head[k] < 0 || (uint64_t)head[k] >= t->strings.nr)
			return -1;
	if (head[0] < INT32_MIN || head[0] > INT32_MAX)
		return -1;
	key.day = (int32_t)head[0];
	key.provider = (uint32_t)head[1];
	key.model = (uint32_t)head[2];
	key.session = (uint32_t)head[3];
	key.project = 0;
	key.source = (uint32_t)head[4];
	key.device = (uint32_t)head[5];
	ru = rollup_get(t, &key);
	ru->last = head[6];
	counters_add(&ru->c, &c, 1);
	return 0;
}

/* [name, last, counters...]: a session's whole sums, each name once. */
static int read_session_total(struct reader *r)
{
	struct rollup_table *t = &r->s->rollups;
	struct counters c;
	char *name;
	int64_t last;
	int ret, i = 0;

	memset(&c, 0, sizeof(c));
	if (js_array_begin(&r->js) || js_element(&r->js) <= 0 ||
	    !(name = read_string(r)) || !*name ||
	    rollup_session_total(t, name) ||
	    js_element(&r->js) <= 0 || read_int(r, &last))
		return -1;
	while ((ret = js_element(&r->js)) > 0)
		if (i >= RC__COUNT || read_int(r, &c.v[i++]))
			return -1;
	if (ret || i != RC__COUNT)
		return -1;
	rollup_put_session_total(t, name, last, &c);
	return 0;
}

static int read_tag_rollup(struct reader *r)
{
	struct rollup_table *t = &r->s->tags;
	int64_t head[5];
	struct counters c;
	struct rollup_key key;

	if (read_counted(r, head, 5, &c))
		return -1;
	for (int k = 1; k <= 4; k++)
		if (head[k] < 0 || (uint64_t)head[k] >= t->strings.nr)
			return -1;
	if (head[0] < INT32_MIN || head[0] > INT32_MAX)
		return -1;
	memset(&key, 0, sizeof(key));
	key.day = (int32_t)head[0];
	key.project = (uint32_t)head[1];
	key.provider = (uint32_t)head[2];
	key.model = (uint32_t)head[3];
	key.device = (uint32_t)head[4];
	counters_add(&rollup_get(t, &key)->c, &c, 1);
	return 0;
}

static int read_tags_from(struct reader *r)
{
	int64_t v;

	if (read_int(r, &v) || v < INT32_MIN || v > INT32_MAX)
		return -1;
	r->s->tags_from = (int32_t)v;
	return 0;
}

static int read_tags_overflow(struct reader *r)
{
	int64_t v;

	if (read_int(r, &v) || (v != 0 && v != 1))
		return -1;
	r->s->tags_overflow = (int)v;
	return 0;
}

/* A whole hour; the hours must come in order, each once. */
static int read_hour(struct reader *r)
{
	struct hour_table *t = &r->s->hours;
	struct hour_bucket *b;
	struct counters c;
	int64_t head[3];

	if (read_counted(r, head, 3, &c) || head[1] > head[2] ||
	    (t->nr && t->items[t->nr - 1].hour >= head[0]))
		return -1;
	b = hours_get(t, head[0]);
	b->first = head[1];
	b->last = head[2];
	b->c = c;
	return 0;
}

static int read_hours_anchor(struct reader *r)
{
	struct hour_table *t = &r->s->hours;
	int64_t v[2];
	int ret, i = 0;

	if (js_array_begin(&r->js))
		return -1;
	while ((ret = js_element(&r->js)) > 0)
		if (i >= 2 || read_int(r, &v[i++]))
			return -1;
	if (ret || i != 2 || v[0] < 0 || (v[1] != 0 && v[1] != 1))
		return -1;
	t->anchor = v[0];
	t->anchor_edge = (int)v[1];
	return 0;
}

static int read_hour_start(struct reader *r)
{
	struct hour_table *t = &r->s->hours;
	struct counters c;
	int64_t hour;

	if (read_counted(r, &hour, 1, &c))
		return -1;
	/* Of an hour read before. */
	for (size_t i = 0; i < t->nr; i++)
		if (t->items[i].hour == hour) {
			t->items[i].at_start = c;
			return 0;
		}
	return -1;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int read_dropped(struct reader *r)
{
	struct rollup_table *t = &r->s->rollups;
	char *hex = read_string(r);

	if (!hex || strlen(hex) != 2 * ROLLUP_DROPPED_BYTES || t->dropped)
		return -1;
	t->dropped = xcalloc(1, ROLLUP_DROPPED_BYTES);
	for (size_t i = 0; i < ROLLUP_DROPPED_BYTES; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		t->dropped[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int read_array(struct reader *r, int (*item)(struct reader *))
{
	int ret;

	if (js_array_begin(&r->js))
		return -1;
	while ((ret = js_element(&r->js)) > 0)
		if (item(r))
			return -1;
	return ret;
}

static int read_recent_item(struct reader *r)
{
	struct summary *s = r->s;
	int64_t v[3];
	int ret, i = 0;

	if (js_array_begin(&r->js))
		return -1;
	while ((ret = js_element(&r->js)) > 0)
		if (i >= 3 || read_int(r, &v[i++]))
			return -1;
	if (ret || i != 3 || s->nrecent >= SUMMARY_RECENT_MAX)
		return -1;
	s->recent[s->nrecent].time = v[0];
	s->recent[s->nrecent].hash = (uint64_t)v[1];
	s->recent[s->nrecent].tokens = v[2];
	s->nrecent++;
	return 0;
}

static int read_quota(struct reader *r)
{
	struct summary *s = r->s;
	struct quota_state *q;
	struct js_span key;
	int ret;

	if (js_object_begin(&r->js))
		return -1;
	ALLOC_GROW(s->quotas, s->nquotas + 1, s->aquotas);
	q = &s->quotas[s->nquotas++];
	memset(q, 0, sizeof(*q));
	while ((ret = js_member(&r->js, &key)) > 0) {
		struct js_span sp;
		int f;

		for (f = 0; f < QF__COUNT; f++)
			if (js_key_is(&key,
				       quota_field_name((enum quota_field)f)))
				break;
		if (f < QF__COUNT && quota_field_is_text((enum quota_field)f)) {
			char *p = read_string(r);
			char **slot = f == QF_WINDOW ? &q->window :
				&q->provider;

			if (!p || *slot)
				return -1;
			*slot = xstrdup(p);
		} else if (f < QF__COUNT &&
			   quota_field_is_money((enum quota_field)f)) {
			if (js_number(&r->js, &sp) ||
			    money_parse(sp.p, sp.len, &q->v[f]))
				return -1;
			q->has |= 1u << f;
		} else if (f < QF__COUNT) {
			if (read_int(r, &q->v[f]))
				return -1;
			q->has |= 1u << f;
		} else if (js_skip(&r->js)) {
			return -1;
		}
	}
	return ret || !q->provider ? -1 : 0;
}

static int read_alert(struct reader *r)
{
	struct summary *s = r->s;
	char *a = read_string(r);

	if (!a)
		return -1;
	ALLOC_GROW(s->alerts, s->nalerts + 1, s->aalerts);
	s->alerts[s->nalerts++] = xstrdup(a);
	return 0;
}

static int read_budget_config(struct reader *r)
{
	int64_t *v[3] = { &r->s->budget.tokens, &r->s->budget.usd,
		&r->s->budget.warn_percent };
	int ret, i = 0;

	if (js_array_begin(&r->js))
		return -1;
	while ((ret = js_element(&r->js)) > 0)
		if (i >= 3 || read_int(r, v[i++]))
			return -1;
	return ret || i != 3 ? -1 : 0;
}

static int read_member(struct reader *r, const struct js_span *key)
{
	struct summary *s = r->s;
	int64_t v;

	if (js_key_is(key, "version"))
		return read_int(r, &v) || v != SUMMARY_VERSION ? -1 : 0;
	if (js_key_is(key, "ledger"))
		return read_ledger(r);
	if (js_key_is(key, "generation"))
		return read_u64(r, &s->generation);
	if (js_key_is(key, "updatedAt"))
		return read_int(r, &s->updated_at);
	if (js_key_is(key, "lastSyncedAt"))
		return read_int(r, &s->last_synced_at);
	if (js_key_is(key, "timezone")) {
		char *tz = read_string(r);

		/* Twice is a damaged cache. */
		if (!tz || s->timezone)
			return -1;
		s->timezone = xstrdup(tz);
		return 0;
	}
	if (js_key_is(key, "strings"))
		return read_strings(r);
	if (js_key_is(key, "rollups"))
		return read_array(r, read_rollup);
	if (js_key_is(key, "droppedSessions"))
		return read_dropped(r);
	if (js_key_is(key, "sessionTotals"))
		return read_array(r, read_session_total);
	if (js_key_is(key, "tagsFrom"))
		return read_tags_from(r);
	if (js_key_is(key, "tagsOverflow"))
		return read_tags_overflow(r);
	if (js_key_is(key, "tagStrings"))
		return read_tag_strings(r);
	if (js_key_is(key, "tagRollups"))
		return read_array(r, read_tag_rollup);
	if (js_key_is(key, "recent"))
		return read_array(r, read_recent_item);
	if (js_key_is(key, "hours"))
		return read_array(r, read_hour);
	if (js_key_is(key, "hourStarts"))
		return read_array(r, read_hour_start);
	if (js_key_is(key, "hoursDroppedLast"))
		return read_int(r, &s->hours.dropped_last);
	if (js_key_is(key, "hoursAnchor"))
		return read_hours_anchor(r);
	if (js_key_is(key, "hoursLargestByTokens"))
		return read_counted(r, NULL, 0, &s->hours.largest_tokens);
	if (js_key_is(key, "hoursLargestByCost"))
		return read_counted(r, NULL, 0, &s->hours.largest_cost);
	if (js_key_is(key, "quota"))
		return read_array(r, read_quota);
	if (js_key_is(key, "alerts"))
		return read_array(r, read_alert);
	if (js_key_is(key, "budgetConfig"))
		return read_budget_config(r);
	return js_skip(&r->js);
}

int summary_read_json(struct summary *s, const char *text, size_t len)
{
	struct reader r = { .s = s };
	struct js_span key;
	int ret, version_seen = 0;

	js_init(&r.js, text, len);
	if (js_object_begin(&r.js)) {
		ret = -1;
		goto out;
	}
	while ((ret = js_member(&r.js, &key)) > 0) {
		version_seen |= js_key_is(&key, "version");
		if (read_member(&r, &key)) {
			ret = -1;
			break;
		}
	}
	if (!ret && (!version_seen || !js_at_end(&r.js)))
		ret = -1;
out:
	mempool_release(&r.pool);
	return ret;
}
