#!/bin/sh
# bench/remotes.sh: tally pull of many devices, then reports with them.
#
# Writes a shared folder of <devices> other devices with <rows> rows each
# (segments of 10,000 rows, 60 days of usage, a few providers and
# models), and a local ledger of 10,000 rows; then measures:
#   tally pull <folder>                     once, CPU and peak RSS
#   tally pull <folder> with nothing new    median wall time
#   tally summary --all-devices, first      (builds the parts' caches)
#   tally summary --all-devices, warm       median wall time, nothing new
#   tally summary --all-workspaces, warm    this device's scopes alone
#   tally summary, warm                     this scope alone
# and checks the totals: the sum of every device's rows.
#
# usage: bench/remotes.sh [path-to-tally] [devices] [rows] [runs]
set -eu

tally=${1:-build/tally}
devices=${2:-20}
rows=${3:-100000}
runs=${4:-9}
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TZ=UTC HOME=$work TALLY_HOME=$work/tally TALLY_CEILING_DIRECTORIES=$work
export TALLY_NOW=2026-11-24T12:00:00Z
cd "$work"
mkdir -p shared tally/profile

python3 - "$devices" "$rows" <<'PY'
import json, os, random, sys

devices, rows = int(sys.argv[1]), int(sys.argv[2])
random.seed(11)
now = 1795521600000
models = [("openai", "gpt-4.1"), ("openai", "gpt-4o-mini"),
          ("anthropic", "claude-sonnet-4"), ("gemini", "gemini-2.5-pro")]
total = 0

def row(i, dev):
    global total
    p, m = random.choice(models)
    t = now - random.randint(0, 60 * 86400000)
    inp, out = random.randint(10, 50000), random.randint(1, 4000)
    total += inp
    e = {"v": 1, "entryId": "u_%s_%08d" % ((dev or "here")[-6:], i),
         "sessionResource": "s%d" % (i // 40), "providerId": p,
         "modelId": m, "startedAt": t, "completedAt": t + 900,
         "billedInputTokens": inp, "billedOutputTokens": out,
         "totalBilledTokens": inp + out, "source": "import:claude-code",
         "status": "completed", "cacheReadTokens": inp // 2,
         "tags": {"project": "/src/p%d" % (i % 7)}, "recordedAt": t + 1000}
    if dev:
        e["deviceId"] = dev
    return json.dumps(e, separators=(",", ":")) + "\n"

for d in range(devices):
    dev = "d_%020x" % (d + 1)
    os.makedirs("shared/" + dev)
    with open("shared/%s/device.json" % dev, "w") as f:
        json.dump({"deviceId": dev, "name": "box%02d" % d}, f)
    for first in range(1, rows + 1, 10000):
        last = min(rows, first + 9999)
        with open("shared/%s/%012d-%012d.ndjson" % (dev, first, last), "w") as f:
            for i in range(first, last + 1):
                f.write(row(i, dev))
with open("tally/profile/usage-ledger.jsonl", "w") as f:
    for i in range(10000):
        f.write(row(i, None))
with open("total", "w") as f:
    f.write("%d\n" % total)
print("%d devices x %d rows, and 10000 here: %.0f MB in the folder" % (
    devices, rows, sum(os.path.getsize(os.path.join(r, n))
                       for r, _, fs in os.walk("shared") for n in fs) / 1e6))
PY

python3 - "$tally" "$runs" <<'PY'
import json, os, statistics, subprocess, sys, time

tally, runs = sys.argv[1], int(sys.argv[2])

def measured(args):
    t0 = time.perf_counter()
    p = subprocess.Popen([tally] + args, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, args
    return (time.perf_counter() - t0) * 1000, ru.ru_utime + ru.ru_stime, \
        ru.ru_maxrss / 1024

wall, cpu, rss = measured(["pull", "shared"])
print("pull, %s: %.2f s CPU, %.0f MiB peak RSS" % (
    "every device", cpu, rss))
w = [measured(["pull", "shared"])[0] for _ in range(runs)]
print("pull with nothing new: median %.1f ms" % statistics.median(w))
wall, cpu, rss = measured(["summary", "--all-devices"])
print("summary --all-devices, first (builds the caches): %.2f s CPU, "
      "%.0f MiB peak RSS" % (cpu, rss))
for label, args in (("summary --all-devices, warm", ["summary", "--all-devices"]),
                    ("summary --all-workspaces, this device alone",
                     ["summary", "--all-workspaces"]),
                    ("summary, this scope alone", ["summary"])):
    w = [measured(args) for _ in range(runs)]
    print("%s: median %.1f ms, peak RSS %.0f MiB (n=%d)" % (
        label, statistics.median(x[0] for x in w), max(x[2] for x in w), runs))
out = subprocess.run([tally, "summary", "--all-devices", "--since",
                      "2000-01-01", "--json"], capture_output=True,
                     check=True).stdout
got = json.loads(out)["inputTokens"]
want = int(open("total").read())
print("totals: %s (%d input tokens)" % ("equal" if got == want else
      "DIFFERENT, want %d" % want, got))
sys.exit(0 if got == want else 1)
PY
