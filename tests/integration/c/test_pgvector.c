/* tests/integration/c/test_pgvector.c - the pgvector plugin (vb_pgvector.so, loaded from
 * $VBADMIN_PLUGIN_PATH) against the real PostgreSQL 17 + pgvector of $PG17_CONNINFO, in a fresh
 * database per run.  Without PG17_CONNINFO the test fails: it must never pass unseen. */
#include <dlfcn.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../backends/vb.h"
#include "../backends/vb_filter.h"
#include "../backends/vb_sql.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "tap.h"

static const struct vb_ops *ops;
static struct vb_error err;

/* ---- plugin loading ---- */

static int reg_cb(void *ctx, const struct vb_ops *o)
{
	(void)ctx;
	ops = o;
	return 0;
}

static void *load_plugin(void)
{
	const char *path = getenv("VBADMIN_PLUGIN_PATH");
	ok(path && *path, "VBADMIN_PLUGIN_PATH is set (%s)", path ? path : "unset");
	if (!path)
		return NULL;
	char *copy = vb_xstrdup(path), *save = NULL;
	void *dl = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !dl; dir = strtok_r(NULL, ":", &save)) {
		char *file = vb_xasprintf("%s/vb_pgvector.so", dir);
		if (access(file, R_OK) == 0) {
			dl = dlopen(file, RTLD_NOW | RTLD_LOCAL);
			ok(dl != NULL, "dlopen %s (%s)", file, dl ? "ok" : dlerror());
		}
		free(file);
	}
	free(copy);
	ok(dl != NULL, "vb_pgvector.so found on the plugin path");
	if (!dl)
		return NULL;
	const struct vb_plugin_magic *m = dlsym(dl, VB_PLUGIN_MAGIC_SYMBOL);
	ok(m != NULL, "exports vb_plugin_magic");
	vb_plugin_init_fn init = (vb_plugin_init_fn)dlsym(dl, VB_PLUGIN_INIT_SYMBOL);
	ok(init != NULL, "exports vb_plugin_init");
	if (!m || !init)
		return dl;
	is_int(m->size, sizeof(struct vb_plugin_magic), "magic size matches");
	is_int(m->abi_version, VB_ABI_VERSION, "magic ABI version is VB_ABI_VERSION");
	is_str(m->name, "pgvector", "magic name");
	char errbuf[128] = "";
	is_int(init(reg_cb, NULL, errbuf, sizeof errbuf), 0, "vb_plugin_init succeeds");
	ok(ops != NULL, "registered one backend");
	if (ops) {
		is_str(ops->name, "pgvector", "backend name");
		is_int(ops->abi_version, VB_ABI_VERSION, "ops ABI version");
		is_int(ops->ops_size, sizeof(struct vb_ops), "ops size");
		unsigned want = VB_CAP_VECTOR | VB_CAP_TEXT | VB_CAP_HYBRID | VB_CAP_NAMESPACED | VB_CAP_SQL |
		                VB_CAP_CANCEL | VB_CAP_POLLFD | VB_CAP_VECTOR_INDEX;
		is_int(ops->caps, want, "capabilities: everything but CREATES");
		has_str(ops->version(), "libpq", "version names libpq");
	}
	return dl;
}

/* ---- connection settings from PG17_CONNINFO ---- */

static char c_host[128] = "127.0.0.1", c_user[64] = "postgres", c_pass[64] = "", c_db[64] = "postgres";
static int c_port = 5432;

static void parse_conninfo(const char *ci)
{
	char *copy = vb_xstrdup(ci), *save = NULL;
	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(tok, "host"))
			snprintf(c_host, sizeof c_host, "%s", eq);
		else if (!strcmp(tok, "port"))
			c_port = atoi(eq);
		else if (!strcmp(tok, "user"))
			snprintf(c_user, sizeof c_user, "%s", eq);
		else if (!strcmp(tok, "password"))
			snprintf(c_pass, sizeof c_pass, "%s", eq);
		else if (!strcmp(tok, "dbname"))
			snprintf(c_db, sizeof c_db, "%s", eq);
	}
	free(copy);
}

static struct vb_config config(const char *db, const char *ns)
{
	struct vb_config c = {
		.backend = "pgvector", .host = c_host, .port = c_port, .database = db, .username = c_user,
		.password = c_pass, .schema = "public", .connect_timeout = 5, .namespace = ns, .dim = 4,
	};
	return c;
}

/* ---- helpers ---- */

static int64_t sql_int(struct vb_handle *h, const char *sql)
{
	struct vb_result *r = NULL;
	int64_t v = -1;
	if (ops->query(h, sql, 0, NULL, &r, &err) == VB_OK && r->nrows == 1 && vb_result_get(r, 0, 0))
		v = strtoll(vb_result_get(r, 0, 0), NULL, 10);
	ops->result_free(h, &r);
	return v;
}

static int run_sql(struct vb_handle *h, const char *sql)
{
	struct vb_result *r = NULL;
	int rc = ops->query(h, sql, 0, NULL, &r, &err);
	ops->result_free(h, &r);
	if (rc != VB_OK)
		printf("# %s: %s\n", sql, err.message);
	return rc;
}

static struct vb_value vt(const char *s)
{
	struct vb_value v = {.type = VB_T_TEXT, .is_null = s == NULL};
	v.u.s = s;
	return v;
}

static struct vb_value vi(int64_t i)
{
	struct vb_value v = {.type = VB_T_INT};
	v.u.i = i;
	return v;
}

static struct vb_value vnull(int type)
{
	struct vb_value v = {.type = type, .is_null = 1};
	return v;
}

static struct vb_value vbool(int b)
{
	struct vb_value v = {.type = VB_T_BOOL};
	v.u.b = b;
	return v;
}

static struct vb_value vvec(const float *f, int dim)
{
	struct vb_value v = {.type = VB_T_VECTOR};
	v.u.vec.v = f;
	v.u.vec.dim = dim;
	return v;
}

static struct vb_value varr(const char *const *items, int n)
{
	struct vb_value v = {.type = VB_T_TEXT_ARRAY};
	v.u.arr.items = items;
	v.u.arr.n = n;
	return v;
}

static struct vb_value vts(const char *s)
{
	struct vb_value v = {.type = VB_T_TIMESTAMP};
	v.u.s = s;
	return v;
}

static int64_t count_where(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_filter *f)
{
	int64_t n = -1;
	if (ops->count(h, spec, f, &n, &err) != VB_OK)
		n = -100 - err.status;
	vb_filter_free(f);
	return n;
}

static struct vb_filter *cond(const char *field, int op, struct vb_value v)
{
	return vb_filter_cond(field, op, v);
}

static struct vb_filter *and2(struct vb_filter *a, struct vb_filter *b)
{
	struct vb_filter *k[2] = {a, b};
	return vb_filter_and(k, 2);
}

static struct vb_filter *or2(struct vb_filter *a, struct vb_filter *b)
{
	struct vb_filter *k[2] = {a, b};
	return vb_filter_or(k, 2);
}

/* Comma-joined values of column col over the result rows. */
static char *column_of(const struct vb_result *r, const char *col)
{
	struct vb_buf b;
	vb_buf_init(&b);
	int c = vb_result_col(r, col);
	for (size_t i = 0; i < r->nrows; i++) {
		const char *v = vb_result_get(r, i, c);
		vb_buf_printf(&b, "%s%s", i ? "," : "", v ? v : "NULL");
	}
	return vb_buf_steal(&b);
}

static int no_password(const struct vb_error *e, const char *pw)
{
	return !strstr(e->message, pw) && !strstr(e->detail, pw) && !strstr(e->hint, pw);
}

/* ---- the test table ---- */

static const struct vb_column item_cols[] = {
	{"id", VB_T_TEXT, 0, "TEXT"},          {"kind", VB_T_TEXT, 0, "TEXT"},
	{"name", VB_T_TEXT, 0, "TEXT"},        {"description", VB_T_TEXT, 0, "TEXT"},
	{"score", VB_T_INT, 0, "BIGINT"},      {"flag", VB_T_BOOL, 0, "BOOLEAN"},
	{"tags", VB_T_TEXT_ARRAY, 0, "TEXT[]"}, {"updated_at", VB_T_TIMESTAMP, 0, "TIMESTAMP"},
	{"vector", VB_T_VECTOR, 0, "vector"},
};
static const char *const item_fts[] = {"name", "description", NULL};
static const struct vb_table_spec items = {
	.name = "items", .columns = item_cols, .ncolumns = 9, .vector_column = "vector", .vector_dim = 4,
	.text_source = "description", .fts_columns = item_fts, .key_column = "id", .namespaced = 1,
};

#define NCOL 9
static const char *const cols9[NCOL] = {"id", "kind", "name", "description", "score", "flag", "tags", "updated_at",
                                        "vector"};
static const float va[4] = {1, 0, 0, 0}, vbv[4] = {0.9f, 0.1f, 0, 0}, vc[4] = {0, 1, 0, 0}, vd[4] = {0, 0, 1, 0},
                   ve[4] = {-1, 0, 0, 0};
static const char *const tags_xy[] = {"x", "y"}, *const tags_y[] = {"y"};

static void fixed_rows(struct vb_value *cells)
{
	struct vb_value rows[5][NCOL] = {
		{vt("a"), vt("table"), vt("orders"), vt("customer orders and revenue"), vi(10), vbool(1),
		 varr(tags_xy, 2), vts("2024-01-02 03:04:05"), vvec(va, 4)},
		{vt("b"), vt("table"), vt("customers"), vt("customer master data"), vi(20), vbool(0), varr(tags_y, 1),
		 vts("2023-06-30T23:59:59.5"), vvec(vbv, 4)},
		{vt("c"), vt("metric"), vt("revenue"), vt("total revenue per day"), vi(30), vnull(VB_T_BOOL),
		 varr(NULL, 0), vnull(VB_T_TIMESTAMP), vvec(vc, 4)},
		{vt("d"), vt("metric"), vt("order_count"), vnull(VB_T_TEXT), vnull(VB_T_INT), vbool(1),
		 vnull(VB_T_TEXT_ARRAY), vnull(VB_T_TIMESTAMP), vvec(vd, 4)},
		{vt("e"), vt("column"), vt("tmp_col"), vt("temporary column"), vi(5), vbool(0), varr(tags_y, 1),
		 vt("2022-02-02"), vvec(ve, 4)},
	};
	memcpy(cells, rows, sizeof rows);
}

static void create_schema(struct vb_handle *h)
{
	char *fts = vb_fts_expression(&items);
	char *idx = vb_xasprintf("CREATE INDEX idx_items_fts ON public.items USING GIN (%s)", fts);
	const char *stmts[] = {
		"CREATE TABLE public.items (namespace TEXT NOT NULL, id TEXT, kind TEXT, name TEXT, description TEXT,"
		" score BIGINT, flag BOOLEAN, tags TEXT[], updated_at TIMESTAMP, vector vector(4), UNIQUE (namespace, id))",
		idx,
		"CREATE TABLE public.ledger (namespace TEXT NOT NULL, id TEXT, amount NUMERIC(12,2), note TEXT,"
		" vector vector(4), UNIQUE (namespace, id))",
		"CREATE TABLE public.nons (id TEXT, vector vector(4))",
	};
	is_int(ops->exec_script(h, stmts, 4, NULL, NULL, &err), VB_OK, "exec_script creates the test tables");
	free(idx);
	free(fts);
}

/* ---- test groups ---- */

static void test_ensure(struct vb_handle *h)
{
	is_int(ops->ensure_table(h, &items, &err), VB_OK, "ensure_table: items is ready");
	int ex = -1;
	is_int(ops->table_exists(h, "items", &ex, &err), VB_OK, "table_exists runs");
	is_int(ex, 1, "table_exists: items exists");
	is_int(ops->table_exists(h, "nosuch'; DROP TABLE items; --", &ex, &err), VB_OK, "table_exists with odd name");
	is_int(ex, 0, "table_exists: odd name does not exist (and nothing was injected)");

	struct vb_table_spec missing = items;
	missing.name = "nosuch";
	is_int(ops->ensure_table(h, &missing, &err), VB_ERR_NOT_FOUND, "ensure_table: missing table -> NOT_FOUND");
	is_str(err.message, "Table nosuch does not exist.", "missing table message (Datus text)");

	struct vb_column more[NCOL + 2];
	memcpy(more, item_cols, sizeof item_cols);
	more[NCOL] = (struct vb_column){"extra1", VB_T_TEXT, 0, "TEXT"};
	more[NCOL + 1] = (struct vb_column){"extra2", VB_T_TEXT, 0, "TEXT"};
	struct vb_table_spec wide = items;
	wide.columns = more;
	wide.ncolumns = NCOL + 2;
	is_int(ops->ensure_table(h, &wide, &err), VB_ERR_SCHEMA, "ensure_table: missing columns -> SCHEMA");
	is_str(err.message, "Table items missing columns: extra1, extra2", "missing columns message (Datus text)");

	struct vb_table_spec nons = items;
	nons.name = "nons";
	nons.columns = (const struct vb_column[]){{"id", VB_T_TEXT, 0, "TEXT"}, {"vector", VB_T_VECTOR, 0, "vector"}};
	nons.ncolumns = 2;
	is_int(ops->ensure_table(h, &nons, &err), VB_ERR_SCHEMA, "ensure_table: no namespace column -> SCHEMA");
	is_str(err.message, "Table nons missing required column: namespace", "missing namespace message (Datus text)");

	struct vb_table_spec dim8 = items;
	dim8.vector_dim = 8;
	is_int(ops->ensure_table(h, &dim8, &err), VB_ERR_SCHEMA, "ensure_table: dimension 4 vs 8 -> SCHEMA");
	is_str(err.message, "Table items column vector has 4 dimensions, expected 8", "dimension drift message");
	has_str(err.hint, "vector(8)", "dimension hint carries the ALTER");
}

static void test_add_and_filters(struct vb_handle *h)
{
	struct vb_value cells[5 * NCOL];
	fixed_rows(cells);
	struct vb_rows rows = {NCOL, cols9, 5, cells};
	if (!is_int(ops->add(h, &items, &rows, &err), VB_OK, "add 5 rows (binary COPY)"))
		printf("# %s\n", err.message);
	is_int(count_where(h, &items, NULL), 5, "count = 5");
	is_int(sql_int(h, "SELECT count(*) FROM items WHERE namespace = 'ns1'"), 5, "rows carry the injected namespace");
	is_int(sql_int(h, "SELECT count(*) FROM items WHERE updated_at = '2023-06-30 23:59:59.5'"), 1,
	       "binary timestamp with fraction round-trips");
	is_int(sql_int(h, "SELECT count(*) FROM items WHERE tags = '{x,y}' AND flag"), 1, "text[] and bool round-trip");
	is_int(sql_int(h, "SELECT count(*) FROM items WHERE tags = '{}'"), 1, "empty array round-trips");
	is_int(sql_int(h, "SELECT count(*) FROM items WHERE updated_at = '2022-02-02 00:00:00'"), 1,
	       "bare date timestamp round-trips");
	is_int(sql_int(h, "SELECT count(*) FROM items WHERE vector = '[0.9,0.1,0,0]'"), 1, "binary vector round-trips");

	is_int(count_where(h, &items, cond("kind", VB_OP_EQ, vt("table"))), 2, "filter =");
	is_int(count_where(h, &items, cond("kind", VB_OP_NE, vt("table"))), 3, "filter !=");
	is_int(count_where(h, &items, cond("score", VB_OP_GT, vi(10))), 2, "filter >");
	is_int(count_where(h, &items, cond("score", VB_OP_GTE, vi(10))), 3, "filter >=");
	is_int(count_where(h, &items, cond("score", VB_OP_LT, vi(10))), 1, "filter <");
	is_int(count_where(h, &items, cond("score", VB_OP_LTE, vi(10))), 2, "filter <=");
	struct vb_value in2[] = {vt("table"), vt("column")};
	is_int(count_where(h, &items, vb_filter_in("kind", in2, 2)), 3, "filter IN");
	is_int(count_where(h, &items, vb_filter_in("kind", NULL, 0)), 0, "filter empty IN matches nothing");
	struct vb_value innull[] = {vt("temporary column"), vnull(VB_T_TEXT)};
	is_int(count_where(h, &items, vb_filter_in("description", innull, 2)), 2, "filter IN with NULL");
	is_int(count_where(h, &items, cond("score", VB_OP_EQ, vnull(VB_T_INT))), 1, "filter = NULL -> IS NULL");
	is_int(count_where(h, &items, cond("score", VB_OP_NE, vnull(VB_T_INT))), 4, "filter != NULL -> IS NOT NULL");
	is_int(count_where(h, &items, vb_filter_like("name", "ord*")), 2, "filter LIKE with *");
	is_int(count_where(h, &items, vb_filter_like("score", "1%")), 1, "filter LIKE on a number column");
	is_int(count_where(h, &items, cond("flag", VB_OP_EQ, vbool(1))), 2, "filter on bool");
	is_int(count_where(h, &items, cond("updated_at", VB_OP_GT, vts("2024-01-01"))), 1, "filter on timestamp");
	is_int(count_where(h, &items, and2(cond("kind", VB_OP_EQ, vt("metric")), cond("score", VB_OP_GTE, vi(10)))), 1,
	       "filter AND");
	is_int(count_where(h, &items, or2(cond("kind", VB_OP_EQ, vt("column")), cond("score", VB_OP_GTE, vi(30)))), 2,
	       "filter OR");
	is_int(count_where(h, &items, vb_filter_not(cond("kind", VB_OP_EQ, vt("table")))), 3, "filter NOT");
	is_int(count_where(h, &items,
	                   and2(cond("kind", VB_OP_EQ, vt("metric")),
	                        or2(cond("score", VB_OP_GTE, vi(10)), vb_filter_not(vb_filter_like("name", "%tmp%"))))),
	       2, "nested AND/OR/NOT");
	is_int(count_where(h, &items, vb_filter_and(NULL, 0)), 5, "empty AND matches all");
	is_int(count_where(h, &items, vb_filter_or(NULL, 0)), 0, "empty OR matches nothing");

	int64_t n;
	struct vb_filter *f = cond("score", VB_OP_GT, vnull(VB_T_INT));
	is_int(ops->count(h, &items, f, &n, &err), VB_ERR_INVALID, "> NULL is INVALID");
	has_str(err.message, "invalid with NULL", "> NULL message");
	vb_filter_free(f);
	f = cond("nosuch", VB_OP_EQ, vt("x"));
	is_int(ops->count(h, &items, f, &n, &err), VB_ERR_INVALID, "unknown column in filter is INVALID");
	is_str(err.message, "Unknown column 'nosuch' in filter", "unknown column message (Datus text)");
	vb_filter_free(f);
	f = cond("kind", VB_OP_EQ, vt("x'; DELETE FROM items; --"));
	is_int(count_where(h, &items, f), 0, "a quote in a value stays a value");
	is_int(count_where(h, &items, NULL), 5, "and nothing was deleted");
}

static void search_vector_order(struct vb_handle *h)
{
	struct vb_result *r = NULL;
	const float q1[4] = {1, 0, 0, 0};
	is_int(ops->search_vector(h, &items, q1, 4, 5, NULL, NULL, &r, &err), VB_OK, "search_vector runs");
	if (r) {
		char *ids = column_of(r, "id");
		ok(!strncmp(ids, "a,b,", 4) && !strcmp(ids + strlen(ids) - 1, "e"), "vector order a,b,...,e (got %s)", ids);
		free(ids);
		ok(r->distance && fabs(r->distance[0]) < 1e-6, "distance a = 0");
		/* cos(a, b) = 0.9 / sqrt(0.82) */
		ok(r->distance && fabs(r->distance[1] - (1 - 0.9 / sqrt(0.82))) < 1e-5, "distance b = 1 - 0.9/sqrt(0.82)");
		ok(r->distance && fabs(r->distance[4] - 2) < 1e-6, "distance e = 2");
		is_int(vb_result_col(r, "vector"), -1, "vector column not returned by default");
		ok(vb_result_col(r, "namespace") >= 0 && vb_result_col(r, "description") >= 0, "other columns returned");
	}
	ops->result_free(h, &r);
}

/* a filter and a select narrow the rows and columns; an unknown column or a wrong dimension
 * is refused */
static void search_filter_select(struct vb_handle *h)
{
	struct vb_result *r = NULL;
	const float q1[4] = {1, 0, 0, 0};
	struct vb_filter *f = cond("kind", VB_OP_EQ, vt("metric"));
	const char *sel[] = {"id", "name", NULL};
	is_int(ops->search_vector(h, &items, q1, 4, 1, f, sel, &r, &err), VB_OK, "search_vector with filter+select");
	if (r) {
		is_int(r->ncols, 2, "select gives 2 columns");
		is_int(r->nrows, 1, "top_n 1");
		char *ids = column_of(r, "id");
		ok(!strcmp(ids, "c") || !strcmp(ids, "d"), "filtered to metrics (got %s)", ids);
		free(ids);
	}
	ops->result_free(h, &r);
	vb_filter_free(f);

	const char *badsel[] = {"id", "nosuch", NULL};
	is_int(ops->search_all(h, &items, NULL, badsel, 0, &r, &err), VB_ERR_INVALID, "unknown select column");
	has_str(err.message, "nosuch", "select error names the column");

	const float q3[3] = {1, 0, 0};
	is_int(ops->search_vector(h, &items, q3, 3, 5, NULL, NULL, &r, &err), VB_ERR_INVALID,
	       "search with wrong dimension -> INVALID");
	is_str(err.sqlstate, "22000", "wrong dimension search keeps SQLSTATE 22000");
}

static void search_text_rank(struct vb_handle *h)
{
	struct vb_result *r = NULL;
	/* text: "revenue" is in a once and in c twice (name + description): ts_rank_cd 0.1 per hit */
	is_int(ops->search_text(h, &items, "revenue", 10, NULL, NULL, &r, &err), VB_OK, "search_text runs");
	if (r) {
		char *ids = column_of(r, "id");
		is_str(ids, "c,a", "text order c,a");
		free(ids);
		ok(r->score && fabs(r->score[0] - 0.2) < 1e-6 && fabs(r->score[1] - 0.1) < 1e-6,
		   "text ranks 0.2 and 0.1 (got %g %g)", r->score ? r->score[0] : -1, r->score ? r->score[1] : -1);
	}
	ops->result_free(h, &r);
}

static void search_hybrid_score(struct vb_handle *h)
{
	struct vb_result *r = NULL;
	/* hybrid "customer" with q=[0,1,0,0]: a 0.6*0.5+3.2*0.1=0.62, b 0.6*(1-d_b/2)+0.32 with
	 * d_b = 1-0.1/sqrt(0.82), c 0.6*1 = 0.6, d and e 0.3 */
	const float q2[4] = {0, 1, 0, 0};
	if (!is_int(ops->search_hybrid(h, &items, "customer", q2, 4, 3, NULL, NULL, &r, &err), VB_OK,
	            "search_hybrid runs"))
		printf("# %s\n", err.message);
	if (r) {
		char *ids = column_of(r, "id");
		is_str(ids, "b,a,c", "hybrid order b,a,c (vector alone would give c first)");
		free(ids);
		double db = 1 - 0.1 / sqrt(0.82);
		ok(r->score && fabs(r->score[0] - (0.6 * (1 - db / 2) + 0.32)) < 1e-5, "hybrid score b");
		ok(r->score && fabs(r->score[1] - 0.62) < 1e-5, "hybrid score a = 0.62");
		ok(r->score && fabs(r->score[2] - 0.6) < 1e-5, "hybrid score c = 0.6");
		ok(r->distance && fabs(r->distance[2]) < 1e-6, "hybrid distance c = 0");
	}
	ops->result_free(h, &r);
}

static void search_all_rows(struct vb_handle *h)
{
	struct vb_result *r = NULL;
	const char *sel[] = {"id", "name", NULL};
	struct vb_filter *f = cond("kind", VB_OP_EQ, vt("table"));
	is_int(ops->search_all(h, &items, f, sel, 0, &r, &err), VB_OK, "search_all with filter");
	if (r)
		is_int(r->nrows, 2, "search_all: 2 tables");
	ops->result_free(h, &r);
	vb_filter_free(f);
	is_int(ops->search_all(h, &items, NULL, NULL, 3, &r, &err), VB_OK, "search_all with limit");
	if (r)
		is_int(r->nrows, 3, "search_all: limit 3");
	ops->result_free(h, &r);
}

static void test_search(struct vb_handle *h)
{
	search_vector_order(h);
	search_filter_select(h);
	search_text_rank(h);
	search_hybrid_score(h);
	search_all_rows(h);
}

/* a batch with a wrong dimension, a foreign namespace or an unknown column writes nothing */
static void writes_refused(struct vb_handle *h)
{
	/* wrong dimension: the whole batch is refused */
	const float v3[3] = {1, 2, 3};
	const char *c2[] = {"id", "vector"};
	struct vb_value bad[] = {vt("ok1"), vvec(va, 4), vt("bad"), vvec(v3, 3)};
	struct vb_rows badrows = {2, c2, 2, bad};
	is_int(ops->add(h, &items, &badrows, &err), VB_ERR_INVALID, "add with a 3-d vector -> INVALID");
	is_str(err.sqlstate, "22000", "wrong dimension SQLSTATE 22000");
	has_str(err.message, "expected 4 dimensions, not 3", "pgvector's message kept");
	is_int(count_where(h, &items, NULL), 5, "nothing written by the failed batch");
	is_int(ops->upsert(h, &items, &badrows, "id", &err), VB_ERR_INVALID, "upsert with a 3-d vector -> INVALID");
	is_int(count_where(h, &items, NULL), 5, "nothing written by the failed upsert");

	/* namespace mismatch */
	const char *c3[] = {"id", "namespace", "vector"};
	struct vb_value mm[] = {vt("m1"), vt("ns1"), vvec(va, 4), vt("m2"), vt("other"), vvec(va, 4)};
	struct vb_rows mmrows = {3, c3, 2, mm};
	is_int(ops->add(h, &items, &mmrows, &err), VB_ERR_MISMATCH, "foreign namespace -> MISMATCH");
	is_str(err.message, "namespace mismatch for table items: other != ns1", "mismatch message (Datus text)");
	is_int(ops->upsert(h, &items, &mmrows, "id", &err), VB_ERR_MISMATCH, "upsert checks the namespace too");
	is_int(count_where(h, &items, NULL), 5, "nothing written on mismatch");
	struct vb_value mm2[] = {vt("m1"), vt("ns1"), vvec(va, 4), vt("m2"), vnull(VB_T_TEXT), vvec(va, 4)};
	mmrows.cells = mm2;
	is_int(ops->add(h, &items, &mmrows, &err), VB_OK, "own and NULL namespace accepted");
	is_int(sql_int(h, "SELECT count(*) FROM items WHERE id IN ('m1','m2') AND namespace = 'ns1'"), 2,
	       "NULL namespace cell got the backend's");

	const char *cu[] = {"nosuch"};
	struct vb_value uv[] = {vt("x")};
	struct vb_rows urows = {1, cu, 1, uv};
	is_int(ops->add(h, &items, &urows, &err), VB_ERR_INVALID, "unknown column in rows -> INVALID");
}

static void writes_update_delete(struct vb_handle *h)
{
	/* update / delete */
	const char *cs[] = {"score"};
	struct vb_value sv[] = {vi(99)};
	struct vb_rows set = {1, cs, 1, sv};
	int64_t aff = -1;
	struct vb_filter *f = vb_filter_in("id", (struct vb_value[]){vt("m1"), vt("m2")}, 2);
	is_int(ops->update(h, &items, f, &set, &aff, &err), VB_OK, "update runs");
	is_int(aff, 2, "update affected 2");
	is_int(count_where(h, &items, cond("score", VB_OP_EQ, vi(99))), 2, "update applied");
	is_int(ops->delete_where(h, &items, f, &aff, &err), VB_OK, "delete runs");
	is_int(aff, 2, "delete affected 2");
	vb_filter_free(f);
	is_int(count_where(h, &items, NULL), 5, "back to 5 rows");
}

static void writes_namespace_isolation(struct vb_handle *h, struct vb_handle *h2)
{
	const char *cs[] = {"score"};
	struct vb_value sv[] = {vi(99)};
	struct vb_rows set = {1, cs, 1, sv};
	/* namespace isolation: ns2 writes the same ids */
	struct vb_value cells[5 * NCOL];
	fixed_rows(cells);
	struct vb_rows rows = {NCOL, cols9, 2, cells};
	is_int(ops->add(h2, &items, &rows, &err), VB_OK, "ns2 adds ids a,b");
	is_int(count_where(h2, &items, NULL), 2, "ns2 sees 2 rows");
	is_int(count_where(h, &items, NULL), 5, "ns1 still sees 5");
	int64_t aff = -1;
	is_int(ops->update(h2, &items, NULL, &set, &aff, &err), VB_OK, "ns2 update without filter");
	is_int(aff, 2, "touches only ns2 rows");
	is_int(count_where(h, &items, cond("score", VB_OP_EQ, vi(99))), 0, "ns1 untouched by ns2 update");
	struct vb_result *r = NULL;
	is_int(ops->search_vector(h2, &items, va, 4, 10, NULL, NULL, &r, &err), VB_OK, "ns2 vector search");
	if (r)
		is_int(r->nrows, 2, "ns2 search sees only its rows");
	ops->result_free(h2, &r);
	is_int(ops->drop(h2, &items, &err), VB_OK, "drop in ns2");
	is_int(count_where(h2, &items, NULL), 0, "ns2 cleared");
	is_int(count_where(h, &items, NULL), 5, "ns1 rows survive ns2's drop");
	is_int(sql_int(h, "SELECT count(*) FROM pg_tables WHERE tablename = 'items'"), 1, "drop kept the table");
	struct vb_table_spec gone = items;
	gone.name = "never_made";
	is_int(ops->drop(h, &gone, &err), VB_OK, "drop of a missing table is a no-op");
	is_int(count_where(h, &gone, NULL), -100 - VB_ERR_NOT_FOUND, "count on a missing table -> NOT_FOUND");
	is_str(err.message, "Table never_made does not exist.", "missing table message on use");
}

static void test_writes(struct vb_handle *h, struct vb_handle *h2)
{
	writes_refused(h);
	writes_update_delete(h);
	writes_namespace_isolation(h, h2);
}

static void test_upsert(struct vb_handle *h)
{
	enum { N = 1000 };
	const char *cols[] = {"id", "description", "vector"};
	struct vb_value *cells = vb_xcalloc(N * 3, sizeof *cells);
	char (*ids)[16] = vb_xcalloc(N, sizeof *ids);
	char (*desc)[32] = vb_xcalloc(N, sizeof *desc);
	float *vecs = vb_xcalloc(N * 4, sizeof *vecs);
	for (int i = 0; i < N; i++) {
		snprintf(ids[i], sizeof ids[i], "u%04d", i);
		snprintf(desc[i], sizeof desc[i], "first %d", i);
		for (int k = 0; k < 4; k++)
			vecs[i * 4 + k] = (float)((i * 7 + k * 3) % 11) + 1;
		cells[i * 3] = vt(ids[i]);
		cells[i * 3 + 1] = vt(desc[i]);
		cells[i * 3 + 2] = vvec(&vecs[i * 4], 4);
	}
	struct vb_rows rows = {3, cols, N, cells};
	struct vb_filter *uf = vb_filter_like("id", "u*");
	int64_t n = 0;
	is_int(ops->upsert(h, &items, &rows, "id", &err), VB_OK, "upsert 1000 rows (COPY + staging)");
	ops->count(h, &items, uf, &n, &err);
	is_int(n, N, "1000 rows after the first upsert");
	is_int(ops->upsert(h, &items, &rows, "id", &err), VB_OK, "same upsert again");
	ops->count(h, &items, uf, &n, &err);
	is_int(n, N, "still 1000 rows: upsert is idempotent");
	snprintf(desc[5], sizeof desc[5], "second 5");
	is_int(ops->upsert(h, &items, &rows, "id", &err), VB_OK, "upsert with one changed row");
	is_int(sql_int(h, "SELECT count(*) FROM items WHERE id = 'u0005' AND description = 'second 5'"), 1,
	       "changed row updated");
	vb_filter_free(uf);

	/* the same key twice in one batch: the last one wins */
	struct vb_value dup[] = {vt("dup"), vt("one"), vvec(va, 4), vt("dup"), vt("two"), vvec(vc, 4)};
	struct vb_rows duprows = {3, cols, 2, dup};
	is_int(ops->upsert(h, &items, &duprows, "id", &err), VB_OK, "upsert with a duplicate key in the batch");
	is_int(sql_int(h, "SELECT count(*) FROM items WHERE id = 'dup' AND description = 'two'"), 1, "last one kept");
	is_int(sql_int(h, "SELECT count(*) FROM items WHERE id = 'dup'"), 1, "one row for the key");

	struct vb_rows one = {3, cols, 1, dup};
	is_int(ops->upsert(h, &items, &one, "kind", &err), VB_ERR_INVALID, "upsert key not among the row columns");
	free(cells);
	free(ids);
	free(desc);
	free(vecs);
	is_int(run_sql(h, "DELETE FROM items WHERE id LIKE 'u%' OR id = 'dup'"), VB_OK, "cleanup upsert rows");
}

static void test_text_copy(struct vb_handle *h)
{
	/* NUMERIC has no binary encoder here, so this goes through the text COPY format */
	static const struct vb_column lc[] = {{"id", VB_T_TEXT, 0, "TEXT"}, {"amount", VB_T_DOUBLE, 0, "NUMERIC"},
	                                      {"note", VB_T_TEXT, 0, "TEXT"}, {"vector", VB_T_VECTOR, 0, "vector"}};
	struct vb_table_spec ledger = {.name = "ledger", .columns = lc, .ncolumns = 4, .vector_column = "vector",
	                               .vector_dim = 4, .text_source = "note", .key_column = "id", .namespaced = 1};
	is_int(ops->ensure_table(h, &ledger, &err), VB_OK, "ledger ready");
	const char *cols[] = {"id", "amount", "note", "vector"};
	struct vb_value d1 = {.type = VB_T_DOUBLE};
	d1.u.d = 12.5;
	struct vb_value cells[] = {vt("l1"), d1, vt("tab\there\nnew \\ line"), vvec(va, 4),
	                           vt("l2"), vt("7.25"), vnull(VB_T_TEXT), vvec(vc, 4)};
	struct vb_rows rows = {4, cols, 2, cells};
	is_int(ops->add(h, &ledger, &rows, &err), VB_OK, "text COPY add");
	is_int(sql_int(h, "SELECT count(*) FROM ledger WHERE note = E'tab\\there\\nnew \\\\ line' AND amount = 12.5"), 1,
	       "tab, newline and backslash survive text COPY");
	is_int(sql_int(h, "SELECT count(*) FROM ledger WHERE note IS NULL AND amount = 7.25"), 1, "NULL via text COPY");
	cells[1] = vt("99.99");
	is_int(ops->upsert(h, &ledger, &rows, "id", &err), VB_OK, "text COPY upsert");
	is_int(sql_int(h, "SELECT count(*) FROM ledger"), 2, "upsert kept 2 rows");
	is_int(sql_int(h, "SELECT count(*) FROM ledger WHERE amount = 99.99"), 1, "upsert updated amount");
	cells[1] = vt("not a number");
	is_int(ops->add(h, &ledger, &rows, &err), VB_ERR_INVALID, "bad numeric -> INVALID");
	is_str(err.sqlstate, "22P02", "bad numeric SQLSTATE 22P02");
	is_int(sql_int(h, "SELECT count(*) FROM ledger"), 2, "nothing written");

	/* no UNIQUE (namespace, note): ON CONFLICT cannot work */
	cells[1] = vt("1");
	is_int(ops->upsert(h, &ledger, &rows, "note", &err), VB_ERR_SCHEMA, "upsert without a matching UNIQUE -> SCHEMA");
	has_str(err.hint, "UNIQUE (namespace, note)", "hint names the constraint to add");
}

static int64_t fts_index_scans(struct vb_handle *h)
{
	run_sql(h, "SELECT pg_stat_force_next_flush()");
	return sql_int(h, "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'idx_docs_fts'");
}

static void test_fts_index_used(struct vb_handle *h)
{
	/* docs has only the GIN index, so with sequential scans off an index scan happens exactly
	 * when the query's text expression is the indexed one (vb_fts_expression, as in the DDL) */
	static const struct vb_column dc[] = {{"id", VB_T_TEXT, 0, "TEXT"}, {"body", VB_T_TEXT, 0, "TEXT"},
	                                      {"vector", VB_T_VECTOR, 0, "vector"}};
	struct vb_table_spec docs = {.name = "docs", .columns = dc, .ncolumns = 3, .vector_column = "vector",
	                             .vector_dim = 4, .text_source = "body", .namespaced = 1};
	char *fts = vb_fts_expression(&docs);
	char *idx = vb_xasprintf("CREATE INDEX idx_docs_fts ON docs USING GIN (%s)", fts);
	const char *ddl[] = {"CREATE TABLE docs (namespace TEXT NOT NULL, id TEXT, body TEXT, vector vector(4))", idx};
	is_int(ops->exec_script(h, ddl, 2, NULL, NULL, &err), VB_OK, "docs table with its GIN index");
	free(idx);
	free(fts);
	const char *cols[] = {"id", "body", "vector"};
	struct vb_value cells[] = {vt("d1"), vt("zebra stripes"), vvec(va, 4), vt("d2"), vt("lion"), vvec(vc, 4)};
	struct vb_rows rows = {3, cols, 2, cells};
	is_int(ops->add(h, &docs, &rows, &err), VB_OK, "docs rows");
	is_int(run_sql(h, "SET enable_seqscan = off"), VB_OK, "sequential scans off for this session");
	struct vb_result *r = NULL;
	int64_t before = fts_index_scans(h);
	is_int(ops->search_text(h, &docs, "zebra", 5, NULL, NULL, &r, &err), VB_OK, "search_text on docs");
	if (r)
		is_int(r->nrows, 1, "one zebra");
	ops->result_free(h, &r);
	int64_t mid = fts_index_scans(h);
	ok(mid > before, "search_text used idx_docs_fts (idx_scan %lld -> %lld)", (long long)before, (long long)mid);
	is_int(ops->search_hybrid(h, &docs, "zebra", vc, 4, 5, NULL, NULL, &r, &err), VB_OK, "search_hybrid on docs");
	ops->result_free(h, &r);
	int64_t after = fts_index_scans(h);
	ok(after > mid, "search_hybrid's text candidates used idx_docs_fts (idx_scan %lld -> %lld)", (long long)mid,
	   (long long)after);
	run_sql(h, "RESET enable_seqscan");
}

struct progress_log {
	int calls, last_index, last_status;
};

static void progress(void *ctx, int index, const char *sql, int status, const char *message)
{
	struct progress_log *l = ctx;
	(void)sql;
	(void)message;
	l->calls++;
	l->last_index = index;
	l->last_status = status;
}

static void test_sql_slots(struct vb_handle *h)
{
	struct vb_result *r = NULL;
	const char *params[] = {"41", NULL};
	is_int(ops->query(h, "SELECT $1::int + 1 AS answer, $2::text IS NULL AS isnull", 2, params, &r, &err), VB_OK,
	       "query with parameters");
	if (r) {
		is_str(vb_result_get(r, 0, 0), "42", "query result cell");
		is_str(r->cols[0], "answer", "query column name");
		is_str(vb_result_get(r, 0, 1), "t", "NULL parameter");
	}
	ops->result_free(h, &r);
	is_int(ops->query(h, "SELECT * FROM nosuch_table", 0, NULL, &r, &err), VB_ERR_NOT_FOUND, "42P01 -> NOT_FOUND");
	is_str(err.sqlstate, "42P01", "SQLSTATE kept");
	has_str(err.message, "does not exist", "server message kept");
	is_int(ops->query(h, "SELECT nosuchcol FROM items", 0, NULL, &r, &err), VB_ERR_INVALID, "42703 -> INVALID");
	is_int(ops->query(h, "CREATE EXTENSION nosuchext", 0, NULL, &r, &err), VB_ERR_UNSUPPORTED, "0A000 -> UNSUPPORTED");
	ok(err.hint[0] != '\0', "hint carried (%s)", err.hint);

	is_int(ops->query(h, "COPY items TO STDOUT", 0, NULL, &r, &err), VB_ERR_UNSUPPORTED, "COPY TO STDOUT refused");
	is_int(ops->query(h, "COPY items FROM STDIN", 0, NULL, &r, &err), VB_ERR_UNSUPPORTED, "COPY FROM STDIN refused");
	is_int(sql_int(h, "SELECT 7"), 7, "connection usable after refused COPYs");

	struct progress_log log = {0};
	const char *script[] = {"CREATE TABLE script_t (x int)", "INSERT INTO script_t VALUES (1)",
	                        "INSERT INTO script_t VALUES ('not an int')"};
	is_int(ops->exec_script(h, script, 3, progress, &log, &err), VB_ERR_INVALID, "failing script -> error");
	has_str(err.message, "statement 3 of 3 failed", "script error names the statement");
	is_int(log.calls, 3, "progress called per statement");
	is_int(log.last_index, 2, "progress saw the failing index");
	ok(log.last_status != VB_OK, "progress saw the failure");
	int ex = 1;
	ops->table_exists(h, "script_t", &ex, &err);
	is_int(ex, 0, "script rolled back: table not created");
	log = (struct progress_log){0};
	is_int(ops->exec_script(h, script, 2, progress, &log, &err), VB_OK, "good script commits");
	is_int(sql_int(h, "SELECT count(*) FROM script_t"), 1, "script effects visible");

	is_int(ops->create_index(h, &items, "hnsw", &err), VB_OK, "create hnsw index");
	is_int(sql_int(h, "SELECT count(*) FROM pg_indexes WHERE tablename = 'items' AND indexdef LIKE '%USING hnsw%"
	                  "vector_cosine_ops%'"),
	       1, "hnsw index with vector_cosine_ops exists");
	is_int(ops->create_index(h, &items, "ivfflat", &err), VB_OK, "create ivfflat index");
	is_int(sql_int(h, "SELECT count(*) FROM pg_indexes WHERE tablename = 'items' AND indexdef LIKE '%ivfflat%'"), 1,
	       "ivfflat index exists");
	is_int(ops->create_index(h, &items, "btree", &err), VB_ERR_INVALID, "unknown index method -> INVALID");
	ok(ops->socket_fd(h) >= 0, "socket_fd is a descriptor");
}

static void test_cache_and_fallbacks(struct vb_handle *h)
{
	/* the catalog cache must notice DDL run through the SQL slots */
	int64_t n = -1;
	is_int(ops->count(h, &items, NULL, &n, &err), VB_OK, "count loads the catalog cache");
	const char *alter[] = {"ALTER TABLE items ADD COLUMN late_col TEXT"};
	is_int(ops->exec_script(h, alter, 1, NULL, NULL, &err), VB_OK, "ALTER TABLE through exec_script");
	const char *cols[] = {"id", "late_col", "vector"};
	struct vb_value cells[] = {vt("late"), vt("hello"), vvec(va, 4)};
	struct vb_rows rows = {3, cols, 1, cells};
	is_int(ops->add(h, &items, &rows, &err), VB_OK, "a column added after the first use is writable");
	is_int(count_where(h, &items, cond("late_col", VB_OP_EQ, vt("hello"))), 1, "and filterable");
	is_int(run_sql(h, "DELETE FROM items WHERE id = 'late'"), VB_OK, "cleanup");

	/* spec 1.5: hybrid falls back to vector search when the text column is missing */
	struct vb_table_spec notext = items;
	notext.fts_columns = NULL;
	notext.text_source = "no_such_text";
	struct vb_result *r = NULL;
	const float q2[4] = {0, 1, 0, 0};
	is_int(ops->search_hybrid(h, &notext, "customer", q2, 4, 2, NULL, NULL, &r, &err), VB_OK,
	       "hybrid without its text column runs");
	if (r) {
		char *ids = column_of(r, "id");
		is_str(ids, "c,b", "and ranks by vector alone");
		free(ids);
		ok(r->score == NULL, "no hybrid score in the fallback");
	}
	ops->result_free(h, &r);
	is_int(ops->search_text(h, &notext, "customer", 2, NULL, NULL, &r, &err), VB_ERR_UNSUPPORTED,
	       "text search without its column -> UNSUPPORTED");
	has_str(err.message, "no_such_text", "names the missing column");
	is_int(ops->search_hybrid(h, &items, "revenue", NULL, 4, 5, NULL, NULL, &r, &err), VB_OK,
	       "hybrid without a vector searches the text");
	if (r) {
		char *ids = column_of(r, "id");
		is_str(ids, "c,a", "text order from hybrid without a vector");
		free(ids);
	}
	ops->result_free(h, &r);
}

struct cancel_arg {
	struct vb_handle *h;
};

static void *cancel_later(void *p)
{
	struct cancel_arg *a = p;
	usleep(300 * 1000);
	ops->cancel(a->h);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_cancel(struct vb_handle *h)
{
	pthread_t th;
	struct cancel_arg a = {h};
	struct vb_result *r = NULL;
	double t0 = now_s();
	pthread_create(&th, NULL, cancel_later, &a);
	int rc = ops->query(h, "SELECT pg_sleep(10)", 0, NULL, &r, &err);
	double dt = now_s() - t0;
	pthread_join(th, NULL);
	ops->result_free(h, &r);
	is_int(rc, VB_ERR_CANCELLED, "pg_sleep(10) cancelled from another thread");
	is_str(err.sqlstate, "57014", "SQLSTATE 57014");
	ok(dt < 1.3, "cancelled within a second of the request (%.2f s in all)", dt);
	is_int(sql_int(h, "SELECT 1"), 1, "connection usable after cancel");
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	bind(s, (struct sockaddr *)&a, sizeof a);
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	return ntohs(a.sin_port);
}

static void test_reconnect(struct vb_handle *admin, struct vb_handle *h)
{
	int64_t pid = sql_int(h, "SELECT pg_backend_pid()");
	ok(pid > 0, "backend pid %lld", (long long)pid);
	char *sql = vb_xasprintf("SELECT pg_terminate_backend(%lld)", (long long)pid);
	is_int(run_sql(admin, sql), VB_OK, "terminate the backend behind the handle");
	free(sql);
	usleep(100 * 1000);
	struct vb_result *r = NULL;
	is_int(ops->query(h, "SELECT 1", 0, NULL, &r, &err), VB_ERR_CONNECT, "first statement after it -> CONNECT");
	ops->result_free(h, &r);
	int64_t n = -1;
	is_int(ops->count(h, &items, NULL, &n, &err), VB_OK, "the next slot reconnects");
	is_int(n, 5, "and sees the data");
	ok(sql_int(h, "SELECT pg_backend_pid()") != pid, "on a new backend");
	test_cancel(h); /* the cancel key was renewed */
}

static void test_options(const char *db)
{
	struct vb_config c = config(db, "ns1");
	c.options = "statement_timeout=250ms; application_name=vb opt test";
	struct vb_handle *h = NULL;
	is_int(ops->open(&c, &h, &err), VB_OK, "open with backend options");
	if (!h)
		return;
	struct vb_result *r = NULL;
	is_int(ops->query(h, "SELECT current_setting('statement_timeout'), current_setting('application_name')", 0,
	                  NULL, &r, &err),
	       VB_OK, "read settings");
	if (r) {
		is_str(vb_result_get(r, 0, 0), "250ms", "server setting from options (-c)");
		is_str(vb_result_get(r, 0, 1), "vb opt test", "libpq keyword from options");
	}
	ops->result_free(h, &r);
	is_int(ops->query(h, "SELECT pg_sleep(2)", 0, NULL, &r, &err), VB_ERR_CANCELLED, "statement_timeout -> CANCELLED");
	ops->close(&h);
}

static void test_connect_errors(const char *db)
{
	struct vb_handle *h = (struct vb_handle *)1;
	struct vb_config c = config(db, "ns1");
	c.port = free_port();
	c.password = "Sekr3t-pw-XYZ";
	is_int(ops->open(&c, &h, &err), VB_ERR_CONNECT, "connection refused -> CONNECT");
	ok(h == NULL, "handle left NULL on failure");
	has_str(err.message, "Connection refused", "libpq's reason kept (%s)", err.message);
	ok(no_password(&err, "Sekr3t-pw-XYZ"), "no password in the error");

	c = config(db, "ns1");
	c.password = "Sekr3t-pw-XYZ";
	is_int(ops->open(&c, &h, &err), VB_ERR_CONNECT, "wrong password -> CONNECT");
	has_str(err.message, "password authentication failed", "auth failure text");
	is_str(err.sqlstate, "28P01", "auth failure mapped to 28P01");
	ok(no_password(&err, "Sekr3t-pw-XYZ"), "no password in the auth error");

	c = config("vbt_no_such_db", "ns1");
	is_int(ops->open(&c, &h, &err), VB_ERR_CONNECT, "missing database -> CONNECT");
	is_str(err.sqlstate, "3D000", "missing database mapped to 3D000");
	ok(err.hint[0] != '\0', "missing database has a hint");

	c = config(db, "ns1");
	c.username = "vbt_no_such_role";
	c.password = "whatever-pw";
	is_int(ops->open(&c, &h, &err), VB_ERR_CONNECT, "missing role -> CONNECT");
	ok(no_password(&err, "whatever-pw"), "no password in the role error");
}

static void test_real_ddl(struct vb_handle *h, const char *db)
{
	/* the 10 real tables rendered by ddl/ for dim 4, applied and verified */
	char **stmts = ddl_statements("vbt_kb", 4, DDL_PART_ALL, &err);
	ok(stmts != NULL, "ddl_statements renders");
	if (!stmts)
		return;
	int n = 0;
	while (stmts[n])
		n++;
	is_int(run_sql(h, "CREATE SCHEMA vbt_kb"), VB_OK, "schema for the real tables");
	if (!is_int(ops->exec_script(h, (const char *const *)stmts, n, NULL, NULL, &err), VB_OK,
	            "real DDL applies (%d stmts)", n))
		printf("# %s\n", err.message);
	ddl_statements_free(stmts);

	struct vb_config c = config(db, "kbns");
	c.schema = "vbt_kb";
	struct vb_handle *k = NULL;
	is_int(ops->open(&c, &k, &err), VB_OK, "open with schema vbt_kb");
	if (!k)
		return;
	int ready = 0;
	for (int i = 0; i < ddl_table_count(); i++) {
		const struct vb_table_spec *spec = ddl_table_spec(ddl_table_name(i), 4);
		if (spec && ops->ensure_table(k, spec, &err) == VB_OK)
			ready++;
		else
			printf("# %s: %s\n", ddl_table_name(i), err.message);
	}
	is_int(ready, ddl_table_count(), "ensure_table passes on every real table");
	const struct vb_table_spec *sm = ddl_table_spec("semantic_model", 4);
	const struct vb_table_spec *sm8 = ddl_table_spec("semantic_model", 8);
	if (sm8) {
		is_int(ops->ensure_table(k, sm8, &err), VB_ERR_SCHEMA, "real table vs dim 8 -> SCHEMA");
	}
	if (sm) {
		const char *cols[] = {"id", "kind", "name", "description", "is_dimension", "updated_at", "vector"};
		struct vb_value cells[] = {vt("m.orders"), vt("table"), vt("orders"), vt("all orders"), vbool(0),
		                           vts("2025-01-01 00:00:00"), vvec(va, 4)};
		struct vb_rows rows = {7, cols, 1, cells};
		is_int(ops->upsert(k, sm, &rows, "id", &err), VB_OK, "upsert into the real semantic_model");
		is_int(ops->upsert(k, sm, &rows, "id", &err), VB_OK, "again (UNIQUE (namespace, id) from the DDL)");
		int64_t cnt = -1;
		ops->count(k, sm, NULL, &cnt, &err);
		is_int(cnt, 1, "one semantic_model row");
		struct vb_result *r = NULL;
		is_int(ops->search_hybrid(k, sm, "orders", va, 4, 5, NULL, NULL, &r, &err), VB_OK,
		       "hybrid on the real table (FTS expression from the DDL)");
		if (r)
			is_int(r->nrows, 1, "hybrid finds it");
		ops->result_free(k, &r);
	}
	ops->close(&k);
}

int main(void)
{
	void *dl = load_plugin();
	const char *ci = getenv("PG17_CONNINFO");
	ok(ci && *ci, "PG17_CONNINFO is set (a real PostgreSQL 17 + pgvector is required)");
	if (!dl || !ops || !ci || !*ci)
		return tap_done();
	parse_conninfo(ci);

	struct vb_config ac = config(c_db, NULL);
	struct vb_handle *admin = NULL;
	is_int(ops->open(&ac, &admin, &err), VB_OK, "open the admin database");
	if (!admin) {
		printf("# %s\n", err.message);
		return tap_done();
	}
	char db[64];
	snprintf(db, sizeof db, "vbt_pgv_%d_%ld", (int)getpid(), (long)time(NULL));
	char *sql = vb_xasprintf("CREATE DATABASE %s", db);
	is_int(run_sql(admin, sql), VB_OK, "fresh database %s", db);
	free(sql);

	struct vb_config c1 = config(db, "ns1"), c2 = config(db, "ns2");
	struct vb_handle *h = NULL, *h2 = NULL;
	is_int(ops->open(&c1, &h, &err), VB_OK, "open ns1");
	is_int(ops->open(&c2, &h2, &err), VB_OK, "open ns2");
	if (h && h2) {
		is_int(ops->ensure_table(h, &items, &err), VB_ERR_NOT_FOUND, "ensure_table before CREATE EXTENSION");
		has_str(err.message, "CREATE EXTENSION IF NOT EXISTS vector", "extension advice (Datus text)");
		is_int(run_sql(h, "CREATE EXTENSION vector"), VB_OK, "CREATE EXTENSION vector");
		create_schema(h);
		test_ensure(h);
		test_add_and_filters(h);
		test_search(h);
		test_writes(h, h2);
		test_upsert(h);
		test_text_copy(h);
		test_sql_slots(h);
		test_cache_and_fallbacks(h);
		test_fts_index_used(h);
		test_cancel(h);
		test_real_ddl(h, db);
		test_reconnect(admin, h);
	}
	ops->close(&h);
	ops->close(&h2);
	ok(h == NULL && h2 == NULL, "close sets the handle to NULL");
	ops->close(&h); /* NULL-safe */
	test_options(db);
	test_connect_errors(db);

	sql = vb_xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
	is_int(run_sql(admin, sql), VB_OK, "drop the test database");
	free(sql);
	ops->close(&admin);
	dlclose(dl);
	return tap_done();
}
