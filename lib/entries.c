#include "entries.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

static int fold_rows(struct fold *f, struct ledger_reader *rd,
		const char *path, const struct entries_opts *o,
		struct entry *tmp, struct strbuf *err)
{
	struct ledger_line line;
	int ret;

	fold_init(f, rd->fd);
	if (o->quiet)
		quiet_warnings++;
	while ((ret = ledger_reader_next(rd, &line, err)) > 0) {
		if (o->stop_at_torn && line.torn)
			break;
		if (ledger_parse_line(path, &line, tmp))
			continue;
		if (o->row_seen)
			o->row_seen(tmp, o->row_seen_data);
		if ((ret = fold_add(f, tmp, line.off, (uint32_t)line.len,
				err)))
			break;
	}
	if (o->quiet)
		quiet_warnings--;
	if (ret < 0)
		return ret;
	if (o->order == ENTRIES_NEWEST_FIRST)
		fold_sort_newest_first(f);
	else if (o->order == ENTRIES_OLDEST_FIRST)
		fold_sort_oldest_first(f);
	return 0;
}

int entries_read(struct entries *it, struct ledger_reader *rd,
		const char *path, const struct entries_opts *o,
		struct strbuf *err)
{
	memset(it, 0, sizeof(*it));
	entry_init(&it->tmp);
	it->order = o->order;
	it->last = &it->f;
	return fold_rows(&it->f, rd, path, o, &it->tmp, err);
}

static struct fold *part(struct entries *it, uint32_t p)
{
	return p ? &it->more[p - 1] : &it->f;
}

/* Whether a's next entry goes before b's in the order. */
static int goes_first(const struct fold *a, size_t ia, const struct fold *b,
		size_t ib, enum entries_order order)
{
	int64_t ta = a->items[ia].time, tb = b->items[ib].time;

	return order == ENTRIES_NEWEST_FIRST ? ta > tb : ta < tb;
}

/* The order of every ledger's entries, merged: a k-way merge by time. */
static void merge(struct entries *it)
{
	size_t nparts = it->nmore + 1, *next = xcalloc(nparts, sizeof(*next));

	it->nr = 0;
	for (size_t p = 0; p < nparts; p++)
		it->nr += part(it, (uint32_t)p)->nr;
	free(it->merged);
	it->merged = xcalloc(it->nr ? it->nr : 1, sizeof(*it->merged));
	for (size_t n = 0; n < it->nr; n++) {
		size_t best = SIZE_MAX;

		for (size_t p = 0; p < nparts; p++) {
			const struct fold *f = part(it, (uint32_t)p);

			if (next[p] >= f->nr)
				continue;
			if (best == SIZE_MAX)
				best = p;
			else if (it->order == ENTRIES_AS_FOLDED)
				break;
			else if (goes_first(f, next[p], part(it, (uint32_t)best),
					next[best], it->order))
				best = p;
		}
		it->merged[n].part = (uint32_t)best;
		it->merged[n].item = (uint32_t)next[best]++;
	}
	free(next);
}

int entries_add(struct entries *it, struct ledger_reader *rd,
		const char *path, const struct entries_opts *o,
		struct strbuf *err)
{
	struct fold *f;
	int ret;

	it->more = xrealloc(it->more, (it->nmore + 1) * sizeof(*it->more));
	f = &it->more[it->nmore++];
	ret = fold_rows(f, rd, path, o, &it->tmp, err);
	if (!ret)
		merge(it);
	return ret;
}

int entries_get(struct entries *it, size_t i, struct entry *e,
		struct strbuf *err)
{
	struct fold *f = &it->f;
	size_t item = i;

	if (i >= entries_count(it))
		BUG("entries_get(%zu) of %zu", i, entries_count(it));
	if (it->merged) {
		f = part(it, it->merged[i].part);
		item = it->merged[i].item;
	}
	it->last = f;
	return fold_read(f, &f->items[item], e, err);
}

size_t entries_ledger(const struct entries *it, size_t i)
{
	return it->merged ? it->merged[i].part : 0;
}

const char *entries_row(const struct entries *it, size_t *len)
{
	*len = it->last->scratch.len;
	return it->last->scratch.buf;
}

ssize_t entries_find(struct entries *it, const char *id, struct strbuf *err)
{
	uint64_t h = fold_hash(id);

	for (size_t i = 0; i < entries_count(it); i++) {
		const struct fold *f = &it->f;
		size_t item = i;

		if (it->merged) {
			f = part(it, it->merged[i].part);
			item = it->merged[i].item;
		}
		if (f->items[item].hash != h)
			continue;
		/* A hash match is confirmed: colliding ids never merge. */
		if (entries_get(it, i, &it->tmp, err))
			return T_ELEDGER;
		if (!strcmp(it->tmp.entry_id, id))
			return (ssize_t)i;
	}
	return -1;
}

void entries_release(struct entries *it)
{
	fold_release(&it->f);
	for (size_t i = 0; i < it->nmore; i++)
		fold_release(&it->more[i]);
	free(it->more);
	free(it->merged);
	entry_release(&it->tmp);
}

int for_each_entry_in(const char *const *paths, size_t n,
		const struct entries_opts *o, each_entry_fn fn, void *data,
		struct strbuf *err)
{
	struct ledger_reader *rd = xcalloc(n ? n : 1, sizeof(*rd));
	struct entries it;
	struct entry e;
	size_t opened = 0;
	int ret = 0;

	memset(&it, 0, sizeof(it));
	entry_init(&it.tmp);
	for (; !ret && opened < n; opened++) {
		ret = ledger_reader_open(&rd[opened], paths[opened], 0, 0, err);
		if (!ret && !opened)
			ret = entries_read(&it, &rd[0], paths[0], o, err);
		else if (!ret)
			ret = entries_add(&it, &rd[opened], paths[opened], o,
					err);
	}
	entry_init(&e);
	for (size_t i = 0; !ret && i < entries_count(&it); i++) {
		const char *row;
		size_t len;

		if ((ret = entries_get(&it, i, &e, err)))
			break;
		row = entries_row(&it, &len);
		ret = fn(&e, row, len, data);
	}
	entry_release(&e);
	entries_release(&it);
	for (size_t i = 0; i < opened; i++)
		ledger_reader_close(&rd[i]);
	free(rd);
	return ret;
}

int for_each_entry(const char *path, const struct entries_opts *o,
		each_entry_fn fn, void *data, struct strbuf *err)
{
	return for_each_entry_in(&path, 1, o, fn, data, err);
}
