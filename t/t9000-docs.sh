#!/bin/sh
test_description='every command has a manual page whose SYNOPSIS is its -h usage'
. ./test-lib.sh

DOC=$TALLY_SOURCE_DIR/Documentation

# The lines of the ``` block that follows "# SYNOPSIS".
synopsis_of() {
	awk '
		/^# SYNOPSIS/ { in_syn = 1; next }
		in_syn && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }
	' "$1"
}

# The usage lines of -h output, without "usage: " and "   or: ".
usage_of() {
	sed -n -e 's/^usage: //p' -e 's/^   or: //p'
}

test_expect_success 'tally(1) matches tally -h' '
	synopsis_of "$DOC/tally.1.scd" >expect &&
	tally -h | usage_of >actual &&
	test_cmp expect actual
'

test_expect_success 'each command has a page and its SYNOPSIS matches -h' '
	for cmd in $(tally --list-cmds); do
		page=$DOC/tally-$cmd.1.scd &&
		test -f "$page" || { echo "no page for $cmd" >&2; return 1; }
		synopsis_of "$page" >expect &&
		test -s expect &&
		tally $cmd -h | usage_of >actual &&
		test_cmp expect actual || { echo "in $page" >&2; return 1; }
	done
'

test_expect_success 'every page has the required sections' '
	for page in "$DOC"/*.scd; do
		for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" FILES EXAMPLES "SEE ALSO"; do
			case $page in
			*ledger.5.scd) test "$section" = "EXIT STATUS" && continue ;;
			esac
			grep -q "^# $section\$" "$page" || {
				echo "$page lacks $section" >&2
				return 1
			}
		done
		case $page in
		*ledger.5.scd) ;;
		*) grep -q "^# OPTIONS\$" "$page" || { echo "$page lacks OPTIONS" >&2; return 1; } ;;
		esac
	done
'

test_expect_success 'every long option of a command is documented on its page' '
	for cmd in $(tally --list-cmds); do
		for opt in $(tally $cmd --completion-helper | grep "^-" | sed "s/=\$//"); do
			grep -q -- "\*$opt\*" "$DOC/tally-$cmd.1.scd" || {
				echo "tally-$cmd.1.scd does not document $opt" >&2
				return 1
			}
		done
	done
'

test_expect_success 'every page lists the exit statuses it can return' '
	for page in "$DOC"/tally.1.scd "$DOC"/tally-*.1.scd; do
		sed -n "/^# EXIT STATUS/,/^# /p" "$page" | grep -q "^\*0\*" || {
			echo "$page: EXIT STATUS lacks 0" >&2
			return 1
		}
	done &&
	for code in 0 1 2 3 4 5 6; do
		sed -n "/^# EXIT STATUS/,/^# /p" "$DOC/tally.1.scd" | grep -q "^\*$code\*" || return 1
	done
'

test_expect_success 'contrib: the keys file names every key sync reads, the timer is not hasty' '
	C=$TALLY_SOURCE_DIR/contrib &&
	grep -o "[A-Z_]*_\(API\|ADMIN\)_KEY" "$DOC/tally-sync.1.scd" | sort -u >want &&
	test_line_count = 3 want &&
	sed -n "s/^\([A-Z_]*\)=.*/\1/p" "$C/keys.env.example" | sort >got &&
	test_cmp want got &&
	test_grep "^OnUnitActiveSec=10min$" "$C/tally-sync.timer" &&
	test_grep "^\*/10 \* \* \* \* tally sync" "$C/tally-sync.cron"
'

test_expect_success 'the pages build with scdoc' '
	test_need scdoc &&
	for page in "$DOC"/*.scd; do
		scdoc <"$page" >/dev/null || { echo "scdoc rejects $page" >&2; return 1; }
	done
'

test_done
