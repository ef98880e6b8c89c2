/* cli/cli_check.c - `vbadmin check`, `vbadmin extension`, `vbadmin verify`: run the guided
 * steps and report for people or as one JSON document (docs/json.md). */
#include <stdlib.h>
#include <string.h>

#include "cli_engine.h"
#include "cli_signals.h"
#include "../config/config.h"

/* Adds the steps to the document and prints it. */
static void emit(struct cli_ctx *ctx, json_t *doc, struct engine *e, int upto)
{
	json_object_set_new(doc, "steps", cli_json_steps(e, upto));
	cli_json_emit(ctx->out, doc);
}

/* The document of a run that stopped at agent.yml: the check shape with one failed config
 * step carrying the loader's message (file:line and what to do) and hint. */
static int config_failure(struct cli_ctx *ctx, const char *command, int rc, int json)
{
	if (!json || !ctx->config_err.message[0])
		return rc;
	const struct vb_error *err = &ctx->config_err;
	json_t *doc = json_object();
	json_object_set_new(doc, "schema_version", json_integer(1));
	json_object_set_new(doc, "command", cli_json_str(command));
	json_object_set_new(doc, "backend", json_null());
	json_object_set_new(doc, "namespace", cli_json_str(ctx->namespace));
	json_object_set_new(doc, "ready", json_false());
	json_object_set_new(doc, "exit_code", json_integer(rc));
	json_object_set_new(doc, "exit_meaning", cli_json_str(cli_exit_meaning(rc)));
	json_object_set_new(doc, "summary", json_pack("{s:i, s:i, s:i, s:i}", "ok", 0, "warn", 0, "fail", 1, "skip", 0));
	if (strcmp(command, "check") == 0)
		json_object_set_new(doc, "stores", json_array()); /* no store could be looked at */
	json_t *step = json_object();
	json_object_set_new(step, "id", json_string("config"));
	json_object_set_new(step, "title", json_string("Configuration"));
	json_object_set_new(step, "status", json_string("fail"));
	json_object_set_new(step, "duration_ms", json_real(0));
	json_object_set_new(step, "message", cli_json_str(err->message));
	json_object_set_new(step, "detail", json_null());
	json_object_set_new(step, "error_class", json_null());
	json_object_set_new(step, "fix", cli_json_str(err->hint[0] ? err->hint : NULL));
	json_object_set_new(step, "advice", json_null());
	json_object_set_new(doc, "steps", json_pack("[o]", step));
	cli_json_emit(ctx->out, doc);
	return rc;
}

/* Readiness per store; empty when the stores step did not run. */
static json_t *json_stores(struct engine *e)
{
	int id = e->kind == STEPK_PG ? STEP_stores : STEP_emb_stores;
	const struct step_result *r = engine_result(e, id);
	json_t *a = json_array();
	if (!r || r->status == STEP_PENDING || r->status == STEP_SKIP)
		return a;
	int n;
	const struct eng_store *s = engine_stores(e, &n);
	for (int i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "store", cli_json_str(s[i].table));
		json_object_set_new(o, "section", cli_json_str(config_table_section(s[i].table)));
		json_object_set_new(o, "dim", json_integer(s[i].dim));
		json_object_set_new(o, "needed", json_boolean(s[i].needed));
		json_object_set_new(o, "ready", json_boolean(s[i].ready));
		json_object_set_new(o, "why", cli_json_str(s[i].why));
		json_array_append_new(a, o);
	}
	return a;
}

/* The steps Ctrl-C skipped ("skipped: cancelled", engine/steps.c). */
static int skipped_steps(struct engine *e)
{
	int n = 0;
	for (int i = 0; i < step_ndefs; i++) {
		const struct step_result *r = engine_result(e, step_defs[i].id);
		n += engine_step_applies(e, step_defs[i].id) && r->status == STEP_SKIP && r->message &&
		     strstr(r->message, "cancelled");
	}
	return n;
}

/* check, extension and verify: parse --json, open the engine (a config failure still gets its
 * JSON document), report, close. */
static int run_report(struct cli_ctx *ctx, const char *cmd, int argc, char **argv,
                      int (*report)(struct cli_ctx *ctx, struct engine *e, int json))
{
	int json, rc = cli_parse_json_flag(ctx, cmd, argc, argv, &json);
	if (rc)
		return rc;
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return config_failure(ctx, cmd, rc, json);
	rc = report(ctx, e, json);
	cli_engine_close(&e);
	return rc;
}

static int check_report(struct cli_ctx *ctx, struct engine *e, int json)
{
	if (!json)
		fprintf(ctx->out, "vbadmin check: backend %s, namespace %s\n\n", e->backend_name,
		        e->vbc.namespace ? e->vbc.namespace : "default");
	cli_signals_doing("check of namespace %s (backend %s)", e->vbc.namespace ? e->vbc.namespace : "default",
	                  e->backend_name);
	engine_run_all(e, STEP_NONE);
	int rc = engine_exit_code(e);
	if (json) {
		json_t *doc = cli_json_head("check", e, rc, STEP_NONE);
		json_object_set_new(doc, "stores", json_stores(e));
		emit(ctx, doc, e, STEP_NONE);
	} else {
		cli_print_steps(ctx, e, STEP_NONE);
		cli_print_verdict(ctx, e, rc);
	}
	if (rc == VB_EXIT_INTERRUPTED)
		cli_cancelled(ctx, "%d step%s skipped (shown as skipped above); check loads no rows and runs no DDL, so "
		              "there is nothing to undo", skipped_steps(e), skipped_steps(e) == 1 ? " was" : "s were");
	return rc;
}

int cli_check(struct cli_ctx *ctx, int argc, char **argv)
{
	return run_report(ctx, "check", argc, argv, check_report);
}

/* The extension facts the engine read: server, versions, owner, the role's rights. */
static json_t *extension_json(const struct engine *e, int update)
{
	json_t *x = json_object();
	json_object_set_new(x, "server_version", cli_json_str(e->server_version));
	json_object_set_new(x, "server_version_num", json_integer(e->server_version_num));
	json_object_set_new(x, "available", json_boolean(e->ext_available));
	json_object_set_new(x, "default_version", cli_json_str(e->ext_default_version));
	json_object_set_new(x, "available_versions", cli_json_str(e->ext_versions));
	json_object_set_new(x, "installed", json_boolean(e->ext_installed));
	json_object_set_new(x, "installed_version", cli_json_str(e->ext_version));
	json_object_set_new(x, "schema", cli_json_str(e->ext_schema));
	json_object_set_new(x, "owner", cli_json_str(e->ext_owner));
	json_object_set_new(x, "update_available", json_boolean(update));
	char *upsql = engine_ext_update_sql(NULL);
	json_object_set_new(x, "update_sql", cli_json_str(update ? upsql : NULL));
	free(upsql);
	json_object_set_new(x, "role", cli_json_str(e->current_user));
	json_object_set_new(x, "superuser", json_boolean(e->rolsuper == 1));
	json_object_set_new(x, "database_create", json_boolean(e->db_create == 1));
	json_object_set_new(x, "can_create_extension", json_boolean(e->rolsuper == 1));
	return x;
}

static void extension_text(FILE *o, const struct engine *e, int update)
{
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
	if (update) {
		char *upsql = engine_ext_update_sql(NULL);
		fprintf(o, "update:            %s -> %s: %s\n", e->ext_version, e->ext_default_version, upsql);
		free(upsql);
	}
	if (e->current_user)
		fprintf(o, "role:              %s (%s; CREATE on database: %s)\n", e->current_user,
		        e->rolsuper == 1 ? "superuser, may create the extension" : "not a superuser, may not create it",
		        e->db_create == 1 ? "yes" : "no");
	fputc('\n', o);
}

static int extension_report(struct cli_ctx *ctx, struct engine *e, int json)
{
	if (e->kind != STEPK_PG) {
		if (json)
			cli_json_emit(ctx->out, json_pack("{s:i, s:s, s:o, s:b, s:i}", "schema_version", 1, "command",
			                                  "extension", "backend", cli_json_str(e->backend_name), "applicable", 0,
			                                  "exit_code", 0));
		else
			fprintf(ctx->out, "backend %s needs no PostgreSQL extension\n", e->backend_name);
		return VB_EXIT_OK;
	}
	engine_run_all(e, STEP_privileges);
	int rc = engine_exit_code(e);
	int update = e->ext_installed && e->ext_default_version && e->ext_version &&
	             strcmp(e->ext_default_version, e->ext_version) != 0 &&
	             engine_result(e, STEP_ext_installed)->status == STEP_WARN;
	if (json) {
		json_t *doc = cli_json_head("extension", e, rc, STEP_privileges);
		json_object_set_new(doc, "applicable", json_true());
		json_object_set_new(doc, "extension", extension_json(e, update));
		emit(ctx, doc, e, STEP_privileges);
	} else {
		extension_text(ctx->out, e, update);
		cli_print_steps(ctx, e, STEP_privileges);
		cli_print_verdict(ctx, e, rc);
	}
	return rc;
}

int cli_extension(struct cli_ctx *ctx, int argc, char **argv)
{
	return run_report(ctx, "extension", argc, argv, extension_report);
}

/* Drift in a table that a store bootstrap-kb or search needs fails verify; drift that only
 * affects other stores (document on a Datus all.sql database, say) is listed, not fatal. */
static int drift_exit(const struct engine *e)
{
	int code = VB_EXIT_OK;
	for (int i = 0; i < e->ndrift; i++) {
		if (engine_table_severity(e, e->drift[i].table) != STEP_FAIL)
			continue;
		if (e->drift[i].kind == DRIFT_NO_PRIVILEGE)
			return VB_EXIT_DBA;
		if (e->drift[i].kind != DRIFT_MISSING_FTS_INDEX && e->drift[i].kind != DRIFT_COLUMN_TYPE)
			code = VB_EXIT_FIXABLE;
	}
	return code;
}

/* The catalog steps, then readiness per store; not the vector_index, bootstrap or smoke steps
 * (verify reads, it does not write or search); LanceDB has no stores step.  Returns the exit
 * code with drift counted. */
static int verify_run(struct engine *e)
{
	engine_run_all(e, e->kind == STEPK_PG ? STEP_text_indexes : e->kind == STEPK_LANCE ? STEP_lance_indexes
	                                                                                   : STEP_emb_dimensions);
	if (e->kind != STEPK_LANCE)
		engine_run_step(e, e->kind == STEPK_PG ? STEP_stores : STEP_emb_stores);
	int rc = engine_exit_code(e);
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
	return rc;
}

static json_t *json_drift(struct engine *e)
{
	json_t *drift = json_array();
	for (int i = 0; i < e->ndrift; i++) {
		const struct eng_drift *d = &e->drift[i];
		json_t *o = json_object();
		json_object_set_new(o, "kind", cli_json_str(drift_kind_name(d->kind)));
		json_object_set_new(o, "table", cli_json_str(d->table));
		json_object_set_new(o, "column", cli_json_str(d->column));
		json_object_set_new(o, "have", cli_json_str(d->have));
		json_object_set_new(o, "want", cli_json_str(d->want));
		json_object_set_new(o, "fix", cli_json_str(d->fix));
		json_object_set_new(o, "note", cli_json_str(d->note));
		json_object_set_new(o, "advice", cli_json_str(d->advice_id));
		json_object_set_new(o, "blocking", json_boolean(engine_table_severity(e, d->table) == STEP_FAIL));
		json_array_append_new(drift, o);
	}
	return drift;
}

static void verify_json(struct cli_ctx *ctx, struct engine *e, int rc, const char *schema)
{
	int upto = STEP_NONE; /* the steps not run stay pending and are not shown */
	json_t *doc = cli_json_head("verify", e, rc, upto);
	json_object_set_new(doc, "schema", cli_json_str(schema));
	json_object_set_new(doc, "dim", json_integer(e->vbc.dim));
	json_t *dims = json_object();
	for (int i = 0; i < config_store_table_count(); i++)
		json_object_set_new(dims, config_store_table(i), json_integer(engine_table_dim(e, config_store_table(i))));
	json_object_set_new(doc, "dims", dims);
	json_object_set_new(doc, "drift", json_drift(e));
	json_object_set_new(doc, "stores", json_stores(e));
	emit(ctx, doc, e, upto);
}

/* One drift entry for people: where, have/want, why it matters, the fix indented. */
static void print_drift(FILE *o, struct engine *e, const struct eng_drift *d)
{
	char where[160];
	if (d->column)
		snprintf(where, sizeof where, "%s.%s", d->table, d->column);
	else
		snprintf(where, sizeof where, "%s", d->table);
	fprintf(o, "  %-18s %-32s have %s, want %s\n", drift_kind_name(d->kind), where, d->have ? d->have : "-",
	        d->want ? d->want : "-");
	if (d->kind == DRIFT_WRONG_DIM)
		fprintf(o, "    table %s column %s: %s in the database vs vector(%d) configured for its "
		        "store (agent.storage.%s)\n", d->table, d->column, d->have, engine_table_dim(e, d->table),
		        config_table_section(d->table));
	if (engine_table_severity(e, d->table) != STEP_FAIL)
		fprintf(o, "    (affects only the %s store; bootstrap-kb and search do not need it)\n", d->table);
	if (d->note)
		fprintf(o, "    %s\n", d->note);
	if (!d->fix)
		return;
	fprintf(o, "    fix:\n");
	for (const char *p = d->fix; p && *p;) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		fprintf(o, "      %.*s\n", n, p);
		p = nl ? nl + 1 : NULL;
	}
}

static void verify_text(struct cli_ctx *ctx, struct engine *e, int rc, const char *schema)
{
	FILE *o = ctx->out;
	char *dims_text = engine_dims_text(e);
	fprintf(o, "vbadmin verify: backend %s, schema %s, %s\n\n", e->backend_name, schema, dims_text);
	free(dims_text);
	cli_print_steps(ctx, e, STEP_NONE);
	if (e->catalog_loaded && !e->ndrift)
		fprintf(o, "\nNo drift: all %d tables match the DDL (columns, each store's vector dim, indexes).\n",
		        e->ntables);
	else if (e->catalog_loaded)
		fprintf(o, "\nDrift (%d):\n", e->ndrift);
	for (int i = 0; e->catalog_loaded && i < e->ndrift; i++)
		print_drift(o, e, &e->drift[i]);
	fprintf(o, "\n%s (exit %d: %s)\n",
	        rc != VB_EXIT_OK ? "Not verified."
	        : e->ndrift      ? "Verified for the stores bootstrap-kb and search need; the drift above affects "
	                           "other stores only."
	                         : "Verified.",
	        rc, cli_exit_meaning(rc));
}

static int verify_report(struct cli_ctx *ctx, struct engine *e, int json)
{
	int rc = verify_run(e);
	const char *schema = e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
	if (json)
		verify_json(ctx, e, rc, schema);
	else
		verify_text(ctx, e, rc, schema);
	return rc;
}

int cli_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	return run_report(ctx, "verify", argc, argv, verify_report);
}
