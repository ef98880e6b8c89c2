/* backends/pgvector/pgv_copy.c - add and upsert through COPY: binary when every column has an
 * encoder here and every value converts, text otherwise (the server then parses and reports). */
#include "pgv.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define COPY_CHUNK (256 * 1024)

/* Which row column feeds each COPY column; -1 = the backend's namespace. */
struct copy_plan {
	int ncols;
	int *src;
	const struct pgv_col **col;
	int ns_col; /* the rows' namespace column or -1 */
	int binary;
};

static void plan_free(struct copy_plan *p)
{
	free(p->src);
	free(p->col);
}

/* ---- value conversions ---- */

static int parse_int(const char *s, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "t") || !strcmp(s, "true") || !strcmp(s, "TRUE") || !strcmp(s, "1"))
		*out = 1;
	else if (!strcmp(s, "f") || !strcmp(s, "false") || !strcmp(s, "FALSE") || !strcmp(s, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* "YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]]" or a bare date -> microseconds since 2000-01-01.  Other
 * spellings (time zones, 'now', infinity) go through the text format instead. */
static int parse_timestamp(const char *s, int64_t *out)
{
	int y, mo, d, hh = 0, mi = 0, ss = 0, n = 0;
	long long frac = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	const char *p = s + n;
	if (*p == ' ' || *p == 'T') {
		int m2 = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &hh, &mi, &m2) != 2 || m2 != 5)
			return -1;
		p += 1 + m2;
		if (*p == ':') {
			if (p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9')
				return -1;
			ss = (p[1] - '0') * 10 + (p[2] - '0');
			p += 3;
			if (*p == '.') {
				int digits = 0;
				for (p++; *p >= '0' && *p <= '9'; p++, digits++)
					if (digits < 6)
						frac = frac * 10 + (*p - '0');
				if (!digits)
					return -1;
				for (; digits < 6; digits++)
					frac *= 10;
			}
		}
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 59)
		return -1;
	long long days = days_from_civil(y, (unsigned)mo, (unsigned)d) - 10957; /* 1970 -> 2000 */
	*out = ((days * 86400 + hh * 3600 + mi * 60 + ss) * 1000000LL) + frac;
	return 0;
}

static void put16(struct vb_buf *b, int16_t v)
{
	uint16_t x = htobe16((uint16_t)v);
	vb_buf_addn(b, (const char *)&x, 2);
}

static void put32(struct vb_buf *b, int32_t v)
{
	uint32_t x = htobe32((uint32_t)v);
	vb_buf_addn(b, (const char *)&x, 4);
}

static void put64(struct vb_buf *b, int64_t v)
{
	uint64_t x = htobe64((uint64_t)v);
	vb_buf_addn(b, (const char *)&x, 8);
}

static void putf4(struct vb_buf *b, float f)
{
	uint32_t x;
	memcpy(&x, &f, 4);
	put32(b, (int32_t)x);
}

static void putf8(struct vb_buf *b, double d)
{
	uint64_t x;
	memcpy(&x, &d, 8);
	put64(b, (int64_t)x);
}

static int as_int(const struct vb_value *v, long long *out)
{
	switch (v->type) {
	case VB_T_INT: *out = v->u.i; return 0;
	case VB_T_BOOL: *out = v->u.b != 0; return 0;
	case VB_T_DOUBLE:
		if (v->u.d != (double)(long long)v->u.d)
			return -1;
		*out = (long long)v->u.d;
		return 0;
	case VB_T_TEXT: return v->u.s ? parse_int(v->u.s, out) : -1;
	}
	return -1;
}

static int as_double(const struct vb_value *v, double *out)
{
	switch (v->type) {
	case VB_T_INT: *out = (double)v->u.i; return 0;
	case VB_T_DOUBLE: *out = v->u.d; return 0;
	case VB_T_TEXT: return v->u.s ? parse_double(v->u.s, out) : -1;
	}
	return -1;
}

/* The field encoders below append one binary field (length + bytes) for v in column c; with
 * b == NULL they only answer whether that is possible.  -1 = use the text format for this batch. */

static int bin_text(struct vb_buf *b, const struct vb_value *v)
{
	if (!b)
		return 0;
	char *t = pgv_value_text(v);
	if (!t) { /* unreachable: make_plan refuses unknown value types */
		put32(b, -1);
		return 0;
	}
	put32(b, (int32_t)strlen(t));
	vb_buf_add(b, t);
	free(t);
	return 0;
}

static int bin_int(struct vb_buf *b, const struct pgv_col *c, const struct vb_value *v)
{
	long long i;
	if (as_int(v, &i) < 0)
		return -1;
	if ((c->kind == PGV_K_INT2 && (i < INT16_MIN || i > INT16_MAX)) ||
	    (c->kind == PGV_K_INT4 && (i < INT32_MIN || i > INT32_MAX)))
		return -1; /* the server's "out of range" message is the better report */
	if (!b)
		return 0;
	if (c->kind == PGV_K_INT2) {
		put32(b, 2);
		put16(b, (int16_t)i);
	} else if (c->kind == PGV_K_INT4) {
		put32(b, 4);
		put32(b, (int32_t)i);
	} else {
		put32(b, 8);
		put64(b, i);
	}
	return 0;
}

static int bin_float(struct vb_buf *b, const struct pgv_col *c, const struct vb_value *v)
{
	double d;
	if (as_double(v, &d) < 0)
		return -1;
	if (!b)
		return 0;
	put32(b, c->kind == PGV_K_FLOAT4 ? 4 : 8);
	if (c->kind == PGV_K_FLOAT4)
		putf4(b, (float)d);
	else
		putf8(b, d);
	return 0;
}

static int bin_bool(struct vb_buf *b, const struct vb_value *v)
{
	int bo;
	if (v->type == VB_T_BOOL)
		bo = v->u.b != 0;
	else if (v->type == VB_T_INT && (v->u.i == 0 || v->u.i == 1))
		bo = (int)v->u.i;
	else if (v->type != VB_T_TEXT || parse_bool(v->u.s, &bo) < 0)
		return -1;
	if (b) {
		put32(b, 1);
		vb_buf_addc(b, (char)bo);
	}
	return 0;
}

static int bin_timestamp(struct vb_buf *b, const struct vb_value *v)
{
	int64_t ts;
	if ((v->type != VB_T_TEXT && v->type != VB_T_TIMESTAMP) || parse_timestamp(v->u.s, &ts) < 0)
		return -1;
	if (b) {
		put32(b, 8);
		put64(b, ts);
	}
	return 0;
}

static int bin_vector(struct vb_buf *b, const struct vb_value *v)
{
	if (v->type != VB_T_VECTOR || v->u.vec.dim < 0 || v->u.vec.dim > 16000)
		return -1;
	if (!b)
		return 0;
	/* pgvector's vector_send layout: int16 dim, int16 unused, float4[dim] */
	put32(b, 4 + 4 * v->u.vec.dim);
	put16(b, (int16_t)v->u.vec.dim);
	put16(b, 0);
	/* byte-swapped in blocks, one append per block: a per-float append made the encoding a
	 * third of the client's time in make bench's 10k x 384 add */
	uint32_t blk[256];
	for (int k = 0; k < v->u.vec.dim; k += 256) {
		int m = v->u.vec.dim - k < 256 ? v->u.vec.dim - k : 256;
		memcpy(blk, v->u.vec.v + k, (size_t)m * 4);
		for (int j = 0; j < m; j++)
			blk[j] = htobe32(blk[j]);
		vb_buf_addn(b, (const char *)blk, (size_t)m * 4);
	}
	return 0;
}

/* array_send layout: ndim, has-null flag, element oid, then per dimension its size and lower
 * bound, then each element as length + bytes (-1 for NULL). */
static int bin_text_array(struct vb_buf *b, const struct pgv_col *c, const struct vb_value *v)
{
	if (v->type != VB_T_TEXT_ARRAY)
		return -1;
	if (!b)
		return 0;
	int n = v->u.arr.n, hasnull = 0;
	size_t total = 20;
	for (int k = 0; k < n; k++) {
		const char *s = v->u.arr.items[k];
		hasnull |= !s;
		total += 4 + (s ? strlen(s) : 0);
	}
	if (n == 0) { /* an empty array has no dimensions */
		put32(b, 12);
		put32(b, 0);
		put32(b, 0);
		put32(b, (int32_t)c->elemoid);
		return 0;
	}
	put32(b, (int32_t)total);
	put32(b, 1);
	put32(b, hasnull);
	put32(b, (int32_t)c->elemoid);
	put32(b, n);
	put32(b, 1);
	for (int k = 0; k < n; k++) {
		const char *s = v->u.arr.items[k];
		put32(b, s ? (int32_t)strlen(s) : -1);
		if (s)
			vb_buf_add(b, s);
	}
	return 0;
}

static int field_bin(struct vb_buf *b, const struct pgv_col *c, const struct vb_value *v)
{
	if (v->is_null || ((v->type == VB_T_TEXT || v->type == VB_T_TIMESTAMP) && !v->u.s)) {
		if (b)
			put32(b, -1);
		return 0;
	}
	switch (c->kind) {
	case PGV_K_TEXT: return bin_text(b, v);
	case PGV_K_INT2:
	case PGV_K_INT4:
	case PGV_K_INT8: return bin_int(b, c, v);
	case PGV_K_FLOAT4:
	case PGV_K_FLOAT8: return bin_float(b, c, v);
	case PGV_K_BOOL: return bin_bool(b, v);
	case PGV_K_TIMESTAMP: return bin_timestamp(b, v);
	case PGV_K_VECTOR: return bin_vector(b, v);
	case PGV_K_TEXTARR: return bin_text_array(b, c, v);
	}
	return -1;
}

static void field_text(struct vb_buf *b, const struct vb_value *v)
{
	char *t = pgv_value_text(v);
	if (!t) {
		vb_buf_add(b, "\\N");
		return;
	}
	for (const char *p = t; *p; p++) {
		switch (*p) {
		case '\\': vb_buf_add(b, "\\\\"); break;
		case '\n': vb_buf_add(b, "\\n"); break;
		case '\r': vb_buf_add(b, "\\r"); break;
		case '\t': vb_buf_add(b, "\\t"); break;
		default: vb_buf_addc(b, *p);
		}
	}
	free(t);
}

/* ---- planning ---- */

static int make_plan(struct vb_handle *h, const struct pgv_table *t, const struct vb_rows *rows,
                     const unsigned char *keep, struct copy_plan *plan, struct vb_error *err)
{
	memset(plan, 0, sizeof *plan);
	int rc = pgv_check_namespace(h, t->name, rows, &plan->ns_col, err);
	if (rc != VB_OK)
		return rc;
	if (t->has_namespace && !h->ns)
		return vb_err_set(err, VB_ERR_INVALID, "No namespace set for table %s (use --namespace)", t->name);
	int inject = t->has_namespace && plan->ns_col < 0;
	plan->ncols = rows->ncols + inject;
	plan->src = vb_xcalloc((size_t)plan->ncols, sizeof *plan->src);
	plan->col = vb_xcalloc((size_t)plan->ncols, sizeof *plan->col);
	for (int c = 0; c < rows->ncols; c++) {
		for (int k = 0; k < c; k++)
			if (strcmp(rows->cols[k], rows->cols[c]) == 0)
				return vb_err_set(err, VB_ERR_INVALID, "Column '%s' appears twice in the rows for table %s",
				                  rows->cols[c], t->name);
		plan->src[c] = c;
		plan->col[c] = pgv_table_col(t, rows->cols[c]);
		if (!plan->col[c])
			return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' for table %s", rows->cols[c], t->name);
	}
	if (inject) {
		plan->src[rows->ncols] = -1;
		plan->col[rows->ncols] = pgv_table_col(t, "namespace");
	}
	for (size_t r = 0; r < rows->nrows; r++)
		for (int c = 0; c < rows->ncols; c++) {
			int type = rows->cells[r * (size_t)rows->ncols + (size_t)c].type;
			if (type < VB_T_TEXT || type > VB_T_VECTOR)
				return vb_err_set(err, VB_ERR_INVALID, "Row %zu column '%s': unknown value type %d", r + 1,
				                  rows->cols[c], type);
		}
	plan->binary = 1;
	for (int c = 0; c < plan->ncols && plan->binary; c++) {
		if (plan->col[c]->kind == PGV_K_OTHER)
			plan->binary = 0;
		if (plan->src[c] < 0)
			continue;
		for (size_t r = 0; r < rows->nrows && plan->binary; r++)
			if ((!keep || keep[r]) &&
			    field_bin(NULL, plan->col[c], &rows->cells[r * (size_t)rows->ncols + (size_t)plan->src[c]]) < 0)
				plan->binary = 0;
	}
	return VB_OK;
}

static const struct vb_value *plan_cell(struct vb_handle *h, const struct copy_plan *plan, const struct vb_rows *rows,
                                        size_t r, int c, struct vb_value *tmp)
{
	int s = plan->src[c];
	const struct vb_value *v = s >= 0 ? &rows->cells[r * (size_t)rows->ncols + (size_t)s] : NULL;
	if (!v || (s == plan->ns_col && (v->is_null || !v->u.s))) {
		memset(tmp, 0, sizeof *tmp);
		tmp->type = VB_T_TEXT;
		tmp->u.s = h->ns;
		return tmp;
	}
	return v;
}

static char *column_list(struct vb_handle *h, const struct copy_plan *plan)
{
	struct vb_buf b;
	vb_buf_init(&b);
	for (int c = 0; c < plan->ncols; c++) {
		char *q = pgv_ident(h, plan->col[c]->name);
		vb_buf_printf(&b, "%s%s", c ? ", " : "", q);
		free(q);
	}
	return vb_buf_steal(&b);
}

static int put_chunk(struct vb_handle *h, struct vb_buf *b, struct vb_error *err)
{
	if (b->len && PQputCopyData(h->conn, b->data, (int)b->len) != 1)
		return pgv_err_conn(h, err);
	vb_buf_reset(b);
	return VB_OK;
}

/* COPY target (cols) FROM STDIN, streamed in chunks, inside the caller's transaction. */
static int copy_rows(struct vb_handle *h, const char *target, const struct copy_plan *plan, const struct vb_rows *rows,
                     const unsigned char *keep, struct vb_error *err)
{
	char *cols = column_list(h, plan);
	char *sql = vb_xasprintf("COPY %s (%s) FROM STDIN%s", target, cols, plan->binary ? " (FORMAT binary)" : "");
	free(cols);
	PGresult *r = pgv_exec(h, sql, NULL, err);
	free(sql);
	if (!r)
		return err->status;
	int st = PQresultStatus(r);
	PQclear(r);
	if (st != PGRES_COPY_IN)
		return vb_err_set(err, VB_ERR_INTERNAL, "COPY did not start");

	struct vb_buf b;
	vb_buf_init(&b);
	int rc = VB_OK;
	if (plan->binary) {
		vb_buf_addn(&b, "PGCOPY\n\377\r\n\0", 11);
		put32(&b, 0);
		put32(&b, 0);
	}
	struct vb_value tmp;
	for (size_t i = 0; i < rows->nrows && rc == VB_OK; i++) {
		if (keep && !keep[i])
			continue;
		if (plan->binary)
			put16(&b, (int16_t)plan->ncols);
		for (int c = 0; c < plan->ncols; c++) {
			const struct vb_value *v = plan_cell(h, plan, rows, i, c, &tmp);
			if (plan->binary) {
				field_bin(&b, plan->col[c], v);
			} else {
				if (c)
					vb_buf_addc(&b, '\t');
				field_text(&b, v);
			}
		}
		if (!plan->binary)
			vb_buf_addc(&b, '\n');
		if (b.len >= COPY_CHUNK)
			rc = put_chunk(h, &b, err);
	}
	if (rc == VB_OK && plan->binary)
		put16(&b, -1);
	if (rc == VB_OK)
		rc = put_chunk(h, &b, err);
	vb_buf_free(&b);
	if (PQputCopyEnd(h->conn, rc == VB_OK ? NULL : "vbadmin stopped sending rows") != 1 && rc == VB_OK)
		rc = pgv_err_conn(h, err);
	struct vb_error end_err;
	r = pgv_wait(h, rc == VB_OK ? err : &end_err);
	if (!r)
		return rc == VB_OK ? err->status : rc;
	PQclear(r);
	return rc;
}

/* ---- slots ---- */

int pgv_add(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows, struct vb_error *err)
{
	if (!rows || rows->nrows == 0)
		return VB_OK;
	struct pgv_table *t;
	int rc = pgv_table_get(h, spec->name, &t, err);
	if (rc != VB_OK)
		return rc;
	struct copy_plan plan;
	rc = make_plan(h, t, rows, NULL, &plan, err);
	if (rc == VB_OK)
		rc = pgv_begin(h, err);
	if (rc == VB_OK) {
		char *qt = pgv_qualified(h, spec->name);
		rc = copy_rows(h, qt, &plan, rows, NULL, err);
		free(qt);
		if (rc == VB_OK)
			rc = pgv_commit(h, err);
		if (rc != VB_OK)
			pgv_rollback(h);
	}
	plan_free(&plan);
	return rc;
}

struct key_ref {
	char *key;
	size_t row;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* keep[r] = 1 for the last row of every key; rows with a NULL key never conflict and stay. */
static unsigned char *dedupe(const struct vb_rows *rows, int key_col)
{
	unsigned char *keep = vb_xcalloc(rows->nrows, 1);
	struct key_ref *refs = vb_xcalloc(rows->nrows, sizeof *refs);
	size_t n = 0;
	for (size_t r = 0; r < rows->nrows; r++) {
		char *k = pgv_value_text(&rows->cells[r * (size_t)rows->ncols + (size_t)key_col]);
		if (!k) {
			keep[r] = 1;
			continue;
		}
		refs[n].key = k;
		refs[n].row = r;
		n++;
	}
	qsort(refs, n, sizeof *refs, key_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i + 1 == n || strcmp(refs[i].key, refs[i + 1].key) != 0)
			keep[refs[i].row] = 1;
		free(refs[i].key);
	}
	free(refs);
	return keep;
}

/* The column rows are matched on (the table's key unless the caller names one): its index in rows. */
static int upsert_key(const struct vb_table_spec *spec, const struct vb_rows *rows, const char **on_column,
                      int *key_col, struct vb_error *err)
{
	if (!*on_column)
		*on_column = spec->key_column;
	if (!*on_column)
		return vb_err_set(err, VB_ERR_INVALID, "Table %s has no key column to upsert on", spec->name);
	*key_col = -1;
	for (int c = 0; c < rows->ncols; c++)
		if (strcmp(rows->cols[c], *on_column) == 0)
			*key_col = c;
	if (*key_col < 0)
		return vb_err_set(err, VB_ERR_INVALID, "Upsert key column '%s' is not among the row columns", *on_column);
	return VB_OK;
}

/* INSERT ... ON CONFLICT from the staging table.  The key and the namespace identify the row, so
 * they are never SET; with nothing else to set a conflicting row is left as it is. */
static char *upsert_insert_sql(struct vb_handle *h, const struct pgv_table *t, const struct copy_plan *plan,
                               const char *qt, const char *cols, const char *stage, const char *on_column)
{
	struct vb_buf set;
	vb_buf_init(&set);
	for (int c = 0; c < plan->ncols; c++) {
		const char *name = plan->col[c]->name;
		if (strcmp(name, on_column) == 0 || (t->has_namespace && strcmp(name, "namespace") == 0))
			continue;
		char *q = pgv_ident(h, name);
		vb_buf_printf(&set, "%s%s = EXCLUDED.%s", set.len ? ", " : "", q, q);
		free(q);
	}
	char *qkey = pgv_ident(h, on_column);
	char *insert = vb_xasprintf("INSERT INTO %s (%s) SELECT %s FROM %s ON CONFLICT (%s%s) DO %s%s", qt, cols, cols,
	                            stage, t->has_namespace ? "namespace, " : "", qkey,
	                            set.len ? "UPDATE SET " : "NOTHING", set.len ? set.data : "");
	free(qkey);
	vb_buf_free(&set);
	return insert;
}

int pgv_upsert(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows,
               const char *on_column, struct vb_error *err)
{
	if (!rows || rows->nrows == 0)
		return VB_OK;
	int key_col = -1; /* set by upsert_key on success; -O2 cannot see that */
	int rc = upsert_key(spec, rows, &on_column, &key_col, err);
	if (rc != VB_OK)
		return rc;
	struct pgv_table *t;
	if ((rc = pgv_table_get(h, spec->name, &t, err)) != VB_OK)
		return rc;
	unsigned char *keep = dedupe(rows, key_col);
	struct copy_plan plan;
	rc = make_plan(h, t, rows, keep, &plan, err);
	if (rc != VB_OK) {
		free(keep);
		plan_free(&plan);
		return rc;
	}

	char *qt = pgv_qualified(h, spec->name);
	char *cols = column_list(h, &plan);
	const char *stage = "pg_temp.vb_upsert_stage";
	char *create = vb_xasprintf("CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT %s FROM %s WITH NO DATA", stage,
	                            cols, qt);
	char *insert = upsert_insert_sql(h, t, &plan, qt, cols, stage, on_column);
	rc = pgv_begin(h, err);
	if (rc == VB_OK)
		rc = pgv_run(h, create, NULL, err);
	if (rc == VB_OK)
		rc = copy_rows(h, stage, &plan, rows, keep, err);
	if (rc == VB_OK)
		rc = pgv_run(h, insert, NULL, err);
	/* ON COMMIT DROP does not fire at a savepoint's release: drop it for the next batch */
	if (rc == VB_OK && h->txn)
		rc = pgv_run(h, "DROP TABLE pg_temp.vb_upsert_stage", NULL, err);
	if (rc == VB_OK)
		rc = pgv_commit(h, err);
	if (rc != VB_OK) {
		pgv_rollback(h);
		if (strcmp(err->sqlstate, "42P10") == 0)
			snprintf(err->hint, sizeof err->hint, "Upsert needs UNIQUE (%s%s) on table %s; add it or rerun the DDL.",
			         t->has_namespace ? "namespace, " : "", on_column, spec->name);
	}
	free(create);
	free(insert);
	free(cols);
	free(qt);
	free(keep);
	plan_free(&plan);
	return rc;
}
