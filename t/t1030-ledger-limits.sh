#!/bin/sh
test_description='the ledger at its limits: sums, row sizes, full disks, file size limits, stale temporary files'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
FAIL_WRITES=$TALLY_BUILD_DIR/t/fail-writes.so

# with_fail_writes <path text> <after bytes> <command>...: runs the
# command with writes to files whose path holds the text failing once
# that many bytes went through (fail-writes.so; ENOSPC unless
# FAIL_WRITES_ERRNO says otherwise). Under ASan the preload goes first.
with_fail_writes() {
	fw_path=$1 fw_after=$2 &&
	shift 2 &&
	FAIL_WRITES_PATH=$fw_path FAIL_WRITES_AFTER=$fw_after \
		LD_PRELOAD=$FAIL_WRITES \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$@"
}

# rows.py <file> <n> <tokens>: n valid usage rows of <tokens> input tokens.
cat >rows.py <<'PY'
import json, sys
path, n, tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as f:
    for i in range(n):
        f.write(json.dumps({"v": 1, "entryId": "big-%d" % i, "providerId": "openai",
            "modelId": "m", "startedAt": 1790000000000 + i, "billedInputTokens": tokens,
            "totalBilledTokens": tokens, "source": "manual", "status": "completed"},
            separators=(",", ":")) + "\n")
PY

test_expect_success 'sums that do not fit are refused, never wrapped' '
	export TALLY_HOME=$PWD/overflow &&
	mkdir -p "$TALLY_HOME/profile" &&
	python3 rows.py "$(ledger)" 9300 1000000000000000 &&
	cp "$(ledger)" before &&
	test_expect_code 6 tally summary --window workspace 2>err &&
	test_grep "too large to add up exactly" err &&
	test_expect_code 6 tally status 2>err &&
	test_grep "too large to add up exactly" err &&
	test_expect_code 6 tally -c monthly_token_budget=1000 budget check 2>err &&
	test_grep "too large to add up exactly" err &&
	test_expect_code 6 tally summary --by tag:x 2>err &&
	test_grep "too large to add up exactly" err &&
	test_expect_code 6 tally -c retention_days=1 compact 2>err &&
	test_grep "not compacting: the totals" err &&
	test_cmp before "$(ledger)"
'

test_expect_success 'sums just within the range are exact' '
	export TALLY_HOME=$PWD/in-range &&
	mkdir -p "$TALLY_HOME/profile" &&
	python3 rows.py "$(ledger)" 2300 1000000000000000 &&
	tally summary --window workspace --json >s.json &&
	test "$(json_get s.json "d[\"inputTokens\"]")" = 2300000000000000000
'

test_expect_success 'rows with absurd numbers are invalid lines, left out' '
	export TALLY_HOME=$PWD/absurd &&
	mkdir -p "$TALLY_HOME/profile" &&
	python3 rows.py "$(ledger)" 1 5 &&
	cat >>"$(ledger)" <<-\EOF &&
	{"v":1,"entryId":"t","providerId":"openai","billedInputTokens":9000000000000000000}
	{"v":1,"entryId":"c","providerId":"openai","billedCostUsd":9000000000.5}
	{"v":1,"entryId":"l","providerId":"openai","latencyMs":9000000000000000000}
	EOF
	tally summary --window workspace --json >s.json 2>err &&
	test "$(json_get s.json "d[\"inputTokens\"]")" = 5 &&
	test "$(json_get s.json "d[\"requests\"]")" = 1 &&
	test_grep ":2: invalid ledger line (billedInputTokens is out of range)" err &&
	test_grep ":3: invalid ledger line (billedCostUsd is out of range)" err &&
	test_grep ":4: invalid ledger line (latencyMs is out of range)" err
'

test_expect_success 'record refuses what readers would refuse' '
	export TALLY_HOME=$PWD/refuse &&
	test_expect_code 2 tally record -p openai -m m --input-tokens 1000000000000001 2>err &&
	test_grep "out of range" err &&
	test_expect_code 2 tally record -p openai -m m --cost 1000000001 2>err &&
	test_grep "out of range" err &&
	python3 -c "
import json
print(json.dumps({\"id\": \"chatcmpl-1\", \"object\": \"chat.completion\",
    \"model\": \"m\" * (17 << 20),
    \"usage\": {\"prompt_tokens\": 1, \"completion_tokens\": 1, \"total_tokens\": 2}}))
" >huge.json &&
	test_expect_code 2 tally record -r huge.json 2>err &&
	test_grep "refusing to write a row of 17826... bytes" err &&
	! test -s "$(ledger)"
'

test_expect_success 'a full disk mid-row: the row is taken back whole' '
	export TALLY_HOME=$PWD/full &&
	tally record -q -p openai -m m --input-tokens 1 &&
	cp "$(ledger)" before &&
	test_expect_code 6 with_fail_writes usage-ledger.jsonl 40 \
		tally record -p openai -m m --input-tokens 2 2>err &&
	test_grep "cannot append to .*: No space left on device" err &&
	test_cmp before "$(ledger)" &&
	FAIL_WRITES_ERRNO=EDQUOT test_expect_code 6 with_fail_writes \
		usage-ledger.jsonl 0 tally record -p openai -m m --input-tokens 2 2>err &&
	test_grep "quota exceeded" err &&
	test_cmp before "$(ledger)" &&
	tally record -q -p openai -m m --input-tokens 3 &&
	tally log --porcelain >log 2>err &&
	test_line_count = 2 log &&
	test_must_be_empty err
'

test_expect_success 'a failed sync of the row: exit 6 and the row is not there' '
	export TALLY_HOME=$PWD/full &&
	cp "$(ledger)" before &&
	FAIL_WRITES_SYNC=1 FAIL_WRITES_ERRNO=EIO test_expect_code 6 with_fail_writes \
		usage-ledger.jsonl 100000 tally record -p openai -m m --input-tokens 4 2>err &&
	test_grep "cannot sync" err &&
	test_cmp before "$(ledger)"
'

# limited <bytes> <command>...: runs the command under a file size limit,
# with SIGXFSZ at its default (killing), as a shell's ulimit -f leaves it.
limited() {
	"$PYTHON" -c '
import os, resource, signal, sys
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
os.execvp(sys.argv[2], sys.argv[2:])
' "$@"
}

test_expect_success 'a file size limit mid-row: exit 6, not killed, nothing partial' '
	export TALLY_HOME=$PWD/fsize &&
	tally record -q -p openai -m m --input-tokens 1 &&
	cp "$(ledger)" before &&
	size=$(wc -c <before) &&
	test_expect_code 6 limited $((size + 50)) tally record -p openai -m m \
		--input-tokens 2 2>err &&
	test_grep "File too large" err &&
	test_cmp before "$(ledger)"
'

test_expect_success 'a cache that cannot be written: the answer comes from memory' '
	export TALLY_HOME=$PWD/cache-full &&
	tally record -q -p openai -m m --input-tokens 7 &&
	tally record -q -p openai -m m --input-tokens 8 &&
	rm -f "$TALLY_HOME/profile/usage-summary."* &&
	with_fail_writes usage-summary 0 tally summary --window workspace --json >s.json 2>err &&
	test "$(json_get s.json "d[\"inputTokens\"]")" = 15 &&
	test_grep "No space left on device; the figures come from memory" err &&
	with_fail_writes usage-summary 0 tally status >out 2>err &&
	test_grep "15" out &&
	test_expect_code 1 with_fail_writes usage-summary 0 \
		tally -c monthly_token_budget=10 budget check >out 2>err &&
	test_grep "exceeded" out &&
	tally summary --window workspace --json >s.json 2>err &&
	test "$(json_get s.json "d[\"inputTokens\"]")" = 15 &&
	test_must_be_empty err
'

test_expect_success 'temporary files of killed writers are swept, live ones kept' '
	export TALLY_HOME=$PWD/temps &&
	tally record -q -p openai -m m --input-tokens 1 &&
	dead=$(sh -c "echo \$\$") &&
	dir=$TALLY_HOME/profile &&
	mkdir -p "$dir/import-state" &&
	echo x >"$dir/usage-summary.json.tmp.$dead" &&
	echo x >"$dir/usage-summary.json.tmp.$$" &&
	echo x >"$dir/usage-ledger.jsonl.tmp.$dead" &&
	echo x >"$dir/import-state/codingbuddy.json.tmp.$dead" &&
	echo x >"$dir/import-state/codingbuddy.json.tmpfile" &&
	tally summary >/dev/null &&
	tally compact >/dev/null &&
	tally import codingbuddy "$FIXTURES/codingbuddy/usage.jsonl" >/dev/null &&
	! test -e "$dir/usage-summary.json.tmp.$dead" &&
	! test -e "$dir/usage-ledger.jsonl.tmp.$dead" &&
	! test -e "$dir/import-state/codingbuddy.json.tmp.$dead" &&
	test -e "$dir/usage-summary.json.tmp.$$" &&
	test -e "$dir/import-state/codingbuddy.json.tmpfile"
'

test_done
