#!/bin/sh
test_description='tally import copilot-cli: Copilot CLI OpenTelemetry export files'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
CP=$FIXTURES/copilot-cli
F1=copilot-otel-20261120-091500.jsonl
unset COPILOT_HOME COPILOT_OTEL_FILE_EXPORTER_PATH

rows() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(e["providerId"], e["modelId"], e["billedInputTokens"],
          e["billedOutputTokens"], e.get("cacheReadTokens", 0),
          e.get("cacheWriteTokens", 0), e.get("reasoningTokens", 0),
          e["status"], e.get("latencyMs", "-"), e["sessionResource"])
' "$1" | sort
}

test_expect_success 'every chat span once, figures as worked out by hand' '
	tally import copilot-cli "$CP" >out &&
	test_grep "^copilot-cli: 2 files (0 unchanged), 12 lines read: 6 entries added, 0 updated, 1 duplicate; skipped 4 without usage, 1 malformed$" out &&
	rows "$(ledger)" >actual &&
	cat >expect <<-\EOF &&
	github-copilot claude-sonnet-4.5 24310 412 20480 3200 0 completed 6660 copilot-cli:8c1f0a52-3d7e-4b6a-9e21-5f4c0d8b7a13
	github-copilot claude-sonnet-4.5 25020 987 24192 0 0 completed 12295 copilot-cli:8c1f0a52-3d7e-4b6a-9e21-5f4c0d8b7a13
	github-copilot claude-sonnet-4.5 3000 0 0 0 0 failed 29000 copilot-cli:8c1f0a52-3d7e-4b6a-9e21-5f4c0d8b7a13
	github-copilot gpt-4.1 5400 220 0 0 0 completed 7390 copilot-cli:2d7e4f1a-6b3c-4e9d-8a05-c71f2e9b4d60
	github-copilot gpt-4.1 9000 310 4096 0 0 completed 4000 copilot-cli:2d7e4f1a-6b3c-4e9d-8a05-c71f2e9b4d60
	github-copilot gpt-5-mini-2025-08-07 12000 1400 0 0 1024 completed 11120 copilot-cli:8c1f0a52-3d7e-4b6a-9e21-5f4c0d8b7a13
	EOF
	test_cmp expect actual &&
	tally summary --since 2026-11-01 --json >s.json &&
	test "$(json_get s.json "[d[k] for k in (\"requests\", \"inputTokens\", \"outputTokens\")]")" = "[6, 78730, 3329]"
'

test_expect_success 'a re-run reads nothing; a grown file only its new spans' '
	tally import copilot-cli "$CP" --json >again.json &&
	test "$(json_get again.json "[d[\"filesUnchanged\"], d[\"added\"]]")" = "[2, 0]" &&
	mkdir -p grow &&
	cp "$CP/otel/$F1" grow/a.jsonl &&
	TALLY_HOME=$PWD/g tally import copilot-cli grow >/dev/null &&
	sed -n 1p grow/a.jsonl | sed "s/00f067aa0ba902b7/00f067aa0ba90999/" >>grow/a.jsonl &&
	printf "{\"type\":\"span\",\"name\":\"chat x\"" >>grow/a.jsonl &&
	TALLY_HOME=$PWD/g tally import copilot-cli grow --json >g.json &&
	test "$(json_get g.json "[d[\"filesUnchanged\"], d[\"filesReadAgain\"], d[\"lines\"], d[\"added\"]]")" = "[0, 0, 1, 1]"
'

test_expect_success 'a replaced file is read again without counting twice' '
	head -n 3 "$CP/otel/$F1" >grow/a.jsonl &&
	TALLY_HOME=$PWD/g tally import copilot-cli grow --json >r.json &&
	test "$(json_get r.json "[d[\"filesReadAgain\"], d[\"added\"], d[\"duplicates\"]]")" = "[1, 0, 2]" &&
	TALLY_HOME=$PWD/g tally summary --since 2026-11-01 --json >rs.json &&
	test "$(json_get rs.json "d[\"requests\"]")" = 5
'

test_expect_success 'a deleted export file: what was imported stays' '
	rm grow/a.jsonl &&
	TALLY_HOME=$PWD/g tally import copilot-cli grow --json >del.json &&
	test "$(json_get del.json "[d[\"files\"], d[\"added\"]]")" = "[0, 0]" &&
	TALLY_HOME=$PWD/g tally summary --since 2026-11-01 --json >ds.json &&
	test "$(json_get ds.json "d[\"requests\"]")" = 5
'

test_expect_success 'hostile spans: wrong types, absurd counts, no ids, no time' '
	mkdir -p bad &&
	cat >bad/b.jsonl <<-\EOF &&
	{"type":"span","traceId":"t1","spanId":"s1","name":"chat m","startTime":[1795000000,0],"attributes":{"gen_ai.operation.name":"chat","gen_ai.usage.input_tokens":"100","gen_ai.usage.output_tokens":5}}
	{"type":"span","traceId":"t1","spanId":"s2","name":"chat m","startTime":[1795000000,0],"attributes":{"gen_ai.operation.name":"chat","gen_ai.usage.input_tokens":-1,"gen_ai.usage.output_tokens":5}}
	{"type":"span","traceId":"t1","spanId":"s3","name":"chat m","startTime":[1795000000,0],"attributes":{"gen_ai.operation.name":"chat","gen_ai.usage.input_tokens":1e30,"gen_ai.usage.output_tokens":5}}
	{"type":"span","traceId":"","spanId":"s4","name":"chat m","startTime":[1795000000,0],"attributes":{"gen_ai.operation.name":"chat","gen_ai.usage.input_tokens":100}}
	{"type":"span","traceId":"t1","spanId":"s5","name":"chat m","startTime":"yesterday","attributes":{"gen_ai.operation.name":"chat","gen_ai.usage.input_tokens":100}}
	{"type":"span","traceId":"t1","spanId":"s6","name":"chat m","startTime":[1795000000,2000000000],"attributes":{"gen_ai.operation.name":"chat","gen_ai.usage.input_tokens":100}}
	{"type":"span","traceId":"t1","spanId":"s7","name":"chat m","startTime":[1795000000,0],"attributes":{"gen_ai.operation.name":"chat","gen_ai.usage.input_tokens":100,"gen_ai.usage.cache_read.input_tokens":500,"gen_ai.usage.output_tokens":3,"gen_ai.usage.reasoning.output_tokens":9}}
	{"type":"log","traceId":"t1","spanId":"s8","name":"chat m","startTime":[1795000000,0],"attributes":{"gen_ai.operation.name":"chat","gen_ai.usage.input_tokens":100}}
	[1,2,3]
	EOF
	TALLY_HOME=$PWD/b tally import copilot-cli bad >b.out &&
	test_grep "9 lines read: 1 entry added, 0 updated, 0 duplicates; skipped 1 without usage, 4 malformed, 3 incomplete$" b.out &&
	rows "$PWD/b/profile/usage-ledger.jsonl" >b.actual &&
	echo "github-copilot m 100 3 100 0 3 completed - copilot-cli:t1" >b.expect &&
	test_cmp b.expect b.actual
'

test_expect_success 'no export file: says how to make Copilot CLI write one' '
	mkdir -p empty &&
	HOME=$PWD/empty TALLY_HOME=$PWD/e tally import copilot-cli 2>err &&
	test_grep "no copilot-cli logs" err &&
	test_grep "COPILOT_OTEL_EXPORTER_TYPE=file" err &&
	mkdir -p empty/.copilot/otel &&
	HOME=$PWD/empty TALLY_HOME=$PWD/e tally import copilot-cli 2>err2 &&
	test_grep "COPILOT_OTEL_FILE_EXPORTER_PATH" err2
'

test_expect_success 'default places: COPILOT_HOME/otel, and the exporter path anywhere' '
	mkdir -p home/.copilot/otel ch/otel elsewhere &&
	cp "$CP/otel/$F1" home/.copilot/otel/ &&
	HOME=$PWD/home TALLY_HOME=$PWD/d1 tally import copilot-cli --json >d1.json &&
	test "$(json_get d1.json "d[\"added\"]")" = 4 &&
	cp "$CP/otel/$F1" ch/otel/ &&
	HOME=$PWD/nohome COPILOT_HOME=$PWD/ch TALLY_HOME=$PWD/d2 tally import copilot-cli --json >d2.json &&
	test "$(json_get d2.json "d[\"added\"]")" = 4 &&
	cp "$CP/otel/copilot-otel-20261121-235700.jsonl" elsewhere/run.jsonl &&
	HOME=$PWD/home COPILOT_OTEL_FILE_EXPORTER_PATH=$PWD/elsewhere/run.jsonl \
		TALLY_HOME=$PWD/d3 tally import copilot-cli --json >d3.json &&
	test "$(json_get d3.json "[d[\"files\"], d[\"added\"], d[\"duplicates\"]]")" = "[2, 6, 1]" &&
	HOME=$PWD/home COPILOT_OTEL_FILE_EXPORTER_PATH=$PWD/home/.copilot/otel/$F1 \
		TALLY_HOME=$PWD/d4 tally import copilot-cli --json >d4.json &&
	test "$(json_get d4.json "d[\"files\"]")" = 1 &&
	HOME=$PWD/home COPILOT_OTEL_FILE_EXPORTER_PATH=$PWD/elsewhere/run.jsonl \
		tally import --list --json >list.json &&
	json_get list.json "[p for a in d if a[\"agent\"] == \"copilot-cli\" for p in a[\"places\"]]" >places &&
	test_grep "elsewhere/run.jsonl" places
'

test_done
