/* kb/metric_fallback.c - semantic_model_name, dimensions and entities of a metric from the
 * semantic model already stored (see the header for the Datus code it follows). */
#include "metric_fallback.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_filter.h"
#include "../backends/vb_util.h"

/* A stored boolean as a backend prints it: "t"/"f" (PostgreSQL), "true"/"false", "1"/"0". */
static int cell_true(const char *s)
{
	return s && (!strcmp(s, "t") || !strcmp(s, "true") || !strcmp(s, "1"));
}

static int col_index(const struct vb_result *r, const char *name)
{
	for (int i = 0; i < r->ncols; i++)
		if (!strcmp(r->cols[i], name))
			return i;
	return -1;
}

static const char *cell(const struct vb_result *r, size_t row, const char *name)
{
	int c = col_index(r, name);
	return c < 0 ? NULL : r->cells[row * (size_t)r->ncols + (size_t)c];
}

static struct vb_filter *and2(struct vb_filter *a, struct vb_filter *b)
{
	struct vb_filter *k[2] = {a, b}; /* the nodes pass to the group; the array is copied */
	return vb_filter_and(k, 2);
}

static struct vb_filter *and_eq(struct vb_filter *f, const char *field, const char *text)
{
	return and2(f, vb_filter_eq_text(field, text));
}

static int query(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                 struct vb_filter *where, const char *const *select, int64_t limit, struct vb_result **out,
                 struct vb_error *err)
{
	*out = NULL;
	int st = ops->search_all(h, spec, where, select, limit, out, err);
	vb_filter_free(where);
	return st;
}

/* Step 1: the table holding measure m, or NULL. */
static int measure_table(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                         const char *m, char **table, struct vb_error *err)
{
	struct vb_value yes = {.type = VB_T_BOOL};
	yes.u.b = 1;
	struct vb_filter *f = and_eq(vb_filter_eq_text("kind", "column"), "name", m);
	f = and2(f, vb_filter_cond("is_measure", VB_OP_EQ, yes));
	static const char *const sel[] = {"table_name", NULL};
	struct vb_result *r;
	int st = query(ops, h, spec, f, sel, 1, &r, err);
	*table = NULL;
	if (st == VB_OK && r->nrows > 0)
		*table = vb_xstrdup(cell(r, 0, "table_name"));
	if (r)
		ops->result_free(h, &r);
	return st;
}

static int table_row(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                     const char *t, struct vb_result **row, struct vb_error *err)
{
	static const char *const sel[] = {"table_name", "catalog_name", "database_name", "schema_name", NULL};
	struct vb_filter *f = and_eq(vb_filter_eq_text("kind", "table"), "table_name", t);
	return query(ops, h, spec, f, sel, 1, row, err);
}

/* Step 2: get_semantic_model's table lookup, with its lower-case retry. */
static int find_table_row(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                          const char *t, struct vb_result **row, struct vb_error *err)
{
	int st = table_row(ops, h, spec, t, row, err);
	if (st != VB_OK || (*row)->nrows > 0)
		return st;
	char *lower = vb_xstrdup(t);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(lower, t) != 0) {
		ops->result_free(h, row);
		st = table_row(ops, h, spec, lower, row, err);
	}
	free(lower);
	return st;
}

static void push(struct semantic_strlist *l, const char *s)
{
	l->items = vb_xrealloc(l->items, (size_t)(l->n + 1) * sizeof *l->items);
	l->items[l->n++] = vb_xstrdup(s);
}

/* Step 3: the table's column rows into dimensions and entities. */
static int children(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                    const struct vb_result *trow, struct semantic_object *o, struct vb_error *err)
{
	struct vb_filter *f = and_eq(vb_filter_eq_text("kind", "column"), "table_name", cell(trow, 0, "table_name"));
	static const char *const ctx[] = {"catalog_name", "database_name", "schema_name"};
	for (int i = 0; i < 3; i++) {
		const char *v = cell(trow, 0, ctx[i]);
		if (v && *v)
			f = and_eq(f, ctx[i], v);
	}
	static const char *const sel[] = {"name", "is_dimension", "is_measure", "is_entity_key", NULL};
	struct vb_result *r;
	int st = query(ops, h, spec, f, sel, 0, &r, err);
	for (size_t i = 0; st == VB_OK && i < r->nrows; i++) {
		const char *name = cell(r, i, "name");
		if (!name || !*name)
			continue;
		if (cell_true(cell(r, i, "is_dimension")))
			push(&o->dimensions, name);
		else if (!cell_true(cell(r, i, "is_measure")) && cell_true(cell(r, i, "is_entity_key")))
			push(&o->entities, name);
	}
	if (r)
		ops->result_free(h, &r);
	return st;
}

static void say(void (*warn)(void *, const char *), void *ctx, const char *fmt, const char *a, const char *b)
{
	if (!warn)
		return;
	char *m = vb_xasprintf(fmt, a, b);
	warn(ctx, m);
	free(m);
}

int kb_metric_fallback(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *semantic_spec,
                       struct semantic_object *o, void (*warn)(void *ctx, const char *message), void *warn_ctx,
                       struct vb_error *err)
{
	if (!o->kb_fallback || o->base_measures.n == 0)
		return VB_OK;
	const char *m = o->base_measures.items[0];
	int exists = 0;
	int st = ops->table_exists(h, semantic_spec->name, &exists, err);
	if (st != VB_OK)
		return st;
	char *table = NULL;
	if (exists && (st = measure_table(ops, h, semantic_spec, m, &table, err)) != VB_OK)
		return st;
	if (!table || !*table) {
		say(warn, warn_ctx, "metric '%s': no semantic model in this namespace holds its measure '%s'; its "
		                    "semantic_model_name, dimensions and entities stay empty (load the semantic model "
		                    "first, then the metrics)", o->name, m);
		free(table);
		return VB_OK;
	}
	free(o->semantic_model_name);
	o->semantic_model_name = table;
	struct vb_result *trow = NULL;
	st = find_table_row(ops, h, semantic_spec, table, &trow, err);
	if (st == VB_OK && trow->nrows > 0)
		st = children(ops, h, semantic_spec, trow, o, err);
	if (trow)
		ops->result_free(h, &trow);
	return st;
}
