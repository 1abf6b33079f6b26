#!/bin/sh
test_description='tally import opencode: its SQLite database and older JSON files'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
OC=$FIXTURES/opencode

# make_db <dir> [<journal mode>]: opencode.db from the fixture's SQL.
make_db() {
	mkdir -p "$1" &&
	python3 - "$1/opencode.db" "$OC/opencode.sql" "${2:-wal}" <<-\EOF
	import sqlite3, sys
	c = sqlite3.connect(sys.argv[1])
	c.execute("PRAGMA journal_mode=" + sys.argv[3])
	c.executescript(open(sys.argv[2]).read())
	c.commit()
	c.close()
	EOF
}

# rows <ledger>: "provider model input output cacheRead cacheWrite
# reasoning status session project priceId", sorted.
rows() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(e["providerId"], e["modelId"], e["billedInputTokens"],
          e["billedOutputTokens"], e.get("cacheReadTokens", 0),
          e.get("cacheWriteTokens", 0), e.get("reasoningTokens", 0),
          e["status"], e["sessionResource"],
          e.get("tags", {}).get("project", "-"), e.get("priceId", "-").split("@")[0])
' "$1" | sort
}

test_expect_success 'setup: the database, in WAL mode as OpenCode keeps it, and the old files' '
	make_db oc &&
	cp -r "$OC/storage" oc/
'

test_expect_success 'every message of both, figures as worked out by hand' '
	tally import opencode oc >out &&
	test_grep "^opencode: 3 files (0 unchanged), 9 lines read: 5 entries added, 0 updated, 0 duplicates; skipped 2 without usage, 1 malformed, 1 with zero usage$" out &&
	rows "$(ledger)" >actual &&
	cat >expect <<-\EOF &&
	anthropic claude-sonnet-4-20250514 2500 150 0 500 0 completed opencode:ses_L1a2b3c4d5e6f /home/dev/blog opencode:cost
	anthropic claude-sonnet-4-5 12052 94 8192 0 17 completed opencode:ses_5f1e2d3c4b5aAbCdEf /home/dev/shop opencode:cost
	gemini gemini-2.5-pro 500 50 0 0 0 failed opencode:ses_5f1e2d3c4b5aAbCdEf /home/dev/shop opencode:cost
	github-copilot claude-sonnet-4 100 10 0 0 0 completed opencode:ses_6a7b8c9d0e1fGhIjKl /home/dev/shop anthropic/claude-sonnet-4
	openai gpt-5 2224 420 1024 0 120 completed opencode:ses_5f1e2d3c4b5aAbCdEf /home/dev/shop openai/gpt-5
	EOF
	test_cmp expect actual &&
	tally summary --since 2026-11-01 --json >s.json &&
	test "$(json_get s.json "[d[k] for k in (\"requests\", \"inputTokens\", \"outputTokens\")]")" = "[5, 17376, 724]"
'

test_expect_success 'nothing changed: nothing added, the files not opened' '
	cp "$(ledger)" before &&
	tally import opencode oc --json >again.json &&
	test "$(json_get again.json "[d[\"added\"], d[\"updated\"], d[\"filesUnchanged\"]]")" = "[0, 0, 2]" &&
	test_cmp before "$(ledger)"
'

test_expect_success 'an answer that was under way is read once it has its tokens' '
	python3 -c "
import json, sqlite3
c = sqlite3.connect(\"oc/opencode.db\")
d = json.loads(c.execute(\"SELECT data FROM message WHERE id = ?\", (\"msg_9a03\",)).fetchone()[0])
d[\"tokens\"] = {\"input\": 40, \"output\": 60, \"reasoning\": 0, \"cache\": {\"read\": 900, \"write\": 0}}
d[\"time\"][\"completed\"] = 1795168870000
c.execute(\"UPDATE message SET data = ?, time_updated = ? WHERE id = ?\", (json.dumps(d), 1795169100000, \"msg_9a03\"))
c.execute(\"INSERT INTO message VALUES (?, ?, ?, ?, ?)\", (\"msg_9a06\", \"ses_5f1e2d3c4b5aAbCdEf\", 1795168990000, 1795168999000,
  json.dumps({\"role\": \"assistant\", \"time\": {\"created\": 1795168990000}, \"modelID\": \"gpt-5\", \"providerID\": \"openai\", \"cost\": 0,
              \"tokens\": {\"input\": 10, \"output\": 5, \"reasoning\": 0, \"cache\": {\"read\": 0, \"write\": 0}}})))
c.commit()
" &&
	tally import opencode oc --json >grown.json &&
	test "$(json_get grown.json "[d[\"added\"], d[\"updated\"]]")" = "[2, 0]" &&
	grep -c "msg_9a03" "$(ledger)" >n &&
	echo 1 >expect &&
	test_cmp expect n
'

test_expect_success 'the database is read without being changed, or anything made beside it' '
	make_db ro delete &&
	ls -lA ro >files.before &&
	sha256sum ro/opencode.db >sum.before &&
	TALLY_HOME=$PWD/ro-home tally import opencode ro >out &&
	test_grep "4 entries added" out &&
	ls -lA ro >files.after &&
	sha256sum ro/opencode.db >sum.after &&
	test_cmp sum.before sum.after &&
	test_cmp files.before files.after
'

test_expect_success 'setup: a database in rollback-journal mode, to lock' '
	make_db locked delete
'

# OpenCode (or anything) holding the database with a write lock.
python3 -c "
import sqlite3, time
c = sqlite3.connect('locked/opencode.db', isolation_level=None)
c.execute('BEGIN EXCLUSIVE')
open('held', 'w').close()
time.sleep(5)
" &
locker=$!

test_expect_success 'a locked database: said after the busy wait, nothing lost' '
	n=0 &&
	while ! test -e held && test $n -lt 100; do sleep 0.1; n=$((n + 1)); done &&
	TALLY_HOME=$PWD/lk tally import opencode locked >out 2>err &&
	test_grep "OpenCode holds the database locked; it is read next time" err &&
	test_grep "0 entries added" out
'
wait $locker

test_expect_success 'and read the next time' '
	TALLY_HOME=$PWD/lk tally import opencode locked >out 2>err &&
	test_grep "4 entries added" out
'

test_expect_success 'not a database, or not OpenCode s: said and left out' '
	mkdir -p junk other &&
	echo "not a database at all" >junk/opencode.db &&
	python3 -c "import sqlite3; c = sqlite3.connect(\"other/opencode.db\"); c.execute(\"CREATE TABLE t (x)\"); c.commit()" &&
	TALLY_HOME=$PWD/j tally import opencode junk other >out 2>err &&
	test_grep "junk/opencode.db is not an OpenCode database (file is not a database); left out" err &&
	test_grep "other/opencode.db is not an OpenCode database (no such table: message); left out" err
'

test_expect_success 'default place: OPENCODE_DATA_DIR, XDG_DATA_HOME, ~/.local/share' '
	make_db home/.local/share/opencode &&
	HOME=$PWD/home TALLY_HOME=$PWD/d1 tally import opencode --json >d1.json &&
	test "$(json_get d1.json "d[\"added\"]")" = 4 &&
	make_db xdg/opencode &&
	XDG_DATA_HOME=$PWD/xdg TALLY_HOME=$PWD/d2 tally import opencode --json >d2.json &&
	test "$(json_get d2.json "d[\"added\"]")" = 4 &&
	OPENCODE_DATA_DIR=$PWD/oc TALLY_HOME=$PWD/d3 tally import opencode --json >d3.json &&
	test "$(json_get d3.json "d[\"added\"]")" = 7 &&
	HOME=$PWD/home tally import --list >l &&
	test_grep "^opencode  *$PWD/home/.local/share/opencode  *1\$" l
'

test_expect_success 'other release channels: opencode-<channel>.db, and OPENCODE_DB' '
	make_db ch &&
	mv ch/opencode.db ch/opencode-dev.db &&
	OPENCODE_DATA_DIR=$PWD/ch TALLY_HOME=$PWD/c1 tally import opencode --json >c1.json &&
	test "$(json_get c1.json "[d[\"files\"], d[\"added\"]]")" = "[1, 4]" &&
	mkdir -p db2 &&
	cp ch/opencode-dev.db db2/mine.sqlite &&
	OPENCODE_DATA_DIR=$PWD/ch OPENCODE_DB=$PWD/db2/mine.sqlite \
		TALLY_HOME=$PWD/c2 tally import opencode --json >c2.json &&
	test "$(json_get c2.json "[d[\"files\"], d[\"added\"], d[\"duplicates\"]]")" = "[2, 4, 4]" &&
	cp ch/opencode-dev.db ch/named.sqlite &&
	OPENCODE_DATA_DIR=$PWD/ch OPENCODE_DB=named.sqlite \
		TALLY_HOME=$PWD/c3 tally import opencode --json >c3.json &&
	test "$(json_get c3.json "d[\"files\"]")" = 2 &&
	OPENCODE_DATA_DIR=$PWD/ch OPENCODE_DB=$PWD/ch/opencode-dev.db \
		TALLY_HOME=$PWD/c4 tally import opencode --json >c4.json &&
	test "$(json_get c4.json "d[\"files\"]")" = 1
'

test_done
