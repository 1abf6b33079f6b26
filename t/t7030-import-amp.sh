#!/bin/sh
test_description='tally import amp: Amp threads, read whole'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
AMP=$FIXTURES/amp
T1=T-7f3e2a1b-5c4d-4e6f-8a9b-0c1d2e3f4a5b

rows() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(e["providerId"], e["modelId"], e["billedInputTokens"],
          e["billedOutputTokens"], e.get("cacheReadTokens", 0),
          e.get("cacheWriteTokens", 0), e["sessionResource"], e["source"])
' "$1" | sort
}

test_expect_success 'every event of the threads, figures as worked out by hand' '
	tally import amp "$AMP" >out &&
	test_grep "^amp: 4 files (0 unchanged), 6 lines read: 4 entries added, 0 updated, 0 duplicates; skipped 1 malformed, 1 with zero usage$" out &&
	rows "$(ledger)" >actual &&
	cat >expect <<-\EOF &&
	anthropic claude-haiku-4-5-20251001 900 12 0 0 amp:T-7f3e2a1b-5c4d-4e6f-8a9b-0c1d2e3f4a5b import:amp
	anthropic claude-sonnet-4-5 12040 300 12000 0 amp:T-7f3e2a1b-5c4d-4e6f-8a9b-0c1d2e3f4a5b import:amp
	anthropic claude-sonnet-4-5 800 50 200 500 amp:T-7f3e2a1b-5c4d-4e6f-8a9b-0c1d2e3f4a5b import:amp
	openai gpt-5 3024 700 1024 0 amp:T-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d import:amp
	EOF
	test_cmp expect actual &&
	tally summary --since 2026-11-01 --json >s.json &&
	test "$(json_get s.json "[d[k] for k in (\"requests\", \"inputTokens\", \"outputTokens\")]")" = "[4, 16764, 1062]"
'

test_expect_success 'unchanged threads are not read again' '
	tally import amp "$AMP" --json >again.json &&
	test "$(json_get again.json "[d[\"filesUnchanged\"], d[\"added\"]]")" = "[4, 0]"
'

test_expect_success 'a thread written again with a new event adds that event only' '
	mkdir -p grow/threads &&
	cp "$AMP/threads/$T1.json" grow/threads/ &&
	TALLY_HOME=$PWD/g tally import amp grow >/dev/null &&
	python3 -c "
import json, sys
p = sys.argv[1]
t = json.load(open(p))
t[\"usageLedger\"][\"events\"].append({\"id\": \"event-5\", \"timestamp\": \"2026-11-20T11:00:00.000Z\",
    \"model\": \"claude-sonnet-4-5\", \"credits\": 0.5, \"tokens\": {\"input\": 10, \"output\": 20}})
json.dump(t, open(p + \".new\", \"w\"))
" grow/threads/$T1.json &&
	mv grow/threads/$T1.json.new grow/threads/$T1.json &&
	TALLY_HOME=$PWD/g tally import amp grow --json >g.json &&
	test "$(json_get g.json "[d[\"filesReadAgain\"], d[\"added\"], d[\"duplicates\"]]")" = "[1, 1, 3]"
'

test_expect_success 'default place: AMP_DATA_DIR, else ~/.local/share/amp' '
	mkdir -p home/.local/share/amp &&
	cp -r "$AMP/threads" home/.local/share/amp/ &&
	HOME=$PWD/home TALLY_HOME=$PWD/d1 tally import amp --json >d1.json &&
	test "$(json_get d1.json "d[\"added\"]")" = 4 &&
	AMP_DATA_DIR=$AMP TALLY_HOME=$PWD/d2 tally import amp --json >d2.json &&
	test "$(json_get d2.json "d[\"added\"]")" = 4
'

test_done
