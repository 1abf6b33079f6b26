#ifndef TALLY_SUMMARY_INDEX_H
#define TALLY_SUMMARY_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/*
 * The entry index of the summary cache (usage-summary.idx): for every
 * entry folded so far, the hash of its id and the ledger offset of its
 * latest row. It lets the summary fold only the new tail of the ledger
 * and still move (not add) the contribution of an entry that a new row
 * supersedes.
 *
 * The file is an open-addressing hash table that is memory-mapped and
 * updated in place, so a refresh touches a few pages whatever the size of
 * the ledger. When it fills up it is rebuilt bigger in memory and written
 * out whole. Its header names the ledger (device, inode) and carries a
 * generation that the summary file must match; see summary.c for how a
 * torn update is detected.
 *
 * Hash matches are candidates only: the caller confirms by reading the
 * row at the offset back.
 *
 * This is the one table that does not use hash-index.h: its slots are a
 * file format, probed in the mapping itself, and a refresh that read the
 * whole table into memory first would cost as much as the ledger walk it
 * saves.
 */

struct idx_header {
	char magic[8];
	uint64_t nslots;
	uint64_t nused;
	uint64_t dev;
	uint64_t ino;
	uint64_t generation;
	uint64_t reserved[2];
};

struct idx_slot {
	uint64_t hash;
	uint64_t off; /* offset of the row + 1; 0 marks an empty slot */
};

struct id_index {
	struct idx_header *hdr;
	struct idx_slot *slots;
	size_t map_len;
	int mapped; /* hdr points into a shared mapping of the file */
	int fd;
};

/* A new, empty, in-memory index sized for about `expected` entries. */
void summary_index_new(struct id_index *ix, size_t expected, uint64_t dev,
		uint64_t ino);

/*
 * Maps an existing index file for update in place. Returns 0, 1 when the
 * file is missing or not a valid index (the caller rebuilds), or
 * T_ELEDGER when it cannot be opened.
 */
int summary_index_load(struct id_index *ix, const char *path, struct strbuf *err);

/* Probing: start at summary_index_first(), move with summary_index_next(). */
static inline size_t summary_index_first(const struct id_index *ix, uint64_t hash)
{
	return hash & (ix->hdr->nslots - 1);
}

static inline size_t summary_index_next(const struct id_index *ix, size_t pos)
{
	return (pos + 1) & (ix->hdr->nslots - 1);
}

/*
 * Fills the empty slot at pos. When the table is then too full it is
 * rebuilt twice as big (in memory; summary_index_save() writes it out whole).
 */
void summary_index_fill(struct id_index *ix, size_t pos, uint64_t hash,
		uint64_t off);

/*
 * Writes the index to path: in place (msync) when it is a mapping that
 * did not grow, else as a new file renamed over path. Syncs to disk when
 * do_sync. Returns 0 or T_ELEDGER.
 */
int summary_index_save(struct id_index *ix, const char *path, int do_sync,
		struct strbuf *err);

void summary_index_release(struct id_index *ix);

#endif
