/*
 * tally summary: totals over a window, by provider and model or any
 * grouping, with budgets, quota and sync state; --perf for performance.
 */
#include "reporting.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/export.h"
#include "../lib/jsonw.h"
#include "../lib/money.h"
#include "../lib/perf.h"
#include "../lib/remote.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/utf8.h"
#include "../providers/provider.h"
#include "summary-block.h"
#include "summary-forecast.h"
#include "summary-subscriptions.h"
#include "../lib/banned.h"

static const char *const summary_usage[] = {
	"tally summary [--window <window> | --since <time> [--until <time>] | "
		"--last <duration>] [--compare] [--by <group>...] [<filters>] "
		"[--all] [--perf] [--format <format> | --json]",
	NULL,
};

enum summary_format { SF_TABLE, SF_JSON, SF_CSV, SF_MARKDOWN };

/* By enum summary_format. */
static const char *const format_names[] = { "table", "json", "csv",
	"markdown" };

struct summary_cmd {
	const char *window, *since, *until, *last, *tz, *format_name;
	struct string_list by;
	int all, perf, json, all_workspaces, all_devices, rebuild;
	enum summary_format format;

	struct report_spec spec;
	char window_name[64];
	int colour;
	int window_block;         /* --window block: see summary-block.h */
	struct block_view block;
	int calendar;             /* the window's period, or -1 */
	int compare;              /* --compare: see summary-forecast.h */
	struct forecast fc;
	struct subscription_view subs;
};

/* ---- the window ---- */

static void calendar_window(struct summary_cmd *c, enum calendar_period p,
		int32_t day)
{
	int32_t from, to;

	calendar_bounds(p, day, &from, &to);
	c->calendar = (int)p;
	c->spec.filter.since = local_day_to_ms(from);
	c->spec.filter.until = local_day_to_ms(to);
}

static int set_window(struct summary_cmd *c, const char *session,
		int64_t now, struct strbuf *err)
{
	int32_t today = local_day(now);
	const char *w = c->window ? c->window : "month";

	c->spec.filter.since = c->spec.filter.until = -1;
	if (c->since || c->until || c->last) {
		snprintf(c->window_name, sizeof(c->window_name), "custom");
		if (c->last) {
			int64_t d;

			if (query_parse_last(c->last, &d, err))
				return T_EUSAGE;
			c->spec.filter.since = now - d;
			return 0;
		}
		struct query *q = &c->spec.filter;

		if (c->since && time_parse(c->since, &q->since, err))
			return T_EUSAGE;
		if (c->until && time_parse(c->until, &q->until, err))
			return T_EUSAGE;
		if (q->since >= 0 && q->until >= 0 && q->until <= q->since)
			return fail(err, T_EUSAGE, "--until (%s) is not after "
					"--since (%s): the window holds "
					"nothing", c->until, c->since);
		return 0;
	}
	snprintf(c->window_name, sizeof(c->window_name), "%s", w);
	if (!strcmp(w, "day"))
		calendar_window(c, CAL_DAY, today);
	else if (!strcmp(w, "week"))
		calendar_window(c, CAL_WEEK, today);
	else if (!strcmp(w, "month"))
		calendar_window(c, CAL_MONTH, today);
	else if (!strcmp(w, "session"))
		c->spec.filter.session = session;
	else if (!strcmp(w, "block"))
		c->window_block = 1; /* set once the ledger is read */
	else if (strcmp(w, "workspace"))
		return fail(err, T_EUSAGE, "--window expects session, day, "
				"week, month, block or workspace, not '%s'",
				w);
	return 0;
}

/* ---- human output ---- */

static void add_count(struct strbuf *sb, int64_t n)
{
	fmt_count(sb, n);
}

static int is_midnight(int64_t ms)
{
	return local_day_to_ms(local_day(ms)) == ms;
}

/* Whole days as dates ("2026-11-01 to 2026-11-30"), else times. */
static void window_bounds(struct strbuf *out, const struct report_spec *spec)
{
	const struct query *q = &spec->filter;
	int days = (q->since < 0 || is_midnight(q->since)) &&
		   (q->until < 0 || is_midnight(q->until));

	if (q->since >= 0 && days)
		day_key(out, local_day(q->since));
	else if (q->since >= 0)
		time_format_local(out, q->since);
	else
		strbuf_addstr(out, "the start");
	strbuf_addstr(out, " to ");
	if (q->until >= 0 && days)
		day_key(out, local_day(q->until) - 1);
	else if (q->until >= 0)
		time_format_local(out, q->until);
	else
		strbuf_addstr(out, "now");
}

static void window_line(struct strbuf *out, const struct summary_cmd *c,
		const struct tally_ctx *ctx, const char *session)
{
	strbuf_addf(out, "Usage%s%s", glyph_separator(), c->window_name);
	if (c->spec.filter.session) {
		strbuf_addch(out, ' ');
		strbuf_addstr_printable(out, *session ? session : "(none)");
	} else if (c->spec.filter.since >= 0 || c->spec.filter.until >= 0) {
		strbuf_addstr(out, " (");
		window_bounds(out, &c->spec);
		strbuf_addch(out, ')');
	}
	strbuf_addf(out, "%s%s", glyph_separator(), c->all_devices ?
			"all devices" : c->all_workspaces ? "all workspaces" :
			ctx->scope.is_workspace ? ctx->scope.workspace :
			"profile");
	strbuf_addstr(out, "\n\n");
}

/*
 * Server-side web searches are a part of the cost no token count shows:
 * how many, and what the estimate holds for them.
 */
static void web_search_note(struct strbuf *out, const struct counters *t,
		enum cost_mode mode, int estimated)
{
	int64_t n = t->v[RC_WEB_SEARCHES];
	int64_t fees = t->v[mode == COST_MODE_AUTO ? RC_TOOL_FEES_UNBILLED :
			RC_TOOL_FEES];

	if (!n)
		return;
	strbuf_addf(out, "; %lld web search%s", (long long)n,
			n == 1 ? "" : "es");
	if (estimated && fees) {
		strbuf_addstr(out, " (~");
		money_format_human(out, fees);
		strbuf_addstr(out, " of the estimate)");
	}
}

/* Billed and estimated apart, then the total; unpriced counted apart. */
static void cost_line(struct strbuf *out, const struct counters *t,
		enum cost_mode mode, int64_t unpriced)
{
	int billed = mode != COST_MODE_ESTIMATE && t->v[RC_N_BILLED];
	int64_t est = mode == COST_MODE_AUTO ? t->v[RC_EST_UNBILLED] :
		      t->v[RC_ESTIMATED];
	int estimated = mode != COST_MODE_PROVIDER && t->v[RC_N_ESTIMATED] &&
			(mode != COST_MODE_AUTO ||
			 t->v[RC_N_ESTIMATED] > t->v[RC_N_BILLED] || est);

	strbuf_addstr(out, "Cost           ");
	if (billed) {
		money_format_human(out, t->v[RC_BILLED]);
		strbuf_addstr(out, " billed");
	}
	if (estimated) {
		strbuf_addstr(out, billed ? ", ~" : "~");
		money_format_human(out, est);
		strbuf_addstr(out, " estimated");
	}
	if (billed && estimated) {
		int64_t ignored;

		strbuf_addstr(out, ", total ~");
		money_format_human(out, counters_cost(t, mode, &ignored));
	}
	if (!billed && !estimated)
		strbuf_addstr(out, "none priced");
	web_search_note(out, t, mode, estimated);
	if (unpriced)
		strbuf_addf(out, "; %lld request%s unpriced", (long long)unpriced,
				unpriced == 1 ? "" : "s");
}

static void totals_block(struct strbuf *out, const struct counters *t,
		enum cost_mode mode)
{
	struct table tb;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int64_t unpriced, priced;

	counters_cost(t, mode, &unpriced);
	priced = t->v[RC_N_USAGE] - unpriced;
	table_init(&tb, "lrl");
#define ROW(label, value, detail) do { \
		table_cell_str(&tb, label); \
		strbuf_reset(&a); add_count(&a, value); \
		table_cell_str(&tb, a.buf); \
		table_cell_str(&tb, detail); } while (0)
	strbuf_reset(&b);
	if (t->v[RC_N_FAILED] || t->v[RC_N_IN_PROGRESS])
		strbuf_addf(&b, "%lld failed, %lld in progress",
				(long long)t->v[RC_N_FAILED],
				(long long)t->v[RC_N_IN_PROGRESS]);
	ROW("Requests", t->v[RC_REQUESTS], b.buf);
	strbuf_reset(&b);
	strbuf_addstr(&b, "cache read ");
	fmt_count(&b, t->v[RC_CACHE_READ]);
	strbuf_addstr(&b, ", cache write ");
	fmt_count(&b, t->v[RC_CACHE_WRITE]);
	ROW("Input tokens", t->v[RC_INPUT], b.buf);
	strbuf_reset(&b);
	strbuf_addstr(&b, "reasoning ");
	fmt_count(&b, t->v[RC_REASONING]);
	ROW("Output tokens", t->v[RC_OUTPUT], b.buf);
	ROW("Total tokens", counters_tokens(t), "");
#undef ROW
	table_render(&tb, out, 0);
	table_release(&tb);

	cost_line(out, t, mode, unpriced);
	strbuf_addstr(out, "\nPer request    ");
	if (priced) {
		struct counters one = { { 0 } };

		one.v[RC_BILLED] = t->v[RC_BILLED] / priced;
		one.v[RC_EST_UNBILLED] = t->v[RC_EST_UNBILLED] / priced;
		one.v[RC_ESTIMATED] = t->v[RC_ESTIMATED] / priced;
		format_cost(out, &one, mode);
	} else {
		strbuf_addstr(out, "no priced requests");
	}
	strbuf_addstr(out, ", ");
	fmt_count(out, t->v[RC_N_USAGE] ?
			counters_tokens(t) / t->v[RC_N_USAGE] : 0);
	strbuf_addstr(out, " tokens\n");
	strbuf_release(&a);
	strbuf_release(&b);
}

static const char *dim_title(const struct report_spec *spec, size_t d)
{
	return report_dims[spec->dims[d]].title;
}

static int has_time_dim(const struct report_spec *spec)
{
	for (size_t d = 0; d < spec->ndims; d++)
		if (report_dims[spec->dims[d]].is_time)
			return 1;
	return 0;
}

static void share(struct strbuf *sb, int64_t part, int64_t whole)
{
	if (!whole) {
		strbuf_addstr(sb, "-");
		return;
	}
	strbuf_addf(sb, "%.1f%%", (double)part * 100 / (double)whole);
}

/* The cells of one group or total: requests, tokens, share, cost. */
static void figure_cells(struct table *t, const struct counters *c,
		const struct counters *total, enum cost_mode mode)
{
	struct strbuf sb = STRBUF_INIT;

	fmt_count(&sb, c->v[RC_REQUESTS]);
	table_cell_str(t, sb.buf);
	strbuf_reset(&sb);
	fmt_count(&sb, counters_tokens(c));
	table_cell_str(t, sb.buf);
	strbuf_reset(&sb);
	share(&sb, counters_tokens(c), counters_tokens(total));
	table_cell_str(t, sb.buf);
	strbuf_reset(&sb);
	format_cost(&sb, c, mode);
	table_cell_str(t, sb.buf);
	strbuf_release(&sb);
}

/*
 * One table of groups, in t (initialised here); limit 0 shows them all.
 * bars adds a trend column.
 */
static void fill_groups_table(struct table *t, struct strbuf *align,
		const struct report *r, const struct report_spec *spec,
		const struct counters *total, enum cost_mode mode,
		size_t limit, int bars)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t max = 1;
	size_t shown = limit && limit < r->ngroups ? limit : r->ngroups;

	for (size_t d = 0; d < spec->ndims; d++)
		strbuf_addch(align, 'l');
	strbuf_addstr(align, bars ? "rrrrl" : "rrrr");
	table_init(t, align->buf);
	for (size_t d = 0; d < spec->ndims; d++)
		table_cell_styled(t, TABLE_BOLD, dim_title(spec, d));
	table_head(t, "REQUESTS", "TOKENS", "SHARE", "COST", NULL);
	if (bars)
		table_cell_str(t, "");
	for (size_t i = 0; i < r->ngroups; i++)
		if (counters_tokens(&r->groups[i].c) > max)
			max = counters_tokens(&r->groups[i].c);
	for (size_t i = 0; i < shown; i++) {
		const struct report_group *g = &r->groups[i];

		/* Provider rows alone (no usage recorded here) are shown apart. */
		if (!g->c.v[RC_REQUESTS]) {
			if (shown < r->ngroups)
				shown++;
			continue;
		}
		for (size_t d = 0; d < spec->ndims; d++)
			table_cell_str(t, *g->key[d] ? g->key[d] : "(none)");
		figure_cells(t, &g->c, total, mode);
		if (bars) {
			strbuf_reset(&sb);
			format_bar(&sb, counters_tokens(&g->c) * 100 / max, 24);
			table_cell_str(t, sb.buf);
		}
	}
	strbuf_release(&sb);
}

static void groups_table(struct strbuf *out, const struct report *r,
		const struct report_spec *spec, const struct counters *total,
		enum cost_mode mode, size_t limit, int colour)
{
	struct strbuf align = STRBUF_INIT;
	struct table t;

	fill_groups_table(&t, &align, r, spec, total, mode, limit,
			has_time_dim(spec));
	table_render(&t, out, colour);
	table_release(&t);
	strbuf_release(&align);
}

static void by_one(struct strbuf *out, const char *title,
		enum report_dim dim, const struct report *r,
		const struct summary_cmd *c, const struct counters *total,
		enum cost_mode mode, size_t limit)
{
	struct report_spec spec = c->spec;

	spec.ndims = 1;
	spec.dims[0] = dim;
	if (!r->ngroups)
		return;
	strbuf_addf(out, "\n%s", title);
	if (limit && r->ngroups > limit)
		strbuf_addf(out, " (top %zu of %zu; --all shows every one)",
				limit, r->ngroups);
	strbuf_addch(out, '\n');
	groups_table(out, r, &spec, total, mode, limit, c->colour);
}

/*
 * What the providers' own reports say, next to what was recorded here:
 * the difference is usage from other machines or tools on the same key.
 */
static void provider_reports_block(struct strbuf *out, const struct report *r)
{
	struct strbuf line = STRBUF_INIT;
	struct table t;

	table_init(&t, "ll");
	t.indent = 2;
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct counters *c = &r->groups[i].c;
		int64_t prov = c->v[RC_PROV_INPUT] + c->v[RC_PROV_OUTPUT];

		if (!prov && !c->v[RC_PROV_COST])
			continue;
		strbuf_reset(&line);
		strbuf_addstr(&line, "reported ");
		fmt_count(&line, prov);
		strbuf_addstr(&line, " tokens");
		if (c->v[RC_PROV_COST]) {
			strbuf_addstr(&line, ", ");
			money_format_human(&line, c->v[RC_PROV_COST]);
		}
		strbuf_addstr(&line, "; recorded here ");
		fmt_count(&line, counters_tokens(c));
		strbuf_addstr(&line, "; unattributed ");
		fmt_count(&line, prov - counters_tokens(c));
		strbuf_addstr(&line, " tokens");
		table_cell_str(&t, r->groups[i].key[0]);
		table_cell_str(&t, line.buf);
	}
	if (t.nr) {
		strbuf_addstr(out, "\nProvider reports (tally sync)\n");
		table_render(&t, out, 0);
	}
	table_release(&t);
	strbuf_release(&line);
}

static void budgets_block(struct strbuf *out, const struct reporting *rp,
		int colour)
{
	if (!rp->nbudgets)
		return;
	strbuf_addstr(out, "\nBudgets\n");
	budgets_table(out, rp, 0, colour);
}

static void quota_block(struct strbuf *out, const struct summary *s,
		int64_t now)
{
	struct strbuf line = STRBUF_INIT;
	struct table t;

	if (!s->nquotas)
		return;
	table_init(&t, "ll");
	t.indent = 2;
	for (size_t i = 0; i < s->nquotas; i++) {
		const struct quota_state *q = &s->quotas[i];

		strbuf_reset(&line);
		quota_name(&line, q);
		table_cell_str(&t, line.buf);
		strbuf_reset(&line);
		quota_remaining_text(&line, q);
		if (q->has & (1u << QF_CAPTURED_AT)) {
			strbuf_addstr(&line, "  (");
			duration_format_short(&line,
					now - q->v[QF_CAPTURED_AT]);
			strbuf_addstr(&line, " ago)");
		}
		table_cell_str(&t, line.buf);
	}
	strbuf_addstr(out, "\nProvider quota\n");
	table_render(&t, out, 0);
	table_release(&t);
	strbuf_release(&line);
}

/*
 * The sync state, and why entries stay pending when it is for want of
 * a key: "pending" forever would otherwise read as sync being late.
 */
static void sync_block(struct strbuf *out, const struct report *by_provider,
		const struct summary *s, const struct tally_ctx *ctx,
		int64_t now)
{
	const struct counters *all = &by_provider->total;
	struct strbuf names = STRBUF_INIT;

	if (!all->v[RC_N_PENDING] && !all->v[RC_N_SYNC_FAILED] &&
	    !s->last_synced_at)
		return;
	strbuf_addf(out, "\nSync: %lld pending, %lld failed",
			(long long)all->v[RC_N_PENDING],
			(long long)all->v[RC_N_SYNC_FAILED]);
	if (s->last_synced_at) {
		strbuf_addstr(out, ", last synced ");
		duration_format_short(out, now - s->last_synced_at);
		strbuf_addstr(out, " ago");
	}
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < by_provider->ngroups; i++) {
		const struct report_group *g = &by_provider->groups[i];
		const struct provider *p = provider_by_id(g->key[0]);

		if (!g->c.v[RC_N_PENDING] || !p || !p->key_env ||
		    provider_key_set_up(ctx, p))
			continue;
		strbuf_addf(&names, "%s%s (%s)", names.len ? ", " : "", p->id,
				p->key_env);
	}
	if (names.len)
		strbuf_addf(out, "  No key for %s:\n  their entries stay "
				"pending (see tally-sync(1)).\n", names.buf);
	strbuf_release(&names);
}

/* ---- the scopes: the current one, or every one ---- */

static int build(const struct report_scope *sc,
		const struct report_spec *spec, struct report *r,
		struct strbuf *err)
{
	int ret = report_build(sc, spec, r, err);

	if (!ret)
		report_sort(r, spec);
	return ret;
}

static int build_by(const struct report_scope *sc, const struct summary_cmd *c,
		enum report_dim dim, struct report *r, struct strbuf *err)
{
	struct report_spec spec = c->spec;

	spec.ndims = 1;
	spec.dims[0] = dim;
	spec.tag_keys[0] = NULL;
	return build(sc, &spec, r, err);
}

/* ---- JSON ---- */

static const char *dim_name(const struct report_spec *spec, size_t d,
		struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addstr(sb, report_dims[spec->dims[d]].name);
	if (spec->dims[d] == DIM_TAG)
		strbuf_addf(sb, ":%s", spec->tag_keys[d]);
	return sb->buf;
}

static void json_groups(struct jsonw *w, const char *key,
		const struct report *r, const struct report_spec *spec,
		const struct counters *total, enum cost_mode mode)
{
	struct strbuf sb = STRBUF_INIT;

	jw_key(w, key);
	jw_array_begin(w);
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct report_group *g = &r->groups[i];

		jw_object_begin(w);
		for (size_t d = 0; d < spec->ndims; d++)
			jw_kv_string(w, dim_name(spec, d, &sb), g->key[d]);
		counters_report_json(w, &g->c, mode);
		jw_kv_double(w, "sharePercent", counters_tokens(total) ?
				(double)counters_tokens(&g->c) * 100 /
				(double)counters_tokens(total) : 0);
		jw_object_end(w);
	}
	jw_array_end(w);
	strbuf_release(&sb);
}

/* The seed's budgetState and remaining budgets: the tightest budget. */
static void json_budget_fields(struct jsonw *w, const struct reporting *rp)
{
	int64_t rem_tokens = -1, rem_usd = -1;
	int worst = -1;

	for (size_t i = 0; i < rp->nbudgets; i++) {
		const struct budget_status *st = &rp->status[i];
		int64_t rt = st->b->tokens - st->used_tokens;
		int64_t ru = st->b->usd - st->used_usd;

		if ((int)st->state > worst)
			worst = (int)st->state;
		if (st->b->tokens && (rem_tokens < 0 || rt < rem_tokens))
			rem_tokens = rt > 0 ? rt : 0;
		if (st->b->usd && (rem_usd < 0 || ru < rem_usd))
			rem_usd = ru > 0 ? ru : 0;
	}
	jw_kv_string(w, "budgetState", worst < 0 ? "off" :
			budget_state_name((enum budget_state)worst));
	if (rem_tokens >= 0)
		jw_kv_int(w, "remainingBudgetTokens", rem_tokens);
	else
		jw_kv_null(w, "remainingBudgetTokens");
	if (rem_usd >= 0)
		jw_kv_money(w, "remainingBudgetUsd", rem_usd);
	else
		jw_kv_null(w, "remainingBudgetUsd");
}

static void json_quota(struct jsonw *w, const struct summary *s, int64_t now)
{
	const struct quota_state *only = s->nquotas == 1 ? &s->quotas[0] : NULL;

	if (only && (only->has & (1u << QF_REMAINING_TOKENS)))
		jw_kv_int(w, "remainingProviderTokens",
				only->v[QF_REMAINING_TOKENS]);
	else
		jw_kv_null(w, "remainingProviderTokens");
	if (only && (only->has & (1u << QF_REMAINING_USD)))
		jw_kv_money(w, "remainingProviderUsd",
				only->v[QF_REMAINING_USD]);
	else
		jw_kv_null(w, "remainingProviderUsd");
	jw_key(w, "quota");
	jw_array_begin(w);
	for (size_t i = 0; i < s->nquotas; i++) {
		const struct quota_state *q = &s->quotas[i];

		jw_object_begin(w);
		quota_state_json_members(w, q);
		if (q->has & (1u << QF_CAPTURED_AT))
			jw_kv_int(w, "ageMs", now - q->v[QF_CAPTURED_AT]);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* ---- performance ---- */

static double per_minute(int64_t n, double minutes)
{
	return minutes > 0 ? (double)n / minutes : 0;
}

static void perf_json(struct jsonw *w, const struct perf_report *pr,
		const struct report_spec *spec)
{
	jw_key(w, "providers");
	jw_array_begin(w);
	for (size_t i = 0; i < pr->n; i++) {
		const struct perf_provider *p = &pr->p[i];
		double minutes = perf_window_minutes(p, spec, pr->now);
		int64_t total = p->input + p->output;

		jw_object_begin(w);
		jw_kv_string(w, "providerName", p->provider);
		jw_kv_int(w, "totalRequests", p->requests);
		jw_kv_int(w, "totalTokens", total);
		if (p->latency_n)
			jw_kv_double(w, "averageLatency",
					(double)p->latency_sum / (double)p->latency_n);
		else
			jw_kv_null(w, "averageLatency");
		if (p->ttft_n)
			jw_kv_double(w, "timeToFirstToken",
					(double)p->ttft_sum / (double)p->ttft_n);
		else
			jw_kv_null(w, "timeToFirstToken");
		jw_kv_double(w, "tokensPerMinute", per_minute(total, minutes));
		jw_kv_double(w, "requestsPerMinute",
				per_minute(p->requests, minutes));
		jw_kv_int(w, "tokensLastMinute", p->minute_tokens);
		jw_kv_int(w, "requestsLastMinute", p->minute_requests);
		jw_key(w, "sessionTokenUsage");
		jw_object_begin(w);
		jw_kv_int(w, "input", p->input);
		jw_kv_int(w, "output", p->output);
		jw_kv_int(w, "tool", p->tool);
		jw_kv_int(w, "thought", p->thought);
		jw_kv_int(w, "total", total);
		jw_object_end(w);
		jw_kv_int(w, "throttleWaitTimeMs", p->throttle_ms);
		if (p->chunks_known)
			jw_kv_int(w, "chunksReceived", p->chunks);
		else
			jw_kv_null(w, "chunksReceived");
		jw_kv_double(w, "errorRate", p->requests ?
				(double)p->errors / (double)p->requests : 0);
		jw_key(w, "errors");
		jw_array_begin(w);
		for (size_t e = 0; e < p->nrecent; e++) {
			jw_object_begin(w);
			jw_kv_int(w, "timestamp", p->recent[e].timestamp);
			if (p->recent[e].duration >= 0)
				jw_kv_int(w, "duration", p->recent[e].duration);
			else
				jw_kv_null(w, "duration");
			jw_kv_string(w, "error", p->recent[e].error);
			jw_object_end(w);
		}
		jw_array_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void ms_cell(struct table *t, int64_t sum, int64_t n)
{
	if (n)
		table_cell(t, "%lld ms", (long long)(sum / n));
	else
		table_cell_str(t, "-");
}

static void perf_human(struct strbuf *out, const struct perf_report *pr,
		const struct report_spec *spec, int colour)
{
	struct strbuf sb = STRBUF_INIT;
	struct table t;
	table_init(&t, "lrrrrrrrrr");
	table_head(&t, "PROVIDER", "REQUESTS", "TOKENS", "TOK/MIN 1M",
			"TOK/MIN AVG", "REQ/MIN AVG", "LATENCY", "TTFT",
			"THROTTLED", "ERRORS", NULL);
	for (size_t i = 0; i < pr->n; i++) {
		const struct perf_provider *p = &pr->p[i];
		double minutes = perf_window_minutes(p, spec, pr->now);

		table_cell_str(&t, p->provider);
		strbuf_reset(&sb);
		fmt_count(&sb, p->requests);
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		fmt_count(&sb, p->input + p->output);
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		fmt_count_short(&sb, p->minute_tokens);
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		fmt_count_short(&sb, (int64_t)per_minute(p->input + p->output,
				minutes));
		table_cell_str(&t, sb.buf);
		table_cell(&t, "%.2f", per_minute(p->requests, minutes));
		ms_cell(&t, p->latency_sum, p->latency_n);
		ms_cell(&t, p->ttft_sum, p->ttft_n);
		table_cell(&t, "%lld ms", (long long)p->throttle_ms);
		table_cell(&t, "%lld (%.1f%%)", (long long)p->errors,
				p->requests ? (double)p->errors * 100 /
				(double)p->requests : 0.0);
	}
	table_render(&t, out, colour);
	table_release(&t);
	for (size_t i = 0; i < pr->n; i++) {
		const struct perf_provider *p = &pr->p[i];

		if (!p->nrecent)
			continue;
		strbuf_addstr(out, "\nRecent errors of ");
		strbuf_addstr_printable(out, p->provider);
		strbuf_addch(out, '\n');
		for (size_t e = 0; e < p->nrecent; e++) {
			strbuf_addstr(out, "  ");
			time_format_local(out, p->recent[e].timestamp);
			strbuf_addstr(out, "  ");
			strbuf_addstr_printable(out, p->recent[e].error);
			if (p->recent[e].duration >= 0)
				strbuf_addf(out, "  after %lld ms",
						(long long)p->recent[e].duration);
			strbuf_addch(out, '\n');
		}
	}
	strbuf_release(&sb);
}

/* ---- the command ---- */

struct reports {
	struct report total, by_provider, by_model, all;
	struct perf_report perf;
};

/*
 * The total and the reports by provider and by model from one walk of
 * the ledger, by provider and model together, instead of three.
 */
static int build_from_one_walk(struct reports *rs,
		const struct report_scope *sc, const struct summary_cmd *c,
		struct strbuf *err)
{
	struct report_spec spec = c->spec;
	struct report both;
	int ret;

	spec.ndims = 2;
	spec.dims[0] = DIM_PROVIDER;
	spec.dims[1] = DIM_MODEL;
	spec.tag_keys[0] = spec.tag_keys[1] = NULL;
	report_init(&both);
	ret = report_build(sc, &spec, &both, err);
	if (!ret) {
		report_collapse(&both, -1, &rs->total);
		report_collapse(&both, 0, &rs->by_provider);
		report_collapse(&both, 1, &rs->by_model);
		spec.ndims = 1;
		report_sort(&rs->by_provider, &spec);
		spec.dims[0] = DIM_MODEL;
		report_sort(&rs->by_model, &spec);
	}
	report_release(&both);
	return ret;
}

static int build_reports(struct reports *rs, const struct report_scope *sc,
		const struct summary_cmd *c, int64_t now, struct strbuf *err)
{
	/* Everything, by provider: whose entries wait on a sync. */
	struct report_spec everything = REPORT_SPEC_INIT, by_both = c->spec;
	int ret;

	everything.dims[everything.ndims++] = DIM_PROVIDER;
	/* The tables by provider and by model are made too: can they be? */
	by_both.ndims = 2;
	by_both.dims[0] = DIM_PROVIDER;
	by_both.dims[1] = DIM_MODEL;
	report_init(&rs->total);
	report_init(&rs->by_provider);
	report_init(&rs->by_model);
	report_init(&rs->all);
	perf_init(&rs->perf, now);
	/* One scope, or the sum of all: its ledgers are the walk's. */
	if (c->perf)
		return perf_build(sc->ledgers, sc->nledgers, &c->spec,
				&rs->perf, err);
	if (!c->spec.ndims && report_needs_ledger(&by_both, sc->s)) {
		ret = build_from_one_walk(rs, sc, c, err);
	} else {
		ret = build(sc, &c->spec, &rs->total, err);
		if (!ret && !c->spec.ndims)
			ret = build_by(sc, c, DIM_PROVIDER, &rs->by_provider,
					err);
		if (!ret && !c->spec.ndims)
			ret = build_by(sc, c, DIM_MODEL, &rs->by_model, err);
	}
	if (!ret)
		ret = build(sc, &everything, &rs->all, err);
	return ret;
}

static void release_reports(struct reports *rs)
{
	report_release(&rs->total);
	report_release(&rs->by_provider);
	report_release(&rs->by_model);
	report_release(&rs->all);
	perf_release(&rs->perf);
}

static void print_human(struct strbuf *out, const struct summary_cmd *c,
		const struct reports *rs, const struct reporting *rp,
		const struct tally_ctx *ctx)
{
	size_t limit = c->all ? 0 : 5;

	window_line(out, c, ctx, rp->session.buf);
	if (c->perf) {
		perf_human(out, &rs->perf, &c->spec, c->colour);
		return;
	}
	totals_block(out, &rs->total.total, rp->mode);
	if (c->spec.ndims) {
		strbuf_addch(out, '\n');
		groups_table(out, &rs->total, &c->spec, &rs->total.total,
				rp->mode, c->all ? 0 : 0, c->colour);
	} else {
		by_one(out, "By provider", DIM_PROVIDER, &rs->by_provider, c,
				&rs->total.total, rp->mode, 0);
		by_one(out, "By model", DIM_MODEL, &rs->by_model, c,
				&rs->total.total, rp->mode, limit);
		provider_reports_block(out, &rs->by_provider);
	}
	forecast_human(out, &c->fc, &rs->total.total, rp->mode);
	subscription_view_human(out, &c->subs, rp->mode, c->colour);
	if (c->window_block)
		block_human(out, &c->block);
	if (c->all_workspaces)
		return;
	budgets_block(out, rp, c->colour);
	quota_block(out, &rp->s, rp->now);
	sync_block(out, &rs->all, &rp->s, ctx, rp->now);
}

static void print_json(struct strbuf *out, const struct summary_cmd *c,
		const struct reports *rs, const struct reporting *rp,
		const struct tally_ctx *ctx)
{
	const struct counters *all = &rs->all.total;
	struct jsonw w;

	jw_init(&w, out, JW_PRETTY);
	jw_object_begin(&w);
	jw_kv_string(&w, "window", c->window_name);
	json_time_or_null(&w, "since", c->spec.filter.since);
	json_time_or_null(&w, "until", c->spec.filter.until);
	if (c->spec.filter.session)
		jw_kv_string(&w, "session", c->spec.filter.session);
	jw_kv_string(&w, "timezone", timeutil_zone_name());
	jw_kv_string(&w, "scope", c->all_devices ? "devices" :
			c->all_workspaces ? "all" :
			ctx->scope.is_workspace ? "workspace" : "profile");
	if (!c->all_workspaces && ctx->scope.is_workspace)
		jw_kv_string(&w, "workspace", ctx->scope.workspace);
	jw_kv_string(&w, "costMode", ctx->cfg.cost_mode);
	if (c->perf) {
		perf_json(&w, &rs->perf, &c->spec);
		jw_object_end(&w);
		return;
	}
	counters_report_json(&w, &rs->total.total, rp->mode);
	json_budget_fields(&w, rp);
	json_quota(&w, &rp->s, rp->now);
	jw_kv_int(&w, "pendingSyncCount", all->v[RC_N_PENDING]);
	jw_kv_int(&w, "failedSyncCount", all->v[RC_N_SYNC_FAILED]);
	if (rp->s.last_synced_at)
		jw_kv_int(&w, "lastSyncedAt", rp->s.last_synced_at);
	else
		jw_kv_null(&w, "lastSyncedAt");
	jw_kv_string(&w, "source", rs->total.from_ledger ? "ledger" : "rollups");
	jw_key(&w, "cache");
	jw_object_begin(&w);
	jw_kv_int(&w, "ledgerBytesRead", (int64_t)rp->s.bytes_read);
	jw_kv_bool(&w, "rebuilt", rp->s.rebuilt);
	jw_kv_bool(&w, "stale", rp->s.stale);
	jw_object_end(&w);
	if (c->spec.ndims) {
		json_groups(&w, "groups", &rs->total, &c->spec,
				&rs->total.total, rp->mode);
	} else {
		struct report_spec one = c->spec;

		one.ndims = 1;
		one.dims[0] = DIM_PROVIDER;
		json_groups(&w, "byProvider", &rs->by_provider, &one,
				&rs->total.total, rp->mode);
		one.dims[0] = DIM_MODEL;
		json_groups(&w, "byModel", &rs->by_model, &one,
				&rs->total.total, rp->mode);
	}
	forecast_json(&w, &c->fc, &rs->total.total, rp->mode);
	subscription_view_json(&w, &c->subs, rp->mode);
	if (c->window_block)
		block_json(&w, &c->block);
	budgets_json(&w, rp);
	jw_object_end(&w);
}

/*
 * CSV of the groups, for spreadsheets: the dimensions, then plain
 * numbers (no separators, costs in decimal USD). costUsd is empty when
 * nothing in the group has a price: unknown, never 0.
 */
static void print_csv(struct strbuf *out, const struct summary_cmd *c,
		const struct reports *rs, const struct reporting *rp)
{
	static const enum rollup_counter cols[] = { RC_REQUESTS, RC_INPUT,
		RC_OUTPUT, RC_CACHE_READ, RC_CACHE_WRITE, RC_REASONING,
		RC_N_FAILED };
	static const char *const names[] = { "requests", "inputTokens",
		"outputTokens", "cacheReadTokens", "cacheWriteTokens",
		"reasoningTokens", "failedCount" };
	const struct report *r = &rs->total;
	struct strbuf sb = STRBUF_INIT;

	for (size_t d = 0; d < c->spec.ndims; d++) {
		csv_text(out, dim_name(&c->spec, d, &sb));
		strbuf_addch(out, ',');
	}
	for (size_t i = 0; i < sizeof(cols) / sizeof(*cols); i++)
		strbuf_addf(out, "%s,", names[i]);
	strbuf_addstr(out, "totalTokens,billedCostUsd,estimatedCostUsd,"
			"costUsd,unpricedCount\r\n");
	for (size_t i = 0; i < r->ngroups; i++) {
		const struct counters *g = &r->groups[i].c;
		int64_t unpriced, cost = counters_cost(g, rp->mode, &unpriced);

		if (!g->v[RC_REQUESTS])
			continue;
		for (size_t d = 0; d < c->spec.ndims; d++) {
			csv_text(out, r->groups[i].key[d]);
			strbuf_addch(out, ',');
		}
		for (size_t k = 0; k < sizeof(cols) / sizeof(*cols); k++)
			strbuf_addf(out, "%lld,", (long long)g->v[cols[k]]);
		strbuf_addf(out, "%lld,", (long long)counters_tokens(g));
		money_format(out, g->v[RC_BILLED]);
		strbuf_addch(out, ',');
		money_format(out, rp->mode == COST_MODE_AUTO ?
				g->v[RC_EST_UNBILLED] : g->v[RC_ESTIMATED]);
		strbuf_addch(out, ',');
		if (!unpriced || unpriced < g->v[RC_N_USAGE])
			money_format(out, cost);
		strbuf_addf(out, ",%lld\r\n", (long long)unpriced);
	}
	strbuf_release(&sb);
}

/* The groups as a Markdown table to paste into an issue, with a total. */
static void print_markdown(struct strbuf *out, const struct summary_cmd *c,
		const struct reports *rs, const struct reporting *rp)
{
	const struct counters *total = &rs->total.total;
	struct strbuf align = STRBUF_INIT;
	struct table t;

	fill_groups_table(&t, &align, &rs->total, &c->spec, total, rp->mode,
			0, 0);
	table_cell_str(&t, "Total");
	for (size_t d = 1; d < c->spec.ndims; d++)
		table_cell_str(&t, "");
	figure_cells(&t, total, total, rp->mode);
	table_render_markdown(&t, out);
	table_release(&t);
	strbuf_release(&align);
}

static void check_format(struct summary_cmd *c, const struct option *opts)
{
	size_t n = sizeof(format_names) / sizeof(*format_names), i;

	if (c->json && c->format_name && strcmp(c->format_name, "json"))
		usage_error(summary_usage, opts, "--json is --format json; "
				"not with --format %s", c->format_name);
	c->format = c->json ? SF_JSON : SF_TABLE;
	if (!c->format_name)
		return;
	for (i = 0; i < n && strcmp(c->format_name, format_names[i]); i++)
		;
	if (i == n)
		usage_error(summary_usage, opts, "--format expects table, "
				"json, csv or markdown, not '%s'",
				c->format_name);
	c->format = (enum summary_format)i;
	if (c->perf && (c->format == SF_CSV || c->format == SF_MARKDOWN))
		usage_error(summary_usage, opts, "--perf prints a table or "
				"JSON; not --format %s", c->format_name);
}

static void check_options(struct summary_cmd *c, const struct option *opts)
{
	struct strbuf err = STRBUF_INIT;
	int ranges = !!c->since + !!c->until + !!c->last;

	check_format(c, opts);
	if (c->window && ranges)
		usage_error(summary_usage, opts, "--window excludes --since, "
				"--until and --last");
	if (c->last && (c->since || c->until))
		usage_error(summary_usage, opts, "--last excludes --since and "
				"--until");
	if (c->compare && c->window && (!strcmp(c->window, "session") ||
	    !strcmp(c->window, "workspace") || !strcmp(c->window, "block")))
		usage_error(summary_usage, opts, "--compare needs a window "
				"with a start: day, week, month, --since or "
				"--last");
	if (c->compare && c->perf)
		usage_error(summary_usage, opts, "--compare and --perf "
				"exclude each other");
	if (c->perf && c->by.nr)
		usage_error(summary_usage, opts, "--perf groups by provider; "
				"it takes no --by");
	for (size_t i = 0; i < c->by.nr; i++)
		if (report_add_dim(&c->spec, c->by.items[i]))
			usage_error(summary_usage, opts, "--by expects provider, "
					"model, day, week, month, session, "
					"block, source, device or tag:<key>, "
					"at most %d of them, not '%s'",
					REPORT_MAX_DIMS, c->by.items[i]);
	/* One table to paste: without --by, by provider and model. */
	if (!c->by.nr && (c->format == SF_CSV || c->format == SF_MARKDOWN)) {
		report_add_dim(&c->spec, "provider");
		report_add_dim(&c->spec, "model");
	}
	if (query_finish(&c->spec.filter, &err))
		usage_error(summary_usage, opts, "%s", err.buf);
	strbuf_release(&err);
}

int cmd_summary(int argc, const char **argv, struct tally_ctx *ctx)
{
	struct summary_cmd c = { .by = STRING_LIST_INIT,
		.spec = REPORT_SPEC_INIT, .calendar = -1 };
	struct option opts[] = {
		OPT_GROUP("Window"),
		OPT_STRING_VALUES('w', "window", &c.window, "window",
				"session, day, week, month (default), "
				"block or workspace",
				"session|day|week|month|block|workspace"),
		OPT_STRING(0, "since", &c.since, "time", "from <time>"),
		OPT_STRING(0, "until", &c.until, "time", "until <time>"),
		OPT_STRING_VALUES(0, "last", &c.last, "duration",
				"the last <duration>, such as 24h",
				"1h|24h|7d|30d"),
		OPT_STRING_VALUES(0, "tz", &c.tz, "zone",
				"count days in this IANA time zone", "@zones"),
		OPT_BOOL(0, "compare", &c.compare, "the change against the "
				"same stretch of the period before"),
		OPT_GROUP("Grouping and filters"),
		OPT_LIST_VALUES(0, "by", &c.by, "group",
				"provider, model, day, week, month, session, "
				"block, source or tag:<key> (repeatable)",
				"@by"),
		OPT_STRING_VALUES('p', "provider", &c.spec.filter.provider,
				"id", "only this provider", "@providers"),
		OPT_STRING_VALUES('m', "model", &c.spec.filter.model,
				"pattern", "only models matching this glob",
				"@models"),
		OPT_LIST_VALUES(0, "tag", &c.spec.filter.tags,
				"<key>[=<value>]",
				"only entries with this tag (repeatable)",
				"@tags"),
		OPT_BOOL(0, "all-workspaces", &c.all_workspaces,
				"add up every workspace and the profile"),
		OPT_BOOL(0, "all-devices", &c.all_devices,
				"and the other devices pulled (tally pull)"),
		OPT_GROUP("Output"),
		OPT_BOOL(0, "all", &c.all, "show every model, not the top 5"),
		OPT_BOOL(0, "perf", &c.perf,
				"performance per provider: rates, latency, errors"),
		OPT_STRING_VALUES(0, "format", &c.format_name, "format",
				"table (default), json, csv or markdown",
				"table|json|csv|markdown"),
		OPT_BOOL(0, "json", &c.json, "print JSON (--format json)"),
		OPT_BOOL(0, "rebuild", &c.rebuild,
				"rebuild the summary cache from the ledger"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, err2 = STRBUF_INIT;
	struct string_list device_ids = STRING_LIST_INIT;
	struct string_list device_labels = STRING_LIST_INIT;
	const struct report_scope *sc = NULL;
	struct reporting rp;
	struct reports rs;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, summary_usage,
			PARSE_OPT_NO_ARGS);
	check_options(&c, opts);
	setup_pager();
	c.colour = want_colour(STDOUT_FILENO);
	memset(&rs, 0, sizeof(rs));
	if (c.tz && !timeutil_zone_exists(c.tz))
		usage_error(summary_usage, opts, "--tz: unknown time zone '%s'",
				c.tz);
	ret = reporting_open(&rp, ctx, c.rebuild ? REPORTING_REBUILD : 0, &err);
	c.spec.self_device = config_get(&ctx->cfg, "device_name");
	/* Other devices by name; a bad remotes directory costs only that. */
	if (!ret && remote_device_labels(ctx->scope.root, c.spec.self_device,
			&device_ids, &device_labels, &err2))
		strbuf_reset(&err2);
	c.spec.device_ids = &device_ids;
	c.spec.device_labels = &device_labels;
	if (c.all_devices)
		c.all_workspaces = 1;
	/*
	 * The caches keep the days of the configured zone: they are brought
	 * up to date first, then --tz takes over, and the report is made
	 * from the ledger's entries, whose times have no zone.
	 */
	if (!ret)
		ret = reporting_scope(&rp,
				c.all_devices ? BUDGET_SCOPE_DEVICES :
				c.all_workspaces ? BUDGET_SCOPE_ALL :
				BUDGET_SCOPE_WORKSPACE, &sc, &err);
	if (!ret && c.tz) {
		timeutil_set_zone(c.tz);
		c.spec.force_ledger = 1;
	}
	if (!ret && (ret = set_window(&c, rp.session.buf, rp.now, &err)))
		usage_error(summary_usage, opts, "%s", err.buf);
	if (!ret && c.window_block)
		ret = block_window(&c.block, sc, &c.spec, rp.now, &err);
	if (!ret)
		ret = build_reports(&rs, sc, &c, rp.now, &err);
	if (!ret && c.window_block)
		ret = block_measure(&c.block, sc, &c.spec, &rs.total.total,
				&ctx->cfg, rp.mode, &err);
	if (!ret && !c.perf)
		ret = forecast_build(&c.fc, sc, &c.spec, &rs.total.total,
				c.calendar, c.compare, rp.mode, rp.now, &err);
	/* A plan is paid by the month: not for a session or a block. */
	if (!ret && !c.perf && !c.window_block && !c.spec.filter.session)
		ret = subscription_view_build(&c.subs, &rp, &c.spec, &err);
	if (!ret) {
		if (c.format == SF_JSON)
			print_json(&out, &c, &rs, &rp, ctx);
		else if (c.format == SF_CSV)
			print_csv(&out, &c, &rs, &rp);
		else if (c.format == SF_MARKDOWN)
			print_markdown(&out, &c, &rs, &rp);
		else
			print_human(&out, &c, &rs, &rp, ctx);
		flush_out(&out);
	}
	release_reports(&rs);
	subscription_view_release(&c.subs);
	if (c.window_block)
		block_view_release(&c.block);
	reporting_close(&rp);
	string_list_release(&c.by);
	query_release(&c.spec.filter);
	for (size_t i = 0; i < device_ids.nr; i++) {
		free((char *)device_ids.items[i]);
		free((char *)device_labels.items[i]);
	}
	string_list_release(&device_ids);
	string_list_release(&device_labels);
	strbuf_release(&err2);
	strbuf_release(&out);
	return report(ret, &err);
}
