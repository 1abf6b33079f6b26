#include "blocks.h"

#include <stdlib.h>

#include "strbuf.h"
#include "timeutil.h"
#include "banned.h"

static int compare_times(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t blocks_hour_of(int64_t t)
{
	int64_t h = t / MS_PER_HOUR * MS_PER_HOUR;

	return h > t ? h - MS_PER_HOUR : h;
}

void blocks_from_times(struct blocks *b, int64_t *times, size_t n)
{
	size_t alloc = 0;

	b->start = b->first = b->last = NULL;
	b->n = 0;
	if (n > 1) /* qsort's array may not be NULL, even empty */
		qsort(times, n, sizeof(*times), compare_times);
	for (size_t i = 0; i < n; i++) {
		int64_t t = times[i];
		size_t k = b->n;

		/* Strictly more than five hours, as ccusage compares. */
		if (k && t - b->start[k - 1] <= BLOCK_MS &&
		    t - b->last[k - 1] <= BLOCK_MS) {
			b->last[k - 1] = t;
			continue;
		}
		if (k == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			b->start = xrealloc(b->start, alloc * sizeof(int64_t));
			b->first = xrealloc(b->first, alloc * sizeof(int64_t));
			b->last = xrealloc(b->last, alloc * sizeof(int64_t));
		}
		b->start[k] = blocks_hour_of(t);
		b->first[k] = b->last[k] = t;
		b->n++;
	}
}

void blocks_release(struct blocks *b)
{
	free(b->start);
	free(b->first);
	free(b->last);
	b->start = b->first = b->last = NULL;
	b->n = 0;
}

long blocks_find(const struct blocks *b, int64_t t)
{
	size_t lo = 0, hi = b->n;

	/* The last block whose first request is not after t. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->first[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || t > b->last[lo - 1])
		return -1;
	return (long)lo - 1;
}

long blocks_active(const struct blocks *b, int64_t now)
{
	size_t k = b->n;

	if (!k)
		return -1;
	k--;
	/* A clock behind the ledger's last request is in no block. */
	return now >= b->last[k] && now - b->last[k] < BLOCK_MS &&
		now < b->start[k] + BLOCK_MS ? (long)k : -1;
}
