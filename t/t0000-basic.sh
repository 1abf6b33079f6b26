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

test_expect_success 'test_grep -v and test_must_be_empty need the file' '
	! test_grep -v c no-such-file 2>/dev/null &&
	! test_must_be_empty no-such-file 2>/dev/null &&
	: >empty &&
	test_must_be_empty empty
'

# A script of its own, run by the harness as any other.
cat >t9999-chain.sh <<EOF
test_description="a broken chain"
. "$TEST_DIRECTORY/test-lib.sh"
test_expect_success "joined" "
	true &&
	true
"
test_expect_success "a link is missing" "
	false
	true
"
test_expect_success "a background job, braced" "
	{ sleep 0 & } &&
	wait
"
test_expect_success "after the missing link, a wait that never ends" "
	true
	while :; do sleep 1; done
"
test_done
EOF

test_expect_success 'a test with a missing && fails without running, even one that would hang' '
	test_expect_code 1 sh ./t9999-chain.sh >out &&
	test_grep "^ok 1 - joined" out &&
	test_grep "^not ok 2 - a link is missing" out &&
	test_grep "^ok 3 - a background job, braced" out &&
	test_grep "^not ok 4 - after the missing link" out &&
	test_grep -c "broken &&-chain" out >n &&
	echo 2 >expect &&
	test_cmp expect n
'

test_done
