#!/bin/sh
test_description='the HTTP path: retries, delays, timeouts, errors, traces'
. ./test-lib.sh

KEY=sk-or-v1-secret-0123456789abcdef
export OPENROUTER_API_KEY=$KEY

# serve <replies-json>: a fake OpenRouter whose generation lookups answer
# with these replies in turn (the last repeats).
serve() {
	cat >script.json <<-EOF
	{"routes": [{"path": "/api/v1/generation", "replies": $1}]}
	EOF
	fake_provider_start script.json
}

GEN='{"status": 200, "body": {"data": {"id": "gen-1", "model": "m", "total_cost": 0.5, "native_tokens_prompt": 10, "native_tokens_completion": 5}}}'

setup_entry() {
	rm -rf "$TALLY_HOME" &&
	tally record -q -p openrouter -m m --provider-request-id gen-1 --input-tokens 9
}

sync_it() {
	tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 "$@" sync -p openrouter
}

requests() {
	wc -l <"$FAKE_LOG"
}

# gap <n>: seconds between request n and n+1 in the log.
gap() {
	python3 -c "
import json, sys
t = [json.loads(l)[\"time\"] for l in open(\"$FAKE_LOG\")]
print(t[$1] - t[$1 - 1])"
}

test_expect_success 'plain http is refused except to loopback' '
	setup_entry &&
	test_expect_code 3 tally -c providers.openrouter.base_url=http://example.com sync -p openrouter 2>err &&
	test_grep "refusing plain http to .example.com." err &&
	test_expect_code 3 tally -c providers.openrouter.base_url=ftp://x sync -p openrouter 2>err &&
	test_grep "is not an http(s) URL" err
'

test_expect_success '429 with Retry-After in seconds is honoured' '
	setup_entry &&
	serve "[{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}, \"body\": {\"error\": {\"code\": 429}}}, $GEN]" &&
	sync_it >out &&
	test "$(requests)" = 2 &&
	python3 -c "import sys; sys.exit(0 if $(gap 1) >= 0.95 else 1)" &&
	test_grep "1 synced" out &&
	fake_provider_stop
'

test_expect_success 'retry-after-ms wins over Retry-After' '
	setup_entry &&
	serve "[{\"status\": 503, \"headers\": {\"retry-after-ms\": \"300\", \"Retry-After\": \"30\"}}, $GEN]" &&
	sync_it >out &&
	python3 -c "import sys; g = $(gap 1); sys.exit(0 if 0.28 <= g < 5 else 1)" &&
	fake_provider_stop
'

test_expect_success 'Retry-After as an HTTP date' '
	setup_entry &&
	serve "[{\"status\": 429, \"headers\": {\"Retry-After\": \"@date+2\"}}, $GEN]" &&
	sync_it >out &&
	python3 -c "import sys; g = $(gap 1); sys.exit(0 if 0.9 <= g < 5 else 1)" &&
	test_grep "1 synced" out &&
	fake_provider_stop
'

test_expect_success 'a wait longer than --max-wait is not waited: exit 4 at once, and why' '
	setup_entry &&
	serve "[{\"status\": 429, \"headers\": {\"Retry-After\": \"999999\"}}, $GEN]" &&
	start=$(date +%s) &&
	test_expect_code 4 sync_it >out 2>err &&
	test $(($(date +%s) - start)) -lt 10 &&
	test "$(requests)" = 1 &&
	test_grep "openrouter answered HTTP 429 and asked to wait 11d, longer than --max-wait 1m" err &&
	tally log --porcelain --status pending_sync >p &&
	test_line_count = 1 p &&
	fake_provider_stop
'

test_expect_success 'a wait within --max-wait is announced, then waited' '
	setup_entry &&
	serve "[{\"status\": 429, \"headers\": {\"Retry-After\": \"1\"}}, $GEN]" &&
	tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 sync -p openrouter \
		--max-wait 2s >out 2>err &&
	test "$(requests)" = 2 &&
	test_grep "^tally: warning: $FAKE_URL/api/v1/generation answered HTTP 429; trying again in 1s, as it asked$" err &&
	test_grep "1 synced" out &&
	setup_entry &&
	serve "[{\"status\": 429, \"headers\": {\"Retry-After\": \"3\"}}, $GEN]" &&
	test_expect_code 4 tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 \
		sync -p openrouter --max-wait 2s >out 2>err &&
	test "$(requests)" = 1 &&
	test_grep "asked to wait 3s, longer than --max-wait 2s" err &&
	test_expect_code 2 tally sync --max-wait soon 2>err &&
	test_grep "expects a duration" err &&
	fake_provider_stop
'

test_expect_success '500s are retried with backoff, then succeed' '
	setup_entry &&
	serve "[{\"status\": 500}, {\"status\": 502}, $GEN]" &&
	sync_it >out &&
	test "$(requests)" = 3 &&
	python3 -c "import sys; sys.exit(0 if $(gap 1) >= 0.3 and $(gap 2) >= 0.6 else 1)" &&
	test_grep "1 synced" out &&
	fake_provider_stop
'

test_expect_success 'retries run out: exit 4, the entry stays pending' '
	setup_entry &&
	cp "$(ledger)" before &&
	serve "[{\"status\": 500}]" &&
	test_expect_code 4 sync_it -c http_max_retries=2 >out 2>err &&
	test "$(requests)" = 3 &&
	test_cmp before "$(ledger)" &&
	tally log --porcelain --status pending_sync >p &&
	test_line_count = 1 p &&
	fake_provider_stop
'

test_expect_success 'x-should-retry: false is not retried' '
	setup_entry &&
	serve "[{\"status\": 500, \"headers\": {\"x-should-retry\": \"false\"}}]" &&
	test_expect_code 4 sync_it >out 2>err &&
	test "$(requests)" = 1 &&
	fake_provider_stop
'

test_expect_success 'x-should-retry: true retries a 400' '
	setup_entry &&
	serve "[{\"status\": 400, \"headers\": {\"x-should-retry\": \"true\"}}, $GEN]" &&
	sync_it >out &&
	test "$(requests)" = 2 &&
	fake_provider_stop
'

test_expect_success 'insufficient_quota is never retried' '
	setup_entry &&
	serve "[{\"status\": 429, \"body\": {\"error\": {\"message\": \"You exceeded your current quota\", \"type\": \"insufficient_quota\", \"code\": \"insufficient_quota\"}}}]" &&
	test_expect_code 4 sync_it >out 2>err &&
	test "$(requests)" = 1 &&
	fake_provider_stop
'

test_expect_success 'garbage and empty bodies: exit 4, nothing lost' '
	setup_entry &&
	cp "$(ledger)" before &&
	serve "[{\"status\": 200, \"raw\": \"<html>oops\"}]" &&
	test_expect_code 4 sync_it >out 2>err &&
	test_grep "generation gen-1: invalid JSON at byte 0" err &&
	test_cmp before "$(ledger)" &&
	fake_provider_stop &&
	serve "[{\"status\": 200, \"raw\": \"\"}]" &&
	test_expect_code 4 sync_it >out 2>err &&
	test_cmp before "$(ledger)" &&
	fake_provider_stop
'

test_expect_success 'a reply slower than the timeout: exit 4' '
	setup_entry &&
	serve "[{\"status\": 200, \"delay\": 3, \"body\": {}}]" &&
	start=$(date +%s) &&
	test_expect_code 4 sync_it -c http_timeout_ms=300 -c http_max_retries=0 >out 2>err &&
	test $(($(date +%s) - start)) -lt 3 &&
	fake_provider_stop
'

test_expect_success 'nobody listening: exit 4, pending stays pending' '
	setup_entry &&
	port=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	test_expect_code 4 tally -c providers.openrouter.base_url=http://127.0.0.1:$port \
		-c http_max_retries=1 sync -p openrouter >out 2>err &&
	tally log --porcelain --status pending_sync >p &&
	test_line_count = 1 p
'

test_expect_success 'libcurl that cannot be loaded: exit 4, pending stays pending' '
	serve "[$GEN]" &&
	setup_entry &&
	TALLY_LIBCURL=$TRASH_DIRECTORY/no-such-libcurl.so &&
	export TALLY_LIBCURL &&
	test_expect_code 4 sync_it >out 2>err &&
	unset TALLY_LIBCURL &&
	test_grep "^tally: .*cannot load libcurl: .*no-such-libcurl.so" err &&
	tally log --porcelain --status pending_sync >p &&
	test_line_count = 1 p &&
	test_line_count = 0 "$FAKE_LOG"
'

test_expect_success 'commands that make no request do not load libcurl' '
	serve "[$GEN]" &&
	setup_entry &&
	LD_DEBUG=libs tally log >/dev/null 2>ld.out &&
	test_grep "calling init" ld.out &&
	! grep libcurl ld.out &&
	LD_DEBUG=libs sync_it >/dev/null 2>ld.out &&
	test_grep "calling init: .*libcurl" ld.out
'

test_expect_success 'a refused key is exit 5' '
	setup_entry &&
	serve "[{\"status\": 401, \"body\": {\"error\": {\"code\": 401, \"message\": \"No auth credentials found\"}}}]" &&
	test_expect_code 5 sync_it >out 2>err &&
	test_grep "openrouter refused the key" err &&
	test "$(requests)" = 1 &&
	fake_provider_stop
'

test_expect_success 'a missing key is exit 5 and names the variable' '
	setup_entry &&
	(unset OPENROUTER_API_KEY && test_expect_code 5 tally sync -p openrouter) 2>err &&
	test_grep "no API key for openrouter: set OPENROUTER_API_KEY" err
'

test_expect_success 'the key can come from api_key_command' '
	setup_entry &&
	serve "[$GEN]" &&
	(unset OPENROUTER_API_KEY &&
	 tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 \
		-c "providers.openrouter.api_key_command=echo sk-from-command" \
		sync -p openrouter >out) &&
	test_grep "\"authorization\": \"Bearer sk-from-command\"" "$FAKE_LOG" &&
	setup_entry &&
	(unset OPENROUTER_API_KEY &&
	 test_expect_code 5 tally -c "providers.openrouter.api_key_command=false" \
		sync -p openrouter) 2>err &&
	test_grep "api_key_command failed" err &&
	fake_provider_stop
'

test_expect_success 'the trace shows the exchange and hides the key' '
	setup_entry &&
	serve "[$GEN]" &&
	TALLY_TRACE_HTTP=1 sync_it >out 2>trace &&
	test_grep "^tally: http: > GET /api/v1/generation?id=gen-1 HTTP/1.1" trace &&
	test_grep -i "^tally: http: > authorization: <redacted>" trace &&
	test_grep "^tally: http: < HTTP/1.1 200" trace &&
	test_grep -v "$KEY" trace &&
	test_grep "\"authorization\": \"Bearer $KEY\"" "$FAKE_LOG" &&
	fake_provider_stop
'

test_expect_success 'the key is in no file tally wrote' '
	! grep -r "$KEY" "$TALLY_HOME" &&
	! grep -r "$KEY" out
'

test_done
