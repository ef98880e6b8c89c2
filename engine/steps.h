/* engine/steps.h - a generic runner for dependent steps, and the guided-setup step list.
 *
 * The runner knows nothing about databases: it walks a table of step definitions in order,
 * skips a step whose dependency failed or was skipped, times each run, and stops between
 * steps when the cancel flag is set.  engine/engine.h wires it to the steps of steps.def.
 * Results are plain structs (no printing here) so the CLI and the console render them. */
#ifndef ENGINE_STEPS_H
#define ENGINE_STEPS_H

#include <stdatomic.h>

enum step_status { STEP_PENDING = 0, STEP_OK, STEP_WARN, STEP_FAIL, STEP_SKIP };

/* Which backend chain a step belongs to. */
enum { STEPK_PG = 1u, STEPK_EMB = 2u, STEPK_LANCE = 4u, STEPK_ALL = 7u };

enum step_id {
	STEP_NONE = -1,
#define STEP(sym, name, kinds, title, dep1, dep2, fn) STEP_##sym,
#include "steps.def"
#undef STEP
	STEP__COUNT
};

struct step_result {
	int status;            /* enum step_status */
	double ms;             /* wall time of the run function */
	char *message;         /* one line for people */
	char *detail;          /* further lines (per-table facts), or NULL */
	char errclass[24];     /* SQLSTATE ("0A000") or vbadmin code ("VBA-..."), "" if none */
	char *fix;             /* exact fix (SQL or shell) for this situation, or NULL */
	const char *advice_id; /* advice catalogue id ("VEC-001"), or NULL */
	int published;         /* final status, stored (release) once status and ms are final, so a
	                        * console thread may read status/ms while the runner works */
	char *why;             /* the advice's cause with this situation filled in, or NULL */
};

struct step_def;
/* A run function fills r (status, message, errclass, fix...) and returns r->status. */
typedef int (*step_fn)(void *ctx, struct step_result *r);

struct step_def {
	int id;
	const char *name;
	unsigned kinds;
	const char *title;
	int dep[2];            /* STEP_NONE when unused */
	step_fn fn;
};

struct step_runner {
	const struct step_def *defs;
	int ndefs;                     /* defs[i].id == i is not required; deps name ids */
	unsigned kind;                 /* only steps with (kinds & kind) run */
	void *ctx;                     /* handed to every run function */
	struct step_result *res;       /* ndefs results, indexed like defs */
	const atomic_int *cancelled;   /* checked between steps; may be NULL */
};

/* Allocates results for r->ndefs steps, all pending. */
void step_runner_init(struct step_runner *r, const struct step_def *defs, int ndefs, unsigned kind,
                      void *ctx, const atomic_int *cancelled);
void step_runner_free(struct step_runner *r);
/* Forgets every result (back to pending). */
void step_runner_reset(struct step_runner *r);

/* Index of the step with this id in defs, or -1. */
int step_runner_index(const struct step_runner *r, int id);
/* Does the step apply to the runner's backend kind? */
int step_runner_applies(const struct step_runner *r, int id);

/* Runs one step: pending dependencies are run first; a dependency that failed or was skipped
 * makes this step STEP_SKIP naming it.  A step that does not apply is skipped silently
 * (stays pending).  Returns the step's status. */
int step_runner_run(struct step_runner *r, int id);
/* Runs every applicable step in order, or up to and including `upto` (STEP_NONE = all).
 * When the cancel flag is set, the remaining steps are skipped as cancelled.  Returns the
 * number of failed steps. */
int step_runner_run_all(struct step_runner *r, int upto);

/* Result of a step, or NULL when id is unknown. */
const struct step_result *step_runner_result(const struct step_runner *r, int id);

/* Result builders for run functions. */
int step_set(struct step_result *res, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void step_set_class(struct step_result *res, const char *errclass);
void step_set_fix(struct step_result *res, const char *fix);       /* copies */
void step_add_detail(struct step_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void step_result_clear(struct step_result *res);

const char *step_status_name(int status); /* "ok", "warn", "fail", "skip", "pending" */

/* The guided-setup steps of steps.def. */
extern const struct step_def step_defs[];
extern const int step_ndefs;
const struct step_def *step_def_by_name(const char *name, unsigned kind);

#endif
