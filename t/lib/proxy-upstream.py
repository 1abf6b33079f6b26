#!/usr/bin/env python3
"""The fake upstream's script for t5400-proxy.sh.

usage: proxy-upstream.py <third-party fixture dir> > script.json

Every fixture of the third-party corpus is served at
/<provider>/fx/<file> (/openai/v1/fx/<file> for OpenAI) (streams chunked an event at a time), beside a few
scripted routes: a 429 then a success (with rate-limit headers), a slow
stream and a slow chat stream, a silent
upstream, a stream cut short, a model list and a stream without usage.
"""
import json, os, sys
d = sys.argv[1]
routes = []
for e in json.load(open(os.path.join(d, "index.json"))):
    p = e["expect"]["providerId"]
    text = open(os.path.join(d, e["file"])).read()
    # The path under the provider's base URL (OpenAI's ends in /v1).
    base = "openai/v1" if p == "openai" else p
    route = {"method": "POST", "path": "/%s/fx/%s" % (base, e["file"])}
    hdr = {"x-request-id": "req_" + e["file"]}
    if e["mode"] == "stream":
        events = [ev + "\n\n" for ev in text.split("\n\n") if ev.strip()]
        route["replies"] = [{"headers": hdr, "chunks":
                             [{"raw": ev} for ev in events]}]
    else:
        route["replies"] = [{"headers": hdr, "raw": text}]
    routes.append(route)
routes.append({"method": "POST", "path": "/openai/v1/chat/completions",
    "replies": [
        {"status": 429, "headers": {"retry-after": "1"},
         "body": {"error": {"message": "Rate limit reached",
                  "type": "requests", "code": "rate_limit_exceeded"}}},
        {"status": 200, "raw": open(os.path.join(d, "openai-chat-text.json")).read(),
         "headers": {"x-ratelimit-limit-requests": "5000",
                     "x-ratelimit-remaining-requests": "4999",
                     "x-ratelimit-remaining-tokens": "1999000"}}]})
routes.append({"method": "POST", "path": "/openai/v1/slow",
    "replies": [{"chunks": [{"raw": "data: {}\n\n", "delay": 0.3}] * 5}]})
routes.append({"method": "POST", "path": "/openai/v1/silent",
    "replies": [{"delay": 4, "raw": "{}"}]})
routes.append({"method": "POST", "path": "/openai/v1/cut",
    "replies": [{"chunks": [{"raw": "data: {\"id\":\"chatcmpl-cut\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"}], "cut": True}]})
chat_chunk = {"id": "chatcmpl-slow", "object": "chat.completion.chunk",
              "model": "gpt-4o",
              "choices": [{"index": 0, "delta": {"content": "x"}}]}
usage_chunk = dict(chat_chunk, choices=[],
                   usage={"prompt_tokens": 9, "completion_tokens": 5,
                          "total_tokens": 14})
routes.append({"method": "POST", "path": "/openai/v1/slowchat",
    "replies": [{"chunks": [{"raw": "data: %s\n\n" % json.dumps(chat_chunk),
                             "delay": 0.3}] * 5 +
                           [{"raw": "data: %s\n\n" % json.dumps(usage_chunk)},
                            {"raw": "data: [DONE]\n\n"}]}]})
routes.append({"method": "GET", "path": "/openai/v1/models",
    "replies": [{"body": {"object": "list", "data": [{"id": "gpt-4o"}]}}]})
routes.append({"method": "POST", "path": "/openai/v1/nousage",
    "replies": [{"chunks": [{"raw": "data: {\"id\":\"chatcmpl-nu\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\n"}, {"raw": "data: [DONE]\n\n"}]}]})
print(json.dumps({"routes": routes}))
