/* Unit tests for lib/entry: rows in, rows out, validation. */
#include "tap.h"

#include "lib/entry.h"
#include "lib/error.h"

static const char legacy1[] = "{\"entryId\":\"u_01\",\"sessionResource\":\"vscode-local-chat-session://session/abc\",\"requestId\":\"request_42\",\"providerId\":\"openai\",\"providerRequestId\":\"req_42\",\"modelId\":\"gpt-4.1\",\"startedAt\":1765000010000,\"completedAt\":1765000014123,\"billedInputTokens\":1820,\"billedOutputTokens\":420,\"totalBilledTokens\":2240,\"billedCostUsd\":0.0114,\"remainingProviderTokens\":197760,\"remainingProviderUsd\":4.88,\"source\":\"provider_api\",\"syncStatus\":\"synced\",\"syncedAt\":1765000015200,\"status\":\"completed\",\"quotaSnapshot\":{\"providerId\":\"openai\",\"remainingRequests\":37,\"remainingTokens\":197760,\"remainingUsd\":4.88,\"resetDate\":1767225600000,\"capturedAt\":1765000015200}}";

static void parse_fails(const char *line, const char *want_why)
{
	struct entry e;
	const char *why = NULL;

	entry_init(&e);
	ok(entry_parse(&e, line, strlen(line), &why) == -1 && why &&
			strstr(why, want_why), "refuses %s", want_why);
	if (why && !strstr(why, want_why))
		printf("#   why: %s\n", why);
	entry_release(&e);
}

static void validate_fails(struct entry *e, const char *want)
{
	struct strbuf err = STRBUF_INIT;

	ok(entry_validate(e, &err) == T_EUSAGE && strstr(err.buf, want),
			"validation: %s", want);
	if (!strstr(err.buf, want))
		printf("#   err: %s\n", err.buf);
	strbuf_release(&err);
}

int main(void)
{
	struct strbuf row = STRBUF_INIT, want = STRBUF_INIT;
	const char *why;
	struct entry e;

	entry_init(&e);
	ok(!entry_parse(&e, legacy1, strlen(legacy1), &why),
			"a row of the earlier tool parses");
	ok(!entry_has(&e, EF_V), "it has no schema version");
	is_int(e.billed_cost_usd, 11400000, "billedCostUsd is exact nano-USD");
	is_int(e.quota.v[QF_REMAINING_USD], 4880000000LL, "quota remainingUsd");
	is_int(e.quota.v[QF_RESET_DATE], 1767225600000LL, "quota resetDate");
	is_str(e.session_resource, "vscode-local-chat-session://session/abc",
			"sessionResource");
	entry_to_row(&row, &e);
	strbuf_addf(&want, "{\"v\":1,%s\n", legacy1 + 1);
	is_str(row.buf, want.buf, "it is written back identically, plus v");

	/* Unknown fields survive a rewrite, in order, after the known ones. */
	{
		const char *line = "{\"entryId\":\"x\",\"zeta\":{\"a\":[1,2]},"
			"\"modelId\":\"m\",\"quotaSnapshot\":{\"providerId\":\"p\","
			"\"limitTokens\":5},\"alpha\":\"s\"}";

		ok(!entry_parse(&e, line, strlen(line), &why), "parses a row "
				"with unknown fields");
		strbuf_reset(&row);
		entry_to_row(&row, &e);
		is_str(row.buf, "{\"v\":1,\"entryId\":\"x\",\"modelId\":\"m\","
				"\"quotaSnapshot\":{\"providerId\":\"p\","
				"\"limitTokens\":5},\"zeta\":{\"a\":[1,2]},"
				"\"alpha\":\"s\"}\n", "unknown fields are kept");
	}
	/* null means absent. */
	{
		const char *line = "{\"entryId\":\"x\",\"billedCostUsd\":null,"
			"\"modelId\":null}";

		ok(!entry_parse(&e, line, strlen(line), &why) &&
				!entry_has(&e, EF_BILLED_COST_USD) &&
				!entry_has(&e, EF_MODEL_ID), "null fields are absent");
	}

	parse_fails("", "expected an object");
	parse_fails("[]", "expected an object");
	parse_fails("{\"modelId\":\"m\"}", "no entryId");
	parse_fails("{\"entryId\":\"\"}", "no entryId");
	parse_fails("{\"entryId\":5}", "entryId is not a string");
	parse_fails("{\"entryId\":\"x\",\"billedInputTokens\":\"5\"}",
			"billedInputTokens is not a whole number");
	parse_fails("{\"entryId\":\"x\",\"billedInputTokens\":1.5}",
			"billedInputTokens is not a whole number");
	parse_fails("{\"entryId\":\"x\",\"billedInputTokens\":-5}",
			"billedInputTokens is negative");
	parse_fails("{\"entryId\":\"x\",\"billedCostUsd\":1e40}",
			"billedCostUsd is out of range");
	parse_fails("{\"entryId\":\"x\",\"v\":2}", "newer tally");
	parse_fails("{\"entryId\":\"x\",\"tags\":{\"a\":1}}",
			"tags values must be strings");
	parse_fails("{\"entryId\":\"x\"} junk", "unexpected text after the row");
	parse_fails("{\"entryId\":\"x\"", "unexpected end");

	/* Building and validating new rows. */
	entry_reset(&e);
	entry_set_str(&e, EF_ENTRY_ID, "u_1");
	entry_set_int(&e, EF_BILLED_INPUT_TOKENS, 100);
	entry_set_int(&e, EF_BILLED_OUTPUT_TOKENS, 20);
	entry_fill_total(&e);
	is_int(e.total_billed_tokens, 120, "total is input + output");
	{
		struct strbuf err = STRBUF_INIT;

		ok(!entry_validate(&e, &err), "a plain entry is valid");
		strbuf_release(&err);
	}
	entry_set_int(&e, EF_CACHE_READ_TOKENS, 80);
	entry_set_int(&e, EF_CACHE_WRITE_TOKENS, 30);
	validate_fails(&e, "exceeds billedInputTokens");
	entry_set_int(&e, EF_CACHE_WRITE_TOKENS, 20);
	entry_set_int(&e, EF_REASONING_TOKENS, 21);
	validate_fails(&e, "reasoningTokens (21) exceeds billedOutputTokens");
	entry_unset(&e, EF_REASONING_TOKENS);
	entry_set_int(&e, EF_BILLED_COST_USD, -1);
	validate_fails(&e, "billedCostUsd must not be negative");
	entry_unset(&e, EF_BILLED_COST_USD);
	entry_set_str(&e, EF_STATUS, "done");
	validate_fails(&e, "unknown status 'done'");
	entry_set_str(&e, EF_STATUS, "completed");
	entry_set_tag(&e, "team", "core");
	entry_set_tag(&e, "team", "infra");
	is_str(entry_tag(&e, "team"), "infra", "a tag set twice keeps the last");
	is_int(e.ntags, 1, "and is listed once");

	/* Cost kinds. */
	{
		int64_t nano;

		is_int(entry_cost(&e, COST_MODE_AUTO, &nano), COST_UNPRICED,
				"tokens without a price are unpriced");
		entry_set_int(&e, EF_ESTIMATED_COST_USD, 5);
		is_int(entry_cost(&e, COST_MODE_AUTO, &nano), COST_ESTIMATED,
				"an estimate shows in auto mode");
		is_int(entry_cost(&e, COST_MODE_PROVIDER, &nano), COST_UNPRICED,
				"but not in provider mode");
		entry_set_int(&e, EF_BILLED_COST_USD, 7);
		is_int(entry_cost(&e, COST_MODE_AUTO, &nano), COST_BILLED,
				"a bill wins in auto mode");
		is_int(nano, 7, "with its amount");
		is_int(entry_cost(&e, COST_MODE_ESTIMATE, &nano), COST_ESTIMATED,
				"estimate mode shows the estimate");
	}
	entry_release(&e);
	strbuf_release(&row);
	strbuf_release(&want);
	return tap_done();
}
