#ifndef TALLY_CMD_REPORTING_H
#define TALLY_CMD_REPORTING_H

/*
 * What summary, status and budget share: a refreshed summary cache, the
 * configured budgets evaluated against it (their hooks fired when they
 * cross a threshold), the current session and the cost mode.
 */

#include "tally.h"

#include "../lib/budget.h"
#include "../lib/report.h"
#include "../lib/summary.h"

struct reporting {
	struct summary s;
	struct summary_opts o;
	const struct tally_ctx *ctx;
	struct report_scope here;     /* the current scope */
	/*
	 * Every scope added up (summary-all.h), read when a budget of all
	 * scopes or --all-workspaces first asks.
	 */
	struct report_scope all;
	struct summary all_s;
	struct scope_list scopes;
	const char **all_ledgers;
	/* The same and the other devices pulled (remote.h), for "devices". */
	struct report_scope devices;
	struct summary devices_s;
	struct scope_list device_scopes;
	const char **devices_ledgers;
	/* The profile, for its budgets, when the current scope is not. */
	struct scope profile;
	struct summary profile_s;
	struct report_scope profile_scope;
	/* Other workspaces whose budgets were added, and what they need. */
	struct other_budgets *others;
	size_t nothers;
	struct budget *budgets;
	size_t nbudgets;
	struct budget_status *status;
	/* The budgets shown and checked: these names, or all (NULL). */
	const struct string_list *only;
	struct strbuf session;   /* $TALLY_SESSION, else the latest one */
	enum cost_mode mode;
	int64_t now;
};

enum reporting_flags {
	REPORTING_QUIET = 1 << 0,      /* no warnings about the ledger */
	REPORTING_NO_WAIT = 1 << 1,    /* use the cache as is when busy */
	REPORTING_REBUILD = 1 << 2,    /* fold the ledger from the start */
	REPORTING_NO_HOOKS = 1 << 3,   /* evaluate budgets, fire nothing */
	/*
	 * Write the caches without fsync: for a view that refreshes them
	 * every second. They are derived from the ledger, which this does
	 * not touch, and a torn one is found and rebuilt (summary.h).
	 */
	REPORTING_NO_SYNC = 1 << 4,
};

int reporting_open(struct reporting *rp, struct tally_ctx *ctx, int flags,
		struct strbuf *err);
void reporting_close(struct reporting *rp);

/*
 * The usage of a budget scope (BUDGET_SCOPE_ALL: the sum of every
 * scope), its cache brought up to date once. 0 or T_ELEDGER.
 */
int reporting_scope(struct reporting *rp, enum budget_scope which,
		const struct report_scope **out, struct strbuf *err);

/*
 * Adds the budgets of every other workspace's .tally.yaml (read under
 * the trust rules) to rp->budgets and rp->status, each evaluated over its
 * own scope; their hooks are not run. A workspace file that cannot be
 * read is a warning. 0 or T_ELEDGER.
 */
int reporting_add_workspace_budgets(struct reporting *rp, struct strbuf *err);

/* Options of the cache refresh, from the configuration. */
void reporting_summary_opts(const struct tally_ctx *ctx,
		struct summary_opts *o);

/*
 * Appends a cost for people: "$1.23", "~$1.23" when any of it is
 * estimated, "$1.23 +4 unpriced" when some usage has no price, "unpriced"
 * when none has, "-" when there is no usage.
 */
/* A percentage kept in billionths, with one decimal: "23.5%". */
void percent_format(struct strbuf *sb, int64_t billionths);

/* "openrouter", or a plan's window: "anthropic plan 5h". */
void quota_name(struct strbuf *sb, const struct quota_state *q);

/* What is left (or used, of a plan): "$4.20 left, 90/100 requests". */
void quota_remaining_text(struct strbuf *sb, const struct quota_state *q);

/* The snapshots as a table: provider, remaining, resets, age. */
void quota_table(struct strbuf *out, const struct summary *s, int64_t now,
		size_t indent, int colour);

void format_cost(struct strbuf *sb, const struct counters *c,
		enum cost_mode mode);

struct jsonw;
/* A time as "2026-11-24T10:31:11Z", null when ms is negative. */
void json_time_or_null(struct jsonw *w, const char *key, int64_t ms);
/* An amount in USD, null when nano is negative (unpriced). */
void json_money_or_null(struct jsonw *w, const char *key, int64_t nano);
/* A count that is not known when negative: null. */
void json_int_or_null(struct jsonw *w, const char *key, int64_t v);

/* Appends a bar of width cells, filled to percent (may exceed 100). */
void format_bar(struct strbuf *sb, int64_t percent, int width);

/* Whether the i-th budget is among rp->only (or rp->only is unset). */
int budget_selected(const struct reporting *rp, size_t i);

/*
 * The one table of budgets (budget, summary): name, period, scope, used,
 * limit, remaining, percent, a bar and the state; with only_alerts, the
 * budgets that are not under. Only the selected ones.
 */
void budgets_table(struct strbuf *out, const struct reporting *rp,
		int only_alerts, int colour);

/* The one JSON of budgets: a "budgets" array member of the open object. */
struct jsonw;
void budgets_json(struct jsonw *w, const struct reporting *rp);

#endif
