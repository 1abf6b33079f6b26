#!/bin/sh
test_description='compaction keeps every breakdown that reports offer'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

# A year of mixed usage: three providers, five models, four projects and
# entries without one, three sources (a session has one), billed,
# estimated and unpriced costs, failures; a quarter of the sessions
# recorded by another device (a ledger restored from another machine).
test_expect_success 'set-up: a year of mixed usage' '
	mkdir -p "$TALLY_HOME/profile" &&
	python3 - "$(ledger)" <<-\EOF
	import json, random, sys
	random.seed(7)
	models = [("openai", "gpt-4.1"), ("openai", "gpt-4o-mini"),
	          ("anthropic", "claude-sonnet-4"), ("anthropic", "claude-haiku-4"),
	          ("openrouter", "meta/llama-4")]
	projects = ["/src/shop", "/src/blog", "/src/infra", "/home/dev/notes", None]
	sources = ["manual", "import:claude-code", "import:codex"]
	now = 1795521600000
	with open(sys.argv[1], "w") as f:
	    for i in range(4000):
	        p, m = random.choice(models)
	        t = now - random.randint(0, 365 * 86400000)
	        e = {"v": 1, "entryId": "u_%020x" % i, "providerId": p,
	             "modelId": m, "startedAt": t, "completedAt": t + 900,
	             "billedInputTokens": random.randint(10, 90000),
	             "billedOutputTokens": random.randint(1, 9000),
	             "source": sources[(i // 25) % 3], "recordedAt": t + 1000,
	             "syncStatus": "pending_sync",
	             "sessionResource": "s%d" % (i // 25),
	             "status": "failed" if i % 17 == 0 else "completed"}
	        e["totalBilledTokens"] = e["billedInputTokens"] + e["billedOutputTokens"]
	        kind = i % 3
	        if kind == 0:
	            e["billedCostUsd"] = random.randint(1, 10**7) / 1e6
	        elif kind == 1:
	            e["estimatedCostUsd"] = random.randint(1, 10**7) / 1e6
	            e["priceId"] = "test/%s" % m
	        if (i // 25) % 4 == 0:
	            e["deviceId"] = "d_0123456789abcdef0123"
	        proj = projects[i % 5]
	        if proj:
	            e["tags"] = {"project": proj, "team": "t%d" % (i % 2)}
	        f.write(json.dumps(e, separators=(",", ":")) + "\n")
	EOF
'

# by <dimension> <file>: the groups of a year, every figure but pending.
by() {
	tally -c auto_compact=false summary --since 2025-11-01 --by "$1" --json >raw.json &&
	python3 - raw.json >"$2" <<-\EOF
	import json, sys
	d = json.load(open(sys.argv[1]))
	keep = ("requests", "inputTokens", "outputTokens", "billedCostUsd",
	        "estimatedCostUsd", "costUsd", "unpricedCount", "failedCount")
	for g in d["groups"]:
	    key = [v for k, v in g.items() if k not in keep and not k.endswith(("Tokens", "Usd", "Count", "Percent", "Requests"))]
	    print(key, [g[k] for k in keep])
	print("total", [d[k] for k in keep])
	EOF
}

# states <file>: how many entries had each source, status and sync status,
# and how many sessions each day, provider, model and project had before
# <cutoff> (ms), whether the entries are whole or in rollups.
states() {
	python3 - "$(ledger)" "$2" >"$1" <<-\EOF
	import collections, json, sys
	cutoff = int(sys.argv[2])
	counts = collections.Counter()
	sessions = collections.defaultdict(set)
	rolled = collections.Counter()
	for line in open(sys.argv[1]):
	    e = json.loads(line)
	    if e.get("kind") == "rollup":
	        r = e["rollup"]
	        key = (e["startedAt"] // 86400000, e["providerId"],
	               e["modelId"], e.get("tags", {}).get("project"))
	        for dim in ("bySource", "byStatus", "bySyncStatus"):
	            for k, v in r.get(dim, {}).items():
	                counts[(dim, k)] += v
	        if e["startedAt"] < cutoff:
	            rolled[key] += r.get("sessions", 0)
	            assert len(r.get("sessionIds", [])) in (0, r["sessions"])
	        continue
	    counts[("bySource", e["source"])] += 1
	    counts[("byStatus", e["status"])] += 1
	    counts[("bySyncStatus", e["syncStatus"])] += 1
	    t = e["startedAt"]
	    if t < cutoff:
	        key = (t // 86400000, e["providerId"], e["modelId"],
	               e.get("tags", {}).get("project"))
	        sessions[key].add(e["sessionResource"])
	for key, s in sessions.items():
	    rolled[key] += len(s)
	for k in sorted(counts):
	    print(k, counts[k])
	print("sessions", sum(rolled.values()), len(rolled))
	for k in sorted(rolled, key=str):
	    print(k, rolled[k])
	EOF
}

# Midnight (UTC, the zone of the tests) before each compaction's cutoff:
# what it folded and what it did not.
first_cutoff=$(( (1795521600000 - 30 * 86400000) / 86400000 * 86400000 ))
second_cutoff=$(( (1797768000000 - 30 * 86400000) / 86400000 * 86400000 ))

test_expect_success 'the breakdowns before compaction' '
	states states.before $first_cutoff &&
	states states2.before $second_cutoff &&
	test_grep "bySyncStatus.*pending_sync.* 4000" states.before &&
	by provider provider.before &&
	by model model.before &&
	by day day.before &&
	by month month.before &&
	by tag:project project.before &&
	by source source.before &&
	test_line_count = 4 source.before &&
	by device device.before &&
	test_line_count = 3 device.before &&
	test_grep "d_0123456789abcdef0123" device.before &&
	test_grep "this device" device.before &&
	test_grep "import:codex" source.before &&
	test_line_count -gt 300 day.before &&
	test_grep "/src/shop" project.before
'

test_expect_success 'compaction folds eleven months into rollups' '
	tally -c retention_days=30 compact --json >c.json &&
	test "$(json_get c.json "d[\"expired\"]")" -gt 3500 &&
	grep -c "\"kind\":\"rollup\"" "$(ledger)" >n &&
	test "$(cat n)" -gt 1000
'

test_expect_success 'every breakdown is the same after' '
	for dim in provider model day month source device; do
		by $dim $dim.after &&
		test_cmp $dim.before $dim.after || return 1
	done
'

test_expect_success 'sources, statuses, sync statuses and sessions are kept' '
	states states.after $first_cutoff &&
	test_cmp states.before states.after &&
	grep -q "\"sessionIds\":\[\"s" "$(ledger)" &&
	grep "\"kind\":\"rollup\"" "$(ledger)" >rollups &&
	test_grep "\"source\":\"import:codex\"" rollups &&
	! grep -q "\"source\":\"rollup\"" rollups &&
	test_grep "\"deviceId\":\"d_0123456789abcdef0123\"" rollups &&
	grep -v -c deviceId rollups >mine &&
	test "$(cat mine)" -gt 0
'

test_expect_success 'per-project totals are the same after' '
	by tag:project project.after &&
	test_cmp project.before project.after
'

test_expect_success 'a second compaction changes none of them' '
	TALLY_NOW=2026-12-20T12:00:00Z tally -c retention_days=30 compact >/dev/null &&
	by tag:project project.again &&
	test_cmp project.before project.again &&
	by model model.again &&
	test_cmp model.before model.again &&
	by source source.again &&
	test_cmp source.before source.again &&
	by device device.again &&
	test_cmp device.before device.again &&
	states states2.after $second_cutoff &&
	test_cmp states2.before states2.after
'

test_done
