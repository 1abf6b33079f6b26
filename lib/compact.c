#include "compact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fold.h"
#include "fsutil.h"
#include "entry-id.h"
#include "jsonw.h"
#include "rollup.h"
#include "rollup-detail.h"
#include "timeutil.h"
#include "banned.h"

#define REJECTED_FILE "usage-ledger.rejected.jsonl"

enum fate { KEEP, EXPIRE, EXCESS };

struct compaction {
	const struct compact_opts *o;
	struct compact_stats *st;
	struct fold f;
	struct strbuf rejected;     /* invalid lines, each with its newline */
	struct rollup_table rollups;
	struct rollup_detail detail; /* sessions, sources, states */
	unsigned char *fate;        /* per fold item */
	unsigned char *is_rollup;   /* per fold item */
	/* Per fold item: whether its latest row is in the rollups already. */
	unsigned char *counted;
	size_t counted_alloc;
	int64_t cutoff;             /* usage before it is past retention */
};

/* ---- reading ---- */

static void add_to_rollups(struct compaction *c, const struct entry *e,
		int sign)
{
	struct rollup_key key;
	struct counters cs;
	struct rollup *r;
	const char *project;
	size_t index;

	rollup_key_of(&c->rollups, e, &key);
	key.session = 0;
	project = entry_tag(e, "project");
	if (project)
		key.project = intern_id(&c->rollups.strings, project,
				strlen(project));
	counters_of_entry(e, &cs);
	/*
	 * The entries are gone, and cannot be synced or finish any more:
	 * their states are kept as counts by state, out of the totals that
	 * ask for action.
	 */
	cs.v[RC_N_PENDING] = cs.v[RC_N_SYNC_FAILED] = 0;
	cs.v[RC_N_IN_PROGRESS] = 0;
	r = rollup_get(&c->rollups, &key);
	counters_add(&r->c, &cs, sign);
	index = (size_t)(r - c->rollups.items);
	if (entry_is_usage(e))
		rollup_detail_add_entry(&c->detail, index, e, sign);
	else
		rollup_detail_add_json(&c->detail, index,
				e->rollup ? e->rollup : "{}", sign);
}

/*
 * Rollup rows and usage past retention go into the rollups as they are
 * read, so they need not be read twice; a row that supersedes a counted
 * one takes the earlier one's contribution out first.
 */
static int count_as_read(struct compaction *c, const struct entry *e,
		struct entry *tmp, struct strbuf *err)
{
	size_t i = c->f.last;
	const struct fold_item *it = &c->f.items[i];

	ALLOC_GROW(c->counted, c->f.nr, c->counted_alloc);
	if (!c->f.replaced.len) {
		c->counted[i] = 0;
	} else if (c->counted[i]) {
		if (fold_read(&c->f, &c->f.replaced, tmp, err))
			return T_ELEDGER;
		add_to_rollups(c, tmp, -1);
	}
	c->counted[i] = it->kind == FOLD_ROLLUP ||
		(it->kind == FOLD_USAGE && it->time < c->cutoff);
	if (c->counted[i])
		add_to_rollups(c, e, 1);
	return 0;
}


static int read_all(struct compaction *c, struct ledger_reader *r,
		const char *path, struct strbuf *err)
{
	struct ledger_line line;
	struct entry e, tmp;
	int ret;

	entry_init(&e);
	entry_init(&tmp);
	quiet_warnings++;
	while ((ret = ledger_reader_next(r, &line, err)) > 0) {
		const char *why;

		if (line.too_long || (entry_parse(&e, line.text, line.len, &why) &&
				(line.len || line.torn))) {
			/* Invalid (torn included): moved out, never dropped. */
			if ((ret = ledger_reader_raw(r, &line, &c->rejected,
					err)))
				break;
			strbuf_addch(&c->rejected, '\n');
			c->st->rejected++;
			continue;
		}
		if (!line.len)
			continue;
		c->st->rows++;
		if ((ret = fold_add(&c->f, &e, line.off, (uint32_t)line.len,
				err)) || (ret = count_as_read(c, &e, &tmp, err)))
			break;
	}
	quiet_warnings--;
	entry_release(&e);
	entry_release(&tmp);
	(void)path;
	return ret;
}

/* ---- deciding ---- */

static int by_time_newest_first(const void *a, const void *b)
{
	const struct fold_item *const *x = a, *const *y = b;

	if ((*x)->time != (*y)->time)
		return (*x)->time < (*y)->time ? 1 : -1;
	return (*x)->first < (*y)->first ? 1 : -1;
}

static void classify(struct compaction *c)
{
	struct fold_item **order = xcalloc(c->f.nr + 1, sizeof(*order));
	size_t n = 0, kept = 0;

	c->fate = xcalloc(c->f.nr + 1, 1);
	c->is_rollup = xcalloc(c->f.nr + 1, 1);
	for (size_t i = 0; i < c->f.nr; i++) {
		/* Rollup rows and quota snapshots are never pruned. */
		if (c->f.items[i].kind != FOLD_USAGE) {
			c->is_rollup[i] = c->f.items[i].kind == FOLD_ROLLUP;
			continue;
		}
		c->st->entries++;
		if (c->f.items[i].time < c->cutoff) {
			c->fate[i] = EXPIRE;
			c->st->expired++;
		} else {
			order[n++] = &c->f.items[i];
		}
	}
	qsort(order, n, sizeof(*order), by_time_newest_first);
	for (size_t i = 0; i < n; i++) {
		if (c->o->max_entries > 0 && kept >= (size_t)c->o->max_entries) {
			c->fate[order[i] - c->f.items] = EXCESS;
			c->st->excess++;
		} else {
			kept++;
		}
	}
	free(order);
}

/* ---- rollups of what goes ---- */

/* The entries beyond max_entries: known only once everything is read. */
static int gather_excess(struct compaction *c, struct strbuf *err)
{
	struct entry e;
	int ret = 0;

	entry_init(&e);
	for (size_t i = 0; i < c->f.nr && !ret; i++) {
		if (c->fate[i] != EXCESS)
			continue;
		if ((ret = fold_read(&c->f, &c->f.items[i], &e, err)))
			break;
		add_to_rollups(c, &e, 1);
	}
	entry_release(&e);
	return ret;
}

static void rollup_row(struct compaction *c, size_t index,
		struct strbuf *out)
{
	const struct rollup *r = &c->rollups.items[index];
	struct jsonw w;
	const struct intern *str = &c->rollups.strings;
	struct strbuf id = STRBUF_INIT, day = STRBUF_INIT, json = STRBUF_INIT;
	struct strbuf src = STRBUF_INIT, dev = STRBUF_INIT, label = STRBUF_INIT;
	const char *project = r->key.project ?
		intern_str(str, r->key.project) : NULL;
	const char *source = rollup_source(str, &r->key);
	const char *device = rollup_device(str, &r->key);
	/*
	 * A project, a source and another device join the id; ids of
	 * rollups without them stay as ever.
	 */
	const char *parts[8] = { "rollup", day.buf,
		intern_str(str, r->key.provider),
		intern_str(str, r->key.model) };
	size_t np = 4;
	struct entry e;

	strbuf_addf(&day, "%d", (int)r->key.day);
	parts[1] = day.buf;
	if (project)
		parts[np++] = project;
	if (source) {
		strbuf_addf(&src, "source=%s", source);
		parts[np++] = src.buf;
	}
	if (device) {
		strbuf_addf(&dev, "device=%s", device);
		parts[np++] = dev.buf;
	}
	parts[np] = NULL;
	id_derived(&id, "r_", parts);
	jw_init(&w, &json, JW_COMPACT);
	jw_object_begin(&w);
	/* Its day by name: readers in another zone keep it on that day. */
	day_key(&label, r->key.day);
	jw_kv_string(&w, "day", label.buf);
	counters_json_members(&w, &r->c);
	rollup_detail_members(&c->detail, index, &w);
	jw_object_end(&w);
	entry_init(&e);
	entry_set_str(&e, EF_ENTRY_ID, id.buf);
	if (r->key.provider)
		entry_set_str(&e, EF_PROVIDER_ID, intern_str(str, r->key.provider));
	if (r->key.model)
		entry_set_str(&e, EF_MODEL_ID, intern_str(str, r->key.model));
	entry_set_int(&e, EF_STARTED_AT, local_day_to_ms(r->key.day));
	entry_set_int(&e, EF_COMPLETED_AT, local_day_to_ms(r->key.day + 1));
	if (project)
		entry_set_tag(&e, "project", project);
	/* Older rollups summed every source: theirs is "rollup". */
	entry_set_str(&e, EF_SOURCE, source ? source : "rollup");
	entry_set_str(&e, EF_KIND, KIND_ROLLUP);
	entry_set_int(&e, EF_RECORDED_AT, c->o->now);
	/* A rollup of another device's rows is that device's. */
	if (device)
		entry_set_str(&e, EF_DEVICE_ID, device);
	entry_set_raw(&e, EF_ROLLUP, json.buf);
	entry_to_row(out, &e);
	entry_release(&e);
	strbuf_release(&id);
	strbuf_release(&day);
	strbuf_release(&label);
	strbuf_release(&src);
	strbuf_release(&dev);
	strbuf_release(&json);
}

/* Never write a rollup whose sums left the range they are exact in. */
static int check_rollups(const struct compaction *c, const char *path,
		struct strbuf *err)
{
	for (size_t i = 0; i < c->rollups.nr; i++)
		if (counters_overflowed(&c->rollups.items[i].c))
			return fail(err, T_ELEDGER, "not compacting: "
					COUNTERS_OVERFLOW_ERROR, path);
	return 0;
}

/* ---- writing ---- */

static int write_new(struct compaction *c, struct ledger *l,
		struct strbuf *err)
{
	struct ledger_rewrite rw;
	struct strbuf row = STRBUF_INIT;
	int ret;

	rollup_detail_sort(&c->detail);
	ret = ledger_rewrite_begin(l, &rw, err);
	for (size_t i = 0; !ret && i < c->rollups.nr; i++) {
		if (counters_empty(&c->rollups.items[i].c))
			continue;
		strbuf_reset(&row);
		rollup_row(c, i, &row);
		c->st->rollup_rows++;
		c->st->bytes_after += row.len;
		ret = ledger_rewrite_add(&rw, row.buf, row.len, err);
	}
	/* Kept rows are copied byte for byte: compaction never edits one. */
	for (size_t i = 0; !ret && i < c->f.nr; i++) {
		if (c->fate[i] != KEEP || c->is_rollup[i])
			continue;
		if ((ret = fold_read_raw(&c->f, &c->f.items[i], &row, err)))
			break;
		strbuf_addch(&row, '\n');
		c->st->bytes_after += row.len;
		c->st->kept++;
		ret = ledger_rewrite_add(&rw, row.buf, row.len, err);
	}
	if (!ret)
		ret = ledger_rewrite_commit(&rw, err);
	else
		ledger_rewrite_abort(&rw);
	strbuf_release(&row);
	return ret;
}

int ledger_compact_locked(struct ledger *l, const struct compact_opts *o,
		struct compact_stats *st, struct strbuf *err)
{
	struct compaction c = { .o = o, .st = st };
	struct ledger_reader r;
	int ret;

	memset(st, 0, sizeof(*st));
	strbuf_init(&c.rejected, 0);
	rollup_table_init(&c.rollups);
	rollup_detail_init(&c.detail, &c.rollups.strings);
	ret = ledger_reader_open(&r, l->path, 0, 0, err);
	fold_init(&c.f, r.fd);
	c.cutoff = o->retention_days > 0 ?
		o->now - o->retention_days * MS_PER_DAY : INT64_MIN;
	if (!ret && r.fd >= 0) {
		struct stat sb;

		if (!fstat(r.fd, &sb))
			st->bytes_before = (uint64_t)sb.st_size;
		ret = read_all(&c, &r, l->path, err);
		/* Items are in the order entries were first written: kept. */
		if (!ret)
			classify(&c);
		if (!ret)
			ret = gather_excess(&c, err);
		if (!ret)
			ret = check_rollups(&c, l->path, err);
		st->superseded = st->rows - c.f.nr;
		if (!ret && !o->dry_run && c.rejected.len)
			ret = ledger_append_beside(l, REJECTED_FILE, c.rejected.buf,
					c.rejected.len, err);
		if (!ret && !o->dry_run)
			ret = write_new(&c, l, err);
	}
	free(c.fate);
	free(c.is_rollup);
	free(c.counted);
	fold_release(&c.f);
	rollup_detail_release(&c.detail);
	rollup_table_release(&c.rollups);
	strbuf_release(&c.rejected);
	ledger_reader_close(&r);
	return ret;
}

int ledger_compact(struct ledger *l, const struct compact_opts *o,
		struct compact_stats *st, struct strbuf *err)
{
	int ret = ledger_lock(l, err);

	if (ret)
		return ret;
	ret = ledger_compact_locked(l, o, st, err);
	ledger_unlock(l);
	return ret;
}

/* ---- automatic ---- */

/* Whether the oldest usage rows at the start are past retention. */
static int too_old(int fd, const struct compact_opts *o)
{
	int64_t cutoff = o->now - o->retention_days * MS_PER_DAY * 11 / 10;
	char buf[16384];
	ssize_t n = pread_all(fd, buf, sizeof(buf), 0);
	struct entry e;
	int old = 0;

	if (o->retention_days <= 0 || n <= 0)
		return 0;
	entry_init(&e);
	for (ssize_t start = 0, i = 0; i < n; i++) {
		const char *why;

		if (buf[i] != '\n')
			continue;
		if (!entry_parse(&e, buf + start, (size_t)(i - start), &why) &&
		    (!e.kind || (strcmp(e.kind, KIND_ROLLUP) &&
				 strcmp(e.kind, KIND_QUOTA)))) {
			old = entry_time(&e) < cutoff;
			break;
		}
		start = i + 1;
	}
	entry_release(&e);
	return old;
}

static uint64_t count_lines(int fd)
{
	char buf[65536];
	uint64_t lines = 0;
	off_t off = 0;
	ssize_t n;

	while ((n = pread_all(fd, buf, sizeof(buf), off)) > 0) {
		for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p)));
		     p++)
			lines++;
		off += n;
	}
	return lines;
}

int ledger_auto_compact_locked(struct ledger *l, const struct compact_opts *o,
		struct compact_stats *st, struct strbuf *err)
{
	struct stat sb;
	int fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), due = 0;

	if (fd < 0)
		return 0;
	if (!fstat(fd, &sb)) {
		/* No row is shorter than 100 bytes: only then count lines. */
		uint64_t limit = (uint64_t)o->max_entries * 5 / 4;

		/* An import that wrote that many rows need not count them. */
		due = o->max_entries > 0 && (o->rows_known > limit ||
		      ((uint64_t)sb.st_size > (uint64_t)o->max_entries * 125 &&
		       count_lines(fd) > limit));
		due = due || too_old(fd, o);
	}
	close(fd);
	memset(st, 0, sizeof(*st));
	if (!due)
		return 0;
	return ledger_compact_locked(l, o, st, err) ? T_ELEDGER : 1;
}
