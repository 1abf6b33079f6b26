#!/bin/sh
test_description='tally sync: OpenAI usage and costs reports, reconciled'
. ./test-lib.sh

KEY=sk-admin-test-key
export OPENAI_ADMIN_KEY=$KEY
TALLY_NOW=2026-11-24T12:30:00Z
export TALLY_NOW
# 2026-11-22 is 1795305600, 2026-11-23 is 1795392000, 2026-11-24 is 1795478400.

cat >script.json <<'EOF'
{"routes": [
  {"path": "/v1/organization/usage/completions", "query": {"bucket_width": "1d", "page": "page_2"},
   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null,
     "data": [{"object": "bucket", "start_time": 1795392000, "end_time": 1795478400, "results": []}]}}]},
  {"path": "/v1/organization/usage/completions", "query": {"bucket_width": "1d"},
   "replies": [{"status": 200, "body": {"object": "page", "has_more": true, "next_page": "page_2",
     "data": [{"object": "bucket", "start_time": 1795305600, "end_time": 1795392000,
       "results": [{"object": "organization.usage.completions.result", "input_tokens": 5000,
         "input_cached_tokens": 1800, "output_tokens": 1000, "input_audio_tokens": 300,
         "output_audio_tokens": 100, "num_model_requests": 5, "project_id": null,
         "user_id": null, "api_key_id": null, "model": "gpt-4.1-2025-04-14", "batch": null,
         "service_tier": null, "some_new_field": 7}]}]}}]},
  {"path": "/v1/organization/usage/completions", "query": {"bucket_width": "1h"},
   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null,
     "data": [{"object": "bucket", "start_time": 1795514400, "end_time": 1795518000,
       "results": [{"input_tokens": 300, "output_tokens": 30, "num_model_requests": 2,
         "input_cached_tokens": 0, "model": "gpt-4.1-2025-04-14"}]},
      {"object": "bucket", "start_time": 1795518000, "end_time": 1795521600, "results": []}]}}]},
  {"path": "/v1/organization/costs",
   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null,
     "data": [{"object": "bucket", "start_time": 1795305600, "end_time": 1795392000,
       "results": [{"object": "organization.costs.result", "amount": {"value": 0.06, "currency": "usd"},
         "line_item": "gpt-4.1-2025-04-14, input", "project_id": null},
        {"object": "organization.costs.result", "amount": {"value": 0.04, "currency": "usd"},
         "line_item": "gpt-4.1-2025-04-14, output", "project_id": null}]}]}}]}
]}
EOF
fake_provider_start script.json
SYNC="tally -c providers.openai.base_url=$FAKE_URL/v1 sync -p openai"

test_expect_success 'setup: entries recorded here' '
	tally record -q -p openai -m gpt-4.1 --started-at 2026-11-22T10:00:00Z \
		--input-tokens 4000 --output-tokens 800 &&
	tally record -q -p openai -m gpt-4.1-2025-04-14 --started-at 2026-11-24T10:15:00Z \
		--input-tokens 100 --output-tokens 10 &&
	tally record -q -p openai -m gpt-4o-mini --started-at 2026-11-23T09:00:00Z \
		--input-tokens 50 --output-tokens 5 &&
	tally record -q -p openai -m gpt-4.1 --started-at 2026-11-24T12:10:00Z \
		--input-tokens 7 --output-tokens 1
'

test_expect_success 'the requests asked for' '
	$SYNC -n >plan &&
	cat >expect <<-EOF &&
	GET $FAKE_URL/v1/organization/usage/completions?start_time=1795305600&end_time=1795478400&bucket_width=1d&group_by[]=model&limit=31
	GET $FAKE_URL/v1/organization/usage/completions?start_time=1795478400&end_time=1795523400&bucket_width=1h&group_by[]=model&limit=24
	GET $FAKE_URL/v1/organization/costs?start_time=1795305600&end_time=1795523400&bucket_width=1d&group_by[]=line_item&limit=3
	EOF
	test_cmp expect plan &&
	test_must_be_empty "$FAKE_LOG"
'

test_expect_success 'sync: provider rows, synced entries, unattributed usage' '
	$SYNC --json >r.json &&
	test "$(json_get r.json "[(k, d[\"providers\"][0][k]) for k in (\"synced\", \"failed\", \"pending\", \"providerRows\", \"providerTokens\", \"localTokens\", \"unattributedTokens\", \"providerCostUsd\", \"unattributedCostUsd\", \"requests\")]")" = \
		"[[\"synced\", 2], [\"failed\", 0], [\"pending\", 2], [\"providerRows\", 3], [\"providerTokens\", 6330], [\"localTokens\", 4965], [\"unattributedTokens\", 1365], [\"providerCostUsd\", 0.1], [\"unattributedCostUsd\", 0.0856], [\"requests\", 4]]"
'

test_expect_success 'the requests: all pages, the admin key' '
	python3 -c "
import json
log = [json.loads(l) for l in open(\"$FAKE_LOG\")]
assert [r[\"query\"].get(\"page\") for r in log] == [None, \"page_2\", None, None], log
assert log[0][\"query\"][\"group_by[]\"] == \"model\"
for r in log:
    assert r[\"headers\"][\"authorization\"] == \"Bearer $KEY\"
"
'

test_expect_success 'provider rows hold the reports per bucket and model' '
	tally log --kind provider_bucket --ndjson >b &&
	python3 -c "
import json
rows = sorted((r[\"startedAt\"], r[\"completedAt\"] - r[\"startedAt\"], r[\"modelId\"],
  r[\"billedInputTokens\"], r[\"billedOutputTokens\"], r[\"cacheReadTokens\"],
  r[\"requests\"], r[\"source\"]) for r in map(json.loads, open(\"b\")))
assert rows == [(1795305600000, 86400000, \"gpt-4.1-2025-04-14\", 5000, 1000, 1800, 5, \"provider_api\"),
                (1795514400000, 3600000, \"gpt-4.1-2025-04-14\", 300, 30, 0, 2, \"provider_api\")], rows
" &&
	tally log --kind provider_cost --ndjson >c &&
	test "$(json_get c "(d[\"modelId\"], d[\"billedCostUsd\"])")" = "[\"gpt-4.1-2025-04-14\", 0.1]"
'

test_expect_success 'entries in ended buckets with usage are synced' '
	tally log --ndjson >all &&
	python3 -c "
import json
st = sorted((r[\"startedAt\"], r[\"syncStatus\"]) for r in map(json.loads, open(\"all\")))
assert st == [(1795341600000, \"synced\"), (1795424400000, \"pending_sync\"),
              (1795515300000, \"synced\"), (1795522200000, \"pending_sync\")], st
"
'

test_expect_success 'a second sync writes nothing' '
	cp "$(ledger)" before &&
	$SYNC >out &&
	test_cmp before "$(ledger)"
'

test_expect_success 'the summary shows the provider report apart' '
	tally summary --window workspace --json >s.json &&
	test "$(json_get s.json "d[\"requests\"]")" = 4 &&
	test "$(json_get s.json "d[\"totalTokens\"]")" = 4973 &&
	test "$(json_get s.json "(d[\"byProvider\"][0][\"providerReportedTokens\"], d[\"byProvider\"][0][\"unattributedTokens\"])")" = "[6330, 1357]" &&
	tally summary --window workspace >s &&
	test_grep "^  openai  reported 6,330 tokens, \$0.1000; recorded here 4,973; unattributed 1,357 tokens$" s
'

test_expect_success 'a day report replaces that day'"'"'s hour rows' '
	fake_provider_stop &&
	cat >next.json <<-\EOF &&
	{"routes": [
	  {"path": "/v1/organization/usage/completions", "query": {"bucket_width": "1d"},
	   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null,
	     "data": [{"object": "bucket", "start_time": 1795478400, "end_time": 1795564800,
	       "results": [{"input_tokens": 900, "output_tokens": 90, "num_model_requests": 4,
	                    "model": "gpt-4.1-2025-04-14"}]}]}}]},
	  {"path": "/v1/organization/usage/completions", "query": {"bucket_width": "1h"},
	   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null, "data": []}}]},
	  {"path": "/v1/organization/costs",
	   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null, "data": []}}]}
	]}
	EOF
	fake_provider_start next.json &&
	TALLY_NOW=2026-11-25T01:00:00Z tally -c providers.openai.base_url=$FAKE_URL/v1 \
		sync -p openai --since 2026-11-24 >out &&
	tally log --kind provider_bucket --ndjson >b &&
	python3 -c "
import json
rows = sorted((r[\"startedAt\"], r[\"completedAt\"] - r[\"startedAt\"], r[\"billedInputTokens\"]) for r in map(json.loads, open(\"b\")))
assert (1795514400000, 3600000, 0) in rows, rows
assert (1795478400000, 86400000, 900) in rows, rows
" &&
	TALLY_NOW=2026-11-25T01:00:00Z tally summary --window workspace --json >s.json &&
	test "$(json_get s.json "d[\"byProvider\"][0][\"providerReportedTokens\"]")" = 6990
'

test_expect_success 'an older payload with six token fields, and nulls' '
	fake_provider_stop &&
	cat >old.json <<-\EOF &&
	{"routes": [
	  {"path": "/v1/organization/usage/completions",
	   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null,
	     "data": [{"object": "bucket", "start_time": 1795392000, "end_time": 1795478400,
	       "results": [{"object": "organization.usage.completions.result", "input_tokens": 10,
	         "output_tokens": 2, "num_model_requests": 1, "input_cached_tokens": null,
	         "input_audio_tokens": 0, "output_audio_tokens": 0, "model": "gpt-4o-mini"}]}]}}]},
	  {"path": "/v1/organization/costs",
	   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null, "data": []}}]}
	]}
	EOF
	fake_provider_start old.json &&
	TALLY_HOME=$PWD/old tally record -q -p openai -m gpt-4o-mini --started-at 2026-11-23T09:00:00Z \
		--input-tokens 10 --output-tokens 2 &&
	TALLY_HOME=$PWD/old tally -c providers.openai.base_url=$FAKE_URL/v1 sync -p openai >out &&
	TALLY_HOME=$PWD/old tally log --porcelain >l &&
	test_grep "gpt-4o-mini	10	2	12	0.0000027	estimated	completed	synced" l
'

test_expect_success 'no usage for a model a day after its bucket: sync_failed' '
	fake_provider_stop &&
	cat >empty.json <<-\EOF &&
	{"routes": [
	  {"path": "/v1/organization/usage/completions",
	   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null,
	     "data": [{"object": "bucket", "start_time": 1795305600, "end_time": 1795392000, "results": []},
	              {"object": "bucket", "start_time": 1795392000, "end_time": 1795478400, "results": []}]}}]},
	  {"path": "/v1/organization/costs",
	   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null, "data": []}}]}
	]}
	EOF
	fake_provider_start empty.json &&
	export TALLY_HOME=$PWD/missing &&
	tally record -q -p openai -m m --started-at 2026-11-22T09:00:00Z --input-tokens 3 &&
	tally record -q -p openai -m m --started-at 2026-11-23T09:00:00Z --input-tokens 4 &&
	tally -c fail_on_missing_provider_usage=false -c providers.openai.base_url=$FAKE_URL/v1 \
		sync -p openai >out &&
	tally log --porcelain --status pending_sync >p &&
	test_line_count = 2 p &&
	tally -c providers.openai.base_url=$FAKE_URL/v1 sync -p openai >out &&
	tally log --ndjson --status sync_failed >f &&
	test "$(json_get f "(d[\"startedAt\"], d[\"syncErrorCode\"])")" = "[1795338000000, \"missing_provider_usage\"]" &&
	tally log --porcelain --status pending_sync >p &&
	test_line_count = 1 p
'

test_expect_success 'a report that is garbage: exit 4, entries stay pending' '
	fake_provider_stop &&
	cat >bad.json <<-\EOF &&
	{"routes": [{"path": "/v1/organization/usage/completions",
	   "replies": [{"status": 200, "raw": "{\"data\": [{\"start_time\": \"yesterday\"}]}"}]}]}
	EOF
	fake_provider_start bad.json &&
	TALLY_HOME=$PWD/bad tally record -q -p openai -m m --input-tokens 1 &&
	TALLY_HOME=$PWD/bad test_expect_code 4 tally -c providers.openai.base_url=$FAKE_URL/v1 \
		sync -p openai 2>err &&
	test_grep "a usage bucket without start_time" err &&
	TALLY_HOME=$PWD/bad tally log --porcelain --status pending_sync >p &&
	test_line_count = 1 p
'

# Costs as the API also sends them: amounts as decimal strings, and line
# items that are no model ("Web search tool calls", null).
test_expect_success 'cost amounts as decimal strings; line items that name no model' '
	fake_provider_stop &&
	cat >strings.json <<-\EOF &&
	{"routes": [
	  {"path": "/v1/organization/usage/completions",
	   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null, "data": []}}]},
	  {"path": "/v1/organization/costs",
	   "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null,
	     "data": [{"object": "bucket", "start_time": 1795305600, "end_time": 1795392000,
	       "results": [{"object": "organization.costs.result", "amount": {"value": "0.0600000000000000", "currency": "usd"},
	         "line_item": "gpt-4.1-2025-04-14, input", "project_id": null},
	        {"object": "organization.costs.result", "amount": {"value": "0.0125", "currency": "usd"},
	         "line_item": "Web search tool calls", "project_id": null},
	        {"object": "organization.costs.result", "amount": {"value": 0.5, "currency": "usd"},
	         "line_item": null, "project_id": null}]}]}}]}
	]}
	EOF
	fake_provider_start strings.json &&
	export TALLY_HOME=$PWD/strings &&
	tally record -q -p openai -m gpt-4.1 --started-at 2026-11-22T10:00:00Z --input-tokens 5 &&
	tally -c providers.openai.base_url=$FAKE_URL/v1 sync -p openai >out &&
	tally log --ndjson --kind provider_cost >rows &&
	python3 -c "
import json
rows = [json.loads(l) for l in open(\"rows\")]
got = sorted((r.get(\"modelId\", \"\"), r[\"billedCostUsd\"]) for r in rows)
assert got == [(\"\", 0.5125), (\"gpt-4.1-2025-04-14\", 0.06)], got
"
'

test_expect_success 'a missing admin key names the variable' '
	(unset OPENAI_ADMIN_KEY && TALLY_HOME=$PWD/bad test_expect_code 5 tally sync -p openai) >out 2>err &&
	test_grep "set OPENAI_ADMIN_KEY" err &&
	test_line_count = 1 err &&
	test "$(cat out)" = "openai  failed"
'

test_expect_success 'no keys at all: sync skips, says so once a day, exit 0' '
	export TALLY_HOME=$PWD/nokeys &&
	tally record -q -p openai -m gpt-4o --input-tokens 5 &&
	tally record -q -p anthropic -m claude-sonnet-4 --input-tokens 5 &&
	(
		unset OPENAI_ADMIN_KEY ANTHROPIC_ADMIN_KEY OPENROUTER_API_KEY &&
		tally sync >out 2>err &&
		test_must_be_empty out &&
		test_line_count = 1 err &&
		test_grep "^tally: warning: not syncing anthropic, openai: no API key (set ANTHROPIC_ADMIN_KEY, OPENAI_ADMIN_KEY, or providers.<id>.api_key_command)" err &&
		tally sync >out 2>err &&
		test_must_be_empty out &&
		test_must_be_empty err &&
		TALLY_NOW=2026-11-25T13:00:00Z tally sync 2>err &&
		test_line_count = 1 err &&
		tally sync --json >s.json &&
		test "$(json_get s.json "[(p[\"providerId\"], p.get(\"reason\")) for p in d[\"providers\"] if p[\"state\"] == \"skipped\"]")" = \
			"[[\"anthropic\", \"no_key\"], [\"openai\", \"no_key\"]]"
	) &&
	tally log --porcelain | cut -f11 | sort -u >states &&
	echo pending_sync >expect &&
	test_cmp expect states
'

test_done
