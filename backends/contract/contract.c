/* backends/contract/contract.c - the backend contract suite (see contract.h).
 *
 * The data set is small and fixed so every expected answer below was worked out by hand:
 * the query vector is q = (1,0,0,0) and the cosine distances of namespace A's rows are
 * a1 0, a2 0.2, a5 0.4, a3 1, a4 2.  Only a1 ("zebra" x3) and a2 ("zebra" x1) match the
 * text "zebra", and a1 is better than a2 on both vector and text, a2 better than a5 on
 * both, so the hybrid order a1 a2 a5 a3 a4 holds for any positive weighting of the two;
 * rows without a text match must score exactly 0.6 * (1 - d/2).  Namespace B holds a row
 * with the same id "a1" and better matches than A's, which must never show up in A. */
#include "contract.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../registry.h"
#include "../vb_filter.h"
#include "../vb_sql.h"
#include "../vb_util.h"

#define NCOLS 8
#define EPS 1e-4

static const struct vb_column ct_columns[NCOLS + 1] = {
	{"id", VB_T_TEXT, 1, "TEXT"},
	{"kind", VB_T_TEXT, 0, "TEXT"},
	{"title", VB_T_TEXT, 0, "TEXT"},
	{"content", VB_T_TEXT, 0, "TEXT"},
	{"n", VB_T_INT, 0, "BIGINT"},
	{"weight", VB_T_DOUBLE, 0, "DOUBLE PRECISION"},
	{"note", VB_T_TEXT, 0, "TEXT"},
	{"vector", VB_T_VECTOR, 0, "vector"},
	{"extra_col", VB_T_TEXT, 0, "TEXT"}, /* only in the "missing columns" spec */
};
static const char *const ct_names[NCOLS] = {"id", "kind", "title", "content", "n", "weight", "note", "vector"};
static const char *const ct_fts[] = {"content", NULL};

#define SPEC(name_, ncols_, dim_) {name_, ct_columns, ncols_, "vector", dim_, "content", ct_fts, "id", 1}
static const struct vb_table_spec spec_main = SPEC(CONTRACT_TABLE, NCOLS, CONTRACT_DIM);
static const struct vb_table_spec spec_extra = SPEC(CONTRACT_TABLE, NCOLS + 1, CONTRACT_DIM);
static const struct vb_table_spec spec_dim8 = SPEC(CONTRACT_TABLE, NCOLS, 8);
static const struct vb_table_spec spec_missing = SPEC("vb_contract_missing", NCOLS, CONTRACT_DIM);

struct item {
	const char *id, *kind, *title, *content;
	long long n;
	double weight;
	int weight_null;
	const char *note;
	float vec[CONTRACT_DIM];
	int dim; /* 0 = CONTRACT_DIM; other values make a bad row */
};

static const struct item items_a[] = {
	{"a1", "table", "orders", "zebra zebra zebra stripes", 10, 1.5, 0, "x", {1, 0, 0, 0}, 0},
	{"a2", "table", "order_items", "a zebra in savanna", 20, 2.5, 0, NULL, {0.8f, 0.6f, 0, 0}, 0},
	{"a3", "view", "customers", "lions hunt at night", 30, 3.5, 0, "y", {0, 1, 0, 0}, 0},
	{"a4", "view", "customer_orders", "elephants drink river water", 40, 0, 1, NULL, {-1, 0, 0, 0}, 0},
	{"a5", "metric", "revenue", "revenue per quarter report", 50, 0.5, 0, NULL, {0.6f, 0, 0.8f, 0}, 0},
};
static const struct item items_b[] = {
	{"a1", "table", "b_orders", "zebra zebra zebra zebra", 10, 9.5, 0, "b", {1, 0, 0, 0}, 0},
	{"b2", "view", "b_view", "zebra crossing", 60, 1.0, 0, NULL, {0, 0, 1, 0}, 0},
};
static const float q_vec[CONTRACT_DIM] = {1, 0, 0, 0};

struct ct {
	FILE *out;
	const struct vb_ops *ops;
	struct vb_handle *a, *b;
	const char *schema; /* SQL backends: where the suite's table lives */
	struct contract_stats st;
	int n;
};

static int check(struct ct *c, int pass, const char *fmt, ...) VB_PRINTF(3, 4);
static int check(struct ct *c, int pass, const char *fmt, ...)
{
	va_list ap;
	fprintf(c->out, "%sok %d - ", pass ? "" : "not ", ++c->n);
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
	if (pass)
		c->st.passed++;
	else
		c->st.failed++;
	fflush(c->out);
	return pass;
}

static void diag(struct ct *c, const char *fmt, ...) VB_PRINTF(2, 3);
static void diag(struct ct *c, const char *fmt, ...)
{
	va_list ap;
	fputs("#   ", c->out);
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
}

static void diag_err(struct ct *c, int rc, const struct vb_error *e)
{
	diag(c, "status %s: %s", vb_status_name(rc), e->message[0] ? e->message : "(no message)");
	if (e->detail[0])
		diag(c, "detail: %s", e->detail);
}

/* An optional capability the backend does not offer: reported, never called. */
static void unsupported(struct ct *c, const char *what, const char *why)
{
	fprintf(c->out, "ok %d - %s: unsupported (%s)\n", ++c->n, what, why);
	c->st.passed++;
	c->st.unsupported++;
}

/* ---- data ---- */

static void set_text(struct vb_value *v, const char *s)
{
	*v = (struct vb_value){.type = VB_T_TEXT, .is_null = s == NULL};
	v->u.s = s;
}

static void set_int(struct vb_value *v, long long i)
{
	*v = (struct vb_value){.type = VB_T_INT};
	v->u.i = i;
}

static void fill_item(struct vb_value *cells, const struct item *it)
{
	set_text(&cells[0], it->id);
	set_text(&cells[1], it->kind);
	set_text(&cells[2], it->title);
	set_text(&cells[3], it->content);
	set_int(&cells[4], it->n);
	cells[5] = (struct vb_value){.type = VB_T_DOUBLE, .is_null = it->weight_null};
	cells[5].u.d = it->weight;
	set_text(&cells[6], it->note);
	cells[7] = (struct vb_value){.type = VB_T_VECTOR};
	cells[7].u.vec.v = it->vec;
	cells[7].u.vec.dim = it->dim ? it->dim : CONTRACT_DIM;
}

/* Rows for items; with ns != NULL a leading "namespace" column carries it. */
struct rowset {
	const char *cols[NCOLS + 1];
	struct vb_value *cells;
	struct vb_rows rows;
};

static void rowset_make(struct rowset *rs, const struct item *items, size_t n, const char *ns)
{
	int off = ns ? 1 : 0;
	if (ns)
		rs->cols[0] = "namespace";
	for (int i = 0; i < NCOLS; i++)
		rs->cols[i + off] = ct_names[i];
	int ncols = NCOLS + off;
	rs->cells = vb_xcalloc(n * (size_t)ncols + 1, sizeof *rs->cells);
	for (size_t r = 0; r < n; r++) {
		if (ns)
			set_text(&rs->cells[r * (size_t)ncols], ns);
		fill_item(&rs->cells[r * (size_t)ncols + (size_t)off], &items[r]);
	}
	rs->rows = (struct vb_rows){ncols, rs->cols, n, rs->cells};
}

static void rowset_free(struct rowset *rs)
{
	free(rs->cells);
	rs->cells = NULL;
}

static int do_add(struct ct *c, struct vb_handle *h, const struct vb_table_spec *spec, const struct item *items,
                  size_t n, const char *ns, struct vb_error *err)
{
	struct rowset rs;
	rowset_make(&rs, items, n, ns);
	vb_err_clear(err);
	int rc = c->ops->add(h, spec, &rs.rows, err);
	rowset_free(&rs);
	return rc;
}

static int do_upsert(struct ct *c, struct vb_handle *h, const struct item *items, size_t n, const char *ns,
                     const char *on, struct vb_error *err)
{
	struct rowset rs;
	rowset_make(&rs, items, n, ns);
	vb_err_clear(err);
	int rc = c->ops->upsert(h, &spec_main, &rs.rows, on, err);
	rowset_free(&rs);
	return rc;
}

/* ---- reading back ---- */

static struct vb_filter *parse_where(struct ct *c, const char *where)
{
	if (!where)
		return NULL;
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_filter *f = vb_filter_parse(where, &err);
	if (!f)
		diag(c, "suite bug: cannot parse %s: %s", where, err.message);
	return f;
}

/* -1 when count fails (the error is reported as a diagnostic). */
static int64_t count_f(struct ct *c, struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *f)
{
	struct vb_error err;
	vb_err_clear(&err);
	int64_t n = -1;
	int rc = c->ops->count(h, spec, f, &n, &err);
	if (rc != VB_OK) {
		diag_err(c, rc, &err);
		return -1;
	}
	return n;
}

static int64_t count_w(struct ct *c, struct vb_handle *h, const char *where)
{
	struct vb_filter *f = parse_where(c, where);
	int64_t n = count_f(c, h, &spec_main, f);
	vb_filter_free(f);
	return n;
}

static void expect_count(struct ct *c, struct vb_handle *h, const char *where, int64_t want, const char *label)
{
	int64_t got = count_w(c, h, where);
	if (!check(c, got == want, "%s: count where %s = %lld", label, where ? where : "(none)", (long long)want))
		diag(c, "got %lld", (long long)got);
}

static void free_result(struct ct *c, struct vb_handle *h, struct vb_result **r)
{
	if (*r)
		c->ops->result_free(h, r);
}

/* Comma-joined ids in result order; sorted when `sorted`. */
static char *result_ids(const struct vb_result *r, int sorted)
{
	int col = r ? vb_result_col(r, "id") : -1;
	if (col < 0)
		return vb_xstrdup(r ? "(no id column)" : "(no result)");
	const char **v = vb_xcalloc(r->nrows + 1, sizeof *v);
	for (size_t i = 0; i < r->nrows; i++)
		v[i] = vb_result_get(r, i, col) ? vb_result_get(r, i, col) : "NULL";
	for (size_t i = 1; sorted && i < r->nrows; i++)
		for (size_t k = i; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
			const char *t = v[k];
			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	struct vb_buf b;
	vb_buf_init(&b);
	for (size_t i = 0; i < r->nrows; i++)
		vb_buf_printf(&b, "%s%s", i ? "," : "", v[i]);
	free(v);
	return b.data ? vb_buf_steal(&b) : vb_xstrdup("");
}

static int check_ids(struct ct *c, const struct vb_result *r, int sorted, const char *want, const char *label)
{
	char *got = result_ids(r, sorted);
	int ok = check(c, strcmp(got, want) == 0, "%s: %s%s", label, sorted ? "rows " : "order ", want[0] ? want : "(none)");
	if (!ok)
		diag(c, "got %s", got[0] ? got : "(none)");
	free(got);
	return ok;
}

/* The cell of row `id`, column `col`; "(absent)" when there is no such row or column. */
static const char *cell_of(const struct vb_result *r, const char *id, const char *col)
{
	int ic = vb_result_col(r, "id"), cc = vb_result_col(r, col);
	if (ic < 0 || cc < 0)
		return "(absent)";
	for (size_t i = 0; i < r->nrows; i++) {
		const char *v = vb_result_get(r, i, ic);
		if (v && strcmp(v, id) == 0)
			return vb_result_get(r, i, cc);
	}
	return "(absent)";
}

/* The title of row `id` in handle h's namespace, read with search_all (heap; NULL if none). */
static char *title_of(struct ct *c, struct vb_handle *h, const char *id)
{
	static const char *const sel[] = {"id", "title", NULL};
	struct vb_filter *f = vb_filter_eq_text("id", id);
	struct vb_result *r = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	char *out = NULL;
	int rc = c->ops->search_all(h, &spec_main, f, sel, 0, &r, &err);
	if (rc == VB_OK && r && r->nrows == 1) {
		const char *t = cell_of(r, id, "title");
		out = vb_xstrdup(t ? t : "NULL");
	} else if (rc != VB_OK) {
		diag_err(c, rc, &err);
	}
	free_result(c, h, &r);
	vb_filter_free(f);
	return out;
}

static int near(double a, double b)
{
	return fabs(a - b) < EPS;
}

/* ---- sections ---- */

#define MANDATORY_SLOTS(X) \
	X(ensure_table) X(table_exists) X(drop) X(add) X(upsert) X(update) X(delete_where) X(count) \
	X(search_all) X(search_vector) X(result_free)

static int section_slots(struct ct *c)
{
	const struct vb_ops *o = c->ops;
	struct vb_buf missing;
	vb_buf_init(&missing);
#define X(slot) if (!VB_SLOT(o, slot)) vb_buf_printf(&missing, " %s", #slot);
	MANDATORY_SLOTS(X)
#undef X
	int ok = check(c, missing.len == 0, "%s: every mandatory slot is set", o->name);
	if (!ok)
		diag(c, "missing:%s", missing.data);
	vb_buf_free(&missing);
	static const struct {
		unsigned cap;
		const char *name;
		size_t off, size;
	} caps[] = {
#define CAP(bit, slot) {bit, #bit " -> " #slot, offsetof(struct vb_ops, slot), sizeof(((struct vb_ops *)0)->slot)}
		CAP(VB_CAP_TEXT, search_text),   CAP(VB_CAP_HYBRID, search_hybrid), CAP(VB_CAP_SQL, query),
		CAP(VB_CAP_SQL, exec_script),    CAP(VB_CAP_CANCEL, cancel),        CAP(VB_CAP_POLLFD, socket_fd),
		CAP(VB_CAP_VECTOR_INDEX, create_index),
#undef CAP
	};
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		if (!(o->caps & caps[i].cap))
			continue;
		void *p = NULL;
		if (o->ops_size >= caps[i].off + caps[i].size)
			memcpy(&p, (const char *)o + caps[i].off, sizeof p);
		check(c, p != NULL, "capability %s: the slot is set", caps[i].name);
	}
	const char *v = o->version ? o->version() : NULL;
	check(c, v && *v, "version() names the backend version (%s)", v ? v : "none");
	return ok;
}

static char *sql_table(const struct vb_config *cfg)
{
	char *schema = vb_quote_ident(cfg->schema && *cfg->schema ? cfg->schema : "public");
	char *s = vb_xasprintf("%s.%s", schema, CONTRACT_TABLE);
	free(schema);
	return s;
}

/* SQL backends verify tables but do not create them: the suite makes its own with the same
 * shape the DDL gives knowledge-base tables (namespace column, UNIQUE(namespace, id), GIN
 * index over the shared full-text expression). */
static int sql_setup(struct ct *c, const struct vb_config *cfg)
{
	char *t = sql_table(cfg);
	char *fts = vb_fts_expression(&spec_main);
	char *idx = vb_quote_ident(CONTRACT_TABLE "_fts");
	char *stmts[3];
	stmts[0] = vb_xasprintf("DROP TABLE IF EXISTS %s", t);
	stmts[1] = vb_xasprintf("CREATE TABLE %s (namespace TEXT NOT NULL, id TEXT NOT NULL, kind TEXT, title TEXT, "
	                        "content TEXT, n BIGINT, weight DOUBLE PRECISION, note TEXT, vector vector(%d), "
	                        "UNIQUE (namespace, id))", t, CONTRACT_DIM);
	stmts[2] = vb_xasprintf("CREATE INDEX %s ON %s USING gin (%s)", idx, t, fts);
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->exec_script(c->a, (const char *const *)stmts, 3, NULL, NULL, &err);
	if (!check(c, rc == VB_OK, "exec_script creates the suite's table %s", t))
		diag_err(c, rc, &err);
	for (int i = 0; i < 3; i++)
		free(stmts[i]);
	free(idx);
	free(fts);
	free(t);
	return rc == VB_OK;
}

static void sql_teardown(struct ct *c, const struct vb_config *cfg)
{
	char *t = sql_table(cfg);
	char *stmt = vb_xasprintf("DROP TABLE IF EXISTS %s", t);
	const char *const stmts[1] = {stmt};
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->exec_script(c->a, stmts, 1, NULL, NULL, &err);
	if (!check(c, rc == VB_OK, "exec_script drops the suite's table"))
		diag_err(c, rc, &err);
	free(stmt);
	free(t);
}

/* A backend that cannot create tables must say which one is missing, in spec's words. */
static void schema_missing_table(struct ct *c)
{
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->ensure_table(c->a, &spec_missing, &err);
	if (check(c, rc != VB_OK, "ensure_table on a missing table fails"))
		check(c, strstr(err.message, "vb_contract_missing") && strstr(err.message, "does not exist"),
		      "... with \"Table vb_contract_missing does not exist.\"");
	if (rc != VB_OK && !strstr(err.message, "does not exist"))
		diag_err(c, rc, &err);
}

/* A table that differs from the spec (a column more, another dimension) is migrated by a backend
 * that owns its tables and refused by one that does not; never silently used. */
static void schema_drift(struct ct *c, int creates)
{
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->ensure_table(c->a, &spec_extra, &err);
	if (creates && rc == VB_OK) {
		check(c, 1, "ensure_table with a new column: the backend migrates its own table");
	} else if (check(c, rc == VB_ERR_SCHEMA && strstr(err.message, "missing columns: extra_col"),
	                 "ensure_table with a column the table lacks: \"Table %s missing columns: extra_col\"",
	                 CONTRACT_TABLE) == 0) {
		diag_err(c, rc, &err);
	}
	vb_err_clear(&err);
	rc = c->ops->ensure_table(c->a, &spec_dim8, &err);
	if (!check(c, rc != VB_OK && err.message[0], "ensure_table with vector dimension 8 on a vector(4) table fails"))
		diag_err(c, rc, &err);
}

static int schema_ensure(struct ct *c, struct vb_handle *ns, const char *which)
{
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->ensure_table(ns, &spec_main, &err);
	if (!check(c, rc == VB_OK, "ensure_table %s (namespace %s)", CONTRACT_TABLE, which)) {
		diag_err(c, rc, &err);
		return 0;
	}
	return 1;
}

static int section_schema(struct ct *c)
{
	struct vb_error err;
	const struct vb_ops *o = c->ops;
	int creates = (o->caps & VB_CAP_CREATES) != 0;

	if (!creates)
		schema_missing_table(c);
	if (!schema_ensure(c, c->a, "A") || !schema_ensure(c, c->b, "B"))
		return 0;
	vb_err_clear(&err);
	int rc = o->ensure_table(c->a, &spec_main, &err);
	check(c, rc == VB_OK, "ensure_table again is a no-op");
	schema_drift(c, creates);

	int exists = -1;
	vb_err_clear(&err);
	rc = o->table_exists(c->a, CONTRACT_TABLE, &exists, &err);
	check(c, rc == VB_OK && exists == 1, "table_exists(%s) = 1", CONTRACT_TABLE);
	exists = -1;
	rc = o->table_exists(c->a, "vb_contract_missing", &exists, &err);
	check(c, rc == VB_OK && exists == 0, "table_exists(vb_contract_missing) = 0");

	/* a clean start, whatever an interrupted earlier run left in the suite's namespaces */
	vb_err_clear(&err);
	int ra = o->drop(c->a, &spec_main, &err);
	int rb = o->drop(c->b, &spec_main, &err);
	check(c, ra == VB_OK && rb == VB_OK, "drop clears namespaces A and B");
	check(c, count_w(c, c->a, NULL) == 0 && count_w(c, c->b, NULL) == 0, "both namespaces are empty after drop");
	return 1;
}

static int section_add(struct ct *c)
{
	struct vb_error err;
	int rc = do_add(c, c->a, &spec_main, items_a, 5, NULL, &err);
	if (!check(c, rc == VB_OK, "add 5 rows to namespace A")) {
		diag_err(c, rc, &err);
		return 0;
	}
	rc = do_add(c, c->b, &spec_main, items_b, 2, NULL, &err);
	if (!check(c, rc == VB_OK, "add 2 rows to namespace B (one with the same id as in A)")) {
		diag_err(c, rc, &err);
		return 0;
	}
	expect_count(c, c->a, NULL, 5, "namespace A");
	expect_count(c, c->b, NULL, 2, "namespace B");
	rc = do_add(c, c->a, &spec_main, items_a, 0, NULL, &err);
	check(c, rc == VB_OK, "add of zero rows is a no-op");
	expect_count(c, c->a, NULL, 5, "after the empty add");
	return 1;
}

static const struct {
	const char *where;
	int64_t want;
} filter_cases[] = {
	{"kind = 'table'", 2},
	{"kind != 'table'", 3},
	{"n > 20", 3},
	{"n >= 20", 4},
	{"n < 20", 1},
	{"n <= 20", 2},
	{"weight > 2.0", 2},
	{"weight = 2.5", 1},
	{"kind IN ('view', 'metric')", 3},
	{"kind IN ()", 0},
	{"note IN ('x', NULL)", 4},
	{"title LIKE 'order%'", 2},
	{"title LIKE '%orders'", 2},
	{"title LIKE 'customer_'", 1},
	{"note IS NULL", 3},
	{"note IS NOT NULL", 2},
	{"kind = 'view' AND n > 30", 1},
	{"kind = 'metric' OR n < 20", 2},
	{"NOT kind = 'table'", 3},
	{"NOT note = 'x'", 1},
	{"(kind = 'table' OR kind = 'view') AND NOT title LIKE 'cust%'", 2},
	{"namespace = '" CONTRACT_NS_A "'", 5},
	{"namespace = '" CONTRACT_NS_B "'", 0},
	{"id = 'a1'", 1},
	/* same filter, same answer (issue 14): the backslash escapes a wildcard on every backend, as in
	 * PostgreSQL and LanceDB (SQLite's LIKE has no escape unless told), and a vector column takes
	 * IS [NOT] NULL (pgvector accepted it, the embedded store refused it) */
	{"title LIKE 'order\\_%'", 1},
	{"title LIKE 'customer\\_orders'", 1},
	{"title LIKE 'order\\%'", 0},
	{"title LIKE '%\\\\%'", 0},
	{"vector IS NOT NULL", 5},
	{"vector IS NULL", 0},
	{"NOT vector IS NULL AND kind = 'view'", 2},
};

/* Filters every backend refuses alike, with VB_ERR_INVALID naming the field (issue 14: a trailing
 * backslash was an error on pgvector and 0 rows on the embedded store). */
static const char *const refused_filters[] = {
	"title LIKE 'orders\\'",
	"title LIKE '\\'",
	"vector LIKE '%'",
	"vector IN ('x')",
	"NOT vector = 'x'",
};

static void section_filters(struct ct *c)
{
	for (size_t i = 0; i < sizeof filter_cases / sizeof filter_cases[0]; i++)
		expect_count(c, c->a, filter_cases[i].where, filter_cases[i].want, "filter");

	struct vb_filter *empty_and = vb_filter_and(NULL, 0), *empty_or = vb_filter_or(NULL, 0);
	int64_t n = count_f(c, c->a, &spec_main, empty_and);
	check(c, n == 5, "filter: an empty AND matches every row (5), got %lld", (long long)n);
	n = count_f(c, c->a, &spec_main, empty_or);
	check(c, n == 0, "filter: an empty OR matches nothing, got %lld", (long long)n);
	vb_filter_free(empty_and);
	vb_filter_free(empty_or);

	struct vb_filter *bad = parse_where(c, "nope = 1");
	struct vb_error err;
	vb_err_clear(&err);
	n = -1;
	int rc = c->ops->count(c->a, &spec_main, bad, &n, &err);
	if (!check(c, rc == VB_ERR_INVALID && strstr(err.message, "nope"),
	           "filter on an unknown column: VB_ERR_INVALID naming the column"))
		diag_err(c, rc, &err);
	vb_filter_free(bad);

	for (size_t i = 0; i < sizeof refused_filters / sizeof refused_filters[0]; i++) {
		struct vb_filter *f = parse_where(c, refused_filters[i]);
		vb_err_clear(&err);
		n = -1;
		rc = f ? c->ops->count(c->a, &spec_main, f, &n, &err) : VB_ERR_INTERNAL;
		int named = strstr(err.message, strstr(refused_filters[i], "title") ? "'title'" : "'vector'") != NULL;
		if (!check(c, rc == VB_ERR_INVALID && named, "filter %s is refused: VB_ERR_INVALID naming the field",
		           refused_filters[i]))
			diag_err(c, rc, &err);
		vb_filter_free(f);
	}
}

static void section_search_all(struct ct *c)
{
	static const char *const sel[] = {"id", "title", NULL};
	struct vb_filter *f = parse_where(c, "kind = 'view'");
	struct vb_result *r = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->search_all(c->a, &spec_main, f, sel, 0, &r, &err);
	if (check(c, rc == VB_OK && r, "search_all where kind = 'view' select id, title")) {
		check(c, r->ncols == 2 && vb_result_col(r, "id") >= 0 && vb_result_col(r, "title") >= 0,
		      "search_all: exactly the selected columns (got %d)", r->ncols);
		check_ids(c, r, 1, "a3,a4", "search_all where kind = 'view'");
		const char *t = cell_of(r, "a3", "title");
		check(c, t && strcmp(t, "customers") == 0, "search_all: a3's title is 'customers' (got %s)", t ? t : "NULL");
	} else {
		diag_err(c, rc, &err);
	}
	free_result(c, c->a, &r);
	vb_filter_free(f);

	vb_err_clear(&err);
	rc = c->ops->search_all(c->a, &spec_main, NULL, NULL, 0, &r, &err);
	if (check(c, rc == VB_OK && r, "search_all with no filter, every column")) {
		check_ids(c, r, 1, "a1,a2,a3,a4,a5", "search_all sees only namespace A");
		check(c, vb_result_col(r, "vector") < 0, "search_all: the default column list leaves out the vector");
		const char *note = cell_of(r, "a2", "note");
		check(c, note == NULL, "search_all: SQL NULL comes back as a NULL cell (a2.note)");
		const char *nv = cell_of(r, "a2", "n"), *wv = cell_of(r, "a2", "weight");
		check(c, nv && strcmp(nv, "20") == 0, "search_all: integer cell as text '20' (got %s)", nv ? nv : "NULL");
		check(c, wv && near(strtod(wv, NULL), 2.5), "search_all: double cell reads back 2.5 (got %s)",
		      wv ? wv : "NULL");
	} else {
		diag_err(c, rc, &err);
	}
	free_result(c, c->a, &r);

	vb_err_clear(&err);
	rc = c->ops->search_all(c->a, &spec_main, NULL, sel, 2, &r, &err);
	check(c, rc == VB_OK && r && r->nrows == 2, "search_all limit 2 returns 2 rows (got %zu)", r ? r->nrows : 0);
	free_result(c, c->a, &r);

	static const char *const bad_sel[] = {"id", "nope", NULL};
	vb_err_clear(&err);
	rc = c->ops->search_all(c->a, &spec_main, NULL, bad_sel, 0, &r, &err);
	if (!check(c, rc != VB_OK && !r && err.message[0], "search_all selecting an unknown column fails cleanly"))
		diag_err(c, rc, &err);
	free_result(c, c->a, &r);
}

static void check_distances(struct ct *c, const struct vb_result *r, const double *want, size_t n, const char *label)
{
	int ok = r && r->distance && r->nrows == n;
	for (size_t i = 0; ok && i < n; i++)
		ok = near(r->distance[i], want[i]);
	if (!check(c, ok, "%s: cosine distances as worked out", label) && r && r->distance)
		for (size_t i = 0; i < r->nrows; i++)
			diag(c, "row %zu distance %.6f", i, r->distance[i]);
}

static void section_vector(struct ct *c)
{
	static const char *const sel[] = {"id", "title", NULL};
	struct vb_result *r = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->search_vector(c->a, &spec_main, q_vec, CONTRACT_DIM, 3, NULL, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_vector top 3")) {
		check_ids(c, r, 0, "a1,a2,a5", "search_vector top 3");
		static const double d[] = {0, 0.2, 0.4};
		check_distances(c, r, d, 3, "search_vector top 3");
	} else {
		diag_err(c, rc, &err);
	}
	free_result(c, c->a, &r);

	vb_err_clear(&err);
	rc = c->ops->search_vector(c->a, &spec_main, q_vec, CONTRACT_DIM, 10, NULL, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_vector top 10"))
		check_ids(c, r, 0, "a1,a2,a5,a3,a4", "search_vector top 10 (namespace B's closer rows stay out)");
	free_result(c, c->a, &r);

	struct vb_filter *f = parse_where(c, "kind = 'view'");
	vb_err_clear(&err);
	rc = c->ops->search_vector(c->a, &spec_main, q_vec, CONTRACT_DIM, 10, f, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_vector where kind = 'view'")) {
		check_ids(c, r, 0, "a3,a4", "search_vector where kind = 'view'");
		static const double d[] = {1, 2};
		check_distances(c, r, d, 2, "search_vector where kind = 'view'");
	}
	free_result(c, c->a, &r);
	vb_filter_free(f);

	/* a query near a5: (0.6, 0, 0.8, 0) itself */
	static const float q5[CONTRACT_DIM] = {0.6f, 0, 0.8f, 0};
	vb_err_clear(&err);
	rc = c->ops->search_vector(c->a, &spec_main, q5, CONTRACT_DIM, 2, NULL, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_vector for a5's own vector"))
		check_ids(c, r, 0, "a5,a1", "search_vector for a5's vector (a1 at 0.4, a2 at 0.52)");
	free_result(c, c->a, &r);

	static const float q3[3] = {1, 0, 0};
	vb_err_clear(&err);
	rc = c->ops->search_vector(c->a, &spec_main, q3, 3, 3, NULL, sel, &r, &err);
	if (!check(c, rc != VB_OK && !r && err.message[0], "search_vector with a 3-dimensional query fails cleanly"))
		diag_err(c, rc, &err);
	else
		diag(c, "%s: %s", vb_status_name(rc), err.message);
	free_result(c, c->a, &r);

	vb_err_clear(&err);
	rc = c->ops->search_vector(c->a, &spec_missing, q_vec, CONTRACT_DIM, 3, NULL, sel, &r, &err);
	if (!check(c, rc != VB_OK && !r && err.message[0], "search_vector on a missing table fails cleanly"))
		diag_err(c, rc, &err);
	free_result(c, c->a, &r);
}

static int scores_descending(const struct vb_result *r)
{
	if (!r->score)
		return 1;
	for (size_t i = 1; i < r->nrows; i++)
		if (r->score[i] > r->score[i - 1] + 1e-9)
			return 0;
	return 1;
}

static void section_text(struct ct *c)
{
	if (!(c->ops->caps & VB_CAP_TEXT) || !VB_SLOT(c->ops, search_text)) {
		unsupported(c, "search_text", "no VB_CAP_TEXT");
		return;
	}
	static const char *const sel[] = {"id", NULL};
	struct vb_result *r = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->search_text(c->a, &spec_main, "zebra", 10, NULL, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_text 'zebra'")) {
		check_ids(c, r, 0, "a1,a2", "search_text 'zebra' (3 occurrences before 1; B stays out)");
		check(c, scores_descending(r), "search_text: scores do not increase down the list");
	} else {
		diag_err(c, rc, &err);
	}
	free_result(c, c->a, &r);

	vb_err_clear(&err);
	rc = c->ops->search_text(c->a, &spec_main, "zebra savanna", 10, NULL, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_text 'zebra savanna'"))
		check_ids(c, r, 0, "a2", "search_text 'zebra savanna' needs every word");
	free_result(c, c->a, &r);

	struct vb_filter *f = parse_where(c, "kind = 'view'");
	vb_err_clear(&err);
	rc = c->ops->search_text(c->a, &spec_main, "zebra", 10, f, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_text 'zebra' where kind = 'view'"))
		check_ids(c, r, 0, "", "search_text 'zebra' where kind = 'view'");
	free_result(c, c->a, &r);
	vb_filter_free(f);

	vb_err_clear(&err);
	rc = c->ops->search_text(c->a, &spec_main, "unicorn", 10, NULL, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_text for a word no row has"))
		check(c, r->nrows == 0, "search_text 'unicorn' finds nothing (got %zu)", r->nrows);
	free_result(c, c->a, &r);
}

static void section_hybrid(struct ct *c)
{
	if (!(c->ops->caps & VB_CAP_HYBRID) || !VB_SLOT(c->ops, search_hybrid)) {
		unsupported(c, "search_hybrid", "no VB_CAP_HYBRID");
		return;
	}
	static const char *const sel[] = {"id", NULL};
	struct vb_result *r = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->search_hybrid(c->a, &spec_main, "zebra", q_vec, CONTRACT_DIM, 5, NULL, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_hybrid 'zebra' + q top 5")) {
		check_ids(c, r, 0, "a1,a2,a5,a3,a4", "search_hybrid top 5");
		if (check(c, r->score != NULL && r->nrows == 5, "search_hybrid returns a score per row")) {
			check(c, scores_descending(r), "search_hybrid: scores do not increase down the list");
			check(c, near(r->score[2], 0.48) && near(r->score[3], 0.3) && near(r->score[4], 0.0),
			      "search_hybrid: rows without a text match score 0.6*(1-d/2): 0.48, 0.3, 0");
			check(c, r->score[0] > 0.6 && r->score[1] > 0.54,
			      "search_hybrid: text matches score above their vector part (a1 > 0.6, a2 > 0.54)");
			for (size_t i = 0; i < r->nrows; i++)
				diag(c, "row %zu score %.6f", i, r->score[i]);
		}
	} else {
		diag_err(c, rc, &err);
	}
	free_result(c, c->a, &r);

	vb_err_clear(&err);
	rc = c->ops->search_hybrid(c->a, &spec_main, "zebra", q_vec, CONTRACT_DIM, 2, NULL, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_hybrid top 2"))
		check_ids(c, r, 0, "a1,a2", "search_hybrid top 2");
	free_result(c, c->a, &r);

	struct vb_filter *f = parse_where(c, "kind = 'view'");
	vb_err_clear(&err);
	rc = c->ops->search_hybrid(c->a, &spec_main, "zebra", q_vec, CONTRACT_DIM, 5, f, sel, &r, &err);
	if (check(c, rc == VB_OK && r, "search_hybrid where kind = 'view'"))
		check_ids(c, r, 0, "a3,a4", "search_hybrid where kind = 'view'");
	free_result(c, c->a, &r);
	vb_filter_free(f);

	static const float q3[3] = {1, 0, 0};
	vb_err_clear(&err);
	rc = c->ops->search_hybrid(c->a, &spec_main, "zebra", q3, 3, 5, NULL, sel, &r, &err);
	if (!check(c, rc != VB_OK && !r && err.message[0], "search_hybrid with a 3-dimensional query fails cleanly"))
		diag_err(c, rc, &err);
	free_result(c, c->a, &r);
}

static void section_namespace(struct ct *c)
{
	static const struct item extra[] = {
		{"a9", "table", "intruder", "zebra", 1, 1, 0, NULL, {1, 0, 0, 0}, 0},
	};
	struct vb_error err;
	int rc = do_add(c, c->a, &spec_main, extra, 1, CONTRACT_NS_B, &err);
	check(c, rc == VB_ERR_MISMATCH, "add with namespace B through handle A: VB_ERR_MISMATCH (got %s)",
	      vb_status_name(rc));
	if (!check(c, strcmp(err.message, "namespace mismatch for table " CONTRACT_TABLE ": " CONTRACT_NS_B
	                                  " != " CONTRACT_NS_A) == 0,
	           "the mismatch message is \"namespace mismatch for table %s: %s != %s\"", CONTRACT_TABLE, CONTRACT_NS_B,
	           CONTRACT_NS_A))
		diag(c, "got \"%s\"", err.message);
	expect_count(c, c->a, NULL, 5, "nothing written by the mismatched add (A)");
	expect_count(c, c->b, NULL, 2, "nothing written by the mismatched add (B)");

	rc = do_upsert(c, c->a, extra, 1, CONTRACT_NS_B, "id", &err);
	check(c, rc == VB_ERR_MISMATCH, "upsert with namespace B through handle A: VB_ERR_MISMATCH (got %s)",
	      vb_status_name(rc));
	expect_count(c, c->a, NULL, 5, "nothing written by the mismatched upsert");

	static const struct item own[] = {
		{"a6", "table", "own", "own namespace", 6, 6, 0, NULL, {0, 0, 0, 1}, 0},
	};
	rc = do_add(c, c->a, &spec_main, own, 1, CONTRACT_NS_A, &err);
	if (!check(c, rc == VB_OK, "add with the handle's own namespace given explicitly"))
		diag_err(c, rc, &err);
	expect_count(c, c->a, "id = 'a6'", 1, "the explicit-namespace row is stored");
	struct vb_filter *f = vb_filter_eq_text("id", "a6");
	int64_t affected = -1;
	vb_err_clear(&err);
	rc = c->ops->delete_where(c->a, &spec_main, f, &affected, &err);
	check(c, rc == VB_OK && affected == 1, "delete where id = 'a6' removes 1 row (got %lld)", (long long)affected);
	vb_filter_free(f);
}

static void section_bad_input(struct ct *c)
{
	struct vb_error err;
	/* the second row is bad: the whole batch must be refused */
	static const struct item bad_dim[] = {
		{"a7", "table", "good", "good row", 7, 7, 0, NULL, {1, 0, 0, 0}, 0},
		{"a8", "table", "bad", "bad row", 8, 8, 0, NULL, {1, 0, 0, 0}, 3},
	};
	int rc = do_add(c, c->a, &spec_main, bad_dim, 2, NULL, &err);
	if (check(c, rc != VB_OK && err.message[0], "add with a 3-dimensional vector fails"))
		diag(c, "%s: %s", vb_status_name(rc), err.message);
	expect_count(c, c->a, NULL, 5, "nothing written by the batch with a bad row");
	expect_count(c, c->a, "id = 'a7'", 0, "the good row of the bad batch is not stored");

	static const struct item null_id[] = {
		{NULL, "table", "no id", "no id", 9, 9, 0, NULL, {1, 0, 0, 0}, 0},
	};
	rc = do_add(c, c->a, &spec_main, null_id, 1, NULL, &err);
	if (check(c, rc != VB_OK && err.message[0], "add with NULL in the NOT NULL id column fails"))
		diag(c, "%s: %s", vb_status_name(rc), err.message);
	expect_count(c, c->a, NULL, 5, "nothing written by the NULL-id add");

	struct vb_value cells[2];
	set_text(&cells[0], "a7");
	set_text(&cells[1], "x");
	const char *cols[2] = {"id", "bogus"};
	struct vb_rows rows = {2, cols, 1, cells};
	vb_err_clear(&err);
	rc = c->ops->add(c->a, &spec_main, &rows, &err);
	if (check(c, rc != VB_OK && strstr(err.message, "bogus"), "add with an unknown column fails naming it"))
		diag(c, "%s: %s", vb_status_name(rc), err.message);
	else
		diag_err(c, rc, &err);
	expect_count(c, c->a, NULL, 5, "nothing written by the unknown-column add");

	rc = do_add(c, c->a, &spec_missing, items_a, 1, NULL, &err);
	if (check(c, rc != VB_OK && err.message[0], "add to a missing table fails"))
		diag(c, "%s: %s", vb_status_name(rc), err.message);
	int exists = -1;
	vb_err_clear(&err);
	rc = c->ops->table_exists(c->a, "vb_contract_missing", &exists, &err);
	check(c, rc == VB_OK && exists == 0, "the failed add did not create vb_contract_missing");

	int64_t n = -1;
	vb_err_clear(&err);
	rc = c->ops->count(c->a, &spec_missing, NULL, &n, &err);
	if (!check(c, rc != VB_OK && err.message[0], "count on a missing table fails cleanly"))
		diag_err(c, rc, &err);
}

static void section_upsert(struct ct *c)
{
	static const struct item up[] = {
		{"a1", "table", "orders_v2", "zebra zebra zebra stripes", 10, 1.5, 0, "x", {1, 0, 0, 0}, 0},
		{"a6", "table", "shipments", "parcels and shipments", 60, 6.5, 0, NULL, {0, 0, 0, 1}, 0},
	};
	struct vb_error err;
	for (int pass = 1; pass <= 2; pass++) {
		int rc = do_upsert(c, c->a, up, 2, NULL, "id", &err);
		if (!check(c, rc == VB_OK, "upsert on id (pass %d): a1 changed, a6 new", pass))
			diag_err(c, rc, &err);
		expect_count(c, c->a, NULL, 6, pass == 1 ? "after the upsert" : "upsert is idempotent");
	}
	char *t = title_of(c, c->a, "a1");
	check(c, t && strcmp(t, "orders_v2") == 0, "upsert replaced a1's title in A (got %s)", t ? t : "none");
	free(t);
	t = title_of(c, c->b, "a1");
	check(c, t && strcmp(t, "b_orders") == 0, "upsert in A left B's row with the same id alone (got %s)",
	      t ? t : "none");
	free(t);
	expect_count(c, c->b, NULL, 2, "namespace B after A's upsert");

	int rc = do_upsert(c, c->a, up, 2, NULL, "nope", &err);
	if (!check(c, rc != VB_OK && err.message[0], "upsert on an unknown column fails"))
		diag_err(c, rc, &err);
	expect_count(c, c->a, NULL, 6, "nothing written by the bad upsert");
}

static void section_update(struct ct *c)
{
	struct vb_error err;
	struct vb_value v;
	set_int(&v, 31);
	const char *ncol[1] = {"n"};
	struct vb_rows vals = {1, ncol, 1, &v};
	struct vb_filter *f = parse_where(c, "id = 'a3'");
	int64_t affected = -1;
	vb_err_clear(&err);
	int rc = c->ops->update(c->a, &spec_main, f, &vals, &affected, &err);
	if (!check(c, rc == VB_OK && affected == 1, "update n = 31 where id = 'a3': 1 row (got %lld)", (long long)affected))
		diag_err(c, rc, &err);
	vb_filter_free(f);
	expect_count(c, c->a, "n = 31", 1, "after update");

	struct vb_value nv;
	set_text(&nv, "t");
	const char *notecol[1] = {"note"};
	struct vb_rows nvals = {1, notecol, 1, &nv};
	f = parse_where(c, "kind = 'table'");
	affected = -1;
	vb_err_clear(&err);
	rc = c->ops->update(c->a, &spec_main, f, &nvals, &affected, &err);
	if (!check(c, rc == VB_OK && affected == 3, "update note = 't' where kind = 'table': 3 rows in A (got %lld)",
	           (long long)affected))
		diag_err(c, rc, &err);
	vb_filter_free(f);
	expect_count(c, c->a, "note = 't'", 3, "after update in A");
	expect_count(c, c->b, "note = 't'", 0, "update in A left B alone");

	f = parse_where(c, "nope = 1");
	affected = -1;
	vb_err_clear(&err);
	rc = c->ops->update(c->a, &spec_main, f, &nvals, &affected, &err);
	if (!check(c, rc == VB_ERR_INVALID && strstr(err.message, "nope"), "update with an unknown filter column fails"))
		diag_err(c, rc, &err);
	vb_filter_free(f);

	const char *badcol[1] = {"bogus"};
	struct vb_rows bvals = {1, badcol, 1, &nv};
	f = parse_where(c, "id = 'a4'");
	vb_err_clear(&err);
	rc = c->ops->update(c->a, &spec_main, f, &bvals, &affected, &err);
	if (!check(c, rc != VB_OK && err.message[0], "update setting an unknown column fails"))
		diag_err(c, rc, &err);
	vb_filter_free(f);
	expect_count(c, c->a, "note = 't'", 3, "nothing written by the failed updates");
}

static void section_delete(struct ct *c)
{
	struct vb_error err;
	struct vb_filter *f = parse_where(c, "kind = 'metric'");
	int64_t affected = -1;
	vb_err_clear(&err);
	int rc = c->ops->delete_where(c->a, &spec_main, f, &affected, &err);
	if (!check(c, rc == VB_OK && affected == 1, "delete where kind = 'metric': 1 row (got %lld)", (long long)affected))
		diag_err(c, rc, &err);
	vb_filter_free(f);
	expect_count(c, c->a, NULL, 5, "after delete");

	f = parse_where(c, "kind IN ()");
	affected = -1;
	vb_err_clear(&err);
	rc = c->ops->delete_where(c->a, &spec_main, f, &affected, &err);
	check(c, rc == VB_OK && affected == 0, "delete where kind IN () deletes nothing (got %lld)", (long long)affected);
	vb_filter_free(f);

	f = parse_where(c, "nope = 'x'");
	vb_err_clear(&err);
	rc = c->ops->delete_where(c->a, &spec_main, f, &affected, &err);
	if (!check(c, rc == VB_ERR_INVALID && strstr(err.message, "nope"), "delete with an unknown filter column fails"))
		diag_err(c, rc, &err);
	vb_filter_free(f);
	expect_count(c, c->a, NULL, 5, "nothing deleted by the failed delete");
	expect_count(c, c->b, NULL, 2, "deletes in A left B alone");
}

static void section_optional(struct ct *c)
{
	const struct vb_ops *o = c->ops;
	struct vb_error err;
	if ((o->caps & VB_CAP_VECTOR_INDEX) && VB_SLOT(o, create_index)) {
		vb_err_clear(&err);
		int rc = o->create_index(c->a, &spec_main, NULL, &err);
		if (!check(c, rc == VB_OK || rc == VB_ERR_UNSUPPORTED, "create_index (the backend's default method) on the suite's table"))
			diag_err(c, rc, &err);
	} else {
		unsupported(c, "create_index", "no VB_CAP_VECTOR_INDEX");
	}
	if ((o->caps & VB_CAP_SQL) && VB_SLOT(o, query)) {
		struct vb_result *r = NULL;
		const char *params[1] = {"41"};
		vb_err_clear(&err);
		int rc = o->query(c->a, "SELECT CAST($1 AS integer) + 1 AS answer", 1, params, &r, &err);
		const char *v = rc == VB_OK && r && r->nrows == 1 ? vb_result_get(r, 0, 0) : NULL;
		if (!check(c, v && strcmp(v, "42") == 0, "query with a parameter: SELECT $1 + 1 = 42"))
			diag_err(c, rc, &err);
		free_result(c, c->a, &r);
	} else {
		unsupported(c, "query/exec_script", "no VB_CAP_SQL");
	}
	if ((o->caps & VB_CAP_CANCEL) && VB_SLOT(o, cancel)) {
		o->cancel(c->a); /* nothing runs: must be harmless */
		expect_count(c, c->a, NULL, 5, "cancel while idle leaves the handle usable");
	} else {
		unsupported(c, "cancel", "no VB_CAP_CANCEL");
	}
	if ((o->caps & VB_CAP_POLLFD) && VB_SLOT(o, socket_fd))
		check(c, o->socket_fd(c->a) >= 0, "socket_fd gives a descriptor to poll");
	else
		unsupported(c, "socket_fd", "no VB_CAP_POLLFD");

	struct vb_result *none = NULL;
	o->result_free(c->a, &none);
	check(c, none == NULL, "result_free of a NULL result is harmless");
}

/* ---- top-k is full under a selective filter with an index ----
 * Namespace B gets FA_BULK rows right next to the query, namespace A FA_A rows farther away, a
 * quarter of them kind 'sel'.  An ANN index whose candidates are filtered afterwards sees only
 * B's rows near q and returns a short page for A; every backend must fill it instead. */
#define FA_BULK 10000
#define FA_A 2000
#define FA_SEL (FA_A / 4)

struct fa_set {
	struct item *items;
	char (*ids)[32];
	size_t n;
};

static void fa_make(struct fa_set *s, size_t n, const char *prefix, int near_q)
{
	s->n = n;
	s->items = vb_xcalloc(n, sizeof *s->items);
	s->ids = vb_xcalloc(n, sizeof *s->ids);
	for (size_t i = 0; i < n; i++) {
		struct item *it = &s->items[i];
		double x = (double)i;
		snprintf(s->ids[i], sizeof s->ids[i], "%s%zu", prefix, i);
		it->id = s->ids[i];
		it->kind = near_q ? "bulk" : i % 4 == 0 ? "sel" : "far";
		it->title = it->content = "filtered ann row";
		it->weight_null = 1;
		float v[CONTRACT_DIM] = {1, 0.1f * (float)sin(x), 0.1f * (float)cos(1.3 * x), 0.05f * (float)sin(0.7 * x)};
		if (!near_q) {
			v[0] = 0.3f + 0.2f * (float)sin(0.37 * x);
			v[1] = 1;
			v[2] = 0.5f * (float)cos(0.91 * x);
		}
		memcpy(it->vec, v, sizeof v);
	}
}

static double fa_cos_dist(const float *a, const float *b)
{
	double d = 0, na = 0, nb = 0;
	for (int i = 0; i < CONTRACT_DIM; i++) {
		d += (double)a[i] * b[i];
		na += (double)a[i] * a[i];
		nb += (double)b[i] * b[i];
	}
	return 1 - d / sqrt(na * nb);
}

/* The ids of the k nearest 'sel' rows of A, worked out here by brute force, sorted by id. */
static char *fa_expected(const struct fa_set *a, size_t k)
{
	const struct item **best = vb_xcalloc(k, sizeof *best);
	size_t nb = 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct item *it = &a->items[i];
		if (strcmp(it->kind, "sel") != 0)
			continue;
		double d = fa_cos_dist(it->vec, q_vec);
		if (nb == k && d >= fa_cos_dist(best[k - 1]->vec, q_vec))
			continue;
		size_t j = nb < k ? nb++ : k - 1;
		for (; j > 0 && fa_cos_dist(best[j - 1]->vec, q_vec) > d; j--)
			best[j] = best[j - 1];
		best[j] = it;
	}
	for (size_t i = 1; i < nb; i++)
		for (size_t j = i; j > 0 && strcmp(best[j - 1]->id, best[j]->id) > 0; j--) {
			const struct item *t = best[j];
			best[j] = best[j - 1];
			best[j - 1] = t;
		}
	struct vb_buf b;
	vb_buf_init(&b);
	for (size_t i = 0; i < nb; i++)
		vb_buf_printf(&b, "%s%s", i ? "," : "", best[i]->id);
	free(best);
	return vb_buf_steal(&b);
}

static int distances_ascending(const struct vb_result *r)
{
	for (size_t i = 1; r->distance && i < r->nrows; i++)
		if (r->distance[i] < r->distance[i - 1] - 1e-9)
			return 0;
	return r->distance != NULL;
}

static void fa_search(struct ct *c, const char *where, int top, size_t want_rows, const char *want_ids)
{
	static const char *const sel[] = {"id", "kind", NULL};
	struct vb_filter *f = where ? parse_where(c, where) : NULL;
	struct vb_result *r = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->search_vector(c->a, &spec_main, q_vec, CONTRACT_DIM, top, f, sel, &r, &err);
	const char *path = VB_SLOT(c->ops, search_path) ? c->ops->search_path(c->a) : NULL;
	if (check(c, rc == VB_OK && r && r->nrows == want_rows, "indexed search_vector top %d %s%s: %zu rows", top,
	          where ? "where " : "in namespace A", where ? where : "", want_rows)) {
		if (!check(c, distances_ascending(r), "... in ascending distance"))
			for (size_t i = 0; i < r->nrows; i++)
				diag(c, "row %zu: %s at distance %.17g", i + 1, vb_result_get(r, i, 0),
				     r->distance ? r->distance[i] : -1.0);
		if (want_ids)
			check_ids(c, r, 1, want_ids, "... the exact nearest rows");
	} else if (rc != VB_OK) {
		diag_err(c, rc, &err);
	} else {
		diag(c, "got %zu rows", r ? r->nrows : 0);
	}
	if (path && *path)
		diag(c, "search path: %s", path);
	free_result(c, c->a, &r);
	vb_filter_free(f);
}

static void fa_analyze(struct ct *c)
{
	char *schema = vb_quote_ident(c->schema && *c->schema ? c->schema : "public");
	char *stmt = vb_xasprintf("ANALYZE %s.%s", schema, CONTRACT_TABLE);
	const char *const stmts[1] = {stmt};
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->exec_script(c->a, stmts, 1, NULL, NULL, &err);
	if (!check(c, rc == VB_OK, "ANALYZE the suite's table so the planner picks the index"))
		diag_err(c, rc, &err);
	free(stmt);
	free(schema);
}

static void section_filtered_index(struct ct *c)
{
	const struct vb_ops *o = c->ops;
	if (!(o->caps & VB_CAP_VECTOR_INDEX) || !VB_SLOT(o, create_index)) {
		unsupported(c, "top-k is full under a selective filter with an index", "no VB_CAP_VECTOR_INDEX");
		return;
	}
	struct fa_set a, b;
	fa_make(&a, FA_A, "fa", 0);
	fa_make(&b, FA_BULK, "fb", 1);
	struct vb_error err;
	int rc = do_add(c, c->b, &spec_main, b.items, b.n, NULL, &err);
	if (rc == VB_OK)
		rc = do_add(c, c->a, &spec_main, a.items, a.n, NULL, &err);
	if (check(c, rc == VB_OK, "add %d rows near q to B and %d farther ones to A", FA_BULK, FA_A)) {
		vb_err_clear(&err);
		rc = o->create_index(c->a, &spec_main, NULL, &err);
		if (!check(c, rc == VB_OK, "create_index (default method) over both namespaces"))
			diag_err(c, rc, &err);
		if (o->caps & VB_CAP_SQL)
			fa_analyze(c);
		char *want = fa_expected(&a, 10);
		fa_search(c, NULL, 10, 10, NULL);
		fa_search(c, "kind = 'sel'", 10, 10, want);
		fa_search(c, "kind = 'sel'", 1000, FA_SEL, NULL);
		free(want);
	} else {
		diag_err(c, rc, &err);
	}
	struct vb_filter *fa = parse_where(c, "kind IN ('sel', 'far')"), *fb = parse_where(c, "kind = 'bulk'");
	int64_t na = 0, nb = 0;
	vb_err_clear(&err);
	o->delete_where(c->a, &spec_main, fa, &na, &err);
	o->delete_where(c->b, &spec_main, fb, &nb, &err);
	check(c, na == FA_A && nb == FA_BULK, "the filtered-index rows are deleted again");
	vb_filter_free(fa);
	vb_filter_free(fb);
	free(a.items);
	free(a.ids);
	free(b.items);
	free(b.ids);
}

static int open_ns(struct ct *c, const struct vb_config *cfg, const char *ns, struct vb_handle **h);

/* txn_begin .. txn_end (atomic overwrite): another connection to the same namespace keeps
 * seeing the old rows until the commit; a rollback restores them exactly. */
static void section_txn(struct ct *c, const struct vb_config *cfg)
{
	const struct vb_ops *o = c->ops;
	if (!VB_SLOT(o, txn_begin) || !VB_SLOT(o, txn_end)) {
		unsupported(c, "txn_begin/txn_end", "the slots are not set (bootstrap-kb refuses overwrite)");
		return;
	}
	struct vb_handle *other = NULL;
	if (!open_ns(c, cfg, CONTRACT_NS_A, &other))
		return;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = o->txn_begin(c->a, &err);
	if (rc == VB_OK)
		rc = o->drop(c->a, &spec_main, &err);
	if (rc == VB_OK)
		rc = do_add(c, c->a, &spec_main, items_a, 2, NULL, &err);
	if (!check(c, rc == VB_OK, "txn_begin, drop and add inside one transaction"))
		diag_err(c, rc, &err);
	expect_count(c, c->a, NULL, 2, "the transaction sees its own replacement");
	expect_count(c, other, NULL, 5, "another connection still sees the old rows");
	vb_err_clear(&err);
	rc = o->txn_end(c->a, 0, &err);
	check(c, rc == VB_OK, "txn_end without commit rolls back");
	expect_count(c, c->a, NULL, 5, "the rollback restored every old row");
	vb_err_clear(&err);
	rc = o->txn_begin(c->a, &err);
	if (rc == VB_OK)
		rc = o->drop(c->a, &spec_main, &err);
	if (rc == VB_OK)
		rc = do_add(c, c->a, &spec_main, items_a, 2, NULL, &err);
	if (rc == VB_OK)
		rc = o->txn_end(c->a, 1, &err);
	if (!check(c, rc == VB_OK, "txn_end with commit"))
		diag_err(c, rc, &err);
	expect_count(c, other, NULL, 2, "after the commit another connection sees the new rows");
	vb_err_clear(&err);
	rc = o->drop(c->a, &spec_main, &err);
	if (rc == VB_OK)
		rc = do_add(c, c->a, &spec_main, items_a, 5, NULL, &err);
	check(c, rc == VB_OK, "the suite's rows are restored");
	o->close(&other);
}

static void section_drop(struct ct *c)
{
	struct vb_error err;
	vb_err_clear(&err);
	int rc = c->ops->drop(c->a, &spec_main, &err);
	if (!check(c, rc == VB_OK, "drop namespace A"))
		diag_err(c, rc, &err);
	expect_count(c, c->a, NULL, 0, "namespace A after drop");
	expect_count(c, c->b, NULL, 2, "drop of A left namespace B alone");
	int exists = -1;
	vb_err_clear(&err);
	rc = c->ops->table_exists(c->a, CONTRACT_TABLE, &exists, &err);
	check(c, rc == VB_OK && exists == 1, "drop clears rows, the table stays");
	vb_err_clear(&err);
	rc = c->ops->drop(c->a, &spec_missing, &err);
	check(c, rc == VB_OK, "drop of a missing table is a no-op");
	vb_err_clear(&err);
	rc = c->ops->drop(c->b, &spec_main, &err);
	check(c, rc == VB_OK, "drop namespace B");
	expect_count(c, c->b, NULL, 0, "namespace B after drop");
}

static int open_ns(struct ct *c, const struct vb_config *cfg, const char *ns, struct vb_handle **h)
{
	struct vb_config k = *cfg;
	k.namespace = ns;
	k.backend = c->ops->name;
	struct vb_error err;
	vb_err_clear(&err);
	*h = NULL;
	int rc = c->ops->open(&k, h, &err);
	if (!check(c, rc == VB_OK && *h, "open %s with namespace %s", c->ops->name, ns)) {
		c->st.open_status = rc != VB_OK ? rc : VB_ERR_INTERNAL;
		diag_err(c, rc, &err);
		if (err.hint[0])
			diag(c, "hint: %s", err.hint);
		if (*h)
			c->ops->close(h);
		return 0;
	}
	return 1;
}

int contract_run(const struct vb_ops *ops, const struct vb_config *cfg, FILE *out, struct contract_stats *stats)
{
	struct ct c = {.out = out, .ops = ops};
	struct vb_config none = {0};
	if (!cfg)
		cfg = &none;
	c.schema = cfg->schema;
	fprintf(out, "# contract-test: backend %s (%s), table %s, namespaces %s and %s\n", ops->name,
	        ops->version ? ops->version() : "no version", CONTRACT_TABLE, CONTRACT_NS_A, CONTRACT_NS_B);
	int sql = 0;
	if (section_slots(&c) && open_ns(&c, cfg, CONTRACT_NS_A, &c.a) && open_ns(&c, cfg, CONTRACT_NS_B, &c.b)) {
		int ready = 1;
		if (ops->caps & VB_CAP_SQL)
			ready = sql = sql_setup(&c, cfg);
		if (ready && section_schema(&c) && section_add(&c)) {
			section_filters(&c);
			section_search_all(&c);
			section_vector(&c);
			section_text(&c);
			section_hybrid(&c);
			section_namespace(&c);
			section_bad_input(&c);
			section_upsert(&c);
			section_update(&c);
			section_delete(&c);
			section_optional(&c);
			section_filtered_index(&c);
			section_txn(&c, cfg);
			section_drop(&c);
		}
		if (sql)
			sql_teardown(&c, cfg);
		else if (c.a && c.b) {
			struct vb_error err;
			ops->drop(c.a, &spec_main, &err);
			ops->drop(c.b, &spec_main, &err);
		}
	}
	if (c.a) {
		ops->close(&c.a);
		check(&c, c.a == NULL, "close sets the handle to NULL");
	}
	if (c.b)
		ops->close(&c.b);
	fprintf(out, "1..%d\n", c.n);
	fprintf(out, "# contract-test %s: %d passed, %d failed, %d unsupported\n", ops->name, c.st.passed, c.st.failed,
	        c.st.unsupported);
	if (stats)
		*stats = c.st;
	return c.st.failed;
}
