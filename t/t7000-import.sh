#!/bin/sh
test_description='tally import: Claude Code, Codex and codingbuddy logs, incrementally'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
CC=$FIXTURES/claude-code

# days <summary.json>: "day input output cacheRead cacheWrite requests",
# input without the cache, as ccusage counts it.
days() {
	python3 -c '
import json, sys
for g in json.load(open(sys.argv[1]))["groups"]:
    print(g["day"], g["inputTokens"] - g["cacheReadTokens"] - g["cacheWriteTokens"],
          g["outputTokens"], g["cacheReadTokens"], g["cacheWriteTokens"], g["requests"])
' "$1"
}

test_expect_success 'Claude Code: every case of the fixtures, exact totals' '
	tally import claude-code "$CC" >out &&
	test_grep "^claude-code: 4 files (0 unchanged), 17 lines read: 6 entries added, 1 updated, 6 duplicates; skipped 2 without usage, 1 synthetic, 1 malformed$" out &&
	tally summary --window workspace --by day --json >s.json &&
	days s.json >actual &&
	cat >expect <<-\EOF &&
	2026-11-20 15 190 7000 600 3
	2026-11-21 113 240 6300 50 3
	EOF
	test_cmp expect actual &&
	# The partial counts superseded in the same run never reach the
	# ledger: one row per message.
	test_line_count = 6 "$TALLY_HOME/profile/usage-ledger.jsonl"
'

test_expect_success 'history past retention_days: said, and the totals stay' '
	TALLY_HOME=$PWD/later TALLY_NOW=2027-03-01T12:00:00Z \
		tally import claude-code "$CC" >out 2>err &&
	test_grep "6 entries added" out &&
	test_grep "^tally: warning: 6 entries older than retention_days (30) went into day rollups" err &&
	TALLY_HOME=$PWD/later TALLY_NOW=2027-03-01T12:00:00Z \
		tally summary --window workspace --by day --json >later.json &&
	days later.json >actual &&
	test_cmp expect actual &&
	TALLY_HOME=$PWD/later tally log --kind rollup >rl &&
	test_grep "^2026-11-20 .*rollup of 3" rl &&
	TALLY_HOME=$PWD/whole TALLY_NOW=2027-03-01T12:00:00Z \
		tally -c retention_days=0 import claude-code "$CC" >out 2>err &&
	test_grep -v "rollups" err &&
	TALLY_HOME=$PWD/whole tally log --porcelain >log &&
	test_line_count = 6 log
'

test_expect_success 'per-project and per-model totals are the same folded or whole' '
	for dim in tag:project model day; do
		for home in later whole; do
			TALLY_HOME=$PWD/$home TALLY_NOW=2027-03-01T12:00:00Z \
				tally -c auto_compact=false summary --window workspace \
				--by $dim --json >$home.json &&
			json_get $home.json "[(g[\"$dim\"], g[\"inputTokens\"], g[\"outputTokens\"], g[\"requests\"], g[\"costUsd\"]) for g in d[\"groups\"]]" >$home.$dim || return 1
		done &&
		test_cmp whole.$dim later.$dim || return 1
	done &&
	test_grep "/home/dev/shop" later.tag:project
'

test_expect_success 'one message on three lines and replays count once; the final counts win' '
	tally log --ndjson >rows &&
	python3 -c "
import json
rows = {r[\"providerRequestId\"]: r for r in map(json.loads, open(\"rows\"))}
assert sorted(rows) == [\"msg_A\", \"msg_B\", \"msg_C\", \"msg_D\", \"msg_E\", \"msg_F\"], sorted(rows)
a = rows[\"msg_A\"]
assert (a[\"billedInputTokens\"], a[\"billedOutputTokens\"], a[\"cacheReadTokens\"], a[\"cacheWriteTokens\"]) == (1105, 40, 1000, 100), a
assert rows[\"msg_C\"][\"billedOutputTokens\"] == 90
import datetime
assert rows[\"msg_C\"][\"startedAt\"] == int(datetime.datetime(2026, 11, 20, 10, 2, 9, tzinfo=datetime.timezone.utc).timestamp() * 1000)
b = rows[\"msg_B\"]
assert (b[\"cacheWriteTokens\"], b[\"cacheWrite1hTokens\"]) == (500, 300), b
d = rows[\"msg_D\"]
assert d[\"requestId\"] == \"req_D\", \"the sidechain replay replaced the original\"
for r in rows.values():
    assert r[\"source\"] == \"import:claude-code\"
    assert r[\"providerId\"] == \"anthropic\"
    assert \"syncStatus\" not in r
assert rows[\"msg_F\"][\"tags\"] == {\"project\": \"/home/dev/blog\"}
assert rows[\"msg_A\"][\"sessionResource\"] == \"claude-code:11111111-1111-4111-8111-111111111111\"
"
'

test_expect_success 'costs: costUSD is the agent estimate; others from the price table' '
	tally log --ndjson >rows &&
	python3 -c "
import json
rows = {r[\"providerRequestId\"]: r for r in map(json.loads, open(\"rows\"))}
f = rows[\"msg_F\"]
assert (f[\"estimatedCostUsd\"], f[\"priceId\"]) == (0.0165, \"claude-code:costUSD\"), f
a = rows[\"msg_A\"]
# 5 input at 3, 100 cache writes at 3.75, 1000 reads at 0.30, 40 output at 15, per million.
assert a[\"priceId\"] == \"anthropic/claude-sonnet-4@2025-05-22\", a
assert abs(a[\"estimatedCostUsd\"] - 0.00129) < 1e-12, a
b = rows[\"msg_B\"]
# 7 at 3, 200 five-minute writes at 3.75, 300 one-hour writes at 6, 2000 reads at 0.30, 60 at 15.
assert abs(b[\"estimatedCostUsd\"] - (7*3 + 200*3.75 + 300*6 + 2000*0.3 + 60*15) / 1e6) < 1e-12, b
"
'

test_expect_success 'a second run over unchanged logs reads nothing and adds nothing' '
	cp "$(ledger)" before &&
	tally import claude-code "$CC" --json >again.json &&
	test "$(json_get again.json "[d[k] for k in (\"files\", \"filesUnchanged\", \"bytesRead\", \"lines\", \"added\", \"updated\")]")" = \
		"[4, 4, 0, 0, 0, 0]" &&
	test_cmp before "$(ledger)"
'

test_expect_success 'a grown file is read from where it stopped' '
	mkdir -p grow/projects/p &&
	head -n 4 "$CC/projects/-home-dev-shop/11111111-1111-4111-8111-111111111111.jsonl" \
		>grow/projects/p/s.jsonl &&
	TALLY_HOME=$PWD/g tally import claude-code grow --json >1.json &&
	test "$(json_get 1.json "[d[\"lines\"], d[\"added\"], d[\"duplicates\"]]")" = "[4, 1, 2]" &&
	sed -n "5,7p" "$CC/projects/-home-dev-shop/11111111-1111-4111-8111-111111111111.jsonl" \
		>>grow/projects/p/s.jsonl &&
	TALLY_HOME=$PWD/g tally import claude-code grow --json >2.json &&
	test "$(json_get 2.json "[d[\"lines\"], d[\"added\"], d[\"updated\"], d[\"filesReadAgain\"]]")" = "[3, 2, 1, 0]"
'

test_expect_success 'a line still being written is left for the next run' '
	printf "%s" "{\"type\":\"assistant\",\"timestamp\":\"2026-11-22T10:00:00Z\",\"sessionId\":\"s\",\"requestId\":\"r\",\"message\":{\"id\":\"msg_T\",\"model\":\"claude-sonnet-4-20250514\",\"usage\":{\"input_tokens\":1," \
		>>grow/projects/p/s.jsonl &&
	TALLY_HOME=$PWD/g tally import claude-code grow --json >3.json &&
	test "$(json_get 3.json "[d[\"lines\"], d[\"added\"]]")" = "[0, 0]" &&
	printf "%s\n" "\"output_tokens\":2}}}" >>grow/projects/p/s.jsonl &&
	TALLY_HOME=$PWD/g tally import claude-code grow --json >4.json &&
	test "$(json_get 4.json "[d[\"lines\"], d[\"added\"]]")" = "[1, 1]"
'

test_expect_success 'a file truncated between two imports is read again, nothing doubled' '
	TALLY_HOME=$PWD/g tally summary --window workspace --json >before.json &&
	head -n 2 grow/projects/p/s.jsonl >t && mv t grow/projects/p/s.jsonl &&
	TALLY_HOME=$PWD/g tally import claude-code grow --json >5.json &&
	test "$(json_get 5.json "[d[\"filesReadAgain\"], d[\"lines\"], d[\"added\"], d[\"duplicates\"]]")" = "[1, 2, 0, 1]" &&
	TALLY_HOME=$PWD/g tally summary --window workspace --json >after.json &&
	test "$(json_get before.json "d[\"totalTokens\"]")" = "$(json_get after.json "d[\"totalTokens\"]")"
'

test_expect_success 'a file replaced by another with the same size is read again' '
	mkdir -p rep/projects/p &&
	sed -n 2p "$CC/projects/-home-dev-shop/11111111-1111-4111-8111-111111111111.jsonl" >rep/projects/p/s.jsonl &&
	TALLY_HOME=$PWD/r tally import claude-code rep >/dev/null &&
	sed "s/msg_A/msg_Z/" rep/projects/p/s.jsonl >new && mv new rep/projects/p/s.jsonl &&
	TALLY_HOME=$PWD/r tally import claude-code rep --json >r.json &&
	test "$(json_get r.json "[d[\"filesReadAgain\"], d[\"added\"]]")" = "[1, 1]"
'

test_expect_success '--dry-run reports and records nothing' '
	TALLY_HOME=$PWD/dry tally import -n claude-code "$CC" >out &&
	test_grep "^would import claude-code: 4 files (0 unchanged), 17 lines read: 6 entries to be added" out &&
	! test -e dry
'

test_expect_success 'default places: CLAUDE_CONFIG_DIR, a comma-separated list' '
	mkdir -p other/projects/x &&
	cp "$CC/projects/-home-dev-blog/"*.jsonl other/projects/x/ &&
	CLAUDE_CONFIG_DIR="$CC,$PWD/other" TALLY_HOME=$PWD/env tally import claude-code --json >e.json &&
	test "$(json_get e.json "[d[\"files\"], d[\"added\"], d[\"duplicates\"]]")" = "[5, 6, 7]" &&
	mkdir -p home2/.claude/projects/y &&
	cp "$CC/projects/-home-dev-blog/"*.jsonl home2/.claude/projects/y/ &&
	HOME=$PWD/home2 TALLY_HOME=$PWD/env2 tally import claude-code --json >h.json &&
	test "$(json_get h.json "[d[\"files\"], d[\"added\"]]")" = "[1, 1]"
'

test_expect_success 'Claude Code: how long it keeps transcripts, said from its own places' '
	mkdir -p keep/.claude/projects/y &&
	cp "$CC/projects/-home-dev-blog/"*.jsonl keep/.claude/projects/y/ &&
	touch -d 2026-11-01T12:00:00Z keep/.claude/projects/y/*.jsonl &&
	HOME=$PWD/keep TALLY_HOME=$PWD/k1 tally import claude-code >out 2>err &&
	test_grep "^tally: warning: Claude Code deletes transcripts not written for 30 days (cleanupPeriodDays is not set); the oldest here was written 23 days ago and goes in 7 days: import at least that often" err &&
	HOME=$PWD/keep TALLY_HOME=$PWD/k1 tally import claude-code --json >k.json 2>err &&
	test_must_be_empty err &&
	test "$(json_get k.json "[d[\"cleanupPeriodDays\"], d[\"cleanupPeriodIsDefault\"], d[\"oldestLogAgeDays\"]]")" = "[30, true, 23]" &&
	echo "{\"model\": \"opus\", \"cleanupPeriodDays\": 365}" >keep/.claude/settings.json &&
	HOME=$PWD/keep TALLY_HOME=$PWD/k1 tally import claude-code >out 2>err &&
	test_must_be_empty err &&
	echo "{\"cleanupPeriodDays\": 0}" >keep/.claude/settings.json &&
	HOME=$PWD/keep TALLY_HOME=$PWD/k1 tally import claude-code >out 2>err &&
	test_grep "cleanupPeriodDays is 0, which stops it writing transcripts" err &&
	echo "{ not json" >keep/.claude/settings.json &&
	HOME=$PWD/keep TALLY_HOME=$PWD/k1 tally import claude-code >out 2>err &&
	test_grep "cleanupPeriodDays is not set" err &&
	TALLY_HOME=$PWD/k2 tally import claude-code keep/.claude/projects >out 2>err &&
	test_must_be_empty err
'

# cc_line <msg id> <request id or -> <output tokens> [<sidechain>]: one
# assistant line as Claude Code writes it.
cc_line() {
	req=
	test "$2" = - || req="\"requestId\":\"$2\","
	printf '{"type":"assistant","timestamp":"2026-11-22T10:00:0%s.000Z","sessionId":"44444444-4444-4444-8444-444444444444",%s"isSidechain":%s,"message":{"id":"%s","model":"claude-sonnet-4-20250514","usage":{"input_tokens":7,"output_tokens":%s}}}\n' \
		"$3" "$req" "${4:-false}" "$1" "$3" | cut -c1-2000
}

test_expect_success 'Claude Code: a message without requestId (dropped by a proxy) counts once' '
	mkdir -p noreq/projects/p &&
	{ cc_line msg_N - 1 && cc_line msg_N - 5 && cc_line msg_N - 9; } \
		>noreq/projects/p/44444444-4444-4444-8444-444444444444.jsonl &&
	TALLY_HOME=$PWD/nr tally import claude-code noreq --json >n.json &&
	test "$(json_get n.json "[d[\"added\"], d[\"updated\"]]")" = "[1, 2]" &&
	TALLY_HOME=$PWD/nr tally log --ndjson >rows &&
	test_line_count = 1 rows &&
	test "$(json_get rows "d[\"billedOutputTokens\"]")" = 9
'

# The usage block of vercel/ai's anthropic-compaction fixture (see
# t/fixtures/third-party/index.json): the answer's 682/1320 at the top,
# the compaction step's 60385/592 in usage.iterations, as Claude Code
# transcripts now carry them. Billed: 61067 in, 1912 out.
test_expect_success 'Claude Code: context compaction steps in usage.iterations are billed too' '
	mkdir -p compact/projects/p &&
	cat >compact/projects/p/55555555-5555-4555-8555-555555555555.jsonl <<-\EOF &&
	{"type":"assistant","timestamp":"2026-11-22T10:00:00Z","sessionId":"55555555-5555-4555-8555-555555555555","requestId":"req_C","version":"2.1.90","message":{"id":"msg_C","model":"claude-opus-4-6","usage":{"input_tokens":682,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"iterations":[{"input_tokens":60385,"output_tokens":592,"cache_read_input_tokens":0,"cache_creation_input_tokens":0,"type":"compaction"},{"input_tokens":682,"output_tokens":1320,"cache_read_input_tokens":0,"cache_creation_input_tokens":0,"type":"message"}],"output_tokens":1320}}}
	EOF
	TALLY_HOME=$PWD/cp tally import claude-code compact >/dev/null &&
	TALLY_HOME=$PWD/cp tally log --ndjson >rows &&
	test "$(json_get rows "[d[\"billedInputTokens\"], d[\"billedOutputTokens\"]]")" = "[61067, 1912]"
'

test_expect_success 'Claude Code: subagent logs (subagents/*.jsonl) count once beside the sidechain lines' '
	mkdir -p sub/projects/p/44444444-4444-4444-8444-444444444444/subagents &&
	{ cc_line msg_P req_P 3 && cc_line msg_Q req_Q 4 true; } \
		>sub/projects/p/44444444-4444-4444-8444-444444444444.jsonl &&
	{ cc_line msg_Q req_Q 4 true && cc_line msg_R req_R 6 true; } \
		>sub/projects/p/44444444-4444-4444-8444-444444444444/subagents/agent-a1.jsonl &&
	TALLY_HOME=$PWD/sa tally import claude-code sub --json >s.json &&
	test "$(json_get s.json "[d[\"files\"], d[\"added\"], d[\"duplicates\"]]")" = "[2, 3, 1]" &&
	TALLY_HOME=$PWD/sa tally summary --window workspace --json >sum.json &&
	test "$(json_get sum.json "[d[\"requests\"], d[\"outputTokens\"]]")" = "[3, 13]"
'

test_expect_success 'Claude Code: a huge line without usage is skipped, what follows is read' '
	mkdir -p huge/projects/p &&
	python3 - <<-\EOF &&
	import json
	with open("huge/projects/p/44444444-4444-4444-8444-444444444444.jsonl", "w") as f:
	    snap = {"type": "file-history-snapshot", "messageId": "m",
	            "snapshot": {"trackedFileBackups": {"big.txt": "x" * (17 << 20)}}}
	    f.write(json.dumps(snap) + "\n")
	    f.write(json.dumps({"type": "file-history-snapshot", "snapshot": {}}) + "\n")
	EOF
	cc_line msg_H req_H 2 >>huge/projects/p/44444444-4444-4444-8444-444444444444.jsonl &&
	TALLY_HOME=$PWD/hg tally import claude-code huge --json >h.json &&
	test "$(json_get h.json "[d[\"lines\"], d[\"added\"]]")" = "[3, 1]" &&
	TALLY_HOME=$PWD/hg tally import claude-code huge >again &&
	test_grep "1 file (1 unchanged), 0 lines read" again
'

test_expect_success 'no default place exists: a warning naming them, nothing to import' '
	mkdir -p home3 &&
	(
		unset CLAUDE_CONFIG_DIR CODEX_HOME &&
		HOME=$PWD/home3 XDG_CONFIG_HOME=$PWD/home3/cfg TALLY_HOME=$PWD/env3 \
			tally import claude-code >out 2>err &&
		test_grep "^claude-code: 0 files (0 unchanged), 0 lines read" out &&
		cat >expect <<-EOF &&
		tally: warning: no claude-code logs: '"'"'$PWD/home3/cfg/claude/projects'"'"' or '"'"'$PWD/home3/.claude/projects'"'"': none exists
		EOF
		test_cmp expect err &&
		HOME=$PWD/home3 TALLY_HOME=$PWD/env3 tally import codex 2>err &&
		test_grep "no codex logs: .*/home3/.codex/sessions" err &&
		mkdir -p home3/.claude/projects &&
		HOME=$PWD/home3 XDG_CONFIG_HOME=$PWD/home3/cfg TALLY_HOME=$PWD/env3 \
			tally import claude-code >out 2>err &&
		test_must_be_empty err
	) &&
	CLAUDE_CONFIG_DIR=$PWD/nowhere TALLY_HOME=$PWD/env3 tally import claude-code 2>err &&
	test_grep "no claude-code logs: .*/nowhere/projects'"'"' does not exist$" err
'

test_expect_success 'Codex: token_count deltas, cached inside input, reasoning inside output' '
	TALLY_HOME=$PWD/cx tally import codex "$FIXTURES/codex" >out &&
	test_grep "^codex: 1 file (0 unchanged), 8 lines read: 3 entries added, 0 updated, 0 duplicates; skipped 4 without usage, 1 repeated totals$" out &&
	TALLY_HOME=$PWD/cx tally log --porcelain >l &&
	cut -f4-9 l >actual &&
	printf "gpt-5-mini\t500\t100\t600\t0.0003025\testimated\ngpt-5\t1800\t300\t2100\t0.004125\testimated\ngpt-5\t1200\t500\t1700\t0.006275\testimated\n" >expect &&
	test_cmp expect actual &&
	TALLY_HOME=$PWD/cx tally log --ndjson >rows &&
	python3 -c "
import json
rows = sorted(map(json.loads, open(\"rows\")), key=lambda r: r[\"startedAt\"])
assert [(r[\"cacheReadTokens\"], r.get(\"reasoningTokens\")) for r in rows] == [(200, 100), (1000, 200), (100, None)], rows
assert rows[0][\"sessionResource\"] == \"codex:2026/11/20/rollout-2026-11-20T08-00-00-s-1\"
"
'

test_expect_success 'Codex: a grown rollout continues from its saved totals' '
	mkdir -p cx2/sessions &&
	head -n 5 "$FIXTURES/codex/sessions/2026/11/20/rollout-2026-11-20T08-00-00-s-1.jsonl" >cx2/sessions/r.jsonl &&
	TALLY_HOME=$PWD/cx2h tally import codex cx2 --json >a.json &&
	tail -n +6 "$FIXTURES/codex/sessions/2026/11/20/rollout-2026-11-20T08-00-00-s-1.jsonl" >>cx2/sessions/r.jsonl &&
	TALLY_HOME=$PWD/cx2h tally import codex cx2 --json >b.json &&
	test "$(json_get a.json "d[\"added\"]") $(json_get b.json "d[\"added\"]")" = "2 1" &&
	TALLY_HOME=$PWD/cx2h tally summary --window workspace --json >s.json &&
	test "$(json_get s.json "[d[\"inputTokens\"], d[\"outputTokens\"]]")" = "[3500, 900]"
'

# cx <ts> <in> <cached> <out> <reasoning> <total-in> <total-cached>
# <total-out> <total-reasoning>: a token_count line with both usages.
cx() {
	printf '{"timestamp":"%s","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":%s,"cached_input_tokens":%s,"output_tokens":%s,"reasoning_output_tokens":%s,"total_tokens":%s},"last_token_usage":{"input_tokens":%s,"cached_input_tokens":%s,"output_tokens":%s,"reasoning_output_tokens":%s,"total_tokens":%s},"model_context_window":272000},"rate_limits":null}}\n' \
		"$1" "$6" "$7" "$8" "$9" "$(($6 + $8))" "$2" "$3" "$4" "$5" "$(($2 + $4))"
}

test_expect_success 'Codex: a re-emitted token count is counted once, last usage or not' '
	mkdir -p cx3/sessions &&
	{
		printf "{\"timestamp\":\"2026-11-20T08:00:01.000Z\",\"type\":\"turn_context\",\"payload\":{\"model\":\"gpt-5\"}}\n" &&
		cx 2026-11-20T08:00:10.000Z 100 0 10 0 100 0 10 0 &&
		cx 2026-11-20T08:00:11.000Z 100 0 10 0 100 0 10 0 &&
		cx 2026-11-20T08:00:40.000Z 100 0 10 0 100 0 10 0 &&
		cx 2026-11-20T08:01:10.000Z 50 0 5 0 150 0 15 0 &&
		cx 2026-11-20T08:02:10.000Z 50 0 5 0 150 0 15 0
	} >cx3/sessions/rollout-2026-11-20T08-00-00-r.jsonl &&
	TALLY_HOME=$PWD/cx3h tally import codex cx3 >out &&
	test_grep "2 entries added.*skipped 1 without usage, 3 repeated totals$" out &&
	TALLY_HOME=$PWD/cx3h tally summary --window workspace --json >s.json &&
	test "$(json_get s.json "[d[\"inputTokens\"], d[\"outputTokens\"]]")" = "[150, 15]"
'

test_expect_success 'Codex: a total that starts over counts anew' '
	mkdir -p cx4/sessions &&
	{
		cx 2026-11-20T08:00:10.000Z 100 0 10 0 100 0 10 0 &&
		cx 2026-11-20T09:00:10.000Z 30 0 3 0 30 0 3 0
	} >cx4/sessions/rollout-2026-11-20T08-00-00-q.jsonl &&
	TALLY_HOME=$PWD/cx4h tally import codex cx4 >out &&
	TALLY_HOME=$PWD/cx4h tally summary --window workspace --json >s.json &&
	test "$(json_get s.json "[d[\"inputTokens\"], d[\"outputTokens\"]]")" = "[130, 13]"
'

# A subagent (its rollout names thread_spawn) starts by replaying the
# parent: token counts stamped with one second, which count nothing but
# set the baseline of the totals.
test_expect_success 'Codex: the parent history a subagent replays is not counted again' '
	mkdir -p cx5/sessions &&
	{
		printf "{\"timestamp\":\"2026-11-20T10:00:00.000Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"sub-1\",\"source\":{\"subagent\":\"thread_spawn\"}}}\n" &&
		cx 2026-11-20T10:00:00.100Z 1000 0 100 0 1000 0 100 0 &&
		cx 2026-11-20T10:00:00.200Z 500 0 50 0 1500 0 150 0 &&
		cx 2026-11-20T10:00:30.000Z 40 0 4 0 1540 0 154 0
	} >cx5/sessions/rollout-2026-11-20T10-00-00-sub.jsonl &&
	TALLY_HOME=$PWD/cx5h tally import codex cx5 >out &&
	test_grep "1 entry added.*2 replayed from the parent session$" out &&
	TALLY_HOME=$PWD/cx5h tally summary --window workspace --json >s.json &&
	test "$(json_get s.json "[d[\"inputTokens\"], d[\"outputTokens\"]]")" = "[40, 4]" &&
	mkdir -p cx6/sessions &&
	sed 1d cx5/sessions/rollout-2026-11-20T10-00-00-sub.jsonl \
		>cx6/sessions/rollout-2026-11-20T10-00-00-main.jsonl &&
	TALLY_HOME=$PWD/cx6h tally import codex cx6 >out &&
	test_grep "3 entries added" out
'

test_expect_success 'Codex: a replay cut by the end of a read goes on in the next one' '
	mkdir -p cx7/sessions &&
	head -n 3 cx5/sessions/rollout-2026-11-20T10-00-00-sub.jsonl \
		>cx7/sessions/rollout-2026-11-20T10-00-00-sub.jsonl &&
	TALLY_HOME=$PWD/cx7h tally import codex cx7 >out &&
	test_grep "0 entries added.*2 replayed from the parent session$" out &&
	{
		cx 2026-11-20T10:00:00.300Z 100 0 10 0 1600 0 160 0 &&
		cx 2026-11-20T10:00:30.000Z 40 0 4 0 1640 0 164 0
	} >>cx7/sessions/rollout-2026-11-20T10-00-00-sub.jsonl &&
	TALLY_HOME=$PWD/cx7h tally import codex cx7 >out &&
	test_grep "1 entry added.*1 replayed from the parent session$" out &&
	TALLY_HOME=$PWD/cx7h tally summary --window workspace --json >s.json &&
	test "$(json_get s.json "[d[\"inputTokens\"], d[\"outputTokens\"]]")" = "[40, 4]"
'

test_expect_success 'Codex: the plan windows of rate_limits are kept as quota samples' '
	TALLY_HOME=$PWD/cxp tally import codex "$FIXTURES/codex-plan" >out &&
	test_grep "^codex: 1 file (0 unchanged), 8 lines read: 1 entry added, 0 updated, 0 duplicates, 5 plan samples;" out &&
	python3 -c "
import datetime, json, sys
t = lambda ms: datetime.datetime.utcfromtimestamp(ms // 1000).strftime(\"%Y-%m-%dT%H:%M:%SZ\")
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get(\"kind\") == \"quota\":
        q = e[\"quotaSnapshot\"]
        print(t(q[\"capturedAt\"])[11:19], q[\"window\"], q[\"usedPercent\"], t(q[\"resetDate\"]), e[\"providerId\"], e[\"source\"])
" "$PWD/cxp/profile/usage-ledger.jsonl" >got &&
	cat >expect <<-\EOF &&
	00:59:38 five_hour 0 2025-10-29T05:49:26Z openai import:codex
	00:59:38 seven_day 7 2025-11-03T17:27:03Z openai import:codex
	01:02:00 five_hour 3 2025-10-29T05:49:26Z openai import:codex
	01:20:00 five_hour 12.5 2025-10-29T10:29:38Z openai import:codex
	01:20:00 seven_day 7 2025-11-03T22:05:23Z openai import:codex
	EOF
	test_cmp expect got &&
	TALLY_HOME=$PWD/cxp TALLY_NOW=2025-10-29T01:30:00Z tally quota >q &&
	test_grep "^openai plan 5h  *12.5% used  *2025-10-29 10:29:38 " q &&
	test_grep "^openai plan 7d  *7.0% used " q &&
	TALLY_HOME=$PWD/cxp TALLY_NOW=2025-10-29T01:25:00Z tally status --json >st.json &&
	test "$(json_get st.json "[d[\"plan\"][w][\"providerId\"] for w in (\"fiveHour\", \"sevenDay\")]")" = "[\"openai\", \"openai\"]" &&
	test "$(json_get st.json "d[\"plan\"][\"fiveHour\"][\"usedPercent\"]")" = 12.5 &&
	TALLY_HOME=$PWD/cxp TALLY_NOW=2025-10-29T01:25:00Z tally status >st &&
	test_grep "openai 5h 12.5% 7d 7.0%" st &&
	TALLY_HOME=$PWD/cxp TALLY_NOW=2025-10-29T01:45:00Z tally status --json >old.json &&
	test "$(json_get old.json "d[\"plan\"][\"fiveHour\"]")" = None
'

test_expect_success 'Codex: a rollout read again keeps no sample twice' '
	cp -r "$FIXTURES/codex-plan" cxagain &&
	TALLY_HOME=$PWD/cxp tally import codex cxagain --json >a.json &&
	test "$(json_get a.json "[d[\"added\"], d[\"planSamples\"]]")" = "[0, 0]" &&
	test "$(grep -c "\"kind\":\"quota\"" "$PWD/cxp/profile/usage-ledger.jsonl")" = 5
'

test_expect_success 'codingbuddy: the plugin log, its USD estimates, bad lines skipped' '
	TALLY_HOME=$PWD/cb tally import codingbuddy "$FIXTURES/codingbuddy/usage.jsonl" >out &&
	test_grep "3 entries added.*skipped 2 malformed$" out &&
	TALLY_HOME=$PWD/cb tally log --porcelain >l &&
	cut -f3-9 l >actual &&
	printf "ollama\tllama3\t50\t20\t70\t\tunpriced\nanthropic\tclaude-sonnet-4\t2000\t300\t2300\t0.0105\testimated\nopenai\tgpt-4.1\t1000\t100\t1100\t0.0028\testimated\n" >expect &&
	test_cmp expect actual &&
	TALLY_HOME=$PWD/cb tally log --ndjson -p openai >o &&
	test "$(json_get o "d[\"priceId\"]")" = codingbuddy:estimated_cost
'

test_expect_success 'imports go to the current scope' '
	mkdir -p ws/.git &&
	(cd ws && tally import codingbuddy "$FIXTURES/codingbuddy/usage.jsonl" >/dev/null &&
	 tally log --porcelain >../ws.log) &&
	test_line_count = 3 ws.log
'

test_expect_success 'bad usage and unreadable paths' '
	test_expect_code 2 tally import 2>err &&
	test_grep "needs an agent" err &&
	test_expect_code 2 tally import cursor 2>err &&
	test_grep "unknown agent .cursor." err &&
	test_expect_code 2 tally import codingbuddy 2>err &&
	test_grep "codingbuddy needs the log file" err &&
	test_expect_code 1 tally import claude-code missing-dir 2>err &&
	test_grep "^tally: cannot read .missing-dir.: No such file or directory" err
'

test_expect_success 'a held import lock: exit 6' '
	mkdir -p "$TALLY_HOME/profile/import-state" &&
	hold_lock "$TALLY_HOME/profile/import-state/claude-code.lock" &&
	test_expect_code 6 tally -c lock_timeout_ms=200 import claude-code "$CC" 2>err &&
	kill $HOLD_PID &&
	test_grep "locked" err
'

test_expect_success 'the state: one file per line; an indented one still reads' '
	state="$TALLY_HOME/profile/import-state/claude-code.json" &&
	tally import claude-code "$CC" >/dev/null &&
	files=$(python3 -c "import json, sys; print(len(json.load(open(sys.argv[1]))[\"files\"]))" "$state") &&
	test "$(wc -l <"$state")" -eq $((files + 2)) &&
	test "$(grep -c "^{\"path\":" "$state")" -eq "$files" &&
	python3 - "$state" <<-\PY &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	json.dump(d, open(sys.argv[1], "w"), indent=2)
	PY
	tally import claude-code "$CC" --json >ind.json 2>err &&
	test_must_be_empty err &&
	test "$(json_get ind.json "[d[\"filesUnchanged\"], d[\"lines\"], d[\"added\"]]")" = "[$files, 0, 0]"
'

test_expect_success 'a damaged state file: every file is read again, nothing doubled' '
	echo "{garbage" >"$TALLY_HOME/profile/import-state/claude-code.json" &&
	tally import claude-code "$CC" --json >d.json 2>err &&
	test_grep "damaged" err &&
	test "$(json_get d.json "[d[\"added\"], d[\"updated\"]]")" = "[0, 0]"
'

test_expect_success 'a state naming a file twice: the later record counts, nothing doubled' '
	state="$TALLY_HOME/profile/import-state/claude-code.json" &&
	tally import claude-code "$CC" >/dev/null &&
	python3 - "$state" <<-\PY &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	again = dict(d["files"][0], offset=0, head="")
	d["files"].append(again)
	json.dump(d, open(sys.argv[1], "w"))
	PY
	tally import claude-code "$CC" --json >twice.json 2>err &&
	test_must_be_empty err &&
	test "$(json_get twice.json "[d[\"added\"], d[\"updated\"], d[\"files\"]]")" = "[0, 0, $(json_get d.json "d[\"files\"]")]" &&
	test "$(json_get twice.json "d[\"lines\"] > 0")" = True
'

test_expect_success 'a state with an empty path is damaged: read again, nothing doubled' '
	state="$TALLY_HOME/profile/import-state/claude-code.json" &&
	python3 - "$state" <<-\PY &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	d["files"][0]["path"] = ""
	json.dump(d, open(sys.argv[1], "w"))
	PY
	tally import claude-code "$CC" --json >empty.json 2>err &&
	test_grep "damaged" err &&
	test "$(json_get empty.json "[d[\"added\"], d[\"updated\"]]")" = "[0, 0]"
'

test_done
