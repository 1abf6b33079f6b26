/*
 * tally import: coding agents' own logs into the ledger, incrementally.
 */
#include "tally.h"
#include "reporting.h"

#include <stdio.h>
#include <string.h>

#include "../importers/import.h"
#include "../lib/jsonw.h"
#include "../lib/ledger.h"
#include "../lib/pricing.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

#define MAX_AGENTS 32

/* One usage line per agent, from the agent table, then --list and --all. */
static const char *const *import_usage(void)
{
	static char lines[MAX_AGENTS][128];
	static const char *usage[MAX_AGENTS + 3];
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
	usage[n++] = "tally import --list [--json]";
	usage[n++] = "tally import --all [-n | --dry-run] [--json]";
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

/* How long the agent keeps its logs, when it says (agent.h retention). */
struct retention {
	int known, is_default;
	int64_t days, oldest_age_days;
	struct strbuf note;
};

static void report_json(struct jsonw *w, const struct agent *a,
		const struct import_stats *st, int dry_run,
		const struct retention *rt)
{
	jw_object_begin(w);
	jw_kv_string(w, "agent", a->name);
	jw_kv_bool(w, "dryRun", dry_run);
	jw_kv_int(w, "files", (int64_t)st->files);
	jw_kv_int(w, "filesUnchanged", (int64_t)st->files_unchanged);
	jw_kv_int(w, "filesReadAgain", (int64_t)st->files_restarted);
	jw_kv_int(w, "bytesRead", (int64_t)st->bytes);
	jw_kv_int(w, "lines", (int64_t)st->lines);
	jw_kv_int(w, "added", (int64_t)st->added);
	jw_kv_int(w, "updated", (int64_t)st->updated);
	jw_kv_int(w, "duplicates", (int64_t)st->duplicates);
	jw_kv_int(w, "planSamples", (int64_t)st->plan_samples);
	if (rt->known) {
		jw_kv_int(w, "cleanupPeriodDays", rt->days);
		jw_kv_bool(w, "cleanupPeriodIsDefault", rt->is_default);
		json_int_or_null(w, "oldestLogAgeDays", rt->oldest_age_days);
	}
	jw_key(w, "skipped");
	jw_object_begin(w);
	for (int i = 0; i < SKIP__COUNT; i++)
		jw_kv_int(w, import_skip_name((enum import_skip)i),
				(int64_t)st->skipped[i]);
	jw_object_end(w);
	jw_object_end(w);
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
	if (st->plan_samples) {
		strbuf_addstr(out, ", ");
		strbuf_add_counted(out, st->plan_samples, "plan sample",
				"plan samples");
	}
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
	remotes_publish_after_write(ctx);
}

/* --list: every agent, where it looks and what is there. */
static void list_places(struct strbuf *out, int json)
{
	struct jsonw w;
	struct table t;

	jw_init(&w, out, JW_PRETTY);
	table_init(&t, "llr");
	table_head(&t, "AGENT", "PLACE", "LOGS", NULL);
	if (json)
		jw_array_begin(&w);
	for (const struct agent *const *a = agent_table; *a; a++) {
		struct import_place *p;
		size_t n;

		import_places(*a, &p, &n);
		if (json) {
			jw_object_begin(&w);
			jw_kv_string(&w, "agent", (*a)->name);
			jw_kv_string(&w, "source", (*a)->source);
			jw_key(&w, "places");
			jw_array_begin(&w);
		}
		for (size_t i = 0; i < n; i++) {
			if (json) {
				jw_object_begin(&w);
				jw_kv_string(&w, "path", p[i].dir);
				jw_kv_bool(&w, "exists", p[i].exists);
				jw_kv_int(&w, "files", (int64_t)p[i].files);
				jw_object_end(&w);
				continue;
			}
			table_cell_str(&t, i ? "" : (*a)->name);
			table_cell_str(&t, p[i].dir);
			if (p[i].exists)
				table_cell(&t, "%zu", p[i].files);
			else
				table_cell_str(&t, "none there");
		}
		if (json) {
			jw_array_end(&w);
			jw_kv_bool(&w, "needsPaths", (*a)->needs_paths);
			jw_object_end(&w);
		} else if (!n) {
			table_cell_str(&t, (*a)->name);
			table_cell_str(&t, "(no default place: name its logs)");
			table_cell_str(&t, "");
		}
		import_places_release(p, n);
	}
	if (json)
		jw_array_end(&w);
	else
		table_render(&t, out, 0);
	table_release(&t);
}

/* Whether any of the agent's default places is there. */
static int has_place(const struct agent *a)
{
	struct import_place *p;
	size_t n;
	int any = 0;

	import_places(a, &p, &n);
	for (size_t i = 0; i < n; i++)
		any |= p[i].exists;
	import_places_release(p, n);
	return any;
}

/* Imports one agent from paths (n 0: its default places); reports. */
static int import_one(const struct agent *a, const char *const *paths,
		size_t n, struct tally_ctx *ctx, const struct import_opts *o,
		struct strbuf *out, struct jsonw *w, struct strbuf *err)
{
	struct import_stats st;
	struct retention rt = { .oldest_age_days = -1,
		.note = STRBUF_INIT };
	int ret = import_run(a, paths, n, &ctx->scope, o, &st, err);

	if (ret)
		return ret;
	/* Said of the agent's own places only, where it deletes its logs. */
	if (!n && a->retention && st.files) {
		a->retention(&st, o->now, &rt.note, &rt.days,
				&rt.is_default);
		rt.known = 1;
		rt.oldest_age_days = (o->now - st.oldest_mtime) / 86400000;
	}
	if (w)
		report_json(w, a, &st, o->dry_run, &rt);
	else
		print_text(out, a, &st, o->dry_run);
	if (rt.note.len && !w)
		warning("%s", rt.note.buf);
	strbuf_release(&rt.note);
	if (!o->dry_run && (st.added || st.updated))
		after_import(ctx, st.rows_written);
	return 0;
}

/*
 * --all: every agent whose default places are there, for a cron line.
 * One that fails is said and the others go on; the status is the first
 * failure's.
 */
static int import_all(struct tally_ctx *ctx, const struct import_opts *o,
		int json, struct strbuf *out)
{
	struct strbuf err = STRBUF_INIT;
	struct jsonw w;
	int first = 0;

	size_t tried = 0;

	jw_init(&w, out, JW_PRETTY);
	if (json)
		jw_array_begin(&w);
	for (const struct agent *const *a = agent_table; *a; a++) {
		int ret;

		if ((*a)->needs_paths || !has_place(*a))
			continue;
		tried++;
		strbuf_reset(&err);
		ret = import_one(*a, NULL, 0, ctx, o, out, json ? &w : NULL,
				&err);
		if (ret) {
			error("%s: %s", (*a)->name, err.buf);
			if (!first)
				first = ret;
		}
	}
	if (json)
		jw_array_end(&w);
	if (!tried)
		warning("no agent's logs are in their default places "
				"(tally import --list shows where they are "
				"looked for)");
	strbuf_release(&err);
	return first;
}

int cmd_import(int argc, const char **argv, struct tally_ctx *ctx)
{
	int dry_run = 0, json = 0, list = 0, all = 0;
	struct option opts[] = {
		OPT_BOOL('n', "dry-run", &dry_run,
				"read and report, but record nothing"),
		OPT_BOOL(0, "json", &json, "print the report as JSON"),
		OPT_BOOL(0, "list", &list, "every agent, where it looks and "
				"how many logs are there"),
		OPT_BOOL(0, "all", &all, "import every agent whose logs are "
				"in their default places"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	const char *const *usage = import_usage();
	const struct agent *a = NULL;
	struct import_opts o = { 0 };
	struct price_table pt;
	struct jsonw w;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, usage, 0);
	agent_names(&out);
	if (list && (all || dry_run || argc > 1))
		usage_error(usage, opts, "--list takes no agent and no other "
				"option but --json");
	if (all && argc > 1)
		usage_error(usage, opts, "--all imports every agent: name "
				"none");
	if (list) {
		strbuf_reset(&out);
		list_places(&out, json);
		flush_out(&out);
		strbuf_release(&out);
		return 0;
	}
	if (!all && argc < 2)
		usage_error(usage, opts, "import needs an agent: %s, or --all",
				out.buf);
	if (!all && !(a = agent_by_name(argv[1])))
		usage_error(usage, opts, "unknown agent '%s' (%s)", argv[1],
				out.buf);
	if (a && a->needs_paths && argc < 3)
		usage_error(usage, opts, "%s needs the log file", a->name);
	strbuf_reset(&out);
	o.dry_run = dry_run;
	o.now = now_ms();
	o.fsync = ctx->cfg.fsync;
	o.lock_timeout_ms = ctx->cfg.lock_timeout_ms;
	ret = pricing_load(&pt, &ctx->cfg, &err);
	o.prices = &pt;
	jw_init(&w, &out, JW_PRETTY);
	if (!ret && all)
		ret = import_all(ctx, &o, json, &out);
	else if (!ret)
		ret = import_one(a, argv + 2, (size_t)argc - 2, ctx, &o, &out,
				json ? &w : NULL, &err);
	flush_out(&out);
	pricing_release(&pt);
	strbuf_release(&out);
	/* --all said each failure as it came: err is empty then. */
	return report(ret, &err);
}
