#ifndef TALLY_QUERY_H
#define TALLY_QUERY_H

#include <stdint.h>

#include "entry.h"
#include "parse-options.h"
#include "strbuf.h"

/*
 * The one entry filter: which entries a command looks at. log and export
 * take it from their options, reports (summary, status, budgets, the HTML
 * export) carry one in their report_spec.
 *
 *
 *	struct query q = QUERY_INIT;
 *	struct option opts[] = { OPT_QUERY(&q), ..., OPT_END() };
 *	... parse ...
 *	if (query_finish(&q, &err)) ...
 *	if (query_match(&q, e)) ...
 */
struct query {
	const char *since_text, *until_text, *last_text;
	const char *tz;        /* an IANA zone for days and times shown */
	int64_t since, until;  /* [since, until) in ms; -1 when open */
	const char *provider;
	const char *model;     /* a glob pattern */
	const char *status;    /* matches status or syncStatus */
	const char *session;
	const char *device;    /* a device id, or "this" (device.h) */
	const char *grep;      /* case-insensitive substring */
	const char *kind;      /* usage (default), a row kind, or all */
	int unpriced;          /* only usage with neither a bill nor a price */
	struct string_list tags; /* key=value or key */
};

#define QUERY_INIT { .since = -1, .until = -1, .tags = STRING_LIST_INIT }
/* Every kind of row: reports count provider rows apart from usage. */
#define QUERY_INIT_ALL_KINDS { .since = -1, .until = -1, .kind = "all", \
	.tags = STRING_LIST_INIT }

#define OPT_QUERY(q) \
	OPT_STRING(0, "since", &(q)->since_text, "time", \
			"only entries at or after <time>"), \
	OPT_STRING(0, "until", &(q)->until_text, "time", \
			"only entries before <time>"), \
	OPT_STRING_VALUES(0, "last", &(q)->last_text, "duration", \
			"only the last <duration>, such as 24h", \
			"1h|24h|7d|30d"), \
	OPT_STRING_VALUES(0, "tz", &(q)->tz, "zone", \
			"days and times in this IANA time zone", "@zones"), \
	OPT_STRING_VALUES('p', "provider", &(q)->provider, "id", \
			"only this provider", "@providers"), \
	OPT_STRING_VALUES('m', "model", &(q)->model, "pattern", \
			"only models matching this glob", "@models"), \
	OPT_STRING_VALUES(0, "status", &(q)->status, "status", \
			"only this status or sync status", "@statuses"), \
	OPT_STRING(0, "session", &(q)->session, "id", \
			"only this session"), \
	OPT_STRING_VALUES(0, "device", &(q)->device, "id", \
			"only entries recorded by this device (this: here)", \
			"@devices"), \
	OPT_LIST_VALUES(0, "tag", &(q)->tags, "<key>[=<value>]", \
			"only entries with this tag (repeatable)", "@tags"), \
	OPT_STRING(0, "grep", &(q)->grep, "text", \
			"only entries mentioning <text>"), \
	OPT_BOOL(0, "unpriced", &(q)->unpriced, \
			"only entries with tokens but no cost"), \
	OPT_STRING_VALUES(0, "kind", &(q)->kind, "kind", \
			"usage (default), provider_bucket, provider_cost, " \
			"quota, rollup or all", \
			"usage|provider_bucket|provider_cost|quota|rollup|all")

/* The words --status takes, one per line, for completion. */
void query_status_words(struct strbuf *out);

/*
 * Parses the argument of --last into ms, with the messages every
 * command gives. Returns 0 or T_EUSAGE.
 */
int query_parse_last(const char *text, int64_t *ms, struct strbuf *err);

/*
 * Parses the time arguments (--tz first: it sets the process's zone,
 * so that "today" is today there). Returns 0 or T_EUSAGE.
 */
int query_finish(struct query *q, struct strbuf *err);

int query_match(const struct query *q, const struct entry *e);

/*
 * The part of query_match() that a day rollup can answer, for its keys:
 * the provider, the model and the session (time is the caller's, by day).
 */
int query_match_names(const struct query *q, const char *provider,
		const char *model, const char *session);

/* Whether the filter asks what only whole entries can answer. */
int query_needs_entries(const struct query *q);

void query_release(struct query *q);

#endif
