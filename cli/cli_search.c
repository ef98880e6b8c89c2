/* cli/cli_search.c - `vbadmin search`: vector / text / hybrid search of one table, the
 * quickest proof that the knowledge base answers. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/vb_filter.h"
#include "../backends/vb_sql.h"
#include "../ddl/ddl.h"
#include "../config/config.h"
#include "../kb/embed.h"
#include "session.h"

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *cell(const struct vb_result *r, size_t row, const char *col)
{
	const char *v = vb_result_get(r, row, vb_result_col(r, col));
	return v ? v : "";
}

static void print_text(struct cli_ctx *ctx, const struct vb_result *r, const char *mode, const char *table,
                       double ms)
{
	fprintf(ctx->out, "%s search on %s: %zu result%s in %.1f ms\n", mode, table, r->nrows, r->nrows == 1 ? "" : "s",
	        ms);
	if (!r->nrows)
		return;
	fprintf(ctx->out, "%4s  %-40s %-8s %10s %10s\n", "rank", "id", "kind", "distance", "score");
	for (size_t i = 0; i < r->nrows; i++) {
		char d[32] = "-", s[32] = "-";
		if (r->distance)
			snprintf(d, sizeof d, "%.4f", r->distance[i]);
		if (r->score)
			snprintf(s, sizeof s, "%.4f", r->score[i]);
		const char *kind = vb_result_col(r, "kind") >= 0 ? cell(r, i, "kind") : table;
		fprintf(ctx->out, "%4zu  %-40s %-8s %10s %10s\n", i + 1, cell(r, i, "id"), kind, d, s);
		const char *desc = cell(r, i, "description");
		if (*desc)
			fprintf(ctx->out, "      %.*s%s\n", 100, desc, strlen(desc) > 100 ? "..." : "");
	}
}

static void print_json(struct cli_ctx *ctx, const struct vb_result *r, const char *mode, const char *table, int top,
                       const char *query, const char *where, double ms)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "{\"mode\":");
	vb_buf_json_str(&b, mode);
	vb_buf_add(&b, ",\"table\":");
	vb_buf_json_str(&b, table);
	vb_buf_printf(&b, ",\"top\":%d,\"query\":", top);
	vb_buf_json_str(&b, query);
	vb_buf_add(&b, ",\"where\":");
	vb_buf_json_str(&b, where);
	vb_buf_printf(&b, ",\"elapsed_ms\":%.3f,\"results\":[", ms);
	for (size_t i = 0; i < r->nrows; i++) {
		vb_buf_printf(&b, "%s{\"rank\":%zu", i ? "," : "", i + 1);
		for (int c = 0; c < r->ncols; c++) {
			vb_buf_addc(&b, ',');
			vb_buf_json_str(&b, r->cols[c]);
			vb_buf_addc(&b, ':');
			vb_buf_json_str(&b, vb_result_get(r, i, c));
		}
		if (r->distance)
			vb_buf_printf(&b, ",\"_distance\":%.6f", r->distance[i]);
		if (r->score)
			vb_buf_printf(&b, ",\"score\":%.6f", r->score[i]);
		vb_buf_addc(&b, '}');
	}
	vb_buf_add(&b, "]}\n");
	fputs(b.data, ctx->out);
	vb_buf_free(&b);
}

/* EXPLAIN of the vector query shape the pgvector plugin runs, through its query slot. */
static int explain(struct cli_ctx *ctx, struct session *s, const struct vb_table_spec *spec, const float *q, int dim,
                   int top)
{
	if (!(s->ops->caps & VB_CAP_SQL) || !s->ops->query) {
		fprintf(ctx->err, "vbadmin: --explain needs a SQL backend (pgvector); %s has no query plans\n", s->ops->name);
		return VB_EXIT_USAGE;
	}
	char *schema = vb_quote_ident(s->vc.schema ? s->vc.schema : "public");
	char *table = vb_quote_ident(spec->name);
	char *vec = vb_vector_to_text(q, dim);
	char top_s[16];
	snprintf(top_s, sizeof top_s, "%d", top);
	char *sql = vb_xasprintf("EXPLAIN SELECT id, vector <=> $2::vector AS _distance FROM %s.%s WHERE namespace = $1 "
	                         "ORDER BY vector <=> $2::vector LIMIT $3::int",
	                         schema, table);
	const char *params[] = {s->vc.namespace, vec, top_s};
	struct vb_result *r = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = VB_EXIT_OK;
	if (s->ops->query(s->h, sql, 3, params, &r, &err) != VB_OK) {
		rc = session_report(ctx, "explain", &err);
	} else {
		fprintf(ctx->out, "plan:\n");
		for (size_t i = 0; i < r->nrows; i++)
			fprintf(ctx->out, "  %s\n", vb_result_get(r, i, 0));
	}
	s->ops->result_free(s->h, &r);
	free(schema);
	free(table);
	free(vec);
	free(sql);
	return rc;
}

int cli_search(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"mode", required_argument, NULL, 'm'}, {"table", required_argument, NULL, 't'},
		{"top", required_argument, NULL, 'k'},  {"where", required_argument, NULL, 'w'},
		{"json", no_argument, NULL, 'j'},       {"explain", no_argument, NULL, 'e'},
		{NULL, 0, NULL, 0},
	};
	const char *mode = NULL, *table = "semantic_model", *where = NULL;
	int top = 10, json = 0, want_explain = 0, c;
	while ((c = getopt_long(argc, argv, "+m:t:k:w:je", opts, NULL)) != -1) {
		switch (c) {
		case 'm': mode = optarg; break;
		case 't': table = optarg; break;
		case 'k': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 10000)
				return cli_usage_error(ctx, "search", "--top must be 1..10000, got '%s'", optarg);
			top = (int)v;
			break;
		}
		case 'w': where = optarg; break;
		case 'j': json = 1; break;
		case 'e': want_explain = 1; break;
		default: return cli_usage_error(ctx, "search", "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(ctx, "search", "QUERY text is missing");
	if (optind + 1 < argc)
		return cli_usage_error(ctx, "search", "one QUERY please; quote it: vbadmin search \"%s %s\"", argv[optind],
		                       argv[optind + 1]);
	const char *query = argv[optind];
	if (mode && strcmp(mode, "vector") && strcmp(mode, "text") && strcmp(mode, "hybrid"))
		return cli_usage_error(ctx, "search", "--mode must be vector, text or hybrid, got '%s'", mode);
	int rc = cli_load_config(ctx);
	if (rc != VB_EXIT_OK)
		return rc;
	const struct vb_table_spec *spec = ddl_table_spec(table, ctx->cfg->dim);
	if (!spec || !spec->vector_column) {
		fprintf(ctx->err, "vbadmin: --table '%s' is not a vector table; use one of:", table);
		for (int i = 0; i < ddl_table_count(); i++)
			if (ddl_table_is_vector(i))
				fprintf(ctx->err, " %s", ddl_table_name(i));
		fputc('\n', ctx->err);
		return VB_EXIT_USAGE;
	}
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_filter *filter = NULL;
	if (where) {
		filter = vb_filter_parse(where, &err);
		if (!filter || vb_filter_check(filter, spec, &err) != VB_OK) {
			fprintf(ctx->err, "vbadmin: %s\n", err.message);
			vb_filter_free(filter);
			return VB_EXIT_USAGE;
		}
	}
	struct session s;
	rc = session_open(ctx, &s);
	if (rc != VB_EXIT_OK) {
		vb_filter_free(filter);
		return rc;
	}
	if (!mode)
		mode = (s.ops->caps & VB_CAP_HYBRID) ? "hybrid" : "vector";
	struct embedder *emb = NULL;
	float *q = NULL;
	struct vb_result *res = NULL;
	int st = s.ops->ensure_table(s.h, spec, &err);
	if (st != VB_OK) {
		rc = session_report(ctx, "table not ready", &err);
		goto out;
	}
	if (embedder_open_config(ctx->cfg, &emb, &err) != VB_OK) {
		rc = session_report(ctx, "embedder", &err);
		goto out;
	}
	q = vb_xmalloc((size_t)spec->vector_dim * sizeof *q);
	double t0 = mono_ms();
	if (strcmp(mode, "text") != 0) {
		st = embedder_embed(emb, &query, 1, q, &err);
		if (st != VB_OK) {
			rc = session_report(ctx, "embedder", &err);
			goto out;
		}
	}
	if (strcmp(mode, "vector") == 0) {
		st = s.ops->search_vector(s.h, spec, q, spec->vector_dim, top, filter, NULL, &res, &err);
	} else {
		unsigned cap = strcmp(mode, "text") == 0 ? VB_CAP_TEXT : VB_CAP_HYBRID;
		int have = strcmp(mode, "text") == 0 ? s.ops->search_text != NULL : s.ops->search_hybrid != NULL;
		if (!(s.ops->caps & cap) || !have) {
			fprintf(ctx->err, "vbadmin: backend %s does not support %s search; use --mode vector\n", s.ops->name,
			        mode);
			rc = VB_EXIT_USAGE;
			goto out;
		}
		if (strcmp(mode, "text") == 0)
			st = s.ops->search_text(s.h, spec, query, top, filter, NULL, &res, &err);
		else
			st = s.ops->search_hybrid(s.h, spec, query, q, spec->vector_dim, top, filter, NULL, &res, &err);
	}
	double ms = mono_ms() - t0;
	if (st != VB_OK) {
		rc = session_report(ctx, "search", &err);
		goto out;
	}
	if (json)
		print_json(ctx, res, mode, table, top, query, where, ms);
	else
		print_text(ctx, res, mode, table, ms);
	if (want_explain)
		rc = explain(ctx, &s, spec, q, spec->vector_dim, top);
out:
	if (res)
		s.ops->result_free(s.h, &res);
	free(q);
	embedder_close(&emb);
	vb_filter_free(filter);
	session_close(&s);
	return rc;
}
