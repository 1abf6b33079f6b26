#ifndef TALLY_IMPORTERS_CODEX_PLAN_H
#define TALLY_IMPORTERS_CODEX_PLAN_H

#include <stdint.h>

#include "agent.h"
#include "../lib/jsonscan.h"
#include "../lib/jsonw.h"
#include "../lib/plan.h"

/*
 * The plan's windows in Codex's token_count events: "rate_limits" (often
 * null) with a primary and a secondary window, each with used_percent,
 * window_minutes and resets_at (Unix seconds). Versions before said
 * resets_in_seconds, from the event, and 299 and 10079 minutes; the
 * primary is usually the five-hour window and the secondary the week,
 * but the lengths say which (a team plan's may be a month). Kept as
 * quota rows of provider openai (lib/plan.h), at most one a minute per
 * window and rollout, the same figures again after 15 minutes.
 */

struct cx_window {
	int present;
	struct js_span used;         /* a number */
	int64_t minutes, resets_at, resets_in;
	int has_minutes, has_resets_at, has_resets_in;
};

struct cx_plan {
	struct cx_window w[2];       /* primary, secondary */
};

/* The last sample kept of each window of a rollout, across runs. */
struct cx_plan_state {
	int has[PLAN_WINDOWS];
	int64_t at[PLAN_WINDOWS], used[PLAN_WINDOWS], resets[PLAN_WINDOWS];
};

/* Reads the rate_limits value into p. 0, or -1 on damage. */
int cx_plan_scan(struct jscan *s, struct cx_plan *p);

/* Keeps the windows p reports at `at` that the rule says are due. */
void cx_plan_note(struct import_file *f, struct cx_plan_state *st,
		const struct cx_plan *p, int64_t at);

/* The state as members of the open object w, and back. */
void cx_plan_state_save(const struct cx_plan_state *st, struct jsonw *w);
int cx_plan_state_load(struct jscan *s, struct cx_plan_state *st);

#endif
