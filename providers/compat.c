/*
 * Services that speak OpenAI's chat completion format but are not OpenAI:
 * DeepSeek, Groq, Mistral, xAI, and Azure OpenAI (another bill). Their
 * responses are recognised by what only they send, so their usage lands
 * in their own totals rather than OpenAI's, and since tally reads no
 * usage API of theirs, their entries are unsupported_provider for sync
 * instead of waiting forever for an OpenAI reconciliation that cannot
 * include them. --provider always wins over recognition.
 *
 * Scores (see provider.h): a field only the service sends, 88; a model
 * family only it serves, 85. Both beat a plain chat completion (OpenAI,
 * 80) and lose to OpenRouter's own marks (90 and up), which relays all
 * of these.
 */
#include <string.h>

#include "provider.h"
#include "common.h"
#include "jsonc.h"
#include "../lib/error.h"
#include "../lib/banned.h"

static int model_starts(struct json_object *root, const char *const *prefixes)
{
	const char *model = jstr(root, "model");

	for (; model && *prefixes; prefixes++)
		if (!strncmp(model, *prefixes, strlen(*prefixes)))
			return 1;
	return 0;
}

static int is_chat(struct json_object *root)
{
	const char *object = jstr(root, "object");

	return jpath(root, "choices", NULL) || (object &&
			!strncmp(object, "chat.completion", 15));
}

/* ---- DeepSeek ---- */

static int deepseek_detect(struct json_object *root)
{
	static const char *const models[] = { "deepseek-", NULL };

	if (jpath(root, "usage", "prompt_cache_hit_tokens", NULL) ||
	    jpath(root, "usage", "prompt_cache_miss_tokens", NULL))
		return 88;
	return is_chat(root) && model_starts(root, models) ? 85 : 0;
}

/* prompt_tokens = prompt_cache_hit_tokens + prompt_cache_miss_tokens. */
static int deepseek_parse(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	int64_t hit;
	int r = parse_chat_completion(root, e, err);

	if (r || entry_has(e, EF_CACHE_READ_TOKENS))
		return r;
	r = jcount(jpath(root, "usage", "prompt_cache_hit_tokens", NULL),
			"usage.prompt_cache_hit_tokens", &hit, err);
	if (r > 0)
		entry_set_int(e, EF_CACHE_READ_TOKENS, hit);
	return r < 0 ? T_EPROVIDER : 0;
}

const struct provider provider_deepseek = {
	.id = "deepseek",
	.name = "DeepSeek",
	.base_url = "https://api.deepseek.com",
	.sync_kind = SYNC_NONE,
	.detect_response = deepseek_detect,
	.parse_response = deepseek_parse,
};

/* ---- Groq ---- */

static int groq_detect(struct json_object *root)
{
	return jpath(root, "x_groq", NULL) ? 88 : 0;
}

/* A stream's last chunk carries the usage only in x_groq.usage. */
static int groq_parse(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	struct json_object *usage = jpath(root, "usage", NULL);

	if (reject_error_body(root, err))
		return T_EPROVIDER;
	if (!usage || json_object_is_type(usage, json_type_null))
		usage = jpath(root, "x_groq", "usage", NULL);
	return parse_chat_usage(root, usage, e, err);
}

const struct provider provider_groq = {
	.id = "groq",
	.name = "Groq",
	.base_url = "https://api.groq.com/openai/v1",
	.sync_kind = SYNC_NONE,
	.detect_response = groq_detect,
	.parse_response = groq_parse,
};

/* ---- Mistral ---- */

static int mistral_detect(struct json_object *root)
{
	static const char *const models[] = { "mistral-", "open-mistral",
		"codestral", "magistral", "ministral", "pixtral",
		"devstral", "voxtral", NULL };

	return is_chat(root) && model_starts(root, models) ? 85 : 0;
}

const struct provider provider_mistral = {
	.id = "mistral",
	.name = "Mistral",
	.base_url = "https://api.mistral.ai/v1",
	.sync_kind = SYNC_NONE,
	.detect_response = mistral_detect,
	.parse_response = parse_chat_completion,
};

/* ---- xAI ---- */

static int xai_detect(struct json_object *root)
{
	static const char *const models[] = { "grok-", NULL };

	if (jpath(root, "usage", "cost_in_usd_ticks", NULL))
		return 88;
	return is_chat(root) && model_starts(root, models) ? 85 : 0;
}

/*
 * xAI states what each request was billed, after cache discounts and
 * including server-side tools, in ticks of 1e-10 USD: ten ticks to the
 * nano-dollar the ledger counts in, rounded to the nearest.
 */
static int xai_parse(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	struct json_object *ticks = jpath(root, "usage", "cost_in_usd_ticks",
			NULL);
	int64_t n;
	int r = parse_chat_completion(root, e, err);

	if (r)
		return r;
	r = jcount(ticks, "usage.cost_in_usd_ticks", &n, err);
	if (r < 0)
		return T_EPROVIDER;
	if (r > 0)
		entry_set_int(e, EF_BILLED_COST_USD, (n + 5) / 10);
	return 0;
}

const struct provider provider_xai = {
	.id = "xai",
	.name = "xAI",
	.base_url = "https://api.x.ai/v1",
	.sync_kind = SYNC_NONE,
	.detect_response = xai_detect,
	.parse_response = xai_parse,
};

/* ---- Azure OpenAI ---- */

/*
 * Azure's content filters annotate every response, OpenAI's never: a
 * chat completion's prompt_filter_results and content_filter_results, a
 * Responses API object's content_filters (which must outscore OpenAI's
 * own mark for that object, 90).
 */
static int azure_detect(struct json_object *root)
{
	struct json_object *choices = jpath(root, "choices", NULL);

	if (jpath(root, "content_filters", NULL))
		return 92;
	if (jpath(root, "prompt_filter_results", NULL))
		return 88;
	if (choices && json_object_is_type(choices, json_type_array) &&
	    json_object_array_length(choices) &&
	    jpath(json_object_array_get_idx(choices, 0),
			"content_filter_results", NULL))
		return 88;
	return 0;
}

/* Both of OpenAI's formats, chat completions and the Responses API. */
static int azure_parse(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	return provider_openai.parse_response(root, e, err);
}

const struct provider provider_azure = {
	.id = "azure",
	.name = "Azure OpenAI",
	/* Per resource: https://<resource>.openai.azure.com/openai/v1. */
	.base_url = NULL,
	.sync_kind = SYNC_NONE,
	.detect_response = azure_detect,
	.parse_response = azure_parse,
};
