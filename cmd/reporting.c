/*
 * Shared set-up of the reporting commands (summary, status, budget).
 */
#include "reporting.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/money.h"
#include "../lib/session.h"
#include "../lib/timeutil.h"
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

static int evaluate_budgets(struct reporting *rp, struct tally_ctx *ctx,
		int hooks, struct strbuf *err)
{
	int ret = budgets_load(&ctx->cfg, &rp->budgets, &rp->nbudgets, err);

	if (ret)
		return ret;
	rp->status = xcalloc(rp->nbudgets + 1, sizeof(*rp->status));
	for (size_t i = 0; i < rp->nbudgets && !ret; i++)
		ret = budget_evaluate(&rp->budgets[i], &rp->s,
				ctx->scope.ledger_path, rp->session.buf,
				rp->mode, rp->now, &rp->status[i], err);
	if (!ret && hooks)
		budget_fire_alerts(rp->status, rp->nbudgets,
				ctx->cfg.hook_budget_alert, &ctx->scope, &rp->o);
	return ret;
}

int reporting_open(struct reporting *rp, struct tally_ctx *ctx, int flags,
		struct strbuf *err)
{
	int ret;

	memset(rp, 0, sizeof(*rp));
	summary_init(&rp->s);
	strbuf_init(&rp->session, 0);
	reporting_summary_opts(ctx, &rp->o);
	rp->o.quiet = !!(flags & REPORTING_QUIET);
	rp->o.rebuild = !!(flags & REPORTING_REBUILD);
	if (flags & REPORTING_NO_WAIT)
		rp->o.lock_timeout_ms = 50;
	rp->mode = cost_mode_from(ctx->cfg.cost_mode);
	rp->now = now_ms();
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
	free(rp->budgets);
	free(rp->status);
	strbuf_release(&rp->session);
}

void format_cost(struct strbuf *sb, const struct counters *c,
		enum cost_mode mode)
{
	int64_t unpriced, cost = counters_cost(c, mode, &unpriced);
	int estimated = mode == COST_MODE_ESTIMATE ||
			(mode == COST_MODE_AUTO && c->v[RC_EST_UNBILLED]);

	if (!cost && unpriced) {
		strbuf_addstr(sb, "unpriced");
		return;
	}
	if (!cost && !c->v[RC_N_USAGE]) {
		strbuf_addstr(sb, "-");
		return;
	}
	if (estimated)
		strbuf_addch(sb, '~');
	money_format_human(sb, cost);
	if (unpriced)
		strbuf_addf(sb, " +%lld unpriced", (long long)unpriced);
}

void format_bar(struct strbuf *sb, int64_t percent, int width)
{
	int64_t filled = percent * width / 100;

	if (filled > width)
		filled = width;
	if (filled < 0)
		filled = 0;
	for (int i = 0; i < width; i++)
		strbuf_addstr(sb, i < filled ? "\xe2\x96\x88" : "\xe2\x96\x91");
}
