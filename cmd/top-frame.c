/* tally top's frame: see top-frame.h. */
#include "top-frame.h"

#include <string.h>

#include "../lib/jsonw.h"
#include "../lib/money.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

#define BUDGETS_SHOWN 3
#define BAR_CELLS 20

/* "10:00" of a local time. */
static void clock_hm(struct strbuf *out, int64_t ms)
{
	struct strbuf t = STRBUF_INIT;

	time_format_local(&t, ms);
	strbuf_add(out, t.buf + 11, 5);
	strbuf_release(&t);
}

static void add_ms(struct strbuf *out, int64_t ms)
{
	if (ms < 0)
		strbuf_addstr(out, "-");
	else if (ms < 10000)
		strbuf_addf(out, "%lld ms", (long long)ms);
	else
		strbuf_addf(out, "%.1f s", (double)ms / 1000.0);
}

static void totals_row(struct table *t, const char *name,
		const struct counters *c, enum cost_mode mode)
{
	struct strbuf sb = STRBUF_INIT;

	table_cell_str(t, name);
	fmt_count_short(&sb, counters_tokens(c));
	table_cell_str(t, sb.buf);
	strbuf_reset(&sb);
	format_cost(&sb, c, mode);
	table_cell_str(t, sb.buf);
	table_cell(t, "%lld", (long long)c->v[RC_REQUESTS]);
	strbuf_release(&sb);
}

static void totals(struct strbuf *out, const struct top_model *m)
{
	const struct status_fields *f = &m->f;
	struct table t;

	table_init(&t, "lrrr");
	table_head(&t, "", "TOKENS", "COST", "REQUESTS", NULL);
	if (*f->session_name)
		totals_row(&t, "session", &f->session, f->mode);
	totals_row(&t, "today", &f->today, f->mode);
	totals_row(&t, "month", &f->month, f->mode);
	if (f->block.active)
		totals_row(&t, "block", &f->block_total, f->mode);
	table_render(&t, out, 0);
	table_release(&t);
}

static void block_line(struct strbuf *out, const struct top_model *m)
{
	const struct status_fields *f = &m->f;
	const struct block_view *b = &f->block;
	struct strbuf limit = STRBUF_INIT;

	if (!b->active) {
		strbuf_addstr(out, "block     none under way\n");
		return;
	}
	strbuf_addstr(out, "block     ");
	clock_hm(out, b->start);
	strbuf_addch(out, '-');
	clock_hm(out, b->end);
	strbuf_addstr(out, glyph_separator());
	status_block_left(out, f);
	strbuf_addstr(out, " left");
	if (b->rate.known) {
		strbuf_addstr(out, glyph_separator());
		status_burn(out, f);
	}
	if (b->has_projection) {
		strbuf_addstr(out, glyph_separator());
		strbuf_addstr(out, "at its end ");
		fmt_count_short(out, b->projected_tokens);
		strbuf_addstr(out, " tok");
		if (b->projected_cost >= 0) {
			strbuf_addch(out, ' ');
			if (counters_cost_is_estimate(&f->block_total, f->mode))
				strbuf_addch(out, '~');
			money_format_human(out, b->projected_cost);
		}
	}
	status_block_limit_phrase(&limit, f);
	if (limit.len) {
		strbuf_addstr(out, glyph_separator());
		strbuf_addbuf(out, &limit);
	}
	strbuf_release(&limit);
	strbuf_addch(out, '\n');
}

static void plan_line(struct strbuf *out, const struct top_model *m)
{
	size_t start = out->len;

	for (int i = 0; i < CLAUDE_WINDOWS; i++) {
		const struct plan_view *p = &m->f.plan[i];
		struct strbuf when = STRBUF_INIT;

		if (!p->known)
			continue;
		strbuf_addstr(out, out->len > start ? glyph_separator() :
				"plan      ");
		/* Claude's plan is the usual one; another is named. */
		if (strcmp(p->provider, "anthropic"))
			strbuf_addf(out, "%s ", p->provider);
		strbuf_addf(out, "%s ", plan_window_short[i]);
		status_plan(out, &m->f, i);
		time_format_local(&when, p->resets_at);
		strbuf_addf(out, " (resets %.16s)", when.buf);
		strbuf_release(&when);
	}
	if (out->len > start)
		strbuf_addch(out, '\n');
}

static void rate_part(struct strbuf *out, const struct top_stats *st,
		int minutes)
{
	strbuf_addf(out, "last %d min: ", minutes);
	fmt_count_short(out, st->tokens / minutes);
	strbuf_addf(out, " tok/min, %.1f req/min",
			(double)st->requests / minutes);
}

static void activity(struct strbuf *out, const struct top_model *m)
{
	struct top_stats st, minute;

	top_model_stats(m, 60000, &minute);
	top_model_stats(m, TOP_WINDOW_MS, &st);
	strbuf_addstr(out, "rate      ");
	rate_part(out, &minute, 1);
	strbuf_addstr(out, glyph_separator());
	rate_part(out, &st, 5);
	strbuf_addch(out, '\n');
	strbuf_addstr(out, "latency   p50 ");
	add_ms(out, st.latency_p50);
	strbuf_addstr(out, ", p95 ");
	add_ms(out, st.latency_p95);
	strbuf_addstr(out, glyph_separator());
	strbuf_addstr(out, "first token p50 ");
	add_ms(out, st.ttft_p50);
	strbuf_addstr(out, ", p95 ");
	add_ms(out, st.ttft_p95);
	strbuf_addstr(out, " (last 5 min)\n");
	strbuf_addf(out, "errors    %lld failed%s%lld throttled",
			(long long)st.failed, glyph_separator(),
			(long long)st.throttled);
	if (st.throttle_ms) {
		strbuf_addstr(out, ", ");
		add_ms(out, st.throttle_ms);
		strbuf_addstr(out, " waited");
	}
	strbuf_addstr(out, " (last 5 min)\n");
}

static void budgets(struct strbuf *out, const struct top_model *m,
		const struct top_view *v)
{
	const struct reporting *rp = &m->rp;
	struct strbuf sb = STRBUF_INIT;
	struct table t;
	size_t shown = 0;

	if (!rp->nbudgets)
		return;
	strbuf_addstr(out, "\nbudgets\n");
	table_init(&t, "llrl");
	t.indent = 2;
	for (size_t i = 0; i < rp->nbudgets; i++) {
		const struct budget_status *st = &rp->status[i];

		if (!v->all_budgets && shown == BUDGETS_SHOWN)
			break;
		shown++;
		strbuf_reset(&sb);
		strbuf_addstr_printable(&sb, st->b->name);
		strbuf_addf(&sb, " (%s)", budget_scope_name(st->b->scope));
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		format_bar(&sb, st->percent, BAR_CELLS);
		table_cell_str(&t, sb.buf);
		table_cell(&t, "%lld%%", (long long)st->percent);
		table_cell_str(&t, budget_state_name(st->state));
	}
	table_render(&t, out, 0);
	table_release(&t);
	if (shown < rp->nbudgets)
		strbuf_addf(out, "  and %zu more (b shows them)\n",
				rp->nbudgets - shown);
	strbuf_release(&sb);
}

static void quota(struct strbuf *out, const struct top_model *m)
{
	if (!m->sc->s->nquotas)
		return;
	strbuf_addstr(out, "\nquota\n");
	quota_table(out, m->sc->s, m->now, 2, 0);
}

static void latest(struct strbuf *out, const struct top_model *m)
{
	struct strbuf sb = STRBUF_INIT;
	struct table t;
	size_t from = m->n > TOP_LATEST ? m->n - TOP_LATEST : 0;

	strbuf_addstr(out, "\nlatest requests\n");
	if (!m->n) {
		strbuf_addstr(out, "  none yet\n");
		return;
	}
	table_init(&t, "lllrrl");
	t.indent = 2;
	for (size_t i = m->n; i-- > from;) {
		const struct top_request *r = top_model_request(m, i);

		strbuf_reset(&sb);
		time_format_local(&sb, r->at);
		table_cell_str(&t, sb.buf + 11);
		table_cell_str(&t, r->provider);
		table_cell_str(&t, r->model);
		strbuf_reset(&sb);
		fmt_count_short(&sb, counters_tokens(&r->c));
		strbuf_addstr(&sb, " tok");
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		format_cost(&sb, &r->c, m->f.mode);
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		if (r->failed)
			strbuf_addstr(&sb, "failed");
		else if (r->latency_ms >= 0)
			add_ms(&sb, r->latency_ms);
		table_cell_str(&t, sb.buf);
	}
	table_render(&t, out, 0);
	table_release(&t);
	strbuf_release(&sb);
}

static void help(struct strbuf *out)
{
	strbuf_addstr(out, "\nkeys\n"
		"  q  quit\n"
		"  p  pause or go on\n"
		"  s  switch scope: workspace, profile, all\n"
		"  b  every budget, or the nearest three\n"
		"  h  this help\n");
}

void top_frame_text(struct strbuf *out, const struct top_model *m,
		const struct top_view *v)
{
	struct strbuf when = STRBUF_INIT;

	time_format_local(&when, m->now);
	strbuf_addf(out, "tally top%s%s%s%s", glyph_separator(),
			top_scope_name(m->scope), glyph_separator(), when.buf);
	if (v->paused)
		strbuf_addf(out, "%spaused (p goes on)", glyph_separator());
	else
		strbuf_addf(out, "%severy %.1f s", glyph_separator(),
				(double)v->interval_ms / 1000.0);
	if (v->keys_hint)
		strbuf_addf(out, "%sh: keys", glyph_separator());
	strbuf_addstr(out, "\n\n");
	totals(out, m);
	strbuf_addch(out, '\n');
	block_line(out, m);
	plan_line(out, m);
	activity(out, m);
	budgets(out, m, v);
	quota(out, m);
	if (v->help)
		help(out);
	latest(out, m);
	strbuf_release(&when);
}

/* ---- JSON ---- */

static void json_counters(struct jsonw *w, const char *key,
		const struct counters *c, enum cost_mode mode)
{
	jw_key(w, key);
	jw_object_begin(w);
	counters_report_json(w, c, mode);
	jw_object_end(w);
}

static void json_stats(struct jsonw *w, const char *key,
		const struct top_model *m, int64_t window_ms)
{
	struct top_stats st;

	top_model_stats(m, window_ms, &st);
	jw_key(w, key);
	jw_object_begin(w);
	jw_kv_int(w, "requests", st.requests);
	jw_kv_int(w, "tokens", st.tokens);
	jw_kv_int(w, "failed", st.failed);
	jw_kv_int(w, "throttled", st.throttled);
	jw_kv_int(w, "throttleWaitMs", st.throttle_ms);
	jw_key(w, "latencyMs");
	jw_object_begin(w);
	json_int_or_null(w, "p50", st.latency_p50);
	json_int_or_null(w, "p95", st.latency_p95);
	jw_object_end(w);
	jw_key(w, "ttftMs");
	jw_object_begin(w);
	json_int_or_null(w, "p50", st.ttft_p50);
	json_int_or_null(w, "p95", st.ttft_p95);
	jw_object_end(w);
	jw_object_end(w);
}

static void json_budgets(struct jsonw *w, const struct top_model *m)
{
	jw_key(w, "budgets");
	jw_array_begin(w);
	for (size_t i = 0; i < m->rp.nbudgets; i++) {
		const struct budget_status *st = &m->rp.status[i];

		jw_object_begin(w);
		jw_kv_string(w, "name", st->b->name);
		jw_kv_string(w, "scope", budget_scope_name(st->b->scope));
		jw_kv_int(w, "percent", st->percent);
		jw_kv_string(w, "state", budget_state_name(st->state));
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void json_latest(struct jsonw *w, const struct top_model *m)
{
	size_t from = m->n > TOP_LATEST ? m->n - TOP_LATEST : 0;

	jw_key(w, "latest");
	jw_array_begin(w);
	for (size_t i = m->n; i-- > from;) {
		const struct top_request *r = top_model_request(m, i);

		jw_object_begin(w);
		jw_kv_int(w, "at", r->at);
		jw_kv_string(w, "providerId", r->provider);
		jw_kv_string(w, "modelId", r->model);
		jw_kv_int(w, "tokens", counters_tokens(&r->c));
		json_money_or_null(w, "costUsd",
				counters_priced_cost(&r->c, m->f.mode));
		json_int_or_null(w, "latencyMs", r->latency_ms);
		jw_kv_bool(w, "failed", r->failed);
		jw_object_end(w);
	}
	jw_array_end(w);
}

void top_frame_json(struct strbuf *out, const struct top_model *m)
{
	const struct status_fields *f = &m->f;
	const struct summary *s = m->sc->s;
	struct jsonw w;

	jw_init(&w, out, JW_COMPACT);
	jw_object_begin(&w);
	jw_kv_int(&w, "at", m->now);
	jw_kv_string(&w, "scope", top_scope_name(m->scope));
	jw_kv_string(&w, "session", f->session_name);
	json_counters(&w, "sessionTotals", &f->session, f->mode);
	json_counters(&w, "today", &f->today, f->mode);
	json_counters(&w, "month", &f->month, f->mode);
	status_json_block(&w, f);
	status_json_plan(&w, f);
	json_stats(&w, "lastMinute", m, 60000);
	json_stats(&w, "lastFiveMinutes", m, TOP_WINDOW_MS);
	json_budgets(&w, m);
	jw_key(&w, "quota");
	jw_array_begin(&w);
	for (size_t i = 0; i < s->nquotas; i++) {
		jw_object_begin(&w);
		quota_state_json_members(&w, &s->quotas[i]);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	json_latest(&w, m);
	jw_object_end(&w);
	strbuf_addch(out, '\n');
}
