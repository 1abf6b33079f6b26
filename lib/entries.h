#ifndef TALLY_ENTRIES_H
#define TALLY_ENTRIES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "entry.h"
#include "fold.h"
#include "ledger.h"
#include "strbuf.h"

/*
 * The one way to read the entries of a ledger: every row folded into its
 * entry (the latest row wins, see fold.h), then the entries in an order,
 * each parsed on demand. Commands never touch the fold itself.
 *
 * The simple case is a callback, as git's for_each_loose_file_in_objdir:
 *
 *	struct entries_opts o = { .order = ENTRIES_OLDEST_FIRST };
 *	ret = for_each_entry(path, &o, fn, data, err);
 *
 * A caller that needs positions (a cursor, a limit applied in one order
 * and printed in another) or a reader it keeps using (log --follow)
 * uses the iterator: entries_read(), entries_add() for more ledgers (the
 * scopes of --all-workspaces), then entries_count() and entries_get(),
 * then entries_release(). Several ledgers read as one: ordered by time,
 * they are merged by entry time (ties go to the earlier ledger); as
 * folded, one ledger follows the other. Entry ids are unique across
 * ledgers, so no entry is folded with another ledger's rows.
 */

enum entries_order {
	ENTRIES_AS_FOLDED,     /* by the position of each entry's first row */
	ENTRIES_OLDEST_FIRST,  /* by entry time, then position */
	ENTRIES_NEWEST_FIRST,
};

struct entries_opts {
	enum entries_order order;
	int quiet;          /* no warnings about invalid lines */
	int stop_at_torn;   /* leave a last line still being written */
	/* Called for every valid row as it is read, before folding. */
	void (*row_seen)(const struct entry *e, void *data);
	void *row_seen_data;
};

/* An entry's place when there are several ledgers. */
struct entries_at {
	uint32_t part;  /* 0: f, else more[part - 1] */
	uint32_t item;
};

struct entries {
	struct fold f;
	struct fold *more;          /* the ledgers added to the first */
	size_t nmore;
	struct entries_at *merged;  /* the order, with more than one ledger */
	size_t nr;
	enum entries_order order;
	struct fold *last;          /* whose row entries_row() holds */
	struct entry tmp;
};

/*
 * Folds what rd yields from where it stands (rd stays the caller's, at
 * the end of what was read). path names the ledger in warnings.
 * 0 or T_ELEDGER.
 */
int entries_read(struct entries *it, struct ledger_reader *rd,
		const char *path, const struct entries_opts *o,
		struct strbuf *err);

/* Reads another ledger into it, as entries_read() did the first. */
int entries_add(struct entries *it, struct ledger_reader *rd,
		const char *path, const struct entries_opts *o,
		struct strbuf *err);

static inline size_t entries_count(const struct entries *it)
{
	return it->merged ? it->nr : it->f.nr;
}

/*
 * The i-th entry of the order, parsed into e; its raw row is
 * entries_row() until the next call. 0 or T_ELEDGER.
 */
int entries_get(struct entries *it, size_t i, struct entry *e,
		struct strbuf *err);
const char *entries_row(const struct entries *it, size_t *len);

/* Which ledger the i-th entry is from: 0 the first, k the k-th added. */
size_t entries_ledger(const struct entries *it, size_t i);

/* The position of the entry with this id, or -1 (or T_ELEDGER < -1). */
ssize_t entries_find(struct entries *it, const char *id, struct strbuf *err);

void entries_release(struct entries *it);

/*
 * Opens the ledger at path (a missing one has no entries) and calls fn
 * for each entry in order, with its raw row; the entry is fn's to change
 * (it is parsed afresh for the next). fn returns 0 to go on; any other
 * value stops the walk and is returned.
 */
typedef int (*each_entry_fn)(struct entry *e, const char *row, size_t len,
		void *data);

int for_each_entry(const char *path, const struct entries_opts *o,
		each_entry_fn fn, void *data, struct strbuf *err);

/* The same over several ledgers as one (see entries_add()). */
int for_each_entry_in(const char *const *paths, size_t n,
		const struct entries_opts *o, each_entry_fn fn, void *data,
		struct strbuf *err);

#endif
