/* ddl/tables.h - private to ddl/: the tables.def data as C structs, for the renderer. */
#ifndef DDL_TABLES_H
#define DDL_TABLES_H

#include "ddl.h"

enum ddl_kind { DDL_RELATIONAL = 0, DDL_VECTOR };

struct ddl_table {
	const char *name;
	int kind;                        /* enum ddl_kind */
	const char *key_column;
	const char *vector_column;
	const char *text_source;
	const struct vb_column *columns; /* namespace excluded */
	const char *const *defaults;     /* parallel to columns; NULL = no DEFAULT */
	int ncolumns;
	const struct ddl_key *keys;
	int nkeys;
	const struct ddl_index *indexes;
	int nindexes;
	const char *const *fts_columns;  /* NULL when the table has no full-text index */
};

const struct ddl_table *ddl_table_at(int i);
const struct ddl_table *ddl_table_find(const char *name);
/* Heap string: the column's SQL type, vector(dim) for the vector column. */
char *ddl_table_column_sql_type(const struct ddl_table *t, int i, int dim);

#endif
