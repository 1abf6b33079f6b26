#!/bin/sh
# bench/import-agents.sh: `tally import` of Gemini CLI and OpenCode logs
# against ccusage on the same data.
#
# Generates about <megabytes> MB of Gemini CLI chats (each answer written
# twice, first without tokens, as Gemini CLI does) and an OpenCode
# database of <messages> messages, then measures, as medians over the
# runs, the CPU time (user + system) and peak RSS of:
#   tally import <agent> + tally summary --by day (fresh ledger)
#   ccusage <gemini|opencode> daily --offline --json
# and checks that the daily totals agree as bench/parity.sh has them
# (equal, but that ccusage leaves reasoning and thoughts out of output).
#
# ccusage 20.0.24 comes from bench/ccusage.sh.
#
# usage: bench/import-agents.sh [path-to-tally] [megabytes] [messages] [runs]
set -eu

tally=${1:-build/tally}
mb=${2:-100}
messages=${3:-100000}
runs=${4:-5}
top=$(cd "$(dirname "$0")/.." && pwd)
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac

. "$top/bench/ccusage.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TZ=UTC HOME=$work TALLY_CEILING_DIRECTORIES=$work
export TALLY_NOW=2026-11-24T12:00:00Z
cd "$work"

python3 - "$mb" "$messages" "$top/t/fixtures/opencode/opencode.sql" <<'PY'
import json, os, random, sqlite3, sys

mb, messages, schema = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(5)
day0 = 1793491200000          # 2026-11-01T00:00Z
models = ["gemini-2.5-pro", "gemini-2.5-flash"]
filler = "x" * 1500

# Gemini CLI: one chat file per session, 40 answers each.
size, n = 0, 0
while size < mb * 1000000:
    d = "%s/.gemini/tmp/p%03d/chats" % (os.environ["HOME"], n % 50)
    os.makedirs(d, exist_ok=True)
    sid = "s-%06d" % n
    path = "%s/session-2026-11-01T00-00-%08x.jsonl" % (d, n)
    t = day0 + random.randint(0, 22 * 86400000)
    with open(path, "w") as f:
        f.write(json.dumps({"sessionId": sid, "projectHash": "p",
                            "startTime": "x", "lastUpdated": "x"}) + "\n")
        for i in range(40):
            t += random.randint(5000, 600000)
            ts = "%s.000Z" % __import__("time").strftime(
                "%Y-%m-%dT%H:%M:%S", __import__("time").gmtime(t // 1000))
            f.write(json.dumps({"id": "u%d-%d" % (n, i), "timestamp": ts,
                                "type": "user", "content": [{"text": filler}]}) + "\n")
            m = {"id": "g%d-%d" % (n, i), "timestamp": ts, "type": "gemini",
                 "content": [{"text": filler}], "thoughts": [], "tokens": None,
                 "model": random.choice(models)}
            f.write(json.dumps(m) + "\n")
            inp = random.randint(1000, 90000)
            out = random.randint(10, 4000)
            th = random.randint(0, 2000)
            # total as Gemini reports it: cached is inside input.
            m["tokens"] = {"input": inp, "output": out,
                           "cached": random.randint(0, inp),
                           "thoughts": th, "tool": 0,
                           "total": inp + out + th}
            f.write(json.dumps(m) + "\n")
    size += os.path.getsize(path)
    n += 1

# OpenCode: one database.
d = "%s/oc" % os.environ["HOME"]
os.makedirs(d)
c = sqlite3.connect(d + "/opencode.db")
c.execute("PRAGMA journal_mode=wal")
c.executescript(open(schema).read())
c.execute("DELETE FROM message")
rows = []
for i in range(messages):
    t = day0 + random.randint(0, 22 * 86400000)
    rows.append(("msg_%07d" % i, "ses_5f1e2d3c4b5aAbCdEf", t, t + 5000, json.dumps({
        "role": "assistant", "time": {"created": t, "completed": t + 5000},
        "modelID": "claude-sonnet-4-5", "providerID": "anthropic",
        "path": {"cwd": "/home/dev/shop", "root": "/home/dev/shop"},
        "cost": 0.01, "tokens": {"input": random.randint(10, 5000),
                                 "output": random.randint(10, 2000),
                                 "reasoning": random.randint(0, 500),
                                 "cache": {"read": random.randint(0, 50000),
                                           "write": random.randint(0, 2000)}}})))
c.executemany("INSERT INTO message VALUES (?, ?, ?, ?, ?)", rows)
c.commit()
c.close()
print("gemini-cli: %d chats, %.0f MB; opencode: %d messages, %.0f MB" % (
    n, size / 1e6, messages, os.path.getsize(d + "/opencode.db") / 1e6))
PY

python3 - "$tally" "$ccusage" "$runs" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time

tally, ccusage, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
home = os.environ["HOME"]

def run(cmd, env, out=None):
    with open(out or os.devnull, "w") as f:
        p = subprocess.Popen(cmd, stdout=f, env=env)
        _, status, ru = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024

def tally_days(agent, logs):
    env = dict(os.environ, TALLY_HOME=home + "/t-" + agent)
    shutil.rmtree(env["TALLY_HOME"], ignore_errors=True)
    cpu1, rss1 = run([tally, "--profile", "import", agent, logs], env)
    cpu2, rss2 = run([tally, "--profile", "summary", "--since", "2026-01-01",
                      "--by", "day", "--json"], env, out="t.json")
    days = {g["day"]: (g["inputTokens"] - g["cacheReadTokens"] - g["cacheWriteTokens"],
                       g["outputTokens"] - g["reasoningTokens"], g["cacheReadTokens"],
                       g["cacheWriteTokens"])
            for g in json.load(open("t.json"))["groups"]}
    return cpu1 + cpu2, max(rss1, rss2), days

def cc_days(cmd, env):
    cpu, rss = run([ccusage, cmd, "daily", "--offline", "--json"],
                   dict(os.environ, **env), out="c.json")
    days = {d["date"]: (d["inputTokens"], d["outputTokens"],
                        d.get("cacheReadTokens", 0), d.get("cacheCreationTokens", 0))
            for d in json.load(open("c.json"))["daily"]}
    return cpu, rss, days

for agent, cmd, logs, env in (
        ("gemini-cli", "gemini", home + "/.gemini/tmp", {}),
        ("opencode", "opencode", home + "/oc", {"OPENCODE_DATA_DIR": home + "/oc"})):
    tc, tr, cc_, cr = [], [], [], []
    for i in range(runs):
        # Each goes first every other round: neither always finds a
        # warmer page cache.
        if i % 2:
            b = cc_days(cmd, env)
            a = tally_days(agent, logs)
        else:
            a = tally_days(agent, logs)
            b = cc_days(cmd, env)
        tc.append(a[0]); tr.append(a[1]); cc_.append(b[0]); cr.append(b[1])
        same = a[2] == b[2]
    t, c = statistics.median(tc), statistics.median(cc_)
    print("%s: tally import + summary --by day %.2f s CPU, %.0f MiB peak RSS; "
          "ccusage %s daily %.2f s CPU, %.0f MiB; CPU ratio %.2f; daily totals "
          "%s (%d days, output without reasoning as ccusage counts it)" % (
              agent, t, max(tr), cmd, c, max(cr), t / c,
              "equal" if same else "DIFFERENT", len(a[2])))
    if not same:
        sys.exit(1)
PY
