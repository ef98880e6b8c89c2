/* bench/bench_store.h - what the drivers that go through vbadmin's backend slots share: the
 * exit on a failed slot and bench_vec, the table `emb_bench fill` writes and ann_bench reads.
 * Header only (each driver is one .c); define BENCH_PROG (the driver's name) before including. */
#ifndef VB_BENCH_STORE_H
#define VB_BENCH_STORE_H

#include "../backends/registry.h"
#include "../backends/vb_util.h"
#include "bench.h"

#define BENCH_DIM 384

/* Exits 1 naming the driver and the step when a slot did not return VB_OK. */
static inline void bench_check(int rc, const struct vb_error *err, const char *what)
{
	if (rc != VB_OK) {
		fprintf(stderr, BENCH_PROG ": %s: %s\n", what, err->message);
		exit(1);
	}
}

/* bench_vec in the embedded store: (namespace "bench", id, vector(384)) */
static const struct vb_column bench_vec_cols[] = {
	{"id", VB_T_TEXT, 0, "TEXT"},
	{"vector", VB_T_VECTOR, 0, "vector"},
};
static const struct vb_table_spec bench_vec_spec = {
	.name = "bench_vec",
	.columns = bench_vec_cols,
	.ncolumns = 2,
	.vector_column = "vector",
	.vector_dim = BENCH_DIM,
	.key_column = "id",
	.namespaced = 1,
};

/* Times the first top-k search (query q) in ms: the one that reads the store into the cache. */
static inline double bench_first_search(const struct vb_ops *ops, struct vb_handle *h, const float *q, int k)
{
	static const char *const sel[] = {"id", NULL};
	struct vb_error err = {0};
	struct vb_result *res = NULL;
	double t0 = bench_now_ms();
	bench_check(ops->search_vector(h, &bench_vec_spec, q, BENCH_DIM, k, NULL, sel, &res, &err), &err,
	            "first search");
	double ms = bench_now_ms() - t0;
	ops->result_free(h, &res);
	return ms;
}

#endif
