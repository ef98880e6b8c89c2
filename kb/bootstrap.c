/* kb/bootstrap.c - batches of semantic objects: embed descriptions, upsert by id. */
#include "bootstrap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/registry.h"
#include "../backends/vb_filter.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "metric_fallback.h"
#include "semantic.h"
#include "subject_tree.h"

int bootstrap_component_ok(const char *c)
{
	return c && (strcmp(c, "semantic_model") == 0 || strcmp(c, "metrics") == 0);
}

int bootstrap_strategy_ok(const char *s)
{
	return s && (strcmp(s, "check") == 0 || strcmp(s, "incremental") == 0 || strcmp(s, "overwrite") == 0);
}

struct batch {
	const struct vb_ops *ops;
	struct vb_handle *h;
	const struct bootstrap_opts *opt;
	const struct vb_table_spec *spec;
	const struct vb_table_spec *subject_spec;
	const struct vb_table_spec *semantic_spec; /* where metrics without data_source look up their model */
	struct subject_tree tree;
	struct semantic_object **objs;
	int n, cap;
	float *vecs;
	struct vb_value *cells;
	const char **cols;
	long done, total;
	long batches;
	int atomic;        /* overwrite: the batches commit together at the end */
	int embed_failed;  /* the embedder, not the store, failed the last batch */
	int after_commit_called;
};

static int call_after_commit(const struct bootstrap_opts *opt, int *called, struct vb_error *err)
{
	if (*called || !opt->after_commit)
		return VB_OK;
	*called = 1;
	return opt->after_commit(opt->after_commit_ctx, opt->component, err);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int flush(struct batch *b, struct vb_error *err)
{
	if (b->n == 0)
		return VB_OK;
	if (b->opt->cancelled && *b->opt->cancelled)
		return vb_err_set(err, VB_ERR_CANCELLED, "interrupted");
	int dim = b->spec->vector_dim, ncols = b->spec->ncolumns;
	for (int i = 0; i < b->n; i++) {
		int st = kb_metric_fallback(b->ops, b->h, b->semantic_spec, b->objs[i], b->opt->warn, b->opt->warn_ctx, err);
		if (st != VB_OK)
			return st;
	}
	const char **texts = vb_xmalloc((size_t)b->n * sizeof *texts);
	for (int i = 0; i < b->n; i++)
		texts[i] = b->objs[i]->description ? b->objs[i]->description : "";
	int st = b->opt->embed(b->opt->embed_ctx, texts, b->n, b->vecs, err);
	free(texts);
	if (st != VB_OK) {
		b->embed_failed = st != VB_ERR_CANCELLED;
		return st;
	}
	for (int i = 0; i < b->n; i++) {
		int64_t node = -1;
		const struct semantic_object *o = b->objs[i];
		if (o->kind == SEMANTIC_METRIC && b->subject_spec) {
			st = subject_tree_path_id(&b->tree, (const char *const *)o->subject_path.items,
			                          o->subject_path.n, &node, err);
			if (st != VB_OK)
				return st;
		}
		semantic_object_values(o, b->spec, b->vecs + (size_t)i * (size_t)dim, node,
		                       b->cells + (size_t)i * (size_t)ncols);
	}
	struct vb_rows rows = {ncols, b->cols, (size_t)b->n, b->cells};
	st = b->ops->upsert(b->h, b->spec, &rows, "id", err);
	if (st != VB_OK)
		return st;
	b->done += b->n;
	b->batches++;
	for (int i = 0; i < b->n; i++)
		semantic_object_free(b->objs[i]);
	b->n = 0;
	if (b->opt->progress)
		b->opt->progress(b->opt->progress_ctx, b->done, b->total);
	return b->atomic ? VB_OK : call_after_commit(b->opt, &b->after_commit_called, err);
}

static int collect(void *ctx, const struct semantic_object *obj, struct vb_error *err)
{
	struct batch *b = ctx;
	b->objs[b->n++] = semantic_object_dup(obj);
	return b->n == b->cap ? flush(b, err) : VB_OK;
}

static int count_result(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                        int tables_only, int64_t *out, struct vb_error *err)
{
	struct vb_filter *f = tables_only ? vb_filter_eq_text("kind", "table") : NULL;
	int st = ops->count(h, spec, f, out, err);
	vb_filter_free(f);
	return st;
}

/* Datus's status when the component finds nothing in the file (generation_hooks.py
 * _sync_semantic_to_db: `return {"success": False, "error": "No valid objects found to sync"}`,
 * which bootstrap_kb reports as {"status": "failed"}).  Nothing has been written yet. */
static int nothing_to_sync(const struct bootstrap_opts *opt, const struct semantic_stats *stats,
                           struct bootstrap_result *res, struct vb_error *err)
{
	res->yaml_error = 1;
	res->nothing_to_sync = 1;
	vb_err_set(err, VB_ERR_INVALID, "%s: No valid objects found to sync", opt->yaml_path);
	if (strcmp(opt->component, "metrics") == 0)
		snprintf(err->hint, sizeof err->hint, "the file holds no metric with a name%s",
		         stats->data_sources ? "; its data_source is loaded with --components semantic_model" : "");
	else
		snprintf(err->hint, sizeof err->hint, "the file holds no data_source; if it holds metric documents, load "
		                                      "them with --components metrics");
	return VB_ERR_INVALID;
}

/* overwrite: one transaction around the clear and every batch, so the namespace never holds
 * neither the old nor the new rows, and readers see the old rows until the commit. */
static int can_replace(const struct vb_ops *ops, struct vb_error *err)
{
	if (!VB_SLOT(ops, txn_begin) || !VB_SLOT(ops, txn_end))
		return vb_err_set(err, VB_ERR_UNSUPPORTED,
		                  "backend %s has no transactions, so overwrite could leave the namespace half "
		                  "loaded; use --kb_update_strategy incremental (upsert by id) instead",
		                  ops->name);
	return VB_OK;
}

static int begin_replace(const struct vb_ops *ops, struct vb_handle *h, const struct vb_table_spec *spec,
                         struct vb_error *err)
{
	int st = can_replace(ops, err);
	if (st != VB_OK)
		return st;
	st = ops->txn_begin(h, err);
	if (st == VB_OK)
		st = ops->drop(h, spec, err);
	if (st != VB_OK) {
		struct vb_error ignored;
		ops->txn_end(h, 0, &ignored);
	}
	return st;
}

/* Commits when the load went through, else rolls back keeping the first error. */
static int end_replace(const struct vb_ops *ops, struct vb_handle *h, int st, struct vb_error *err)
{
	struct vb_error ignored;
	int end = ops->txn_end(h, st == VB_OK, st == VB_OK ? err : &ignored);
	return st == VB_OK ? end : st;
}

/* The tables the component writes: its own, and for metrics the subject tree's. */
static int ensure_tables(const struct vb_ops *ops, struct vb_handle *h, const struct bootstrap_opts *opt,
                         int is_metrics, const struct vb_table_spec **spec,
                         const struct vb_table_spec **subject_spec, struct vb_error *err)
{
	*spec = ddl_table_spec(opt->component, opt->dim);
	*subject_spec = NULL;
	if (!*spec)
		return vb_err_set(err, VB_ERR_INTERNAL, "no table spec for %s", opt->component);
	int st = ops->ensure_table(h, *spec, err);
	if (st != VB_OK || !is_metrics)
		return st;
	*subject_spec = ddl_table_spec("subject_nodes", opt->dim);
	return ops->ensure_table(h, *subject_spec, err);
}

/* The embedder must answer with the table's dimension before anything is cleared. */
static int probe_embedder(const struct bootstrap_opts *opt, struct vb_error *err)
{
	if (opt->embed_probed)
		return VB_OK;
	float *probe = vb_xmalloc((size_t)opt->dim * sizeof *probe);
	const char *probe_text = "dimension probe";
	int st = opt->embed(opt->embed_ctx, &probe_text, 1, probe, err);
	free(probe);
	return st;
}

static void batch_init(struct batch *b, const struct vb_ops *ops, struct vb_handle *h,
                       const struct bootstrap_opts *opt, const struct vb_table_spec *spec,
                       const struct vb_table_spec *subject_spec, long total, int in_txn)
{
	memset(b, 0, sizeof *b);
	b->ops = ops;
	b->h = h;
	b->opt = opt;
	b->spec = spec;
	b->subject_spec = subject_spec;
	b->semantic_spec = subject_spec ? ddl_table_spec("semantic_model", opt->dim) : NULL;
	b->atomic = in_txn;
	b->cap = opt->batch_rows > 0 ? opt->batch_rows : 256;
	b->total = total;
	b->objs = vb_xcalloc((size_t)b->cap, sizeof *b->objs);
	b->vecs = vb_xmalloc((size_t)b->cap * (size_t)opt->dim * sizeof *b->vecs);
	b->cells = vb_xcalloc((size_t)b->cap * (size_t)spec->ncolumns, sizeof *b->cells);
	b->cols = vb_xmalloc((size_t)spec->ncolumns * sizeof *b->cols);
	for (int c = 0; c < spec->ncolumns; c++)
		b->cols[c] = spec->columns[c].name;
	if (subject_spec) {
		subject_tree_init(&b->tree, ops, h, subject_spec);
		b->tree.in_txn = in_txn;
	}
}

static void batch_free(struct batch *b)
{
	for (int i = 0; i < b->n; i++)
		semantic_object_free(b->objs[i]);
	if (b->subject_spec)
		subject_tree_free(&b->tree);
	free(b->objs);
	free(b->vecs);
	free(b->cells);
	free(b->cols);
}

/* Reads the file a second time and writes its objects batch by batch. */
static int load_objects(const struct vb_ops *ops, struct vb_handle *h, const struct bootstrap_opts *opt,
                        struct semantic_options *so, const struct vb_table_spec *spec,
                        const struct vb_table_spec *subject_spec, struct bootstrap_result *res,
                        struct vb_error *err)
{
	struct batch b;
	batch_init(&b, ops, h, opt, spec, subject_spec, res->total, res->atomic);
	so->warn = NULL; /* the validate pass already reported them */
	int st = semantic_read(opt->yaml_path, so, collect, &b, NULL, err);
	if (st == VB_OK)
		st = flush(&b, err);
	res->written = b.done;
	res->batches = b.batches;
	res->embed_failed = b.embed_failed;
	batch_free(&b);
	return st;
}

/* Loads, inside one transaction for overwrite; res tells what was committed. */
static int write_all(const struct vb_ops *ops, struct vb_handle *h, const struct bootstrap_opts *opt,
                     struct semantic_options *so, const struct vb_table_spec *spec,
                     const struct vb_table_spec *subject_spec, struct bootstrap_result *res,
                     struct vb_error *err)
{
	res->atomic = strcmp(opt->strategy, "overwrite") == 0;
	/* refused before before_write, which may record the model of vectors about to be written */
	int st = res->atomic ? can_replace(ops, err) : VB_OK;
	if (st != VB_OK)
		return st;
	if (opt->before_write) {
		st = opt->before_write(opt->before_write_ctx, opt->component, err);
		if (st != VB_OK) {
			res->yaml_error = st == VB_ERR_INVALID;
			return st;
		}
	}
	st = res->atomic ? begin_replace(ops, h, spec, err) : VB_OK;
	if (st != VB_OK)
		return st;
	st = load_objects(ops, h, opt, so, spec, subject_spec, res, err);
	if (res->atomic) {
		int loaded = st == VB_OK;
		st = end_replace(ops, h, st, err);
		res->committed = st == VB_OK;
		res->commit_in_doubt = loaded && st == VB_ERR_CONNECT;
		int called = 0;
		if (st == VB_OK) /* the record of what was just committed, never before */
			st = call_after_commit(opt, &called, err);
	}
	return st;
}

static struct semantic_options file_options(const struct bootstrap_opts *opt, int is_metrics)
{
	struct semantic_options so = {
		.dialect = opt->dialect,
		.catalog = opt->catalog,
		.database = opt->database,
		.schema = opt->schema,
		.include_semantic_objects = !is_metrics,
		.include_metrics = is_metrics,
		.flags = opt->all_data_sources ? SEMANTIC_ALL_DATA_SOURCES : 0u,
		.warn = opt->warn,
		.warn_ctx = opt->warn_ctx,
		.read_path = opt->yaml_read_path,
	};
	return so;
}

int bootstrap_check_file(const struct bootstrap_opts *opt, struct bootstrap_result *res, struct vb_error *err)
{
	memset(res, 0, sizeof *res);
	int is_metrics = strcmp(opt->component, "metrics") == 0;
	struct semantic_options so = file_options(opt, is_metrics);
	struct semantic_stats stats;
	int st = semantic_validate(opt->yaml_path, &so, &stats, err);
	if (st != VB_OK) {
		res->yaml_error = 1;
		return st;
	}
	res->total = is_metrics ? stats.metrics : stats.tables + stats.columns;
	return res->total == 0 ? nothing_to_sync(opt, &stats, res, err) : VB_OK;
}

int bootstrap_run(const struct vb_ops *ops, struct vb_handle *h, const struct bootstrap_opts *opt,
                  struct bootstrap_result *res, struct vb_error *err)
{
	double t0 = now_s();
	int is_metrics = strcmp(opt->component, "metrics") == 0;
	struct semantic_options so = file_options(opt, is_metrics);
	int st = VB_OK;
	if (opt->checked_total > 0) { /* bootstrap_check_file passed (and warned) already */
		memset(res, 0, sizeof *res);
		res->total = opt->checked_total;
	} else if ((st = bootstrap_check_file(opt, res, err)) != VB_OK) {
		return st;
	}
	const struct vb_table_spec *spec, *subject_spec;
	st = ensure_tables(ops, h, opt, is_metrics, &spec, &subject_spec, err);
	if (st == VB_OK && (st = probe_embedder(opt, err)) != VB_OK)
		res->embed_failed = st != VB_ERR_CANCELLED;
	if (st == VB_OK)
		st = write_all(ops, h, opt, &so, spec, subject_spec, res, err);
	if (st == VB_OK)
		st = count_result(ops, h, spec, !is_metrics, &res->final_count, err);
	if (st != VB_OK)
		return st;
	res->seconds = now_s() - t0;
	if (is_metrics)
		snprintf(res->message, sizeof res->message, "metrics bootstrap completed, metrics_count=%lld",
		         (long long)res->final_count);
	else
		snprintf(res->message, sizeof res->message,
		         "semantic_model bootstrap completed, semantic_object_count=%lld", (long long)res->final_count);
	return VB_OK;
}

void bootstrap_state_text(const struct bootstrap_result *r, int status, const char *ns, char *buf, size_t len)
{
	if (r->atomic && r->commit_in_doubt)
		snprintf(buf, len, "the connection was lost during the final COMMIT, so namespace '%s' holds either all "
		                   "of its previous rows or all %ld new ones, never a mix; count them with vbadmin search "
		                   "and re-run the same command if they are the old ones", ns, r->total);
	else if (r->atomic && r->committed)
		snprintf(buf, len, "the overwrite itself was committed: namespace '%s' holds the %ld new rows", ns, r->total);
	else if (r->atomic)
		snprintf(buf, len, "nothing was changed: overwrite runs in one transaction, which was rolled back, so "
		                   "namespace '%s' still holds exactly its previous rows; re-run the same command to "
		                   "replace them", ns);
	else if (r->written && r->embed_failed) /* the store's connection is fine: the count is exact */
		snprintf(buf, len, "%ld of %ld rows were committed before the embedding server failed and stay in namespace "
		                   "'%s'; once it answers again, re-run the same command: an incremental load resumes "
		                   "(rows are upserted by id, so nothing is duplicated)", r->written, r->total, ns);
	else if (r->written)
		snprintf(buf, len, "%s%ld of %ld rows were committed before the error; re-run the same command to complete "
		                   "the load (rows are upserted by id, so nothing is duplicated)",
		         status == VB_ERR_CONNECT ? "at least " : "", r->written, r->total);
	else
		snprintf(buf, len, "nothing was written to namespace '%s'", ns);
}
