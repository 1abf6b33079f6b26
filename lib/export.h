#ifndef TALLY_EXPORT_H
#define TALLY_EXPORT_H

#include <stddef.h>

#include "budget.h"
#include "entry.h"
#include "report.h"
#include "strbuf.h"
#include "summary.h"

/*
 * Export formats that are built from the summary (rollups, budgets,
 * quota) rather than from entries: Prometheus text exposition and the
 * self-contained HTML report. Entry formats (CSV, JSON) are below.
 */

struct export_data {
	const struct summary *s;
	const struct budget_status *budgets;
	size_t nbudgets;
	enum cost_mode mode;
	int64_t now;
	const char *scope_name;      /* "profile" or the workspace path */
	int32_t first_day, last_day; /* the HTML report's window, local days */
};

/*
 * Prometheus text format 0.0.4: counters of tokens (by provider, model and
 * gen_ai_token_type), requests, failures, billed and estimated cost and
 * unpriced requests, over everything the scope holds; gauges of budget use
 * and remaining quota. Labels follow the OpenTelemetry GenAI conventions.
 */
void export_prometheus(struct strbuf *out, const struct export_data *d);

/*
 * A self-contained HTML page (inline CSS and SVG, nothing fetched):
 * totals, this month's pace, daily charts stacked by model, usage by
 * provider, model and project, the latest five-hour blocks,
 * subscriptions, budgets, and the recent entries; recent holds the
 * latest entries.
 */
struct forecast;
struct subscription;

struct html_reports {
	const struct report *total, *days, *by_provider, *by_model;
	const struct report *days_by_model; /* by day and model */
	const struct report *by_block;   /* five-hour blocks, oldest first */
	const struct report *by_project; /* by the tag project */
	/* This month so far, with its projection and --compare's figures. */
	const struct counters *month;
	const struct forecast *month_fc;
	/* The subscriptions and their usage (subscription.h), if any. */
	const struct subscription *subs;
	size_t nsubs;
	const struct report *subs_by_month;
	int32_t subs_from, subs_to;
};

void export_html(struct strbuf *out, const struct export_data *d,
		const struct html_reports *r, const struct entry *recent,
		size_t nrecent);

/*
 * CSV: the columns, in their fixed order (documented in tally-export(1));
 * the sensitive ones (sessionResource, requestId, providerRequestId) only
 * when asked.
 */
void csv_header(struct strbuf *out, int sensitive);
void csv_row(struct strbuf *out, const struct entry *e, int sensitive);

/*
 * One text cell, quoted as RFC 4180 says, and with a leading apostrophe
 * when a spreadsheet would take it for a formula (=, +, -, @, tab, CR).
 */
void csv_text(struct strbuf *out, const char *s);

/* Drops the sensitive fields of e (for JSON exports). */
void entry_strip_sensitive(struct entry *e);

#endif
