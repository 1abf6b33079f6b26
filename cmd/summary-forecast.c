/* summary's projection and --compare: see summary-forecast.h. */
#include "summary-forecast.h"

#include <string.h>

#include "reporting.h"
#include "../lib/money.h"
#include "../lib/table.h"
#include "../lib/banned.h"

/* "+12%", "-3%", or "new" when there was nothing before. */
static void change(struct strbuf *out, int64_t before, int64_t now)
{
	if (before <= 0) {
		strbuf_addstr(out, now > 0 ? "new" : "0%");
		return;
	}
	strbuf_addf(out, "%+.0f%%", ((double)now - (double)before) * 100.0 /
			(double)before);
}

/* A projection is never billed: an estimate, marked as one. */
static void projected_cost(struct strbuf *out, int64_t nano)
{
	if (nano < 0) {
		strbuf_addstr(out, "unpriced");
		return;
	}
	strbuf_addch(out, '~');
	money_format_human(out, nano);
}

void forecast_human(struct strbuf *out, const struct forecast *fc,
		const struct counters *total, enum cost_mode mode)
{
	int64_t cost = counters_priced_cost(total, mode), prev_cost;

	if (!fc->has_projection && !fc->has_compare)
		return;
	strbuf_addch(out, '\n');
	if (fc->has_projection) {
		strbuf_addstr(out, "Projection ");
		fmt_count(out, fc->proj_tokens);
		strbuf_addstr(out, " tok, ");
		projected_cost(out, fc->proj_cost);
		strbuf_addf(out, " by the end of the window at the pace so far "
				"(%.0f%% of it gone)\n", fc->elapsed * 100);
	}
	if (fc->has_compare) {
		prev_cost = counters_priced_cost(&fc->prev, mode);
		strbuf_addstr(out, "Compared   ");
		change(out, counters_tokens(&fc->prev), counters_tokens(total));
		strbuf_addstr(out, " tokens, ");
		if (cost >= 0 && prev_cost >= 0)
			change(out, prev_cost, cost);
		else
			strbuf_addstr(out, "unpriced");
		strbuf_addstr(out, " cost against ");
		time_format_local(out, fc->prev_since);
		strbuf_addstr(out, " to ");
		time_format_local(out, fc->prev_until);
		strbuf_addstr(out, " (");
		fmt_count(out, counters_tokens(&fc->prev));
		strbuf_addstr(out, " tok, ");
		format_cost(out, &fc->prev, mode);
		strbuf_addstr(out, ")\n");
	}
}

static void percent_or_null(struct jsonw *w, const char *key,
		int64_t before, int64_t now)
{
	if (before <= 0 || now < 0)
		jw_kv_null(w, key);
	else
		jw_kv_double(w, key, ((double)now - (double)before) *
				100.0 / (double)before);
}

void forecast_json(struct jsonw *w, const struct forecast *fc,
		const struct counters *total, enum cost_mode mode)
{
	int64_t prev_cost;

	jw_key(w, "projection");
	if (fc->has_projection) {
		jw_object_begin(w);
		jw_kv_double(w, "elapsedShare", fc->elapsed);
		jw_kv_int(w, "totalTokens", fc->proj_tokens);
		json_money_or_null(w, "costUsd", fc->proj_cost);
		jw_object_end(w);
	} else {
		jw_null(w);
	}
	if (!fc->has_compare)
		return;
	prev_cost = counters_priced_cost(&fc->prev, mode);
	jw_key(w, "compare");
	jw_object_begin(w);
	json_time_or_null(w, "since", fc->prev_since);
	json_time_or_null(w, "until", fc->prev_until);
	jw_kv_int(w, "requests", fc->prev.v[RC_REQUESTS]);
	jw_kv_int(w, "totalTokens", counters_tokens(&fc->prev));
	json_money_or_null(w, "costUsd", prev_cost);
	percent_or_null(w, "tokensChangePercent", counters_tokens(&fc->prev),
			counters_tokens(total));
	percent_or_null(w, "costChangePercent", prev_cost,
			prev_cost < 0 ? -1 : counters_priced_cost(total, mode));
	jw_object_end(w);
}
