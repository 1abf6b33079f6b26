#!/bin/sh
test_description='tally help'
. ./test-lib.sh

test_expect_success 'help without arguments lists the commands' '
	tally help >out &&
	test_grep "^   record " out &&
	test_grep "^   log " out
'

test_expect_success 'help for an unknown command fails' '
	test_expect_code 2 tally help nope 2>err &&
	test_grep "no help for .nope." err
'

test_expect_success 'help shows the manual page of a command' '
	test_need man &&
	MANPAGER=cat MANWIDTH=80 tally help record >out &&
	test_grep "tally-record - record one request" out &&
	test_grep "EXIT STATUS" out
'

test_expect_success 'help ledger shows the file format' '
	MANPAGER=cat tally help ledger >out &&
	test_grep "tally-ledger - the format" out
'

test_expect_success 'without man, help prints the usage instead' '
	mkdir bin &&
	for tool in sh cat; do
		ln -s "$(command -v $tool)" bin/$tool || return 1
	done &&
	PATH="$PWD/bin" "$TALLY_BUILD_DIR/tally" help record >out &&
	test_grep "^usage: tally record" out
'

test_done
