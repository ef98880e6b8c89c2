/* kb/bootstrap.h - bootstrap-kb: semantic-model YAML into the semantic_model or metrics
 * table of one namespace, in batches that commit whole (datus-spec.md 6).
 *
 * Order of work, so that nothing is written from a bad file and a re-run completes an
 * interrupted one: validate the whole YAML; check the table is ready (ensure_table) and that
 * the embedder's dimension equals the table's; then read, embed and upsert by id in batches.
 * Upsert by id makes `check`/`incremental` idempotent: re-running after a crash rewrites the
 * same rows and adds the missing ones.  `overwrite` runs in one backend transaction (txn_begin):
 * clear this namespace's rows, load every batch, commit; any failure, Ctrl-C or kill -9 before
 * the commit leaves the old rows exactly as they were, and readers see them until the commit. */
#ifndef KB_BOOTSTRAP_H
#define KB_BOOTSTRAP_H

#include <stdatomic.h>
#include <stddef.h>

#include "../backends/vb.h"

typedef int (*bootstrap_embed_fn)(void *ctx, const char *const *texts, int n, float *out, struct vb_error *err);
typedef void (*bootstrap_progress_fn)(void *ctx, long done, long total);

struct bootstrap_opts {
	const char *component;   /* "semantic_model" or "metrics" */
	const char *strategy;    /* "check", "incremental" or "overwrite" */
	const char *yaml_path;   /* named in messages and stored in the rows */
	const char *yaml_read_path; /* what is read (kb_input's read_path, so a pipe works); NULL = yaml_path */
	int dim;                 /* table and embedder dimension */
	const char *dialect;     /* of the data-source namespace (kb/table_context.h), splits sql_table */
	const char *catalog, *database, *schema; /* table context of that namespace */
	int batch_rows;          /* rows per committed batch (default 256) */
	int all_data_sources;    /* load every data_source, not only the last (Datus keeps the last) */
	bootstrap_embed_fn embed;
	void *embed_ctx;
	int embed_probed;        /* the caller already checked the embedder's dimension with one
	                          * request (engine/embedding.h): no probe of its own */
	void (*warn)(void *ctx, const char *message); /* non-fatal findings of the YAML (ignored data sources) */
	void *warn_ctx;
	/* The embedding-config guard: called once the file and table are known good, right before
	 * the first change; a non-OK status stops the run with nothing written. */
	int (*before_write)(void *ctx, const char *component, struct vb_error *err);
	void *before_write_ctx;
	/* Called once, as soon as the first rows are committed (overwrite: after its COMMIT; else after
	 * the first batch), to record what they are (the model record): never before, so that a kill
	 * between the two never leaves a record describing rows that are not there.  A failure stops
	 * the run; the committed rows stay. */
	int (*after_commit)(void *ctx, const char *component, struct vb_error *err);
	void *after_commit_ctx;
	bootstrap_progress_fn progress;
	void *progress_ctx;
	const atomic_int *cancelled; /* non-zero stops before the next batch */
	long checked_total;      /* > 0: bootstrap_check_file already passed with this total, so the
	                          * validate pass (and its warnings) is not repeated */
};

struct bootstrap_result {
	long total;          /* rows the file yields for this component */
	long written;        /* rows upserted by this run */
	long batches;
	int64_t final_count; /* semantic_object_count (tables) or metrics_count */
	double seconds;
	char message[256];   /* the spec's success message */
	int yaml_error;      /* the failure came from the YAML file (usage/config error, exit 2) */
	int nothing_to_sync; /* the file holds nothing for this component: Datus's "No valid objects
	                      * found to sync" (a failure; err says so) */
	int atomic;          /* overwrite: one transaction; on failure nothing of it was kept */
	int committed;       /* atomic: the new rows replaced the old ones */
	int commit_in_doubt; /* atomic: the connection died during COMMIT (old or new rows, unknown) */
	int embed_failed;    /* the failure came from the embedder (its server stopped, refused or
	                      * answered badly), not from the store: what is committed is known */
};

/* Valid component and strategy names (for usage errors). */
int bootstrap_component_ok(const char *c);
int bootstrap_strategy_ok(const char *s);

/* The validate pass alone, with no store: whole-file parse, res->total, and Datus's "No valid
 * objects found to sync" when the file holds nothing for the component (res->yaml_error set on
 * any failure).  Lets the caller refuse a bad file before it opens, or creates, a store. */
int bootstrap_check_file(const struct bootstrap_opts *opt, struct bootstrap_result *res, struct vb_error *err);

/* Runs the bootstrap against an open backend.  Returns VB_OK, or a status with err filled
 * (VB_ERR_INVALID for a bad file, VB_ERR_CANCELLED when *cancelled was set, backend errors
 * as the backend reported them). */
int bootstrap_run(const struct vb_ops *ops, struct vb_handle *h, const struct bootstrap_opts *opt,
                  struct bootstrap_result *res, struct vb_error *err);

/* One sentence for the operator on what namespace ns holds after a run that failed with
 * status: kept batches, a rolled-back overwrite, or a COMMIT in doubt. */
void bootstrap_state_text(const struct bootstrap_result *r, int status, const char *ns, char *buf, size_t len);

#endif
