#ifndef TALLY_INTERN_H
#define TALLY_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "hash-index.h"

/*
 * A table of distinct strings, each with a small id (its index), so that
 * rollup keys are integers. Id 0 is always the empty string.
 */
struct intern {
	char **strings;
	size_t nr, alloc;
	struct hash_index ix;
};

void intern_init(struct intern *t);
void intern_release(struct intern *t);

/* The id of s (of len bytes), adding it when new. */
uint32_t intern_id(struct intern *t, const char *s, size_t len);

/* The id of s, or UINT32_MAX when it is not in the table. */
uint32_t intern_find(const struct intern *t, const char *s);

static inline const char *intern_str(const struct intern *t, uint32_t id)
{
	return t->strings[id];
}

#endif
