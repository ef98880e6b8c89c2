/* ddl/ddl.h - the knowledge-base tables (ddl/tables.def) and the PostgreSQL DDL renderer. */
#ifndef DDL_H
#define DDL_H

#include "../backends/vb.h"
#include "../backends/vb_util.h"

enum ddl_part { DDL_PART_ALL = 0, DDL_PART_RELATIONAL, DDL_PART_VECTOR };

/* pgvector's limit for the vector type (vector indexes stop at 2000). */
#define DDL_MAX_DIM 16000
#define DDL_MAX_INDEX_DIM 2000
/* PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes. */
#define DDL_MAX_IDENT 63

/* "all" / "relational" / "vector"; parse returns 0 on success, -1 for an unknown name. */
const char *ddl_part_name(enum ddl_part part);
int ddl_part_parse(const char *s, enum ddl_part *out);
#define DDL_PART_CHOICES "all, relational, vector"

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

/* Appends the header + DDL for `part` to out (spec 3 format with the design's fixes), ending in
 * a newline: exactly what `vbadmin ddl render` prints.  On a validation error out is untouched. */
int ddl_render(struct vb_buf *out, const char *schema, int dim, enum ddl_part part, struct vb_error *err);

/* Per-table vector dimensions (Datus keeps one embedding model, so one dim, per store):
 * dim_of(table, ctx) for a vector table, a result <= 0 (or no dim_of) meaning `dim`. */
struct ddl_dims {
	int dim;
	int (*dim_of)(const char *table, const void *ctx);
	const void *ctx;
};
int ddl_dims_of(const struct ddl_dims *d, const char *table);
/* ddl_render / ddl_statements with a dim per table.  The header keeps Datus's single
 * "-- Vector dimension: N" line when all vector tables agree, else lists each table's dim. */
int ddl_render_dims(struct vb_buf *out, const char *schema, const struct ddl_dims *d, enum ddl_part part,
                    struct vb_error *err);
char **ddl_statements_dims(const char *schema, const struct ddl_dims *d, enum ddl_part part, struct vb_error *err);

/* The same DDL as separate statements (no header, no trailing ';' stripping), for apply.
 * Returns a NULL-terminated heap array; free with ddl_statements_free. */
char **ddl_statements(const char *schema, int dim, enum ddl_part part, struct vb_error *err);
void ddl_statements_free(char **stmts);

/* The text-search expression used by both the GIN index and the search query of a table, e.g.
 * to_tsvector('simple', COALESCE("description", '') || ' ' || COALESCE("name", '')). */
char *ddl_fts_expression(const struct vb_table_spec *spec);

/* Quotes an identifier the PostgreSQL way when needed (always safe). */
char *ddl_quote_ident(const char *ident);

/* What verify checks beyond the columns: keys and indexes, from tables.def (static data). */
struct ddl_key {
	int primary;                 /* 1 = PRIMARY KEY, 0 = UNIQUE */
	const char *const *columns;  /* NULL-terminated, namespace included */
};
struct ddl_index {
	const char *name;            /* e.g. idx_subject_parent_id, idx_metrics_fts */
	const char *const *columns;  /* btree columns, or the full-text columns when fts */
	int fts;                     /* 1 = GIN over ddl_fts_expression(spec) */
};
/* Number of keys / indexes of `table` (-1 if unknown); *out points at a static array. */
int ddl_table_keys(const char *table, const struct ddl_key **out);
int ddl_table_indexes(const char *table, const struct ddl_index **out);
/* The DEFAULT expression of a column, or NULL when it has none / is unknown. */
const char *ddl_column_default(const char *table, const char *column);
/* The column type as the DDL writes it ("TEXT", "vector(384)"); heap string, NULL if unknown. */
char *ddl_column_sql_type(const char *table, const char *column, int dim);

#endif
