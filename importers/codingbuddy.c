/*
 * An editor plugin's usage log: one JSON object per request, with
 * provider, model, prompt and completion tokens and an estimated cost.
 * It has no default place; the user names the files.
 */
#include "agent.h"

#include <string.h>
#include <strings.h>

#include "parse.h"
#include "../lib/money.h"
#include "../lib/timeutil.h"
#include "../lib/banned.h"

struct cb_rec {
	struct js_span timestamp, provider, model, currency, cost;
	int64_t prompt, completion, total, when;
	int has_prompt, has_completion;
};

static int cb_member(struct jscan *s, const struct js_span *key, void *rec)
{
	struct cb_rec *r = rec;

	if (js_key_is(key, "timestamp"))
		return scan_string_or_skip(s, &r->timestamp);
	if (js_key_is(key, "provider"))
		return scan_string_or_skip(s, &r->provider);
	if (js_key_is(key, "model"))
		return scan_string_or_skip(s, &r->model);
	if (js_key_is(key, "currency"))
		return scan_string_or_skip(s, &r->currency);
	if (js_key_is(key, "estimated_cost") && js_peek(s) == JS_NUMBER)
		return js_number(s, &r->cost);
	if (js_key_is(key, "prompt_tokens"))
		return r->has_prompt = 1, scan_count(s, &r->prompt);
	if (js_key_is(key, "completion_tokens"))
		return r->has_completion = 1, scan_count(s, &r->completion);
	if (js_key_is(key, "total_tokens"))
		return scan_count(s, &r->total);
	return js_skip(s);
}

/* Reads a line: 1 with r set for a usage to count, or 0 with *skip set. */
static int cb_scan(const char *text, size_t len, struct cb_rec *r,
		enum import_skip *skip)
{
	memset(r, 0, sizeof(*r));
	*skip = SKIP_MALFORMED;
	if (scan_line_object(text, len, cb_member, r))
		return 0;
	*skip = SKIP_NO_USAGE;
	if (!r->has_prompt && !r->has_completion)
		return 0;
	*skip = SKIP_INCOMPLETE;
	return r->timestamp.p && !time_parse_iso(r->timestamp.p,
			r->timestamp.len, &r->when) && r->provider.len &&
		r->model.len;
}

static void cb_fill(struct import_file *f, const struct cb_rec *r,
		struct import_item *it)
{
	struct entry *e = it->e;
	char *provider = span_dup(&r->provider, f->pool);

	for (char *c = provider; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	entry_set_str(e, EF_PROVIDER_ID, provider);
	entry_set_str(e, EF_MODEL_ID, span_dup(&r->model, f->pool));
	entry_set_int(e, EF_STARTED_AT, r->when);
	entry_set_int(e, EF_BILLED_INPUT_TOKENS, r->prompt);
	entry_set_int(e, EF_BILLED_OUTPUT_TOKENS, r->completion);
	entry_set_str(e, EF_STATUS, "completed");
	if (r->cost.p && r->currency.len == 3 &&
	    !strncasecmp(r->currency.p, "USD", 3)) {
		int64_t nano;

		if (!money_parse(r->cost.p, r->cost.len, &nano) && nano >= 0) {
			entry_set_int(e, EF_ESTIMATED_COST_USD, nano);
			entry_set_str(e, EF_PRICE_ID,
					"codingbuddy:estimated_cost");
			it->cost = nano;
		}
	}
	it->total = r->prompt + r->completion;
}

static int cb_line(struct import_file *f, const char *text, size_t len,
		struct import_item *it, enum import_skip *skip)
{
	struct cb_rec r;
	/* Lines have no id: the line itself is the key. */
	const char *parts[] = { "codingbuddy", NULL, NULL };

	if (!cb_scan(text, len, &r, skip))
		return 0;
	parts[1] = mempool_strndup(f->pool, text, len);
	item_set_key(it, f->pool, parts);
	cb_fill(f, &r, it);
	return 1;
}

static void cb_default_dirs(struct string_list *dirs, struct strbuf *scratch)
{
	(void)dirs;
	(void)scratch;
}

const struct agent agent_codingbuddy = {
	.name = "codingbuddy",
	.source = "import:codingbuddy",
	.default_dirs = cb_default_dirs,
	.suffix = ".jsonl",
	.line = cb_line,
	.usage_args = "<file>...",
	.needs_paths = 1,
};
