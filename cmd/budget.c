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
	"tally budget [--all-workspaces] [--json] [<name>...]",
	"tally budget check [--all-workspaces] [-q | --quiet] [--json] "
		"[<name>...]",
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
		if (!budget_selected(rp, i))
			continue;
		if (rp->status[i].state == BUDGET_EXCEEDED)
			return EXIT_FAIL;
		warning |= rp->status[i].state == BUDGET_WARNING;
	}
	return warning ? EXIT_BUDGET_WARNING : 0;
}

/* A name that is no budget's is a usage error naming the budgets. */
static void check_names(const struct reporting *rp,
		const struct string_list *names, const struct option *opts)
{
	for (size_t k = 0; k < names->nr; k++) {
		struct strbuf known = STRBUF_INIT;
		int found = 0;

		for (size_t i = 0; i < rp->nbudgets; i++) {
			found |= !strcmp(rp->status[i].b->name,
					names->items[k]);
			strbuf_addf(&known, "%s%s", i ? ", " : "",
					rp->status[i].b->name);
		}
		if (!found)
			usage_error(budget_usage, opts, "no budget is named "
					"'%s' (%s%s)", names->items[k],
					known.len ? "the budgets: " :
					"no budgets are configured",
					known.buf);
		strbuf_release(&known);
	}
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
		OPT_ARGUMENT_VALUES("@budgets"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct string_list names = STRING_LIST_INIT;
	struct reporting rp;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, budget_usage, 0);
	check = argc > 1 && !strcmp(argv[1], "check");
	for (int i = 1 + check; i < argc; i++)
		string_list_append(&names, argv[i]);
	if (quiet && !check)
		usage_error(budget_usage, opts, "-q goes with check");
	ret = reporting_open(&rp, ctx, REPORTING_QUIET, &err);
	if (!ret && all)
		ret = reporting_add_workspace_budgets(&rp, &err);
	rp.only = &names;
	if (!ret)
		check_names(&rp, &names, opts);
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
	string_list_release(&names);
	strbuf_release(&out);
	ret = report(ret, &err);
	return ret ? ret : code;
}
