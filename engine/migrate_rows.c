/* engine/migrate_rows.c - rows read from one store as values another store can write: the text cells
 * of a search_all result parsed by the spec's column types.  Backends write cells differently (text
 * lists as JSON on LanceDB and embedded, as {a,"b c"} on PostgreSQL; booleans true/t), so both forms
 * are read; vectors come as "[...]" with enough digits to be exact and are compared bit for bit. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_float.h"
#include "../backends/vb_util.h"
#include "migrate.h"

struct migrate_cells {
	struct vb_rows rows;
	const struct vb_table_spec *spec;
	struct vb_value *cells;
	void **pool; /* every allocation the cells point into */
	size_t npool, cappool;
};

static void *keep(struct migrate_cells *c, void *p)
{
	if (c->npool == c->cappool) {
		c->cappool = c->cappool ? c->cappool * 2 : 64;
		c->pool = vb_xrealloc(c->pool, c->cappool * sizeof *c->pool);
	}
	c->pool[c->npool++] = p;
	return p;
}

static int parse_vector(struct migrate_cells *c, const char *s, struct vb_value *v)
{
	if (*s != '[')
		return -1;
	int n = 0;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	float *f = keep(c, vb_xmalloc((size_t)(n + 1) * sizeof *f));
	int dim = 0;
	const char *p = s + 1;
	while (*p && *p != ']') {
		char *end;
		errno = 0;
		f[dim++] = vb_float_parse(p, &end);
		if (end == p || errno == EINVAL)
			return -1;
		p = end;
		if (*p == ',')
			p++;
	}
	if (*p != ']' || p[1])
		return -1;
	v->u.vec.v = f;
	v->u.vec.dim = dim;
	return 0;
}

/* Items of a list cannot outnumber its commas + 1, so the array is sized once. */
static size_t list_cap(const char *s)
{
	size_t n = 2;
	for (; *s; s++)
		n += *s == ',';
	return n;
}

/* JSON ["a", "b\"c", null], as LanceDB and the embedded store write text lists (jansson). */
static int parse_json_list(struct migrate_cells *c, const char *s, const char ***items, int *n)
{
	json_error_t jerr;
	json_t *a = json_loads(s, 0, &jerr);
	if (!a || !json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	size_t len = json_array_size(a);
	const char **out = keep(c, vb_xcalloc(len + 1, sizeof *out));
	int rc = 0;
	for (size_t i = 0; i < len && !rc; i++) {
		json_t *item = json_array_get(a, i);
		if (json_is_string(item))
			out[i] = keep(c, vb_xstrdup(json_string_value(item)));
		else if (!json_is_null(item))
			rc = -1;
	}
	json_decref(a);
	*items = out;
	*n = (int)len;
	return rc;
}

/* PostgreSQL text[] output: {a,"b c","d\"e",NULL} */
static int parse_pg_list(struct migrate_cells *c, const char *s, const char ***items, int *n)
{
	size_t cap = list_cap(s);
	const char **out = keep(c, vb_xcalloc(cap, sizeof *out));
	*n = 0;
	const char *p = s + 1;
	while (*p && *p != '}') {
		if ((size_t)*n == cap)
			return -1;
		struct vb_buf b;
		vb_buf_init(&b);
		int quoted = *p == '"';
		if (quoted) {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				vb_buf_addc(&b, *p);
			}
			if (*p++ != '"') {
				vb_buf_free(&b);
				return -1;
			}
		} else {
			for (; *p && *p != ',' && *p != '}'; p++)
				vb_buf_addc(&b, *p);
		}
		if (!quoted && b.data && !strcmp(b.data, "NULL")) {
			vb_buf_free(&b);
			out[(*n)++] = NULL;
		} else {
			out[(*n)++] = keep(c, b.data ? vb_buf_steal(&b) : vb_xstrdup(""));
		}
		if (*p == ',')
			p++;
	}
	*items = out;
	return *p == '}' ? 0 : -1;
}

static int parse_cell(struct migrate_cells *c, const struct vb_column *col, const char *s, struct vb_value *v)
{
	*v = (struct vb_value){.type = col->type, .is_null = s == NULL};
	if (!s)
		return 0;
	char *end;
	switch (col->type) {
	case VB_T_INT:
		errno = 0;
		v->u.i = strtoll(s, &end, 10);
		return *s && !*end && !errno ? 0 : -1;
	case VB_T_DOUBLE:
		v->u.d = strtod(s, &end);
		return *s && !*end ? 0 : -1;
	case VB_T_BOOL:
		v->u.b = !strcmp(s, "true") || !strcmp(s, "t") || !strcmp(s, "1");
		return v->u.b || !strcmp(s, "false") || !strcmp(s, "f") || !strcmp(s, "0") ? 0 : -1;
	case VB_T_VECTOR:
		return parse_vector(c, s, v);
	case VB_T_TEXT_ARRAY: {
		const char **items = NULL;
		int n = 0, rc = *s == '[' ? parse_json_list(c, s, &items, &n) : *s == '{' ? parse_pg_list(c, s, &items, &n) : -1;
		v->u.arr.items = items;
		v->u.arr.n = n;
		return rc;
	}
	default:
		v->u.s = keep(c, vb_xstrdup(s));
		return 0;
	}
}

struct migrate_cells *migrate_cells_parse(const struct vb_table_spec *spec, const struct vb_result *r,
                                          struct vb_error *err)
{
	struct migrate_cells *c = vb_xcalloc(1, sizeof *c);
	c->spec = spec;
	const char **cols = keep(c, vb_xcalloc((size_t)spec->ncolumns + 1, sizeof *cols));
	int *at = vb_xcalloc((size_t)spec->ncolumns + 1, sizeof *at);
	for (int k = 0; k < spec->ncolumns; k++) {
		cols[k] = spec->columns[k].name;
		at[k] = vb_result_col(r, cols[k]);
	}
	c->cells = vb_xcalloc(r->nrows * (size_t)spec->ncolumns + 1, sizeof *c->cells);
	for (size_t i = 0; i < r->nrows; i++) {
		for (int k = 0; k < spec->ncolumns; k++) {
			const char *s = at[k] >= 0 ? vb_result_get(r, i, at[k]) : NULL;
			if (parse_cell(c, &spec->columns[k], s, &c->cells[i * (size_t)spec->ncolumns + (size_t)k]) < 0) {
				vb_err_set(err, VB_ERR_INVALID, "table %s, column %s: cannot read '%.80s' as a %s", spec->name,
				           cols[k], s, spec->columns[k].sql_type);
				free(at);
				migrate_cells_free(c);
				return NULL;
			}
		}
	}
	free(at);
	c->rows = (struct vb_rows){spec->ncolumns, cols, r->nrows, c->cells};
	return c;
}

const struct vb_rows *migrate_cells_rows(const struct migrate_cells *c)
{
	return &c->rows;
}

long migrate_cells_find(const struct migrate_cells *c, int key_col, const char *key)
{
	for (size_t i = 0; i < c->rows.nrows; i++) {
		const struct vb_value *v = &c->cells[i * (size_t)c->rows.ncols + (size_t)key_col];
		if (!v->is_null && v->u.s && !strcmp(v->u.s, key))
			return (long)i;
	}
	return -1;
}

static int value_equal(const struct vb_value *a, const struct vb_value *b)
{
	if (a->is_null || b->is_null)
		return a->is_null && b->is_null;
	switch (a->type) {
	case VB_T_INT: return a->u.i == b->u.i;
	case VB_T_DOUBLE: return a->u.d == b->u.d || (isnan(a->u.d) && isnan(b->u.d));
	case VB_T_BOOL: return !a->u.b == !b->u.b;
	case VB_T_VECTOR:
		return a->u.vec.dim == b->u.vec.dim &&
		       memcmp(a->u.vec.v, b->u.vec.v, (size_t)a->u.vec.dim * sizeof(float)) == 0;
	case VB_T_TEXT_ARRAY:
		if (a->u.arr.n != b->u.arr.n)
			return 0;
		for (int i = 0; i < a->u.arr.n; i++) {
			const char *x = a->u.arr.items[i], *y = b->u.arr.items[i];
			if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
				return 0;
		}
		return 1;
	default: return !strcmp(a->u.s, b->u.s);
	}
}

int migrate_cells_equal(const struct migrate_cells *a, long ra, const struct migrate_cells *b, long rb, char *why,
                        size_t len)
{
	int n = a->rows.ncols;
	for (int k = 0; k < n; k++) {
		if (!value_equal(&a->cells[(size_t)ra * (size_t)n + (size_t)k], &b->cells[(size_t)rb * (size_t)n + (size_t)k])) {
			snprintf(why, len, "column %s differs", a->rows.cols[k]);
			return 0;
		}
	}
	return 1;
}

void migrate_cells_free(struct migrate_cells *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->npool; i++)
		free(c->pool[i]);
	free(c->pool);
	free(c->cells);
	free(c);
}
