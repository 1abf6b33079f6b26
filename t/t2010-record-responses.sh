#!/bin/sh
test_description='tally record --response: every provider format'
. ./test-lib.sh

R=$TALLY_SOURCE_DIR/contrib/examples/responses

# check <file.json> <python expr>=<value>...
check() {
	f=$1
	shift
	for pair in "$@"; do
		want=${pair#*=}
		got=$(json_get "$f" "d[\"${pair%%=*}\"]" 2>/dev/null) || got="(missing)"
		if test "$got" != "$want"; then
			echo "${pair%%=*}: got $got, want $want" >&2
			return 1
		fi
	done
}

test_expect_success 'OpenAI Chat Completions' '
	tally record --response "$R/openai-chat.json" --json >o.json &&
	check o.json providerId=openai modelId=gpt-4.1-2025-04-14 \
		providerRequestId=chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT \
		billedInputTokens=19 billedOutputTokens=10 totalBilledTokens=29 \
		cacheReadTokens=0 reasoningTokens=0 startedAt=1741569952000 \
		source=response status=completed syncStatus=pending_sync
'

test_expect_success 'OpenAI Responses' '
	tally record --response "$R/openai-responses.json" --json >o.json &&
	check o.json providerId=openai billedInputTokens=36 \
		billedOutputTokens=87 totalBilledTokens=123 cacheReadTokens=0 \
		cacheWriteTokens=0 reasoningTokens=0 startedAt=1741476542000 \
		providerRequestId=resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b
'

test_expect_success 'Anthropic Messages: cache reads and writes join the input' '
	tally record --response "$R/anthropic-message.json" --json >o.json &&
	check o.json providerId=anthropic modelId=claude-sonnet-4-20250514 \
		billedInputTokens=35857 cacheReadTokens=11648 \
		cacheWriteTokens=24205 billedOutputTokens=268 \
		totalBilledTokens=36125 providerRequestId=msg_01Vq3cKkvexfvHDNdQ7QpBFL
'

test_expect_success 'Gemini: thoughts join the output' '
	tally record --response "$R/gemini-generate.json" --json >o.json &&
	check o.json providerId=gemini modelId=gemini-2.5-flash \
		billedInputTokens=15 billedOutputTokens=26 totalBilledTokens=41 \
		reasoningTokens=20 cacheReadTokens=0 providerRequestId=Il0taoSYJ5Cez7 \
		syncStatus=unsupported_provider
'

test_expect_success 'OpenRouter: the cost is provider-billed' '
	tally record --response "$R/openrouter-chat.json" --json >o.json &&
	check o.json providerId=openrouter modelId=anthropic/claude-sonnet-4 \
		billedInputTokens=1200 billedOutputTokens=300 totalBilledTokens=1500 \
		cacheReadTokens=800 cacheWriteTokens=0 reasoningTokens=120 \
		billedCostUsd=0.0015 providerRequestId=gen-1727282430-aBcDeFgHiJkLmNoPqRsT
'

test_expect_success 'no content is stored' '
	test_grep -v "Hello!" "$(ledger)" &&
	test_grep -v "1+1 equals" "$(ledger)" &&
	test_grep -v "\"Done.\"" "$(ledger)"
'

test_expect_success 'recording the same response twice keeps one entry' '
	tally record --response "$R/anthropic-message.json" -q &&
	tally log --porcelain --provider anthropic >out &&
	test_line_count = 1 out
'

test_expect_success 'a response on stdin, with --tee passing it through' '
	tally record --response - --tee <"$R/openai-chat.json" >passed &&
	test_cmp "$R/openai-chat.json" passed
'

test_expect_success '--tee keeps recording when the reader goes away' '
	python3 -c "
import json
d = json.load(open(\"$R/openai-chat.json\"))
d[\"id\"] = \"chatcmpl-big\"
d[\"pad\"] = \"x\" * 1000000
print(json.dumps(d))
" >big.json &&
	tally record --response - --tee <big.json | head -c 10 >/dev/null &&
	tally log --porcelain --grep chatcmpl-big >out &&
	test_line_count = 1 out
'

test_expect_success 'flags override the response' '
	tally record --response "$R/openai-chat.json" -m renamed \
		--output-tokens 11 --tag via=flag --json >o.json &&
	check o.json modelId=renamed billedOutputTokens=11 totalBilledTokens=30
'

test_expect_success '--provider names an unknown, compatible provider' '
	tally record --response "$R/openai-chat.json" -p deepseek --json >o.json &&
	check o.json providerId=deepseek billedInputTokens=19 \
		syncStatus=unsupported_provider
'

test_expect_success 'older payloads and nulls read what is there' '
	echo "{\"object\":\"chat.completion\",\"model\":\"gpt-4o\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"prompt_tokens_details\":null}}" >old.json &&
	tally record --response old.json --json >o.json &&
	check o.json billedInputTokens=5 billedOutputTokens=2 &&
	test "$(json_get o.json "\"cacheReadTokens\" in d")" = False
'

test_expect_success 'Anthropic without the total cache-write field sums the TTLs' '
	echo "{\"type\":\"message\",\"id\":\"msg_x\",\"model\":\"claude\",\"usage\":{\"input_tokens\":10,\"output_tokens\":3,\"cache_read_input_tokens\":null,\"cache_creation\":{\"ephemeral_5m_input_tokens\":4,\"ephemeral_1h_input_tokens\":6},\"extra\":{\"new\":1}}}" >a.json &&
	tally record --response a.json --json >o.json &&
	check o.json billedInputTokens=20 cacheWriteTokens=10 cacheReadTokens=0
'

# error_entry <body> <expected [provider, errorCode, httpStatus]> [flags]:
# the body recorded as a failed request with no usage.
error_entry() {
	body=$1 want=$2 model=null &&
	shift 2 &&
	case "$*" in *gpt-4o*) model="\"gpt-4o\"" ;; esac &&
	echo "$body" >err.json &&
	tally record --response err.json --json "$@" >o.json 2>err &&
	test_grep "^tally: warning: the response is an error (.*): recorded as a failed request$" err &&
	test "$(json_get o.json "[d.get(k) for k in (\"providerId\", \"errorCode\", \"httpStatus\")]")" = "$want" &&
	test "$(json_get o.json "[d[\"status\"], \"billedInputTokens\" in d, d.get(\"modelId\")]")" = \
		"[\"failed\", false, $model]"
}

# The envelopes as each provider documents them (provider-apis.md).
test_expect_success 'an error body is a failed request, of whichever provider' '
	error_entry "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"This request would exceed the rate limit\"},\"request_id\":\"req_011CSLsW7mFqvHHnzrKdKjAE\"}" \
		"[\"anthropic\", \"rate_limit_error\", null]" &&
	test "$(json_get o.json "d[\"providerRequestId\"]")" = req_011CSLsW7mFqvHHnzrKdKjAE &&
	error_entry "{\"error\":{\"message\":\"Rate limit reached for gpt-4o\",\"type\":\"tokens\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}" \
		"[\"openai\", \"rate_limit_exceeded\", null]" &&
	error_entry "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}" \
		"[\"openai\", \"insufficient_quota\", null]" &&
	error_entry "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota\",\"status\":\"RESOURCE_EXHAUSTED\"}}" \
		"[\"gemini\", \"RESOURCE_EXHAUSTED\", 429]" &&
	error_entry "{\"error\":{\"code\":404,\"message\":\"Resource not found\"}}" \
		"[\"openrouter\", \"404\", 404]" &&
	error_entry "{\"error\":{\"code\":429,\"message\":\"slow\"}}" \
		"[\"openai\", \"429\", 429]" -p openai -m gpt-4o
'

test_expect_success 'through --tee: passed on, recorded as failed, exit 0' '
	echo "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"tokens\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}" >e.json &&
	tally record --response - --tee -m gpt-4o <e.json >out 2>err &&
	test_cmp e.json out &&
	tally log -n 1 --porcelain --status failed >row &&
	test "$(cut -f3,4,10 row)" = "$(printf "openai\tgpt-4o\tfailed")" &&
	tally summary --json >s.json &&
	test "$(json_get s.json "d[\"failedCount\"]")" -ge 1
'

test_expect_success 'an error body of no provider tally can tell fails' '
	cp "$(ledger)" before &&
	echo "{\"error\":\"overloaded\"}" >e.json &&
	test_expect_code 1 tally record --response e.json 2>err &&
	test_grep "the response is an error (error) that names no provider; name it with --provider" err &&
	test_cmp before "$(ledger)"
'

test_expect_success 'a body without usage, or of no known format, fails' '
	cp "$(ledger)" before &&
	echo "{\"object\":\"chat.completion\",\"model\":\"m\",\"usage\":null}" >n.json &&
	test_expect_code 1 tally record --response n.json 2>err &&
	test_grep "no usage block" err &&
	echo "{\"hello\":\"world\"}" >w.json &&
	test_expect_code 1 tally record --response w.json 2>err &&
	test_grep "cannot tell which provider wrote this response" err &&
	echo "[1,2]" >arr.json &&
	test_expect_code 1 tally record --response arr.json 2>err &&
	: >empty.json &&
	test_expect_code 1 tally record --response empty.json 2>err &&
	test_grep "not valid JSON" err &&
	test_cmp before "$(ledger)"
'

test_expect_success 'wrong types and absurd counts in a body fail' '
	echo "{\"object\":\"chat.completion\",\"model\":\"m\",\"usage\":{\"prompt_tokens\":\"19\",\"completion_tokens\":1}}" >t.json &&
	test_expect_code 1 tally record --response t.json 2>err &&
	test_grep "usage.prompt_tokens is not a whole number" err &&
	echo "{\"object\":\"chat.completion\",\"model\":\"m\",\"usage\":{\"prompt_tokens\":-4,\"completion_tokens\":1}}" >t.json &&
	test_expect_code 1 tally record --response t.json 2>err &&
	test_grep "usage.prompt_tokens is out of range" err &&
	echo "{\"object\":\"chat.completion\",\"model\":\"m\",\"usage\":{\"prompt_tokens\":123456789012345678901234,\"completion_tokens\":1}}" >t.json &&
	test_expect_code 1 tally record --response t.json 2>err &&
	test_grep "out of range" err &&
	echo "{\"id\":\"gen-1\",\"model\":\"m\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"cost\":\"free\"}}" >t.json &&
	test_expect_code 1 tally record --response t.json 2>err &&
	test_grep "usage.cost is not a number" err
'

test_expect_success 'a body whose counts contradict each other is refused' '
	echo "{\"object\":\"chat.completion\",\"model\":\"m\",\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"prompt_tokens_details\":{\"cached_tokens\":9}}}" >c.json &&
	test_expect_code 1 tally record --response c.json 2>err &&
	test_grep "tally: the response does not add up: cacheReadTokens (9) exceeds billedInputTokens (5)" err
'

test_expect_success 'web searches: their fee joins the estimate and is kept apart' '
	TALLY_HOME=$PWD/ws tally record -p anthropic -m claude-sonnet-4-20250514 \
		--input-tokens 100000 --output-tokens 0 --web-searches 3 \
		--started-at 2026-11-20T10:00:00Z --json >w.json &&
	check w.json webSearchRequests=3 toolFeesUsd=0.03 estimatedCostUsd=0.33 &&
	TALLY_HOME=$PWD/ws tally summary --window workspace >sum &&
	test_grep "^Cost  *~\$0.3300 estimated; 3 web searches (~\$0.0300 of the estimate)" sum &&
	TALLY_HOME=$PWD/ws tally summary --window workspace --json >s.json &&
	check s.json webSearchRequests=3 toolFeesUsd=0.03 estimatedCostUsd=0.33 &&
	TALLY_HOME=$PWD/ws tally export --format csv >w.csv &&
	head -n 1 w.csv | tr -d "\r" | tr , "\n" >cols &&
	test_grep "^webSearchRequests$" cols && test_grep "^toolFeesUsd$" cols
'

test_expect_success 'web searches before Anthropic had the tool, or at an unknown fee: unpriced' '
	TALLY_HOME=$PWD/ws2 tally record -p anthropic -m claude-3-5-sonnet-20241022 \
		--input-tokens 10 --output-tokens 1 --web-searches 1 \
		--started-at 2025-01-10T10:00:00Z --json >u.json &&
	check u.json webSearchRequests=1 &&
	! json_get u.json "d[\"estimatedCostUsd\"]" &&
	TALLY_HOME=$PWD/ws2 tally record -p mistral -m mistral-small-latest \
		--input-tokens 10 --output-tokens 1 --web-searches 1 --json >m.json &&
	! json_get m.json "d[\"estimatedCostUsd\"]"
'

test_expect_success 'a web search call that only opened a page is not a search' '
	python3 - <<-\EOF &&
	import json
	body = {"object": "response", "id": "resp_ws", "model": "gpt-5-mini",
	        "status": "completed",
	        "output": [{"type": "web_search_call", "action": {"type": "search"}},
	                   {"type": "web_search_call", "action": {"type": "open_page"}},
	                   {"type": "web_search_call", "action": {"type": "find_in_page"}},
	                   {"type": "web_search_call"}],
	        "usage": {"input_tokens": 10, "output_tokens": 2}}
	json.dump(body, open("ws.json", "w"))
	body["id"] = "resp_ws2"
	body["tool_usage"] = {"web_search": {"num_requests": 5}}
	json.dump(body, open("ws2.json", "w"))
	body["id"] = "resp_ws3"
	body["tool_usage"] = {"web_search": {"num_requests": "5"}}
	json.dump(body, open("ws3.json", "w"))
	EOF
	tally record --response ws.json --json >a.json &&
	check a.json webSearchRequests=2 &&
	tally record --response ws2.json --json >b.json &&
	check b.json webSearchRequests=5 &&
	test_must_fail tally record --response ws3.json 2>err &&
	test_grep "tool_usage.web_search.num_requests is not a whole number" err
'

test_expect_success 'audio tokens: counted, and the request left unpriced' '
	tally record --response "$TALLY_SOURCE_DIR/t/fixtures/third-party/openai-chat-audio.json" --json >au.json &&
	check au.json audioTokens=482 billedOutputTokens=592 &&
	! json_get au.json "d[\"estimatedCostUsd\"]"
'

test_expect_success 'xAI: the cost in ticks is the bill' '
	tally record --response "$TALLY_SOURCE_DIR/t/fixtures/third-party/xai-text.json" --json >x.json &&
	check x.json providerId=xai billedCostUsd=0.00011765 billedOutputTokens=229 &&
	sed "s/\"cost_in_usd_ticks\": 1176500/\"cost_in_usd_ticks\": -3/" \
		"$TALLY_SOURCE_DIR/t/fixtures/third-party/xai-text.json" >neg.json &&
	test_must_fail tally record --response neg.json 2>err &&
	test_grep "cost_in_usd_ticks is out of range" err
'

test_done
