#ifndef TALLY_MEMPOOL_H
#define TALLY_MEMPOOL_H

#include <stddef.h>

/*
 * A bump allocator for the strings of one parsed row: allocations never
 * move, so pointers into the pool stay valid until mempool_reset() or
 * mempool_release(). Resetting keeps the first block for reuse, so parsing
 * row after row allocates nothing in the steady state.
 */
struct mempool_block;

struct mempool {
	struct mempool_block *head;
};
#define MEMPOOL_INIT { NULL }

void *mempool_alloc(struct mempool *pool, size_t len);
/* Copies len bytes and a NUL terminator into the pool. */
char *mempool_strndup(struct mempool *pool, const char *s, size_t len);
char *mempool_strdup(struct mempool *pool, const char *s);
void mempool_reset(struct mempool *pool);
void mempool_release(struct mempool *pool);

#endif
