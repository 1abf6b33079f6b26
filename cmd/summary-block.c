/* summary --window block: see summary-block.h. */
#include "summary-block.h"

#include "reporting.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/blocks.h"
#include "../lib/summary.h"
#include "../lib/money.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

int block_window(struct block_view *bv, const struct report_scope *sc,
		struct report_spec *spec, int64_t now, struct strbuf *err)
{
	struct blocks *b = &bv->blocks;
	long k;
	int ret;

	memset(bv, 0, sizeof(*bv));
	bv->now = now;
	ret = report_blocks(sc->ledgers, sc->nledgers, spec, b, err);
	if (ret)
		return ret;
	spec->blocks = b; /* for --by block too: made once */
	k = blocks_active(b, now);
	bv->active = k >= 0;
	if (k < 0 && b->n)
		k = (long)b->n - 1;
	if (k >= 0) {
		bv->found = 1;
		bv->start = b->start[k];
		bv->end = b->start[k] + BLOCK_MS;
		bv->first = b->first[k];
		bv->last = b->last[k];
		/* From its first request: the hour before it may hold the
		 * last request of the block before. */
		spec->filter.since = bv->first;
		spec->filter.until = bv->end;
	} else {
		spec->filter.since = spec->filter.until = now;
	}
	return 0;
}

void block_view_release(struct block_view *bv)
{
	blocks_release(&bv->blocks);
}

static struct block_rate rate_of(int64_t tokens, int64_t cost,
		double minutes)
{
	struct block_rate r = { 0, -1, 0 };

	if (minutes <= 0)
		return r;
	r.known = 1;
	r.tokens_per_minute = (double)tokens / minutes;
	if (cost >= 0)
		r.cost_per_hour = (int64_t)((double)cost / minutes * 60);
	return r;
}

/* The largest ended block before this one: tokens and cost. */
static int largest_past(const struct block_view *bv,
		const struct report_scope *sc, const struct report_spec *spec,
		enum cost_mode mode, int64_t *tokens, int64_t *cost,
		struct strbuf *err)
{
	struct report_spec all = *spec;
	struct strbuf this_one = STRBUF_INIT;
	struct report r;
	int ret;

	all.filter.since = all.filter.until = -1;
	all.ndims = 1;
	all.dims[0] = DIM_BLOCK;
	all.blocks = &bv->blocks; /* made by block_window(), not again */
	report_init(&r);
	ret = report_from_ledgers(sc->ledgers, sc->nledgers, &all, &r, err);
	time_format_utc(&this_one, bv->start);
	*tokens = *cost = 0;
	for (size_t i = 0; !ret && i < r.ngroups; i++) {
		const struct counters *c = &r.groups[i].c;
		int64_t t = counters_tokens(c);
		int64_t usd = counters_priced_cost(c, mode);

		if (bv->active && !strcmp(r.groups[i].key[0], this_one.buf))
			continue;
		if (t > *tokens)
			*tokens = t;
		if (usd > *cost)
			*cost = usd;
	}
	report_release(&r);
	strbuf_release(&this_one);
	return ret;
}

/*
 * When the limit is reached at the block's pace, and how the projection
 * stands against it (ccusage's thresholds: over it, or past 80%).
 */
static void limit_of(struct block_limit *l, int64_t used, int64_t projected,
		double per_minute, int active)
{
	l->minutes_left = -1;
	if (used >= l->value)
		l->minutes_left = 0;
	else if (active && per_minute > 0)
		l->minutes_left = (int64_t)((double)(l->value - used) /
				per_minute);
	if (projected > l->value || used >= l->value)
		l->status = "exceeds";
	else if ((double)projected > (double)l->value * 0.8)
		l->status = "warning";
	else
		l->status = "ok";
}

static int set_limit(struct block_limit *l, const char *setting,
		int money, int64_t largest)
{
	if (!setting || !*setting)
		return 0;
	l->from_max = !strcmp(setting, "max");
	if (l->from_max)
		l->value = largest;
	else if (money)
		money_parse(setting, strlen(setting), &l->value);
	else
		l->value = strtoll(setting, NULL, 10);
	return l->value > 0;
}

int block_limits_want_max(const struct config *cfg)
{
	const char *tok = config_get(cfg, "block_token_limit");
	const char *usd = config_get(cfg, "block_cost_limit_usd");

	return (tok && !strcmp(tok, "max")) || (usd && !strcmp(usd, "max"));
}

static int limits(struct block_view *bv, const struct report_scope *sc,
		const struct report_spec *spec, const struct config *cfg,
		enum cost_mode mode, struct strbuf *err)
{
	int64_t max_tokens = 0, max_cost = 0;
	int ret = 0;

	if (block_limits_want_max(cfg))
		ret = largest_past(bv, sc, spec, mode, &max_tokens, &max_cost,
				err);
	if (!ret)
		block_limits(bv, cfg, max_tokens, max_cost);
	return ret;
}

void block_limits(struct block_view *bv, const struct config *cfg,
		int64_t max_tokens, int64_t max_cost)
{
	const char *tok = config_get(cfg, "block_token_limit");
	const char *usd = config_get(cfg, "block_cost_limit_usd");

	bv->has_token_limit = set_limit(&bv->token_limit, tok, 0, max_tokens);
	if (bv->has_token_limit)
		limit_of(&bv->token_limit, bv->tokens, bv->has_projection ?
				bv->projected_tokens : bv->tokens,
				bv->rate.tokens_per_minute, bv->active);
	bv->has_cost_limit = bv->cost >= 0 &&
		set_limit(&bv->cost_limit, usd, 1, max_cost);
	if (bv->has_cost_limit)
		limit_of(&bv->cost_limit, bv->cost, bv->has_projection ?
				bv->projected_cost : bv->cost,
				bv->rate.cost_per_hour / 60.0, bv->active);
}

void block_pace(struct block_view *bv, const struct counters *total,
		enum cost_mode mode)
{
	bv->tokens = counters_tokens(total);
	bv->cost = counters_priced_cost(total, mode);
	bv->rate = rate_of(bv->tokens, bv->cost,
			(double)(bv->last - bv->first) / 60000.0);
	if (bv->active && bv->rate.known) {
		bv->has_projection = 1;
		bv->remaining_minutes = (bv->end - bv->now + 30000) / 60000;
		bv->projected_tokens = bv->tokens + (int64_t)(
				bv->rate.tokens_per_minute *
				(double)bv->remaining_minutes + 0.5);
		bv->projected_cost = bv->cost < 0 ? -1 : bv->cost +
			bv->rate.cost_per_hour / 60 * bv->remaining_minutes;
	}
}

int block_from_hours(struct block_view *bv, const struct summary *s,
		int64_t now, struct counters *total)
{
	struct hour_block hb;
	int k = hours_active_block(&s->hours, now, &hb);

	memset(bv, 0, sizeof(*bv));
	bv->now = now;
	if (k <= 0)
		return k;
	bv->found = bv->active = 1;
	bv->start = hb.start;
	bv->end = hb.end;
	bv->first = hb.first;
	bv->last = hb.last;
	*total = hb.c;
	return 1;
}

int block_measure(struct block_view *bv, const struct report_scope *sc,
		const struct report_spec *spec, const struct counters *total,
		const struct config *cfg, enum cost_mode mode,
		struct strbuf *err)
{
	struct report_spec recent = *spec;
	struct report r;
	int ret;

	if (!bv->found)
		return 0;
	block_pace(bv, total, mode);
	if (bv->active) {
		recent.ndims = 0;
		recent.filter.since = bv->now - BLOCK_RECENT_MS;
		if (recent.filter.since < bv->first)
			recent.filter.since = bv->first;
		recent.filter.until = bv->now + 1;
		report_init(&r);
		ret = report_from_ledgers(sc->ledgers, sc->nledgers, &recent,
				&r, err);
		if (!ret)
			bv->recent = rate_of(counters_tokens(&r.total),
					counters_priced_cost(&r.total, mode),
					BLOCK_RECENT_MS / 60000.0);
		report_release(&r);
		if (ret)
			return ret;
	}
	return limits(bv, sc, spec, cfg, mode, err);
}

/* ---- output ---- */

static void add_minutes(struct strbuf *out, int64_t minutes)
{
	if (minutes >= 60)
		strbuf_addf(out, "%lldh %02lldm", (long long)(minutes / 60),
				(long long)(minutes % 60));
	else
		strbuf_addf(out, "%lldm", (long long)minutes);
}

static void add_cost(struct strbuf *out, int64_t nano)
{
	if (nano < 0)
		strbuf_addstr(out, "unpriced");
	else
		money_format_human(out, nano);
}

static void add_rate(struct strbuf *out, const struct block_rate *r)
{
	fmt_count(out, (int64_t)(r->tokens_per_minute + 0.5));
	strbuf_addstr(out, " tok/min, ");
	add_cost(out, r->cost_per_hour);
	strbuf_addstr(out, "/h");
}

static void limit_human(struct strbuf *out, const char *what,
		const struct block_limit *l, int money)
{
	strbuf_addf(out, "%-11s", what);
	if (money)
		money_format_human(out, l->value);
	else {
		fmt_count(out, l->value);
		strbuf_addstr(out, " tok");
	}
	if (l->from_max)
		strbuf_addstr(out, " (the largest past block)");
	if (!l->minutes_left)
		strbuf_addstr(out, ": reached");
	else if (l->minutes_left > 0) {
		strbuf_addstr(out, ": reached in ");
		add_minutes(out, l->minutes_left);
		strbuf_addstr(out, " at this pace");
	}
	strbuf_addf(out, " (%s)\n", l->status);
}

void block_human(struct strbuf *out, const struct block_view *bv)
{
	strbuf_addch(out, '\n');
	if (!bv->found) {
		strbuf_addstr(out, "Block      none: no request yet\n");
		return;
	}
	strbuf_addstr(out, "Block      ");
	time_format_local(out, bv->start);
	strbuf_addstr(out, " to ");
	time_format_local(out, bv->end);
	if (bv->active) {
		strbuf_addstr(out, ", under way: ");
		add_minutes(out, (bv->now - bv->start) / 60000);
		strbuf_addstr(out, " elapsed, ");
		add_minutes(out, (bv->end - bv->now) / 60000);
		strbuf_addstr(out, " left\n");
	} else {
		strbuf_addstr(out, ", ended (the last block)\n");
	}
	if (bv->rate.known) {
		strbuf_addstr(out, "Burn rate  ");
		add_rate(out, &bv->rate);
		strbuf_addstr(out, " over the block");
		if (bv->active) {
			strbuf_addstr(out, "; ");
			add_rate(out, &bv->recent);
			strbuf_addstr(out, " over the last 15 minutes");
		}
		strbuf_addch(out, '\n');
	}
	if (bv->has_projection) {
		strbuf_addstr(out, "Projection ");
		fmt_count(out, bv->projected_tokens);
		strbuf_addstr(out, " tok, ");
		add_cost(out, bv->projected_cost);
		strbuf_addstr(out, " by the end of the block\n");
	}
	if (bv->has_token_limit)
		limit_human(out, "Limit", &bv->token_limit, 0);
	if (bv->has_cost_limit)
		limit_human(out, "Cost limit", &bv->cost_limit, 1);
}

static void rate_json(struct jsonw *w, const char *key,
		const struct block_rate *r)
{
	jw_key(w, key);
	if (!r->known) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_double(w, "tokensPerMinute", r->tokens_per_minute);
	json_money_or_null(w, "costPerHourUsd", r->cost_per_hour);
	jw_object_end(w);
}

void block_limit_json(struct jsonw *w, const char *key,
		const struct block_limit *l, int money)
{
	jw_key(w, key);
	jw_object_begin(w);
	if (money)
		jw_kv_money(w, "limitUsd", l->value);
	else
		jw_kv_int(w, "limit", l->value);
	jw_kv_string(w, "from", l->from_max ? "max" : "config");
	if (l->minutes_left >= 0)
		jw_kv_int(w, "minutesToLimit", l->minutes_left);
	else
		jw_kv_null(w, "minutesToLimit");
	jw_kv_string(w, "status", l->status);
	jw_object_end(w);
}

void block_json(struct jsonw *w, const struct block_view *bv)
{
	jw_key(w, "block");
	if (!bv->found) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	json_time_or_null(w, "startTime", bv->start);
	json_time_or_null(w, "endTime", bv->end);
	json_time_or_null(w, "firstRequestAt", bv->first);
	json_time_or_null(w, "lastRequestAt", bv->last);
	jw_kv_bool(w, "isActive", bv->active);
	rate_json(w, "burnRate", &bv->rate);
	if (bv->active)
		rate_json(w, "burnRateLast15m", &bv->recent);
	jw_key(w, "projection");
	if (bv->has_projection) {
		jw_object_begin(w);
		jw_kv_int(w, "totalTokens", bv->projected_tokens);
		json_money_or_null(w, "costUsd", bv->projected_cost);
		jw_kv_int(w, "remainingMinutes", bv->remaining_minutes);
		jw_object_end(w);
	} else {
		jw_null(w);
	}
	if (bv->has_token_limit)
		block_limit_json(w, "tokenLimit", &bv->token_limit, 0);
	if (bv->has_cost_limit)
		block_limit_json(w, "costLimit", &bv->cost_limit, 1);
	jw_object_end(w);
}
