#!/bin/sh
test_description='the real default endpoints, base URLs as the SDKs write them, page sizes within the documented limits'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:30:00Z
export TALLY_NOW
# 2026-10-24 is 1792800000 (UTC midnight), 2026-11-24 is 1795478400.

test_expect_success 'setup: an entry for every provider that syncs' '
	tally record -q -p openrouter -m anthropic/claude-sonnet-4 \
		--provider-request-id gen-1764000000-abcdef --input-tokens 10 \
		--started-at 2026-11-24T09:00:00Z &&
	tally record -q -p openai -m gpt-4.1 --input-tokens 10 \
		--started-at 2026-11-23T09:00:00Z &&
	tally record -q -p anthropic -m claude-sonnet-4-20250514 \
		--input-tokens 10 --started-at 2026-11-23T09:00:00Z
'

test_expect_success 'sync -n asks the documented URLs, with no configuration' '
	tally sync -n >plan &&
	cat >expect <<-\EOF &&
	GET https://api.anthropic.com/v1/organizations/usage_report/messages?starting_at=2026-11-23T00%3A00%3A00Z&ending_at=2026-11-24T00%3A00%3A00Z&bucket_width=1d&group_by[]=model&limit=31
	GET https://api.anthropic.com/v1/organizations/usage_report/messages?starting_at=2026-11-24T00%3A00%3A00Z&ending_at=2026-11-24T13%3A00%3A00Z&bucket_width=1h&group_by[]=model&limit=24
	GET https://api.anthropic.com/v1/organizations/cost_report?starting_at=2026-11-23T00%3A00%3A00Z&ending_at=2026-11-25T00%3A00%3A00Z&group_by[]=description&limit=2
	GET https://api.openai.com/v1/organization/usage/completions?start_time=1795392000&end_time=1795478400&bucket_width=1d&group_by[]=model&limit=31
	GET https://api.openai.com/v1/organization/usage/completions?start_time=1795478400&end_time=1795523400&bucket_width=1h&group_by[]=model&limit=24
	GET https://api.openai.com/v1/organization/costs?start_time=1795392000&end_time=1795523400&bucket_width=1d&group_by[]=line_item&limit=2
	GET https://openrouter.ai/api/v1/generation?id=gen-1764000000-abcdef
	EOF
	test_cmp expect plan
'

test_expect_success 'quota --refresh -n asks the documented URLs' '
	tally quota --refresh -n >plan &&
	cat >expect <<-\EOF &&
	GET https://openrouter.ai/api/v1/key
	GET https://openrouter.ai/api/v1/credits
	EOF
	test_cmp expect plan &&
	test_expect_code 2 tally quota -n 2>err &&
	test_grep "goes with --refresh" err
'

test_expect_success 'base URLs as the SDKs write them are taken; a trailing slash is harmless' '
	tally -c providers.openai.base_url=https://api.openai.com/v1/ \
		-c providers.openrouter.base_url=https://openrouter.ai/api/v1/ \
		-c providers.anthropic.base_url=https://api.anthropic.com/ \
		sync -n >plan2 &&
	tally sync -n >plan &&
	test_cmp plan plan2 &&
	tally -c providers.openrouter.base_url=https://openrouter.ai/api/v1/// \
		quota --refresh -n >q &&
	test_grep -x "GET https://openrouter.ai/api/v1/key" q
'

# refused <provider> <base URL> <expected form>: exit 3 naming the form.
refused() {
	test_expect_code 3 tally -c "providers.$1.base_url=$2" sync -p "$1" -n \
		>out 2>err || return 1
	cat out err >both &&
	test_grep "providers.$1.base_url: .* is not a base URL as .* SDK writes it; expected the form $3" both
}

test_expect_success 'a base URL that would double or drop a path segment is refused: exit 3' '
	refused openrouter https://openrouter.ai/api https://openrouter.ai/api/v1 &&
	refused openrouter https://openrouter.ai/api/v1/api/v1 https://openrouter.ai/api/v1 &&
	refused openai https://api.openai.com https://api.openai.com/v1 &&
	refused openai https://api.openai.com/v1/v1 https://api.openai.com/v1 &&
	refused anthropic https://api.anthropic.com/v1 https://api.anthropic.com &&
	refused anthropic https://gateway.example.com/anthropic/v1 https://api.anthropic.com &&
	refused openai https://proxy.example.com/v1/v1 https://api.openai.com/v1 &&
	test_expect_code 3 tally -c providers.openrouter.base_url=https://openrouter.ai/api \
		quota --refresh -n 2>err &&
	test_grep "expected the form https://openrouter.ai/api/v1" err
'

test_expect_success 'a proxy or gateway of another host is taken as written' '
	tally -c providers.openai.base_url=https://llm-gw.example.com/openai/v1 \
		sync -p openai -n >plan &&
	test_grep "^GET https://llm-gw.example.com/openai/v1/organization/costs?" plan
'

# check-limits.py <plan>: every page size within the endpoint's maximum.
cat >check-limits.py <<'PY'
import re, sys
limits = {"usage/completions:1d": 31, "usage/completions:1h": 168,
          "organization/costs:1d": 180, "usage_report/messages:1d": 31,
          "usage_report/messages:1h": 168, "cost_report:": 31}
n = 0
for line in open(sys.argv[1]):
    m = re.search(r"/(usage/completions|organization/costs|usage_report/messages|cost_report)\?", line)
    if not m:
        continue
    width = re.search(r"bucket_width=(\w+)", line)
    key = m.group(1) + ":" + (width.group(1) if width and m.group(1) != "cost_report" else "")
    limit = int(re.search(r"limit=(\d+)", line).group(1))
    assert limit <= limits[key], (line, limits[key])
    n += 1
print(n)
PY

test_expect_success 'page sizes stay within the documented maxima on the longest window' '
	tally record -q -p anthropic -m claude-sonnet-4-20250514 --input-tokens 1 \
		--started-at 2026-10-24T13:00:00Z &&
	tally record -q -p openai -m gpt-4.1 --input-tokens 1 \
		--started-at 2026-10-24T13:00:00Z &&
	tally sync -n --since 2026-10-24T12:30:00Z >plan &&
	test_grep "cost_report?starting_at=2026-10-24T00%3A00%3A00Z&ending_at=2026-11-25T00%3A00%3A00Z&group_by\[\]=description&limit=31$" plan &&
	test "$(python3 check-limits.py plan)" = 6 &&
	tally -c max_sync_window_days=400 sync -n --since 2025-11-01 >plan &&
	test "$(python3 check-limits.py plan)" = 6
'

# The cost report over 32 days comes in two pages of at most 31 buckets.
test_expect_success 'the rest of a long cost report is fetched page by page' '
	cat >server.json <<-\EOF &&
	{"routes": [
	  {"path": "/v1/organizations/usage_report/messages", "replies": [{"status": 200, "body": {"data": [], "has_more": false, "next_page": null}}]},
	  {"path": "/v1/organizations/cost_report", "query": {"page": "p2"}, "replies": [{"status": 200, "body": {"data": [], "has_more": false, "next_page": null}}]},
	  {"path": "/v1/organizations/cost_report", "replies": [{"status": 200, "body": {"data": [], "has_more": true, "next_page": "p2"}}]}
	]}
	EOF
	fake_provider_start server.json &&
	ANTHROPIC_ADMIN_KEY=sk-ant-admin-x tally -c providers.anthropic.base_url=$FAKE_URL \
		sync -p anthropic --since 2026-10-24T12:30:00Z >out &&
	grep cost_report "$FAKE_LOG" >costs &&
	test_line_count = 2 costs &&
	test_grep "\"limit\": \"31\"" costs &&
	test_grep "\"page\": \"p2\"" costs &&
	fake_provider_stop
'

test_done
