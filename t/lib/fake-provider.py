#!/usr/bin/env python3
"""A fake provider API for tally's tests, on 127.0.0.1.

usage: fake-provider.py <script.json> <port-file> <log-file>

The script maps routes to scripted replies:

  {"routes": [
     {"path": "/api/v1/generation", "query": {"id": "gen-1"},
      "replies": [{"status": 404, "body": {"error": {"code": 404}}},
                  {"status": 200, "body": {"data": {...}}}]},
     {"path": "/api/v1/generation",
      "every": [5, {"status": 429, "headers": {"Retry-After": "1"}}],
      "reply_from": "generation"}
   ],
   "generations": {"gen-1": {...data...}}}

A route matches on method (GET by default), path and any given query
values. Its "replies" are used in order, the last one repeating. "every"
answers every n-th request to the route with the given reply.
"reply_from": "generation" answers /api/v1/generation?id=X with
{"data": generations[X]} or 404. A reply may have "delay" (seconds),
"headers" (a value "@date+N" is the HTTP date N seconds from now), and a
"body" that is JSON or, as "raw", text sent as is. A reply with "chunks"
(a list of {"raw": text, "delay": seconds}) streams them with chunked
transfer encoding, each after its delay, as "content_type" (default
text/event-stream); "cut": true stops after the chunks without ending
the response.

Every request is logged to the log file as one JSON line: time, method,
path, query, headers, and how many requests were in flight when it came.
The port (0 picks a free one) is written to the port file once listening.
"""

import email.utils
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

script = json.load(open(sys.argv[1]))
port_file, log_file = sys.argv[2], sys.argv[3]
lock = threading.Lock()
counters = {}
inflight = 0
log = open(log_file, "a", buffering=1)


def matches(route, method, path, query):
    if route.get("method", "GET") != method or route["path"] != path:
        return False
    return all(query.get(k, [None])[0] == v
               for k, v in route.get("query", {}).items())


def pick_reply(index, route, query):
    n = counters[index]
    every = route.get("every")
    if every and n % every[0] == 0:
        return every[1]
    if route.get("reply_from") == "generation":
        gen = script.get("generations", {}).get(query.get("id", [""])[0])
        if gen is None:
            return {"status": 404,
                    "body": {"error": {"code": 404,
                                       "message": "Generation not found"}}}
        return {"status": 200, "body": {"data": gen}}
    replies = route.get("replies", [{"status": 200, "body": {}}])
    return replies[min(n - 1, len(replies) - 1)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self, method):
        global inflight
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        with lock:
            inflight += 1
            now_inflight = inflight
            index = None
            for i, route in enumerate(script.get("routes", [])):
                if matches(route, method, parsed.path, query):
                    index = i
                    break
            if index is not None:
                counters[index] = counters.get(index, 0) + 1
                reply = pick_reply(index, script["routes"][index], query)
            else:
                reply = script.get("default", {"status": 404, "body": {
                    "error": {"message": "no such route"}}})
            log.write(json.dumps({
                "time": time.time(), "method": method, "path": parsed.path,
                "query": {k: v if len(v) > 1 else v[0]
                          for k, v in query.items()},
                "rawQuery": parsed.query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "inflight": now_inflight, "status": reply.get("status", 200),
                "body": payload.decode("utf-8", "replace"),
            }) + "\n")
        try:
            time.sleep(reply.get("delay", 0))
            if "chunks" in reply:
                self.send_chunks(reply)
                return
            if "raw" in reply:
                body = reply["raw"].encode()
            elif "body" in reply:
                body = json.dumps(reply["body"]).encode()
            else:
                body = b""
            self.send_response(reply.get("status", 200))
            for k, v in reply.get("headers", {}).items():
                if isinstance(v, str) and v.startswith("@date+"):
                    # An HTTP date that many seconds from now.
                    v = email.utils.formatdate(
                        time.time() + float(v[6:]), usegmt=True)
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if reply.get("hang_up"):
                return
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with lock:
                inflight -= 1

    def send_chunks(self, reply):
        self.send_response(reply.get("status", 200))
        for k, v in reply.get("headers", {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type",
                         reply.get("content_type", "text/event-stream"))
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        for chunk in reply["chunks"]:
            time.sleep(chunk.get("delay", 0))
            data = chunk["raw"].encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        if reply.get("cut"):
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
