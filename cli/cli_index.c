/* cli/cli_index.c - `vbadmin index plan|create [--table T] [--method hnsw|ivfflat] [--json]`:
 * the optional ANN index step.  plan: rows x (8 + 4 x dim) x 1.3 bytes against
 * maintenance_work_mem per vector table.  create: CREATE INDEX CONCURRENTLY on the session,
 * with live progress from pg_stat_progress_create_index read on a second connection, and
 * Ctrl-C cancelling the build server-side. */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/vb_sql.h"
#include "../ddl/ddl.h"
#include "../engine/index_emb.h"
#include "cli_engine.h"
#include "session.h"

#define IDX_MAX_DIMS 2000          /* pgvector's limit for indexing vector columns */
#define IDX_AUTO_MWM_LIMIT (1LL << 30) /* raise maintenance_work_mem by itself only up to 1 GiB */

struct plan_row {
	const char *table;
	int present, dim, indexed;
	int64_t rows;
	double need_bytes;
	int lists;
	char *sql;
	const char *verdict;
	char **invalid; /* quoted schema.index of ANN indexes an interrupted build left INVALID */
	int ninvalid;
};

/* A CREATE INDEX CONCURRENTLY that was cancelled, or whose server died, leaves its index in the
 * catalog marked invalid: not used by queries, still maintained on writes, and skipped by
 * IF NOT EXISTS.  Collect them so create can drop them first and plan can say so. */
static void find_invalid(struct engine *e, const char *schema, const char *table, struct plan_row *p)
{
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_result *r = engine_query(e,
		"SELECT c.relname FROM pg_catalog.pg_index i "
		"JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_class t ON t.oid = i.indrelid "
		"JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace JOIN pg_catalog.pg_am a ON a.oid = c.relam "
		"WHERE n.nspname = $1 AND t.relname = $2 AND NOT i.indisvalid AND a.amname IN ('hnsw', 'ivfflat') "
		"ORDER BY 1", 2, (const char *const[]){schema, table}, &err);
	if (!r)
		return;
	p->invalid = vb_xcalloc(r->nrows + 1, sizeof *p->invalid);
	for (size_t i = 0; i < r->nrows; i++) {
		char *qs = vb_quote_ident(schema), *qi = vb_quote_ident(vb_result_get(r, i, 0));
		p->invalid[p->ninvalid++] = vb_xasprintf("%s.%s", qs, qi);
		free(qs);
		free(qi);
	}
	e->ops->result_free(e->h, &r);
}

static int64_t exact_count(struct engine *e, const char *qualified)
{
	struct vb_error err;
	vb_err_clear(&err);
	char *sql = vb_xasprintf("SELECT count(*) FROM %s", qualified);
	struct vb_result *r = engine_query(e, sql, 0, NULL, &err);
	free(sql);
	if (!r)
		return -1;
	int64_t n = r->nrows ? atoll(vb_result_get(r, 0, 0)) : -1;
	e->ops->result_free(e->h, &r);
	return n;
}

static void fmt_bytes(char *out, size_t len, double b)
{
	if (b >= 1024.0 * 1024 * 1024)
		snprintf(out, len, "%.1f GiB", b / (1024.0 * 1024 * 1024));
	else if (b >= 1024.0 * 1024)
		snprintf(out, len, "%.1f MiB", b / (1024.0 * 1024));
	else
		snprintf(out, len, "%.0f kB", b / 1024.0);
}

static int make_plan(struct engine *e, const char *only, const char *method, struct plan_row *rows, int *n)
{
	*n = 0;
	const char *schema = e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
	for (int i = 0; i < e->ntables; i++) {
		struct eng_table *t = &e->tables[i];
		if (!t->is_vector || (only && strcmp(only, t->name) != 0))
			continue;
		struct plan_row *p = &rows[(*n)++];
		memset(p, 0, sizeof *p);
		p->table = t->name;
		p->present = t->present;
		p->dim = -1;
		if (!t->present) {
			p->verdict = "table missing (vbadmin ddl apply)";
			continue;
		}
		for (int c = 0; c < t->ncols; c++)
			if (strcmp(t->cols[c].type, "vector") == 0)
				p->dim = t->cols[c].typmod;
		find_invalid(e, schema, t->name, p);
		int ann = 0;
		for (int k = 0; k < t->nindexes; k++)
			if (strstr(t->indexdefs[k], "USING hnsw") || strstr(t->indexdefs[k], "USING ivfflat"))
				ann++;
		p->indexed = ann > p->ninvalid;
		char *qs = vb_quote_ident(schema), *qt = vb_quote_ident(t->name);
		char *q = vb_xasprintf("%s.%s", qs, qt);
		p->rows = exact_count(e, q);
		double dim = p->dim > 0 ? p->dim : e->vbc.dim;
		p->need_bytes = (double)(p->rows < 0 ? 0 : p->rows) * (8.0 + 4.0 * dim) * 1.3;
		p->lists = p->rows <= 1000000 ? (int)(p->rows / 1000 > 0 ? p->rows / 1000 : 1) : (int)sqrt((double)p->rows);
		if (strcmp(method, "ivfflat") == 0)
			p->sql = vb_xasprintf("CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_%s_vector_ivfflat ON %s USING ivfflat "
			                      "(vector vector_cosine_ops) WITH (lists = %d);", t->name, q, p->lists);
		else
			p->sql = vb_xasprintf("CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_%s_vector_hnsw ON %s USING hnsw "
			                      "(vector vector_cosine_ops);", t->name, q);
		free(qs);
		free(qt);
		free(q);
		if (p->dim > IDX_MAX_DIMS)
			p->verdict = "too many dimensions for an index (VEC-026: index a halfvec cast)";
		else if (p->ninvalid && !p->indexed)
			p->verdict = "invalid index left by an interrupted build: index create drops and rebuilds it";
		else if (p->indexed)
			p->verdict = "already indexed";
		else if (p->rows == 0)
			p->verdict = "empty: index after bootstrap-kb";
		else if (p->need_bytes > (double)e->maintenance_work_mem_bytes)
			p->verdict = "exceeds maintenance_work_mem (VEC-024): raise it for the session";
		else if (strcmp(method, "ivfflat") == 0 && p->rows < 10000)
			p->verdict = "little data: IVFFlat would have low recall (VEC-023); prefer hnsw";
		else
			p->verdict = "fits in maintenance_work_mem";
	}
	return *n;
}

struct build_job {
	struct engine *e;
	const char *sql;
	struct vb_error err;
	int status;
	volatile int done;
};

static void *build_thread(void *arg)
{
	struct build_job *j = arg;
	struct vb_result *r = NULL;
	j->status = j->e->ops->query(j->e->h, j->sql, 0, NULL, &r, &j->err);
	if (r)
		j->e->ops->result_free(j->e->h, &r);
	j->done = 1;
	return NULL;
}

/* Runs one CREATE INDEX with progress lines on stderr; returns an exit code. */
static json_t *plan_json(const struct engine *e, const char *method, const struct plan_row *rows, int n)
{
	json_t *tables = json_array();
	for (int i = 0; i < n; i++) {
		const struct plan_row *r = &rows[i];
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

static int build_one(struct cli_ctx *ctx, struct engine *e, struct plan_row *p)
{
	struct vb_error err;
	vb_err_clear(&err);
	char mwm[32] = "";
	if (p->need_bytes > (double)e->maintenance_work_mem_bytes) {
		if (p->need_bytes <= (double)IDX_AUTO_MWM_LIMIT) {
			snprintf(mwm, sizeof mwm, "%lldMB", (long long)(p->need_bytes / (1024 * 1024)) + 1);
			char *set = vb_xasprintf("SET maintenance_work_mem = '%s'", mwm);
			struct vb_result *r = engine_query(e, set, 0, NULL, &err);
			free(set);
			if (r)
				e->ops->result_free(e->h, &r);
			fprintf(ctx->err, "index: maintenance_work_mem raised to %s for this session\n", mwm);
		} else {
			fprintf(ctx->err, "index: the plan needs more than 1 GiB of maintenance_work_mem; building with %s "
			        "(slower). Raise it yourself only below the server's free RAM (VEC-024).\n",
			        e->maintenance_work_mem ? e->maintenance_work_mem : "the default");
		}
	}
	struct vb_result *pr = engine_query(e, "SELECT pg_backend_pid()", 0, NULL, &err);
	char pid[32] = "0";
	if (pr) {
		snprintf(pid, sizeof pid, "%s", vb_result_get(pr, 0, 0) ? vb_result_get(pr, 0, 0) : "0");
		e->ops->result_free(e->h, &pr);
	}
	/* a second session watches the first one build */
	struct vb_handle *watch = NULL;
	struct vb_error werr;
	vb_err_clear(&werr);
	if (e->ops->open(&e->vbc, &watch, &werr) != VB_OK)
		watch = NULL;
	for (int i = 0; i < p->ninvalid; i++) {
		char *drop = vb_xasprintf("DROP INDEX CONCURRENTLY IF EXISTS %s;", p->invalid[i]);
		fprintf(ctx->out, "%s  -- invalid, left by an interrupted build\n", drop);
		vb_err_clear(&err);
		struct vb_result *r = engine_query(e, drop, 0, NULL, &err);
		free(drop);
		if (!r) {
			fprintf(ctx->out, "  failed: %s\n", err.message);
			if (watch)
				e->ops->close(&watch);
			return engine_exit_for_status(err.status) == VB_EXIT_OK ? VB_EXIT_FIXABLE : engine_exit_for_status(err.status);
		}
		e->ops->result_free(e->h, &r);
	}
	fprintf(ctx->out, "%s\n", p->sql);
	fflush(ctx->out);
	struct build_job job = {e, p->sql, {0}, 0, 0};
	pthread_t th;
	pthread_create(&th, NULL, build_thread, &job);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!job.done) {
		struct timespec ts = {0, 200 * 1000 * 1000};
		nanosleep(&ts, NULL);
		if (!watch || job.done)
			continue;
		struct vb_result *r = NULL;
		vb_err_clear(&werr);
		if (e->ops->query(watch, "SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total "
		                  "FROM pg_stat_progress_create_index WHERE pid = $1", 1, (const char *const[]){pid}, &r,
		                  &werr) == VB_OK && r && r->nrows) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			double s = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
			fprintf(ctx->err, "index: %6.1f s  %s  blocks %s/%s  tuples %s/%s\n", s, vb_result_get(r, 0, 0),
			        vb_result_get(r, 0, 1), vb_result_get(r, 0, 2), vb_result_get(r, 0, 3), vb_result_get(r, 0, 4));
		}
		if (r)
			e->ops->result_free(watch, &r);
	}
	pthread_join(th, NULL);
	if (watch)
		e->ops->close(&watch);
	if (job.status != VB_OK) {
		char cls[24];
		advice_classify(job.err.sqlstate, job.err.message, cls, sizeof cls);
		const struct advice *a = advice_lookup(cls, job.err.message, NULL);
		fprintf(ctx->out, "  failed (%s): %s\n", cls[0] ? cls : "-", job.err.message);
		if (a)
			fprintf(ctx->out, "  advice %s: %s\n", a->id, a->title);
		fprintf(ctx->out, "  a failed CONCURRENTLY build leaves an invalid index behind: DROP INDEX CONCURRENTLY "
		        "IF EXISTS idx_%s_vector_hnsw, idx_%s_vector_ivfflat; (a re-run of vbadmin index create drops "
		        "it and builds again)\n", p->table, p->table);
		if (e->cancelled || strcmp(cls, "57014") == 0)
			return VB_EXIT_INTERRUPTED;
		return a && a->exit_code != VB_EXIT_OK ? a->exit_code : VB_EXIT_FIXABLE;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(ctx->out, "  created in %.1f s\n", (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9);
	return VB_EXIT_OK;
}

/* The embedded store: one method (ivf), built in-process; plan says what create would build. */
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
	if (st != VB_OK)
		return session_report(ctx, "index create", &err);
	fprintf(ctx->out, "%d index%s built\n", built, built == 1 ? "" : "es");
	return VB_EXIT_OK;
}

int cli_index(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "plan") != 0 && strcmp(argv[1], "create") != 0))
		return cli_usage_error(ctx, "index", "index needs a subcommand: plan or create");
	int create = strcmp(argv[1], "create") == 0;
	char shortopts[16];
	const struct option *opts = cli_getopt("index", shortopts, sizeof shortopts);
	const char *table = NULL, *method = NULL;
	int json = 0, c, rc;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		if (c == 't')
			table = optarg;
		else if (c == 'm')
			method = optarg;
		else if (c == 'j')
			json = 1;
		else
			return cli_bad_option(ctx, "index", argv[optind - 1], opts);
	}
	if (method && strcmp(method, "hnsw") != 0 && strcmp(method, "ivfflat") != 0 && strcmp(method, "ivf") != 0)
		return cli_usage_error(ctx, "index", "index: --method must be hnsw or ivfflat (pgvector) or ivf (embedded), "
		                       "not '%s'", method);
	if (table) {
		const struct vb_table_spec *s = ddl_table_spec(table, 384);
		if (!s || !s->vector_column)
			return cli_usage_error(ctx, "index", "index: '%s' is not a vector table (schema_metadata, schema_value, "
			                       "semantic_model, metrics, reference_sql, ext_knowledge, document)", table);
	}
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return rc;
	if (e->kind != STEPK_PG) {
		rc = embedded_index(ctx, e, table, method, create);
		cli_engine_close(&e);
		return rc;
	}
	if (!method)
		method = "hnsw";
	else if (strcmp(method, "ivf") == 0)
		return cli_usage_error(ctx, "index", "index: ivf is the embedded store's method; pgvector builds hnsw or ivfflat");
	engine_run_all(e, STEP_dimensions);
	if (!e->catalog_loaded || !e->ext_installed) {
		cli_print_steps(ctx, e, STEP_dimensions);
		rc = engine_exit_code(e);
		if (rc == VB_EXIT_OK)
			rc = VB_EXIT_FIXABLE;
		fprintf(ctx->err, "vbadmin: index needs a connected database with the vector extension (exit %d)\n", rc);
		cli_engine_close(&e);
		return rc;
	}
	struct plan_row rows[16];
	int n = 0;
	make_plan(e, table, method, rows, &n);
	char mwm[32];
	fmt_bytes(mwm, sizeof mwm, (double)e->maintenance_work_mem_bytes);
	rc = VB_EXIT_OK;
	if (json && !create) {
		cli_json_emit(ctx->out, plan_json(e, method, rows, n));
	} else if (!create) {
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
				fprintf(ctx->out, "  DROP INDEX CONCURRENTLY IF EXISTS %s;  -- invalid\n", rows[i].invalid[k]);
			if (rows[i].sql && !rows[i].indexed && rows[i].rows > 0 && rows[i].dim <= IDX_MAX_DIMS)
				fprintf(ctx->out, "  %s\n", rows[i].sql);
		}
	} else {
		int built = 0;
		for (int i = 0; i < n && rc == VB_EXIT_OK; i++) {
			struct plan_row *p = &rows[i];
			if (!p->present || p->indexed || p->dim > IDX_MAX_DIMS || (!table && p->rows <= 0)) {
				fprintf(ctx->out, "%s: skipped (%s)\n", p->table,
				        !p->present ? "table missing" : p->indexed ? "already indexed"
				        : p->dim > IDX_MAX_DIMS ? "too many dimensions" : "empty table");
				continue;
			}
			rc = build_one(ctx, e, p);
			built += rc == VB_EXIT_OK;
		}
		if (rc == VB_EXIT_OK)
			fprintf(ctx->out, "%d index%s built\n", built, built == 1 ? "" : "es");
	}
	for (int i = 0; i < n; i++) {
		free(rows[i].sql);
		for (int k = 0; k < rows[i].ninvalid; k++)
			free(rows[i].invalid[k]);
		free(rows[i].invalid);
	}
	cli_engine_close(&e);
	return rc;
}
