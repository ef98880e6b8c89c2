/* backends/pgvector/pgv_ann.c - filtered ANN that fills the page.
 *
 * Datus keeps every namespace in the same tables, so each vector search filters.  An HNSW scan
 * hands back hnsw.ef_search candidates (IVFFlat: the rows of ivfflat.probes lists) and the
 * filter runs after it: a namespace holding a sixth of the rows came back with 0..8 rows of 10.
 * The search therefore runs in its own transaction with SET LOCAL settings:
 *  - pgvector >= 0.8: iterative index scans in relaxed order (the only order IVFFlat offers;
 *    for HNSW it is the faster one), the page re-sorted by exact distance outside the scan, so
 *    the rows come back in strict order anyway;
 *  - older pgvector: ef_search raised so that the candidates it lets through cover the page after
 *    the filter (2 x page / the planner's share of the rows the filter keeps; it caps the rows an
 *    HNSW scan returns);
 *  - a filter the planner expects to keep at most PGV_ANN_EXACT_ROWS rows is answered by an exact
 *    scan of those rows (through the namespace index), which is cheaper than an index scan that
 *    has to walk past the other namespaces' rows;
 *  - either way, a page that still comes back short while more rows match (a filter more
 *    selective than hnsw.max_scan_tuples can find, or an old pgvector) is answered again by
 *    an exact scan with index scans switched off.  Datus's own searches are untouched: the
 *    settings end with the transaction. */
#include "pgv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vb_sql.h"

/* The access method of an index on exactly the vector column; "" when there is none. */
static const char ann_sql[] =
	"SELECT am.amname FROM pg_catalog.pg_index i"
	" JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
	" JOIN pg_catalog.pg_am am ON am.oid = ic.relam"
	" JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = tc.relnamespace"
	" JOIN pg_catalog.pg_attribute a ON a.attrelid = tc.oid AND a.attnum = i.indkey[0]"
	" WHERE n.nspname = $1 AND tc.relname = $2 AND a.attname = $3 AND i.indisvalid"
	" AND am.amname IN ('hnsw', 'ivfflat') ORDER BY am.amname LIMIT 1";

const char *pgv_ann_method(struct vb_handle *h, struct pgv_table *t, const char *vector_column,
                           struct vb_error *err)
{
	if (t->ann_loaded)
		return t->ann_method;
	struct pgv_params p;
	pgv_params_init(&p);
	pgv_param_addf(&p, h->schema);
	pgv_param_addf(&p, t->name);
	pgv_param_addf(&p, vector_column);
	PGresult *r = pgv_exec(h, ann_sql, &p, err);
	pgv_params_free(&p);
	if (!r)
		return NULL;
	snprintf(t->ann_method, sizeof t->ann_method, "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	t->ann_loaded = 1;
	PQclear(r);
	return t->ann_method;
}

/* Iterative index scans arrived in pgvector 0.8.0; the installed extension version decides,
 * since that is what an operator upgrades with ALTER EXTENSION. */
int pgv_ann_iterative(struct vb_handle *h, struct vb_error *err)
{
	if (h->ext_iterative >= 0)
		return h->ext_iterative;
	PGresult *r = pgv_exec(h, "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'vector'", NULL, err);
	if (!r)
		return -1;
	snprintf(h->ext_version, sizeof h->ext_version, "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	int major = 0, minor = 0;
	sscanf(h->ext_version, "%d.%d", &major, &minor);
	h->ext_iterative = major > 0 || minor >= 8;
	return h->ext_iterative;
}

int pgv_ann_begin(struct vb_handle *h, const char *method, int top_n, int exact, struct vb_error *err)
{
	int ef_n = top_n < 40 ? 40 : top_n > 1000 ? 1000 : top_n; /* 40 is pgvector's default, 1000 its max */
	int hnsw = strcmp(method, "hnsw") == 0;
	/* one round trip: the BEGIN and its settings go as one simple query (no user input in it) */
	struct vb_buf sql;
	vb_buf_init(&sql);
	vb_buf_printf(&sql, "BEGIN");
	if (exact) {
		vb_buf_printf(&sql, "; SET LOCAL enable_indexscan = off"); /* HNSW and IVFFlat have no bitmap scans */
	} else {
		if (hnsw)
			vb_buf_printf(&sql, "; SET LOCAL hnsw.ef_search = %d", ef_n);
		if (h->ext_iterative == 1)
			vb_buf_printf(&sql, "; SET LOCAL %s.iterative_scan = relaxed_order", hnsw ? "hnsw" : "ivfflat");
	}
	int rc = pgv_run(h, sql.data, NULL, err);
	vb_buf_free(&sql);
	if (rc != VB_OK)
		pgv_rollback(h);
	return rc;
}

int pgv_ann_end(struct vb_handle *h, int ok, struct vb_error *err)
{
	if (!ok) {
		pgv_rollback(h);
		return err->status ? err->status : VB_ERR_INTERNAL;
	}
	int rc = pgv_run(h, "COMMIT", NULL, err);
	if (rc != VB_OK)
		pgv_rollback(h);
	return rc;
}

int pgv_count_capped(struct vb_handle *h, const struct pgv_table *t, const struct vb_filter *where, int64_t cap,
                     int64_t *out, struct vb_error *err)
{
	struct vb_buf sql;
	struct pgv_params p;
	vb_buf_init(&sql);
	pgv_params_init(&p);
	char *qt = pgv_qualified(h, t->name);
	vb_buf_printf(&sql, "SELECT count(*) FROM (SELECT 1 FROM %s WHERE ", qt);
	free(qt);
	int rc = pgv_where(h, t, where, &sql, &p, err);
	if (rc == VB_OK) {
		vb_buf_printf(&sql, " LIMIT %lld) _vb_c", (long long)cap);
		PGresult *r = pgv_exec(h, sql.data, &p, err);
		if (r) {
			*out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			PQclear(r);
		} else {
			rc = err->status;
		}
	}
	vb_buf_free(&sql);
	pgv_params_free(&p);
	return rc;
}

/* The rows= of the top plan node of EXPLAIN sql: the planner's estimate, -1 when absent. */
static int explain_rows(struct vb_handle *h, const char *sql, const struct pgv_params *p, double *rows,
                        struct vb_error *err)
{
	PGresult *r = pgv_exec(h, sql, p, err);
	if (!r)
		return err->status;
	const char *line = PQntuples(r) ? PQgetvalue(r, 0, 0) : NULL, *at = line ? strstr(line, " rows=") : NULL;
	*rows = at ? strtod(at + 6, NULL) : -1;
	PQclear(r);
	return VB_OK;
}

int pgv_estimate_rows(struct vb_handle *h, const struct pgv_table *t, const struct vb_filter *where, double *rows,
                      struct vb_error *err)
{
	struct vb_buf sql;
	struct pgv_params p;
	vb_buf_init(&sql);
	pgv_params_init(&p);
	char *qt = pgv_qualified(h, t->name);
	vb_buf_printf(&sql, "EXPLAIN SELECT 1 FROM %s WHERE ", qt);
	free(qt);
	int rc = pgv_where(h, t, where, &sql, &p, err);
	if (rc == VB_OK)
		rc = explain_rows(h, sql.data, &p, rows, err);
	vb_buf_free(&sql);
	pgv_params_free(&p);
	return rc;
}

int pgv_estimate_table_rows(struct vb_handle *h, const struct pgv_table *t, double *rows, struct vb_error *err)
{
	char *qt = pgv_qualified(h, t->name);
	char *sql = vb_xasprintf("EXPLAIN SELECT 1 FROM %s", qt);
	int rc = explain_rows(h, sql, NULL, rows, err);
	free(sql);
	free(qt);
	return rc;
}

const char *pgv_search_path(struct vb_handle *h)
{
	return h->search_path;
}
