/* kb/semantic.c - legacy MetricFlow semantic YAML -> semantic_model / metrics rows.
 * Two passes over the file (see semantic.h); the same entry/metric functions serve both, so
 * what the validate pass accepts is exactly what the rows pass can build. */
#include "semantic.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <yaml.h>

#include "../backends/vb_util.h"
#include "yamltree.h"

enum { L_DIMS = 0, L_MEASURES, L_IDENTS, L_COUNT };
static const char *const list_key[L_COUNT] = {"dimensions", "measures", "identifiers"};

/* A data source in use: its table context and the names metric rows carry. */
struct sem_ds {
	int doc, line;
	char *name, *description, *sql_table;
	int has_name;
	char *catalog, *database, *schema, *table, *fq_name;
	struct semantic_strlist names[L_COUNT];
	long ncolumns;
	long list_cols[L_COUNT]; /* named entries of each list (of its last occurrence) */
	int list_occ[L_COUNT];   /* occurrences of each list key; the rows pass emits only the last */
	unsigned lists; /* bit per list key present */
	int last_list;  /* for the order check */
	int order_ok;   /* lists appear as dimensions, measures, identifiers */
};

struct sem_reader {
	const char *path;
	const struct semantic_options *opt;
	struct vb_error *err;
	yaml_parser_t parser;
	FILE *f;
	int pass;           /* 1 validate, 2 rows */
	unsigned sweep_lists;
	int sweep_tables, sweep_metrics;
	int doc;
	struct sem_ds *ds;  /* data sources in use, in document order */
	int nds, capds;
	int ds_seen;
	int metric_docs;
	int dbt_doc;
	char dbt_key[64];
	struct vb_buf warnings;
	char now[32];
	const char *yaml_path;
	semantic_emit_fn emit;
	void *emit_ctx;
	long out_tables, out_columns, out_metrics;
	struct semantic_stats st;
	struct sem_ds defctx; /* the caller's table context, as configured */
};

/* ---------------------------------------------------------------- small helpers */

static void list_push(struct semantic_strlist *l, const char *s)
{
	/* grow at powers of two: no separate capacity field in the public struct */
	if (l->n == 0 || (l->n & (l->n - 1)) == 0)
		l->items = vb_xrealloc(l->items, (size_t)(l->n ? l->n * 2 : 1) * sizeof *l->items);
	l->items[l->n++] = vb_xstrdup(s);
}

static void list_free(struct semantic_strlist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static void ds_free(struct sem_ds *d)
{
	free(d->name);
	free(d->description);
	free(d->sql_table);
	free(d->catalog);
	free(d->database);
	free(d->schema);
	free(d->table);
	free(d->fq_name);
	for (int i = 0; i < L_COUNT; i++)
		list_free(&d->names[i]);
	memset(d, 0, sizeof *d);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* Text of a scalar node, NULL for absent/null. */
static const char *text_of(const struct yt_node *n)
{
	if (!n || yamltree_is_null(n) || n->kind != YT_SCALAR)
		return NULL;
	return n->s;
}

static char *strip_backticks(const char *s)
{
	size_t len = strlen(s);
	while (len && s[len - 1] == '`')
		len--;
	while (len && *s == '`') {
		s++;
		len--;
	}
	return vb_xstrndup(s, len);
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return vb_xstrndup(s, n);
}

/* ---------------------------------------------------------------- errors */

static int rd_errv(struct sem_reader *r, int line, int col, const char *what, const char *fmt, va_list ap)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, r->path);
	if (line > 0)
		vb_buf_printf(&b, ":%d:%d", line, col);
	vb_buf_add(&b, ": ");
	if (r->doc > 0)
		vb_buf_printf(&b, "document %d%s%s%s: ", r->doc, what ? " (" : "", what ? what : "", what ? ")" : "");
	vb_buf_vprintf(&b, fmt, ap);
	vb_err_set(r->err, VB_ERR_INVALID, "%s", b.data);
	vb_buf_free(&b);
	return VB_ERR_INVALID;
}

static int rd_err(struct sem_reader *r, int line, int col, const char *what, const char *fmt, ...) VB_PRINTF(5, 6);
static int rd_err(struct sem_reader *r, int line, int col, const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int st = rd_errv(r, line, col, what, fmt, ap);
	va_end(ap);
	return st;
}

static int rd_hint(struct sem_reader *r, const char *fmt, ...) VB_PRINTF(2, 3);
static int rd_hint(struct sem_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err->hint, sizeof r->err->hint, fmt, ap);
	va_end(ap);
	return r->err->status;
}

static int tree_err(struct sem_reader *r, const struct yamltree_error *e)
{
	if (e->syntax) {
		if (e->line > 0)
			vb_err_set(r->err, VB_ERR_INVALID, "%s:%d:%d: %s", r->path, e->line, e->col, e->message);
		else
			vb_err_set(r->err, VB_ERR_INVALID, "%s: %s", r->path, e->message);
		return rd_hint(r, "fix the YAML at that position: check indentation, and quote values that "
		                  "contain ': ', '#' or start with a special character");
	}
	return rd_err(r, e->line, e->col, NULL, "%s", e->message);
}

static int missing_key(struct sem_reader *r, const char *what, const char *key, int line)
{
	vb_err_set(r->err, VB_ERR_INVALID, "%s: document %d (%s): missing key '%s'", r->path, r->doc, what, key);
	return rd_hint(r, "add '%s:' to the %s that starts at line %d", key, what, line);
}

/* A value that must be text (or null). */
static int want_text(struct sem_reader *r, const struct yt_node *map, const char *key, const char *what,
                     const char *where)
{
	const struct yt_node *v = yamltree_get(map, key);
	if (!v || v->kind == YT_SCALAR)
		return VB_OK;
	return rd_err(r, v->line, v->col, what, "%s'%s' must be a text value, found %s", where, key,
	              yamltree_kind_name(v));
}

/* A boolean (null/absent = def).  Quoted "true" is text in YAML, so it is rejected. */
static int want_bool(struct sem_reader *r, const struct yt_node *map, const char *key, const char *what,
                     const char *where, int *out)
{
	const struct yt_node *v = yamltree_get(map, key);
	*out = 0;
	if (!v || yamltree_is_null(v))
		return VB_OK;
	int b = yamltree_bool(v);
	if (b < 0)
		return rd_err(r, v->line, v->col, what, "%s'%s' must be true or false, found %s%s%s", where, key,
		              v->kind == YT_SCALAR ? "'" : "", v->kind == YT_SCALAR ? v->s : yamltree_kind_name(v),
		              v->kind == YT_SCALAR ? "'" : "");
	*out = b;
	return VB_OK;
}

static int want_kind(struct sem_reader *r, const struct yt_node *v, int kind, const char *what,
                     const char *where, const char *key)
{
	if (!v || yamltree_is_null(v) || v->kind == kind)
		return VB_OK;
	return rd_err(r, v->line, v->col, what, "%s'%s' must be %s, found %s", where, key,
	              kind == YT_MAP ? "a mapping" : kind == YT_SEQ ? "a list" : "a text value",
	              yamltree_kind_name(v));
}

/* ---------------------------------------------------------------- table context */

unsigned semantic_dialect_levels(const char *dialect)
{
	static const struct {
		const char *name;
		unsigned levels;
	} tab[] = {
#define KB_DIALECT(name, catalog, database, schema) {name, (catalog) | (database) << 1 | (schema) << 2},
#include "dialects.def"
#undef KB_DIALECT
	};
	/* Datus compares the type exactly (DBType is a str enum): "PostgreSQL" has no level */
	for (size_t i = 0; dialect && i < sizeof tab / sizeof tab[0]; i++)
		if (!strcmp(dialect, tab[i].name))
			return tab[i].levels;
	return 0;
}

/* Splits s on '.', trims each part and drops empty ones (Datus: [p.strip() for p in
 * sql_table.split(".") if p.strip()]).  Returns the number of parts (at most max). */
static int split_sql_table(const char *s, char **parts, int max)
{
	int np = 0;
	for (;;) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		char *p = trim_dup(s, n);
		if (*p && np < max)
			parts[np++] = p;
		else
			free(p);
		if (!dot)
			return np;
		s = dot + 1;
	}
}

void semantic_table_context(const char *dialect, const char *sql_table, const char *default_table,
                            const char *catalog, const char *database, const char *schema, char **out_catalog,
                            char **out_database, char **out_schema, char **out_table, char **out_fq_name)
{
	unsigned levels = semantic_dialect_levels(dialect);
	char *lv[3] = {vb_xstrdup(nz(catalog)), vb_xstrdup(nz(database)), vb_xstrdup(nz(schema))};
	char *table = vb_xstrdup(nz(default_table));
	char *parts[64];
	int np = sql_table ? split_sql_table(sql_table, parts, 64) : 0;
	if (np > 0) {
		free(table);
		table = parts[--np];
		/* the remaining parts go right to left onto the levels the dialect has, taken in the
		 * order catalog, database, schema; parts beyond them are dropped */
		for (int lvl = 2; lvl >= 0 && np > 0; lvl--)
			if (levels & (1u << lvl)) {
				free(lv[lvl]);
				lv[lvl] = parts[--np];
			}
		while (np > 0)
			free(parts[--np]);
	}
	/* Datus clears only schema_name for a dialect without schemas (StarRocks, MySQL, SQLite);
	 * a catalog or database from the configuration stays even where the dialect has none */
	if (!(levels & 4u)) {
		free(lv[2]);
		lv[2] = vb_xstrdup("");
	}
	struct vb_buf fq;
	vb_buf_init(&fq);
	const char *fparts[4] = {lv[0], lv[1], lv[2], table};
	for (int i = 0; i < 4; i++)
		if (*fparts[i]) {
			if (fq.len)
				vb_buf_addc(&fq, '.');
			vb_buf_add(&fq, fparts[i]);
		}
	*out_catalog = lv[0];
	*out_database = lv[1];
	*out_schema = lv[2];
	*out_table = table;
	*out_fq_name = fq.data ? vb_buf_steal(&fq) : vb_xstrdup("");
}

/* ---------------------------------------------------------------- objects */

static void obj_init(struct sem_reader *r, struct semantic_object *o, int kind)
{
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->kind_name = kind == SEMANTIC_TABLE ? "table" : kind == SEMANTIC_COLUMN ? "column" : "metric";
	o->document = r->doc;
	o->yaml_path = (char *)r->yaml_path;
	o->updated_at = r->now;
	o->is_dimension = o->is_measure = o->is_entity_key = o->is_deprecated = SEMANTIC_NULL;
	o->create_metric = o->is_partition = SEMANTIC_NULL;
}

/* Frees what obj_init's caller allocated; yaml_path/updated_at/created_at point into the
 * reader, context strings and borrowed lists into a sem_ds. */
static void obj_release(struct semantic_object *o)
{
	free(o->id);
	free(o->name);
	free(o->description);
	free(o->fq_name);
	free(o->expr);
	free(o->column_type);
	free(o->agg);
	free(o->agg_time_dimension);
	free(o->time_granularity);
	free(o->entity);
	free(o->metric_type);
	free(o->measure_expr);
	free(o->sql);
	list_free(&o->base_measures);
	list_free(&o->subject_path);
	memset(o, 0, sizeof *o);
}

static void obj_context(struct semantic_object *o, const struct sem_ds *d)
{
	o->catalog_name = d->catalog;
	o->database_name = d->database;
	o->schema_name = d->schema;
	o->table_name = d->table;
	o->semantic_model_name = d->table;
}

static int deliver(struct sem_reader *r, struct semantic_object *o)
{
	vb_err_clear(r->err);
	int st = r->emit(r->emit_ctx, o, r->err);
	if (st != VB_OK && r->err->status == VB_OK)
		vb_err_set(r->err, st, "the writer stopped at %s", o->id);
	if (o->kind == SEMANTIC_TABLE)
		r->out_tables++;
	else if (o->kind == SEMANTIC_COLUMN)
		r->out_columns++;
	else
		r->out_metrics++;
	return st;
}

static void emit_table(struct sem_reader *r, const struct sem_ds *d, struct semantic_object *o)
{
	obj_init(r, o, SEMANTIC_TABLE);
	obj_context(o, d);
	o->id = vb_xasprintf("table:%s", d->table);
	o->name = vb_xstrdup(d->table);
	o->fq_name = vb_xstrdup(d->fq_name);
	o->description = vb_xstrdup(nz(d->description));
	o->is_dimension = o->is_measure = o->is_entity_key = o->is_deprecated = 0;
}

/* Every key a column entry may carry is checked whichever list the entry is in, so a malformed
 * key is reported even where vbadmin does not store it. */
static int column_checks(struct sem_reader *r, const struct yt_node *e, int list, const char *where,
                         int *create_metric, int *is_partition)
{
	static const char *const text_keys[] = {"description", "expr", "type", "agg", "agg_time_dimension", "entity"};
	int st;
	for (size_t i = 0; i < sizeof text_keys / sizeof text_keys[0]; i++)
		if ((st = want_text(r, e, text_keys[i], "data_source", where)))
			return st;
	const struct yt_node *tp = yamltree_get(e, "type_params");
	if ((st = want_kind(r, tp, YT_MAP, "data_source", where, "type_params")))
		return st;
	if (tp && (st = want_text(r, tp, "time_granularity", "data_source", where)))
		return st;
	if (list == L_MEASURES && (st = want_bool(r, e, "create_metric", "data_source", where, create_metric)))
		return st;
	if (list == L_DIMS && (st = want_bool(r, e, "is_partition", "data_source", where, is_partition)))
		return st;
	return VB_OK;
}

/* The column row; the fields that belong to another list than the entry's are left empty. */
static void emit_column(struct sem_reader *r, const struct sem_ds *d, int list, const struct yt_node *e,
                        const char *col, int create_metric, int is_partition, struct semantic_object *o)
{
	obj_init(r, o, SEMANTIC_COLUMN);
	obj_context(o, d);
	o->id = vb_xasprintf("column:%s.%s", d->table, col);
	o->name = vb_xstrdup(col);
	o->fq_name = *d->fq_name ? vb_xasprintf("%s.%s", d->fq_name, col) : vb_xstrdup(col);
	o->description = vb_xstrdup(nz(text_of(yamltree_get(e, "description"))));
	const char *expr = text_of(yamltree_get(e, "expr"));
	o->expr = strip_backticks(expr ? expr : col);
	const char *type = text_of(yamltree_get(e, "type"));
	o->column_type = vb_xstrdup(nz(type));
	o->is_dimension = list == L_DIMS;
	o->is_measure = list == L_MEASURES;
	o->is_entity_key = list == L_IDENTS;
	o->is_deprecated = 0;
	o->agg = vb_xstrdup(list == L_MEASURES ? nz(text_of(yamltree_get(e, "agg"))) : "");
	o->create_metric = list == L_MEASURES ? create_metric : 0;
	o->agg_time_dimension = vb_xstrdup(list == L_MEASURES ? nz(text_of(yamltree_get(e, "agg_time_dimension"))) : "");
	o->is_partition = list == L_DIMS ? is_partition : 0;
	/* case-sensitive on purpose: Datus compares type == "TIME" */
	o->time_granularity = vb_xstrdup(list == L_DIMS && type && !strcmp(type, "TIME")
	                                     ? nz(text_of(yamltree_get(yamltree_get(e, "type_params"), "time_granularity")))
	                                     : "");
	o->entity = vb_xstrdup(list == L_IDENTS ? nz(text_of(yamltree_get(e, "entity"))) : "");
}

/* One entry of dimensions/measures/identifiers.  Returns VB_OK with *name NULL when the
 * entry has no name (skipped, as Datus does); o may be NULL (validate pass). */
static int column_entry(struct sem_reader *r, const struct sem_ds *d, int list, int idx, const struct yt_node *e,
                        const char **name, struct semantic_object *o)
{
	char where[200];
	*name = NULL;
	if (e->kind != YT_MAP)
		return rd_err(r, e->line, e->col, "data_source", "%s entry %d must be a mapping with name:, found %s",
		              list_key[list], idx + 1, yamltree_kind_name(e));
	const struct yt_node *nn = yamltree_get(e, "name");
	if (nn && nn->kind != YT_SCALAR)
		return rd_err(r, nn->line, nn->col, "data_source", "%s entry %d: 'name' must be a text value, found %s",
		              list_key[list], idx + 1, yamltree_kind_name(nn));
	const char *col = text_of(nn);
	if (!col || !*col)
		return VB_OK;
	snprintf(where, sizeof where, "%s entry %d ('%.120s'): ", list_key[list], idx + 1, col);
	int create_metric = 0, is_partition = 0;
	int st = column_checks(r, e, list, where, &create_metric, &is_partition);
	if (st)
		return st;
	*name = col;
	if (o)
		emit_column(r, d, list, e, col, create_metric, is_partition, o);
	return VB_OK;
}

/* A measure/metric reference: "name" or {name: ...}.  NULL when neither. */
static const char *ref_name(const struct yt_node *v)
{
	if (!v)
		return NULL;
	if (v->kind == YT_SCALAR)
		return text_of(v);
	if (v->kind == YT_MAP)
		return text_of(yamltree_get(v, "name"));
	return NULL;
}

static int want_ref(struct sem_reader *r, const struct yt_node *tp, const char *key, const char *where)
{
	const struct yt_node *v = yamltree_get(tp, key);
	if (!v || yamltree_is_null(v) || v->kind == YT_SCALAR)
		return VB_OK;
	if (v->kind == YT_MAP) {
		const struct yt_node *nn = yamltree_get(v, "name");
		if (!nn)
			return rd_err(r, v->line, v->col, "metric", "%stype_params.%s needs a 'name'", where, key);
		if (nn->kind != YT_SCALAR)
			return rd_err(r, nn->line, nn->col, "metric", "%stype_params.%s.name must be a text value", where, key);
		return VB_OK;
	}
	return rd_err(r, v->line, v->col, "metric", "%stype_params.%s must be a name or a mapping with name:, found %s",
	              where, key, yamltree_kind_name(v));
}

static int want_ref_list(struct sem_reader *r, const struct yt_node *tp, const char *key, const char *where)
{
	const struct yt_node *v = yamltree_get(tp, key);
	int st = want_kind(r, v, YT_SEQ, "metric", where, key);
	if (st || !v || v->kind != YT_SEQ)
		return st;
	for (int i = 0; i < v->n; i++) {
		const struct yt_node *it = v->kids[i];
		if (it->kind == YT_SEQ ||
		    (it->kind == YT_MAP && (!yamltree_get(it, "name") || yamltree_get(it, "name")->kind != YT_SCALAR)))
			return rd_err(r, it->line, it->col, "metric",
			              "%stype_params.%s entry %d must be a name or a mapping with name:", where, key, i + 1);
	}
	return VB_OK;
}

static void push_refs(struct semantic_strlist *l, const struct yt_node *seq)
{
	if (!seq || seq->kind != YT_SEQ)
		return;
	for (int i = 0; i < seq->n; i++) {
		const char *n = ref_name(seq->kids[i]);
		if (n)
			list_push(l, n);
	}
}

/* Subject path from the first "subject_tree: a/b/c" tag; 1 when found. */
static int subject_from_tags(const struct yt_node *tags, struct semantic_strlist *out)
{
	static const char prefix[] = "subject_tree:";
	if (!tags || tags->kind != YT_SEQ)
		return 0;
	for (int i = 0; i < tags->n; i++) {
		const char *t = text_of(tags->kids[i]);
		if (!t || strncmp(t, prefix, sizeof prefix - 1) != 0)
			continue;
		const char *s = t + sizeof prefix - 1;
		for (;;) {
			const char *slash = strchr(s, '/');
			size_t n = slash ? (size_t)(slash - s) : strlen(s);
			char *p = trim_dup(s, n);
			if (*p)
				list_push(out, p);
			free(p);
			if (!slash)
				break;
			s = slash + 1;
		}
		if (out->n)
			return 1;
	}
	return 0;
}

/* Each level of a subject path is a node row created one by one: a hostile file with
 * thousands of levels would run for minutes (issue 14.4). */
static int want_subject_depth(struct sem_reader *r, const struct yt_node *tags, const char *where)
{
	static const char prefix[] = "subject_tree:";
	for (int i = 0; tags && tags->kind == YT_SEQ && i < tags->n; i++) {
		const char *t = text_of(tags->kids[i]);
		if (!t || strncmp(t, prefix, sizeof prefix - 1) != 0)
			continue;
		int levels = 1;
		for (const char *c = t; *c; c++)
			levels += *c == '/';
		if (levels > SEMANTIC_MAX_SUBJECT_DEPTH)
			return rd_err(r, tags->kids[i]->line, tags->kids[i]->col, "metric",
			              "%sthe subject_tree tag has %d levels; at most %d are allowed", where, levels,
			              SEMANTIC_MAX_SUBJECT_DEPTH);
		return VB_OK; /* only the first subject_tree tag counts */
	}
	return VB_OK;
}

static const struct sem_ds *bind_metric(struct sem_reader *r, const struct semantic_strlist *base)
{
	if (r->nds == 0)
		return NULL;
	if ((r->opt->flags & SEMANTIC_ALL_DATA_SOURCES) && base->n > 0)
		for (int i = r->nds - 1; i >= 0; i--)
			for (int j = 0; j < r->ds[i].names[L_MEASURES].n; j++)
				if (!strcmp(r->ds[i].names[L_MEASURES].items[j], base->items[0]))
					return &r->ds[i];
	return &r->ds[r->nds - 1];
}

/* type_params are checked whatever the type says: Datus's metricflow model rejects a malformed
 * reference under any key, so a file vbadmin accepts must pass there too. */
static int metric_check_params(struct sem_reader *r, const struct yt_node *m, const char *where)
{
	int st;
	/* `type` may be absent: Datus reads metric.get("type", "") and keeps the metric */
	if ((st = want_text(r, m, "type", "metric", where)) || (st = want_text(r, m, "description", "metric", where)))
		return st;
	const struct yt_node *tp = yamltree_get(m, "type_params");
	if ((st = want_kind(r, tp, YT_MAP, "metric", where, "type_params")))
		return st;
	if (tp && ((st = want_ref(r, tp, "measure", where)) || (st = want_ref(r, tp, "numerator", where)) ||
	           (st = want_ref(r, tp, "denominator", where)) || (st = want_ref_list(r, tp, "measures", where)) ||
	           (st = want_ref_list(r, tp, "metrics", where)) || (st = want_text(r, tp, "expr", "metric", where))))
		return st;
	return VB_OK;
}

/* The tags decide the subject path, so a bad one is reported here rather than filed under a
 * subject the user never asked for. */
static int metric_check_tags(struct sem_reader *r, const struct yt_node *m, const char *where)
{
	int st;
	const struct yt_node *lm = yamltree_get(m, "locked_metadata");
	if ((st = want_kind(r, lm, YT_MAP, "metric", where, "locked_metadata")))
		return st;
	const struct yt_node *tags = yamltree_get(lm, "tags");
	if ((st = want_kind(r, tags, YT_SEQ, "metric", where, "locked_metadata.tags")))
		return st;
	if (tags && tags->kind == YT_SEQ)
		for (int i = 0; i < tags->n; i++)
			if (tags->kids[i]->kind != YT_SCALAR)
				return rd_err(r, tags->kids[i]->line, tags->kids[i]->col, "metric",
				              "%slocked_metadata.tags entry %d must be a text value", where, i + 1);
	return want_subject_depth(r, tags, where);
}

/* The base measures are what the writer binds a metric to a data source by; which type_params
 * keys name them depends on the metric type, exactly as in Datus's generation hooks. */
static void metric_base_measures(struct semantic_object *o, const char *type, const struct yt_node *tp)
{
	/* Datus compares the type exactly: "MEASURE_PROXY" is kept but yields no base measures */
	if (!strcmp(type, "measure_proxy")) {
		const char *ms = ref_name(yamltree_get(tp, "measure"));
		if (ms)
			list_push(&o->base_measures, ms);
		push_refs(&o->base_measures, yamltree_get(tp, "measures"));
		o->measure_expr = vb_xstrdup(nz(ms));
	} else if (!strcmp(type, "ratio")) {
		const char *num = ref_name(yamltree_get(tp, "numerator"));
		const char *den = ref_name(yamltree_get(tp, "denominator"));
		if (num)
			list_push(&o->base_measures, num);
		if (den)
			list_push(&o->base_measures, den);
		o->measure_expr = vb_xstrdup("");
	} else if (!strcmp(type, "expr") || !strcmp(type, "cumulative")) {
		push_refs(&o->base_measures, yamltree_get(tp, "measures"));
		o->measure_expr =
			vb_xstrdup(!strcmp(type, "expr") ? nz(text_of(yamltree_get(tp, "expr"))) : "");
	} else if (!strcmp(type, "derived")) {
		push_refs(&o->base_measures, yamltree_get(tp, "metrics"));
		o->measure_expr = vb_xstrdup(nz(text_of(yamltree_get(tp, "expr"))));
	} else {
		o->measure_expr = vb_xstrdup("");
	}
}

/* Returns the data source the metric was bound to (NULL = none), which the subject path falls
 * back on. */
static const struct sem_ds *metric_context(struct sem_reader *r, struct semantic_object *o)
{
	const struct sem_ds *d = bind_metric(r, &o->base_measures);
	if (d) {
		obj_context(o, d);
		o->table_name = NULL; /* metrics has no table_name column */
		o->dimensions = d->names[L_DIMS];
		o->entities = d->names[L_IDENTS];
	} else {
		/* no data_source: the configured context, semantic_model_name "" until the writer's
		 * knowledge-base lookup of the first base measure fills it (Datus's fallback) */
		obj_context(o, &r->defctx);
		o->table_name = NULL;
		o->kb_fallback = o->base_measures.n > 0;
	}
	return d;
}

/* A `metric:` value.  o NULL = validate only.  *skipped is set for a metric Datus passes over
 * without a word (no name, or an empty one: generation_hooks.py `if not m_name: continue`). */
static int metric_doc(struct sem_reader *r, const struct yt_node *m, struct semantic_object *o, int *skipped)
{
	int st;
	*skipped = 0;
	if (m->kind != YT_MAP)
		return rd_err(r, m->line, m->col, "metric", "'metric' must be a mapping with name:, type:, ..., found %s",
		              yamltree_kind_name(m));
	const struct yt_node *nn = yamltree_get(m, "name");
	if (!nn || yamltree_is_null(nn) || (nn->kind == YT_SCALAR && !*nn->s)) {
		*skipped = 1;
		return VB_OK;
	}
	if (nn->kind != YT_SCALAR)
		return rd_err(r, nn->line, nn->col, "metric", "'name' must be a text value, found %s",
		              yamltree_kind_name(nn));
	char where[160];
	snprintf(where, sizeof where, "metric '%.120s': ", nn->s);
	if ((st = metric_check_params(r, m, where)) || (st = metric_check_tags(r, m, where)))
		return st;
	if (!o)
		return VB_OK;

	const char *type = nz(text_of(yamltree_get(m, "type")));
	obj_init(r, o, SEMANTIC_METRIC);
	o->id = vb_xasprintf("metric:%s", nn->s);
	o->name = vb_xstrdup(nn->s);
	o->description = vb_xstrdup(nz(text_of(yamltree_get(m, "description"))));
	o->metric_type = vb_xstrdup(type);
	metric_base_measures(o, type, yamltree_get(m, "type_params"));
	const struct sem_ds *d = metric_context(r, o);
	o->sql = vb_xstrdup("");
	o->created_at = r->now;
	if (!subject_from_tags(yamltree_get(yamltree_get(m, "locked_metadata"), "tags"), &o->subject_path)) {
		list_push(&o->subject_path, "Metrics");
		list_push(&o->subject_path, d && *d->table ? d->table : "Unknown");
	}
	return VB_OK;
}

/* ---------------------------------------------------------------- the walk */

static int next_ev(struct sem_reader *r, yaml_event_t *ev)
{
	struct yamltree_error e;
	if (yamltree_next(&r->parser, ev, &e) == 0)
		return VB_OK;
	return tree_err(r, &e);
}

static struct sem_ds *used_ds(struct sem_reader *r, int doc)
{
	for (int i = 0; i < r->nds; i++)
		if (r->ds[i].doc == doc)
			return &r->ds[i];
	return NULL;
}

/* The sequence value of one list key; *ev is its first event (consumed). */
static int ds_list(struct sem_reader *r, struct sem_ds *cur, struct sem_ds *use, int list, int last_occurrence,
                   yaml_event_t *ev)
{
	struct yamltree_error e;
	if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length == 0 &&
	    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		yaml_event_delete(ev);
		return VB_OK; /* `dimensions:` with nothing after it */
	}
	if (ev->type != YAML_SEQUENCE_START_EVENT) {
		int st = rd_err(r, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, "data_source",
		                "'%s' must be a list, found %s", list_key[list], yamltree_event_kind_name(ev));
		yaml_event_delete(ev);
		return st;
	}
	yaml_event_delete(ev);
	int emit = use && last_occurrence && (r->sweep_lists & (1u << list));
	for (int idx = 0;; idx++) {
		yaml_event_t iev;
		int st = next_ev(r, &iev);
		if (st)
			return st;
		if (iev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&iev);
			return VB_OK;
		}
		struct yt_node *item = yamltree_build(&r->parser, &iev, &e);
		if (!item)
			return tree_err(r, &e);
		const char *name;
		struct semantic_object o;
		st = column_entry(r, use, list, idx, item, &name, emit ? &o : NULL);
		if (st == VB_OK && !name && r->pass == 1) {
			char *w = vb_xasprintf("%s:%d:%d: document %d (data_source): %s entry %d has no name and is skipped\n",
			                       r->path, item->line, item->col, r->doc, list_key[list], idx + 1);
			vb_buf_add(&r->warnings, w);
			free(w);
		}
		if (st == VB_OK && name) {
			if (cur) {
				list_push(&cur->names[list], name);
				cur->ncolumns++;
				cur->list_cols[list]++;
			}
			if (emit) {
				st = deliver(r, &o);
				obj_release(&o);
			}
		}
		yamltree_free(item);
		if (st)
			return st;
	}
}

static int ds_scalar(struct sem_reader *r, yaml_event_t *ev, const char *key, char **out)
{
	if (ev->type != YAML_SCALAR_EVENT) {
		int st = rd_err(r, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, "data_source",
		                "'%s' must be a text value, found %s", key, yamltree_event_kind_name(ev));
		if (ev->type == YAML_ALIAS_EVENT)
			yaml_event_delete(ev);
		else {
			struct yamltree_error e;
			yamltree_skip(&r->parser, ev, &e);
		}
		return st;
	}
	int is_null = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	              (ev->data.scalar.length == 0 || !strcmp((char *)ev->data.scalar.value, "~") ||
	               !strcasecmp((char *)ev->data.scalar.value, "null"));
	if (out) {
		free(*out);
		*out = is_null ? NULL : vb_xstrndup((char *)ev->data.scalar.value, ev->data.scalar.length);
	}
	yaml_event_delete(ev);
	return VB_OK;
}

static void duplicate_key_warning(struct sem_reader *r, const char *key, int line, int col)
{
	if (r->pass != 1)
		return;
	char *w = vb_xasprintf("%s:%d:%d: document %d: '%s' appears twice; the last one is used, as PyYAML (Datus) "
	                       "keeps it\n", r->path, line, col, r->doc, key);
	vb_buf_add(&r->warnings, w);
	free(w);
}

/* What data_source has read so far. */
struct ds_walk {
	struct sem_ds *c;   /* pass 1: the data source being read, else NULL */
	struct sem_ds *use; /* pass 2: the one pass 1 kept for this document, else NULL */
	unsigned seen;      /* keys seen: name, description, sql_table, then the lists */
	int occ[L_COUNT];   /* how often each list key came so far */
};

/* Reads the next key of the mapping; *end = 1 at its end. */
static int ds_next_key(struct sem_reader *r, char *key, size_t size, int *line, int *col, int *end)
{
	yaml_event_t kev;
	int st = next_ev(r, &kev);
	if (st)
		return st;
	*end = kev.type == YAML_MAPPING_END_EVENT;
	*line = (int)kev.start_mark.line + 1;
	*col = (int)kev.start_mark.column + 1;
	if (!*end && kev.type != YAML_SCALAR_EVENT)
		st = rd_err(r, *line, *col, "data_source", "a key must be a text value");
	else if (!*end)
		snprintf(key, size, "%s", (char *)kev.data.scalar.value);
	yaml_event_delete(&kev);
	return st;
}

static int key_index(const char *key, const char *const *keys, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(key, keys[i]))
			return i;
	return -1;
}

/* A list key.  Pass 2 emits only the occurrence Datus keeps (the last one of a repeated key). */
static int ds_list_key(struct sem_reader *r, struct ds_walk *w, int list, yaml_event_t *vev)
{
	struct sem_ds *c = w->c;
	w->occ[list]++;
	if (c) {
		c->lists |= 1u << list;
		if (list < c->last_list)
			c->order_ok = 0;
		c->last_list = list;
		c->list_occ[list] = w->occ[list];
	}
	return ds_list(r, c, w->use, list, !w->use || w->occ[list] == w->use->list_occ[list], vev);
}

/* The value of one key; vev is its first event (consumed). */
static int ds_value(struct sem_reader *r, struct ds_walk *w, const char *key, int kline, int kcol,
                    yaml_event_t *vev)
{
	static const char *const sc_key[] = {"name", "description", "sql_table"};
	int list = key_index(key, list_key, L_COUNT), sc = key_index(key, sc_key, 3);
	unsigned bit = list >= 0 ? 1u << (3 + list) : sc >= 0 ? 1u << sc : 0;
	struct sem_ds *c = w->c;
	if (bit & w->seen) /* PyYAML (Datus) keeps the last value of a repeated key */
		duplicate_key_warning(r, key, kline, kcol);
	if ((bit & w->seen) && list >= 0 && c) {
		c->ncolumns -= c->list_cols[list];
		c->list_cols[list] = 0;
		list_free(&c->names[list]);
	}
	w->seen |= bit;
	if (list >= 0)
		return ds_list_key(r, w, list, vev);
	if (sc >= 0) {
		char **dst = !c ? NULL : sc == 0 ? &c->name : sc == 1 ? &c->description : &c->sql_table;
		int st = ds_scalar(r, vev, key, dst);
		if (!st && c && sc == 0)
			c->has_name = 1;
		return st;
	}
	struct yamltree_error e;
	return yamltree_skip(&r->parser, vev, &e) < 0 ? tree_err(r, &e) : VB_OK;
}

/* Pass 1 keeps the data source read (taking *cur's contents); only the last one of a file
 * counts unless SEMANTIC_ALL_DATA_SOURCES. */
static int ds_keep(struct sem_reader *r, struct sem_ds *cur)
{
	/* Datus: table_name = data_source.get("name", ""), replaced by sql_table's last part */
	semantic_table_context(r->opt->dialect, cur->sql_table, cur->name, r->opt->catalog, r->opt->database,
	                       r->opt->schema, &cur->catalog, &cur->database, &cur->schema, &cur->table, &cur->fq_name);
	if (!*cur->table) {
		/* Datus would write a row with id 'table:'; nothing could find it again */
		return cur->has_name ? rd_err(r, cur->line, 1, "data_source", "'name' must be a non-empty text value")
		                     : missing_key(r, "data_source", "name", cur->line);
	}
	r->ds_seen++;
	if (!(r->opt->flags & SEMANTIC_ALL_DATA_SOURCES) && r->nds > 0) {
		char *w = vb_xasprintf("%s: document %d (data_source '%s') is ignored: only the last data_source of a "
		                       "file is used (document %d, '%s'), as in Datus; load them all with --all-data-sources (or "
		                       "put each data_source in its own file)\n",
		                       r->path, r->ds[0].doc, r->ds[0].name, cur->doc, cur->name);
		vb_buf_add(&r->warnings, w);
		free(w);
		ds_free(&r->ds[0]);
		r->nds = 0;
	}
	if (r->nds == r->capds) {
		r->capds = r->capds ? r->capds * 2 : 4;
		r->ds = vb_xrealloc(r->ds, (size_t)r->capds * sizeof *r->ds);
	}
	r->ds[r->nds++] = *cur;
	memset(cur, 0, sizeof *cur);
	return VB_OK;
}

/* The data_source mapping, streamed key by key.  *start is its MAPPING_START (consumed). */
static int data_source(struct sem_reader *r, yaml_event_t *start)
{
	struct sem_ds cur;
	memset(&cur, 0, sizeof cur);
	cur.doc = r->doc;
	cur.line = (int)start->start_mark.line + 1;
	cur.order_ok = 1;
	cur.last_list = -1;
	yaml_event_delete(start);
	struct ds_walk w = { .c = r->pass == 1 ? &cur : NULL, .use = r->pass == 2 ? used_ds(r, r->doc) : NULL };
	int st = VB_OK;
	if (w.use && r->sweep_tables) {
		struct semantic_object o;
		emit_table(r, w.use, &o);
		st = deliver(r, &o);
		obj_release(&o);
	}
	for (int end = 0; !st && !end;) {
		char key[64];
		int kline = 0, kcol = 0;
		yaml_event_t vev;
		st = ds_next_key(r, key, sizeof key, &kline, &kcol, &end);
		if (!st && !end && !(st = next_ev(r, &vev)))
			st = ds_value(r, &w, key, kline, kcol, &vev);
	}
	if (!st && r->pass == 1)
		st = ds_keep(r, &cur);
	ds_free(&cur);
	return st;
}

/* A document's `metric:` value, once the whole document is read (see root_map). */
static int metric_value(struct sem_reader *r, const struct yt_node *m)
{
	int st = VB_OK, skipped = 0;
	if (r->pass == 1) {
		st = metric_doc(r, m, NULL, &skipped);
		if (st == VB_OK && skipped) {
			char *w = vb_xasprintf("%s:%d:%d: document %d (metric): no name; skipped, as Datus skips it\n", r->path,
			                       m->line, m->col, r->doc);
			vb_buf_add(&r->warnings, w);
			free(w);
		} else if (st == VB_OK) {
			r->metric_docs++;
		}
	} else if (r->sweep_metrics) {
		struct semantic_object o;
		st = metric_doc(r, m, &o, &skipped);
		if (!st && !skipped) {
			st = deliver(r, &o);
			/* dimensions/entities are borrowed from the data source */
			memset(&o.dimensions, 0, sizeof o.dimensions);
			memset(&o.entities, 0, sizeof o.entities);
			obj_release(&o);
		}
	}
	return st;
}

/* A document's root mapping: `data_source:` and/or `metric:` plus anything else (skipped). */
/* A document's metric, judged once the document is read: Datus takes `metric` only from a
 * document without `data_source` (generation_hooks.py: `if "data_source" in doc: ... elif
 * "metric" in doc: ...`), so a metric beside a data_source is ignored, unchecked. */
static int document_metric(struct sem_reader *r, const struct yt_node *m, int had_ds)
{
	if (!had_ds)
		return metric_value(r, m);
	if (r->pass == 1) {
		char *w = vb_xasprintf("%s:%d:%d: document %d: 'metric:' beside 'data_source:' is ignored, as Datus ignores "
		                       "it; put the metric in its own document (---)\n",
		                       r->path, m->line, m->col, r->doc);
		vb_buf_add(&r->warnings, w);
		free(w);
	}
	return VB_OK;
}

/* One top-level value; *metric receives a `metric:` tree (replacing an earlier one). */
static int root_value(struct sem_reader *r, const char *key, yaml_event_t *vev, struct yt_node **metric)
{
	struct yamltree_error e;
	if (!strcmp(key, "data_source")) {
		if (vev->type != YAML_MAPPING_START_EVENT) {
			int st = rd_err(r, (int)vev->start_mark.line + 1, (int)vev->start_mark.column + 1, "data_source",
			                "'data_source' must be a mapping with name:, sql_table:, ..., found %s",
			                yamltree_event_kind_name(vev));
			yamltree_skip(&r->parser, vev, &e);
			return st;
		}
		return data_source(r, vev);
	}
	if (!strcmp(key, "metric")) {
		struct yt_node *m = yamltree_build(&r->parser, vev, &e);
		if (!m)
			return tree_err(r, &e);
		yamltree_free(*metric);
		*metric = m;
		return VB_OK;
	}
	if (r->pass == 1 && !r->dbt_doc &&
	    (!strcmp(key, "semantic_models") || !strcmp(key, "metrics") || !strcmp(key, "saved_queries"))) {
		r->dbt_doc = r->doc;
		snprintf(r->dbt_key, sizeof r->dbt_key, "%s", key);
	}
	return yamltree_skip(&r->parser, vev, &e) < 0 ? tree_err(r, &e) : VB_OK;
}

/* A document's root mapping: `data_source:` and/or `metric:` plus anything else (skipped). */
static int root_map(struct sem_reader *r)
{
	int had_ds = 0, had_metric = 0, st;
	struct yt_node *metric = NULL; /* handled at the end of the document, when had_ds is known */
	for (;;) {
		yaml_event_t kev, vev;
		if ((st = next_ev(r, &kev)))
			break;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			st = metric ? document_metric(r, metric, had_ds) : VB_OK;
			break;
		}
		if (kev.type != YAML_SCALAR_EVENT) {
			st = rd_err(r, (int)kev.start_mark.line + 1, (int)kev.start_mark.column + 1, NULL,
			            "a top-level key must be a text value");
			yaml_event_delete(&kev);
			break;
		}
		char key[64];
		snprintf(key, sizeof key, "%s", (char *)kev.data.scalar.value);
		int kline = (int)kev.start_mark.line + 1, kcol = (int)kev.start_mark.column + 1;
		yaml_event_delete(&kev);
		if ((st = next_ev(r, &vev)))
			break;
		int *seen = !strcmp(key, "data_source") ? &had_ds : !strcmp(key, "metric") ? &had_metric : NULL;
		if (seen && *seen)
			duplicate_key_warning(r, key, kline, kcol);
		if (seen)
			*seen = 1;
		if ((st = root_value(r, key, &vev, &metric)))
			break;
	}
	yamltree_free(metric);
	return st;
}

static int walk(struct sem_reader *r)
{
	yaml_event_t ev;
	int st;
	r->doc = 0;
	for (;;) {
		if ((st = next_ev(r, &ev)))
			return st;
		yaml_event_type_t t = ev.type;
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			return VB_OK;
		if (t != YAML_DOCUMENT_START_EVENT)
			continue; /* STREAM_START, DOCUMENT_END */
		r->doc++;
		if ((st = next_ev(r, &ev)))
			return st;
		if (ev.type == YAML_MAPPING_START_EVENT) {
			yaml_event_delete(&ev);
			if ((st = root_map(r)))
				return st;
		} else if (ev.type == YAML_SCALAR_EVENT && ev.data.scalar.length == 0 &&
		           ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			yaml_event_delete(&ev); /* empty document */
		} else {
			int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
			const char *k = yamltree_event_kind_name(&ev);
			struct yamltree_error e;
			if (ev.type == YAML_ALIAS_EVENT)
				yaml_event_delete(&ev);
			else
				yamltree_skip(&r->parser, &ev, &e);
			st = rd_err(r, line, col, NULL, "expected a mapping with data_source: or metric:, found %s", k);
			return rd_hint(r, "each document (separated by ---) holds one top-level 'data_source:' or 'metric:' "
			                  "mapping; see examples/semantic.yaml");
		}
	}
}

static int open_file(struct sem_reader *r)
{
	struct stat sb;
	const char *src = r->opt->read_path ? r->opt->read_path : r->path;
	if (stat(src, &sb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return vb_err_set(r->err, VB_ERR_NOT_FOUND, "Semantic YAML file %s not found", r->path);
		return vb_err_set(r->err, VB_ERR_IO, "Semantic YAML file %s cannot be read: %s", r->path, strerror(errno));
	}
	if (S_ISDIR(sb.st_mode))
		return vb_err_set(r->err, VB_ERR_INVALID, "Semantic YAML file %s is a directory; pass the .yaml file itself",
		                  r->path);
	r->f = fopen(src, "rb");
	if (!r->f)
		return vb_err_set(r->err, VB_ERR_IO, "Semantic YAML file %s cannot be read: %s", r->path, strerror(errno));
	if (!yaml_parser_initialize(&r->parser)) {
		fclose(r->f);
		r->f = NULL;
		return vb_err_set(r->err, VB_ERR_INTERNAL, "cannot initialise the YAML parser");
	}
	yaml_parser_set_input_file(&r->parser, r->f);
	return VB_OK;
}

static void close_file(struct sem_reader *r)
{
	if (!r->f)
		return;
	yaml_parser_delete(&r->parser);
	fclose(r->f);
	r->f = NULL;
}

static int run_pass(struct sem_reader *r, int pass)
{
	r->pass = pass;
	int st = open_file(r);
	if (st)
		return st;
	st = walk(r);
	close_file(r);
	return st;
}

static void reader_init(struct sem_reader *r, const char *path, const struct semantic_options *opt,
                        struct vb_error *err)
{
	memset(r, 0, sizeof *r);
	r->path = path;
	r->opt = opt;
	r->err = err;
	r->yaml_path = opt->yaml_path ? opt->yaml_path : path;
	vb_buf_init(&r->warnings);
	/* a metric of a file without data_source keeps the configured context as it is: Datus
	 * clears an unsupported schema only while it reads a data_source */
	r->defctx.catalog = vb_xstrdup(nz(opt->catalog));
	r->defctx.database = vb_xstrdup(nz(opt->database));
	r->defctx.schema = vb_xstrdup(nz(opt->schema));
	r->defctx.table = vb_xstrdup("");
	r->defctx.fq_name = vb_xstrdup("");
	if (opt->now) {
		snprintf(r->now, sizeof r->now, "%s", opt->now);
	} else {
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(r->now, sizeof r->now, "%Y-%m-%d %H:%M:%S", &tm);
	}
}

static void reader_free(struct sem_reader *r)
{
	close_file(r);
	for (int i = 0; i < r->nds; i++)
		ds_free(&r->ds[i]);
	free(r->ds);
	ds_free(&r->defctx);
	vb_buf_free(&r->warnings);
}

static int validate(struct sem_reader *r)
{
	int st = run_pass(r, 1);
	if (st)
		return st;
	if (r->ds_seen == 0 && r->metric_docs == 0) {
		r->doc = 0;
		vb_err_set(r->err, VB_ERR_INVALID, "%s: No data_source or metrics found in YAML file", r->path);
		if (r->dbt_doc)
			return rd_hint(r,
			               "document %d has '%s:', the dbt MetricFlow format, which is not supported. Convert "
			               "each semantic model to a legacy 'data_source:' document (name, sql_table: "
			               "db.schema.table instead of model: ref(...), dimensions, measures, and entities as "
			               "identifiers: with name/type/entity) and each metric to its own 'metric:' document, "
			               "separated by ---; see examples/semantic.yaml",
			               r->dbt_doc, r->dbt_key);
		return rd_hint(r, "expected YAML documents (separated by ---) with a top-level 'data_source:' or "
		                  "'metric:'; see examples/semantic.yaml");
	}
	if (r->dbt_doc) {
		char *w = vb_xasprintf("%s: document %d has '%s:' (dbt MetricFlow format), which is not read; only the "
		                       "legacy data_source:/metric: documents are loaded\n",
		                       r->path, r->dbt_doc, r->dbt_key);
		vb_buf_add(&r->warnings, w);
		free(w);
	}
	r->st.documents = r->doc;
	r->st.data_sources = r->ds_seen;
	r->st.data_sources_used = r->nds;
	if (r->opt->include_semantic_objects) {
		r->st.tables = r->nds;
		for (int i = 0; i < r->nds; i++)
			r->st.columns += r->ds[i].ncolumns;
	}
	if (r->opt->include_metrics)
		r->st.metrics = r->metric_docs;
	if (r->opt->warn && r->warnings.len) {
		char *s = r->warnings.data;
		for (char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
			*nl = '\0';
			r->opt->warn(r->opt->warn_ctx, s);
		}
	}
	return VB_OK;
}

int semantic_validate(const char *path, const struct semantic_options *opt, struct semantic_stats *stats,
                      struct vb_error *err)
{
	struct sem_reader r;
	vb_err_clear(err);
	reader_init(&r, path, opt, err);
	int st = validate(&r);
	if (stats)
		*stats = r.st;
	reader_free(&r);
	return st;
}

int semantic_read(const char *path, const struct semantic_options *opt, semantic_emit_fn emit, void *ctx,
                  struct semantic_stats *stats, struct vb_error *err)
{
	struct sem_reader r;
	vb_err_clear(err);
	reader_init(&r, path, opt, err);
	r.emit = emit;
	r.emit_ctx = ctx;
	int st = validate(&r);
	if (stats)
		*stats = r.st;
	if (st)
		goto out;
	int in_order = 1;
	unsigned lists = 0;
	for (int i = 0; i < r.nds; i++) {
		in_order &= r.ds[i].order_ok;
		lists |= r.ds[i].lists;
	}
	if (!opt->include_semantic_objects) {
		r.sweep_metrics = opt->include_metrics;
		st = r.sweep_metrics ? run_pass(&r, 2) : VB_OK;
	} else if (in_order) {
		r.sweep_tables = 1;
		r.sweep_lists = 7;
		r.sweep_metrics = opt->include_metrics;
		st = run_pass(&r, 2);
	} else {
		/* one sweep per list keeps the spec's row order: dimensions, measures, identifiers;
		 * metrics ride along with the last sweep */
		int last = 0;
		for (int l = 1; l < L_COUNT; l++)
			if (lists & (1u << l))
				last = l;
		for (int l = 0; l <= last && !st; l++) {
			if (l > 0 && !(lists & (1u << l)))
				continue;
			r.sweep_tables = l == 0;
			r.sweep_lists = 1u << l;
			r.sweep_metrics = l == last && opt->include_metrics;
			st = run_pass(&r, 2);
		}
	}
	if (!st && (r.out_tables != r.st.tables || r.out_columns != r.st.columns || r.out_metrics != r.st.metrics)) {
		st = vb_err_set(err, VB_ERR_IO, "%s changed while it was being read (%ld/%ld/%ld rows instead of %ld/%ld/%ld)",
		                path, r.out_tables, r.out_columns, r.out_metrics, r.st.tables, r.st.columns, r.st.metrics);
		rd_hint(&r, "run the command again once the file is no longer being written");
	}
out:
	reader_free(&r);
	return st;
}

/* ---------------------------------------------------------------- copies */

static void list_dup(struct semantic_strlist *dst, const struct semantic_strlist *src)
{
	dst->items = NULL;
	dst->n = 0;
	for (int i = 0; i < src->n; i++)
		list_push(dst, src->items[i]);
}

struct semantic_object *semantic_object_dup(const struct semantic_object *o)
{
	struct semantic_object *c = vb_xmalloc(sizeof *c);
	*c = *o;
	char **strs[] = {&c->id, &c->name, &c->description, &c->semantic_model_name, &c->catalog_name,
	                 &c->database_name, &c->schema_name, &c->yaml_path, &c->updated_at, &c->fq_name,
	                 &c->table_name, &c->expr, &c->column_type, &c->agg, &c->agg_time_dimension,
	                 &c->time_granularity, &c->entity, &c->metric_type, &c->measure_expr, &c->sql,
	                 &c->created_at};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		*strs[i] = vb_xstrdup(*strs[i]);
	list_dup(&c->base_measures, &o->base_measures);
	list_dup(&c->dimensions, &o->dimensions);
	list_dup(&c->entities, &o->entities);
	list_dup(&c->subject_path, &o->subject_path);
	return c;
}

void semantic_object_free(struct semantic_object *o)
{
	if (!o)
		return;
	char *strs[] = {o->id, o->name, o->description, o->semantic_model_name, o->catalog_name, o->database_name,
	                o->schema_name, o->yaml_path, o->updated_at, o->fq_name, o->table_name, o->expr,
	                o->column_type, o->agg, o->agg_time_dimension, o->time_granularity, o->entity,
	                o->metric_type, o->measure_expr, o->sql, o->created_at};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(strs[i]);
	list_free(&o->base_measures);
	list_free(&o->dimensions);
	list_free(&o->entities);
	list_free(&o->subject_path);
	free(o);
}

int semantic_list_collect(void *list, const struct semantic_object *obj, struct vb_error *err)
{
	(void)err;
	struct semantic_list *l = list;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = vb_xrealloc(l->items, l->cap * sizeof *l->items);
	}
	l->items[l->n++] = semantic_object_dup(obj);
	return VB_OK;
}

void semantic_list_free(struct semantic_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		semantic_object_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

/* ---------------------------------------------------------------- rows for the backend */

enum fkind { F_STR, F_BOOL, F_LIST, F_KIND };
#define SO(f) offsetof(struct semantic_object, f)
static const struct {
	const char *col;
	int kind;
	size_t off;
} semantic_fields[] = {
	{"id", F_STR, SO(id)},
	{"kind", F_KIND, 0},
	{"name", F_STR, SO(name)},
	{"fq_name", F_STR, SO(fq_name)},
	{"semantic_model_name", F_STR, SO(semantic_model_name)},
	{"catalog_name", F_STR, SO(catalog_name)},
	{"database_name", F_STR, SO(database_name)},
	{"schema_name", F_STR, SO(schema_name)},
	{"table_name", F_STR, SO(table_name)},
	{"description", F_STR, SO(description)},
	{"is_dimension", F_BOOL, SO(is_dimension)},
	{"is_measure", F_BOOL, SO(is_measure)},
	{"is_entity_key", F_BOOL, SO(is_entity_key)},
	{"is_deprecated", F_BOOL, SO(is_deprecated)},
	{"expr", F_STR, SO(expr)},
	{"column_type", F_STR, SO(column_type)},
	{"agg", F_STR, SO(agg)},
	{"create_metric", F_BOOL, SO(create_metric)},
	{"agg_time_dimension", F_STR, SO(agg_time_dimension)},
	{"is_partition", F_BOOL, SO(is_partition)},
	{"time_granularity", F_STR, SO(time_granularity)},
	{"entity", F_STR, SO(entity)},
	{"yaml_path", F_STR, SO(yaml_path)},
	{"updated_at", F_STR, SO(updated_at)},
	{"created_at", F_STR, SO(created_at)},
	{"metric_type", F_STR, SO(metric_type)},
	{"measure_expr", F_STR, SO(measure_expr)},
	{"sql", F_STR, SO(sql)},
	{"base_measures", F_LIST, SO(base_measures)},
	{"dimensions", F_LIST, SO(dimensions)},
	{"entities", F_LIST, SO(entities)},
};

/* The cell of one semantic_fields entry, read from obj at the entry's offset; left NULL when
 * the object has no value for it. */
static void field_value(const struct semantic_object *obj, int kind, size_t off, struct vb_value *v)
{
	const char *base = (const char *)obj;
	switch (kind) {
	case F_KIND:
		v->is_null = 0;
		v->u.s = obj->kind_name;
		break;
	case F_STR: {
		const char *s = *(char *const *)(base + off);
		if (s) {
			v->is_null = 0;
			v->u.s = s;
		}
		break;
	}
	case F_BOOL: {
		int b = *(const int *)(base + off);
		if (b != SEMANTIC_NULL) {
			v->is_null = 0;
			v->u.b = b;
		}
		break;
	}
	case F_LIST: {
		const struct semantic_strlist *l = (const void *)(base + off);
		/* metrics rows always carry their lists, empty or not */
		if (obj->kind == SEMANTIC_METRIC) {
			v->is_null = 0;
			v->u.arr.items = (const char *const *)l->items;
			v->u.arr.n = l->n;
		}
		break;
	}
	}
}

void semantic_object_values(const struct semantic_object *obj, const struct vb_table_spec *spec, const float *vec,
                            int64_t subject_node_id, struct vb_value *cells)
{
	for (int c = 0; c < spec->ncolumns; c++) {
		const struct vb_column *col = &spec->columns[c];
		struct vb_value *v = &cells[c];
		memset(v, 0, sizeof *v);
		v->type = col->type;
		v->is_null = 1;
		if (spec->vector_column && !strcmp(col->name, spec->vector_column)) {
			if (vec) {
				v->is_null = 0;
				v->u.vec.v = vec;
				v->u.vec.dim = spec->vector_dim;
			}
			continue;
		}
		if (!strcmp(col->name, "subject_node_id")) {
			if (subject_node_id >= 0) {
				v->is_null = 0;
				v->u.i = subject_node_id;
			}
			continue;
		}
		for (size_t i = 0; i < sizeof semantic_fields / sizeof semantic_fields[0]; i++)
			if (strcmp(col->name, semantic_fields[i].col) == 0) {
				field_value(obj, semantic_fields[i].kind, semantic_fields[i].off, v);
				break;
			}
	}
}
