/* backends/vb_filter.c - filter nodes: builders, free, schema check and the canonical text form
 * (Datus's LanceDB build_where rules, spec 1.2).  The --where parser is in vb_filter_parse.c. */
#include "vb_filter.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vb_util.h"

/* Deep copy of a value so a filter never points into caller memory. */
static struct vb_value value_copy(struct vb_value v)
{
	struct vb_value c = v;
	if (v.is_null)
		return c;
	switch (v.type) {
	case VB_T_TEXT:
	case VB_T_TIMESTAMP:
		c.u.s = vb_xstrdup(v.u.s ? v.u.s : "");
		break;
	case VB_T_TEXT_ARRAY: {
		int n = v.u.arr.n > 0 ? v.u.arr.n : 0;
		char **items = vb_xcalloc((size_t)n + 1, sizeof *items);
		for (int i = 0; i < n; i++)
			items[i] = vb_xstrdup(v.u.arr.items[i]);
		c.u.arr.items = (const char *const *)items;
		c.u.arr.n = n;
		break;
	}
	case VB_T_VECTOR: {
		int n = v.u.vec.dim > 0 ? v.u.vec.dim : 0;
		float *f = vb_xcalloc((size_t)n + 1, sizeof *f);
		if (n)
			memcpy(f, v.u.vec.v, (size_t)n * sizeof *f);
		c.u.vec.v = f;
		c.u.vec.dim = n;
		break;
	}
	default:
		break;
	}
	return c;
}

static void value_free(struct vb_value *v)
{
	if (v->is_null)
		return;
	switch (v->type) {
	case VB_T_TEXT:
	case VB_T_TIMESTAMP:
		free((char *)v->u.s);
		break;
	case VB_T_TEXT_ARRAY:
		for (int i = 0; i < v->u.arr.n; i++)
			free((char *)v->u.arr.items[i]);
		free((char **)v->u.arr.items);
		break;
	case VB_T_VECTOR:
		free((float *)v->u.vec.v);
		break;
	default:
		break;
	}
}

struct vb_filter *vb_filter_cond(const char *field, int op, struct vb_value value)
{
	struct vb_filter *f = vb_xcalloc(1, sizeof *f);
	f->kind = VB_F_COND;
	f->op = op;
	f->field = vb_xstrdup(field ? field : "");
	f->value = value_copy(value);
	return f;
}

struct vb_filter *vb_filter_eq_text(const char *field, const char *text)
{
	struct vb_value v = { .type = VB_T_TEXT, .is_null = text == NULL };
	v.u.s = text;
	return vb_filter_cond(field, VB_OP_EQ, v);
}

struct vb_filter *vb_filter_in(const char *field, const struct vb_value *values, size_t n)
{
	struct vb_filter *f = vb_xcalloc(1, sizeof *f);
	f->kind = VB_F_COND;
	f->op = VB_OP_IN;
	f->field = vb_xstrdup(field ? field : "");
	f->nlist = n;
	f->list = vb_xcalloc(n ? n : 1, sizeof *f->list);
	for (size_t i = 0; i < n; i++)
		f->list[i] = value_copy(values[i]);
	return f;
}

struct vb_filter *vb_filter_like(const char *field, const char *pattern)
{
	char *pat = vb_xstrdup(pattern ? pattern : "");
	for (char *p = pat; *p; p++)
		if (*p == '*')
			*p = '%';
	struct vb_value v = { .type = VB_T_TEXT };
	v.u.s = pat;
	struct vb_filter *f = vb_filter_cond(field, VB_OP_LIKE, v);
	free(pat);
	return f;
}

static struct vb_filter *group(int kind, struct vb_filter **kids, size_t n)
{
	struct vb_filter *f = vb_xcalloc(1, sizeof *f);
	f->kind = kind;
	f->nkids = n;
	f->kids = vb_xcalloc(n ? n : 1, sizeof *f->kids);
	for (size_t i = 0; i < n; i++)
		f->kids[i] = kids[i];
	return f;
}

struct vb_filter *vb_filter_and(struct vb_filter **kids, size_t n)
{
	return group(VB_F_AND, kids, n);
}

struct vb_filter *vb_filter_or(struct vb_filter **kids, size_t n)
{
	return group(VB_F_OR, kids, n);
}

struct vb_filter *vb_filter_not(struct vb_filter *kid)
{
	return group(VB_F_NOT, &kid, 1);
}

void vb_filter_free(struct vb_filter *f)
{
	if (!f)
		return;
	free(f->field);
	value_free(&f->value);
	for (size_t i = 0; i < f->nlist; i++)
		value_free(&f->list[i]);
	free(f->list);
	for (size_t i = 0; i < f->nkids; i++)
		vb_filter_free(f->kids[i]);
	free(f->kids);
	free(f);
}

const char *vb_filter_op_text(int op)
{
	static const char *const names[] = { "=", "!=", ">", ">=", "<", "<=", "IN", "LIKE" };
	if (op < 0 || (size_t)op >= sizeof names / sizeof names[0])
		return NULL;
	return names[op];
}

/* ---- check ---- */

/* A backslash escapes the next character; one at the very end escapes nothing. */
static int ends_in_lone_escape(const char *pat)
{
	int escaped = 0;
	for (; *pat; pat++)
		escaped = !escaped && *pat == '\\';
	return escaped;
}

int vb_filter_cond_rules(const struct vb_filter *f, int column_is_vector, struct vb_error *err)
{
	int null_test = f->op != VB_OP_IN && f->value.is_null && (f->op == VB_OP_EQ || f->op == VB_OP_NE);
	if (column_is_vector && !null_test)
		return vb_err_set(err, VB_ERR_INVALID,
		                  "filter on vector column '%s': only IS NULL and IS NOT NULL apply to a vector", f->field);
	if (f->op == VB_OP_LIKE && !f->value.is_null && f->value.type == VB_T_TEXT && f->value.u.s &&
	    ends_in_lone_escape(f->value.u.s))
		return vb_err_set(err, VB_ERR_INVALID,
		                  "LIKE pattern on '%s' ends in a lone backslash, the escape character; "
		                  "write two backslashes to match one", f->field);
	return VB_OK;
}

int vb_filter_check(const struct vb_filter *f, const struct vb_table_spec *spec, struct vb_error *err)
{
	if (!f)
		return VB_OK;
	switch (f->kind) {
	case VB_F_COND:
		if (!f->field || !*f->field)
			return vb_err_set(err, VB_ERR_INVALID, "Identifier cannot be empty");
		if (strcmp(f->field, "namespace") != 0 && !vb_spec_column(spec, f->field))
			return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' in filter", f->field);
		if (!vb_filter_op_text(f->op))
			return vb_err_set(err, VB_ERR_INVALID, "Unsupported operator: %d", f->op);
		if (f->op != VB_OP_IN && f->value.is_null && f->op != VB_OP_EQ && f->op != VB_OP_NE)
			return vb_err_set(err, VB_ERR_INVALID, "Operator %s is invalid with NULL (field: %s)",
			                  vb_filter_op_text(f->op), f->field);
		const struct vb_column *col = vb_spec_column(spec, f->field);
		return vb_filter_cond_rules(f, col && col->type == VB_T_VECTOR, err);
	case VB_F_AND:
	case VB_F_OR:
	case VB_F_NOT:
		if (f->kind == VB_F_NOT && f->nkids != 1)
			return vb_err_set(err, VB_ERR_INVALID, "NOT needs exactly one condition");
		for (size_t i = 0; i < f->nkids; i++) {
			int rc = vb_filter_check(f->kids[i], spec, err);
			if (rc != VB_OK)
				return rc;
		}
		return VB_OK;
	default:
		return vb_err_set(err, VB_ERR_INVALID, "Unknown node type: %d", f->kind);
	}
}

/* ---- canonical text ---- */

static int ident_needs_quotes(const char *s, size_t n)
{
	unsigned char c0 = (unsigned char)s[0];
	if (!(isalpha(c0) || c0 == '_' || c0 >= 0x80))
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strchr(" \"().-+/\\|&*[]=<>!", s[i]))
			return 1;
	return 0;
}

static int add_ident(struct vb_buf *b, const char *name, struct vb_error *err)
{
	const char *s = name ? name : "";
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n)
		return vb_err_set(err, VB_ERR_INVALID, "Identifier cannot be empty");
	if (!ident_needs_quotes(s, n)) {
		vb_buf_addn(b, s, n);
		return VB_OK;
	}
	vb_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			vb_buf_addc(b, '"');
		vb_buf_addc(b, s[i]);
	}
	vb_buf_addc(b, '"');
	return VB_OK;
}

void vb_filter_format_double(double d, char *out, size_t len)
{
	if (isnan(d)) {
		snprintf(out, len, "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(out, len, d < 0 ? "-inf" : "inf");
		return;
	}
	/* Shortest digits that read back to the same double, laid out the way Python's repr does
	 * (positional for exponents -4..15, always with a fractional part). */
	char tmp[64];
	int prec = 1;
	for (; prec < 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
	int exp10 = atoi(strchr(tmp, 'e') + 1);
	if (exp10 >= -4 && exp10 < 16) {
		int decimals = prec - 1 - exp10;
		snprintf(out, len, "%.*f", decimals > 0 ? decimals : 0, d);
		if (!strchr(out, '.') && strlen(out) + 2 < len)
			strcat(out, ".0");
	} else {
		snprintf(out, len, "%s", tmp);
	}
}

static void add_quoted(struct vb_buf *b, const char *s)
{
	vb_buf_addc(b, '\'');
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '\'')
			vb_buf_addc(b, '\'');
		vb_buf_addc(b, *p);
	}
	vb_buf_addc(b, '\'');
}

static int add_literal(struct vb_buf *b, const struct vb_value *v, struct vb_error *err)
{
	if (v->is_null) {
		vb_buf_add(b, "NULL");
		return VB_OK;
	}
	char num[64];
	switch (v->type) {
	case VB_T_TEXT:
	case VB_T_TIMESTAMP:
		add_quoted(b, v->u.s);
		return VB_OK;
	case VB_T_INT:
		vb_buf_printf(b, "%" PRId64, v->u.i);
		return VB_OK;
	case VB_T_DOUBLE:
		vb_filter_format_double(v->u.d, num, sizeof num);
		vb_buf_add(b, num);
		return VB_OK;
	case VB_T_BOOL:
		vb_buf_add(b, v->u.b ? "TRUE" : "FALSE");
		return VB_OK;
	default:
		return vb_err_set(err, VB_ERR_INVALID, "Unsupported filter value type %d", v->type);
	}
}

static int render(struct vb_buf *b, const struct vb_filter *f, struct vb_error *err);

static int render_in(struct vb_buf *b, const struct vb_filter *f, struct vb_error *err)
{
	size_t terms = 0;
	int has_null = 0;
	for (size_t i = 0; i < f->nlist; i++) {
		if (f->list[i].is_null) {
			has_null = 1;
			continue;
		}
		vb_buf_add(b, terms++ ? " OR " : "(");
		int rc = add_ident(b, f->field, err);
		if (rc == VB_OK) {
			vb_buf_add(b, " = ");
			rc = add_literal(b, &f->list[i], err);
		}
		if (rc != VB_OK)
			return rc;
	}
	if (has_null) {
		vb_buf_add(b, terms++ ? " OR " : "(");
		int rc = add_ident(b, f->field, err);
		if (rc != VB_OK)
			return rc;
		vb_buf_add(b, " IS NULL");
	}
	vb_buf_add(b, terms ? ")" : "1 = 0");
	return VB_OK;
}

static int render_cond(struct vb_buf *b, const struct vb_filter *f, struct vb_error *err)
{
	const char *op = vb_filter_op_text(f->op);
	if (!op)
		return vb_err_set(err, VB_ERR_INVALID, "Unsupported operator: %d", f->op);
	if (f->op == VB_OP_IN)
		return render_in(b, f, err);
	if (f->value.is_null && f->op != VB_OP_EQ && f->op != VB_OP_NE)
		return vb_err_set(err, VB_ERR_INVALID, "Operator %s is invalid with NULL (field: %s)", op,
		                  f->field ? f->field : "");
	int rc = add_ident(b, f->field, err);
	if (rc != VB_OK)
		return rc;
	if (f->value.is_null) {
		vb_buf_add(b, f->op == VB_OP_EQ ? " IS NULL" : " IS NOT NULL");
		return VB_OK;
	}
	vb_buf_printf(b, " %s ", op);
	return add_literal(b, &f->value, err);
}

static int render_group(struct vb_buf *b, const struct vb_filter *f, const char *joiner, const char *empty,
                        struct vb_error *err)
{
	size_t shown = 0;
	for (size_t i = 0; i < f->nkids; i++) {
		if (!f->kids[i])
			continue;
		vb_buf_add(b, shown++ ? joiner : "(");
		int rc = render(b, f->kids[i], err);
		if (rc != VB_OK)
			return rc;
	}
	vb_buf_add(b, shown ? ")" : empty);
	return VB_OK;
}

static int render(struct vb_buf *b, const struct vb_filter *f, struct vb_error *err)
{
	switch (f->kind) {
	case VB_F_COND:
		return render_cond(b, f, err);
	case VB_F_AND:
		return render_group(b, f, " AND ", "1 = 1", err);
	case VB_F_OR:
		return render_group(b, f, " OR ", "1 = 0", err);
	case VB_F_NOT:
		if (f->nkids != 1 || !f->kids[0])
			return vb_err_set(err, VB_ERR_INVALID, "NOT needs exactly one condition");
		vb_buf_add(b, "(NOT ");
		int rc = render(b, f->kids[0], err);
		vb_buf_addc(b, ')');
		return rc;
	default:
		return vb_err_set(err, VB_ERR_INVALID, "Unknown node type: %d", f->kind);
	}
}

int vb_filter_render(const struct vb_filter *f, char **out, struct vb_error *err)
{
	*out = NULL;
	if (!f)
		return VB_OK;
	struct vb_buf b;
	vb_buf_init(&b);
	int rc = render(&b, f, err);
	if (rc != VB_OK) {
		vb_buf_free(&b);
		return rc;
	}
	*out = vb_buf_steal(&b);
	return VB_OK;
}

char *vb_filter_to_string(const struct vb_filter *f)
{
	char *s = NULL;
	struct vb_error e;
	vb_err_clear(&e);
	vb_filter_render(f, &s, &e);
	return s;
}
