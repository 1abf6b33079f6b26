#!/bin/sh
test_description='hostile URLs and reports: user information, loopback tricks, endless and cycling pages'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:30:00Z
OPENAI_ADMIN_KEY=sk-admin-URLSECRET0123
export TALLY_NOW OPENAI_ADMIN_KEY

# pages.py <out.json> <kind>: a fake OpenAI whose usage report pages
# never end (kind "endless": a new cursor each time), come back to an
# earlier one ("cycle": a, b, a), or say there is more without a cursor
# ("nocursor").
cat >pages.py <<'PY'
import json, sys
out, kind = sys.argv[1], sys.argv[2]
def page(cursor, more=True):
    return {"status": 200, "body": {"object": "page", "has_more": more,
            "next_page": cursor, "data": []}}
if kind == "endless":
    replies = [page("p%d" % i) for i in range(1, 260)]
elif kind == "cycle":
    replies = [page("a"), page("b"), page("a"), page("b")]
else:
    replies = [page(None)]
empty = {"status": 200, "body": {"object": "page", "has_more": False,
         "next_page": None, "data": []}}
json.dump({"routes": [
    {"path": "/v1/organization/usage/completions", "replies": replies},
    {"path": "/v1/organization/costs", "replies": [empty]},
    {"path": "/prices.json", "replies": [{"status": 200, "body": {"gpt-x": {
        "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06,
        "litellm_provider": "openai", "mode": "chat"}}}]}]}, open(out, "w"))
PY

test_expect_success 'setup: an entry to reconcile' '
	tally record -q -p openai -m gpt-4.1 --input-tokens 10 \
		--started-at 2026-11-24T09:00:00Z
'

test_expect_success 'a report whose pages never end is an error, not "0 failed"' '
	python3 pages.py endless.json endless &&
	fake_provider_start endless.json &&
	test_expect_code 4 tally -c providers.openai.base_url=$FAKE_URL/v1 \
		sync -p openai >out 2>err &&
	test_grep "openai still had more after 200 pages; the report was cut short" out err &&
	test "$(grep -c usage/completions "$FAKE_LOG")" -le 201 &&
	tally log --porcelain --status pending_sync >p &&
	test_line_count = 1 p &&
	fake_provider_stop
'

test_expect_success 'a cursor that comes back is noticed' '
	python3 pages.py cycle.json cycle &&
	fake_provider_start cycle.json &&
	test_expect_code 4 tally -c providers.openai.base_url=$FAKE_URL/v1 \
		sync -p openai >out 2>err &&
	test_grep "sent a page cursor it had sent before" out err &&
	test "$(grep -c usage/completions "$FAKE_LOG")" = 3 &&
	fake_provider_stop
'

test_expect_success '"more" without a cursor is noticed too' '
	python3 pages.py nocursor.json nocursor &&
	fake_provider_start nocursor.json &&
	test_expect_code 4 tally -c providers.openai.base_url=$FAKE_URL/v1 \
		sync -p openai --json >out.json 2>err &&
	test_grep "said there were more pages but not where" out.json err &&
	fake_provider_stop
'

test_expect_success 'user information never makes another host loopback' '
	test_expect_code 3 tally -c providers.openai.base_url=http://127.0.0.1:1@192.0.2.2:18555 \
		sync -p openai >out 2>err &&
	test_grep "refusing plain http to .192.0.2.2." out err &&
	test_expect_code 3 tally -c "providers.openai.base_url=http://localhost#@192.0.2.2/" \
		sync -p openai -n >/dev/null 2>&1 &&
	test_expect_code 3 tally -c providers.openai.base_url=http://127.0.0.1.example.com \
		sync -p openai >out 2>err &&
	test_grep "refusing plain http" out err
'

test_expect_success 'loopback with user information is loopback; it is never printed' '
	python3 pages.py ok.json nocursor &&
	fake_provider_start ok.json &&
	port=${FAKE_URL##*:} &&
	tally -c providers.openai.base_url=http://user:s3cretpw@127.0.0.1:$port/v1 \
		sync -p openai -n >plan 2>err &&
	test_grep "^GET http://127.0.0.1:$port/v1/organization/usage/completions" plan &&
	! grep s3cretpw plan err &&
	fake_provider_stop
'

test_expect_success 'export --push with user information: basic auth, no password in messages' '
	python3 pages.py push.json nocursor &&
	fake_provider_start push.json &&
	port=${FAKE_URL##*:} &&
	{ tally export --push "http://user:pw@127.0.0.1:$port/" 2>err; true; } &&
	test_grep -v "is not an http" err &&
	test_grep "\"authorization\": \"Basic dXNlcjpwdw==\"" "$FAKE_LOG" &&
	! grep ":pw@" err &&
	test_expect_code 4 tally export --push "https://user:s3cretpw@127.0.0.1:1/" 2>err &&
	test_grep "Pushgateway at https://127.0.0.1:1/" err &&
	! grep s3cretpw err &&
	fake_provider_stop
'

test_expect_success 'pricing update from a URL with credentials stores and shows none' '
	python3 pages.py prices.json nocursor &&
	fake_provider_start prices.json &&
	port=${FAKE_URL##*:} &&
	tally pricing update --from "http://user:s3cretpw@127.0.0.1:$port/prices.json" >out 2>err &&
	test_grep "^1 price from http://127.0.0.1:$port/prices.json saved" out &&
	! grep -r s3cretpw out err "$HOME/.cache" &&
	tally pricing show >list &&
	! grep s3cretpw list &&
	fake_provider_stop
'

test_expect_success 'URLs that are not http(s), or not URLs, are refused with exit 2 or 3' '
	test_expect_code 2 tally export --push "file:///etc/passwd" 2>err &&
	test_grep "is not an http(s) URL" err &&
	test_expect_code 2 tally export --push "http://" 2>err &&
	test_grep "is not a URL\|names no host" err &&
	test_expect_code 3 tally -c "providers.openai.base_url=gopher://x" sync -p openai 2>err >out &&
	test_grep "is not an http(s) URL" out err
'

test_done
