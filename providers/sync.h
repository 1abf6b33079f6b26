#ifndef TALLY_PROVIDERS_SYNC_H
#define TALLY_PROVIDERS_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/entry.h"
#include "../lib/strbuf.h"
#include "http.h"

/*
 * One provider's part of a `tally sync`: the caller (cmd/sync.c) hands the
 * adapter the folded ledger rows it needs, the adapter asks the provider
 * and answers with new rows; the caller writes them. Adapters never touch
 * the ledger file and never hold its lock.
 */

struct row_list {
	char **rows; /* one JSON row each, owned */
	size_t n, alloc;
};

void row_list_add(struct row_list *l, const char *row, size_t len);
void row_list_release(struct row_list *l);

struct sync_stats {
	int64_t requests;        /* HTTP requests made */
	int64_t synced;          /* entries that became synced */
	int64_t failed;          /* entries that became sync_failed */
	int64_t pending;         /* entries still pending afterwards */
	int64_t provider_rows;   /* provider rows written (new or changed) */
	int64_t provider_tokens; /* in the reconciled buckets */
	int64_t local_tokens;    /* local entries in those buckets */
	int64_t provider_cost;   /* nano-USD, in the reconciled days */
	int64_t local_cost;      /* billed or estimated cost of those entries */
	int64_t errors;          /* requests that failed */
	int reconciled;          /* buckets were compared (unattributed known) */
};

struct sync_run {
	const char *provider_id;
	const char *base_url;    /* providers.<id>.base_url, no trailing / */
	const char *key;         /* NULL in a dry run without a key */
	struct http_options http;
	int64_t since, until, now;
	int64_t max_window_days;
	int dry_run, force;
	int fail_on_missing;     /* fail_on_missing_provider_usage */

	/* In: this provider's usage entries (latest rows) in the window... */
	struct row_list entries;
	/* ...and its provider rows, to write only what changed. */
	struct row_list provider_rows;

	/* Out. */
	struct strbuf rows;      /* new ledger rows */
	struct strbuf plan;      /* a dry run's requests, one per line */
	struct sync_stats stats;
	int auth_failed;         /* the provider refused the key */
	int told_wait;           /* a refused wait was reported */
};

void sync_run_init(struct sync_run *run);
void sync_run_release(struct sync_run *run);

/* Notes a request a dry run would make (its URL without credentials). */
void sync_plan(struct sync_run *run, const char *url);

/* Appends the updated entry e as a row (recordedAt set to now). */
void sync_emit(struct sync_run *run, struct entry *e);

/*
 * Marks e (the latest row of a usage entry) synced or failed and emits
 * the row. code is the syncErrorCode for a failure.
 */
void sync_mark(struct sync_run *run, struct entry *e, const char *status,
		const char *code);

/* Runs jobs, counting requests; notes 401/403 as an authentication failure. */
int sync_http(struct sync_run *run, struct http_job *jobs, size_t n,
		struct strbuf *err);

/* The provider row with this entry id among run->provider_rows, parsed. */
int sync_find_provider_row(const struct sync_run *run, const char *id,
		struct entry *e);

#endif
