/* engine/search.c - the search use case (see search.h). */
#include "search.h"
#include "search_limits.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/registry.h"
#include "../backends/vb_filter.h"
#include "../backends/vb_sql.h"
#include "../backends/vb_util.h"
#include "../ddl/ddl.h"
#include "../kb/embed.h"
#include "../kb/subject_match.h"
#include "../config/config.h"
#include "embedding.h"
#include "engine.h"
#include "search_recall.h"

static const char *const mode_names[] = {
#define X(sym, name) name,
	ENGINE_SEARCH_MODES(X)
#undef X
};

const char *engine_search_mode_name(int mode)
{
	return mode >= 0 && mode < ENGINE_MODE__COUNT ? mode_names[mode] : "auto";
}

int engine_search_mode_parse(const char *name)
{
	if (!name)
		return ENGINE_MODE_AUTO;
	for (int m = 0; m < ENGINE_MODE__COUNT; m++)
		if (strcmp(name, mode_names[m]) == 0)
			return m;
	return -2;
}

const char *engine_search_cell(const struct vb_result *r, size_t row, const char *col)
{
	int c = col ? vb_result_col(r, col) : -1;
	const char *v = c >= 0 ? vb_result_get(r, row, c) : NULL;
	return v ? v : "";
}

/* Parses and checks a filter against the table.  The backends' message for an unknown column
 * is Datus's own text and stays as it is; the user also needs the columns that do exist. */
static struct vb_filter *filter_build(const struct vb_table_spec *spec, const char *where, struct vb_error *err)
{
	struct vb_filter *f = vb_filter_parse(where, err);
	if (f && vb_filter_check(f, spec, err) == VB_OK)
		return f;
	vb_filter_free(f);
	if (!err->status)
		err->status = VB_ERR_INVALID;
	if (strncmp(err->message, "Unknown column", 14) != 0)
		return NULL;
	struct vb_buf b;
	vb_buf_init(&b);
	for (int i = 0; i < spec->ncolumns; i++)
		if (!spec->vector_column || strcmp(spec->columns[i].name, spec->vector_column) != 0)
			vb_buf_printf(&b, "%s%s", b.len ? ", " : "", spec->columns[i].name);
	char *msg = vb_xasprintf("%s; the columns of %s are: %s, namespace", err->message, spec->name, b.data ? b.data : "");
	vb_err_set(err, VB_ERR_INVALID, "%s", msg);
	free(msg);
	vb_buf_free(&b);
	return NULL;
}

int engine_search_check_filter(const struct engine *e, const char *table, const char *where, struct vb_error *err)
{
	vb_err_clear(err);
	if (!where || !*where)
		return VB_OK;
	const struct vb_table_spec *spec = ddl_table_spec(table, engine_table_dim(e, table));
	if (!spec)
		return vb_err_set(err, VB_ERR_INVALID, "unknown table '%s'", table);
	struct vb_filter *f = filter_build(spec, where, err);
	vb_filter_free(f);
	return f ? VB_OK : err->status;
}

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One search in flight: the request, what was prepared for it and where it failed. */
struct job {
	struct engine *e;
	const struct engine_search_req *req;
	struct engine_search_res *res;
	struct vb_error *err;
	struct vb_filter *filter;
	struct eng_embedding ee; /* the store's recorded model (engine/embedding.h) */
	int ee_open;
	float *q;        /* the query's embedding, when a step needs it */
};

static int fail(struct job *j, const char *stage, int st)
{
	j->res->failed_at = stage;
	if (!j->err->status)
		j->err->status = st;
	return j->err->status;
}

/* Queries are embedded with the model recorded for the table's store (else its configured one);
 * the table's dimension is that model's. */
static void pick_embedder(struct job *j, const char *table)
{
	struct engine *e = j->e;
	eng_embedding_for_search(e->cfg, &e->vbc, e->backend_override, e->embedder_override, table, &j->ee);
	j->ee_open = 1;
	snprintf(j->res->embedder, sizeof j->res->embedder, "%s", j->ee.describe);
	j->res->embedder_runs = j->ee.emb != NULL;
}

static int pick_table(struct job *j)
{
	const char *name = j->req->table ? j->req->table : "semantic_model";
	/* the table's own store's dim (its embedding section in agent.storage), or the dim of the
	 * model recorded for the store, whose queries must be embedded with it */
	j->res->spec = ddl_table_spec(name, engine_table_dim(j->e, name));
	if (j->res->spec && j->res->spec->vector_column && j->e->cfg && j->e->config_ok) {
		pick_embedder(j, name);
		if (j->ee.choice.model.dim_size > 0)
			j->res->spec = ddl_table_spec(name, j->ee.choice.model.dim_size);
	}
	if (j->res->spec && j->res->spec->vector_column)
		return VB_OK;
	struct vb_buf b;
	vb_buf_init(&b);
	for (int i = 0; i < ddl_table_count(); i++)
		if (ddl_table_is_vector(i))
			vb_buf_printf(&b, " %s", ddl_table_name(i));
	vb_err_set(j->err, VB_ERR_INVALID, "table '%s' is not a vector table; use one of:%s", name, b.data ? b.data : "");
	vb_buf_free(&b);
	return fail(j, "table", VB_ERR_INVALID);
}

static int check_request(struct job *j)
{
	const struct engine_search_req *r = j->req;
	if (r->top < 1 || r->top > 10000) {
		vb_err_set(j->err, VB_ERR_INVALID, "top must be 1..10000, got %d", r->top);
		return fail(j, "top", VB_ERR_INVALID);
	}
	if (r->mode < ENGINE_MODE_AUTO || r->mode >= ENGINE_MODE__COUNT) {
		vb_err_set(j->err, VB_ERR_INVALID, "mode must be vector, text or hybrid");
		return fail(j, "mode", VB_ERR_INVALID);
	}
	if (pick_table(j) != VB_OK)
		return j->err->status;
	if (!r->where || !*r->where)
		return VB_OK;
	j->filter = filter_build(j->res->spec, r->where, j->err);
	if (!j->filter)
		return fail(j, "filter", VB_ERR_INVALID);
	return VB_OK;
}

/* Opens the store, readies the table and resolves AUTO to what the backend does best. */
static int prepare(struct job *j)
{
	struct engine *e = j->e;
	if (engine_open_backend_existing(e, j->err) != VB_OK)
		return fail(j, e->config_ok || e->ops_injected ? "store" : "config", VB_ERR_CONNECT);
	j->res->mode = j->req->mode;
	if (j->res->mode == ENGINE_MODE_AUTO)
		j->res->mode = (e->ops->caps & VB_CAP_HYBRID) && e->ops->search_hybrid ? ENGINE_MODE_HYBRID : ENGINE_MODE_VECTOR;
	int st = e->ops->ensure_table(e->h, j->res->spec, j->err);
	/* a lost server and a missing extension are not "table not ready": say which it is */
	if (st == VB_ERR_CONNECT)
		return fail(j, "server gone", st);
	if (st == VB_ERR_NOT_FOUND && strstr(j->err->message, "extension"))
		return fail(j, "extension", st);
	if (st != VB_OK)
		return fail(j, "table not ready", VB_ERR_INTERNAL);
	return VB_OK;
}

static int embed_query(struct job *j)
{
	if (j->q)
		return VB_OK;
	if (!j->ee.emb) {
		eng_embedding_refuse(&j->ee, j->res->mode == ENGINE_MODE_HYBRID ? "hybrid" : "vector", j->err);
		return fail(j, "embedder", VB_ERR_NOT_FOUND);
	}
	int dim = j->res->spec->vector_dim;
	if (embedder_dim(j->ee.emb) != dim) {
		/* each store has its own model (agent.storage.<section>); never search one with another's */
		vb_err_set(j->err, VB_ERR_SCHEMA,
		           "table %s holds %d-dimension vectors (its store's embedding model, agent.storage.%s) but the "
		           "query embedder gives %d dimensions; search that table with its own store's model",
		           j->res->spec->name, dim, config_table_section(j->res->spec->name), embedder_dim(j->ee.emb));
		return fail(j, "embedder", VB_ERR_SCHEMA);
	}
	j->q = vb_xmalloc((size_t)dim * sizeof *j->q);
	const char *text = j->req->query ? j->req->query : "";
	if (embedder_embed(j->ee.emb, &text, 1, j->q, j->err) != VB_OK) {
		free(j->q);
		j->q = NULL;
		return fail(j, "embedder", VB_ERR_INTERNAL);
	}
	return VB_OK;
}

static int mode_supported(const struct vb_ops *ops, int mode)
{
	if (mode == ENGINE_MODE_TEXT)
		return (ops->caps & VB_CAP_TEXT) && ops->search_text;
	if (mode == ENGINE_MODE_HYBRID)
		return (ops->caps & VB_CAP_HYBRID) && ops->search_hybrid;
	return ops->search_vector != NULL;
}

static void take_path(struct job *j)
{
	const struct vb_ops *ops = j->e->ops;
	const char *p = VB_SLOT(ops, search_path) ? ops->search_path(j->e->h) : NULL;
	snprintf(j->res->search_path, sizeof j->res->search_path, "%s", p ? p : "");
}

/* One search of the request's mode with filter f (NULL: none) into *rows. */
static int search_once(struct job *j, const struct vb_filter *f, struct vb_result **rows)
{
	struct engine *e = j->e;
	const struct vb_table_spec *spec = j->res->spec;
	int mode = j->res->mode, top = j->req->top;
	const char *text = j->req->query ? j->req->query : "";
	if (mode == ENGINE_MODE_VECTOR)
		return e->ops->search_vector(e->h, spec, j->q, spec->vector_dim, top, f, NULL, rows, j->err);
	if (mode == ENGINE_MODE_TEXT)
		return e->ops->search_text(e->h, spec, text, top, f, NULL, rows, j->err);
	return e->ops->search_hybrid(e->h, spec, text, j->q, spec->vector_dim, top, f, NULL, rows, j->err);
}

/* The request's --where plus semantic_model_name IN (...), built anew for each search. */
static struct vb_filter *base_filter(struct job *j, struct vb_filter *extra)
{
	struct vb_filter *kids[3];
	size_t n = 0;
	if (j->req->where && *j->req->where)
		kids[n++] = vb_filter_parse(j->req->where, j->err); /* checked by check_request */
	if (j->req->nsemantic_models > 0) {
		struct vb_value *v = vb_xcalloc((size_t)j->req->nsemantic_models, sizeof *v);
		for (int i = 0; i < j->req->nsemantic_models; i++)
			v[i] = (struct vb_value){.type = VB_T_TEXT, .u.s = j->req->semantic_models[i]};
		kids[n++] = vb_filter_in("semantic_model_name", v, (size_t)j->req->nsemantic_models);
		free(v);
	}
	if (extra)
		kids[n++] = extra;
	return n == 0 ? NULL : n == 1 ? kids[0] : vb_filter_and(kids, n);
}

/* Appends src's rows to *dst (created with src's columns plus subject_path), with the path of
 * each row's subject_node_id (Datus's _enrich_with_subject_path). */
static void append_rows(struct vb_result **dst, const struct vb_result *src, const struct subject_nodes *t)
{
	int n = src->ncols, sn = vb_result_col(src, "subject_node_id");
	if (!*dst) {
		const char **cols = vb_xcalloc((size_t)n + 1, sizeof *cols);
		for (int c = 0; c < n; c++)
			cols[c] = src->cols[c];
		cols[n] = "subject_path";
		*dst = vb_result_new(n + 1, cols);
		free(cols);
	}
	const char **cells = vb_xcalloc((size_t)n + 1, sizeof *cells);
	for (size_t i = 0; i < src->nrows; i++) {
		for (int c = 0; c < n; c++)
			cells[c] = vb_result_get(src, i, c);
		const char *id = vb_result_get(src, i, sn);
		char *path = id && *id ? subject_nodes_path(t, strtoll(id, NULL, 10)) : NULL;
		cells[n] = path;
		size_t row = vb_result_add_row(*dst, cells);
		free(path);
		if (src->distance)
			vb_result_set_distance(*dst, row, src->distance[i]);
		if (src->vec_sim)
			vb_result_set_parts(*dst, row, src->vec_sim[i], src->bm25[i]);
		if (src->score)
			vb_result_set_score(*dst, row, src->score[i]);
	}
	free(cells);
}

static int need_column(struct job *j, const char *col, const char *what)
{
	if (vb_spec_column(j->res->spec, col))
		return VB_OK;
	vb_err_set(j->err, VB_ERR_INVALID, "%s filters tables with a %s column (metrics); %s has none", what, col,
	           j->res->spec->name);
	return fail(j, "filter", VB_ERR_INVALID);
}

/* search_with_subject_filter: one search per subject filter, results concatenated. */
static int search_by_subject(struct job *j)
{
	struct engine *e = j->e;
	struct subject_nodes t;
	int st = subject_nodes_load(e->ops, e->h, ddl_table_spec("subject_nodes", e->vbc.dim), &t, j->err);
	if (st != VB_OK)
		return fail(j, "search", st);
	struct vb_filter *sf[2];
	int nf = 0;
	subject_match_filters(&t, j->req->subject_path, sf, &nf);
	if (nf == 0) /* no node matches: Datus returns no rows; this keeps the columns */
		sf[nf++] = vb_filter_in("subject_node_id", NULL, 0);
	struct vb_result *merged = NULL;
	for (int i = 0; i < nf; i++) {
		if (st != VB_OK) {
			vb_filter_free(sf[i]);
			continue;
		}
		struct vb_filter *f = base_filter(j, sf[i]);
		struct vb_result *part = NULL;
		st = search_once(j, f, &part);
		vb_filter_free(f);
		if (part) {
			append_rows(&merged, part, &t);
			e->ops->result_free(e->h, &part);
		}
	}
	subject_nodes_free(&t);
	if (st != VB_OK) {
		vb_result_destroy(&merged);
		return fail(j, "search", st);
	}
	j->res->rows = merged;
	return VB_OK;
}

/* Why a search found nothing: the namespace holds no row of the table, the filter matches
 * none, or text mode wanted every word of the query.  Counts are best effort: a backend that
 * cannot count leaves the general reason. */
static void explain_empty(struct job *j)
{
	struct engine *e = j->e;
	const struct vb_table_spec *spec = j->res->spec;
	const char *ns = e->vbc.namespace ? e->vbc.namespace : "default";
	char *why = j->res->empty_why;
	size_t len = sizeof j->res->empty_why;
	struct vb_error ignored;
	vb_err_clear(&ignored);
	int64_t all = -1, matching = -1;
	if (VB_SLOT(e->ops, count) && e->ops->count(e->h, spec, NULL, &all, &ignored) != VB_OK)
		all = -1;
	if (all > 0 && j->filter && e->ops->count(e->h, spec, j->filter, &matching, &ignored) != VB_OK)
		matching = -1;
	if (all == 0)
		snprintf(why, len, "table %s has no rows in namespace %s: load them first (vbadmin bootstrap-kb)", spec->name,
		         ns);
	else if (matching == 0)
		snprintf(why, len, "none of the %lld rows of %s in namespace %s matches the filter %s", (long long)all,
		         spec->name, ns, j->req->where);
	else if (j->res->mode == ENGINE_MODE_TEXT)
		snprintf(why, len, "text mode finds only rows that hold every word of the query; try fewer words, or the "
		         "vector or hybrid mode");
	else
		snprintf(why, len, "the backend returned no row for this query");
}

static int run_search(struct job *j)
{
	struct engine *e = j->e;
	int mode = j->res->mode;
	if (!mode_supported(e->ops, mode)) {
		vb_err_set(j->err, VB_ERR_UNSUPPORTED, "backend %s does not support %s search; use the vector mode",
		           e->ops->name, mode_names[mode]);
		return fail(j, "search", VB_ERR_UNSUPPORTED);
	}
	if (j->req->subject_path && need_column(j, "subject_node_id", "--subject-path") != VB_OK)
		return j->err->status;
	if (j->req->nsemantic_models > 0 && need_column(j, "semantic_model_name", "--semantic-model") != VB_OK)
		return j->err->status;
	if (engine_search_check_query(j->req->query, mode, j->err) != VB_OK)
		return fail(j, "query", VB_ERR_INVALID);
	double t0 = mono_ms();
	if (mode != ENGINE_MODE_TEXT && embed_query(j) != VB_OK)
		return j->err->status;
	char saved[64];
	engine_search_timeout_set(e->ops, e->h, j->req->timeout_ms, saved, sizeof saved);
	int st;
	if (j->req->subject_path) {
		st = search_by_subject(j);
	} else {
		struct vb_filter *f = j->req->nsemantic_models > 0 ? base_filter(j, NULL) : NULL;
		st = search_once(j, f ? f : j->filter, &j->res->rows);
		vb_filter_free(f);
		if (st != VB_OK)
			fail(j, "search", st);
	}
	engine_search_timeout_restore(e->ops, e->h, saved);
	if (st == VB_ERR_CANCELLED && saved[0] && !e->cancelled)
		snprintf(j->err->hint, sizeof j->err->hint,
		         "the search ran longer than the %d ms search timeout; narrow it with --where or fewer words, or "
		         "raise the limit with --timeout SECONDS", j->req->timeout_ms > 0 ? j->req->timeout_ms
		                                                                   : ENGINE_SEARCH_TIMEOUT_MS);
	j->res->ms = mono_ms() - t0;
	if (st == VB_OK && mode != ENGINE_MODE_TEXT)
		take_path(j);
	if (st == VB_OK && j->res->rows && j->res->rows->nrows == 0)
		explain_empty(j);
	return st;
}

/* The vector query shape the pgvector plugin runs, for EXPLAIN (exact: "+ 0" hides the operator
 * from the planner, so no index serves it). */
static char *vector_sql(const struct engine *e, const struct vb_table_spec *spec, int exact, int explain)
{
	const char *schema = e->vbc.schema && *e->vbc.schema ? e->vbc.schema : "public";
	char *qs = vb_quote_ident(schema), *qt = vb_quote_ident(spec->name), *qk = vb_quote_ident(spec->key_column);
	char *sql = vb_xasprintf("%sSELECT %s FROM %s.%s WHERE namespace = $1 ORDER BY (vector <=> $2::vector)%s "
	                         "LIMIT $3::int", explain ? "EXPLAIN " : "", qk, qs, qt, exact ? " + 0" : "");
	free(qs);
	free(qt);
	free(qk);
	return sql;
}

/* Runs one vector query shape through the query slot; *ms gets its latency. */
static int vector_query(struct job *j, int exact, int explain, struct vb_result **out, double *ms)
{
	struct engine *e = j->e;
	char *vec = vb_vector_to_text(j->q, j->res->spec->vector_dim);
	char top[16];
	snprintf(top, sizeof top, "%d", j->req->top);
	const char *params[] = {e->vbc.namespace ? e->vbc.namespace : "default", vec, top};
	char *sql = vector_sql(e, j->res->spec, exact, explain);
	double t0 = mono_ms();
	int st = e->ops->query(e->h, sql, 3, params, out, j->err);
	if (ms)
		*ms = mono_ms() - t0;
	free(sql);
	free(vec);
	return st;
}

/* How the backend answers this vector search (its search path); on SQL backends also the
 * planner's EXPLAIN of the vector query shape (namespace filter, default settings). */
static int run_explain(struct job *j)
{
	struct engine *e = j->e;
	if (embed_query(j) != VB_OK)
		return j->err->status;
	if (!j->res->search_path[0] || j->res->mode != ENGINE_MODE_VECTOR) {
		const struct vb_table_spec *spec = j->res->spec;
		struct vb_result *r = NULL;
		if (e->ops->search_vector(e->h, spec, j->q, spec->vector_dim, j->req->top, j->filter, NULL, &r, j->err) !=
		    VB_OK)
			return fail(j, "explain", VB_ERR_INTERNAL);
		e->ops->result_free(e->h, &r);
		take_path(j);
	}
	if (!(e->ops->caps & VB_CAP_SQL) || !e->ops->query)
		return VB_OK;
	struct vb_result *r = NULL;
	if (vector_query(j, 0, 1, &r, NULL) != VB_OK)
		return fail(j, "explain", VB_ERR_INTERNAL);
	j->res->plan = vb_xcalloc(r->nrows + 1, sizeof *j->res->plan);
	for (size_t i = 0; i < r->nrows; i++) {
		const char *line = vb_result_get(r, i, 0);
		j->res->plan[j->res->nplan++] = vb_xstrdup(line ? line : "");
	}
	e->ops->result_free(e->h, &r);
	return VB_OK;
}

/* recall@k: the backend's vector search against its exact scan, same namespace and filter. */
static int run_recall(struct job *j)
{
	if (embed_query(j) != VB_OK)
		return j->err->status;
	struct search_recall rr;
	struct engine_search_res *res = j->res;
	if (search_recall_measure(j->e->ops, j->e->h, res->spec, j->q, j->req->top, j->filter, &rr, j->err) != VB_OK)
		return fail(j, "recall", VB_ERR_INTERNAL);
	res->recall = rr.recall;
	res->recall_found = rr.found;
	res->recall_exact = rr.exact_rows;
	res->ms_index = rr.ms_search;
	res->ms_exact = rr.ms_exact;
	res->recall_done = 1;
	if (!res->search_path[0])
		snprintf(res->search_path, sizeof res->search_path, "%s", rr.path);
	return VB_OK;
}

static int cancelled(struct job *j)
{
	if (!j->e->cancelled)
		return 0;
	vb_err_set(j->err, VB_ERR_CANCELLED, "cancelled");
	fail(j, "search", VB_ERR_CANCELLED);
	return 1;
}

int engine_search(struct engine *e, const struct engine_search_req *req, struct engine_search_res *res,
                  struct vb_error *err)
{
	memset(res, 0, sizeof *res);
	vb_err_clear(err);
	struct job j = {.e = e, .req = req, .res = res, .err = err};
	unsigned what = req->what ? req->what : ENGINE_SEARCH_RUN;
	int st = check_request(&j);
	if (st == VB_OK)
		st = prepare(&j);
	if (st == VB_OK && (what & ENGINE_SEARCH_RUN) && !cancelled(&j))
		st = run_search(&j);
	if (st == VB_OK && (what & ENGINE_SEARCH_EXPLAIN) && !cancelled(&j))
		st = run_explain(&j);
	if (st == VB_OK && (what & ENGINE_SEARCH_RECALL) && !cancelled(&j))
		st = run_recall(&j);
	if (st == VB_OK && err->status == VB_ERR_CANCELLED)
		st = VB_ERR_CANCELLED;
	free(j.q);
	if (j.ee_open)
		eng_embedding_close(&j.ee);
	vb_filter_free(j.filter);
	return st;
}

void engine_search_free(struct engine *e, struct engine_search_res *res)
{
	if (res->rows && e->ops)
		e->ops->result_free(e->h, &res->rows);
	for (int i = 0; i < res->nplan; i++)
		free(res->plan[i]);
	free(res->plan);
	res->plan = NULL;
	res->nplan = 0;
}
