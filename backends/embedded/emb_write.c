/* backends/embedded/emb_write.c - add, upsert, update, delete.  Every batch is checked as a
 * whole before the first statement (unknown columns, vector dimensions, namespace) and written
 * in one IMMEDIATE transaction, so a bad row leaves the table exactly as it was.  The text
 * index is updated in the same transaction (emb_fts.c). */
#include "emb.h"

#include <stdlib.h>
#include <string.h>

/* How the columns of a vb_rows map onto the table: spec column index, or -1 for namespace. */
struct plan {
	int *map;
	int ns_col; /* index in rows of the namespace column, -1 if absent */
};

/* Row r, column c of a batch. */
static const struct vb_value *cell(const struct vb_rows *rows, size_t r, int c)
{
	return &rows->cells[r * (size_t)rows->ncols + (size_t)c];
}

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
			int rc = check_cell(h, spec, col, cell(rows, r, c), r, err);
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
		emb_bind_value(st, idx++, cell(rows, r, c));
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

/* One add or upsert batch: the statements and index writers it runs row by row. */
struct writer {
	struct vb_handle *h;
	const struct vb_table_spec *spec;
	const struct vb_rows *rows;
	const char *on; /* upsert key column, NULL for add */
	const char *what;
	struct plan pl;
	int mode, on_col, vec_col;
	sqlite3_stmt *ins, *del, *find;
	struct emb_fts fts;
	struct emb_ivf_writer ivf;
};

static int rows_column(const struct vb_rows *rows, const struct plan *pl, const char *name)
{
	int found = -1;
	for (int c = 0; name && c < rows->ncols; c++)
		if (pl->map[c] >= 0 && strcmp(rows->cols[c], name) == 0)
			found = c;
	return found;
}

/* Checks the upsert key and chooses how rows replace old ones: ON CONFLICT keeps the row id when
 * the key is unique (the key column or the row id), any other column deletes and re-inserts. */
static int plan_upsert(struct writer *w, struct vb_error *err)
{
	const char *on = w->on;
	w->on_col = rows_column(w->rows, &w->pl, on);
	if (!vb_spec_column(w->spec, on))
		return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' for upsert on table %s", on, w->spec->name);
	if (w->on_col < 0)
		return vb_err_set(err, VB_ERR_INVALID, "upsert on '%s' needs that column in the rows for table %s", on,
		                  w->spec->name);
	const char *rid = emb_rid_column(w->spec);
	w->mode = (w->spec->key_column && strcmp(on, w->spec->key_column) == 0) || strcmp(on, rid) == 0
	                  ? W_UPSERT_CONFLICT
	                  : W_UPSERT_REPLACE;
	return VB_OK;
}

/* Replaces every column, as merge_insert / ON CONFLICT DO UPDATE do: columns the rows leave out
 * become NULL. */
static void upsert_clause(struct vb_buf *sql, const struct vb_table_spec *spec, const char *on)
{
	const char *rid = emb_rid_column(spec);
	vb_buf_add(sql, " ON CONFLICT (");
	emb_buf_qi(sql, on);
	vb_buf_add(sql, ") DO UPDATE SET ");
	int n = 0;
	for (int i = 0; i < spec->ncolumns; i++) {
		const char *c = spec->columns[i].name;
		if (strcmp(c, on) == 0 || strcmp(c, rid) == 0)
			continue;
		if (n++)
			vb_buf_add(sql, ", ");
		emb_buf_qi(sql, c);
		vb_buf_add(sql, " = excluded.");
		emb_buf_qi(sql, c);
	}
	if (!n)
		vb_buf_add(sql, "\"namespace\" = excluded.\"namespace\"");
}

/* "verb FROM table WHERE on = ?1" for the rows an upsert replaces. */
static int prepare_by_key(struct writer *w, const char *verb, sqlite3_stmt **st, struct vb_error *err)
{
	struct vb_buf d;
	vb_buf_init(&d);
	vb_buf_add(&d, verb);
	vb_buf_add(&d, " FROM ");
	emb_buf_qi(&d, w->spec->name);
	vb_buf_add(&d, " WHERE ");
	emb_buf_qi(&d, w->on);
	vb_buf_add(&d, " = ?1");
	int rc = emb_prepare(w->h, d.data, st, err);
	vb_buf_free(&d);
	return rc;
}

/* Opens the transaction and prepares everything the rows need. */
static int writer_open(struct writer *w, struct vb_error *err)
{
	struct vb_buf sql;
	vb_buf_init(&sql);
	insert_sql(&sql, w->spec, w->rows, &w->pl);
	if (w->mode == W_UPSERT_CONFLICT)
		upsert_clause(&sql, w->spec, w->on);
	w->vec_col = rows_column(w->rows, &w->pl, w->spec->vector_column);
	int rc = emb_begin(w->h, err);
	if (rc == VB_OK)
		rc = emb_prepare(w->h, sql.data, &w->ins, err);
	vb_buf_free(&sql);
	if (rc == VB_OK)
		rc = emb_fts_open(w->h, w->spec, &w->fts, err);
	if (rc == VB_OK && w->vec_col >= 0)
		rc = emb_ivf_writer_open(w->h, w->spec, &w->ivf, err);
	if (rc == VB_OK && w->on) {
		struct vb_buf sel;
		vb_buf_init(&sel);
		vb_buf_add(&sel, "SELECT ");
		emb_buf_qi(&sel, emb_rid_column(w->spec));
		rc = prepare_by_key(w, sel.data, &w->find, err);
		vb_buf_free(&sel);
	}
	if (rc == VB_OK && w->mode == W_UPSERT_REPLACE)
		rc = prepare_by_key(w, "DELETE", &w->del, err);
	return rc;
}

/* Before row r of an upsert goes in, the rows it replaces leave the text index (and, when the key
 * is not unique, the table).  old_rid: the row id an ON CONFLICT update keeps, -1 when the insert
 * makes a new row. */
static int replace_old(struct writer *w, size_t r, int64_t *old_rid, struct vb_error *err)
{
	int rc = VB_OK;
	*old_rid = -1;
	if (w->find) {
		emb_bind_value(w->find, 1, cell(w->rows, r, w->on_col));
		while (rc == VB_OK && sqlite3_step(w->find) == SQLITE_ROW) {
			*old_rid = sqlite3_column_int64(w->find, 0);
			rc = emb_fts_remove(w->h, &w->fts, *old_rid, err);
		}
		sqlite3_reset(w->find);
	}
	if (rc == VB_OK && w->del) {
		emb_bind_value(w->del, 1, cell(w->rows, r, w->on_col));
		rc = step_done(w->h, w->del, w->what, r, err);
		*old_rid = -1; /* deleted: the insert makes a new row */
	}
	return rc;
}

static int write_one(struct writer *w, size_t r, struct vb_error *err)
{
	if (atomic_load(&w->h->cancelled))
		return vb_err_set(err, VB_ERR_CANCELLED, "%s to table %s cancelled", w->what, w->spec->name);
	int64_t old_rid;
	int rc = replace_old(w, r, &old_rid, err);
	if (rc != VB_OK)
		return rc;
	bind_row(w->h, w->ins, w->spec, w->rows, &w->pl, r);
	rc = step_done(w->h, w->ins, w->what, r, err);
	/* ON CONFLICT DO UPDATE keeps the row id; an insert makes a new one */
	int64_t new_rid = old_rid >= 0 ? old_rid : sqlite3_last_insert_rowid(w->h->db);
	if (rc == VB_OK)
		rc = emb_fts_add(w->h, &w->fts, new_rid, err);
	/* the new row joins its nearest list, in this transaction */
	if (rc == VB_OK && w->vec_col >= 0)
		rc = emb_ivf_writer_add(w->h, &w->ivf, new_rid, cell(w->rows, r, w->vec_col), err);
	return rc;
}

/* Commits when every row went in, else rolls the whole batch back. */
static int writer_close(struct writer *w, int rc, struct vb_error *err)
{
	emb_fts_close(&w->fts);
	emb_ivf_writer_close(&w->ivf);
	sqlite3_finalize(w->find);
	sqlite3_finalize(w->ins);
	sqlite3_finalize(w->del);
	if (rc == VB_OK)
		rc = emb_commit(w->h, err);
	if (rc != VB_OK)
		emb_abort(w->h);
	emb_table_invalidate(w->h, w->spec->name);
	return rc;
}

static int write_rows(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows,
                      const char *on, struct vb_error *err)
{
	int rc = emb_require_table(h, spec, err);
	if (rc != VB_OK || !rows || rows->nrows == 0)
		return rc;
	struct writer w = { .h = h, .spec = spec, .rows = rows, .on = on, .mode = W_ADD, .on_col = -1,
		            .vec_col = -1, .what = on ? "upsert" : "add" };
	rc = plan_rows(h, spec, rows, &w.pl, err);
	if (rc == VB_OK && on)
		rc = plan_upsert(&w, err);
	if (rc == VB_OK) {
		rc = writer_open(&w, err);
		for (size_t r = 0; rc == VB_OK && r < rows->nrows; r++)
			rc = write_one(&w, r, err);
		rc = writer_close(&w, rc, err);
	}
	free(w.pl.map);
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

/* True when an update sets a column of the text index. */
static int touches_text(const struct vb_table_spec *spec, const struct vb_rows *values, const struct plan *pl)
{
	const char *const *cols;
	int n = emb_fts_columns(spec, &cols);
	for (int c = 0; c < values->ncols; c++) {
		if (pl->map[c] < 0)
			continue;
		for (int i = 0; i < n; i++)
			if (strcmp(values->cols[c], cols[i]) == 0)
				return 1;
	}
	return 0;
}

/* Row ids matching where, read inside the write transaction before anything changes. */
static int matching_rids(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                         int64_t **out, size_t *n, struct vb_error *err)
{
	struct vb_buf sql;
	struct emb_params p = { 0 };
	vb_buf_init(&sql);
	vb_buf_add(&sql, "SELECT ");
	emb_buf_qi(&sql, emb_rid_column(spec));
	vb_buf_add(&sql, " FROM ");
	emb_buf_qi(&sql, spec->name);
	int rc = emb_where(where, spec, NULL, 0, &sql, &p, err);
	sqlite3_stmt *st = NULL;
	if (rc == VB_OK)
		rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	size_t cap = 16, cnt = 0;
	int64_t *rids = vb_xmalloc(cap * sizeof *rids);
	if (rc == VB_OK) {
		emb_bind_params(st, 1, &p);
		int src;
		while ((src = sqlite3_step(st)) == SQLITE_ROW) {
			if (cnt == cap) {
				cap *= 2;
				rids = vb_xrealloc(rids, cap * sizeof *rids);
			}
			rids[cnt++] = sqlite3_column_int64(st, 0);
		}
		if (src != SQLITE_DONE)
			rc = emb_fail(h, src, err, "update");
	}
	sqlite3_finalize(st);
	emb_params_free(&p);
	if (rc != VB_OK) {
		free(rids);
		return rc;
	}
	*out = rids;
	*n = cnt;
	return VB_OK;
}

/* UPDATE t SET col = ?, ... WHERE ...; *nset: how many columns it sets (0: nothing to do). */
static int update_sql(const struct vb_table_spec *spec, const struct vb_rows *values, const struct plan *pl,
                      const struct vb_filter *where, struct vb_buf *sql, struct emb_params *p, int *nset,
                      struct vb_error *err)
{
	for (int c = 0; c < values->ncols; c++) {
		if (pl->map[c] < 0)
			continue; /* the namespace column: checked above, never changed */
		if ((*nset)++)
			vb_buf_add(sql, ", ");
		emb_buf_qi(sql, values->cols[c]);
		vb_buf_add(sql, " = ?");
	}
	return emb_where(where, spec, NULL, 0, sql, p, err);
}

static int step_update(struct vb_handle *h, sqlite3_stmt *st, const struct vb_rows *values, const struct plan *pl,
                       const struct emb_params *p, int64_t *affected, struct vb_error *err)
{
	int idx = 1;
	for (int c = 0; c < values->ncols; c++)
		if (pl->map[c] >= 0)
			emb_bind_value(st, idx++, &values->cells[c]);
	emb_bind_params(st, idx, p);
	int src = sqlite3_step(st);
	if (src != SQLITE_DONE)
		return emb_fail(h, src, err, "update");
	if (affected)
		*affected = sqlite3_changes64(h->db);
	return VB_OK;
}

/* The text index holds the old text of the rows an update changes: they leave it before the
 * update and come back with their new text after it, all in the update's transaction, so a
 * failure leaves index and rows as they were. */
static int update_in_tx(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                        const struct vb_rows *values, const struct plan *pl, const char *sql,
                        const struct emb_params *p, int64_t *affected, struct vb_error *err)
{
	int rc = emb_begin(h, err);
	if (rc != VB_OK)
		return rc;
	sqlite3_stmt *st = NULL;
	int64_t *rids = NULL;
	size_t nrids = 0;
	if (touches_text(spec, values, pl))
		rc = matching_rids(h, spec, where, &rids, &nrids, err);
	if (rc == VB_OK)
		rc = emb_prepare(h, sql, &st, err);
	struct emb_fts fts = { 0 };
	if (rc == VB_OK && nrids)
		rc = emb_fts_open(h, spec, &fts, err);
	for (size_t i = 0; rc == VB_OK && i < nrids; i++)
		rc = emb_fts_remove(h, &fts, rids[i], err);
	if (rc == VB_OK)
		rc = step_update(h, st, values, pl, p, affected, err);
	for (size_t i = 0; rc == VB_OK && i < nrids; i++)
		rc = emb_fts_add(h, &fts, rids[i], err);
	emb_fts_close(&fts);
	sqlite3_finalize(st);
	if (rc == VB_OK)
		rc = emb_commit(h, err);
	if (rc != VB_OK) {
		emb_abort(h);
		if (affected)
			*affected = 0;
	}
	free(rids);
	return rc;
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
	if (rc == VB_OK)
		rc = update_sql(spec, values, &pl, where, &sql, &p, &nset, err);
	if (rc == VB_OK && nset)
		rc = update_in_tx(h, spec, where, values, &pl, sql.data, &p, affected, err);
	vb_buf_free(&sql);
	if (nset)
		emb_table_invalidate(h, spec->name);
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
	struct emb_params p = { 0 };
	sqlite3_stmt *st;
	rc = emb_prepare_filtered(h, spec, "DELETE FROM", where, &st, &p, err);
	int in_tx = 0;
	if (rc == VB_OK && (rc = emb_begin(h, err)) == VB_OK)
		in_tx = 1;
	if (rc == VB_OK)
		rc = emb_fts_remove_where(h, spec, where, err);
	if (rc == VB_OK) {
		int src = sqlite3_step(st);
		if (src == SQLITE_DONE) {
			if (affected)
				*affected = sqlite3_changes64(h->db);
		} else {
			rc = emb_fail(h, src, err, "delete");
		}
	}
	sqlite3_finalize(st);
	if (in_tx && rc == VB_OK)
		rc = emb_commit(h, err);
	if (in_tx && rc != VB_OK) {
		emb_abort(h);
		if (affected)
			*affected = 0;
	}
	emb_table_invalidate(h, spec->name);
	emb_params_free(&p);
	return rc;
}
