/* backends/embedded/emb.h - private to the embedded backend: the handle, the per-table vector
 * cache and the helpers the emb_*.c files share. */
#ifndef VB_EMB_H
#define VB_EMB_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../vb.h"
#include "../vb_util.h"

/* All vectors of one table, L2-normalised, contiguous (row i at vecs + i*dim), ordered by
 * row id, so a scan is one linear pass and cosine similarity is a plain dot product. */
struct emb_ivf {
	int nlist;              /* 0: the table has no index */
	float *centroids;       /* nlist x dim, unit length */
	uint32_t *start;        /* nlist + 1 offsets into members */
	uint32_t *members;      /* cache indexes grouped by list */
	uint32_t *delta;        /* cache indexes without a stored assignment: always scanned */
	size_t ndelta;
};

struct emb_vcache {
	int loaded;
	int dim;
	size_t n;
	int64_t *rids;
	float *vecs;
	int8_t *codes;        /* int8 copy of vecs (row i at codes + i*dim), for the quantised scans */
	float *scales;        /* per row: code * scale ~ vecs */
	struct emb_ivf ivf;   /* the ANN index, when one was built (emb_ivf.c) */
	int64_t data_version; /* PRAGMA data_version when loaded: detects other writers */
};

struct emb_table {
	char *name;
	int exists; /* known to exist (never un-set: tables are not dropped, only emptied) */
	struct emb_vcache vc;
	struct emb_table *next;
};

struct vb_handle {
	sqlite3 *db;
	char *ns;
	char *path;
	atomic_int cancelled;
	struct emb_table *tables;
	char search_path[320]; /* how the last vector/hybrid search ran (search_path slot) */
	int ivf_nprobe;        /* option nprobe=N; 0 = emb_ivf_default_nprobe */
	int txn; /* inside txn_begin .. txn_end: writing slots use a savepoint */
	/* the search time limit (emb_timeout.c): option statement_timeout (-1 unset), the one in
	 * effect (ms, <= 0 none), the running search's deadline (monotonic s, 0 none) */
	int option_timeout_ms, search_timeout_ms;
	double deadline;
	int timed_out;
};

/* emb_timeout.c: statement_timeout=DURATION of the options; the progress handler; the
 * set_search_timeout slot; a search's deadline, and its error when the deadline passed. */
int emb_timeout_option(const char *value, int *ms, struct vb_error *err);
void emb_timeout_init(struct vb_handle *h, int option_ms);
void emb_set_search_timeout(struct vb_handle *h, int timeout_ms);
void emb_deadline_start(struct vb_handle *h);
int emb_deadline_end(struct vb_handle *h, int rc, struct vb_error *err);

/* A writing slot's unit of work (emb_txn.c): BEGIN IMMEDIATE .. COMMIT, or a savepoint inside
 * txn_begin; emb_abort undoes it after a failure. */
int emb_begin(struct vb_handle *h, struct vb_error *err);
int emb_commit(struct vb_handle *h, struct vb_error *err);
void emb_abort(struct vb_handle *h);
int emb_txn_begin(struct vb_handle *h, struct vb_error *err);
int emb_txn_end(struct vb_handle *h, int commit, struct vb_error *err);
/* The search slots as the vtable offers them: each search on one read snapshot (emb_txn.c). */
int emb_snap_search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                           const struct vb_filter *where, const char *const *select, struct vb_result **out,
                           struct vb_error *err);
int emb_snap_search_vector_exact(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim,
                                 int top_n, const struct vb_filter *where, const char *const *select,
                                 struct vb_result **out, struct vb_error *err);
int emb_snap_search_text(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, int top_n,
                         const struct vb_filter *where, const char *const *select, struct vb_result **out,
                         struct vb_error *err);
int emb_snap_search_hybrid(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, const float *q,
                           int dim, int top_n, const struct vb_filter *where, const char *const *select,
                           struct vb_result **out, struct vb_error *err);

/* Bound parameters of a compiled filter: pointers into the caller's filter (valid for the call). */
struct emb_params {
	const struct vb_value **v;
	size_t n, cap;
};

/* Maps a SQLite failure to a status and fills err with "what: sqlite message". */
int emb_fail(struct vb_handle *h, int rc, struct vb_error *err, const char *what);
int emb_exec(struct vb_handle *h, const char *sql, struct vb_error *err);
int emb_prepare(struct vb_handle *h, const char *sql, sqlite3_stmt **st, struct vb_error *err);
/* Always-quoted SQLite identifier ("a""b"); heap string. */
char *emb_qi(const char *ident);
void emb_buf_qi(struct vb_buf *b, const char *ident);

/* Schema helpers (emb_schema.c). */
const char *emb_rid_column(const struct vb_table_spec *spec);
/* Columns of the full-text index: spec->fts_columns, else {text_source}; n = 0 when none. */
int emb_fts_columns(const struct vb_table_spec *spec, const char *const **cols);
struct emb_table *emb_table_get(struct vb_handle *h, const char *name);
void emb_table_invalidate(struct vb_handle *h, const char *name);
/* Checks the spec is usable and the table exists: VB_ERR_NOT_FOUND "Table X does not exist." */
int emb_require_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);

/* The FTS5 index follows the table through explicit statements (emb_fts.c); both are no-ops
 * for a table without text columns. */
struct emb_fts {
	sqlite3_stmt *ins, *del;
};
int emb_fts_open(struct vb_handle *h, const struct vb_table_spec *spec, struct emb_fts *f, struct vb_error *err);
void emb_fts_close(struct emb_fts *f);
int emb_fts_add(struct vb_handle *h, struct emb_fts *f, int64_t rid, struct vb_error *err);
int emb_fts_remove(struct vb_handle *h, struct emb_fts *f, int64_t rid, struct vb_error *err);
/* Removes the index entries of every row matching where (NULL = all rows) - before they change. */
int emb_fts_remove_where(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                         struct vb_error *err);
int emb_fts_clear(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);

/* Filter compilation (emb_where.c).  Appends " WHERE ..." (or " AND ..." when `and`) to sql,
 * every column written as qual."col" when qual is set; values go to params. */
int emb_where(const struct vb_filter *f, const struct vb_table_spec *spec, const char *qual, int and,
              struct vb_buf *sql, struct emb_params *params, struct vb_error *err);
int emb_bind_value(sqlite3_stmt *st, int idx, const struct vb_value *v);
int emb_bind_params(sqlite3_stmt *st, int first, const struct emb_params *p);
void emb_params_free(struct emb_params *p);
/* Prepares "<head> <table><WHERE filter>" (head e.g. "DELETE FROM") with its values bound; p
 * holds them and is freed by the caller after sqlite3_finalize(*st). */
int emb_prepare_filtered(struct vb_handle *h, const struct vb_table_spec *spec, const char *head,
                         const struct vb_filter *where, sqlite3_stmt **st, struct emb_params *p,
                         struct vb_error *err);

/* Reading rows into results (emb_read.c). */
struct emb_select {
	int n;
	const char **names; /* output column names */
	int *types;         /* enum vb_type per column */
};
int emb_select_resolve(const struct vb_table_spec *spec, const char *const *select, struct emb_select *out,
                       struct vb_error *err);
void emb_select_free(struct emb_select *s);
void emb_select_sql(struct vb_buf *b, const struct emb_select *s, const char *qual);
/* Appends the current row of st (columns first..first+s->n-1) to r. */
size_t emb_result_add(struct vb_result *r, sqlite3_stmt *st, int first, const struct emb_select *s);
/* Fetches rows by row id, in the order given, into a new result. */
int emb_fetch_rows(struct vb_handle *h, const struct vb_table_spec *spec, const struct emb_select *s,
                   const int64_t *rids, size_t n, struct vb_result **out, struct vb_error *err);

/* Vectors (emb_vec.c). */
struct emb_hit {
	float sim;   /* cosine similarity */
	uint32_t idx; /* row index in the cache */
};
int emb_vcache_ready(struct vb_handle *h, const struct vb_table_spec *spec, struct emb_vcache **out,
                     struct vb_error *err);
/* One step of a merge of row ids read in ascending order against the cache's sorted rids:
 * advances the cursor *j past smaller rids and returns the cache index of rid, EMB_RID_ABSENT
 * when the cache does not hold it, or EMB_RID_PAST_END once every cached rid is behind. */
#define EMB_RID_ABSENT (-1)
#define EMB_RID_PAST_END (-2)
long emb_vcache_seek(const struct emb_vcache *vc, size_t *j, int64_t rid);
/* Row ids matching where, as cache indexes (sorted); *idx NULL when where is NULL (= all rows). */
int emb_filter_indexes(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                       const struct emb_vcache *vc, uint32_t **idx, size_t *n, struct vb_error *err);
/* Exact top-k by cosine similarity over all rows (subset NULL) or the given indexes; returns the
 * number of hits written to out (best first).  q must already be normalised. */
size_t emb_topk(const struct emb_vcache *vc, const float *q, const uint32_t *subset, size_t nsubset, size_t k,
                struct emb_hit *out, atomic_int *cancelled);
/* Keeps the k best hits in a min-heap of *cnt entries (worst at heap[0]). */
void emb_heap_push(struct emb_hit *heap, size_t *cnt, size_t k, float sim, uint32_t idx);
/* Sorts hits best first. */
void emb_hits_sort(struct emb_hit *hits, size_t n);

/* int8 quantisation (emb_q8.c).  emb_q8_build fills vc->codes/scales from vc->vecs.
 * emb_q8_scan scores rows by their int8 codes (all rows when idx is NULL, else the n given)
 * into a heap of the r best; emb_rerank re-scores hits in float32 and keeps the k best. */
void emb_q8_build(struct emb_vcache *vc);
void emb_q8_query(const float *q, int dim, int8_t *q8, float *qscale);
int32_t emb_dot8(const int8_t *a, const int8_t *b, int dim);
void emb_q8_scan(const struct emb_vcache *vc, const int8_t *q8, float qscale, const uint32_t *idx, size_t n,
                 const uint8_t *allow, struct emb_hit *heap, size_t *cnt, size_t r);
size_t emb_rerank(const struct emb_vcache *vc, const float *q, struct emb_hit *hits, size_t n, size_t k);

/* IVF index (emb_ivf.c): build and persist, load with the cache, probe. */
int emb_ivf_create(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);
int emb_ivf_load(struct vb_handle *h, const struct vb_table_spec *spec, struct emb_vcache *vc, struct vb_error *err);
void emb_ivf_clear(struct emb_ivf *ivf);
/* Assignments of rows written after the build (add/upsert), inside the writer's transaction. */
struct emb_ivf_writer {
	sqlite3_stmt *ins;
	int nlist, dim;
	float *centroids;
};
int emb_ivf_writer_open(struct vb_handle *h, const struct vb_table_spec *spec, struct emb_ivf_writer *w,
                        struct vb_error *err);
int emb_ivf_writer_add(struct vb_handle *h, struct emb_ivf_writer *w, int64_t rid, const struct vb_value *vec,
                       struct vb_error *err);
void emb_ivf_writer_close(struct emb_ivf_writer *w);
/* Vector top-k through the index: probes lists, int8 scores, float32 re-rank.  allow (a bitmap of
 * cache indexes, NULL = all) applies a filter.  Returns hits written (best first). */
size_t emb_ivf_topk(const struct emb_vcache *vc, const float *q, size_t k, int nprobe, const uint8_t *allow,
                    struct emb_hit *out);
int emb_ivf_default_nprobe(int nlist);

/* Normalised copy of v (zero vector stays zero). */
void emb_normalise(const float *v, float *out, int dim);
float emb_dot(const float *a, const float *b, int dim);
/* Cache index of rid, or -1. */
long emb_vcache_find(const struct emb_vcache *vc, int64_t rid);
void emb_vcache_clear(struct emb_vcache *vc);

/* Slots, one file each group. */
int emb_ensure_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);
int emb_table_exists(struct vb_handle *h, const char *table, int *exists, struct vb_error *err);
int emb_drop(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);
int emb_add(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows, struct vb_error *err);
int emb_upsert(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows,
               const char *on_column, struct vb_error *err);
int emb_update(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
               const struct vb_rows *values, int64_t *affected, struct vb_error *err);
int emb_delete_where(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                     int64_t *affected, struct vb_error *err);
int emb_count(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where, int64_t *out,
              struct vb_error *err);
int emb_search_all(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                   const char *const *select, int64_t limit, struct vb_result **out, struct vb_error *err);
int emb_create_index(struct vb_handle *h, const struct vb_table_spec *spec, const char *method, struct vb_error *err);
int emb_search_vector_exact(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim,
                            int top_n, const struct vb_filter *where, const char *const *select,
                            struct vb_result **out, struct vb_error *err);
const char *emb_search_path(struct vb_handle *h);
int emb_search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                      const struct vb_filter *where, const char *const *select, struct vb_result **out,
                      struct vb_error *err);
int emb_search_text(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, int top_n,
                    const struct vb_filter *where, const char *const *select, struct vb_result **out,
                    struct vb_error *err);
int emb_search_hybrid(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, const float *q,
                      int dim, int top_n, const struct vb_filter *where, const char *const *select,
                      struct vb_result **out, struct vb_error *err);

#endif
