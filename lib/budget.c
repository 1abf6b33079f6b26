#include "budget.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "money.h"
#include "report.h"
#include "table.h"
#include "timeutil.h"
#include "banned.h"

void budget_format_amount(struct strbuf *sb, const struct budget *b,
		int64_t tokens, int64_t usd)
{
	if (b->usd)
		money_format_human(sb, usd);
	if (b->usd && b->tokens)
		strbuf_addstr(sb, ", ");
	if (b->tokens) {
		fmt_count(sb, tokens);
		strbuf_addstr(sb, " tok");
	}
}

const char *budget_state_name(enum budget_state st)
{
	switch (st) {
	case BUDGET_WARNING: return "warning";
	case BUDGET_EXCEEDED: return "exceeded";
	default: return "under";
	}
}

const char *budget_period_name(enum budget_period p)
{
	switch (p) {
	case PERIOD_SESSION: return "session";
	case PERIOD_DAY: return "day";
	case PERIOD_WEEK: return "week";
	default: return "month";
	}
}

const char *budget_scope_name(enum budget_scope s)
{
	switch (s) {
	case BUDGET_SCOPE_PROFILE: return "profile";
	case BUDGET_SCOPE_WORKSPACE: return "workspace";
	case BUDGET_SCOPE_DEVICES: return "devices";
	default: return "all";
	}
}

/* The scope a budget names, else the one its origin implies. */
static enum budget_scope scope_of(const struct config *c, const char *value,
		const char *origin_key)
{
	if (value && !strcmp(value, "profile"))
		return BUDGET_SCOPE_PROFILE;
	if (value && !strcmp(value, "workspace"))
		return BUDGET_SCOPE_WORKSPACE;
	if (value)
		return BUDGET_SCOPE_ALL;
	return config_from_workspace(c, origin_key) ?
		BUDGET_SCOPE_WORKSPACE : BUDGET_SCOPE_ALL;
}

static int parse_period(const char *s, enum budget_period *p)
{
	static const enum budget_period all[] = { PERIOD_SESSION, PERIOD_DAY,
		PERIOD_WEEK, PERIOD_MONTH };

	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(s, budget_period_name(all[i]))) {
			*p = all[i];
			return 0;
		}
	}
	return -1;
}

static const char *item(const struct config *c, struct strbuf *key,
		size_t i, const char *field)
{
	return config_list_get(c, key, "budgets", i, field);
}

static int has_any(const struct config *c, struct strbuf *key, size_t i)
{
	static const char *const fields[] = { "name", "period", "tokens", "usd",
		"provider", "model", "tag", "warn_percent", "scope",
		"include_remotes", NULL };

	return config_list_has(c, key, "budgets", i, fields);
}

static int load_one(const struct config *c, size_t i, struct budget *b,
		struct strbuf *key, struct strbuf *err)
{
	const char *v;
	int64_t n;

	memset(b, 0, sizeof(*b));
	b->name = item(c, key, i, "name");
	if (!b->name)
		return fail(err, T_ECONFIG, "budgets.%zu has no name", i);
	v = item(c, key, i, "period");
	b->period = PERIOD_MONTH;
	if (v && parse_period(v, &b->period))
		return fail(err, T_ECONFIG, "budget '%s': unknown period '%s'",
				b->name, v);
	v = item(c, key, i, "tokens");
	b->tokens = v ? strtoll(v, NULL, 10) : 0;
	v = item(c, key, i, "usd");
	if (v && !money_parse(v, strlen(v), &n))
		b->usd = n;
	if (!b->tokens && !b->usd)
		return fail(err, T_ECONFIG, "budget '%s' sets neither tokens nor "
				"usd", b->name);
	b->provider = item(c, key, i, "provider");
	b->model = item(c, key, i, "model");
	b->tag = item(c, key, i, "tag");
	v = item(c, key, i, "warn_percent");
	b->warn_percent = v ? strtoll(v, NULL, 10) :
		config_get_int(c, "alert_threshold_percent", 80);
	v = item(c, key, i, "scope");
	strbuf_reset(key);
	strbuf_addf(key, "budgets.%zu.name", i);
	b->scope = scope_of(c, v, key->buf);
	strbuf_reset(key);
	strbuf_addf(key, "budgets.%zu.include_remotes", i);
	if (b->scope == BUDGET_SCOPE_ALL && config_get_bool(c, key->buf, 0))
		b->scope = BUDGET_SCOPE_DEVICES;
	return 0;
}

/*
 * A workspace file's budget named as one of the user's is left out: a
 * cloned repository must not hide or break the user's own budgets.
 */
static int name_taken(const struct config *c, const struct budget *list,
		size_t nr, size_t i, struct strbuf *key, struct strbuf *err)
{
	for (size_t j = 0; j < nr; j++) {
		if (strcmp(list[j].name, list[nr].name))
			continue;
		strbuf_reset(key);
		strbuf_addf(key, "budgets.%zu.name", i);
		if (!config_from_workspace(c, key->buf))
			return fail(err, T_ECONFIG, "two budgets are named "
					"'%s'", list[nr].name);
		warning("%s: budget '%s' is left out: a budget of that name "
				"is already configured", c->workspace_file,
				list[nr].name);
		return 1;
	}
	return 0;
}

int budgets_load(const struct config *c, struct budget **out, size_t *n,
		struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	struct budget *list = NULL;
	size_t nr = 0, alloc = 0;
	int ret = 0;

	for (size_t i = 0; has_any(c, &key, i); i++) {
		ALLOC_GROW(list, nr + 1, alloc);
		if ((ret = load_one(c, i, &list[nr], &key, err)))
			break;
		/* 1: left out; T_ECONFIG: a clash within one scope. */
		if ((ret = name_taken(c, list, nr, i, &key, err)) < 0)
			break;
		nr += !ret;
		ret = 0;
	}
	if (!ret && (c->monthly_token_budget || c->monthly_cost_budget_usd)) {
		ALLOC_GROW(list, nr + 1, alloc);
		memset(&list[nr], 0, sizeof(list[nr]));
		list[nr].name = "monthly";
		list[nr].period = PERIOD_MONTH;
		list[nr].tokens = c->monthly_token_budget;
		list[nr].usd = c->monthly_cost_budget_usd;
		list[nr].warn_percent = c->alert_threshold_percent;
		list[nr].scope = scope_of(c, NULL, c->monthly_cost_budget_usd ?
				"monthly_cost_budget_usd" :
				"monthly_token_budget");
		nr++;
	}
	strbuf_release(&key);
	if (ret) {
		free(list);
		return ret;
	}
	*out = list;
	*n = nr;
	return 0;
}

/* The calendar period holding now, as days [from, to), and its key. */
static void period_days(enum budget_period p, int64_t now, int32_t *from,
		int32_t *to, char *name, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	enum calendar_period cal = p == PERIOD_DAY ? CAL_DAY :
				   p == PERIOD_WEEK ? CAL_WEEK : CAL_MONTH;

	calendar_bounds(cal, local_day(now), from, to);
	calendar_key(&sb, cal, local_day(now));
	snprintf(name, size, "%s", sb.buf);
	strbuf_release(&sb);
}

static int64_t percent_of(int64_t used, int64_t limit)
{
	if (!limit)
		return 0;
	/* 128-bit so that huge token counts cannot overflow. */
	return (int64_t)((__int128)used * 100 / limit);
}

enum budget_state budget_judge(int64_t used, int64_t limit,
		int64_t warn_percent)
{
	if (!limit)
		return BUDGET_UNDER;
	if (used >= limit)
		return BUDGET_EXCEEDED;
	return percent_of(used, limit) >= warn_percent ? BUDGET_WARNING :
		BUDGET_UNDER;
}

/* A budget's state is the worse of its token and USD limits'. */
static void judge(struct budget_status *st)
{
	const struct budget *b = st->b;
	int64_t pt = percent_of(st->used_tokens, b->tokens);
	int64_t pu = percent_of(st->used_usd, b->usd);
	enum budget_state t = budget_judge(st->used_tokens, b->tokens,
			b->warn_percent);
	enum budget_state u = budget_judge(st->used_usd, b->usd,
			b->warn_percent);

	st->percent = pt > pu ? pt : pu;
	st->state = t > u ? t : u;
}

/* What b counts at now: its period (or session) and filters, into spec. */
static void budget_spec(const struct budget *b, const char *session,
		int64_t now, struct report_spec *spec, struct budget_status *st)
{
	memset(st, 0, sizeof(*st));
	st->b = b;
	if (b->period == PERIOD_SESSION) {
		snprintf(st->period, sizeof(st->period), "%s",
				session ? session : "");
		st->start = st->end = -1;
		spec->filter.session = session ? session : "";
	} else {
		int32_t from, to;

		period_days(b->period, now, &from, &to, st->period,
				sizeof(st->period));
		st->start = spec->filter.since = local_day_to_ms(from);
		st->end = spec->filter.until = local_day_to_ms(to);
	}
	spec->filter.provider = b->provider;
	spec->filter.model = b->model;
	if (b->tag)
		string_list_append(&spec->filter.tags, b->tag);
}

int budgets_evaluate(const struct budget *b,
		const struct report_scope *const *scopes, size_t n,
		const char *session, enum cost_mode mode, int64_t now,
		struct budget_status *st, struct strbuf *err)
{
	struct report_spec *specs = xcalloc(n ? n : 1, sizeof(*specs));
	struct report *r = xcalloc(n ? n : 1, sizeof(*r));
	struct report_job *jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	unsigned char *done = xcalloc(n ? n : 1, 1);
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		struct report_spec init = REPORT_SPEC_INIT;

		specs[i] = init;
		budget_spec(&b[i], session, now, &specs[i], &st[i]);
		report_init(&r[i]);
	}
	/* The budgets of one scope together: one walk for those of tags. */
	for (size_t i = 0; i < n && !ret; i++) {
		size_t nj = 0;

		if (done[i])
			continue;
		for (size_t k = i; k < n; k++) {
			if (scopes[k] != scopes[i])
				continue;
			done[k] = 1;
			jobs[nj].spec = &specs[k];
			jobs[nj++].r = &r[k];
		}
		ret = report_build_many(scopes[i], jobs, nj, err);
	}
	for (size_t i = 0; i < n; i++) {
		if (!ret) {
			st[i].used_tokens = r[i].total.v[RC_INPUT] +
				r[i].total.v[RC_OUTPUT];
			st[i].used_usd = counters_cost(&r[i].total, mode,
					&st[i].unpriced);
			judge(&st[i]);
		}
		report_release(&r[i]);
		query_release(&specs[i].filter);
	}
	free(specs);
	free(r);
	free(jobs);
	free(done);
	return ret;
}

/* ---- hooks ---- */

static void set_env_int(const char *name, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	setenv(name, buf, 1);
}

static void set_env_money(const char *name, int64_t nano)
{
	struct strbuf sb = STRBUF_INIT;

	money_format(&sb, nano);
	setenv(name, sb.buf, 1);
	strbuf_release(&sb);
}

/* In the child: the budget's details, as documented in tally-budget(1). */
static void export_details(const struct budget_status *st)
{
	const struct budget *b = st->b;

	setenv("TALLY_BUDGET_NAME", b->name, 1);
	setenv("TALLY_BUDGET_STATE", budget_state_name(st->state), 1);
	setenv("TALLY_BUDGET_PERIOD", budget_period_name(b->period), 1);
	setenv("TALLY_BUDGET_PERIOD_KEY", st->period, 1);
	setenv("TALLY_BUDGET_SCOPE", budget_scope_name(st->b->scope), 1);
	set_env_int("TALLY_BUDGET_PERCENT", st->percent);
	set_env_int("TALLY_BUDGET_USED_TOKENS", st->used_tokens);
	set_env_money("TALLY_BUDGET_USED_USD", st->used_usd);
	if (b->tokens)
		set_env_int("TALLY_BUDGET_LIMIT_TOKENS", b->tokens);
	if (b->usd)
		set_env_money("TALLY_BUDGET_LIMIT_USD", b->usd);
}

static int run_hook(const char *hook, const struct budget_status *st)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		export_details(st);
		/* The hook's output must not mix with tally's data. */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", hook, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int budget_fire_alerts(const struct budget_status *st, size_t n,
		const char *hook, const struct scope *current,
		const struct scope *profile, const struct summary_opts *o)
{
	struct strbuf err = STRBUF_INIT, key = STRBUF_INIT;
	int fired = 0;

	if (!hook || !*hook)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int claimed, code;

		if (st[i].state == BUDGET_UNDER)
			continue;
		strbuf_reset(&key);
		strbuf_addf(&key, "%s\t%s\t%s", st[i].b->name, st[i].period,
				budget_state_name(st[i].state));
		claimed = summary_claim_alert(st[i].b->scope ==
				BUDGET_SCOPE_WORKSPACE ? current : profile, o,
				key.buf, &err);
		if (claimed < 0) {
			warning("budget hook not run: %s", err.buf);
			strbuf_reset(&err);
			continue;
		}
		if (!claimed)
			continue;
		code = run_hook(hook, &st[i]);
		fired++;
		if (code)
			warning("the budget hook for '%s' failed (exit %d)",
					st[i].b->name, code);
	}
	strbuf_release(&err);
	strbuf_release(&key);
	return fired;
}
