#!/bin/sh
test_description='tally migrate: legacy rows upgraded in place, nothing else touched'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
GEN="python3 $TEST_DIRECTORY/lib/gen-ledger.py"

test_expect_success 'set-up: legacy rows, current rows, unknown fields, garbage' '
	mkdir -p "$TALLY_HOME/profile" &&
	cp "$FIXTURES/legacy-rows.jsonl" "$(ledger)" &&
	tally -c auto_compact=false record -q -p openai -m gpt-4.1 --input-tokens 7 &&
	printf "%s\n" "{\"entryId\":\"u_03\",\"providerId\":\"openai\",\"modelId\":\"x\",\"startedAt\":1765000010000,\"billedInputTokens\":5,\"source\":\"manual\",\"syncStatus\":\"pending_sync\",\"status\":\"completed\",\"customThing\":{\"a\":[1,{\"b\":null}]},\"zzz\":\"\\u00e9\"}" \
		"garbage, not json" "{\"v\":1,\"entryId\":\"u_04\",\"providerId\":\"openai\"" >>"$(ledger)" &&
	test_line_count = 6 "$(ledger)" &&
	cp "$(ledger)" original
'

test_expect_success '--check: exit 1 when a migration is needed' '
	test_expect_code 1 tally migrate --check >out 2>err &&
	test_must_be_empty out &&
	test_cmp original "$(ledger)"
'

test_expect_success '-n shows each change and changes nothing' '
	tally migrate -n >out &&
	test_cmp original "$(ledger)" &&
	grep "^line " out >lines &&
	printf "line 1:\nline 2:\nline 4:\n" >expect &&
	test_cmp expect lines &&
	sed -n "2p" out >minus &&
	echo "-$(sed -n 1p original)" >expect &&
	test_cmp expect minus &&
	sed -n "3p" out | cut -c1-20 >plus &&
	echo "+{\"v\":1,\"entryId\":\"u" >expect &&
	test_cmp expect plus &&
	test_grep "^would upgrade 3 of 6 lines to schema version 1 (the first on line 1)$" out
'

test_expect_success 'migrate upgrades old rows and leaves every other line alone' '
	tally log --json >log.before 2>/dev/null &&
	tally summary --window workspace --json >sum.before 2>/dev/null &&
	tally migrate >out &&
	test_grep "^upgraded 3 of 6 lines" out &&
	test_line_count = 6 "$(ledger)" &&
	for n in 3 5 6; do
		sed -n ${n}p original >a && sed -n ${n}p "$(ledger)" >b &&
		test_cmp a b || return 1
	done &&
	for n in 1 2 4; do
		sed -n ${n}p "$(ledger)" >row &&
		test_grep "^{\"v\":1," row || return 1
	done &&
	tally log --json >log.after 2>/dev/null &&
	tally summary --window workspace --json >sum.after 2>/dev/null &&
	test_cmp log.before log.after &&
	python3 -c "
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
a.pop(\"cache\"); b.pop(\"cache\")
assert a == b, (a, b)
" sum.before sum.after
'

test_expect_success 'unknown fields survive, values and all' '
	sed -n 4p "$(ledger)" >row &&
	python3 -c "
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r[\"customThing\"] == {\"a\": [1, {\"b\": None}]}, r
assert r[\"zzz\"] == \"\\u00e9\", r
assert r[\"v\"] == 1
" row &&
	sed -n 1p "$(ledger)" >row1 &&
	test_grep "\"remainingProviderTokens\":197760" row1 &&
	test_grep "\"quotaSnapshot\":{\"providerId\":\"openai\"" row1
'

test_expect_success 'idempotent: a second run changes nothing' '
	cp "$(ledger)" once &&
	tally migrate >out &&
	test_grep "up to date (schema version 1)$" out &&
	test_cmp once "$(ledger)" &&
	tally migrate --check
'

test_expect_success 'no ledger: up to date, nothing created' '
	TALLY_HOME=$PWD/none tally migrate --check &&
	TALLY_HOME=$PWD/none tally migrate >out &&
	test_grep "up to date" out &&
	! test -e none
'

test_expect_success 'reading never needs a migration first' '
	export TALLY_HOME=$PWD/legacy &&
	$GEN "$(ledger)" --rows 200 --days 5 --legacy 1 &&
	tally summary --window workspace --json >before &&
	test_expect_code 1 tally migrate --check &&
	tally migrate >/dev/null &&
	tally summary --window workspace --json >after &&
	test "$(json_get before "d[\"requests\"]")" = 200 &&
	test "$(json_get before "[d[k] for k in (\"requests\", \"totalTokens\", \"costUsd\", \"unpricedCount\")]")" = \
		"$(json_get after "[d[k] for k in (\"requests\", \"totalTokens\", \"costUsd\", \"unpricedCount\")]")"
'

test_expect_success 'a locked ledger: exit 6, nothing changed' '
	export TALLY_HOME=$PWD/locked &&
	$GEN "$(ledger)" --rows 20 --days 5 --legacy 1 &&
	cp "$(ledger)" orig &&
	hold_lock "$TALLY_HOME/profile/usage-ledger.lock" &&
	test_expect_code 6 tally -c lock_timeout_ms=200 migrate 2>err &&
	kill $HOLD_PID &&
	test_grep "^tally: .*locked" err &&
	test_cmp orig "$(ledger)"
'

test_expect_success UNPRIV 'a read-only scope: exit 6, nothing changed' '
	export TALLY_HOME=$UNPRIV_DIR/ro &&
	$GEN "$(ledger)" --rows 20 --days 5 --legacy 1 &&
	: >"$TALLY_HOME/profile/usage-ledger.lock" &&
	cp "$(ledger)" orig &&
	chmod -R a+rwX "$TALLY_HOME" && chmod 555 "$TALLY_HOME/profile" &&
	test_expect_code 6 run_unprivileged tally migrate 2>err &&
	test_grep "^tally: cannot create" err &&
	test_cmp orig "$(ledger)" &&
	test_expect_code 1 run_unprivileged tally migrate --check
'

test_expect_success 'bad usage' '
	test_expect_code 2 tally migrate --check -n 2>err &&
	test_grep "exclude each other" err &&
	test_expect_code 2 tally migrate now 2>err &&
	test_grep "unexpected argument" err
'

test_done
