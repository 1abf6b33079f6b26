#!/bin/sh
# fuzz/smoke.sh: run every fuzz target briefly (CI), or long (by hand).
#
# Each target starts from its seed corpus (the test fixtures and the
# bundled examples that suit it) and first replays its regression inputs
# (fuzz/regressions/<target>/: inputs that once crashed it). New inputs go
# to a scratch corpus, so the tree stays clean.
#
# usage: fuzz/smoke.sh <build-dir> [seconds-per-target] [target...]
#
# A long run: FUZZ_WORKDIR=/tmp/fuzz fuzz/smoke.sh build-fuzz 600
set -eu

build=$1
seconds=${2:-20}
shift $(($# < 2 ? $# : 2))
top=$(cd "$(dirname "$0")/.." && pwd)
targets=${*:-"fuzz-agent-logs fuzz-config fuzz-config-layers fuzz-headers fuzz-ledger-row fuzz-reports fuzz-response fuzz-sse fuzz-summary-cache fuzz-time fuzz-url"}
# FUZZ_WORKDIR keeps the corpora, logs and crashing inputs of a long run.
if test -n "${FUZZ_WORKDIR:-}"; then
	scratch=$FUZZ_WORKDIR
	mkdir -p "$scratch"
else
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/tally-fuzz.XXXXXX")
	trap 'rm -rf "$scratch"' EXIT
fi

seeds() {
	case $1 in
	fuzz-agent-logs) echo "$top/t/fixtures/claude-code/projects/-home-dev-shop $top/t/fixtures/codex/sessions/2026/11/20 $top/t/fixtures/codingbuddy $top/t/fixtures/gemini-cli/tmp/3f1a9c0e5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468/chats $top/t/fixtures/opencode/storage/message/ses_L1a2b3c4d5e6f $top/t/fixtures/amp/threads" ;;
	fuzz-config) echo "$top/contrib/demo-config.yaml" ;;
	fuzz-config-layers) echo "$top/fuzz/seeds/fuzz-config-layers" ;;
	fuzz-headers) echo "$top/contrib/examples/headers" ;;
	fuzz-ledger-row) echo "$top/t/fixtures/legacy-rows.jsonl" ;;
	fuzz-reports) echo "$top/fuzz/seeds/fuzz-reports" ;;
	fuzz-response) echo "$top/contrib/examples/responses" ;;
	fuzz-sse) echo "$top/contrib/examples/streams" ;;
	fuzz-summary-cache) echo "$top/fuzz/seeds/fuzz-summary-cache" ;;
	fuzz-time) echo "" ;;
	fuzz-url) echo "$top/fuzz/seeds/fuzz-url" ;;
	esac
}

for t in $targets; do
	corpus=$scratch/$t
	mkdir -p "$corpus"
	# Seed files are copied in one by one (directories hold whole files;
	# a JSON-lines file is split into its lines).
	for s in $(seeds "$t"); do
		find "$s" -type f | while read -r f; do
			case $f in
			*.jsonl) split -l 1 -a 4 "$f" "$corpus/$(basename "$f")." ;;
			*) cp "$f" "$corpus/" ;;
			esac
		done
	done
	if test -d "$top/fuzz/regressions/$t"; then
		"$build/fuzz/$t" "$top/fuzz/regressions/$t"/* >"$scratch/$t.regress.log" 2>&1 || {
			cat "$scratch/$t.regress.log" >&2
			echo "fuzz: $t fails on a regression input" >&2
			exit 1
		}
	fi
	"$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$scratch/$t-" "$corpus" >"$scratch/$t.log" 2>&1 || {
		tail -n 40 "$scratch/$t.log" >&2
		ls "$scratch/$t-"* >&2 2>/dev/null || true
		echo "fuzz: $t found a crash (input kept above)" >&2
		exit 1
	}
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t.log")
	cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\).*corp: \([0-9]*\).*/cov \1, corpus \2/p' "$scratch/$t.log")
	echo "fuzz: $t: $runs runs in ${seconds}s, ${cov:-cov ?}, no crash"
done
