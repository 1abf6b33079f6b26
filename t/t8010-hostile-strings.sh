#!/bin/sh
test_description='hostile strings and bytes: tee passes everything, bounded events, cut streams, terminal escapes, CSV formulas'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

# maxrss <command...>: runs it, prints its exit status and peak RSS in MiB.
cat >maxrss.py <<'PY'
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdin=open(os.environ.get("MAXRSS_IN", "/dev/null"), "rb"),
                     stdout=open(os.environ.get("MAXRSS_OUT", "/dev/null"), "wb"),
                     stderr=open("maxrss.err", "w"))
_, status, ru = os.wait4(p.pid, 0)
print(os.waitstatus_to_exitcode(status), ru.ru_maxrss // 1024)
PY

rss_bounded() {
	if test -n "${ASAN_OPTIONS:-}"; then
		test "$1" -lt 256
	else
		test "$1" -lt 64
	fi
}

test_expect_success 'tee passes a 9 MB event line through whole, then says it recorded nothing' '
	python3 -c "
import sys
out = sys.stdout
out.write(\"data: {\\\"object\\\":\\\"chat.completion.chunk\\\",\\\"x\\\":\\\"\" + \"a\" * (9 << 20) + \"\\\"}\\n\\n\")
out.write(\"data: [DONE]\\n\\n\")
" >big.sse &&
	test_expect_code 1 tally record --stream --tee <big.sse >through 2>err &&
	cmp big.sse through &&
	test_grep "a line of the stream is longer than 8 MiB; passed through, not recorded" err &&
	! test -s "$(ledger)"
'

test_expect_success 'tee passes a response larger than 64 MiB through whole' '
	python3 -c "
import sys
sys.stdout.write(\"{\\\"pad\\\": \\\"\" + \"b\" * (65 << 20) + \"\\\"}\")
" >big.json &&
	test_expect_code 1 tally record -r - --tee <big.json >through 2>err &&
	cmp big.json through &&
	test_grep "larger than 64 MiB; passed through, not recorded" err
'

test_expect_success 'an event of many data lines is bounded in memory' '
	python3 -c "
import sys
line = \"data: \" + \"c\" * 1000 + \"\\n\"
sys.stdout.write(line * 400000 + \"\\n\")
" >many.sse &&
	MAXRSS_IN=many.sse python3 maxrss.py tally record --stream >r &&
	read status rss <r &&
	test "$status" = 1 &&
	rss_bounded "$rss" &&
	test_grep "an event of the stream is larger than 8 MiB" maxrss.err
'

test_expect_success 'a stream cut before message_stop is recorded as incomplete' '
	sed "/message_delta/,\$d" "$TALLY_SOURCE_DIR/contrib/examples/streams/anthropic-messages.sse" >cut.sse &&
	test_grep -v message_stop cut.sse &&
	tally record --stream -r cut.sse >id 2>err &&
	test_grep "the stream was cut before its end; recorded as incomplete" err &&
	tally log --ndjson >row &&
	test "$(json_get row "d[\"status\"]")" = incomplete &&
	test "$(json_get row "d[\"billedOutputTokens\"]")" = 1 &&
	rm "$(ledger)"
'

test_expect_success 'a Gemini stream without its final chunk is incomplete; the whole one replaces it' '
	head -n 1 "$TALLY_SOURCE_DIR/contrib/examples/streams/gemini.sse" >gcut.sse &&
	tally record --stream -r gcut.sse >/dev/null 2>err &&
	test_grep "cut before its end" err &&
	tally log --porcelain | cut -f6,10 >rows &&
	printf "2\tincomplete\n" >expect &&
	test_cmp expect rows &&
	tally record --stream -r "$TALLY_SOURCE_DIR/contrib/examples/streams/gemini.sse" >/dev/null 2>err &&
	test_must_be_empty err &&
	tally log --porcelain | cut -f6,10 >rows &&
	printf "26\tcompleted\n" >expect &&
	test_cmp expect rows &&
	rm "$(ledger)"
'

test_expect_success 'whole streams of every format are completed' '
	for f in "$TALLY_SOURCE_DIR"/contrib/examples/streams/*.sse; do
		tally record --stream -r "$f" -q 2>err || return 1
		test_must_be_empty err || return 1
	done &&
	tally log --porcelain | cut -f10 | sort -u >statuses &&
	echo completed >expect &&
	test_cmp expect statuses &&
	rm "$(ledger)"
'

# The escapes a hostile model name carries: set the title (OSC ... BEL),
# clear the screen (ESC [ 2 J), return the carriage, start a new line.
cat >evil.json <<'EOF'
{"id": "chatcmpl-evil", "object": "chat.completion",
 "model": "gpt-4.1\u001b]0;pwned\u0007\u001b[2J\rFORGED\nline\u202eevil",
 "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}}
EOF

# no_raw_controls <file>: no ESC, BEL or CR, no right-to-left override.
no_raw_controls() {
	! grep -q "$(printf "\033")" "$1" &&
	! grep -q "$(printf "\007")" "$1" &&
	! grep -q "$(printf "\r")" "$1" &&
	! grep -q "$(printf "\342\200\256")" "$1"
}

test_expect_success 'control characters never reach the terminal raw' '
	tally record -q -r evil.json --tag "team=$(printf "x\033[31my")" &&
	tally log >log.out &&
	no_raw_controls log.out &&
	test_grep "gpt-4.1\\\\x1b\]0;pwned\\\\x07\\\\x1b\[2J\\\\x0dFORGED\\\\x0aline\\\\u202eevil" log.out &&
	test_line_count = 2 log.out &&
	tally summary --window workspace --by model >sum.out &&
	no_raw_controls sum.out &&
	test_grep "x1b" sum.out &&
	tally summary --window workspace --by tag:team >tag.out &&
	no_raw_controls tag.out &&
	test_grep "x\\\\x1b\[31my" tag.out &&
	tally log --porcelain >porcelain.out &&
	no_raw_controls porcelain.out &&
	test_line_count = 1 porcelain.out &&
	test_expect_code 1 tally pricing show "$(printf "m\033]0;t\007")" >price.out &&
	no_raw_controls price.out &&
	test_grep "m\\\\x1b\]0;t\\\\x07: unpriced" price.out
'

test_expect_success 'machine formats keep the exact bytes, JSON-escaped' '
	tally log --json >log.json &&
	test "$(json_get log.json "d[0][\"modelId\"]")" = "$(printf "gpt-4.1\033]0;pwned\007\033[2J\rFORGED\nline\342\200\256evil")"
'

test_expect_success 'provider error messages are escaped in sync output and messages' '
	cat >server.json <<-\EOF &&
	{"routes": [
	  {"path": "/v1/organization/usage/completions", "replies": [{"status": 400, "body": {"error": {"message": "bad\u001b]0;owned\u0007\r\nFORGED LINE", "type": "invalid_request_error"}}}]}
	]}
	EOF
	fake_provider_start server.json &&
	tally record -q -p openai -m gpt-4.1 --input-tokens 1 --started-at 2026-11-24T09:00:00Z &&
	OPENAI_ADMIN_KEY=sk-admin-x test_must_fail tally \
		-c providers.openai.base_url=$FAKE_URL/v1 sync -p openai >sync.out 2>sync.err &&
	no_raw_controls sync.out &&
	no_raw_controls sync.err &&
	cat sync.out sync.err >both &&
	test_grep "bad\\\\x1b\]0;owned\\\\x07\\\\x0d\\\\x0aFORGED LINE" both &&
	fake_provider_stop
'

test_expect_success 'CSV cells that a spreadsheet would run are neutralised' '
	export TALLY_HOME=$PWD/csv &&
	tally record -q -p openai -m "=HYPERLINK(\"http://x\",\"y\")" --input-tokens 1 &&
	tally record -q -p openai -m "+cmd" --input-tokens 1 &&
	tally record -q -p openai -m "-2+3" --input-tokens 1 &&
	tally record -q -p openai -m "@SUM(A1)" --input-tokens 1 &&
	tally record -q -p openai -m "plain-model" --input-tokens 1 &&
	tally export --format csv -o out.csv &&
	python3 -c "
import csv, sys
rows = list(csv.DictReader(open(\"out.csv\", newline=\"\")))
models = sorted(r[\"modelId\"] for r in rows)
want = sorted([\"\x27=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\", \"\x27+cmd\", \"\x27-2+3\", \"\x27@SUM(A1)\", \"plain-model\"])
assert models == want, models
assert all(r[\"billedInputTokens\"] == \"1\" for r in rows)
"
'

test_done
