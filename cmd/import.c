/*
 * tally import: coding agents' own logs into the ledger, incrementally.
 */
#include "tally.h"

#include <stdio.h>
#include <string.h>

#include "../importers/import.h"
#include "../lib/jsonw.h"
#include "../lib/ledger.h"
#include "../lib/pricing.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

#define MAX_AGENTS 32

/* One usage line per agent, from the agent table. */
static const char *const *import_usage(void)
{
	static char lines[MAX_AGENTS][128];
	static const char *usage[MAX_AGENTS + 1];
	size_t n = 0;

	for (const struct agent *const *a = agent_table; *a; a++) {
		if (n == MAX_AGENTS)
			BUG("more than %d agents", MAX_AGENTS);
		snprintf(lines[n], sizeof(lines[n]), "tally import %s "
				"[-n | --dry-run] [--json] %s", (*a)->name,
				(*a)->usage_args);
		usage[n] = lines[n];
		n++;
	}
	usage[n] = NULL;
	return usage;
}

/* "claude-code, codex or codingbuddy" */
static void agent_names(struct strbuf *out)
{
	for (const struct agent *const *a = agent_table; *a; a++)
		strbuf_addf(out, "%s%s", a == agent_table ? "" : a[1] ?
				", " : " or ", (*a)->name);
}

static void print_json(struct strbuf *out, const struct agent *a,
		const struct import_stats *st, int dry_run)
{
	struct jsonw w;

	jw_init(&w, out, JW_PRETTY);
	jw_object_begin(&w);
	jw_kv_string(&w, "agent", a->name);
	jw_kv_bool(&w, "dryRun", dry_run);
	jw_kv_int(&w, "files", (int64_t)st->files);
	jw_kv_int(&w, "filesUnchanged", (int64_t)st->files_unchanged);
	jw_kv_int(&w, "filesReadAgain", (int64_t)st->files_restarted);
	jw_kv_int(&w, "bytesRead", (int64_t)st->bytes);
	jw_kv_int(&w, "lines", (int64_t)st->lines);
	jw_kv_int(&w, "added", (int64_t)st->added);
	jw_kv_int(&w, "updated", (int64_t)st->updated);
	jw_kv_int(&w, "duplicates", (int64_t)st->duplicates);
	jw_key(&w, "skipped");
	jw_object_begin(&w);
	for (int i = 0; i < SKIP__COUNT; i++)
		jw_kv_int(&w, import_skip_name((enum import_skip)i),
				(int64_t)st->skipped[i]);
	jw_object_end(&w);
	jw_object_end(&w);
}

static void print_text(struct strbuf *out, const struct agent *a,
		const struct import_stats *st, int dry_run)
{
	static const char *const skip_text[] = { "without usage", "synthetic",
		"malformed", "incomplete", "with zero usage", "repeated totals",
		"replayed from the parent session" };
	const char *sep = "; skipped ";

	strbuf_addf(out, "%s%s: ", dry_run ? "would import " : "", a->name);
	strbuf_add_counted(out, st->files, "file", "files");
	strbuf_addf(out, " (%llu unchanged), ",
			(unsigned long long)st->files_unchanged);
	strbuf_add_counted(out, st->lines, "line", "lines");
	strbuf_addstr(out, " read: ");
	strbuf_add_counted(out, st->added, "entry", "entries");
	strbuf_addf(out, " %sadded, %llu %supdated, ", dry_run ? "to be " : "",
			(unsigned long long)st->updated,
			dry_run ? "to be " : "");
	strbuf_add_counted(out, st->duplicates, "duplicate", "duplicates");
	for (int i = 0; i < SKIP__COUNT; i++) {
		if (!st->skipped[i])
			continue;
		strbuf_addf(out, "%s%llu %s", sep,
				(unsigned long long)st->skipped[i], skip_text[i]);
		sep = ", ";
	}
	strbuf_addch(out, '\n');
}

/* New rows may have taken the ledger past its limits. */
static void after_import(const struct tally_ctx *ctx, uint64_t rows)
{
	struct strbuf err = STRBUF_INIT;
	uint64_t folded = 0;
	struct ledger l;

	ledger_init(&l, ctx->scope.ledger_path, ctx->scope.lock_path,
			ctx->cfg.fsync, ctx->cfg.lock_timeout_ms);
	if (!ledger_lock(&l, &err))
		folded = auto_compact_locked(&l, ctx, rows);
	if (folded) {
		struct strbuf what = STRBUF_INIT;

		strbuf_add_counted(&what, folded, "entry", "entries");
		warning("%s older than retention_days (%lld) went into day "
				"rollups: the totals stay, by provider, model, "
				"day and project; single entries and other "
				"tags do not (see 'tally log --kind rollup'); "
				"retention_days: 0 keeps every entry whole",
				what.buf, (long long)ctx->cfg.retention_days);
		strbuf_release(&what);
	}
	ledger_release(&l);
	strbuf_release(&err);
}

int cmd_import(int argc, const char **argv, struct tally_ctx *ctx)
{
	int dry_run = 0, json = 0;
	struct option opts[] = {
		OPT_BOOL('n', "dry-run", &dry_run,
				"read and report, but record nothing"),
		OPT_BOOL(0, "json", &json, "print the report as JSON"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	const char *const *usage = import_usage();
	const struct agent *a;
	struct import_stats st;
	struct import_opts o = { 0 };
	struct price_table pt;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, usage, 0);
	agent_names(&out);
	if (argc < 2)
		usage_error(usage, opts, "import needs an agent: %s", out.buf);
	if (!(a = agent_by_name(argv[1])))
		usage_error(usage, opts, "unknown agent '%s' (%s)", argv[1],
				out.buf);
	if (a->needs_paths && argc < 3)
		usage_error(usage, opts, "%s needs the log file", a->name);
	strbuf_reset(&out);
	o.dry_run = dry_run;
	o.now = now_ms();
	o.fsync = ctx->cfg.fsync;
	o.lock_timeout_ms = ctx->cfg.lock_timeout_ms;
	ret = pricing_load(&pt, &ctx->cfg, &err);
	o.prices = &pt;
	if (!ret)
		ret = import_run(a, argv + 2, (size_t)argc - 2, &ctx->scope, &o,
				&st, &err);
	if (!ret) {
		if (json)
			print_json(&out, a, &st, dry_run);
		else
			print_text(&out, a, &st, dry_run);
		flush_out(&out);
		if (!dry_run && (st.added || st.updated))
			after_import(ctx, st.rows_written);
	}
	pricing_release(&pt);
	strbuf_release(&out);
	return report(ret, &err);
}
