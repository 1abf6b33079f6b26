#!/bin/sh
# bench/import-agents.sh: `tally import` of each agent's logs but Claude
# Code's and Codex's (bench/import.sh) against ccusage on the same data.
#
# Generates, for each agent asked for (all by default), about <megabytes>
# MB of logs: Gemini CLI chats (each answer written twice, first without
# tokens, as Gemini CLI does), Amp threads, Qwen Code chats, Copilot CLI
# export files; and databases of <messages> rows: OpenCode messages,
# Goose sessions. Then measures, as medians over the runs, the CPU time
# (user + system) and peak RSS of:
#   tally import <agent> + tally summary --by day (fresh ledger)
#   ccusage <agent> daily --offline --json
# and checks that the daily totals agree as bench/parity.sh reads them
# (ccusage leaves reasoning and thoughts out of output, takes Goose's and
# Qwen Code's input whole, and Copilot's cache writes as input).
#
# ccusage 20.0.24 comes from bench/ccusage.sh.
#
# usage: bench/import-agents.sh [path-to-tally] [megabytes] [messages]
#                               [runs] [agent...]
set -eu

tally=${1:-build/tally}
mb=${2:-100}
messages=${3:-100000}
runs=${4:-5}
[ $# -gt 4 ] && shift 4 && agents=$* ||
	agents="amp copilot-cli gemini-cli goose opencode qwen-code"
top=$(cd "$(dirname "$0")/.." && pwd)
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac

. "$top/bench/ccusage.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TZ=UTC HOME=$work TALLY_CEILING_DIRECTORIES=$work
export TALLY_NOW=2026-11-24T12:00:00Z
cd "$work"

python3 - "$mb" "$messages" "$top/t/fixtures" "$agents" <<'PY'
import json, os, random, sqlite3, sys, time

mb, messages, fx = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
agents = sys.argv[4].split()
home = os.environ["HOME"]
random.seed(5)
day0 = 1793491200000          # 2026-11-01T00:00Z
models = ["gemini-2.5-pro", "gemini-2.5-flash"]
filler = "x" * 1500

def iso(ms):
    return "%s.%03dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S",
                                       time.gmtime(ms // 1000)), ms % 1000)

def gemini():
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

  return "gemini-cli: %d chats, %.0f MB" % (n, size / 1e6)

def opencode():
  d = "%s/oc" % os.environ["HOME"]
  os.makedirs(d)
  c = sqlite3.connect(d + "/opencode.db")
  c.execute("PRAGMA journal_mode=wal")
  c.executescript(open(fx + "/opencode/opencode.sql").read())
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
  return "opencode: %d messages, %.0f MB" % (
      messages, os.path.getsize(d + "/opencode.db") / 1e6)

def amp():
  # One thread a document, 40 usage events and their messages each.
  d = home + "/amp/threads"
  os.makedirs(d)
  size, n = 0, 0
  while size < mb * 1000000:
    t = day0 + random.randint(0, 22 * 86400000)
    msgs, events = [], []
    for i in range(40):
      t += random.randint(5000, 600000)
      inp, out = random.randint(10, 5000), random.randint(10, 3000)
      cr, cw = random.randint(0, 80000), random.randint(0, 3000)
      msgs.append({"role": "user", "messageId": 2 * i,
                   "content": [{"type": "text", "text": filler}]})
      msgs.append({"role": "assistant", "messageId": 2 * i + 1,
                   "content": [{"type": "text", "text": filler}],
                   "usage": {"model": "claude-sonnet-4-5", "inputTokens": inp,
                             "outputTokens": out, "cacheReadInputTokens": cr,
                             "cacheCreationInputTokens": cw}})
      events.append({"id": "event-%d" % i, "timestamp": iso(t),
                     "model": "claude-sonnet-4-5", "credits": 1.0,
                     "tokens": {"input": inp, "output": out},
                     "operationType": "inference",
                     "fromMessageId": 2 * i, "toMessageId": 2 * i + 1})
    path = "%s/T-%08x.json" % (d, n)
    with open(path, "w") as f:
      json.dump({"v": 1, "id": "T-%08x" % n, "created": t,
                 "messages": msgs, "usageLedger": {"events": events}}, f)
    size += os.path.getsize(path)
    n += 1
  return "amp: %d threads, %.0f MB" % (n, size / 1e6)

def goose():
  d = home + "/goose/data/sessions"
  os.makedirs(d)
  c = sqlite3.connect(d + "/sessions.db")
  c.execute("PRAGMA journal_mode=wal")
  c.executescript(open(fx + "/goose/goose.sql").read())
  c.execute("DELETE FROM sessions")
  rows = []
  for i in range(messages):
    t = day0 + random.randint(0, 22 * 86400000)
    inp = random.randint(1000, 500000)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t // 1000))
    rows.append(("2026_%07d" % i, "/home/dev/shop", stamp, stamp, inp,
                 random.randint(10, 20000), random.randint(0, inp // 2),
                 random.randint(0, inp // 4), "anthropic",
                 '{"model_name":"claude-sonnet-4-5"}'))
  c.executemany("INSERT INTO sessions (id, working_dir, created_at, "
                "updated_at, accumulated_input_tokens, "
                "accumulated_output_tokens, accumulated_cache_read_tokens, "
                "accumulated_cache_write_tokens, provider_name, "
                "model_config_json) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
  c.commit()
  c.close()
  return "goose: %d sessions, %.0f MB" % (
      messages, os.path.getsize(d + "/sessions.db") / 1e6)

def qwen():
  # One chat a session: 40 answers with their prompts.
  size, n = 0, 0
  while size < mb * 1000000:
    d = "%s/.qwen/projects/-home-dev-p%02d/chats" % (home, n % 50)
    os.makedirs(d, exist_ok=True)
    sid = "s-%06d" % n
    path = "%s/%s.jsonl" % (d, sid)
    t = day0 + random.randint(0, 22 * 86400000)
    with open(path, "w") as f:
      for i in range(40):
        t += random.randint(5000, 600000)
        base = {"sessionId": sid, "timestamp": iso(t), "cwd": "/home/dev",
                "version": "0.2.1"}
        f.write(json.dumps(dict(base, uuid="u%d-%d" % (n, i), type="user",
                message={"role": "user", "parts": [{"text": filler}]})) + "\n")
        inp = random.randint(1000, 90000)
        out = random.randint(10, 4000)
        f.write(json.dumps(dict(base, uuid="a%d-%d" % (n, i),
                type="assistant", model="qwen3-coder-plus",
                message={"role": "model", "parts": [{"text": filler}]},
                usageMetadata={"promptTokenCount": inp,
                               "candidatesTokenCount": out,
                               "cachedContentTokenCount": random.randint(0, inp),
                               "totalTokenCount": inp + out})) + "\n")
    size += os.path.getsize(path)
    n += 1
  return "qwen-code: %d chats, %.0f MB" % (n, size / 1e6)

def copilot():
  # Export files of 5,000 lines: a chat span, a tool span, a log record.
  d = home + "/.copilot/otel"
  os.makedirs(d)
  size, n, k = 0, 0, 0
  while size < mb * 1000000:
    path = "%s/copilot-otel-%04d.jsonl" % (d, n)
    with open(path, "w") as f:
      for i in range(1700):
        t = day0 + random.randint(0, 22 * 86400000)
        # Not across midnight: ccusage dates a span by its end, tally a
        # request by its start.
        t -= max(0, t % 86400000 - (86400000 - 10000))
        s0, s1 = [t // 1000, (t % 1000) * 1000000], [t // 1000 + 5, 0]
        trace = "%032x" % random.getrandbits(128)
        inp = random.randint(1000, 90000)
        cr = random.randint(0, inp // 2)
        cw = random.randint(0, inp // 4)
        attrs = {"gen_ai.operation.name": "chat",
                 "gen_ai.request.model": "claude-sonnet-4.5",
                 "gen_ai.response.model": "claude-sonnet-4.5",
                 "gen_ai.conversation.id": "c-%d" % (k // 40),
                 "gen_ai.usage.input_tokens": inp,
                 "gen_ai.usage.output_tokens": random.randint(10, 4000),
                 "gen_ai.usage.cache_read.input_tokens": cr,
                 "gen_ai.usage.cache_creation.input_tokens": cw,
                 "github.copilot.nano_aiu": 1000000000}
        f.write(json.dumps({"type": "span", "traceId": trace,
                "spanId": "%016x" % k, "name": "chat claude-sonnet-4.5",
                "kind": 2, "startTime": s0, "endTime": s1,
                "attributes": attrs, "status": {"code": 0},
                "resource": {"attributes": {"service.name": "github-copilot"}}})
                + "\n")
        f.write(json.dumps({"type": "span", "traceId": trace,
                "spanId": "%016xff" % k, "name": "execute_tool view",
                "startTime": s1, "endTime": s1,
                "attributes": {"gen_ai.operation.name": "execute_tool",
                               "gen_ai.tool.name": "view",
                               "output": filler[:300]}}) + "\n")
        f.write(json.dumps({"hrTime": s1, "spanContext": {"traceId": trace},
                "body": "GenAI inference", "attributes": {
                "event.name": "gen_ai.client.inference.operation.details",
                "gen_ai.input.messages": filler[:400]}}) + "\n")
        k += 1
    size += os.path.getsize(path)
    n += 1
  return "copilot-cli: %d files, %d chat spans, %.0f MB" % (n, k, size / 1e6)

make = {"amp": amp, "copilot-cli": copilot, "gemini-cli": gemini,
        "goose": goose, "opencode": opencode, "qwen-code": qwen}
print("; ".join(make[a]() for a in agents))
PY

python3 - "$tally" "$ccusage" "$runs" "$agents" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time

tally, ccusage, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
agents = sys.argv[4].split()
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
    days = {g["day"]: as_ccusage(agent, g)
            for g in json.load(open("t.json"))["groups"]}
    return cpu1 + cpu2, max(rss1, rss2), days

# tally's day as ccusage counts it (bench/parity.sh says why each).
def as_ccusage(agent, g):
    i, o = g["inputTokens"], g["outputTokens"]
    cr, cw, r = g["cacheReadTokens"], g["cacheWriteTokens"], g["reasoningTokens"]
    if agent == "goose":
        return (i, o, 0, 0)
    if agent == "qwen-code":
        return (i, o, cr, 0)
    if agent == "copilot-cli":
        return (i - cr, o, cr, cw)
    if agent in ("gemini-cli", "opencode"):
        o -= r
    return (i - cr - cw, o, cr, cw)

def cc_days(cmd, env):
    cpu, rss = run([ccusage, cmd, "daily", "--offline", "--json"],
                   dict(os.environ, **env), out="c.json")
    days = {d["date"]: (d["inputTokens"], d["outputTokens"],
                        d.get("cacheReadTokens", 0), d.get("cacheCreationTokens", 0))
            for d in json.load(open("c.json"))["daily"]}
    return cpu, rss, days

places = {
    "amp": ("amp", home + "/amp", {"AMP_DATA_DIR": home + "/amp"}),
    "copilot-cli": ("copilot", home + "/.copilot/otel", {}),
    "gemini-cli": ("gemini", home + "/.gemini/tmp", {}),
    "goose": ("goose", home + "/goose/data/sessions",
              {"GOOSE_PATH_ROOT": home + "/goose"}),
    "opencode": ("opencode", home + "/oc", {"OPENCODE_DATA_DIR": home + "/oc"}),
    "qwen-code": ("qwen", home + "/.qwen", {"QWEN_DATA_DIR": home + "/.qwen"}),
}
for agent in agents:
    cmd, logs, env = places[agent]
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
          "%s (%d days, as ccusage counts them)" % (
              agent, t, max(tr), cmd, c, max(cr), t / c,
              "equal" if same else "DIFFERENT", len(a[2])))
    if agent == "goose":
        print("goose: one row per session, so 100,000 sessions: the peak RSS "
              "is the first summary building the per-session detail of its "
              "cache (a second summary needs 4 MiB)")
    if not same:
        sys.exit(1)
PY
