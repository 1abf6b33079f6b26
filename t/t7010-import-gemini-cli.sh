#!/bin/sh
test_description='tally import gemini-cli: Gemini CLI chats, incrementally'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
GC=$FIXTURES/gemini-cli
SHOP=$GC/tmp/3f1a9c0e5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468
CHAT=$SHOP/chats/session-2026-11-20T10-00-7c1e9a2b.jsonl

# rows: "model input output cacheRead reasoning tool session project",
# one per entry, in ledger order.
rows() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(e["modelId"], e["billedInputTokens"], e["billedOutputTokens"],
          e.get("cacheReadTokens", 0), e.get("reasoningTokens", 0),
          e.get("toolTokens", 0), e["sessionResource"],
          e.get("tags", {}).get("project", "-"), e["providerId"], e["source"])
' "$1"
}

test_expect_success 'every case of the fixtures, figures as worked out by hand' '
	tally import gemini-cli "$GC" >out &&
	test_grep "^gemini-cli: 3 files (0 unchanged), 18 lines read: 5 entries added, 0 updated, 1 duplicate; skipped 10 without usage, 1 malformed, 1 with zero usage$" out &&
	rows "$(ledger)" | sort >actual &&
	cat >expect <<-\EOF &&
	gemini-2.5-flash 10035 218 0 130 25 gemini-cli:7c1e9a2b-4f5d-4c3e-9a8b-1d2e3f4a5b6c /home/dev/shop gemini import:gemini-cli
	gemini-2.5-flash 3000 250 0 50 0 gemini-cli:d2b7c6a1-0e9f-4a8b-b7c6-5d4e3f2a1b0c /home/dev/shop gemini import:gemini-cli
	gemini-2.5-pro 1500 300 1024 0 0 gemini-cli:aa55bb66-1c2d-4e3f-8a9b-0c1d2e3f4a5b - gemini import:gemini-cli
	gemini-2.5-pro 8123 1067 6144 655 0 gemini-cli:7c1e9a2b-4f5d-4c3e-9a8b-1d2e3f4a5b6c /home/dev/shop gemini import:gemini-cli
	gemini-2.5-pro 9544 1203 8192 0 0 gemini-cli:7c1e9a2b-4f5d-4c3e-9a8b-1d2e3f4a5b6c /home/dev/shop gemini import:gemini-cli
	EOF
	test_cmp expect actual &&
	tally summary --since 2026-11-01 --json >s.json &&
	test "$(json_get s.json "[d[k] for k in (\"requests\", \"inputTokens\", \"outputTokens\", \"cacheReadTokens\", \"reasoningTokens\")]")" = \
		"[5, 32202, 3038, 15360, 835]"
'

test_expect_success 'priced from the table: Gemini prices, nothing unpriced' '
	test "$(json_get s.json "d[\"unpricedCount\"]")" = 0 &&
	test "$(json_get s.json "d[\"estimatedCostUsd\"] > 0")" = True
'

test_expect_success 'a second run over unchanged chats reads nothing and adds nothing' '
	cp "$(ledger)" before &&
	tally import gemini-cli "$GC" --json >again.json &&
	test "$(json_get again.json "[d[k] for k in (\"files\", \"filesUnchanged\", \"bytesRead\", \"lines\", \"added\", \"updated\")]")" = \
		"[3, 3, 0, 0, 0, 0]" &&
	test_cmp before "$(ledger)"
'

test_expect_success 'a grown chat: its session kept from the first run, new versions count once' '
	mkdir -p grow/tmp/p/chats &&
	head -n 5 "$CHAT" >grow/tmp/p/chats/s.jsonl &&
	TALLY_HOME=$PWD/g tally import gemini-cli grow --json >1.json &&
	test "$(json_get 1.json "[d[\"lines\"], d[\"added\"]]")" = "[5, 1]" &&
	sed -n "6,10p" "$CHAT" >>grow/tmp/p/chats/s.jsonl &&
	TALLY_HOME=$PWD/g tally import gemini-cli grow --json >2.json &&
	test "$(json_get 2.json "[d[\"lines\"], d[\"added\"], d[\"duplicates\"], d[\"filesReadAgain\"]]")" = "[5, 2, 1, 0]" &&
	rows g/profile/usage-ledger.jsonl | cut -d" " -f7 | sort -u >sessions &&
	echo gemini-cli:7c1e9a2b-4f5d-4c3e-9a8b-1d2e3f4a5b6c >expect &&
	test_cmp expect sessions
'

test_expect_success 'a chat rewritten from its start is read again, nothing doubled' '
	cp "$CHAT" grow/tmp/p/chats/s.jsonl.new &&
	mv grow/tmp/p/chats/s.jsonl.new grow/tmp/p/chats/s.jsonl &&
	TALLY_HOME=$PWD/g tally import gemini-cli grow --json >3.json &&
	test "$(json_get 3.json "[d[\"filesReadAgain\"], d[\"added\"]]")" = "[1, 0]" &&
	test_line_count = 3 g/profile/usage-ledger.jsonl
'

test_expect_success 'a deleted chat: what was imported stays' '
	rm grow/tmp/p/chats/s.jsonl &&
	TALLY_HOME=$PWD/g tally import gemini-cli grow --json >4.json &&
	test "$(json_get 4.json "[d[\"files\"], d[\"added\"]]")" = "[0, 0]" &&
	test_line_count = 3 g/profile/usage-ledger.jsonl
'

test_expect_success 'the same chat in two places (a copy, a backup) counts once' '
	mkdir -p two/a/tmp/p/chats two/b/tmp/p/chats &&
	cp "$CHAT" two/a/tmp/p/chats/s.jsonl &&
	cp "$CHAT" two/b/tmp/p/chats/s.jsonl &&
	TALLY_HOME=$PWD/t2 tally import gemini-cli two/a two/b --json >t.json &&
	test "$(json_get t.json "[d[\"added\"], d[\"duplicates\"]]")" = "[3, 5]"
'

test_expect_success 'default place: GEMINI_CLI_HOME, else the home directory' '
	mkdir -p gh/.gemini/tmp/p/chats &&
	cp "$CHAT" gh/.gemini/tmp/p/chats/s.jsonl &&
	GEMINI_CLI_HOME=$PWD/gh TALLY_HOME=$PWD/d1 tally import gemini-cli --json >d1.json &&
	test "$(json_get d1.json "d[\"added\"]")" = 3 &&
	HOME=$PWD/gh TALLY_HOME=$PWD/d2 tally import gemini-cli --json >d2.json &&
	test "$(json_get d2.json "d[\"added\"]")" = 3
'

test_expect_success 'hostile chats: wrong types, absurd counts, a lying .project_root' '
	mkdir -p bad/tmp/p/chats &&
	ln -s /etc/hostname bad/tmp/p/.project_root &&
	cat >bad/tmp/p/chats/s.jsonl <<-\EOF &&
	{"sessionId":"s-1","projectHash":"p"}
	{"id":"a","timestamp":"2026-11-20T10:00:00Z","type":"gemini","model":"gemini-2.5-pro","tokens":{"input":"100","output":5}}
	{"id":"b","timestamp":"2026-11-20T10:00:00Z","type":"gemini","model":"gemini-2.5-pro","tokens":{"input":-4,"output":5}}
	{"id":"c","timestamp":"2026-11-20T10:00:00Z","type":"gemini","model":"gemini-2.5-pro","tokens":{"input":1e300,"output":5}}
	{"id":"d","timestamp":"yesterday","type":"gemini","model":"gemini-2.5-pro","tokens":{"input":1,"output":5}}
	{"id":"e","timestamp":"2026-11-20T10:00:00Z","type":"gemini","tokens":{"input":7,"output":3}}
	{"id":["x"],"timestamp":"2026-11-20T10:00:00Z","type":"gemini","tokens":{"input":7,"output":3}}
	[1,2,3]
	EOF
	TALLY_HOME=$PWD/b tally import gemini-cli bad >out &&
	test_grep "1 entry added" out &&
	test_grep "5 malformed" out &&
	test_grep "1 incomplete" out &&
	rows b/profile/usage-ledger.jsonl >actual &&
	echo "unknown 7 3 0 0 0 gemini-cli:s-1 - gemini import:gemini-cli" >expect &&
	test_cmp expect actual
'

test_expect_success 'older chats, one JSON document each, and one resumed as .jsonl' '
	OLD=$FIXTURES/gemini-cli-json &&
	TALLY_HOME=$PWD/old tally import gemini-cli "$OLD" >old.out 2>old.err &&
	test_grep "^gemini-cli: 3 files (0 unchanged), 12 lines read: 3 entries added, 0 updated, 2 duplicates; skipped 7 without usage$" old.out &&
	TALLY_HOME=$PWD/old tally summary --since 2025-01-01 --json >old.json &&
	test "$(json_get old.json "[d[k] for k in (\"requests\", \"inputTokens\", \"outputTokens\", \"cacheReadTokens\", \"reasoningTokens\")]")" = "[3, 15264, 1282, 11264, 612]" &&
	TALLY_HOME=$PWD/old tally summary --since 2025-01-01 --by tag:project --json >oldp.json &&
	test "$(json_get oldp.json "[g[\"tag:project\"] for g in d[\"groups\"]]")" = "[\"/home/dev/legacy\"]"
'

test_expect_success 'an older chat written again whole: its new message only' '
	mkdir -p oldgrow/tmp/p/chats &&
	cp "$FIXTURES"/gemini-cli-json/tmp/*/chats/*.json oldgrow/tmp/p/chats/c.json &&
	TALLY_HOME=$PWD/og tally import gemini-cli oldgrow >/dev/null 2>&1 &&
	python3 -c "
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d[\"messages\"].append({\"id\": \"7c5f\", \"timestamp\": \"2025-10-02T15:00:00Z\", \"type\": \"gemini\",
    \"tokens\": {\"input\": 10, \"output\": 5, \"cached\": 0, \"thoughts\": 0, \"tool\": 0, \"total\": 15}})
json.dump(d, open(p, \"w\"), indent=2)
" oldgrow/tmp/p/chats/c.json &&
	TALLY_HOME=$PWD/og tally import gemini-cli oldgrow --json >og.json 2>/dev/null &&
	test "$(json_get og.json "[d[\"filesReadAgain\"], d[\"added\"], d[\"duplicates\"]]")" = "[1, 1, 2]" &&
	echo "[1, 2]" >oldgrow/tmp/p/chats/c.json &&
	TALLY_HOME=$PWD/og tally import gemini-cli oldgrow --json >bad.json 2>/dev/null &&
	test "$(json_get bad.json "d[\"skipped\"][\"malformed\"]")" = 1
'

test_expect_success '--list: every agent, where it looks, what is there' '
	mkdir -p home/.gemini/tmp/p/chats home/.claude &&
	cp "$CHAT" home/.gemini/tmp/p/chats/s.jsonl &&
	HOME=$PWD/home tally import --list >out &&
	test_grep "^AGENT  *PLACE  *LOGS\$" out &&
	test_grep "^gemini-cli  *$PWD/home/.gemini/tmp  *1\$" out &&
	test_grep "^claude-code  *$PWD/home/.config/claude/projects  *none there\$" out &&
	test_grep "^codingbuddy  *(no default place: name its logs)" out &&
	HOME=$PWD/home tally import --list --json >l.json &&
	test "$(json_get l.json "[(a[\"agent\"], [p[\"files\"] for p in a[\"places\"] if p[\"exists\"]]) for a in d]")" = \
		"[[\"amp\", []], [\"claude-code\", []], [\"codex\", []], [\"codingbuddy\", []], [\"copilot-cli\", []], [\"gemini-cli\", [1]], [\"goose\", []], [\"opencode\", []], [\"qwen-code\", []]]"
'

test_expect_success '--all: every agent found, for a cron line; again, nothing new' '
	mkdir -p home/.claude/projects &&
	cp -r "$FIXTURES/claude-code/projects/-home-dev-shop" home/.claude/projects/ &&
	HOME=$PWD/home TALLY_HOME=$PWD/all tally import --all >out &&
	test_grep "^claude-code: .* entries added" out &&
	test_grep "^gemini-cli: 1 file (0 unchanged), 14 lines read: 3 entries added" out &&
	test_line_count = 2 out &&
	HOME=$PWD/home TALLY_HOME=$PWD/all tally import --all --json >again.json &&
	test "$(json_get again.json "[(r[\"agent\"], r[\"added\"], r[\"filesUnchanged\"]) for r in d]")" = \
		"[[\"claude-code\", 0, 3], [\"gemini-cli\", 0, 1]]"
'

test_expect_success '--all goes on past an agent that fails, and exits with its status' '
	mkdir -p "$PWD/all2/profile/import-state" &&
	hold_lock "$PWD/all2/profile/import-state/claude-code.lock" &&
	HOME=$PWD/home TALLY_HOME=$PWD/all2 test_expect_code 6 \
		tally -c lock_timeout_ms=200 import --all >out 2>err &&
	kill $HOLD_PID &&
	test_grep "^tally: claude-code: .*locked" err &&
	test_grep "^gemini-cli: .* 3 entries added" out
'

test_expect_success 'contrib: the daily timer and cron line run --all into the profile' '
	C=$TALLY_SOURCE_DIR/contrib &&
	test_grep "^OnUnitActiveSec=1d$" "$C/tally-import.timer" &&
	cmd=$(sed -n "s|^ExecStart=/usr/local/bin/tally ||p" "$C/tally-import.service") &&
	test "$cmd" = "--profile import --all" &&
	mkdir -p ws/.git &&
	(cd ws && HOME=$PWD/../home TALLY_HOME=$PWD/../timer tally $cmd >../out) &&
	test_grep "^gemini-cli: .* 3 entries added" out &&
	test -s timer/profile/usage-ledger.jsonl &&
	test_grep "tally --profile import --all" "$C/tally-import.cron"
'

test_expect_success '--all with nothing found says where to look' '
	mkdir -p empty &&
	HOME=$PWD/empty tally import --all >out 2>err &&
	test_must_be_empty out &&
	test_grep "no agent.s logs are in their default places (tally import --list" err
'

test_expect_success '--list and --all take no agent' '
	test_expect_code 2 tally import --list gemini-cli 2>err &&
	test_grep "list takes no agent" err &&
	test_expect_code 2 tally import --all codex 2>err &&
	test_grep "all imports every agent: name none" err &&
	test_expect_code 2 tally import 2>err &&
	test_grep "import needs an agent: amp, claude-code, codex, codingbuddy, copilot-cli, gemini-cli, goose, opencode or qwen-code, or --all" err
'

test_done
