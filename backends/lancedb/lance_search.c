/* backends/lancedb/lance_search.c - search_all, vector (cosine), full-text (LanceDB's native BM25
 * index over the table's full-text columns) and hybrid searches, and their replies as vb_result.
 * Cells come back typed and are written as the other backends write them: integers in decimal,
 * doubles as Python's repr, booleans true/false, timestamps "YYYY-MM-DD HH:MM:SS[.fff]", text
 * lists as JSON arrays, vectors "[...]" with 9 significant digits (exact for float32). */
#include "lance.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../vb_filter.h"

static char *cell_text(const struct lw_val *v)
{
	char num[64];
	switch (v->tag) {
	case 'S': return vb_xstrdup(v->u.s);
	case 'I': return vb_xasprintf("%lld", (long long)v->u.i);
	case 'D': vb_filter_format_double(v->u.d, num, sizeof num); return vb_xstrdup(num);
	case 'T': return vb_xstrdup("true");
	case 'F': return vb_xstrdup("false");
	case 'V': return vb_vector_to_text(v->u.v, (int)v->n);
	case 'L': { /* a JSON array, as the embedded store keeps text[] (jansson) */
		json_t *a = json_array();
		for (uint32_t i = 0; i < v->n; i++) {
			json_t *item = v->u.items[i].tag == 'S' ? json_string(v->u.items[i].u.s) : NULL;
			json_array_append_new(a, item ? item : json_null());
		}
		char *text = json_dumps(a, JSON_COMPACT);
		json_decref(a);
		char *out = vb_xstrdup(text ? text : "[]");
		free(text);
		return out;
	}
	default: return NULL;
	}
}

static double num_at(const struct lw_val *list, uint32_t i)
{
	const struct lw_val *v = &list->u.items[i];
	return v->tag == 'D' ? v->u.d : v->tag == 'I' ? (double)v->u.i : 0;
}

static int to_result(struct lw_val *v, struct vb_result **out, struct vb_error *err)
{
	const struct lw_val *cols = lw_get(v, "cols"), *rows = lw_get(v, "rows");
	const struct lw_val *dist = lw_get(v, "dist"), *score = lw_get(v, "score");
	if (!cols || cols->tag != 'L' || !rows || rows->tag != 'L') {
		lw_free(v);
		return vb_err_set(err, VB_ERR_INTERNAL, "the LanceDB helper sent a result without columns or rows");
	}
	int ncols = (int)cols->n;
	const char **names = vb_xcalloc((size_t)ncols + 1, sizeof *names);
	for (int c = 0; c < ncols; c++)
		names[c] = cols->u.items[c].tag == 'S' ? cols->u.items[c].u.s : "?";
	struct vb_result *r = vb_result_new(ncols, names);
	char **cells = vb_xcalloc((size_t)ncols + 1, sizeof *cells);
	for (uint32_t i = 0; i < rows->n; i++) {
		const struct lw_val *row = &rows->u.items[i];
		for (int c = 0; c < ncols; c++)
			cells[c] = row->tag == 'L' && (uint32_t)c < row->n ? cell_text(&row->u.items[c]) : NULL;
		size_t at = vb_result_add_row(r, (const char *const *)cells);
		for (int c = 0; c < ncols; c++)
			free(cells[c]);
		if (dist && dist->tag == 'L' && i < dist->n)
			vb_result_set_distance(r, at, num_at(dist, i));
		if (score && score->tag == 'L' && i < score->n)
			vb_result_set_score(r, at, num_at(score, i));
	}
	free(cells);
	free(names);
	lw_free(v);
	*out = r;
	return VB_OK;
}

static int count_strs(const char *const *v)
{
	int n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* Starts a "query" request: mode, where, select, limit, plus `extra` more entries. */
static int query_begin(struct vb_handle *h, const struct vb_table_spec *spec, const char *mode,
                       const struct vb_filter *where, const char *const *select, int64_t limit, uint32_t extra,
                       struct vb_error *err)
{
	char *w;
	int rc = lance_where(h, spec, where, &w, err);
	if (rc != VB_OK)
		return rc;
	lance_req(h, "query", spec->name, 4 + extra);
	lw_str(&h->req, "mode");
	lw_str(&h->req, mode);
	lw_str(&h->req, "where");
	lw_str(&h->req, w);
	lw_str(&h->req, "select");
	if (select)
		lw_str_list(&h->req, select, count_strs(select));
	else
		lw_null(&h->req);
	lw_str(&h->req, "limit");
	lw_int(&h->req, limit);
	free(w);
	return VB_OK;
}

static int query_end(struct vb_handle *h, struct vb_result **out, struct vb_error *err)
{
	struct lw_val *v = lance_call(h, err);
	return v ? to_result(v, out, err) : err->status;
}

static void put_fts(struct vb_handle *h, const struct vb_table_spec *spec, const char *text)
{
	const char *one[1] = {spec->text_source};
	const char *const *cols = spec->fts_columns ? spec->fts_columns : one;
	lw_str(&h->req, "text");
	lw_str(&h->req, text);
	lw_str(&h->req, "fts_cols");
	lw_str_list(&h->req, cols, spec->fts_columns ? count_strs(cols) : 1);
}

static void put_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim)
{
	lw_str(&h->req, "vector");
	lw_vec(&h->req, q, dim);
	lw_str(&h->req, "vcol");
	lw_str(&h->req, spec->vector_column);
}

static int check_query(const struct vb_table_spec *spec, const float *q, int dim, int top_n, struct vb_error *err)
{
	if (top_n <= 0)
		return vb_err_set(err, VB_ERR_INVALID, "top_n must be at least 1 (got %d)", top_n);
	if (q && !spec->vector_column)
		return vb_err_set(err, VB_ERR_INVALID, "table %s has no vector column", spec->name);
	if (q && dim != spec->vector_dim)
		return vb_err_set(err, VB_ERR_INVALID, "query vector has %d dimensions, table %s has %d", dim, spec->name,
		                  spec->vector_dim);
	return VB_OK;
}

int lance_search_all(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                     const char *const *select, int64_t limit, struct vb_result **out, struct vb_error *err)
{
	*out = NULL;
	int rc = query_begin(h, spec, "all", where, select, limit > 0 ? limit : 0, 0, err);
	return rc != VB_OK ? rc : query_end(h, out, err);
}

/* The helper keeps the stream of its last scan open and continues it when the next request starts
 * where the last one ended (helper: search.scan), so a walk through the table reads it once. */
int lance_scan(struct vb_handle *h, const struct vb_table_spec *spec, const char *const *select, int64_t offset,
               int64_t limit, struct vb_result **out, struct vb_error *err)
{
	*out = NULL;
	if (offset < 0 || limit <= 0)
		return vb_err_set(err, VB_ERR_INVALID, "scan of %s: offset %lld, limit %lld", spec->name, (long long)offset,
		                  (long long)limit);
	int rc = query_begin(h, spec, "scan", NULL, select, limit, 1, err);
	if (rc != VB_OK)
		return rc;
	lw_str(&h->req, "offset");
	lw_int(&h->req, offset);
	return query_end(h, out, err);
}

int lance_search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                        const struct vb_filter *where, const char *const *select, struct vb_result **out,
                        struct vb_error *err)
{
	*out = NULL;
	int rc = check_query(spec, q, dim, top_n, err);
	if (rc == VB_OK)
		rc = query_begin(h, spec, "vector", where, select, top_n, 2, err);
	if (rc != VB_OK)
		return rc;
	put_vector(h, spec, q, dim);
	return query_end(h, out, err);
}

int lance_search_text(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, int top_n,
                      const struct vb_filter *where, const char *const *select, struct vb_result **out,
                      struct vb_error *err)
{
	*out = NULL;
	if (!spec->fts_columns && !spec->text_source)
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "table %s has no full-text columns", spec->name);
	int rc = check_query(spec, NULL, 0, top_n, err);
	if (rc == VB_OK)
		rc = query_begin(h, spec, "fts", where, select, top_n, 2, err);
	if (rc != VB_OK)
		return rc;
	put_fts(h, spec, text ? text : "");
	return query_end(h, out, err);
}

int lance_search_hybrid(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, const float *q,
                        int dim, int top_n, const struct vb_filter *where, const char *const *select,
                        struct vb_result **out, struct vb_error *err)
{
	*out = NULL;
	int rc = check_query(spec, q, dim, top_n, err);
	if (rc != VB_OK)
		return rc;
	if (!spec->fts_columns && !spec->text_source)
		return lance_search_vector(h, spec, q, dim, top_n, where, select, out, err);
	rc = query_begin(h, spec, "hybrid", where, select, top_n, 5, err);
	if (rc != VB_OK)
		return rc;
	put_vector(h, spec, q, dim);
	put_fts(h, spec, text ? text : "");
	lw_str(&h->req, "k");
	lw_int(&h->req, top_n * 5 > 50 ? top_n * 5 : 50);
	rc = query_end(h, out, err);
	/* Datus's parts of the score: vec_sim = 1 - d/2, and the text part in ts_rank_cd's place,
	 * score = 0.6 * vec_sim + 0.4 * 8 * bm25 */
	for (size_t i = 0; rc == VB_OK && (*out)->distance && (*out)->score && i < (*out)->nrows; i++) {
		double vs = 1 - (*out)->distance[i] / 2;
		vb_result_set_parts(*out, i, vs, ((*out)->score[i] - 0.6 * vs) / 3.2);
	}
	return rc;
}
