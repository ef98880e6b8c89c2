/* cli/cli_ddl.c - `vbadmin ddl SUBCOMMAND`: render (print the DDL); more subcommands
 * (apply) hook into the table below. */
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

struct ddl_sub {
	const char *name;
	cli_cmd_fn fn;
	const char *usage;
};

static int ddl_render_cmd(struct cli_ctx *ctx, int argc, char **argv);
int cli_ddl_apply(struct cli_ctx *ctx, int argc, char **argv); /* cli/cli_ddl_apply.c */

static const struct ddl_sub ddl_subs[] = {
	{"render", ddl_render_cmd, "ddl render [--schema S] [--dim N] [--part all|relational|vector]"},
	{"apply", cli_ddl_apply, "ddl apply [--dry-run] [--yes]"},
};
#define NSUBS (sizeof ddl_subs / sizeof ddl_subs[0])

static void print_subs(struct cli_ctx *ctx)
{
	fputs("usage:", ctx->err);
	for (size_t i = 0; i < NSUBS; i++)
		fprintf(ctx->err, "%s vbadmin %s\n", i ? "      " : "", ddl_subs[i].usage);
}

static int sub_usage_error(struct cli_ctx *ctx, const struct ddl_sub *sub, const char *fmt, const char *arg)
{
	fputs("vbadmin: ", ctx->err);
	fprintf(ctx->err, fmt, arg);
	fprintf(ctx->err, "\nusage: vbadmin %s\n", sub->usage);
	return VB_EXIT_USAGE;
}

int cli_ddl(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2) {
		fputs("vbadmin: ddl needs a subcommand:", ctx->err);
		for (size_t i = 0; i < NSUBS; i++)
			fprintf(ctx->err, " %s", ddl_subs[i].name);
		fputc('\n', ctx->err);
		print_subs(ctx);
		return VB_EXIT_USAGE;
	}
	for (size_t i = 0; i < NSUBS; i++)
		if (strcmp(argv[1], ddl_subs[i].name) == 0)
			return ddl_subs[i].fn(ctx, argc - 1, argv + 1);
	fprintf(ctx->err, "vbadmin: unknown ddl subcommand '%s'; choose one of:", argv[1]);
	for (size_t i = 0; i < NSUBS; i++)
		fprintf(ctx->err, " %s", ddl_subs[i].name);
	fputc('\n', ctx->err);
	print_subs(ctx);
	return VB_EXIT_USAGE;
}

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

static int ddl_render_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct ddl_sub *sub = &ddl_subs[0];
	static const struct option opts[] = {
		{"schema", required_argument, NULL, 's'},
		{"dim", required_argument, NULL, 'd'},
		{"part", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *schema = NULL, *dim_from = NULL;
	int dim = -1;
	enum ddl_part part = DDL_PART_ALL;
	int c;
	optind = 0; /* glibc: full reinitialisation, the command may run more than once per process */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			schema = optarg;
			break;
		case 'd': {
			long v = parse_dim(optarg);
			if (v < 1 || v > DDL_MAX_DIM) {
				fprintf(ctx->err, "vbadmin: --dim '%s' is not a valid vector dimension: "
				        "pgvector's vector type allows 1..%d dimensions\n", optarg, DDL_MAX_DIM);
				fprintf(ctx->err, "usage: vbadmin %s\n", sub->usage);
				return VB_EXIT_USAGE;
			}
			dim = (int)v;
			break;
		}
		case 'p':
			if (ddl_part_parse(optarg, &part) != 0)
				return sub_usage_error(ctx, sub, "unknown --part '%s'; choose one of: " DDL_PART_CHOICES, optarg);
			break;
		case 'h':
			fprintf(ctx->out, "usage: vbadmin %s\n", sub->usage);
			return VB_EXIT_OK;
		case ':':
			return sub_usage_error(ctx, sub, "option '%s' needs a value", argv[optind - 1]);
		default:
			return sub_usage_error(ctx, sub, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return sub_usage_error(ctx, sub, "unexpected argument '%s'", argv[optind]);
	if (!schema || dim < 0) {
		int rc = defaults_from_config(ctx, &schema, &dim, &dim_from);
		if (rc != VB_EXIT_OK)
			return rc;
	}

	struct vb_buf out;
	struct vb_error err;
	vb_buf_init(&out);
	vb_err_clear(&err);
	if (ddl_render(&out, schema, dim, part, &err) != VB_OK) {
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
