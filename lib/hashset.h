#ifndef TALLY_HASHSET_H
#define TALLY_HASHSET_H

#include <stddef.h>
#include <stdint.h>

#include "hash-index.h"

/*
 * A set of 64-bit hashes (the rows log --follow has printed). Zero-init
 * is an empty set; hashset_release() frees it.
 */
struct hashset {
	uint64_t *items;
	size_t nr, alloc;
	struct hash_index ix;
};

/* Adds h; returns 1 if it was new, 0 if already there. */
int hashset_add(struct hashset *s, uint64_t h);
int hashset_has(const struct hashset *s, uint64_t h);
void hashset_release(struct hashset *s);

#endif
