/* backends/vb.h - the vector-backend interface every storage backend implements.
 *
 * One const `struct vb_ops` per backend.  Built-ins are linked into vbadmin; plugins are
 * shared objects `vb_<name>.so` that export `vb_plugin_magic` and `vb_plugin_init`.
 *
 * Ownership rules (they hold for every slot):
 *  - The host owns configs, table specs, rows, filters and error structs.  A backend copies
 *    what it keeps beyond the call.
 *  - The backend owns its handle and every `struct vb_result` it returns; the host releases
 *    results only through that backend's `result_free` slot.
 *  - Nothing a backend returns points into driver memory (PGresult, sqlite3_stmt) after the call.
 *  - Strings inside `struct vb_ops` are static.
 *  - Every slot returns a `enum vb_status`; on failure it fills the caller's `struct vb_error`.
 *  - Optional slots may be NULL; the host checks the capability bit and the pointer, and
 *    reports "unsupported" when either is missing.
 */
#ifndef VB_H
#define VB_H

#include <stddef.h>
#include <stdint.h>

/* 2: vb_result carries vec_sim and bm25 of hybrid rows */
#define VB_ABI_VERSION 2

/* The statuses of every slot; names and exit codes come from the same list (status.def). */
enum vb_status {
#define VB_STATUS(sym, name, exit, meaning) sym,
#include "status.def"
#undef VB_STATUS
};

struct vb_error {
	int status;          /* enum vb_status */
	char sqlstate[6];    /* "" when the error did not come from PostgreSQL */
	char message[512];
	char detail[512];
	char hint[512];
};

/* Capability bits. */
#define VB_CAP_VECTOR       (1u << 0)
#define VB_CAP_TEXT         (1u << 1)  /* search_text: full-text search on the text-source column */
#define VB_CAP_HYBRID       (1u << 2)
#define VB_CAP_NAMESPACED   (1u << 3)  /* rows carry a namespace column */
#define VB_CAP_CREATES      (1u << 4)  /* ensure_table creates missing tables itself */
#define VB_CAP_SQL          (1u << 5)  /* query/exec slots run PostgreSQL SQL */
#define VB_CAP_CANCEL       (1u << 6)
#define VB_CAP_POLLFD       (1u << 7)
#define VB_CAP_VECTOR_INDEX (1u << 8)

enum vb_type {
	VB_T_TEXT = 0,
	VB_T_INT,       /* int64 (BIGINT / BIGSERIAL) */
	VB_T_DOUBLE,
	VB_T_BOOL,
	VB_T_TIMESTAMP, /* text "YYYY-MM-DD HH:MM:SS" */
	VB_T_TEXT_ARRAY,
	VB_T_VECTOR,    /* float32[dim] */
};

struct vb_value {
	int type;    /* enum vb_type */
	int is_null;
	union {
		const char *s;     /* TEXT, TIMESTAMP */
		int64_t i;         /* INT */
		double d;          /* DOUBLE */
		int b;             /* BOOL */
		struct { const float *v; int dim; } vec;
		struct { const char *const *items; int n; } arr;
	} u;
};

/* A column of a logical table. */
struct vb_column {
	const char *name;
	int type;       /* enum vb_type */
	int not_null;
	const char *sql_type; /* PostgreSQL type text ("TEXT", "BIGSERIAL", "vector"); informative */
};

/* A logical table, built by ddl/ from ddl/tables.def (or by tests for their own tables). */
struct vb_table_spec {
	const char *name;
	const struct vb_column *columns;
	int ncolumns;           /* excludes the namespace column, which is implied by `namespaced` */
	const char *vector_column; /* NULL for relational tables */
	int vector_dim;
	const char *text_source;   /* column embedded and searched by text; NULL if none */
	const char *const *fts_columns; /* columns of the full-text index, NULL-terminated; NULL if none */
	const char *key_column;    /* upsert "on" column, e.g. "id"; NULL if none */
	int namespaced;
};

/* A batch of rows, row-major: cells[r * ncols + c].  Caller owned. */
struct vb_rows {
	int ncols;
	const char *const *cols;
	size_t nrows;
	const struct vb_value *cells;
};

/* Filter model of the Datus spec 1.2. */
enum vb_filter_kind { VB_F_COND = 0, VB_F_AND, VB_F_OR, VB_F_NOT };
enum vb_op { VB_OP_EQ = 0, VB_OP_NE, VB_OP_GT, VB_OP_GTE, VB_OP_LT, VB_OP_LTE, VB_OP_IN, VB_OP_LIKE };

struct vb_filter {
	int kind;                 /* enum vb_filter_kind */
	/* VB_F_COND */
	int op;                   /* enum vb_op */
	char *field;
	struct vb_value value;    /* scalar; is_null => IS NULL / IS NOT NULL */
	struct vb_value *list;    /* VB_OP_IN values; nlist may be 0 (matches nothing) */
	size_t nlist;
	/* AND / OR / NOT (NOT has exactly one kid) */
	struct vb_filter **kids;
	size_t nkids;
};

/* A result set: text cells (NULL = SQL NULL) plus optional distance/score per row. */
struct vb_result {
	int ncols;
	char **cols;
	size_t nrows;
	char **cells;        /* nrows * ncols */
	double *distance;    /* per row, or NULL when not a vector search */
	double *score;       /* per row, or NULL when no score (hybrid / text rank) */
	double *vec_sim;     /* hybrid rows: the vector part of the score, 1 - distance / 2 (Datus's vec_sim) */
	double *bm25;        /* hybrid rows: the text part, score = 0.6 * vec_sim + 0.4 * 8 * bm25 (Datus's bm25) */
};

/* Connection and store settings, resolved by config/. */
struct vb_config {
	const char *backend;   /* registry name */
	const char *host;
	int port;
	const char *database;
	const char *username;
	const char *password;  /* never logged or printed */
	const char *schema;
	const char *sslmode;
	int connect_timeout;   /* seconds */
	const char *namespace; /* row namespace (the --namespace of the command) */
	const char *data_dir;  /* embedded: directory of <namespace>.db files */
	int dim;               /* configured embedding dimension */
	const char *options;   /* backend-specific "k=v;k=v", may be NULL */
	/* 1: open only a store that already exists (a read-only command on a namespace nobody made:
	 * a mistyped --namespace must not create one); a backend that creates stores refuses with
	 * VB_ERR_INVALID naming the namespaces it has.  Appended last: older plugins never read it. */
	int open_existing;
};

struct vb_handle; /* defined privately by each backend */

typedef void (*vb_progress_fn)(void *ctx, int index, const char *sql, int status, const char *message);

struct vb_ops {
	int abi_version;      /* VB_ABI_VERSION */
	size_t ops_size;      /* sizeof(struct vb_ops) as the backend compiled it */
	const char *name;
	const char *description;
	unsigned caps;
	const char *(*version)(void);

	/* Lifecycle. open leaves *out NULL on failure; close frees and sets *h = NULL (NULL-safe). */
	int (*open)(const struct vb_config *cfg, struct vb_handle **out, struct vb_error *err);
	void (*close)(struct vb_handle **h);

	/* Schema.  ensure_table: create (VB_CAP_CREATES) or verify the table is ready, with the
	 * Datus messages "Table X does not exist." / "Table X missing columns: a, b". */
	int (*ensure_table)(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);
	int (*table_exists)(struct vb_handle *h, const char *table, int *exists, struct vb_error *err);
	/* drop = clear this namespace's rows; never drops the table on a namespaced backend. */
	int (*drop)(struct vb_handle *h, const struct vb_table_spec *spec, struct vb_error *err);

	/* Data.  Rows without a namespace column get the backend's; a different one is
	 * VB_ERR_MISMATCH "namespace mismatch for table T: row != backend". */
	int (*add)(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows, struct vb_error *err);
	int (*upsert)(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_rows *rows,
	              const char *on_column, struct vb_error *err);
	/* values: one row of column values to set on every matching row. */
	int (*update)(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
	              const struct vb_rows *values, int64_t *affected, struct vb_error *err);
	int (*delete_where)(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
	                    int64_t *affected, struct vb_error *err);
	int (*count)(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
	             int64_t *out, struct vb_error *err);

	/* Search.  select: NULL-terminated column list or NULL for every column except the vector.
	 * limit/top_n <= 0 means "all" for search_all. */
	int (*search_all)(struct vb_handle *h, const struct vb_table_spec *spec, const struct vb_filter *where,
	                  const char *const *select, int64_t limit, struct vb_result **out, struct vb_error *err);
	int (*search_vector)(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim,
	                     int top_n, const struct vb_filter *where, const char *const *select,
	                     struct vb_result **out, struct vb_error *err);
	int (*search_text)(struct vb_handle *h, const struct vb_table_spec *spec, const char *text, int top_n,
	                   const struct vb_filter *where, const char *const *select,
	                   struct vb_result **out, struct vb_error *err);
	/* score = 0.6 * (1 - d/2) + 0.4 * 8 * text_rank; candidate_k = max(top_n * 5, 50) */
	int (*search_hybrid)(struct vb_handle *h, const struct vb_table_spec *spec, const char *text,
	                     const float *q, int dim, int top_n, const struct vb_filter *where,
	                     const char *const *select, struct vb_result **out, struct vb_error *err);
	void (*result_free)(struct vb_handle *h, struct vb_result **res);

	/* Optional. */
	int (*create_index)(struct vb_handle *h, const struct vb_table_spec *spec, const char *method,
	                    struct vb_error *err);
	/* VB_CAP_SQL: run one parameterised statement; text params, text results. */
	int (*query)(struct vb_handle *h, const char *sql, int nparams, const char *const *params,
	             struct vb_result **out, struct vb_error *err);
	/* VB_CAP_SQL: run statements in one transaction; progress per statement; all or nothing. */
	int (*exec_script)(struct vb_handle *h, const char *const *stmts, int n, vb_progress_fn progress,
	                   void *ctx, struct vb_error *err);
	/* Cancel the statement running on h; callable from a signal-aware main loop. */
	int (*cancel)(struct vb_handle *h);
	int (*socket_fd)(struct vb_handle *h);

	/* Optional, appended after ABI 1's first release (hosts test them with VB_SLOT).
	 * search_vector_exact: search_vector answered by an exact scan whatever indexes exist, the
	 * reference recall@k is measured against. */
	int (*search_vector_exact)(struct vb_handle *h, const struct vb_table_spec *spec, const float *q, int dim,
	                           int top_n, const struct vb_filter *where, const char *const *select,
	                           struct vb_result **out, struct vb_error *err);
	/* One line saying how the handle's last vector or hybrid search ran (index, scan, fallback),
	 * for --explain and --json; valid until the next slot call on h, "" before any search. */
	const char *(*search_path)(struct vb_handle *h);
	/* One transaction spanning every slot called on h until txn_end: commit = 1 makes
	 * all of it visible at once, commit = 0 (or a crash, kill -9, lost connection) discards all
	 * of it, and other sessions keep reading the state from before txn_begin until the commit.
	 * bootstrap-kb overwrite uses it to replace a namespace's rows atomically. */
	int (*txn_begin)(struct vb_handle *h, struct vb_error *err);
	int (*txn_end)(struct vb_handle *h, int commit, struct vb_error *err);
	/* Optional (added after txn_end; check with VB_SLOT): what the store holds for `table`, as
	 * rows (kind, name, detail): kind "column" (detail: the store's type, e.g. "utf8",
	 * "vector<float32>[384]"), "index" (detail: "<TYPE> on <columns>; <n> indexed, <m> unindexed"),
	 * "rows" (detail: the row count), "version" (detail: the table's version).  VB_ERR_NOT_FOUND
	 * when the table does not exist. */
	int (*describe)(struct vb_handle *h, const char *table, struct vb_result **out, struct vb_error *err);
	/* Optional (added after describe; check with VB_SLOT): rows [offset, offset + limit) of the
	 * whole table in the store's own stable order (the same on every call while the table is
	 * unchanged), cells as search_all writes them; select as search_all.  Walking offset 0, n,
	 * 2n, ... reads every row once, and in the order search_all lists them: migrate streams a
	 * source this way instead of looking rows up by key (checking each batch's keys against that
	 * listing), and resumes a killed run at the offset it had committed when the table is unchanged. */
	int (*scan)(struct vb_handle *h, const struct vb_table_spec *spec, const char *const *select, int64_t offset,
	            int64_t limit, struct vb_result **out, struct vb_error *err);
	/* Optional (added after scan; check with VB_SLOT): the time limit of each following search
	 * slot call on a store without SQL sessions (the embedded one; PostgreSQL's is its
	 * statement_timeout): timeout_ms > 0 the limit, <= 0 none.  A limit set in
	 * the store's options (statement_timeout=...) wins, as a session setting does on PostgreSQL.  A
	 * search past it fails with VB_ERR_CANCELLED, SQLSTATE 57014 and "canceling statement due to
	 * statement timeout". */
	void (*set_search_timeout)(struct vb_handle *h, int timeout_ms);
};

/* Plugin ABI record, exported as `vb_plugin_magic`. */
struct vb_plugin_magic {
	size_t size;          /* sizeof(struct vb_plugin_magic) */
	int abi_version;      /* VB_ABI_VERSION the plugin was built for */
	const char *name;
	const char *plugin_version;
};

/* Plugins export `int vb_plugin_init(vb_register_fn reg, void *ctx, char *errbuf, size_t errlen)`
 * and call reg(ctx, &ops) once per backend they provide. */
typedef int (*vb_register_fn)(void *ctx, const struct vb_ops *ops);
typedef int (*vb_plugin_init_fn)(vb_register_fn reg, void *ctx, char *errbuf, size_t errlen);

#define VB_PLUGIN_MAGIC_SYMBOL "vb_plugin_magic"
#define VB_PLUGIN_INIT_SYMBOL "vb_plugin_init"

#endif
