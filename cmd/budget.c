/*
 * tally budget: how much of each budget is used; budget check answers
 * with the exit status, for cron, git hooks and agent wrappers.
 */
#include "reporting.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../lib/jsonw.h"
#include "../lib/money.h"
#include "../lib/table.h"
#include "../lib/banned.h"

static const char *const budget_usage[] = {
	"tally budget [--json]",
	"tally budget check [-q | --quiet] [--json]",
	NULL,
};

static void print_table(struct strbuf *out, const struct reporting *rp,
		int only_alerts, int colour)
{
	static const char *const head[] = { "BUDGET", "PERIOD", "USED",
		"LIMIT", "REMAINING", "USED%", "", "STATE" };
	struct strbuf sb = STRBUF_INIT;
	struct table t;

	table_init(&t, "llrrrrll");
	for (size_t i = 0; i < 8; i++)
		table_cell_styled(&t, TABLE_BOLD, head[i]);
	for (size_t i = 0; i < rp->nbudgets; i++) {
		const struct budget_status *st = &rp->status[i];
		const struct budget *b = st->b;
		int64_t rt = b->tokens > st->used_tokens ?
			     b->tokens - st->used_tokens : 0;
		int64_t ru = b->usd > st->used_usd ? b->usd - st->used_usd : 0;

		if (only_alerts && st->state == BUDGET_UNDER)
			continue;
		table_cell_str(&t, b->name);
		table_cell(&t, "%s %s", budget_period_name(b->period),
				st->period);
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

static void print_json(struct strbuf *out, const struct reporting *rp,
		int exit_code)
{
	struct jsonw w;

	jw_init(&w, out, JW_PRETTY);
	jw_object_begin(&w);
	jw_kv_int(&w, "exitCode", exit_code);
	jw_key(&w, "budgets");
	jw_array_begin(&w);
	for (size_t i = 0; i < rp->nbudgets; i++) {
		const struct budget_status *st = &rp->status[i];
		const struct budget *b = st->b;

		jw_object_begin(&w);
		jw_kv_string(&w, "name", b->name);
		jw_kv_string(&w, "period", budget_period_name(b->period));
		jw_kv_string(&w, "periodKey", st->period);
		if (b->provider)
			jw_kv_string(&w, "provider", b->provider);
		if (b->model)
			jw_kv_string(&w, "model", b->model);
		if (b->tag)
			jw_kv_string(&w, "tag", b->tag);
		jw_kv_int(&w, "usedTokens", st->used_tokens);
		jw_kv_money(&w, "usedUsd", st->used_usd);
		if (b->tokens) {
			jw_kv_int(&w, "limitTokens", b->tokens);
			jw_kv_int(&w, "remainingTokens",
					b->tokens > st->used_tokens ?
					b->tokens - st->used_tokens : 0);
		}
		if (b->usd) {
			jw_kv_money(&w, "limitUsd", b->usd);
			jw_kv_money(&w, "remainingUsd", b->usd > st->used_usd ?
					b->usd - st->used_usd : 0);
		}
		jw_kv_int(&w, "unpricedCount", st->unpriced);
		jw_kv_int(&w, "percent", st->percent);
		jw_kv_int(&w, "warnPercent", b->warn_percent);
		jw_kv_string(&w, "state", budget_state_name(st->state));
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
}

/* 0 all under, 1 any exceeded, EXIT_BUDGET_WARNING warning only. */
static int check_status(const struct reporting *rp)
{
	int warning = 0;

	for (size_t i = 0; i < rp->nbudgets; i++) {
		if (rp->status[i].state == BUDGET_EXCEEDED)
			return EXIT_FAIL;
		warning |= rp->status[i].state == BUDGET_WARNING;
	}
	return warning ? EXIT_BUDGET_WARNING : 0;
}

int cmd_budget(int argc, const char **argv, struct tally_ctx *ctx)
{
	int json = 0, quiet = 0, check = 0, code = 0;
	struct option opts[] = {
		OPT_BOOL(0, "json", &json, "print JSON"),
		OPT_BOOL('q', "quiet", &quiet,
				"check: print nothing, only the exit status"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct reporting rp;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, budget_usage, 0);
	if (argc > 1 && !strcmp(argv[1], "check"))
		check = 1;
	else if (argc > 1)
		usage_error(budget_usage, opts, "unknown subcommand '%s'",
				argv[1]);
	if (argc > 2)
		usage_error(budget_usage, opts, "unexpected argument '%s'",
				argv[2]);
	if (quiet && !check)
		usage_error(budget_usage, opts, "-q goes with check");
	ret = reporting_open(&rp, ctx, REPORTING_QUIET, &err);
	if (!ret) {
		code = check ? check_status(&rp) : 0;
		if (json)
			print_json(&out, &rp, code);
		else if (!rp.nbudgets && !quiet)
			warning("no budgets are configured (see "
					"tally-budget(1))");
		else if (!quiet && (!check || code))
			print_table(&out, &rp, check,
					want_colour(STDOUT_FILENO));
		flush_out(&out);
	}
	reporting_close(&rp);
	strbuf_release(&out);
	ret = report(ret, &err);
	return ret ? ret : code;
}
