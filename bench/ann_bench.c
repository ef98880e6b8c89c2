/* bench/ann_bench.c - the embedded store's search paths for the ANN peer comparison (bench/ann.sh),
 * through the backend slots vbadmin runs.  The store is filled by `emb_bench fill`.
 *
 *   ann_bench index DIR                        index create (ivf): build time, peak RSS, store size
 *   ann_bench search DIR QFILE NQ IDS [exact]  top-10 per query (exact: the float32 reference scan);
 *                                              median and mean latency, the search path, peak RSS
 * ANN_OPTIONS passes backend options (nprobe=N) to the store, for the nprobe sweep.
 *
 * Output: "key value" lines on stdout. */
#include <sys/resource.h>
#include <sys/stat.h>

#define BENCH_PROG "ann_bench"
#include "bench_store.h" /* bench_vec: the same table emb_bench fill writes */

#define TOPK 10

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void store_open(const char *dir, const struct vb_ops **ops, struct vb_handle **h)
{
	struct vb_config cfg = {.backend = "embedded", .namespace = "bench", .data_dir = dir, .dim = BENCH_DIM,
	                        .options = getenv("ANN_OPTIONS")};
	struct vb_error err = {0};
	bench_check(vb_registry_open(&cfg, ops, h, &err), &err, "open embedded store");
}

static int cmd_index(char **argv)
{
	const struct vb_ops *ops;
	struct vb_handle *h;
	store_open(argv[0], &ops, &h);
	struct vb_error err = {0};
	int64_t n = 0;
	bench_check(ops->count(h, &bench_vec_spec, NULL, &n, &err), &err, "count");
	long rss0 = maxrss_kb();
	double t0 = bench_now_ms();
	bench_check(ops->create_index(h, &bench_vec_spec, NULL, &err), &err, "create_index");
	double ms = bench_now_ms() - t0;
	ops->close(&h);
	char *db = vb_xasprintf("%s/bench.db", argv[0]);
	struct stat st;
	long long bytes = stat(db, &st) == 0 ? (long long)st.st_size : -1;
	free(db);
	printf("rows %lld\nbuild_ms %.1f\npeak_rss_kb %ld\nrss_before_kb %ld\nstore_bytes %lld\n", (long long)n, ms,
	       maxrss_kb(), rss0, bytes);
	return 0;
}

static int cmd_search(char **argv, int exact)
{
	size_t nq;
	float *qs = bench_read_vectors(argv[1], BENCH_DIM, strtoull(argv[2], NULL, 10), &nq);
	const struct vb_ops *ops;
	struct vb_handle *h;
	store_open(argv[0], &ops, &h);
	double load_ms = bench_first_search(ops, h, qs, TOPK); /* reads the store into the cache (and the index lists) */
	struct vb_error err = {0};
	struct vb_result *res = NULL;
	static const char *const sel[] = {"id", NULL};
	FILE *ids = fopen(argv[3], "w");
	if (!ids)
		bench_die(argv[3]);
	double *lat = vb_xcalloc(nq, sizeof *lat);
	double all0 = bench_now_ms();
	for (size_t i = 0; i < nq; i++) {
		const float *q = qs + i * BENCH_DIM;
		double t0 = bench_now_ms();
		int rc = exact ? ops->search_vector_exact(h, &bench_vec_spec, q, BENCH_DIM, TOPK, NULL, sel, &res, &err)
		               : ops->search_vector(h, &bench_vec_spec, q, BENCH_DIM, TOPK, NULL, sel, &res, &err);
		lat[i] = bench_now_ms() - t0;
		bench_check(rc, &err, "search");
		for (size_t j = 0; j < res->nrows; j++)
			fprintf(ids, "%s%s", j ? " " : "", vb_result_get(res, j, 0));
		fputc('\n', ids);
		ops->result_free(h, &res);
	}
	double mean = (bench_now_ms() - all0) / (double)nq;
	fclose(ids);
	printf("load_ms %.1f\nsearch_ms %.3f\nmean_ms %.3f\npeak_rss_kb %ld\npath %s\n", load_ms, bench_median(lat, nq),
	       mean, maxrss_kb(), ops->search_path(h));
	free(lat);
	ops->close(&h);
	free(qs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "index"))
		return cmd_index(argv + 2);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "search"))
		return cmd_search(argv + 2, argc == 7 && !strcmp(argv[6], "exact"));
	fprintf(stderr, "usage: ann_bench index DIR | search DIR QFILE NQ IDS [exact]\n");
	return 2;
}
