#!/bin/sh
# bench/compare.sh: two builds of tally side by side, for a change that
# must not cost time (a reshaping of the code, say).
#
# On one generated 1,000,000-row ledger (as bench/export.sh makes it) and
# about 50 MB of Claude Code transcripts (bench/gen-claude-logs.py), runs
# every case with the old and the new binary in turn, the order swapped
# each round so that neither always finds a warmer cache, and prints per
# case the median CPU time (user + system) and wall time of each, and the
# ratio new/old of the CPU medians. Each binary has a data directory of
# its own, so neither reads a cache the other wrote.
#
# usage: bench/compare.sh old-tally new-tally [rows] [runs]
set -eu

[ $# -ge 2 ] || { echo "usage: bench/compare.sh old-tally new-tally [rows] [runs]" >&2; exit 2; }
old=$1
new=$2
rows=${3:-1000000}
runs=${4:-7}
top=$(cd "$(dirname "$0")/.." && pwd)
case $old in /*) ;; *) old=$PWD/$old ;; esac
case $new in /*) ;; *) new=$PWD/$new ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TALLY_CEILING_DIRECTORIES=$work TZ=UTC HOME=$work
export TALLY_NOW=2026-11-24T12:00:00Z
cd "$work"

python3 "$top/t/lib/gen-ledger.py" template.jsonl --rows "$rows" --days 90 \
	--updates 0.1 --legacy 0.3 --now 2026-11-24T12:00:00Z
python3 "$top/bench/gen-claude-logs.py" logs --mb 50 --end 2026-11-24 >/dev/null
echo "ledger: $rows entries, $(wc -l <template.jsonl) rows," \
	"$(($(wc -c <template.jsonl) / 1048576)) MiB;" \
	"transcripts: $(du -sm logs | cut -f1) MiB; $runs rounds"
echo "old: $old ($("$old" version 2>/dev/null | head -1))"
echo "new: $new ($("$new" version 2>/dev/null | head -1))"

python3 - "$old" "$new" "$runs" <<'PY'
import os, shutil, statistics, subprocess, sys, time

binaries = {"old": sys.argv[1], "new": sys.argv[2]}
runs = int(sys.argv[3])

def home(tag):
    return os.path.abspath("home-" + tag)

def ledger(tag):
    return home(tag) + "/profile/usage-ledger.jsonl"

def drop_cache(tag):
    for name in ("usage-summary.json", "usage-summary.idx"):
        try:
            os.unlink(home(tag) + "/profile/" + name)
        except FileNotFoundError:
            pass

def fresh_import_home(tag):
    shutil.rmtree(home(tag) + "-import", ignore_errors=True)

def run(tag, args, home_dir=None):
    env = dict(os.environ, TALLY_HOME=home_dir or home(tag))
    t0 = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        # Auto-compaction would rewrite the ledger between cases.
        p = subprocess.Popen([binaries[tag], "-c", "auto_compact=false"] +
                             args, stdout=devnull, env=env)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("bench/compare.sh: %s %s failed" % (tag, " ".join(args)))
    return ru.ru_utime + ru.ru_stime, wall

def import_and_summary(tag):
    fresh_import_home(tag)
    h = home(tag) + "-import"
    c1, w1 = run(tag, ["import", "claude-code", "logs"], h)
    c2, w2 = run(tag, ["summary", "--window", "workspace", "--by", "day",
                       "--json"], h)
    return c1 + c2, w1 + w2

# (name, setup before each run, the run)
cases = [
    ("summary, cold (no cache)", drop_cache,
     lambda t: run(t, ["summary", "--window", "workspace"])),
    ("summary, warm", None, lambda t: run(t, ["summary"])),
    ("status", None, lambda t: run(t, ["status"])),
    ("summary --by tag:team (ledger walk)", None,
     lambda t: run(t, ["summary", "--window", "workspace", "--by", "tag:team"])),
    ("log -n 20", None, lambda t: run(t, ["log", "-n", "20"])),
    ("export --format csv", None,
     lambda t: run(t, ["export", "-f", "csv", "-o", "out-" + t])),
    ("export --format ndjson", None,
     lambda t: run(t, ["export", "-f", "ndjson", "-o", "out-" + t])),
    ("export --format json", None,
     lambda t: run(t, ["export", "-f", "json", "-o", "out-" + t])),
    ("export --format html", None,
     lambda t: run(t, ["export", "-f", "html", "-o", "out-" + t])),
    ("import claude-code + summary --by day", None, import_and_summary),
]

for tag in binaries:
    os.makedirs(home(tag) + "/profile", mode=0o700)
    shutil.copyfile("template.jsonl", ledger(tag))
    run(tag, ["summary"])

print("%-40s %21s %21s %7s" % ("", "old CPU / wall", "new CPU / wall",
                                "new/old"))
for name, setup, fn in cases:
    cpu = {"old": [], "new": []}
    wall = {"old": [], "new": []}
    for r in range(runs):
        for tag in (("old", "new") if r % 2 == 0 else ("new", "old")):
            if setup:
                setup(tag)
            c, w = fn(tag)
            cpu[tag].append(c)
            wall[tag].append(w)
    m = {t: (statistics.median(cpu[t]), statistics.median(wall[t]))
         for t in cpu}
    print("%-40s %9.1f / %7.1f ms %9.1f / %7.1f ms %7.3f"
          % (name, m["old"][0] * 1e3, m["old"][1] * 1e3, m["new"][0] * 1e3,
             m["new"][1] * 1e3, m["new"][0] / m["old"][0]))
PY
