/*
 * Anthropic: Messages bodies. Anthropic's input_tokens excludes cache reads
 * and writes; tally's billedInputTokens includes them (DESIGN section 2).
 * Usage is reconciled against the Admin usage and cost reports (sync).
 */
#include "provider.h"

#include <string.h>

#include "common.h"
#include "jsonc.h"
#include "../lib/error.h"
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

/* Cache writes: the total field, else the sum of the per-TTL fields. */
static int cache_writes(struct json_object *u, int64_t *out, struct strbuf *err)
{
	int64_t m5 = 0, h1 = 0;
	int r, a, b;

	r = jcount(jpath(u, "cache_creation_input_tokens", NULL),
			"usage.cache_creation_input_tokens", out, err);
	if (r)
		return r;
	a = jcount(jpath(u, "cache_creation", "ephemeral_5m_input_tokens", NULL),
			"usage.cache_creation.ephemeral_5m_input_tokens", &m5,
			err);
	b = jcount(jpath(u, "cache_creation", "ephemeral_1h_input_tokens", NULL),
			"usage.cache_creation.ephemeral_1h_input_tokens", &h1,
			err);
	if (a < 0 || b < 0)
		return T_EPROVIDER;
	*out = m5 + h1;
	return a || b;
}

static int parse_response(struct json_object *root, struct entry *e,
		struct strbuf *err)
{
	struct json_object *u = jpath(root, "usage", NULL);
	int64_t in, out, cw = 0, cr = 0, thinking;
	int r, has_cw, has_cr;

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
			&thinking, err)) < 0)
		return T_EPROVIDER;
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, in + cw + cr);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, out);
	entry_set_int(e, EF_CACHE_WRITE_TOKENS, cw);
	entry_set_int(e, EF_CACHE_READ_TOKENS, cr);
	if (r)
		entry_set_int(e, EF_REASONING_TOKENS, thinking);
	set_str_from(e, EF_PROVIDER_REQUEST_ID, root, "id");
	set_str_from(e, EF_MODEL_ID, root, "model");
	return 0;
}

const struct provider provider_anthropic = {
	.id = "anthropic",
	.name = "Anthropic",
	.base_url = "https://api.anthropic.com",
	.sync = SYNC_RECONCILE,
	.detect_response = detect,
	.parse_response = parse_response,
};
