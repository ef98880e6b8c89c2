/* engine/bootstrap_kb.c - the bootstrap use case (see bootstrap_kb.h). */
#include "bootstrap_kb.h"

#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "../config/config.h"
#include "../kb/embed.h"
#include "../kb/input.h"
#include "../kb/table_context.h"
#include "embedding.h"
#include "engine.h"
#include "exitcode.h"

int engine_bootstrap_needs_confirm(const struct engine_bootstrap_req *req)
{
	return req->strategy && strcmp(req->strategy, "overwrite") == 0 && !req->overwrite_confirmed;
}

static int fail(struct engine_bootstrap_res *res, int failure, int exit, int st)
{
	res->failure = failure;
	res->exit = exit;
	return st;
}

/* Splits the component list into res->name; VB_ERR_INVALID with the message on a bad one. */
static int check_request(const struct engine_bootstrap_req *req, struct engine_bootstrap_res *res, char *comps,
                         struct vb_error *err)
{
	if (!req->strategy || !bootstrap_strategy_ok(req->strategy))
		return vb_err_set(err, VB_ERR_INVALID, "--kb_update_strategy must be check, incremental or overwrite, got '%s'",
		                  req->strategy ? req->strategy : "");
	if (!req->yaml_path || !*req->yaml_path)
		return vb_err_set(err, VB_ERR_INVALID, "--semantic_yaml FILE is required");
	int n = 0;
	for (char *tok = strtok(comps, ","); tok; tok = strtok(NULL, ",")) {
		if (!bootstrap_component_ok(tok) || n == ENGINE_BOOT_MAX_PARTS)
			return vb_err_set(err, VB_ERR_INVALID, "--components: '%s' is not supported; use semantic_model or "
			                  "metrics", tok);
		res->name[n++] = strcmp(tok, "metrics") == 0 ? "metrics" : "semantic_model";
	}
	if (!n)
		return vb_err_set(err, VB_ERR_INVALID, "--components: name semantic_model or metrics");
	return VB_OK;
}

/* The model record of the store: checked right before the first write, written once the first
 * vectors are committed (engine/embedding.h). */
struct guard {
	const struct engine_bootstrap_req *req;
	struct eng_embedding *ee;
	struct embed_guard_saved saved; /* the record before the guard wrote it */
};

static int guard_before_write(void *p, const char *component, struct vb_error *err)
{
	(void)component; /* ee was opened for this component's table */
	struct guard *g = p;
	embed_guard_save(g->ee->record_path, &g->saved);
	int st = eng_embedding_guard(g->ee, g->req->strategy, g->req->replace_model_confirmed, err);
	if (st == VB_ERR_MISMATCH && g->req->confirm_replace && g->req->confirm_replace(g->req->ctx, err))
		st = eng_embedding_guard(g->ee, g->req->strategy, 1, err);
	return st;
}

/* The model record, once the first vectors it describes are committed. */
static int guard_after_commit(void *p, const char *component, struct vb_error *err)
{
	(void)component;
	struct guard *g = p;
	int st = eng_embedding_record(g->ee, err);
	if (st != VB_OK && err)
		snprintf(err->hint, sizeof err->hint, "the rows were committed, but the embedding model record (%.300s) "
		         "was not written; free the space or fix the permission and re-run the same command",
		         g->ee->record_path);
	return st;
}

static int embed_adapter(void *ctx, const char *const *texts, int n, float *out, struct vb_error *err)
{
	return embedder_embed(ctx, texts, (size_t)n, out, err);
}

/* What a failed load means: the person's Ctrl-C, a bad file, the server's cancel, or else. */
static int classify(struct engine *e, int st, const struct bootstrap_result *r, struct engine_bootstrap_res *res)
{
	if (e->cancelled)
		return fail(res, ENGINE_BOOT_INTERRUPTED, VB_EXIT_INTERRUPTED, st);
	if (r->yaml_error)
		return fail(res, ENGINE_BOOT_YAML, VB_EXIT_USAGE, st);
	/* no Ctrl-C here: the server cancelled the statement (statement_timeout, lock_timeout,
	 * pg_cancel_backend), which the operator fixes, not 130 */
	if (st == VB_ERR_CANCELLED)
		return fail(res, ENGINE_BOOT_SERVER_CANCEL, VB_EXIT_FIXABLE, st);
	/* the embedder's own status: cannot connect (3) when its server went away, not the store */
	if (r->embed_failed)
		return fail(res, ENGINE_BOOT_EMBEDDER_LOST, engine_exit_for_status(st), st);
	return fail(res, ENGINE_BOOT_FAILED, engine_exit_for_status(st), st);
}

static int load_part(struct engine *e, const struct engine_bootstrap_req *req, struct eng_embedding *ee,
                     const struct kb_table_context *tc, const char *read_path, int i,
                     struct engine_bootstrap_res *res, struct vb_error *err)
{
	const char *name = res->name[i];
	if (req->on_part)
		req->on_part(req->ctx, i, name);
	struct guard g = {req, ee, {0}};
	struct bootstrap_opts bo = {
		.component = name,
		.strategy = req->strategy,
		.yaml_path = req->yaml_path,
		.yaml_read_path = read_path,
		.dim = ee->choice.model.dim_size,
		.dialect = tc->dialect,
		.catalog = tc->catalog,
		.database = tc->database,
		.schema = tc->schema,
		.batch_rows = req->batch_rows > 0 ? req->batch_rows : 256,
		.all_data_sources = req->all_data_sources,
		.embed = embed_adapter,
		.embed_ctx = ee->emb,
		.embed_probed = 1,
		.before_write = guard_before_write,
		.before_write_ctx = &g,
		.after_commit = guard_after_commit,
		.after_commit_ctx = &g,
		.warn = req->warn,
		.warn_ctx = req->ctx,
		.progress = req->progress,
		.progress_ctx = req->ctx,
		.cancelled = &e->cancelled,
		.checked_total = i == 0 ? res->part[0].total : 0, /* check_first_part ran */
	};
	res->nparts = i + 1;
	int st = bootstrap_run(e->ops, e->h, &bo, &res->part[i], err);
	if (st != VB_OK && res->part[i].atomic && !res->part[i].committed && !res->part[i].commit_in_doubt) {
		/* the overwrite rolled back: the old vectors stay, so does the record of their model (the
		 * record is written only after the COMMIT, so this finds it unchanged; kept as a guard) */
		struct vb_error rerr;
		if (embed_guard_restore(ee->record_path, &g.saved, &rerr) != VB_OK && req->warn)
			req->warn(req->ctx, rerr.message);
	}
	embed_guard_saved_free(&g.saved);
	return st == VB_OK ? VB_OK : classify(e, st, &res->part[i], res);
}

/* The first component's file check, before any store is opened: a file that fails it would
 * stop the run before its first write, and must not leave a new, empty store behind either.
 * (A later component's check runs in its turn, after the earlier ones loaded, as in Datus.) */
static int check_first_part(const struct engine_bootstrap_req *req, const struct kb_table_context *tc,
                            const char *read_path, struct engine_bootstrap_res *res, struct vb_error *err)
{
	struct bootstrap_opts bo = {
		.component = res->name[0],
		.yaml_path = req->yaml_path,
		.yaml_read_path = read_path,
		.dialect = tc->dialect,
		.catalog = tc->catalog,
		.database = tc->database,
		.schema = tc->schema,
		.all_data_sources = req->all_data_sources,
		.warn = req->warn,
		.warn_ctx = req->ctx,
	};
	int st = bootstrap_check_file(&bo, &res->part[0], err);
	if (st != VB_OK) {
		res->nparts = 1; /* nothing was written, no store was opened */
		return fail(res, ENGINE_BOOT_YAML, VB_EXIT_USAGE, st);
	}
	return VB_OK;
}

/* Config errors first, as ever; the store itself only once the file and the first component's
 * model are known good. */
static int open_store(struct engine *e, struct engine_bootstrap_res *res, struct vb_error *err)
{
	res->failed_at = e->config_ok || e->ops_injected ? "store" : "config";
	int st = engine_open_backend(e, err);
	if (st != VB_OK)
		return fail(res, ENGINE_BOOT_OPEN, engine_exit_for_status(st), st);
	res->failed_at = NULL;
	return VB_OK;
}

/* An overwrite goes on only once confirmed (-y, the console's or the terminal's question); asked
 * before the store is opened, so a declined overwrite of a new namespace creates nothing. */
static int confirm_part(struct engine *e, const struct engine_bootstrap_req *req, int i,
                        struct engine_bootstrap_res *res, struct vb_error *err)
{
	const char *name = res->name[i];
	if (!engine_bootstrap_needs_confirm(req) ||
	    (req->confirm_overwrite && req->confirm_overwrite(req->ctx, name, e->vbc.namespace)))
		return VB_OK;
	vb_err_set(err, VB_ERR_CANCELLED, "overwrite of %s in namespace '%s' was not confirmed; nothing was changed", name,
	           e->vbc.namespace);
	if (i > 0)
		res->nparts = i + 1; /* the components before it loaded completely */
	return fail(res, ENGINE_BOOT_NOT_CONFIRMED, VB_EXIT_FIXABLE, VB_ERR_CANCELLED);
}

/* The store of component i opened for writing: its configured model, probed (one request to its
 * server) so that a model that cannot run stops the run before anything is written. */
static int open_embedder(struct engine *e, int i, struct eng_embedding *ee, struct engine_bootstrap_res *res,
                         struct vb_error *err)
{
	int st = eng_embedding_for_write(e->cfg, &e->vbc, e->backend_override, e->embedder_override, res->name[i],
	                                 &e->cancelled, ee, err);
	snprintf(res->embedder[i], sizeof res->embedder[i], "%s", ee->describe);
	if (st == VB_OK)
		return VB_OK;
	if (i > 0)
		res->nparts = i + 1; /* the components before it loaded completely; this one wrote nothing */
	return fail(res, ENGINE_BOOT_EMBEDDER, engine_exit_for_status(st), st);
}

/* The first component's model is resolved and probed, and its overwrite confirmed, before the
 * store is opened: a server that is down, refuses or answers another dimension, or a declined
 * overwrite, must not leave a new, empty store (an embedded <ns>.db) behind.  Each later component opens its own model (agent.storage.<section>
 * and its record) in its turn, after the earlier ones loaded, as Datus does. */
static int load_parts(struct engine *e, const struct engine_bootstrap_req *req, const struct kb_table_context *tc,
                      const char *read_path, int n, struct engine_bootstrap_res *res, struct vb_error *err)
{
	struct eng_embedding ee;
	int st = open_embedder(e, 0, &ee, res, err);
	if (st == VB_OK)
		st = confirm_part(e, req, 0, res, err);
	if (st == VB_OK)
		st = open_store(e, res, err);
	for (int i = 0; i < n && st == VB_OK; i++) {
		if (i > 0) {
			eng_embedding_close(&ee);
			st = open_embedder(e, i, &ee, res, err);
			if (st == VB_OK)
				st = confirm_part(e, req, i, res, err);
			if (st != VB_OK)
				break;
		}
		st = load_part(e, req, &ee, tc, read_path, i, res, err);
	}
	eng_embedding_close(&ee);
	return st;
}

int engine_bootstrap_kb(struct engine *e, const struct engine_bootstrap_req *req, struct engine_bootstrap_res *res,
                        struct vb_error *err)
{
	memset(res, 0, sizeof *res);
	vb_err_clear(err);
	char *comps = vb_xstrdup(req->components ? req->components : "semantic_model");
	int st = check_request(req, res, comps, err);
	free(comps);
	if (st != VB_OK)
		return fail(res, ENGINE_BOOT_USAGE, VB_EXIT_USAGE, st);
	int n = 0;
	while (n < ENGINE_BOOT_MAX_PARTS && res->name[n])
		n++;
	if (!e->config_ok && !e->ops_injected)
		return open_store(e, res, err); /* reports the config's error */
	/* the rows' catalog/database/schema and dialect, from the data-source namespace as Datus
	 * takes them */
	struct kb_table_context tc;
	if ((st = kb_table_context_resolve(e->cfg, e->vbc.namespace, &tc, err)) != VB_OK)
		return fail(res, ENGINE_BOOT_CONTEXT, VB_EXIT_USAGE, st);
	if (tc.note && req->warn)
		req->warn(req->ctx, tc.note);
	/* read once for every component: a pipe or <(...) is spooled, a regular file held open */
	struct kb_input in;
	if ((st = kb_input_open(req->yaml_path, "Semantic YAML file", &in, err)) != VB_OK) {
		res->nparts = 1; /* the first component failed on its file, nothing was written */
		res->part[0].yaml_error = 1;
		fail(res, ENGINE_BOOT_YAML, VB_EXIT_USAGE, st);
	}
	if (st == VB_OK)
		st = check_first_part(req, &tc, in.read_path, res, err);
	if (st == VB_OK)
		st = load_parts(e, req, &tc, in.read_path, n, res, err);
	kb_input_close(&in);
	kb_table_context_free(&tc);
	return st;
}
