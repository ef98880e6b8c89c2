/* backends/lancedb/lance_write.c - add, upsert (LanceDB merge-insert, as Datus), update, delete
 * and count.  A batch goes to the helper whole and LanceDB commits it as one new table version,
 * so a bad row leaves nothing written. */
#include "lance.h"

#include <stdlib.h>
#include <string.h>

/* Which columns of rows go to LanceDB (all but `namespace`, which must be the handle's). */
static int check_rows(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows, int *ns_col,
                      struct vb_error *err)
{
	*ns_col = -1;
	for (int c = 0; c < rows->ncols; c++) {
		if (strcmp(rows->cols[c], "namespace") == 0) {
			*ns_col = c;
			continue;
		}
		if (!vb_spec_column(spec, rows->cols[c]))
			return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' for table %s", rows->cols[c], spec->name);
	}
	for (size_t r = 0; *ns_col >= 0 && r < rows->nrows; r++) {
		const struct vb_value *v = &rows->cells[r * (size_t)rows->ncols + (size_t)*ns_col];
		const char *ns = v->is_null ? NULL : v->u.s;
		if (ns && strcmp(ns, h->ns) != 0)
			return vb_err_set(err, VB_ERR_MISMATCH, "namespace mismatch for table %s: %s != %s", spec->name, ns, h->ns);
	}
	return VB_OK;
}

/* A vector column whose rows all hold a vector of one dimension goes as one block (tag W); any
 * other column as a list of values. */
static void put_column(struct vb_buf *b, const struct vb_rows *rows, int c)
{
	const struct vb_value *first = &rows->cells[(size_t)c];
	int block = first->type == VB_T_VECTOR;
	for (size_t r = 0; block && r < rows->nrows; r++) {
		const struct vb_value *v = &rows->cells[r * (size_t)rows->ncols + (size_t)c];
		block = !v->is_null && v->type == VB_T_VECTOR && v->u.vec.dim == first->u.vec.dim && v->u.vec.dim > 0;
	}
	if (block) {
		lw_vec_column(b, (uint32_t)rows->nrows, (uint32_t)first->u.vec.dim);
		for (size_t r = 0; r < rows->nrows; r++)
			lw_vec_row(b, rows->cells[r * (size_t)rows->ncols + (size_t)c].u.vec.v, (uint32_t)first->u.vec.dim);
		return;
	}
	lw_list(b, (uint32_t)rows->nrows);
	for (size_t r = 0; r < rows->nrows; r++)
		lw_value(b, &rows->cells[r * (size_t)rows->ncols + (size_t)c]);
}

/* The batch column by column (protocol.md): LanceDB takes it as Arrow columns, and vectors travel
 * as one block each. */
static void put_rows(struct vb_handle *h, const struct vb_rows *rows, int ns_col)
{
	int n = rows->ncols - (ns_col >= 0);
	lw_str(&h->req, "cols");
	lw_list(&h->req, (uint32_t)n);
	for (int c = 0; c < rows->ncols; c++)
		if (c != ns_col)
			lw_str(&h->req, rows->cols[c]);
	lw_str(&h->req, "n");
	lw_int(&h->req, (int64_t)rows->nrows);
	lw_str(&h->req, "columns");
	lw_list(&h->req, (uint32_t)n);
	for (int c = 0; c < rows->ncols; c++)
		if (c != ns_col)
			put_column(&h->req, rows, c);
}

static int write_rows(struct vb_handle *h, const char *op, const struct vb_table_spec *spec, const struct vb_rows *rows,
                      const char *on, struct vb_error *err)
{
	int ns_col;
	int rc = check_rows(h, spec, rows, &ns_col, err);
	if (rc != VB_OK || rows->nrows == 0)
		return rc;
	lance_req(h, op, spec->name, on ? 4 : 3);
	if (on) {
		lw_str(&h->req, "on");
		lw_str(&h->req, on);
	}
	put_rows(h, rows, ns_col);
	return lance_call_ok(h, err);
}

int lance_add(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows, struct vb_error *err)
{
	return write_rows(h, "add", spec, rows, NULL, err);
}

int lance_upsert(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows, const char *on,
                 struct vb_error *err)
{
	if (!on || !*on)
		on = spec->key_column;
	if (!on || !vb_spec_column(spec, on))
		return vb_err_set(err, VB_ERR_INVALID, "upsert on unknown column '%s' of table %s", on ? on : "(none)",
		                  spec->name);
	return write_rows(h, "upsert", spec, rows, on, err);
}

/* Sends a request carrying a compiled where and reads back {n}. */
static int call_n(struct vb_handle *h, int64_t *n, struct vb_error *err)
{
	struct lw_val *v = lance_call(h, err);
	if (!v)
		return err->status;
	if (n)
		*n = lw_get_int(v, "n", 0);
	lw_free(v);
	return VB_OK;
}

/* As Datus's LanceTable: a where that compiles to nothing makes update and delete no-ops. */
int lance_update(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                 const struct vb_rows *values, int64_t *affected, struct vb_error *err)
{
	if (affected)
		*affected = 0;
	for (int c = 0; c < values->ncols; c++)
		if (strcmp(values->cols[c], "namespace") == 0 || !vb_spec_column(spec, values->cols[c]))
			return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' for table %s", values->cols[c], spec->name);
	char *w;
	int rc = lance_where(h, spec, where, &w, err);
	if (rc != VB_OK || !w || values->nrows < 1 || values->ncols < 1) {
		free(w);
		return rc;
	}
	lance_req(h, "update", spec->name, 2);
	lw_str(&h->req, "where");
	lw_str(&h->req, w);
	lw_str(&h->req, "set");
	lw_map(&h->req, (uint32_t)values->ncols);
	for (int c = 0; c < values->ncols; c++) {
		lw_str(&h->req, values->cols[c]);
		lw_value(&h->req, &values->cells[c]);
	}
	free(w);
	return call_n(h, affected, err);
}

int lance_delete(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                 int64_t *affected, struct vb_error *err)
{
	if (affected)
		*affected = 0;
	char *w;
	int rc = lance_where(h, spec, where, &w, err);
	if (rc != VB_OK || !w)
		return rc;
	lance_req(h, "delete", spec->name, 1);
	lw_str(&h->req, "where");
	lw_str(&h->req, w);
	free(w);
	return call_n(h, affected, err);
}

int lance_count(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where, int64_t *out,
                struct vb_error *err)
{
	char *w;
	int rc = lance_where(h, spec, where, &w, err);
	if (rc != VB_OK)
		return rc;
	lance_req(h, "count", spec->name, 1);
	lw_str(&h->req, "where");
	lw_str(&h->req, w);
	free(w);
	return call_n(h, out, err);
}
