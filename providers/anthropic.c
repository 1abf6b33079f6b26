/*
 * Anthropic: Messages bodies. Anthropic's input_tokens excludes cache reads
 * and writes; tally's billedInputTokens includes them (DESIGN section 2).
 * Usage is reconciled against the Admin usage and cost reports (sync).
 */
#include <string.h>

#include "provider.h"
#include "common.h"
#include "jsonc.h"
#include "../lib/error.h"
#include "reconcile.h"
#include "sync.h"
#include "../lib/money.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

static int detect(struct json_object *root)
{
	const char *type = jstr(root, "type");

	if (type && !strcmp(type, "message"))
		return 90;
	if (jpath(root, "usage", "cache_read_input_tokens", NULL) ||
	    jpath(root, "usage", "cache_creation_input_tokens", NULL))
		return 60;
	return 0;
}

/*
 * Cache writes: the sum of the per-TTL split when there is one, else the
 * total field. With server tools the two have been seen to disagree; the
 * split is what is billed per TTL, so it wins, and the disagreement is
 * said.
 */
static int cache_writes(struct json_object *u, int64_t *out, struct strbuf *err)
{
	int64_t m5 = 0, h1 = 0, total = 0;
	int r, a, b;

	r = jcount(jpath(u, "cache_creation_input_tokens", NULL),
			"usage.cache_creation_input_tokens", &total, err);
	a = jcount(jpath(u, "cache_creation", "ephemeral_5m_input_tokens", NULL),
			"usage.cache_creation.ephemeral_5m_input_tokens", &m5,
			err);
	b = jcount(jpath(u, "cache_creation", "ephemeral_1h_input_tokens", NULL),
			"usage.cache_creation.ephemeral_1h_input_tokens", &h1,
			err);
	if (r < 0 || a < 0 || b < 0)
		return T_EPROVIDER;
	if (!a && !b) {
		*out = total;
		return r;
	}
	if (r && total != m5 + h1)
		warning("usage.cache_creation_input_tokens (%lld) disagrees with "
				"its 5m and 1h split (%lld); the split is used",
				(long long)total, (long long)(m5 + h1));
	*out = m5 + h1;
	return 1;
}

/* The part of the cache writes kept for an hour, priced higher. */
static int64_t cache_writes_1h(struct json_object *u)
{
	struct json_object *h = jpath(u, "cache_creation",
			"ephemeral_1h_input_tokens", NULL);

	return h && json_object_is_type(h, json_type_int) ?
		json_object_get_int64(h) : 0;
}

/*
 * With context compaction, usage.iterations lists each sampling step; the
 * top-level counts cover only the non-compaction ones, and the request is
 * billed for all (Anthropic's compaction guide: "sum across all entries
 * in the usage.iterations array"). Adds the compaction steps' counts.
 */
static int add_compactions(struct json_object *u, int64_t *in, int64_t *out,
		int64_t *cw, int64_t *cr, struct strbuf *err)
{
	struct json_object *its = jpath(u, "iterations", NULL);
	size_t n = its && json_object_is_type(its, json_type_array) ?
		json_object_array_length(its) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(its, i);
		const char *type = jstr(it, "type");
		int64_t v[4] = { 0, 0, 0, 0 };

		if (!type || strcmp(type, "compaction"))
			continue;
		if (jcount(jpath(it, "input_tokens", NULL),
				"usage.iterations[].input_tokens", &v[0], err) < 0 ||
		    jcount(jpath(it, "output_tokens", NULL),
				"usage.iterations[].output_tokens", &v[1], err) < 0 ||
		    cache_writes(it, &v[2], err) < 0 ||
		    jcount(jpath(it, "cache_read_input_tokens", NULL),
				"usage.iterations[].cache_read_input_tokens",
				&v[3], err) < 0)
			return T_EPROVIDER;
		*in += v[0];
		*out += v[1];
		*cw += v[2];
		*cr += v[3];
	}
	return 0;
}

static int parse_response(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	struct json_object *u = jpath(root, "usage", NULL);
	int64_t in, out, cw = 0, cr = 0, thinking, searches;
	int r, s, has_cw, has_cr;

	if (reject_error_body(root, err))
		return T_EPROVIDER;
	if (!u || json_object_is_type(u, json_type_null))
		return fail(err, T_EPROVIDER, "the response has no usage block");
	if ((r = jcount(jpath(u, "input_tokens", NULL), "usage.input_tokens",
			&in, err)) <= 0 ||
	    (r = jcount(jpath(u, "output_tokens", NULL), "usage.output_tokens",
			&out, err)) <= 0)
		return r < 0 ? r : fail(err, T_EPROVIDER, "the usage block has "
				"no input_tokens or output_tokens");
	if ((has_cw = cache_writes(u, &cw, err)) < 0 ||
	    (has_cr = jcount(jpath(u, "cache_read_input_tokens", NULL),
			"usage.cache_read_input_tokens", &cr, err)) < 0 ||
	    (r = jcount(jpath(u, "output_tokens_details", "thinking_tokens",
			NULL), "usage.output_tokens_details.thinking_tokens",
			&thinking, err)) < 0 ||
	    (s = jcount(jpath(u, "server_tool_use", "web_search_requests",
			NULL), "usage.server_tool_use.web_search_requests",
			&searches, err)) < 0 ||
	    add_compactions(u, &in, &out, &cw, &cr, err))
		return T_EPROVIDER;
	/* Billed at $10 per 1,000 on top of the tokens. */
	if (s && searches)
		entry_set_int(e, EF_WEB_SEARCHES, searches);
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, in + cw + cr);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, out);
	entry_set_int(e, EF_CACHE_WRITE_TOKENS, cw);
	if (cache_writes_1h(u) > 0 && cache_writes_1h(u) <= cw)
		entry_set_int(e, EF_CACHE_WRITE_1H_TOKENS, cache_writes_1h(u));
	entry_set_int(e, EF_CACHE_READ_TOKENS, cr);
	if (r)
		entry_set_int(e, EF_REASONING_TOKENS, thinking);
	set_str_from(e, EF_PROVIDER_REQUEST_ID, root, "id");
	set_str_from(e, EF_MODEL_ID, root, "model");
	return 0;
}

/* ---- sync: the Admin API usage and cost reports ---- */

static int64_t rfc3339_field(struct json_object *o, const char *key)
{
	const char *s = jstr(o, key);
	int64_t ms;

	return s && !time_parse_iso(s, strlen(s), &ms) ? ms : -1;
}

static int usage_result(struct reconcile *rc, int64_t start, int64_t end,
		struct json_object *r, struct strbuf *err)
{
	const char *model = jstr(r, "model");
	struct usage_bucket *b = reconcile_usage(rc, start, end,
			model ? model : "");
	int64_t uncached = 0, m5 = 0, h1 = 0;

	if (jcount(jpath(r, "uncached_input_tokens", NULL),
			"uncached_input_tokens", &uncached, err) < 0 ||
	    jcount(jpath(r, "cache_creation", "ephemeral_5m_input_tokens", NULL),
			"cache_creation.ephemeral_5m_input_tokens", &m5, err) < 0 ||
	    jcount(jpath(r, "cache_creation", "ephemeral_1h_input_tokens", NULL),
			"cache_creation.ephemeral_1h_input_tokens", &h1, err) < 0 ||
	    jcount(jpath(r, "cache_read_input_tokens", NULL),
			"cache_read_input_tokens", &b->cache_read, err) < 0 ||
	    jcount(jpath(r, "output_tokens", NULL), "output_tokens", &b->output,
			err) < 0)
		return T_EPROVIDER;
	/* Anthropic's input excludes cache traffic; tally's includes it. */
	b->cache_write = m5 + h1;
	b->input = uncached + b->cache_write + b->cache_read;
	return 0;
}

static int for_each_bucket(struct json_object *root, struct strbuf *err,
		int (*fn)(struct reconcile *, int64_t, int64_t,
			struct json_object *, struct strbuf *),
		struct reconcile *rc, int note_empty)
{
	struct json_object *buckets = jpath(root, "data", NULL);
	size_t n;

	if (!buckets || !json_object_is_type(buckets, json_type_array))
		return fail(err, T_EPROVIDER, "anthropic: a report without data");
	n = json_object_array_length(buckets);
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(buckets, i);
		struct json_object *results = jpath(b, "results", NULL);
		int64_t start = rfc3339_field(b, "starting_at");
		int64_t end = rfc3339_field(b, "ending_at");
		size_t nr = results && json_object_is_type(results,
				json_type_array) ? json_object_array_length(results) : 0;

		if (start < 0 || end <= start)
			return fail(err, T_EPROVIDER, "anthropic: a bucket without "
					"starting_at and ending_at");
		if (!nr && note_empty)
			reconcile_usage(rc, start, end, NULL);
		for (size_t j = 0; j < nr; j++)
			if (fn(rc, start, end, json_object_array_get_idx(results, j),
					err))
				return T_EPROVIDER;
	}
	return 0;
}

static int usage_page(struct json_object *root, void *data, struct strbuf *err)
{
	return for_each_bucket(root, err, usage_result, data, 1);
}

/* Amounts are decimal strings in cents: "742.3185" is $7.423185. */
static int cost_result(struct reconcile *rc, int64_t start, int64_t end,
		struct json_object *r, struct strbuf *err)
{
	const char *amount = jstr(r, "amount");
	const char *model = jstr(r, "model");
	int64_t cents_as_usd;

	if (!amount || money_parse(amount, strlen(amount), &cents_as_usd))
		return fail(err, T_EPROVIDER, "anthropic: a cost without a "
				"valid amount");
	reconcile_cost(rc, start, end, model ? model : "", cents_as_usd / 100);
	return 0;
}

static int cost_page(struct json_object *root, void *data, struct strbuf *err)
{
	return for_each_bucket(root, err, cost_result, data, 0);
}

static void add_time_param(struct strbuf *url, const char *name, int64_t ms)
{
	struct strbuf t = STRBUF_INIT;

	time_format_utc(&t, ms);
	strbuf_addf(url, "%s=", name);
	url_escape(url, t.buf);
	strbuf_release(&t);
}

static void usage_url(struct strbuf *url, const struct sync_run *run,
		int64_t from, int64_t to, int hourly)
{
	strbuf_addf(url, "%s/v1/organizations/usage_report/messages?",
			run->base_url);
	add_time_param(url, "starting_at", from);
	strbuf_addch(url, '&');
	/* Hour buckets end on the hour: the one holding now is whole. */
	add_time_param(url, "ending_at", hourly ? utc_hour(to) + MS_PER_HOUR :
			to);
	strbuf_addf(url, "&bucket_width=%s&group_by[]=model&limit=%d",
			hourly ? "1h" : "1d", hourly ? 24 : 31);
}

static void cost_url(struct strbuf *url, const struct sync_run *run,
		int64_t from, int64_t today)
{
	strbuf_addf(url, "%s/v1/organizations/cost_report?", run->base_url);
	add_time_param(url, "starting_at", from);
	strbuf_addch(url, '&');
	add_time_param(url, "ending_at", today + MS_PER_DAY);
	/* cost_report takes at most 31 daily buckets a page; pages follow. */
	strbuf_addf(url, "&group_by[]=description&limit=%lld",
			(long long)page_size((today - from) / MS_PER_DAY + 1,
				31));
}

static const struct report_source reports = {
	.auth_format = "x-api-key: %s",
	.extra_header = "anthropic-version: 2023-06-01",
	.usage_url = usage_url,
	.cost_url = cost_url,
	.usage_page = usage_page,
	.cost_page = cost_page,
};

const struct provider provider_anthropic = {
	.id = "anthropic",
	.name = "Anthropic",
	.base_url = "https://api.anthropic.com",
	.request_roots = { "v1" },
	.sync_kind = SYNC_RECONCILE,
	.detect_response = detect,
	.parse_response = parse_response,
	.key_env = "ANTHROPIC_ADMIN_KEY",
	.reports = &reports,
};
