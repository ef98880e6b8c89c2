/* backends/embedded/emb_where.c - the filter model compiled to a SQLite WHERE clause.  Values
 * are always bound parameters; identifiers are always quoted; unknown columns are rejected
 * before SQLite sees anything.  NULL/IN/empty rules follow spec 1.2. */
#include "emb.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../vb_filter.h"

static void params_add(struct emb_params *p, const struct vb_value *v)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->v = vb_xrealloc(p->v, p->cap * sizeof *p->v);
	}
	p->v[p->n++] = v;
}

void emb_params_free(struct emb_params *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

static void add_col(struct vb_buf *b, const char *qual, const char *col)
{
	if (qual) {
		vb_buf_add(b, qual);
		vb_buf_addc(b, '.');
	}
	emb_buf_qi(b, col);
}

static int check_field(const struct vb_filter *f, const struct vb_table_spec *spec, struct vb_error *err)
{
	const struct vb_column *c = vb_spec_column(spec, f->field);
	if (!c && !(spec->namespaced && strcmp(f->field, "namespace") == 0))
		return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' in filter", f->field);
	int rc = vb_filter_cond_rules(f, c && c->type == VB_T_VECTOR, err);
	if (rc != VB_OK)
		return rc;
	for (size_t i = 0; i < f->nlist; i++)
		if (!f->list[i].is_null && (f->list[i].type == VB_T_VECTOR || f->list[i].type == VB_T_TEXT_ARRAY))
			return vb_err_set(err, VB_ERR_INVALID, "filter on '%s': IN values must be scalars", f->field);
	if (f->op != VB_OP_IN && !f->value.is_null && f->value.type == VB_T_VECTOR)
		return vb_err_set(err, VB_ERR_INVALID, "filter on '%s': a vector is not a comparable value", f->field);
	if (f->op == VB_OP_LIKE && !f->value.is_null && f->value.type != VB_T_TEXT)
		return vb_err_set(err, VB_ERR_INVALID, "filter on '%s': LIKE needs a text pattern", f->field);
	return VB_OK;
}

/* SQL's IN never matches NULL, so a NULL in the list becomes "OR col IS NULL" (spec 1.2), and an
 * empty list matches nothing. */
static void compile_in(const struct vb_filter *f, const char *qual, struct vb_buf *b, struct emb_params *p)
{
	size_t nvals = 0;
	int has_null = 0;
	for (size_t i = 0; i < f->nlist; i++)
		f->list[i].is_null ? (void)(has_null = 1) : (void)nvals++;
	if (!nvals && !has_null) {
		vb_buf_add(b, "1 = 0");
		return;
	}
	vb_buf_addc(b, '(');
	if (nvals) {
		add_col(b, qual, f->field);
		vb_buf_add(b, " IN (");
		size_t k = 0;
		for (size_t i = 0; i < f->nlist; i++) {
			if (f->list[i].is_null)
				continue;
			vb_buf_add(b, k++ ? ", ?" : "?");
			params_add(p, &f->list[i]);
		}
		vb_buf_addc(b, ')');
	}
	if (has_null) {
		if (nvals)
			vb_buf_add(b, " OR ");
		add_col(b, qual, f->field);
		vb_buf_add(b, " IS NULL");
	}
	vb_buf_addc(b, ')');
}

static int compile_cond(const struct vb_filter *f, const struct vb_table_spec *spec, const char *qual,
                        struct vb_buf *b, struct emb_params *p, struct vb_error *err)
{
	int rc;
	if ((rc = check_field(f, spec, err)) != VB_OK)
		return rc;
	if (f->op == VB_OP_IN) {
		compile_in(f, qual, b, p);
		return VB_OK;
	}
	/* "= NULL" is never true in SQL: the filter model means IS NULL */
	if (f->value.is_null) {
		if (f->op != VB_OP_EQ && f->op != VB_OP_NE)
			return vb_err_set(err, VB_ERR_INVALID, "Operator %s is invalid with NULL (field: %s)",
			                  vb_filter_op_text(f->op) ? vb_filter_op_text(f->op) : "?", f->field);
		add_col(b, qual, f->field);
		vb_buf_add(b, f->op == VB_OP_EQ ? " IS NULL" : " IS NOT NULL");
		return VB_OK;
	}
	if (!vb_filter_op_text(f->op))
		return vb_err_set(err, VB_ERR_INVALID, "Unsupported operator: %d", f->op);
	add_col(b, qual, f->field);
	vb_buf_printf(b, " %s ?", vb_filter_op_text(f->op));
	if (f->op == VB_OP_LIKE) /* SQLite's LIKE has no escape unless told: use PostgreSQL's */
		vb_buf_add(b, " ESCAPE '\\'");
	params_add(p, &f->value);
	return VB_OK;
}

static int compile(const struct vb_filter *f, const struct vb_table_spec *spec, const char *qual, struct vb_buf *b,
                   struct emb_params *p, struct vb_error *err);

/* An AND or OR without conditions is the identity of its operator: true for AND, false for OR. */
static int compile_group(const struct vb_filter *f, const struct vb_table_spec *spec, const char *qual,
                         struct vb_buf *b, struct emb_params *p, struct vb_error *err)
{
	int rc;
	size_t shown = 0;
	for (size_t i = 0; i < f->nkids; i++) {
		if (!f->kids[i])
			continue;
		vb_buf_add(b, shown++ ? (f->kind == VB_F_AND ? " AND " : " OR ") : "(");
		if ((rc = compile(f->kids[i], spec, qual, b, p, err)) != VB_OK)
			return rc;
	}
	vb_buf_add(b, shown ? ")" : (f->kind == VB_F_AND ? "1 = 1" : "1 = 0"));
	return VB_OK;
}

static int compile(const struct vb_filter *f, const struct vb_table_spec *spec, const char *qual, struct vb_buf *b,
                   struct emb_params *p, struct vb_error *err)
{
	int rc;
	switch (f->kind) {
	case VB_F_COND:
		return compile_cond(f, spec, qual, b, p, err);
	case VB_F_AND:
	case VB_F_OR:
		return compile_group(f, spec, qual, b, p, err);
	case VB_F_NOT:
		if (f->nkids != 1 || !f->kids[0])
			return vb_err_set(err, VB_ERR_INVALID, "NOT needs exactly one condition");
		vb_buf_add(b, "NOT (");
		if ((rc = compile(f->kids[0], spec, qual, b, p, err)) != VB_OK)
			return rc;
		vb_buf_addc(b, ')');
		return VB_OK;
	default:
		return vb_err_set(err, VB_ERR_INVALID, "Unknown node type: %d", f->kind);
	}
}

int emb_where(const struct vb_filter *f, const struct vb_table_spec *spec, const char *qual, int and,
              struct vb_buf *sql, struct emb_params *params, struct vb_error *err)
{
	if (!f)
		return VB_OK;
	struct vb_buf w;
	vb_buf_init(&w);
	size_t before = params->n;
	int rc = compile(f, spec, qual, &w, params, err);
	if (rc == VB_OK) {
		vb_buf_add(sql, and ? " AND (" : " WHERE (");
		vb_buf_add(sql, w.data);
		vb_buf_addc(sql, ')');
	} else {
		params->n = before;
	}
	vb_buf_free(&w);
	return rc;
}

/* A text[] cell is stored as a JSON array of strings (jansson; a NULL item is JSON null). */
static char *json_array_text(const struct vb_value *v)
{
	json_t *a = json_array();
	for (int i = 0; i < v->u.arr.n; i++) {
		const char *item = v->u.arr.items[i];
		json_t *s = item ? json_string(item) : NULL;
		json_array_append_new(a, s ? s : json_null());
	}
	char *text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text ? text : vb_xstrdup("[]");
}

int emb_bind_value(sqlite3_stmt *st, int idx, const struct vb_value *v)
{
	if (!v || v->is_null)
		return sqlite3_bind_null(st, idx);
	switch (v->type) {
	case VB_T_TEXT:
	case VB_T_TIMESTAMP:
		return sqlite3_bind_text(st, idx, v->u.s ? v->u.s : "", -1, SQLITE_STATIC);
	case VB_T_INT:
		return sqlite3_bind_int64(st, idx, v->u.i);
	case VB_T_DOUBLE:
		return sqlite3_bind_double(st, idx, v->u.d);
	case VB_T_BOOL:
		return sqlite3_bind_int(st, idx, v->u.b ? 1 : 0);
	case VB_T_TEXT_ARRAY: {
		return sqlite3_bind_text(st, idx, json_array_text(v), -1, free);
	}
	case VB_T_VECTOR:
		return sqlite3_bind_blob(st, idx, v->u.vec.v, (int)((size_t)v->u.vec.dim * sizeof(float)), SQLITE_STATIC);
	default:
		return SQLITE_MISMATCH;
	}
}

int emb_prepare_filtered(struct vb_handle *h, const struct vb_table_spec *spec, const char *head,
                         const struct vb_filter *where, sqlite3_stmt **st, struct emb_params *p,
                         struct vb_error *err)
{
	struct vb_buf sql;
	vb_buf_init(&sql);
	vb_buf_add(&sql, head);
	vb_buf_addc(&sql, ' ');
	emb_buf_qi(&sql, spec->name);
	*st = NULL;
	int rc = emb_where(where, spec, NULL, 0, &sql, p, err);
	if (rc == VB_OK)
		rc = emb_prepare(h, sql.data, st, err);
	vb_buf_free(&sql);
	if (rc == VB_OK)
		emb_bind_params(*st, 1, p);
	return rc;
}

int emb_bind_params(sqlite3_stmt *st, int first, const struct emb_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		int rc = emb_bind_value(st, first + (int)i, p->v[i]);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}
