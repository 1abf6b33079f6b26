#!/bin/sh
test_description='tally exec: a command runs with its requests recorded'
. ./test-lib.sh

TP=$FIXTURES/third-party

test_expect_success 'set up a fake upstream' '
	python3 - "$TP" >script.json <<-\EOF
	import json, os, sys
	d = sys.argv[1]
	def raw(f):
	    return open(os.path.join(d, f)).read()
	print(json.dumps({"routes": [
	    {"method": "POST", "path": "/v1/chat/completions",
	     "replies": [{"raw": raw("openai-chat-text.json")}]},
	    {"method": "POST", "path": "/anthropic/v1/messages",
	     "replies": [{"raw": raw("anthropic-text.json")}]},
	    {"method": "POST",
	     "path": "/gemini/v1beta/models/gemini-2.5-flash:generateContent",
	     "replies": [{"raw": raw("gemini-text.json")}]},
	    {"method": "POST", "path": "/v1/silent",
	     "replies": [{"delay": 9, "raw": "{}"}]},
	    {"method": "POST", "path": "/elsewhere/api/v1/chat/completions",
	     "replies": [{"raw": raw("openrouter-chat-usage.json")}]},
	]}))
	EOF
'

fake_provider_start script.json

test_expect_success 'point OpenAI and Anthropic at it' '
	tally config set providers.openai.base_url "$FAKE_URL/v1" &&
	tally config set providers.anthropic.base_url "$FAKE_URL/anthropic" &&
	tally config set providers.gemini.base_url "$FAKE_URL/gemini"
'

test_expect_success 'the command sees the base URLs and its session' '
	tally exec -- sh -c "echo \$OPENAI_BASE_URL; echo \$ANTHROPIC_BASE_URL; echo \$GOOGLE_GEMINI_BASE_URL; echo \$TALLY_SESSION" >out &&
	test_line_count = 4 out &&
	test_grep -E "^http://127.0.0.1:[0-9]+/openai$" out &&
	test_grep -E "^http://127.0.0.1:[0-9]+/anthropic$" out &&
	test_grep -E "^http://127.0.0.1:[0-9]+/gemini$" out &&
	test_grep -E "^exec:sh:20[0-9-]+T[0-9:]+Z:[0-9]+$" out
'

test_expect_success 'every request the command makes is recorded in its session' '
	tally exec -- sh -c "
		curl -sS -o a.json -H \"Authorization: Bearer sk-exec-secret\" -d {} \"\$OPENAI_BASE_URL/chat/completions\" &&
		curl -sS -o b.json -H \"x-api-key: sk-exec-secret\" -d {} \"\$ANTHROPIC_BASE_URL/v1/messages\"
	" &&
	cmp "$TP/openai-chat-text.json" a.json &&
	cmp "$TP/anthropic-text.json" b.json &&
	tally log --json >log.json &&
	json_get log.json "sorted(e[\"providerId\"] for e in d)" >got &&
	echo "[\"anthropic\", \"openai\"]" >expect &&
	test_cmp expect got &&
	json_get log.json "len(set(e[\"sessionResource\"] for e in d))" >got &&
	echo 1 >expect &&
	test_cmp expect got &&
	json_get log.json "d[0][\"sessionResource\"].startswith(\"exec:sh:\")" >got &&
	echo True >expect &&
	test_cmp expect got &&
	! grep -r sk-exec-secret "$TALLY_HOME"
'

test_expect_success 'a key in the query (Gemini) reaches the provider and no trace' '
	TALLY_TRACE_HTTP=1 tally exec -- sh -c "curl -sS -o g.json -d {} \"\$GOOGLE_GEMINI_BASE_URL/v1beta/models/gemini-2.5-flash:generateContent?alt=json&key=AIzaSECRET\"" 2>trace &&
	cmp "$TP/gemini-text.json" g.json &&
	test_grep "generateContent?alt=json&key=<redacted> HTTP" trace &&
	! grep -r AIzaSECRET trace "$TALLY_HOME" &&
	test_grep AIzaSECRET "$FAKE_LOG" >/dev/null &&
	tally log --json -n 1 >one.json &&
	json_get one.json "d[0][\"providerId\"]" >got &&
	echo gemini >expect &&
	test_cmp expect got
'

test_expect_success '--session names it' '
	tally exec --session nightly -- sh -c "curl -sS -o /dev/null -d {} \"\$OPENAI_BASE_URL/chat/completions\"" &&
	tally log --json -n 1 >one.json &&
	json_get one.json "d[0][\"sessionResource\"]" >got &&
	echo nightly >expect &&
	test_cmp expect got
'

test_expect_success 'a base URL already set is the upstream, its provider known from the answer' '
	OPENAI_BASE_URL=$FAKE_URL/elsewhere/api/v1 tally exec -- sh -c \
		"echo \$OPENAI_BASE_URL; curl -sS -o c.json -d {} \"\$OPENAI_BASE_URL/chat/completions\"" >out &&
	test_grep -E "^http://127.0.0.1:[0-9]+/openai$" out &&
	cmp "$TP/openrouter-chat-usage.json" c.json &&
	test_grep "/elsewhere/api/v1/chat/completions" "$FAKE_LOG" &&
	tally log --json -n 1 >one.json &&
	json_get one.json "d[0][\"providerId\"]" >got &&
	echo openrouter >expect &&
	test_cmp expect got
'

test_expect_success 'one it will not forward to is left alone, with a warning' '
	OPENAI_BASE_URL=http://192.0.2.1/v1 tally exec -- sh -c "echo \$OPENAI_BASE_URL" >out 2>err &&
	echo http://192.0.2.1/v1 >expect &&
	test_cmp expect out &&
	test_grep "OPENAI_BASE_URL (http://192.0.2.1/v1) left as it is" err
'

test_expect_success 'stdin and stdout are the command'"'"'s' '
	echo hello | tally exec -- cat >out &&
	echo hello >expect &&
	test_cmp expect out
'

test_expect_success 'the exit status is the command'"'"'s' '
	test_expect_code 7 tally exec -- sh -c "exit 7" &&
	test_expect_code 0 tally exec -- true &&
	test_expect_code 127 tally exec -- no-such-command-here 2>err &&
	test_grep "cannot run .no-such-command-here." err &&
	echo "echo hi" >not-executable &&
	test_expect_code 126 tally exec -- ./not-executable 2>err &&
	test_grep "cannot run" err
'

test_expect_success 'a command killed by a signal: tally dies of it too' '
	sh -c "tally exec -- sh -c \"kill -TERM \\\$\\\$\"; echo \$?" >out &&
	echo 143 >expect &&
	test_cmp expect out
'

test_expect_success 'SIGTERM sent to tally is passed on to the command' '
	python3 - <<-\EOF
	import os, signal, subprocess, sys, time
	p = subprocess.Popen(["tally", "exec", "--", "sh", "-c",
	    "trap \"echo got-term; exit 9\" TERM; echo ready; while :; do sleep 0.1; done"],
	    stdout=subprocess.PIPE, text=True)
	assert p.stdout.readline() == "ready\n"
	p.send_signal(signal.SIGTERM)
	out = p.stdout.read()
	code = p.wait(timeout=10)
	assert out == "got-term\n", out
	assert code == 9, code
	EOF
'

test_expect_success '-v: a line per request; without a terminal, no closing line' '
	tally exec -v -- sh -c "curl -sS -o /dev/null -d {} \"\$OPENAI_BASE_URL/chat/completions\"" 2>err &&
	test_grep "POST /openai/chat/completions 200 .* openai/" err &&
	tally exec -- true 2>err &&
	test_must_be_empty err
'

test_expect_success 'a request still going 5 s after the command ended is given up' '
	python3 - <<-\EOF &&
	import subprocess, time
	t0 = time.time()
	subprocess.run(["tally", "exec", "--", "sh", "-c",
	    "curl -s -o /dev/null -d {} \"$OPENAI_BASE_URL/silent\" & sleep 0.5"],
	    check=True)
	took = time.time() - t0
	assert 5 <= took < 8.5, took
	EOF
	tally log --json -n 1 >one.json &&
	json_get one.json "[d[0][\"status\"], d[0][\"errorCode\"]]" >got &&
	echo "[\"failed\", \"proxy_stopped\"]" >expect &&
	test_cmp expect got
'

test_expect_success 'recording disabled: the command runs, nothing is recorded' '
	n0=$(wc -l <"$(ledger)") &&
	tally -c enabled=false exec -- sh -c "curl -sS -o /dev/null -d {} \"\$OPENAI_BASE_URL/chat/completions\"" 2>err &&
	test_grep "recording is disabled" err &&
	test $(wc -l <"$(ledger)") = $n0
'

test_expect_success 'usage errors' '
	test_expect_code 2 tally exec 2>err &&
	test_grep "no command to run" err &&
	test_expect_code 2 tally exec --nope -- true 2>err
'

test_done
