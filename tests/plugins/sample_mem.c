/* tests/plugins/sample_mem.c - "sample", a third-party backend built as vb_sample.so.
 *
 * It proves the extension path of docs/extending.md end to end: it is compiled apart from
 * vbadmin against backends/vb.h only (plus the vb_util helpers), found by name on
 * VBADMIN_PLUGIN_PATH, ABI-checked by the loader, and must pass the same contract suite as
 * the shipped backends.  The store is deliberately naive: rows live in memory while any
 * handle is open, vector search is an exact cosine scan, text search is whole-word matching
 * with every query word required (as plainto_tsquery), hybrid uses the spec formula. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../backends/vb.h"
#include "../../backends/vb_filter.h"
#include "../../backends/vb_util.h"

#define SAMPLE_VERSION "sample 1.0 (in-memory)"
#define NS_COL (-2) /* column index of the implied namespace column */

struct mrow {
	char *ns;                /* NULL on tables without a namespace column */
	struct vb_value *cells;  /* ncols owned copies */
};

struct mtable {
	char *name;
	int ncols;
	char **cols;
	int *types;
	int *not_null;
	int vec_col;             /* -1 when none */
	int dim;
	int *fts;                /* columns searched by text */
	int nfts;
	int namespaced;
	struct mrow *rows;
	size_t nrows, cap;
	struct mtable *next;
};

struct vb_handle {
	char *ns;
};

/* One store per process, shared by every handle so two namespaces can share a table; freed
 * when the last handle closes. */
static struct mtable *tables;
static int nhandles;

/* ---- values ---- */

static void val_free(struct vb_value *v)
{
	if (v->is_null)
		return;
	switch (v->type) {
	case VB_T_TEXT:
	case VB_T_TIMESTAMP: free((char *)v->u.s); break;
	case VB_T_VECTOR: free((float *)v->u.vec.v); break;
	case VB_T_TEXT_ARRAY:
		for (int i = 0; i < v->u.arr.n; i++)
			free((char *)v->u.arr.items[i]);
		free((char **)v->u.arr.items);
		break;
	default: break;
	}
}

/* Copies `in` into a cell of column type `type`, widening INT to DOUBLE. */
static struct vb_value val_copy(const struct vb_value *in, int type)
{
	struct vb_value v = {.type = type, .is_null = in->is_null};
	if (in->is_null)
		return v;
	switch (type) {
	case VB_T_TEXT:
	case VB_T_TIMESTAMP: v.u.s = vb_xstrdup(in->u.s ? in->u.s : ""); break;
	case VB_T_INT: v.u.i = in->u.i; break;
	case VB_T_DOUBLE: v.u.d = in->type == VB_T_INT ? (double)in->u.i : in->u.d; break;
	case VB_T_BOOL: v.u.b = in->u.b; break;
	case VB_T_VECTOR: {
		float *f = vb_xmalloc(sizeof *f * (size_t)(in->u.vec.dim ? in->u.vec.dim : 1));
		memcpy(f, in->u.vec.v, sizeof *f * (size_t)in->u.vec.dim);
		v.u.vec.v = f;
		v.u.vec.dim = in->u.vec.dim;
		break;
	}
	case VB_T_TEXT_ARRAY: {
		char **items = vb_xcalloc((size_t)in->u.arr.n + 1, sizeof *items);
		for (int i = 0; i < in->u.arr.n; i++)
			items[i] = vb_xstrdup(in->u.arr.items[i]);
		v.u.arr.items = (const char *const *)items;
		v.u.arr.n = in->u.arr.n;
		break;
	}
	}
	return v;
}

static const char *type_name(int t)
{
	static const char *const names[] = {"text", "integer", "double", "boolean", "timestamp", "text[]", "vector"};
	return t >= 0 && t <= VB_T_VECTOR ? names[t] : "?";
}

static int type_fits(int col, int val)
{
	return col == val || (col == VB_T_DOUBLE && val == VB_T_INT) || (col == VB_T_TIMESTAMP && val == VB_T_TEXT);
}

/* Text form of a cell for results; NULL for SQL NULL. */
static char *val_text(const struct vb_value *v)
{
	if (v->is_null)
		return NULL;
	switch (v->type) {
	case VB_T_TEXT:
	case VB_T_TIMESTAMP: return vb_xstrdup(v->u.s);
	case VB_T_INT: return vb_xasprintf("%lld", (long long)v->u.i);
	case VB_T_DOUBLE: return vb_xasprintf("%.17g", v->u.d);
	case VB_T_BOOL: return vb_xstrdup(v->u.b ? "true" : "false");
	case VB_T_VECTOR: return vb_vector_to_text(v->u.vec.v, v->u.vec.dim);
	default: {
		struct vb_buf b;
		vb_buf_init(&b);
		vb_buf_addc(&b, '{');
		for (int i = 0; i < v->u.arr.n; i++)
			vb_buf_printf(&b, "%s%s", i ? "," : "", v->u.arr.items[i]);
		vb_buf_addc(&b, '}');
		return vb_buf_steal(&b);
	}
	}
}

/* ---- tables ---- */

static struct mtable *table_find(const char *name)
{
	for (struct mtable *t = tables; t; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static int col_index(const struct mtable *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i], name) == 0)
			return i;
	if (t->namespaced && strcmp(name, "namespace") == 0)
		return NS_COL;
	return -1;
}

static void row_free(const struct mtable *t, struct mrow *r)
{
	for (int c = 0; c < t->ncols; c++)
		val_free(&r->cells[c]);
	free(r->cells);
	free(r->ns);
}

static void table_free(struct mtable *t)
{
	for (size_t r = 0; r < t->nrows; r++)
		row_free(t, &t->rows[r]);
	for (int c = 0; c < t->ncols; c++)
		free(t->cols[c]);
	free(t->rows);
	free(t->cols);
	free(t->types);
	free(t->not_null);
	free(t->fts);
	free(t->name);
	free(t);
}

static int get_table(const struct vb_table_spec *spec, struct mtable **out, struct vb_error *err)
{
	*out = spec && spec->name ? table_find(spec->name) : NULL;
	if (!*out)
		return vb_err_set(err, VB_ERR_NOT_FOUND, "Table %s does not exist.", spec && spec->name ? spec->name : "(null)");
	return VB_OK;
}

static int row_visible(const struct vb_handle *h, const struct mtable *t, const struct mrow *r)
{
	return !t->namespaced || strcmp(r->ns, h->ns) == 0;
}

/* ---- filters: SQL three-valued logic so NOT and NULL behave as in the SQL backends ---- */

enum { F_FALSE = 0, F_TRUE = 1, F_UNKNOWN = 2 };

static int check_filter(const struct mtable *t, const struct vb_filter *f, struct vb_error *err)
{
	if (!f)
		return VB_OK;
	switch (f->kind) {
	case VB_F_COND: {
		int c = f->field ? col_index(t, f->field) : -1;
		if (c == -1)
			return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' in filter", f->field ? f->field : "");
		int type = c == NS_COL ? VB_T_TEXT : t->types[c];
		if (type == VB_T_TEXT_ARRAY)
			return vb_err_set(err, VB_ERR_INVALID, "column '%s' (%s) cannot be used in a filter", f->field,
			                  type_name(type));
		int rc = vb_filter_cond_rules(f, type == VB_T_VECTOR, err); /* what every backend refuses alike */
		if (rc != VB_OK)
			return rc;
		if (f->op < VB_OP_EQ || f->op > VB_OP_LIKE)
			return vb_err_set(err, VB_ERR_INVALID, "Unsupported operator: %d", f->op);
		if (f->op != VB_OP_IN && f->value.is_null && f->op != VB_OP_EQ && f->op != VB_OP_NE)
			return vb_err_set(err, VB_ERR_INVALID, "Operator is invalid with NULL (field: %s)", f->field);
		return VB_OK;
	}
	case VB_F_NOT:
		if (f->nkids != 1)
			return vb_err_set(err, VB_ERR_INVALID, "NOT takes exactly one operand");
		return check_filter(t, f->kids[0], err);
	case VB_F_AND:
	case VB_F_OR:
		for (size_t i = 0; i < f->nkids; i++) {
			int rc = check_filter(t, f->kids[i], err);
			if (rc != VB_OK)
				return rc;
		}
		return VB_OK;
	default:
		return vb_err_set(err, VB_ERR_INVALID, "Unsupported filter node: %d", f->kind);
	}
}

/* SQL LIKE: % any run, _ one character, a backslash makes the next character literal (as
 * PostgreSQL's default escape), case-sensitive.  A lone trailing backslash is refused earlier. */
static int like_match(const char *s, const char *p)
{
	for (; *p; p++, s++) {
		if (*p == '%') {
			while (p[1] == '%')
				p++;
			if (!p[1])
				return 1;
			for (; *s; s++)
				if (like_match(s, p + 1))
					return 1;
			return 0;
		}
		int literal = *p == '\\' && p[1];
		if (literal)
			p++;
		if (!*s || ((literal || *p != '_') && *p != *s))
			return 0;
	}
	return *s == '\0';
}

/* <0, 0, >0; the literal is converted to the column's kind. */
static int compare(const struct vb_value *cell, int type, const struct vb_value *lit)
{
	if (type == VB_T_INT || type == VB_T_DOUBLE) {
		double a = type == VB_T_INT ? (double)cell->u.i : cell->u.d;
		double b = lit->type == VB_T_INT ? (double)lit->u.i
		         : lit->type == VB_T_DOUBLE ? lit->u.d
		         : lit->type == VB_T_BOOL ? lit->u.b
		         : strtod(lit->u.s ? lit->u.s : "", NULL);
		return (a > b) - (a < b);
	}
	if (type == VB_T_BOOL) {
		int b = lit->type == VB_T_BOOL ? lit->u.b : lit->type == VB_T_INT ? lit->u.i != 0
		      : (lit->u.s && (lit->u.s[0] == 't' || lit->u.s[0] == 'T'));
		return (cell->u.b != 0) - (b != 0);
	}
	char num[64];
	const char *s = lit->u.s;
	if (lit->type == VB_T_INT) {
		snprintf(num, sizeof num, "%lld", (long long)lit->u.i);
		s = num;
	} else if (lit->type == VB_T_DOUBLE) {
		snprintf(num, sizeof num, "%.17g", lit->u.d);
		s = num;
	} else if (lit->type == VB_T_BOOL) {
		s = lit->u.b ? "true" : "false";
	}
	return strcmp(cell->u.s, s ? s : "");
}

/* SQL's IN: a NULL cell matches only a NULL in the list, and makes a non-match UNKNOWN. */
static int eval_in(const struct vb_value *cell, int type, const struct vb_filter *f)
{
	int res = F_FALSE;
	for (size_t i = 0; i < f->nlist; i++) {
		if (f->list[i].is_null) {
			if (cell->is_null)
				return F_TRUE;
		} else if (cell->is_null) {
			res = F_UNKNOWN;
		} else if (compare(cell, type, &f->list[i]) == 0) {
			return F_TRUE;
		}
	}
	return res;
}

static int eval_cond(const struct mtable *t, const struct mrow *r, const struct vb_filter *f)
{
	int c = col_index(t, f->field);
	struct vb_value nsv = {.type = VB_T_TEXT, .is_null = 0};
	nsv.u.s = r->ns;
	const struct vb_value *cell = c == NS_COL ? &nsv : &r->cells[c];
	int type = c == NS_COL ? VB_T_TEXT : t->types[c];
	if (f->op == VB_OP_IN)
		return eval_in(cell, type, f);
	if (f->value.is_null)
		return (f->op == VB_OP_EQ) == (cell->is_null != 0) ? F_TRUE : F_FALSE;
	if (cell->is_null)
		return F_UNKNOWN;
	if (f->op == VB_OP_LIKE) {
		char *s = val_text(cell);
		int m = like_match(s, f->value.type == VB_T_TEXT && f->value.u.s ? f->value.u.s : "");
		free(s);
		return m ? F_TRUE : F_FALSE;
	}
	int k = compare(cell, type, &f->value);
	int m = f->op == VB_OP_EQ ? k == 0 : f->op == VB_OP_NE ? k != 0 : f->op == VB_OP_GT ? k > 0
	      : f->op == VB_OP_GTE ? k >= 0 : f->op == VB_OP_LT ? k < 0 : k <= 0;
	return m ? F_TRUE : F_FALSE;
}

static int eval(const struct mtable *t, const struct mrow *r, const struct vb_filter *f);

/* Three-valued AND (all = 1) or OR (all = 0): the deciding value ends the walk, UNKNOWN otherwise
 * wins over the identity. */
static int eval_group(const struct mtable *t, const struct mrow *r, const struct vb_filter *f, int all)
{
	int decides = all ? F_FALSE : F_TRUE;
	int res = all ? F_TRUE : F_FALSE;
	for (size_t i = 0; i < f->nkids; i++) {
		int v = eval(t, r, f->kids[i]);
		if (v == decides)
			return decides;
		if (v == F_UNKNOWN)
			res = F_UNKNOWN;
	}
	return res;
}

static int eval(const struct mtable *t, const struct mrow *r, const struct vb_filter *f)
{
	switch (f->kind) {
	case VB_F_COND:
		return eval_cond(t, r, f);
	case VB_F_NOT: {
		int v = eval(t, r, f->kids[0]);
		return v == F_UNKNOWN ? F_UNKNOWN : !v;
	}
	case VB_F_AND:
		return eval_group(t, r, f, 1);
	default:
		return eval_group(t, r, f, 0);
	}
}

static int row_matches(const struct vb_handle *h, const struct mtable *t, const struct mrow *r,
                       const struct vb_filter *where)
{
	return row_visible(h, t, r) && (!where || eval(t, r, where) == F_TRUE);
}

/* ---- lifecycle ---- */

static const char *sample_version(void)
{
	return SAMPLE_VERSION;
}

static int sample_open(const struct vb_config *cfg, struct vb_handle **out, struct vb_error *err)
{
	(void)err;
	struct vb_handle *h = vb_xcalloc(1, sizeof *h);
	h->ns = vb_xstrdup(cfg && cfg->namespace && *cfg->namespace ? cfg->namespace : "default");
	nhandles++;
	*out = h;
	return VB_OK;
}

static void sample_close(struct vb_handle **h)
{
	if (!h || !*h)
		return;
	free((*h)->ns);
	free(*h);
	*h = NULL;
	if (--nhandles == 0) {
		while (tables) {
			struct mtable *next = tables->next;
			table_free(tables);
			tables = next;
		}
	}
}

/* ---- schema ---- */

static int sample_ensure_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	(void)h;
	if (!spec || !spec->name || !*spec->name || spec->ncolumns <= 0)
		return vb_err_set(err, VB_ERR_INVALID, "ensure_table needs a table spec with a name and columns");
	struct mtable *t = table_find(spec->name);
	if (t) {
		struct vb_buf missing;
		vb_buf_init(&missing);
		for (int i = 0; i < spec->ncolumns; i++)
			if (col_index(t, spec->columns[i].name) < 0)
				vb_buf_printf(&missing, "%s%s", missing.len ? ", " : "", spec->columns[i].name);
		if (missing.len) {
			vb_err_set(err, VB_ERR_SCHEMA, "Table %s missing columns: %s", spec->name, missing.data);
			vb_buf_free(&missing);
			return VB_ERR_SCHEMA;
		}
		vb_buf_free(&missing);
		if (spec->vector_column && t->vec_col >= 0 && spec->vector_dim != t->dim)
			return vb_err_set(err, VB_ERR_SCHEMA, "Table %s column %s has %d dimensions, expected %d", spec->name,
			                  spec->vector_column, t->dim, spec->vector_dim);
		return VB_OK;
	}
	if (spec->vector_column && spec->vector_dim <= 0)
		return vb_err_set(err, VB_ERR_INVALID, "table %s: vector dimension must be positive", spec->name);
	t = vb_xcalloc(1, sizeof *t);
	t->name = vb_xstrdup(spec->name);
	t->ncols = spec->ncolumns;
	t->cols = vb_xcalloc((size_t)t->ncols, sizeof *t->cols);
	t->types = vb_xcalloc((size_t)t->ncols, sizeof *t->types);
	t->not_null = vb_xcalloc((size_t)t->ncols, sizeof *t->not_null);
	t->fts = vb_xcalloc((size_t)t->ncols, sizeof *t->fts);
	t->vec_col = -1;
	t->namespaced = spec->namespaced;
	t->dim = spec->vector_dim;
	for (int i = 0; i < t->ncols; i++) {
		t->cols[i] = vb_xstrdup(spec->columns[i].name);
		t->types[i] = spec->columns[i].type;
		t->not_null[i] = spec->columns[i].not_null;
		if (spec->vector_column && strcmp(spec->vector_column, t->cols[i]) == 0)
			t->vec_col = i;
	}
	if (spec->fts_columns) {
		for (int k = 0; spec->fts_columns[k]; k++) {
			int c = col_index(t, spec->fts_columns[k]);
			if (c >= 0)
				t->fts[t->nfts++] = c;
		}
	} else if (spec->text_source) {
		int c = col_index(t, spec->text_source);
		if (c >= 0)
			t->fts[t->nfts++] = c;
	}
	t->next = tables;
	tables = t;
	return VB_OK;
}

static int sample_table_exists(struct vb_handle *h, const char *table, int *exists, struct vb_error *err)
{
	(void)h;
	(void)err;
	*exists = table && table_find(table) != NULL;
	return VB_OK;
}

static void remove_rows(struct mtable *t, const char *const *drop_flags, size_t *removed)
{
	size_t w = 0;
	*removed = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		if (drop_flags[r]) {
			row_free(t, &t->rows[r]);
			(*removed)++;
		} else {
			t->rows[w++] = t->rows[r];
		}
	}
	t->nrows = w;
}

static int delete_matching(struct vb_handle *h, struct mtable *t, const struct vb_filter *where, int64_t *affected)
{
	const char **flags = vb_xcalloc(t->nrows ? t->nrows : 1, sizeof *flags);
	for (size_t r = 0; r < t->nrows; r++)
		flags[r] = row_matches(h, t, &t->rows[r], where) ? "x" : NULL;
	size_t removed;
	remove_rows(t, flags, &removed);
	free(flags);
	if (affected)
		*affected = (int64_t)removed;
	return VB_OK;
}

static int sample_drop(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	(void)err;
	struct mtable *t = spec && spec->name ? table_find(spec->name) : NULL;
	return t ? delete_matching(h, t, NULL, NULL) : VB_OK; /* a missing table is a no-op */
}

/* ---- writes: every row is checked before any is stored, so a bad batch writes nothing ---- */

/* full_rows: the rows are whole new rows, so every NOT NULL column must be given (update
 * passes 0: unnamed columns keep their values). */
static int check_rows(struct vb_handle *h, const struct mtable *t, const struct vb_rows *rows, int *map,
                      int full_rows, struct vb_error *err)
{
	for (int c = 0; c < rows->ncols; c++) {
		map[c] = rows->cols[c] ? col_index(t, rows->cols[c]) : -1;
		if (map[c] == -1)
			return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' in table %s", rows->cols[c] ? rows->cols[c] : "",
			                  t->name);
		for (int k = 0; k < c; k++)
			if (map[k] == map[c])
				return vb_err_set(err, VB_ERR_INVALID, "column '%s' given twice", rows->cols[c]);
	}
	for (size_t r = 0; r < rows->nrows; r++) {
		for (int c = 0; c < rows->ncols; c++) {
			const struct vb_value *v = &rows->cells[r * (size_t)rows->ncols + (size_t)c];
			if (map[c] == NS_COL) {
				if (!v->is_null && v->type == VB_T_TEXT && v->u.s && strcmp(v->u.s, h->ns) != 0)
					return vb_err_set(err, VB_ERR_MISMATCH, "namespace mismatch for table %s: %s != %s", t->name,
					                  v->u.s, h->ns);
				continue;
			}
			int type = t->types[map[c]];
			if (v->is_null) {
				if (t->not_null[map[c]])
					return vb_err_set(err, VB_ERR_INVALID, "column '%s' of table %s cannot be NULL (row %zu)",
					                  rows->cols[c], t->name, r + 1);
				continue;
			}
			if (!type_fits(type, v->type))
				return vb_err_set(err, VB_ERR_INVALID, "column '%s' is %s, row %zu gives %s", rows->cols[c],
				                  type_name(type), r + 1, type_name(v->type));
			if (type == VB_T_VECTOR && v->u.vec.dim != t->dim)
				return vb_err_set(err, VB_ERR_INVALID, "expected %d dimensions, not %d (column %s, row %zu)", t->dim,
				                  v->u.vec.dim, rows->cols[c], r + 1);
		}
	}
	for (int c = 0; full_rows && c < t->ncols; c++) {
		if (!t->not_null[c])
			continue;
		int given = 0;
		for (int k = 0; k < rows->ncols; k++)
			given |= map[k] == c;
		if (!given && rows->nrows)
			return vb_err_set(err, VB_ERR_INVALID, "column '%s' of table %s cannot be NULL", t->cols[c], t->name);
	}
	return VB_OK;
}

static void fill_row(struct vb_handle *h, const struct mtable *t, const struct vb_rows *rows, const int *map, size_t r,
                     struct mrow *out)
{
	out->ns = t->namespaced ? vb_xstrdup(h->ns) : NULL;
	out->cells = vb_xcalloc((size_t)t->ncols, sizeof *out->cells);
	for (int c = 0; c < t->ncols; c++)
		out->cells[c] = (struct vb_value){.type = t->types[c], .is_null = 1};
	for (int c = 0; c < rows->ncols; c++)
		if (map[c] >= 0)
			out->cells[map[c]] = val_copy(&rows->cells[r * (size_t)rows->ncols + (size_t)c], t->types[map[c]]);
}

static void append_row(struct mtable *t, struct mrow row)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->rows = vb_xrealloc(t->rows, t->cap * sizeof *t->rows);
	}
	t->rows[t->nrows++] = row;
}

static int sample_add(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows,
                      struct vb_error *err)
{
	struct mtable *t;
	int rc = get_table(spec, &t, err);
	if (rc != VB_OK || !rows || rows->nrows == 0)
		return rc;
	int *map = vb_xcalloc((size_t)rows->ncols + 1, sizeof *map);
	rc = check_rows(h, t, rows, map, 1, err);
	for (size_t r = 0; rc == VB_OK && r < rows->nrows; r++) {
		struct mrow row;
		fill_row(h, t, rows, map, r, &row);
		append_row(t, row);
	}
	free(map);
	return rc;
}

static int sample_upsert(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows,
                         const char *on_column, struct vb_error *err)
{
	struct mtable *t;
	int rc = get_table(spec, &t, err);
	if (rc != VB_OK || !rows || rows->nrows == 0)
		return rc;
	int key = on_column ? col_index(t, on_column) : -1;
	if (key < 0)
		return vb_err_set(err, VB_ERR_INVALID, "upsert: unknown key column '%s' in table %s",
		                  on_column ? on_column : "(null)", t->name);
	int *map = vb_xcalloc((size_t)rows->ncols + 1, sizeof *map);
	rc = check_rows(h, t, rows, map, 1, err);
	int kc = -1;
	for (int c = 0; c < rows->ncols; c++)
		if (map[c] == key)
			kc = c;
	if (rc == VB_OK && kc < 0)
		rc = vb_err_set(err, VB_ERR_INVALID, "upsert on '%s': the rows do not carry that column", on_column);
	for (size_t r = 0; rc == VB_OK && r < rows->nrows; r++)
		if (rows->cells[r * (size_t)rows->ncols + (size_t)kc].is_null)
			rc = vb_err_set(err, VB_ERR_INVALID, "upsert on '%s': row %zu has no key", on_column, r + 1);
	for (size_t r = 0; rc == VB_OK && r < rows->nrows; r++) {
		struct mrow row;
		fill_row(h, t, rows, map, r, &row);
		size_t hit = t->nrows;
		for (size_t i = 0; i < t->nrows; i++)
			if (row_visible(h, t, &t->rows[i]) && !t->rows[i].cells[key].is_null &&
			    compare(&t->rows[i].cells[key], t->types[key], &row.cells[key]) == 0)
				hit = i;
		if (hit < t->nrows) {
			row_free(t, &t->rows[hit]);
			t->rows[hit] = row;
		} else {
			append_row(t, row);
		}
	}
	free(map);
	return rc;
}

static int sample_update(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                         const struct vb_rows *values, int64_t *affected, struct vb_error *err)
{
	struct mtable *t;
	if (affected)
		*affected = 0;
	int rc = get_table(spec, &t, err);
	if (rc != VB_OK)
		return rc;
	if (!values || values->nrows != 1)
		return vb_err_set(err, VB_ERR_INVALID, "update takes exactly one row of values");
	if ((rc = check_filter(t, where, err)) != VB_OK)
		return rc;
	int *map = vb_xcalloc((size_t)values->ncols + 1, sizeof *map);
	rc = check_rows(h, t, values, map, 0, err);
	int64_t n = 0;
	for (size_t r = 0; rc == VB_OK && r < t->nrows; r++) {
		struct mrow *row = &t->rows[r];
		if (!row_matches(h, t, row, where))
			continue;
		for (int c = 0; c < values->ncols; c++) {
			if (map[c] < 0)
				continue;
			val_free(&row->cells[map[c]]);
			row->cells[map[c]] = val_copy(&values->cells[c], t->types[map[c]]);
		}
		n++;
	}
	free(map);
	if (affected)
		*affected = n;
	return rc;
}

static int sample_delete(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                         int64_t *affected, struct vb_error *err)
{
	struct mtable *t;
	if (affected)
		*affected = 0;
	int rc = get_table(spec, &t, err);
	if (rc == VB_OK)
		rc = check_filter(t, where, err);
	return rc == VB_OK ? delete_matching(h, t, where, affected) : rc;
}

static int sample_count(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                        int64_t *out, struct vb_error *err)
{
	struct mtable *t;
	*out = 0;
	int rc = get_table(spec, &t, err);
	if (rc == VB_OK)
		rc = check_filter(t, where, err);
	for (size_t r = 0; rc == VB_OK && r < t->nrows; r++)
		*out += row_matches(h, t, &t->rows[r], where);
	return rc;
}

/* ---- reads ---- */

/* Output columns: the select list, or every column but the vector plus namespace. */
static int plan_select(const struct mtable *t, const char *const *select, int **cols, int *n, struct vb_error *err)
{
	*n = 0;
	*cols = vb_xcalloc((size_t)t->ncols + 2, sizeof **cols);
	if (!select) {
		for (int c = 0; c < t->ncols; c++)
			if (c != t->vec_col)
				(*cols)[(*n)++] = c;
		if (t->namespaced)
			(*cols)[(*n)++] = NS_COL;
		return VB_OK;
	}
	int k = 0;
	while (select[k])
		k++;
	*cols = vb_xrealloc(*cols, sizeof **cols * (size_t)(k + 1));
	for (int i = 0; i < k; i++) {
		int c = col_index(t, select[i]);
		if (c == -1) {
			free(*cols);
			*cols = NULL;
			return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' in select", select[i]);
		}
		(*cols)[(*n)++] = c;
	}
	return VB_OK;
}

static struct vb_result *result_for(const struct mtable *t, const int *cols, int n)
{
	const char **names = vb_xcalloc((size_t)n + 1, sizeof *names);
	for (int i = 0; i < n; i++)
		names[i] = cols[i] == NS_COL ? "namespace" : t->cols[cols[i]];
	struct vb_result *res = vb_result_new(n, names);
	free(names);
	return res;
}

static size_t add_result_row(struct vb_result *res, const struct mrow *row, const int *cols, int n)
{
	char **cells = vb_xcalloc((size_t)n + 1, sizeof *cells);
	for (int i = 0; i < n; i++)
		cells[i] = cols[i] == NS_COL ? vb_xstrdup(row->ns) : val_text(&row->cells[cols[i]]);
	size_t idx = vb_result_add_row(res, (const char *const *)cells);
	for (int i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
	return idx;
}

/* Checks shared by every read; on success cols and ncols describe the output. */
static int read_prepare(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                        const char *const *select, struct mtable **t, int **cols, int *ncols, struct vb_error *err)
{
	(void)h;
	*cols = NULL;
	int rc = get_table(spec, t, err);
	if (rc == VB_OK)
		rc = check_filter(*t, where, err);
	if (rc == VB_OK)
		rc = plan_select(*t, select, cols, ncols, err);
	return rc;
}

static int sample_search_all(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                             const char *const *select, int64_t limit, struct vb_result **out, struct vb_error *err)
{
	struct mtable *t;
	int *cols, n;
	*out = NULL;
	int rc = read_prepare(h, spec, where, select, &t, &cols, &n, err);
	if (rc != VB_OK)
		return rc;
	struct vb_result *res = result_for(t, cols, n);
	for (size_t r = 0; r < t->nrows && (limit <= 0 || (int64_t)res->nrows < limit); r++)
		if (row_matches(h, t, &t->rows[r], where))
			add_result_row(res, &t->rows[r], cols, n);
	free(cols);
	*out = res;
	return VB_OK;
}

struct hit {
	size_t row;
	double distance; /* NAN when not computed */
	double rank;
	double score;
};

static double cosine_distance(const float *a, const float *b, int dim)
{
	double dot = 0, na = 0, nb = 0;
	for (int i = 0; i < dim; i++) {
		dot += (double)a[i] * b[i];
		na += (double)a[i] * a[i];
		nb += (double)b[i] * b[i];
	}
	if (na == 0 || nb == 0)
		return NAN;
	return 1.0 - dot / (sqrt(na) * sqrt(nb));
}

/* Ascending distance (NaN last), ties by insertion order. */
static int by_distance(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;
	int an = isnan(a->distance), bn = isnan(b->distance);
	if (an != bn)
		return an - bn;
	if (!an && a->distance != b->distance)
		return a->distance < b->distance ? -1 : 1;
	return (a->row > b->row) - (a->row < b->row);
}

static int by_rank(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;
	if (a->rank != b->rank)
		return a->rank > b->rank ? -1 : 1;
	return (a->row > b->row) - (a->row < b->row);
}

static int by_score(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->row > b->row) - (a->row < b->row);
}

/* Lower-case words: runs of ASCII letters/digits and any byte >= 0x80 (UTF-8 stays whole). */
static size_t tokenize(const char *s, char ***out)
{
	size_t n = 0;
	*out = NULL;
	while (s && *s) {
		while (*s && !(((unsigned char)*s >= 0x80) || (*s >= '0' && *s <= '9') || ((*s | 32) >= 'a' && (*s | 32) <= 'z')))
			s++;
		const char *st = s;
		while (*s && (((unsigned char)*s >= 0x80) || (*s >= '0' && *s <= '9') || ((*s | 32) >= 'a' && (*s | 32) <= 'z')))
			s++;
		if (s > st) {
			char *w = vb_xstrndup(st, (size_t)(s - st));
			for (char *p = w; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			*out = vb_xrealloc(*out, (n + 1) * sizeof **out);
			(*out)[n++] = w;
		}
	}
	return n;
}

static void free_words(char **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

/* 0 unless every query word occurs; otherwise 0.1 per occurrence of a query word, a rough
 * stand-in for ts_rank_cd's per-cover weight. */
static double text_rank(const struct mtable *t, const struct mrow *row, char **q, size_t nq)
{
	if (nq == 0 || t->nfts == 0)
		return 0;
	size_t total = 0;
	int *found = vb_xcalloc(nq, sizeof *found);
	for (int k = 0; k < t->nfts; k++) {
		const struct vb_value *v = &row->cells[t->fts[k]];
		if (v->is_null || (v->type != VB_T_TEXT && v->type != VB_T_TIMESTAMP))
			continue;
		char **words;
		size_t nw = tokenize(v->u.s, &words);
		for (size_t i = 0; i < nw; i++)
			for (size_t j = 0; j < nq; j++)
				if (strcmp(words[i], q[j]) == 0) {
					found[j] = 1;
					total++;
				}
		free_words(words, nw);
	}
	int all = 1;
	for (size_t j = 0; j < nq; j++)
		all &= found[j];
	free(found);
	return all ? 0.1 * (double)total : 0;
}

static int vector_prepare(const struct mtable *t, const float *q, int dim, struct vb_error *err)
{
	if (t->vec_col < 0)
		return vb_err_set(err, VB_ERR_INVALID, "table %s has no vector column", t->name);
	if (!q || dim != t->dim)
		return vb_err_set(err, VB_ERR_INVALID, "expected %d dimensions, not %d", t->dim, q ? dim : 0);
	return VB_OK;
}

static int sample_search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim,
                                int top_n, const struct vb_filter *where, const char *const *select,
                                struct vb_result **out, struct vb_error *err)
{
	struct mtable *t;
	int *cols, n;
	*out = NULL;
	int rc = read_prepare(h, spec, where, select, &t, &cols, &n, err);
	if (rc == VB_OK)
		rc = vector_prepare(t, q, dim, err);
	if (rc != VB_OK) {
		free(cols);
		return rc;
	}
	struct hit *hits = vb_xcalloc(t->nrows + 1, sizeof *hits);
	size_t nh = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const struct mrow *row = &t->rows[r];
		if (!row_matches(h, t, row, where) || row->cells[t->vec_col].is_null)
			continue;
		hits[nh++] = (struct hit){r, cosine_distance(row->cells[t->vec_col].u.vec.v, q, dim), 0, 0};
	}
	qsort(hits, nh, sizeof *hits, by_distance);
	struct vb_result *res = result_for(t, cols, n);
	for (size_t i = 0; i < nh && (top_n <= 0 || i < (size_t)top_n); i++) {
		size_t idx = add_result_row(res, &t->rows[hits[i].row], cols, n);
		vb_result_set_distance(res, idx, hits[i].distance);
	}
	free(hits);
	free(cols);
	*out = res;
	return VB_OK;
}

static int sample_search_text(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, int top_n,
                              const struct vb_filter *where, const char *const *select, struct vb_result **out,
                              struct vb_error *err)
{
	struct mtable *t;
	int *cols, n;
	*out = NULL;
	int rc = read_prepare(h, spec, where, select, &t, &cols, &n, err);
	if (rc != VB_OK)
		return rc;
	char **q;
	size_t nq = tokenize(text, &q);
	struct hit *hits = vb_xcalloc(t->nrows + 1, sizeof *hits);
	size_t nh = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		if (!row_matches(h, t, &t->rows[r], where))
			continue;
		double rank = text_rank(t, &t->rows[r], q, nq);
		if (rank > 0)
			hits[nh++] = (struct hit){r, NAN, rank, rank};
	}
	qsort(hits, nh, sizeof *hits, by_rank);
	struct vb_result *res = result_for(t, cols, n);
	for (size_t i = 0; i < nh && (top_n <= 0 || i < (size_t)top_n); i++) {
		size_t idx = add_result_row(res, &t->rows[hits[i].row], cols, n);
		vb_result_set_score(res, idx, hits[i].score);
	}
	free(hits);
	free_words(q, nq);
	free(cols);
	*out = res;
	return VB_OK;
}

static int sample_search_hybrid(struct vb_handle *h, const struct vb_table_spec *spec, const char *text,
                                const float *q, int dim, int top_n, const struct vb_filter *where,
                                const char *const *select, struct vb_result **out, struct vb_error *err)
{
	struct mtable *t;
	int *cols, n;
	*out = NULL;
	int rc = read_prepare(h, spec, where, select, &t, &cols, &n, err);
	if (rc == VB_OK)
		rc = vector_prepare(t, q, dim, err);
	if (rc != VB_OK) {
		free(cols);
		return rc;
	}
	if (top_n <= 0)
		top_n = 10;
	size_t candidate_k = (size_t)(top_n * 5 > 50 ? top_n * 5 : 50);
	char **words;
	size_t nq = tokenize(text, &words);
	struct hit *all = vb_xcalloc(t->nrows + 1, sizeof *all);
	size_t na = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const struct mrow *row = &t->rows[r];
		if (!row_matches(h, t, row, where) || row->cells[t->vec_col].is_null)
			continue;
		double d = cosine_distance(row->cells[t->vec_col].u.vec.v, q, dim);
		double rank = text_rank(t, row, words, nq);
		all[na++] = (struct hit){r, d, rank, 0.6 * (1.0 - d / 2.0) + 0.4 * 8.0 * rank};
	}
	/* candidates: the union of the candidate_k nearest and the candidate_k best text matches */
	char *take = vb_xcalloc(t->nrows + 1, 1);
	qsort(all, na, sizeof *all, by_distance);
	for (size_t i = 0; i < na && i < candidate_k; i++)
		take[all[i].row] = 1;
	qsort(all, na, sizeof *all, by_rank);
	for (size_t i = 0; i < na && i < candidate_k && all[i].rank > 0; i++)
		take[all[i].row] = 1;
	size_t nc = 0;
	for (size_t i = 0; i < na; i++)
		if (take[all[i].row])
			all[nc++] = all[i];
	qsort(all, nc, sizeof *all, by_score);
	struct vb_result *res = result_for(t, cols, n);
	for (size_t i = 0; i < nc && i < (size_t)top_n; i++) {
		size_t idx = add_result_row(res, &t->rows[all[i].row], cols, n);
		vb_result_set_distance(res, idx, all[i].distance);
		vb_result_set_score(res, idx, all[i].score);
	}
	free(take);
	free(all);
	free_words(words, nq);
	free(cols);
	*out = res;
	return VB_OK;
}

static void sample_result_free(struct vb_handle *h, struct vb_result **res)
{
	(void)h;
	vb_result_destroy(res);
}

static const struct vb_ops sample_ops = {
	.abi_version = VB_ABI_VERSION,
	.ops_size = sizeof(struct vb_ops),
	.name = "sample",
	.description = "in-memory sample plugin (tests/plugins): exact scan, word matching",
	.caps = VB_CAP_VECTOR | VB_CAP_TEXT | VB_CAP_HYBRID | VB_CAP_NAMESPACED | VB_CAP_CREATES,
	.version = sample_version,
	.open = sample_open,
	.close = sample_close,
	.ensure_table = sample_ensure_table,
	.table_exists = sample_table_exists,
	.drop = sample_drop,
	.add = sample_add,
	.upsert = sample_upsert,
	.update = sample_update,
	.delete_where = sample_delete,
	.count = sample_count,
	.search_all = sample_search_all,
	.search_vector = sample_search_vector,
	.search_text = sample_search_text,
	.search_hybrid = sample_search_hybrid,
	.result_free = sample_result_free,
	/* create_index, query, exec_script, cancel, socket_fd: not offered (NULL), reported as unsupported */
};

const struct vb_plugin_magic vb_plugin_magic = {
	.size = sizeof(struct vb_plugin_magic),
	.abi_version = VB_ABI_VERSION,
	.name = "sample",
	.plugin_version = SAMPLE_VERSION,
};

int vb_plugin_init(vb_register_fn reg, void *ctx, char *errbuf, size_t errlen);
int vb_plugin_init(vb_register_fn reg, void *ctx, char *errbuf, size_t errlen)
{
	if (reg(ctx, &sample_ops) != 0) {
		snprintf(errbuf, errlen, "the host refused the backend 'sample'");
		return -1;
	}
	return 0;
}
