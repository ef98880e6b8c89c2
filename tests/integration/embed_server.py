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
  huge      like ok, but two components are +-1e39: valid JSON numbers, Infinity as float32
            (what a broken model server sends)
  nan       like ok, but the second component is NaN (base64: a float32 NaN; as a list: the
            bare NaN Python's json writes, which is not JSON)
  slowish   sleeps 0.2 s before answering like ok (requests in flight can overlap)
  drop      closes the connection without an answer on the model's first request, then like ok
  canned    the same dense vector (pre-encoded, dim from the suffix) for every text: a server
            whose own cost stays small, for make bench
Any other model name (a real one, e.g. all-MiniLM-L6-v2) gets "words" vectors of the request's
"dimensions" (as OpenAI's text-embedding-3 models shorten theirs), else of --dim dimensions
(default 384; --ignore-dimensions: always --dim, as a server without that parameter does): each
lower-cased word adds 1 to bucket crc32(word) % dim, then L2 normalised, so a query shares
direction with the texts that contain its words.
Encoding: a request with "encoding_format": "base64" (what vbadmin and openai-python send) gets
each embedding as the base64 text of its little-endian float32s, as OpenAI answers; without it,
or with --lists (a server that ignores the parameter), number lists.
Auth: "Authorization: Bearer <--key, default test-key>" is required (else 401, whose message
repeats the key that was sent, as OpenAI's does), unless --no-auth.  Any path other than
/v1/embeddings is 404.  GET /stats returns {"<model>": [batch sizes of each POST]};
GET /dimensions returns {"<model>": ["dimensions" of each POST, null when absent]};
GET /inflight returns {"<model>": most requests of that model in progress at once};
GET /encodings returns {"<model>": ["encoding_format" of each POST, null when absent]}.
"""
import argparse
import base64
import json
import math
import re
import sys
import threading
import time
import zlib
from array import array
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATS = {}
INFLIGHT = {}      # model -> requests in progress now
MAX_INFLIGHT = {}  # model -> most at once
LOCK = threading.Lock()
SCENARIOS = ("ok", "flaky429", "fail500", "wrongdim", "short", "slow", "slowish", "drop", "canned", "huge", "nan")
CANNED = {}  # (dim, texts) -> the whole pre-encoded answer
DIMENSIONS = {}  # model -> "dimensions" of each request
ENCODINGS = {}  # model -> "encoding_format" of each request
OPTS = argparse.Namespace(dim=384, auth=True, key="test-key", ignore_dimensions=False, lists=False)
LITTLE = array("f").itemsize == 4 and sys.byteorder == "little"


def float32_base64(vec):
    """The base64 text of vec as little-endian float32s (out-of-range values become +-Infinity,
    as a float32 cast does)."""
    a = array("f", vec)
    if not LITTLE:
        a.byteswap()
    return base64.b64encode(a.tobytes()).decode("ascii")


def encode(vec, b64):
    return float32_base64(vec) if b64 else vec


def words_vector(text, dim):
    vec = [0.0] * dim
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        vec[zlib.crc32(word.encode()) % dim] += 1.0
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0:
        vec[0], norm = 1.0, 1.0
    return [v / norm for v in vec]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as real embedding servers (uvicorn, axum, llama.cpp) set it: otherwise the
    # body's last segment waits for the client's delayed ACK on a kept-alive connection
    disable_nagle_algorithm = True

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

    def canned(self, inputs, dim, b64):
        key = (dim, len(inputs), b64)
        with LOCK:
            body = CANNED.get(key)
            if body is None:
                vec = json.dumps(encode([round(math.sin(i + 1) * 0.1, 9) for i in range(dim)], b64))
                items = ",".join('{"object":"embedding","index":%d,"embedding":%s}' % (i, vec)
                                 for i in range(len(inputs)))
                body = CANNED[key] = ('{"object":"list","model":"canned","data":[%s]}' % items).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                self.reply(200, STATS)
        elif self.path == "/dimensions":
            with LOCK:
                self.reply(200, DIMENSIONS)
        elif self.path == "/inflight":
            with LOCK:
                self.reply(200, MAX_INFLIGHT)
        elif self.path == "/encodings":
            with LOCK:
                self.reply(200, ENCODINGS)
        else:
            self.reply(404, {"error": {"message": "not found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        if self.path != "/v1/embeddings":
            self.reply(404, {"error": {"message": "Invalid URL (POST %s)" % self.path}})
            return
        auth = self.headers.get("Authorization")
        if OPTS.auth and auth != "Bearer " + OPTS.key:
            shown = (auth or "")[7:]
            self.reply(401, {"error": {"message": "Incorrect API key provided: %s" % shown,
                                       "type": "invalid_request_error"}})
            return
        req = json.loads(raw)
        model, inputs = req["model"], req["input"]
        with LOCK:
            seen = STATS.setdefault(model, [])
            seen.append(len(inputs))
            DIMENSIONS.setdefault(model, []).append(req.get("dimensions"))
            ENCODINGS.setdefault(model, []).append(req.get("encoding_format"))
            nth = len(seen)
            INFLIGHT[model] = INFLIGHT.get(model, 0) + 1
            MAX_INFLIGHT[model] = max(MAX_INFLIGHT.get(model, 0), INFLIGHT[model])
        try:
            b64 = req.get("encoding_format") == "base64" and not OPTS.lists
            self.answer(model, inputs, nth, req.get("dimensions"), b64)
        finally:
            with LOCK:
                INFLIGHT[model] -= 1

    def answer(self, model, inputs, nth, dimensions, b64):
        scenario, _, dim = model.partition(":")
        if scenario not in SCENARIOS:
            wdim = dimensions if isinstance(dimensions, int) and dimensions > 0 and not OPTS.ignore_dimensions \
                else OPTS.dim
            items = [{"object": "embedding", "index": i, "embedding": encode(words_vector(t, wdim), b64)}
                     for i, t in enumerate(inputs)]
            self.reply(200, {"object": "list", "data": items, "model": model})
            return
        dim = int(dim or "4")
        if scenario == "canned":
            self.canned(inputs, dim, b64)
            return
        if scenario == "fail500":
            self.reply(500, {"error": {"message": "internal failure"}})
            return
        if scenario == "flaky429" and nth == 1:
            self.reply(429, {"error": {"message": "Rate limit reached"}})
            return
        if scenario == "slow":
            time.sleep(3)
        if scenario == "slowish":
            time.sleep(0.2)
        if scenario == "drop" and nth == 1:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if scenario == "wrongdim":
            dim += 1
        items = []
        for i, text in enumerate(inputs):
            vec = [float(len(text)), float(i)] + [0.5] * (dim - 2)
            if scenario == "huge":
                vec[1:3] = [1e39, -1e39]
            if scenario == "nan":
                vec[1] = float("nan")
            items.append({"object": "embedding", "index": i, "embedding": encode(vec[:dim], b64)})
        if scenario == "short":
            items = items[:-1]
        items.reverse()
        self.reply(200, {"object": "list", "data": items, "model": model,
                         "usage": {"prompt_tokens": 1, "total_tokens": 1}})


class Server(ThreadingHTTPServer):
    request_queue_size = 64  # many clients in flight at once (the bench)
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dim", type=int, default=384, help="dimensions of the words vectors")
    ap.add_argument("--no-auth", dest="auth", action="store_false", help="accept requests without the key")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key", default="test-key", help="the API key the server accepts")
    ap.add_argument("--ignore-dimensions", action="store_true",
                    help="answer --dim dimensions whatever the request's \"dimensions\" says")
    ap.add_argument("--lists", action="store_true",
                    help="answer number lists even when the request asks for base64")
    ap.parse_args(namespace=OPTS)
    srv = Server(("127.0.0.1", OPTS.port), Handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
