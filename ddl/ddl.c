/* ddl/ddl.c - PostgreSQL DDL for the knowledge-base tables, in the spec 3.1 format with the
 * design's fixes (quoted schema, full-text index on the query's own expression, a complete
 * `document` table, CREATE EXTENSION for vector parts). */
#include "ddl.h"

#include <stdlib.h>
#include <string.h>

#include "../backends/vb_sql.h"
#include "tables.h"

static const char *const part_names[] = {
	[DDL_PART_ALL] = "all",
	[DDL_PART_RELATIONAL] = "relational",
	[DDL_PART_VECTOR] = "vector",
};

const char *ddl_part_name(enum ddl_part part)
{
	return (unsigned)part < sizeof part_names / sizeof part_names[0] ? part_names[part] : "?";
}

int ddl_part_parse(const char *s, enum ddl_part *out)
{
	for (size_t i = 0; s && i < sizeof part_names / sizeof part_names[0]; i++)
		if (strcmp(s, part_names[i]) == 0) {
			*out = (enum ddl_part)i;
			return 0;
		}
	return -1;
}

int ddl_validate(const char *schema, int dim, struct vb_error *err)
{
	if (dim < 1 || dim > DDL_MAX_DIM)
		return vb_err_set(err, VB_ERR_INVALID,
		                  "vector dimension %d is out of range: pgvector's vector type allows 1..%d dimensions",
		                  dim, DDL_MAX_DIM);
	if (!schema || !*schema)
		return vb_err_set(err, VB_ERR_INVALID, "schema name is empty; give a schema such as public");
	size_t len = strlen(schema);
	if (len > DDL_MAX_IDENT)
		return vb_err_set(err, VB_ERR_INVALID,
		                  "schema name is %zu bytes long; PostgreSQL identifiers are at most %d bytes",
		                  len, DDL_MAX_IDENT);
	/* The schema also appears in a "-- Schema:" comment line; a line break there would turn
	 * the rest of the name into SQL. */
	for (const unsigned char *p = (const unsigned char *)schema; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return vb_err_set(err, VB_ERR_INVALID,
			                  "schema name contains a control character (byte 0x%02x at offset %zu)",
			                  *p, (size_t)(p - (const unsigned char *)schema));
	return VB_OK;
}

/* A growable list of heap statements, NULL-terminated. */
struct stmt_list {
	char **v;
	size_t n, cap;
};

static void stmt_push(struct stmt_list *l, char *s)
{
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = vb_xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

static void add_column_list(struct vb_buf *b, const char *const *cols)
{
	for (int i = 0; cols[i]; i++) {
		char *q = vb_quote_ident(cols[i]);
		vb_buf_printf(b, "%s%s", i ? ", " : "", q);
		free(q);
	}
}

static char *create_table(const struct ddl_table *t, const char *qschema, int dim)
{
	struct vb_buf b;
	vb_buf_init(&b);
	char *qt = vb_quote_ident(t->name);
	vb_buf_printf(&b, "CREATE TABLE IF NOT EXISTS %s.%s (\n  namespace TEXT NOT NULL", qschema, qt);
	free(qt);
	for (int i = 0; i < t->ncolumns; i++) {
		char *qc = vb_quote_ident(t->columns[i].name);
		char *type = ddl_table_column_sql_type(t, i, dim);
		vb_buf_printf(&b, ",\n  %s %s", qc, type);
		if (t->columns[i].not_null)
			vb_buf_add(&b, " NOT NULL");
		if (t->defaults[i])
			vb_buf_printf(&b, " DEFAULT %s", t->defaults[i]);
		free(type);
		free(qc);
	}
	for (int i = 0; i < t->nkeys; i++) {
		vb_buf_add(&b, t->keys[i].primary ? ",\n  PRIMARY KEY (" : ",\n  UNIQUE (");
		add_column_list(&b, t->keys[i].columns);
		vb_buf_addc(&b, ')');
	}
	vb_buf_add(&b, "\n);");
	return vb_buf_steal(&b);
}

static char *create_index(const struct ddl_table *t, const struct ddl_index *ix, const char *qschema, int dim)
{
	struct vb_buf b;
	vb_buf_init(&b);
	char *qi = vb_quote_ident(ix->name);
	char *qt = vb_quote_ident(t->name);
	vb_buf_printf(&b, "CREATE INDEX IF NOT EXISTS %s ON %s.%s", qi, qschema, qt);
	free(qt);
	free(qi);
	if (ix->fts) {
		/* Built from the same spec the backends get, so the index is on exactly the
		 * expression the search query writes. */
		char *expr = vb_fts_expression(ddl_table_spec(t->name, dim));
		vb_buf_printf(&b, " USING GIN (%s);", expr);
		free(expr);
	} else {
		vb_buf_addc(&b, '(');
		add_column_list(&b, ix->columns);
		vb_buf_add(&b, ");");
	}
	return vb_buf_steal(&b);
}

int ddl_dims_of(const struct ddl_dims *d, const char *table)
{
	int dim = d->dim_of ? d->dim_of(table, d->ctx) : 0;
	return dim > 0 ? dim : d->dim;
}

static void add_indexes(struct stmt_list *l, const struct ddl_table *t, const char *qschema, int dim)
{
	for (int j = 0; j < t->nindexes; j++)
		stmt_push(l, create_index(t, &t->indexes[j], qschema, dim));
}

static void add_group(struct stmt_list *l, int kind, const char *qschema, const struct ddl_dims *d)
{
	int n = ddl_table_count();
	for (int i = 0; i < n; i++) {
		const struct ddl_table *t = ddl_table_at(i);
		if (t->kind != kind)
			continue;
		int dim = ddl_dims_of(d, t->name);
		stmt_push(l, create_table(t, qschema, dim));
		if (kind == DDL_VECTOR)
			add_indexes(l, t, qschema, dim);
	}
	if (kind == DDL_RELATIONAL) /* spec 3.2: the relational indexes follow all three tables */
		for (int i = 0; i < n; i++)
			if (ddl_table_at(i)->kind == kind)
				add_indexes(l, ddl_table_at(i), qschema, d->dim);
}

static int validate_dims(const char *schema, const struct ddl_dims *d, struct vb_error *err)
{
	if (ddl_validate(schema, d->dim, err) != VB_OK)
		return VB_ERR_INVALID;
	for (int i = 0; i < ddl_table_count(); i++)
		if (ddl_table_is_vector(i) && ddl_validate(schema, ddl_dims_of(d, ddl_table_name(i)), err) != VB_OK)
			return VB_ERR_INVALID;
	return VB_OK;
}

char **ddl_statements_dims(const char *schema, const struct ddl_dims *d, enum ddl_part part, struct vb_error *err)
{
	if (validate_dims(schema, d, err) != VB_OK)
		return NULL;
	if (part != DDL_PART_ALL && part != DDL_PART_RELATIONAL && part != DDL_PART_VECTOR) {
		vb_err_set(err, VB_ERR_INVALID, "unknown DDL part %d; choose one of: " DDL_PART_CHOICES, (int)part);
		return NULL;
	}
	struct stmt_list l = {0};
	char *qschema = vb_quote_ident(schema);
	if (part != DDL_PART_RELATIONAL)
		stmt_push(&l, vb_xstrdup("CREATE EXTENSION IF NOT EXISTS vector;"));
	if (part != DDL_PART_VECTOR)
		add_group(&l, DDL_RELATIONAL, qschema, d);
	if (part != DDL_PART_RELATIONAL)
		add_group(&l, DDL_VECTOR, qschema, d);
	free(qschema);
	return l.v;
}

char **ddl_statements(const char *schema, int dim, enum ddl_part part, struct vb_error *err)
{
	struct ddl_dims d = {.dim = dim};
	return ddl_statements_dims(schema, &d, part, err);
}

void ddl_statements_free(char **stmts)
{
	if (!stmts)
		return;
	for (char **p = stmts; *p; p++)
		free(*p);
	free(stmts);
}

/* The header's dimension line: Datus's single line when every vector table has one dim, else
 * the dim of each table (one per Datus store, agent.storage.<section>.dim_size). */
static int dims_header(struct vb_buf *out, const struct ddl_dims *d)
{
	int first = 0, uniform = 1, max = d->dim;
	for (int i = 0; i < ddl_table_count(); i++) {
		if (!ddl_table_is_vector(i))
			continue;
		int dim = ddl_dims_of(d, ddl_table_name(i));
		if (!first)
			first = dim;
		uniform &= dim == first;
		if (dim > max)
			max = dim;
	}
	if (uniform) {
		vb_buf_printf(out, "-- Vector dimension: %d (update if your embedding dim differs)\n", first ? first : d->dim);
		return max;
	}
	vb_buf_add(out, "-- Vector dimensions (each store's embedding dim_size):");
	const char *sep = " ";
	for (int i = 0; i < ddl_table_count(); i++)
		if (ddl_table_is_vector(i)) {
			vb_buf_printf(out, "%s%s %d", sep, ddl_table_name(i), ddl_dims_of(d, ddl_table_name(i)));
			sep = ", ";
		}
	vb_buf_addc(out, '\n');
	return max;
}

int ddl_render_dims(struct vb_buf *out, const char *schema, const struct ddl_dims *d, enum ddl_part part,
                    struct vb_error *err)
{
	char **stmts = ddl_statements_dims(schema, d, part, err);
	if (!stmts)
		return err ? err->status : VB_ERR_INVALID;
	char *qschema = vb_quote_ident(schema);
	vb_buf_printf(out, "-- Generated by vbadmin ddl render --part %s\n", ddl_part_name(part));
	vb_buf_add(out, "-- Review/approve before executing.\n");
	int max = dims_header(out, d);
	vb_buf_printf(out, "-- Schema: %s\n", qschema);
	if (max > DDL_MAX_INDEX_DIM)
		vb_buf_printf(out, "-- Note: pgvector's HNSW and IVFFlat indexes take at most %d dimensions; "
		              "vector(%d) columns can only be searched by a full scan.\n", DDL_MAX_INDEX_DIM, max);
	vb_buf_addc(out, '\n');
	for (char **p = stmts; *p; p++) {
		if (p != stmts)
			vb_buf_add(out, "\n\n");
		vb_buf_add(out, *p);
	}
	vb_buf_addc(out, '\n');
	free(qschema);
	ddl_statements_free(stmts);
	return VB_OK;
}

int ddl_render(struct vb_buf *out, const char *schema, int dim, enum ddl_part part, struct vb_error *err)
{
	struct ddl_dims d = {.dim = dim};
	return ddl_render_dims(out, schema, &d, part, err);
}
