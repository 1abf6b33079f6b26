#!/bin/sh
# bench/crash.sh: the long run of the crash and concurrency harness.
#
# Writers, readers, compact, migrate, clear and sync run at once against one
# scope while random ones are killed with SIGKILL; after every round the
# harness checks that no confirmed row is lost or doubled, that every line
# parses and that the summary cache equals a fresh fold (see
# bench/crash-harness.py). Runs until at least <kills> processes died.
#
# usage: bench/crash.sh [path-to-tally] [kills] [seconds-per-round]
set -eu

tally=${1:-build/tally}
kills=${2:-1000}
seconds=${3:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac
exec python3 "$top/bench/crash-harness.py" "$tally" \
	"$top/t/lib/fake-provider.py" --rounds 1 --seconds "$seconds" \
	--min-kills "$kills" --seed "${SEED:-1}"
