/* tally top's model: see top-model.h. */
#include "top-model.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/fold.h"
#include "../lib/ledger.h"
#include "../lib/banned.h"

const char *top_scope_name(enum top_scope s)
{
	return s == TOP_WORKSPACE ? "workspace" : s == TOP_PROFILE ?
		"profile" : "all";
}

const struct top_request *top_model_request(const struct top_model *m,
		size_t i)
{
	return &m->ring[(m->head + i) % TOP_RING];
}

/* ---- the requests ---- */

static void copy_name(char *to, size_t size, const char *from)
{
	size_t n = 0;

	/* Printable ASCII only: names come from the ledger, as they are. */
	for (; from && *from && n + 1 < size; from++)
		to[n++] = (*from >= 0x20 && *from < 0x7f) ? *from : '?';
	to[n] = '\0';
}

static int64_t int_or_unknown(const struct entry *e, enum entry_field f)
{
	return entry_has(e, f) ? entry_get_int(e, f) : -1;
}

/* The ring item of that entry, or NULL. */
static struct top_request *find_request(struct top_model *m, uint64_t id)
{
	for (size_t i = m->n; i-- > 0;) {
		struct top_request *r = &m->ring[(m->head + i) % TOP_RING];

		if (r->id == id)
			return r;
	}
	return NULL;
}

/* Keeps the ring in time order: rows come mostly in it. */
static struct top_request *insert_at(struct top_model *m, int64_t at)
{
	size_t pos;

	if (m->n == TOP_RING) {
		if (at < top_model_request(m, 0)->at)
			return NULL;
		m->head = (m->head + 1) % TOP_RING;
		m->n--;
	}
	pos = m->n;
	while (pos > 0 && top_model_request(m, pos - 1)->at > at) {
		m->ring[(m->head + pos) % TOP_RING] =
			m->ring[(m->head + pos - 1) % TOP_RING];
		pos--;
	}
	m->n++;
	return &m->ring[(m->head + pos) % TOP_RING];
}

static void take_entry(struct top_model *m, const struct entry *e)
{
	uint64_t id;
	struct top_request *r;

	if (!entry_is_usage(e) || !e->entry_id)
		return;
	id = fold_hash(e->entry_id);
	/* A new version of a request shown: it replaces it. */
	r = find_request(m, id);
	if (!r && (r = insert_at(m, entry_time(e))) == NULL)
		return;
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->at = entry_time(e);
	copy_name(r->provider, sizeof(r->provider),
			entry_get_str(e, EF_PROVIDER_ID));
	copy_name(r->model, sizeof(r->model), entry_get_str(e, EF_MODEL_ID));
	counters_of_entry(e, &r->c);
	r->latency_ms = int_or_unknown(e, EF_LATENCY_MS);
	r->ttft_ms = int_or_unknown(e, EF_TTFT_MS);
	r->throttle_ms = int_or_unknown(e, EF_THROTTLE_WAIT_MS);
	r->failed = e->status && !strcmp(e->status, "failed");
}

/* Reads the rows of f from its offset on; counts them in m. */
static int read_rows(struct top_model *m, struct top_follow *f, int skip_first,
		struct strbuf *err)
{
	struct ledger_reader rd;
	struct ledger_line line;
	struct entry e;
	int ret;

	ret = ledger_reader_open(&rd, f->path, f->off, 0, err);
	if (ret)
		return ret;
	entry_init(&e);
	while ((ret = ledger_reader_next(&rd, &line, err)) > 0) {
		const char *why;

		ret = 0;
		if (line.torn)
			break;
		/* From the middle of the file: the first line is a part. */
		if (skip_first) {
			skip_first = 0;
			continue;
		}
		entry_reset(&e);
		if (line.too_long || entry_parse(&e, line.text, line.len, &why))
			continue;
		take_entry(m, &e);
		m->rows_read++;
	}
	if (!ret)
		f->off = ledger_reader_offset(&rd);
	ledger_reader_close(&rd);
	entry_release(&e);
	return ret;
}

/* Whether the file changed since it was last seen; notes it as seen. */
static int changed(struct top_follow *f, int *rewritten)
{
	struct stat st;
	int64_t mtime;

	*rewritten = 0;
	if (stat(f->path, &st))
		return 0;
	mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if ((uint64_t)st.st_dev == f->dev && (uint64_t)st.st_ino == f->ino &&
	    (uint64_t)st.st_size == f->size && mtime == f->mtime_ns)
		return 0;
	/* Another file, or shorter: a compaction or a clear rewrote it. */
	*rewritten = f->ino && ((uint64_t)st.st_ino != f->ino ||
			(uint64_t)st.st_size < f->off);
	f->dev = (uint64_t)st.st_dev;
	f->ino = (uint64_t)st.st_ino;
	f->size = (uint64_t)st.st_size;
	f->mtime_ns = mtime;
	return 1;
}

static void follow_release(struct top_model *m)
{
	for (size_t i = 0; i < m->nfollow; i++)
		free(m->follow[i].path);
	free(m->follow);
	m->follow = NULL;
	m->nfollow = 0;
}

/* The last TOP_TAIL_BYTES of a ledger, never the whole of a large one. */
static int read_tail(struct top_model *m, struct top_follow *f,
		struct strbuf *err)
{
	f->off = f->size > TOP_TAIL_BYTES ? f->size - TOP_TAIL_BYTES : 0;
	return read_rows(m, f, f->off > 0, err);
}

/* The tail of each ledger, once: the latest requests before the start. */
static int read_tails(struct top_model *m, struct strbuf *err)
{
	int ret = 0;

	follow_release(m);
	m->head = m->n = 0;
	m->follow = xcalloc(m->sc->nledgers, sizeof(*m->follow));
	m->nfollow = m->sc->nledgers;
	for (size_t i = 0; !ret && i < m->nfollow; i++) {
		struct top_follow *f = &m->follow[i];
		int rewritten;

		f->path = xstrdup(m->sc->ledgers[i]);
		changed(f, &rewritten);
		ret = read_tail(m, f, err);
	}
	return ret;
}

/* ---- the figures ---- */

static enum budget_scope budget_scope_of(enum top_scope s)
{
	return s == TOP_WORKSPACE ? BUDGET_SCOPE_WORKSPACE :
		s == TOP_PROFILE ? BUDGET_SCOPE_PROFILE : BUDGET_SCOPE_ALL;
}

static void close_figures(struct top_model *m)
{
	if (!m->open)
		return;
	block_view_release(&m->f.block);
	reporting_close(&m->rp);
	m->open = 0;
	m->sc = NULL;
}

static int gather(struct top_model *m, struct strbuf *err)
{
	int ret;

	close_figures(m);
	ret = reporting_open(&m->rp, m->ctx, REPORTING_QUIET |
			REPORTING_NO_WAIT | REPORTING_NO_HOOKS |
			REPORTING_NO_SYNC, err);
	m->open = 1;    /* closed even when it failed, as it must be */
	memset(&m->f, 0, sizeof(m->f));
	if (ret)
		return ret;
	ret = reporting_scope(&m->rp, budget_scope_of(m->scope), &m->sc, err);
	if (!ret)
		ret = status_gather(&m->f, &m->rp, m->sc, 1, err);
	return ret;
}

int top_model_open(struct top_model *m, struct tally_ctx *ctx,
		enum top_scope scope, int64_t now, struct strbuf *err)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->ctx = ctx;
	m->scope = scope;
	m->now = now;
	ret = gather(m, err);
	if (!ret)
		ret = read_tails(m, err);
	return ret;
}

int top_model_switch(struct top_model *m, enum top_scope scope,
		int64_t now, struct strbuf *err)
{
	struct tally_ctx *ctx = m->ctx;

	top_model_release(m);
	return top_model_open(m, ctx, scope, now, err);
}

int top_model_poll(struct top_model *m, int64_t now, struct strbuf *err)
{
	int any = 0, ret = 0;

	m->now = now;
	m->rows_read = 0;
	for (size_t i = 0; !ret && i < m->nfollow; i++) {
		int rewritten;

		if (!changed(&m->follow[i], &rewritten))
			continue;
		any = 1;
		/* Compacted or cleared: its tail again, as at the start. */
		ret = rewritten ? read_tail(m, &m->follow[i], err) :
			read_rows(m, &m->follow[i], 0, err);
	}
	if (!ret && any)
		ret = gather(m, err);
	return ret ? ret : any;
}

void top_model_release(struct top_model *m)
{
	close_figures(m);
	follow_release(m);
}

/* ---- statistics ---- */

static int compare_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile (nearest rank) of n values, sorted in place. */
static int64_t percentile(int64_t *v, size_t n, int p)
{
	size_t rank;

	if (!n)
		return -1;
	qsort(v, n, sizeof(*v), compare_int64);
	rank = ((size_t)p * n + 99) / 100;
	return v[rank ? rank - 1 : 0];
}

void top_model_stats(const struct top_model *m, int64_t window_ms,
		struct top_stats *st)
{
	size_t from = m->n, nlat = 0, nttft = 0;
	int64_t *lat, *ttft;

	/* The ring is in time order: only its end is in the window. */
	while (from > 0 && top_model_request(m, from - 1)->at >=
			m->now - window_ms)
		from--;
	lat = xcalloc(m->n - from + 1, sizeof(int64_t));
	ttft = xcalloc(m->n - from + 1, sizeof(int64_t));
	memset(st, 0, sizeof(*st));
	for (size_t i = from; i < m->n; i++) {
		const struct top_request *r = top_model_request(m, i);

		if (r->at > m->now)
			continue;
		st->requests++;
		st->tokens += counters_tokens(&r->c);
		st->failed += r->failed;
		if (r->throttle_ms > 0) {
			st->throttled++;
			st->throttle_ms += r->throttle_ms;
		}
		if (r->latency_ms >= 0)
			lat[nlat++] = r->latency_ms;
		if (r->ttft_ms >= 0)
			ttft[nttft++] = r->ttft_ms;
	}
	st->latency_p50 = percentile(lat, nlat, 50);
	st->latency_p95 = percentile(lat, nlat, 95);
	st->ttft_p50 = percentile(ttft, nttft, 50);
	st->ttft_p95 = percentile(ttft, nttft, 95);
	free(lat);
	free(ttft);
}
