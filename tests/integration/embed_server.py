#!/usr/bin/python3
"""tests/integration/embed_server.py - a small real OpenAI-compatible /v1/embeddings server on
loopback for the HTTP embedder tests.  Prints the port it listens on, then serves until killed.

The model name picks the script, "<scenario>:<dim>":
  ok        200 with one vector per input: [len(text), position, 0.5, ...]; items in reverse order
            with their "index" so the client must place them by index
  flaky429  429 on the first request of the model, then like ok
  fail500   always 500
  wrongdim  vectors of dim+1
  short     one vector fewer than inputs
  slow      sleeps 3 s before answering (client timeout test)
Auth: "Authorization: Bearer test-key" is required (else 401).  Any path other than
/v1/embeddings is 404.  GET /stats returns {"<model>": [batch sizes of each POST]}.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATS = {}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output clean
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                self.reply(200, STATS)
        else:
            self.reply(404, {"error": {"message": "not found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.path != "/v1/embeddings":
            self.reply(404, {"error": {"message": "Invalid URL (POST %s)" % self.path}})
            return
        auth = self.headers.get("Authorization")
        if auth != "Bearer test-key":
            shown = (auth or "")[7:]
            self.reply(401, {"error": {"message": "Incorrect API key provided: %s" % shown,
                                       "type": "invalid_request_error"}})
            return
        req = json.loads(raw)
        model, inputs = req["model"], req["input"]
        scenario, _, dim = model.partition(":")
        dim = int(dim or "4")
        with LOCK:
            seen = STATS.setdefault(model, [])
            seen.append(len(inputs))
            nth = len(seen)
        if scenario == "fail500":
            self.reply(500, {"error": {"message": "internal failure"}})
            return
        if scenario == "flaky429" and nth == 1:
            self.reply(429, {"error": {"message": "Rate limit reached"}})
            return
        if scenario == "slow":
            time.sleep(3)
        if scenario == "wrongdim":
            dim += 1
        items = []
        for i, text in enumerate(inputs):
            vec = [float(len(text)), float(i)] + [0.5] * (dim - 2)
            items.append({"object": "embedding", "index": i, "embedding": vec[:dim]})
        if scenario == "short":
            items = items[:-1]
        items.reverse()
        self.reply(200, {"object": "list", "data": items, "model": model,
                         "usage": {"prompt_tokens": 1, "total_tokens": 1}})


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
