#!/usr/bin/env python3
"""The clients of bench/proxy.sh.

usage: proxy-client.py latency <base> <requests>
       proxy-client.py stream <base> <streams> <chunks> <ms>
       proxy-client.py load <base> <clients> <seconds>
       proxy-client.py open <base> <streams> <chunks> <ms>

<base> is a base URL (http://127.0.0.1:port/prefix) under which
/chat/completions and /stream answer. latency prints every request's
time in microseconds; stream prints time to first byte and every chunk's
delay (received minus sent) in microseconds; load prints requests per
second; open holds that many streams open at once to their end.
"""
import asyncio
import http.client
import json
import sys
import time
import urllib.parse

BODY = json.dumps({"model": "gpt-4o-mini",
                   "messages": [{"role": "user", "content": "hi"}]}).encode()


def split(base):
    u = urllib.parse.urlsplit(base)
    return u.hostname, u.port, u.path


def latency(base, n):
    host, port, prefix = split(base)
    c = http.client.HTTPConnection(host, port)
    for i in range(n):
        t0 = time.perf_counter_ns()
        c.request("POST", prefix + "/chat/completions", BODY,
                  {"Content-Type": "application/json",
                   "Authorization": "Bearer sk-bench"})
        r = c.getresponse()
        r.read()
        assert r.status == 200, r.status
        print((time.perf_counter_ns() - t0) // 1000)


async def one_stream(host, port, path, out):
    reader, writer = await asyncio.open_connection(host, port)
    t0 = time.monotonic_ns()
    writer.write(("POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: "
                  "application/json\r\nContent-Length: %d\r\n\r\n"
                  % (path, host, port, len(BODY))).encode() + BODY)
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    first = None
    buf = b""
    while True:
        data = await reader.read(65536)
        if not data:
            break
        now = time.monotonic_ns()
        if first is None:
            first = now - t0
        buf += data
        while b"\n\n" in buf:
            event, buf = buf.split(b"\n\n", 1)
            line = event.split(b"data: ", 1)[-1]
            if line.startswith(b"{") and b'"t":' in line:
                i = line.index(b"{")
                obj = json.loads(line[i:line.rindex(b"}") + 1])
                out.append(("chunk", (now - obj["t"]) // 1000))
        if b"[DONE]" in buf or b"0\r\n\r\n" in data[-7:]:
            break
    out.append(("ttfb", first // 1000))
    writer.close()


async def streams(base, n, chunks, ms, concurrent):
    host, port, prefix = split(base)
    path = "%s/stream?n=%d&ms=%d" % (prefix, chunks, ms)
    out = []
    if concurrent:
        await asyncio.gather(*[one_stream(host, port, path, out)
                               for _ in range(n)])
    else:
        for _ in range(n):
            await one_stream(host, port, path, out)
    return out


async def load(base, clients, seconds):
    host, port, prefix = split(base)
    done = 0
    stop = time.monotonic() + seconds
    req = ("POST %s/chat/completions HTTP/1.1\r\nHost: %s:%d\r\n"
           "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
           % (prefix, host, port, len(BODY))).encode() + BODY

    async def client():
        nonlocal done
        reader, writer = await asyncio.open_connection(host, port)
        while time.monotonic() < stop:
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
            n = int(head.lower().split(b"content-length:")[1]
                    .split(b"\r\n")[0])
            await reader.readexactly(n)
            done += 1
        writer.close()

    t0 = time.monotonic()
    await asyncio.gather(*[client() for _ in range(clients)])
    print("%.0f" % (done / (time.monotonic() - t0)))


what = sys.argv[1]
if what == "latency":
    latency(sys.argv[2], int(sys.argv[3]))
elif what in ("stream", "open"):
    out = asyncio.run(streams(sys.argv[2], int(sys.argv[3]),
                              int(sys.argv[4]), int(sys.argv[5]),
                              what == "open"))
    for kind, us in out:
        print(kind, us)
elif what == "load":
    asyncio.run(load(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
