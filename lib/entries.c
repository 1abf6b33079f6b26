#include "entries.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

int entries_read(struct entries *it, struct ledger_reader *rd,
		const char *path, const struct entries_opts *o,
		struct strbuf *err)
{
	struct ledger_line line;
	int ret;

	memset(it, 0, sizeof(*it));
	fold_init(&it->f, rd->fd);
	entry_init(&it->tmp);
	if (o->quiet)
		quiet_warnings++;
	while ((ret = ledger_reader_next(rd, &line, err)) > 0) {
		if (o->stop_at_torn && line.torn)
			break;
		if (ledger_parse_line(path, &line, &it->tmp))
			continue;
		if (o->row_seen)
			o->row_seen(&it->tmp, o->row_seen_data);
		if ((ret = fold_add(&it->f, &it->tmp, line.off,
				(uint32_t)line.len, err)))
			break;
	}
	if (o->quiet)
		quiet_warnings--;
	if (ret < 0)
		return ret;
	if (o->order == ENTRIES_NEWEST_FIRST)
		fold_sort_newest_first(&it->f);
	else if (o->order == ENTRIES_OLDEST_FIRST)
		fold_sort_oldest_first(&it->f);
	return 0;
}

int entries_get(struct entries *it, size_t i, struct entry *e,
		struct strbuf *err)
{
	if (i >= it->f.nr)
		BUG("entries_get(%zu) of %zu", i, it->f.nr);
	return fold_read(&it->f, &it->f.items[i], e, err);
}

const char *entries_row(const struct entries *it, size_t *len)
{
	*len = it->f.scratch.len;
	return it->f.scratch.buf;
}

ssize_t entries_find(struct entries *it, const char *id, struct strbuf *err)
{
	uint64_t h = fold_hash(id);

	for (size_t i = 0; i < it->f.nr; i++) {
		if (it->f.items[i].hash != h)
			continue;
		/* A hash match is confirmed: colliding ids never merge. */
		if (fold_read(&it->f, &it->f.items[i], &it->tmp, err))
			return T_ELEDGER;
		if (!strcmp(it->tmp.entry_id, id))
			return (ssize_t)i;
	}
	return -1;
}

void entries_release(struct entries *it)
{
	fold_release(&it->f);
	entry_release(&it->tmp);
}

/* One ledger of a walk: its reader, its entries and the next to give. */
struct walk_part {
	struct ledger_reader rd;
	struct entries it;
	size_t next;
	int open;
};

static int open_parts(struct walk_part *parts, const char *const *paths,
		size_t n, const struct entries_opts *o, struct strbuf *err)
{
	for (size_t i = 0; i < n; i++) {
		int ret = ledger_reader_open(&parts[i].rd, paths[i], 0, 0, err);

		parts[i].open = 1;
		if (!ret)
			ret = entries_read(&parts[i].it, &parts[i].rd, paths[i],
					o, err);
		else
			memset(&parts[i].it, 0, sizeof(parts[i].it));
		if (ret)
			return ret;
	}
	return 0;
}

static int comes_first(const struct walk_part *a, const struct walk_part *b,
		enum entries_order order)
{
	int64_t ta = a->it.f.items[a->next].time;
	int64_t tb = b->it.f.items[b->next].time;

	return order == ENTRIES_NEWEST_FIRST ? ta > tb : ta < tb;
}

/* The part whose next entry comes first in the order; NULL at the end. */
static struct walk_part *next_part(struct walk_part *parts, size_t n,
		enum entries_order order)
{
	struct walk_part *best = NULL;

	for (size_t i = 0; i < n; i++) {
		struct walk_part *p = &parts[i];

		if (p->next >= entries_count(&p->it))
			continue;
		if (!best)
			best = p;
		else if (order == ENTRIES_AS_FOLDED)
			break;
		else if (comes_first(p, best, order))
			best = p;
	}
	return best;
}

static void close_parts(struct walk_part *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!parts[i].open)
			continue;
		entries_release(&parts[i].it);
		ledger_reader_close(&parts[i].rd);
	}
	free(parts);
}

int for_each_entry_in(const char *const *paths, size_t n,
		const struct entries_opts *o, each_entry_fn fn, void *data,
		struct strbuf *err)
{
	struct walk_part *parts = xcalloc(n ? n : 1, sizeof(*parts));
	struct walk_part *p;
	struct entry e;
	int ret = open_parts(parts, paths, n, o, err);

	entry_init(&e);
	while (!ret && (p = next_part(parts, n, o->order))) {
		const char *row;
		size_t len;

		if ((ret = entries_get(&p->it, p->next++, &e, err)))
			break;
		row = entries_row(&p->it, &len);
		ret = fn(&e, row, len, data);
	}
	entry_release(&e);
	close_parts(parts, n);
	return ret;
}

int for_each_entry(const char *path, const struct entries_opts *o,
		each_entry_fn fn, void *data, struct strbuf *err)
{
	return for_each_entry_in(&path, 1, o, fn, data, err);
}
