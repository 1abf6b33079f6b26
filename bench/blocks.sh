#!/bin/sh
# bench/blocks.sh: tally's five-hour blocks against ccusage's on the same
# Claude Code logs: the test fixtures, then generated logs.
#
# For each, `tally import claude-code` + `tally summary --by block --json`
# and `ccusage claude blocks --offline --json`; the blocks (not the gaps)
# must start at the same times with the same token totals (input,
# output, cache read, cache write).
#
# ccusage 20.0.24 comes from bench/ccusage.sh.
#
# usage: bench/blocks.sh [path-to-tally] [megabytes]
set -eu

tally=${1:-build/tally}
mb=${2:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac

. "$top/bench/ccusage.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TZ=UTC HOME=$work TALLY_CEILING_DIRECTORIES=$work
cd "$work"
python3 "$top/bench/gen-claude-logs.py" logs --mb "$mb" --end 2026-11-24

python3 - "$tally" "$ccusage" "$top/t/fixtures/claude-code" <<'PY'
import json, os, subprocess, sys

tally, ccusage, fixtures = sys.argv[1:4]

def tally_blocks(name, logs):
    env = dict(os.environ, TALLY_HOME=os.path.abspath(name))
    subprocess.run([tally, "import", "claude-code", logs], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([tally, "summary", "--since", "2000-01-01",
                          "--by", "block", "--json"], env=env, check=True,
                         capture_output=True, text=True).stdout
    return {g["block"]: (g["inputTokens"] - g["cacheReadTokens"] -
                         g["cacheWriteTokens"], g["outputTokens"],
                         g["cacheReadTokens"], g["cacheWriteTokens"])
            for g in json.loads(out)["groups"]}

def ccusage_blocks(logs):
    env = dict(os.environ, CLAUDE_CONFIG_DIR=os.path.abspath(logs))
    out = subprocess.run([ccusage, "claude", "blocks", "--offline", "--json",
                          "-z", "UTC"], env=env, check=True,
                         capture_output=True, text=True).stdout
    blocks = {}
    for b in json.loads(out)["blocks"]:
        if b["isGap"]:
            continue
        t = b["tokenCounts"]
        key = b["startTime"].replace(".000Z", "Z")
        blocks[key] = (t["inputTokens"], t["outputTokens"],
                       t["cacheReadInputTokens"],
                       t["cacheCreationInputTokens"])
    return blocks

for name, logs in (("fixtures", fixtures), ("generated logs", "logs")):
    t = tally_blocks("home-" + name.replace(" ", "-"), logs)
    c = ccusage_blocks(logs)
    same = t == c
    print("%s: %d blocks, %d tokens, starts and totals %s" % (
        name, len(t), sum(sum(v) for v in t.values()),
        "equal" if same else "DIFFER"))
    if not same:
        for k in sorted(set(t) | set(c)):
            if t.get(k) != c.get(k):
                print("  %s: tally %s, ccusage %s" % (k, t.get(k), c.get(k)))
        sys.exit(1)
PY
