#ifndef TALLY_IMPORT_H
#define TALLY_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"
#include "ledger.h"
#include "string-list.h"
#include "pricing.h"
#include "scope.h"
#include "strbuf.h"

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
 */

enum import_skip {
	SKIP_NO_USAGE,     /* a line without a usage block (user turns...) */
	SKIP_SYNTHETIC,    /* Claude Code's "<synthetic>" model */
	SKIP_MALFORMED,    /* not JSON, or fields of the wrong type */
	SKIP_INCOMPLETE,   /* no timestamp, empty ids, a bad version */
	SKIP_ZERO,         /* all counts zero */
	SKIP_REPEAT,       /* Codex: a total that did not grow, re-emitted */
	SKIP_REPLAY,       /* Codex: a parent's history replayed by a subagent */
	SKIP__COUNT
};

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
	uint64_t skipped[SKIP__COUNT];
};

/* What a parser makes of one line. */
struct import_item {
	struct entry *e;           /* filled by the parser, but for its id */
	/*
	 * The natural key, as parts (NULL-terminated, valid until the next
	 * line): hashed to deduplicate, and the entry id derives from it.
	 */
	const char *key[5];
	int64_t total;             /* tokens, to keep the larger version */
	int64_t cost;              /* nano-USD, a tie-breaker */
	int sidechain;             /* a replay in a side conversation */
};

struct import_file;

struct agent {
	const char *name;          /* "claude-code" */
	const char *source;        /* "import:claude-code" */
	/* Where to look by default: appends directories to dirs. */
	void (*default_dirs)(struct string_list *dirs, struct strbuf *scratch);
	/*
	 * Directories that hold the logs inside a directory given by the
	 * user ("projects" in a Claude Code configuration directory), or
	 * NULL; when none is there, the directory itself is searched.
	 */
	const char *const *subdirs;
	/* The file-name suffix of its logs. */
	const char *suffix;
	/*
	 * Parses one line. Returns 1 with item set, 0 with *skip set, for
	 * lines that hold no usage, 2 for a usage import_wanted() refused.
	 */
	int (*line)(struct import_file *f, const char *text, size_t len,
			struct import_item *item, enum import_skip *skip);
	/*
	 * Looks at the head of a file that is read from its start, before
	 * its first line (may be NULL): what a parser must know first.
	 */
	void (*begin)(struct import_file *f, int fd);
	/* Per-file parser state, kept across runs (may be NULL). */
	void (*state_load)(struct import_file *f, const char *text);
	void (*state_save)(const struct import_file *f, struct strbuf *out);
	void (*state_reset)(struct import_file *f);
};

extern const struct agent agent_claude_code, agent_codex, agent_codingbuddy;

/* One file as the parsers see it. */
struct import_file {
	const char *path;
	const char *rel;           /* path below the directory searched */
	struct mempool *pool;      /* for strings of the current entry */
	/* Codex: the running totals and the model of the rollout... */
	int64_t prev[5];
	int has_prev;
	char model[128];
	/*
	 * ...and, in a subagent's rollout, the second (YYYY-MM-DDThh:mm:ss)
	 * whose token counts at the start replay the parent's history.
	 */
	char replay_second[20];
	void *run;                 /* the import's, for import_wanted() */
};

/*
 * Whether an item whose key, total, cost and sidechain flag are set is
 * new or better than the version imported before. A parser may ask before
 * it fills the entry, so the many lines that repeat a known usage cost
 * no more than their parsing; a refused item is counted as a duplicate.
 * Outside an import (f->run NULL) every item is wanted.
 */
int import_wanted(struct import_file *f, const struct import_item *it);

struct import_opts {
	int dry_run;
	const struct price_table *prices;
	int64_t now;
	int fsync;
	int64_t lock_timeout_ms;
};

/*
 * Imports the logs found under paths (directories or files; none: the
 * agent's default places) into the scope's ledger. 0, T_ELEDGER, or
 * T_EFAIL for a path that cannot be read.
 */
int import_run(const struct agent *a, const char *const *paths, size_t n,
		const struct scope *sc, const struct import_opts *o,
		struct import_stats *st, struct strbuf *err);

const char *import_skip_name(enum import_skip s);

#endif
