#!/usr/bin/python3
"""bench/py_embed.py - the peer of the hashing embedder: scikit-learn's HashingVectorizer
(Debian python3-sklearn) with the same features - word unigrams + bigrams and character
3-grams within word boundaries - hashed into 384 dimensions, summed, L2-normalised and turned
into dense float32 rows like vbadmin's output.  Same texts as `emb_bench embed N`.

  py_embed.py N      prints texts_per_s (median of 3 runs over all N texts, batch transform)"""
import statistics
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

WORDS = ["revenue", "orders", "customer", "monthly", "active", "users", "region",
         "refund", "rate", "average", "ticket", "size", "events", "segment"]


def texts(n):
    return ["%s %s of table %d counting %s in %s %d" % (WORDS[i % 14], WORDS[(i // 14) % 14], i % 997,
                                                         WORDS[(i // 7) % 14], WORDS[(i // 3) % 14], i % 101)
            for i in range(n)]


def main(n):
    t = texts(n)
    words = HashingVectorizer(n_features=384, ngram_range=(1, 2), norm=None, alternate_sign=True, dtype=np.float32)
    chars = HashingVectorizer(n_features=384, analyzer="char_wb", ngram_range=(3, 3), norm=None,
                              alternate_sign=True, dtype=np.float32)
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        x = normalize(words.transform(t) + 0.25 * chars.transform(t)).toarray()
        runs.append(time.perf_counter() - t0)
    assert x.shape == (n, 384)
    print("texts_per_s %.0f" % (n / statistics.median(runs)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(int(sys.argv[1]))
