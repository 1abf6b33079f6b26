/* The figures of status and top: see status-fields.h. */
#include "status-fields.h"

#include <string.h>

#include "../lib/money.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

/*
 * The configured block limits; "max" is the largest past block the
 * cache's hours know (hours.h), so that no ledger is read.
 */
static void limit_fields(struct status_fields *f, const struct reporting *rp,
		const struct report_scope *sc)
{
	struct counters by_tokens = { { 0 } }, by_cost = { { 0 } };
	int64_t max_cost;

	if (!f->block.active)
		return;
	if (block_limits_want_max(&rp->ctx->cfg))
		hours_largest_blocks(&sc->s->hours, rp->now, &by_tokens,
				&by_cost);
	max_cost = counters_priced_cost(&by_cost, rp->mode);
	block_limits(&f->block, &rp->ctx->cfg, counters_tokens(&by_tokens),
			max_cost > 0 ? max_cost : 0);
}

/* The block under way: from the cache's hours, else from the ledger. */
static int block_fields(struct status_fields *f, const struct reporting *rp,
		const struct report_scope *sc, struct strbuf *err)
{
	struct report_spec spec = REPORT_SPEC_INIT;
	struct counters total = { { 0 } };
	struct report r;
	int k = block_from_hours(&f->block, sc->s, rp->now, &total), ret;

	if (k >= 0) {
		if (k)
			block_pace(&f->block, &total, rp->mode);
		f->block_total = total;
		limit_fields(f, rp, sc);
		return 0;
	}
	/* Two days without a pause: the hours cannot tell. */
	ret = block_window(&f->block, sc, &spec, rp->now, err);
	if (ret || !f->block.active)
		return ret;
	report_init(&r);
	ret = report_build(sc, &spec, &r, err);
	if (!ret)
		block_pace(&f->block, &r.total, rp->mode);
	f->block_total = r.total;
	report_release(&r);
	limit_fields(f, rp, sc);
	return ret;
}

/* The plans whose windows agents report: Claude's, and ChatGPT's (Codex). */
static const char *const plan_providers[] = { "anthropic", "openai" };

/*
 * The plan's windows, from snapshots fresh enough to show; of the plans
 * seen lately, the freshest (the one in use).
 */
static void plan_fields(struct status_fields *f, const struct summary *s,
		int64_t now)
{
	uint32_t need = 1u << QF_USED_PERCENT | 1u << QF_RESET_DATE |
		1u << QF_CAPTURED_AT;

	for (int i = 0; i < CLAUDE_WINDOWS; i++) {
		for (size_t p = 0; p < sizeof(plan_providers) /
				sizeof(*plan_providers); p++) {
			const struct quota_state *q = summary_find_quota(s,
					plan_providers[p], plan_windows[i]);
			struct plan_view *v = &f->plan[i];

			if (!q || (q->has & need) != need ||
			    now - q->v[QF_CAPTURED_AT] >= PLAN_FRESH_MS ||
			    q->v[QF_RESET_DATE] <= now ||
			    (v->known && v->captured_at >=
			     q->v[QF_CAPTURED_AT]))
				continue;
			v->known = 1;
			v->provider = plan_providers[p];
			v->used = q->v[QF_USED_PERCENT];
			v->resets_at = q->v[QF_RESET_DATE];
			v->captured_at = q->v[QF_CAPTURED_AT];
		}
	}
}

static int window_counters(const struct report_scope *sc,
		int64_t since, int64_t until, const char *session,
		struct counters *c, struct strbuf *err)
{
	struct report_spec spec = REPORT_SPEC_INIT;
	struct report r;
	int ret;

	spec.filter.since = since;
	spec.filter.until = until;
	spec.filter.session = session;
	report_init(&r);
	ret = report_build(sc, &spec, &r, err);
	*c = r.total;
	report_release(&r);
	return ret;
}

static void recent_rates(struct status_fields *f, const struct reporting *rp,
		const struct report_scope *sc)
{
	int64_t requests;
	int64_t tokens = summary_recent_tokens(sc->s,
			rp->now - RATE_MINUTES * MS_PER_MIN, rp->now + 1,
			&requests);

	f->tok_per_min = tokens / RATE_MINUTES;
	f->req_per_min = requests / RATE_MINUTES;
}

int status_gather(struct status_fields *f, const struct reporting *rp,
		const struct report_scope *sc, int want_block,
		struct strbuf *err)
{
	int32_t today = local_day(rp->now), month, month_end;
	int ret;
	struct counters all;

	memset(f, 0, sizeof(*f));
	f->mode = rp->mode;
	f->now = rp->now;
	f->session_name = rp->session.buf;
	recent_rates(f, rp, sc);
	calendar_bounds(CAL_MONTH, today, &month, &month_end);
	ret = window_counters(sc, local_day_to_ms(today),
			local_day_to_ms(today + 1), NULL, &f->today, err);
	if (!ret)
		ret = window_counters(sc, local_day_to_ms(month), -1, NULL,
				&f->month, err);
	if (!ret && *rp->session.buf)
		ret = window_counters(sc, -1, -1, rp->session.buf,
				&f->session, err);
	if (!ret)
		ret = window_counters(sc, -1, -1, NULL, &all, err);
	f->today_tokens = f->today.v[RC_INPUT] + f->today.v[RC_OUTPUT];
	f->month_tokens = f->month.v[RC_INPUT] + f->month.v[RC_OUTPUT];
	f->session_tokens = f->session.v[RC_INPUT] + f->session.v[RC_OUTPUT];
	f->pending = all.v[RC_N_PENDING];
	f->failed = all.v[RC_N_SYNC_FAILED];
	for (size_t i = 0; i < rp->nbudgets; i++) {
		const struct budget_status *st = &rp->status[i];

		if (f->has_budget && st->percent <= f->budget_percent)
			continue;
		f->has_budget = 1;
		f->budget_percent = st->percent;
		f->budget_state = budget_state_name(st->state);
		f->budget_name = st->b->name;
		f->budget_scope = budget_scope_name(st->b->scope);
	}
	if (!ret && want_block)
		ret = block_fields(f, rp, sc, err);
	plan_fields(f, sc->s, rp->now);
	return ret;
}

void status_block_left(struct strbuf *out, const struct status_fields *f)
{
	if (f->block.active)
		duration_format_hm(out, f->block.end - f->now);
}

/* Cost per hour, or tokens per minute when the block has no price. */
void status_burn(struct strbuf *out, const struct status_fields *f)
{
	const struct block_rate *r = &f->block.rate;

	if (!f->block.active || !r->known)
		return;
	if (r->cost_per_hour >= 0) {
		if (counters_cost_is_estimate(&f->block_total, f->mode))
			strbuf_addch(out, '~');
		money_format_human(out, r->cost_per_hour);
		strbuf_addstr(out, "/h");
	} else {
		fmt_count_short(out, (int64_t)(r->tokens_per_minute + 0.5));
		strbuf_addstr(out, " tok/min");
	}
}

/* The nearer of the block's limits at this pace: "1h12m", "reached". */
void status_block_limit(struct strbuf *out, const struct status_fields *f)
{
	const struct block_view *b = &f->block;
	int64_t left = -1;

	if (!b->active)
		return;
	if (b->has_token_limit)
		left = b->token_limit.minutes_left;
	if (b->has_cost_limit && b->cost_limit.minutes_left >= 0 &&
	    (left < 0 || b->cost_limit.minutes_left < left))
		left = b->cost_limit.minutes_left;
	if (!left)
		strbuf_addstr(out, "reached");
	else if (left > 0)
		duration_format_hm(out, left * 60000);
}

void status_block_limit_phrase(struct strbuf *out,
		const struct status_fields *f)
{
	struct strbuf when = STRBUF_INIT;

	status_block_limit(&when, f);
	if (!strcmp(when.buf, "reached"))
		strbuf_addstr(out, "limit reached");
	else if (when.len)
		strbuf_addf(out, "limit in %s", when.buf);
	strbuf_release(&when);
}

void status_block_tokens(struct strbuf *out,
		const struct status_fields *f)
{
	if (f->block.active)
		fmt_count_short(out, f->block.tokens);
}

void status_block_cost(struct strbuf *out, const struct status_fields *f)
{
	if (f->block.active)
		format_cost(out, &f->block_total, f->mode);
}

void status_plan(struct strbuf *out, const struct status_fields *f,
		int i)
{
	if (f->plan[i].known)
		percent_format(out, f->plan[i].used);
}

void status_json_block(struct jsonw *w, const struct status_fields *f)
{
	const struct block_view *b = &f->block;

	jw_key(w, "block");
	if (!b->active) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_int(w, "startAt", b->start);
	jw_kv_int(w, "endAt", b->end);
	jw_kv_int(w, "msLeft", b->end - f->now);
	jw_kv_int(w, "tokens", b->tokens);
	json_money_or_null(w, "costUsd", b->cost);
	if (b->rate.known) {
		jw_kv_double(w, "tokensPerMinute", b->rate.tokens_per_minute);
		json_money_or_null(w, "costPerHourUsd", b->rate.cost_per_hour);
	} else {
		jw_kv_null(w, "tokensPerMinute");
		jw_kv_null(w, "costPerHourUsd");
	}
	if (b->has_projection) {
		jw_kv_int(w, "projectedTokens", b->projected_tokens);
		json_money_or_null(w, "projectedCostUsd", b->projected_cost);
	}
	if (b->has_token_limit)
		block_limit_json(w, "tokenLimit", &b->token_limit, 0);
	if (b->has_cost_limit)
		block_limit_json(w, "costLimit", &b->cost_limit, 1);
	jw_object_end(w);
}

void status_json_plan(struct jsonw *w, const struct status_fields *f)
{
	static const char *const names[CLAUDE_WINDOWS] = { "fiveHour",
		"sevenDay" };

	jw_key(w, "plan");
	jw_object_begin(w);
	for (int i = 0; i < CLAUDE_WINDOWS; i++) {
		const struct plan_view *p = &f->plan[i];

		jw_key(w, names[i]);
		if (!p->known) {
			jw_null(w);
			continue;
		}
		jw_object_begin(w);
		jw_kv_string(w, "providerId", p->provider);
		jw_kv_money(w, "usedPercent", p->used);
		jw_kv_int(w, "resetsAt", p->resets_at);
		jw_kv_int(w, "capturedAt", p->captured_at);
		jw_object_end(w);
	}
	jw_object_end(w);
}
