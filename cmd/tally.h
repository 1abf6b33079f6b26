#ifndef TALLY_CMD_H
#define TALLY_CMD_H

#include <stdio.h>

#include "../lib/config.h"
#include "../lib/error.h"
#include "../lib/parse-options.h"
#include "../lib/scope.h"
#include "../lib/strbuf.h"

/*
 * Adding a command:
 *  1. cmd/<name>.c with int cmd_<name>(int argc, const char **argv,
 *     struct tally_ctx *ctx), declared below;
 *  2. one line in the commands[] table in cmd/tally.c (keep it sorted);
 *  3. the file in meson.build;
 *  4. Documentation/tally-<name>.1.scd whose SYNOPSIS equals the usage
 *     lines (t/t9000-docs.sh checks this);
 *  5. tests in t/.
 * Completion picks the options up from the option table by itself.
 */

struct tally_ctx {
	/* Global options. */
	const char *workspace_opt;
	int force_profile;
	const char *config_file;
	struct string_list config_params;

	/* Set up according to the command's flags. */
	struct strbuf workspace; /* detected workspace, or empty */
	struct config cfg;
	struct scope scope;
};

enum cmd_flags {
	NEED_CONFIG = 1 << 0, /* load configuration (exit 3 on errors) */
	NEED_SCOPE = 1 << 1,  /* resolve the data scope; implies config */
	OWN_TRUST_NOTICE = 1 << 2, /* the command says itself what it ignored */
};

/*
 * Warns about a workspace configuration file that was not read, or whose
 * settings that need trust were left out, naming the command that trusts
 * it. Once per run: setup() calls it for every command but those with
 * OWN_TRUST_NOTICE.
 */
void trust_notice(const struct tally_ctx *ctx);

int cmd_budget(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_clear(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_compact(int argc, const char **argv, struct tally_ctx *ctx);
/*
 * Removes a scope's files but its lock, under the lock (cmd/clear.c):
 * clear, and remotes forget.
 */
int scope_remove_files(const struct scope *sc, size_t *removed,
		int64_t lock_timeout_ms, struct strbuf *err);
int cmd_config(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_exec(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_export(int argc, const char **argv, struct tally_ctx *ctx);
/* The Prometheus text of export --format prometheus (cmd/export.c). */
int prometheus_text(struct tally_ctx *ctx, struct strbuf *out,
		struct strbuf *err);
int cmd_help(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_import(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_log(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_migrate(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_proxy(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_top(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_pricing(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_publish(int argc, const char **argv, struct tally_ctx *ctx);
/*
 * The remotes setting (cmd/publish.c): pulls its folders when a report
 * starts, at most once a minute; and, with sync_remotes, publishes to
 * them after a write. Failures are warnings: the report or the write
 * stands.
 */
void remotes_pull_due(const struct tally_ctx *ctx);
void remotes_publish_after_write(const struct tally_ctx *ctx);
int cmd_pull(int argc, const char **argv, struct tally_ctx *ctx);
/* tally pricing check (cmd/pricing-check.c). */
int pricing_check(const struct tally_ctx *ctx, int json);
int cmd_quota(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_record(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_remotes(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_status(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_summary(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_sync(int argc, const char **argv, struct tally_ctx *ctx);
int cmd_version(int argc, const char **argv, struct tally_ctx *ctx);

/*
 * Parses a command's options. -h prints the usage to stdout and exits 0;
 * an error prints "tally: <why>" and the usage to stderr and exits 2.
 */
int parse_options_or_exit(int argc, const char **argv,
		const struct option *opts, const char *const *usage, int flags);

/* Prints "tally: <message>" and where the usage is, then exits 2. */
__attribute__((format(printf, 3, 4), noreturn))
void usage_error(const char *const *usage, const struct option *opts,
		const char *fmt, ...);

/*
 * What completion offers for an option's argument (cmd/complete.c),
 * one per line; completion_ctx is the command's context, for values
 * from its ledger.
 */
void complete_values(struct strbuf *out, const struct option *o);
extern const struct tally_ctx *completion_ctx;

/*
 * Finds the workspace and loads the configuration, exiting 3 on errors,
 * for a command that does so only when it needs to (config).
 */
void setup_config(struct tally_ctx *ctx);

/*
 * Sends standard output through the pager when it is a terminal (see
 * cmd/pager.c); for long human output. no_pager is --no-pager.
 */
void setup_pager(void);
extern int no_pager;

/* Writes the whole buffer to stdout, then resets it. */
void flush_out(struct strbuf *out);

struct ledger;
/*
 * After rows went in (the ledger lock held): compacts when the ledger is
 * past its limits by a margin, unless auto_compact is off. The rows are
 * safely in already, so a failure is only a warning.
 */
/*
 * rows_known: rows the ledger is known to hold at least (0: unknown).
 * Returns how many entries went into day rollups for their age.
 */
/* providers.<id>.<name> from the configuration, or NULL. */
const char *provider_setting(const struct tally_ctx *ctx, const char *id,
		const char *name);

/*
 * Whether a key for the provider is set up: its environment variable is
 * set, or an api_key_command is configured (not run here).
 */
struct provider;
int provider_key_set_up(const struct tally_ctx *ctx,
		const struct provider *p);

uint64_t auto_compact_locked(struct ledger *l, const struct tally_ctx *ctx,
		uint64_t rows_known);

/*
 * Appends rows (whole JSON lines) to the scope's ledger, making the
 * scope's directory first; nothing to append is no error. 0 or
 * T_ELEDGER.
 */
int append_rows(const struct tally_ctx *ctx, const struct strbuf *rows,
		struct strbuf *err);

/* The command table, for help and --list-cmds. */
struct cmd_struct {
	const char *name;
	int (*fn)(int, const char **, struct tally_ctx *);
	int flags;
	const char *summary;
};
extern const struct cmd_struct commands[];
const struct cmd_struct *find_command(const char *name);

/* Prints the list of commands and the global usage. */
void print_overview(FILE *f);

/* Prints the usage of a command to stdout by running it with -h. */
int print_command_usage(const char *name);

#endif
