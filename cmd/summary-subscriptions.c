/* Subscriptions against the usage they covered: see the header. */
#include "summary-subscriptions.h"

#include <stdlib.h>
#include <string.h>

#include "../importers/agent.h"
#include "../lib/money.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

/* Months shown by summary's table; --json gives every one. */
#define SHOWN_MONTHS 12

const char *subscription_agent_source(const char *name)
{
	const struct agent *a = agent_by_name(name);

	return a ? a->source : NULL;
}

/* The first day of the month holding ms, as a time. */
static int64_t month_start(int64_t ms)
{
	int32_t from, to;

	calendar_bounds(CAL_MONTH, local_day(ms), &from, &to);
	return local_day_to_ms(from);
}

static int64_t month_end(int64_t ms)
{
	int32_t from, to;

	calendar_bounds(CAL_MONTH, local_day(ms), &from, &to);
	return local_day_to_ms(to);
}

int subscription_view_build(struct subscription_view *v,
		struct reporting *rp, const struct report_spec *window,
		struct strbuf *err)
{
	int64_t since = window->filter.since, until = window->filter.until;
	struct report_spec spec = REPORT_SPEC_INIT;
	const struct report_scope *sc;
	struct strbuf month = STRBUF_INIT;
	int ret;

	memset(v, 0, sizeof(*v));
	report_init(&v->by_month);
	ret = subscriptions_load(&rp->ctx->cfg, subscription_agent_source,
			&v->subs, &v->n, err);
	if (ret || !v->n)
		return ret;
	month_key(&month, local_day(rp->now));
	memcpy(v->current, month.buf, sizeof(v->current) - 1);
	strbuf_release(&month);
	/* Whole months: their bounds are midnights, the cache answers. */
	spec.filter.since = since < 0 ? -1 : month_start(since);
	spec.filter.until = month_end(until < 0 || until > rp->now ?
			rp->now : until - 1);
	v->from = since < 0 ? INT32_MIN : local_day(spec.filter.since);
	v->to = local_day(spec.filter.until);
	spec.force_ledger = window->force_ledger;   /* another zone's days */
	subscription_report_spec(&spec);
	ret = reporting_scope(rp, BUDGET_SCOPE_ALL, &sc, err);
	if (!ret)
		ret = report_build(sc, &spec, &v->by_month, err);
	return ret;
}

void subscription_view_release(struct subscription_view *v)
{
	subscriptions_release(v->subs, v->n);
	report_release(&v->by_month);
	memset(v, 0, sizeof(*v));
}

/* A plan's latest months as rows; how many. */
static size_t plan_rows(struct table *t, const struct subscription *s,
		const struct subscription_view *v, enum cost_mode mode)
{
	struct subscription_month *m;
	size_t n = subscription_months(s, &v->by_month, v->from, v->to, &m);
	size_t first = n > SHOWN_MONTHS ? n - SHOWN_MONTHS : 0;
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = first; i < n; i++) {
		table_cell_str(t, i == first ? s->name : "");
		table_cell_str(t, m[i].month);
		strbuf_reset(&sb);
		fmt_count(&sb, m[i].c.v[RC_REQUESTS]);
		table_cell_str(t, sb.buf);
		strbuf_reset(&sb);
		fmt_count(&sb, counters_tokens(&m[i].c));
		table_cell_str(t, sb.buf);
		strbuf_reset(&sb);
		format_cost(&sb, &m[i].c, mode);
		table_cell_str(t, sb.buf);
		strbuf_reset(&sb);
		money_format_human(&sb, s->monthly_usd);
		table_cell_str(t, sb.buf);
		strbuf_reset(&sb);
		subscription_value_text(&sb, s, &m[i], mode);
		if (!strcmp(m[i].month, v->current))
			strbuf_addstr(&sb, " so far");
		table_cell_str(t, sb.buf);
	}
	free(m);
	strbuf_release(&sb);
	return n - first;
}

void subscription_view_human(struct strbuf *out,
		const struct subscription_view *v, enum cost_mode mode,
		int colour)
{
	struct table t;
	size_t rows = 0;

	if (!v->n)
		return;
	table_init(&t, "llrrrrl");
	t.indent = 2;
	table_head(&t, "PLAN", "MONTH", "REQUESTS", "TOKENS", "API PRICE",
			"PLAN PRICE", "VALUE", NULL);
	for (size_t i = 0; i < v->n; i++)
		rows += plan_rows(&t, &v->subs[i], v, mode);
	strbuf_addstr(out, "\nSubscriptions (the usage each plan covered, at "
			"API prices, in every workspace)\n");
	if (rows)
		table_render(&t, out, colour);
	else
		strbuf_addstr(out, "  no usage in these months\n");
	table_release(&t);
}

static void plan_json(struct jsonw *w, const struct subscription *s,
		const struct subscription_view *v, enum cost_mode mode)
{
	struct subscription_month *m;
	size_t n = subscription_months(s, &v->by_month, v->from, v->to, &m);
	int64_t unpriced;
	double ratio;

	jw_object_begin(w);
	jw_kv_string(w, "name", s->name);
	json_money_or_null(w, "monthlyUsd", s->monthly_usd);
	if (s->provider)
		jw_kv_string(w, "provider", s->provider);
	else
		jw_kv_null(w, "provider");
	jw_key(w, "agents");
	jw_array_begin(w);
	for (size_t i = 0; i < s->agents.nr; i++)
		jw_string(w, s->agents.items[i]);
	jw_array_end(w);
	jw_key(w, "months");
	jw_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		jw_object_begin(w);
		jw_kv_string(w, "month", m[i].month);
		jw_kv_bool(w, "complete", strcmp(m[i].month, v->current) < 0);
		jw_kv_int(w, "requests", m[i].c.v[RC_REQUESTS]);
		jw_kv_int(w, "totalTokens", counters_tokens(&m[i].c));
		json_money_or_null(w, "apiCostUsd",
				counters_priced_cost(&m[i].c, mode));
		counters_cost(&m[i].c, mode, &unpriced);
		jw_kv_int(w, "unpricedCount", unpriced);
		ratio = subscription_value_ratio(s, &m[i], mode);
		if (ratio < 0)
			jw_kv_null(w, "valueRatio");
		else
			jw_kv_double(w, "valueRatio", ratio);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
	free(m);
}

void subscription_view_json(struct jsonw *w,
		const struct subscription_view *v, enum cost_mode mode)
{
	if (!v->n)
		return;
	jw_key(w, "subscriptions");
	jw_array_begin(w);
	for (size_t i = 0; i < v->n; i++)
		plan_json(w, &v->subs[i], v, mode);
	jw_array_end(w);
}
