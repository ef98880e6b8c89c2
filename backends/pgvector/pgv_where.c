/* backends/pgvector/pgv_where.c - values as PostgreSQL text input, the filter model (spec 1.2)
 * compiled to SQL with $n parameters, and the namespace rules of spec 1.6. */
#include "pgv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../vb_filter.h"

static void array_item(struct vb_buf *b, const char *s)
{
	if (!s) {
		vb_buf_add(b, "NULL");
		return;
	}
	vb_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			vb_buf_addc(b, '\\');
		vb_buf_addc(b, *s);
	}
	vb_buf_addc(b, '"');
}

char *pgv_value_text(const struct vb_value *v)
{
	if (!v || v->is_null)
		return NULL;
	switch (v->type) {
	case VB_T_TEXT:
	case VB_T_TIMESTAMP:
		return vb_xstrdup(v->u.s);
	case VB_T_INT:
		return vb_xasprintf("%lld", (long long)v->u.i);
	case VB_T_DOUBLE:
		if (isnan(v->u.d))
			return vb_xstrdup("NaN");
		if (isinf(v->u.d))
			return vb_xstrdup(v->u.d > 0 ? "Infinity" : "-Infinity");
		return vb_xasprintf("%.17g", v->u.d);
	case VB_T_BOOL:
		return vb_xstrdup(v->u.b ? "true" : "false");
	case VB_T_TEXT_ARRAY: {
		struct vb_buf b;
		vb_buf_init(&b);
		vb_buf_addc(&b, '{');
		for (int i = 0; i < v->u.arr.n; i++) {
			if (i)
				vb_buf_addc(&b, ',');
			array_item(&b, v->u.arr.items[i]);
		}
		vb_buf_addc(&b, '}');
		return vb_buf_steal(&b);
	}
	case VB_T_VECTOR:
		return vb_vector_to_text(v->u.vec.v, v->u.vec.dim);
	}
	return NULL;
}

static const char *op_sql(int op)
{
	switch (op) {
	case VB_OP_EQ: return "=";
	case VB_OP_NE: return "!=";
	case VB_OP_GT: return ">";
	case VB_OP_GTE: return ">=";
	case VB_OP_LT: return "<";
	case VB_OP_LTE: return "<=";
	case VB_OP_IN: return "IN";
	case VB_OP_LIKE: return "LIKE";
	}
	return NULL;
}

struct where_ctx {
	struct vb_handle *h;
	const struct pgv_table *t;
	struct vb_buf *sql;
	struct pgv_params *p;
	struct vb_error *err;
};

static int compile(struct where_ctx *c, const struct vb_filter *f);

static int compile_cond(struct where_ctx *c, const struct vb_filter *f)
{
	const char *op = op_sql(f->op);
	if (!op)
		return vb_err_set(c->err, VB_ERR_INVALID, "Unsupported operator %d in filter", f->op);
	if (!f->field || !*f->field)
		return vb_err_set(c->err, VB_ERR_INVALID, "Identifier cannot be empty");
	const struct pgv_col *col = pgv_table_col(c->t, f->field);
	if (!col)
		return vb_err_set(c->err, VB_ERR_INVALID, "Unknown column '%s' in filter", f->field);
	int rc = vb_filter_cond_rules(f, col->kind == PGV_K_VECTOR, c->err);
	if (rc != VB_OK)
		return rc;
	char *q = pgv_ident(c->h, f->field);
	if (f->op == VB_OP_IN) {
		size_t nonnull = 0, nulls = 0;
		for (size_t i = 0; i < f->nlist; i++) {
			if (f->list[i].is_null)
				nulls++;
			else
				nonnull++;
		}
		if (f->nlist == 0) {
			vb_buf_add(c->sql, "1=0");
		} else {
			vb_buf_addc(c->sql, '(');
			if (nonnull) {
				vb_buf_printf(c->sql, "%s IN (", q);
				int first = 1;
				for (size_t i = 0; i < f->nlist; i++) {
					if (f->list[i].is_null)
						continue;
					int n = pgv_param_add(c->p, pgv_value_text(&f->list[i]));
					vb_buf_printf(c->sql, "%s$%d", first ? "" : ", ", n);
					first = 0;
				}
				vb_buf_addc(c->sql, ')');
			}
			if (nulls)
				vb_buf_printf(c->sql, "%s%s IS NULL", nonnull ? " OR " : "", q);
			vb_buf_addc(c->sql, ')');
		}
	} else if (f->value.is_null) {
		if (f->op == VB_OP_EQ)
			vb_buf_printf(c->sql, "%s IS NULL", q);
		else if (f->op == VB_OP_NE)
			vb_buf_printf(c->sql, "%s IS NOT NULL", q);
		else
			rc = vb_err_set(c->err, VB_ERR_INVALID, "Operator %s is invalid with NULL (field: %s)", op, f->field);
	} else {
		int n = pgv_param_add(c->p, pgv_value_text(&f->value));
		/* LIKE on a non-text column compares its text form, as the other backends do */
		const char *cast = f->op == VB_OP_LIKE && col->kind != PGV_K_TEXT ? "::text" : "";
		vb_buf_printf(c->sql, "%s%s %s $%d", q, cast, op, n);
	}
	free(q);
	return rc;
}

static int compile_list(struct where_ctx *c, const struct vb_filter *f, const char *joiner, const char *empty)
{
	size_t used = 0;
	for (size_t i = 0; i < f->nkids; i++)
		if (f->kids[i])
			used++;
	if (!used) {
		vb_buf_add(c->sql, empty);
		return VB_OK;
	}
	vb_buf_addc(c->sql, '(');
	int first = 1;
	for (size_t i = 0; i < f->nkids; i++) {
		if (!f->kids[i])
			continue;
		if (!first)
			vb_buf_add(c->sql, joiner);
		first = 0;
		int rc = compile(c, f->kids[i]);
		if (rc != VB_OK)
			return rc;
	}
	vb_buf_addc(c->sql, ')');
	return VB_OK;
}

static int compile(struct where_ctx *c, const struct vb_filter *f)
{
	switch (f->kind) {
	case VB_F_COND:
		return compile_cond(c, f);
	case VB_F_AND:
		return compile_list(c, f, " AND ", "1=1");
	case VB_F_OR:
		return compile_list(c, f, " OR ", "1=0");
	case VB_F_NOT: {
		if (f->nkids != 1 || !f->kids[0])
			return vb_err_set(c->err, VB_ERR_INVALID, "NOT needs exactly one condition");
		vb_buf_add(c->sql, "(NOT ");
		int rc = compile(c, f->kids[0]);
		vb_buf_addc(c->sql, ')');
		return rc;
	}
	}
	return vb_err_set(c->err, VB_ERR_INVALID, "Unsupported filter node: %d", f->kind);
}

int pgv_where(struct vb_handle *h, const struct pgv_table *t, const struct vb_filter *f, struct vb_buf *sql,
              struct pgv_params *p, struct vb_error *err)
{
	int any = 0;
	if (t->has_namespace) {
		if (!h->ns)
			return vb_err_set(err, VB_ERR_INVALID, "No namespace set for table %s (use --namespace)", t->name);
		vb_buf_printf(sql, "namespace = $%d", pgv_param_addf(p, h->ns));
		any = 1;
	}
	if (f) {
		if (any)
			vb_buf_add(sql, " AND ");
		struct where_ctx c = {h, t, sql, p, err};
		int rc = compile(&c, f);
		if (rc != VB_OK)
			return rc;
		any = 1;
	}
	if (!any)
		vb_buf_add(sql, "TRUE");
	return VB_OK;
}

int pgv_check_namespace(struct vb_handle *h, const char *table, const struct vb_rows *rows, int *ns_col,
                        struct vb_error *err)
{
	*ns_col = -1;
	for (int c = 0; c < rows->ncols; c++)
		if (strcmp(rows->cols[c], "namespace") == 0)
			*ns_col = c;
	if (*ns_col < 0)
		return VB_OK;
	for (size_t r = 0; r < rows->nrows; r++) {
		const struct vb_value *v = &rows->cells[r * (size_t)rows->ncols + (size_t)*ns_col];
		if (v->is_null || (v->type == VB_T_TEXT && !v->u.s))
			continue; /* injected */
		char *text = pgv_value_text(v);
		int same = h->ns && text && strcmp(text, h->ns) == 0;
		if (!same) {
			vb_err_set(err, VB_ERR_MISMATCH, "namespace mismatch for table %s: %s != %s", table, text ? text : "",
			           h->ns ? h->ns : "");
			free(text);
			return VB_ERR_MISMATCH;
		}
		free(text);
	}
	return VB_OK;
}
