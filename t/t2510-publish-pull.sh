#!/bin/sh
test_description='publish and pull: one history across machines, never counted twice'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
mkdir -p shared

# on <machine> <tally args>: tally on one machine (its own data root).
on() {
	m=$1
	shift
	TALLY_HOME=$PWD/$m tally -c device_name=$m "$@"
}

rec() {
	on "$1" record -q -p "$2" -m "$3" --input-tokens "$4" --output-tokens 1 \
		${5:+--started-at "$5"}
}

# totals <machine>: every device's usage as that machine sees it, by
# provider, model, day and device.
totals() {
	for by in provider model day device; do
		on "$1" summary --all-devices --since 2026-01-01 --by $by --json |
		python3 -c "
import json, sys
d = json.load(sys.stdin)
print(sorted((g[sys.argv[1]], g['requests'], g['inputTokens']) for g in d['groups']), d['requests'], d['inputTokens'])
" $by || return 1
	done
}

# by_id <machine>: requests and input tokens per device id.
by_id() {
	python3 - "$PWD/$1" <<-\EOF
	import json, os, sys
	root = sys.argv[1]
	out = {}
	mine = open(os.path.join(root, "device-id")).read().strip()
	for d, _, files in os.walk(root):
	    if "usage-ledger.jsonl" not in files:
	        continue
	    rows = {}
	    for line in open(os.path.join(d, "usage-ledger.jsonl")):
	        e = json.loads(line)
	        rows[e["entryId"]] = e
	    for e in rows.values():
	        if e.get("kind") not in (None, "rollup"):
	            continue
	        dev = e.get("deviceId", mine)
	        r = e.get("rollup", {}).get("requests", 1) if e.get("kind") else 1
	        n, t = out.get(dev, (0, 0))
	        out[dev] = (n + r, t + e["billedInputTokens"])
	print(sorted(out.values()))
	EOF
}

test_expect_success 'two machines record, publish and pull' '
	rec a openai gpt-4.1 100 &&
	rec a anthropic claude-sonnet-4 200 &&
	rec b openai gpt-4.1 1000 &&
	on a publish shared >pa &&
	test_grep "^published 2 rows of d_[0-9a-f]* (rows 1-2)$" pa &&
	on b publish shared &&
	on a pull shared >la &&
	test_grep "^pulled 1 row in 1 segment from 1 device$" la &&
	on b pull shared &&
	totals a >ta &&
	totals b >tb &&
	test_cmp ta tb &&
	test_grep "3, 1300" ta
'

test_expect_success 'the same again changes nothing' '
	on a pull shared >la2 &&
	test_grep "^pulled 0 rows in 0 segments from 1 device$" la2 &&
	on b publish shared >pb2 &&
	test_grep "^nothing new to publish" pb2 &&
	totals a >ta2 &&
	test_cmp ta ta2
'

test_expect_success 'a third machine, rounds in every order, twice, compacting between' '
	rec c gemini gemini-2.5-pro 5000 &&
	rec a openai gpt-4.1 7 &&
	for round in 1 2; do
		for m in c b a; do on $m publish shared >/dev/null || return 1; done &&
		for m in a c b; do on $m pull shared >/dev/null || return 1; done &&
		rec b openai gpt-4.1-mini 30 &&
		for m in a b c; do
			on $m -c retention_days=30 compact >/dev/null || return 1
		done &&
		for m in b a c; do on $m publish shared >/dev/null || return 1; done &&
		for m in b c a; do on $m pull shared >/dev/null || return 1; done
	done &&
	totals a >ta &&
	totals b >tb &&
	totals c >tc &&
	test_cmp ta tb &&
	test_cmp ta tc &&
	test_grep "7 6367" ta &&
	by_id a >ia && by_id b >ib && by_id c >ic &&
	test_cmp ia ib && test_cmp ia ic
'

test_expect_success 'compaction between rounds: rollups replace what they fold' '
	rec a openai gpt-4.1 400 2026-09-01T10:00:00Z &&
	rec a openai gpt-4.1 600 2026-09-01T11:00:00Z &&
	on a publish shared >/dev/null &&
	on b pull shared >/dev/null &&
	totals b >before &&
	on a -c retention_days=30 compact >/dev/null &&
	grep -q "\"kind\":\"rollup\"" a/profile/usage-ledger.jsonl &&
	on b -c retention_days=30 compact >/dev/null &&
	on a publish shared --json >pc.json &&
	grep -c "\"kind\":\"rollup\"" a/profile/usage-ledger.jsonl >nr &&
	test "$(json_get pc.json "d[\"rows\"]")" = "$(cat nr)" &&
	on b pull shared --json >pj &&
	test "$(json_get pj "d[\"superseded\"]")" = 2 &&
	on c pull shared >/dev/null &&
	totals a >ta &&
	totals b >tb &&
	totals c >tc &&
	test_cmp before tb &&
	test_cmp ta tb &&
	test_cmp ta tc
'

test_expect_success 'a segment still being copied waits; a temporary name is passed over' '
	id=d_33333333333333333333 &&
	dir=shared/$id &&
	mkdir -p $dir &&
	name=000000000001-000000000002.ndjson &&
	row="{\"v\":1,\"entryId\":\"u_fake1\",\"providerId\":\"openai\",\"modelId\":\"gpt-4.1\",\"startedAt\":1795510000000,\"billedInputTokens\":11,\"billedOutputTokens\":1,\"totalBilledTokens\":12,\"source\":\"manual\",\"status\":\"completed\",\"recordedAt\":1795510000000}" &&
	printf "%s\n%s" "$row" "$(echo "$row" | sed s/fake1/fake2/)" >$dir/$name &&
	echo "$row" >$dir/.syncthing.$name.tmp &&
	on b pull shared >w &&
	test_grep "1 segment not complete yet" w &&
	echo >>$dir/$name &&
	on b pull shared >w2 &&
	test_grep "^pulled 2 rows in 1 segment from 3 devices$" w2 &&
	grep -c "\"deviceId\":\"$id\"" b/remotes/$id/usage-ledger.jsonl >n &&
	test "$(cat n)" = 2 &&
	on a pull shared >/dev/null &&
	on c pull shared >/dev/null
'

test_expect_success 'a segment whose rows claim another device is not read' '
	idb=$(cat b/device-id) &&
	mkdir -p shared/d_11111111111111111111 &&
	row="{\"v\":1,\"entryId\":\"u_evil\",\"providerId\":\"openai\",\"modelId\":\"gpt-4.1\",\"startedAt\":1795510000000,\"billedInputTokens\":99999,\"billedOutputTokens\":1,\"totalBilledTokens\":100000,\"source\":\"manual\",\"status\":\"completed\",\"recordedAt\":1795510000000,\"deviceId\":\"$idb\"}" &&
	echo "$row" >shared/d_11111111111111111111/000000000001-000000000001.ndjson &&
	ln -s ../a shared/d_22222222222222222222 &&
	on c pull shared --json >e.json &&
	test "$(json_get e.json "[d[\"rows\"], d[\"waiting\"]]")" = "[0, 1]" &&
	test_grep "^  \"devices\": 4,$" e.json &&
	! grep -rq u_evil c/remotes &&
	! test -e c/remotes/d_22222222222222222222
'

test_expect_success 'remotes lists them; forget drops one, the next pull brings it back' '
	on b remotes --json >r.json &&
	test "$(json_get r.json "sorted(p.get(\"name\", \"-\") for p in d)")" = "[\"-\", \"a\", \"c\"]" &&
	on b remotes >r.txt &&
	test_grep "^DEVICE  *NAME  *ROWS  *LAST ROW  *UPDATED$" r.txt &&
	python3 - r.json shared <<-\EOF &&
	import json, sys
	import os
	for p in json.load(open(sys.argv[1])):
	    meta = "%s/%s/device.json" % (sys.argv[2], p["deviceId"])
	    want = json.load(open(meta))["lastRow"] if os.path.exists(meta) else 2
	    assert p["lastRow"] == want, (p, want)
	EOF
	ida=$(cat a/device-id) &&
	on b remotes forget $ida >f &&
	test_grep "^forgot $ida" f &&
	on b summary --all-devices --by device --json >after.json &&
	! grep -q $ida after.json &&
	on b pull shared >/dev/null &&
	totals b >tb &&
	totals a >ta &&
	test_cmp ta tb
'

test_expect_success '--git: through a bare repository, three clones' '
	GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com &&
	GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com &&
	export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL &&
	git init -q --bare hub.git &&
	for m in x y z; do
		git clone -q hub.git $m-sync 2>/dev/null &&
		rec $m openai gpt-4.1 ${#m}00 || return 1
	done &&
	rec y anthropic claude-sonnet-4 20 &&
	for round in 1 2; do
		for m in y x z; do on $m publish --git $m-sync >/dev/null || return 1; done &&
		for m in z x y; do on $m pull --git $m-sync >/dev/null || return 1; done
	done &&
	for m in x y z; do
		on $m summary --all-devices --by device --json >$m.json &&
		json_get $m.json "sorted((g[\"device\"], g[\"inputTokens\"]) for g in d[\"groups\"])" >$m.groups || return 1
	done &&
	test_cmp x.groups y.groups &&
	test_cmp x.groups z.groups &&
	test "$(cat x.groups)" = "[[\"x\", 100], [\"y\", 120], [\"z\", 100]]" &&
	git -C hub.git log --oneline >log &&
	test_line_count = 3 log &&
	on x publish --git x-sync >again &&
	test_grep "^nothing new to publish" again &&
	git -C hub.git log --oneline >log2 &&
	test_cmp log log2
'

test_expect_success 'remotes and sync_remotes: pulled by reports, published by writes' '
	mkdir -p auto &&
	for m in p q; do
		mkdir -p $m && chmod 700 $m &&
		printf "remotes:\n  - %s\nsync_remotes: true\n" "$PWD/auto" >$m.yaml || return 1
	done &&
	TALLY_CONFIG=$PWD/p.yaml rec p openai gpt-4.1 3 &&
	ls auto/$(cat p/device-id)/*.ndjson >segs &&
	test_line_count = 1 segs &&
	TALLY_CONFIG=$PWD/q.yaml rec q openai gpt-4.1 4 &&
	TALLY_CONFIG=$PWD/p.yaml on p summary --all-devices --json >s1.json &&
	test "$(json_get s1.json "d[\"inputTokens\"]")" = 7 &&
	TALLY_CONFIG=$PWD/q.yaml rec q openai gpt-4.1 5 &&
	TALLY_CONFIG=$PWD/p.yaml on p summary --all-devices --json >s2.json &&
	test "$(json_get s2.json "d[\"inputTokens\"]")" = 7 &&
	touch -d "2 minutes ago" p/remotes-pulled &&
	TALLY_CONFIG=$PWD/p.yaml on p summary --all-devices --json >s3.json &&
	test "$(json_get s3.json "d[\"inputTokens\"]")" = 12
'

test_expect_success 'a workspace file cannot set remotes without trust' '
	mkdir -p clone/.git &&
	printf "remotes:\n  - %s\nsync_remotes: true\n" "$PWD/evil" >clone/.tally.yaml &&
	mkdir -p evil &&
	h=$PWD/wsroot &&
	(cd clone && TALLY_HOME=$h tally record -q -p openai -m gpt-4.1 --input-tokens 1 --output-tokens 1 2>../werr) &&
	test_grep "remotes" werr &&
	! ls evil/d_* 2>/dev/null
'

test_expect_success 'a team budget with include_remotes counts every device' '
	cat >team.yaml <<-\EOF &&
	budgets:
	  - name: team
	    period: month
	    tokens: 2000
	    scope: all
	    include_remotes: true
	  - name: mine
	    period: month
	    tokens: 2000
	    scope: all
	EOF
	TALLY_CONFIG=$PWD/team.yaml on a budget --json >b.json &&
	test "$(json_get b.json "sorted((x[\"name\"], x[\"scope\"], x[\"state\"]) for x in d[\"budgets\"])")" = \
		"[[\"mine\", \"all\", \"under\"], [\"team\", \"devices\", \"exceeded\"]]" &&
	test_expect_code 1 env TALLY_CONFIG=$PWD/team.yaml TALLY_HOME=$PWD/a tally budget check team
'

test_expect_success 'usage errors and a folder that is not there' '
	test_expect_code 2 on a publish 2>err &&
	test_grep "publish needs a folder" err &&
	test_expect_code 2 on a pull one two 2>err &&
	test_grep "pull takes one folder" err &&
	test_expect_code 2 on a publish nowhere 2>err &&
	test_grep "cannot use the folder .nowhere." err &&
	test_expect_code 2 on a remotes forget not-an-id 2>err &&
	test_grep "not a device id" err &&
	test_expect_code 2 on a remotes forget d_99999999999999999999 2>err &&
	test_grep "no device d_99999999999999999999 was pulled" err
'

test_done
