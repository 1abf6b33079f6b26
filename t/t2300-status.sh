#!/bin/sh
test_description='tally status: one line for prompts'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

test_expect_success 'no ledger: nothing at all' '
	TALLY_HOME=$PWD/none tally status >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	! test -e none
'

test_expect_success 'setup' '
	TALLY_SESSION=s1 tally record -q -p openai -m m --started-at 2026-11-24T11:58:00Z \
		--input-tokens 40000 --output-tokens 10000 --cost 0.25 &&
	TALLY_SESSION=s1 tally record -q -p anthropic -m c --started-at 2026-11-24T11:59:00Z \
		--input-tokens 10000 --output-tokens 2000 --estimated-cost 0.07 &&
	TALLY_SESSION=s0 tally record -q -p openai -m m --started-at 2026-11-24T08:00:00Z \
		--input-tokens 100 --output-tokens 0 --cost 0.01
'

test_expect_success 'the default line' '
	TALLY_SESSION=s1 tally status >out &&
	echo "12.4k tok/min · session 62.0k tok · today ~\$0.3300" >expect &&
	test_cmp expect out
'

test_expect_success 'an idle minute drops the rate; the latest session is current' '
	TALLY_NOW=2026-11-24T13:00:00Z tally status >out &&
	echo "session 100 tok · today ~\$0.3300" >expect &&
	test_cmp expect out
'

test_expect_success 'budgets and unpriced usage show up' '
	tally record -q -p gemini -m g --started-at 2026-11-24T11:00:00Z --input-tokens 5 &&
	TALLY_SESSION=s1 tally -c monthly_cost_budget_usd=1 status >out &&
	echo "12.4k tok/min · session 62.0k tok · today ~\$0.3300 +1 unpriced · budget 33%" >expect &&
	test_cmp expect out
'

test_expect_success '--template fills in named fields' '
	TALLY_SESSION=s1 tally -c monthly_token_budget=100000 status \
		--template "{session}: {session_tokens}/{today_tokens} {today_cost} [{budget_name} {budget_state} {budget_percent}%] {{x}} {pending}" >out &&
	echo "s1: 62.0k/62.1k ~\$0.3300 +1 unpriced [monthly under 62%] {x} 3" >expect &&
	test_cmp expect out
'

# Rows without a session after the one that has it: n of them, one of
# which carries a tag of long_bytes, so that it straddles the reads.
cat >pad.py <<'PY'
import sys
path, n, long_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "a") as f:
    for i in range(n):
        tag = ',"tags":{"note":"%s"}' % ("x" * long_bytes) if i == n // 2 else ""
        f.write('{"v":1,"entryId":"u_pad%06d","providerId":"openai",'
                '"modelId":"m","startedAt":1795521000000,"billedInputTokens":1,'
                '"billedOutputTokens":0,"totalBilledTokens":1%s}\n' % (i, tag))
PY

test_expect_success 'the latest session is found far back, past long rows' '
	(
		TALLY_HOME=$PWD/far &&
		export TALLY_HOME &&
		TALLY_SESSION=far tally record -q -p openai -m m --input-tokens 1 &&
		python3 pad.py "$TALLY_HOME/profile/usage-ledger.jsonl" 900 40000 &&
		tally status --template "[{session}]" >out &&
		echo "[far]" >expect &&
		test_cmp expect out &&
		python3 pad.py "$TALLY_HOME/profile/usage-ledger.jsonl" 1 300000 &&
		tally status --template "[{session}]" >out &&
		echo "[]" >expect &&
		test_cmp expect out
	)
'

test_expect_success '--json' '
	TALLY_SESSION=s1 tally status --json >s.json &&
	test "$(json_get s.json "d[\"sessionTokens\"]")" = 62000 &&
	test "$(json_get s.json "d[\"todayCostUsd\"]")" = 0.33 &&
	test "$(json_get s.json "d[\"todayUnpricedCount\"]")" = 1 &&
	test "$(json_get s.json "d[\"tokensPerMinute\"]")" = 12400 &&
	test "$(json_get s.json "d[\"budgetState\"]")" = off
'

test_expect_success 'status is served from the cache' '
	tally status >/dev/null &&
	tally summary --json >t.json &&
	test "$(json_get t.json "d[\"cache\"][\"ledgerBytesRead\"]")" = 0
'

test_expect_success 'disabled: nothing' '
	tally -c enabled=false status >out &&
	test_must_be_empty out
'

test_expect_success 'usage errors' '
	test_expect_code 2 tally status --template "{nope}" 2>err &&
	test_grep "unknown field .nope." err &&
	test_expect_code 2 tally status --template "{today_cost" 2>err &&
	test_expect_code 2 tally status --template x --json 2>err
'

test_expect_success 'the old --format still works, with a notice' '
	tally status --template "[{pending}]" >want &&
	tally status --format "[{pending}]" >got 2>err &&
	test_cmp want got &&
	test_grep "^tally: warning: status --format is now --template" err &&
	tally status -h >h &&
	test_grep -v -- "--format" h
'

# One session, then 70 others later: its detail leaves the cache.
cat >sessions.py <<'PY'
import sys
path, start, first, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
with open(path, "a") as f:
    for i in range(n):
        name = first if i == 0 else "other%02d" % i
        f.write('{"v":1,"entryId":"u_%s_%d","providerId":"openai",'
                '"modelId":"m","sessionResource":"%s","startedAt":%d,'
                '"billedInputTokens":100,"billedOutputTokens":0,'
                '"totalBilledTokens":100}\n' % (name, start, name,
                                                 start + i * 60000))
PY

test_expect_success 'a session resumed after its detail left the cache: all of it' '
	mkdir -p many/profile &&
	python3 sessions.py many/profile/usage-ledger.jsonl 1795500000000 old 70 &&
	TALLY_HOME=$PWD/many TALLY_SESSION=old tally status --json >s.json &&
	test "$(json_get s.json "d[\"sessionTokens\"]")" = 100 &&
	python3 sessions.py many/profile/usage-ledger.jsonl 1795510000000 old 1 &&
	TALLY_HOME=$PWD/many TALLY_SESSION=old tally status --json >s.json &&
	test "$(json_get s.json "d[\"sessionTokens\"]")" = 200 &&
	TALLY_HOME=$PWD/many TALLY_SESSION=never tally status --json >s.json &&
	test "$(json_get s.json "d[\"sessionTokens\"]")" = 0
'

test_expect_success 'its whole sums stay in the cache: kept, moved by a new version, merged' '
	test "$(json_get many/profile/usage-summary.json "[t[0:2] for t in d[\"sessionTotals\"] if t[0] == \"old\"]")" = \
		"[[\"old\", 1795500000000]]" &&
	printf "{\"v\":1,\"entryId\":\"u_old_1795500000000\",\"providerId\":\"openai\",\"modelId\":\"m\",\"sessionResource\":\"old\",\"startedAt\":1795500000000,\"billedInputTokens\":300,\"billedOutputTokens\":0}\n" \
		>>many/profile/usage-ledger.jsonl &&
	TALLY_HOME=$PWD/many TALLY_SESSION=old tally status --json >s.json &&
	test "$(json_get s.json "d[\"sessionTokens\"]")" = 400 &&
	TALLY_HOME=$PWD/many TALLY_SESSION=old tally status --all-workspaces --json >s.json &&
	test "$(json_get s.json "d[\"sessionTokens\"]")" = 400
'

test_expect_success 'past the totals kept, the oldest sessions are read from the ledger' '
	mkdir -p lots/profile &&
	python3 sessions.py lots/profile/usage-ledger.jsonl 1795400000000 first 400 &&
	TALLY_HOME=$PWD/lots TALLY_SESSION=first tally status --json >s.json &&
	test "$(json_get s.json "d[\"sessionTokens\"]")" = 100 &&
	test "$(json_get lots/profile/usage-summary.json "len(d[\"sessionTotals\"])")" = 256 &&
	test "$(json_get lots/profile/usage-summary.json "[t[0] for t in d[\"sessionTotals\"] if t[0] == \"first\"]")" = "[]" &&
	python3 sessions.py lots/profile/usage-ledger.jsonl 1795510000000 first 1 &&
	TALLY_HOME=$PWD/lots TALLY_SESSION=first tally status --json >s.json &&
	test "$(json_get s.json "d[\"sessionTokens\"]")" = 200 &&
	TALLY_HOME=$PWD/lots TALLY_SESSION=other300 tally status --json >s.json &&
	test "$(json_get s.json "d[\"sessionTokens\"]")" = 100
'

test_expect_success 'every workspace, no pause in two days: the block when a field shows it' '
	export TALLY_HOME=$PWD/busy TALLY_NOW=2026-11-24T10:30:00Z &&
	mkdir -p w1/.git w2/.git &&
	i=0 &&
	while test $i -lt 30; do
		w=w$((i % 2 + 1)) &&
		at=$(python3 -c "import datetime as d, sys; print((d.datetime(2026, 11, 22, tzinfo=d.timezone.utc) + d.timedelta(hours=2 * int(sys.argv[1]))).strftime(\"%Y-%m-%dT%H:%M:%SZ\"))" $i) &&
		(cd $w && tally -c auto_compact=false record -q -p anthropic \
			-m claude-sonnet-4-5 --input-tokens 10 --started-at $at) &&
		i=$((i + 1)) || return 1
	done &&
	(cd w1 && tally status --all-workspaces --template "[{block_left}] [{block_tokens}]" >../got) &&
	echo "[30m] [30]" >expect &&
	test_cmp expect got &&
	(cd w1 && tally status --all-workspaces --json >../s.json) &&
	test "$(json_get s.json "d[\"block\"][\"startAt\"]")" = 1795500000000 &&
	(cd w1 && tally status --all-workspaces >../line) &&
	test_grep -v block line
'

test_done
