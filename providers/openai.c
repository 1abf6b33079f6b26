/*
 * OpenAI: Chat Completions and Responses bodies. Usage is reconciled
 * against the organization usage and costs APIs (sync).
 */
#include "provider.h"

#include <string.h>

#include "common.h"
#include "jsonc.h"
#include "../lib/error.h"
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

const struct provider provider_openai = {
	.id = "openai",
	.name = "OpenAI",
	.base_url = "https://api.openai.com",
	.sync = SYNC_RECONCILE,
	.detect_response = detect,
	.parse_response = parse_response,
};
