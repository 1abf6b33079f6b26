#ifndef TALLY_BUDGET_H
#define TALLY_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "entry.h"
#include "scope.h"
#include "summary.h"

/*
 * Budgets: limits in tokens and/or USD over a calendar period (in the
 * configured time zone) or the current session, optionally only for a
 * provider, a model (glob) or a tag. The seed settings
 * monthly_token_budget, monthly_cost_budget_usd and
 * alert_threshold_percent are a shorthand for a budget named "monthly".
 *
 * A budget counts the usage of its scope: every workspace and the profile
 * (all), the profile, or the workspace it is checked from (the profile
 * outside any workspace). Unless it says, a budget of a workspace's
 * .tally.yaml counts that workspace and any other budget counts all.
 *
 * A budget is under, warning (at or past its warn percent) or exceeded (at
 * or past a limit). When it reaches warning or exceeded in a period, the
 * hook of hooks.budget_alert runs, once per budget, period and state (kept
 * in the profile for budgets of all scopes or the profile, in the
 * workspace for a workspace's).
 */

enum budget_period { PERIOD_SESSION, PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH };
enum budget_state { BUDGET_UNDER, BUDGET_WARNING, BUDGET_EXCEEDED };
/* DEVICES: all, and the other devices pulled (include_remotes). */
enum budget_scope { BUDGET_SCOPE_ALL, BUDGET_SCOPE_PROFILE,
	BUDGET_SCOPE_WORKSPACE, BUDGET_SCOPE_DEVICES };

struct budget {
	const char *name;
	enum budget_period period;
	int64_t tokens;       /* 0: no token limit */
	int64_t usd;          /* nano-USD; 0: no cost limit */
	const char *provider;
	const char *model;
	const char *tag;
	int64_t warn_percent;
	enum budget_scope scope;
};


struct budget_status {
	const struct budget *b;
	char period[80];      /* 2026-11, 2026-W48, 2026-11-24, or the session */
	int64_t start, end;   /* the period in ms; -1 for a session */
	int64_t used_tokens;
	int64_t used_usd;     /* nano-USD, under the cost mode */
	int64_t unpriced;     /* entries with usage but no cost */
	int64_t percent;      /* of the limit closest to being used up */
	enum budget_state state;
	/* With budget --all-workspaces: another workspace's, by its path. */
	const char *workspace;
};

/*
 * Reads the budgets of the configuration (the list, then the shorthand).
 * The budgets point into c, which must outlive them. 0 or T_ECONFIG.
 */
int budgets_load(const struct config *c, struct budget **out, size_t *n,
		struct strbuf *err);

/*
 * Works out how much of each of the n budgets b is used at time now:
 * budget i over the usage of scopes[i] (the caller picks them), into
 * st[i]. session is the current session (for session budgets). The
 * budgets of one scope share one walk of its ledgers for all that the
 * rollups cannot answer (tag budgets). 0 or T_ELEDGER.
 */
struct report_scope;
int budgets_evaluate(const struct budget *b,
		const struct report_scope *const *scopes, size_t n,
		const char *session, enum cost_mode mode, int64_t now,
		struct budget_status *st, struct strbuf *err);

const char *budget_state_name(enum budget_state st);
const char *budget_scope_name(enum budget_scope s);

/*
 * The one judge of a limit: exceeded at or above it, warning from
 * warn_percent of it, else under; a limit of 0 is no limit (under).
 */
enum budget_state budget_judge(int64_t used, int64_t limit,
		int64_t warn_percent);

/* "$1.20, 45.0k tok": an amount in the units the budget limits. */
void budget_format_amount(struct strbuf *sb, const struct budget *b,
		int64_t tokens, int64_t usd);
const char *budget_period_name(enum budget_period p);

/*
 * Runs hook (through sh -c, its output sent to stderr) for every budget
 * that has reached warning or exceeded and not yet fired that state in
 * this period. Firing is claimed under the summary cache's lock, so
 * concurrent tally processes fire a hook once between them. A hook that
 * fails is reported as a warning. Returns the number of hooks run.
 */
int budget_fire_alerts(const struct budget_status *st, size_t n,
		const char *hook, const struct scope *current,
		const struct scope *profile, const struct summary_opts *o);

#endif
