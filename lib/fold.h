#ifndef TALLY_FOLD_H
#define TALLY_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "hash-index.h"
#include "strbuf.h"

/*
 * Folding: the ledger holds event rows; an entry is its last row. A fold
 * remembers, per entry, where its latest row lies in the file (and when the
 * entry happened), not the row itself, so folding a ledger of a million
 * rows takes tens of megabytes, not gigabytes. Rows are read back with
 * fold_read().
 *
 * Entries are matched by a 64-bit hash of their id; a hash match is
 * confirmed by reading the earlier row back, so colliding ids never merge.
 *
 * Calling sequence: fold_init(&f, fd) with a descriptor open on the ledger
 * being scanned; fold_add() for each valid row in file order; then
 * fold_sort_newest_first() and fold_read() for each item; fold_release().
 */

struct fold_item {
	uint64_t hash;
	int64_t time;      /* entry_time() of the latest row */
	uint64_t first;    /* offset of the entry's first row: its position */
	uint64_t off;      /* offset and length of the latest row */
	uint32_t len;
	uint32_t kind;     /* of the latest row: FOLD_USAGE, _ROLLUP, _QUOTA */
};

enum { FOLD_USAGE, FOLD_ROLLUP, FOLD_QUOTA };

struct fold {
	int fd;
	struct fold_item *items;
	size_t nr, alloc;
	struct hash_index ix;  /* by id hash, until the items are sorted */
	struct strbuf scratch;
	struct entry tmp;
	/*
	 * What the last fold_add() did: the index of the item it touched
	 * and, when the row superseded an earlier one, that row's item as
	 * it was (replaced.len is 0 otherwise).
	 */
	size_t last;
	struct fold_item replaced;
	/* Rows are read back in file order mostly: read them a window at a time. */
	struct strbuf window;
	uint64_t window_off;
};

void fold_init(struct fold *f, int fd);
void fold_release(struct fold *f);

/* Records that the row of e at [off, off+len) is the entry's latest. */
int fold_add(struct fold *f, const struct entry *e, uint64_t off, uint32_t len,
		struct strbuf *err);

/* Orders items newest first: by time, then by position in the ledger. */
void fold_sort_newest_first(struct fold *f);
/* The reverse: oldest first. */
void fold_sort_oldest_first(struct fold *f);

/* Reads the latest row of an item, unparsed, into out. 0 or T_ELEDGER. */
int fold_read_raw(struct fold *f, const struct fold_item *it,
		struct strbuf *out, struct strbuf *err);

/* Reads and parses the latest row of an item into e. 0 or T_ELEDGER. */
int fold_read(struct fold *f, const struct fold_item *it, struct entry *e,
		struct strbuf *err);

/* 64-bit FNV-1a of a string, the fold's id hash. */
uint64_t fold_hash(const char *s);

#endif
