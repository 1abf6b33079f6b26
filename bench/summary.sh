#!/bin/sh
# bench/summary.sh: summary and status on a 1,000,000-row ledger.
#
# Reports the median wall time and peak RSS of: a cold summary (no cache),
# a warm summary after one appended row, a summary with nothing new,
# summary by five-hour block and of the block under way, and status. Targets (DESIGN section 8): cold < 1 s, warm < 20 ms,
# status < 5 ms, peak RSS < 64 MiB.
#
# Then, on another data root of <workspaces> workspaces and the profile
# with <workspace-rows> rows each, status and summary of one scope
# against the same with --all-workspaces (the sum of every scope, which
# the budgets of all scopes read too): within twice the one-scope time.
#
# usage: bench/summary.sh [path-to-tally] [rows] [runs] [workspaces]
#        [workspace-rows]
set -eu

tally=${1:-build/tally}
rows=${2:-1000000}
runs=${3:-15}
nws=${4:-20}
ws_rows=${5:-50000}
top=$(cd "$(dirname "$0")/.." && pwd)
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TALLY_HOME=$work/home TALLY_CEILING_DIRECTORIES=$work TZ=UTC
export TALLY_NOW=2026-11-24T12:00:00Z
cd "$work"

python3 - "$rows" <<'PY'
import os, random, sys
rows = int(sys.argv[1])
random.seed(1)
os.makedirs(os.environ["TALLY_HOME"] + "/profile", mode=0o700)
models = [("openai", "gpt-4.1"), ("anthropic", "claude-sonnet-4-20250514"),
          ("openrouter", "anthropic/claude-sonnet-4"),
          ("gemini", "gemini-2.5-flash"), ("openai", "gpt-4o-mini")]
start = 1795514400000 - 90 * 86400000
step = 90 * 86400000 // rows
with open(os.environ["TALLY_HOME"] + "/profile/usage-ledger.jsonl", "w") as f:
    for i in range(rows):
        p, m = models[i % 5]
        t = start + i * step
        inp = random.randint(100, 50000)
        out = random.randint(10, 4000)
        cost = ',"billedCostUsd":%d.%09d' % divmod(random.randint(0, 10**8), 10**9) \
            if p == "openrouter" else ""
        f.write('{"v":1,"entryId":"u_%020x","sessionResource":"auto:%d",'
                '"providerId":"%s","modelId":"%s","startedAt":%d,'
                '"completedAt":%d,"billedInputTokens":%d,'
                '"billedOutputTokens":%d,"totalBilledTokens":%d%s,'
                '"source":"response","syncStatus":"pending_sync",'
                '"status":"completed","cacheReadTokens":%d,'
                '"latencyMs":1500,"recordedAt":%d}\n'
                % (i, t // 3600000, p, m, t, t + 1500, inp, out, inp + out,
                   cost, inp // 2, t + 1600))
PY
size=$(wc -c <"$TALLY_HOME/profile/usage-ledger.jsonl")

# measure <label> <setup-shell-or-empty> <args...>: median wall ms, max RSS.
measure() {
	python3 - "$tally" "$runs" "$@" <<'PY'
import os, statistics, subprocess, sys, time
tally, runs, label, setup, args = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
times, rss = [], 0
for i in range(runs):
    if setup:
        subprocess.run(["sh", "-c", setup], check=True)
    t0 = time.perf_counter_ns()
    p = subprocess.Popen([tally] + args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    times.append(time.perf_counter_ns() - t0)
    if status:
        sys.exit("%s failed" % label)
    rss = max(rss, usage.ru_maxrss)
print("%-40s median %9.2f ms   min %9.2f ms   peak RSS %6.1f MiB   (n=%d)" % (
    label, statistics.median(times) / 1e6, min(times) / 1e6, rss / 1024, runs))
PY
}

P=$TALLY_HOME/profile
append='tally_row=$(tail -n 1 '"$P"'/usage-ledger.jsonl | sed "s/\"entryId\":\"u_/\"entryId\":\"x$(od -An -N6 -tx1 /dev/urandom | tr -d " ")/"); echo "$tally_row" >>'"$P"'/usage-ledger.jsonl'

echo "ledger: $rows rows, $((size / 1048576)) MiB; $(uname -m), $(nproc) cores; $(date -u +%F)"
measure "summary, cold (no cache)" "rm -f $P/usage-summary.*" summary --window month
"$tally" summary >/dev/null
measure "summary, warm, one row appended" "$append" summary --window month
measure "summary, warm, nothing new" "" summary --window month
measure "summary --json --by day, warm" "" summary --json --window workspace --by day
# Five-hour blocks read the ledger's entries (twice for --by block: the
# times of every request, then the sums), not the cache's day rollups.
measure "summary --by block, whole ledger" "" summary --window workspace --by block
measure "summary --window block" "" summary --window block
measure "status, nothing new" "" status
measure "status, one row appended" "$append" status
# A session of a week ago, whose detail left the cache, resumed (claude
# --resume): it gets a new row now and then. (The sessions here are
# hours, 24 a day; the cache keeps 64 in detail and the whole sums of the
# 256 merged away last: 13 days of them. Older ones are read from the
# ledger.)
old_session=auto:$(((1795514400000 - 7 * 86400000) / 3600000))
resume='tally_row=$(head -n 1 '"$P"'/usage-ledger.jsonl | sed -e "s/\"entryId\":\"u_/\"entryId\":\"r$(od -An -N6 -tx1 /dev/urandom | tr -d " ")/" -e "s/\"startedAt\":[0-9]*/\"startedAt\":1795514000000/" -e "s/\"sessionResource\":\"[^\"]*\"/\"sessionResource\":\"'"$old_session"'\"/"); echo "$tally_row" >>'"$P"'/usage-ledger.jsonl'
sh -c "$resume"
"$tally" status >/dev/null
export TALLY_SESSION=$old_session
measure "status, a session resumed, nothing new" "" status
measure "status, a session resumed, one row" "$resume" status
unset TALLY_SESSION
# What any run of the binary costs on this machine, for scale.
measure "process start only (tally version)" "" version
"$tally" summary --json --window workspace >"$work/s.json"
python3 - "$work/s.json" "$rows" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("check: %d requests summarised (expected at least %s); cache read %d bytes last time" % (
    d["requests"], sys.argv[2], d["cache"]["ledgerBytesRead"]))
PY

# ---- every scope ----
export TALLY_HOME=$work/many
python3 "$top/t/lib/gen-ledger.py" "$work/ws.jsonl" --rows "$ws_rows" \
	--days 90 --now 2026-11-24T12:00:00Z
mkdir -p "$TALLY_HOME/profile"
cp "$work/ws.jsonl" "$TALLY_HOME/profile/usage-ledger.jsonl"
i=1
while [ "$i" -le "$nws" ]; do
	d=$TALLY_HOME/workspaces/$(printf %016x "$i")
	mkdir -p "$d"
	cp "$work/ws.jsonl" "$d/usage-ledger.jsonl"
	i=$((i + 1))
done
"$tally" summary --all-workspaces >/dev/null
"$tally" status >/dev/null
echo "every scope: $nws workspaces and the profile, $ws_rows rows each"
measure "status, one scope" "" status
measure "status --all-workspaces" "" status --all-workspaces
measure "summary, one scope" "" summary
measure "summary --all-workspaces" "" summary --all-workspaces
