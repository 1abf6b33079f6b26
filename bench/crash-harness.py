#!/usr/bin/env python3
"""Crash and concurrency harness.

usage: crash-harness.py <tally> <fake-provider.py> [--rounds N]
                        [--seconds S] [--min-kills K] [--seed X]

Each round runs at once, against one scope: writers (`record`), readers
(`summary`, `status`, `log -f`), `compact`, `migrate` and `sync` against
a fake OpenRouter, while a killer sends SIGKILL to random ones of them at
random moments. After every round it checks that:
  - every `record` that exited 0 is in the ledger, as exactly one entry;
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
        self.recorded = set()    # ids of records that exited 0
        self.kills = 0
        self.stop = threading.Event()
        self.serial = 0

    def tally(self, *args):
        return [self.a.tally] + LIMITS + ["-c",
            "providers.openrouter.base_url=" + self.url] + list(args)

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
            p = self.spawn("record", ["record", "-p", "openrouter", "-m",
                                      "m%d" % (n % 5), "--provider-request-id",
                                      "gen-%d" % n, "--input-tokens",
                                      str(n % 997 + 1)], stdout=subprocess.PIPE)
            out = p.stdout.read()
            if self.finish(p) == 0:
                with self.lock:
                    self.recorded.add(out.decode().strip())

    def looper(self, kind, args, pause):
        while not self.stop.is_set():
            self.finish(self.spawn(kind, args))
            time.sleep(pause)

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
        for n, line in enumerate(open(ledger, encoding="utf-8"), 1):
            try:
                json.loads(line)
            except ValueError:
                print("  line %d does not parse: %r" % (n, line[:80]))
                bad += 1
        log = subprocess.run(self.tally("log", "--json", "--kind", "usage"),
                             env=self.env, cwd=self.work, capture_output=True,
                             check=True)
        ids = [e["entryId"] for e in json.loads(log.stdout)]
        missing = self.recorded - set(ids)
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
        return not (bad or missing or dups or differ), len(ids)

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
            threading.Thread(target=self.follower),
            threading.Thread(target=self.killer),
        ]
        for t in threads:
            t.start()
        time.sleep(self.a.seconds)
        self.stop.set()
        for t in threads:
            t.join()
        ok, entries = self.check()
        print("round %d: %d kills (%s), %d entries recorded so far, %s" % (
            i, self.kills - kills_before,
            ", ".join("%s %d" % kv for kv in sorted(self.killed_kinds.items())),
            entries, "invariants hold" if ok else "VIOLATION"))
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
            print("total: %d rounds, %d processes killed, %d records "
                  "confirmed, no row lost, none doubled, every line valid"
                  % (i, h.kills, len(h.recorded)))
        finally:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
