#!/bin/sh
# bench/export.sh: export and compaction of a 1,000,000-row ledger.
#
# Prints the median wall time and the largest peak RSS over the runs of:
# CSV, NDJSON and JSON exports (to a file), the Prometheus text and the
# HTML report (cold: summary cache rebuilt; warm: cache current), then
# compact and migrate, each on a fresh copy of the ledger. The ledger
# spans 90 days with 10% superseded rows and 30% legacy rows, so the
# default retention (30 days) folds about two thirds into day rollups.
#
# usage: bench/export.sh [path-to-tally] [rows] [runs]
set -eu

tally=${1:-build/tally}
rows=${2:-1000000}
runs=${3:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TALLY_HOME=$work/home TALLY_CEILING_DIRECTORIES=$work TZ=UTC
export TALLY_NOW=2026-11-24T12:00:00Z
cd "$work"

python3 "$top/t/lib/gen-ledger.py" template.jsonl --rows "$rows" --days 90 \
	--updates 0.1 --legacy 0.3
mkdir -p home/profile
echo "ledger: $rows entries, $(wc -l <template.jsonl) rows," \
	"$(($(wc -c <template.jsonl) / 1048576)) MiB"

python3 - "$tally" "$runs" <<'PY'
import os, shutil, statistics, subprocess, sys, time

tally, runs = sys.argv[1], int(sys.argv[2])
home = os.environ["TALLY_HOME"]
ledger = home + "/profile/usage-ledger.jsonl"
cache = [home + "/profile/usage-summary.json", home + "/profile/usage-summary.idx"]

def fresh_ledger():
    shutil.copyfile("template.jsonl", ledger)
    drop_cache()

def drop_cache():
    for p in cache:
        if os.path.exists(p):
            os.unlink(p)

def run(args, before=None):
    walls, rss = [], 0
    for _ in range(runs):
        if before:
            before()
        t0 = time.perf_counter()
        pid = os.posix_spawn(tally, [tally] + args, os.environ,
                             file_actions=[(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
                                           (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)])
        _, status, ru = os.wait4(pid, 0)
        walls.append(time.perf_counter() - t0)
        assert os.waitstatus_to_exitcode(status) == 0, args
        rss = max(rss, ru.ru_maxrss)
    print("%-34s median %8.1f ms  min %8.1f ms  peak RSS %6.1f MiB" % (
        " ".join(args[:3]) + (" (cold)" if before == drop_cache else ""),
        statistics.median(walls) * 1000, min(walls) * 1000, rss / 1024))
    sys.stdout.flush()

fresh_ledger()
run(["export", "--format", "csv", "-o", "out.csv"])
run(["export", "--format", "ndjson", "-o", "out.ndjson"])
run(["export", "--format", "json", "-o", "out.json"])
run(["export", "--format", "prometheus", "-o", "out.prom"], before=drop_cache)
run(["export", "--format", "prometheus", "-o", "out.prom"])
run(["export", "--format", "html", "-o", "out.html"], before=drop_cache)
run(["export", "--format", "html", "-o", "out.html"])
run(["compact"], before=fresh_ledger)
run(["migrate"], before=fresh_ledger)
PY
cp template.jsonl home/profile/usage-ledger.jsonl
"$tally" compact
echo "CSV: $(wc -l <out.csv) lines, $(($(wc -c <out.csv) / 1048576)) MiB"
