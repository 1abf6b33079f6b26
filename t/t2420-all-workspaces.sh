#!/bin/sh
test_description='--all-workspaces on every command that reads usage'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

# rec <dir> <time> <input tokens> <cost>
rec() {
	(cd "$1" && tally record -q -p openai -m gpt-4o --started-at "$2" \
		--input-tokens "$3" --cost "$4")
}

test_expect_success 'setup: usage in two workspaces and the profile' '
	mkdir -p a/.git b/.git &&
	rec a 2026-11-24T09:00:00Z 100 1 &&
	rec b 2026-11-24T10:00:00Z 20 2 &&
	rec . 2026-11-24T11:00:00Z 3 4 &&
	rec a 2026-11-24T11:30:00Z 4000 0.5
'

test_expect_success 'log: every scope, newest first, as one list' '
	(cd a && tally log --all-workspaces --porcelain >../out) &&
	printf "2026-11-24T11:30:00Z\t4000\n" >expect &&
	printf "2026-11-24T11:00:00Z\t3\n" >>expect &&
	printf "2026-11-24T10:00:00Z\t20\n" >>expect &&
	printf "2026-11-24T09:00:00Z\t100\n" >>expect &&
	cut -f2,5 out >got &&
	test_cmp expect got
'

test_expect_success 'log: each entry says whose it is' '
	(cd a && tally log --all-workspaces >../out) &&
	test_grep "^TIME .* SYNC  *WORKSPACE$" out &&
	test_grep "4,000 .*$PWD/a$" out &&
	test_grep " 20 .*$PWD/b$" out &&
	test_grep " 3 .*(profile)$" out &&
	tally log --all-workspaces --json >l.json &&
	test "$(json_get l.json "[e.get(\"workspace\") for e in d]")" = \
		"[\"$PWD/a\", null, \"$PWD/b\", \"$PWD/a\"]" &&
	tally log >out &&
	test_grep -v WORKSPACE out &&
	tally log --json >l.json &&
	test "$(json_get l.json "[\"workspace\" in e for e in d]")" = "[false]" &&
	tally log --all-workspaces --ndjson -n 1 >l.ndjson &&
	test "$(json_get l.ndjson "d[\"workspace\"]")" = "$PWD/a"
'

test_expect_success 'log: without it, only the scope of the directory' '
	(cd a && tally log --porcelain >../out) &&
	test_line_count = 2 out
'

test_expect_success 'log: limits, filters and the cursor work across scopes' '
	tally log --all-workspaces -n 2 --porcelain >page1 &&
	test_line_count = 2 page1 &&
	last=$(tail -1 page1 | cut -f1) &&
	tally log --all-workspaces --cursor "$last" --porcelain >page2 &&
	test_line_count = 2 page2 &&
	cat page1 page2 | cut -f1 | sort -u >ids &&
	test_line_count = 4 ids &&
	tally log --all-workspaces --since 2026-11-24T10:00:00Z --json >l.json &&
	test "$(json_get l.json "len(d)")" = 3
'

test_expect_success 'log: --follow takes one ledger' '
	test_expect_code 2 tally log -f --all-workspaces 2>err &&
	test_grep "follows the ledger of one scope" err
'

test_expect_success 'status: the whole account' '
	(cd b && tally status --json >../one.json) &&
	test "$(json_get one.json "d[\"todayTokens\"]")" = 20 &&
	(cd b && tally status --all-workspaces --json >../all.json) &&
	test "$(json_get all.json "d[\"todayTokens\"]")" = 4123 &&
	test "$(json_get all.json "d[\"pendingSyncCount\"]")" = 4 &&
	(cd b && tally status --all-workspaces --format "{today_cost}" >../out) &&
	echo "\$7.50" >expect &&
	test_cmp expect out
'

test_expect_success 'status: --all-workspaces shows even where nothing was recorded' '
	mkdir -p c/.git &&
	(cd c && tally status >../out) &&
	test_must_be_empty out &&
	(cd c && tally status --all-workspaces --format "{today_tokens}" >../out) &&
	echo "4.1k" >expect &&
	test_cmp expect out
'

test_expect_success 'export: entry formats over every scope, in time order' '
	(cd b && tally export --format ndjson --all-workspaces >../all.ndjson) &&
	test_line_count = 4 all.ndjson &&
	python3 -c "
import json
rows = [json.loads(l) for l in open(\"all.ndjson\")]
print(\" \".join(str(r[\"billedInputTokens\"]) for r in rows))" >got &&
	echo "100 20 3 4000" >expect &&
	test_cmp expect got &&
	(cd b && tally export --format csv >../one.csv) &&
	test_line_count = 2 one.csv
'

test_expect_success 'export: one HTML report over every scope' '
	(cd a && tally export --format html --all-workspaces -o ../r.html) &&
	test_grep "every workspace and the profile" r.html &&
	test_grep "4,123" r.html
'

test_expect_success 'export: Prometheus counters stay per scope' '
	test_expect_code 2 tally export --format prometheus --all-workspaces 2>err &&
	test_grep "Prometheus counters cover one scope" err
'

A="$TALLY_HOME/usage-summary-all.json"

test_expect_success 'the sum of every scope is kept, and follows new rows' '
	test -f "$A" &&
	test "$(json_get "$A" "len(d[\"scopes\"])")" = 3 &&
	rec b 2026-11-24T11:45:00Z 7 0.25 &&
	(cd a && tally status --all-workspaces --format "{today_tokens}" >../out) &&
	echo "4.1k" >expect &&
	test_cmp expect out &&
	(cd a && tally status --all-workspaces --json >../all.json) &&
	test "$(json_get all.json "d[\"todayTokens\"]")" = 4130
'

test_expect_success 'a damaged or foreign sum is made again' '
	echo "{\"version\": 1, \"scopes\": [" >"$A" &&
	tally status --all-workspaces --json >all.json &&
	test "$(json_get all.json "d[\"todayTokens\"]")" = 4130 &&
	test "$(json_get "$A" "d[\"version\"]")" = 1 &&
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
d[\"scopes\"][0][\"offset\"] += 1
json.dump(d, open(sys.argv[1], \"w\"))" "$A" &&
	tally status --all-workspaces --json >all.json &&
	test "$(json_get all.json "d[\"todayTokens\"]")" = 4130
'

test_expect_success 'a sum made in another time zone is not reused' '
	tally -c timezone=Pacific/Kiritimati status --all-workspaces >/dev/null &&
	json_get "$A" "d[\"summary\"][\"timezone\"]" >zone &&
	test_grep Pacific/Kiritimati zone &&
	tally status --all-workspaces --json >all.json &&
	json_get "$A" "d[\"summary\"][\"timezone\"]" >zone &&
	test_grep -v Kiritimati zone &&
	test "$(json_get all.json "d[\"todayTokens\"]")" = 4130
'

test_expect_success 'nothing is written where nothing was recorded' '
	TALLY_HOME=$PWD/none tally status --all-workspaces >out &&
	TALLY_HOME=$PWD/none tally summary --all-workspaces >/dev/null &&
	! test -e none
'

test_expect_success 'summary agrees with log and status' '
	(cd b && tally summary --all-workspaces --json --window day >../s.json) &&
	test "$(json_get s.json "d[\"totalTokens\"]")" = 4130 &&
	test "$(json_get s.json "d[\"costUsd\"]")" = 7.75
'

test_done
