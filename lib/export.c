#include "export.h"

#include <string.h>

#include "jsonw.h"
#include "money.h"
#include "timeutil.h"
#include "banned.h"

/* ---- CSV ---- */

static const enum entry_field csv_fields[] = {
	EF_ENTRY_ID, EF_STARTED_AT, EF_COMPLETED_AT, EF_RECORDED_AT,
	EF_PROVIDER_ID, EF_MODEL_ID, EF_BILLED_INPUT_TOKENS,
	EF_BILLED_OUTPUT_TOKENS, EF_TOTAL_BILLED_TOKENS, EF_CACHE_READ_TOKENS,
	EF_CACHE_WRITE_TOKENS, EF_CACHE_WRITE_1H_TOKENS, EF_REASONING_TOKENS,
	EF_TOOL_TOKENS, EF_AUDIO_TOKENS, EF_WEB_SEARCHES,
	EF_BILLED_COST_USD, EF_ESTIMATED_COST_USD, EF_TOOL_FEES_USD,
	EF_PRICE_ID, EF_SOURCE,
	EF_SYNC_STATUS, EF_SYNC_ERROR_CODE, EF_SYNCED_AT, EF_STATUS,
	EF_LATENCY_MS, EF_TTFT_MS, EF_THROTTLE_WAIT_MS, EF_RETRIES,
	EF_HTTP_STATUS, EF_ERROR_CODE, EF_CHUNKS, EF_TAGS, EF_DEVICE_ID,
};

static const enum entry_field sensitive_fields[] = {
	EF_SESSION_RESOURCE, EF_REQUEST_ID, EF_PROVIDER_REQUEST_ID,
};

#define NCSV (sizeof(csv_fields) / sizeof(csv_fields[0]))
#define NSENSITIVE (sizeof(sensitive_fields) / sizeof(sensitive_fields[0]))

/* RFC 4180: quoted when it holds a comma, a quote or a line break. */
static void csv_value(struct strbuf *out, const char *s, size_t len)
{
	if (!memchr(s, ',', len) && !memchr(s, '"', len) &&
	    !memchr(s, '\n', len) && !memchr(s, '\r', len)) {
		strbuf_add(out, s, len);
		return;
	}
	strbuf_addch(out, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, s[i]);
	}
	strbuf_addch(out, '"');
}

void csv_text(struct strbuf *out, const char *s)
{
	struct strbuf tmp = STRBUF_INIT;

	/*
	 * A text cell a spreadsheet would take for a formula is neutralised
	 * with a leading apostrophe, as OWASP's CSV injection guidance says.
	 */
	if (*s && strchr("=+-@\t\r", *s))
		strbuf_addch(&tmp, '\'');
	strbuf_addstr(&tmp, s);
	csv_value(out, tmp.buf, tmp.len);
	strbuf_release(&tmp);
}

static void csv_field(struct strbuf *out, const struct entry *e,
		enum entry_field f, struct strbuf *tmp)
{
	const char *s;

	if (!entry_has(e, f))
		return;
	strbuf_reset(tmp);
	if (f == EF_TAGS) {
		struct jsonw w;

		jw_init(&w, tmp, JW_COMPACT);
		jw_object_begin(&w);
		for (size_t i = 0; i < e->ntags; i++)
			jw_kv_string(&w, e->tags[i].key, e->tags[i].value);
		jw_object_end(&w);
	} else if ((s = entry_get_str(e, f))) {
		/* Text is neutralised; numbers are written as numbers. */
		csv_text(out, s);
		return;
	} else if (f == EF_BILLED_COST_USD || f == EF_ESTIMATED_COST_USD ||
		   f == EF_TOOL_FEES_USD) {
		money_format(tmp, entry_get_int(e, f));
	} else if (f == EF_STARTED_AT || f == EF_COMPLETED_AT ||
		   f == EF_RECORDED_AT || f == EF_SYNCED_AT) {
		/* Times as people and spreadsheets read them, not epochs. */
		time_format_iso_local(tmp, entry_get_int(e, f));
	} else {
		strbuf_addf(tmp, "%lld", (long long)entry_get_int(e, f));
	}
	csv_value(out, tmp->buf, tmp->len);
}

void csv_header(struct strbuf *out, int sensitive)
{
	for (size_t i = 0; i < NCSV; i++)
		strbuf_addf(out, "%s%s", i ? "," : "",
				entry_field_name(csv_fields[i]));
	for (size_t i = 0; sensitive && i < NSENSITIVE; i++)
		strbuf_addf(out, ",%s", entry_field_name(sensitive_fields[i]));
	strbuf_addstr(out, "\r\n");
}

void csv_row(struct strbuf *out, const struct entry *e, int sensitive)
{
	struct strbuf tmp = STRBUF_INIT;

	for (size_t i = 0; i < NCSV; i++) {
		if (i)
			strbuf_addch(out, ',');
		csv_field(out, e, csv_fields[i], &tmp);
	}
	for (size_t i = 0; sensitive && i < NSENSITIVE; i++) {
		strbuf_addch(out, ',');
		csv_field(out, e, sensitive_fields[i], &tmp);
	}
	strbuf_addstr(out, "\r\n");
	strbuf_release(&tmp);
}

void entry_strip_sensitive(struct entry *e)
{
	for (size_t i = 0; i < NSENSITIVE; i++)
		entry_unset(e, sensitive_fields[i]);
}

/* ---- Prometheus ---- */

static void label_value(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			strbuf_addch(out, '\\');
		if (*s == '\n')
			strbuf_addstr(out, "\\n");
		else
			strbuf_addch(out, *s);
	}
	strbuf_addch(out, '"');
}

static void family(struct strbuf *out, const char *name, const char *type,
		const char *help)
{
	strbuf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void model_labels(struct strbuf *out, const char *provider,
		const char *model)
{
	strbuf_addstr(out, "{gen_ai_provider_name=");
	label_value(out, provider);
	strbuf_addstr(out, ",gen_ai_request_model=");
	label_value(out, model);
}

/* Everything the scope holds, by provider and model. */
static void collect_models(const struct export_data *d, struct report *r)
{
	struct report_spec spec = REPORT_SPEC_INIT;

	report_add_dim(&spec, "provider");
	report_add_dim(&spec, "model");
	report_from_rollups(d->s, &spec, r);
	report_sort(r, &spec);
}

static void token_counters(struct strbuf *out, const struct report *r)
{
	static const struct { const char *type; enum rollup_counter c; } kinds[] = {
		{ "input", RC_INPUT }, { "output", RC_OUTPUT },
		{ "cache_read", RC_CACHE_READ }, { "cache_write", RC_CACHE_WRITE },
		{ "reasoning", RC_REASONING },
	};

	family(out, "tally_gen_ai_usage_tokens_total", "counter",
			"Tokens used, by provider, model and token type "
			"(input includes cache reads and writes; output "
			"includes reasoning).");
	for (size_t i = 0; i < r->ngroups; i++) {
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			/* Cache and reasoning counts are not reported by
			 * every provider: no series rather than a made-up 0. */
			if (k >= 2 && !r->groups[i].c.v[kinds[k].c])
				continue;
			strbuf_addstr(out, "tally_gen_ai_usage_tokens_total");
			model_labels(out, r->groups[i].key[0], r->groups[i].key[1]);
			strbuf_addf(out, ",gen_ai_token_type=\"%s\"} %lld\n",
					kinds[k].type,
					(long long)r->groups[i].c.v[kinds[k].c]);
		}
	}
}

static void count_family(struct strbuf *out, const struct report *r,
		const char *name, const char *help, enum rollup_counter c)
{
	family(out, name, "counter", help);
	for (size_t i = 0; i < r->ngroups; i++) {
		strbuf_addstr(out, name);
		model_labels(out, r->groups[i].key[0], r->groups[i].key[1]);
		strbuf_addf(out, "} %lld\n", (long long)r->groups[i].c.v[c]);
	}
}

/* A cost series exists only for requests that had that kind of cost:
 * usage with no price is counted as unpriced, never as $0. */
static void cost_counters(struct strbuf *out, const struct report *r)
{
	static const struct {
		const char *kind; enum rollup_counter sum, n;
	} kinds[] = {
		{ "billed", RC_BILLED, RC_N_BILLED },
		{ "estimated", RC_ESTIMATED, RC_N_ESTIMATED },
	};
	int any = 0;

	for (size_t i = 0; i < r->ngroups; i++) {
		const struct counters *c = &r->groups[i].c;

		for (size_t k = 0; k < 2; k++) {
			if (!c->v[kinds[k].n])
				continue;
			if (!any++)
				family(out, "tally_gen_ai_cost_usd_total",
					"counter", "Cost in USD of the requests "
					"that have one: billed by the provider, "
					"or estimated from a price table.");
			strbuf_addstr(out, "tally_gen_ai_cost_usd_total");
			model_labels(out, r->groups[i].key[0],
					r->groups[i].key[1]);
			strbuf_addf(out, ",cost_kind=\"%s\"} ", kinds[k].kind);
			money_format(out, c->v[kinds[k].sum]);
			strbuf_addch(out, '\n');
		}
	}
}

/*
 * Budget gauges. A metric a budget has no limit for is absent, never
 * +Inf or 0: without a token limit there is no remaining token count.
 */
enum budget_metric {
	BM_RATIO, BM_STATE, BM_USED_TOKENS, BM_LIMIT_TOKENS, BM_REMAINING_TOKENS,
	BM_USED_USD, BM_LIMIT_USD, BM_REMAINING_USD, BM_UNPRICED,
};

static const struct {
	const char *name, *help;
} budget_metrics[] = {
	[BM_RATIO] = { "tally_budget_used_ratio", "How much of a budget is "
		"used in its current period, of the limit closest to being "
		"used up (1 is the limit)." },
	[BM_STATE] = { "tally_budget_state", "A budget's state: 0 under, "
		"1 warning, 2 exceeded." },
	[BM_USED_TOKENS] = { "tally_budget_used_tokens", "Tokens used in the "
		"budget's current period." },
	[BM_LIMIT_TOKENS] = { "tally_budget_limit_tokens", "The budget's "
		"token limit." },
	[BM_REMAINING_TOKENS] = { "tally_budget_remaining_tokens", "Tokens "
		"left in the budget's current period (below 0 when over)." },
	[BM_USED_USD] = { "tally_budget_used_usd", "Known cost in USD in the "
		"budget's current period (see tally_budget_unpriced_requests)." },
	[BM_LIMIT_USD] = { "tally_budget_limit_usd", "The budget's cost "
		"limit in USD." },
	[BM_REMAINING_USD] = { "tally_budget_remaining_usd", "USD left in the "
		"budget's current period, of the known cost (below 0 when "
		"over)." },
	[BM_UNPRICED] = { "tally_budget_unpriced_requests", "Requests in the "
		"budget's current period with usage but no cost: the known "
		"cost is a lower bound while this is above 0." },
};

static double budget_ratio(const struct budget_status *st)
{
	double t = st->b->tokens ? (double)st->used_tokens / st->b->tokens : 0;
	double u = st->b->usd ? (double)st->used_usd / st->b->usd : 0;

	return t > u ? t : u;
}

/* Writes the value, or returns 0 when the budget has no such metric. */
static int budget_value(struct strbuf *out, const struct budget_status *st,
		enum budget_metric m)
{
	const struct budget *b = st->b;

	switch (m) {
	case BM_RATIO:
		strbuf_addf(out, "%.6g", budget_ratio(st));
		return 1;
	case BM_STATE:
		strbuf_addf(out, "%d", (int)st->state);
		return 1;
	case BM_USED_TOKENS:
	case BM_LIMIT_TOKENS:
	case BM_REMAINING_TOKENS:
		if (!b->tokens)
			return 0;
		strbuf_addf(out, "%lld", (long long)(m == BM_USED_TOKENS ?
				st->used_tokens : m == BM_LIMIT_TOKENS ?
				b->tokens : b->tokens - st->used_tokens));
		return 1;
	case BM_USED_USD:
	case BM_LIMIT_USD:
	case BM_REMAINING_USD:
		if (!b->usd)
			return 0;
		money_format(out, m == BM_USED_USD ? st->used_usd :
				m == BM_LIMIT_USD ? b->usd :
				b->usd - st->used_usd);
		return 1;
	case BM_UNPRICED:
		if (!b->usd)
			return 0;
		strbuf_addf(out, "%lld", (long long)st->unpriced);
		return 1;
	}
	return 0;
}

static void budget_gauges(struct strbuf *out, const struct export_data *d)
{
	struct strbuf v = STRBUF_INIT;

	for (size_t m = 0; m <= BM_UNPRICED; m++) {
		int any = 0;

		for (size_t i = 0; i < d->nbudgets; i++) {
			const struct budget_status *st = &d->budgets[i];

			strbuf_reset(&v);
			if (!budget_value(&v, st, (enum budget_metric)m))
				continue;
			if (!any++)
				family(out, budget_metrics[m].name, "gauge",
						budget_metrics[m].help);
			strbuf_addf(out, "%s{budget=", budget_metrics[m].name);
			label_value(out, st->b->name);
			strbuf_addf(out, ",period=\"%s\"} %s\n",
					budget_period_name(st->b->period), v.buf);
		}
	}
	strbuf_release(&v);
}

static void quota_gauge(struct strbuf *out, const struct export_data *d,
		const char *name, const char *help, enum quota_field f)
{
	int any = 0;

	for (size_t i = 0; i < d->s->nquotas; i++) {
		const struct quota_state *q = &d->s->quotas[i];
		int64_t v = f == QF_CAPTURED_AT ?
			(d->now - q->v[QF_CAPTURED_AT]) / 1000 : q->v[f];

		if (!(q->has & (1u << f)))
			continue;
		if (!any++)
			family(out, name, "gauge", help);
		strbuf_addf(out, "%s{gen_ai_provider_name=", name);
		label_value(out, q->provider);
		if (q->window) {
			strbuf_addstr(out, ",window=");
			label_value(out, q->window);
		}
		strbuf_addstr(out, "} ");
		if (quota_field_is_money(f))
			money_format(out, v);
		else
			strbuf_addf(out, "%lld", (long long)v);
		strbuf_addch(out, '\n');
	}
}

void export_prometheus(struct strbuf *out, const struct export_data *d)
{
	struct report r;

	report_init(&r);
	collect_models(d, &r);
	token_counters(out, &r);
	count_family(out, &r, "tally_gen_ai_requests_total",
			"Requests recorded.", RC_REQUESTS);
	count_family(out, &r, "tally_gen_ai_failed_requests_total",
			"Requests that failed.", RC_N_FAILED);
	count_family(out, &r, "tally_gen_ai_unpriced_requests_total",
			"Requests with usage but no price (never counted as "
			"free).", RC_N_UNPRICED);
	cost_counters(out, &r);
	budget_gauges(out, d);
	quota_gauge(out, d, "tally_provider_quota_remaining_tokens",
			"Tokens left in the provider's rate limit.",
			QF_REMAINING_TOKENS);
	quota_gauge(out, d, "tally_provider_quota_remaining_requests",
			"Requests left in the provider's rate limit.",
			QF_REMAINING_REQUESTS);
	quota_gauge(out, d, "tally_provider_quota_remaining_usd",
			"Money left on the provider's key or account, in USD.",
			QF_REMAINING_USD);
	quota_gauge(out, d, "tally_plan_window_used_percent",
			"Share of a subscription plan's usage window used, "
			"as the plan reports it.", QF_USED_PERCENT);
	quota_gauge(out, d, "tally_provider_quota_age_seconds",
			"Age of the quota snapshot.", QF_CAPTURED_AT);
	report_release(&r);
}
