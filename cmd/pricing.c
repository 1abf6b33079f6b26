/*
 * tally pricing: which price a model resolves to and why; refreshing
 * the price table from a LiteLLM-format document.
 */
#include "tally.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../lib/fsutil.h"
#include "../lib/jsonw.h"
#include "../lib/money.h"
#include "../lib/pricing.h"
#include "../lib/table.h"
#include "../lib/timeutil.h"
#include "../providers/http.h"
#include "../lib/utf8.h"
#include "../lib/banned.h"

static const char *const pricing_usage[] = {
	"tally pricing [show] [-p <provider>] [--at <time>] [--json] [<model>]",
	"tally pricing update [--from <url-or-file>]",
	"tally pricing check [--json]",
	NULL,
};

/* "$3.00", "$0.075" per million tokens (exact), or "-" when unknown. */
static void rate_text(struct strbuf *sb, int64_t rate)
{
	size_t start, dot;

	if (rate < 0) {
		strbuf_addch(sb, '-');
		return;
	}
	strbuf_addch(sb, '$');
	start = sb->len;
	money_format(sb, rate);
	dot = strcspn(sb->buf + start, ".");
	if (!sb->buf[start + dot])
		strbuf_addstr(sb, ".00");
	else if (sb->len - (start + dot) == 2)
		strbuf_addch(sb, '0');
}

static void since_text(struct strbuf *sb, const struct price *p)
{
	if (p->since == INT32_MIN) {
		strbuf_addch(sb, '-');
		return;
	}
	day_key(sb, p->since);
}

static const char *const rate_json[PR__COUNT] = {
	"input", "output", "cacheRead", "cacheWrite", "cacheWrite1h",
};

static void write_price_json(struct jsonw *w, const struct price *p)
{
	struct strbuf sb = STRBUF_INIT;

	jw_kv_string(w, "priceId", p->id);
	jw_kv_string(w, "source", price_source_name(p->source));
	if (p->provider)
		jw_kv_string(w, "provider", p->provider);
	jw_kv_string(w, "model", p->model);
	if (p->match)
		jw_kv_string(w, "patterns", p->match);
	if (p->since != INT32_MIN) {
		since_text(&sb, p);
		jw_kv_string(w, "since", sb.buf);
	}
	jw_key(w, "perMillionTokensUsd");
	jw_object_begin(w);
	for (int r = 0; r < PR__COUNT; r++)
		if (p->rate[r] >= 0)
			jw_kv_money(w, rate_json[r], p->rate[r]);
	jw_object_end(w);
	if (p->has_tier) {
		jw_key(w, "tier");
		jw_object_begin(w);
		jw_kv_int(w, "aboveInputTokens", p->tier_tokens);
		jw_key(w, "perMillionTokensUsd");
		jw_object_begin(w);
		for (int r = 0; r < PR__COUNT; r++)
			if (p->above[r] >= 0)
				jw_kv_money(w, rate_json[r], p->above[r]);
		jw_object_end(w);
		jw_object_end(w);
	}
	strbuf_release(&sb);
}

static void table_row(struct table *t, const struct price *p)
{
	struct strbuf sb = STRBUF_INIT;

	table_cell_str(t, p->id);
	for (int r = 0; r < PR__COUNT; r++) {
		strbuf_reset(&sb);
		rate_text(&sb, p->rate[r]);
		if (p->has_tier && p->above[r] >= 0) {
			strbuf_addstr(&sb, " / ");
			rate_text(&sb, p->above[r]);
		}
		table_cell_str(t, sb.buf);
	}
	strbuf_reset(&sb);
	if (p->has_tier)
		strbuf_addf(&sb, "%lldk", (long long)(p->tier_tokens / 1000));
	table_cell_str(t, p->has_tier ? sb.buf : "-");
	table_cell_str(t, price_source_name(p->source));
	strbuf_release(&sb);
}

#define PRICES_UNIT "USD per million tokens; \"a / b\": up to and above " \
	"the TIER of input tokens per request.\n"

static void prices_table_init(struct table *t)
{
	table_init(t, "lrrrrrrl");
	table_head(t, "PRICE", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE",
			"WRITE 1H", "TIER", "SOURCE", NULL);
}

static int show_all(const struct price_table *pt, int json)
{
	struct strbuf out = STRBUF_INIT;
	struct table t;
	struct jsonw w;

	if (json) {
		jw_init(&w, &out, JW_PRETTY);
		jw_array_begin(&w);
		for (size_t i = 0; i < pt->nr; i++) {
			jw_object_begin(&w);
			write_price_json(&w, &pt->items[i]);
			jw_object_end(&w);
		}
		jw_array_end(&w);
	} else {
		prices_table_init(&t);
		for (size_t i = 0; i < pt->nr; i++)
			table_row(&t, &pt->items[i]);
		table_render(&t, &out, want_colour(STDOUT_FILENO));
		table_release(&t);
		strbuf_addstr(&out, PRICES_UNIT);
		if (pt->fetched_at) {
			strbuf_addstr(&out, "Fetched prices: ");
			time_format_local(&out, pt->fetched_at);
			strbuf_addstr(&out, " from ");
			strbuf_addstr_printable(&out, pt->fetched_from ?
					pt->fetched_from : "?");
			strbuf_addch(&out, '\n');
		}
	}
	flush_out(&out);
	strbuf_release(&out);
	return 0;
}

static int show_one(const struct price_table *pt, const char *provider,
		const char *model, int64_t at, int json)
{
	struct strbuf out = STRBUF_INIT;
	struct price_match m;
	int found = pricing_resolve(pt, provider, model, at, &m);
	struct jsonw w;
	struct table t;

	if (json) {
		jw_init(&w, &out, JW_PRETTY);
		jw_object_begin(&w);
		jw_kv_string(&w, "model", model);
		if (provider)
			jw_kv_string(&w, "provider", provider);
		jw_kv_bool(&w, "priced", found);
		jw_kv_string(&w, "why", m.why);
		if (found) {
			jw_key(&w, "price");
			jw_object_begin(&w);
			write_price_json(&w, m.price);
			jw_object_end(&w);
		}
		jw_object_end(&w);
	} else if (found) {
		strbuf_addstr_printable(&out, model);
		strbuf_addstr(&out, ": ");
		strbuf_addstr_printable(&out, m.why);
		strbuf_addch(&out, '\n');
		prices_table_init(&t);
		table_row(&t, m.price);
		table_render(&t, &out, want_colour(STDOUT_FILENO));
		table_release(&t);
		strbuf_addstr(&out, PRICES_UNIT);
		if (m.price->source == PS_FALLBACK)
			strbuf_addstr(&out, "Estimates at a fallback price are "
					"marked fallback:<provider>.\n");
	} else {
		strbuf_addstr_printable(&out, model);
		strbuf_addstr(&out, ": unpriced (");
		strbuf_addstr_printable(&out, m.why);
		strbuf_addstr(&out, ")\n");
	}
	flush_out(&out);
	strbuf_release(&out);
	return found ? 0 : EXIT_FAIL;
}

/* ---- update ---- */

/* Anything with a scheme is a URL (and only http(s) ones are fetched). */
static int is_url(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz+.-");

	return n && !strncmp(s + n, "://", 3);
}

static int fetch(const char *url, const struct tally_ctx *ctx,
		struct strbuf *body, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	struct http_options o;
	struct http_job job;
	int ret;

	if ((ret = http_check_url(url, &why))) {
		ret = fail(err, ret == T_ECONFIG ? T_EUSAGE : ret, "%s%s",
				ret == T_ECONFIG ? "--from: " : "", why.buf);
		strbuf_release(&why);
		return ret;
	}
	http_options_init(&o);
	o.timeout_ms = config_get_int(&ctx->cfg, "http_timeout_ms", 60000);
	o.max_retries = (int)config_get_int(&ctx->cfg, "http_max_retries", 4);
	http_job_init(&job, url);
	ret = http_run(&job, 1, &o, err);
	http_url_redacted(url, &why);
	if (!ret && !job.status)
		ret = fail(err, T_EPROVIDER, "cannot fetch %s: %s", why.buf,
				job.error.buf);
	else if (!ret && job.status != 200)
		ret = fail(err, T_EPROVIDER, "cannot fetch %s: HTTP %ld",
				why.buf, job.status);
	if (!ret)
		strbuf_addbuf(body, &job.body);
	http_job_release(&job);
	strbuf_release(&why);
	return ret;
}

/* Says what the new table changes of the one before. */
static void print_changes(const struct strbuf *old, const struct strbuf *new)
{
	struct price_diff d;

	pricing_diff(old->buf, new->buf, &d);
	printf("%zu new, %zu changed, %zu no longer listed, %zu as before\n",
			d.added, d.changed, d.removed, d.kept);
	for (size_t i = 0; i < d.changed && i < PRICE_DIFF_NAMES; i++)
		printf("  changed: %s\n", d.changed_names[i]);
	if (d.changed > PRICE_DIFF_NAMES)
		printf("  and %zu more\n", d.changed - PRICE_DIFF_NAMES);
	price_diff_release(&d);
}

static int update(const char *from, const struct tally_ctx *ctx)
{
	struct strbuf src = STRBUF_INIT, tsv = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT, why = STRBUF_INIT;
	struct strbuf shown = STRBUF_INIT, old = STRBUF_INIT;
	int ret = 0, n = 0;

	if (!from)
		from = config_get(&ctx->cfg, "pricing.update_url");
	if (!from || !*from)
		from = PRICING_DEFAULT_URL;

	if (is_url(from)) {
		ret = fetch(from, ctx, &src, &err);
		/* What is stored and shown is the URL without credentials. */
		http_url_redacted(from, &shown);
		from = shown.buf;
	} else if (strbuf_read_file(&src, from) < 0)
		ret = fail_errno(&err, T_EFAIL, "cannot read '%s'", from);
	if (!ret && (n = pricing_from_litellm(src.buf, src.len, from,
				now_ms(), &tsv, &why)) < 0)
		ret = fail(&err, T_EFAIL, "%s: %s", from, why.buf);
	pricing_cache_path(&path);
	if (!ret && strbuf_read_file(&old, path.buf) && errno != ENOENT)
		strbuf_reset(&old);
	if (!ret) {
		char *slash = strrchr(path.buf, '/');

		*slash = '\0';
		if (mkdir_p(path.buf))
			ret = fail_errno(&err, T_EFAIL, "cannot create '%s'",
					path.buf);
		*slash = '/';
	}
	if (!ret && write_file_atomic(path.buf, tsv.buf, tsv.len))
		ret = fail_errno(&err, T_EFAIL, "cannot write '%s'", path.buf);
	if (!ret) {
		printf("%d %s from %s saved to %s\n", n,
				n == 1 ? "price" : "prices", from, path.buf);
		print_changes(&old, &tsv);
	}
	strbuf_release(&old);
	strbuf_release(&src);
	strbuf_release(&tsv);
	strbuf_release(&path);
	strbuf_release(&why);
	strbuf_release(&shown);
	return report(ret, &err);
}

int cmd_pricing(int argc, const char **argv, struct tally_ctx *ctx)
{
	const char *provider = NULL, *at_text = NULL, *from = NULL;
	int json = 0;
	struct option opts[] = {
		OPT_STRING_VALUES('p', "provider", &provider, "provider",
				"show: the provider the model is used through",
				"@providers"),
		OPT_STRING(0, "at", &at_text, "time",
				"show: the price on this day (default: now)"),
		OPT_BOOL(0, "json", &json, "show: print JSON"),
		OPT_STRING(0, "from", &from, "url-or-file",
				"update: a LiteLLM-format price document"),
		OPT_END(),
	};
	static const char *show_argv[] = { "pricing", "show", NULL };
	struct strbuf err = STRBUF_INIT;
	struct price_table pt;
	int64_t at = now_ms();
	int ret;

	argc = parse_options_or_exit(argc, argv, opts, pricing_usage, 0);
	/* Alone, pricing shows the table, as 'git remote' lists remotes. */
	if (argc < 2) {
		argv = show_argv;
		argc = 2;
	}
	if (!strcmp(argv[1], "update")) {
		if (argc > 2 || provider || at_text || json)
			usage_error(pricing_usage, opts, "update takes --from "
					"only");
		return update(from, ctx);
	}
	if (!strcmp(argv[1], "check")) {
		if (argc > 2 || provider || at_text || from)
			usage_error(pricing_usage, opts, "check takes --json "
					"only");
		return pricing_check(ctx, json);
	}
	if (strcmp(argv[1], "show"))
		usage_error(pricing_usage, opts, "unknown subcommand '%s'",
				argv[1]);
	if (from)
		usage_error(pricing_usage, opts, "--from goes with update");
	if (argc > 3)
		usage_error(pricing_usage, opts, "unexpected argument '%s'",
				argv[3]);
	if (at_text && time_parse(at_text, &at, &err))
		usage_error(pricing_usage, opts, "--at: %s", err.buf);
	if (argc < 3)
		setup_pager();
	ret = pricing_load(&pt, &ctx->cfg, &err);
	if (!ret)
		ret = argc == 3 ? show_one(&pt, provider, argv[2], at, json) :
			show_all(&pt, json);
	pricing_release(&pt);
	return ret > 0 ? ret : report(ret, &err);
}
