#!/usr/bin/python3
"""bench/py_scan.py - the numpy peer of the embedded exact scan.

  py_scan.py VECFILE N QFILE NQ ROUNDS IDS_OUT

Brute force as numpy users write it: rows L2-normalised once (as the embedded store's cache
is), then per query one matrix-vector product, argpartition for the top 10 and a sort of those
10.  Prints the median ms per query and writes the ids of the first round (same "v%07d" ids as
the C drivers) so run.sh can check that both sides return the same neighbours."""
import statistics
import sys
import time

import numpy as np

DIM = 384
K = 10


def main(vecfile, n, qfile, nq, rounds, ids_out):
    x = np.fromfile(vecfile, dtype=np.float32, count=int(n) * DIM).reshape(-1, DIM)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    qs = np.fromfile(qfile, dtype=np.float32).reshape(-1, DIM)[: int(nq)]
    times = []
    with open(ids_out, "w") as out:
        for r in range(int(rounds)):
            for q in qs:
                t0 = time.perf_counter()
                qn = q / np.linalg.norm(q)
                s = x @ qn
                top = np.argpartition(-s, K)[:K]
                top = top[np.argsort(-s[top], kind="stable")]
                times.append((time.perf_counter() - t0) * 1000)
                if r == 0:
                    out.write(" ".join("v%07d" % i for i in top) + "\n")
    print("scan_ms %.3f" % statistics.median(times))


if __name__ == "__main__":
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    main(*sys.argv[1:])
