/* backends/pgvector/pgv.h - private to the pgvector plugin: the handle, the per-table catalog
 * cache, statement parameters and the libpq execution helpers every slot goes through. */
#ifndef PGV_H
#define PGV_H

#include <libpq-fe.h>
#include <stdint.h>

#include "../vb.h"
#include "../vb_util.h"

#define PGV_PLUGIN_VERSION "0.1.0"

/* How a column's values travel in binary COPY; PGV_K_OTHER forces the text format. */
enum pgv_kind {
	PGV_K_OTHER = 0,
	PGV_K_TEXT,    /* text, varchar, bpchar, name: bytes as they are */
	PGV_K_INT2,
	PGV_K_INT4,
	PGV_K_INT8,
	PGV_K_FLOAT4,
	PGV_K_FLOAT8,
	PGV_K_BOOL,
	PGV_K_TIMESTAMP, /* without time zone: microseconds since 2000-01-01 */
	PGV_K_VECTOR,
	PGV_K_TEXTARR, /* one-dimensional array of a text-family element type */
};

struct pgv_col {
	char *name;
	char *type;      /* format_type() text, e.g. "vector(384)", "text[]" */
	unsigned typoid;
	unsigned elemoid; /* element type of an array, 0 otherwise */
	int typmod;       /* vector: the dimension, -1 when unconstrained */
	int kind;         /* enum pgv_kind */
};

/* What the catalog says about one table; reloaded by ensure_table. */
struct pgv_table {
	char *name;
	struct pgv_col *cols;
	int ncols;
	int has_namespace;
	int ann_loaded;
	char ann_method[16];     /* "hnsw", "ivfflat" or "" when no ANN index serves the vector column */
	struct pgv_table *next;
};

struct vb_handle {
	PGconn *conn;
	PGcancel *cancel;       /* taken at open so cancel needs no allocation */
	char *schema;           /* as configured */
	char *qschema;          /* quoted with PQescapeIdentifier */
	char *ns;               /* row namespace */
	int dim;
	struct pgv_table *tables;
	int tables_stale;       /* DDL may have run: reload the catalog cache at the next slot */
	int ext_iterative;      /* pgvector >= 0.8 (iterative index scans): 1 yes, 0 no, -1 not asked yet */
	char ext_version[32];
	char search_path[320];  /* how the last vector/hybrid search ran (search_path slot) */
	int txn;                /* inside txn_begin .. txn_end: slots use a savepoint, not BEGIN/COMMIT */
};

/* Text parameters for PQsendQueryParams; NULL entries are SQL NULL.  $n = index + 1. */
struct pgv_params {
	int n, cap;
	char **vals;
};
void pgv_params_init(struct pgv_params *p);
void pgv_params_free(struct pgv_params *p);
/* Takes ownership of val and returns its placeholder number. */
int pgv_param_add(struct pgv_params *p, char *val);
int pgv_param_addf(struct pgv_params *p, const char *s); /* copies s */

/* Error filling from a failed result (SQLSTATE, message, detail, hint) or the connection. */
int pgv_status_for_sqlstate(const char *sqlstate);
int pgv_err_result(struct vb_handle *h, const PGresult *r, struct vb_error *err);
int pgv_err_conn(struct vb_handle *h, struct vb_error *err);

/* Sends one statement and waits for it with poll() on the socket so the statement stays
 * cancellable.  Returns the result (caller PQclears) on COMMAND_OK / TUPLES_OK / COPY_IN, or
 * NULL with err filled.  params may be NULL. */
PGresult *pgv_exec(struct vb_handle *h, const char *sql, const struct pgv_params *params, struct vb_error *err);
/* pgv_exec for statements whose result is not needed. */
int pgv_run(struct vb_handle *h, const char *sql, const struct pgv_params *params, struct vb_error *err);
/* Waits for the next result of the statement in flight, draining the rest (NULL = failed). */
PGresult *pgv_wait(struct vb_handle *h, struct vb_error *err);
/* Ends a COPY the caller did not ask for (COPY_IN refused, COPY_OUT read and dropped) so the
 * connection is usable again; clears r. */
void pgv_end_copy(struct vb_handle *h, PGresult *r);
/* A slot's own unit of work: BEGIN .. COMMIT, or inside txn_begin a savepoint that
 * pgv_commit releases.  pgv_rollback undoes it after a failure (ROLLBACK, or ROLLBACK TO the
 * savepoint), keeping the first error intact. */
int pgv_begin(struct vb_handle *h, struct vb_error *err);
int pgv_commit(struct vb_handle *h, struct vb_error *err);
void pgv_rollback(struct vb_handle *h);

/* Heap "schema"."ident" / "ident" quoted by libpq. */
char *pgv_ident(struct vb_handle *h, const char *ident);
char *pgv_qualified(struct vb_handle *h, const char *table);

/* Catalog cache.  pgv_table_get loads on first use; NOT_FOUND "Table X does not exist." when
 * the table is missing.  pgv_table_forget drops a cached entry (after DDL or an error). */
int pgv_table_load(struct vb_handle *h, const char *name, struct pgv_table **out, struct vb_error *err);
int pgv_table_get(struct vb_handle *h, const char *name, struct pgv_table **out, struct vb_error *err);
void pgv_table_forget(struct vb_handle *h, const char *name);
/* The columns of the table's full-text expression are all present (else UNSUPPORTED). */
int pgv_fts_ready(const struct vb_table_spec *spec, const struct pgv_table *t, struct vb_error *err);
void pgv_tables_free(struct vb_handle *h);
const struct pgv_col *pgv_table_col(const struct pgv_table *t, const char *name);

/* The value as PostgreSQL text input (heap; NULL for SQL NULL). */
char *pgv_value_text(const struct vb_value *v);

/* WHERE clause: namespace = $ns (when the table has it) AND the filter.  Appends to sql,
 * adding parameters; "TRUE" when there is nothing to filter. */
int pgv_where(struct vb_handle *h, const struct pgv_table *t, const struct vb_filter *f, struct vb_buf *sql,
              struct pgv_params *p, struct vb_error *err);
/* Checks the namespace cells of rows: VB_ERR_MISMATCH on a foreign namespace.  *ns_col gets
 * the index of the rows' namespace column or -1. */
int pgv_check_namespace(struct vb_handle *h, const char *table, const struct vb_rows *rows, int *ns_col,
                        struct vb_error *err);

/* Slots, one group per file. */
int pgv_open(const struct vb_config *cfg, struct vb_handle **out, struct vb_error *err);
void pgv_close(struct vb_handle **h);
const char *pgv_version(void);
int pgv_cancel(struct vb_handle *h);
int pgv_socket_fd(struct vb_handle *h);
int pgv_txn_begin(struct vb_handle *h, struct vb_error *err);
int pgv_txn_end(struct vb_handle *h, int commit, struct vb_error *err);

int pgv_ensure_table(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);
int pgv_table_exists(struct vb_handle *h, const char *table, int *exists, struct vb_error *err);
int pgv_drop(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);
int pgv_create_index(struct vb_handle *h, const struct vb_table_spec *spec, const char *method, struct vb_error *err);

int pgv_add(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows, struct vb_error *err);
int pgv_upsert(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows,
               const char *on_column, struct vb_error *err);
int pgv_update(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
               const struct vb_rows *values, int64_t *affected, struct vb_error *err);
int pgv_delete(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
               int64_t *affected, struct vb_error *err);
int pgv_count(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where, int64_t *out,
              struct vb_error *err);

int pgv_search_all(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
                   const char *const *select, int64_t limit, struct vb_result **out, struct vb_error *err);
int pgv_search_vector(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim, int top_n,
                      const struct vb_filter *where, const char *const *select, struct vb_result **out,
                      struct vb_error *err);
int pgv_search_text(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, int top_n,
                    const struct vb_filter *where, const char *const *select, struct vb_result **out,
                    struct vb_error *err);
int pgv_search_hybrid(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, const float *q,
                      int dim, int top_n, const struct vb_filter *where, const char *const *select,
                      struct vb_result **out, struct vb_error *err);
void pgv_result_free(struct vb_handle *h, struct vb_result **res);
int pgv_search_vector_exact(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim,
                            int top_n, const struct vb_filter *where, const char *const *select,
                            struct vb_result **out, struct vb_error *err);
const char *pgv_search_path(struct vb_handle *h);

/* Filtered ANN that fills the page (pgv_ann.c).  pgv_ann_method: the ANN index method serving
 * t's vector column ("" = none), cached with the table.  pgv_ann_begin opens the statement's
 * transaction with the index settings for a page of top_n (iterative scan on pgvector >= 0.8,
 * a raised ef_search otherwise, or no index at all when exact); pgv_ann_end commits it (ok) or
 * rolls it back. */
const char *pgv_ann_method(struct vb_handle *h, struct pgv_table *t, const char *vector_column,
                           struct vb_error *err);
int pgv_ann_iterative(struct vb_handle *h, struct vb_error *err);
int pgv_ann_begin(struct vb_handle *h, const char *method, int top_n, int exact, struct vb_error *err);
int pgv_ann_end(struct vb_handle *h, int ok, struct vb_error *err);
/* The planner's estimate of the rows matching where (with the namespace); -1 when unknown. */
#define PGV_ANN_EXACT_ROWS 2000
int pgv_estimate_rows(struct vb_handle *h, const struct pgv_table *t, const struct vb_filter *where, double *rows,
                      struct vb_error *err);
/* The planner's estimate of all the table's rows (every namespace); -1 when unknown. */
int pgv_estimate_table_rows(struct vb_handle *h, const struct pgv_table *t, double *rows, struct vb_error *err);
/* Rows matching where (with the namespace), counted up to cap. */
int pgv_count_capped(struct vb_handle *h, const struct pgv_table *t, const struct vb_filter *where, int64_t cap,
                     int64_t *out, struct vb_error *err);

int pgv_query(struct vb_handle *h, const char *sql, int nparams, const char *const *params, struct vb_result **out,
              struct vb_error *err);
int pgv_exec_script(struct vb_handle *h, const char *const *stmts, int n, vb_progress_fn progress, void *ctx,
                    struct vb_error *err);

#endif
