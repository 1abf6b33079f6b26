#!/bin/sh
test_description='ledger rows: format, legacy rows, invalid and torn lines'
. ./test-lib.sh

L=$TALLY_HOME/profile/usage-ledger.jsonl

test_expect_success 'rows are compact, one per line, keys in fixed order' '
	TALLY_NOW=2026-11-24T10:00:00Z TALLY_SESSION=s1 tally record -p openai -m gpt-4.1 \
		--input-tokens 100 --output-tokens 20 --cache-read-tokens 10 \
		--cost 0.0114 --tag team=core --request-id r1 -q &&
	sed "s/\"entryId\":\"u_[0-9a-f]*\"/\"entryId\":\"ID\"/" "$L" >actual &&
	cat >expect <<-\EOF &&
	{"v":1,"entryId":"ID","sessionResource":"s1","requestId":"r1","providerId":"openai","modelId":"gpt-4.1","billedInputTokens":100,"billedOutputTokens":20,"totalBilledTokens":120,"billedCostUsd":0.0114,"source":"manual","syncStatus":"pending_sync","status":"completed","cacheReadTokens":10,"estimatedCostUsd":0.000345,"priceId":"openai/gpt-4.1@2025-04-14","tags":{"team":"core"},"recordedAt":1795514400000,"deviceId":"d_00000000000000000001"}
	EOF
	test_cmp expect actual
'

test_expect_success 'rows of the earlier tool (no v) read with every field intact' '
	mkdir -p legacy/profile &&
	cp "$FIXTURES/legacy-rows.jsonl" legacy/profile/usage-ledger.jsonl &&
	TALLY_HOME=$PWD/legacy tally log --ndjson >out &&
	sort out >actual &&
	sed "s/^{/{\"v\":1,/" "$FIXTURES/legacy-rows.jsonl" | sort >expect &&
	test_cmp expect actual
'

test_expect_success 'their numbers are exact' '
	TALLY_HOME=$PWD/legacy tally log --json >out.json &&
	test "$(json_get out.json "[e for e in d if e[\"entryId\"]==\"u_01\"][0][\"billedCostUsd\"]")" = 0.0114 &&
	test "$(json_get out.json "[e for e in d if e[\"entryId\"]==\"u_01\"][0][\"quotaSnapshot\"][\"remainingUsd\"]")" = 4.88 &&
	test "$(json_get out.json "[e for e in d if e[\"entryId\"]==\"u_02\"][0][\"syncErrorCode\"]")" = rate_limited &&
	test "$(json_get out.json "[e for e in d if e[\"entryId\"]==\"u_02\"][0][\"status\"]")" = sync_failed
'

test_expect_success 'unknown fields survive an update of the entry' '
	mkdir -p unk/profile &&
	echo "{\"entryId\":\"k1\",\"providerId\":\"openai\",\"modelId\":\"m\",\"status\":\"in_progress\",\"futureField\":{\"x\":[1,2]}}" >unk/profile/usage-ledger.jsonl &&
	TALLY_HOME=$PWD/unk tally record --entry k1 --status completed --output-tokens 5 -q &&
	tail -n 1 unk/profile/usage-ledger.jsonl >last &&
	test_grep "\"futureField\":{\"x\":\[1,2\]}" last &&
	test_grep "\"status\":\"completed\"" last
'

test_expect_success 'a row of a newer schema is reported and left out' '
	mkdir -p newer/profile &&
	echo "{\"v\":2,\"entryId\":\"n1\"}" >newer/profile/usage-ledger.jsonl &&
	TALLY_HOME=$PWD/newer tally log --porcelain >out 2>err &&
	test_must_be_empty out &&
	test_grep "usage-ledger.jsonl:1: invalid ledger line (written by a newer tally" err
'

test_expect_success 'garbage in the middle and a torn last line' '
	mkdir -p torn/profile &&
	T=torn/profile/usage-ledger.jsonl &&
	echo "{\"v\":1,\"entryId\":\"a\",\"providerId\":\"openai\",\"modelId\":\"m\",\"billedInputTokens\":1}" >$T &&
	echo "this is not json" >>$T &&
	echo "{\"v\":1,\"entryId\":\"b\",\"providerId\":\"openai\",\"modelId\":\"m\",\"billedInputTokens\":2}" >>$T &&
	printf "{\"v\":1,\"entryId\":\"c\",\"provid" >>$T &&
	TALLY_HOME=$PWD/torn tally log --porcelain >out 2>err &&
	cut -f1 out >ids &&
	printf "b\na\n" >expect &&
	test_cmp expect ids &&
	test_grep "usage-ledger.jsonl:2: invalid ledger line" err &&
	test_grep "usage-ledger.jsonl:4: incomplete last line" err
'

test_expect_success 'the next record lands on its own line' '
	TALLY_HOME=$PWD/torn tally -c auto_compact=false record -p openai \
		-m m --input-tokens 3 -q &&
	test_line_count = 5 torn/profile/usage-ledger.jsonl &&
	tail -n 1 torn/profile/usage-ledger.jsonl >last &&
	test_grep "^{\"v\":1,\"entryId\":\"u_" last &&
	sed -n 4p torn/profile/usage-ledger.jsonl >fourth &&
	printf "{\"v\":1,\"entryId\":\"c\",\"provid\n" >expect &&
	test_cmp expect fourth &&
	TALLY_HOME=$PWD/torn tally log --porcelain >out 2>err &&
	test_line_count = 3 out &&
	test_grep "usage-ledger.jsonl:4: invalid ledger line" err
'

test_expect_success 'blank lines are skipped quietly' '
	mkdir -p blank/profile &&
	printf "\n{\"entryId\":\"a\"}\n\n" >blank/profile/usage-ledger.jsonl &&
	TALLY_HOME=$PWD/blank tally log --porcelain >out 2>err &&
	test_line_count = 1 out &&
	test_must_be_empty err
'

test_expect_success 'an over-long line is skipped in bounded memory' '
	mkdir -p long/profile &&
	{
		echo "{\"entryId\":\"before\"}" &&
		python3 -c "import sys; sys.stdout.write(\"{\\\"entryId\\\":\\\"x\\\",\\\"pad\\\":\\\"\" + \"a\" * (20 << 20) + \"\\\"}\n\")" &&
		echo "{\"entryId\":\"after\"}"
	} >long/profile/usage-ledger.jsonl &&
	TALLY_HOME=$PWD/long tally log --porcelain >out 2>err &&
	cut -f1 out | sort >ids &&
	printf "after\nbefore\n" >expect &&
	test_cmp expect ids &&
	test_grep "usage-ledger.jsonl:2: line longer than" err
'

test_expect_success 'invalid UTF-8, NUL bytes and huge numbers are invalid lines' '
	mkdir -p hostile/profile &&
	H=hostile/profile/usage-ledger.jsonl &&
	printf "{\"entryId\":\"\\377\"}\n" >$H &&
	printf "{\"entryId\":\"a\\000b\"}\n" >>$H &&
	echo "{\"entryId\":\"big\",\"billedInputTokens\":99999999999999999999}" >>$H &&
	echo "{\"entryId\":\"ok\"}" >>$H &&
	TALLY_HOME=$PWD/hostile tally log --porcelain >out 2>err &&
	cut -f1 out >ids &&
	echo ok >expect &&
	test_cmp expect ids &&
	test_grep ":1: invalid ledger line (invalid UTF-8" err &&
	test_grep ":2: invalid ledger line (control character" err &&
	test_grep ":3: invalid ledger line (billedInputTokens is not a whole number" err
'

test_done
