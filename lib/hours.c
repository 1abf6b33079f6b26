#include "hours.h"

#include <stdlib.h>
#include <string.h>

#include "blocks.h"
#include "strbuf.h"
#include "timeutil.h"
#include "banned.h"

void hours_init(struct hour_table *t)
{
	memset(t, 0, sizeof(*t));
}

void hours_release(struct hour_table *t)
{
	free(t->items);
	hours_init(t);
}

struct hour_bucket *hours_get(struct hour_table *t, int64_t hour)
{
	size_t lo = 0, hi = t->nr;
	struct hour_bucket *b;

	/* Rows come mostly in time order: try the end first. */
	if (t->nr && t->items[t->nr - 1].hour == hour)
		return &t->items[t->nr - 1];
	if (t->nr && t->items[t->nr - 1].hour < hour)
		lo = t->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->items[mid].hour < hour)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->nr && t->items[lo].hour == hour)
		return &t->items[lo];
	ALLOC_GROW(t->items, t->nr + 1, t->alloc);
	memmove(&t->items[lo + 1], &t->items[lo],
			(t->nr - lo) * sizeof(*t->items));
	t->nr++;
	b = &t->items[lo];
	memset(b, 0, sizeof(*b));
	b->hour = hour;
	b->first = INT64_MAX;
	b->last = INT64_MIN;
	return b;
}

static void note_times(struct hour_bucket *b, int64_t first, int64_t last)
{
	if (first < b->first)
		b->first = first;
	if (last > b->last)
		b->last = last;
}

void hours_apply(struct hour_table *t, const struct entry *e, int sign)
{
	int64_t at = entry_time(e);
	struct hour_bucket *b;
	struct counters c;

	if (!entry_is_usage(e))
		return;
	b = hours_get(t, blocks_hour_of(at));
	counters_of_entry(e, &c);
	counters_add(at == b->hour ? &b->at_start : &b->c, &c, sign);
	if (sign > 0)
		note_times(b, at, at);
}

static int bucket_used(const struct hour_bucket *b)
{
	return b->first <= b->last;
}

void hours_note_new(struct hour_table *t, const struct entry *e)
{
	if (t->anchor && entry_is_usage(e) && entry_time(e) < t->anchor)
		t->anchor = t->anchor_edge = 0;
}

static int64_t block_cost(const struct counters *c)
{
	int64_t unpriced;

	return counters_cost(c, COST_MODE_AUTO, &unpriced);
}

/* A whole block's counters, kept where they are the largest yet. */
static void keep_larger(struct counters *by_tokens, struct counters *by_cost,
		const struct counters *c)
{
	if (counters_tokens(c) > counters_tokens(by_tokens))
		*by_tokens = *c;
	if (block_cost(c) > block_cost(by_cost))
		*by_cost = *c;
}

void hours_merge(struct hour_table *dst, const struct hour_table *src)
{
	for (size_t i = 0; i < src->nr; i++) {
		const struct hour_bucket *from = &src->items[i];
		struct hour_bucket *to = hours_get(dst, from->hour);

		counters_add(&to->c, &from->c, 1);
		counters_add(&to->at_start, &from->at_start, 1);
		if (bucket_used(from))
			note_times(to, from->first, from->last);
	}
	if (src->dropped_last > dst->dropped_last)
		dst->dropped_last = src->dropped_last;
	dst->anchor = dst->anchor_edge = 0;
	/* Of either scope: the blocks of both together are not kept. */
	keep_larger(&dst->largest_tokens, &dst->largest_cost,
			&src->largest_tokens);
	keep_larger(&dst->largest_tokens, &dst->largest_cost,
			&src->largest_cost);
}

/* The walk through the hours, block by block, as blocks_from_times(). */
struct walk {
	int have;               /* a block is open */
	int exact;              /* its start is known for sure */
	struct hour_block b;
	/* The earliest exact block start from keep_from on, for an anchor. */
	int64_t keep_from;
	int64_t anchor;
	int anchor_edge, found_anchor;
	/*
	 * Blocks that start before measure_before and whose start is known
	 * for sure are measured into these, when set, as they end.
	 */
	int b_exact;
	int64_t measure_before;
	struct counters *largest_tokens, *largest_cost;
};

static void measure(struct walk *w)
{
	if (w->largest_tokens && w->have && w->b_exact &&
	    w->b.start < w->measure_before)
		keep_larger(w->largest_tokens, w->largest_cost, &w->b.c);
}

/*
 * Opens the block that starts at start. Its edge: whether a request at
 * that very moment would belong to the block before (five hours from
 * its start and from its last request), as blocks_from_times() would
 * judge it; known when the block before is, or when there was none.
 */
static void open_block(struct walk *w, int64_t start, int64_t first)
{
	int known = w->have || !w->b.last || start - w->b.last > BLOCK_MS;
	int edge = w->have && start - w->b.start <= BLOCK_MS &&
		start - w->b.last <= BLOCK_MS;

	/*
	 * The earliest such start: any would do for the block under way,
	 * and from the earliest the walk also knows every block the next
	 * prune measures (hours_largest_blocks()).
	 */
	if (w->exact && known && start >= w->keep_from && !w->found_anchor) {
		w->found_anchor = 1;
		w->anchor = start;
		w->anchor_edge = edge;
	}
	measure(w);   /* the block before ends here */
	w->b_exact = w->exact;
	w->have = 1;
	memset(&w->b, 0, sizeof(w->b));
	w->b.start = start;
	w->b.end = start + BLOCK_MS;
	w->b.first = first;
}

static void step(struct walk *w, const struct hour_bucket *h)
{
	int has_start = h->first == h->hour;
	int has_rest = h->last > h->hour;

	if (!w->have || h->first - w->b.last > BLOCK_MS) {
		/* A gap of more than five hours: the chain starts afresh. */
		if (w->have || !w->b.last || h->first - w->b.last > BLOCK_MS)
			w->exact = 1;
		open_block(w, h->hour, h->first);
	} else if (h->first - w->b.start > BLOCK_MS) {
		open_block(w, h->hour, h->first);
	} else if (h->hour == w->b.end && has_start && has_rest) {
		/*
		 * The block ends at this hour's start: the requests at that
		 * very moment are its own, the later ones begin the next.
		 */
		counters_add(&w->b.c, &h->at_start, 1);
		w->b.last = h->hour;
		open_block(w, h->hour, h->hour);
		counters_add(&w->b.c, &h->c, 1);
		w->b.last = h->last;
		return;
	}
	counters_add(&w->b.c, &h->c, 1);
	counters_add(&w->b.c, &h->at_start, 1);
	w->b.last = h->last;
}

/* The anchor's hour opens its block, exactly; the requests at its very
 * start are the block before's when the anchor says so. */
static void step_anchor(struct walk *w, const struct hour_table *t,
		const struct hour_bucket *h)
{
	w->exact = 1;
	open_block(w, t->anchor, t->anchor_edge ? t->anchor : h->first);
	/* The block before is not known here: the anchor says. */
	if (t->anchor >= w->keep_from) {
		w->found_anchor = 1;
		w->anchor = t->anchor;
		w->anchor_edge = t->anchor_edge;
	}
	counters_add(&w->b.c, &h->c, 1);
	if (!t->anchor_edge)
		counters_add(&w->b.c, &h->at_start, 1);
	w->b.last = h->last;
}

static void walk_all(const struct hour_table *t, struct walk *w)
{
	size_t i = 0;

	/* The hours dropped end with their last request. */
	w->b.last = t->dropped_last;
	if (t->anchor) {
		while (i < t->nr && t->items[i].hour < t->anchor)
			i++;
		if (i < t->nr && t->items[i].hour == t->anchor &&
		    bucket_used(&t->items[i]))
			step_anchor(w, t, &t->items[i++]);
		else
			i = 0;  /* no such hour: the anchor is no use */
	}
	for (; i < t->nr; i++)
		if (bucket_used(&t->items[i]))
			step(w, &t->items[i]);
}

int hours_active_block(const struct hour_table *t, int64_t now,
		struct hour_block *b)
{
	struct walk w = { 0 };

	walk_all(t, &w);
	/* Quiet for five hours (or a clock behind): over, whatever began it. */
	if (!w.have || now < w.b.last || now - w.b.last >= BLOCK_MS)
		return 0;
	if (!w.exact)
		return -1;
	if (now >= w.b.end)
		return 0;
	*b = w.b;
	return 1;
}

/* Measures the blocks that begin before `before` and are over at now. */
static void measure_walk(const struct hour_table *t, int64_t before,
		int64_t now, struct counters *by_tokens,
		struct counters *by_cost)
{
	struct walk w = { .measure_before = before,
		.largest_tokens = by_tokens, .largest_cost = by_cost };

	walk_all(t, &w);
	/* The last block counts once it is over, as the others are. */
	if (w.have && (now >= w.b.end || now - w.b.last >= BLOCK_MS))
		measure(&w);
}

/*
 * Both walks: from the anchor, and from the first hour kept (which
 * knows the blocks before the anchor, once a pause made it exact).
 * Each measures only the blocks it knows for sure.
 */
static void measure_blocks(const struct hour_table *t, int64_t before,
		int64_t now, struct counters *by_tokens,
		struct counters *by_cost)
{
	struct hour_table from_start = *t;

	from_start.anchor = from_start.anchor_edge = 0;
	measure_walk(&from_start, before, now, by_tokens, by_cost);
	if (t->anchor)
		measure_walk(t, before, now, by_tokens, by_cost);
}

void hours_largest_blocks(const struct hour_table *t, int64_t now,
		struct counters *by_tokens, struct counters *by_cost)
{
	*by_tokens = t->largest_tokens;
	*by_cost = t->largest_cost;
	measure_blocks(t, INT64_MAX, now, by_tokens, by_cost);
}

void hours_prune(struct hour_table *t, int64_t now)
{
	int64_t from = blocks_hour_of(now) - HOURS_KEPT * MS_PER_HOUR;
	struct walk w = { .keep_from = from };
	size_t n = 0;

	/* The hours of blocks that began before from go: measure them. */
	measure_blocks(t, from, now, &t->largest_tokens, &t->largest_cost);
	walk_all(t, &w);
	if (w.found_anchor) {
		t->anchor = w.anchor;
		t->anchor_edge = w.anchor_edge;
	} else if (t->anchor < from) {
		t->anchor = t->anchor_edge = 0;
	}

	while (n < t->nr && t->items[n].hour < from) {
		if (bucket_used(&t->items[n]) &&
		    t->items[n].last > t->dropped_last)
			t->dropped_last = t->items[n].last;
		n++;
	}
	/* memmove's pointers may not be NULL, even for nothing. */
	if (n)
		memmove(t->items, t->items + n,
				(t->nr - n) * sizeof(*t->items));
	t->nr -= n;
}
