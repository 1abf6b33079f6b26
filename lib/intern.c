#include "intern.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "banned.h"

static uint64_t hash_of(size_t id, const void *data)
{
	const char *s = ((char *const *)data)[id];

	return hash_bytes(s, strlen(s));
}

/* The id of s, or UINT32_MAX with p where it would go. */
static uint32_t find(const struct intern *t, const char *s, size_t len,
		struct hash_probe *p)
{
	for (size_t id = hash_index_first(&t->ix, hash_bytes(s, len), p);
	     id != HASH_INDEX_NONE; id = hash_index_next(&t->ix, p)) {
		const char *have = t->strings[id];

		if (!strncmp(have, s, len) && have[len] == '\0')
			return (uint32_t)id;
	}
	return UINT32_MAX;
}

void intern_init(struct intern *t)
{
	memset(t, 0, sizeof(*t));
	intern_id(t, "", 0);
}

void intern_release(struct intern *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->strings[i]);
	free(t->strings);
	hash_index_release(&t->ix);
	memset(t, 0, sizeof(*t));
}

uint32_t intern_id(struct intern *t, const char *s, size_t len)
{
	struct hash_probe p;
	uint32_t id;

	hash_index_make_room(&t->ix, hash_of, t->strings);
	if ((id = find(t, s, len, &p)) != UINT32_MAX)
		return id;
	ALLOC_GROW(t->strings, t->nr + 1, t->alloc);
	t->strings[t->nr] = xstrndup(s, len);
	hash_index_add(&t->ix, &p, t->nr);
	return (uint32_t)t->nr++;
}

uint32_t intern_find(const struct intern *t, const char *s)
{
	struct hash_probe p;

	return find(t, s, strlen(s), &p);
}
