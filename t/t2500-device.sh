#!/bin/sh
test_description='device ids: every row says which machine wrote it'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
OTHER=d_0123456789abcdef0123

rec() {
	tally record -q -p openai -m gpt-4.1 --input-tokens "$1" --output-tokens 1
}

test_expect_success 'a new data root makes its id on the first write, 0600' '
	TALLY_HOME=$PWD/fresh tally summary >/dev/null &&
	! test -e fresh/device-id &&
	TALLY_HOME=$PWD/fresh tally log >/dev/null &&
	! test -e fresh/device-id &&
	TALLY_HOME=$PWD/fresh rec 10 &&
	id=$(cat fresh/device-id) &&
	expr "$id" : "d_[0-9a-f]\{20\}\$" >/dev/null &&
	test "$(stat -c %a fresh/device-id)" = 600 &&
	TALLY_HOME=$PWD/fresh rec 20 &&
	grep -c "\"deviceId\":\"$id\"" fresh/profile/usage-ledger.jsonl >n &&
	test "$(cat n)" = 2
'

test_expect_success 'processes starting together agree on one id' '
	for i in 1 2 3 4 5 6 7 8; do
		TALLY_HOME=$PWD/race rec $i &
	done &&
	wait &&
	id=$(cat race/device-id) &&
	grep -c "\"deviceId\":\"$id\"" race/profile/usage-ledger.jsonl >n &&
	test "$(cat n)" = 8 &&
	! ls race/device-id.* 2>/dev/null
'

test_expect_success 'a damaged id file: rows go without one, still this device s' '
	mkdir -p junk && chmod 700 junk &&
	echo "not an id" >junk/device-id &&
	TALLY_HOME=$PWD/junk rec 5 &&
	! grep -q deviceId junk/profile/usage-ledger.jsonl &&
	TALLY_HOME=$PWD/junk tally summary --by device --json >j.json &&
	test "$(json_get j.json "[g[\"device\"] for g in d[\"groups\"]]")" = "[\"this device\"]"
'

# Rows of this device (with its id and without, as earlier releases
# wrote them) and of another machine (a ledger restored from it).
test_expect_success 'set-up: rows of this device and of another' '
	rec 100 &&
	rec 200 &&
	python3 - "$(ledger)" <<-\EOF
	import json, sys
	with open(sys.argv[1], "a") as f:
	    for i, (dev, tokens) in enumerate(((None, 1000), ("d_0123456789abcdef0123", 5000),
	                                       ("d_0123456789abcdef0123", 7000))):
	        e = {"v": 1, "entryId": "u_old%d" % i, "providerId": "openai",
	             "modelId": "gpt-4.1", "startedAt": 1795500000000 + i,
	             "billedInputTokens": tokens, "billedOutputTokens": 1,
	             "totalBilledTokens": tokens + 1, "source": "manual",
	             "status": "completed", "recordedAt": 1795500000000}
	        if dev:
	            e["deviceId"] = dev
	        f.write(json.dumps(e, separators=(",", ":")) + "\n")
	EOF
'

groups() {
	json_get "$1" "sorted((g[\"device\"], g[\"inputTokens\"], g[\"requests\"]) for g in d[\"groups\"])"
}

test_expect_success 'summary --by device: this one, and the other by its id' '
	tally summary --by device --json >s.json &&
	test "$(groups s.json)" = "[[\"$OTHER\", 12000, 2], [\"this device\", 1300, 3]]" &&
	tally summary --by device >s.txt &&
	test_grep "^DEVICE " s.txt &&
	test_grep "^this device  *3 " s.txt &&
	test_grep "^$OTHER  *2 " s.txt
'

test_expect_success 'the same from the ledger as from the cache' '
	tally summary --by device --tz Europe/Paris --json >l.json &&
	test "$(json_get l.json "d[\"source\"]")" = ledger &&
	test "$(groups l.json)" = "$(groups s.json)"
'

test_expect_success 'device_name names this device' '
	tally -c device_name=laptop summary --by device --json >n.json &&
	test "$(groups n.json)" = "[[\"$OTHER\", 12000, 2], [\"laptop\", 1300, 3]]"
'

test_expect_success 'a workspace file naming the device needs trust' '
	mkdir -p ws/.git &&
	printf "device_name: evil\n" >ws/.tally.yaml &&
	(cd ws && tally summary --by device --json >../w.json 2>../w.err) &&
	test_grep "device_name" w.err &&
	! grep -q evil w.json
'

test_expect_success 'log --device: an id, or this for this machine' '
	tally log --device $OTHER --json >o.json &&
	test "$(json_get o.json "sorted(e[\"billedInputTokens\"] for e in d)")" = "[5000, 7000]" &&
	tally log --device this --json >t.json &&
	test "$(json_get t.json "sorted(e[\"billedInputTokens\"] for e in d)")" = "[100, 200, 1000]" &&
	tally log --device $TEST_DEVICE --json >t2.json &&
	test_cmp t.json t2.json &&
	tally log --device d_99999999999999999999 --json >none.json &&
	test "$(json_get none.json "len(d)")" = 0 &&
	tally export --device $OTHER --format ndjson >x.ndjson &&
	test_line_count = 2 x.ndjson
'

test_expect_success 'completion offers this and the devices pulled' '
	mkdir -p "$TALLY_HOME/remotes/$OTHER" &&
	tally log --completion-values --device >c &&
	printf "this\n%s\n" "$OTHER" >expect &&
	test_cmp expect c
'

test_done
