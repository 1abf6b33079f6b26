#!/bin/sh
# bench/top.sh: what a refresh of tally top costs, idle and with new rows.
#
# On a ledger of <rows> rows (90 days, five providers), runs tally top
# for <secs> seconds in each of four ways and reads its CPU time from
# /proc/<pid>/schedstat (nanoseconds):
#   --json -d 0.1, nothing appended: CPU per refresh, idle
#   --json -d 0.1, 100 rows appended every 0.5 s: CPU per refresh that
#     found them, less the idle refreshes
#   the screen in tmux at the default -d 1: the same two (rows every 2 s),
#     drawing with ncurses (a refresh redraws the lines that changed:
#     the clock's at least)
# Target (issue): idle well under 1 ms, 100 new rows under 5 ms.
#
# usage: bench/top.sh [path-to-tally] [rows] [secs]
set -eu

tally=${1:-build/tally}
rows=${2:-1000000}
secs=${3:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TALLY_HOME=$work/home TALLY_CEILING_DIRECTORIES=$work TZ=UTC
cd "$work"

python3 - "$tally" "$rows" "$secs" <<'PY'
import os, random, subprocess, sys, time

tally, rows, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
home = os.environ["TALLY_HOME"]
os.makedirs(home + "/profile", mode=0o700)
ledger = home + "/profile/usage-ledger.jsonl"
models = [("openai", "gpt-4.1"), ("anthropic", "claude-sonnet-4-20250514"),
          ("openrouter", "anthropic/claude-sonnet-4"),
          ("gemini", "gemini-2.5-flash"), ("openai", "gpt-4o-mini")]
now = int(time.time() * 1000)
start = now - 90 * 86400000
random.seed(1)
n = 0

def row(t):
    global n
    n += 1
    p, m = random.choice(models)
    i, o = random.randint(100, 20000), random.randint(10, 2000)
    return ('{"v":1,"entryId":"u_%012d","providerId":"%s","modelId":"%s",'
            '"sessionResource":"s%d","startedAt":%d,"billedInputTokens":%d,'
            '"billedOutputTokens":%d,"totalBilledTokens":%d,'
            '"latencyMs":%d,"ttftMs":%d}\n'
            % (n, p, m, n // 500, t, i, o, i + o, random.randint(200, 9000),
               random.randint(50, 900)))

with open(ledger, "w") as f:
    step = 90 * 86400000 // rows
    for k in range(rows):
        f.write(row(start + k * step))
# The cache, warm, as a user's would be.
subprocess.run([tally, "summary"], stdout=subprocess.DEVNULL, check=True)

def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])

def append(k):
    t = int(time.time() * 1000)
    with open(ledger, "a") as f:
        f.write("".join(row(t) for _ in range(k)))

def measure(pid, refreshes, feed, every=0.5):
    """CPU ns and refreshes over secs; feed appends 100 rows each every s."""
    time.sleep(1.5)                     # past the start
    c0, r0, t0 = cpu_ns(pid), refreshes(), time.time()
    appended = 0
    while time.time() - t0 < secs:
        time.sleep(every)
        if feed:
            append(100)
            appended += 1
    time.sleep(0.3)
    return cpu_ns(pid) - c0, refreshes() - r0, appended

def json_run(feed):
    out = open("top.json", "w")
    p = subprocess.Popen([tally, "top", "--json", "-d", "0.1"], stdout=out)
    lines = lambda: sum(1 for _ in open("top.json"))
    cpu, ref, app = measure(p.pid, lines, feed)
    p.terminate()
    p.wait()
    return cpu, ref, app

runs = [0]

def screen_run(feed):
    # A tmux server of its own each time: one that is still going away
    # would take the new session with it.
    runs[0] += 1
    sock = "tally-bench-%d-%d" % (os.getpid(), runs[0])
    for f in ("top.pid", "top.exit"):
        if os.path.exists(f):
            os.unlink(f)
    subprocess.run(["tmux", "-L", sock, "-f", "/dev/null",
                    "new-session", "-d", "-x", "120", "-y", "50",
                    "echo $$ >top.pid; TERM=xterm-256color %s top "
                    "2>top.err; echo $? >top.exit; sleep 60" % tally],
                   check=True)
    deadline = time.time() + 30
    kids = []
    while not kids:
        if os.path.exists("top.exit") or time.time() > deadline:
            sys.exit("tally top did not start: " + open("top.err").read())
        time.sleep(0.05)
        if not os.path.exists("top.pid") or not open("top.pid").read().strip():
            continue
        shell = int(open("top.pid").read())
        # tally top is the shell's child, so that its end is seen.
        with open("/proc/%d/task/%d/children" % (shell, shell)) as f:
            kids = f.read().split()
    pid = int(kids[0])
    # The screen has no count of its refreshes: one per second.
    t0 = time.time()
    cpu, ref, app = measure(pid, lambda: int(time.time() - t0), feed, 2.0)
    subprocess.run(["tmux", "-L", sock, "kill-server"])
    return cpu, ref, app

def report(name, idle, fed):
    cpu_i, ref_i, _ = idle
    cpu_f, ref_f, app = fed
    per_idle = cpu_i / ref_i
    per_new = (cpu_f - per_idle * (ref_f - app)) / app
    print("%s, nothing new: %.3f ms CPU per refresh (%d refreshes)"
          % (name, per_idle / 1e6, ref_i))
    print("%s, 100 new rows: %.2f ms CPU per refresh that read them "
          "(%d such refreshes)" % (name, per_new / 1e6, app))

print("ledger: %d rows, %.0f MB" % (rows, os.path.getsize(ledger) / 1e6))
report("--json", json_run(False), json_run(True))
report("screen", screen_run(False), screen_run(True))
PY
