/* backends/embedded/emb_ivf.c - the embedded store's ANN index: IVF over int8 codes with an
 * exact float32 re-rank (docs/backends.md says why IVF and not HNSW, with measurements).
 *
 * Stored in the namespace's own SQLite file, beside the table T:
 *   "T__vb_ivf_lists" (list INTEGER PRIMARY KEY, centroid BLOB)  the k-means centroids
 *   "T__vb_ivf_rows"  (rid INTEGER PRIMARY KEY, list INTEGER)    each row's list
 * plus triggers that drop a row's assignment when the row is deleted or its vector updated.
 * add/upsert assign new rows inside their own transaction (emb_ivf_writer_*); a row without an
 * assignment (written by an older vbadmin, or updated) sits in the delta list that every
 * search scans, so the index never hides a row.  Loading the cache rebuilds the lists in memory. */
#include "emb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define IVF_ITERS 8
#define IVF_SAMPLE_PER_LIST 48

static char *name_of(const struct vb_table_spec *spec, const char *suffix)
{
	return vb_xasprintf("%s__vb_ivf_%s", spec->name, suffix);
}

void emb_ivf_clear(struct emb_ivf *ivf)
{
	free(ivf->centroids);
	free(ivf->start);
	free(ivf->members);
	free(ivf->delta);
	memset(ivf, 0, sizeof *ivf);
}

int emb_ivf_default_nprobe(int nlist)
{
	int p = nlist / 16;
	return p < 8 ? (nlist < 8 ? nlist : 8) : p;
}

static int nearest(const float *centroids, int nlist, const float *v, int dim)
{
	int best = 0;
	float bs = -2;
	for (int c = 0; c < nlist; c++) {
		float s = emb_dot(centroids + (size_t)c * (size_t)dim, v, dim);
		if (s > bs) {
			bs = s;
			best = c;
		}
	}
	return best;
}

/* Centroids as int8 codes, for the assignment passes: four times the multiply-adds per
 * instruction of float32, and a row's list only has to be near-best, the search re-ranks. */
struct cent8 {
	int8_t *codes;
	float *scales;
};

static void cent8_make(struct cent8 *c8, const float *cent, int nlist, int dim)
{
	for (int c = 0; c < nlist; c++)
		emb_q8_query(cent + (size_t)c * dim, dim, c8->codes + (size_t)c * dim, &c8->scales[c]);
}

static int nearest8(const struct cent8 *c8, int nlist, const int8_t *code, int dim)
{
	int best = 0;
	float bs = -1e30f;
	for (int c = 0; c < nlist; c++) {
		float s = (float)emb_dot8(c8->codes + (size_t)c * dim, code, dim) * c8->scales[c];
		if (s > bs) {
			bs = s;
			best = c;
		}
	}
	return best;
}

/* Spherical k-means on an evenly strided sample: centroids are re-normalised means. */
static void kmeans(const struct emb_vcache *vc, int nlist, float *cent, struct cent8 *c8)
{
	const int dim = vc->dim;
	size_t ns = (size_t)nlist * IVF_SAMPLE_PER_LIST;
	if (ns > vc->n)
		ns = vc->n;
	size_t stride = vc->n / ns;
	for (int c = 0; c < nlist; c++)
		memcpy(cent + (size_t)c * dim, vc->vecs + (size_t)c * (ns / (size_t)nlist) * stride * dim,
		       (size_t)dim * sizeof *cent);
	double *sum = vb_xmalloc((size_t)nlist * (size_t)dim * sizeof *sum);
	size_t *cnt = vb_xmalloc((size_t)nlist * sizeof *cnt);
	for (int it = 0; it < IVF_ITERS; it++) {
		cent8_make(c8, cent, nlist, dim);
		memset(sum, 0, (size_t)nlist * (size_t)dim * sizeof *sum);
		memset(cnt, 0, (size_t)nlist * sizeof *cnt);
		for (size_t s = 0; s < ns; s++) {
			size_t row = s * stride;
			int c = nearest8(c8, nlist, vc->codes + row * (size_t)dim, dim);
			const float *v = vc->vecs + row * (size_t)dim;
			cnt[c]++;
			for (int d = 0; d < dim; d++)
				sum[(size_t)c * dim + d] += v[d];
		}
		for (int c = 0; c < nlist; c++) {
			float *ce = cent + (size_t)c * dim;
			if (!cnt[c]) /* an empty list takes a sample point of its own */
				memcpy(ce, vc->vecs + ((size_t)(c * 7919 + it) % ns) * stride * dim, (size_t)dim * sizeof *ce);
			else
				for (int d = 0; d < dim; d++)
					ce[d] = (float)sum[(size_t)c * dim + d];
			emb_normalise(ce, ce, dim);
		}
	}
	cent8_make(c8, cent, nlist, dim);
	free(sum);
	free(cnt);
}

static int exec_fmt(struct vb_handle *h, struct vb_error *err, const char *fmt, const char *a, const char *b,
                    const char *c)
{
	char *qa = emb_qi(a), *qb = b ? emb_qi(b) : NULL, *qc = c ? emb_qi(c) : NULL;
	char *sql = vb_xasprintf(fmt, qa, qb ? qb : "", qc ? qc : "");
	int rc = emb_exec(h, sql, err);
	free(sql);
	free(qa);
	free(qb);
	free(qc);
	return rc;
}

/* Tables and triggers, empty; inside the caller's transaction. */
static int create_tables(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	char *lists = name_of(spec, "lists"), *rows = name_of(spec, "rows");
	char *tdel = name_of(spec, "del"), *tupd = name_of(spec, "upd");
	const char *rid = emb_rid_column(spec);
	char *qrid = emb_qi(rid), *qvec = emb_qi(spec->vector_column);
	int rc = exec_fmt(h, err, "DROP TABLE IF EXISTS %s; DROP TABLE IF EXISTS %s%s", lists, rows, NULL);
	if (rc == VB_OK)
		rc = exec_fmt(h, err, "CREATE TABLE %s (list INTEGER PRIMARY KEY, centroid BLOB NOT NULL)%s%s", lists, NULL,
		              NULL);
	if (rc == VB_OK)
		rc = exec_fmt(h, err, "CREATE TABLE %s (rid INTEGER PRIMARY KEY, list INTEGER NOT NULL)%s%s", rows, NULL,
		              NULL);
	if (rc == VB_OK) {
		char *fmt = vb_xasprintf("CREATE TRIGGER %%s AFTER DELETE ON %%s BEGIN DELETE FROM %%s WHERE rid = old.%s; END",
		                         qrid);
		rc = exec_fmt(h, err, "DROP TRIGGER IF EXISTS %s%s%s", tdel, NULL, NULL);
		if (rc == VB_OK)
			rc = exec_fmt(h, err, fmt, tdel, spec->name, rows);
		free(fmt);
	}
	if (rc == VB_OK) {
		char *fmt = vb_xasprintf("CREATE TRIGGER %%s AFTER UPDATE OF %s ON %%s BEGIN DELETE FROM %%s WHERE rid = "
		                         "old.%s; END", qvec, qrid);
		rc = exec_fmt(h, err, "DROP TRIGGER IF EXISTS %s%s%s", tupd, NULL, NULL);
		if (rc == VB_OK)
			rc = exec_fmt(h, err, fmt, tupd, spec->name, rows);
		free(fmt);
	}
	free(qrid);
	free(qvec);
	free(lists);
	free(rows);
	free(tdel);
	free(tupd);
	return rc;
}

static int store_index(struct vb_handle *h, const struct vb_table_spec *spec, const struct emb_vcache *vc,
                       int nlist, const float *cent, const int *assign, struct vb_error *err)
{
	char *lists = name_of(spec, "lists"), *rows = name_of(spec, "rows");
	char *ql = emb_qi(lists), *qr = emb_qi(rows);
	char *s1 = vb_xasprintf("INSERT INTO %s (list, centroid) VALUES (?1, ?2)", ql);
	char *s2 = vb_xasprintf("INSERT INTO %s (rid, list) VALUES (?1, ?2)", qr);
	sqlite3_stmt *a = NULL, *b = NULL;
	int rc = emb_prepare(h, s1, &a, err);
	if (rc == VB_OK)
		rc = emb_prepare(h, s2, &b, err);
	for (int c = 0; rc == VB_OK && c < nlist; c++) {
		sqlite3_bind_int(a, 1, c);
		sqlite3_bind_blob(a, 2, cent + (size_t)c * vc->dim, vc->dim * (int)sizeof(float), SQLITE_STATIC);
		int src = sqlite3_step(a);
		sqlite3_reset(a);
		if (src != SQLITE_DONE)
			rc = emb_fail(h, src, err, "storing the index");
	}
	for (size_t i = 0; rc == VB_OK && i < vc->n; i++) {
		sqlite3_bind_int64(b, 1, vc->rids[i]);
		sqlite3_bind_int(b, 2, assign[i]);
		int src = sqlite3_step(b);
		sqlite3_reset(b);
		if (src != SQLITE_DONE)
			rc = emb_fail(h, src, err, "storing the index");
	}
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	free(s1);
	free(s2);
	free(ql);
	free(qr);
	free(lists);
	free(rows);
	return rc;
}

int emb_ivf_create(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err)
{
	struct emb_vcache *vc;
	int rc = emb_vcache_ready(h, spec, &vc, err);
	if (rc != VB_OK)
		return rc;
	/* about sqrt(n) lists of about sqrt(n) rows; at least one */
	int nlist = (int)sqrt((double)vc->n);
	nlist = nlist < 1 ? 1 : nlist > 4096 ? 4096 : nlist;
	float *cent = vb_xmalloc((size_t)nlist * (size_t)vc->dim * sizeof *cent);
	int *assign = vb_xmalloc((vc->n ? vc->n : 1) * sizeof *assign);
	struct cent8 c8 = {vb_xmalloc((size_t)nlist * (size_t)vc->dim), vb_xmalloc((size_t)nlist * sizeof(float))};
	if (vc->n)
		kmeans(vc, nlist, cent, &c8);
	else
		memset(cent, 0, (size_t)nlist * (size_t)vc->dim * sizeof *cent);
	for (size_t i = 0; i < vc->n; i++)
		assign[i] = nearest8(&c8, nlist, vc->codes + i * (size_t)vc->dim, vc->dim);
	free(c8.codes);
	free(c8.scales);
	rc = emb_begin(h, err);
	if (rc == VB_OK)
		rc = create_tables(h, spec, err);
	if (rc == VB_OK)
		rc = store_index(h, spec, vc, nlist, cent, assign, err);
	if (rc == VB_OK)
		rc = emb_commit(h, err);
	if (rc != VB_OK)
		emb_abort(h);
	free(cent);
	free(assign);
	emb_table_invalidate(h, spec->name);
	return rc;
}

int emb_create_index(struct vb_handle *h, const struct vb_table_spec *spec, const char *method, struct vb_error *err)
{
	if (method && *method && strcmp(method, "ivf") != 0)
		return vb_err_set(err, VB_ERR_INVALID, "the embedded store builds one index method, ivf (not '%s')", method);
	int rc = emb_require_table(h, spec, err);
	if (rc == VB_OK && !spec->vector_column)
		rc = vb_err_set(err, VB_ERR_INVALID, "Table %s has no vector column to index", spec->name);
	return rc == VB_OK ? emb_ivf_create(h, spec, err) : rc;
}

/* Centroids of the stored index; *nlist 0 when there is none. */
static int load_centroids(struct vb_handle *h, const struct vb_table_spec *spec, int dim, float **cent, int *nlist,
                          struct vb_error *err)
{
	*cent = NULL;
	*nlist = 0;
	char *lists = name_of(spec, "lists");
	sqlite3_stmt *st;
	int rc = emb_prepare(h, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", &st, err);
	if (rc != VB_OK) {
		free(lists);
		return rc;
	}
	sqlite3_bind_text(st, 1, lists, -1, SQLITE_TRANSIENT);
	int exists = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!exists) {
		free(lists);
		return VB_OK;
	}
	char *q = emb_qi(lists), *sql = vb_xasprintf("SELECT list, centroid FROM %s ORDER BY list", q);
	rc = emb_prepare(h, sql, &st, err);
	free(q);
	free(sql);
	free(lists);
	if (rc != VB_OK)
		return rc;
	size_t cap = 64;
	float *c = vb_xmalloc(cap * (size_t)dim * sizeof *c);
	int n = 0, src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != dim * (int)sizeof(float) || sqlite3_column_int(st, 0) != n) {
			rc = vb_err_set(err, VB_ERR_SCHEMA, "the vector index of %s is damaged: run vbadmin index create again",
			                spec->name);
			break;
		}
		if ((size_t)n == cap)
			c = vb_xrealloc(c, (cap *= 2) * (size_t)dim * sizeof *c);
		memcpy(c + (size_t)n * dim, sqlite3_column_blob(st, 1), (size_t)dim * sizeof *c);
		n++;
	}
	sqlite3_finalize(st);
	if (rc != VB_OK || !n) {
		free(c);
		return rc;
	}
	*cent = c;
	*nlist = n;
	return VB_OK;
}

/* Each cached row's list (-1: no assignment) from the stored assignments, merged by row id. */
static int load_assignments(struct vb_handle *h, const struct vb_table_spec *spec, const struct emb_vcache *vc,
                            int nlist, int *list, struct vb_error *err)
{
	for (size_t i = 0; i < vc->n; i++)
		list[i] = -1;
	char *rows = name_of(spec, "rows"), *q = emb_qi(rows);
	char *sql = vb_xasprintf("SELECT rid, list FROM %s ORDER BY rid", q);
	sqlite3_stmt *st;
	int rc = emb_prepare(h, sql, &st, err);
	free(sql);
	free(q);
	free(rows);
	if (rc != VB_OK)
		return rc;
	size_t j = 0;
	int src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		long at = emb_vcache_seek(vc, &j, sqlite3_column_int64(st, 0));
		if (at == EMB_RID_PAST_END)
			break;
		int l = sqlite3_column_int(st, 1);
		if (at != EMB_RID_ABSENT && l >= 0 && l < nlist)
			list[at] = l;
	}
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = emb_fail(h, src, err, "loading the vector index");
	sqlite3_finalize(st);
	return rc;
}

int emb_ivf_load(struct vb_handle *h, const struct vb_table_spec *spec, struct emb_vcache *vc, struct vb_error *err)
{
	struct emb_ivf *ivf = &vc->ivf;
	emb_ivf_clear(ivf);
	int rc = load_centroids(h, spec, vc->dim, &ivf->centroids, &ivf->nlist, err);
	if (rc != VB_OK || !ivf->nlist)
		return rc;
	int *list = vb_xmalloc((vc->n ? vc->n : 1) * sizeof *list);
	rc = load_assignments(h, spec, vc, ivf->nlist, list, err);
	if (rc != VB_OK) {
		free(list);
		emb_ivf_clear(ivf);
		return rc;
	}
	/* counting sort of the cache indexes by list; unassigned rows go to the delta list */
	ivf->start = vb_xcalloc((size_t)ivf->nlist + 1, sizeof *ivf->start);
	ivf->members = vb_xmalloc((vc->n ? vc->n : 1) * sizeof *ivf->members);
	ivf->delta = vb_xmalloc((vc->n ? vc->n : 1) * sizeof *ivf->delta);
	for (size_t i = 0; i < vc->n; i++)
		if (list[i] >= 0)
			ivf->start[list[i] + 1]++;
	for (int c = 0; c < ivf->nlist; c++)
		ivf->start[c + 1] += ivf->start[c];
	uint32_t *fill = vb_xmalloc((size_t)ivf->nlist * sizeof *fill);
	memcpy(fill, ivf->start, (size_t)ivf->nlist * sizeof *fill);
	for (size_t i = 0; i < vc->n; i++) {
		if (list[i] >= 0)
			ivf->members[fill[list[i]]++] = (uint32_t)i;
		else
			ivf->delta[ivf->ndelta++] = (uint32_t)i;
	}
	free(fill);
	free(list);
	return VB_OK;
}

int emb_ivf_writer_open(struct vb_handle *h, const struct vb_table_spec *spec, struct emb_ivf_writer *w,
                        struct vb_error *err)
{
	memset(w, 0, sizeof *w);
	if (!spec->vector_column)
		return VB_OK;
	int rc = load_centroids(h, spec, spec->vector_dim, &w->centroids, &w->nlist, err);
	if (rc != VB_OK || !w->nlist)
		return rc;
	w->dim = spec->vector_dim;
	char *rows = name_of(spec, "rows"), *q = emb_qi(rows);
	char *sql = vb_xasprintf("INSERT OR REPLACE INTO %s (rid, list) VALUES (?1, ?2)", q);
	rc = emb_prepare(h, sql, &w->ins, err);
	free(sql);
	free(q);
	free(rows);
	return rc;
}

int emb_ivf_writer_add(struct vb_handle *h, struct emb_ivf_writer *w, int64_t rid, const struct vb_value *vec,
                       struct vb_error *err)
{
	if (!w->ins || !vec || vec->is_null || vec->u.vec.dim != w->dim)
		return VB_OK; /* no index, or no vector: nothing to assign */
	float *v = vb_xmalloc((size_t)w->dim * sizeof *v);
	emb_normalise(vec->u.vec.v, v, w->dim);
	int l = nearest(w->centroids, w->nlist, v, w->dim);
	free(v);
	sqlite3_bind_int64(w->ins, 1, rid);
	sqlite3_bind_int(w->ins, 2, l);
	int src = sqlite3_step(w->ins);
	sqlite3_reset(w->ins);
	return src == SQLITE_DONE ? VB_OK : emb_fail(h, src, err, "updating the vector index");
}

void emb_ivf_writer_close(struct emb_ivf_writer *w)
{
	sqlite3_finalize(w->ins);
	free(w->centroids);
	memset(w, 0, sizeof *w);
}

size_t emb_ivf_topk(const struct emb_vcache *vc, const float *q, size_t k, int nprobe, const uint8_t *allow,
                    struct emb_hit *out)
{
	const struct emb_ivf *ivf = &vc->ivf;
	if (nprobe > ivf->nlist)
		nprobe = ivf->nlist;
	/* the nprobe lists whose centroids are nearest the query */
	struct emb_hit *lists = vb_xmalloc((size_t)nprobe * sizeof *lists);
	size_t nl = 0;
	for (int c = 0; c < ivf->nlist; c++)
		emb_heap_push(lists, &nl, (size_t)nprobe, emb_dot(q, ivf->centroids + (size_t)c * vc->dim, vc->dim),
		              (uint32_t)c);
	int8_t *q8 = vb_xmalloc((size_t)vc->dim);
	float qs;
	emb_q8_query(q, vc->dim, q8, &qs);
	size_t r = k * 4 < k + 48 ? k + 48 : k * 4; /* candidates re-ranked in float32 */
	struct emb_hit *heap = vb_xmalloc(r * sizeof *heap);
	size_t cnt = 0;
	for (size_t i = 0; i < nl; i++) {
		uint32_t c = lists[i].idx;
		emb_q8_scan(vc, q8, qs, ivf->members + ivf->start[c], ivf->start[c + 1] - ivf->start[c], allow, heap, &cnt,
		            r);
	}
	emb_q8_scan(vc, q8, qs, ivf->delta, ivf->ndelta, allow, heap, &cnt, r);
	size_t got = emb_rerank(vc, q, heap, cnt, k);
	memcpy(out, heap, got * sizeof *out);
	free(heap);
	free(q8);
	free(lists);
	return got;
}
