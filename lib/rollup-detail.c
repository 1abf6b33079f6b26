#include "rollup-detail.h"

#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "intern.h"
#include "jsonscan.h"
#include "jsonw.h"
#include "mempool.h"
#include "strbuf.h"
#include "banned.h"

/* The largest count read from a row: far past any real one. */
#define COUNT_MAX (INT64_MAX / 4)

enum detail_dim {
	RD_SESSION,     /* one item per distinct session */
	RD_CARRIED,     /* sessions counted by earlier rollup rows */
	RD_SOURCE,
	RD_STATUS,
	RD_SYNC_STATUS,
	RD__COUNT
};

/* The object members of the counted dimensions, by enum detail_dim. */
static const char *const member_names[RD__COUNT] = {
	NULL, NULL, "bySource", "byStatus", "bySyncStatus",
};

struct rollup_detail_item {
	uint32_t rollup;
	uint32_t value;     /* an id in the strings */
	uint8_t dim;
	int64_t count;
};

void rollup_detail_init(struct rollup_detail *d, struct intern *strings)
{
	memset(d, 0, sizeof(*d));
	d->strings = strings;
}

void rollup_detail_release(struct rollup_detail *d)
{
	free(d->items);
	hash_index_release(&d->ix);
	memset(d, 0, sizeof(*d));
}

static uint64_t key_hash(uint32_t rollup, uint8_t dim, uint32_t value)
{
	uint64_t k[2] = { (uint64_t)rollup << 8 | dim, value };

	return hash_bytes(k, sizeof(k));
}

static uint64_t hash_of(size_t pos, const void *data)
{
	const struct rollup_detail_item *it =
		&((const struct rollup_detail_item *)data)[pos];

	return key_hash(it->rollup, it->dim, it->value);
}

static void add(struct rollup_detail *d, size_t rollup, enum detail_dim dim,
		uint32_t value, int64_t count)
{
	struct rollup_detail_item *it;
	struct hash_probe p;
	size_t pos;

	hash_index_make_room(&d->ix, hash_of, d->items);
	for (pos = hash_index_first(&d->ix, key_hash((uint32_t)rollup, dim,
			value), &p); pos != HASH_INDEX_NONE;
	     pos = hash_index_next(&d->ix, &p)) {
		it = &d->items[pos];
		if (it->rollup == rollup && it->dim == dim &&
		    it->value == value) {
			/* Counts from a ledger may be absurd: never wrap. */
			if (__builtin_add_overflow(it->count, count,
					&it->count))
				it->count = count > 0 ? INT64_MAX : INT64_MIN;
			return;
		}
	}
	ALLOC_GROW(d->items, d->nr + 1, d->alloc);
	it = &d->items[d->nr];
	it->rollup = (uint32_t)rollup;
	it->dim = (uint8_t)dim;
	it->value = value;
	it->count = count;
	hash_index_add(&d->ix, &p, d->nr++);
}

static void add_str(struct rollup_detail *d, size_t rollup,
		enum detail_dim dim, const char *value, int sign)
{
	/* An entry without the field has nothing to count there. */
	if (value && *value)
		add(d, rollup, dim, intern_id(d->strings, value,
				strlen(value)), sign);
}

void rollup_detail_add_entry(struct rollup_detail *d, size_t rollup,
		const struct entry *e, int sign)
{
	add_str(d, rollup, RD_SESSION, entry_get_str(e, EF_SESSION_RESOURCE),
			sign);
	add_str(d, rollup, RD_SOURCE, entry_get_str(e, EF_SOURCE), sign);
	add_str(d, rollup, RD_STATUS, entry_get_str(e, EF_STATUS), sign);
	add_str(d, rollup, RD_SYNC_STATUS, entry_get_str(e, EF_SYNC_STATUS),
			sign);
}

static int add_counts(struct rollup_detail *d, size_t rollup,
		enum detail_dim dim, struct jscan *s, int sign)
{
	struct mempool pool = MEMPOOL_INIT;
	struct js_span key;
	int r;

	if (js_object_begin(s))
		return -1;
	while ((r = js_member(s, &key)) > 0) {
		int64_t n;
		const char *name = key.escaped ? js_unescape(&key, &pool) :
			mempool_strndup(&pool, key.p, key.len);

		if (!name || js_int64(s, &n) || n < 0 || n > COUNT_MAX) {
			r = -1;
			break;
		}
		if (*name)
			add(d, rollup, dim, intern_id(d->strings, name,
					strlen(name)), sign * n);
	}
	mempool_release(&pool);
	return r;
}

static int add_session_ids(struct rollup_detail *d, size_t rollup,
		struct jscan *s, int sign)
{
	struct mempool pool = MEMPOOL_INIT;
	int r;

	if (js_array_begin(s))
		return -1;
	while ((r = js_element(s)) > 0) {
		struct js_span sp;
		const char *id;

		if (js_string(s, &sp)) {
			r = -1;
			break;
		}
		id = sp.escaped ? js_unescape(&sp, &pool) :
			mempool_strndup(&pool, sp.p, sp.len);
		if (!id) {
			r = -1;
			break;
		}
		add_str(d, rollup, RD_SESSION, id, sign);
		mempool_reset(&pool);
	}
	mempool_release(&pool);
	return r;
}

int rollup_detail_add_json(struct rollup_detail *d, size_t rollup,
		const char *json, int sign)
{
	struct jscan s;
	struct js_span key;
	int64_t sessions = 0;
	int has_ids = 0, r;

	js_init(&s, json, strlen(json));
	if (js_object_begin(&s))
		return -1;
	while ((r = js_member(&s, &key)) > 0) {
		enum detail_dim dim = RD__COUNT;
		int64_t n;

		for (int i = RD_SOURCE; i < RD__COUNT; i++)
			if (js_key_is(&key, member_names[i]))
				dim = (enum detail_dim)i;
		if (dim != RD__COUNT) {
			r = add_counts(d, rollup, dim, &s, sign);
		} else if (js_key_is(&key, "sessions")) {
			r = js_int64(&s, &n);
			if (!r && (n < 0 || n > COUNT_MAX))
				r = -1;
			sessions = n;
		} else if (js_key_is(&key, "sessionIds")) {
			r = add_session_ids(d, rollup, &s, sign);
			has_ids = 1;
		} else {
			r = js_skip(&s);
		}
		if (r)
			return -1;
	}
	/* Without their ids, sessions can only be added as a number. */
	if (!r && !has_ids && sessions > 0)
		add(d, rollup, RD_CARRIED, 0, sign * sessions);
	return r;
}

static const struct intern *sort_strings;

static int by_rollup_dim_value(const void *a, const void *b)
{
	const struct rollup_detail_item *x = a, *y = b;

	if (x->rollup != y->rollup)
		return x->rollup < y->rollup ? -1 : 1;
	if (x->dim != y->dim)
		return x->dim < y->dim ? -1 : 1;
	return strcmp(intern_str(sort_strings, x->value),
			intern_str(sort_strings, y->value));
}

void rollup_detail_sort(struct rollup_detail *d)
{
	sort_strings = d->strings;
	if (d->nr)
		qsort(d->items, d->nr, sizeof(*d->items), by_rollup_dim_value);
	hash_index_release(&d->ix);
}

/* The first item of rollup, by binary search over the sorted items. */
static size_t first_of(const struct rollup_detail *d, size_t rollup)
{
	size_t lo = 0, hi = d->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->items[mid].rollup < rollup)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void rollup_detail_members(const struct rollup_detail *d, size_t rollup,
		struct jsonw *w)
{
	size_t i = first_of(d, rollup), end = i;
	int64_t sessions = 0, carried = 0;
	int open = -1;

	while (end < d->nr && d->items[end].rollup == rollup)
		end++;
	for (size_t j = i; j < end; j++) {
		const struct rollup_detail_item *it = &d->items[j];

		if (it->dim == RD_SESSION)
			sessions += it->count > 0;
		else if (it->dim == RD_CARRIED && it->count > 0)
			carried = it->count;
	}
	if (carried > COUNT_MAX)
		carried = COUNT_MAX;
	if (sessions + carried > 0)
		jw_kv_int(w, "sessions", sessions + carried);
	if (sessions > 0 && !carried && sessions <= ROLLUP_SESSION_IDS_MAX) {
		jw_key(w, "sessionIds");
		jw_array_begin(w);
		for (size_t j = i; j < end; j++)
			if (d->items[j].dim == RD_SESSION &&
			    d->items[j].count > 0)
				jw_string(w, intern_str(d->strings,
						d->items[j].value));
		jw_array_end(w);
	}
	for (; i < end; i++) {
		const struct rollup_detail_item *it = &d->items[i];

		if (!member_names[it->dim] || it->count <= 0)
			continue;
		if (open != it->dim) {
			if (open >= 0)
				jw_object_end(w);
			jw_key(w, member_names[it->dim]);
			jw_object_begin(w);
			open = it->dim;
		}
		jw_kv_int(w, intern_str(d->strings, it->value), it->count);
	}
	if (open >= 0)
		jw_object_end(w);
}
