/*
 * tally status: one line for shell prompts and status bars, served from
 * the summary cache.
 */
#include "reporting.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../lib/jsonw.h"
#include "../lib/money.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

static const char *const status_usage[] = {
	"tally status [--all-workspaces] [--template <template>] [--json]",
	NULL,
};

/* Rates are taken over this many recent minutes. */
#define RATE_MINUTES 5

struct status_fields {
	int64_t tok_per_min, req_per_min;
	int64_t session_tokens, today_tokens, month_tokens;
	struct counters session, today, month;
	int64_t budget_percent;
	const char *budget_state, *budget_name, *budget_scope;
	int64_t pending, failed;
	const char *session_name;
	enum cost_mode mode;
	int has_budget;
};

static int window_counters(const struct report_scope *sc,
		int64_t since, int64_t until, const char *session,
		struct counters *c, struct strbuf *err)
{
	struct report_spec spec = REPORT_SPEC_INIT;
	struct report r;
	int ret;

	spec.filter.since = since;
	spec.filter.until = until;
	spec.filter.session = session;
	report_init(&r);
	ret = report_build(sc, &spec, &r, err);
	*c = r.total;
	report_release(&r);
	return ret;
}

static void recent_rates(struct status_fields *f, const struct reporting *rp,
		const struct report_scope *sc)
{
	int64_t requests;
	int64_t tokens = summary_recent_tokens(sc->s,
			rp->now - RATE_MINUTES * MS_PER_MIN, rp->now + 1,
			&requests);

	f->tok_per_min = tokens / RATE_MINUTES;
	f->req_per_min = requests / RATE_MINUTES;
}

static int gather(struct status_fields *f, const struct reporting *rp,
		const struct report_scope *sc, struct strbuf *err)
{
	int32_t today = local_day(rp->now), month, month_end;
	int ret;
	struct counters all;

	memset(f, 0, sizeof(*f));
	f->mode = rp->mode;
	f->session_name = rp->session.buf;
	recent_rates(f, rp, sc);
	calendar_bounds(CAL_MONTH, today, &month, &month_end);
	ret = window_counters(sc, local_day_to_ms(today),
			local_day_to_ms(today + 1), NULL, &f->today, err);
	if (!ret)
		ret = window_counters(sc, local_day_to_ms(month), -1, NULL,
				&f->month, err);
	if (!ret && *rp->session.buf)
		ret = window_counters(sc, -1, -1, rp->session.buf,
				&f->session, err);
	if (!ret)
		ret = window_counters(sc, -1, -1, NULL, &all, err);
	f->today_tokens = f->today.v[RC_INPUT] + f->today.v[RC_OUTPUT];
	f->month_tokens = f->month.v[RC_INPUT] + f->month.v[RC_OUTPUT];
	f->session_tokens = f->session.v[RC_INPUT] + f->session.v[RC_OUTPUT];
	f->pending = all.v[RC_N_PENDING];
	f->failed = all.v[RC_N_SYNC_FAILED];
	for (size_t i = 0; i < rp->nbudgets; i++) {
		const struct budget_status *st = &rp->status[i];

		if (f->has_budget && st->percent <= f->budget_percent)
			continue;
		f->has_budget = 1;
		f->budget_percent = st->percent;
		f->budget_state = budget_state_name(st->state);
		f->budget_name = st->b->name;
		f->budget_scope = budget_scope_name(st->b->scope);
	}
	return ret;
}

/* ---- templates ---- */

static int expand_field(struct strbuf *out, const char *name, size_t len,
		const struct status_fields *f)
{
#define IS(n) (strlen(n) == len && !strncmp(name, n, len))
	if (IS("tok_per_min"))
		fmt_count_short(out, f->tok_per_min);
	else if (IS("req_per_min"))
		strbuf_addf(out, "%lld", (long long)f->req_per_min);
	else if (IS("session"))
		strbuf_addstr_printable(out, f->session_name);
	else if (IS("session_tokens"))
		fmt_count_short(out, f->session_tokens);
	else if (IS("session_cost"))
		format_cost(out, &f->session, f->mode);
	else if (IS("today_tokens"))
		fmt_count_short(out, f->today_tokens);
	else if (IS("today_cost"))
		format_cost(out, &f->today, f->mode);
	else if (IS("month_tokens"))
		fmt_count_short(out, f->month_tokens);
	else if (IS("month_cost"))
		format_cost(out, &f->month, f->mode);
	else if (IS("budget_percent"))
		strbuf_addf(out, "%lld", (long long)f->budget_percent);
	else if (IS("budget_state"))
		strbuf_addstr(out, f->has_budget ? f->budget_state : "none");
	else if (IS("budget_name"))
		strbuf_addstr_printable(out, f->has_budget ? f->budget_name : "");
	else if (IS("budget_scope"))
		strbuf_addstr(out, f->has_budget ? f->budget_scope : "");
	else if (IS("pending"))
		strbuf_addf(out, "%lld", (long long)f->pending);
	else if (IS("failed"))
		strbuf_addf(out, "%lld", (long long)f->failed);
	else
		return -1;
	return 0;
#undef IS
}

/* Expands {field} placeholders; "{{" and "}}" are literal braces. */
static int expand(struct strbuf *out, const char *tpl,
		const struct status_fields *f, struct strbuf *err)
{
	for (const char *p = tpl; *p; p++) {
		const char *close;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			strbuf_addch(out, *p);
			p++;
			continue;
		}
		if (*p != '{') {
			strbuf_addch(out, *p);
			continue;
		}
		close = strchr(p, '}');
		if (!close || expand_field(out, p + 1,
				(size_t)(close - p - 1), f))
			return fail(err, T_EUSAGE, "--format: unknown field "
					"'%.*s' (known: tok_per_min, "
					"req_per_min, session, session_tokens, "
					"session_cost, today_tokens, today_cost, "
					"month_tokens, month_cost, "
					"budget_percent, budget_state, "
					"budget_name, budget_scope, pending, "
					"failed)",
					close ? (int)(close - p - 1) :
					(int)strlen(p + 1), p + 1);
		p = close;
	}
	return 0;
}

/* Starts a new part of the line: a separator unless it is the first. */
static void part(struct strbuf *out, size_t start)
{
	if (out->len > start)
		strbuf_addstr(out, glyph_separator());
}

static void default_line(struct strbuf *out, const struct status_fields *f)
{
	size_t start = out->len;

	if (f->tok_per_min) {
		fmt_count_short(out, f->tok_per_min);
		strbuf_addstr(out, " tok/min");
	}
	if (f->session_tokens) {
		part(out, start);
		strbuf_addstr(out, "session ");
		fmt_count_short(out, f->session_tokens);
		strbuf_addstr(out, " tok");
	}
	part(out, start);
	strbuf_addstr(out, "today ");
	if (f->today.v[RC_N_USAGE])
		format_cost(out, &f->today, f->mode);
	else
		strbuf_addstr(out, "0 tok");
	if (f->has_budget) {
		part(out, start);
		strbuf_addf(out, "budget %lld%%", (long long)f->budget_percent);
	}
	strbuf_addch(out, '\n');
}

static void json_line(struct strbuf *out, const struct status_fields *f)
{
	struct jsonw w;
	int64_t unpriced;

	jw_init(&w, out, JW_COMPACT);
	jw_object_begin(&w);
	jw_kv_int(&w, "tokensPerMinute", f->tok_per_min);
	jw_kv_int(&w, "requestsPerMinute", f->req_per_min);
	jw_kv_string(&w, "session", f->session_name);
	jw_kv_int(&w, "sessionTokens", f->session_tokens);
	jw_kv_money(&w, "sessionCostUsd", counters_cost(&f->session, f->mode,
			&unpriced));
	jw_kv_int(&w, "todayTokens", f->today_tokens);
	jw_kv_money(&w, "todayCostUsd", counters_cost(&f->today, f->mode,
			&unpriced));
	jw_kv_int(&w, "todayUnpricedCount", unpriced);
	jw_kv_int(&w, "monthTokens", f->month_tokens);
	jw_kv_money(&w, "monthCostUsd", counters_cost(&f->month, f->mode,
			&unpriced));
	if (f->has_budget) {
		jw_kv_int(&w, "budgetPercent", f->budget_percent);
		jw_kv_string(&w, "budgetState", f->budget_state);
		jw_kv_string(&w, "budgetName", f->budget_name);
		jw_kv_string(&w, "budgetScope", f->budget_scope);
	} else {
		jw_kv_null(&w, "budgetPercent");
		jw_kv_string(&w, "budgetState", "off");
	}
	jw_kv_int(&w, "pendingSyncCount", f->pending);
	jw_kv_int(&w, "failedSyncCount", f->failed);
	jw_object_end(&w);
	strbuf_addch(out, '\n');
}

int cmd_status(int argc, const char **argv, struct tally_ctx *ctx)
{
	const char *format = NULL, *old_format = NULL;
	int json = 0, all_workspaces = 0;
	const struct report_scope *sc = NULL;
	struct option opts[] = {
		OPT_STRING(0, "template", &format, "template",
				"a line with {field} placeholders"),
		/* --format names a file type elsewhere (summary, export). */
		OPT_HIDDEN_STRING(0, "format", &old_format),
		OPT_BOOL(0, "json", &json, "print the fields as JSON"),
		OPT_BOOL(0, "all-workspaces", &all_workspaces,
				"add up every workspace and the profile"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct status_fields f;
	struct reporting rp;
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, status_usage,
			PARSE_OPT_NO_ARGS);
	if (old_format) {
		warning("status --format is now --template (--format names "
				"an output format, as in summary and export)");
		if (!format)
			format = old_format;
	}
	if (format && json)
		usage_error(status_usage, opts, "--template and --json "
				"exclude each other");
	/* Disabled, or nothing recorded yet: a prompt shows nothing. */
	if (!ctx->cfg.enabled ||
	    (!all_workspaces && access(ctx->scope.ledger_path, F_OK)))
		return 0;
	ret = reporting_open(&rp, ctx, REPORTING_QUIET | REPORTING_NO_WAIT,
			&err);
	if (!ret)
		ret = reporting_scope(&rp, all_workspaces ? BUDGET_SCOPE_ALL :
				BUDGET_SCOPE_WORKSPACE, &sc, &err);
	if (!ret)
		ret = gather(&f, &rp, sc, &err);
	if (!ret && json)
		json_line(&out, &f);
	else if (!ret && format && !(ret = expand(&out, format, &f, &err)))
		strbuf_addch(&out, '\n');
	else if (!ret && !format)
		default_line(&out, &f);
	if (ret == T_EUSAGE)
		usage_error(status_usage, opts, "%s", err.buf);
	flush_out(&out);
	reporting_close(&rp);
	strbuf_release(&out);
	return report(ret, &err);
}
