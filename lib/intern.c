#include "intern.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "banned.h"

static uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void place(struct intern *t, uint32_t id)
{
	const char *s = t->strings[id];
	size_t i = hash_bytes(s, strlen(s)) & (t->nslots - 1);

	while (t->slots[i])
		i = (i + 1) & (t->nslots - 1);
	t->slots[i] = id + 1;
}

static void grow(struct intern *t)
{
	free(t->slots);
	t->nslots = t->nslots ? t->nslots * 2 : 64;
	t->slots = xcalloc(t->nslots, sizeof(*t->slots));
	for (uint32_t id = 0; id < t->nr; id++)
		place(t, id);
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
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

uint32_t intern_id(struct intern *t, const char *s, size_t len)
{
	uint32_t h = hash_bytes(s, len);

	if (t->nslots) {
		for (size_t i = h & (t->nslots - 1); t->slots[i];
		     i = (i + 1) & (t->nslots - 1)) {
			const char *have = t->strings[t->slots[i] - 1];

			if (!strncmp(have, s, len) && have[len] == '\0')
				return t->slots[i] - 1;
		}
	}
	if ((t->nr + 1) * 2 > t->nslots)
		grow(t);
	ALLOC_GROW(t->strings, t->nr + 1, t->alloc);
	t->strings[t->nr] = xstrndup(s, len);
	place(t, (uint32_t)t->nr);
	return (uint32_t)t->nr++;
}

uint32_t intern_find(const struct intern *t, const char *s)
{
	size_t len = strlen(s);
	uint32_t h = hash_bytes(s, len);

	if (!t->nslots)
		return UINT32_MAX;
	for (size_t i = h & (t->nslots - 1); t->slots[i];
	     i = (i + 1) & (t->nslots - 1))
		if (!strcmp(t->strings[t->slots[i] - 1], s))
			return t->slots[i] - 1;
	return UINT32_MAX;
}
