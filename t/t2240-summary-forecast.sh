#!/bin/sh
test_description='summary: the projection of a window under way, and --compare'
. ./test-lib.sh

TALLY_NOW=2026-11-11T00:00:00Z
export TALLY_NOW

rec() {
	tally record -p openai -m gpt-4.1 --input-tokens "$1" \
		--output-tokens 0 --started-at "$2" -q
}

# October: 1,000 tokens on the 2nd and 3,000 on the 20th. November so
# far (10 of its 30 days): 2,000 on the 2nd and 1,000 on the 9th.
test_expect_success 'set up' '
	rec 1000 2026-10-02T10:00:00Z &&
	rec 3000 2026-10-20T10:00:00Z &&
	rec 2000 2026-11-02T10:00:00Z &&
	rec 1000 2026-11-09T10:00:00Z
'

test_expect_success 'this month is projected to its end at the pace so far' '
	tally summary --json >s.json &&
	json_get s.json "[round(d[\"projection\"][\"elapsedShare\"], 4), d[\"projection\"][\"totalTokens\"], d[\"projection\"][\"costUsd\"] > 0]" >got &&
	echo "[0.3333, 9000, true]" >expect &&
	test_cmp expect got &&
	tally summary >out &&
	test_grep "^Projection 9,000 tok, ~\\$.* by the end of the window at the pace so far (33% of it gone)" out
'

test_expect_success '--compare: the same stretch of last month' '
	tally summary --compare --json >s.json &&
	json_get s.json "[d[\"compare\"][k] for k in (\"since\", \"until\", \"requests\", \"totalTokens\", \"tokensChangePercent\")]" >got &&
	echo "[\"2026-10-01T00:00:00Z\", \"2026-10-11T00:00:00Z\", 1, 1000, 200]" >expect &&
	test_cmp expect got &&
	tally summary --compare >out &&
	test_grep "^Compared   +200% tokens, +200% cost against 2026-10-01 00:00:00 to 2026-10-11 00:00:00 (1,000 tok, ~\\$" out
'

test_expect_success '--compare with --since: the window of the same length before' '
	tally summary --since 2026-11-05 --compare --json >s.json &&
	json_get s.json "[d[\"compare\"][\"since\"], d[\"compare\"][\"until\"], d[\"compare\"][\"totalTokens\"], d[\"totalTokens\"], d[\"projection\"]]" >got &&
	echo "[\"2026-10-30T00:00:00Z\", \"2026-11-05T00:00:00Z\", 2000, 1000, null]" >expect &&
	test_cmp expect got
'

test_expect_success 'nothing before: the change is null, and said as new' '
	tally summary --since 2026-10-01 --until 2026-10-03 --compare --json >s.json &&
	json_get s.json "[d[\"compare\"][\"totalTokens\"], d[\"compare\"][\"tokensChangePercent\"], d[\"totalTokens\"]]" >got &&
	echo "[0, null, 1000]" >expect &&
	test_cmp expect got &&
	tally summary --since 2026-10-01 --until 2026-10-03 --compare >out &&
	test_grep "^Compared   new tokens" out
'

test_expect_success 'a window under way with nothing used: no projection' '
	tally summary --window day --json >s.json &&
	json_get s.json "d[\"projection\"]" >got &&
	echo None >expect &&
	test_cmp expect got
'

test_expect_success '--compare needs a window with a start' '
	test_expect_code 2 tally summary --window workspace --compare 2>err &&
	test_grep "needs a window with a start" err &&
	test_expect_code 2 tally summary --window session --compare 2>err &&
	test_expect_code 2 tally summary --perf --compare 2>err
'

test_done
