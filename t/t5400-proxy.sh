#!/bin/sh
test_description='tally proxy: requests pass through byte for byte and are recorded'
. ./test-lib.sh

TP=$FIXTURES/third-party

# The fake upstream serves every third-party fixture at
# /<provider>/fx/<file>, streams chunked an event at a time, and a few
# scripted routes of its own.
test_expect_success 'set up the fake upstream from the corpus' '
	python3 "$TEST_DIRECTORY/lib/proxy-upstream.py" "$TP" >script.json
'

fake_provider_start script.json

test_expect_success 'point every provider at it' '
	for p in anthropic azure deepseek gemini groq mistral openrouter xai; do
		tally config set providers.$p.base_url "$FAKE_URL/$p" || return 1
	done &&
	tally config set providers.openai.base_url "$FAKE_URL/openai/v1"
'

# proxy_start [<option>...]: starts tally proxy on a free port; sets
# PROXY (its base URL) and PROXY_PID, so it is called outside the tests'
# bodies. proxy_stop sends SIGTERM and waits.
proxy_start() {
	rm -f proxy.url
	test ! -f proxy.log || mv proxy.log "proxy.log.$PROXY_PID"
	tally proxy --listen 127.0.0.1:0 "$@" >proxy.url 2>proxy.log &
	PROXY_PID=$!
	echo $PROXY_PID >>"$TRASH_DIRECTORY/.fake-pids"
	i=0
	while ! test -s proxy.url; do
		i=$((i + 1))
		test $i -gt 200 && { cat proxy.log >&2; return 1; }
		sleep 0.05
	done
	PROXY=$(cat proxy.url)
}

# rows_now: the rows of the ledger. wait_rows <n>: waits (10 s at most)
# until it holds n, for the proxy's writer appends after the answer.
rows_now() {
	if test -f "$(ledger)"; then wc -l <"$(ledger)"; else echo 0; fi
}

wait_rows() {
	i=0
	while test "$(rows_now)" -lt "$1"; do
		i=$((i + 1))
		test $i -gt 200 && { echo "$(rows_now) rows, not $1" >&2; return 1; }
		sleep 0.05
	done
}

proxy_stop() {
	kill -TERM $PROXY_PID
	wait $PROXY_PID
	echo $? >>proxy.exits
}

proxy_start

test_expect_success 'the proxy says where it listens and what each route is' '
	test_grep "^http://127.0.0.1:[0-9]*$" proxy.url &&
	test_grep "/openai  *-> $FAKE_URL/openai/v1" proxy.log &&
	test_grep "/anthropic  *-> $FAKE_URL/anthropic" proxy.log
'

test_expect_success 'every fixture passes through byte for byte, read as the index says' '
	python3 - "$TP" >list <<-\EOF &&
	import json, os, sys
	for e in json.load(open(os.path.join(sys.argv[1], "index.json"))):
	    p = e["expect"]["providerId"]
	    print(p, "openai/v1" if p == "openai" else p, e["file"])
	EOF
	while read p base f; do
		curl -sS -o "direct-$f" -H "Content-Type: application/json" \
			-d "{\"model\":\"m\"}" "$FAKE_URL/$base/fx/$f" &&
		curl -sS -o "proxied-$f" -H "Authorization: Bearer sk-secret-key-$f" \
			-H "Content-Type: application/json" \
			-d "{\"model\":\"m\"}" "$PROXY/$p/fx/$f" &&
		cmp "direct-$f" "proxied-$f" &&
		cmp "$TP/$f" "proxied-$f" || return 1
	done <list &&
	wait_rows $(wc -l <list) &&
	python3 - "$TP" "$(ledger)" <<-\EOF
	import json, os, sys
	idx = json.load(open(os.path.join(sys.argv[1], "index.json")))
	# The rows as appended: two fixtures of one response share an id,
	# and the log would show only the later.
	got = [json.loads(l) for l in open(sys.argv[2])]
	by_id = {}
	assert len(got) == len(idx), (len(got), len(idx))
	# The proxy times the exchange itself (the bodies were recorded
	# long ago); prices are those of today, not of the index date.
	SKIP = {"source", "estimatedCostUsd", "toolFeesUsd", "priceId",
	        "startedAt", "completedAt"}
	bad = 0
	for want, g in zip(idx, got):
	    assert g["source"] == "proxy", g
	    assert g["httpStatus"] == 200 and g["latencyMs"] >= 0, g
	    if want["mode"] == "stream":
	        assert g.get("chunksReceived", 0) > 0, g
	    for k, w in want["expect"].items():
	        if k in SKIP:
	            continue
	        if g.get(k) != w:
	            print("%s: %s is %r, expected %r" % (want["file"], k, g.get(k), w))
	            bad += 1
	sys.exit(1 if bad else 0)
	EOF
'

test_expect_success 'no key the clients sent is kept anywhere' '
	test_grep "u_" proxy.log &&
	! grep -r "sk-secret-key" "$TALLY_HOME" proxy.log &&
	test_grep "sk-secret-key" "$FAKE_LOG" >/dev/null
'

test_expect_success 'a model list (no usage) passes through and is not recorded' '
	tally log --json >before.json &&
	curl -sS -o models.json "$PROXY/openai/models" &&
	test_grep "gpt-4o" models.json &&
	sleep 0.3 &&
	tally log --json >after.json &&
	test_cmp before.json after.json &&
	test_grep "GET /openai/models 200 .*not recorded" proxy.log
'

test_expect_success 'a 429 is recorded as failed with its Retry-After; the retry says it waited' '
	n0=$(rows_now) &&
	curl -s -o r1.json -w "%{http_code}\n" -H "Authorization: Bearer k1" \
		-d "{\"model\":\"gpt-4o\"}" "$PROXY/openai/chat/completions" >code1 &&
	sleep 0.2 &&
	curl -s -o r2.json -w "%{http_code}\n" -H "Authorization: Bearer k1" \
		-d "{\"model\":\"gpt-4o\"}" "$PROXY/openai/chat/completions" >code2 &&
	echo 429 >expect && test_cmp expect code1 &&
	echo 200 >expect && test_cmp expect code2 &&
	wait_rows $((n0 + 2)) &&
	tally log --json -n 2 >two.json &&
	json_get two.json "[d[1][\"status\"], d[1][\"errorCode\"], d[1][\"httpStatus\"], d[1][\"retryAfterMs\"], d[1][\"modelId\"]]" >got &&
	echo "[\"failed\", \"rate_limit_exceeded\", 429, 1000, \"gpt-4o\"]" >expect &&
	test_cmp expect got &&
	json_get two.json "[d[0][\"status\"], d[0][\"retries\"], d[0][\"throttleWaitMs\"] >= 200]" >got &&
	echo "[\"completed\", 1, true]" >expect &&
	test_cmp expect got
'

test_expect_success 'a ledger locked by another writer holds up no request' '
	hold_lock "$TALLY_HOME/profile/usage-ledger.lock" &&
	n0=$(wc -l <"$(ledger)") &&
	curl -s -o locked.json -w "%{http_code} %{time_total}\n" \
		-d "{\"model\":\"gpt-4o\"}" "$PROXY/openai/chat/completions" >code &&
	python3 -c "import sys; c, t = open(\"code\").read().split(); assert c == \"200\" and float(t) < 2, (c, t)" &&
	sleep 0.5 &&
	test $(wc -l <"$(ledger)") = $n0 &&
	kill $HOLD_PID &&
	i=0 &&
	while test $(wc -l <"$(ledger)") = $n0 && test $i -lt 100; do
		sleep 0.1 && i=$((i + 1))
	done &&
	test $(wc -l <"$(ledger)") = $((n0 + 1))
'

test_expect_success 'rate-limit headers become the quota snapshot' '
	json_get two.json "[d[0][\"quotaSnapshot\"][k] for k in (\"providerId\", \"remainingRequests\", \"limitRequests\", \"remainingTokens\")]" >got &&
	echo "[\"openai\", 4999, 5000, 1999000]" >expect &&
	test_cmp expect got &&
	tally quota --json >q.json &&
	json_get q.json "[q[\"remainingRequests\"] for q in d if q[\"providerId\"] == \"openai\"]" >got &&
	echo "[4999]" >expect &&
	test_cmp expect got
'

test_expect_success 'proxied entries wait for sync like any other' '
	tally sync -n -p openrouter >plan &&
	test_grep "generation?id=gen-openapi-chatusage" plan
'

test_expect_success 'a client that leaves mid-stream: the entry is cancelled' '
	n0=$(rows_now) &&
	python3 - "$PROXY/openai/slowchat" <<-\EOF &&
	import sys, urllib.request
	req = urllib.request.Request(sys.argv[1], data=b"{}", method="POST")
	r = urllib.request.urlopen(req)
	r.read1(10)
	r.close()
	EOF
	wait_rows $((n0 + 1)) &&
	tally log --json -n 1 >gone.json &&
	json_get gone.json "[d[0][\"providerRequestId\"], d[0][\"status\"]]" >got &&
	echo "[\"chatcmpl-slow\", \"cancelled\"]" >expect &&
	test_cmp expect got
'

test_expect_success 'a request body over 32 MiB is refused with 413' '
	python3 -c "import sys; sys.stdout.write(\"a\" * (33 << 20))" >big &&
	curl -s -o big.json -w "%{http_code}\n" --data-binary @big \
		"$PROXY/openai/chat/completions" >code &&
	rm big &&
	echo 413 >expect &&
	test_cmp expect code &&
	test_grep request_too_large big.json
'

test_expect_success 'a stream is forwarded as it comes, not when it ends' '
	python3 - "$PROXY/openai/slow" >times <<-\EOF &&
	import sys, time, urllib.request
	req = urllib.request.Request(sys.argv[1], data=b"{}", method="POST")
	start = time.time()
	with urllib.request.urlopen(req) as r:
	    first = r.read1(100)
	    t_first = time.time() - start
	    rest = r.read()
	    t_all = time.time() - start
	print("first-before-end" if t_first < t_all - 0.6 else "buffered %.2f %.2f" % (t_first, t_all))
	EOF
	echo first-before-end >expect &&
	test_cmp expect times
'

test_expect_success 'a stream without usage is recorded with its usage unknown, never zero' '
	n0=$(rows_now) &&
	curl -sS -o nu.sse -d "{\"model\":\"gpt-4o\",\"stream\":true}" "$PROXY/openai/nousage" &&
	wait_rows $((n0 + 1)) &&
	tally log --json -n 1 >nu.json &&
	json_get nu.json "[d[0][\"providerRequestId\"], d[0][\"status\"], \"billedInputTokens\" in d[0], \"totalBilledTokens\" in d[0]]" >got &&
	echo "[\"chatcmpl-nu\", \"completed\", false, false]" >expect &&
	test_cmp expect got &&
	test_grep "usage unknown" proxy.log
'

test_expect_success 'a stream the upstream cuts is recorded as incomplete' '
	n0=$(rows_now) &&
	test_expect_code 18 curl -sS -o cut.sse -d "{\"model\":\"gpt-4o\",\"stream\":true}" "$PROXY/openai/cut" &&
	wait_rows $((n0 + 1)) &&
	tally log --json -n 1 >cut.json &&
	json_get cut.json "[d[0][\"providerRequestId\"], d[0][\"status\"]]" >got &&
	echo "[\"chatcmpl-cut\", \"incomplete\"]" >expect &&
	test_cmp expect got
'

test_expect_success 'many streams at once are all forwarded and recorded' '
	n0=$(wc -l <"$(ledger)") &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		curl -sS -o "par-$i.sse" -d "{}" "$PROXY/anthropic/fx/anthropic-text.sse" &
	done &&
	wait &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		cmp "$TP/anthropic-text.sse" "par-$i.sse" || return 1
	done &&
	wait_rows $((n0 + 20)) &&
	test $(wc -l <"$(ledger)") = $((n0 + 20)) &&
	python3 -c "
import json
m = max(json.loads(l)[\"inflight\"] for l in open(\"$FAKE_LOG\"))
assert m > 1, m
"
'

test_expect_success 'GET /metrics is the Prometheus text export writes, and promtool accepts it' '
	curl -sS -D metrics.h -o metrics.txt "$PROXY/metrics" &&
	test_grep -i "content-type: text/plain; version=0.0.4" metrics.h &&
	tally export --format prometheus >export.txt &&
	test_cmp export.txt metrics.txt &&
	test_grep "gen_ai" metrics.txt &&
	promtool check metrics <metrics.txt
'

test_expect_success 'requests for another Host, from a web page, or to no route are refused' '
	curl -s -o h.json -w "%{http_code}\n" -H "Host: evil.example:80" \
		-d "{}" "$PROXY/openai/chat/completions" >code &&
	echo 403 >expect && test_cmp expect code &&
	test_grep host_refused h.json &&
	curl -s -o o.json -w "%{http_code}\n" -H "Origin: https://evil.example" \
		-d "{}" "$PROXY/openai/chat/completions" >code &&
	test_cmp expect code &&
	test_grep origin_refused o.json &&
	curl -s -o n.json -w "%{http_code}\n" -d "{}" "$PROXY/nope/x" >code &&
	echo 404 >expect && test_cmp expect code &&
	test_grep "no route for .*/nope/x.*/openai" n.json &&
	curl -s -o /dev/null -w "%{http_code}\n" -H "Host: localhost:${PROXY##*:}" \
		"$PROXY/openai/models" >code &&
	echo 200 >expect && test_cmp expect code
'

proxy_stop
tally config set providers.openai.base_url http://127.0.0.1:9/v1
proxy_start

test_expect_success 'an upstream that is down fails the client with 502 and a failed entry' '
	n0=$(rows_now) &&
	curl -s -o d.json -w "%{http_code}\n" -d "{\"model\":\"gpt-4o\"}" \
		"$PROXY/openai/chat/completions" >code &&
	echo 502 >expect && test_cmp expect code &&
	test_grep upstream_unreachable d.json &&
	wait_rows $((n0 + 1)) &&
	tally log --json -n 1 >d.log.json &&
	json_get d.log.json "[d[0][\"status\"], d[0][\"errorCode\"], d[0][\"httpStatus\"], d[0][\"modelId\"]]" >got &&
	echo "[\"failed\", \"upstream_unreachable\", 502, \"gpt-4o\"]" >expect &&
	test_cmp expect got
'

proxy_stop
tally config set providers.openai.base_url "$FAKE_URL/openai/v1"
proxy_start --idle-timeout 1

test_expect_success 'an upstream silent past --idle-timeout fails with upstream_timeout' '
	curl -s -o s.json -w "%{http_code}\n" -d "{\"model\":\"gpt-4o\"}" \
		"$PROXY/openai/silent" >code &&
	echo 502 >expect && test_cmp expect code &&
	test_grep upstream_timeout s.json
'

test_expect_success 'SIGTERM lets a stream in flight finish and records it' '
	python3 - "$PROXY/openai/slow" "$PROXY_PID" >term.out <<-\EOF &&
	import os, signal, sys, time, urllib.request
	req = urllib.request.Request(sys.argv[1], data=b"{}", method="POST")
	with urllib.request.urlopen(req) as r:
	    r.read1(100)
	    os.kill(int(sys.argv[2]), signal.SIGTERM)
	    rest = r.read()
	print(len(rest) > 0)
	EOF
	echo True >expect &&
	test_cmp expect term.out &&
	while kill -0 $PROXY_PID 2>/dev/null; do sleep 0.05; done &&
	test_grep "finishing the requests in flight" proxy.log &&
	test_grep "POST /openai/slow 200" proxy.log
'

test_expect_success 'beyond loopback needs --allow-remote and a token of 16 characters' '
	test_expect_code 2 tally proxy --listen 0.0.0.0:0 2>err &&
	test_grep "not a loopback address.*--allow-remote" err &&
	test_expect_code 2 tally proxy --listen 0.0.0.0:0 --allow-remote 2>err &&
	test_grep "TALLY_PROXY_TOKEN" err &&
	test_expect_code 2 tally proxy --listen nonsense 2>err &&
	test_grep "expected <address>:<port>" err &&
	test_grep "^see .tally proxy -h.$" err
'

TALLY_PROXY_TOKEN=0123456789abcdef01
export TALLY_PROXY_TOKEN
proxy_start --listen 0.0.0.0:0 --allow-remote
unset TALLY_PROXY_TOKEN

test_expect_success 'with a token, requests without it are refused' '
	port=${PROXY##*:} &&
	curl -s -o /dev/null -w "%{http_code}\n" "http://127.0.0.1:$port/openai/models" >code &&
	curl -s -o /dev/null -w "%{http_code}\n" -H "Proxy-Authorization: Bearer wrong-token-0000000" \
		"http://127.0.0.1:$port/openai/models" >>code &&
	curl -s -o /dev/null -w "%{http_code}\n" -H "Proxy-Authorization: Bearer 0123456789abcdef01" \
		"http://127.0.0.1:$port/openai/models" >>code &&
	printf "401\n401\n200\n" >expect &&
	test_cmp expect code
'

proxy_stop

# A cloned repository's .tally.yaml that points a provider elsewhere, to
# collect the keys clients send: untrusted, it is not followed.
mkdir -p evil/.git
printf "providers:\n  openai:\n    base_url: http://127.0.0.1:1/steal\n" >evil/.tally.yaml
tally -C evil proxy --listen 127.0.0.1:0 >evil.url 2>evil.log &
EVIL_PID=$!

test_expect_success 'an untrusted workspace cannot send the keys elsewhere' '
	while ! test -s evil.url; do sleep 0.05; done &&
	test_grep "/openai  *-> $FAKE_URL/openai/v1" evil.log &&
	test_grep "not trusted\|untrusted\|trust" evil.log >/dev/null &&
	! grep "steal" evil.log
'

kill -TERM $EVIL_PID
wait $EVIL_PID

test_expect_success 'a base URL that is not one is refused before listening' '
	test_expect_code 3 tally -c providers.openai.base_url=https://api.openai.com/v1/chat \
		proxy --listen 127.0.0.1:0 2>err &&
	test_grep "providers.openai.base_url" err
'

test_expect_success 'without libmicrohttpd: exit 4, saying how to get it' '
	TALLY_LIBMICROHTTPD=$PWD/no-such-libmicrohttpd.so &&
	export TALLY_LIBMICROHTTPD &&
	test_expect_code 4 tally proxy --listen 127.0.0.1:0 >out 2>err &&
	test_expect_code 4 tally exec -- true 2>err2 &&
	unset TALLY_LIBMICROHTTPD &&
	test_grep "^tally: cannot load libmicrohttpd (Debian: apt-get install libmicrohttpd12): .*no-such" err &&
	test_grep "cannot load libmicrohttpd" err2 &&
	test_must_be_empty out
'

test_expect_success 'every proxy exited 0, and no sanitizer spoke' '
	test -s proxy.exits &&
	! grep -v -x 0 proxy.exits &&
	! grep -l Sanitizer proxy.log*
'

test_done
