#!/bin/sh
test_description='summary: what subscriptions covered, at API prices, by month'
. ./test-lib.sh

TALLY_NOW=2026-12-03T12:00:00Z
export TALLY_NOW

# Claude Code's November (six requests, from its logs) in the profile;
# API calls to Anthropic and OpenAI from a repository, in October to
# December.
test_expect_success 'setup: an agent and API calls, in two scopes' '
	mkdir -p .config/tally a/.git &&
	cat >.config/tally/config.yaml <<-\EOF &&
	subscriptions:
	  - name: Claude Max
	    monthly_usd: 100
	    provider: anthropic
	    agents: [claude-code]
	  - name: OpenAI team
	    monthly_usd: 25
	    provider: openai
	    since: 2026-11-10
	EOF
	tally import claude-code "$FIXTURES/claude-code" >/dev/null &&
	(cd a &&
	 tally record -q -p anthropic -m claude-sonnet-4-20250514 \
		--input-tokens 1000 --output-tokens 100 --cost 0.5 \
		--started-at 2026-11-20T10:00:00Z &&
	 tally record -q -p openai -m gpt-4o --input-tokens 100 \
		--cost 30 --started-at 2026-10-05T10:00:00Z &&
	 tally record -q -p openai -m gpt-4o --input-tokens 200 \
		--cost 40 --started-at 2026-11-05T10:00:00Z &&
	 tally record -q -p openai -m in-house-ft --input-tokens 300 \
		--output-tokens 0 --started-at 2026-12-02T10:00:00Z)
'

test_expect_success 'the plan counts its agent only, in every scope' '
	(cd a && tally summary --since 2026-10-01 --json >../s.json) &&
	tally summary --since 2026-11-01 --until 2026-12-01 --by source \
		--json >src.json &&
	json_get src.json "[[g[\"source\"], g[\"requests\"], g[\"costUsd\"]] for g in d[\"groups\"] if g[\"source\"] == \"import:claude-code\"]" >want &&
	json_get s.json "[[\"import:claude-code\", m[\"requests\"], m[\"apiCostUsd\"]] for p in d[\"subscriptions\"] if p[\"name\"] == \"Claude Max\" for m in p[\"months\"] if m[\"month\"] == \"2026-11\"]" >got &&
	test_cmp want got &&
	test_grep "\"import:claude-code\", 6," got
'

test_expect_success 'every month of the window, the current one incomplete' '
	json_get s.json "[(m[\"month\"], m[\"complete\"], m[\"requests\"]) for m in d[\"subscriptions\"][0][\"months\"]]" >got &&
	echo "[[\"2026-10\", true, 0], [\"2026-11\", true, 6], [\"2026-12\", false, 0]]" >expect &&
	test_cmp expect got
'

test_expect_success 'value is the API price over the plan price; since cuts months' '
	json_get s.json "[(m[\"month\"], m[\"apiCostUsd\"], m[\"valueRatio\"], m[\"unpricedCount\"]) for m in d[\"subscriptions\"][1][\"months\"]]" >got &&
	echo "[[\"2026-11\", 40, 1.6, 0], [\"2026-12\", null, null, 1]]" >expect &&
	test_cmp expect got &&
	json_get s.json "[d[\"subscriptions\"][1][k] for k in (\"name\", \"monthlyUsd\", \"provider\", \"agents\")]" >got &&
	echo "[\"OpenAI team\", 25, \"openai\", []]" >expect &&
	test_cmp expect got
'

test_expect_success 'the table says the same for people' '
	(cd a && tally summary --since 2026-10-01 >../out) &&
	test_grep "^Subscriptions (the usage each plan covered, at API prices, in every workspace)" out &&
	test_grep "^  PLAN  *MONTH  *REQUESTS  *TOKENS  *API PRICE  *PLAN PRICE  *VALUE" out &&
	test_grep "^  Claude Max  *2026-10  *0  *0  *-  *\$100.00  *0.00x$" out &&
	test_grep "^  OpenAI team  *2026-11  *1  *200  *\$40.00  *\$25.00  *1.60x$" out &&
	test_grep "^  *2026-12  *1  *300  *unpriced  *\$25.00  *unpriced so far$" out
'

test_expect_success 'not for a session, a block or --perf; JSON leaves it out' '
	tally summary --window session --json >sess.json &&
	json_get sess.json "\"subscriptions\" in d" >got &&
	echo False >expect &&
	test_cmp expect got &&
	tally summary --window block >out &&
	! grep -q Subscriptions out
'

test_expect_success 'without subscriptions, no table' '
	mkdir elsewhere &&
	HOME=$PWD/elsewhere tally summary >out &&
	test_grep "^Requests" out &&
	! grep -q Subscriptions out
'

test_expect_success 'the same after compaction folded the months into rollups' '
	tally -c retention_days=1 compact >/dev/null &&
	(cd a && tally -c retention_days=1 compact >/dev/null) &&
	(cd a && tally summary --since 2026-10-01 --json >../after.json) &&
	json_get s.json "d[\"subscriptions\"]" >before &&
	json_get after.json "d[\"subscriptions\"]" >after &&
	test_cmp before after &&
	grep -q "\"source\":\"import:claude-code\".*\"kind\":\"rollup\"" "$(ledger)"
'

cfg_fails() {
	cat >bad.yaml &&
	test_expect_code 3 env TALLY_CONFIG=$PWD/bad.yaml tally summary 2>err &&
	test_grep "$1" err
}

test_expect_success 'bad subscriptions are refused with exit 3' '
	printf "subscriptions:\n  - monthly_usd: 5\n    provider: x\n" |
		cfg_fails "^tally: subscriptions.0 has no name" &&
	printf "subscriptions:\n  - name: P\n    provider: x\n" |
		cfg_fails "^tally: subscription .P. needs monthly_usd" &&
	printf "subscriptions:\n  - name: P\n    monthly_usd: -3\n    provider: x\n" |
		cfg_fails "monthly_usd" &&
	printf "subscriptions:\n  - name: P\n    monthly_usd: 5\n" |
		cfg_fails "^tally: subscription .P. covers nothing" &&
	printf "subscriptions:\n  - name: P\n    monthly_usd: 5\n    agents: [cursor]\n" |
		cfg_fails "^tally: subscription .P.: unknown agent .cursor." &&
	printf "subscriptions:\n  - name: P\n    monthly_usd: 5\n    provider: x\n    since: March\n" |
		cfg_fails "since wants the day the plan was taken" &&
	printf "subscriptions:\n  - name: P\n    monthly_usd: 5\n    provider: x\n  - name: P\n    monthly_usd: 6\n    provider: y\n" |
		cfg_fails "two subscriptions are named .P." &&
	printf "subscriptions:\n  - name: P\n    monthly_usd: [5]\n    provider: x\n" |
		cfg_fails "monthly_usd"
'

test_expect_success 'a cloned repository cannot claim a plan until trusted' '
	mkdir -p clone/.git &&
	printf "subscriptions:\n  - name: Repo plan\n    monthly_usd: 1\n    provider: openai\n" \
		>clone/.tally.yaml &&
	(cd clone && tally summary >../out 2>../err) &&
	! grep -q "Repo plan" out &&
	test_grep "subscriptions" err &&
	(cd clone && tally config trust . >/dev/null &&
	 tally summary >../out) &&
	test_grep "Repo plan" out
'

test_done
