#!/bin/sh
test_description='tally import qwen-code: Qwen Code chats'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
QC=$FIXTURES/qwen-code
A=projects/-home-dev-shop/chats/5f0e4c1a-93d2-4b7e-a1c6-2d8f0b7e9a31.jsonl

rows() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(e["providerId"], e["modelId"], e["billedInputTokens"],
          e["billedOutputTokens"], e.get("cacheReadTokens", 0),
          e.get("reasoningTokens", 0), e["sessionResource"],
          e.get("tags", {}).get("project", "-"))
' "$1" | sort
}

test_expect_success 'every answer once, figures as worked out by hand' '
	tally import qwen-code "$QC" >out &&
	test_grep "^qwen-code: 3 files (0 unchanged), 21 lines read: 6 entries added, 0 updated, 4 duplicates; skipped 9 without usage, 1 malformed, 1 incomplete$" out &&
	rows "$(ledger)" >actual &&
	cat >expect <<-\EOF &&
	anthropic claude-sonnet-4-5 20480 350 18000 0 qwen-code:5f0e4c1a-93d2-4b7e-a1c6-2d8f0b7e9a31 /home/dev/shop
	gemini gemini-2.5-pro 8200 1060 0 650 qwen-code:c2a9e7d4-1b3f-4e85-9f60-7a4d2c1e8b05 /home/dev/notes
	qwen qwen3-235b-a22b-thinking-2507 13420 1536 12800 1210 qwen-code:5f0e4c1a-93d2-4b7e-a1c6-2d8f0b7e9a31 /home/dev/shop
	qwen qwen3-coder-flash 3000 120 0 0 qwen-code:5f0e4c1a-93d2-4b7e-a1c6-2d8f0b7e9a31 /home/dev/shop
	qwen qwen3-coder-plus 12873 214 11520 0 qwen-code:5f0e4c1a-93d2-4b7e-a1c6-2d8f0b7e9a31 /home/dev/shop
	qwen qwen3-coder-plus 15010 95 14848 0 qwen-code:e81b3f6a-0d4c-4a92-b7e5-3c9f1d2a6e48 /home/dev/shop
	EOF
	test_cmp expect actual &&
	tally summary --since 2026-11-01 --json >s.json &&
	test "$(json_get s.json "[d[k] for k in (\"requests\", \"inputTokens\", \"outputTokens\")]")" = "[6, 72983, 3375]"
'

test_expect_success 'a re-run reads nothing; a grown chat only its new lines' '
	tally import qwen-code "$QC" --json >again.json &&
	test "$(json_get again.json "[d[\"filesUnchanged\"], d[\"added\"]]")" = "[3, 0]" &&
	mkdir -p grow/projects/p/chats &&
	cp "$QC/$A" grow/projects/p/chats/a.jsonl &&
	TALLY_HOME=$PWD/g tally import qwen-code grow >/dev/null &&
	cat >>grow/projects/p/chats/a.jsonl <<-\EOF &&
	{"uuid":"f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f","parentUuid":null,"sessionId":"5f0e4c1a-93d2-4b7e-a1c6-2d8f0b7e9a31","timestamp":"2026-11-18T10:00:00.000Z","type":"assistant","cwd":"/home/dev/shop","version":"0.2.1","model":"qwen3-coder-plus","usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":20,"totalTokenCount":120}}
	EOF
	TALLY_HOME=$PWD/g tally import qwen-code grow --json >g.json &&
	test "$(json_get g.json "[d[\"filesUnchanged\"], d[\"filesReadAgain\"], d[\"lines\"], d[\"added\"]]")" = "[0, 0, 1, 1]"
'

test_expect_success 'a chat replaced by a shorter one counts nothing twice' '
	head -n 2 "$QC/$A" >grow/projects/p/chats/a.jsonl &&
	TALLY_HOME=$PWD/g tally import qwen-code grow --json >r.json &&
	test "$(json_get r.json "[d[\"filesReadAgain\"], d[\"added\"], d[\"duplicates\"]]")" = "[1, 0, 1]" &&
	TALLY_HOME=$PWD/g tally summary --since 2026-11-01 --json >rs.json &&
	test "$(json_get rs.json "d[\"requests\"]")" = 5
'

test_expect_success 'a deleted chat: what was imported stays' '
	rm grow/projects/p/chats/a.jsonl &&
	TALLY_HOME=$PWD/g tally import qwen-code grow --json >del.json &&
	test "$(json_get del.json "[d[\"files\"], d[\"added\"]]")" = "[0, 0]" &&
	TALLY_HOME=$PWD/g tally summary --since 2026-11-01 --json >ds.json &&
	test "$(json_get ds.json "d[\"requests\"]")" = 5
'

test_expect_success 'thoughts: inside the candidates when the total says so, else added' '
	mkdir -p th/projects/p/chats &&
	cat >th/projects/p/chats/t.jsonl <<-\EOF &&
	{"uuid":"u1","sessionId":"s","timestamp":"2026-11-21T10:00:00Z","type":"assistant","model":"deepseek-reasoner","usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":300,"thoughtsTokenCount":200,"totalTokenCount":1300}}
	{"uuid":"u2","sessionId":"s","timestamp":"2026-11-21T10:01:00Z","type":"assistant","model":"gemini-2.5-flash","usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":300,"thoughtsTokenCount":200,"totalTokenCount":1500}}
	{"uuid":"u3","sessionId":"s","timestamp":"2026-11-21T10:02:00Z","type":"assistant","model":"qwen3-max","usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":300,"thoughtsTokenCount":200}}
	{"uuid":"u4","sessionId":"s","timestamp":"2026-11-21T10:03:00Z","type":"assistant","model":"gemini-2.5-pro","usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":300,"thoughtsTokenCount":200}}
	{"uuid":"u5","sessionId":"s","timestamp":"2026-11-21T10:04:00Z","type":"assistant","model":"qwen3-max","usageMetadata":{"promptTokenCount":"1000","candidatesTokenCount":300}}
	{"uuid":"u6","sessionId":"s","timestamp":"2026-11-21T10:05:00Z","type":"assistant","model":"qwen3-max","usageMetadata":{"promptTokenCount":-4,"candidatesTokenCount":300}}
	{"uuid":"","sessionId":"s","timestamp":"2026-11-21T10:06:00Z","type":"assistant","model":"qwen3-max","usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":3}}
	{"uuid":"u8","sessionId":"s","timestamp":"not a time","type":"assistant","model":"qwen3-max","usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":3}}
	{"uuid":"u9","sessionId":"s","timestamp":"2026-11-21T10:07:00Z","type":"assistant","model":"qwen3-max","usageMetadata":{"promptTokenCount":0,"candidatesTokenCount":0}}
	EOF
	TALLY_HOME=$PWD/th tally import qwen-code th >th.out &&
	test_grep "^qwen-code: 1 file (0 unchanged), 9 lines read: 4 entries added" th.out &&
	test_grep "skipped 2 malformed, 2 incomplete, 1 with zero usage$" th.out &&
	python3 -c "
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(e[\"providerId\"], e[\"providerRequestId\"], e[\"billedOutputTokens\"], e.get(\"reasoningTokens\", 0))
" "$PWD/th/profile/usage-ledger.jsonl" | sort >th.actual &&
	cat >th.expect <<-\EOF &&
	deepseek u1 300 200
	gemini u2 500 200
	gemini u4 500 200
	qwen u3 300 200
	EOF
	test_cmp th.expect th.actual
'

test_expect_success 'default place: QWEN_RUNTIME_DIR, else ~/.qwen' '
	mkdir -p home/.qwen &&
	cp -r "$QC/projects" home/.qwen/ &&
	HOME=$PWD/home TALLY_HOME=$PWD/d1 tally import qwen-code --json >d1.json &&
	test "$(json_get d1.json "d[\"added\"]")" = 6 &&
	HOME=$PWD/nohome QWEN_RUNTIME_DIR=$QC TALLY_HOME=$PWD/d2 tally import qwen-code --json >d2.json &&
	test "$(json_get d2.json "d[\"added\"]")" = 6
'

test_done
