#!/bin/sh
test_description='the test harness itself'
. ./test-lib.sh

test_expect_success 'the environment is hermetic' '
	case "$HOME" in "$TRASH_DIRECTORY") ;; *) false ;; esac &&
	case "$TALLY_HOME" in "$TRASH_DIRECTORY"/*) ;; *) false ;; esac &&
	test "$TZ" = UTC &&
	test -z "${TALLY_CONFIG:-}" &&
	test "$(command -v tally)" = "$TALLY_BUILD_DIR/tally"
'

test_expect_success 'test_cmp notices a difference' '
	echo a >one && echo b >two &&
	! test_cmp one two >/dev/null &&
	test_cmp one one
'

test_expect_success 'test_must_fail rejects success and death by signal' '
	test_must_fail false &&
	! test_must_fail true 2>/dev/null &&
	! test_must_fail sh -c "kill -9 \$\$" 2>/dev/null
'

test_expect_success 'test_expect_code checks the exact status' '
	test_expect_code 3 sh -c "exit 3" &&
	! test_expect_code 3 sh -c "exit 4" 2>/dev/null
'

test_expect_success 'test_line_count and test_grep' '
	printf "a\nb\n" >f &&
	test_line_count = 2 f &&
	! test_line_count = 3 f 2>/dev/null &&
	test_grep b f >/dev/null &&
	test_grep -v c f &&
	! test_grep c f 2>/dev/null
'

test_expect_success 'a block runs in its own subshell' '
	cd / && secret=1
'

test_expect_success 'so the next one starts in the trash directory' '
	test "$(pwd)" = "$TRASH_DIRECTORY" &&
	test -z "${secret:-}"
'

test_done
