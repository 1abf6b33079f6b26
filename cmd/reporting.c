/*
 * Shared set-up of the reporting commands (summary, status, budget).
 */
#include "reporting.h"
#include "status-claude.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/jsonw.h"
#include "../lib/money.h"
#include "../lib/remote.h"
#include "../lib/table.h"
#include "../lib/session.h"
#include "../lib/summary-all.h"
#include "../lib/timeutil.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

void reporting_summary_opts(const struct tally_ctx *ctx,
		struct summary_opts *o)
{
	const struct config *c = &ctx->cfg;

	memset(o, 0, sizeof(*o));
	o->do_sync = c->fsync;
	o->lock_timeout_ms = c->lock_timeout_ms;
	o->budget.tokens = c->monthly_token_budget;
	o->budget.usd = c->monthly_cost_budget_usd;
	o->budget.warn_percent = c->alert_threshold_percent;
}

static int current_session(struct reporting *rp, struct tally_ctx *ctx,
		struct strbuf *err)
{
	const char *env = getenv("TALLY_SESSION");

	if (env && *env) {
		strbuf_addstr(&rp->session, env);
		return 0;
	}
	return session_latest(ctx->scope.ledger_path, &rp->session, err);
}

/* Every scope of this device, and the other devices' with remotes. */
static int load_set(struct reporting *rp, int remotes, struct strbuf *err)
{
	struct report_scope *rs = remotes ? &rp->devices : &rp->all;
	struct summary *s = remotes ? &rp->devices_s : &rp->all_s;
	struct scope_list *list = remotes ? &rp->device_scopes : &rp->scopes;
	const char ***ledgers = remotes ? &rp->devices_ledgers :
		&rp->all_ledgers;
	struct summary_opts so = rp->o;
	int ret = scope_list_all(list, rp->ctx->scope.root, err);

	if (!ret && remotes)
		ret = scope_list_remotes(list, rp->ctx->scope.root, err);
	so.quiet = 1;
	summary_init(s);
	rs->s = s;
	*ledgers = xcalloc(list->nr + 1, sizeof(**ledgers));
	for (size_t i = 0; i < list->nr; i++)
		(*ledgers)[i] = list->v[i].ledger_path;
	rs->ledgers = *ledgers;
	rs->nledgers = list->nr;
	if (!ret)
		ret = summary_all_refresh(s, list, &so, err);
	return ret;
}

static int load_profile(struct reporting *rp, struct strbuf *err)
{
	struct summary_opts so = rp->o;

	so.quiet = 1;
	summary_init(&rp->profile_s);
	rp->profile_scope.s = &rp->profile_s;
	rp->profile_scope.ledgers =
		(const char *const *)&rp->profile.ledger_path;
	rp->profile_scope.nledgers = 1;
	return summary_refresh(&rp->profile_s, &rp->profile, &so, err);
}

int reporting_scope(struct reporting *rp, enum budget_scope which,
		const struct report_scope **out, struct strbuf *err)
{
	int ret = 0;

	if (which == BUDGET_SCOPE_WORKSPACE ||
	    (which == BUDGET_SCOPE_PROFILE && !rp->ctx->scope.is_workspace)) {
		*out = &rp->here;
	} else if (which == BUDGET_SCOPE_PROFILE) {
		if (!rp->profile_scope.s)
			ret = load_profile(rp, err);
		*out = &rp->profile_scope;
	} else if (which == BUDGET_SCOPE_DEVICES) {
		if (!rp->devices.s)
			ret = load_set(rp, 1, err);
		*out = &rp->devices;
	} else {
		if (!rp->all.s)
			ret = load_set(rp, 0, err);
		*out = &rp->all;
	}
	return ret;
}

/* A workspace's configuration and the scope its budgets count. */
struct other_budgets {
	struct config cfg;
	struct scope sc;
	struct summary s;
	struct report_scope here;
	struct budget *budgets;
	size_t n;
};

/* The budgets of a workspace file alone (its shorthand included). */
static int load_workspace_budgets(struct other_budgets *o, const char *file,
		struct strbuf *err)
{
	struct config *c = &o->cfg;

	config_init(c);
	if (config_load_workspace(c, file, err))
		return -1;
	if (config_from_workspace(c, "monthly_token_budget"))
		c->monthly_token_budget = config_get_int(c,
				"monthly_token_budget", 0);
	if (config_from_workspace(c, "monthly_cost_budget_usd"))
		c->monthly_cost_budget_usd = config_get_money(c,
				"monthly_cost_budget_usd", 0);
	c->alert_threshold_percent = config_get_int(c,
			"alert_threshold_percent", 80);
	return budgets_load(c, &o->budgets, &o->n, err) ? -1 : 0;
}

static int evaluate_other(struct reporting *rp, struct other_budgets *o,
		struct strbuf *err)
{
	struct summary_opts so = rp->o;
	const struct report_scope **scopes;
	int ret;

	so.quiet = 1;
	summary_init(&o->s);
	o->here.s = &o->s;
	o->here.ledgers = (const char *const *)&o->sc.ledger_path;
	o->here.nledgers = 1;
	ret = summary_refresh(&o->s, &o->sc, &so, err);
	rp->budgets = xrealloc(rp->budgets, (rp->nbudgets + o->n) *
			sizeof(*rp->budgets));
	rp->status = xrealloc(rp->status, (rp->nbudgets + o->n + 1) *
			sizeof(*rp->status));
	scopes = xcalloc(o->n + 1, sizeof(*scopes));
	for (size_t i = 0; !ret && i < o->n; i++) {
		scopes[i] = &o->here;
		if (o->budgets[i].scope != BUDGET_SCOPE_WORKSPACE)
			ret = reporting_scope(rp, o->budgets[i].scope,
					&scopes[i], err);
	}
	if (!ret)
		ret = budgets_evaluate(o->budgets, scopes, o->n,
				rp->session.buf, rp->mode, rp->now,
				&rp->status[rp->nbudgets], err);
	free(scopes);
	for (size_t i = 0; !ret && i < o->n; i++) {
		rp->status[rp->nbudgets].workspace = o->sc.workspace;
		rp->budgets[rp->nbudgets++] = o->budgets[i];
	}
	/* The budgets moved: each status points at its own again. */
	for (size_t i = 0; i < rp->nbudgets; i++)
		rp->status[i].b = &rp->budgets[i];
	return ret;
}

int reporting_add_workspace_budgets(struct reporting *rp, struct strbuf *err)
{
	const struct report_scope *all;
	int ret = reporting_scope(rp, BUDGET_SCOPE_ALL, &all, err);

	rp->others = xcalloc(rp->scopes.nr + 1, sizeof(*rp->others));
	for (size_t i = 0; !ret && i < rp->scopes.nr; i++) {
		const struct scope *sc = &rp->scopes.v[i];
		struct other_budgets *o = &rp->others[rp->nothers];
		struct strbuf file = STRBUF_INIT, why = STRBUF_INIT;

		if (!sc->is_workspace || !strcmp(sc->dir, rp->ctx->scope.dir))
			continue;
		scope_init_dir(&o->sc, sc->root, sc->dir);
		rp->nothers++;
		if (scope_read_workspace(&o->sc))
			continue;
		strbuf_addf(&file, "%s/.tally.yaml", o->sc.workspace);
		if (load_workspace_budgets(o, file.buf, &why))
			warning("%s", why.buf);
		else if (o->n)
			ret = evaluate_other(rp, o, err);
		strbuf_release(&file);
		strbuf_release(&why);
	}
	return ret;
}

static int evaluate_budgets(struct reporting *rp, struct tally_ctx *ctx,
		int hooks, struct strbuf *err)
{
	int ret = budgets_load(&ctx->cfg, &rp->budgets, &rp->nbudgets, err);
	const struct report_scope **scopes;

	if (ret)
		return ret;
	rp->status = xcalloc(rp->nbudgets + 1, sizeof(*rp->status));
	scopes = xcalloc(rp->nbudgets + 1, sizeof(*scopes));
	for (size_t i = 0; i < rp->nbudgets && !ret; i++)
		ret = reporting_scope(rp, rp->budgets[i].scope, &scopes[i],
				err);
	if (!ret)
		ret = budgets_evaluate(rp->budgets, scopes, rp->nbudgets,
				rp->session.buf, rp->mode, rp->now, rp->status,
				err);
	free(scopes);
	if (!ret && hooks)
		budget_fire_alerts(rp->status, rp->nbudgets,
				ctx->cfg.hook_budget_alert, &ctx->scope,
				&rp->profile, &rp->o);
	return ret;
}

int reporting_open(struct reporting *rp, struct tally_ctx *ctx, int flags,
		struct strbuf *err)
{
	int ret;

	memset(rp, 0, sizeof(*rp));
	rp->ctx = ctx;
	summary_init(&rp->s);
	scope_init(&rp->profile, ctx->scope.root, NULL);
	rp->here.s = &rp->s;
	rp->here.ledgers = (const char *const *)&ctx->scope.ledger_path;
	rp->here.nledgers = 1;
	strbuf_init(&rp->session, 0);
	reporting_summary_opts(ctx, &rp->o);
	rp->o.quiet = !!(flags & REPORTING_QUIET);
	rp->o.rebuild = !!(flags & REPORTING_REBUILD);
	if (flags & REPORTING_NO_WAIT)
		rp->o.lock_timeout_ms = 50;
	if (flags & REPORTING_NO_SYNC)
		rp->o.do_sync = 0;
	rp->mode = cost_mode_from(ctx->cfg.cost_mode);
	rp->now = now_ms();
	remotes_pull_due(ctx);
	ret = summary_refresh(&rp->s, &ctx->scope, &rp->o, err);
	if (!ret)
		ret = current_session(rp, ctx, err);
	if (!ret)
		ret = evaluate_budgets(rp, ctx, !(flags & REPORTING_NO_HOOKS),
				err);
	return ret;
}

void reporting_close(struct reporting *rp)
{
	summary_release(&rp->s);
	if (rp->all.s)
		summary_release(&rp->all_s);
	scope_list_release(&rp->scopes);
	free(rp->all_ledgers);
	if (rp->devices.s)
		summary_release(&rp->devices_s);
	scope_list_release(&rp->device_scopes);
	free(rp->devices_ledgers);
	if (rp->profile_scope.s)
		summary_release(&rp->profile_s);
	for (size_t i = 0; i < rp->nothers; i++) {
		struct other_budgets *o = &rp->others[i];

		if (o->here.s)
			summary_release(&o->s);
		free(o->budgets);
		config_release(&o->cfg);
		scope_release(&o->sc);
	}
	free(rp->others);
	scope_release(&rp->profile);
	free(rp->budgets);
	free(rp->status);
	strbuf_release(&rp->session);
}

void format_cost(struct strbuf *sb, const struct counters *c,
		enum cost_mode mode)
{
	static const struct cost_words words = { "unpriced", "-",
		" +%lld unpriced" };

	counters_cost_text(sb, c, mode, &words);
}

void json_time_or_null(struct jsonw *w, const char *key, int64_t ms)
{
	struct strbuf sb = STRBUF_INIT;

	if (ms < 0) {
		jw_kv_null(w, key);
		return;
	}
	time_format_utc(&sb, ms);
	jw_kv_string(w, key, sb.buf);
	strbuf_release(&sb);
}

void json_int_or_null(struct jsonw *w, const char *key, int64_t v)
{
	if (v < 0)
		jw_kv_null(w, key);
	else
		jw_kv_int(w, key, v);
}

void json_money_or_null(struct jsonw *w, const char *key, int64_t nano)
{
	if (nano < 0)
		jw_kv_null(w, key);
	else
		jw_kv_money(w, key, nano);
}

void format_bar(struct strbuf *sb, int64_t percent, int width)
{
	int64_t filled = percent * width / 100;

	if (filled > width)
		filled = width;
	if (filled < 0)
		filled = 0;
	for (int i = 0; i < width; i++)
		strbuf_addstr(sb, i < filled ? glyph_bar_full() :
				glyph_bar_empty());
}

int budget_selected(const struct reporting *rp, size_t i)
{
	if (!rp->only || !rp->only->nr)
		return 1;
	for (size_t k = 0; k < rp->only->nr; k++)
		if (!strcmp(rp->only->items[k], rp->status[i].b->name))
			return 1;
	return 0;
}

void budgets_table(struct strbuf *out, const struct reporting *rp,
		int only_alerts, int colour)
{
	struct strbuf sb = STRBUF_INIT;
	struct table t;

	table_init(&t, "lllrrrrll");
	table_head(&t, "BUDGET", "PERIOD", "SCOPE", "USED", "LIMIT",
			"REMAINING", "USED%", "", "STATE", NULL);
	for (size_t i = 0; i < rp->nbudgets; i++) {
		const struct budget_status *st = &rp->status[i];
		const struct budget *b = st->b;
		int64_t rt = b->tokens > st->used_tokens ?
			     b->tokens - st->used_tokens : 0;
		int64_t ru = b->usd > st->used_usd ? b->usd - st->used_usd : 0;

		if (!budget_selected(rp, i))
			continue;
		if (only_alerts && st->state == BUDGET_UNDER)
			continue;
		table_cell_str(&t, b->name);
		table_cell(&t, "%s %s", budget_period_name(b->period),
				st->period);
		if (st->workspace && b->scope == BUDGET_SCOPE_WORKSPACE)
			table_cell_str(&t, st->workspace);
		else
			table_cell_str(&t, budget_scope_name(b->scope));
		strbuf_reset(&sb);
		budget_format_amount(&sb, b, st->used_tokens, st->used_usd);
		if (b->usd && st->unpriced)
			strbuf_addf(&sb, " +%lld unpriced",
					(long long)st->unpriced);
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		budget_format_amount(&sb, b, b->tokens, b->usd);
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		budget_format_amount(&sb, b, rt, ru);
		table_cell_str(&t, sb.buf);
		table_cell(&t, "%lld%%", (long long)st->percent);
		strbuf_reset(&sb);
		format_bar(&sb, st->percent, 20);
		table_cell_str(&t, sb.buf);
		table_cell_styled(&t, st->state == BUDGET_EXCEEDED ? TABLE_RED :
				st->state == BUDGET_WARNING ? TABLE_YELLOW :
				TABLE_GREEN, budget_state_name(st->state));
	}
	table_render(&t, out, colour);
	table_release(&t);
	strbuf_release(&sb);
}

void budgets_json(struct jsonw *w, const struct reporting *rp)
{
	jw_key(w, "budgets");
	jw_array_begin(w);
	for (size_t i = 0; i < rp->nbudgets; i++) {
		const struct budget_status *st = &rp->status[i];
		const struct budget *b = st->b;

		if (!budget_selected(rp, i))
			continue;
		jw_object_begin(w);
		jw_kv_string(w, "name", b->name);
		jw_kv_string(w, "period", budget_period_name(b->period));
		jw_kv_string(w, "periodKey", st->period);
		jw_kv_string(w, "scope", budget_scope_name(b->scope));
		if (st->workspace)
			jw_kv_string(w, "workspace", st->workspace);
		if (b->provider)
			jw_kv_string(w, "provider", b->provider);
		if (b->model)
			jw_kv_string(w, "model", b->model);
		if (b->tag)
			jw_kv_string(w, "tag", b->tag);
		jw_kv_int(w, "usedTokens", st->used_tokens);
		jw_kv_money(w, "usedUsd", st->used_usd);
		if (b->tokens) {
			jw_kv_int(w, "limitTokens", b->tokens);
			jw_kv_int(w, "remainingTokens",
					b->tokens > st->used_tokens ?
					b->tokens - st->used_tokens : 0);
		}
		if (b->usd) {
			jw_kv_money(w, "limitUsd", b->usd);
			jw_kv_money(w, "remainingUsd", b->usd > st->used_usd ?
					b->usd - st->used_usd : 0);
		}
		jw_kv_int(w, "unpricedCount", st->unpriced);
		jw_kv_int(w, "percent", st->percent);
		jw_kv_int(w, "warnPercent", b->warn_percent);
		jw_kv_string(w, "state", budget_state_name(st->state));
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* ---- quota snapshots ---- */

void percent_format(struct strbuf *sb, int64_t billionths)
{
	/* One decimal, as the plans show them: 23.5%. */
	int64_t tenths;

	if (billionths < 0) { /* only a hand-edited ledger has these */
		strbuf_addch(sb, '-');
		billionths = billionths == INT64_MIN ? INT64_MAX : -billionths;
	}
	tenths = billionths / 100000000 + (billionths % 100000000 >= 50000000);
	strbuf_addf(sb, "%lld.%lld%%", (long long)(tenths / 10),
			(long long)(tenths % 10));
}

void quota_name(struct strbuf *sb, const struct quota_state *q)
{
	strbuf_addstr_printable(sb, q->provider);
	if (!q->window)
		return;
	strbuf_addstr(sb, " plan ");
	for (int i = 0; i < CLAUDE_WINDOWS; i++)
		if (!strcmp(q->window, plan_windows[i])) {
			strbuf_addstr(sb, plan_window_short[i]);
			return;
		}
	strbuf_addstr_printable(sb, q->window);
}

void quota_remaining_text(struct strbuf *sb, const struct quota_state *q)
{
	size_t start = sb->len;

	if (q->has & (1u << QF_USED_PERCENT)) {
		percent_format(sb, q->v[QF_USED_PERCENT]);
		strbuf_addstr(sb, " used");
	}

	if (q->has & (1u << QF_REMAINING_USD)) {
		if (sb->len > start)
			strbuf_addstr(sb, ", ");
		money_format_human(sb, q->v[QF_REMAINING_USD]);
		strbuf_addstr(sb, " left");
	}
	if (q->has & (1u << QF_REMAINING_REQUESTS)) {
		if (sb->len > start)
			strbuf_addstr(sb, ", ");
		fmt_count(sb, q->v[QF_REMAINING_REQUESTS]);
		if (q->has & (1u << QF_LIMIT_REQUESTS)) {
			strbuf_addstr(sb, "/");
			fmt_count(sb, q->v[QF_LIMIT_REQUESTS]);
		}
		strbuf_addstr(sb, " requests");
	}
	if (q->has & (1u << QF_REMAINING_TOKENS)) {
		if (sb->len > start)
			strbuf_addstr(sb, ", ");
		fmt_count(sb, q->v[QF_REMAINING_TOKENS]);
		if (q->has & (1u << QF_LIMIT_TOKENS)) {
			strbuf_addstr(sb, "/");
			fmt_count(sb, q->v[QF_LIMIT_TOKENS]);
		}
		strbuf_addstr(sb, " tokens");
	}
	if (sb->len == start)
		strbuf_addstr(sb, "unknown");
}

void quota_table(struct strbuf *out, const struct summary *s, int64_t now,
		size_t indent, int colour)
{
	struct strbuf sb = STRBUF_INIT;
	struct table t;

	table_init(&t, "llll");
	t.indent = indent;
	table_head(&t, "PROVIDER", "REMAINING", "RESETS", "AGE", NULL);
	for (size_t i = 0; i < s->nquotas; i++) {
		const struct quota_state *q = &s->quotas[i];

		strbuf_reset(&sb);
		quota_name(&sb, q);
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		quota_remaining_text(&sb, q);
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		if (q->has & (1u << QF_RESET_DATE))
			time_format_local(&sb, q->v[QF_RESET_DATE]);
		else
			strbuf_addch(&sb, '-');
		table_cell_str(&t, sb.buf);
		strbuf_reset(&sb);
		if (q->has & (1u << QF_CAPTURED_AT)) {
			duration_format_short(&sb, now - q->v[QF_CAPTURED_AT]);
			strbuf_addstr(&sb, " ago");
		} else {
			strbuf_addch(&sb, '-');
		}
		table_cell_str(&t, sb.buf);
	}
	table_render(&t, out, colour);
	table_release(&t);
	strbuf_release(&sb);
}
