/* cli/cli_ddl_apply.c - `vbadmin ddl apply [--dry-run] [--yes]`: shows the engine's plan, asks,
 * then prints each statement's result and what actually changed, so a re-run visibly does
 * nothing.  The policy (blockers, the DBA pointer, which statements) is engine_ddl_plan's. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/ddl_apply.h"
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

static int parse(struct cli_ctx *ctx, int argc, char **argv, int *dry, int *yes)
{
	struct cli_args a;
	cli_args_init(&a, ctx, "ddl apply", argc, argv, 0);
	for (int c; (c = cli_args_next(&a));) {
		*dry |= c == 'n';
		*yes |= c == 'y';
	}
	return cli_args_end(&a, 0);
}

/* --yes, or y at a terminal; anything else applies nothing. */
static int confirmed(struct cli_ctx *ctx, int yes, int *rc)
{
	if (yes)
		return 1;
	if (!isatty(0)) {
		fprintf(ctx->err, "vbadmin: ddl apply changes the database; pass --yes to confirm (or --dry-run to "
		        "review)\n");
		*rc = VB_EXIT_USAGE;
		return 0;
	}
	fprintf(ctx->out, "Apply them in one transaction? [y/N] ");
	fflush(ctx->out);
	char line[16];
	if (fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y'))
		return 1;
	fprintf(ctx->out, "nothing applied\n");
	*rc = VB_EXIT_FIXABLE;
	return 0;
}

static void print_failure(FILE *o, const struct engine_ddl_outcome *r, const struct vb_error *err)
{
	fprintf(o, "\nRolled back: nothing was changed.\n  error %s: %s\n", r->errclass[0] ? r->errclass : "-",
	        err->message);
	if (err->detail[0])
		fprintf(o, "  DETAIL: %s\n", err->detail);
	if (err->hint[0])
		fprintf(o, "  HINT: %s\n", err->hint);
	if (!r->advice)
		return;
	fprintf(o, "  advice %s (%s acts): %s\n  fix:\n", r->advice->id, advice_who_name(r->advice->who),
	        r->advice->title);
	for (const char *p = r->fix; p && *p;) {
		const char *nl = strchr(p, '\n');
		fprintf(o, "    %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
		p = nl ? nl + 1 : NULL;
	}
}

static void print_success(FILE *o, const struct engine_ddl_outcome *r, int n)
{
	for (int i = 0; i < r->ncreated; i++)
		fprintf(o, "%s  %s\n", i ? "" : "\nCreated:\n", r->created[i]);
	if (r->ncreated)
		fprintf(o, "\nCommitted: %d object%s created by %d statements.\n", r->ncreated, r->ncreated == 1 ? "" : "s",
		        n);
	else
		fprintf(o, "\nCommitted: nothing to do, 0 objects created; the database already matched the DDL "
		        "(re-running is a no-op).\n");
	fprintf(o, "Next: vbadmin check\n");
}

static int run(struct cli_ctx *ctx, struct engine *e, const struct engine_ddl_plan *p, int dry, int yes)
{
	FILE *o = ctx->out;
	fprintf(o, "ddl apply: %d statements for database %s, schema %s, vector(%d)%s\n", p->n,
	        e->current_db ? e->current_db : "?", p->schema, p->dim, dry ? " (dry run: nothing is executed)" : "");
	if (dry) {
		for (int i = 0; i < p->n; i++)
			fprintf(o, "\n-- [%d/%d]\n%s\n", i + 1, p->n, p->stmts[i]);
		return VB_EXIT_OK;
	}
	int rc = VB_EXIT_OK;
	if (!confirmed(ctx, yes, &rc))
		return rc;
	struct apply_ctx actx = {ctx, p->n};
	struct engine_ddl_outcome r;
	struct vb_error err;
	if (engine_ddl_apply(e, p, on_progress, &actx, &r, &err) != VB_OK) {
		print_failure(o, &r, &err);
		rc = r.exit;
	} else {
		print_success(o, &r, p->n);
	}
	engine_ddl_outcome_free(&r);
	return rc;
}

int cli_ddl_apply(struct cli_ctx *ctx, int argc, char **argv)
{
	int dry = 0, yes = 0, rc = parse(ctx, argc, argv, &dry, &yes);
	if (rc != VB_EXIT_OK)
		return rc;
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return rc;
	if (e->kind != STEPK_PG) {
		fprintf(ctx->err, "vbadmin: ddl apply is for PostgreSQL backends; backend %s creates its tables itself "
		        "(vbadmin check)\n", e->backend_name);
		cli_engine_close(&e);
		return VB_EXIT_USAGE;
	}
	struct engine_ddl_plan p;
	struct vb_error err;
	if (engine_ddl_plan(e, &p, &err) != VB_OK) {
		fprintf(ctx->err, "vbadmin: %s\n", err.message);
		rc = VB_EXIT_USAGE;
	} else if (p.refused) {
		cli_print_steps(ctx, e, STEP_schema);
		fprintf(ctx->err, "vbadmin: %s (exit %d: %s)\n", p.why, p.refused, cli_exit_meaning(p.refused));
		rc = p.refused;
	} else {
		rc = run(ctx, e, &p, dry, yes);
	}
	engine_ddl_plan_free(&p);
	cli_engine_close(&e);
	return rc;
}
