/* engine/ddl_apply.c - the DDL-apply use case (see ddl_apply.h). */
#include "ddl_apply.h"

#include <stdlib.h>
#include <string.h>

#include "../backends/vb_sql.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "engine.h"
#include "exitcode.h"

static const char *schema_of(const struct engine *e)
{
	return e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
}

static void push(struct engine_ddl_plan *p, char *stmt)
{
	p->stmts = vb_xrealloc(p->stmts, (size_t)(p->n + 2) * sizeof *p->stmts);
	p->stmts[p->n++] = stmt;
	p->stmts[p->n] = NULL;
}

/* A failed step that makes applying pointless, or the missing extension only a DBA can add. */
static int refuse_if_blocked(struct engine *e, struct engine_ddl_plan *p)
{
	static const int blockers[] = {STEP_config, STEP_connect, STEP_server_version, STEP_ext_available};
	engine_run_all(e, STEP_schema);
	for (size_t i = 0; i < sizeof blockers / sizeof blockers[0]; i++) {
		const struct step_result *r = engine_result(e, blockers[i]);
		if (r && r->status == STEP_FAIL) {
			p->blocking_step = blockers[i];
			p->refused = engine_result_exit(e, blockers[i]);
			p->why = vb_xasprintf("cannot apply the DDL: %s", r->message ? r->message : "a required step failed");
			return 1;
		}
	}
	if (!e->ext_installed && e->rolsuper != 1) {
		p->refused = VB_EXIT_DBA;
		p->why = vb_xasprintf("the vector extension is missing in database %s and role %s may not create it "
		                      "(42501); run `vbadmin dba-packet` for the DBA, then apply the DDL again",
		                      e->current_db ? e->current_db : "?", e->current_user ? e->current_user : "?");
		return 1;
	}
	return 0;
}

static int plan_sql(struct engine *e, struct engine_ddl_plan *p, struct vb_error *err)
{
	if (refuse_if_blocked(e, p))
		return VB_OK;
	/* each vector table with its own store's dim, so applying never contradicts agent.storage */
	struct ddl_dims dims = {.dim = p->dim, .dim_of = engine_dim_of, .ctx = e};
	char **all = ddl_statements_dims(p->schema, &dims, DDL_PART_ALL, err);
	if (!all)
		return err->status ? err->status : VB_ERR_INVALID;
	if (!e->schema_exists) {
		char *qs = vb_quote_ident(p->schema);
		push(p, vb_xasprintf("CREATE SCHEMA IF NOT EXISTS %s;", qs));
		free(qs);
	}
	/* CREATE EXTENSION only when missing, so a role that may not create it still applies the
	 * rest once a DBA has */
	for (char **s = all; *s; s++)
		if (!(e->ext_installed && strncmp(*s, "CREATE EXTENSION", 16) == 0))
			push(p, vb_xstrdup(*s));
	ddl_statements_free(all);
	return VB_OK;
}

int engine_ddl_plan(struct engine *e, struct engine_ddl_plan *p, struct vb_error *err)
{
	memset(p, 0, sizeof *p);
	vb_err_clear(err);
	p->blocking_step = STEP_NONE;
	p->schema = schema_of(e);
	p->dim = e->vbc.dim > 0 ? e->vbc.dim : 384;
	p->sql = e->kind == STEPK_PG;
	push(p, NULL); /* an empty, NULL-terminated list */
	p->n = 0;
	if (p->sql)
		return plan_sql(e, p, err);
	for (int i = 0; i < ddl_table_count(); i++)
		push(p, vb_xstrdup(ddl_table_name(i)));
	return VB_OK;
}

void engine_ddl_plan_free(struct engine_ddl_plan *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->stmts[i]);
	free(p->stmts);
	free(p->why);
	memset(p, 0, sizeof *p);
}

/* Relations, the schema and the extension as "kind name" lines, to diff before/after. */
static char **snapshot(struct engine *e, int *n)
{
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_result *r = engine_query(e,
		"SELECT CASE c.relkind WHEN 'i' THEN 'index' ELSE 'table' END || ' ' || c.relname "
		"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace "
		"WHERE s.nspname = $1 AND c.relkind IN ('r', 'p', 'i') "
		"UNION ALL SELECT 'extension ' || extname FROM pg_catalog.pg_extension WHERE extname = 'vector' "
		"UNION ALL SELECT 'schema ' || nspname FROM pg_catalog.pg_namespace WHERE nspname = $1 "
		"ORDER BY 1", 1, (const char *const[]){schema_of(e)}, &err);
	*n = 0;
	if (!r)
		return NULL;
	char **v = vb_xcalloc(r->nrows + 1, sizeof *v);
	for (size_t i = 0; i < r->nrows; i++)
		v[(*n)++] = vb_xstrdup(vb_result_get(r, i, 0));
	e->ops->result_free(e->h, &r);
	return v;
}

static int contains(char **v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Progress of the running statement: counts what ran, then tells the front end. */
struct relay {
	vb_progress_fn fn;
	void *ctx;
	struct engine_ddl_outcome *out;
};

static void relay_progress(void *vctx, int index, const char *sql, int status, const char *message)
{
	struct relay *r = vctx;
	if (status == VB_OK)
		r->out->done = index + 1;
	if (r->fn)
		r->fn(r->ctx, index, sql, status, message);
}

static void explain_failure(struct engine *e, const struct vb_error *err, struct engine_ddl_outcome *out)
{
	advice_classify(err->sqlstate, err->message, out->errclass, sizeof out->errclass);
	out->advice = advice_lookup(out->errclass, err->message, NULL);
	if (out->advice)
		out->fix = engine_render(e, out->advice->fix, NULL, NULL, 0);
	out->exit = e->cancelled ? VB_EXIT_INTERRUPTED
	            : out->advice && out->advice->exit_code != VB_EXIT_OK ? out->advice->exit_code
	                                                                  : engine_exit_for_status(err->status);
}

static int apply_sql(struct engine *e, const struct engine_ddl_plan *p, struct relay *rl, struct vb_error *err)
{
	struct engine_ddl_outcome *out = rl->out;
	if (!e->ops->exec_script)
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "backend %s has no exec_script slot", e->backend_name);
	int nbefore = 0, nafter = 0;
	char **before = snapshot(e, &nbefore);
	int st = e->ops->exec_script(e->h, (const char *const *)p->stmts, p->n, relay_progress, rl, err);
	if (st == VB_OK) {
		char **after = snapshot(e, &nafter);
		out->created = vb_xcalloc((size_t)nafter + 1, sizeof *out->created);
		for (int i = 0; i < nafter; i++)
			if (!contains(before, nbefore, after[i]))
				out->created[out->ncreated++] = vb_xstrdup(after[i]);
		free_list(after, nafter);
	}
	free_list(before, nbefore);
	return st;
}

/* A store without SQL creates each table itself; tables before a failure stay created. */
static int apply_tables(struct engine *e, const struct engine_ddl_plan *p, struct relay *rl, struct vb_error *err)
{
	for (int i = 0; i < p->n; i++) {
		if (e->cancelled)
			return vb_err_set(err, VB_ERR_CANCELLED, "cancelled");
		const struct vb_table_spec *spec = ddl_table_spec(p->stmts[i], engine_table_dim(e, p->stmts[i]));
		int st = e->ops->ensure_table(e->h, spec, err);
		relay_progress(rl, i, p->stmts[i], st, st == VB_OK ? NULL : err->message);
		if (st != VB_OK)
			return st;
	}
	return VB_OK;
}

int engine_ddl_apply(struct engine *e, const struct engine_ddl_plan *p, vb_progress_fn progress, void *ctx,
                     struct engine_ddl_outcome *out, struct vb_error *err)
{
	memset(out, 0, sizeof *out);
	vb_err_clear(err);
	if (p->refused)
		return vb_err_set(err, VB_ERR_INVALID, "%s", p->why ? p->why : "the plan was refused");
	int st = engine_open_backend(e, err);
	struct relay rl = {progress, ctx, out};
	if (st == VB_OK)
		st = p->sql ? apply_sql(e, p, &rl, err) : apply_tables(e, p, &rl, err);
	if (st != VB_OK)
		explain_failure(e, err, out);
	return st;
}

void engine_ddl_outcome_free(struct engine_ddl_outcome *o)
{
	free_list(o->created, o->ncreated);
	free(o->fix);
	memset(o, 0, sizeof *o);
}
