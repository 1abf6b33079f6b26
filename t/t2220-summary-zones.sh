#!/bin/sh
test_description='days in the zone in force: caches per zone, --tz, offsets once, DST days of 23 and 25 hours'
. ./test-lib.sh

TALLY_NOW=2026-11-26T12:00:00Z
export TALLY_NOW

# days <file>: "day tokens" per line of a summary --json with --by day.
days() {
	python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
for g in d[\"groups\"]:
    print(g[\"day\"], g[\"totalTokens\"])
" "$1"
}

test_expect_success 'setup: an entry late on the 24th in UTC, early on the 25th in Berlin' '
	tally record -q -p openai -m m --input-tokens 7 --started-at 2026-11-24T23:30:00Z
'

test_expect_success 'the cache of one zone is not taken for another' '
	TZ=UTC tally summary --window workspace --by day --json >utc.json &&
	days utc.json >utc &&
	echo "2026-11-24 7" >expect &&
	test_cmp expect utc &&
	TZ=Europe/Berlin tally summary --window workspace --by day --json >berlin.json &&
	days berlin.json >berlin &&
	echo "2026-11-25 7" >expect &&
	test_cmp expect berlin &&
	test "$(json_get berlin.json "d[\"timezone\"]")" = Europe/Berlin &&
	TZ=UTC tally summary --window workspace --by day --json >utc2.json &&
	days utc2.json >utc2 &&
	test_cmp utc utc2
'

test_expect_success 'the day window of status follows the zone too' '
	TALLY_NOW=2026-11-24T23:45:00Z TZ=UTC tally status --format "{today_tokens}" >utc &&
	echo 7 >expect &&
	test_cmp expect utc &&
	TALLY_NOW=2026-11-24T23:45:00Z TZ=Europe/Berlin tally status --format "{today_tokens}" >berlin &&
	test_cmp expect berlin &&
	TALLY_NOW=2026-11-24T22:45:00Z TZ=Europe/Berlin tally status --format "{today_tokens}" >before &&
	echo 0 >expect &&
	test_cmp expect before
'

test_expect_success 'an explicit --tz is never silently ignored, whatever the configuration' '
	tally -c timezone=Europe/Berlin summary --window workspace --by day --tz Asia/Tokyo --json >tokyo.json &&
	test "$(json_get tokyo.json "d[\"timezone\"]")" = Asia/Tokyo &&
	days tokyo.json >tokyo &&
	echo "2026-11-25 7" >expect &&
	test_cmp expect tokyo &&
	tally -c timezone=Asia/Tokyo summary --window workspace --by day --tz UTC --json >u.json &&
	days u.json >u &&
	echo "2026-11-24 7" >expect &&
	test_cmp expect u &&
	test_expect_code 2 tally summary --tz Mars/Olympus 2>err &&
	test_grep "unknown time zone" err
'

test_expect_success 'the offset is applied once: configured zone and --tz of the same zone agree' '
	tally -c timezone=Europe/Berlin summary --window workspace --by day --json >cfg.json &&
	tally -c timezone=Europe/Berlin summary --window workspace --by day --tz Europe/Berlin --json >both.json &&
	days cfg.json >cfg &&
	days both.json >both &&
	echo "2026-11-25 7" >expect &&
	test_cmp expect cfg &&
	test_cmp expect both &&
	tally summary --since 2026-11-25T00:00:00+01:00 --json >since.json &&
	test "$(json_get since.json "d[\"totalTokens\"]")" = 7 &&
	tally summary --since 2026-11-25T00:31:00+01:00 --json >since.json &&
	test "$(json_get since.json "d[\"totalTokens\"]")" = 0
'

# Berlin: 2026-03-29 has 23 hours (02:00 CET becomes 03:00 CEST), and
# 2026-10-25 has 25 (03:00 CEST becomes 02:00 CET). Retention is off, so
# that these old entries stay entries rather than day rollups.
test_expect_success 'a day across a DST change has 23 or 25 hours, none moved to a neighbour' '
	export TALLY_HOME=$PWD/dst &&
	echo "retention_days: 0" >keep.yaml &&
	export TALLY_CONFIG=$PWD/keep.yaml &&
	for t in 2026-03-28T23:00:00Z 2026-03-29T21:59:00Z 2026-03-29T22:00:00Z \
		2026-10-24T22:00:00Z 2026-10-25T22:59:00Z 2026-10-25T23:00:00Z; do
		tally record -q -p openai -m m --input-tokens 1 --started-at $t || return 1
	done &&
	cat >expect <<-\EOF &&
	2026-03-29 2
	2026-03-30 1
	2026-10-25 2
	2026-10-26 1
	EOF
	TZ=Europe/Berlin tally summary --window workspace --by day --json >cache.json &&
	days cache.json >cache &&
	test_cmp expect cache &&
	tally summary --window workspace --by day --tz Europe/Berlin --json >tz.json &&
	days tz.json >tz &&
	test_cmp expect tz &&
	TZ=Europe/Berlin tally summary --since 2026-03-29 --until 2026-03-30 --json >d23.json &&
	test "$(json_get d23.json "d[\"totalTokens\"]")" = 2 &&
	TZ=Europe/Berlin tally summary --since 2026-10-25 --until 2026-10-26 --json >d25.json &&
	test "$(json_get d25.json "d[\"totalTokens\"]")" = 2
'

test_done
