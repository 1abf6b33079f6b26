#include "common.h"
#include "provider.h"

#include <string.h>

#include "jsonc.h"
#include "../lib/error.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

int provider_error_body(struct json_object *root, struct strbuf *err)
{
	struct json_object *e = jpath(root, "error", NULL);
	const char *type = jstr(root, "type");
	const char *msg;

	if (!e && !(type && !strcmp(type, "error")))
		return 0;
	msg = jstr(e, "message");
	if (!msg && e && json_object_is_type(e, json_type_string))
		msg = json_object_get_string(e);
	return fail(err, T_EPROVIDER, "the response is an error%s%s%s",
			msg ? " (" : "", msg ? msg : "", msg ? ")" : "");
}

void set_str_from(struct entry *e, enum entry_field f,
		struct json_object *root, const char *key)
{
	const char *s = jstr(root, key);

	if (s && *s)
		entry_set_str(e, f, s);
}

int set_time_from_unix(struct entry *e, enum entry_field f,
		struct json_object *root, const char *key, struct strbuf *err)
{
	struct json_object *v = jpath(root, key, NULL);
	int64_t secs;
	int r;

	/* SDKs that rewrite a body may give the seconds as 1767735399.0. */
	if (v && json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);

		if (!(d >= 0 && d < 1e11))
			return fail(err, T_EPROVIDER, "%s is out of range", key);
		secs = (int64_t)d;
		r = 1;
	} else {
		r = jcount(v, key, &secs, err);
	}
	if (r > 0)
		entry_set_int(e, f, secs * 1000);
	return r < 0 ? r : 0;
}

void set_time_from_iso(struct entry *e, enum entry_field f,
		struct json_object *root, const char *key)
{
	const char *s = jstr(root, key);
	int64_t ms;

	if (s && !time_parse_iso(s, strlen(s), &ms))
		entry_set_int(e, f, ms);
}

/* Reads a count at a path below usage into field f when present. */
static int count_into(struct entry *e, enum entry_field f,
		struct json_object *usage, const char *a, const char *b,
		struct strbuf *err)
{
	struct strbuf name = STRBUF_INIT;
	int64_t n;
	int r;

	strbuf_addf(&name, "usage.%s%s%s", a, b ? "." : "", b ? b : "");
	r = jcount(b ? jpath(usage, a, b, NULL) : jpath(usage, a, NULL),
			name.buf, &n, err);
	strbuf_release(&name);
	if (r > 0)
		entry_set_int(e, f, n);
	return r;
}

/*
 * Reasoning is inside completion_tokens by OpenAI's convention, but some
 * services count it apart (xAI: total = prompt + completion + reasoning).
 * The numbers say which: then output is completion plus reasoning.
 */
static void reasoning_outside(struct entry *e, struct json_object *usage)
{
	struct json_object *tot = jpath(usage, "total_tokens", NULL);
	int64_t in = entry_get_int(e, EF_BILLED_INPUT_TOKENS);
	int64_t out = entry_get_int(e, EF_BILLED_OUTPUT_TOKENS);
	int64_t reasoning = entry_get_int(e, EF_REASONING_TOKENS);

	if (!reasoning || !tot || !json_object_is_type(tot, json_type_int) ||
	    json_object_get_int64(tot) != in + out + reasoning)
		return;
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, out + reasoning);
}

int audio_tokens(struct entry *e, struct json_object *usage,
		const char *in_details, const char *out_details,
		struct strbuf *err)
{
	int64_t a = 0, b = 0;

	if (jcount(jpath(usage, in_details, "audio_tokens", NULL),
			"usage.*.audio_tokens", &a, err) < 0 ||
	    jcount(jpath(usage, out_details, "audio_tokens", NULL),
			"usage.*.audio_tokens", &b, err) < 0)
		return T_EPROVIDER;
	if (a + b > 0)
		entry_set_int(e, EF_AUDIO_TOKENS, a + b);
	return 0;
}

int parse_chat_completion(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	if (reject_error_body(root, err))
		return T_EPROVIDER;
	return parse_chat_usage(root, jpath(root, "usage", NULL), e, err);
}

int parse_chat_usage(struct json_object *root, struct json_object *usage,
		struct entry *e, struct strbuf *err)
{
	int r;

	if (!usage || json_object_is_type(usage, json_type_null))
		return fail(err, T_EPROVIDER, "the response has no usage block "
				"(a stream needs stream_options.include_usage)");
	if ((r = count_into(e, EF_BILLED_INPUT_TOKENS, usage, "prompt_tokens",
			NULL, err)) <= 0 ||
	    (r = count_into(e, EF_BILLED_OUTPUT_TOKENS, usage,
			"completion_tokens", NULL, err)) <= 0)
		return r < 0 ? r : fail(err, T_EPROVIDER, "the usage block has "
				"no prompt_tokens or completion_tokens");
	if (count_into(e, EF_CACHE_READ_TOKENS, usage, "prompt_tokens_details",
			"cached_tokens", err) < 0 ||
	    count_into(e, EF_CACHE_WRITE_TOKENS, usage, "prompt_tokens_details",
			"cache_write_tokens", err) < 0 ||
	    count_into(e, EF_REASONING_TOKENS, usage,
			"completion_tokens_details", "reasoning_tokens", err) < 0)
		return T_EPROVIDER;
	reasoning_outside(e, usage);
	if (audio_tokens(e, usage, "prompt_tokens_details",
			"completion_tokens_details", err))
		return T_EPROVIDER;
	set_str_from(e, EF_PROVIDER_REQUEST_ID, root, "id");
	set_str_from(e, EF_MODEL_ID, root, "model");
	return set_time_from_unix(e, EF_STARTED_AT, root, "created", err);
}
