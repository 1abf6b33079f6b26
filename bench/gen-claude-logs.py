#!/usr/bin/env python3
"""Writes synthetic Claude Code transcripts for benchmarks.

usage: gen-claude-logs.py <config-dir> [--mb 200] [--days 60] [--seed 1]
                          [--end 2026-11-24]

The files look like Claude Code's: <config-dir>/projects/<encoded cwd>/
<session>.jsonl, compact JSON, one event per line, a realistic mix of user
turns, tool results (the bulk of the bytes) and assistant messages, each
message written once per content block with the same usage, some with a
streamed partial first, resumed sessions that replay earlier messages,
and side conversations.
"""
import argparse
import datetime
import json
import os
import random
import uuid

MODELS = ["claude-sonnet-4-20250514", "claude-sonnet-4-5-20250929",
          "claude-opus-4-1-20250805", "claude-3-5-haiku-20241022"]


def dumps(d):
    return json.dumps(d, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--mb", type=float, default=200)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--end", default="2026-11-24")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    end = datetime.datetime.fromisoformat(a.end).replace(
        tzinfo=datetime.timezone.utc)
    start = end - datetime.timedelta(days=a.days)
    target = int(a.mb * 1024 * 1024)
    written = 0
    projects = ["/home/dev/%s" % p for p in
                ("shop", "blog", "api", "infra", "ml", "docs", "app", "cli")]
    history = []  # messages earlier sessions can replay
    nsession = 0
    while written < target:
        nsession += 1
        cwd = rnd.choice(projects)
        pdir = os.path.join(a.dir, "projects", cwd.replace("/", "-"))
        os.makedirs(pdir, exist_ok=True)
        sid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        side = rnd.random() < 0.1
        name = ("agent-%s.jsonl" % sid[:8]) if side else sid + ".jsonl"
        t = start + datetime.timedelta(seconds=rnd.randrange(a.days * 86400))
        model = rnd.choice(MODELS)
        lines = []
        # A resumed session first replays some earlier messages as they were.
        if history and rnd.random() < 0.15:
            for old in rnd.sample(history, min(len(history), rnd.randint(3, 30))):
                lines.append(old)
        parent = None
        for turn in range(rnd.randint(20, 120)):
            t += datetime.timedelta(seconds=rnd.randint(2, 90))
            ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % rnd.randrange(1000)
            u = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
            base = {"parentUuid": parent, "isSidechain": side,
                    "userType": "external", "cwd": cwd, "sessionId": sid,
                    "version": "1.0.%d" % rnd.randint(40, 120),
                    "gitBranch": "main"}
            kind = rnd.random()
            if kind < 0.45:
                # A tool result: most of a transcript's bytes.
                body = "x" * rnd.randint(200, 4000)
                d = dict(base, type="user", uuid=u, timestamp=ts, message={
                    "role": "user", "content": [{"type": "tool_result",
                    "tool_use_id": "toolu_%016x" % rnd.getrandbits(64),
                    "content": body}]})
                lines.append(dumps(d))
            elif kind < 0.55:
                d = dict(base, type="user", uuid=u, timestamp=ts, message={
                    "role": "user", "content": "please " + "y" * rnd.randint(10, 300)})
                lines.append(dumps(d))
            else:
                mid = "msg_%024x" % rnd.getrandbits(96)
                rid = "req_%024x" % rnd.getrandbits(96)
                usage = {"input_tokens": rnd.randint(1, 50),
                         "cache_creation_input_tokens": rnd.randint(0, 5000),
                         "cache_read_input_tokens": rnd.randint(0, 150000),
                         "output_tokens": rnd.randint(1, 2000),
                         "service_tier": "standard"}
                if rnd.random() < 0.3:
                    h1 = rnd.randint(0, usage["cache_creation_input_tokens"])
                    usage["cache_creation"] = {
                        "ephemeral_5m_input_tokens": usage["cache_creation_input_tokens"] - h1,
                        "ephemeral_1h_input_tokens": h1}
                blocks = rnd.randint(1, 3)
                if rnd.random() < 0.2:
                    partial = dict(usage, output_tokens=rnd.randint(1, 5))
                    d = dict(base, type="assistant", uuid=u, timestamp=ts,
                             requestId=rid, message={"id": mid, "type": "message",
                             "role": "assistant", "model": model,
                             "content": [{"type": "text", "text": "z" * 20}],
                             "stop_reason": None, "stop_sequence": None,
                             "usage": partial})
                    lines.append(dumps(d))
                for b in range(blocks):
                    content = ([{"type": "tool_use", "id": "toolu_%016x" % rnd.getrandbits(64),
                                 "name": "Read", "input": {"file_path": cwd + "/src/x.py"}}]
                               if b else [{"type": "text", "text": "w" * rnd.randint(20, 600)}])
                    d = dict(base, type="assistant",
                             uuid=str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                             timestamp=ts, requestId=rid, message={
                                 "id": mid, "type": "message", "role": "assistant",
                                 "model": model, "content": content,
                                 "stop_reason": None, "stop_sequence": None,
                                 "usage": usage})
                    text = dumps(d)
                    lines.append(text)
                if rnd.random() < 0.05:
                    history.append(text)
            parent = u
        data = "\n".join(lines) + "\n"
        with open(os.path.join(pdir, name), "w") as f:
            f.write(data)
        written += len(data)
    print("%d sessions, %.1f MiB" % (nsession, written / 1048576))


if __name__ == "__main__":
    main()
