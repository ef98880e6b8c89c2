/* engine/ddl_apply.h - the DDL-apply use case, in two calls so a front end can show the plan and
 * ask before anything changes:
 *   engine_ddl_plan   learns the facts (steps up to "schema"), refuses when something blocks
 *                     (no server, no pgvector on it, or pgvector missing in the database and a
 *                     role that may not create it: then the DBA packet is the way on), and lists
 *                     the statements to run: CREATE SCHEMA when missing, CREATE EXTENSION only
 *                     when missing, then the tables.  A store without SQL lists its tables, which
 *                     it creates itself (ensure_table).
 *   engine_ddl_apply  runs the plan in one transaction (all or nothing) with a progress callback
 *                     per statement, and reports what changed (relations before vs after). */
#ifndef ENGINE_DDL_APPLY_H
#define ENGINE_DDL_APPLY_H

#include "../backends/vb.h"

struct engine;
struct advice;

struct engine_ddl_plan {
	int sql;                 /* 1: SQL statements in one transaction; 0: table names (ensure_table) */
	const char *schema;
	int dim;
	char **stmts;            /* NULL-terminated */
	int n;
	/* refusal: nothing may run */
	int refused;             /* the exit code (engine/exitcodes.def) when refused, else 0 */
	int blocking_step;       /* the failed step that blocks, or STEP_NONE (the DBA case) */
	char *why;               /* one sentence saying what blocks and what to do */
};

struct engine_ddl_outcome {
	char **created;          /* "table x", "index y", ... that did not exist before (SQL) */
	int ncreated;
	int done;                /* statements that ran */
	int exit;                /* exit code of the apply */
	const struct advice *advice;   /* on failure, the catalogue's advice, else NULL */
	char *fix;               /* the advice's rendered fix, or NULL */
	char errclass[24];
};

/* 0 on success (check p->refused); VB_ERR_* when the DDL cannot even be rendered. */
int engine_ddl_plan(struct engine *e, struct engine_ddl_plan *p, struct vb_error *err);
void engine_ddl_plan_free(struct engine_ddl_plan *p);

/* Runs a plan that was not refused.  progress (may be NULL) is called per statement, from the
 * calling thread.  Fills out (engine_ddl_outcome_free) and returns the backend status. */
int engine_ddl_apply(struct engine *e, const struct engine_ddl_plan *p, vb_progress_fn progress, void *ctx,
                     struct engine_ddl_outcome *out, struct vb_error *err);
void engine_ddl_outcome_free(struct engine_ddl_outcome *o);

#endif
