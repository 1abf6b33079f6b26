/* Projections and comparisons of a window: see forecast.h. */
#include "forecast.h"

#include <string.h>

#include "banned.h"

/* The stretch of the period before that matches the window so far. */
static void previous_window(struct forecast *fc, const struct query *q,
		int calendar, int64_t now)
{
	int64_t until = q->until < 0 || q->until > now ? now : q->until;
	int32_t from, to;

	if (calendar >= 0) {
		calendar_bounds((enum calendar_period)calendar,
				local_day(q->since) - 1, &from, &to);
		fc->prev_since = local_day_to_ms(from);
		fc->prev_until = fc->prev_since + (until - q->since);
		if (fc->prev_until > local_day_to_ms(to))
			fc->prev_until = local_day_to_ms(to);
	} else {
		fc->prev_since = q->since - (until - q->since);
		fc->prev_until = q->since;
	}
}

int forecast_prev_spec(const struct report_spec *spec, int calendar,
		int compare, int64_t now, struct report_spec *prev)
{
	struct forecast fc;

	if (!compare || spec->filter.since < 0)
		return 0;
	previous_window(&fc, &spec->filter, calendar, now);
	*prev = *spec;
	prev->ndims = 0;
	prev->filter.since = fc.prev_since;
	prev->filter.until = fc.prev_until;
	return 1;
}

void forecast_fill(struct forecast *fc, const struct report_spec *spec,
		const struct counters *total, const struct counters *prev,
		int calendar, enum cost_mode mode, int64_t now)
{
	const struct query *q = &spec->filter;
	int64_t cost;

	memset(fc, 0, sizeof(*fc));
	/* Nothing used yet is no pace to project. */
	if (calendar >= 0 && q->since < now && now < q->until &&
	    total->v[RC_N_USAGE]) {
		fc->has_projection = 1;
		fc->elapsed = (double)(now - q->since) /
			(double)(q->until - q->since);
		fc->proj_tokens = (int64_t)((double)counters_tokens(total) /
				fc->elapsed + 0.5);
		cost = counters_priced_cost(total, mode);
		fc->proj_cost = cost < 0 ? -1 :
			(int64_t)((double)cost / fc->elapsed + 0.5);
	}
	if (!prev)
		return;
	previous_window(fc, q, calendar, now);
	fc->prev = *prev;
	fc->has_compare = 1;
}

int forecast_build(struct forecast *fc, const struct report_scope *sc,
		const struct report_spec *spec, const struct counters *total,
		int calendar, int compare, enum cost_mode mode, int64_t now,
		struct strbuf *err)
{
	struct report_spec prev;
	struct report r;
	int ret = 0;

	if (!forecast_prev_spec(spec, calendar, compare, now, &prev)) {
		forecast_fill(fc, spec, total, NULL, calendar, mode, now);
		return 0;
	}
	report_init(&r);
	ret = report_build(sc, &prev, &r, err);
	forecast_fill(fc, spec, total, ret ? NULL : &r.total, calendar, mode,
			now);
	report_release(&r);
	return ret;
}
