/* engine/bootstrap_kb.c - the bootstrap use case (see bootstrap_kb.h). */
#include "bootstrap_kb.h"

#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "../config/config.h"
#include "../kb/embed.h"
#include "../kb/embed_guard.h"
#include "../kb/table_context.h"
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

/* The embedding-model guard: the model that filled this namespace is recorded in Datus's
 * datus_db.cfg; check and incremental refuse another one, overwrite records the new one. */
struct guard {
	struct engine *e;
	const char *strategy;
	struct embedder *emb;
};

static int guard_before_write(void *p, const char *component, struct vb_error *err)
{
	struct guard *g = p;
	const struct config *cfg = g->e->cfg;
	struct embed_guard_model m = {
		.registry_name = embedder_kind(g->emb),
		.model_name = cfg->embed_model && *cfg->embed_model ? cfg->embed_model : embedder_kind(g->emb),
		.dim_size = embedder_dim(g->emb),
	};
	char *path = embed_guard_path(cfg->home, g->e->vbc.namespace);
	int st = embed_guard_apply(path, strcmp(component, "metrics") == 0 ? "metric" : component, g->strategy, &m, err);
	free(path);
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
	return fail(res, ENGINE_BOOT_FAILED, engine_exit_for_status(st), st);
}

static int load_part(struct engine *e, const struct engine_bootstrap_req *req, struct embedder *emb,
                     const struct kb_table_context *tc, int i, struct engine_bootstrap_res *res, struct vb_error *err)
{
	const char *name = res->name[i];
	if (engine_bootstrap_needs_confirm(req) &&
	    !(req->confirm_overwrite && req->confirm_overwrite(req->ctx, name, e->vbc.namespace))) {
		vb_err_set(err, VB_ERR_CANCELLED, "overwrite of %s in namespace '%s' was not confirmed; nothing was changed",
		           name, e->vbc.namespace);
		return fail(res, ENGINE_BOOT_NOT_CONFIRMED, VB_EXIT_FIXABLE, VB_ERR_CANCELLED);
	}
	if (req->on_part)
		req->on_part(req->ctx, i, name);
	struct guard g = {e, req->strategy, emb};
	struct bootstrap_opts bo = {
		.component = name,
		.strategy = req->strategy,
		.yaml_path = req->yaml_path,
		.dim = engine_table_dim(e, name), /* the component's own store's dim (agent.storage.<section>) */
		.dialect = tc->dialect,
		.catalog = tc->catalog,
		.database = tc->database,
		.schema = tc->schema,
		.batch_rows = req->batch_rows > 0 ? req->batch_rows : 256,
		.all_data_sources = req->all_data_sources,
		.embed = embed_adapter,
		.embed_ctx = emb,
		.before_write = e->cfg && e->cfg->home ? guard_before_write : NULL,
		.before_write_ctx = &g,
		.warn = req->warn,
		.warn_ctx = req->ctx,
		.progress = req->progress,
		.progress_ctx = req->ctx,
		.cancelled = &e->cancelled,
	};
	res->nparts = i + 1;
	int st = bootstrap_run(e->ops, e->h, &bo, &res->part[i], err);
	return st == VB_OK ? VB_OK : classify(e, st, &res->part[i], res);
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
	res->failed_at = e->config_ok || e->ops_injected ? "store" : "config";
	if ((st = engine_open_backend(e, err)) != VB_OK)
		return fail(res, ENGINE_BOOT_OPEN, engine_exit_for_status(st), st);
	res->failed_at = NULL;
	/* the rows' catalog/database/schema and dialect, from the data-source namespace as Datus
	 * takes them */
	struct kb_table_context tc;
	if ((st = kb_table_context_resolve(e->cfg, e->vbc.namespace, &tc, err)) != VB_OK)
		return fail(res, ENGINE_BOOT_CONTEXT, VB_EXIT_USAGE, st);
	if (tc.note && req->warn)
		req->warn(req->ctx, tc.note);
	struct embedder *emb = NULL;
	if ((st = embedder_open_config(e->cfg, &emb, err)) != VB_OK) {
		int code = engine_exit_for_status(st);
		kb_table_context_free(&tc);
		return fail(res, ENGINE_BOOT_EMBEDDER, code == VB_EXIT_FIXABLE ? VB_EXIT_USAGE : code, st);
	}
	for (int i = 0; i < n && st == VB_OK; i++)
		st = load_part(e, req, emb, &tc, i, res, err);
	embedder_close(&emb);
	kb_table_context_free(&tc);
	return st;
}
