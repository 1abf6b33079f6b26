#!/bin/sh
test_description='tally import goose: its sessions database'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
GS=$FIXTURES/goose

make_db() {
	mkdir -p "$1" &&
	python3 - "$1/sessions.db" "$GS/goose.sql" <<-\EOF
	import sqlite3, sys
	c = sqlite3.connect(sys.argv[1])
	c.executescript(open(sys.argv[2]).read())
	c.commit()
	EOF
}

rows() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(e["providerId"], e["modelId"], e["billedInputTokens"],
          e["billedOutputTokens"], e.get("cacheReadTokens", 0),
          e.get("cacheWriteTokens", 0), e["sessionResource"],
          e.get("tags", {}).get("project", "-"), e.get("priceId", "-").split("@")[0])
' "$1" | sort
}

test_expect_success 'one entry per session, its sums, as worked out by hand' '
	make_db g &&
	tally import goose g >out &&
	test_grep "^goose: 1 file (0 unchanged), 5 lines read: 4 entries added, 0 updated, 0 duplicates; skipped 1 without usage$" out &&
	rows "$(ledger)" >actual &&
	cat >expect <<-\EOF &&
	anthropic claude-sonnet-4-5 1000 200 1000 0 goose:20261121_3 /home/dev/shop goose:accumulated_cost
	anthropic claude-sonnet-4-5 100000 20000 60000 5000 goose:20261120_1 /home/dev/shop goose:accumulated_cost
	gemini gemini-2.5-pro 500 50 0 0 goose:20261121_1 /home/dev/shop gemini/gemini-2.5-pro
	openai gpt-5 30000 4000 0 0 goose:20261120_2 /home/dev/blog openai/gpt-5
	EOF
	test_cmp expect actual &&
	tally summary --since 2026-11-01 --json >s.json &&
	test "$(json_get s.json "[d[k] for k in (\"requests\", \"inputTokens\", \"outputTokens\")]")" = "[4, 131500, 24250]"
'

test_expect_success 'a session that grew replaces its entry; the totals count it once' '
	python3 -c "
import sqlite3
c = sqlite3.connect(\"g/sessions.db\")
c.execute(\"UPDATE sessions SET accumulated_input_tokens = 150000, accumulated_output_tokens = 26000, updated_at = ? WHERE id = ?\", (\"2026-11-20 12:00:00\", \"20261120_1\"))
c.commit()
" &&
	tally import goose g --json >grown.json &&
	test "$(json_get grown.json "[d[\"added\"], d[\"updated\"], d[\"duplicates\"]]")" = "[0, 1, 3]" &&
	tally summary --since 2026-11-01 --json >s.json &&
	test "$(json_get s.json "[d[k] for k in (\"requests\", \"inputTokens\", \"outputTokens\")]")" = "[4, 181500, 30250]"
'

# An older schema: no cache or cost columns.
cat >old.py <<'PY'
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript('''CREATE TABLE sessions (id TEXT PRIMARY KEY, working_dir TEXT,
  created_at TEXT, updated_at TEXT, total_tokens INTEGER, input_tokens INTEGER,
  output_tokens INTEGER, accumulated_total_tokens INTEGER,
  accumulated_input_tokens INTEGER, accumulated_output_tokens INTEGER,
  provider_name TEXT, model_config_json TEXT)''')
c.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
          ("20261110_1", "/src/x", "2026-11-10 08:00:00", "2026-11-10 09:00:00",
           10, 8, 2, 700, 600, 100, "openai", json.dumps({"model_name": "gpt-4.1"})))
c.commit()
PY

test_expect_success 'an older database without the cache and cost columns' '
	mkdir -p old &&
	python3 old.py old/sessions.db &&
	TALLY_HOME=$PWD/o tally import goose old >out &&
	test_grep "1 entry added" out &&
	rows o/profile/usage-ledger.jsonl >actual &&
	echo "openai gpt-4.1 600 100 0 0 goose:20261110_1 /src/x openai/gpt-4.1" >expect &&
	test_cmp expect actual
'

test_expect_success 'not a Goose database: said and left out' '
	mkdir -p junk &&
	python3 -c "import sqlite3; c = sqlite3.connect(\"junk/sessions.db\"); c.execute(\"CREATE TABLE t (x)\"); c.commit()" &&
	TALLY_HOME=$PWD/j tally import goose junk >out 2>err &&
	test_grep "junk/sessions.db is not a Goose database (no such table: sessions); left out" err
'

test_expect_success 'default place: GOOSE_PATH_ROOT, XDG_DATA_HOME, ~/.local/share' '
	make_db home/.local/share/goose/sessions &&
	HOME=$PWD/home TALLY_HOME=$PWD/d1 tally import goose --json >d1.json &&
	test "$(json_get d1.json "d[\"added\"]")" = 4 &&
	make_db root/data/sessions &&
	GOOSE_PATH_ROOT=$PWD/root TALLY_HOME=$PWD/d2 tally import goose --json >d2.json &&
	test "$(json_get d2.json "d[\"added\"]")" = 4
'

test_done
