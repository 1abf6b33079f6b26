#!/bin/sh
test_description='tally sync: OpenRouter generations, one by one'
. ./test-lib.sh

KEY=sk-or-v1-test
export OPENROUTER_API_KEY=$KEY
TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

cat >script.json <<'EOF'
{"routes": [
  {"path": "/api/v1/generation", "query": {"id": "gen-late"},
   "replies": [{"status": 404, "body": {"error": {"code": 404, "message": "Not found"}}},
               {"status": 404, "body": {"error": {"code": 404, "message": "Not found"}}},
               {"status": 200, "body": {"data": {"id": "gen-late", "model": "openai/gpt-4.1",
                 "total_cost": 0.0021, "native_tokens_prompt": 700, "native_tokens_completion": 70,
                 "native_tokens_reasoning": null, "native_tokens_cached": null}}}]},
  {"path": "/api/v1/generation", "query": {"id": "gen-bad"},
   "replies": [{"status": 400, "body": {"error": {"code": 400, "message": "Bad id"}}}]},
  {"path": "/api/v1/generation", "reply_from": "generation"}
 ],
 "generations": {
  "gen-1": {"id": "gen-1", "upstream_id": "chatcmpl-1", "total_cost": 0.0015, "usage": 0.0015,
            "model": "anthropic/claude-sonnet-4", "provider_name": "Anthropic", "latency": 1250,
            "native_tokens_prompt": 1300, "native_tokens_completion": 310,
            "native_tokens_reasoning": 100, "native_tokens_cached": 700, "extra_field": {"x": 1}}
 }}
EOF
fake_provider_start script.json
SYNC="tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 sync -p openrouter"

test_expect_success 'setup: pending entries' '
	tally record -q -p openrouter -m anthropic/claude-sonnet-4 --provider-request-id gen-1 \
		--input-tokens 1200 --output-tokens 300 --started-at 2026-11-24T11:00:00Z &&
	tally record -q -p openrouter -m openai/gpt-4.1 --provider-request-id gen-late \
		--input-tokens 600 --output-tokens 60 --started-at 2026-11-24T11:30:00Z &&
	tally record -q -p openrouter -m m --input-tokens 5 --started-at 2026-11-24T11:40:00Z &&
	tally record -q -p openrouter -m m --provider-request-id gen-bad --input-tokens 5 \
		--started-at 2026-11-24T11:41:00Z &&
	tally record -q -p openrouter -m m --provider-request-id gen-ancient --input-tokens 5 \
		--started-at 2026-10-01T00:00:00Z
'

test_expect_success 'a dry run prints the requests and asks nothing' '
	cp "$(ledger)" before &&
	$SYNC -n >plan &&
	test_line_count = 4 plan &&
	test_grep "^GET $FAKE_URL/api/v1/generation?id=gen-1$" plan &&
	test_must_be_empty "$FAKE_LOG" &&
	test_cmp before "$(ledger)"
'

test_expect_success 'sync: found, not yet, no id, refused, too old' '
	$SYNC --json >r.json &&
	test "$(json_get r.json "d[\"providers\"][0][\"synced\"]")" = 1 &&
	test "$(json_get r.json "d[\"providers\"][0][\"failed\"]")" = 3 &&
	test "$(json_get r.json "d[\"providers\"][0][\"pending\"]")" = 1 &&
	test "$(json_get r.json "d[\"providers\"][0][\"requests\"]")" = 4
'

test_expect_success 'the requests: method, path, query and key' '
	python3 -c "
import json
log = [json.loads(l) for l in open(\"$FAKE_LOG\")]
assert sorted(r[\"query\"][\"id\"] for r in log) == [\"gen-1\", \"gen-ancient\", \"gen-bad\", \"gen-late\"], log
for r in log:
    assert r[\"method\"] == \"GET\" and r[\"path\"] == \"/api/v1/generation\"
    assert r[\"headers\"][\"authorization\"] == \"Bearer $KEY\"
    assert r[\"headers\"][\"user-agent\"].startswith(\"tally/\")
"
'

test_expect_success 'a synced entry carries the provider figures' '
	tally log --ndjson --grep gen-1 >e.json &&
	test "$(json_get e.json "(d[\"billedInputTokens\"], d[\"billedOutputTokens\"], d[\"reasoningTokens\"], d[\"cacheReadTokens\"], d[\"billedCostUsd\"], d[\"source\"], d[\"syncStatus\"], d[\"syncedAt\"])")" = \
		"[1300, 310, 100, 700, 0.0015, \"provider_api\", \"synced\", 1795521600000]"
'

test_expect_success 'failures carry their reason' '
	tally log --ndjson --status sync_failed >f &&
	python3 -c "
import json
codes = sorted(json.loads(l)[\"syncErrorCode\"] for l in open(\"f\"))
assert codes == [\"http_400\", \"missing_correlation_id\", \"not_found\"], codes
"
'

test_expect_success 'not yet: pending with a time to ask again' '
	tally log --ndjson --grep gen-late >p.json &&
	test "$(json_get p.json "(d[\"syncStatus\"], d[\"syncAttempts\"], d[\"nextSyncAt\"])")" = \
		"[\"pending_sync\", 1, 1795521630000]"
'

test_expect_success 'a second sync at once asks nothing and writes nothing' '
	cp "$(ledger)" before &&
	: >"$FAKE_LOG" &&
	$SYNC >out &&
	test_must_be_empty "$FAKE_LOG" &&
	test_cmp before "$(ledger)"
'

test_expect_success 'later: not yet again, then found' '
	TALLY_NOW=2026-11-24T12:00:31Z $SYNC >out &&
	tally log --ndjson --grep gen-late >p.json &&
	test "$(json_get p.json "(d[\"syncStatus\"], d[\"syncAttempts\"], d[\"nextSyncAt\"])")" = \
		"[\"pending_sync\", 2, 1795521691000]" &&
	TALLY_NOW=2026-11-24T12:02:00Z $SYNC >out &&
	tally log --ndjson --grep gen-late >p.json &&
	test "$(json_get p.json "(d[\"syncStatus\"], d[\"billedInputTokens\"], d[\"billedCostUsd\"])")" = \
		"[\"synced\", 700, 0.0021]"
'

test_expect_success 'the summary counts synced entries once, with their bills' '
	tally summary --json --window workspace >s.json &&
	test "$(json_get s.json "d[\"requests\"]")" = 5 &&
	test "$(json_get s.json "d[\"billedCostUsd\"]")" = 0.0036 &&
	test "$(json_get s.json "d[\"pendingSyncCount\"]")" = 0 &&
	test "$(json_get s.json "d[\"failedSyncCount\"]")" = 3
'

test_expect_success '--force asks again about synced entries' '
	: >"$FAKE_LOG" &&
	$SYNC --force >out &&
	test_grep "gen-1" "$FAKE_LOG"
'

test_expect_success 'providers without a usage API are reported as such' '
	tally record -q -p gemini -m g --input-tokens 1 &&
	tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 sync >out &&
	test_grep "^gemini .*no usage API" out
'

test_expect_success '500 entries, 429 on every fifth request, 3 at a time' '
	fake_provider_stop &&
	mkdir -p many/profile &&
	python3 - many/profile/usage-ledger.jsonl many.json <<-\PY &&
	import json, sys
	gens = {}
	with open(sys.argv[1], "w") as f:
	    for i in range(500):
	        gid = "gen-%03d" % i
	        gens[gid] = {"id": gid, "model": "m", "total_cost": 0.001,
	                     "native_tokens_prompt": i, "native_tokens_completion": 1}
	        f.write(json.dumps({"v": 1, "entryId": "e%03d" % i, "providerId": "openrouter",
	            "providerRequestId": gid, "modelId": "m", "startedAt": 1795520000000 + i,
	            "billedInputTokens": 1, "source": "response",
	            "syncStatus": "pending_sync", "status": "completed"}) + "\n")
	json.dump({"routes": [{"path": "/api/v1/generation", "reply_from": "generation",
	    "every": [5, {"status": 429, "headers": {"retry-after-ms": "200"},
	                  "body": {"error": {"code": 429}}}]}],
	    "generations": gens}, open(sys.argv[2], "w"))
	PY
	fake_provider_start many.json &&
	TALLY_HOME=$PWD/many tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 \
		-c providers.openrouter.concurrency=3 -c http_max_retries=10 \
		sync -p openrouter --json >r.json &&
	test "$(json_get r.json "d[\"providers\"][0][\"synced\"]")" = 500 &&
	TALLY_HOME=$PWD/many tally log --porcelain --status synced >s &&
	test_line_count = 500 s &&
	TALLY_HOME=$PWD/many tally summary --json --window workspace >t.json &&
	test "$(json_get t.json "d[\"inputTokens\"]")" = 124750 &&
	python3 -c "
import json
log = [json.loads(l) for l in open(\"$FAKE_LOG\")]
assert max(r[\"inflight\"] for r in log) <= 3, max(r[\"inflight\"] for r in log)
throttled = [r for r in log if r[\"status\"] == 429]
assert len(throttled) >= 100, len(throttled)
assert len(log) == 500 + len(throttled), (len(log), len(throttled))
for r in throttled:
    later = [x[\"time\"] for x in log if x[\"query\"][\"id\"] == r[\"query\"][\"id\"] and x[\"time\"] > r[\"time\"]]
    assert later and min(later) - r[\"time\"] >= 0.19, (r, later)
" &&
	test "$(json_get r.json "d[\"providers\"][0][\"requests\"]")" = "$(wc -l <"$FAKE_LOG")"
'

test_done
