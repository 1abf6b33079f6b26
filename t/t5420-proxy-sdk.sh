#!/bin/sh
test_description='tally exec with the official OpenAI and Anthropic SDKs as clients'
. ./test-lib.sh

# The SDKs (npm packages openai and @anthropic-ai/sdk) are installed by
# ./dev into $TALLY_SDK_DIR; the upstream answers with bodies and streams
# of the third-party corpus, so the SDKs parse what providers send.
TP=$FIXTURES/third-party

test_expect_success SDK 'set up the upstream' '
	python3 - "$TP" >script.json <<-\EOF
	import json, os, sys
	d = sys.argv[1]
	def raw(f):
	    return open(os.path.join(d, f)).read()
	def chunks(f):
	    return [{"raw": ev + "\n\n"} for ev in raw(f).split("\n\n") if ev.strip()]
	ct = {"Content-Type": "application/json"}
	print(json.dumps({"routes": [
	    {"method": "POST", "path": "/v1/chat/completions", "replies": [
	        {"status": 429, "headers": {"retry-after-ms": "200"},
	         "body": {"error": {"message": "Rate limit reached",
	                            "type": "requests",
	                            "code": "rate_limit_exceeded"}}},
	        {"raw": raw("openai-chat-text.json")},
	        {"chunks": chunks("openai-chat-text.sse")}]},
	    {"method": "POST", "path": "/v1/responses",
	     "replies": [{"raw": raw("openai-responses-web-search.json")}]},
	    {"method": "POST", "path": "/anthropic/v1/messages", "replies": [
	        {"raw": raw("anthropic-text.json")},
	        {"chunks": chunks("anthropic-text.sse")}]},
	]}))
	EOF
'

test_have_prereq SDK && fake_provider_start script.json

test_expect_success SDK 'every SDK call is recorded with the tokens the SDK reports' '
	tally config set providers.openai.base_url "$FAKE_URL/v1" &&
	tally config set providers.anthropic.base_url "$FAKE_URL/anthropic" &&
	NODE_PATH=$TALLY_SDK_DIR/node_modules tally exec -- \
		node "$TEST_DIRECTORY/lib/sdk-client.cjs" >sdk.out &&
	test_line_count = 5 sdk.out &&
	tally log --json >log.json &&
	python3 - <<-\EOF
	import json
	calls = [json.loads(l) for l in open("sdk.out")]
	entries = json.load(open("log.json"))
	by_id = {e.get("providerRequestId"): e for e in entries}
	for c in calls:
	    e = by_id[c["id"]]
	    got = (e["billedInputTokens"], e["billedOutputTokens"])
	    assert got == (c["input"], c["output"]), (c, got)
	    assert e["source"] == "proxy" and e["status"] == "completed", e
	    assert e["sessionResource"].startswith("exec:node:"), e
	failed = [e for e in entries if e["status"] == "failed"]
	assert len(failed) == 1 and failed[0]["httpStatus"] == 429, failed
	assert failed[0]["retryAfterMs"] == 200, failed
	chat = by_id[calls[0]["id"]]
	assert chat["retries"] == 1 and chat["throttleWaitMs"] >= 0, chat
	assert len(entries) == 6, len(entries)
	EOF
'

test_expect_success SDK 'the SDKs'"'"' keys are in no file tally wrote' '
	! grep -r "sdk-test-secret" "$TALLY_HOME" &&
	test_grep "sk-sdk-test-secret" "$FAKE_LOG" >/dev/null &&
	test_grep "sk-ant-sdk-test-secret" "$FAKE_LOG" >/dev/null
'

test_done
