/* engine/engine.h - guided setup: the steps of steps.def run against one resolved backend.
 *
 * An engine owns the backend connection it opens, the facts the steps learn (server and
 * extension versions, privileges, the catalog of the knowledge-base tables), the drift list
 * that `verify` prints, and one step_result per step.  It prints nothing; the CLI reports
 * (cli/) and the console render the results.  No curses, libpq or sqlite3. */
#ifndef ENGINE_ENGINE_H
#define ENGINE_ENGINE_H

#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../backends/vb.h"
#include "advice.h"
#include "steps.h"

struct config;

/* One column of a knowledge-base table as the catalog shows it. */
struct eng_column {
	char *name;
	char *type;      /* pg_type.typname: text, int8, bool, timestamp, _text, vector ... */
	char *format;    /* format_type(): "vector(384)", "text[]" ... */
	int typmod;      /* vector(N) => N, else -1 */
};

struct eng_table {
	const char *name;        /* from ddl_table_name (static) */
	int is_vector;
	int present;
	int privileged;          /* current role may SELECT/INSERT/UPDATE/DELETE it */
	struct eng_column *cols;
	int ncols;
	char **indexdefs;        /* pg_indexes.indexdef of this table */
	char **indexnames;
	int nindexes;
	int64_t rows_ns;         /* rows in this namespace, -1 unknown */
	int64_t rows_est;        /* pg_class.reltuples estimate (or exact count), -1 unknown */
};

enum drift_kind {
	DRIFT_MISSING_TABLE = 0, DRIFT_MISSING_COLUMN, DRIFT_MISSING_NAMESPACE, DRIFT_WRONG_DIM,
	DRIFT_COLUMN_TYPE, DRIFT_MISSING_FTS_INDEX, DRIFT_MISSING_UNIQUE, DRIFT_NO_PRIVILEGE,
};

/* One difference between the database and the DDL, with the SQL that fixes it. */
struct eng_drift {
	int kind;            /* enum drift_kind */
	const char *table;
	char *column;        /* or NULL */
	char *have;          /* what the database has ("vector(1536)", "absent") */
	char *want;          /* what the DDL says ("vector(384)") */
	char *fix;           /* SQL (or a command) that removes the difference */
	char *note;          /* e.g. "needs re-embedding: ..." or NULL */
	const char *advice_id;
};

/* Readiness of one knowledge-base store (config/stores.def; its vector table names it). */
struct eng_store {
	const char *table;   /* static */
	int needed;          /* bootstrap-kb / search need it: not ready => check fails */
	int dim;             /* the dim its vector table must have (its store's embedding dim_size) */
	int ready;
	char *why;           /* first reason it is not ready, or NULL */
};

struct engine {
	/* settings */
	const struct config *cfg;
	struct vb_config vbc;
	char *config_path;       /* for messages; "agent.yml" when none was read */
	unsigned kind;           /* STEPK_PG, STEPK_EMB or STEPK_LANCE */
	char *backend_name;
	struct vb_error config_err;
	int config_ok;
	const char *backend_override;  /* --backend as given to engine_new (the caller's string), or NULL */
	const char *embedder_override; /* --embedder ("hashing") or NULL; set by the front end */

	/* backend */
	const struct vb_ops *ops;      /* set by connect/open, or injected by engine_set_ops */
	struct vb_handle *h;
	int ops_injected;

	/* facts (pgvector); strings are heap copies or NULL */
	char *server_version;          /* "PostgreSQL 17.2 on ..." */
	int server_version_num;        /* 170002 */
	int pg_major;                  /* 17 */
	char *current_user;
	char *current_db;
	int ext_available;             /* vector.control on the server */
	char *ext_default_version;
	char *ext_versions;            /* comma list from pg_available_extension_versions */
	int ext_installed;
	char *ext_version;
	char *ext_schema;
	char *ext_owner;
	int rolsuper;
	int db_create;
	int schema_exists;
	int schema_create;
	int schema_usage;
	char *search_path;
	char *maintenance_work_mem;    /* e.g. "64MB" */
	int64_t maintenance_work_mem_bytes;

	/* catalog snapshot of the knowledge-base tables (both chains) */
	struct eng_table *tables;
	int ntables;
	int catalog_loaded;

	struct eng_drift *drift;
	int ndrift;

	struct eng_store *stores;      /* readiness per store, filled by the per-table steps */
	int nstores;

	struct step_runner run;
	atomic_int cancelled;          /* set by Ctrl-C (a signal handler, or the console's UI thread while a worker runs) */
	char varbuf[64];               /* advice placeholder scratch */
};

/* Resolves the namespace/backend from cfg (either may be NULL: config defaults) and prepares
 * the steps for that backend's chain.  Never fails: a resolve error becomes the config step's
 * failure.  cfg must outlive the engine. */
struct engine *engine_new(const struct config *cfg, const char *config_path, const char *ns,
                          const char *backend_override);
/* Tests: use these ops instead of the registry (the config step still resolves settings). */
void engine_set_ops(struct engine *e, const struct vb_ops *ops, unsigned kind);
void engine_free(struct engine **e);

/* Opens the backend of the resolved config (or the injected ops) once; VB_OK when open. */
int engine_open_backend(struct engine *e, struct vb_error *err);
/* The same for a command that only reads (search, check): a namespace that has no store yet and
 * that neither agent.yml defines nor is the default is never created, the backend names the ones
 * it has instead (issue 14: a mistyped --namespace made an empty <ns>.db). */
int engine_open_backend_existing(struct engine *e, struct vb_error *err);

/* Runs one step (its pending dependencies first) / all steps (or up to `upto`). */
int engine_run_step(struct engine *e, int id);
int engine_run_all(struct engine *e, int upto);
const struct step_result *engine_result(const struct engine *e, int id);
int engine_step_applies(const struct engine *e, int id);

/* Sets the flag the runner checks between steps and cancels the statement in flight. */
void engine_cancel_statement(struct engine *e);

/* Advice for a step's result (NULL when none), and its rendered fix / cause. */
const struct advice *engine_advice(const struct engine *e, int id);
char *engine_render(struct engine *e, const char *tmpl, const char *table, const char *column,
                    int have_dim);
/* Attaches advice a (NULL: none) to a step's result: its id, its cause as r->why and its fix,
 * rendered for table/column/have_dim; keep_fix leaves a fix the step wrote itself. */
void engine_attach_advice(struct engine *e, struct step_result *r, const struct advice *a, int keep_fix,
                          const char *table, const char *column, int have_dim);

/* Exit code for the whole run: interrupted > internal > usage > connect > DBA > fixable > ok. */
int engine_exit_code(const struct engine *e);
/* `index create` on a store that builds its own indexes (no SQL, VB_CAP_VECTOR_INDEX, e.g. LanceDB):
 * create_index(method) on each existing knowledge-base vector table (or just `table`); done is called
 * per table.  Stops at the first failure. */
int engine_store_index(struct engine *e, const char *table, const char *method,
                       void (*done)(void *ctx, const char *table, int status, const struct vb_error *err), void *ctx,
                       struct vb_error *err);
/* Exit code a backend status means (backends/status.def). */
int engine_exit_for_status(int vb_status);
/* Exit code one failed result implies. */
int engine_result_exit(const struct engine *e, int id);

/* Placeholder lookup for advice_render (schema, db, dim, pg_major, user, host, port, ...). */
const char *engine_var(void *ctx, const char *key);

/* Catalog and drift (pgvector): loads the snapshot once per run; engine_compute_drift fills
 * e->drift from it (missing tables/columns, wrong dims, missing indexes, privileges). */
int engine_load_catalog(struct engine *e, struct vb_error *err);
void engine_compute_drift(struct engine *e);
/* The dim of a wrong_dimension drift's column ("vector(N)" => N), 0 for a column declared
 * without one ("vector"). */
int engine_drift_have_dim(const struct eng_drift *d);

/* ---- stores (engine/stores.c) ---- */
/* The dim a table's vector column must have: its store's agent.storage dim_size (vbc.dim when
 * there is no config or the table has no store). */
int engine_table_dim(const struct engine *e, const char *table);
/* "embedding dim 384", or "embedding dims per store: semantic_model 384, ..." (heap). */
char *engine_dims_text(const struct engine *e);
/* ddl_dims.dim_of for ddl_render_dims / ddl_statements_dims with ctx = the engine. */
int engine_dim_of(const char *table, const void *ctx);
/* STEP_FAIL when a store bootstrap-kb or search needs depends on table, else STEP_WARN. */
int engine_table_severity(const struct engine *e, const char *table);
/* Marks every store that depends on table (its vector table; subject_nodes for the subject-tree
 * stores) not ready; the first reason is kept. */
void engine_store_problem(struct engine *e, const char *table, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void engine_stores_reset(struct engine *e);
/* pgvector: readiness from the drift list (engine_compute_drift calls it). */
void engine_stores_from_drift(struct engine *e);
const struct eng_store *engine_stores(struct engine *e, int *n);
/* 0 when a step found the store of `table` not ready (*why: the first reason); 1 otherwise. */
int engine_store_ready(const struct engine *e, const char *table, const char **why);
/* The `stores` step: ready / not ready per store; FAIL when a needed store is not ready. */
int engine_stores_report(struct engine *e, struct step_result *r);
void engine_drift_clear(struct engine *e);
struct eng_table *engine_table(struct engine *e, const char *name);

/* A store's table as the Tables screen shows it: *exists 1/0/-1 (unknown), *rows or -1. */
void engine_table_state(struct engine *e, const char *name, int *exists, long long *rows);
/* Async-signal-safe Ctrl-C: sets the cancel flag and asks the backend to cancel the statement
 * in flight (its cancel slot is signal-safe: PQcancel, sqlite3_interrupt). */
void engine_interrupt(struct engine *e);

/* The DBA packet for an engine whose steps have run: appends the mail-ready text to b and
 * returns how many items need a DBA (0: "Nothing needs a DBA"). */
int engine_dba_packet(struct engine *e, struct vb_buf *b);

/* The statement that installs the extension, and the one that updates it (to `to`, or to the
 * default version when NULL; heap string). */
#define ENGINE_CREATE_EXTENSION_SQL "CREATE EXTENSION IF NOT EXISTS vector;"
char *engine_ext_update_sql(const char *to);

/* Runs one parameterised query through ops->query; NULL on failure with err filled. */
/* count(*) of a quoted, schema-qualified table; -1 when the query fails. */
int64_t engine_count_rows(struct engine *e, const char *qualified);
struct vb_result *engine_query(struct engine *e, const char *sql, int nparams, const char *const *params,
                               struct vb_error *err);
/* Fills r from a backend error: class (classified), message, and advice id. */
int engine_fail_from(struct engine *e, struct step_result *r, const struct vb_error *err, const char *what);

const char *drift_kind_name(int kind);
/* Compares dotted version strings numerically ("0.10.0" > "0.8.0"); <0, 0, >0. */
int engine_version_cmp(const char *a, const char *b);

#endif
