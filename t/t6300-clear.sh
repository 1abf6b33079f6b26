#!/bin/sh
test_description='tally clear: one scope removed for good, nothing else'
. ./test-lib.sh

ws_id() {
	printf "%s" "$(cd "$1" && pwd -P)" | sha256sum | cut -c1-16
}

# on_tty <answer> <command>...: runs the command with a terminal as its
# standard input, typing <answer> and Enter at the prompt; prints what it
# wrote and exits with its status.
cat >on-tty.py <<'PY'
import os, pty, sys
answer = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b""
sent = False
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if not sent and b"[y/N]" in out:
        os.write(fd, answer.encode() + b"\n")
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
on_tty() {
	python3 "$TRASH_DIRECTORY/on-tty.py" "$@"
}

test_expect_success 'set-up: a profile and two workspaces with data' '
	tally record -q -p openai -m m --input-tokens 1 &&
	mkdir -p a/.git b/.git &&
	(cd a && tally record -q -p openai -m m --input-tokens 2 && tally summary >/dev/null) &&
	(cd b && tally record -q -p openai -m m --input-tokens 3) &&
	mkdir "$TALLY_HOME/workspaces/$(ws_id a)/import-state" &&
	echo "{}" >"$TALLY_HOME/workspaces/$(ws_id a)/import-state/claude-code.json" &&
	echo "garbage" >"$TALLY_HOME/workspaces/$(ws_id a)/usage-ledger.rejected.jsonl" &&
	find "$TALLY_HOME" -type f | sort >all-before
'

test_expect_success '--dry-run lists the files and removes nothing' '
	(cd a && tally clear -n) >out &&
	dir=$TALLY_HOME/workspaces/$(ws_id a) &&
	test_grep "^$dir/usage-ledger.jsonl$" out &&
	test_grep "^$dir/usage-summary.json$" out &&
	test_grep "^$dir/import-state$" out &&
	test_grep "^$dir/usage-ledger.rejected.jsonl$" out &&
	test_grep "^$dir/workspace.json$" out &&
	test_grep -v "usage-ledger.lock" out &&
	find "$TALLY_HOME" -type f | sort >now &&
	test_cmp all-before now
'

test_expect_success 'without a terminal and without --yes: refused, exit 2' '
	(cd a && test_expect_code 2 tally clear </dev/null) 2>err &&
	test_grep "refusing to clear without --yes" err &&
	find "$TALLY_HOME" -type f | sort >now &&
	test_cmp all-before now
'

test_expect_success 'on a terminal, anything but y keeps everything (exit 1)' '
	(cd a && test_expect_code 1 on_tty n tally clear) >out &&
	test_grep "Remove the .* files of the workspace scope in .* for good? \[y/N\]" out &&
	test_grep "tally: nothing cleared" out &&
	(cd a && test_expect_code 1 on_tty "" tally clear) >out &&
	find "$TALLY_HOME" -type f | sort >now &&
	test_cmp all-before now
'

test_expect_success 'on a terminal, y removes the workspace scope and only it' '
	(cd a && on_tty y tally clear) >out &&
	test_grep "^removed [0-9]* files* from $TALLY_HOME/workspaces/$(ws_id a)" out &&
	ls -A "$TALLY_HOME/workspaces/$(ws_id a)" >left &&
	echo usage-ledger.lock >expect &&
	test_cmp expect left &&
	test -s "$TALLY_HOME/workspaces/$(ws_id b)/usage-ledger.jsonl" &&
	test -s "$(ledger)" &&
	(cd b && tally log --porcelain) >b.log &&
	test_line_count = 1 b.log &&
	tally log --porcelain >p.log &&
	test_line_count = 1 p.log
'

test_expect_success '--yes for scripts; --scope profile from inside a workspace' '
	(cd b && tally clear --scope profile --yes </dev/null) >out &&
	ls -A "$TALLY_HOME/profile" >left &&
	echo usage-ledger.lock >expect &&
	test_cmp expect left &&
	test -s "$TALLY_HOME/workspaces/$(ws_id b)/usage-ledger.jsonl" &&
	tally log --porcelain >p.log &&
	test_must_be_empty p.log
'

test_expect_success 'nothing to clear: exit 0 with a note' '
	tally clear --yes >out 2>err &&
	test_must_be_empty out &&
	test_grep "nothing to clear" err
'

test_expect_success 'a scope directory that is a symbolic link is refused' '
	mkdir -p elsewhere &&
	echo precious >elsewhere/usage-ledger.jsonl &&
	rm -rf "$TALLY_HOME/profile" &&
	ln -s "$PWD/elsewhere" "$TALLY_HOME/profile" &&
	test_expect_code 6 tally clear --yes 2>err &&
	test_grep "refusing to clear .*: it is not a directory" err &&
	test "$(cat elsewhere/usage-ledger.jsonl)" = precious &&
	rm "$TALLY_HOME/profile"
'

test_expect_success 'symbolic links inside the scope are removed, never followed' '
	tally record -q -p openai -m m --input-tokens 1 &&
	mkdir -p target && echo keep >target/file &&
	ln -s "$PWD/target" "$TALLY_HOME/profile/import-state" &&
	ln -s "$PWD/target/file" "$TALLY_HOME/profile/usage-ledger.rejected.jsonl" &&
	tally clear --yes >/dev/null &&
	ls -A "$TALLY_HOME/profile" >left &&
	echo usage-ledger.lock >expect &&
	test_cmp expect left &&
	test "$(cat target/file)" = keep
'

test_expect_success 'a held lock: exit 6 after lock_timeout_ms, nothing removed' '
	tally record -q -p openai -m m --input-tokens 1 &&
	find "$TALLY_HOME/profile" -type f | sort >before &&
	hold_lock "$TALLY_HOME/profile/usage-ledger.lock" &&
	test_expect_code 6 tally -c lock_timeout_ms=200 clear --yes 2>err &&
	kill $HOLD_PID &&
	test_grep "locked" err &&
	find "$TALLY_HOME/profile" -type f | sort >after &&
	test_cmp before after
'

test_expect_success 'clear waits for the lock rather than cut a writer short' '
	tally record -q -p openai -m m --input-tokens 1 &&
	hold_lock "$TALLY_HOME/profile/usage-ledger.lock" &&
	{ (sleep 0.3 && kill $HOLD_PID) & } &&
	tally clear --yes >out &&
	test_grep "^removed" out &&
	ls -A "$TALLY_HOME/profile" >left &&
	echo usage-ledger.lock >expect &&
	test_cmp expect left
'

test_expect_success 'bad usage' '
	test_expect_code 2 tally clear --scope team --yes 2>err &&
	test_grep "expects workspace or profile, not .team." err &&
	test_expect_code 2 tally clear --scope workspace --yes 2>err &&
	test_grep "not in a workspace" err &&
	test_expect_code 2 tally clear now 2>err &&
	test_grep "unexpected argument" err
'

test_done
