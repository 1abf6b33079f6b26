/*
 * tally quota: the latest quota snapshot per provider, with its age;
 * --refresh asks the providers that can be asked.
 */
#include "reporting.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../lib/jsonw.h"
#include "../lib/ledger.h"
#include "../lib/money.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../providers/keys.h"
#include "../providers/provider.h"
#include "../providers/sync.h"
#include "../lib/banned.h"

static const char *const quota_usage[] = {
	"tally quota [--refresh [-n | --dry-run]] [--json]",
	NULL,
};

/*
 * Asks one provider; appends its quota row to rows, or in a dry run the
 * requests it would make to plan.
 */
static int ask(const struct provider *p, const struct tally_ctx *ctx,
		int dry_run, struct strbuf *rows, int *asked,
		struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	struct strbuf base = STRBUF_INIT;
	const char *set = provider_setting(ctx, p->id, "base_url");
	struct sync_run run;
	int ret;

	sync_run_init(&run);
	run.provider_id = p->id;
	/* A trailing slash would double the one every path starts with. */
	strbuf_addstr(&base, set ? set : p->base_url);
	while (base.len && base.buf[base.len - 1] == '/')
		strbuf_setlen(&base, base.len - 1);
	run.base_url = base.buf;
	run.now = now_ms();
	run.dry_run = dry_run;
	run.http.timeout_ms = config_get_int(&ctx->cfg, "http_timeout_ms",
			60000);
	run.http.max_retries = (int)config_get_int(&ctx->cfg,
			"http_max_retries", 4);
	ret = provider_check_base_url(p, run.base_url, err);
	if (!ret && dry_run) {
		ret = p->quota(&run, err);
		strbuf_addbuf(rows, &run.plan);
		goto out;
	}
	if (!ret)
		ret = http_check_url(run.base_url, err);
	if (!ret)
		ret = provider_key(p->key_env, provider_setting(ctx, p->id,
				"api_key_command"), &key, err);
	if (ret == 1) {
		warning("%s: no key to ask with (set %s)", p->id, p->key_env);
		ret = 0;
	} else if (!ret) {
		run.key = key.buf;
		ret = p->quota(&run, err);
		strbuf_addbuf(rows, &run.rows);
		*asked += 1;
	}
out:
	sync_run_release(&run);
	strbuf_release(&key);
	strbuf_release(&base);
	return ret;
}

/* Prints the requests --refresh would make. */
static int refresh_plan(const struct tally_ctx *ctx, struct strbuf *err)
{
	struct strbuf plan = STRBUF_INIT;
	int ret = 0, asked = 0;

	for (const struct provider *const *p = provider_table; *p && !ret; p++)
		if ((*p)->quota)
			ret = ask(*p, ctx, 1, &plan, &asked, err);
	if (!ret)
		flush_out(&plan);
	strbuf_release(&plan);
	return ret;
}

static int refresh(const struct tally_ctx *ctx, struct strbuf *err)
{
	struct strbuf rows = STRBUF_INIT;
	int ret = 0, asked = 0;

	for (const struct provider *const *p = provider_table; *p && !ret; p++)
		if ((*p)->quota)
			ret = ask(*p, ctx, 0, &rows, &asked, err);
	if (!ret && !asked)
		ret = fail(err, T_EAUTH, "no provider could be asked: set "
				"OPENROUTER_API_KEY");
	if (!ret)
		ret = append_rows(ctx, &rows, err);
	strbuf_release(&rows);
	return ret;
}

static void print_json(struct strbuf *out, const struct summary *s,
		int64_t now)
{
	struct jsonw w;

	jw_init(&w, out, JW_PRETTY);
	jw_array_begin(&w);
	for (size_t i = 0; i < s->nquotas; i++) {
		const struct quota_state *q = &s->quotas[i];

		jw_object_begin(&w);
		quota_state_json_members(&w, q);
		if (q->has & (1u << QF_CAPTURED_AT))
			jw_kv_int(&w, "ageMs", now - q->v[QF_CAPTURED_AT]);
		jw_object_end(&w);
	}
	jw_array_end(&w);
}

int cmd_quota(int argc, const char **argv, struct tally_ctx *ctx)
{
	int refresh_first = 0, json = 0, dry_run = 0;
	struct option opts[] = {
		OPT_BOOL(0, "refresh", &refresh_first,
				"ask the providers that can be asked first"),
		OPT_BOOL('n', "dry-run", &dry_run,
				"with --refresh: print the requests it would "
				"make; no network"),
		OPT_BOOL(0, "json", &json, "print JSON"),
		OPT_END(),
	};
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct summary_opts o;
	struct summary s;
	int ret = 0;

	argc = parse_options_or_exit(argc, argv, opts, quota_usage,
			PARSE_OPT_NO_ARGS);
	if (dry_run && !refresh_first)
		usage_error(quota_usage, opts, "--dry-run goes with --refresh");
	if (dry_run)
		return report(refresh_plan(ctx, &err), &err);
	summary_init(&s);
	if (refresh_first)
		ret = refresh(ctx, &err);
	reporting_summary_opts(ctx, &o);
	o.quiet = 1;
	if (!ret)
		ret = summary_refresh(&s, &ctx->scope, &o, &err);
	if (!ret && json)
		print_json(&out, &s, now_ms());
	else if (!ret && s.nquotas)
		quota_table(&out, &s, now_ms(), 0,
				want_colour(STDOUT_FILENO));
	else if (!ret)
		warning("no quota known yet: record with --headers, or run "
				"'tally quota --refresh'");
	flush_out(&out);
	summary_release(&s);
	strbuf_release(&out);
	return report(ret, &err);
}
