#include "hashset.h"

#include <stdlib.h>

#include "strbuf.h"
#include "banned.h"

/* Zero marks an empty slot, so the hash 0 is stored as 1. */
static uint64_t key(uint64_t h)
{
	return h ? h : 1;
}

static void insert(uint64_t *slots, size_t n, uint64_t k)
{
	size_t i = k & (n - 1);

	while (slots[i] && slots[i] != k)
		i = (i + 1) & (n - 1);
	slots[i] = k;
}

static void grow(struct hashset *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 256;
	uint64_t *slots = xcalloc(n, sizeof(*slots));

	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i])
			insert(slots, n, s->slots[i]);
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
}

int hashset_has(const struct hashset *s, uint64_t h)
{
	uint64_t k = key(h);

	if (!s->nslots)
		return 0;
	for (size_t i = k & (s->nslots - 1); s->slots[i];
	     i = (i + 1) & (s->nslots - 1))
		if (s->slots[i] == k)
			return 1;
	return 0;
}

int hashset_add(struct hashset *s, uint64_t h)
{
	if (hashset_has(s, h))
		return 0;
	if ((s->nr + 1) * 4 > s->nslots * 3)
		grow(s);
	insert(s->slots, s->nslots, key(h));
	s->nr++;
	return 1;
}

void hashset_release(struct hashset *s)
{
	free(s->slots);
	s->slots = NULL;
	s->nr = s->nslots = 0;
}
