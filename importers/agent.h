#ifndef TALLY_IMPORTERS_AGENT_H
#define TALLY_IMPORTERS_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/entry.h"
#include "../lib/mempool.h"
#include "../lib/string-list.h"
#include "../lib/strbuf.h"

/*
 * A coding agent whose logs tally imports: how to find them and how to
 * read one line. The engine (import.h) does the rest: which files are new,
 * which usages were seen, the ledger. tally-import(1) says which fields
 * each agent's parser reads and how.
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
struct import_stats;

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
	/*
	 * Per-file parser state, kept across runs: f->state points to
	 * state_size bytes, reset before each file; state_save writes one
	 * JSON value and state_load reads it back (all NULL, size 0, for
	 * parsers that keep none).
	 */
	size_t state_size;
	void (*state_load)(struct import_file *f, const char *text);
	void (*state_save)(const struct import_file *f, struct strbuf *out);
	void (*state_reset)(struct import_file *f);
	/*
	 * After an import from the default places (may be NULL): appends
	 * to note what the user should know about how long the agent keeps
	 * its logs (Claude Code deletes them after cleanupPeriodDays), and
	 * sets *days to that setting (-1: unknown) and *is_default.
	 */
	void (*retention)(const struct import_stats *st, int64_t now,
			struct strbuf *note, int64_t *days, int *is_default);
	/*
	 * Each log is one JSON document, read whole (again whenever it
	 * changed) and handed to line() as one usage (a message), or, when
	 * set, to read_whole, which hands each usage it holds (a thread's
	 * events) to import_line(). 0, or an error with err.
	 */
	int whole_files;
	/*
	 * Logs of an older format, each one JSON document read whole as
	 * above, beside the agent's line-by-line logs (may be NULL): the
	 * file-name suffix of those.
	 */
	const char *whole_suffix;
	int (*read_whole)(struct import_file *f, const char *text, size_t len,
			struct strbuf *err);
	/*
	 * The name of a database the agent keeps its usage in, a shell
	 * pattern (OpenCode's opencode*.db), looked for in each place
	 * searched, or NULL: read_db reads it from
	 * where the per-file state says (a database is read on each run,
	 * its last writes may be in a log beside it) and hands each row's
	 * document to import_line(). 0, or an error with err.
	 */
	const char *db_name;
	int (*read_db)(struct import_file *f, struct strbuf *err);
	/* The arguments after the agent's name in tally import's usage. */
	const char *usage_args;
	/* The logs have no default place: paths must be given. */
	int needs_paths;
	/*
	 * Said when the default places hold no log (may be NULL): how to
	 * make the agent write one, for agents that write none by default.
	 */
	const char *no_logs_hint;
};

extern const struct agent agent_amp, agent_claude_code, agent_codex,
	agent_codingbuddy, agent_copilot_cli, agent_gemini_cli, agent_goose,
	agent_opencode, agent_qwen_code;

/*
 * Every agent, alphabetized, NULL-terminated: adding an agent is a file
 * of its own and a line in registry.c.
 */
extern const struct agent *const agent_table[];

/* The agent of that name, or NULL. */
const struct agent *agent_by_name(const char *name);

/* One file as the parsers see it. */
struct import_file {
	const char *path;
	const char *rel;           /* path below the directory searched */
	struct mempool *pool;      /* for strings of the current entry */
	void *state;               /* agent->state_size bytes, the parser's */
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

/*
 * For read_db: one row's document through the agent's line() and into
 * the import, as a line of a log is. 0, or an error to stop with.
 */
int import_line(struct import_file *f, const char *text, size_t len,
		struct strbuf *err);

/*
 * Keeps a plan's usage window the agent reported at `at` (lib/plan.h)
 * as a quota row, written with the import's entries; what names the
 * plan and who saw it ("codex-plan"), so that the row read again is the
 * same row. Outside an import (f->run NULL), nothing.
 */
struct plan_sample;
void import_plan_sample(struct import_file *f, const struct plan_sample *ps,
		int64_t at, const char *what);

#endif
