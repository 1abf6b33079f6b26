#!/bin/sh
test_description='security: keys never written, private files, symlinks, hostile inputs'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
OPENAI_ADMIN_KEY=sk-admin-SECRETOPENAI0123456789
ANTHROPIC_ADMIN_KEY=sk-ant-admin01-SECRETANTHROPIC0123
OPENROUTER_API_KEY=sk-or-v1-SECRETOPENROUTER0123456
export OPENAI_ADMIN_KEY ANTHROPIC_ADMIN_KEY OPENROUTER_API_KEY

# Every provider endpoint answers, some with errors, so that both the
# success and the failure paths run with the keys.
cat >server.json <<'EOF'
{"routes": [
  {"path": "/v1/organization/usage/completions", "replies": [{"status": 200, "body": {"object": "page", "has_more": false, "next_page": null, "data": []}}]},
  {"path": "/v1/organization/costs", "replies": [{"status": 500, "body": {"error": {"message": "boom"}}}]},
  {"path": "/v1/organizations/usage_report/messages", "replies": [{"status": 401, "body": {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}}]},
  {"path": "/api/v1/generation", "replies": [{"status": 200, "body": {"data": {"id": "gen-1", "total_cost": 0.001, "native_tokens_prompt": 10, "native_tokens_completion": 5}}}]},
  {"path": "/api/v1/key", "replies": [{"status": 200, "body": {"data": {"label": "k", "limit": 10, "limit_remaining": 9.5, "usage": 0.5}}}]},
  {"path": "/api/v1/credits", "replies": [{"status": 403, "body": {"error": {"code": 403, "message": "Management key required"}}}]},
  {"path": "/prices.json", "replies": [{"status": 200, "body": {"gpt-x": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "litellm_provider": "openai", "mode": "chat"}}}]}
]}
EOF

test_expect_success 'keys appear in no file, no output and no trace' '
	fake_provider_start server.json &&
	cfg="-c providers.openai.base_url=$FAKE_URL/v1 -c providers.anthropic.base_url=$FAKE_URL -c providers.openrouter.base_url=$FAKE_URL/api/v1" &&
	tally record -q -p openai -m gpt-4.1 --input-tokens 10 --started-at 2026-11-24T09:00:00Z &&
	tally record -q -p anthropic -m claude-sonnet-4 --input-tokens 10 --started-at 2026-11-24T09:00:00Z &&
	tally record -q -p openrouter -m m --provider-request-id gen-1 --input-tokens 10 --started-at 2026-11-24T09:00:00Z &&
	{ TALLY_TRACE_HTTP=1 tally $cfg sync >sync.out 2>sync.err; true; } &&
	test_grep "http: > GET" sync.err &&
	{ TALLY_TRACE_HTTP=1 tally $cfg quota --refresh >quota.out 2>quota.err; true; } &&
	test_grep "http: > GET /api/v1/key" quota.err &&
	TALLY_TRACE_HTTP=1 tally pricing update --from $FAKE_URL/prices.json >p.out 2>p.err &&
	for f in csv json ndjson prometheus html; do
		tally export --format $f -o export.$f 2>>export.err || return 1
	done &&
	tally log --json >log.json 2>>export.err &&
	tally summary --json >sum.json 2>>export.err &&
	tally config --list --show-origin >config.out 2>&1 &&
	ls "$TALLY_HOME/profile" >files &&
	test_grep usage-ledger.jsonl files &&
	for key in "$OPENAI_ADMIN_KEY" "$ANTHROPIC_ADMIN_KEY" "$OPENROUTER_API_KEY" SECRET; do
		! grep -r -- "$key" "$TALLY_HOME" "$HOME/.cache" *.out *.err \
			export.* log.json sum.json || return 1
	done &&
	test_grep "\"authorization\": \"Bearer $OPENROUTER_API_KEY\"" "$FAKE_LOG" &&
	test_grep "Authorization: <redacted>" quota.err &&
	fake_provider_stop
'

test_expect_success 'a key from api_key_command is not written either' '
	fake_provider_start server.json &&
	printf "providers:\n  openrouter:\n    api_key_command: echo sk-or-v1-FROMCOMMAND42\n" >keycmd.yaml &&
	{ env -u OPENROUTER_API_KEY TALLY_CONFIG=$PWD/keycmd.yaml TALLY_TRACE_HTTP=1 \
		tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 quota --refresh >kc.out 2>kc.err; true; } &&
	test_grep "\"authorization\": \"Bearer sk-or-v1-FROMCOMMAND42\"" "$FAKE_LOG" &&
	! grep -r FROMCOMMAND42 "$TALLY_HOME" kc.out kc.err &&
	fake_provider_stop
'

test_expect_success 'files 0600 and directories 0700, whatever the umask' '
	export TALLY_HOME=$PWD/perm &&
	(
		umask 000 &&
		mkdir -p ws/.git && cd ws &&
		tally record -q -p openai -m gpt-4.1 --input-tokens 1 &&
		tally summary >/dev/null &&
		tally import codingbuddy "$FIXTURES/codingbuddy/usage.jsonl" >/dev/null &&
		tally export -o ../out.csv &&
		echo "{\"m\": {\"input_cost_per_token\": 1e-06, \"output_cost_per_token\": 1e-06}}" >../lit.json &&
		XDG_CACHE_HOME=$TRASH_DIRECTORY/c2 tally pricing update --from ../lit.json >/dev/null
	) &&
	test "$(stat -c %a c2/tally)" = 700 &&
	test "$(stat -c %a c2/tally/prices.tsv)" = 600 &&
	find "$TALLY_HOME" -type d ! -perm 700 >bad-dirs &&
	test_must_be_empty bad-dirs &&
	find "$TALLY_HOME" -type f ! -perm 600 >bad-files &&
	test_must_be_empty bad-files &&
	test "$(stat -c %a out.csv)" = 600
'

test_expect_success 'a ledger that is a symbolic link is refused, its target untouched' '
	export TALLY_HOME=$PWD/sl &&
	mkdir -p "$TALLY_HOME/profile" &&
	echo precious >target &&
	ln -s "$PWD/target" "$TALLY_HOME/profile/usage-ledger.jsonl" &&
	test_expect_code 6 tally record -p openai -m m --input-tokens 1 2>err &&
	test_grep "^tally: .*usage-ledger.jsonl" err &&
	test_expect_code 6 tally log 2>err &&
	test "$(cat target)" = precious
'

test_expect_success 'a lock file that is a symbolic link is refused' '
	export TALLY_HOME=$PWD/sl2 &&
	mkdir -p "$TALLY_HOME/profile" &&
	echo precious >target2 &&
	ln -s "$PWD/target2" "$TALLY_HOME/profile/usage-ledger.lock" &&
	test_expect_code 6 tally record -p openai -m m --input-tokens 1 2>err &&
	test "$(cat target2)" = precious
'

test_expect_success 'workspace ids stay inside the data root' '
	mkdir -p "ws/../evil/.git" "a b/c;rm -rf/.git" &&
	(cd "a b/c;rm -rf" && tally record -q -p openai -m m --input-tokens 1) &&
	ls "$TALLY_HOME/workspaces" >ids &&
	test_grep -x "[0-9a-f]\{16\}" ids &&
	! test -e "$TALLY_HOME/../rm"
'

test_expect_success 'hostile responses: nesting, overflow, NUL: exit 1; bad UTF-8 is replaced' '
	export TALLY_HOME=$PWD/hostile &&
	python3 -c "
import json
open(\"deep.json\", \"w\").write(\"[\" * 100000 + \"]\" * 100000)
open(\"overflow.json\", \"w\").write(json.dumps({\"id\": \"chatcmpl-1\", \"object\": \"chat.completion\", \"model\": \"gpt-4.1\",
  \"usage\": {\"prompt_tokens\": 99999999999999999999999, \"completion_tokens\": 1, \"total_tokens\": 2}}))
open(\"nul.json\", \"wb\").write(b\"{\\\"id\\\": \\\"x\\\", \\\"model\\\": \\\"gpt\\\\u0000-4\\\", \\\"object\\\": \\\"chat.completion\\\", \\\"usage\\\": {\\\"prompt_tokens\\\": 1, \\\"completion_tokens\\\": 1}}\\x00garbage\")
open(\"utf8.json\", \"wb\").write(b\"{\\\"id\\\": \\\"x\\\", \\\"model\\\": \\\"\\xff\\xfe\\\", \\\"object\\\": \\\"chat.completion\\\", \\\"usage\\\": {\\\"prompt_tokens\\\": 1, \\\"completion_tokens\\\": 1}}\")
" &&
	for f in deep overflow nul; do
		test_expect_code 1 tally record -p openai --response $f.json 2>$f.err || return 1
		test_grep "^tally: " $f.err || return 1
	done &&
	! test -e "$TALLY_HOME/profile/usage-ledger.jsonl" &&
	tally record -q -p openai --response utf8.json &&
	tally log --ndjson >row &&
	test "$(json_get row "d[\"modelId\"]")" = "$(printf "\357\277\275\357\277\275")"
'

test_expect_success 'a YAML bomb and deep YAML are refused: exit 3' '
	cat >bomb.yaml <<-\EOF &&
	a: &a ["x","x","x","x","x","x","x","x","x"]
	b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
	c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
	d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
	EOF
	test_expect_code 3 env TALLY_CONFIG=$PWD/bomb.yaml tally config --list 2>err &&
	test_grep "anchors and aliases are not supported" err &&
	python3 -c "open(\"deep.yaml\", \"w\").write(\"a: \" + \"[\" * 100000 + \"]\" * 100000 + \"\\n\")" &&
	test_expect_code 3 env TALLY_CONFIG=$PWD/deep.yaml tally config --list 2>err &&
	test_grep "^tally: " err
'

# maxrss <command...>: runs it, prints its exit status and peak RSS in MiB.
cat >maxrss.py <<'PY'
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=open("maxrss.err", "w"))
_, status, ru = os.wait4(p.pid, 0)
print(os.waitstatus_to_exitcode(status), ru.ru_maxrss // 1024)
PY

# rss_bounded <MiB>: under 64 MiB; under the sanitizers, whose shadow
# memory counts too, under 256 MiB, still far below the line.
rss_bounded() {
	if test -n "${ASAN_OPTIONS:-}"; then
		test "$1" -lt 256
	else
		test "$1" -lt 64
	fi
}

test_expect_success 'a 1 GB line: skipped in bounded memory, the rows around it kept' '
	export TALLY_HOME=$PWD/huge &&
	tally record -q -p openai -m m --input-tokens 1 &&
	printf "{\"v\":1,\"entryId\":\"big\",\"modelId\":\"" >>"$(ledger)" &&
	truncate -s +1G "$(ledger)" &&
	printf "\"}\n" >>"$(ledger)" &&
	tally record -q -p openai -m m --input-tokens 2 2>/dev/null &&
	python3 maxrss.py tally log --porcelain >r &&
	read status rss <r &&
	test "$status" = 0 &&
	rss_bounded "$rss" &&
	tally log --porcelain 2>err >l &&
	test_line_count = 2 l &&
	test_grep "line longer than" err &&
	mkdir -p cc/projects/p &&
	truncate -s 1G cc/projects/p/s.jsonl &&
	printf "\n" >>cc/projects/p/s.jsonl &&
	sed -n 2p "$FIXTURES/claude-code/projects/-home-dev-shop/11111111-1111-4111-8111-111111111111.jsonl" \
		>>cc/projects/p/s.jsonl &&
	python3 maxrss.py tally import claude-code cc >r &&
	read status rss <r &&
	test "$status" = 0 &&
	rss_bounded "$rss" &&
	tally log --porcelain -p anthropic >a &&
	test_line_count = 1 a &&
	rm -f "$(ledger)" cc/projects/p/s.jsonl
'

test_done
