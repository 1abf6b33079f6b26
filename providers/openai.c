/*
 * OpenAI: Chat Completions and Responses bodies. Usage is reconciled
 * against the organization usage and costs APIs (sync).
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
	const char *object = jstr(root, "object");

	if (object && !strcmp(object, "response"))
		return 90;
	if (object && !strcmp(object, "chat.completion"))
		return 80;
	if (jpath(root, "usage", "prompt_tokens", NULL))
		return 50;
	if (jpath(root, "usage", "input_tokens_details", NULL))
		return 50;
	return 0;
}

static const char *status_of(const char *s)
{
	if (!s)
		return NULL;
	if (!strcmp(s, "failed") || !strcmp(s, "cancelled"))
		return s;
	if (!strcmp(s, "in_progress") || !strcmp(s, "queued"))
		return "in_progress";
	/* completed and incomplete responses are both billed. */
	return "completed";
}

static int count(struct entry *e, enum entry_field f, struct json_object *v,
		const char *name, struct strbuf *err)
{
	int64_t n;
	int r = jcount(v, name, &n, err);

	if (r > 0)
		entry_set_int(e, f, n);
	return r;
}

/*
 * Web searches are billed apiece. A response states the billed count in
 * tool_usage.web_search.num_requests; without it, the web_search_call
 * items that searched are counted: opening or reading a page found is a
 * web_search_call too, and is not a search.
 */
static int count_web_searches(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	struct json_object *items = jpath(root, "output", NULL);
	size_t n = items && json_object_is_type(items, json_type_array) ?
		json_object_array_length(items) : 0;
	int64_t searches = 0;
	int r = jcount(jpath(root, "tool_usage", "web_search", "num_requests",
			NULL), "tool_usage.web_search.num_requests", &searches,
			err);

	if (r < 0)
		return r;
	for (size_t i = 0; !r && i < n; i++) {
		struct json_object *it = json_object_array_get_idx(items, i);
		const char *type = jstr(it, "type");
		const char *action = jstr(jpath(it, "action", NULL), "type");

		searches += type && !strcmp(type, "web_search_call") &&
			    (!action || !strcmp(action, "search"));
	}
	if (searches)
		entry_set_int(e, EF_WEB_SEARCHES, searches);
	return 0;
}

static int parse_responses(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	struct json_object *u = jpath(root, "usage", NULL);
	const char *status = status_of(jstr(root, "status"));
	int r;

	if (!u || json_object_is_type(u, json_type_null))
		return fail(err, T_EPROVIDER, "the response has no usage block");
	if ((r = count(e, EF_BILLED_INPUT_TOKENS, jpath(u, "input_tokens",
			NULL), "usage.input_tokens", err)) <= 0 ||
	    (r = count(e, EF_BILLED_OUTPUT_TOKENS, jpath(u, "output_tokens",
			NULL), "usage.output_tokens", err)) <= 0)
		return r < 0 ? r : fail(err, T_EPROVIDER, "the usage block has "
				"no input_tokens or output_tokens");
	if (count(e, EF_CACHE_READ_TOKENS, jpath(u, "input_tokens_details",
			"cached_tokens", NULL),
			"usage.input_tokens_details.cached_tokens", err) < 0 ||
	    count(e, EF_CACHE_WRITE_TOKENS, jpath(u, "input_tokens_details",
			"cache_write_tokens", NULL),
			"usage.input_tokens_details.cache_write_tokens", err) < 0 ||
	    count(e, EF_REASONING_TOKENS, jpath(u, "output_tokens_details",
			"reasoning_tokens", NULL),
			"usage.output_tokens_details.reasoning_tokens", err) < 0)
		return T_EPROVIDER;
	if (count_web_searches(root, e, err) ||
	    audio_tokens(e, u, "input_tokens_details", "output_tokens_details",
			err))
		return T_EPROVIDER;
	set_str_from(e, EF_PROVIDER_REQUEST_ID, root, "id");
	set_str_from(e, EF_MODEL_ID, root, "model");
	if (status)
		entry_set_str(e, EF_STATUS, status);
	if (set_time_from_unix(e, EF_STARTED_AT, root, "created_at", err) ||
	    set_time_from_unix(e, EF_COMPLETED_AT, root, "completed_at", err))
		return T_EPROVIDER;
	return 0;
}

static int parse_response(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	const char *object = jstr(root, "object");

	if (reject_error_body(root, err))
		return T_EPROVIDER;
	if ((object && !strcmp(object, "response")) ||
	    jpath(root, "usage", "input_tokens", NULL))
		return parse_responses(root, e, err);
	return parse_chat_completion(root, e, err);
}

/* ---- sync: the organization usage and costs reports ---- */

static int64_t seconds_field(struct json_object *o, const char *key)
{
	struct json_object *v = jpath(o, key, NULL);

	return v && json_object_is_type(v, json_type_int) ?
		json_object_get_int64(v) * 1000 : -1;
}

static int usage_result(struct reconcile *rc, int64_t start, int64_t end,
		struct json_object *r, struct strbuf *err)
{
	const char *model = jstr(r, "model");
	struct usage_bucket *b = reconcile_usage(rc, start, end,
			model ? model : "");

	if (jcount(jpath(r, "input_tokens", NULL), "input_tokens", &b->input,
			err) < 0 ||
	    jcount(jpath(r, "output_tokens", NULL), "output_tokens", &b->output,
			err) < 0 ||
	    jcount(jpath(r, "input_cached_tokens", NULL), "input_cached_tokens",
			&b->cache_read, err) < 0 ||
	    jcount(jpath(r, "input_cache_write_tokens", NULL),
			"input_cache_write_tokens", &b->cache_write, err) < 0)
		return T_EPROVIDER;
	if (jcount(jpath(r, "num_model_requests", NULL), "num_model_requests",
			&b->requests, err) <= 0)
		b->requests = -1;
	return 0;
}

/* Each bucket of a usage page: its results, or an empty bucket. */
static int usage_page(struct json_object *root, void *data, struct strbuf *err)
{
	struct json_object *buckets = jpath(root, "data", NULL);
	size_t n = buckets && json_object_is_type(buckets, json_type_array) ?
		json_object_array_length(buckets) : 0;

	if (!buckets || !json_object_is_type(buckets, json_type_array))
		return fail(err, T_EPROVIDER, "openai: a usage report without "
				"data");
	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(buckets, i);
		struct json_object *results = jpath(b, "results", NULL);
		int64_t start = seconds_field(b, "start_time");
		int64_t end = seconds_field(b, "end_time");
		size_t nr = results && json_object_is_type(results,
				json_type_array) ? json_object_array_length(results) : 0;

		if (start < 0 || end <= start)
			return fail(err, T_EPROVIDER, "openai: a usage bucket "
					"without start_time and end_time");
		if (!nr)
			reconcile_usage(data, start, end, NULL);
		for (size_t j = 0; j < nr; j++)
			if (usage_result(data, start, end,
					json_object_array_get_idx(results, j), err))
				return T_EPROVIDER;
	}
	return 0;
}

/*
 * "gpt-4o-mini-2024-07-18, input" is a cost of that model. Other line
 * items ("Web search tool calls", "Text tokens") name no model: their
 * cost counts for the bucket as a whole, never as a model of that name.
 */
static void model_of_line_item(const char *item, struct strbuf *model)
{
	size_t n = item ? strcspn(item, ",") : 0;

	strbuf_reset(model);
	if (item && item[n] == ',' && n && !memchr(item, ' ', n))
		strbuf_add(model, item, n);
}

static int cost_page(struct json_object *root, void *data, struct strbuf *err)
{
	struct json_object *buckets = jpath(root, "data", NULL);
	struct strbuf model = STRBUF_INIT;
	size_t n = buckets && json_object_is_type(buckets, json_type_array) ?
		json_object_array_length(buckets) : 0;
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		struct json_object *b = json_object_array_get_idx(buckets, i);
		struct json_object *results = jpath(b, "results", NULL);
		int64_t start = seconds_field(b, "start_time");
		int64_t end = seconds_field(b, "end_time");
		size_t nr = results && json_object_is_type(results,
				json_type_array) ? json_object_array_length(results) : 0;

		for (size_t j = 0; j < nr && !ret; j++) {
			struct json_object *r = json_object_array_get_idx(results, j);
			int64_t nano;

			if (jmoney(jpath(r, "amount", "value", NULL),
					"amount.value", &nano, err) < 0)
				ret = T_EPROVIDER;
			model_of_line_item(jstr(r, "line_item"), &model);
			if (!ret)
				reconcile_cost(data, start, end, model.buf, nano);
		}
	}
	strbuf_release(&model);
	return ret;
}

static void usage_url(struct strbuf *url, const struct sync_run *run,
		int64_t from, int64_t to, int hourly)
{
	strbuf_addf(url, "%s/organization/usage/completions?start_time=%lld&"
			"end_time=%lld&bucket_width=%s&group_by[]=model&"
			"limit=%d", run->base_url, (long long)(from / 1000),
			(long long)(to / 1000), hourly ? "1h" : "1d",
			hourly ? 24 : 31);
}

static void cost_url(struct strbuf *url, const struct sync_run *run,
		int64_t from, int64_t today)
{
	strbuf_addf(url, "%s/organization/costs?start_time=%lld&"
			"end_time=%lld&bucket_width=1d&group_by[]=line_item&"
			"limit=%lld", run->base_url, (long long)(from / 1000),
			(long long)(run->now / 1000),
			(long long)page_size((today - from) / MS_PER_DAY + 1,
				180));
}

static const struct report_source reports = {
	.auth_format = "Authorization: Bearer %s",
	.usage_url = usage_url,
	.cost_url = cost_url,
	.usage_page = usage_page,
	.cost_page = cost_page,
};

const struct provider provider_openai = {
	.id = "openai",
	.name = "OpenAI",
	.base_url = "https://api.openai.com/v1",
	.request_roots = { "organization" },
	.sync_kind = SYNC_RECONCILE,
	.detect_response = detect,
	.parse_response = parse_response,
	.key_env = "OPENAI_ADMIN_KEY",
	.reports = &reports,
};
