#!/usr/bin/python3
"""bench/py_pg.py - the Python peer: psycopg2 the way the Python original writes and searches.

  py_pg.py add|upsert HOST PORT DB VECFILE N   execute_values, pages of 64, ON CONFLICT DO UPDATE
  py_pg.py search HOST PORT DB QFILE NQ ROUNDS SQLFILE   the plugin's own SQL, psycopg2 parameters

Vectors travel as pgvector text, converted the way pgvector-python's adapter does
('[' + ','.join(str(float(v)) ...) + ']'), inside the timed region as in the original.
Connect time is outside the timed region, as on the other sides.  Prints "key value" lines."""
import os
import statistics
import sys
import time

import numpy as np
import psycopg2
from psycopg2.extras import execute_values

DIM = 384


def connect(host, port, db):
    return psycopg2.connect(host=host, port=int(port), dbname=db, user="postgres",
                            password=os.environ.get("PGPASSWORD", ""))


def to_db(v):
    return "[" + ",".join([str(float(x)) for x in v]) + "]"


def write(mode, host, port, db, path, n):
    vecs = np.fromfile(path, dtype=np.float32).reshape(-1, DIM)[: int(n)]
    conn = connect(host, port, db)
    cur = conn.cursor()
    ids = ["v%07d" % i for i in range(len(vecs))]
    names = ["vector %d of the benchmark" % i for i in range(len(vecs))]
    cur.execute("TRUNCATE bench_vec")
    if mode == "upsert":  # the ids exist before the timed upsert
        execute_values(cur, "INSERT INTO bench_vec (namespace, id, name, vector) VALUES %s",
                       [("bench", ids[i], names[i], to_db(vecs[i])) for i in range(len(vecs))], page_size=1000)
    conn.commit()
    cur.execute("CHECKPOINT")
    conn.commit()
    t0 = time.perf_counter()
    rows = [("bench", ids[i], names[i], to_db(vecs[i])) for i in range(len(vecs))]
    execute_values(cur, "INSERT INTO bench_vec (namespace, id, name, vector) VALUES %s"
                        " ON CONFLICT (namespace, id) DO UPDATE SET name = EXCLUDED.name, vector = EXCLUDED.vector",
                   rows, page_size=64)
    conn.commit()
    ms = (time.perf_counter() - t0) * 1000
    cur.execute("SELECT count(*) FROM bench_vec")
    got = cur.fetchone()[0]
    if got != len(vecs):
        sys.exit("py_pg: %d rows written, table holds %d" % (len(vecs), got))
    print("ms %.3f\nrows %d" % (ms, len(vecs)))


def search(host, port, db, path, nq, rounds, sqlfile):
    qs = np.fromfile(path, dtype=np.float32).reshape(-1, DIM)[: int(nq)]
    sql = open(sqlfile).read().strip().replace("%", "%%").replace("$1", "%(v)s").replace("$2", "%(ns)s")
    conn = connect(host, port, db)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(sql, {"v": to_db(qs[0]), "ns": "bench"})
    cur.fetchall()
    qps = []
    for _ in range(int(rounds)):
        t0 = time.perf_counter()
        for q in qs:
            cur.execute(sql, {"v": to_db(q), "ns": "bench"})
            rows = cur.fetchall()
            if len(rows) != 10:
                sys.exit("py_pg: %d rows, 10 wanted" % len(rows))
        qps.append(len(qs) / (time.perf_counter() - t0))
    print("psycopg2_qps %.1f" % statistics.median(qps))


def main(argv):
    if len(argv) == 7 and argv[1] in ("add", "upsert"):
        write(argv[1], *argv[2:])
    elif len(argv) == 9 and argv[1] == "search":
        search(*argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
