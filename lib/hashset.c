#include "hashset.h"

#include <stdlib.h>

#include "strbuf.h"
#include "banned.h"

static uint64_t hash_of(size_t pos, const void *data)
{
	return ((const uint64_t *)data)[pos];
}

static int find(const struct hashset *s, uint64_t h, struct hash_probe *p)
{
	for (size_t pos = hash_index_first(&s->ix, h, p);
	     pos != HASH_INDEX_NONE; pos = hash_index_next(&s->ix, p))
		if (s->items[pos] == h)
			return 1;
	return 0;
}

int hashset_has(const struct hashset *s, uint64_t h)
{
	struct hash_probe p;

	return find(s, h, &p);
}

int hashset_add(struct hashset *s, uint64_t h)
{
	struct hash_probe p;

	hash_index_make_room(&s->ix, hash_of, s->items);
	if (find(s, h, &p))
		return 0;
	ALLOC_GROW(s->items, s->nr + 1, s->alloc);
	s->items[s->nr] = h;
	hash_index_add(&s->ix, &p, s->nr++);
	return 1;
}

void hashset_release(struct hashset *s)
{
	free(s->items);
	hash_index_release(&s->ix);
	s->items = NULL;
	s->nr = s->alloc = 0;
}
