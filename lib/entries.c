#include "entries.h"

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

int for_each_entry(const char *path, const struct entries_opts *o,
		int (*fn)(struct entry *e, const char *row, size_t len,
			void *data),
		void *data, struct strbuf *err)
{
	struct ledger_reader rd;
	struct entries it;
	struct entry e;
	int ret;

	ret = ledger_reader_open(&rd, path, 0, 0, err);
	if (ret) {
		ledger_reader_close(&rd);
		return ret;
	}
	ret = entries_read(&it, &rd, path, o, err);
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
	ledger_reader_close(&rd);
	return ret;
}
