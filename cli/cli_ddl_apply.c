/* cli/cli_ddl_apply.c - `vbadmin ddl apply [--dry-run] [--yes]`: the knowledge-base DDL in
 * one transaction (all or nothing), each statement's result, and what actually changed
 * (relations before vs after), so a re-run visibly does nothing. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../backends/vb_sql.h"
#include "../ddl/ddl.h"
#include "cli_engine.h"

struct apply_ctx {
	struct cli_ctx *ctx;
	int n;
};

static void first_line(FILE *o, const char *sql)
{
	const char *nl = strchr(sql, '\n');
	int n = nl ? (int)(nl - sql) : (int)strlen(sql);
	fprintf(o, "%.*s%s", n > 90 ? 90 : n, sql, (n > 90 || nl) ? " ..." : "");
}

static void on_progress(void *vctx, int index, const char *sql, int status, const char *message)
{
	struct apply_ctx *a = vctx;
	FILE *o = a->ctx->out;
	fprintf(o, "  [%2d/%d] %-5s ", index + 1, a->n, status == VB_OK ? "ok" : "FAIL");
	first_line(o, sql);
	if (message && *message)
		fprintf(o, "  -> %s", message);
	fputc('\n', o);
	fflush(o);
}

/* Relations and the extension, as "kind:name" lines, to diff before/after. */
static char **snapshot(struct engine *e, int *n)
{
	const char *schema = e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_result *r = engine_query(e,
		"SELECT CASE c.relkind WHEN 'i' THEN 'index' ELSE 'table' END || ' ' || c.relname "
		"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace "
		"WHERE s.nspname = $1 AND c.relkind IN ('r', 'p', 'i') "
		"UNION ALL SELECT 'extension ' || extname FROM pg_catalog.pg_extension WHERE extname = 'vector' "
		"UNION ALL SELECT 'schema ' || nspname FROM pg_catalog.pg_namespace WHERE nspname = $1 "
		"ORDER BY 1", 1, (const char *const[]){schema}, &err);
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

int cli_ddl_apply(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"dry-run", no_argument, NULL, 'n'}, {"yes", no_argument, NULL, 'y'}, {NULL, 0, NULL, 0}};
	int dry = 0, yes = 0, c, rc;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ny", opts, NULL)) != -1) {
		if (c == 'n')
			dry = 1;
		else if (c == 'y')
			yes = 1;
		else
			return cli_usage_error(ctx, "ddl", "ddl apply: unknown option '%s'; usage: vbadmin ddl apply "
			                       "[--dry-run] [--yes]", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(ctx, "ddl", "ddl apply: unexpected argument '%s'", argv[optind]);
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return rc;
	if (e->kind != STEPK_PG) {
		fprintf(ctx->err, "vbadmin: ddl apply is for PostgreSQL backends; backend %s creates its tables itself "
		        "(vbadmin check)\n", e->backend_name);
		cli_engine_close(&e);
		return VB_EXIT_USAGE;
	}
	/* facts first: where we are, whether vector exists, whether we may create it */
	engine_run_all(e, STEP_schema);
	int blockers[] = {STEP_config, STEP_connect, STEP_server_version, STEP_ext_available};
	for (size_t i = 0; i < sizeof blockers / sizeof blockers[0]; i++) {
		if (engine_result(e, blockers[i])->status == STEP_FAIL) {
			cli_print_steps(ctx, e, STEP_schema);
			rc = engine_result_exit(e, blockers[i]);
			fprintf(ctx->err, "vbadmin: cannot apply the DDL (exit %d: %s)\n", rc, cli_exit_meaning(rc));
			cli_engine_close(&e);
			return rc;
		}
	}
	if (!e->ext_installed && e->rolsuper != 1) {
		cli_print_steps(ctx, e, STEP_schema);
		fprintf(ctx->err, "vbadmin: the vector extension is missing in database %s and role %s may not create it "
		        "(42501); run `vbadmin dba-packet` for the DBA, then re-run ddl apply\n",
		        e->current_db ? e->current_db : "?", e->current_user ? e->current_user : "?");
		cli_engine_close(&e);
		return VB_EXIT_DBA;
	}
	const char *schema = e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
	struct vb_error err;
	vb_err_clear(&err);
	char **stmts = ddl_statements(schema, e->vbc.dim, DDL_PART_ALL, &err);
	if (!stmts) {
		fprintf(ctx->err, "vbadmin: %s\n", err.message);
		cli_engine_close(&e);
		return VB_EXIT_USAGE;
	}
	/* the list to run: CREATE SCHEMA when missing; CREATE EXTENSION only when missing, so a
	 * role that may not create it still applies the rest once a DBA has */
	int cap = 2;
	for (char **p = stmts; *p; p++)
		cap++;
	const char **run = vb_xcalloc((size_t)cap, sizeof *run);
	char *create_schema = NULL;
	int n = 0;
	if (!e->schema_exists) {
		char *qs = vb_quote_ident(schema);
		create_schema = vb_xasprintf("CREATE SCHEMA IF NOT EXISTS %s;", qs);
		free(qs);
		run[n++] = create_schema;
	}
	for (char **p = stmts; *p; p++) {
		if (e->ext_installed && strncmp(*p, "CREATE EXTENSION", 16) == 0)
			continue;
		run[n++] = *p;
	}
	FILE *o = ctx->out;
	fprintf(o, "ddl apply: %d statements for database %s, schema %s, vector(%d)%s\n", n,
	        e->current_db ? e->current_db : "?", schema, e->vbc.dim, dry ? " (dry run: nothing is executed)" : "");
	if (dry) {
		for (int i = 0; i < n; i++)
			fprintf(o, "\n-- [%d/%d]\n%s\n", i + 1, n, run[i]);
		rc = VB_EXIT_OK;
		goto out;
	}
	if (!yes) {
		if (!isatty(0)) {
			fprintf(ctx->err, "vbadmin: ddl apply changes the database; pass --yes to confirm (or --dry-run to "
			        "review)\n");
			rc = VB_EXIT_USAGE;
			goto out;
		}
		fprintf(o, "Apply them in one transaction? [y/N] ");
		fflush(o);
		char line[16];
		if (!fgets(line, sizeof line, stdin) || (line[0] != 'y' && line[0] != 'Y')) {
			fprintf(o, "nothing applied\n");
			rc = VB_EXIT_FIXABLE;
			goto out;
		}
	}
	int nbefore = 0, nafter = 0;
	char **before = snapshot(e, &nbefore);
	struct apply_ctx actx = {ctx, n};
	vb_err_clear(&err);
	int st = e->ops->exec_script ? e->ops->exec_script(e->h, run, n, on_progress, &actx, &err)
	                             : vb_err_set(&err, VB_ERR_UNSUPPORTED, "backend has no exec_script slot");
	if (st != VB_OK) {
		char cls[24];
		advice_classify(err.sqlstate, err.message, cls, sizeof cls);
		const struct advice *a = advice_lookup(cls, err.message, NULL);
		fprintf(o, "\nRolled back: nothing was changed.\n  error %s: %s\n", cls[0] ? cls : "-", err.message);
		if (err.detail[0])
			fprintf(o, "  DETAIL: %s\n", err.detail);
		if (err.hint[0])
			fprintf(o, "  HINT: %s\n", err.hint);
		if (a) {
			char *fix = engine_render(e, a->fix, NULL, NULL, 0);
			fprintf(o, "  advice %s (%s acts): %s\n  fix:\n", a->id, advice_who_name(a->who), a->title);
			for (char *p = fix; p && *p;) {
				char *nl = strchr(p, '\n');
				fprintf(o, "    %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
				p = nl ? nl + 1 : NULL;
			}
			free(fix);
		}
		rc = e->cancelled ? VB_EXIT_INTERRUPTED
		     : a && a->exit_code != VB_EXIT_OK ? a->exit_code : engine_exit_for_status(err.status);
		free_list(before, nbefore);
		goto out;
	}
	char **after = snapshot(e, &nafter);
	int created = 0;
	for (int i = 0; i < nafter; i++)
		if (!contains(before, nbefore, after[i])) {
			if (!created)
				fprintf(o, "\nCreated:\n");
			fprintf(o, "  %s\n", after[i]);
			created++;
		}
	if (created)
		fprintf(o, "\nCommitted: %d object%s created by %d statements.\n", created, created == 1 ? "" : "s", n);
	else
		fprintf(o, "\nCommitted: nothing to do, 0 objects created; the database already matched the DDL "
		        "(re-running is a no-op).\n");
	fprintf(o, "Next: vbadmin check\n");
	free_list(before, nbefore);
	free_list(after, nafter);
	rc = VB_EXIT_OK;
out:
	free(run);
	free(create_schema);
	ddl_statements_free(stmts);
	cli_engine_close(&e);
	return rc;
}
