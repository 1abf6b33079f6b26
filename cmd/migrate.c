/*
 * tally migrate: rewrite rows of an older schema as the current version.
 */
#include "tally.h"

#include <stdio.h>
#include <unistd.h>

#include "../lib/ledger.h"
#include "../lib/migrate.h"
#include "../lib/banned.h"

static const char *const migrate_usage[] = {
	"tally migrate [--check | -n | --dry-run]",
	NULL,
};

/* -n: each row that would change, as a unified diff's lines would. */
static void show_upgrade(uint64_t lineno, const char *old, size_t old_len,
		const char *row, size_t row_len, void *data)
{
	struct strbuf *out = data;

	strbuf_addf(out, "line %llu:\n-%.*s\n+%.*s\n",
			(unsigned long long)lineno, (int)old_len, old,
			(int)row_len, row);
	if (out->len > (1u << 16))
		flush_out(out);
}

int cmd_migrate(int argc, const char **argv, struct tally_ctx *ctx)
{
	int check = 0, dry_run = 0;
	struct option opts[] = {
		OPT_BOOL(0, "check", &check,
				"exit 1 when a migration is needed, 0 otherwise"),
		OPT_BOOL('n', "dry-run", &dry_run,
				"say what would change, change nothing"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct migrate_stats st = { 0 };
	struct ledger l;
	int ret = 0;

	argc = parse_options_or_exit(argc, argv, opts, migrate_usage,
			PARSE_OPT_NO_ARGS);
	if (check && dry_run)
		usage_error(migrate_usage, opts, "--check and --dry-run exclude "
				"each other");
	ledger_init(&l, ctx->scope.ledger_path, ctx->scope.lock_path,
			ctx->cfg.fsync, ctx->cfg.lock_timeout_ms);
	if (!access(ctx->scope.ledger_path, F_OK)) {
		ret = ledger_lock(&l, &err);
		if (!ret)
			ret = ledger_migrate_locked(&l, !check && !dry_run, &st,
					dry_run ? show_upgrade : NULL, &out,
					&err);
		ledger_unlock(&l);
	}
	flush_out(&out);
	strbuf_release(&out);
	if (!ret && check) {
		ledger_release(&l);
		return st.old_rows ? EXIT_FAIL : 0;
	}
	if (!ret && !st.old_rows)
		printf("%s: up to date (schema version %d)\n",
				ctx->scope.ledger_path, ENTRY_VERSION);
	else if (!ret)
		printf("%s %llu of %llu %s to schema version %d (the first "
				"on line %llu)\n", dry_run ? "would upgrade" :
				"upgraded", (unsigned long long)st.old_rows,
				(unsigned long long)st.lines,
				st.lines == 1 ? "line" : "lines", ENTRY_VERSION,
				(unsigned long long)st.first_old_line);
	ledger_release(&l);
	return report(ret, &err);
}
