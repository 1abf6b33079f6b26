/*
 * One response body to one entry: the body is parsed once, an error body
 * becomes a failed request with the provider's own error code, and the
 * adapter that --provider names (or, without one, the one most sure
 * about the body) reads the usage. cmd/ never reads a wire format itself.
 */
#include "response.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "jsonc.h"
#include "provider.h"
#include "../lib/error.h"
#include "../lib/banned.h"

/*
 * Whose error envelope this is, by the shapes each provider documents:
 * Anthropic's {"type":"error","error":{"type":...}}, Gemini's (Google
 * RPC) {"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}, OpenAI's
 * {"error":{"type","param","code"}} and OpenRouter's {"error":{"code":
 * 429,"message"}}. NULL when it is none of them.
 */
static const char *error_provider(struct json_object *root,
		struct json_object *error)
{
	struct json_object *code = jpath(error, "code", NULL);
	const char *type = jstr(root, "type");

	if (type && !strcmp(type, "error"))
		return "anthropic";
	if (jstr(error, "status"))
		return "gemini";
	if (jpath(error, "param", NULL) || jstr(error, "type") ||
	    (code && json_object_is_type(code, json_type_string)))
		return "openai";
	if (code && json_object_is_type(code, json_type_int))
		return "openrouter";
	return NULL;
}

/*
 * An error body as the failed request it reports: status failed, the
 * provider's error code (OpenAI's code or type, Anthropic's type,
 * Gemini's status, else the numeric code), the HTTP status when the body
 * gives one, and no usage: its tokens are unknown, never zero.
 */
static void read_error(struct json_object *root, const char *forced,
		struct entry *e)
{
	struct json_object *error = jpath(root, "error", NULL);
	struct json_object *code = jpath(error, "code", NULL);
	const char *provider = forced ? forced : error_provider(root, error);
	const char *name = NULL;
	char num[24];

	if (json_object_is_type(error, json_type_object)) {
		name = jstr(error, "status");
		if (!name && code &&
		    json_object_is_type(code, json_type_string))
			name = json_object_get_string(code);
		if (!name)
			name = jstr(error, "type");
	}
	if (code && json_object_is_type(code, json_type_int)) {
		int64_t n = json_object_get_int64(code);

		if (n >= 100 && n <= 599)
			entry_set_int(e, EF_HTTP_STATUS, n);
		if (!name) {
			snprintf(num, sizeof(num), "%lld", (long long)n);
			name = num;
		}
	}
	entry_set_str(e, EF_STATUS, "failed");
	entry_set_str(e, EF_ERROR_CODE, name && *name ? name : "error");
	if (provider)
		entry_set_str(e, EF_PROVIDER_ID, provider);
	set_str_from(e, EF_PROVIDER_REQUEST_ID, root, "request_id");
	entry_set_str(e, EF_SOURCE, "response");
}

int provider_read_response(const char *text, size_t len, const char *forced,
		struct entry *e, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	const struct provider *p = forced ? provider_by_id(forced) : NULL;
	struct json_object *root = json_parse_text(text, len, &why);
	int ret = 0;

	if (!root) {
		ret = fail(err, T_EFAIL, "the response is not valid JSON: %s",
				why.buf);
		goto out;
	}
	if (provider_error_body(root, &why)) {
		read_error(root, forced, e);
		goto out;
	}
	if (!p || !p->parse_response)
		p = provider_detect(root);
	if (!p) {
		ret = fail(err, T_EFAIL, "cannot tell which provider wrote this "
				"response; name it with --provider");
		goto out;
	}
	if (p->parse_response(root, e, &why)) {
		ret = fail(err, T_EFAIL, "cannot read the %s response: %s",
				p->name, why.buf);
		goto out;
	}
	entry_set_str(e, EF_PROVIDER_ID, p->id);
	entry_set_str(e, EF_SOURCE, "response");
out:
	json_object_put(root);
	strbuf_release(&why);
	return ret;
}
