#ifndef TALLY_BLOCKS_H
#define TALLY_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Five-hour usage blocks, as Claude's plans bill them and as ccusage's
 * "blocks" computes them: a block starts at the UTC hour of a request
 * that comes more than five hours after the current block's start, or
 * more than five hours after the request before it, and lasts five
 * hours. The time between blocks is a gap, not a block.
 *
 * Calling sequence: blocks_from_times() on every request's time (the
 * array is sorted in place), then blocks_find() per request, then
 * blocks_release().
 */

#define BLOCK_MS (5 * 60 * 60 * 1000LL)

struct blocks {
	int64_t *start;   /* the hour it began */
	int64_t *first;   /* its first request */
	int64_t *last;    /* its last request */
	size_t n;
};

/* The UTC hour a time is in (its start). */
int64_t blocks_hour_of(int64_t t);

void blocks_from_times(struct blocks *b, int64_t *times, size_t n);
void blocks_release(struct blocks *b);

/* The block a request at time t belongs to, or -1 (no such request). */
long blocks_find(const struct blocks *b, int64_t t);

/*
 * The block still under way at now (its last request less than five
 * hours before now, not after it, and its end still to come), or -1.
 */
long blocks_active(const struct blocks *b, int64_t now);

#endif
