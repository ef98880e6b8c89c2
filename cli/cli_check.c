/* cli/cli_check.c - `vbadmin check`, `vbadmin extension`, `vbadmin verify`: run the guided
 * steps and report for people or as one JSON document (docs/json.md). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli_engine.h"

/* Parses the only option these commands take.  Returns 0, or an exit code. */
static int parse_json_flag(struct cli_ctx *ctx, const char *cmd, int argc, char **argv, int *json)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
	int c;
	*json = 0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+j", opts, NULL)) != -1) {
		if (c == 'j')
			*json = 1;
		else
			return cli_usage_error(ctx, cmd, "%s: unknown option '%s'", cmd, argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(ctx, cmd, "%s: unexpected argument '%s'", cmd, argv[optind]);
	return 0;
}

static void emit(struct cli_ctx *ctx, struct vb_buf *b)
{
	vb_buf_add(b, "}\n");
	fputs(b->data, ctx->out);
	vb_buf_free(b);
}

int cli_check(struct cli_ctx *ctx, int argc, char **argv)
{
	int json, rc = parse_json_flag(ctx, "check", argc, argv, &json);
	if (rc)
		return rc;
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return rc;
	if (!json)
		fprintf(ctx->out, "vbadmin check: backend %s, namespace %s\n\n", e->backend_name,
		        e->vbc.namespace ? e->vbc.namespace : "default");
	engine_run_all(e, STEP_NONE);
	rc = engine_exit_code(e);
	if (json) {
		struct vb_buf b;
		vb_buf_init(&b);
		cli_json_head(&b, "check", e, rc, STEP_NONE);
		cli_json_steps(&b, e, STEP_NONE);
		emit(ctx, &b);
	} else {
		cli_print_steps(ctx, e, STEP_NONE);
		cli_print_verdict(ctx, e, rc);
	}
	cli_engine_close(&e);
	return rc;
}

int cli_extension(struct cli_ctx *ctx, int argc, char **argv)
{
	int json, rc = parse_json_flag(ctx, "extension", argc, argv, &json);
	if (rc)
		return rc;
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return rc;
	if (e->kind != STEPK_PG) {
		if (json)
			fprintf(ctx->out, "{\"schema_version\": 1, \"command\": \"extension\", \"backend\": \"%s\", "
			        "\"applicable\": false, \"exit_code\": 0}\n", e->backend_name);
		else
			fprintf(ctx->out, "backend %s needs no PostgreSQL extension\n", e->backend_name);
		cli_engine_close(&e);
		return VB_EXIT_OK;
	}
	engine_run_all(e, STEP_privileges);
	rc = engine_exit_code(e);
	int up = e->ext_installed && e->ext_default_version && e->ext_version &&
	         strcmp(e->ext_default_version, e->ext_version) != 0 &&
	         engine_result(e, STEP_ext_installed)->status == STEP_WARN;
	if (json) {
		struct vb_buf b;
		vb_buf_init(&b);
		cli_json_head(&b, "extension", e, rc, STEP_privileges);
		vb_buf_add(&b, ", \"applicable\": true, \"extension\": {\"server_version\": ");
		cli_json_str_or_null(&b, e->server_version);
		vb_buf_printf(&b, ", \"server_version_num\": %d, \"available\": %s, \"default_version\": ",
		              e->server_version_num, e->ext_available ? "true" : "false");
		cli_json_str_or_null(&b, e->ext_default_version);
		vb_buf_add(&b, ", \"available_versions\": ");
		cli_json_str_or_null(&b, e->ext_versions);
		vb_buf_printf(&b, ", \"installed\": %s, \"installed_version\": ", e->ext_installed ? "true" : "false");
		cli_json_str_or_null(&b, e->ext_version);
		vb_buf_add(&b, ", \"schema\": ");
		cli_json_str_or_null(&b, e->ext_schema);
		vb_buf_add(&b, ", \"owner\": ");
		cli_json_str_or_null(&b, e->ext_owner);
		vb_buf_printf(&b, ", \"update_available\": %s, \"update_sql\": %s", up ? "true" : "false",
		              up ? "\"ALTER EXTENSION vector UPDATE;\"" : "null");
		vb_buf_add(&b, ", \"role\": ");
		cli_json_str_or_null(&b, e->current_user);
		vb_buf_printf(&b, ", \"superuser\": %s, \"database_create\": %s, \"can_create_extension\": %s}",
		              e->rolsuper == 1 ? "true" : "false", e->db_create == 1 ? "true" : "false",
		              e->rolsuper == 1 ? "true" : "false");
		cli_json_steps(&b, e, STEP_privileges);
		emit(ctx, &b);
	} else {
		FILE *o = ctx->out;
		fprintf(o, "server:            %s\n", e->server_version ? e->server_version : "(unknown)");
		fprintf(o, "available:         %s%s%s\n", e->ext_available ? "yes, default version " : "no",
		        e->ext_available && e->ext_default_version ? e->ext_default_version : "",
		        e->ext_available ? "" : " (no vector.control on the server)");
		if (e->ext_versions)
			fprintf(o, "versions:          %s\n", e->ext_versions);
		if (e->ext_installed)
			fprintf(o, "installed:         %s in schema %s, owner %s\n", e->ext_version,
			        e->ext_schema ? e->ext_schema : "?", e->ext_owner ? e->ext_owner : "?");
		else
			fprintf(o, "installed:         no (database %s)\n", e->current_db ? e->current_db : "?");
		if (up)
			fprintf(o, "update:            %s -> %s: ALTER EXTENSION vector UPDATE;\n", e->ext_version,
			        e->ext_default_version);
		if (e->current_user)
			fprintf(o, "role:              %s (%s; CREATE on database: %s)\n", e->current_user,
			        e->rolsuper == 1 ? "superuser, may create the extension" : "not a superuser, may not create it",
			        e->db_create == 1 ? "yes" : "no");
		fputc('\n', o);
		cli_print_steps(ctx, e, STEP_privileges);
		cli_print_verdict(ctx, e, rc);
	}
	cli_engine_close(&e);
	return rc;
}

static int drift_exit(const struct engine *e)
{
	int code = VB_EXIT_OK;
	for (int i = 0; i < e->ndrift; i++) {
		if (e->drift[i].kind == DRIFT_NO_PRIVILEGE)
			return VB_EXIT_DBA;
		code = VB_EXIT_FIXABLE;
	}
	return code;
}

int cli_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	int json, rc = parse_json_flag(ctx, "verify", argc, argv, &json);
	if (rc)
		return rc;
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return rc;
	int upto = e->kind == STEPK_PG ? STEP_text_indexes : STEP_emb_dimensions;
	engine_run_all(e, upto);
	rc = engine_exit_code(e);
	/* drift is computed from the catalog even when a step failed and skipped the ones after it */
	if (e->kind == STEPK_PG && e->h && rc != VB_EXIT_CONNECT && rc != VB_EXIT_INTERRUPTED) {
		struct vb_error err;
		vb_err_clear(&err);
		if (engine_load_catalog(e, &err) == VB_OK && !e->drift)
			engine_compute_drift(e);
		int d = drift_exit(e);
		if (d == VB_EXIT_DBA || (d == VB_EXIT_FIXABLE && rc == VB_EXIT_OK))
			rc = d;
	}
	const char *schema = e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
	if (json) {
		struct vb_buf b;
		vb_buf_init(&b);
		cli_json_head(&b, "verify", e, rc, upto);
		vb_buf_add(&b, ", \"schema\": ");
		vb_buf_json_str(&b, schema);
		vb_buf_printf(&b, ", \"dim\": %d, \"drift\": [", e->vbc.dim);
		for (int i = 0; i < e->ndrift; i++) {
			const struct eng_drift *d = &e->drift[i];
			vb_buf_add(&b, i ? ",\n  {" : "\n  {");
			vb_buf_add(&b, "\"kind\": ");
			vb_buf_json_str(&b, drift_kind_name(d->kind));
			vb_buf_add(&b, ", \"table\": ");
			vb_buf_json_str(&b, d->table);
			vb_buf_add(&b, ", \"column\": ");
			cli_json_str_or_null(&b, d->column);
			vb_buf_add(&b, ", \"have\": ");
			cli_json_str_or_null(&b, d->have);
			vb_buf_add(&b, ", \"want\": ");
			cli_json_str_or_null(&b, d->want);
			vb_buf_add(&b, ", \"fix\": ");
			cli_json_str_or_null(&b, d->fix);
			vb_buf_add(&b, ", \"note\": ");
			cli_json_str_or_null(&b, d->note);
			vb_buf_add(&b, ", \"advice\": ");
			cli_json_str_or_null(&b, d->advice_id);
			vb_buf_add(&b, "}");
		}
		vb_buf_add(&b, "]");
		cli_json_steps(&b, e, upto);
		emit(ctx, &b);
	} else {
		FILE *o = ctx->out;
		fprintf(o, "vbadmin verify: backend %s, schema %s, embedding dim %d\n\n", e->backend_name, schema, e->vbc.dim);
		cli_print_steps(ctx, e, upto);
		if (e->catalog_loaded) {
			if (!e->ndrift) {
				fprintf(o, "\nNo drift: all %d tables match the DDL (columns, vector(%d), indexes).\n", e->ntables,
				        e->vbc.dim);
			} else {
				fprintf(o, "\nDrift (%d):\n", e->ndrift);
				for (int i = 0; i < e->ndrift; i++) {
					const struct eng_drift *d = &e->drift[i];
					char where[160];
					if (d->column)
						snprintf(where, sizeof where, "%s.%s", d->table, d->column);
					else
						snprintf(where, sizeof where, "%s", d->table);
					fprintf(o, "  %-18s %-32s have %s, want %s\n", drift_kind_name(d->kind), where,
					        d->have ? d->have : "-", d->want ? d->want : "-");
					if (d->kind == DRIFT_WRONG_DIM)
						fprintf(o, "    table %s column %s: vector(%s in the database vs vector(%d) configured\n",
						        d->table, d->column, d->have + 7, e->vbc.dim);
					if (d->note)
						fprintf(o, "    %s\n", d->note);
					if (d->fix) {
						const char *p = d->fix;
						fprintf(o, "    fix:\n");
						while (p && *p) {
							const char *nl = strchr(p, '\n');
							int n = nl ? (int)(nl - p) : (int)strlen(p);
							fprintf(o, "      %.*s\n", n, p);
							p = nl ? nl + 1 : NULL;
						}
					}
				}
			}
		}
		fprintf(o, "\n%s (exit %d: %s)\n", rc == VB_EXIT_OK ? "Verified." : "Not verified.", rc,
		        cli_exit_meaning(rc));
	}
	cli_engine_close(&e);
	return rc;
}
