#!/bin/sh
# bench/status.sh: `tally status --claude-code`, Claude Code's statusline,
# on a 50 MB transcript.
#
# Writes one transcript of about 50 MB (the sessions of
# bench/gen-claude-logs.py, end to end, as a long session grows) and a
# statusline JSON naming it, then measures as medians over the runs the
# wall time of:
#   the first call (imports the whole transcript: cold)
#   a call with nothing new (warm: what a statusline costs between turns)
#   a call after one new assistant message (warm: the usual turn)
#   plain tally status, for comparison
# and the bytes each warm call read of the transcript (import --json).
#
# usage: bench/status.sh [path-to-tally] [megabytes] [runs]
set -eu

tally=${1:-build/tally}
mb=${2:-50}
runs=${3:-21}
top=$(cd "$(dirname "$0")/.." && pwd)
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TZ=UTC HOME=$work TALLY_HOME=$work/tally TALLY_CEILING_DIRECTORIES=$work
export TALLY_NOW=2026-11-24T12:00:00Z
cd "$work"
python3 "$top/bench/gen-claude-logs.py" logs --mb "$mb" --days 2 \
	--end 2026-11-24T06:00:00
find logs -name '*.jsonl' | sort | xargs cat >transcript.jsonl

python3 - "$tally" "$runs" "$work" <<'PY'
import json, os, statistics, subprocess, sys, time

tally, runs, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
transcript = os.path.join(work, "transcript.jsonl")
payload = json.dumps({
    "session_id": "11111111-1111-4111-8111-111111111111",
    "transcript_path": transcript,
    "model": {"id": "claude-sonnet-4-20250514", "display_name": "Sonnet 4"},
    "workspace": {"current_dir": work, "project_dir": work},
    "rate_limits": {"five_hour": {"used_percentage": 23.5,
                                  "resets_at": 1795968000},
                    "seven_day": {"used_percentage": 41.2,
                                  "resets_at": 1796400000}}}).encode()

def call(args, stdin=None):
    t0 = time.perf_counter()
    p = subprocess.run([tally] + args, input=stdin, capture_output=True)
    wall = time.perf_counter() - t0
    assert p.returncode == 0, (args, p.stderr)
    return wall * 1000, p.stdout.decode()

n = 0
def new_message():
    global n
    n += 1
    line = {"parentUuid": None, "isSidechain": False, "type": "assistant",
            "sessionId": "11111111-1111-4111-8111-111111111111",
            "timestamp": "2026-11-24T11:%02d:%02d.000Z" % (n // 60 % 60, n % 60),
            "uuid": "bench-%d" % n, "requestId": "req_bench_%d" % n,
            "message": {"id": "msg_bench_%d" % n, "type": "message",
                        "role": "assistant",
                        "model": "claude-sonnet-4-20250514",
                        "content": [{"type": "text", "text": "x"}],
                        "usage": {"input_tokens": 10,
                                  "cache_read_input_tokens": 20000,
                                  "cache_creation_input_tokens": 500,
                                  "output_tokens": 300}}}
    with open(transcript, "a") as f:
        f.write(json.dumps(line, separators=(",", ":")) + "\n")

size = os.path.getsize(transcript)
cold, line = call(["status", "--claude-code"], payload)
warm = [call(["status", "--claude-code"], payload)[0] for _ in range(runs)]
turn = []
for _ in range(runs):
    new_message()
    wall, line = call(["status", "--claude-code"], payload)
    turn.append(wall)
plain = [call(["status"])[0] for _ in range(runs)]
rows = sum(1 for _ in open(os.path.join(work, "tally", "profile",
                                        "usage-ledger.jsonl")))

def ms(v):
    return "%.1f ms" % v

print("transcript: %.1f MB, %d ledger rows after the runs" % (size / 1048576, rows))
print("last line: " + line.strip())
print("cold (imports the transcript): " + ms(cold))
print("warm, nothing new: median %s (min %s, max %s, %d runs)" % (
    ms(statistics.median(warm)), ms(min(warm)), ms(max(warm)), runs))
print("warm, one new message: median %s (min %s, max %s, %d runs)" % (
    ms(statistics.median(turn)), ms(min(turn)), ms(max(turn)), runs))
print("plain status: median %s" % ms(statistics.median(plain)))
PY
