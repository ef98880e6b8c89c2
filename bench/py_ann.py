#!/usr/bin/python3
"""bench/py_ann.py - the ANN peers of the embedded store (bench/ann.sh), one process per peer.

  py_ann.py numpy VECFILE N QFILE NQ EXACT_IDS
  py_ann.py faiss KIND VECFILE N QFILE NQ EXACT_IDS [HNSW_BUDGET_S]   KIND: flat | hnsw | ivf

numpy: rows L2-normalised once, then per query one matrix-vector product through the BLAS numpy
is linked with (Debian's libopenblas0-pthread), argpartition and a sort of the top 10; batched:
one matrix-matrix product for all NQ queries.  Prints the OpenBLAS kernel and thread count.
faiss (Debian python3-faiss), one OpenMP thread: IndexFlatIP, IndexHNSWFlat (M 32, efConstruction 40) swept over
efSearch, IndexIVFFlat (sqrt(N) lists, inner product) swept over nprobe.  Build time, peak RSS,
index bytes per vector (serialised size / N), and recall@10 against EXACT_IDS (the float32 exact
scan's ids, "v%07d").  Output: "key value" lines."""
import ctypes
import resource
import statistics
import sys
import time

import numpy as np

DIM = 384
K = 10
HNSW_M = 32  # faiss's usual choice for 384 dimensions; efConstruction 40 is faiss's default
HNSW_EF_CONSTRUCTION = 40


def load(vecfile, n, qfile, nq):
    x = np.fromfile(vecfile, dtype=np.float32, count=int(n) * DIM).reshape(-1, DIM)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = np.fromfile(qfile, dtype=np.float32).reshape(-1, DIM)[: int(nq)].copy()
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    return np.ascontiguousarray(x), np.ascontiguousarray(q)


def recall(exact_ids, got):
    hit = tot = 0
    with open(exact_ids) as f:
        for line, row in zip(f, got):
            want = set(line.split())
            hit += len(want & {"v%07d" % i for i in row if i >= 0})
            tot += len(want)
    return hit / tot if tot else 1.0


def rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def single(fn, q):
    times, rows = [], []
    for v in q:
        t0 = time.perf_counter()
        rows.append(fn(v))
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), rows


def run_numpy(vecfile, n, qfile, nq, exact_ids):
    lib = ctypes.CDLL("libopenblas.so.0")
    lib.openblas_get_corename.restype = ctypes.c_char_p
    print("kernel %s" % lib.openblas_get_corename().decode())
    print("threads %d" % lib.openblas_get_num_threads())
    x, q = load(vecfile, n, qfile, nq)

    def one(v):
        s = x @ v
        top = np.argpartition(-s, K)[:K]
        return top[np.argsort(-s[top], kind="stable")]

    one(q[0])
    ms, rows = single(one, q)
    t0 = time.perf_counter()
    s = x @ q.T
    top = np.argpartition(-s, K, axis=0)[:K].T
    batch_ms = (time.perf_counter() - t0) * 1000 / len(q)
    print("single_ms %.3f\nbatch_ms %.3f\nrecall %.4f\npeak_rss_kb %d" % (ms, batch_ms, recall(exact_ids, rows), rss_kb()))
    print("bytes_per_vector %d" % (DIM * 4))


def add_within_budget(index, x, t0, budget_s):
    """index.add in chunks; past budget_s seconds stop and print the measured build rate (a
    single-threaded HNSW build of 1M rows takes most of an hour on this machine)."""
    step = len(x) if budget_s is None else 20000
    for at in range(0, len(x), step):
        index.add(x[at:at + step])
        spent = time.perf_counter() - t0
        if budget_s is not None and spent > budget_s and at + step < len(x):
            done = at + step
            print("build_stopped_rows %d\nbuild_stopped_ms %.1f\nbuild_rows_per_s %.0f" % (done, spent * 1000, done / spent))
            print("build_projected_s %.0f\npeak_rss_kb %d" % (len(x) / (done / spent), rss_kb()))
            return False
    return True


def run_faiss(kind, vecfile, n, qfile, nq, exact_ids, budget_s=600):
    import faiss

    faiss.omp_set_num_threads(1)
    x, q = load(vecfile, n, qfile, nq)
    base = rss_kb()
    t0 = time.perf_counter()
    if kind == "flat":
        index = faiss.IndexFlatIP(DIM)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(DIM, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        print("hnsw_m %d\nhnsw_ef_construction %d" % (HNSW_M, HNSW_EF_CONSTRUCTION))
    else:
        nlist = max(1, int(len(x) ** 0.5))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(DIM), DIM, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(x)
    if not add_within_budget(index, x, t0, budget_s if kind == "hnsw" else None):
        return
    print("build_ms %.1f" % ((time.perf_counter() - t0) * 1000))
    print("peak_rss_kb %d\nrss_data_kb %d" % (rss_kb(), base))
    print("bytes_per_vector %.0f" % (faiss.serialize_index(index).size / len(x)))
    sweep = {"flat": [None], "hnsw": [16, 32, 64, 128, 256], "ivf": [1, 2, 4, 8, 16, 32, 64]}[kind]
    for p in sweep:
        if kind == "hnsw":
            index.hnsw.efSearch = p
        elif kind == "ivf":
            index.nprobe = p
        index.search(q[:1], K)
        ms, rows = single(lambda v: index.search(v[None, :], K)[1][0], q)
        t0 = time.perf_counter()
        _, lab = index.search(q, K)
        batch_ms = (time.perf_counter() - t0) * 1000 / len(q)
        tag = "" if p is None else "_%d" % p
        print("single_ms%s %.3f\nbatch_ms%s %.3f\nrecall%s %.4f" % (tag, ms, tag, batch_ms, tag, recall(exact_ids, rows)))


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "numpy":
        run_numpy(*a[1:])
    elif len(a) in (7, 8) and a[0] == "faiss" and a[1] in ("flat", "hnsw", "ivf"):
        run_faiss(*a[1:7], *([float(a[7])] if len(a) == 8 else []))
    else:
        sys.exit(__doc__)
