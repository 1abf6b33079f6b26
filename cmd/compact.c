/*
 * tally compact: fold superseded rows, apply retention, move invalid
 * lines aside, keeping day rollups of what is removed.
 */
#include "tally.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../lib/compact.h"
#include "../lib/jsonw.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

static const char *const compact_usage[] = {
	"tally compact [-n | --dry-run] [--json]",
	NULL,
};

static void print_json(struct strbuf *out, const struct compact_stats *st,
		int dry_run)
{
	struct jsonw w;

	jw_init(&w, out, JW_PRETTY);
	jw_object_begin(&w);
	jw_kv_bool(&w, "dryRun", dry_run);
	jw_kv_int(&w, "rows", (int64_t)st->rows);
	jw_kv_int(&w, "entries", (int64_t)st->entries);
	jw_kv_int(&w, "supersededRows", (int64_t)st->superseded);
	jw_kv_int(&w, "expired", (int64_t)st->expired);
	jw_kv_int(&w, "beyondMaxEntries", (int64_t)st->excess);
	jw_kv_int(&w, "rejectedLines", (int64_t)st->rejected);
	jw_kv_int(&w, "kept", (int64_t)st->entries - (int64_t)st->expired -
			(int64_t)st->excess);
	jw_kv_int(&w, "rollupRows", (int64_t)st->rollup_rows);
	jw_kv_int(&w, "bytesBefore", (int64_t)st->bytes_before);
	if (!dry_run)
		jw_kv_int(&w, "bytesAfter", (int64_t)st->bytes_after);
	jw_object_end(&w);
}

static void print_text(struct strbuf *out, const struct compact_stats *st,
		int dry_run)
{
	strbuf_addstr(out, dry_run ? "would compact " : "compacted ");
	strbuf_add_counted(out, st->rows, "row", "rows");
	strbuf_addstr(out, ": ");
	strbuf_add_counted(out, st->superseded, "superseded row",
			"superseded rows");
	strbuf_addstr(out, " folded, ");
	strbuf_add_counted(out, st->expired, "entry", "entries");
	strbuf_addstr(out, " past retention_days, ");
	strbuf_add_counted(out, st->excess, "entry", "entries");
	strbuf_addstr(out, " beyond max_entries, ");
	strbuf_add_counted(out, st->rejected, "invalid line", "invalid lines");
	strbuf_addstr(out, " moved to usage-ledger.rejected.jsonl; ");
	strbuf_add_counted(out, st->entries - st->expired - st->excess,
			"entry", "entries");
	strbuf_addstr(out, " kept\n");
}

int cmd_compact(int argc, const char **argv, struct tally_ctx *ctx)
{
	int dry_run = 0, json = 0;
	struct option opts[] = {
		OPT_BOOL('n', "dry-run", &dry_run,
				"say what would be done, change nothing"),
		OPT_BOOL(0, "json", &json, "print the result as JSON"),
		OPT_END(),
	};
	struct compact_opts o = { now_ms(), ctx->cfg.retention_days,
		ctx->cfg.max_entries, 0 };
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct compact_stats st;
	struct ledger l;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, compact_usage,
			PARSE_OPT_NO_ARGS);
	o.dry_run = dry_run;
	ledger_init(&l, ctx->scope.ledger_path, ctx->scope.lock_path,
			ctx->cfg.fsync, ctx->cfg.lock_timeout_ms);
	/* Nothing recorded here yet: nothing to compact, nothing to create. */
	memset(&st, 0, sizeof(st));
	ret = access(ctx->scope.dir, F_OK) ? 0 :
		ledger_compact(&l, &o, &st, &err);
	if (!ret) {
		if (json)
			print_json(&out, &st, dry_run);
		else
			print_text(&out, &st, dry_run);
		flush_out(&out);
	}
	ledger_release(&l);
	strbuf_release(&out);
	return report(ret, &err);
}
