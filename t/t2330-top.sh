#!/bin/sh
test_description='tally top: the live view, one frame, JSON and the screen'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

# Each tmux test has a server of its own: one still going away would
# take the next test's session with it.
sock=tally-top-0
next_sock() {
	sock=tally-top-$(( ${sock#tally-top-} + 1 ))
}

# wait_pane <regex>: until the tmux pane shows a line matching it.
wait_pane() {
	n=0
	until tmux -L $sock capture-pane -p | grep -q -- "$1"; do
		n=$((n + 1))
		if test $n -ge 100; then
			echo "the pane never showed $1; it holds:" >&2
			tmux -L $sock capture-pane -p >&2
			return 1
		fi
		sleep 0.1
	done
}

test_expect_success 'setup: a session, a failed and a throttled request, a budget' '
	TALLY_SESSION=s1 tally record -q -p openai -m gpt-4o --started-at 2026-11-24T11:58:00Z \
		--input-tokens 40000 --output-tokens 10000 --cost 0.25 --latency-ms 800 --ttft-ms 200 &&
	TALLY_SESSION=s1 tally record -q -p anthropic -m claude-x --started-at 2026-11-24T11:59:30Z \
		--input-tokens 10000 --output-tokens 2000 --estimated-cost 0.07 --latency-ms 2000 --ttft-ms 600 \
		--throttle-wait-ms 1500 &&
	TALLY_SESSION=s1 tally record -q -p openai -m gpt-4o --started-at 2026-11-24T11:57:00Z \
		--status failed --http-status 500 --latency-ms 100 &&
	TALLY_SESSION=s0 tally record -q -p openai -m gpt-4o --started-at 2026-11-24T08:00:00Z \
		--input-tokens 100 --output-tokens 0 --cost 0.01 &&
	tally config set monthly_cost_budget_usd 1
'

test_expect_success '--once: one frame with every part' '
	TALLY_SESSION=s1 tally top --once >out &&
	test_grep "^tally top · profile · 2026-11-24 12:00:00 · every 1.0 s\$" out &&
	test_grep "^session   62.0k  ~\$0.3200         3\$" out &&
	test_grep "^today     62.1k  ~\$0.3300         4\$" out &&
	test_grep "^block     08:00-13:00 · 1h00m left · ~\$0.0827/h · at its end 77.6k tok ~\$0.4127\$" out &&
	test_grep "^rate      last 1 min: 12.0k tok/min, 1.0 req/min · last 5 min: 12.4k tok/min, 0.6 req/min\$" out &&
	test_grep "^latency   p50 800 ms, p95 2000 ms · first token p50 200 ms, p95 600 ms (last 5 min)\$" out &&
	test_grep "^errors    1 failed · 1 throttled, 1500 ms waited (last 5 min)\$" out &&
	test_grep "^  monthly (all)  .*  33%  under\$" out &&
	test_grep "^  11:59:30  anthropic  claude-x  12.0k tok  ~\$0.0700  2000 ms\$" out &&
	test_grep "^  11:57:00  openai     gpt-4o        0 tok         -  failed\$" out
'

test_expect_success 'a block limit: when the pace reaches it, in the frame and the JSON' '
	TALLY_SESSION=s1 tally -c block_token_limit=70000 top --once >out &&
	test_grep "^block     08:00-13:00 · 1h00m left · .* · limit in 30m\$" out &&
	TALLY_SESSION=s1 tally -c block_token_limit=70000 top --json --once >lim.json &&
	test "$(json_get lim.json "d[\"block\"][\"tokenLimit\"][\"minutesToLimit\"]")" = 30 &&
	TALLY_SESSION=s1 tally -c block_token_limit=5000 top --once >out &&
	test_grep "^block     .* · limit reached\$" out
'

test_expect_success 'the latest requests come newest first' '
	sed -n "/^latest requests/,\$p" out | sed -n "2,5p" | cut -c3-10 >times &&
	printf "%s\n" 11:59:30 11:58:00 11:57:00 08:00:00 >expect &&
	test_cmp expect times
'

test_expect_success '--json --once: one snapshot' '
	TALLY_SESSION=s1 tally top --json --once >snap.json &&
	test_line_count = 1 snap.json &&
	test "$(json_get snap.json "d[\"sessionTotals\"][\"totalTokens\"]")" = 62000 &&
	test "$(json_get snap.json "d[\"lastFiveMinutes\"][\"requests\"]")" = 3 &&
	test "$(json_get snap.json "d[\"lastFiveMinutes\"][\"failed\"]")" = 1 &&
	test "$(json_get snap.json "d[\"lastFiveMinutes\"][\"latencyMs\"][\"p95\"]")" = 2000 &&
	test "$(json_get snap.json "d[\"lastMinute\"][\"tokens\"]")" = 12000 &&
	test "$(json_get snap.json "d[\"budgets\"][0][\"percent\"]")" = 33 &&
	test "$(json_get snap.json "d[\"latest\"][0][\"modelId\"]")" = claude-x &&
	test "$(json_get snap.json "d[\"block\"][\"startAt\"]")" = 1795507200000
'

test_expect_success 'hostile names from the ledger are shown harmless' '
	mkdir -p h2 &&
	TALLY_HOME=$PWD/h2 tally record -q -p openai -m "$(printf "evil\033[2Jmodel")" \
		--started-at 2026-11-24T11:59:00Z --input-tokens 5 --output-tokens 5 &&
	TALLY_HOME=$PWD/h2 tally top --once >out &&
	! grep -q "$(printf "\033")" out &&
	test_grep "evil?\\[2Jmodel" out
'

test_expect_success 'usage errors' '
	test_expect_code 2 tally top -d 0 --once 2>err &&
	test_grep "not a number of seconds" err &&
	test_expect_code 2 tally top -d abc --once 2>err &&
	test_expect_code 2 tally top -d 5000 --once 2>err &&
	test_expect_code 2 tally top --scope nope --once 2>err &&
	test_grep "not workspace, profile or all" err &&
	test_expect_code 2 tally top </dev/null >out 2>err &&
	test_grep "use --once or --json" err &&
	test_expect_code 2 tally top --once extra 2>err
'

test_expect_success 'an unreadable ledger: exit 6' '
	mkdir -p h3/profile &&
	mkdir h3/profile/usage-ledger.jsonl &&
	test_expect_code 6 env TALLY_HOME=$PWD/h3 tally top --once 2>err &&
	test_grep "^tally: " err
'

# --json follows the ledger: start it, then record.
TALLY_SESSION=s1 tally top --json -d 0.1 >stream.json 2>stream.err &
echo $! >top.pid
while ! test -s stream.json; do sleep 0.1; done

# wait_snapshot <tokens>: until the follower's latest snapshot counts
# that many session tokens; that snapshot is then in last.json.
wait_snapshot() {
	n=0
	until tail -n 1 stream.json >last.json &&
	      test "$(json_get last.json "d[\"sessionTotals\"][\"totalTokens\"]")" = "$1"
	do
		n=$((n + 1))
		test $n -lt 100 || return 1
		sleep 0.1
	done
}

test_expect_success '--json: a snapshot per refresh, new rows in the next one' '
	TALLY_SESSION=s1 tally record -q -p openai -m gpt-4o --started-at 2026-11-24T11:59:50Z \
		--input-tokens 7 --output-tokens 3 --latency-ms 50 &&
	wait_snapshot 62010 &&
	test "$(json_get last.json "d[\"latest\"][0][\"tokens\"]")" = 10 &&
	test "$(json_get last.json "d[\"lastFiveMinutes\"][\"requests\"]")" = 4
'

test_expect_success '--json: a ledger rewritten under it (compact) counts nothing twice' '
	tally compact >/dev/null &&
	TALLY_SESSION=s1 tally record -q -p openai -m gpt-4o --started-at 2026-11-24T11:59:55Z \
		--input-tokens 1 --output-tokens 1 &&
	wait_snapshot 62012 &&
	test "$(json_get last.json "d[\"lastFiveMinutes\"][\"requests\"]")" = 5 &&
	test "$(json_get last.json "d[\"latest\"][0][\"tokens\"]")" = 2
'
kill "$(cat top.pid)" 2>/dev/null
wait

test_expect_success 'SIGTERM ends --json quietly' '
	test_must_be_empty stream.err
'

next_sock
test_expect_success 'the screen: draws, pauses, switches scope, resizes, quits' '
	test_need tmux &&
	tmux -L $sock -f /dev/null new-session -d -x 100 -y 40 \
		"TALLY_SESSION=s1 TERM=xterm-256color tally top -d 0.2; echo EXIT=\$?; sleep 30" &&
	wait_pane "^tally top · profile" &&
	wait_pane "^session   62.0k" &&
	tmux -L $sock capture-pane -p -e >screen &&
	grep -q "$(printf "\033\\[36m")" screen &&
	tmux -L $sock send-keys p &&
	wait_pane "paused (p goes on)" &&
	tmux -L $sock send-keys s &&
	wait_pane "^tally top · all · .* paused" &&
	tmux -L $sock send-keys h &&
	wait_pane "^  s  switch scope" &&
	tmux -L $sock resize-window -x 50 -y 12 &&
	wait_pane "^tally top · all · 2026-11-24 12:00:00 · paused (p\$" &&
	test "$(tmux -L $sock capture-pane -p | grep -c "^tally top")" = 1 &&
	tmux -L $sock send-keys q &&
	wait_pane "^EXIT=0" &&
	! tmux -L $sock capture-pane -p | grep -q "^tally top" &&
	tmux -L $sock kill-server
'

cat >run-top.sh <<EOF
echo \$\$ >"$PWD/screen.pid"
TALLY_SESSION=s1 TERM=xterm-256color exec tally top -d 0.2
EOF

next_sock
test_expect_success 'the screen: new rows appear, SIGTERM restores the terminal' '
	test_need tmux &&
	tmux -L $sock -f /dev/null new-session -d -x 100 -y 40 \
		"sh $PWD/run-top.sh; echo EXIT=\$?; sleep 30" &&
	wait_pane "^session   62.0k" &&
	TALLY_SESSION=s1 tally record -q -p openai -m newmodel --started-at 2026-11-24T11:59:55Z \
		--input-tokens 1000 --output-tokens 0 &&
	wait_pane "^  11:59:55  openai     newmodel" &&
	kill -TERM "$(cat screen.pid)" &&
	wait_pane "^EXIT=0" &&
	! tmux -L $sock capture-pane -p | grep -q "^tally top" &&
	tmux -L $sock kill-server
'

next_sock
test_expect_success 'NO_COLOR and a plain locale: ASCII bars, no colour' '
	test_need tmux &&
	tmux -L $sock -f /dev/null new-session -d -x 100 -y 40 \
		"TALLY_SESSION=s1 NO_COLOR=1 LC_ALL=C TERM=xterm-256color tally top -d 0.2; sleep 30" &&
	wait_pane "^  monthly (all)  ######" &&
	tmux -L $sock capture-pane -p -e >screen &&
	! grep -q "$(printf "\033\\[3[0-7]m")" screen &&
	test_grep "tally top - profile" screen &&
	tmux -L $sock kill-server
'

test_done
