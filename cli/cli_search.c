/* cli/cli_search.c - `vbadmin search`: parses the options, calls engine_search and prints the
 * ranked rows (text or --json), the plan (--explain) and recall@k (--recall). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/search.h"
#include "cli_engine.h"
#include "cli_signals.h"
#include "cli_json.h"
#include "session.h"

static void print_text(struct cli_ctx *ctx, const struct engine_search_res *s)
{
	const struct vb_result *r = s->rows;
	const char *table = s->spec->name;
	fprintf(ctx->out, "%s search on %s: %zu result%s in %.1f ms\n", engine_search_mode_name(s->mode), table, r->nrows,
	        r->nrows == 1 ? "" : "s", s->ms);
	fprintf(ctx->out, "embedder: %s%s\n", s->embedder, s->mode == ENGINE_MODE_TEXT ? " (not used by text search)" : "");
	if (!r->nrows) {
		if (s->empty_why[0])
			fprintf(ctx->out, "why: %s\n", s->empty_why);
		return;
	}
	fprintf(ctx->out, "%4s  %-40s %-8s %10s %10s\n", "rank", "id", "kind", "distance", "score");
	for (size_t i = 0; i < r->nrows; i++) {
		char d[32] = "-", sc[32] = "-";
		if (r->distance)
			snprintf(d, sizeof d, "%.4f", r->distance[i]);
		if (r->score)
			snprintf(sc, sizeof sc, "%.4f", r->score[i]);
		const char *kind = vb_result_col(r, "kind") >= 0 ? engine_search_cell(r, i, "kind") : table;
		/* stored text is data, not terminal commands: control characters are shown escaped */
		char *id = vb_text_printable(engine_search_cell(r, i, "id"), 0);
		char *kd = vb_text_printable(kind, 0);
		fprintf(ctx->out, "%4zu  %-40s %-8s %10s %10s\n", i + 1, id, kd, d, sc);
		free(id);
		free(kd);
		const char *desc = engine_search_cell(r, i, "description");
		if (*desc) {
			char *safe = vb_text_clip(desc, 100);
			fprintf(ctx->out, "      %s\n", safe);
			free(safe);
		}
	}
}

static void print_json(struct cli_ctx *ctx, const struct engine_search_req *q, const struct engine_search_res *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "mode", cli_json_str(engine_search_mode_name(s->mode)));
	json_object_set_new(o, "embedder", cli_json_str(s->embedder));
	json_object_set_new(o, "table", cli_json_str(s->spec->name));
	json_object_set_new(o, "top", json_integer(q->top));
	json_object_set_new(o, "query", cli_json_str(q->query));
	json_object_set_new(o, "where", cli_json_str(q->where));
	json_object_set_new(o, "subject_path", cli_json_str(q->subject_path));
	json_t *names = json_array();
	for (int i = 0; i < q->nsemantic_models; i++)
		json_array_append_new(names, cli_json_str(q->semantic_models[i]));
	json_object_set_new(o, "semantic_model_names", names);
	json_object_set_new(o, "elapsed_ms", json_real(s->ms));
	json_object_set_new(o, "search_path", cli_json_str(s->search_path[0] ? s->search_path : NULL));
	json_object_set_new(o, "results", cli_json_rows(s->spec, s->rows));
	if (s->nplan) {
		json_t *plan = json_array();
		for (int i = 0; i < s->nplan; i++)
			json_array_append_new(plan, cli_json_str(s->plan[i]));
		json_object_set_new(o, "plan", plan);
	}
	if (s->recall_done)
		json_object_set_new(o, "recall",
		                    json_pack("{s:i, s:f, s:I, s:I, s:s}", "k", q->top, "recall", s->recall, "found",
		                              (json_int_t)s->recall_found, "exact", (json_int_t)s->recall_exact, "reference",
		                              "exact scan, same namespace and filter"));
	cli_json_emit(ctx->out, o);
}

static void print_extras(struct cli_ctx *ctx, const struct engine_search_req *q, const struct engine_search_res *s)
{
	if (q->what & ENGINE_SEARCH_EXPLAIN)
		fprintf(ctx->out, "search path: %s\n", s->search_path[0] ? s->search_path : "(the backend does not say)");
	if (s->nplan) {
		fprintf(ctx->out, "plan:\n");
		for (int i = 0; i < s->nplan; i++)
			fprintf(ctx->out, "  %s\n", s->plan[i]);
	}
	if (s->recall_done)
		fprintf(ctx->out, "recall@%d = %.2f (%zu of %zu exact neighbours found; reference: exact scan, same namespace "
		        "and filter; search %.1f ms, exact scan %.1f ms)\n",
		        q->top, s->recall, s->recall_found, s->recall_exact, s->ms_index, s->ms_exact);
}

/* Exit code and message for a failed engine_search, by the stage that failed. */
static int report(struct cli_ctx *ctx, const struct engine_search_res *s, const struct vb_error *err)
{
	const char *at = s->failed_at ? s->failed_at : "search";
	if (!strcmp(at, "config") || !strcmp(at, "store"))
		return cli_report_open(ctx, at, err);
	if (err->status == VB_ERR_UNSUPPORTED || !strcmp(at, "filter") || !strcmp(at, "table") || !strcmp(at, "top") ||
	    !strcmp(at, "mode")) {
		fprintf(ctx->err, "vbadmin: %s\n", err->message);
		if (err->hint[0])
			fprintf(ctx->err, "hint: %s\n", err->hint);
		return VB_EXIT_USAGE;
	}
	return session_report(ctx, at, err);
}

/* --semantic-model NAME[,NAME...], repeatable: the names of Datus's semantic_model_names. */
static int add_models(struct cli_ctx *ctx, struct engine_search_req *q, char *arg)
{
	static const char *names[64];
	for (char *save = NULL, *tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (q->nsemantic_models == 64)
			return cli_usage_error(ctx, "search", "at most 64 --semantic-model names");
		names[q->nsemantic_models++] = tok;
	}
	q->semantic_models = names;
	return VB_EXIT_OK;
}

/* Ctrl-C: at which stage the search stopped; a search writes nothing, so nothing is left over. */
static int report_cancel(struct cli_ctx *ctx, const struct engine_search_res *s)
{
	const char *at = s->failed_at ? s->failed_at : "search";
	const char *stage = !strcmp(at, "store") || !strcmp(at, "config") ? "while opening the store"
	                    : !strcmp(at, "server gone") || !strcmp(at, "extension") || !strcmp(at, "table not ready")
	                        ? "while checking that the table is ready"
	                    : !strcmp(at, "embedder") ? "while embedding the query"
	                    : !strcmp(at, "explain") || !strcmp(at, "recall") ? "while measuring (--explain / --recall)"
	                                                                      : "while the search statement ran";
	return cli_cancelled(ctx, "stopped %s; a search writes nothing, so nothing was changed", stage);
}

static int parse_timeout(struct cli_ctx *ctx, const char *arg, int *timeout_ms)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !(v >= 0 && v <= 86400))
		return cli_usage_error(ctx, "search", "--timeout must be 0..86400 seconds (0: none), got '%s'", arg);
	*timeout_ms = v == 0 ? -1 : v * 1000 < 1 ? 1 : (int)(v * 1000);
	return VB_EXIT_OK;
}

static int parse_mode(struct cli_ctx *ctx, const char *arg, int *mode)
{
	*mode = engine_search_mode_parse(arg);
	if (*mode < ENGINE_MODE_AUTO)
		return cli_usage_error(ctx, "search", "--mode must be vector, text or hybrid, got '%s'", arg);
	return VB_EXIT_OK;
}

/* Options may come before or after QUERY; several words left over are one query split by the
 * shell, so the advice quotes all of them. */
static int parse(struct cli_ctx *ctx, int argc, char **argv, struct engine_search_req *q, int *json)
{
	struct cli_args a;
	cli_args_init(&a, ctx, "search", argc, argv, 1);
	for (int c; (c = cli_args_next(&a));) {
		switch (c) {
		case 'm': a.rc = parse_mode(ctx, optarg, &q->mode); break;
		case 't': q->table = optarg; break;
		case 'k': a.rc = cli_int_option(ctx, "search", "top", optarg, 1, 10000, &q->top); break;
		case 'w': q->where = optarg; break;
		case 'j': *json = 1; break;
		case 'e': q->what |= ENGINE_SEARCH_EXPLAIN; break;
		case 'r': q->what |= ENGINE_SEARCH_RECALL; break;
		case 'S': q->subject_path = optarg; break;
		case 'M': a.rc = add_models(ctx, q, optarg); break;
		case 'T': a.rc = parse_timeout(ctx, optarg, &q->timeout_ms); break;
		}
	}
	int rc = cli_args_end(&a, -1);
	if (rc != VB_EXIT_OK)
		return rc;
	if (optind >= argc)
		return cli_usage_error(ctx, "search", "QUERY text is missing");
	if (optind + 1 < argc) {
		char *all = cli_join_words(argc - optind, argv + optind);
		rc = cli_usage_error(ctx, "search", "one QUERY please; quote it: vbadmin search \"%s\"", all);
		free(all);
		return rc;
	}
	q->query = argv[optind];
	return VB_EXIT_OK;
}

int cli_search(struct cli_ctx *ctx, int argc, char **argv)
{
	struct engine_search_req q = {.mode = ENGINE_MODE_AUTO, .top = 10, .what = ENGINE_SEARCH_RUN};
	int json = 0;
	int rc = parse(ctx, argc, argv, &q, &json);
	if (rc != VB_EXIT_OK)
		return rc;
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return rc;
	char *shown = vb_text_clip(q.query, 100);
	cli_signals_doing("search \"%s\" in %s of namespace %s", shown, q.table ? q.table : "semantic_model",
	                  e->vbc.namespace ? e->vbc.namespace : "default");
	free(shown);
	struct engine_search_res s;
	struct vb_error err;
	int st = engine_search(e, &q, &s, &err);
	if (s.rows && json)
		print_json(ctx, &q, &s);
	else if (s.rows)
		print_text(ctx, &s);
	if (s.rows && !json)
		print_extras(ctx, &q, &s);
	if (st != VB_OK && e->cancelled)
		rc = report_cancel(ctx, &s);
	else if (st != VB_OK)
		rc = report(ctx, &s, &err);
	engine_search_free(e, &s);
	cli_engine_close(&e);
	return rc;
}
