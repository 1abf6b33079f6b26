#ifndef TALLY_HASH_INDEX_H
#define TALLY_HASH_INDEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * The one hash table: an index from 64-bit hashes to the positions of
 * items in an array the caller keeps (open addressing, linear probing,
 * at most 3/4 full). The caller decides what makes two items the same,
 * so one index serves sets of hashes, interned strings, rollup keys, the
 * fold's entries and the importers' keys:
 *
 *	struct hash_probe p;
 *
 *	hash_index_make_room(&ix, hash_of, items);   (only to add)
 *	for (pos = hash_index_first(&ix, h, &p); pos != HASH_INDEX_NONE;
 *	     pos = hash_index_next(&ix, &p))
 *		if (same(&items[pos], ...))
 *			return pos;
 *	pos = <append the item>;
 *	hash_index_add(&ix, &p, pos);
 *
 * Zero-init is an empty index. summary-index.h keeps its own table: it
 * is a file, mapped and probed in place.
 */
struct hash_index {
	uint32_t *slots;   /* 1 + an item's position; 0 is an empty slot */
	size_t nslots;     /* a power of two, or 0 */
	size_t nr;
};

#define HASH_INDEX_NONE SIZE_MAX

struct hash_probe {
	size_t slot;
};

static inline size_t hash_index_at(const struct hash_index *ix,
		const struct hash_probe *p)
{
	uint32_t v = ix->nslots ? ix->slots[p->slot] : 0;

	return v ? (size_t)v - 1 : HASH_INDEX_NONE;
}

/* The first item whose slot h probes, or HASH_INDEX_NONE. */
static inline size_t hash_index_first(const struct hash_index *ix,
		uint64_t h, struct hash_probe *p)
{
	p->slot = ix->nslots ? (size_t)h & (ix->nslots - 1) : 0;
	return hash_index_at(ix, p);
}

/* The next one, or HASH_INDEX_NONE: p then names an empty slot. */
static inline size_t hash_index_next(const struct hash_index *ix,
		struct hash_probe *p)
{
	p->slot = (p->slot + 1) & (ix->nslots - 1);
	return hash_index_at(ix, p);
}

/*
 * Makes room for one more item, growing (and placing every item again
 * by hash_of(pos, data)) when the index would pass 3/4 full. Call it
 * before the probe that ends in hash_index_add().
 */
void hash_index_make_room(struct hash_index *ix,
		uint64_t (*hash_of)(size_t pos, const void *data),
		const void *data);

/*
 * Sizes the index for n items at once (a table read from a file), so it
 * does not double its way there.
 */
void hash_index_reserve(struct hash_index *ix, size_t n,
		uint64_t (*hash_of)(size_t pos, const void *data),
		const void *data);

/* Records that the item at pos lives in the empty slot p ended on. */
static inline void hash_index_add(struct hash_index *ix,
		const struct hash_probe *p, size_t pos)
{
	ix->slots[p->slot] = (uint32_t)(pos + 1);
	ix->nr++;
}

void hash_index_release(struct hash_index *ix);

/* 64-bit FNV-1a of bytes, its high bits mixed down into the low ones. */
uint64_t hash_bytes(const void *p, size_t len);

#endif
