/* bench/lance_bench.c - the lancedb backend (node helper + framed protocol) timed on the same rows
 * and queries bench/lance_peer.mjs gives LanceDB's library directly; bench/lancedb.sh pairs them.
 *
 *   lance_bench add DATADIR NS VECFILE N BATCH    ensure_table + add N rows in batches + close
 *   lance_bench search DATADIR NS QFILE NQ MODE   NQ top-10 searches, MODE vector or text
 *
 * Rows: id "v%07d", text lance_text(i) (bench/lance_peer.mjs writes the same), the i-th vector.
 * Output: "key value" lines on stdout. */
#include "../backends/registry.h"
#include "../backends/vb_util.h"
#include "bench.h"

#define DIM 384
#define TOPK 10

static const struct vb_column cols[] = {
	{"id", VB_T_TEXT, 0, "TEXT"},
	{"text", VB_T_TEXT, 0, "TEXT"},
	{"vector", VB_T_VECTOR, 0, "vector"},
};
static const char *const fts[] = {"text", NULL};
static const struct vb_table_spec spec = {
	.name = "bench_docs", .columns = cols, .ncolumns = 3, .vector_column = "vector", .vector_dim = DIM,
	.text_source = "text", .fts_columns = fts, .key_column = "id",
};

static const char *const words[] = {"orders", "revenue", "customer", "daily", "active", "users", "region",
                                    "quarter", "refund", "shipment", "invoice", "product", "margin", "churn"};
#define NWORDS (sizeof words / sizeof words[0])

/* Row i's text; bench/lance_peer.mjs builds the very same string. */
static void lance_text(char *buf, size_t len, size_t i)
{
	snprintf(buf, len, "%s %s %s %s tag%zu", words[i % NWORDS], words[(i / 3) % NWORDS], words[(i / 7) % NWORDS],
	         words[(i / 11) % NWORDS], i);
}

static void check(int rc, const struct vb_error *err, const char *what)
{
	if (rc != VB_OK) {
		fprintf(stderr, "lance_bench: %s: %s\n", what, err->message);
		if (err->detail[0])
			fprintf(stderr, "lance_bench: detail: %s\n", err->detail);
		exit(1);
	}
}

static void store_open(const char *dir, const char *ns, const struct vb_ops **ops, struct vb_handle **h)
{
	struct vb_config cfg = {.backend = "lancedb", .namespace = ns, .data_dir = dir, .dim = DIM};
	struct vb_error err = {0};
	check(vb_registry_open(&cfg, ops, h, &err), &err, "open the LanceDB store");
}

static int cmd_add(char **argv)
{
	size_t n, batch = strtoull(argv[4], NULL, 10);
	float *vecs = bench_read_vectors(argv[2], DIM, strtoull(argv[3], NULL, 10), &n);
	const struct vb_ops *ops;
	struct vb_handle *h;
	store_open(argv[0], argv[1], &ops, &h);
	static const char *const names[] = {"id", "text", "vector"};
	struct vb_value *cells = vb_xcalloc(batch * 3, sizeof *cells);
	char(*ids)[16] = vb_xcalloc(batch, sizeof *ids);
	char(*texts)[96] = vb_xcalloc(batch, sizeof *texts);
	struct vb_error err = {0};
	double t0 = bench_now_ms();
	check(ops->ensure_table(h, &spec, &err), &err, "ensure_table");
	for (size_t from = 0; from < n; from += batch) {
		size_t k = n - from < batch ? n - from : batch;
		for (size_t r = 0; r < k; r++) {
			bench_row_id(ids[r], sizeof ids[r], from + r);
			lance_text(texts[r], sizeof texts[r], from + r);
			cells[r * 3] = (struct vb_value){.type = VB_T_TEXT, .u.s = ids[r]};
			cells[r * 3 + 1] = (struct vb_value){.type = VB_T_TEXT, .u.s = texts[r]};
			cells[r * 3 + 2] = (struct vb_value){.type = VB_T_VECTOR};
			cells[r * 3 + 2].u.vec.v = vecs + (from + r) * DIM;
			cells[r * 3 + 2].u.vec.dim = DIM;
		}
		struct vb_rows rows = {3, names, k, cells};
		check(ops->add(h, &spec, &rows, &err), &err, "add");
	}
	ops->close(&h); /* the helper brings the full-text index up to date before it exits */
	printf("ms %.3f\nrows %zu\n", bench_now_ms() - t0, n);
	free(cells);
	free(ids);
	free(texts);
	free(vecs);
	return 0;
}

static int cmd_search(char **argv)
{
	size_t nq;
	int text = strcmp(argv[4], "text") == 0;
	float *qs = bench_read_vectors(argv[2], DIM, strtoull(argv[3], NULL, 10), &nq);
	const struct vb_ops *ops;
	struct vb_handle *h;
	store_open(argv[0], argv[1], &ops, &h);
	static const char *const sel[] = {"id", NULL};
	double *ms = vb_xcalloc(nq, sizeof *ms);
	struct vb_error err = {0};
	size_t found = 0;
	for (size_t i = 0; i < nq; i++) {
		struct vb_result *r = NULL;
		double t0 = bench_now_ms();
		int rc = text ? ops->search_text(h, &spec, words[i % NWORDS], TOPK, NULL, sel, &r, &err)
		              : ops->search_vector(h, &spec, qs + i * DIM, DIM, TOPK, NULL, sel, &r, &err);
		ms[i] = bench_now_ms() - t0;
		check(rc, &err, text ? "search_text" : "search_vector");
		found += r ? r->nrows : 0;
		ops->result_free(h, &r);
	}
	printf("median_ms %.3f\nresults %zu\n", bench_median(ms, nq), found);
	ops->close(&h);
	free(ms);
	free(qs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "add"))
		return cmd_add(argv + 2);
	if (argc == 7 && !strcmp(argv[1], "search"))
		return cmd_search(argv + 2);
	fprintf(stderr, "usage: lance_bench add DATADIR NS VECFILE N BATCH | search DATADIR NS QFILE NQ vector|text\n");
	return 2;
}
