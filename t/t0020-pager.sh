#!/bin/sh
test_description='the pager and --color, on a terminal and off it'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

# on_tty <command>...: runs it with a terminal for its input and output.
on_tty() {
	python3 "$TEST_DIRECTORY/lib/on-terminal.py" "$@"
}

test_expect_success 'setup: a few entries, one failed' '
	tally record -q -p openai -m gpt-4o --input-tokens 100 --cost 0.5 &&
	tally record -q -p anthropic -m claude-sonnet-4 --status failed &&
	tally --no-pager --color=never log >plain
'

test_expect_success 'on a terminal, log goes through $PAGER' '
	PAGER="cat >paged" on_tty tally --color=never log >screen &&
	test_cmp plain paged &&
	test_must_be_empty screen
'

test_expect_success 'TALLY_PAGER wins over PAGER; cat or empty is no pager' '
	rm -f paged other &&
	TALLY_PAGER="cat >other" PAGER="cat >paged" on_tty tally --color=never log >screen &&
	test_cmp plain other &&
	! test -e paged &&
	TALLY_PAGER=cat on_tty tally --color=never log >screen &&
	test_cmp plain screen &&
	TALLY_PAGER= on_tty tally --color=never log >screen &&
	test_cmp plain screen
'

test_expect_success '--no-pager, or output that is not a terminal, is not paged' '
	rm -f paged &&
	PAGER="cat >paged" on_tty tally --no-pager --color=never log >screen &&
	test_cmp plain screen &&
	! test -e paged &&
	PAGER="cat >paged" tally log >out &&
	test_cmp plain out &&
	! test -e paged
'

test_expect_success 'summary, pricing and export page too; the pager gets colour' '
	PAGER="cat >paged" on_tty tally summary >screen &&
	test_must_be_empty screen &&
	test_grep "Usage · month" paged &&
	PAGER="cat >paged" on_tty tally log >screen &&
	grep -q "$(printf "\\033\\[1mTIME")" paged &&
	grep -q "$(printf "\\033\\[31mfailed")" paged &&
	PAGER="cat >paged" on_tty tally pricing >screen &&
	test_grep "^USD per million tokens" paged &&
	PAGER="cat >paged" on_tty tally export --format csv >screen &&
	test_grep "^entryId," paged
'

test_expect_success 'a pager that quits early loses nothing and fails nothing' '
	PAGER="head -1 >paged" on_tty tally log >screen &&
	test_line_count = 1 paged
'

test_expect_success '--color: always, never, auto' '
	tally --color=always log >out &&
	grep -q "$(printf "\\033\\[1mTIME")" out &&
	on_tty tally --no-pager --color=never log >screen &&
	! grep -q "$(printf "\\033")" screen &&
	on_tty tally --no-pager log >screen &&
	grep -q "$(printf "\\033")" screen &&
	NO_COLOR=1 on_tty tally --no-pager log >screen &&
	! grep -q "$(printf "\\033")" screen &&
	tally log >out &&
	! grep -q "$(printf "\\033")" out &&
	test_expect_code 2 tally --color=sometimes log 2>err &&
	test_grep "^tally: --color expects auto, always or never, not .sometimes.$" err
'

test_done
