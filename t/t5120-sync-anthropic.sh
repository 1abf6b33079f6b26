#!/bin/sh
test_description='tally sync: Anthropic usage and cost reports, reconciled'
. ./test-lib.sh

KEY=sk-ant-admin-test
export ANTHROPIC_ADMIN_KEY=$KEY
TALLY_NOW=2026-11-24T12:30:00Z
export TALLY_NOW

cat >script.json <<'EOF'
{"routes": [
  {"path": "/v1/organizations/usage_report/messages", "query": {"bucket_width": "1d"},
   "replies": [{"status": 200, "body": {"has_more": false, "next_page": null,
     "data": [{"starting_at": "2026-11-23T00:00:00Z", "ending_at": "2026-11-24T00:00:00Z",
       "results": [{"uncached_input_tokens": 1520,
         "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 24205},
         "cache_read_input_tokens": 11648, "output_tokens": 268,
         "server_tool_use": {"web_search_requests": 0}, "api_key_id": null,
         "workspace_id": null, "model": "claude-sonnet-4-20250514", "service_tier": "standard",
         "context_window": "0-200k", "inference_geo": null}]}]}}]},
  {"path": "/v1/organizations/usage_report/messages", "query": {"bucket_width": "1h"},
   "replies": [{"status": 200, "body": {"has_more": false, "next_page": null, "data": []}}]},
  {"path": "/v1/organizations/cost_report",
   "replies": [{"status": 200, "body": {"has_more": false, "next_page": null,
     "data": [{"starting_at": "2026-11-23T00:00:00Z", "ending_at": "2026-11-24T00:00:00Z",
       "results": [{"currency": "USD", "amount": "742.3185", "workspace_id": null,
         "description": "Claude Sonnet 4 Usage - Input Tokens", "cost_type": "tokens",
         "context_window": "0-200k", "model": "claude-sonnet-4-20250514",
         "service_tier": "standard", "token_type": "uncached_input_tokens", "inference_geo": null},
        {"currency": "USD", "amount": "57.6815", "model": "claude-sonnet-4-20250514",
         "cost_type": "tokens", "token_type": "output_tokens"}]}]}}]}
]}
EOF
fake_provider_start script.json
SYNC="tally -c providers.anthropic.base_url=$FAKE_URL sync -p anthropic"

test_expect_success 'setup' '
	tally record -q --response "$TALLY_SOURCE_DIR/contrib/examples/responses/anthropic-message.json" \
		--started-at 2026-11-23T15:00:00Z
'

test_expect_success 'the requests: RFC 3339 times, the admin key and version' '
	$SYNC --json >r.json &&
	python3 -c "
import json
log = [json.loads(l) for l in open(\"$FAKE_LOG\")]
assert [(r[\"path\"], r[\"query\"].get(\"bucket_width\")) for r in log] == [
    (\"/v1/organizations/usage_report/messages\", \"1d\"),
    (\"/v1/organizations/usage_report/messages\", \"1h\"),
    (\"/v1/organizations/cost_report\", None)], log
assert log[0][\"query\"][\"starting_at\"] == \"2026-11-23T00:00:00Z\", log[0]
assert log[0][\"query\"][\"ending_at\"] == \"2026-11-24T00:00:00Z\", log[0]
assert log[0][\"query\"][\"group_by[]\"] == \"model\"
assert log[2][\"query\"][\"group_by[]\"] == \"description\"
for r in log:
    assert r[\"headers\"][\"x-api-key\"] == \"$KEY\"
    assert r[\"headers\"][\"anthropic-version\"] == \"2023-06-01\"
    assert \"authorization\" not in r[\"headers\"]
"
'

test_expect_success 'cache writes are the two ephemeral fields; input includes them' '
	tally log --kind provider_bucket --ndjson >b &&
	test "$(json_get b "(d[\"billedInputTokens\"], d[\"cacheWriteTokens\"], d[\"cacheReadTokens\"], d[\"billedOutputTokens\"], \"requests\" in d)")" = \
		"[37373, 24205, 11648, 268, false]"
'

test_expect_success 'costs are decimal strings in cents' '
	tally log --kind provider_cost --ndjson >c &&
	test "$(json_get c "d[\"billedCostUsd\"]")" = 8
'

test_expect_success 'the entry is synced; the gap is unattributed' '
	test "$(json_get r.json "[d[\"providers\"][0][k] for k in (\"synced\", \"providerTokens\", \"localTokens\", \"unattributedTokens\", \"providerCostUsd\")]")" = \
		"[1, 37641, 36125, 1516, 8]" &&
	tally log --porcelain >l &&
	test_grep "	synced	response$" l
'

test_expect_success 'a second sync writes nothing' '
	cp "$(ledger)" before &&
	$SYNC >out &&
	test_cmp before "$(ledger)"
'

test_expect_success 'an error from the Admin API is exit 4 with its message' '
	fake_provider_stop &&
	cat >err.json <<-\EOF &&
	{"routes": [{"path": "/v1/organizations/usage_report/messages",
	  "replies": [{"status": 400, "body": {"type": "error", "error": {"type": "invalid_request_error",
	    "message": "starting_at is too far in the past"}}}]}]}
	EOF
	fake_provider_start err.json &&
	test_expect_code 4 tally -c providers.anthropic.base_url=$FAKE_URL sync -p anthropic --force 2>e &&
	test_grep "anthropic answered HTTP 400: starting_at is too far in the past" e
'

test_expect_success 'a refused admin key is exit 5' '
	fake_provider_stop &&
	cat >auth.json <<-\EOF &&
	{"routes": [{"path": "/v1/organizations/usage_report/messages",
	  "replies": [{"status": 401, "body": {"type": "error", "error": {"type": "authentication_error",
	    "message": "invalid x-api-key"}}}]}]}
	EOF
	fake_provider_start auth.json &&
	test_expect_code 5 tally -c providers.anthropic.base_url=$FAKE_URL sync -p anthropic --force 2>e &&
	test_grep "anthropic answered HTTP 401: invalid x-api-key" e
'

test_done
