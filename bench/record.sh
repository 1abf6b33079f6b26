#!/bin/sh
# bench/record.sh: median wall time of one `tally record`, with fsync on
# and off, on a ledger that already holds some rows.
#
# usage: bench/record.sh [path-to-tally] [runs]
set -eu

tally=${1:-build/tally}
runs=${2:-300}
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TALLY_HOME=$work/home TALLY_CEILING_DIRECTORIES=$work
cd "$work"

# Times each of $runs records in nanoseconds and prints the median in ms.
measure() {
	python3 - "$tally" "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
tally, runs, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
times = []
for i in range(runs):
    cmd = [tally] + extra + ["record", "-p", "openai", "-m", "gpt-4.1",
           "--input-tokens", str(1000 + i), "--output-tokens", "200",
           "--cost", "0.0114", "-q"]
    t0 = time.perf_counter_ns()
    subprocess.run(cmd, check=True)
    times.append(time.perf_counter_ns() - t0)
times.sort()
print("median %.3f ms  p90 %.3f ms  min %.3f ms  (n=%d)" % (
    statistics.median(times) / 1e6, times[int(len(times) * 0.9)] / 1e6,
    times[0] / 1e6, len(times)))
PY
}

# A ledger of 10,000 rows (the default max_entries) to append to.
python3 - <<'PY'
import json, os
os.makedirs(os.environ["TALLY_HOME"] + "/profile", mode=0o700)
with open(os.environ["TALLY_HOME"] + "/profile/usage-ledger.jsonl", "w") as f:
    for i in range(10000):
        f.write(json.dumps({"v": 1, "entryId": "u_%020d" % i,
            "sessionResource": "auto:2026-11-24T10:00:00Z",
            "providerId": "openai", "modelId": "gpt-4.1",
            "billedInputTokens": 1000, "billedOutputTokens": 200,
            "totalBilledTokens": 1200, "source": "manual",
            "syncStatus": "pending_sync", "status": "completed",
            "recordedAt": 1795514400000 + i}, separators=(",", ":")) + "\n")
PY

echo "tally record, $runs runs each, ledger of 10,000 rows, $(uname -m), $(nproc) cores"
printf 'fsync off: '
measure -c fsync=false
printf 'fsync on:  '
measure -c fsync=true
printf 'process start only (tally version): '
python3 - "$tally" <<'PY'
import statistics, subprocess, sys, time
times = []
for i in range(300):
    t0 = time.perf_counter_ns()
    subprocess.run([sys.argv[1], "version"], check=True, stdout=subprocess.DEVNULL)
    times.append(time.perf_counter_ns() - t0)
print("median %.3f ms" % (statistics.median(times) / 1e6))
PY
