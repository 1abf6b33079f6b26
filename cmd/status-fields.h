#ifndef TALLY_CMD_STATUS_FIELDS_H
#define TALLY_CMD_STATUS_FIELDS_H

#include <stdint.h>

#include "reporting.h"
#include "status-claude.h"
#include "summary-block.h"

/*
 * The figures status prints and top shows: the rates of the last
 * minutes, the session, the day and the month, the budget nearest its
 * limit, the five-hour block under way and the plan's windows.
 */

/* Rates are taken over this many recent minutes. */
#define RATE_MINUTES 5
/* A plan's share used is shown while its snapshot is this fresh. */
#define PLAN_FRESH_MS (10 * 60 * 1000LL)

struct plan_view {
	int known;
	const char *provider;        /* whose plan: anthropic, openai */
	int64_t used, resets_at, captured_at;
};

struct status_fields {
	int64_t tok_per_min, req_per_min;
	int64_t session_tokens, today_tokens, month_tokens;
	struct counters session, today, month;
	int64_t budget_percent;
	const char *budget_state, *budget_name, *budget_scope;
	int64_t pending, failed;
	const char *session_name;
	enum cost_mode mode;
	int has_budget;
	struct block_view block;     /* block.active: one is under way */
	struct counters block_total;
	struct plan_view plan[CLAUDE_WINDOWS];
	const char *model;           /* --claude-code: the session's model */
	int64_t now;
};

/*
 * Gathers them for the scope; the five-hour block only with want_block
 * (when the cache's hours cannot tell it, it takes a walk of the
 * ledgers, which a line that does not show it need not pay). 0, or
 * T_ELEDGER.
 */
int status_gather(struct status_fields *f, const struct reporting *rp,
		const struct report_scope *sc, int want_block,
		struct strbuf *err);

/* Each appends nothing when there is nothing to say. */
void status_block_left(struct strbuf *out, const struct status_fields *f);
void status_burn(struct strbuf *out, const struct status_fields *f);
void status_block_tokens(struct strbuf *out, const struct status_fields *f);
void status_block_limit(struct strbuf *out, const struct status_fields *f);
/* "limit in 1h12m", "limit reached", or nothing. */
void status_block_limit_phrase(struct strbuf *out,
		const struct status_fields *f);
void status_block_cost(struct strbuf *out, const struct status_fields *f);
void status_plan(struct strbuf *out, const struct status_fields *f, int i);

/* "block": {...} or null, "plan": {...}, into the object w has open. */
void status_json_block(struct jsonw *w, const struct status_fields *f);
void status_json_plan(struct jsonw *w, const struct status_fields *f);

#endif
