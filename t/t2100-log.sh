#!/bin/sh
test_description='tally log: order, filters, paging, formats'
. ./test-lib.sh

rec() {
	tally record -q "$@"
}

test_expect_success 'setup: entries at known times' '
	rec -p openai -m gpt-4.1 --started-at 2026-11-20T10:00:00Z --input-tokens 100 --output-tokens 10 --cost 0.01 --session s1 --tag team=a &&
	rec -p anthropic -m claude-sonnet-4 --started-at 2026-11-21T10:00:00Z --input-tokens 200 --output-tokens 20 --estimated-cost 0.02 --session s1 --tag team=b &&
	rec -p gemini -m gemini-local --started-at 2026-11-22T10:00:00Z --input-tokens 300 --output-tokens 30 --session s2 --tag team=a --tag env=ci &&
	rec -p openai -m gpt-4o-mini --started-at 2026-11-23T10:00:00Z --status failed --error rate_limit_exceeded --session s2 &&
	rec -p openai -m gpt-4.1 --started-at 2026-11-19T10:00:00Z --input-tokens 50 --output-tokens 5 --provider-request-id req_old --session s3
'

test_expect_success 'the table lists newest first with cost markers' '
	tally log >out &&
	cat >expect <<-\EOF &&
	TIME                 PROVIDER   MODEL            INPUT  OUTPUT      COST  STATUS     SYNC
	2026-11-23 10:00:00  openai     gpt-4o-mini          -       -         -  failed     pending
	2026-11-22 10:00:00  gemini     gemini-local       300      30  unpriced  completed  n/a
	2026-11-21 10:00:00  anthropic  claude-sonnet-4    200      20  ~$0.0200  completed  pending
	2026-11-20 10:00:00  openai     gpt-4.1            100      10   $0.0100  completed  pending
	2026-11-19 10:00:00  openai     gpt-4.1             50       5  ~$0.0001  completed  pending
	EOF
	test_cmp expect out
'

test_expect_success 'times are shown in the configured zone' '
	tally -c timezone=Asia/Tokyo log -n 1 >out &&
	test_grep "^2026-11-23 19:00:00 " out
'

test_expect_success 'cost_mode changes which cost shows' '
	tally -c cost_mode=provider log --porcelain >out &&
	test_grep "claude-sonnet-4	200	20	220		unpriced" out &&
	tally -c cost_mode=provider log --porcelain >out &&
	test_grep "gpt-4.1	50	5	55		unpriced" out &&
	tally -c cost_mode=estimate log --porcelain >out &&
	test_grep "gpt-4.1	100	10	110	0.00028	estimated" out &&
	test_grep "gemini-local	300	30	330		unpriced" out &&
	test_grep "claude-sonnet-4	200	20	220	0.02	estimated" out
'

test_expect_success 'porcelain v1 fields' '
	tally log --porcelain --provider anthropic >out &&
	cut -f2- out >actual &&
	printf "2026-11-21T10:00:00Z\tanthropic\tclaude-sonnet-4\t200\t20\t220\t0.02\testimated\tcompleted\tpending_sync\tmanual\n" >expect &&
	test_cmp expect actual
'

test_expect_success '-z ends records with NUL' '
	tally log -z >out &&
	test "$(tr -cd "\000" <out | wc -c)" = 5 &&
	test "$(tr -cd "\n" <out | wc -c)" = 0
'

test_expect_success 'filters: provider, model glob, status, session, tag, grep' '
	tally log --porcelain -p openai | cut -f4 >out &&
	printf "gpt-4o-mini\ngpt-4.1\ngpt-4.1\n" >expect && test_cmp expect out &&
	tally log --porcelain -m "gpt-4*" | wc -l >n && test $(cat n) = 3 &&
	tally log --porcelain -m "claude-*" | cut -f4 >out &&
	echo claude-sonnet-4 >expect && test_cmp expect out &&
	tally log --porcelain --status failed | cut -f4 >out &&
	echo gpt-4o-mini >expect && test_cmp expect out &&
	tally log --porcelain --status unsupported_provider | cut -f3 >out &&
	echo gemini >expect && test_cmp expect out &&
	tally log --porcelain --session s1 | wc -l >n && test $(cat n) = 2 &&
	tally log --porcelain --tag team=a | cut -f3 >out &&
	printf "gemini\nopenai\n" >expect && test_cmp expect out &&
	tally log --porcelain --tag env | cut -f3 >out &&
	echo gemini >expect && test_cmp expect out &&
	tally log --porcelain --tag team=a --tag env=ci | wc -l >n && test $(cat n) = 1 &&
	tally log --porcelain --grep RATE_LIMIT | cut -f4 >out &&
	echo gpt-4o-mini >expect && test_cmp expect out &&
	tally log --porcelain --grep req_old | wc -l >n && test $(cat n) = 1
'

test_expect_success 'time filters: ISO, YYYYMMDD, @epoch, durations' '
	tally log --porcelain --since 2026-11-21 --until 2026-11-23 | cut -f3 >out &&
	printf "gemini\nanthropic\n" >expect && test_cmp expect out &&
	tally log --porcelain --since 20261122 | wc -l >n && test $(cat n) = 2 &&
	tally log --porcelain --until @1795132800 | wc -l >n && test $(cat n) = 1 &&
	TALLY_NOW=2026-11-23T12:00:00Z tally log --porcelain --since 36h | cut -f3 >out &&
	printf "openai\ngemini\n" >expect && test_cmp expect out &&
	tally log --porcelain --since 2026-11-22T10:00:00+02:00 | wc -l >n && test $(cat n) = 2
'

test_expect_success 'an invalid time is a usage error' '
	test_expect_code 2 tally log --since yesterdayish 2>err &&
	test_grep "tally: invalid time .yesterdayish." err
'

test_expect_success '-n and --cursor page through everything once' '
	tally log --porcelain >all &&
	tally log --porcelain -n 2 >p1 &&
	tally log --porcelain -n 2 --cursor "$(tail -n 1 p1 | cut -f1)" >p2 &&
	tally log --porcelain -n 2 --cursor "$(tail -n 1 p2 | cut -f1)" >p3 &&
	tally log --porcelain -n 2 --cursor "$(tail -n 1 p3 | cut -f1)" >p4 &&
	cat p1 p2 p3 >pages &&
	test_cmp all pages &&
	test_must_be_empty p4 &&
	test_line_count = 1 p3
'

test_expect_success 'a cursor that names no entry fails' '
	test_expect_code 1 tally log --cursor u_nope 2>err &&
	test_grep "tally: --cursor: no entry .u_nope." err
'

test_expect_success '--json is an array of ledger entries' '
	tally log --json -n 2 >out.json &&
	test "$(json_get out.json "len(d)")" = 2 &&
	test "$(json_get out.json "d[0][\"modelId\"]")" = gpt-4o-mini &&
	test "$(json_get out.json "d[1][\"tags\"]")" = "{\"team\": \"a\", \"env\": \"ci\"}"
'

test_expect_success '--json of an empty selection is an empty array' '
	tally log --json --provider nobody >out.json &&
	test "$(json_get out.json "d")" = "[]"
'

test_expect_success '--ndjson prints one compact row per line' '
	tally log --ndjson >out &&
	test_line_count = 5 out &&
	python3 -c "import json,sys; [json.loads(l) for l in open(\"out\")]"
'

test_expect_success 'an updated entry is shown once, as its last row' '
	id=$(tally log --porcelain -p gemini | cut -f1) &&
	tally record --entry "$id" --output-tokens 31 -q &&
	tally log --porcelain -p gemini >out &&
	test_line_count = 1 out &&
	test_grep "	300	31	331	" out
'

test_expect_success 'output formats exclude each other' '
	test_expect_code 2 tally log --json --porcelain 2>err &&
	test_expect_code 2 tally log --json -z 2>err &&
	test_expect_code 2 tally log -f --cursor x 2>err &&
	test_expect_code 2 tally log -n -2 2>err &&
	test_expect_code 2 tally log extra 2>err
'

test_expect_success 'an empty or missing ledger lists nothing' '
	TALLY_HOME=$PWD/none tally log >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	! test -e none
'

test_expect_success 'filter values: the words the tables print, any case; unknown ones refused' '
	tally log --status pending_sync --porcelain >want &&
	test -s want &&
	tally log --status pending --porcelain >got &&
	test_cmp want got &&
	tally log --status PENDING --porcelain >got &&
	test_cmp want got &&
	test_expect_code 2 tally log --status bogus 2>err &&
	test_grep "^tally: --status expects one of in_progress, completed, .* pending, .*; not .bogus.$" err &&
	tally log -p openai --porcelain >want &&
	tally log -p OpenAI --porcelain >got &&
	test -s got &&
	test_cmp want got
'

test_expect_success '--unpriced lists the usage that has no cost' '
	tally log --unpriced --porcelain >out &&
	test_line_count = 1 out &&
	test "$(cut -f3,4,9 out)" = "$(printf "gemini\tgemini-local\tunpriced")" &&
	tally export --unpriced -f ndjson >out &&
	test_line_count = 1 out &&
	test_grep "gemini-local" out &&
	TALLY_HOME=$PWD/zero tally record -q -p openai -m m --input-tokens 9 \
		--estimated-cost 0 &&
	TALLY_HOME=$PWD/zero tally log --unpriced --porcelain >out &&
	test_line_count = 1 out
'

test_expect_success 'a bad time is answered with the forms, dated today' '
	TALLY_NOW=2027-02-03T04:05:06Z &&
	export TALLY_NOW &&
	test_expect_code 2 tally log --since never 2>err &&
	test_grep "^tally: invalid time .never. (try 2027-02-03, 2027-02-03T10:30Z, 20270203, @1801627506 or 24h)$" err &&
	unset TALLY_NOW
'

test_expect_success '--last and --tz, as summary has them' '
	TALLY_NOW=2026-11-23T12:00:00Z tally log --porcelain --since 36h >want &&
	TALLY_NOW=2026-11-23T12:00:00Z tally log --porcelain --last 36h >got &&
	test_cmp want got &&
	test_line_count = 2 got &&
	tally log --tz Asia/Tokyo -n 1 >out &&
	test_grep "^2026-11-23 19:00:00  openai" out &&
	tally log --tz America/New_York -n 1 >out &&
	test_grep "^2026-11-23 05:00:00  openai" out &&
	tally export --format csv --tz Asia/Kolkata -p gemini >csv &&
	test_grep ",2026-11-22T15:30:00.000+05:30," csv &&
	test_expect_code 2 tally log --last 1h --since today 2>err &&
	test_grep "^tally: --last excludes --since and --until$" err &&
	test_expect_code 2 tally log --tz Mars/Base 2>err &&
	test_grep "^tally: --tz: unknown time zone .Mars/Base.$" err &&
	test_expect_code 2 tally log --last soon 2>err &&
	test_grep "^tally: --last expects a duration such as 24h or 7d, not .soon.$" err &&
	test_expect_code 2 tally export --format html --tz UTC 2>err
'

test_expect_success 'wide characters take two columns: the table stays aligned' '
	export TALLY_HOME=$PWD/wide &&
	tally record -q -p openai -m "模型" --input-tokens 5 \
		--started-at 2026-11-20T10:00:00Z &&
	tally record -q -p openai -m gpt-4o --input-tokens 7 --cost 0.1 \
		--started-at 2026-11-21T10:00:00Z &&
	tally log >out &&
	cat >expect <<-\EOF &&
	TIME                 PROVIDER  MODEL   INPUT  OUTPUT      COST  STATUS     SYNC
	2026-11-21 10:00:00  openai    gpt-4o      7       -   $0.1000  completed  pending
	2026-11-20 10:00:00  openai    模型        5       -  unpriced  completed  pending
	EOF
	test_cmp expect out
'

test_expect_success 'under a locale that is not UTF-8, bars and separators are ASCII' '
	export TALLY_HOME=$PWD/wide &&
	LC_ALL=C tally summary --by day --window workspace >out &&
	test_grep "^Usage - workspace - profile$" out &&
	test_grep "^2026-11-21 .*  #*$" out &&
	test_grep -v "$(printf "\302\267")" out &&
	LC_ALL=C.UTF-8 tally summary --by day --window workspace >out &&
	test_grep "^Usage · workspace · profile$" out &&
	LC_ALL= LC_CTYPE= LANG=en_ZZ.UTF-8 tally summary --window workspace >out &&
	test_grep "^Usage · workspace" out
'

test_expect_success 'a window that ends before it starts is refused' '
	test_expect_code 2 tally log --since yesterday --until 2000-01-01 2>err &&
	test_grep "^tally: --until (2000-01-01) is not after --since (yesterday)" err &&
	test_expect_code 2 tally summary --since 2026-11-24 --until 2026-11-24 2>err &&
	test_grep "is not after --since" err &&
	test_expect_code 2 tally export --since 2026-11-24 --until 2026-11-01 2>err
'

test_done
