/*
 * Google Gemini: generateContent bodies. Thoughts are outside
 * candidatesTokenCount; tally counts them as output (reasoning). There is
 * no usage API to sync against, so entries are unsupported_provider.
 */
#include "provider.h"

#include <string.h>

#include "common.h"
#include "jsonc.h"
#include "../lib/error.h"
#include "../lib/gemini-counts.h"
#include "../lib/banned.h"

static int detect(struct json_object *root)
{
	if (jpath(root, "usageMetadata", NULL))
		return 90;
	if (jpath(root, "candidates", NULL))
		return 60;
	return 0;
}

static int read_counts(struct json_object *u, struct gemini_counts *c,
		struct strbuf *err)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "promptTokenCount", offsetof(struct gemini_counts, prompt) },
		{ "candidatesTokenCount",
		  offsetof(struct gemini_counts, candidates) },
		{ "thoughtsTokenCount", offsetof(struct gemini_counts, thoughts) },
		{ "toolUsePromptTokenCount",
		  offsetof(struct gemini_counts, tool) },
		{ "cachedContentTokenCount",
		  offsetof(struct gemini_counts, cached) },
	};
	struct strbuf name = STRBUF_INIT;
	int ret = 0;

	/* Gemini leaves zero counts out, so absent means zero here. */
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !ret; i++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "usageMetadata.%s", keys[i].key);
		if (jcount(jpath(u, keys[i].key, NULL), name.buf,
				(int64_t *)((char *)c + keys[i].off), err) < 0)
			ret = T_EPROVIDER;
	}
	strbuf_release(&name);
	return ret;
}

static int parse_response(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	struct json_object *u = jpath(root, "usageMetadata", NULL);
	struct gemini_counts c;

	if (reject_error_body(root, err))
		return T_EPROVIDER;
	if (!u || !json_object_is_type(u, json_type_object))
		return fail(err, T_EPROVIDER, "the response has no "
				"usageMetadata block");
	if (read_counts(u, &c, err))
		return T_EPROVIDER;
	gemini_counts_to_entry(&c, e);
	set_str_from(e, EF_PROVIDER_REQUEST_ID, root, "responseId");
	set_str_from(e, EF_MODEL_ID, root, "modelVersion");
	set_time_from_iso(e, EF_STARTED_AT, root, "createTime");
	return 0;
}

const struct provider provider_gemini = {
	.id = "gemini",
	.name = "Google Gemini",
	.base_url = "https://generativelanguage.googleapis.com",
	.request_roots = { "v1beta", "v1" },
	.sync_kind = SYNC_NONE,
	.detect_response = detect,
	.parse_response = parse_response,
};
