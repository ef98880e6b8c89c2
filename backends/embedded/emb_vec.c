/* backends/embedded/emb_vec.c - the exact vector scan.
 *
 * A table's vectors are loaded once into one contiguous, L2-normalised float array ordered by
 * row id (emb_vcache), and reused until this handle writes the table or another connection
 * commits (PRAGMA data_version changes).  A query is then one linear pass: a dot product per
 * row (cosine similarity, since both sides are unit length) kept in a bounded min-heap of k
 * hits.  Nothing is allocated per row.  A filter becomes a sorted list of cache indexes, so the
 * scan touches only the rows it matches. */
#include "emb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void emb_vcache_clear(struct emb_vcache *vc)
{
	free(vc->rids);
	free(vc->vecs);
	free(vc->codes);
	free(vc->scales);
	emb_ivf_clear(&vc->ivf);
	memset(vc, 0, sizeof *vc);
}

void emb_normalise(const float *v, float *out, int dim)
{
	double ss = 0;
	for (int i = 0; i < dim; i++)
		ss += (double)v[i] * v[i];
	float inv = ss > 0 ? (float)(1.0 / sqrt(ss)) : 0.0f;
	for (int i = 0; i < dim; i++)
		out[i] = v[i] * inv;
}

#if defined(__GNUC__)
/* Generic vectors: SSE/AVX/NEON as the target allows, and independent accumulators so the
 * sum needs no re-association (no -ffast-math required). */
typedef float emb_v8f __attribute__((vector_size(32)));

float emb_dot(const float *a, const float *b, int dim)
{
	emb_v8f acc0 = { 0 }, acc1 = { 0 };
	int i = 0;
	for (; i + 16 <= dim; i += 16) {
		emb_v8f x0, y0, x1, y1;
		memcpy(&x0, a + i, sizeof x0);
		memcpy(&y0, b + i, sizeof y0);
		memcpy(&x1, a + i + 8, sizeof x1);
		memcpy(&y1, b + i + 8, sizeof y1);
		acc0 += x0 * y0;
		acc1 += x1 * y1;
	}
	acc0 += acc1;
	float s = ((acc0[0] + acc0[4]) + (acc0[1] + acc0[5])) + ((acc0[2] + acc0[6]) + (acc0[3] + acc0[7]));
	for (; i < dim; i++)
		s += a[i] * b[i];
	return s;
}
#else
float emb_dot(const float *a, const float *b, int dim)
{
	float acc[8] = { 0 };
	int i = 0;
	for (; i + 8 <= dim; i += 8)
		for (int j = 0; j < 8; j++)
			acc[j] += a[i + j] * b[i + j];
	float s = 0;
	for (int j = 0; j < 8; j++)
		s += acc[j];
	for (; i < dim; i++)
		s += a[i] * b[i];
	return s;
}
#endif

static int data_version(struct vb_handle *h, int64_t *out, struct vb_error *err)
{
	sqlite3_stmt *st;
	int rc = emb_prepare(h, "PRAGMA data_version", &st, err);
	if (rc != VB_OK)
		return rc;
	int src = sqlite3_step(st);
	*out = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return src == SQLITE_ROW ? VB_OK : emb_fail(h, src, err, "embedded store");
}

static void vec_from_where(struct vb_buf *sql, const struct vb_table_spec *spec, const char *what)
{
	vb_buf_add(sql, what);
	vb_buf_add(sql, " FROM ");
	emb_buf_qi(sql, spec->name);
	vb_buf_add(sql, " WHERE ");
	emb_buf_qi(sql, spec->vector_column);
	vb_buf_add(sql, " IS NOT NULL");
}

/* Counted first so the aligned array is allocated once, not grown row by row. */
static int count_vectors(struct vb_handle *h, const struct vb_table_spec *spec, size_t *n, struct vb_error *err)
{
	struct vb_buf sql;
	vb_buf_init(&sql);
	vec_from_where(&sql, spec, "SELECT count(*)");
	sqlite3_stmt *st;
	int rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	if (rc != VB_OK)
		return rc;
	int src = sqlite3_step(st);
	*n = src == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return src == SQLITE_ROW ? VB_OK : emb_fail(h, src, err, "loading vectors");
}

/* At most n rows of st (rid, vector blob) into vc, each normalised so a dot product is the
 * cosine similarity. */
static int read_vectors(struct vb_handle *h, const struct vb_table_spec *spec, sqlite3_stmt *st, size_t n,
                        struct emb_vcache *vc, struct vb_error *err)
{
	const int dim = spec->vector_dim;
	int rc = VB_OK, src;
	size_t i = 0;
	while ((src = sqlite3_step(st)) == SQLITE_ROW && i < n) {
		int len = sqlite3_column_bytes(st, 1);
		const float *blob = sqlite3_column_blob(st, 1);
		if (len != dim * (int)sizeof(float)) {
			rc = vb_err_set(err, VB_ERR_SCHEMA, "Table %s row %lld holds a %d-dimensional vector; the table has %d",
			                spec->name, (long long)sqlite3_column_int64(st, 0), len / (int)sizeof(float), dim);
			break;
		}
		vc->rids[i] = sqlite3_column_int64(st, 0);
		/* the blob may be unaligned: normalise straight from it into the aligned slot */
		float *dst = vc->vecs + i * (size_t)dim;
		memcpy(dst, blob, (size_t)len);
		emb_normalise(dst, dst, dim);
		i++;
	}
	if (rc == VB_OK && src != SQLITE_ROW && src != SQLITE_DONE)
		rc = emb_fail(h, src, err, "loading vectors");
	vc->n = i;
	return rc;
}

static int vcache_load(struct vb_handle *h, const struct vb_table_spec *spec, struct emb_vcache *vc,
                       struct vb_error *err)
{
	const int dim = spec->vector_dim;
	size_t n;
	int rc = count_vectors(h, spec, &n, err);
	if (rc != VB_OK)
		return rc;
	struct vb_buf sql;
	vb_buf_init(&sql);
	vb_buf_add(&sql, "SELECT ");
	emb_buf_qi(&sql, emb_rid_column(spec));
	vb_buf_add(&sql, ", ");
	emb_buf_qi(&sql, spec->vector_column);
	vec_from_where(&sql, spec, "");
	vb_buf_add(&sql, " ORDER BY 1");
	sqlite3_stmt *st;
	rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	if (rc != VB_OK)
		return rc;

	vc->dim = dim;
	vc->rids = vb_xmalloc((n ? n : 1) * sizeof *vc->rids);
	void *mem = NULL;
	size_t bytes = (n ? n : 1) * (size_t)dim * sizeof(float);
	if (posix_memalign(&mem, 64, bytes) != 0)
		vb_die("out of memory (%zu bytes for the vectors of %s)", bytes, spec->name);
	vc->vecs = mem;
	rc = read_vectors(h, spec, st, n, vc, err);
	sqlite3_finalize(st);
	return rc;
}

int emb_vcache_ready(struct vb_handle *h, const struct vb_table_spec *spec, struct emb_vcache **out,
                     struct vb_error *err)
{
	*out = NULL;
	if (!spec->vector_column || spec->vector_dim <= 0)
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "Table %s has no vector column", spec->name);
	struct emb_table *t = emb_table_get(h, spec->name);
	int64_t dv;
	int rc = data_version(h, &dv, err);
	if (rc != VB_OK)
		return rc;
	if (t->vc.loaded && t->vc.data_version == dv && t->vc.dim == spec->vector_dim) {
		*out = &t->vc;
		return VB_OK;
	}
	emb_vcache_clear(&t->vc);
	rc = vcache_load(h, spec, &t->vc, err);
	if (rc == VB_OK) {
		emb_q8_build(&t->vc);
		rc = emb_ivf_load(h, spec, &t->vc, err);
	}
	if (rc != VB_OK) {
		emb_vcache_clear(&t->vc);
		return rc;
	}
	t->vc.loaded = 1;
	t->vc.data_version = dv;
	*out = &t->vc;
	return VB_OK;
}

long emb_vcache_find(const struct emb_vcache *vc, int64_t rid)
{
	size_t lo = 0, hi = vc->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (vc->rids[mid] < rid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < vc->n && vc->rids[lo] == rid ? (long)lo : -1;
}

long emb_vcache_seek(const struct emb_vcache *vc, size_t *j, int64_t rid)
{
	while (*j < vc->n && vc->rids[*j] < rid)
		(*j)++;
	if (*j == vc->n)
		return EMB_RID_PAST_END;
	return vc->rids[*j] == rid ? (long)*j : EMB_RID_ABSENT;
}

int emb_filter_indexes(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                       const struct emb_vcache *vc, uint32_t **idx, size_t *n, struct vb_error *err)
{
	*idx = NULL;
	*n = 0;
	if (!where)
		return VB_OK;
	struct vb_buf sql;
	struct emb_params p = { 0 };
	vb_buf_init(&sql);
	vb_buf_add(&sql, "SELECT ");
	emb_buf_qi(&sql, emb_rid_column(spec));
	vec_from_where(&sql, spec, "");
	int rc = emb_where(where, spec, NULL, 1, &sql, &p, err);
	vb_buf_add(&sql, " ORDER BY 1");
	sqlite3_stmt *st = NULL;
	if (rc == VB_OK)
		rc = emb_prepare(h, sql.data, &st, err);
	vb_buf_free(&sql);
	if (rc != VB_OK) {
		emb_params_free(&p);
		return rc;
	}
	emb_bind_params(st, 1, &p);
	uint32_t *out = vb_xmalloc(64 * sizeof *out);
	size_t cap = 64, cnt = 0, j = 0;
	int src;
	/* both lists are sorted by row id: one merge pass */
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		long at = emb_vcache_seek(vc, &j, sqlite3_column_int64(st, 0));
		if (at == EMB_RID_PAST_END)
			break;
		if (at == EMB_RID_ABSENT)
			continue;
		if (cnt == cap) {
			cap *= 2;
			out = vb_xrealloc(out, cap * sizeof *out);
		}
		out[cnt++] = (uint32_t)at;
	}
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = emb_fail(h, src, err, "filter");
	sqlite3_finalize(st);
	emb_params_free(&p);
	if (rc != VB_OK) {
		free(out);
		return rc;
	}
	*idx = out;
	*n = cnt;
	return VB_OK;
}

/* a ranks below b: lower similarity, or equal similarity and a later row */
static inline int worse(const struct emb_hit *a, const struct emb_hit *b)
{
	return a->sim < b->sim || (a->sim == b->sim && a->idx > b->idx);
}

static void sift_down(struct emb_hit *heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && worse(&heap[l], &heap[m]))
			m = l;
		if (r < n && worse(&heap[r], &heap[m]))
			m = r;
		if (m == i)
			return;
		struct emb_hit t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

static void sift_up(struct emb_hit *heap, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!worse(&heap[i], &heap[parent]))
			return;
		struct emb_hit t = heap[i];
		heap[i] = heap[parent];
		heap[parent] = t;
		i = parent;
	}
}

static int best_first(const void *pa, const void *pb)
{
	const struct emb_hit *a = pa, *b = pb;
	return worse(a, b) ? 1 : worse(b, a) ? -1 : 0;
}

void emb_heap_push(struct emb_hit *heap, size_t *cnt, size_t k, float sim, uint32_t idx)
{
	struct emb_hit h = { sim, idx };
	if (*cnt < k) {
		heap[*cnt] = h;
		sift_up(heap, (*cnt)++);
	} else if (k && worse(&heap[0], &h)) {
		heap[0] = h;
		sift_down(heap, *cnt, 0);
	}
}

void emb_hits_sort(struct emb_hit *hits, size_t n)
{
	qsort(hits, n, sizeof *hits, best_first);
}

/* The scan itself: one pass, the dot product inlined, rejected rows cost one compare.  It is
 * built twice, generic and AVX2+FMA, and the variant is picked at run time; both are close to
 * memory bandwidth (measured: 100k x 384 in ~7 ms against ~7 ms for a bare read of the array). */
typedef float (*emb_dot_fn)(const float *a, const float *b, int dim);

static inline __attribute__((always_inline)) size_t scan_body(const struct emb_vcache *vc, const float *q,
                                                               const uint32_t *subset, size_t nsubset, size_t k,
                                                               struct emb_hit *out, atomic_int *cancelled,
                                                               emb_dot_fn dot)
{
	const size_t total = subset ? nsubset : vc->n;
	const int dim = vc->dim;
	const float *base = vc->vecs;
	size_t cnt = 0;
	for (size_t j = 0; j < total; j++) {
		uint32_t i = subset ? subset[j] : (uint32_t)j;
		float s = dot(q, base + (size_t)i * (size_t)dim, dim);
		if (cnt < k) {
			out[cnt] = (struct emb_hit){ s, i };
			sift_up(out, cnt++);
		} else if (s > out[0].sim) {
			out[0] = (struct emb_hit){ s, i };
			sift_down(out, cnt, 0);
		}
		if ((j & 8191) == 8191 && atomic_load_explicit(cancelled, memory_order_relaxed))
			break;
	}
	return cnt;
}

typedef size_t (*emb_scan_fn)(const struct emb_vcache *vc, const float *q, const uint32_t *subset, size_t nsubset,
                              size_t k, struct emb_hit *out, atomic_int *cancelled);

static size_t scan_generic(const struct emb_vcache *vc, const float *q, const uint32_t *subset, size_t nsubset,
                           size_t k, struct emb_hit *out, atomic_int *cancelled)
{
	return scan_body(vc, q, subset, nsubset, k, out, cancelled, emb_dot);
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) static inline float dot_avx2(const float *a, const float *b, int dim)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
	int i = 0;
	for (; i + 32 <= dim; i += 32) {
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
	}
	for (; i + 8 <= dim; i += 8)
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
	s0 = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
	float r = _mm_cvtss_f32(s);
	for (; i < dim; i++)
		r += a[i] * b[i];
	return r;
}

__attribute__((target("avx2,fma"))) static size_t scan_avx2(const struct emb_vcache *vc, const float *q,
                                                           const uint32_t *subset, size_t nsubset, size_t k,
                                                           struct emb_hit *out, atomic_int *cancelled)
{
	return scan_body(vc, q, subset, nsubset, k, out, cancelled, dot_avx2);
}

static emb_scan_fn pick_scan(void)
{
	__builtin_cpu_init();
	if (!getenv("VBADMIN_NO_AVX2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return scan_avx2;
	return scan_generic;
}
#else
static emb_scan_fn pick_scan(void)
{
	return scan_generic;
}
#endif

size_t emb_topk(const struct emb_vcache *vc, const float *q, const uint32_t *subset, size_t nsubset, size_t k,
                struct emb_hit *out, atomic_int *cancelled)
{
	static emb_scan_fn scan;
	if (!scan)
		scan = pick_scan(); /* a race only repeats the same choice */
	if (k == 0)
		return 0;
	size_t cnt = scan(vc, q, subset, nsubset, k, out, cancelled);
	qsort(out, cnt, sizeof *out, best_first);
	return cnt;
}
