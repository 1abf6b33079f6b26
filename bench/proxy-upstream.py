#!/usr/bin/env python3
"""A fast fake provider for bench/proxy.sh (asyncio, keep-alive).

usage: proxy-upstream.py <port-file>

POST .../stream?n=N&ms=M answers an OpenAI chat stream of N chunks, one
every M ms, each carrying "t", the CLOCK_MONOTONIC time it was sent in
ns, then a usage chunk and [DONE]. Any other request answers a chat
completion with usage. Every answer has its own id.
"""
import asyncio
import itertools
import json
import os
import sys
import time
import urllib.parse

ids = itertools.count(1)
USAGE = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}


def chunk(obj):
    data = ("data: %s\n\n" % json.dumps(obj, separators=(",", ":"))).encode()
    return b"%x\r\n%s\r\n" % (len(data), data)


async def stream(writer, rid, n, ms):
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    await writer.drain()
    for _ in range(n):
        await asyncio.sleep(ms / 1000)
        writer.write(chunk({"id": rid, "object": "chat.completion.chunk",
                            "model": "gpt-4o-mini", "t": time.monotonic_ns(),
                            "choices": [{"index": 0,
                                         "delta": {"content": "x"}}]}))
        await writer.drain()
    writer.write(chunk({"id": rid, "object": "chat.completion.chunk",
                        "model": "gpt-4o-mini", "choices": [],
                        "usage": USAGE}))
    data = b"data: [DONE]\n\n"
    writer.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))
    await writer.drain()


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            if length:
                await reader.readexactly(length)
            rid = "chatcmpl-%d-%d" % (os.getpid(), next(ids))
            url = urllib.parse.urlsplit(target)
            if url.path.endswith("/stream"):
                q = urllib.parse.parse_qs(url.query)
                await stream(writer, rid, int(q.get("n", ["20"])[0]),
                             float(q.get("ms", ["20"])[0]))
                continue
            body = json.dumps({
                "id": rid, "object": "chat.completion",
                "model": "gpt-4o-mini",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant",
                                         "content": "ok"}}],
                "usage": USAGE}).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json"
                         b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    async with server:
        await server.serve_forever()

asyncio.run(main())
