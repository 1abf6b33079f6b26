#ifndef TALLY_IMPORTERS_IMPORT_H
#define TALLY_IMPORTERS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"
#include "../lib/pricing.h"
#include "../lib/scope.h"
#include "../lib/strbuf.h"

/*
 * Importing coding agents' own logs (Claude Code transcripts, Codex CLI
 * rollouts, an editor plugin's JSON lines) into the ledger.
 *
 * Incremental: the state of every file read (device, inode, size, mtime,
 * the offset read up to and a hash of its first bytes) is kept in
 * <scope>/import-state/<agent>.json; a file that has not changed is not
 * opened, a grown one is read from where the last run stopped, and a
 * truncated or replaced one from its start. Every usage has a natural key
 * (Claude Code: the API message id) whose best version so far is kept in
 * <scope>/import-state/<agent>.keys, so lines read twice, replays of
 * resumed sessions and one message written over several lines are never
 * counted twice; entry ids derive from the same keys. Files are streamed
 * line by line in constant memory.
 *
 * This is the engine; each agent's log format is a file of its own behind
 * struct agent (agent.h).
 */

struct import_stats {
	uint64_t files;            /* found */
	uint64_t files_unchanged;  /* not opened: nothing new */
	uint64_t files_restarted;  /* truncated or replaced: read again */
	uint64_t bytes;            /* read */
	uint64_t lines;
	uint64_t added;            /* new entries */
	uint64_t updated;          /* a better version of a known entry */
	uint64_t duplicates;       /* known, and no better */
	uint64_t rows_written;     /* to the ledger */
	uint64_t plan_samples;     /* a plan's windows, as quota rows */
	int64_t oldest_mtime;      /* ms: the least recently written log */
	uint64_t skipped[SKIP__COUNT];
	int busy;                  /* another import held the lock: none */
};

struct import_opts {
	int dry_run;
	const struct price_table *prices;
	int64_t now;
	int fsync;
	int64_t lock_timeout_ms;
	/* When another import of the agent runs, skip (st->busy), not wait. */
	int no_wait;
};

/*
 * Imports the logs found under paths (directories or files; none: the
 * agent's default places) into the scope's ledger. 0, T_ELEDGER, or
 * T_EFAIL for a path that cannot be read.
 */
int import_run(const struct agent *a, const char *const *paths, size_t n,
		const struct scope *sc, const struct import_opts *o,
		struct import_stats *st, struct strbuf *err);

/* One of an agent's default places, as import --list shows it. */
struct import_place {
	char *dir;
	int exists;       /* a directory */
	size_t files;     /* logs under it */
};

/*
 * The agent's default places (none for an agent whose logs must be
 * named), whether each exists and how many logs it holds; *out is the
 * caller's, for import_places_release().
 */
void import_places(const struct agent *a, struct import_place **out,
		size_t *n);
void import_places_release(struct import_place *p, size_t n);

/* The name of a reason to skip, as import --json prints it. */
const char *import_skip_name(enum import_skip s);

#endif
