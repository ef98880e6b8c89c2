/* tests/unit/test_semantic.c - semantic YAML -> semantic_model / metrics rows (spec 6.3-6.4). */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "../../kb/semantic.h"
#include "../../backends/vb_util.h"
#include "../../ddl/ddl.h"

static char tmpdir[256];

static char *write_file(const char *name, const char *text)
{
	char *p = vb_xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

static const char spec_example[] =
	"data_source:\n"
	"  name: orders\n"
	"  description: Customer orders, one row per order\n"
	"  sql_table: shop.public.orders          # on PostgreSQL: database=shop, schema=public, table=orders\n"
	"  measures:\n"
	"    - name: revenue\n"
	"      description: Order revenue in USD\n"
	"      agg: SUM\n"
	"      expr: amount\n"
	"      create_metric: true\n"
	"      agg_time_dimension: order_date\n"
	"  dimensions:\n"
	"    - name: order_date\n"
	"      type: TIME\n"
	"      type_params: {time_granularity: DAY}\n"
	"      description: Date the order was placed\n"
	"    - name: status\n"
	"      type: CATEGORICAL\n"
	"      expr: \"`status`\"                 # backticks are stripped\n"
	"  identifiers:\n"
	"    - name: order_id\n"
	"      type: PRIMARY\n"
	"      entity: order\n"
	"---\n"
	"metric:\n"
	"  name: total_revenue\n"
	"  description: Sum of order revenue\n"
	"  type: measure_proxy\n"
	"  type_params: {measure: revenue}\n"
	"  locked_metadata:\n"
	"    tags: [\"subject_tree: Finance/Revenue\"]\n";

static struct semantic_options pg_opts(void)
{
	struct semantic_options o = {0};
	o.dialect = "postgresql";
	o.database = "postgres";
	o.schema = "public";
	o.include_semantic_objects = 1;
	o.include_metrics = 1;
	o.now = "2026-01-02 03:04:05";
	return o;
}

static const struct semantic_object *find(const struct semantic_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i]->id, id))
			return l->items[i];
	return NULL;
}

static char *join(const struct semantic_strlist *l)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "");
	for (int i = 0; i < l->n; i++) {
		if (i)
			vb_buf_addc(&b, ',');
		vb_buf_add(&b, l->items[i]);
	}
	return vb_buf_steal(&b);
}

#define is_list(l, want, name)                  \
	do {                                        \
		char *j_ = join(l);                     \
		is_str(j_, want, "%s", name);           \
		free(j_);                               \
	} while (0)

static void spec_table_row(const struct semantic_list *l, const char *p)
{
	const struct semantic_object *t = find(l, "table:orders");
	ok(t != NULL, "table row present");
	if (t) {
		is_str(t->kind_name, "table", "table kind");
		is_str(t->name, "orders", "table name");
		is_str(t->fq_name, "shop.public.orders", "fq_name from sql_table (postgresql: no catalog)");
		is_str(t->database_name, "shop", "database from sql_table");
		is_str(t->schema_name, "public", "schema from sql_table");
		is_str(t->catalog_name, "", "no catalog on postgresql");
		is_str(t->description, "Customer orders, one row per order", "table description");
		is_str(t->semantic_model_name, "orders", "semantic_model_name");
		ok(t->expr == NULL && t->agg == NULL && t->entity == NULL, "unset columns are NULL on the table row");
		is_int(t->create_metric, SEMANTIC_NULL, "create_metric NULL on the table row");
		is_int(t->is_dimension, 0, "table is_dimension false");
		is_int(t->is_deprecated, 0, "table is_deprecated false");
		is_str(t->updated_at, "2026-01-02 03:04:05", "updated_at");
		is_str(t->yaml_path, p, "yaml_path is the file");
	}
}

static void spec_column_rows(const struct semantic_list *l)
{
	const struct semantic_object *c = find(l, "column:orders.order_date");
	ok(c != NULL, "order_date row");
	if (c) {
		is_str(c->fq_name, "shop.public.orders.order_date", "column fq_name");
		is_str(c->time_granularity, "DAY", "TIME dimension keeps its granularity");
		is_str(c->column_type, "TIME", "column_type");
		is_str(c->expr, "order_date", "expr defaults to the name");
		is_int(c->is_dimension, 1, "is_dimension");
		is_int(c->is_measure, 0, "not a measure");
		is_str(c->agg, "", "agg empty for dimensions");
		is_int(c->create_metric, 0, "create_metric false for dimensions");
		is_int(c->is_partition, 0, "is_partition false by default");
		is_str(c->table_name, "orders", "table_name");
	}
	c = find(l, "column:orders.status");
	if (ok(c != NULL, "status row"))
		is_str(c->expr, "status", "backticks stripped from expr");
	if (ok(c != NULL, "status description"))
		is_str(c->description, "", "missing description is empty");
	c = find(l, "column:orders.revenue");
	if (ok(c != NULL, "revenue row")) {
		is_int(c->is_measure, 1, "is_measure");
		is_str(c->agg, "SUM", "agg");
		is_int(c->create_metric, 1, "create_metric");
		is_str(c->agg_time_dimension, "order_date", "agg_time_dimension");
		is_str(c->expr, "amount", "expr");
		is_str(c->column_type, "", "measures have no type");
		is_str(c->time_granularity, "", "no granularity on measures");
	}
	c = find(l, "column:orders.order_id");
	if (ok(c != NULL, "order_id row")) {
		is_int(c->is_entity_key, 1, "is_entity_key");
		is_str(c->entity, "order", "entity");
		is_str(c->column_type, "PRIMARY", "identifier type");
	}
}

static void spec_metric_row(const struct semantic_list *l)
{
	const struct semantic_object *m = find(l, "metric:total_revenue");
	if (ok(m != NULL, "metric row")) {
		is_str(m->name, "total_revenue", "metric name");
		is_str(m->metric_type, "measure_proxy", "metric_type");
		is_str(m->measure_expr, "revenue", "measure_expr");
		is_list(&m->base_measures, "revenue", "base_measures");
		is_list(&m->dimensions, "order_date,status", "dimensions from the data source");
		is_list(&m->entities, "order_id", "entities from the identifiers");
		is_list(&m->subject_path, "Finance,Revenue", "subject path from the tag");
		is_str(m->semantic_model_name, "orders", "metric semantic_model_name");
		is_str(m->database_name, "shop", "metric database from the table context");
		is_str(m->sql, "", "sql empty");
		is_str(m->created_at, "2026-01-02 03:04:05", "created_at");
	}
}

/* the components select kinds */
static void spec_components(const char *p)
{
	struct semantic_options o = pg_opts();
	struct semantic_list l = {0};
	struct semantic_stats st;
	struct vb_error err;
	o.include_metrics = 0;
	is_int(semantic_read(p, &o, semantic_list_collect, &l, &st, &err), VB_OK, "semantic_model component");
	is_int((long)l.n, 5, "5 rows without metrics");
	ok(!find(&l, "metric:total_revenue"), "no metric row");
	semantic_list_free(&l);
	o.include_metrics = 1;
	o.include_semantic_objects = 0;
	is_int(semantic_read(p, &o, semantic_list_collect, &l, &st, &err), VB_OK, "metrics component");
	is_int((long)l.n, 1, "only the metric row");
	is_int(st.tables + st.columns, 0, "stats count no semantic objects");
	semantic_list_free(&l);
}

static void test_spec_example(void)
{
	char *p = write_file("spec.yaml", spec_example);
	struct semantic_options o = pg_opts();
	struct semantic_list l = {0};
	struct semantic_stats st;
	struct vb_error err;
	is_int(semantic_read(p, &o, semantic_list_collect, &l, &st, &err), VB_OK, "spec example reads (%s)", err.message);
	is_int(st.tables, 1, "one table row");
	is_int(st.columns, 4, "four column rows");
	is_int(st.metrics, 1, "one metric row");
	is_int(st.documents, 2, "two documents");
	is_int((long)l.n, 6, "six rows delivered");
	/* order: table, dimensions, measures, identifiers (measures come first in the file) */
	const char *order[] = {"table:orders", "column:orders.order_date", "column:orders.status",
	                       "column:orders.revenue", "column:orders.order_id", "metric:total_revenue"};
	for (size_t i = 0; i < 6 && i < l.n; i++)
		is_str(l.items[i]->id, order[i], "row %zu is %s", i, order[i]);

	spec_table_row(&l, p);
	spec_column_rows(&l);
	spec_metric_row(&l);
	semantic_list_free(&l);
	spec_components(p);
	free(p);
}

static void collect_warn(void *ctx, const char *msg)
{
	struct vb_buf *b = ctx;
	vb_buf_add(b, msg);
	vb_buf_addc(b, '\n');
}

static void test_example_file(void)
{
	/* the shipped example: 2 data sources, 3 metrics */
	const char *p = "examples/semantic.yaml";
	struct semantic_options o = pg_opts();
	struct vb_buf warn;
	vb_buf_init(&warn);
	o.warn = collect_warn;
	o.warn_ctx = &warn;
	struct semantic_list l = {0};
	struct semantic_stats st;
	struct vb_error err;
	is_int(semantic_read(p, &o, semantic_list_collect, &l, &st, &err), VB_OK, "examples/semantic.yaml reads (%s)",
	       err.message);
	is_int(st.data_sources, 2, "two data sources seen");
	is_int(st.data_sources_used, 1, "only the last is used (Datus)");
	is_int(st.tables, 1, "one table");
	is_int(st.columns, 8, "orders: 3 dimensions + 3 measures + 2 identifiers");
	is_int(st.metrics, 3, "three metrics");
	has_str(warn.data, "document 1 (data_source 'customers') is ignored", "warning names the ignored data source");
	ok(find(&l, "table:orders") && !find(&l, "table:customers"), "customers is not loaded");
	const struct semantic_object *m = find(&l, "metric:average_order_value");
	if (ok(m != NULL, "ratio metric"))
		is_list(&m->base_measures, "revenue,order_count", "ratio base measures");
	m = find(&l, "metric:return_rate");
	if (ok(m != NULL, "expr metric")) {
		is_list(&m->subject_path, "Sales,Returns", "first subject_tree tag wins, other tags skipped");
		is_str(m->measure_expr, "returned_revenue / revenue", "expr metric measure_expr");
	}
	const struct semantic_object *c = find(&l, "column:orders.status");
	if (ok(c != NULL, "status"))
		is_str(c->expr, "status", "backticks stripped");
	semantic_list_free(&l);
	vb_buf_free(&warn);

	/* vbadmin extension: every data source */
	o.warn = NULL;
	o.flags = SEMANTIC_ALL_DATA_SOURCES;
	is_int(semantic_read(p, &o, semantic_list_collect, &l, &st, &err), VB_OK, "all data sources");
	is_int(st.tables, 2, "two tables");
	is_int(st.columns, 13, "5 + 8 columns");
	c = find(&l, "column:customers.channel");
	if (ok(c != NULL, "customers columns loaded"))
		is_str(c->expr, "acquisition_channel", "backticks stripped (customers)");
	semantic_list_free(&l);
}

static void test_metric_types(void)
{
	char *p = write_file("types.yaml",
	                     "metric:\n  name: mp\n  type: measure_proxy\n  type_params:\n    measure: a\n"
	                     "    measures: [b, {name: c}]\n"
	                     "---\nmetric:\n  name: r\n  type: ratio\n  type_params:\n"
	                     "    numerator: {name: num, filter: \"x > 1\"}\n    denominator: den\n"
	                     "---\nmetric:\n  name: e\n  type: expr\n  type_params:\n    expr: a + b\n"
	                     "    measures: [{name: a}, b]\n"
	                     "---\nmetric:\n  name: cu\n  type: cumulative\n  type_params:\n    measures: [a]\n"
	                     "    window: 7 days\n"
	                     "---\nmetric:\n  name: d\n  type: derived\n  type_params:\n    expr: m1 - m2\n"
	                     "    metrics: [{name: m1}, {name: m2, offset_window: 1 week}]\n"
	                     "---\nmetric:\n  name: s\n  type: simple\n  description: simple one\n"
	                     "  type_params: {measure: a}\n");
	struct semantic_options o = pg_opts();
	struct semantic_list l = {0};
	struct vb_error err;
	struct semantic_stats st;
	is_int(semantic_read(p, &o, semantic_list_collect, &l, &st, &err), VB_OK, "metric types read (%s)", err.message);
	is_int(st.tables, 0, "no data source, no table");
	is_int((long)l.n, 6, "six metrics");
	static const struct {
		const char *id, *base, *expr;
	} want[] = {
		{"metric:mp", "a,b,c", "a"}, {"metric:r", "num,den", ""}, {"metric:e", "a,b", "a + b"},
		{"metric:cu", "a", ""},      {"metric:d", "m1,m2", "m1 - m2"}, {"metric:s", "", ""},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct semantic_object *m = find(&l, want[i].id);
		if (!ok(m != NULL, "%s present", want[i].id))
			continue;
		is_list(&m->base_measures, want[i].base, want[i].id);
		is_str(m->measure_expr, want[i].expr, "%s measure_expr", want[i].id);
		/* generation_hooks.py: metric_table_name = table_name ("" without data_source); the
		 * knowledge-base fallback runs only `elif base_measures:` */
		is_str(m->semantic_model_name, "", "%s: no data_source, semantic_model_name '' until the KB lookup",
		       want[i].id);
		is_int(m->kb_fallback, want[i].base[0] != '\0', "%s: KB fallback only with base measures", want[i].id);
		is_list(&m->subject_path, "Metrics,Unknown", "default subject path without a table");
		is_int(m->dimensions.n + m->entities.n, 0, "no dimensions/entities without a data source");
		is_str(m->schema_name, "public", "context default schema");
	}
	const struct semantic_object *s = find(&l, "metric:s");
	if (s)
		is_str(s->description, "simple one", "description");
	semantic_list_free(&l);
	free(p);
}

static void test_columns_edge(void)
{
	char *p = write_file("edge.yaml",
	                     "data_source:\n  name: t\n  sql_table: db1.t_real\n"
	                     "  dimensions:\n"
	                     "    - name: a\n      type: time\n      type_params: {time_granularity: DAY}\n"
	                     "    - name: b\n      type: TIME\n"
	                     "    - name: p\n      expr: '``pp``'\n      is_partition: yes\n"
	                     "    - description: no name, skipped\n"
	                     "  measures:\n    - name: m\n      agg: sum\n"
	                     "  identifiers:\n    - name: k\n      type: primary\n"
	                     "---\nmetric:\n  name: x\n  type: measure_proxy\n  type_params: {measure: m}\n");
	struct semantic_options o = pg_opts();
	struct vb_buf warn;
	vb_buf_init(&warn);
	o.warn = collect_warn;
	o.warn_ctx = &warn;
	struct semantic_list l = {0};
	struct vb_error err;
	struct semantic_stats st;
	is_int(semantic_read(p, &o, semantic_list_collect, &l, &st, &err), VB_OK, "edge file reads (%s)", err.message);
	is_int(st.columns, 5, "entry without a name is skipped");
	has_str(warn.data, "dimensions entry 4 has no name and is skipped", "skipped entry is reported");
	const struct semantic_object *c = find(&l, "column:t_real.a");
	if (ok(c != NULL, "table name comes from sql_table's last part"))
		is_str(c->time_granularity, "", "lowercase 'time' is not TIME: no granularity");
	c = find(&l, "column:t_real.b");
	if (ok(c != NULL, "b"))
		is_str(c->time_granularity, "", "TIME without type_params: empty granularity");
	c = find(&l, "column:t_real.p");
	if (ok(c != NULL, "p")) {
		is_str(c->expr, "pp", "all surrounding backticks stripped");
		is_int(c->is_partition, 1, "is_partition: yes");
	}
	c = find(&l, "column:t_real.m");
	if (ok(c != NULL, "m")) {
		is_str(c->fq_name, "postgres.db1.t_real.m", "fq_name: one qualifier on postgresql is the schema");
		is_str(c->agg, "sum", "agg kept as written");
	}
	const struct semantic_object *m = find(&l, "metric:x");
	if (ok(m != NULL, "metric x")) {
		is_list(&m->subject_path, "Metrics,t_real", "default subject path uses the table");
		is_list(&m->dimensions, "a,b,p", "dimensions");
		is_list(&m->entities, "k", "entities");
	}
	semantic_list_free(&l);
	vb_buf_free(&warn);
	free(p);
}

static void test_dialects(void)
{
	char *c, *d, *s, *t, *fq;
	semantic_table_context("mysql", "shop.orders", "x", "", "db0", "public", &c, &d, &s, &t, &fq);
	is_str(d, "shop", "mysql: database from sql_table");
	is_str(s, "", "mysql: schema forced empty");
	is_str(fq, "shop.orders", "mysql fq_name");
	free(c), free(d), free(s), free(t), free(fq);
	semantic_table_context("starrocks", "cat . db. t ", "x", "default_catalog", "db0", "sch", &c, &d, &s, &t, &fq);
	is_str(c, "cat", "starrocks: catalog");
	is_str(d, "db", "starrocks: database (trimmed)");
	is_str(t, "t", "starrocks: table (trimmed)");
	is_str(fq, "cat.db.t", "starrocks fq_name has no schema");
	free(c), free(d), free(s), free(t), free(fq);
	/* Datus clears only schema_name for a dialect without it; a configured catalog stays even on
	 * PostgreSQL, which has no catalog level (generation_hooks.py _sync_semantic_to_db) */
	semantic_table_context("postgresql", "public.orders", "x", "cat", "db0", "s0", &c, &d, &s, &t, &fq);
	is_str(fq, "cat.db0.public.orders", "postgresql: configured catalog kept, schema from sql_table");
	free(c), free(d), free(s), free(t), free(fq);
	/* constants.py: snowflake has catalog, database and schema */
	semantic_table_context("snowflake", "DB1.PUB.ORDERS", "x", "", "D0", "S0", &c, &d, &s, &t, &fq);
	is_str(fq, "DB1.PUB.ORDERS", "snowflake: three parts are database.schema.table");
	free(c), free(d), free(s), free(t), free(fq);
	semantic_table_context("snowflake", "C.DB1.PUB.ORDERS", "x", "", "D0", "S0", &c, &d, &s, &t, &fq);
	is_str(c, "C", "snowflake: a fourth part is the catalog");
	free(c), free(d), free(s), free(t), free(fq);
	/* sqlite: database level (`or dialect == DBType.SQLITE`), schema cleared, no catalog level */
	semantic_table_context("sqlite", "main.t", "x", "", "california_schools", "s0", &c, &d, &s, &t, &fq);
	is_str(fq, "main.t", "sqlite: db.table, schema cleared");
	free(c), free(d), free(s), free(t), free(fq);
	/* duckdb and clickzetta: database + schema */
	semantic_table_context("duckdb", "ssb.lineorder", "x", "", "duckdb-demo", "main", &c, &d, &s, &t, &fq);
	is_str(fq, "duckdb-demo.ssb.lineorder", "duckdb: two parts are schema.table, database from the file name");
	free(c), free(d), free(s), free(t), free(fq);
	semantic_table_context("clickzetta", "w.s.t", "x", "", "", "", &c, &d, &s, &t, &fq);
	is_str(fq, "w.s.t", "clickzetta: database.schema.table");
	free(c), free(d), free(s), free(t), free(fq);
	/* redshift (datus-redshift adapter) is in none of Datus's support sets: sql_table only names
	 * the table, the configured database stays, the schema is cleared */
	semantic_table_context("redshift", "dev.public.sales", "x", "", "dev0", "public", &c, &d, &s, &t, &fq);
	is_str(d, "dev0", "redshift: database from the configuration");
	is_str(s, "", "redshift: schema cleared, as Datus does for a type outside SUPPORT_SCHEMA_DIALECTS");
	is_str(fq, "dev0.sales", "redshift fq_name");
	free(c), free(d), free(s), free(t), free(fq);
	/* DBType is a str enum compared exactly: "PostgreSQL" has no level */
	semantic_table_context("PostgreSQL", "db.sch.t", "x", "", "d0", "s0", &c, &d, &s, &t, &fq);
	is_str(fq, "d0.t", "a type spelled with capitals matches no Datus dialect");
	free(c), free(d), free(s), free(t), free(fq);
	semantic_table_context("postgresql", "a.b.c.t", "x", "", "db0", "s0", &c, &d, &s, &t, &fq);
	is_str(fq, "b.c.t", "extra leading parts beyond the dialect's levels are dropped");
	free(c), free(d), free(s), free(t), free(fq);
	semantic_table_context("postgresql", "..", "orders", "", "db0", "s0", &c, &d, &s, &t, &fq);
	is_str(fq, "db0.s0.orders", "empty parts dropped; no table part keeps the name");
	free(c), free(d), free(s), free(t), free(fq);
}

static int count_cb(void *ctx, const struct semantic_object *o, struct vb_error *err)
{
	(void)o;
	(void)err;
	(*(long *)ctx)++;
	return VB_OK;
}

static void bad(const char *name, const char *text, int status, const char *want_exact, const char *want_sub,
                const char *hint_sub)
{
	char *p = write_file(name, text);
	struct semantic_options o = pg_opts();
	struct vb_error err;
	long n = 0;
	int st = semantic_read(p, &o, count_cb, &n, NULL, &err);
	is_int(st, status, "%s: status", name);
	is_int(n, 0, "%s: nothing delivered", name);
	if (want_exact) {
		char *w = vb_xasprintf(want_exact, p);
		is_str(err.message, w, "%s: message", name);
		free(w);
	}
	if (want_sub)
		has_str(err.message, want_sub, "%s: message names the problem", name);
	if (hint_sub)
		has_str(err.hint, hint_sub, "%s: hint", name);
	free(p);
}

static void test_bad_input(void)
{
	bad("syntax.yaml", "data_source:\n  name: orders\n  dimensions: [{name: a}, {name: b}\n", VB_ERR_INVALID, NULL,
	    ":4:1: did not find expected ',' or ']' while parsing a flow sequence (line 3, column 15)", "indentation");
	bad("syntax2.yaml", "metric:\n  name: x\n   type: ratio\n", VB_ERR_INVALID,
	    "%s:3:8: mapping values are not allowed in this context", NULL, NULL);
	bad("dbt.yaml",
	    "semantic_models:\n  - name: orders\n    model: ref('orders')\n    entities:\n      - name: order_id\n"
	    "        type: primary\nmetrics:\n  - name: revenue\n    type: simple\n",
	    VB_ERR_INVALID, "%s: No data_source or metrics found in YAML file", NULL, "dbt MetricFlow format");
	bad("dbt2.yaml", "semantic_models: []\n", VB_ERR_INVALID, NULL, NULL, "entities as identifiers");
	{
		char *p = write_file("mixed.yaml", "semantic_models: []\n---\nmetric: {name: a, type: simple}\n");
		struct semantic_options o = pg_opts();
		struct vb_buf warn;
		vb_buf_init(&warn);
		o.warn = collect_warn;
		o.warn_ctx = &warn;
		struct vb_error err;
		is_int(semantic_validate(p, &o, NULL, &err), VB_OK, "dbt document next to legacy ones is not an error");
		has_str(warn.data, "document 1 has 'semantic_models:' (dbt MetricFlow format), which is not read",
		        "but it is reported");
		vb_buf_free(&warn);
		free(p);
	}
	bad("empty.yaml", "", VB_ERR_INVALID, "%s: No data_source or metrics found in YAML file", NULL,
	    "top-level 'data_source:'");
	bad("dsname.yaml", "---\ndata_source:\n  description: no name, no sql_table\n  dimensions: []\n",
	    VB_ERR_INVALID, "%s: document 1 (data_source): missing key 'name'", NULL, "add 'name:'");
	bad("badbool.yaml",
	    "data_source:\n  name: t\n  measures:\n    - name: m\n      create_metric: maybe\n", VB_ERR_INVALID,
	    "%s:5:22: document 1 (data_source): measures entry 1 ('m'): 'create_metric' must be true or false, found "
	    "'maybe'",
	    NULL, NULL);
	bad("notlist.yaml", "data_source:\n  name: t\n  dimensions:\n    name: a\n", VB_ERR_INVALID,
	    "%s:4:5: document 1 (data_source): 'dimensions' must be a list, found a mapping", NULL, NULL);
	bad("late.yaml",
	    "data_source:\n  name: t\n  dimensions: [{name: a}]\n---\nmetric: {name: m, type: simple}\n---\n"
	    "metric:\n  name: m2\n  type_params: [1]\n  type: expr\n",
	    VB_ERR_INVALID, "%s:9:16: document 3 (metric): metric 'm2': 'type_params' must be a mapping, found a list",
	    NULL, NULL);
	bad("alias.yaml", "data_source:\n  name: t\n  dimensions:\n    - &d {name: a}\n    - *d\n", VB_ERR_INVALID, NULL,
	    "aliases (*d) are not supported", NULL);
	bad("scalar.yaml", "just text\n", VB_ERR_INVALID,
	    "%s:1:1: document 1: expected a mapping with data_source: or metric:, found a text value", NULL, NULL);

	struct semantic_options o = pg_opts();
	struct vb_error err;
	char *missing = vb_xasprintf("%s/nope.yaml", tmpdir);
	is_int(semantic_read(missing, &o, count_cb, &(long){0}, NULL, &err), VB_ERR_NOT_FOUND, "missing file status");
	char *w = vb_xasprintf("Semantic YAML file %s not found", missing);
	is_str(err.message, w, "missing file message");
	free(w);
	free(missing);
	is_int(semantic_validate(tmpdir, &o, NULL, &err), VB_ERR_INVALID, "a directory is refused");
	has_str(err.message, "is a directory", "directory named");
}

/* Datus's lenient points, generation_hooks.py::_sync_semantic_to_db (each named below). */
static void test_datus_leniency(void)
{
	char *p = write_file("lenient.yaml",
	                     /* doc 1: `if "data_source" in doc ... elif "metric" in doc`: the metric beside
	                      * a data_source is never read, so even a broken one is no error */
	                     "data_source:\n  sql_table: shop.public.orders\n  measures: [{name: revenue}]\n"
	                     "metric: {name: beside, type_params: [broken]}\n"
	                     /* doc 2: `if not m_name: continue` */
	                     "---\nmetric: {type: simple, description: nameless}\n"
	                     /* doc 3: m_type = metric.get("type", "") */
	                     "---\nmetric: {name: untyped, description: Datus docs example}\n"
	                     /* doc 4: `m_type == "measure_proxy"` is exact: capitals give no base measure */
	                     "---\nmetric: {name: caps, type: MEASURE_PROXY, type_params: {measure: revenue}}\n"
	                     /* doc 5: PyYAML keeps the last of two equal keys */
	                     "---\nmetric: {name: first, type: simple}\nmetric: {name: second, type: simple}\n"
	                     /* doc 6: the same inside a metric */
	                     "---\nmetric:\n  name: twice\n  type: simple\n  type: ratio\n");
	struct semantic_options o = pg_opts();
	struct vb_buf warn;
	vb_buf_init(&warn);
	o.warn = collect_warn;
	o.warn_ctx = &warn;
	struct semantic_list l = {0};
	struct vb_error err;
	struct semantic_stats st;
	is_int(semantic_read(p, &o, semantic_list_collect, &l, &st, &err), VB_OK, "lenient file reads (%s)",
	       err.message);
	/* data_source.get("name", "") replaced by sql_table's last part */
	ok(find(&l, "table:orders") != NULL, "a data_source without name takes its table from sql_table");
	ok(find(&l, "metric:beside") == NULL, "metric beside data_source ignored");
	has_str(warn.data, "'metric:' beside 'data_source:' is ignored", "and the warning says so");
	has_str(warn.data, "document 2 (metric): no name; skipped", "a metric without name is skipped with a warning");
	const struct semantic_object *u = find(&l, "metric:untyped");
	if (ok(u != NULL, "a metric without type is kept"))
		is_str(u->metric_type, "", "with metric_type ''");
	const struct semantic_object *c = find(&l, "metric:caps");
	if (ok(c != NULL, "MEASURE_PROXY kept"))
		is_int(c->base_measures.n, 0, "MEASURE_PROXY yields no base measure (exact type match)");
	ok(find(&l, "metric:first") == NULL && find(&l, "metric:second") != NULL, "duplicate metric: the last wins");
	has_str(warn.data, "'metric' appears twice", "duplicate key warned");
	const struct semantic_object *tw = find(&l, "metric:twice");
	if (ok(tw != NULL, "a metric with a key given twice is read"))
		is_str(tw->metric_type, "ratio", "and the last value wins (PyYAML safe_load)");
	is_int(st.metrics, 4, "four metrics counted");
	semantic_list_free(&l);
	vb_buf_free(&warn);
	free(p);
}

/* PyYAML's safe_load keeps the last of two equal keys inside data_source too: the second name and
 * the second dimensions list are the ones Datus sees. */
static void test_data_source_repeats(void)
{
	char *p = write_file("dsrep.yaml", "data_source:\n  name: first\n  dimensions: [{name: a}, {name: b}]\n"
	                                   "  measures: [{name: m}]\n  name: second\n  dimensions: [{name: c}]\n"
	                                   "---\nmetric: {name: x, type: measure_proxy, type_params: {measure: m}}\n");
	struct semantic_options o = pg_opts();
	struct vb_buf warn;
	vb_buf_init(&warn);
	o.warn = collect_warn;
	o.warn_ctx = &warn;
	struct semantic_list l = {0};
	struct vb_error err;
	struct semantic_stats st;
	is_int(semantic_read(p, &o, semantic_list_collect, &l, &st, &err), VB_OK, "repeated keys read (%s)", err.message);
	ok(find(&l, "table:second") && !find(&l, "table:first"), "the last name wins");
	ok(find(&l, "column:second.c") && !find(&l, "column:second.a"), "the last dimensions list wins");
	ok(find(&l, "column:second.m") != NULL, "the measures stay");
	is_int(st.columns, 2, "two column rows counted (c, m)");
	const struct semantic_object *x = find(&l, "metric:x");
	if (ok(x != NULL, "metric present"))
		is_list(&x->dimensions, "c", "the metric carries the last dimensions");
	has_str(warn.data, "'dimensions' appears twice", "the repeat is warned");
	semantic_list_free(&l);
	vb_buf_free(&warn);
	free(p);
}

/* A metrics-only file (Datus's metrics generator): the configured context stays whole, even a
 * schema the dialect lacks, because Datus clears schema_name only while reading a data_source. */
static void test_metrics_only_context(void)
{
	char *p = write_file("monly.yaml", "metric: {name: m, type: measure_proxy, type_params: {measure: revenue}}\n");
	struct semantic_options o = pg_opts();
	o.dialect = "mysql";
	o.catalog = "";
	o.database = "shop";
	o.schema = "sch";
	struct semantic_list l = {0};
	struct vb_error err;
	is_int(semantic_read(p, &o, semantic_list_collect, &l, NULL, &err), VB_OK, "metrics-only reads");
	if (ok(l.n == 1, "one metric")) {
		is_str(l.items[0]->schema_name, "sch", "mysql metrics-only: configured schema kept");
		is_list(&l.items[0]->subject_path, "Metrics,Unknown", "subject path from the file's (empty) table");
		is_int(l.items[0]->kb_fallback, 1, "marked for the KB fallback");
	}
	semantic_list_free(&l);
	free(p);
}

static int stop_cb(void *ctx, const struct semantic_object *o, struct vb_error *err)
{
	(void)o;
	if (++*(long *)ctx == 2)
		return vb_err_set(err, VB_ERR_CONNECT, "server went away");
	return VB_OK;
}

static void test_callback_stop(void)
{
	char *p = write_file("stop.yaml", spec_example);
	struct semantic_options o = pg_opts();
	struct vb_error err;
	long n = 0;
	is_int(semantic_read(p, &o, stop_cb, &n, NULL, &err), VB_ERR_CONNECT, "callback status is returned");
	is_int(n, 2, "no row after the callback failed");
	is_str(err.message, "server went away", "callback message kept");
	free(p);
}

static void test_values(void)
{
	static const struct vb_column sm_cols[] = {
		{"id", VB_T_TEXT, 0, "TEXT"},          {"kind", VB_T_TEXT, 0, "TEXT"},
		{"name", VB_T_TEXT, 0, "TEXT"},        {"fq_name", VB_T_TEXT, 0, "TEXT"},
		{"description", VB_T_TEXT, 0, "TEXT"}, {"vector", VB_T_VECTOR, 0, "vector"},
		{"is_dimension", VB_T_BOOL, 0, "BOOLEAN"}, {"expr", VB_T_TEXT, 0, "TEXT"},
		{"create_metric", VB_T_BOOL, 0, "BOOLEAN"}, {"updated_at", VB_T_TIMESTAMP, 0, "TIMESTAMP"},
	};
	static const struct vb_table_spec sm = {"semantic_model", sm_cols, 10, "vector", 4, "description", NULL, "id", 1};
	static const struct vb_column m_cols[] = {
		{"name", VB_T_TEXT, 0, "TEXT"},        {"subject_node_id", VB_T_INT, 0, "BIGINT"},
		{"base_measures", VB_T_TEXT_ARRAY, 0, "TEXT[]"}, {"dimensions", VB_T_TEXT_ARRAY, 0, "TEXT[]"},
		{"sql", VB_T_TEXT, 0, "TEXT"},
	};
	static const struct vb_table_spec ms = {"metrics", m_cols, 5, NULL, 0, "description", NULL, "id", 1};
	char *p = write_file("vals.yaml", spec_example);
	struct semantic_options o = pg_opts();
	struct semantic_list l = {0};
	struct vb_error err;
	semantic_read(p, &o, semantic_list_collect, &l, NULL, &err);
	const float vec[4] = {1, 0, 0, 0};
	struct vb_value cells[10];
	const struct semantic_object *t = find(&l, "table:orders");
	if (ok(t != NULL, "table for values")) {
		semantic_object_values(t, &sm, vec, -1, cells);
		is_str(cells[1].u.s, "table", "kind cell");
		ok(!cells[5].is_null && cells[5].u.vec.v == vec && cells[5].u.vec.dim == 4, "vector cell");
		ok(!cells[6].is_null && cells[6].u.b == 0 && cells[6].type == VB_T_BOOL, "is_dimension false");
		ok(cells[7].is_null, "expr NULL on the table row");
		ok(cells[8].is_null, "create_metric NULL on the table row");
		is_str(cells[9].u.s, "2026-01-02 03:04:05", "updated_at cell");
	}
	const struct semantic_object *c = find(&l, "column:orders.revenue");
	if (ok(c != NULL, "column for values")) {
		semantic_object_values(c, &sm, NULL, -1, cells);
		ok(cells[5].is_null, "no vector -> NULL");
		ok(!cells[8].is_null && cells[8].u.b == 1, "create_metric true");
		is_str(cells[3].u.s, "shop.public.orders.revenue", "fq_name cell");
	}
	const struct semantic_object *m = find(&l, "metric:total_revenue");
	if (ok(m != NULL, "metric for values")) {
		semantic_object_values(m, &ms, NULL, 42, cells);
		ok(!cells[1].is_null && cells[1].u.i == 42, "subject_node_id");
		ok(!cells[2].is_null && cells[2].u.arr.n == 1 && !strcmp(cells[2].u.arr.items[0], "revenue"),
		   "base_measures array");
		is_int(cells[3].u.arr.n, 2, "dimensions array");
		is_str(cells[4].u.s, "", "sql empty text");
		semantic_object_values(m, &ms, NULL, -1, cells);
		ok(cells[1].is_null, "subject_node_id NULL when < 0");
	}
	semantic_list_free(&l);
	free(p);
}

/* Every column of the real table specs is filled from a field (catches a renamed column). */
static void test_real_specs(void)
{
	char *p = write_file("real.yaml", spec_example);
	struct semantic_options o = pg_opts();
	struct semantic_list l = {0};
	struct vb_error err;
	semantic_read(p, &o, semantic_list_collect, &l, NULL, &err);
	const struct vb_table_spec *sm = ddl_table_spec("semantic_model", 8);
	const struct vb_table_spec *ms = ddl_table_spec("metrics", 8);
	float vec[8] = {0};
	if (ok(sm && ms && l.n == 6, "real specs and rows")) {
		struct vb_value *cells = vb_xcalloc((size_t)(sm->ncolumns > ms->ncolumns ? sm->ncolumns : ms->ncolumns),
		                                    sizeof *cells);
		semantic_object_values(find(&l, "column:orders.revenue"), sm, vec, -1, cells);
		struct vb_buf nulls;
		vb_buf_init(&nulls);
		vb_buf_add(&nulls, "");
		for (int c = 0; c < sm->ncolumns; c++) {
			if (cells[c].is_null)
				vb_buf_printf(&nulls, "%s ", sm->columns[c].name);
			if (cells[c].type != sm->columns[c].type)
				vb_buf_printf(&nulls, "type:%s ", sm->columns[c].name);
		}
		is_str(nulls.data, "", "a column row fills every semantic_model column");
		vb_buf_reset(&nulls);
		semantic_object_values(find(&l, "metric:total_revenue"), ms, vec, 7, cells);
		for (int c = 0; c < ms->ncolumns; c++)
			if (cells[c].is_null)
				vb_buf_printf(&nulls, "%s ", ms->columns[c].name);
		is_str(nulls.data, "", "a metric row fills every metrics column");
		vb_buf_free(&nulls);
		free(cells);
	}
	semantic_list_free(&l);
	free(p);
}

/* 50k objects: counts right, memory does not grow with the file. */
static void test_large(void)
{
	char *p = vb_xasprintf("%s/big.yaml", tmpdir);
	FILE *f = fopen(p, "w");
	fputs("data_source:\n  name: big\n  sql_table: db.s.big\n  identifiers:\n    - name: id\n      entity: big\n"
	      "  dimensions:\n",
	      f);
	for (int i = 0; i < 40000; i++)
		fprintf(f, "    - name: d%d\n      type: CATEGORICAL\n      description: dimension number %d of the big table\n",
		        i, i);
	fputs("  measures:\n    - name: m0\n      agg: SUM\n", f);
	for (int i = 0; i < 10000; i++)
		fprintf(f, "---\nmetric:\n  name: k%d\n  type: measure_proxy\n  type_params: {measure: m0}\n"
		           "  description: metric %d\n",
		        i, i);
	fclose(f);
	struct semantic_options o = pg_opts();
	o.include_metrics = 0;
	struct semantic_stats st;
	struct vb_error err;
	long n = 0;
	is_int(semantic_read(p, &o, count_cb, &n, &st, &err), VB_OK, "50k-object file reads (%s)", err.message);
	is_int(n, 1 + 40000 + 1 + 1, "table + 40002 columns, in three sweeps (identifiers came first)");
	o.include_metrics = 1;
	o.include_semantic_objects = 0;
	n = 0;
	is_int(semantic_read(p, &o, count_cb, &n, &st, &err), VB_OK, "metrics of the big file");
	is_int(n, 10000, "10000 metric rows");
	unlink(p);
	free(p);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/semXXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_spec_example();
	test_example_file();
	test_metric_types();
	test_columns_edge();
	test_dialects();
	test_bad_input();
	test_datus_leniency();
	test_metrics_only_context();
	test_data_source_repeats();
	test_callback_stop();
	test_values();
	test_real_specs();
	test_large();
	char *cmd = vb_xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
	return tap_done();
}
