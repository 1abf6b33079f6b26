#!/bin/sh
test_description='usage by tag from the summary cache: the figures the ledger gives'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

# sum <args...>: "<source> <requests> <input tokens>" of a summary
sum() {
	tally summary --json "$@" >s.json &&
	json_get s.json "\"%s %d %d\" % (d[\"source\"], d[\"requests\"], d[\"inputTokens\"])"
}

rec() {
	tally -c auto_compact=false record -p openai -m gpt-4.1 "$@"
}

test_expect_success 'setup: tagged usage over three months' '
	a1=$(rec --input-tokens 100 --tag team=a) &&
	echo $a1 >a1 &&
	rec -q --input-tokens 10 --tag team=a -p anthropic -m claude-sonnet-4-5 \
		--started-at 2026-11-20T10:00:00Z &&
	rec -q --input-tokens 1000 --tag team=b &&
	rec -q --input-tokens 5 --tag team=a --tag project=x \
		--started-at 2026-11-23T10:00:00Z &&
	rec -q --input-tokens 7 &&
	rec -q --input-tokens 10000 --tag team=a --started-at 2026-10-10T10:00:00Z &&
	rec -q --input-tokens 90000 --tag team=a --started-at 2026-08-01T10:00:00Z
'

test_expect_success 'one tag: from the cache, as the ledger counts it' '
	test "$(sum --tag team=a)" = "rollups 3 115" &&
	test "$(sum --tag team)" = "rollups 4 1115" &&
	test "$(sum --tag project=x)" = "rollups 1 5" &&
	test "$(sum --tag team=c)" = "rollups 0 0" &&
	test "$(sum --tag team=a --since 2026-10-01)" = "rollups 4 10115" &&
	test "$(sum --tag team=a -p anthropic)" = "rollups 1 10" &&
	tally summary --tag team=a --by provider --json >p.json &&
	test "$(json_get p.json "[(g[\"provider\"], g[\"inputTokens\"]) for g in d[\"groups\"]]")" = \
		"[[\"openai\", 105], [\"anthropic\", 10]]" &&
	tally summary --tag team=a --by day --since 2026-11-20 --json >d.json &&
	test "$(json_get d.json "[(g[\"day\"], g[\"requests\"]) for g in d[\"groups\"]]")" = \
		"[[\"2026-11-20\", 1], [\"2026-11-23\", 1], [\"2026-11-24\", 1]]"
'

test_expect_success 'what the cache cannot answer, the ledger does' '
	test "$(sum --tag team=a --since 2026-08-01)" = "ledger 5 100115" &&
	test "$(sum --tag team=a --tag project=x)" = "ledger 1 5" &&
	test "$(sum --tag team=a --last 24h)" = "ledger 1 100" &&
	test "$(sum --tag team=a --by source)" = "ledger 3 115"
'

test_expect_success 'an entry that changes its tag moves its usage' '
	rec -q --entry $(cat a1) --tag team=b --input-tokens 300 &&
	test "$(sum --tag team=a)" = "rollups 2 15" &&
	test "$(sum --tag team=b)" = "rollups 2 1300" &&
	test "$(sum --tag team)" = "rollups 4 1315"
'

test_expect_success 'tag budgets are counted alike' '
	cat >b.yaml <<-\EOF &&
	budgets:
	  - {name: a, period: month, tokens: 100, tag: team=a}
	  - {name: b, period: day, tokens: 100, tag: team=b}
	EOF
	tally --config b.yaml budget --json >b.json &&
	test "$(json_get b.json "[(b[\"name\"], b[\"usedTokens\"]) for b in d[\"budgets\"]]")" = \
		"[[\"a\", 15], [\"b\", 1300]]"
'

test_expect_success 'every workspace: the caches of each add up' '
	mkdir -p w1/.git w2/.git &&
	(cd w1 && rec -q --input-tokens 40 --tag team=a) &&
	(cd w2 && rec -q --input-tokens 2 --tag team=a) &&
	(cd w1 && test "$(sum --tag team=a)" = "rollups 1 40") &&
	(cd w1 && test "$(sum --tag team=a --all-workspaces)" = "rollups 4 57")
'

test_expect_success 'the days kept move on with the clock' '
	export TALLY_NOW=2027-01-30T12:00:00Z &&
	rec -q --input-tokens 3 --tag team=a &&
	test "$(sum --tag team=a)" = "rollups 1 3" &&
	test "$(sum --tag team=a --since 2026-11-01 --until 2026-12-01)" = "ledger 2 15" &&
	tally summary --json >all.json &&
	test "$(json_get all.json "d[\"cache\"][\"rebuilt\"]")" = False &&
	test "$(json_get "$TALLY_HOME/profile/usage-summary.json" "min(r[0] for r in d[\"tagRollups\"])")" -ge \
		"$(json_get "$TALLY_HOME/profile/usage-summary.json" "d[\"tagsFrom\"]")"
'

test_expect_success 'a tag of too many values: the ledger answers' '
	export TALLY_NOW=2026-11-24T12:00:00Z &&
	export TALLY_HOME=$PWD/many &&
	mkdir -p "$TALLY_HOME/profile" &&
	python3 - "$TALLY_HOME/profile/usage-ledger.jsonl" <<-\EOF &&
	import json, sys
	with open(sys.argv[1], "w") as f:
	    for i in range(20001):
	        print(json.dumps({"v": 1, "entryId": "u_%020x" % i,
	                          "providerId": "openai", "modelId": "gpt-4.1",
	                          "startedAt": 1795514400000, "billedInputTokens": 1,
	                          "tags": {"req": "r%d" % i}}), file=f)
	EOF
	test "$(sum --tag req)" = "ledger 20001 20001" &&
	test "$(sum --tag req=r7)" = "ledger 1 1" &&
	test "$(json_get "$TALLY_HOME/profile/usage-summary.json" "(d[\"tagsOverflow\"], len(d[\"tagRollups\"]))")" = "[1, 0]"
'

test_done
