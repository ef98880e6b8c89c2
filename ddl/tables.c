/* ddl/tables.c - the data of tables.def as C arrays, the vb_table_spec cache and the lookups
 * that verify and the renderer use. */
#include "tables.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_sql.h"

/* The columns each backend sees (namespace excluded). */
#define DDL_TABLE(t, kind, key, vec, src) static const struct vb_column t##_cols[] = {
#define DDL_COLUMN(t, c, sql, vt, nn, def) {#c, vt, nn, sql},
#define DDL_END(t) };
#include "tables.def"

/* Column defaults, parallel to the columns. */
#define DDL_TABLE(t, kind, key, vec, src) static const char *const t##_defaults[] = {
#define DDL_COLUMN(t, c, sql, vt, nn, def) def,
#define DDL_END(t) };
#include "tables.def"

/* Keys, ended by a sentinel so a table without keys still has an array. */
#define DDL_TABLE(t, kind, key, vec, src) static const struct ddl_key t##_keys[] = {
#define DDL_PRIMARY_KEY(t, ...) {1, (const char *const[]){__VA_ARGS__, NULL}},
#define DDL_UNIQUE(t, ...) {0, (const char *const[]){__VA_ARGS__, NULL}},
#define DDL_END(t) {0, NULL}};
#include "tables.def"

/* Full-text column lists, shared by the spec (fts_columns) and the index list. */
#define DDL_FTS(t, ...) static const char *const t##_fts[] = {__VA_ARGS__, NULL};
#include "tables.def"

/* Indexes in render order: btree indexes, then the full-text index. */
#define DDL_TABLE(t, kind, key, vec, src) static const struct ddl_index t##_indexes[] = {
#define DDL_INDEX(t, name, ...) {#name, (const char *const[]){__VA_ARGS__, NULL}, 0},
#define DDL_FTS(t, ...) {"idx_" #t "_fts", t##_fts, 1},
#define DDL_END(t) {NULL, NULL, 0}};
#include "tables.def"

#define DDL_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct ddl_table tables[] = {
#define DDL_TABLE(t, k, key, vec, src) {                                                     \
	.name = #t, .kind = k, .key_column = key, .vector_column = vec, .text_source = src,      \
	.columns = t##_cols, .defaults = t##_defaults, .ncolumns = DDL_COUNT(t##_cols),          \
	.keys = t##_keys, .nkeys = DDL_COUNT(t##_keys) - 1,                                      \
	.indexes = t##_indexes, .nindexes = DDL_COUNT(t##_indexes) - 1,
#define DDL_FTS(t, ...) .fts_columns = t##_fts,
#define DDL_END(t) },
#include "tables.def"
};

int ddl_table_count(void)
{
	return DDL_COUNT(tables);
}

const struct ddl_table *ddl_table_at(int i)
{
	return i >= 0 && i < DDL_COUNT(tables) ? &tables[i] : NULL;
}

const struct ddl_table *ddl_table_find(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; i < DDL_COUNT(tables); i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	return NULL;
}

const char *ddl_table_name(int i)
{
	const struct ddl_table *t = ddl_table_at(i);
	return t ? t->name : NULL;
}

int ddl_table_is_vector(int i)
{
	const struct ddl_table *t = ddl_table_at(i);
	return t && t->kind == DDL_VECTOR;
}

/* Specs are handed out as stable pointers (callers keep them in long-lived structs), so each
 * (table, dim) pair is built once and kept for the life of the process. */
struct spec_node {
	struct vb_table_spec spec;
	struct spec_node *next;
};
static struct spec_node *spec_cache;
static pthread_mutex_t spec_lock = PTHREAD_MUTEX_INITIALIZER;

const struct vb_table_spec *ddl_table_spec(const char *name, int dim)
{
	const struct ddl_table *t = ddl_table_find(name);
	if (!t)
		return NULL;
	if (t->vector_column) {
		if (dim < 1 || dim > DDL_MAX_DIM)
			return NULL;
	} else {
		dim = 0; /* one spec per relational table, whatever dim the caller has */
	}
	pthread_mutex_lock(&spec_lock);
	struct spec_node *n;
	for (n = spec_cache; n; n = n->next)
		if (n->spec.vector_dim == dim && strcmp(n->spec.name, t->name) == 0)
			break;
	if (!n) {
		n = vb_xcalloc(1, sizeof *n);
		n->spec = (struct vb_table_spec){
			.name = t->name,
			.columns = t->columns,
			.ncolumns = t->ncolumns,
			.vector_column = t->vector_column,
			.vector_dim = dim,
			.text_source = t->text_source,
			.fts_columns = t->fts_columns,
			.key_column = t->key_column,
			.namespaced = 1,
		};
		n->next = spec_cache;
		spec_cache = n;
	}
	pthread_mutex_unlock(&spec_lock);
	return &n->spec;
}

int ddl_table_keys(const char *table, const struct ddl_key **out)
{
	const struct ddl_table *t = ddl_table_find(table);
	if (!t)
		return -1;
	*out = t->keys;
	return t->nkeys;
}

int ddl_table_indexes(const char *table, const struct ddl_index **out)
{
	const struct ddl_table *t = ddl_table_find(table);
	if (!t)
		return -1;
	*out = t->indexes;
	return t->nindexes;
}

static int column_index(const struct ddl_table *t, const char *column)
{
	for (int i = 0; t && column && i < t->ncolumns; i++)
		if (strcmp(t->columns[i].name, column) == 0)
			return i;
	return -1;
}

const char *ddl_column_default(const char *table, const char *column)
{
	const struct ddl_table *t = ddl_table_find(table);
	int i = column_index(t, column);
	return i < 0 ? NULL : t->defaults[i];
}

char *ddl_table_column_sql_type(const struct ddl_table *t, int i, int dim)
{
	if (t->columns[i].type == VB_T_VECTOR)
		return vb_xasprintf("vector(%d)", dim);
	return vb_xstrdup(t->columns[i].sql_type);
}

char *ddl_column_sql_type(const char *table, const char *column, int dim)
{
	const struct ddl_table *t = ddl_table_find(table);
	int i = column_index(t, column);
	return i < 0 ? NULL : ddl_table_column_sql_type(t, i, dim);
}

char *ddl_fts_expression(const struct vb_table_spec *spec)
{
	return vb_fts_expression(spec);
}

char *ddl_quote_ident(const char *ident)
{
	return vb_quote_ident(ident);
}
