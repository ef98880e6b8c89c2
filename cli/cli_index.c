/* cli/cli_index.c - `vbadmin index plan|create [--table T] [--method hnsw|ivfflat] [--json]`:
 * the optional ANN index step.  The plan and the build are the engine's (engine/index_pg.h,
 * engine/index_emb.h); this prints them, with the build's progress on stderr. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../config/config.h"
#include "../ddl/ddl.h"
#include "../engine/index_emb.h"
#include "../engine/index_pg.h"
#include "cli_engine.h"
#include "cli_signals.h"
#include "session.h"

static void fmt_bytes(char *out, size_t len, double b)
{
	if (b >= 1024.0 * 1024 * 1024)
		snprintf(out, len, "%.1f GiB", b / (1024.0 * 1024 * 1024));
	else if (b >= 1024.0 * 1024)
		snprintf(out, len, "%.1f MiB", b / (1024.0 * 1024));
	else
		snprintf(out, len, "%.0f kB", b / 1024.0);
}

static json_t *plan_json(const struct engine *e, const char *method, const struct engine_index_row *rows, int n)
{
	json_t *tables = json_array();
	for (int i = 0; i < n; i++) {
		const struct engine_index_row *r = &rows[i];
		json_t *inv = json_array();
		for (int k = 0; k < r->ninvalid; k++)
			json_array_append_new(inv, cli_json_str(r->invalid[k]));
		json_t *o = json_object();
		json_object_set_new(o, "table", cli_json_str(r->table));
		json_object_set_new(o, "present", json_boolean(r->present));
		json_object_set_new(o, "rows", json_integer((json_int_t)r->rows));
		json_object_set_new(o, "dim", json_integer(r->dim));
		json_object_set_new(o, "indexed", json_boolean(r->indexed));
		json_object_set_new(o, "memory_bytes", json_integer((json_int_t)r->need_bytes));
		json_object_set_new(o, "fits", json_boolean(r->need_bytes <= (double)e->maintenance_work_mem_bytes));
		json_object_set_new(o, "lists", json_integer(r->lists));
		json_object_set_new(o, "sql", cli_json_str(r->sql));
		json_object_set_new(o, "invalid_indexes", inv);
		json_object_set_new(o, "verdict", cli_json_str(r->verdict));
		json_array_append_new(tables, o);
	}
	json_t *doc = json_object();
	json_object_set_new(doc, "schema_version", json_integer(1));
	json_object_set_new(doc, "command", json_string("index plan"));
	json_object_set_new(doc, "method", cli_json_str(method));
	json_object_set_new(doc, "maintenance_work_mem_bytes", json_integer((json_int_t)e->maintenance_work_mem_bytes));
	json_object_set_new(doc, "tables", tables);
	return doc;
}

/* The embedded store: one method (ivf), built in-process; plan says what create would build. */
static void say_line(void *vctx, const char *line)
{
	struct cli_ctx *ctx = vctx;
	fprintf(ctx->err, "%s\n", line);
}

static void show_statement(void *vctx, const char *sql, const char *comment)
{
	struct cli_ctx *ctx = vctx;
	fprintf(ctx->out, "%s%s%s\n", sql, comment ? "  -- " : "", comment ? comment : "");
	fflush(ctx->out);
}

/* Builds one row with progress; prints the outcome; returns the exit code. */
static int build_one(struct cli_ctx *ctx, struct engine *e, const struct engine_index_row *p)
{
	struct engine_index_events ev = {ctx, say_line, show_statement};
	struct engine_index_outcome r;
	if (engine_index_build_pg(e, p, &ev, &r) == VB_EXIT_OK) {
		fprintf(ctx->out, "  created in %.1f s\n", r.seconds);
		return VB_EXIT_OK;
	}
	if (!r.build_failed) {
		fprintf(ctx->out, "  failed: %s\n", r.message);
		return r.exit;
	}
	fprintf(ctx->out, "  failed (%s): %s\n", r.errclass[0] ? r.errclass : "-", r.message);
	if (r.advice)
		fprintf(ctx->out, "  advice %s: %s\n", r.advice->id, r.advice->title);
	fprintf(ctx->out, "  %s\n", r.hint);
	return r.exit;
}

static int embedded_index(struct cli_ctx *ctx, struct engine *e, const char *table, const char *method, int create)
{
	if (method && strcmp(method, "ivf") != 0)
		return cli_usage_error(ctx, "index", "index: the embedded store builds --method ivf (IVF over int8 codes, "
		                       "float32 re-rank), not '%s'", method);
	if (!create) {
		fprintf(ctx->out, "index plan (embedded, ivf): about sqrt(rows) lists, each row assigned to its nearest; "
		        "stored in the namespace's store file; index create builds it\n");
		return VB_EXIT_OK;
	}
	struct engine_index_built b[16];
	int n = 0;
	struct vb_error err;
	int st = engine_index_create_embedded(e, table, b, 16, &n, &err);
	int built = 0;
	for (int i = 0; i < n; i++) {
		if (b[i].skipped)
			fprintf(ctx->out, "%s: skipped (%s)\n", b[i].table, b[i].rows < 0 ? "table missing" : "empty table");
		else if (b[i].status == VB_OK && ++built)
			fprintf(ctx->out, "%s: ivf index built over %lld rows in %.1f s\n", b[i].table, (long long)b[i].rows,
			        b[i].ms / 1000);
	}
	if (st != VB_OK && e->cancelled)
		return cli_cancelled(ctx, "%s; each index is stored in one transaction, so none is half-written; %s",
		                     err.message, built ? "the indexes reported built above stay" : "no index was built");
	if (st != VB_OK)
		return session_report(ctx, "index create", &err);
	fprintf(ctx->out, "%d index%s built\n", built, built == 1 ? "" : "es");
	return VB_EXIT_OK;
}

static void store_index_done(void *ctx, const char *table, int status, const struct vb_error *err)
{
	struct cli_ctx *c = ctx;
	(void)err; /* a failure is reported once, by lance_index */
	if (status == VB_OK)
		fprintf(c->out, "%s: indexes built\n", table);
}

/* LanceDB: the store builds Datus's indexes itself (fts, scalar, ivf or all); there is no plan. */
static int lance_index(struct cli_ctx *ctx, struct engine *e, const char *table, const char *method, int create)
{
	if (!create)
		return cli_usage_error(ctx, "index", "index: LanceDB builds Datus's indexes with index create (no plan)");
	if (!method)
		method = "all";
	if (strcmp(method, "fts") && strcmp(method, "scalar") && strcmp(method, "ivf") && strcmp(method, "all"))
		return cli_usage_error(ctx, "index", "index: LanceDB builds --method fts, scalar, ivf or all (Datus's "
		                       "indexes), not '%s'", method);
	struct vb_error err;
	vb_err_clear(&err);
	if (engine_store_index(e, table, method, store_index_done, ctx, &err) == VB_OK)
		return VB_EXIT_OK;
	if (e->cancelled)
		return cli_cancelled(ctx, "%s; the tables reported built above keep their indexes", err.message);
	fprintf(ctx->err, "vbadmin: index create: %s\n", err.message);
	return engine_exit_for_status(err.status);
}

/* The plan for people: a table of rows, memory and verdicts, then the statements create runs. */
static void print_plan(struct cli_ctx *ctx, const struct engine *e, const char *method,
                       const struct engine_index_row *rows, int n)
{
	char mwm[32];
	fmt_bytes(mwm, sizeof mwm, (double)e->maintenance_work_mem_bytes);
	fprintf(ctx->out, "index plan (%s, memory = rows x (8 + 4 x dim) x 1.3; maintenance_work_mem = %s)\n\n",
	        method, mwm);
	fprintf(ctx->out, "  %-16s %10s %6s %12s  %s\n", "table", "rows", "dim", "memory", "verdict");
	for (int i = 0; i < n; i++) {
		char need[32];
		fmt_bytes(need, sizeof need, rows[i].need_bytes);
		fprintf(ctx->out, "  %-16s %10lld %6d %12s  %s\n", rows[i].table, (long long)rows[i].rows, rows[i].dim,
		        rows[i].present ? need : "-", rows[i].verdict);
	}
	fprintf(ctx->out, "\nStatements (vbadmin index create runs them, with progress):\n");
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < rows[i].ninvalid; k++)
			fprintf(ctx->out, "  %s  -- invalid\n", rows[i].drop[k]);
		if (rows[i].sql && !rows[i].indexed && rows[i].rows > 0 && rows[i].dim <= ENGINE_INDEX_MAX_DIMS)
			fprintf(ctx->out, "  %s\n", rows[i].sql);
	}
}

/* Builds the planned indexes one by one, stopping at the first failure. */
static int build_all(struct cli_ctx *ctx, struct engine *e, const struct engine_index_row *rows, int n,
                     const char *table)
{
	int built = 0, rc = VB_EXIT_OK;
	for (int i = 0; i < n && rc == VB_EXIT_OK; i++) {
		const char *skip = engine_index_skip_reason(&rows[i], table != NULL);
		if (skip) {
			fprintf(ctx->out, "%s: skipped (%s)\n", rows[i].table, skip);
			continue;
		}
		rc = build_one(ctx, e, &rows[i]);
		built += rc == VB_EXIT_OK;
		if (rc == VB_EXIT_INTERRUPTED)
			rc = cli_cancelled(ctx, "the concurrent index build on %s was stopped and may leave an invalid index "
			                   "(the next index create drops it first); %s", rows[i].table,
			                   built ? "the indexes reported built above stay" : "no index was built before it");
	}
	if (rc == VB_EXIT_OK)
		fprintf(ctx->out, "%d index%s built\n", built, built == 1 ? "" : "es");
	return rc;
}

/* pgvector: hnsw (default) or ivfflat, planned from the catalog and built with progress. */
static int pg_index(struct cli_ctx *ctx, struct engine *e, const char *table, const char *method, int create,
                    int json)
{
	if (!method)
		method = "hnsw";
	else if (strcmp(method, "ivf") == 0)
		return cli_usage_error(ctx, "index", "index: ivf is the embedded store's method; pgvector builds hnsw or ivfflat");
	struct engine_index_row rows[16];
	int n = 0, rc = VB_EXIT_OK;
	if (engine_index_plan_pg(e, table, method, rows, 16, &n) != VB_OK) {
		cli_print_steps(ctx, e, STEP_dimensions);
		rc = engine_exit_code(e);
		if (rc == VB_EXIT_OK)
			rc = VB_EXIT_FIXABLE;
		fprintf(ctx->err, "vbadmin: index needs a connected database with the vector extension (exit %d)\n", rc);
		return rc;
	}
	if (create)
		rc = build_all(ctx, e, rows, n, table);
	else if (json)
		cli_json_emit(ctx->out, plan_json(e, method, rows, n));
	else
		print_plan(ctx, e, method, rows, n);
	engine_index_rows_free(rows, n);
	return rc;
}

static int is_lance_method(const char *m)
{
	return m && (!strcmp(m, "fts") || !strcmp(m, "scalar") || !strcmp(m, "all"));
}

static int parse_index(struct cli_ctx *ctx, int argc, char **argv, const char **table, const char **method,
                       int *json)
{
	struct cli_args a;
	cli_args_init(&a, ctx, "index", argc, argv, 0);
	for (int c; (c = cli_args_next(&a));) {
		if (c == 't')
			*table = optarg;
		else if (c == 'm')
			*method = optarg;
		else if (c == 'j')
			*json = 1;
	}
	if (cli_args_end(&a, 0))
		return a.rc;
	const char *m = *method;
	if (m && strcmp(m, "hnsw") != 0 && strcmp(m, "ivfflat") != 0 && strcmp(m, "ivf") != 0 && !is_lance_method(m))
		return cli_usage_error(ctx, "index", "index: --method must be hnsw or ivfflat (pgvector), ivf (embedded), or "
		                       "fts, scalar, ivf or all (LanceDB), not '%s'", m);
	if (*table && config_store_index(*table) < 0)
		return cli_usage_error(ctx, "index", "index: '%s' is not a vector table (schema_metadata, schema_value, "
		                       "semantic_model, metrics, reference_sql, ext_knowledge, document)", *table);
	return VB_EXIT_OK;
}

int cli_index(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "plan") != 0 && strcmp(argv[1], "create") != 0))
		return cli_usage_error(ctx, "index", "index needs a subcommand: plan or create");
	int create = strcmp(argv[1], "create") == 0;
	const char *table = NULL, *method = NULL;
	int json = 0;
	int rc = parse_index(ctx, argc - 1, argv + 1, &table, &method, &json);
	if (rc != VB_EXIT_OK)
		return rc;
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return rc;
	cli_signals_doing("index %s (%s) of namespace %s", create ? "create" : "plan", table ? table : "every vector table",
	                  e->vbc.namespace ? e->vbc.namespace : "default");
	if (e->kind == STEPK_LANCE)
		rc = lance_index(ctx, e, table, method, create);
	else if (is_lance_method(method))
		rc = cli_usage_error(ctx, "index", "index: --method %s is LanceDB's; this backend builds hnsw or ivfflat "
		                     "(pgvector) or ivf (embedded)", method);
	else if (e->kind != STEPK_PG)
		rc = embedded_index(ctx, e, table, method, create);
	else
		rc = pg_index(ctx, e, table, method, create, json);
	cli_engine_close(&e);
	return rc;
}
