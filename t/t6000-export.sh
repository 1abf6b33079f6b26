#!/bin/sh
test_description='tally export: CSV, JSON, NDJSON, Prometheus, Pushgateway, HTML'
. ./test-lib.sh

TALLY_NOW=2026-11-24T12:00:00Z
export TALLY_NOW

# check-export.py <format> <export file> <ledger> [--sensitive]: the export
# holds exactly the folded usage entries of the ledger, in the order tally
# documents (oldest first), field for field.
cat >check-export.py <<'EOF'
import csv, datetime, decimal, json, sys

fmt, path, ledger = sys.argv[1:4]
sensitive = "--sensitive" in sys.argv
SENSITIVE = ("sessionResource", "requestId", "providerRequestId")
TIMES = ("startedAt", "completedAt", "recordedAt", "syncedAt")

def load(text):
    return json.loads(text, parse_float=decimal.Decimal)

entries, first = {}, {}
with open(ledger, encoding="utf-8") as f:
    off = 0
    for line in f:
        try:
            row = load(line)
        except ValueError:
            off += len(line.encode())
            continue
        if "kind" not in row:
            entries[row["entryId"]] = row
            first.setdefault(row["entryId"], off)
        off += len(line.encode())

def when(e):
    for k in ("startedAt", "completedAt", "recordedAt"):
        if k in e:
            return e[k]
    return 0

want = sorted(entries.values(), key=lambda e: (when(e), first[e["entryId"]]))
if not sensitive:
    want = [{k: v for k, v in e.items() if k not in SENSITIVE} for e in want]

if fmt == "csv":
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    assert len(rows) == len(want), (len(rows), len(want))
    for k in SENSITIVE:
        assert (k in header) == sensitive, k
    for row, e in zip(rows, want):
        assert len(row) == len(header)
        for name, cell in zip(header, row):
            if name not in e:
                assert cell == "", (name, cell)
            elif name == "tags":
                assert json.loads(cell) == e[name], (cell, e[name])
            elif isinstance(e[name], decimal.Decimal):
                assert decimal.Decimal(cell) == e[name], (name, cell)
            elif name in TIMES:
                # ISO 8601 with its offset, the same instant to the ms.
                t = datetime.datetime.fromisoformat(cell)
                assert t.utcoffset() is not None, cell
                assert round(t.timestamp() * 1000) == e[name], (name, cell)
            else:
                assert cell == str(e[name]), (name, cell, e[name])
        # Every field the ledger has is a column (unknown ones aside).
        extra = set(e) - set(header) - {"v", "futureField"}
        assert not extra, extra
else:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    got = load(text) if fmt == "json" else [load(l) for l in text.splitlines()]
    assert got == want, (got, want)
print(len(want))
EOF

test_expect_success 'set-up: entries with every kind of field' '
	tally record -q -p openai -m gpt-4.1 --started-at 2026-11-20T10:00:00Z \
		--input-tokens 1200 --output-tokens 300 --cache-read-tokens 200 \
		--estimated-cost 0.0123 --latency-ms 900 --ttft-ms 120 \
		--provider-request-id chatcmpl-1 --request-id mine-1 &&
	tally record -q -p anthropic -m "claude, \"quoted\"" \
		--started-at 2026-11-21T09:00:00Z --input-tokens 5000 \
		--output-tokens 700 --cache-write-tokens 1000 \
		--tag "note=a, \"b\"" --tag team=infra &&
	tally record -q -p openrouter -m anthropic/claude-sonnet-4 \
		--started-at 2026-11-22T08:00:00Z --input-tokens 10 \
		--output-tokens 5 --cost 0.000123456 --reasoning-tokens 2 &&
	tally record -q -p openai -m gpt-4.1 --started-at 2026-11-23T07:00:00Z \
		--status failed --http-status 429 --error rate_limit_exceeded &&
	id=$(tally record -p gemini -m gemini-local \
		--started-at 2026-11-19T06:00:00Z --status in_progress) &&
	tally record -q --entry "$id" --status completed --input-tokens 40 \
		--output-tokens 60 &&
	printf "%s\n" "{\"v\":1,\"entryId\":\"u_hand\",\"providerId\":\"openai\",\"modelId\":\"m\",\"startedAt\":1795500000000,\"billedInputTokens\":3,\"source\":\"manual\",\"status\":\"completed\",\"syncStatus\":\"pending_sync\",\"futureField\":{\"a\":[1,2]}}" \
		"not json" >>"$(ledger)" &&
	test_line_count = 8 "$(ledger)"
'

test_expect_success 'CSV parsed by Python equals the folded ledger' '
	tally export >out.csv 2>err &&
	python3 check-export.py csv out.csv "$(ledger)" >n &&
	echo 6 >expect &&
	test_cmp expect n &&
	head -n 1 out.csv | tr -d "\r" >header &&
	test_grep "^entryId,startedAt,completedAt,recordedAt,providerId,modelId,billedInputTokens," header &&
	test_grep "invalid ledger line" err
'

test_expect_success 'CSV: times in ISO 8601, in the configured zone, with its offset' '
	tally export --format csv --provider openai >utc.csv &&
	TZ=America/New_York tally export --format csv --provider openai >ny.csv &&
	tally -c timezone=Asia/Kolkata export --format csv --provider openai >in.csv &&
	sed -n 2p utc.csv | cut -d, -f2 >t &&
	test_grep -E "^20[0-9-]*T[0-9:]*\.[0-9]{3}\+00:00$" t &&
	sed -n 2p ny.csv | cut -d, -f2 >t &&
	test_grep -E "^20[0-9-]*T[0-9:]*\.[0-9]{3}-0[45]:00$" t &&
	sed -n 2p in.csv | cut -d, -f2 >t &&
	test_grep "+05:30$" t
'

test_expect_success 'CSV: RFC 4180 quoting and CRLF line ends' '
	tally export >out.csv &&
	test_grep "\"claude, \"\"quoted\"\"\"" out.csv &&
	test "$(grep -c "$(printf "\r")\$" out.csv)" = 7
'

test_expect_success 'sensitive fields only with --include-sensitive' '
	tally export --format ndjson >plain &&
	! grep chatcmpl-1 plain &&
	! grep sessionResource plain &&
	tally export --include-sensitive >s.csv &&
	python3 check-export.py csv s.csv "$(ledger)" --sensitive &&
	test_grep ",mine-1,chatcmpl-1" s.csv
'

test_expect_success 'JSON and NDJSON are the ledger entry objects' '
	tally export --format json >out.json &&
	python3 check-export.py json out.json "$(ledger)" &&
	tally export --format ndjson >out.ndjson &&
	python3 check-export.py ndjson out.ndjson "$(ledger)" &&
	tally export --format ndjson --include-sensitive >s.ndjson &&
	python3 check-export.py ndjson s.ndjson "$(ledger)" --sensitive
'

test_expect_success 'filters select entries' '
	tally export --format ndjson -p openai >o &&
	test_line_count = 3 o &&
	tally export --format ndjson --since 2026-11-21 --until 2026-11-23 >w &&
	test_line_count = 2 w &&
	tally export --format ndjson --tag team=infra >t &&
	test_line_count = 1 t &&
	tally export --format csv --status failed >f &&
	test_line_count = 2 f
'

test_expect_success 'an empty scope exports a header, [] or nothing' '
	TALLY_HOME=$PWD/empty tally export >e.csv &&
	test_line_count = 1 e.csv &&
	TALLY_HOME=$PWD/empty tally export --format json >e.json &&
	echo "[]" >expect &&
	test_cmp expect e.json &&
	TALLY_HOME=$PWD/empty tally export --format ndjson >e.nd &&
	test_must_be_empty e.nd &&
	! test -e empty
'

test_expect_success '-o writes the file whole, leaving no temporary file' '
	mkdir outdir &&
	tally export --format json -o outdir/usage.json &&
	python3 check-export.py json outdir/usage.json "$(ledger)" &&
	ls outdir >list &&
	echo usage.json >expect &&
	test_cmp expect list &&
	tally export -o - >dash.csv &&
	tally export >plain.csv &&
	test_cmp plain.csv dash.csv
'

test_expect_success '-o: the file name gives the format when --format does not' '
	tally export -o named.html 2>err &&
	test_must_be_empty err &&
	test_grep "^<!DOCTYPE html>" named.html &&
	tally export -o named.JSON &&
	python3 check-export.py json named.JSON "$(ledger)" &&
	tally export -o named.jsonl &&
	python3 check-export.py ndjson named.jsonl "$(ledger)" &&
	tally export -o named.prom &&
	test_grep "^# TYPE" named.prom &&
	tally export -o named.txt &&
	test_cmp plain.csv named.txt &&
	mkdir dir.html &&
	tally export -o dir.html/named &&
	test_cmp plain.csv dir.html/named
'

test_expect_success 'the old -f still works, with a notice' '
	tally export -f ndjson >old 2>err &&
	tally export --format ndjson >new &&
	test_cmp new old &&
	test_grep "^tally: warning: export -f is now --format" err &&
	tally export -h >h &&
	test_grep -v "^ *-f" h
'

test_expect_success '-o: a name that disagrees with --format is warned about' '
	tally export --format csv -o odd.html 2>err &&
	test_grep "^tally: warning: writing csv to .odd.html., as --format says, though its name says html$" err &&
	test_cmp plain.csv odd.html
'

test_expect_success '-o into a missing directory fails cleanly' '
	test_expect_code 1 tally export -o nowhere/x.csv 2>err &&
	test_grep "^tally: cannot write .nowhere/x.csv.: No such file or directory" err
'

test_expect_success UNPRIV '-o into a read-only directory fails cleanly' '
	ro=$UNPRIV_DIR/ro && mkdir "$ro" && chmod 555 "$ro" &&
	cp -R .tally-data "$UNPRIV_DIR/ro-data" && chmod -R a+rX "$UNPRIV_DIR/ro-data" &&
	test_expect_code 1 run_unprivileged env TALLY_HOME=$UNPRIV_DIR/ro-data \
		tally export -o "$ro/x.csv" 2>err &&
	test_grep "cannot write .$ro/x.csv.: Permission denied" err &&
	test -z "$(ls -A "$ro")"
'

test_expect_success 'exporting works while another process holds the lock' '
	hold_lock "$TALLY_HOME/profile/usage-ledger.lock" &&
	tally -c lock_timeout_ms=100 export --format ndjson >l.nd &&
	tally -c lock_timeout_ms=100 export --format prometheus >l.prom &&
	kill $HOLD_PID &&
	test_line_count = 6 l.nd
'

test_expect_success 'bad formats, filters on metrics and stray arguments' '
	test_expect_code 2 tally export --format xml 2>err &&
	test_grep "expects csv, json, ndjson, prometheus or html, not .xml." err &&
	test_expect_code 2 tally export --format prometheus --since 1d 2>err &&
	test_grep "take no filters" err &&
	test_expect_code 2 tally export --format csv --push http://127.0.0.1:1 2>err &&
	test_grep "takes no other --format" err &&
	test_expect_code 2 tally export --push file:///etc/passwd 2>err &&
	test_grep "is not an http(s) URL" err &&
	test_expect_code 2 tally export --format html --grep x 2>err &&
	test_grep "HTML report takes" err &&
	test_expect_code 2 tally export stray 2>err &&
	test_grep "unexpected argument .stray." err &&
	test_expect_code 2 tally export --since yesterdayish 2>err &&
	test_grep "invalid time" err
'

cat >budgets.yaml <<'EOF'
budgets:
  - name: daily tokens
    period: day
    tokens: 10000
  - name: month
    period: month
    usd: 10
EOF

test_expect_success 'Prometheus: promtool check metrics passes' '
	TALLY_CONFIG=$PWD/budgets.yaml tally export --format prometheus >m.prom &&
	promtool check metrics <m.prom >lint 2>&1 &&
	test_must_be_empty lint
'

test_expect_success 'Prometheus: GenAI labels and the right values' '
	TALLY_CONFIG=$PWD/budgets.yaml tally export --format prometheus >m.prom &&
	test_grep "^tally_gen_ai_usage_tokens_total{gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4.1\",gen_ai_token_type=\"input\"} 1200$" m.prom &&
	test_grep "^tally_gen_ai_usage_tokens_total{gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4.1\",gen_ai_token_type=\"cache_read\"} 200$" m.prom &&
	test_grep "^tally_gen_ai_usage_tokens_total{gen_ai_provider_name=\"anthropic\",gen_ai_request_model=\"claude, \\\\\"quoted\\\\\"\",gen_ai_token_type=\"cache_write\"} 1000$" m.prom &&
	test_grep "^tally_gen_ai_usage_tokens_total{gen_ai_provider_name=\"openrouter\",gen_ai_request_model=\"anthropic/claude-sonnet-4\",gen_ai_token_type=\"reasoning\"} 2$" m.prom &&
	test_grep "^tally_gen_ai_requests_total{gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4.1\"} 2$" m.prom &&
	test_grep "^tally_gen_ai_failed_requests_total{gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4.1\"} 1$" m.prom &&
	test_grep "^tally_gen_ai_cost_usd_total{gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4.1\",cost_kind=\"estimated\"} 0.0123$" m.prom &&
	test_grep "^tally_gen_ai_cost_usd_total{gen_ai_provider_name=\"openrouter\",gen_ai_request_model=\"anthropic/claude-sonnet-4\",cost_kind=\"billed\"} 0.000123456$" m.prom &&
	test_grep "^tally_gen_ai_unpriced_requests_total{gen_ai_provider_name=\"anthropic\",gen_ai_request_model=\"claude, \\\\\"quoted\\\\\"\"} 1$" m.prom &&
	test_grep "^tally_budget_limit_tokens{budget=\"daily tokens\",period=\"day\"} 10000$" m.prom &&
	test_grep "^tally_budget_limit_usd{budget=\"month\",period=\"month\"} 10$" m.prom &&
	test_grep "^tally_budget_unpriced_requests{budget=\"month\",period=\"month\"} 3$" m.prom
'

test_expect_success 'Prometheus: a remaining budget gauge only where the budget has that limit' '
	TALLY_CONFIG=$PWD/budgets.yaml tally export --format prometheus >m.prom &&
	test_grep "^tally_budget_remaining_tokens{budget=\"daily tokens\",period=\"day\"} [-0-9]" m.prom &&
	test_grep "^tally_budget_remaining_usd{budget=\"month\",period=\"month\"} [-0-9]" m.prom &&
	test_grep -v "^tally_budget_remaining_usd{budget=\"daily tokens\"" m.prom &&
	test_grep -v "^tally_budget_remaining_tokens{budget=\"month\"" m.prom &&
	tally export --format prometheus >none.prom &&
	test_grep -v "^tally_budget_" none.prom &&
	test_grep -v -i "inf\|nan" none.prom m.prom
'

test_expect_success 'Prometheus: unpriced usage is never a $0 cost series' '
	tally export --format prometheus >m.prom &&
	! grep "^tally_gen_ai_cost_usd_total{gen_ai_provider_name=\"anthropic\"" m.prom &&
	! grep "^tally_gen_ai_cost_usd_total{gen_ai_provider_name=\"gemini\"" m.prom &&
	! grep "cost_kind=\"billed\"} 0$" m.prom
'

test_expect_success 'Prometheus: quota gauges from recorded headers' '
	printf "HTTP/1.1 200 OK\r\nx-request-id: req_q\r\nx-ratelimit-limit-tokens: 30000\r\nx-ratelimit-remaining-tokens: 29000\r\nx-ratelimit-limit-requests: 500\r\nx-ratelimit-remaining-requests: 499\r\n\r\n" >h.txt &&
	TALLY_HOME=$PWD/q tally record -q -p openai -m gpt-4.1 --input-tokens 1 \
		--headers h.txt &&
	TALLY_HOME=$PWD/q tally export --format prometheus >q.prom &&
	promtool check metrics <q.prom &&
	test_grep "^tally_provider_quota_remaining_tokens{gen_ai_provider_name=\"openai\"} 29000$" q.prom &&
	test_grep "^tally_provider_quota_remaining_requests{gen_ai_provider_name=\"openai\"} 499$" q.prom &&
	test_grep "^tally_provider_quota_age_seconds{gen_ai_provider_name=\"openai\"} 0$" q.prom
'

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

http_get() {
	python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"
}

# pushgateway_start: Debian's Pushgateway on a free loopback port, as
# PG_URL, keeping its groups in memory only (Debian's default persists
# them to a file every instance shares); stopped when the script ends.
pushgateway_start() {
	port=$(free_port) || return 1
	prometheus-pushgateway --web.listen-address=127.0.0.1:$port \
		--persistence.file= \
		>>pg.log 2>&1 &
	echo $! >>"$TRASH_DIRECTORY/.fake-pids"
	PG_URL=http://127.0.0.1:$port
	i=0
	until http_get $PG_URL/-/ready >/dev/null 2>&1; do
		i=$((i + 1))
		test $i -lt 200 || { echo "the Pushgateway did not start" >&2; return 1; }
		sleep 0.05
	done
}

test_expect_success 'Pushgateway round trip' '
	pushgateway_start &&
	TALLY_CONFIG=$PWD/budgets.yaml tally export --push $PG_URL/ >out &&
	test_must_be_empty out &&
	http_get $PG_URL/api/v1/metrics >api.json &&
	test "$(json_get api.json "d[\"data\"][0][\"labels\"][\"job\"]")" = tally &&
	test "$(json_get api.json "d[\"data\"][0][\"labels\"][\"workspace\"]")" = profile &&
	test "$(json_get api.json "d[\"data\"][0][\"labels\"][\"instance\"]")" = "$(hostname)" &&
	test "$(json_get api.json "[m[\"value\"] for m in d[\"data\"][0][\"tally_gen_ai_usage_tokens_total\"][\"metrics\"] if m[\"labels\"][\"gen_ai_provider_name\"] == \"openai\" and m[\"labels\"][\"gen_ai_request_model\"] == \"gpt-4.1\" and m[\"labels\"][\"gen_ai_token_type\"] == \"input\"]")" = "[\"1200\"]" &&
	test "$(json_get api.json "d[\"data\"][0][\"tally_budget_limit_usd\"][\"metrics\"][0][\"value\"]")" = 10 &&
	http_get $PG_URL/metrics >scrape &&
	test_grep "^tally_gen_ai_requests_total{gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4.1\",instance=\"$(hostname)\",job=\"tally\",workspace=\"profile\"} 2$" scrape
'

test_expect_success 'a second push replaces the group; -o keeps a copy' '
	pushgateway_start &&
	tally export --push $PG_URL &&
	tally record -q -p openai -m gpt-4.1 --input-tokens 1 \
		--started-at 2026-11-24T11:00:00Z &&
	tally export --push $PG_URL -o pushed.prom &&
	test_grep "gen_ai_request_model=\"gpt-4.1\"} 3$" pushed.prom &&
	http_get $PG_URL/metrics >scrape &&
	test_grep "^tally_gen_ai_requests_total{gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4.1\",instance=\"$(hostname)\",job=\"tally\",workspace=\"profile\"} 3$" scrape
'

cat >gw.json <<'EOF'
{"routes": [
  {"method": "PUT", "path": "/down/metrics/job/tally/instance/HOST/workspace/profile",
   "replies": [{"status": 500, "raw": "internal trouble\n"}]},
  {"method": "PUT", "path": "/auth/metrics/job/tally/instance/HOST/workspace/profile",
   "replies": [{"status": 401, "raw": "no\n"}]},
  {"method": "PUT", "path": "/bad/metrics/job/tally/instance/HOST/workspace/profile",
   "replies": [{"status": 400, "raw": "pushed metrics are invalid or inconsistent with existing metrics\n"}]}
]}
EOF

test_expect_success 'Pushgateway failures: 5xx retried then exit 4, 401 exit 5, 400 exit 4' '
	sed "s/HOST/$(hostname)/" gw.json >gw-host.json &&
	fake_provider_start gw-host.json &&
	test_expect_code 4 tally -c http_max_retries=2 export --push $FAKE_URL/down 2>err &&
	test_grep "^tally: the Pushgateway at $FAKE_URL/down answered HTTP 500: internal trouble$" err &&
	test "$(grep -c "\"path\": \"/down/" "$FAKE_LOG")" = 3 &&
	test_grep "# TYPE tally_gen_ai_requests_total counter" "$FAKE_LOG" &&
	test_expect_code 5 tally export --push $FAKE_URL/auth 2>err &&
	test_grep "refused the push: HTTP 401" err &&
	test_expect_code 4 tally export --push $FAKE_URL/bad 2>err &&
	test_grep "HTTP 400: pushed metrics are invalid" err &&
	fake_provider_stop
'

test_expect_success 'Pushgateway unreachable: exit 4, and no file half written' '
	port=$(free_port) &&
	test_expect_code 4 tally -c http_max_retries=0 export \
		--push http://127.0.0.1:$port -o failed.prom 2>err &&
	test_grep "^tally: cannot reach the Pushgateway at http://127.0.0.1:$port" err &&
	! test -e failed.prom &&
	! ls failed.prom.tmp.* 2>/dev/null
'

test_expect_success 'a refused connection is not tried again' '
	port=$(free_port) &&
	test_expect_code 4 tally -c http_max_retries=4 export \
		--push http://127.0.0.1:$port 2>err &&
	test_line_count = 1 err &&
	test_grep -v "trying again" err
'

test_expect_success '--job and --label name the group; a path prefix is kept' '
	pushgateway_start &&
	tally export --push $PG_URL --job ci --label branch=main \
		--label instance=runner-1 --label path=a/b --label empty= &&
	http_get $PG_URL/api/v1/metrics >api.json &&
	test "$(json_get api.json "[sorted(g[\"labels\"].items()) for g in d[\"data\"] if g[\"labels\"][\"job\"] == \"ci\"]")" = \
		"[[[\"branch\", \"main\"], [\"empty\", \"\"], [\"instance\", \"runner-1\"], [\"job\", \"ci\"], [\"path\", \"a/b\"], [\"workspace\", \"profile\"]]]" &&
	sed "s/HOST/$(hostname)/" gw.json >gw-host.json &&
	fake_provider_start gw-host.json &&
	test_expect_code 4 tally -c http_max_retries=0 export \
		--push $FAKE_URL/down/ --job "a b" 2>err &&
	test_grep "\"path\": \"/down/metrics/job/a%20b/instance/" "$FAKE_LOG" &&
	fake_provider_stop
'

test_expect_success '--job and --label: bad names and misplaced use' '
	test_expect_code 2 tally export --push http://127.0.0.1:1 --label 9x=1 2>err &&
	test_grep "^tally: --label expects <name>=<value>" err &&
	test_expect_code 2 tally export --push http://127.0.0.1:1 --label job=x 2>err &&
	test_expect_code 2 tally export --push http://127.0.0.1:1 --label novalue 2>err &&
	test_expect_code 2 tally export --push http://127.0.0.1:1 --job "" 2>err &&
	test_grep "job must not be empty" err &&
	test_expect_code 2 tally export --label a=b 2>err &&
	test_grep "name the group of --push" err &&
	test_expect_code 2 tally export --push http://127.0.0.1:1/metrics/job/x 2>err &&
	test_grep "takes the Pushgateway.s own URL" err
'

# html-totals.py <dom>: the texts of the elements the test looks at.
cat >html-totals.py <<'EOF'
import html.parser, json, sys

class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.found, self.rows = [], {}, {}
        self.table = None
        self.cell = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.table = a.get("id")
            self.rows[self.table] = []
        if tag == "tr" and self.table:
            self.rows[self.table].append([])
        if tag in ("td", "th") and self.table:
            self.cell = []
        if "id" in a and tag == "div":
            self.stack.append((a["id"], []))
        elif tag == "div":
            self.stack.append((None, None))
    def handle_endtag(self, tag):
        if tag == "div" and self.stack:
            key, text = self.stack.pop()
            if key:
                self.found[key] = " ".join("".join(text).split())
        if tag in ("td", "th") and self.cell is not None and self.table:
            self.rows[self.table][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        if tag == "table":
            self.table = None
    def handle_data(self, data):
        for key, text in self.stack:
            if text is not None:
                text.append(data)
        if self.cell is not None:
            self.cell.append(data)

p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
print(json.dumps({"cards": p.found, "tables": p.rows}))
EOF

chromium_dump() {
	chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-dev-shm-usage \
		--no-first-run --user-data-dir="$TRASH_DIRECTORY/chromium" \
		--dump-dom "file://$1" 2>chromium.err
}

test_expect_success 'HTML: self-contained, nothing to fetch' '
	TALLY_CONFIG=$PWD/budgets.yaml tally export --format html -o report.html &&
	test_grep "^<!DOCTYPE html>" report.html &&
	! grep -i "<script" report.html &&
	! grep -i " src=" report.html &&
	! grep -i " href=" report.html &&
	! grep -i "url(" report.html &&
	! grep -i "@import" report.html
'

test_expect_success 'HTML: headless Chromium renders the totals' '
	chromium_dump "$PWD/report.html" >dom.html &&
	test_grep "daily-tokens" dom.html &&
	python3 html-totals.py dom.html >t.json &&
	test "$(json_get t.json "d[\"cards\"][\"total-requests\"]")" = 7 &&
	test "$(json_get t.json "d[\"cards\"][\"total-tokens\"]")" = "7,319" &&
	test "$(json_get t.json "d[\"cards\"][\"total-cost\"]")" = "~\$0.0124 +3 unpriced" &&
	test "$(json_get t.json "d[\"cards\"][\"pending-sync\"]")" = 6 &&
	test "$(json_get t.json "[r[:3] for r in d[\"tables\"][\"by-provider\"]]")" = \
		"[[\"Provider\", \"Requests\", \"Tokens\"], [\"anthropic\", \"1\", \"5,700\"], [\"openai\", \"4\", \"1,504\"], [\"gemini\", \"1\", \"100\"], [\"openrouter\", \"1\", \"15\"]]" &&
	test "$(json_get t.json "[r[0] for r in d[\"tables\"][\"budgets\"]]")" = \
		"[\"Budget\", \"daily tokens\", \"month\"]" &&
	test "$(json_get t.json "len(d[\"tables\"][\"recent\"])")" = 8
'

test_expect_success 'HTML: the charts have a y-axis and days with their year' '
	python3 -c "
import re, sys
dom = open(\"dom.html\").read()
svg = re.search(r\"<svg id=.daily-tokens.*?</svg>\", dom, re.S).group(0)
ticks = re.findall(r\"<text class=.tick.[^>]*>([^<]*)<\", svg)
days = re.findall(r\"<text class=.day.[^>]*>([^<]*)<\", svg)
print(ticks, days)
assert len(ticks) == 5 and ticks[0] == \"0\", ticks
assert re.match(r\"^\\d{4}-\\d{2}-\\d{2}$\", days[0]), days
assert all(re.match(r\"^\\d{2}-\\d{2}$\", d) for d in days[1:]), days
" >axis.out &&
	test_grep "5.0k" axis.out
'

test_expect_success 'HTML: a window across the new year names both years' '
	mkdir -p ny &&
	TALLY_HOME=$PWD/ny tally record -q -p openai -m m --started-at 2025-12-28T10:00:00Z \
		--input-tokens 10 --output-tokens 0 &&
	TALLY_HOME=$PWD/ny tally record -q -p openai -m m --started-at 2026-01-02T10:00:00Z \
		--input-tokens 20 --output-tokens 0 &&
	TALLY_HOME=$PWD/ny tally export --format html --since 2025-12-20 --until 2026-01-10 -o ny.html &&
	python3 -c "
import re
svg = re.search(r\"<svg id=.daily-tokens.*?</svg>\", open(\"ny.html\").read(), re.S).group(0)
print(\" \".join(re.findall(r\"<text class=.day.[^>]*>([^<]*)<\", svg)))
" >days &&
	echo "2025-12-20 12-23 12-26 12-29 2026-01-01 01-04 01-07 01-09" >expect &&
	test_cmp expect days
'

cat >bars.py <<'EOF'
import re, sys
svg = re.search(r"<svg id=.daily-tokens.*?</svg>", open(sys.argv[1]).read(), re.S).group(0)
title = re.search(r'aria-label="([^"]*)"', svg).group(1)
bars = re.findall(r"<g class=.bar.><title>([0-9-]*): ([0-9,]*) tokens</title>", svg)
print(title, len(bars), sum(int(v.replace(",", "")) for _, v in bars),
      bars[0][0], bars[-1][0])
EOF

test_expect_success 'HTML: a long window is drawn by week, a longer one by month' '
	mkdir -p long &&
	for at in 2024-03-10 2026-06-02 2026-06-09 2026-07-15 2026-10-31
	do
		TALLY_HOME=$PWD/long tally record -q -p openai -m m --started-at ${at}T10:00:00Z \
			--input-tokens 100 --output-tokens 0 || return 1
	done &&
	TALLY_HOME=$PWD/long tally export --format html --since 2026-06-01 --until 2026-11-01 -o weeks.html &&
	python3 bars.py weeks.html >out &&
	echo "Tokens per week 22 400 2026-06-01 2026-10-26" >expect &&
	test_cmp expect out &&
	TALLY_HOME=$PWD/long tally export --format html --since 2024-01-01 --until 2026-11-01 -o months.html &&
	python3 bars.py months.html >out &&
	echo "Tokens per month 34 500 2024-01-01 2026-10-01" >expect &&
	test_cmp expect out &&
	TALLY_HOME=$PWD/long tally export --format html --since 2026-08-01 --until 2026-11-01 -o days.html &&
	python3 bars.py days.html >out &&
	echo "Tokens per day 92 100 2026-08-01 2026-10-31" >expect &&
	test_cmp expect out
'

test_expect_success 'HTML: by project, where entries have one, as summary counts it' '
	mkdir -p proj &&
	TALLY_HOME=$PWD/proj tally import claude-code "$FIXTURES/claude-code" >/dev/null &&
	TALLY_HOME=$PWD/proj tally export --format html --since 2026-11-01 --until 2026-12-01 -o proj.html &&
	TALLY_HOME=$PWD/proj tally summary --since 2026-11-01 --until 2026-12-01 --by tag:project --json >p.json &&
	python3 -c "
import json, re
html = open(\"proj.html\").read()
table = re.search(r\"<table id=.by-project.>(.*?)</table>\", html, re.S).group(1)
rows = [re.findall(r\"<td[^>]*>([^<]*)</td>\", r) for r in table.split(\"<tr>\")[2:]]
got = sorted((r[0], r[2]) for r in rows)
want = sorted((g[\"tag:project\"] or \"(none)\", format(g[\"totalTokens\"], \",\"))
              for g in json.load(open(\"p.json\"))[\"groups\"])
assert got == want and len(got) > 1, (got, want)
" &&
	! grep -q "by-project" report.html
'

test_expect_success 'HTML: the five-hour blocks, newest first, as summary counts them' '
	test "$(json_get t.json "d[\"tables\"][\"by-block\"][0]")" = \
		"[\"Block (UTC start)\", \"Requests\", \"Tokens\", \"Cost\"]" &&
	TALLY_CONFIG=$PWD/budgets.yaml tally summary --last 30d --by block --json >b.json &&
	python3 -c "
import json, sys
html = json.load(open(\"t.json\"))[\"tables\"][\"by-block\"][1:]
groups = json.load(open(\"b.json\"))[\"groups\"]
want = [[g[\"block\"], str(g[\"requests\"]), format(g[\"totalTokens\"], \",\")]
        for g in reversed(groups)][:20]
got = [r[:3] for r in html]
assert got == want and len(got) > 1, (got, want)
"
'

# chromium_shot <file.html> <png> [<flag>]: a 400x300 screenshot.
chromium_shot() {
	chromium --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-dev-shm-usage \
		--no-first-run --user-data-dir="$TRASH_DIRECTORY/chromium-shot" \
		--window-size=400,300 $3 --screenshot="$2" "file://$1" \
		2>chromium.err
}

test_expect_success 'HTML: a dark scheme when the reader asks for one' '
	chromium_shot "$PWD/report.html" light.png &&
	chromium_shot "$PWD/report.html" dark.png --force-dark-mode &&
	python3 "$TEST_DIRECTORY/lib/png-pixel.py" light.png 3 3 >light &&
	python3 "$TEST_DIRECTORY/lib/png-pixel.py" dark.png 3 3 >dark &&
	echo "245 246 248" >expect &&
	test_cmp expect light &&
	echo "17 20 24" >expect &&
	test_cmp expect dark
'

test_expect_success 'HTML: names are escaped, never markup' '
	TALLY_HOME=$PWD/x tally record -q -p openai -m "<img src=x onerror=alert(1)>" \
		--input-tokens 1 --started-at 2026-11-24T10:00:00Z &&
	TALLY_HOME=$PWD/x tally export --format html -o x.html &&
	! grep "<img" x.html &&
	test_grep "&lt;img src=x onerror=alert(1)&gt;" x.html
'

test_expect_success 'HTML: --since and --provider narrow the report' '
	tally export --format html --since 2026-11-22 -p openai -o narrow.html &&
	chromium_dump "$PWD/narrow.html" >ndom.html &&
	python3 html-totals.py ndom.html >n.json &&
	test "$(json_get n.json "d[\"cards\"][\"total-requests\"]")" = 3 &&
	test_grep "2026-11-22 to 2026-11-24" narrow.html
'

test_expect_success 'HTML: bars stacked by model add up to each day, with a legend' '
	mkdir -p stack &&
	for m in a b c d e f g
	do
		TALLY_HOME=$PWD/stack tally record -q -p openai -m model-$m \
			--started-at 2026-11-20T10:00:00Z --input-tokens 100 || return 1
	done &&
	TALLY_HOME=$PWD/stack tally record -q -p openai -m model-a \
		--started-at 2026-11-21T10:00:00Z --input-tokens 1000 &&
	TALLY_HOME=$PWD/stack tally export --format html --since 2026-11-19 -o stack.html &&
	chromium_dump "$PWD/stack.html" >sdom.html &&
	python3 -c "
import re
svg = re.search(r\"<svg id=.daily-tokens.*?</svg>\", open(\"sdom.html\").read(), re.S).group(0)
out = []
for g in re.findall(r\"<g class=.bar.>(.*?)</g>\", svg, re.S):
    day, total = re.match(r\"<title>([0-9-]*): ([0-9,]*) tokens</title>\", g).groups()
    parts = re.findall(r\"<title>[0-9-]* ([^:]*): ([0-9,]*) tokens</title>\", g)
    assert sum(int(v.replace(\",\", \"\")) for _, v in parts) == int(total.replace(\",\", \"\")), g
    if parts:
        out.append(day + \" \" + \" \".join(\"%s=%s\" % p for p in parts))
print(\"\\n\".join(out))
legend = re.search(r\"<div class=.legend.>(.*?)</div>\", open(\"sdom.html\").read(), re.S).group(1)
print(\" \".join(re.findall(r\"</i>([^<]*)</span>\", legend)))
" >out &&
	cat >expect <<-\EOF &&
	2026-11-20 model-a=100 model-b=100 model-c=100 model-d=100 model-e=100 other models=200
	2026-11-21 model-a=1,000
	model-a model-b model-c model-d model-e other models
	EOF
	test_cmp expect out
'

test_expect_success 'HTML: this month so far, its projection and the month before, as summary says' '
	mkdir -p pace &&
	TALLY_HOME=$PWD/pace tally record -q -p openai -m gpt-4.1 \
		--started-at 2026-10-10T10:00:00Z --input-tokens 2000 &&
	TALLY_HOME=$PWD/pace tally record -q -p openai -m gpt-4.1 \
		--started-at 2026-11-10T10:00:00Z --input-tokens 3000 &&
	TALLY_HOME=$PWD/pace tally export --format html -o pace.html &&
	TALLY_HOME=$PWD/pace tally summary --compare --json >pace.json &&
	chromium_dump "$PWD/pace.html" >pdom.html &&
	python3 -c "
import json, re
t = re.search(r\"<table id=.month.>(.*?)</table>\", open(\"pdom.html\").read(), re.S).group(1)
rows = [[re.sub(\"<[^>]*>\", \"\", c) for c in re.findall(r\"<td[^>]*>(.*?)</td>\", r, re.S)] for r in t.split(\"<tr>\")[2:]]
s = json.load(open(\"pace.json\"))
assert rows[0][:2] == [\"So far\", format(s[\"totalTokens\"], \",\")], rows
assert rows[1][:2] == [\"Projected at its end\", format(s[\"projection\"][\"totalTokens\"], \",\")], rows
assert \"(78% of the month gone)\" in rows[1][3], rows
assert rows[2][:2] == [\"Same days of the month before\", format(s[\"compare\"][\"totalTokens\"], \",\")], rows
assert rows[2][3] == \"this month: tokens +50%, cost +50%\", rows
print(rows)
"
'

test_expect_success 'HTML: subscriptions, month by month, as summary counts them' '
	cat >subs.yaml <<-\EOF &&
	subscriptions:
	  - name: Claude <Max>
	    monthly_usd: 0.01
	    provider: anthropic
	    agents: [claude-code]
	EOF
	TALLY_CONFIG=$PWD/subs.yaml TALLY_HOME=$PWD/proj tally export --format html \
		--since 2026-10-20 -o subs.html &&
	TALLY_CONFIG=$PWD/subs.yaml TALLY_HOME=$PWD/proj tally summary \
		--since 2026-10-20 --json >subs.json &&
	chromium_dump "$PWD/subs.html" >subdom.html &&
	python3 -c "
import json, re
t = re.search(r\"<table id=.subscriptions.>(.*?)</table>\", open(\"subdom.html\").read(), re.S).group(1)
rows = [[re.sub(\"<[^>]*>\", \"\", c).replace(\"&lt;\", \"<\").replace(\"&gt;\", \">\") for c in re.findall(r\"<td[^>]*>(.*?)</td>\", r, re.S)] for r in t.split(\"<tr>\")[2:]]
p = json.load(open(\"subs.json\"))[\"subscriptions\"][0]
want = [[p[\"name\"], m[\"month\"], str(m[\"requests\"]), format(m[\"totalTokens\"], \",\")] for m in p[\"months\"]]
assert [r[:4] for r in rows] == want, (rows, want, p)
assert rows[1][6] == \"%.2fx so far\" % p[\"months\"][1][\"valueRatio\"], rows
assert [r[0] for r in rows] == [\"Claude <Max>\"] * 2, rows
print(rows)
" &&
	! grep -q "Claude <Max>" subs.html &&
	! grep -q "id=.subscriptions" report.html
'

test_done
