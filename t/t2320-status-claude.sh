#!/bin/sh
test_description='tally status --claude-code: the statusline of Claude Code'
. ./test-lib.sh

TALLY_NOW=2026-11-20T10:30:00Z
export TALLY_NOW
CC=$FIXTURES/claude-code
S1=11111111-1111-4111-8111-111111111111

# The fixture with the transcript copied here, so that it can grow.
mkdir -p proj &&
cp "$CC/projects/-home-dev-shop/$S1.jsonl" proj/s1.jsonl &&
sed "s|@TRANSCRIPT@|$PWD/proj/s1.jsonl|" "$CC/statusline.json" >in.json

rows () {
	tally log --kind "$1" --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))"
}

test_expect_success 'the first call imports the session and prints its line' '
	tally status --claude-code <in.json >out 2>err &&
	echo "Sonnet 4 · session ~\$0.0079 7.8k tok · today ~\$0.0079 · block 4h30m left ~\$0.2299/h · 5h 23.5% 7d 41.2%" >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	test "$(rows usage)" = 3
'

test_expect_success 'the plan windows are kept as quota snapshots' '
	test "$(rows quota)" = 2 &&
	tally quota >out &&
	test_grep "anthropic plan 5h  23.5% used  2026-11-20 13:00:00" out &&
	test_grep "anthropic plan 7d  41.2% used" out &&
	tally quota --json >q.json &&
	test "$(json_get q.json "[q[\"usedPercent\"] for q in d if q.get(\"window\") == \"five_hour\"][0]")" = 23.5 &&
	test "$(json_get q.json "[q[\"resetDate\"] for q in d if q.get(\"window\") == \"seven_day\"][0]")" = 1795600000000
'

test_expect_success 'a call within the minute adds nothing' '
	TALLY_NOW=2026-11-20T10:30:40Z tally status --claude-code <in.json >out &&
	test "$(rows quota)" = 2 &&
	test "$(rows usage)" = 3
'

test_expect_success 'the same figures later are kept only after 15 minutes' '
	TALLY_NOW=2026-11-20T10:33:00Z tally status --claude-code <in.json >out &&
	test "$(rows quota)" = 2 &&
	TALLY_NOW=2026-11-20T10:46:00Z tally status --claude-code <in.json >out &&
	test "$(rows quota)" = 4
'

test_expect_success 'a window that moved is kept after a minute, alone' '
	sed "s/23.5/31/" in.json >moved.json &&
	TALLY_NOW=2026-11-20T10:47:30Z tally status --claude-code <moved.json >out &&
	test "$(rows quota)" = 5 &&
	test_grep "5h 31.0% 7d 41.2%" out &&
	tally quota >out &&
	test_grep "anthropic plan 5h  31.0% used" out
'

test_expect_success 'status shows fresh plan figures, not stale ones' '
	TALLY_NOW=2026-11-20T10:50:00Z tally status >out &&
	test_grep "5h 31.0% 7d 41.2%\$" out &&
	TALLY_NOW=2026-11-20T10:50:00Z tally status --all-workspaces >out &&
	test_grep "5h 31.0% 7d 41.2%\$" out &&
	TALLY_NOW=2026-11-20T10:50:00Z tally top --scope all --once >out &&
	test_grep "^plan      5h 31.0%" out &&
	test_grep "^  anthropic plan 5h  31.0% used" out &&
	TALLY_NOW=2026-11-20T10:58:00Z tally status >out &&
	! test_grep "5h" out
'

test_expect_success '--json: the block, the plan and the model' '
	tally status --claude-code --json <in.json >s.json &&
	test "$(json_get s.json "d[\"block\"][\"tokens\"]")" = 7805 &&
	test "$(json_get s.json "d[\"block\"][\"startAt\"]")" = 1795168800000 &&
	test "$(json_get s.json "d[\"block\"][\"msLeft\"]")" = 16200000 &&
	test "$(json_get s.json "d[\"plan\"][\"fiveHour\"][\"usedPercent\"]")" = 23.5 &&
	test "$(json_get s.json "d[\"model\"]")" = "Sonnet 4" &&
	test "$(json_get s.json "d[\"session\"]")" = "claude-code:$S1" &&
	test "$(json_get s.json "d[\"sessionTokens\"]")" = 7805
'

test_expect_success 'a grown transcript: only the new lines are read' '
	printf "%s\n" "{\"parentUuid\":\"a5\",\"isSidechain\":false,\"sessionId\":\"$S1\",\"version\":\"2.1.80\",\"type\":\"assistant\",\"message\":{\"id\":\"msg_N\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-20250514\",\"content\":[],\"usage\":{\"input_tokens\":100,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":95}},\"requestId\":\"req_N\",\"uuid\":\"a9\",\"timestamp\":\"2026-11-20T10:29:00.000Z\"}" >>proj/s1.jsonl &&
	tally status --claude-code --template "{session_tokens} {block_tokens} {block_left}" <in.json >out &&
	echo "8.0k 8.0k 4h30m" >expect &&
	test_cmp expect out &&
	test "$(rows usage)" = 4 &&
	tally import claude-code --json "$PWD/proj" >imp.json &&
	test "$(json_get imp.json "d[\"filesUnchanged\"]")" = 1
'

test_expect_success 'template fields: block, burn rate, plan, model' '
	tally status --claude-code --template "{model}|{block_cost}|{burn_rate}|{plan_5h}|{plan_7d}" <in.json >out &&
	echo "Sonnet 4|~\$0.0096|~\$0.0200/h|23.5%|41.2%" >expect &&
	test_cmp expect out
'

test_expect_success 'after the block: no block, nothing projected' '
	TALLY_NOW=2026-11-20T15:10:00Z tally status --claude-code --json <in.json >s.json &&
	test "$(json_get s.json "d[\"block\"]")" = None &&
	TALLY_NOW=2026-11-20T15:10:00Z tally status --claude-code <in.json >out &&
	! test_grep "block" out
'

test_expect_success 'a reset time already past hides that window' '
	TALLY_NOW=2026-11-20T13:30:00Z tally status --claude-code <in.json >out &&
	test_grep "7d 41.2%\$" out &&
	! test_grep "5h" out
'

test_expect_success 'input that is not a JSON object: exit 1, nothing kept' '
	ledger=$(find "$TALLY_HOME" -name usage-ledger.jsonl) &&
	cp "$ledger" before.jsonl &&
	echo "not json" | test_expect_code 1 tally status --claude-code >out 2>err &&
	test_grep "^tally: --claude-code: stdin is not the JSON Claude Code sends: " err &&
	test_must_be_empty out &&
	echo "[1,2]" | test_expect_code 1 tally status --claude-code 2>err &&
	test_grep "not a JSON object" err &&
	test_expect_code 1 tally status --claude-code </dev/null 2>err &&
	test_grep "^tally: " err &&
	cmp before.jsonl "$ledger"
'

test_expect_success 'more than 1 MiB on stdin is refused' '
	python3 -c "print(\"{\\\"x\\\":\\\"\" + \"a\" * 1100000 + \"\\\"}\")" >big.json &&
	test_expect_code 1 tally status --claude-code <big.json 2>err &&
	test_grep "more than 1048576 bytes" err
'

test_expect_success 'wrong types are left out with a warning, the rest shown' '
	cat >odd.json <<-\EOF &&
	{"session_id": 12, "transcript_path": "relative/x.jsonl",
	 "model": {"display_name": "Bad\u001b[31mName", "id": "claude-x"},
	 "rate_limits": {"five_hour": {"used_percentage": "lots", "resets_at": 1795179600},
	                 "seven_day": {"used_percentage": 5, "resets_at": 99}}}
	EOF
	n=$(rows quota) &&
	TALLY_NOW=2026-11-20T11:30:00Z tally status --claude-code <odd.json >out 2>err &&
	test_grep "rate_limits.five_hour is not a share used" err &&
	test_grep "rate_limits.seven_day is not a share used" err &&
	test_grep "^claude-x · session 0 tok · today" out &&
	test "$(rows quota)" = "$n"
'

test_expect_success 'a transcript not written yet is no error' '
	sed "s|$PWD/proj/s1.jsonl|$PWD/proj/none.jsonl|" in.json >new.json &&
	tally status --claude-code <new.json >out 2>err &&
	test_must_be_empty err &&
	test_grep "^Sonnet 4 · session" out
'

test_expect_success '--claude-code and --all-workspaces: a usage error' '
	test_expect_code 2 tally status --claude-code --all-workspaces <in.json 2>err &&
	test_grep "not with --all-workspaces" err
'

test_expect_success 'disabled: nothing imported, nothing printed' '
	n=$(rows usage) &&
	printf "%s\n" "{\"parentUuid\":\"a9\",\"sessionId\":\"$S1\",\"type\":\"assistant\",\"message\":{\"id\":\"msg_O\",\"model\":\"claude-sonnet-4-20250514\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}},\"requestId\":\"req_O\",\"uuid\":\"b1\",\"timestamp\":\"2026-11-20T10:29:30.000Z\"}" >>proj/s1.jsonl &&
	tally -c enabled=false status --claude-code <in.json >out &&
	test_must_be_empty out &&
	test "$(rows usage)" = "$n"
'

# Another import of Claude Code holds the lock: the statusline does not wait.
lock=$(find "$TALLY_HOME" -name claude-code.lock | head -n 1)
python3 -c "
import fcntl, sys, time
f = open(sys.argv[1], \"a\")
fcntl.flock(f, fcntl.LOCK_EX)
open(\"locked\", \"w\").close()
time.sleep(30)
" "$lock" &
holder=$!
while ! test -e locked; do sleep 0.1; done

test_expect_success 'an import under way is not waited for' '
	tally -c lock_timeout_ms=20000 status --claude-code <in.json >out &&
	test_grep "^Sonnet 4" out &&
	test "$(rows usage)" = 4
'
kill $holder 2>/dev/null
wait $holder 2>/dev/null

test_expect_success 'once free, the waiting line is imported' '
	tally status --claude-code <in.json >out &&
	test "$(rows usage)" = 5
'

test_expect_success 'the plan windows in the Prometheus export' '
	TALLY_NOW=2026-11-20T15:20:00Z tally export --format prometheus >prom &&
	test_grep "^tally_plan_window_used_percent{gen_ai_provider_name=\"anthropic\",window=\"five_hour\"} 23.5\$" prom &&
	test_grep "^tally_provider_quota_age_seconds{gen_ai_provider_name=\"anthropic\",window=\"seven_day\"} 600\$" prom
'

# Fifty hours of use without a five-hour pause, every row at ten past.
cat >busy.py <<'PY'
import sys
path, end = sys.argv[1], int(sys.argv[2])
with open(path, "a") as f:
    for h in range(50, -1, -1):
        t = end - h * 3600000 + 600000
        f.write('{"v":1,"entryId":"u_busy%02d","providerId":"openai",'
                '"modelId":"m","startedAt":%d,"billedInputTokens":%d,'
                '"billedOutputTokens":0,"totalBilledTokens":%d}\n'
                % (h, t, 100 + h, 100 + h))
PY

test_expect_success 'two days without a pause: the chain is anchored in the cache' '
	mkdir -p busy/profile &&
	python3 busy.py busy/profile/usage-ledger.jsonl 1795168800000 &&
	TALLY_HOME=$PWD/busy tally status --json >s.json &&
	TALLY_HOME=$PWD/busy tally summary --window block --json >b.json &&
	test "$(json_get b.json "d[\"block\"][\"startTime\"]")" = 2026-11-20T10:00:00Z &&
	test "$(json_get b.json "d[\"totalTokens\"]")" = 100 &&
	test "$(json_get s.json "d[\"block\"][\"startAt\"]")" = 1795168800000 &&
	test "$(json_get s.json "d[\"block\"][\"tokens\"]")" = 100 &&
	: the earliest block start of the hours kept, 2026-11-18T13:00Z &&
	test "$(json_get busy/profile/usage-summary.json "d[\"hoursAnchor\"][0]")" = 1795006800000
'

test_expect_success 'a late row before the anchor: the ledger answers, the same' '
	echo "{\"v\":1,\"entryId\":\"u_late\",\"providerId\":\"openai\",\"modelId\":\"m\",\"startedAt\":1795005000000,\"billedInputTokens\":7,\"billedOutputTokens\":0,\"totalBilledTokens\":7}" >>busy/profile/usage-ledger.jsonl &&
	TALLY_HOME=$PWD/busy tally status --json >s.json &&
	test "$(json_get busy/profile/usage-summary.json "d[\"hoursAnchor\"][0]")" = 0 &&
	test "$(json_get s.json "d[\"block\"][\"startAt\"]")" = 1795168800000 &&
	test "$(json_get s.json "d[\"block\"][\"tokens\"]")" = 100
'

test_done
