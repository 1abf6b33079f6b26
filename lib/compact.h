#ifndef TALLY_COMPACT_H
#define TALLY_COMPACT_H

#include <stdint.h>

#include "ledger.h"
#include "strbuf.h"

/*
 * Compaction: the ledger rewritten with one row per entry (the latest),
 * without entries older than retention_days or beyond the newest
 * max_entries, and without invalid lines, which move to
 * usage-ledger.rejected.jsonl. Removed entries are not forgotten: their
 * sums join "rollup" rows, one per local day, provider and model, so
 * reports over pruned periods still answer at day granularity.
 *
 * Runs under the ledger lock; see ledger_rewrite_locked() for why a crash
 * at any moment leaves the old file or the new one.
 */

struct compact_opts {
	int64_t now;
	int64_t retention_days;   /* 0: no age limit */
	int64_t max_entries;      /* 0: no count limit */
	int dry_run;
	uint64_t rows_known;      /* rows the ledger holds at least, if known */
};

struct compact_stats {
	uint64_t rows;            /* valid rows before */
	uint64_t entries;         /* entries before (rollup rows excluded) */
	uint64_t superseded;      /* rows folded away */
	uint64_t expired;         /* entries older than retention_days */
	uint64_t excess;          /* entries beyond max_entries */
	uint64_t rejected;        /* invalid lines moved out */
	uint64_t rollup_rows;     /* after */
	uint64_t kept;            /* entries after */
	uint64_t bytes_before, bytes_after;
};

/* Compacts; takes the lock. 0 or T_ELEDGER. */
int ledger_compact(struct ledger *l, const struct compact_opts *o,
		struct compact_stats *st, struct strbuf *err);

/* Same, the lock already held. */
int ledger_compact_locked(struct ledger *l, const struct compact_opts *o,
		struct compact_stats *st, struct strbuf *err);

/*
 * After an append (lock held): compacts when the ledger is past its limits
 * by a margin (a quarter more entries than max_entries, or rows a tenth
 * older than retention_days), in the spirit of `git gc --auto`. Cheap when
 * it is not: a look at the file size and the first rows. Returns 1 when it
 * compacted (st says what it did), 0 when not needed (st zeroed), or
 * T_ELEDGER.
 */
int ledger_auto_compact_locked(struct ledger *l, const struct compact_opts *o,
		struct compact_stats *st, struct strbuf *err);

#endif
