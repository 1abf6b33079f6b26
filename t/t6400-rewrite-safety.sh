#!/bin/sh
test_description='compact and migrate under concurrent writers and kill -9'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW
GEN="python3 $TEST_DIRECTORY/lib/gen-ledger.py"

# A ledger with work for both rewrites: old entries to fold into rollups,
# superseded rows, invalid lines, legacy rows to upgrade.
test_expect_success 'set-up: a template ledger' '
	$GEN template.jsonl --rows 20000 --days 90 --updates 0.1 --invalid 5 \
		--legacy 0.3 &&
	test_line_count = 22018 template.jsonl
'

# check-ledger.py <ledger> <ids file>: every line parses, unless it is one
# of the template's deliberately invalid lines; every id in <ids> is there
# exactly once as an entry row.
cat >check-ledger.py <<'PY'
import json, sys
ledger, ids = sys.argv[1:3]
seen = {}
for n, line in enumerate(open(ledger, encoding="utf-8"), 1):
    try:
        row = json.loads(line)
    except ValueError:
        assert line.startswith('{"v":1,"entryId":"broken'), (n, line)
        continue
    if row.get("kind") is None:
        seen[row["entryId"]] = seen.get(row["entryId"], 0) + 1
want = [l.strip() for l in open(ids) if l.strip()]
missing = [i for i in want if i not in seen]
dups = [i for i in want if seen.get(i, 0) > 1]
assert not missing, ("lost", len(missing), missing[:5])
assert not dups, ("duplicated", dups[:5])
print(len(want))
PY

test_expect_success 'writers appending while compact and migrate run again and again' '
	mkdir -p "$TALLY_HOME/profile" &&
	cp template.jsonl "$(ledger)" &&
	tally summary --window workspace --json >before.json 2>/dev/null &&
	for w in 1 2; do
		{
			(
				i=0
				while test $i -lt 200; do
					tally record -p openai -m writer$w --input-tokens 1 \
						--started-at 2026-11-24T11:00:00Z || exit 1
					i=$((i + 1))
				done >ids.$w
				echo done >writer.$w
			) &
		} || return 1
	done &&
	rounds=0 &&
	while ! test -e writer.1 || ! test -e writer.2; do
		tally compact >/dev/null || return 1
		tally migrate >/dev/null || return 1
		rounds=$((rounds + 1))
	done &&
	say "$rounds rounds of compact and migrate ran beside the writers" &&
	test $rounds -ge 3 &&
	cat ids.1 ids.2 >ids &&
	test_line_count = 400 ids &&
	python3 check-ledger.py "$(ledger)" ids &&
	tally migrate --check &&
	tally summary --window workspace --json >after.json 2>/dev/null &&
	test "$(json_get after.json "d[\"requests\"]")" = \
		"$(($(json_get before.json "d[\"requests\"]") + 400))" &&
	test "$(json_get after.json "d[\"inputTokens\"]")" = \
		"$(($(json_get before.json "d[\"inputTokens\"]") + 400))"
'

# kill9.py <tally> <command> <trials> <seed>: copies the template into a
# fresh ledger, starts the command, kills it with SIGKILL after a random
# delay (up to 1.3 times the command's own run time), and checks that the
# ledger is byte for byte the old file or the finished result.
cat >kill9.py <<'PY'
import os, random, shutil, signal, subprocess, sys, time
tally, command, trials, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
home = os.environ["TALLY_HOME"]
ledger = os.path.join(home, "profile", "usage-ledger.jsonl")
old = open("template.jsonl", "rb").read()

def fresh():
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(os.path.dirname(ledger))
    with open(ledger, "wb") as f:
        f.write(old)

fresh()
start = time.monotonic()
subprocess.run([tally, command], check=True, stdout=subprocess.DEVNULL)
took = time.monotonic() - start
new = open(ledger, "rb").read()
assert new != old

rnd = random.Random(seed)
outcomes = {"old": 0, "new": 0}
for trial in range(trials):
    fresh()
    p = subprocess.Popen([tally, command], stdout=subprocess.DEVNULL)
    time.sleep(rnd.uniform(0, took * 1.3))
    p.send_signal(signal.SIGKILL)
    p.wait()
    now = open(ledger, "rb").read()
    if now == old:
        outcomes["old"] += 1
    elif now == new:
        outcomes["new"] += 1
    else:
        sys.exit("trial %d: the ledger is neither the old nor the new file" % trial)
    # The next writer still works, and sweeps the killed run's leftovers.
    subprocess.run([tally, command], check=True, stdout=subprocess.DEVNULL)
    assert open(ledger, "rb").read() == new, "trial %d: rerun differs" % trial
    left = [n for n in os.listdir(os.path.dirname(ledger)) if ".tmp." in n]
    assert not left, left
print("%s: %d trials, run time %.0f ms: old file %d times, new file %d times"
      % (command, trials, took * 1000, outcomes["old"], outcomes["new"]))
PY

test_expect_success 'kill -9 of compact at random moments: old file or new, never a mix' '
	export TALLY_HOME=$PWD/k-compact &&
	python3 kill9.py "$(command -v tally)" compact 60 6100 >out &&
	say "$(cat out)"
'

test_expect_success 'kill -9 of migrate at random moments: old file or new, never a mix' '
	export TALLY_HOME=$PWD/k-migrate &&
	python3 kill9.py "$(command -v tally)" migrate 60 6200 >out &&
	say "$(cat out)"
'

# clear-race.py <tally> <rounds> <seed>: three writers and a compaction
# loop run while clear removes the scope once a round. Every record that
# started after that clear had returned, and exited 0, must be in the
# ledger. With a lock file that clear unlinked, a writer still holding the
# old one and a compaction holding a new one both "held" the lock, and
# such rows were lost (about one round in ten).
cat >clear-race.py <<'PY'
import json, os, random, subprocess, sys, threading, time
tally, rounds, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ledger = os.path.join(os.environ["TALLY_HOME"], "profile", "usage-ledger.jsonl")
rnd = random.Random(seed)
checked = lost = 0
for r in range(rounds):
    cleared, stop, must, mu = threading.Event(), threading.Event(), [], threading.Lock()
    def writer(w):
        for i in range(12):
            after = cleared.is_set()
            p = subprocess.run([tally, "-c", "fsync=false", "record", "-p", "openai",
                                "-m", "w%d" % w, "--input-tokens", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            if p.returncode == 0 and after:
                with mu:
                    must.append(p.stdout.decode().strip())
    def compactor():
        while not stop.is_set():
            subprocess.run([tally, "compact"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    threads = [threading.Thread(target=writer, args=(w,)) for w in (1, 2, 3)]
    threads.append(threading.Thread(target=compactor))
    for t in threads:
        t.start()
    time.sleep(rnd.uniform(0, 0.05))
    subprocess.run([tally, "clear", "--yes"], stdout=subprocess.DEVNULL, check=True)
    cleared.set()
    for t in threads[:3]:
        t.join()
    stop.set()
    threads[3].join()
    ids = set()
    for line in open(ledger) if os.path.exists(ledger) else []:
        ids.add(json.loads(line)["entryId"])
    checked += len(must)
    lost += len([m for m in must if m not in ids])
print("%d rounds, %d rows recorded after a clear, %d lost" % (rounds, checked, lost))
sys.exit(1 if lost or not checked else 0)
PY

test_expect_success 'clear racing writers and compact loses no row recorded after it' '
	export TALLY_HOME=$PWD/clear-race &&
	python3 clear-race.py "$(command -v tally)" 100 6300 >out &&
	say "$(cat out)"
'

test_expect_success 'clear keeps the lock file: the same inode before and after' '
	export TALLY_HOME=$PWD/clear-lock &&
	tally record -q -p openai -m m --input-tokens 1 &&
	before=$(stat -c %i "$TALLY_HOME/profile/usage-ledger.lock") &&
	tally clear --yes >out &&
	test_grep "^removed [0-9]* files* from $TALLY_HOME/profile$" out &&
	ls -A "$TALLY_HOME/profile" >left &&
	echo usage-ledger.lock >expect &&
	test_cmp expect left &&
	test "$(stat -c %i "$TALLY_HOME/profile/usage-ledger.lock")" = "$before" &&
	tally record -q -p openai -m m --input-tokens 1 &&
	test "$(stat -c %i "$TALLY_HOME/profile/usage-ledger.lock")" = "$before"
'

test_done
