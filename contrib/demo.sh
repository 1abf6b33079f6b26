#!/bin/sh
# The demo of ./dev demo: record the example provider responses bundled in
# contrib/examples/responses/ (and two entries typed by hand) into the
# ledger of $TALLY_HOME, then show what was recorded, the day's summary
# and the budgets of contrib/demo-config.yaml.
#
# usage: sh contrib/demo.sh <path-to-tally>
set -eu

tally=$1
here=$(cd "$(dirname "$0")" && pwd)
examples=$here/examples/responses
export TALLY_SESSION=demo
export TALLY_CONFIG=$here/demo-config.yaml

record() {
	"$tally" record -q "$@"
}

record --response "$examples/openai-chat.json" --started-at 2h --latency-ms 820
record --response "$examples/openai-responses.json" --started-at 100m --latency-ms 2310
record --response "$examples/anthropic-message.json" --started-at 90m --latency-ms 4120
record --response "$examples/gemini-generate.json" --started-at 75m --latency-ms 990
record --response "$examples/openrouter-chat.json" --started-at 1h --latency-ms 1730
record -p anthropic -m claude-sonnet-4-20250514 --started-at 30m \
	--input-tokens 5200 --output-tokens 640 --cache-read-tokens 4096 \
	--tag task=review
record -p openai -m gpt-4.1 --started-at 10m --status failed \
	--http-status 429 --error rate_limit_exceeded --throttle-wait-ms 18642

echo "Recorded 7 requests into $TALLY_HOME:"
echo
"$tally" log
echo
"$tally" summary --window day
echo
"$tally" budget
