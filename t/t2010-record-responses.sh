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

test_expect_success 'an error body is not usage' '
	cp "$(ledger)" before &&
	echo "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}" >e.json &&
	test_expect_code 1 tally record --response e.json 2>err &&
	test_grep "the response is an error (slow down)" err &&
	echo "{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\"}}" >e2.json &&
	test_expect_code 1 tally record --response e2.json -p openai 2>err &&
	test_grep "You exceeded your current quota" err &&
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

test_done
