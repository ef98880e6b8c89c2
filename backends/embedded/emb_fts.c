/* backends/embedded/emb_fts.c - keeping the external-content FTS5 index in step with its table.
 * FTS5 needs a row's old text to remove it, so every write path removes index entries before it
 * changes or deletes rows and adds them after it inserts or changes rows, all inside the write's
 * transaction.  Both statements read the text from the table by row id, so nothing is copied. */
#include "emb.h"

#include <stdlib.h>
#include <string.h>

static char *fts_name(const struct vb_table_spec *spec)
{
	return vb_xasprintf("%s_fts", spec->name);
}

/* INSERT INTO fts([fts,] rowid, c...) SELECT ['delete',] rid, c... FROM t */
static void fts_select(struct vb_buf *b, const struct vb_table_spec *spec, int del)
{
	const char *const *cols;
	int n = emb_fts_columns(spec, &cols);
	char *fts = fts_name(spec);
	vb_buf_add(b, "INSERT INTO ");
	emb_buf_qi(b, fts);
	vb_buf_addc(b, '(');
	if (del) {
		emb_buf_qi(b, fts);
		vb_buf_add(b, ", ");
	}
	vb_buf_add(b, "rowid");
	for (int i = 0; i < n; i++) {
		vb_buf_add(b, ", ");
		emb_buf_qi(b, cols[i]);
	}
	vb_buf_add(b, del ? ") SELECT 'delete', " : ") SELECT ");
	emb_buf_qi(b, emb_rid_column(spec));
	for (int i = 0; i < n; i++) {
		vb_buf_add(b, ", ");
		emb_buf_qi(b, cols[i]);
	}
	vb_buf_add(b, " FROM ");
	emb_buf_qi(b, spec->name);
	free(fts);
}

int emb_fts_open(struct vb_handle *h, const struct vb_table_spec *spec, struct emb_fts *f, struct vb_error *err)
{
	const char *const *cols;
	memset(f, 0, sizeof *f);
	if (emb_fts_columns(spec, &cols) == 0)
		return VB_OK;
	struct vb_buf b;
	vb_buf_init(&b);
	for (int del = 0; del < 2; del++) {
		vb_buf_reset(&b);
		fts_select(&b, spec, del);
		vb_buf_add(&b, " WHERE ");
		emb_buf_qi(&b, emb_rid_column(spec));
		vb_buf_add(&b, " = ?1");
		int rc = emb_prepare(h, b.data, del ? &f->del : &f->ins, err);
		if (rc != VB_OK) {
			vb_buf_free(&b);
			emb_fts_close(f);
			return rc;
		}
	}
	vb_buf_free(&b);
	return VB_OK;
}

void emb_fts_close(struct emb_fts *f)
{
	sqlite3_finalize(f->ins);
	sqlite3_finalize(f->del);
	f->ins = f->del = NULL;
}

static int run_rid(struct vb_handle *h, sqlite3_stmt *st, int64_t rid, struct vb_error *err)
{
	if (!st)
		return VB_OK;
	sqlite3_bind_int64(st, 1, rid);
	int src = sqlite3_step(st);
	sqlite3_reset(st);
	return src == SQLITE_DONE ? VB_OK : emb_fail(h, src, err, "text index");
}

int emb_fts_add(struct vb_handle *h, struct emb_fts *f, int64_t rid, struct vb_error *err)
{
	return run_rid(h, f->ins, rid, err);
}

int emb_fts_remove(struct vb_handle *h, struct emb_fts *f, int64_t rid, struct vb_error *err)
{
	return run_rid(h, f->del, rid, err);
}

int emb_fts_remove_where(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                         struct vb_error *err)
{
	const char *const *cols;
	if (emb_fts_columns(spec, &cols) == 0)
		return VB_OK;
	struct vb_buf sql;
	struct emb_params p = { 0 };
	vb_buf_init(&sql);
	fts_select(&sql, spec, 1);
	int rc = emb_where(where, spec, NULL, 0, &sql, &p, err);
	sqlite3_stmt *st = NULL;
	if (rc == VB_OK)
		rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	if (rc == VB_OK) {
		emb_bind_params(st, 1, &p);
		int src = sqlite3_step(st);
		if (src != SQLITE_DONE)
			rc = emb_fail(h, src, err, "text index");
	}
	sqlite3_finalize(st);
	emb_params_free(&p);
	return rc;
}

int emb_fts_clear(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	const char *const *cols;
	if (emb_fts_columns(spec, &cols) == 0)
		return VB_OK;
	char *fts = fts_name(spec);
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "INSERT INTO ");
	emb_buf_qi(&b, fts);
	vb_buf_addc(&b, '(');
	emb_buf_qi(&b, fts);
	vb_buf_add(&b, ") VALUES ('delete-all')");
	int rc = emb_exec(h, b.data, err);
	vb_buf_free(&b);
	free(fts);
	return rc;
}
