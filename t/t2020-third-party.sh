#!/bin/sh
test_description='the third-party corpus: bodies and streams others recorded, every field'
. ./test-lib.sh

# Each fixture reproduces the shape and numbers of a response someone
# else published (t/fixtures/third-party/index.json names the source);
# the index holds the normalised numbers worked out by hand, and the
# published prices the estimate must come to.
TP=$FIXTURES/third-party
TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

test_expect_success 'the index lists every fixture, and there are at least 40' '
	python3 - "$TP" <<-\EOF
	import json, os, sys
	d = sys.argv[1]
	idx = json.load(open(os.path.join(d, "index.json")))
	files = sorted(f for f in os.listdir(d) if f not in ("index.json", "README"))
	listed = sorted(e["file"] for e in idx)
	assert files == listed, (set(files) ^ set(listed))
	assert len(files) >= 40, len(files)
	for e in idx:
	    assert e["source"] and e["note"], e["file"]
	EOF
'

test_expect_success 'every fixture records every field as worked out by hand' '
	python3 - "$TP" >list <<-\EOF &&
	import json, os, sys
	for e in json.load(open(os.path.join(sys.argv[1], "index.json"))):
	    print(e["file"], e["mode"])
	EOF
	while read f mode; do
		if test "$mode" = stream; then s=--stream; else s=; fi
		TALLY_HOME=$PWD/h-$f tally record $s --response "$TP/$f" --json >"$f.out" ||
			{ echo "recording $f failed" >&2; return 1; }
	done <list &&
	python3 - "$TP" <<-\EOF
	import json, os, sys
	VOLATILE = {"v", "entryId", "sessionResource", "recordedAt", "deviceId"}
	bad = 0
	for e in json.load(open(os.path.join(sys.argv[1], "index.json"))):
	    got = json.load(open(e["file"] + ".out"))
	    for k in VOLATILE:
	        got.pop(k, None)
	    want = dict(e["expect"])
	    assert (want["billedInputTokens"], want["billedOutputTokens"]) == \
	        (e["input"], e["output"]), e["file"]
	    r = e.get("ratesPerMillion")
	    if r:
	        inp, out = e["input"], e["output"]
	        cr = want.get("cacheReadTokens", 0)
	        cw = want.get("cacheWriteTokens", 0)
	        cw1h = want.get("cacheWrite1hTokens", 0)
	        usd = ((inp - cr - cw) * r["input"] + cr * r.get("cacheRead", r["input"]) +
	               (cw - cw1h) * r.get("cacheWrite", r["input"]) +
	               cw1h * r.get("cacheWrite1h", r["input"]) + out * r["output"]) / 1e6
	        searches = want.get("webSearchRequests", 0)
	        if searches:
	            fees = searches * e["webSearchFee"]
	            usd += fees
	            want["toolFeesUsd"] = round(fees, 9)
	        want["estimatedCostUsd"] = usd
	    for k in sorted(set(want) | set(got)):
	        w, g = want.get(k), got.get(k)
	        same = (abs(w - g) < 1e-9 if isinstance(w, float) and
	                isinstance(g, (int, float)) else w == g)
	        if not same:
	            print("%s: %s is %r, expected %r" % (e["file"], k, g, w))
	            bad += 1
	sys.exit(1 if bad else 0)
	EOF
'

test_expect_success 'recorded together, the corpus adds up per provider as the index does' '
	while read f mode; do
		if test "$mode" = stream; then s=--stream; else s=; fi
		tally record $s --response "$TP/$f" >/dev/null || return 1
	done <list &&
	tally summary --window workspace --by provider --json >s.json &&
	python3 - "$TP" <<-\EOF
	import json, os, sys
	# One request id recorded twice is one entry, the later counts win
	# (the Mistral recordings reuse an id for the body and the stream).
	last = {}
	for e in json.load(open(os.path.join(sys.argv[1], "index.json"))):
	    x = e["expect"]
	    last[(x["providerId"], x["providerRequestId"])] = e
	want = {}
	for (provider, _), e in last.items():
	    p = want.setdefault(provider, [0, 0, 0])
	    p[0] += 1
	    p[1] += e["input"]
	    p[2] += e["output"]
	got = {g["provider"]: [g["requests"], g["inputTokens"], g["outputTokens"]]
	       for g in json.load(open("s.json"))["groups"]}
	assert got == want, (got, want)
	EOF
'

test_done
