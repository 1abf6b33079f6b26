/*
 * tally log: list, search and follow the folded entries of the ledger.
 */
#include "tally.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/entry.h"
#include "../lib/entries.h"
#include "../lib/hashset.h"
#include "../lib/jsonw.h"
#include "../lib/ledger.h"
#include "../lib/money.h"
#include "../lib/query.h"
#include "../lib/rollup.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

static const char *const log_usage[] = {
	"tally log [<filters>] [--all-workspaces] [-n <count>] "
		"[--cursor <entry-id>] [--json | --ndjson | --porcelain | -z]",
	"tally log -f [<filters>] [-n <count>] [--ndjson | --porcelain | -z]",
	NULL,
};

enum log_format { FMT_TABLE, FMT_JSON, FMT_NDJSON, FMT_PORCELAIN };

/* Rows are rendered and written in batches of this many. */
#define BATCH 512

struct log_state {
	struct query q;
	int64_t limit;
	const char *cursor;
	enum log_format fmt;
	int nul;
	int follow;
	int all_workspaces;
	enum cost_mode cost_mode;
	const char *path;
	/* With --all-workspaces: the other scopes' ledgers, open. */
	struct ledger_reader *more;
	const char **more_paths;
	size_t nmore;
	/*
	 * And whose each ledger is (by entries_ledger()): a workspace's
	 * path, or NULL for the profile; the entry being emitted's in where.
	 */
	const char **owners;
	int where_known;
	const char *where;

	struct table table;
	int colour;
	size_t printed;
	struct strbuf out;
	struct jsonw w;
};

/* ---- one entry in each format ---- */

static const char *sync_short(const struct entry *e)
{
	const char *s = entry_get_str(e, EF_SYNC_STATUS);

	if (!s)
		return "-";
	if (!strcmp(s, "pending_sync"))
		return "pending";
	if (!strcmp(s, "sync_failed"))
		return "failed";
	if (!strcmp(s, "unsupported_provider"))
		return "n/a";
	return s;
}

static void cost_text(struct strbuf *sb, const struct entry *e,
		enum cost_mode mode)
{
	int64_t nano;

	switch (entry_cost(e, mode, &nano)) {
	case COST_BILLED:
		money_format_human(sb, nano);
		break;
	case COST_ESTIMATED:
		strbuf_addch(sb, '~');
		money_format_human(sb, nano);
		break;
	case COST_UNPRICED:
		strbuf_addstr(sb, "unpriced");
		break;
	case COST_NONE:
		strbuf_addstr(sb, "-");
		break;
	}
}

static void count_cell(struct table *t, const struct entry *e,
		enum entry_field f)
{
	struct strbuf sb = STRBUF_INIT;

	if (entry_has(e, f))
		fmt_count(&sb, entry_get_int(e, f));
	else
		strbuf_addch(&sb, '-');
	table_cell_str(t, sb.buf);
	strbuf_release(&sb);
}

static void table_header(struct log_state *s)
{
	table_head(&s->table, "TIME", "PROVIDER", "MODEL", "INPUT", "OUTPUT",
			"COST", "STATUS", "SYNC",
			s->where_known ? "WORKSPACE" : NULL, NULL);
}

static void workspace_cell(struct log_state *s)
{
	if (s->where_known)
		table_cell_str(&s->table, s->where ? s->where : "(profile)");
}

static void count_value_cell(struct table *t, int64_t n)
{
	struct strbuf sb = STRBUF_INIT;

	fmt_count(&sb, n);
	table_cell_str(t, sb.buf);
	strbuf_release(&sb);
}

/*
 * A day rollup (entries folded by compaction): its day, the sums of its
 * entries and how many they were, marked as a rollup.
 */
static void add_rollup_row(struct log_state *s, const struct entry *e)
{
	static const struct cost_words words = { "unpriced", "-",
		" +%lld unpriced" };
	struct strbuf sb = STRBUF_INIT;
	struct counters c;

	counters_of_entry(e, &c);
	day_key(&sb, local_day(entry_time(e)));
	table_cell_str(&s->table, sb.buf);
	table_cell_str(&s->table, e->provider_id ? e->provider_id : "-");
	table_cell_str(&s->table, e->model_id ? e->model_id : "-");
	count_value_cell(&s->table, c.v[RC_INPUT]);
	count_value_cell(&s->table, c.v[RC_OUTPUT]);
	strbuf_reset(&sb);
	counters_cost_text(&sb, &c, s->cost_mode, &words);
	table_cell_str(&s->table, sb.buf);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "rollup of %lld", (long long)c.v[RC_REQUESTS]);
	table_cell_styled(&s->table, TABLE_DIM, sb.buf);
	table_cell_str(&s->table, "-");
	workspace_cell(s);
	strbuf_release(&sb);
}

static void add_usage_row(struct log_state *s, const struct entry *e)
{
	struct strbuf sb = STRBUF_INIT;
	const char *status = entry_get_str(e, EF_STATUS);

	time_format_local(&sb, entry_time(e));
	table_cell_str(&s->table, sb.buf);
	table_cell_str(&s->table, e->provider_id ? e->provider_id : "-");
	table_cell_str(&s->table, e->model_id ? e->model_id : "-");
	count_cell(&s->table, e, EF_BILLED_INPUT_TOKENS);
	count_cell(&s->table, e, EF_BILLED_OUTPUT_TOKENS);
	strbuf_reset(&sb);
	cost_text(&sb, e, s->cost_mode);
	table_cell_styled(&s->table, !strcmp(sb.buf, "unpriced") ?
			TABLE_YELLOW : TABLE_PLAIN, sb.buf);
	table_cell_styled(&s->table, status && (!strcmp(status, "failed") ||
			!strcmp(status, "sync_failed")) ? TABLE_RED :
			TABLE_PLAIN, status ? status : "-");
	table_cell_str(&s->table, sync_short(e));
	workspace_cell(s);
	strbuf_release(&sb);
}

static void add_table_row(struct log_state *s, const struct entry *e)
{
	if (entry_is_rollup(e))
		add_rollup_row(s, e);
	else
		add_usage_row(s, e);
}

/*
 * Porcelain fields never contain the separators, nor any other control
 * character: those are escaped as in human output (\x09 for a tab).
 */
static void porcelain_field(struct strbuf *out, const char *s)
{
	strbuf_addstr_printable(out, s);
}

static void porcelain_count(struct strbuf *out, const struct entry *e,
		enum entry_field f)
{
	if (entry_has(e, f))
		strbuf_addf(out, "%lld", (long long)entry_get_int(e, f));
	strbuf_addch(out, '\t');
}

/*
 * Porcelain v1, one record per entry, tab-separated, empty when unknown:
 * entryId time providerId modelId input output total cost costKind
 * status syncStatus source. The layout never changes; a new layout
 * would be v2.
 */
static void add_porcelain(struct log_state *s, const struct entry *e)
{
	struct strbuf *out = &s->out;
	enum cost_kind kind;
	int64_t nano;

	porcelain_field(out, e->entry_id);
	strbuf_addch(out, '\t');
	time_format_utc(out, entry_time(e));
	strbuf_addch(out, '\t');
	porcelain_field(out, e->provider_id);
	strbuf_addch(out, '\t');
	porcelain_field(out, e->model_id);
	strbuf_addch(out, '\t');
	porcelain_count(out, e, EF_BILLED_INPUT_TOKENS);
	porcelain_count(out, e, EF_BILLED_OUTPUT_TOKENS);
	porcelain_count(out, e, EF_TOTAL_BILLED_TOKENS);
	kind = entry_cost(e, s->cost_mode, &nano);
	if (kind == COST_BILLED || kind == COST_ESTIMATED)
		money_format(out, nano);
	strbuf_addf(out, "\t%s\t", cost_kind_name(kind));
	porcelain_field(out, entry_get_str(e, EF_STATUS));
	strbuf_addch(out, '\t');
	porcelain_field(out, entry_get_str(e, EF_SYNC_STATUS));
	strbuf_addch(out, '\t');
	porcelain_field(out, entry_get_str(e, EF_SOURCE));
	strbuf_addch(out, s->nul ? '\0' : '\n');
}

static void flush_batch(struct log_state *s)
{
	if (s->fmt == FMT_TABLE && s->table.nr) {
		table_render(&s->table, &s->out, s->colour);
		table_clear_rows(&s->table);
	}
	flush_out(&s->out);
	fflush(stdout);
}

/* The entry as an object, with whose it is under --all-workspaces. */
static void entry_json(struct jsonw *w, const struct log_state *s,
		const struct entry *e)
{
	jw_object_begin(w);
	entry_write_members(w, e);
	if (s->where_known && s->where)
		jw_kv_string(w, "workspace", s->where);
	jw_object_end(w);
}

static void emit(struct log_state *s, const struct entry *e)
{
	struct jsonw ndjson;

	switch (s->fmt) {
	case FMT_TABLE:
		if (!s->printed)
			table_header(s);
		add_table_row(s, e);
		break;
	case FMT_JSON:
		entry_json(&s->w, s, e);
		break;
	case FMT_NDJSON:
		jw_init(&ndjson, &s->out, JW_COMPACT);
		entry_json(&ndjson, s, e);
		strbuf_addch(&s->out, '\n');
		break;
	case FMT_PORCELAIN:
		add_porcelain(s, e);
		break;
	}
	if (++s->printed % BATCH == 0)
		flush_batch(s);
}

/* ---- listing ---- */

static uint64_t row_fingerprint(const struct entry *e, struct strbuf *tmp)
{
	strbuf_reset(tmp);
	entry_to_row(tmp, e);
	return fold_hash(tmp->buf);
}

struct seen_rows {
	struct hashset *seen;
	struct strbuf tmp;
};

/* For --follow: each row's fingerprint, so that a rewrite shows no row twice. */
static void remember_row(const struct entry *e, void *data)
{
	struct seen_rows *sr = data;

	hashset_add(sr->seen, row_fingerprint(e, &sr->tmp));
}

/* Index of the first item after the cursor entry. */
static int skip_to_cursor(struct log_state *s, struct entries *it,
		size_t *start, struct strbuf *err)
{
	ssize_t at = entries_find(it, s->cursor, err);

	if (at < -1)
		return T_ELEDGER;
	if (at < 0)
		return fail(err, T_EFAIL, "--cursor: no entry '%s'", s->cursor);
	*start = (size_t)at + 1;
	return 0;
}

static void whose(struct log_state *s, const struct entries *it, size_t i)
{
	if (s->where_known)
		s->where = s->owners[entries_ledger(it, i)];
}

static int print_items(struct log_state *s, struct entries *it, size_t start,
		int oldest_first, struct strbuf *err)
{
	size_t matched = 0, *picked = NULL, npicked = 0, alloc = 0;
	struct entry e;
	int ret = 0;

	entry_init(&e);
	/* Select newest first (the limit keeps the newest), then print. */
	for (size_t i = start; i < entries_count(it); i++) {
		if (s->limit >= 0 && matched >= (size_t)s->limit)
			break;
		if ((ret = entries_get(it, i, &e, err)))
			break;
		if (!query_match(&s->q, &e))
			continue;
		matched++;
		if (!oldest_first) {
			whose(s, it, i);
			emit(s, &e);
			continue;
		}
		ALLOC_GROW(picked, npicked + 1, alloc);
		picked[npicked++] = i;
	}
	while (!ret && npicked--) {
		ret = entries_get(it, picked[npicked], &e, err);
		whose(s, it, picked[npicked]);
		if (!ret)
			emit(s, &e);
	}
	free(picked);
	entry_release(&e);
	return ret;
}

/* Opens the ledger of every scope but the current one into s->more. */
static int open_other_scopes(struct log_state *s, const struct tally_ctx *ctx,
		struct scope_list *all, struct strbuf *err)
{
	int ret = scope_list_all(all, ctx->scope.root, err);

	s->more = xcalloc(all->nr + 1, sizeof(*s->more));
	s->more_paths = xcalloc(all->nr + 1, sizeof(*s->more_paths));
	s->owners = xcalloc(all->nr + 2, sizeof(*s->owners));
	s->where_known = 1;
	s->owners[0] = ctx->scope.is_workspace ? ctx->scope.workspace : NULL;
	for (size_t i = 0; !ret && i < all->nr; i++) {
		struct scope *sc = &all->v[i];

		if (!strcmp(sc->dir, ctx->scope.dir))
			continue;
		/* A workspace that cannot say its path goes by its id. */
		if (sc->is_workspace && scope_read_workspace(sc))
			sc->workspace = xstrdup(sc->workspace_id);
		s->owners[s->nmore + 1] = sc->is_workspace ? sc->workspace :
			NULL;
		s->more_paths[s->nmore] = sc->ledger_path;
		ret = ledger_reader_open(&s->more[s->nmore++],
				sc->ledger_path, 0, 0, err);
	}
	return ret;
}

static void close_other_scopes(struct log_state *s)
{
	for (size_t i = 0; i < s->nmore; i++)
		ledger_reader_close(&s->more[i]);
	free(s->more);
	free(s->more_paths);
	free(s->owners);
}

/*
 * Lists the entries of every complete row r yields (and of the other
 * scopes' ledgers with --all-workspaces). With seen (--follow),
 * also remembers each row's fingerprint and leaves a torn last line,
 * which a follower reads once it is complete.
 */
static int list(struct log_state *s, struct ledger_reader *r,
		struct hashset *seen, struct strbuf *err)
{
	struct seen_rows sr = { seen, STRBUF_INIT };
	struct entries_opts o = {
		.order = ENTRIES_NEWEST_FIRST,
		.stop_at_torn = seen != NULL,
		.row_seen = seen ? remember_row : NULL,
		.row_seen_data = &sr,
	};
	struct entries it;
	size_t start = 0;
	int ret;

	ret = entries_read(&it, r, s->path, &o, err);
	for (size_t i = 0; !ret && i < s->nmore; i++)
		ret = entries_add(&it, &s->more[i], s->more_paths[i], &o, err);
	if (!ret && s->cursor)
		ret = skip_to_cursor(s, &it, &start, err);
	if (!ret)
		ret = print_items(s, &it, start, s->follow, err);
	entries_release(&it);
	strbuf_release(&sr.tmp);
	return ret;
}

/* ---- following ---- */

/*
 * Reads rows appended since the last call. After a rewrite of the ledger
 * (compaction, migration), rows already seen in the old file are skipped.
 */
static int follow_rows(struct log_state *s, struct ledger_reader *r,
		struct hashset *seen, const struct hashset *old,
		struct strbuf *err)
{
	struct ledger_line line;
	struct strbuf tmp = STRBUF_INIT;
	struct entry e;
	int ret;

	entry_init(&e);
	ledger_reader_resume(r);
	while ((ret = ledger_reader_next(r, &line, err)) > 0) {
		uint64_t h;

		if (line.torn)
			break;
		if (ledger_parse_line(s->path, &line, &e))
			continue;
		h = row_fingerprint(&e, &tmp);
		hashset_add(seen, h);
		if (old && hashset_has(old, h))
			continue;
		if (query_match(&s->q, &e))
			emit(s, &e);
	}
	flush_batch(s);
	entry_release(&e);
	strbuf_release(&tmp);
	return ret;
}

static int rewritten(const struct ledger_reader *r, const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return r->fd >= 0;
	if (r->fd < 0)
		return 1;
	return st.st_ino != r->ino || st.st_dev != r->dev ||
	       (uint64_t)st.st_size < ledger_reader_offset(r);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int follow(struct log_state *s, struct strbuf *err)
{
	struct hashset seen = { 0 }, old = { 0 };
	struct ledger_reader r;
	int ret;

	ret = ledger_reader_open(&r, s->path, 0, 0, err);
	if (!ret)
		ret = list(s, &r, &seen, err);
	flush_batch(s);
	while (!ret) {
		sleep_ms(200);
		if (!rewritten(&r, s->path)) {
			ret = follow_rows(s, &r, &seen, NULL, err);
			continue;
		}
		ledger_reader_close(&r);
		hashset_release(&old);
		old = seen;
		memset(&seen, 0, sizeof(seen));
		ret = ledger_reader_open(&r, s->path, 0, 0, err);
		if (!ret)
			ret = follow_rows(s, &r, &seen, &old, err);
	}
	ledger_reader_close(&r);
	hashset_release(&seen);
	hashset_release(&old);
	return ret;
}

/* ---- the command ---- */

static void check_options(struct log_state *s, int json, int ndjson,
		int porcelain, const struct option *opts)
{
	if (json + ndjson + porcelain > 1)
		usage_error(log_usage, opts, "--json, --ndjson and --porcelain "
				"exclude each other");
	if (s->nul && (json || ndjson))
		usage_error(log_usage, opts, "-z goes with --porcelain");
	if (s->follow && s->cursor)
		usage_error(log_usage, opts, "--follow and --cursor exclude "
				"each other");
	if (s->follow && s->all_workspaces)
		usage_error(log_usage, opts, "--follow follows the ledger of "
				"one scope; it takes no --all-workspaces");
	if (s->limit < -1)
		usage_error(log_usage, opts, "-n expects a count of 0 or more");
	s->fmt = json ? (s->follow ? FMT_NDJSON : FMT_JSON) :
		 ndjson ? FMT_NDJSON :
		 porcelain || s->nul ? FMT_PORCELAIN : FMT_TABLE;
	if (s->follow && s->limit < 0)
		s->limit = 10;
}

int cmd_log(int argc, const char **argv, struct tally_ctx *ctx)
{
	struct log_state s = { .q = QUERY_INIT, .limit = -1 };
	int json = 0, ndjson = 0, porcelain = 0;
	struct option opts[] = {
		OPT_GROUP("Selection"),
		OPT_QUERY(&s.q),
		OPT_INT64('n', "limit", &s.limit, "count",
				"show at most <count> entries"),
		OPT_STRING(0, "cursor", &s.cursor, "entry-id",
				"continue after this entry (paging)"),
		OPT_BOOL('f', "follow", &s.follow,
				"keep printing entries as they are recorded"),
		OPT_BOOL(0, "all-workspaces", &s.all_workspaces,
				"entries of every workspace and the profile"),
		OPT_GROUP("Output"),
		OPT_BOOL(0, "json", &json, "a JSON array of entries"),
		OPT_BOOL(0, "ndjson", &ndjson, "one JSON entry per line"),
		OPT_BOOL(0, "porcelain", &porcelain,
				"stable tab-separated fields (v1)"),
		OPT_BOOL('z', NULL, &s.nul,
				"end porcelain records with NUL (implies "
				"--porcelain)"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT;
	struct scope_list all = SCOPE_LIST_INIT;
	struct ledger_reader r = { .fd = -1 };
	int ret = 0;

	argc = parse_options_or_exit(argc, argv, opts, log_usage,
			PARSE_OPT_NO_ARGS);
	check_options(&s, json, ndjson, porcelain, opts);
	if ((ret = query_finish(&s.q, &err)))
		usage_error(log_usage, opts, "%s", err.buf);
	s.path = ctx->scope.ledger_path;
	s.cost_mode = cost_mode_from(ctx->cfg.cost_mode);
	/* A listing pages; following writes as rows come. */
	if (!s.follow)
		setup_pager();
	s.colour = want_colour(STDOUT_FILENO);
	strbuf_init(&s.out, 0);
	table_init(&s.table, s.all_workspaces ? "lllrrrlll" : "lllrrrll");
	jw_init(&s.w, &s.out, JW_PRETTY);
	if (s.fmt == FMT_JSON)
		jw_array_begin(&s.w);
	if (s.follow) {
		ret = follow(&s, &err);
	} else {
		if (s.all_workspaces)
			ret = open_other_scopes(&s, ctx, &all, &err);
		if (!ret)
			ret = ledger_reader_open(&r, s.path, 0, 0, &err);
		if (!ret)
			ret = list(&s, &r, NULL, &err);
		ledger_reader_close(&r);
		close_other_scopes(&s);
		scope_list_release(&all);
	}
	if (s.fmt == FMT_JSON)
		jw_array_end(&s.w);
	flush_batch(&s);
	table_release(&s.table);
	strbuf_release(&s.out);
	query_release(&s.q);
	return report(ret, &err);
}
