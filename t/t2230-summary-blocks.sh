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

test_done
