#!/bin/sh
test_description='configuration: a workspace file runs nothing and receives no key until trusted'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
OPENAI_ADMIN_KEY=sk-admin-TRUSTSECRET0123456789
export TALLY_NOW OPENAI_ADMIN_KEY

# The fake server answers every OpenAI report, under the real paths and
# under a hostile prefix, so that a request to either would be logged.
cat >server.json <<'EOF'
{"routes": [
  {"path": "/v1/organization/usage/completions", "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null, "data": []}}]},
  {"path": "/v1/organization/costs", "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null, "data": []}}]},
  {"path": "/evil/v1/organization/usage/completions", "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null, "data": []}}]},
  {"path": "/evil/v1/organization/costs", "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null, "data": []}}]}
]}
EOF

# hostile_repo <dir>: a cloned repository whose .tally.yaml tries every
# setting that runs a command, sends a key or changes a price, beside a
# data-only budget that must still apply.
hostile_repo() {
	mkdir -p "$1/.git" &&
	cat >"$1/.tally.yaml" <<-EOF
	hooks:
	  budget_alert: touch $TRASH_DIRECTORY/pwned-hook
	providers:
	  openai:
	    base_url: $FAKE_URL/evil/v1
	    api_key_command: touch $TRASH_DIRECTORY/pwned-key; echo sk-stolen
	pricing:
	  models:
	    - model: gpt-4.1
	      input: 0
	      output: 0
	budgets:
	  - name: repo
	    period: month
	    usd: 0.01
	EOF
}

fake_provider_start server.json

test_expect_success 'setup: the user points OpenAI at the fake server' '
	mkdir -p .config/tally &&
	cat >.config/tally/config.yaml <<-EOF &&
	providers:
	  openai:
	    base_url: $FAKE_URL/v1
	pricing:
	  models:
	    - model: gpt-4.1
	      input: 2
	      output: 8
	EOF
	echo "$FAKE_URL" >fake-url
'

test_expect_success 'a hostile repository runs nothing and receives nothing' '
	FAKE_URL=$(cat fake-url) &&
	hostile_repo clone &&
	(
		cd clone &&
		tally record -q -p openai -m gpt-4.1 --input-tokens 1000000 \
			--output-tokens 100000 --started-at 2026-11-24T10:00:00Z 2>record.err &&
		tally status >/dev/null 2>status.err &&
		tally budget check >/dev/null 2>check.err;
		test $? = 1 &&
		tally sync -p openai >sync.out 2>sync.err &&
		env -u OPENAI_ADMIN_KEY tally sync -p openai >nokey.out 2>nokey.err;
		test $? = 5
	) &&
	! test -e pwned-hook &&
	! test -e pwned-key &&
	test_grep -v "/evil" "$FAKE_LOG" &&
	test_grep "\"path\": \"/v1/organization/usage/completions\"" "$FAKE_LOG" &&
	test_grep "is not trusted" clone/status.err &&
	test_grep "hooks.budget_alert, providers.openai.base_url, providers.openai.api_key_command, pricing.models" clone/status.err &&
	test_grep "tally config trust $TRASH_DIRECTORY/clone" clone/status.err &&
	test_line_count = 1 clone/status.err
'

test_expect_success 'its prices neither replace nor join the user'"'"'s' '
	(cd clone && tally pricing show gpt-4.1 2>err) >out &&
	test_grep "2" out &&
	test_grep -v "0.00 " out &&
	(cd clone && tally log --json) >log.json &&
	test "$(json_get log.json "d[0][\"estimatedCostUsd\"]")" = 2.8
'

test_expect_success 'its data-only settings apply: the budget counts' '
	(cd clone && tally budget --json 2>/dev/null) >b.json &&
	test "$(json_get b.json "[x[\"name\"] for x in d[\"budgets\"]]")" = "[\"repo\"]" &&
	test "$(json_get b.json "d[\"budgets\"][0][\"state\"]")" = exceeded
'

test_expect_success 'config trust shows what it trusts; then it all applies' '
	FAKE_URL=$(cat fake-url) &&
	: >"$FAKE_LOG" &&
	(cd clone && tally config trust) >out &&
	cat >expect <<-EOF &&
	trusted '"'"'$TRASH_DIRECTORY/clone/.tally.yaml'"'"' as it is now; these settings of it apply:
	  hooks.budget_alert
	  providers.openai.base_url
	  providers.openai.api_key_command
	  pricing.models
	EOF
	test_cmp expect out &&
	test_grep "$TRASH_DIRECTORY/clone/.tally.yaml" .config/tally/trusted-workspaces &&
	test "$(stat -c %a .config/tally/trusted-workspaces)" = 600 &&
	(cd clone && tally sync -p openai >/dev/null 2>sync2.err) &&
	test_must_be_empty clone/sync2.err &&
	test_grep "\"path\": \"/evil/v1/organization/usage/completions\"" "$FAKE_LOG"
'

test_expect_success 'a trusted hook runs' '
	rm -rf "$TALLY_HOME" &&
	(
		cd clone &&
		tally record -q -p openai -m gpt-4.1 --input-tokens 10 --cost 1 \
			--started-at 2026-11-24T10:00:00Z &&
		tally status >/dev/null
	) &&
	test -e pwned-hook
'

test_expect_success 'an edited file is untrusted again' '
	rm -f pwned-hook pwned-key &&
	echo "# edited" >>clone/.tally.yaml &&
	(cd clone && tally config get providers.openai.base_url 2>err) >out &&
	echo "$(cat fake-url)/v1" >expect &&
	test_cmp expect out &&
	test_grep "is not trusted" clone/err
'

test_expect_success 'config untrust forgets; a second untrust says so' '
	(cd clone && tally config trust >/dev/null && tally config untrust) >out &&
	test_grep "is no longer trusted" out &&
	test_grep -v clone .config/tally/trusted-workspaces &&
	(cd clone && test_expect_code 1 tally config untrust 2>err) &&
	test_grep "was not trusted" clone/err
'

test_expect_success 'trust names a directory or the file; errors are usage errors' '
	tally config trust clone >out &&
	test_grep "clone/.tally.yaml" out &&
	tally config untrust clone/.tally.yaml >out &&
	test_grep "no longer trusted" out &&
	test_expect_code 2 tally config trust 2>err &&
	test_grep "not inside a workspace" err &&
	mkdir -p empty/.git &&
	test_expect_code 2 tally config trust empty 2>err &&
	test_grep "cannot use" err &&
	test_expect_code 2 tally config trust --json clone 2>err &&
	test_expect_code 2 tally config trust a b 2>err
'

test_expect_success 'a file in a parent directory obeys the same rules' '
	mkdir -p up/a/b &&
	cat >up/.tally.yaml <<-EOF &&
	hooks:
	  budget_alert: touch $TRASH_DIRECTORY/pwned-up
	budgets:
	  - name: up
	    period: day
	    usd: 0.01
	EOF
	(
		cd up/a/b &&
		tally record -q -p openai -m gpt-4.1 --cost 1 \
			--started-at 2026-11-24T10:00:00Z &&
		tally status >/dev/null 2>err
	) &&
	! test -e pwned-up &&
	test_grep "up/.tally.yaml. is not trusted" up/a/b/err
'

test_expect_success 'a file others may write is never read' '
	hostile_repo shared &&
	chmod 666 shared/.tally.yaml &&
	(cd shared && tally config --list --show-origin 2>err) >out &&
	test_grep -v "shared/.tally.yaml" out &&
	test_grep "not reading .*shared/.tally.yaml.: other users may write to it (mode 666)" shared/err &&
	(cd shared && test_expect_code 3 tally config trust 2>err) &&
	test_grep "cannot trust" shared/err
'

test_expect_success 'a file that is not a regular file is never read' '
	mkdir -p fifo/.git &&
	mkfifo fifo/.tally.yaml &&
	(cd fifo && tally config get fsync 2>err) >out &&
	echo true >expect &&
	test_cmp expect out &&
	test_grep "not a regular file" fifo/err
'

# Ownership needs a second user: as root the file is given to nobody.
if test "$(id -u)" = 0; then
	test_expect_success 'a file another user owns is never read, even by root' '
		hostile_repo theirs &&
		chown 65534:65534 theirs/.tally.yaml &&
		(cd theirs && tally budget --json 2>err) >out &&
		test_grep "not reading .*theirs/.tally.yaml.: it belongs to another user (uid 65534)" theirs/err &&
		test "$(json_get out "len(d[\"budgets\"])")" = 0
	'
else
	say "skipping the other-owner test: it needs root to give a file away"
fi

test_expect_success 'TALLY_CONFIG and --config are the user'"'"'s own: trusted' '
	FAKE_URL=$(cat fake-url) &&
	printf "hooks:\n  budget_alert: true\n" >mine.yaml &&
	(cd clone && TALLY_CONFIG=../mine.yaml tally config get hooks.budget_alert 2>/dev/null) >out &&
	echo true >expect &&
	test_cmp expect out
'

test_done
