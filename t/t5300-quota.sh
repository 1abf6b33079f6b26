#!/bin/sh
test_description='tally quota --refresh against OpenRouter'
. ./test-lib.sh

export OPENROUTER_API_KEY=sk-or-v1-quota
TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

cat >key.json <<'EOF'
{"routes": [
  {"path": "/api/v1/key", "replies": [{"status": 200, "body": {"data": {"label": "sk-or-v1-au7...890",
    "limit": 100, "limit_remaining": 74.5, "limit_reset": "monthly", "usage": 25.5,
    "usage_daily": 25.5, "is_free_tier": false, "rate_limit": {"interval": "1h", "requests": 1000}}}}]},
  {"path": "/api/v1/credits", "replies": [{"status": 403, "body": {"error": {"code": 403,
    "message": "Management key required"}}}]}
]}
EOF

test_expect_success 'no quota known yet' '
	tally quota >out 2>err &&
	test_must_be_empty out &&
	test_grep "no quota known yet" err
'

test_expect_success '--refresh: the key limit left' '
	fake_provider_start key.json &&
	tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 quota --refresh >q &&
	test_grep "^openrouter  *\$74.50 left  *-  *0s ago$" q &&
	tally quota --json >q.json &&
	test "$(json_get q.json "d")" = \
		"[{\"providerId\": \"openrouter\", \"remainingUsd\": 74.5, \"capturedAt\": 1795521600000, \"ageMs\": 0}]" &&
	test_grep "\"authorization\": \"Bearer sk-or-v1-quota\"" "$FAKE_LOG" &&
	fake_provider_stop
'

test_expect_success 'quota rows are not usage' '
	tally summary --json --window workspace >s.json &&
	test "$(json_get s.json "d[\"requests\"]")" = 0 &&
	tally log --porcelain >l &&
	test_must_be_empty l &&
	tally log --kind quota --porcelain >l &&
	test_line_count = 1 l
'

test_expect_success 'an unlimited key falls back to the credits' '
	cat >credits.json <<-\EOF &&
	{"routes": [
	  {"path": "/api/v1/key", "replies": [{"status": 200, "body": {"data": {"limit": null, "limit_remaining": null}}}]},
	  {"path": "/api/v1/credits", "replies": [{"status": 200, "body": {"data": {"total_credits": 100.5, "total_usage": 25.75}}}]}
	]}
	EOF
	fake_provider_start credits.json &&
	TALLY_NOW=2026-11-24T12:05:00Z tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 quota --refresh --json >q.json &&
	test "$(json_get q.json "d[0][\"remainingUsd\"]")" = 74.75 &&
	tally log --kind quota --porcelain >l &&
	test_line_count = 1 l &&
	fake_provider_stop
'

test_expect_success 'no key: exit 5' '
	(unset OPENROUTER_API_KEY && test_expect_code 5 tally quota --refresh) 2>err &&
	test_grep "no provider could be asked: set OPENROUTER_API_KEY" err
'

test_expect_success 'a refused key: exit 5' '
	cat >denied.json <<-\EOF &&
	{"routes": [{"path": "/api/v1/key", "replies": [{"status": 401, "body": {"error": {"code": 401}}}]},
	            {"path": "/api/v1/credits", "replies": [{"status": 401, "body": {"error": {"code": 401}}}]}]}
	EOF
	fake_provider_start denied.json &&
	test_expect_code 5 tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 quota --refresh 2>err &&
	test_grep "openrouter refused the key" err
'

test_expect_success 'keys are in no file and no trace' '
	fake_provider_start key.json &&
	TALLY_TRACE_HTTP=1 tally -c providers.openrouter.base_url=$FAKE_URL/api/v1 quota --refresh >q 2>trace &&
	test_grep "tally: http: > GET /api/v1/key" trace &&
	! grep -r "sk-or-v1-quota" "$TALLY_HOME" trace q
'

test_done
