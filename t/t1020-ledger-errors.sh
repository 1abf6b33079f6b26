#!/bin/sh
test_description='a locked, read-only or unusable ledger loses nothing'
. ./test-lib.sh

L=$TALLY_HOME/profile/usage-ledger.jsonl

test_expect_success 'setup' '
	tally record -p openai -m m --input-tokens 1 -q &&
	cp "$L" before
'

test_expect_success 'a held lock times out with exit 6' '
	hold_lock "$TALLY_HOME/profile/usage-ledger.lock" &&
	test_expect_code 6 tally -c lock_timeout_ms=300 record -p openai -m m \
		--input-tokens 2 2>err &&
	test_grep "tally: ledger is locked by another process: gave up after 300 ms" err &&
	kill $HOLD_PID &&
	test_cmp before "$L"
'

test_expect_success 'once the lock is free, recording works again' '
	{ flock "$TALLY_HOME/profile/usage-ledger.lock" sleep 0.5 & } &&
	sleep 0.1 &&
	tally record -p openai -m m --input-tokens 2 -q &&
	wait &&
	test_line_count = 2 "$L" &&
	cp "$L" before
'

test_expect_success UNPRIV 'a read-only ledger directory: exit 6, nothing written' '
	ro=$UNPRIV_DIR/ro &&
	mkdir -p "$ro" &&
	cp -r "$TALLY_HOME/profile" "$ro"/ &&
	if test_have_prereq ROOT; then chown -R 65534:65534 "$ro"; fi &&
	chmod 500 "$ro/profile" &&
	chmod 400 "$ro/profile/usage-ledger.jsonl" "$ro/profile/usage-ledger.lock" &&
	cp "$ro/profile/usage-ledger.jsonl" ro-before &&
	TALLY_HOME=$ro test_expect_code 6 run_unprivileged tally record -p openai -m m --input-tokens 3 2>err &&
	test_grep "tally: cannot open .*usage-ledger" err &&
	test_cmp ro-before "$ro/profile/usage-ledger.jsonl"
'

test_expect_success UNPRIV 'a read-only ledger can still be read' '
	TALLY_HOME=$UNPRIV_DIR/ro run_unprivileged tally log --porcelain >out &&
	test_line_count = 2 out
'

test_expect_success 'a ledger that is a symlink is refused' '
	mkdir -p sym/profile &&
	echo "{\"entryId\":\"x\"}" >target &&
	ln -s "$PWD/target" sym/profile/usage-ledger.jsonl &&
	TALLY_HOME=$PWD/sym test_expect_code 6 tally record -p openai -m m --input-tokens 1 2>err &&
	test_grep "refusing to .*: it is a symbolic link" err &&
	TALLY_HOME=$PWD/sym test_expect_code 6 tally log 2>err &&
	test_grep "refusing to read" err &&
	echo "{\"entryId\":\"x\"}" >expect &&
	test_cmp expect target
'

test_expect_success 'a ledger that is a directory is refused' '
	mkdir -p dir/profile/usage-ledger.jsonl &&
	TALLY_HOME=$PWD/dir test_expect_code 6 tally record -p openai -m m --input-tokens 1 2>err &&
	test_grep "usage-ledger.jsonl.: Is a directory" err
'

test_expect_success 'a data root that cannot be created' '
	echo file >notadir &&
	TALLY_HOME=$PWD/notadir/x test_expect_code 6 tally record -p openai -m m --input-tokens 1 2>err &&
	test_grep "cannot create" err
'

test_expect_success 'a missing --response file: exit 1, nothing written' '
	test_expect_code 1 tally record --response nope.json 2>err &&
	test_grep "tally: cannot read response .nope.json.: No such file or directory" err &&
	test_cmp before "$L"
'

test_expect_success 'malformed JSON: exit 1, nothing written' '
	echo "{\"usage\": {" >bad.json &&
	test_expect_code 1 tally record --response bad.json 2>err &&
	test_grep "tally: the response is not valid JSON" err &&
	test_cmp before "$L"
'

test_expect_success 'negative, non-numeric and absurd counts: exit 2, nothing written' '
	test_expect_code 2 tally record -p openai -m m --input-tokens -5 2>err &&
	test_grep "tally: --input-tokens must not be negative (got -5)" err &&
	test_expect_code 2 tally record -p openai -m m --output-tokens lots 2>err &&
	test_grep "tally: --output-tokens expects a whole number, not .lots." err &&
	test_expect_code 2 tally record -p openai -m m --input-tokens 99999999999999999999 2>err &&
	test_grep "expects a whole number" err &&
	test_expect_code 2 tally record -p openai -m m --input-tokens 2000000000000000 2>err &&
	test_grep "is out of range" err &&
	test_expect_code 2 tally record -p openai -m m --cost -1 2>err &&
	test_grep "tally: --cost must not be negative" err &&
	test_expect_code 2 tally record -p openai -m m --cost 1e12 2>err &&
	test_grep "tally: --cost is out of range" err &&
	test_cmp before "$L"
'

test_done
