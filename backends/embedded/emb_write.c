/* backends/embedded/emb_write.c - add, upsert, update, delete.  Every batch is checked as a
 * whole before the first statement (unknown columns, vector dimensions, namespace) and written
 * in one IMMEDIATE transaction, so a bad row leaves the table exactly as it was. */
#include "emb.h"

#include <stdlib.h>
#include <string.h>

/* How the columns of a vb_rows map onto the table: spec column index, or -1 for namespace. */
struct plan {
	int *map;
	int ns_col; /* index in rows of the namespace column, -1 if absent */
};

static int check_cell(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_column *c,
                      const struct vb_value *v, size_t row, struct vb_error *err)
{
	if (!c) { /* namespace */
		if (v->is_null)
			return VB_OK;
		const char *ns = (v->type == VB_T_TEXT && v->u.s) ? v->u.s : "";
		if (strcmp(ns, h->ns) != 0)
			return vb_err_set(err, VB_ERR_MISMATCH, "namespace mismatch for table %s: %s != %s", spec->name, ns,
			                  h->ns);
		return VB_OK;
	}
	if (v->is_null)
		return VB_OK;
	if (c->type == VB_T_VECTOR) {
		if (v->type != VB_T_VECTOR)
			return vb_err_set(err, VB_ERR_INVALID, "table %s row %zu: column '%s' needs a vector", spec->name,
			                  row + 1, c->name);
		if (v->u.vec.dim != spec->vector_dim)
			return vb_err_set(err, VB_ERR_INVALID,
			                  "table %s row %zu: column '%s' expected %d dimensions, not %d", spec->name, row + 1,
			                  c->name, spec->vector_dim, v->u.vec.dim);
		return VB_OK;
	}
	if (v->type == VB_T_VECTOR)
		return vb_err_set(err, VB_ERR_INVALID, "table %s row %zu: column '%s' is not a vector column", spec->name,
		                  row + 1, c->name);
	return VB_OK;
}

static int plan_rows(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows,
                     struct plan *pl, struct vb_error *err)
{
	pl->map = vb_xcalloc((size_t)(rows->ncols > 0 ? rows->ncols : 1), sizeof *pl->map);
	pl->ns_col = -1;
	if (rows->ncols <= 0 || !rows->cols)
		return vb_err_set(err, VB_ERR_INVALID, "rows for table %s have no columns", spec->name);
	for (int c = 0; c < rows->ncols; c++) {
		const char *name = rows->cols[c] ? rows->cols[c] : "";
		const struct vb_column *col = vb_spec_column(spec, name);
		if (!col && spec->namespaced && strcmp(name, "namespace") == 0) {
			pl->map[c] = -1;
			pl->ns_col = c;
		} else if (!col) {
			return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' for table %s", name, spec->name);
		} else {
			pl->map[c] = (int)(col - spec->columns);
		}
		for (int d = 0; d < c; d++)
			if (strcmp(rows->cols[d], name) == 0)
				return vb_err_set(err, VB_ERR_INVALID, "column '%s' appears twice in the rows for table %s", name,
				                  spec->name);
	}
	for (size_t r = 0; r < rows->nrows; r++)
		for (int c = 0; c < rows->ncols; c++) {
			const struct vb_column *col = pl->map[c] < 0 ? NULL : &spec->columns[pl->map[c]];
			int rc = check_cell(h, spec, col, &rows->cells[r * (size_t)rows->ncols + (size_t)c], r, err);
			if (rc != VB_OK)
				return rc;
		}
	return VB_OK;
}

static void insert_sql(struct vb_buf *b, const struct vb_table_spec *spec, const struct vb_rows *rows,
                       const struct plan *pl)
{
	vb_buf_add(b, "INSERT INTO ");
	emb_buf_qi(b, spec->name);
	vb_buf_add(b, " (");
	int n = 0;
	if (spec->namespaced) {
		vb_buf_add(b, "\"namespace\"");
		n++;
	}
	for (int c = 0; c < rows->ncols; c++) {
		if (pl->map[c] < 0)
			continue;
		if (n++)
			vb_buf_add(b, ", ");
		emb_buf_qi(b, rows->cols[c]);
	}
	vb_buf_add(b, ") VALUES (");
	for (int i = 0; i < n; i++)
		vb_buf_add(b, i ? ", ?" : "?");
	vb_buf_addc(b, ')');
}

/* Binds row r (namespace first) into an insert statement; returns the next parameter index. */
static int bind_row(struct vb_handle *h, sqlite3_stmt *st, const struct vb_table_spec *spec,
                    const struct vb_rows *rows, const struct plan *pl, size_t r)
{
	int idx = 1;
	if (spec->namespaced)
		sqlite3_bind_text(st, idx++, h->ns, -1, SQLITE_STATIC);
	for (int c = 0; c < rows->ncols; c++) {
		if (pl->map[c] < 0)
			continue;
		emb_bind_value(st, idx++, &rows->cells[r * (size_t)rows->ncols + (size_t)c]);
	}
	return idx;
}

static int step_done(struct vb_handle *h, sqlite3_stmt *st, const char *what, size_t row, struct vb_error *err)
{
	int src = sqlite3_step(st);
	sqlite3_reset(st);
	if (src == SQLITE_DONE || src == SQLITE_ROW)
		return VB_OK;
	char ctx[160];
	snprintf(ctx, sizeof ctx, "%s, row %zu", what, row + 1);
	return emb_fail(h, src, err, ctx);
}

enum write_mode { W_ADD, W_UPSERT_CONFLICT, W_UPSERT_REPLACE };

static int write_rows(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows,
                      const char *on, struct vb_error *err)
{
	int rc = emb_require_table(h, spec, err);
	if (rc != VB_OK)
		return rc;
	if (!rows || rows->nrows == 0)
		return VB_OK;
	struct plan pl = { 0 };
	int on_col = -1;
	int mode = W_ADD;
	rc = plan_rows(h, spec, rows, &pl, err);
	if (rc == VB_OK && on) {
		for (int c = 0; c < rows->ncols; c++)
			if (pl.map[c] >= 0 && strcmp(rows->cols[c], on) == 0)
				on_col = c;
		if (!vb_spec_column(spec, on))
			rc = vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' for upsert on table %s", on, spec->name);
		else if (on_col < 0)
			rc = vb_err_set(err, VB_ERR_INVALID, "upsert on '%s' needs that column in the rows for table %s", on,
			                spec->name);
		const char *rid = emb_rid_column(spec);
		mode = (spec->key_column && strcmp(on, spec->key_column) == 0) || strcmp(on, rid) == 0
		               ? W_UPSERT_CONFLICT
		               : W_UPSERT_REPLACE;
	}
	if (rc != VB_OK) {
		free(pl.map);
		return rc;
	}

	struct vb_buf sql;
	vb_buf_init(&sql);
	insert_sql(&sql, spec, rows, &pl);
	if (mode == W_UPSERT_CONFLICT) {
		/* replace every column, as merge_insert / ON CONFLICT DO UPDATE do: columns the rows
		 * leave out become NULL */
		const char *rid = emb_rid_column(spec);
		vb_buf_add(&sql, " ON CONFLICT (");
		emb_buf_qi(&sql, on);
		vb_buf_add(&sql, ") DO UPDATE SET ");
		int n = 0;
		for (int i = 0; i < spec->ncolumns; i++) {
			const char *c = spec->columns[i].name;
			if (strcmp(c, on) == 0 || strcmp(c, rid) == 0)
				continue;
			if (n++)
				vb_buf_add(&sql, ", ");
			emb_buf_qi(&sql, c);
			vb_buf_add(&sql, " = excluded.");
			emb_buf_qi(&sql, c);
		}
		if (!n)
			vb_buf_add(&sql, "\"namespace\" = excluded.\"namespace\"");
	}
	sqlite3_stmt *ins = NULL, *del = NULL;
	rc = emb_exec(h, "BEGIN IMMEDIATE", err);
	if (rc == VB_OK)
		rc = emb_prepare(h, sql.data, &ins, err);
	if (rc == VB_OK && mode == W_UPSERT_REPLACE) {
		struct vb_buf d;
		vb_buf_init(&d);
		vb_buf_add(&d, "DELETE FROM ");
		emb_buf_qi(&d, spec->name);
		vb_buf_add(&d, " WHERE ");
		emb_buf_qi(&d, on);
		vb_buf_add(&d, " = ?1");
		rc = emb_prepare(h, d.data, &del, err);
		vb_buf_free(&d);
	}
	vb_buf_free(&sql);
	const char *what = on ? "upsert" : "add";
	for (size_t r = 0; rc == VB_OK && r < rows->nrows; r++) {
		if (atomic_load(&h->cancelled)) {
			rc = vb_err_set(err, VB_ERR_CANCELLED, "%s to table %s cancelled", what, spec->name);
			break;
		}
		if (del) {
			emb_bind_value(del, 1, &rows->cells[r * (size_t)rows->ncols + (size_t)on_col]);
			rc = step_done(h, del, what, r, err);
			if (rc != VB_OK)
				break;
		}
		bind_row(h, ins, spec, rows, &pl, r);
		rc = step_done(h, ins, what, r, err);
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(del);
	if (rc == VB_OK)
		rc = emb_exec(h, "COMMIT", err);
	if (rc != VB_OK)
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	emb_table_invalidate(h, spec->name);
	free(pl.map);
	return rc;
}

int emb_add(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows, struct vb_error *err)
{
	return write_rows(h, spec, rows, NULL, err);
}

int emb_upsert(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows,
               const char *on_column, struct vb_error *err)
{
	const char *on = on_column && *on_column ? on_column : spec ? spec->key_column : NULL;
	if (!on)
		return vb_err_set(err, VB_ERR_INVALID, "upsert on table %s needs a key column", spec ? spec->name : "?");
	return write_rows(h, spec, rows, on, err);
}

int emb_update(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
               const struct vb_rows *values, int64_t *affected, struct vb_error *err)
{
	if (affected)
		*affected = 0;
	int rc = emb_require_table(h, spec, err);
	if (rc != VB_OK)
		return rc;
	if (!values || values->nrows != 1)
		return vb_err_set(err, VB_ERR_INVALID, "update of table %s needs exactly one row of values", spec->name);
	struct plan pl = { 0 };
	rc = plan_rows(h, spec, values, &pl, err);
	struct vb_buf sql;
	struct emb_params p = { 0 };
	vb_buf_init(&sql);
	vb_buf_add(&sql, "UPDATE ");
	emb_buf_qi(&sql, spec->name);
	vb_buf_add(&sql, " SET ");
	int nset = 0;
	for (int c = 0; rc == VB_OK && c < values->ncols; c++) {
		if (pl.map[c] < 0)
			continue; /* the namespace column: checked above, never changed */
		if (nset++)
			vb_buf_add(&sql, ", ");
		emb_buf_qi(&sql, values->cols[c]);
		vb_buf_add(&sql, " = ?");
	}
	if (rc == VB_OK)
		rc = emb_where(where, spec, NULL, 0, &sql, &p, err);
	sqlite3_stmt *st = NULL;
	if (rc == VB_OK && nset)
		rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	if (rc == VB_OK && nset) {
		int idx = 1;
		for (int c = 0; c < values->ncols; c++)
			if (pl.map[c] >= 0)
				emb_bind_value(st, idx++, &values->cells[c]);
		emb_bind_params(st, idx, &p);
		int src = sqlite3_step(st);
		if (src == SQLITE_DONE) {
			if (affected)
				*affected = sqlite3_changes64(h->db);
		} else {
			rc = emb_fail(h, src, err, "update");
		}
		emb_table_invalidate(h, spec->name);
	}
	sqlite3_finalize(st);
	emb_params_free(&p);
	free(pl.map);
	return rc;
}

int emb_delete_where(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                     int64_t *affected, struct vb_error *err)
{
	if (affected)
		*affected = 0;
	int rc = emb_require_table(h, spec, err);
	if (rc != VB_OK)
		return rc;
	struct vb_buf sql;
	struct emb_params p = { 0 };
	vb_buf_init(&sql);
	vb_buf_add(&sql, "DELETE FROM ");
	emb_buf_qi(&sql, spec->name);
	rc = emb_where(where, spec, NULL, 0, &sql, &p, err);
	sqlite3_stmt *st = NULL;
	if (rc == VB_OK)
		rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	if (rc == VB_OK) {
		emb_bind_params(st, 1, &p);
		int src = sqlite3_step(st);
		if (src == SQLITE_DONE) {
			if (affected)
				*affected = sqlite3_changes64(h->db);
		} else {
			rc = emb_fail(h, src, err, "delete");
		}
		emb_table_invalidate(h, spec->name);
	}
	sqlite3_finalize(st);
	emb_params_free(&p);
	return rc;
}
