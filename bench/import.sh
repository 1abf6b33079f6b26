#!/bin/sh
# bench/import.sh: `tally import claude-code` against ccusage on the same
# Claude Code logs.
#
# Generates about 200 MB of transcripts (bench/gen-claude-logs.py), then
# measures, as medians over the runs, the CPU time (user + system) and
# peak RSS of:
#   tally import claude-code <logs> + tally summary --by day (fresh ledger)
#   ccusage claude daily --offline --json
#   a second tally import over the unchanged logs (wall time)
# and checks that the daily token totals (input, output, cache read, cache
# write) of both are equal. Also compares them on the test fixtures.
#
# ccusage 20.0.24 comes from bench/ccusage.sh.
#
# usage: bench/import.sh [path-to-tally] [megabytes] [runs]
set -eu

tally=${1:-build/tally}
mb=${2:-200}
runs=${3:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac

. "$top/bench/ccusage.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TZ=UTC HOME=$work TALLY_CEILING_DIRECTORIES=$work
export TALLY_NOW=2026-11-24T12:00:00Z
cd "$work"
python3 "$top/bench/gen-claude-logs.py" logs --mb "$mb" --end 2026-11-24

python3 - "$tally" "$ccusage" "$runs" "$top/t/fixtures/claude-code" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time

tally, ccusage, runs, fixtures = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def run(cmd, env=None, out=None):
    t0 = time.perf_counter()
    with open(out or os.devnull, "w") as f:
        p = subprocess.Popen(cmd, stdout=f, env=env)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, wall

def tally_env(home):
    env = dict(os.environ)
    env["TALLY_HOME"] = home
    return env

def daily_tally(home, logs):
    env = tally_env(home)
    cpu1, rss1, _ = run([tally, "import", "claude-code", logs], env)
    cpu2, rss2, _ = run([tally, "summary", "--window", "workspace", "--by",
                         "day", "--json"], env, out="tally.json")
    d = json.load(open("tally.json"))
    days = {g["day"]: (g["inputTokens"] - g["cacheReadTokens"] - g["cacheWriteTokens"],
                       g["outputTokens"], g["cacheReadTokens"], g["cacheWriteTokens"])
            for g in d["groups"]}
    return cpu1 + cpu2, max(rss1, rss2), days

def daily_ccusage(config):
    env = dict(os.environ)
    env["CLAUDE_CONFIG_DIR"] = config
    cpu, rss, _ = run([ccusage, "claude", "daily", "--offline", "--json",
                       "-z", "UTC"], env, out="cc.json")
    d = json.load(open("cc.json"))
    days = {x["date"]: (x["inputTokens"], x["outputTokens"], x["cacheReadTokens"],
                        x["cacheCreationTokens"]) for x in d["daily"]}
    return cpu, rss, days

# The test fixtures first: the same daily totals.
shutil.rmtree("fx", ignore_errors=True)
_, _, t = daily_tally(os.path.abspath("fx"), fixtures)
_, _, c = daily_ccusage(fixtures)
print("fixtures: %d days, daily totals %s" % (len(t), "equal" if t == c else "DIFFER"))
if t != c:
    print("  tally:  ", t, "\n  ccusage:", c)

tc, tr, cc, cr, again, start = [], [], [], [], [], []
for i in range(runs):
    home = os.path.abspath("home%d" % i)
    cpu, rss, t = daily_tally(home, "logs")
    tc.append(cpu); tr.append(rss)
    _, _, wall = run([tally, "import", "claude-code", "logs"], tally_env(home))
    again.append(wall)
    _, _, wall = run([tally, "version"], tally_env(home))
    start.append(wall)
    cpu, rss, c = daily_ccusage(os.path.abspath("logs"))
    cc.append(cpu); cr.append(rss)
    shutil.rmtree(home)
print("generated logs: %d days, daily totals %s" % (len(t), "equal" if t == c else "DIFFER"))
mt, mc = statistics.median(tc), statistics.median(cc)
print("tally import + summary --by day: CPU median %.3f s, peak RSS %.1f MiB" % (mt, max(tr)))
print("ccusage claude daily --offline:  CPU median %.3f s, peak RSS %.1f MiB" % (mc, max(cr)))
print("CPU ratio tally/ccusage: %.2f (target at most 0.25)" % (mt / mc))
print("re-import of unchanged logs: wall median %.1f ms (target under 20 ms)"
      % (statistics.median(again) * 1000))
# What any run of the binary costs on this machine, for scale.
print("process start only (tally version): wall median %.1f ms"
      % (statistics.median(start) * 1000))
PY
