#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "device.h"
#include "error.h"
#include "entries.h"
#include "ledger.h"
#include "timeutil.h"
#include "banned.h"

void report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->first = INT64_MAX;
	r->last = INT64_MIN;
}

void report_release(struct report *r)
{
	for (size_t i = 0; i < r->ngroups; i++)
		for (size_t d = 0; d < REPORT_MAX_DIMS; d++)
			free(r->groups[i].key[d]);
	free(r->groups);
	memset(r, 0, sizeof(*r));
}

const struct report_dim_info report_dims[DIM__COUNT] = {
	[DIM_PROVIDER] = { "provider", "PROVIDER", 0 },
	[DIM_MODEL] = { "model", "MODEL", 0 },
	[DIM_DAY] = { "day", "DAY", 1 },
	[DIM_WEEK] = { "week", "WEEK", 1 },
	[DIM_MONTH] = { "month", "MONTH", 1 },
	[DIM_SESSION] = { "session", "SESSION", 0 },
	[DIM_TAG] = { "tag", "TAG", 0 },
	[DIM_BLOCK] = { "block", "BLOCK", 1 },
	[DIM_SOURCE] = { "source", "SOURCE", 0 },
	[DIM_DEVICE] = { "device", "DEVICE", 0 },
};

int report_add_dim(struct report_spec *spec, const char *name)
{

	if (spec->ndims == REPORT_MAX_DIMS)
		return -1;
	if (!strncmp(name, "tag:", 4) && name[4]) {
		spec->tag_keys[spec->ndims] = name + 4;
		spec->dims[spec->ndims++] = DIM_TAG;
		return 0;
	}
	for (int d = 0; d < DIM__COUNT; d++) {
		if (d != DIM_TAG && !strcmp(name, report_dims[d].name)) {
			spec->tag_keys[spec->ndims] = NULL;
			spec->dims[spec->ndims++] = (enum report_dim)d;
			return 0;
		}
	}
	return -1;
}

/* ---- groups ---- */

static int same_keys(const struct report_group *g, char *const *keys,
		size_t n)
{
	for (size_t d = 0; d < n; d++)
		if (strcmp(g->key[d], keys[d]))
			return 0;
	return 1;
}

/* Adds counters to the group with these keys (linear: groups are few). */
static void add_to_group(struct report *r, size_t ndims, char **keys,
		const struct counters *c)
{
	struct report_group *g = NULL;

	for (size_t i = r->ngroups; i-- > 0;) {
		if (same_keys(&r->groups[i], keys, ndims)) {
			g = &r->groups[i];
			break;
		}
	}
	if (!g) {
		ALLOC_GROW(r->groups, r->ngroups + 1, r->alloc);
		g = &r->groups[r->ngroups++];
		memset(g, 0, sizeof(*g));
		for (size_t d = 0; d < ndims; d++)
			g->key[d] = xstrdup(keys[d]);
	}
	counters_add(&g->c, c, 1);
}

/* The values of one entry or rollup along the spec's dimensions. */
struct dim_values {
	const char *provider, *model, *session, *source;
	const char *device;    /* NULL: this device */
	int32_t day;
	const struct entry *e; /* for tags; NULL for rollups */
	const struct blocks *blocks; /* for DIM_BLOCK */
	int by_bucket;         /* DIM_BLOCK: the bucket, blocks to come */
};

/*
 * The requests of one bucket are all in one block, so a report by block
 * can be made by bucket in the walk that collects the times the blocks
 * come from. A block starts at the UTC hour of a request and keeps a
 * later request up to exactly five hours on: requests strictly inside
 * one hour are all kept or all not (the bound is a whole hour), and a
 * gap of more than five hours can only open an hour's first request. A
 * request at the very start of an hour can be kept by the block before
 * while the rest of the hour is not; so it has a bucket of its own.
 */
static int64_t bucket_of(int64_t t)
{
	int64_t h = blocks_hour_of(t);

	return t == h ? h : h + 1;
}

/* A block by the UTC hour it began; a rollup's requests have no time. */
static void block_key(struct strbuf *sb, const struct dim_values *v)
{
	long k = -1;

	if (v->by_bucket && v->e && !entry_is_rollup(v->e)) {
		strbuf_addf(sb, "%" PRId64, bucket_of(entry_time(v->e)));
		return;
	}
	if (v->e && v->blocks && !entry_is_rollup(v->e))
		k = blocks_find(v->blocks, entry_time(v->e));
	if (k < 0)
		strbuf_addstr(sb, REPORT_COMPACTED_SESSIONS);
	else
		time_format_utc(sb, v->blocks->start[k]);
}

/* Another device by its id, this one by its name or as this device. */
static void device_key(struct strbuf *sb, const struct report_spec *spec,
		const struct dim_values *v)
{
	if (v->device) {
		for (size_t i = 0; spec->device_ids &&
		     i < spec->device_ids->nr; i++)
			if (!strcmp(spec->device_ids->items[i], v->device)) {
				strbuf_addstr(sb,
						spec->device_labels->items[i]);
				return;
			}
		strbuf_addstr(sb, v->device);
	} else if (spec->self_device && *spec->self_device)
		strbuf_addstr(sb, spec->self_device);
	else
		strbuf_addstr(sb, REPORT_SELF_DEVICE);
}

static void group_keys(const struct report_spec *spec,
		const struct dim_values *v, struct strbuf *bufs, char **keys)
{
	for (size_t d = 0; d < spec->ndims; d++) {
		struct strbuf *sb = &bufs[d];
		const char *tag;

		strbuf_reset(sb);
		switch (spec->dims[d]) {
		case DIM_PROVIDER:
			strbuf_addstr(sb, v->provider ? v->provider : "");
			break;
		case DIM_MODEL:
			strbuf_addstr(sb, v->model ? v->model : "");
			break;
		case DIM_SESSION:
			/* A rollup keeps how many sessions, not their sums. */
			if (v->e && entry_is_rollup(v->e))
				strbuf_addstr(sb, REPORT_COMPACTED_SESSIONS);
			else
				strbuf_addstr(sb, v->session ? v->session : "");
			break;
		case DIM_DAY:
			day_key(sb, v->day);
			break;
		case DIM_WEEK:
			week_key(sb, v->day);
			break;
		case DIM_MONTH:
			month_key(sb, v->day);
			break;
		case DIM_TAG:
			tag = v->e ? entry_tag(v->e, spec->tag_keys[d]) : NULL;
			strbuf_addstr(sb, tag ? tag : "");
			break;
		case DIM_BLOCK:
			block_key(sb, v);
			break;
		case DIM_SOURCE:
			strbuf_addstr(sb, v->source ? v->source : "");
			break;
		case DIM_DEVICE:
			device_key(sb, spec, v);
			break;
		case DIM__COUNT:
			break;
		}
		keys[d] = sb->buf;
	}
}

static void account(struct report *r, const struct report_spec *spec,
		const struct dim_values *v, const struct counters *c)
{
	struct strbuf bufs[REPORT_MAX_DIMS];
	char *keys[REPORT_MAX_DIMS];

	counters_add(&r->total, c, 1);
	if (!spec->ndims)
		return;
	for (size_t d = 0; d < spec->ndims; d++)
		strbuf_init(&bufs[d], 0);
	group_keys(spec, v, bufs, keys);
	add_to_group(r, spec->ndims, keys, c);
	for (size_t d = 0; d < spec->ndims; d++)
		strbuf_release(&bufs[d]);
}

/* ---- from rollups ---- */

/* A bound that is a local midnight, as a day; else INT32_MIN. */
static int32_t midnight_day(int64_t ms)
{
	int32_t day = local_day(ms);

	return local_day_to_ms(day) == ms ? day : INT32_MIN;
}

/*
 * Whether the summary's usage by tag answers the spec: one tag and
 * nothing else that needs whole entries, groups the rows by tag keep
 * (no session, source, tag or block), and a window from a midnight of
 * a day they cover.
 */
static int by_tag(const struct report_spec *spec, const struct summary *s)
{
	const struct query *q = &spec->filter;
	int32_t from = q->since >= 0 ? midnight_day(q->since) : INT32_MIN;

	if (s->tags_overflow || q->tags.nr != 1 || q->status || q->grep ||
	    q->unpriced || q->device || q->session ||
	    (q->kind && strcmp(q->kind, "all")))
		return 0;
	for (size_t d = 0; d < spec->ndims; d++)
		if (spec->dims[d] == DIM_SESSION ||
		    spec->dims[d] == DIM_SOURCE ||
		    spec->dims[d] == DIM_TAG || spec->dims[d] == DIM_BLOCK)
			return 0;
	return from != INT32_MIN && from >= s->tags_from;
}

/* Whether an entry's tag "key=value" is what a query's tag asks for. */
static int tag_pair_matches(const char *pair, const char *want)
{
	size_t klen = strcspn(want, "=");

	if (want[klen])
		return !strcmp(pair, want);
	return !strncmp(pair, want, klen) && pair[klen] == '=';
}

static void report_from_tags(const struct summary *s,
		const struct report_spec *spec, struct report *r)
{
	const struct intern *str = &s->tags.strings;
	const struct query *q = &spec->filter;
	int32_t from = midnight_day(q->since);
	int32_t to = q->until >= 0 ? midnight_day(q->until) : INT32_MAX;

	for (size_t i = 0; i < s->tags.nr; i++) {
		const struct rollup *ru = &s->tags.items[i];
		struct dim_values v = {
			intern_str(str, ru->key.provider),
			intern_str(str, ru->key.model), NULL, NULL,
			ru->key.device ? intern_str(str, ru->key.device) :
				NULL, ru->key.day, NULL, NULL, 0,
		};

		if (ru->key.day < from || ru->key.day >= to ||
		    !tag_pair_matches(intern_str(str, ru->key.project),
				q->tags.items[0]) ||
		    !query_match_names(q, v.provider, v.model, NULL))
			continue;
		account(r, spec, &v, &ru->c);
	}
}

/* Whether a session's whole total answers the spec: its sums, all of it. */
static int total_answers(const struct report_spec *spec)
{
	const struct query *q = &spec->filter;

	return !spec->ndims && q->since < 0 && q->until < 0 && !q->provider &&
		!q->model && !query_needs_entries(q);
}

int report_needs_ledger(const struct report_spec *spec,
		const struct summary *s)
{
	const struct query *q = &spec->filter;
	uint32_t id;

	if (spec->force_ledger ||
	    (query_needs_entries(q) && !by_tag(spec, s)))
		return 1;
	for (size_t d = 0; d < spec->ndims; d++)
		if (spec->dims[d] == DIM_TAG ||
		    spec->dims[d] == DIM_SESSION ||
		    spec->dims[d] == DIM_BLOCK)
			return 1;
	if ((q->since >= 0 && midnight_day(q->since) == INT32_MIN) ||
	    (q->until >= 0 && midnight_day(q->until) == INT32_MIN))
		return 1;
	if (!q->session)
		return 0;
	/*
	 * The rollups keep the detail of recent sessions only: those whose
	 * detail went are in the dropped set, or may be, and need the
	 * ledger. Of the others, one with a whole total kept is that total
	 * and its rollups, for a question the total answers (no window, no
	 * groups, no provider or model); any other session is whole in the
	 * rollups, or has nothing.
	 */
	id = intern_find(&s->rollups.strings, q->session);
	if (!id || rollup_maybe_dropped(&s->rollups, q->session))
		return 1;
	return rollup_session_total(&s->rollups, q->session) &&
		!total_answers(spec);
}

void report_from_rollups(const struct summary *s,
		const struct report_spec *spec, struct report *r)
{
	const struct intern *str = &s->rollups.strings;
	const struct query *q = &spec->filter;
	int32_t from = q->since >= 0 ? midnight_day(q->since) : INT32_MIN;
	int32_t to = q->until >= 0 ? midnight_day(q->until) : INT32_MAX;

	if (q->tags.nr) {
		report_from_tags(s, spec, r);
		return;
	}
	if (q->session && total_answers(spec)) {
		const struct session_total *st =
			rollup_session_total(&s->rollups, q->session);

		if (st)
			counters_add(&r->total, &st->c, 1);
	}
	for (size_t i = 0; i < s->rollups.nr; i++) {
		const struct rollup *ru = &s->rollups.items[i];
		struct dim_values v = {
			intern_str(str, ru->key.provider),
			intern_str(str, ru->key.model),
			intern_str(str, ru->key.session),
			intern_str(str, ru->key.source),
			rollup_device(str, &ru->key), ru->key.day, NULL,
		};

		if (ru->key.day < from || ru->key.day >= to)
			continue;
		if (!query_match_names(q, v.provider, v.model, v.session))
			continue;
		account(r, spec, &v, &ru->c);
	}
}

/* ---- from the ledger ---- */

struct foreach_walk {
	const struct report_spec *spec;
	int (*fn)(const struct entry *e, void *data);
	void *data;
};

static int foreach_one(struct entry *e, const char *row, size_t len,
		void *data)
{
	struct foreach_walk *w = data;

	(void)row;
	(void)len;
	return query_match(&w->spec->filter, e) ? w->fn(e, w->data) : 0;
}

int report_foreach(const char *const *ledgers, size_t nledgers,
		const struct report_spec *spec,
		int (*fn)(const struct entry *e, void *data), void *data,
		struct strbuf *err)
{
	struct entries_opts o = { .order = ENTRIES_AS_FOLDED, .quiet = 1 };
	struct foreach_walk w = { spec, fn, data };

	return for_each_entry_in(ledgers, nledgers, &o, foreach_one, &w, err);
}

struct times {
	int64_t *v;
	size_t n, alloc;
};

static void add_time(struct times *t, int64_t time)
{
	ALLOC_GROW(t->v, t->n + 1, t->alloc);
	t->v[t->n++] = time;
}

static int collect_time(const struct entry *e, void *data)
{
	if (!entry_is_rollup(e))
		add_time(data, entry_time(e));
	return 0;
}

/*
 * The blocks of every request the spec selects but for its window: a
 * block that began before the window is still that block.
 */
int report_blocks(const char *const *ledgers, size_t nledgers,
		const struct report_spec *spec, struct blocks *b,
		struct strbuf *err)
{
	struct report_spec all = *spec;
	struct times t = { 0 };
	int ret;

	all.filter.since = all.filter.until = -1;
	ret = report_foreach(ledgers, nledgers, &all, collect_time, &t, err);
	blocks_from_times(b, t.v, t.n);
	free(t.v);
	return ret;
}

static int block_dim(const struct report_spec *spec)
{
	for (size_t d = 0; d < spec->ndims; d++)
		if (spec->dims[d] == DIM_BLOCK)
			return (int)d;
	return -1;
}

/*
 * One report made in a walk of the ledgers shared with others. A report
 * by block whose blocks are not made yet is made by bucket, with the
 * times of the requests its spec selects but for its window; after the
 * walk the blocks come from the times, and each bucket goes to its own.
 */
struct ledger_job {
	const struct report_spec *spec;
	struct report *r;
	int by_bucket;
	struct query all;        /* the filter without the window */
	struct report buckets;
	struct times times;
};

static void account_entry(struct ledger_job *j, const struct entry *e)
{
	struct report *r = j->by_bucket ? &j->buckets : j->r;
	struct dim_values v = { e->provider_id, e->model_id,
		e->session_resource, entry_get_str(e, EF_SOURCE),
		device_is_self_peek(e->device_id) ? NULL : e->device_id,
		local_day(entry_time(e)), e, j->spec->blocks, j->by_bucket };
	struct counters c;

	counters_of_entry(e, &c);
	account(r, j->spec, &v, &c);
	if (entry_time(e) < r->first)
		r->first = entry_time(e);
	if (entry_time(e) > r->last)
		r->last = entry_time(e);
}

struct ledger_walk {
	struct ledger_job *jobs;
	size_t n;
};

static int walk_entry(struct entry *e, const char *row, size_t len,
		void *data)
{
	struct ledger_walk *w = data;

	(void)row;
	(void)len;
	for (size_t i = 0; i < w->n; i++) {
		struct ledger_job *j = &w->jobs[i];

		if (j->by_bucket && !entry_is_rollup(e) &&
		    query_match(&j->all, e))
			add_time(&j->times, entry_time(e));
		if (query_match(&j->spec->filter, e))
			account_entry(j, e);
	}
	return 0;
}

/* The first of the sorted times at or after t (one is: see below). */
static int64_t first_at_or_after(const int64_t *v, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? v[lo] : t;
}

/*
 * Each bucket's group to its block's. A bucket's requests are among the
 * times (the window's requests are among those of no window), so the
 * first time at or after its start is one of its own requests.
 */
static void buckets_to_blocks(struct ledger_job *j)
{
	int d = block_dim(j->spec);
	struct blocks b = { 0 };
	struct strbuf key = STRBUF_INIT;

	blocks_from_times(&b, j->times.v, j->times.n);
	j->r->total = j->buckets.total;
	j->r->first = j->buckets.first;
	j->r->last = j->buckets.last;
	for (size_t i = 0; i < j->buckets.ngroups; i++) {
		struct report_group *g = &j->buckets.groups[i];
		char *keys[REPORT_MAX_DIMS];
		long k = -1;

		memcpy(keys, g->key, sizeof(keys));
		strbuf_reset(&key);
		if (strcmp(g->key[d], REPORT_COMPACTED_SESSIONS))
			k = blocks_find(&b, first_at_or_after(j->times.v,
					j->times.n, strtoll(g->key[d], NULL,
					10)));
		if (k < 0)
			strbuf_addstr(&key, REPORT_COMPACTED_SESSIONS);
		else
			time_format_utc(&key, b.start[k]);
		keys[d] = key.buf;
		add_to_group(j->r, j->spec->ndims, keys, &g->c);
	}
	strbuf_release(&key);
	blocks_release(&b);
}

/* The reports of jobs, every one from the ledgers, in one walk. */
static int ledger_reports(const char *const *ledgers, size_t nledgers,
		struct ledger_job *jobs, size_t n, struct strbuf *err)
{
	struct entries_opts o = { .order = ENTRIES_AS_FOLDED, .quiet = 1 };
	struct ledger_walk w = { jobs, n };
	int ret;

	for (size_t i = 0; i < n; i++) {
		struct ledger_job *j = &jobs[i];

		j->r->from_ledger = 1;
		j->by_bucket = block_dim(j->spec) >= 0 && !j->spec->blocks;
		j->all = j->spec->filter;
		j->all.since = j->all.until = -1;
		report_init(&j->buckets);
		memset(&j->times, 0, sizeof(j->times));
	}
	ret = for_each_entry_in(ledgers, nledgers, &o, walk_entry, &w, err);
	for (size_t i = 0; i < n; i++) {
		if (!ret && jobs[i].by_bucket)
			buckets_to_blocks(&jobs[i]);
		report_release(&jobs[i].buckets);
		free(jobs[i].times.v);
	}
	return ret;
}

int report_from_ledgers(const char *const *ledgers, size_t nledgers,
		const struct report_spec *spec, struct report *r,
		struct strbuf *err)
{
	struct ledger_job job = { .spec = spec, .r = r };

	return ledger_reports(ledgers, nledgers, &job, 1, err);
}

int report_check(const struct report *r, const char *ledger_path,
		struct strbuf *err)
{
	int bad = counters_overflowed(&r->total);

	for (size_t i = 0; !bad && i < r->ngroups; i++)
		bad = counters_overflowed(&r->groups[i].c);
	return bad ? fail(err, T_ELEDGER, COUNTERS_OVERFLOW_ERROR,
			ledger_path) : 0;
}

int report_build_many(const struct report_scope *sc,
		const struct report_job *jobs, size_t n, struct strbuf *err)
{
	struct ledger_job *lj = xcalloc(n ? n : 1, sizeof(*lj));
	size_t nl = 0;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		if (report_needs_ledger(jobs[i].spec, sc->s)) {
			lj[nl].spec = jobs[i].spec;
			lj[nl++].r = jobs[i].r;
		} else {
			report_from_rollups(sc->s, jobs[i].spec, jobs[i].r);
		}
	}
	if (nl)
		ret = ledger_reports(sc->ledgers, sc->nledgers, lj, nl, err);
	free(lj);
	for (size_t i = 0; !ret && i < n; i++)
		ret = report_check(jobs[i].r, sc->ledgers[0], err);
	return ret;
}

int report_build(const struct report_scope *sc,
		const struct report_spec *spec, struct report *r,
		struct strbuf *err)
{
	struct report_job job = { spec, r };

	return report_build_many(sc, &job, 1, err);
}

void report_collapse(const struct report *src, int dim, struct report *dst)
{
	dst->total = src->total;
	dst->first = src->first;
	dst->last = src->last;
	dst->from_ledger = src->from_ledger;
	for (size_t i = 0; dim >= 0 && i < src->ngroups; i++) {
		char *keys[1] = { src->groups[i].key[dim] };

		add_to_group(dst, 1, keys, &src->groups[i].c);
	}
}

void report_merge(struct report *dst, const struct report *src,
		size_t ndims)
{
	counters_add(&dst->total, &src->total, 1);
	for (size_t i = 0; i < src->ngroups; i++)
		add_to_group(dst, ndims, src->groups[i].key, &src->groups[i].c);
	if (src->first < dst->first)
		dst->first = src->first;
	if (src->last > dst->last)
		dst->last = src->last;
	dst->from_ledger |= src->from_ledger;
}

/* ---- sorting ---- */

static const struct report_spec *sort_spec;

static int is_time_dim(enum report_dim d)
{
	return report_dims[d].is_time;
}

static int compare_groups(const void *a, const void *b)
{
	const struct report_group *x = a, *y = b;
	int64_t tx = x->c.v[RC_INPUT] + x->c.v[RC_OUTPUT];
	int64_t ty = y->c.v[RC_INPUT] + y->c.v[RC_OUTPUT];

	for (size_t d = 0; d < sort_spec->ndims; d++) {
		if (is_time_dim(sort_spec->dims[d])) {
			int c = strcmp(x->key[d], y->key[d]);

			if (c)
				return c;
		}
	}
	if (tx != ty)
		return tx < ty ? 1 : -1;
	if (x->c.v[RC_REQUESTS] != y->c.v[RC_REQUESTS])
		return x->c.v[RC_REQUESTS] < y->c.v[RC_REQUESTS] ? 1 : -1;
	for (size_t d = 0; d < sort_spec->ndims; d++) {
		int c = strcmp(x->key[d], y->key[d]);

		if (c)
			return c;
	}
	return 0;
}

void report_sort(struct report *r, const struct report_spec *spec)
{
	sort_spec = spec;
	if (r->ngroups)
		qsort(r->groups, r->ngroups, sizeof(*r->groups), compare_groups);
	sort_spec = NULL;
}
