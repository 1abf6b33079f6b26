#ifndef TALLY_FORECAST_H
#define TALLY_FORECAST_H

#include <stdint.h>

#include "report.h"
#include "strbuf.h"
#include "timeutil.h"

/*
 * What a report says beyond the window's totals: for a calendar window
 * under way (this day, week or month), the total it comes to at its end
 * if the pace so far holds; with --compare, the same stretch of the
 * period before (this month's first 12 days against last month's first
 * 12 days; a --since/--last window against the one just before it) and
 * the change.
 */

struct forecast {
	int has_projection;
	double elapsed;               /* the share of the window gone by */
	int64_t proj_tokens, proj_cost;  /* cost -1 when unpriced */

	int has_compare;
	int64_t prev_since, prev_until;
	struct counters prev;
};

/*
 * The report a comparison needs: spec's filters over the stretch before
 * (no groups). 1 when there is one to make (compare asked, and a window
 * with a start), else 0.
 */
int forecast_prev_spec(const struct report_spec *spec, int calendar,
		int compare, int64_t now, struct report_spec *prev);

/*
 * fc from the window's total and, when prev is not NULL, the total of
 * the stretch before (the report of forecast_prev_spec()).
 */
void forecast_fill(struct forecast *fc, const struct report_spec *spec,
		const struct counters *total, const struct counters *prev,
		int calendar, enum cost_mode mode, int64_t now);

/*
 * Both at once, making the report of the stretch before. calendar is the
 * window's period, or -1 for another window; now is the report's clock.
 * 0, or T_ELEDGER.
 */
int forecast_build(struct forecast *fc, const struct report_scope *sc,
		const struct report_spec *spec, const struct counters *total,
		int calendar, int compare, enum cost_mode mode, int64_t now,
		struct strbuf *err);

#endif
