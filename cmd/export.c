/*
 * tally export: the ledger for people and machines: CSV, JSON, NDJSON,
 * Prometheus text (or a push to a Pushgateway) and an HTML report.
 */
#include "reporting.h"
#include "summary-subscriptions.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../lib/export.h"
#include "../lib/forecast.h"
#include "../lib/entries.h"
#include "../lib/fsutil.h"
#include "../lib/jsonw.h"
#include "../lib/ledger.h"
#include "../lib/push-group.h"
#include "../lib/query.h"
#include "../lib/timeutil.h"
#include "../providers/http.h"
#include "../lib/banned.h"

static const char *const export_usage[] = {
	"tally export [--format <format>] [-o <file>] [--include-sensitive] "
		"[<filters>] [--all-workspaces]",
	"tally export --push <url> [--job <name>] [--label <name>=<value>...]",
	NULL,
};

enum format { F_CSV, F_JSON, F_NDJSON, F_PROMETHEUS, F_HTML };

struct export_cmd {
	struct query q;
	const char *format_name, *output, *push, *job;
	struct string_list labels;  /* --label name=value, in order */
	enum format format;
	int sensitive;
	int all_workspaces;
	const char **ledgers;   /* the scope's, or every scope's */
	size_t nledgers;
};

/* ---- where the bytes go ---- */

/* stdout, or a temporary file renamed over the output at the end. */
struct sink {
	int fd;
	const char *path;
	struct strbuf tmp;
	struct strbuf buf;
};

static int sink_open(struct sink *s, const char *path, struct strbuf *err)
{
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->tmp, 0);
	strbuf_init(&s->buf, 0);
	s->fd = STDOUT_FILENO;
	if (!path || !strcmp(path, "-"))
		return 0;
	s->path = path;
	remove_stale_temps(path);
	strbuf_addf(&s->tmp, "%s.tmp.%ld", path, (long)getpid());
	unlink(s->tmp.buf);
	s->fd = open_private(s->tmp.buf, O_WRONLY | O_TRUNC);
	if (s->fd < 0) {
		int ret = fail_errno(err, T_EFAIL, "cannot write '%s'", path);

		strbuf_release(&s->tmp);
		strbuf_release(&s->buf);
		return ret;
	}
	return 0;
}

static int sink_flush(struct sink *s, struct strbuf *err)
{
	int ret = 0;

	if (s->fd == STDOUT_FILENO)
		flush_out(&s->buf);
	else if (write_all(s->fd, s->buf.buf, s->buf.len))
		ret = fail_errno(err, T_EFAIL, "cannot write '%s'", s->tmp.buf);
	strbuf_reset(&s->buf);
	return ret;
}

static int sink_close(struct sink *s, int ok, struct strbuf *err)
{
	int ret = ok ? sink_flush(s, err) : -1;

	if (s->path) {
		if (!ret && (fsync(s->fd) || close(s->fd) ||
			     rename(s->tmp.buf, s->path)))
			ret = fail_errno(err, T_EFAIL, "cannot write '%s'",
					s->path);
		else if (ret)
			close(s->fd);
		if (ret)
			unlink(s->tmp.buf);
	}
	strbuf_release(&s->tmp);
	strbuf_release(&s->buf);
	return ret < 0 && !ok ? 0 : ret;
}

/* ---- entry formats ---- */

static void emit_entry(struct export_cmd *c, struct sink *s, struct entry *e,
		struct jsonw *w)
{
	if (c->format == F_CSV) {
		csv_row(&s->buf, e, c->sensitive);
		return;
	}
	if (!c->sensitive)
		entry_strip_sensitive(e);
	if (c->format == F_JSON)
		entry_write(w, e);
	else
		entry_to_row(&s->buf, e);
}

struct export_walk {
	struct export_cmd *c;
	struct sink *s;
	struct jsonw *w;
	struct strbuf *err;
};

static int export_one(struct entry *e, const char *row, size_t len,
		void *data)
{
	struct export_walk *x = data;

	(void)row;
	(void)len;
	if (query_match(&x->c->q, e))
		emit_entry(x->c, x->s, e, x->w);
	return x->s->buf.len > (1u << 20) ? sink_flush(x->s, x->err) : 0;
}

static int export_entries(struct export_cmd *c, struct sink *s,
		struct strbuf *err)
{
	struct entries_opts o = { .order = ENTRIES_OLDEST_FIRST };
	struct jsonw w;
	struct export_walk x = { c, s, &w, err };
	int ret;

	jw_init(&w, &s->buf, JW_COMPACT);
	if (c->format == F_CSV)
		csv_header(&s->buf, c->sensitive);
	else if (c->format == F_JSON)
		jw_array_begin(&w);
	ret = for_each_entry_in(c->ledgers, c->nledgers, &o, export_one, &x,
			err);
	if (!ret && c->format == F_JSON) {
		jw_array_end(&w);
		strbuf_addch(&s->buf, '\n');
	}
	return ret;
}

/* ---- summary formats ---- */

static void fill_data(struct export_data *d, const struct reporting *rp,
		const struct tally_ctx *ctx)
{
	d->s = &rp->s;
	d->budgets = rp->status;
	d->nbudgets = rp->nbudgets;
	d->mode = rp->mode;
	d->now = rp->now;
	d->scope_name = ctx->scope.is_workspace ? ctx->scope.workspace :
		"profile";
}

#define RECENT 20

struct recent_list {
	const struct query *q;
	struct entry *e;
	size_t n;
};

static int keep_recent(struct entry *e, const char *row, size_t len,
		void *data)
{
	struct recent_list *rl = data;

	(void)row;
	(void)len;
	if (!query_match(rl->q, e))
		return 0;
	entry_init(&rl->e[rl->n]);
	entry_copy(&rl->e[rl->n++], e);
	return rl->n == RECENT;
}

/* Keeps the RECENT newest entries the query selects, newest first. */
static int recent_entries(const struct export_cmd *c, struct recent_list *rl,
		struct strbuf *err)
{
	struct entries_opts o = { .order = ENTRIES_NEWEST_FIRST, .quiet = 1 };
	int ret = for_each_entry_in(c->ledgers, c->nledgers, &o, keep_recent,
			rl, err);

	return ret > 0 ? 0 : ret;
}

/*
 * The report's specs: one window and its filters, grouped as each part
 * of the page shows it, with this month so far and the same days of the
 * month before (filters kept, window not).
 */
enum html_part {
	HP_TOTAL, HP_DAYS, HP_PROVIDER, HP_MODEL, HP_BLOCK, HP_DAY_MODEL,
	HP_PROJECT, HP_MONTH, HP_PREV_MONTH, HP__COUNT
};

static size_t html_specs(struct report_spec *specs,
		const struct report_spec *window, int64_t now)
{
	static const char *const dims[HP_MONTH][2] = {
		[HP_DAYS] = { "day" }, [HP_PROVIDER] = { "provider" },
		[HP_MODEL] = { "model" }, [HP_BLOCK] = { "block" },
		[HP_DAY_MODEL] = { "day", "model" },
		[HP_PROJECT] = { "tag:project" },
	};
	struct report_spec *month = &specs[HP_MONTH];
	int32_t from, to;

	for (size_t i = 0; i < HP_MONTH; i++) {
		specs[i] = *window;
		specs[i].ndims = 0;
		for (size_t d = 0; d < 2 && dims[i][d]; d++)
			report_add_dim(&specs[i], dims[i][d]);
	}
	calendar_bounds(CAL_MONTH, local_day(now), &from, &to);
	*month = *window;
	month->ndims = 0;
	month->filter.since = local_day_to_ms(from);
	month->filter.until = local_day_to_ms(to);
	return forecast_prev_spec(month, CAL_MONTH, 1, now,
			&specs[HP_PREV_MONTH]) ? HP__COUNT : HP__COUNT - 1;
}

static int html_report(struct export_cmd *c, struct reporting *rp,
		const struct tally_ctx *ctx, struct sink *s, struct strbuf *err)
{
	const struct report_scope *sc;
	struct report_spec spec = REPORT_SPEC_INIT, specs[HP__COUNT];
	struct report r[HP__COUNT];
	struct report_job jobs[HP__COUNT];
	struct html_reports hr = { .total = &r[HP_TOTAL],
		.days = &r[HP_DAYS], .by_provider = &r[HP_PROVIDER],
		.by_model = &r[HP_MODEL], .days_by_model = &r[HP_DAY_MODEL],
		.by_block = &r[HP_BLOCK], .by_project = &r[HP_PROJECT],
		.month = &r[HP_MONTH].total };
	struct recent_list rl = { &c->q, NULL, 0 };
	struct subscription_view subs;
	struct forecast month_fc;
	struct export_data d;
	size_t n;
	int ret;

	/* The report counts what the table of recent entries shows. */
	spec.filter.since = c->q.since;
	spec.filter.until = c->q.until;
	spec.filter.provider = c->q.provider;
	spec.filter.model = c->q.model;
	spec.filter.tags = c->q.tags;
	if (spec.filter.since < 0)
		spec.filter.since = local_day_to_ms(local_day(rp->now) - 29);
	if (!c->q.since_text)
		c->q.since = spec.filter.since;
	n = html_specs(specs, &spec, rp->now);
	for (size_t i = 0; i < HP__COUNT; i++) {
		report_init(&r[i]);
		jobs[i].spec = &specs[i];
		jobs[i].r = &r[i];
	}
	memset(&subs, 0, sizeof(subs));
	rl.e = xcalloc(RECENT, sizeof(*rl.e));
	ret = reporting_scope(rp, c->all_workspaces ? BUDGET_SCOPE_ALL :
			BUDGET_SCOPE_WORKSPACE, &sc, err);
	/* One walk of the ledger for every part the rollups cannot answer. */
	if (!ret)
		ret = report_build_many(sc, jobs, n, err);
	if (!ret)
		ret = subscription_view_build(&subs, rp, &specs[HP_DAY_MODEL],
				err);
	if (!ret)
		ret = recent_entries(c, &rl, err);
	if (!ret) {
		for (size_t i = 0; i < HP_MONTH; i++)
			if (i != HP_DAY_MODEL) /* the chart keeps its order */
				report_sort(&r[i], &specs[i]);
		forecast_fill(&month_fc, &specs[HP_MONTH], &r[HP_MONTH].total,
				n == HP__COUNT ? &r[HP_PREV_MONTH].total : NULL,
				CAL_MONTH, rp->mode, rp->now);
		fill_data(&d, rp, ctx);
		if (c->all_workspaces)
			d.scope_name = "every workspace and the profile";
		d.first_day = local_day(spec.filter.since);
		d.last_day = spec.filter.until > 0 ?
			local_day(spec.filter.until - 1) : local_day(rp->now);
		if (d.last_day < d.first_day)
			d.last_day = d.first_day;
		hr.month_fc = &month_fc;
		hr.subs = subs.subs;
		hr.nsubs = subs.n;
		hr.subs_by_month = &subs.by_month;
		hr.subs_from = subs.from;
		hr.subs_to = subs.to;
		export_html(&s->buf, &d, &hr, rl.e, rl.n);
	}
	for (size_t i = 0; i < rl.n; i++)
		entry_release(&rl.e[i]);
	free(rl.e);
	for (size_t i = 0; i < HP__COUNT; i++)
		report_release(&r[i]);
	subscription_view_release(&subs);
	return ret;
}

/* ---- Pushgateway ---- */

/*
 * The group's URL: the gateway's (a path prefix kept, as behind a proxy),
 * then the grouping key: the job, instance (this host) and workspace,
 * which --label may replace or add to.
 */
static int push_target(struct strbuf *target, const struct export_cmd *c,
		const struct tally_ctx *ctx, struct strbuf *err)
{
	struct string_list labels = STRING_LIST_INIT;
	struct strbuf instance = STRBUF_INIT, workspace = STRBUF_INIT;
	char host[256] = "localhost";
	size_t ulen = strcspn(c->push, "?#");
	int ret;

	if (strstr(c->push, "/metrics/"))
		return fail(err, T_EUSAGE, "--push takes the Pushgateway's "
				"own URL; the group comes from --job and "
				"--label, not from '/metrics/...' in the URL");
	gethostname(host, sizeof(host) - 1);
	strbuf_addf(&instance, "instance=%s", host);
	strbuf_addf(&workspace, "workspace=%s", ctx->scope.is_workspace ?
			ctx->scope.workspace_id : "profile");
	string_list_append(&labels, instance.buf);
	string_list_append(&labels, workspace.buf);
	for (size_t i = 0; i < c->labels.nr; i++)
		string_list_append(&labels, c->labels.items[i]);
	while (ulen && c->push[ulen - 1] == '/')
		ulen--;
	strbuf_add(target, c->push, ulen);
	ret = push_group_path(target, c->job ? c->job : "tally", &labels, err);
	string_list_release(&labels);
	strbuf_release(&instance);
	strbuf_release(&workspace);
	return ret;
}

static int push(const struct export_cmd *c, const struct strbuf *metrics,
		const struct tally_ctx *ctx, struct strbuf *err)
{
	struct strbuf target = STRBUF_INIT, why = STRBUF_INIT;
	struct strbuf shown = STRBUF_INIT;
	struct http_options o;
	struct http_job job;
	int ret;

	if ((ret = http_check_url(c->push, &why))) {
		ret = fail(err, ret == T_ECONFIG ? T_EUSAGE : ret, "%s%s",
				ret == T_ECONFIG ? "--push: " : "", why.buf);
		strbuf_release(&why);
		return ret;
	}
	if ((ret = push_target(&target, c, ctx, err))) {
		strbuf_release(&target);
		strbuf_release(&why);
		return ret;
	}
	/* Messages name the gateway without the credentials of its URL. */
	http_url_redacted(c->push, &shown);
	http_options_init(&o);
	o.timeout_ms = config_get_int(&ctx->cfg, "http_timeout_ms", 60000);
	o.max_retries = (int)config_get_int(&ctx->cfg, "http_max_retries", 4);
	/* A gateway that is not running will not start by waiting. */
	o.retry_refused = 0;
	http_job_init(&job, target.buf);
	job.method = "PUT";
	job.payload = metrics->buf;
	job.payload_len = metrics->len;
	job.headers[0] = "Content-Type: text/plain; version=0.0.4";
	ret = http_run(&job, 1, &o, err);
	if (!ret && !job.status)
		ret = fail(err, T_EPROVIDER, "cannot reach the Pushgateway at "
				"%s: %s", shown.buf, job.error.buf);
	else if (!ret && (job.status == 401 || job.status == 403))
		ret = fail(err, T_EAUTH, "the Pushgateway at %s refused the "
				"push: HTTP %ld", shown.buf, job.status);
	else if (!ret && job.status != 200 && job.status != 202)
		ret = fail(err, T_EPROVIDER, "the Pushgateway at %s answered "
				"HTTP %ld%s%.*s", shown.buf, job.status,
				job.body.len ? ": " : "",
				(int)strcspn(job.body.buf, "\r\n") > 200 ? 200 :
				(int)strcspn(job.body.buf, "\r\n"),
				job.body.buf);
	http_job_release(&job);
	strbuf_release(&target);
	strbuf_release(&why);
	strbuf_release(&shown);
	return ret;
}

/* ---- the command ---- */

/* By enum format. */
static const char *const format_names[] = { "csv", "json", "ndjson",
	"prometheus", "html" };

static enum format parse_format(const char *name, const struct option *opts)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(*format_names);
	     i++)
		if (!strcmp(name, format_names[i]))
			return (enum format)i;
	usage_error(export_usage, opts, "--format expects csv, json, ndjson, "
			"prometheus or html, not '%s'", name);
}

/* The format a file name implies, or -1 when it implies none. */
static int format_of_name(const char *path)
{
	static const struct { const char *ext; enum format f; } exts[] = {
		{ ".csv", F_CSV }, { ".json", F_JSON }, { ".ndjson", F_NDJSON },
		{ ".jsonl", F_NDJSON }, { ".prom", F_PROMETHEUS },
		{ ".html", F_HTML }, { ".htm", F_HTML },
	};
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (!dot || strchr(dot, '/'))
		return -1;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!strcasecmp(dot, exts[i].ext))
			return (int)exts[i].f;
	return -1;
}

/*
 * --format, else what -o's name says (usage.html is HTML), else CSV. A
 * name that says otherwise than --format gets a warning: the user may
 * have meant either.
 */
static enum format choose_format(const struct export_cmd *c,
		const struct option *opts)
{
	int implied = format_of_name(c->output);
	enum format f;

	if (c->push && !c->format_name)
		return F_PROMETHEUS;
	if (!c->format_name)
		return implied >= 0 ? (enum format)implied : F_CSV;
	f = parse_format(c->format_name, opts);
	if (implied >= 0 && (enum format)implied != f)
		warning("writing %s to '%s', as --format says, though its "
				"name says %s", format_names[f], c->output,
				format_names[implied]);
	return f;
}

/* The ledgers to read: the scope's, or every scope's. */
static int ledgers_of(struct export_cmd *c, const struct tally_ctx *ctx,
		struct scope_list *all, struct strbuf *err)
{
	int ret = 0;

	if (c->all_workspaces)
		ret = scope_list_all(all, ctx->scope.root, err);
	c->nledgers = c->all_workspaces ? all->nr : 1;
	c->ledgers = xcalloc(c->nledgers + 1, sizeof(*c->ledgers));
	if (!c->all_workspaces)
		c->ledgers[0] = ctx->scope.ledger_path;
	for (size_t i = 0; c->all_workspaces && i < all->nr; i++)
		c->ledgers[i] = all->v[i].ledger_path;
	return ret;
}

static int has_filters(const struct query *q)
{
	return q->since_text || q->until_text || q->last_text || q->tz ||
	       q->provider || q->model ||
	       q->status || q->session || q->grep || q->kind || q->tags.nr ||
	       q->unpriced;
}

int prometheus_text(struct tally_ctx *ctx, struct strbuf *out,
		struct strbuf *err)
{
	struct reporting rp;
	struct export_data d;
	int ret = reporting_open(&rp, ctx, REPORTING_QUIET |
			REPORTING_NO_HOOKS, err);

	if (!ret) {
		fill_data(&d, &rp, ctx);
		export_prometheus(out, &d);
	}
	reporting_close(&rp);
	return ret;
}

static int summary_formats(struct export_cmd *c, const struct tally_ctx *ctx,
		struct sink *s, struct strbuf *err)
{
	struct reporting rp;
	int ret;

	if (c->format != F_HTML) {
		ret = prometheus_text((struct tally_ctx *)ctx, &s->buf, err);
		if (!ret && c->push)
			ret = push(c, &s->buf, ctx, err);
		if (c->push && !c->output)
			strbuf_reset(&s->buf);
		return ret;
	}
	ret = reporting_open(&rp, (struct tally_ctx *)ctx,
			REPORTING_QUIET | REPORTING_NO_HOOKS, err);
	if (!ret)
		ret = html_report(c, &rp, ctx, s, err);
	reporting_close(&rp);
	return ret;
}

int cmd_export(int argc, const char **argv, struct tally_ctx *ctx)
{
	struct export_cmd c = { .q = QUERY_INIT, .labels = STRING_LIST_INIT };
	const char *old_f = NULL;
	struct option opts[] = {
		OPT_STRING_VALUES(0, "format", &c.format_name, "format",
				"csv (default), json, ndjson, prometheus or "
				"html", "csv|json|ndjson|prometheus|html"),
		/* -f follows in log: here it is an old spelling. */
		OPT_HIDDEN_STRING('f', NULL, &old_f),
		OPT_STRING('o', "output", &c.output, "file",
				"write to <file>, atomically ('-': stdout)"),
		OPT_BOOL(0, "include-sensitive", &c.sensitive,
				"include sessionResource, requestId and "
				"providerRequestId"),
		OPT_STRING(0, "push", &c.push, "url",
				"push the Prometheus metrics to a Pushgateway"),
		OPT_STRING(0, "job", &c.job, "name",
				"--push: the job of the group (default tally)"),
		OPT_LIST(0, "label", &c.labels, "<name>=<value>",
				"--push: a label of the group (repeatable)"),
		OPT_GROUP("Filters (entry formats and html)"),
		OPT_QUERY(&c.q),
		OPT_BOOL(0, "all-workspaces", &c.all_workspaces,
				"every workspace and the profile"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT;
	struct scope_list all = SCOPE_LIST_INIT;
	struct sink s = { .fd = -1 };
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, export_usage,
			PARSE_OPT_NO_ARGS);
	if (old_f) {
		warning("export -f is now --format (-f follows, in log)");
		if (!c.format_name)
			c.format_name = old_f;
	}
	c.format = choose_format(&c, opts);
	if ((c.job || c.labels.nr) && !c.push)
		usage_error(export_usage, opts, "--job and --label name the "
				"group of --push");
	if (c.push && c.format != F_PROMETHEUS)
		usage_error(export_usage, opts, "--push sends Prometheus metrics; "
				"it takes no other --format");
	if (c.format == F_PROMETHEUS && has_filters(&c.q))
		usage_error(export_usage, opts, "Prometheus counters cover the "
				"whole scope: they take no filters");
	if (c.format == F_HTML && (c.q.status || c.q.session || c.q.grep ||
				   c.q.kind || c.q.unpriced || c.q.tz))
		usage_error(export_usage, opts, "the HTML report takes "
				"--since, --until, --last, --provider, --model "
				"and --tag only");
	if (query_finish(&c.q, &err))
		usage_error(export_usage, opts, "%s", err.buf);
	if (c.all_workspaces && c.format == F_PROMETHEUS)
		usage_error(export_usage, opts, "Prometheus counters cover one "
				"scope: --all-workspaces goes with the entry "
				"formats and html");
	ret = ledgers_of(&c, ctx, &all, &err);
	if (!ret)
		ret = sink_open(&s, c.output, &err);
	if (!ret && !c.push && (!c.output || !strcmp(c.output, "-")))
		setup_pager();
	if (!ret && (c.format == F_PROMETHEUS || c.format == F_HTML))
		ret = summary_formats(&c, ctx, &s, &err);
	else if (!ret)
		ret = export_entries(&c, &s, &err);
	if (s.fd >= 0 || !ret)
		ret = ret ? (sink_close(&s, 0, &err), ret) :
			sink_close(&s, 1, &err);
	query_release(&c.q);
	string_list_release(&c.labels);
	free(c.ledgers);
	scope_list_release(&all);
	return report(ret, &err);
}
