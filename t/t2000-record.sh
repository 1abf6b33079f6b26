#!/bin/sh
test_description='tally record from flags: ids, updates, sessions, tee'
. ./test-lib.sh

L=$TALLY_HOME/profile/usage-ledger.jsonl

last_row() {
	tail -n 1 "$L" >"$1"
}

test_expect_success 'record prints the new entry id' '
	tally record -p openai -m gpt-4.1 --input-tokens 100 --output-tokens 20 >id &&
	test_grep -x "u_[0-9a-f]\{20\}" id &&
	test_grep "\"entryId\":\"$(cat id)\"" "$L"
'

test_expect_success 'every flag lands in its field' '
	TALLY_NOW=@1795514400 tally record -p anthropic -m claude-sonnet-4 \
		--input-tokens 1000 --output-tokens 200 --cache-read-tokens 300 \
		--cache-write-tokens 100 --reasoning-tokens 50 --tool-tokens 7 \
		--cost 0.5 --estimated-cost 0.25 --session s9 --request-id rq \
		--provider-request-id msg_1 --tag a=1 --tag b=two \
		--status failed --started-at 2026-11-24T09:00:00Z \
		--completed-at 2026-11-24T09:00:02.5Z --latency-ms 2500 \
		--ttft-ms 300 --throttle-wait-ms 40 --retries 2 \
		--http-status 529 --error overloaded_error --json >out.json &&
	cat >expect <<-\EOF &&
	{
	  "v": 1,
	  "entryId": "ID",
	  "sessionResource": "s9",
	  "requestId": "rq",
	  "providerId": "anthropic",
	  "providerRequestId": "msg_1",
	  "modelId": "claude-sonnet-4",
	  "startedAt": 1795510800000,
	  "completedAt": 1795510802500,
	  "billedInputTokens": 1000,
	  "billedOutputTokens": 200,
	  "totalBilledTokens": 1200,
	  "billedCostUsd": 0.5,
	  "source": "manual",
	  "syncStatus": "pending_sync",
	  "status": "failed",
	  "cacheReadTokens": 300,
	  "cacheWriteTokens": 100,
	  "reasoningTokens": 50,
	  "toolTokens": 7,
	  "estimatedCostUsd": 0.25,
	  "latencyMs": 2500,
	  "ttftMs": 300,
	  "throttleWaitMs": 40,
	  "retries": 2,
	  "httpStatus": 529,
	  "errorCode": "overloaded_error",
	  "tags": {
	    "a": "1",
	    "b": "two"
	  },
	  "recordedAt": 1795514400000,
	  "deviceId": "d_00000000000000000001"
	}
	EOF
	sed "s/\"u_[0-9a-f]*\"/\"ID\"/" out.json >actual &&
	test_cmp expect actual
'

test_expect_success 'the same provider request id updates one entry' '
	tally record -p openai -m m --provider-request-id req_7 --input-tokens 5 >a &&
	tally record -p openai -m m --provider-request-id req_7 --input-tokens 6 >b &&
	test_cmp a b &&
	tally log --porcelain --grep req_7 >out &&
	test_line_count = 1 out &&
	test_grep "	6	" out
'

test_expect_success 'the same request id at another provider is another entry' '
	tally record -p openrouter -m m --provider-request-id req_7 --input-tokens 5 >c &&
	! test_cmp a c >/dev/null
'

test_expect_success 'sync status depends on what the provider can verify' '
	for p in openai anthropic openrouter; do
		tally record -p $p -m m --input-tokens 1 --json >o.json &&
		test "$(json_get o.json "d[\"syncStatus\"]")" = pending_sync || return 1
	done &&
	for p in gemini mistral; do
		tally record -p $p -m m --input-tokens 1 --json >o.json &&
		test "$(json_get o.json "d[\"syncStatus\"]")" = unsupported_provider || return 1
	done
'

test_expect_success 'lifecycle: in_progress, then completed via --entry' '
	tally record -p openai -m gpt-4.1 --status in_progress >id &&
	tally log --status in_progress --porcelain >out &&
	test_grep "^$(cat id)	" out &&
	tally record --entry "$(cat id)" --status completed --input-tokens 900 \
		--output-tokens 80 --json >upd.json &&
	test "$(json_get upd.json "d[\"modelId\"]")" = gpt-4.1 &&
	test "$(json_get upd.json "d[\"totalBilledTokens\"]")" = 980 &&
	test "$(json_get upd.json "d[\"status\"]")" = completed &&
	test $(grep -c "\"entryId\":\"$(cat id)\"" "$L") = 2 &&
	tally log --status in_progress --porcelain >out &&
	test_must_be_empty out &&
	tally log --porcelain --grep "$(cat id)" >out &&
	test_line_count = 1 out
'

test_expect_success '--entry of an unknown entry fails' '
	cp "$L" before &&
	test_expect_code 1 tally record --entry u_nope --status completed 2>err &&
	test_grep "tally: no entry .u_nope." err &&
	test_cmp before "$L"
'

test_expect_success 'a provider and a model are required for new entries' '
	test_expect_code 2 tally record -m m --input-tokens 1 2>err &&
	test_grep "tally: --provider is required" err &&
	test_expect_code 2 tally record -p openai --input-tokens 1 2>err &&
	test_grep "tally: --model is required" err
'

test_expect_success 'bad provider ids, statuses, tags and subsets are refused' '
	cp "$L" before &&
	test_expect_code 2 tally record -p "Open AI" -m m 2>err &&
	test_grep "is not a provider id" err &&
	test_expect_code 2 tally record -p openai -m m --status done 2>err &&
	test_grep "unknown status .done." err &&
	test_expect_code 2 tally record -p openai -m m --tag novalue 2>err &&
	test_grep "tally: --tag expects <key>=<value>, not .novalue." err &&
	test_expect_code 2 tally record -p openai -m m --input-tokens 10 \
		--cache-read-tokens 8 --cache-write-tokens 8 2>err &&
	test_grep "cacheReadTokens + cacheWriteTokens (16) exceeds billedInputTokens (10)" err &&
	test_expect_code 2 tally record -p openai -m m --output-tokens 1 \
		--reasoning-tokens 2 2>err &&
	test_grep "reasoningTokens (2) exceeds billedOutputTokens (1)" err &&
	test_expect_code 2 tally record -p openai -m "$(printf "\377")" 2>err &&
	test_grep "is not valid UTF-8" err &&
	test_expect_code 2 tally record -p openai -m m --started-at soon 2>err &&
	test_grep "tally: --started-at: invalid time .soon." err &&
	test_expect_code 2 tally record -p openai -m m extra 2>err &&
	test_grep "unexpected argument .extra." err &&
	test_cmp before "$L"
'

test_expect_success 'sessions: --session, then TALLY_SESSION, then automatic' '
	tally record -p openai -m m --session flag --json >a.json &&
	test "$(json_get a.json "d[\"sessionResource\"]")" = flag &&
	TALLY_SESSION=env tally record -p openai -m m --json >b.json &&
	test "$(json_get b.json "d[\"sessionResource\"]")" = env &&
	TALLY_SESSION=env tally record -p openai -m m --session flag --json >c.json &&
	test "$(json_get c.json "d[\"sessionResource\"]")" = flag
'

test_expect_success 'the automatic session rolls over after 30 idle minutes' '
	mkdir -p auto &&
	export TALLY_HOME=$PWD/auto &&
	TALLY_NOW=2026-11-24T10:00:00Z tally record -p openai -m m --json >1.json &&
	TALLY_NOW=2026-11-24T10:29:00Z tally record -p openai -m m --session other -q &&
	TALLY_NOW=2026-11-24T10:29:59Z tally record -p openai -m m --json >2.json &&
	TALLY_NOW=2026-11-24T10:59:00Z tally record -p openai -m m --json >3.json &&
	TALLY_NOW=2026-11-24T11:31:00Z tally record -p openai -m m --json >4.json &&
	test "$(json_get 1.json "d[\"sessionResource\"]")" = auto:2026-11-24T10:00:00Z &&
	test "$(json_get 2.json "d[\"sessionResource\"]")" = auto:2026-11-24T10:00:00Z &&
	test "$(json_get 3.json "d[\"sessionResource\"]")" = auto:2026-11-24T10:00:00Z &&
	test "$(json_get 4.json "d[\"sessionResource\"]")" = auto:2026-11-24T11:31:00Z
'

test_expect_success 'enabled: false records nothing and says so' '
	cp "$L" before &&
	tally -c enabled=false record -p openai -m m --input-tokens 1 >out 2>err &&
	test_must_be_empty out &&
	test_grep "recording is disabled" err &&
	test_cmp before "$L"
'

test_expect_success '-q prints nothing' '
	tally record -p openai -m m --input-tokens 1 -q >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err
'

test_expect_success 'options that exclude each other' '
	test_expect_code 2 tally record -p openai -m m --tee 2>err &&
	test_grep "tee needs --response" err &&
	test_expect_code 2 tally record --response x --tee --json 2>err &&
	test_grep "both want stdout" err
'

test_expect_success 'fsync off still appends whole rows' '
	tally -c fsync=false record -p openai -m m --input-tokens 11 -q &&
	tail -n 1 "$L" | python3 -c "import json,sys; json.loads(sys.stdin.read())"
'

test_expect_success 'an entry past retention_days is kept in its rollup, and said so' '
	TALLY_HOME=$PWD/old tally record -p openai -m gpt-4o --input-tokens 500 \
		--started-at 2025-03-01T10:00:00Z >id 2>err &&
	test_grep "^u_" id &&
	test_grep "^tally: warning: the entry is older than retention_days (30): it went into its day.s rollup" err &&
	TALLY_HOME=$PWD/old tally log --kind rollup >rl &&
	test_grep "^2025-03-01  *openai  *gpt-4o  *500 .*rollup of 1" rl &&
	TALLY_HOME=$PWD/old tally record -q -p openai -m gpt-4o --input-tokens 5 2>err &&
	test_must_be_empty err
'

test_expect_success 'a provider id in capitals means the lower-case one' '
	TALLY_HOME=$PWD/caps tally record -q -p OpenAI -m gpt-4o --input-tokens 3 &&
	TALLY_HOME=$PWD/caps tally log --porcelain >out &&
	test_grep "	openai	gpt-4o	3	" out &&
	TALLY_HOME=$PWD/caps tally sync -n -p OpenAI >out 2>&1 &&
	test_grep "openai" out
'

test_done
