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
	"tally budget [--all-workspaces] [--json]",
	"tally budget check [--all-workspaces] [-q | --quiet] [--json]",
	NULL,
};

static void print_json(struct strbuf *out, const struct reporting *rp,
		int exit_code)
{
	struct jsonw w;

	jw_init(&w, out, JW_PRETTY);
	jw_object_begin(&w);
	jw_kv_int(&w, "exitCode", exit_code);
	budgets_json(&w, rp);
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
	int json = 0, quiet = 0, check = 0, code = 0, all = 0;
	struct option opts[] = {
		OPT_BOOL(0, "json", &json, "print JSON"),
		OPT_BOOL(0, "all-workspaces", &all,
				"also the budgets of every other workspace"),
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
	if (!ret && all)
		ret = reporting_add_workspace_budgets(&rp, &err);
	if (!ret) {
		code = check ? check_status(&rp) : 0;
		if (json)
			print_json(&out, &rp, code);
		else if (!rp.nbudgets && !quiet)
			warning("no budgets are configured (see "
					"tally-budget(1))");
		else if (!quiet && (!check || code))
			budgets_table(&out, &rp, check,
					want_colour(STDOUT_FILENO));
		flush_out(&out);
	}
	reporting_close(&rp);
	strbuf_release(&out);
	ret = report(ret, &err);
	return ret ? ret : code;
}
