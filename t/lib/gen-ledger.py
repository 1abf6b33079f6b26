#!/usr/bin/env python3
"""Writes a synthetic ledger for tests and benchmarks.

usage: gen-ledger.py <ledger> [--rows N] [--days D] [--now ISO] [--seed S]
                     [--updates F] [--invalid K] [--legacy F] [--append]

Entries are spread evenly over the D days before --now, across five
providers and models: OpenRouter rows carry a billed cost, gpt-4.1 rows an
estimate, the rest no price; one in twenty failed; one in ten tagged. With
--updates F, a fraction F of the entries is written twice (an in_progress
row, later superseded by the completed row). --invalid K sprinkles K
invalid lines; --legacy F writes a fraction F of rows without "v" and with
the older field set. Rows are in time order, as a ledger written live is.
"""
import argparse
import datetime
import os
import random

MODELS = [("openai", "gpt-4.1"), ("anthropic", "claude-sonnet-4-20250514"),
          ("openrouter", "anthropic/claude-sonnet-4"),
          ("gemini", "gemini-2.5-flash"), ("openai", "gpt-4o-mini")]


def usd(nano):
    return "%d.%09d" % divmod(nano, 10**9)


def row(i, t, rnd, status, legacy):
    p, m = MODELS[i % len(MODELS)]
    fields = []
    if not legacy:
        fields.append('"v":1')
    fields.append('"entryId":"u_%020x"' % i)
    fields.append('"sessionResource":"s%d"' % (i // 50))
    fields.append('"providerId":"%s","modelId":"%s"' % (p, m))
    fields.append('"startedAt":%d' % t)
    if status == "completed":
        inp = rnd.randint(100, 50000)
        out = rnd.randint(10, 4000)
        fields.append('"completedAt":%d' % (t + 1500))
        fields.append('"billedInputTokens":%d,"billedOutputTokens":%d,'
                      '"totalBilledTokens":%d' % (inp, out, inp + out))
        if i % 7 == 0:
            fields.append('"cacheReadTokens":%d' % (inp // 2))
        if p == "openrouter":
            fields.append('"billedCostUsd":%s' % usd(rnd.randint(0, 10**8)))
        elif m == "gpt-4.1":
            fields.append('"estimatedCostUsd":%s' % usd(rnd.randint(0, 10**8)))
    elif status == "failed":
        fields.append('"httpStatus":429,"errorCode":"rate_limit_exceeded"')
    fields.append('"source":"manual","syncStatus":"pending_sync"')
    fields.append('"status":"%s"' % ("sync_failed" if legacy and status ==
                                     "failed" else status))
    if i % 10 == 0:
        fields.append('"tags":{"team":"t%d"}' % (i % 3))
    if legacy and i % 4 == 0:
        fields.append('"remainingProviderTokens":%d' % (100000 - i % 1000))
    fields.append('"futureField":%d' % i if i % 13 == 0 else '"recordedAt":%d'
                  % (t + 2000))
    return "{" + ",".join(fields) + "}\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ledger")
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--now", default="2026-11-24T12:00:00Z")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--updates", type=float, default=0.0)
    ap.add_argument("--invalid", type=int, default=0)
    ap.add_argument("--legacy", type=float, default=0.0)
    ap.add_argument("--first-id", type=int, default=0)
    ap.add_argument("--append", action="store_true")
    a = ap.parse_args()

    rnd = random.Random(a.seed)
    now = datetime.datetime.fromisoformat(a.now.replace("Z", "+00:00"))
    now_ms = int(now.timestamp() * 1000)
    start = now_ms - a.days * 86400000
    step = max(1, (now_ms - 60000 - start) // max(1, a.rows))
    invalid_at = set(rnd.sample(range(a.rows), min(a.invalid, a.rows)))
    os.makedirs(os.path.dirname(os.path.abspath(a.ledger)), mode=0o700,
                exist_ok=True)
    pending = []
    with open(a.ledger, "a" if a.append else "w", encoding="utf-8") as f:
        for n in range(a.rows):
            i = a.first_id + n
            t = start + n * step
            # Superseding rows land a little later, as live updates do.
            while pending and pending[0][0] <= n:
                f.write(pending.pop(0)[1])
            legacy = rnd.random() < a.legacy
            status = "failed" if i % 20 == 19 else "completed"
            if rnd.random() < a.updates:
                f.write(row(i, t, random.Random(i), "in_progress", legacy))
                pending.append((n + 3, row(i, t, rnd, status, legacy)))
            else:
                f.write(row(i, t, rnd, status, legacy))
            if n in invalid_at:
                f.write('{"v":1,"entryId":"broken %d", "oops\n' % i)
        for _, text in pending:
            f.write(text)


if __name__ == "__main__":
    main()
