/* kb/semantic.h - reads a legacy MetricFlow semantic YAML file (multi-document: one
 * `data_source:` per document, one `metric:` per document) and turns it into the rows of the
 * `semantic_model` and `metrics` tables exactly as datus-spec.md 6.3-6.4 maps them.
 *
 * How it reads (memory stays bounded by the largest single list entry or metric document,
 * plus the NAMES of the dimensions and identifiers of the data source(s) in use, which every
 * metric row carries anyway):
 *
 *   1. validate pass: the whole file is parsed event by event (libyaml); every document and
 *      list entry is checked and freed right away.  Syntax errors, wrong shapes and missing
 *      required keys stop here, before a single object is handed out.  This pass also records
 *      the data source(s) in use and the names the metric rows need.
 *   2. rows pass: the file is parsed again and each object is handed to the caller's callback
 *      as soon as it is complete, then freed.  When a data_source lists its keys in an order
 *      other than dimensions, measures, identifiers, the rows pass re-reads the file once per
 *      list so that column rows still come out in the spec's order (the order decides which
 *      row wins when two entries share a name and the writer dedups by id, keeping the last).
 *
 * So: when semantic_read returns an error from pass 1, the callback was never called and the
 * caller writes nothing.  Errors after that come only from the callback itself or from the
 * file changing between the passes (reported, never silently ignored).
 *
 * Datus behaviours kept on purpose (the spec is the contract):
 *  - only the LAST data_source of a file is used (a warning names the ignored ones; set
 *    SEMANTIC_ALL_DATA_SOURCES to use every data source instead);
 *  - metrics take table, dimensions and entities from that data source;
 *  - the dbt `semantic_models:` format is not read.
 */
#ifndef KB_SEMANTIC_H
#define KB_SEMANTIC_H

#include <stddef.h>
#include <stdint.h>

#include "../backends/vb.h"

enum semantic_kind {
	SEMANTIC_TABLE = 0, /* semantic_model row, kind = "table" */
	SEMANTIC_COLUMN,    /* semantic_model row, kind = "column" */
	SEMANTIC_METRIC,    /* metrics row */
};

/* Most levels of a metric's subject_tree path (each level is a subject_nodes row). */
#define SEMANTIC_MAX_SUBJECT_DEPTH 64

/* Tri-state boolean cells: SQL NULL is SEMANTIC_NULL. */
#define SEMANTIC_NULL (-1)

struct semantic_strlist {
	char **items;
	int n;
};

/* One row.  Strings are never NULL unless the spec says the column is NULL for that kind
 * (e.g. expr/agg on a table row).  Field names are the column names of ddl/tables.def. */
struct semantic_object {
	int kind;                  /* enum semantic_kind */
	const char *kind_name;     /* "table", "column" or "metric" (semantic_model.kind for the first two) */
	int document;              /* 1-based document number the row came from (for messages) */

	/* shared */
	char *id;                  /* table:{t} / column:{t}.{col} / metric:{name} */
	char *name;
	char *description;         /* the embedding text; "" when absent */
	char *semantic_model_name; /* table name; "" on a metric when the file has no data_source
	                            * (the writer may look the first base measure up, see kb_fallback) */
	char *catalog_name, *database_name, *schema_name;
	char *yaml_path;
	char *updated_at;          /* "YYYY-MM-DD HH:MM:SS" */

	/* semantic_model (table and column) */
	char *fq_name, *table_name;
	int is_dimension, is_measure, is_entity_key, is_deprecated; /* 0/1 */
	char *expr, *column_type, *agg, *agg_time_dimension, *time_granularity, *entity; /* NULL on tables */
	int create_metric, is_partition;                                                 /* NULL on tables */

	/* metrics */
	char *metric_type, *measure_expr, *sql, *created_at;
	struct semantic_strlist base_measures, dimensions, entities;
	struct semantic_strlist subject_path; /* e.g. {"Finance","Revenue"}; default {"Metrics", table|"Unknown"} */
	int kb_fallback;           /* metric of a file without data_source that has base measures: the writer
	                            * takes semantic_model_name, dimensions and entities from the semantic
	                            * model already stored that holds base_measures[0] (Datus's fallback) */
};

/* Dialect-dependent sql_table levels: see semantic_dialect_levels. */
#define SEMANTIC_ALL_DATA_SOURCES 0x1u /* vbadmin extension: use every data_source, not only the last;
                                        * a metric binds to the data source that defines its first
                                        * base measure, else to the last one */

struct semantic_options {
	/* SQL dialect of the namespace's database: "postgresql" (default when NULL), "mysql",
	 * "starrocks", "snowflake", "sqlite", "duckdb", ...  Decides how sql_table splits. */
	const char *dialect;
	/* Table context defaults from the namespace's DB config (NULL = ""). */
	const char *catalog, *database, *schema;
	int include_semantic_objects; /* semantic_model rows (the semantic_model component) */
	int include_metrics;          /* metrics rows (the metrics component) */
	unsigned flags;               /* SEMANTIC_* */
	const char *now;              /* timestamp for updated_at/created_at; NULL = local time now */
	const char *yaml_path;        /* stored in yaml_path; NULL = the path argument */
	const char *read_path;        /* what every pass opens (kb_input's read_path); NULL = the path
	                               * argument, which messages always name */
	/* Non-fatal findings of the validate pass (ignored data sources), one line each. */
	void (*warn)(void *ctx, const char *message);
	void *warn_ctx;
};

struct semantic_stats {
	int documents;        /* YAML documents in the stream */
	int data_sources;     /* documents with a data_source */
	int data_sources_used;
	long tables, columns, metrics; /* rows the options select (counted by the validate pass) */
};

/* Receives each row; everything in *obj is valid only during the call (copy what you keep,
 * or use semantic_object_dup).  Return VB_OK to go on; any other status stops the read and
 * is returned by semantic_read with err as the callback filled it. */
typedef int (*semantic_emit_fn)(void *ctx, const struct semantic_object *obj, struct vb_error *err);

/* Pass 1 only: checks the file and fills stats.  Errors (err->status, err->message):
 *   VB_ERR_NOT_FOUND  "Semantic YAML file PATH not found"
 *   VB_ERR_IO         the file cannot be read (reason named)
 *   VB_ERR_INVALID    "PATH:L:C: <libyaml problem>"                        (syntax)
 *                     "PATH: document N (metric): missing key 'name'"       (required key)
 *                     "PATH:L:C: document N (data_source): ..."             (wrong shape / value)
 *                     "PATH: No data_source or metrics found in YAML file"  (+ hint; dbt format named)
 * err->hint says what to change.  stats may be NULL. */
int semantic_validate(const char *path, const struct semantic_options *opt, struct semantic_stats *stats,
                      struct vb_error *err);

/* Pass 1, then pass 2 handing every selected row to emit (tables and columns first when
 * include_semantic_objects, then metrics when include_metrics; see the top comment). */
int semantic_read(const char *path, const struct semantic_options *opt, semantic_emit_fn emit, void *ctx,
                  struct semantic_stats *stats, struct vb_error *err);

/* Deep copy / free (NULL-safe) for callers that keep rows past the callback. */
struct semantic_object *semantic_object_dup(const struct semantic_object *o);
void semantic_object_free(struct semantic_object *o);

/* A growable array of copies: pass semantic_list_collect as the callback and the list as
 * ctx.  Convenient for tests and small files; a bulk writer should convert rows in the
 * callback instead so memory stays bounded. */
struct semantic_list {
	struct semantic_object **items;
	size_t n, cap;
};
int semantic_list_collect(void *list, const struct semantic_object *obj, struct vb_error *err);
void semantic_list_free(struct semantic_list *l);

/* Fills cells[0 .. spec->ncolumns) (spec order, the namespace column is not part of it) with
 * the row's value for each column named like a field above; columns the row does not have
 * are SQL NULL.  The vector column gets vec (dim spec->vector_dim; NULL vec = SQL NULL).
 * subject_node_id: the metrics row's leaf subject node, or < 0 for NULL.  Cells point into
 * obj and vec: keep both alive while the cells are used.  Works for the semantic_model and
 * metrics specs of ddl_table_spec(); obj's kind must match the table. */
void semantic_object_values(const struct semantic_object *obj, const struct vb_table_spec *spec, const float *vec,
                            int64_t subject_node_id, struct vb_value *cells);

/* The sql_table levels a dialect supports, as a bit set of 1 = catalog, 2 = database,
 * 4 = schema: postgresql/postgres/greenplum/redshift/snowflake/duckdb: database+schema;
 * mysql/mariadb: database; starrocks: catalog+database; sqlite: database;
 * anything else: all three.  Levels a dialect lacks are forced to "". */
unsigned semantic_dialect_levels(const char *dialect);

/* Splits sql_table ("db.schema.table") onto the context per the dialect (spec 6.4) and builds
 * fq_name.  Outputs are heap strings (free them); table may be NULL to keep default_table. */
void semantic_table_context(const char *dialect, const char *sql_table, const char *default_table,
                            const char *catalog, const char *database, const char *schema, char **out_catalog,
                            char **out_database, char **out_schema, char **out_table, char **out_fq_name);

#endif
