#!/bin/sh
test_description='tally compact: folding, retention, rejected lines, rollups, automatic runs'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
GEN="python3 $TEST_DIRECTORY/lib/gen-ledger.py"

# same-totals.py <before.json> <after.json>: two summaries agree on every
# total and every group, sync counts aside (entries that compaction folds
# into rollups can no longer be synced one by one).
cat >same-totals.py <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
skip = {"cache", "pendingSyncCount", "failedSyncCount", "lastSyncedAt"}
diff = {k: (a[k], b.get(k)) for k in a if k not in skip and a[k] != b.get(k)}
assert not diff, diff
assert a["requests"] > 0
print(len(a.get("groups", [])))
EOF

summary_by() {
	tally summary --window workspace --json --by "$@" 2>/dev/null
}

test_expect_success 'set-up: 90 days of entries, updates, invalid lines' '
	$GEN "$(ledger)" --rows 3000 --days 90 --updates 0.1 --invalid 3 &&
	test_line_count = 3304 "$(ledger)" &&
	cp "$(ledger)" original.jsonl
'

test_expect_success '--dry-run says what it would do and changes nothing' '
	tally -c retention_days=1 compact -n --json >dry.json &&
	test_cmp original.jsonl "$(ledger)" &&
	! test -e "$TALLY_HOME/profile/usage-ledger.rejected.jsonl" &&
	test "$(json_get dry.json "[d[k] for k in (\"dryRun\", \"rows\", \"entries\", \"supersededRows\", \"expired\", \"beyondMaxEntries\", \"rejectedLines\", \"kept\")]")" = \
		"[true, 3301, 3000, 301, 2967, 0, 3, 33]" &&
	test "$(json_get dry.json "\"bytesAfter\" in d")" = False &&
	tally -c retention_days=1 compact -n >dry.txt &&
	test_grep "^would compact 3301 rows: 301 superseded rows folded, 2967 entries past retention_days, 0 entries beyond max_entries, 3 invalid lines moved to usage-ledger.rejected.jsonl; 33 entries kept$" dry.txt
'

test_expect_success 'retention_days 1 over 90 days: month, week and day totals stay the same' '
	summary_by month >month.before &&
	summary_by week >week.before &&
	summary_by day >day.before &&
	summary_by provider --by model >pm.before &&
	tally -c retention_days=1 compact --json >c.json &&
	test "$(json_get c.json "[d[\"expired\"], d[\"kept\"], d[\"rejectedLines\"]]")" = "[2967, 33, 3]" &&
	summary_by month >month.after &&
	summary_by week >week.after &&
	summary_by day >day.after &&
	summary_by provider --by model >pm.after &&
	test "$(python3 same-totals.py month.before month.after)" = 4 &&
	test "$(python3 same-totals.py week.before week.after)" -ge 13 &&
	test "$(python3 same-totals.py day.before day.after)" -ge 90 &&
	python3 same-totals.py pm.before pm.after
'

test_expect_success 'the ledger now holds the last day and one rollup row per day, provider and model' '
	grep -c "\"kind\":\"rollup\"" "$(ledger)" >n &&
	echo 450 >expect &&
	test_cmp expect n &&
	grep -vc "\"kind\":\"rollup\"" "$(ledger)" >n &&
	echo 33 >expect &&
	test_cmp expect n &&
	python3 -c "
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)
" "$(ledger)" &&
	tally log --porcelain >log &&
	test_line_count = 33 log &&
	tally log --kind rollup --porcelain >rl &&
	test_line_count = 450 rl
'

test_expect_success 'log shows a rollup as its day, its sums and its count' '
	tally log --kind rollup --json >r.json &&
	python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))[0]
c = r[\"rollup\"]
print(r[\"providerId\"], r[\"modelId\"], c[\"input\"], c[\"output\"], c[\"requests\"])
" r.json >want &&
	read provider model input output requests <want &&
	tally log --kind rollup -n 1 >out &&
	fmt() { python3 -c "import sys; print(format(int(sys.argv[1]), \",\"))" "$1"; } &&
	test_grep "^20[0-9-]*  *$provider  *$model  *$(fmt $input)  *$(fmt $output)  .*  rollup of $requests  *-$" out &&
	tally log --kind all >all &&
	test_grep "rollup of" all &&
	tally log >usage &&
	test_grep -v "rollup of" usage
'

test_expect_success 'invalid lines moved out byte for byte' '
	grep "^{\"v\":1,\"entryId\":\"broken" original.jsonl >expect &&
	test_cmp expect "$TALLY_HOME/profile/usage-ledger.rejected.jsonl" &&
	tally log >/dev/null 2>err &&
	test_must_be_empty err
'

test_expect_success 'a second compaction changes nothing' '
	cp "$(ledger)" once.jsonl &&
	tally -c retention_days=1 compact --json >c2.json &&
	test "$(json_get c2.json "[d[\"supersededRows\"], d[\"expired\"], d[\"rejectedLines\"]]")" = "[0, 0, 0]" &&
	test_cmp once.jsonl "$(ledger)"
'

test_expect_success 'a later compaction merges into the existing day rollups' '
	summary_by month >m1 &&
	TALLY_NOW=2026-11-26T12:00:00Z tally -c retention_days=1 compact --json >c3.json &&
	test "$(json_get c3.json "d[\"expired\"]")" = 33 &&
	summary_by month >m2 &&
	python3 same-totals.py m1 m2 &&
	! grep -v "\"kind\":\"rollup\"" "$(ledger)" &&
	python3 -c "
import json, sys
keys = [(r[\"startedAt\"], r[\"providerId\"], r[\"modelId\"]) for r in map(json.loads, open(sys.argv[1]))]
assert len(keys) == len(set(keys)), \"two rollup rows for one day\"
" "$(ledger)"
'

test_expect_success 'max_entries keeps the newest entries' '
	export TALLY_HOME=$PWD/max &&
	$GEN "$(ledger)" --rows 500 --days 10 &&
	summary_by month >before &&
	tally -c max_entries=100 -c retention_days=0 compact --json >c.json &&
	test "$(json_get c.json "[d[\"beyondMaxEntries\"], d[\"kept\"]]")" = "[400, 100]" &&
	tally log --porcelain >log &&
	test_line_count = 100 log &&
	tally log --json -n 1000 >log.json &&
	test "$(json_get log.json "min(e[\"entryId\"] for e in d)")" = u_00000000000000000190 &&
	summary_by month >after &&
	python3 same-totals.py before after
'

test_expect_success 'superseded rows fold into the latest' '
	export TALLY_HOME=$PWD/fold &&
	id=$(tally record -p openai -m gpt-4.1 --status in_progress) &&
	tally record -q --entry $id --input-tokens 10 &&
	tally record -q --entry $id --status completed --output-tokens 5 &&
	tally record -q -p openai -m gpt-4.1 --input-tokens 1 &&
	test_line_count = 4 "$(ledger)" &&
	tally log --json >before.json &&
	tally compact --json >c.json &&
	test "$(json_get c.json "d[\"supersededRows\"]")" = 2 &&
	test_line_count = 2 "$(ledger)" &&
	tally log --json >after.json &&
	test_cmp before.json after.json
'

test_expect_success 'compacting an empty scope creates nothing' '
	TALLY_HOME=$PWD/none tally compact >out &&
	test_grep "^compacted 0 rows" out &&
	! test -e none
'

test_expect_success 'a locked ledger: exit 6 after lock_timeout_ms, nothing changed' '
	export TALLY_HOME=$PWD/locked &&
	$GEN "$(ledger)" --rows 50 --days 60 &&
	cp "$(ledger)" orig &&
	hold_lock "$TALLY_HOME/profile/usage-ledger.lock" &&
	test_expect_code 6 tally -c lock_timeout_ms=200 -c retention_days=1 compact 2>err &&
	kill $HOLD_PID &&
	test_grep "^tally: .*locked" err &&
	test_cmp orig "$(ledger)"
'

test_expect_success UNPRIV 'a read-only scope directory: exit 6, nothing changed' '
	export TALLY_HOME=$UNPRIV_DIR/ro &&
	$GEN "$(ledger)" --rows 50 --days 60 &&
	: >"$TALLY_HOME/profile/usage-ledger.lock" &&
	cp "$(ledger)" orig &&
	chmod -R a+rwX "$TALLY_HOME" && chmod 555 "$TALLY_HOME/profile" &&
	test_expect_code 6 run_unprivileged tally -c retention_days=1 compact 2>err &&
	test_grep "^tally: cannot create .*usage-ledger.jsonl.tmp.*Permission denied" err &&
	test_cmp orig "$(ledger)"
'

test_expect_success 'automatic compaction: past max_entries by a quarter, both set' '
	export TALLY_HOME=$PWD/auto &&
	$GEN "$(ledger)" --rows 124 --days 5 &&
	tally -c max_entries=100 -c retention_days=30 record -q -p openai -m m --input-tokens 1 &&
	test_line_count = 125 "$(ledger)" &&
	$GEN "$(ledger)" --rows 1 --days 1 --first-id 900 --append &&
	summary_by month >before &&
	tally -c max_entries=100 -c retention_days=30 record -q -p openai -m m --input-tokens 1 &&
	tally log --porcelain >log &&
	test_line_count = 100 log &&
	grep -c "\"kind\":\"rollup\"" "$(ledger)" >n &&
	test "$(cat n)" -gt 0 &&
	tally -c max_entries=100 -c retention_days=30 summary --window workspace --json --by month >after &&
	python3 -c "
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b[\"requests\"] == a[\"requests\"] + 1, (a[\"requests\"], b[\"requests\"])
assert b[\"inputTokens\"] == a[\"inputTokens\"] + 1
" before after
'

test_expect_success 'max_entries alone never folds entries younger than retention_days' '
	export TALLY_HOME=$PWD/young &&
	$GEN "$(ledger)" --rows 200 --days 5 &&
	tally -c max_entries=100 record -q -p openai -m m --input-tokens 1 &&
	tally -c max_entries=100 compact --json >c.json &&
	test "$(json_get c.json "d[\"beyondMaxEntries\"]")" = 0 &&
	tally log --porcelain >log &&
	test_line_count = 201 log &&
	! grep "\"kind\":\"rollup\"" "$(ledger)"
'

test_expect_success 'automatic compaction: entries a tenth past retention_days' '
	export TALLY_HOME=$PWD/age &&
	$GEN "$(ledger)" --rows 20 --days 32 &&
	tally record -q -p openai -m m --input-tokens 1 &&
	test_line_count = 21 "$(ledger)" &&
	$GEN "$(ledger)" --rows 20 --days 40 --first-id 100 &&
	tally record -q -p openai -m m --input-tokens 1 &&
	grep -c "\"kind\":\"rollup\"" "$(ledger)" >n &&
	test "$(cat n)" -gt 0
'

test_expect_success 'auto_compact false: never by itself' '
	export TALLY_HOME=$PWD/off &&
	$GEN "$(ledger)" --rows 200 --days 90 &&
	tally -c auto_compact=false -c max_entries=10 record -q -p openai -m m --input-tokens 1 &&
	test_line_count = 201 "$(ledger)"
'

test_expect_success 'budgets still count what was folded into rollups' '
	export TALLY_HOME=$PWD/budget &&
	$GEN "$(ledger)" --rows 300 --days 20 &&
	cat >b.yaml <<-EOF &&
	budgets:
	  - name: month
	    period: month
	    tokens: 1000000000
	EOF
	TALLY_CONFIG=$PWD/b.yaml tally budget --json >before &&
	tally -c retention_days=1 compact >/dev/null &&
	TALLY_CONFIG=$PWD/b.yaml tally budget --json >after &&
	test "$(json_get before "d[\"budgets\"][0][\"usedTokens\"]")" -gt 0 &&
	test "$(json_get before "d[\"budgets\"][0][\"usedTokens\"]")" = "$(json_get after "d[\"budgets\"][0][\"usedTokens\"]")"
'

# rollup_of <field>: that member of the one rollup row's object.
rollup_of() {
	tally log --kind rollup --json >r.json &&
	json_get r.json "d[0][\"rollup\"].get(\"$1\")"
}

test_expect_success 'old entries added one at a time count each session once' '
	export TALLY_HOME=$PWD/sessions &&
	for s in s1 s2 s2; do
		tally record -q -p openai -m gpt-4o --input-tokens 10 \
			--output-tokens 5 --started-at 2025-01-03T10:00:00Z \
			-s $s 2>/dev/null || return 1
	done &&
	test "$(rollup_of sessions)" = 2 &&
	test "$(rollup_of sessionIds)" = "[\"s1\", \"s2\"]" &&
	test "$(rollup_of bySource)" = "{\"manual\": 3}" &&
	test "$(rollup_of bySyncStatus)" = "{\"pending_sync\": 3}" &&
	tally summary --since 2025-01-01 --by session >out &&
	test_grep "^(compacted)  *3  *45  *100.0%" out
'

test_expect_success 'past 64 sessions a rollup keeps their count alone' '
	export TALLY_HOME=$PWD/many-sessions &&
	mkdir -p "$TALLY_HOME/profile" &&
	python3 -c "
import json
for i in range(70):
    print(json.dumps({\"v\": 1, \"entryId\": \"u_%020x\" % i,
        \"providerId\": \"openai\", \"modelId\": \"gpt-4o\",
        \"startedAt\": 1735898400000 + i, \"billedInputTokens\": 1,
        \"source\": \"import\", \"status\": \"completed\",
        \"sessionResource\": \"s%d\" % i, \"recordedAt\": 1735898400000}))
" >"$(ledger)" &&
	tally compact >/dev/null &&
	test "$(rollup_of sessions)" = 70 &&
	test "$(rollup_of sessionIds)" = None &&
	test "$(rollup_of byStatus)" = "{\"completed\": 70}"
'

test_expect_success 'absurd counts in a rollup row never wrap' '
	export TALLY_HOME=$PWD/absurd &&
	mkdir -p "$TALLY_HOME/profile" &&
	for id in r_a r_b; do
		printf "{\"v\":1,\"entryId\":\"%s\",\"providerId\":\"openai\",\"modelId\":\"m\",\"startedAt\":1735862400000,\"completedAt\":1735948800000,\"source\":\"rollup\",\"recordedAt\":1,\"kind\":\"rollup\",\"rollup\":{\"requests\":1,\"sessions\":9223372036854775807,\"bySource\":{\"x\":9223372036854775807}}}\n" $id || return 1
	done >"$(ledger)" &&
	tally compact >/dev/null &&
	test "$(rollup_of requests)" = 2 &&
	test "$(rollup_of sessions)" = None &&
	test "$(rollup_of bySource)" = None
'

test_expect_success 'one of a thing is one thing, not one things' '
	export TALLY_HOME=$PWD/one &&
	tally -c auto_compact=false record -q -p openai -m m \
		--input-tokens 1 --started-at 2025-01-01T00:00:00Z &&
	tally compact >out &&
	test "$(cat out)" = "compacted 1 row: 0 superseded rows folded, 1 entry past retention_days, 0 entries beyond max_entries, 0 invalid lines moved to usage-ledger.rejected.jsonl; 0 entries kept"
'

test_expect_success 'a rollup stays on its day in every zone; older rows keep their times' '
	export TALLY_HOME=$PWD/zones &&
	for at in 2026-10-05T00:30:00+02:00 2026-10-05T10:00:00+02:00 \
			2026-10-05T23:30:00+02:00; do
		TZ=Europe/Berlin tally -c auto_compact=false record -q -p openai \
			-m gpt-4.1 --input-tokens 10 --started-at $at || return 1
	done &&
	TZ=Europe/Berlin tally compact >/dev/null &&
	test "$(rollup_of day)" = 2026-10-05 &&
	for z in UTC Europe/Berlin America/Los_Angeles Pacific/Auckland; do
		TZ=$z tally summary --since 2026-09-01 --until 2026-11-01 \
			--by day --json >d.json &&
		test "$(json_get d.json "[(g[\"day\"], g[\"requests\"]) for g in d[\"groups\"]]")" = \
			"[[\"2026-10-05\", 3]]" &&
		TZ=$z tally summary --since 2026-10-05 --until 2026-10-06 --json >w.json &&
		test "$(json_get w.json "d[\"requests\"]")" = 3 || return 1
	done &&
	TZ=America/Los_Angeles tally -c auto_compact=false record -q -p openai \
		-m gpt-4.1 --input-tokens 5 --started-at 2026-10-05T12:00:00-07:00 &&
	TZ=America/Los_Angeles tally compact >/dev/null &&
	test "$(rollup_of requests)" = 4 &&
	TZ=UTC tally log --kind rollup --json >r.json &&
	test "$(json_get r.json "[(x[\"rollup\"][\"day\"], x[\"rollup\"][\"requests\"]) for x in d]")" = \
		"[[\"2026-10-05\", 4]]" &&
	export TALLY_HOME=$PWD/old-rollup &&
	mkdir -p "$TALLY_HOME/profile" &&
	printf "{\"v\":1,\"entryId\":\"r_old\",\"providerId\":\"openai\",\"modelId\":\"m\",\"startedAt\":1791151200000,\"completedAt\":1791237600000,\"source\":\"rollup\",\"recordedAt\":1,\"kind\":\"rollup\",\"rollup\":{\"requests\":1}}\n" >"$(ledger)" &&
	TZ=UTC tally summary --since 2026-09-01 --until 2026-11-01 --by day --json >o.json &&
	test "$(json_get o.json "[g[\"day\"] for g in d[\"groups\"]]")" = "[\"2026-10-04\"]"
'

test_expect_success 'bad usage' '
	test_expect_code 2 tally compact extra 2>err &&
	test_grep "unexpected argument" err &&
	test_expect_code 2 tally compact --bogus 2>err &&
	test_grep "unknown option" err &&
	test_expect_code 3 tally -c retention_days=-4 compact 2>err &&
	test_grep "retention_days" err
'

test_done
