/*
 * OpenRouter: OpenAI-compatible chat completions whose usage block carries
 * the provider-billed cost. Each generation is looked up by its id (sync).
 */
#include "provider.h"

#include <string.h>

#include "common.h"
#include "jsonc.h"
#include "../lib/banned.h"

static int detect(struct json_object *root)
{
	const char *id = jstr(root, "id");

	if (id && !strncmp(id, "gen-", 4))
		return 95;
	if (jpath(root, "usage", "cost", NULL))
		return 90;
	if (jstr(root, "provider") && jpath(root, "usage", NULL))
		return 85;
	return 0;
}

static int parse_response(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	int64_t cost;
	int r = parse_chat_completion(root, e, err);

	if (r)
		return r;
	r = jmoney(jpath(root, "usage", "cost", NULL), "usage.cost", &cost,
			err);
	if (r < 0)
		return r;
	if (r)
		entry_set_int(e, EF_BILLED_COST_USD, cost);
	return 0;
}

const struct provider provider_openrouter = {
	.id = "openrouter",
	.name = "OpenRouter",
	.base_url = "https://openrouter.ai/api",
	.sync = SYNC_PER_REQUEST,
	.detect_response = detect,
	.parse_response = parse_response,
};
