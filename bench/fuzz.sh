#!/bin/sh
# bench/fuzz.sh: the long fuzzing run, every target for <seconds> (600 by
# default), as many at once as there are cores.
#
# Builds build-fuzz first (./dev fuzz-build: clang, libFuzzer, ASan and
# UBSan). Each target starts from its seed corpus and regression inputs
# (fuzz/smoke.sh). The corpora, logs and any crashing input are kept
# under <workdir> (default: a temporary directory, removed when no
# target crashed). Exit status 1 when a target found a crash.
#
# usage: bench/fuzz.sh [seconds] [workdir]
set -eu

seconds=${1:-600}
top=$(cd "$(dirname "$0")/.." && pwd)
work=${2:-$(mktemp -d "${TMPDIR:-/tmp}/tally-fuzz-long.XXXXXX")}
mkdir -p "$work"
"$top/dev" fuzz-build
targets="fuzz-agent-logs fuzz-config fuzz-config-layers fuzz-headers fuzz-ledger-row fuzz-reports fuzz-response fuzz-sse fuzz-summary-cache fuzz-time fuzz-url"
jobs=$(nproc)

echo "libFuzzer, ${seconds}s per target, $jobs at a time, with ASan and UBSan"
# Deal the targets out to $jobs queues, run the queues in parallel.
i=0
for t in $targets; do
	eval "queue$((i % jobs))=\"\${queue$((i % jobs)):-} $t\""
	i=$((i + 1))
done
status=0
pids=
j=0
while [ $j -lt "$jobs" ] && [ $j -lt $i ]; do
	eval "q=\$queue$j"
	# shellcheck disable=SC2086
	FUZZ_WORKDIR=$work sh "$top/fuzz/smoke.sh" "$top/build-fuzz" \
		"$seconds" $q >"$work/queue$j.out" 2>&1 &
	pids="$pids $!"
	j=$((j + 1))
done
for p in $pids; do
	wait "$p" || status=1
done
cat "$work"/queue*.out | sort
if [ $status -eq 0 ]; then
	cat "$work"/queue*.out | awk -v s="$seconds" '
		/^fuzz: .* runs in/ { n++; runs += $3 }
		END { printf "total: %d targets, %d s each, %d inputs run, no crash\n", n, s, runs }'
fi
if [ $status -ne 0 ]; then
	echo "bench/fuzz.sh: a target crashed; inputs kept in $work" >&2
	exit 1
fi
case ${2:-} in '') rm -rf "$work" ;; esac
