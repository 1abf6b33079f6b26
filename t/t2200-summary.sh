#!/bin/sh
test_description='tally summary: totals, windows, groups, time zones, perf'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

# The models are made-up names that no price table knows: the costs here
# are the given ones. Entries lie months back to test the calendar;
# automatic compaction would fold them into day rollups (t6100 tests it).
rec() {
	tally -c auto_compact=false record -q "$@"
}

# sj <jq-like python expression> [summary args...]: one JSON value.
sj() {
	expr=$1
	shift
	tally summary --json "$@" >sj.json &&
	json_get sj.json "$expr"
}

test_expect_success 'setup: entries with known numbers' '
	rec -p openai -m acme-lm --started-at 2026-11-24T09:00:00Z \
		--input-tokens 1000 --output-tokens 200 --cache-read-tokens 400 \
		--cost 0.01 --session s1 --tag team=a --latency-ms 1000 --ttft-ms 100 &&
	rec -p openai -m acme-lm --started-at 2026-11-24T10:00:00Z \
		--input-tokens 3000 --output-tokens 600 --cost 0.03 --session s1 \
		--tag team=b --latency-ms 3000 --ttft-ms 300 &&
	rec -p anthropic -m claude-sonnet-4 --started-at 2026-11-24T11:00:00Z \
		--input-tokens 5000 --output-tokens 1000 --cache-write-tokens 2000 \
		--reasoning-tokens 100 --estimated-cost 0.05 --session s2 --tag team=a &&
	rec -p gemini -m gemini-in-house1 --started-at 2026-11-23T11:00:00Z \
		--input-tokens 100 --output-tokens 50 --session s0 &&
	rec -p openai -m gpt-4o-mini --started-at 2026-11-24T11:30:00Z \
		--status failed --error rate_limit_exceeded --http-status 429 \
		--throttle-wait-ms 2000 --latency-ms 50 --session s2 &&
	rec -p openai -m acme-lm --started-at 2026-10-31T23:00:00Z \
		--input-tokens 10 --output-tokens 10 --cost 0.001 --session sOld
'

test_expect_success 'the day: exact totals' '
	tally summary --json --window day >day.json &&
	for pair in requests=4 inputTokens=9000 outputTokens=1800 \
		totalTokens=10800 cacheReadTokens=400 cacheWriteTokens=2000 \
		reasoningTokens=100 billedCostUsd=0.04 estimatedCostUsd=0.05 \
		costUsd=0.09 unpricedCount=0 failedCount=1 window=day \
		since=2026-11-24T00:00:00Z until=2026-11-25T00:00:00Z; do
		test "$(json_get day.json "d[\"${pair%%=*}\"]")" = "${pair#*=}" ||
		{ echo "$pair: $(json_get day.json "d[\"${pair%%=*}\"]")" >&2; return 1; }
	done
'

test_expect_success 'shares by provider and model' '
	tally summary --json --window day >day.json &&
	test "$(json_get day.json "[(g[\"provider\"], g[\"totalTokens\"], round(g[\"sharePercent\"], 1)) for g in d[\"byProvider\"]]")" = \
		"[[\"anthropic\", 6000, 55.6], [\"openai\", 4800, 44.4]]" &&
	test "$(json_get day.json "[(g[\"model\"], g[\"requests\"]) for g in d[\"byModel\"]]")" = \
		"[[\"claude-sonnet-4\", 1], [\"acme-lm\", 2], [\"gpt-4o-mini\", 1]]"
'

test_expect_success 'the month (the default) adds the unpriced day before' '
	test "$(sj "d[\"requests\"]")" = 5 &&
	test "$(sj "d[\"totalTokens\"]")" = 10950 &&
	test "$(sj "d[\"unpricedCount\"]")" = 1 &&
	test "$(sj "d[\"costUsd\"]")" = 0.09 &&
	test "$(sj "d[\"source\"]")" = rollups
'

test_expect_success 'the workspace is everything' '
	test "$(sj "d[\"requests\"]" --window workspace)" = 6 &&
	test "$(sj "d[\"billedCostUsd\"]" --window workspace)" = 0.041
'

test_expect_success 'the week starts on Monday' '
	test "$(sj "d[\"since\"]" --window week)" = 2026-11-23T00:00:00Z &&
	test "$(sj "d[\"requests\"]" --window week)" = 5
'

test_expect_success 'session: TALLY_SESSION, else the latest' '
	test "$(sj "d[\"session\"]" --window session)" = sOld &&
	test "$(sj "d[\"requests\"]" --window session)" = 1 &&
	TALLY_SESSION=s2 tally summary --json --window session >s.json &&
	test "$(json_get s.json "d[\"requests\"]")" = 2 &&
	test "$(json_get s.json "d[\"totalTokens\"]")" = 6000
'

test_expect_success '--last and --since/--until read the ledger' '
	tally summary --json --last 2h >l.json &&
	test "$(json_get l.json "d[\"requests\"]")" = 3 &&
	test "$(json_get l.json "d[\"totalTokens\"]")" = 9600 &&
	test "$(json_get l.json "d[\"source\"]")" = ledger &&
	test "$(sj "d[\"totalTokens\"]" --since 2026-11-24T09:30:00Z --until 2026-11-24T11:00:00Z)" = 3600 &&
	test "$(sj "d[\"source\"]" --since 2026-11-23 --until 2026-11-24)" = rollups &&
	test "$(sj "d[\"totalTokens\"]" --since 2026-11-23 --until 2026-11-24)" = 150
'

test_expect_success 'from the ledger, the same totals and groups as from the rollups' '
	tally summary --json --window workspace >rollups.json &&
	tally summary --json --window workspace --tz UTC >ledger.json &&
	test "$(json_get ledger.json "d[\"source\"]")" = ledger &&
	for k in byProvider byModel totalTokens requests costUsd; do
		json_get rollups.json "d[\"$k\"]" >a &&
		json_get ledger.json "d[\"$k\"]" >b &&
		test_cmp a b || return 1
	done
'

test_expect_success 'filters: provider, model glob, tag' '
	test "$(sj "d[\"totalTokens\"]" -p openai --window workspace)" = 4820 &&
	test "$(sj "d[\"requests\"]" -m "acme-*" --window day)" = 2 &&
	test "$(sj "d[\"totalTokens\"]" --tag team=b --window day)" = 3600 &&
	test "$(sj "d[\"totalTokens\"]" --tag team --window day)" = 10800
'

test_expect_success '--by tag:<key> and --by session' '
	test "$(sj "[(g[\"tag:team\"], g[\"totalTokens\"]) for g in d[\"groups\"]]" --window day --by tag:team)" = \
		"[[\"a\", 7200], [\"b\", 3600], [\"\", 0]]" &&
	test "$(sj "[(g[\"session\"], g[\"requests\"]) for g in d[\"groups\"]]" --window workspace --by session)" = \
		"[[\"s2\", 2], [\"s1\", 2], [\"s0\", 1], [\"sOld\", 1]]"
'

test_expect_success '--by day, week and month in time order' '
	test "$(sj "[(g[\"day\"], g[\"totalTokens\"]) for g in d[\"groups\"]]" --window workspace --by day)" = \
		"[[\"2026-10-31\", 20], [\"2026-11-23\", 150], [\"2026-11-24\", 10800]]" &&
	test "$(sj "[g[\"week\"] for g in d[\"groups\"]]" --window workspace --by week)" = \
		"[\"2026-W44\", \"2026-W48\"]" &&
	test "$(sj "[(g[\"month\"], g[\"requests\"]) for g in d[\"groups\"]]" --window workspace --by month)" = \
		"[[\"2026-10\", 1], [\"2026-11\", 5]]" &&
	test "$(sj "[(g[\"provider\"], g[\"model\"]) for g in d[\"groups\"]]" --window day --by provider --by model)" = \
		"[[\"anthropic\", \"claude-sonnet-4\"], [\"openai\", \"acme-lm\"], [\"openai\", \"gpt-4o-mini\"]]"
'

test_expect_success 'the human summary' '
	cat >expect <<-\EOF &&
	Usage · day (2026-11-24 to 2026-11-24) · profile

	Requests            4  1 failed, 0 in progress
	Input tokens    9,000  cache read 400, cache write 2,000
	Output tokens   1,800  reasoning 100
	Total tokens   10,800
	Cost           $0.0400 billed, ~$0.0500 estimated, total ~$0.0900
	Per request    ~$0.0300, 3,600 tokens

	By provider
	PROVIDER   REQUESTS  TOKENS  SHARE      COST
	anthropic         1   6,000  55.6%  ~$0.0500
	openai            3   4,800  44.4%   $0.0400

	By model
	MODEL            REQUESTS  TOKENS  SHARE      COST
	claude-sonnet-4         1   6,000  55.6%  ~$0.0500
	acme-lm                 2   4,800  44.4%   $0.0400
	gpt-4o-mini             1       0   0.0%         -

	Projection 21,600 tok, ~$0.1800 by the end of the window at the pace so far (50% of it gone)

	Sync: 5 pending, 0 failed
	  No key for anthropic (ANTHROPIC_ADMIN_KEY), openai (OPENAI_ADMIN_KEY):
	  their entries stay pending (see tally-sync(1)).
	EOF
	(
		unset ANTHROPIC_ADMIN_KEY OPENAI_ADMIN_KEY &&
		tally summary --window day >out
	) &&
	test_cmp expect out &&
	OPENAI_ADMIN_KEY=k tally -c providers.anthropic.api_key_command=true \
		summary --window day >out &&
	test_grep "^Sync: 5 pending, 0 failed$" out &&
	test_grep -v "No key" out
'

test_expect_success '--by day draws a bar per day' '
	tally summary --window workspace --by day >out &&
	test_grep "^2026-11-24  *4  *10,800  *98.5%  *~\$0.0900  *\(█\)\{24\}$" out &&
	test_grep "^2026-10-31 .*  \$0.0010  *\(░\)\{24\}$" out
'

test_expect_success 'unpriced usage is never shown as $0' '
	tally summary -p gemini >out &&
	test_grep "^Cost           none priced; 1 request unpriced$" out &&
	test_grep "^gemini  *1  *150  *100.0%  *unpriced$" out &&
	tally summary >out &&
	test_grep "Cost .* total ~\$0.0900; 1 request unpriced" out &&
	test_grep "^openai .* \$0.0400$" out
'

test_expect_success 'the top 5 models, or --all' '
	for i in 1 2 3 4 5 6; do
		TALLY_HOME=$PWD/many rec -p openai -m model-$i --input-tokens $i || return 1
	done &&
	TALLY_HOME=$PWD/many tally summary >out &&
	test_grep "^By model (top 5 of 6; --all shows every one)" out &&
	test_grep -v "^model-1 " out &&
	TALLY_HOME=$PWD/many tally summary --all >out &&
	test_grep "^model-1 " out
'

test_expect_success 'cost modes' '
	test "$(sj "d[\"costUsd\"]" --window day)" = 0.09 &&
	tally -c cost_mode=provider summary --json --window day >p.json &&
	test "$(json_get p.json "d[\"costUsd\"]")" = 0.04 &&
	test "$(json_get p.json "d[\"unpricedCount\"]")" = 1 &&
	tally -c cost_mode=estimate summary --json --window day >e.json &&
	test "$(json_get e.json "d[\"costUsd\"]")" = 0.05 &&
	test "$(json_get e.json "d[\"unpricedCount\"]")" = 2
'

test_expect_success 'DST: America/New_York days are 23 and 25 hours long' '
	mkdir dst &&
	export TALLY_HOME=$PWD/dst &&
	for t in 2026-03-08T04:30:00Z 2026-03-08T06:30:00Z 2026-03-09T03:30:00Z \
		 2026-03-09T04:30:00Z 2026-11-01T04:30:00Z 2026-11-02T04:30:00Z; do
		rec -p openai -m m --started-at $t --input-tokens 1 || return 1
	done &&
	want="[[\"2026-03-07\", 1], [\"2026-03-08\", 2], [\"2026-03-09\", 1], [\"2026-11-01\", 2]]" &&
	TALLY_NOW=2026-11-20T12:00:00Z tally -c timezone=America/New_York \
		summary --json --window workspace --by day >ny.json &&
	test "$(json_get ny.json "[(g[\"day\"], g[\"requests\"]) for g in d[\"groups\"]]")" = "$want" &&
	TALLY_NOW=2026-11-20T12:00:00Z tally summary --json --window workspace --by day --tz America/New_York >tz.json &&
	test "$(json_get tz.json "[(g[\"day\"], g[\"requests\"]) for g in d[\"groups\"]]")" = "$want" &&
	TALLY_NOW=2026-03-08T16:00:00Z tally -c timezone=America/New_York summary --json --window day >d.json &&
	test "$(json_get d.json "d[\"since\"]")" = 2026-03-08T05:00:00Z &&
	test "$(json_get d.json "d[\"until\"]")" = 2026-03-09T04:00:00Z &&
	test "$(json_get d.json "d[\"requests\"]")" = 2
'

test_expect_success 'a month boundary in Europe/Berlin' '
	mkdir berlin &&
	export TALLY_HOME=$PWD/berlin &&
	rec -p openai -m m --started-at 2026-11-30T22:30:00Z --input-tokens 7 &&
	rec -p openai -m m --started-at 2026-11-30T23:30:00Z --input-tokens 9 &&
	TALLY_NOW=2026-12-05T12:00:00Z tally -c timezone=Europe/Berlin summary --json --window workspace --by month >m.json &&
	test "$(json_get m.json "[(g[\"month\"], g[\"totalTokens\"]) for g in d[\"groups\"]]")" = \
		"[[\"2026-11\", 7], [\"2026-12\", 9]]" &&
	TALLY_NOW=2026-12-05T12:00:00Z tally -c timezone=UTC summary --json --window workspace --by month >u.json &&
	test "$(json_get u.json "[(g[\"month\"], g[\"totalTokens\"]) for g in d[\"groups\"]]")" = \
		"[[\"2026-11\", 16]]" &&
	TALLY_NOW=2026-12-05T12:00:00Z tally -c timezone=Europe/Berlin summary --json >dec.json &&
	test "$(json_get dec.json "d[\"totalTokens\"]")" = 9
'

test_expect_success '--perf: the seed metrics per provider' '
	tally summary --perf --json --window day >p.json &&
	test "$(json_get p.json "[p[\"providerName\"] for p in d[\"providers\"]]")" = "[\"anthropic\", \"openai\"]" &&
	test "$(json_get p.json "d[\"providers\"][1][\"totalRequests\"]")" = 3 &&
	test "$(json_get p.json "d[\"providers\"][1][\"totalTokens\"]")" = 4800 &&
	test "$(json_get p.json "d[\"providers\"][1][\"averageLatency\"]")" = 1350 &&
	test "$(json_get p.json "d[\"providers\"][1][\"timeToFirstToken\"]")" = 200 &&
	test "$(json_get p.json "d[\"providers\"][1][\"throttleWaitTimeMs\"]")" = 2000 &&
	test "$(json_get p.json "round(d[\"providers\"][1][\"errorRate\"], 4)")" = 0.3333 &&
	test "$(json_get p.json "d[\"providers\"][1][\"errors\"]")" = \
		"[{\"timestamp\": 1795519800000, \"duration\": 50, \"error\": \"rate_limit_exceeded\"}]" &&
	test "$(json_get p.json "d[\"providers\"][0][\"sessionTokenUsage\"]")" = \
		"{\"input\": 5000, \"output\": 1000, \"tool\": 0, \"thought\": 100, \"total\": 6000}" &&
	test "$(json_get p.json "round(d[\"providers\"][1][\"tokensPerMinute\"], 3)")" = 6.667 &&
	test "$(json_get p.json "d[\"providers\"][0][\"timeToFirstToken\"]")" = None
'

test_expect_success '--perf counts the last minute' '
	TALLY_NOW=2026-11-24T11:00:30Z tally summary --perf --json --window day >p.json &&
	test "$(json_get p.json "[(p[\"providerName\"], p[\"tokensLastMinute\"]) for p in d[\"providers\"]]")" = \
		"[[\"anthropic\", 6000], [\"openai\", 0]]"
'

test_expect_success '--perf in a table' '
	tally summary --perf --window day >out &&
	test_grep "^openai  *3  *4,800 .* 1350 ms  *200 ms  *2000 ms  *1 (33.3%)$" out &&
	test_grep "rate_limit_exceeded  after 50 ms" out
'

test_expect_success '--all-workspaces adds up every scope' '
	mkdir -p w1/.git w2/.git &&
	(cd w1 && rec -p openai -m m --input-tokens 100) &&
	(cd w2 && rec -p openai -m m --input-tokens 20) &&
	rec -p openai -m m --input-tokens 3 &&
	tally summary --all-workspaces --json --window workspace >all.json &&
	test "$(json_get all.json "d[\"scope\"]")" = all &&
	test "$(json_get all.json "d[\"totalTokens\"]")" = $((100 + 20 + 3 + 10970))
'

test_expect_success '--all-workspaces reads only workspace directories' '
	mkdir -p "$TALLY_HOME/workspaces/not-an-id" &&
	cp "$TALLY_HOME/profile/usage-ledger.jsonl" \
		"$TALLY_HOME/workspaces/not-an-id/" &&
	tally summary --all-workspaces --json --window workspace >all2.json &&
	test "$(json_get all2.json "d[\"totalTokens\"]")" = $((100 + 20 + 3 + 10970))
'

test_expect_success '--perf --all-workspaces reads every ledger' '
	tally summary --perf --json --window workspace >one.json &&
	tally summary --perf --all-workspaces --json --window workspace >every.json &&
	test "$(json_get one.json "[p[\"totalRequests\"] for p in d[\"providers\"] if p[\"providerName\"] == \"openai\"]")" = "[5]" &&
	test "$(json_get every.json "[p[\"totalRequests\"] for p in d[\"providers\"] if p[\"providerName\"] == \"openai\"]")" = "[7]"
'

test_expect_success '--format csv: the groups, plain numbers, read back by Python' '
	tally summary --format csv >s.csv &&
	python3 - s.csv >got <<-\EOF &&
	import csv, sys
	rows = list(csv.DictReader(open(sys.argv[1], newline="")))
	for r in rows:
	    print(r["provider"], r["model"], r["requests"], r["totalTokens"],
	          r["billedCostUsd"], r["estimatedCostUsd"], repr(r["costUsd"]),
	          r["unpricedCount"], r["failedCount"])
	EOF
	cat >expect <<-\EOF &&
	anthropic claude-sonnet-4 1 6000 0 0.05 '\''0.05'\'' 0 0
	openai acme-lm 2 4800 0.04 0 '\''0.04'\'' 0 0
	gemini gemini-in-house1 1 150 0 0 '\'''\'' 1 0
	openai m 1 3 0 0 '\'''\'' 1 0
	openai gpt-4o-mini 1 0 0 0 '\''0'\'' 0 1
	EOF
	test_cmp expect got &&
	head -1 s.csv | tr -d "\r" >h &&
	test "$(cat h)" = "provider,model,requests,inputTokens,outputTokens,cacheReadTokens,cacheWriteTokens,reasoningTokens,failedCount,totalTokens,billedCostUsd,estimatedCostUsd,costUsd,unpricedCount" &&
	tally summary --format csv --by tag:team --window day >t.csv &&
	head -1 t.csv | cut -d, -f1-2 >h &&
	test "$(cat h)" = "tag:team,requests"
'

test_expect_success '--format markdown: a table to paste, with a total' '
	tally summary --format markdown --by day --window week >md &&
	cat >expect <<-\EOF &&
	| DAY | REQUESTS | TOKENS | SHARE | COST |
	| --- | ---: | ---: | ---: | ---: |
	| 2026-11-23 | 1 | 150 | 1.4% | unpriced |
	| 2026-11-24 | 5 | 10,803 | 98.6% | ~$0.0900 +1 unpriced |
	| Total | 6 | 10,953 | 100.0% | ~$0.0900 +2 unpriced |
	EOF
	test_cmp expect md &&
	tally summary --format markdown >md &&
	test_grep "^| PROVIDER | MODEL | REQUESTS | TOKENS | SHARE | COST |$" md &&
	test_grep "^| Total |  | 6 |" md &&
	tally summary --format json >a.json &&
	tally summary --json >b.json &&
	test_cmp a.json b.json
'

test_expect_success 'a model name that would be a formula or break a table' '
	TALLY_HOME=$PWD/odd tally record -q -p openai -m "=HYPERLINK(x)|y" \
		--input-tokens 5 --cost 0.01 &&
	TALLY_HOME=$PWD/odd tally summary --format csv >odd.csv &&
	test_grep "^openai,'\''=HYPERLINK(x)|y,1," odd.csv &&
	TALLY_HOME=$PWD/odd tally summary --format markdown >odd.md &&
	test_grep "| =HYPERLINK(x)\\\\|y |" odd.md
'

test_expect_success 'usage errors' '
	test_expect_code 2 tally summary --format xml 2>err &&
	test_grep "^tally: --format expects table, json, csv or markdown, not .xml.$" err &&
	test_grep "^see .tally summary -h.$" err &&
	test_line_count = 2 err &&
	test_expect_code 2 tally summary --json --format csv 2>err &&
	test_expect_code 2 tally summary --perf --format csv 2>err &&
	test_expect_code 2 tally summary --window year 2>err &&
	test_grep "window expects session, day, week, month, block or workspace" err &&
	test_expect_code 2 tally summary --by colour 2>err &&
	test_grep "by expects provider, model" err &&
	test_expect_code 2 tally summary --last soon 2>err &&
	test_grep "last expects a duration" err &&
	test_expect_code 2 tally summary --last 99999999d 2>err &&
	test_grep "^tally: --last 99999999d is longer than tally counts (at most 11574074d)$" err &&
	test_expect_code 2 tally summary --window day --since 1h 2>err &&
	test_expect_code 2 tally summary --perf --by model 2>err &&
	test_expect_code 2 tally summary --tz Mars/Base 2>err &&
	test_grep "unknown time zone" err &&
	test_expect_code 2 tally summary --since never 2>err
'

test_expect_success 'no ledger: an empty summary, nothing created' '
	TALLY_HOME=$PWD/nothing tally summary --json >e.json &&
	test "$(json_get e.json "d[\"requests\"]")" = 0 &&
	! test -e nothing
'

test_done
