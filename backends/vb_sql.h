/* backends/vb_sql.h - PostgreSQL SQL text pieces shared by ddl/ (rendering) and the pgvector
 * plugin (querying), so the text-search index and the search query use the same expression. */
#ifndef VB_SQL_H
#define VB_SQL_H

#include "vb.h"

/* Quotes an identifier when PostgreSQL would not read it back unchanged (upper case, spaces,
 * quotes, leading digit, reserved word); inner '"' doubled.  Heap string. */
char *vb_quote_ident(const char *ident);
/* Always quotes ("x" -> "\"x\""), inner '"' doubled.  Heap string. */
char *vb_quote_ident_always(const char *ident);

/* to_tsvector('simple', COALESCE(c1, '') || ' ' || COALESCE(c2, '') ...) over spec->fts_columns
 * (or the text_source column when fts_columns is NULL).  NULL when the table has neither. */
char *vb_fts_expression(const struct vb_table_spec *spec);

#endif
