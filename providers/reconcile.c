#include "reconcile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonc.h"
#include "../lib/error.h"
#include "../lib/entry-id.h"
#include "../lib/string-list.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

/* Usage reports settle within a day; missing usage is judged after that. */
#define SETTLE_MS MS_PER_DAY
#define MAX_PAGES 200

int64_t utc_day(int64_t ms)
{
	return ms - ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
}

int64_t utc_hour(int64_t ms)
{
	return ms - ((ms % MS_PER_HOUR) + MS_PER_HOUR) % MS_PER_HOUR;
}

void reconcile_init(struct reconcile *rc)
{
	memset(rc, 0, sizeof(*rc));
}

void reconcile_release(struct reconcile *rc)
{
	for (size_t i = 0; i < rc->nusage; i++)
		free(rc->usage[i].model);
	for (size_t i = 0; i < rc->ncost; i++)
		free(rc->cost[i].model);
	free(rc->usage);
	free(rc->cost);
}

struct usage_bucket *reconcile_usage(struct reconcile *rc, int64_t start,
		int64_t end, const char *model)
{
	struct usage_bucket *b;

	ALLOC_GROW(rc->usage, rc->nusage + 1, rc->ausage);
	b = &rc->usage[rc->nusage++];
	memset(b, 0, sizeof(*b));
	b->start = start;
	b->end = end;
	b->model = model ? xstrdup(model) : NULL;
	b->requests = -1;
	return b;
}

void reconcile_cost(struct reconcile *rc, int64_t start, int64_t end,
		const char *model, int64_t nano)
{
	for (size_t i = 0; i < rc->ncost; i++) {
		struct cost_bucket *c = &rc->cost[i];

		if (c->start == start && c->end == end && !strcmp(c->model, model)) {
			c->nano += nano;
			return;
		}
	}
	ALLOC_GROW(rc->cost, rc->ncost + 1, rc->acost);
	rc->cost[rc->ncost].start = start;
	rc->cost[rc->ncost].end = end;
	rc->cost[rc->ncost].model = xstrdup(model);
	rc->cost[rc->ncost].nano = nano;
	rc->ncost++;
}

int64_t reconcile_start(const struct sync_run *run)
{
	int64_t from = run->now - MS_PER_DAY;
	struct entry e;
	const char *why;

	entry_init(&e);
	for (size_t i = 0; i < run->entries.n; i++) {
		const char *row = run->entries.rows[i];

		if (entry_parse(&e, row, strlen(row), &why))
			continue;
		if (e.sync_status && !strcmp(e.sync_status, "pending_sync") &&
		    entry_time(&e) < from)
			from = entry_time(&e);
		if (run->force && entry_time(&e) < from)
			from = entry_time(&e);
	}
	entry_release(&e);
	return from < run->since ? run->since : from;
}

/* ---- pages ---- */

static int http_failure(struct sync_run *run, const struct http_job *job,
		struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	struct json_object *root;
	const char *msg = NULL;
	int code;

	if (!job->status) {
		run->stats.errors++;
		return fail(err, T_EPROVIDER, "%s: %s", run->provider_id,
				job->error.buf);
	}
	root = json_parse_text(job->body.buf, job->body.len, &why);
	if (root)
		msg = jstr(jpath(root, "error", NULL), "message");
	code = job->status == 401 || job->status == 403 ? T_EAUTH : T_EPROVIDER;
	if (code == T_EPROVIDER)
		run->stats.errors++;
	fail(err, code, "%s answered HTTP %ld%s%s", run->provider_id,
			job->status, msg ? ": " : "", msg ? msg : "");
	if (job->refused_wait_ms > 0) {
		strbuf_addstr(err, " (it asked to wait ");
		duration_format_short(err, job->refused_wait_ms);
		strbuf_addstr(err, ", longer than --max-wait ");
		duration_format_short(err, run->http.max_retry_after_ms);
		strbuf_addch(err, ')');
	}
	json_object_put(root);
	strbuf_release(&why);
	return code;
}

/* Whether cursor is among the ones seen, which it then joins. */
static int cursor_seen(struct string_list *seen, const char *cursor)
{
	for (size_t i = 0; i < seen->nr; i++)
		if (!strcmp(seen->items[i], cursor))
			return 1;
	string_list_append(seen, xstrdup(cursor));
	return 0;
}

/*
 * What to do after a page: 0 when it was the last, 1 when next holds the
 * next page's URL, or an error: a report that never ends (more than
 * MAX_PAGES pages), that comes back to a page it sent (a cursor seen
 * before), or that says there is more without saying where, was cut
 * short, and a sync cut short is no success.
 */
static int next_page(struct sync_run *run, struct json_object *root,
		const char *url, int pages, struct string_list *seen,
		struct strbuf *next, struct strbuf *err)
{
	struct json_object *more = jpath(root, "has_more", NULL);
	const char *cursor = jstr(root, "next_page");
	int ret = 0;

	if (!more || !json_object_get_boolean(more))
		return 0;
	if (!cursor || !*cursor)
		ret = fail(err, T_EPROVIDER, "%s said there were more pages "
				"but not where; the report was cut short",
				run->provider_id);
	else if (cursor_seen(seen, cursor))
		ret = fail(err, T_EPROVIDER, "%s sent a page cursor it had "
				"sent before; the report was cut short",
				run->provider_id);
	else if (pages >= MAX_PAGES)
		ret = fail(err, T_EPROVIDER, "%s still had more after %d "
				"pages; the report was cut short",
				run->provider_id, MAX_PAGES);
	if (ret) {
		run->stats.errors++;
		return ret;
	}
	strbuf_reset(next);
	strbuf_addf(next, "%s&page=", url);
	url_escape(next, cursor);
	return 1;
}

int fetch_pages(struct sync_run *run, const char *url,
		const char *const *headers,
		int (*page)(struct json_object *root, void *data,
			struct strbuf *err),
		void *data, struct strbuf *err)
{
	struct strbuf next = STRBUF_INIT, why = STRBUF_INIT;
	struct string_list seen = STRING_LIST_INIT;
	int ret = 1;

	strbuf_addstr(&next, url);
	for (int n = 1; ret == 1; n++) {
		struct http_job job;
		struct json_object *root;

		if (run->dry_run) {
			sync_plan(run, next.buf);
			ret = 0;
			break;
		}
		http_job_init(&job, next.buf);
		for (int i = 0; headers[i] && i < HTTP_MAX_HEADERS; i++)
			job.headers[i] = headers[i];
		ret = sync_http(run, &job, 1, err);
		if (!ret && job.status != 200)
			ret = http_failure(run, &job, err);
		root = ret ? NULL : json_parse_text(job.body.buf, job.body.len,
				&why);
		if (!ret && !root) {
			run->stats.errors++;
			ret = fail(err, T_EPROVIDER, "%s sent a report that is not "
					"valid JSON: %s", run->provider_id, why.buf);
		}
		if (!ret)
			ret = page(root, data, err);
		if (!ret)
			ret = next_page(run, root, url, n, &seen, &next, err);
		json_object_put(root);
		http_job_release(&job);
	}
	for (size_t i = 0; i < seen.nr; i++)
		free((char *)seen.items[i]);
	string_list_release(&seen);
	strbuf_release(&next);
	strbuf_release(&why);
	return ret;
}

/* ---- applying ---- */

static int same_model(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	/* "gpt-4o-mini" is the family of "gpt-4o-mini-2024-07-18". */
	if (la == lb)
		return !strcmp(a, b);
	if (la < lb)
		return !strncmp(a, b, la) && b[la] == '-';
	return !strncmp(a, b, lb) && a[lb] == '-';
}

static void provider_row_id(struct strbuf *id, const struct sync_run *run,
		const char *what, int64_t start, int64_t end, const char *model)
{
	char s[32], e[32];
	const char *parts[] = { what, run->provider_id, s, e, model, NULL };

	snprintf(s, sizeof(s), "%lld", (long long)start);
	snprintf(e, sizeof(e), "%lld", (long long)end);
	strbuf_reset(id);
	id_derived(id, "p_", parts);
}

static void provider_row(struct entry *e, const struct sync_run *run,
		const char *id, const char *kind, int64_t start, int64_t end,
		const char *model)
{
	entry_reset(e);
	entry_set_str(e, EF_ENTRY_ID, id);
	entry_set_str(e, EF_PROVIDER_ID, run->provider_id);
	entry_set_str(e, EF_MODEL_ID, model);
	entry_set_int(e, EF_STARTED_AT, start);
	entry_set_int(e, EF_COMPLETED_AT, end);
	entry_set_str(e, EF_SOURCE, "provider_api");
	entry_set_str(e, EF_SYNC_STATUS, "synced");
	entry_set_int(e, EF_SYNCED_AT, run->now);
	entry_set_str(e, EF_KIND, kind);
}

static int same_counts(const struct entry *a, const struct entry *b)
{
	static const enum entry_field f[] = { EF_BILLED_INPUT_TOKENS,
		EF_BILLED_OUTPUT_TOKENS, EF_CACHE_READ_TOKENS,
		EF_CACHE_WRITE_TOKENS, EF_REQUESTS, EF_BILLED_COST_USD };

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (entry_has(a, f[i]) != entry_has(b, f[i]) ||
		    entry_get_int(a, f[i]) != entry_get_int(b, f[i]))
			return 0;
	return 1;
}

/* Emits e unless the ledger already holds the same figures for its id. */
static void emit_if_changed(struct sync_run *run, struct entry *e)
{
	struct entry have;

	entry_init(&have);
	if (!sync_find_provider_row(run, e->entry_id, &have) ||
	    !same_counts(&have, e)) {
		sync_emit(run, e);
		run->stats.provider_rows++;
	}
	entry_release(&have);
}

static void emit_usage(struct sync_run *run, const struct usage_bucket *b,
		struct entry *e, struct strbuf *id)
{
	provider_row_id(id, run, "usage", b->start, b->end, b->model);
	provider_row(e, run, id->buf, KIND_PROVIDER_BUCKET, b->start, b->end,
			b->model);
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, b->input);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, b->output);
	entry_set_int(e, EF_CACHE_READ_TOKENS, b->cache_read);
	entry_set_int(e, EF_CACHE_WRITE_TOKENS, b->cache_write);
	if (b->requests >= 0)
		entry_set_int(e, EF_REQUESTS, b->requests);
	entry_fill_total(e);
	emit_if_changed(run, e);
}

/* Hour rows of a day whose whole-day row has arrived count no more. */
static void retire_hours(struct sync_run *run, int64_t day, struct entry *e)
{
	const char *why;

	for (size_t i = 0; i < run->provider_rows.n; i++) {
		const char *row = run->provider_rows.rows[i];

		if (entry_parse(e, row, strlen(row), &why) || !e->kind ||
		    strcmp(e->kind, KIND_PROVIDER_BUCKET) ||
		    e->completed_at - e->started_at != MS_PER_HOUR ||
		    e->started_at < day || e->started_at >= day + MS_PER_DAY ||
		    (!e->billed_input_tokens && !e->billed_output_tokens &&
		     !e->requests))
			continue;
		entry_set_int(e, EF_BILLED_INPUT_TOKENS, 0);
		entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, 0);
		entry_set_int(e, EF_CACHE_READ_TOKENS, 0);
		entry_set_int(e, EF_CACHE_WRITE_TOKENS, 0);
		if (entry_has(e, EF_REQUESTS))
			entry_set_int(e, EF_REQUESTS, 0);
		entry_set_int(e, EF_SYNCED_AT, run->now);
		entry_fill_total(e);
		sync_emit(run, e);
		run->stats.provider_rows++;
	}
}

static void emit_costs(struct sync_run *run, struct reconcile *rc,
		struct entry *e, struct strbuf *id)
{
	for (size_t i = 0; i < rc->ncost; i++) {
		const struct cost_bucket *c = &rc->cost[i];

		provider_row_id(id, run, "cost", c->start, c->end, c->model);
		provider_row(e, run, id->buf, KIND_PROVIDER_COST, c->start,
				c->end, c->model);
		entry_set_int(e, EF_BILLED_COST_USD, c->nano);
		emit_if_changed(run, e);
		run->stats.provider_cost += c->nano;
	}
}

/* The bucket holding time t, preferring the narrowest; NULL if none. */
static const struct usage_bucket *bucket_at(const struct reconcile *rc,
		int64_t t)
{
	const struct usage_bucket *best = NULL;

	for (size_t i = 0; i < rc->nusage; i++) {
		const struct usage_bucket *b = &rc->usage[i];

		if (t >= b->start && t < b->end &&
		    (!best || b->end - b->start < best->end - best->start))
			best = b;
	}
	return best;
}

static int provider_has(const struct reconcile *rc,
		const struct usage_bucket *where, const char *model)
{
	for (size_t i = 0; i < rc->nusage; i++) {
		const struct usage_bucket *b = &rc->usage[i];

		if (b->start == where->start && b->end == where->end &&
		    b->model && model && same_model(b->model, model) &&
		    (b->input || b->output))
			return 1;
	}
	return 0;
}

static int in_cost_days(const struct reconcile *rc, int64_t t)
{
	for (size_t i = 0; i < rc->ncost; i++)
		if (t >= rc->cost[i].start && t < rc->cost[i].end)
			return 1;
	return 0;
}

static void judge_entry(struct sync_run *run, const struct reconcile *rc,
		struct entry *e)
{
	const struct usage_bucket *b = bucket_at(rc, entry_time(e));
	int pending = e->sync_status && !strcmp(e->sync_status, "pending_sync");
	int64_t tokens = entry_get_int(e, EF_BILLED_INPUT_TOKENS) +
			 entry_get_int(e, EF_BILLED_OUTPUT_TOKENS);

	if (b && b->end <= run->now)
		run->stats.local_tokens += tokens;
	if (in_cost_days(rc, entry_time(e)))
		run->stats.local_cost += entry_has(e, EF_BILLED_COST_USD) ?
			e->billed_cost_usd : entry_get_int(e, EF_ESTIMATED_COST_USD);
	if (!pending && !run->force)
		return;
	if (!b || b->end > run->now) {
		run->stats.pending += pending;
		return;
	}
	if (provider_has(rc, b, e->model_id))
		sync_mark(run, e, "synced", NULL);
	else if (run->fail_on_missing && b->end + SETTLE_MS <= run->now)
		sync_mark(run, e, "sync_failed", "missing_provider_usage");
	else
		run->stats.pending += pending;
}

void reconcile_apply(struct sync_run *run, struct reconcile *rc)
{
	struct strbuf id = STRBUF_INIT;
	struct entry e;
	const char *why;

	entry_init(&e);
	run->stats.reconciled = 1;
	for (size_t i = 0; i < rc->nusage; i++) {
		const struct usage_bucket *b = &rc->usage[i];
		int seen = 0;

		/* Once per day, however many models it has. */
		for (size_t j = 0; j < i && !seen; j++)
			seen = rc->usage[j].start == b->start &&
			       rc->usage[j].end == b->end;
		if (!seen && b->end - b->start == MS_PER_DAY)
			retire_hours(run, b->start, &e);
		if (!b->model)
			continue;
		emit_usage(run, b, &e, &id);
		if (b->end <= run->now)
			run->stats.provider_tokens += b->input + b->output;
	}
	emit_costs(run, rc, &e, &id);
	for (size_t i = 0; i < run->entries.n; i++) {
		const char *row = run->entries.rows[i];

		if (!entry_parse(&e, row, strlen(row), &why))
			judge_entry(run, rc, &e);
	}
	entry_release(&e);
	strbuf_release(&id);
}

int reconcile_reports(struct sync_run *run, const struct report_source *src,
		struct strbuf *err)
{
	struct reconcile rc;
	struct strbuf url = STRBUF_INIT, auth = STRBUF_INIT;
	const char *headers[] = { NULL, src->extra_header, NULL };
	int64_t from = utc_day(reconcile_start(run));
	int64_t today = utc_day(run->now);
	int ret = 0;

	reconcile_init(&rc);
	strbuf_addf(&auth, src->auth_format, run->key ? run->key : "");
	headers[0] = auth.buf;
	if (from < today) {
		src->usage_url(&url, run, from, today, 0);
		ret = fetch_pages(run, url.buf, headers, src->usage_page, &rc,
				err);
	}
	strbuf_reset(&url);
	src->usage_url(&url, run, today, run->now, 1);
	if (!ret)
		ret = fetch_pages(run, url.buf, headers, src->usage_page, &rc,
				err);
	strbuf_reset(&url);
	src->cost_url(&url, run, from, today);
	if (!ret)
		ret = fetch_pages(run, url.buf, headers, src->cost_page, &rc,
				err);
	if (!ret && !run->dry_run)
		reconcile_apply(run, &rc);
	reconcile_release(&rc);
	strbuf_release(&url);
	strbuf_release(&auth);
	return ret;
}
