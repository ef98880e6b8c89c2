/* cli/cli_ddl.c - `vbadmin ddl render`: print the knowledge-base DDL (ddl apply lives in
 * cli_ddl_apply.c; both are rows of commands.def). */
#include "../engine/engine.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../ddl/ddl.h"
#include "../config/config.h"

#define DDL_DEFAULT_SCHEMA "public"
#define DDL_DEFAULT_DIM 384

/* Whole-string decimal; anything else (empty, sign-only, trailing junk, overflow) is -1, which
 * the caller reports with the allowed range. */
static long parse_dim(const char *s)
{
	if (!s || !*s)
		return -1;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	errno = 0;
	long v = strtol(s, NULL, 10);
	if (errno || v > INT_MAX)
		return -1;
	return v;
}

/* Schema and dim the command was not given come from the resolved config. */
static int defaults_from_config(struct cli_ctx *ctx, const char **schema, int *dim, const char **dim_from)
{
	struct vb_config vc;
	int rc = cli_resolve(ctx, NULL, &vc);
	if (rc != VB_EXIT_OK)
		return rc;
	if (!*schema)
		*schema = vc.schema && *vc.schema ? vc.schema : DDL_DEFAULT_SCHEMA;
	if (*dim < 0) {
		*dim = vc.dim > 0 ? vc.dim : DDL_DEFAULT_DIM;
		*dim_from = vc.dim > 0 && ctx->cfg->path ? ctx->cfg->path : NULL;
	}
	return VB_EXIT_OK;
}

/* Without --dim every vector table takes its own store's dim (agent.storage.<section>.dim_size,
 * config/stores.def), as Datus embeds each store with its own model. */
static int config_dim_of(const char *table, const void *cfg)
{
	return config_table_dim(cfg, table);
}

static int parse_render(struct cli_ctx *ctx, int argc, char **argv, const char **schema, int *dim,
                        enum ddl_part *part)
{
	struct cli_args a;
	cli_args_init(&a, ctx, "ddl render", argc, argv, 0);
	for (int c; (c = cli_args_next(&a));) {
		long v = c == 'd' ? parse_dim(optarg) : 0;
		if (c == 's')
			*schema = optarg;
		else if (c == 'd' && (v < 1 || v > DDL_MAX_DIM))
			a.rc = cli_usage_error(ctx, "ddl render", "--dim '%s' is not a valid vector dimension: pgvector's "
			                       "vector type allows 1..%d dimensions", optarg, DDL_MAX_DIM);
		else if (c == 'd')
			*dim = (int)v;
		else if (c == 'p' && ddl_part_parse(optarg, part) != 0)
			a.rc = cli_usage_error(ctx, "ddl render", "unknown --part '%s'; choose one of: " DDL_PART_CHOICES,
			                       optarg);
	}
	return cli_args_end(&a, 0);
}

int cli_ddl_render(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *schema = NULL, *dim_from = NULL;
	int dim = -1;
	enum ddl_part part = DDL_PART_ALL;
	int rc = parse_render(ctx, argc, argv, &schema, &dim, &part);
	if (rc != VB_EXIT_OK)
		return rc;
	int per_store = dim < 0;
	if (!schema || dim < 0) {
		rc = defaults_from_config(ctx, &schema, &dim, &dim_from);
		if (rc != VB_EXIT_OK)
			return rc;
	}

	struct vb_buf out;
	struct vb_error err;
	vb_buf_init(&out);
	vb_err_clear(&err);
	struct ddl_dims dims = {.dim = dim, .dim_of = per_store ? config_dim_of : NULL, .ctx = ctx->cfg};
	if (ddl_render_dims(&out, schema, &dims, part, &err) != VB_OK) {
		int dim_bad = dim < 1 || dim > DDL_MAX_DIM;
		if (dim_bad && dim_from)
			fprintf(ctx->err, "vbadmin: %s (embedding dim from %s)\n", err.message, dim_from);
		else
			fprintf(ctx->err, "vbadmin: %s\n", err.message);
		vb_buf_free(&out);
		return engine_exit_for_status(err.status);
	}
	fputs(out.data, ctx->out);
	vb_buf_free(&out);
	return fflush(ctx->out) == 0 ? VB_EXIT_OK : VB_EXIT_INTERNAL;
}
