#!/bin/sh
test_description='tally log --follow'
. ./test-lib.sh

L=$TALLY_HOME/profile/usage-ledger.jsonl

# wait_for <file> <pattern>: up to 5 seconds.
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		test $i -gt 50 && { echo "timed out waiting for $2" >&2; cat "$1" >&2; return 1; }
		sleep 0.1
	done
}

test_expect_success 'follow prints the last entries, then new ones' '
	for i in 1 2 3; do
		tally record -p openai -m m$i --input-tokens $i -q || return 1
	done &&
	{ tally log -f -n 2 --porcelain >out 2>err & } &&
	pid=$! &&
	wait_for out "	m3	" &&
	test_line_count = 2 out &&
	head -n 1 out >first &&
	test_grep "	m2	" first &&
	tally record -p anthropic -m new --input-tokens 9 -q &&
	wait_for out "	new	" &&
	kill $pid &&
	test_line_count = 3 out
'

test_expect_success 'a new row appears within a second' '
	{ tally log -f -n 0 --ndjson >out & } &&
	pid=$! &&
	sleep 0.3 &&
	tally record -p openai -m quick --input-tokens 1 -q &&
	sleep 1 &&
	kill $pid &&
	test_grep "\"modelId\":\"quick\"" out
'

test_expect_success 'follow survives a rewrite of the ledger' '
	{ tally log -f -n 0 --porcelain >out & } &&
	pid=$! &&
	sleep 0.3 &&
	tally record -p openai -m before-rewrite --input-tokens 1 -q &&
	wait_for out before-rewrite &&
	cp "$L" rewritten &&
	echo "{\"v\":1,\"entryId\":\"added-during\",\"providerId\":\"openai\",\"modelId\":\"during\"}" >>rewritten &&
	mv rewritten "$L" &&
	wait_for out during &&
	tally record -p openai -m after-rewrite --input-tokens 1 -q &&
	wait_for out after-rewrite &&
	kill $pid &&
	test $(grep -c before-rewrite out) = 1 &&
	test $(grep -c "	m1	" out) = 0 &&
	test_line_count = 3 out
'

test_expect_success 'follow applies the filters to new rows' '
	{ tally log -f -n 0 -p gemini --porcelain >out & } &&
	pid=$! &&
	sleep 0.3 &&
	tally record -p openai -m skipped --input-tokens 1 -q &&
	tally record -p gemini -m kept --input-tokens 1 -q &&
	wait_for out kept &&
	kill $pid &&
	test_grep -v skipped out
'

test_expect_success 'follow waits for a ledger that does not exist yet' '
	{ TALLY_HOME=$PWD/later tally log -f --porcelain >out & } &&
	pid=$! &&
	sleep 0.3 &&
	TALLY_HOME=$PWD/later tally record -p openai -m first --input-tokens 1 -q &&
	wait_for out first &&
	kill $pid
'

test_done
