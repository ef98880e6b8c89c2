/* engine/index_pg.c - the index use case on PostgreSQL (see index_pg.h). */
#include "index_pg.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/vb_sql.h"
#include "../backends/vb_util.h"
#include "engine.h"
#include "exitcode.h"

#define IDX_AUTO_MWM_LIMIT (1LL << 30) /* raise maintenance_work_mem by itself only up to 1 GiB */

static void say(const struct engine_index_events *ev, const char *fmt, ...) VB_PRINTF(2, 3);
static void say(const struct engine_index_events *ev, const char *fmt, ...)
{
	if (!ev->say)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *line = vb_xvasprintf(fmt, ap);
	va_end(ap);
	ev->say(ev->ctx, line);
	free(line);
}

/* A CREATE INDEX CONCURRENTLY that was cancelled, or whose server died, leaves its index in the
 * catalog marked invalid: not used by queries, still maintained on writes, and skipped by
 * IF NOT EXISTS.  Collect them so create can drop them first and plan can say so. */
static void find_invalid(struct engine *e, const char *schema, const char *table, struct engine_index_row *p)
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
	p->drop = vb_xcalloc(r->nrows + 1, sizeof *p->drop);
	for (size_t i = 0; i < r->nrows; i++) {
		char *qs = vb_quote_ident(schema), *qi = vb_quote_ident(vb_result_get(r, i, 0));
		p->drop[p->ninvalid] = vb_xasprintf("DROP INDEX CONCURRENTLY IF EXISTS %s.%s;", qs, qi);
		p->invalid[p->ninvalid++] = vb_xasprintf("%s.%s", qs, qi);
		free(qs);
		free(qi);
	}
	e->ops->result_free(e->h, &r);
}

static int make_plan(struct engine *e, const char *only, const char *method, struct engine_index_row *rows, int max, int *n)
{
	*n = 0;
	const char *schema = e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
	for (int i = 0; i < e->ntables; i++) {
		struct eng_table *t = &e->tables[i];
		if (!t->is_vector || (only && strcmp(only, t->name) != 0) || *n >= max)
			continue;
		struct engine_index_row *p = &rows[(*n)++];
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
		p->rows = engine_count_rows(e, q);
		double dim = p->dim > 0 ? p->dim : engine_table_dim(e, t->name); /* untyped column: its store's */
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
		if (p->dim > ENGINE_INDEX_MAX_DIMS)
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

int engine_index_plan_pg(struct engine *e, const char *only, const char *method, struct engine_index_row *rows,
                         int max, int *n)
{
	*n = 0;
	engine_run_all(e, STEP_dimensions);
	if (!e->catalog_loaded || !e->ext_installed)
		return VB_ERR_INVALID;
	make_plan(e, only, method, rows, max, n);
	return VB_OK;
}

void engine_index_rows_free(struct engine_index_row *rows, int n)
{
	for (int i = 0; i < n; i++) {
		free(rows[i].sql);
		for (int k = 0; k < rows[i].ninvalid; k++) {
			free(rows[i].invalid[k]);
			free(rows[i].drop[k]);
		}
		free(rows[i].invalid);
		free(rows[i].drop);
	}
}

const char *engine_index_skip_reason(const struct engine_index_row *p, int named)
{
	if (!p->present)
		return "table missing";
	if (p->indexed)
		return "already indexed";
	if (p->dim > ENGINE_INDEX_MAX_DIMS)
		return "too many dimensions";
	if (!named && p->rows <= 0)
		return "empty table";
	return NULL;
}

struct build_job {
	struct engine *e;
	const char *sql;
	struct vb_error err;
	int status;
	int done;             /* atomic: the waiting thread polls it */
};

static void *build_thread(void *arg)
{
	struct build_job *j = arg;
	struct vb_result *r = NULL;
	j->status = j->e->ops->query(j->e->h, j->sql, 0, NULL, &r, &j->err);
	if (r)
		j->e->ops->result_free(j->e->h, &r);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Raises maintenance_work_mem for this session when the plan needs more and it stays under
 * IDX_AUTO_MWM_LIMIT; above that the build goes on, slower, and the user is told why. */
static void raise_work_mem(struct engine *e, const struct engine_index_row *p, const struct engine_index_events *ev)
{
	if (p->need_bytes <= (double)e->maintenance_work_mem_bytes)
		return;
	if (p->need_bytes > (double)IDX_AUTO_MWM_LIMIT) {
		say(ev, "index: the plan needs more than 1 GiB of maintenance_work_mem; building with %s (slower). "
		    "Raise it yourself only below the server's free RAM (VEC-024).",
		    e->maintenance_work_mem ? e->maintenance_work_mem : "the default");
		return;
	}
	struct vb_error err;
	vb_err_clear(&err);
	char mwm[32];
	snprintf(mwm, sizeof mwm, "%lldMB", (long long)(p->need_bytes / (1024 * 1024)) + 1);
	char *set = vb_xasprintf("SET maintenance_work_mem = '%s'", mwm);
	struct vb_result *r = engine_query(e, set, 0, NULL, &err);
	free(set);
	if (r)
		e->ops->result_free(e->h, &r);
	say(ev, "index: maintenance_work_mem raised to %s for this session", mwm);
}

/* The building session's pid, which the watching session looks for ("0" when unknown). */
static void backend_pid(struct engine *e, char *pid, size_t len)
{
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_result *pr = engine_query(e, "SELECT pg_backend_pid()", 0, NULL, &err);
	snprintf(pid, len, "0");
	if (pr) {
		snprintf(pid, len, "%s", vb_result_get(pr, 0, 0) ? vb_result_get(pr, 0, 0) : "0");
		e->ops->result_free(e->h, &pr);
	}
}

/* Drops the invalid indexes an interrupted build left.  Returns VB_EXIT_OK, or the exit code
 * (never OK) with out->message set when a drop fails. */
static int drop_invalid(struct engine *e, const struct engine_index_row *p, const struct engine_index_events *ev,
                        struct engine_index_outcome *out)
{
	struct vb_error err;
	for (int i = 0; i < p->ninvalid; i++) {
		const char *drop = p->drop[i];
		if (ev->statement)
			ev->statement(ev->ctx, drop, "invalid, left by an interrupted build");
		vb_err_clear(&err);
		struct vb_result *r = engine_query(e, drop, 0, NULL, &err);
		if (!r) {
			snprintf(out->message, sizeof out->message, "%s", err.message);
			int rc = engine_exit_for_status(err.status);
			return rc == VB_EXIT_OK ? VB_EXIT_FIXABLE : rc;
		}
		e->ops->result_free(e->h, &r);
	}
	return VB_EXIT_OK;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Until the build thread is done: every 200 ms, the progress the watching session (NULL: none)
 * reads from pg_stat_progress_create_index for the building pid. */
static void watch_build(struct engine *e, struct vb_handle *watch, const char *pid, const struct build_job *job,
                        const struct timespec *t0, const struct engine_index_events *ev)
{
	struct vb_error werr;
	while (!__atomic_load_n(&job->done, __ATOMIC_ACQUIRE)) {
		struct timespec ts = {0, 200 * 1000 * 1000};
		nanosleep(&ts, NULL);
		if (!watch || __atomic_load_n(&job->done, __ATOMIC_ACQUIRE))
			continue;
		struct vb_result *r = NULL;
		vb_err_clear(&werr);
		if (e->ops->query(watch, "SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total "
		                  "FROM pg_stat_progress_create_index WHERE pid = $1", 1, (const char *const[]){pid}, &r,
		                  &werr) == VB_OK && r && r->nrows) {
			say(ev, "index: %6.1f s  %s  blocks %s/%s  tuples %s/%s", seconds_since(t0), vb_result_get(r, 0, 0),
			    vb_result_get(r, 0, 1), vb_result_get(r, 0, 2), vb_result_get(r, 0, 3), vb_result_get(r, 0, 4));
		}
		if (r)
			e->ops->result_free(watch, &r);
	}
}

/* The outcome of a failed build: its advice, the invalid index it leaves and the exit code. */
static int build_failed(struct engine *e, const struct engine_index_row *p, const struct build_job *job,
                        struct engine_index_outcome *out)
{
	char *cls = out->errclass;
	advice_classify(job->err.sqlstate, job->err.message, cls, sizeof out->errclass);
	const struct advice *a = advice_lookup(cls, job->err.message, NULL);
	out->advice = a;
	out->build_failed = 1;
	snprintf(out->hint, sizeof out->hint, "a failed CONCURRENTLY build leaves an invalid index behind: DROP INDEX "
	         "CONCURRENTLY IF EXISTS idx_%s_vector_hnsw, idx_%s_vector_ivfflat; (a re-run of vbadmin index create "
	         "drops it and builds again)", p->table, p->table);
	snprintf(out->message, sizeof out->message, "%s", job->err.message);
	if (e->cancelled || strcmp(cls, "57014") == 0)
		out->exit = VB_EXIT_INTERRUPTED;
	else
		out->exit = a && a->exit_code != VB_EXIT_OK ? a->exit_code : VB_EXIT_FIXABLE;
	return out->exit;
}

int engine_index_build_pg(struct engine *e, const struct engine_index_row *p, const struct engine_index_events *ev,
                          struct engine_index_outcome *out)
{
	memset(out, 0, sizeof *out);
	raise_work_mem(e, p, ev);
	char pid[32];
	backend_pid(e, pid, sizeof pid);
	/* a second session watches the first one build */
	struct vb_handle *watch = NULL;
	struct vb_error werr;
	vb_err_clear(&werr);
	if (e->ops->open(&e->vbc, &watch, &werr) != VB_OK)
		watch = NULL;
	out->exit = drop_invalid(e, p, ev, out);
	if (out->exit != VB_EXIT_OK) {
		if (watch)
			e->ops->close(&watch);
		return out->exit;
	}
	if (ev->statement)
		ev->statement(ev->ctx, p->sql, NULL);
	struct build_job job = {e, p->sql, {0}, 0, 0};
	pthread_t th;
	pthread_create(&th, NULL, build_thread, &job);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	watch_build(e, watch, pid, &job, &t0, ev);
	pthread_join(th, NULL);
	if (watch)
		e->ops->close(&watch);
	if (job.status != VB_OK)
		return build_failed(e, p, &job, out);
	out->seconds = seconds_since(&t0);
	out->exit = VB_EXIT_OK;
	return VB_EXIT_OK;
}

