#!/bin/sh
test_description='tally budget: states, check, hooks once per state'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

test_expect_success 'no budgets: a note, exit 0' '
	tally budget >out 2>err &&
	test_must_be_empty out &&
	test_grep "no budgets are configured" err &&
	tally budget check
'

test_expect_success 'setup: budgets and a hook' '
	cat >"$TALLY_HOME.yaml" <<-EOF &&
	budgets:
	  - name: daily
	    period: day
	    usd: 1
	  - name: openai-tokens
	    period: month
	    tokens: 10000
	    provider: openai
	    warn_percent: 50
	  - name: team-a
	    period: week
	    tokens: 1000000
	    tag: team=a
	hooks:
	  budget_alert: echo "\$TALLY_BUDGET_NAME \$TALLY_BUDGET_STATE \$TALLY_BUDGET_PERIOD_KEY \$TALLY_BUDGET_PERCENT \$TALLY_BUDGET_USED_USD \$TALLY_BUDGET_LIMIT_USD \$TALLY_BUDGET_USED_TOKENS" >>"$HOME/hooks.log"
	EOF
	cp "$TALLY_HOME.yaml" config.yaml &&
	mkdir -p .config/tally &&
	mv config.yaml .config/tally/config.yaml &&
	tally record -q -p openai -m m --input-tokens 3000 --cost 0.40 --tag team=a &&
	tally record -q -p anthropic -m c --input-tokens 9000 --cost 0.30
'

test_expect_success 'budget shows used, limit, remaining and state' '
	tally budget >out &&
	test_grep "^daily  *day 2026-11-24  *all  *\$0.7000  *\$1.00  *\$0.3000  *70%  .* under$" out &&
	test_grep "^openai-tokens  *month 2026-11  *all  *3,000 tok  *10,000 tok  *7,000 tok  *30%  .* under$" out &&
	test_grep "^team-a  *week 2026-W48  *all  *3,000 tok " out &&
	{ ! test -e hooks.log || test_must_be_empty hooks.log; }
'

test_expect_success 'check: all under is exit 0 and quiet' '
	tally budget check >out &&
	test_must_be_empty out
'

test_expect_success 'crossing 80% fires the hook once, whatever runs' '
	tally record -q -p openai -m m --input-tokens 10 --cost 0.15 &&
	tally summary >/dev/null &&
	tally status >/dev/null &&
	tally budget >/dev/null &&
	tally summary --json >/dev/null &&
	test_expect_code 10 tally budget check >out &&
	test_grep "^daily .* 85% .* warning$" out &&
	test_line_count = 2 out &&
	echo "daily warning 2026-11-24 85 0.85 1 12010" >expect &&
	test_cmp expect hooks.log
'

test_expect_success 'crossing 100% fires it once more' '
	tally record -q -p openai -m m --input-tokens 4000 --cost 0.20 &&
	test_expect_code 1 tally budget check -q >out &&
	test_must_be_empty out &&
	test_expect_code 1 tally budget check --json >b.json &&
	tally status >/dev/null &&
	cat >expect <<-\EOF &&
	daily warning 2026-11-24 85 0.85 1 12010
	daily exceeded 2026-11-24 105 1.05 1 16010
	openai-tokens warning 2026-11 70 0.75  7010
	EOF
	test_cmp expect hooks.log &&
	test "$(json_get b.json "d[\"exitCode\"]")" = 1 &&
	test "$(json_get b.json "[(b[\"name\"], b[\"state\"]) for b in d[\"budgets\"]]")" = \
		"[[\"daily\", \"exceeded\"], [\"openai-tokens\", \"warning\"], [\"team-a\", \"under\"]]"
'

test_expect_success 'a new period starts afresh and fires again' '
	TALLY_NOW=2026-11-25T09:00:00Z test_expect_code 10 tally budget check -q &&
	TALLY_NOW=2026-11-25T09:00:00Z tally record -q -p openai -m m --input-tokens 1 --cost 2 &&
	TALLY_NOW=2026-11-25T09:00:00Z test_expect_code 1 tally budget check -q &&
	tail -n 1 hooks.log >last &&
	echo "daily exceeded 2026-11-25 200 2 1 1" >expect &&
	test_cmp expect last
'

test_expect_success 'concurrent runs fire a hook once between them' '
	: >hooks.log &&
	TALLY_NOW=2026-11-26T09:00:00Z tally record -q -p openai -m m --cost 5 &&
	for i in 1 2 3 4 5 6; do
		TALLY_NOW=2026-11-26T09:00:00Z tally status >/dev/null &
	done &&
	wait &&
	test_line_count = 1 hooks.log
'

test_expect_success 'a failing hook is a warning, not a failure' '
	TALLY_NOW=2026-11-27T09:00:00Z tally record -q -p openai -m m --cost 5 &&
	TALLY_NOW=2026-11-27T09:00:00Z tally -c "hooks.budget_alert=exit 3" summary >out 2>err &&
	test_grep "warning: the budget hook for .daily. failed (exit 3)" err &&
	test -s out
'

test_expect_success 'the hook output does not mix with the data' '
	TALLY_NOW=2026-11-28T09:00:00Z tally record -q -p openai -m m --cost 5 &&
	TALLY_NOW=2026-11-28T09:00:00Z tally -c "hooks.budget_alert=echo HOOK" summary --json >out.json 2>err &&
	json_get out.json "d[\"budgetState\"]" >state &&
	echo exceeded >expect &&
	test_cmp expect state &&
	test_grep HOOK err
'

test_expect_success 'the monthly shorthand' '
	TALLY_HOME=$PWD/short &&
	export TALLY_HOME &&
	tally record -q -p openai -m m --input-tokens 900 &&
	tally -c monthly_token_budget=1000 -c alert_threshold_percent=90 budget --json >m.json &&
	test "$(json_get m.json "[(b[\"name\"], b[\"percent\"], b[\"state\"]) for b in d[\"budgets\"] if b[\"name\"]==\"monthly\"]")" = \
		"[[\"monthly\", 90, \"warning\"]]"
'

test_expect_success 'a session budget follows the current session' '
	TALLY_HOME=$PWD/sess &&
	export TALLY_HOME &&
	TALLY_SESSION=a tally record -q -p openai -m m --input-tokens 500 &&
	TALLY_SESSION=b tally record -q -p openai -m m --input-tokens 50 &&
	printf "budgets:\n  - name: per-session\n    period: session\n    tokens: 100\n" >s.yaml &&
	TALLY_SESSION=a tally --config s.yaml budget --json >a.json &&
	test "$(json_get a.json "d[\"budgets\"][0][\"state\"]")" = exceeded &&
	TALLY_SESSION=b tally --config s.yaml budget --json >b.json &&
	test "$(json_get b.json "d[\"budgets\"][0][\"percent\"]")" = 50
'

test_expect_success 'tag budgets read together: each counts its own entries' '
	TALLY_HOME=$PWD/tags &&
	export TALLY_HOME &&
	tally record -q -p openai -m m --input-tokens 100 --tag team=a &&
	tally record -q -p openai -m m --input-tokens 20 --tag team=b &&
	tally record -q -p anthropic -m c --input-tokens 3 --tag team=b &&
	tally record -q -p openai -m m --input-tokens 4000 \
		--started-at 2026-11-01T12:00:00Z --tag team=a &&
	cat >t.yaml <<-\EOF &&
	budgets:
	  - {name: a-day, period: day, tokens: 1000, tag: team=a}
	  - {name: b-day, period: day, tokens: 1000, tag: team=b}
	  - {name: all-month, period: month, tokens: 10000}
	  - {name: a-month, period: month, tokens: 10000, tag: team=a}
	  - {name: b-openai, period: month, tokens: 10000, tag: team=b, provider: openai}
	  - {name: a-profile, period: month, tokens: 10000, tag: team=a, scope: profile}
	EOF
	tally --config t.yaml budget --json >t.json &&
	test "$(json_get t.json "[(b[\"name\"], b[\"usedTokens\"]) for b in d[\"budgets\"]]")" = \
		"[[\"a-day\", 100], [\"b-day\", 23], [\"all-month\", 4123], [\"a-month\", 4100], [\"b-openai\", 20], [\"a-profile\", 4100]]"
'

test_expect_success 'misconfigured budgets are configuration errors' '
	printf "budgets:\n  - name: x\n    period: day\n" >nolimit.yaml &&
	test_expect_code 3 tally --config nolimit.yaml budget 2>err &&
	test_grep "budget .x. sets neither tokens nor usd" err &&
	printf "budgets:\n  - period: day\n    usd: 1\n" >noname.yaml &&
	test_expect_code 3 tally --config noname.yaml budget 2>err &&
	test_grep "budgets.0 has no name" err &&
	printf "budgets:\n  - name: x\n    usd: 1\n  - name: x\n    usd: 2\n" >dup.yaml &&
	test_expect_code 3 tally --config dup.yaml budget 2>err &&
	test_grep "two budgets are named .x." err &&
	printf "budgets:\n  - name: x\n    usd: 1\n    period: year\n" >per.yaml &&
	test_expect_code 3 tally --config per.yaml budget 2>err &&
	test_grep "period. expects one of session|day|week|month" err
'

test_expect_success 'named budgets: shown and checked alone' '
	tally budget team-a >out &&
	test_line_count = 2 out &&
	test_grep "^team-a " out &&
	tally budget check team-a >out &&
	test_must_be_empty out &&
	tally budget --json daily team-a >b.json &&
	test "$(json_get b.json "[b[\"name\"] for b in d[\"budgets\"]]")" = \
		"[\"daily\", \"team-a\"]" &&
	tally budget check --json team-a >c.json &&
	test "$(json_get c.json "d[\"exitCode\"]")" = 0
'

test_expect_success 'usage errors' '
	test_expect_code 2 tally budget frobnicate 2>err &&
	test_grep "^tally: no budget is named .frobnicate. (the budgets: daily, openai-tokens, team-a)$" err &&
	test_expect_code 2 tally budget -q 2>err &&
	test_expect_code 2 tally budget check extra 2>err
'

test_done
