#ifndef TALLY_MIGRATE_H
#define TALLY_MIGRATE_H

#include <stdint.h>

#include "ledger.h"
#include "strbuf.h"

/*
 * Schema upgrades: rows of an older schema (without "v") are rewritten as
 * the current version. Every other line, valid or not, is kept byte for
 * byte and in place; unknown fields survive. Reading never needs a
 * migration first: older rows are upgraded in memory anyway.
 */

struct migrate_stats {
	uint64_t lines;
	uint64_t old_rows;        /* rows that need (or got) an upgrade */
	uint64_t first_old_line;  /* line number of the first, 0 if none */
};

/* Told about each row that needs an upgrade: its line, old and new text. */
typedef void (*migrate_fn)(uint64_t lineno, const char *old, size_t old_len,
		const char *row, size_t row_len, void *data);

/*
 * Counts what needs upgrading, calling fn (when not NULL) for each such
 * row; with rewrite, upgrades it (the lock must be held). Returns 0 or
 * T_ELEDGER.
 */
int ledger_migrate_locked(struct ledger *l, int rewrite,
		struct migrate_stats *st, migrate_fn fn, void *data,
		struct strbuf *err);

#endif
