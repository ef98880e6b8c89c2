/* backends/pgvector/pgv_meta.c - what the catalog says about a table (cached per handle), the
 * readiness check of spec 4.2, drop (= clear this namespace) and vector index creation. */
#include "pgv.h"

#include <stdlib.h>
#include <string.h>

/* One row per column; a table without columns still yields one row with a NULL attname so
 * "exists" and "has no columns" stay distinguishable. */
static const char catalog_sql[] =
	"SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid::int8, t.typname,"
	" CASE WHEN t.typcategory = 'A' THEN t.typelem::int8 ELSE 0 END, et.typname, a.atttypmod"
	" FROM pg_catalog.pg_class c"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
	" LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
	" LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'"
	" WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
	" ORDER BY a.attnum";

static int is_text_type(const char *t)
{
	return t && (!strcmp(t, "text") || !strcmp(t, "varchar") || !strcmp(t, "bpchar") || !strcmp(t, "name"));
}

static int kind_of(const char *typname, const char *elemname, unsigned elemoid)
{
	static const struct {
		const char *name;
		int kind;
	} kinds[] = {
		{"int2", PGV_K_INT2},     {"int4", PGV_K_INT4},     {"int8", PGV_K_INT8},
		{"float4", PGV_K_FLOAT4}, {"float8", PGV_K_FLOAT8}, {"bool", PGV_K_BOOL},
		{"timestamp", PGV_K_TIMESTAMP}, {"vector", PGV_K_VECTOR},
	};
	if (is_text_type(typname))
		return PGV_K_TEXT;
	if (elemoid && is_text_type(elemname))
		return PGV_K_TEXTARR;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (typname && strcmp(typname, kinds[i].name) == 0)
			return kinds[i].kind;
	return PGV_K_OTHER;
}

static void table_free(struct pgv_table *t)
{
	for (int i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].type);
	}
	free(t->cols);
	free(t->name);
	free(t);
}

void pgv_tables_free(struct vb_handle *h)
{
	while (h->tables) {
		struct pgv_table *next = h->tables->next;
		table_free(h->tables);
		h->tables = next;
	}
}

void pgv_table_forget(struct vb_handle *h, const char *name)
{
	for (struct pgv_table **pp = &h->tables; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->name, name) == 0) {
			struct pgv_table *t = *pp;
			*pp = t->next;
			table_free(t);
			return;
		}
	}
}

const struct pgv_col *pgv_table_col(const struct pgv_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

int pgv_table_load(struct vb_handle *h, const char *name, struct pgv_table **out, struct vb_error *err)
{
	*out = NULL;
	pgv_table_forget(h, name);
	struct pgv_params p;
	pgv_params_init(&p);
	pgv_param_addf(&p, h->schema);
	pgv_param_addf(&p, name);
	PGresult *r = pgv_exec(h, catalog_sql, &p, err);
	pgv_params_free(&p);
	if (!r)
		return err->status;
	int n = PQntuples(r);
	if (n == 0) {
		PQclear(r);
		return vb_err_set(err, VB_ERR_NOT_FOUND, "Table %s does not exist.", name);
	}
	struct pgv_table *t = vb_xcalloc(1, sizeof *t);
	t->name = vb_xstrdup(name);
	t->cols = vb_xcalloc((size_t)n, sizeof *t->cols);
	for (int i = 0; i < n; i++) {
		if (PQgetisnull(r, i, 0))
			continue;
		struct pgv_col *c = &t->cols[t->ncols++];
		c->name = vb_xstrdup(PQgetvalue(r, i, 0));
		c->type = vb_xstrdup(PQgetvalue(r, i, 1));
		c->typoid = (unsigned)strtoul(PQgetvalue(r, i, 2), NULL, 10);
		c->elemoid = (unsigned)strtoul(PQgetvalue(r, i, 4), NULL, 10);
		c->typmod = atoi(PQgetvalue(r, i, 6));
		c->kind = kind_of(PQgetvalue(r, i, 3), PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5), c->elemoid);
		if (strcmp(c->name, "namespace") == 0)
			t->has_namespace = 1;
	}
	PQclear(r);
	t->next = h->tables;
	h->tables = t;
	*out = t;
	return VB_OK;
}

int pgv_table_get(struct vb_handle *h, const char *name, struct pgv_table **out, struct vb_error *err)
{
	/* slots call this first, so no caller still holds an entry freed here */
	if (h->tables_stale) {
		pgv_tables_free(h);
		h->tables_stale = 0;
		h->ext_iterative = -1; /* the DDL may have been ALTER EXTENSION vector UPDATE */
	}
	for (struct pgv_table *t = h->tables; t; t = t->next) {
		if (strcmp(t->name, name) == 0) {
			*out = t;
			return VB_OK;
		}
	}
	return pgv_table_load(h, name, out, err);
}

int pgv_fts_ready(const struct vb_table_spec *spec, const struct pgv_table *t, struct vb_error *err)
{
	const char *single[2] = {spec->text_source, NULL};
	const char *const *cols = spec->fts_columns ? spec->fts_columns : single;
	if (!cols[0])
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "Table %s has no text column to search", spec->name);
	for (int i = 0; cols[i]; i++)
		if (!pgv_table_col(t, cols[i]))
			return vb_err_set(err, VB_ERR_UNSUPPORTED, "Table %s has no column '%s' for text search", spec->name,
			                  cols[i]);
	return VB_OK;
}

int pgv_table_exists(struct vb_handle *h, const char *table, int *exists, struct vb_error *err)
{
	*exists = 0;
	struct pgv_params p;
	pgv_params_init(&p);
	pgv_param_addf(&p, h->schema);
	pgv_param_addf(&p, table);
	PGresult *r = pgv_exec(h,
	                       "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
	                       " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	                       " WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))",
	                       &p, err);
	pgv_params_free(&p);
	if (!r)
		return err->status;
	*exists = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	return VB_OK;
}

static int extension_ready(struct vb_handle *h, struct vb_error *err)
{
	PGresult *r = pgv_exec(h, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'vector')",
	                       NULL, err);
	if (!r)
		return err->status;
	int ok = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (ok)
		return VB_OK;
	/* "not enabled" tells to run CREATE EXTENSION, which cannot help when the server has no
	 * pgvector files at all: say which of the two it is */
	r = pgv_exec(h, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'vector')", NULL, err);
	if (!r)
		return err->status;
	int available = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!available) {
		vb_err_set(err, VB_ERR_NOT_FOUND,
		           "PostgreSQL extension 'vector' is not available on this server: the pgvector package is not "
		           "installed where PostgreSQL runs, so CREATE EXTENSION cannot help");
		snprintf(err->hint, sizeof err->hint,
		         "A DBA installs the package for this server's major version (vbadmin dba-packet writes what to run).");
		return VB_ERR_NOT_FOUND;
	}
	vb_err_set(err, VB_ERR_NOT_FOUND,
	           "PostgreSQL extension 'vector' is not enabled for the target database. "
	           "Run: CREATE EXTENSION IF NOT EXISTS vector;");
	snprintf(err->hint, sizeof err->hint,
	         "A superuser (or the database owner on PostgreSQL 13+ when the extension is trusted) runs it once per database.");
	return VB_ERR_NOT_FOUND;
}

int pgv_ensure_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	int rc;
	if (spec->vector_column && (rc = extension_ready(h, err)) != VB_OK)
		return rc;
	struct pgv_table *t;
	if ((rc = pgv_table_load(h, spec->name, &t, err)) != VB_OK)
		return rc;

	struct vb_buf missing;
	vb_buf_init(&missing);
	for (int i = 0; i < spec->ncolumns; i++) {
		if (!pgv_table_col(t, spec->columns[i].name))
			vb_buf_printf(&missing, "%s%s", missing.len ? ", " : "", spec->columns[i].name);
	}
	if (missing.len) {
		vb_err_set(err, VB_ERR_SCHEMA, "Table %s missing columns: %s", spec->name, missing.data);
		snprintf(err->hint, sizeof err->hint,
		         "The table is older than the current DDL: add the columns (vbadmin ddl shows them) or migrate.");
		vb_buf_free(&missing);
		return VB_ERR_SCHEMA;
	}
	vb_buf_free(&missing);
	if (spec->namespaced && !t->has_namespace) {
		vb_err_set(err, VB_ERR_SCHEMA, "Table %s missing required column: namespace", spec->name);
		snprintf(err->hint, sizeof err->hint,
		         "Every vbadmin table carries a namespace TEXT NOT NULL column; recreate it from the DDL.");
		return VB_ERR_SCHEMA;
	}
	if (spec->vector_column) {
		const struct pgv_col *c = pgv_table_col(t, spec->vector_column);
		if (c && c->kind != PGV_K_VECTOR) {
			vb_err_set(err, VB_ERR_SCHEMA, "Table %s column %s is %s, expected vector(%d)", spec->name,
			           spec->vector_column, c->type, spec->vector_dim);
			return VB_ERR_SCHEMA;
		}
		/* better than Datus: a dimension drift is found here, not at the first insert */
		if (c && c->typmod > 0 && spec->vector_dim > 0 && c->typmod != spec->vector_dim) {
			char *qt = pgv_qualified(h, spec->name);
			char *qc = pgv_ident(h, spec->vector_column);
			vb_err_set(err, VB_ERR_SCHEMA, "Table %s column %s has %d dimensions, expected %d", spec->name,
			           spec->vector_column, c->typmod, spec->vector_dim);
			snprintf(err->hint, sizeof err->hint,
			         "Use an embedding model of dimension %d, or change the column (its vectors must then be "
			         "re-embedded): ALTER TABLE %s ALTER COLUMN %s TYPE vector(%d) USING NULL;",
			         c->typmod, qt, qc, spec->vector_dim);
			free(qt);
			free(qc);
			return VB_ERR_SCHEMA;
		}
	}
	return VB_OK;
}

int pgv_drop(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	int exists, rc;
	if ((rc = pgv_table_exists(h, spec->name, &exists, err)) != VB_OK)
		return rc;
	if (!exists)
		return VB_OK; /* nothing to clear */
	struct pgv_table *t;
	if ((rc = pgv_table_get(h, spec->name, &t, err)) != VB_OK)
		return rc;
	if (t->has_namespace && !h->ns)
		return vb_err_set(err, VB_ERR_INVALID, "No namespace set: refusing to clear table %s", spec->name);
	char *qt = pgv_qualified(h, spec->name);
	struct pgv_params p;
	pgv_params_init(&p);
	char *sql;
	if (t->has_namespace) {
		pgv_param_addf(&p, h->ns);
		sql = vb_xasprintf("DELETE FROM %s WHERE namespace = $1", qt);
	} else {
		sql = vb_xasprintf("DELETE FROM %s", qt);
	}
	rc = pgv_run(h, sql, &p, err);
	pgv_params_free(&p);
	free(sql);
	free(qt);
	return rc;
}

int pgv_create_index(struct vb_handle *h, const struct vb_table_spec *spec, const char *method, struct vb_error *err)
{
	if (!method || !*method)
		method = "hnsw";
	if (strcmp(method, "hnsw") != 0 && strcmp(method, "ivfflat") != 0)
		return vb_err_set(err, VB_ERR_INVALID, "Unknown vector index method '%s' (use hnsw or ivfflat)", method);
	if (!spec->vector_column)
		return vb_err_set(err, VB_ERR_INVALID, "Table %s has no vector column to index", spec->name);
	struct pgv_table *t;
	int rc;
	if ((rc = pgv_table_get(h, spec->name, &t, err)) != VB_OK)
		return rc;
	char *qt = pgv_qualified(h, spec->name);
	char *qc = pgv_ident(h, spec->vector_column);
	char *name = vb_xasprintf("%s_%s_%s_idx", spec->name, spec->vector_column, method);
	char *qn = pgv_ident(h, name);
	char *with = vb_xstrdup("");
	if (strcmp(method, "ivfflat") == 0) {
		/* pgvector's advice: rows / 1000 lists up to 1M rows, sqrt(rows) above */
		char *sql = vb_xasprintf("SELECT count(*) FROM %s", qt);
		PGresult *r = pgv_exec(h, sql, NULL, err);
		free(sql);
		if (!r) {
			rc = err->status;
			goto out;
		}
		long long rows = atoll(PQgetvalue(r, 0, 0));
		PQclear(r);
		long long lists = rows <= 1000000 ? rows / 1000 : 1;
		if (rows > 1000000)
			while ((lists + 1) * (lists + 1) <= rows)
				lists++;
		free(with);
		with = vb_xasprintf(" WITH (lists = %lld)", lists < 1 ? 1 : lists);
	}
	char *sql = vb_xasprintf("CREATE INDEX IF NOT EXISTS %s ON %s USING %s (%s vector_cosine_ops)%s", qn, qt, method,
	                         qc, with);
	rc = pgv_run(h, sql, NULL, err);
	free(sql);
out:
	free(with);
	free(qn);
	free(name);
	free(qc);
	free(qt);
	return rc;
}
