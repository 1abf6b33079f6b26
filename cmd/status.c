/*
 * tally status: one line for shell prompts and status bars, served from
 * the summary cache.
 */
#include "reporting.h"
#include "status-claude.h"
#include "status-fields.h"

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
	"tally status --claude-code [--template <template>] [--json]",
	NULL,
};

/* What Claude Code sent is fresher than any snapshot. */
static void claude_fields(struct status_fields *f,
		const struct claude_input *in, int64_t now)
{
	f->model = in->model;
	for (int i = 0; i < CLAUDE_WINDOWS; i++) {
		const struct plan_sample *ps = &in->plan[i];

		if (!ps->known || ps->resets_at <= now)
			continue;
		f->plan[i].known = 1;
		f->plan[i].provider = ps->provider;
		f->plan[i].used = ps->used;
		f->plan[i].resets_at = ps->resets_at;
		f->plan[i].captured_at = now;
	}
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
	else if (IS("block_left"))
		status_block_left(out, f);
	else if (IS("block_tokens"))
		status_block_tokens(out, f);
	else if (IS("block_cost"))
		status_block_cost(out, f);
	else if (IS("burn_rate"))
		status_burn(out, f);
	else if (IS("block_limit"))
		status_block_limit(out, f);
	else if (IS("plan_5h"))
		status_plan(out, f, 0);
	else if (IS("plan_7d"))
		status_plan(out, f, 1);
	else if (IS("model"))
		strbuf_addstr_printable(out, f->model ? f->model : "");
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
			return fail(err, T_EUSAGE, "--template: unknown field "
					"'%.*s' (known: tok_per_min, "
					"req_per_min, session, session_tokens, "
					"session_cost, today_tokens, today_cost, "
					"month_tokens, month_cost, "
					"budget_percent, budget_state, "
					"budget_name, budget_scope, pending, "
					"failed, block_left, block_tokens, "
					"block_cost, burn_rate, block_limit, "
					"plan_5h, "
					"plan_7d, model)",
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

/* The plan's windows: "5h 23.5% 7d 41.2%". */
static void plan_part(struct strbuf *out, size_t start,
		const struct status_fields *f)
{
	int first = 1;

	for (int i = 0; i < CLAUDE_WINDOWS; i++) {
		if (!f->plan[i].known)
			continue;
		if (first)
			part(out, start);
		else
			strbuf_addch(out, ' ');
		/* Claude's plan is the usual one; another is named. */
		if (strcmp(f->plan[i].provider, "anthropic") &&
		    (first || strcmp(f->plan[i].provider,
				     f->plan[i - 1].provider)))
			strbuf_addf(out, "%s ", f->plan[i].provider);
		first = 0;
		strbuf_addf(out, "%s ", plan_window_short[i]);
		percent_format(out, f->plan[i].used);
	}
}

static void limit_part(struct strbuf *out, size_t start,
		const struct status_fields *f)
{
	struct strbuf limit = STRBUF_INIT;

	status_block_limit_phrase(&limit, f);
	if (limit.len) {
		part(out, start);
		strbuf_addbuf(out, &limit);
	}
	strbuf_release(&limit);
}

static void today_part(struct strbuf *out, size_t start,
		const struct status_fields *f)
{
	part(out, start);
	strbuf_addstr(out, "today ");
	if (f->today.v[RC_N_USAGE])
		format_cost(out, &f->today, f->mode);
	else
		strbuf_addstr(out, "0 tok");
}

static void budget_part(struct strbuf *out, size_t start,
		const struct status_fields *f)
{
	if (!f->has_budget)
		return;
	part(out, start);
	strbuf_addf(out, "budget %lld%%", (long long)f->budget_percent);
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
	today_part(out, start, f);
	plan_part(out, start, f);
	budget_part(out, start, f);
	strbuf_addch(out, '\n');
}

/*
 * For Claude Code's statusline: the model, the session's cost and
 * tokens, the day's cost, the block under way, the plan, the budget.
 */
static void claude_line(struct strbuf *out, const struct status_fields *f)
{
	size_t start = out->len;

	if (f->model)
		strbuf_addstr_printable(out, f->model);
	part(out, start);
	strbuf_addstr(out, "session ");
	if (f->session.v[RC_N_USAGE]) {
		format_cost(out, &f->session, f->mode);
		strbuf_addstr(out, " ");
	}
	fmt_count_short(out, f->session_tokens);
	strbuf_addstr(out, " tok");
	today_part(out, start, f);
	if (f->block.active) {
		part(out, start);
		strbuf_addstr(out, "block ");
		status_block_left(out, f);
		strbuf_addstr(out, " left");
		if (f->block.rate.known) {
			strbuf_addstr(out, " ");
			status_burn(out, f);
		}
		limit_part(out, start, f);
	}
	plan_part(out, start, f);
	budget_part(out, start, f);
	strbuf_addch(out, '\n');
}

/* Whether a template names a field of the five-hour block. */
static int template_shows_block(const char *format)
{
	return strstr(format, "{block_") || strstr(format, "{burn_rate}");
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
	status_json_block(&w, f);
	status_json_plan(&w, f);
	if (f->model)
		jw_kv_string(&w, "model", f->model);
	jw_object_end(&w);
	strbuf_addch(out, '\n');
}

int cmd_status(int argc, const char **argv, struct tally_ctx *ctx)
{
	const char *format = NULL, *old_format = NULL;
	int json = 0, all_workspaces = 0, claude = 0;
	struct claude_input in = { 0 };
	const struct report_scope *sc = NULL;
	struct option opts[] = {
		OPT_STRING(0, "template", &format, "template",
				"a line with {field} placeholders"),
		/* --format names a file type elsewhere (summary, export). */
		OPT_HIDDEN_STRING(0, "format", &old_format),
		OPT_BOOL(0, "json", &json, "print the fields as JSON"),
		OPT_BOOL(0, "all-workspaces", &all_workspaces,
				"add up every workspace and the profile"),
		OPT_BOOL(0, "claude-code", &claude,
				"Claude Code's statusline: read its JSON on "
				"stdin, import the session, keep the plan's "
				"limits"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct status_fields f = { 0 };
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
	if (claude && all_workspaces)
		usage_error(status_usage, opts, "--claude-code speaks of "
				"its own session: not with --all-workspaces");
	if (claude && (ret = claude_input_read(&in, STDIN_FILENO, &err))) {
		claude_input_release(&in);
		return report(ret, &err);
	}
	if (claude && ctx->cfg.enabled &&
	    (ret = claude_import(&in, ctx, &err))) {
		claude_input_release(&in);
		return report(ret, &err);
	}
	/* Disabled, or nothing recorded yet: a prompt shows nothing. */
	if (!ctx->cfg.enabled || (!all_workspaces && !claude &&
				  access(ctx->scope.ledger_path, F_OK))) {
		claude_input_release(&in);
		return 0;
	}
	ret = reporting_open(&rp, ctx, REPORTING_QUIET | REPORTING_NO_WAIT,
			&err);
	/* Claude Code names the session, or none is meant. */
	if (!ret && claude)
		strbuf_reset(&rp.session);
	if (!ret && claude && in.session_id)
		strbuf_addf(&rp.session, "claude-code:%s", in.session_id);
	if (!ret && claude)
		ret = claude_note_plan(&in, &rp.s, ctx, rp.now, &err);
	if (!ret)
		ret = reporting_scope(&rp, all_workspaces ? BUDGET_SCOPE_ALL :
				BUDGET_SCOPE_WORKSPACE, &sc, &err);
	if (!ret)
		ret = status_gather(&f, &rp, sc, json || claude ||
				(format && template_shows_block(format)),
				&err);
	if (!ret && claude)
		claude_fields(&f, &in, rp.now);
	if (!ret && json)
		json_line(&out, &f);
	else if (!ret && format && !(ret = expand(&out, format, &f, &err)))
		strbuf_addch(&out, '\n');
	else if (!ret && !format && claude)
		claude_line(&out, &f);
	else if (!ret && !format)
		default_line(&out, &f);
	if (ret == T_EUSAGE)
		usage_error(status_usage, opts, "%s", err.buf);
	flush_out(&out);
	block_view_release(&f.block);
	reporting_close(&rp);
	claude_input_release(&in);
	strbuf_release(&out);
	return report(ret, &err);
}
