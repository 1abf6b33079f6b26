#!/bin/sh
test_description='crash and concurrency: everything at once, random SIGKILLs, invariants'
. ./test-lib.sh

# The short run of bench/crash-harness.py (bench/crash.sh is the long
# one): writers, readers, log -f, compact, migrate, clear and sync against
# a fake OpenRouter, with random processes killed; after every round, no
# row a record confirmed since the last clear is lost or doubled, every
# line parses and the summary cache equals a fresh fold.
test_expect_success 'two rounds, at least 100 kills, invariants hold' '
	"$PYTHON" "$TALLY_SOURCE_DIR/bench/crash-harness.py" "$(command -v tally)" \
		"$TEST_DIRECTORY/lib/fake-provider.py" --rounds 2 --seconds 5 \
		--min-kills 100 --seed 8100 >out &&
	while read -r line; do say "$line"; done <out &&
	test_grep "^total: .* no row lost, none doubled, every line valid$" out
'

test_done
