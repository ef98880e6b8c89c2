/* ddl/ddl.h - the knowledge-base tables (ddl/tables.def) and the PostgreSQL DDL renderer. */
#ifndef DDL_H
#define DDL_H

#include "../backends/vb.h"
#include "../backends/vb_util.h"

enum ddl_part { DDL_PART_ALL = 0, DDL_PART_RELATIONAL, DDL_PART_VECTOR };

/* Number of tables and their names in tables.def order (3 relational, then 7 vector). */
int ddl_table_count(void);
const char *ddl_table_name(int i);
int ddl_table_is_vector(int i);

/* The table spec for `name` with vector columns of `dim`; NULL if unknown.  Specs are static
 * per (name, dim) pair and valid for the life of the process. */
const struct vb_table_spec *ddl_table_spec(const char *name, int dim);

/* Checks schema (any non-empty text, quoted as needed) and dim (1..16000, pgvector's limit).
 * VB_ERR_INVALID with the limit named. */
int ddl_validate(const char *schema, int dim, struct vb_error *err);

/* Renders the header + DDL for `part` into out (spec 3 format with the design's fixes). */
int ddl_render(struct vb_buf *out, const char *schema, int dim, enum ddl_part part, struct vb_error *err);

/* The same DDL as separate statements (no header, no trailing ';' stripping), for apply.
 * Returns a NULL-terminated heap array; free with ddl_statements_free. */
char **ddl_statements(const char *schema, int dim, enum ddl_part part, struct vb_error *err);
void ddl_statements_free(char **stmts);

/* The text-search expression used by both the GIN index and the search query of a table, e.g.
 * to_tsvector('simple', COALESCE("description", '') || ' ' || COALESCE("name", '')). */
char *ddl_fts_expression(const struct vb_table_spec *spec);

/* Quotes an identifier the PostgreSQL way when needed (always safe). */
char *ddl_quote_ident(const char *ident);

#endif
