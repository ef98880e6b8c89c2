/* engine/engine.c - wires the step runner to one resolved backend (see engine.h). */
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../backends/registry.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "exitcode.h"
#include "../config/config.h"

#define STEP(sym, name, kinds, title, dep1, dep2, fn) int fn(void *ctx, struct step_result *r);
#include "steps.def"
#undef STEP

const struct step_def step_defs[] = {
#define STEP(sym, name, kinds, title, dep1, dep2, fn) \
	{STEP_##sym, name, kinds, title, {STEP_##dep1, STEP_##dep2}, fn},
#include "steps.def"
#undef STEP
};
const int step_ndefs = (int)(sizeof step_defs / sizeof step_defs[0]);

const struct step_def *step_def_by_name(const char *name, unsigned kind)
{
	for (int i = 0; i < step_ndefs; i++)
		if ((step_defs[i].kinds & kind) && strcmp(step_defs[i].name, name) == 0)
			return &step_defs[i];
	return NULL;
}

static int is_pg_name(const char *b)
{
	static const char *const pg[] = {"pgvector", "postgresql", "postgres", "pg"};
	for (size_t i = 0; b && i < sizeof pg / sizeof pg[0]; i++)
		if (strcasecmp(b, pg[i]) == 0)
			return 1;
	return 0;
}

struct engine *engine_new(const struct config *cfg, const char *config_path, const char *ns,
                          const char *backend_override)
{
	struct engine *e = vb_xcalloc(1, sizeof *e);
	e->cfg = cfg;
	e->config_path = vb_xstrdup(config_path ? config_path : (cfg && cfg->path ? cfg->path : "agent.yml"));
	vb_err_clear(&e->config_err);
	if (!cfg) {
		vb_err_set(&e->config_err, VB_ERR_INVALID, "no configuration loaded");
	} else if (config_resolve(cfg, ns, backend_override, &e->vbc, &e->config_err) == VB_OK) {
		e->config_ok = 1;
	}
	e->backend_name = vb_xstrdup(e->vbc.backend ? e->vbc.backend : (backend_override ? backend_override : "?"));
	e->backend_override = backend_override;
	e->kind = STEPK_EMB;
	if (e->config_ok) {
		struct vb_error ferr;
		vb_err_clear(&ferr);
		const struct vb_ops *ops = vb_registry_find(e->backend_name, &ferr);
		if (ops) {
			/* SQL backends get the PostgreSQL chain, Datus's LanceDB its own read-only chain,
			 * anything else the generic store chain */
			e->kind = (ops->caps & VB_CAP_SQL) ? STEPK_PG : strcmp(ops->name, "lancedb") == 0 ? STEPK_LANCE : STEPK_EMB;
			free(e->backend_name);
			e->backend_name = vb_xstrdup(ops->name);
		} else {
			e->kind = is_pg_name(e->backend_name) ? STEPK_PG : STEPK_EMB;
			e->config_ok = 0;
			e->config_err = ferr;
		}
	} else if (is_pg_name(e->backend_name)) {
		e->kind = STEPK_PG;
	}
	e->rolsuper = -1;
	e->db_create = e->schema_create = e->schema_usage = -1;
	step_runner_init(&e->run, step_defs, step_ndefs, e->kind, e, &e->cancelled);
	return e;
}

void engine_set_ops(struct engine *e, const struct vb_ops *ops, unsigned kind)
{
	e->ops = ops;
	e->ops_injected = 1;
	e->kind = kind;
	e->run.kind = kind;
	if (ops && ops->name) {
		free(e->backend_name);
		e->backend_name = vb_xstrdup(ops->name);
	}
}

static void free_catalog(struct engine *e)
{
	for (int i = 0; i < e->ntables; i++) {
		struct eng_table *t = &e->tables[i];
		for (int c = 0; c < t->ncols; c++) {
			free(t->cols[c].name);
			free(t->cols[c].type);
			free(t->cols[c].format);
		}
		free(t->cols);
		for (int k = 0; k < t->nindexes; k++) {
			free(t->indexdefs[k]);
			free(t->indexnames[k]);
		}
		free(t->indexdefs);
		free(t->indexnames);
	}
	free(e->tables);
	e->tables = NULL;
	e->ntables = 0;
	e->catalog_loaded = 0;
	engine_drift_clear(e);
}

void engine_free(struct engine **ep)
{
	if (!ep || !*ep)
		return;
	struct engine *e = *ep;
	step_runner_free(&e->run);
	if (e->ops && e->h && e->ops->close)
		e->ops->close(&e->h);
	free_catalog(e);
	for (int i = 0; i < e->nstores; i++)
		free(e->stores[i].why);
	free(e->stores);
	char **strs[] = {&e->config_path, &e->backend_name, &e->server_version, &e->current_user, &e->current_db,
	                 &e->ext_default_version, &e->ext_versions, &e->ext_version, &e->ext_schema,
	                 &e->ext_owner, &e->search_path, &e->maintenance_work_mem};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(*strs[i]);
	free(e);
	*ep = NULL;
}

int engine_run_step(struct engine *e, int id)
{
	return step_runner_run(&e->run, id);
}

int engine_run_all(struct engine *e, int upto)
{
	return step_runner_run_all(&e->run, upto);
}

const struct step_result *engine_result(const struct engine *e, int id)
{
	return step_runner_result(&e->run, id);
}

int engine_step_applies(const struct engine *e, int id)
{
	return step_runner_applies(&e->run, id);
}

void engine_cancel_statement(struct engine *e)
{
	e->cancelled = 1;
	if (e->ops && e->h && e->ops->cancel)
		e->ops->cancel(e->h);
}

const struct advice *engine_advice(const struct engine *e, int id)
{
	const struct step_result *r = engine_result(e, id);
	if (!r || !r->advice_id)
		return NULL;
	return advice_get(r->advice_id);
}

/* A failed step's exit code: its advice decides (DBA, connect, usage...); a failure without
 * advice is operator-fixable. */
int engine_result_exit(const struct engine *e, int id)
{
	const struct step_result *r = engine_result(e, id);
	if (!r || r->status != STEP_FAIL)
		return VB_EXIT_OK;
	if (strcmp(r->errclass, "57014") == 0 || strcmp(r->errclass, "VBA-CANCELLED") == 0)
		return VB_EXIT_INTERRUPTED;
	const struct advice *a = r->advice_id ? advice_get(r->advice_id) : NULL;
	if (a && a->exit_code != VB_EXIT_OK)
		return a->exit_code;
	if (id == STEP_config)
		return VB_EXIT_USAGE;
	return VB_EXIT_FIXABLE;
}

void engine_table_state(struct engine *e, const char *name, int *exists, long long *rows)
{
	*exists = -1;
	*rows = -1;
	struct vb_error err;
	vb_err_clear(&err);
	if (!e->h || !e->ops->table_exists || e->ops->table_exists(e->h, name, exists, &err) != VB_OK) {
		*exists = -1;
		return;
	}
	int64_t n = 0;
	const struct vb_table_spec *spec = ddl_table_spec(name, engine_table_dim(e, name));
	if (*exists == 1 && spec && e->ops->count(e->h, spec, NULL, &n, &err) == VB_OK)
		*rows = (long long)n;
}

char *engine_ext_update_sql(const char *to)
{
	/* a version comes from the server's catalog; anything but digits and dots is not pasted */
	if (!to || !*to || to[strspn(to, "0123456789.")])
		return vb_xstrdup("ALTER EXTENSION vector UPDATE;");
	return vb_xasprintf("ALTER EXTENSION vector UPDATE TO '%s';", to);
}

void engine_interrupt(struct engine *e)
{
	e->cancelled = 1;
	if (e->ops && e->h && e->ops->cancel)
		e->ops->cancel(e->h);
}

int engine_exit_for_status(int vb_status)
{
	switch (vb_status) {
#define VB_STATUS(sym, name, exit, meaning) case sym: return exit;
#include "../backends/status.def"
#undef VB_STATUS
	}
	return VB_EXIT_INTERNAL;
}

static int exit_rank(int code)
{
	switch (code) {
	case VB_EXIT_INTERRUPTED: return 7;
	case VB_EXIT_INTERNAL: return 6;
	case VB_EXIT_USAGE: return 5;
	case VB_EXIT_CONNECT: return 4;
	case VB_EXIT_DBA: return 3;
	case VB_EXIT_FIXABLE: return 2;
	default: return 0;
	}
}

int engine_exit_code(const struct engine *e)
{
	int best = e->cancelled ? VB_EXIT_INTERRUPTED : VB_EXIT_OK;
	for (int i = 0; i < e->run.ndefs; i++) {
		int c = engine_result_exit(e, e->run.defs[i].id);
		if (exit_rank(c) > exit_rank(best))
			best = c;
	}
	return best;
}

static const char *int_var(struct engine *e, int v)
{
	snprintf(e->varbuf, sizeof e->varbuf, "%d", v);
	return e->varbuf;
}

const char *engine_var(void *ctx, const char *key)
{
	struct engine *e = ctx;
	const struct vb_config *c = &e->vbc;
	if (strcmp(key, "schema") == 0)
		return c->schema && *c->schema ? c->schema : "public";
	if (strcmp(key, "db") == 0)
		return e->current_db ? e->current_db : (c->database && *c->database ? c->database : "postgres");
	if (strcmp(key, "dim") == 0)
		return c->dim > 0 ? int_var(e, c->dim) : NULL;
	if (strcmp(key, "pg_major") == 0)
		return e->pg_major > 0 ? int_var(e, e->pg_major) : NULL;
	if (strcmp(key, "user") == 0)
		return e->current_user ? e->current_user : c->username;
	if (strcmp(key, "host") == 0)
		return c->host;
	if (strcmp(key, "port") == 0)
		return c->port > 0 ? int_var(e, c->port) : NULL;
	if (strcmp(key, "namespace") == 0)
		return c->namespace;
	if (strcmp(key, "ext_version") == 0)
		return e->ext_version;
	if (strcmp(key, "default_version") == 0)
		return e->ext_default_version;
	if (strcmp(key, "ext_schema") == 0)
		return e->ext_schema;
	if (strcmp(key, "config") == 0)
		return e->config_path;
	if (strcmp(key, "data_dir") == 0)
		return c->data_dir;
	return NULL;
}

struct render_ctx {
	struct engine *e;
	const char *table, *column;
	char have[16];
	char dim[16];
	char *config; /* "<file> (agent.storage.<section>.dim_size)" for a store's table */
};

static const char *render_var(void *ctx, const char *key)
{
	struct render_ctx *rc = ctx;
	if (strcmp(key, "table") == 0)
		return rc->table;
	if (strcmp(key, "column") == 0)
		return rc->column;
	if (strcmp(key, "have_dim") == 0)
		return rc->have[0] ? rc->have : NULL;
	/* a store's table: its own store's dim and where that is configured */
	if (strcmp(key, "dim") == 0 && rc->dim[0])
		return rc->dim;
	if (strcmp(key, "config") == 0 && rc->config)
		return rc->config;
	return engine_var(rc->e, key);
}

char *engine_render(struct engine *e, const char *tmpl, const char *table, const char *column, int have_dim)
{
	struct render_ctx rc = {e, table, column, {0}, {0}, NULL};
	if (have_dim > 0)
		snprintf(rc.have, sizeof rc.have, "%d", have_dim);
	const char *section = config_table_section(table);
	if (section) {
		snprintf(rc.dim, sizeof rc.dim, "%d", engine_table_dim(e, table));
		rc.config = vb_xasprintf("%s (agent.storage.%s.dim_size)", e->config_path, section);
	}
	char *out = advice_render(tmpl, render_var, &rc);
	free(rc.config);
	return out;
}

struct vb_result *engine_query(struct engine *e, const char *sql, int nparams, const char *const *params,
                               struct vb_error *err)
{
	struct vb_result *res = NULL;
	if (!e->ops || !e->h || !e->ops->query) {
		vb_err_set(err, VB_ERR_UNSUPPORTED, "backend %s runs no SQL (no query slot)", e->backend_name);
		return NULL;
	}
	if (e->ops->query(e->h, sql, nparams, params, &res, err) != VB_OK) {
		if (res && e->ops->result_free)
			e->ops->result_free(e->h, &res);
		if (!err->message[0])
			vb_err_set(err, err->status ? err->status : VB_ERR_SERVER, "query failed");
		return NULL;
	}
	return res;
}

void engine_attach_advice(struct engine *e, struct step_result *r, const struct advice *a, int keep_fix,
                          const char *table, const char *column, int have_dim)
{
	r->advice_id = a ? a->id : NULL;
	if (!a)
		return;
	if (!keep_fix || !r->fix) {
		char *fix = engine_render(e, a->fix, table, column, have_dim);
		step_set_fix(r, fix);
		free(fix);
	}
	free(r->why);
	r->why = engine_render(e, a->cause, table, column, have_dim);
}

int engine_fail_from(struct engine *e, struct step_result *r, const struct vb_error *err, const char *what)
{
	char cls[24];
	advice_classify(err->sqlstate, err->message, cls, sizeof cls);
	if (!cls[0] && err->status == VB_ERR_CANCELLED)
		snprintf(cls, sizeof cls, "57014");
	if (!cls[0] && err->status == VB_ERR_CONNECT)
		snprintf(cls, sizeof cls, "VBA-CONNECT");
	if (!cls[0] && err->status == VB_ERR_INTERNAL)
		snprintf(cls, sizeof cls, "VBA-INTERNAL");
	if (e->cancelled && (strcmp(cls, "57014") == 0 || !cls[0]))
		snprintf(cls, sizeof cls, "57014");
	step_set_class(r, cls);
	const struct advice *a = advice_lookup(cls, err->message, NULL);
	if (what)
		step_set(r, STEP_FAIL, "%s: %s", what, err->message);
	else
		step_set(r, STEP_FAIL, "%s", err->message);
	if (err->detail[0])
		step_add_detail(r, "DETAIL: %s", err->detail);
	if (err->hint[0])
		step_add_detail(r, "HINT: %s", err->hint);
	engine_attach_advice(e, r, a, 1, NULL, NULL, 0);
	return STEP_FAIL;
}

struct eng_table *engine_table(struct engine *e, const char *name)
{
	for (int i = 0; i < e->ntables; i++)
		if (strcmp(e->tables[i].name, name) == 0)
			return &e->tables[i];
	return NULL;
}

const char *drift_kind_name(int kind)
{
	switch (kind) {
	case DRIFT_MISSING_TABLE: return "missing_table";
	case DRIFT_MISSING_COLUMN: return "missing_column";
	case DRIFT_MISSING_NAMESPACE: return "missing_namespace";
	case DRIFT_WRONG_DIM: return "wrong_dimension";
	case DRIFT_COLUMN_TYPE: return "column_type";
	case DRIFT_MISSING_FTS_INDEX: return "missing_fts_index";
	case DRIFT_MISSING_UNIQUE: return "missing_unique";
	case DRIFT_NO_PRIVILEGE: return "no_privilege";
	}
	return "unknown";
}
