#!/bin/sh
test_description='tally record --stream and --headers'
. ./test-lib.sh

S=$TALLY_SOURCE_DIR/contrib/examples/streams
H=$TALLY_SOURCE_DIR/contrib/examples/headers

# fields <file.json> <expected> <field>...: the fields as a JSON list.
fields() {
	f=$1 want=$2
	shift 2
	expr="["
	for k in "$@"; do
		expr="$expr d.get(\"$k\"),"
	done
	got=$(json_get "$f" "$expr]") &&
	test "$got" = "$want" || { echo "got $got" >&2; return 1; }
}

test_expect_success 'OpenAI Chat Completions chunks with include_usage' '
	tally record --stream --response "$S/openai-chat.sse" --json >o.json &&
	fields o.json "[\"openai\", \"gpt-4.1-2025-04-14\", \"chatcmpl-s1\", 19, 10, 29, 3, 2, 4]" \
		providerId modelId providerRequestId billedInputTokens billedOutputTokens \
		totalBilledTokens cacheReadTokens reasoningTokens chunksReceived
'

test_expect_success 'OpenAI Responses events' '
	tally record --stream --response "$S/openai-responses.sse" --json >o.json &&
	fields o.json "[\"openai\", \"resp_s2\", 36, 87, 3]" \
		providerId providerRequestId billedInputTokens billedOutputTokens chunksReceived
'

test_expect_success 'Anthropic message_start and cumulative message_delta' '
	tally record --stream --response "$S/anthropic-messages.sse" --json >o.json &&
	fields o.json "[\"anthropic\", \"msg_s3\", 35857, 268, 11648, 24205, 36125]" \
		providerId providerRequestId billedInputTokens billedOutputTokens \
		cacheReadTokens cacheWriteTokens totalBilledTokens
'

test_expect_success 'Gemini alt=sse: the last usageMetadata counts' '
	tally record --stream --response "$S/gemini.sse" --json >o.json &&
	fields o.json "[\"gemini\", \"gem-s4\", 15, 26, 20]" \
		providerId providerRequestId billedInputTokens billedOutputTokens reasoningTokens
'

test_expect_success 'OpenRouter: comments skipped, the cost billed' '
	tally record --stream --response "$S/openrouter-chat.sse" --json >o.json &&
	fields o.json "[\"openrouter\", \"gen-s5\", 1200, 300, 0.0015]" \
		providerId providerRequestId billedInputTokens billedOutputTokens billedCostUsd
'

test_expect_success 'CRLF line endings and no final blank line' '
	sed "s/\$/\r/" "$S/openai-chat.sse" | head -n 7 >crlf.sse &&
	tally record --stream --response crlf.sse --json >o.json &&
	fields o.json "[19, 10]" billedInputTokens billedOutputTokens
'

test_expect_success 'stdin is the default input; --tee passes the stream unchanged' '
	tally record --stream --tee <"$S/anthropic-messages.sse" >passed &&
	test_cmp "$S/anthropic-messages.sse" passed
'

# The clock starts when tally does, which on a loaded machine (or under
# ASan) may be a good part of a second after the first lines were
# written: the pause before the content is long, the bound below it loose.
test_expect_success '--tee times the stream: first content and the end' '
	{
		head -n 2 "$S/openai-chat.sse" &&
		sleep 1 &&
		sed -n "3,\$p" "$S/openai-chat.sse" &&
		sleep 0.3
	} | tally record --stream --tee >/dev/null &&
	tally log --ndjson -n 1 >t.json &&
	python3 -c "
import json
d = json.load(open(\"t.json\"))
assert 500 <= d[\"ttftMs\"] < 3000, d
assert d[\"latencyMs\"] >= d[\"ttftMs\"] + 250, d
assert d[\"completedAt\"] - d[\"startedAt\"] == d[\"latencyMs\"], d
"
'

test_expect_success 'without --tee no timing is invented' '
	tally record --stream --response "$S/openai-chat.sse" --json >o.json &&
	test "$(json_get o.json "\"ttftMs\" in d or \"latencyMs\" in d")" = False
'

# A file, or a pipe from cat, arrives at once: tally would time its own
# reading (a few ms), not the request.
test_expect_success 'a stream that did not arrive live is not timed, even with --tee' '
	for how in file pipe; do
		if test $how = file
		then
			tally record --stream --tee <"$S/openai-chat.sse" >/dev/null
		else
			cat "$S/openai-chat.sse" | tally record --stream --tee >/dev/null
		fi &&
		tally log --ndjson -n 1 >t.json &&
		test "$(json_get t.json "[k for k in (\"ttftMs\", \"latencyMs\", \"completedAt\") if k in d]")" = "[]" ||
		return 1
	done &&
	tally record --stream --tee -r "$S/openai-chat.sse" >/dev/null &&
	tally log --ndjson -n 1 >t.json &&
	test "$(json_get t.json "\"latencyMs\" in d")" = False &&
	TALLY_HOME=$PWD/perf &&
	export TALLY_HOME &&
	cat "$S/openai-chat.sse" |
		tally -c retention_days=0 record --stream --tee >/dev/null &&
	tally summary --perf --window workspace --json >p.json &&
	test "$(json_get p.json "[(p[\"providerName\"], p[\"totalRequests\"], p[\"averageLatency\"], p[\"timeToFirstToken\"]) for p in d[\"providers\"]]")" = \
		"[[\"openai\", 1, null, null]]"
'

test_expect_success 'a chat stream without usage is recorded with its usage unknown, never zero' '
	grep -v prompt_tokens "$S/openai-chat.sse" >nousage.sse &&
	tally record --stream --response nousage.sse --json >o.json 2>err &&
	test_grep "the stream carried no usage (an OpenAI-compatible stream needs stream_options.include_usage); recorded with its usage unknown, never as zero" err &&
	test "$(json_get o.json "[k for k in (\"billedInputTokens\", \"billedOutputTokens\", \"totalBilledTokens\", \"estimatedCostUsd\") if k in d]")" = "[]" &&
	test "$(json_get o.json "[d[\"providerId\"], d[\"modelId\"], d[\"status\"]]")" = "[\"openai\", \"gpt-4.1-2025-04-14\", \"completed\"]" &&
	id=$(json_get o.json "d[\"entryId\"]") &&
	tally log --porcelain | grep "^$id" | cut -f5-9 >row &&
	printf "\t\t\t\tnone\n" >expect &&
	test_cmp expect row
'

test_expect_success 'a broken or empty stream fails, nothing recorded' '
	cp "$(ledger)" before &&
	printf "data: {\"object\":\"chat.completion.chunk\",\n\n" >broken.sse &&
	test_expect_code 1 tally record --stream --response broken.sse 2>err &&
	test_grep "an event of the stream is not valid JSON" err &&
	: >empty.sse &&
	test_expect_code 1 tally record --stream --response empty.sse 2>err &&
	test_grep "the stream carried no usage" err &&
	test_cmp before "$(ledger)"
'

test_expect_success '--provider names a compatible provider of a stream' '
	tally record --stream --response "$S/openai-chat.sse" -p deepseek --json >o.json &&
	fields o.json "[\"deepseek\", 19]" providerId billedInputTokens
'

test_expect_success 'a stream is known by its content: --stream is not needed' '
	tally record --response "$S/anthropic-messages.sse" --json >got.json &&
	fields got.json "[\"anthropic\", \"msg_s3\", 35857, 268, 7]" \
		providerId providerRequestId billedInputTokens \
		billedOutputTokens chunksReceived &&
	tally record --response - --json <"$S/openai-chat.sse" >got.json &&
	fields got.json "[\"openai\", \"chatcmpl-s1\", 19, 10]" \
		providerId providerRequestId billedInputTokens billedOutputTokens
'

test_expect_success 'a stream that arrives a few bytes at a time is known too' '
	python3 -c "
import sys, time
data = open(sys.argv[1], \"rb\").read()
for i in range(0, len(data), 3):
    sys.stdout.buffer.write(data[i:i + 3])
    sys.stdout.flush()
    if i < 12:
        time.sleep(0.05)
" "$S/openai-chat.sse" | tally record --response - --tee >teed &&
	test_cmp "$S/openai-chat.sse" teed &&
	tally log -n 1 --json >l.json &&
	test "$(json_get l.json "[d[0][k] for k in (\"providerRequestId\", \"chunksReceived\", \"billedInputTokens\")]")" = \
		"[\"chatcmpl-s1\", 4, 19]"
'

test_expect_success 'a JSON body is read as JSON, even with --stream' '
	R=$TALLY_SOURCE_DIR/contrib/examples/responses &&
	tally record --stream --response "$R/openai-chat.json" --json >o.json &&
	fields o.json "[\"openai\", \"response\"]" providerId source &&
	test "$(json_get o.json "\"chunksReceived\" in d")" = False
'

test_expect_success 'what is neither is a stream with --stream, JSON without' '
	printf "garbage\n" >g.txt &&
	test_expect_code 1 tally record --response g.txt 2>err &&
	test_grep "not valid JSON" err &&
	test_expect_code 1 tally record --stream --response g.txt 2>err &&
	test_grep "stream" err
'

test_expect_success 'OpenAI headers: request id, status and rate limits' '
	tally record --response "$TALLY_SOURCE_DIR/contrib/examples/responses/openai-chat.json" \
		--headers "$H/openai.headers" --json >o.json &&
	test "$(json_get o.json "d[\"quotaSnapshot\"]")" = \
		"{\"providerId\": \"openai\", \"remainingRequests\": 59, \"remainingTokens\": 149984, \"resetDate\": 1795514760000, \"capturedAt\": 1795514400000, \"limitRequests\": 60, \"limitTokens\": 150000}" &&
	fields o.json "[200, \"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\"]" httpStatus providerRequestId
'

test_expect_success 'Anthropic headers: RFC 3339 resets; the last response counts' '
	{ printf "HTTP/1.1 301 Moved\r\nx-ratelimit-remaining-requests: 1\r\n\r\n" && cat "$H/anthropic.headers"; } >two.headers &&
	tally record -p anthropic -m claude --input-tokens 1 --headers two.headers --json >o.json &&
	test "$(json_get o.json "d[\"quotaSnapshot\"]")" = \
		"{\"providerId\": \"anthropic\", \"remainingRequests\": 999, \"remainingTokens\": 96000, \"resetDate\": 1755780059000, \"capturedAt\": 1795514400000, \"limitRequests\": 1000, \"limitTokens\": 96000}" &&
	fields o.json "[\"req_011CSLsW7mFqvHHnzrKdKjAE\", 200]" providerRequestId httpStatus
'

test_expect_success 'headers name the provider when nothing else does' '
	tally record -m m --input-tokens 1 --headers "$H/openai.headers" --json >o.json &&
	fields o.json "[\"openai\"]" providerId
'

test_expect_success 'quota shows what the headers said' '
	TALLY_NOW=2026-11-24T10:05:00Z tally quota >q &&
	test_grep "^openai  *59/60 requests, 149,984/150,000 tokens  *2026-11-24 10:06:00  *5m ago$" q &&
	tally quota --json >q.json &&
	test "$(json_get q.json "sorted(p[\"providerId\"] for p in d)")" = "[\"anthropic\", \"openai\"]"
'

test_expect_success 'missing or empty header files fail' '
	test_expect_code 1 tally record -p openai -m m --headers nope.txt 2>err &&
	test_grep "cannot read headers .nope.txt." err &&
	: >empty.txt &&
	test_expect_code 1 tally record -p openai -m m --headers empty.txt 2>err &&
	test_grep "holds no response headers" err
'

test_done
