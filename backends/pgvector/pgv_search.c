/* backends/pgvector/pgv_search.c - search_all, vector (<=> cosine), full-text (ts_rank_cd over
 * the indexed expression) and the single-statement hybrid of spec 1.5. */
#include "pgv.h"

#include <stdlib.h>
#include <string.h>

#include "../vb_sql.h"

/* The requested columns (every column but the vector when select is NULL) as SQL plus names. */
static int select_list(struct vb_handle *h, const struct pgv_table *t, const struct vb_table_spec *spec,
                       const char *const *select, struct vb_buf *sql, struct vb_error *err)
{
	int n = 0;
	if (!select) {
		for (int i = 0; i < t->ncols; i++) {
			if (spec->vector_column && strcmp(t->cols[i].name, spec->vector_column) == 0)
				continue;
			char *q = pgv_ident(h, t->cols[i].name);
			vb_buf_printf(sql, "%s%s", n++ ? ", " : "", q);
			free(q);
		}
	} else {
		for (int i = 0; select[i]; i++) {
			/* the distance and score travel beside the cells, never as columns */
			if (!strcmp(select[i], "_distance") || !strcmp(select[i], "score"))
				continue;
			if (!pgv_table_col(t, select[i]))
				return vb_err_set(err, VB_ERR_INVALID, "Unknown column '%s' in select", select[i]);
			char *q = pgv_ident(h, select[i]);
			vb_buf_printf(sql, "%s%s", n++ ? ", " : "", q);
			free(q);
		}
	}
	if (!n)
		vb_buf_add(sql, "NULL AS _vb_none"); /* keeps the statement valid; dropped below */
	return VB_OK;
}

/* Hybrid statements end in the score's parts, then the score itself (Datus's vec_sim, bm25). */
#define HYBRID_SCORE_COLS 3

/* Copies the first ncells columns out of r; then the optional distance, score parts and score. */
static struct vb_result *copy_result(PGresult *r, int ncells, int dist_col, int parts_col, int score_col)
{
	int nrows = PQntuples(r);
	if (ncells == 1 && strcmp(PQfname(r, 0), "_vb_none") == 0)
		ncells = 0;
	const char **names = vb_xcalloc((size_t)(ncells ? ncells : 1), sizeof *names);
	for (int c = 0; c < ncells; c++)
		names[c] = PQfname(r, c);
	struct vb_result *res = vb_result_new(ncells, names);
	const char **cells = vb_xcalloc((size_t)(ncells ? ncells : 1), sizeof *cells);
	for (int i = 0; i < nrows; i++) {
		for (int c = 0; c < ncells; c++)
			cells[c] = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
		size_t row = vb_result_add_row(res, cells);
		if (dist_col >= 0)
			vb_result_set_distance(res, row, strtod(PQgetvalue(r, i, dist_col), NULL));
		if (parts_col >= 0)
			vb_result_set_parts(res, row, strtod(PQgetvalue(r, i, parts_col), NULL),
			                    strtod(PQgetvalue(r, i, parts_col + 1), NULL));
		if (score_col >= 0)
			vb_result_set_score(res, row, strtod(PQgetvalue(r, i, score_col), NULL));
	}
	free(cells);
	free(names);
	return res;
}

static void limit_clause(struct vb_buf *sql, int64_t n)
{
	if (n > 0)
		vb_buf_printf(sql, " LIMIT %lld", (long long)n);
}

/* Runs sql and turns its rows into a result; the last columns may be the distance and score
 * (extra_score 1: the score; HYBRID_SCORE_COLS: vec_sim, bm25, score). */
static int fetch(struct vb_handle *h, const char *sql, const struct pgv_params *p, int extra_dist, int extra_score,
                 struct vb_result **out, struct vb_error *err)
{
	PGresult *r = pgv_exec(h, sql, p, err);
	if (!r)
		return err->status;
	int nf = PQnfields(r);
	int ncells = nf - extra_dist - extra_score;
	*out = copy_result(r, ncells, extra_dist ? ncells : -1, extra_score == HYBRID_SCORE_COLS ? nf - 3 : -1,
	                   extra_score ? nf - 1 : -1);
	PQclear(r);
	return VB_OK;
}

/* Every search ends here: rc is the status of building sql (on failure sql and p are only freed),
 * limit > 0 appends LIMIT, and the statement's rows become the result. */
static int run_search(struct vb_handle *h, int rc, struct vb_buf *sql, struct pgv_params *p, int64_t limit,
                      int extra_dist, int extra_score, struct vb_result **out, struct vb_error *err)
{
	if (rc == VB_OK) {
		limit_clause(sql, limit);
		rc = fetch(h, sql->data, p, extra_dist, extra_score, out, err);
	}
	vb_buf_free(sql);
	pgv_params_free(p);
	return rc;
}

int pgv_search_all(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                   const char *const *select, int64_t limit, struct vb_result **out, struct vb_error *err)
{
	*out = NULL;
	struct pgv_table *t;
	int rc = pgv_table_get(h, spec->name, &t, err);
	if (rc != VB_OK)
		return rc;
	struct vb_buf sql;
	struct pgv_params p;
	vb_buf_init(&sql);
	pgv_params_init(&p);
	vb_buf_add(&sql, "SELECT ");
	char *qt = pgv_qualified(h, spec->name);
	if ((rc = select_list(h, t, spec, select, &sql, err)) == VB_OK) {
		vb_buf_printf(&sql, " FROM %s WHERE ", qt);
		rc = pgv_where(h, t, where, &sql, &p, err);
	}
	free(qt);
	return run_search(h, rc, &sql, &p, limit, 0, 0, out, err);
}

static int vector_ready(const struct vb_table_spec *spec, const struct pgv_table *t, const float *q,
                        struct vb_error *err)
{
	if (!spec->vector_column || !pgv_table_col(t, spec->vector_column))
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "Table %s has no vector column", spec->name);
	if (!q)
		return vb_err_set(err, VB_ERR_INVALID, "Vector search needs a query vector");
	return VB_OK;
}

/* SELECT <columns>, distance FROM t WHERE <namespace and filter> ORDER BY distance LIMIT top_n;
 * the ORDER BY repeats the operator expression so an HNSW/IVFFlat index can serve it. */
/* The vector search statement.  sorted: ORDER BY (distance) + 0, an expression no HNSW/IVFFlat
 * index can serve, so the planner sorts the rows the filter keeps: an exact scan without the
 * transaction and SET enable_indexscan it would otherwise take (two round trips fewer, which is
 * most of a small namespace's search on a busy server). */
static int vector_sql(struct vb_handle *h, const struct pgv_table *t, const struct vb_table_spec *spec,
                      const float *q, int dim, int top_n, const struct vb_filter *where, const char *const *select,
                      int sorted, struct vb_buf *sql, struct pgv_params *p, struct vb_error *err)
{
	char *qt = pgv_qualified(h, spec->name);
	char *qv = pgv_ident(h, spec->vector_column);
	int vp = pgv_param_add(p, vb_vector_to_text(q, dim));
	vb_buf_add(sql, "SELECT ");
	int rc = select_list(h, t, spec, select, sql, err);
	if (rc == VB_OK) {
		vb_buf_printf(sql, ", (%s <=> $%d::vector) AS _distance FROM %s WHERE ", qv, vp, qt);
		rc = pgv_where(h, t, where, sql, p, err);
	}
	vb_buf_printf(sql, sorted ? " ORDER BY (%s <=> $%d::vector) + 0" : " ORDER BY %s <=> $%d::vector", qv, vp);
	limit_clause(sql, top_n);
	free(qt);
	free(qv);
	return rc;
}

/* One statement in the transaction pgv_ann_begin opens with the settings for method / exact. */
static int fetch_in_tx(struct vb_handle *h, const char *method, int top_n, int exact, const char *sql,
                       const struct pgv_params *p, struct vb_result **out, struct vb_error *err)
{
	int rc = pgv_ann_begin(h, method, top_n, exact, err);
	if (rc != VB_OK)
		return rc;
	rc = fetch(h, sql, p, 1, 0, out, err);
	rc = pgv_ann_end(h, rc == VB_OK, err);
	if (rc != VB_OK && *out)
		vb_result_destroy(out);
	return rc;
}

/* The page came back short: when more rows match, an exact scan answers instead. */
static int refill(struct vb_handle *h, const struct pgv_table *t, const char *method, int top_n,
                  const struct vb_filter *where, const char *inner, const struct pgv_params *p,
                  struct vb_result **out, struct vb_error *err)
{
	int64_t matching = 0;
	size_t got = (*out)->nrows;
	int rc = pgv_count_capped(h, t, where, top_n, &matching, err);
	if (rc != VB_OK || matching <= (int64_t)got)
		return rc;
	vb_result_destroy(out);
	rc = fetch_in_tx(h, method, top_n, 1, inner, p, out, err);
	if (rc == VB_OK)
		snprintf(h->search_path + strlen(h->search_path), sizeof h->search_path - strlen(h->search_path),
		         "; the index found %zu row%s where at least %lld match, so an exact scan (index scans off) answered",
		         got, got == 1 ? "" : "s", (long long)matching);
	return rc;
}

/* The index path's page size for pgv_ann_begin, and its words for --explain.  Without iterative
 * scans an HNSW scan returns at most ef_search rows before the filter: for a filter keeping share
 * of the rows, ef_search must cover top_n / share candidates (twice that, since a namespace's rows
 * cluster unevenly around a query) for the page to fill without the exact re-run; pgv_ann_begin
 * caps it at pgvector's 1000. */
static int ann_page(struct vb_handle *h, const struct pgv_table *t, const char *method, int top_n, double est,
                    int *page, struct vb_error *err)
{
	*page = top_n;
	if (h->ext_iterative == 1) {
		snprintf(h->search_path, sizeof h->search_path,
		         "%s index: iterative scan (relaxed order, re-sorted by distance; pgvector %s)", method, h->ext_version);
		return VB_OK;
	}
	if (strcmp(method, "hnsw") != 0) {
		snprintf(h->search_path, sizeof h->search_path, "%s index (pgvector %s has no iterative scans)", method,
		         h->ext_version);
		return VB_OK;
	}
	double all = -1, share = 1;
	int rc = est > 0 ? pgv_estimate_table_rows(h, t, &all, err) : VB_OK;
	if (rc != VB_OK)
		return rc;
	if (all > est) {
		share = est / all;
		double want = 2.0 * top_n / share;
		*page = want > 1000 ? 1000 : (int)want;
	}
	snprintf(h->search_path, sizeof h->search_path, "hnsw index, ef_search raised to %d for a filter keeping about "
	         "%.0f%% of the rows (pgvector %s has no iterative scans)", *page < 40 ? 40 : *page, share * 100,
	         h->ext_version);
	return VB_OK;
}

static int search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                         const struct vb_filter *where, const char *const *select, int exact,
                         struct vb_result **out, struct vb_error *err)
{
	*out = NULL;
	h->search_path[0] = '\0';
	struct pgv_table *t;
	int rc = pgv_table_get(h, spec->name, &t, err);
	if (rc != VB_OK || (rc = vector_ready(spec, t, q, err)) != VB_OK)
		return rc;
	const char *method = exact ? "" : pgv_ann_method(h, t, spec->vector_column, err);
	if (!method || (*method && pgv_ann_iterative(h, err) < 0))
		return err->status;
	struct vb_buf sql;
	struct pgv_params p;
	vb_buf_init(&sql);
	pgv_params_init(&p);
	double est = -1;
	if (*method)
		rc = pgv_estimate_rows(h, t, where, &est, err);
	int small = *method && est >= 0 && est <= PGV_ANN_EXACT_ROWS;
	if (rc == VB_OK)
		rc = vector_sql(h, t, spec, q, dim, top_n, where, select, small || !*method, &sql, &p, err);
	if (rc == VB_OK && small) {
		snprintf(h->search_path, sizeof h->search_path, "exact scan, sorted without the index: the planner expects "
		         "about %.0f matching rows, too few for the %s index to pay (at most %d)", est, method,
		         PGV_ANN_EXACT_ROWS);
		rc = fetch(h, sql.data, &p, 1, 0, out, err);
	} else if (rc == VB_OK && !*method) {
		snprintf(h->search_path, sizeof h->search_path, "exact scan (%s)",
		         exact ? "asked for, sorted without the index" : "no HNSW/IVFFlat index on the vector column");
		rc = fetch(h, sql.data, &p, 1, 0, out, err);
	} else if (rc == VB_OK) {
		/* relaxed order: re-sorted outside the scan so the page is in exact distance order.  "+ 0"
		 * (as pgvector's README does): PostgreSQL 17 knows the CTE comes out ordered by the
		 * index's operator, takes ORDER BY _distance as already satisfied and drops the Sort, so
		 * the rows came back in the scan's relaxed order now and then */
		char *outer = vb_xasprintf("WITH _vb_k AS MATERIALIZED (%s) SELECT * FROM _vb_k ORDER BY _distance + 0",
		                           sql.data);
		int page;
		rc = ann_page(h, t, method, top_n, est, &page, err);
		if (rc == VB_OK)
			rc = fetch_in_tx(h, method, page, 0, outer, &p, out, err);
		free(outer);
		if (rc == VB_OK && top_n > 0 && (*out)->nrows < (size_t)top_n)
			rc = refill(h, t, method, top_n, where, sql.data, &p, out, err);
	}
	vb_buf_free(&sql);
	pgv_params_free(&p);
	return rc;
}

int pgv_search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                      const struct vb_filter *where, const char *const *select, struct vb_result **out,
                      struct vb_error *err)
{
	return search_vector(h, spec, q, dim, top_n, where, select, 0, out, err);
}

int pgv_search_vector_exact(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim,
                            int top_n, const struct vb_filter *where, const char *const *select,
                            struct vb_result **out, struct vb_error *err)
{
	return search_vector(h, spec, q, dim, top_n, where, select, 1, out, err);
}

static char *fts_or_fail(const struct vb_table_spec *spec, struct vb_error *err)
{
	char *fts = vb_fts_expression(spec);
	if (!fts)
		vb_err_set(err, VB_ERR_UNSUPPORTED, "Table %s has no text column to search", spec->name);
	return fts;
}

int pgv_search_text(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, int top_n,
                    const struct vb_filter *where, const char *const *select, struct vb_result **out,
                    struct vb_error *err)
{
	*out = NULL;
	struct pgv_table *t;
	int rc = pgv_table_get(h, spec->name, &t, err);
	if (rc != VB_OK)
		return rc;
	if ((rc = pgv_fts_ready(spec, t, err)) != VB_OK)
		return rc;
	char *fts = fts_or_fail(spec, err);
	if (!fts)
		return VB_ERR_UNSUPPORTED;
	struct vb_buf sql;
	struct pgv_params p;
	vb_buf_init(&sql);
	pgv_params_init(&p);
	char *qt = pgv_qualified(h, spec->name);
	int tp = pgv_param_addf(&p, text ? text : "");
	vb_buf_add(&sql, "SELECT ");
	if ((rc = select_list(h, t, spec, select, &sql, err)) == VB_OK) {
		vb_buf_printf(&sql, ", ts_rank_cd(%s, plainto_tsquery('simple', $%d)) AS _vb_rank FROM %s WHERE ", fts, tp,
		              qt);
		rc = pgv_where(h, t, where, &sql, &p, err);
	}
	vb_buf_printf(&sql, " AND %s @@ plainto_tsquery('simple', $%d) ORDER BY _vb_rank DESC", fts, tp);
	free(qt);
	free(fts);
	return run_search(h, rc, &sql, &p, top_n, 0, 1, out, err);
}

/* The vector candidates come from the index with the same page-filling settings as a vector
 * search (iterative scan, or ef_search raised to candidate_k). */
static int hybrid_run(struct vb_handle *h, struct pgv_table *t, const struct vb_table_spec *spec, int rc,
                      struct vb_buf *sql, struct pgv_params *p, int top_n, int candidate_k, struct vb_result **out,
                      struct vb_error *err)
{
	const char *method = rc == VB_OK ? pgv_ann_method(h, t, spec->vector_column, err) : "";
	if (!method || (*method && pgv_ann_iterative(h, err) < 0))
		rc = err->status;
	if (rc != VB_OK || !*method) {
		if (rc == VB_OK)
			snprintf(h->search_path, sizeof h->search_path,
			         "hybrid: exact vector candidates (no HNSW/IVFFlat index) united with full-text matches");
		return run_search(h, rc, sql, p, top_n, 1, HYBRID_SCORE_COLS, out, err);
	}
	snprintf(h->search_path, sizeof h->search_path, "hybrid: %d vector candidates from the %s index (%s) united with "
	         "full-text matches", candidate_k, method,
	         h->ext_iterative == 1 ? "iterative scan" : "ef_search raised, no iterative scans in this pgvector");
	rc = pgv_ann_begin(h, method, candidate_k, 0, err);
	if (rc == VB_OK) {
		rc = run_search(h, VB_OK, sql, p, top_n, 1, HYBRID_SCORE_COLS, out, err);
		rc = pgv_ann_end(h, rc == VB_OK, err);
		if (rc != VB_OK && *out)
			vb_result_destroy(out);
		return rc;
	}
	return run_search(h, rc, sql, p, top_n, 1, HYBRID_SCORE_COLS, out, err);
}

/* Spec 1.5's statement: the candidate_k best by vector and by text, their union scored
 * 0.6 * vector similarity + 0.4 * 8 * text rank. */
static int hybrid_sql(struct vb_handle *h, const struct pgv_table *t, const struct vb_table_spec *spec,
                      const float *q, int dim, const char *text, const char *fts, const struct vb_filter *where,
                      const char *const *select, int candidate_k, struct vb_buf *sql, struct pgv_params *p,
                      struct vb_error *err)
{
	struct vb_buf base, cols;
	vb_buf_init(&base);
	vb_buf_init(&cols);
	char *qt = pgv_qualified(h, spec->name);
	char *qv = pgv_ident(h, spec->vector_column);
	int vp = pgv_param_add(p, vb_vector_to_text(q, dim));
	int tp = pgv_param_addf(p, text);
	int rc = pgv_where(h, t, where, &base, p, err);
	if (rc == VB_OK)
		rc = select_list(h, t, spec, select, &cols, err);
	if (rc == VB_OK) {
		vb_buf_printf(sql,
		              "WITH _vb_vec AS (SELECT ctid AS _vb_tid FROM %s WHERE %s ORDER BY %s <=> $%d::vector LIMIT %d),"
		              " _vb_fts AS (SELECT ctid AS _vb_tid FROM %s WHERE %s AND %s @@ plainto_tsquery('simple', $%d)"
		              " ORDER BY ts_rank_cd(%s, plainto_tsquery('simple', $%d)) DESC LIMIT %d),"
		              " _vb_cand AS (SELECT _vb_tid FROM _vb_vec UNION SELECT _vb_tid FROM _vb_fts)"
		              " SELECT %s, _vb_d AS _distance, 1 - _vb_d / 2 AS _vb_vec_sim, _vb_r AS _vb_bm25,"
		              " 0.6 * (1 - _vb_d / 2) + 0.4 * 8.0 * _vb_r AS _vb_score"
		              " FROM (SELECT *, (%s <=> $%d::vector) AS _vb_d,"
		              " ts_rank_cd(%s, plainto_tsquery('simple', $%d)) AS _vb_r"
		              " FROM %s WHERE ctid IN (SELECT _vb_tid FROM _vb_cand)) _vb_x"
		              " ORDER BY _vb_score DESC",
		              qt, base.data, qv, vp, candidate_k, qt, base.data, fts, tp, fts, tp, candidate_k, cols.data, qv,
		              vp, fts, tp, qt);
	}
	free(qt);
	free(qv);
	vb_buf_free(&base);
	vb_buf_free(&cols);
	return rc;
}

int pgv_search_hybrid(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, const float *q,
                      int dim, int top_n, const struct vb_filter *where, const char *const *select,
                      struct vb_result **out, struct vb_error *err)
{
	*out = NULL;
	h->search_path[0] = '\0';
	struct pgv_table *t;
	int rc = pgv_table_get(h, spec->name, &t, err);
	if (rc != VB_OK)
		return rc;
	struct vb_error ignored;
	char *fts = pgv_fts_ready(spec, t, &ignored) == VB_OK ? vb_fts_expression(spec) : NULL;
	/* spec 1.5 fallbacks, except that a missing vector searches the text instead of failing */
	if (!fts || !text || !*text) {
		free(fts);
		return pgv_search_vector(h, spec, q, dim, top_n, where, select, out, err);
	}
	if (!q) {
		free(fts);
		return pgv_search_text(h, spec, text, top_n, where, select, out, err);
	}
	rc = vector_ready(spec, t, q, err);
	if (rc != VB_OK) {
		free(fts);
		return rc;
	}
	int candidate_k = top_n * 5 > 50 ? top_n * 5 : 50;
	struct vb_buf sql;
	struct pgv_params p;
	vb_buf_init(&sql);
	pgv_params_init(&p);
	rc = hybrid_sql(h, t, spec, q, dim, text, fts, where, select, candidate_k, &sql, &p, err);
	free(fts);
	return hybrid_run(h, t, spec, rc, &sql, &p, top_n, candidate_k, out, err);
}

void pgv_result_free(struct vb_handle *h, struct vb_result **res)
{
	(void)h;
	vb_result_destroy(res);
}
