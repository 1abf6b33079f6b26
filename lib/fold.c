#include "fold.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fsutil.h"
#include "banned.h"

#define FOLD_WINDOW ((size_t)256 << 10)

uint64_t fold_hash(const char *s)
{
	return hash_bytes(s, strlen(s));
}

void fold_init(struct fold *f, int fd)
{
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	strbuf_init(&f->scratch, 0);
	strbuf_init(&f->window, 0);
	entry_init(&f->tmp);
}

void fold_release(struct fold *f)
{
	free(f->items);
	hash_index_release(&f->ix);
	strbuf_release(&f->scratch);
	strbuf_release(&f->window);
	entry_release(&f->tmp);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

static uint64_t hash_of(size_t pos, const void *data)
{
	return ((const struct fold_item *)data)[pos].hash;
}

int fold_read_raw(struct fold *f, const struct fold_item *it,
		struct strbuf *out, struct strbuf *err)
{
	uint64_t end = it->off + it->len;
	ssize_t n;

	/*
	 * The ledger only grows while a fold is in use (rewrites rename a
	 * new file in), so bytes read once stay true.
	 */
	if (it->off < f->window_off || end > f->window_off + f->window.len) {
		size_t want = it->len > FOLD_WINDOW ? it->len : FOLD_WINDOW;

		strbuf_reset(&f->window);
		strbuf_grow(&f->window, want);
		n = pread_all(f->fd, f->window.buf, want, (off_t)it->off);
		if (n < (ssize_t)it->len) {
			strbuf_reset(&f->window);
			return fail_errno(err, T_ELEDGER,
					"cannot read back a ledger row");
		}
		strbuf_setlen(&f->window, (size_t)n);
		f->window_off = it->off;
	}
	strbuf_reset(out);
	strbuf_add(out, f->window.buf + (it->off - f->window_off), it->len);
	return 0;
}

int fold_read(struct fold *f, const struct fold_item *it, struct entry *e,
		struct strbuf *err)
{
	const char *why;

	if (fold_read_raw(f, it, &f->scratch, err))
		return T_ELEDGER;
	if (entry_parse(e, f->scratch.buf, f->scratch.len, &why))
		return fail(err, T_ELEDGER, "ledger row changed under us (%s)",
				why);
	return 0;
}

/* Whether the item's row belongs to the entry named id. */
static int same_entry(struct fold *f, const struct fold_item *it,
		const char *id, struct strbuf *err)
{
	if (fold_read(f, it, &f->tmp, err))
		return -1;
	return !strcmp(f->tmp.entry_id, id);
}

static uint32_t kind_of(const struct entry *e)
{
	if (!e->kind)
		return FOLD_USAGE;
	if (!strcmp(e->kind, KIND_ROLLUP))
		return FOLD_ROLLUP;
	return strcmp(e->kind, KIND_QUOTA) ? FOLD_USAGE : FOLD_QUOTA;
}

int fold_add(struct fold *f, const struct entry *e, uint64_t off, uint32_t len,
		struct strbuf *err)
{
	uint64_t h = fold_hash(e->entry_id);
	struct fold_item *it;
	struct hash_probe p;
	size_t pos;

	f->replaced.len = 0;
	hash_index_make_room(&f->ix, hash_of, f->items);
	for (pos = hash_index_first(&f->ix, h, &p); pos != HASH_INDEX_NONE;
	     pos = hash_index_next(&f->ix, &p)) {
		it = &f->items[pos];
		if (it->hash != h)
			continue;
		switch (same_entry(f, it, e->entry_id, err)) {
		case -1:
			return T_ELEDGER;
		case 1:
			f->replaced = *it;
			f->last = (size_t)(it - f->items);
			it->time = entry_time(e);
			it->off = off;
			it->len = len;
			it->kind = kind_of(e);
			return 0;
		}
	}
	ALLOC_GROW(f->items, f->nr + 1, f->alloc);
	it = &f->items[f->nr++];
	it->hash = h;
	it->time = entry_time(e);
	it->first = off;
	it->off = off;
	it->len = len;
	it->kind = kind_of(e);
	f->last = f->nr - 1;
	hash_index_add(&f->ix, &p, f->last);
	return 0;
}

static int newest_first(const void *a, const void *b)
{
	const struct fold_item *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? 1 : -1;
	if (x->first != y->first)
		return x->first < y->first ? 1 : -1;
	return 0;
}

static int oldest_first(const void *a, const void *b)
{
	return newest_first(b, a);
}

void fold_sort_oldest_first(struct fold *f)
{
	if (f->nr)
		qsort(f->items, f->nr, sizeof(*f->items), oldest_first);
	hash_index_release(&f->ix);
}

void fold_sort_newest_first(struct fold *f)
{
	if (f->nr)
		qsort(f->items, f->nr, sizeof(*f->items), newest_first);
	/* The slot table indexes the old order; it is not needed any more. */
	hash_index_release(&f->ix);
}
