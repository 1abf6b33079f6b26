#!/bin/sh
test_description='the examples of README.md run as written'
. ./test-lib.sh

# The block under "## Using it", one command per line, comments aside.
test_expect_success 'extract the examples' '
	python3 - "$TALLY_SOURCE_DIR/README.md" >examples <<-\EOF &&
	import sys
	text = open(sys.argv[1]).read().split("## Using it", 1)[1]
	block = text.split("```sh\n", 1)[1].split("```", 1)[0]
	for line in block.splitlines():
	    if line.strip() and not line.startswith("#"):
	        print(line)
	EOF
	test_line_count -ge 12 examples &&
	test_grep "^tally summary" examples
'

# What the examples talk to is here instead: curl answers with the
# bundled Anthropic response, notify-send writes down that it was called,
# and the agents' logs are the test fixtures; claude makes one request to
# its ANTHROPIC_BASE_URL, and the providers are a fake one. tally, jq,
# node with the OpenAI SDK and the shell are the real ones.
test_expect_success 'set-up: a stand-in curl and notify-send, agent logs' '
	python3 - "$TALLY_SOURCE_DIR" >script.json <<-\EOF &&
	import json, sys
	ex = sys.argv[1] + "/contrib/examples/responses/"
	print(json.dumps({"routes": [
	    {"method": "POST", "path": "/anthropic/v1/messages",
	     "replies": [{"raw": open(ex + "anthropic-message.json").read()}]},
	    {"method": "POST", "path": "/v1/chat/completions",
	     "replies": [{"raw": open(sys.argv[1] + "/t/fixtures/third-party/openai-chat-text.json").read()}]},
	]}))
	EOF
	mkdir bin &&
	cat >bin/claude <<-\EOF &&
	#!/usr/bin/env python3
	import os, urllib.request
	req = urllib.request.Request(os.environ["ANTHROPIC_BASE_URL"] + "/v1/messages",
	    data=b"{}", headers={"x-api-key": "sk-ant-readme"}, method="POST")
	urllib.request.urlopen(req).read()
	EOF
	cat >bin/curl <<-EOF &&
	#!/bin/sh
	cat "$TALLY_SOURCE_DIR/contrib/examples/responses/anthropic-message.json"
	EOF
	cat >bin/notify-send <<-\EOF &&
	#!/bin/sh
	echo "$*" >>notified
	EOF
	chmod +x bin/curl bin/notify-send bin/claude &&
	cp -R "$TALLY_SOURCE_DIR/t/fixtures/claude-code" claude &&
	cp -R "$TALLY_SOURCE_DIR/t/fixtures/codex" codex
'

fake_provider_start script.json

run_examples() {
	PATH=$PWD/bin:$PATH CLAUDE_CONFIG_DIR=$PWD/claude CODEX_HOME=$PWD/codex
	NODE_PATH=$TALLY_SDK_DIR/node_modules OPENAI_API_KEY=sk-readme
	export PATH CLAUDE_CONFIG_DIR CODEX_HOME NODE_PATH OPENAI_API_KEY
	mkdir -p "$HOME/.config/tally" &&
	printf "providers:\n  anthropic:\n    base_url: %s\n  openai:\n    base_url: %s\n" \
		"$FAKE_URL/anthropic" "$FAKE_URL/v1" >"$HOME/.config/tally/config.yaml" || return 1
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		# The OpenAI SDK is there when ./dev could install it.
		case $line in
		*'require("openai")'*) test_have_prereq SDK || {
			say "skipped, $(prereq_reason SDK): $line"
			continue
		} ;;
		esac
		# Following never ends by itself: a moment of it is enough.
		case $line in
		*"log -f"*) timeout 2 sh -c "$line" </dev/null >out.$n 2>err.$n
			test $? = 124 || { echo "line $n: $line" >&2; return 1; } ;;
		*) sh -c "$line" </dev/null >out.$n 2>err.$n || {
			echo "line $n failed: $line" >&2
			cat err.$n >&2
			return 1
		} ;;
		esac
	done <examples
}

test_expect_success 'every example exits 0' '
	run_examples
'

test_expect_success 'and does what it says' '
	grep -n "" examples >numbered &&
	at() { sed -n "s/^\\([0-9]*\\):$1.*/\\1/p" numbered | head -1; } &&
	test_grep "type.: .message" out.$(at "curl") &&
	test_grep "anthropic" out.$(at "tally log --porcelain -p anthropic") &&
	test_grep "^Usage" out.$(at "tally summary  ") &&
	test_grep "^MODEL" out.$(at "tally summary --last 24h") &&
	test_grep "^Block " out.$(at "tally summary --window block") &&
	test_grep "tok" out.$(at "tally status") &&
	test_grep "^latest requests" out.$(at "tally top --once") &&
	test_grep "claude-code: " out.$(at "tally import claude-code") &&
	test_grep "^codex: " out.$(at "tally import --all") &&
	test_grep "^<!DOCTYPE html>" usage.html &&
	test_grep "^# TYPE tally_" tally.prom &&
	test_grep "exec:claude:" out.$(at "tally summary --by session") &&
	{ ! test_have_prereq SDK ||
	  test_grep "prompt_tokens: 16" out.$(at "tally exec -- node"); } &&
	! test -e notified
'

test_expect_success 'the budget check notifies only when a budget is exceeded' '
	line=$(grep "budget check" examples) &&
	printf "budgets:\\n  - name: tiny\\n    period: month\\n    tokens: 1\\n" >b.yaml &&
	TALLY_CONFIG=$PWD/b.yaml PATH=$PWD/bin:$PATH sh -c "$line" &&
	test "$(cat notified)" = "over budget" &&
	rm notified &&
	printf "budgets:\\n  - name: warn\\n    period: month\\n    tokens: 100000000\\n    warn_percent: 1\\n" >w.yaml &&
	TALLY_CONFIG=$PWD/w.yaml PATH=$PWD/bin:$PATH sh -c "$line" &&
	! test -e notified
'

test_done
