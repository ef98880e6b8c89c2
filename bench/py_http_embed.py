#!/usr/bin/python3
"""bench/py_http_embed.py - the peer of vbadmin's HTTP embedder: a plain Python client (urllib,
json, base64 and array from the standard library) asking the same OpenAI-compatible server for
the same texts in the same batch size, one request after the other, with the same wire format
(encoding_format "base64", as openai-python and vbadmin ask: each vector decoded with
base64.b64decode into little-endian float32s, openai-python's np.frombuffer without numpy) and
checking each answer as vbadmin does (every index, every vector dim-long).  Same texts as
bench/http_bench.c.

  py_http_embed.py BASE_URL MODEL N BATCH      prints texts_per_s"""
import base64
import json
import sys
import time
import urllib.request
from array import array

DIM = 384


def vector(emb):
    if isinstance(emb, str):  # base64 of little-endian float32s
        vec = array("f")
        vec.frombytes(base64.b64decode(emb))
        if sys.byteorder != "little":
            vec.byteswap()
        return vec
    return emb  # a server that ignores encoding_format: the list, as openai-python keeps it


def main(base, model, n, batch):
    texts = ["text %d about orders and revenue" % i for i in range(n)]
    url = base.rstrip("/") + "/embeddings"
    out = [None] * n
    t0 = time.perf_counter()
    for first in range(0, n, batch):
        chunk = texts[first:first + batch]
        body = json.dumps({"model": model, "input": chunk, "encoding_format": "base64"}).encode()
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            data = json.loads(resp.read())["data"]
        if len(data) != len(chunk):
            sys.exit("count mismatch")
        for item in data:
            vec = vector(item["embedding"])
            if len(vec) != DIM:
                sys.exit("dimension mismatch")
            out[first + item["index"]] = vec
    dt = time.perf_counter() - t0
    print("texts_per_s %.0f" % (n / dt))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
