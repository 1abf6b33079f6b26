#!/usr/bin/env python3
"""Crash and concurrency harness.

usage: crash-harness.py <tally> <fake-provider.py> [--rounds N]
                        [--seconds S] [--min-kills K] [--seed X]

Each round runs at once, against one scope: writers (`record`), readers
(`summary`, `status`, `log -f`), `compact`, `migrate`, `clear` and `sync`
against a fake OpenRouter, while a killer sends SIGKILL to random ones of
them at random moments. After every round it checks that:
  - every `record` that exited 0 is in the ledger, as exactly one entry,
    unless a `clear` started after the record did (and may rightly have
    removed it);
  - every line of the ledger parses;
  - the summary cache agrees with a fresh fold of the ledger.
Rounds go on until --rounds are done and --min-kills processes were
killed. Prints one line per round and a total; exits 1 on a violation.
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

LIMITS = ["-c", "retention_days=0", "-c", "max_entries=0",
          "-c", "lock_timeout_ms=30000", "-c", "http_max_retries=0"]


class Harness:
    def __init__(self, a, work):
        self.a = a
        self.rnd = random.Random(a.seed)
        self.work = work
        self.env = dict(os.environ)
        self.env.update({"TALLY_HOME": os.path.join(work, "home"),
                         "TALLY_CEILING_DIRECTORIES": work,
                         "OPENROUTER_API_KEY": "sk-or-v1-harness",
                         "HOME": work, "TZ": "UTC"})
        self.lock = threading.Lock()
        self.procs = {}          # pid -> (kind, Popen)
        self.recorded = {}       # id of a record that exited 0 -> clears
        self.clears = 0          # clears started so far
        self.clearing = False    # a clear is running
        self.kills = 0
        self.stop = threading.Event()
        self.serial = 0
        self.checked = 0         # records checked after the last clear

    def tally(self, *args):
        return [self.a.tally] + LIMITS + ["-c",
            "providers.openrouter.base_url=" + self.url + "/api/v1"] + list(args)

    def spawn(self, kind, args, **kw):
        p = subprocess.Popen(self.tally(*args), env=self.env, cwd=self.work,
                             stdout=kw.get("stdout", subprocess.DEVNULL),
                             stderr=subprocess.DEVNULL)
        with self.lock:
            self.procs[p.pid] = (kind, p)
        return p

    def finish(self, p):
        p.wait()
        with self.lock:
            self.procs.pop(p.pid, None)
        return p.returncode

    def writer(self):
        while not self.stop.is_set():
            with self.lock:
                self.serial += 1
                n = self.serial
                # A record that starts beside a clear may rightly be
                # cleared away: it is not counted (-1).
                clears = -1 if self.clearing else self.clears
            p = self.spawn("record", ["record", "-p", "openrouter", "-m",
                                      "m%d" % (n % 5), "--provider-request-id",
                                      "gen-%d" % n, "--input-tokens",
                                      str(n % 997 + 1)], stdout=subprocess.PIPE)
            out = p.stdout.read()
            if self.finish(p) == 0:
                with self.lock:
                    self.recorded[out.decode().strip()] = clears

    def looper(self, kind, args, pause):
        while not self.stop.is_set():
            self.finish(self.spawn(kind, args))
            time.sleep(pause)

    def clearer(self, pause, until):
        """Clears now and then, and not in the round's last part, so that
        the rows recorded since the last clear can be checked."""
        while not self.stop.is_set() and time.monotonic() < until:
            time.sleep(pause)
            with self.lock:
                self.clears += 1
                self.clearing = True
            self.finish(self.spawn("clear", ["clear", "--yes"]))
            with self.lock:
                self.clearing = False

    def must_survive(self):
        """The records that no clear could have removed."""
        return {i for i, c in self.recorded.items() if c == self.clears}

    def follower(self):
        while not self.stop.is_set():
            p = self.spawn("log -f", ["log", "-f", "-n", "5", "--porcelain"])
            deadline = time.time() + 1.0
            while time.time() < deadline and p.poll() is None and \
                    not self.stop.is_set():
                time.sleep(0.05)
            if p.poll() is None:
                p.terminate()
            self.finish(p)

    def killer(self):
        while not self.stop.is_set():
            time.sleep(self.rnd.uniform(0.005, 0.06))
            with self.lock:
                victims = [(k, p) for k, p in self.procs.values()
                           if p.poll() is None]
            if not victims:
                continue
            kind, p = self.rnd.choice(victims)
            try:
                os.kill(p.pid, signal.SIGKILL)
                with self.lock:
                    self.kills += 1
                    self.killed_kinds[kind] = self.killed_kinds.get(kind, 0) + 1
            except ProcessLookupError:
                pass

    def check(self):
        ledger = os.path.join(self.env["TALLY_HOME"], "profile",
                              "usage-ledger.jsonl")
        bad = 0
        lines = open(ledger, encoding="utf-8") if os.path.exists(ledger) else []
        for n, line in enumerate(lines, 1):
            try:
                json.loads(line)
            except ValueError:
                print("  line %d does not parse: %r" % (n, line[:80]))
                bad += 1
        log = subprocess.run(self.tally("log", "--json", "--kind", "usage"),
                             env=self.env, cwd=self.work, capture_output=True,
                             check=True)
        ids = [e["entryId"] for e in json.loads(log.stdout)]
        must = self.must_survive()
        missing = must - set(ids)
        dups = len(ids) - len(set(ids))
        warm = subprocess.run(self.tally("summary", "--window", "workspace",
                                         "--json"), env=self.env,
                              cwd=self.work, capture_output=True, check=True)
        cold = subprocess.run(self.tally("summary", "--window", "workspace",
                                         "--json", "--rebuild"), env=self.env,
                              cwd=self.work, capture_output=True, check=True)
        keys = ("requests", "inputTokens", "outputTokens", "totalTokens")
        w, c = json.loads(warm.stdout), json.loads(cold.stdout)
        differ = [(k, w[k], c[k]) for k in keys if w[k] != c[k]]
        if missing:
            print("  %d recorded entries are missing: %s" % (len(missing),
                  sorted(missing)[:5]))
        if dups:
            print("  %d entries listed twice" % dups)
        if differ:
            print("  the summary cache differs from a fresh fold: %s" % differ)
        return not (bad or missing or dups or differ), len(ids), len(must)

    def round(self, i):
        self.stop.clear()
        self.killed_kinds = {}
        kills_before = self.kills
        threads = [threading.Thread(target=self.writer) for _ in range(3)]
        threads += [
            threading.Thread(target=self.looper, args=("summary", ["summary", "--json"], 0.02)),
            threading.Thread(target=self.looper, args=("status", ["status"], 0.02)),
            threading.Thread(target=self.looper, args=("compact", ["compact"], 0.05)),
            threading.Thread(target=self.looper, args=("migrate", ["migrate"], 0.1)),
            threading.Thread(target=self.looper, args=("sync", ["sync", "-p", "openrouter"], 0.2)),
            threading.Thread(target=self.clearer, args=(
                self.a.seconds / 15, time.monotonic() + self.a.seconds * 0.6)),
            threading.Thread(target=self.follower),
            threading.Thread(target=self.killer),
        ]
        for t in threads:
            t.start()
        time.sleep(self.a.seconds)
        self.stop.set()
        for t in threads:
            t.join()
        ok, entries, must = self.check()
        self.checked += must
        print("round %d: %d kills (%s), %d entries in the ledger, %d "
              "recorded since the last clear, %s" % (
            i, self.kills - kills_before,
            ", ".join("%s %d" % kv for kv in sorted(self.killed_kinds.items())),
            entries, must, "invariants hold" if ok else "VIOLATION"))
        sys.stdout.flush()
        return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tally")
    ap.add_argument("fake_provider")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--min-kills", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tally-crash.") as work:
        script = os.path.join(work, "server.json")
        with open(script, "w") as f:
            json.dump({"default": {"status": 404, "body": {"error": {
                "code": 404, "message": "Not found"}}}}, f)
        port_file = os.path.join(work, "port")
        server = subprocess.Popen([sys.executable, a.fake_provider, script,
                                   port_file, os.path.join(work, "fake.log")],
                                  stderr=open(os.path.join(work, "fake.err"), "w"))
        try:
            while not os.path.exists(port_file):
                time.sleep(0.05)
            h = Harness(a, work)
            h.url = "http://127.0.0.1:" + open(port_file).read().strip()
            i = 0
            while i < a.rounds or h.kills < a.min_kills:
                i += 1
                if not h.round(i):
                    return 1
            print("total: %d rounds, %d processes killed, %d clears, %d "
                  "records confirmed, %d checked after the last clear of "
                  "their round: no row lost, none doubled, every line valid"
                  % (i, h.kills, h.clears, len(h.recorded), h.checked))
        finally:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
