#ifndef TALLY_HASHSET_H
#define TALLY_HASHSET_H

#include <stddef.h>
#include <stdint.h>

/*
 * A set of 64-bit hashes (open addressing, linear probing). Zero-init is an
 * empty set; hashset_release() frees it.
 */
struct hashset {
	uint64_t *slots;
	size_t nr, nslots;
};

/* Adds h; returns 1 if it was new, 0 if already there. */
int hashset_add(struct hashset *s, uint64_t h);
int hashset_has(const struct hashset *s, uint64_t h);
void hashset_release(struct hashset *s);

#endif
