#ifndef TALLY_ROLLUP_DETAIL_H
#define TALLY_ROLLUP_DETAIL_H

#include <stddef.h>
#include <stdint.h>

#include "hash-index.h"

/*
 * What a compaction rollup row keeps of its entries beyond their sums:
 * how many distinct sessions they came from, and how many had each
 * source, status and sync status. Written into the row's rollup object
 * as "sessions", "bySource", "byStatus" and "bySyncStatus", so that
 * compaction loses none of the dimensions the entries had. While a
 * rollup has at most ROLLUP_SESSION_IDS_MAX sessions their ids are kept
 * too ("sessionIds"), so that a later compaction adding to the same day
 * counts each session once; past that only the count is kept, and later
 * additions add to it.
 *
 * Rollups are named by their index in the caller's rollup table; value
 * strings live in the caller's intern table, which must outlive this.
 */
struct intern;
struct entry;
struct jsonw;

#define ROLLUP_SESSION_IDS_MAX 64

struct rollup_detail_item;

struct rollup_detail {
	struct rollup_detail_item *items;
	size_t nr, alloc;
	struct hash_index ix;
	struct intern *strings;
};

void rollup_detail_init(struct rollup_detail *d, struct intern *strings);
void rollup_detail_release(struct rollup_detail *d);

/* Adds (sign 1) or takes out (sign -1) one usage entry of rollup. */
void rollup_detail_add_entry(struct rollup_detail *d, size_t rollup,
		const struct entry *e, int sign);

/*
 * Adds (or takes out) what an earlier rollup row's object kept: the
 * sessions by id when it has them, else their count as it is. Returns 0, or -1 for an object it cannot read.
 */
int rollup_detail_add_json(struct rollup_detail *d, size_t rollup,
		const char *json, int sign);

/*
 * Orders the items by rollup, ready for rollup_detail_members(); call it
 * once all is added.
 */
void rollup_detail_sort(struct rollup_detail *d);

/* Writes rollup's members into the open object w; after sorting. */
void rollup_detail_members(const struct rollup_detail *d, size_t rollup,
		struct jsonw *w);

#endif
