/* bench/pgv_filter_bench.c - filtered ANN on a shared pgvector table (bench/ann.sh): namespaces of
 * 1% to 50% of the rows in one table with an HNSW index, searched through the plugin as vbadmin
 * searches them.  "Unfiltered" is the same search on table bench_all, which holds the same rows in
 * one namespace: the index then serves the namespace filter without dropping candidates.
 *
 *   pgv_filter_bench fill   HOST PORT DB TABLE NS VECFILE FIRST N   add rows FIRST..FIRST+N-1 to NS
 *   pgv_filter_bench search HOST PORT DB TABLE NS QFILE NQ REFTABLE REFNS
 *       top-10 per query in TABLE/NS, each query also run on REFTABLE/REFNS right before it
 *
 * The two sides alternate query by query, so a burst of other work on this shared machine lands
 * on both (run one after the other, the reference and a namespace were seconds apart and their
 * ratio moved by 3x between runs).  The password comes from $PGPASSWORD.  Output: "key value"
 * lines (search: median ms of each side, the median of the per-query ratios, pages that came back
 * with fewer than 10 rows, the plugin's search path). */
#include "../backends/registry.h"
#include "../backends/vb_util.h"
#include "bench.h"

#define DIM 384
#define TOPK 10
#define BATCH 5000

static const struct vb_column cols[] = {
	{"id", VB_T_TEXT, 0, "TEXT"},
	{"vector", VB_T_VECTOR, 0, "vector"},
};

static void check(int rc, const struct vb_error *err, const char *what)
{
	if (rc != VB_OK) {
		fprintf(stderr, "pgv_filter_bench: %s: %s\n", what, err->message);
		exit(1);
	}
}

static void plugin_open(char **argv, const struct vb_ops **ops, struct vb_handle **h)
{
	struct vb_config cfg = {.backend = "pgvector", .host = argv[0], .port = atoi(argv[1]), .database = argv[2],
	                        .username = "postgres", .password = getenv("PGPASSWORD"), .schema = "public",
	                        .namespace = argv[4], .dim = DIM, .connect_timeout = 10};
	struct vb_error err = {0};
	check(vb_registry_open(&cfg, ops, h, &err), &err, "open the pgvector plugin");
}

static int cmd_fill(char **argv, const struct vb_table_spec *spec)
{
	size_t first = strtoull(argv[6], NULL, 10), n = strtoull(argv[7], NULL, 10), got;
	float *vecs = bench_read_vectors(argv[5], DIM, first + n, &got);
	const struct vb_ops *ops;
	struct vb_handle *h;
	plugin_open(argv, &ops, &h);
	static const char *const names[] = {"id", "vector"};
	struct vb_value *cells = vb_xcalloc(BATCH * 2, sizeof *cells);
	char(*ids)[16] = vb_xcalloc(BATCH, sizeof *ids);
	struct vb_error err = {0};
	for (size_t at = first; at < first + n; at += BATCH) {
		size_t m = first + n - at < BATCH ? first + n - at : BATCH;
		for (size_t i = 0; i < m; i++) {
			bench_row_id(ids[i], sizeof ids[i], at + i);
			cells[2 * i] = (struct vb_value){.type = VB_T_TEXT, .u.s = ids[i]};
			cells[2 * i + 1] = (struct vb_value){.type = VB_T_VECTOR, .u.vec = {vecs + (at + i) * DIM, DIM}};
		}
		struct vb_rows rows = {.ncols = 2, .cols = names, .nrows = m, .cells = cells};
		check(ops->add(h, spec, &rows, &err), &err, "add");
	}
	printf("rows %zu\n", n);
	ops->close(&h);
	free(ids);
	free(cells);
	free(vecs);
	return 0;
}

struct side {
	const struct vb_ops *ops;
	struct vb_handle *h;
	struct vb_table_spec spec;
};

/* One top-10 search on side s; returns its time in ms and counts a short page. */
static double timed_search(struct side *s, const float *q, size_t *short_pages)
{
	static const char *const sel[] = {"id", NULL};
	struct vb_error err = {0};
	struct vb_result *res = NULL;
	double t0 = bench_now_ms();
	check(s->ops->search_vector(s->h, &s->spec, q, DIM, TOPK, NULL, sel, &res, &err), &err, "search");
	double ms = bench_now_ms() - t0;
	if (short_pages)
		*short_pages += res->nrows < TOPK;
	s->ops->result_free(s->h, &res);
	return ms;
}

static int cmd_search(char **argv, const struct vb_table_spec *spec)
{
	size_t nq;
	float *qs = bench_read_vectors(argv[5], DIM, strtoull(argv[6], NULL, 10), &nq);
	struct side f = {.spec = *spec}, r = {.spec = *spec};
	plugin_open(argv, &f.ops, &f.h);
	char *ref_argv[] = {argv[0], argv[1], argv[2], argv[7], argv[8]};
	r.spec.name = argv[7];
	plugin_open(ref_argv, &r.ops, &r.h);
	timed_search(&f, qs, NULL); /* warm both connections and their caches */
	timed_search(&r, qs, NULL);
	double *lat = vb_xcalloc(nq, sizeof *lat), *ref = vb_xcalloc(nq, sizeof *ref), *ratio = vb_xcalloc(nq, sizeof *ratio);
	size_t short_pages = 0, ref_short = 0;
	for (size_t i = 0; i < nq; i++) {
		ref[i] = timed_search(&r, qs + i * DIM, &ref_short);
		lat[i] = timed_search(&f, qs + i * DIM, &short_pages);
		ratio[i] = lat[i] / ref[i];
	}
	printf("ratio %.2f\n", bench_median(ratio, nq));
	printf("search_ms %.3f\nref_ms %.3f\nqueries %zu\nshort_pages %zu\nref_short_pages %zu\npath %s\nref_path %s\n",
	       bench_median(lat, nq), bench_median(ref, nq), nq, short_pages, ref_short, f.ops->search_path(f.h),
	       r.ops->search_path(r.h));
	free(ratio);
	free(ref);
	free(lat);
	f.ops->close(&f.h);
	r.ops->close(&r.h);
	free(qs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: see bench/pgv_filter_bench.c\n");
		return 2;
	}
	struct vb_table_spec spec = {.name = argv[5], .columns = cols, .ncolumns = 2, .vector_column = "vector",
	                             .vector_dim = DIM, .key_column = "id", .namespaced = 1};
	if (argc == 10 && !strcmp(argv[1], "fill"))
		return cmd_fill(argv + 2, &spec);
	if (argc == 11 && !strcmp(argv[1], "search"))
		return cmd_search(argv + 2, &spec);
	fprintf(stderr, "usage: see bench/pgv_filter_bench.c\n");
	return 2;
}
