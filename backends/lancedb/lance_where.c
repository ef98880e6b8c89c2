/* backends/lancedb/lance_where.c - filters as LanceDB reads them: Datus's build_where text
 * (vb_filter_render), after every condition on `namespace` has been decided against the handle's
 * namespace.  LanceDB tables have no namespace column (the directory is the namespace), so such
 * a condition is a constant: true becomes an empty AND ("1 = 1"), false an empty OR ("1 = 0"). */
#include "lance.h"

#include <stdlib.h>
#include <string.h>

#include "../vb_filter.h"

/* SQL LIKE with % and _ (no escape character, as Datus's like() has none). */
static int like(const char *s, const char *p)
{
	for (; *p; p++, s++) {
		if (*p == '%') {
			while (*p == '%')
				p++;
			if (!*p)
				return 1;
			for (; *s; s++)
				if (like(s, p))
					return 1;
			return 0;
		}
		if (!*s || (*p != '_' && *p != *s))
			return 0;
	}
	return *s == '\0';
}

static int text_of(const struct vb_value *v, const char **out)
{
	if (v->is_null || (v->type != VB_T_TEXT && v->type != VB_T_TIMESTAMP) || !v->u.s)
		return 0;
	*out = v->u.s;
	return 1;
}

static int ns_holds(const char *ns, const struct vb_filter *f)
{
	const char *t;
	if (f->op == VB_OP_IN) {
		for (size_t i = 0; i < f->nlist; i++)
			if (text_of(&f->list[i], &t) && strcmp(t, ns) == 0)
				return 1;
		return 0;
	}
	if (f->value.is_null) /* namespace IS NULL never holds; IS NOT NULL always does */
		return f->op == VB_OP_NE;
	if (!text_of(&f->value, &t))
		return 0;
	int c = strcmp(ns, t);
	switch (f->op) {
	case VB_OP_EQ: return c == 0;
	case VB_OP_NE: return c != 0;
	case VB_OP_GT: return c > 0;
	case VB_OP_GTE: return c >= 0;
	case VB_OP_LT: return c < 0;
	case VB_OP_LTE: return c <= 0;
	case VB_OP_LIKE: return like(ns, t);
	default: return 0;
	}
}

static struct vb_filter *resolve(const char *ns, const struct vb_filter *f)
{
	if (f->kind == VB_F_COND) {
		if (strcmp(f->field, "namespace") == 0)
			return ns_holds(ns, f) ? vb_filter_and(NULL, 0) : vb_filter_or(NULL, 0);
		if (f->op == VB_OP_IN)
			return vb_filter_in(f->field, f->list, f->nlist);
		return vb_filter_cond(f->field, f->op, f->value);
	}
	struct vb_filter **kids = vb_xcalloc(f->nkids ? f->nkids : 1, sizeof *kids);
	for (size_t i = 0; i < f->nkids; i++)
		kids[i] = resolve(ns, f->kids[i]);
	struct vb_filter *out = f->kind == VB_F_AND ? vb_filter_and(kids, f->nkids)
	                        : f->kind == VB_F_OR ? vb_filter_or(kids, f->nkids)
	                                             : vb_filter_not(kids[0]);
	free(kids);
	return out;
}

int lance_where(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *f, char **out,
                struct vb_error *err)
{
	*out = NULL;
	if (!f)
		return VB_OK;
	int rc = vb_filter_check(f, spec, err);
	if (rc != VB_OK)
		return rc;
	struct vb_filter *r = resolve(h->ns, f);
	rc = vb_filter_render(r, out, err);
	vb_filter_free(r);
	return rc;
}
