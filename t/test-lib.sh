# test-lib.sh: the shell test harness, in the manner of git's t/test-lib.sh.
#
# A test script sets test_description, sources this file, runs
# test_expect_success blocks and ends with test_done. It prints TAP.
# Each block runs in a subshell inside the script's own scratch directory
# ("trash directory"), so a failing block cannot disturb the next one;
# share state through files, not variables.
#
# The environment is made hermetic: HOME, TALLY_HOME and the XDG
# directories point into the trash directory, TZ is UTC, and workspace
# discovery stops at the trash directory's parent.

if test -z "${test_description:-}"; then
	echo "Bail out! test_description is not set" >&2
	exit 1
fi

: "${TALLY_BUILD_DIR:?TALLY_BUILD_DIR is not set (run through meson test)}"
: "${TALLY_SOURCE_DIR:?TALLY_SOURCE_DIR is not set}"

TEST_NAME=$(basename "$0" .sh)
TEST_DIRECTORY=$TALLY_SOURCE_DIR/t
TRASH_DIRECTORY=${TALLY_TEST_ROOT:-$TALLY_BUILD_DIR/t}/trash.$TEST_NAME
FIXTURES=$TEST_DIRECTORY/fixtures

rm -rf "$TRASH_DIRECTORY"
mkdir -p "$TRASH_DIRECTORY" || {
	echo "Bail out! cannot create $TRASH_DIRECTORY" >&2
	exit 1
}
cd "$TRASH_DIRECTORY" || exit 1

PATH=$TALLY_BUILD_DIR:$TALLY_BUILD_DIR/t:$PATH
# Where ./dev installed the official SDKs (before HOME is the trash's).
TALLY_SDK_DIR=${TALLY_SDK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tally-dev/sdk}
export TALLY_SDK_DIR
HOME=$TRASH_DIRECTORY
TALLY_HOME=$TRASH_DIRECTORY/.tally-data
TALLY_CEILING_DIRECTORIES=$(dirname "$TRASH_DIRECTORY")
TZ=UTC
LC_ALL=C.UTF-8
LANG=C.UTF-8
export PATH HOME TALLY_HOME TALLY_CEILING_DIRECTORIES TZ LC_ALL LANG
# The device of the test's data root, fixed so that rows compare whole;
# another TALLY_HOME makes its own (t2500 checks how).
TEST_DEVICE=d_00000000000000000001
mkdir -p "$TALLY_HOME" && chmod 700 "$TALLY_HOME" &&
	echo "$TEST_DEVICE" >"$TALLY_HOME/device-id" || exit 1
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME TALLY_CONFIG \
	TALLY_WORKSPACE TALLY_SESSION TALLY_NOW TALLY_TRACE_HTTP NO_COLOR \
	OPENAI_ADMIN_KEY ANTHROPIC_ADMIN_KEY OPENROUTER_API_KEY CLAUDE_CONFIG_DIR \
	CODEX_HOME PAGER TALLY_PAGER LESS OPENAI_BASE_URL ANTHROPIC_BASE_URL \
	GOOGLE_GEMINI_BASE_URL TALLY_PROXY_TOKEN 2>/dev/null

# The interpreter itself, not a wrapper script that runs it (pyenv's
# shims fork), so that $! of a background server is the server's pid.
PYTHON=$(python3 -c 'import sys; print(sys.executable)') || {
	echo "Bail out! python3 is missing" >&2
	exit 1
}

test_count=0
test_failures=0

# say <text>: a TAP comment, shown even from inside a passing test (whose
# own output is kept only when it fails). Collected in a file, not on an
# inherited descriptor, so that no background process of a test keeps the
# harness's pipe open.
say() {
	echo "# $*" >>"$TRASH_DIRECTORY/.say"
	if test -z "${IN_TEST:-}"; then
		cat "$TRASH_DIRECTORY/.say"
		rm -f "$TRASH_DIRECTORY/.say"
	fi
}

# test_expect_success [<prereq>] <title> <script>: with a prerequisite
# (see test_have_prereq) that does not hold, the test is reported as
# skipped, with the reason, instead of run.
test_expect_success() {
	if test "$#" = 3; then
		if ! test_have_prereq "$1"; then
			test_count=$((test_count + 1))
			echo "ok $test_count # SKIP $2 ($(prereq_reason "$1"))"
			return 0
		fi
		shift
	fi
	test "$#" = 2 || {
		echo "Bail out! test_expect_success needs 2 or 3 arguments" >&2
		exit 1
	}
	test_count=$((test_count + 1))
	out=$TRASH_DIRECTORY/.test-output
	rm -f "$TRASH_DIRECTORY/.say"
	# git's chain lint: run behind a failing "(exit 117) &&", a body
	# whose commands are all joined by && runs none of them and ends
	# with 117. Anything else means a link is missing, and a failure
	# before it would go unnoticed: the test fails without running.
	# What follows a missing link does run here, so a watchdog ends it
	# should it wait for something that never comes.
	(
		IN_TEST=1 &&
		cd "$TRASH_DIRECTORY" &&
		eval "(exit 117) && $2"
	) >/dev/null 2>&1 </dev/null &
	lint_pid=$!
	(sleep 10 && kill -9 "$lint_pid") >/dev/null 2>&1 </dev/null &
	dog_pid=$!
	wait "$lint_pid"
	lint_status=$?
	kill "$dog_pid" 2>/dev/null
	if test "$lint_status" != 117; then
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - $1"
		echo "$2" | sed 's/^/#	/'
		echo "# broken &&-chain: a command of this test is not joined by &&"
		return 0
	fi
	(
		IN_TEST=1 &&
		cd "$TRASH_DIRECTORY" &&
		eval "$2"
	) >"$out" 2>&1 </dev/null
	status=$?
	if test -f "$TRASH_DIRECTORY/.say"; then
		cat "$TRASH_DIRECTORY/.say"
		rm -f "$TRASH_DIRECTORY/.say"
	fi
	if test "$status" = 0; then
		echo "ok $test_count - $1"
	else
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - $1"
		echo "$2" | sed 's/^/#	/'
		echo "# output (exit $status):"
		sed 's/^/# /' "$out"
	fi
}

test_done() {
	echo "1..$test_count"
	fake_provider_stop
	unprivileged_cleanup
	if test "$test_failures" = 0; then
		cd / && rm -rf "$TRASH_DIRECTORY"
		exit 0
	fi
	echo "# failed $test_failures of $test_count"
	exit 1
}

# test_cmp <expected> <actual>
test_cmp() {
	diff -u "$1" "$2"
}

# test_must_fail <command>: fails unless the command exits 1..125.
test_must_fail() {
	"$@"
	status=$?
	if test "$status" = 0; then
		echo "test_must_fail: command succeeded: $*" >&2
		return 1
	fi
	if test "$status" -gt 125; then
		echo "test_must_fail: command died (status $status): $*" >&2
		return 1
	fi
	return 0
}

# test_expect_code <code> <command>
test_expect_code() {
	want=$1
	shift
	"$@"
	status=$?
	if test "$status" != "$want"; then
		echo "test_expect_code: expected $want, got $status: $*" >&2
		return 1
	fi
	return 0
}

# test_grep [-v] [grep options] <pattern> <file>: the file must exist,
# so that "-v" never passes for want of a file.
test_grep() {
	eval "file=\${$#}"
	if ! test -f "$file"; then
		echo "test_grep: no file '$file'" >&2
		return 1
	fi
	if test "$1" = "-v"; then
		shift
		if grep "$@"; then
			echo "test_grep: unexpected match: $*" >&2
			return 1
		fi
		return 0
	fi
	grep "$@" || {
		echo "test_grep: no match for '$*'; the file holds:" >&2
		sed 's/^/| /' "$file" >&2
		return 1
	}
}

# test_line_count (= | -lt | -ge ...) <n> <file>
test_line_count() {
	actual=$(wc -l <"$3")
	test "$actual" "$1" "$2" || {
		echo "test_line_count: $3 has $actual lines, expected $1 $2" >&2
		return 1
	}
}

# test_need <program>: fails, saying so, when the program is missing.
test_need() {
	command -v "$1" >/dev/null || {
		echo "$1 is not installed" >&2
		return 1
	}
}

# test_must_be_empty <file>: the file exists and is empty.
test_must_be_empty() {
	if ! test -f "$1"; then
		echo "test_must_be_empty: no file '$1'" >&2
		return 1
	fi
	if test -s "$1"; then
		echo "test_must_be_empty: '$1' is not empty:" >&2
		sed 's/^/| /' "$1" >&2
		return 1
	fi
}

# json_get <file> <python expression over `d`>: prints the value.
json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(json.dumps(v) if isinstance(v,(dict,list,tuple)) else v)' "$1" "$2"
}

# ledger: the profile ledger of the test's TALLY_HOME.
ledger() {
	echo "$TALLY_HOME/profile/usage-ledger.jsonl"
}

# Permission tests need a user that permissions apply to. As root, that
# is nobody (uid 65534), who must reach what it is given: the trash
# directory may lie in a private clone (mode 0700, as mktemp -d and root's
# home make it), so UNPRIV_DIR is a directory nobody can reach, with a
# copy of tally and a home of its own; tests put the files nobody works on
# there. Not as root, the tests' own user is unprivileged enough and
# UNPRIV_DIR is in the trash directory. The UNPRIV prerequisite says
# whether such a place exists (git's SANITY, in spirit).
unprivileged_setup() {
	if test "$(id -u)" != 0; then
		UNPRIV_DIR=$TRASH_DIRECTORY/unpriv
		mkdir -p "$UNPRIV_DIR/home" && UNPRIV_OK=yes
		return 0
	fi
	UNPRIV_OK=
	if ! command -v setpriv >/dev/null 2>&1; then
		UNPRIV_WHY="setpriv is missing"
		return 0
	fi
	UNPRIV_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tally-unpriv.XXXXXX") || {
		UNPRIV_WHY="no temporary directory"
		return 0
	}
	echo "$UNPRIV_DIR" >"$TRASH_DIRECTORY/.unpriv-dir"
	chmod 755 "$UNPRIV_DIR" &&
	mkdir -p "$UNPRIV_DIR/bin" "$UNPRIV_DIR/home" &&
	chmod 755 "$UNPRIV_DIR/bin" "$UNPRIV_DIR/home" &&
	cp "$TALLY_BUILD_DIR/tally" "$UNPRIV_DIR/bin/tally" &&
	chmod 755 "$UNPRIV_DIR/bin/tally" || {
		UNPRIV_WHY="cannot prepare $UNPRIV_DIR"
		return 0
	}
	if setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$UNPRIV_DIR/bin/tally" version >/dev/null 2>&1; then
		UNPRIV_OK=yes
	else
		UNPRIV_WHY="uid 65534 cannot run tally from $UNPRIV_DIR"
	fi
}

unprivileged_cleanup() {
	if test -f "$TRASH_DIRECTORY/.unpriv-dir"; then
		rm -rf "$(cat "$TRASH_DIRECTORY/.unpriv-dir")"
		rm -f "$TRASH_DIRECTORY/.unpriv-dir"
	fi
}

# test_have_prereq <name>: whether a prerequisite holds (UNPRIV, ROOT,
# SDK: the npm packages openai and @anthropic-ai/sdk that ./dev installs).
test_have_prereq() {
	case $1 in
	UNPRIV) test -n "$UNPRIV_OK" ;;
	ROOT) test "$(id -u)" = 0 ;;
	SDK) command -v node >/dev/null &&
		test -f "$TALLY_SDK_DIR/node_modules/openai/package.json" &&
		test -f "$TALLY_SDK_DIR/node_modules/@anthropic-ai/sdk/package.json" ;;
	*) echo "Bail out! unknown prerequisite $1" >&2; exit 1 ;;
	esac
}

prereq_reason() {
	case $1 in
	UNPRIV) echo "no unprivileged user can be used here: $UNPRIV_WHY" ;;
	ROOT) echo "needs root" ;;
	SDK) echo "the official SDKs are not in $TALLY_SDK_DIR: ./dev installs them with npm, which needs node and the npm registry" ;;
	esac
}

# run_unprivileged <command>: runs as an unprivileged user even when the
# tests run as root, so permission checks apply; tally is the copy in
# UNPRIV_DIR and HOME is nobody's own there.
run_unprivileged() {
	if test "$(id -u)" = 0; then
		HOME=$UNPRIV_DIR/home PATH=$UNPRIV_DIR/bin:$PATH \
			setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all "$@"
	else
		"$@"
	fi
}

# fake_provider_start <script.json>: starts the fake provider API and sets
# FAKE_URL (http://127.0.0.1:<port>) and FAKE_LOG (its request log). The
# server is stopped when the test script ends.
fake_provider_start() {
	rm -f "$TRASH_DIRECTORY/.fake-port"
	: >"$TRASH_DIRECTORY/fake.log"
	"$PYTHON" "$TEST_DIRECTORY/lib/fake-provider.py" "$1" \
		"$TRASH_DIRECTORY/.fake-port" "$TRASH_DIRECTORY/fake.log" &
	echo $! >>"$TRASH_DIRECTORY/.fake-pids"
	i=0
	while ! test -s "$TRASH_DIRECTORY/.fake-port"; do
		i=$((i + 1))
		test $i -gt 100 && { echo "the fake provider did not start" >&2; return 1; }
		sleep 0.05
	done
	FAKE_URL=http://127.0.0.1:$(cat "$TRASH_DIRECTORY/.fake-port")
	FAKE_LOG=$TRASH_DIRECTORY/fake.log
	export FAKE_URL FAKE_LOG
}

fake_provider_stop() {
	if test -f "$TRASH_DIRECTORY/.fake-pids"; then
		kill $(cat "$TRASH_DIRECTORY/.fake-pids") 2>/dev/null
		rm -f "$TRASH_DIRECTORY/.fake-pids"
	fi
}

# hold_lock <file>: takes an exclusive flock on <file> in a background
# process, as a writer would, and returns once it is held; the process
# (HOLD_PID) lives until killed or the script ends.
hold_lock() {
	rm -f "$TRASH_DIRECTORY/.held"
	"$PYTHON" -c '
import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(600)
' "$1" "$TRASH_DIRECTORY/.held" &
	HOLD_PID=$!
	echo $HOLD_PID >>"$TRASH_DIRECTORY/.fake-pids"
	i=0
	while ! test -e "$TRASH_DIRECTORY/.held"; do
		i=$((i + 1))
		test $i -gt 200 && { echo "hold_lock: no lock after 10 s" >&2; return 1; }
		sleep 0.05
	done
}

trap 'fake_provider_stop; unprivileged_cleanup' EXIT
unprivileged_setup
