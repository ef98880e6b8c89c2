/* backends/embedded/emb_search.c - vector, full-text and hybrid search.
 *
 * Vector: exact top-k by cosine distance d = 1 - cos over the cached vectors (emb_vec.c).
 * Text: FTS5 over the table's text columns.  The user's text is split into words (letters and
 * digits) and every word must match, as PostgreSQL's plainto_tsquery does on the pgvector
 * backend; the score is -bm25() (FTS5's bm25 is "lower is better", so higher is better here).
 * Hybrid (spec 1.5): candidates = top candidate_k by vector UNION top candidate_k by text,
 * candidate_k = max(top_n * 5, 50); each candidate scores
 *     0.6 * (1 - d/2) + 0.4 * 8 * text_rank,   text_rank = -bm25 / 10
 * The /10 brings bm25 (about 1-3 per matching word in small corpora) to the scale of
 * PostgreSQL's ts_rank_cd (0.1 per matching word), so both backends weigh text against
 * vectors alike.  A candidate that does not match the text has text_rank 0; one without a
 * vector has d = 2 (vec_sim 0). */
#include "emb.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define EMB_TEXT_RANK_SCALE 10.0

/* FTS5 query: every word of text, quoted, joined by AND.  NULL when text has no words. */
static char *fts_match(const char *text)
{
	struct vb_buf b;
	vb_buf_init(&b);
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	while (*p) {
		while (*p && !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		               *p >= 0x80))
			p++;
		const unsigned char *s = p;
		while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p >= 0x80)
			p++;
		if (p == s)
			continue;
		if (b.len)
			vb_buf_add(&b, " AND ");
		vb_buf_addc(&b, '"');
		vb_buf_addn(&b, (const char *)s, (size_t)(p - s));
		vb_buf_addc(&b, '"');
	}
	if (!b.len) {
		vb_buf_free(&b);
		return NULL;
	}
	return vb_buf_steal(&b);
}

static int check_query(const struct vb_table_spec *spec, const float *q, int dim, struct vb_error *err)
{
	if (!spec->vector_column)
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "Table %s has no vector column", spec->name);
	if (!q || dim <= 0)
		return vb_err_set(err, VB_ERR_INVALID, "search on table %s needs a query vector", spec->name);
	if (dim != spec->vector_dim)
		return vb_err_set(err, VB_ERR_INVALID,
		                  "query vector has %d dimensions, but table %s column %s has %d", dim, spec->name,
		                  spec->vector_column, spec->vector_dim);
	return VB_OK;
}

/* Below this many candidate rows the float32 scan is the cheapest path. */
#define EMB_SMALL_SCAN 4096
/* A filter keeping less than this share of the rows skips the index: probing enough lists to
 * find k matching rows would read more than the quantised scan of the matching rows does. */
#define EMB_IVF_MIN_SHARE 0.05

static uint8_t *allow_bitmap(const uint32_t *subset, size_t nsubset, size_t n)
{
	uint8_t *bm = vb_xcalloc(n / 8 + 1, 1);
	for (size_t i = 0; i < nsubset; i++)
		bm[subset[i] >> 3] |= (uint8_t)(1u << (subset[i] & 7));
	return bm;
}

/* int8 scan of the candidates (all rows or subset), the best r re-ranked in float32. */
static size_t quantised_topk(const struct emb_vcache *vc, const float *qn, const uint32_t *subset, size_t nsubset,
                             size_t k, struct emb_hit *out, size_t *r_used)
{
	size_t r = k * 4 < k + 48 ? k + 48 : k * 4;
	struct emb_hit *heap = vb_xmalloc(r * sizeof *heap);
	int8_t *q8 = vb_xmalloc((size_t)vc->dim);
	float qs;
	emb_q8_query(qn, vc->dim, q8, &qs);
	size_t cnt = 0;
	emb_q8_scan(vc, q8, qs, subset, nsubset, NULL, heap, &cnt, r);
	size_t got = emb_rerank(vc, qn, heap, cnt, k);
	memcpy(out, heap, got * sizeof *out);
	free(q8);
	free(heap);
	*r_used = r;
	return got;
}

/* Picks the path by table size, filter share and index, and says which in h->search_path. */
static size_t choose_and_search(struct vb_handle *h, const struct emb_vcache *vc, const float *qn,
                                const uint32_t *subset, size_t nsubset, int filtered, size_t k, int exact,
                                struct emb_hit *out)
{
	size_t m = filtered ? nsubset : vc->n;
	double share = vc->n ? (double)m / (double)vc->n : 1;
	if (exact || m <= EMB_SMALL_SCAN) {
		snprintf(h->search_path, sizeof h->search_path, "exact scan (float32, %zu of %zu rows%s)", m, vc->n,
		         exact ? ", asked for" : ", too few for a quantised scan to pay");
		return emb_topk(vc, qn, filtered ? subset : NULL, nsubset, k, out, &h->cancelled);
	}
	if (vc->ivf.nlist > 0 && share >= EMB_IVF_MIN_SHARE) {
		/* probe more lists when the filter keeps fewer rows, so as many matching rows are read */
		int base = h->ivf_nprobe > 0 ? h->ivf_nprobe : emb_ivf_default_nprobe(vc->ivf.nlist);
		int nprobe = (int)(base / share + 0.5);
		nprobe = nprobe > vc->ivf.nlist ? vc->ivf.nlist : nprobe;
		uint8_t *allow = filtered ? allow_bitmap(subset, nsubset, vc->n) : NULL;
		size_t got = emb_ivf_topk(vc, qn, k, nprobe, allow, out);
		free(allow);
		if (got >= (k < m ? k : m)) {
			snprintf(h->search_path, sizeof h->search_path,
			         "ivf index: %d of %d lists probed, int8 scores, re-ranked in float32 (%zu rows, %zu unindexed, "
			         "filter keeps %.0f%%)", nprobe, vc->ivf.nlist, vc->n, vc->ivf.ndelta, share * 100);
			return got;
		}
	}
	size_t r;
	size_t got = quantised_topk(vc, qn, filtered ? subset : NULL, nsubset, k, out, &r);
	snprintf(h->search_path, sizeof h->search_path,
	         "quantised exact scan (int8 over %zu of %zu rows, best %zu re-ranked in float32%s)", m, vc->n, r,
	         vc->ivf.nlist ? "; the filter is too selective for the ivf index" : "; no index");
	return got;
}

/* Vector top-k restricted by where; hits are best first.  *hits is heap, freed by the caller. */
static int vector_hits(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, size_t k,
                       const struct vb_filter *where, int exact, struct emb_vcache **vcp, struct emb_hit **hits,
                       size_t *nhits, struct vb_error *err)
{
	*hits = NULL;
	*nhits = 0;
	struct emb_vcache *vc;
	int rc = emb_vcache_ready(h, spec, &vc, err);
	if (rc != VB_OK)
		return rc;
	uint32_t *subset = NULL;
	size_t nsubset = 0;
	if ((rc = emb_filter_indexes(h, spec, where, vc, &subset, &nsubset, err)) != VB_OK)
		return rc;
	size_t total = where ? nsubset : vc->n;
	if (k > total)
		k = total;
	float *qn = vb_xmalloc((size_t)spec->vector_dim * sizeof *qn);
	emb_normalise(q, qn, spec->vector_dim);
	*hits = vb_xmalloc((k ? k : 1) * sizeof **hits);
	*nhits = k ? choose_and_search(h, vc, qn, subset, nsubset, where != NULL, k, exact, *hits) : 0;
	free(qn);
	free(subset);
	*vcp = vc;
	if (atomic_load(&h->cancelled)) {
		free(*hits);
		*hits = NULL;
		*nhits = 0;
		return vb_err_set(err, VB_ERR_CANCELLED, "vector search on %s cancelled", spec->name);
	}
	return VB_OK;
}

static double clamp_distance(float sim)
{
	double d = 1.0 - (double)sim;
	return d < 0 ? 0 : d > 2 ? 2 : d;
}

static int search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                         const struct vb_filter *where, const char *const *select, int exact, struct vb_result **out,
                         struct vb_error *err)
{
	*out = NULL;
	int rc = emb_require_table(h, spec, err);
	if (rc == VB_OK)
		rc = check_query(spec, q, dim, err);
	if (rc != VB_OK)
		return rc;
	struct emb_select s;
	if ((rc = emb_select_resolve(spec, select, &s, err)) != VB_OK)
		return rc;
	struct emb_vcache *vc = NULL;
	struct emb_hit *hits = NULL;
	size_t n = 0;
	rc = vector_hits(h, spec, q, top_n > 0 ? (size_t)top_n : SIZE_MAX, where, exact, &vc, &hits, &n, err);
	if (rc == VB_OK) {
		int64_t *rids = vb_xmalloc((n ? n : 1) * sizeof *rids);
		for (size_t i = 0; i < n; i++)
			rids[i] = vc->rids[hits[i].idx];
		rc = emb_fetch_rows(h, spec, &s, rids, n, out, err);
		for (size_t i = 0; rc == VB_OK && i < n; i++)
			vb_result_set_distance(*out, i, clamp_distance(hits[i].sim));
		free(rids);
	}
	free(hits);
	emb_select_free(&s);
	return rc;
}

struct text_hit {
	int64_t rid;
	double r; /* -bm25 */
};

/* The text search's SQL.  Without a filter FTS5 ranks by itself (ORDER BY rank) with no join;
 * a filter names table columns, so the index is joined with the table and ranked by bm25. */
static int text_hits_sql(const struct vb_table_spec *spec, const struct vb_filter *where, int64_t limit,
                         struct vb_buf *sql, struct emb_params *p, struct vb_error *err)
{
	char *fts = vb_xasprintf("%s_fts", spec->name);
	int rc = VB_OK;
	if (!where) {
		vb_buf_add(sql, "SELECT rowid, -rank FROM ");
		emb_buf_qi(sql, fts);
		vb_buf_add(sql, " WHERE ");
		emb_buf_qi(sql, fts);
		vb_buf_add(sql, " MATCH ? ORDER BY rank, rowid");
	} else {
		vb_buf_add(sql, "SELECT m.");
		emb_buf_qi(sql, emb_rid_column(spec));
		vb_buf_add(sql, ", -bm25(");
		emb_buf_qi(sql, fts);
		vb_buf_add(sql, ") AS r FROM ");
		emb_buf_qi(sql, fts);
		vb_buf_add(sql, " JOIN ");
		emb_buf_qi(sql, spec->name);
		vb_buf_add(sql, " AS m ON m.");
		emb_buf_qi(sql, emb_rid_column(spec));
		vb_buf_add(sql, " = ");
		emb_buf_qi(sql, fts);
		vb_buf_add(sql, ".rowid WHERE ");
		emb_buf_qi(sql, fts);
		vb_buf_add(sql, " MATCH ?");
		rc = emb_where(where, spec, "m", 1, sql, p, err);
		vb_buf_add(sql, " ORDER BY r DESC, 1");
	}
	if (limit > 0)
		vb_buf_printf(sql, " LIMIT %lld", (long long)limit);
	free(fts);
	return rc;
}

/* Text matches of `match`, best first, at most limit (<= 0: all), restricted by where. */
static int text_hits(struct vb_handle *h, const struct vb_table_spec *spec, const char *match, int64_t limit,
                     const struct vb_filter *where, struct text_hit **hits, size_t *nhits, struct vb_error *err)
{
	*hits = NULL;
	*nhits = 0;
	struct vb_buf sql;
	struct emb_params p = { 0 };
	vb_buf_init(&sql);
	int rc = text_hits_sql(spec, where, limit, &sql, &p, err);
	sqlite3_stmt *st = NULL;
	if (rc == VB_OK)
		rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	if (rc != VB_OK) {
		emb_params_free(&p);
		return rc;
	}
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	emb_bind_params(st, 2, &p);
	size_t cap = 16, n = 0;
	struct text_hit *out = vb_xmalloc(cap * sizeof *out);
	int src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap *= 2;
			out = vb_xrealloc(out, cap * sizeof *out);
		}
		out[n].rid = sqlite3_column_int64(st, 0);
		out[n++].r = sqlite3_column_double(st, 1);
	}
	if (src != SQLITE_DONE)
		rc = emb_fail(h, src, err, "text search");
	sqlite3_finalize(st);
	emb_params_free(&p);
	if (rc != VB_OK) {
		free(out);
		return rc;
	}
	*hits = out;
	*nhits = n;
	return VB_OK;
}

static int text_ready(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	const char *const *cols;
	(void)h;
	if (emb_fts_columns(spec, &cols) == 0)
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "Table %s has no text column to search (no text_source)",
		                  spec->name);
	return VB_OK;
}

int emb_search_text(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, int top_n,
                    const struct vb_filter *where, const char *const *select, struct vb_result **out,
                    struct vb_error *err)
{
	*out = NULL;
	int rc = emb_require_table(h, spec, err);
	if (rc == VB_OK)
		rc = text_ready(h, spec, err);
	if (rc != VB_OK)
		return rc;
	struct emb_select s;
	if ((rc = emb_select_resolve(spec, select, &s, err)) != VB_OK)
		return rc;
	char *match = fts_match(text);
	struct text_hit *hits = NULL;
	size_t n = 0;
	if (match) {
		rc = text_hits(h, spec, match, top_n, where, &hits, &n, err);
	} else {
		/* no words: nothing matches, but a bad filter is still reported */
		int64_t ignored;
		rc = emb_count(h, spec, where, &ignored, err);
	}
	if (rc == VB_OK) {
		int64_t *rids = vb_xmalloc((n ? n : 1) * sizeof *rids);
		for (size_t i = 0; i < n; i++)
			rids[i] = hits[i].rid;
		rc = emb_fetch_rows(h, spec, &s, rids, n, out, err);
		for (size_t i = 0; rc == VB_OK && i < n; i++)
			vb_result_set_score(*out, i, hits[i].r);
		free(rids);
	}
	free(hits);
	free(match);
	emb_select_free(&s);
	return rc;
}

struct cand {
	int64_t rid;
	double d;  /* cosine distance; 2 when the row has no vector */
	double r;  /* -bm25, 0 when the row does not match the text */
	double score;
};

static int cand_best_first(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->rid < b->rid ? -1 : a->rid > b->rid;
}

/* -bm25 for those of rids[] that match the text (the vector candidates outside the text top-k). */
static int text_ranks_of(struct vb_handle *h, const struct vb_table_spec *spec, const char *match, struct cand *c,
                         size_t n, struct vb_error *err)
{
	if (!n)
		return VB_OK;
	char *fts = vb_xasprintf("%s_fts", spec->name);
	struct vb_buf sql;
	vb_buf_init(&sql);
	vb_buf_add(&sql, "SELECT rowid, -bm25(");
	emb_buf_qi(&sql, fts);
	vb_buf_add(&sql, ") FROM ");
	emb_buf_qi(&sql, fts);
	vb_buf_add(&sql, " WHERE ");
	emb_buf_qi(&sql, fts);
	vb_buf_add(&sql, " MATCH ?1 AND rowid IN (");
	for (size_t i = 0; i < n; i++)
		vb_buf_add(&sql, i ? ", ?" : "?");
	vb_buf_addc(&sql, ')');
	free(fts);
	sqlite3_stmt *st;
	int rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	if (rc != VB_OK)
		return rc;
	sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
	for (size_t i = 0; i < n; i++)
		sqlite3_bind_int64(st, (int)i + 2, c[i].rid);
	int src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t rid = sqlite3_column_int64(st, 0);
		for (size_t i = 0; i < n; i++)
			if (c[i].rid == rid)
				c[i].r = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? VB_OK : emb_fail(h, src, err, "hybrid search");
}

/* top_n <= 0 asks for every row the filter passes; either way it is capped so that five times
 * it (the candidate count) still fits an int. */
static int hybrid_top_n(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                        int *top_n, struct vb_error *err)
{
	if (*top_n <= 0) {
		int64_t all = 0;
		int rc = emb_count(h, spec, where, &all, err);
		if (rc != VB_OK)
			return rc;
		*top_n = all > 0 ? (all > INT_MAX / 5 ? INT_MAX / 5 : (int)all) : 1;
	} else if (*top_n > INT_MAX / 5) {
		*top_n = INT_MAX / 5;
	}
	return VB_OK;
}

/* A text hit the vector search also found only gains its text rank; one it did not find gets
 * its distance from the cached vectors (2 when the row has no vector): spec 1.5 scores the
 * union of the two candidate lists. */
static void add_text_cands(struct cand *c, size_t *nc, size_t nv, const struct text_hit *th, size_t nt,
                           const struct emb_vcache *vc, const float *q, int dim)
{
	float *qn = vb_xmalloc((size_t)dim * sizeof *qn);
	emb_normalise(q, qn, dim);
	for (size_t i = 0; i < nt; i++) {
		size_t j = 0;
		while (j < nv && c[j].rid != th[i].rid)
			j++;
		if (j < nv) {
			c[j].r = th[i].r;
			continue;
		}
		long idx = emb_vcache_find(vc, th[i].rid);
		double d = idx >= 0 ? clamp_distance(emb_dot(qn, vc->vecs + (size_t)idx * (size_t)vc->dim, vc->dim)) : 2.0;
		c[(*nc)++] = (struct cand){ th[i].rid, d, th[i].r, 0 };
	}
	free(qn);
}

/* Only the best top_n candidates by the blended score are read back, with their parts. */
static int fetch_best(struct vb_handle *h, const struct vb_table_spec *spec, const struct emb_select *s,
                      struct cand *c, size_t nc, int top_n, struct vb_result **out, struct vb_error *err)
{
	for (size_t i = 0; i < nc; i++)
		c[i].score = 0.6 * (1.0 - c[i].d / 2.0) + 0.4 * 8.0 * (c[i].r / EMB_TEXT_RANK_SCALE);
	qsort(c, nc, sizeof *c, cand_best_first);
	size_t keep = nc < (size_t)top_n ? nc : (size_t)top_n;
	int64_t *rids = vb_xmalloc((keep ? keep : 1) * sizeof *rids);
	for (size_t i = 0; i < keep; i++)
		rids[i] = c[i].rid;
	int rc = emb_fetch_rows(h, spec, s, rids, keep, out, err);
	for (size_t i = 0; rc == VB_OK && i < keep; i++) {
		vb_result_set_distance(*out, i, c[i].d);
		vb_result_set_parts(*out, i, 1.0 - c[i].d / 2.0, c[i].r / EMB_TEXT_RANK_SCALE);
		vb_result_set_score(*out, i, c[i].score);
	}
	free(rids);
	return rc;
}

int emb_search_hybrid(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, const float *q,
                      int dim, int top_n, const struct vb_filter *where, const char *const *select,
                      struct vb_result **out, struct vb_error *err)
{
	*out = NULL;
	int rc = emb_require_table(h, spec, err);
	if (rc == VB_OK)
		rc = check_query(spec, q, dim, err);
	if (rc != VB_OK)
		return rc;
	const char *const *fcols;
	if (emb_fts_columns(spec, &fcols) == 0) /* spec 1.5 fallback: no text column */
		return emb_search_vector(h, spec, q, dim, top_n, where, select, out, err);
	struct emb_select s;
	if ((rc = emb_select_resolve(spec, select, &s, err)) != VB_OK)
		return rc;
	if ((rc = hybrid_top_n(h, spec, where, &top_n, err)) != VB_OK) {
		emb_select_free(&s);
		return rc;
	}
	size_t candidate_k = (size_t)top_n * 5 > 50 ? (size_t)top_n * 5 : 50;

	struct emb_vcache *vc = NULL;
	struct emb_hit *vh = NULL;
	size_t nv = 0;
	struct text_hit *th = NULL;
	size_t nt = 0;
	char *match = fts_match(text);
	rc = vector_hits(h, spec, q, candidate_k, where, 0, &vc, &vh, &nv, err);
	if (rc == VB_OK && match)
		rc = text_hits(h, spec, match, (int64_t)candidate_k, where, &th, &nt, err);

	struct cand *c = vb_xmalloc((nv + nt + 1) * sizeof *c);
	size_t nc = 0;
	if (rc == VB_OK) {
		for (size_t i = 0; i < nv; i++)
			c[nc++] = (struct cand){ vc->rids[vh[i].idx], clamp_distance(vh[i].sim), 0, 0 };
		/* vector candidates that match the text but are outside its top candidate_k still
		 * get their text rank, as the SQL of spec 1.5 computes it for every candidate */
		if (match)
			rc = text_ranks_of(h, spec, match, c, nc, err);
	}
	if (rc == VB_OK) {
		add_text_cands(c, &nc, nv, th, nt, vc, q, spec->vector_dim);
		rc = fetch_best(h, spec, &s, c, nc, top_n, out, err);
	}
	free(c);
	free(vh);
	free(th);
	free(match);
	emb_select_free(&s);
	return rc;
}

int emb_search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                      const struct vb_filter *where, const char *const *select, struct vb_result **out,
                      struct vb_error *err)
{
	return search_vector(h, spec, q, dim, top_n, where, select, 0, out, err);
}

int emb_search_vector_exact(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim,
                            int top_n, const struct vb_filter *where, const char *const *select,
                            struct vb_result **out, struct vb_error *err)
{
	return search_vector(h, spec, q, dim, top_n, where, select, 1, out, err);
}

const char *emb_search_path(struct vb_handle *h)
{
	return h->search_path;
}
