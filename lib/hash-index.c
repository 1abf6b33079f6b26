#include "hash-index.h"

#include <stdlib.h>

#include "error.h"
#include "strbuf.h"
#include "banned.h"

#define MIN_SLOTS 64

static void rebuild(struct hash_index *ix, size_t nslots,
		uint64_t (*hash_of)(size_t pos, const void *data),
		const void *data)
{
	if (nslots > (size_t)UINT32_MAX + 1)
		die(T_EFAIL, "a table of more than %u items", UINT32_MAX);
	free(ix->slots);
	ix->slots = xcalloc(nslots, sizeof(*ix->slots));
	ix->nslots = nslots;
	for (size_t pos = 0; pos < ix->nr; pos++) {
		size_t s = (size_t)hash_of(pos, data) & (nslots - 1);

		while (ix->slots[s])
			s = (s + 1) & (nslots - 1);
		ix->slots[s] = (uint32_t)(pos + 1);
	}
}

void hash_index_reserve(struct hash_index *ix, size_t n,
		uint64_t (*hash_of)(size_t pos, const void *data),
		const void *data)
{
	size_t nslots = ix->nslots ? ix->nslots : MIN_SLOTS;

	while (n * 4 > nslots * 3)
		nslots *= 2;
	if (nslots != ix->nslots)
		rebuild(ix, nslots, hash_of, data);
}

void hash_index_make_room(struct hash_index *ix,
		uint64_t (*hash_of)(size_t pos, const void *data),
		const void *data)
{
	if ((ix->nr + 1) * 4 > ix->nslots * 3)
		hash_index_reserve(ix, ix->nr + 1, hash_of, data);
}

void hash_index_release(struct hash_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->nslots = ix->nr = 0;
}

uint64_t hash_bytes(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}
