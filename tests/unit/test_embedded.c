/* tests/unit/test_embedded.c - the embedded backend against a temporary data dir: every slot,
 * every filter operator, namespace isolation and mismatch, upsert, ranking on a fixed data set,
 * bad input (nothing written), persistence, and the semantic_model table of ddl/. */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../backends/embedded/embedded.h"
#include "../backends/vb_filter.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "tap.h"

static const struct vb_ops *ops = &vb_embedded_ops;
static char data_dir[256];

/* ---- the fixed data set ----
 * dim 4, query q = [1,0,0,0].  Cosine distances d = 1 - cos(v, q):
 *   a [1,0,0,0] 0        b [0,1,0,0] 1       c [1,1,0,0] 1-1/sqrt2 = 0.2929   d [-1,0,0,0] 2
 *   e [3,0,4,0] 1-3/5 = 0.4   f [0,0,0,1] 1   g [0,0,1,0] 1    h [1,0,1,0] 0.2929
 * Vector order: a, c, h (c == h exactly; the earlier row wins ties), e, b, f, g (ties, row
 * order), d.
 *
 * Text ("body", FTS5 bm25 with k1 = 1.2, b = 0.75): 8 rows, 18 words, avgdl = 2.25.  "apple"
 * occurs in b (once, 2 words) and d (three times, 3 words): idf = ln((8-2+0.5)/(2+0.5)) =
 * ln 2.6 = 0.9555.
 *   r_b = 0.9555 * 1*2.2 / (1 + 1.2*(0.25 + 0.75*2/2.25)) = 0.9555 * 2.2/2.1 = 1.0010
 *   r_d = 0.9555 * 3*2.2 / (3 + 1.2*(0.25 + 0.75*3/2.25)) = 0.9555 * 6.6/4.5 = 1.4014
 * so text "apple" ranks d, b.  "green banana" needs both words: only h.
 *
 * Hybrid "apple" + q: score = 0.6*(1 - d/2) + 0.4*8*(r/10):
 *   a 0.6   b 0.3 + 0.32*1.0010 = 0.6203   c 0.5121   h 0.5121   e 0.48
 *   d 0.32*1.4014 = 0.4484   f 0.3   g 0.3
 * so hybrid ranks b, a, c, h, e, d, f, g: the text lifts b over the exact vector match a and d
 * (the farthest vector) over e. */
static const float vecs[8][4] = {
	{ 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 1, 1, 0, 0 }, { -1, 0, 0, 0 },
	{ 3, 0, 4, 0 }, { 0, 0, 0, 1 }, { 0, 0, 1, 0 }, { 1, 0, 1, 0 },
};
static const char *const ids[8] = { "a", "b", "c", "d", "e", "f", "g", "h" };
static const char *const kinds[8] = { "fruit", "fruit", "sky", "fruit", "car", NULL, "fruit", "fruit" };
static const char *const names[8] = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "O'Hara", "Alpha2" };
static const double weights[8] = { 1.5, 2.5, NAN, 0.5, 3.0, 1.0, 2.0, 0.25 };
static const int flags[8] = { 1, 0, 1, -1, 0, 1, 0, 0 }; /* -1 = NULL */
static const char *const bodies[8] = {
	"red pie", "green apple", "blue sky", "apple apple apple",
	"red car", "plain text", "yellow banana", "green banana split",
};
static const float q[4] = { 1, 0, 0, 0 };

static const struct vb_column cols[] = {
	{ "id", VB_T_TEXT, 1, "TEXT" },
	{ "kind", VB_T_TEXT, 0, "TEXT" },
	{ "name", VB_T_TEXT, 1, "TEXT" },
	{ "score", VB_T_INT, 0, "BIGINT" },
	{ "weight", VB_T_DOUBLE, 0, "DOUBLE PRECISION" },
	{ "flag", VB_T_BOOL, 0, "BOOLEAN" },
	{ "tags", VB_T_TEXT_ARRAY, 0, "TEXT[]" },
	{ "body", VB_T_TEXT, 0, "TEXT" },
	{ "vector", VB_T_VECTOR, 0, "vector" },
};
#define NCOLS 9
static const struct vb_table_spec docs = {
	.name = "docs", .columns = cols, .ncolumns = NCOLS, .vector_column = "vector", .vector_dim = 4,
	.text_source = "body", .key_column = "id", .namespaced = 1,
};
static const char *const colnames[NCOLS] = { "id", "kind", "name", "score", "weight", "flag", "tags", "body", "vector" };
static const char *const tag_items[2] = { "x", "y\"z" };

static struct vb_value vtext(const char *s)
{
	struct vb_value v = { .type = VB_T_TEXT, .is_null = s == NULL };
	v.u.s = s;
	return v;
}

static struct vb_value vvec(const float *f, int dim)
{
	struct vb_value v = { .type = VB_T_VECTOR };
	v.u.vec.v = f;
	v.u.vec.dim = dim;
	return v;
}

/* Fills cells for fixture row i (score = 10*(i+1)). */
static void fixture_row(struct vb_value *c, int i)
{
	c[0] = vtext(ids[i]);
	c[1] = vtext(kinds[i]);
	c[2] = vtext(names[i]);
	c[3] = (struct vb_value){ .type = VB_T_INT, .u.i = 10 * (i + 1) };
	c[4] = (struct vb_value){ .type = VB_T_DOUBLE, .is_null = isnan(weights[i]), .u.d = weights[i] };
	c[5] = (struct vb_value){ .type = VB_T_BOOL, .is_null = flags[i] < 0, .u.b = flags[i] > 0 };
	c[6] = (struct vb_value){ .type = VB_T_TEXT_ARRAY, .is_null = i != 0 };
	c[6].u.arr.items = tag_items;
	c[6].u.arr.n = 2;
	c[7] = vtext(bodies[i]);
	c[8] = vvec(vecs[i], 4);
}

static struct vb_handle *open_ns(const char *ns)
{
	struct vb_config cfg = { .backend = "embedded", .namespace = ns, .data_dir = data_dir, .dim = 4 };
	struct vb_handle *h = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = ops->open(&cfg, &h, &err);
	if (rc != VB_OK)
		printf("# open %s: %s\n", ns, err.message);
	return h;
}

static int64_t count_where(struct vb_handle *h, const char *where)
{
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_filter *f = where ? vb_filter_parse(where, &err) : NULL;
	if (where && !f) {
		printf("# parse %s: %s\n", where, err.message);
		return -1;
	}
	int64_t n = -1;
	int rc = ops->count(h, &docs, f, &n, &err);
	vb_filter_free(f);
	if (rc != VB_OK) {
		printf("# count %s: %s\n", where ? where : "(all)", err.message);
		return -1;
	}
	return n;
}

/* Comma-joined column `col` of every row, e.g. "b,a,c". */
static char *column_list(const struct vb_result *r, const char *col)
{
	struct vb_buf b;
	vb_buf_init(&b);
	int c = r ? vb_result_col(r, col) : -1;
	for (size_t i = 0; r && i < r->nrows; i++) {
		if (i)
			vb_buf_addc(&b, ',');
		const char *s = vb_result_get(r, i, c);
		vb_buf_add(&b, s ? s : "NULL");
	}
	return vb_buf_steal(&b);
}

static void is_order(struct vb_result *r, const char *want, const char *name)
{
	char *got = column_list(r, "id");
	is_str(got, want, "%s", name);
	free(got);
}

static void add_fixture(struct vb_handle *h)
{
	struct vb_value cells[8 * NCOLS];
	for (int i = 0; i < 8; i++)
		fixture_row(cells + i * NCOLS, i);
	struct vb_rows rows = { NCOLS, colnames, 8, cells };
	struct vb_error err;
	vb_err_clear(&err);
	is_int(ops->add(h, &docs, &rows, &err), VB_OK, "add 8 fixture rows (%s)", err.message);
}

/* FTS5's own check that the text index matches the table row for row (rank 1 = compare with
 * the content table), run on the store file through a separate connection. */
static void fts_in_step(const char *ns, const char *table, const char *when)
{
	char *path = vb_xasprintf("%s/%s.db", data_dir, ns);
	char *sql = vb_xasprintf("INSERT INTO \"%s_fts\"(\"%s_fts\", rank) VALUES ('integrity-check', 1)", table, table);
	sqlite3 *db = NULL;
	char *msg = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	ok(rc == SQLITE_OK, "text index of %s in step with the table %s (%s)", table, when, msg ? msg : "ok");
	sqlite3_free(msg);
	sqlite3_close(db);
	free(sql);
	free(path);
}

static void open_ops_table(void)
{
	ok(ops->abi_version == VB_ABI_VERSION && ops->ops_size == sizeof(struct vb_ops), "ABI version and size");
	is_str(ops->name, "embedded", "registered name");
	ok(ops->caps & VB_CAP_CREATES, "caps include CREATES");
	ok((ops->caps & (VB_CAP_VECTOR | VB_CAP_TEXT | VB_CAP_HYBRID)) == (VB_CAP_VECTOR | VB_CAP_TEXT | VB_CAP_HYBRID),
	   "caps include vector, text and hybrid");
	ok(ops->version() && *ops->version(), "version string");
}

/* the store is private to its user: the directory 0700, the file 0600 */
static void open_new_store_files(struct vb_handle *h)
{
	struct stat st;
	ok(stat(data_dir, &st) == 0 && (st.st_mode & 0777) == 0700, "data dir is 0700");
	char *path = vb_xasprintf("%s/ns1.db", data_dir);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "store file <ns>.db is 0600");
	free(path);
	is_int(ops->socket_fd(h), -1, "socket_fd is -1");
}

/* before ensure_table every use of the table fails with Datus's message; drop is a no-op */
static void open_missing_table(struct vb_handle *h)
{
	struct vb_error err;
	int exists = 1;
	is_int(ops->table_exists(h, "docs", &exists, &err), VB_OK, "table_exists on a new store");
	is_int(exists, 0, "  docs does not exist yet");
	int64_t n;
	is_int(ops->count(h, &docs, NULL, &n, &err), VB_ERR_NOT_FOUND, "count on a missing table: NOT_FOUND");
	is_str(err.message, "Table docs does not exist.", "  with the Datus message");
	struct vb_value cells[NCOLS];
	fixture_row(cells, 0);
	struct vb_rows one = { NCOLS, colnames, 1, cells };
	is_int(ops->add(h, &docs, &one, &err), VB_ERR_NOT_FOUND, "add to a missing table: NOT_FOUND");
	struct vb_result *r = NULL;
	is_int(ops->search_vector(h, &docs, q, 4, 3, NULL, NULL, &r, &err), VB_ERR_NOT_FOUND,
	       "search on a missing table: NOT_FOUND");
	ok(r == NULL, "  and no result");
	is_int(ops->drop(h, &docs, &err), VB_OK, "drop of a missing table is a no-op");
}

static void open_ensure(struct vb_handle *h)
{
	struct vb_error err;
	int exists = 0;
	is_int(ops->ensure_table(h, &docs, &err), VB_OK, "ensure_table creates docs (%s)", err.message);
	is_int(ops->table_exists(h, "docs", &exists, &err), VB_OK, "table_exists after ensure");
	is_int(exists, 1, "  docs exists");
	is_int(ops->ensure_table(h, &docs, &err), VB_OK, "ensure_table again is fine");
}

/* a spec that differs from the stored table: another dimension or a NOT NULL column is refused,
 * a nullable column is added */
static void open_spec_drift(struct vb_handle *h)
{
	struct vb_error err;
	struct vb_table_spec wrong_dim = docs;
	wrong_dim.vector_dim = 8;
	is_int(ops->ensure_table(h, &wrong_dim, &err), VB_ERR_SCHEMA, "ensure_table with another dim: SCHEMA");
	has_str(err.message, "4-dimensional", "  names the stored dim");
	has_str(err.message, "8 dimensions", "  and the requested dim");

	struct vb_column more[NCOLS + 1];
	memcpy(more, cols, sizeof cols);
	more[NCOLS] = (struct vb_column){ "extra", VB_T_TEXT, 0, "TEXT" };
	struct vb_table_spec wider = docs;
	wider.columns = more;
	wider.ncolumns = NCOLS + 1;
	more[NCOLS].not_null = 1;
	is_int(ops->ensure_table(h, &wider, &err), VB_ERR_SCHEMA, "ensure_table with a NOT NULL column the table lacks: SCHEMA");
	is_str(err.message, "Table docs missing columns: extra", "  with the Datus message");
	more[NCOLS].not_null = 0;
	is_int(ops->ensure_table(h, &wider, &err), VB_OK, "a nullable column added to the table list is added to the table");
	struct vb_result *wr = NULL;
	const char *wsel[] = { "extra", NULL };
	is_int(ops->search_all(h, &wider, NULL, wsel, 0, &wr, &err), VB_OK, "  and can be selected");
	ops->result_free(h, &wr);
	is_int(ops->ensure_table(h, &docs, &err), VB_OK, "the narrower spec still works on the wider table");
}

static void test_open_and_schema(void)
{
	struct vb_error err;
	open_ops_table();
	struct vb_handle *h = open_ns("ns1");
	ok(h != NULL, "open creates the store on first use");
	open_new_store_files(h);
	open_missing_table(h);
	open_ensure(h);
	open_spec_drift(h);
	struct vb_table_spec bad = docs;
	bad.key_column = "nope";
	is_int(ops->ensure_table(h, &bad, &err), VB_ERR_INVALID, "spec with an unknown key column: INVALID");
	ops->close(&h);
	ok(h == NULL, "close sets the handle to NULL");
	ops->close(&h);
	ok(1, "close is NULL-safe");

	struct vb_config cfg = { .namespace = "../evil", .data_dir = data_dir };
	is_int(ops->open(&cfg, &h, &err), VB_ERR_INVALID, "a namespace that is not a file name is refused");
	ok(h == NULL, "  and no handle");
}

static void test_filters(struct vb_handle *h)
{
	is_int(count_where(h, NULL), 8, "count all");
	is_int(count_where(h, "kind = 'fruit'"), 5, "=");
	is_int(count_where(h, "kind == 'fruit'"), 5, "==");
	is_int(count_where(h, "kind != 'fruit'"), 2, "!= (NULL kind excluded)");
	is_int(count_where(h, "kind <> 'fruit'"), 2, "<>");
	is_int(count_where(h, "score > 40"), 4, ">");
	is_int(count_where(h, "score >= 40"), 5, ">=");
	is_int(count_where(h, "score < 30"), 2, "<");
	is_int(count_where(h, "score <= 30"), 3, "<=");
	is_int(count_where(h, "weight >= 2.5"), 2, "double >=");
	is_int(count_where(h, "flag = TRUE"), 3, "bool = TRUE");
	is_int(count_where(h, "flag IS NULL"), 1, "bool IS NULL");
	is_int(count_where(h, "kind IN ('sky', 'car')"), 2, "IN");
	is_int(count_where(h, "kind IN ()"), 0, "empty IN matches nothing");
	is_int(count_where(h, "kind IN ('car', NULL)"), 2, "IN with NULL matches NULL too");
	is_int(count_where(h, "kind NOT IN ('fruit')"), 2, "NOT IN");
	is_int(count_where(h, "kind IS NULL"), 1, "IS NULL");
	is_int(count_where(h, "kind = NULL"), 1, "= NULL is IS NULL");
	is_int(count_where(h, "kind IS NOT NULL"), 7, "IS NOT NULL");
	is_int(count_where(h, "name LIKE 'alpha*'"), 1, "LIKE is case-sensitive ('Alpha2' not matched)");
	is_int(count_where(h, "name LIKE '*a'"), 6, "LIKE suffix");
	is_int(count_where(h, "name LIKE 'A%'"), 1, "LIKE with %%");
	is_int(count_where(h, "name = 'O''Hara'"), 1, "quote in a value");
	is_int(count_where(h, "NOT kind = 'fruit'"), 2, "NOT");
	is_int(count_where(h, "kind = 'fruit' AND score > 30 OR name = 'gamma'"), 4, "AND binds tighter than OR");
	is_int(count_where(h, "kind = 'fruit' AND (score > 30 OR name = 'alpha')"), 4, "parentheses");
	is_int(count_where(h, "namespace = 'ns1'"), 8, "namespace column");
	is_int(count_where(h, "name = 'x'' OR ''1''=''1'"), 0, "a value is never SQL");

	struct vb_error err;
	struct vb_filter *f = vb_filter_parse("nope = 1", &err);
	int64_t n = 99;
	is_int(ops->count(h, &docs, f, &n, &err), VB_ERR_INVALID, "unknown column in filter: INVALID");
	is_str(err.message, "Unknown column 'nope' in filter", "  with the spec's message");
	is_int(ops->delete_where(h, &docs, f, &n, &err), VB_ERR_INVALID, "delete with an unknown column: INVALID");
	vb_filter_free(f);
	is_int(count_where(h, NULL), 8, "  nothing deleted");
	struct vb_value nul = { .type = VB_T_TEXT, .is_null = 1 };
	f = vb_filter_cond("score", VB_OP_GT, nul);
	is_int(ops->count(h, &docs, f, &n, &err), VB_ERR_INVALID, "> NULL from a builder: INVALID");
	is_str(err.message, "Operator > is invalid with NULL (field: score)", "  with the spec's message");
	vb_filter_free(f);
	f = vb_filter_parse("vector = 'x'", &err);
	is_int(ops->count(h, &docs, f, &n, &err), VB_ERR_INVALID, "filter on the vector column: INVALID");
	vb_filter_free(f);
	f = vb_filter_and(NULL, 0);
	is_int(ops->count(h, &docs, f, &n, &err), VB_OK, "empty AND");
	is_int(n, 8, "  matches all");
	vb_filter_free(f);
	f = vb_filter_or(NULL, 0);
	is_int(ops->count(h, &docs, f, &n, &err), VB_OK, "empty OR");
	is_int(n, 0, "  matches none");
	vb_filter_free(f);
}

static void test_search_all_and_cells(struct vb_handle *h)
{
	struct vb_error err;
	struct vb_result *r = NULL;
	is_int(ops->search_all(h, &docs, NULL, NULL, 0, &r, &err), VB_OK, "search_all");
	is_int(r ? r->nrows : 0, 8, "  every row");
	ok(r && vb_result_col(r, "vector") < 0, "  vector column omitted by default");
	ok(r && vb_result_col(r, "namespace") == 0, "  namespace first");
	is_str(vb_result_get(r, 0, vb_result_col(r, "namespace")), "ns1", "  namespace value");
	is_str(vb_result_get(r, 0, vb_result_col(r, "score")), "10", "  INT as text");
	is_str(vb_result_get(r, 0, vb_result_col(r, "weight")), "1.5", "  DOUBLE as text");
	is_str(vb_result_get(r, 0, vb_result_col(r, "flag")), "true", "  BOOL true");
	is_str(vb_result_get(r, 1, vb_result_col(r, "flag")), "false", "  BOOL false");
	ok(vb_result_get(r, 3, vb_result_col(r, "flag")) == NULL, "  NULL stays NULL");
	is_str(vb_result_get(r, 0, vb_result_col(r, "tags")), "[\"x\",\"y\\\"z\"]", "  TEXT[] as JSON");
	ok(r && r->distance == NULL && r->score == NULL, "  no distance or score");
	ops->result_free(h, &r);
	ok(r == NULL, "result_free clears the pointer");

	const char *sel[] = { "id", "vector", NULL };
	struct vb_filter *f = vb_filter_parse("kind = 'fruit'", &err);
	is_int(ops->search_all(h, &docs, f, sel, 2, &r, &err), VB_OK, "search_all with where, select, limit");
	vb_filter_free(f);
	is_int(r ? r->ncols : 0, 2, "  selected columns only");
	is_order(r, "a,b", "  limit 2 in row order");
	is_str(vb_result_get(r, 0, 1), "[1,0,0,0]", "  vector as text when selected");
	ops->result_free(h, &r);

	const char *badsel[] = { "id", "nope", NULL };
	is_int(ops->search_all(h, &docs, NULL, badsel, 0, &r, &err), VB_ERR_INVALID, "unknown select column: INVALID");
	has_str(err.message, "'nope'", "  named");
}

static void test_vector(struct vb_handle *h)
{
	struct vb_error err;
	struct vb_result *r = NULL;
	is_int(ops->search_vector(h, &docs, q, 4, 3, NULL, NULL, &r, &err), VB_OK, "search_vector");
	is_order(r, "a,c,h", "  top 3 by cosine distance, ties in row order");
	ok(r && r->distance && fabs(r->distance[0]) < 1e-6, "  d(a) = 0");
	ok(r && r->distance && fabs(r->distance[1] - (1 - 1 / sqrt(2))) < 1e-5, "  d(c) = 1 - 1/sqrt2");
	ok(r && vb_result_col(r, "vector") < 0, "  vector omitted");
	ops->result_free(h, &r);

	is_int(ops->search_vector(h, &docs, q, 4, 0, NULL, NULL, &r, &err), VB_OK, "search_vector top_n 0 = all");
	is_order(r, "a,c,h,e,b,f,g,d", "  full order");
	ok(r && r->distance && fabs(r->distance[3] - 0.4) < 1e-5 && fabs(r->distance[7] - 2) < 1e-5,
	   "  d(e) = 0.4, d(d) = 2");
	ops->result_free(h, &r);

	struct vb_filter *f = vb_filter_parse("kind = 'fruit' AND score >= 20", &err);
	is_int(ops->search_vector(h, &docs, q, 4, 3, f, NULL, &r, &err), VB_OK, "search_vector with a filter");
	is_order(r, "h,b,g", "  only matching rows ranked");
	vb_filter_free(f);
	ops->result_free(h, &r);

	float q3[3] = { 1, 0, 0 };
	is_int(ops->search_vector(h, &docs, q3, 3, 3, NULL, NULL, &r, &err), VB_ERR_INVALID, "query of wrong dim: INVALID");
	has_str(err.message, "3 dimensions", "  names the query dim");
	has_str(err.message, "has 4", "  and the table dim");
	f = vb_filter_parse("nope = 1", &err);
	is_int(ops->search_vector(h, &docs, q, 4, 3, f, NULL, &r, &err), VB_ERR_INVALID, "unknown filter column: INVALID");
	vb_filter_free(f);
}

static void test_text_and_hybrid(struct vb_handle *h)
{
	struct vb_error err;
	struct vb_result *r = NULL;
	is_int(ops->search_text(h, &docs, "apple", 10, NULL, NULL, &r, &err), VB_OK, "search_text");
	is_order(r, "d,b", "  bm25 order: more occurrences first");
	ok(r && r->score && fabs(r->score[0] - 1.4014) < 2e-3 && fabs(r->score[1] - 1.0010) < 2e-3,
	   "  scores are -bm25 as computed by hand (%.4f, %.4f)", r && r->score ? r->score[0] : 0,
	   r && r->score ? r->score[1] : 0);
	ops->result_free(h, &r);
	is_int(ops->search_text(h, &docs, "Green, banana!", 10, NULL, NULL, &r, &err), VB_OK, "search_text two words");
	is_order(r, "h", "  every word must match, case and punctuation ignored");
	ops->result_free(h, &r);
	is_int(ops->search_text(h, &docs, "\"apple\" OR NEAR(", 10, NULL, NULL, &r, &err), VB_OK,
	       "FTS syntax in the text is just words");
	is_order(r, "", "  (no row has apple, or, near together)");
	ops->result_free(h, &r);
	struct vb_filter *f = vb_filter_parse("score > 20", &err);
	is_int(ops->search_text(h, &docs, "apple", 10, f, NULL, &r, &err), VB_OK, "search_text with filter");
	is_order(r, "d", "  filter applied");
	vb_filter_free(f);
	ops->result_free(h, &r);

	is_int(ops->search_hybrid(h, &docs, "apple", q, 4, 3, NULL, NULL, &r, &err), VB_OK, "search_hybrid");
	is_order(r, "b,a,c", "  text lifts b above the exact vector match");
	ok(r && r->score && fabs(r->score[0] - 0.6203) < 2e-3 && fabs(r->score[1] - 0.6) < 1e-4,
	   "  score = 0.6*(1-d/2) + 3.2*text_rank (%.4f, %.4f)", r && r->score ? r->score[0] : 0,
	   r && r->score ? r->score[1] : 0);
	ok(r && r->distance && fabs(r->distance[0] - 1) < 1e-5, "  distance kept (d(b) = 1)");
	ops->result_free(h, &r);
	is_int(ops->search_hybrid(h, &docs, "apple", q, 4, 8, NULL, NULL, &r, &err), VB_OK, "search_hybrid all");
	is_order(r, "b,a,c,h,e,d,f,g", "  full hybrid order as computed by hand");
	ops->result_free(h, &r);
	f = vb_filter_parse("kind = 'fruit'", &err);
	is_int(ops->search_hybrid(h, &docs, "apple", q, 4, 3, f, NULL, &r, &err), VB_OK, "search_hybrid with filter");
	is_order(r, "b,a,h", "  filter applied to both candidate sets");
	vb_filter_free(f);
	ops->result_free(h, &r);
	float q5[5] = { 0 };
	is_int(ops->search_hybrid(h, &docs, "apple", q5, 5, 3, NULL, NULL, &r, &err), VB_ERR_INVALID,
	       "hybrid with a wrong-dim query: INVALID");
}

static void writes_upsert_twice(struct vb_handle *h)
{
	struct vb_error err;
	struct vb_value cells[2 * NCOLS];
	/* upsert the same rows twice: same count, no duplicates */
	for (int i = 0; i < 2; i++)
		fixture_row(cells + i * NCOLS, i);
	struct vb_rows two = { NCOLS, colnames, 2, cells };
	is_int(ops->upsert(h, &docs, &two, "id", &err), VB_OK, "upsert existing ids");
	is_int(ops->upsert(h, &docs, &two, NULL, &err), VB_OK, "upsert again (key column by default)");
	is_int(count_where(h, NULL), 8, "  idempotent: still 8 rows");
}

static void writes_upsert_replaces(struct vb_handle *h)
{
	struct vb_error err;
	/* upsert replaces every column: the ones left out become NULL */
	const char *part_cols[] = { "id", "name", "body" };
	struct vb_value part[3] = { vtext("a"), vtext("alpha-new"), vtext("kiwi") };
	struct vb_rows prow = { 3, part_cols, 1, part };
	is_int(ops->upsert(h, &docs, &prow, "id", &err), VB_OK, "upsert a row with fewer columns");
	is_int(count_where(h, "name = 'alpha-new' AND kind IS NULL AND vector IS NULL"), 1,
	       "  the vector too (IS NULL applies to a vector column, as on pgvector)");
	is_int(count_where(h, "vector LIKE '%'"), -1, "  any other condition on the vector column is refused");
	is_int(count_where(h, "name = 'alpha-new' AND kind IS NULL AND score IS NULL"), 1, "  other columns replaced");
	struct vb_result *r = NULL;
	ops->search_text(h, &docs, "kiwi", 5, NULL, NULL, &r, &err);
	is_order(r, "a", "  text index follows the upsert");
	ops->result_free(h, &r);
	ops->search_text(h, &docs, "red", 5, NULL, NULL, &r, &err);
	is_order(r, "e", "  old text of the row is gone from the index");
	ops->result_free(h, &r);
	ops->search_vector(h, &docs, q, 4, 2, NULL, NULL, &r, &err);
	is_order(r, "c,h", "  row without a vector drops out of vector search (cache refreshed)");
	ops->result_free(h, &r);
}

static void writes_upsert_new_and_by_column(struct vb_handle *h)
{
	struct vb_error err;
	struct vb_value cells[NCOLS];
	/* upsert of a new id inserts; upsert on a non-key column replaces by that column */
	fixture_row(cells, 0);
	cells[0] = vtext("a2");
	struct vb_rows one = { NCOLS, colnames, 1, cells };
	is_int(ops->upsert(h, &docs, &one, "id", &err), VB_OK, "upsert a new id");
	is_int(count_where(h, NULL), 9, "  inserted");
	cells[1] = vtext("moved");
	is_int(ops->upsert(h, &docs, &one, "name", &err), VB_OK, "upsert on a non-key column");
	is_int(count_where(h, "name = 'alpha'"), 1, "  replaced, not duplicated");
	is_int(count_where(h, "kind = 'moved'"), 1, "  with the new values");
}

/* update: the text index and the vector cache follow it; a wrong dimension or a foreign
 * namespace is refused */
static void writes_update(struct vb_handle *h)
{
	struct vb_error err;
	int64_t n = 0;
	struct vb_result *r = NULL;
	const char *ucols[] = { "kind", "body" };
	struct vb_value uvals[2] = { vtext("veg"), vtext("orange") };
	struct vb_rows upd = { 2, ucols, 1, uvals };
	struct vb_filter *f = vb_filter_parse("name IN ('beta', 'delta')", &err);
	is_int(ops->update(h, &docs, f, &upd, &n, &err), VB_OK, "update");
	is_int(n, 2, "  affected 2");
	vb_filter_free(f);
	is_int(count_where(h, "kind = 'veg'"), 2, "  values set");
	ops->search_text(h, &docs, "apple", 5, NULL, NULL, &r, &err);
	is_order(r, "", "  text index follows the update");
	ops->result_free(h, &r);
	const char *vcols[] = { "vector" };
	static const float newv[4] = { 0, 0.6f, 0, 0.8f };
	struct vb_value vval[1] = { vvec(newv, 4) };
	struct vb_rows vupd = { 1, vcols, 1, vval };
	f = vb_filter_parse("id = 'g'", &err);
	is_int(ops->update(h, &docs, f, &vupd, &n, &err), VB_OK, "update a vector");
	vb_filter_free(f);
	ops->search_vector(h, &docs, newv, 4, 2, NULL, NULL, &r, &err);
	is_order(r, "g,f", "  vector search sees the new vector (cos 1, then f at 0.8)");
	ops->result_free(h, &r);
	static const float v3[3] = { 1, 0, 0 };
	vval[0] = vvec(v3, 3);
	f = vb_filter_parse("id = 'g'", &err);
	is_int(ops->update(h, &docs, f, &vupd, &n, &err), VB_ERR_INVALID, "update with a wrong-dim vector: INVALID");
	vb_filter_free(f);
	const char *nscols[] = { "namespace", "kind" };
	struct vb_value nsvals[2] = { vtext("other"), vtext("x") };
	struct vb_rows nsupd = { 2, nscols, 1, nsvals };
	is_int(ops->update(h, &docs, NULL, &nsupd, &n, &err), VB_ERR_MISMATCH, "update with a foreign namespace: MISMATCH");
	is_int(count_where(h, "kind = 'x'"), 0, "  nothing updated");
}

/* a deleted row is gone from the table, the text index and the vector scan */
static void writes_delete(struct vb_handle *h)
{
	struct vb_error err;
	int64_t n = 0;
	struct vb_result *r = NULL;
	struct vb_filter *f = vb_filter_parse("kind = 'car'", &err);
	is_int(ops->delete_where(h, &docs, f, &n, &err), VB_OK, "delete_where");
	is_int(n, 1, "  affected 1");
	vb_filter_free(f);
	is_int(count_where(h, NULL), 8, "  row gone");
	ops->search_text(h, &docs, "car", 5, NULL, NULL, &r, &err);
	is_order(r, "", "  and gone from the text index");
	ops->result_free(h, &r);
	ops->search_vector(h, &docs, q, 4, 0, NULL, NULL, &r, &err);
	ok(r && r->nrows == 7, "  and from the vector scan (7 rows with vectors)");
	ops->result_free(h, &r);
}

static void test_writes(struct vb_handle *h)
{
	writes_upsert_twice(h);
	writes_upsert_replaces(h);
	writes_upsert_new_and_by_column(h);
	writes_update(h);
	writes_delete(h);
}

static void test_bad_batches(struct vb_handle *h)
{
	struct vb_error err;
	struct vb_value cells[2 * NCOLS];
	int64_t before = count_where(h, NULL);
	fixture_row(cells, 0);
	fixture_row(cells + NCOLS, 1);
	cells[0] = vtext("new1");
	cells[NCOLS] = vtext("new2");
	static const float v3[3] = { 1, 2, 3 };
	cells[NCOLS + 8] = vvec(v3, 3);
	struct vb_rows two = { NCOLS, colnames, 2, cells };
	is_int(ops->add(h, &docs, &two, &err), VB_ERR_INVALID, "batch with a wrong-dim vector: INVALID");
	has_str(err.message, "expected 4 dimensions, not 3", "  names both dims");
	is_int(count_where(h, NULL), before, "  nothing written");

	cells[NCOLS + 8] = vvec(vecs[1], 4);
	cells[NCOLS + 2] = vtext(NULL); /* name is NOT NULL: SQLite refuses row 2 after row 1 went in */
	is_int(ops->add(h, &docs, &two, &err), VB_ERR_INVALID, "batch with a NOT NULL violation in row 2: INVALID");
	has_str(err.message, "row 2", "  names the row");
	is_int(count_where(h, NULL), before, "  row 1 rolled back too (one transaction)");

	cells[NCOLS + 2] = vtext("fine");
	const char *nscols[NCOLS + 1];
	struct vb_value nscells[2 * (NCOLS + 1)];
	for (int i = 0; i < NCOLS; i++)
		nscols[i] = colnames[i];
	nscols[NCOLS] = "namespace";
	for (int r = 0; r < 2; r++) {
		memcpy(nscells + r * (NCOLS + 1), cells + r * NCOLS, NCOLS * sizeof *cells);
		nscells[r * (NCOLS + 1) + NCOLS] = vtext(r == 0 ? "ns1" : "other");
	}
	struct vb_rows nsrows = { NCOLS + 1, nscols, 2, nscells };
	is_int(ops->add(h, &docs, &nsrows, &err), VB_ERR_MISMATCH, "row of another namespace: MISMATCH");
	is_str(err.message, "namespace mismatch for table docs: other != ns1", "  with the Datus message");
	is_int(ops->upsert(h, &docs, &nsrows, "id", &err), VB_ERR_MISMATCH, "upsert too");
	is_int(count_where(h, NULL), before, "  nothing written");
	nscells[NCOLS + 1 + NCOLS] = vtext(NULL);
	is_int(ops->add(h, &docs, &nsrows, &err), VB_OK, "own namespace or none is accepted");
	is_int(count_where(h, "namespace = 'ns1'"), before + 2, "  stored with the backend's namespace");

	const char *badcols[] = { "id", "nope" };
	struct vb_value badcells[2] = { vtext("z"), vtext("z") };
	struct vb_rows bad = { 2, badcols, 1, badcells };
	is_int(ops->add(h, &docs, &bad, &err), VB_ERR_INVALID, "unknown column in rows: INVALID");
	has_str(err.message, "'nope'", "  named");
	struct vb_rows empty = { NCOLS, colnames, 0, cells };
	is_int(ops->add(h, &docs, &empty, &err), VB_OK, "empty batch is a no-op");
	is_int(count_where(h, NULL), before + 2, "  nothing written");
}

static void test_isolation_and_persistence(void)
{
	struct vb_error err;
	struct vb_handle *h1 = open_ns("ns1");
	struct vb_handle *h2 = open_ns("ns2");
	int64_t n1 = count_where(h1, NULL);
	ok(n1 > 0, "reopen keeps the data (%lld rows)", (long long)n1);
	struct vb_result *r = NULL;
	is_int(ops->search_hybrid(h1, &docs, "banana", q, 4, 2, NULL, NULL, &r, &err), VB_OK, "search after reopen");
	ok(r && r->nrows == 2, "  rows found");
	ops->result_free(h1, &r);

	int64_t n;
	is_int(ops->count(h2, &docs, NULL, &n, &err), VB_ERR_NOT_FOUND, "namespace ns2 has its own tables");
	is_int(ops->ensure_table(h2, &docs, &err), VB_OK, "ensure_table in ns2");
	add_fixture(h2);
	is_int(count_where(h2, NULL), 8, "ns2 has its 8 rows");
	is_int(count_where(h1, NULL), n1, "ns1 unchanged by ns2's writes");
	is_int(count_where(h2, "namespace = 'ns2'"), 8, "ns2 rows carry ns2");
	is_int(ops->drop(h2, &docs, &err), VB_OK, "drop in ns2");
	is_int(count_where(h2, NULL), 0, "  clears ns2's rows");
	fts_in_step("ns2", "docs", "after drop");
	int exists = 0;
	ops->table_exists(h2, "docs", &exists, &err);
	is_int(exists, 1, "  but keeps the table");
	is_int(count_where(h1, NULL), n1, "  and leaves ns1 alone");
	ops->search_vector(h2, &docs, q, 4, 3, NULL, NULL, &r, &err);
	ok(r && r->nrows == 0, "  vector search on the emptied table finds nothing");
	ops->result_free(h2, &r);

	/* a second connection to ns1 writes: the first one's vector cache must notice */
	struct vb_handle *h1b = open_ns("ns1");
	ops->search_vector(h1, &docs, q, 4, 1, NULL, NULL, &r, &err);
	ops->result_free(h1, &r);
	const char *c3[] = { "id", "name", "vector" };
	static const float exact[4] = { 0, 0, -2, 0 }; /* no other row points this way */
	struct vb_value v3[3] = { vtext("zz"), vtext("other-writer"), vvec(exact, 4) };
	struct vb_rows row = { 3, c3, 1, v3 };
	is_int(ops->add(h1b, &docs, &row, &err), VB_OK, "another connection adds a row");
	ops->search_vector(h1, &docs, exact, 4, 1, NULL, NULL, &r, &err);
	is_order(r, "zz", "  the first connection's vector search sees it");
	ops->result_free(h1, &r);
	is_int(count_where(h1, "id = 'zz'"), 1, "  and counts it");
	is_int(ops->cancel(h1), VB_OK, "cancel with nothing running");
	is_int(count_where(h1, "id = 'zz'"), 1, "  the next call runs normally");
	ops->close(&h1b);
	ops->close(&h1);
	ops->close(&h2);
}

/* The scan against a brute-force double-precision ranking: 3000 random rows of an odd
 * dimension (37, so every tail loop runs), with and without a filter. */
static int cmp_desc(const void *a, const void *b)
{
	const double *x = a, *y = b;
	return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : (x[1] > y[1]) - (x[1] < y[1]);
}

enum { BF_N = 3000, BF_D = 37, BF_K = 10 };

/* The expected answer, computed the slow way: the BF_K best rows by cosine similarity in double
 * precision (only grp = 3 when filtered), as "id,id,..." in want; rank[0][0] is the best cosine. */
static void brute_force_top(float (*v)[BF_D], const float *qq, int filtered, double (*rank)[2], struct vb_buf *want)
{
	double qn = 0;
	for (int j = 0; j < BF_D; j++)
		qn += (double)qq[j] * qq[j];
	int m = 0;
	for (int i = 0; i < BF_N; i++) {
		if (filtered && i % 7 != 3)
			continue;
		double dot = 0, vn = 0;
		for (int j = 0; j < BF_D; j++) {
			dot += (double)qq[j] * v[i][j];
			vn += (double)v[i][j] * v[i][j];
		}
		rank[m][0] = dot / sqrt(qn * vn);
		rank[m++][1] = i;
	}
	qsort(rank, (size_t)m, sizeof rank[0], cmp_desc);
	vb_buf_init(want);
	for (int i = 0; i < BF_K; i++)
		vb_buf_printf(want, i ? ",%d" : "%d", (int)rank[i][1]);
}

static void test_scan_against_brute_force(void)
{
	static const struct vb_column rc[] = {
		{ "id", VB_T_INT, 1, "BIGINT" }, { "grp", VB_T_INT, 0, "BIGINT" }, { "vector", VB_T_VECTOR, 0, "vector" },
	};
	static const struct vb_table_spec rnd = { .name = "rnd", .columns = rc, .ncolumns = 3, .vector_column = "vector",
	                                          .vector_dim = BF_D, .key_column = "id", .namespaced = 1 };
	static float v[BF_N][BF_D], qq[BF_D];
	static struct vb_value cells[BF_N * 3];
	static double rank[BF_N][2];
	unsigned seed = 12345;
	for (int i = 0; i < BF_N; i++) {
		for (int j = 0; j < BF_D; j++) {
			seed = seed * 1103515245u + 12345u;
			v[i][j] = (float)((seed >> 8) & 0xffff) / 65536.0f - 0.5f;
		}
		cells[i * 3] = (struct vb_value){ .type = VB_T_INT, .u.i = i };
		cells[i * 3 + 1] = (struct vb_value){ .type = VB_T_INT, .u.i = i % 7 };
		cells[i * 3 + 2] = vvec(v[i], BF_D);
	}
	for (int j = 0; j < BF_D; j++)
		qq[j] = v[17][j] + 0.3f * v[42][j];
	const char *cn[] = { "id", "grp", "vector" };
	struct vb_rows rows = { 3, cn, BF_N, cells };
	struct vb_error err;
	struct vb_handle *h = open_ns("rnd");
	ops->ensure_table(h, &rnd, &err);
	is_int(ops->add(h, &rnd, &rows, &err), VB_OK, "add %d random rows", BF_N);
	for (int pass = 0; pass < 2; pass++) {
		struct vb_buf want;
		brute_force_top(v, qq, pass, rank, &want);
		struct vb_filter *f = pass ? vb_filter_parse("grp = 3", &err) : NULL;
		struct vb_result *r = NULL;
		is_int(ops->search_vector(h, &rnd, qq, BF_D, BF_K, f, NULL, &r, &err), VB_OK, "random search %s", pass ? "filtered" : "");
		char *got = column_list(r, "id");
		is_str(got, want.data, "  top %d equals the brute-force order%s", BF_K, pass ? " among grp = 3" : "");
		ok(r && r->distance && fabs(r->distance[0] - (1 - rank[0][0])) < 1e-5, "  distance = 1 - cos");
		free(got);
		vb_buf_free(&want);
		vb_filter_free(f);
		ops->result_free(h, &r);
	}
	ops->close(&h);
}

static void test_semantic_model(void)
{
	const struct vb_table_spec *sm = ddl_table_spec("semantic_model", 8);
	ok(sm != NULL, "ddl_table_spec(semantic_model, 8)");
	if (!sm)
		return;
	struct vb_error err;
	struct vb_handle *h = open_ns("sm");
	is_int(ops->ensure_table(h, sm, &err), VB_OK, "ensure_table semantic_model (%s)", err.message);
	const char *c[] = { "id", "kind", "name", "fq_name", "description", "is_dimension", "updated_at", "vector" };
	static const float v[2][8] = { { 1, 0, 0, 0, 0, 0, 0, 0 }, { 0, 1, 0, 0, 0, 0, 0, 0 } };
	struct vb_value cells[16];
	for (int i = 0; i < 2; i++) {
		struct vb_value *row = cells + i * 8;
		row[0] = vtext(i ? "m2" : "m1");
		row[1] = vtext(i ? "metric" : "dimension");
		row[2] = vtext(i ? "revenue" : "order_date");
		row[3] = vtext(i ? "orders.revenue" : "orders.order_date");
		row[4] = vtext(i ? "total revenue of orders" : "date the order was placed");
		row[5] = (struct vb_value){ .type = VB_T_BOOL, .u.b = !i };
		row[6] = (struct vb_value){ .type = VB_T_TIMESTAMP, .u.s = "2025-01-02 03:04:05" };
		row[7] = vvec(v[i], 8);
	}
	struct vb_rows rows = { 8, c, 2, cells };
	is_int(ops->upsert(h, sm, &rows, "id", &err), VB_OK, "upsert into semantic_model (%s)", err.message);
	struct vb_result *r = NULL;
	is_int(ops->search_text(h, sm, "revenue", 5, NULL, NULL, &r, &err), VB_OK, "text search over description+name");
	is_order(r, "m2", "  finds the revenue metric");
	ops->result_free(h, &r);
	struct vb_filter *f = vb_filter_parse("kind = 'dimension' AND is_dimension = TRUE", &err);
	is_int(ops->search_hybrid(h, sm, "order", v[1], 8, 5, f, NULL, &r, &err), VB_OK, "hybrid with a bool filter");
	is_order(r, "m1", "  only the dimension");
	is_str(vb_result_get(r, 0, vb_result_col(r, "updated_at")), "2025-01-02 03:04:05", "  timestamp round-trips");
	vb_filter_free(f);
	ops->result_free(h, &r);
	ops->close(&h);
}

int main(void)
{
	char tmpl[] = "/tmp/vb-emb-XXXXXX";
	char *base = mkdtemp(tmpl);
	if (!base) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(data_dir, sizeof data_dir, "%s/data/sub", base); /* parents are created too */

	test_open_and_schema();
	struct vb_handle *h = open_ns("ns1");
	struct vb_error err;
	ops->ensure_table(h, &docs, &err);
	add_fixture(h);
	test_filters(h);
	test_search_all_and_cells(h);
	test_vector(h);
	test_text_and_hybrid(h);
	fts_in_step("ns1", "docs", "after add");
	test_writes(h);
	fts_in_step("ns1", "docs", "after upserts, updates and deletes");
	test_bad_batches(h);
	fts_in_step("ns1", "docs", "after failed batches");
	ops->close(&h);
	test_isolation_and_persistence();
	test_scan_against_brute_force();
	test_semantic_model();

	char *cmd = vb_xasprintf("rm -rf '%s'", base);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", base);
	free(cmd);
	return tap_done();
}
