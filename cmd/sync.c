/*
 * tally sync: verify recorded usage against the providers' own usage and
 * billing APIs. The network is used without the ledger lock; the rows
 * the providers' answers produce are appended afterwards.
 */
#include "tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/entries.h"
#include "../lib/fsutil.h"
#include "../lib/jsonw.h"
#include "../lib/ledger.h"
#include "../lib/money.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../providers/keys.h"
#include "../providers/provider.h"
#include "../providers/sync.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

static const char *const sync_usage[] = {
	"tally sync [--provider <id>...] [--since <time>] [--until <time>] "
		"[--max-wait <duration>] [-n | --dry-run] [--force] [--json]",
	NULL,
};

struct sync_cmd {
	struct string_list providers;
	const char *since, *until;
	int dry_run, force, json;
	const char *max_wait;
	int64_t max_wait_ms;
};

struct job {
	const struct provider *p;
	struct sync_run run;
	struct strbuf key;
	int unsupported;   /* provider without a usage API */
	int no_key;
	int skipped;       /* no key, and not asked for by name */
	int ret;
	struct strbuf error;
	char *base_url;
};

/* ---- which providers ---- */

static int provider_enabled(const struct tally_ctx *ctx, const char *id)
{
	struct strbuf key = STRBUF_INIT;
	int on;

	strbuf_addf(&key, "providers.%s.sync", id);
	on = config_get_bool(&ctx->cfg, key.buf, 1);
	strbuf_release(&key);
	return on;
}

static void setup_job(struct job *j, const struct provider *p,
		const struct tally_ctx *ctx, const struct sync_cmd *c,
		int64_t since, int64_t until, int64_t now)
{
	struct sync_run *run = &j->run;
	const char *conc = provider_setting(ctx, p->id, "concurrency");
	const char *base = provider_setting(ctx, p->id, "base_url");
	size_t blen;

	memset(j, 0, sizeof(*j));
	j->p = p;
	strbuf_init(&j->key, 0);
	strbuf_init(&j->error, 0);
	sync_run_init(run);
	run->provider_id = p->id;
	/* A trailing slash would double the one every path starts with. */
	if (!base)
		base = p->base_url ? p->base_url : "";
	blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	j->base_url = xstrndup(base, blen);
	run->base_url = j->base_url;
	run->since = since;
	run->until = until;
	run->now = now;
	run->max_window_days = ctx->cfg.max_sync_window_days;
	run->dry_run = c->dry_run;
	run->force = c->force;
	run->fail_on_missing = ctx->cfg.fail_on_missing_provider_usage;
	run->http.timeout_ms = config_get_int(&ctx->cfg, "http_timeout_ms",
			60000);
	run->http.max_retries = (int)config_get_int(&ctx->cfg,
			"http_max_retries", 4);
	run->http.max_retry_after_ms = c->max_wait_ms;
	if (conc)
		run->http.max_concurrency = (int)strtol(conc, NULL, 10);
}

/* ---- what the ledger holds ---- */

static struct job *job_of(struct job *jobs, size_t n, const char *provider)
{
	for (size_t i = 0; provider && i < n; i++)
		if (!strcmp(jobs[i].p->id, provider))
			return &jobs[i];
	return NULL;
}

static void collect_row(struct job *jobs, size_t n, const struct entry *e,
		const char *row, size_t len, int64_t since, int64_t until)
{
	struct job *j = job_of(jobs, n, e->provider_id);
	int64_t t = entry_time(e);
	int pending;

	if (!j)
		return;
	if (!entry_is_usage(e)) {
		row_list_add(&j->run.provider_rows, row, len);
		return;
	}
	pending = e->sync_status && !strcmp(e->sync_status, "pending_sync");
	if (j->p->sync_kind == SYNC_PER_REQUEST) {
		/* Every pending entry: too old ones are failed, not skipped. */
		if (pending || (j->run.force && t >= since && t < until))
			row_list_add(&j->run.entries, row, len);
	} else if (t >= since && t < until) {
		row_list_add(&j->run.entries, row, len);
	}
}

struct sync_walk {
	struct job *jobs;
	size_t n;
	int64_t since, until;
};

static int collect_one(struct entry *e, const char *row, size_t len,
		void *data)
{
	struct sync_walk *w = data;

	collect_row(w->jobs, w->n, e, row, len, w->since, w->until);
	return 0;
}

static int read_ledger(const struct tally_ctx *ctx, struct job *jobs,
		size_t n, int64_t since, int64_t until, struct strbuf *err)
{
	struct entries_opts o = { .order = ENTRIES_AS_FOLDED };
	struct sync_walk w = { jobs, n, since, until };

	return for_each_entry(ctx->scope.ledger_path, &o, collect_one, &w,
			err);
}

/* ---- running ---- */

static int needs_network(const struct job *j, const struct sync_cmd *c)
{
	int asked = c->providers.nr > 0;

	if (j->p->sync_kind == SYNC_RECONCILE)
		return asked || j->run.entries.n;
	return j->run.entries.n > 0;
}

static int get_key(struct job *j, const struct tally_ctx *ctx,
		const struct sync_cmd *c, struct strbuf *err)
{
	const char *cmd = provider_setting(ctx, j->p->id, "api_key_command");
	int r = provider_key(j->p->key_env, cmd, &j->key, err);

	if (r < 0)
		return r;
	if (r == 1) {
		j->no_key = 1;
		if (c->dry_run)
			return 0;
		return fail(err, T_EAUTH, "no API key for %s: set %s (or "
				"providers.%s.api_key_command)", j->p->id,
				j->p->key_env, j->p->id);
	}
	j->run.key = j->key.buf;
	return 0;
}

static int run_job(struct job *j, const struct tally_ctx *ctx,
		const struct sync_cmd *c)
{
	struct strbuf err = STRBUF_INIT;
	int ret = 0;

	if (!j->p->sync && !j->p->reports) {
		j->unsupported = 1;
		return 0;
	}
	if (!needs_network(j, c))
		return 0;
	if ((ret = provider_check_base_url(j->p, j->run.base_url, &j->error)))
		return ret;
	ret = http_check_url(j->run.base_url, &err);
	if (ret == T_ECONFIG)
		fail(&j->error, ret, "providers.%s.base_url: %s", j->p->id,
				err.buf);
	else if (ret)
		strbuf_addbuf(&j->error, &err);
	if (ret) {
		strbuf_release(&err);
		return ret;
	}
	/*
	 * A provider without a key that nobody named is skipped, not a
	 * failure: most users have no admin key, and a timer would
	 * otherwise fail every 30 seconds. Named with -p, it is an error.
	 */
	if (!c->providers.nr && !c->dry_run &&
	    !provider_key_set_up(ctx, j->p)) {
		j->skipped = 1;
		return 0;
	}
	ret = get_key(j, ctx, c, &j->error);
	if (!ret)
		ret = provider_sync(j->p, &j->run, &j->error);
	strbuf_release(&err);
	return ret;
}

/* ---- the report ---- */


static void report_json(struct strbuf *out, struct job *jobs, size_t n,
		int64_t since, int64_t until)
{
	struct jsonw w;
	struct strbuf t = STRBUF_INIT;

	jw_init(&w, out, JW_PRETTY);
	jw_object_begin(&w);
	time_format_utc(&t, since);
	jw_kv_string(&w, "since", t.buf);
	strbuf_reset(&t);
	time_format_utc(&t, until);
	jw_kv_string(&w, "until", t.buf);
	jw_key(&w, "providers");
	jw_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		const struct sync_stats *st = &jobs[i].run.stats;

		jw_object_begin(&w);
		jw_kv_string(&w, "providerId", jobs[i].p->id);
		jw_kv_string(&w, "state", jobs[i].unsupported ? "unsupported" :
				jobs[i].skipped ? "skipped" :
				jobs[i].ret ? "error" : "ok");
		if (jobs[i].ret)
			jw_kv_string(&w, "error", jobs[i].error.buf);
		if (jobs[i].skipped)
			jw_kv_string(&w, "reason", "no_key");
		jw_kv_int(&w, "requests", st->requests);
		jw_kv_int(&w, "synced", st->synced);
		jw_kv_int(&w, "failed", st->failed);
		jw_kv_int(&w, "pending", st->pending);
		jw_kv_int(&w, "providerRows", st->provider_rows);
		jw_kv_int(&w, "errors", st->errors);
		if (st->reconciled) {
			jw_kv_int(&w, "providerTokens", st->provider_tokens);
			jw_kv_int(&w, "localTokens", st->local_tokens);
			jw_kv_int(&w, "unattributedTokens",
					st->provider_tokens - st->local_tokens);
			jw_kv_money(&w, "providerCostUsd", st->provider_cost);
			jw_kv_money(&w, "localCostUsd", st->local_cost);
			jw_kv_money(&w, "unattributedCostUsd",
					st->provider_cost - st->local_cost);
		}
		jw_kv_int(&w, "lastSyncedAt", jobs[i].run.now);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	strbuf_release(&t);
}

/* Whether a provider had anything to do (or was asked for by name). */
static int had_work(const struct job *j, const struct sync_cmd *c)
{
	return !j->skipped && (c->providers.nr || j->ret ||
			j->run.entries.n || j->run.stats.requests);
}

/* What one provider's sync did, in one line. */
static void job_line(struct strbuf *line, const struct job *j)
{
	const struct sync_stats *st = &j->run.stats;

	if (j->unsupported) {
		strbuf_addstr(line, "no usage API: entries stay "
				"unsupported_provider");
		return;
	}
	if (j->ret) {
		/* The reason goes to standard error, once. */
		strbuf_addstr(line, "failed");
		return;
	}
	strbuf_add_counted(line, (uint64_t)st->requests, "request", "requests");
	strbuf_addf(line, ", %lld synced, %lld failed, %lld pending",
			(long long)st->synced, (long long)st->failed,
			(long long)st->pending);
	if (st->reconciled && j->run.entries.n) {
		strbuf_addstr(line, ", unattributed ");
		fmt_count(line, st->provider_tokens - st->local_tokens);
		strbuf_addstr(line, " tokens / ");
		money_format_human(line, st->provider_cost - st->local_cost);
	}
}

static void report_text(struct strbuf *out, struct job *jobs, size_t n,
		const struct sync_cmd *c, int dry_run)
{
	struct strbuf line = STRBUF_INIT;
	struct table t;

	table_init(&t, "ll");
	for (size_t i = 0; i < n; i++) {
		const struct job *j = &jobs[i];

		if (!had_work(j, c))
			continue;
		if (dry_run) {
			strbuf_addbuf(out, &j->run.plan);
			continue;
		}
		strbuf_reset(&line);
		job_line(&line, j);
		table_cell_str(&t, j->p->id);
		table_cell_str(&t, line.buf);
	}
	table_render(&t, out, 0);
	table_release(&t);
	strbuf_release(&line);
}

/* ---- the command ---- */

static int window(const struct sync_cmd *c, const struct tally_ctx *ctx,
		int64_t now, int64_t *since, int64_t *until, struct strbuf *err)
{
	int64_t oldest = now - ctx->cfg.max_sync_window_days * MS_PER_DAY;

	/* Up to and including now: an entry recorded this very ms counts. */
	*until = now + 1;
	*since = oldest;
	if (c->until && time_parse(c->until, until, err))
		return T_EUSAGE;
	if (c->since && time_parse(c->since, since, err))
		return T_EUSAGE;
	if (*since < oldest) {
		warning("--since is more than max_sync_window_days (%lld) ago; "
				"syncing from %lld days ago",
				(long long)ctx->cfg.max_sync_window_days,
				(long long)ctx->cfg.max_sync_window_days);
		*since = oldest;
	}
	if (*until > now + 1)
		*until = now + 1;
	if (*since >= *until)
		return fail(err, T_EUSAGE, "the window is empty: --since is "
				"not before --until");
	return 0;
}

static size_t pick_providers(struct job **out, const struct sync_cmd *c,
		const struct tally_ctx *ctx, int64_t since, int64_t until,
		int64_t now, const struct option *opts)
{
	size_t n = 0, max = 0;
	struct job *jobs;

	while (provider_table[max])
		max++;
	jobs = xcalloc(max, sizeof(*jobs));
	for (size_t i = 0; i < c->providers.nr; i++)
		if (!provider_by_id(c->providers.items[i]))
			usage_error(sync_usage, opts, "--provider: unknown "
					"provider '%s'", c->providers.items[i]);
	for (const struct provider *const *p = provider_table; *p; p++) {
		int asked = 0;

		for (size_t i = 0; i < c->providers.nr; i++)
			asked |= !strcasecmp(c->providers.items[i], (*p)->id);
		if (c->providers.nr ? !asked : !provider_enabled(ctx, (*p)->id))
			continue;
		setup_job(&jobs[n++], *p, ctx, c, since, until, now);
	}
	*out = jobs;
	return n;
}

/*
 * Says which providers were skipped for want of a key: on standard
 * error, in one line, at most once a day (a stamp in the data root),
 * so that a timer running sync every 30 seconds does not flood a log.
 */
static void note_skipped(const struct job *jobs, size_t n,
		const struct tally_ctx *ctx, int64_t now)
{
	struct strbuf names = STRBUF_INIT, vars = STRBUF_INIT;
	struct strbuf stamp = STRBUF_INIT, said = STRBUF_INIT;
	long long last = 0;

	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].skipped || !jobs[i].run.entries.n)
			continue;
		strbuf_addf(&names, "%s%s", names.len ? ", " : "",
				jobs[i].p->id);
		strbuf_addf(&vars, "%s%s", vars.len ? ", " : "",
				jobs[i].p->key_env);
	}
	/* The stamp holds when it was last said, in ms. */
	path_join(&stamp, ctx->scope.root, "sync-no-key.stamp");
	if (names.len && !strbuf_read_file(&said, stamp.buf))
		last = strtoll(said.buf, NULL, 10);
	if (names.len && (now - last >= MS_PER_DAY || now < last)) {
		warning("not syncing %s: no API key (set %s, or "
				"providers.<id>.api_key_command); their "
				"entries stay pending (said once a day)",
				names.buf, vars.buf);
		strbuf_reset(&said);
		strbuf_addf(&said, "%lld\n", (long long)now);
		write_file_atomic_nosync(stamp.buf, said.buf, said.len);
	}
	strbuf_release(&names);
	strbuf_release(&vars);
	strbuf_release(&stamp);
	strbuf_release(&said);
}

static int exit_code(struct job *jobs, size_t n)
{
	int code = 0;

	for (size_t i = 0; i < n; i++) {
		int r = jobs[i].ret ? -jobs[i].ret :
			jobs[i].run.stats.errors ? EXIT_PROVIDER : 0;

		/* Authentication first, then configuration, then the rest. */
		if (r == EXIT_AUTH || (r && code != EXIT_AUTH &&
				       (r == EXIT_CONFIG || !code)))
			code = r;
	}
	return code;
}

static void release_jobs(struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sync_run_release(&jobs[i].run);
		strbuf_release(&jobs[i].key);
		strbuf_release(&jobs[i].error);
		free(jobs[i].base_url);
	}
	free(jobs);
}

int cmd_sync(int argc, const char **argv, struct tally_ctx *ctx)
{
	struct sync_cmd c = { .providers = STRING_LIST_INIT };
	struct option opts[] = {
		OPT_LIST_VALUES('p', "provider", &c.providers, "id",
				"only this provider (repeatable)",
				"@providers"),
		OPT_STRING(0, "since", &c.since, "time",
				"from <time> (at most max_sync_window_days ago)"),
		OPT_STRING(0, "until", &c.until, "time", "until <time>"),
		OPT_BOOL('n', "dry-run", &c.dry_run,
				"print the requests it would make; no network"),
		OPT_BOOL(0, "force", &c.force, "ask again about synced entries"),
		OPT_BOOL(0, "json", &c.json, "print a JSON report"),
		OPT_STRING(0, "max-wait", &c.max_wait, "duration",
				"wait at most this long when a provider asks "
				"(60s)"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT, rows = STRBUF_INIT;
	int64_t now = now_ms(), since, until;
	struct job *jobs;
	size_t n;
	int ret, code;

	argc = parse_options_or_exit(argc, argv, opts, sync_usage,
			PARSE_OPT_NO_ARGS);
	if (window(&c, ctx, now, &since, &until, &err))
		usage_error(sync_usage, opts, "%s", err.buf);
	c.max_wait_ms = 60000;
	if (c.max_wait && duration_parse(c.max_wait, strlen(c.max_wait),
			&c.max_wait_ms))
		usage_error(sync_usage, opts, "--max-wait expects a duration "
				"such as 30s or 5m, not '%s'", c.max_wait);
	n = pick_providers(&jobs, &c, ctx, since, until, now, opts);
	ret = read_ledger(ctx, jobs, n, since, until, &err);
	for (size_t i = 0; !ret && i < n; i++) {
		jobs[i].ret = run_job(&jobs[i], ctx, &c);
		strbuf_addbuf(&rows, &jobs[i].run.rows);
	}
	if (!ret && !c.dry_run)
		ret = append_rows(ctx, &rows, &err);
	if (!ret) {
		if (c.json)
			report_json(&out, jobs, n, since, until);
		else
			report_text(&out, jobs, n, &c, c.dry_run);
		flush_out(&out);
	}
	code = ret ? report(ret, &err) : exit_code(jobs, n);
	if (!ret && !c.json)
		note_skipped(jobs, n, ctx, now);
	if (!ret && code && !c.json)
		for (size_t i = 0; i < n; i++)
			if (jobs[i].ret)
				error("%s: %s", jobs[i].p->id, jobs[i].error.buf);
	release_jobs(jobs, n);
	string_list_release(&c.providers);
	strbuf_release(&rows);
	strbuf_release(&out);
	strbuf_release(&err);
	return code;
}
