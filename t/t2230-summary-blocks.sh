#!/bin/sh
test_description='summary --by block: five-hour usage blocks'
. ./test-lib.sh

TALLY_NOW=2026-11-25T12:00:00Z
export TALLY_NOW

rec() {
	tally record -p "$1" -m "$2" --input-tokens "$3" --output-tokens 10 \
		--started-at "$4" -q
}

# Requests with the gaps and edges of the block rules: a block from
# 10:00 (10:30, 11:00, 14:59), one from 15:00 (15:01: 5 h after 10:00),
# more than 5 h of quiet, then one from 22:00 that runs past midnight.
test_expect_success 'set up' '
	rec anthropic claude-sonnet-4 100 2026-11-24T10:30:00Z &&
	rec anthropic claude-sonnet-4 200 2026-11-24T11:00:00Z &&
	rec anthropic claude-sonnet-4 300 2026-11-24T14:59:00Z &&
	rec anthropic claude-sonnet-4 400 2026-11-24T15:01:00Z &&
	rec anthropic claude-sonnet-4 500 2026-11-24T22:10:00Z &&
	rec anthropic claude-sonnet-4 600 2026-11-25T02:55:00Z &&
	rec openai gpt-4.1 1000 2026-11-24T09:50:00Z
'

# blocks <summary options>: "block requests input" per group.
blocks() {
	tally summary --since 2026-11-01 "$@" --by block --json >s.json &&
	json_get s.json "\"\\n\".join(\"%s %d %d\" % (g[\"block\"], g[\"requests\"], g[\"inputTokens\"]) for g in d[\"groups\"])"
}

test_expect_success 'the blocks of the Anthropic requests' '
	blocks -p anthropic >got &&
	cat >expect <<-\EOF &&
	2026-11-24T10:00:00Z 3 600
	2026-11-24T15:00:00Z 1 400
	2026-11-24T22:00:00Z 2 1100
	EOF
	test_cmp expect got
'

# With the OpenAI request at 09:50, the first block starts at 09:00, so
# 14:59 is more than 5 h after it and begins one at 14:00.
test_expect_success 'the filters choose the requests blocks are made of' '
	blocks >got &&
	cat >expect <<-\EOF &&
	2026-11-24T09:00:00Z 3 1300
	2026-11-24T14:00:00Z 2 700
	2026-11-24T22:00:00Z 2 1100
	EOF
	test_cmp expect got
'

test_expect_success 'a window that cuts through a block keeps its name' '
	tally summary --since 2026-11-24T12:00:00Z -p anthropic --by block --json >s.json &&
	json_get s.json "[(g[\"block\"], g[\"requests\"]) for g in d[\"groups\"]]" >got &&
	echo "[[\"2026-11-24T10:00:00Z\", 1], [\"2026-11-24T15:00:00Z\", 1], [\"2026-11-24T22:00:00Z\", 2]]" >expect &&
	test_cmp expect got
'

test_expect_success 'blocks are UTC hours in any time zone' '
	blocks -p anthropic --tz Asia/Kolkata >got &&
	blocks -p anthropic >expect &&
	test_cmp expect got &&
	TZ=America/St_Johns blocks -p anthropic >got &&
	test_cmp expect got
'

test_expect_success 'the table has a BLOCK column, oldest first' '
	tally summary --since 2026-11-01 -p anthropic --by block >out &&
	test_grep "^BLOCK " out &&
	sed -n "/^BLOCK/,/^\$/p" out | sed -n "2p;4p" | cut -c1-20 >got &&
	printf "2026-11-24T10:00:00Z\n2026-11-24T22:00:00Z\n" >expect &&
	test_cmp expect got
'

test_expect_success 'block goes with other groups, and is a --by value' '
	tally summary --since 2026-11-01 --by block --by provider --json >s.json &&
	json_get s.json "len(d[\"groups\"])" >got &&
	echo 4 >expect &&
	test_cmp expect got &&
	tally summary --completion-values --by >values &&
	test_grep -x block values
'

# The block from 22:00 holds 22:10 (510 tokens) and 02:55 (610): at
# 02:58 it is under way, 2 minutes from its end. As ccusage: the rate is
# over its first to its last request (1,120 tokens in 285 minutes), and
# the projection adds it for the minutes left.
test_expect_success '--window block: the block under way, its pace and projection' '
	TALLY_NOW=2026-11-25T02:58:00Z tally summary --window block -p anthropic --json >b.json &&
	json_get b.json "[d[\"since\"], d[\"until\"], d[\"requests\"], d[\"totalTokens\"]]" >got &&
	echo "[\"2026-11-24T22:10:00Z\", \"2026-11-25T03:00:00Z\", 2, 1120]" >expect &&
	test_cmp expect got &&
	json_get b.json "[d[\"block\"][\"startTime\"], d[\"block\"][\"isActive\"], round(d[\"block\"][\"burnRate\"][\"tokensPerMinute\"], 2), d[\"block\"][\"projection\"][\"totalTokens\"], d[\"block\"][\"projection\"][\"remainingMinutes\"], round(d[\"block\"][\"burnRateLast15m\"][\"tokensPerMinute\"], 2)]" >got &&
	echo "[\"2026-11-24T22:00:00Z\", true, 3.93, 1128, 2, 40.67]" >expect &&
	test_cmp expect got &&
	json_get b.json "d[\"block\"][\"burnRate\"][\"costPerHourUsd\"] > 0" >got &&
	echo True >expect &&
	test_cmp expect got
'

test_expect_success 'a token limit: when it is reached, and max is the largest past block' '
	TALLY_NOW=2026-11-25T02:58:00Z tally -c block_token_limit=2000 summary --window block -p anthropic --json >b.json &&
	json_get b.json "[d[\"block\"][\"tokenLimit\"][k] for k in (\"limit\", \"from\", \"minutesToLimit\", \"status\")]" >got &&
	echo "[2000, \"config\", 223, \"ok\"]" >expect &&
	test_cmp expect got &&
	TALLY_NOW=2026-11-25T02:58:00Z tally -c block_token_limit=1300 summary --window block -p anthropic --json >b.json &&
	json_get b.json "d[\"block\"][\"tokenLimit\"][\"status\"]" >got &&
	echo warning >expect &&
	test_cmp expect got &&
	TALLY_NOW=2026-11-25T02:58:00Z tally -c block_token_limit=max summary --window block -p anthropic --json >b.json &&
	json_get b.json "[d[\"block\"][\"tokenLimit\"][k] for k in (\"limit\", \"from\", \"minutesToLimit\", \"status\")]" >got &&
	echo "[630, \"max\", 0, \"exceeds\"]" >expect &&
	test_cmp expect got
'

# limit_of <json> <object path>: limit, from, minutes to it, status.
limit_of() {
	json_get "$1" "[$2[k] for k in (\"limit\", \"from\", \"minutesToLimit\", \"status\")]"
}

test_expect_success 'status shows the limit as summary does, max from the cache alone' '
	TALLY_NOW=2026-11-25T02:58:00Z tally -c block_token_limit=max summary --window block --json >b.json &&
	limit_of b.json "d[\"block\"][\"tokenLimit\"]" >want &&
	echo "[1330, \"max\", 53, \"warning\"]" >expect &&
	test_cmp expect want &&
	TALLY_NOW=2026-11-25T02:58:00Z tally -c block_token_limit=max status --json >s.json &&
	limit_of s.json "d[\"block\"][\"tokenLimit\"]" >got &&
	test_cmp want got &&
	TALLY_NOW=2026-11-25T02:58:00Z tally -c block_token_limit=max status --template "{block_limit}" >got &&
	echo 53m >expect &&
	test_cmp expect got &&
	TALLY_NOW=2026-11-25T02:58:00Z tally -c block_token_limit=1000 status --template "[{block_limit}]" >got &&
	echo "[reached]" >expect &&
	test_cmp expect got
'

test_expect_success 'max still knows a block whose hours the cache dropped' '
	TALLY_NOW=2026-11-27T06:00:00Z tally summary >/dev/null &&
	grep -q "\"hoursLargestByTokens\":\[3,1300,30," "$TALLY_HOME/profile/usage-summary.json" &&
	rec openai gpt-4.1 90 2026-11-27T06:10:00Z &&
	rec openai gpt-4.1 90 2026-11-27T06:20:00Z &&
	TALLY_NOW=2026-11-27T06:30:00Z tally -c block_token_limit=max summary --window block --json >b.json &&
	limit_of b.json "d[\"block\"][\"tokenLimit\"]" >want &&
	echo "[1330, \"max\", 56, \"exceeds\"]" >expect &&
	test_cmp expect want &&
	TALLY_NOW=2026-11-27T06:30:00Z tally -c block_token_limit=max status --json >s.json &&
	limit_of s.json "d[\"block\"][\"tokenLimit\"]" >got &&
	test_cmp want got
'

test_expect_success 'the human view of the block' '
	TALLY_NOW=2026-11-25T02:58:00Z tally -c block_token_limit=2000 summary --window block -p anthropic >out &&
	test_grep "^Usage.*block (2026-11-24 22:10:00 to 2026-11-25 03:00:00)" out &&
	test_grep "^Block      2026-11-24 22:00:00 to 2026-11-25 03:00:00, under way: 4h 58m elapsed, 2m left" out &&
	test_grep "^Burn rate  4 tok/min, .*/h over the block; 41 tok/min, .*/h over the last 15 minutes" out &&
	test_grep "^Projection 1,128 tok, .* by the end of the block" out &&
	test_grep "^Limit      2,000 tok: reached in 3h 43m at this pace (ok)" out
'

test_expect_success 'after its end, the last block; with no request, none' '
	TALLY_NOW=2026-11-25T09:00:00Z tally summary --window block -p anthropic --json >b.json &&
	json_get b.json "[d[\"block\"][\"isActive\"], d[\"block\"][\"projection\"], d[\"requests\"]]" >got &&
	echo "[false, null, 2]" >expect &&
	test_cmp expect got &&
	TALLY_HOME=$PWD/empty tally summary --window block --json >e.json &&
	json_get e.json "[d[\"block\"], d[\"requests\"]]" >got &&
	echo "[null, 0]" >expect &&
	test_cmp expect got &&
	TALLY_HOME=$PWD/empty tally summary --window block >out &&
	test_grep "^Block      none: no request yet" out
'

test_expect_success 'block limits are checked as configuration' '
	test_expect_code 3 tally -c block_token_limit=lots summary --window block 2>err &&
	test_grep "a number of tokens, or max" err &&
	test_expect_code 3 tally -c block_cost_limit_usd=-1 summary --window block 2>err &&
	test_grep "an amount in USD such as 12.50, or max" err
'

test_done
