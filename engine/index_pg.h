/* engine/index_pg.h - the index use case on PostgreSQL: the plan (memory = rows x (8 + 4 x dim)
 * x 1.3 bytes against maintenance_work_mem, per vector table, with the statement and a verdict)
 * and the build (CREATE INDEX CONCURRENTLY, invalid leftovers of an interrupted build dropped
 * first, maintenance_work_mem raised up to 1 GiB when the plan needs it, live progress from
 * pg_stat_progress_create_index on a second session, Ctrl-C cancelling server-side). */
#ifndef ENGINE_INDEX_PG_H
#define ENGINE_INDEX_PG_H

#include <stdint.h>

struct engine;
struct advice;

#define ENGINE_INDEX_MAX_DIMS 2000 /* pgvector's limit for indexing vector columns */

struct engine_index_row {
	const char *table;
	int present, dim, indexed;
	int64_t rows;
	double need_bytes;
	int lists;
	char *sql;
	const char *verdict;
	char **invalid; /* quoted schema.index of ANN indexes an interrupted build left INVALID */
	char **drop;    /* the DROP INDEX CONCURRENTLY statement of each */
	int ninvalid;
};

/* Reads the catalog (steps up to "dimensions") and plans every vector table (or only `only`)
 * for method hnsw or ivfflat.  VB_ERR_INVALID when the database is not connected or lacks the
 * vector extension (the steps' results say why). */
int engine_index_plan_pg(struct engine *e, const char *only, const char *method, struct engine_index_row *rows,
                         int max, int *n);
void engine_index_rows_free(struct engine_index_row *rows, int n);
/* Whether create builds this row, and if not why not (NULL: it builds). */
const char *engine_index_skip_reason(const struct engine_index_row *p, int named);

struct engine_index_events {
	void *ctx;
	void (*say)(void *ctx, const char *line);                           /* notes and progress */
	void (*statement)(void *ctx, const char *sql, const char *comment); /* before it runs */
};

struct engine_index_outcome {
	int exit;                 /* engine/exitcodes.def */
	int build_failed;         /* the CREATE INDEX itself failed (an invalid index may be left) */
	char errclass[24];
	const struct advice *advice;
	char message[512];
	char hint[400];           /* what a failed build leaves and how to clean up */
	double seconds;
};

/* Builds one planned row; returns out->exit. */
int engine_index_build_pg(struct engine *e, const struct engine_index_row *p, const struct engine_index_events *ev,
                          struct engine_index_outcome *out);

#endif
