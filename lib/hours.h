#ifndef TALLY_HOURS_H
#define TALLY_HOURS_H

#include <stddef.h>
#include <stdint.h>

#include "rollup.h"

/*
 * Usage by UTC hour: what the summary cache keeps so that the five-hour
 * block under way (blocks.h) can be told without reading the ledger.
 *
 * Each hour holds its first and last request and its counters, those of
 * requests at the very start of the hour apart: a block that began five
 * hours before ends exactly there, and such requests are still its own.
 * From the first and last request of each hour the blocks follow exactly
 * as blocks_from_times() makes them.
 *
 * The cache keeps the hours of the last HOURS_KEPT hours (and later
 * ones). Blocks start afresh after a gap of more than five hours, so the
 * block under way is known exactly when such a gap lies within the hours
 * kept, or between them and the last request of the hours dropped. So
 * that use without such a pause stays known too, the start of a block
 * known exactly is kept as an anchor before hours are dropped: the walk
 * starts there, knowing whether a request at its very moment would be
 * the block before's. Only a request before the anchor can move it (one
 * that
 * arrives late, from an import of old logs): then the anchor goes, and
 * until the next gap the caller asks the ledger.
 */

#define HOURS_KEPT 48

struct hour_bucket {
	int64_t hour;           /* its start, ms since the epoch, UTC */
	int64_t first, last;    /* its first and last request */
	struct counters c;      /* requests after the hour's start */
	struct counters at_start; /* requests at exactly the start */
};

struct hour_table {
	struct hour_bucket *items; /* by hour, oldest first */
	size_t nr, alloc;
	int64_t dropped_last;   /* the last request of the hours dropped */
	int64_t anchor;         /* a block start known exactly, or 0 */
	int anchor_edge;        /* requests at that moment: the block before */
	/*
	 * The largest blocks seen whole before their hours went: by tokens,
	 * and by cost (billed where billed, else estimated), so that a
	 * "max" block limit needs no ledger.
	 */
	struct counters largest_tokens, largest_cost;
};

void hours_init(struct hour_table *t);
void hours_release(struct hour_table *t);

/* The bucket of that hour, created empty when new. */
struct hour_bucket *hours_get(struct hour_table *t, int64_t hour);

/*
 * Adds (sign 1) or removes (sign -1) a usage entry's counters; rows of
 * other kinds are not usage and change nothing. A removal leaves first
 * and last as they were: a later version of an entry has its time.
 */
void hours_apply(struct hour_table *t, const struct entry *e, int sign);

/* A new request (not a new version of one): it may move the anchor. */
void hours_note_new(struct hour_table *t, const struct entry *e);

/*
 * Drops the hours before now - HOURS_KEPT hours, keeping the earliest
 * block start known exactly among those left as the anchor; the blocks
 * that began before the hours dropped are measured first (largest_*).
 */
void hours_prune(struct hour_table *t, int64_t now);

/* Adds src into dst (the anchors of two ledgers do not add up: none). */
void hours_merge(struct hour_table *dst, const struct hour_table *src);

struct hour_block {
	int64_t start, end;     /* end = start + BLOCK_MS */
	int64_t first, last;    /* its first and last request */
	struct counters c;
};

/*
 * The largest block before the one at now (by tokens, and by cost) of
 * those the hours kept or saw whole before they went: zero counters
 * when there is none. Blocks whose start the hours cannot tell for sure
 * (late rows of an old import) are not counted; a rebuild of the cache
 * counts every block of the ledger.
 */
void hours_largest_blocks(const struct hour_table *t, int64_t now,
		struct counters *by_tokens, struct counters *by_cost);

/*
 * The block under way at now (as blocks_active() judges it): returns 1
 * with *b filled, 0 when no block is under way, -1 when the hours kept
 * cannot tell.
 */
int hours_active_block(const struct hour_table *t, int64_t now,
		struct hour_block *b);

#endif
