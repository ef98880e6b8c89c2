/* backends/embedded/emb_txn.c - units of work.  Each writing slot is one IMMEDIATE
 * transaction of its own; between txn_begin and txn_end it is a savepoint inside the caller's
 * transaction instead, so a whole overwrite commits (or vanishes) at once.  WAL readers keep
 * the snapshot from before the transaction until its COMMIT. */
#include "emb.h"

#define EMB_SLOT_SAVEPOINT "vb_slot"

int emb_begin(struct vb_handle *h, struct vb_error *err)
{
	return emb_exec(h, h->txn ? "SAVEPOINT " EMB_SLOT_SAVEPOINT : "BEGIN IMMEDIATE", err);
}

int emb_commit(struct vb_handle *h, struct vb_error *err)
{
	return emb_exec(h, h->txn ? "RELEASE " EMB_SLOT_SAVEPOINT : "COMMIT", err);
}

void emb_abort(struct vb_handle *h)
{
	/* an interrupted write makes SQLite roll the whole transaction back by itself */
	if (sqlite3_get_autocommit(h->db))
		return;
	if (h->txn)
		sqlite3_exec(h->db, "ROLLBACK TO " EMB_SLOT_SAVEPOINT "; RELEASE " EMB_SLOT_SAVEPOINT, NULL, NULL, NULL);
	else
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
}

int emb_txn_begin(struct vb_handle *h, struct vb_error *err)
{
	if (h->txn)
		return vb_err_set(err, VB_ERR_INTERNAL, "a transaction is already open on %s", h->path);
	atomic_store(&h->cancelled, 0);
	int rc = emb_exec(h, "BEGIN IMMEDIATE", err);
	if (rc == VB_OK)
		h->txn = 1;
	return rc;
}

int emb_txn_end(struct vb_handle *h, int commit, struct vb_error *err)
{
	if (!h->txn)
		return commit ? vb_err_set(err, VB_ERR_INTERNAL, "no transaction is open on %s", h->path) : VB_OK;
	h->txn = 0;
	int rc = VB_OK;
	if (commit && sqlite3_get_autocommit(h->db))
		rc = vb_err_set(err, VB_ERR_CANCELLED, "the transaction on %s was rolled back earlier", h->path);
	else if (commit)
		rc = emb_exec(h, "COMMIT", err);
	if (!commit || rc != VB_OK)
		emb_abort(h);
	for (struct emb_table *t = h->tables; t; t = t->next)
		emb_table_invalidate(h, t->name);
	return rc;
}

/* ---- searches read one snapshot ----
 * A search takes several statements (vector cache, filter, fetch by row id).  Between two of
 * them another process's overwrite may commit, and a row found by the first is gone for the
 * last ("row N vanished during the search").  A deferred read transaction keeps every
 * statement of one search on the snapshot of its first read (WAL readers never block writers). */
static int snapshot_begin(struct vb_handle *h)
{
	emb_deadline_start(h); /* each search under the time limit (emb_timeout.c) */
	return sqlite3_get_autocommit(h->db) && sqlite3_exec(h->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

static void snapshot_end(struct vb_handle *h, int began)
{
	if (began && !sqlite3_get_autocommit(h->db))
		sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL);
}

int emb_snap_search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                           const struct vb_filter *where, const char *const *select, struct vb_result **out,
                           struct vb_error *err)
{
	int began = snapshot_begin(h);
	int rc = emb_search_vector(h, spec, q, dim, top_n, where, select, out, err);
	snapshot_end(h, began);
	return emb_deadline_end(h, rc, err);
}

int emb_snap_search_vector_exact(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim,
                                 int top_n, const struct vb_filter *where, const char *const *select,
                                 struct vb_result **out, struct vb_error *err)
{
	int began = snapshot_begin(h);
	int rc = emb_search_vector_exact(h, spec, q, dim, top_n, where, select, out, err);
	snapshot_end(h, began);
	return emb_deadline_end(h, rc, err);
}

int emb_snap_search_text(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, int top_n,
                         const struct vb_filter *where, const char *const *select, struct vb_result **out,
                         struct vb_error *err)
{
	int began = snapshot_begin(h);
	int rc = emb_search_text(h, spec, text, top_n, where, select, out, err);
	snapshot_end(h, began);
	return emb_deadline_end(h, rc, err);
}

int emb_snap_search_hybrid(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, const float *q,
                           int dim, int top_n, const struct vb_filter *where, const char *const *select,
                           struct vb_result **out, struct vb_error *err)
{
	int began = snapshot_begin(h);
	int rc = emb_search_hybrid(h, spec, text, q, dim, top_n, where, select, out, err);
	snapshot_end(h, began);
	return emb_deadline_end(h, rc, err);
}
