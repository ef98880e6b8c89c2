/* engine/catalog.c - what the database holds for the knowledge-base tables (one snapshot of
 * pg_class/pg_attribute/pg_indexes per run) and the drift between it and the DDL. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../backends/vb_sql.h"
#include "../backends/vb_util.h"
#include "../config/config.h"
#include "../ddl/ddl.h"
#include "engine.h"

static const char *schema_of(const struct engine *e)
{
	return e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
}

/* '{a,b,c}' text form of the table names (ours: plain identifiers, no quoting needed). */
static char *table_array(void)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_addc(&b, '{');
	for (int i = 0; i < ddl_table_count(); i++) {
		if (i)
			vb_buf_addc(&b, ',');
		vb_buf_add(&b, ddl_table_name(i));
	}
	vb_buf_addc(&b, '}');
	return vb_buf_steal(&b);
}

static const char *cell(const struct vb_result *r, size_t row, int col)
{
	const char *v = vb_result_get(r, row, col);
	return v ? v : "";
}

/* Every column of the knowledge-base tables in the schema, whether the role may read and write
 * each table (all of SELECT, INSERT, UPDATE, DELETE) and the planner's row estimate. */
static int load_columns(struct engine *e, const char *const params[2], struct vb_error *err)
{
	struct vb_result *r = engine_query(e,
		"SELECT c.relname, a.attname, t.typname, a.atttypmod, format_type(a.atttypid, a.atttypmod), "
		"has_table_privilege(c.oid, 'SELECT') AND has_table_privilege(c.oid, 'INSERT') AND "
		"has_table_privilege(c.oid, 'UPDATE') AND has_table_privilege(c.oid, 'DELETE'), "
		"c.reltuples::bigint "
		"FROM pg_catalog.pg_class c "
		"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
		"LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
		"LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
		"WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname = ANY($2::text[]) "
		"ORDER BY c.relname, a.attnum", 2, params, err);
	if (!r)
		return err->status ? err->status : VB_ERR_SERVER;
	for (size_t row = 0; row < r->nrows; row++) {
		struct eng_table *t = engine_table(e, cell(r, row, 0));
		if (!t)
			continue;
		t->present = 1;
		t->privileged = strcmp(cell(r, row, 5), "t") == 0;
		t->rows_est = atoll(cell(r, row, 6));
		if (!vb_result_get(r, row, 1))
			continue; /* a table without columns */
		t->cols = vb_xrealloc(t->cols, (size_t)(t->ncols + 1) * sizeof *t->cols);
		struct eng_column *c = &t->cols[t->ncols++];
		c->name = vb_xstrdup(cell(r, row, 1));
		c->type = vb_xstrdup(cell(r, row, 2));
		c->typmod = atoi(cell(r, row, 3));
		c->format = vb_xstrdup(cell(r, row, 4));
	}
	e->ops->result_free(e->h, &r);
	return VB_OK;
}

static int load_indexes(struct engine *e, const char *const params[2], struct vb_error *err)
{
	struct vb_result *r = engine_query(e,
		"SELECT tablename, indexname, indexdef FROM pg_catalog.pg_indexes "
		"WHERE schemaname = $1 AND tablename = ANY($2::text[]) ORDER BY tablename, indexname",
		2, params, err);
	if (!r)
		return err->status ? err->status : VB_ERR_SERVER;
	for (size_t row = 0; row < r->nrows; row++) {
		struct eng_table *t = engine_table(e, cell(r, row, 0));
		if (!t)
			continue;
		t->indexnames = vb_xrealloc(t->indexnames, (size_t)(t->nindexes + 1) * sizeof(char *));
		t->indexdefs = vb_xrealloc(t->indexdefs, (size_t)(t->nindexes + 1) * sizeof(char *));
		t->indexnames[t->nindexes] = vb_xstrdup(cell(r, row, 1));
		t->indexdefs[t->nindexes] = vb_xstrdup(cell(r, row, 2));
		t->nindexes++;
	}
	e->ops->result_free(e->h, &r);
	return VB_OK;
}

int engine_load_catalog(struct engine *e, struct vb_error *err)
{
	if (e->catalog_loaded)
		return VB_OK;
	int n = ddl_table_count();
	e->tables = vb_xcalloc((size_t)n, sizeof *e->tables);
	e->ntables = n;
	for (int i = 0; i < n; i++) {
		e->tables[i].name = ddl_table_name(i);
		e->tables[i].is_vector = ddl_table_is_vector(i);
		e->tables[i].rows_ns = -1;
		e->tables[i].rows_est = -1;
	}
	char *arr = table_array();
	const char *params[2] = {schema_of(e), arr};
	int rc = load_columns(e, params, err);
	if (rc == VB_OK)
		rc = load_indexes(e, params, err);
	free(arr);
	if (rc == VB_OK)
		e->catalog_loaded = 1;
	return rc;
}

static const struct eng_column *find_col(const struct eng_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

/* pg_type.typname a DDL type renders to; NULL when vbadmin does not compare that type. */
static const char *expected_typname(const char *sql_type)
{
	static const struct { const char *sql, *typ; } map[] = {
		{"TEXT", "text"}, {"BIGINT", "int8"}, {"BIGSERIAL", "int8"}, {"INTEGER", "int4"},
		{"BOOLEAN", "bool"}, {"TIMESTAMP", "timestamp"}, {"TEXT[]", "_text"},
		{"DOUBLE PRECISION", "float8"}, {"vector", "vector"},
	};
	for (size_t i = 0; sql_type && i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(map[i].sql, sql_type) == 0)
			return map[i].typ;
	return NULL;
}

/* The type to write in ADD COLUMN: a serial pseudo-type cannot be added to a filled table. */
static char *add_column_type(const struct vb_column *c, int dim)
{
	if (c->sql_type && strcasecmp(c->sql_type, "vector") == 0)
		return vb_xasprintf("vector(%d)", dim);
	if (c->sql_type && strcasecmp(c->sql_type, "BIGSERIAL") == 0)
		return vb_xstrdup("BIGINT");
	return vb_xstrdup(c->sql_type ? c->sql_type : "TEXT");
}

/* Does stmt name the table `qualified` (followed by a non-identifier character)? */
static int stmt_mentions(const char *stmt, const char *qualified)
{
	size_t n = strlen(qualified);
	for (const char *p = strstr(stmt, qualified); p; p = strstr(p + 1, qualified)) {
		char c = p[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '"'))
			return 1;
	}
	return 0;
}

static struct eng_drift *add_drift(struct engine *e, int kind, const char *table, const char *column)
{
	e->drift = vb_xrealloc(e->drift, (size_t)(e->ndrift + 1) * sizeof *e->drift);
	struct eng_drift *d = &e->drift[e->ndrift++];
	memset(d, 0, sizeof *d);
	d->kind = kind;
	d->table = table;
	d->column = vb_xstrdup(column);
	return d;
}

static char *qualified_name(const struct engine *e, const char *table)
{
	char *qs = vb_quote_ident(schema_of(e));
	char *qt = vb_quote_ident(table);
	char *q = vb_xasprintf("%s.%s", qs, qt);
	free(qs);
	free(qt);
	return q;
}

int64_t engine_count_rows(struct engine *e, const char *qualified)
{
	struct vb_error err;
	vb_err_clear(&err);
	char *sql = vb_xasprintf("SELECT count(*) FROM %s", qualified);
	struct vb_result *r = engine_query(e, sql, 0, NULL, &err);
	free(sql);
	if (!r)
		return -1;
	int64_t n = r->nrows ? atoll(cell(r, 0, 0)) : -1;
	e->ops->result_free(e->h, &r);
	return n;
}

static int has_unique_on(const struct eng_table *t, const char *key)
{
	char *want = vb_xasprintf("(namespace, %s)", key);
	int found = 0;
	for (int i = 0; i < t->nindexes && !found; i++)
		found = strstr(t->indexdefs[i], "UNIQUE") && strstr(t->indexdefs[i], want);
	free(want);
	return found;
}

static int has_index_named(const struct eng_table *t, const char *name)
{
	for (int i = 0; i < t->nindexes; i++)
		if (strcmp(t->indexnames[i], name) == 0)
			return 1;
	return 0;
}

static void drift_missing_table(struct engine *e, struct eng_table *t, const char *q)
{
	/* rendered with this table's own dim (its store's embedding model) */
	struct vb_error err;
	vb_err_clear(&err);
	char **stmts = ddl_statements(schema_of(e), engine_table_dim(e, t->name), DDL_PART_ALL, &err);
	struct eng_drift *d = add_drift(e, DRIFT_MISSING_TABLE, t->name, NULL);
	d->have = vb_xstrdup("absent");
	d->want = vb_xasprintf("table %s", q);
	struct vb_buf b;
	vb_buf_init(&b);
	for (char **s = stmts; s && *s; s++)
		if (stmt_mentions(*s, q)) {
			vb_buf_add(&b, *s);
			vb_buf_addc(&b, '\n');
		}
	if (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	d->fix = vb_buf_steal(&b);
	d->advice_id = "VEC-015";
	ddl_statements_free(stmts);
}

/* Where the table's dim comes from, for "set ... in <where>". */
static char *dim_source(const struct engine *e, const char *table)
{
	const char *section = config_table_section(table);
	if (!e->cfg || !section)
		return vb_xstrdup(e->config_path);
	const struct config_embedding *m = config_embedding_by_section(e->cfg, section);
	if (m && m->configured && m->shared_with)
		return vb_xasprintf("%s (agent.storage.%s, whose model the %s store shares)", e->config_path, m->shared_with,
		                    section);
	return vb_xasprintf("%s (agent.storage.%s.dim_size)", e->config_path, section);
}

int engine_drift_have_dim(const struct eng_drift *d)
{
	int n = 0;
	return d->have && sscanf(d->have, "vector(%d)", &n) == 1 ? n : 0;
}

static void drift_wrong_dim(struct engine *e, struct eng_table *t, const struct eng_column *c, const char *q)
{
	int dim = engine_table_dim(e, t->name);
	struct eng_drift *d = add_drift(e, DRIFT_WRONG_DIM, t->name, c->name);
	d->have = vb_xstrdup(c->format);
	d->want = vb_xasprintf("vector(%d)", dim);
	char *qc = vb_quote_ident(c->name);
	int64_t rows = engine_count_rows(e, q);
	if (rows == 0) {
		d->fix = vb_xasprintf("ALTER TABLE %s ALTER COLUMN %s TYPE vector(%d);", q, qc, dim);
		d->note = vb_xasprintf("the table is empty, so the type can change in place; no re-embedding needed");
	} else {
		d->fix = vb_xasprintf("UPDATE %s SET %s = NULL;\nALTER TABLE %s ALTER COLUMN %s TYPE vector(%d);\n"
		                      "-- then reload every namespace: vbadmin bootstrap-kb --kb_update_strategy overwrite ...",
		                      q, qc, q, qc, dim);
		char *src = dim_source(e, t->name);
		d->note = vb_xasprintf("needs re-embedding: the %lld stored vectors have %d dimensions and cannot be "
		                       "converted to %d; either clear and re-embed them with the %d-dimension model "
		                       "(the SQL below, then bootstrap-kb with overwrite), or keep them and set the "
		                       "embedding dim to %d in %s if your model really produces %d",
		                       (long long)(rows < 0 ? 0 : rows), c->typmod, dim, dim, c->typmod, src, c->typmod);
		free(src);
	}
	free(qc);
	d->advice_id = "VEC-019";
}

void engine_drift_clear(struct engine *e)
{
	for (int i = 0; i < e->ndrift; i++) {
		free(e->drift[i].column);
		free(e->drift[i].have);
		free(e->drift[i].want);
		free(e->drift[i].fix);
		free(e->drift[i].note);
	}
	free(e->drift);
	e->drift = NULL;
	e->ndrift = 0;
}

static void drift_no_privilege(struct engine *e, const struct eng_table *t, const char *q, const char *who)
{
	struct eng_drift *d = add_drift(e, DRIFT_NO_PRIVILEGE, t->name, NULL);
	d->have = vb_xstrdup("no SELECT/INSERT/UPDATE/DELETE");
	d->want = vb_xstrdup("SELECT, INSERT, UPDATE, DELETE");
	d->fix = vb_xasprintf("GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %s;", q, who);
	d->advice_id = "VEC-043";
}

static void drift_no_namespace(struct engine *e, const struct eng_table *t, const char *q)
{
	struct eng_drift *d = add_drift(e, DRIFT_MISSING_NAMESPACE, t->name, "namespace");
	d->have = vb_xstrdup("absent");
	d->want = vb_xstrdup("namespace TEXT NOT NULL");
	d->fix = vb_xasprintf("ALTER TABLE %s ADD COLUMN namespace TEXT;\n"
	                      "UPDATE %s SET namespace = '<namespace of these rows>' WHERE namespace IS NULL;\n"
	                      "ALTER TABLE %s ALTER COLUMN namespace SET NOT NULL;", q, q, q);
	d->advice_id = "VEC-039";
}

/* The catalog type c->type serves the DDL's type (timestamptz for timestamp, varchar for text). */
static int type_matches(const struct vb_column *sc, const struct eng_column *c)
{
	const char *want = expected_typname(sc->sql_type);
	return !want || strcmp(want, c->type) == 0 ||
	       (strcmp(want, "timestamp") == 0 && strcmp(c->type, "timestamptz") == 0) ||
	       (strcmp(want, "text") == 0 && strcmp(c->type, "varchar") == 0);
}

/* One column of the DDL against the table: missing, wrong vector dimension, wrong type. */
static void drift_column(struct engine *e, struct eng_table *t, const struct vb_column *sc, int dim,
                         const char *q)
{
	const struct eng_column *c = find_col(t, sc->name);
	if (c && sc->type == VB_T_VECTOR && strcmp(c->type, "vector") == 0) {
		if (c->typmod != dim)
			drift_wrong_dim(e, t, c, q);
		return;
	}
	if (c && type_matches(sc, c))
		return;
	char *qc = vb_quote_ident(sc->name);
	char *type = add_column_type(sc, dim);
	struct eng_drift *d = add_drift(e, c ? DRIFT_COLUMN_TYPE : DRIFT_MISSING_COLUMN, t->name, sc->name);
	if (!c) {
		d->have = vb_xstrdup("absent");
		d->want = vb_xasprintf("%s %s", sc->name, type);
		d->fix = vb_xasprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s;", q, qc, type);
		d->advice_id = "VEC-016";
	} else {
		d->have = vb_xstrdup(c->format);
		d->want = vb_xstrdup(type);
		d->fix = vb_xasprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::%s;", q, qc, type, qc, type);
		d->advice_id = "VEC-044";
	}
	free(type);
	free(qc);
}

static void drift_no_unique(struct engine *e, const struct eng_table *t, const char *key, const char *q)
{
	struct eng_drift *d = add_drift(e, DRIFT_MISSING_UNIQUE, t->name, key);
	d->have = vb_xstrdup("no unique index");
	d->want = vb_xasprintf("UNIQUE (namespace, %s)", key);
	char *qk = vb_quote_ident(key);
	d->fix = vb_xasprintf("ALTER TABLE %s ADD UNIQUE (namespace, %s);", q, qk);
	free(qk);
	d->advice_id = "VEC-017";
}

/* The text index; its fix is the DDL's own statement for this table. */
static void drift_fts(struct engine *e, const struct eng_table *t, const char *q, char **stmts)
{
	char *ixname = vb_xasprintf("idx_%s_fts", t->name);
	if (!has_index_named(t, ixname)) {
		struct eng_drift *d = add_drift(e, DRIFT_MISSING_FTS_INDEX, t->name, NULL);
		d->have = vb_xstrdup("absent");
		d->want = vb_xasprintf("GIN index %s", ixname);
		for (char **s = stmts; s && *s && !d->fix; s++)
			if (strstr(*s, ixname) && stmt_mentions(*s, q))
				d->fix = vb_xstrdup(*s);
		d->advice_id = "VEC-045";
	}
	free(ixname);
}

static void drift_table(struct engine *e, struct eng_table *t, const char *who, char **stmts)
{
	char *q = qualified_name(e, t->name);
	int dim = engine_table_dim(e, t->name); /* each vector table against its own store's dim */
	const struct vb_table_spec *spec = ddl_table_spec(t->name, dim);
	if (!t->present) {
		drift_missing_table(e, t, q);
		free(q);
		return;
	}
	if (!t->privileged)
		drift_no_privilege(e, t, q, who);
	if (!find_col(t, "namespace"))
		drift_no_namespace(e, t, q);
	for (int k = 0; spec && k < spec->ncolumns; k++)
		drift_column(e, t, &spec->columns[k], dim, q);
	if (spec && spec->key_column && !has_unique_on(t, spec->key_column))
		drift_no_unique(e, t, spec->key_column, q);
	if (spec && spec->fts_columns)
		drift_fts(e, t, q, stmts);
	free(q);
}

void engine_compute_drift(struct engine *e)
{
	engine_drift_clear(e);
	if (!e->catalog_loaded)
		return;
	struct vb_error err;
	vb_err_clear(&err);
	struct ddl_dims dims = {.dim = e->vbc.dim, .dim_of = engine_dim_of, .ctx = e};
	char **stmts = ddl_statements_dims(schema_of(e), &dims, DDL_PART_ALL, &err);
	char *who = e->current_user ? vb_quote_ident(e->current_user) : vb_xstrdup("CURRENT_USER");
	for (int i = 0; i < e->ntables; i++)
		drift_table(e, &e->tables[i], who, stmts);
	free(who);
	ddl_statements_free(stmts);
	engine_stores_from_drift(e);
}
