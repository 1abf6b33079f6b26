#!/bin/sh
# bench/proxy.sh: what the recording proxy adds to a request, against
# calling the same upstream directly: latency per request (p50, p99), time
# to first byte and delay per chunk of streams, requests per second with
# 50 concurrent clients, and peak RSS with 200 streams open at once. The
# upstream is bench/proxy-upstream.py, the clients bench/proxy-client.py;
# the proxy records every request into a scratch ledger as it would for
# a user (fsync on, as by default).
#
# usage: bench/proxy.sh [path-to-tally] [requests]
set -eu

tally=${1:-build/tally}
n=${2:-2000}
case $tally in /*) ;; *) tally=$PWD/$tally ;; esac
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
upstream_pid= proxy_pid=
cleanup() {
	[ -z "$proxy_pid" ] || kill "$proxy_pid" 2>/dev/null || :
	[ -z "$upstream_pid" ] || kill "$upstream_pid" 2>/dev/null || :
	wait 2>/dev/null || :
	rm -rf "$work"
}
trap cleanup EXIT
export TALLY_HOME=$work/home TALLY_CEILING_DIRECTORIES=$work HOME=$work
cd "$work"

wait_for() {
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "bench/proxy.sh: $1 never came" >&2; exit 1; }
		sleep 0.05
	done
}

python3 "$here/proxy-upstream.py" "$work/port" &
upstream_pid=$!
wait_for "$work/port"
up=http://127.0.0.1:$(cat "$work/port")
"$tally" -c providers.openai.base_url="$up/v1" proxy --listen 127.0.0.1:0 \
	-q >"$work/url" 2>"$work/proxy.log" &
proxy_pid=$!
wait_for "$work/url"
direct=$up/v1
proxied=$(cat "$work/url")/openai
client() { python3 "$here/proxy-client.py" "$@"; }

# pct <file> <p>: the p-th percentile of a file of numbers.
stats() {
	python3 - "$@" <<'PY'
import statistics, sys
def load(path, kind=None):
    v = []
    for line in open(path):
        f = line.split()
        if kind is None:
            v.append(int(f[0]))
        elif f[0] == kind:
            v.append(int(f[1]))
    v.sort()
    return v
def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p / 100))]
what, d, p = sys.argv[1], sys.argv[2], sys.argv[3]
kind = None if what == "latency" else what
a, b = load(d, kind), load(p, kind)
for name, q in (("p50", 50), ("p99", 99)):
    print("  %s: direct %.3f ms, through the proxy %.3f ms, added %.3f ms" %
          (name, pct(a, q) / 1000, pct(b, q) / 1000,
           (pct(b, q) - pct(a, q)) / 1000))
PY
}

echo "tally proxy against the upstream called directly, $(uname -m), $(nproc) cores"
client latency "$direct" 200 >/dev/null  # warm both paths
client latency "$proxied" 200 >/dev/null
client latency "$direct" "$n" >"$work/lat.direct"
client latency "$proxied" "$n" >"$work/lat.proxied"
echo "latency per request, $n sequential requests on one connection:"
stats latency "$work/lat.direct" "$work/lat.proxied"

client stream "$direct" 20 50 20 >"$work/st.direct"
client stream "$proxied" 20 50 20 >"$work/st.proxied"
echo "streams, 20 of 50 chunks 20 ms apart, time to first byte:"
stats ttfb "$work/st.direct" "$work/st.proxied"
echo "streams, delay of each chunk from upstream send to client receipt:"
stats chunk "$work/st.direct" "$work/st.proxied"

printf 'requests per second, 50 concurrent clients for 10 s: direct '
client load "$direct" 50 10
printf '  through the proxy '
client load "$proxied" 50 10

idle=$(sed -n 's/^VmRSS:[[:space:]]*//p' "/proc/$proxy_pid/status")
client open "$proxied" 200 40 100 >"$work/open.out"
peak=$(sed -n 's/^VmHWM:[[:space:]]*//p' "/proc/$proxy_pid/status")
streams=$(grep -c '^ttfb' "$work/open.out")
echo "memory, 200 streams open at once (40 chunks 100 ms apart): $streams completed"
python3 - "$idle" "$peak" <<'PY'
import sys
idle, peak = (int(x.split()[0]) for x in sys.argv[1:3])
print("  RSS idle %.1f MiB, peak %.1f MiB, %.0f KiB per open stream" %
      (idle / 1024, peak / 1024, (peak - idle) / 200))
PY

kill -TERM "$proxy_pid"
wait "$proxy_pid" || :
proxy_pid=
rows=$(cat "$TALLY_HOME"/profile/usage-ledger.jsonl | wc -l)
echo "rows in the ledger after the run: $rows, one per proxied request"
