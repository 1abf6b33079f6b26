#!/bin/sh
test_description='budget scopes: a budget of the user counts every workspace'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

rec() {
	tally record -q -p openai -m gpt-4o --input-tokens 10 "$@"
}

# budget_field <json> <budget name> <field>
budget_field() {
	json_get "$1" "[b[\"$3\"] for b in d[\"budgets\"] if b[\"name\"] == \"$2\"]"
}

test_expect_success 'setup: $7 spent in two repositories and the profile' '
	mkdir -p .config/tally a/.git b/.git &&
	cat >.config/tally/config.yaml <<-\EOF &&
	budgets:
	  - name: account
	    usd: 5
	  - name: profile-only
	    usd: 2
	    scope: profile
	EOF
	(cd a && rec --cost 3) &&
	(cd b && rec --cost 2.5) &&
	rec --cost 1.5
'

test_expect_success 'a user budget counts every scope, from a workspace' '
	(cd a && test_expect_code 1 tally budget check >../out) &&
	test_grep "account" out &&
	(cd a && tally budget --json >../a.json) &&
	test "$(budget_field a.json account scope)" = "[\"all\"]" &&
	test "$(budget_field a.json account usedUsd)" = "[7]" &&
	test "$(budget_field a.json account state)" = "[\"exceeded\"]"
'

test_expect_success 'and from the profile' '
	test_expect_code 1 tally budget check >out &&
	test_grep "account" out &&
	tally budget --json >p.json &&
	test "$(budget_field p.json account usedUsd)" = "[7]"
'

test_expect_success 'scope: profile counts the profile alone, from anywhere' '
	test "$(budget_field a.json profile-only usedUsd)" = "[1.5]" &&
	test "$(budget_field a.json profile-only scope)" = "[\"profile\"]" &&
	test "$(budget_field p.json profile-only usedUsd)" = "[1.5]"
'

test_expect_success 'the table shows the scope of each budget' '
	(cd b && tally budget >../out) &&
	test_grep "^BUDGET  *PERIOD  *SCOPE " out &&
	test_grep "^account  *month 2026-11  *all  *\$7.00  *\$5.00 " out &&
	test_grep "^profile-only  *month 2026-11  *profile  *\$1.50 " out
'

test_expect_success 'a budget of a workspace file counts that workspace' '
	cat >a/.tally.yaml <<-\EOF &&
	budgets:
	  - name: repo-a
	    usd: 4
	EOF
	(cd a && tally budget --json >../a.json) &&
	test "$(budget_field a.json repo-a scope)" = "[\"workspace\"]" &&
	test "$(budget_field a.json repo-a usedUsd)" = "[3]" &&
	test "$(budget_field a.json repo-a state)" = "[\"under\"]" &&
	test "$(budget_field a.json account usedUsd)" = "[7]" &&
	(cd b && tally budget --json >../b.json) &&
	test "$(budget_field b.json repo-a name)" = "[]"
'

test_expect_success 'a workspace budget may say scope: all' '
	cat >b/.tally.yaml <<-\EOF &&
	budgets:
	  - name: everything
	    usd: 100
	    scope: all
	EOF
	(cd b && tally budget --json >../b.json) &&
	test "$(budget_field b.json everything usedUsd)" = "[7]"
'

test_expect_success 'a workspace file cannot replace a user budget by its name' '
	cat >a/.tally.yaml <<-\EOF &&
	budgets:
	  - name: account
	    usd: 1000
	EOF
	(cd a && tally budget --json >../a.json 2>../err) &&
	test_grep "budget .account. is left out" err &&
	test "$(budget_field a.json account scope)" = "[\"all\"]" &&
	test "$(budget_field a.json account limitUsd)" = "[5]" &&
	rm a/.tally.yaml
'

test_expect_success 'status names the budget and its scope' '
	(cd a && tally status --format "{budget_name} {budget_scope} {budget_state}" >../out) &&
	echo "account all exceeded" >expect &&
	test_cmp expect out &&
	(cd a && tally status --json >../s.json) &&
	test "$(json_get s.json "d[\"budgetScope\"]")" = all
'

test_expect_success 'summary and the HTML report show the scope' '
	(cd a && tally summary --json >../s.json) &&
	test "$(budget_field s.json account scope)" = "[\"all\"]" &&
	(cd a && tally export --format html -o ../r.html) &&
	test_grep "<th>Scope</th>" r.html &&
	test_grep "<td>account</td><td>month 2026-11</td><td>all</td>" r.html
'

test_expect_success 'the hook hears the scope, and fires once for all scopes' '
	cat >>.config/tally/config.yaml <<-\EOF &&
	hooks:
	  budget_alert: echo "$TALLY_BUDGET_NAME $TALLY_BUDGET_SCOPE $TALLY_BUDGET_STATE" >>"$HOME/hooks.log"
	EOF
	(cd a && tally budget check >/dev/null; cd ../b && tally budget check >/dev/null; cd .. && tally budget check >/dev/null; true) &&
	grep "^account " hooks.log >account.log &&
	echo "account all exceeded" >expect &&
	test_cmp expect account.log
'

test_expect_success 'budget --all-workspaces adds the budgets of every workspace' '
	cat >a/.tally.yaml <<-\EOF &&
	budgets:
	  - name: repo-a
	    usd: 2
	EOF
	(cd b && tally budget --json >../b.json) &&
	test "$(budget_field b.json repo-a name)" = "[]" &&
	(cd b && tally budget --all-workspaces --json >../b.json) &&
	test "$(budget_field b.json repo-a usedUsd)" = "[3]" &&
	test "$(budget_field b.json repo-a state)" = "[\"exceeded\"]" &&
	test "$(budget_field b.json repo-a workspace)" = "[\"$PWD/a\"]" &&
	test "$(budget_field b.json everything scope)" = "[\"all\"]" &&
	(cd b && tally budget --all-workspaces >../out) &&
	test_grep "^repo-a  *month 2026-11  *$PWD/a  *\$3.00 " out &&
	tally budget --all-workspaces --json >p.json &&
	test "$(budget_field p.json repo-a usedUsd)" = "[3]" &&
	test "$(budget_field p.json everything usedUsd)" = "[7]"
'

test_expect_success 'budget check --all-workspaces fails on a budget of any workspace' '
	cat >.config/tally/config.yaml <<-\EOF &&
	budgets:
	  - name: account
	    usd: 50
	EOF
	rm b/.tally.yaml &&
	(cd b && tally budget check) &&
	(cd b && test_expect_code 1 tally budget check --all-workspaces >../out) &&
	test_grep "^repo-a " out
'

test_expect_success 'a damaged workspace file is a warning there' '
	echo "budgets: [" >a/.tally.yaml &&
	(cd b && tally budget --all-workspaces --json >../b.json 2>../err) &&
	test_grep "a/.tally.yaml" err &&
	test "$(budget_field b.json account usedUsd)" = "[7]" &&
	rm a/.tally.yaml
'

test_expect_success 'an unknown scope is a configuration error' '
	test_expect_code 3 tally -c budgets.0.name=x -c budgets.0.usd=1 \
		-c budgets.0.scope=everywhere budget 2>err &&
	test_grep "scope" err
'

test_done
