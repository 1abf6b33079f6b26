#include "summary.h"
#include "summary-io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fold.h"
#include "fsutil.h"
#include "summary-index.h"
#include "ledger.h"
#include "lock.h"
#include "sha256.h"
#include "timeutil.h"
#include "banned.h"

void summary_init(struct summary *s)
{
	memset(s, 0, sizeof(*s));
	rollup_table_init(&s->rollups);
	rollup_table_init(&s->tags);
	s->tags_from = INT32_MIN;
	hours_init(&s->hours);
	s->recent = xcalloc(SUMMARY_RECENT_MAX, sizeof(*s->recent));
}

void summary_release(struct summary *s)
{
	rollup_table_release(&s->rollups);
	rollup_table_release(&s->tags);
	hours_release(&s->hours);
	free(s->recent);
	for (size_t i = 0; i < s->nquotas; i++) {
		free(s->quotas[i].provider);
		free(s->quotas[i].window);
	}
	free(s->quotas);
	for (size_t i = 0; i < s->nalerts; i++)
		free(s->alerts[i]);
	free(s->alerts);
	free(s->timezone);
	memset(s, 0, sizeof(*s));
}

static void summary_reset(struct summary *s)
{
	summary_release(s);
	summary_init(s);
}

void summary_index_path(const struct scope *sc, struct strbuf *out)
{
	path_join(out, sc->dir, "usage-summary.idx");
}

void summary_lock_path(const struct scope *sc, struct strbuf *out)
{
	path_join(out, sc->dir, "usage-summary.lock");
}

/* ---- recent entries (for rates) ---- */

static void recent_remove(struct summary *s, uint64_t hash)
{
	for (size_t i = 0; i < s->nrecent; i++) {
		if (s->recent[i].hash != hash)
			continue;
		memmove(&s->recent[i], &s->recent[i + 1],
				(s->nrecent - i - 1) * sizeof(*s->recent));
		s->nrecent--;
		return;
	}
}

/* Keeps the newest SUMMARY_RECENT_MAX entries, oldest first. */
static void recent_add(struct summary *s, const struct entry *e, uint64_t hash)
{
	struct recent_item it = { entry_time(e), hash,
		entry_get_int(e, EF_BILLED_INPUT_TOKENS) +
		entry_get_int(e, EF_BILLED_OUTPUT_TOKENS) };
	size_t pos = s->nrecent;

	if (s->nrecent == SUMMARY_RECENT_MAX) {
		if (it.time <= s->recent[0].time)
			return;
		memmove(&s->recent[0], &s->recent[1],
				(s->nrecent - 1) * sizeof(*s->recent));
		s->nrecent--;
		pos = s->nrecent;
	}
	/* Rows come mostly in time order: the place is usually the end. */
	while (pos > 0 && s->recent[pos - 1].time > it.time)
		pos--;
	memmove(&s->recent[pos + 1], &s->recent[pos],
			(s->nrecent - pos) * sizeof(*s->recent));
	s->recent[pos] = it;
	s->nrecent++;
}

static uint32_t map_string(struct summary *dst, const struct summary *src,
		uint32_t id)
{
	const char *str = intern_str(&src->rollups.strings, id);

	return intern_id(&dst->rollups.strings, str, strlen(str));
}

static int recent_older(const void *a, const void *b)
{
	const struct recent_item *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

static int64_t captured(const struct quota_state *q)
{
	return q->has & (1u << QF_CAPTURED_AT) ? q->v[QF_CAPTURED_AT] : -1;
}

/* The newest snapshot of each provider and window of both. */
static void merge_quotas(struct summary *dst, const struct summary *src)
{
	for (size_t i = 0; i < src->nquotas; i++) {
		const struct quota_state *from = &src->quotas[i];
		struct quota_state *to = summary_find_quota(dst,
				from->provider, from->window);

		if (to && captured(to) >= captured(from))
			continue;
		if (!to) {
			ALLOC_GROW(dst->quotas, dst->nquotas + 1, dst->aquotas);
			to = &dst->quotas[dst->nquotas++];
			to->provider = xstrdup(from->provider);
			to->window = from->window ? xstrdup(from->window) :
				NULL;
		}
		to->has = from->has;
		memcpy(to->v, from->v, sizeof(to->v));
	}
}

void summary_merge(struct summary *dst, const struct summary *src)
{
	size_t n = dst->nrecent + src->nrecent;
	struct recent_item *both = xcalloc(n + 1, sizeof(*both));

	for (size_t i = 0; i < src->rollups.nr; i++) {
		const struct rollup *from = &src->rollups.items[i];
		struct rollup_key key = from->key;
		struct rollup *to;

		key.provider = map_string(dst, src, key.provider);
		key.model = map_string(dst, src, key.model);
		key.session = map_string(dst, src, key.session);
		key.source = map_string(dst, src, key.source);
		key.device = map_string(dst, src, key.device);
		to = rollup_get(&dst->rollups, &key);
		counters_add(&to->c, &from->c, 1);
		if (from->last > to->last)
			to->last = from->last;
	}
	summary_tags_merge(dst, src);
	hours_merge(&dst->hours, &src->hours);
	rollup_merge_dropped(&dst->rollups, &src->rollups);
	merge_quotas(dst, src);
	memcpy(both, dst->recent, dst->nrecent * sizeof(*both));
	memcpy(both + dst->nrecent, src->recent, src->nrecent * sizeof(*both));
	if (n)
		qsort(both, n, sizeof(*both), recent_older);
	/* The newest are kept, oldest first as ever. */
	if (n > SUMMARY_RECENT_MAX) {
		memmove(both, both + n - SUMMARY_RECENT_MAX,
				SUMMARY_RECENT_MAX * sizeof(*both));
		n = SUMMARY_RECENT_MAX;
	}
	memcpy(dst->recent, both, n * sizeof(*both));
	dst->nrecent = n;
	free(both);
	if (src->last_synced_at > dst->last_synced_at)
		dst->last_synced_at = src->last_synced_at;
	if (!dst->timezone && src->timezone)
		dst->timezone = xstrdup(src->timezone);
}

int64_t summary_recent_tokens(const struct summary *s, int64_t since,
		int64_t until, int64_t *requests)
{
	int64_t tokens = 0, n = 0;

	for (size_t i = 0; i < s->nrecent; i++) {
		if (s->recent[i].time < since || s->recent[i].time >= until)
			continue;
		tokens += s->recent[i].tokens;
		n++;
	}
	if (requests)
		*requests = n;
	return tokens;
}

/* ---- quota snapshots ---- */

struct quota_state *summary_find_quota(const struct summary *s,
		const char *provider, const char *window)
{
	for (size_t i = 0; i < s->nquotas; i++) {
		const struct quota_state *q = &s->quotas[i];

		if (!strcmp(q->provider, provider) &&
		    (q->window && window ? !strcmp(q->window, window) :
		     q->window == window))
			return &s->quotas[i];
	}
	return NULL;
}

static void note_quota(struct summary *s, const struct entry *e)
{
	const struct quota_snapshot *q = &e->quota;
	const char *provider = q->provider_id ? q->provider_id : e->provider_id;
	struct quota_state *st;

	if (!entry_has(e, EF_QUOTA_SNAPSHOT) || !provider)
		return;
	st = summary_find_quota(s, provider, q->window);
	if (st && (q->has & (1u << QF_CAPTURED_AT)) &&
	    (st->has & (1u << QF_CAPTURED_AT)) &&
	    q->v[QF_CAPTURED_AT] < st->v[QF_CAPTURED_AT])
		return;
	if (!st) {
		ALLOC_GROW(s->quotas, s->nquotas + 1, s->aquotas);
		st = &s->quotas[s->nquotas++];
		memset(st, 0, sizeof(*st));
		st->provider = xstrdup(provider);
		st->window = q->window ? xstrdup(q->window) : NULL;
	}
	st->has = q->has & ~(1u << QF_PROVIDER_ID | 1u << QF_WINDOW);
	memcpy(st->v, q->v, sizeof(st->v));
}

/* ---- folding ---- */

struct fold_state {
	struct summary *s;
	int64_t recent_from;    /* older entries are not recent */
	int32_t tags_from;      /* the first day kept by tag */
	struct id_index *ix;
	int fd;
	const char *path;
	int quiet;
	struct entry old;
	struct strbuf row;
};

/* Reads the row at off (up to its newline) into fs->row. */
static int read_row_at(struct fold_state *fs, uint64_t off)
{
	size_t chunk = 4096;

	strbuf_reset(&fs->row);
	for (;;) {
		char *nl;
		ssize_t n;

		strbuf_grow(&fs->row, chunk);
		n = pread_all(fs->fd, fs->row.buf + fs->row.len, chunk,
				(off_t)(off + fs->row.len));
		if (n <= 0)
			return -1;
		nl = memchr(fs->row.buf + fs->row.len, '\n', (size_t)n);
		if (nl) {
			strbuf_setlen(&fs->row, (size_t)(nl - fs->row.buf));
			return 0;
		}
		strbuf_setlen(&fs->row, fs->row.len + (size_t)n);
		if (fs->row.len > LEDGER_MAX_LINE)
			return -1;
		chunk *= 2;
	}
}

/*
 * Finds the slot of e's entry: 1 with *pos at it and fs->old holding the
 * row it points to, 0 with *pos at the empty slot to fill.
 */
static int find_entry(struct fold_state *fs, const struct entry *e,
		uint64_t hash, size_t *pos)
{
	const char *why;

	for (*pos = summary_index_first(fs->ix, hash); fs->ix->slots[*pos].off;
	     *pos = summary_index_next(fs->ix, *pos)) {
		uint64_t off = fs->ix->slots[*pos].off - 1;

		if (fs->ix->slots[*pos].hash != hash)
			continue;
		if (read_row_at(fs, off) ||
		    entry_parse(&fs->old, fs->row.buf, fs->row.len, &why))
			return -1;
		if (!strcmp(fs->old.entry_id, e->entry_id))
			return 1;
	}
	return 0;
}

/*
 * Folds one row. Returns 0, or 1 when the index contradicts the ledger: a
 * slot that points at this row or after it can only be left by a refresh
 * that updated the index and died before writing the cache. Every row of
 * that lost refresh is folded again in order, so the first one it touched
 * finds such a slot.
 */
static int fold_row(struct fold_state *fs, const struct entry *e,
		uint64_t off)
{
	struct summary *s = fs->s;
	uint64_t hash = fold_hash(e->entry_id);
	size_t pos;
	int found;

	/*
	 * The index is large and probed at random: start loading the slot,
	 * then do the work that does not depend on it.
	 */
	__builtin_prefetch(&fs->ix->slots[summary_index_first(fs->ix, hash)]);
	rollup_apply(&s->rollups, e, 1);
	summary_tags_apply(s, e, 1);
	hours_apply(&s->hours, e, 1);
	found = find_entry(fs, e, hash, &pos);
	if (found < 0)
		return 1;
	if (found) {
		if (fs->ix->slots[pos].off - 1 >= off)
			return 1;
		rollup_apply(&s->rollups, &fs->old, -1);
		summary_tags_apply(s, &fs->old, -1);
		hours_apply(&s->hours, &fs->old, -1);
		recent_remove(s, hash);
		fs->ix->slots[pos].off = off + 1;
	} else {
		summary_index_fill(fs->ix, pos, hash, off);
		hours_note_new(&s->hours, e);
	}
	if (entry_is_usage(e) && entry_time(e) >= fs->recent_from)
		recent_add(s, e, hash);
	note_quota(s, e);
	if (entry_has(e, EF_SYNCED_AT) && e->synced_at > s->last_synced_at)
		s->last_synced_at = e->synced_at;
	return 0;
}

/* Bytes before the folded offset that a refresh checks are still there. */
#define TAIL_CHECK_BYTES 4096

/*
 * A hash of the bytes before off (up to TAIL_CHECK_BYTES), or 0 when they
 * cannot be read. Row ids make every stretch of a ledger unique, so a
 * rewritten ledger that reused the inode and grew past off almost surely
 * holds other bytes there.
 */
static uint64_t tail_of(int fd, uint64_t off)
{
	unsigned char buf[TAIL_CHECK_BYTES], digest[32];
	size_t n = off < sizeof(buf) ? (size_t)off : sizeof(buf);
	struct sha256 c;
	uint64_t h = 0;

	if (pread_all(fd, buf, n, (off_t)(off - n)) != (ssize_t)n)
		return 0;
	sha256_init(&c);
	sha256_update(&c, buf, n);
	sha256_final(&c, digest);
	for (int i = 0; i < 8; i++)
		h = h << 8 | digest[i];
	/* Kept below 2^63 so that the cache's JSON holds it as is. */
	return h >> 1 | 1;
}

/*
 * Folds the rows from s->offset to the last complete line. Returns 0, 1
 * when the cache must be rebuilt, or T_ELEDGER.
 */
static int fold_from(struct fold_state *fs, struct strbuf *err)
{
	struct summary *s = fs->s;
	struct ledger_reader r;
	struct ledger_line line;
	struct entry e;
	uint64_t start = s->offset;
	int ret;

	summary_tags_advance(s, fs->tags_from);
	ret = ledger_reader_open(&r, fs->path, s->offset, s->lines, err);
	if (ret) {
		ledger_reader_close(&r);
		return ret;
	}
	fs->fd = r.fd;
	entry_init(&e);
	if (fs->quiet)
		quiet_warnings++;
	while ((ret = ledger_reader_next(&r, &line, err)) > 0) {
		int st;

		if (line.torn)
			break;
		st = ledger_parse_line(fs->path, &line, &e);
		s->lines++;
		if (st < 0)
			s->invalid++;
		if (st)
			continue;
		if (fold_row(fs, &e, line.off)) {
			ret = 1;
			break;
		}
	}
	if (fs->quiet)
		quiet_warnings--;
	if (!ret) {
		s->offset = ledger_reader_offset(&r);
		s->bytes_read += s->offset - start;
		s->tail_hash = tail_of(r.fd, s->offset);
	}
	entry_release(&e);
	ledger_reader_close(&r);
	return ret;
}

/* ---- refreshing ---- */

static int load_cache(struct summary *s, const char *path)
{
	struct strbuf text = STRBUF_INIT;
	int ret = -1;

	if (!strbuf_read_file(&text, path))
		ret = summary_read_json(s, text.buf, text.len);
	strbuf_release(&text);
	if (ret)
		summary_reset(s);
	return ret;
}

static int save_cache(struct summary *s, const struct scope *sc,
		const struct summary_opts *o, struct strbuf *err)
{
	struct strbuf json = STRBUF_INIT;
	int ret = 0;

	s->updated_at = now_ms();
	s->budget = o->budget;
	hours_prune(&s->hours, s->updated_at);
	summary_write_json(s, &o->budget, &json);
	if (o->do_sync ? write_file_atomic(sc->summary_path, json.buf, json.len)
		       : write_file_atomic_nosync(sc->summary_path, json.buf,
				json.len))
		ret = fail_errno(err, T_ELEDGER, "cannot write '%s'",
				sc->summary_path);
	strbuf_release(&json);
	return ret;
}

/* Empties s for a fresh fold of the ledger (dev, ino). */
static void start_over(struct summary *s, const struct stat *st,
		const char *tz)
{
	char **alerts = s->alerts;
	size_t nalerts = s->nalerts, aalerts = s->aalerts;

	/* Alerts already fired stay fired: a rebuild must not repeat hooks. */
	s->alerts = NULL;
	s->nalerts = s->aalerts = 0;
	summary_reset(s);
	s->alerts = alerts;
	s->nalerts = nalerts;
	s->aalerts = aalerts;
	s->dev = (uint64_t)st->st_dev;
	s->ino = (uint64_t)st->st_ino;
	s->timezone = xstrdup(tz);
	s->rebuilt = 1;
}

static int cache_matches(const struct summary *s, const struct stat *st,
		const char *tz)
{
	return s->dev == (uint64_t)st->st_dev &&
	       s->ino == (uint64_t)st->st_ino &&
	       s->offset <= (uint64_t)st->st_size &&
	       s->timezone && !strcmp(s->timezone, tz);
}

static uint64_t ns_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

/* Whether the ledger is exactly as the last refresh saw it. */
static int unchanged(const struct summary *s, const struct stat *st)
{
	return s->seen_size == (uint64_t)st->st_size &&
	       s->seen_mtime_ns == ns_of(&st->st_mtim) &&
	       s->seen_ctime_ns == ns_of(&st->st_ctim);
}

/*
 * Whether the ledger only grew since: a change that kept the size is an
 * edit in place, and a grown file must still hold the folded bytes.
 */
static int only_appended(const struct summary *s, const struct stat *st,
		int fd)
{
	return (uint64_t)st->st_size > s->seen_size &&
	       tail_of(fd, s->offset) == s->tail_hash;
}

static void remember_seen(struct summary *s, const struct stat *st)
{
	s->seen_size = (uint64_t)st->st_size;
	s->seen_mtime_ns = ns_of(&st->st_mtim);
	s->seen_ctime_ns = ns_of(&st->st_ctim);
}

static int index_matches(const struct id_index *ix, const struct summary *s)
{
	return ix->hdr->dev == s->dev && ix->hdr->ino == s->ino &&
	       ix->hdr->generation == s->generation;
}

static int rebuild(struct fold_state *fs, const struct stat *st,
		const char *tz, struct strbuf *err)
{
	int ret;

	start_over(fs->s, st, tz);
	summary_index_release(fs->ix);
	summary_index_new(fs->ix, (size_t)(st->st_size / 256), fs->s->dev,
			fs->s->ino);
	ret = fold_from(fs, err);
	if (ret > 0)
		ret = fail(err, T_ELEDGER, "'%s' changed while it was being "
				"read; try again", fs->path);
	return ret;
}

/*
 * Whether the fields the cache carries for other tools (budgetState,
 * totals.today) would come out the same if it were written now.
 */
static int seed_fields_current(const struct summary *s,
		const struct summary_opts *o)
{
	return s->budget.tokens == o->budget.tokens &&
	       s->budget.usd == o->budget.usd &&
	       s->budget.warn_percent == o->budget.warn_percent &&
	       local_day(s->updated_at) == local_day(now_ms());
}

/*
 * Writes the index and the cache. The figures in s are complete either
 * way, so a cache that cannot be written (a full disk, a quota, a file
 * size limit) is only a warning, as a read-only scope is no error: the
 * answer comes from memory, and the next refresh that can write catches
 * up (an index written without its cache is noticed as a torn refresh).
 */
static void save_both(struct summary *s, const struct scope *sc,
		const struct summary_opts *o, struct id_index *ix,
		const char *ixpath)
{
	struct strbuf err = STRBUF_INIT;

	if (summary_index_save(ix, ixpath, o->do_sync, &err) ||
	    save_cache(s, sc, o, &err))
		warning("%s; the figures come from memory", err.buf);
	strbuf_release(&err);
}

/*
 * Brings s (loaded from the cache) up to date with the ledger. In memory
 * only, it folds the whole ledger and writes nothing (for a scope whose
 * cache cannot be written).
 */
static int update(struct summary *s, const struct scope *sc,
		const struct summary_opts *o, const struct stat *st, int fd,
		int in_memory, struct strbuf *err)
{
	struct fold_state fs = { .s = s, .path = sc->ledger_path,
		.quiet = o->quiet,
		.recent_from = now_ms() - SUMMARY_RECENT_SPAN,
		.tags_from = local_day(now_ms()) - SUMMARY_TAG_DAYS };
	struct strbuf ixpath = STRBUF_INIT;
	struct id_index ix;
	int ret = 0, dirty = 1, incremental;

	memset(&ix, 0, sizeof(ix));
	ix.fd = -1;
	entry_init(&fs.old);
	strbuf_init(&fs.row, 0);
	fs.ix = &ix;
	summary_index_path(sc, &ixpath);
	incremental = !o->rebuild && !in_memory &&
		      cache_matches(s, st, timeutil_zone_id());
	if (incremental) {
		ret = summary_index_load(&ix, ixpath.buf, err);
		if (ret < 0)
			goto out;
		incremental = !ret && index_matches(&ix, s);
	}
	if (incremental && unchanged(s, st) &&
	    s->offset == (uint64_t)st->st_size)
		dirty = !seed_fields_current(s, o);
	else if (incremental && (unchanged(s, st) ||
			only_appended(s, st, fd)))
		ret = fold_from(&fs, err);
	else
		ret = 1;
	if (ret > 0)
		ret = rebuild(&fs, st, timeutil_zone_id(), err);
	if (!ret)
		remember_seen(s, st);
	if (!ret && dirty && !in_memory) {
		rollup_compact(&s->rollups, SUMMARY_SESSIONS_KEPT);
		s->generation++;
		ix.hdr->generation = s->generation;
		save_both(s, sc, o, &ix, ixpath.buf);
	}
out:
	summary_index_release(&ix);
	entry_release(&fs.old);
	strbuf_release(&fs.row);
	strbuf_release(&ixpath);
	return ret;
}

/* Totals that left the range counters are kept in are refused. */
static int check_sums(const struct summary *s, const char *path,
		struct strbuf *err)
{
	for (size_t i = 0; i < s->rollups.nr; i++)
		if (counters_overflowed(&s->rollups.items[i].c))
			return fail(err, T_ELEDGER, COUNTERS_OVERFLOW_ERROR,
					path);
	return 0;
}

int summary_refresh(struct summary *s, const struct scope *sc,
		const struct summary_opts *o, struct strbuf *err)
{
	struct file_lock lk = FILE_LOCK_INIT;
	struct strbuf lockpath = STRBUF_INIT, ignored = STRBUF_INIT;
	struct stat st;
	int fd, ret, in_memory = 0;

	summary_reset(s);
	if (access(sc->dir, F_OK)) {
		/* Nothing was ever recorded here: nothing to cache. */
		s->timezone = xstrdup(timeutil_zone_id());
		return 0;
	}
	summary_lock_path(sc, &lockpath);
	if (lock_acquire(&lk, lockpath.buf, o->lock_timeout_ms, &ignored)) {
		if (errno == EWOULDBLOCK) {
			/* Another process is refreshing: use what is there. */
			strbuf_release(&lockpath);
			strbuf_release(&ignored);
			load_cache(s, sc->summary_path);
			s->stale = 1;
			return check_sums(s, sc->ledger_path, err);
		}
		/* A read-only scope: fold in memory, write nothing. */
		in_memory = 1;
	}
	strbuf_release(&lockpath);
	strbuf_release(&ignored);
	if (!in_memory)
		load_cache(s, sc->summary_path);
	ret = ledger_open_read(sc->ledger_path, &fd, err);
	if (!ret && fd < 0) {
		/* No ledger (yet, or any more): an empty summary. */
		memset(&st, 0, sizeof(st));
		if (s->offset || s->rollups.nr)
			start_over(s, &st, timeutil_zone_id());
		else if (!s->timezone)
			s->timezone = xstrdup(timeutil_zone_id());
	} else if (!ret) {
		if (fstat(fd, &st))
			ret = fail_errno(err, T_ELEDGER, "cannot stat '%s'",
					sc->ledger_path);
		if (!ret)
			ret = update(s, sc, o, &st, fd, in_memory, err);
		close(fd);
	}
	lock_release(&lk);
	return ret ? ret : check_sums(s, sc->ledger_path, err);
}

/* ---- alerts ---- */

int summary_claim_alert(const struct scope *sc, const struct summary_opts *o,
		const char *key, struct strbuf *err)
{
	struct file_lock lk = FILE_LOCK_INIT;
	struct strbuf lockpath = STRBUF_INIT;
	struct summary s;
	int ret;

	summary_lock_path(sc, &lockpath);
	ret = lock_acquire(&lk, lockpath.buf, o->lock_timeout_ms, err);
	strbuf_release(&lockpath);
	if (ret)
		return ret;
	summary_init(&s);
	load_cache(&s, sc->summary_path);
	ret = 1;
	for (size_t i = 0; i < s.nalerts && ret; i++)
		if (!strcmp(s.alerts[i], key))
			ret = 0;
	if (ret) {
		ALLOC_GROW(s.alerts, s.nalerts + 1, s.aalerts);
		s.alerts[s.nalerts++] = xstrdup(key);
		if (save_cache(&s, sc, o, err))
			ret = T_ELEDGER;
	}
	summary_release(&s);
	lock_release(&lk);
	return ret;
}
