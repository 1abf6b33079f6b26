#!/bin/sh
test_description='the summary cache: incremental, superseded rows, rewrites'
. ./test-lib.sh

L=$TALLY_HOME/profile/usage-ledger.jsonl
L2=$TRASH_DIRECTORY/same-inode/profile/usage-ledger.jsonl
C=$TALLY_HOME/profile/usage-summary.json

total() {
	tally summary --window workspace --json "$@" >t.json &&
	json_get t.json "d[\"totalTokens\"]"
}

cache() {
	json_get t.json "d[\"cache\"][\"$1\"]"
}

test_expect_success 'setup' '
	for i in 1 2 3 4 5 6 7 8 9 10; do
		tally record -p openai -m m --input-tokens $i -q || return 1
	done &&
	test "$(total)" = 55 &&
	test "$(cache rebuilt)" = True
'

test_expect_success 'the cache file carries the seed fields' '
	json_get "$C" "sorted(d)" >keys &&
	for k in updatedAt totals budgetState syncState; do
		test_grep "\"$k\"" keys || return 1
	done &&
	test "$(json_get "$C" "d[\"totals\"][\"workspace\"][\"totalTokens\"]")" = 55 &&
	test "$(json_get "$C" "d[\"totals\"][\"today\"][\"requests\"]")" = 10 &&
	tally summary --json --window workspace >all.json &&
	json_get all.json "{k: d[k] for k in [\"totalTokens\", \"costUsd\", \"unpricedCount\"]}" >expect &&
	json_get "$C" "{k: d[\"totals\"][\"workspace\"][k] for k in [\"totalTokens\", \"costUsd\", \"unpricedCount\"]}" >actual &&
	test_cmp expect actual &&
	test "$(json_get "$C" "d[\"totals\"][\"workspace\"][\"unpricedRequests\"]")" = 10 &&
	test "$(json_get "$C" "d[\"syncState\"][\"pending\"]")" = 10 &&
	test "$(json_get "$C" "d[\"budgetState\"][\"tokens\"][\"state\"]")" = off &&
	tally -c monthly_token_budget=60 summary >/dev/null &&
	test "$(json_get "$C" "d[\"budgetState\"][\"tokens\"]")" = \
		"{\"configured\": 60, \"remaining\": 5, \"state\": \"warning\"}"
'

test_expect_success 'a second summary reads nothing of the ledger' '
	test "$(total)" = 55 &&
	test "$(cache ledgerBytesRead)" = 0 &&
	test "$(cache rebuilt)" = False
'

test_expect_success 'after one append, only the new row is read' '
	tally record -p openai -m m --input-tokens 100 -q &&
	size=$(tail -n 1 "$L" | wc -c) &&
	test "$(total)" = 155 &&
	test "$(cache ledgerBytesRead)" = "$size" &&
	test "$(cache rebuilt)" = False
'

test_expect_success 'a row that supersedes another moves its contribution' '
	id=$(tally record -p openai -m m --status in_progress) &&
	test "$(total)" = 155 &&
	test "$(json_get t.json "d[\"inProgressCount\"]")" = 1 &&
	tally record --entry "$id" --status completed --input-tokens 1000 -q &&
	test "$(total)" = 1155 &&
	test "$(json_get t.json "d[\"inProgressCount\"]")" = 0 &&
	test "$(json_get t.json "d[\"requests\"]")" = 12 &&
	test "$(cache rebuilt)" = False
'

test_expect_success 'recording the same response twice counts it once' '
	tally record -p openai -m m --provider-request-id r1 --input-tokens 7 -q &&
	tally record -p openai -m m --provider-request-id r1 --input-tokens 7 -q &&
	test "$(total)" = 1162 &&
	test "$(json_get t.json "d[\"requests\"]")" = 13
'

test_expect_success 'a superseded row and its successor in the same tail' '
	id=$(tally record -p openai -m m --input-tokens 1) &&
	tally record --entry "$id" --input-tokens 2 -q &&
	tally record --entry "$id" --input-tokens 3 -q &&
	test "$(total)" = 1165 &&
	test "$(cache rebuilt)" = False
'

test_expect_success 'a ledger rewritten under the cache is folded again' '
	cp "$L" copy &&
	mv copy "$L" &&
	test "$(total)" = 1165 &&
	test "$(cache rebuilt)" = True
'

test_expect_success 'a shorter ledger is folded again' '
	head -n 5 "$L" >short &&
	cat short >"$L" &&
	test "$(total)" = 15 &&
	test "$(cache rebuilt)" = True
'

test_expect_success 'a damaged or missing cache is rebuilt' '
	echo "{garbage" >"$C" &&
	test "$(total)" = 15 &&
	test "$(cache rebuilt)" = True &&
	rm "$C" &&
	test "$(total)" = 15 &&
	rm "$TALLY_HOME/profile/usage-summary.idx" &&
	test "$(total)" = 15 &&
	test "$(cache rebuilt)" = True
'

test_expect_success 'a refresh that died before writing the cache is detected' '
	cp "$C" old-cache &&
	tally record -p openai -m m --input-tokens 1000 -q &&
	test "$(total)" = 1015 &&
	cp old-cache "$C" &&
	test "$(total)" = 1015 &&
	test "$(cache rebuilt)" = True
'

test_expect_success 'a change of time zone rebuilds the day rollups' '
	tally -c timezone=Asia/Tokyo summary --json --window workspace >t.json &&
	test "$(cache rebuilt)" = True &&
	tally -c timezone=Asia/Tokyo summary --json --window workspace >t.json &&
	test "$(cache rebuilt)" = False
'

test_expect_success 'invalid lines are left out, reported once' '
	echo "not json" >>"$L" &&
	tally summary --window workspace --json >t.json 2>err &&
	test "$(json_get t.json "d[\"totalTokens\"]")" = 1015 &&
	test_grep "invalid ledger line" err &&
	tally summary --window workspace --json >t.json 2>err &&
	test_must_be_empty err
'

test_expect_success 'concurrent summaries and records never corrupt the cache' '
	for w in 1 2 3 4; do
		(
			for i in 1 2 3 4 5 6 7 8 9 10; do
				tally -c fsync=false record -p openai -m m --input-tokens 1 -q &&
				tally summary --json >/dev/null || exit 1
			done
		) &
	done &&
	wait &&
	test "$(total)" = 1055 &&
	python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$C" &&
	test "$(total --rebuild)" = 1055
'

test_expect_success UNPRIV 'the ledger of a read-only scope is summarised in memory' '
	ro=$UNPRIV_DIR/ro-home &&
	cp -r "$TALLY_HOME" "$ro" &&
	rm -f "$ro"/profile/usage-summary.* &&
	if test_have_prereq ROOT; then chown -R 65534:65534 "$ro"; fi &&
	chmod 555 "$ro/profile" &&
	TALLY_HOME=$ro run_unprivileged tally summary --window workspace --json >ro.json 2>err &&
	test "$(json_get ro.json "d[\"totalTokens\"]")" = 1055 &&
	! test -e "$ro/profile/usage-summary.json"
'

# The acceptance check: cost over a million rows is an exact integer sum.
test_expect_success 'a million random costs add up exactly' '
	mkdir -p big/profile &&
	python3 - big/profile/usage-ledger.jsonl >expect <<-\PY &&
	import random, sys
	random.seed(20261124)
	total = 0
	with open(sys.argv[1], "w") as f:
	    for i in range(1000000):
	        nano = random.randrange(0, 5 * 10**9)
	        total += nano
	        cost = "%d.%09d" % divmod(nano, 10**9)
	        f.write("{\"v\":1,\"entryId\":\"e%d\",\"providerId\":\"openrouter\","
	                "\"modelId\":\"m%d\",\"startedAt\":%d,\"billedInputTokens\":%d,"
	                "\"billedCostUsd\":%s}\n" % (i, i % 7, 1790000000000 + i * 5000,
	                                            i % 1000, cost))
	print("%d.%09d" % divmod(total, 10**9))
	PY
	TALLY_HOME=$PWD/big tally summary --window workspace --json >big.json &&
	python3 -c "
import json, sys
from decimal import Decimal
d = json.load(open(\"big.json\"), parse_float=Decimal)
print(\"%.9f\" % d[\"billedCostUsd\"])
" >actual &&
	test_cmp expect actual &&
	test "$(json_get big.json "d[\"requests\"]")" = 1000000 &&
	rm -r big
'

# Rewrites that keep the inode, as a compaction can when its temporary
# file gets the inode the old ledger freed: the size grows back past the
# cached offset, so only the bytes themselves tell.
test_expect_success 'a rewrite on the same inode that grew past the offset is folded again' '
	export TALLY_HOME=$PWD/same-inode &&
	for i in 1 2 3 4 5 6; do
		tally record -p openai -m m --input-tokens $i -q || return 1
	done &&
	test "$(total)" = 21 &&
	ino=$(stat -c %i "$L2") &&
	python3 -c "
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
out = []
for i, r in enumerate(rows):
    r[\"entryId\"] = \"rewritten-%d\" % i
    r[\"billedInputTokens\"] = r[\"totalBilledTokens\"] = 1000
    r[\"note\"] = \"x\" * 100
    out.append(json.dumps(r, separators=(\",\", \":\")))
f = open(sys.argv[1], \"r+\")
f.write(\"\\n\".join(out) + \"\\n\")
f.truncate()
" "$L2" &&
	test "$(stat -c %i "$L2")" = "$ino" &&
	test "$(total)" = 6000 &&
	test "$(cache rebuilt)" = True &&
	test "$(total)" = 6000 &&
	test "$(cache rebuilt)" = False
'

test_expect_success 'an edit in place of the same size is noticed' '
	size=$(stat -c %s "$L2") &&
	export TALLY_HOME=$PWD/same-inode &&
	sed "s/\"billedInputTokens\":1000,/\"billedInputTokens\":9000,/" "$L2" >edited &&
	test "$(stat -c %s edited)" = "$size" &&
	cat edited >"$L2" &&
	test "$(stat -c %s "$L2")" = "$size" &&
	test "$(total)" = 54000 &&
	test "$(cache rebuilt)" = True
'

test_expect_success 'after compactions, summary and budget check agree with the rows' '
	export TALLY_HOME=$PWD/compacted &&
	for i in 1 2 3 4 5 6 7; do
		tally record -p openai -m m --input-tokens 1 -q || return 1
	done &&
	id=$(tally record -p openai -m m --input-tokens 1) &&
	tally record -p openai -m m --input-tokens 7 --entry "$id" -q &&
	test "$(total)" = 14 &&
	for round in 1 2 3; do
		tally compact >/dev/null &&
		tally record -p openai -m m --input-tokens 1 -q || return 1
	done &&
	test "$(total)" = 17 &&
	test_expect_code 1 tally -c monthly_token_budget=17 budget check >/dev/null
'

test_done
