/* tests/unit/test_emb_index.c - the embedded store's search paths (backends/embedded/emb_ivf.c,
 * emb_q8.c, the choice in emb_search.c) against its float32 exact scan, on a real SQLite store:
 * the quantised scan returns the exact top k; `create_index` builds an IVF index that is
 * persisted, kept current by add / upsert / update / delete, reaches recall@10 >= 0.9 here, and
 * still fills the page under a filter; --explain's search path names the path taken. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../backends/embedded/embedded.h"
#include "../backends/vb_filter.h"
#include "../backends/vb_util.h"
#include "tap.h"

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

#define DIM 32
#define NROWS 50000
#define NCENTERS 60
#define NQ 30

static const struct vb_ops *ops = &vb_embedded_ops;
static char data_dir[256];
static const struct vb_column cols[] = {
	{"id", VB_T_TEXT, 1, "TEXT"},
	{"kind", VB_T_TEXT, 0, "TEXT"},
	{"vector", VB_T_VECTOR, 0, "vector"},
};
static const struct vb_table_spec items = {
	.name = "items", .columns = cols, .ncolumns = 3, .vector_column = "vector", .vector_dim = DIM,
	.key_column = "id", .namespaced = 1,
};
static const char *const colnames[3] = {"id", "kind", "vector"};
static float centers[NCENTERS][DIM];
static char last_path[320]; /* the search path of the last non-exact search of recall_of */
static uint64_t seed = 88172645463325252ull;

static double rnd(void) /* xorshift, uniform in [-1, 1) */
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (double)(seed >> 11) / (double)(1ull << 52) - 1.0;
}

/* A point of a clustered set: a random center plus noise, as embeddings of related texts are. */
static void point(float *v)
{
	int c = (int)((rnd() + 1) / 2 * NCENTERS) % NCENTERS;
	for (int d = 0; d < DIM; d++)
		v[d] = centers[c][d] + 0.35f * (float)rnd();
}

static const char *kind_of(int i)
{
	return i % 100 == 0 ? "rare" : i % 10 == 1 ? "tenth" : "bulk";
}

static int put_rows(struct vb_handle *h, int first, int n, const float *vecs, const char *prefix, int upsert)
{
	struct vb_value *cells = vb_xcalloc((size_t)n * 3, sizeof *cells);
	char (*ids)[32] = vb_xcalloc((size_t)n, sizeof *ids);
	for (int i = 0; i < n; i++) {
		snprintf(ids[i], sizeof ids[i], "%s%d", prefix, first + i);
		cells[i * 3] = (struct vb_value){.type = VB_T_TEXT};
		cells[i * 3].u.s = ids[i];
		cells[i * 3 + 1] = (struct vb_value){.type = VB_T_TEXT};
		cells[i * 3 + 1].u.s = kind_of(first + i);
		cells[i * 3 + 2] = (struct vb_value){.type = VB_T_VECTOR};
		cells[i * 3 + 2].u.vec.v = vecs + (size_t)i * DIM;
		cells[i * 3 + 2].u.vec.dim = DIM;
	}
	struct vb_rows rows = {3, colnames, (size_t)n, cells};
	struct vb_error err;
	vb_err_clear(&err);
	int rc = upsert ? ops->upsert(h, &items, &rows, "id", &err) : ops->add(h, &items, &rows, &err);
	if (rc != VB_OK)
		diag("write: %s", err.message);
	free(ids);
	free(cells);
	return rc;
}

static struct vb_handle *open_store(void)
{
	struct vb_config cfg = {.backend = "embedded", .namespace = "ivf", .data_dir = data_dir, .dim = DIM};
	struct vb_handle *h = NULL;
	struct vb_error err;
	if (ops->open(&cfg, &h, &err) != VB_OK || ops->ensure_table(h, &items, &err) != VB_OK)
		diag("open: %s", err.message);
	return h;
}

static struct vb_result *search(struct vb_handle *h, const float *q, int k, const char *where, int exact)
{
	static const char *const sel[] = {"id", "kind", NULL};
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_filter *f = where ? vb_filter_parse(where, &err) : NULL;
	struct vb_result *r = NULL;
	int rc = exact ? ops->search_vector_exact(h, &items, q, DIM, k, f, sel, &r, &err)
	               : ops->search_vector(h, &items, q, DIM, k, f, sel, &r, &err);
	if (rc != VB_OK)
		diag("search: %s", err.message);
	vb_filter_free(f);
	return r;
}

/* Share of the exact top k that the search found, and whether its own order is by distance. */
static double recall_of(struct vb_handle *h, const float *q, int k, const char *where, size_t *rows, int *same)
{
	struct vb_result *a = search(h, q, k, where, 0);
	snprintf(last_path, sizeof last_path, "%s", ops->search_path(h));
	struct vb_result *e = search(h, q, k, where, 1);
	size_t hit = 0;
	for (size_t i = 0; a && e && i < e->nrows; i++)
		for (size_t j = 0; j < a->nrows; j++)
			if (!strcmp(vb_result_get(e, i, 0), vb_result_get(a, j, 0))) {
				hit++;
				break;
			}
	*rows = a ? a->nrows : 0;
	*same = a && e && a->nrows == e->nrows;
	for (size_t i = 0; *same && i < a->nrows; i++)
		*same = !strcmp(vb_result_get(e, i, 0), vb_result_get(a, i, 0)) &&
		        fabs(a->distance[i] - e->distance[i]) < 1e-6;
	double r = e && e->nrows ? (double)hit / (double)e->nrows : 1;
	ops->result_free(h, &a);
	ops->result_free(h, &e);
	return r;
}

static double mean_recall(struct vb_handle *h, const float *qs, const char *where, int *all_full, int *all_same)
{
	double sum = 0;
	*all_full = *all_same = 1;
	for (int i = 0; i < NQ; i++) {
		size_t rows;
		int same;
		sum += recall_of(h, qs + (size_t)i * DIM, 10, where, &rows, &same);
		*all_full &= rows == 10;
		*all_same &= same;
	}
	return sum / NQ;
}

static long long sql_count(const char *sql)
{
	char *path = vb_xasprintf("%s/ivf.db", data_dir);
	sqlite3 *db;
	long long n = -1;
	sqlite3_stmt *st;
	if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	free(path);
	return n;
}

static const char *top_id(struct vb_handle *h, const float *q, char *buf, size_t len)
{
	struct vb_result *r = search(h, q, 1, NULL, 0);
	snprintf(buf, len, "%s", r && r->nrows ? vb_result_get(r, 0, 0) : "(none)");
	ops->result_free(h, &r);
	return buf;
}

static void test_exact_scan(struct vb_handle *h, const float *qs)
{
	int full, same;
	double r = mean_recall(h, qs, NULL, &full, &same);
	has_str(last_path, "quantised exact scan (int8 over 50000 of 50000 rows", "no index: the int8 scan");
	ok(r == 1.0 && full && same, "no index: the int8 scan with float32 re-rank returns the exact top 10 (%.3f)", r);
}

static void test_ivf_build(struct vb_handle *h, const float *qs)
{
	int full, same;
	double r;
	struct vb_error err;
	vb_err_clear(&err);
	is_int(ops->create_index(h, &items, "hnsw", &err), VB_ERR_INVALID, "create_index hnsw: the store builds ivf only");
	ok(ops->create_index(h, &items, NULL, &err) == VB_OK, "create_index builds the ivf index");
	is_int(sql_count("SELECT count(*) FROM items__vb_ivf_rows"), NROWS, "every row has a stored list");
	is_int(sql_count("SELECT count(*) FROM items__vb_ivf_lists"), (int)sqrt(NROWS), "sqrt(n) lists are stored");

	r = mean_recall(h, qs, NULL, &full, &same);
	has_str(last_path, "ivf index: ", "with the index: the ivf path");
	has_str(last_path, "0 unindexed", "... every row in a list");
	ok(r >= 0.9 && full, "ivf: recall@10 %.3f >= 0.9 over %d queries, every page full", r, NQ);
	r = mean_recall(h, qs, "kind = 'tenth'", &full, &same);
	has_str(last_path, "filter keeps 10%", "a 10%% filter still probes the index");
	ok(r >= 0.9 && full, "ivf under a 10%% filter: recall@10 %.3f >= 0.9, every page full", r);
	r = mean_recall(h, qs, "kind = 'rare'", &full, &same);
	has_str(last_path, "exact scan (float32, 500 of 50000", "a 1%% filter: the exact scan of its rows");
	ok(r == 1.0 && full && same, "1%% filter: exact and full");
}

static void test_rows_after_build(struct vb_handle *h, const float *qs)
{
	/* rows written after the build join their lists in the same transaction */
	float fresh[5 * DIM];
	for (int i = 0; i < 5; i++)
		memcpy(fresh + i * DIM, qs, sizeof(float) * DIM);
	ok(put_rows(h, 0, 5, fresh, "new", 0) == VB_OK, "add 5 rows equal to query 0 after the build");
	char buf[64];
	has_str(top_id(h, qs, buf, sizeof buf), "new", "the added rows come first");
	has_str(ops->search_path(h), "0 unindexed", "... through their assigned list");
	is_int(sql_count("SELECT count(*) FROM items__vb_ivf_rows"), NROWS + 5, "their assignments are stored");
	float far[DIM];
	for (int d = 0; d < DIM; d++)
		far[d] = -qs[d];
	for (int i = 0; i < 5; i++)
		memcpy(fresh + i * DIM, far, sizeof far);
	ok(put_rows(h, 0, 5, fresh, "new", 1) == VB_OK, "upsert the 5 rows with the opposite vector");
	ok(strncmp(top_id(h, qs, buf, sizeof buf), "new", 3) != 0, "after the upsert they are no longer first");
	has_str(top_id(h, far, buf, sizeof buf), "new", "and are found near their new vector");
	is_int(sql_count("SELECT count(*) FROM items__vb_ivf_rows"), NROWS + 5, "upsert keeps one assignment per row");
}

/* an updated vector leaves its list and is scanned as an unindexed row; a deleted row takes its
 * assignment with it */
static void test_update_delete(struct vb_handle *h, const float *qs)
{
	struct vb_error err;
	char buf[64];
	struct vb_filter *f = vb_filter_parse("id = 'new0'", &err);
	struct vb_rows val = {1, (const char *const[]){"vector"}, 1, (struct vb_value[]){{.type = VB_T_VECTOR}}};
	((struct vb_value *)val.cells)[0].u.vec.v = qs;
	((struct vb_value *)val.cells)[0].u.vec.dim = DIM;
	int64_t n = 0;
	ok(ops->update(h, &items, f, &val, &n, &err) == VB_OK && n == 1, "update new0's vector back to query 0");
	is_str(top_id(h, qs, buf, sizeof buf), "new0", "the updated row is found at its new place");
	has_str(ops->search_path(h), "1 unindexed", "... as an unindexed row every search scans");
	vb_filter_free(f);
	f = vb_filter_parse("id LIKE 'new%'", &err);
	ok(ops->delete_where(h, &items, f, &n, &err) == VB_OK && n == 5, "delete the 5 rows");
	vb_filter_free(f);
	ok(strncmp(top_id(h, qs, buf, sizeof buf), "new", 3) != 0, "deleted rows are gone from the index");
	is_int(sql_count("SELECT count(*) FROM items__vb_ivf_rows"), NROWS, "their assignments went with them");
}

int main(void)
{
	char tmpl[] = "/tmp/vb-ivf-XXXXXX";
	char *base = mkdtemp(tmpl);
	snprintf(data_dir, sizeof data_dir, "%s", base);
	for (int c = 0; c < NCENTERS; c++)
		for (int d = 0; d < DIM; d++)
			centers[c][d] = (float)rnd();
	float *vecs = vb_xmalloc((size_t)NROWS * DIM * sizeof *vecs), qs[NQ * DIM];
	for (int i = 0; i < NROWS; i++)
		point(vecs + (size_t)i * DIM);
	for (int i = 0; i < NQ; i++)
		point(qs + (size_t)i * DIM);
	struct vb_handle *h = open_store();
	ok(put_rows(h, 0, NROWS, vecs, "r", 0) == VB_OK, "add %d clustered rows of dimension %d", NROWS, DIM);

	test_exact_scan(h, qs);
	test_ivf_build(h, qs);
	ops->close(&h);
	h = open_store();
	{
		int full, same;
		mean_recall(h, qs, NULL, &full, &same);
		has_str(last_path, "ivf index: ", "the index persists with the store (reopened)");
	}
	test_rows_after_build(h, qs);
	test_update_delete(h, qs);
	ops->close(&h);
	free(vecs);
	char *cmd = vb_xasprintf("rm -rf '%s'", base);
	if (system(cmd) != 0)
		diag("could not remove %s", base);
	free(cmd);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
