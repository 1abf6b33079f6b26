#ifndef TALLY_RECONCILE_H
#define TALLY_RECONCILE_H

#include <json-c/json.h>
#include <stdint.h>

#include "sync.h"

/*
 * Reconciliation for providers that bill by time bucket (OpenAI,
 * Anthropic): their usage and cost reports, normalised by the adapters
 * into buckets, become provider rows; local entries inside a bucket that
 * has ended become synced (or failed, when the provider reports no usage
 * for their model long after); the difference is unattributed usage.
 *
 * Provider rows get ids derived from provider, bucket and model, so a
 * second sync of the same window writes nothing new; a day's hour rows
 * are zeroed once the day's own row is there, so nothing counts twice.
 */

struct usage_bucket {
	int64_t start, end;      /* ms */
	char *model;             /* NULL: the bucket came back empty */
	int64_t input, output, cache_read, cache_write;
	int64_t requests;        /* -1 when the provider does not say */
};

struct cost_bucket {
	int64_t start, end;
	char *model;             /* "" for costs without a model */
	int64_t nano;
};

struct reconcile {
	struct usage_bucket *usage;
	size_t nusage, ausage;
	struct cost_bucket *cost;
	size_t ncost, acost;
	int64_t from;            /* the window asked about, [from, now) */
};

void reconcile_init(struct reconcile *rc);
void reconcile_release(struct reconcile *rc);

/* Notes a bucket the provider answered for (model NULL when empty). */
struct usage_bucket *reconcile_usage(struct reconcile *rc, int64_t start,
		int64_t end, const char *model);
/* Adds cost to the (bucket, model) cost. */
void reconcile_cost(struct reconcile *rc, int64_t start, int64_t end,
		const char *model, int64_t nano);

/* Emits rows and fills run->stats. */
void reconcile_apply(struct sync_run *run, struct reconcile *rc);

/*
 * Where reconciliation starts: the oldest pending entry, else a day ago,
 * but never before the run's window.
 */
int64_t reconcile_start(const struct sync_run *run);

/*
 * The page size to ask for: the buckets wanted, at most the endpoint's
 * documented maximum (more come on the next pages).
 */
static inline int64_t page_size(int64_t wanted, int64_t max)
{
	return wanted < 1 ? 1 : wanted > max ? max : wanted;
}

/*
 * GETs url and every following page (has_more / next_page), calling page
 * for each parsed body. headers are the auth headers. Returns 0,
 * T_EAUTH, or T_EPROVIDER with the provider's message.
 */
int fetch_pages(struct sync_run *run, const char *url,
		const char *const *headers,
		int (*page)(struct json_object *root, void *data,
			struct strbuf *err),
		void *data, struct strbuf *err);

/* Start of the UTC day and hour holding ms. */
int64_t utc_day(int64_t ms);
int64_t utc_hour(int64_t ms);

/*
 * An organization's usage and cost reports, as the one reconciliation
 * run reads them: day buckets of usage for the past days, hour buckets
 * for today, day buckets of cost, every page of each, then the rows.
 */
typedef int (*report_page_fn)(struct json_object *root, void *data,
		struct strbuf *err);

struct report_source {
	const char *auth_format;   /* "Authorization: Bearer %s" */
	const char *extra_header;  /* sent too, or NULL */
	/*
	 * Appends the URL of the usage report over [from, to), in buckets
	 * of an hour when hourly, else of a day.
	 */
	void (*usage_url)(struct strbuf *url, const struct sync_run *run,
			int64_t from, int64_t to, int hourly);
	/* Appends the URL of the cost report from the day from to today. */
	void (*cost_url)(struct strbuf *url, const struct sync_run *run,
			int64_t from, int64_t today);
	report_page_fn usage_page, cost_page;
};

/* Runs that for run's provider: 0, T_EAUTH or T_EPROVIDER. */
int reconcile_reports(struct sync_run *run, const struct report_source *src,
		struct strbuf *err);

#endif
