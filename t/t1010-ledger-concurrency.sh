#!/bin/sh
test_description='concurrent writers never lose or tear a row'
. ./test-lib.sh

# 8 writers x 1000 rows. fsync is off to keep the test quick; the locking
# and the single write(2) per row are the same either way.
test_expect_success '8 writers appending 1000 rows each at once' '
	for w in 1 2 3 4 5 6 7 8; do
		(
			i=0
			while test $i -lt 1000; do
				tally -c fsync=false record -p openai -m m \
					--input-tokens $i --tag writer=$w -q || exit 1
				i=$((i + 1))
			done
		) &
	done &&
	wait &&
	L=$TALLY_HOME/profile/usage-ledger.jsonl &&
	test_line_count = 8000 "$L" &&
	python3 -c "
import json, sys
ids = set()
for n, line in enumerate(open(sys.argv[1]), 1):
    row = json.loads(line)
    ids.add(row[\"entryId\"])
assert len(ids) == 8000, len(ids)
" "$L" &&
	tally log --porcelain >out 2>err &&
	test_line_count = 8000 out &&
	test_must_be_empty err
'

test_expect_success 'every writer got all of its rows in' '
	for w in 1 2 3 4 5 6 7 8; do
		tally log --tag writer=$w --porcelain >w$w &&
		test_line_count = 1000 w$w || return 1
	done
'

test_done
