#!/bin/sh
test_description='the command table, global options and stdout checks'
. ./test-lib.sh

test_expect_success '--version and version agree' '
	tally --version >a &&
	tally version >b &&
	test_cmp a b &&
	test_grep "^tally [0-9]" a
'

test_expect_success '--list-cmds lists one command per line, sorted' '
	tally --list-cmds >cmds &&
	test_grep -x record cmds &&
	test_grep -x log cmds &&
	test_grep -x config cmds &&
	sort cmds >sorted &&
	test_cmp sorted cmds
'

test_expect_success 'every command answers -h on stdout with exit 0' '
	for cmd in $(tally --list-cmds); do
		tally $cmd -h >out 2>err &&
		test_grep "^usage: tally $cmd" out &&
		test_must_be_empty err || return 1
	done
'

test_expect_success '--help and -h print the overview' '
	tally --help >out &&
	test_grep "^usage: tally " out &&
	test_grep "^   record " out
'

test_expect_success 'no command is a usage error' '
	test_expect_code 2 tally 2>err &&
	test_grep "^usage: tally" err
'

test_expect_success 'an unknown command suggests the nearest one' '
	test_expect_code 2 tally recrod 2>err &&
	test_grep "tally: .recrod. is not a tally command; did you mean .record.?" err
'

test_expect_success 'an unknown command with nothing near' '
	test_expect_code 2 tally zzzzzzzz 2>err &&
	test_grep "not a tally command; see .tally --help." err
'

test_expect_success 'an unknown option: the error, where the usage is, no wall of text' '
	test_expect_code 2 tally log --frobnicate 2>err &&
	cat >expect <<-\EOF &&
	tally: unknown option '"'"'--frobnicate'"'"'
	see '"'"'tally log -h'"'"'
	EOF
	test_cmp expect err
'

test_expect_success 'a mistyped option gets a suggestion' '
	test_expect_code 2 tally record --inptu-tokens 5 2>err &&
	test_grep "^tally: unknown option .--inptu-tokens.; did you mean .--input-tokens.?$" err &&
	test_grep "^see .tally record -h.$" err &&
	test_line_count = 2 err &&
	test_expect_code 2 tally summary --windwo day 2>err &&
	test_grep "did you mean .--window.?" err &&
	test_expect_code 2 tally log -n 2>err &&
	test_grep "^see .tally log -h.$" err
'

test_expect_success 'an unknown global option is a usage error' '
	test_expect_code 2 tally --frobnicate log 2>err &&
	test_grep "unknown option" err
'

test_expect_success '-C runs in another directory' '
	mkdir -p elsewhere/.git &&
	tally -C elsewhere record -p openai -m m --input-tokens 1 -q &&
	ls "$TALLY_HOME/workspaces" >ids &&
	test_line_count = 1 ids
'

test_expect_success '-C to a missing directory fails' '
	test_expect_code 2 tally -C nowhere log 2>err &&
	test_grep "cannot change to .nowhere." err
'

test_expect_success 'a full disk on stdout is an error' '
	if ! test -w /dev/full; then echo "no /dev/full here" >&2; false; fi &&
	tally record -p openai -m m --input-tokens 5 -q &&
	test_expect_code 1 tally log >/dev/full 2>err &&
	test_grep "tally: write error on standard output" err
'

test_expect_success 'a reader that goes away is not an error' '
	for i in 1 2 3; do
		tally record -p openai -m m --input-tokens $i -q || return 1
	done &&
	tally log --porcelain | head -n 1 >one &&
	test_line_count = 1 one
'

test_expect_success 'a closed stdout is not reported as an error' '
	tally version >&- 2>err &&
	test_must_be_empty err
'

test_done
