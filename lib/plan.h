#ifndef TALLY_PLAN_H
#define TALLY_PLAN_H

#include <stdint.h>

#include "strbuf.h"

/*
 * A subscription plan's usage windows (Claude Pro and Max, ChatGPT
 * plans through Codex): the share of a rolling window used and when it
 * resets, as the agents report them. Each sample the agents report is
 * kept as a quota row of the ledger (kind quota, with a window), so the
 * history of the real limits survives; samples come at most once a
 * minute, and the same figures again only after 15 minutes.
 */

#define PLAN_WINDOWS 2
/* The windows in this order, and their short names ("5h", "7d"). */
extern const char *const plan_windows[PLAN_WINDOWS];
extern const char *const plan_window_short[PLAN_WINDOWS];

#define PLAN_SAMPLE_MS (60 * 1000LL)
#define PLAN_SAME_MS (15 * 60 * 1000LL)
/* Reset times outside 2020..2100 are not times (Unix seconds). */
#define PLAN_RESET_MIN_S 1577836800LL
#define PLAN_RESET_MAX_S 4102444800LL
/* A share beyond this is not a share (over 100% is real: overage). */
#define PLAN_USED_MAX (1000LL * 1000000000LL)

struct plan_sample {
	const char *provider;        /* "anthropic", "openai" */
	const char *window;          /* "five_hour", "seven_day" */
	int64_t used;                /* billionths of a percent */
	int64_t resets_at;           /* ms */
	int known;
};

/*
 * The window of that length in minutes (300 or 299, 10080 or 10079),
 * or NULL.
 */
const char *plan_window_of_minutes(int64_t minutes);

/*
 * Whether a sample at now adds to the history after the last one kept
 * (has_last 0: none), by the rule above.
 */
int plan_sample_due(const struct plan_sample *ps, int64_t now, int has_last,
		int64_t last_at, int64_t last_used, int64_t last_resets_at);

/*
 * Appends the ledger row of a sample taken at now, with that source; its
 * id derives from what ("claude-plan": the plan and who saw it) and the
 * window and time, so a sample read again is the same row.
 */
void plan_sample_row(struct strbuf *rows, const struct plan_sample *ps,
		int64_t now, const char *what, const char *source,
		int64_t recorded_at);

#endif
