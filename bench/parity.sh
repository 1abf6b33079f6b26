#!/bin/sh
# bench/parity.sh: tally's daily totals against ccusage's on the same
# logs, for each agent: amp, claude-code, codex, copilot-cli, gemini-cli,
# goose, opencode, qwen-code (all by default). Goose's and Qwen Code's input is
# compared whole: ccusage does not take their cache out of it.
#
# Imports the agent's fixtures (t/fixtures/<agent>; OpenCode's database
# built from its opencode.sql) into a fresh ledger, and runs
# `ccusage <agent> daily --json --offline` on the same files; then, day
# by day, compares input (without the cache), output, cache reads and
# cache writes. Where the two differ by design (ccusage leaves reasoning
# and thoughts out of output for Gemini CLI and OpenCode, though both
# bill them as output; the same for Gemini's thoughts in Qwen Code), the
# difference is said and checked to be exactly
# that; any other difference fails. ccusage 20.0.24 comes from
# bench/ccusage.sh.
#
# usage: bench/parity.sh [path-to-tally] [agent|all]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
tally=${1:-build/tally}
agent=${2:-all}
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac
if [ "$agent" = all ]; then
	status=0
	for a in amp claude-code codex copilot-cli gemini-cli goose opencode \
		qwen-code; do
		sh "$0" "$tally" "$a" || status=1
	done
	exit $status
fi
. "$top/bench/ccusage.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-parity.XXXXXX")
trap 'rm -rf "$work"' EXIT
fx=$top/t/fixtures
export TZ=UTC TALLY_HOME=$work/tally TALLY_CEILING_DIRECTORIES=$work
home=$work/home
mkdir -p "$home"

case $agent in
amp)
	logs=$fx/amp
	cmd=amp
	env="AMP_DATA_DIR=$fx/amp" ;;
claude-code)
	logs=$fx/claude-code/projects
	cmd=claude
	env="CLAUDE_CONFIG_DIR=$fx/claude-code" ;;
codex)
	logs=$fx/codex
	cmd=codex
	env="CODEX_HOME=$fx/codex" ;;
gemini-cli)
	mkdir -p "$home/.gemini"
	cp -r "$fx/gemini-cli/tmp" "$home/.gemini/"
	logs=$home/.gemini/tmp
	cmd=gemini
	env="HOME=$home" ;;
goose)
	mkdir -p "$home/gs"
	python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript(open(sys.argv[2]).read())
c.commit()" "$home/gs/sessions.db" "$fx/goose/goose.sql"
	logs=$home/gs
	cmd=goose
	env="GOOSE_PATH_ROOT=$home/root"
	mkdir -p "$home/root/data/sessions"
	cp "$home/gs/sessions.db" "$home/root/data/sessions/" ;;
opencode)
	mkdir -p "$home/oc"
	cp -r "$fx/opencode/storage" "$home/oc/"
	python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript(open(sys.argv[2]).read())
c.commit()" "$home/oc/opencode.db" "$fx/opencode/opencode.sql"
	logs=$home/oc
	cmd=opencode
	env="OPENCODE_DATA_DIR=$home/oc" ;;
copilot-cli)
	# The first export file only: ccusage counts a span again when a
	# second file holds it too, and does not know the older names of the
	# cache attributes (gen_ai.usage.cache_read_input_tokens).
	mkdir -p "$home/.copilot/otel"
	cp "$fx/copilot-cli/otel/copilot-otel-20261120-091500.jsonl" \
		"$home/.copilot/otel/"
	echo "copilot-cli: the second export file left out (ccusage counts" \
		"its copy of a span again)"
	logs=$home/.copilot/otel
	cmd=copilot
	env="HOME=$home" ;;
qwen-code)
	# Not the branched chat: ccusage keys a record by its session too,
	# and counts each answer a branch copied from its parent again (and a
	# usage with a total alone as output, which tally leaves out).
	mkdir -p "$home/qwen"
	cp -r "$fx/qwen-code/projects" "$home/qwen/"
	rm "$home/qwen/projects/-home-dev-shop/chats/e81b3f6a-0d4c-4a92-b7e5-3c9f1d2a6e48.jsonl"
	echo "qwen-code: the branched chat left out (ccusage counts its copies again)"
	logs=$home/qwen
	cmd=qwen
	env="QWEN_DATA_DIR=$home/qwen" ;;
*)
	echo "bench/parity.sh: no fixtures for '$agent'" >&2
	exit 2 ;;
esac

cd "$work"
"$tally" --profile import "$agent" "$logs" >/dev/null
"$tally" --profile summary --since 2000-01-01 --by day --json >"$work/tally.json"
env HOME="$home" $env "$ccusage" "$cmd" daily --json --offline >"$work/ccusage.json"

python3 - "$agent" "$work/tally.json" "$work/ccusage.json" <<'PY'
import json, sys

agent, tally_file, cc_file = sys.argv[1:4]
tally = {g["day"]: g for g in json.load(open(tally_file))["groups"]}
cc = {d["date"]: d for d in json.load(open(cc_file))["daily"]}
# ccusage counts output without reasoning (OpenCode) or thoughts
# (Gemini CLI), which the providers bill as output.
drops_reasoning = agent in ("gemini-cli", "opencode", "qwen-code")
# ccusage reads Goose's and Qwen Code's input whole, cache and all, as
# the agents count it (it reports Qwen Code's cache reads beside it too).
cache_inside = agent in ("goose", "qwen-code")
cache_beside = agent == "qwen-code"
# ccusage takes only the cache reads out of Copilot's input, which holds
# the cache writes too (GenAI conventions), and reports the writes again.
writes_inside = agent == "copilot-cli"
bad = 0
print("%s: %d days in tally, %d in ccusage" % (agent, len(tally), len(cc)))
for day in sorted(set(tally) | set(cc)):
    t, c = tally.get(day), cc.get(day)
    if not t or not c:
        print("  %s: only in %s" % (day, "tally" if t else "ccusage"))
        bad += 1
        continue
    tin = t["inputTokens"] - (0 if cache_inside else
                              t["cacheReadTokens"] + t["cacheWriteTokens"])
    if writes_inside:
        tin += t["cacheWriteTokens"]
    tout = t["outputTokens"]
    split = cache_beside or not cache_inside
    want = {"input": tin, "output": tout,
            "cacheRead": t["cacheReadTokens"] if split else 0,
            "cacheWrite": 0 if cache_inside else t["cacheWriteTokens"]}
    got = {"input": c["inputTokens"], "output": c["outputTokens"],
           "cacheRead": c.get("cacheReadTokens", 0),
           "cacheWrite": c.get("cacheCreationTokens", 0)}
    note = ""
    if drops_reasoning and want["output"] != got["output"]:
        if want["output"] - t["reasoningTokens"] == got["output"]:
            note = (" (ccusage leaves out %d reasoning tokens, billed as "
                    "output)" % t["reasoningTokens"])
            got["output"] = want["output"]
    same = want == got
    bad += not same
    print("  %s: tally %s; ccusage %s%s%s" % (day, json.dumps(want),
          "the same" if same else json.dumps(got), note,
          "" if same else "  DIFFERENT"))
print("%s: %s" % (agent, "every day equal" + (" but for reasoning"
      if drops_reasoning else "") if not bad else "%d days differ" % bad))
sys.exit(1 if bad else 0)
PY
