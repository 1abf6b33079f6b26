#include "mempool.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "banned.h"

#define BLOCK_SIZE (16 * 1024)

struct mempool_block {
	struct mempool_block *next;
	size_t used, size;
	char data[];
};

static struct mempool_block *new_block(size_t size, struct mempool_block *next)
{
	struct mempool_block *b = xmalloc(sizeof(*b) + size);

	b->next = next;
	b->used = 0;
	b->size = size;
	return b;
}

void *mempool_alloc(struct mempool *pool, size_t len)
{
	struct mempool_block *b = pool->head;
	void *p;

	len = (len + 7) & ~(size_t)7;
	if (!b || b->size - b->used < len) {
		size_t size = len > BLOCK_SIZE ? len : BLOCK_SIZE;

		if (b && len > BLOCK_SIZE) {
			/* Keep the current block at the head for small strings. */
			b->next = new_block(size, b->next);
			b->next->used = len;
			return b->next->data;
		}
		b = pool->head = new_block(size, b);
	}
	p = b->data + b->used;
	b->used += len;
	return p;
}

char *mempool_strndup(struct mempool *pool, const char *s, size_t len)
{
	char *p = mempool_alloc(pool, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *mempool_strdup(struct mempool *pool, const char *s)
{
	return mempool_strndup(pool, s, strlen(s));
}

void mempool_reset(struct mempool *pool)
{
	struct mempool_block *b = pool->head, *last = NULL;

	/* Keep one standard-size block; free the rest. */
	while (b) {
		struct mempool_block *next = b->next;

		if (!last && b->size == BLOCK_SIZE) {
			last = b;
			b->used = 0;
			b->next = NULL;
		} else {
			free(b);
		}
		b = next;
	}
	pool->head = last;
}

void mempool_release(struct mempool *pool)
{
	struct mempool_block *b = pool->head;

	while (b) {
		struct mempool_block *next = b->next;

		free(b);
		b = next;
	}
	pool->head = NULL;
}
